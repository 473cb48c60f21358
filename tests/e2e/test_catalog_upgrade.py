"""A catalog made before schema numbers were emitted in decimal keeps working.

Until migration 041, scripts/embed-schema.cmake wrote each NNN as a C literal,
so "040_community" was recorded as 32 (octal).  This test makes such a catalog
(a fresh one whose schema_migrations rows are set back to the octal numbers,
exactly what the old binary wrote), opens it with today's binary, and expects:
no migration applied twice (rows and data intact), the numbers put right by
name, and a camera added after it gets a new id.
"""
import os
import sqlite3
import subprocess
import tempfile

from wwtest import WW, check, finish

tmp = tempfile.mkdtemp(prefix="ww-upgrade-")
data = os.path.join(tmp, "data")


def run(*args):
    return subprocess.run([WW, "--data", data] + list(args), capture_output=True, text=True, timeout=60)


r = run("init")
check(r.returncode == 0, "init", "exit 0", r.stderr)
r = run("camera", "add", "--name", "Ngõ 5", "--main", "rtsp://10.0.0.5/main")
first_id = int(r.stdout.strip())
db = sqlite3.connect(os.path.join(data, "wardwatch.db"))
names = [n for (n,) in db.execute("SELECT name FROM schema_migrations ORDER BY version")]
# what the old binary recorded: int("040", 8) == 32.  It knew no migration past 047 (048
# and 049 are not octal numbers at all; 050 and later came after the fix): those rows
# keep their right number.
for n in names:
    num = n.split("_")[0]
    if int(num) <= 47 and all(ch in "01234567" for ch in num):
        db.execute("UPDATE schema_migrations SET version=? WHERE name=?", (int(num, 8), n))
db.commit()
db.close()

r = run("camera", "list", "--json")
check(r.returncode == 0 and "Ngõ 5" in r.stdout, "the old catalog opens with its data", "exit 0, camera listed",
      (r.returncode, r.stdout, r.stderr))
db = sqlite3.connect(os.path.join(data, "wardwatch.db"))
rows = dict(db.execute("SELECT name, version FROM schema_migrations"))
want = {n: int(n.split("_")[0], 10) for n in names}
check(rows == want, "migration numbers put right by name, none applied twice", want, rows)
db.close()
run("camera", "remove", str(first_id))
r = run("camera", "add", "--name", "Ngõ 6", "--main", "rtsp://10.0.0.6/main")
check(r.returncode == 0 and int(r.stdout.strip()) != first_id, "a removed camera's id is not reused",
      f"an id other than {first_id}", r.stdout)
finish()
