/*
 * server.c — the libmicrohttpd daemon, the request life cycle and dispatch.
 *
 * Threading: MHD_USE_THREAD_PER_CONNECTION.  Why not the internal thread
 * pool with suspend/resume: the console's heavy responses are long streams
 * (live fMP4 for as long as someone watches, exports of many minutes) whose
 * producers wait for data that arrives at camera pace.  With a thread per
 * connection a stream callback may simply wait (bounded, ~0.5 s) on a
 * condition variable, and a slow catalog query blocks only its own
 * connection — nothing needs parking, waking or a second event loop.  The
 * cost is a thread (and an 8 MiB virtual, mostly untouched stack) per open
 * connection; a ward station has tens of viewers, so the connection limit
 * (256 by default) bounds it.  If that ever changes, http_respond_stream's
 * contract (read may return 0 "nothing yet") is what a suspend/resume
 * implementation would need too.
 *
 * Request life cycle:
 *   URI log callback   → allocate struct http_req (arena, raw target, peer)
 *   access handler #1  → parse the target, check Content-Length ≤ max_body
 *   access handler #n  → append body chunks (discarding past the cap → 413)
 *   access handler end → route, CSRF check, session, role gate, handler,
 *                        queue the response; the catalog goes back to the
 *                        pool here, before any stream is sent
 *   completed callback → run on-done hooks, free the arena and the request
 * MHD calls the completed callback for every request the URI log callback
 * saw, so nothing leaks on a client that disconnects mid-upload.
 *
 * CSRF: state-changing methods (POST/PUT/PATCH/DELETE) must carry either
 * Content-Type: application/json or an X-Requested-With header; a cross-site
 * <form> can send neither without a CORS preflight, which we never approve.
 * A present Origin header must name this host.  Session cookies are also
 * SameSite=Strict.
 *
 * One address cannot deny the others: MHD holds at most max_conn_per_ip
 * connections per client address (refusing more at accept), and the guard
 * (guard.c) closes a connection whose request headers are not in within
 * header_timeout (counted from the connection's start or the end of its
 * previous request) or whose body is not in within body_timeout of the
 * headers, however slowly it trickles.  Responses have no deadline: a live
 * view is one long response.  The console's video already fits a browser's
 * six connections per server (the wall is one multiplexed stream), so 32 per
 * address leaves room for several tabs and users behind one NAT.
 */
#include "http/internal.h"

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- catalog pool --------------------------------------------------------- */

catalog_t *http_pool_get(struct http_cat_pool *p)
{
    catalog_t *cat = NULL;
    pthread_mutex_lock(&p->mu);
    if (p->n) cat = p->idle[--p->n];
    pthread_mutex_unlock(&p->mu);
    if (cat) return cat;
    if (catalog_open(p->path, 0, &cat)) {
        ww_error("http", "cannot open the catalog %s", p->path);
        return NULL;
    }
    return cat;
}

void http_pool_put(struct http_cat_pool *p, catalog_t *cat)
{
    if (!cat) return;
    catalog_rollback(cat); /* a handler that failed mid-transaction */
    pthread_mutex_lock(&p->mu);
    if (p->n < sizeof p->idle / sizeof p->idle[0]) {
        p->idle[p->n++] = cat;
        cat = NULL;
    }
    pthread_mutex_unlock(&p->mu);
    catalog_close(cat);
}

/* ---- request helpers ------------------------------------------------------------ */

const char *http_req_method(const struct http_req *req) { return req->method; }
const char *http_req_path(const struct http_req *req) { return req->path; }
const char *http_req_client_addr(const struct http_req *req) { return req->client_addr; }
struct http_server *http_req_server(const struct http_req *req) { return req->srv; }
bool http_stream_stopping(const struct http_server *srv) { return srv->stopping; }

void *http_req_alloc(struct http_req *req, size_t n) { return http_arena_alloc(&req->arena, n); }

char *http_req_strdup(struct http_req *req, const char *s)
{
    return s ? http_arena_strndup(&req->arena, s, strlen(s)) : NULL;
}

char *http_req_printf(struct http_req *req, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *tmp = ww_vasprintf(fmt, ap);
    va_end(ap);
    char *s = http_arena_strndup(&req->arena, tmp, strlen(tmp));
    free(tmp);
    return s;
}

