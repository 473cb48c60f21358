/*
 * http: the console's web server — listening, routing, requests and
 * responses (JSON, streams, file ranges, static files), sessions, sign-in,
 * rate limiting, permissions (authz) and the audit hook.  Built on
 * libmicrohttpd; nothing outside src/http/ includes microhttpd.h.
 *
 * Layering: http sits on base and catalog.  It never sees api/: resources
 * register their handlers through http_route() (see api/api.h).
 *
 * Threads: one thread per connection (see server.c for why).  A handler and
 * the stream callbacks of the response it creates run on that connection's
 * thread; handlers may block on the catalog.  http_server_start/stop are
 * called from one thread (the one running `serve`).  Everything reached
 * through a struct http_req is for its own request's thread only.
 *
 * Memory: each request has an arena; http_req_alloc/strdup/printf memory and
 * everything the request hands out (params, query values, the user, the
 * catalog handle) lives until the request completes — never keep pointers
 * past the handler.  Response bodies are copied or owned by the response
 * (see each http_respond_*).
 *
 * Handler contract: a handler answers by calling exactly one http_respond_*
 * (or http_error) and returning 0, or by returning a negative code without
 * responding; the server then answers with the error JSON
 *     {"error":{"code":"not_found","message":"…"}}
 * mapping WW_EINVAL→400 bad_request, WW_EAUTH→401 unauthorized,
 * WW_EPERM→403 forbidden, WW_ENOTFOUND→404 not_found, WW_ECONFLICT→409
 * conflict, -E2BIG→413 too_large, anything else→500 internal (logged).
 * http_fail() sets the message of that answer.
 */
#ifndef WW_HTTP_H
#define WW_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "base/base.h"
#include "catalog/cat_users.h"
#include "catalog/catalog.h"

struct http_server;
struct http_req;

/* ---- server --------------------------------------------------------------- */
struct http_config {
    const char *listen;        /* "ADDR:PORT", "[v6]:PORT"; NULL → "127.0.0.1:8080";
                                  port 0 picks a free one (see http_server_port) */
    const char *db_path;       /* the catalog (users, sessions, audit); required */
    const char *web_dir;       /* static files; NULL → found next to the binary (see
                                  http_find_web_dir) */
    const char *vendor_dir;    /* node_modules for /vendor/…; NULL → <web_dir>/../node_modules */
    unsigned max_connections;  /* 0 → 256 */
    int max_conn_per_ip;       /* connections one client address may hold at once;
                                  0 → 32 (HTTP_CONN_PER_IP_DEFAULT), < 0 → no
                                  per-address limit (e.g. behind a reverse proxy,
                                  where every client has the proxy's address) */
    int64_t header_timeout_us; /* a request's headers must be in within this long of
                                  the connection opening or the previous request
                                  ending, however slowly they trickle; 0 → 10 s */
    int64_t body_timeout_us;   /* its body within this long of the headers; 0 → 30 s */
    size_t max_body;           /* request body cap in bytes; 0 → 1 MiB (→ 413) */
    bool secure_cookie;        /* add "Secure" to the session cookie (behind TLS) */
    const char *trusted_proxy; /* comma-separated client addresses of reverse proxies
                                  whose X-Forwarded-Proto is believed: "https" from
                                  one of them → Secure cookie; NULL = none */
    int64_t session_max_us;    /* absolute session lifetime from sign-in, sliding
                                  or not; 0 → 12 h (HTTP_SESSION_MAX_DEFAULT_US) */
};
#define HTTP_SESSION_MAX_DEFAULT_US (12LL * 3600 * 1000000)
#define HTTP_CONN_PER_IP_DEFAULT 32
#define HTTP_HEADER_TIMEOUT_DEFAULT_US (10LL * 1000000)
#define HTTP_BODY_TIMEOUT_DEFAULT_US (30LL * 1000000)
/* Starts listening.  Routes may be added before or after start (the router
 * is read-locked per request), but register them before telling anyone the
 * port: api_register_all(srv, …) right after start.  *out is freed by
 * http_server_stop.  Returns 0, WW_EINVAL (bad listen address / config) or
 * -errno (e.g. -EADDRINUSE). */
