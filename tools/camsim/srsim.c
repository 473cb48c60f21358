/* srsim.c: see srsim.h. */
#include "srsim.h"

#include <stdint.h>
#include <string.h>

srsim_opts srsim;

#define NTP_UNIX_OFFSET 2208988800LL
#define FOREIGN_SSRC_XOR 0x5a5a5a5au
#define FOREIGN_NTP_SKEW_S (365LL * 86400)

static bool srsim_active(void)
{
    return srsim.interval_ms > 0 || srsim.offset_s != 0 || srsim.ppm != 0 || srsim.foreign;
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* ---- RTP timestamps of a fast (or slow) clock -------------------------- */

typedef struct {
    bool have;
    uint32_t first, last;
    int64_t ext;        /* extended, from first */
} rtp_bend;

static void bend_rtp(rtp_bend *b, GstBuffer *buf)
{
    uint8_t h[8];
    if (gst_buffer_extract(buf, 0, h, 8) != 8 || (h[0] >> 6) != 2)
        return;
    uint32_t ts = rd32(h + 4);
    if (!b->have) {
        b->have = true;
        b->first = b->last = ts;
        b->ext = 0;
    }
    b->ext += (int32_t)(ts - b->last); /* wrap-safe: --rtp-wrap crosses 2^32 */
    b->last = ts;
    int64_t extra = (int64_t)((double)b->ext * srsim.ppm / 1e6);
    wr32(h + 4, ts + (uint32_t)extra);
    gst_buffer_fill(buf, 4, h + 4, 4);
}

static gboolean bend_one(GstBuffer **buf, guint idx, gpointer user)
{
    (void)idx;
    *buf = gst_buffer_make_writable(*buf);
    bend_rtp(user, *buf);
    return TRUE;
}

static GstPadProbeReturn on_rtp(GstPad *pad, GstPadProbeInfo *info, gpointer user)
{
    (void)pad;
    if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
        GstBuffer *buf = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
        bend_rtp(user, buf);
        GST_PAD_PROBE_INFO_DATA(info) = buf;
    } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
        GstBufferList *l = gst_buffer_list_make_writable(GST_PAD_PROBE_INFO_BUFFER_LIST(info));
        gst_buffer_list_foreach(l, bend_one, user);
        GST_PAD_PROBE_INFO_DATA(info) = l;
    }
    return GST_PAD_PROBE_OK;
}

/* ---- the SRs' NTP times ------------------------------------------------ */

static int64_t t0_us; /* the real time the camera's clock is bent from */

static uint64_t unix_us_to_ntp(int64_t us)
{
    int64_t sec = us / 1000000, frac = us % 1000000;
    return (uint64_t)(sec + NTP_UNIX_OFFSET) << 32 | (uint64_t)((frac << 32) / 1000000);
}

static int64_t ntp_to_unix_us(uint64_t ntp)
{
    return ((int64_t)(ntp >> 32) - NTP_UNIX_OFFSET) * 1000000 +
           (int64_t)(((ntp & 0xffffffffu) * 1000000u) >> 32);
}

static void bend_sr(uint8_t *sr)
{
    int64_t real = ntp_to_unix_us((uint64_t)rd32(sr + 8) << 32 | rd32(sr + 12));
    int64_t cam = t0_us + (int64_t)((double)(real - t0_us) * (1 + srsim.ppm / 1e6)) +
                  (int64_t)(srsim.offset_s * 1e6);
    uint64_t n = unix_us_to_ntp(cam);
    wr32(sr + 8, (uint32_t)(n >> 32));
    wr32(sr + 12, (uint32_t)n);
}

