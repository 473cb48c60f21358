"""A camera served by an RTSP server no one here wrote: VLC 3's own RTSP
output (RTP over UDP only: it answers SETUP over TCP with 461).  The camera
is added with the default transport; wardwatch falls back to UDP by itself
and records within 5 s of start.  The stream is 720p H.264 High with 2
B-frames plus an AAC track (which is not recorded): every segment decodes
without an error, frames in presentation order.

VLC refuses to run as root, so it runs as `nobody` (runuser).  Skipped (exit
77, with the reason) when cvlc is missing or cannot run that way."""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

from wwtest import Station, _procs, check, finish, free_port, log

FPS = 25


def skip(why):
    print(f"SKIP: {why}", flush=True)
    sys.exit(77)


if not shutil.which("cvlc"):
    skip("cvlc not installed (Debian package vlc-bin)")
if os.geteuid() != 0 or not shutil.which("runuser"):
    skip("needs root and runuser to start VLC as the user nobody (VLC refuses root)")

tmp = tempfile.mkdtemp(prefix="real-vlc-")
os.chmod(tmp, 0o755)
clip = os.path.join(tmp, "bf-aac.mp4")
# 60 s, longer than the test: VLC's loop restart is not what is tested here
subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=1280x720:r=25:d=60",
                "-f", "lavfi", "-i", "sine=f=440:d=60", "-c:v", "libx264", "-preset", "superfast",
                "-profile:v", "high", "-bf", "2", "-g", "50", "-keyint_min", "50", "-sc_threshold", "0",
                "-pix_fmt", "yuv420p", "-b:v", "2M", "-c:a", "aac", "-b:a", "64k", "-shortest", clip],
               check=True, timeout=300)
os.chmod(clip, 0o644)
port = free_port()
vlc_log = open(os.path.join(tmp, "vlc.log"), "w")
vlc = subprocess.Popen(["runuser", "-u", "nobody", "--", "cvlc", "-I", "dummy", clip, "--loop", "--sout",
                        f"#rtp{{sdp=rtsp://127.0.0.1:{port}/x}}"], stdout=vlc_log, stderr=subprocess.STDOUT)
_procs.append(vlc)
deadline = time.time() + 20
up = False
while time.time() < deadline and not up and vlc.poll() is None:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        up = True
    except OSError:
        time.sleep(0.2)
if not up:
    vlc_log.close()
    skip(f"VLC did not start serving as nobody: {open(os.path.join(tmp, 'vlc.log')).read()[-300:]}")

st = Station("real-vlc").init()
try:
    cam = st.add_camera("VLC", f"rtsp://127.0.0.1:{port}/x")
    st.serve("--segment-seconds", "4")
    t0 = time.time()
    first = st.wait_for(lambda: st.stream_stats(cam).get("record", {}).get("frames", 0) > 0, 15)
    took = time.time() - t0
    log(f"first frame recorded {took:.1f} s after serve started")
    check(first and took <= 5, "the camera records within 5 s of start (TCP refused, UDP by itself)",
          "<= 5 s", f"{took:.1f} s" if first else "nothing in 15 s")
    time.sleep(12)
    rc = st.stop()
    check(rc == 0, "serve exits 0", 0, rc)
    lg = st.log()
    check("falling back to RTP over UDP" in lg, "the log says why it fell back to UDP",
          "'... falling back to RTP over UDP'", [l for l in lg.splitlines() if "UDP" in l][:3])
    j = st.recordings(cam)
    segs = j["segments"]
    check(len(segs) >= 3, "segments recorded", ">= 3", len(segs))
    check(not j["gaps"], "no gaps", "[]", j["gaps"])
    for s in segs:
        path = os.path.join(st.data, s["path"])
        r = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-f", "null", "-"],
                           capture_output=True, text=True, timeout=120)
        check(r.returncode == 0 and not r.stderr.strip(), f"{s['path']} decodes without an error",
              "no errors", r.stderr[-300:])
        r = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                            "frame=pts_time", "-of", "csv=p=0", path], capture_output=True, text=True, timeout=120)
        pts = [float(x) for x in r.stdout.split()]
        steps = [round((b - a) * FPS, 3) for a, b in zip(pts, pts[1:])]
        inner = steps[:-1] if s is segs[-1] else steps  # serve's stop cuts the last GOP
        check(len(pts) > 1 and set(inner) == {1.0}, f"{s['path']} frames in presentation order",
              "every step 1 frame", sorted(set(steps))[:5])
    r = st.check()
    check(r.returncode == 0, "wardwatch check is clean", "exit 0", r.stdout[-300:])
finally:
    st.stop()
    if vlc.poll() is None:
        vlc.terminate()
        try:
            vlc.wait(10)
        except subprocess.TimeoutExpired:
            vlc.kill()
    vlc_log.close()
    st.remove()
    shutil.rmtree(tmp, ignore_errors=True)
finish()
