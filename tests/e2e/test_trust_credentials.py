"""Camera credentials bound to their host (issue 11 item 1), played as the attack was.

An officer, then an admin, point a camera that has a stored username and
password at an RTSP server of the test's own (HostileRtsp below: python socket,
127.0.0.1, free port) that answers every request with 401 and
`WWW-Authenticate: Basic realm="x"` and records every Authorization header it
is sent.  Then:

1. officer PATCHes main_url to it → 403, the camera is unchanged;
2. admin PATCHes main_url to it without new credentials → 200, the credentials
   are dropped (has_credentials false); a probe sends no Authorization at all;
3. admin sends the credentials again (Basic not allowed, the default) → the
   probe fails with "camera asks for Basic auth, which this camera's record
   does not allow" and the server saw no Basic header — over the lean client
   (tcp) and over libavformat's (udp, checked first by the lean one);
4. control: with auth_basic_allowed set (by an admin; an officer gets 403) the
   same probe does send Basic, so the server really records what it is sent;
5. the audit row of the URL change names the old and the new host:port and
   holds no credentials;
6. moving only sub_url to another host drops the credentials too;
7. a redirect (302 to a second server of the test's) is not followed: the
   second server sees no request at all.
"""
import base64
import socket
import threading
import time

from wwapi import Server, check, finish, log

USER, PASSWORD = "camadmin", "Cam-s3cret-9931"


class HostileRtsp:
    """A tiny RTSP server: answers each request per `mode`, records heads."""

    def __init__(self, mode="basic", location=None):
        self.mode = mode
        self.location = location
        self.requests = []          # (method, authorization or None)
        self.lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stopping = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def url(self, path="/live"):
        return f"rtsp://127.0.0.1:{self.port}{path}"

    def _serve(self):
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self._conn, args=(conn,), daemon=True).start()

    def _conn(self, conn):
        conn.settimeout(0.2)
        buf = b""
        deadline = time.monotonic() + 30
        try:
            while not self.stopping and time.monotonic() < deadline:
                try:
                    data = conn.recv(4096)
                except socket.timeout:
                    continue
                if not data:
                    return
                buf += data
                while b"\r\n\r\n" in buf:
                    head, buf = buf.split(b"\r\n\r\n", 1)
                    lines = head.decode("latin-1").split("\r\n")
                    method = lines[0].split(" ")[0]
                    hdrs = {}
                    for ln in lines[1:]:
                        if ":" in ln:
                            k, v = ln.split(":", 1)
                            hdrs[k.strip().lower()] = v.strip()
                    with self.lock:
                        self.requests.append((method, hdrs.get("authorization")))
                    cseq = hdrs.get("cseq", "0")
                    if self.mode == "redirect":
                        resp = (f"RTSP/1.0 302 Moved\r\nCSeq: {cseq}\r\n"
                                f"Location: {self.location}\r\n\r\n")
                    else:
                        resp = (f"RTSP/1.0 401 Unauthorized\r\nCSeq: {cseq}\r\n"
                                f"WWW-Authenticate: Basic realm=\"x\"\r\n\r\n")
                    conn.sendall(resp.encode())
        except OSError:
            pass
        finally:
            conn.close()

    def seen(self):
        with self.lock:
            return list(self.requests)

    def clear(self):
        with self.lock:
            self.requests.clear()

    def stop(self):
        self.stopping = True
        self.sock.close()
        self.thread.join(timeout=2)


def auths(srv):
    return [a for _, a in srv.seen() if a]


def leaked(srv):
    """The password in any form the server could read it back from."""
    out = []
    for a in auths(srv):
        if a.lower().startswith("basic "):
            try:
                out.append(base64.b64decode(a[6:].strip()).decode("latin-1"))
            except Exception:
                out.append(a)
        if PASSWORD in a:
            out.append(a)
    return out


