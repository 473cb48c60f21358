/*
 * rtp.c — RTP packets of one H.264 (RFC 6184) or H.265 (RFC 7798) stream
 * become access units in Annex B form.
 *
 * What: single NAL unit packets, STAP-A (24) and FU-A (28) for H.264;
 * single, AP (48) and FU (49) for H.265, with DONL/DOND fields when the SDP
 * says sprop-max-don-diff > 0.  The interleaved H.264 modes (STAP-B, MTAP,
 * FU-B) and H.265 PACI are counted and their access unit dropped.
 *
 * Why assemble here rather than hand NAL units to a parser: libavformat's
 * RTP demuxer emits NAL fragments and runs the H.264/HEVC parser over them
 * to find frame boundaries, which costs a second pass and a second copy.
 * RTP already marks the boundary (marker bit, or a new timestamp), so each
 * NAL fragment is copied once, from the receive buffer straight into the
 * buffer that becomes the AVPacket's.  That buffer is allocated at the size
 * recent access units of the same kind had (key or not), grown by doubling
 * if the guess was short, and trimmed in place when the unit is complete,
 * so a GOP cache holding many packets does not hold their slack.
 *
 * Output matches libavformat's: a 4-byte start code before each NAL unit,
 * in-band parameter sets kept where the camera put them, pts = dts = the
 * RTP timestamp unwrapped to 64 bits, key = the unit holds an IDR picture
 * or a recovery-point SEI (H.264) or an IRAP picture (H.265, types 16..21).
 *
 * Invariants:
 *   - an access unit is delivered only if every packet of it arrived: a
 *     sequence gap damages the unit being assembled and the unit the packet
 *     after the gap belongs to (its start may be what was lost); a FU
 *     continuation without its start, or a start before the previous FU
 *     ended, damages it too.  Damaged units are counted and dropped.
 *   - a unit with no picture in it (parameter sets, SEI sent with their own
 *     timestamp or marker) is not delivered alone: its NAL units are kept
 *     and lead the next unit, the way a parser would group them.
 *   - every read of packet bytes is bounds-checked against the packet
 *     length; the unit never grows beyond max_au.
 *
 * Camera quirks taken as the cameras mean them (issue 12 item 4): a marker
 * on parameter sets or SEI does not end a unit (second invariant); no
 * marker at all, a new timestamp ends it; a FU-A with both start and end
 * bits is a whole NAL unit; a FU's type is the start fragment's (later
 * fragments that say otherwise, and reserved bits, are ignored, as
 * libavformat does); empty fragments add nothing; start codes inside a
 * single-NAL packet (Annex B from the camera's encoder passed through) split
 * it into its NAL units; a new SSRC is a restarted sender, followed without
 * counting a loss; repeated sequence numbers are dropped as late.
 */
#include "ingest/internal.h"

#include <string.h>

#include "base/base.h"

#define PAD AV_INPUT_BUFFER_PADDING_SIZE
#define EST_MIN 4096
#define RTP_MAX_AU_DEFAULT (16u << 20) /* 16 MB: a 4K IDR is 1–3 MB */
#define RTP_MAX_MISORDER 100           /* RFC 3550 A.1: further back is a restart */

static const uint8_t start_code[4] = {0, 0, 0, 1};

static inline uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void rtp_depack_init(struct rtp_depack *d, enum rtp_codec codec, int pt, bool donl)
{
    memset(d, 0, sizeof *d);
    d->codec = codec;
    d->pt = pt;
    d->donl = donl;
    d->max_au = RTP_MAX_AU_DEFAULT;
    d->est_key = 128 * 1024;
    d->est_other = 16 * 1024;
}

/* Does the first NAL of a unit suggest a keyframe-sized unit is coming? */
static bool looks_key(const struct rtp_depack *d, int type)
{
    if (d->codec == RTP_H264) return type == 5 || type == 7 || type == 8;
    return (type >= 16 && type <= 21) || (type >= 32 && type <= 34);
}

