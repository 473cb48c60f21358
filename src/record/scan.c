/*
 * scan.c — reads a segment file's box structure without libavformat.
 *
 * Used by recovery (to index the tail of a file whose rows lag behind, or a
 * file whose row never committed) and by check.  It trusts nothing: every
 * size is bounded by the file and by caps, and a box that runs past the end
 * of the file ends the scan — what came before is the playable part.
 *
 * A fragment counts only when its moof AND the mdat after it are complete;
 * good_bytes is the end of the last complete top-level box.
 */
#include "record/record.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_META_BOX (4 << 20) /* moov / moof / free we are willing to read */

static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]; }
static uint64_t be64(const uint8_t *p) { return (uint64_t)be32(p) << 32 | be32(p + 4); }

struct box { uint32_t type; uint64_t off, size, hdr; };

/* Reads a box header at off.  0, or 1 when the box is incomplete/invalid. */
static int read_box(int fd, uint64_t off, uint64_t file_size, struct box *b)
{
    uint8_t h[16];
    if (off + 8 > file_size || pread(fd, h, 8, (off_t)off) != 8) return 1;
    b->off = off;
    b->type = be32(h + 4);
    b->size = be32(h);
    b->hdr = 8;
    if (b->size == 1) {
        if (off + 16 > file_size || pread(fd, h + 8, 8, (off_t)off + 8) != 8) return 1;
        b->size = be64(h + 8);
        b->hdr = 16;
    } else if (b->size == 0) {
        return 1; /* "to end of file": only a writer cut short leaves this */
    }
    if (b->size < b->hdr || off + b->size > file_size) return 1;
    return 0;
}

#define TAG(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/* Finds a child box of type t inside [p, p+n); returns its payload. */
static const uint8_t *child(const uint8_t *p, size_t n, uint32_t t, size_t *len)
{
    size_t i = 0;
    while (i + 8 <= n) {
        uint32_t sz = be32(p + i), ty = be32(p + i + 4);
        if (sz < 8 || i + sz > n) return NULL;
        if (ty == t) { *len = sz - 8; return p + i + 8; }
        i += sz;
    }
    return NULL;
}

struct moov_info { int64_t timescale; uint32_t trex_duration, trex_flags; };

static void parse_moov(const uint8_t *p, size_t n, struct moov_info *mi)
{
    size_t tl, ml, dl, xl, rl;
    const uint8_t *trak = child(p, n, TAG('t', 'r', 'a', 'k'), &tl);
    const uint8_t *mdia = trak ? child(trak, tl, TAG('m', 'd', 'i', 'a'), &ml) : NULL;
    const uint8_t *mdhd = mdia ? child(mdia, ml, TAG('m', 'd', 'h', 'd'), &dl) : NULL;
    if (mdhd && dl >= 24) mi->timescale = be32(mdhd + (mdhd[0] == 1 ? 20 : 12));
    const uint8_t *mvex = child(p, n, TAG('m', 'v', 'e', 'x'), &xl);
    const uint8_t *trex = mvex ? child(mvex, xl, TAG('t', 'r', 'e', 'x'), &rl) : NULL;
    if (trex && rl >= 24) {
        mi->trex_duration = be32(trex + 12);
        mi->trex_flags = be32(trex + 20);
    }
}

struct frag_info { uint64_t base_time, duration; uint32_t samples; bool key; };

/* The moof's traf of track 1, the video (a segment with sound has its
 * audio as track 2, in a traf of its own); NULL if the fragment has none. */
static const uint8_t *video_traf(const uint8_t *p, size_t n, size_t *tl)
{
    size_t i = 0;
    while (i + 8 <= n) {
        uint32_t sz = be32(p + i), ty = be32(p + i + 4);
        if (sz < 8 || i + sz > n) return NULL;
        if (ty == TAG('t', 'r', 'a', 'f')) {
            size_t hl;
            const uint8_t *tfhd = child(p + i + 8, sz - 8, TAG('t', 'f', 'h', 'd'), &hl);
            if (tfhd && hl >= 8 && be32(tfhd + 4) == 1) { *tl = sz - 8; return p + i + 8; }
        }
        i += sz;
    }
    return NULL;
}

