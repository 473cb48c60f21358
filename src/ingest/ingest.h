/*
 * ingest: one camera stream pulled over RTSP.
 *
 * The interface is deliberately narrow — open, read packet, close, stats —
 * so that the RTSP client behind it can change without touching hub,
 * record, live or motion.  Behind it: a lean RTSP/TCP client of our own
 * for rtsp:// over TCP (the default), and libavformat's client for RTP over
 * UDP, rtsps://, and when the environment has WARDWATCH_INGEST=libav.  Both
 * deliver one packet per access unit in Annex B form.
 *
 * Sound (issue 12 item 6): only when ingest_opts.audio is set (the camera's
 * setting, off by default), in the lean client's sessions (TCP
 * interleaved or RTP over UDP), the SDP's AAC or G.711 track is set up too
 * and its frames come as stream 1 (G.711 already turned into AAC); every
 * guarantee below is about stream 0, the video, and holds as before.
 * libavformat sessions (rtsps://, WARDWATCH_INGEST=libav) stay video-only.
 *
 * What a session guarantees to its reader:
 *   - the first packet returned is a keyframe, and by then ingest_params()
 *     is complete (codec, width/height, extradata with SPS/PPS[/VPS]);
 *   - every packet carries a wall-clock time (µs, UTC) anchored to the
 *     receive clock at session start and advancing with the camera's
 *     timestamps (extended across the 2^32 wrap); once the camera's RTCP
 *     sender reports come (lean client) it moves toward their mapping by a
 *     bounded slew, or, if the camera's clock is > 2 s off ours, stays on
 *     the receive clock (ingest_clock_stats); jumps re-anchor to the
 *     receive clock;
 *   - wall times strictly increase within a session.
 *
 * Threads: a session is used by one thread (its ingest thread).  Blocking
 * calls end by deadline (open and read timeouts, and the session's absolute
 * deadline_us if one is set) or within ~100 ms of *stop becoming true, so a stuck camera never pins its thread.  ingest_stats_* fields are plain values copied out by
 * the owner; they are not shared.
 *
 * Memory: the packet returned by ingest_read belongs to the session and is
 * valid until the next ingest_read or ingest_close; take a reference
 * (av_packet_ref) to keep its payload longer.
 * ingest_close(NULL) is a no-op.
 */
#ifndef WW_INGEST_H
#define WW_INGEST_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <libavcodec/avcodec.h>

struct ingest_opts {
    const char *url;          /* rtsp://host/path, without credentials */
    const char *username;     /* NULL = none */
    const char *password;
    bool udp;                 /* RTP over UDP only (the camera's override); else
                                 interleaved TCP first, and UDP by itself on 461
                                 or 3 s without a packet (remembered per URL) */
    int64_t open_timeout_us;  /* 0 → 10 s */
    int64_t read_timeout_us;  /* 0 → 5 s: no packet for this long = lost */
    int64_t deadline_us;      /* 0 = none; else an absolute CLOCK_MONOTONIC time
                                 (ww_mono_us) by which ingest_open and every
                                 ingest_read end, -ETIMEDOUT past it, whatever the
                                 camera sends (a stream of non-keyframes, a
                                 trickle): one budget for a whole session, as a
                                 connection probe needs */
    const char *log_ctx;      /* e.g. "cam=3/main" for messages */
    /* Where the credentials may go (issue 11 item 1).  They belong to the
     * host:port of cred_url (the camera's stored URL; NULL = url itself) and
     * are never sent anywhere else: not to url if its host:port differs, not
     * after a redirect (neither client follows one with credentials).  Basic
     * (the password in clear) answers a challenge only if basic_allowed;
     * otherwise a camera that offers only Basic fails with
     * INGEST_BASIC_REFUSED and gets no password. */
    const char *cred_url;
    bool basic_allowed;
    /* The camera's audio setting (issue 12 item 6; off by default): only
     * when true is the SDP's sound track SETUP and delivered as stream 1.
     * Off, no audio SETUP is sent at all. */
    bool audio;
};

#define INGEST_BASIC_REFUSED "camera asks for Basic auth, which this camera's record does not allow"

typedef struct ingest_session ingest_session_t;

/* A packet with its wall-clock time.  pkt->pts/dts stay in the stream's
 * time base (ingest_time_base); dts strictly increases and pts >= dts
 * (pts - dts > 0 for frames shown after later-decoded ones: B-frames);
 * wall_us is the wall time of the dts. */
