/*
 * fuzz_rtp_audio.c — the sound track's depacketizer (rtp_audio.c): RFC
 * 3640 AU headers (several AUs a packet, fragments, index deltas) and
 * G.711 payloads, as rtsp.c drives it (issue 12 item 6).
 *
 * Input: one flags byte (bits 0-1: AAC, PCMA, PCMU; bit 2: accept payload
 * type 97 only), one byte of sizelength (1..16) and one of indexlength /
 * indexdeltalength (low and high nibble, 0..8), then packets, each as a
 * 16-bit big-endian length and that many bytes.  Every frame popped is
 * read end to end, so ASan checks its size.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/internal.h"

static volatile uint8_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3) return 0;
    static const enum sdp_audio_codec codecs[4] = {SDP_AUDIO_AAC, SDP_AUDIO_PCMA, SDP_AUDIO_PCMU, SDP_AUDIO_AAC};
    struct sdp_audio a = {.codec = codecs[data[0] & 3], .pt = data[0] & 4 ? 97 : -1, .clock = 16000, .channels = 1,
                          .size_length = 1 + data[1] % 16, .index_length = (data[2] & 0x0f) % 9,
                          .index_delta_length = (data[2] >> 4) % 9};
    struct rtp_adepack d;
    rtp_adepack_init(&d, &a);
    AVPacket *pkt = av_packet_alloc();
    size_t i = 3;
    while (i + 2 <= size) {
        size_t n = (size_t)data[i] << 8 | data[i + 1];
        i += 2;
        if (n > size - i) n = size - i;
        uint8_t *p = malloc(n ? n : 1);
        memcpy(p, data + i, n);
        rtp_adepack_push(&d, p, n);
        free(p);
        i += n;
        while (rtp_adepack_pop(&d, pkt)) {
            if (!pkt->buf || pkt->size <= 0 || (size_t)pkt->size > pkt->buf->size) abort();
            uint8_t sum = 0;
            for (int k = 0; k < pkt->size; k++) sum ^= pkt->data[k];
            sink = sum;
            av_packet_unref(pkt);
        }
    }
    av_packet_free(&pkt);
    rtp_adepack_free(&d);
    return 0;
}
