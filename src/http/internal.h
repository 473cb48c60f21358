/*
 * http/internal.h — shared by the .c files of src/http/ and the http unit tests only.
 * The pure pieces (router, path/query/cookie/range parsing, rate limiter)
 * are declared here so tests can drive them without a server.
 */
#ifndef WW_HTTP_INTERNAL_H
#define WW_HTTP_INTERNAL_H

#include <microhttpd.h>
#include <pthread.h>

#include "base/base.h"
#include "http/http.h"

/* ---- limits ---------------------------------------------------------------- */
#define HTTP_MAX_URI        8192   /* longer request targets → 414 */
#define HTTP_MAX_SEGMENTS   32
#define HTTP_MAX_QUERY_KEYS 64
#define HTTP_SESSION_TTL_US (12LL * 3600 * 1000000)  /* sliding */
#define HTTP_SESSION_TOUCH_US (60LL * 1000000)       /* extend at most once a minute */
#define HTTP_SESSIONS_PER_USER 20
#define HTTP_COOKIE_NAME    "ww_session"

/* ---- arena ------------------------------------------------------------------- */
struct http_arena_block;
struct http_arena { struct http_arena_block *head; };
void *http_arena_alloc(struct http_arena *a, size_t n);
char *http_arena_strndup(struct http_arena *a, const char *s, size_t n);
void http_arena_free(struct http_arena *a);

/* ---- parsing (pure) ------------------------------------------------------------- */
struct http_kv { const char *key, *value; };
/* Percent-decodes s[0..n) into a new arena string.  plus_space: '+' → ' '
 * (query strings).  WW_EINVAL for a bad %XX escape or an encoded NUL. */
int http_url_decode(struct http_arena *a, const char *s, size_t n, bool plus_space, char **out);
/* Splits a raw (still encoded) absolute path into decoded segments.
 * Empty segments (from "//" or a trailing '/') are dropped.  WW_EINVAL for
 * bad escapes, a decoded '/' inside a segment, or more than
 * HTTP_MAX_SEGMENTS segments. */
int http_path_split(struct http_arena *a, const char *raw, size_t n, const char ***segs,
                    size_t *nsegs);
/* Parses "a=1&b=x%20y" (no leading '?').  Keys without '=' get "".  Empty
 * pairs are skipped.  WW_EINVAL for bad escapes or too many keys. */
int http_query_parse(struct http_arena *a, const char *qs, struct http_kv **kv, size_t *n);
/* Finds cookie `name` in a Cookie header; copies its value into the arena.
 * NULL if absent. */
const char *http_cookie_get(struct http_arena *a, const char *header, const char *name);
/* Parses a Range header for a body of `size` bytes.
 * Returns 1: serve [*off, *off + *len) as 206; 0: ignore (serve whole,
 * e.g. several ranges or a unit other than bytes); -ERANGE: unsatisfiable
 * (→ 416); WW_EINVAL: malformed (callers ignore it, per RFC 9110). */
int http_range_parse(const char *hdr, uint64_t size, uint64_t *off, uint64_t *len);
/* Parses "ADDR:PORT" / "[V6]:PORT" into a sockaddr (storage ≥ 28 bytes). */
struct sockaddr_storage;
int http_listen_parse(const char *s, struct sockaddr_storage *ss, unsigned *len, bool *v6);

/* ---- router (pure) ---------------------------------------------------------------- */
struct http_route {
    char *method;
    char *pattern;
    char **segs;           /* literal or "{name}" or "*" */
    size_t nsegs;
    http_handler_fn fn;
    void *ud;
    unsigned flags;
    struct http_counter *counter;  /* its requests (stats.c); owned, stable address */
};
struct http_router {
    struct http_route *routes;
    size_t n, cap;
};
struct http_match {
    const struct http_route *route;
    struct http_kv params[HTTP_MAX_SEGMENTS];
    size_t nparams;
    char allow[64];        /* for 405: "GET, POST" */
};
void http_router_init(struct http_router *r);
void http_router_free(struct http_router *r);
int http_router_add(struct http_router *r, const char *method, const char *pattern,
                    http_handler_fn fn, void *ud, unsigned flags);
/* 0 = found (m->route set), WW_ENOTFOUND = no path matches, -EOPNOTSUPP =
 * the path matches with other methods (m->allow lists them). */
int http_router_match(const struct http_router *r, const char *method, const char *const *segs,
                      size_t nsegs, struct http_match *m);