void http_req_on_done(struct http_req *req, void (*fn)(void *), void *arg)
{
    struct http_done *d = http_req_alloc(req, sizeof *d);
    d->fn = fn;
    d->arg = arg;
    d->next = req->done;
    req->done = d;
}

catalog_t *http_req_catalog(struct http_req *req)
{
    if (!req->cat) req->cat = http_pool_get(&req->srv->pool);
    return req->cat;
}

const char *http_req_param(const struct http_req *req, const char *name)
{
    size_t nl = strlen(name);
    for (size_t i = 0; i < req->match.nparams; i++) {
        const char *k = req->match.params[i].key;
        if (k[0] == '{' && strlen(k) == nl + 2 && !strncmp(k + 1, name, nl))
            return req->match.params[i].value;
        if (!strcmp(k, name)) return req->match.params[i].value;
    }
    return NULL;
}

int http_req_param_id(struct http_req *req, const char *name, int64_t *out)
{
    const char *v = http_req_param(req, name);
    if (!v || ww_parse_i64(v, 1, INT64_MAX, out))
        return http_fail(req, WW_ENOTFOUND, "no such %s '%s'", name, v ? v : "");
    return 0;
}

const char *http_req_query(const struct http_req *req, const char *key)
{
    for (size_t i = 0; i < req->nquery; i++)
        if (!strcmp(req->query[i].key, key)) return req->query[i].value;
    return NULL;
}

int http_req_query_i64(struct http_req *req, const char *key, int64_t lo, int64_t hi, int64_t def,
                       int64_t *out)
{
    const char *v = http_req_query(req, key);
    if (!v) { *out = def; return 0; }
    if (ww_parse_i64(v, lo, hi, out))
        return http_fail(req, WW_EINVAL, "query parameter '%s' must be a whole number from %lld"
                                         " to %lld, not '%.40s'", key, (long long)lo,
                         (long long)hi, v);
    return 0;
}

int http_req_query_time(struct http_req *req, const char *key, int64_t def, int64_t *out_us)
{
    const char *v = http_req_query(req, key);
    if (!v) { *out_us = def; return 0; }
    if (ww_parse_time(v, ww_station_offset_min(), out_us))
        return http_fail(req, WW_EINVAL, "query parameter '%s' must be a time (ISO 8601 such as"
                                         " 2026-11-25T21:03:00+07:00, or epoch seconds), not"
                                         " '%.40s'", key, v);
    return 0;
}

const char *http_req_header(const struct http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_req_body(const struct http_req *req, size_t *len)
{
    if (len) *len = req->body.len;
    return req->body.len ? (const char *)req->body.data : "";
}

/* ---- target parsing ---------------------------------------------------------------- */

static void parse_target(struct http_req *req)
{
    const char *t = req->raw_uri;
    if (!t || t[0] != '/') { req->parse_err = WW_EINVAL; return; }
    if (strlen(t) > HTTP_MAX_URI) { req->parse_err = -ENAMETOOLONG; return; }
    const char *q = strchr(t, '?');
    size_t plen = q ? (size_t)(q - t) : strlen(t);
    const char *hash = memchr(t, '#', plen);
    if (hash) plen = (size_t)(hash - t);
    if (http_path_split(&req->arena, t, plen, &req->segs, &req->nsegs) ||
        (q && http_query_parse(&req->arena, q + 1, &req->query, &req->nquery))) {
        req->parse_err = WW_EINVAL;
        return;
    }
    size_t total = 1;
    for (size_t i = 0; i < req->nsegs; i++) total += strlen(req->segs[i]) + 1;
    char *p = http_req_alloc(req, total + 1);
    size_t k = 0;
    p[k++] = '/';
    for (size_t i = 0; i < req->nsegs; i++) {
        if (i) p[k++] = '/';
        size_t l = strlen(req->segs[i]);
        memcpy(p + k, req->segs[i], l);
        k += l;
    }
    p[k] = 0;
    req->path = p;
}

/* ---- MHD callbacks ---------------------------------------------------------------------- */

static void *uri_log(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct http_server *srv = cls;
    struct http_req *req = ww_calloc(1, sizeof *req);
    req->srv = srv;
    req->conn = conn;
    req->t0_us = ww_mono_us();
    req->raw_uri = http_arena_strndup(&req->arena, uri ? uri : "", uri ? strlen(uri) : 0);
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const union MHD_ConnectionInfo *sc = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    req->slot = sc ? sc->socket_context : NULL;
    snprintf(req->client_addr, sizeof req->client_addr, "?");
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, req->client_addr,
                      sizeof req->client_addr);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, req->client_addr,
                      sizeof req->client_addr);
    }
    return req;
}

