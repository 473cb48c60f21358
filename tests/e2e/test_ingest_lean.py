"""The lean RTSP client records what libavformat's client records.

Two stations record the same simulated cameras side by side for ~10 s: one
with the default (lean) ingest, one with WARDWATCH_INGEST=libav.  Camera 1
is H.264, camera 2 H.265.  For each camera the recordings must agree:
same codec, dimensions and frame rate; every segment plays (ffprobe) and
decodes without errors (`ffmpeg -v error -f null`).  Both clients read the
same camsim pipeline at the same time, so the frames they both recorded
must be the same: for H.264 the stored packets are byte-identical; for
H.265 the decoded pictures are, because libavformat's HEVC parser leaves
the leading zero of the next start code on each access unit's last NAL
unit (a legal trailing_zero_8bits byte the lean client does not add).
The debug log names the client in use.
"""
import os
import subprocess
import time

from wwtest import Camsim, Station, check, finish, log

RUN_S = 10


def probe(path):
    r = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_packets",
                        "-show_entries", "stream=codec_name,width,height,avg_frame_rate,nb_read_packets",
                        "-of", "default=nw=1", path], capture_output=True, text=True, timeout=60)
    if r.returncode:
        return None
    d = dict(line.split("=", 1) for line in r.stdout.split() if "=" in line)
    num, _, den = d.get("avg_frame_rate", "0/1").partition("/")
    d["fps"] = float(num) / float(den or 1) if float(den or 1) else 0.0
    return d


def decode_errors(path):
    r = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", path, "-f", "null", "-"],
                       capture_output=True, text=True, timeout=120)
    return (r.stderr.strip() or ("exit %d" % r.returncode if r.returncode else ""))


def frame_md5s(path, decoded):
    """MD5 of every video packet (stored bytes) or decoded picture, in order."""
    copy = [] if decoded else ["-c", "copy"]
    r = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", path, "-map", "0:v:0"] + copy +
                       ["-f", "framemd5", "-"], capture_output=True, text=True, timeout=300)
    out = []
    for line in r.stdout.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        out.append(line.split(",")[-1].strip())
    return out


def recorded(st, cam):
    segs = st.recordings(cam)["segments"]
    return [os.path.join(st.data, s["path"]) for s in segs]


env_lean = {k: v for k, v in os.environ.items() if k != "WARDWATCH_INGEST"}
env_lean["WARDWATCH_LOG_LEVEL"] = "debug"
env_libav = dict(env_lean, WARDWATCH_INGEST="libav")

cams = Camsim(cameras=2, extra=["--h265-cams", "2"]).start()
lean = Station("ingest-lean").init()
libav = Station("ingest-libav").init()
try:
    for st in (lean, libav):
        st.add_camera("H.264", cams.url(1))
        st.add_camera("H.265", cams.url(2))
    lean.serve("--segment-seconds", "60", env=env_lean)
    libav.serve("--segment-seconds", "60", env=env_libav)
    up = lean.wait_for(lambda: all(st.stream_stats(c).get("record", {}).get("frames", 0) > 0
                                   for st in (lean, libav) for c in (1, 2)), 20)
    check(up, "both stations record both cameras", "frames > 0", [lean.stats(), libav.stats()])
    time.sleep(RUN_S)
    check(lean.stop() == 0, "lean station exits 0", 0, "non-zero")
    check(libav.stop() == 0, "libav station exits 0", 0, "non-zero")

    check("ingest: lean RTSP client" in lean.log(), "default ingest is the lean client (debug log)",
          "'ingest: lean RTSP client'", lean.log()[-400:])
    check("ingest: libavformat RTSP client (WARDWATCH_INGEST=libav)" in libav.log(),
          "WARDWATCH_INGEST=libav selects libavformat (debug log)", "'ingest: libavformat RTSP client'",
          libav.log()[-400:])

    for cam, codec, w, h in ((1, "h264", "1920", "1080"), (2, "hevc", "1920", "1080")):
        files = {name: recorded(st, cam) for name, st in (("lean", lean), ("libav", libav))}
        props = {}
        for name, paths in files.items():
            check(len(paths) >= 1, f"cam {cam} {name}: a segment recorded", ">= 1", len(paths))
            for p in paths:
                d = probe(p)
                check(d is not None, f"cam {cam} {name}: ffprobe plays {os.path.basename(p)}", "playable", d)
                if d:
                    props.setdefault(name, d)
                err = decode_errors(p)
                check(not err, f"cam {cam} {name}: {os.path.basename(p)} decodes without errors", "no errors",
                      err[-300:])
        a, b = props.get("lean"), props.get("libav")
        if not (a and b):
            continue
        check(a["codec_name"] == b["codec_name"] == codec, f"cam {cam}: same codec", codec,
              (a["codec_name"], b["codec_name"]))
        check((a["width"], a["height"]) == (b["width"], b["height"]) == (w, h), f"cam {cam}: same dimensions",
              f"{w}x{h}", ((a["width"], a["height"]), (b["width"], b["height"])))
        check(abs(a["fps"] - b["fps"]) < 1 and 23 <= a["fps"] <= 27, f"cam {cam}: same frame rate",
              "25 fps both", (round(a["fps"], 2), round(b["fps"], 2)))
        # The overlap: both clients got the same frames from one pipeline.
        decoded = codec == "hevc"
        what = "decoded pictures" if decoded else "stored packets"
        ml = [m for p in files["lean"] for m in frame_md5s(p, decoded)]
        mb = [m for p in files["libav"] for m in frame_md5s(p, decoded)]
        common = set(ml) & set(mb)
        shorter = min(len(ml), len(mb))
        log(f"cam {cam}: {len(ml)} lean {what}, {len(mb)} libav, {len(common)} identical")
        check(shorter >= 200 and len(common) >= 0.9 * shorter, f"cam {cam}: recorded frames are identical ({what})",
              ">= 90 % of the shorter recording's frames in both", f"{len(common)} of {shorter}")
finally:
    lean.stop()
    libav.stop()
    cams.stop()
    lean.remove()
    libav.remove()
finish()
