"""Issue 11 item 7: no motion analysis without the owner's recording consent.

The attack: with the owner's recording consent withdrawn ("recording paused"
in the log) the detector went on analysing the camera's sub stream and
stored event thumbnails.  Here, against the real binary and camsim (the
simulated car crosses two road zones every 30 s, so a watched camera closes
an event about every 15 s):

  camera 1 — consent recorded → events appear; consent withdrawn → for 32 s
             of moving street no new event (so no thumbnail), no event whose
             peak lies after the withdrawal, the detector's frame count stands
             still, and the pause shows in stats.json, /motion/state and
             /health (which the events page reads); a new consent → the
             detector analyses again and events come back;
  camera 2 — a consent that expires after a few seconds, followed by one that
             starts in an hour (expired, and not yet started): the same pause
             from the expiry on.

Every wait is bounded; camsim and serve are stopped in `finally`, and serve
must exit 0 (no leaks under ASan).
"""
import time

from wwapi import Client
from wwtest import Camsim, Station, check, finish, free_port, log

ZONES = [
    {"name": "road-left", "kind": "include", "points": [[0.05, 0.55], [0.2, 0.55], [0.2, 0.72], [0.05, 0.72]]},
    {"name": "road-right", "kind": "include", "points": [[0.7, 0.55], [0.85, 0.55], [0.85, 0.72], [0.7, 0.72]]},
    {"name": "clock", "kind": "mask", "points": [[0, 0], [0.32, 0], [0.32, 0.1], [0, 0.1]]},
]
ALL = {"live": True, "record": True, "export": True}