static void release_catalog(struct http_req *req)
{
    if (req->cat) {
        http_pool_put(&req->srv->pool, req->cat);
        req->cat = NULL;
    }
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls; (void)conn; (void)toe;
    struct http_req *req = *con_cls;
    if (!req) return;
    *con_cls = NULL;
    /* Kept alive, the connection now waits for its next request's headers. */
    http_guard_phase(&req->srv->guard, req->slot, HTTP_GUARD_HEAD);
    for (struct http_done *d = req->done; d; d = d->next) d->fn(d->arg);
    if (req->resp) MHD_destroy_response(req->resp);
    release_catalog(req);
    ww_buf_free(&req->body);
    http_arena_free(&req->arena);
    free(req);
}

static bool is_unsafe_method(const char *m)
{
    return strcmp(m, "GET") && strcmp(m, "HEAD") && strcmp(m, "OPTIONS");
}

/* CSRF rule (see the file comment).  0 or WW_EPERM with a message. */
static int csrf_check(struct http_req *req)
{
    if (!is_unsafe_method(req->method)) return 0;
    const char *ct = http_req_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
    const char *xrw = http_req_header(req, "X-Requested-With");
    bool json = ct && !strncasecmp(ct, "application/json", 16) &&
                (ct[16] == 0 || ct[16] == ';' || ct[16] == ' ');
    if (!json && !(xrw && *xrw))
        return http_fail(req, WW_EPERM, "state-changing requests must send Content-Type:"
                                        " application/json or an X-Requested-With header");
    const char *origin = http_req_header(req, "Origin");
    const char *host = http_req_header(req, MHD_HTTP_HEADER_HOST);
    if (origin && strcmp(origin, "null")) {
        const char *o = strstr(origin, "://");
        if (!host || !o || strcmp(o + 3, host))
            return http_fail(req, WW_EPERM, "cross-origin request refused");
    } else if (origin) {
        return http_fail(req, WW_EPERM, "cross-origin request refused");
    }
    return 0;
}

static bool role_allowed(unsigned flags, enum catalog_role role)
{
    unsigned gates = flags & (HTTP_ROLE_ADMIN | HTTP_ROLE_PROVINCE | HTTP_ROLE_OFFICER |
                              HTTP_ROLE_VIEWER | HTTP_ROLE_OWNER);
    return !gates || (gates & (1u << (8 + role)));
}

