/*
 * fmp4.c — fragmented MP4 into memory for MSE: fragments of one frame or of
 * up to a set duration, always closed before a keyframe.
 *
 * The mp4 muxer writes through a custom AVIOContext into a growing buffer;
 * after each explicit fragment flush the buffer's bytes become one
 * refcounted AVBufferRef that any number of viewers can share.  Like the
 * recorder, one frame is held back so its duration is exact.
 */
#include "live/live.h"

#include <stdlib.h>
#include <string.h>

#include <libavformat/avformat.h>

#include "base/base.h"

struct fmp4_mux {
    AVFormatContext *oc;
    struct ww_buf out;
    AVRational in_tb, out_tb;
    int64_t t0_us;
    AVPacket *pend;
    int64_t pend_wall, last_dur;
    bool pend_key, have_pend;
    int64_t max_frag_us;       /* 0 = one frame per fragment */
    int64_t frag_start;        /* wall time of the open fragment's first frame */
    int frag_frames;
    bool frag_key;             /* the open fragment starts with a keyframe */
    /* the sound track (stream 1), when opened with one */
    bool audio;
    AVRational a_tb;
    int64_t a_dur, a_last, a_true; /* a_tb; a_last INT64_MIN before the first frame */
};

static int mem_write(void *opaque, uint8_t *buf, int size)
{
    struct fmp4_mux *m = opaque;
    ww_buf_append(&m->out, buf, (size_t)size);
    return size;
}

static AVBufferRef *take_out(struct fmp4_mux *m)
{
    avio_flush(m->oc->pb);
    if (!m->out.len) return NULL;
    AVBufferRef *b = av_buffer_alloc(m->out.len);
    if (b) memcpy(b->data, m->out.data, m->out.len);
    m->out.len = 0;
    return b;
}

void fmp4_mux_close(struct fmp4_mux *m)
{
    if (!m) return;
    if (m->oc) {
        if (m->oc->pb) {
            av_freep(&m->oc->pb->buffer);
            avio_context_free(&m->oc->pb);
        }
        avformat_free_context(m->oc);
    }
    av_packet_free(&m->pend);
    ww_buf_free(&m->out);
    av_free(m);
}

int fmp4_mux_open(const AVCodecParameters *par, int64_t t0_us, struct fmp4_mux **out,
                  AVBufferRef **init)
{
    return fmp4_mux_open_av(par, NULL, t0_us, out, init);
}

int fmp4_mux_open_av(const AVCodecParameters *par, const AVCodecParameters *apar, int64_t t0_us,
                     struct fmp4_mux **out, AVBufferRef **init)
{
    struct fmp4_mux *m = av_mallocz(sizeof *m);
    if (!m) return -ENOMEM;
    m->t0_us = t0_us;
    m->pend = av_packet_alloc();
    m->last_dur = 40000;
    if (avformat_alloc_output_context2(&m->oc, NULL, "mp4", NULL) < 0) goto fail;
    AVStream *st = avformat_new_stream(m->oc, NULL);
    if (!st) goto fail;
    avcodec_parameters_copy(st->codecpar, par);
    st->codecpar->codec_tag = par->codec_id == AV_CODEC_ID_HEVC ? MKTAG('h', 'v', 'c', '1') : 0;
    st->time_base = (AVRational){1, 90000};
    if (apar) {
        AVStream *as = avformat_new_stream(m->oc, NULL);
        if (!as) goto fail;
        avcodec_parameters_copy(as->codecpar, apar);
        as->codecpar->codec_tag = 0;
        as->time_base = (AVRational){1, apar->sample_rate > 0 ? apar->sample_rate : 48000};
        m->audio = true;
        m->a_dur = apar->frame_size > 0 ? apar->frame_size : 1024;
        m->a_last = INT64_MIN;
    }
    uint8_t *buf = av_malloc(32768);
    m->oc->pb = avio_alloc_context(buf, 32768, 1, m, NULL, mem_write, NULL);
    m->oc->flags |= AVFMT_FLAG_CUSTOM_IO;
    AVDictionary *o = NULL;
    av_dict_set(&o, "movflags", "frag_custom+empty_moov+default_base_moof", 0);
    int rc = avformat_write_header(m->oc, &o);
    av_dict_free(&o);
    if (rc < 0) goto fail;
    m->out_tb = st->time_base;
    if (m->audio) m->a_tb = m->oc->streams[1]->time_base;
    *init = take_out(m);
    *out = m;
    return 0;
fail:
    fmp4_mux_close(m);
    return WW_EAV;
}

