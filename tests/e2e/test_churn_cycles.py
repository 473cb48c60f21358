"""50 cameras created and deleted through the API while 2 others record
(issue 18): no id is ever handed out twice, no error repeats in the log,
and the recorder's file descriptors and threads stay flat."""
import collections
import os
import re
import time

import wwapi
from wwtest import Camsim, Station, check, finish, free_port, log


def proc_counts(pid):
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    with open(f"/proc/{pid}/status") as f:
        threads = int(re.search(r"Threads:\s+(\d+)", f.read()).group(1))
    return fds, threads


cams = Camsim(cameras=3).start()
st = Station("churn-cycles").init()
port = free_port()
try:
    base = [st.add_camera(f"Cam {n}", cams.url(n)) for n in (1, 2)]
    st.serve("--segment-seconds", "4", http_port=port)
    up = st.wait_for(lambda: all(st.stream_stats(i).get("record", {}).get("frames", 0) > 25 for i in base), 30)
    check(up, "2 cameras recording", "frames > 25", st.stats())
    admin = wwapi.Client(port)
    check(admin.login("admin", st.admin_password).status == 200, "admin signs in", 200, "?")
    time.sleep(2)
    fd0, th0 = proc_counts(st.proc.pid)
    log(f"before: {fd0} fds, {th0} threads")
    seen = set(base)
    reused = []
    for i in range(50):
        r = admin.post("/api/v1/cameras", {"name": f"Churn {i}", "main_url": cams.url(3), "enabled": True})
        if not check(r.status == 201, f"cycle {i}: create", 201, r) and True:
            break
        cid = r.json["id"]
        if cid in seen:
            reused.append(cid)
        seen.add(cid)
        if i % 5 == 0:
            time.sleep(2.5)  # let the engine start some of them and record a little
        r = admin.delete(f"/api/v1/cameras/{cid}", timeout=30)
        if not check(r.status in (200, 204), f"cycle {i}: delete", 204, r):
            break
    check(not reused, "no camera id handed out twice in 50 cycles", "none", reused)
    time.sleep(4)
    fd1, th1 = proc_counts(st.proc.pid)
    log(f"after: {fd1} fds, {th1} threads")
    check(fd1 <= fd0 + 2, "file descriptors flat after 50 cycles", f"<= {fd0 + 2}", fd1)
    check(th1 <= th0, "threads flat after 50 cycles", f"<= {th0}", th1)
    errors = [re.sub(r"\d+", "N", l.split("]", 1)[-1]) for l in st.log().splitlines() if "error" in l.lower()]
    rep = [(k, v) for k, v in collections.Counter(errors).items() if v > 2]
    check(not rep, "no error repeats in the log", "none", rep[:5])
    for cam in base:
        fr = st.stream_stats(cam).get("record", {}).get("frames", 0)
        check(fr > 0, f"camera {cam} still records", "> 0", fr)
    rc = st.stop()
    check(rc == 0, "serve exits 0 on SIGTERM", 0, rc)
    r = st.check()
    check(r.returncode == 0, "wardwatch check is clean", "exit 0", f"{r.returncode}: {r.stdout[-800:]}")
finally:
    st.stop()
    cams.stop()
    st.remove()
finish()
