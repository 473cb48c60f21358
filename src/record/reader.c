/*
 * reader.c — reads a stream's recordings as one packet sequence with
 * wall-clock times, across segment files, for playback and export.
 *
 * It starts at the keyframe at or before `from` (so the first frame
 * decodes) and stops at `to`.  A segment still growing is read as far as
 * its complete fragments go; a damaged tail ends that segment, not the read.
 */
#include "record/record.h"

#include <stdlib.h>
#include <string.h>

#include <libavformat/avformat.h>

struct rec_reader {
    char *data_dir;
    struct catalog_segment *segs;
    size_t nsegs, cur;
    int64_t from_us, to_us, total_bytes, done_bytes;
    AVFormatContext *fc;
    AVCodecParameters *par;
    AVCodecParameters *apar;  /* the segment's sound track, when it has one */
    bool has_audio;           /* the current segment has one */
    bool want_audio;          /* the caller takes audio packets (stream_index 1) */
    int astream;              /* the audio stream's index in the file */
    bool started;             /* first keyframe emitted */
    bool video_done;          /* video passed to_us: the rest of this segment's audio only */
};

void rec_reader_want_audio(rec_reader_t *r) { r->want_audio = true; }

const AVCodecParameters *rec_reader_audio_params(const rec_reader_t *r)
{
    return r->has_audio ? r->apar : NULL;
}

int rec_reader_open(const char *data_dir, catalog_t *cat, int64_t stream_id, int64_t from_us,
                    int64_t to_us, rec_reader_t **out)
{
    rec_reader_t *r = ww_calloc(1, sizeof *r);
    r->data_dir = ww_strdup(data_dir);
    r->from_us = from_us;
    r->to_us = to_us > 0 ? to_us : INT64_MAX;
    r->par = avcodec_parameters_alloc();
    r->apar = avcodec_parameters_alloc();
    int rc = catalog_segment_range(cat, stream_id, from_us, r->to_us, &r->segs, &r->nsegs);
    if (rc || r->nsegs == 0) {
        rec_reader_close(r);
        return rc ? rc : WW_ENOTFOUND;
    }
    for (size_t i = 0; i < r->nsegs; i++) r->total_bytes += r->segs[i].bytes;
    *out = r;
    return 0;
}

void rec_reader_close(rec_reader_t *r)
{
    if (!r) return;
    if (r->fc) avformat_close_input(&r->fc);
    avcodec_parameters_free(&r->par);
    avcodec_parameters_free(&r->apar);
    catalog_segment_list_free(r->segs, r->nsegs);
    free(r->data_dir);
    free(r);
}

static int open_segment(rec_reader_t *r)
{
    struct catalog_segment *s = &r->segs[r->cur];
    char *abs = ww_asprintf("%s/%s", r->data_dir, s->path);
    int rc = avformat_open_input(&r->fc, abs, NULL, NULL);
    free(abs);
    if (rc < 0) { r->fc = NULL; return WW_ECORRUPT; }
    if (r->fc->nb_streams < 1) return WW_ECORRUPT;
    avcodec_parameters_copy(r->par, r->fc->streams[0]->codecpar);
    r->has_audio = false;
    for (unsigned i = 1; i < r->fc->nb_streams; i++) {
        if (r->fc->streams[i]->codecpar->codec_type != AVMEDIA_TYPE_AUDIO) continue;
        avcodec_parameters_copy(r->apar, r->fc->streams[i]->codecpar);
        r->astream = (int)i;
        r->has_audio = true;
        break;
    }
    if (r->from_us > s->start_us) {
        AVRational tb = r->fc->streams[0]->time_base;
        int64_t ts = av_rescale_q(r->from_us - s->start_us, (AVRational){1, 1000000}, tb);
        av_seek_frame(r->fc, 0, ts, AVSEEK_FLAG_BACKWARD);
    }
    return 0;
}

