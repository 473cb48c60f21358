"""An RTSP server no one here wrote, for the tests: VLC 3's own RTSP output
(RTP over UDP only: it answers SETUP over TCP with 461), serving a clip
made by ffmpeg, as the user `nobody` (VLC refuses root).  record_case()
is the whole check test_real_vlc*.py run for one codec: wardwatch falls
back to UDP by itself, records within 5 s of start, every segment decodes
without an error and its frames come in presentation order."""
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


def make_clip(path, codec):
    """30 s of 720p25 with 2 B-frames plus an AAC track (not recorded)."""
    video = (["-c:v", "libx264", "-preset", "superfast", "-profile:v", "high", "-bf", "2", "-g", "50",
              "-keyint_min", "50", "-sc_threshold", "0"] if codec == "h264" else
             ["-c:v", "libx265", "-preset", "ultrafast", "-x265-params",
              "bframes=2:b-adapt=0:keyint=50:min-keyint=50:scenecut=0:repeat-headers=1:open-gop=0:info=0:log-level=error"])
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=1280x720:r=25:d=30",
                    "-f", "lavfi", "-i", "sine=f=440:d=30"] + video +
                   ["-pix_fmt", "yuv420p", "-b:v", "2M", "-c:a", "aac", "-b:a", "64k", "-shortest", path],
                   check=True, timeout=300)


def record_case(codec, audio=False):
    if not shutil.which("cvlc"):
        skip("cvlc not installed (Debian package vlc-bin)")
    if os.geteuid() != 0 or not shutil.which("runuser"):
        skip("needs root and runuser to start VLC as the user nobody (VLC refuses root)")
    tmp = tempfile.mkdtemp(prefix=f"real-vlc-{codec}-")
    os.chmod(tmp, 0o755)
    clip = os.path.join(tmp, "bf-aac.mp4")
    # 30 s, longer than the test (about 17 s): VLC's loop restart is not what is tested here
    make_clip(clip, codec)
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
    st = Station(f"real-vlc-{codec}").init()
    try:
        check_recording(st, port, codec, audio)
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


def audio_and_video_s(path):
    """(audio codec or None, audio seconds, video seconds) of a file, by ffprobe."""
    r = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_type,codec_name,duration",
                        "-of", "csv=p=0", path], capture_output=True, text=True, timeout=60)
    a = v = 0.0
    acodec = None
    for ln in r.stdout.split():
        f = ln.split(",")
        if len(f) >= 3 and f[1] == "audio":
            acodec, a = f[0], float(f[2] or 0)
        elif len(f) >= 3 and f[1] == "video":
            v = float(f[2] or 0)
    return acodec, a, v


def check_recording(st, port, codec, audio=False):
    """audio: the camera's audio setting on; VLC's AAC track must then be in every segment."""
    cam = st.add_camera(f"VLC {codec}", f"rtsp://127.0.0.1:{port}/x", extra=["--audio", "on"] if audio else [])
    st.serve("--segment-seconds", "4")
    t0 = time.time()
    first = st.wait_for(lambda: st.stream_stats(cam).get("record", {}).get("frames", 0) > 0, 15)
    took = time.time() - t0
    log(f"first frame recorded {took:.1f} s after serve started")
    check(first and took <= 5, "the camera records within 5 s of start (TCP refused, UDP by itself)",
          "<= 5 s", f"{took:.1f} s" if first else "nothing in 15 s")
    time.sleep(12)
    rtp = st.stream_stats(cam).get("rtp") or {}
    rc = st.stop()
    check(rc == 0, "serve exits 0", 0, rc)
    lg = st.log()
    check("falling back to RTP over UDP" in lg, "the log says why it fell back to UDP",
          "'... falling back to RTP over UDP'", [l for l in lg.splitlines() if "UDP" in l][:3])
    j = st.recordings(cam)
    segs = j["segments"]
    check(len(segs) >= 3, "segments recorded", ">= 3", len(segs))
    check(not j["gaps"], "no gaps", "[]", j["gaps"])
    want = "h264" if codec == "h264" else "hevc"
    # A frame may be missing only where the client counted a damaged access
    # unit (UDP on a loaded machine can lose a datagram even on loopback):
    # then the step is a whole number of frames and the count adds up.
    damaged = rtp.get("damaged_aus", 0) or 0
    log(f"rtp: received {rtp.get('received')}, lost {rtp.get('lost')}, damaged access units {damaged}")
    skipped = 0
    for s in segs:
        path = os.path.join(st.data, s["path"])
        r = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-f", "null", "-"],
                           capture_output=True, text=True, timeout=120)
        check(r.returncode == 0 and not r.stderr.strip(), f"{s['path']} decodes without an error",
              "no errors", r.stderr[-300:])
        r = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                            "stream=codec_name:frame=pts_time", "-of", "csv=p=0", path],
                           capture_output=True, text=True, timeout=120)
        lines = r.stdout.split()
        codecs = {x for x in lines if not x[0].isdigit()}
        pts = [float(x) for x in lines if x[0].isdigit()]
        check(codecs == {want}, f"{s['path']} is {want}", want, codecs)
        acodec, a_s, v_s = audio_and_video_s(path)
        if audio:
            check(acodec == "aac" and v_s > 0 and abs(a_s - v_s) <= 0.05 * v_s + 0.1,
                  f"{s['path']} carries VLC's AAC track as long as its video", f"aac, {v_s:.2f} s ± 5 %",
                  (acodec, a_s))
        else:
            check(acodec is None, f"{s['path']} has no sound (the camera's setting is off)", None, acodec)
        r = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts,dts",
                            "-of", "csv=p=0", path], capture_output=True, text=True, timeout=120)
        reordered = sum(1 for ln in r.stdout.split() if len(ln.split(",")) == 2 and ln.split(",")[0] != ln.split(",")[1])
        check(reordered > 0, f"{s['path']} holds B-frames (pts != dts)", "> 0 packets", reordered)
        steps = [round((b - a) * FPS, 3) for a, b in zip(pts, pts[1:])]
        inner = steps[:-1] if s is segs[-1] else steps  # serve's stop cuts the last GOP
        whole = all(x >= 1 and x == int(x) for x in inner)
        skipped += int(sum(x - 1 for x in inner)) if whole else 0
        check(len(pts) > 1 and whole, f"{s['path']} frames in presentation order",
              "every step a whole frame, forward", sorted(set(steps))[:5])
    check(skipped <= damaged, "a frame is missing only where a damaged access unit was counted",
          f"<= {damaged} frames missing", skipped)
    r = st.check()
    check(r.returncode == 0, "wardwatch check is clean", "exit 0", r.stdout[-300:])
