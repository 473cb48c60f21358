#!/usr/bin/env python3
"""Exports and place bundles made at a station through the hub (issue 15,
docs/province.md "Hub → station requests", the v2 signature that binds the
body): a real PostgreSQL 15, a real mosquitto, `hub serve` and a recording
station (`serve` with a camsim camera) joined with --url.

  - a province admin makes an export through the hub's route → 201; its
    file, manifest and signature come back through the forward GET route
    and `wardwatch verify` passes on them offline with the station's key;
    `hub fetch --post -` does the same from the shell;
  - the station's audit has the export rows naming province:USER@hub;
  - a ward-officer of another station gets 404 and the request never
    reaches the station; a state-changing POST without JSON or from another
    origin is refused by the hub's CSRF rule; a body with an unknown field,
    over 64 KiB, or a POST to any other path is refused by the hub;
  - straight at the station: a forged signature, a tampered body (same
    signature, other body), a replayed nonce, an unsigned POST, a well
    signed POST to another path (users, holds) and a v1-signed POST are
    each 401, and the station's export list is unchanged after them; a v1
    GET (an older hub) still reads;
  - a place bundle through the hub → 201, its tar downloads through the hub
    and verifies, and the station's audit names the user;
  - with the owner's consent withdrawn at the station, the hub passes the
    station's 403 no_consent on (route and hub fetch).
The test signs requests itself (Ed25519 with the hub's key file, the
canonical string as docs/province.md writes it) to reach each refusal.
With --world it only builds the hub and the recording station, prints one
JSON line (for tests/browser/province_export.test.mjs) and serves until
stdin ends."""
import base64
import hashlib
import http.client
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

sys.path.insert(0, os.path.dirname(__file__))
import wwprovince  # noqa: E402
import wwtest  # noqa: E402
from wwtest import Camsim, Station, check, finish, log  # noqa: E402
from wwapi import Client  # noqa: E402

USER = "lan.nguyen"
LAT, LON = 18.6734, 105.6923


def raw(port, method, target, headers=None, data=None, timeout=60):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{target}", method=method, data=data,
                                 headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def err_of(body):
    try:
        e = json.loads(body)["error"]
        return e.get("code"), e.get("message", "")
    except (ValueError, KeyError, TypeError):
        return None, body[:200]


tmp = tempfile.mkdtemp(prefix="ww-fwdpost-")
pg = wwprovince.Postgres().start()
mq = wwprovince.Mosquitto().start()
cams = Camsim(cameras=1).start()
hub_dir = os.path.join(tmp, "hub")
hub_port = wwtest.free_port()
hub_proc = None


def hub(*args, stdin=None):
    return subprocess.run([wwtest.WW, "hub"] + list(args) + ["--pg", pg.conninfo, "--data", hub_dir],
                          capture_output=True, timeout=180, input=stdin)


def verify(path, key):
    empty = tempfile.mkdtemp(prefix="ww-verify-", dir=tmp)
    r = subprocess.run([wwtest.WW, "--data", empty, "verify", path, "--key", key], capture_output=True, text=True,
                       timeout=120)
    return r.returncode, r.stdout + r.stderr


