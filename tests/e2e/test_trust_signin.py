"""Issue 11 item 6: the sign-in limit holds under a parallel burst.

40 wrong passwords for one user are sent at once, each on its own
connection.  The attempt is counted before the password is checked, so at
most 5 (the per-user limit) may reach the password hash.  Measured with the
server's own count of password verifications (GET /api/v1/debug/auth,
admin only), read before and after the burst, and cross-checked against
the number of 401 answers and login_failed audit rows.
"""
import json
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wwapi import Server, check, finish  # noqa: E402

N, LIMIT = 40, 5


def checks(admin):
    r = admin.get("/api/v1/debug/auth")
    if r.status != 200:
        raise RuntimeError(f"debug/auth: {r}")
    return r.json["password_checks"]


def main():
    # The burst is 40 connections from one address: above the console's
    # per-address connection limit (32, item 10), which would refuse some
    # before they reach sign-in.  This test is about the sign-in counter.
    srv = Server(extra_args=["--max-conn-per-ip", "64"]).start()
    admin = srv.admin()
    w = srv.create_ward(admin)
    srv.create_user(admin, "victim", "viewer", ward_id=w)
    before = checks(admin)

    statuses = []
    lock = threading.Lock()
    go = threading.Barrier(N)

    def attempt(i):
        c = srv.client()
        go.wait(timeout=30)
        r = c.login("victim", f"wrong-guess-{i}")
        with lock:
            statuses.append(r.status)

    ts = [threading.Thread(target=attempt, args=(i,)) for i in range(N)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(120)
    check(len(statuses) == N, "every parallel attempt answered", N, len(statuses))
    ran = checks(admin) - before
    n401 = statuses.count(401)
    n429 = statuses.count(429)
    check(1 <= ran <= LIMIT, f"{N} parallel wrong passwords → at most {LIMIT} password checks", f"1..{LIMIT}", ran)
    check(n401 == ran, "each 401 was one password check", ran, n401)
    check(n401 + n429 == N, "the rest were refused with 429", N, n401 + n429)
    r = srv.cli("audit", "list", "--action", "login_failed", "--limit", "100", "--json")
    rows = json.loads(r.stdout) if r.returncode == 0 else []
    check(len(rows) == n401, "one login_failed audit row per checked attempt", n401, len(rows))
    # The debug counter is admin only.
    _, pw = srv.create_user(admin, "officer1", "officer", ward_id=w)
    r = srv.signed_in("officer1", pw).get("/api/v1/debug/auth")
    check(r.status == 403, "an officer cannot read the debug counter", 403, r.status)
    finish()


if __name__ == "__main__":
    main()
