"""`make demo-province` smoke test (issue 15): scripts/demo-province on free
loopback ports, one camera per station and no recording, then

  - the banner names the hub, three stations with their admin passwords;
  - `hub station list` shows the three stations enrolled and `hub check`
    is clean (each station's snapshot reached PostgreSQL through mosquitto);
  - each station answers and its printed admin password signs in;
  - SIGTERM to the script (what Ctrl-C and `--stop` do) stops everything
    it started: the ports close, no process of it is left.

Every wait is bounded; the script's own --seconds is a safety net only.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import wwtest  # noqa: E402
from wwapi import Client, check, finish, log  # noqa: E402

SCRIPT = os.path.join(wwtest.SRC, "scripts", "demo-province")


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def main():
    d = tempfile.mkdtemp(prefix="ww-demo-prov-")
    demo_dir = os.path.join(d, "demo")
    pg_port = wwtest.free_port()
    mq_port = pg_port
    while mq_port == pg_port:
        mq_port = wwtest.free_port()
    # the hub's port and the next three (the stations) must all be free
    base = next(p for p in range(20000 + os.getpid() % 5000, 60000, 97)
                if all(not wwtest.port_open(p + k) for k in range(4)) and
                not {pg_port, mq_port} & set(range(p, p + 4)))
    env = dict(os.environ, DEMO_PROVINCE_DIR=demo_dir, DEMO_PROVINCE_PORT=str(base),
               DEMO_PROVINCE_PG_PORT=str(pg_port), DEMO_PROVINCE_MQTT_PORT=str(mq_port),
               DEMO_PROVINCE_CAMERAS="1", DEMO_PROVINCE_NO_RECORD="1", DEMO_MEDIA=wwtest.MEDIA,
               WARDWATCH_BIN=wwtest.WW, CAMSIM_BIN=wwtest.CAMSIM)
    out_path = os.path.join(d, "demo.out")
    outf = open(out_path, "w")
    t0 = time.time()
    proc = subprocess.Popen([SCRIPT, "--seconds", "150"], stdout=outf, stderr=subprocess.STDOUT,
                            env=env, start_new_session=True)
    wwtest._procs.append(proc)
    text = ""
    deadline = time.time() + 75
    while time.time() < deadline and proc.poll() is None:
        with open(out_path) as f:
            text = f.read()
        if "stops everything" in text:
            break
        time.sleep(0.5)
    up = "stops everything" in text
    check(up, "the demo prints its banner within 75 s", "the banner", text[-1500:])
    if not up:
        proc.kill()
        return
    log(f"demo up after {time.time() - t0:.0f} s")

    conninfo = f"host=127.0.0.1 port={pg_port} user=wardwatch dbname=wardwatch"
    stations = re.findall(r"station (\d):  http://127\.0\.0\.1:(\d+)/ .*\(hub id (st-[0-9a-f]+)\)\n"
                          r"\s+user admin, password (\S+)", text)
    check(len(stations) == 3, "the banner names three stations with their admin passwords", 3,
          len(stations))
    check(f"http://127.0.0.1:{base}" in text, "the banner names the hub's URL", base, text[:400])

    r = subprocess.run([wwtest.WW, "hub", "station", "list", "--pg", conninfo],
                       capture_output=True, text=True, timeout=30)
    listed = [sid for _, _, sid, _ in stations if sid in r.stdout]
    check(r.returncode == 0 and len(listed) == 3, "hub station list shows the three stations", 3,
          (r.returncode, r.stdout[-600:], r.stderr[-300:]))

    clean = None
    deadline = time.time() + 40
    while time.time() < deadline:
        clean = subprocess.run([wwtest.WW, "hub", "check", "--pg", conninfo],
                               capture_output=True, text=True, timeout=30)
        if clean.returncode == 0:
            break
        time.sleep(1)
    check(clean.returncode == 0 and clean.stdout.count(" ok\n") >= 3,
          "hub check is clean: every station's snapshot is at the hub", "exit 0",
          (clean.returncode, clean.stdout[-800:]))

    console = re.search(r"console:\s+(http://127\.0\.0\.1:\d+)/province/index\.html\s+user province, password (\S+)", text)
    check(console is not None, "the banner names the province console and its password", "console: URL … password",
          text[:800])
    if console:
        hub = Client(int(console.group(1).rsplit(":", 1)[1]))
        r = hub.login("province", console.group(2))
        check(r.status == 200, "the province console's printed password signs in at the hub", 200, r.status)
        r = hub.get("/api/v1/province/stations")
        got = sorted(s["id"] for s in r.json.get("stations", [])) if r.status == 200 else r
        check(got == sorted(sid for _, _, sid, _ in stations), "the console's read API lists the three stations",
              sorted(sid for _, _, sid, _ in stations), got)
        cams = hub.get("/api/v1/province/cameras").json.get("cameras", [])
        if cams:
            c = cams[0]
            now = int(time.time())
            r = hub.get(f"/api/v1/province/stations/{c['station']}/forward/cameras/{c['id']}/timeline"
                        f"?from={now - 600}&to={now}")
            check(r.status == 200, "a camera's timeline comes from its station through the hub (joined with --url)",
                  200, (r.status, r.body[:200]))
        else:
            check(False, "the hub lists the demo cameras", "> 0", 0)

    for n, port, sid, pw in stations:
        c = Client(int(port))
        r = c.login("admin", pw)
        check(r.status == 200, f"station {n} ({sid}) signs its admin in with the printed password", 200,
              r.status)

    with open(os.path.join(demo_dir, "children.pid")) as f:
        children = [int(x) for x in f.read().split()]
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(40)
    except subprocess.TimeoutExpired:
        rc = None
    check(rc is not None, "the demo stops within 40 s of SIGTERM", "exit", "still running")
    left = [p for p in children if alive(p)]
    check(not left, "no process the demo started is left", [], left)
    open_ports = [p for p in [pg_port, mq_port, base, base + 1, base + 2, base + 3] if wwtest.port_open(p)]
    check(not open_ports, "PostgreSQL, mosquitto, the hub and the stations closed their ports", [], open_ports)
    log(f"whole run {time.time() - t0:.0f} s")
    if rc is None or left:  # what the script failed to stop, stopped from its pid file
        proc.kill()
        subprocess.run([SCRIPT, "--stop"], env=env, capture_output=True, timeout=60)
    shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
    finish()