/* Writes the held-back frame; closes the fragment when the next frame is a
 * keyframe, when it reached max_frag_us, or at the end (force). */
static int emit(struct fmp4_mux *m, int64_t dur_us, bool next_key, bool force, AVBufferRef **frag,
                bool *frag_key)
{
    *frag = NULL;
    if (!m->have_pend) return 0;
    if (dur_us <= 0 || dur_us > 5000000) dur_us = m->last_dur;
    m->last_dur = dur_us;
    AVPacket *p = m->pend;
    int64_t cts = (p->pts != AV_NOPTS_VALUE && p->dts != AV_NOPTS_VALUE) ? p->pts - p->dts : 0;
    p->stream_index = 0;
    p->dts = av_rescale_q(m->pend_wall - m->t0_us, (AVRational){1, 1000000}, m->out_tb);
    p->pts = p->dts + av_rescale_q(cts, (AVRational){1, 90000}, m->out_tb);
    p->duration = av_rescale_q(dur_us, (AVRational){1, 1000000}, m->out_tb);
    if (m->pend_key) p->flags |= AV_PKT_FLAG_KEY;
    if (!m->frag_frames) {
        m->frag_start = m->pend_wall;
        m->frag_key = m->pend_key;
    }
    int rc = av_write_frame(m->oc, p);
    av_packet_unref(p);
    m->have_pend = false;
    if (rc < 0) return WW_EAV;
    m->frag_frames++;
    if (!force && !next_key && m->pend_wall + dur_us - m->frag_start < m->max_frag_us) return 0;
    if (av_write_frame(m->oc, NULL) < 0) return WW_EAV;
    m->frag_frames = 0;
    *frag = take_out(m);
    *frag_key = m->frag_key;
    return 0;
}

void fmp4_mux_set_fragment(struct fmp4_mux *m, int64_t max_frag_us) { m->max_frag_us = max_frag_us; }

int fmp4_mux_packet(struct fmp4_mux *m, const AVPacket *pkt, int64_t wall_us, bool key,
                    AVBufferRef **frag, bool *frag_key)
{
    if (wall_us < m->t0_us) wall_us = m->t0_us;
    if (m->have_pend && wall_us <= m->pend_wall) wall_us = m->pend_wall + 1000;
    int rc = emit(m, m->have_pend ? wall_us - m->pend_wall : 0, key, false, frag, frag_key);
    if (rc) return rc;
    if (av_packet_ref(m->pend, pkt) < 0) return -ENOMEM;
    m->pend_wall = wall_us;
    m->pend_key = key;
    m->have_pend = true;
    return 0;
}

/* As the recorder writes audio (record/writer.c): media time from the
 * wall time, back to back within half a frame, the first frame at 0
 * stretched to its time (no edit list after an empty moov), nothing
 * before t0.  It goes out with the next video fragment. */
int fmp4_mux_audio(struct fmp4_mux *m, const AVPacket *pkt, int64_t wall_us)
{
    if (!m->audio || wall_us < m->t0_us) return 0;
    int64_t t = av_rescale_q(wall_us - m->t0_us, (AVRational){1, 1000000}, m->a_tb);
    bool first = m->a_last == INT64_MIN;
    if (!first && llabs(t - (m->a_true + m->a_dur)) <= m->a_dur / 2) t = m->a_true + m->a_dur;
    if (!first && t <= m->a_last) return 0;
    AVPacket *p = av_packet_clone(pkt);
    if (!p) return -ENOMEM;
    p->stream_index = 1;
    p->dts = p->pts = first ? 0 : t;
    p->duration = first ? t + m->a_dur : m->a_dur;
    p->flags |= AV_PKT_FLAG_KEY;
    int64_t dts = p->dts;
    int rc = av_write_frame(m->oc, p);
    av_packet_free(&p);
    if (rc < 0) return WW_EAV;
    m->a_last = dts;
    m->a_true = t;
    return 0;
}

int fmp4_mux_flush(struct fmp4_mux *m, AVBufferRef **frag, bool *frag_key)
{
    return emit(m, m->last_dur, false, true, frag, frag_key);
}

