// sha256: the SHA-256 of a file the officer picks, computed in the browser
// so a clip handed back months later is checked without uploading it
// (issue 13 item 2).  The browser's own crypto.subtle exists only in a
// secure context (https, or 127.0.0.1) and takes the whole file at once; a
// station is often reached over plain http on its LAN, so this is the
// FIPS 180-4 algorithm itself, fed in slices (a 1 GB clip never sits in
// memory).  The round constants are derived as the standard defines them
// (fractional parts of the cube and square roots of the first primes) and
// checked once against the standard's "abc" vector.
//   const hex = await sha256File(file, (done, total) => …);

function primes(n) {
  const out = [];
  for (let c = 2; out.length < n; c++) if (out.every((p) => c % p)) out.push(c);
  return out;
}
// frac(x) * 2^32 as an unsigned 32-bit word
const frac32 = (x) => Math.floor((x - Math.floor(x)) * 4294967296) >>> 0;
const P = primes(64);
const K = new Uint32Array(P.map((p) => frac32(Math.cbrt(p))));
const H0 = P.slice(0, 8).map((p) => frac32(Math.sqrt(p)));

const rotr = (x, n) => (x >>> n) | (x << (32 - n));

export class Sha256 {
  constructor() {
    this.h = Uint32Array.from(H0);
    this.buf = new Uint8Array(64);
    this.fill = 0;
    this.bytes = 0;
    this.w = new Uint32Array(64);
  }

  block(b, o) {
    const w = this.w, h = this.h;
    for (let i = 0; i < 16; i++) w[i] = (b[o + 4 * i] << 24) | (b[o + 4 * i + 1] << 16) | (b[o + 4 * i + 2] << 8) | b[o + 4 * i + 3];
    for (let i = 16; i < 64; i++) {
      const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
      const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
    }
    let [a, bb, c, d, e, f, g, hh] = h;
    for (let i = 0; i < 64; i++) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & bb) ^ (a & c) ^ (bb & c))) | 0;
      hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = bb; bb = a; a = (t1 + t2) | 0;
    }
    h[0] += a; h[1] += bb; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
  }

  update(data) {
    let i = 0;
    this.bytes += data.length;
    if (this.fill) {
      while (this.fill < 64 && i < data.length) this.buf[this.fill++] = data[i++];
      if (this.fill < 64) return this;
      this.block(this.buf, 0);
      this.fill = 0;
    }
    for (; i + 64 <= data.length; i += 64) this.block(data, i);
    while (i < data.length) this.buf[this.fill++] = data[i++];
    return this;
  }

  hex() {
    const bits = this.bytes * 8;
    const pad = new Uint8Array(((this.fill < 56 ? 56 : 120) - this.fill) + 8);
    pad[0] = 0x80;
    const n = pad.length;
    // the length in bits, big-endian, in the last 8 bytes (2^53 is plenty)
    const hi = Math.floor(bits / 4294967296), lo = bits >>> 0;
    pad[n - 8] = hi >>> 24; pad[n - 7] = hi >>> 16; pad[n - 6] = hi >>> 8; pad[n - 5] = hi;
    pad[n - 4] = lo >>> 24; pad[n - 3] = lo >>> 16; pad[n - 2] = lo >>> 8; pad[n - 1] = lo;
    const bytes = this.bytes;
    this.update(pad);
    this.bytes = bytes;
    return Array.from(this.h, (x) => (x >>> 0).toString(16).padStart(8, '0')).join('');
  }
}

export function sha256Bytes(u8) { return new Sha256().update(u8).hex(); }

if (sha256Bytes(new TextEncoder().encode('abc')) !== 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad') {
  throw new Error('sha256: self-test failed');
}

// The file's SHA-256 in slices of 4 MiB; progress(done, total) after each.
export async function sha256File(file, progress) {
  const s = new Sha256();
  const step = 4 << 20;
  for (let off = 0; off < file.size; off += step) {
    s.update(new Uint8Array(await file.slice(off, off + step).arrayBuffer()));
    if (progress) progress(Math.min(off + step, file.size), file.size);
  }
  return s.hex();
}
