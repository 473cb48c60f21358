#!/usr/bin/env python3
"""Measures `wardwatch hub stats` (the province quarter statistics beside the
same quarter a year before) over 500,000 incidents from 200 wards in a real
PostgreSQL 15.  Not a test (not auto-discovered): run it by hand,
  WARDWATCH_BIN=build-asan/wardwatch python3 tests/e2e/bench_province_stats.py
It prints the server-side time of the statistics query (EXPLAIN ANALYZE,
best of 5) and the wall time of the whole command."""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import wwtest  # noqa: E402
import wwprovince  # noqa: E402

pg = wwprovince.Postgres().start()
try:
    ci = pg.conninfo
    subprocess.run([wwtest.WW, "hub", "init", "--pg", ci, "--data", os.path.join(pg.dir, "hub")],
                   check=True, capture_output=True)
    # 200 wards = 200 stations, 2,500 incidents each over 2025-2026, 12 categories
    pg.psql("INSERT INTO stations(id, name, enrolled_at) SELECT 'st-' || w, 'ward ' || w, now()"
            " FROM generate_series(1, 200) w")
    pg.psql("INSERT INTO incidents(station, id, version, deleted, ward, category, occurred_at)"
            " SELECT 'st-' || (i % 200 + 1), i::text, i, i % 97 = 0, '1', 'cat' || (i % 12),"
            " timestamptz '2025-01-01' + (i::bigint * 7919 % 63072000) * interval '1 second'"
            " FROM generate_series(1, 500000) i")
    pg.psql("VACUUM ANALYZE incidents")
    q = ("WITH b AS (SELECT timestamptz '2026-10-01' AS f, timestamptz '2027-01-01' AS t)"
         " SELECT station, ward, category, count(*) FILTER (WHERE occurred_at >= b.f AND occurred_at < b.t),"
         " count(*) FILTER (WHERE occurred_at >= b.f - interval '1 year' AND occurred_at < b.t - interval '1 year')"
         " FROM incidents, b WHERE NOT deleted AND ((occurred_at >= b.f AND occurred_at < b.t) OR"
         " (occurred_at >= b.f - interval '1 year' AND occurred_at < b.t - interval '1 year'))"
         " GROUP BY 1, 2, 3")
    best = None
    for _ in range(5):
        out = "\n".join(r[0] for r in pg.psql("EXPLAIN ANALYZE " + q))
        ms = float(re.search(r"Execution Time: ([\d.]+) ms", out).group(1))
        best = ms if best is None else min(best, ms)
    t0 = time.time()
    r = subprocess.run([wwtest.WW, "hub", "stats", "2026-10-01", "2027-01-01", "--pg", ci],
                       capture_output=True, text=True, check=True)
    wall = (time.time() - t0) * 1000
    print(r.stdout.splitlines()[-1])
    print(f"500000 incidents, 200 wards: stats query {best:.1f} ms (server, best of 5); "
          f"`hub stats` {wall:.0f} ms wall")
finally:
    pg.close()
