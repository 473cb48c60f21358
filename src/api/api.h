/*
 * api: the console's JSON resources under /api/v1/, one file per resource
 * (cameras.c, users.c, … and the recorder-side ones: live.c, playback.c,
 * export.c, health.c, recordings.c, events.c, incidents.c, stats.c,
 * criteria.c).  Each file exports one api_<name>_register() that adds its
 * routes with http_route(); api_register_all() calls them all in the order
 * of the table in api.c — adding a resource is one line there.
 *
 * Handlers follow http.h's contract: validate, check permissions with
 * http_authz_*, act on http_req_catalog(req), answer with http_respond_* or
 * return a negative code.  Every look at footage and every change is
 * recorded with http_audit().
 *
 * Threads: handlers run on HTTP connection threads (http.h); api_ctx is
 * read-only after api_register_all and shared by all of them.
 * Memory: the ctx passed to api_register_all must outlive the server (the
 * handlers keep a pointer to it); JSON helpers below return new references.
 */
#ifndef WW_API_H
#define WW_API_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "base/base.h"
#include "catalog/catalog.h"
#include "http/http.h"

#include "engine/engine.h"

/* Who may read GET /metrics (metrics.c): clients at an allowed address,
 * or with "Authorization: Bearer TOKEN".  Plain data, filled once at start
 * (api_metrics_allow_parse, api_metrics_token_load), read-only after. */
#define API_METRICS_ALLOW_MAX 32
struct api_net { uint8_t addr[16]; int prefix; };   /* IPv4 as ::ffff:a.b.c.d, prefix in v6 bits */
struct api_metrics_access {
    struct api_net allow[API_METRICS_ALLOW_MAX];
    size_t nallow;
    bool token_set;
    uint8_t token_sha256[32];  /* the token itself is not kept */
};
#define API_METRICS_ALLOW_DEFAULT "127.0.0.1,::1"
#define API_METRICS_TOKEN_MIN 16

struct api_ctx {
    const char *data_dir;          /* the data folder; recordings under <data_dir>/rec */
    const char *db_path;           /* its catalog, <data_dir>/wardwatch.db */
    engine_t *engine;              /* the recorder; NULL with `serve --no-record`, tests */
    struct rec_retention_cfg retention; /* serve's quota and floor at start (api_retention) */
    /* Told after the API added, changed or removed a camera, so the
     * recorder can start/stop/reconfigure it.  May be NULL.  Runs on an HTTP
     * thread after the change is committed; must not block for long. */
    void (*camera_changed)(void *arg, int64_t camera_id, bool removed);
    void *camera_changed_arg;
    /* GET /metrics's access; zeroed = nobody (the route answers 403 to all). */
    struct api_metrics_access metrics;
};

/* Registers every resource's routes.  0 or the first failing code. */
int api_register_all(struct http_server *srv, const struct api_ctx *ctx);

/* ---- per-resource registration (one per file) ------------------------------ */
int api_cameras_register(struct http_server *srv, const struct api_ctx *ctx);
int api_wards_register(struct http_server *srv, const struct api_ctx *ctx);
int api_users_register(struct http_server *srv, const struct api_ctx *ctx);
int api_owners_register(struct http_server *srv, const struct api_ctx *ctx);
int api_audit_register(struct http_server *srv, const struct api_ctx *ctx);
/* Written by the recorder and ward engineers; add yours to api.c's table. */
int api_live_register(struct http_server *srv, const struct api_ctx *ctx);
int api_playback_register(struct http_server *srv, const struct api_ctx *ctx);
int api_export_register(struct http_server *srv, const struct api_ctx *ctx);
int api_health_register(struct http_server *srv, const struct api_ctx *ctx);
int api_recordings_register(struct http_server *srv, const struct api_ctx *ctx);
int api_events_register(struct http_server *srv, const struct api_ctx *ctx);
/* Per-camera motion settings, zone-editor snapshot, live motion state, webhook URL
 * (motion_settings.c). */
int api_motion_register(struct http_server *srv, const struct api_ctx *ctx);
int api_holds_register(struct http_server *srv, const struct api_ctx *ctx);
/* The quota and floor in force: the engine's (a SIGHUP may have changed
 * them), else ctx->retention (storage.c).  Any thread. */
