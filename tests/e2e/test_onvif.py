#!/usr/bin/env python3
"""ONVIF: `camera discover --target` finds tools/onvifsim over WS-Discovery
(unicast on 127.0.0.1), lists its device service address, decoded name and
hardware scopes and its endpoint once (onvifsim answers every probe twice),
and `--json` says the same.  A target that does not answer gives an empty
list within the wait; a malformed target is a usage error.
`camera add --onvif` finds the media service with GetServices (and not
GetCapabilities) on a current camera, and with GetCapabilities after a
failed GetServices on an older one (onvifsim --no-get-services); it stores
the snapshot URI, which the camera's API record shows to an admin and not to
a viewer of its ward (the stream URLs' rule).  Streams no video."""
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from wwtest import SRC, Station, check, cleanup, finish, free_port, _procs  # noqa: E402
from wwapi import Client  # noqa: E402  (the HTTP client only; checks are wwtest's)

SIM = os.path.join(SRC, "tools", "onvifsim", "onvifsim.py")


def start_sim(*extra):
    p = subprocess.Popen([sys.executable, SIM, "--name", "C%E1%BB%95ng%20ph%C6%B0%E1%BB%9Dng", *extra],
                         stdout=subprocess.PIPE, text=True)
    _procs.append(p)
    line = p.stdout.readline().split()  # bounded: onvifsim prints or exits at once
    if not line or line[0] != "ready":
        raise RuntimeError("onvifsim did not start: %r" % line)
    return p, int(line[1].split("=")[1]), int(line[2].split("=")[1])


def api_record(st, cam, want_snap):
    """The camera's API record: snapshot_url for an admin (who may manage
    it), neither it nor the stream URLs for a viewer of the camera's ward."""
    port = free_port()
    st.serve("--no-record", http_port=port)
    deadline = time.monotonic() + 20
    up = False
    while time.monotonic() < deadline and not up:
        try:
            up = Client(port).get("/api/v1/session", timeout=2).status == 401
        except OSError:
            time.sleep(0.1)
    check(up, "serve answers", "HTTP up", st.log()[-500:] if not up else "")
    if not up:
        return
    admin = Client(port)
    check(admin.login("admin", st.admin_password).status == 200, "admin signs in", 200, "failed")
    r = admin.post("/api/v1/wards", {"name": "Phúc Xá", "district": "Ba Đình", "province": "Hà Nội"})
    ward = (r.json or {}).get("id")
    r = admin.patch("/api/v1/cameras/%d" % cam, {"ward_id": ward})
    check(r.status == 200, "camera moved into the ward", 200, r)
    r = admin.get("/api/v1/cameras/%d" % cam)
    check(r.status == 200 and r.json.get("snapshot_url") == want_snap, "admin's record has snapshot_url",
          want_snap, r.json if r.json else r)
    r = admin.post("/api/v1/users", {"username": "xem", "password": "pw-xem-%d-x" % os.getpid(), "role": "viewer",
                                     "ward_id": ward})
    check(r.status == 201, "viewer created", 201, r)
    viewer = Client(port)
    check(viewer.login("xem", "pw-xem-%d-x" % os.getpid()).status == 200, "viewer signs in", 200, "failed")
    r = viewer.get("/api/v1/cameras/%d" % cam)
    j = r.json or {}
    check(r.status == 200 and "snapshot_url" not in j and "main_url" not in j,
          "viewer's record: no snapshot_url, no stream URLs", "200 without URLs", r.body[:400])
    r = admin.patch("/api/v1/cameras/%d" % cam, {"snapshot_url": "http://admin:x@192.168.77.9/snap.jpg"})
    check(r.status == 400 and (r.json or {}).get("error", {}).get("reason") == "url_credentials", "snapshot_url with credentials refused",
          "400 url_credentials", r)
    r = admin.patch("/api/v1/cameras/%d" % cam, {"snapshot_url": "rtsp://192.168.77.9/snap"})
    check(r.status == 400 and (r.json or {}).get("error", {}).get("reason") == "url_scheme_http", "snapshot_url must be http(s)", "400 url_scheme_http", r)
    rc = st.stop()
    check(rc == 0, "serve exits cleanly", 0, (rc, st.log()[-800:]))