/* ---- rate limiter (sign-in) -------------------------------------------------------------
 * Counts failures per key ("u:NAME", "a:ADDR").  At `threshold` failures
 * within the window the key is locked for base_s·2^(failures−threshold)
 * seconds (capped at max_s); while locked every attempt is refused without
 * checking the password.  Success clears the key.  Bounded: at most
 * HTTP_RL_MAX_KEYS keys, the stalest unlocked one evicted (a locked entry
 * never is).  Thread-safe. */
#define HTTP_RL_MAX_KEYS 4096
struct http_rl_entry { char *key; int failures, inflight; int64_t last_us, locked_until_us; };
struct http_ratelimit {
    pthread_mutex_t mu;
    struct http_rl_entry *v;
    size_t n;
    int64_t window_us, base_us, max_us;
};
void http_rl_init(struct http_ratelimit *rl);
void http_rl_free(struct http_ratelimit *rl);
/* Seconds until the key may try again (0 = now). */
int http_rl_check(struct http_ratelimit *rl, const char *key, int64_t now_us);
/* Records a failure; returns the seconds it is now locked for (0 = not). */
int http_rl_fail(struct http_ratelimit *rl, const char *key, int threshold, int64_t now_us);
void http_rl_clear(struct http_ratelimit *rl, const char *key);
/* Admits one attempt for every key at once (n ≤ 4), atomically, before
 * the caller checks anything: returns the seconds to wait (> 0: refused,
 * nothing counted) or 0, having marked the attempt in flight on each key.
 * A key is refused while locked or while failures + in-flight attempts
 * reach its threshold, so at most `threshold` attempts are ever checked.
 * Every admitted attempt must be closed by http_rl_end with the same keys:
 * success=false counts a failure; success=true forgets the keys with
 * clear[i]. */
int http_rl_begin(struct http_ratelimit *rl, const char *const *keys, const int *thresholds,
                  size_t n, int64_t now_us);
void http_rl_end(struct http_ratelimit *rl, const char *const *keys, const int *thresholds,
                 const bool *clear, size_t n, bool success, int64_t now_us);

/* ---- connection guard (guard.c) ----------------------------------------------------------
 * Header and body deadlines that hold however slowly a client sends (MHD's
 * own timeout restarts on every byte).  A slot per open connection, in one
 * of three phases; a thread shuts down (never closes) the socket of a slot
 * past its phase's deadline, and the connection's thread then ends it the
 * normal way.  Thread-safe; slots are owned by the guard between add and
 * remove, and the fd must stay open until remove returns. */
enum http_guard_phase {
    HTTP_GUARD_HEAD,       /* waiting for request headers: header deadline */
    HTTP_GUARD_BODY,       /* headers in, body arriving: body deadline */
    HTTP_GUARD_RESPONSE,   /* being answered (streams included): none */
};
struct http_guard_slot;
struct http_guard {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    bool running, stop;
    int64_t header_us, body_us;   /* ≤ 0: that phase has no deadline */
    int per_ip;                   /* MHD's limits, for the log only */
    unsigned max_conn;
    struct http_guard_slot *head;
    int open;
    int64_t closed_head, closed_body, refused;  /* since start */
    int64_t unlogged_head, unlogged_body, unlogged_refused, next_log_us;
    char last_addr[2][48];        /* latest closed: [0] headers, [1] body */
};
struct http_guard_stats { int open; int64_t closed_head, closed_body, refused; };
/* Starts the guard's thread.  per_ip and max_conn are the daemon's limits,
 * named in the log.  0 or -errno. */
int http_guard_init(struct http_guard *g, int64_t header_us, int64_t body_us, int per_ip,
                    unsigned max_conn);
/* MHD refused a connection over its limits: counted and logged with the
 * guard's next line. */
void http_guard_refused(struct http_guard *g);
/* Stops the thread; every slot must have been removed.  Safe on a guard
 * whose init failed or never ran (zeroed). */
void http_guard_free(struct http_guard *g);
/* A new connection on fd, from addr (for the log), in phase HEAD. */
struct http_guard_slot *http_guard_add(struct http_guard *g, int fd, const char *addr);
/* The connection is gone (before its fd is closed).  NULL is a no-op. */
void http_guard_remove(struct http_guard *g, struct http_guard_slot *s);
/* Moves a slot to phase p; its clock restarts if the phase changed.  NULL
 * is a no-op. */
