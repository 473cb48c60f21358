/*
 * ingest.c — an RTSP stream read with libavformat, without decoding.
 *
 * Why no avformat_find_stream_info(): it decodes frames to learn what the
 * SDP and the first keyframe already tell us, and that probing costs more
 * CPU than recording itself.  We take the codec from the SDP, then complete
 * the parameters from the first keyframe: width/height from the codec
 * parser (it reads the SPS, it does not decode), and extradata from the
 * extract_extradata filter when the SDP carried no sprop-parameter-sets.
 *
 * Wall clock: the first packet's dts is anchored to the receive clock;
 * later packets advance by the camera's own timestamps, so frame spacing is
 * the camera's, not our scheduler's.  If the derived time drifts more than
 * REBASE_US from the receive clock (pts jump, wrap, camera reboot, or slow
 * drift of the camera clock), the anchor is reset to "now".
 *
 * Invariants: packets returned start at a keyframe; wall_us strictly
 * increases; params are complete before the first packet leaves.
 */
#include "ingest/ingest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libavcodec/bsf.h>
#include <libavformat/avformat.h>

#include "base/base.h"

#define REBASE_US 3000000 /* derived vs receive clock difference that re-anchors */

struct ingest_session {
    AVFormatContext *fmt;
    int vidx;                   /* the video stream's index */
    AVCodecParameters *par;     /* our completed copy */
    AVPacket *pkt;              /* reused for every read: no per-packet alloc */
    AVRational tb;
    bool started;               /* first keyframe seen */
    /* wall-clock anchoring */
    int64_t anchor_wall, anchor_ts, last_wall, last_dts;
    int64_t rebases, skipped;
    /* interrupt */
    atomic_bool *stop;
    int64_t deadline;           /* monotonic µs; 0 = none */
    bool timed_out;
    int64_t read_timeout_us;
    char errbuf[256];
    const char *ctx;
};

/* Called by libavformat around every socket read (several times per RTP
 * packet): the coarse clock is a vDSO read with no hardware clock access,
 * and millisecond resolution is plenty for second-long deadlines. */
static int64_t coarse_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int interrupt_cb(void *opaque)
{
    struct ingest_session *s = opaque;
    if (s->stop && atomic_load(s->stop)) return 1;
    if (s->deadline && coarse_mono_us() > s->deadline) {
        s->timed_out = true;
        return 1;
    }
    return 0;
}

static char *url_with_credentials(const struct ingest_opts *o)
{
    if (!o->username || !*o->username) return ww_strdup(o->url);
    const char *p = strstr(o->url, "://");
    if (!p) return ww_strdup(o->url);
    p += 3;
    return ww_asprintf("%.*s%s%s%s@%s", (int)(p - o->url), o->url, o->username,
                       o->password ? ":" : "", o->password ? o->password : "", p);
}

static int map_open_error(struct ingest_session *s, int averr, const char **why)
{
    if (s->stop && atomic_load(s->stop)) { *why = "stopped"; return WW_EOF; }
    if (s->timed_out) { *why = "timed out connecting to the camera"; return -ETIMEDOUT; }
    switch (averr) {
    case AVERROR_HTTP_UNAUTHORIZED:
        *why = "camera refused the credentials (401 Unauthorized): check username and password";
        return WW_EAUTH;
    case AVERROR_HTTP_FORBIDDEN: *why = "camera refused access (403 Forbidden)"; return WW_EAUTH;
    case AVERROR_HTTP_NOT_FOUND: *why = "camera has no such stream (404 Not Found): check the URL path"; return -ENOENT;
    case AVERROR(ECONNREFUSED): *why = "connection refused: camera offline or wrong port"; return -ECONNREFUSED;
    case AVERROR(EHOSTUNREACH): *why = "host unreachable"; return -EHOSTUNREACH;
    case AVERROR(ENETUNREACH): *why = "network unreachable"; return -ENETUNREACH;
    case AVERROR(ETIMEDOUT): *why = "timed out connecting to the camera"; return -ETIMEDOUT;
    default: break;
    }
    /* The session is freed on this path: the text must outlive it.  One
     * buffer per thread (each stream has its own ingest thread). */
    static _Thread_local char open_err[256];
    av_strerror(averr, open_err, sizeof open_err);
    *why = open_err;
    return WW_EAV;
}