int http_server_start(const struct http_config *cfg, struct http_server **out);
/* Bound TCP port (useful with port 0). */
unsigned http_server_port(const struct http_server *srv);
/* Stops accepting, ends streaming responses (their callbacks see
 * http_stream_stopping), waits for connection threads, frees.  NULL-safe. */
void http_server_stop(struct http_server *srv);
/* The web/ folder: WARDWATCH_WEB_DIR, else <exe>/../web or
 * <exe>/../share/wardwatch/web, else ./web.  Heap string (free()). */
char *http_find_web_dir(void);

/* ---- routing ----------------------------------------------------------------
 * Pattern: an absolute path whose segments are literals or {name}
 * parameters matching one non-empty segment ("/api/v1/cameras/{id}").
 * A final "*" segment matches the rest of the path (parameter "*").  Literal
 * segments win over parameters.  A path that matches with another method
 * answers 405 with Allow.  Flags: */
enum {
    HTTP_PUBLIC       = 1 << 0,  /* no session needed (default: 401 without one) */
    /* Role gates checked before the handler (403 otherwise); 0 = any role. */
    HTTP_ROLE_ADMIN    = 1 << (8 + CATALOG_ROLE_ADMIN),
    HTTP_ROLE_PROVINCE = 1 << (8 + CATALOG_ROLE_PROVINCE),
    HTTP_ROLE_OFFICER  = 1 << (8 + CATALOG_ROLE_OFFICER),
    HTTP_ROLE_VIEWER   = 1 << (8 + CATALOG_ROLE_VIEWER),
    HTTP_ROLE_OWNER    = 1 << (8 + CATALOG_ROLE_OWNER),
    HTTP_ROLES_STAFF   = HTTP_ROLE_ADMIN | HTTP_ROLE_PROVINCE | HTTP_ROLE_OFFICER,
};
typedef int (*http_handler_fn)(struct http_req *req, void *ud);
/* Registers a route; method is "GET", "POST", "PATCH", "PUT" or "DELETE"
 * (GET also answers HEAD).  pattern is copied; ud is kept as is.  Returns
 * 0, WW_EINVAL for a malformed pattern, WW_ECONFLICT for a duplicate. */
int http_route(struct http_server *srv, const char *method, const char *pattern,
               http_handler_fn fn, void *ud, unsigned flags);

/* ---- request counters (GET /metrics) ------------------------------------------
 * Every request that gets an answer is counted by the route that took it:
 * its registered method and pattern ("/api/v1/cameras/{id}"), never the raw
 * path, so the set stays as small as the route table.  Static files count
 * as route "(static)", anything no route took (404, 405, a target that does
 * not parse, 413 before routing) as "(none)" with method "".  Latency: from
 * the request's arrival to its response being queued — a live stream's
 * length is not in it.  http_stats_read copies the routes that answered at
 * least once; free with http_stats_free.  Any thread. */
#define HTTP_STATS_MAX_STATUSES 16
struct http_status_count { unsigned status; int64_t n; };  /* status 0: the overflow slot */
struct http_route_stats {
    char *method, *route;
    struct http_status_count status[HTTP_STATS_MAX_STATUSES];
    size_t nstatus;
    struct ww_hist_snap latency;
};
void http_stats_read(struct http_server *srv, struct http_route_stats **out, size_t *n);
void http_stats_free(struct http_route_stats *v, size_t n);

/* ---- request ---------------------------------------------------------------- */
const char *http_req_method(const struct http_req *req);  /* "GET", … */
const char *http_req_path(const struct http_req *req);    /* decoded, no query */
const char *http_req_client_addr(const struct http_req *req); /* "127.0.0.1" */
/* Path parameter ({id}); NULL if the route has none of that name. */
const char *http_req_param(const struct http_req *req, const char *name);
/* {name} as a positive id.  A malformed id is "no such object": returns
 * WW_ENOTFOUND (404) with a message set. */
int http_req_param_id(struct http_req *req, const char *name, int64_t *out);
/* Query parameters (decoded; first of repeated keys); NULL if absent. */
const char *http_req_query(const struct http_req *req, const char *key);
/* Typed query parameters.  Absent → *out = def, 0.  Malformed or out of
 * range → WW_EINVAL with a message naming the parameter (→ 400). */
