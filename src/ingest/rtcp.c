/*
 * rtcp.c — the receiver's side of RTCP (RFC 3550 §6.4.2, appendix A.3 and
 * A.8): what a receiver report says about one RTP source — the extended
 * highest sequence number, packets lost (cumulative and the fraction since
 * the last report), interarrival jitter, and the last sender report's time
 * with the delay since — and the report itself, RR + SDES CNAME as one
 * compound packet.
 *
 * Why: some cameras end a session whose client sends no receiver reports
 * (issue 12 item 3), whatever keep-alives it sends; and the fields are the
 * ones a camera's own diagnostics show.
 *
 * Pure state and bytes (no I/O); one struct rtcp_rx per stream, used by the
 * stream's ingest thread only.
 */
#include "ingest/internal.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

void rtcp_rx_init(struct rtcp_rx *r, uint32_t our_ssrc, int clock)
{
    *r = (struct rtcp_rx){.our_ssrc = our_ssrc, .clock = clock > 0 ? clock : 90000};
}

/* A new sender (SSRC): its counters start afresh (A.1's init_seq). */
static void restart(struct rtcp_rx *r, uint32_t ssrc, uint16_t seq)
{
    r->ssrc = ssrc;
    r->have_src = true;
    r->max_seq = seq;
    r->base_seq = seq;
    r->cycles = 0;
    r->received = r->expected_prior = r->received_prior = 0;
    r->have_transit = false;
    r->jitter = 0;
}

void rtcp_rx_rtp(struct rtcp_rx *r, const uint8_t *p, size_t n, int64_t now_us)
{
    if (n < 12 || (p[0] >> 6) != 2) return;
    uint16_t seq = (uint16_t)(p[2] << 8 | p[3]);
    uint32_t ts = be32(p + 4), ssrc = be32(p + 8);
    if (!r->have_src || ssrc != r->ssrc) restart(r, ssrc, seq);
    uint16_t delta = (uint16_t)(seq - r->max_seq);
    if (delta && delta < 0x8000) { /* in order, maybe after a gap */
        if (seq < r->max_seq) r->cycles += 65536;
        r->max_seq = seq;
    } else if (delta >= 0x8000 && (uint16_t)(r->max_seq - seq) > 3000) {
        restart(r, ssrc, seq); /* a jump far back: the sender restarted its counter */
    }
    r->received++;
    /* A.8: the transit time's change, in RTP clock units (arrival counted
     * from the first packet, so the product stays far inside 64 bits) */
    if (!r->t0_us) r->t0_us = now_us;
    int64_t arrival = (now_us - r->t0_us) * r->clock / 1000000;
    int64_t transit = arrival - (int64_t)ts;
    if (r->have_transit) {
        int64_t d = transit - r->transit;
        if (d < 0) d = -d;
        if (d < (int64_t)r->clock * 10) r->jitter += ((double)d - r->jitter) / 16.0; /* a wrap is no jitter */
    }
    r->transit = transit;
    r->have_transit = true;
}

void rtcp_rx_rtcp(struct rtcp_rx *r, const uint8_t *p, size_t n, int64_t now_us)
{
    /* a compound packet: walk it, take the sender report's NTP time */
    while (n >= 8 && (p[0] >> 6) == 2) {
        size_t len = ((size_t)(p[2] << 8 | p[3]) + 1) * 4;
        if (len > n) return;
        if (p[1] == 200 && len >= 28) { /* SR: SSRC, NTP (64 bits), RTP ts, counts */
            if (!r->have_src || be32(p + 4) != r->ssrc) {
                /* not the source we receive: nothing of it is used */
                r->sr_unknown++;
            } else {
                r->lsr = (be32(p + 8) << 16) | (be32(p + 12) >> 16);
                r->lsr_at_us = now_us;
                r->sr_ntp = (uint64_t)be32(p + 8) << 32 | be32(p + 12);
                r->sr_rtp = be32(p + 16);
                r->sr_new = true;
                r->srs++;
            }
        }
        p += len;
        n -= len;
    }
}

uint32_t rtcp_rx_ext_max(const struct rtcp_rx *r) { return r->cycles + r->max_seq; }

int64_t rtcp_rx_lost(const struct rtcp_rx *r)
{
    if (!r->have_src) return 0;
    int64_t expected = (int64_t)rtcp_rx_ext_max(r) - r->base_seq + 1;
    return expected - r->received;
}

