/* clip: one gen-media elementary stream (Annex-B H.264 or H.265) held in
 * memory and split into access units (one coded picture each).
 *
 * Ownership and threads: clip_load() fills a caller-owned struct; after it
 * returns the clip is immutable, so every camera pipeline thread reads it with
 * no lock.  Buffers handed to GStreamer wrap the clip's bytes without copying,
 * so clip_free() may only run once no pipeline can still hold such a buffer;
 * camsim therefore keeps its clips for the life of the process.
 *
 * A loaded clip is guaranteed loopable: it starts with a keyframe, keyframes
 * sit exactly every `gop` pictures, it is a whole number of GOPs long, and
 * every keyframe unit starts with its parameter sets, so a stream can begin at
 * any GOP. */
#ifndef CAMSIM_CLIP_H
#define CAMSIM_CLIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { CLIP_H264, CLIP_H265 } clip_codec;

typedef struct {
    size_t off, len; /* byte range in clip.bytes, start code included */
    size_t ps_len;   /* key: bytes of parameter sets (VPS/SPS/PPS) at its
                        start; camsim sends them only in a feed's first
                        unit, after that the payloader inserts them */
    bool key;        /* IDR (H.264) or IRAP (H.265) picture */
} clip_au;

typedef struct {
    clip_codec codec;
    unsigned fps;      /* from the gen-media contract, not parsed */
    uint64_t frame_ns; /* 1e9 / fps */
    uint8_t *bytes;
    size_t n_bytes;
    clip_au *aus;
    size_t n_aus;
    size_t gop; /* pictures per GOP */
    /* B-frame clips: pts[i] is unit i's presentation index (units are in
     * decode order); NULL when presentation order is decode order.  delay is
     * the largest i - pts[i], the decoder's reorder depth in frames, so
     * pts[i] + delay >= i and a presentation time never precedes its
     * decode time. */
    uint32_t *pts;
    size_t delay;
} clip;

/* Reads and splits PATH.  Returns 0, or a negative errno with a one-line
 * reason in ERR (-EINVAL: the file is not a loopable gen-media clip, -EFBIG:
 * over the size cap).  On failure *C holds nothing to free. */
int clip_load(clip *c, const char *path, clip_codec codec, unsigned fps,
              char *err, size_t errlen);

/* Reads PATH (gen-media's main-bf.pts: one presentation index per line, in
 * decode order) into C->pts and sets C->delay.  Each GOP must hold exactly
 * its own presentation indices, so looping stays seamless.  0, or a negative
 * errno with a reason in ERR; on failure C is unchanged. */
int clip_load_pts(clip *c, const char *path, char *err, size_t errlen);

/* Frees what clip_load() allocated; NULL and a zeroed clip are no-ops. */
void clip_free(clip *c);

#endif
