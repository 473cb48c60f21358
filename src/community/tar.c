/*
 * tar.c — a POSIX ustar archive produced by position.
 *
 * Why tar for evidence bundles: one file to hand over (USB stick, disc,
 * upload) that keeps each clip, its manifest and the bundle manifest side
 * by side under their names, that every system opens without our software,
 * and whose members can be checked with `sha256sum -c SHA256SUMS` after
 * extraction.  Uncompressed: MP4 does not compress, and a plain tar can be
 * produced by position — the HTTP server asks for bytes at an offset and we
 * compute which header or file slice lies there, so nothing is copied to a
 * temporary archive and the Content-Length is known up front.
 *
 * Layout: for each member a 512-byte header, then its bytes padded with
 * zeros to a multiple of 512; then two zero blocks.  Sizes are taken when a
 * member is added; the files are evidence (never rewritten), so a change
 * meanwhile is an error (the read returns -EIO rather than a wrong archive).
 */
#include "community/community.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct member {
    char *name, *path;
    int64_t size, mtime, offset;   /* offset of the header in the archive */
    uint8_t header[512];
    int fd;
};

struct community_tar {
    struct member *m;
    size_t n;
    int64_t size;                  /* without the two end blocks */
};

int community_tar_new(struct community_tar **out)
{
    *out = ww_calloc(1, sizeof **out);
    return 0;
}

void community_tar_free(struct community_tar *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->n; i++) {
        if (t->m[i].fd >= 0) close(t->m[i].fd);
        free(t->m[i].name);
        free(t->m[i].path);
    }
    free(t->m);
    free(t);
}

static void octal(uint8_t *dst, size_t width, int64_t v)
{
    /* width-1 digits, NUL-terminated, zero-padded */
    char buf[32];
    snprintf(buf, sizeof buf, "%0*llo", (int)(width - 1), (unsigned long long)v);
    memcpy(dst, buf, width - 1);
    dst[width - 1] = 0;
}

static void make_header(struct member *m)
{
    uint8_t *h = m->header;
    memset(h, 0, 512);
    memcpy(h, m->name, strlen(m->name));          /* name[100] */
    octal(h + 100, 8, 0644);                      /* mode */
    octal(h + 108, 8, 0);                         /* uid */
    octal(h + 116, 8, 0);                         /* gid */
    octal(h + 124, 12, m->size);                  /* size */
    octal(h + 136, 12, m->mtime);                 /* mtime */
    memset(h + 148, ' ', 8);                      /* checksum, spaces while summing */
    h[156] = '0';                                 /* typeflag: regular file */
    memcpy(h + 257, "ustar", 6);                  /* magic "ustar\0" */
    memcpy(h + 263, "00", 2);                     /* version */
    memcpy(h + 265, "wardwatch", 9);              /* uname */
    memcpy(h + 297, "wardwatch", 9);              /* gname */
    unsigned sum = 0;
    for (int i = 0; i < 512; i++) sum += h[i];
    char cs[8];
    snprintf(cs, sizeof cs, "%06o", sum);
    memcpy(h + 148, cs, 6);
    h[154] = 0;
    h[155] = ' ';
}

static int64_t padded(int64_t n) { return (n + 511) / 512 * 512; }

int community_tar_add(struct community_tar *t, const char *name, const char *path, int64_t mtime_s)
{
    size_t nl = strlen(name);
    if (nl == 0 || nl > 99) return WW_EINVAL;
    struct stat sb;
    if (stat(path, &sb) != 0) return -errno;
    if (!S_ISREG(sb.st_mode)) return WW_EINVAL;
    if (sb.st_size > 077777777777LL) return -EFBIG;   /* 8 GiB: the 11-digit octal field */
    t->m = ww_realloc(t->m, (t->n + 1) * sizeof *t->m);
    struct member *m = &t->m[t->n++];
    memset(m, 0, sizeof *m);
    m->name = ww_strdup(name);
    m->path = ww_strdup(path);
    m->size = sb.st_size;
    m->mtime = mtime_s > 0 ? mtime_s : sb.st_mtime;
    m->offset = t->size;
    m->fd = -1;
    make_header(m);
    t->size += 512 + padded(m->size);
    return 0;
}

int64_t community_tar_size(const struct community_tar *t) { return t->size + 1024; }

ssize_t community_tar_read(struct community_tar *t, uint64_t pos, char *buf, size_t max)
{
    int64_t total = community_tar_size(t);
    if ((int64_t)pos >= total || max == 0) return 0;
    size_t done = 0;
    while (done < max && (int64_t)(pos + done) < total) {
        int64_t p = (int64_t)(pos + done);
        size_t want = max - done;
        if (p >= t->size) { /* the end blocks */
            size_t k = (size_t)(total - p) < want ? (size_t)(total - p) : want;
            memset(buf + done, 0, k);
            done += k;
            continue;
        }
        /* the member holding p (binary search on offsets) */
        size_t lo = 0, hi = t->n;
        while (hi - lo > 1) {
            size_t mid = (lo + hi) / 2;
            if (t->m[mid].offset <= p) lo = mid;
            else hi = mid;
        }
        struct member *m = &t->m[lo];
        int64_t rel = p - m->offset;
        if (rel < 512) {
            size_t k = (size_t)(512 - rel) < want ? (size_t)(512 - rel) : want;
            memcpy(buf + done, m->header + rel, k);
            done += k;
            continue;
        }
        int64_t fpos = rel - 512;
        if (fpos < m->size) {
            if (m->fd < 0) {
                m->fd = open(m->path, O_RDONLY | O_CLOEXEC);
                if (m->fd < 0) return -errno;
                struct stat sb;
                if (fstat(m->fd, &sb) != 0 || sb.st_size != m->size) return -EIO;
            }
            size_t k = (size_t)(m->size - fpos) < want ? (size_t)(m->size - fpos) : want;
            ssize_t r = pread(m->fd, buf + done, k, fpos);
            if (r < 0) return -errno;
            if (r == 0) return -EIO;   /* shrank under us */
            done += (size_t)r;
            if ((int64_t)(fpos + r) >= m->size) { close(m->fd); m->fd = -1; }
            continue;
        }
        /* padding up to the next 512 */
        int64_t end = m->offset + 512 + padded(m->size);
        size_t k = (size_t)(end - p) < want ? (size_t)(end - p) : want;
        memset(buf + done, 0, k);
        done += k;
    }
    return (ssize_t)done;
}
