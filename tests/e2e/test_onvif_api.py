#!/usr/bin/env python3
"""ONVIF probe API: POST /api/v1/cameras/onvif-probe reads tools/onvifsim for
the admin (device info, profiles, main = highest / sub = lowest resolution,
URIs without credentials, skew_s ≈ the simulated 30 s offset); a wrong
password answers an error that says the camera refused it; an officer gets
403.  Streams no video."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from wwapi import Server, check, finish  # noqa: E402

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

        r = off.post("/api/v1/cameras/onvif-probe", {"url": url, "username": "admin", "password": "s3cret"})
        check(r.status == 403, "officer may not probe", 403, r.status)
    finally:
        srv.stop()
        sim.kill()
        sim.wait(5)
    finish()


if __name__ == "__main__":
    main()
