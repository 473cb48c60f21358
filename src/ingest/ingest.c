/*
 * ingest.c — one camera stream as a session: picks the source, holds back
 * packets until the first keyframe, completes the codec parameters and
 * gives every packet a wall-clock time.
 *
 * Sources (internal.h): the lean RTSP client (rtsp.c) for rtsp:// over
 * TCP interleaved or RTP over UDP, the default because libavformat's
 * receive path costs ~6 syscalls per RTP packet and gives no per-stream
 * loss count or source filtering over UDP; libavformat's client
 * (src_libav.c) for rtsps:// and when WARDWATCH_INGEST=libav, so both can
 * be compared on the same cameras.  Both deliver one AVPacket per access unit in Annex B
 * form with the SDP's parameter sets (if any) as extradata, so hub, record,
 * live and motion cannot tell them apart.
 *
 * Parameters: we take the codec from the SDP, then complete the rest from
 * the first keyframe: width/height from the codec parser (it reads the
 * SPS, it does not decode), and extradata from the extract_extradata
 * filter when the SDP carried no parameter sets.
 *
 * Wall clock: the first packet's dts is anchored to the receive clock;
 * later packets advance by the camera's own timestamps, so frame spacing is
 * the camera's, not our scheduler's.  If the derived time drifts more than
 * REBASE_US from the receive clock (pts jump, wrap, camera reboot, or slow
 * drift of the camera clock), the anchor is reset to "now".  With RTCP
 * sender reports (lean client), rtcp.c's clock adds a correction that
 * moves toward the SR mapping by a bounded slew, or keeps the receive
 * clock when the camera's clock is off by more than 2 s.
 *
 * Transport: interleaved TCP first (one connection, no firewall trouble),
 * unless the camera's setting says UDP.  A camera that answers SETUP with
 * 461 Unsupported Transport, or sends no packet within 3 s of PLAY over
 * TCP, is opened again over UDP (the lean client again) at once, and the
 * URL is remembered (in memory, for the process's life) as a UDP camera,
 * so its reconnects go straight to UDP.
 *
 * Decode order: both sources stamp a unit with its RTP timestamp, the
 * presentation time; with B-frames it is not monotonic.  reorder.c gives
 * every packet a dts (decode time) with the depth the SPS declares, and
 * wall_us follows the dts, so wall_us is in decode order and pts - dts is
 * the composition offset every muxer downstream writes.
 *
 * Invariants: packets returned start at a keyframe; wall_us and dts
 * strictly increase, pts >= dts; params are complete before the first
 * packet leaves.
 */
#include "ingest/ingest.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libavcodec/bsf.h>
#include <libavutil/channel_layout.h>

#include "base/base.h"
#include "ingest/internal.h"

#define REBASE_US 3000000 /* derived vs receive clock difference that re-anchors */
#define TCP_SILENCE_US 3000000 /* no packet this long after PLAY over TCP: try UDP */
#define MEMO_MAX 1024          /* URLs remembered as UDP cameras */

struct ingest_session {
    struct rtsp_client *lean;   /* exactly one of lean and lav is set */
    struct lav_src *lav;
    AVCodecParameters *par;     /* our completed copy */
    AVPacket *pkt;              /* reused for every read: no per-packet alloc */
    AVRational tb;
    bool started;               /* first keyframe seen */
    struct reorder ro;          /* dts from the sources' presentation times */
    /* wall-clock anchoring */
    int64_t anchor_wall, anchor_ts, last_wall;
    struct rtcp_clock clk;      /* RTCP sender reports (lean client only) */
    bool clk_ready;
    int64_t clock_untrusted;    /* SRs found the camera's clock off: 0 or 1 a session */
    int64_t rebases, skipped;
    int64_t read_timeout_us;
    int64_t deadline_us;        /* absolute monotonic µs; 0 = none */
    atomic_bool *stop;
    const char *ctx;
    /* TCP→UDP fallback while no packet came yet: what to open UDP with */
    struct ingest_opts udp_opts;   /* strings below, owned */
    char *o_url, *o_user, *o_pass, *o_cred, *o_ctx;
    bool fallback;                 /* a TCP session that may still fall back */
    bool udp_works_unproven;       /* fell back; remembered once a packet comes */
    int64_t opened_mono;
    /* the in-band SPS of the last keyframe that carried one (a camera whose
     * resolution or profile changes sends a new one: new parameters) */
    uint8_t *sps;
    int sps_len;
    int64_t param_changes;
    /* the sound track (lean client, the camera's setting on) */
    AVCodecParameters *apar;    /* AAC, NULL = no audio */
    AVRational atb;
    enum sdp_audio_codec acodec;
    struct g711_aac *g711;      /* G.711 is turned into AAC here */
    int64_t a_anchor_wall, a_anchor_ts, a_last_wall, a_last_dts;
    bool a_started;
    int64_t a_frames, a_dropped, a_rebases;
};