int rec_reader_next(rec_reader_t *r, AVPacket *pkt, int64_t *wall_us, bool *key)
{
    while (r->cur < r->nsegs) {
        if (!r->fc && open_segment(r) != 0) {
            if (r->fc) avformat_close_input(&r->fc);
            r->done_bytes += r->segs[r->cur].bytes;
            r->cur++;
            continue;
        }
        int rc = av_read_frame(r->fc, pkt);
        if (rc < 0) {
            avformat_close_input(&r->fc);
            r->done_bytes += r->segs[r->cur].bytes;
            r->cur = r->video_done ? r->nsegs : r->cur + 1; /* past to_us: later segments are too */
            continue;
        }
        struct catalog_segment *s = &r->segs[r->cur];
        /* audio: only to a caller that asked, and only once video started
         * (the first packet out is a keyframe) */
        bool audio = r->has_audio && pkt->stream_index == r->astream;
        if ((pkt->stream_index != 0 && (!audio || !r->want_audio || !r->started)) ||
            (!audio && r->video_done)) {
            av_packet_unref(pkt);
            continue;
        }
        AVRational tb = r->fc->streams[pkt->stream_index]->time_base;
        int64_t ts = pkt->dts != AV_NOPTS_VALUE ? pkt->dts : pkt->pts;
        int64_t w = s->start_us + av_rescale_q(ts, tb, (AVRational){1, 1000000});
        bool k = (pkt->flags & AV_PKT_FLAG_KEY) != 0;
        if (audio) {
            if (w >= r->to_us) {
                av_packet_unref(pkt);
                if (r->video_done) { avformat_close_input(&r->fc); r->cur = r->nsegs; break; }
                continue;
            }
            pkt->dts = pkt->pts = av_rescale_q(w, (AVRational){1, 1000000}, (AVRational){1, 90000});
            pkt->duration = av_rescale_q(pkt->duration, tb, (AVRational){1, 90000});
            pkt->stream_index = 1;
            *wall_us = w;
            *key = false;
            return 0;
        }
        if (!r->started) {
            /* the seek lands on a keyframe at or before `from`; anything
             * else (no seek needed, or a later segment) starts at its own
             * first keyframe */
            if (!k) { av_packet_unref(pkt); continue; }
            r->started = true;
        }
        if (w >= r->to_us && r->want_audio && r->has_audio) {
            /* a fragment's mdat has its video before its audio, and the
             * demuxer reads them so: the audio up to to_us may still come */
            av_packet_unref(pkt);
            r->video_done = true;
            continue;
        }
        if (w >= r->to_us) {
            av_packet_unref(pkt);
            avformat_close_input(&r->fc);
            r->cur = r->nsegs;
            break;
        }
        /* back to the reader's own time base for callers: 1/90000 */
        int64_t cts = (pkt->pts != AV_NOPTS_VALUE && pkt->dts != AV_NOPTS_VALUE) ? pkt->pts - pkt->dts : 0;
        pkt->dts = av_rescale_q(w, (AVRational){1, 1000000}, (AVRational){1, 90000});
        pkt->pts = pkt->dts + av_rescale_q(cts, tb, (AVRational){1, 90000});
        *wall_us = w;
        *key = k;
        return 0;
    }
    return WW_EOF;
}

const AVCodecParameters *rec_reader_params(const rec_reader_t *r) { return r->par; }

double rec_reader_progress(const rec_reader_t *r)
{
    if (!r->total_bytes) return 1.0;
    double cur = 0;
    if (r->fc && r->fc->pb && r->cur < r->nsegs) cur = (double)avio_tell(r->fc->pb);
    double p = ((double)r->done_bytes + cur) / (double)r->total_bytes;
    return p > 1 ? 1 : p;
}

int64_t rec_reader_first_start(const rec_reader_t *r) { return r->nsegs ? r->segs[0].start_us : 0; }

int64_t rec_reader_total_frames(const rec_reader_t *r)
{
    int64_t n = 0;
    for (size_t i = 0; i < r->nsegs; i++) n += r->segs[i].frames;
    return n;
}
