/*
 * writer.c — one stream's fragmented-MP4 segment writer.
 *
 * Fed by the hub on the ingest thread.  No transcoding: packets are remuxed
 * as they come.  Timestamps in the file are the packets' wall-clock times
 * relative to the segment start, so the file's timeline and the catalog's
 * wall-clock times agree to the microsecond.
 *
 * One packet is held back ("pending") so each sample's duration is known
 * exactly (next dts - this dts) when it is written: the last sample of a
 * fragment then has a true duration, and segments are contiguous (one
 * segment's end is the next one's start).
 *
 * Fragments: we drive them ourselves (movflags frag_custom) and flush one
 * before every keyframe and whenever a fragment reaches max_fragment_us, so
 * we know each fragment's offset and start time for the seek index.  Only
 * complete fragments are "published" to the syncer.
 *
 * Timestamps: dts comes from the packet's wall time (decode order, from
 * ingest), pts = dts + the packet's composition offset (pts - dts, > 0 for
 * B-frames), so the fragments' trun carries composition offsets.  A dts
 * that would not advance in the file's time base (two packets within one
 * tick) is moved one tick on and counted: the muxer refuses a dts that
 * does not increase, and a refusal would lose the stream.
 *
 * Failures: whatever stops the stream from being written (a disk error,
 * the muxer refusing the header or a frame, a codec we cannot store) puts
 * the writer in REC_DISK_FULL (REC_DISK_FULL_HELD when the syncer found
 * only held video left to free) or REC_ERROR with a text that names what was
 * refused and why (av_err2str), logs it once per change, and records the
 * time as a gap with that reason: when recording resumes, at least once
 * per max_segment_us while it does not, and when the writer stops.
 *
 * Invariants: a segment starts with a keyframe; segments of one stream do
 * not overlap; a failed write abandons the segment (the syncer truncates it
 * to its last complete fragment) and the writer retries after a pause.
 */
#include "record/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavformat/avformat.h>

#define IOBUF_SIZE (64 * 1024)
#define RETRY_US 2000000

struct rec_writer {
    pthread_mutex_t mu;          /* everything below; held during hub callbacks */
    char *data_dir, *kind, *ctx;
    int64_t camera_id, stream_id, max_seg_us, max_frag_us;
    rec_syncer_t *syncer;

    AVCodecParameters *par;
    AVRational in_tb;
    bool have_params;
    AVCodecParameters *apar;     /* the session's audio (AAC), NULL = video only */
    AVRational a_out_tb;         /* the audio track's time base in the file */
    int64_t last_adts;           /* a_out_tb; INT64_MIN before a segment's first audio frame */
    int64_t a_true_dts;          /* the last frame's time from its wall time (the first's is not its dts) */

    struct rec_seg *seg;
    AVFormatContext *oc;
    AVRational out_tb;
    int64_t written;             /* bytes handed to the file */
    int io_err;                  /* first failed write (negative errno) */
    int64_t frag_start_us, frag_offset, seg_frames, gop_us, last_key_us;
    int frag_frames;
    bool frag_key;
    unsigned seq;

    AVPacket *pend;
    int64_t pend_wall, last_dur_us, last_end_us;
    bool pend_key;
    int64_t last_dts;            /* out_tb; INT64_MIN before a segment's first frame */
    char why[160];               /* what the media library refused, for WW_EAV/WW_EINVAL */

    int64_t gap_from_us;
    char gap_reason[128];
    bool paused;
    char pause_reason[64];
    int64_t retry_at;            /* monotonic µs; after a failure */

    struct rec_writer_stats st;
    struct ww_hist frag_write;   /* flush_fragment's time (GET /metrics) */
};

const char *rec_state_name(enum rec_state s)
{
    static const char *n[] = {"idle", "waiting-keyframe", "recording", "disk-full", "error", "paused",
                              "disk-full-held"};
    return (unsigned)s < sizeof n / sizeof n[0] ? n[s] : "?";
}

