"""Registration workflow: `wardwatch camera import cameras.csv`, the
connection probe and the activation gate.

  - bad CSV input (wrong/missing/unknown columns, bad URL, coordinates out of
    range, unknown ward, bad owner kind, wrong field count, unterminated
    quote, not UTF-8, one bad row at the very end) is reported line by line,
    exits non-zero, and imports nothing — not a camera, not an owner;
  - a good file imports everything in one go, switched off, credentials moved
    out of the URLs (never printed), owners reused by name + phone digits;
  - POST /api/v1/cameras/{id}/probe against a simulated camera with digest
    auth: the right password gives a JPEG still; a wrong one 502
    camera_unauthorized; a closed port camera_refused; a listener that never
    answers camera_timeout — each recorded;
  - a camera can be switched on only after a successful probe (the console's
    …/activate answers 409 with the reason; the catalog refuses a PATCH too),
    and once on, it records."""
import json
import os
import socket
import threading
import time

from wwapi import Client
from wwtest import Camsim, Station, check, finish, free_port, log

HEADER = "name,main_url,latitude,longitude,sub_url,address,ward,owner_name,owner_phone,owner_kind,direction_deg\n"


def counts(st):
    r = json.loads(st.ww("camera", "list", "--json").stdout or "[]")
    cams = r if isinstance(r, list) else r.get("cameras", [])
    return len(cams)


def write(st, name, text, raw=None):
    path = os.path.join(st.tmp, name)
    with open(path, "wb") as f:
        f.write(raw if raw is not None else text.encode("utf-8"))
    return path


# a "camera" that accepts the connection and never says a word
silent = socket.socket()
silent.bind(("127.0.0.1", 0))
silent.listen(8)
held = []
threading.Thread(target=lambda: [held.append(silent.accept()) for _ in range(8)], daemon=True).start()
closed_port = free_port()

