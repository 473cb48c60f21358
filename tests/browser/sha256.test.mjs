// web/lib/sha256.js (the console's own SHA-256, for checking a file an
// officer picks without uploading it) against node's OpenSSL-backed hash:
// lengths around the padding boundaries (0, 55, 56, 63, 64, 65, 119, 120)
// and a 3 MB buffer, fed whole and in 7-byte slices.
import crypto from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { check, run, SRC } from './lib.mjs';

await run(async () => {
  const { sha256Bytes, Sha256 } = await import(pathToFileURL(path.join(SRC, 'web', 'lib', 'sha256.js')).href);
  for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 3 << 20]) {
    const b = crypto.randomBytes(n);
    const want = crypto.createHash('sha256').update(b).digest('hex');
    const s = new Sha256();
    for (let i = 0; i < n; i += 7) s.update(new Uint8Array(b.subarray(i, i + 7)));
    const got = [sha256Bytes(new Uint8Array(b)), s.hex()];
    check(got[0] === want && got[1] === want, `SHA-256 of ${n} bytes (whole and in slices)`, want, got);
  }
});