hostile = HostileRtsp()
target = HostileRtsp()                       # where the redirector points
redirector = HostileRtsp("redirect", location=target.url("/stolen"))
srv = Server().start()
try:
    admin = srv.admin()
    ward = srv.create_ward(admin)
    uid, pw = srv.create_user(admin, "canbo_cred", "officer", ward_id=ward)
    officer = srv.signed_in("canbo_cred", pw)
    genuine = "rtsp://127.0.0.1:9/genuine-cam"
    cam = srv.create_camera(admin, ward, main_url=genuine, username=USER, password=PASSWORD)
    r = admin.get(f"/api/v1/cameras/{cam}")
    check(r.json.get("has_credentials") is True and r.json.get("auth_basic_allowed") is False,
          "the camera has stored credentials, Basic not allowed by default",
          "has_credentials true, auth_basic_allowed false", r.json)

    # -- 1. the officer's attempt
    r = officer.patch(f"/api/v1/cameras/{cam}", {"main_url": hostile.url()})
    check(r.status == 403, "officer may not move the URL of a camera with stored credentials",
          403, r)
    r = officer.patch(f"/api/v1/cameras/{cam}", {"main_url": hostile.url(), "username": "x",
                                                 "password": "y"})
    check(r.status == 403, "…not even with new credentials in the same request", 403, r)
    r = officer.patch(f"/api/v1/cameras/{cam}", {"sub_url": hostile.url("/sub")})
    check(r.status == 403, "…nor its sub_url", 403, r)
    r = admin.get(f"/api/v1/cameras/{cam}")
    check(r.json.get("main_url") == genuine and r.json.get("sub_url") is None
          and r.json.get("has_credentials") is True,
          "the camera is unchanged after the refusals", genuine, r.json)
    r = officer.post(f"/api/v1/cameras/{cam}/probe", {"timeout_s": 2})
    check(hostile.seen() == [], "the hostile server was never contacted", [], hostile.seen())

    # -- 2. admin moves it without credentials: they are dropped
    r = admin.patch(f"/api/v1/cameras/{cam}", {"main_url": hostile.url()})
    check(r.status == 200 and r.json.get("has_credentials") is False,
          "admin moves main_url to another host: the stored credentials are dropped",
          "200, has_credentials false", r)
    check("username" not in (r.json or {}) and "password" not in (r.json or {}),
          "the camera JSON shows no username or password", "no such keys", r.json)
    r = admin.post(f"/api/v1/cameras/{cam}/probe", {"timeout_s": 3})
    check(r.status == 502, "the probe against the hostile server fails", 502, r)
    check(len(hostile.seen()) > 0, "the probe did reach the hostile server", "> 0 requests",
          hostile.seen())
    check(auths(hostile) == [], "the hostile server was sent no Authorization header", [],
          auths(hostile))

    # -- 3. credentials again, Basic not allowed: refused, nothing sent
    for transport in ("tcp", "udp"):
        hostile.clear()
        r = admin.patch(f"/api/v1/cameras/{cam}", {"username": USER, "password": PASSWORD,
                                                   "transport": transport})
        check(r.status == 200 and r.json.get("has_credentials") is True,
              f"admin stores credentials again ({transport})", 200, r)
        r = admin.post(f"/api/v1/cameras/{cam}/probe", {"timeout_s": 3})
        msg = r.error_message() or ""
        check(r.status == 502 and "camera asks for Basic auth, which this camera's record does"
              " not allow" in msg,
              f"probe ({transport}) fails with the clear error",
              "502 camera asks for Basic auth, which this camera's record does not allow", r)
        check(r.error_code() == "camera_basic_refused", f"probe ({transport}) error code",
              "camera_basic_refused", r.error_code())
        check(len(hostile.seen()) > 0 and auths(hostile) == [] and leaked(hostile) == [],
              f"the hostile server ({transport}) was asked but saw no Basic (no Authorization)",
              "requests, none with Authorization", hostile.seen())
    r = admin.patch(f"/api/v1/cameras/{cam}", {"transport": "tcp"})

    # -- 4. control: Basic allowed → the server does see it (so the recording works)
    r = officer.patch(f"/api/v1/cameras/{cam}", {"auth_basic_allowed": True})
    check(r.status == 403, "officer may not allow Basic auth", 403, r)
    r = admin.patch(f"/api/v1/cameras/{cam}", {"auth_basic_allowed": True})
    check(r.status == 200 and r.json.get("auth_basic_allowed") is True,
          "admin allows Basic auth for this camera", True, r)
    hostile.clear()
    admin.post(f"/api/v1/cameras/{cam}/probe", {"timeout_s": 3})
    check(f"{USER}:{PASSWORD}" in leaked(hostile),
          "control: with Basic allowed the server receives it (the recorder above is real)",
          f"{USER}:{PASSWORD}", leaked(hostile))
    r = admin.patch(f"/api/v1/cameras/{cam}", {"auth_basic_allowed": False})
    check(r.status == 200 and r.json.get("auth_basic_allowed") is False, "Basic disallowed again",
          False, r)

    # -- 5. the audit row of the move
    r = admin.get(f"/api/v1/audit?camera={cam}&action=camera_change&limit=100")
    rows = r.json.get("rows", []) if r.json else []
    moves = [row for row in rows if isinstance(row.get("detail"), dict)
             and row["detail"].get("url_change")]
    first = moves[-1] if moves else None    # newest first: the last is the first move
    ch = first["detail"]["url_change"][0] if first else {}
    check(ch.get("old_host") == "127.0.0.1:9" and ch.get("new_host") == f"127.0.0.1:{hostile.port}",
          "the audit row names the old and the new host:port",
          {"old_host": "127.0.0.1:9", "new_host": f"127.0.0.1:{hostile.port}"}, ch)
    check(first is not None and first["detail"].get("credentials_dropped") is True,
          "the audit row says the credentials were dropped", True, first)
    check(first is not None and first.get("username") == "admin", "the audit row names the admin",
          "admin", first and first.get("username"))
    check(PASSWORD not in r.text and USER not in r.text,
          "no audit row holds the camera's username or password", "absent", "present")

    # -- 6. sub_url to another host drops them too; the same host keeps them
    cam2 = srv.create_camera(admin, ward, main_url="rtsp://127.0.0.1:9/two", username=USER,
                             password=PASSWORD)
    r = admin.patch(f"/api/v1/cameras/{cam2}", {"sub_url": "rtsp://127.0.0.1:9/two-sub"})
    check(r.status == 200 and r.json.get("has_credentials") is True,
          "a sub_url at the same host:port keeps the credentials", True, r)
    r = admin.patch(f"/api/v1/cameras/{cam2}", {"sub_url": hostile.url("/sub2")})
    check(r.status == 200 and r.json.get("has_credentials") is False,
          "a sub_url at another host:port drops them", False, r)
    r = admin.patch(f"/api/v1/cameras/{cam2}", {"main_url": "rtsp://127.0.0.1:9/two-b",
                                                "sub_url": None, "username": USER,
                                                "password": PASSWORD})
    r = admin.patch(f"/api/v1/cameras/{cam2}", {"main_url": hostile.url("/m2"),
                                                "username": "other", "password": "given-now"})
    check(r.status == 200 and r.json.get("has_credentials") is True,
          "new credentials in the same request as the move are kept", True, r)
    r = admin.patch(f"/api/v1/cameras/{cam2}", {"main_url": "rtsp://127.0.0.1:9/two-c",
                                                "password": "only-a-password"})
    check(r.status == 400, "a move with a password but no username is refused", 400, r)

    # -- 7. a redirect is not followed with credentials
    for transport in ("tcp", "udp"):
        target.clear()
        redirector.clear()
        cam3 = srv.create_camera(admin, ward, main_url=redirector.url(f"/r-{transport}"),
                                 username=USER, password=PASSWORD, transport=transport)
        r = admin.post(f"/api/v1/cameras/{cam3}/probe", {"timeout_s": 3})
        check(r.status == 502 and "redirect" in (r.error_message() or ""),
              f"probe ({transport}) of a redirecting camera fails naming the redirect",
              "502 …redirect…", r)
        check(len(redirector.seen()) > 0 and target.seen() == [],
              f"the redirect target ({transport}) saw no request at all", [], target.seen())
        admin.delete(f"/api/v1/cameras/{cam3}")
finally:
    for s in (hostile, target, redirector):
        s.stop()
finish()