/* WW_ENOTFOUND: a fragment of audio only (the muxer's trailer may end a
 * segment with one): good bytes, no video fragment. */
static int parse_moof(const uint8_t *p, size_t n, const struct moov_info *mi, struct frag_info *fi)
{
    size_t tl, hl, dl, rl;
    if (!child(p, n, TAG('t', 'r', 'a', 'f'), &tl)) return WW_ECORRUPT;
    const uint8_t *traf = video_traf(p, n, &tl);
    if (!traf) return WW_ENOTFOUND;
    uint32_t def_dur = mi->trex_duration, def_flags = mi->trex_flags;
    const uint8_t *tfhd = child(traf, tl, TAG('t', 'f', 'h', 'd'), &hl);
    if (tfhd && hl >= 8) {
        uint32_t fl = be32(tfhd) & 0xffffff;
        size_t o = 8;
        if (fl & 0x01) o += 8;
        if (fl & 0x02) o += 4;
        if (fl & 0x08) { if (o + 4 <= hl) def_dur = be32(tfhd + o); o += 4; }
        if (fl & 0x10) o += 4;
        if (fl & 0x20) { if (o + 4 <= hl) def_flags = be32(tfhd + o); }
    }
    const uint8_t *tfdt = child(traf, tl, TAG('t', 'f', 'd', 't'), &dl);
    if (!tfdt || dl < 8) return WW_ECORRUPT;
    fi->base_time = tfdt[0] == 1 ? (dl >= 12 ? be64(tfdt + 4) : 0) : be32(tfdt + 4);
    fi->duration = 0;
    fi->samples = 0;
    fi->key = false;
    /* several truns may follow; sum them */
    size_t i = 0;
    bool first = true;
    while (i + 8 <= tl) {
        uint32_t sz = be32(traf + i), ty = be32(traf + i + 4);
        if (sz < 8 || i + sz > tl) return WW_ECORRUPT;
        if (ty == TAG('t', 'r', 'u', 'n')) {
            const uint8_t *r = traf + i + 8;
            rl = sz - 8;
            if (rl < 8) return WW_ECORRUPT;
            uint32_t fl = be32(r) & 0xffffff, count = be32(r + 4);
            size_t o = 8, per = 0;
            uint32_t first_flags = def_flags;
            if (fl & 0x001) o += 4;
            if (fl & 0x004) { if (o + 4 > rl) return WW_ECORRUPT; first_flags = be32(r + o); o += 4; }
            per += (fl & 0x100 ? 4 : 0) + (fl & 0x200 ? 4 : 0) + (fl & 0x400 ? 4 : 0) + (fl & 0x800 ? 4 : 0);
            if (count > 1000000 || o + (size_t)count * per > rl) return WW_ECORRUPT;
            for (uint32_t k = 0; k < count; k++) {
                const uint8_t *e = r + o + (size_t)k * per;
                fi->duration += (fl & 0x100) ? be32(e) : def_dur;
                if (first && k == 0) {
                    uint32_t f = (fl & 0x400) ? be32(e + (fl & 0x100 ? 4 : 0) + (fl & 0x200 ? 4 : 0)) : first_flags;
                    fi->key = !(f & 0x00010000); /* sample_is_non_sync_sample */
                }
            }
            fi->samples += count;
            first = false;
        }
        i += sz;
    }
    return 0;
}