static void dispatch(struct http_req *req)
{
    struct http_server *srv = req->srv;
    if (req->parse_err) {
        if (req->parse_err == -ENAMETOOLONG) http_error(req, 414, "uri_too_long", NULL);
        else http_error(req, 400, "bad_request", "the request target does not parse");
        return;
    }
    if (req->body_too_big) {
        http_error(req, 413, "too_large", "the request body is larger than %zu bytes",
                   srv->cfg.max_body);
        return;
    }
    http_handler_fn fn = NULL;
    void *ud = NULL;
    unsigned flags = 0;
    pthread_rwlock_rdlock(&srv->routes_lock);
    int rc = http_router_match(&srv->router, req->method, req->segs, req->nsegs, &req->match);
    if (rc == 0) {
        const struct http_route *rt = req->match.route;
        fn = rt->fn;
        ud = rt->ud;
        flags = rt->flags;
        req->counter = rt->counter;
        /* A "*" tail parameter is the rest of the path. */
        if (req->match.nparams && !strcmp(req->match.params[req->match.nparams - 1].key, "*")) {
            size_t from = rt->nsegs - 1;
            struct ww_buf b = {0};
            for (size_t i = from; i < req->nsegs; i++) {
                if (i > from) ww_buf_append(&b, "/", 1);
                ww_buf_append(&b, req->segs[i], strlen(req->segs[i]));
            }
            req->match.params[req->match.nparams - 1].value =
                http_arena_strndup(&req->arena, (const char *)b.data, b.len);
            ww_buf_free(&b);
        }
        req->match.route = NULL; /* the array may move once we unlock */
    }
    pthread_rwlock_unlock(&srv->routes_lock);

    bool api = req->nsegs && !strcmp(req->segs[0], "api");
    if (rc == WW_ENOTFOUND) {
        if (!api && (!strcmp(req->method, "GET") || !strcmp(req->method, "HEAD"))) {
            req->counter = srv->static_counter;
            rc = http_serve_static(req);
            if (rc && !req->resp) http_error_from_code(req, rc);
            return;
        }
        http_error(req, 404, "not_found", "no such resource: %.200s", req->path);
        return;
    }
    if (rc == -EOPNOTSUPP) {
        http_error(req, 405, "method_not_allowed", "%s is not allowed here (allowed: %s)",
                   req->method, req->match.allow);
        http_resp_header(req, MHD_HTTP_HEADER_ALLOW, req->match.allow);
        return;
    }
    if ((rc = csrf_check(req))) {
        http_error_from_code(req, rc);
        return;
    }
    if (!(flags & HTTP_PUBLIC)) {
        const struct http_user *u = http_req_user(req);
        if (!u) {
            http_error(req, 401, "unauthorized", "%s", req->auth_err ? req->auth_err : "sign in first");
            return;
        }
        if (!role_allowed(flags, u->role)) {
            http_error(req, 403, "forbidden", "your role (%s) may not do this",
                       catalog_role_name(u->role));
            return;
        }
    }
    rc = fn(req, ud);
    if (rc < 0 && !req->resp) http_error_from_code(req, rc);
    else if (rc == 0 && !req->resp) {
        ww_error("http", "%s %s: handler sent no response", req->method, req->path);
        http_error(req, 500, "internal", NULL);
    } else if (rc < 0) {
        ww_debug("http", "%s %s: handler returned %s after responding", req->method, req->path,
                 ww_strerror(rc));
    }
}

/* Queues the answer and counts it by its route (stats.c): the status it
 * went out with, and the time since the request arrived. */
static int queue_counted(struct http_req *req)
{
    int rc = http_queue(req);
    http_counter_add(req->srv, req->counter ? req->counter : req->srv->none_counter, req->status,
                     ww_mono_us() - req->t0_us);
    return rc;
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *conn, const char *url,
                                      const char *method, const char *version,
                                      const char *upload_data, size_t *upload_data_size,
                                      void **con_cls)
{
    (void)url; (void)version;
    ww_thread_set_role(WW_THREAD_HTTP); /* thread per connection: handlers and stream readers run here */
    struct http_server *srv = cls;
    struct http_req *req = *con_cls;
    if (!req) { /* no URI log call (should not happen): make one now */
        req = uri_log(srv, url, conn);
        *con_cls = req;
    }
    if (!req->started) {
        req->started = true;
        http_guard_phase(&srv->guard, req->slot, HTTP_GUARD_BODY);
        req->method = http_req_strdup(req, method);
        parse_target(req);
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_CONTENT_LENGTH);
        int64_t len;
        if (cl && ww_parse_i64(cl, 0, INT64_MAX, &len) == 0 && (uint64_t)len > srv->cfg.max_body) {
            /* Refuse before reading the body: MHD sends this and closes. */
            req->body_too_big = true;
            http_guard_phase(&srv->guard, req->slot, HTTP_GUARD_RESPONSE);
            dispatch(req);
            return queue_counted(req) ? MHD_NO : MHD_YES;
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!req->body_too_big) {
            if (req->body.len + *upload_data_size > srv->cfg.max_body) {
                req->body_too_big = true;
                ww_buf_free(&req->body);
            } else {
                ww_buf_append(&req->body, upload_data, *upload_data_size);
            }
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (!req->queued) {
        http_guard_phase(&srv->guard, req->slot, HTTP_GUARD_RESPONSE);
        if (req->body.len) { /* NUL-terminate for parsers */
            ww_buf_append(&req->body, "", 1);
            req->body.len--;
        }
        dispatch(req);
        release_catalog(req);
        if (queue_counted(req)) return MHD_NO;
    }
    return MHD_YES;
}

/* MHD_OPTION_NOTIFY_CONNECTION: a connection's deadline slot lives from
 * its start to its close (MHD calls this before it closes the socket). */
static void notify_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                              enum MHD_ConnectionNotificationCode code)
{
    struct http_server *srv = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *fi = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        const union MHD_ConnectionInfo *ai = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        char addr[48] = "?";
        if (ai && ai->client_addr && ai->client_addr->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)ai->client_addr)->sin_addr, addr, sizeof addr);
        else if (ai && ai->client_addr && ai->client_addr->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ai->client_addr)->sin6_addr, addr, sizeof addr);
        *socket_context = fi ? http_guard_add(&srv->guard, fi->connect_fd, addr) : NULL;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        http_guard_remove(&srv->guard, *socket_context);
        *socket_context = NULL;
    }
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    struct http_server *srv = cls;
    char buf[512];
    vsnprintf(buf, sizeof buf, fmt, ap);
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) buf[--n] = 0;
    /* A refusal over the limits is MHD's line per connection: a flood from
     * one address would be a flood of lines, so the guard counts them. */
    if (strstr(buf, "reached connection limit")) {
        http_guard_refused(&srv->guard);
        return;
    }
    /* A client that left mid-request, or one the guard cut off (it says
     * so itself): routine. */
    if (strstr(buf, "closed when reading request")) {
        ww_debug("http", "microhttpd: %s", buf);
        return;
    }
    /* Our stream callbacks end a stream "with error" when the viewer left
     * or the server stops: routine, not worth a warning per viewer. */
    if (strstr(buf, "application error generating response")) ww_debug("http", "microhttpd: %s", buf);
    else ww_warn("http", "microhttpd: %s", buf);
}