/* Makes room for n more bytes plus padding; false (unit damaged) if the
 * unit would exceed max_au or memory ran out. */
static bool reserve(struct rtp_depack *d, size_t n, int first_type)
{
    if (d->len + n > d->max_au) {
        d->damaged = true;
        return false;
    }
    size_t need = d->len + n + PAD;
    if (d->buf && (size_t)d->buf->size >= need) return true;
    size_t cap;
    if (!d->buf) {
        cap = looks_key(d, first_type) ? d->est_key : d->est_other;
        if (cap < need) cap = need;
    } else {
        cap = (size_t)d->buf->size * 2;
        if (cap < need) cap = need;
    }
    if (cap > d->max_au + PAD) cap = d->max_au + PAD;
    if (av_buffer_realloc(&d->buf, cap) < 0) {
        d->damaged = true;
        return false;
    }
    return true;
}

static void note_nal(struct rtp_depack *d, int type, const uint8_t *nal, size_t n)
{
    if (d->codec == RTP_H264) {
        if (type >= 1 && type <= 5) d->vcl = true;
        if (type == 5) d->key = true;
        if (type == 6 && n > 1) {
            /* SEI: the first message's payloadType, 0xFF bytes adding 255
             * each; 6 is a recovery point, which libavformat's parser also
             * takes as a keyframe. */
            size_t i = 1;
            unsigned t = 0;
            while (i < n && nal[i] == 0xFF && t < 1024) { t += 255; i++; }
            if (i < n && t + nal[i] == 6) d->key = true;
        }
    } else {
        if (type <= 31) d->vcl = true;
        if (type >= 16 && type <= 21) d->key = true;
    }
}

/* Appends start code + hdr[0..hn) + data[0..n) as one NAL unit. */
static void add_nal(struct rtp_depack *d, const uint8_t *hdr, size_t hn, const uint8_t *data,
                    size_t n)
{
    if (d->damaged) return;
    int type = d->codec == RTP_H264 ? (hn ? hdr[0] : data[0]) & 0x1F
                                    : ((hn ? hdr[0] : data[0]) >> 1) & 0x3F;
    if (!reserve(d, 4 + hn + n, type)) return;
    uint8_t *w = d->buf->data + d->len;
    memcpy(w, start_code, 4);
    if (hn) memcpy(w + 4, hdr, hn);
    memcpy(w + 4 + hn, data, n);
    d->len += 4 + hn + n;
    if (hn)
        note_nal(d, type, hdr, hn); /* FU start: the header is all we see now */
    else
        note_nal(d, type, data, n);
}

static void add_bytes(struct rtp_depack *d, const uint8_t *data, size_t n)
{
    if (d->damaged || !n) return;
    if (!reserve(d, n, 0)) return;
    memcpy(d->buf->data + d->len, data, n);
    d->len += n;
}

static void reset_unit(struct rtp_depack *d)
{
    d->len = 0;
    d->au_open = d->damaged = d->key = d->vcl = d->in_fu = false;
}

/* Ends the unit being assembled: delivers it, drops it (damaged), or keeps
 * it open when it holds no picture yet. */
