"""Sign-in rate limiting: per username (5 failures → 429 with Retry-After,
even for the right password, while other users sign in normally) and per
client address (10 failures across usernames → 429 for everyone from that
address).  Malformed requests do not count; failures are audited.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wwapi import Server, check, finish  # noqa: E402


def main():
    srv = Server().start()
    admin = srv.admin()
    w = srv.create_ward(admin)
    _, pw_a = srv.create_user(admin, "alice", "viewer", ward_id=w)
    _, pw_b = srv.create_user(admin, "bob", "viewer", ward_id=w)
    anon = srv.client()

    # malformed attempts are not failures
    for _ in range(8):
        r = anon.request("POST", "/api/v1/session", raw=b"{oops", headers={"Content-Type": "application/json"})
        check(r.status == 400, "malformed sign-in → 400", 400, r.status)

    for i in range(5):
        r = anon.login("alice", f"wrong-{i}")
        check(r.status == 401, f"failure {i + 1} for alice → 401", 401, r.status)
    r = anon.login("alice", "wrong-6")
    check(r.status == 429, "6th attempt for alice → 429", 429, r.status)
    ra = r.header("Retry-After")
    check(ra is not None and ra.isdigit() and 1 <= int(ra) <= 30, "Retry-After in seconds (≤ 30 at first)",
          "1..30", ra)
    check(r.error_code() == "too_many_requests", "429 error code", "too_many_requests", r.error_code())
    r = anon.login("alice", pw_a)
    check(r.status == 429, "right password while locked → still 429", 429, r.status)
    r = anon.login("ALICE", pw_a)
    check(r.status == 429, "the lock ignores username case", 429, r.status)
    r = srv.client().login("bob", pw_b)
    check(r.status == 200, "another user signs in meanwhile", 200, r.status)

    # address limit: 10 failures from one address, across usernames
    for i in range(5):
        r = anon.login(f"ghost{i}", "nope-nope-nope")
        check(r.status == 401, f"failure for ghost{i} → 401", 401, r.status)
    r = anon.login("carol-unknown", "nope-nope-nope")
    check(r.status == 429, "10 failures from one address → 429 for any username", 429, r.status)
    r = srv.client().login("bob", pw_b)
    check(r.status == 429, "…including a valid user from that address", 429, r.status)

    # failures were audited (read by the CLI, which needs no sign-in)
    r = srv.cli("audit", "list", "--action", "login_failed", "--limit", "100", "--json")
    import json
    rows = json.loads(r.stdout) if r.returncode == 0 else []
    check(len(rows) == 10, "each checked failure is one login_failed audit row (locked ones are not "
          "checked)", 10, len(rows))
    reasons = sorted({json.loads(x["detail"])["reason"] for x in rows})
    check(reasons == ["bad_password", "unknown_user"], "failure reasons recorded",
          ["bad_password", "unknown_user"], reasons)

    # a restart clears the in-memory locks
    srv.stop(keep_data=True)
    srv2 = Server(data_dir=srv.data, port=srv.port)
    srv2.own_dir = True              # remove the folder at the end
    srv2.admin_password = srv.admin_password
    srv2.start()
    r = srv2.client().login("alice", pw_a)
    check(r.status == 200, "after a restart alice signs in", 200, r.status)
    finish()


if __name__ == "__main__":
    main()
