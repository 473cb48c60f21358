#!/usr/bin/env python3
"""e2e: camsim serves streams that look like real IP cameras.

Why: every other e2e test and the 32-camera benchmark trust camsim to behave
like a camera, so its contract is checked here with the same client library
the recorder uses (ffmpeg/ffprobe):
  - /camK/main is H.264 1920x1080 at 25 fps, /camK/sub H.264 640x360 at 10 fps;
  - delivery is paced at real time and pts keep increasing;
  - a client joining a running stream gets SPS/PPS (VPS) in-band right before
    the next keyframe;
  - --h265-cams / --h265 switch main streams to H.265;
  - RTSP over UDP works as well as interleaved TCP;
  - --auth digest answers 401 without the right credentials;
  - bad options exit 2, SIGTERM exits 0.

Environment (set by ctest): CAMSIM_BIN, WW_MEDIA_DIR, WW_SOURCE_DIR.
Every wait is bounded and camsim is always stopped (try/finally).  Prints
"N passed, N failed" and exits non-zero on any failure.
"""
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time

RESULTS = []  # (name, ok, detail)


def check(name, ok, expected, seen):
    RESULTS.append((name, bool(ok), f"expected {expected}; saw {seen}"))
    print(f"PASS {name} ({seen})" if ok else
          f"FAIL {name}: expected {expected}; saw {seen}", flush=True)
    return ok


def need_env(name):
    v = os.environ.get(name)
    if not v:
        print(f"test_camsim: environment variable {name} is not set",
              file=sys.stderr)
        sys.exit(2)
    return v