def wait_http(port, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if Client(port).get("/api/v1/session", timeout=2).status == 401:
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def events(c, cam):
    r = c.get(f"/api/v1/events?camera={cam}&limit=500")
    return r.json.get("events", []) if r.status == 200 else []


def frames(st, cam):
    return (st.stream_stats(cam, "sub").get("motion") or {}).get("frames_analysed")


def paused_everywhere(st, admin, cam):
    """(stats.json, /motion/state, /health) pause flags of the camera."""
    a = (st.stream_stats(cam, "sub").get("motion") or {}).get("paused")
    s = admin.get(f"/api/v1/cameras/{cam}/motion/state").json or {}
    h = next((x for x in (admin.get("/api/v1/health").json or {}).get("cameras", []) if x["id"] == cam), {})
    return a, s.get("paused"), s.get("paused_reason"), h.get("motion_paused"), h.get("motion_paused_reason")


cams = Camsim(cameras=2).start()
st = Station("trust-motion").init()
port = free_port()
try:
    c1 = st.add_camera("Ngõ 5 Trường Thi", cams.url(1), cams.url(1, "sub"))
    c2 = st.add_camera("Chợ Vinh", cams.url(2), cams.url(2, "sub"))
    st.serve("--segment-seconds", "6", http_port=port)
    check(wait_http(port), "console answers", "401 on /session", "no answer")
    admin = Client(port)
    check(admin.login("admin", st.admin_password).status == 200, "admin signs in", 200, "")
    for cam in (c1, c2):
        r = admin.request("PUT", f"/api/v1/cameras/{cam}/motion", body={"sensitivity": 60, "zones": ZONES})
        check(r.status == 200, f"zones saved for camera {cam}", 200, r)

    # --- camera 1: consent in force → events
    r = admin.post(f"/api/v1/cameras/{c1}/consents", ALL)
    check(r.status == 201 and r.json["status"] == "in_force", "camera 1: consent recorded", "201 in_force", r)
    consent1 = r.json["id"] if r.status == 201 else 0
    # --- camera 2: consent for 6 s, then none until an hour from now
    t_end2 = time.time() + 6
    r = admin.post(f"/api/v1/cameras/{c2}/consents", dict(ALL, until=t_end2))
    check(r.status == 201, "camera 2: a consent ending in 6 s", 201, r)
    r = admin.post(f"/api/v1/cameras/{c2}/consents", dict(ALL, **{"from": time.time() + 3600}))
    check(r.status == 201 and r.json["status"] == "future", "camera 2: the next consent starts in an hour",
          "201 future", r)

    log("waiting for a motion event on camera 1 under consent")
    evs = st.wait_for(lambda: events(admin, c1) or None, 75, step=1) or []
    check(len(evs) >= 1, "camera 1: motion events under consent (the scene does trigger them)", ">= 1", len(evs))
    a = paused_everywhere(st, admin, c1)
    check(a == (False, False, None, False, None), "camera 1: not paused while the consent is in force",
          (False, False, None, False, None), a)

    # --- camera 2: the consent expired (and the next has not started)
    t_exp = time.time()
    st.wait_for(lambda: paused_everywhere(st, admin, c2)[0], 8, step=0.25)
    a2 = paused_everywhere(st, admin, c2)
    check(a2 == (True, True, "no_recording_consent", True, "no_recording_consent"),
          "camera 2: consent expired, next not started → paused in stats.json, /motion/state and /health",
          (True, True, "no_recording_consent", True, "no_recording_consent"), a2)
    log(f"camera 2 paused {time.time() - t_exp:.1f} s after the check began ({time.time() - t_end2:.1f} s after expiry)")

    # --- camera 1: withdraw
    r = admin.post(f"/api/v1/cameras/{c1}/consents/{consent1}/withdraw", {"note": "chủ nhà rút lại"})
    check(r.status == 200 and r.json["status"] == "withdrawn", "camera 1: consent withdrawn", "200 withdrawn", r)
    withdrawn_us = (r.json or {}).get("until_us") or int(time.time() * 1e6)
    t_w = time.time()
    st.wait_for(lambda: paused_everywhere(st, admin, c1)[0], 5, step=0.2)
    log(f"camera 1 paused {time.time() - t_w:.2f} s after the withdrawal")
    a = paused_everywhere(st, admin, c1)
    check(a == (True, True, "no_recording_consent", True, "no_recording_consent"),
          "camera 1: withdrawn → paused in stats.json, /motion/state and /health",
          (True, True, "no_recording_consent", True, "no_recording_consent"), a)
    time.sleep(2.5)   # an event open at the withdrawal is closed then; the supervisor stores it within 1 s
    before1 = {e["id"] for e in events(admin, c1)}
    before2 = {e["id"] for e in events(admin, c2)}
    f1a, f2a = frames(st, c1), frames(st, c2)
    t0 = time.time()
    time.sleep(32)    # more than one loop of the simulated street: the car crosses both zones twice
    ev1, ev2 = events(admin, c1), events(admin, c2)
    f1b, f2b = frames(st, c1), frames(st, c2)
    log(f"withdrawn window: {time.time() - t0:.0f} s of moving scene")
    check({e["id"] for e in ev1} == before1, "camera 1: no new event (and so no thumbnail) for 32 s while withdrawn",
          sorted(before1), sorted(e["id"] for e in ev1))
    late = [e for e in ev1 if e["peak_us"] > withdrawn_us]
    check(not late, "camera 1: no stored event has its peak (thumbnail) after the withdrawal", [],
          [(e["id"], e["peak"]) for e in late])
    check(f1a is not None and f1a == f1b, "camera 1: the detector analysed no frame while withdrawn", f1a, f1b)
    check({e["id"] for e in ev2} == before2, "camera 2: no new event after the consent expired",
          sorted(before2), sorted(e["id"] for e in ev2))
    late2 = [e for e in ev2 if e["peak_us"] > t_end2 * 1e6]
    check(not late2, "camera 2: no stored event has its peak after the expiry", [], [(e["id"], e["peak"]) for e in late2])
    check(f2a is not None and f2a == f2b, "camera 2: the detector analysed no frame after the expiry", f2a, f2b)
    r = admin.get(f"/api/v1/events?camera={c1}&limit=500")
    thumbs = [e for e in r.json.get("events", []) if e.get("thumbnail_url")] if r.status == 200 else []
    check(all(e["peak_us"] <= withdrawn_us for e in thumbs), "camera 1: every thumbnail is of a moment under consent",
          "peak ≤ withdrawal", [(e["id"], e["peak_us"]) for e in thumbs if e["peak_us"] > withdrawn_us])
    logtext = st.log()
    check("motion analysis paused: no recording consent from the owner" in logtext,
          "the log says motion analysis paused", "a 'motion analysis paused' line", logtext[-400:])

    # --- camera 1: a new consent → analysis and events resume
    r = admin.post(f"/api/v1/cameras/{c1}/consents", ALL)
    check(r.status == 201 and r.json["status"] == "in_force", "camera 1: a new consent recorded", "201 in_force", r)
    t_r = time.time()
    st.wait_for(lambda: (frames(st, c1) or 0) > (f1b or 0), 8, step=0.25)
    log(f"camera 1 analyses again {time.time() - t_r:.2f} s after the new consent")
    a = paused_everywhere(st, admin, c1)
    check(a == (False, False, None, False, None), "camera 1: the pause ends with the new consent",
          (False, False, None, False, None), a)
    check((frames(st, c1) or 0) > (f1b or 0), "camera 1: the detector analyses frames again", f"> {f1b}", frames(st, c1))
    evs = st.wait_for(lambda: [e for e in events(admin, c1) if e["id"] not in before1] or None, 75, step=1) or []
    check(len(evs) >= 1 and all(e["peak_us"] >= r.json["from_us"] for e in evs),
          "camera 1: new events after the new consent, each peaking after it", ">= 1 event with its peak after the consent",
          [(e["id"], e["start"]) for e in evs])
    check(frames(st, c2) == f2b, "camera 2 stays paused (its next consent starts in an hour)", f2b, frames(st, c2))

    rc = st.stop()
    check(rc == 0, "serve exits 0 (no leaks)", 0, rc)
finally:
    st.stop()
    cams.stop()
    st.remove()
finish()