void api_retention(const struct api_ctx *ctx, struct rec_retention_cfg *out);
/* GET /api/v1/storage: recorded, held and free bytes and the retention plan (storage.c). */
int api_storage_register(struct http_server *srv, const struct api_ctx *ctx);
/* GET /api/v1/incidents/{id}/evidence: the case file (evidence.c). */
int api_evidence_register(struct http_server *srv, const struct api_ctx *ctx);
int api_verify_register(struct http_server *srv, const struct api_ctx *ctx);
int api_map_register(struct http_server *srv, const struct api_ctx *ctx);
int api_incidents_register(struct http_server *srv, const struct api_ctx *ctx);
int api_stats_register(struct http_server *srv, const struct api_ctx *ctx);
int api_criteria_register(struct http_server *srv, const struct api_ctx *ctx);
/* Community cameras: consent, probe, alerts, availability, map, place search,
 * bundles (community.c and community_*.c). */
int api_community_register(struct http_server *srv, const struct api_ctx *ctx);

/* GET /metrics: the Prometheus text exposition (metrics.c). */
int api_metrics_register(struct http_server *srv, const struct api_ctx *ctx);
/* "ADDR[/PREFIX][,ADDR[/PREFIX]…]" (IPv4 or IPv6) into a->allow, replacing
 * what was there.  0, or WW_EINVAL (nothing changed) for an empty list, a
 * bad address or prefix, or more than API_METRICS_ALLOW_MAX entries. */
int api_metrics_allow_parse(const char *list, struct api_metrics_access *a);
/* Reads the bearer token from path (surrounding white space dropped) and
 * keeps its SHA-256.  0, or -errno / WW_EINVAL (shorter than
 * API_METRICS_TOKEN_MIN bytes, or more than one line) with *why a static
 * English reason. */
int api_metrics_token_load(const char *path, struct api_metrics_access *a, const char **why);
/* Whether a request from client_addr (as http_req_client_addr gives it)
 * with this Authorization header (NULL: none) may read the metrics: the
 * address is in the allow-list, or the header is "Bearer TOKEN" with the
 * loaded token (compared in constant time, over the SHA-256s).  Pure. */
bool api_metrics_allowed(const struct api_metrics_access *a, const char *client_addr, const char *authorization);

/* ---- the Prometheus text format writer (metrics_text.c) ------------------------
 * Text exposition format 0.0.4.  A family (one metric name) is opened with
 * metrics_family — "# HELP" and "# TYPE" once — and its samples follow it,
 * all in one group as the format wants.  Label values and help texts are
 * escaped here (\\, \", \n); names are the caller's literals (asserted
 * to match [a-zA-Z_:][a-zA-Z0-9_:]*, counters to end in _total).  The
 * buffer is the caller's (ww_buf_free). */
enum metrics_type { METRICS_COUNTER, METRICS_GAUGE, METRICS_HISTOGRAM };
struct metrics_label { const char *name, *value; };
struct metrics_w {
    struct ww_buf out;
    const char *family;        /* the open family's name */
    enum metrics_type type;
};
void metrics_family(struct metrics_w *w, const char *name, enum metrics_type type, const char *help);
/* One sample of the open counter or gauge family; labels[0..nl). */
void metrics_int(struct metrics_w *w, const struct metrics_label *labels, size_t nl, int64_t v);
void metrics_double(struct metrics_w *w, const struct metrics_label *labels, size_t nl, double v);
/* One series of the open histogram family, in seconds: NAME_bucket{…,le}
 * cumulative up to le="+Inf" (= NAME_count), NAME_sum, NAME_count. */
void metrics_hist(struct metrics_w *w, const struct metrics_label *labels, size_t nl, const struct ww_hist_snap *h);

/* ---- shared JSON helpers ------------------------------------------------------ */
/* µs since the epoch → "2026-11-25T21:03:01.123+07:00" (station offset);
 * 0 → null. */
json_t *api_time(int64_t us);
/* An id, or null for 0. */
json_t *api_id(int64_t id);
/* A camera as the API shows it.  Credentials never appear: only
 * has_credentials.  with_urls: include main_url/sub_url/transport (the
 * caller may MANAGE the camera).  owner_id comes from the 010 column. */
json_t *api_camera_json(const struct catalog_camera *c, int64_t owner_id, bool with_urls);
/* Its first part, who and where: id, name, address, latitude, longitude,
 * direction_deg, ward_id, owner_id (the community map's list starts so). */
json_t *api_camera_place_json(const struct catalog_camera *c, int64_t owner_id);
/* The cameras the caller may act on with `actions` (AUTHZ_* camera bits),
 * by scope and role: community_cameras for the signed-in user, the list
 * every camera list starts from.  Free with catalog_camera_list_free. */
int api_cameras(struct http_req *req, unsigned actions, struct catalog_camera **v, size_t *n);

/* Answers {key: list}, the list from list(cat, &a) (the ward module's
 * *_json listings); cat NULL → WW_EDB. */
int api_respond_listed(struct http_req *req, catalog_t *cat, int (*list)(catalog_t *cat, json_t **out),
                       const char *key);

