/*
 * response.c — building responses: JSON, bytes, the error format, streams
 * produced by a callback, and files with Range support.
 *
 * A handler builds at most one response; building another replaces it (so
 * an error after a half-built answer wins).  Headers are collected on the
 * request and attached when the server queues the response, after the
 * handler returns — so a handler may add them in any order.
 *
 * Counted bodies (http_resp_count, for the download audit): the body is
 * served through the stream reader, which notes the furthest byte handed
 * to MHD; the stream's free callback — MHD calls it exactly once, when the
 * response is destroyed, whether it was sent, cut short or never queued —
 * reports it.  A request that never builds a counted body reports from its
 * on-done hook instead, so the hook runs exactly once either way.
 *
 * Every response gets X-Content-Type-Options: nosniff and Referrer-Policy:
 * no-referrer; JSON gets Cache-Control: no-store (it holds personal data)
 * unless the handler set its own.
 */
#include "http/internal.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <sys/socket.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int http_resp_header(struct http_req *req, const char *name, const char *value)
{
    if (!name || !value || strpbrk(name, "\r\n:") || strpbrk(value, "\r\n")) return WW_EINVAL;
    struct http_hdr *h = http_req_alloc(req, sizeof *h);
    h->name = http_req_strdup(req, name);
    h->value = http_req_strdup(req, value);
    struct http_hdr **pp = &req->hdrs; /* keep insertion order */
    while (*pp) pp = &(*pp)->next;
    *pp = h;
    return 0;
}

int http_resp_filename(struct http_req *req, bool attachment, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *name = ww_vasprintf(fmt, ap);
    va_end(ap);
    int rc = http_resp_header(req, "Content-Disposition",
                              http_req_printf(req, "%s; filename=\"%s\"", attachment ? "attachment" : "inline", name));
    free(name);
    return rc;
}

static bool has_header(const struct http_req *req, const char *name)
{
    for (const struct http_hdr *h = req->hdrs; h; h = h->next)
        if (!strcasecmp(h->name, name)) return true;
    return false;
}

/* The end of every http_respond_*: Content-Type (when given), then one more
 * header (when given), then the response becomes the request's (replacing
 * one made before).  Returns 0. */
static int answer(struct http_req *req, struct MHD_Response *resp, unsigned status,
                  const char *content_type, const char *header, const char *value)
{
    if (content_type) MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    if (header) MHD_add_response_header(resp, header, value);
    if (req->resp) MHD_destroy_response(req->resp);
    req->resp = resp;
    req->status = status;
    return 0;
}

/* A counted copy of a buffer (http_resp_count). */
struct membody { char *data; size_t len; };

static ssize_t mem_read(void *ctx, uint64_t pos, char *buf, size_t max)
{
    struct membody *m = ctx;
    if (pos >= m->len) return HTTP_STREAM_END;
    size_t n = m->len - (size_t)pos < max ? m->len - (size_t)pos : max;
    memcpy(buf, m->data + pos, n);
    return (ssize_t)n;
}

static void mem_free(void *ctx)
{
    struct membody *m = ctx;
    free(m->data);
    free(m);
}

int http_respond_data(struct http_req *req, unsigned status, const char *content_type,
                      const void *data, size_t len)
{
    if (req->count) {
        struct membody *m = ww_calloc(1, sizeof *m);
        m->data = ww_malloc(len ? len : 1);
        if (len) memcpy(m->data, data, len);
        m->len = len;
        return http_respond_stream(req, status, content_type, (int64_t)len, mem_read, m, mem_free);
    }
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)(len ? data : ""), MHD_RESPMEM_MUST_COPY);
    if (!r) return -ENOMEM;
    return answer(req, r, status, content_type, NULL, NULL);
}

int http_respond_json(struct http_req *req, unsigned status, json_t *body)
{
    if (!body) return -ENOMEM;
    char *s = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(body);
    if (!s) return -ENOMEM;
    size_t n = strlen(s);
    struct MHD_Response *r = MHD_create_response_from_buffer(n, s, MHD_RESPMEM_MUST_FREE);
    if (!r) { free(s); return -ENOMEM; }
    return answer(req, r, status, "application/json; charset=utf-8", NULL, NULL);
}

static const char *default_message(unsigned status)
{
    switch (status) {
    case 400: return "the request is malformed";
    case 401: return "sign in first";
    case 403: return "you may not do this";
    case 404: return "no such resource";
    case 405: return "method not allowed";
    case 409: return "conflict with the current state";
    case 413: return "the request body is too large";
    case 414: return "the request target is too long";
    case 416: return "the requested range is outside the file";
    case 429: return "too many attempts; wait and try again";
    case 503: return "the service is not available right now";
    default: return "internal error (see the server log)";
    }
}

