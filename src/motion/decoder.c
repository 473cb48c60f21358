/*
 * decoder.c — the cheapest libavcodec decode that still gives the detector
 * a true picture of the scene.
 *
 * Why each setting:
 *  - skip_frame NONREF: B-frames (and other non-reference frames) are never
 *    needed by later frames, so dropping them costs nothing but rate, and a
 *    sub stream at 10–25 fps has more frames than a 5 fps analysis wants.
 *  - skip_frame NONKEY + not even sending non-key packets in keyframes-only
 *    mode: the decoder's cost becomes one frame per GOP.
 *  - skip_loop_filter ALL, FLAG2_FAST: deblocking is a third of H.264 decode
 *    time and only smooths block edges that a 16-px cell average ignores.
 *  - one thread: frame threads add latency and a thread per stream; we run
 *    one decoder per camera and want the cost to be exactly one core-share.
 *  - no sws_scale: the Y plane is what the detector reads; chroma is only
 *    touched for a thumbnail at the end of an event.
 *
 * Time: each frame gets a wall-clock time from the packet that produced it:
 * wall(frame) = wall(packet) + (frame.pts − packet.pts)·time_base, which
 * places reordered frames correctly; without pts, the packet's wall time.
 *
 * Ownership: the decoder owns its AVCodecContext, a scratch AVFrame and a
 * reference to the current event's peak frame (av_frame_ref: a refcount on
 * the decoder's pool buffer, not a copy).  The detector is borrowed.
 * Threads: one pushing thread.
 */
#include "motion/motion.h"

#include <libavcodec/avcodec.h>
#include <libavutil/frame.h>
#include <libavutil/pixdesc.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

struct motion_decoder {
    AVCodecContext *ctx;
    AVFrame *frame;
    AVFrame *peak;          /* ref to the open event's peak frame, or unref'd */
    struct motion_detector *det;
    struct motion_decoder_opts opts;
    char *log_ctx;
    bool keyframes_only;
    bool waiting_key;       /* after open or a pause: skip until a keyframe */
    bool idle;              /* disabled or paused: the codec's buffers were dropped */
    int64_t waited;         /* packets skipped while waiting_key */
    int64_t anchor_pts, anchor_wall; /* last packet with a pts, for the final drain */
    bool bad_format_logged;
    int64_t last_err_log_us;
    int64_t err_since_log;
    struct motion_decoder_stats st;
};

static void apply_mode(struct motion_decoder *d, bool keyframes_only)
{
    d->keyframes_only = keyframes_only;
    d->ctx->skip_frame = keyframes_only ? AVDISCARD_NONKEY : AVDISCARD_NONREF;
}

int motion_decoder_new(const struct AVCodecParameters *par, struct motion_detector *det,
                       const struct motion_decoder_opts *opts, struct motion_decoder **out)
{
    *out = NULL;
    if (!par || !det) return WW_EINVAL;
    const char *lc = opts && opts->log_ctx ? opts->log_ctx : "motion";
    const AVCodec *codec = avcodec_find_decoder(par->codec_id);
    if (!codec) {
        ww_debug(lc, "no decoder for codec %s", avcodec_get_name(par->codec_id));
        return WW_EAV;
    }
    struct motion_decoder *d = ww_calloc(1, sizeof *d);
    if (opts) d->opts = *opts;
    d->log_ctx = ww_strdup(lc);
    d->opts.log_ctx = d->log_ctx;
    d->det = det;
    d->ctx = avcodec_alloc_context3(codec);
    d->frame = av_frame_alloc();
    d->peak = av_frame_alloc();
    if (!d->ctx || !d->frame || !d->peak) {
        motion_decoder_free(d);
        return -ENOMEM;
    }
    int rc = avcodec_parameters_to_context(d->ctx, par);
    if (rc >= 0) {
        d->ctx->thread_count = 1;
        d->ctx->skip_loop_filter = AVDISCARD_ALL;
        d->ctx->flags2 |= AV_CODEC_FLAG2_FAST;
        if (d->opts.time_base_num > 0 && d->opts.time_base_den > 0)
            d->ctx->pkt_timebase = (AVRational){d->opts.time_base_num, d->opts.time_base_den};
        struct motion_config cfg;
        motion_detector_get_config(det, &cfg);
        apply_mode(d, cfg.keyframes_only);
        rc = avcodec_open2(d->ctx, codec, NULL);
    }
    if (rc < 0) {
        ww_debug(lc, "cannot open %s decoder: %s", codec->name, av_err2str(rc));
        motion_decoder_free(d);
        return WW_EAV;
    }
    d->waiting_key = true;
    d->anchor_pts = AV_NOPTS_VALUE;
    *out = d;
    return 0;
}