int ingest_open(const struct ingest_opts *o, atomic_bool *stop, ingest_session_t **out,
                const char **err_text)
{
    static const char *dummy;
    if (!err_text) err_text = &dummy;
    *out = NULL;
    struct ingest_session *s = ww_calloc(1, sizeof *s);
    s->stop = stop;
    s->ctx = o->log_ctx ? o->log_ctx : "ingest";
    s->read_timeout_us = o->read_timeout_us > 0 ? o->read_timeout_us : 5000000;
    s->vidx = -1;
    s->last_wall = INT64_MIN;
    s->pkt = av_packet_alloc();

    s->fmt = avformat_alloc_context();
    s->fmt->interrupt_callback.callback = interrupt_cb;
    s->fmt->interrupt_callback.opaque = s;
    AVDictionary *opts = NULL;
    av_dict_set(&opts, "rtsp_transport", o->udp ? "udp" : "tcp", 0);
    av_dict_set(&opts, "allowed_media_types", "video", 0);
    char tmo[32];
    snprintf(tmo, sizeof tmo, "%lld", (long long)s->read_timeout_us);
    av_dict_set(&opts, "timeout", tmo, 0);
    av_dict_set(&opts, "max_delay", "200000", 0); /* UDP reorder buffer */
    char *url = url_with_credentials(o);
    s->deadline = coarse_mono_us() + (o->open_timeout_us > 0 ? o->open_timeout_us : 10000000);
    int rc = avformat_open_input(&s->fmt, url, NULL, &opts);
    explicit_bzero(url, strlen(url));
    free(url);
    av_dict_free(&opts);
    if (rc < 0) {
        /* avformat_open_input frees the context on failure */
        int err = map_open_error(s, rc, err_text);
        s->fmt = NULL;
        ingest_close(s);
        return err;
    }
    for (unsigned i = 0; i < s->fmt->nb_streams; i++) {
        AVStream *st = s->fmt->streams[i];
        if (s->vidx < 0 && st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
            (st->codecpar->codec_id == AV_CODEC_ID_H264 || st->codecpar->codec_id == AV_CODEC_ID_HEVC))
            s->vidx = (int)i;
        else
            st->discard = AVDISCARD_ALL;
    }
    if (s->vidx < 0) {
        *err_text = "camera offers no H.264 or H.265 video stream";
        ingest_close(s);
        return WW_EINVAL;
    }
    s->tb = s->fmt->streams[s->vidx]->time_base;
    s->par = avcodec_parameters_alloc();
    avcodec_parameters_copy(s->par, s->fmt->streams[s->vidx]->codecpar);
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

static int64_t wall_for(struct ingest_session *s, const AVPacket *pkt, int64_t now)
{
    int64_t ts = pkt->dts != AV_NOPTS_VALUE ? pkt->dts : pkt->pts;
    int64_t wall;
    if (ts == AV_NOPTS_VALUE) {
        wall = now;
    } else {
        if (s->anchor_wall == 0) { s->anchor_wall = now; s->anchor_ts = ts; }
        wall = s->anchor_wall + av_rescale_q(ts - s->anchor_ts, s->tb, (AVRational){1, 1000000});
        if (llabs(wall - now) > REBASE_US) {
            /* The camera's clock jumped (or drifted far): trust our clock. */
            s->rebases++;
            ww_warn(s->ctx, "camera timestamps jumped by %.1f s; re-anchoring to the receive clock",
                    (double)(wall - now) / 1e6);
            s->anchor_wall = now;
            s->anchor_ts = ts;
            wall = now;
        }
    }
    if (s->last_wall != INT64_MIN && wall <= s->last_wall) wall = s->last_wall + 1;
    s->last_wall = wall;
    return wall;
}

int ingest_read(ingest_session_t *s, struct ingest_packet *out)
{
    AVPacket *pkt = s->pkt;
    av_packet_unref(pkt);
    for (;;) {
        s->timed_out = false;
        s->deadline = coarse_mono_us() + s->read_timeout_us;
        int rc = av_read_frame(s->fmt, pkt);
        if (rc < 0) {
            if (s->stop && atomic_load(s->stop)) return WW_EOF;
            if (s->timed_out || rc == AVERROR(ETIMEDOUT)) return -ETIMEDOUT;
            if (rc == AVERROR_EOF) return WW_EOF;
            av_strerror(rc, s->errbuf, sizeof s->errbuf);
            ww_debug(s->ctx, "read: %s", s->errbuf);
            return WW_EAV;
        }
        if (pkt->stream_index != s->vidx || pkt->size <= 0) { av_packet_unref(pkt); continue; }
        bool key = (pkt->flags & AV_PKT_FLAG_KEY) != 0;
        if (!s->started) {
            if (!key) { s->skipped++; av_packet_unref(pkt); continue; }
            complete_extradata(s, pkt);
            complete_dimensions(s, pkt);
            if (s->par->width <= 0 || s->par->extradata_size <= 0) {
                s->skipped++;
                av_packet_unref(pkt);
                continue; /* try the next keyframe */
            }
            s->started = true;
        }
        out->pkt = pkt;
        out->key = key;
        out->wall_us = wall_for(s, pkt, ww_wall_us());
        return 0;
    }
}

void ingest_close(ingest_session_t *s)
{
    if (!s) return;
    if (s->fmt) avformat_close_input(&s->fmt);
    avcodec_parameters_free(&s->par);
    av_packet_free(&s->pkt);
    free(s);
}

const AVCodecParameters *ingest_params(const ingest_session_t *s) { return s->par; }
AVRational ingest_time_base(const ingest_session_t *s) { return s->tb; }
int64_t ingest_rebases(const ingest_session_t *s) { return s->rebases; }
int64_t ingest_skipped(const ingest_session_t *s) { return s->skipped; }
