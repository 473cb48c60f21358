/*
 * view_end.c — the end of a live view in the audit trail (issue 17 item 10:
 * an owner sees start–end of every look, and only views still open read
 * "đang xem").  The live_view row is written before a byte leaves (as
 * every look is); this adds one live_view_end row per camera when the
 * response finishes — the viewer closed it, the consent ended it, or the
 * server stopped — through http_resp_count's hook, which runs on the
 * connection's thread with a pooled catalog after the request is gone.  So
 * struct api_view_end owns copies of everything the rows need.
 *
 * A server killed with -9 writes no end row: the portal then shows the view
 * as ended at an unknown time once it is older than a session can be.
 */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/cat_audit.h"

struct api_view_end {
    int64_t user_id;
    char *username, *client_addr, *stream;
    bool wall;
    size_t n, cap;
    int64_t *cams, *starts;
};

struct api_view_end *api_view_end_new(struct http_req *req, const char *stream, bool wall)
{
    const struct http_user *u = http_req_user(req);
    struct api_view_end *v = ww_calloc(1, sizeof *v);
    v->user_id = u ? u->id : 0;
    v->username = ww_strdup(u ? u->username : "");
    const char *addr = http_req_client_addr(req);
    v->client_addr = addr ? ww_strdup(addr) : NULL;
    v->stream = ww_strdup(stream ? stream : "main");
    v->wall = wall;
    return v;
}

void api_view_end_add(struct api_view_end *v, int64_t camera_id, int64_t start_us)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? 2 * v->cap : 4;
        v->cams = ww_realloc(v->cams, v->cap * sizeof *v->cams);
        v->starts = ww_realloc(v->starts, v->cap * sizeof *v->starts);
    }
    v->cams[v->n] = camera_id;
    v->starts[v->n++] = start_us;
}

static void view_free(struct api_view_end *v)
{
    free(v->username);
    free(v->client_addr);
    free(v->stream);
    free(v->cams);
    free(v->starts);
    free(v);
}

static void view_done(void *arg, catalog_t *cat, const struct http_sent *s)
{
    struct api_view_end *v = arg;
    int64_t end = ww_wall_us();
    for (size_t i = 0; i < v->n; i++) {
        json_t *d = json_pack("{s:s,s:b,s:I}", "stream", v->stream, "wall", v->wall, "bytes", (json_int_t)s->bytes);
        char *text = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(d);
        struct catalog_audit a = {.user_id = v->user_id, .username = v->username, .action = CATALOG_AUDIT_LIVE_VIEW_END,
                              .camera_id = v->cams[i], .range_from_us = v->starts[i],
                              .range_to_us = end > v->starts[i] ? end : v->starts[i] + 1,
                              .client_addr = v->client_addr, .detail = text};
        int rc = cat ? catalog_audit_append(cat, &a) : WW_EDB;
        if (rc) ww_error("audit", "cannot record the end of %s's live view of camera %lld: %s", v->username,
                         (long long)v->cams[i], ww_strerror(rc));
        free(text);
    }
    view_free(v);
}

void api_view_end_arm(struct http_req *req, struct api_view_end *v)
{
    if (!v->n) { view_free(v); return; }
    http_resp_count(req, view_done, v);
}
