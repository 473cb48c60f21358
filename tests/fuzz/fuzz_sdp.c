/*
 * fuzz_sdp.c — a DESCRIBE body: sdp_parse_video() (video track, codec,
 * parameter sets decoded to Annex B), sdp_parse_audio() (the sound track:
 * AAC fmtp and its hex config, G.711) and the control URLs resolved against a
 * base with rtsp_resolve_url(), as rtsp.c does after DESCRIBE.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/internal.h"

static volatile uint8_t sink;   /* keeps the read-through loop */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sdp_video v;
    memset(&v, 0, sizeof v);
    if (sdp_parse_video((const char *)data, size, &v) == 0) {
        if (v.extradata_size < 0 || v.extradata_size > SDP_MAX_EXTRADATA) abort();
        if (v.extradata_size && !v.extradata) abort();
        /* touch every byte: ASan checks the size is true */
        uint8_t sum = 0;
        for (int i = 0; i < v.extradata_size; i++) sum ^= v.extradata[i];
    sink = sum;
        char *t = rtsp_resolve_url("rtsp://10.0.0.5:554/cam/realmonitor?channel=1&subtype=0",
                                   v.control);
        char *s = v.session_control ? rtsp_resolve_url("rtsp://10.0.0.5/", v.session_control) : NULL;
        free(t);
        free(s);
    }
    sdp_video_free(&v);
    struct sdp_audio a;
    if (sdp_parse_audio((const char *)data, size, &a) == 0) {
        if (a.codec == SDP_AUDIO_AAC && (!a.extradata || a.extradata_size <= 0 || a.size_length < 1)) abort();
        uint8_t sum = 0;
        for (int i = 0; i < a.extradata_size; i++) sum ^= a.extradata[i];
        sink = sum;
        sdp_audio_free(&a);
    }
    return 0;
}