static void finish_unit(struct rtp_depack *d)
{
    if (!d->au_open) return;
    if (d->damaged) {
        d->st.dropped_aus++;
        reset_unit(d); /* keep the buffer for the next unit */
        return;
    }
    if (!d->vcl) return; /* parameter sets etc.: they lead the next unit */
    if (d->in_fu) {      /* marker or new timestamp inside a FU: its end is lost */
        d->st.dropped_aus++;
        reset_unit(d);
        return;
    }
    if (d->ndone == RTP_DONE_MAX) { /* the reader did not pop: never happens in our loop */
        d->st.dropped_aus++;
        reset_unit(d);
        return;
    }
    /* Trim the slack in place (realloc shrinks without moving), so cached
     * packets hold what they use. */
    if ((size_t)d->buf->size > d->len + PAD + 4096) av_buffer_realloc(&d->buf, d->len + PAD);
    memset(d->buf->data + d->len, 0, PAD);
    d->done[d->ndone++] = (struct rtp_au){.buf = d->buf, .size = (int)d->len, .ts = d->au_ts,
                                          .key = d->key};
    size_t grow = d->len + d->len / 4;
    if (d->key) {
        d->est_key = grow > EST_MIN ? grow : EST_MIN;
    } else {
        /* a slowly decaying maximum of recent non-key units, plus half */
        size_t want = d->len + d->len / 2;
        size_t decayed = d->est_other - d->est_other / 16;
        d->est_other = want > decayed ? want : decayed;
        if (d->est_other < EST_MIN) d->est_other = EST_MIN;
    }
    d->buf = NULL;
    d->st.aus++;
    reset_unit(d);
}

/* Where the next start code (00 00 01, or 00 00 00 01) in p[from..n)
 * begins, or n.  Emulation prevention keeps 00 00 01 out of a NAL unit's
 * bytes, so one found is a boundary. */
static size_t next_start_code(const uint8_t *p, size_t n, size_t from, size_t *sc_len)
{
    for (size_t i = from; i + 3 <= n; i++) {
        if (p[i + 2] > 1) { i += 2; continue; }  /* cannot be part of 00 00 01 here */
        if (p[i] == 0 && p[i + 1] == 0 && p[i + 2] == 1) {
            bool four = i > from && p[i - 1] == 0;
            *sc_len = four ? 4 : 3;
            return four ? i - 1 : i;
        }
    }
    *sc_len = 0;
    return n;
}

/* A single-NAL packet that holds start codes (a camera passing its
 * encoder's Annex B through): each piece between them is one NAL unit. */
static void add_annexb(struct rtp_depack *d, const uint8_t *p, size_t n)
{
    size_t sc, at = next_start_code(p, n, 0, &sc);
    if (at > 0) add_nal(d, NULL, 0, p, at); /* bytes before the first start code */
    while (at < n) {
        size_t from = at + sc, next_sc;
        size_t next = next_start_code(p, n, from, &next_sc);
        while (next > from && p[next - 1] == 0) next--; /* trailing zero bytes */
        if (next > from) add_nal(d, NULL, 0, p + from, next - from);
        at = next_start_code(p, n, from, &sc);
    }
    d->st.annexb_split++;
}

static bool has_start_code(const uint8_t *p, size_t n)
{
    size_t sc;
    return next_start_code(p, n, 0, &sc) < n;
}

static void depack_h264(struct rtp_depack *d, const uint8_t *p, size_t n)
{
    int type = p[0] & 0x1F;
    if (type >= 0 && type <= 23 && has_start_code(p, n)) {
        if (d->in_fu) { d->damaged = true; d->in_fu = false; }
        add_annexb(d, p, n);
        return;
    }
    if (type >= 1 && type <= 23) {
        if (d->in_fu) { d->damaged = true; d->in_fu = false; } /* FU never ended */
        add_nal(d, NULL, 0, p, n);
        return;
    }
    switch (type) {
    case 24: { /* STAP-A: [size16 NAL]... */
        if (d->in_fu) { d->damaged = true; d->in_fu = false; }
        size_t i = 1;
        while (i + 2 <= n) {
            size_t sz = be16(p + i);
            i += 2;
            if (sz == 0 || sz > n - i) { d->damaged = true; return; }
            add_nal(d, NULL, 0, p + i, sz);
            i += sz;
        }
        if (i != n) d->damaged = true;
        return;
    }
    case 28: { /* FU-A: indicator, header(S E R type), fragment (may be empty) */
        if (n < 2) { d->damaged = true; return; }
        bool s = p[1] & 0x80, e = p[1] & 0x40;
        if (s) {
            if (d->in_fu) d->damaged = true; /* the previous FU never ended */
            uint8_t hdr = (uint8_t)((p[0] & 0xE0) | (p[1] & 0x1F));
            add_nal(d, &hdr, 1, p + 2, n - 2);
            d->in_fu = !e;
        } else {
            if (!d->in_fu) { d->damaged = true; return; } /* its start was lost */
            add_bytes(d, p + 2, n - 2);
            if (e) d->in_fu = false;
        }
        return;
    }
    case 25: case 26: case 27: case 29: /* interleaved mode: not supported */
        d->st.unsupported++;
        d->damaged = true;
        return;
    default: /* 0, 30, 31: reserved/unspecified, ignored as RFC 6184 says */
        return;
    }
}