void http_guard_phase(struct http_guard *g, struct http_guard_slot *s, enum http_guard_phase p);
void http_guard_get_stats(struct http_guard *g, struct http_guard_stats *st);

/* ---- request counters (stats.c) ---------------------------------------------------------------
 * One per route plus the server's two pseudo-routes ("(static)", "(none)").
 * Status counts under the server's stats_mu; the latency histogram is
 * lock-free.  The slot HTTP_STATS_MAX_STATUSES - 1 is status 0 ("other")
 * once the others are taken, so a counter never grows. */
struct http_counter {
    char *method, *route;
    unsigned status[HTTP_STATS_MAX_STATUSES];
    int64_t n[HTTP_STATS_MAX_STATUSES];
    size_t nstatus;
    struct ww_hist latency;
};
struct http_counter *http_counter_new(const char *method, const char *route);
void http_counter_free(struct http_counter *c);   /* NULL-safe */
/* Counts one answered request; stats_mu is taken here. */
void http_counter_add(struct http_server *srv, struct http_counter *c, unsigned status, int64_t us);

/* ---- server and request ------------------------------------------------------------------- */
struct http_cat_pool {
    pthread_mutex_t mu;
    char *path;
    catalog_t *idle[16];
    size_t n;
};
catalog_t *http_pool_get(struct http_cat_pool *p);
void http_pool_put(struct http_cat_pool *p, catalog_t *cat);

struct http_server {
    struct MHD_Daemon *d;
    struct http_config cfg;      /* strings below are owned copies */
    char *listen, *db_path, *web_dir, *vendor_dir, *trusted_proxy;
    unsigned port;
    pthread_rwlock_t routes_lock;
    struct http_router router;
    struct http_cat_pool pool;
    struct http_ratelimit rl;
    struct http_guard guard;
    struct http_hub_nonces hub_nonces; /* hubsign.c: signed hub requests seen lately */
    pthread_mutex_t stats_mu;    /* the status counts of every http_counter */
    struct http_counter *static_counter, *none_counter; /* static files; no route matched */
    _Atomic bool stopping;
};

struct http_hdr { const char *name, *value; struct http_hdr *next; };
struct http_done { void (*fn)(void *); void *arg; struct http_done *next; };
/* http_resp_count's hook (in the request's arena) until a body takes it. */
struct http_count { struct http_server *srv; http_sent_fn fn; void *arg; struct http_req *req; bool taken; };

struct http_req {
    struct http_server *srv;
    struct MHD_Connection *conn;
    struct http_arena arena;
    const char *method;
    const char *raw_uri;          /* as received, with the query */
    const char *path;             /* decoded, segments joined by '/' */
    const char **segs;
    size_t nsegs;
    struct http_kv *query;
    size_t nquery;
    int parse_err;                /* the target did not parse → 400 */
    struct http_match match;
    char client_addr[64];
    struct http_guard_slot *slot; /* the connection's deadline slot, or NULL */
    int64_t t0_us;                /* ww_mono_us when the request arrived */
    struct http_counter *counter; /* where dispatch counts it; NULL → none_counter */

    /* body */
    struct ww_buf body;
    bool body_too_big;
    bool started;                 /* access handler seen the headers */

    /* auth */
    bool user_loaded;
    struct http_user *user;
    const char *auth_err;         /* why a hub-signed request was refused (static) */
    uint8_t token_hash[32];
    bool have_token;

    catalog_t *cat;

    /* response */
    struct MHD_Response *resp;
    unsigned status;
    bool queued;
    struct http_hdr *hdrs;
    const char *err_msg;          /* from http_fail */
    const char *err_reason, *err_field; /* http_req_set_reason's; NULL = none */
    struct http_done *done;
    struct http_count *count;     /* http_resp_count, not yet taken by a body */
};

/* response.c */
int http_queue(struct http_req *req);   /* queues resp or the error; frees resp */
int http_error_from_code(struct http_req *req, int err);
/* static.c */
int http_serve_static(struct http_req *req);
/* auth.c */
void http_auth_load(struct http_req *req);
/* hubsign.c: false when no X-WW-Hub-* header is present (not a hub
 * request); true when it was one, with req->user set or req->auth_err. */
bool http_hub_auth(struct http_req *req);
void http_auth_register(struct http_server *srv);
int http_session_create(struct http_req *req, const struct catalog_user *u);

#endif
