"""The audit trail end to end: sign-ins and changes made through the API
become rows; `wardwatch audit verify` passes on an untouched trail and, after
one row is changed with the sqlite3 tool, exits 1 naming that row; the API's
verify says the same; deleting a row is caught at its successor (cutting
the tail is covered by tests/unit/test_http_audit.c).
"""
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wwapi import Server, check, finish  # noqa: E402


def sqlite(db, sql):
    """Runs SQL with the sqlite3 tool (as someone tampering would); falls
    back to Python's module if the tool is missing."""
    if shutil.which("sqlite3"):
        r = subprocess.run(["sqlite3", db, sql], capture_output=True, text=True, timeout=30)
        if r.returncode != 0:
            raise RuntimeError(r.stderr)
    else:
        import sqlite3
        con = sqlite3.connect(db)
        con.executescript(sql)
        con.close()


def main():
    srv = Server().start()
    admin = srv.admin()
    w = srv.create_ward(admin)
    o = srv.create_owner(admin, w)
    cam = srv.create_camera(admin, w, o)
    _, pw = srv.create_user(admin, "owner7", "owner", owner_id=o)
    srv.client().login("admin", "a wrong password")
    admin.patch(f"/api/v1/cameras/{cam}", {"retention_days": 7, "password": "p", "username": "u"})

    r = admin.get("/api/v1/audit?limit=100")
    check(r.status == 200, "admin reads the audit", 200, r.status)
    rows = r.json["rows"] if r.status == 200 else []
    actions = [x["action"] for x in reversed(rows)]
    for a in ("user_change", "login", "ward_change", "owner_change", "camera_change", "login_failed"):
        check(a in actions, f"audit has a {a} row", a, actions)
    edit = [x for x in rows if x["action"] == "camera_change" and x["detail"].get("change") == "edit"]
    check(edit and sorted(edit[0]["detail"]["fields"]) == ["password", "retention_days", "username"],
          "camera edit row names the fields", ["password", "retention_days", "username"],
          edit[0]["detail"] if edit else None)
    check("\"p\"" not in json.dumps(edit[0]["detail"]) if edit else False,
          "the camera password itself is not in the audit", "absent", edit[0]["detail"] if edit else None)
    check(all(len(x["hash"]) == 64 for x in rows), "every row carries its hash", 64, [x["hash"] for x in rows][:2])
    ids = [x["id"] for x in rows]
    check(ids == sorted(ids, reverse=True), "newest first", "descending ids", ids)

    # paging
    r1 = admin.get("/api/v1/audit?limit=2")
    r2 = admin.get(f"/api/v1/audit?limit=2&before={r1.json['next_before']}")
    check(r2.status == 200 and r2.json["rows"][0]["id"] < r1.json["rows"][-1]["id"] + 1 and
          r2.json["rows"][0]["id"] == r1.json["rows"][-1]["id"] - 1, "paging with before=next_before",
          r1.json["rows"][-1]["id"] - 1, r2.json["rows"][0]["id"] if r2.json and r2.json["rows"] else None)
    r = admin.get(f"/api/v1/audit?camera={cam}")
    check(r.status == 200 and {x["camera_id"] for x in r.json["rows"]} == {cam}, "filter by camera",
          {cam}, r.text[:200])
    r = admin.get("/api/v1/audit?action=login_failed")
    check(r.status == 200 and len(r.json["rows"]) == 1 and r.json["rows"][0]["username"] == "admin",
          "filter by action", 1, r.text[:200])

    owner = srv.signed_in("owner7", pw)
    r = owner.get("/api/v1/audit")
    check(r.status == 200 and r.json["rows"] and all(x["camera_id"] == cam for x in r.json["rows"]),
          "owner sees the rows about own camera", cam, r.text[:200])

    r = srv.cli("audit", "verify")
    n_rows = len(admin.get("/api/v1/audit?limit=1000").json["rows"])
    check(r.returncode == 0 and f"{n_rows} rows verified" in r.stdout, "audit verify passes on an untouched trail",
          f"{n_rows} rows verified", (r.returncode, r.stdout, r.stderr))
    r = admin.get("/api/v1/audit/verify")
    check(r.status == 200 and r.json == {"ok": True, "rows_verified": n_rows}, "API verify ok",
          {"ok": True, "rows_verified": n_rows}, r.json)

    # tamper with row 3 while the server runs
    db = os.path.join(srv.data, "wardwatch.db")
    sqlite(db, "UPDATE audit SET username='nobody' WHERE id=3;")
    r = srv.cli("audit", "verify")
    check(r.returncode == 1 and "audit row 3: hash mismatch" in r.stdout,
          "audit verify exits 1 naming the changed row", "exit 1, 'audit row 3: hash mismatch'",
          (r.returncode, r.stdout.strip()))
    r = admin.get("/api/v1/audit/verify")
    check(r.status == 200 and r.json.get("ok") is False and r.json.get("bad_row") == 3,
          "API verify names row 3", {"ok": False, "bad_row": 3}, r.json)

    # put it back (restore the username) and delete a row instead
    row3 = [x for x in rows if x["id"] == 3]
    sqlite(db, f"UPDATE audit SET username='{row3[0]['username']}' WHERE id=3;" if row3[0]["username"]
           else "UPDATE audit SET username=NULL WHERE id=3;")
    r = srv.cli("audit", "verify")
    check(r.returncode == 0, "restoring the row makes the chain whole again", 0, (r.returncode, r.stdout))
    sqlite(db, "DELETE FROM audit WHERE id=4;")
    r = srv.cli("audit", "verify")
    check(r.returncode == 1 and "audit row 5:" in r.stdout, "a deleted row is caught at its successor",
          "audit row 5", r.stdout.strip())
    r = srv.cli("audit", "list", "--limit", "3")
    check(r.returncode == 0 and "ACTION" in r.stdout, "audit list prints a table", "table", r.stdout[:200])
    finish()


if __name__ == "__main__":
    main()
