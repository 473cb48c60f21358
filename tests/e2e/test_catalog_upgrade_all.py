"""Every earlier schema version upgrades to today's, keeping every row.

For each migration N before the newest (001, 002, 003, 010, ... 047: the
numbers that exist, not every integer) this test makes a catalog exactly as
the wardwatch of that day left it:

  * migrations 001..N applied in order the way src/catalog/db.c runs them
    (schema_migrations created first; each file in one transaction, with
    foreign keys on, or off plus legacy_alter_table for a file whose first
    line is "-- ww:foreign-keys-off"; foreign_key_check after those);
  * schema_migrations numbered as that binary numbered them: until the fix
    of commit f28ef57 (which came when 041 was the newest migration)
    scripts/embed-schema.cmake wrote "041" as a C literal, so every number
    was read as octal (040 -> 32).  A catalog at 041 may have been made by
    either binary: both are tested;
  * WAL mode, as every catalog is.

It then fills every table that exists at N with three rows (columns from
PRAGMA table_info; NOT NULL values chosen to satisfy the table's CHECKs;
foreign keys pointing at rows made before; the hand-written rows are in
HAND below), plus one camera that was removed after the audit trail named
it, opens the file with today's binary and expects: exit 0, schema_migrations
ending at the newest migration with every number in decimal, every row
inserted still there with the same values, the same row count in every
table, and a new camera getting an id above every camera id the catalog
ever had (including the removed one).
"""
import glob
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time

from wwtest import SRC, WW, check, finish, log

SCHEMA = os.path.join(SRC, "src", "catalog", "schema")
FILES = sorted(glob.glob(os.path.join(SCHEMA, "[0-9][0-9][0-9]_*.sql")))
MIGRATIONS = [(os.path.basename(f)[:-4], open(f, encoding="utf-8").read()) for f in FILES]
NEWEST = int(MIGRATIONS[-1][0][:3], 10)
OCTAL_UNTIL = 41  # the newest migration the octal-numbering binary had
BASE_US = 1_764_000_000_000_000  # 2025-11-24, a plausible recording time
ROWS = 3

# table -> {column: value or callable(i, ids)} written by hand where the
# generic rule cannot know what a valid row is.  ids: table -> [rowids].
HAND = {
    # role 'officer' needs a ward; the generic rule would pick 'admin' for all
    "users": {"role": lambda i, ids: ["admin", "province", "viewer"][i],
              "ward_id": lambda i, ids: ids["wards"][0] if i == 2 else None,
              "owner_id": lambda i, ids: None},
    "owners": {"kind": lambda i, ids: ["household", "shop", "school"][i]},
    "sessions": {"token_hash": lambda i, ids: bytes([i + 1]) * 32},
    "settings": {"key": lambda i, ids: f"upgrade-test-{i}"},
    "alert_webhooks": {"url": lambda i, ids: f"https://hooks.example.invalid/{i}"},
    "motion_events": {"peak_score": 0.75},
    "incidents": {"status": lambda i, ids: ["received", "verifying", "solved"][i]},
}

# column name -> the table its id points into, for columns without REFERENCES
ID_OF = {"camera_id": "cameras", "stream_id": "streams", "user_id": "users", "ward_id": "wards",
         "incident_id": "incidents", "owner_id": "owners", "export_id": "exports", "event_id": "motion_events",
         "alert_id": "camera_alerts", "bundle_id": "evidence_bundles", "set_id": "criteria_sets"}


def apply_migrations(path, upto, octal):
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE IF NOT EXISTS schema_migrations ( version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
               " applied_us INTEGER NOT NULL)")
    for k, (name, sql) in enumerate(MIGRATIONS):
        num = int(name[:3], 10)
        if num > upto:
            break
        fk_off = sql.startswith("-- ww:foreign-keys-off")
        db.execute("PRAGMA foreign_keys=%s" % ("OFF" if fk_off else "ON"))
        db.execute("PRAGMA legacy_alter_table=%s" % ("ON" if fk_off else "OFF"))
        version = int(name[:3], 8) if octal else num
        db.execute("BEGIN IMMEDIATE")
        # (executescript would COMMIT first: the statements run one by one inside our transaction)
        for stmt in split_sql(sql):
            db.execute(stmt)
        if fk_off and db.execute("PRAGMA foreign_key_check").fetchall():
            raise RuntimeError(f"{name} left foreign-key violations")
        db.execute("INSERT INTO schema_migrations VALUES (?,?,?)", (version, name, BASE_US + k))
        db.execute("COMMIT")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA legacy_alter_table=OFF")
    return db


def split_sql(sql):
    """Statements of a migration, split where sqlite3.complete_statement says one ends."""
    out, cur = [], ""
    for line in sql.splitlines(keepends=True):
        cur += line
        if sqlite3.complete_statement(cur):
            if cur.strip():
                out.append(cur)
            cur = ""
    if cur.strip() and not all(l.strip().startswith("--") or not l.strip() for l in cur.splitlines()):
        raise RuntimeError("unterminated statement: " + cur[:80])
    return out