try:
    r = hub("init")
    check(r.returncode == 0, "hub init", 0, (r.returncode, r.stderr))
    pw = "hub-admin-pass-2026"
    pwfile = os.path.join(tmp, "hub-pw")
    with open(pwfile, "w") as f:
        f.write(pw + "\n")
    r = hub("user", "add", "admin", "--role", "province-admin", "--password-file", pwfile)
    check(r.returncode == 0, "hub user add: a province admin", 0, (r.returncode, r.stderr))
    hub_log = open(os.path.join(tmp, "hub.log"), "a")
    hub_proc = subprocess.Popen([wwtest.WW, "hub", "serve", "--pg", pg.conninfo, "--mqtt", mq.url, "--data", hub_dir,
                                 "--listen", f"127.0.0.1:{hub_port}", "--client-id", "hub-fwdpost"],
                                stdout=hub_log, stderr=subprocess.STDOUT)
    wwtest._procs.append(hub_proc)
    deadline = time.time() + 20
    while time.time() < deadline and not wwtest.port_open(hub_port):
        time.sleep(0.1)
    out = hub("station", "add", "Phường Trường Thi").stdout.decode()
    sid = out.split("station ")[1].split()[0]
    token = out.split("token ")[1].split()[0]
    other_sid = hub("station", "add", "Phường Vinh Tân").stdout.decode().split("station ")[1].split()[0]
    r = hub("user", "add", "tinh.staff", "--role", "province-staff", "--password-file", pwfile)
    check(r.returncode == 0, "hub user add: province staff", 0, (r.returncode, r.stderr))
    for name, station in (("officer.own", sid), ("officer.other", other_sid)):
        r = hub("user", "add", name, "--role", "ward-officer", "--station", station, "--password-file", pwfile)
        check(r.returncode == 0, f"hub user add: ward-officer {name}", 0, (r.returncode, r.stderr))

    st = Station("ww-fwdpost").init()
    cam = st.add_camera("Ngõ 5 Trường Thi", cams.url(1), cams.url(1, "sub"),
                        extra=["--lat", str(LAT), "--lon", str(LON), "--address", "5 Trường Thi"])
    st_port = wwtest.free_port()
    r = st.ww("station", "join", f"http://127.0.0.1:{hub_port}", token, "--mqtt", mq.url,
              "--url", f"http://127.0.0.1:{st_port}", check=False)
    check(r.returncode == 0, "station join --url", 0, (r.returncode, r.stderr))
    st_pub = json.loads(st.ww("key", "show", "--json").stdout)["public_key"]
    st.serve("--segment-seconds", "3", http_port=st_port)
    ok = st.wait_for(lambda: st.stream_stats(cam).get("record", {}).get("frames", 0) > 0, 30)
    check(ok, "the station records", "frames > 0", st.stream_stats(cam))
    admin = Client(st_port)
    check(admin.login("admin", st.admin_password).status == 200, "station admin signs in", 200, "-")
    time.sleep(10)  # a few closed segments for the exports and the bundle

    def exports_now():
        r = admin.get("/api/v1/exports")
        return sorted(e["id"] for e in r.json["exports"])

    def audit_rows():
        r = admin.get("/api/v1/audit?limit=500")
        return r.json["rows"]

    fwd = f"/api/v1/province/stations/{sid}/forward"
    hub_admin = Client(hub_port)
    check(hub_admin.login("admin", pw).status == 200, "hub admin signs in at the hub", 200, "-")
    if "--world" in sys.argv:
        # for tests/browser/province_export.test.mjs: this hub and station, until stdin ends
        deadline = time.time() + 30
        while time.time() < deadline and not any(
                c["station"] == sid and str(c["id"]) == str(cam)
                for c in (hub_admin.get("/api/v1/province/cameras").json or {}).get("cameras", [])):
            time.sleep(0.3)
        print(json.dumps({"url": f"http://127.0.0.1:{hub_port}", "password": pw, "station": sid, "camera": cam,
                          "station_key": st_pub, "station_url": f"http://127.0.0.1:{st_port}",
                          "station_admin_password": st.admin_password}), flush=True)
        sys.stdin.read()
        st.stop()
        raise SystemExit(0)

    # ---- an export through the hub's route, downloaded and verified offline ----
    now = time.time()
    t0 = time.time()
    r = hub_admin.post(f"{fwd}/cameras/{cam}/exports", {"from": now - 9, "to": now - 3}, timeout=200)
    log(f"export through the hub: {time.time() - t0:.2f} s")
    check(r.status == 201 and r.json and r.json["export"]["username"] == "province:admin@hub",
          "hub route: POST …/forward/cameras/{id}/exports → 201, made for province:admin@hub",
          "201 province:admin@hub", (r.status, r.body[:300]))
    ex = r.json["export"]
    clip = os.path.join(tmp, "clip.mp4")
    parts = [("file", clip), ("manifest", clip + ".manifest.json"), ("signature", clip + ".manifest.json.sig")]
    for part, path in parts:
        r = hub_admin.get(f"{fwd}/exports/{ex['id']}/{part}")
        check(r.status == 200 and len(r.body) > 0, f"hub route: the export's {part} downloads through the hub",
              200, (r.status, r.body[:200]))
        with open(path, "wb") as f:
            f.write(r.body)
    check(hashlib.sha256(open(clip, "rb").read()).hexdigest() == ex["sha256"],
          "the file through the hub has the export's SHA-256", ex["sha256"],
          hashlib.sha256(open(clip, "rb").read()).hexdigest())
    rc, vout = verify(clip, st_pub)
    check(rc == 0 and "everything holds" in vout, "wardwatch verify on the export fetched through the hub: exit 0",
          "exit 0, everything holds", (rc, vout[-600:]))
    # the console's MSE player opens a forwarded live stream from its X-Codec and X-Start-Us
    conn = http.client.HTTPConnection("127.0.0.1", hub_port, timeout=30)
    conn.request("GET", f"{fwd}/cameras/{cam}/live", headers={"Cookie": f"ww_session={hub_admin.cookie}"})
    lr = conn.getresponse()
    lh = {k.lower(): v for k, v in lr.getheaders()}
    first = lr.read1(4096) if lr.status == 200 else lr.read()
    conn.close()
    check(lr.status == 200 and lh.get("x-codec", "").startswith(("avc1.", "hvc1.", "hev1.")) and
          lh.get("x-start-us", "").isdigit() and len(first) > 0,
          "hub route: a forwarded live stream keeps the station's X-Codec and X-Start-Us",
          "200, X-Codec avc1.*, X-Start-Us digits, bytes", (lr.status, lh.get("x-codec"), lh.get("x-start-us"),
                                                            len(first)))
    # the hub's cost, logged (not asserted): the same 6 s export 5 times each way, medians
    times = {"hub": [], "station": []}
    for _ in range(5):
        for way, client, path in (("hub", hub_admin, f"{fwd}/cameras/{cam}/exports"),
                                  ("station", admin, f"/api/v1/cameras/{cam}/exports")):
            t0 = time.time()
            r = client.post(path, {"from": now - 9, "to": now - 3}, timeout=200)
            times[way].append(time.time() - t0)
            check(r.status == 201, f"a timed export ({way})", 201, (r.status, r.body[:200]))
    med = {k: sorted(v)[2] for k, v in times.items()}
    log(f"a 6 s export (main, {ex['bytes']} bytes): through the hub median {med['hub'] * 1000:.0f} ms, "
        f"straight at the station {med['station'] * 1000:.0f} ms (5 each)")

    # ---- `hub fetch --post -` from the shell ----
    body = json.dumps({"from": now - 8, "to": now - 4, "stream": "main"}).encode()
    r = hub("fetch", sid, f"/api/v1/cameras/{cam}/exports", "--as", USER, "--post", "-", stdin=body)
    out = json.loads(r.stdout or b"{}") if r.returncode == 0 else {}
    check(r.returncode == 0 and out.get("export", {}).get("username") == f"province:{USER}@hub"
          and out["export"]["stream"] == "main", "hub fetch --post -: the export is made for the province user",
          f"exit 0, province:{USER}@hub", (r.returncode, r.stderr.decode()[-300:], r.stdout[:200]))
    r = hub("fetch", sid, "/api/v1/users", "--as", USER, "--post", "-", stdin=b"{}")
    check(r.returncode != 0 and b"only" in r.stderr, "hub fetch --post to another path: refused by the hub",
          "exit != 0", (r.returncode, r.stderr.decode()[-300:]))
    r = hub("fetch", sid, f"/api/v1/cameras/{cam}/exports", "--as", USER, "--post", "-",
            stdin=b'{"from":1,"to":2,"user_id":1}')
    check(r.returncode != 0 and b"unknown field" in r.stderr, "hub fetch --post with an unknown field: refused",
          "exit != 0, unknown field", (r.returncode, r.stderr.decode()[-300:]))

    # ---- the station's audit names the province users ----
    rows = audit_rows()
    made = {(a["action"], a["username"]) for a in rows}
    check(("export", "province:admin@hub") in made and ("export", f"province:{USER}@hub") in made,
          "station audit: the export rows name province:admin@hub and province:lan.nguyen@hub",
          "both export rows", sorted(x for x in made if (x[1] or "").startswith("province:")))
    check(("export_download", "province:admin@hub") in made, "station audit: the download through the hub too",
          "export_download by province:admin@hub", sorted(made)[:20])

    # ---- the hub's own refusals (nothing reaches the station) ----
    before = exports_now()
    other = Client(hub_port)
    check(other.login("officer.other", pw).status == 200, "another ward's officer signs in at the hub", 200, "-")
    r = other.post(f"{fwd}/cameras/{cam}/exports", {"from": now - 9, "to": now - 3})
    check(r.status == 404, "a ward-officer of another station: 404", 404, (r.status, r.body[:200]))
    own = Client(hub_port)
    check(own.login("officer.own", pw).status == 200, "the station's ward-officer signs in at the hub", 200, "-")
    r = own.post(f"{fwd}/cameras/{cam}/exports", {"from": now - 7, "to": now - 5}, timeout=200)
    check(r.status == 201 and r.json["export"]["username"] == "province:officer.own@hub",
          "a ward-officer of this station exports at its own station: 201", 201, (r.status, r.body[:200]))
    staff = Client(hub_port)
    check(staff.login("tinh.staff", pw).status == 200, "province staff signs in at the hub", 200, "-")
    r = staff.post(f"{fwd}/cameras/{cam}/exports", {"from": now - 7, "to": now - 5}, timeout=200)
    check(r.status == 201 and r.json["export"]["username"] == "province:tinh.staff@hub",
          "province staff exports at any station: 201", 201, (r.status, r.body[:200]))
    before = exports_now()
    r = hub_admin.request("POST", f"{fwd}/cameras/{cam}/exports", raw=json.dumps({"from": now - 9, "to": now - 3}))
    check(r.status == 403, "hub CSRF: a POST without JSON Content-Type or X-Requested-With → 403", 403,
          (r.status, r.body[:200]))
    r = hub_admin.post(f"{fwd}/cameras/{cam}/exports", {"from": now - 9, "to": now - 3},
                       headers={"Origin": "http://evil.example"})
    check(r.status == 403, "hub CSRF: a POST from another origin → 403", 403, (r.status, r.body[:200]))
    r = hub_admin.post(f"{fwd}/cameras/{cam}/exports", {"from": now - 9, "to": now - 3, "user_id": 1})
    check(r.status == 400 and "unknown field" in (r.error_message() or ""), "hub: a body with an unknown field → 400",
          "400 unknown field", (r.status, r.body[:200]))
    r = hub_admin.post(f"{fwd}/cameras/{cam}/exports", {"from": now - 9, "to": now - 3, "stream": "m" * 70000})
    check(r.status == 413, "hub: a body over 64 KiB → 413", 413, (r.status, r.body[:200]))
    for path in ("users", f"cameras/{cam}/holds", f"cameras/{cam}/exports?x=1", "exports"):
        r = hub_admin.post(f"{fwd}/{path}", {"username": "x"} if path == "users" else {})
        check(r.status == 404, f"hub: a POST to {path} is not forwarded → 404", 404, (r.status, r.body[:200]))
    check(exports_now() == before, "nothing of those reached the station (its export list unchanged)", before,
          exports_now())
    names = {a["username"] for a in audit_rows()}
    check("province:officer.other@hub" not in names, "the other ward's officer never reached the station", "absent",
          sorted(n for n in names if (n or "").startswith("province:")))

    # ---- straight at the station ----
    sk = Ed25519PrivateKey.from_private_bytes(open(os.path.join(hub_dir, "hub.key"), "rb").read()[:32])

    def signed(method, target, body=b"", key=sk, nonce=None, v=2, hash_of=None):
        t = int(time.time())
        nonce = nonce or os.urandom(16).hex()
        sha = hashlib.sha256(body if hash_of is None else hash_of).hexdigest()
        lines = [f"wardwatch-hub-request-v{v}", method, target, str(t), nonce, sid, USER, "province"]
        if v == 2:
            lines.append(sha)
        sig = base64.b64encode(key.sign(("\n".join(lines) + "\n").encode())).decode()
        h = {"X-WW-Hub-Signature": sig, "X-WW-Hub-Time": str(t), "X-WW-Hub-Nonce": nonce,
             "X-WW-Hub-User": USER, "X-WW-Hub-Role": "province", "X-WW-Hub-Station": sid,
             "Content-Type": "application/json"}
        if v == 2:
            h["X-WW-Hub-Body-SHA256"] = sha
        return h

    target = f"/api/v1/cameras/{cam}/exports"
    good = json.dumps({"from": now - 6, "to": now - 4}).encode()
    h = signed("POST", target, good)
    s, b = raw(st_port, "POST", target, h, good)
    check(s == 201, "a v2 POST the test signed as docs/province.md says → 201", 201, (s, b[:200]))
    before = exports_now()
    s, b = raw(st_port, "POST", target, h, good)
    check(s == 401 and "replay" in err_of(b)[1], "the same signed POST again (replayed nonce) → 401", "401 replay",
          (s, err_of(b)))
    other_body = json.dumps({"from": now - 9, "to": now - 3}).encode()
    h = signed("POST", target, good)
    s, b = raw(st_port, "POST", target, h, other_body)
    check(s == 401 and "body" in err_of(b)[1], "a tampered body (same signature and hash, other body) → 401",
          "401 body", (s, err_of(b)))
    h2 = dict(h, **{"X-WW-Hub-Body-SHA256": hashlib.sha256(other_body).hexdigest()})
    s, b = raw(st_port, "POST", target, h2, other_body)
    check(s == 401 and "signature" in err_of(b)[1], "a tampered body with its hash changed to match → 401",
          "401 signature", (s, err_of(b)))
    s, b = raw(st_port, "POST", target, h, good)
    check(s == 201, "the real request after the tampered copies still gets in (they used no nonce)", 201,
          (s, b[:200]))
    before = exports_now()
    s, b = raw(st_port, "POST", target, signed("POST", target, good, key=Ed25519PrivateKey.generate()), good)
    check(s == 401 and "signature" in err_of(b)[1], "a forged signature (another key) → 401", "401 signature",
          (s, err_of(b)))
    s, b = raw(st_port, "POST", target, {"Content-Type": "application/json"}, good)
    check(s == 401, "an unsigned POST, no cookie → 401", 401, (s, err_of(b)))
    for path, body in (("/api/v1/users", b'{"username":"x","role":"admin","password":"pw-pw-pw-pw-2026"}'),
                       (f"/api/v1/cameras/{cam}/holds", b'{"from":1,"to":2,"reason":"x"}')):
        s, b = raw(st_port, "POST", path, signed("POST", path, body), body)
        check(s == 401 and "POST only" in err_of(b)[1], f"a well-signed POST to {path} → 401", "401 POST only",
              (s, err_of(b)))
    s, b = raw(st_port, "POST", target, signed("POST", target, good, v=1), good)
    check(s == 401 and "only read" in err_of(b)[1], "a v1-signed POST (no body hash) → 401", "401 only read",
          (s, err_of(b)))
    big = b'{"from":1,"to":2,"stream":"' + b"m" * 70000 + b'"}'
    s, b = raw(st_port, "POST", target, signed("POST", target, big), big)
    check(s == 401 and "64 KiB" in err_of(b)[1], "a signed body over 64 KiB → 401", "401 64 KiB", (s, err_of(b)))
    check(exports_now() == before, "the station's export list is unchanged after every refusal", before,
          exports_now())
    tl = f"/api/v1/cameras/{cam}/timeline"
    s, b = raw(st_port, "GET", tl, signed("GET", tl, v=1))
    check(s == 200, "a v1 GET (a hub not yet upgraded) still reads", 200, (s, err_of(b)))
    s, b = raw(st_port, "GET", tl, signed("GET", tl, hash_of=b"x"))
    check(s == 401, "a v2 GET whose hash is not the empty body's → 401", 401, (s, err_of(b)))
    s, b = raw(st_port, "GET", tl, signed("GET", tl, b"{}"), b"{}")
    check(s == 401 and "no body" in err_of(b)[1], "a v2 GET with a body (its hash signed) → 401", "401 no body",
          (s, err_of(b)))
    s, b = raw(st_port, "GET", tl, signed("GET", tl))
    check(s == 200, "a v2 GET as the hub sends it reads", 200, (s, err_of(b)))

    # ---- a place bundle through the hub ----
    t0 = time.time()
    r = hub_admin.post(f"{fwd}/search/place/bundle", {"lat": LAT, "lon": LON, "radius_m": 50, "from": now - 9,
                                                      "to": now - 3, "note": "Vụ việc 12/2026"}, timeout=200)
    log(f"bundle through the hub: {time.time() - t0:.2f} s")
    check(r.status == 201 and len(r.json["bundle"]["files"]) >= 1, "hub route: a place bundle → 201 with the camera",
          "201", (r.status, r.body[:300]))
    bid = r.json["bundle"]["id"]
    r = hub_admin.get(f"{fwd}/bundles/{bid}/bundle.tar")
    tar_path = os.path.join(tmp, "bundle.tar")
    with open(tar_path, "wb") as f:
        f.write(r.body)
    check(r.status == 200 and tarfile.is_tarfile(tar_path), "the bundle's tar downloads through the hub", 200,
          (r.status, len(r.body)))
    rc, vout = verify(tar_path, st_pub)
    check(rc == 0, "wardwatch verify on the bundle fetched through the hub: exit 0", 0, (rc, vout[-600:]))
    rows = audit_rows()
    bundle_rows = [a for a in rows if a["username"] == "province:admin@hub" and a["action"] in ("export",)
                   and a["camera_id"] == cam]
    check(len(bundle_rows) >= 2, "station audit: the bundle's export row names province:admin@hub",
          ">= 2 export rows (export + bundle)", len(bundle_rows))

    # ---- consent withdrawn at the station → the station's 403 reaches the hub ----
    r = admin.post(f"/api/v1/cameras/{cam}/consents", {"live": True, "record": True, "export": True,
                                                       "note": "Hộ ông Hải đồng ý"})
    check(r.status == 201, "owner's consent recorded at the station", 201, r)
    cid = r.json["id"]
    r = admin.post(f"/api/v1/cameras/{cam}/consents/{cid}/withdraw", {"note": "rút lại"})
    check(r.status == 200, "consent withdrawn at the station", 200, r)
    before = exports_now()
    r = hub_admin.post(f"{fwd}/cameras/{cam}/exports", {"from": now - 9, "to": now - 3})
    check(r.status == 403 and r.error_code() == "no_consent", "hub route: the station's 403 no_consent passed on",
          "403 no_consent", (r.status, r.body[:200]))
    r = hub("fetch", sid, target, "--as", USER, "--post", "-", stdin=good)
    check(r.returncode == 1 and b"HTTP 403" in r.stderr and b"no_consent" in r.stderr,
          "hub fetch --post after the withdrawal: exit 1, the station's 403 no_consent", "exit 1, 403",
          (r.returncode, r.stderr.decode()[-300:]))
    check(exports_now() == before, "no export made without consent", before, exports_now())
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
