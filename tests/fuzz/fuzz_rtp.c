/*
 * fuzz_rtp.c — RTP header parsing and the H.264 / H.265 depacketizer
 * (rtp.c): packets in, access units out, as rtsp.c drives it.
 *
 * Input: one flags byte (bit 0: H.265, bit 1: DONL fields, bit 2: accept
 * payload type 96 only), then packets, each as a 16-bit big-endian length
 * and that many bytes (what an interleaved frame carries).  Every access
 * unit popped is read end to end, so ASan checks its size.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/internal.h"

static volatile uint8_t sink;   /* keeps the read-through loop */

static void drain(struct rtp_depack *d, AVPacket *pkt)
{
    while (rtp_depack_pop(d, pkt)) {
        if (!pkt->buf || pkt->size < 0 || (size_t)pkt->size > pkt->buf->size) abort();
        uint8_t sum = 0;
        for (int i = 0; i < pkt->size; i++) sum ^= pkt->data[i];
        sink = sum;
        av_packet_unref(pkt);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    uint8_t flags = data[0];
    struct rtp_depack d;
    rtp_depack_init(&d, flags & 1 ? RTP_H265 : RTP_H264, flags & 4 ? 96 : -1, (flags & 2) != 0);
    d.max_au = 1 << 20;   /* keeps a run's memory small; the cap's path is what matters */
    AVPacket *pkt = av_packet_alloc();
    size_t i = 1;
    while (i + 2 <= size) {
        size_t n = (size_t)data[i] << 8 | data[i + 1];
        i += 2;
        if (n > size - i) n = size - i;
        /* a copy of exactly n bytes, so a read past the packet is caught */
        uint8_t *p = malloc(n ? n : 1);
        memcpy(p, data + i, n);
        rtp_depack_push(&d, p, n);
        free(p);
        i += n;
        drain(&d, pkt);
    }
    rtp_depack_flush(&d);
    drain(&d, pkt);
    av_packet_free(&pkt);
    rtp_depack_free(&d);
    return 0;
}