static GstPadProbeReturn on_rtcp(GstPad *pad, GstPadProbeInfo *info, gpointer user)
{
    (void)pad;
    (void)user;
    if (!(info->type & GST_PAD_PROBE_TYPE_BUFFER))
        return GST_PAD_PROBE_OK;
    GstBuffer *in = GST_PAD_PROBE_INFO_BUFFER(info);
    gsize n = gst_buffer_get_size(in);
    if (n < 8 || n > 4096)
        return GST_PAD_PROBE_OK;
    uint8_t b[4096 + 28];
    gst_buffer_extract(in, 0, b, n);
    gsize foreign_at = 0;
    for (gsize o = 0; o + 8 <= n;) {
        gsize len = ((gsize)(b[o + 2] << 8 | b[o + 3]) + 1) * 4;
        if (o + len > n)
            break;
        if (b[o + 1] == 200 && len >= 28) {
            bend_sr(b + o);
            if (srsim.foreign && !foreign_at)
                foreign_at = o + 1; /* +1: 0 means none */
        }
        o += len;
    }
    gsize out_n = n;
    if (foreign_at) { /* the sender info alone, no report blocks */
        uint8_t *f = b + n, *sr = b + foreign_at - 1;
        memcpy(f, sr, 28);
        f[0] = 0x80;
        f[3] = 6;
        wr32(f + 4, rd32(sr + 4) ^ FOREIGN_SSRC_XOR);
        wr32(f + 8, rd32(sr + 8) + (uint32_t)FOREIGN_NTP_SKEW_S);
        out_n += 28;
    }
    GstBuffer *out = gst_buffer_new_allocate(NULL, out_n, NULL);
    gst_buffer_fill(out, 0, b, out_n);
    gst_buffer_copy_into(out, in, GST_BUFFER_COPY_METADATA, 0, -1);
    gst_buffer_unref(in);
    GST_PAD_PROBE_INFO_DATA(info) = out;
    return GST_PAD_PROBE_OK;
}

/* Once prepared, the media's rtpbin exists: its RTCP pads and sessions. */
static void on_prepared(GstRTSPMedia *media, gpointer user)
{
    (void)user;
    for (guint i = 0; i < gst_rtsp_media_n_streams(media); i++) {
        GstRTSPStream *st = gst_rtsp_media_get_stream(media, i);
        GObject *sess = gst_rtsp_stream_get_rtpsession(st);
        if (sess && srsim.interval_ms > 0 &&
            g_object_class_find_property(G_OBJECT_GET_CLASS(sess), "rtcp-min-interval"))
            g_object_set(sess, "rtcp-min-interval", (guint64)srsim.interval_ms * 1000000, NULL);
        if (sess)
            g_object_unref(sess);
    }
    GstElement *el = gst_rtsp_media_get_element(media);
    GstElement *pipeline = el ? GST_ELEMENT(gst_element_get_parent(el)) : NULL;
    if (el)
        gst_object_unref(el);
    if (!pipeline)
        return;
    GstIterator *it = gst_bin_iterate_all_by_element_factory_name(GST_BIN(pipeline), "rtpbin");
    GValue v = G_VALUE_INIT;
    if (it && gst_iterator_next(it, &v) == GST_ITERATOR_OK) {
        GstElement *rtpbin = g_value_get_object(&v);
        for (guint i = 0; i < gst_rtsp_media_n_streams(media); i++) {
            gchar name[32];
            g_snprintf(name, sizeof name, "send_rtcp_src_%u", i);
            GstPad *p = gst_element_get_static_pad(rtpbin, name);
            if (p) {
                gst_pad_add_probe(p, GST_PAD_PROBE_TYPE_BUFFER, on_rtcp, NULL, NULL);
                gst_object_unref(p);
            }
        }
        g_value_unset(&v);
    }
    if (it)
        gst_iterator_free(it);
    gst_object_unref(pipeline);
}

void srsim_attach(GstRTSPMedia *media, GstElement *element)
{
    if (!srsim_active())
        return;
    if (!t0_us)
        t0_us = g_get_real_time();
    if (srsim.ppm != 0) {
        GstElement *pay = gst_bin_get_by_name(GST_BIN(element), "pay0");
        if (pay) {
            GstPad *p = gst_element_get_static_pad(pay, "src");
            gst_pad_add_probe(p, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                              on_rtp, g_new0(rtp_bend, 1), g_free);
            gst_object_unref(p);
            gst_object_unref(pay);
        }
    }
    g_signal_connect(media, "prepared", G_CALLBACK(on_prepared), NULL);
}
