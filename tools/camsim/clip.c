/* clip: load an Annex-B clip and split it into access units.
 *
 * Why split here instead of using h264parse/h265parse in the pipeline: camsim
 * serves up to 64 streams from one process and must stay cheap, so all parsing
 * happens once at startup and a pipeline only wraps ready-made byte ranges.
 *
 * Access-unit boundaries follow H.264 7.4.1.2.3 and H.265 7.4.2.4.4: after a
 * picture's slice data has been seen, a new unit starts at an access unit
 * delimiter, parameter set, prefix SEI (or the other "before the first slice"
 * NAL types), or at a slice whose first-slice bit is set (first_mb_in_slice
 * == 0 is ue(v) "1", first_slice_segment_in_pic_flag is a plain bit).  The
 * leading zero byte of a 4-byte start code belongs to the unit it starts. */
#include "clip.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Clips from gen-media are ~15 MB; anything far larger is not ours. */
#define CLIP_MAX_BYTES (512u << 20)
#define CLIP_MAX_AUS 100000u

typedef struct {
    bool vcl;       /* slice data of a picture */
    bool first;     /* VCL: first slice of its picture */
    bool key;       /* VCL: IDR / IRAP */
    bool starts_au; /* non-VCL: only ever at the start of an access unit */
    bool ps;        /* parameter set: VPS, SPS or PPS */
} nal_info;

/* Position of the next 00 00 01 at or after I, or LEN if none.  When the
 * third byte is above 1, none of the three positions can start a code, which
 * lets the scan stride three bytes through slice data. */
static size_t next_start_code(const uint8_t *b, size_t len, size_t i)
{
    while (i + 3 <= len) {
        if (b[i + 2] > 1)
            i += 3;
        else if (b[i] == 0 && b[i + 1] == 0 && b[i + 2] == 1)
            return i;
        else
            i++;
    }
    return len;
}

static nal_info classify_h264(const uint8_t *p, size_t n)
{
    nal_info ni = {0};
    unsigned type = p[0] & 0x1f;

    if (type >= 1 && type <= 5) {
        ni.vcl = true;
        ni.first = n > 1 && (p[1] & 0x80);
        ni.key = type == 5;
    } else {
        /* SEI, SPS, PPS, AUD, and 14..18 (prefix, subset SPS, reserved) */
        ni.starts_au = (type >= 6 && type <= 9) || (type >= 14 && type <= 18);
        ni.ps = type == 7 || type == 8;
    }
    return ni;
}

static nal_info classify_h265(const uint8_t *p, size_t n)
{
    nal_info ni = {0};
    unsigned type = (p[0] >> 1) & 0x3f;

    if (type <= 31) {
        ni.vcl = true;
        ni.first = n > 2 && (p[2] & 0x80);
        ni.key = type >= 16 && type <= 21;
    } else {
        /* VPS, SPS, PPS, AUD, prefix SEI, 41..44 and 48..55 (reserved and
         * unspecified); suffix SEI (40) and EOS/EOB stay with their unit. */
        ni.starts_au = (type >= 32 && type <= 35) || type == 39 ||
                       (type >= 41 && type <= 44) || (type >= 48 && type <= 55);
        ni.ps = type >= 32 && type <= 34;
    }
    return ni;
}

static int read_whole(const char *path, uint8_t **out, size_t *len, char *err,
                      size_t errlen)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    uint8_t *buf = NULL;
    int rc = 0;

    if (!f) {
        rc = -errno;
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return rc;
    }
    if (fstat(fileno(f), &st) != 0) {
        rc = -errno;
        snprintf(err, errlen, "cannot stat %s: %s", path, strerror(errno));
        goto out;
    }
    if (st.st_size <= 0 || (uint64_t)st.st_size > CLIP_MAX_BYTES) {
        rc = st.st_size <= 0 ? -EINVAL : -EFBIG;
        snprintf(err, errlen, "%s: size %lld outside 1..%u bytes", path,
                 (long long)st.st_size, CLIP_MAX_BYTES);
        goto out;
    }
    buf = malloc((size_t)st.st_size);
    if (!buf) {
        rc = -ENOMEM;
        snprintf(err, errlen, "%s: out of memory", path);
        goto out;
    }
    if (fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
        rc = -EIO;
        snprintf(err, errlen, "%s: short read", path);
        free(buf);
        buf = NULL;
        goto out;
    }
    *out = buf;
    *len = (size_t)st.st_size;