void motion_decoder_free(struct motion_decoder *d)
{
    if (!d) return;
    avcodec_free_context(&d->ctx);
    av_frame_free(&d->frame);
    av_frame_free(&d->peak);
    free(d->log_ctx);
    free(d);
}

void motion_decoder_get_stats(struct motion_decoder *d, struct motion_decoder_stats *st)
{
    *st = d->st;
}

static void log_decode_error(struct motion_decoder *d, int rc)
{
    /* A lossy link can corrupt many packets a second: one line per minute
     * with the count, not one per packet. */
    d->st.decode_errors++;
    d->err_since_log++;
    int64_t now = ww_mono_us();
    if (now - d->last_err_log_us >= 60 * 1000000LL) {
        ww_warn(d->log_ctx, "decode error: %s (%lld in the last minute)", av_err2str(rc),
                (long long)d->err_since_log);
        d->last_err_log_us = now;
        d->err_since_log = 0;
    }
}

static bool luma_ok(struct motion_decoder *d, const AVFrame *f)
{
    const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get(f->format);
    bool ok = desc && !(desc->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL |
                                       AV_PIX_FMT_FLAG_HWACCEL | AV_PIX_FMT_FLAG_BE)) &&
              desc->comp[0].depth == 8 && desc->comp[0].plane == 0 && desc->comp[0].step == 1;
    if (!ok && !d->bad_format_logged) {
        ww_error(d->log_ctx, "pixel format %s has no 8-bit luma plane; motion off for it",
                 desc ? desc->name : "?");
        d->bad_format_logged = true;
    }
    return ok;
}

static void emit(struct motion_decoder *d, int what, const struct motion_event *ev)
{
    uint8_t *jpeg = NULL;
    size_t len = 0;
    if (what == MOTION_CB_CLOSED) {
        d->st.events++;
        if (d->opts.thumbnails && d->peak->data[0]) {
            int rc = motion_snapshot_jpeg(d->peak, d->opts.jpeg_quality, 640, &jpeg, &len);
            if (rc) ww_warn(d->log_ctx, "thumbnail failed: %s", ww_strerror(rc));
        }
        av_frame_unref(d->peak);
    }
    if (d->opts.on_event) d->opts.on_event(d->opts.opaque, what, ev, jpeg, len);
    free(jpeg);
}

static void handle_result(struct motion_decoder *d, int r, const AVFrame *f,
                          const struct motion_event *ev)
{
    if (r <= 0) return;
    if (r & MOTION_FED) d->st.frames_analysed++;
    if (r & MOTION_CLOSED) emit(d, MOTION_CB_CLOSED, ev);
    if ((r & MOTION_PEAK) && f && d->opts.thumbnails) {
        av_frame_unref(d->peak);
        if (av_frame_ref(d->peak, f) < 0) av_frame_unref(d->peak);
    }
    if (r & MOTION_OPENED) emit(d, MOTION_CB_OPENED, ev);
}

