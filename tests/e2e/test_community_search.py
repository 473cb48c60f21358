"""'What was seen here at that time': 200 generated cameras around a ward
(imported from a generated CSV), with recorded coverage generated from one
real recorded segment (tools/gencams: the file is linked in, a CLOSED
segment row written — no 200 streams recorded).  Checks that
GET /api/v1/search/place returns exactly the cameras within the radius that
recorded in the window, nearest first, with their coverage and motion
events; that officers of another ward and owners see nothing of it (no leak
through search, events, thumbnails, exports or bundles); and that the
evidence bundle (one MP4 per camera + bundle.json + SHA256SUMS, as a tar)
verifies hash by hash, skips a camera whose owner refused exports, and is
audited per camera."""
import hashlib
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time

from wwapi import Server, check, finish, log

SRC = os.environ.get("WW_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "../..")))
sys.path.insert(0, os.path.join(SRC, "tools", "gencams"))
import gencams  # noqa: E402

CENTER = (18.6700, 105.6800)
RADIUS = 300.0
N = 200
N_WARD_B = 30


def main():
    tpl_dir = tempfile.mkdtemp(prefix="ww-tpl-")
    t_rec = time.time()
    tpl = gencams.record_template(tpl_dir)
    log(f"template segment recorded in {time.time() - t_rec:.1f} s: {tpl['duration_us'] / 1e6:.2f} s, "
        f"{tpl['bytes']} bytes")

    srv = Server().start()
    admin = srv.admin()
    wa = srv.create_ward(admin, "Trường Thi")
    wb = srv.create_ward(admin, "Hà Huy Tập")

    # ---- 200 cameras, imported from a generated CSV ------------------------------
    pts = gencams.scatter(N, CENTER[0], CENTER[1], 800, seed=7)
    rows = []
    for i, (lat, lon) in enumerate(pts):
        rows.append({"name": f"Camera {i + 1:03d}", "main_url": f"rtsp://127.0.0.1:9/gen{i + 1}",
                     "latitude": f"{lat:.7f}", "longitude": f"{lon:.7f}",
                     "ward": "Hà Huy Tập" if i < N_WARD_B else "Trường Thi",
                     "owner_name": f"Chủ camera {i % 40}", "owner_phone": f"0912 000 {i % 40:03d}",
                     "direction_deg": str((i * 37) % 360)})
    csv_path = os.path.join(srv.data, "cams.csv")
    gencams.write_csv(csv_path, rows)
    t0 = time.time()
    r = srv.cli("camera", "import", csv_path)
    check(r.returncode == 0 and "imported 200 cameras" in r.stdout, "200 cameras imported from the CSV",
          "exit 0, 'imported 200 cameras'", (r.returncode, r.stdout, r.stderr[-300:]))
    log(f"import of 200 cameras: {time.time() - t0:.2f} s")
    cams = {c["name"]: c for c in admin.get("/api/v1/cameras").json["cameras"]}
    ids = [cams[f"Camera {i + 1:03d}"]["id"] for i in range(N)]
    ward_of = {ids[i]: (wb if i < N_WARD_B else wa) for i in range(N)}

    # ---- coverage around a window two hours ago ---------------------------------------
    W0 = int(time.time()) - 7200
    W1 = W0 + 120
    rnd = random.Random(11)
    spans = {}
    dur = tpl["duration_us"] / 1e6
    import sqlite3
    db = sqlite3.connect(os.path.join(srv.data, "wardwatch.db"), timeout=30)
    kinds = {}
    for cid in ids:
        k = rnd.choices(["in", "edge", "before", "after", "none"], [40, 10, 15, 15, 20])[0]
        kinds[cid] = k
        if k == "in":
            spans[cid] = gencams.add_segments(srv.data, tpl, cid, W0 + rnd.uniform(0, 100), 2, db=db)
        elif k == "edge":   # one segment that ends 1 s into the window
            spans[cid] = gencams.add_segments(srv.data, tpl, cid, W0 + 1 - dur, 1, db=db)
        elif k == "before":
            spans[cid] = gencams.add_segments(srv.data, tpl, cid, W0 - 30, 2, db=db)
        elif k == "after":
            spans[cid] = gencams.add_segments(srv.data, tpl, cid, W1 + 5, 2, db=db)
    db.commit()

    def overlap(cid):
        return sum(max(0, min(e, W1 * 1e6) - max(s, W0 * 1e6)) for s, e in spans.get(cid, [])) / 1e6

    dist = {ids[i]: gencams.haversine_m(CENTER[0], CENTER[1], pts[i][0], pts[i][1]) for i in range(N)}
    near_edge = [cid for cid in ids if abs(dist[cid] - RADIUS) < 0.5]
    check(not near_edge, "no generated camera lies within 0.5 m of the radius (so rounding cannot decide)",
          [], near_edge)

    def expected(scope):
        e = [cid for cid in ids if dist[cid] <= RADIUS and overlap(cid) > 0 and ward_of[cid] in scope]
        return sorted(e, key=lambda c: (dist[c], c))

    exp_all = expected({wa, wb})
    exp_a = expected({wa})
    exp_b = expected({wb})
    log(f"{sum(1 for c in ids if dist[c] <= RADIUS)} cameras within {RADIUS:.0f} m; "
        f"{len(exp_all)} recorded in the window ({len(exp_a)} ward A, {len(exp_b)} ward B)")
    check(len(exp_a) >= 4 and len(exp_b) >= 1, "the fixture has hits in both wards", ">= 4 and >= 1",
          (len(exp_a), len(exp_b)))

    # a motion event in the window (with a thumbnail) and one outside it, on a ward-A hit
    ev_cam = exp_a[0]
    jpeg = open(os.path.join(SRC, "web", "favicon.svg"), "rb").read()   # any bytes: only served back
    ev_in = gencams.add_event(srv.data, ev_cam, W0 + 10, W0 + 14, 0.7, jpeg=jpeg)
    gencams.add_event(srv.data, ev_cam, W1 + 600, W1 + 604, 0.4)

    # Imported cameras have owners: nothing may be exported without their
    # agreement (deny by default), so every hit's owner agrees here.
    agreed = [admin.post(f"/api/v1/cameras/{cid}/consents", {"live": True, "record": True, "export": True}).status
              for cid in exp_all]
    check(agreed == [201] * len(exp_all), "fixture: every hit's owner agreed", [201] * len(exp_all), agreed)

    # ---- users -----------------------------------------------------------------------
    _, pa = srv.create_user(admin, "officer_a", "officer", ward_id=wa)
    _, pb = srv.create_user(admin, "officer_b", "officer", ward_id=wb)
    _, pv = srv.create_user(admin, "viewer_a", "viewer", ward_id=wa)
    owner_x = admin.get(f"/api/v1/cameras/{ev_cam}").json["owner_id"]
    _, px = srv.create_user(admin, "owner_x", "owner", owner_id=owner_x)
    off_a = srv.signed_in("officer_a", pa)
    off_b = srv.signed_in("officer_b", pb)
    view_a = srv.signed_in("viewer_a", pv)
    own_x = srv.signed_in("owner_x", px)

    q = f"/api/v1/search/place?lat={CENTER[0]}&lon={CENTER[1]}&radius_m={RADIUS:.0f}&from={W0}&to={W1}"

    # ---- the search ------------------------------------------------------------------------
    t0 = time.time()
    r = admin.get(q)
    took = time.time() - t0
    got = [c["id"] for c in r.json["cameras"]] if r.status == 200 else r
    check(got == exp_all, "admin: exactly the cameras within the radius that recorded in the window, nearest first",
          exp_all, got)
    log(f"search over 200 cameras answered in {took * 1000:.0f} ms")
    if r.status == 200:
        ds = [c["distance_m"] for c in r.json["cameras"]]
        check(ds == sorted(ds) and all(d <= RADIUS for d in ds), "distances ascend and stay within the radius",
              "sorted, <= 300", ds)
        bad = [(c["id"], c["covered_s"], overlap(c["id"])) for c in r.json["cameras"]
               if abs(c["covered_s"] - overlap(c["id"])) > 0.01]
        check(not bad, "each camera's coverage is its recorded seconds in the window", [], bad)
        bad = [(c["id"], c["distance_m"], dist[c["id"]]) for c in r.json["cameras"]
               if abs(c["distance_m"] - dist[c["id"]]) > 0.2]
        check(not bad, "distances agree with haversine", [], bad)
        evc = next(c for c in r.json["cameras"] if c["id"] == ev_cam)
        check(evc["events_count"] == 1 and evc["events"][0]["id"] == ev_in and evc["events"][0]["thumbnail_url"],
              "the motion event in the window is listed (not the one after it)", f"1 event, id {ev_in}",
              (evc["events_count"], evc["events"]))

    r = off_a.get(q)
    got = [c["id"] for c in r.json["cameras"]] if r.status == 200 else r
    check(got == exp_a, "officer of ward A: only ward A's cameras", exp_a, got)
    r = off_b.get(q)
    got = [c["id"] for c in r.json["cameras"]] if r.status == 200 else r
    check(got == exp_b, "officer of ward B: only ward B's cameras (no leak of ward A)", exp_b, got)
    r = view_a.get(q)
    got = [c["id"] for c in r.json["cameras"]] if r.status == 200 else r
    check(got == exp_a, "viewer of ward A (may play back): ward A's cameras", exp_a, got)
    r = own_x.get(q)
    check(r.status == 403, "an owner may not search places", 403, r.status)
    r = srv.client().get(q)
    check(r.status == 401, "no session: 401", 401, r.status)
    for bad_q, what in [(q.replace(f"lat={CENTER[0]}&", ""), "missing lat"),
                        (q.replace(f"radius_m={RADIUS:.0f}", "radius_m=0"), "radius 0"),
                        (q.replace(f"radius_m={RADIUS:.0f}", "radius_m=50000"), "radius 50 km"),
                        (q.replace(f"to={W1}", f"to={W0 + 8 * 86400}"), "window over 7 days"),
                        (q.replace(f"to={W1}", f"to={W0 - 1}"), "to before from")]:
        r = admin.get(bad_q)
        check(r.status == 400, f"bad search ({what}) is 400", 400, r.status)
    # events and thumbnails of ward A are not officer B's
    r = off_b.get(f"/api/v1/events/{ev_in}/thumbnail")
    check(r.status == 404, "officer B: ward A's event thumbnail is not found", 404, r.status)
    r = off_b.get(f"/api/v1/events?camera={ev_cam}")
    check(r.status == 404, "officer B: ward A's camera events are not found", 404, r.status)
    r = off_a.get(f"/api/v1/events/{ev_in}/thumbnail")
    check(r.status == 200, "officer A: the event thumbnail opens", 200, r.status)

    # ---- consent: one hit refuses exports ----------------------------------------------------
    refuse = exp_a[1]
    r = admin.post(f"/api/v1/cameras/{refuse}/consents", {"live": True, "record": True, "export": False,
                                                           "note": "không đồng ý trích xuất"})
    check(r.status == 201, "consent without export recorded", 201, r)

    # ---- the bundle ----------------------------------------------------------------------------
    body = {"lat": CENTER[0], "lon": CENTER[1], "radius_m": RADIUS, "from": W0, "to": W1,
            "note": "vụ việc 12/2026"}
    t0 = time.time()
    r = admin.post("/api/v1/search/place/bundle", body, timeout=300)
    log(f"bundle of {len(exp_all) - 1} cameras made in {time.time() - t0:.1f} s")
    check(r.status == 201, "bundle created", 201, r)
    if r.status != 201:
        return
    b = r.json["bundle"]
    files = [f["camera_id"] for f in b["files"]]
    want = [c for c in exp_all if c != refuse]
    check(files == want, "the bundle holds one MP4 per camera found, nearest first, minus the refusing one",
          want, files)
    check([s["camera_id"] for s in b["skipped"]] == [refuse] and b["skipped"][0]["reason"] == "no_consent",
          "the camera without export consent is listed as skipped (no_consent)", refuse, b["skipped"])

    r = admin.get(b["tar_url"], timeout=300)
    check(r.status == 200 and r.header("Content-Type") == "application/x-tar"
          and int(r.header("Content-Length") or -1) == len(r.body), "the bundle downloads as one tar of known size",
          "200 application/x-tar", (r.status, r.header("Content-Type"), r.header("Content-Length"), len(r.body)))
    members = {}
    with tarfile.open(fileobj=io.BytesIO(r.body)) as tf:
        for m in tf.getmembers():
            members[m.name.split("/", 1)[1]] = tf.extractfile(m).read()
    sums = {}
    for line in members.get("SHA256SUMS", b"").decode().splitlines():
        h, name = line.split("  ", 1)
        sums[name] = h
    bad = [n for n, h in sums.items() if hashlib.sha256(members.get(n, b"")).hexdigest() != h]
    check(sums and not bad and set(sums) | {"SHA256SUMS"} == set(members),
          "every file in the tar matches SHA256SUMS, and SHA256SUMS lists them all", "no mismatch",
          (bad, sorted(set(members) - set(sums))))
    man = json.loads(members.get("bundle.json", b"{}"))
    bad = [f["name"] for f in man.get("files", [])
           if hashlib.sha256(members.get(f["name"], b"")).hexdigest() != f["sha256"]
           or hashlib.sha256(members.get(f["manifest"], b"")).hexdigest() != f["manifest_sha256"]]
    check(man.get("kind") == "wardwatch evidence bundle" and not bad and len(man.get("files", [])) == len(want),
          "bundle.json names every clip and manifest with its SHA-256, all verified", "all match", bad)
    check(hashlib.sha256(members.get("bundle.json", b"")).hexdigest() == b["manifest_sha256"]
          == r.header("X-Bundle-Manifest-SHA256"), "bundle.json's hash is the one the API registered",
          b["manifest_sha256"], hashlib.sha256(members.get("bundle.json", b"")).hexdigest())
    per = json.loads(members.get(f"cam{want[0]}.mp4.manifest.json", b"{}"))
    check(per.get("file", {}).get("sha256") == hashlib.sha256(members.get(f"cam{want[0]}.mp4", b"")).hexdigest()
          and per.get("exported_by", {}).get("username") == "admin",
          "each clip's own manifest names its hash and who exported it", "match", per.get("file"))
    clip = members.get(f"cam{want[0]}.mp4", b"")
    with tempfile.NamedTemporaryFile(suffix=".mp4", delete=False) as f:
        f.write(clip)
    pr = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-show_entries", "stream=nb_read_frames",
                         "-of", "json", f.name], capture_output=True, text=True, timeout=60)
    os.unlink(f.name)
    frames = int(json.loads(pr.stdout or "{}").get("streams", [{}])[0].get("nb_read_frames", 0) or 0)
    check(frames >= 10, "a clip from the bundle decodes", ">= 10 frames", frames)

    # audited per camera
    r = admin.get("/api/v1/audit?action=export&limit=1000")
    exported = sorted({a["camera_id"] for a in r.json["rows"] if (a["detail"] or {}).get("via") == "place_search"})
    check(exported == sorted(want), "each camera put in the bundle has its own export audit row", sorted(want), exported)
    r = admin.get("/api/v1/audit?action=bundle_download&limit=1000")
    dl = sorted({a["camera_id"] for a in r.json["rows"]})
    check(dl == sorted(want), "the download is audited per camera", sorted(want), dl)
    r = admin.get(f"/api/v1/audit?action=place_search&limit=10")
    check(r.status == 200 and len(r.json["rows"]) >= 1 and "lat" in (r.json["rows"][0]["detail"] or {}),
          "each search is an audit row with the place", ">= 1 row", r.json["rows"][:1] if r.status == 200 else r)

    # ---- bundles and exports do not leak across wards -----------------------------------------------------
    r = off_b.get(f"/api/v1/bundles/{b['id']}")
    check(r.status == 404, "officer B: a bundle with ward A's cameras is not found", 404, r.status)
    r = off_b.get(b["tar_url"])
    check(r.status == 404, "officer B: its tar is not found", 404, r.status)
    r = off_a.get(f"/api/v1/bundles/{b['id']}")
    check(r.status == (404 if exp_b else 200), "officer A: the admin's bundle (with ward B cameras) is not found",
          404 if exp_b else 200, r.status)
    r = view_a.post("/api/v1/search/place/bundle", body)
    check(r.status == 403, "a viewer may not make bundles", 403, r.status)
    r = off_a.post("/api/v1/search/place/bundle", body, timeout=300)
    ba = r.json["bundle"] if r.status == 201 else {}
    got = [f["camera_id"] for f in ba.get("files", [])]
    check(got == [c for c in exp_a if c != refuse], "officer A's bundle holds ward A's cameras only",
          [c for c in exp_a if c != refuse], got)
    if ba:
        r = off_a.get(f"/api/v1/bundles/{ba['id']}")
        check(r.status == 200 and r.json["manifest"]["exported_by"]["username"] == "officer_a",
              "officer A opens their own bundle", 200, r.status)
        r = off_b.get(f"/api/v1/bundles/{ba['id']}/files/bundle.json")
        check(r.status == 404, "officer B cannot open officer A's bundle files", 404, r.status)
        r = off_a.get(f"/api/v1/bundles/{ba['id']}/files/..%2F..%2Fwardwatch.db")
        check(r.status in (400, 404), "a bundle file name cannot walk out of the bundle", "400 or 404", r.status)
    r = off_b.get("/api/v1/bundles")
    check(r.status == 200 and r.json["bundles"] == [], "officer B's bundle list is empty", [],
          r.json if r.status == 200 else r)
    r = off_b.get("/api/v1/exports")
    leaked = [e["camera_id"] for e in r.json["exports"] if ward_of.get(e["camera_id"]) != wb] if r.status == 200 else r
    check(leaked == [], "officer B's export list holds no other ward's exports", [], leaked)
    r = own_x.get("/api/v1/audit?limit=1000")
    mine = {c for c in ids if admin.get(f"/api/v1/cameras/{c}").json.get("owner_id") == owner_x} if r.status == 200 else set()
    foreign = [a["camera_id"] for a in r.json["rows"] if a["camera_id"] not in mine] if r.status == 200 else r
    check(r.status == 200 and foreign == [], "owner X's audit shows only rows about their cameras", [], foreign)
    seen = {(a["action"], a["camera_id"]) for a in r.json["rows"]} if r.status == 200 else set()
    check(("export", ev_cam) in seen, "owner X sees the export of their camera in the audit", "export row", sorted(seen)[:5])

    r = srv.cli("audit", "verify")
    check(r.returncode == 0, "the audit chain verifies after all this", 0, (r.returncode, r.stdout, r.stderr))
    srv.stop()
    shutil.rmtree(tpl_dir, ignore_errors=True)


try:
    main()
except Exception as e:  # a crash is a failure with its reason, not a silent pass
    import traceback
    traceback.print_exc()
    check(False, "test ran to the end", "no exception", repr(e))
finish()