/* ---- start / stop ---------------------------------------------------------------------------- */

char *http_find_web_dir(void)
{
    const char *env = ww_env_str("WARDWATCH_WEB_DIR");
    if (env && *env) return ww_strdup(env);
    static const char *const rel[] = {"../web", "../share/wardwatch/web", "../../web"};
    for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
        char *dir = ww_exe_relative(rel[i]);
        char *index = dir ? ww_asprintf("%s/index.html", dir) : NULL;
        bool ok = index && access(index, R_OK) == 0;
        free(index);
        if (ok) return dir;
        free(dir);
    }
    char *real = realpath("web", NULL);
    return real ? real : ww_strdup("web");
}

int http_server_start(const struct http_config *cfg, struct http_server **out)
{
    *out = NULL;
    if (!cfg || !cfg->db_path) return WW_EINVAL;
    if (sodium_init() < 0) return WW_EINVAL;
    struct http_server *srv = ww_calloc(1, sizeof *srv);
    srv->cfg = *cfg;
    srv->listen = ww_strdup(cfg->listen ? cfg->listen : "127.0.0.1:8080");
    srv->db_path = ww_strdup(cfg->db_path);
    srv->web_dir = cfg->web_dir ? ww_strdup(cfg->web_dir) : http_find_web_dir();
    srv->vendor_dir = cfg->vendor_dir ? ww_strdup(cfg->vendor_dir)
                                      : ww_asprintf("%s/../node_modules", srv->web_dir);
    srv->cfg.listen = srv->listen;
    srv->cfg.db_path = srv->db_path;
    srv->cfg.web_dir = srv->web_dir;
    srv->cfg.vendor_dir = srv->vendor_dir;
    srv->trusted_proxy = cfg->trusted_proxy ? ww_strdup(cfg->trusted_proxy) : NULL;
    srv->cfg.trusted_proxy = srv->trusted_proxy;
    if (!srv->cfg.max_connections) srv->cfg.max_connections = 256;
    if (!srv->cfg.max_body) srv->cfg.max_body = 1 << 20;
    if (!srv->cfg.max_conn_per_ip) srv->cfg.max_conn_per_ip = HTTP_CONN_PER_IP_DEFAULT;
    if (srv->cfg.header_timeout_us <= 0) srv->cfg.header_timeout_us = HTTP_HEADER_TIMEOUT_DEFAULT_US;
    if (srv->cfg.body_timeout_us <= 0) srv->cfg.body_timeout_us = HTTP_BODY_TIMEOUT_DEFAULT_US;
    pthread_rwlock_init(&srv->routes_lock, NULL);
    http_router_init(&srv->router);
    pthread_mutex_init(&srv->stats_mu, NULL);
    srv->static_counter = http_counter_new("GET", "(static)");
    srv->none_counter = http_counter_new("", "(none)");
    pthread_mutex_init(&srv->pool.mu, NULL);
    srv->pool.path = ww_strdup(srv->db_path);
    http_rl_init(&srv->rl);
    http_hub_nonces_init(&srv->hub_nonces);

    struct sockaddr_storage ss;
    unsigned sslen;
    bool v6;
    if (http_listen_parse(srv->listen, &ss, &sslen, &v6)) {
        ww_error("http", "bad listen address '%s' (want ADDR:PORT or [V6ADDR]:PORT)", srv->listen);
        http_server_stop(srv);
        return WW_EINVAL;
    }
    /* The catalog must open (and be migrated) before we accept anyone. */
    catalog_t *cat = http_pool_get(&srv->pool);
    if (!cat) { http_server_stop(srv); return WW_EDB; }
    http_pool_put(&srv->pool, cat);
    http_auth_register(srv);
    int grc = http_guard_init(&srv->guard, srv->cfg.header_timeout_us, srv->cfg.body_timeout_us,
                              srv->cfg.max_conn_per_ip, srv->cfg.max_connections);
    if (grc) {
        ww_error("http", "cannot start the connection guard: %s", ww_strerror(grc));
        http_server_stop(srv);
        return grc;
    }

    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_USE_POLL | MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0);
    errno = 0;
    srv->d = MHD_start_daemon(flags, 0, NULL, NULL, access_handler, srv,
                              MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv,
                              MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                              MHD_OPTION_CONNECTION_LIMIT, srv->cfg.max_connections,
                              MHD_OPTION_PER_IP_CONNECTION_LIMIT,
                              (unsigned)(srv->cfg.max_conn_per_ip > 0 ? srv->cfg.max_conn_per_ip : 0),
                              MHD_OPTION_NOTIFY_CONNECTION, notify_connection, srv,
                              MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
                              MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1,
                              MHD_OPTION_URI_LOG_CALLBACK, uri_log, srv,
                              MHD_OPTION_NOTIFY_COMPLETED, completed, srv,
                              MHD_OPTION_END);
    if (!srv->d) {
        int e = errno ? -errno : -EADDRINUSE;
        ww_error("http", "cannot listen on %s: %s", srv->listen, ww_strerror(e));
        http_server_stop(srv);
        return e;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = di ? di->port : 0;
    ww_info("http", "listening on %s (port %u), web %s", srv->listen, srv->port, srv->web_dir);
    ww_debug("http", "limits: %u connections, %d per address, headers within %.0f s, body within %.0f s",
             srv->cfg.max_connections, srv->cfg.max_conn_per_ip,
             (double)srv->cfg.header_timeout_us / 1e6, (double)srv->cfg.body_timeout_us / 1e6);
    *out = srv;
    return 0;
}

