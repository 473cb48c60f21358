"""H.264 High profile with 2 B-frames (pts != dts), served by camsim over TCP,
is recorded: every segment decodes without an error, its frames come out in
presentation order one frame apart, the frame count is duration x fps (within
1 %), and `wardwatch check` is clean.  Live (fMP4 fragments), playback and a CLI export
of the same stream decode without an error, in presentation order.  (Before issue 12 such a stream recorded
nothing: "cannot write the segment: media library error".)"""
import http.client
import json
import os
import subprocess
import tempfile
import time

from wwapi import Client
from wwtest import Camsim, Station, check, finish, free_port

FPS = 25


def frame_pts(path):
    """Presentation times (s) of the decoded frames, in output order."""
    r = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                        "frame=pts_time:stream=has_b_frames,profile", "-of", "json", path],
                       capture_output=True, text=True, timeout=120)
    j = json.loads(r.stdout or "{}")
    st = (j.get("streams") or [{}])[0]
    return [float(f["pts_time"]) for f in j.get("frames", []) if "pts_time" in f], st


def read_stream(port, cookie, path, seconds):
    """The body of a streaming GET, read for `seconds` (live never ends)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers={"Cookie": f"ww_session={cookie}"})
    r = conn.getresponse()
    body, until = b"", time.time() + seconds
    while r.status == 200 and time.time() < until:
        chunk = r.read1(65536)
        if not chunk:
            break
        body += chunk
    conn.close()
    return r.status, body


def whole_boxes(data):
    """data cut after its last complete fragment (moof + mdat): live is read
    for a while and then dropped, mid-fragment, which is not the stream's
    fault."""
    i = end = 0
    while i + 8 <= len(data):
        n = int.from_bytes(data[i:i + 4], "big")
        if n < 8 or i + n > len(data):
            break
        i += n
        if data[i - n + 4:i - n + 8] in (b"mdat", b"moov"):  # a fragment ends with its mdat
            end = i
    return data[:end]


def decodes_in_order(what, data_or_path):
    """Checks that a file (or bytes) decodes cleanly with frames one apart."""
    path = data_or_path
    if isinstance(data_or_path, bytes):
        with tempfile.NamedTemporaryFile(suffix=".mp4", delete=False) as f:
            f.write(data_or_path)
        path = f.name
    r = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-f", "null", "-"],
                       capture_output=True, text=True, timeout=120)
    pts, info = frame_pts(path)
    if path is not data_or_path:
        os.unlink(path)
    check(r.returncode == 0 and not r.stderr.strip(), f"{what} decodes without an error", "no errors",
          r.stderr[-300:])
    steps = [round((b - a) * FPS, 3) for a, b in zip(pts, pts[1:])]
    # a cut (live's end, the range's end) may stop before a P-frame's B-frames
    check(len(pts) >= 25 and set(steps[:-1]) == {1.0} and 1.0 <= steps[-1] <= 3.0,
          f"{what}: {len(pts)} frames in presentation order", ">= 25 frames one frame apart",
          sorted(set(steps))[:5])


cams = Camsim(cameras=1, extra=["--bframes"]).start()
st = Station("real-bframes").init()
try:
    cam = st.add_camera("BF", cams.url(1))
    port = free_port()
    st.serve("--segment-seconds", "4", http_port=port)
    time.sleep(14)
    admin = Client(port)
    r = admin.login("admin", st.admin_password)
    check(r.status == 200, "admin signs in", 200, r)
    status, data = read_stream(port, admin.cookie, f"/api/v1/cameras/{cam}/live?stream=main", 3)
    check(status == 200, "live answers", 200, status)
    decodes_in_order("3 s of live (its complete fragments)", whole_boxes(data))
    at = time.time() - 9
    status, data = read_stream(port, admin.cookie, f"/api/v1/cameras/{cam}/playback?at={at:.3f}", 2)
    check(status == 200, "playback answers", 200, status)
    decodes_in_order("playback (its complete fragments)", whole_boxes(data))
    now = time.time()
    ss = st.stream_stats(cam)
    check(ss.get("state") == "online", "the camera is online", "online", ss.get("state"))
    rec = ss.get("record", {})
    check(rec.get("state") == "recording", "the recorder records", "recording", rec)
    rc = st.stop()
    check(rc == 0, "serve exits 0", 0, rc)
    log = st.log()
    check("media library error" not in log and "cannot write" not in log, "no write error in the log",
          "none", [l for l in log.splitlines() if "cannot write" in l][:2])
    j = st.recordings(cam)
    segs, gaps = j["segments"], j["gaps"]
    check(len(segs) >= 3, "segments recorded", ">= 3", len(segs))
    check(not gaps, "no gaps", "[]", gaps)
    for s in segs:
        path = os.path.join(st.data, s["path"])
        r = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-f", "null", "-"],
                           capture_output=True, text=True, timeout=120)
        check(r.returncode == 0 and not r.stderr.strip(), f"{s['path']} decodes without an error",
              "no errors", r.stderr[-300:])
        pts, info = frame_pts(path)
        check(info.get("profile") == "High" and int(info.get("has_b_frames", 0)) > 0,
              f"{s['path']} is High profile with B-frames", "High, has_b_frames > 0", info)
        steps = [round((b - a) * FPS, 3) for a, b in zip(pts, pts[1:])]
        # The segment serve's stop cut ends where decoding stopped: its last
        # P-frame is there, the B-frames shown before it had not come yet.
        tail = steps[-1:] if s is segs[-1] else []
        inner = steps[:-1] if tail else steps
        # (serve's stop may also cut the last segment right after its keyframe: one frame)
        last_single = s is segs[-1] and len(pts) == 1
        check(last_single or (len(pts) > 1 and set(inner) == {1.0} and all(1.0 <= t <= 3.0 for t in tail)),
              f"{s['path']} frames in presentation order, one frame apart",
              "every step 1 frame (the last segment's last step 1..3)", sorted(set(steps))[:5])
        want = (s["end_us"] - s["start_us"]) / 1e6 * FPS
        check(abs(len(pts) - want) <= max(1, 0.01 * want) and len(pts) == s["frames"],
              f"{s['path']} frame count = duration x fps (1 %)", f"{want:.1f} ({s['frames']} in the row)",
              len(pts))
    r = st.check()
    check(r.returncode == 0, "wardwatch check is clean", "exit 0", r.stdout[-300:])
    out = os.path.join(st.tmp, "clip.mp4")
    r = st.ww("export", "--camera", str(cam), "--from", f"{now - 11:.3f}", "--to", f"{now - 3:.3f}", "-o", out,
              check=False)
    check(r.returncode == 0 and os.path.exists(out), "CLI export writes the clip", "exit 0", r.stderr[-300:])
    if os.path.exists(out):
        decodes_in_order("the exported clip", out)
finally:
    st.stop()
    cams.stop()
    st.remove()
finish()
