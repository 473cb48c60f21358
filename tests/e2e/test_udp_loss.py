"""RTP over UDP with loss: a camsim camera behind tests/e2e/wwrelay.py,
which drops 1 %, swaps ~1 % with the next packet and duplicates ~0.5 % of
the RTP packets (seeded), and a camera set to `--transport udp`.  For ~25 s:
recording continues with no reconnect; the stream's loss counter (stats)
(stats.json's stream "rtp"; the API's health and /metrics read the same
engine status, not checked here) is within a sane band of what the relay
dropped; RTCP receiver reports reach the camera's RTCP port;
duplicates and reordered packets are counted; datagrams
the test sends to wardwatch's RTP port from another port are counted as
foreign and dropped; every segment decodes with no error (damaged access
units are dropped, never written); `wardwatch check` is clean."""

import os
import socket
import subprocess
import time

from wwtest import Camsim, Station, check, finish, log
from wwrelay import UdpLossRelay

cs = Camsim(cameras=1).start()
relay = UdpLossRelay(cs.port, seed=12, drop=0.01, reorder=0.01, dup=0.005)
st = Station("udp-loss").init()
try:
    cam = st.add_camera("UDP", relay.url("/cam1/main"), extra=["--transport", "udp"])
    st.serve("--segment-seconds", "4")
    first = st.wait_for(lambda: st.stream_stats(cam).get("record", {}).get("frames", 0) > 0, 15)
    check(bool(first), "the camera records over UDP through the relay", "frames within 15 s", first)
    # foreign datagrams: the camera's address, another port
    port = st.wait_for(lambda: relay.client_rtp_port, 5)
    fake = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    fake.bind(("127.0.0.1", 0))
    rtp = bytes([0x80, 96, 0, 1]) + bytes(8) + b"\x65" * 100
    for _ in range(50):
        fake.sendto(rtp, ("127.0.0.1", port))
        time.sleep(0.01)
    fake.close()
    time.sleep(12)
    f1 = st.stream_stats(cam).get("record", {}).get("frames", 0)
    time.sleep(10)
    s = st.stream_stats(cam)
    f2 = s.get("record", {}).get("frames", 0)
    # 25 fps; whole access units hit by a loss are dropped (~1 in 7 here:
    # a keyframe spans ~100 packets), the rest is recorded
    check(f2 - f1 >= 150, "recording continues through the loss", ">= 150 frames in 10 s", f2 - f1)
    rtp_st = s.get("rtp", {})
    log(f"relay: dropped {relay.dropped}, swapped {relay.reordered}, duplicated {relay.duplicated}, "
        f"forwarded {relay.forwarded}; wardwatch: {rtp_st}")
    check(rtp_st.get("udp") is True, "the stream says it is RTP over UDP", True, rtp_st.get("udp"))
    lost = rtp_st.get("lost", -1)
    # the relay drops before wardwatch reads; packets after the last
    # delivered one may not be counted yet: a small slack either way
    check(relay.dropped > 10, "the relay dropped packets", "> 10", relay.dropped)
    check(relay.dropped * 0.8 - 3 <= lost <= relay.dropped + 3, "loss counted from sequence numbers",
          f"within [{relay.dropped * 0.8 - 3:.0f}, {relay.dropped + 3}]", lost)
    check(rtp_st.get("duplicate", 0) >= relay.duplicated * 0.8, "duplicates counted",
          f">= {relay.duplicated * 0.8:.0f}", rtp_st.get("duplicate"))
    check(rtp_st.get("reordered", 0) >= relay.reordered * 0.8, "reordered packets counted",
          f">= {relay.reordered * 0.8:.0f}", rtp_st.get("reordered"))
    check(rtp_st.get("foreign", 0) >= 50, "datagrams from another port counted as foreign", ">= 50",
          rtp_st.get("foreign"))
    check(s.get("reconnects", -1) == 0, "no reconnect", 0, s.get("reconnects"))
    # one at SETUP (the NAT punch), then every 4 s: ~25 s of streaming
    check(relay.receiver_reports >= 5, "RTCP receiver reports reach the camera's RTCP port",
          ">= 5", relay.receiver_reports)
    log(f"record: {s.get('record')}")
    rc = st.stop()
    check(rc == 0, "serve exits 0", 0, rc)
    j = st.recordings(cam)
    segs = j["segments"]
    # a segment starts on a keyframe, and a keyframe spans ~100 packets: at 1 %
    # loss most are damaged and dropped, so how many segments a run cuts is
    # chance (one long segment is fine); that frames keep coming is checked above
    check(len(segs) >= 1, "segments recorded", ">= 1", len(segs))
    if len(segs) < 1:
        log("serve log (tail):\n" + "\n".join(st.log().splitlines()[-25:]))
    for seg in segs:
        path = os.path.join(st.data, seg["path"])
        r = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-f", "null", "-"],
                           capture_output=True, text=True, timeout=120)
        check(r.returncode == 0 and not r.stderr.strip(), f"{seg['path']} decodes without an error",
              "no errors", r.stderr[-300:])
    r = st.check()
    check(r.returncode == 0, "wardwatch check is clean", "exit 0", r.stdout[-300:])
finally:
    st.stop()
    relay.stop()
    cs.stop()
    st.remove()
finish()
