"""Camera-dark alerts end to end: three simulated cameras, the third in its
own camsim process (--first 3).  The ward's officer sets the ward's
threshold to 5 s; stopping the third camera's process raises an alert
within the threshold + 30 s, with a snapshot of the owner's contact, POSTed
to the webhook; bringing it back clears the alert (webhook too).  A dead
webhook next to the good one fails with its retries recorded and does not
hold anything up.  Availability shows the dark time.  Who sees what:
viewers get the alert without the owner's phone, the owner sees their own,
another ward's officer sees nothing."""
import http.server
import json
import socketserver
import threading
import time

from wwapi import Client
from wwtest import Camsim, Station, check, finish, free_port, log

THRESHOLD = 5
received = []


class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(n)
        try:
            received.append((time.time(), json.loads(body)))
        except ValueError:
            received.append((time.time(), {"bad": body[:200].decode("utf-8", "replace")}))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *a):
        pass


hook = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Hook)
hook.daemon_threads = True
threading.Thread(target=hook.serve_forever, daemon=True).start()
dead_port = free_port()   # nothing listens there

cams12 = Camsim(cameras=2).start()
cam3 = Camsim(cameras=1, first=3).start()
st = Station("community-alerts").init()
port = free_port()
try:
    c1 = st.add_camera("Ngõ 1", cams12.url(1))
    c2 = st.add_camera("Ngõ 2", cams12.url(2))
    c3 = st.add_camera("Cổng chợ", cam3.url(3))
    t_serve = time.time()
    st.serve("--segment-seconds", "10", http_port=port)
    admin = Client(port)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            if admin.login("admin", st.admin_password).status == 200:
                break
        except OSError:
            pass
        time.sleep(0.3)
    wa = admin.post("/api/v1/wards", {"name": "Trường Thi"}).json["id"]
    wb = admin.post("/api/v1/wards", {"name": "Hà Huy Tập"}).json["id"]
    owner = admin.post("/api/v1/owners", {"kind": "shop", "name": "Tạp hóa Minh Châu", "phone": "0912 345 678",
                                          "ward_id": wa}).json["id"]
    for c in (c1, c2, c3):
        admin.patch(f"/api/v1/cameras/{c}", {"ward_id": wa})
    admin.patch(f"/api/v1/cameras/{c3}", {"owner_id": owner})
    for name, body in [("officer_a", {"role": "officer", "ward_id": wa}), ("officer_b", {"role": "officer", "ward_id": wb}),
                       ("viewer_a", {"role": "viewer", "ward_id": wa}), ("owner_mc", {"role": "owner", "owner_id": owner})]:
        r = admin.post("/api/v1/users", dict(body, username=name, password=f"{name}-pass-123"))
        check(r.status == 201, f"user {name} created", 201, r.status)
    users = {}
    for name in ("officer_a", "officer_b", "viewer_a", "owner_mc"):
        users[name] = Client(port)
        users[name].login(name, f"{name}-pass-123")

    r = admin.post("/api/v1/alerts/webhooks", {"url": f"http://127.0.0.1:{hook.server_address[1]}/wardwatch"})
    check(r.status == 201, "webhook registered", 201, r)
    r = admin.post("/api/v1/alerts/webhooks", {"url": f"http://127.0.0.1:{dead_port}/nobody", "ward_id": wa})
    dead_id = r.json["id"] if r.status == 201 else None
    check(r.status == 201, "a second (dead) webhook for ward A registered", 201, r)
    r = admin.post("/api/v1/alerts/webhooks", {"url": "ftp://example/x"})
    check(r.status == 400, "a non-http webhook URL is refused", 400, r.status)

    r = users["officer_a"].request("PUT", "/api/v1/alerts/settings", {"ward_id": wa, "dark_after_s": THRESHOLD})
    check(r.status == 200 and r.json["dark_after_s"] == THRESHOLD, "the ward's officer sets the ward threshold",
          THRESHOLD, r)
    r = users["officer_a"].request("PUT", "/api/v1/alerts/settings", {"ward_id": wb, "dark_after_s": 1})
    check(r.status == 404, "an officer cannot set another ward's threshold", 404, r.status)
    r = users["officer_a"].request("PUT", "/api/v1/alerts/settings", {"ward_id": None, "dark_after_s": 1})
    check(r.status == 403, "only an admin sets the default", 403, r.status)
    r = users["viewer_a"].request("PUT", "/api/v1/alerts/settings", {"ward_id": wa, "dark_after_s": 1})
    check(r.status == 403, "a viewer cannot set thresholds", 403, r.status)

    ok = st.wait_for(lambda: all(st.stream_stats(c).get("state") == "online" for c in (c1, c2, c3)), 30)
    check(ok, "all three cameras online", "online", [st.stream_stats(c).get("state") for c in (c1, c2, c3)])
    time.sleep(6)
    r = admin.get("/api/v1/alerts")
    check(r.status == 200 and r.json["alerts"] == [], "no alert while every camera is up", [], r.json)

    # ---- the third camera goes dark -------------------------------------------------------
    cam3.stop()
    t_stop = time.time()
    log("camsim of camera 3 stopped")
    alert = None
    while time.time() - t_stop < THRESHOLD + 30 + 5:
        r = admin.get("/api/v1/alerts?open=1")
        if r.status == 200 and r.json["alerts"]:
            alert = r.json["alerts"][0]
            t_raised = time.time()
            break
        time.sleep(0.5)
    check(alert is not None and alert["camera_id"] == c3, "an alert is raised for the dark camera",
          f"an open alert on camera {c3}", alert)
    if alert:
        log(f"alert raised {t_raised - t_stop:.1f} s after the camera stopped (threshold {THRESHOLD} s)")
        check(t_raised - t_stop <= THRESHOLD + 30, "…within the threshold + 30 s", f"<= {THRESHOLD + 30} s",
              round(t_raised - t_stop, 1))
        check(alert["owner"] and alert["owner"]["phone"] == "0912 345 678" and alert["owner"]["name"] == "Tạp hóa Minh Châu",
              "the alert carries the owner's contact (snapshot)", "Tạp hóa Minh Châu, 0912 345 678", alert["owner"])
        check(alert["dark_for_s"] >= THRESHOLD, "dark_for_s counts from the last picture", f">= {THRESHOLD}",
              alert["dark_for_s"])
    got = st.wait_for(lambda: [b for _, b in received if b.get("event") == "camera_dark"], 15)
    check(got and got[0]["camera"]["id"] == c3 and got[0]["owner"]["phone"] == "0912 345 678"
          and got[0]["camera"]["ward"] == "Trường Thi",
          "the webhook received camera_dark with camera, ward and owner contact", "camera_dark", got)
    r = admin.get("/api/v1/alerts?open=1")
    check(r.status == 200 and [a["camera_id"] for a in r.json["alerts"]] == [c3], "only the dark camera has an alert",
          [c3], r.json)

    # who sees it
    r = users["viewer_a"].get("/api/v1/alerts?open=1")
    check(r.status == 200 and len(r.json["alerts"]) == 1 and r.json["alerts"][0]["owner"] is None,
          "a viewer sees the alert but not the owner's phone", "owner null", r.json)
    r = users["owner_mc"].get("/api/v1/alerts?open=1")
    check(r.status == 200 and len(r.json["alerts"]) == 1 and r.json["alerts"][0]["owner"]["phone"] == "0912 345 678",
          "the owner sees the alert on their camera", 1, r.json)
    r = users["officer_b"].get("/api/v1/alerts")
    check(r.status == 200 and r.json["alerts"] == [], "another ward's officer sees no alert", [], r.json)
    if alert:
        r = users["officer_b"].get(f"/api/v1/alerts/{alert['id']}")
        check(r.status == 404, "…and the alert itself is not found for them", 404, r.status)

    # ---- it comes back ------------------------------------------------------------------------------
    cam3b = Camsim(cameras=1, first=3, port=cam3.port).start()
    t_back = time.time()
    cleared = None
    while time.time() - t_back < 90:
        r = admin.get(f"/api/v1/alerts/{alert['id']}") if alert else None
        if r is not None and r.status == 200 and not r.json["open"]:
            cleared = r.json
            break
        time.sleep(0.5)
    check(cleared is not None and cleared["cleared_why"] == "online", "the alert clears when the camera returns",
          "cleared_why online", cleared)
    if cleared:
        log(f"cleared {time.time() - t_back:.1f} s after the camera came back")
    got = st.wait_for(lambda: [b for _, b in received if b.get("event") == "camera_back"], 15)
    check(got and got[0]["camera"]["id"] == c3 and got[0]["cleared"], "the webhook received camera_back", "camera_back", got)
    time.sleep(1)
    r = admin.get(f"/api/v1/alerts/{alert['id']}") if alert else None
    deliveries = r.json.get("deliveries", []) if r is not None and r.status == 200 else []
    good = [d for d in deliveries if d["webhook_id"] != dead_id]
    dead = [d for d in deliveries if d["webhook_id"] == dead_id]
    check(len(good) == 2 and all(d["ok"] for d in good), "both notifications reached the good webhook", 2, good)
    check(dead and all(not d["ok"] and d["attempts"] == 3 for d in dead),
          "the dead webhook's deliveries failed after 3 attempts each (recorded, nothing blocked)", "3 attempts, not ok",
          dead)

    # ---- availability ----------------------------------------------------------------------------------
    r = admin.get(f"/api/v1/availability?from={t_serve - 5:.0f}&to={time.time() + 1:.0f}")
    av = {c["id"]: c for c in r.json["cameras"]} if r.status == 200 else {}
    a1, a3 = av.get(c1, {}), av.get(c3, {})
    log(f"availability: camera 1 {a1.get('availability')} % of {a1.get('sampled_s')} s, "
        f"camera 3 {a3.get('availability')} % of {a3.get('sampled_s')} s")
    check(a3.get("sampled_s", 0) - a3.get("online_s", 0) >= THRESHOLD,
          "availability counts camera 3's dark time", f">= {THRESHOLD} s dark", a3)
    check((a1.get("availability") or 0) > (a3.get("availability") or 100), "camera 1 was more available than camera 3",
          "a1 > a3", (a1.get("availability"), a3.get("availability")))
    w = {x["ward_id"]: x for x in r.json["wards"]} if r.status == 200 else {}
    check(w.get(wa, {}).get("cameras") == 3, "the ward's availability covers its three cameras", 3, w)
    r = users["officer_b"].get("/api/v1/availability")
    check(r.status == 200 and r.json["cameras"] == [], "another ward's officer gets no availability rows", [], r.json)
    rc = st.stop()
    check(rc == 0, "serve exits 0 (monitor and webhook threads stopped cleanly)", 0, rc)
    cam3b.stop()
finally:
    st.stop()
    cams12.stop()
    cam3.stop()
    hook.shutdown()
    st.remove()
finish()
