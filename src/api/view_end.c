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
    struct api_who who;
    char *stream;
    bool wall;
    size_t n, cap;
    int64_t *cams, *starts;
};

struct api_view_end *api_view_end_new(struct http_req *req, const char *stream, bool wall)
{
    struct api_view_end *v = ww_calloc(1, sizeof *v);
    api_who_init(&v->who, req);
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
    api_who_clear(&v->who);
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
        api_who_audit(cat, &v->who, CATALOG_AUDIT_LIVE_VIEW_END, v->cams[i], v->starts[i],
                      end > v->starts[i] ? end : v->starts[i] + 1, d, NULL);
        json_decref(d);
    }
    view_free(v);
}

void api_view_end_arm(struct http_req *req, struct api_view_end *v)
{
    if (!v->n) { view_free(v); return; }
    http_resp_count(req, view_done, v);
}
