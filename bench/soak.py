#!/usr/bin/env python3
"""Soak: one station under churn for a set time, sampling what it holds.

    bench/soak.py --duration 20m [--cameras 4] [--kill-every 300] [--assert]

In a loop, against `wardwatch serve` with simulated cameras:
  - camera restart : the camera server of the churned cameras stops for a few
                     seconds and comes back (ingest reconnects),
  - live churn     : a live view is opened, read for a moment and reset
                     (RST, no goodbye),
  - create/delete  : a camera is created through the API, sometimes runs a
                     little, and is deleted,
  - kill -9        : every --kill-every seconds the server is killed and
                     started again on the same data folder.
After each event it samples the server's RSS, file descriptors, threads and
the catalog's size and committed segment count.  At the end it prints, per
event kind, the growth per event after warm-up (the first third of each
server life is warm-up), and the segment commits per minute (a stalled
catalog shows as a flat count).

With --assert it exits 1 when FDs or threads grew after warm-up, when the
committed segments stopped growing for more than 10 s, or when RSS grew more
than --rss-slack-kb per event — the bounded version `make test` runs
(tests/e2e/test_soak_short.py).  The environment is the tests' (WARDWATCH_BIN,
CAMSIM_BIN, WW_MEDIA_DIR, WW_SOURCE_DIR); `make soak` sets it.
"""
import argparse
import os
import random
import re
import signal
import socket
import sqlite3
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
import wwapi  # noqa: E402
from wwtest import Camsim, Station, free_port  # noqa: E402