/* A row lookup's result rc: WW_ENOTFOUND answered 404 "no such <what>",
 * any other code returned as it is.  For `return api_found(req, rc, "x")`. */
int api_found(struct http_req *req, int rc, const char *what);
/* The check of a row that belongs to a camera (an export, a hold, an
 * alert): http_authz_camera(actions), a camera out of the caller's scope
 * answered as a missing row ("no such <what>": its existence is not
 * revealed).  0 or the failure answered. */
int api_row_camera(struct http_req *req, int64_t camera_id, unsigned actions, const char *what);

/* The ward a reader of the ward registers (incidents, statistics, criteria)
 * is held to, from http_authz_ward_scope(AUTHZ_WARD_READ): 0 with *ward_id
 * = 0 for every ward or the one ward of a scoped role; 1 (nothing answered)
 * when the caller may read no ward; or the failure. */
int api_read_ward(struct http_req *req, int64_t *ward_id);

/* The path's {id} and the request's catalog: 0, or the failure (a
 * malformed id answered, or WW_EDB). */
int api_param_id(struct http_req *req, int64_t *id, catalog_t **cat);
/* The request's JSON body (keys in allowed; NULL = any) and its catalog:
 * 0, or the failure (answered, or WW_EDB). */
int api_json_body(struct http_req *req, const char *const *allowed, json_t **body, catalog_t **cat);
struct catalog_incident;
/* The incident of the path's {id} for a caller who may do actions
 * (AUTHZ_WARD_*) on its ward, and the request's catalog: 0 with *inc
 * filled (catalog_incident_clear it), or the failure answered (one out of
 * the caller's scope reads as missing). */
int api_param_incident(struct http_req *req, unsigned actions, catalog_t **cat, struct catalog_incident *inc);

/* The camera of the path's {id} for a caller who may do actions on it
 * (http_authz_camera): 0 with *id set, or the failure answered (a malformed
 * id, or a camera out of the caller's scope, which reads as missing). */
int api_param_camera(struct http_req *req, unsigned actions, int64_t *id);
/* A ward id given in a request body: 0 when it is 0 (none) or names a ward,
 * else the failure answered (400 "no ward N") or the catalog's error. */
int api_ward_check(struct http_req *req, catalog_t *cat, int64_t ward_id);

/* Who an audit row written after the request names (the download and
 * live-view end rows, from http_resp_count's hook on the connection's
 * thread): copies, since the request and its arena are gone by then. */
struct api_who {
    int64_t user_id;
    char *username, *client_addr;   /* NULL: none */
};
void api_who_init(struct api_who *w, struct http_req *req);
void api_who_clear(struct api_who *w);
/* One audit row by w on cat (NULL → WW_EDB), detail as compact sorted
 * JSON (not consumed); *id (may be NULL) gets its id.  A failure is
 * logged here and returned. */
int api_who_audit(catalog_t *cat, const struct api_who *w, const char *action, int64_t camera_id, int64_t from_us,
                  int64_t to_us, json_t *detail, int64_t *id);

/* ---- audited downloads (downloads.c) ----------------------------------------
 * Call before answering with the file/manifest/bundle/member: writes one
 * start row (action: "export_download" or "bundle_download") per camera in
 * cams, with detail (a JSON object naming the export or bundle and file;
 * reference STOLEN; the Range header is added), and arranges for one
 * "download_done" row per camera, with the bytes handed to the client, when
 * the response is finished (or refused).  0, or the audit's failure with the
 * message set: the handler must then refuse the download (return it). */
int api_download_begin(struct http_req *req, const char *action, const int64_t *cams, size_t ncams,
                       int64_t from_us, int64_t to_us, json_t *detail);

/* ---- the end of a live view in the audit trail (view_end.c) ----------------
 * new → add one (camera, start) per live_view row written → arm just before
 * the stream response: when the response finishes, a live_view_end row per
 * camera records [start, end].  arm takes ownership (with nothing added it
 * just frees).  Handler thread only. */
struct api_view_end;
struct api_view_end *api_view_end_new(struct http_req *req, const char *stream, bool wall);
void api_view_end_add(struct api_view_end *v, int64_t camera_id, int64_t start_us);
void api_view_end_arm(struct http_req *req, struct api_view_end *v);

/* `wardwatch verify` on stored evidence (an export's file, a bundle's
 * folder) against this station's key, audited as `action` with `detail` (a
 * reference stolen; "ok" and "first_failure" are added) before the answer
 * {ok, first_failure, key_fingerprint, checks:[{ok,text}]} is sent.  HTTP thread. */
int api_verify_answer(struct http_req *req, const char *data_dir, const char *path, const char *action,
                      int64_t camera_id, int64_t from_us, int64_t to_us, json_t *detail);

#endif
