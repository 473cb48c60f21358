/*
 * downloads.c — the audit of every download of evidence: an export's file
 * or manifest (export.c), a bundle or one of its members
 * (community_search.c).  A manifest names the camera's owner and their
 * phone number, a file is the footage itself: both leave the station, so
 * the owner reading their camera's audit must see who took which, and how
 * much of it.
 *
 * Two rows per camera, not one row updated: the audit is a hash chain
 * (catalog/catalog_audit.h) and rows are never changed.
 *   start  (action export_download / bundle_download) — written by the
 *          handler before the response is queued, so it exists before the
 *          first byte leaves; if it cannot be written the download is
 *          refused.  Detail: what was asked for (export or bundle id, file,
 *          the Range header if any).
 *   end    (action download_done) — written when the response is finished
 *          (http_resp_count): the start row's detail plus start_id, status,
 *          offset/length of the part served and the bytes handed to the
 *          connection (see http.h for how exact that is), complete or not.
 *          A download refused after its start row (file gone) still gets its
 *          end row, with bytes 0 and the error status.
 *
 * Threads: api_download_begin on the handler's thread; the end rows on the
 * connection's thread through the pooled catalog http hands to the hook.
 * Memory: struct dl owns copies of everything the end rows need (the
 * request and its arena may be gone by then) and is freed by the hook.
 */
#include "api/api.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/cat_audit.h"

#define DONE_ACTION "download_done"

struct dl {
    struct api_who who;
    int64_t from_us, to_us;
    size_t n;                 /* start rows written */
    int64_t *cams, *start_ids;
    json_t *detail;           /* the start rows' detail */
};

static void dl_free(struct dl *d)
{
    api_who_clear(&d->who);
    free(d->cams);
    free(d->start_ids);
    json_decref(d->detail);
    free(d);
}

void api_who_init(struct api_who *w, struct http_req *req)
{
    const struct http_user *u = http_req_user(req);
    w->user_id = u ? u->id : 0;
    w->username = u ? ww_strdup(u->username) : NULL;
    w->client_addr = ww_strdup(http_req_client_addr(req));
}

void api_who_clear(struct api_who *w)
{
    free(w->username);
    free(w->client_addr);
    *w = (struct api_who){0};
}

int api_who_audit(catalog_t *cat, const struct api_who *w, const char *action, int64_t camera_id, int64_t from_us,
                  int64_t to_us, json_t *detail, int64_t *id)
{
    char *text = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);
    struct catalog_audit a = {
        .user_id = w->user_id, .username = w->username, .action = (char *)action,
        .camera_id = camera_id, .range_from_us = from_us, .range_to_us = to_us,
        .client_addr = w->client_addr, .detail = text,
    };
    int rc = cat ? catalog_audit_append(cat, &a) : WW_EDB;
    if (rc) ww_error("audit", "cannot record %s by %s on camera %lld: %s", action,
                     w->username ? w->username : "-", (long long)camera_id, ww_strerror(rc));
    else if (id) *id = a.id;
    free(text);
    return rc;
}

static int append(catalog_t *cat, const struct dl *d, const char *action, int64_t camera_id, json_t *detail,
                  int64_t *id)
{
    return api_who_audit(cat, &d->who, action, camera_id, d->from_us, d->to_us, detail, id);
}

/* http_resp_count hook: one end row per start row. */
static void dl_done(void *arg, catalog_t *cat, const struct http_sent *s)
{
    struct dl *d = arg;
    for (size_t i = 0; i < d->n; i++) {
        json_t *o = json_deep_copy(d->detail);
        json_object_set_new(o, "start_id", json_integer(d->start_ids[i]));
        json_object_set_new(o, "status", json_integer(s->status));
        json_object_set_new(o, "offset", json_integer((json_int_t)s->offset));
        json_object_set_new(o, "length", json_integer((json_int_t)s->length));
        json_object_set_new(o, "bytes", json_integer((json_int_t)s->bytes));
        json_object_set_new(o, "complete", json_boolean(s->complete && s->status < 300));
        append(cat, d, DONE_ACTION, d->cams[i], o, NULL);
        json_decref(o);
    }
    dl_free(d);
}

int api_download_begin(struct http_req *req, const char *action, const int64_t *cams, size_t ncams,
                       int64_t from_us, int64_t to_us, json_t *detail)
{
    assert(action && (cams || !ncams) && detail);
    struct dl *d = ww_calloc(1, sizeof *d);
    api_who_init(&d->who, req);
    d->from_us = from_us;
    d->to_us = to_us;
    d->detail = detail;
    const char *range = http_req_header(req, "Range");
    if (range) json_object_set_new(d->detail, "range", json_stringn(range, strnlen(range, 100)));
    d->cams = ww_calloc(ncams ? ncams : 1, sizeof *d->cams);
    d->start_ids = ww_calloc(ncams ? ncams : 1, sizeof *d->start_ids);
    catalog_t *cat = http_req_catalog(req);
    int rc = 0;
    for (size_t i = 0; i < ncams && !rc; i++) {
        rc = append(cat, d, action, cams[i], d->detail, &d->start_ids[d->n]);
        if (!rc) d->cams[d->n++] = cams[i];
    }
    /* Even a refusal closes the start rows already written (bytes 0). */
    http_resp_count(req, dl_done, d);
    return rc ? http_fail(req, rc, "cannot write the audit record; refusing the download") : 0;
}
