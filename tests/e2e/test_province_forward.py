#!/usr/bin/env python3
"""Hub → station requests for video (issue 15, docs/province.md "Hub →
station requests"): a real PostgreSQL 15, a real mosquitto, `hub serve`
and a recording station (`serve` with a camsim camera) joined with --url.

  - `hub fetch` of a live snapshot (JPEG), the timeline, a playback range
    (fMP4) and an export's file (its SHA-256 matches the station's) works;
    the same through the hub's HTTP route for a signed-in hub user;
  - the station's audit names the province user ("province:NAME@hub");
  - with the owner's consent withdrawn at the station, the hub gets the
    station's 403 (hub fetch exits 1 naming it; the route passes it on);
  - the station signs every answer it lets in with its own key (over the
    hub's nonce); an answer from anything else at its URL is refused;
  - straight at the station: headers missing, a forged signature, a
    replayed nonce, a stale timestamp and a request signed for another
    station, and any signed request to a station that never joined, are each
    401 with a clear error; a request with no hub headers
    still needs a session (cookies unchanged).
The test signs requests itself (Ed25519 with the hub's key file, the
canonical string as docs/province.md writes it) to reach each refusal."""
import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

sys.path.insert(0, os.path.dirname(__file__))
import wwprovince  # noqa: E402
import wwtest  # noqa: E402
from wwtest import Camsim, Station, check, finish, log  # noqa: E402
from wwapi import Client, Server  # noqa: E402

USER = "lan.nguyen"


def raw_get(port, target, headers=None, timeout=30):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{target}", headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def err_of(body):
    try:
        e = json.loads(body)["error"]
        return e.get("code"), e.get("message", "")
    except (ValueError, KeyError, TypeError):
        return None, body[:200]


tmp = tempfile.mkdtemp(prefix="ww-fwd-")
pg = wwprovince.Postgres().start()
mq = wwprovince.Mosquitto().start()
cams = Camsim(cameras=1).start()
hub_dir = os.path.join(tmp, "hub")
hub_port = wwtest.free_port()
hub_proc = None


def hub(*args, env=None):
    return subprocess.run([wwtest.WW, "hub"] + list(args) + ["--pg", pg.conninfo, "--data", hub_dir],
                          capture_output=True, timeout=120, env=env)


