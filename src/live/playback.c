/*
 * playback.c — recorded video as one continuous fMP4 stream for MSE.
 *
 * Remux only: packets come from rec_reader (across segment files, from the
 * keyframe at or before the requested second) and go through the same
 * in-memory fragmenter as live video.  Media time 0 is the first frame's
 * wall time, so media time = wall - t0 everywhere, and a gap in the
 * recordings is a gap in media time that the player steps over.
 * A codec change between segments ends the stream there; the player opens
 * a new one (the init segment must change).  The sound track comes along
 * when the first segment has one (X-Codec then names mp4a.40.2 too); a
 * later segment's audio without it here is left out, and video goes on.
 */
#include "live/live.h"

#include <stdlib.h>
#include <string.h>

#include <libavformat/avformat.h>

#include "base/base.h"
#include "record/record.h"

struct live_playback {
    rec_reader_t *rd;
    struct fmp4_mux *mux;
    AVCodecParameters *par;
    bool audio;                /* the stream carries the sound track */
    AVPacket *pkt;
    struct ww_buf out;
    size_t off;
    bool eof;
};

static bool same_params(const AVCodecParameters *a, const AVCodecParameters *b)
{
    return a->codec_id == b->codec_id && a->width == b->width && a->height == b->height &&
           a->extradata_size == b->extradata_size &&
           (!a->extradata_size || !memcmp(a->extradata, b->extradata, (size_t)a->extradata_size));
}

static void append_buf(live_playback_t *p, AVBufferRef *b)
{
    if (!b) return;
    ww_buf_append(&p->out, b->data, (size_t)b->size);
    av_buffer_unref(&b);
}

int live_playback_open(const char *data_dir, const char *db_path, int64_t stream_id,
                       int64_t at_us, int64_t to_us, live_playback_t **out, int64_t *t0_us,
                       char *codec, size_t n)
{
    catalog_t *cat;
    int rc = catalog_open(db_path, 0, &cat);
    if (rc) return rc;
    live_playback_t *p = ww_calloc(1, sizeof *p);
    p->pkt = av_packet_alloc();
    p->par = avcodec_parameters_alloc();
    rc = rec_reader_open(data_dir, cat, stream_id, at_us, to_us, &p->rd);
    catalog_close(cat);
    if (rc) { live_playback_free(p); return rc; }
    rec_reader_want_audio(p->rd);
    int64_t wall;
    bool key;
    rc = rec_reader_next(p->rd, p->pkt, &wall, &key);
    if (rc) { live_playback_free(p); return rc == WW_EOF ? WW_ENOTFOUND : rc; }
    avcodec_parameters_copy(p->par, rec_reader_params(p->rd));
    AVBufferRef *init = NULL, *frag = NULL;
    bool fk;
    const AVCodecParameters *apar = rec_reader_audio_params(p->rd);
    p->audio = apar != NULL;
    rc = fmp4_mux_open_av(p->par, apar, wall, &p->mux, &init);
    if (rc) { live_playback_free(p); return rc; }
    append_buf(p, init);
    fmp4_mux_set_fragment(p->mux, 500000); /* playback: 0.5 s fragments */
    fmp4_mux_packet(p->mux, p->pkt, wall, key, &frag, &fk);
    av_packet_unref(p->pkt);
    append_buf(p, frag);
    fmp4_codec_string_av(p->par, apar, codec, n);
    *t0_us = wall;
    *out = p;
    return 0;
}

/* Pulls frames until about `want` bytes are queued or the end. */
static void refill(live_playback_t *p, size_t want)
{
    while (!p->eof && p->out.len - p->off < want) {
        int64_t wall;
        bool key;
        AVBufferRef *frag = NULL;
        bool fk;
        int rc = rec_reader_next(p->rd, p->pkt, &wall, &key);
        if (rc == 0 && p->pkt->stream_index == 1) {
            if (p->audio) fmp4_mux_audio(p->mux, p->pkt, wall);
            av_packet_unref(p->pkt);
            continue;
        }
        if (rc != 0 || !same_params(p->par, rec_reader_params(p->rd))) {
            av_packet_unref(p->pkt);
            fmp4_mux_flush(p->mux, &frag, &fk);
            append_buf(p, frag);
            p->eof = true;
            break;
        }
        fmp4_mux_packet(p->mux, p->pkt, wall, key, &frag, &fk);
        av_packet_unref(p->pkt);
        append_buf(p, frag);
    }
}

ssize_t live_playback_read(live_playback_t *p, uint8_t *buf, size_t max)
{
    if (p->off == p->out.len) { p->out.len = 0; p->off = 0; }
    refill(p, max);
    size_t n = p->out.len - p->off;
    if (n == 0) return WW_EOF;
    if (n > max) n = max;
    memcpy(buf, p->out.data + p->off, n);
    p->off += n;
    if (p->off > (1u << 20)) { /* compact */
        memmove(p->out.data, p->out.data + p->off, p->out.len - p->off);
        p->out.len -= p->off;
        p->off = 0;
    }
    return (ssize_t)n;
}

void live_playback_free(live_playback_t *p)
{
    if (!p) return;
    rec_reader_close(p->rd);
    fmp4_mux_close(p->mux);
    avcodec_parameters_free(&p->par);
    av_packet_free(&p->pkt);
    ww_buf_free(&p->out);
    free(p);
}