int http_req_query_i64(struct http_req *req, const char *key, int64_t lo, int64_t hi,
                       int64_t def, int64_t *out);
/* ISO 8601 (station offset when none is given) or epoch seconds. */
int http_req_query_time(struct http_req *req, const char *key, int64_t def, int64_t *out_us);
/* Request header (case-insensitive); NULL if absent. */
const char *http_req_header(const struct http_req *req, const char *name);
/* Raw body (NUL-terminated, may be empty) and its length. */
const char *http_req_body(const struct http_req *req, size_t *len);
/* Parses the body as a JSON object.  Errors (→ 400): not JSON, not an
 * object, or a field not in allowed (NULL-terminated list; NULL = any).
 * *out is owned by the request (do not decref). */
int http_req_json(struct http_req *req, const char *const *allowed, json_t **out);

/* Typed JSON fields, for validating request bodies.  Each returns 1 if the
 * field is present (and valid), 0 if absent (and not required), or
 * WW_EINVAL with a message naming the field (→ 400).  "null" counts as
 * present for http_json_str_or_null only. */
int http_json_str(struct http_req *req, json_t *obj, const char *key, bool required,
                  size_t min_len, size_t max_len, const char **out);
int http_json_str_or_null(struct http_req *req, json_t *obj, const char *key, size_t max_len,
                          const char **out /* NULL when null */);
int http_json_i64(struct http_req *req, json_t *obj, const char *key, bool required, int64_t lo,
                  int64_t hi, int64_t *out);
/* An id field that may be null (→ *out = 0). */
int http_json_id_or_null(struct http_req *req, json_t *obj, const char *key, int64_t *out);
int http_json_double(struct http_req *req, json_t *obj, const char *key, bool required, double lo,
                     double hi, double *out);
int http_json_bool(struct http_req *req, json_t *obj, const char *key, bool required, bool *out);

