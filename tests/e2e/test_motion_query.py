#!/usr/bin/env python3
"""Motion event query speed on a realistic volume.

Fills a throw-away catalog with `wardwatch motion gen-events --cameras 1000
--days 30 --per-day 24` (720,000 events), then times, inside the binary
(`motion events --json` reports query_ms, so process start-up is not
counted):
  - one camera, last day / last week, newest first
  - twenty cameras, last three days
  - all cameras, last day, newest first, paged 50 at a time with the keyset
    cursor (pages 1..5) and page 1 with no time range
Each query runs 3 times; the median must be under 50 ms (200 ms in an
AddressSanitizer build).  Results are cross-checked against Python's own
sqlite3 on the same file.  Prints the times, then 'N passed, N failed'.
"""
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile

SRC = os.environ.get("WW_SOURCE_DIR", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BUILD = os.environ.get("WW_BUILD_DIR", os.path.join(SRC, "build"))
BIN = os.environ.get("WARDWATCH_BIN", os.path.join(BUILD, "wardwatch"))
END = 1767225600  # 2026-01-01T00:00:00Z: fixed so runs are comparable
DAY = 86400
CAMERAS, DAYS, PER_DAY = 1000, 30, 24

passed = failed = 0


def check(ok, what, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok   %s" % what)
    else:
        failed += 1
        print("FAIL %s%s" % (what, (": " + detail) if detail else ""))


def is_asan(path):
    with open(path, "rb") as fh:
        return b"__asan_init" in fh.read()


def main():
    if not os.access(BIN, os.X_OK):
        print("FAIL wardwatch binary not found at %s\n0 passed, 1 failed" % BIN)
        return 1
    limit_ms = 200.0 if is_asan(BIN) else 50.0
    data = tempfile.mkdtemp(prefix="ww-motion-query-")
    try:
        r = subprocess.run([BIN, "--data", data, "motion", "gen-events", "--cameras", str(CAMERAS),
                            "--days", str(DAYS), "--per-day", str(PER_DAY), "--end", str(END)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=900)
        if r.returncode != 0:
            check(False, "gen-events", r.stderr.strip())
            print("%d passed, %d failed" % (passed, failed))
            return 1
        gen = json.loads(r.stdout)
        check(gen["events"] == CAMERAS * DAYS * PER_DAY, "generated %d events for %d cameras in %.1f s"
              % (gen["events"], gen["cameras"], gen["seconds"]))

        def events(*args):
            r = subprocess.run([BIN, "--data", data, "motion", "events", "--json"] + list(args),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
            if r.returncode != 0:
                raise RuntimeError("motion events %s: exit %d: %s" % (" ".join(args), r.returncode, r.stderr.strip()))
            return json.loads(r.stdout)

        def timed(label, *args):
            runs = [events(*args) for _ in range(3)]
            ms = statistics.median(x["query_ms"] for x in runs)
            print("     %-44s %7.2f ms  (%d rows)" % (label, ms, len(runs[0]["events"])))
            check(ms < limit_ms, "%s under %.0f ms" % (label, limit_ms), "median %.2f ms" % ms)
            return runs[0]

        db = sqlite3.connect(os.path.join(data, "wardwatch.db"))
        cam = db.execute("SELECT id FROM cameras ORDER BY id LIMIT 1 OFFSET 499").fetchone()[0]
        cams20 = [row[0] for row in db.execute("SELECT id FROM cameras ORDER BY id LIMIT 20 OFFSET 100")]
        us = 1000000

        def truth(cams, frm, to, limit, before=None):
            q = "SELECT id FROM motion_events WHERE start_us < ? AND end_us > ?"
            a = [to * us, frm * us]
            if cams:
                q += " AND camera_id IN (%s)" % ",".join("?" * len(cams))
                a += cams
            if before:
                q += " AND (start_us < ? OR (start_us = ? AND id < ?))"
                a += [before[0], before[0], before[1]]
            q += " ORDER BY start_us DESC, id DESC LIMIT ?"
            return [row[0] for row in db.execute(q, a + [limit])]

        print("query times (median of 3):")
        r1 = timed("one camera, last day", "--camera", str(cam), "--from", str(END - DAY), "--to", str(END))
        ids = [e["id"] for e in r1["events"]]
        check(ids == truth([cam], END - DAY, END, 100), "one camera, last day: same rows as sqlite3",
              "got %d rows" % len(ids))
        check(all(e["camera_id"] == cam for e in r1["events"]) and
              all(r1["events"][i]["start_us"] >= r1["events"][i + 1]["start_us"] for i in range(len(ids) - 1)),
              "one camera, last day: that camera only, newest first")
        r2 = timed("one camera, last week", "--camera", str(cam), "--from", str(END - 7 * DAY),
                   "--to", str(END), "--limit", "200")
        check([e["id"] for e in r2["events"]] == truth([cam], END - 7 * DAY, END, 200),
              "one camera, last week: same rows as sqlite3")
        r3 = timed("20 cameras, last 3 days", "--camera", ",".join(map(str, cams20)),
                   "--from", str(END - 3 * DAY), "--to", str(END))
        check([e["id"] for e in r3["events"]] == truth(cams20, END - 3 * DAY, END, 100),
              "20 cameras, last 3 days: same rows as sqlite3")
        cursor = None
        seen = []
        for page in range(1, 6):
            args = ["--from", str(END - DAY), "--to", str(END), "--limit", "50"]
            if cursor:
                args += ["--before", cursor]
            rp = timed("all cameras, last day, page %d (cursor)" % page, *args)
            seen += [e["id"] for e in rp["events"]]
            cursor = rp["next"]
        check(seen == truth(None, END - DAY, END, 250), "all cameras, pages 1..5 = first 250 rows by sqlite3",
              "got %d ids" % len(seen))
        check(len(set(seen)) == len(seen), "cursor pages do not repeat rows")
        timed("all cameras, no range, page 1", "--limit", "50")
        db.close()
    except Exception as e:  # noqa: BLE001 — reported as a failure
        check(False, "query test", str(e))
    finally:
        shutil.rmtree(data, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