class Camsim:
    """One camsim process.  start() returns once it printed its listening
    line (bounded), stop() always leaves no process behind."""

    def __init__(self, binary, media, args):
        self.err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [binary, "--port", "0", "--media", media] + args,
            stdout=subprocess.PIPE, stderr=self.err, stdin=subprocess.DEVNULL)
        self.port = None
        self.line = ""

    def start(self, timeout=20):
        deadline = time.monotonic() + timeout
        buf = b""
        while b"\n" not in buf and time.monotonic() < deadline:
            r, _, _ = select.select([self.proc.stdout], [], [], 0.2)
            if r:
                chunk = os.read(self.proc.stdout.fileno(), 4096)
                if not chunk:
                    break
                buf += chunk
            elif self.proc.poll() is not None:
                break
        self.line = buf.decode(errors="replace").strip()
        prefix = "camsim: listening on rtsp://127.0.0.1:"
        if self.line.startswith(prefix):
            self.port = int(self.line[len(prefix):].split()[0])
        return self.port is not None

    def stderr_text(self):
        self.err.seek(0)
        return self.err.read().decode(errors="replace").strip()

    def url(self, path, cred=""):
        return f"rtsp://{cred}127.0.0.1:{self.port}{path}"

    def stop(self, timeout=10):
        """SIGTERM, then SIGKILL after TIMEOUT; returns the exit code (None
        if it had to be killed)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
                return None
        return self.proc.returncode


def probe(url, transport="tcp"):
    """ffprobe the first video stream; returns (dict or None, stderr)."""
    cmd = ["ffprobe", "-v", "error", "-rtsp_transport", transport,
           "-timeout", "5000000", "-show_streams", "-select_streams", "v:0",
           "-of", "json", url]
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=25,
                           stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return None, "ffprobe timed out"
    if p.returncode != 0:
        return None, p.stderr.decode(errors="replace").strip()
    streams = json.loads(p.stdout or b"{}").get("streams", [])
    return (streams[0] if streams else None), ""


def rate(s):
    num, _, den = (s or "0/1").partition("/")
    return float(num) / float(den or 1) if float(den or 1) else 0.0


def check_stream(name, url, codec, w, h, fps, transport="tcp"):
    st, err = probe(url, transport)
    if not check(f"{name} opens", st is not None, f"{url} to open", err):
        return
    seen = (st.get("codec_name"), st.get("width"), st.get("height"),
            st.get("r_frame_rate"))
    check(f"{name} is {codec} {w}x{h}",
          seen[:3] == (codec, w, h), f"{codec} {w}x{h}", seen[:3])
    got = rate(st.get("r_frame_rate"))
    check(f"{name} ~{fps} fps", abs(got - fps) <= fps * 0.1,
          f"{fps} fps +-10%", f"r_frame_rate={seen[3]}")


class PacketReader:
    """Reads a stream with `ffmpeg -c copy -f framecrc` and records the
    arrival time and pts of every packet, so pace can be measured on the
    receiving side."""

    def __init__(self, url, transport="tcp"):
        self.proc = subprocess.Popen(
            ["ffmpeg", "-nostdin", "-v", "error", "-rtsp_transport", transport,
             "-timeout", "5000000", "-i", url, "-map", "0:v:0", "-c", "copy",
             "-flush_packets", "1", "-f", "framecrc", "pipe:1"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL)
        self.packets = []  # (monotonic time, pts)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for raw in self.proc.stdout:
            line = raw.decode(errors="replace")
            if line.startswith("#"):
                continue
            f = [x.strip() for x in line.split(",")]
            if len(f) >= 5:
                try:
                    self.packets.append((time.monotonic(), int(f[2])))
                except ValueError:
                    pass

    def wait_first(self, timeout):
        deadline = time.monotonic() + timeout
        while not self.packets and time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        return self.packets[0][0] if self.packets else None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.thread.join(5)


def capture_es(url, codec, seconds):
    """Copies SECONDS of the stream to a raw Annex-B elementary stream."""
    fmt = "h264" if codec == "h264" else "hevc"
    p = subprocess.Popen(
        ["ffmpeg", "-nostdin", "-v", "error", "-rtsp_transport", "tcp",
         "-timeout", "5000000", "-i", url, "-map", "0:v:0", "-c", "copy",
         "-f", fmt, "pipe:1"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL)
    timer = threading.Timer(seconds, lambda: p.send_signal(signal.SIGINT))
    timer.start()
    try:
        out, _ = p.communicate(timeout=seconds + 15)
    except subprocess.TimeoutExpired:
        p.kill()
        out, _ = p.communicate(timeout=5)
    finally:
        timer.cancel()
    return out


def nal_types(data, codec):
    """NAL unit types in order of appearance in an Annex-B byte string."""
    types, i = [], data.find(b"\x00\x00\x01")
    while 0 <= i < len(data) - 3:
        b = data[i + 3]
        types.append(b & 0x1F if codec == "h264" else (b >> 1) & 0x3F)
        i = data.find(b"\x00\x00\x01", i + 3)
    return types


def keyframes_with_params(types, codec):
    """For each keyframe that follows an earlier picture (so the joiner was
    mid-stream), whether the parameter sets sit between that picture and it.
    Returns a list of booleans."""
    if codec == "h264":
        is_vcl = lambda t: 1 <= t <= 5
        is_key = lambda t: t == 5
        needed = {7, 8}
    else:
        is_vcl = lambda t: t <= 31
        is_key = lambda t: 16 <= t <= 21
        needed = {32, 33, 34}
    out, between, prev = [], set(), None  # prev: None, "key" or "delta"
    for t in types:
        if not is_vcl(t):
            between.add(t)
            continue
        kind = "key" if is_key(t) else "delta"
        if kind == "key" and prev == "delta":
            out.append(needed <= between)
        prev, between = kind, set()
    return out


def check_join(name, url, codec):
    types = nal_types(capture_es(url, codec, 5.0), codec)
    ks = keyframes_with_params(types, codec)
    params = "SPS/PPS" if codec == "h264" else "VPS/SPS/PPS"
    check(f"{name}: joiner gets {params} before each keyframe",
          ks and all(ks), f"{params} before every keyframe after the join",
          f"{len(types)} NAL units, keyframes with params: {ks}")


def check_pace(cs):
    """25 fps +-10% measured at the receiver over 6 s, and pts that increase
    like the wall clock.  A second client joins meanwhile (shared media)."""
    t_open = time.monotonic()
    reader = PacketReader(cs.url("/cam1/main"))
    try:
        t_first = reader.wait_first(20)
        if not check("main delivers packets", t_first is not None,
                     "a first packet within 20 s",
                     "none" if t_first is None else
                     f"first after {t_first - t_open:.1f} s"):
            return
        # The first second includes ffmpeg's probing burst; measure after it.
        t0 = t_first + 1.0
        joiner = threading.Thread(
            target=check_join, args=("cam1/main", cs.url("/cam1/main"), "h264"))
        time.sleep(max(0.0, t0 - time.monotonic()) + 0.5)
        joiner.start()
        time.sleep(max(0.0, t0 + 6.0 - time.monotonic()) + 0.3)
        joiner.join(30)
    finally:
        reader.stop()
    win = [p for p in reader.packets if t0 <= p[0] < t0 + 6.0]
    check("main paced at 25 fps over 6 s wall", 135 <= len(win) <= 165,
          "150 +-10% packets (135..165)", f"{len(win)} packets")
    pts = [p[1] for p in reader.packets[2:]]  # first pts is guessed by ffmpeg
    bad = [(a, b) for a, b in zip(pts, pts[1:]) if b <= a]
    check("main pts strictly increasing", pts and not bad,
          "every pts above the previous", f"{len(bad)} regressions {bad[:3]}")
    if len(win) > 10:
        span = (win[-1][1] - win[0][1]) / 90000.0
        wall = win[-1][0] - win[0][0]
        check("main pts advance at wall-clock rate",
              abs(span - wall) <= 0.1 * wall, f"pts span ~{wall:.2f} s",
              f"{span:.2f} s")


def check_udp(cs):
    check_stream("cam1/sub over UDP", cs.url("/cam1/sub"), "h264", 640, 360,
                 10, transport="udp")
    reader = PacketReader(cs.url("/cam1/sub"), transport="udp")
    try:
        t_first = reader.wait_first(20)
        if t_first is not None:
            time.sleep(max(0.0, t_first + 3.5 - time.monotonic()))
    finally:
        reader.stop()
    n = len([p for p in reader.packets
             if t_first is not None and t_first + 0.5 <= p[0] < t_first + 3.5])
    check("sub over UDP paced at 10 fps", 25 <= n <= 35,
          "30 +-5 packets in 3 s", f"{n} packets")


def check_auth(binary, media):
    cs = Camsim(binary, media, ["--cameras", "1", "--h265", "--auth", "digest",
                                "--user", "u", "--password", "p"])
    try:
        if not check("camsim --auth digest starts", cs.start(),
                     "the listening line", f"'{cs.line}' {cs.stderr_text()}"):
            return
        st, err = probe(cs.url("/cam1/main"))
        check("digest: no credentials refused", st is None and "401" in err,
              "open to fail with 401", st or err)
        st, err = probe(cs.url("/cam1/main", "u:wrong@"))
        check("digest: wrong password refused", st is None,
              "open to fail", st or err)
        st, err = probe(cs.url("/cam1/main", "u:p@"))
        check("digest: right credentials accepted", st is not None,
              "open to succeed", err)
        if st:
            check("--h265 main is hevc 1920x1080",
                  (st.get("codec_name"), st.get("width"), st.get("height")) ==
                  ("hevc", 1920, 1080), "hevc 1920x1080",
                  (st.get("codec_name"), st.get("width"), st.get("height")))
    finally:
        cs.stop()


def check_bad_options(binary, media):
    for args in (["--cameras", "0"], ["--auth", "digest"], ["--bogus"],
                 ["--h265-cams", "x"]):
        p = subprocess.run([binary, "--media", media] + args,
                           capture_output=True, timeout=10,
                           stdin=subprocess.DEVNULL)
        err = p.stderr.decode(errors="replace").strip()
        check(f"camsim {' '.join(args)} exits 2 with a message",
              p.returncode == 2 and err.startswith("camsim: ")
              and len(err.splitlines()) == 1,
              "exit 2 and one 'camsim: ' line on stderr",
              f"exit {p.returncode}, stderr {err!r}")


def main():
    binary = need_env("CAMSIM_BIN")
    media = need_env("WW_MEDIA_DIR")
    src = need_env("WW_SOURCE_DIR")

    gen = subprocess.run([os.path.join(src, "scripts", "gen-media"), media],
                         capture_output=True, timeout=600,
                         stdin=subprocess.DEVNULL)
    if not check("gen-media succeeds", gen.returncode == 0, "exit 0",
                 f"exit {gen.returncode}: {gen.stdout.decode().strip()} "
                 f"{gen.stderr.decode().strip()}"):
        return summary()

    check_bad_options(binary, media)

    cs = Camsim(binary, media, ["--cameras", "2", "--h265-cams", "2"])
    try:
        if not check("camsim starts and prints its port", cs.start(),
                     "'camsim: listening on rtsp://127.0.0.1:PORT cameras=2'",
                     f"'{cs.line}' {cs.stderr_text()}"):
            return summary()
        check("listening line names the camera count",
              cs.line.endswith(" cameras=2"), "'... cameras=2'", cs.line)
        check_stream("cam1/main", cs.url("/cam1/main"), "h264", 1920, 1080, 25)
        check_stream("cam1/sub", cs.url("/cam1/sub"), "h264", 640, 360, 10)
        check_stream("cam2/sub", cs.url("/cam2/sub"), "h264", 640, 360, 10)
        check_stream("cam2/main (--h265-cams 2)", cs.url("/cam2/main"), "hevc",
                     1920, 1080, 25)
        st, err = probe(cs.url("/cam3/main"))
        check("cam3 does not exist with --cameras 2", st is None,
              "open to fail", st or err)
        check_pace(cs)
        # cam2/main is idle here, so this also covers a fresh H.265 pipeline
        # whose first unit carries the in-band parameter sets.
        reader = PacketReader(cs.url("/cam2/main"))
        try:
            reader.wait_first(20)
            check_join("cam2/main", cs.url("/cam2/main"), "hevc")
        finally:
            reader.stop()
        check_udp(cs)
    finally:
        rc = cs.stop()
    check("SIGTERM stops camsim with exit 0", rc == 0, "exit 0 within 10 s",
          f"exit {rc}, stderr {cs.stderr_text()!r}")

    check_auth(binary, media)
    return summary()


def summary():
    failed = sum(1 for r in RESULTS if not r[1])
    print(f"{len(RESULTS) - failed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
