#!/usr/bin/env python3
"""Recording benchmark (issue 3): N simulated main streams for S seconds.

wardwatch serve (one process recording every camera) runs side by side,
in the same run and against the same simulated cameras, with the peer: one
`ffmpeg -rtsp_transport tcp -i URL -c copy -f segment` process per camera.
Reported: CPU % of one core per stream, RSS and PSS per stream, the
simulator's own CPU, and the share of frames recorded.

usage: bench/record.py [--cameras 32] [--seconds 60]
Env: WARDWATCH_BIN, CAMSIM_BIN, WW_MEDIA_DIR (set by `make bench`).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "e2e"))
from wwtest import Camsim, Station  # noqa: E402

HZ = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / HZ


def mem_kb(pid):
    rss = pss = 0
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    return rss, pss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cameras", type=int, default=32)
    ap.add_argument("--seconds", type=int, default=60)
    a = ap.parse_args()
    n, secs = a.cameras, a.seconds

    cams = Camsim(cameras=n).start()
    st = Station("bench-record").init()
    out = tempfile.mkdtemp(prefix="bench-ffmpeg-")
    peers = []
    try:
        ids = [st.add_camera(f"Cam {i}", cams.url(i)) for i in range(1, n + 1)]
        st.serve("--segment-seconds", "60")
        for i in range(1, n + 1):
            d = os.path.join(out, f"cam{i}")
            os.makedirs(d)
            peers.append(subprocess.Popen(
                ["ffmpeg", "-nostdin", "-loglevel", "error", "-rtsp_transport", "tcp", "-i", cams.url(i),
                 "-c", "copy", "-f", "segment", "-segment_time", "60", "-reset_timestamps", "1",
                 os.path.join(d, "%03d.mp4")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        # let both connect and settle, then measure a window
        st.wait_for(lambda: all(st.stream_stats(i).get("record", {}).get("frames", 0) > 0 for i in ids), 30)
        time.sleep(5)
        procs = {"wardwatch": [st.proc.pid], "ffmpeg": [p.pid for p in peers], "camsim": [cams.proc.pid]}
        c0 = {k: sum(cpu_seconds(p) for p in v) for k, v in procs.items()}
        s0 = st.stats()
        t0 = time.time()
        time.sleep(secs)
        dt = time.time() - t0
        c1 = {k: sum(cpu_seconds(p) for p in v) for k, v in procs.items()}
        s1 = st.stats()
        mem = {k: [mem_kb(p) for p in v] for k, v in procs.items()}
        rec_frames = sum(c["streams"]["main"]["record"]["frames"] for c in s1["cameras"]) - \
            sum(c["streams"]["main"]["record"]["frames"] for c in s0["cameras"])
        got_frames = sum(c["streams"]["main"]["frames"] for c in s1["cameras"]) - \
            sum(c["streams"]["main"]["frames"] for c in s0["cameras"])
        expected = 25 * dt * n
    finally:
        for p in peers:
            p.terminate()
        for p in peers:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        st.stop()
        cams.stop()

    ww_cpu = 100 * (c1["wardwatch"] - c0["wardwatch"]) / dt / n
    ff_cpu = 100 * (c1["ffmpeg"] - c0["ffmpeg"]) / dt / n
    sim_cpu = 100 * (c1["camsim"] - c0["camsim"]) / dt
    ww_rss, ww_pss = mem["wardwatch"][0]
    ff_rss = sum(r for r, _ in mem["ffmpeg"]) / n
    ff_pss = sum(p for _, p in mem["ffmpeg"]) / n
    res = {
        "cameras": n, "seconds": round(dt, 1),
        "wardwatch_cpu_pct_per_stream": round(ww_cpu, 3), "ffmpeg_cpu_pct_per_stream": round(ff_cpu, 3),
        "cpu_ratio": round(ww_cpu / ff_cpu, 3) if ff_cpu else None,
        "wardwatch_rss_mb_per_stream": round(ww_rss / 1024 / n, 2), "wardwatch_pss_mb_per_stream": round(ww_pss / 1024 / n, 2),
        "ffmpeg_rss_mb_per_stream": round(ff_rss / 1024, 2), "ffmpeg_pss_mb_per_stream": round(ff_pss / 1024, 2),
        "camsim_cpu_pct": round(sim_cpu, 2),
        "frames_recorded_share": round(rec_frames / got_frames, 5) if got_frames else None,
        "frames_received_vs_expected": round(got_frames / expected, 4),
    }
    print(f"record bench: {n} main streams (1080p 25 fps ~4 Mbit/s), {dt:.0f} s, side by side")
    print(f"  CPU % of one core per stream: wardwatch {ww_cpu:.3f}  ffmpeg -c copy {ff_cpu:.3f}  "
          f"ratio {res['cpu_ratio']}x (issue 12's target <= 0.5x)")
    print(f"  RSS per stream: wardwatch {res['wardwatch_rss_mb_per_stream']} MB  ffmpeg {res['ffmpeg_rss_mb_per_stream']} MB"
          f"  (target <= 4 MB)")
    print(f"  PSS per stream: wardwatch {res['wardwatch_pss_mb_per_stream']} MB  ffmpeg {res['ffmpeg_pss_mb_per_stream']} MB")
    print(f"  simulator CPU: {sim_cpu:.1f} % of one core for {n} cameras x 2 clients")
    print(f"  frames recorded / received: {res['frames_recorded_share']} (target >= 0.99); "
          f"received / expected at 25 fps: {res['frames_received_vs_expected']}")
    print("JSON " + json.dumps(res))
    shutil.rmtree(out, ignore_errors=True)
    st.remove()


if __name__ == "__main__":
    main()
