"""The ward CLI verbs: `incident import | export | stats` and `demo-data`.

  - CSV imports with wrong columns, bad dates, unknown categories,
    coordinates out of range or a wrong field count exit non-zero, print
    FILE:LINE: errors, and import nothing;
  - a good file imports (multi-line quoted fields included) and exports
    back, filtered by ward and period;
  - demo-data fills a fresh data folder with marked demo data that the
    statistics and the criteria matrix show;
  - usage errors exit 2.
Fixtures: tests/fixtures/ward/*.csv.  Failures print expected vs seen.
"""
import csv
import io
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wwapi import SRC, check, finish, log, run  # noqa: E402

FIX = os.path.join(SRC, "tests", "fixtures", "ward")


def count(data):
    r = run(["incident", "list", "--limit", "1"], data)
    m = re.search(r"\(\d+ of (\d+)\)", r.stdout)
    return int(m.group(1)) if m else -1


def main():
    data = tempfile.mkdtemp(prefix="ww-ward-cli-")
    os.rmdir(data)
    try:
        r = run(["init"], data)
        check(r.returncode == 0, "init", 0, (r.returncode, r.stderr))
        # The fixtures name the wards "Phường A" and "Phường B".  The CLI has
        # no verb that adds a ward (the console does), so the test puts the
        # two rows into the fresh catalog directly.
        import sqlite3
        db = sqlite3.connect(os.path.join(data, "wardwatch.db"))
        db.execute("INSERT INTO wards(name, province) VALUES ('Phường A', 'Nghệ An'), ('Phường B', 'Nghệ An')")
        db.commit()
        db.close()

        cases = {
            "bad-columns.csv": [1],
            "bad-dates.csv": [3, 4],
            "bad-category.csv": [3],
            "bad-coords.csv": [3, 4, 5],
            "bad-fieldcount.csv": [3],
        }
        for name, lines in cases.items():
            path = os.path.join(FIX, name)
            r = run(["incident", "import", path], data)
            seen = [int(m.group(1)) for m in re.finditer(re.escape(path) + r":(\d+): ", r.stderr)]
            check(r.returncode == 1, f"{name}: exit code 1", 1, (r.returncode, r.stderr[-300:]))
            check(seen == lines, f"{name}: errors on lines {lines}", lines, seen)
            check("nothing was imported" in r.stderr, f"{name}: says nothing was imported", "nothing was imported",
                  r.stderr[-200:])
            check(count(data) == 0, f"{name}: the register is still empty", 0, count(data))

        r = run(["incident", "import", os.path.join(FIX, "good.csv"), "--user", "nhap-lieu"], data)
        check(r.returncode == 0 and "imported 3" in r.stdout, "good.csv imports 3 rows", "imported 3",
              (r.returncode, r.stdout, r.stderr[-300:]))
        check(count(data) == 3, "3 incidents in the register", 3, count(data))

        out = os.path.join(data, "export.csv")
        r = run(["incident", "export", "--ward", "Phường A", "--from", "2024-03-01", "--to", "06/03/2024", "-o", out],
                data)
        check(r.returncode == 0 and os.path.exists(out), "export of ward A, 1–5 March", 0, (r.returncode, r.stderr))
        if os.path.exists(out):
            with open(out, encoding="utf-8-sig") as f:
                rows = list(csv.DictReader(f))
            check(len(rows) == 1 and rows[0]["ward"] == "Phường A" and rows[0]["summary"] == "Trộm xe máy, đã thu hồi",
                  "the export holds the one row of ward A in the window", 1, rows)
            check(rows and rows[0]["occurred_at"] == "2024-03-05T14:30:00+07:00", "occurred_at as local ISO time",
                  "2024-03-05T14:30:00+07:00", rows and rows[0]["occurred_at"])
        r = run(["incident", "export", "-o", "-"], data)
        rows = list(csv.DictReader(io.StringIO(r.stdout.lstrip("\ufeff"))))
        multi = [x for x in rows if x["category"] == "traffic"]
        check(multi and multi[0]["summary"] == "Va chạm xe máy\nnhiều dòng", "a multi-line field survives export",
              "Va chạm xe máy\\nnhiều dòng", multi and multi[0]["summary"])
        r = run(["incident", "export", "--ward", "Không có", "-o", out], data)
        check(r.returncode == 2, "export of an unknown ward → exit 2", 2, (r.returncode, r.stderr))
        r = run(["incident", "import"], data)
        check(r.returncode == 2, "import without a file → exit 2", 2, r.returncode)
        r = run(["incident", "stats", "--period", "2024-13"], data)
        check(r.returncode == 2, "stats with a bad period → exit 2", 2, r.returncode)

        # demo data: wards, incidents, assessments, all marked
        r = run(["demo-data"], data, timeout=300)
        check(r.returncode == 0 and "(demo)" in r.stdout, "demo-data runs", 0, (r.returncode, r.stdout, r.stderr[-300:]))
        m = re.search(r"(\d+) incidents, (\d+) assessments", r.stdout)
        check(m and int(m.group(1)) > 1000 and int(m.group(2)) > 300, "demo-data adds incidents and assessments",
              "> 1000 incidents, > 300 assessments", r.stdout)
        r = run(["incident", "stats", "--period", "2026", "--json"], data)
        check(r.returncode == 0 and '"cases"' in r.stdout, "province statistics over the demo data", 0,
              (r.returncode, r.stderr[-200:]))
        r2 = run(["demo-data"], data, timeout=300)
        m2 = re.search(r"(\d+) incidents", r2.stdout)
        check(r2.returncode == 0 and m and m2 and m.group(1) == m2.group(1),
              "running demo-data again replaces the demo incidents (same seed, same count)",
              m and m.group(1), m2 and m2.group(1))
        check(count(data) == 3 + int(m2.group(1)) if m2 else False, "real incidents are untouched",
              3 + int(m2.group(1)) if m2 else "?", count(data))
        pdf = os.path.join(data, "r.pdf")
        r = run(["incident", "stats", "--period", "2026-Q1", "--pdf", pdf], data)
        with open(pdf, "rb") if os.path.exists(pdf) else open(os.devnull, "rb") as f:
            head = f.read(5)
        check(r.returncode == 0 and head == b"%PDF-", "stats --pdf writes a PDF", "%PDF-", (r.returncode, head))
    finally:
        shutil.rmtree(data, ignore_errors=True)
    log("done")
    finish()


if __name__ == "__main__":
    main()