try:
    r = hub("init")
    check(r.returncode == 0, "hub init", 0, (r.returncode, r.stderr))
    # province users of the hub (hub-http.db): an admin here, ward-officers below
    hub_admin_pw = "hub-admin-pass-2026"
    pwfile = os.path.join(tmp, "hub-pw")
    with open(pwfile, "w") as f:
        f.write(hub_admin_pw + "\n")
    r = hub("user", "add", "admin", "--role", "province-admin", "--password-file", pwfile)
    check(r.returncode == 0, "hub user add: a province admin", 0, (r.returncode, r.stderr))
    hub_log = open(os.path.join(tmp, "hub.log"), "a")
    hub_proc = subprocess.Popen([wwtest.WW, "hub", "serve", "--pg", pg.conninfo, "--mqtt", mq.url, "--data", hub_dir,
                                 "--listen", f"127.0.0.1:{hub_port}", "--client-id", "hub-forward"],
                                stdout=hub_log, stderr=subprocess.STDOUT)
    wwtest._procs.append(hub_proc)
    deadline = time.time() + 20
    while time.time() < deadline and not wwtest.port_open(hub_port):
        time.sleep(0.1)
    out = hub("station", "add", "Phường Trường Thi").stdout.decode()
    sid = out.split("station ")[1].split()[0]
    token = out.split("token ")[1].split()[0]
    other_sid = hub("station", "add", "Phường Vinh Tân").stdout.decode().split("station ")[1].split()[0]
    for name, station in (("officer.own", sid), ("officer.other", other_sid)):
        r = hub("user", "add", name, "--role", "ward-officer", "--station", station, "--password-file", pwfile)
        check(r.returncode == 0, f"hub user add: ward-officer {name}", 0, (r.returncode, r.stderr))

    st = Station("ww-fwd").init()
    cam = st.add_camera("Ngõ 5 Trường Thi", cams.url(1), cams.url(1, "sub"))
    st_port = wwtest.free_port()
    r = st.ww("station", "join", f"http://127.0.0.1:{hub_port}", token, "--mqtt", mq.url,
              "--url", f"http://127.0.0.1:{st_port}/", check=False)
    check(r.returncode == 0, "station join --url", 0, (r.returncode, r.stderr))
    rows = pg.psql(f"SELECT url FROM stations WHERE id = '{sid}'")
    check(rows == [[f"http://127.0.0.1:{st_port}"]], "the hub stores the station's URL (trailing / dropped)",
          f"http://127.0.0.1:{st_port}", rows)
    st.serve("--segment-seconds", "3", http_port=st_port)
    ok = st.wait_for(lambda: st.stream_stats(cam).get("record", {}).get("frames", 0) > 0, 30)
    check(ok, "the station records", "frames > 0", st.stream_stats(cam))
    admin = Client(st_port)
    check(admin.login("admin", st.admin_password).status == 200, "station admin signs in", 200, "-")
    time.sleep(10)  # a few closed segments for playback and the export
    now = time.time()
    r = admin.post(f"/api/v1/cameras/{cam}/exports", {"from": now - 9, "to": now - 3})
    check(r.status == 201, "export made at the station", 201, r)
    export = r.json["export"]

    def fetch(path, *extra, env=None):
        out_path = os.path.join(tmp, "out.bin")
        if os.path.exists(out_path):
            os.remove(out_path)
        r = hub("fetch", sid, path, "--as", USER, "-o", out_path, *extra, env=env)
        data = open(out_path, "rb").read() if os.path.exists(out_path) else b""
        return r.returncode, r.stderr.decode(errors="replace"), data

    # ---- through `hub fetch` ----
    rc, err, data = fetch(f"/api/v1/cameras/{cam}/snapshot")
    check(rc == 0 and data[:3] == b"\xff\xd8\xff", "hub fetch: a live snapshot is a JPEG", "exit 0, FF D8 FF",
          (rc, err.strip(), data[:4]))
    rc, err, data = fetch(f"/api/v1/cameras/{cam}/timeline?from={int(now - 60)}&to={int(now + 5)}")
    tl = json.loads(data) if rc == 0 else {}
    check(rc == 0 and len(tl.get("segments", [])) >= 1, "hub fetch: the timeline lists recorded segments",
          ">= 1 segment", (rc, err.strip(), str(tl)[:200]))
    rc, err, data = fetch(f"/api/v1/cameras/{cam}/playback?at={now - 9:.3f}&to={now - 4:.3f}")
    check(rc == 0 and b"ftyp" in data[:64] and len(data) > 20000, "hub fetch: a playback range is fMP4",
          "exit 0, ftyp, > 20 kB", (rc, err.strip(), len(data)))
    t0 = time.time()
    direct = admin.get(export["file_url"])
    t_direct = time.time() - t0
    t0 = time.time()
    rc, err, data = fetch(export["file_url"])
    log(f"export file {len(data)} bytes: straight from the station {t_direct:.2f} s, through hub fetch "
        f"{time.time() - t0:.2f} s")
    check(rc == 0 and hashlib.sha256(data).hexdigest() == export["sha256"],
          "hub fetch: the export's file, byte for byte (SHA-256)", export["sha256"],
          (rc, err.strip(), hashlib.sha256(data).hexdigest()))

    # ---- through the hub's route, for a signed-in hub user ----
    fwd = f"/api/v1/province/stations/{sid}/forward"
    anon = Client(hub_port)
    r = anon.get(f"{fwd}/cameras/{cam}/snapshot")
    check(r.status == 401, "hub route: no hub session → 401", 401, r.status)
    hub_admin = Client(hub_port)
    check(hub_admin.login("admin", hub_admin_pw).status == 200, "hub admin signs in at the hub", 200, "-")
    r = hub_admin.get(f"{fwd}/cameras/{cam}/snapshot")
    check(r.status == 200 and r.body[:3] == b"\xff\xd8\xff" and r.header("Content-Type") == "image/jpeg",
          "hub route: snapshot streamed through", "200 image/jpeg", (r.status, r.header("Content-Type")))
    r = hub_admin.get(export["file_url"].replace("/api/v1", fwd, 1))
    check(r.status == 200 and hashlib.sha256(r.body).hexdigest() == export["sha256"] and
          r.header("X-Content-SHA256") == export["sha256"], "hub route: export file streamed, same SHA-256",
          export["sha256"], (r.status, hashlib.sha256(r.body).hexdigest()))
    r = hub_admin.get(f"{fwd}/users")
    check(r.status == 404, "hub route: a path outside video is not forwarded", 404, r.status)
    # the hub's permission matrix: a ward-officer signed in at the hub opens its own station only
    own = Client(hub_port)
    check(own.login("officer.own", hub_admin_pw).status == 200, "the station's ward-officer signs in at the hub",
          200, "-")
    r = own.get(f"{fwd}/cameras/{cam}/snapshot")
    check(r.status == 200 and r.body[:3] == b"\xff\xd8\xff", "hub route: a ward-officer opens its own station's camera",
          200, r.status)
    other = Client(hub_port)
    check(other.login("officer.other", hub_admin_pw).status == 200, "another ward's officer signs in at the hub",
          200, "-")
    r = other.get(f"{fwd}/cameras/{cam}/snapshot")
    check(r.status == 404, "hub route: another ward's officer gets 404 for this station's camera", 404, r.status)

    # ---- the station's audit names the province user ----
    r = admin.get("/api/v1/audit?limit=200")
    mine = {(a["action"], a["username"]) for a in r.json["rows"] if (a["username"] or "").startswith("province:")}
    names = {u for _, u in mine}
    check("province:officer.other@hub" not in names, "the refused ward-officer never reached the station",
          "absent", sorted(names))
    actions = {a for a, _ in mine}
    check(f"province:{USER}@hub" in names and "province:admin@hub" in names and
          "export_download" in actions and ("playback" in actions or any("play" in a for a in actions)),
          "station audit rows name the province users", f"province:{USER}@hub, province:admin@hub", sorted(mine))

    # ---- straight at the station ----
    sk = Ed25519PrivateKey.from_private_bytes(open(os.path.join(hub_dir, "hub.key"), "rb").read()[:32])

    def signed(target, station=sid, t=None, nonce=None, user=USER, role="province", key=sk):
        t = int(time.time()) if t is None else t
        nonce = nonce or os.urandom(16).hex()
        canon = f"wardwatch-hub-request-v1\nGET\n{target}\n{t}\n{nonce}\n{station}\n{user}\n{role}\n"
        sig = base64.b64encode(key.sign(canon.encode())).decode()
        return {"X-WW-Hub-Signature": sig, "X-WW-Hub-Time": str(t), "X-WW-Hub-Nonce": nonce,
                "X-WW-Hub-User": user, "X-WW-Hub-Role": role, "X-WW-Hub-Station": station}

    target = f"/api/v1/cameras/{cam}/timeline"
    h = signed(target)
    s, hdr, body = raw_get(st_port, target, h)
    check(s == 200, "a request the test signed with the hub key is let in", 200, (s, body[:200]))
    # the answer carries the station's own signature of the hub's nonce
    st_pub = json.load(open(os.path.join(st.data, "station.key")))["public_key"]
    answer = f"wardwatch-station-answer-v1\n{h['X-WW-Hub-Nonce']}\n{sid}\n{USER}\n".encode()
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(st_pub)).verify(
            base64.b64decode(hdr.get("X-WW-Station-Signature", "")), answer)
        answer_ok = True
    except (InvalidSignature, ValueError):
        answer_ok = False
    check(answer_ok, "the station signs its answer (X-WW-Station-Signature over the nonce) with its key",
          "valid Ed25519 signature", hdr.get("X-WW-Station-Signature"))
    s, _, body = raw_get(st_port, target, h)
    check(s == 401 and "replay" in err_of(body)[1], "the same nonce again (replay) → 401", "401 replay",
          (s, err_of(body)))
    s, _, body = raw_get(st_port, target)
    check(s == 401 and err_of(body)[1] == "sign in first", "no hub headers, no cookie → 401 as before", 401,
          (s, err_of(body)))
    h = signed(target)
    del h["X-WW-Hub-Signature"]
    s, _, body = raw_get(st_port, target, h)
    check(s == 401 and "missing" in err_of(body)[1], "a hub header missing → 401", "401 missing",
          (s, err_of(body)))
    h = signed(target, key=Ed25519PrivateKey.generate())
    s, _, body = raw_get(st_port, target, h)
    check(s == 401 and "signature" in err_of(body)[1], "a forged signature (another key) → 401",
          "401 signature", (s, err_of(body)))
    h = signed(target)
    h["X-WW-Hub-User"] = "admin"  # signed for lan.nguyen, sent as someone else
    s, _, body = raw_get(st_port, target, h)
    check(s == 401 and "signature" in err_of(body)[1], "a signed header changed → 401", "401", (s, err_of(body)))
    h = signed(f"/api/v1/cameras/{cam}/snapshot")  # signed for another path
    s, _, body = raw_get(st_port, target, h)
    check(s == 401, "a signature for another path → 401", 401, (s, err_of(body)))
    s, _, body = raw_get(st_port, target, signed(target, t=int(time.time()) - 90))
    check(s == 401 and "60 s" in err_of(body)[1], "a stale timestamp (90 s old) → 401", "401 time",
          (s, err_of(body)))
    s, _, body = raw_get(st_port, target, signed(target, t=int(time.time()) + 90))
    check(s == 401 and "60 s" in err_of(body)[1], "a timestamp 90 s ahead → 401", "401 time", (s, err_of(body)))
    s, _, body = raw_get(st_port, target, signed(target, station="st-00000000"))
    check(s == 401 and "another station" in err_of(body)[1], "signed for another station → 401",
          "401 another station", (s, err_of(body)))
    h = signed(target)
    h["Cookie"] = f"ww_session={admin.cookie}"  # a good cookie does not rescue a bad hub request
    h["X-WW-Hub-Time"] = str(int(h["X-WW-Hub-Time"]) + 1)
    s, _, body = raw_get(st_port, target, h)
    check(s == 401, "a bad hub request with an admin cookie is still 401", 401, (s, err_of(body)))
    # hub requests only read: a well-signed POST is refused before any handler
    h = signed(f"/api/v1/cameras/{cam}/holds")
    canon = (f"wardwatch-hub-request-v1\nPOST\n/api/v1/cameras/{cam}/holds\n{h['X-WW-Hub-Time']}\n"
             f"{h['X-WW-Hub-Nonce']}\n{sid}\n{USER}\nprovince\n")
    h["X-WW-Hub-Signature"] = base64.b64encode(sk.sign(canon.encode())).decode()
    req = urllib.request.Request(f"http://127.0.0.1:{st_port}/api/v1/cameras/{cam}/holds", method="POST",
                                 data=b"{}", headers=dict(h, **{"Content-Type": "application/json"}))
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            s, body = resp.status, resp.read()
    except urllib.error.HTTPError as e:
        s, body = e.code, e.read()
    check(s == 401 and "only read" in err_of(body)[1], "a signed POST → 401 (hub requests only read)",
          "401 only read", (s, err_of(body)))
    # a station that never joined refuses even a well-signed request
    lone = Server()
    lone.start()
    s, _, body = raw_get(lone.port, "/api/v1/cameras", signed("/api/v1/cameras"))
    check(s == 401 and "not joined" in err_of(body)[1], "a station that never joined → 401", "401 not joined",
          (s, err_of(body)))
    lone.stop()
    # the hub's own clock 2 minutes off: its fetch is refused the same way
    env = dict(os.environ, WARDWATCH_CLOCK_OFFSET_S="-120")
    rc, err, _ = fetch(target, env=env)
    check(rc == 1 and "HTTP 401" in err and "60 s" in err, "hub fetch with a stale clock: exit 1, the station's 401",
          "exit 1, HTTP 401", (rc, err.strip()))

    # ---- consent withdrawn at the station → the station's 403 reaches the hub ----
    r = admin.post(f"/api/v1/cameras/{cam}/consents", {"live": True, "record": True, "export": True,
                                                       "note": "Hộ ông Hải đồng ý"})
    check(r.status == 201, "owner's consent recorded at the station", 201, r)
    cid = r.json["id"]
    rc, err, data = fetch(f"/api/v1/cameras/{cam}/snapshot")
    check(rc == 0 and data[:2] == b"\xff\xd8", "with consent in force the snapshot still works", 0, (rc, err))
    r = admin.post(f"/api/v1/cameras/{cam}/consents/{cid}/withdraw", {"note": "rút lại"})
    check(r.status == 200, "consent withdrawn at the station", 200, r)
    rc, err, data = fetch(f"/api/v1/cameras/{cam}/snapshot")
    check(rc == 1 and "HTTP 403" in err and "no_consent" in err, "hub fetch after the withdrawal: the station's 403",
          "exit 1, HTTP 403 no_consent", (rc, err.strip()))
    rc, err, data = fetch(f"/api/v1/cameras/{cam}/playback?at={now - 9:.3f}&to={now - 4:.3f}")
    check(rc == 1 and "HTTP 403" in err, "playback after the withdrawal: 403", "exit 1, HTTP 403", (rc, err.strip()))
    r = hub_admin.get(f"{fwd}/cameras/{cam}/snapshot")
    check(r.status == 403 and r.error_code() == "no_consent", "hub route passes the station's 403 on",
          "403 no_consent", (r.status, r.error_code()))

    # ---- something else at the station's URL: its unsigned answer is not handed on ----
    class Impostor(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", "4")
            self.end_headers()
            self.wfile.write(b"\xff\xd8\xff\xd9")

        def log_message(self, *a):
            pass

    fake = HTTPServer(("127.0.0.1", wwtest.free_port()), Impostor)
    threading.Thread(target=fake.serve_forever, daemon=True).start()
    pg.psql(f"UPDATE stations SET url = 'http://127.0.0.1:{fake.server_address[1]}' WHERE id = '{sid}'")
    rc, err, data = fetch(f"/api/v1/cameras/{cam}/snapshot")
    check(rc == 1 and "not signed with station" in err and data == b"",
          "an answer not signed by the station's key: hub fetch refuses it, writes nothing",
          "exit 1, not signed", (rc, err.strip(), data))
    fake.shutdown()

    # ---- a station that joined without --url: the hub says so ----
    pg.psql(f"UPDATE stations SET url = NULL WHERE id = '{sid}'")
    rc, err, _ = fetch(f"/api/v1/cameras/{cam}/snapshot")
    check(rc == 1 and "without --url" in err, "no station URL: hub fetch says why", "exit 1, without --url",
          (rc, err.strip()))
    rc_stop = st.stop()
    check(rc_stop == 0, "station serve exits cleanly", 0, rc_stop)
finally:
    if hub_proc and hub_proc.poll() is None:
        hub_proc.terminate()
        try:
            hub_proc.wait(20)
        except subprocess.TimeoutExpired:
            hub_proc.kill()
    if hub_proc:
        check(hub_proc.returncode == 0, "hub serve exits cleanly", 0, hub_proc.returncode)
    cams.stop()
    mq.close()
    pg.close()
finish()