cams = Camsim(cameras=2, extra=["--auth", "digest", "--user", "cam", "--password", "s3cret-cam"]).start()
st = Station("community-import").init()
port = free_port()
try:
    st.serve(http_port=port)
    admin = Client(port)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            if admin.login("admin", st.admin_password).status == 200:
                break
        except OSError:
            pass
        time.sleep(0.3)
    wa = admin.post("/api/v1/wards", {"name": "Trường Thi", "district": "Vinh", "province": "Nghệ An"}).json["id"]
    wb = admin.post("/api/v1/wards", {"name": "Hà Huy Tập"}).json["id"]
    existing = admin.post("/api/v1/owners", {"kind": "shop", "name": "Tạp hóa Minh Châu", "phone": "0912.345.678",
                                             "ward_id": wa}).json["id"]
    owners_before = len(admin.get("/api/v1/owners").json["owners"])

    # ---- bad input: line numbers, nothing imported --------------------------------------
    good_row = "Ngõ 3,rtsp://127.0.0.1:554/a,18.67,105.68,,,Trường Thi,,,,\n"
    cases = [
        ("bad URL", HEADER + good_row + "Ngõ 4,http://127.0.0.1/a,18.67,105.68,,,,,,,\n",
         ["line 3: main_url must start with rtsp://"]),
        ("coordinates out of range", HEADER + "Ngõ 4,rtsp://127.0.0.1/a,91,105.68,,,,,,,\n"
         "Ngõ 5,rtsp://127.0.0.1/a,18.6,181,,,,,,,\n", ["line 2: latitude '91'", "line 3: longitude '181'"]),
        ("unknown ward", HEADER + good_row + good_row + "Ngõ 6,rtsp://127.0.0.1/a,18.6,105.6,,,Phường Ma,,,,\n",
         ["line 4: unknown ward 'Phường Ma'"]),
        ("bad owner kind", HEADER + "Ngõ 4,rtsp://127.0.0.1/a,18.6,105.6,,,,Ông Tư,0900,boat,\n",
         ["line 2: owner_kind 'boat'"]),
        ("wrong field count", HEADER + good_row + "Ngõ 4,rtsp://127.0.0.1/a,18.6\n", ["line 3: 3 fields"]),
        ("missing column", "name,main_url,latitude\nA,rtsp://127.0.0.1/a,18\n",
         ["line 1: the required column 'longitude' is missing"]),
        ("unknown column", "name,main_url,latitude,longitude,colour\nA,rtsp://127.0.0.1/a,18,105,red\n",
         ["line 1: unknown column 'colour'"]),
        ("unterminated quote", HEADER + good_row + '"Ngõ 4,rtsp://127.0.0.1/a,18.6,105.6,,,,,,,\n',
         ["line 3: a quoted field is not closed"]),
        ("bad direction", HEADER + "Ngõ 4,rtsp://127.0.0.1/a,18.6,105.6,,,,,,,400\n", ["line 2: direction_deg '400'"]),
        ("phone without owner", HEADER + "Ngõ 4,rtsp://127.0.0.1/a,18.6,105.6,,,,,0912,,\n",
         ["line 2: owner_phone/owner_kind without owner_name"]),
        ("last row bad", HEADER + good_row * 5 + "Ngõ 9,rtsp://,18.6,105.6,,,,,,,\n", ["line 7: main_url"]),
    ]
    for what, text, want in cases:
        r = st.ww("camera", "import", write(st, "bad.csv", text), check=False)
        ok = r.returncode == 1 and all(w in r.stderr for w in want) and "nothing was imported" in r.stderr
        check(ok, f"bad CSV ({what}): line-numbered error, exit 1", f"exit 1 with {want}", (r.returncode, r.stderr.strip()))
    latin1 = (HEADER + "Ngõ 4,rtsp://127.0.0.1/a,18.6,105.6,,,,,,,\n").encode("utf-8").replace("õ".encode(), b"\xf5")
    r = st.ww("camera", "import", write(st, "latin1.csv", None, raw=latin1), check=False)
    check(r.returncode == 1 and "line 2" in r.stderr and "UTF-8" in r.stderr, "a file that is not UTF-8 is refused at its line",
          "line 2 … UTF-8", r.stderr.strip())
    check(counts(st) == 0, "after all the bad files: no camera imported", 0, counts(st))
    check(len(admin.get("/api/v1/owners").json["owners"]) == owners_before, "…and no owner created", owners_before,
          len(admin.get("/api/v1/owners").json["owners"]))
    r = st.ww("camera", "import", "/nonexistent.csv", check=False)
    check(r.returncode != 0, "a missing file is an error", "non-zero", r.returncode)

    # ---- a good file -------------------------------------------------------------------------------
    good = HEADER + (
        f'"Cổng chợ, số 1",rtsp://cam:s3cret-cam@127.0.0.1:{cams.port}/cam1/main,18.6701,105.6801,'
        f'rtsp://127.0.0.1:{cams.port}/cam1/sub,"1 Chợ Vinh",Trường Thi,Tạp hóa Minh Châu,0912 345 678,shop,45\n'
        f"Ngõ sai mật khẩu,rtsp://cam:wrong@127.0.0.1:{cams.port}/cam2/main,18.6702,105.6802,,,Trường Thi,Hộ ông Tư,0987 654 321,,\n"
        f"Cổng đóng,rtsp://127.0.0.1:{closed_port}/x,18.6703,105.6803,,,Hà Huy Tập,Hộ ông Tư,0987654321,household,\n"
        f"Im lặng,rtsp://127.0.0.1:{silent.getsockname()[1]}/x,18.6704,105.6804,,,,,,,\n")
    r = st.ww("camera", "import", write(st, "good.csv", good), check=False)
    check(r.returncode == 0 and "imported 4 cameras" in r.stdout and "owners: 1 new, 2 reused" in r.stdout,
          "a good file imports 4 cameras; owners reused by name + phone digits", "imported 4; 1 new, 2 reused",
          (r.returncode, r.stdout, r.stderr))
    check("s3cret-cam" not in r.stdout + r.stderr and "wrong" not in r.stdout + r.stderr,
          "the import never prints a password", "absent", "present")
    lst = st.ww("camera", "list", "--json").stdout
    check("s3cret-cam" not in lst, "camera list shows no password", "absent", "present")
    cams_api = {c["name"]: c for c in admin.get("/api/v1/cameras").json["cameras"]}
    good_id, wrong_id = cams_api["Cổng chợ, số 1"]["id"], cams_api["Ngõ sai mật khẩu"]["id"]
    closed_id, silent_id = cams_api["Cổng đóng"]["id"], cams_api["Im lặng"]["id"]
    c = cams_api["Cổng chợ, số 1"]
    check(c["owner_id"] == existing and c["has_credentials"] and not c["enabled"] and c["direction_deg"] == 45
          and c["has_sub_stream"] and "@" not in c["main_url"],
          "imported camera: existing owner, credentials moved out, switched off, direction, sub stream",
          "owner reused, off", c)
    check(cams_api["Cổng đóng"]["ward_id"] == wb and cams_api["Im lặng"]["ward_id"] is None, "wards set per row",
          (wb, None), (cams_api["Cổng đóng"]["ward_id"], cams_api["Im lặng"]["ward_id"]))
    r = admin.get(f"/api/v1/cameras/{good_id}/probe")
    check(r.status == 200 and r.json["registration"]["source"] == "import" and r.json["registration"]["probe_required"]
          and r.json["probe"] is None, "registered as 'import', probe required, not probed yet", "import", r.json)
    r = admin.get(f"/api/v1/audit?camera={good_id}&action=camera_change")
    check(r.status == 200 and any((a["detail"] or {}).get("change") == "import" for a in r.json["rows"]),
          "the import is an audit row per camera", "change: import", r.json)

    # ---- the gate before any probe ---------------------------------------------------------------------
    r = admin.post(f"/api/v1/cameras/{good_id}/activate")
    check(r.status == 409 and "probe" in r.error_message(), "activation before a probe: 409 saying why", 409, r)
    r = admin.patch(f"/api/v1/cameras/{good_id}", {"enabled": True})
    check(r.status in (400, 409) and not admin.get(f"/api/v1/cameras/{good_id}").json["enabled"],
          "switching it on through PATCH is refused by the catalog as well", "400/409, still off", r)

    # ---- probes ----------------------------------------------------------------------------------------------
    # An imported camera has an owner, so it may be seen only under the
    # owner's agreement (deny by default): the picture of a probe is refused
    # until one is on file; the probe's verdict itself is not a picture.
    r = admin.post(f"/api/v1/cameras/{good_id}/probe", {"timeout_s": 5}, headers={"Accept": "image/jpeg"})
    check(r.status == 403 and r.error_code() == "no_consent",
          "no agreement on file yet: the probe's picture is refused (deny by default)", "403 no_consent", r)
    r = admin.post(f"/api/v1/cameras/{good_id}/consents", {"live": True, "record": True, "export": True})
    check(r.status == 201, "the owner's agreement is recorded", 201, r)
    t0 = time.time()
    r = admin.post(f"/api/v1/cameras/{good_id}/probe", {"timeout_s": 5})
    check(r.status == 200 and r.json["probe"]["ok"] and r.json["probe"]["width"] == 1920 and r.json["probe"]["codec"] == "h264",
          "probe with the right password: ok, 1920 wide, h264", "200 ok", r)
    log(f"successful probe took {time.time() - t0:.2f} s")
    if r.status == 200:
        s = admin.get(r.json["still_url"])
        check(s.status == 200 and s.header("Content-Type") == "image/jpeg" and s.body[:3] == b"\xff\xd8\xff"
              and len(s.body) > 2000, "the probe's still is a JPEG", "image/jpeg", (s.status, s.header("Content-Type"), len(s.body)))
    r = admin.post(f"/api/v1/cameras/{good_id}/probe", {"timeout_s": 5}, headers={"Accept": "image/jpeg"})
    check(r.status == 200 and r.header("Content-Type") == "image/jpeg" and r.body[:3] == b"\xff\xd8\xff"
          and r.header("X-Probe-Size") == "1920x1080", "a probe asked for image/jpeg answers with the JPEG itself",
          "200 image/jpeg 1920x1080", (r.status, r.header("Content-Type"), r.header("X-Probe-Size")))
    r = admin.post(f"/api/v1/cameras/{wrong_id}/probe", {"timeout_s": 5})
    check(r.status == 502 and r.error_code() == "camera_unauthorized" and "401" in r.error_message(),
          "wrong password: 502 camera_unauthorized (RTSP 401)", "502 camera_unauthorized", r)
    r = admin.post(f"/api/v1/cameras/{closed_id}/probe", {"timeout_s": 5})
    check(r.status == 502 and r.error_code() == "camera_refused", "closed port: 502 camera_refused", "camera_refused", r)
    t0 = time.time()
    r = admin.post(f"/api/v1/cameras/{silent_id}/probe", {"timeout_s": 2})
    took = time.time() - t0
    check(r.status == 502 and r.error_code() == "camera_timeout" and took < 10,
          "a camera that never answers: 502 camera_timeout, bounded", "camera_timeout in < 10 s", (r.status, r.text[:200], round(took, 1)))
    r = admin.get(f"/api/v1/cameras/{wrong_id}/probe")
    check(r.status == 200 and r.json["probe"]["ok"] is False and r.json["probe"]["error_code"] == "camera_unauthorized",
          "the failed probe is recorded with its reason", "camera_unauthorized", r.json)

    # ---- activation ----------------------------------------------------------------------------------------------
    r = admin.post(f"/api/v1/cameras/{wrong_id}/activate")
    check(r.status == 409 and "last probe failed" in r.error_message(), "activation after a failed probe: 409",
          409, r)
    r = admin.post(f"/api/v1/cameras/{good_id}/activate")
    check(r.status == 200 and r.json["enabled"] is True, "activation after a successful probe", 200, r)
    ok = st.wait_for(lambda: st.stream_stats(good_id).get("record", {}).get("frames", 0) > 0, 30)
    check(ok, "the activated camera records", "frames > 0", st.stream_stats(good_id))

    # ---- who may probe -------------------------------------------------------------------------------------------
    admin.post("/api/v1/users", {"username": "officer_b", "password": "officer-b-pass-1", "role": "officer", "ward_id": wb})
    admin.post("/api/v1/users", {"username": "viewer_a", "password": "viewer-a-pass-1", "role": "viewer", "ward_id": wa})
    ob, va = Client(port), Client(port)
    ob.login("officer_b", "officer-b-pass-1")
    va.login("viewer_a", "viewer-a-pass-1")
    check(ob.post(f"/api/v1/cameras/{good_id}/probe", {}).status == 404, "officer of another ward: probe 404", 404, "")
    check(va.post(f"/api/v1/cameras/{good_id}/probe", {}).status == 403, "viewer: probe 403", 403, "")
    check(va.get(f"/api/v1/cameras/{good_id}/probe/still").status == 200, "viewer of the ward sees the still (live right)", 200, "")
    r = admin.post(f"/api/v1/cameras/{good_id}/consents", {"live": False, "record": True})
    r = va.get(f"/api/v1/cameras/{good_id}/probe/still")
    check(r.status == 403 and r.error_code() == "no_consent", "no live consent: the still is refused too", 403, r)
    r = admin.get(f"/api/v1/audit?camera={good_id}&action=probe_still")
    check(r.status == 200 and len(r.json["rows"]) == 3, "each look at the still is audited (2 stills + 1 JPEG probe; the refused one is not a look)", 3,
          len(r.json.get("rows", [])))
    rc = st.stop()
    check(rc == 0, "serve exits 0", 0, rc)
finally:
    st.stop()
    cams.stop()
    st.remove()
    silent.close()
finish()
