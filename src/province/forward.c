/*
 * province/forward.c — the hub's requests to a station for video (issue 15:
 * "video stays at the station"; docs/province.md "Hub → station requests").
 *
 * The hub looks the station's API URL up (given at `station join --url`),
 * signs the request with its Ed25519 key (http_hub_sign: the same canonical
 * string the station checks) and calls it with libcurl.  The body is pulled
 * through a bounded buffer: libcurl's write callback pauses the transfer
 * when FWD_BUF_CAP bytes wait, so an export of any size streams through in
 * constant memory at the pace of whoever reads it (the hub's HTTP client or
 * `hub fetch`'s file).
 *
 * Making something at a station (issue 15: an export, a place bundle) is
 * a POST to one of the two targets http_hub_post_target_ok accepts — the
 * hub refuses any other before it signs, the station again before any
 * handler; the JSON body is checked here (prov_forward_post_body) and its
 * SHA-256 is a line of the signed string (v2), so the station runs exactly
 * the request the hub checked.
 *
 * Timeouts: connecting FWD_CONNECT_MS, the station's status and headers
 * within FWD_HEADERS_MS (a snapshot waits for a keyframe; a POST within
 * FWD_POST_HEADERS_MS: the station answers an export once its file is
 * written and fsynced, a bundle once every camera's is), then the
 * transfer ends when less than 1 byte/s arrives for FWD_IDLE_S.  A live
 * stream has no total limit of its own: the station bounds it (consent end,
 * the playback window).
 *
 * Threads: a prov_fwd belongs to the thread that opened it.
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <sodium.h>

#include "base/base.h"
#include "http/http.h"
#include "province/province.h"

#define FWD_BUF_CAP (256 * 1024)
#define FWD_CONNECT_MS 5000L
#define FWD_HEADERS_MS 30000
#define FWD_POST_HEADERS_MS 180000
#define FWD_IDLE_S 30L

struct prov_fwd {
    CURLM *m;
    CURL *h;
    struct curl_slist *hdrs;
    long status;
    bool headers_done, done, paused;
    CURLcode result;
    char content_type[128], disposition[256], sha256[80], answer_sig[100];
    /* a live or playback answer's MSE codecs string and media time 0 (wall µs) */
    char codec[96], start_us[24];
    char nonce[33];       /* this request's, which the station's answer signature covers */
    unsigned char station_pk[32];
    unsigned char *buf;
    size_t len, off;
};

bool prov_station_url_ok(const char *url)
{
    size_t skip = !strncmp(url, "http://", 7) ? 7 : !strncmp(url, "https://", 8) ? 8 : 0;
    const char *h = url + skip;
    size_t n = strlen(h);
    return skip && n >= 1 && n <= 190 &&
           strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") == n;
}

/* "[1-9][0-9]{0,18}" */
static bool id_seg(const char *s, size_t n)
{
    if (n < 1 || n > 19 || s[0] < '1' || s[0] > '9') return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

bool prov_forward_path_ok(const char *path)
{
    /* Only what a province user looks at: pictures and recordings of one
     * camera, one export's files, one event's thumbnail, one bundle (what a
     * forwarded POST made: its listing, tar, manifest).  Anything else of
     * the station (users, settings, owners' details) is never forwarded. */
    static const struct { const char *head, *tail; } allowed[] = {
        {"cameras/", "/snapshot"}, {"cameras/", "/live"},     {"cameras/", "/timeline"},
        {"cameras/", "/playback"}, {"exports/", ""},          {"exports/", "/file"},
        {"exports/", "/manifest"}, {"exports/", "/signature"}, {"events/", "/thumbnail"}, {"bundles/", ""},
        {"bundles/", "/bundle.tar"}, {"bundles/", "/files/bundle.json"}, {"bundles/", "/files/SHA256SUMS"},
    };
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++) {
        size_t hl = strlen(allowed[i].head), tl = strlen(allowed[i].tail), n = strlen(path);
        if (n <= hl + tl || strncmp(path, allowed[i].head, hl) || strcmp(path + n - tl, allowed[i].tail)) continue;
        if (id_seg(path + hl, n - hl - tl)) return true;
    }
    return false;
}