int http_error(struct http_req *req, unsigned status, const char *code, const char *fmt, ...)
{
    char *msg = NULL;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0) msg = NULL;
        va_end(ap);
    }
    json_t *o = json_pack("{s:{s:s,s:s}}", "error", "code", code ? code : "error", "message",
                          msg ? msg : default_message(status));
    free(msg);
    json_t *e = json_object_get(o, "error");
    if (e && req->err_reason) json_object_set_new(e, "reason", json_string(req->err_reason));
    if (e && req->err_field) json_object_set_new(e, "field", json_string(req->err_field));
    return http_respond_json(req, status, o);
}

/* The message of the error answer to come, kept in the request arena. */
__attribute__((format(printf, 2, 0)))
static void set_err_msg(struct http_req *req, const char *fmt, va_list ap)
{
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) >= 0) {
        req->err_msg = http_req_strdup(req, msg);
        free(msg);
    }
}

int http_fail(struct http_req *req, int err, const char *fmt, ...)
{
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        set_err_msg(req, fmt, ap);
        va_end(ap);
    }
    return err;
}

void http_req_set_reason(struct http_req *req, const char *reason, const char *field)
{
    req->err_reason = reason;
    req->err_field = field;
}

int http_fail_field(struct http_req *req, int err, const char *reason, const char *field,
                    const char *fmt, ...)
{
    http_req_set_reason(req, reason, field);
    va_list ap;
    va_start(ap, fmt);
    set_err_msg(req, fmt, ap);
    va_end(ap);
    return err;
}

int http_error_from_code(struct http_req *req, int err)
{
    unsigned status;
    const char *code;
    switch (err) {
    case WW_EINVAL: status = 400; code = "bad_request"; break;
    case WW_EAUTH: status = 401; code = "unauthorized"; break;
    case WW_EPERM: status = 403; code = "forbidden"; break;
    case WW_ENOTFOUND: case -ENOENT: status = 404; code = "not_found"; break;
    case WW_ECONFLICT: status = 409; code = "conflict"; break;
    case -E2BIG: status = 413; code = "too_large"; break;
    case -ERANGE: status = 416; code = "range_not_satisfiable"; break;
    default: status = 500; code = "internal"; break;
    }
    if (status == 500)
        ww_error("http", "%s %s: %s%s%s", req->method ? req->method : "?",
                 req->path ? req->path : "?", ww_strerror(err), req->err_msg ? ": " : "",
                 req->err_msg ? req->err_msg : "");
    /* 500s never echo internal detail to the client. */
    const char *msg = status == 500 ? NULL : req->err_msg;
    return msg ? http_error(req, status, code, "%s", msg) : http_error(req, status, code, NULL);
}

int http_queue(struct http_req *req)
{
    req->queued = true;
    if (!req->resp) http_error(req, 500, "internal", NULL);
    if (!req->resp) return -ENOMEM;
    struct MHD_Response *r = req->resp;
    for (const struct http_hdr *h = req->hdrs; h; h = h->next)
        MHD_add_response_header(r, h->name, h->value);
    if (!has_header(req, "X-Content-Type-Options"))
        MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (!has_header(req, "Referrer-Policy"))
        MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    const char *ct = MHD_get_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!has_header(req, MHD_HTTP_HEADER_CACHE_CONTROL) && ct && ww_str_starts(ct, "application/json"))
        MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result ok = MHD_queue_response(req->conn, req->status, r);
    MHD_destroy_response(r);
    req->resp = NULL;
    if (ok != MHD_YES) {
        ww_warn("http", "%s %s: could not queue the response", req->method ? req->method : "?",
                req->path ? req->path : "?");
        return -EIO;
    }
    return 0;
}

/* ---- streams ------------------------------------------------------------- */

#define STREAM_SNDBUF (128 * 1024)

struct stream {
    struct http_server *srv;
    int fd;                        /* the client's socket, to notice hang-ups */
    http_stream_read_fn read;
    void *ctx;
    void (*free_ctx)(void *);
    /* http_resp_count: told once, from stream_free, what was handed over */
    http_sent_fn sent_fn;
    void *sent_arg;
    struct http_sent sent;         /* bytes: the furthest end of a block read */
    bool ended;                    /* the reader said HTTP_STREAM_END */
};