def tables(db):
    return [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                                     " AND name <> 'schema_migrations' ORDER BY name")]


def fk_parents(db, t):
    return {r[3]: r[2] for r in db.execute(f'PRAGMA foreign_key_list("{t}")')}  # column -> parent table


def fill_order(db):
    """Parents before children (foreign keys, plus the *_id naming of ID_OF)."""
    ts = tables(db)
    deps = {t: {p for p in fk_parents(db, t).values() if p != t and p in ts} for t in ts}
    for t in ts:
        for c in columns(db, t):
            p = ID_OF.get(c["name"])
            if p and p in ts and p != t:
                deps[t].add(p)
    order, seen = [], set()

    def visit(t, stack=()):
        if t in seen:
            return
        if t in stack:
            return  # a cycle: one side is nullable, filled later by NULL
        for p in sorted(deps[t]):
            visit(p, stack + (t,))
        seen.add(t)
        order.append(t)

    for t in ts:
        visit(t)
    return order


def columns(db, t):
    return [dict(zip(("cid", "name", "type", "notnull", "dflt", "pk"), r)) for r in db.execute(f'PRAGMA table_info("{t}")')]


def table_sql(db, t):
    return db.execute("SELECT sql FROM sqlite_master WHERE type='table' AND name=?", (t,)).fetchone()[0]


def checked_value(sql, col):
    """A value the table's CHECKs allow for col: the first of an IN list, the middle of a BETWEEN."""
    m = re.search(r"\b%s\s+IN\s*\(([^)]*)\)" % re.escape(col), sql)
    if m:
        first = m.group(1).split(",")[0].strip()
        return first.strip("'") if first.startswith("'") else int(first)
    m = re.search(r"\b%s\s+BETWEEN\s+(-?[\d.]+)\s+AND\s+(-?[\d.]+)" % re.escape(col), sql)
    if m:
        lo, hi = float(m.group(1)), float(m.group(2))
        return (lo + hi) / 2
    return None


def time_rank(col):
    """Starts before peaks before ends, so from/to and start/end CHECKs hold."""
    if re.search(r"(^|_)(end|to|last|expires|until|cleared|closed|updated|last_seen)(_|$)", col):
        return 2
    if "peak" in col:
        return 1
    return 0


def value_for(db, t, c, i, ids, parents, sql):
    name, typ = c["name"], (c["type"] or "").upper()
    hand = HAND.get(t, {})
    if name in hand:
        v = hand[name]
        return v(i, ids) if callable(v) else v
    parent = parents.get(name) or ID_OF.get(name)
    if parent and parent in ids and ids[parent]:
        return ids[parent][i % len(ids[parent])]
    if not c["notnull"] or c["dflt"] is not None:
        return None
    v = checked_value(sql, name)
    if v is not None:
        return int(v) if "INT" in typ and isinstance(v, float) else v
    if name.endswith("_us"):
        return BASE_US + i * 60_000_000 + time_rank(name) * 1_000_000
    if "INT" in typ:
        return i + 1
    if "REAL" in typ:
        return 1.5 + i
    if "BLOB" in typ:
        return bytes([i + 1]) * 32
    if name.endswith("url"):
        return f"rtsp://10.9.0.{i + 1}/{t}/{name}"
    return f"{t}.{name}.{i} Ngõ {i}"  # UNIQUE-safe, and not ASCII only


def fill(db, version):
    ids = {}
    order = fill_order(db)
    for t in order:
        cols = columns(db, t)
        parents = fk_parents(db, t)
        sql = table_sql(db, t)
        ids[t] = [r[0] for r in db.execute(f'SELECT rowid FROM "{t}"')] if "WITHOUT ROWID" not in sql.upper() else []
        for i in range(ROWS):
            row = {}
            for c in cols:
                if c["pk"] == 1 and "INT" in (c["type"] or "").upper() and sum(x["pk"] > 0 for x in cols) == 1 \
                        and not (parents.get(c["name"]) or ID_OF.get(c["name"]) in ids):
                    continue  # the row id: SQLite hands it out
                v = value_for(db, t, c, i, ids, parents, sql)
                if v is not None:
                    row[c["name"]] = v
            names = ",".join(f'"{k}"' for k in row)
            try:
                cur = db.execute(f'INSERT INTO "{t}" ({names}) VALUES ({",".join("?" * len(row))})',
                                 list(row.values()))
            except sqlite3.Error as e:
                raise RuntimeError(f"version {version}: cannot fill {t} with {row}: {e}")
            if "WITHOUT ROWID" not in sql.upper():
                ids[t].append(cur.lastrowid)
    return ids