int rec_writer_new(const struct rec_writer_cfg *cfg, rec_syncer_t *syncer, rec_writer_t **out)
{
    rec_writer_t *w = ww_calloc(1, sizeof *w);
    pthread_mutex_init(&w->mu, NULL);
    w->data_dir = ww_strdup(cfg->data_dir);
    w->kind = ww_strdup(cfg->kind ? cfg->kind : "main");
    w->ctx = ww_strdup(cfg->log_ctx ? cfg->log_ctx : "record");
    w->camera_id = cfg->camera_id;
    w->stream_id = cfg->stream_id;
    w->max_seg_us = cfg->max_segment_us > 0 ? cfg->max_segment_us : 60000000;
    w->max_frag_us = cfg->max_fragment_us > 0 ? cfg->max_fragment_us : 1000000;
    w->syncer = syncer;
    w->par = avcodec_parameters_alloc();
    w->pend = av_packet_alloc();
    w->last_dur_us = 40000;
    w->st.state = REC_IDLE;
    *out = w;
    return 0;
}

static int io_write(void *opaque, uint8_t *buf, int size)
{
    rec_writer_t *w = opaque;
    if (w->io_err) return AVERROR(-w->io_err);
    /* A disk filling up answers a short write first and ENOSPC only on the
     * next call: write the rest, so a full disk is reported as one (not as
     * a vague I/O error), and a short write for any other reason too. */
    size_t done = 0;
    for (int tries = 0; done < (size_t)size && tries < 64; tries++) {
        ssize_t rc = ww_fsops()->write(w->seg->fd, buf + done, (size_t)size - done);
        if (rc < 0) {
            w->io_err = (int)rc;
            return AVERROR(-w->io_err);
        }
        if (rc == 0) break;
        done += (size_t)rc;
    }
    if (done != (size_t)size) {
        w->io_err = -EIO;
        return AVERROR(EIO);
    }
    w->written += size;
    return size;
}

/* The writer cannot write now (disk full, held-full or an error) and retries. */
static bool failing(const rec_writer_t *w)
{
    return w->st.state == REC_ERROR || w->st.state == REC_DISK_FULL || w->st.state == REC_DISK_FULL_HELD;
}

static void set_error(rec_writer_t *w, enum rec_state st, int err, const char *text)
{
    bool changed = w->st.state != st || w->st.last_error != err;
    w->st.state = st;
    w->st.last_error = err;
    snprintf(w->st.error_text, sizeof w->st.error_text, "%s", text);
    /* Log on change, not per retry. */
    if (changed) ww_error(w->ctx, "%s", text);
}