static bool client_gone(int fd)
{
    if (fd < 0) return false;
    struct pollfd p = {.fd = fd, .events = POLLRDHUP};
    return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL));
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct stream *s = cls;
    for (;;) {
        if (s->srv->stopping) return MHD_CONTENT_READER_END_WITH_ERROR;
        int64_t t0 = ww_mono_us();
        ssize_t r = s->read(s->ctx, pos, buf, max);
        if (r > 0 && (size_t)r > max) return MHD_CONTENT_READER_END_WITH_ERROR;
        if (r > 0) {
            /* MHD asks for pos only once the bytes before it were written
             * to the socket; this block is handed over as of now. */
            if (pos + (uint64_t)r > s->sent.bytes) s->sent.bytes = pos + (uint64_t)r;
            return r;
        }
        if (r == HTTP_STREAM_END) {
            s->ended = true;
            return MHD_CONTENT_READER_END_OF_STREAM;
        }
        if (r < 0) return MHD_CONTENT_READER_END_WITH_ERROR;
        /* Nothing yet.  MHD would busy-loop on a 0 in thread-per-connection
         * mode, so we wait here; if the reader did not wait itself, we do. */
        if (client_gone(s->fd)) return MHD_CONTENT_READER_END_WITH_ERROR;
        if (ww_mono_us() - t0 < 5000) {
            struct timespec ts = {0, 50 * 1000000};
            nanosleep(&ts, NULL);
        }
    }
}

/* Calls a counted response's hook with a pooled catalog. */
static void sent_notify(struct http_server *srv, http_sent_fn fn, void *arg, const struct http_sent *sent)
{
    catalog_t *cat = http_pool_get(&srv->pool);
    fn(arg, cat, sent);
    if (cat) http_pool_put(&srv->pool, cat);
}

static void stream_free(void *cls)
{
    struct stream *s = cls;
    if (s->free_ctx) s->free_ctx(s->ctx);
    if (s->sent_fn) {
        s->sent.complete = s->ended || s->sent.bytes == s->sent.length;
        sent_notify(s->srv, s->sent_fn, s->sent_arg, &s->sent);
    }
    free(s);
}

/* The request's http_resp_count hook, if any, moves to stream s (which
 * then reports exactly once, from stream_free). */
static void take_count(struct http_req *req, struct stream *s, unsigned status, uint64_t offset,
                       uint64_t length)
{
    struct http_count *c = req->count;
    if (!c || c->taken) return;
    c->taken = true;
    req->count = NULL;
    s->sent_fn = c->fn;
    s->sent_arg = c->arg;
    s->sent = (struct http_sent){.status = status, .offset = offset, .length = length};
}

/* The request completed without a counted body (an error answer, or a
 * client gone before the handler built one): report nothing sent. */
static void count_fallback(void *arg)
{
    struct http_count *c = arg;
    if (c->taken) return;
    c->taken = true;
    struct http_sent sent = {.status = c->req->status};
    sent_notify(c->srv, c->fn, c->arg, &sent);
}

void http_resp_count(struct http_req *req, http_sent_fn done, void *arg)
{
    assert(done);
    if (req->count) count_fallback(req->count); /* a second call: the first reports now */
    struct http_count *c = http_req_alloc(req, sizeof *c);
    *c = (struct http_count){.srv = req->srv, .fn = done, .arg = arg, .req = req};
    req->count = c;
    http_req_on_done(req, count_fallback, c);
}

/* count_offset: where the body starts in the file it is part of (for
 * http_sent.offset of a counted Range answer). */
