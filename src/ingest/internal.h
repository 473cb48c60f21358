/*
 * ingest/internal.h — the pieces of ingest shared by its .c files and its
 * unit tests.  Not part of ingest's public surface (ingest.h is).
 *
 * Inside ingest, lowest first:
 *   rtsp_wire.c  splits a received byte stream into interleaved frames
 *                ('$' channel len16 payload) and RTSP messages; header lookup
 *   rtsp_auth.c  WWW-Authenticate challenges; Basic and Digest answers
 *   sdp.c        the video track of an SDP (codec, payload type, clock,
 *                control, parameter sets as Annex B extradata), its audio
 *                track (AAC / G.711); URL joins
 *   rtp.c        RTP packets → access units (H.264 / H.265 depacketizer)
 *   rtp_audio.c  the sound track's RTP packets → AAC (RFC 3640) / G.711 frames
 *   g711.c       G.711 → AAC (decision 015), for the camera's audio setting
 *   rtcp.c       receiver reports; sender reports → wall-clock mapping
 *   rtsp.c       the lean RTSP/TCP client: socket, requests, read loop
 *   src_libav.c  libavformat's RTSP client, the other source
 *   ingest.c     picks a source; first keyframe, params, wall clock
 *
 * Threads: every object here is used by one thread at a time (the
 * session's ingest thread).  Memory: each struct owns what it points to
 * and has a free function; pointers into a caller's buffer are marked.
 */
#ifndef WW_INGEST_INTERNAL_H
#define WW_INGEST_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <libavcodec/avcodec.h>

#include "ingest/ingest.h"

/* Monotonic µs from the coarse clock: a vDSO read with no hardware clock
 * access.  Millisecond resolution is plenty for deadlines and keep-alives
 * counted in seconds; it is read on every socket wake-up. */
static inline int64_t ingest_coarse_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Error text for people that outlives the session that produced it (the
 * session is freed when open fails): per thread, valid until the thread's
 * next call that sets it. */