static int drain(struct motion_decoder *d, int64_t pkt_pts, int64_t wall_us)
{
    for (;;) {
        int rc = avcodec_receive_frame(d->ctx, d->frame);
        if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return 0;
        if (rc < 0) {
            log_decode_error(d, rc);
            return 0;
        }
        d->st.frames_decoded++;
        AVFrame *f = d->frame;
        int64_t t = wall_us;
        int64_t fpts = f->best_effort_timestamp != AV_NOPTS_VALUE ? f->best_effort_timestamp : f->pts;
        if (fpts != AV_NOPTS_VALUE && pkt_pts != AV_NOPTS_VALUE && d->ctx->pkt_timebase.den > 0)
            t = wall_us + av_rescale_q(fpts - pkt_pts, d->ctx->pkt_timebase, AV_TIME_BASE_Q);
        if (luma_ok(d, f)) {
            struct motion_event ev;
            int r = motion_detector_feed(d->det, f->data[0], f->width, f->height, f->linesize[0],
                                         t, &ev);
            handle_result(d, r, f, &ev);
        }
        av_frame_unref(f);
    }
}

int motion_decoder_push(struct motion_decoder *d, const AVPacket *pkt, int64_t wall_us)
{
    d->st.packets++;
    /* Settings may change at run time: follow keyframes_only here, since the
     * detector cannot reach into the codec context. */
    struct motion_config cfg;
    motion_detector_get_config(d->det, &cfg);
    if (!cfg.enabled || motion_detector_paused(d->det)) {
        /* Nothing to analyse: do not decode at all; close any open event.
         * Frames still inside the codec (reordering delay) are dropped, so
         * nothing from before the pause comes out after it. */
        struct motion_event ev;
        int r = motion_detector_flush(d->det, &ev);
        if (r & MOTION_CLOSED) emit(d, MOTION_CB_CLOSED, &ev);
        if (!d->idle) {
            avcodec_flush_buffers(d->ctx);
            av_frame_unref(d->peak);
            d->idle = true;
        }
        d->waiting_key = true;
        d->st.packets_skipped++;
        return 0;
    }
    d->idle = false;
    if (cfg.keyframes_only != d->keyframes_only) {
        /* Leaving keyframes-only: the P-frames' references were never
         * decoded, so start again at the next keyframe. */
        if (d->keyframes_only) d->waiting_key = true;
        apply_mode(d, cfg.keyframes_only);
    }
    bool key = pkt->flags & AV_PKT_FLAG_KEY;
    /* A stream that never flags a keyframe would wait forever: after 300
     * packets, decode anyway and let the decoder conceal what it must. */
    if (d->waiting_key && !key && ++d->waited > 300) key = true;
    if ((d->keyframes_only || d->waiting_key) && !key) {
        d->st.packets_skipped++;
        return 0;
    }
    d->waiting_key = false;
    d->waited = 0;
    if (pkt->pts != AV_NOPTS_VALUE) {
        d->anchor_pts = pkt->pts;
        d->anchor_wall = wall_us;
    }
    int rc = avcodec_send_packet(d->ctx, pkt);
    if (rc == AVERROR(EAGAIN)) {
        /* Output queue full (cannot happen with receive after every send,
         * but be safe): drain and retry once. */
        drain(d, pkt->pts, wall_us);
        rc = avcodec_send_packet(d->ctx, pkt);
    }
    if (rc < 0 && rc != AVERROR(EAGAIN)) {
        if (rc == AVERROR(ENOMEM)) return -ENOMEM;
        log_decode_error(d, rc);
        return 0;
    }
    return drain(d, pkt->pts, wall_us);
}

int motion_decoder_finish(struct motion_decoder *d)
{
    if (avcodec_send_packet(d->ctx, NULL) >= 0) drain(d, d->anchor_pts, d->anchor_wall);
    struct motion_event ev;
    int r = motion_detector_flush(d->det, &ev);
    if (r & MOTION_CLOSED) emit(d, MOTION_CB_CLOSED, &ev);
    avcodec_flush_buffers(d->ctx);
    d->waiting_key = true;
    return 0;
}
