/*
 * reorder.c — decode timestamps for a stream whose source gives only
 * presentation times, and corrections for timestamps that go backwards.
 *
 * Why: RTP carries one timestamp per access unit, its presentation time
 * (RFC 6184 §5.1, RFC 7798 §4.1).  With B-frames the units arrive in
 * decode order, so those times are not monotonic, while an MP4 track
 * needs a decode time that strictly increases and never passes the
 * presentation time (the trun's composition offset is pts - dts >= 0).
 *
 * How: with a reorder depth D (the frames a decoder holds before it shows
 * one: num_reorder_frames of the SPS, read by the decoder at the first
 * keyframe), the i-th unit's dts is the (i-D)-th smallest presentation time
 * of the stream.  It is known once i+1 units arrived, since no unit is shown
 * more than D places before it is decoded; it never exceeds the unit's own
 * pts.  The first D units extrapolate backwards by one frame each, as
 * encoders do (x264's first dts is -D frames).
 *
 * Cameras that break the rules are recorded, not dropped:
 *   - a unit shown earlier than D allows (no VUI, wrong VUI): D grows to
 *     what was seen, and a unit that can no longer be shown in order gets
 *     its pts moved just after the last dts (counted, logged);
 *   - a jump back of more than the reorder span (reboot, clock reset): the
 *     stream's times are shifted so it continues one frame after the
 *     latest one (counted, logged); the wall-clock anchor then sees a
 *     continuous stream.
 */
#include "ingest/internal.h"

#include <stdlib.h>

#include "base/base.h"

/* A reorder span longer than this many frames is a jump, not B-frames. */
#define SPAN_FRAMES (REORDER_MAX + 1)

void reorder_init(struct reorder *r, int depth, int64_t frame_dur, const char *ctx)
{
    *r = (struct reorder){0};
    r->depth = depth < 0 ? 0 : depth > REORDER_MAX ? REORDER_MAX : depth;
    r->dur = frame_dur > 0 ? frame_dur : 1;
    r->ctx = ctx ? ctx : "ingest";
}

int reorder_probe_depth(const AVCodecParameters *par, const AVPacket *key, AVRational *framerate)
{
    *framerate = (AVRational){0, 1};
    const AVCodec *dec = avcodec_find_decoder(par->codec_id);
    AVCodecContext *cc = dec ? avcodec_alloc_context3(dec) : NULL;
    int depth = -1;
    if (!cc) return -1;
    /* One thread: the slice header (and with it the SPS's reorder depth)
     * is parsed inside send_packet, not on a worker we would wait for. */
    cc->thread_count = 1;
    if (avcodec_parameters_to_context(cc, par) >= 0 && avcodec_open2(cc, dec, NULL) >= 0) {
        AVPacket *p = av_packet_clone(key);
        if (p && avcodec_send_packet(cc, p) >= 0) {
            depth = cc->has_b_frames;
            *framerate = cc->framerate;
        }
        av_packet_free(&p);
    }
    avcodec_free_context(&cc);
    return depth;
}

static int count_after(const struct reorder *r, int64_t pts)
{
    int n = 0;
    for (int i = 0; i < r->nrecent; i++) n += r->recent[i] > pts;
    return n;
}

static void remember(struct reorder *r, int64_t pts)
{
    r->recent[r->irecent] = pts;
    r->irecent = (r->irecent + 1) % SPAN_FRAMES;
    if (r->nrecent < SPAN_FRAMES) r->nrecent++;
}

/* Inserts pts into the ascending pending list; equal times are made
 * distinct (two frames cannot be shown at one instant). */
static void insert_pending(struct reorder *r, int64_t *pts)
{
    for (int i = 0; i < r->npend; i++)
        if (r->pend[i] == *pts) { (*pts)++; i = -1; r->corrections++; }
    int i = r->npend++;
    while (i > 0 && r->pend[i - 1] > *pts) { r->pend[i] = r->pend[i - 1]; i--; }
    r->pend[i] = *pts;
}

static void correction(struct reorder *r, const char *what, int64_t by)
{
    r->corrections++;
    if (r->corrections == 1 || r->corrections % 1000 == 0)
        ww_warn(r->ctx, "camera timestamps: %s by %lld ticks; corrected (%lld corrections so far)",
                what, (long long)by, (long long)r->corrections);
}

void reorder_apply(struct reorder *r, AVPacket *pkt)
{
    int64_t pts = pkt->pts;
    if (pts == AV_NOPTS_VALUE) pts = r->started ? r->max_pts + r->dur - r->shift : 0;
    pts += r->shift;
    if (r->started && pts < r->max_pts - SPAN_FRAMES * r->dur) {
        /* The unit after the jump may be shown up to depth + 1 frames after
         * the next free slot (a P-frame ahead of its B-frames): put it
         * there, so the units around it keep their order. */
        int64_t back = r->max_pts - pts, lead = (int64_t)(r->depth + 2) * r->dur;
        r->shift += back + lead;
        pts += back + lead;
        r->jumps++;
        ww_warn(r->ctx, "camera timestamps went back by %.3f s; recording continues with the times "
                        "shifted to follow on (%lld such jumps)",
                pkt->time_base.num > 0 && pkt->time_base.den > 0
                    ? (double)back * pkt->time_base.num / pkt->time_base.den
                    : (double)back / 90000,
                (long long)r->jumps);
    }
    int later = count_after(r, pts);
    if (later > r->depth && later <= REORDER_MAX) {
        ww_info(r->ctx, "camera reorders %d frames (B-frames), more than its parameters said (%d)",
                later, r->depth);
        r->depth = later;
    }
    remember(r, pts); /* as sent (shift aside): how far the camera reorders */
    /* Every pending time stays above the last dts, with room for one more
     * dts below it (the warm-up branch). */
    if (r->started && pts < r->last_dts + 2) {
        correction(r, "a frame shown before one already decoded", r->last_dts + 2 - pts);
        pts = r->last_dts + 2;
    }
    insert_pending(r, &pts);
    int64_t dts;
    /* Pop when depth units wait; also when the smallest leaves no room for a
     * dts between it and the last one (after the depth grew twice). */
    bool popped = r->npend > r->depth || (r->started && r->pend[0] - r->last_dts < 2);
    if (popped) {
        dts = r->pend[0];
        r->npend--;
        for (int i = 0; i < r->npend; i++) r->pend[i] = r->pend[i + 1];
    } else {
        dts = r->pend[0] - (int64_t)(r->depth - r->npend + 1) * r->dur;
        if (r->started && dts <= r->last_dts) dts = r->last_dts + 1;
    }
    /* The frame duration follows the stream only when two steps between
     * consecutive presentation times agree: corrected times do not. */
    int64_t step = dts - r->last_dts;
    if (popped && r->last_popped && step > 0) {
        if (step == r->last_step && step != r->dur) r->dur = step;
        r->last_step = step;
    }
    r->last_popped = popped;
    if (!r->started || pts > r->max_pts) r->max_pts = pts;
    r->started = true;
    r->last_dts = dts;
    pkt->pts = pts;
    pkt->dts = dts;
}
