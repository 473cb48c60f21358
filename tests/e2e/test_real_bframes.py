"""H.264 High profile with 2 B-frames (pts != dts), served by camsim over TCP,
is recorded: every segment decodes without an error, its frames come out in
presentation order one frame apart, the frame count is duration x fps (within
1 %), and `wardwatch check` is clean.  (Before issue 12 such a stream recorded
nothing: "cannot write the segment: media library error".)"""
import json
import os
import subprocess
import time

from wwtest import Camsim, Station, check, finish

FPS = 25


def frame_pts(path):
    """Presentation times (s) of the decoded frames, in output order."""
    r = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                        "frame=pts_time:stream=has_b_frames,profile", "-of", "json", path],
                       capture_output=True, text=True, timeout=120)
    j = json.loads(r.stdout or "{}")
    st = (j.get("streams") or [{}])[0]
    return [float(f["pts_time"]) for f in j.get("frames", []) if "pts_time" in f], st


cams = Camsim(cameras=1, extra=["--bframes"]).start()
st = Station("real-bframes").init()
try:
    cam = st.add_camera("BF", cams.url(1))
    st.serve("--segment-seconds", "4")
    time.sleep(14)
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
        check(len(pts) > 1 and set(inner) == {1.0} and all(1.0 <= t <= 3.0 for t in tail),
              f"{s['path']} frames in presentation order, one frame apart",
              "every step 1 frame (the last segment's last step 1..3)", sorted(set(steps))[:5])
        want = (s["end_us"] - s["start_us"]) / 1e6 * FPS
        check(abs(len(pts) - want) <= max(1, 0.01 * want) and len(pts) == s["frames"],
              f"{s['path']} frame count = duration x fps (1 %)", f"{want:.1f} ({s['frames']} in the row)",
              len(pts))
    r = st.check()
    check(r.returncode == 0, "wardwatch check is clean", "exit 0", r.stdout[-300:])
finally:
    st.stop()
    cams.stop()
    st.remove()
finish()
