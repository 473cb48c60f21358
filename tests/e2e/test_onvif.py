#!/usr/bin/env python3
"""ONVIF: `camera discover --target` finds tools/onvifsim over WS-Discovery
(unicast on 127.0.0.1), lists its device service address, decoded name and
hardware scopes and its endpoint once (onvifsim answers every probe twice),
and `--json` says the same.  A target that does not answer gives an empty
list within the wait; a malformed target is a usage error.  Streams no video."""
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from wwtest import SRC, Station, check, cleanup, finish, free_port, _procs  # noqa: E402

SIM = os.path.join(SRC, "tools", "onvifsim", "onvifsim.py")


def start_sim(*extra):
    p = subprocess.Popen([sys.executable, SIM, "--name", "C%E1%BB%95ng%20ph%C6%B0%E1%BB%9Dng", *extra],
                         stdout=subprocess.PIPE, text=True)
    _procs.append(p)
    line = p.stdout.readline().split()  # bounded: onvifsim prints or exits at once
    if not line or line[0] != "ready":
        raise RuntimeError("onvifsim did not start: %r" % line)
    return p, int(line[1].split("=")[1]), int(line[2].split("=")[1])


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
        sim2, hp2, _ = start_sim("--clock-offset", "30", "--xaddr-host", "192.168.77.9",
                                 "--password", "Mật-khẩu1", "--stream-base", "rtsp://127.0.0.1:18554/cam")
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
        cams = json.loads(st.ww("camera", "list", "--json").stdout)
        c = [x for x in cams if x["name"] == "Cổng UBND"]
        check(len(c) == 1, "camera stored", 1, cams)
        if c:
            check(c[0]["main_url"] == "rtsp://127.0.0.1:18554/cam/Profile_Main", "main = highest resolution, clean",
                  "rtsp://127.0.0.1:18554/cam/Profile_Main", c[0]["main_url"])
            check(c[0].get("sub_url") == "rtsp://127.0.0.1:18554/cam/Profile_Sub", "sub = lowest resolution",
                  "rtsp://127.0.0.1:18554/cam/Profile_Sub", c[0].get("sub_url"))
            check(c[0]["username"] == "admin" and c[0]["has_password"], "credentials stored as camera add does",
                  "admin + password", c[0])

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
