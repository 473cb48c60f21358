/*
 * fuzz_rtsp_wire.c — the lean RTSP client's receive path: rtsp_wire_next()
 * splitting a camera's byte stream into interleaved frames, messages and
 * junk, and rtsp_hdr_next() on every message head, as rtsp.c uses them.
 *
 * The input is the bytes a camera sends.  The first byte picks max_channel
 * (255 before SETUP, 1 after it) the way rtsp.c sets it.  Besides the
 * sanitizers, it checks the framer's promises: an item never spans more than
 * the bytes given, and every pointer it returns lies inside them.
 */
#include <stdint.h>
#include <stdlib.h>

#include "ingest/internal.h"

static void check_in(const uint8_t *base, size_t n, const void *p, size_t len)
{
    const uint8_t *q = p;
    if (len && (q < base || q + len > base + n)) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int max_ch = data[0] & 1 ? 255 : 1;
    const uint8_t *p = data + 1;
    size_t n = size - 1, rd = 0;
    static const char *const names[] = {"CSeq", "Session", "Content-Base", "Content-Location",
                                        "WWW-Authenticate", "Transport", "RTP-Info", "Public"};
    for (int guard = 0; guard < 100000 && rd < n; guard++) {
        struct rtsp_item it;
        ptrdiff_t k = rtsp_wire_next(p + rd, n - rd, max_ch, &it);
        if (k <= 0) break;                       /* needs more, or over the caps */
        if ((size_t)k > n - rd) abort();
        const uint8_t *item = p + rd;
        if (it.kind == RTSP_ITEM_FRAME || it.kind == RTSP_ITEM_JUNK) {
            check_in(item, (size_t)k, it.data, it.len);
        } else if (it.kind == RTSP_ITEM_MSG) {
            check_in(item, (size_t)k, it.head, it.head_len);
            check_in(item, (size_t)k, it.body, it.body_len);
            for (size_t h = 0; h < sizeof names / sizeof *names; h++) {
                size_t pos = 0, vlen;
                const char *v;
                for (int i = 0; i < 64 && rtsp_hdr_next(it.head, it.head_len, names[h], &pos, &v, &vlen); i++)
                    check_in((const uint8_t *)it.head, it.head_len, v, vlen);
            }
        } else {
            abort();
        }
        rd += (size_t)k;
    }
    return 0;
}
