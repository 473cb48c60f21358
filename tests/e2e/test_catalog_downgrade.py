"""A catalog from a newer wardwatch is refused, and left exactly as it was.

A downgrade (an older binary put back over a newer one's data folder) must
not touch the catalog: its tables are the newer version's, and a migration
the older binary ran later could collide with theirs.  This test records a
migration past the newest this binary knows and expects every verb that
opens the catalog to exit 2 with one line naming both versions, the file
byte for byte the same afterwards, and no -wal/-shm left beside it.  Then
the same while another process holds the catalog open with WAL content not
yet checkpointed: the main file and the WAL stay the same.
A backup of such a catalog is refused the same way by restore.
"""
import hashlib
import os
import shutil
import sqlite3
import subprocess
import tempfile

from wwtest import WW, check, finish

tmp = tempfile.mkdtemp(prefix="ww-downgrade-")
data = os.path.join(tmp, "data")
db_path = os.path.join(data, "wardwatch.db")


def run(*args, data_dir=data):
    return subprocess.run([WW, "--data", data_dir] + list(args), capture_output=True, text=True, timeout=60)


def digest(path):
    if not os.path.exists(path):
        return None
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def state():
    return {sfx: digest(db_path + sfx) for sfx in ("", "-wal", "-shm")}


r = run("init")
check(r.returncode == 0, "init", "exit 0", r.stderr)
run("camera", "add", "--name", "Ngõ 7", "--main", "rtsp://10.0.0.7/main")
db = sqlite3.connect(db_path)
known = db.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0]
future = known + 1
db.execute("INSERT INTO schema_migrations VALUES (?, ?, 0)", (future, f"{future:03d}_from_the_future"))
db.execute("CREATE TABLE future_things (id INTEGER PRIMARY KEY, what TEXT)")
db.commit()
db.close()
before = state()
check(before["-wal"] is None and before["-shm"] is None, "the catalog is closed and checkpointed", "no -wal/-shm",
      before)

message = (f"catalog schema {future:03d} is newer than this wardwatch (knows up to {known:03d}): "
           "install the newer version or restore a backup")
verbs = [["camera", "list"], ["camera", "add", "--name", "X", "--main", "rtsp://10.0.0.8/main"], ["check"],
         ["check", "--quick"], ["recordings", "--camera", "1"], ["audit", "verify"], ["user", "list"],
         ["hold", "list"], ["retention", "plan"], ["map", "show"], ["serve", "--no-http"],
         ["demo-data"], ["backup", os.path.join(tmp, "bk-refused")],
         ["motion", "gen-events", "--cameras", "1", "--days", "1"]]
for v in verbs:
    r = run(*v)
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    check(r.returncode == 2 and lines == ["wardwatch: " + message], f"'{' '.join(v[:2])}' refuses the newer catalog",
          f"exit 2 and the one line '{message}'", (r.returncode, lines[-3:]))
    after = state()
    check(after == before, f"'{' '.join(v[:2])}' leaves the catalog byte for byte as it was", before, after)
check(not os.path.exists(os.path.join(tmp, "bk-refused", "wardwatch.db")), "no backup is written of it",
      "no bk-refused/wardwatch.db", os.listdir(tmp))

# The same with a WAL another connection has not checkpointed yet (a newer serve still running).
# The holder is a process of its own: POSIX locks are per process, and this one's hashing
# (open + close of the file) would drop the locks of a connection it held itself.
HOLD = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA wal_autocheckpoint=0")
db.execute("INSERT INTO future_things(what) VALUES ('still in the WAL')")
print("held", flush=True)
sys.stdin.readline()
"""
holder = subprocess.Popen(["python3", "-c", HOLD, db_path], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
ready = holder.stdout.readline().strip()
held = state()
check(ready == "held" and held["-wal"] is not None, "another process's change sits in the WAL", "a -wal file",
      (ready, held))
for v in (["camera", "list"], ["check"]):
    r = run(*v)
    check(r.returncode == 2 and message in r.stderr, f"'{v[0]}' refuses it while the WAL holds the newer rows",
          "exit 2 naming both versions", (r.returncode, r.stderr[-300:]))
    now = state()
    check(now[""] == held[""] and now["-wal"] == held["-wal"], f"'{v[0]}' changes neither the file nor its WAL",
          {k: held[k] for k in ("", "-wal")}, {k: now[k] for k in ("", "-wal")})
holder.communicate("\n", timeout=30)

# A backup made by the newer version: restore checks it and refuses, writing no catalog.
bk = os.path.join(tmp, "bk-newer")
os.makedirs(bk)
shutil.copy(db_path, os.path.join(bk, "wardwatch.db"))
with open(os.path.join(bk, "backup.json"), "w") as f:
    f.write('{"kind": "wardwatch backup", "format": 1}\n')
with open(os.path.join(bk, "SHA256SUMS"), "w") as f:
    for name in ("wardwatch.db", "backup.json"):
        f.write(f"{digest(os.path.join(bk, name))}  {name}\n")
fresh = os.path.join(tmp, "fresh")
r = run("restore", bk, data_dir=fresh)
check(r.returncode == 2 and message in r.stderr,
      "restore refuses a newer version's backup", "exit 2 naming both versions", (r.returncode, r.stderr[-300:]))
left = sorted(os.listdir(fresh)) if os.path.isdir(fresh) else []
check("wardwatch.db" not in left and not any(n.startswith("wardwatch.db") for n in left),
      "and leaves no catalog in the data folder", "no wardwatch.db*", left)
shutil.rmtree(tmp, ignore_errors=True)
finish()