/* Notes what libavformat refused and why; returns WW_EAV. */
static int refused(rec_writer_t *w, int averr, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int refused(rec_writer_t *w, int averr, const char *fmt, ...)
{
    char what[96];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    char err[AV_ERROR_MAX_STRING_SIZE] = "";
    av_strerror(averr, err, sizeof err);
    /* A message cut short is still a message: the sizes are for people. */
    if (snprintf(w->why, sizeof w->why, "the MP4 muxer refused %s: %s", what, err) < 0) w->why[0] = 0;
    return WW_EAV;
}

static const char *codec_label(enum AVCodecID id)
{
    const char *n = avcodec_get_name(id);
    return n ? n : "unknown";
}

/* Our header box: 'free' so every MP4 reader skips it; recovery reads it. */
static void write_header_box(rec_writer_t *w, AVIOContext *pb)
{
    char json[320];
    /* "audio" names the sound track's codec when the segment has one */
    int n = snprintf(json, sizeof json,
                     "wardwatch-seg {\"start_us\":%lld,\"camera\":%lld,\"stream\":%lld,"
                     "\"kind\":\"%s\",\"codec\":\"%s\"%s}",
                     (long long)w->seg->start_us, (long long)w->camera_id, (long long)w->stream_id,
                     w->kind, w->seg->codec, w->apar ? ",\"audio\":\"aac\"" : "");
    avio_wb32(pb, (unsigned)(8 + n));
    avio_wl32(pb, MKTAG('f', 'r', 'e', 'e'));
    avio_write(pb, (const unsigned char *)json, n);
}

static int make_path(rec_writer_t *w, int64_t start_us, char **rel)
{
    time_t t = (time_t)(start_us / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    char day[16], hms[16];
    strftime(day, sizeof day, "%Y%m%d", &tm);
    strftime(hms, sizeof hms, "%H%M%S", &tm);
    char *dir = ww_asprintf("%s/rec/%lld/%s/%s", w->data_dir, (long long)w->camera_id, w->kind, day);
    int rc = ww_mkdirs(dir, 0750);
    free(dir);
    if (rc) return rc;
    for (int tries = 0; tries < 1000; tries++) {
        *rel = ww_asprintf("rec/%lld/%s/%s/%s-%u.mp4", (long long)w->camera_id, w->kind, day, hms,
                           w->seq++);
        char *abs = ww_asprintf("%s/%s", w->data_dir, *rel);
        int fd = ww_fsops()->open(abs, O_WRONLY | O_CREAT | O_EXCL, 0640);
        free(abs);
        if (fd >= 0) return fd;
        free(*rel);
        *rel = NULL;
        if (fd != -EEXIST) return fd;
    }
    return -EEXIST;
}

static void free_muxer(rec_writer_t *w)
{
    if (!w->oc) return;
    if (w->oc->pb) {
        av_freep(&w->oc->pb->buffer);
        avio_context_free(&w->oc->pb);
    }
    avformat_free_context(w->oc);
    w->oc = NULL;
}

static int open_segment(rec_writer_t *w, int64_t start_us)
{
    if (w->par->codec_id != AV_CODEC_ID_H264 && w->par->codec_id != AV_CODEC_ID_HEVC) {
        snprintf(w->why, sizeof w->why, "the stream's codec (%s) cannot be recorded: only H.264 "
                 "and H.265 are", codec_label(w->par->codec_id));
        return WW_EINVAL;
    }
    char *rel = NULL;
    int fd = make_path(w, start_us, &rel);
    if (fd < 0) return fd;
    struct rec_seg *seg = ww_calloc(1, sizeof *seg);
    pthread_mutex_init(&seg->mu, NULL);
    seg->refs = 1;
    seg->fd = fd;
    seg->relpath = rel;
    seg->abspath = ww_asprintf("%s/%s", w->data_dir, rel);
    seg->camera_id = w->camera_id;
    seg->stream_id = w->stream_id;
    seg->start_us = start_us;
    snprintf(seg->codec, sizeof seg->codec, "%s", w->par->codec_id == AV_CODEC_ID_HEVC ? "hevc" : "h264");
    w->seg = seg;
    w->written = 0;
    w->io_err = 0;

    int rc = avformat_alloc_output_context2(&w->oc, NULL, "mp4", NULL);
    AVStream *st = rc >= 0 ? avformat_new_stream(w->oc, NULL) : NULL;
    if (!st) { rc = refused(w, rc < 0 ? rc : AVERROR(ENOMEM), "to set up a segment"); goto fail; }
    avcodec_parameters_copy(st->codecpar, w->par);
    st->codecpar->codec_tag = w->par->codec_id == AV_CODEC_ID_HEVC ? MKTAG('h', 'v', 'c', '1') : 0;
    st->time_base = (AVRational){1, 90000};
    if (w->apar) { /* track 2: the sound, in its own sample clock */
        AVStream *as = avformat_new_stream(w->oc, NULL);
        if (!as) { rc = refused(w, AVERROR(ENOMEM), "to add the audio track"); goto fail; }
        avcodec_parameters_copy(as->codecpar, w->apar);
        as->codecpar->codec_tag = 0;
        as->time_base = (AVRational){1, w->apar->sample_rate > 0 ? w->apar->sample_rate : 48000};
    }
    uint8_t *buf = av_malloc(IOBUF_SIZE);
    w->oc->pb = avio_alloc_context(buf, IOBUF_SIZE, 1, w, NULL, io_write, NULL);
    w->oc->flags |= AVFMT_FLAG_CUSTOM_IO | AVFMT_FLAG_FLUSH_PACKETS;
    AVDictionary *opts = NULL;
    av_dict_set(&opts, "movflags", "frag_custom+empty_moov+default_base_moof", 0);
    rc = avformat_write_header(w->oc, &opts);
    av_dict_free(&opts);
    if (rc < 0) {
        rc = refused(w, rc, "the stream's header (%s %dx%d, %d bytes of parameter sets)",
                     codec_label(w->par->codec_id), w->par->width, w->par->height,
                     w->par->extradata_size);
        goto fail;
    }
    w->out_tb = st->time_base;
    if (w->apar) w->a_out_tb = w->oc->streams[1]->time_base;
    w->last_adts = INT64_MIN;
    write_header_box(w, w->oc->pb);
    avio_flush(w->oc->pb);
    if (w->io_err || w->oc->pb->error) goto fail;
    w->frag_frames = 0;
    w->seg_frames = 0;
    w->last_dts = INT64_MIN;
    w->st.segments++;
    /* The file exists only once the syncer knows it: register now so a
     * crash before the first commit still finds it by its header box. */
    rec_syncer_add(w->syncer, seg);
    ww_debug(w->ctx, "segment %s opened", rel);
    return 0;
fail:
    if (w->io_err) rc = w->io_err;
    else if (rc >= 0) rc = refused(w, AVERROR(EIO), "the segment's first bytes");
    free_muxer(w);
    ww_fsops()->close(seg->fd);
    ww_fsops()->unlink(seg->abspath);
    seg->fd = -1;
    rec_seg_unref(seg);
    w->seg = NULL;
    return rc;
}

/* Publishes the fragment just flushed to the syncer. */
static void publish_fragment(rec_writer_t *w)
{
    struct rec_seg *seg = w->seg;
    struct rec_frag f = {(uint64_t)w->frag_offset,
                         (uint32_t)((w->frag_start_us - seg->start_us) / 1000),
                         w->frag_key ? REC_FRAG_KEY : 0};
    pthread_mutex_lock(&seg->mu);
    seg->pub_bytes = w->written;
    seg->pub_end_us = w->last_end_us;
    seg->pub_frames = w->seg_frames;
    rec_frag_put(&seg->pub_index, &f);
    pthread_mutex_unlock(&seg->mu);
    w->frag_frames = 0;
}

static int flush_fragment(rec_writer_t *w)
{
    if (!w->frag_frames) return 0;
    /* The muxer holds a fragment's samples until this call writes moof+mdat
     * out: its duration is the write latency of the fragment (page cache;
     * the syncer's fdatasync is measured apart). */
    int64_t t0 = ww_mono_us();
    int rc = av_write_frame(w->oc, NULL);
    avio_flush(w->oc->pb);
    if (w->io_err) return w->io_err;
    if (rc < 0 || w->oc->pb->error)
        return refused(w, rc < 0 ? rc : w->oc->pb->error, "to end a fragment");
    ww_hist_observe(&w->frag_write, ww_mono_us() - t0);
    publish_fragment(w);
    return 0;
}

static void close_segment(rec_writer_t *w, bool clean)
{
    struct rec_seg *seg = w->seg;
    if (!seg) return;
    if (clean && !w->io_err) {
        if (flush_fragment(w) == 0) {
            av_write_trailer(w->oc); /* adds the mfra index; fragments are already out */
            avio_flush(w->oc->pb);
            if (!w->io_err && !w->oc->pb->error) {
                pthread_mutex_lock(&seg->mu);
                seg->pub_bytes = w->written;
                pthread_mutex_unlock(&seg->mu);
            }
        }
    }
    free_muxer(w);
    pthread_mutex_lock(&seg->mu);
    seg->closed = true;
    seg->failed = !clean || w->io_err != 0;
    pthread_mutex_unlock(&seg->mu);
    rec_seg_unref(seg); /* the syncer keeps its own ref until the row is final */
    w->seg = NULL;
}

/* Handles a failed write: abandon the segment, note the gap, retry later.
 * at_us is the wall time of the frame that could not be written: the gap
 * starts there when nothing of this life was written yet (a disk already
 * full at start), else where the written video ends. */
static void on_io_error(rec_writer_t *w, int err, int64_t at_us)
{
    int64_t from = w->seg ? w->seg->pub_end_us : w->last_end_us;
    if (from <= 0) from = w->pend_wall;
    if (from <= 0) from = at_us > 0 ? at_us : ww_wall_us();
    close_segment(w, false);
    av_packet_unref(w->pend);
    w->pend_wall = 0;
    bool media = err == WW_EAV || err == WW_EINVAL;
    if (!w->gap_from_us) {
        w->gap_from_us = from;
        if (!media)
            snprintf(w->gap_reason, sizeof w->gap_reason, "%s",
                     err == -ENOSPC ? "disk full" : "write error");
        else if (snprintf(w->gap_reason, sizeof w->gap_reason, "not recordable: %s", w->why) < 0)
            w->gap_reason[0] = 0;
    }
    if (err == -ENOSPC && rec_syncer_only_held_left(w->syncer)) {
        /* nothing left to free but held video: say so, the gap too */
        snprintf(w->gap_reason, sizeof w->gap_reason, "%s", REC_GAP_HELD_FULL);
        set_error(w, REC_DISK_FULL_HELD, err, "recordings folder is full (ENOSPC) and only held video is left: "
                                              "recording paused, nothing held is deleted; retrying every 2 s");
    } else if (err == -ENOSPC)
        set_error(w, REC_DISK_FULL, err, "recordings folder is full (ENOSPC): recording paused, "
                                         "retention asked to free space; retrying every 2 s");
    else {
        char text[sizeof w->st.error_text];
        snprintf(text, sizeof text, "cannot write the segment: %s; retrying every 2 s",
                 media ? w->why : ww_strerror(err));
        set_error(w, REC_ERROR, err, text);
    }
    w->retry_at = ww_mono_us() + RETRY_US;
    rec_syncer_kick_retention(w->syncer);
}

static int write_pending(rec_writer_t *w, int64_t dur_us)
{
    if (!w->pend_wall) return 0;
    if (w->frag_frames && (w->pend_key || w->pend_wall - w->frag_start_us >= w->max_frag_us)) {
        int rc = flush_fragment(w);
        if (rc) return rc;
    }
    if (!w->frag_frames) {
        w->frag_start_us = w->pend_wall;
        w->frag_offset = w->written;
        w->frag_key = w->pend_key;
    }
    if (dur_us <= 0 || dur_us > 10000000) dur_us = w->last_dur_us;
    w->last_dur_us = dur_us;
    AVPacket *p = w->pend;
    int64_t cts = (p->pts != AV_NOPTS_VALUE && p->dts != AV_NOPTS_VALUE) ? p->pts - p->dts : 0;
    p->stream_index = 0;
    if (cts < 0) { cts = 0; w->st.ts_corrections++; } /* ingest gives pts >= dts; belt and braces */
    p->dts = av_rescale_q(w->pend_wall - w->seg->start_us, (AVRational){1, 1000000}, w->out_tb);
    if (w->last_dts != INT64_MIN && p->dts <= w->last_dts) {
        p->dts = w->last_dts + 1;
        w->st.ts_corrections++;
    }
    p->pts = p->dts + av_rescale_q(cts, w->in_tb, w->out_tb);
    p->duration = av_rescale_q(dur_us, (AVRational){1, 1000000}, w->out_tb);
    if (w->pend_key) p->flags |= AV_PKT_FLAG_KEY;
    size_t size = (size_t)p->size;
    int64_t dts = p->dts, pts = p->pts;
    int rc = av_write_frame(w->oc, p);
    av_packet_unref(p);
    if (w->io_err) return w->io_err;
    if (rc < 0)
        return refused(w, rc, "frame %lld of the segment (%s, dts %lld, pts %lld)",
                       (long long)w->seg_frames, w->pend_key ? "keyframe" : "not a keyframe",
                       (long long)dts, (long long)pts);
    w->last_dts = dts;
    w->frag_frames++;
    w->seg_frames++;
    w->last_end_us = w->pend_wall + dur_us;
    w->st.frames++;
    w->st.bytes += (int64_t)size;
    w->st.last_frame_wall_us = w->pend_wall;
    w->pend_wall = 0;
    return 0;
}

static void close_gap(rec_writer_t *w, int64_t now_us)
{
    if (!w->gap_from_us) return;
    if (now_us > w->gap_from_us) {
        rec_syncer_gap(w->syncer, w->stream_id, w->gap_from_us, now_us, w->gap_reason);
        w->st.gaps++;
    }
    w->gap_from_us = 0;
}

static void open_gap(rec_writer_t *w, int64_t from_us, const char *reason)
{
    if (w->gap_from_us || from_us <= 0) return;
    w->gap_from_us = from_us;
    snprintf(w->gap_reason, sizeof w->gap_reason, "%s", reason);
}

/* A failure that lasts: commit the gap so far, so the catalog shows it
 * while it goes on, and go on with it from now. */
static void extend_gap(rec_writer_t *w, int64_t now_us)
{
    if (!w->gap_from_us || now_us - w->gap_from_us < w->max_seg_us) return;
    char reason[sizeof w->gap_reason];
    memcpy(reason, w->gap_reason, sizeof reason);
    close_gap(w, now_us);
    open_gap(w, now_us, reason);
}

/* Ends the current segment cleanly (pending packet included). */
static void finish_segment(rec_writer_t *w)
{
    if (!w->seg) return;
    int rc = write_pending(w, w->last_dur_us);
    if (rc) { on_io_error(w, rc, w->pend_wall); return; }
    close_segment(w, true);
}

/* One audio frame, written at once in the open segment (the muxer keeps
 * each track's samples in their own run of the fragment; dts increase per
 * track).  Its time is its wall time from the segment start, like video's,
 * kept back to back with the frame before when within half a frame of it
 * (frames have a fixed length; arrival jitter is not a gap).  The track's
 * first frame is written at dts 0, stretched by its offset from the start:
 * the muxer has written an empty moov, so a track starting later than 0
 * cannot get an edit list and would be moved to 0 whole (every frame early
 * by that offset); stretching the first keeps the rest on their times.
 * No segment open (waiting for a keyframe, paused, failing), or a frame
 * from before the segment's start: not recorded, counted.  A refused
 * frame is dropped: audio never stops video. */
static void on_audio(rec_writer_t *w, const struct hub_msg *m)
{
    if (!w->apar || !w->seg || w->paused || w->io_err || m->wall_us < w->seg->start_us) {
        w->st.audio_dropped++;
        return;
    }
    int64_t dur = w->apar->frame_size > 0 ? w->apar->frame_size : 1024;
    int64_t t = av_rescale_q(m->wall_us - w->seg->start_us, (AVRational){1, 1000000}, w->a_out_tb);
    bool first = w->last_adts == INT64_MIN;
    if (!first && llabs(t - (w->a_true_dts + dur)) <= dur / 2) t = w->a_true_dts + dur;
    if (!first && t <= w->last_adts) { w->st.audio_dropped++; return; }
    AVPacket *p = av_packet_clone(m->pkt);
    if (!p) { w->st.audio_dropped++; return; }
    p->stream_index = 1;
    p->dts = p->pts = first ? 0 : t;
    p->duration = first ? t + dur : dur;
    p->flags |= AV_PKT_FLAG_KEY;
    int64_t dts = p->dts;
    int rc = av_write_frame(w->oc, p);
    av_packet_free(&p);
    if (w->io_err) { on_io_error(w, w->io_err, m->wall_us); return; }
    if (rc < 0) { w->st.audio_dropped++; return; }
    w->last_adts = dts;
    w->a_true_dts = t;
    w->st.audio_frames++;
}

static void on_packet(rec_writer_t *w, const struct hub_msg *m)
{
    if (m->stream == 1) { on_audio(w, m); return; }
    if (w->paused) {
        w->st.dropped_frames++;
        return;
    }
    if (!w->seg) {
        if (failing(w)) extend_gap(w, m->wall_us);
        if (w->retry_at && ww_mono_us() < w->retry_at) { w->st.dropped_frames++; return; }
        if (!m->key) {
            if (!failing(w)) w->st.state = REC_WAIT_KEY;
            else w->st.dropped_frames++;
            return;
        }
        if (!w->have_params) return;
        int rc = open_segment(w, m->wall_us);
        if (rc) { on_io_error(w, rc, m->wall_us); w->st.dropped_frames++; return; }
        if (failing(w))
            ww_info(w->ctx, "recording resumed (%s cleared)", rec_state_name(w->st.state));
        w->st.state = REC_RECORDING;
        w->st.last_error = 0;
        w->st.error_text[0] = 0;
        w->retry_at = 0;
        close_gap(w, m->wall_us);
        w->last_key_us = m->wall_us;
    } else if (m->key) {
        if (w->last_key_us) w->gop_us = m->wall_us - w->last_key_us;
        w->last_key_us = m->wall_us;
        /* Cut here if waiting for the next keyframe would pass the limit. */
        if (m->wall_us - w->seg->start_us + w->gop_us > w->max_seg_us) {
            int rc = write_pending(w, m->wall_us - w->pend_wall);
            if (rc) { on_io_error(w, rc, m->wall_us); return; }
            close_segment(w, true);
            rc = open_segment(w, m->wall_us);
            if (rc) { on_io_error(w, rc, m->wall_us); return; }
        }
    }
    if (w->pend_wall) {
        int rc = write_pending(w, m->wall_us - w->pend_wall);
        if (rc) { on_io_error(w, rc, m->wall_us); return; }
    }
    av_packet_ref(w->pend, m->pkt);
    w->pend_wall = m->wall_us;
    w->pend_key = m->key;
}

void rec_writer_on_hub(void *opaque, const struct hub_msg *m)
{
    rec_writer_t *w = opaque;
    pthread_mutex_lock(&w->mu);
    switch (m->ev) {
    case HUB_START:
        finish_segment(w);
        avcodec_parameters_copy(w->par, m->par);
        w->in_tb = m->tb;
        w->have_params = true;
        avcodec_parameters_free(&w->apar);
        if (m->apar && m->apar->codec_id == AV_CODEC_ID_AAC && (w->apar = avcodec_parameters_alloc()))
            avcodec_parameters_copy(w->apar, m->apar);
        break;
    case HUB_PACKET:
        on_packet(w, m);
        break;
    case HUB_STOP: {
        int64_t end = w->pend_wall ? w->pend_wall + w->last_dur_us : w->last_end_us;
        finish_segment(w);
        char reason[128];
        snprintf(reason, sizeof reason, "camera offline: %s", m->reason ? m->reason : "stream lost");
        open_gap(w, end, reason);
        if (w->st.state == REC_RECORDING || w->st.state == REC_WAIT_KEY) w->st.state = REC_IDLE;
        w->have_params = false;
        break;
    }
    }
    pthread_mutex_unlock(&w->mu);
}

void rec_writer_pause(rec_writer_t *w, bool paused, const char *reason)
{
    pthread_mutex_lock(&w->mu);
    if (paused && !w->paused) {
        int64_t end = w->pend_wall ? w->pend_wall + w->last_dur_us : w->last_end_us;
        finish_segment(w);
        open_gap(w, end ? end : ww_wall_us(), reason ? reason : "paused");
        snprintf(w->pause_reason, sizeof w->pause_reason, "%s", reason ? reason : "paused");
        w->st.state = REC_PAUSED;
        ww_info(w->ctx, "recording paused: %s", w->pause_reason);
    } else if (!paused && w->paused) {
        w->st.state = REC_WAIT_KEY;
        ww_info(w->ctx, "recording resumed");
    }
    w->paused = paused;
    pthread_mutex_unlock(&w->mu);
}

void rec_writer_free(rec_writer_t *w)
{
    if (!w) return;
    pthread_mutex_lock(&w->mu);
    finish_segment(w);
    /* A failure still going on is a gap up to now; an offline camera's gap
     * is closed by its next recording, as before. */
    if (failing(w)) close_gap(w, ww_wall_us());
    pthread_mutex_unlock(&w->mu);
    av_packet_free(&w->pend);
    avcodec_parameters_free(&w->par);
    avcodec_parameters_free(&w->apar);
    pthread_mutex_destroy(&w->mu);
    free(w->data_dir);
    free(w->kind);
    free(w->ctx);
    free(w);
}

void rec_writer_stats(rec_writer_t *w, struct rec_writer_stats *out)
{
    pthread_mutex_lock(&w->mu);
    *out = w->st;
    pthread_mutex_unlock(&w->mu);
    ww_hist_read(&w->frag_write, &out->fragment_write);
}