/* Per-request arena: freed when the request completes. */
void *http_req_alloc(struct http_req *req, size_t n);        /* zeroed */
char *http_req_strdup(struct http_req *req, const char *s);  /* NULL → NULL */
char *http_req_printf(struct http_req *req, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Runs fn(arg) when the request completes (after the response is sent). */
void http_req_on_done(struct http_req *req, void (*fn)(void *), void *arg);

/* The catalog, borrowed from the server's pool for this request: valid
 * until the handler returns (stream callbacks must open their own).  NULL
 * if it cannot be opened (logged): return WW_EDB. */
catalog_t *http_req_catalog(struct http_req *req);

/* ---- responses ----------------------------------------------------------------
 * Each returns 0, or a negative code if it could not build the response
 * (then nothing was queued and the handler should return that code).
 * Extra headers added before or after with http_resp_header are sent too. */
int http_resp_header(struct http_req *req, const char *name, const char *value);
/* Content-Disposition: the file name (printf-style) the browser saves an
 * attachment under, or shows it inline under (attachment = false). */
int http_resp_filename(struct http_req *req, bool attachment, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* body: a reference is STOLEN (decref'd by us, even on failure). */
int http_respond_json(struct http_req *req, unsigned status, json_t *body);
/* Copies data. */
int http_respond_data(struct http_req *req, unsigned status, const char *content_type,
                      const void *data, size_t len);
/* Answers with the error JSON; fmt may be NULL for the status's default. */
int http_error(struct http_req *req, unsigned status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Sets the message for the error answer a negative return produces; returns
 * err so a handler can write `return http_fail(req, WW_EINVAL, "…");`. */
int http_fail(struct http_req *req, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The error answer's machine-readable detail (issue 17 item 6): "reason", a
 * stable code the console translates ("required", "range", "offline"
 * reasons …), and "field", the request field it is about (NULL: none).
 * Both must outlive the request (string literals or request memory).  The
 * next error answer of this request carries them beside code and message. */
void http_req_set_reason(struct http_req *req, const char *reason, const char *field);
/* http_fail with a reason and a field: `return http_fail_field(req,
 * WW_EINVAL, "range", "latitude", "latitude %g is out of range", v);` */
int http_fail_field(struct http_req *req, int err, const char *reason, const char *field,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Streaming bodies (live fMP4, exports).
 * read(ctx, pos, buf, max) is called on the connection's thread and returns:
 *   > 0                bytes written to buf (≤ max);
 *   0                  nothing yet: it will be called again — it should
 *                      first wait for data itself, for at most ~0.5 s
 *                      (e.g. pthread_cond_timedwait), never indefinitely;
 *   HTTP_STREAM_END    the body is complete;
 *   HTTP_STREAM_ERROR  abort (the connection is closed; a chunked body
 *                      ends without its terminating chunk, so the client
 *                      sees an error).
 * Between calls the server checks for shutdown and for a client that went
 * away; either ends the stream.  free(ctx) is called exactly once, when the
 * response is done (sent, aborted, or never started because this call
 * failed) — ownership of ctx passes to the server on this call.
 * size < 0: unknown length → chunked transfer encoding (HTTP/1.1).
 * No suspend/resume: with a thread per connection, waiting inside read()
 * is cheap and keeps callers simple (see server.c). */
#define HTTP_STREAM_END   ((ssize_t)-1)
#define HTTP_STREAM_ERROR ((ssize_t)-2)
typedef ssize_t (*http_stream_read_fn)(void *ctx, uint64_t pos, char *buf, size_t max);
int http_respond_stream(struct http_req *req, unsigned status, const char *content_type,
                        int64_t size, http_stream_read_fn read, void *ctx, void (*free_ctx)(void *));
/* True once the server is shutting down (read callbacks may poll it). */
bool http_stream_stopping(const struct http_server *srv);
struct http_server *http_req_server(const struct http_req *req);

/* A file, honouring a "Range: bytes=…" header (one range → 206 with
 * Content-Range; a range past the end → 416; several ranges → the whole
 * file, 200).  Sends Accept-Ranges.  The file's size is taken when this is
 * called (a segment still being written is served up to that size).
 * http_respond_file: 0, WW_ENOTFOUND, or -errno.  http_respond_fd takes
 * ownership of fd (closed in all cases). */
int http_respond_file(struct http_req *req, const char *path, const char *content_type);
int http_respond_fd(struct http_req *req, int fd, const char *content_type);
/* MIME type from a file name's extension ("application/octet-stream"). */
const char *http_mime_type(const char *path);

/* Counted bodies — downloads the audit follows to their end.
 * http_resp_count(req, done, arg) makes the next body response this handler
 * builds (http_respond_data, _fd, _file or _stream) count the bytes it
 * hands to the connection.  done(arg, cat, sent) is then called exactly
 * once, when that response is finished — sent, cut short by the client or
 * the server's stop, or replaced before it started — or, if the handler
 * ends up answering with something else (an error), when the request
 * completes, with bytes 0 and that status.  It runs on the connection's
 * thread (or the thread stopping the server) after the request's arena and
 * catalog may be gone: arg must own what done needs, and done frees it.
 * cat is a connection from the server's pool for done's own writes (NULL
 * if none could be opened), valid only during the call.
 * What "bytes" means: the body bytes written to the client's socket, plus
 * the block being written (MHD asks a body for its next 64 KiB block only
 * after the previous one went into the socket).  A finished transfer: all
 * of them.  One the client cut short: an upper bound — what the kernel's
 * socket buffers still held (up to a few MiB) never reached the client.
 * A counted file is read with pread (no sendfile). */
struct http_sent {
    unsigned status;          /* the response's status (200, 206, 404, …) */
    uint64_t offset, length;  /* the part of the file served (Range); else 0, body size */
    uint64_t bytes;           /* body bytes handed to the connection */
    bool complete;            /* the whole body was handed over */
};
typedef void (*http_sent_fn)(void *arg, catalog_t *cat, const struct http_sent *sent);
void http_resp_count(struct http_req *req, http_sent_fn done, void *arg);

/* ---- hub-signed requests (hubcanon.c, hubsign.c; docs/province.md "Hub → station
 * requests") --------------------------------------------------------------------
 * The province hub signs, with its Ed25519 secret key, the canonical string
 *     "wardwatch-hub-request-v2\n" METHOD "\n" TARGET "\n" TIME "\n" NONCE "\n"
 *     STATION "\n" USER "\n" ROLE "\n" BODY_SHA256 "\n"
 * (TARGET = path and query exactly as sent; TIME = Unix seconds; NONCE = 32
 * lowercase hex; BODY_SHA256 = 64 lowercase hex of the body's SHA-256, the
 * empty body's for a GET; no field may hold a byte outside its set, so none
 * can hold a newline) and sends it in the headers below.  A station lets it
 * in only with a good signature by the hub key stored at `station join`,
 * |time skew| <= HTTP_HUB_SKEW_S, a nonce not seen in the last
 * HTTP_HUB_NONCE_TTL_S, its own station id and a body (at most
 * HTTP_HUB_BODY_MAX bytes) whose hash is the signed one; the request then
 * runs as the station's province role, named "province:USER@hub" in the
 * audit.  Methods: GET/HEAD anywhere the role reaches, POST only to the
 * targets http_hub_post_target_ok accepts.  The v1 string (the same lines
 * without BODY_SHA256, tag "wardwatch-hub-request-v1", no body header) is
 * still let in for GET/HEAD without a body, so a hub not yet upgraded keeps
 * its read-only forwarding; v1 can never POST.
 * Anything else carrying one of the headers is 401 (never the cookie). */
#define HTTP_HUB_HDR_SIGNATURE "X-WW-Hub-Signature"
#define HTTP_HUB_HDR_TIME "X-WW-Hub-Time"
#define HTTP_HUB_HDR_NONCE "X-WW-Hub-Nonce"
#define HTTP_HUB_HDR_USER "X-WW-Hub-User"
#define HTTP_HUB_HDR_ROLE "X-WW-Hub-Role"
#define HTTP_HUB_HDR_STATION "X-WW-Hub-Station"
#define HTTP_HUB_HDR_BODY "X-WW-Hub-Body-SHA256"
enum {
    HTTP_HUB_SKEW_S = 60,
    HTTP_HUB_NONCE_TTL_S = 120,
    HTTP_HUB_NONCES = 4096,      /* nonces remembered at once (then 401 "try again") */
    HTTP_HUB_TARGET_MAX = 2048,
    HTTP_HUB_SIG_B64 = 89,       /* base64 of 64 bytes + NUL */
    HTTP_HUB_BODY_MAX = 64 * 1024, /* a hub request's body: an export's or a bundle's JSON */
    HTTP_HUB_SHA256_HEX = 65,    /* 64 hex + NUL */
};
/* The signed facts of one request; all strings borrowed.  body_sha256 NULL
 * = a v1 claim (no body line); else 64 lowercase hex = v2. */
struct http_hub_claim {
    const char *method, *target, *nonce, *station, *user, *role;
    const char *body_sha256;
    int64_t time_s;
};
/* Every field present and of its character set and length. */
bool http_hub_claim_ok(const struct http_hub_claim *c);
/* The canonical string (malloc'd; free()), or NULL when a field is malformed. */
char *http_hub_canonical(const struct http_hub_claim *c);
/* sk: libsodium's 64-byte Ed25519 secret key.  0 or WW_EINVAL. */
int http_hub_sign(const struct http_hub_claim *c, const unsigned char sk[64], char sig_b64[HTTP_HUB_SIG_B64]);
/* 0 when sig_b64 is pk's signature of c; WW_EAUTH when not; WW_EINVAL when
 * the claim or the signature is malformed. */
int http_hub_verify(const struct http_hub_claim *c, const char *sig_b64, const unsigned char pk[32]);
/* The lowercase hex SHA-256 of n bytes at body (n may be 0, body NULL). */
void http_hub_body_sha256(const void *body, size_t n, char hex[HTTP_HUB_SHA256_HEX]);
/* The only targets a hub request may POST to, exactly (no query, no
 * encoding): "/api/v1/cameras/{id}/exports" (id 1..19 digits, no leading
 * 0) and "/api/v1/search/place/bundle".  Both the hub and the station ask
 * this one function. */
bool http_hub_post_target_ok(const char *target);
/* The nonces seen in the last HTTP_HUB_NONCE_TTL_S (a fixed table; thread-safe). */
struct http_hub_nonce { char nonce[32]; int64_t seen_s; /* 0 = free */ };
struct http_hub_nonces {
    pthread_mutex_t mu;
    struct http_hub_nonce e[HTTP_HUB_NONCES];
};
void http_hub_nonces_init(struct http_hub_nonces *t);
void http_hub_nonces_free(struct http_hub_nonces *t);
/* Records nonce (32 hex chars) seen at now_s: 0 when new, WW_ECONFLICT when
 * seen within the TTL (a replay), -ENOSPC when the table is full. */
int http_hub_nonce_take(struct http_hub_nonces *t, const char *nonce, int64_t now_s);
/* The request target as received: path and query, undecoded. */
const char *http_req_target(const struct http_req *req);
/* The other way: every answer to a hub request the station let in carries
 * HTTP_HUB_HDR_ANSWER, the station's own Ed25519 signature (its
 * station.key, whose public half the hub stored at enrolment) of
 *     "wardwatch-station-answer-v1\n" NONCE "\n" STATION "\n" USER "\n"
 * so the hub knows the station it enrolled answered this very request (a
 * fresh nonce each time) and not whatever sits at the URL.  A refusal
 * (401) is not signed.  Same return codes as http_hub_sign / _verify. */
#define HTTP_HUB_HDR_ANSWER "X-WW-Station-Signature"
char *http_hub_answer_canonical(const char *nonce, const char *station, const char *user);
int http_hub_answer_sign(const char *nonce, const char *station, const char *user, const unsigned char sk[64],
                         char sig_b64[HTTP_HUB_SIG_B64]);
int http_hub_answer_verify(const char *nonce, const char *station, const char *user, const char *sig_b64,
                           const unsigned char pk[32]);

/* ---- users, sessions ------------------------------------------------------------ */
struct http_user {
    int64_t id;
    const char *username, *display_name;  /* display_name may be NULL */
    enum catalog_role role;
    int64_t ward_id;   /* officer/viewer; 0 otherwise */
    int64_t owner_id;  /* owner; 0 otherwise */
};
/* The signed-in user (from the ww_session cookie), or NULL.  Non-public
 * routes only reach their handler with a user. */
const struct http_user *http_req_user(struct http_req *req);

/* Ends every session of user_id except the caller's own (after a password
 * change or when disabling a user).  Uses the request's catalog. */
int http_sessions_revoke(struct http_req *req, int64_t user_id);

/* Password hashing (argon2id, libsodium's INTERACTIVE limits).  At most a
 * few run at once — each takes 64 MiB — so a burst of sign-ins waits
 * instead of exhausting memory.  Thread-safe.  hash: heap string (free()). */
int http_password_hash(const char *password, char **hash);
bool http_password_verify(const char *hash, const char *password);
/* Password verifications run since start (dummy ones included).  Any thread. */
long long http_password_checks(void);
/* Password policy: 10..256 bytes, not all one character.  NULL if
 * acceptable, else a static English reason. */
const char *http_password_weak(const char *password);

/* ---- authorization ---------------------------------------------------------------
 * The whole permission model is in authz.c; every handler that touches a
 * camera or a ward's data calls one of these first.  The rule for answers:
 *   no session                              → WW_EAUTH    (401)
 *   object outside the caller's scope, or
 *   no such object                          → WW_ENOTFOUND (404, do not
 *                                              leak that it exists)
 *   in scope but the role may not do it     → WW_EPERM    (403)
 * Matrix (camera actions; decided by community_decide_camera, these bits are
 * community.h's COMMUNITY_RIGHT_*):
 *             VIEW LIVE PLAYBACK EXPORT MANAGE AUDIT CREDENTIALS  scope
 *   admin      ✓    ✓     ✓       ✓      ✓      ✓       ✓         all cameras
 *   province   ✓    ✓     ✓       ✓      –      –       –         all cameras
 *   officer    ✓    ✓     ✓       ✓      ✓      –       –         cameras of own ward
 *   viewer     ✓    ✓     ✓       –      –      –       –         cameras of own ward
 *   owner      ✓    –     –       –      –      ✓       –         own cameras
 * (MANAGE = edit a camera; deleting one is admin only, by route gate.
 * CREDENTIALS = decide where a camera's stored password may go: change the
 * URL of a camera that has stored credentials, allow Basic auth.  Anyone
 * with MANAGE may still give a camera new credentials, which are write-only.)
 * Ward actions:
 *             READ WRITE REVIEW ADMIN   scope
 *   admin      ✓    ✓     ✓      ✓     all wards
 *   province   ✓    –     ✓      –     all wards
 *   officer    ✓    ✓     –      –     own ward
 *   viewer     –    –     –      –     own ward
 *   owner      –    –     –      –     none
 */
enum {
    AUTHZ_VIEW     = 1 << 0,  /* see the camera and its state */
    AUTHZ_LIVE     = 1 << 1,
    AUTHZ_PLAYBACK = 1 << 2,  /* recordings, timeline, events, thumbnails */
    AUTHZ_EXPORT   = 1 << 3,
    AUTHZ_MANAGE   = 1 << 4,  /* edit the camera */
    AUTHZ_AUDIT    = 1 << 5,  /* read the camera's audit rows */
    AUTHZ_CREDENTIALS = 1 << 6, /* move or expose stored credentials (issue 11 item 1) */

    AUTHZ_WARD_READ   = 1 << 8,  /* incidents, statistics, criteria of the ward */
    AUTHZ_WARD_WRITE  = 1 << 9,  /* record incidents, self-assess criteria */
    AUTHZ_WARD_REVIEW = 1 << 10, /* province review of criteria/statistics */
    AUTHZ_WARD_ADMIN  = 1 << 11, /* edit the ward itself */
};
/* What the decision needs to know about a camera. */
struct authz_camera_facts {
    bool exists;
    int64_t ward_id, owner_id;  /* 0 = none */
};
/* The pure decision (no I/O): 0, WW_EAUTH, WW_ENOTFOUND or WW_EPERM.
 * actions may combine several bits: all must be allowed. */
int http_authz_decide_camera(const struct http_user *u, const struct authz_camera_facts *cam,
                             unsigned actions);
/* Whether a ward id exists (0 = no ward = false). */
int http_ward_exists(catalog_t *cat, int64_t ward_id, bool *exists);
/* ward_exists = false → WW_ENOTFOUND for everyone. */
int http_authz_decide_ward(const struct http_user *u, int64_t ward_id, bool ward_exists,
                           unsigned actions);
/* Request-level checks: look the camera/ward up and decide; set the error
 * message.  Return as is from the handler on non-zero. */
int http_authz_camera(struct http_req *req, int64_t camera_id, unsigned actions);
int http_authz_ward(struct http_req *req, int64_t ward_id, unsigned actions);
/* Using a camera's pictures: community_may (the one rule: scope, role,
 * then the owner's consent now — community/access.c).  action is one of
 * AUTHZ_LIVE (live, wall, snapshot, probe still), AUTHZ_PLAYBACK (recorded
 * video) or AUTHZ_EXPORT (export, bundle).  Refusal for want of consent:
 * 403 with error code "no_consent" and the reason in both languages (the
 * answer is set; the return is WW_EPERM so the handler returns it as is).
 * *until_us (may be NULL) gets the end of the agreement in force (0 =
 * open): a stream opened now must end there. */
int http_authz_use(struct http_req *req, int64_t camera_id, unsigned action, int64_t *until_us);
/* The same question answered without answering the request: community_may
 * (community/community.h) for the signed-in user, now.  0 with *ans set, or
 * WW_EDB.  For callers that report refusals their own way (wall tiles). */
struct community_answer;
int http_authz_may(struct http_req *req, int64_t camera_id, unsigned action, struct community_answer *ans);
/* The signed-in user as community's rules take it (plain data), for
 * community calls that answer for a user (place search, bundles): 0, or
 * WW_EAUTH with the message set when nobody is signed in. */
struct community_user;
int http_req_community_user(struct http_req *req, struct community_user *out);
/* The consent half alone (community_may asked by the station), answering
 * nothing: 0, WW_EPERM (no consent, or no such camera) or WW_EDB. */
int http_consent_now(struct http_req *req, int64_t camera_id, unsigned action, int64_t *until_us);
/* Whether the owner's consent still allows `action` on the camera at this
 * moment — for a stream already open, asked about once a second from its
 * reader (borrows a catalog connection from the pool).  0 = still allowed,
 * WW_EPERM = no longer, WW_EDB = the catalog could not say (the caller
 * ends the stream: deny when unsure).  Any thread. */
int http_consent_holds(struct http_server *srv, int64_t camera_id, unsigned action);
/* An open stream's consent watch: the stream's reader calls
 * http_consent_watch_holds before each read; at most once a second it asks
 * http_consent_holds, and at the agreement's end it answers false at once.
 * So a withdrawal or the end of the window ends every open live view, wall
 * tile and playback within about a second (the issue asks ≤ 5 s).  The
 * struct is the stream's own (one reader thread); no locking. */
struct http_consent_watch {
    struct http_server *srv;
    int64_t camera_id, until_us, next_mono_us;
    unsigned action;
    bool ended;
};
void http_consent_watch_init(struct http_consent_watch *w, struct http_req *req, int64_t camera_id,
                             unsigned action, int64_t until_us);
bool http_consent_watch_holds(struct http_consent_watch *w);
/* The console's reason for a refusal of `action` for want of consent. */
const char *http_consent_reason(unsigned action);
/* The codes a consent refusal carries (error.reason and error.field, which
 * the console words): "consent_ended" / "consent_not_yet" /
 * "consent_missing" for the answer's why, and the use ("live", "playback",
 * "export") for action.  Static strings. */
const char *http_consent_reason_code(int why);
const char *http_consent_field(unsigned action);
/* Which cameras (or wards) the caller may act on with `actions`, for list
 * endpoints: all = true means every one (no filter needed; ids/n unset);
 * otherwise ids (in the request arena, possibly empty) lists them.  One
 * struct so each list handler asks and filters in two lines. */
struct http_scope {
    bool all;
    const int64_t *ids;
    size_t n;
};
int http_authz_camera_scope(struct http_req *req, unsigned actions, struct http_scope *out);
/* Same for wards (ward actions). */
int http_authz_ward_scope(struct http_req *req, unsigned actions, struct http_scope *out);
/* Whether id is in the scope (all, or listed). */
bool http_scope_has(const struct http_scope *s, int64_t id);

/* ---- the console's Content-Security-Policy ----------------------------------------
 * Every HTML page of the console gets one CSP (static.c).  Its img-src is
 * exactly "'self' data: blob:" plus the host of the configured map tile URL
 * (setting HTTP_SETTING_TILE_URL, written by PUT /api/v1/map/settings):
 * nothing else may be loaded as an image, so markup that slipped into a
 * page could not beacon out through an <img>. */
#define HTTP_SETTING_TILE_URL "map.tile_url"
/* The CSP source of a tile URL's host: "https://tiles.example.org:8443",
 * "https:" + "//" + "*.tile.example.org" for a leading "{s}." (Leaflet's
 * subdomains a, b, c),
 * "host" for a scheme-relative "//host/…".  0 with *source NULL when none is
 * needed (empty, or a path on this box: 'self').  WW_EINVAL when the host
 * cannot be written as a CSP source (a placeholder elsewhere in the host,
 * user info, odd characters).  *source: malloc'd, caller frees. */
int http_csp_tile_source(const char *tile_url, char **source);

/* ---- audit -------------------------------------------------------------------------
 * Appends an audit row for this request: user and client address from the
 * request, action (CAT_AUDIT_* in catalog/catalog_audit.h), camera (0 = none),
 * footage range (0,0 = none), detail (JSON object or NULL; reference
 * STOLEN).  Call it when access is granted and about to happen (live view
 * started, playback range served, export begun).  Failure is logged and
 * returned; a handler serving footage should refuse (500) if the audit row
 * cannot be written.  Uses the request's catalog (handler thread only). */
int http_audit(struct http_req *req, const char *action, int64_t camera_id, int64_t from_us,
               int64_t to_us, json_t *detail);
/* Ends a change made in a catalog_begin transaction on the request's
 * catalog, rc being the change's result: when 0, its audit row
 * (http_audit) in the same transaction, then the commit; when anything
 * failed, the rollback.  detail is STOLEN either way.  0 or the first
 * failure. */
int http_audit_commit(struct http_req *req, int rc, const char *action, int64_t camera_id, int64_t from_us,
                      int64_t to_us, json_t *detail);

#endif
