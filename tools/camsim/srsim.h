/* srsim: the camera clock camsim's RTCP sender reports tell (issue 12 item 5).
 *
 * gst-rtsp-server's rtpbin sends SRs itself (NTP time from the real-time
 * clock, RTP time from the running time), on the interleaved RTCP channel
 * and the UDP RTCP port alike.  srsim bends what they say, as a camera whose
 * clock is not ours would:
 *   - interval_ms: the session's minimum RTCP interval (rtpbin randomises
 *     each one within 0.5..1.5 of it, RFC 3550 6.3.1); 0 leaves rtpbin's 5 s;
 *   - offset_s: added to every SR's NTP time (a clock set hours wrong);
 *   - ppm: the camera's clock runs this fast (negative: slow), on both the
 *     RTP timestamps of every packet and the SRs' NTP times, each counted
 *     from its first value, so the two stay consistent as one oscillator's;
 *   - foreign: every SR goes out with a second SR appended, of another SSRC
 *     and an NTP time a year off: a receiver must ignore it.
 *
 * Threads: srsim_opts is set once before the server starts and read-only
 * after; each probe's state belongs to the pad's streaming thread. */
#ifndef CAMSIM_SRSIM_H
#define CAMSIM_SRSIM_H

#include <stdbool.h>

#include <gst/rtsp-server/rtsp-server.h>

typedef struct {
    int interval_ms;
    double offset_s;
    double ppm;
    bool foreign;
} srsim_opts;

extern srsim_opts srsim;

/* Hooks a media's payloader (named "pay0" in ELEMENT) and, once the media
 * is prepared, its RTCP output and interval.  A no-op when srsim is all
 * defaults. */
void srsim_attach(GstRTSPMedia *media, GstElement *element);

#endif
