#!/usr/bin/env python3
"""Measures the hub's read API over a province-sized catalog in a real
PostgreSQL 15: 200 stations, 10,000 cameras (a tenth dark), 2,000 open
alerts, 500,000 incidents, 1,000,000 motion events, 6,000 assessments.  Not a test (not auto-discovered): run it by hand,
  WARDWATCH_BIN=build-asan/wardwatch python3 tests/e2e/bench_province_web.py
The bulk rows are written with SQL (as bench_province_stats.py does: the
apply path is not what is measured here).  Prints per route the HTTP wall
time (median and worst of 7, signed in as province-staff) and the body size."""
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import wwtest  # noqa: E402
import wwprovince  # noqa: E402
from wwapi import Client  # noqa: E402

pg = wwprovince.Postgres().start()
mq = wwprovince.Mosquitto().start()
tmp = tempfile.mkdtemp(prefix="ww-benchweb-")
hub_dir = os.path.join(tmp, "hub")
proc = None
try:
    ci = pg.conninfo
    subprocess.run([wwtest.WW, "hub", "init", "--pg", ci, "--data", hub_dir], check=True, capture_output=True)
    pg.psql("INSERT INTO stations(id, name, enrolled_at, last_seen) SELECT 'st-' || w, 'ward ' || w, now(), now()"
            " FROM generate_series(1, 200) w")
    pg.psql("INSERT INTO rows(station, entity, id, version, deleted, data, at)"
            " SELECT 'st-' || (w % 200 + 1), 'ward', '1', w, false, jsonb_build_object('id', 1, 'name', 'Phường ' || w), 'x'"
            " FROM generate_series(0, 199) w")
    pg.psql("INSERT INTO rows(station, entity, id, version, deleted, data, at)"
            " SELECT 'st-' || (i % 200 + 1), 'camera', i::text, i, false, jsonb_build_object('id', i, 'name', 'cam ' || i,"
            " 'ward_id', 1, 'state', CASE WHEN i % 10 = 0 THEN 'dark' ELSE 'online' END, 'state_since_us', i), 'x'"
            " FROM generate_series(1, 10000) i")
    pg.psql("INSERT INTO rows(station, entity, id, version, deleted, data, at)"
            " SELECT 'st-' || (i % 200 + 1), 'alert', i::text, i, false, jsonb_build_object('id', i, 'camera_id', i,"
            " 'ward_id', 1, 'raised_us', i, 'cleared_us', CASE WHEN i % 3 = 0 THEN i END, 'reason', 'dark'), 'x'"
            " FROM generate_series(1, 3000) i")
    pg.psql("INSERT INTO incidents(station, id, version, deleted, ward, category, occurred_at)"
            " SELECT 'st-' || (i % 200 + 1), i::text, i, i % 97 = 0, '1', 'cat' || (i % 12),"
            " timestamptz '2025-01-01' + (i::bigint * 7919 % 63072000) * interval '1 second'"
            " FROM generate_series(1, 500000) i")
    # the console's views (issue 15): 1,000,000 motion events over 30 days, and
    # each ward's 2026 criteria (20 criteria, a self side each and a review of half)
    for lo in range(1, 1000001, 100000):  # in pieces: psql's 30 s limit per statement
        pg.psql("INSERT INTO rows(station, entity, id, version, deleted, data, at)"
                " SELECT 'st-' || (i % 200 + 1), 'event', i::text, i, false, jsonb_build_object('id', i,"
                " 'camera_id', i % 10000 + 1, 'start_us', 1796000000000000 + i::bigint * 2592000, 'end_us',"
                " 1796000000000000 + i::bigint * 2592000 + 4000000, 'peak_us', 1796000000000000 + i::bigint * 2592000,"
                f" 'peak_score', 0.5, 'zone', 'z'), 'x' FROM generate_series({lo}, {lo + 99999}) i")
    pg.psql("INSERT INTO rows(station, entity, id, version, deleted, data, at)"
            " SELECT 'st-' || w, 'assessment', (k * 2 + s)::text, k * 2 + s, false, jsonb_build_object('id', k * 2 + s,"
            " 'ward_id', 1, 'year', 2026, 'criterion', k, 'criterion_title', 'Tiêu chí ' || k, 'side',"
            " CASE WHEN s = 0 THEN 'self' ELSE 'review' END, 'result', CASE WHEN (w + k) % 3 = 0 THEN 'not_met'"
            " ELSE 'met' END, 'assessor', 'x', 'assessed_on', '2026-11-01'), 'x'"
            " FROM generate_series(1, 200) w, generate_series(1, 20) k, generate_series(0, 1) s"
            " WHERE s = 0 OR (w + k) % 2 = 0")
    pg.psql("VACUUM ANALYZE")
    pw = os.path.join(tmp, "pw")
    with open(pw, "w") as f:
        f.write("bench-password-123\n")
    subprocess.run([wwtest.WW, "hub", "user", "add", "staff", "--role", "province-staff", "--password-file", pw,
                    "--data", hub_dir], check=True, capture_output=True)
    port = wwtest.free_port()
    proc = subprocess.Popen([wwtest.WW, "hub", "serve", "--pg", ci, "--mqtt", mq.url, "--data", hub_dir,
                             "--listen", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 20
    while time.time() < deadline and not wwtest.port_open(port):
        time.sleep(0.1)
    c = Client(port)
    assert c.login("staff", "bench-password-123").status == 200
    for route in ("stations", "cameras", "alerts", "owners", "stats?from=2026-10-01&to=2027-01-01",
                  "stats?from=2026-10-01&to=2027-01-01&station=st-7", "cameras?station=st-7",
                  "criteria?year=2026", "criteria?year=2026&station=st-7", "map", "events?limit=50",
                  "events?limit=50&station=st-7", "events?limit=50&station=st-7&camera=7",
                  "events?limit=50&from=1797000000&to=1797100000",
                  "events?limit=50&before=1797296000000000:st-1:500000"):
        times = []
        for _ in range(7):
            t = time.perf_counter()
            r = c.get(f"/api/v1/province/{route}")
            times.append((time.perf_counter() - t) * 1000)
            assert r.status == 200, (route, r.status, r.text[:200])
        print(f"GET /api/v1/province/{route:50s} median {statistics.median(times):7.1f} ms"
              f"  worst {max(times):7.1f} ms  {len(r.body):>9,} bytes", flush=True)
finally:
    if proc:
        proc.terminate()
        proc.wait(20)
    mq.close()
    pg.close()