def removed_camera(db, ids):
    """A camera the audit trail named, then removed: its id must never come back."""
    cur = db.execute("INSERT INTO cameras(name, main_url, created_us) VALUES ('Đã gỡ', 'rtsp://10.9.9.9/main', ?)",
                     (BASE_US,))
    gone = cur.lastrowid
    db.execute("INSERT INTO audit(at_us, username, action, camera_id, prev_hash, hash) VALUES (?,?,?,?,?,?)",
               (BASE_US + 1, "admin", "camera.remove", gone, "0" * 64, "f" * 64))
    db.execute("DELETE FROM cameras WHERE id=?", (gone,))
    return gone


def snapshot(db):
    snap = {}
    for t in tables(db):
        sql = table_sql(db, t)
        cols = [c["name"] for c in columns(db, t)]
        key = "rowid" if "WITHOUT ROWID" not in sql.upper() else ",".join(
            c["name"] for c in columns(db, t) if c["pk"])
        rows = db.execute(f'SELECT {",".join(chr(34) + c + chr(34) for c in cols)} FROM "{t}" ORDER BY {key}').fetchall()
        snap[t] = (cols, rows)
    return snap


def compare(before, after_db, label):
    after = snapshot(after_db)
    problems = []
    for t, (cols, rows) in before.items():
        if t not in after:
            problems.append(f"table {t} is gone")
            continue
        acols, arows = after[t]
        keep = [acols.index(c) for c in cols if c in acols]
        lost = [c for c in cols if c not in acols]
        if lost:
            problems.append(f"{t}: columns {lost} are gone")
        want = [tuple(r[cols.index(acols[k])] for k in keep) for r in rows]
        got = [tuple(r[k] for k in keep) for r in arows]
        if len(got) != len(want):
            problems.append(f"{t}: {len(want)} rows before, {len(got)} after")
        elif got != want:
            diff = next(i for i in range(len(want)) if want[i] != got[i])
            problems.append(f"{t}: row {diff} was {want[diff]}, is {got[diff]}")
    return problems


def run(data, *args):
    return subprocess.run([WW, "--data", data] + list(args), capture_output=True, text=True, timeout=60)


tmp = tempfile.mkdtemp(prefix="ww-upgrade-all-")
earlier = [int(n[:3], 10) for n, _ in MIGRATIONS[:-1]]
cases = [(v, v <= OCTAL_UNTIL) for v in earlier] + [(OCTAL_UNTIL, False)]
check(len(earlier) >= 16, "every earlier migration is a case", ">= 16 versions (001 .. 047)", earlier)
t0 = time.time()
for version, octal in cases:
    label = f"{version:03d}{' (octal numbers)' if octal else ''}"
    data = os.path.join(tmp, f"v{version:03d}{'o' if octal else 'd'}")
    os.makedirs(os.path.join(data, "rec"))
    path = os.path.join(data, "wardwatch.db")
    try:
        db = apply_migrations(path, version, octal)
        db.execute("BEGIN")
        ids = fill(db, version)
        gone = removed_camera(db, ids) if "audit" in tables(db) else 0
        db.execute("COMMIT")
    except Exception as e:  # a fixture that cannot be built is a failed case, not a crash
        check(False, f"{label}: fixture built", "every table filled", e)
        continue
    before = snapshot(db)
    max_camera = max(ids["cameras"] + [gone])
    db.close()

    r = run(data, "camera", "list", "--json")
    if not check(r.returncode == 0, f"{label}: today's binary opens it", "exit 0", (r.returncode, r.stderr[-400:])):
        continue
    listed = {c["name"] for c in json.loads(r.stdout)}
    check(len(listed) == ROWS, f"{label}: its cameras are listed", f"{ROWS} cameras", listed)
    db = sqlite3.connect(path)
    rows = db.execute("SELECT version, name FROM schema_migrations ORDER BY version").fetchall()
    want = [(int(n[:3], 10), n) for n, _ in MIGRATIONS]
    check(rows == want, f"{label}: schema_migrations ends at {NEWEST:03d}, numbered in decimal, none twice",
          want[-3:], rows[-3:] if rows != want else rows)
    problems = compare(before, db, label)
    check(not problems, f"{label}: every row of every table is still there, unchanged",
          f"{sum(len(r) for _, r in before.values())} rows in {len(before)} tables", problems[:5])
    db.close()
    r = run(data, "camera", "add", "--name", "Sau nâng cấp", "--main", "rtsp://10.9.1.1/main")
    new_id = int(r.stdout.strip().splitlines()[-1]) if r.returncode == 0 and r.stdout.strip() else None
    check(new_id is not None and new_id > max_camera, f"{label}: a new camera gets a fresh id",
          f"an id above {max_camera}", (new_id, r.stderr[-300:]))
elapsed = time.time() - t0
log(f"{len(cases)} versions in {elapsed:.1f} s")
check(elapsed < 60, "all versions well under a minute", "< 60 s", f"{elapsed:.1f} s")
shutil.rmtree(tmp, ignore_errors=True)
finish()
