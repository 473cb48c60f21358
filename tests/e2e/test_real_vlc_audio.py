"""Sound from an RTSP server no one here wrote (issue 12 item 6): VLC 3 serving the same
720p H.264 + AAC clip as test_real_vlc over RTP/UDP (it refuses TCP), the camera's audio
setting on.  Besides everything test_real_vlc checks, every segment carries VLC's AAC track
(RFC 3640 as VLC packetizes it) as long as its video, ±5 % (tests/e2e/wwvlc.py).  Skipped
(exit 77, with the reason) when cvlc is missing or cannot run as nobody."""
from wwvlc import record_case

record_case("h264", audio=True)