/* URLs that worked only over UDP.  Strings are kept for the process's life
 * (one per camera that needed it, at most MEMO_MAX). */
static pthread_mutex_t memo_mu = PTHREAD_MUTEX_INITIALIZER;
static char *memo[MEMO_MAX];
static int nmemo;

static bool memo_udp(const char *url)
{
    bool found = false;
    pthread_mutex_lock(&memo_mu);
    for (int i = 0; i < nmemo && !found; i++) found = !strcmp(memo[i], url);
    pthread_mutex_unlock(&memo_mu);
    return found;
}

static void memo_add(const char *url)
{
    if (memo_udp(url)) return;
    pthread_mutex_lock(&memo_mu);
    if (nmemo < MEMO_MAX) memo[nmemo++] = ww_strdup(url);
    pthread_mutex_unlock(&memo_mu);
}

const char *ingest_errtext(const char *fmt, ...)
{
    static _Thread_local char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return buf;
}

/* NULL if the lean client serves these options, else why not. */
static const char *why_libav(const struct ingest_opts *o)
{
    const char *env = ww_env_str("WARDWATCH_INGEST");
    if (env && !strcmp(env, "libav")) return "WARDWATCH_INGEST=libav";
    if (strncasecmp(o->url, "rtsp://", 7)) return "not an rtsp:// URL";
    return NULL;
}

/* Credentials go only to the host:port they were stored with (issue 11
 * item 1).  A URL at another one is opened without them; if that camera
 * asks for them, the open fails saying why. */
static bool creds_for_elsewhere(const struct ingest_opts *o)
{
    if (!o->username || !*o->username || !o->cred_url) return false;
    return !ww_rtsp_same_authority(o->url, o->cred_url);
}

/* libavformat's client answers Basic challenges and follows redirects with
 * the credentials, and has no option against either; so before it gets
 * credentials over plain rtsp://, the lean client asks the same questions
 * (OPTIONS, DESCRIBE) under our rules.  It is a check of the camera as it
 * answers now, not a guarantee about its next answer: a server that
 * answers the two connections differently can still get libavformat's
 * Basic answer (rtsps:// is not checked: TLS carries that one). */
static int check_for_libav(const struct ingest_opts *o, atomic_bool *stop, const char **why)
{
    if (!o->username || !*o->username || strncasecmp(o->url, "rtsp://", 7)) return 0;
    return rtsp_client_check_auth(o, stop, why);
}

static char *dup_or_null(const char *v) { return v ? ww_strdup(v) : NULL; }

/* Copies what a UDP reopen needs (the caller's strings may be a stack copy
 * that ingest_open's return ends). */
static void keep_opts(struct ingest_session *s, const struct ingest_opts *o)
{
    s->udp_opts = *o;
    s->udp_opts.udp = true;
    s->udp_opts.url = s->o_url = dup_or_null(o->url);
    s->udp_opts.username = s->o_user = dup_or_null(o->username);
    s->udp_opts.password = s->o_pass = dup_or_null(o->password);
    s->udp_opts.cred_url = s->o_cred = dup_or_null(o->cred_url);
    s->udp_opts.log_ctx = s->o_ctx = dup_or_null(o->log_ctx);
    s->ctx = s->o_ctx ? s->o_ctx : "ingest";
}

/* The session's audio parameters from the client's sound track: AAC as
 * the SDP describes it, or G.711 through the transcoder (whose output is
 * AAC).  A track we cannot set up leaves the session video-only. */