bool prov_forward_query_ok(const char *q)
{
    size_t n = strlen(q);
    return n <= 1024 &&
           strspn(q, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~%+=&:,") == n;
}

bool prov_forward_allowed(const struct http_user *u, const char *own_station, const char *station)
{
    struct prov_view v;
    return u && station && prov_web_decide((int)u->role, own_station, station, &v) == 0;
}

int prov_hub_key_load(const char *dir, unsigned char sk[64])
{
    char path[4096];
    snprintf(path, sizeof path, "%s/hub.key", dir);
    FILE *f = fopen(path, "rb");
    if (!f) return -errno;
    size_t n = fread(sk, 1, 64, f);
    int extra = fgetc(f);
    fclose(f);
    if (n != 64 || extra != EOF) {
        sodium_memzero(sk, 64);
        return -EINVAL;
    }
    return 0;
}

/* ---- the transfer ---- */

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    struct prov_fwd *f = ud;
    size_t len = size * n;
    if (len >= 5 && !strncmp(p, "HTTP/", 5)) { /* a new response (after a 1xx): forget the last */
        f->content_type[0] = f->disposition[0] = f->sha256[0] = f->answer_sig[0] = 0;
        f->codec[0] = f->start_us[0] = 0;
        return len;
    }
    if (len <= 2 && (p[0] == '\r' || p[0] == '\n')) {
        long st = 0;
        curl_easy_getinfo(f->h, CURLINFO_RESPONSE_CODE, &st);
        if (st >= 200) {
            f->status = st;
            f->headers_done = true;
        }
        return len;
    }
    static const struct { const char *name; size_t off, max; } keep[] = {
        {"content-type:", offsetof(struct prov_fwd, content_type), 128},
        {"content-disposition:", offsetof(struct prov_fwd, disposition), 256},
        {"x-content-sha256:", offsetof(struct prov_fwd, sha256), 80},
        {"x-ww-station-signature:", offsetof(struct prov_fwd, answer_sig), 100},
        {"x-codec:", offsetof(struct prov_fwd, codec), 96},
        {"x-start-us:", offsetof(struct prov_fwd, start_us), 24},
    };
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
        size_t kl = strlen(keep[i].name);
        if (len <= kl || strncasecmp(p, keep[i].name, kl)) continue;
        const char *v = p + kl;
        size_t vl = len - kl;
        while (vl && (*v == ' ' || *v == '\t')) v++, vl--;
        while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' ')) vl--;
        if (vl < keep[i].max) {
            char *dst = (char *)f + keep[i].off;
            memcpy(dst, v, vl);
            dst[vl] = 0;
        }
    }
    return len;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct prov_fwd *f = ud;
    size_t len = size * n, have = f->len - f->off;
    if (have && have + len > FWD_BUF_CAP) { /* full: libcurl keeps it and calls again after resume */
        f->paused = true;
        return CURL_WRITEFUNC_PAUSE;
    }
    if (f->off) {
        memmove(f->buf, f->buf + f->off, have);
        f->len = have;
        f->off = 0;
    }
    unsigned char *b = realloc(f->buf, f->len + len);
    if (!b) return 0;
    f->buf = b;
    memcpy(f->buf + f->len, p, len);
    f->len += len;
    return len;
}

static void collect_done(struct prov_fwd *f);

/* Runs the transfer for up to wait_ms or until something happens.  It
 * waits on the socket only when the first pass gave nothing: a paused
 * transfer (our buffer full) has no socket activity to wake it. */
static void step(struct prov_fwd *f, int wait_ms)
{
    int running = 0;
    bool had_headers = f->headers_done;
    curl_multi_perform(f->m, &running);
    collect_done(f);
    if (running && wait_ms > 0 && f->len == f->off && had_headers == f->headers_done && !f->done) {
        curl_multi_poll(f->m, NULL, 0, wait_ms, NULL);
        curl_multi_perform(f->m, &running);
        collect_done(f);
    }
}

static void collect_done(struct prov_fwd *f)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(f->m, &left)))
        if (msg->msg == CURLMSG_DONE) {
            f->done = true;
            f->result = msg->data.result;
            if (!f->headers_done && f->result == CURLE_OK) { /* a response with no body */
                curl_easy_getinfo(f->h, CURLINFO_RESPONSE_CODE, &f->status);
                f->headers_done = f->status >= 200;
            }
        }
}