struct ingest_packet {
    AVPacket *pkt;
    int64_t wall_us;
    bool key;
    /* This keyframe carries new stream parameters (an SPS unlike the last
     * one: a resolution or profile change); ingest_params() holds them
     * now.  Consumers start over at this packet (hub_start again). */
    bool params_changed;
    /* 0 = video; 1 = audio (only with ingest_opts.audio and a sound track
     * we can record): an AAC frame, pts = dts in ingest_audio_time_base,
     * strictly increasing, key false.  Audio starts after the first video
     * keyframe and never ends a session: a broken track is dropped and
     * counted (ingest_audio_stats), video goes on. */
    int stream;
};

/* Connects and prepares the stream.  Returns 0, WW_EAUTH (401), -ETIMEDOUT,
 * -ECONNREFUSED, WW_EINVAL (no usable video stream), WW_EAV (other), or
 * WW_EOF if *stop became true.  On failure *err_text describes the reason
 * for people (static or thread-local storage, valid until this thread's
 * next ingest_open); on success the session is returned. */
int ingest_open(const struct ingest_opts *o, atomic_bool *stop, ingest_session_t **out,
                const char **err_text);
/* Next packet (keyframe first).  0, WW_EOF (stream ended or stop), -ETIMEDOUT
 * (no data within read timeout, or the session's deadline_us passed — also
 * while packets keep coming but no keyframe) or WW_EAV. */
int ingest_read(ingest_session_t *s, struct ingest_packet *out);
void ingest_close(ingest_session_t *s);

/* Valid after the first packet was returned. */
const AVCodecParameters *ingest_params(const ingest_session_t *s);
AVRational ingest_time_base(const ingest_session_t *s);
/* The session's audio: AAC parameters (G.711 is transcoded to AAC as it
 * comes), or NULL when it has none (setting off, no track, a codec we
 * cannot record, libavformat sources).  Valid from ingest_open on. */
const AVCodecParameters *ingest_audio_params(const ingest_session_t *s);
AVRational ingest_audio_time_base(const ingest_session_t *s);
struct ingest_audio_stats {
    const char *codec;         /* the camera's: "aac", "pcma", "pcmu"; NULL = no audio */
    int64_t frames, dropped, bad_packets, lost;
    int64_t transcode_cpu_us;  /* G.711 → AAC encoding, this session */
};
void ingest_audio_stats(const ingest_session_t *s, struct ingest_audio_stats *out);
/* Number of times the wall-clock anchor was reset because camera
 * timestamps jumped. */
int64_t ingest_rebases(const ingest_session_t *s);
/* Packets dropped before the first keyframe. */
int64_t ingest_skipped(const ingest_session_t *s);
/* Access units dropped because RTP packets of them were lost or malformed
 * (lean client only; 0 with libavformat, which passes them on damaged). */
int64_t ingest_dropped(const ingest_session_t *s);
/* RTP packets missing from sequence gaps in this session (lean client
 * only; 0 with libavformat, which does not say).  Cheap: a copy of the
 * client's counters; the ingest thread only. */
int64_t ingest_rtp_lost(const ingest_session_t *s);

/* RTP over UDP through the lean client: the reorder window's counters and
 * the datagrams dropped for coming from elsewhere.  false (and zeros) for
 * other sources.  Same cost and thread as ingest_rtp_lost. */
struct ingest_udp_stats {
    int64_t received, lost, reordered, duplicate, late, foreign, rcvbuf;
};
bool ingest_udp_stats(const ingest_session_t *s, struct ingest_udp_stats *out);

/* Where the session's wall times come from (issue 12 item 5).  source is
 * "rtcp" while the camera's RTCP sender reports map its timestamps to wall
 * time (its clock within 2 s of ours), else "receive" (no SR yet, none sent,
 * libavformat, or a camera clock found off: then camera_offset_s says by
 * how much, and untrusted counts it).  camera_offset_s: the camera's SR time
 * minus our receive clock, smoothed (have_sr); drift_ppm: its clock's rate
 * against ours (have_drift: after 10 s of SRs); correction_ms: what the
 * bounded slew adds to the receive-anchored time now; mapping_error_ms
 * (have_mapping): how far the last frame's wall time is from where the SR
 * mapping in use puts it (0 once the slew has reached it).  Same thread and cost as
 * ingest_udp_stats. */
struct ingest_clock_stats {
    const char *source;       /* static */
    bool have_sr, have_drift, have_mapping;
    double camera_offset_s, drift_ppm, correction_ms, mapping_error_ms;
    int64_t srs, sr_unknown_ssrc, untrusted;
};
void ingest_clock_stats(const ingest_session_t *s, struct ingest_clock_stats *out);

#endif
