"""A camera that changes resolution mid-stream (issue 12 item 4: "SPS changing
mid-stream: new segment, no reconnect").  camsim serves a clip that is 4 s of
1280x720 and then 4 s of 640x360 (one H.264 elementary stream, new SPS/PPS
in-band at the switch), looped, so the stream changes its parameters every 4 s
on one RTSP session.  Expected:
  - no reconnect, the camera online throughout;
  - a new segment at each change, each segment of ONE resolution, alternating,
    and the segments contiguous (no gap at a change);
  - every segment decodes with no error, `check` clean;
  - the log names the change.
"""
import json
import os
import subprocess
import tempfile
import time

from wwtest import MEDIA, Camsim, Station, check, ensure_media, finish, log

ensure_media()
tmp = tempfile.mkdtemp(prefix="ww-sps-")
media = os.path.join(tmp, "media")
os.makedirs(media)
for f in os.listdir(MEDIA):
    if f != "main.h264":
        os.symlink(os.path.join(MEDIA, f), os.path.join(media, f))
parts = []
for i, size in enumerate(("1280x720", "640x360")):
    out = os.path.join(tmp, f"part{i}.h264")
    r = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                        f"testsrc2=s={size}:r=25:d=4", "-c:v", "libx264", "-preset", "superfast", "-bf", "0",
                        "-sc_threshold", "0", "-g", "25", "-keyint_min", "25", "-x264-params",
                        "open-gop=0:repeat-headers=1", "-pix_fmt", "yuv420p", "-b:v", "1M", "-f", "h264", out],
                       capture_output=True, text=True, timeout=120)
    check(r.returncode == 0, f"clip part {size} made", 0, r.stderr[-300:])
    parts.append(out)
with open(os.path.join(media, "main.h264"), "wb") as w:
    for p in parts:
        with open(p, "rb") as f:
            w.write(f.read())

cams = Camsim(cameras=1, extra=["--media", media, "--inband-params"]).start()
st = Station("sps-change").init()
try:
    cam = st.add_camera("Changes resolution", cams.url(1))
    st.serve("--segment-seconds", "60")
    up = st.wait_for(lambda: st.stream_stats(cam).get("record", {}).get("frames", 0) > 0, 15)
    check(up, "the camera records", "frames > 0", st.stats())
    time.sleep(12)  # >= 3 changes
    ss = st.stream_stats(cam)
    check(ss.get("state") == "online" and ss.get("reconnects", 0) == 0, "online throughout, no reconnect",
          "online, 0 reconnects", (ss.get("state"), ss.get("reconnects")))
    rc = st.stop()
    check(rc == 0, "serve exits 0", 0, rc)
    text = st.log()
    changes = [l for l in text.splitlines() if "changed its stream parameters" in l]
    log(f"{len(changes)} changes logged, e.g. {changes[:2]}")
    check(len(changes) >= 2, "the log names each change", ">= 2 lines", len(changes))
    segs = st.recordings(cam)["segments"]
    sizes, bad = [], []
    for s in segs:
        path = os.path.join(st.data, s["path"])
        p = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                            "frame=width,height", "-of", "json", path], capture_output=True, text=True, timeout=120)
        frames = json.loads(p.stdout or "{}").get("frames", [])
        sizes.append(sorted({(f["width"], f["height"]) for f in frames}))
        d = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", path, "-f", "null", "-"],
                           capture_output=True, text=True, timeout=120)
        if d.returncode or d.stderr.strip():
            bad.append((s["path"], d.stderr[-200:]))
    log(f"segment sizes: {sizes}")
    one_each = all(len(x) == 1 for x in sizes)
    alternate = all(sizes[i] != sizes[i + 1] for i in range(len(sizes) - 1))
    check(len(segs) >= 3 and one_each and alternate, "a new segment at each change, one resolution each, alternating",
          ">= 3 segments, each one size, alternating", sizes)
    holes = [(a["end_us"], b["start_us"]) for a, b in zip(segs, segs[1:]) if b["start_us"] - a["end_us"] > 100000]
    check(not holes, "the segments are contiguous across the changes", "no hole > 0.1 s", holes)
    check(not bad, "every segment decodes with no error", [], bad)
    r = st.check()
    check(r.returncode == 0, "check is clean", "exit 0", r.stdout[-400:])
finally:
    st.stop()
    cams.stop()
    st.remove()
finish()