static struct curl_slist *sign_headers(const struct prov_fwd_opts *o, const char *target,
                                       const unsigned char sk[64], char nonce[33], char *err, size_t errn)
{
    unsigned char rnd[16];
    char sig[HTTP_HUB_SIG_B64];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(nonce, 33, rnd, sizeof rnd);
    char body_hash[HTTP_HUB_SHA256_HEX];
    http_hub_body_sha256(o->body, o->body_len, body_hash); /* a GET: the empty body's */
    struct http_hub_claim c = {.method = o->method, .target = target, .time_s = ww_wall_us() / 1000000,
                               .nonce = nonce, .station = o->station, .user = o->user, .role = o->role,
                               .body_sha256 = body_hash};
    if (http_hub_sign(&c, sk, sig)) {
        snprintf(err, errn, "cannot sign: method, path, station, user (letters, digits, . _ - @) or role "
                            "(a-z) malformed");
        return NULL;
    }
    struct curl_slist *h = NULL;
    char line[512];
#define ADD(name, v) (snprintf(line, sizeof line, "%s: %s", name, v), h = curl_slist_append(h, line))
    ADD(HTTP_HUB_HDR_SIGNATURE, sig);
    snprintf(line, sizeof line, "%s: %lld", HTTP_HUB_HDR_TIME, (long long)c.time_s);
    h = curl_slist_append(h, line);
    ADD(HTTP_HUB_HDR_NONCE, nonce);
    ADD(HTTP_HUB_HDR_USER, o->user);
    ADD(HTTP_HUB_HDR_ROLE, o->role);
    ADD(HTTP_HUB_HDR_STATION, o->station);
    ADD(HTTP_HUB_HDR_BODY, body_hash);
    if (o->body) {
        h = curl_slist_append(h, "Content-Type: application/json"); /* the station's CSRF rule asks for it */
        h = curl_slist_append(h, "Expect:"); /* the body is small: send it at once, no 100-continue round */
    }
#undef ADD
    return h;
}

/* The station's base URL and public key; 0, -ENOENT, -ENODATA or -EIO (err says which). */
static int station_url(const struct prov_fwd_opts *o, char **url, unsigned char pk[32], char *err, size_t errn)
{
    prov_pg *pg;
    if (prov_pg_open(o->conninfo, &pg)) {
        snprintf(err, errn, "the province catalog (PostgreSQL) is not reachable");
        return -EIO;
    }
    char *pub = NULL;
    int rc = prov_pg_station_url(pg, o->station, url, &pub);
    prov_pg_close(pg);
    size_t n = 0;
    if (!rc && (!pub || sodium_base642bin(pk, 32, pub, strlen(pub), NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL) ||
                n != 32)) {
        free(*url);
        *url = NULL;
        rc = -EIO;
    }
    free(pub);
    if (rc == -ENOENT) snprintf(err, errn, "no enrolled station %s", o->station);
    else if (rc == -ENODATA)
        snprintf(err, errn, "station %s joined without --url: the hub does not know where to reach it", o->station);
    else if (rc) snprintf(err, errn, "the province catalog failed");
    return rc;
}

