#!/usr/bin/env python3
"""The province hub against a real PostgreSQL 15 and a real mosquitto,
driven by mosquitto_pub in message format v1 (docs/province.md) while the
station publisher is not there yet.  The test plays the station: it keeps
every message it sent and answers the hub's resend requests (read with
mosquitto_sub) by publishing again from the asked seq.

Covers: station add / enrol (token once only, wrong token 403), messages
applied, duplicates and out-of-order versions change nothing, a seq gap
gets a resend request, the hub stopped 20 s while messages are published
(the broker holds them in the hub's persistent session), PostgreSQL
restarted while messages flow (none lost), malformed / wrong v / not
enrolled dropped, a message PostgreSQL refuses rolled back alone while the
rest of its batch commits, `hub check` 0 when equal and 1 with a diff when
not."""
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import wwtest  # noqa: E402
from wwtest import check, log  # noqa: E402
import wwprovince  # noqa: E402


def http_post(port, path, body):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


class Hub:
    def __init__(self, tmp, pg, mq):
        self.tmp, self.pg, self.mq = tmp, pg, mq
        self.data = os.path.join(tmp, "hub")
        self.port = wwtest.free_port()
        self.proc = None
        self.log_path = os.path.join(tmp, "hub.log")

    def ww(self, *args, check_rc=True):
        r = subprocess.run([wwtest.WW, "hub"] + list(args) + ["--pg", self.pg.conninfo],
                           capture_output=True, text=True, timeout=60)
        if check_rc and r.returncode != 0:
            raise RuntimeError(f"hub {' '.join(args)}: {r.returncode} {r.stderr.strip()}")
        return r

    def start(self):
        self.logf = open(self.log_path, "a")
        self.proc = subprocess.Popen(
            [wwtest.WW, "hub", "serve", "--pg", self.pg.conninfo, "--mqtt", self.mq.url,
             "--data", self.data, "--listen", f"127.0.0.1:{self.port}",
             "--mqtt-public", "mqtt://province.example:1883", "--gap-wait-ms", "1500",
             "--client-id", "hub-test"],
            stdout=self.logf, stderr=subprocess.STDOUT)
        wwtest._procs.append(self.proc)
        deadline = time.time() + 20
        while time.time() < deadline and not wwtest.port_open(self.port):
            time.sleep(0.1)
        # subscribed: the hub's resend requests at connect show it
        time.sleep(1.0)
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(20)
        return self.proc.returncode

    def log(self):
        with open(self.log_path) as f:
            return f.read()


class StationSim:
    """Publishes v1 camera messages and answers resend requests."""

    def __init__(self, sid, mq, tmp):
        self.sid, self.mq = sid, mq
        self.sent = {}        # seq -> payload (what a station's outbox holds)
        self.state = {}       # id -> (version, deleted)  what the hub must end with
        self.seq = 0
        self.resends = []
        self.lock = threading.Lock()
        self.sub_path = os.path.join(tmp, "ctl.txt")
        self.sub = subprocess.Popen(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(mq.port),
                                     "-q", "1", "-t", f"wardwatch/{sid}/ctl/#"],
                                    stdout=open(self.sub_path, "w"), stderr=subprocess.DEVNULL)
        wwtest._procs.append(self.sub)
        self.answer = True
        self.stopping = False
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def payload(self, seq, cam_id, version, data, op="upsert", v=1, entity="camera"):
        return json.dumps({"v": v, "station": self.sid, "seq": seq, "entity": entity,
                           "id": str(cam_id), "version": version, "op": op,
                           "at": "2026-12-03T10:15:02Z", "data": data})

    def pub_raw(self, lines, topic=None):
        topic = topic or f"wardwatch/{self.sid}/camera"
        for _ in range(20):  # the broker may be restarting
            r = subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(self.mq.port),
                                "-q", "1", "-t", topic, "-l"], input="\n".join(lines) + "\n",
                               text=True, capture_output=True, timeout=30)
            if r.returncode == 0:
                return
            time.sleep(0.5)
        raise RuntimeError(f"mosquitto_pub: {r.stderr}")

    def new(self, cam_id, data, op="upsert", send=True, entity="camera"):
        with self.lock:
            self.seq += 1
            s = self.seq
            self.sent[s] = self.payload(s, cam_id, s, data if op == "upsert" else {}, op,
                                        entity=entity)
            if entity == "camera":
                self.state[str(cam_id)] = (s, op == "delete")
        if send:
            self.pub_raw([self.sent[s]], topic=f"wardwatch/{self.sid}/{entity}")
        return s

    def _watch(self):
        pos = 0
        while not self.stopping:
            time.sleep(0.2)
            with open(self.sub_path) as f:
                f.seek(pos)
                chunk = f.read()
                if not chunk.endswith("\n"):
                    continue
                pos += len(chunk)
            for line in chunk.splitlines():
                try:
                    m = json.loads(line)
                except ValueError:
                    continue
                self.resends.append(m.get("from"))
                if self.answer:
                    with self.lock:
                        lines = [self.sent[s] for s in sorted(self.sent) if s >= m.get("from", 1)]
                    for line in lines:  # one topic per entity
                        self.pub_raw([line], topic=f"wardwatch/{self.sid}/{json.loads(line)['entity']}")

    def census(self, seq=None, fudge=0):
        live = [v for v, d in self.state.values() if not d]
        data = {"camera": {"count": len(live) + fudge, "max_version": max(live) if live else 0}}
        return json.dumps({"v": 1, "station": self.sid, "seq": seq or self.seq, "entity": "census",
                           "id": "census", "version": seq or self.seq, "op": "upsert",
                           "data": data})


