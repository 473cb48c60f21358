/*
 * src_libav.c — an RTSP stream read with libavformat's client, without
 * decoding.  Used for RTP over UDP, rtsps:// and whenever
 * WARDWATCH_INGEST=libav asks for it (to compare with the lean client).
 *
 * Why no avformat_find_stream_info(): it decodes frames to learn what the
 * SDP and the first keyframe already tell us, and that probing costs more
 * CPU than recording itself.  We take the codec from the SDP; ingest.c
 * completes the parameters from the first keyframe.
 *
 * Blocking reads end through the interrupt callback, which libavformat
 * calls around every socket read: it checks *stop and a deadline that is
 * reset per open / per read, and never later than the session's absolute
 * deadline (ingest_opts.deadline_us) when it has one.
 */
#include "ingest/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libavformat/avformat.h>

#include "base/base.h"

struct lav_src {
    AVFormatContext *fmt;
    int vidx;                  /* the video stream's index */
    atomic_bool *stop;
    int64_t deadline;          /* monotonic µs; 0 = none */
    int64_t session_deadline;  /* ingest_opts.deadline_us: caps every deadline; 0 = none */
    bool timed_out;
    int64_t read_timeout_us;
    const char *ctx;
};

static int interrupt_cb(void *opaque)
{
    struct lav_src *l = opaque;
    if (l->stop && atomic_load(l->stop)) return 1;
    if (l->deadline && ingest_coarse_us() > l->deadline) {
        l->timed_out = true;
        return 1;
    }
    return 0;
}

/* now + us, cut to the session's deadline. */
static int64_t deadline_in(const struct lav_src *l, int64_t us)
{
    int64_t d = ingest_coarse_us() + us;
    return l->session_deadline && l->session_deadline < d ? l->session_deadline : d;
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

static int map_open_error(struct lav_src *l, int averr, const char **why)
{
    if (l->stop && atomic_load(l->stop)) { *why = "stopped"; return WW_EOF; }
    if (l->timed_out) { *why = "timed out connecting to the camera"; return -ETIMEDOUT; }
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
    char buf[128];
    av_strerror(averr, buf, sizeof buf);
    *why = ingest_errtext("%s", buf);
    return WW_EAV;
}

int lav_src_open(const struct ingest_opts *o, atomic_bool *stop, struct lav_src **out,
                 AVCodecParameters **par, AVRational *tb, const char **why)
{
    *out = NULL;
    *par = NULL;
    struct lav_src *l = ww_calloc(1, sizeof *l);
    l->stop = stop;
    l->ctx = o->log_ctx ? o->log_ctx : "ingest";
    l->read_timeout_us = o->read_timeout_us > 0 ? o->read_timeout_us : 5000000;
    l->session_deadline = o->deadline_us > 0 ? o->deadline_us : 0;
    l->vidx = -1;
    l->fmt = avformat_alloc_context();
    l->fmt->interrupt_callback.callback = interrupt_cb;
    l->fmt->interrupt_callback.opaque = l;
    AVDictionary *opts = NULL;
    av_dict_set(&opts, "rtsp_transport", o->udp ? "udp" : "tcp", 0);
    av_dict_set(&opts, "allowed_media_types", "video", 0);
    char tmo[32];
    snprintf(tmo, sizeof tmo, "%lld", (long long)l->read_timeout_us);
    av_dict_set(&opts, "timeout", tmo, 0);
    av_dict_set(&opts, "max_delay", "200000", 0); /* UDP reorder buffer */
    if (o->udp) {
        /* A 4 Mbit/s camera bursts a whole keyframe (~200 KB) in a few ms:
         * the kernel's default receive buffer drops its tail.  The kernel
         * caps this at net.core.rmem_max (docs/quirks.md says how to raise
         * it); packets only from the camera's address; a reorder window of
         * 500 packets (~0.1 s at 4 Mbit/s) beside max_delay. */
        av_dict_set(&opts, "buffer_size", "4194304", 0);
        av_dict_set(&opts, "reorder_queue_size", "500", 0);
        av_dict_set(&opts, "rtsp_flags", "filter_src", 0);
    }
    char *url = url_with_credentials(o);
    l->deadline = deadline_in(l, o->open_timeout_us > 0 ? o->open_timeout_us : 10000000);
    int rc = avformat_open_input(&l->fmt, url, NULL, &opts);
    explicit_bzero(url, strlen(url));
    free(url);
    const AVDictionaryEntry *left = av_dict_get(opts, "", NULL, AV_DICT_IGNORE_SUFFIX);
    if (left) ww_debug(l->ctx, "ingest: libavformat did not take the option %s", left->key);
    av_dict_free(&opts);
    if (rc < 0) {
        /* avformat_open_input frees the context on failure */
        int err = map_open_error(l, rc, why);
        l->fmt = NULL;
        lav_src_close(l);
        return err;
    }
    for (unsigned i = 0; i < l->fmt->nb_streams; i++) {
        AVStream *st = l->fmt->streams[i];
        if (l->vidx < 0 && st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
            (st->codecpar->codec_id == AV_CODEC_ID_H264 || st->codecpar->codec_id == AV_CODEC_ID_HEVC))
            l->vidx = (int)i;
        else
            st->discard = AVDISCARD_ALL;
    }
    if (l->vidx < 0) {
        *why = "camera offers no H.264 or H.265 video stream";
        lav_src_close(l);
        return WW_EINVAL;
    }
    *tb = l->fmt->streams[l->vidx]->time_base;
    *par = avcodec_parameters_alloc();
    avcodec_parameters_copy(*par, l->fmt->streams[l->vidx]->codecpar);
    *out = l;
    return 0;
}

int lav_src_read(struct lav_src *l, AVPacket *pkt)
{
    for (;;) {
        l->timed_out = false;
        l->deadline = deadline_in(l, l->read_timeout_us);
        if (l->session_deadline && ingest_coarse_us() >= l->session_deadline) return -ETIMEDOUT;
        int rc = av_read_frame(l->fmt, pkt);
        if (rc < 0) {
            if (l->stop && atomic_load(l->stop)) return WW_EOF;
            if (l->timed_out || rc == AVERROR(ETIMEDOUT)) return -ETIMEDOUT;
            if (rc == AVERROR_EOF) return WW_EOF;
            char buf[128];
            av_strerror(rc, buf, sizeof buf);
            ww_debug(l->ctx, "read: %s", buf);
            return WW_EAV;
        }
        /* Once the read was interrupted (stop, deadline), libavformat
         * flushes its parser: what comes out is the access unit it was
         * still assembling, cut short.  It is not a frame to record. */
        if (l->timed_out || (l->stop && atomic_load(l->stop))) {
            av_packet_unref(pkt);
            return l->timed_out ? -ETIMEDOUT : WW_EOF;
        }
        if (pkt->stream_index != l->vidx || pkt->size <= 0) {
            av_packet_unref(pkt);
            continue;
        }
        return 0;
    }
}

void lav_src_close(struct lav_src *l)
{
    if (!l) return;
    if (l->fmt) avformat_close_input(&l->fmt);
    free(l);
}