int prov_fwd_open(const struct prov_fwd_opts *o, struct prov_fwd **out, char *err, size_t errn)
{
    *out = NULL;
    if (!o->target || o->target[0] != '/' || !prov_station_id_ok(o->station ? o->station : "")) {
        snprintf(err, errn, "bad station id or path");
        return -EINVAL;
    }
    bool post = o->method && !strcmp(o->method, "POST");
    if (!o->method || (!post && strcmp(o->method, "GET")) || (post != (o->body != NULL))) {
        snprintf(err, errn, "the hub forwards GET, or POST with a body");
        return -EINVAL;
    }
    if (post && (!http_hub_post_target_ok(o->target) || o->body_len > HTTP_HUB_BODY_MAX)) {
        snprintf(err, errn, "the hub POSTs only a JSON body of at most 64 KiB to /api/v1/cameras/{id}/exports or "
                            "/api/v1/search/place/bundle");
        return -EINVAL;
    }
    unsigned char sk[64];
    if (prov_hub_key_load(o->hub_dir, sk)) {
        snprintf(err, errn, "no hub key in %s (run `wardwatch hub init`)", o->hub_dir);
        return -ENOKEY;
    }
    char *base = NULL, nonce[33];
    unsigned char pk[32];
    int rc = station_url(o, &base, pk, err, errn);
    struct curl_slist *hd = rc ? NULL : sign_headers(o, o->target, sk, nonce, err, errn);
    sodium_memzero(sk, sizeof sk);
    if (rc || !hd) {
        free(base);
        return rc ? rc : -EINVAL;
    }
    struct prov_fwd *f = calloc(1, sizeof *f);
    char *url = ww_asprintf("%s%s", base, o->target);
    free(base);
    f->hdrs = hd;
    memcpy(f->nonce, nonce, sizeof f->nonce);
    memcpy(f->station_pk, pk, sizeof pk);
    f->h = curl_easy_init();
    f->m = curl_multi_init();
    curl_easy_setopt(f->h, CURLOPT_URL, url);
    curl_easy_setopt(f->h, CURLOPT_CUSTOMREQUEST, o->method);
    if (post) { /* libcurl sends these bytes as they are (its own copy): the ones hashed and signed */
        curl_easy_setopt(f->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)o->body_len);
        curl_easy_setopt(f->h, CURLOPT_COPYPOSTFIELDS, o->body);
    }
    curl_easy_setopt(f->h, CURLOPT_HTTPHEADER, f->hdrs);
    curl_easy_setopt(f->h, CURLOPT_PATH_AS_IS, 1L); /* send the target exactly as signed */
    curl_easy_setopt(f->h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(f->h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(f->h, CURLOPT_CONNECTTIMEOUT_MS, FWD_CONNECT_MS);
    curl_easy_setopt(f->h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(f->h, CURLOPT_LOW_SPEED_TIME, FWD_IDLE_S);
    curl_easy_setopt(f->h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(f->h, CURLOPT_HEADERDATA, f);
    curl_easy_setopt(f->h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(f->h, CURLOPT_WRITEDATA, f);
    free(url);
    curl_multi_add_handle(f->m, f->h);
    int64_t wait_ms = post ? FWD_POST_HEADERS_MS : FWD_HEADERS_MS, deadline = ww_mono_us() + wait_ms * 1000LL;
    while (!f->headers_done && !f->done && ww_mono_us() < deadline) step(f, 200);
    if (!f->headers_done) {
        char waited[40];
        snprintf(waited, sizeof waited, "no status within %lld s", (long long)(wait_ms / 1000));
        snprintf(err, errn, "the station did not answer: %s", f->done ? curl_easy_strerror(f->result) : waited);
        prov_fwd_close(f);
        return -EHOSTUNREACH;
    }
    /* A 401 is a refusal: nothing of the station's is handed on, so it need not prove itself. */
    if (f->status != 401 &&
        http_hub_answer_verify(f->nonce, o->station, o->user, f->answer_sig[0] ? f->answer_sig : NULL, f->station_pk)) {
        snprintf(err, errn, "the answer (HTTP %ld) is not signed with station %s's key: is its URL right?", f->status,
                 o->station);
        prov_fwd_close(f);
        return -EBADMSG;
    }
    *out = f;
    return 0;
}

unsigned prov_fwd_http_status(int rc)
{
    switch (rc) {
    case -EINVAL: return 400;
    case -ENOENT: return 404;
    case -ENODATA: return 409;
    case -EHOSTUNREACH:
    case -EBADMSG: return 502;
    case -EIO: return 503;
    default: return 500;
    }
}

long prov_fwd_status(const struct prov_fwd *f) { return f->status; }

const char *prov_fwd_header(const struct prov_fwd *f, const char *name)
{
    const char *v = !strcasecmp(name, "Content-Type")          ? f->content_type
                    : !strcasecmp(name, "Content-Disposition") ? f->disposition
                    : !strcasecmp(name, "X-Content-SHA256")    ? f->sha256
                    : !strcasecmp(name, "X-Codec")             ? f->codec
                    : !strcasecmp(name, "X-Start-Us")          ? f->start_us
                                                               : "";
    return *v ? v : NULL;
}

int64_t prov_fwd_length(const struct prov_fwd *f)
{
    curl_off_t n = -1;
    if (curl_easy_getinfo(f->h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &n) != CURLE_OK) n = -1;
    return n;
}

ssize_t prov_fwd_read(struct prov_fwd *f, void *buf, size_t max, int wait_ms)
{
    assert(f && f->headers_done && max > 0);
    for (int pass = 0; pass < 2; pass++) {
        size_t have = f->len - f->off;
        if (have) {
            size_t n = have < max ? have : max;
            memcpy(buf, f->buf + f->off, n);
            f->off += n;
            if (f->paused && f->len - f->off < FWD_BUF_CAP / 2) {
                f->paused = false;
                curl_easy_pause(f->h, CURLPAUSE_CONT); /* may deliver at once: on_body has room */
            }
            return (ssize_t)n;
        }
        if (f->done) return f->result == CURLE_OK ? PROV_FWD_END : PROV_FWD_ERROR;
        if (pass == 0) step(f, wait_ms);
    }
    return 0;
}

const char *prov_fwd_error(const struct prov_fwd *f)
{
    return f->done && f->result != CURLE_OK ? curl_easy_strerror(f->result) : NULL;
}

void prov_fwd_close(struct prov_fwd *f)
{
    if (!f) return;
    if (f->m && f->h) curl_multi_remove_handle(f->m, f->h);
    curl_easy_cleanup(f->h);
    curl_multi_cleanup(f->m);
    curl_slist_free_all(f->hdrs);
    free(f->buf);
    free(f);
}

int prov_forward(const struct prov_fwd_opts *o, const struct prov_fwd_sink *sink, char *err, size_t errn)
{
    struct prov_fwd *f;
    int rc = prov_fwd_open(o, &f, err, errn);
    if (rc) return rc;
    rc = sink->head ? sink->head(sink->ud, f) : 0;
    char buf[64 * 1024];
    while (!rc) {
        ssize_t n = prov_fwd_read(f, buf, sizeof buf, 500);
        if (n == PROV_FWD_END) break;
        if (n == PROV_FWD_ERROR) {
            snprintf(err, errn, "the transfer broke off: %s", prov_fwd_error(f));
            rc = -EIO;
        } else if (n > 0) {
            rc = sink->body(sink->ud, buf, (size_t)n);
            if (rc) snprintf(err, errn, "cannot write the body: %s", strerror(-rc));
        }
    }
    prov_fwd_close(f);
    return rc;
}

/* ---- the hub's route ---- */

struct fwd_stream {
    struct prov_fwd *f;
    struct http_server *srv;
};

static ssize_t stream_read(void *ctx, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct fwd_stream *s = ctx;
    if (http_stream_stopping(s->srv)) return HTTP_STREAM_ERROR;
    ssize_t n = prov_fwd_read(s->f, buf, max, 400);
    return n == PROV_FWD_END ? HTTP_STREAM_END : n == PROV_FWD_ERROR ? HTTP_STREAM_ERROR : n;
}

static void stream_free(void *ctx)
{
    struct fwd_stream *s = ctx;
    prov_fwd_close(s->f);
    free(s);
}

/* The hub's permission matrix for a station's video: true when allowed;
 * else false with the refusal queued (a ward-officer asking for another
 * station gets "no such station", web.c's rule).  A bool and not
 * http_error's code, which is 0 once the refusal is queued. */
static bool gate(struct http_req *req, const char *station, const char *what)
{
    const struct http_user *u = http_req_user(req);
    const char *own = prov_web_own_station(req);
    if (prov_forward_allowed(u, own, station)) return true;
    if (u && u->role == CATALOG_ROLE_OFFICER && own) http_error(req, 404, "not_found", "no such station");
    else http_error(req, 403, "forbidden", "your role may not %s", what);
    return false;
}

/* Signs and sends o, then streams the station's answer back as it is. */
static int pass_on(struct http_req *req, const struct prov_fwd_opts *o)
{
    struct prov_fwd *f;
    char err[256] = "";
    int rc = prov_fwd_open(o, &f, err, sizeof err);
    if (rc) {
        unsigned st = prov_fwd_http_status(rc);
        return http_error(req, st, st == 400 ? "bad_request" : st == 404 ? "not_found" : st == 409 ? "conflict"
                                   : st == 502 ? "bad_gateway" : st == 503 ? "unavailable" : "internal", "%s", err);
    }
    ww_info("province", "%s forwards %s %s to %s: HTTP %ld", o->user, o->method, o->target, o->station, f->status);
    const char *disp = prov_fwd_header(f, "Content-Disposition"), *sha = prov_fwd_header(f, "X-Content-SHA256");
    if (disp) http_resp_header(req, "Content-Disposition", disp);
    if (sha) http_resp_header(req, "X-Content-SHA256", sha);
    /* the console's MSE player needs both to open a live or playback stream */
    static const char *const media[] = {"X-Codec", "X-Start-Us"};
    for (size_t i = 0; i < sizeof media / sizeof media[0]; i++) {
        const char *v = prov_fwd_header(f, media[i]);
        if (v) http_resp_header(req, media[i], v);
    }
    struct fwd_stream *s = malloc(sizeof *s);
    s->f = f;
    s->srv = http_req_server(req);
    const char *ct = prov_fwd_header(f, "Content-Type");
    return http_respond_stream(req, (unsigned)f->status, ct ? ct : "application/octet-stream", prov_fwd_length(f),
                               stream_read, s, stream_free);
}

static int h_forward(struct http_req *req, void *ud)
{
    const struct prov_forward_http *fh = ud;
    const char *station = http_req_param(req, "station"), *rest = http_req_param(req, "*");
    if (!gate(req, station, "open a station's video")) return 0;
    if (!rest || !prov_forward_path_ok(rest))
        return http_error(req, 404, "not_found", "the hub forwards only a camera's snapshot, live, timeline and "
                                                 "playback, an export's or a bundle's files and an event's thumbnail");
    const char *q = strchr(http_req_target(req), '?');
    if (q && !prov_forward_query_ok(q + 1)) return http_error(req, 400, "bad_request", "unusual query string");
    const struct http_user *u = http_req_user(req);
    struct prov_fwd_opts o = {.conninfo = fh->conninfo, .hub_dir = fh->hub_dir, .station = station,
                              .method = "GET", .target = http_req_printf(req, "/api/v1/%s%s", rest, q ? q : ""),
                              .user = u->username, .role = catalog_role_name(u->role)};
    return pass_on(req, &o);
}

/* POST …/forward/cameras/{id}/exports and …/forward/search/place/bundle:
 * an export or a bundle made at the station for this hub user.  Checked
 * in the order that leaks least: who (the matrix), where (the two paths,
 * no query), what (the body), and only then does the hub sign anything. */
static int h_forward_post(struct http_req *req, void *ud)
{
    const struct prov_forward_http *fh = ud;
    const char *station = http_req_param(req, "station"), *rest = http_req_param(req, "*");
    if (!gate(req, station, "make an export or a bundle at a station")) return 0;
    const char *target = rest ? http_req_printf(req, "/api/v1/%s", rest) : NULL;
    if (!target || strchr(http_req_target(req), '?') || !http_hub_post_target_ok(target))
        return http_error(req, 404, "not_found", "the hub forwards a POST only to cameras/{id}/exports and "
                                                 "search/place/bundle");
    size_t n = 0;
    const char *raw = http_req_body(req, &n);
    char err[160];
    char *body = prov_forward_post_body(target, raw, n, err, sizeof err);
    if (!body) return http_error(req, n > HTTP_HUB_BODY_MAX ? 413 : 400, n > HTTP_HUB_BODY_MAX ? "too_large"
                                 : "bad_request", "%s", err);
    const char *copy = http_req_strdup(req, body);
    free(body);
    const struct http_user *u = http_req_user(req);
    struct prov_fwd_opts o = {.conninfo = fh->conninfo, .hub_dir = fh->hub_dir, .station = station,
                              .method = "POST", .target = target, .user = u->username,
                              .role = catalog_role_name(u->role), .body = copy, .body_len = strlen(copy)};
    return pass_on(req, &o);
}

int prov_forward_register(struct http_server *srv, const struct prov_forward_http *fh)
{
    int rc = http_route(srv, "GET", "/api/v1/province/stations/{station}/forward/*", h_forward, (void *)fh, 0);
    return rc ? rc : http_route(srv, "POST", "/api/v1/province/stations/{station}/forward/*", h_forward_post,
                                (void *)fh, 0);
}
