/*
 * fuzz_rtsp_auth.c — WWW-Authenticate challenges and the Authorization
 * answers built from them (rtsp_auth.c), as rtsp.c uses them: every
 * WWW-Authenticate value of a 401 goes to rtsp_auth_challenge(), then an
 * answer is made for a request.
 *
 * Input: one or more header values separated by '\n'.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rtsp_auth a;
    memset(&a, 0, sizeof a);
    const char *p = (const char *)data, *end = p + size;
    while (p <= end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        rtsp_auth_challenge(&a, p, len);
        if (!nl) break;
        p = nl + 1;
    }
    for (int i = 0; i < 2; i++) {   /* twice: the nonce count advances */
        char *h = rtsp_auth_header(&a, "admin", "pässword", "DESCRIBE",
                                   "rtsp://192.168.1.10:554/Streaming/Channels/101");
        if (h && strlen(h) == 0) abort();
        free(h);
    }
    rtsp_auth_free(&a);
    return 0;
}
