#!/usr/bin/env python3
"""gencams — many community cameras with recorded coverage, without
recording many streams.  For tests and demos of the community features
(map, "what was seen here", availability).

    gencams.py template --out DIR
        records a few seconds of one simulated camera (its 640x360 stream, so
        copies are small) with `wardwatch serve` and keeps one closed segment: DIR/template.mp4 + DIR/template.json
        (duration, frames, bytes, codec, fragment index).
    gencams.py csv --out cameras.csv --count 200 --lat 18.67 --lon 105.68
                   --spread-m 1500 [--ward NAME] [--seed 1]
        a `camera import` CSV of cameras scattered around a point.
    gencams.py segments --data DIR --template TDIR --camera ID --start T [--count N]
        N back-to-back copies of the template segment for camera ID from
        epoch second T: the file is hard-linked (else copied) under DIR/rec/<cam>/main/<day>/
        and a CLOSED segment row written — exactly what the recorder would
        have left, so playback, search and export read it as any recording.
    gencams.py event --data DIR --camera ID --start T --end T [--score S] [--jpeg F]
        one motion event (with a thumbnail).

Writes the catalog directly with sqlite3 (this is a fixture generator, like
the tamper step of test_api_audit.py; the product itself keeps every SQL
statement in src/catalog/).  Import it from Python tests:
    sys.path.insert(0, os.path.join(SRC, "tools", "gencams")); import gencams
Environment: WARDWATCH_BIN, CAMSIM_BIN, WW_MEDIA_DIR (as for the e2e tests).
"""
import argparse
import csv
import json
import math
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time

EARTH_R = 6371008.8


