#!/usr/bin/env python3
"""ONVIF: `camera discover --target` finds tools/onvifsim over WS-Discovery
(unicast on 127.0.0.1), lists its device service address, decoded name and
hardware scopes and its endpoint once (onvifsim answers every probe twice),
and `--json` says the same.  A target that does not answer gives an empty
list within the wait; a malformed target is a usage error.  Streams no video."""
import json
import os
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
    finally:
        cleanup()
        st.remove()
    finish()


if __name__ == "__main__":
    main()
