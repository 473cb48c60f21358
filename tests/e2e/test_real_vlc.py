"""A camera served by an RTSP server no one here wrote: VLC 3's own RTSP
output (RTP over UDP only: it answers SETUP over TCP with 461).  The camera
is added with the default transport; wardwatch falls back to UDP by itself
and records within 5 s of start.  The stream is 720p H.264 High with 2
B-frames plus an AAC track (which is not recorded): every segment decodes
without an error, frames in presentation order (tests/e2e/wwvlc.py).

VLC refuses to run as root, so it runs as `nobody` (runuser).  Skipped (exit
77, with the reason) when cvlc is missing or cannot run that way."""
from wwvlc import record_case

record_case("h264")
