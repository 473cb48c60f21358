"""Shared helpers for wardwatch API tests (tests/e2e/test_api_*.py and anyone
else's API tests).

    from wwapi import Server, check, finish, log

    srv = Server().start()              # fresh data folder, `serve --no-record`
    admin = srv.admin()                 # a Client signed in as the first admin
    uid, pw = srv.create_user(admin, "officer1", "officer", ward_id=1)
    off = srv.client(); off.login("officer1", pw)
    r = off.get("/api/v1/cameras")      # Response: .status .json .text .headers
    check(r.status == 200, "officer lists cameras", 200, r.status)
    finish()                            # stops servers, prints "N passed, M failed"

Only the standard library is used.  Every server listens on 127.0.0.1 on a
free port, with its own temporary data folder, and is stopped at the end
(a server that exits non-zero — e.g. a leak under ASan — is a failure).
Every wait is bounded.  Failed checks print expected vs seen.
"""
import atexit
import http.client
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
SRC = os.environ.get("WW_SOURCE_DIR",
                     os.path.abspath(os.path.join(os.path.dirname(__file__), "../..")))

_results = {"passed": 0, "failed": 0}
_servers = []


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def check(cond, what, expected=None, seen=None):
    """Records one assertion; prints expected vs seen on failure."""
    if cond:
        _results["passed"] += 1
        log(f"ok   {what}")
    else:
        _results["failed"] += 1
        log(f"FAIL {what}: expected {expected!r}, saw {seen!r}")
    return bool(cond)


def finish():
    """Stops every server, prints the summary line and exits."""
    for s in list(_servers):
        s.stop()
    p, f = _results["passed"], _results["failed"]
    print(f"{p} passed, {f} failed", flush=True)
    sys.exit(1 if f or not p else 0)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(args, data_dir, stdin=None, timeout=60):
    """Runs the wardwatch CLI on data_dir; returns CompletedProcess (text)."""
    return subprocess.run([WW, "--data", data_dir] + list(args), input=stdin,
                          capture_output=True, text=True, timeout=timeout)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers          # list of (name, value)
        self.body = body
        self.text = body.decode("utf-8", "replace")
        try:
            self.json = json.loads(self.text) if self.text else None
        except ValueError:
            self.json = None

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def headers_all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def error_code(self):
        try:
            return self.json["error"]["code"]
        except (TypeError, KeyError):
            return None

    def error_message(self):
        try:
            return self.json["error"]["message"]
        except (TypeError, KeyError):
            return ""

    def __repr__(self):
        return f"<{self.status} {self.text[:200]}>"


