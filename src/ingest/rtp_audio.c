/*
 * rtp_audio.c — RTP packets of a camera's sound track become audio frames
 * (issue 12 item 6).
 *
 * AAC (RFC 3640, mpeg4-generic, AAC-hbr/lbr): the payload starts with a
 * 16-bit AU-headers-length (in bits), then one AU header per access unit
 * (AU-size of sizelength bits, then AU-Index of indexlength bits for the
 * first and AU-Index-delta of indexdeltalength bits for the rest), padded
 * to a byte, then the AUs back to back.  Several AUs in one packet share
 * its RTP timestamp plus 1024 samples for each (AU-Index-delta + 1) step;
 * one AU larger than a packet comes as fragments: a single AU header whose
 * size is the whole AU's, the same timestamp, the marker on the last.
 * G.711 (PCMA/PCMU): the payload is the samples; one packet, one frame.
 *
 * Invariants: every read is bounds-checked; a header section that does
 * not add up (AU sizes past the payload for several AUs, header bits that
 * are not a whole number of headers, a fragment that differs from its
 * first) drops the packet (or the AU being assembled) and counts it —
 * audio never fails the session, video goes on; a sequence gap drops the
 * fragmented AU in progress; timestamps are unwrapped across 2^32.
 */
#include "ingest/internal.h"

#include <string.h>

#include "base/base.h"

#define PAD AV_INPUT_BUFFER_PADDING_SIZE

void rtp_adepack_init(struct rtp_adepack *d, const struct sdp_audio *a)
{
    memset(d, 0, sizeof *d);
    d->codec = a->codec;
    d->pt = a->pt;
    d->size_length = a->size_length;
    d->index_length = a->index_length;
    d->index_delta_length = a->index_delta_length;
    d->frame_samples = 1024; /* AAC-LC; the clock is the sample rate in practice */
}

void rtp_adepack_free(struct rtp_adepack *d)
{
    for (int i = 0; i < d->ndone; i++) av_buffer_unref(&d->done[(d->head + i) % RTP_ADONE_MAX].buf);
    av_buffer_unref(&d->frag);
    d->ndone = 0;
}

/* Reads n bits (n <= 16) at bit *pos of p[0..len); false past the end. */
static bool get_bits(const uint8_t *p, size_t len, size_t *pos, int n, unsigned *out)
{
    unsigned v = 0;
    if (*pos + (size_t)n > len * 8) return false;
    for (int i = 0; i < n; i++, (*pos)++) v = v << 1 | ((p[*pos >> 3] >> (7 - (*pos & 7))) & 1);
    *out = v;
    return true;
}

/* Queues one frame (copied); a full queue drops it (counted). */
static void emit(struct rtp_adepack *d, const uint8_t *p, size_t n, int64_t ts)
{
    if (d->ndone == RTP_ADONE_MAX || n == 0 || n > RTP_AUDIO_MAX_AU) { d->st.dropped_aus++; return; }
    AVBufferRef *b = av_buffer_alloc(n + PAD);
    if (!b) { d->st.dropped_aus++; return; }
    memcpy(b->data, p, n);
    memset(b->data + n, 0, PAD);
    struct rtp_au *au = &d->done[(d->head + d->ndone) % RTP_ADONE_MAX];
    au->buf = b;
    au->size = (int)n;
    au->ts = ts;
    au->key = true;
    d->ndone++;
    d->st.aus++;
}

static void drop_frag(struct rtp_adepack *d)
{
    if (d->frag) d->st.dropped_aus++;
    av_buffer_unref(&d->frag);
    d->frag_len = 0;
}

/* One fragment of an AU of total bytes: appended if it continues the AU in
 * progress, else it starts one (if it is a first fragment). */
static void push_fragment(struct rtp_adepack *d, const uint8_t *p, size_t n, size_t total, int64_t ts,
                          bool marker)
{
    if (d->frag && (d->frag_ts != ts || d->frag_total != total)) drop_frag(d);
    if (!d->frag) {
        if (total > RTP_AUDIO_MAX_AU) { d->st.dropped_aus++; return; }
        d->frag = av_buffer_alloc(total + PAD);
        if (!d->frag) return;
        d->frag_len = 0;
        d->frag_total = total;
        d->frag_ts = ts;
    }
    if (d->frag_len + n > total) { drop_frag(d); d->st.bad++; return; }
    memcpy(d->frag->data + d->frag_len, p, n);
    d->frag_len += n;
    if (d->frag_len == total) {
        emit(d, d->frag->data, total, ts);
        av_buffer_unref(&d->frag);
        d->frag_len = 0;
    } else if (marker) {
        drop_frag(d); /* the last fragment came and the AU is short */
        d->st.bad++;
    }
}