def haversine_m(lat1, lon1, lat2, lon2):
    """Same formula as community/geo.c."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = math.radians(lat2 - lat1), math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_R * math.asin(math.sqrt(min(1.0, a)))


def offset(lat, lon, north_m, east_m):
    """The point north_m / east_m metres from (lat, lon)."""
    dlat = north_m / EARTH_R * 180 / math.pi
    dlon = east_m / (EARTH_R * math.cos(math.radians(lat))) * 180 / math.pi
    return lat + dlat, lon + dlon


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def record_template(out_dir, ww=None, camsim=None, media=None, seconds=9, timeout=90):
    """Records one camera briefly and keeps a closed segment as the template.
    Returns the template dict (also written to out_dir/template.json)."""
    ww = ww or os.environ.get("WARDWATCH_BIN", "wardwatch")
    camsim = camsim or os.environ.get("CAMSIM_BIN", "camsim")
    media = media or os.environ.get("WW_MEDIA_DIR", "media")
    os.makedirs(out_dir, exist_ok=True)
    work = tempfile.mkdtemp(prefix="gencams-tpl-")
    data = os.path.join(work, "data")
    cs = subprocess.Popen([camsim, "--port", "0", "--cameras", "1", "--media", media],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    srv = None
    try:
        port = None
        deadline = time.time() + 30
        while time.time() < deadline and port is None:
            line = cs.stdout.readline()
            if not line and cs.poll() is not None:
                raise RuntimeError("camsim exited: " + cs.stderr.read())
            m = re.search(r"listening on rtsp://[^:]+:(\d+)", line or "")
            if m:
                port = int(m.group(1))
        if port is None:
            raise RuntimeError("camsim did not start")
        subprocess.run([ww, "--data", data, "init"], check=True, capture_output=True, timeout=60)
        subprocess.run([ww, "--data", data, "camera", "add", "--name", "template",
                        "--main", f"rtsp://127.0.0.1:{port}/cam1/sub"], check=True, capture_output=True,
                       timeout=60)
        log = open(os.path.join(work, "serve.log"), "w")
        srv = subprocess.Popen([ww, "--data", data, "serve", "--no-http", "--segment-seconds", "3"],
                               stdout=log, stderr=subprocess.STDOUT)
        db = os.path.join(data, "wardwatch.db")
        row = None
        deadline = time.time() + timeout
        while time.time() < deadline:
            time.sleep(1)
            try:
                con = sqlite3.connect(db, timeout=10)
                row = con.execute("SELECT path, start_us, end_us, bytes, frames, codec, frag_index FROM segments"
                                  " WHERE state=1 AND end_us - start_us >= 2000000 ORDER BY id LIMIT 1").fetchone()
                con.close()
            except sqlite3.Error:
                row = None
            if row:
                break
        if not row:
            raise RuntimeError("no closed segment recorded within %d s" % timeout)
        shutil.copyfile(os.path.join(data, row[0]), os.path.join(out_dir, "template.mp4"))
        tpl = {"file": os.path.join(out_dir, "template.mp4"), "duration_us": row[2] - row[1], "bytes": row[3],
               "frames": row[4], "codec": row[5], "frag_index": (row[6] or b"").hex()}
        with open(os.path.join(out_dir, "template.json"), "w") as f:
            json.dump(tpl, f)
        return tpl
    finally:
        if srv and srv.poll() is None:
            srv.send_signal(signal.SIGTERM)
            try:
                srv.wait(20)
            except subprocess.TimeoutExpired:
                srv.kill()
        if cs.poll() is None:
            cs.terminate()
            try:
                cs.wait(10)
            except subprocess.TimeoutExpired:
                cs.kill()
        shutil.rmtree(work, ignore_errors=True)


def load_template(tdir):
    with open(os.path.join(tdir, "template.json")) as f:
        return json.load(f)


def scatter(count, lat, lon, spread_m, seed=1):
    """count deterministic points within spread_m of (lat, lon), uniform over the disc."""
    rnd = random.Random(seed)
    pts = []
    for _ in range(count):
        r = spread_m * math.sqrt(rnd.random())
        a = rnd.random() * 2 * math.pi
        pts.append(offset(lat, lon, r * math.cos(a), r * math.sin(a)))
    return pts


def write_csv(path, cameras):
    """cameras: dicts with the CSV columns (name, main_url, latitude, longitude, …)."""
    cols = ["name", "main_url", "latitude", "longitude", "sub_url", "address", "ward", "owner_name",
            "owner_phone", "owner_kind", "direction_deg"]
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=cols, lineterminator="\n")
        w.writeheader()
        for c in cameras:
            w.writerow({k: c.get(k, "") for k in cols})


def add_segments(data_dir, tpl, camera_id, start_s, count=1, db=None):
    """count back-to-back template segments for camera_id from start_s (epoch
    seconds, float).  Returns [(start_us, end_us)]."""
    con = db or sqlite3.connect(os.path.join(data_dir, "wardwatch.db"), timeout=30)
    cur = con.cursor()
    cur.execute("INSERT OR IGNORE INTO streams(camera_id, kind) VALUES (?, 'main')", (camera_id,))
    sid = cur.execute("SELECT id FROM streams WHERE camera_id=? AND kind='main'", (camera_id,)).fetchone()[0]
    spans = []
    t = int(start_s * 1e6)
    for _ in range(count):
        day = time.strftime("%Y%m%d", time.gmtime(t / 1e6 + 7 * 3600))
        hms = time.strftime("%H%M%S", time.gmtime(t / 1e6 + 7 * 3600))
        rel = f"rec/{camera_id}/main/{day}/{hms}-g{t % 1000000:06d}.mp4"
        dst = os.path.join(data_dir, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        try:
            os.link(tpl["file"], dst)          # same bytes: a hard link costs no space
        except OSError:
            shutil.copyfile(tpl["file"], dst)
        end = t + tpl["duration_us"]
        cur.execute("INSERT INTO segments(stream_id, camera_id, start_us, end_us, path, bytes, frames, codec,"
                    " frag_index, state) VALUES (?,?,?,?,?,?,?,?,?,1)",
                    (sid, camera_id, t, end, rel, tpl["bytes"], tpl["frames"], tpl["codec"],
                     bytes.fromhex(tpl["frag_index"]) if tpl["frag_index"] else None))
        spans.append((t, end))
        t = end + 40000
    if db is None:
        con.commit()
        con.close()
    return spans


def add_event(data_dir, camera_id, start_s, end_s, score=0.5, jpeg=None, db=None):
    """One motion event (with an optional thumbnail); returns its id."""
    con = db or sqlite3.connect(os.path.join(data_dir, "wardwatch.db"), timeout=30)
    cur = con.cursor()
    s, e = int(start_s * 1e6), int(end_s * 1e6)
    cur.execute("INSERT INTO motion_events(camera_id, start_us, end_us, peak_us, peak_score) VALUES (?,?,?,?,?)",
                (camera_id, s, e, (s + e) // 2, score))
    eid = cur.lastrowid
    if jpeg:
        cur.execute("INSERT INTO motion_thumbnails(event_id, jpeg) VALUES (?,?)", (eid, jpeg))
    if db is None:
        con.commit()
        con.close()
    return eid


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("template")
    t.add_argument("--out", required=True)
    c = sub.add_parser("csv")
    c.add_argument("--out", required=True)
    c.add_argument("--count", type=int, default=200)
    c.add_argument("--lat", type=float, default=18.6700)
    c.add_argument("--lon", type=float, default=105.6800)
    c.add_argument("--spread-m", type=float, default=1500)
    c.add_argument("--ward", default="")
    c.add_argument("--seed", type=int, default=1)
    s = sub.add_parser("segments")
    s.add_argument("--data", required=True)
    s.add_argument("--template", required=True)
    s.add_argument("--camera", type=int, required=True)
    s.add_argument("--start", type=float, required=True)
    s.add_argument("--count", type=int, default=1)
    e = sub.add_parser("event")
    e.add_argument("--data", required=True)
    e.add_argument("--camera", type=int, required=True)
    e.add_argument("--start", type=float, required=True)
    e.add_argument("--end", type=float, required=True)
    e.add_argument("--score", type=float, default=0.5)
    e.add_argument("--jpeg", help="thumbnail file")
    a = ap.parse_args()
    if a.cmd == "template":
        print(json.dumps(record_template(a.out)))
    elif a.cmd == "csv":
        pts = scatter(a.count, a.lat, a.lon, a.spread_m, a.seed)
        write_csv(a.out, [{"name": f"Camera {i + 1:03d}", "main_url": f"rtsp://127.0.0.1:9/gen{i + 1}",
                           "latitude": f"{p[0]:.7f}", "longitude": f"{p[1]:.7f}", "ward": a.ward,
                           "direction_deg": str((i * 37) % 360)} for i, p in enumerate(pts)])
    elif a.cmd == "segments":
        spans = add_segments(a.data, load_template(a.template), a.camera, a.start, a.count)
        print(json.dumps(spans))
    elif a.cmd == "event":
        jpeg = open(a.jpeg, "rb").read() if a.jpeg else None
        print(add_event(a.data, a.camera, a.start, a.end, a.score, jpeg))


if __name__ == "__main__":
    main()
