/*
 * cli/serve_http.h — the console half of `serve`: starts the HTTP server
 * with every API route registered.  Kept apart from serve.c so the
 * recorder can be built and tested while the console grows.
 */
#ifndef WW_CLI_SERVE_HTTP_H
#define WW_CLI_SERVE_HTTP_H

#include "engine/engine.h"

struct serve_http;
/* listen is "ADDR:PORT".  0 or a negative code (logged). */
/* Console options from serve's command line (zero = defaults). */
struct serve_http_opts {
    int64_t session_max_us;   /* absolute session lifetime; 0 → 12 h */
    bool secure_cookie;       /* Secure on the session cookie */
    const char *trusted_proxy; /* reverse proxies whose X-Forwarded-Proto counts */
    int max_conn_per_ip;      /* 0 → 32; < 0 → no per-address limit */
    int64_t header_timeout_us; /* 0 → 10 s */
    int64_t body_timeout_us;   /* 0 → 30 s */
    struct rec_retention_cfg retention; /* serve's quota and floor, for GET /api/v1/storage */
    const char *metrics_allow;      /* GET /metrics client addresses; NULL → 127.0.0.1,::1 */
    const char *metrics_token_file; /* its bearer token, read once at start; NULL = none */
};
int serve_http_start(const char *data_dir, const char *listen, const struct serve_http_opts *opts,
                     engine_t *eng, struct serve_http **out);
void serve_http_stop(struct serve_http *s);   /* NULL-safe */

#endif