/* The RFC 3640 payload p[0..n) at RTP time ts. */
static void push_aac(struct rtp_adepack *d, const uint8_t *p, size_t n, int64_t ts, bool marker)
{
    if (n < 2) { d->st.bad++; return; }
    size_t hbits = (size_t)(p[0] << 8 | p[1]), hbytes = (hbits + 7) / 8;
    if (hbits == 0 || 2 + hbytes > n) { d->st.bad++; return; }
    const uint8_t *h = p + 2;
    const uint8_t *data = h + hbytes;
    size_t dlen = n - 2 - hbytes;
    /* first the headers, all of them, so a bad one drops the whole packet */
    unsigned sizes[RTP_ADONE_MAX], idx[RTP_ADONE_MAX];
    int nau = 0;
    size_t pos = 0, sum = 0;
    while (pos < hbits) {
        int il = nau ? d->index_delta_length : d->index_length;
        if (nau == RTP_ADONE_MAX || pos + (size_t)(d->size_length + il) > hbits ||
            !get_bits(h, hbytes, &pos, d->size_length, &sizes[nau]) ||
            !get_bits(h, hbytes, &pos, il, &idx[nau])) {
            d->st.bad++;
            drop_frag(d);
            return;
        }
        sum += sizes[nau];
        nau++;
    }
    if (nau == 1 && sizes[0] > dlen) { /* a fragment of one large AU */
        push_fragment(d, data, dlen, sizes[0], ts, marker);
        return;
    }
    drop_frag(d); /* whole AUs: nothing in progress may continue */
    if (sum > dlen) { d->st.bad++; return; }
    int64_t step = 0;
    for (int i = 0; i < nau; i++) {
        if (i) step += (int64_t)idx[i] + 1;
        emit(d, data, sizes[i], ts + step * d->frame_samples);
        data += sizes[i];
    }
}

int rtp_adepack_push(struct rtp_adepack *d, const uint8_t *p, size_t n)
{
    d->st.packets++;
    if (n < 12 || (p[0] >> 6) != 2) { d->st.bad++; return d->ndone; }
    int pt = p[1] & 0x7F;
    if (d->pt >= 0 && pt != d->pt) { d->st.other_pt++; return d->ndone; }
    bool marker = p[1] & 0x80;
    uint16_t seq = (uint16_t)(p[2] << 8 | p[3]);
    uint32_t ts32 = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];
    size_t off = 12 + 4u * (p[0] & 0x0F);
    if (p[0] & 0x10) { /* header extension */
        if (off + 4 > n) { d->st.bad++; return d->ndone; }
        off += 4 + 4u * (size_t)(p[off + 2] << 8 | p[off + 3]);
    }
    size_t end = n;
    if (p[0] & 0x20) { /* padding */
        if (p[n - 1] == 0 || p[n - 1] > n) { d->st.bad++; return d->ndone; }
        end -= p[n - 1];
    }
    if (off > end) { d->st.bad++; return d->ndone; }
    if (d->have_seq) {
        int16_t delta = (int16_t)(seq - d->next_seq);
        if (delta < 0) { d->st.late++; return d->ndone; }
        if (delta > 0) { d->st.lost += delta; drop_frag(d); }
    }
    d->have_seq = true;
    d->next_seq = (uint16_t)(seq + 1);
    /* wrap-safe: the signed 32-bit step from the last timestamp */
    d->last_ts64 = d->have_ts ? d->last_ts64 + (int32_t)(ts32 - d->last_ts32) : ts32;
    d->last_ts32 = ts32;
    d->have_ts = true;
    if (d->codec == SDP_AUDIO_AAC) push_aac(d, p + off, end - off, d->last_ts64, marker);
    else emit(d, p + off, end - off, d->last_ts64);
    return d->ndone;
}

bool rtp_adepack_pop(struct rtp_adepack *d, AVPacket *pkt)
{
    if (!d->ndone) return false;
    struct rtp_au *au = &d->done[d->head];
    d->head = (d->head + 1) % RTP_ADONE_MAX;
    d->ndone--;
    pkt->buf = au->buf;
    pkt->data = au->buf->data;
    pkt->size = au->size;
    pkt->pts = pkt->dts = au->ts;
    pkt->flags |= AV_PKT_FLAG_KEY;
    au->buf = NULL;
    return true;
}
