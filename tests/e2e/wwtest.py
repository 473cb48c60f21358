"""Shared helpers for wardwatch end-to-end tests.

Every test starts its own simulated cameras (camsim) and its own
`wardwatch serve` on 127.0.0.1, with a fresh data folder, and stops them
in a finally block.  Every wait is bounded.  A failed check says what was
expected and what was seen.
"""
import atexit
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

WW = os.environ.get("WARDWATCH_BIN", "wardwatch")
CAMSIM = os.environ.get("CAMSIM_BIN", "camsim")
SRC = os.environ.get("WW_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "../..")))
MEDIA = os.environ.get("WW_MEDIA_DIR", os.path.join(SRC, "build", "media"))

_results = {"passed": 0, "failed": 0}
_procs = []


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def check(cond, what, expected, seen):
    """Records one assertion; prints expected vs seen on failure."""
    if cond:
        _results["passed"] += 1
        log(f"ok   {what}")
    else:
        _results["failed"] += 1
        log(f"FAIL {what}: expected {expected}, saw {seen}")
    return cond


def finish():
    """Prints the summary line and exits with the right code."""
    cleanup()
    p, f = _results["passed"], _results["failed"]
    print(f"{p} passed, {f} failed", flush=True)
    sys.exit(1 if f or not p else 0)


def cleanup():
    """Kills what the test started and is still running (also at exit: a test
    that ends on an exception, or a --world helper, leaves nothing behind)."""
    for p in _procs:
        if p.poll() is None:
            p.kill()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                pass


atexit.register(cleanup)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port):
    """True if something accepts TCP connections on 127.0.0.1:port now."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def ensure_media():
    subprocess.run([os.path.join(SRC, "scripts", "gen-media"), MEDIA], check=True, timeout=600)


class Camsim:
    """A camsim process serving cameras /camN/main and /camN/sub."""

    def __init__(self, cameras=1, port=None, extra=(), first=1):
        self.cameras, self.first, self.extra = cameras, first, list(extra)
        self.port = port or free_port()
        self.proc = None

    def start(self, timeout=30):
        ensure_media()
        args = [CAMSIM, "--port", str(self.port), "--cameras", str(self.cameras), "--media", MEDIA,
                "--first", str(self.first)] + self.extra
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        _procs.append(self.proc)
        deadline = time.time() + timeout
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"camsim exited: {self.proc.stderr.read()}")
                continue
            m = re.search(r"listening on rtsp://[^:]+:(\d+)", line)
            if m:
                self.port = int(m.group(1))
                return self
        raise RuntimeError("camsim did not say it was listening within %d s" % timeout)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def url(self, n, kind="main", cred=""):
        return f"rtsp://{cred}127.0.0.1:{self.port}/cam{n}/{kind}"


class Station:
    """A data folder plus a `wardwatch serve` on it."""

    def __init__(self, name="ww", data=None):
        self.tmp = tempfile.mkdtemp(prefix=f"{name}-")
        self.data = data or os.path.join(self.tmp, "data")
        self.proc = None
        self.logf = None
        self.log_path = os.path.join(self.tmp, "serve.log")
        self.env = dict(os.environ)

    def ww(self, *args, check=True, input=None, timeout=120, env=None):
        r = subprocess.run([WW, "--data", self.data] + list(args), capture_output=True, text=True,
                           input=input, timeout=timeout, env=env or self.env)
        if check and r.returncode != 0:
            raise RuntimeError(f"wardwatch {' '.join(args)} failed ({r.returncode}): {r.stderr.strip()}")
        return r

    def init(self):
        r = self.ww("init")
        m = re.search(r"admin password: (\S+)", r.stdout)
        self.admin_password = m.group(1) if m else None
        return self

    def add_camera(self, name, main, sub=None, extra=()):
        args = ["camera", "add", "--name", name, "--main", main] + (["--sub", sub] if sub else []) + list(extra)
        return int(self.ww(*args).stdout.strip().splitlines()[-1])

    def serve(self, *extra, env=None, http_port=None):
        self.logf = open(self.log_path, "a")
        web = ["--listen", f"127.0.0.1:{http_port}"] if http_port else ["--no-http"]
        self.http_port = http_port
        args = [WW, "--data", self.data, "serve"] + web + list(extra)
        self.proc = subprocess.Popen(args, stdout=self.logf, stderr=subprocess.STDOUT, env=env or self.env)
        _procs.append(self.proc)
        self.started_at = time.time()
        return self

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if not self.proc:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = "timeout"
        self.logf.close()
        self.proc = None
        return rc

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def stats(self):
        try:
            with open(os.path.join(self.data, "stats.json")) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def stream_stats(self, cam, kind="main"):
        s = self.stats() or {}
        for c in s.get("cameras", []):
            if c["id"] == cam:
                return c["streams"].get(kind, {})
        return {}

    def wait_for(self, cond, timeout, step=0.25):
        deadline = time.time() + timeout
        while time.time() < deadline:
            v = cond()
            if v:
                return v
            time.sleep(step)
        return None

    def recordings(self, cam, *extra):
        return json.loads(self.ww("recordings", "--camera", str(cam), "--json", *extra).stdout)

    def check(self):
        return self.ww("check", check=False)

    def remove(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


def ffprobe_segment(path):
    """(duration seconds, frames, codec) of a file, read by ffprobe."""
    r = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_packets",
                        "-show_entries", "stream=codec_name,nb_read_packets:format=duration",
                        "-of", "json", path], capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        return None, None, r.stderr.strip()
    j = json.loads(r.stdout)
    st = j["streams"][0]
    return float(j["format"].get("duration", 0)), int(st.get("nb_read_packets", 0)), st.get("codec_name")


def coverage(segments, start_us, end_us):
    """Seconds of [start, end) covered by the segments."""
    cov = 0
    for s in segments:
        a, b = max(s["start_us"], start_us), min(s["end_us"], end_us)
        if b > a:
            cov += b - a
    return cov / 1e6
