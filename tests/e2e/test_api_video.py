"""The console's video API against a recording server and simulated cameras:
live fMP4 (one fragmenter per stream), timeline, playback from a chosen
second, evidence export (API and CLI) with matching SHA-256, health, audit,
and the permission answers (401 without a session, 403 wrong role, 404
another ward's camera)."""
import hashlib
import http.client
import json
import os
import subprocess
import tempfile
import time

from wwapi import Client
from wwtest import Camsim, Station, check, finish, free_port, log


def stream_for(port, cookie, path, seconds, max_bytes=40 << 20):
    """GETs a streaming response for `seconds`; returns (status, headers, bytes, t_first_byte)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    t0 = time.time()
    conn.request("GET", path, headers={"Cookie": f"ww_session={cookie}"})
    r = conn.getresponse()
    hdr = dict(r.getheaders())
    if r.status != 200:
        body = r.read()
        conn.close()
        return r.status, hdr, body, None
    data, t_first = b"", None
    while time.time() - t0 < seconds and len(data) < max_bytes:
        chunk = r.read1(65536) if hasattr(r, "read1") else r.read(65536)
        if not chunk:
            break
        if t_first is None:
            t_first = time.time() - t0
        data += chunk
    conn.close()
    return r.status, hdr, data, t_first


def probe(data):
    with tempfile.NamedTemporaryFile(suffix=".mp4", delete=False) as f:
        f.write(data)
    r = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-show_entries",
                        "stream=codec_name,width,height,nb_read_frames", "-of", "json", f.name],
                       capture_output=True, text=True, timeout=60)
    os.unlink(f.name)
    try:
        return json.loads(r.stdout)["streams"][0]
    except (ValueError, KeyError, IndexError):
        return {"error": r.stderr[-300:]}


cams = Camsim(cameras=2).start()
st = Station("api-video").init()
port = free_port()
try:
    c1 = st.add_camera("Ngõ 5 Trường Thi", cams.url(1), cams.url(1, "sub"))
    c2 = st.add_camera("Chợ Vinh", cams.url(2), cams.url(2, "sub"))
    st.serve("--segment-seconds", "6", http_port=port)
    st.wait_for(lambda: all(st.stream_stats(i).get("record", {}).get("frames", 0) > 0 for i in (c1, c2)), 20)
    admin = Client(port)
    r = admin.login("admin", st.admin_password)
    check(r.status == 200, "admin signs in", 200, r)

    # --- live
    status, hdr, data, t_first = stream_for(port, admin.cookie, f"/api/v1/cameras/{c1}/live?stream=main", 3)
    check(status == 200 and hdr.get("X-Codec", "").startswith("avc1."), "live main stream answers with an MSE codec",
          "200, X-Codec avc1.*", (status, hdr.get("X-Codec")))
    check(t_first is not None and t_first < 1.0, "first live bytes within 1 s", "< 1 s", t_first)
    p = probe(data)
    check(p.get("codec_name") == "h264" and p.get("width") == 1920 and int(p.get("nb_read_frames", 0)) >= 50,
          "3 s of live main decodes: 1080p, >= 50 frames (cached GOP + live)", "h264 1920 wide, >= 50 frames", p)
    status, hdr, data, _ = stream_for(port, admin.cookie, f"/api/v1/cameras/{c1}/live?stream=sub", 2)
    p = probe(data)
    check(status == 200 and p.get("width") == 640, "live sub stream is 640x360", 640, p)

    # --- the wall: several cameras in one response (browsers allow 6 connections per server)
    status, hdr, data, t_first = stream_for(port, admin.cookie, f"/api/v1/live/wall?cameras={c1},{c2}&stream=sub", 3)
    heads, media, ok_frames, i = {}, {c1: b"", c2: b""}, True, 0
    while i + 12 <= len(data):
        if data[i:i + 2] != b"WW":
            ok_frames = False
            break
        typ, cam, n = data[i + 2], int.from_bytes(data[i + 4:i + 8], "big"), int.from_bytes(data[i + 8:i + 12], "big")
        if i + 12 + n > len(data):
            break
        body = data[i + 12:i + 12 + n]
        if typ == 1:
            heads[cam] = json.loads(body)
        elif typ == 2:
            media[cam] = media.get(cam, b"") + body
        i += 12 + n
    check(status == 200 and ok_frames and set(heads) == {c1, c2} and all("codec" in h for h in heads.values()),
          "wall: one response carries a header per camera", "codec headers for both", (status, heads))
    for cam in (c1, c2):
        p = probe(media[cam])
        check(p.get("width") == 640 and int(p.get("nb_read_frames", 0)) >= 20, f"wall: camera {cam}'s sub stream decodes",
              "640 wide, >= 20 frames", p)

    # --- timeline and playback
    time.sleep(8)
    now = time.time()
    r = admin.get(f"/api/v1/cameras/{c1}/timeline?from={now - 60:.3f}&to={now:.3f}")
    check(r.status == 200 and len(r.json["segments"]) >= 2, "timeline lists the recorded spans", ">= 2 segments", r)
    at = now - 9.3
    status, hdr, data, t_first = stream_for(port, admin.cookie, f"/api/v1/cameras/{c1}/playback?at={at:.3f}", 2)
    start = int(hdr.get("X-Start-Us", 0)) / 1e6
    check(status == 200 and 0 <= at - start <= 2.05, "playback starts at the keyframe at or before the chosen second",
          "X-Start-Us within one GOP (2 s) before `at`", f"status {status}, {at - start:.3f} s before")
    p = probe(data)
    check(int(p.get("nb_read_frames", 0)) >= 50, "playback stream decodes", ">= 50 frames", p)

    # --- export over the API
    r = admin.post(f"/api/v1/cameras/{c1}/exports", {"from": now - 12, "to": now - 4})
    check(r.status == 201, "export created", 201, r)
    if r.status == 201:
        e = r.json["export"]
        f = admin.get(e["file_url"])
        m = admin.get(e["manifest_url"])
        sha = hashlib.sha256(f.body).hexdigest()
        check(f.status == 200 and sha == m.json["file"]["sha256"] == e["sha256"], "export's SHA-256 matches its manifest",
              e["sha256"], sha)
        check(m.json["camera"]["name"] == "Ngõ 5 Trường Thi" and "from_local" in m.json["requested"] and
              m.json["exported_by"]["username"] == "admin", "manifest names camera, range and who exported",
              "camera, requested range, admin", m.json)
        p = probe(f.body)
        check(p.get("codec_name") == "h264" and 190 <= int(p.get("nb_read_frames", 0)) <= 260,
              "the exported clip holds the range (8 s at 25 fps, from the keyframe before)", "200..250 frames", p)
    # --- export from the CLI
    out = os.path.join(st.tmp, "clip.mp4")
    r = st.ww("export", "--camera", str(c2), "--from", f"{now - 10:.3f}", "--to", f"{now - 5:.3f}", "-o", out, check=False)
    man = json.load(open(out + ".manifest.json")) if os.path.exists(out + ".manifest.json") else {}
    sha = hashlib.sha256(open(out, "rb").read()).hexdigest() if os.path.exists(out) else None
    check(r.returncode == 0 and man.get("file", {}).get("sha256") == sha, "CLI export writes the clip and its manifest",
          "exit 0, manifest sha256 = file sha256", (r.returncode, r.stderr[-200:]))

    # --- health
    r = admin.get("/api/v1/health")
    cams_h = {c["id"]: c for c in r.json["cameras"]} if r.status == 200 else {}
    ok = all(cams_h.get(i, {}).get("state") == "online" and 20 <= cams_h[i]["fps"] <= 30 and cams_h[i]["storage_bytes"] > 0
             for i in (c1, c2))
    check(ok, "health: both cameras online, ~25 fps, storage used", "online", r.json if r.status == 200 else r)

    # --- audit rows for every look
    r = admin.get(f"/api/v1/audit?camera={c1}")
    acts = [a["action"] for a in r.json.get("audit", r.json.get("rows", []))] if r.status == 200 else []
    check({"live_view", "playback", "export"} <= set(acts), "every live view, playback and export is audited",
          "live_view, playback, export", acts)
    # issue 17 item 10: each live view (single and wall tile) has its end, paired by its start
    rows = r.json.get("rows", []) if r.status == 200 else []
    views = [a for a in rows if a["action"] == "live_view"]
    ends = {a["from_us"]: a for a in rows if a["action"] == "live_view_end"}
    check(len(views) == 3 and all(v["from_us"] in ends and ends[v["from_us"]]["to_us"] > v["from_us"] and
                                  v.get("view_end") and v.get("view_open") is False for v in views),
          "each of camera 1's 3 live views (main, sub, wall) has an end row and reads as ended", "3 ended views",
          [(v["from_us"], v.get("view_end"), v.get("view_open")) for v in views])

    # --- permissions
    anon = Client(port)
    for path in [f"/api/v1/cameras/{c1}/live", f"/api/v1/cameras/{c1}/timeline", f"/api/v1/cameras/{c1}/playback?at=1",
                 "/api/v1/health", "/api/v1/exports"]:
        r = anon.get(path)
        check(r.status == 401, f"GET {path} without a session", 401, r.status)
    r = anon.post(f"/api/v1/cameras/{c1}/exports", {"from": now - 10, "to": now})
    check(r.status == 401, "POST exports without a session", 401, r.status)
    wa = admin.post("/api/v1/wards", {"name": "Trường Thi", "district": "Vinh", "province": "Nghệ An"}).json["id"]
    wb = admin.post("/api/v1/wards", {"name": "Hà Huy Tập", "district": "Vinh", "province": "Nghệ An"}).json["id"]
    admin.patch(f"/api/v1/cameras/{c1}", {"ward_id": wa})
    admin.patch(f"/api/v1/cameras/{c2}", {"ward_id": wb})
    admin.post("/api/v1/users", {"username": "viewer_a", "password": "viewer-a-pass-123", "role": "viewer", "ward_id": wa})
    v = Client(port)
    v.login("viewer_a", "viewer-a-pass-123")
    r = v.post(f"/api/v1/cameras/{c1}/exports", {"from": now - 10, "to": now - 5})
    check(r.status == 403, "a viewer may not export", 403, r)
    r = v.get(f"/api/v1/cameras/{c2}/timeline")
    check(r.status == 404, "another ward's camera is not found for a viewer", 404, r.status)
    status, hdr, data, _ = stream_for(port, v.cookie, f"/api/v1/cameras/{c2}/live", 1)
    check(status == 404, "another ward's live stream is not found", 404, status)
    status, hdr, data, _ = stream_for(port, v.cookie, f"/api/v1/live/wall?cameras={c1},{c2}", 2)
    heads = {}
    i = 0
    while i + 12 <= len(data):
        typ, cam, n = data[i + 2], int.from_bytes(data[i + 4:i + 8], "big"), int.from_bytes(data[i + 8:i + 12], "big")
        if typ == 1 and i + 12 + n <= len(data):
            heads[cam] = json.loads(data[i + 12:i + 12 + n])
        i += 12 + n
    check(heads.get(c2, {}).get("error", {}).get("code") == "not_found" and "codec" in heads.get(c1, {}),
          "wall: another ward's camera is refused inside the stream, own camera plays", "c2 not_found, c1 codec", heads)
    r = v.get("/api/v1/health")
    ids = [c["id"] for c in r.json["cameras"]] if r.status == 200 else None
    check(ids == [c1], "health lists only the viewer's ward's cameras", [c1], ids)
    r = admin.get(f"/api/v1/cameras/{c1}/playback?at=yesterday")
    check(r.status == 400, "a malformed time is a 400", 400, r)
    r = admin.post(f"/api/v1/cameras/{c1}/exports", {"from": now, "to": now - 10})
    check(r.status == 400, "an inverted export range is a 400", 400, r)
    r = admin.post(f"/api/v1/cameras/{c1}/exports", {"from": now - 10, "to": now, "bogus": 1})
    check(r.status == 400, "an unknown field is a 400", 400, r)
    rc = st.stop()
    check(rc == 0, "serve exits 0", 0, rc)
finally:
    st.stop()
    cams.stop()
    st.remove()
finish()