static int respond_stream(struct http_req *req, unsigned status, const char *content_type, int64_t size,
                          http_stream_read_fn read, void *ctx, void (*free_ctx)(void *), uint64_t count_offset)
{
    struct stream *s = ww_calloc(1, sizeof *s);
    s->srv = req->srv;
    s->read = read;
    s->ctx = ctx;
    s->free_ctx = free_ctx;
    take_count(req, s, status, count_offset, size < 0 ? 0 : (uint64_t)size);
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    s->fd = ci ? ci->connect_fd : -1;
    /* A fixed, small send buffer (the kernel doubles it): without it TCP
     * autotuning lets a client that reads slowly (an MSE player pausing
     * while it is 20 s ahead) sit behind megabytes already queued, so a
     * stream ended by the server — consent withdrawn — would keep playing
     * for many seconds, and live latency grows.  128 KiB (256 in effect) is ~0.5 s of
     * 1080p at 4 Mbit/s. */
    if (s->fd >= 0) {
        int sz = STREAM_SNDBUF;
        (void)setsockopt(s->fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
    }
    struct MHD_Response *r = MHD_create_response_from_callback(
        size < 0 ? MHD_SIZE_UNKNOWN : (uint64_t)size, 64 * 1024, stream_read, s, stream_free);
    if (!r) {
        stream_free(s);
        return -ENOMEM;
    }
    return answer(req, r, status, content_type, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
}

int http_respond_stream(struct http_req *req, unsigned status, const char *content_type,
                        int64_t size, http_stream_read_fn read, void *ctx, void (*free_ctx)(void *))
{
    return respond_stream(req, status, content_type, size, read, ctx, free_ctx, 0);
}

/* ---- files --------------------------------------------------------------- */

/* A counted file part (http_resp_count): read with pread through a stream,
 * since MHD's own fd responses use sendfile and say nothing of progress. */
struct fdbody { int fd; uint64_t off, len; };

static ssize_t fd_read(void *ctx, uint64_t pos, char *buf, size_t max)
{
    struct fdbody *f = ctx;
    if (pos >= f->len) return HTTP_STREAM_END;
    size_t n = f->len - pos < max ? (size_t)(f->len - pos) : max;
    ssize_t r;
    do r = pread(f->fd, buf, n, (off_t)(f->off + pos));
    while (r < 0 && errno == EINTR);
    return r > 0 ? r : HTTP_STREAM_ERROR; /* 0: the file shrank under us */
}

static void fd_free(void *ctx)
{
    struct fdbody *f = ctx;
    close(f->fd);
    free(f);
}

static int respond_fd_counted(struct http_req *req, int fd, uint64_t off, uint64_t len, unsigned status,
                              const char *content_type)
{
    struct fdbody *f = ww_calloc(1, sizeof *f);
    *f = (struct fdbody){.fd = fd, .off = off, .len = len};
    int rc = respond_stream(req, status, content_type, (int64_t)len, fd_read, f, fd_free, off);
    if (!rc) MHD_add_response_header(req->resp, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
    return rc;
}

int http_respond_fd(struct http_req *req, int fd, const char *content_type)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = -errno;
        close(fd);
        return e;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return WW_ENOTFOUND;
    }
    uint64_t size = (uint64_t)st.st_size, off = 0, len = size;
    unsigned status = 200;
    const char *range = http_req_header(req, "Range");
    int rr = http_range_parse(range, size, &off, &len);
    char cr[96];
    if (rr == -ERANGE) {
        close(fd);
        snprintf(cr, sizeof cr, "bytes */%" PRIu64, size);
        http_resp_header(req, "Content-Range", cr);
        return http_error(req, 416, "range_not_satisfiable",
                          "the range '%.60s' is outside the file (%" PRIu64 " bytes)", range, size);
    }
    if (rr == 1) {
        status = 206;
        snprintf(cr, sizeof cr, "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, off, off + len - 1, size);
        http_resp_header(req, "Content-Range", cr);
    } else {
        off = 0;
        len = size;
    }
    if (req->count) return respond_fd_counted(req, fd, off, len, status, content_type);
    struct MHD_Response *r = MHD_create_response_from_fd_at_offset64(len, fd, off);
    if (!r) {
        close(fd);
        return -ENOMEM;
    }
    return answer(req, r, status, content_type, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
}

int http_respond_file(struct http_req *req, const char *path, const char *content_type)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return errno == ENOENT || errno == ENOTDIR || errno == ELOOP ? WW_ENOTFOUND : -errno;
    return http_respond_fd(req, fd, content_type ? content_type : http_mime_type(path));
}

const char *http_mime_type(const char *path)
{
    static const struct { const char *ext, *type; } types[] = {
        {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
        {".json", "application/json; charset=utf-8"}, {".map", "application/json"},
        {".svg", "image/svg+xml"}, {".png", "image/png"}, {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"}, {".gif", "image/gif"}, {".ico", "image/x-icon"},
        {".webp", "image/webp"}, {".woff", "font/woff"}, {".woff2", "font/woff2"},
        {".ttf", "font/ttf"}, {".txt", "text/plain; charset=utf-8"},
        {".md", "text/plain; charset=utf-8"}, {".mp4", "video/mp4"}, {".m4s", "video/iso.segment"},
        {".pdf", "application/pdf"}, {".csv", "text/csv; charset=utf-8"},
        {".wasm", "application/wasm"}, {".webmanifest", "application/manifest+json"},
    };
    const char *dot = path ? strrchr(path, '.') : NULL;
    const char *slash = path ? strrchr(path, '/') : NULL;
    if (dot && (!slash || dot > slash))
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (!strcasecmp(dot, types[i].ext)) return types[i].type;
    return "application/octet-stream";
}
