#!/usr/bin/env python3
"""Captures real-shaped seed inputs for the fuzzers from camsim and wardwatch.

Run once by hand (not part of the suite); the output is committed under
tests/fuzz/corpus/.  Usage:
  capture-seeds.py CAMSIM_BIN WARDWATCH_BIN MEDIA_DIR OUT_CORPUS_DIR

Writes:
  rtsp_wire/  the byte stream a camera sends: OPTIONS/DESCRIBE/SETUP/PLAY
              replies and the first interleaved frames after PLAY
  sdp/        DESCRIBE bodies (H.264 and H.265 main, H.264 sub)
  rtsp_auth/  WWW-Authenticate values from a Basic and a Digest 401
  rtp/        RTP packets in the rtp harness's framing (see fuzz_rtp.c)
  mp4/        the head and tail of segment files wardwatch wrote
"""
import os, re, shutil, socket, struct, subprocess, sys, tempfile, time, glob

camsim, ww, media, out = sys.argv[1:5]


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


def start_camsim(extra):
    port = free_port()
    p = subprocess.Popen([camsim, "--port", str(port), "--media", media] + extra,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    deadline = time.time() + 20
    while time.time() < deadline:
        if "listening" in p.stdout.readline():
            return p, port
    p.kill(); raise SystemExit("camsim did not start")


def save(sub, name, data):
    os.makedirs(os.path.join(out, sub), exist_ok=True)
    with open(os.path.join(out, sub, name), "wb") as f:
        f.write(data)


def read_reply(s, buf):
    """Reads one RTSP reply off s (buf: bytes already read); returns (raw, rest)."""
    while b"\r\n\r\n" not in buf:
        d = s.recv(65536)
        if not d: raise SystemExit("closed")
        buf += d
    head, rest = buf.split(b"\r\n\r\n", 1)
    m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    n = int(m.group(1)) if m else 0
    while len(rest) < n:
        rest += s.recv(65536)
    return head + b"\r\n\r\n" + rest[:n], rest[n:]


def session(port, path, tag, frames_bytes=60000):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    url = f"rtsp://127.0.0.1:{port}{path}"
    stream, buf, cseq = b"", b"", 1

    def req(method, u, extra=""):
        nonlocal cseq, buf, stream
        s.sendall(f"{method} {u} RTSP/1.0\r\nCSeq: {cseq}\r\n{extra}\r\n".encode())
        cseq += 1
        raw, buf = read_reply(s, buf)
        stream += raw
        return raw

    req("OPTIONS", url)
    d = req("DESCRIBE", url, "Accept: application/sdp\r\n")
    body = d.split(b"\r\n\r\n", 1)[1]
    save("sdp", f"{tag}.sdp", body)
    base = re.search(rb"(?im)^content-base:\s*(\S+)", d)
    base = base.group(1).decode() if base else url
    ctl = re.search(rb"(?m)^m=video.*?^a=control:(\S+)", body, re.S)
    ctl = ctl.group(1).decode() if ctl else "*"
    track = ctl if ctl.startswith("rtsp://") else base.rstrip("/") + "/" + ctl
    r = req("SETUP", track, "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n")
    sess = re.search(rb"(?im)^session:\s*([^;\r\n]+)", r).group(1).decode()
    req("PLAY", base, f"Session: {sess}\r\nRange: npt=0.000-\r\n")
    data = buf
    while len(data) < frames_bytes:
        data += s.recv(65536)
    s.close()
    save("rtsp_wire", f"{tag}-handshake.bin", stream)
    save("rtsp_wire", f"{tag}-play.bin", stream[-400:] + data[:20000])
    # RTP packets of channel 0 in the rtp harness's framing: a codec byte,
    # then [len16 BE][packet] repeated.
    pkts, i = [], 0
    while i + 4 <= len(data) and data[i] == 0x24:
        ch, n = data[i + 1], struct.unpack(">H", data[i + 2:i + 4])[0]
        if i + 4 + n > len(data): break
        if ch == 0: pkts.append(data[i + 4:i + 4 + n])
        i += 4 + n
    codec = 1 if "h265" in tag else 0
    for k, lo in enumerate((0, len(pkts) // 2)):
        chunk = pkts[lo:lo + 60]
        save("rtp", f"{tag}-{k}.bin", bytes([codec]) + b"".join(struct.pack(">H", len(p)) + p for p in chunk))


def auth_seeds(mode):
    p, port = start_camsim(["--auth", mode, "--user", "u", "--password", "p"])
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(f"DESCRIBE rtsp://127.0.0.1:{port}/cam1/main RTSP/1.0\r\nCSeq: 1\r\n\r\n".encode())
        raw, _ = read_reply(s, b"")
        s.close()
        save("rtsp_wire", f"401-{mode}.bin", raw)
        for k, m in enumerate(re.finditer(rb"(?im)^www-authenticate:\s*(.*?)\r$", raw)):
            save("rtsp_auth", f"{mode}-{k}.txt", m.group(1))
    finally:
        p.kill(); p.wait()


def mp4_seeds():
    p, port = start_camsim(["--h265-cams", "2", "--cameras", "2"])
    tmp = tempfile.mkdtemp(prefix="fuzzseed-")
    data = os.path.join(tmp, "data")
    try:
        subprocess.run([ww, "--data", data, "init"], check=True, capture_output=True)
        for n in (1, 2):
            subprocess.run([ww, "--data", data, "camera", "add", "--name", f"c{n}", "--main",
                            f"rtsp://127.0.0.1:{port}/cam{n}/main"], check=True, capture_output=True)
        srv = subprocess.Popen([ww, "--data", data, "serve", "--no-http"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(12)
        srv.kill(); srv.wait()   # kill -9: the tail is cut the way a crash cuts it
        for k, f in enumerate(sorted(glob.glob(os.path.join(data, "rec", "*", "*", "*", "*.mp4")))):
            b = open(f, "rb").read()
            codec = "h265" if "/2/" in f.replace(data, "") else "h264"
            # head: ftyp+moov+free and the first fragments; cut: ends mid-fragment
            save("mp4", f"{codec}-{k}-head.mp4", b[:24000])
            save("mp4", f"{codec}-{k}-cut.mp4", b[:9000])
    finally:
        p.kill(); p.wait()
        shutil.rmtree(tmp, ignore_errors=True)


p, port = start_camsim(["--h265-cams", "1"])
try:
    session(port, "/cam1/main", "h265-main")
finally:
    p.kill(); p.wait()
p, port = start_camsim([])
try:
    session(port, "/cam1/main", "h264-main")
    session(port, "/cam1/sub", "h264-sub")
finally:
    p.kill(); p.wait()
auth_seeds("basic")
auth_seeds("digest")
mp4_seeds()