static void open_audio(struct ingest_session *s)
{
    const struct sdp_audio *a = rtsp_client_audio(s->lean);
    if (!a) return;
    s->acodec = a->codec;
    s->atb = (AVRational){1, a->clock};
    if (a->codec == SDP_AUDIO_AAC) {
        s->apar = avcodec_parameters_alloc();
        s->apar->codec_type = AVMEDIA_TYPE_AUDIO;
        s->apar->codec_id = AV_CODEC_ID_AAC;
        s->apar->sample_rate = a->clock;
        s->apar->frame_size = 1024;
        av_channel_layout_default(&s->apar->ch_layout, a->channels);
        s->apar->extradata = av_mallocz((size_t)a->extradata_size + AV_INPUT_BUFFER_PADDING_SIZE);
        memcpy(s->apar->extradata, a->extradata, (size_t)a->extradata_size);
        s->apar->extradata_size = a->extradata_size;
        return;
    }
    int rc = g711_aac_new(a->codec, a->clock, a->channels, &s->g711);
    if (rc) {
        ww_warn(s->ctx, "audio: no AAC encoder for the G.711 track (%s): recording video only", ww_strerror(rc));
        return;
    }
    s->apar = avcodec_parameters_alloc();
    avcodec_parameters_copy(s->apar, g711_aac_params(s->g711));
    ww_info(s->ctx, "audio: G.711 %s is turned into AAC %d Hz as it comes (MSE cannot play G.711)",
            a->codec == SDP_AUDIO_PCMA ? "A-law" : "µ-law", a->clock);
}

/* Opens the lean client (TCP interleaved, or UDP if o->udp) and the
 * stream parameters its SDP gave. */
static int open_lean(struct ingest_session *s, const struct ingest_opts *o, atomic_bool *stop,
                     const char **err_text)
{
    ww_debug(s->ctx, "ingest: lean RTSP client (%s)", o->udp ? "RTP over UDP" : "TCP interleaved");
    int rc = rtsp_client_open(o, stop, &s->lean, err_text);
    if (rc) return rc;
    s->par = avcodec_parameters_alloc();
    s->par->codec_type = AVMEDIA_TYPE_VIDEO;
    s->par->codec_id = rtsp_client_codec(s->lean);
    int n = 0;
    const uint8_t *ed = rtsp_client_extradata(s->lean, &n);
    if (ed && n > 0) {
        s->par->extradata = av_mallocz((size_t)n + AV_INPUT_BUFFER_PADDING_SIZE);
        memcpy(s->par->extradata, ed, (size_t)n);
        s->par->extradata_size = n;
    }
    s->tb = rtsp_client_time_base(s->lean);
    open_audio(s);
    return 0;
}

/* Opens the UDP session in place of a TCP one that failed. */
static int open_udp(struct ingest_session *s, const char **err_text)
{
    rtsp_client_close(s->lean);
    s->lean = NULL;
    lav_src_close(s->lav);
    s->lav = NULL;
    avcodec_parameters_free(&s->par);
    avcodec_parameters_free(&s->apar);
    g711_aac_free(s->g711);
    s->g711 = NULL;
    const struct ingest_opts *o = &s->udp_opts;
    int rc;
    if (why_libav(o)) {
        rc = check_for_libav(o, s->stop, err_text);
        if (!rc) rc = lav_src_open(o, s->stop, &s->lav, &s->par, &s->tb, err_text);
    } else {
        rc = open_lean(s, o, s->stop, err_text);
    }
    s->fallback = false;
    return rc;
}

