/*
 * util.c — errors, allocation, strings, growable buffers, small file helpers.
 */
#include "base/base.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

const char *ww_strerror(int err)
{
    switch (err) {
    case 0: return "success";
    case WW_EOF: return "end of stream";
    case WW_EINVAL: return "invalid input";
    case WW_ECORRUPT: return "stored data is corrupt";
    case WW_EDB: return "catalog error";
    case WW_EAV: return "media library error";
    case WW_ENOTFOUND: return "not found";
    case WW_EAUTH: return "authentication failed";
    case WW_EPERM: return "not allowed";
    case WW_ECONFLICT: return "conflict";
    case WW_ENEWER: return "made by a newer wardwatch";
    default: break;
    }
    if (err < 0 && err > -4096) return strerror(-err);
    return "unknown error";
}

static void oom(void)
{
    static const char msg[] = "wardwatch: out of memory\n";
    ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)w;
    abort();
}

void *ww_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) oom();
    return p;
}

void *ww_calloc(size_t n, size_t m)
{
    void *p = calloc(n ? n : 1, m ? m : 1);
    if (!p) oom();
    return p;
}

void *ww_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) oom();
    return q;
}

char *ww_strdup(const char *s)
{
    if (!s) return NULL;
    char *d = strdup(s);
    if (!d) oom();
    return d;
}

char *ww_vasprintf(const char *fmt, va_list ap)
{
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0) oom();
    return s;
}

char *ww_asprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = ww_vasprintf(fmt, ap);
    va_end(ap);
    return s;
}

bool ww_str_starts(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

int ww_parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    if (!s || !*s) return WW_EINVAL;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || end == s || v < lo || v > hi) return WW_EINVAL;
    *out = v;
    return 0;
}

int ww_parse_double(const char *s, double lo, double hi, double *out)
{
    if (!s || !*s) return WW_EINVAL;
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    if (errno || *end || end == s || !isfinite(v) || v < lo || v > hi) return WW_EINVAL;
    *out = v;
    return 0;
}

void ww_buf_append(struct ww_buf *b, const void *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) cap *= 2;
        b->data = ww_realloc(b->data, cap);
        b->cap = cap;
    }
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0; /* always NUL-terminated for text use */
}

void ww_buf_printf(struct ww_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = ww_vasprintf(fmt, ap);
    va_end(ap);
    ww_buf_append(b, s, strlen(s));
    free(s);
}

void ww_buf_free(struct ww_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *ww_url_mask(const char *url)
{
    if (!url) return NULL;
    const char *scheme = strstr(url, "://");
    const char *auth = scheme ? scheme + 3 : url;
    const char *slash = strchr(auth, '/');
    const char *at = NULL;
    for (const char *p = auth; *p && (!slash || p < slash); p++)
        if (*p == '@') at = p; /* last '@' before the path: passwords may hold '@' */
    if (!at) return ww_strdup(url);
    const char *colon = memchr(auth, ':', (size_t)(at - auth));
    if (!colon) return ww_strdup(url);
    return ww_asprintf("%.*s:***%s", (int)(colon - url), url, at);
}

int ww_mkdirs(const char *path, mode_t mode)
{
    char *p = ww_strdup(path);
    int rc = 0;
    for (char *s = p + 1; ; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            if (mkdir(p, mode) != 0 && errno != EEXIST) { rc = -errno; break; }
            *s = c;
            if (!c) break;
        }
    }
    free(p);
    return rc;
}

int ww_fsync_dir_of(const char *path)
{
    char *d = ww_strdup(path);
    char *slash = strrchr(d, '/');
    if (slash == d) slash[1] = 0;
    else if (slash) *slash = 0;
    else strcpy(d, ".");
    int fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(d);
    if (fd < 0) return -errno;
    int rc = fsync(fd) ? -errno : 0;
    close(fd);
    return rc;
}

int ww_read_file(const char *path, size_t max, char **out, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    struct ww_buf b = {0};
    char tmp[8192];
    int rc = 0;
    for (;;) {
        ssize_t n = read(fd, tmp, sizeof tmp);
        if (n < 0) { if (errno == EINTR) continue; rc = -errno; break; }
        if (n == 0) break;
        if (b.len + (size_t)n > max) { rc = -EFBIG; break; }
        ww_buf_append(&b, tmp, (size_t)n);
    }
    close(fd);
    if (rc) { ww_buf_free(&b); return rc; }
    if (!b.data) ww_buf_append(&b, "", 0);
    *out = (char *)b.data;
    if (len) *len = b.len;
    return 0;
}

int64_t ww_fs_total_bytes(const char *path)
{
    struct statvfs st;
    if (statvfs(path, &st) != 0) return -errno;
    return (int64_t)st.f_blocks * (int64_t)st.f_frsize;
}

int64_t ww_fs_free_bytes(const char *path)
{
    struct statvfs st;
    if (statvfs(path, &st) != 0) return -errno;
    return (int64_t)st.f_bavail * (int64_t)st.f_frsize;
}