out:
    fclose(f);
    return rc;
}

static int push_au(clip *c, size_t *cap, size_t off, size_t end, bool key,
                   size_t ps_len)
{
    if (c->n_aus == *cap) {
        size_t ncap = *cap ? *cap * 2 : 1024;
        clip_au *n;

        if (ncap > CLIP_MAX_AUS)
            return -EFBIG;
        n = realloc(c->aus, ncap * sizeof(*n));
        if (!n)
            return -ENOMEM;
        c->aus = n;
        *cap = ncap;
    }
    c->aus[c->n_aus++] = (clip_au){
        .off = off, .len = end - off, .ps_len = key ? ps_len : 0, .key = key};
    return 0;
}

/* Splits c->bytes into c->aus.  A unit is closed when the next one starts,
 * so only NALs seen after the first slice can end it.  ps_len measures the
 * run of parameter sets a unit opens with (none if it opens otherwise). */
static int split(clip *c)
{
    const uint8_t *b = c->bytes;
    size_t len = c->n_bytes, cap = 0, au_start = 0;
    size_t hdr_len = c->codec == CLIP_H264 ? 1 : 2;
    size_t sc = next_start_code(b, len, 0);
    size_t ps_len = 0;
    bool have_vcl = false, key = false, in_ps = true;
    int rc;

    for (size_t i = 0; i < sc; i++)
        if (b[i] != 0)
            return -EINVAL; /* garbage before the first start code */
    au_start = sc > 0 ? sc - 1 : 0;

    while (sc < len) {
        size_t nal = sc + 3;
        size_t next = next_start_code(b, len, nal);
        size_t begin = (sc > 0 && b[sc - 1] == 0) ? sc - 1 : sc;
        nal_info ni;

        if (next - nal < hdr_len)
            return -EINVAL; /* truncated NAL header */
        ni = c->codec == CLIP_H264 ? classify_h264(b + nal, next - nal)
                                   : classify_h265(b + nal, next - nal);
        if (have_vcl && (ni.starts_au || (ni.vcl && ni.first))) {
            if ((rc = push_au(c, &cap, au_start, begin, key, ps_len)) != 0)
                return rc;
            au_start = begin;
            have_vcl = key = false;
            in_ps = true;
            ps_len = 0;
        }
        if (in_ps && !ni.ps) {
            in_ps = false;
            ps_len = begin - au_start;
        }
        if (ni.vcl) {
            have_vcl = true;
            key = key || ni.key;
        }
        sc = next;
    }
    if (have_vcl)
        return push_au(c, &cap, au_start, len, key, ps_len);
    return 0;
}

/* Loopability: keyframe first, keyframes exactly every gop pictures, whole
 * GOPs.  Anything else would show a broken picture at the loop point.  And
 * every keyframe must open with its parameter sets: the payloader learns them
 * from the first unit a pipeline sends, which may be any keyframe. */