unsigned http_server_port(const struct http_server *srv) { return srv ? srv->port : 0; }

int http_route(struct http_server *srv, const char *method, const char *pattern,
               http_handler_fn fn, void *ud, unsigned flags)
{
    pthread_rwlock_wrlock(&srv->routes_lock);
    int rc = http_router_add(&srv->router, method, pattern, fn, ud, flags);
    pthread_rwlock_unlock(&srv->routes_lock);
    if (rc) ww_error("http", "cannot add route %s %s: %s", method, pattern, ww_strerror(rc));
    return rc;
}

void http_server_stop(struct http_server *srv)
{
    if (!srv) return;
    srv->stopping = true;
    if (srv->d) MHD_stop_daemon(srv->d);
    http_guard_free(&srv->guard); /* after the daemon: its connections are gone */
    http_router_free(&srv->router);
    pthread_rwlock_destroy(&srv->routes_lock);
    http_counter_free(srv->static_counter);
    http_counter_free(srv->none_counter);
    pthread_mutex_destroy(&srv->stats_mu);
    for (size_t i = 0; i < srv->pool.n; i++) catalog_close(srv->pool.idle[i]);
    pthread_mutex_destroy(&srv->pool.mu);
    free(srv->pool.path);
    http_rl_free(&srv->rl);
    http_hub_nonces_free(&srv->hub_nonces);
    free(srv->listen);
    free(srv->db_path);
    free(srv->web_dir);
    free(srv->vendor_dir);
    free(srv->trusted_proxy);
    free(srv);
}