def main():
    st = Station("onvif")
    try:
        st.init()
        sim, http_port, disc_port = start_sim()
        t0 = time.monotonic()
        r = st.ww("camera", "discover", "--target", "127.0.0.1:%d" % disc_port, "--wait", "1500",
                  check=False, timeout=20)
        took = time.monotonic() - t0
        check(r.returncode == 0, "discover exit code", 0, (r.returncode, r.stderr))
        lines = [l for l in r.stdout.splitlines() if l.strip()]
        check(len(lines) == 1, "one line per device (duplicates folded)", 1, lines)
        want_xaddr = "http://127.0.0.1:%d/onvif/device_service" % http_port
        check(bool(lines) and lines[0].startswith(want_xaddr), "line starts with XAddrs", want_xaddr, lines)
        check("name=Cổng phường" in r.stdout, "decoded name scope", "name=Cổng phường", r.stdout)
        check("hardware=SV-200" in r.stdout, "hardware scope", "hardware=SV-200", r.stdout)
        check("urn:uuid:" in r.stdout, "endpoint reference shown", "urn:uuid:...", r.stdout)
        check(took < 10, "discover bounded by --wait", "< 10 s", took)

        r = st.ww("camera", "discover", "--target", "127.0.0.1:%d" % disc_port, "--wait", "1000",
                  "--json", check=False, timeout=20)
        try:
            j = json.loads(r.stdout)
        except ValueError:
            j = None
        check(isinstance(j, list) and len(j) == 1, "--json: one device", 1, r.stdout)
        if isinstance(j, list) and j:
            check(j[0]["xaddrs"] == want_xaddr, "--json xaddrs", want_xaddr, j[0])
            check(j[0]["hardware"] == "SV-200", "--json hardware", "SV-200", j[0])
            check(j[0]["endpoint"].startswith("urn:uuid:"), "--json endpoint", "urn:uuid:...", j[0])

        silent = free_port()
        r = st.ww("camera", "discover", "--target", "127.0.0.1:%d" % silent, "--wait", "500",
                  check=False, timeout=20)
        check(r.returncode == 0 and r.stdout.strip() == "", "silent target: empty list",
              "exit 0, no lines", (r.returncode, r.stdout))
        check("no ONVIF device answered" in r.stderr, "silent target says so", "no ONVIF device answered",
              r.stderr)

        r = st.ww("camera", "discover", "--target", "nohostport", "--wait", "200", check=False, timeout=20)
        check(r.returncode != 0, "malformed --target is refused", "non-zero exit", (r.returncode, r.stderr))
        check("HOST:PORT" in r.stderr, "malformed --target message", "HOST:PORT", r.stderr)

        # camera add --onvif: a camera whose clock is 30 s ahead and whose media
        # XAddr names a private address (NAT): both must be taken
        oplog = os.path.join(st.tmp, "ops2")
        sim2, hp2, _ = start_sim("--clock-offset", "30", "--xaddr-host", "192.168.77.9",
                                 "--password", "Mật-khẩu1", "--stream-base", "rtsp://127.0.0.1:18554/cam",
                                 "--op-log", oplog)
        pwf = os.path.join(st.tmp, "pw")
        with open(pwf, "w") as f:
            f.write("Mật-khẩu1\n")
        r = st.ww("camera", "add", "--name", "Cổng UBND", "--onvif", "http://127.0.0.1:%d" % hp2,
                  "--username", "admin", "--password-file", pwf, check=False, timeout=30)
        check(r.returncode == 0, "add --onvif exit code", 0, (r.returncode, r.stdout, r.stderr))
        check("manufacturer: SimVision" in r.stdout and "serial: SV200-0001" in r.stdout,
              "device information printed", "SimVision / SV200-0001", r.stdout)
        check(re.search(r"clock skew: \+(29|30|31) s", r.stdout) is not None, "clock skew printed",
              "clock skew: +30 s", r.stdout)
        check("warning:" in r.stdout, "skew warning", "a warning line", r.stdout)
        check("snapshot: http://127.0.0.1:%d/" % hp2 in r.stdout or "snapshot: http://192.168.77.9" in r.stdout,
              "snapshot URI printed", "snapshot: http://...", r.stdout)
        media_line = "media service: http://127.0.0.1:%d/onvif/Media (via GetServices)" % hp2
        check(media_line in r.stdout, "media XAddr from GetServices, host:port rewritten", media_line, r.stdout)
        ops = open(oplog).read().split() if os.path.exists(oplog) else []
        ops = ops[0::2]
        check("GetServices" in ops and "GetCapabilities" not in ops, "GetServices asked, GetCapabilities not",
              "GetServices only", ops)
        check(ops[:3] == ["GetSystemDateAndTime", "GetDeviceInformation", "GetServices"],
              "order: clock, device information, services", "GetSystemDateAndTime GetDeviceInformation GetServices",
              ops[:3])
        want_snap = "http://192.168.77.9:%d/snapshot/Profile_Main.jpg" % hp2
        check("snapshot: " + want_snap in r.stdout, "snapshot URI of the main profile printed", want_snap, r.stdout)
        cams = json.loads(st.ww("camera", "list", "--json").stdout)
        c = [x for x in cams if x["name"] == "Cổng UBND"]
        check(len(c) == 1, "camera stored", 1, cams)
        if c:
            check(c[0].get("snapshot_url") == want_snap, "snapshot URI stored", want_snap, c[0].get("snapshot_url"))
            check(c[0]["main_url"] == "rtsp://127.0.0.1:18554/cam/Profile_Main", "main = highest resolution, clean",
                  "rtsp://127.0.0.1:18554/cam/Profile_Main", c[0]["main_url"])
            check(c[0].get("sub_url") == "rtsp://127.0.0.1:18554/cam/Profile_Sub", "sub = lowest resolution",
                  "rtsp://127.0.0.1:18554/cam/Profile_Sub", c[0].get("sub_url"))
            check(c[0]["username"] == "admin" and c[0]["has_password"], "credentials stored as camera add does",
                  "admin + password", c[0])

        # an older camera: GetServices answers a fault, GetCapabilities names the media service
        oplog3 = os.path.join(st.tmp, "ops3")
        sim3, hp3, _ = start_sim("--no-get-services", "--password", "Mật-khẩu1", "--stream-base",
                                 "rtsp://127.0.0.1:18555/old", "--op-log", oplog3)
        r = st.ww("camera", "add", "--name", "Cổng cũ", "--onvif", "http://127.0.0.1:%d" % hp3,
                  "--username", "admin", "--password-file", pwf, check=False, timeout=30)
        check(r.returncode == 0, "older camera: add --onvif exit code", 0, (r.returncode, r.stdout, r.stderr))
        media_line = "media service: http://127.0.0.1:%d/onvif/media_service (via GetCapabilities)" % hp3
        check(media_line in r.stdout, "older camera: media XAddr from GetCapabilities", media_line, r.stdout)
        ops = (open(oplog3).read().split() if os.path.exists(oplog3) else [])[0::2]
        gs = ops.index("GetServices") if "GetServices" in ops else -1
        gc = ops.index("GetCapabilities") if "GetCapabilities" in ops else -1
        check(0 <= gs < gc, "GetServices first, GetCapabilities after it failed", "GetServices < GetCapabilities",
              ops)
        old_cam = [x for x in json.loads(st.ww("camera", "list", "--json").stdout) if x["name"] == "Cổng cũ"]
        check(len(old_cam) == 1 and old_cam[0]["main_url"] == "rtsp://127.0.0.1:18555/old/Profile_Main"
              and old_cam[0].get("snapshot_url") == "http://127.0.0.1:%d/snapshot/Profile_Main.jpg" % hp3,
              "older camera stored with its URLs and snapshot", "main + snapshot", old_cam)

        if c:
            api_record(st, c[0]["id"], want_snap)

        with open(pwf, "w") as f:
            f.write("wrong\n")
        r = st.ww("camera", "add", "--name", "Cổng sai", "--onvif", "http://127.0.0.1:%d" % hp2,
                  "--username", "admin", "--password-file", pwf, check=False, timeout=30)
        check(r.returncode == 1, "wrong password: exit 1", 1, (r.returncode, r.stderr))
        check("Cổng sai" in r.stderr and "refused the user name or password" in r.stderr,
              "wrong password message names the camera", "camera 'Cổng sai' ... refused", r.stderr)

        dead = free_port()
        t0 = time.monotonic()
        r = st.ww("camera", "add", "--name", "Xa", "--onvif", "http://127.0.0.1:%d" % dead,
                  "--username", "admin", "--password-file", pwf, check=False, timeout=30)
        check(r.returncode == 1 and "127.0.0.1:%d" % dead in r.stderr, "unreachable: error names the host",
              "exit 1, 127.0.0.1:%d" % dead, (r.returncode, r.stderr))
        check(time.monotonic() - t0 < 15, "unreachable: bounded", "< 15 s", time.monotonic() - t0)
    finally:
        cleanup()
        st.remove()
    finish()


if __name__ == "__main__":
    main()
