"""An H.265 main stream records and plays."""
import os
import time

from wwtest import Camsim, Station, check, ffprobe_segment, finish

cams = Camsim(cameras=1, extra=["--h265"]).start()
st = Station("rec-h265").init()
try:
    cam = st.add_camera("HEVC", cams.url(1))
    st.serve("--segment-seconds", "4")
    time.sleep(10)
    check(st.stream_stats(cam).get("codec") == "hevc", "stats show the codec", "hevc", st.stream_stats(cam).get("codec"))
    rc = st.stop()
    check(rc == 0, "serve exits 0", 0, rc)
    segs = st.recordings(cam)["segments"]
    check(len(segs) >= 2, "segments recorded", ">= 2", len(segs))
    for s in segs:
        dur, frames, codec = ffprobe_segment(os.path.join(st.data, s["path"]))
        want = (s["end_us"] - s["start_us"]) / 1e6
        check(codec == "hevc" and frames == s["frames"] and abs(dur - want) < 0.2, f"ffprobe plays {s['path']}",
              f"hevc, {s['frames']} frames, {want:.2f} s", f"{codec}, {frames} frames, {dur} s")
    import subprocess
    r = subprocess.run(["ffmpeg", "-v", "error", "-i", os.path.join(st.data, segs[0]["path"]), "-f", "null", "-"],
                       capture_output=True, text=True, timeout=120)
    check(r.returncode == 0 and not r.stderr.strip(), "the first segment decodes without errors", "no errors", r.stderr[-300:])
    r = st.check()
    check(r.returncode == 0, "wardwatch check passes", "exit 0", r.stdout[-300:])
finally:
    st.stop()
    cams.stop()
    st.remove()
finish()
