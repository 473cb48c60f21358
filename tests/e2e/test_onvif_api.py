#!/usr/bin/env python3
"""ONVIF probe API: POST /api/v1/cameras/onvif-probe reads tools/onvifsim for
the admin (device info, profiles, main = highest / sub = lowest resolution,
URIs without credentials, skew_s ≈ the simulated 30 s offset); a wrong
password answers an error that says the camera refused it (422 onvif_auth,
naming the camera when the dialog sends its name); an unreachable address
answers 502 onvif_unreachable, saying so; an officer gets 403.  The probe's
snapshot URL saved with POST /api/v1/cameras is in the camera's record.
Streams no video."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from wwapi import Server, check, finish, free_port  # noqa: E402

SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
SIM = os.path.join(SRC, "tools", "onvifsim", "onvifsim.py")


def main():
    sim = subprocess.Popen([sys.executable, SIM, "--clock-offset", "30", "--password", "s3cret",
                            "--stream-base", "rtsp://127.0.0.1:18554/cam"], stdout=subprocess.PIPE, text=True)
    srv = Server()
    try:
        line = sim.stdout.readline().split()
        check(line and line[0] == "ready", "onvifsim started", "ready ...", line)
        url = "http://127.0.0.1:%s" % line[1].split("=")[1]
        srv.start()
        admin = srv.admin()
        wa = srv.create_ward(admin, "Phúc Xá")
        _, pw = srv.create_user(admin, "officer-a", "officer", ward_id=wa)
        off = srv.signed_in("officer-a", pw)

        r = admin.post("/api/v1/cameras/onvif-probe", {"url": url, "username": "admin", "password": "s3cret"})
        check(r.status == 200, "admin probe answers 200", 200, r)
        j = r.json or {}
        check(j.get("device", {}).get("manufacturer") == "SimVision", "device manufacturer", "SimVision", j)
        check(j.get("main_url") == "rtsp://127.0.0.1:18554/cam/Profile_Main", "main url (clean)",
              "rtsp://127.0.0.1:18554/cam/Profile_Main", j.get("main_url"))
        check(j.get("sub_url") == "rtsp://127.0.0.1:18554/cam/Profile_Sub", "sub url",
              "rtsp://127.0.0.1:18554/cam/Profile_Sub", j.get("sub_url"))
        check(len(j.get("profiles", [])) == 2, "two profiles", 2, j.get("profiles"))
        check(29 <= (j.get("skew_s") or 0) <= 31, "skew_s", "about 30", j.get("skew_s"))
        check("s3cret" not in r.body.decode(errors="replace"), "no credentials in the answer",
              "no password", r.body[:300])

        r = admin.post("/api/v1/cameras/onvif-probe", {"url": url, "username": "admin", "password": "nope"})
        check(r.status >= 400 and "refused the user name or password" in (r.error_message() or ""),
              "wrong password: error says so", "4xx, refused ...", r)

        check(j.get("media_via") == "GetServices", "media service found with GetServices", "GetServices",
              j.get("media_via"))
        snap = j.get("snapshot_url") or ""
        check(snap.startswith("http://127.0.0.1:") and snap.endswith("/snapshot/Profile_Main.jpg"),
              "snapshot url of the main profile", "http://127.0.0.1:PORT/snapshot/Profile_Main.jpg", snap)

        r = admin.post("/api/v1/cameras/onvif-probe", {"url": url, "username": "admin", "password": "nope",
                                                       "name": "Cổng chợ"})
        check(r.status == 422 and r.error_code() == "onvif_auth", "wrong password: 422 onvif_auth", 422, r)
        check(r.error_message().startswith("camera 'Cổng chợ': ") and "refused" in r.error_message(),
              "wrong password: the error names the camera", "camera 'Cổng chợ': ... refused", r.error_message())
        dead = "http://127.0.0.1:%d" % free_port()
        r = admin.post("/api/v1/cameras/onvif-probe", {"url": dead, "username": "admin", "password": "x",
                                                       "name": "Cổng xa"})
        check(r.status == 502 and r.error_code() == "onvif_unreachable" and "cannot reach" in r.error_message()
              and "Cổng xa" in r.error_message(), "unreachable: 502 onvif_unreachable, says so",
              "502 cannot reach ... Cổng xa", r)

        # the dialog's save: the probe's URLs and snapshot go into POST /api/v1/cameras
        r = admin.post("/api/v1/cameras", {"name": "Cổng chợ", "main_url": j.get("main_url"),
                                           "sub_url": j.get("sub_url"), "snapshot_url": snap,
                                           "username": "admin", "password": "s3cret", "ward_id": wa})
        check(r.status == 201 and r.json.get("snapshot_url") == snap, "camera saved with the snapshot url",
              "201 + snapshot_url", r)
        cid = (r.json or {}).get("id")
        r = admin.get("/api/v1/cameras/%s" % cid)
        check(r.status == 200 and r.json.get("snapshot_url") == snap, "snapshot url in the camera's record",
              snap, r)
        r = off.patch("/api/v1/cameras/%s" % cid, {"snapshot_url": "http://203.0.113.9/x.jpg"})
        check(r.status == 403, "officer may not move the snapshot url of a camera with credentials", 403, r)
        r = admin.patch("/api/v1/cameras/%s" % cid, {"snapshot_url": None})
        check(r.status == 200 and r.json.get("snapshot_url") is None, "snapshot url cleared with null", None, r)

        r = off.post("/api/v1/cameras/onvif-probe", {"url": url, "username": "admin", "password": "s3cret"})
        check(r.status == 403, "officer may not probe", 403, r.status)
    finally:
        srv.stop()
        sim.kill()
        sim.wait(5)
    finish()


if __name__ == "__main__":
    main()