size_t rtcp_rx_report(struct rtcp_rx *r, const char *cname, int64_t now_us, uint8_t *out, size_t cap)
{
    size_t cn = strlen(cname);
    if (cn > 255) cn = 255;
    size_t sdes = 4 + 4 + 2 + cn + 1;   /* header, SSRC, CNAME item, END */
    sdes = (sdes + 3) & ~(size_t)3;     /* padded with more zeros (END) */
    size_t rr = r->have_src ? 32 : 8;   /* with one report block, or none yet */
    if (cap < rr + sdes) return 0;
    memset(out, 0, rr + sdes);
    out[0] = (uint8_t)(0x80 | (r->have_src ? 1 : 0));
    out[1] = 201;
    out[2] = 0;
    out[3] = (uint8_t)(rr / 4 - 1);
    put32(out + 4, r->our_ssrc);
    if (r->have_src) {
        uint8_t *b = out + 8;
        put32(b, r->ssrc);
        int64_t expected = (int64_t)rtcp_rx_ext_max(r) - r->base_seq + 1;
        int64_t lost = expected - r->received;
        int64_t exp_int = expected - r->expected_prior, rec_int = r->received - r->received_prior;
        r->expected_prior = expected;
        r->received_prior = r->received;
        int64_t lost_int = exp_int - rec_int;
        uint8_t fraction = exp_int > 0 && lost_int > 0 ? (uint8_t)((lost_int << 8) / exp_int) : 0;
        if (lost > 0x7fffff) lost = 0x7fffff; /* 24-bit signed field */
        if (lost < -0x800000) lost = -0x800000;
        put32(b + 4, (uint32_t)fraction << 24 | ((uint32_t)lost & 0xffffff));
        put32(b + 8, rtcp_rx_ext_max(r));
        put32(b + 12, (uint32_t)r->jitter);
        put32(b + 16, r->lsr);
        /* delay since that SR, in 1/65536 s */
        put32(b + 20, r->lsr_at_us ? (uint32_t)((now_us - r->lsr_at_us) * 65536 / 1000000) : 0);
    }
    uint8_t *s = out + rr;
    s[0] = 0x81;
    s[1] = 202;
    s[3] = (uint8_t)(sdes / 4 - 1);
    put32(s + 4, r->our_ssrc);
    s[8] = 1; /* CNAME */
    s[9] = (uint8_t)cn;
    memcpy(s + 10, cname, cn);
    r->reports++;
    assert(((rr + sdes) & 3) == 0);
    return rr + sdes;
}

/* ---- sender reports → wall clock ------------------------------------------ */

/* NTP (seconds since 1900, 32.32 fixed point) → µs since 1970. */
int64_t rtcp_ntp_to_unix_us(uint64_t ntp)
{
    int64_t sec = (int64_t)(ntp >> 32) - RTCP_NTP_UNIX_OFFSET;
    int64_t frac = (int64_t)(((ntp & 0xffffffffu) * 1000000u) >> 32);
    return sec * 1000000 + frac;
}

void rtcp_clock_init(struct rtcp_clock *k, int clock)
{
    *k = (struct rtcp_clock){.clock = clock > 0 ? clock : 90000};
}

/* The least delayed of the last RTCP_WIN SRs: its offset is the camera's
 * clock minus ours with the least queueing in it.  An SR's receive time is
 * when our ingest thread read it, which lags by whatever the thread was
 * busy with (a keyframe, a segment being opened): tens of ms at times, so
 * one SR's offset is not to be trusted to the millisecond, the best of 8 is. */
static struct rtcp_off_sample window_best(const struct rtcp_clock *k)
{
    int n = k->nwin < RTCP_WIN ? k->nwin : RTCP_WIN;
    struct rtcp_off_sample best = k->win[0];
    for (int i = 1; i < n; i++)
        if (k->win[i].off_us > best.off_us) best = k->win[i];
    return best;
}

int rtcp_clock_sr(struct rtcp_clock *k, int64_t ntp_us, int64_t ext_ts, int64_t recv_us)
{
    struct rtcp_off_sample smp = {.off_us = ntp_us - recv_us, .recv_us = recv_us};
    int newly = 0;
    k->srs++;
    k->win[k->nwin % RTCP_WIN] = smp;
    k->nwin++;
    struct rtcp_off_sample best = window_best(k);
    k->offset_us = best.off_us;
    /* two SRs at least, both this one and the best far off: one SR read
     * late (a stalled thread) does not condemn a good clock */
    if (!k->untrusted && k->nwin >= 2 && llabs(smp.off_us) > RTCP_TRUST_US &&
        llabs(best.off_us) > RTCP_TRUST_US) {
        k->untrusted = true; /* for the session: a clock this far off is not set */
        newly = 1;
    }
    /* far off at the first SR: trusted or not is told at the next one;
     * until then the receive clock alone, so no step is taken toward it */
    if (k->nwin == 1 && llabs(smp.off_us) > RTCP_TRUST_US) return 0;
    k->sr_ntp_us = ntp_us;
    k->sr_ext = ext_ts;
    k->have_sr = true;
    return newly;
}

