#!/usr/bin/env python3
"""Console benchmarks (issue 4).

1. Live fan-out: one camera watched by 1 and then by 20 concurrent live
   clients (the main stream, read as fast as it comes): wardwatch's CPU in
   each phase.  Target: it grows by less than 2x from 1 to 20 viewers,
   because viewers share one fragmenter and only copy bytes.
2. Export: one hour of a 4 Mbit/s stream (the recorded segments repeated to
   fill an hour in the catalog), `wardwatch export` vs `cat` of the same
   segment files into the output folder, same run.  Target <= 2x cat.

usage: bench/live_export.py [--viewers 20] [--seconds 20]
"""
import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import http.client

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "e2e"))
from wwtest import Camsim, Station, free_port  # noqa: E402
from wwapi import Client  # noqa: E402

HZ = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / HZ


class Viewer(threading.Thread):
    def __init__(self, port, cookie, path):
        super().__init__(daemon=True)
        self.port, self.cookie, self.path = port, cookie, path
        self.bytes = 0
        self.stop = False

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.request("GET", self.path, headers={"Cookie": f"ww_session={self.cookie}"})
        r = conn.getresponse()
        while not self.stop:
            b = r.read1(65536)
            if not b:
                break
            self.bytes += len(b)
        conn.close()


def live_phase(st, port, cookie, cam, n, secs, stream="main"):
    vs = [Viewer(port, cookie, f"/api/v1/cameras/{cam}/live?stream={stream}") for _ in range(n)]
    for v in vs:
        v.start()
    time.sleep(3)
    c0, t0 = cpu_seconds(st.proc.pid), time.time()
    b0 = sum(v.bytes for v in vs)
    time.sleep(secs)
    c1, t1 = cpu_seconds(st.proc.pid), time.time()
    b1 = sum(v.bytes for v in vs)
    for v in vs:
        v.stop = True
    for v in vs:
        v.join(5)
    return 100 * (c1 - c0) / (t1 - t0), (b1 - b0) * 8 / 1e6 / (t1 - t0) / max(n, 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--viewers", type=int, default=20)
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--no-export", action="store_true")
    a = ap.parse_args()
    cams = Camsim(cameras=1).start()
    st = Station("bench-live").init()
    port = free_port()
    try:
        cam = st.add_camera("Cam", cams.url(1), cams.url(1, "sub"))
        st.serve("--segment-seconds", "30", http_port=port)
        st.wait_for(lambda: st.stream_stats(cam).get("record", {}).get("frames", 0) > 0, 20)
        admin = Client(port)
        admin.login("admin", st.admin_password)
        time.sleep(2)
        cpu0, _ = live_phase(st, port, admin.cookie, cam, 0, a.seconds)
        print(f"live fan-out: 1 camera recording main (1080p 25 fps ~4 Mbit/s) + sub (360p 10 fps), "
              f"{a.seconds} s per phase; no viewer: {cpu0:.2f} % of a core")
        for stream in ("sub", "main"):
            cpu1, mb1 = live_phase(st, port, admin.cookie, cam, 1, a.seconds, stream)
            cpuN, mbN = live_phase(st, port, admin.cookie, cam, a.viewers, a.seconds, stream)
            print(f"  {stream:4}: 1 viewer {cpu1:.2f} %, {a.viewers} viewers {cpuN:.2f} % -> {cpuN / cpu1:.2f}x "
                  f"(target < 2x); per viewer {mb1:.2f} / {mbN:.2f} Mbit/s")
        # wait for at least one closed segment, then stop the recorder
        time.sleep(30)
        st.stop()
    finally:
        st.stop()
        cams.stop()

    if a.no_export:
        st.remove()
        return
    # --- export one hour: repeat the recorded segments in the catalog
    db = sqlite3.connect(os.path.join(st.data, "wardwatch.db"))
    rows = db.execute("SELECT stream_id, camera_id, start_us, end_us, path, bytes, frames, codec, frag_index "
                      "FROM segments WHERE camera_id=? AND state=1 ORDER BY start_us", (cam,)).fetchall()
    if not rows:
        print("export bench: no closed segment recorded")
        return
    base = rows[0]
    seg_len = base[3] - base[2]
    n_needed = int(3600e6 // seg_len) + 1
    t_start = 1_700_000_000_000_000
    src = os.path.join(st.data, base[4])
    files = []
    for i in range(n_needed):
        rel = f"rec/{cam}/main/bench/{i:05d}.mp4"
        os.makedirs(os.path.dirname(os.path.join(st.data, rel)), exist_ok=True)
        shutil.copyfile(src, os.path.join(st.data, rel))
        files.append(os.path.join(st.data, rel))
        db.execute("INSERT INTO segments(stream_id,camera_id,start_us,end_us,path,bytes,frames,codec,frag_index,state)"
                   " VALUES(?,?,?,?,?,?,?,?,?,1)", (base[0], base[1], t_start + i * seg_len, t_start + (i + 1) * seg_len,
                                                  rel, base[5], base[6], base[7], base[8]))
    db.commit()
    db.close()
    total = sum(os.path.getsize(f) for f in files)
    subprocess.run(["sync"])
    out_dir = os.path.join(st.tmp, "out")
    os.makedirs(out_dir)
    # cat first (warms the page cache for both equally: every file is read once before timing)
    for f in files:
        with open(f, "rb") as fh:
            while fh.read(1 << 20):
                pass
    t0 = time.time()
    subprocess.run(f"cat {' '.join(files)} > {out_dir}/cat.bin && sync {out_dir}/cat.bin", shell=True, check=True)
    t_cat = time.time() - t0
    t0 = time.time()
    r = st.ww("export", "--camera", str(cam), "--from", str(t_start / 1e6), "--to", str(t_start / 1e6 + 3600),
              "-o", os.path.join(out_dir, "hour.mp4"), "--quiet", timeout=600)
    t_exp = time.time() - t0
    print(f"export: 1 hour ({total / 1e6:.0f} MB in {n_needed} segments): wardwatch export {t_exp:.2f} s,"
          f" cat {t_cat:.2f} s -> {t_exp / t_cat:.2f}x (target <= 2x)")
    print("  " + r.stdout.strip().splitlines()[0])
    st.remove()


if __name__ == "__main__":
    main()
