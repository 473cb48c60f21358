/*
 * snapshot.c — JPEG thumbnails of decoded frames with libturbojpeg.
 *
 * tjCompressFromYUVPlanes takes the decoder's Y, U and V planes with their
 * strides as they are, so a thumbnail costs one JPEG encode and no colour
 * conversion (no swscale).  Large frames are halved by 2×2 box averaging in
 * plain C first: a thumbnail wider than 640 px is wasted bytes in the
 * catalog.
 *
 * Memory: the output buffer is ww_malloc'd at tjBufSize() and compressed
 * into with TJFLAG_NOREALLOC, so the caller frees it with free() and never
 * meets tjFree.
 */
#include "motion/motion.h"

#include <libavutil/frame.h>
#include <libavutil/pixdesc.h>
#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>

#include "base/base.h"

/* Halves a plane (w×h → ceil(w/2)×ceil(h/2)) into a new buffer. */
static uint8_t *halve(const uint8_t *src, int stride, int w, int h, int *ow, int *oh)
{
    int nw = (w + 1) / 2, nh = (h + 1) / 2;
    uint8_t *dst = ww_malloc((size_t)nw * (size_t)nh);
    for (int y = 0; y < nh; y++) {
        const uint8_t *r0 = src + (size_t)(2 * y) * stride;
        const uint8_t *r1 = 2 * y + 1 < h ? r0 + stride : r0;
        for (int x = 0; x < nw; x++) {
            int x1 = 2 * x + 1 < w ? 2 * x + 1 : 2 * x;
            dst[(size_t)y * nw + x] = (uint8_t)((r0[2 * x] + r0[x1] + r1[2 * x] + r1[x1] + 2) / 4);
        }
    }
    *ow = nw;
    *oh = nh;
    return dst;
}

int motion_snapshot_planes(const uint8_t *const planes[3], const int strides[3], int w, int h,
                           int csx, int csy, int quality, int max_width, uint8_t **out,
                           size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    if (!planes || !planes[0] || w < 1 || h < 1 || w > 16384 || h > 16384) return WW_EINVAL;
    bool gray = !planes[1] || !planes[2];
    int subsamp;
    if (gray) subsamp = TJSAMP_GRAY;
    else if (csx == 1 && csy == 1) subsamp = TJSAMP_420;
    else if (csx == 1 && csy == 0) subsamp = TJSAMP_422;
    else if (csx == 0 && csy == 0) subsamp = TJSAMP_444;
    else {
        gray = true; /* 4:1:1 and friends: luma only rather than fail */
        subsamp = TJSAMP_GRAY;
    }
    if (quality <= 0 || quality > 100) quality = 80;

    const unsigned char *p[3] = {planes[0], gray ? NULL : planes[1], gray ? NULL : planes[2]};
    int st[3] = {strides[0], gray ? 0 : strides[1], gray ? 0 : strides[2]};
    uint8_t *owned[3] = {NULL, NULL, NULL};
    int cw = w, ch = h;
    while (max_width > 0 && cw > max_width && cw >= 32 && ch >= 32) {
        int nw = 0, nh = 0;
        for (int i = 0; i < (gray ? 1 : 3); i++) {
            int pw = i ? -((-cw) >> csx) : cw, ph = i ? -((-ch) >> csy) : ch;
            uint8_t *n = halve(p[i], st[i], pw, ph, &nw, &nh);
            free(owned[i]);
            owned[i] = n;
            p[i] = n;
            st[i] = nw;
        }
        cw = (cw + 1) / 2;
        ch = (ch + 1) / 2;
    }

    int rc = 0;
    tjhandle tj = tjInitCompress();
    if (!tj) {
        rc = -ENOMEM;
        goto out;
    }
    unsigned long cap = tjBufSize(cw, ch, subsamp);
    unsigned char *buf = ww_malloc(cap);
    unsigned long len = cap;
    if (tjCompressFromYUVPlanes(tj, p, cw, st, ch, subsamp, &buf, &len, quality,
                                TJFLAG_NOREALLOC | TJFLAG_FASTDCT) != 0) {
        ww_warn("motion", "JPEG encode failed: %s", tjGetErrorStr2(tj));
        free(buf);
        rc = WW_EINVAL;
    } else {
        *out = buf;
        *out_len = len;
    }
    tjDestroy(tj);
out:
    for (int i = 0; i < 3; i++) free(owned[i]);
    return rc;
}

int motion_snapshot_jpeg(const AVFrame *f, int quality, int max_width, uint8_t **out,
                         size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    if (!f || !f->data[0]) return WW_EINVAL;
    const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get(f->format);
    if (!desc || desc->comp[0].depth != 8 || (desc->flags & (AV_PIX_FMT_FLAG_RGB |
                                                             AV_PIX_FMT_FLAG_HWACCEL)))
        return WW_EINVAL;
    /* Planar 8-bit YUV hands all three planes over; semi-planar (NV12) and
     * anything else gives a gray thumbnail of the luma. */
    bool planar = (desc->flags & AV_PIX_FMT_FLAG_PLANAR) && desc->nb_components >= 3 &&
                  desc->comp[1].plane == 1 && desc->comp[2].plane == 2 &&
                  desc->comp[1].step == 1;
    const uint8_t *planes[3] = {f->data[0], planar ? f->data[1] : NULL,
                                planar ? f->data[2] : NULL};
    int strides[3] = {f->linesize[0], f->linesize[1], f->linesize[2]};
    return motion_snapshot_planes(planes, strides, f->width, f->height, desc->log2_chroma_w,
                                  desc->log2_chroma_h, quality, max_width, out, out_len);
}