/* Where the SR mapping puts RTP time ts: the camera's NTP time, less the
 * camera's measured offset when that clock is not trusted (then only the
 * camera's rate between SRs is used; the hour comes from our clock). */
static int64_t target_us(const struct rtcp_clock *k, int64_t ts)
{
    int64_t d = (ts - k->sr_ext) * 1000000 / k->clock;
    int64_t t = k->sr_ntp_us + d;
    if (k->untrusted) t -= k->offset_us;
    return t;
}

int64_t rtcp_clock_wall(struct rtcp_clock *k, int64_t ts, int64_t base_us)
{
    if (k->have_sr) {
        int64_t err = target_us(k, ts) - (base_us + k->corr_us);
        /* hysteresis: the camera's own frame spacing is kept exactly while
         * the mapping is within RTCP_SLEW_START_US; past it the slew runs
         * until the error is under RTCP_SLEW_STOP_US */
        if (!k->slewing && llabs(err) > RTCP_SLEW_START_US) k->slewing = true;
        if (k->slewing && llabs(err) <= RTCP_SLEW_STOP_US) k->slewing = false;
        if (!k->slewing) err = 0;
        /* the step allowed: RTCP_SLEW_PPM of the media time since the last frame */
        int64_t dt = k->have_last ? (ts - k->last_ts) * 1000000 / k->clock : 0;
        if (dt < 0) dt = 0;
        int64_t lim = dt * RTCP_SLEW_PPM / 1000000;
        if (err > lim) err = lim;
        if (err < -lim) err = -lim;
        k->corr_us += err;
        k->map_err_us = target_us(k, ts) - (base_us + k->corr_us);
    }
    k->last_ts = ts;
    k->have_last = true;
    return base_us + k->corr_us;
}

/* The camera's media clock against ours, from arrivals: how far a frame's
 * media time runs ahead of its arrival, at its best (least delayed) per
 * RTCP_RATE_BUCKET_US, the first bucket after a warm-up one as the base.
 * The best of ~50 frames is within a millisecond of the path's minimum
 * delay where one SR's arrival may lag by a frame or more (TCP: the SR
 * waits in the socket behind the frame's bytes), so this is the figure
 * that shows a 200 ppm crystal within a minute. */
void rtcp_clock_arrival(struct rtcp_clock *k, int64_t ts, int64_t now_us)
{
    struct rtcp_rate *r = &k->rate;
    if (!r->started) {
        *r = (struct rtcp_rate){.started = true, .ts0 = ts, .t0 = now_us, .bucket_start = now_us};
    }
    int64_t lead = (ts - r->ts0) * 1000000 / k->clock - (now_us - r->t0);
    if (now_us - r->bucket_start >= RTCP_RATE_BUCKET_US && r->bucket_have) {
        r->buckets++;
        if (r->buckets == 2) {
            r->base = r->best;
        } else if (r->buckets > 2 && r->best.recv_us - r->base.recv_us >= RTCP_DRIFT_MIN_SPAN_US) {
            k->drift_ppm = (double)(r->best.off_us - r->base.off_us) /
                           (double)(r->best.recv_us - r->base.recv_us) * 1e6;
            k->have_drift = true;
        }
        r->bucket_start = now_us;
        r->bucket_have = false;
    }
    if (!r->bucket_have || lead > r->best.off_us) {
        r->best = (struct rtcp_off_sample){.off_us = lead, .recv_us = now_us};
        r->bucket_have = true;
    }
}

void rtcp_clock_rebase(struct rtcp_clock *k)
{
    k->rate.started = false; /* the measure starts over on the new timestamps */
    /* the camera's timestamps jumped: the SR's RTP time no longer relates
     * to the new ones, so wait for the next SR; offset and trust stay */
    k->corr_us = 0;
    k->have_sr = false;
    k->slewing = false;
    k->have_last = false;
}

const char *rtcp_clock_source(const struct rtcp_clock *k)
{
    return k->have_sr && !k->untrusted ? "rtcp" : "receive";
}
