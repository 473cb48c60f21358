"""Sessions (issue 11 item 12), each played as an attacker would:

1. A stolen cookie kept busy: with --session-hours 1 the session is used at
   +50 min (the old sliding expiry would have pushed it to +12 h 50 min) and
   must be refused at +70 min, although it was never idle.  The clock is
   moved with WARDWATCH_CLOCK_OFFSET_S across server restarts on the same
   data folder (sessions live in the catalog).
2. A demoted officer keeps an open console: an admin changes the officer's
   role (and, separately, their ward) → the officer's session ends at once.
3. --secure-cookie marks the session cookie Secure; without it, not; with
   --trusted-proxy, a proxy at that address saying X-Forwarded-Proto: https
   does too, and the same header from anyone else is ignored.
"""
import os

import wwapi
from wwapi import Server, check, finish

# -- 1. absolute lifetime
data = None
srv = Server(extra_args=["--session-hours", "1"]).start()
data = srv.data
admin = srv.admin()
check(admin.get("/api/v1/session").status == 200, "signed in at +0", 200, "?")
srv.stop(keep_data=True)
for offset, want, what in [(3000, 200, "a session used at +50 min is still open"),
                           (4200, 401, "the same session, busy, is refused at +70 min (1 h lifetime)")]:
    os.environ["WARDWATCH_CLOCK_OFFSET_S"] = str(offset)
    s2 = Server(data_dir=data, port=srv.port, extra_args=["--session-hours", "1"]).start()
    r = admin.get("/api/v1/session")
    check(r.status == want, what, want, r.status)
    s2.stop(keep_data=True)
os.environ.pop("WARDWATCH_CLOCK_OFFSET_S", None)
srv.proc = None

# -- 2. role or ward change ends the user's sessions
srv = Server().start()
admin = srv.admin()
w1, w2 = srv.create_ward(admin), srv.create_ward(admin)
uid, pw = srv.create_user(admin, "canbo1", "officer", ward_id=w1)
officer = wwapi.Client(srv.port)
check(officer.login("canbo1", pw).status == 200, "officer signs in", 200, "?")
r = admin.patch(f"/api/v1/users/{uid}", {"role": "viewer"})
check(r.status == 200, "admin demotes the officer to viewer", 200, r)
r = officer.get("/api/v1/session")
check(r.status == 401, "the demoted officer's open session has ended", 401, r.status)
check(officer.login("canbo1", pw).status == 200, "signs in again (as viewer)", 200, "?")
r = admin.patch(f"/api/v1/users/{uid}", {"ward_id": w2})
check(r.status == 200, "admin moves the user to another ward", 200, r)
check(officer.get("/api/v1/session").status == 401, "a ward change also ends the session", 401, "?")
check(officer.login("canbo1", pw).status == 200, "signs in again", 200, "?")
r = admin.patch(f"/api/v1/users/{uid}", {"display_name": "Nguyễn Văn A"})
check(officer.get("/api/v1/session").status == 200, "a name change keeps the session", 200, "?")
srv.stop()

# -- 3. Secure cookie
for extra, want in [([], False), (["--secure-cookie"], True)]:
    srv = Server(extra_args=extra).start()
    c = wwapi.Client(srv.port)
    r = c.login("admin", srv.admin_password)
    cookie = r.header("Set-Cookie") or ""
    check(("; Secure" in cookie) == want, f"serve {' '.join(extra) or '(default)'}: Secure flag",
          "Secure" if want else "no Secure", cookie)
    srv.stop()

# -- 3b. a trusted reverse proxy's word: X-Forwarded-Proto: https → Secure, from it only
srv = Server(extra_args=["--trusted-proxy", "10.0.0.9,127.0.0.1"]).start()
for hdr, want, what in [({"X-Forwarded-Proto": "https"}, True, "https via the trusted proxy"),
                        ({"X-Forwarded-Proto": "http"}, False, "http via the trusted proxy"),
                        ({}, False, "no header")]:
    c = wwapi.Client(srv.port)
    r = c.request("POST", "/api/v1/session", {"username": "admin", "password": srv.admin_password}, headers=hdr)
    cookie = r.header("Set-Cookie") or ""
    check(r.status == 200 and ("; Secure" in cookie) == want, f"--trusted-proxy: {what} → Secure {want}", want, cookie)
srv.stop()
srv = Server(extra_args=["--trusted-proxy", "10.0.0.9"]).start()
c = wwapi.Client(srv.port)
r = c.request("POST", "/api/v1/session", {"username": "admin", "password": srv.admin_password},
              headers={"X-Forwarded-Proto": "https"})
check(r.status == 200 and "; Secure" not in (r.header("Set-Cookie") or ""),
      "the header from a client that is not a trusted proxy is ignored", "no Secure", r.header("Set-Cookie"))
srv.stop()
finish()