static int check_loopable(clip *c, const char *path, char *err, size_t errlen)
{
    size_t gop = c->n_aus;

    if (c->n_aus == 0 || !c->aus[0].key) {
        snprintf(err, errlen, "%s: %s", path,
                 c->n_aus ? "does not start with a keyframe" : "no pictures");
        return -EINVAL;
    }
    for (size_t i = 1; i < c->n_aus; i++)
        if (c->aus[i].key) {
            gop = i;
            break;
        }
    for (size_t i = 0; i < c->n_aus; i++) {
        if (c->aus[i].key && c->aus[i].ps_len == 0) {
            snprintf(err, errlen,
                     "%s: keyframe %zu does not start with parameter sets; "
                     "regenerate with scripts/gen-media", path, i);
            return -EINVAL;
        }
        if (c->aus[i].key != (i % gop == 0)) {
            snprintf(err, errlen,
                     "%s: keyframes not every %zu pictures (picture %zu); "
                     "regenerate with scripts/gen-media",
                     path, gop, i);
            return -EINVAL;
        }
    }
    if (c->n_aus % gop != 0) {
        snprintf(err, errlen, "%s: %zu pictures is not a whole number of "
                 "%zu-picture GOPs", path, c->n_aus, gop);
        return -EINVAL;
    }
    c->gop = gop;
    return 0;
}

int clip_load(clip *c, const char *path, clip_codec codec, unsigned fps,
              char *err, size_t errlen)
{
    int rc;

    memset(c, 0, sizeof(*c));
    c->codec = codec;
    c->fps = fps;
    c->frame_ns = 1000000000ull / fps;
    if ((rc = read_whole(path, &c->bytes, &c->n_bytes, err, errlen)) != 0)
        return rc;
    if ((rc = split(c)) != 0) {
        snprintf(err, errlen, "%s: not an Annex-B %s stream (%s)", path,
                 codec == CLIP_H264 ? "H.264" : "H.265",
                 rc == -EINVAL ? "bad start codes" : strerror(-rc));
        goto fail;
    }
    if ((rc = check_loopable(c, path, err, errlen)) != 0)
        goto fail;
    return 0;
fail:
    clip_free(c);
    return rc;
}

/* Every GOP holds exactly its own presentation indices (closed GOPs): then
 * unit n of the looped stream is shown at loop * n_aus + pts[n], and the
 * loop point shows neither a jump nor a repeat. */
static int check_pts(const clip *c, const uint32_t *pts, const char *path,
                     char *err, size_t errlen)
{
    bool *seen = calloc(c->n_aus, sizeof(*seen));
    int rc = 0;

    if (!seen)
        return -ENOMEM;
    for (size_t i = 0; i < c->n_aus && rc == 0; i++) {
        size_t g0 = i / c->gop * c->gop;

        if (pts[i] < g0 || pts[i] >= g0 + c->gop || seen[pts[i]]) {
            snprintf(err, errlen, "%s: unit %zu has presentation index %u, "
                     "not one of its GOP's (%zu..%zu) left", path, i, pts[i],
                     g0, g0 + c->gop - 1);
            rc = -EINVAL;
        } else {
            seen[pts[i]] = true;
        }
    }
    free(seen);
    return rc;
}

int clip_load_pts(clip *c, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    uint32_t *pts;
    size_t n = 0, delay = 0;
    unsigned long v;
    int rc;

    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -errno;
    }
    pts = calloc(c->n_aus, sizeof(*pts));
    if (!pts) {
        fclose(f);
        return -ENOMEM;
    }
    while (n < c->n_aus && fscanf(f, "%lu", &v) == 1 && v < c->n_aus)
        pts[n++] = (uint32_t)v;
    rc = n == c->n_aus && fscanf(f, "%lu", &v) == EOF ? 0 : -EINVAL;
    fclose(f);
    if (rc)
        snprintf(err, errlen, "%s: expected %zu presentation indices below "
                 "%zu, one a line", path, c->n_aus, c->n_aus);
    else
        rc = check_pts(c, pts, path, err, errlen);
    if (rc) {
        free(pts);
        return rc;
    }
    for (size_t i = 0; i < n; i++)
        if (i > pts[i] && i - pts[i] > delay)
            delay = i - pts[i];
    c->pts = pts;
    c->delay = delay;
    return 0;
}

void clip_free(clip *c)
{
    if (!c)
        return;
    free(c->pts);
    free(c->aus);
    free(c->bytes);
    memset(c, 0, sizeof(*c));
}
