/*
 * serve_http.c — starts the console's HTTP server for `serve` and registers
 * every API route with the running engine.
 */
#include "cli/serve_http.h"

#include <stdlib.h>

#include "base/base.h"

#if __has_include("api/api.h")
#include "api/api.h"
#include "http/http.h"

struct serve_http { struct http_server *srv; struct api_ctx actx; char *db; };

/* GET /metrics's access from serve's options: the allow-list (checked
 * already by serve's option table, so a failure here is a bug) and the
 * token file, read now — a file that cannot be used stops serve rather
 * than leaving the metrics open or closed by surprise. */
static int metrics_access(const struct serve_http_opts *opts, struct api_metrics_access *a)
{
    const char *allow = opts && opts->metrics_allow ? opts->metrics_allow : API_METRICS_ALLOW_DEFAULT;
    if (api_metrics_allow_parse(allow, a)) {
        ww_error("http", "--metrics-allow '%s' is not a list of addresses", allow);
        return WW_EINVAL;
    }
    const char *why;
    int rc = opts && opts->metrics_token_file ? api_metrics_token_load(opts->metrics_token_file, a, &why) : 0;
    if (rc) ww_error("http", "--metrics-token-file %s: %s (%s)", opts->metrics_token_file, why, ww_strerror(rc));
    return rc;
}

/* A camera changed through the API: let the recorder follow at once. */
static void camera_changed(void *arg, int64_t camera_id, bool removed)
{
    (void)camera_id; (void)removed;
    if (arg) engine_kick(arg);
}

int serve_http_start(const char *data_dir, const char *listen, const struct serve_http_opts *opts,
                     engine_t *eng, struct serve_http **out)
{
    struct serve_http *s = ww_calloc(1, sizeof *s);
    int rc = metrics_access(opts, &s->actx.metrics);
    if (rc) {
        free(s);
        return rc;
    }
    s->db = ww_asprintf("%s/wardwatch.db", data_dir);
    struct http_config hc = {.listen = listen, .db_path = s->db,
                             .session_max_us = opts ? opts->session_max_us : 0,
                             .secure_cookie = opts && opts->secure_cookie,
                             .trusted_proxy = opts ? opts->trusted_proxy : NULL,
                             .max_conn_per_ip = opts ? opts->max_conn_per_ip : 0,
                             .header_timeout_us = opts ? opts->header_timeout_us : 0,
                             .body_timeout_us = opts ? opts->body_timeout_us : 0};
    rc = http_server_start(&hc, &s->srv);
    if (rc) {
        ww_error("http", "cannot listen on %s: %s", listen, ww_strerror(rc));
        free(s->db);
        free(s);
        return rc;
    }
    s->actx.data_dir = data_dir;
    s->actx.db_path = s->db;
    s->actx.engine = eng;
    s->actx.retention = opts ? opts->retention : (struct rec_retention_cfg){.min_free_bytes = REC_FLOOR_AUTO};
    s->actx.camera_changed = camera_changed;
    s->actx.camera_changed_arg = eng;
    api_register_all(s->srv, &s->actx);
    ww_info("http", "console on http://%s", listen);
    *out = s;
    return 0;
}

void serve_http_stop(struct serve_http *s)
{
    if (!s) return;
    http_server_stop(s->srv);
    free(s->db);
    free(s);
}
#else
struct serve_http { int unused; };

int serve_http_start(const char *data_dir, const char *listen, engine_t *eng, struct serve_http **out)
{
    (void)data_dir; (void)eng;
    ww_warn("http", "the console is not part of this build yet; not listening on %s", listen);
    *out = NULL;
    return 0;
}

void serve_http_stop(struct serve_http *s) { (void)s; }
#endif
