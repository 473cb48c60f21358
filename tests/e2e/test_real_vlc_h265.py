"""H.265 with 2 B-frames from an RTSP server no one here wrote (issue 12,
acceptance: "H.265 with B-frames, over TCP and over UDP"; camsim covers TCP
in test_real_bframes_h265): VLC 3's RTSP output over UDP, which packetizes
H.265 itself (RFC 7798 as VLC reads it, not as camsim does).  wardwatch
falls back to UDP by itself; every segment is H.265, decodes without an
error and has its frames in presentation order (tests/e2e/wwvlc.py)."""
from wwvlc import record_case

record_case("h265")