int ingest_open(const struct ingest_opts *o_in, atomic_bool *stop, ingest_session_t **out,
                const char **err_text)
{
    static const char *dummy;
    if (!err_text) err_text = &dummy;
    *out = NULL;
    struct ingest_opts stripped;
    const struct ingest_opts *o = o_in;
    bool withheld = creds_for_elsewhere(o_in);
    if (withheld) {
        stripped = *o_in;
        stripped.username = stripped.password = NULL;
        o = &stripped;
        ww_warn(o->log_ctx ? o->log_ctx : "ingest",
                "the stored credentials belong to another host:port than the URL's: not sent");
    }
    struct ingest_session *s = ww_calloc(1, sizeof *s);
    s->stop = stop;
    s->ctx = o->log_ctx ? o->log_ctx : "ingest";
    s->read_timeout_us = o->read_timeout_us > 0 ? o->read_timeout_us : 5000000;
    s->deadline_us = o->deadline_us > 0 ? o->deadline_us : 0;
    s->last_wall = INT64_MIN;
    s->pkt = av_packet_alloc();
    keep_opts(s, o);

    bool remembered = !o->udp && memo_udp(o->url);
    if (remembered) {
        o = &s->udp_opts;
        ww_debug(s->ctx, "ingest: this camera worked only over UDP before: UDP");
    }
    const char *alt = why_libav(o);
    int rc;
    if (alt) {
        ww_debug(s->ctx, "ingest: libavformat RTSP client (%s)", alt);
        rc = check_for_libav(o, stop, err_text);
        if (!rc) rc = lav_src_open(o, stop, &s->lav, &s->par, &s->tb, err_text);
    } else {
        rc = open_lean(s, o, stop, err_text);
    }
    if (rc == -EPROTONOSUPPORT && !o->udp) {
        ww_warn(s->ctx, "%s: falling back to RTP over UDP", *err_text);
        rc = open_udp(s, err_text);
        if (!rc) memo_add(s->o_url);
    } else if (!rc && !o->udp) {
        s->fallback = true;
        s->opened_mono = ww_mono_us();
    }
    if (rc) {
        if (withheld && rc == WW_EAUTH)
            *err_text = "camera asks for credentials, but the stored ones belong to another"
                        " host:port: not sent";
        ingest_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

/* Fills width/height from the SPS in pkt (or extradata) with the parser. */
static void complete_dimensions(struct ingest_session *s, const AVPacket *pkt)
{
    if (s->par->width > 0 && s->par->height > 0) return;
    AVCodecParserContext *pc = av_parser_init(s->par->codec_id);
    AVCodecContext *cc = avcodec_alloc_context3(NULL);
    if (pc && cc) {
        if (s->par->extradata_size > 0) {
            cc->extradata = av_mallocz((size_t)s->par->extradata_size + AV_INPUT_BUFFER_PADDING_SIZE);
            memcpy(cc->extradata, s->par->extradata, (size_t)s->par->extradata_size);
            cc->extradata_size = s->par->extradata_size;
        }
        uint8_t *od;
        int os;
        av_parser_parse2(pc, cc, &od, &os, pkt->data, pkt->size, pkt->pts, pkt->dts, 0);
        /* flush so a single access unit is fully parsed */
        av_parser_parse2(pc, cc, &od, &os, NULL, 0, AV_NOPTS_VALUE, AV_NOPTS_VALUE, 0);
        if (pc->width > 0 && pc->height > 0) {
            s->par->width = pc->width;
            s->par->height = pc->height;
        } else if (cc->width > 0) {
            s->par->width = cc->width;
            s->par->height = cc->height;
        }
    }
    av_parser_close(pc);
    avcodec_free_context(&cc);
}

/* The first SPS NAL unit of an Annex B access unit (H.264 type 7, H.265
 * type 33), without its start code; NULL if it carries none. */
static const uint8_t *find_sps(const uint8_t *d, int n, bool hevc, int *len)
{
    int i = 0;
    while (i + 3 < n) {
        if (!(d[i] == 0 && d[i + 1] == 0 && d[i + 2] == 1)) { i++; continue; }
        int start = i + 3, end = start;
        while (end + 2 < n && !(d[end] == 0 && d[end + 1] == 0 && (d[end + 2] == 1 || d[end + 2] == 0))) end++;
        if (end + 2 >= n) end = n;
        int type = hevc ? (d[start] >> 1) & 0x3f : d[start] & 0x1f;
        if (end > start && type == (hevc ? 33 : 7)) { *len = end - start; return d + start; }
        i = end;
    }
    return NULL;
}

static void remember_sps(struct ingest_session *s, const uint8_t *sps, int len)
{
    free(s->sps);
    s->sps = ww_malloc((size_t)len);
    memcpy(s->sps, sps, (size_t)len);
    s->sps_len = len;
}

/* Takes SPS/PPS(/VPS) from the keyframe when the SDP gave none. */
static void complete_extradata(struct ingest_session *s, const AVPacket *pkt)
{
    if (s->par->extradata_size > 0) return;
    const AVBitStreamFilter *f = av_bsf_get_by_name("extract_extradata");
    AVBSFContext *bsf = NULL;
    if (!f || av_bsf_alloc(f, &bsf) < 0) return;
    avcodec_parameters_copy(bsf->par_in, s->par);
    AVPacket *tmp = av_packet_alloc();
    if (av_bsf_init(bsf) >= 0 && av_packet_ref(tmp, pkt) >= 0 && av_bsf_send_packet(bsf, tmp) >= 0 &&
        av_bsf_receive_packet(bsf, tmp) >= 0) {
        size_t n = 0;
        uint8_t *ed = av_packet_get_side_data(tmp, AV_PKT_DATA_NEW_EXTRADATA, &n);
        if (ed && n > 0) {
            s->par->extradata = av_mallocz(n + AV_INPUT_BUFFER_PADDING_SIZE);
            memcpy(s->par->extradata, ed, n);
            s->par->extradata_size = (int)n;
        }
    }
    av_packet_free(&tmp);
    av_bsf_free(&bsf);
}

/* A keyframe whose in-band SPS differs from the last one: the camera
 * changed resolution or profile.  The parameters are taken afresh from this
 * keyframe (the recorder starts a new segment, live and motion start over)
 * and the session goes on: no reconnect. */
static bool params_changed(struct ingest_session *s, const AVPacket *pkt)
{
    int n;
    const uint8_t *sps = find_sps(pkt->data, pkt->size, s->par->codec_id == AV_CODEC_ID_HEVC, &n);
    if (!sps) return false;
    if (s->sps && n == s->sps_len && !memcmp(sps, s->sps, (size_t)n)) return false;
    bool first = !s->sps;
    remember_sps(s, sps, n);
    if (first) return false; /* the first in-band SPS after a start that had none */
    int ow = s->par->width, oh = s->par->height;
    av_freep(&s->par->extradata);
    s->par->extradata_size = 0;
    s->par->width = s->par->height = 0;
    complete_extradata(s, pkt);
    complete_dimensions(s, pkt);
    s->param_changes++;
    ww_info(s->ctx, "the camera changed its stream parameters (%dx%d → %dx%d): a new segment starts here",
            ow, oh, s->par->width, s->par->height);
    return true;
}

/* Sender reports that came since the last packet go into the mapping. */
static void take_srs(struct ingest_session *s)
{
    if (!s->clk_ready) {
        rtcp_clock_init(&s->clk, s->tb.num == 1 ? s->tb.den : 90000);
        s->clk_ready = true;
    }
    struct rtsp_sr sr;
    if (!s->lean || !rtsp_client_take_sr(s->lean, &sr)) return;
    int newly = rtcp_clock_sr(&s->clk, sr.ntp_us, sr.ext_ts, sr.recv_us);
    ww_debug(s->ctx, "RTCP SR: camera clock %+.3f ms off ours (best of the last %d: %+.3f ms), drift %.0f ppm",
             (double)(sr.ntp_us - sr.recv_us) / 1e3, RTCP_WIN, (double)s->clk.offset_us / 1e3,
             s->clk.have_drift ? s->clk.drift_ppm : 0.0);
    if (newly) {
        s->clock_untrusted++;
        ww_warn(s->ctx, "the camera's clock is %.1f s off ours (RTCP sender report): "
                "its video is timed by the receive clock, its reports used only for its rate",
                (double)s->clk.offset_us / 1e6);
    }
}

static int64_t wall_for(struct ingest_session *s, const AVPacket *pkt, int64_t now)
{
    int64_t ts = pkt->dts != AV_NOPTS_VALUE ? pkt->dts : pkt->pts;
    int64_t wall;
    take_srs(s);
    if (ts == AV_NOPTS_VALUE) {
        wall = now;
    } else {
        if (s->anchor_wall == 0) { s->anchor_wall = now; s->anchor_ts = ts; }
        int64_t base = s->anchor_wall + av_rescale_q(ts - s->anchor_ts, s->tb, (AVRational){1, 1000000});
        if (llabs(base + s->clk.corr_us - now) > REBASE_US) {
            /* The camera's clock jumped (or drifted far): trust our clock. */
            s->rebases++;
            ww_warn(s->ctx, "camera timestamps jumped by %.1f s; re-anchoring to the receive clock",
                    (double)(base + s->clk.corr_us - now) / 1e6);
            s->anchor_wall = now;
            s->anchor_ts = ts;
            base = now;
            rtcp_clock_rebase(&s->clk);
        }
        /* the SR mapping, reached by a bounded slew (rtcp.c) */
        wall = rtcp_clock_wall(&s->clk, ts, base);
        rtcp_clock_arrival(&s->clk, ts, now);
    }
    if (s->last_wall != INT64_MIN && wall <= s->last_wall) wall = s->last_wall + 1;
    s->last_wall = wall;
    return wall;
}

/* The reorder depth and frame duration, from the first keyframe. */
static void start_reorder(struct ingest_session *s, const AVPacket *key)
{
    AVRational fr;
    int depth = reorder_probe_depth(s->par, key, &fr);
    int64_t dur = fr.num > 0 && fr.den > 0 ? av_rescale_q(1, av_inv_q(fr), s->tb)
                                           : av_rescale_q(40000, (AVRational){1, 1000000}, s->tb);
    reorder_init(&s->ro, depth > 0 ? depth : 0, dur, s->ctx);
    if (depth > 0) {
        s->par->video_delay = depth;
        ww_info(s->ctx, "stream has B-frames: frames are shown up to %d after they are decoded",
                depth);
    }
}

/* Wall time of an audio frame: anchored to the receive clock at the first
 * frame after the video started, advancing with the track's own RTP clock
 * (extended across the wrap by the depacketizer), re-anchored like video
 * when it strays more than REBASE_US, plus the correction the video's RTCP
 * mapping adds now (rtcp.c's bounded slew), so both tracks stay on one
 * clock.  The camera's RTCP SRs for audio itself are not used: both tracks
 * are anchored on arrival, so they line up within the network's delay (ms
 * on a LAN), which a player's lip sync tolerates. */
static int64_t audio_wall(struct ingest_session *s, int64_t ts, int64_t now)
{
    if (!s->a_started) { s->a_anchor_wall = now; s->a_anchor_ts = ts; s->a_started = true; }
    int64_t base = s->a_anchor_wall + av_rescale_q(ts - s->a_anchor_ts, s->atb, (AVRational){1, 1000000});
    if (llabs(base - now) > REBASE_US) {
        s->a_rebases++;
        s->a_anchor_wall = base = now;
        s->a_anchor_ts = ts;
    }
    int64_t wall = base + (s->clk_ready ? s->clk.corr_us : 0);
    if (s->a_last_wall && wall <= s->a_last_wall) wall = s->a_last_wall + 1;
    s->a_last_wall = wall;
    return wall;
}

/* An AAC frame in pkt out as stream 1: true if it goes (dts strictly
 * increases within the track; a repeated timestamp from a camera is
 * dropped, not bent: audio frames have a fixed length). */
static bool emit_audio(struct ingest_session *s, AVPacket *pkt, struct ingest_packet *out)
{
    if (s->a_frames && pkt->dts <= s->a_last_dts) { s->a_dropped++; av_packet_unref(pkt); return false; }
    s->a_last_dts = pkt->dts;
    pkt->pts = pkt->dts;
    pkt->stream_index = 1;
    pkt->time_base = s->atb;
    pkt->flags |= AV_PKT_FLAG_KEY;
    s->a_frames++;
    *out = (struct ingest_packet){.pkt = pkt, .stream = 1, .wall_us = audio_wall(s, pkt->dts, ww_wall_us())};
    return true;
}

/* An audio frame from the source: true when out holds one to return.
 * Before the first video keyframe audio is dropped (the recording starts
 * at a keyframe); G.711 goes into the transcoder, whose AAC comes out at
 * the top of ingest_read's loop. */
static bool take_audio(struct ingest_session *s, AVPacket *pkt, struct ingest_packet *out)
{
    if (!s->apar || !s->started) { av_packet_unref(pkt); return false; }
    if (!s->g711) return emit_audio(s, pkt, out);
    if (g711_aac_push(s->g711, pkt)) s->a_dropped++;
    av_packet_unref(pkt);
    return false;
}

/* How long the next source read may wait: the read timeout, cut to what is
 * left of the session's deadline.  0 when the deadline has passed. */
static int64_t read_budget(const struct ingest_session *s)
{
    if (!s->deadline_us) return s->read_timeout_us;
    int64_t left = s->deadline_us - ingest_coarse_us();
    if (left <= 0) return 0;
    return left < s->read_timeout_us ? left : s->read_timeout_us;
}

int ingest_read(ingest_session_t *s, struct ingest_packet *out)
{
    AVPacket *pkt = s->pkt;
    av_packet_unref(pkt);
    for (;;) {
        /* AAC the transcoder made from earlier G.711 frames first */
        if (s->g711 && g711_aac_pop(s->g711, pkt) && emit_audio(s, pkt, out)) return 0;
        /* Checked per packet, not per wait: a camera that streams only
         * non-keyframes never lets a read time out, so the loop that skips
         * them must watch the deadline itself. */
        int64_t budget = read_budget(s);
        if (budget <= 0) return -ETIMEDOUT;
        if (s->fallback) { /* the first packet over TCP is due within 3 s */
            int64_t left = s->opened_mono + TCP_SILENCE_US - ww_mono_us();
            budget = left < budget ? (left > 0 ? left : 0) : budget;
        }
        int rc = budget <= 0 ? -ETIMEDOUT
               : s->lean ? rtsp_client_read(s->lean, pkt, budget) : lav_src_read(s->lav, pkt);
        if (rc == -ETIMEDOUT && s->fallback && ww_mono_us() >= s->opened_mono + TCP_SILENCE_US) {
            ww_warn(s->ctx, "no packet over TCP within %d s: falling back to RTP over UDP",
                    TCP_SILENCE_US / 1000000);
            const char *why = NULL;
            rc = open_udp(s, &why);
            if (rc) { ww_warn(s->ctx, "UDP: %s", why ? why : ww_strerror(rc)); return rc; }
            s->udp_works_unproven = true;
            continue;
        }
        if (rc) return rc;
        if (pkt->stream_index == 1) {
            if (take_audio(s, pkt, out)) return 0;
            continue;
        }
        if (s->fallback) s->fallback = false; /* TCP delivers: it stays */
        if (s->udp_works_unproven) { memo_add(s->o_url); s->udp_works_unproven = false; }
        bool key = (pkt->flags & AV_PKT_FLAG_KEY) != 0, changed;
        if (!s->started) {
            if (!key) { s->skipped++; av_packet_unref(pkt); continue; }
            complete_extradata(s, pkt);
            complete_dimensions(s, pkt);
            if (s->par->width <= 0 || s->par->extradata_size <= 0) {
                s->skipped++;
                av_packet_unref(pkt);
                continue; /* try the next keyframe */
            }
            start_reorder(s, pkt);
            s->started = true;
            int n;
            const uint8_t *sps = find_sps(pkt->data, pkt->size, s->par->codec_id == AV_CODEC_ID_HEVC, &n);
            if (sps) remember_sps(s, sps, n);
            changed = false;
        } else {
            changed = key && params_changed(s, pkt);
        }
        pkt->time_base = s->tb;
        reorder_apply(&s->ro, pkt);
        out->pkt = pkt;
        out->key = key;
        out->params_changed = changed;
        out->stream = 0;
        out->wall_us = wall_for(s, pkt, ww_wall_us());
        return 0;
    }
}

void ingest_close(ingest_session_t *s)
{
    if (!s) return;
    rtsp_client_close(s->lean);
    lav_src_close(s->lav);
    avcodec_parameters_free(&s->par);
    avcodec_parameters_free(&s->apar);
    if (s->g711)
        ww_debug(s->ctx, "audio: G.711 → AAC took %.1f ms of CPU for %lld frames",
                 (double)g711_aac_cpu_us(s->g711) / 1e3, (long long)s->a_frames);
    g711_aac_free(s->g711);
    av_packet_free(&s->pkt);
    free(s->sps);
    free(s->o_url);
    free(s->o_user);
    if (s->o_pass) explicit_bzero(s->o_pass, strlen(s->o_pass));
    free(s->o_pass);
    free(s->o_cred);
    free(s->o_ctx);
    free(s);
}

const AVCodecParameters *ingest_params(const ingest_session_t *s) { return s->par; }
const AVCodecParameters *ingest_audio_params(const ingest_session_t *s) { return s->apar; }
AVRational ingest_audio_time_base(const ingest_session_t *s) { return s->atb; }

void ingest_audio_stats(const ingest_session_t *s, struct ingest_audio_stats *out)
{
    *out = (struct ingest_audio_stats){0};
    if (!s->apar) return;
    static const char *const names[] = {[SDP_AUDIO_AAC] = "aac", [SDP_AUDIO_PCMA] = "pcma", [SDP_AUDIO_PCMU] = "pcmu"};
    struct rtp_astats st = {0};
    if (s->lean) rtsp_client_audio_stats(s->lean, &st);
    out->codec = names[s->acodec];
    out->frames = s->a_frames;
    out->dropped = s->a_dropped + st.dropped_aus;
    out->bad_packets = st.bad;
    out->lost = st.lost;
    out->transcode_cpu_us = s->g711 ? g711_aac_cpu_us(s->g711) : 0;
}
AVRational ingest_time_base(const ingest_session_t *s) { return s->tb; }
int64_t ingest_rebases(const ingest_session_t *s) { return s->rebases; }
int64_t ingest_skipped(const ingest_session_t *s) { return s->skipped; }

int64_t ingest_dropped(const ingest_session_t *s)
{
    if (!s->lean) return 0;
    struct rtsp_client_stats st;
    rtsp_client_stats(s->lean, &st);
    return st.rtp.dropped_aus;
}

int64_t ingest_rtp_lost(const ingest_session_t *s)
{
    if (!s->lean) return 0;
    struct rtsp_client_stats st;
    rtsp_client_stats(s->lean, &st);
    return st.rtp.lost;
}

bool ingest_udp_stats(const ingest_session_t *s, struct ingest_udp_stats *out)
{
    *out = (struct ingest_udp_stats){0};
    if (!s->lean) return false;
    struct rtsp_client_stats st;
    rtsp_client_stats(s->lean, &st);
    if (!st.udp) return false;
    *out = (struct ingest_udp_stats){.received = st.win.received,
                                     .lost = st.win.lost,
                                     .reordered = st.win.reordered,
                                     .duplicate = st.win.duplicate,
                                     .late = st.win.late,
                                     .foreign = st.udp_foreign,
                                     .rcvbuf = st.udp_rcvbuf};
    return true;
}

void ingest_clock_stats(const ingest_session_t *s, struct ingest_clock_stats *out)
{
    const struct rtcp_clock *k = &s->clk;
    struct rtsp_client_stats st = {0};
    if (s->lean) rtsp_client_stats(s->lean, &st);
    *out = (struct ingest_clock_stats){
        .source = s->clk_ready ? rtcp_clock_source(k) : "receive",
        .have_sr = s->clk_ready && k->srs > 0,
        .camera_offset_s = s->clk_ready ? (double)k->offset_us / 1e6 : 0,
        .have_drift = s->clk_ready && k->have_drift,
        .drift_ppm = s->clk_ready ? k->drift_ppm : 0,
        .correction_ms = s->clk_ready ? (double)k->corr_us / 1e3 : 0,
        .have_mapping = s->clk_ready && k->have_sr,
        .mapping_error_ms = s->clk_ready && k->have_sr ? (double)k->map_err_us / 1e3 : 0,
        .srs = s->clk_ready ? k->srs : 0,
        .sr_unknown_ssrc = st.sr_unknown,
        .untrusted = s->clock_untrusted,
    };
}