const char *ingest_errtext(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- rtsp_wire.c --------------------------------------------------------
 * Caps on what a camera may send us in one RTSP message. */
#define RTSP_MAX_HEAD (16 * 1024)
#define RTSP_MAX_BODY (64 * 1024)

enum rtsp_item_kind { RTSP_ITEM_FRAME = 1, RTSP_ITEM_MSG, RTSP_ITEM_JUNK };

/* One item at the front of a receive buffer.  All pointers point into that
 * buffer and are valid until it is consumed or moved. */
struct rtsp_item {
    enum rtsp_item_kind kind;
    int channel;               /* FRAME: the interleaved channel */
    const uint8_t *data;       /* FRAME: payload; JUNK: the skipped bytes */
    size_t len;
    int status;                /* MSG: response status (100..999), 0 for a
                                  request from the server, -1 if the status
                                  line does not parse */
    const char *head;          /* MSG: start line and headers, no blank line */
    size_t head_len;
    const char *body;          /* MSG: Content-Length bytes */
    size_t body_len;
};

/* Takes the next item off the front of p[0..n).  Returns the number of
 * bytes the item spans (> 0), 0 if more bytes are needed to tell, or
 * WW_EINVAL if a message breaks RTSP_MAX_HEAD / RTSP_MAX_BODY.  A '$'
 * followed by a channel above max_channel is not a frame (it is junk), so a
 * stray '$' cannot make us wait for up to 64 KB of garbage. */
ptrdiff_t rtsp_wire_next(const uint8_t *p, size_t n, int max_channel, struct rtsp_item *it);

/* Finds the next header called name (case-insensitive) in a message head,
 * starting at *pos (0 = from the top; the start line is skipped).  On a hit
 * sets *val and *vlen to the trimmed value, advances *pos past that line and
 * returns true. */
bool rtsp_hdr_next(const char *head, size_t len, const char *name, size_t *pos,
                   const char **val, size_t *vlen);

/* ---- rtsp_auth.c --------------------------------------------------------- */
enum rtsp_auth_scheme { RTSP_AUTH_NONE, RTSP_AUTH_BASIC, RTSP_AUTH_DIGEST };

/* Digest's algorithm (RFC 7616): MD5 and SHA-256, each with its -sess form. */
enum rtsp_digest_alg { RTSP_DIGEST_MD5, RTSP_DIGEST_MD5_SESS, RTSP_DIGEST_SHA256, RTSP_DIGEST_SHA256_SESS };

struct rtsp_auth {
    enum rtsp_auth_scheme scheme;
    char *realm, *nonce, *opaque;
    bool qop_auth;             /* the server offered qop=auth */
    enum rtsp_digest_alg alg;  /* Digest only */
    bool stale;
    unsigned nc;               /* nonce count, per nonce */
    char cnonce[17];           /* hex; set per challenge, tests may overwrite */
};

/* Reads one WWW-Authenticate value and keeps it if it is usable and at
 * least as strong as what is kept (Digest SHA-256 over Digest MD5 over
 * Basic; a camera offering both Digests gets the SHA-256 answer).  Returns 0 if kept,
 * WW_EINVAL if not usable (unknown scheme or algorithm, malformed). */
int rtsp_auth_challenge(struct rtsp_auth *a, const char *val, size_t len);
/* The Authorization header value for one request (heap; the caller frees
 * and should explicit_bzero a Basic one).  NULL if no scheme is kept. */
char *rtsp_auth_header(struct rtsp_auth *a, const char *user, const char *pass,
                       const char *method, const char *uri);
/* The RFC 2617/7616 request-digest in lowercase hex (32 digits for MD5, 64
 * for SHA-256).  qop NULL means the RFC 2069 form (no nc, cnonce). */
void rtsp_digest(const char *user, const char *realm, const char *pass, const char *method,
                 const char *uri, const char *nonce, const char *nc, const char *cnonce,
                 const char *qop, enum rtsp_digest_alg alg, char out[65]);
void rtsp_auth_free(struct rtsp_auth *a);

/* ---- sdp.c ------------------------------------------------------------- */
enum rtp_codec { RTP_H264, RTP_H265 };

struct sdp_video {
    enum rtp_codec codec;
    int pt;                    /* RTP payload type */
    int clock;                 /* RTP clock rate, Hz */
    char *control;             /* media-level a=control, NULL if none */
    char *session_control;     /* session-level a=control, NULL if none */
    uint8_t *extradata;        /* Annex B parameter sets (av_malloc, padded), or NULL */
    int extradata_size;
    int max_don_diff;          /* H.265 sprop-max-don-diff: > 0 means DONL fields */
    int packetization_mode;    /* H.264 */
};
#define SDP_MAX_EXTRADATA (64 * 1024)

/* Picks the first m=video section with an H264/90000 or H265/90000 rtpmap.
 * sdp need not be NUL-terminated.  0, or WW_EINVAL if there is none. */
int sdp_parse_video(const char *sdp, size_t len, struct sdp_video *out);
void sdp_video_free(struct sdp_video *v);
/* The audio track (issue 12 item 6): the first m=audio format we can
 * record — AAC as mpeg4-generic (RFC 3640, AU headers with a size field,
 * config= AudioSpecificConfig) or G.711 (PCMA/PCMU).  0, or WW_EINVAL if
 * there is none (the session is then video-only). */
enum sdp_audio_codec { SDP_AUDIO_NONE, SDP_AUDIO_AAC, SDP_AUDIO_PCMA, SDP_AUDIO_PCMU };
struct sdp_audio {
    enum sdp_audio_codec codec;
    int pt, clock, channels;
    char *control;             /* media-level a=control, NULL if none */
    uint8_t *extradata;        /* AAC: AudioSpecificConfig (av_malloc, padded) */
    int extradata_size;
    int size_length, index_length, index_delta_length; /* AAC AU header fields, bits */
};
int sdp_parse_audio(const char *sdp, size_t len, struct sdp_audio *out);
void sdp_audio_free(struct sdp_audio *a);
/* An a=control value resolved against a base URL (Content-Base or the
 * request URL): "*" or empty → base; absolute → itself; otherwise appended
 * after a '/', as cameras expect.  Heap string. */
char *rtsp_resolve_url(const char *base, const char *control);
/* The base the SDP's control URLs resolve against: the DESCRIBE reply's
 * Content-Base (or Content-Location; cb need not be NUL-terminated, len 0
 * or cb NULL → none) made absolute against the request URL.  Cameras send
 * it without a scheme ("192.168.1.10:554/live/") or as a bare path
 * ("/live/"); a value that is no URL at all is ignored.  Heap string. */
char *rtsp_base_url(const char *request_url, const char *cb, size_t len);

/* ---- rtp.c ----------------------------------------------------------------
 * Depacketizer: RTP packets in, access units out, each in Annex B form
 * (00 00 00 01 before every NAL unit) in its own refcounted buffer that the
 * NAL data is assembled straight into (one copy: receive buffer → AU). */
struct rtp_au {
    AVBufferRef *buf;
    int size;
    int64_t ts;                /* RTP timestamp, unwrapped */
    bool key;
};

struct rtp_stats {
    int64_t packets;           /* RTP packets seen */
    int64_t bad;               /* dropped: header does not parse */
    int64_t other_pt;          /* ignored: another payload type */
    int64_t late;              /* dropped: sequence number behind */
    int64_t gaps, lost;        /* sequence gaps and packets missing in them */
    int64_t aus;               /* access units delivered */
    int64_t dropped_aus;       /* access units dropped: gap, broken FU, too big */
    int64_t unsupported;       /* packets of a packetization we do not do */
    int64_t ssrc_changes;      /* a new SSRC: the sender restarted (some cameras, every GOP) */
    int64_t annexb_split;      /* packets carrying start codes inside, split into NAL units */
};

#define RTP_DONE_MAX 4

struct rtp_depack {
    enum rtp_codec codec;
    int pt;                    /* accepted payload type; -1 = any */
    bool donl;                 /* H.265 DONL/DOND fields present */
    size_t max_au;             /* an AU larger than this is dropped */
    bool have_seq, have_ssrc;
    uint16_t next_seq;
    uint32_t ssrc;
    bool have_ts, restarted;   /* restarted: a new SSRC, timestamps to continue */
    uint32_t last_ts32;
    int64_t last_ts64;
    int64_t step;              /* the last forward step between units, ticks */
    /* the access unit being assembled */
    AVBufferRef *buf;          /* reallocatable; capacity buf->size */
    size_t len;
    int64_t au_ts;
    bool au_open, damaged, key, vcl, in_fu;
    size_t est_key, est_other; /* first allocation sizes, from recent AUs */
    /* completed access units, oldest first */
    struct rtp_au done[RTP_DONE_MAX];
    int ndone;
    struct rtp_stats st;
};

void rtp_depack_init(struct rtp_depack *d, enum rtp_codec codec, int pt, bool donl);
/* Feeds one RTP packet (p is not kept).  Returns the number of completed
 * access units waiting to be popped. */
int rtp_depack_push(struct rtp_depack *d, const uint8_t *p, size_t n);
/* Moves the oldest completed access unit into pkt, which must hold no data:
 * pkt->buf is the AU's buffer (pkt owns it), pts = dts = its timestamp,
 * AV_PKT_FLAG_KEY if it holds an IDR/IRAP picture.  false if none waits. */
bool rtp_depack_pop(struct rtp_depack *d, AVPacket *pkt);
/* Ends the AU being assembled as if its last packet had the marker bit. */
void rtp_depack_flush(struct rtp_depack *d);
void rtp_depack_free(struct rtp_depack *d);

/* ---- rtp_audio.c: the sound track's depacketizer ------------------------
 * AAC (RFC 3640 AU headers; several AUs per packet; fragmented AUs) or
 * G.711 (one packet, one frame).  Frames are copied out (they are small);
 * pts = dts = the RTP timestamp unwrapped, AU i of a packet at ts + 1024 *
 * its index.  Bad packets are counted, never fatal. */
#define RTP_ADONE_MAX 32
#define RTP_AUDIO_MAX_AU 8192          /* an AAC frame is at most 6144 bits per channel */

struct rtp_astats {
    int64_t packets, bad, other_pt, late, lost, aus, dropped_aus;
};

struct rtp_adepack {
    enum sdp_audio_codec codec;
    int pt;
    int size_length, index_length, index_delta_length;
    int64_t frame_samples;
    bool have_seq, have_ts;
    uint16_t next_seq;
    uint32_t last_ts32;
    int64_t last_ts64;
    AVBufferRef *frag;         /* the fragmented AU being assembled, or NULL */
    size_t frag_len, frag_total;
    int64_t frag_ts;
    struct rtp_au done[RTP_ADONE_MAX]; /* a ring from head */
    int head, ndone;
    struct rtp_astats st;
};
void rtp_adepack_init(struct rtp_adepack *d, const struct sdp_audio *a);
/* Feeds one RTP packet (not kept).  Returns the frames waiting. */
int rtp_adepack_push(struct rtp_adepack *d, const uint8_t *p, size_t n);
/* The oldest frame into pkt (which holds no data); false if none. */
bool rtp_adepack_pop(struct rtp_adepack *d, AVPacket *pkt);
void rtp_adepack_free(struct rtp_adepack *d);

/* ---- g711.c: G.711 → AAC (docs/decisions/ on why) ------------------------
 * Decodes A-law/µ-law with libavcodec, encodes AAC-LC with its native
 * encoder at the same rate and channels.  In: G.711 frames of any length;
 * out: AAC frames of 1024 samples, pts in samples from the first input's
 * pts.  Used by the ingest thread only. */
struct g711_aac;
int g711_aac_new(enum sdp_audio_codec codec, int rate, int channels, struct g711_aac **out);
/* Parameters of the AAC it makes (extradata = AudioSpecificConfig). */
const AVCodecParameters *g711_aac_params(const struct g711_aac *g);
/* Feeds one G.711 frame (pts in samples).  0 or WW_EAV. */
int g711_aac_push(struct g711_aac *g, const AVPacket *in);
/* The next AAC frame into pkt (unreferenced); false if none waits. */
bool g711_aac_pop(struct g711_aac *g, AVPacket *pkt);
/* CPU time spent encoding, µs (the ingest thread's, measured per call). */
int64_t g711_aac_cpu_us(const struct g711_aac *g);
void g711_aac_free(struct g711_aac *g);

/* ---- rtcp.c: receiver reports ------------------------------------------------
 * What a receiver knows of one RTP source, for its RTCP receiver reports
 * (RFC 3550 A.3, A.8).  One per stream, on its ingest thread. */
struct rtcp_rx {
    uint32_t our_ssrc;         /* the SSRC we report as */
    int clock;                 /* the payload's RTP clock, Hz */
    bool have_src;
    uint32_t ssrc;             /* the source reported on */
    uint16_t max_seq, base_seq;
    uint32_t cycles;           /* sequence wraps, times 65536 */
    int64_t received, expected_prior, received_prior;
    int64_t t0_us, transit;
    bool have_transit;
    double jitter;             /* RTP clock units */
    uint32_t lsr;              /* middle 32 bits of the last SR's NTP time */
    int64_t lsr_at_us;         /* when that SR came (our clock); 0 = none yet */
    int64_t srs, reports;      /* sender reports seen, receiver reports built */
    /* the last SR of our source, until taken (sr_new cleared by the taker) */
    bool sr_new;
    uint64_t sr_ntp;           /* NTP time, 32.32 */
    uint32_t sr_rtp;           /* the RTP time it maps to */
    int64_t sr_unknown;        /* SRs of another SSRC (or before any RTP): ignored */
};
void rtcp_rx_init(struct rtcp_rx *r, uint32_t our_ssrc, int clock);
/* One RTP packet as received (header parsed here; a bad one is skipped). */
void rtcp_rx_rtp(struct rtcp_rx *r, const uint8_t *p, size_t n, int64_t now_us);
/* One RTCP (compound) packet from the sender: its SR's time is kept. */
void rtcp_rx_rtcp(struct rtcp_rx *r, const uint8_t *p, size_t n, int64_t now_us);
/* ---- rtcp.c: wall clock from sender reports ------------------------------
 * An SR maps the camera's NTP time to its RTP time.  A frame's wall time is
 * the receive-clock anchored time ingest.c derives (base) plus a correction
 * that moves toward the SR mapping by at most RTCP_SLEW_PPM of media time:
 * 1 ms per second is 5x the worst camera crystal we expect (±200 ppm), so
 * real drift is followed, while a 25 fps frame moves by at most 40 µs, so
 * segment times never step and stay monotonic.  Not faster: the recorder
 * writes a frame's wall time as its dts in the segment file, and once a
 * segment's frames drift off their grid by half a frame (20 ms at 25 fps)
 * ffmpeg decoding it at the stream's rate rounds two frames onto one tick
 * and calls the file broken (50 ms/s was tried, test_ingest_lean saw it);
 * at 1 ms/s a segment must be corrected for 20 s for that.  A camera whose SR time is
 * more than RTCP_TRUST_US from our receive clock has a clock that is not
 * set (NTP-synced cameras are within ms; network delay on a LAN is ms, on a
 * bad uplink under a second): its hour is not used, only its rate between
 * SRs, with its measured offset taken off.  2 s is below ingest's 3 s
 * re-anchor bound, so a trusted mapping never triggers a re-anchor. */
#define RTCP_NTP_UNIX_OFFSET 2208988800LL  /* 1900-01-01 → 1970-01-01, s */
#define RTCP_SLEW_PPM 1000
/* Within 500 ms of the mapping nothing is bent: the frames keep the
 * camera's exact spacing (players, and tests that step through frames,
 * see whole frames); the slew starts past 500 ms and stops under 20 ms.
 * A wall time is for finding video by the second, and 0.5 s is the bound
 * the recording's times are held to; the receive-clock anchor alone is
 * commonly tens of ms off (as late as the first packet came), VLC's SRs
 * more than 100 ms: a band of 20 ms, then 100 ms, made every such session
 * bend its frames for minutes (test_real_bframes, test_real_vlc saw it).
 * A 200 ppm clock reaches 500 ms after 42 min, then is pulled back at
 * 1 ms/s for 8 min (its segments then step off the frame grid: ffmpeg
 * decoding a segment longer than 20 s at its frame rate may round two
 * frames onto one tick; the file itself is valid, dts increasing). */
#define RTCP_SLEW_START_US 500000
#define RTCP_SLEW_STOP_US 20000
#define RTCP_TRUST_US 2000000
#define RTCP_DRIFT_MIN_SPAN_US 10000000
#define RTCP_RATE_BUCKET_US 2000000

#define RTCP_WIN 8

struct rtcp_off_sample {
    int64_t off_us;            /* camera NTP - our clock at arrival */
    int64_t recv_us;
};

struct rtcp_clock {
    int clock;                 /* RTP clock, Hz */
    bool have_sr, untrusted, have_last, have_drift;
    int64_t sr_ntp_us, sr_ext; /* the last SR: unix µs ↔ extended RTP time */
    struct rtcp_off_sample win[RTCP_WIN]; /* the last SRs, a ring */
    int64_t nwin;              /* SRs put in it */
    struct rtcp_rate {         /* rtcp_clock_arrival's */
        bool started, bucket_have;
        int64_t ts0, t0, bucket_start, buckets;
        struct rtcp_off_sample best, base; /* off_us: media time ahead of arrival */
    } rate;
    int64_t offset_us;         /* camera - our clock: the best of the window */
    double drift_ppm;          /* camera media clock rate vs ours (have_drift) */
    int64_t corr_us;           /* what is added to the receive-anchored time */
    bool slewing;              /* the correction is moving (hysteresis) */
    int64_t map_err_us;        /* the SR mapping minus the last wall time (have_sr) */
    int64_t last_ts;
    int64_t srs;
};
int64_t rtcp_ntp_to_unix_us(uint64_t ntp);
void rtcp_clock_init(struct rtcp_clock *k, int clock);
/* One SR: ntp_us its time (unix µs), ext_ts its RTP time extended like the
 * packets', recv_us our wall clock when it came.  Returns 1 when this SR
 * made the camera's clock untrusted (log it once), else 0. */
int rtcp_clock_sr(struct rtcp_clock *k, int64_t ntp_us, int64_t ext_ts, int64_t recv_us);
/* Wall time of a frame at extended RTP time ts (non-decreasing), given the
 * receive-anchored time base_us. */
int64_t rtcp_clock_wall(struct rtcp_clock *k, int64_t ts, int64_t base_us);
/* Every frame as it is returned: ts its extended RTP time, now_us our wall
 * clock.  Measures drift_ppm (have_drift after RTCP_DRIFT_MIN_SPAN_US). */
void rtcp_clock_arrival(struct rtcp_clock *k, int64_t ts, int64_t now_us);
/* The timestamps jumped and ingest re-anchored: drop the mapping. */
void rtcp_clock_rebase(struct rtcp_clock *k);
/* "rtcp" while a trusted SR mapping is used, else "receive". */
const char *rtcp_clock_source(const struct rtcp_clock *k);

/* Extended highest sequence number received; packets lost in all. */
uint32_t rtcp_rx_ext_max(const struct rtcp_rx *r);
int64_t rtcp_rx_lost(const struct rtcp_rx *r);
/* Writes RR (with one report block once a packet came) + SDES CNAME into
 * out; returns its length (a multiple of 4), or 0 if cap is too small.
 * Starts the next "fraction lost" interval. */
size_t rtcp_rx_report(struct rtcp_rx *r, const char *cname, int64_t now_us, uint8_t *out, size_t cap);

/* ---- rtp_window.c: UDP packets back in sequence order ---------------------
 * A bounded reorder window (RTPW_SLOTS packets or RTPW_WAIT_US, whichever
 * first), duplicates dropped, loss counted from extended sequence numbers. */
#define RTPW_SLOTS 64
#define RTPW_WAIT_US 100000
#define RTPW_MAX_PACKET 65536

struct rtpw_stats {
    int64_t received, lost, reordered, duplicate, late, resyncs, bad;
};

struct rtpw_slot {
    uint8_t *data;             /* owned; capacity cap */
    size_t cap, len;
    int64_t ext, at_us;
    bool used;
};

struct rtp_window {
    struct rtpw_slot slot[RTPW_SLOTS]; /* by ext % RTPW_SLOTS */
    bool started, want_room;
    int64_t next;              /* extended number of the next packet out */
    int64_t max;               /* highest extended number received */
    int64_t want_ext;          /* want_room: the packet that did not fit */
    uint64_t hist;             /* bit i: next-1-i was delivered (not skipped) */
    int count;                 /* packets waiting */
    int64_t popped_at_us;      /* arrival time of the packet popped last */
    struct rtpw_stats st;
};

enum { RTPW_DROPPED = 0, RTPW_STORED = 1, RTPW_FULL = 2 };

void rtp_window_init(struct rtp_window *w);
void rtp_window_free(struct rtp_window *w);
/* One packet as received (copied).  RTPW_STORED, RTPW_DROPPED (duplicate,
 * late, malformed: counted), or RTPW_FULL: it lies past the window; pop
 * until rtp_window_pop says false, then push it again. */
int rtp_window_push(struct rtp_window *w, const uint8_t *p, size_t n, int64_t now_us);
/* The next packet in order, if it is there or the gap before it is given
 * up on (counted as lost).  *p is valid until the next push. */
bool rtp_window_pop(struct rtp_window *w, int64_t now_us, const uint8_t **p, size_t *n);
/* µs until a waiting gap is given up on; -1 if nothing waits. */
int64_t rtp_window_wait_us(const struct rtp_window *w, int64_t now_us);

/* ---- rtsp.c: the lean client --------------------------------------------- */
struct rtsp_client;

struct rtsp_client_stats {
    int64_t recv_calls, bytes, frames, rtcp, junk_bytes, messages, keepalives;
    int64_t rtcp_rr;           /* receiver reports sent */
    int64_t sr_unknown;        /* sender reports of an unknown SSRC: ignored */
    struct rtp_stats rtp;
    bool udp;                  /* RTP over UDP: the fields below count */
    int64_t udp_rcvbuf;        /* SO_RCVBUF as the kernel granted it */
    int64_t udp_foreign;       /* datagrams from another address or port: dropped */
    struct rtpw_stats win;     /* the reorder window's counters */
};

/* Connects, DESCRIBE, SETUP (video track; interleaved TCP, or a UDP port
 * pair if o->udp), PLAY.  Returns
 * and maps errors like ingest_open. */
int rtsp_client_open(const struct ingest_opts *o, atomic_bool *stop, struct rtsp_client **out,
                     const char **why);
/* OPTIONS and DESCRIBE only, then TEARDOWN-free close: what libavformat's
 * client would meet, checked by rules it cannot keep (no Basic unless
 * allowed, no redirect).  0 if DESCRIBE succeeded; errors as open. */
int rtsp_client_check_auth(const struct ingest_opts *o, atomic_bool *stop, const char **why);
/* Next access unit into pkt (unreferenced by the caller first).  0, WW_EOF,
 * -ETIMEDOUT (nothing for timeout_us), WW_EAV. */
int rtsp_client_read(struct rtsp_client *c, AVPacket *pkt, int64_t timeout_us);
/* Sends TEARDOWN (best effort, bounded) and frees.  NULL is a no-op. */
void rtsp_client_close(struct rtsp_client *c);
enum AVCodecID rtsp_client_codec(const struct rtsp_client *c);
/* The SDP's parameter sets (Annex B) or NULL; owned by the client. */
const uint8_t *rtsp_client_extradata(const struct rtsp_client *c, int *size);
AVRational rtsp_client_time_base(const struct rtsp_client *c);
/* The sound track set up (the camera's setting on; TCP or UDP), or NULL.  Its
 * frames come from rtsp_client_read with pkt->stream_index 1. */
const struct sdp_audio *rtsp_client_audio(const struct rtsp_client *c);
void rtsp_client_audio_stats(const struct rtsp_client *c, struct rtp_astats *st);
void rtsp_client_stats(const struct rtsp_client *c, struct rtsp_client_stats *st);
/* The newest sender report of the stream's source not yet taken: NTP time
 * (unix µs), RTP time extended like the packets' timestamps, our wall clock
 * at its arrival.  false if none came since the last call. */
struct rtsp_sr {
    int64_t ntp_us, ext_ts, recv_us;
};
bool rtsp_client_take_sr(struct rtsp_client *c, struct rtsp_sr *out);

/* ---- reorder.c: decode timestamps from presentation times ---------------- */
#define REORDER_MAX 16                /* H.264/H.265 allow at most 16 */

struct reorder {
    int depth;                        /* frames shown after later-decoded ones */
    int64_t pend[REORDER_MAX + 2];    /* pts seen, not yet used as a dts; ascending */
    int npend;
    int64_t recent[REORDER_MAX + 1];  /* the last pts, a ring: how far units reorder */
    int nrecent, irecent;
    int64_t shift;                    /* added to every pts since a backward jump */
    int64_t last_dts, max_pts, dur;   /* dur: one frame, in the stream's time base */
    bool started, last_popped;
    int64_t last_step;
    int64_t corrections, jumps;       /* counted and logged */
    const char *ctx;
};

/* depth: from reorder_probe_depth (0 if unknown); frame_dur in the stream's
 * time base (a guess is fine: it is refined from the stream). */
void reorder_init(struct reorder *r, int depth, int64_t frame_dur, const char *ctx);
/* The SPS's reorder depth (and frame rate, {0,1} if unknown) as a decoder
 * sees it after the first keyframe; -1 if the decoder cannot tell. */
int reorder_probe_depth(const AVCodecParameters *par, const AVPacket *key, AVRational *framerate);
/* Sets pkt->dts (strictly increasing, <= pts) from pkt->pts, correcting
 * pkt->pts where the camera's times go backwards.  pkt->time_base, if set,
 * is used only for log messages. */
void reorder_apply(struct reorder *r, AVPacket *pkt);

/* ---- src_libav.c --------------------------------------------------------- */
struct lav_src;

/* Opens the stream with libavformat.  On success *par is a new copy of the
 * video stream's parameters (the caller frees it) and *tb its time base. */
int lav_src_open(const struct ingest_opts *o, atomic_bool *stop, struct lav_src **out,
                 AVCodecParameters **par, AVRational *tb, const char **why);
/* Next video packet.  0, WW_EOF, -ETIMEDOUT, WW_EAV. */
int lav_src_read(struct lav_src *l, AVPacket *pkt);
void lav_src_close(struct lav_src *l);

#endif