static void parse_header(const uint8_t *p, size_t n, struct rec_scan *out)
{
    static const char magic[] = "wardwatch-seg ";
    if (n < sizeof magic || memcmp(p, magic, sizeof magic - 1)) return;
    json_error_t err;
    json_t *j = json_loadb((const char *)p + sizeof magic - 1, n - (sizeof magic - 1), 0, &err);
    if (!j) return;
    json_int_t start = 0, cam = 0, st = 0;
    const char *kind = NULL, *codec = NULL;
    if (json_unpack(j, "{s:I,s:I,s:I,s:s,s:s}", "start_us", &start, "camera", &cam, "stream", &st,
                    "kind", &kind, "codec", &codec) == 0) {
        out->start_us = start;
        out->camera_id = cam;
        out->stream_id = st;
        snprintf(out->kind, sizeof out->kind, "%s", kind);
        snprintf(out->codec, sizeof out->codec, "%s", codec);
        out->has_header = true;
    }
    const char *audio = NULL;
    if (out->has_header && json_unpack(j, "{s:s}", "audio", &audio) == 0)
        snprintf(out->audio, sizeof out->audio, "%s", audio);
    json_decref(j);
}

static uint8_t *read_payload(int fd, const struct box *b)
{
    uint64_t n = b->size - b->hdr;
    if (n > MAX_META_BOX) return NULL;
    uint8_t *p = ww_malloc((size_t)n + 1);
    if (pread(fd, p, (size_t)n, (off_t)(b->off + b->hdr)) != (ssize_t)n) { free(p); return NULL; }
    return p;
}

int rec_scan_file(const char *path, struct rec_scan *out)
{
    memset(out, 0, sizeof *out);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    struct stat st;
    if (fstat(fd, &st)) { int e = -errno; close(fd); return e; }
    uint64_t size = (uint64_t)st.st_size, off = 0;
    struct moov_info mi = {0};
    bool have_moov = false;
    int rc = 0;
    while (off < size) {
        struct box b;
        if (read_box(fd, off, size, &b)) break;
        if (b.type == TAG('m', 'o', 'o', 'v') || b.type == TAG('f', 'r', 'e', 'e') ||
            b.type == TAG('m', 'o', 'o', 'f')) {
            uint8_t *p = read_payload(fd, &b);
            if (!p) break;
            size_t n = (size_t)(b.size - b.hdr);
            if (b.type == TAG('m', 'o', 'o', 'v')) {
                parse_moov(p, n, &mi);
                have_moov = true;
            } else if (b.type == TAG('f', 'r', 'e', 'e')) {
                parse_header(p, n, out);
            } else {
                struct frag_info fi;
                struct box mdat;
                int mrc = have_moov && mi.timescale > 0 ? parse_moof(p, n, &mi, &fi) : WW_ECORRUPT;
                bool ok = (mrc == 0 || mrc == WW_ENOTFOUND) && read_box(fd, b.off + b.size, size, &mdat) == 0 &&
                          mdat.type == TAG('m', 'd', 'a', 't');
                free(p);
                if (!ok) break;
                if (mrc == WW_ENOTFOUND) { /* audio only: complete, not indexed */
                    off = mdat.off + mdat.size;
                    out->good_bytes = (int64_t)off;
                    continue;
                }
                int64_t t_us = (int64_t)(fi.base_time * 1000000 / (uint64_t)mi.timescale);
                struct rec_frag f = {b.off, (uint32_t)(t_us / 1000), fi.key ? REC_FRAG_KEY : 0};
                rec_frag_put(&out->index, &f);
                out->frames += fi.samples;
                out->duration_us = (int64_t)((fi.base_time + fi.duration) * 1000000 / (uint64_t)mi.timescale);
                off = mdat.off + mdat.size;
                out->good_bytes = (int64_t)off;
                continue;
            }
            free(p);
        }
        off = b.off + b.size;
        /* headers and trailers (ftyp, moov, free, mfra) are good bytes too */
        if (b.type != TAG('m', 'd', 'a', 't')) out->good_bytes = (int64_t)off;
    }
    out->timescale = mi.timescale;
    if (!have_moov) rc = WW_ECORRUPT;
    close(fd);
    return rc;
}

void rec_scan_clear(struct rec_scan *s)
{
    if (!s) return;
    ww_buf_free(&s->index);
}