static void depack_h265(struct rtp_depack *d, const uint8_t *p, size_t n)
{
    if (n < 3) { d->damaged = true; return; }
    int type = (p[0] >> 1) & 0x3F;
    size_t dl = d->donl ? 2 : 0;
    if (type <= 47) { /* single NAL unit: header, [DONL], payload */
        if (d->in_fu) { d->damaged = true; d->in_fu = false; }
        if (n < 2 + dl + 1) { d->damaged = true; return; }
        add_nal(d, p, 2, p + 2 + dl, n - 2 - dl);
        return;
    }
    switch (type) {
    case 48: { /* AP: header, then [DONL] size NAL, ([DOND] size NAL)... */
        if (d->in_fu) { d->damaged = true; d->in_fu = false; }
        size_t i = 2;
        bool first = true;
        while (i < n) {
            size_t skip = d->donl ? (first ? 2 : 1) : 0;
            if (n - i < skip + 2) { d->damaged = true; return; }
            i += skip;
            size_t sz = be16(p + i);
            i += 2;
            if (sz < 2 || sz > n - i) { d->damaged = true; return; }
            add_nal(d, NULL, 0, p + i, sz);
            i += sz;
            first = false;
        }
        return;
    }
    case 49: { /* FU: header(2), FU header(S E type6), [DONL if S], fragment */
        bool s = p[2] & 0x80, e = p[2] & 0x40;
        int ft = p[2] & 0x3F;
        if (s) {
            if (n < 3 + dl) { d->damaged = true; return; }
            if (d->in_fu) d->damaged = true;
            uint8_t hdr[2] = {(uint8_t)((p[0] & 0x81) | (ft << 1)), p[1]};
            add_nal(d, hdr, 2, p + 3 + dl, n - 3 - dl);
            d->in_fu = !e;
        } else {
            if (!d->in_fu) { d->damaged = true; return; }
            add_bytes(d, p + 3, n - 3);
            if (e) d->in_fu = false;
        }
        return;
    }
    case 50: /* PACI: not supported */
        d->st.unsupported++;
        d->damaged = true;
        return;
    default: /* 51..63: reserved, ignored */
        return;
    }
}

