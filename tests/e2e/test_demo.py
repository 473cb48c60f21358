"""make demo shows a newcomer every state (issue 17 item 15): scripts/demo
run as `make demo` runs it (release build, camsim, serve, demo-community.py),
on a free port and a scratch data folder, then asked through the API:

  - it prints the console's URL and the admin password, and that password signs in;
  - four demo owners exist, each with a phone number, each owning a camera;
  - cameras 1-2 have every right now; camera 3 records but has no export
    right; camera 4's agreement has ended (withdrawn): no right at all;
  - one camera is dark (its address answers nothing): offline on the health page;
  - the other demo cameras are online.
"""
import os
import signal
import subprocess
import tempfile
import time

from wwapi import Client
from wwtest import MEDIA, SRC, check, finish, free_port, log

release = os.path.join(SRC, "build", "wardwatch")
if not os.path.exists(release):
    # make test builds build/ before the suite; a hand-run ctest may not have
    check(False, "the release build exists (make test builds it first)", release, "missing")
    finish()

tmp = tempfile.mkdtemp(prefix="ww-demo-")
port = free_port()
env = dict(os.environ, DEMO_PORT=str(port), DEMO_DATA=os.path.join(tmp, "data"), DEMO_CAMERAS="6",
           DEMO_MEDIA=MEDIA)  # the suite's clips (setup.media): no second encode
env.pop("WARDWATCH_DATA", None)
out_path = os.path.join(tmp, "demo.out")
out = open(out_path, "w")
demo = subprocess.Popen(["scripts/demo"], cwd=SRC, env=env, stdout=out, stderr=subprocess.STDOUT,
                        start_new_session=True)
client = Client(port)


def call(method, path, body=None):
    r = client.request(method, path, body=body, timeout=10)
    assert r.status < 300, f"{method} {path}: {r.status} {r.text[:200]}"
    return r.json


def text():
    with open(out_path) as f:
        return f.read()


try:
    t0 = time.time()
    while time.time() - t0 < 180 and "demo: owners" not in text() and demo.poll() is None:
        time.sleep(0.5)
    said = text()
    check("demo: owners, agreements" in said, "the demo's community part ran", "demo: owners, agreements…",
          said[-600:])
    pw = [l.split(":", 1)[1].strip() for l in said.splitlines() if l.strip().startswith("password:")]
    url = [l for l in said.splitlines() if f"http://127.0.0.1:{port}/" in l]
    check(len(pw) == 1 and url, "it prints the console's URL and the admin password", f"console: http://127.0.0.1:{port}/",
          said[:400])
    client.request("POST", "/api/v1/session", body={"username": "admin", "password": pw[0] if pw else ""})
    check(client.cookie is not None, "the printed password signs in as admin", "a session", client.cookie)

    owners = call("GET", "/api/v1/owners")["owners"]
    demo_owners = [o for o in owners if "(demo)" in o.get("name", "")]
    check(len(demo_owners) == 4 and all(o.get("phone") for o in demo_owners),
          "four demo owners, each with a phone number", 4, [(o.get("name"), o.get("phone")) for o in owners])
    cams = sorted(call("GET", "/api/v1/cameras")["cameras"], key=lambda c: c["id"])
    owned = [c for c in cams if not c.get("station_own")]
    check(len(owned) == 4, "each demo owner owns a camera; the rest are the station's own", 4,
          [(c["id"], c.get("owner_id"), c.get("station_own")) for c in cams])
    now = {c["id"]: call("GET", f"/api/v1/cameras/{c['id']}/consents")["now"] for c in cams[:4]}
    rights = {i: (n["live"], n["record"], n["export"]) for i, n in now.items()}
    ids = [c["id"] for c in cams[:4]]
    check(len(ids) == 4 and rights[ids[0]] == (True, True, True) and rights[ids[1]] == (True, True, True),
          "cameras 1 and 2: every right in force", "(live, record, export) all true", rights)
    check(len(ids) == 4 and rights[ids[2]] == (True, True, False), "camera 3 records but may not be exported",
          (True, True, False), rights.get(ids[2] if len(ids) > 2 else 0))
    check(len(ids) == 4 and rights[ids[3]] == (False, False, False) and now[ids[3]]["register"],
          "camera 4: its agreement has ended, no right at all", "(False, False, False) with a register",
          now.get(ids[3] if len(ids) > 3 else 0))

    dark = [c for c in cams if "mất tín hiệu" in c["name"]]
    check(len(dark) == 1, "one dark demo camera", 1, [c["name"] for c in cams])

    def states():
        return {c["id"]: c.get("state") for c in call("GET", "/api/v1/health")["cameras"]}
    t1 = time.time()
    st = states()
    while time.time() - t1 < 30:
        st = states()
        if dark and st.get(dark[0]["id"]) == "offline" and all(st.get(i) == "online" for i in (ids[0], ids[1], ids[2])):
            break
        time.sleep(1)
    check(dark and st.get(dark[0]["id"]) == "offline", "the dark camera is offline on the health page", "offline",
          st)
    check(all(st.get(i) == "online" for i in ids[:3]), "the cameras with an agreement are online", "online", st)
finally:
    try:
        os.killpg(demo.pid, signal.SIGTERM)
        demo.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(demo.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    out.close()
    log("demo said: " + " | ".join(l for l in text().splitlines()[-12:]))
finish()