class Client:
    """An HTTP client with its own session cookie (a 'browser')."""

    def __init__(self, port):
        self.port = port
        self.cookie = None          # value of ww_session, or None

    def request(self, method, path, body=None, headers=None, raw=None, timeout=30):
        """body: a Python value sent as JSON; raw: bytes sent as is (no
        Content-Type unless given in headers)."""
        h = {"Host": f"127.0.0.1:{self.port}"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        elif raw is not None:
            data = raw if isinstance(raw, bytes) else raw.encode()
        elif method not in ("GET", "HEAD"):
            h["X-Requested-With"] = "wardwatch-tests"
        if self.cookie:
            h["Cookie"] = f"ww_session={self.cookie}"
        h.update(headers or {})
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=data, headers=h)
            r = conn.getresponse()
            resp = Response(r.status, r.getheaders(), r.read())
        finally:
            conn.close()
        for sc in resp.headers_all("Set-Cookie"):
            m = re.match(r"\s*ww_session=([^;]*)", sc)
            if m:
                self.cookie = m.group(1) or None
        return resp

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def patch(self, path, body=None, **kw):
        return self.request("PATCH", path, body=body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def login(self, username, password):
        return self.post("/api/v1/session", {"username": username, "password": password})

    def logout(self):
        return self.delete("/api/v1/session")


class Server:
    """`wardwatch serve --no-record` on 127.0.0.1:PORT with a fresh data
    folder (initialised with `wardwatch init`; the first admin's password
    is kept in .admin_password)."""

    def __init__(self, data_dir=None, port=None, extra_args=()):
        self.own_dir = data_dir is None
        self.data = data_dir or tempfile.mkdtemp(prefix="ww-api-")
        if self.own_dir:
            os.rmdir(self.data)      # init creates it
        self.port = port or free_port()
        self.extra = list(extra_args)
        self.proc = None
        self.admin_password = None
        self.logf = None
        self.log_path = None
        self._ids = 0

    # -- life cycle --
    def start(self, timeout=30):
        if not os.path.exists(os.path.join(self.data, "wardwatch.db")):
            r = run(["init"], self.data)
            if r.returncode != 0:
                raise RuntimeError(f"init failed: {r.stderr}")
            m = re.search(r"admin password: (\S+)", r.stdout)
            if not m:
                raise RuntimeError(f"init printed no admin password: {r.stdout}")
            self.admin_password = m.group(1)
        self.log_path = os.path.join(self.data, "serve.log")
        self.logf = open(self.log_path, "ab")
        env = dict(os.environ)
        env.setdefault("WARDWATCH_WEB_DIR", os.path.join(SRC, "web"))
        self.proc = subprocess.Popen(
            [WW, "--data", self.data, "serve", "--listen", f"127.0.0.1:{self.port}",
             "--no-record"] + self.extra,
            stdout=self.logf, stderr=subprocess.STDOUT, env=env)
        _servers.append(self)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"serve exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                r = Client(self.port).get("/api/v1/session", timeout=2)
                if r.status == 401:
                    log(f"server up on 127.0.0.1:{self.port}, data {self.data}")
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not answer within {timeout}s:\n{self.log_tail()}")

    def stop(self, expect_clean=True, keep_data=False):
        """SIGTERM, bounded wait, then SIGKILL.  Checks a clean exit.  The
        data folder is removed (if we made it) unless keep_data or a check
        failed (then it is left for inspection)."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
                check(False, "server stopped within 20 s of SIGTERM", "exit", "still running")
        if self.proc is not None:
            rc = self.proc.returncode
            if expect_clean:
                ok = check(rc == 0, "server exited cleanly (no leaks, no errors)", 0, rc)
                if not ok:
                    print(self.log_tail(80))
            self.proc = None
        if self.logf:
            self.logf.close()
            self.logf = None
        if self in _servers:
            _servers.remove(self)
        if self.own_dir and not keep_data and _results["failed"] == 0:
            shutil.rmtree(self.data, ignore_errors=True)

    def log_tail(self, n=40):
        try:
            with open(self.log_path, "rb") as f:
                return b"\n".join(f.read().splitlines()[-n:]).decode("utf-8", "replace")
        except OSError:
            return ""

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    # -- clients and fixtures --
    def client(self):
        return Client(self.port)

    def admin(self):
        c = Client(self.port)
        r = c.login("admin", self.admin_password)
        if r.status != 200:
            raise RuntimeError(f"admin sign-in failed: {r}")
        return c

    def cli(self, *args, stdin=None):
        return run(args, self.data, stdin=stdin)

    def unique(self, prefix):
        self._ids += 1
        return f"{prefix}{self._ids}"

    def create_ward(self, admin, name=None):
        r = admin.post("/api/v1/wards", {"name": name or self.unique("Phường "),
                                         "district": "Vinh", "province": "Nghệ An"})
        if r.status != 201:
            raise RuntimeError(f"ward create failed: {r}")
        return r.json["id"]

    def create_owner(self, admin, ward_id, name=None, kind="household"):
        r = admin.post("/api/v1/owners", {"kind": kind, "name": name or self.unique("Hộ "),
                                          "phone": "0912 345 678", "ward_id": ward_id})
        if r.status != 201:
            raise RuntimeError(f"owner create failed: {r}")
        return r.json["id"]

    def create_camera(self, admin, ward_id, owner_id=None, name=None, **extra):
        # one camera device = one row: each default camera gets its own path
        body = {"name": name or self.unique("Camera "),
                "main_url": f"rtsp://127.0.0.1:9/{self.unique('none-')}",
                "ward_id": ward_id, "enabled": False}
        if owner_id:
            body["owner_id"] = owner_id
        body.update(extra)
        r = admin.post("/api/v1/cameras", body)
        if r.status != 201:
            raise RuntimeError(f"camera create failed: {r}")
        return r.json["id"]

    def create_user(self, admin, username, role, ward_id=None, owner_id=None, password=None):
        """Creates a user through the API; returns (id, password)."""
        password = password or f"pw-{username}-{os.getpid()}-x"
        body = {"username": username, "password": password, "role": role}
        if ward_id:
            body["ward_id"] = ward_id
        if owner_id:
            body["owner_id"] = owner_id
        r = admin.post("/api/v1/users", body)
        if r.status != 201:
            raise RuntimeError(f"user create failed: {r}")
        return r.json["id"], password

    def signed_in(self, username, password):
        c = Client(self.port)
        r = c.login(username, password)
        if r.status != 200:
            raise RuntimeError(f"sign-in of {username} failed: {r}")
        return c


@atexit.register
def _cleanup():
    for s in list(_servers):
        if s.proc and s.proc.poll() is None:
            s.proc.kill()