int rtp_depack_push(struct rtp_depack *d, const uint8_t *p, size_t n)
{
    d->st.packets++;
    if (n < 12 || (p[0] >> 6) != 2) { d->st.bad++; return d->ndone; }
    size_t off = 12 + 4 * (size_t)(p[0] & 0x0F);
    bool marker = p[1] & 0x80;
    int pt = p[1] & 0x7F;
    uint16_t seq = be16(p + 2);
    uint32_t ts32 = be32(p + 4);
    if (off > n) { d->st.bad++; return d->ndone; }
    if (p[0] & 0x10) { /* header extension: 16-bit profile, 16-bit length in words */
        if (n - off < 4) { d->st.bad++; return d->ndone; }
        size_t ext = 4 + 4 * (size_t)be16(p + off + 2);
        if (ext > n - off) { d->st.bad++; return d->ndone; }
        off += ext;
    }
    size_t end = n;
    if (p[0] & 0x20) { /* padding: its length is the last byte */
        size_t padn = p[n - 1];
        if (padn == 0 || padn > n - off) { d->st.bad++; return d->ndone; }
        end -= padn;
    }

    /* A new SSRC is a sender that restarted (some cameras do it at every
     * GOP): its sequence and timestamps start afresh, and nothing was lost.
     * The unit in hand ends as if its marker had come. */
    uint32_t ssrc = be32(p + 8);
    if (d->have_ssrc && ssrc != d->ssrc) {
        d->st.ssrc_changes++;
        finish_unit(d);            /* parameter sets alone stay: they lead the next unit */
        d->have_seq = false;
        if (d->have_ts) { d->have_ts = false; d->restarted = true; }
    }
    d->ssrc = ssrc;
    d->have_ssrc = true;

    /* Sequence first, whatever the payload type: one SSRC, one counter. */
    bool gap = false;
    if (d->have_seq && seq != d->next_seq) {
        int16_t diff = (int16_t)(uint16_t)(seq - d->next_seq);
        if (diff < 0 && diff > -RTP_MAX_MISORDER) { /* duplicate or late: already past it */
            d->st.late++;
            return d->ndone;
        }
        /* a real gap, or a jump back (the sender restarted): resync on it */
        d->st.gaps++;
        if (diff > 0) d->st.lost += diff;
        gap = true;
    }
    d->have_seq = true;
    d->next_seq = (uint16_t)(seq + 1);

    if (d->pt >= 0 && pt != d->pt) { d->st.other_pt++; return d->ndone; }

    int64_t ts;
    if (!d->have_ts) {
        /* the first packet; or a restarted sender's, whose random start
         * continues one frame step after the old sender's last unit */
        ts = d->restarted ? d->last_ts64 + (d->step > 0 ? d->step : 3000) : ts32;
        d->have_ts = true;
        d->restarted = false;
    } else {
        ts = d->last_ts64 + (int32_t)(ts32 - d->last_ts32); /* signed step: wraps and B-frames */
    }
    if (ts > d->last_ts64 && ts - d->last_ts64 <= 90000) d->step = ts - d->last_ts64;
    d->last_ts32 = ts32;
    d->last_ts64 = ts;

    if (gap && d->au_open) d->damaged = true; /* the unit lost packets (its tail at least) */
    if (d->au_open && ts != d->au_ts) {
        if (!d->vcl && !d->damaged)
            d->au_ts = ts; /* parameter sets with their own timestamp: carry them on */
        else
            finish_unit(d);
    }
    if (!d->au_open) {
        d->au_open = true;
        d->au_ts = ts;
        if (gap) d->damaged = true; /* its first packets may be the lost ones */
    }

    if (end > off) {
        if (d->codec == RTP_H264)
            depack_h264(d, p + off, end - off);
        else
            depack_h265(d, p + off, end - off);
    }
    if (marker) finish_unit(d);
    return d->ndone;
}

void rtp_depack_flush(struct rtp_depack *d) { finish_unit(d); }

bool rtp_depack_pop(struct rtp_depack *d, AVPacket *pkt)
{
    if (!d->ndone) return false;
    struct rtp_au au = d->done[0];
    memmove(&d->done[0], &d->done[1], (size_t)(d->ndone - 1) * sizeof d->done[0]);
    d->ndone--;
    pkt->buf = au.buf;
    pkt->data = au.buf->data;
    pkt->size = au.size;
    pkt->pts = pkt->dts = au.ts;
    pkt->flags = au.key ? AV_PKT_FLAG_KEY : 0;
    pkt->stream_index = 0;
    return true;
}

void rtp_depack_free(struct rtp_depack *d)
{
    av_buffer_unref(&d->buf);
    for (int i = 0; i < d->ndone; i++) av_buffer_unref(&d->done[i].buf);
    d->ndone = 0;
}
