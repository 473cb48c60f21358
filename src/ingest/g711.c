/*
 * g711.c — a camera's G.711 sound (A-law PCMA, µ-law PCMU) turned into
 * AAC-LC as it arrives (issue 12 item 6; why: docs/decisions/
 * 015-g711-to-aac.md — Chromium's MSE cannot play G.711 in MP4 and
 * libavformat's mp4 muxer will not store it, so the one form every part
 * (segments, export, live, playback) handles is AAC).
 *
 * How: libavcodec's pcm_alaw / pcm_mulaw decoder gives s16 samples; they
 * are converted to float planar here (what the native "aac" encoder
 * takes; a division, no libswresample needed at 8 kHz mono) into a
 * 1024-sample frame; each full frame is encoded.  pts counts samples from
 * the first G.711 frame's pts, so a lost packet is a gap of silence the
 * encoder never sees (the next frame starts at its own pts, not later).
 *
 * Cost: one 8 kHz mono encoder is ~8 frames a second; the CPU time of each
 * push is measured (CLOCK_THREAD_CPUTIME_ID) and exposed for the stats.
 */
#include "ingest/internal.h"

#include <string.h>
#include <time.h>

#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>

#include "base/base.h"

#define AAC_FRAME 1024
#define AAC_BITRATE_PER_CH 24000 /* speech at 8–16 kHz: plenty for evidence, small on disk */

struct g711_aac {
    AVCodecContext *dec, *enc;
    AVCodecParameters *par;
    AVFrame *in, *out;
    int fill;                  /* samples in out so far */
    bool have_pts;
    int64_t next_pts;          /* pts of the next sample to enter out */
    int64_t cpu_us;
};

static int64_t thread_cpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int open_codecs(struct g711_aac *g, enum sdp_audio_codec codec, int rate, int channels)
{
    const AVCodec *dc = avcodec_find_decoder(codec == SDP_AUDIO_PCMA ? AV_CODEC_ID_PCM_ALAW : AV_CODEC_ID_PCM_MULAW);
    const AVCodec *ec = avcodec_find_encoder_by_name("aac");
    if (!dc || !ec) return WW_EAV;
    g->dec = avcodec_alloc_context3(dc);
    g->enc = avcodec_alloc_context3(ec);
    if (!g->dec || !g->enc) return WW_EAV;
    g->dec->sample_rate = rate;
    av_channel_layout_default(&g->dec->ch_layout, channels);
    if (avcodec_open2(g->dec, dc, NULL) < 0) return WW_EAV;
    g->enc->sample_rate = rate;
    g->enc->sample_fmt = AV_SAMPLE_FMT_FLTP;
    av_channel_layout_default(&g->enc->ch_layout, channels);
    g->enc->bit_rate = (int64_t)AAC_BITRATE_PER_CH * channels;
    g->enc->time_base = (AVRational){1, rate};
    g->enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER; /* the AudioSpecificConfig, for the mp4 muxer */
    if (avcodec_open2(g->enc, ec, NULL) < 0) return WW_EAV;
    if (g->enc->frame_size != AAC_FRAME) return WW_EAV;
    g->par = avcodec_parameters_alloc();
    if (!g->par || avcodec_parameters_from_context(g->par, g->enc) < 0) return WW_EAV;
    g->out->format = AV_SAMPLE_FMT_FLTP;
    g->out->nb_samples = AAC_FRAME;
    g->out->sample_rate = rate;
    if (av_channel_layout_copy(&g->out->ch_layout, &g->enc->ch_layout) < 0) return WW_EAV;
    if (av_frame_get_buffer(g->out, 0) < 0) return WW_EAV;
    return 0;
}

int g711_aac_new(enum sdp_audio_codec codec, int rate, int channels, struct g711_aac **out)
{
    *out = NULL;
    if ((codec != SDP_AUDIO_PCMA && codec != SDP_AUDIO_PCMU) || rate <= 0 || channels < 1 || channels > 2)
        return WW_EINVAL;
    struct g711_aac *g = ww_calloc(1, sizeof *g);
    g->in = av_frame_alloc();
    g->out = av_frame_alloc();
    int rc = g->in && g->out ? open_codecs(g, codec, rate, channels) : WW_EAV;
    if (rc) { g711_aac_free(g); return rc; }
    *out = g;
    return 0;
}

const AVCodecParameters *g711_aac_params(const struct g711_aac *g) { return g->par; }
int64_t g711_aac_cpu_us(const struct g711_aac *g) { return g->cpu_us; }

/* Sends the full out frame to the encoder. */
static int encode_frame(struct g711_aac *g)
{
    g->out->pts = g->next_pts - AAC_FRAME;
    int rc = avcodec_send_frame(g->enc, g->out);
    g->fill = 0;
    if (rc < 0) return WW_EAV;
    return av_frame_make_writable(g->out) < 0 ? WW_EAV : 0;
}

/* s16 interleaved samples of in → float planar into out, a frame at a time. */
static int take_samples(struct g711_aac *g)
{
    int ch = g->out->ch_layout.nb_channels;
    const int16_t *s = (const int16_t *)g->in->data[0];
    bool planar = av_sample_fmt_is_planar(g->in->format);
    for (int i = 0; i < g->in->nb_samples; i++) {
        for (int c = 0; c < ch; c++) {
            int16_t v = planar ? ((const int16_t *)g->in->data[c])[i] : s[i * ch + c];
            ((float *)g->out->data[c])[g->fill] = (float)v / 32768.0f;
        }
        g->fill++;
        g->next_pts++;
        if (g->fill == AAC_FRAME) {
            int rc = encode_frame(g);
            if (rc) return rc;
        }
    }
    return 0;
}

int g711_aac_push(struct g711_aac *g, const AVPacket *in)
{
    int64_t t0 = thread_cpu_us();
    /* a gap (lost packets) or a step back: the partial frame is encoded
     * padded with silence, and the next one starts at the packet's time */
    if (g->have_pts && in->pts != g->next_pts && g->fill) {
        int ch = g->out->ch_layout.nb_channels;
        for (int c = 0; c < ch; c++)
            memset((float *)g->out->data[c] + g->fill, 0, sizeof(float) * (size_t)(AAC_FRAME - g->fill));
        g->next_pts += AAC_FRAME - g->fill;
        if (encode_frame(g)) return WW_EAV;
    }
    if (!g->have_pts || (in->pts != g->next_pts && in->pts > g->next_pts)) g->next_pts = in->pts;
    g->have_pts = true;
    int rc = avcodec_send_packet(g->dec, in) < 0 ? WW_EAV : 0;
    while (!rc && avcodec_receive_frame(g->dec, g->in) == 0) {
        if (g->in->format != AV_SAMPLE_FMT_S16 && g->in->format != AV_SAMPLE_FMT_S16P) rc = WW_EAV;
        else rc = take_samples(g);
        av_frame_unref(g->in);
    }
    g->cpu_us += thread_cpu_us() - t0;
    return rc;
}

bool g711_aac_pop(struct g711_aac *g, AVPacket *pkt)
{
    int64_t t0 = thread_cpu_us();
    bool got = avcodec_receive_packet(g->enc, pkt) == 0;
    g->cpu_us += thread_cpu_us() - t0;
    return got;
}

void g711_aac_free(struct g711_aac *g)
{
    if (!g) return;
    avcodec_free_context(&g->dec);
    avcodec_free_context(&g->enc);
    avcodec_parameters_free(&g->par);
    av_frame_free(&g->in);
    av_frame_free(&g->out);
    free(g);
}