def parse_duration(s):
    m = re.fullmatch(r"(\d+)([smh]?)", s)
    if not m:
        raise argparse.ArgumentTypeError(f"bad duration {s!r} (e.g. 90, 90s, 20m, 1h)")
    return int(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[m.group(2)]


def proc_sample(pid):
    with open(f"/proc/{pid}/status") as f:
        status = f.read()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
    threads = int(re.search(r"Threads:\s+(\d+)", status).group(1))
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    return rss, fds, threads


def catalog_sample(data):
    path = os.path.join(data, "wardwatch.db")
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        segs = db.execute("SELECT COUNT(*) FROM segments").fetchone()[0]
    finally:
        db.close()
    size = sum(os.path.getsize(path + ext) for ext in ("", "-wal") if os.path.exists(path + ext))
    return segs, size


def live_churn(port, cookie, cam, hold_s):
    """Open a live view, read for hold_s, then reset the connection."""
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        s.sendall((f"GET /api/v1/cameras/{cam}/live?stream=main HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   f"Cookie: ww_session={cookie}\r\n\r\n").encode())
        got, end = 0, time.time() + hold_s
        while time.time() < end:
            s.settimeout(max(0.05, end - time.time()))
            try:
                b = s.recv(65536)
            except socket.timeout:
                break
            if not b:
                break
            got += len(b)
        return got
    finally:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()


class Soak:
    def __init__(self, args):
        self.args = args
        self.samples = []          # (t, life, kind, rss, fds, threads, segs, dbsize)
        self.life = 0
        self.events = {}
        self.failures = []

    def start_server(self):
        self.st.serve("--segment-seconds", "10", http_port=self.port)
        self.life += 1
        self.life_start = time.time()
        ok = self.st.wait_for(lambda: self.admin_login(), 30, step=0.5)
        if not ok:
            raise RuntimeError("serve did not answer the sign-in within 30 s:\n" + self.st.log()[-2000:])

    def admin_login(self):
        try:
            self.admin = wwapi.Client(self.port)
            return self.admin.login("admin", self.st.admin_password).status == 200
        except OSError:
            return False

    def sample(self, kind):
        try:
            rss, fds, th = proc_sample(self.st.proc.pid)
            segs, size = catalog_sample(self.st.data)
        except (OSError, sqlite3.Error, AttributeError):
            return
        self.samples.append((time.time(), self.life, kind, rss, fds, th, segs, size))
        self.events[kind] = self.events.get(kind, 0) + 1

    def ev_camera_restart(self):
        self.churn_cams.stop()
        time.sleep(random.uniform(2, 6))
        self.churn_cams = Camsim(cameras=2, port=self.churn_port, first=3).start()
        time.sleep(3)

    def ev_live(self):
        cam = random.choice(self.base)
        live_churn(self.port, self.admin.cookie, cam, random.uniform(0.3, 2.0))

    def ev_create_delete(self):
        r = self.admin.post("/api/v1/cameras", {"name": f"Soak {time.time():.0f}",
                                                "main_url": self.churn_cams.url(4), "enabled": True})
        if r.status != 201:
            self.failures.append(f"create camera: expected 201, saw {r.status} {r.body[:200]!r}")
            return
        if random.random() < 0.3:
            time.sleep(random.uniform(1, 4))
        r = self.admin.delete(f"/api/v1/cameras/{r.json['id']}", timeout=30)
        if r.status not in (200, 204):
            self.failures.append(f"delete camera: expected 204, saw {r.status}")

    def ev_kill9(self):
        self.st.stop(sig=signal.SIGKILL)
        self.start_server()

    def run(self):
        a = self.args
        self.cams = Camsim(cameras=2).start()              # steady cameras 1, 2
        self.churn_cams = Camsim(cameras=2, first=3).start()  # restarted cameras 3, 4
        self.churn_port = self.churn_cams.port
        self.st = Station("soak").init()
        self.port = free_port()
        try:
            self.base = [self.st.add_camera(f"Steady {n}", self.cams.url(n)) for n in (1, 2)]
            self.base += [self.st.add_camera("Restarted 3", self.churn_cams.url(3))]
            self.start_server()
            time.sleep(5)
            t_end = time.time() + a.duration
            next_kill = time.time() + a.kill_every if a.kill_every else None
            kinds = [("camera-restart", self.ev_camera_restart, 1),
                     ("live-churn", self.ev_live, 6),
                     ("create-delete", self.ev_create_delete, 3)]
            pick = [k for k in kinds for _ in range(k[2])]
            while time.time() < t_end:
                if next_kill and time.time() >= next_kill:
                    self.ev_kill9()
                    self.sample("kill-9")
                    next_kill = time.time() + a.kill_every
                    continue
                name, fn, _ = random.choice(pick)
                fn()
                self.sample(name)
                self.watch_stall()
        finally:
            self.st.stop()
            self.cams.stop()
            self.churn_cams.stop()
        rc = self.st.check()
        if rc.returncode != 0:
            self.failures.append(f"check after the soak: expected exit 0, saw {rc.returncode}: {rc.stdout[-800:]}")
        self.report()
        if not a.keep:
            self.st.remove()

    def watch_stall(self):
        """The committed segment count must move at least every stall_s."""
        now = time.time()
        life = [s for s in self.samples if s[1] == self.life]
        if not life or now - self.life_start < 25:
            return
        last_change = life[0][0]
        for prev, cur in zip(life, life[1:]):
            if cur[6] != prev[6]:
                last_change = cur[0]
        if now - last_change > self.args.stall_s:
            self.failures.append(f"catalog stalled: no segment committed for {now - last_change:.0f} s "
                                 f"(expected a commit at least every {self.args.stall_s} s)")
            self.life_start = now  # report once per stall

    def report(self):
        a = self.args
        print(f"soak: {a.duration} s, {self.life} server lives, events: "
              + ", ".join(f"{k} {v}" for k, v in sorted(self.events.items())))
        growth = {}
        for life in range(1, self.life + 1):
            rows = [s for s in self.samples if s[1] == life]
            if len(rows) < 6:
                continue
            warm = rows[len(rows) // 3:]
            first, last = warm[0], warm[-1]
            n = len(warm) - 1
            mins = (last[0] - first[0]) / 60 or 1
            print(f"  life {life}: {len(rows)} samples; after warm-up over {n} events: "
                  f"RSS {first[3]} → {last[3]} KB ({(last[3] - first[3]) / n:+.1f} KB/event), "
                  f"FDs {first[4]} → {last[4]}, threads {first[5]} → {last[5]}, "
                  f"segments +{last[6] - first[6]} ({(last[6] - first[6]) / mins:.1f}/min), "
                  f"catalog {first[7] // 1024} → {last[7] // 1024} KB")
            # per-kind growth: RSS change across events of that kind (sample - previous sample)
            for prev, cur in zip(warm, warm[1:]):
                g = growth.setdefault(cur[2], [0, 0, 0, 0])
                g[0] += cur[3] - prev[3]
                g[1] += cur[4] - prev[4]
                g[2] += cur[5] - prev[5]
                g[3] += 1
            fd_grew = max(r[4] for r in warm[-3:]) - min(r[4] for r in warm[:3])
            th_grew = max(r[5] for r in warm[-3:]) - min(r[5] for r in warm[:3])
            if fd_grew > a.fd_slack:
                self.failures.append(f"life {life}: FDs grew by {fd_grew} after warm-up (expected ≤ {a.fd_slack})")
            if th_grew > a.thread_slack:
                self.failures.append(f"life {life}: threads grew by {th_grew} after warm-up "
                                     f"(expected ≤ {a.thread_slack})")
            per_event = (last[3] - first[3]) / n
            if a.rss_slack_kb is not None and per_event > a.rss_slack_kb:
                self.failures.append(f"life {life}: RSS grew {per_event:.1f} KB per event after warm-up "
                                     f"(expected ≤ {a.rss_slack_kb})")
        for k, (rss, fds, th, n) in sorted(growth.items()):
            print(f"  per {k}: RSS {rss / n:+.1f} KB, FDs {fds / n:+.2f}, threads {th / n:+.2f} (n={n})")
        for f in self.failures:
            print("FAIL:", f)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=parse_duration, default=parse_duration("20m"))
    ap.add_argument("--kill-every", type=parse_duration, default=300)
    ap.add_argument("--stall-s", type=float, default=12)
    ap.add_argument("--fd-slack", type=int, default=4)
    ap.add_argument("--thread-slack", type=int, default=2)
    ap.add_argument("--rss-slack-kb", type=float, default=None)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--assert", dest="assert_", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the data folder")
    a = ap.parse_args()
    random.seed(a.seed)
    s = Soak(a)
    s.run()
    if a.assert_ and s.failures:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