def wait(cond, timeout, step=0.2):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(step)
    return cond()


def main():
    tmp = tempfile.mkdtemp(prefix="ww-hub-")
    pg = wwprovince.Postgres().start()
    mq = wwprovince.Mosquitto().start()
    hub = Hub(tmp, pg, mq)
    try:
        run(tmp, pg, mq, hub)
    finally:
        hub.stop()
        mq.close()
        pg.close()
    wwtest.finish()


def applied(pg, sid):
    r = pg.psql(f"SELECT last_seq, cardinality(seq_above) FROM stations WHERE id = '{sid}'")
    return (int(r[0][0]), int(r[0][1])) if r else (0, 0)


def run(tmp, pg, mq, hub):
    r = hub.ww("init", "--data", hub.data)
    check(os.path.exists(os.path.join(hub.data, "hub.pub")), "hub init writes the hub key",
          "hub.pub", os.listdir(hub.data))
    hub.ww("init", "--data", hub.data)  # idempotent
    out = hub.ww("station", "add", "Phường Bến Nghé").stdout
    sid = re.search(r"station (\S+)", out).group(1)
    token = re.search(r"token (\S+)", out).group(1)
    other = re.search(r"station (\S+)", hub.ww("station", "add", "Phường Đa Kao").stdout).group(1)
    check(pg.psql(f"SELECT token_hash <> '{token}' FROM stations WHERE id = '{sid}'") == [["t"]],
          "only the token's hash is stored", "hash", "plain token")

    hub.start()
    st, body = http_post(hub.port, "/api/v1/province/enrol", {"token": "0" * 64, "public_key": "k"})
    check(st == 403, "a wrong token is refused", 403, (st, body))
    st, body = http_post(hub.port, "/api/v1/province/enrol",
                         {"token": token, "name": "Bến Nghé", "public_key": "c3RhdGlvbi1rZXk="})
    check(st == 200 and body.get("station") == sid, "enrolment answers the station id", sid, (st, body))
    check(body.get("mqtt") == "mqtt://province.example:1883" and len(body.get("hub_public_key", "")) == 44,
          "enrolment hands the broker URL and the hub's Ed25519 key", "url + 44 base64", body)
    st, body = http_post(hub.port, "/api/v1/province/enrol", {"token": token, "public_key": "k"})
    check(st == 403, "a token works once only", 403, (st, body))
    listing = hub.ww("station", "list").stdout
    check(sid in listing and other in listing, "station list shows both", [sid, other], listing)

    sim = StationSim(sid, mq, tmp)
    time.sleep(0.5)
    for i in range(1, 6):
        sim.new(i, {"name": f"cam {i}", "state": "online"})
    check(wait(lambda: applied(pg, sid) == (5, 0), 15), "five messages applied", (5, 0), applied(pg, sid))
    n = pg.psql(f"SELECT count(*) FROM rows WHERE station = '{sid}' AND entity = 'camera'")
    check(n == [["5"]], "five camera rows", 5, n)

    # a duplicate with other data changes nothing (same version)
    sim.pub_raw([sim.payload(3, 3, 3, {"name": "tampered"})])
    # out of order: seq 7 (camera 1, new) arrives before seq 6 (camera 1, older state)
    s6 = sim.new(1, {"name": "cam 1 old"}, send=False)
    s7 = sim.new(1, {"name": "cam 1 new"}, send=False)
    sim.answer = False
    sim.pub_raw([sim.sent[s7]])
    check(wait(lambda: s6 in sim.resends, 10), "a seq gap gets a resend request from the missing seq",
          f"from {s6}", sim.resends)
    check(applied(pg, sid) == (5, 1), "the seq past the gap is applied and the gap kept", (5, 1),
          applied(pg, sid))
    sim.pub_raw([sim.sent[s6]])
    sim.answer = True
    check(wait(lambda: applied(pg, sid) == (7, 0), 10), "the gap closes", (7, 0), applied(pg, sid))
    rows = pg.psql(f"SELECT id, version, data->>'name' FROM rows WHERE station = '{sid}' AND id IN ('1','3') ORDER BY id")
    check(rows == [["1", str(s7), "cam 1 new"], ["3", "3", "cam 3"]],
          "duplicates and older versions change nothing", [["1", s7, "cam 1 new"], ["3", 3, "cam 3"]], rows)
    sim.new(2, {}, op="delete")
    check(wait(lambda: pg.psql(f"SELECT deleted FROM rows WHERE station='{sid}' AND id='2'") == [["t"]], 10),
          "a delete is kept as a tombstone", "t",
          pg.psql(f"SELECT deleted FROM rows WHERE station='{sid}' AND id='2'"))

    # dropped: malformed, wrong v, not enrolled
    before = pg.psql("SELECT count(*) FROM rows")
    sim.pub_raw(["{not json"])
    wrong_v = sim.new(9, {"name": "v2"}, send=False)  # refused, but its seq is the station's
    sim.sent[wrong_v] = sim.sent[wrong_v].replace('"v": 1', '"v": 2')
    sim.state.pop("9")
    sim.pub_raw([sim.sent[wrong_v]])
    sim.pub_raw([json.dumps({"v": 1, "station": other, "seq": 1, "entity": "camera", "id": "1",
                             "version": 1, "op": "upsert", "data": {}})], topic=f"wardwatch/{other}/camera")
    # a refused message that names its seq holds no gap open: it is marked seen
    bad = sim.new(9, {"name": "bad"}, send=False)
    sim.sent[bad] = sim.sent[bad].replace('"op": "upsert"', '"op": "merge"')
    sim.state.pop("9")
    sim.pub_raw([sim.sent[bad]])
    check(wait(lambda: applied(pg, sid) == (bad, 0), 10), "a refused message's seq is marked, no gap",
          (bad, 0), applied(pg, sid))
    time.sleep(1.0)
    check(pg.psql("SELECT count(*) FROM rows") == before, "bad messages change nothing", before,
          pg.psql("SELECT count(*) FROM rows"))
    lg = hub.log()
    for cause in ("malformed_json", "wrong_v", "not_enrolled", "bad_field"):
        check(cause in lg, f"the hub logs the drop cause {cause}", cause, lg[-600:])

    # hub stopped 20 s while the station publishes: the broker holds them
    rc = hub.stop()
    check(rc == 0, "hub serve stops cleanly on SIGTERM", 0, rc)
    for i in range(20):
        sim.new(1 + i % 8, {"name": f"offline {i}"})
    time.sleep(20 - 0)
    hub.start()
    check(wait(lambda: applied(pg, sid) == (sim.seq, 0), 20), "every message published while the hub was down is applied",
          (sim.seq, 0), applied(pg, sid))

    # PostgreSQL restarted while messages flow
    def flow():
        for i in range(60):
            sim.new(1 + i % 9, {"name": f"flow {i}"})
            time.sleep(0.05)
    t = threading.Thread(target=flow)
    t.start()
    time.sleep(1.0)
    pg.restart()
    t.join(60)
    check(wait(lambda: applied(pg, sid) == (sim.seq, 0), 40), "none lost across a PostgreSQL restart",
          (sim.seq, 0), applied(pg, sid))
    names = {r[0]: (int(r[1]), r[2] == "t") for r in
             pg.psql(f"SELECT id, version, deleted FROM rows WHERE station = '{sid}'")}
    check(names == sim.state, "the hub holds every camera's newest state", sim.state, names)

    # hub check
    r = hub.ww("check", check_rc=False)
    check(r.returncode == 1 and "no census" in r.stdout, "hub check fails before any census", 1,
          (r.returncode, r.stdout))
    sim.pub_raw([sim.census()], topic=f"wardwatch/{sid}/census")
    ok = wait(lambda: hub.ww("check", check_rc=False).returncode == 0, 10)
    r = hub.ww("check", check_rc=False)
    check(ok and "DIFFERS" not in r.stdout, "hub check exits 0 when station and hub agree", 0,
          (r.returncode, r.stdout))
    sim.pub_raw([sim.census(fudge=1)], topic=f"wardwatch/{sid}/census")
    time.sleep(1.0)
    r = hub.ww("check", check_rc=False)
    diff = [l for l in r.stdout.splitlines() if "DIFFERS" in l]
    check(r.returncode == 1 and diff and "camera" in diff[0], "hub check exits 1 naming what differs",
          "exit 1, camera DIFFERS", (r.returncode, r.stdout))

    # province statistics: this quarter beside the same quarter a year before
    inc = [("2026-10-05T08:00:00+07:00", "theft", "upsert"), ("2026-11-20T21:30:00+07:00", "theft", "upsert"),
           ("2026-12-01T10:00:00+07:00", "fight", "upsert"), ("2025-10-10T09:00:00+07:00", "theft", "upsert"),
           ("2026-11-01T09:00:00+07:00", "theft", "delete"), ("2026-07-01T09:00:00+07:00", "theft", "upsert")]
    for i, (at, cat, op) in enumerate(inc):
        sim.new(100 + i, {"ward": "7", "category": cat, "occurred_at": at}, op=op, entity="incident")
    wait(lambda: applied(pg, sid) == (sim.seq, 0), 15)
    r = hub.ww("stats", "2026-10-01T00:00:00+07:00", "2027-01-01T00:00:00+07:00")
    lines = [l.split() for l in r.stdout.splitlines()]
    want = [[sid, "7", "fight", "1", "0"], [sid, "7", "theft", "2", "1"], ["total", "3", "1"]]
    check(lines[1:] == want, "hub stats counts the quarter and the same quarter a year before",
          want, lines)
    # one message PostgreSQL refuses (a date it cannot cast) among good ones,
    # sent in one go so they share a batch: it alone is rolled back, its seq
    # marked (no gap), the others applied (decision 014's fallback)
    good1 = sim.new(300, {"ward": "9", "category": "lost", "occurred_at": "2024-03-01T10:00:00Z"},
                    send=False, entity="incident")
    refused = sim.new(301, {"ward": "9", "category": "lost", "occurred_at": "2024-13-45T10:00:00Z"},
                      send=False, entity="incident")
    good2 = sim.new(302, {"ward": "9", "category": "lost", "occurred_at": "2024-03-02T10:00:00Z"},
                    send=False, entity="incident")
    sim.pub_raw([sim.sent[good1], sim.sent[refused], sim.sent[good2]], topic=f"wardwatch/{sid}/incident")
    check(wait(lambda: applied(pg, sid) == (good2, 0), 10), "a refused message in a batch holds no gap open",
          (good2, 0), applied(pg, sid))
    got = pg.psql(f"SELECT id FROM incidents WHERE station = '{sid}' AND id IN ('300','301','302') ORDER BY id")
    check(got == [["300"], ["302"]], "only the refused message of the batch is rolled back",
          [["300"], ["302"]], got)
    got = pg.psql(f"SELECT id FROM rows WHERE station = '{sid}' AND id IN ('300','301','302') ORDER BY id")
    check(got == [["300"], ["302"]], "its row is not kept either", [["300"], ["302"]], got)
    check("apply_failed" in hub.log(), "the hub logs the drop cause apply_failed", "apply_failed",
          hub.log()[-600:])
    # one key twice in one go, the newer version first: the batch's single
    # statement must keep the newer (ON CONFLICT cannot touch a row twice)
    older = sim.new(400, {"name": "cam 400 older"}, send=False)
    newer = sim.new(400, {"name": "cam 400 newer"}, send=False)
    sim.pub_raw([sim.sent[newer], sim.sent[older]])
    check(wait(lambda: applied(pg, sid) == (newer, 0), 10), "both seqs of the key applied", (newer, 0),
          applied(pg, sid))
    got = pg.psql(f"SELECT version, data->>'name' FROM rows WHERE station = '{sid}' AND entity = 'camera' AND id = '400'")
    check(got == [[str(newer), "cam 400 newer"]], "of one key twice in a batch the newer version stays",
          [[newer, "cam 400 newer"]], got)
    sim.stopping = True
    log(f"hub log tail:\n{hub.log()[-1500:]}")


if __name__ == "__main__":
    main()