/* Finds the first NAL of a type in Annex B or length-prefixed extradata. */
static const uint8_t *find_nal(const uint8_t *p, size_t n, int want, bool hevc, size_t *len)
{
    for (size_t i = 0; i + 3 < n; i++) {
        if (p[i] == 0 && p[i + 1] == 0 && p[i + 2] == 1) {
            const uint8_t *nal = p + i + 3;
            int t = hevc ? (nal[0] >> 1) & 0x3f : nal[0] & 0x1f;
            if (t == want) {
                size_t end = i + 3;
                while (end + 2 < n && !(p[end] == 0 && p[end + 1] == 0 && (p[end + 2] == 1 || p[end + 2] == 0))) end++;
                if (end + 2 >= n) end = n;
                *len = end - (i + 3);
                return nal;
            }
        }
    }
    return NULL;
}

void fmp4_codec_string(const AVCodecParameters *par, char *buf, size_t n)
{
    const uint8_t *ed = par->extradata;
    size_t en = (size_t)par->extradata_size;
    if (par->codec_id == AV_CODEC_ID_H264) {
        if (en >= 4 && ed[0] == 1) { snprintf(buf, n, "avc1.%02X%02X%02X", ed[1], ed[2], ed[3]); return; }
        size_t len;
        const uint8_t *sps = find_nal(ed, en, 7, false, &len);
        if (sps && len >= 4) { snprintf(buf, n, "avc1.%02X%02X%02X", sps[1], sps[2], sps[3]); return; }
        snprintf(buf, n, "avc1.640028");
        return;
    }
    /* HEVC: profile_tier_level follows the 2-byte NAL header and 1 byte of
     * sps_video_parameter_set_id / max_sub_layers / temporal_id_nesting.
     * Emulation-prevention bytes (00 00 03) are removed first: the
     * constraint flags are mostly zeros and often carry one. */
    size_t len;
    const uint8_t *sps = find_nal(ed, en, 33, true, &len);
    if (sps && len >= 15) {
        uint8_t raw[32];
        size_t k = 0, zeros = 0;
        for (size_t i = 0; i < len && k < sizeof raw; i++) {
            if (zeros >= 2 && sps[i] == 3) { zeros = 0; continue; }
            zeros = sps[i] == 0 ? zeros + 1 : 0;
            raw[k++] = sps[i];
        }
        if (k >= 15) {
            const uint8_t *ptl = raw + 3;
            int space = ptl[0] >> 6, tier = (ptl[0] >> 5) & 1, profile = ptl[0] & 0x1f;
            uint32_t compat = (uint32_t)ptl[1] << 24 | ptl[2] << 16 | ptl[3] << 8 | ptl[4];
            uint32_t rev = 0; /* written in reverse bit order (ISO/IEC 14496-15 E.3) */
            for (int i = 0; i < 32; i++) if (compat & (1u << i)) rev |= 1u << (31 - i);
            int level = ptl[11];
            /* constraint bytes: trailing zero bytes are omitted */
            char cons[32] = "";
            int last = 5;
            for (int i = 5; i <= 10; i++) if (ptl[i]) last = i;
            for (int i = 5; i <= last; i++) {
                size_t l = strlen(cons);
                snprintf(cons + l, sizeof cons - l, ".%02X", ptl[i]);
            }
            snprintf(buf, n, "hvc1.%s%d.%X.%c%d%s", space ? (space == 1 ? "A" : space == 2 ? "B" : "C") : "",
                     profile, rev, tier ? 'H' : 'L', level, cons);
            return;
        }
    }
    snprintf(buf, n, "hvc1.1.6.L120.B0");
}

void fmp4_codec_string_av(const AVCodecParameters *par, const AVCodecParameters *apar, char *buf, size_t n)
{
    fmp4_codec_string(par, buf, n);
    if (!apar || apar->codec_id != AV_CODEC_ID_AAC) return;
    /* mp4a.40.<audio object type>: the AudioSpecificConfig's first 5 bits (2 = AAC-LC) */
    int aot = apar->extradata_size >= 1 ? apar->extradata[0] >> 3 : 2;
    size_t l = strlen(buf);
    snprintf(buf + l, n - l, ",mp4a.40.%d", aot ? aot : 2);
}
