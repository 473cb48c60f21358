/*
 * community_alerts.c — camera-dark alerts, their thresholds and webhooks,
 * and availability.
 *
 *   GET    /api/v1/alerts[?open=1&camera=ID&from&to&limit]   alerts of cameras you may VIEW
 *   GET    /api/v1/alerts/{id}                               one, with what was done about it
 *                                                             (+ webhook deliveries for admins)
 *   GET    /api/v1/alerts/count                              {"open","unacknowledged"}: the sidebar's
 *   POST   /api/v1/alerts/{id}/acknowledge  {"text"?}        MANAGE on the camera; once per alert
 *   POST   /api/v1/alerts/{id}/actions  {"text","called_at"?,"repair_by"?}
 *                                                             a call to the owner or a note → 201
 *   GET    /api/v1/alerts/settings                           thresholds (staff)
 *   PUT    /api/v1/alerts/settings  {"ward_id","dark_after_s"} admin any ward / the default;
 *                                                             officer their own ward
 *   GET    /api/v1/alerts/webhooks                           admin
 *   POST   /api/v1/alerts/webhooks  {"url","ward_id"}        admin → 201
 *   DELETE /api/v1/alerts/webhooks/{id}                      admin → 204
 *   POST   /api/v1/alerts/webhooks/{id}/test                 admin: one POST now, the result
 *   GET    /api/v1/availability[?from&to&ward_id]            per camera / ward / day
 *
 * Alerts themselves are written by the monitor (community/monitor.c); this
 * file only reads them.  The owner's contact snapshot in an alert is
 * personal data: it is shown to admin, province, officers of the camera's
 * ward and the owner themself — not to viewers (as for /api/v1/owners).
 * An alert whose camera has been removed is visible to admin and province
 * only (nobody else's scope can be decided any more).
 *
 * Availability: time covered by the monitor's intervals (catalog
 * camera_uptime); "sampled" is the time the monitor watched, "online" the
 * part of it the main stream was up; time when serve was not running or
 * the camera was switched off is neither.  The newest interval's end lags
 * by up to one monitor tick (5 s).
 */
#include "api/community_shared.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/cat_users.h"
#include "community/community.h"
#include "notify/notify.h"

#define ACTION_SETTINGS "alert_settings_change"
#define DAY_US (86400LL * 1000000)

static json_t *action_json(const struct catalog_alert_action *x)
{
    return json_pack("{s:I,s:s,s:o,s:s,s:s,s:o,s:o}", "id", (json_int_t)x->id, "kind", x->kind, "at",
                     api_time(x->at_us), "by", x->user_name, "text", x->text ? x->text : "", "called_at",
                     api_time(x->called_us), "repair_by", api_time(x->repair_by_us));
}

/* ack: the alert's acknowledgement (id 0 = none yet). */
static json_t *alert_json(struct http_req *req, const struct catalog_alert *a, const struct catalog_alert_action *ack,
                          int64_t now)
{
    int64_t end = a->cleared_us ? a->cleared_us : now;
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(a->id));
    json_object_set_new(o, "camera_id", json_integer(a->camera_id));
    json_object_set_new(o, "camera_name", json_string(a->camera_name ? a->camera_name : ""));
    json_object_set_new(o, "ward_id", api_id(a->ward_id));
    json_object_set_new(o, "since", api_time(a->since_us));
    json_object_set_new(o, "raised", api_time(a->raised_us));
    json_object_set_new(o, "cleared", api_time(a->cleared_us));
    json_object_set_new(o, "cleared_why", a->cleared_why ? json_string(a->cleared_why) : json_null());
    json_object_set_new(o, "open", json_boolean(!a->cleared_us));
    json_object_set_new(o, "dark_for_s", json_integer((end - a->since_us) / 1000000));
    json_object_set_new(o, "reason", a->reason ? json_string(a->reason) : json_null());
    json_object_set_new(o, "reason_code", json_string(engine_reason_code_of(a->reason)));
    json_object_set_new(o, "acknowledged", ack && ack->id ? json_pack("{s:s,s:o}", "by", ack->user_name, "at",
                                                                       api_time(ack->at_us))
                                                          : json_null());
    if (community_may_see_owner(req, a->ward_id, a->owner_id) && (a->owner_name || a->owner_phone))
        json_object_set_new(o, "owner", json_pack("{s:o,s:s?,s:s?,s:s?}", "id", api_id(a->owner_id),
                                                  "name", a->owner_name, "phone", a->owner_phone,
                                                  "kind", a->owner_kind));
    else
        json_object_set_new(o, "owner", json_null());
    return o;
}

static int h_alerts(struct http_req *req, void *ud)
{
    (void)ud;
    int64_t cam, open, limit, from, to;
    int rc;
    if ((rc = http_req_query_i64(req, "camera", 1, INT64_MAX, 0, &cam)) ||
        (rc = http_req_query_i64(req, "open", 0, 1, 0, &open)) ||
        (rc = http_req_query_i64(req, "limit", 1, 2000, 200, &limit)) ||
        (rc = http_req_query_time(req, "from", 0, &from)) || (rc = http_req_query_time(req, "to", 0, &to)))
        return rc;
    if (from && to && to <= from) return http_fail(req, WW_EINVAL, "'to' must be after 'from'");
    struct http_scope sc;
    if (cam && (rc = http_authz_camera(req, cam, AUTHZ_VIEW))) return rc;
    if ((rc = http_authz_camera_scope(req, AUTHZ_VIEW, &sc))) return rc;
    struct catalog_alert_filter f = {.all = sc.all && !cam, .camera_ids = cam ? &cam : sc.ids,
                                 .n_cameras = cam ? 1 : sc.n, .open_only = open == 1,
                                 .from_us = from, .to_us = to, .limit = (size_t)limit};
    catalog_t *cat = http_req_catalog(req);
    struct catalog_alert *v;
    size_t n;
    if ((rc = catalog_alert_list(cat, &f, &v, &n))) return rc;
    int64_t now = ww_wall_us();
    json_t *arr = json_array();
    size_t nopen = 0;
    int64_t *aid = ww_calloc(n + 1, sizeof *aid);
    struct catalog_alert_action *acks = ww_calloc(n + 1, sizeof *acks);
    for (size_t i = 0; i < n; i++) aid[i] = v[i].id;
    catalog_alert_acks(cat, aid, n, acks);
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(arr, alert_json(req, &v[i], &acks[i], now));
        nopen += !v[i].cleared_us;
    }
    catalog_alert_action_list_free(acks, n);
    free(aid);
    catalog_alert_list_free(v, n);
    return http_respond_json(req, 200, json_pack("{s:o,s:I}", "alerts", arr, "open", (json_int_t)nopen));
}

static int h_alert_get(struct http_req *req, void *ud)
{
    (void)ud;
    int64_t id;
    catalog_t *cat;
    int rc = api_param_id(req, &id, &cat);
    if (rc) return rc;
    struct catalog_alert a;
    if ((rc = api_found(req, catalog_alert_get(cat, id, &a), "alert"))) return rc;
    const struct http_user *u = http_req_user(req);
    int64_t w, o;
    bool gone = catalog_camera_scope(cat, a.camera_id, &w, &o) == WW_ENOTFOUND;
    rc = gone ? (u->role == CATALOG_ROLE_ADMIN || u->role == CATALOG_ROLE_PROVINCE ? 0 : WW_ENOTFOUND)
              : http_authz_camera(req, a.camera_id, AUTHZ_VIEW);
    if (rc) {
        catalog_alert_clear(&a);
        return api_found(req, rc, "alert");
    }
    struct catalog_alert_action *acts = NULL, none = {0};
    size_t nacts = 0;
    catalog_alert_actions(cat, id, &acts, &nacts);
    const struct catalog_alert_action *ack = &none;
    json_t *list = json_array();
    for (size_t i = 0; i < nacts; i++) {
        if (!strcmp(acts[i].kind, "acknowledge")) ack = &acts[i];
        json_array_append_new(list, action_json(&acts[i]));
    }
    json_t *j = alert_json(req, &a, ack, ww_wall_us());
    json_object_set_new(j, "actions", list);
    catalog_alert_action_list_free(acts, nacts);
    catalog_alert_clear(&a);
    if (u->role == CATALOG_ROLE_ADMIN) {
        struct catalog_delivery *d;
        size_t nd;
        json_t *arr = json_array();
        if (catalog_delivery_list(cat, id, 100, &d, &nd) == 0) {
            for (size_t i = 0; i < nd; i++)
                json_array_append_new(arr, json_pack("{s:I,s:s,s:o,s:b,s:o,s:i,s:s?}", "webhook_id",
                                                     (json_int_t)d[i].webhook_id, "event", d[i].event,
                                                     "at", api_time(d[i].at_us), "ok", d[i].ok, "http_status",
                                                     d[i].http_status ? json_integer(d[i].http_status) : json_null(),
                                                     "attempts", d[i].attempts, "error", d[i].error));
            catalog_delivery_list_free(d, nd);
        }
        json_object_set_new(j, "deliveries", arr);
    }
    return http_respond_json(req, 200, j);
}

/* ---- what the duty officer did -------------------------------------------------- */

/* The alert behind {id} if the caller may act on it (MANAGE on its camera:
 * an officer of its ward, an admin); out of scope answers like a missing
 * alert. */
static int actionable(struct http_req *req, int64_t *id, struct catalog_alert *a)
{
    catalog_t *cat;
    int rc = api_param_id(req, id, &cat);
    if (rc) return rc;
    if ((rc = api_found(req, catalog_alert_get(cat, *id, a), "alert"))) return rc;
    if ((rc = api_row_camera(req, a->camera_id, AUTHZ_VIEW, "alert")) ||
        (rc = api_row_camera(req, a->camera_id, AUTHZ_MANAGE, "alert")))
        catalog_alert_clear(a);
    return rc;
}

/* Adds x in one transaction with its audit row, then answers the alert. */
static int record_action(struct http_req *req, struct catalog_alert *a, struct catalog_alert_action *x, unsigned status)
{
    catalog_t *cat = http_req_catalog(req);
    const struct http_user *u = http_req_user(req);
    x->alert_id = a->id;
    x->user_id = u->id;
    x->user_name = (char *)(u->display_name && *u->display_name ? u->display_name : u->username);
    int rc = catalog_begin(cat);
    if (rc) {
        catalog_alert_clear(a);
        return rc;
    }
    rc = catalog_alert_action_add(cat, x);
    rc = http_audit_commit(req, rc, !strcmp(x->kind, "acknowledge") ? "alert_acknowledge" : "alert_action",
                           a->camera_id, 0, 0,
                           json_pack("{s:I,s:s,s:s,s:I,s:I}", "alert_id", (json_int_t)a->id, "kind", x->kind, "text",
                                     x->text ? x->text : "", "called_us", (json_int_t)x->called_us, "repair_by_us",
                                     (json_int_t)x->repair_by_us));
    if (rc) {
        catalog_alert_clear(a);
        return rc == WW_ECONFLICT ? http_fail(req, rc, "this alert is already acknowledged") : rc;
    }
    json_t *j = action_json(x);
    catalog_alert_clear(a);
    return http_respond_json(req, status, json_pack("{s:o}", "action", j));
}

static const char *const ack_fields[] = {"text", NULL};

static int h_acknowledge(struct http_req *req, void *ud)
{
    (void)ud;
    int64_t id;
    struct catalog_alert a;
    int rc = actionable(req, &id, &a);
    if (rc) return rc;
    json_t *body = NULL;
    const char *text = "";
    size_t len;
    http_req_body(req, &len);
    if (len && ((rc = http_req_json(req, ack_fields, &body)) || (rc = http_json_str(req, body, "text", false, 0, 1000, &text)) < 0)) {
        catalog_alert_clear(&a);
        return rc;
    }
    struct catalog_alert_action x = {.kind = "acknowledge", .text = (char *)text};
    return record_action(req, &a, &x, 200);
}

static const char *const action_fields[] = {"text", "called_at", "repair_by", NULL};

static int h_action(struct http_req *req, void *ud)
{
    (void)ud;
    int64_t id;
    struct catalog_alert a;
    int rc = actionable(req, &id, &a);
    if (rc) return rc;
    json_t *body;
    const char *text;
    struct catalog_alert_action x = {.kind = "note"};
    if ((rc = http_req_json(req, action_fields, &body)) || (rc = http_json_str(req, body, "text", true, 1, 1000, &text)) < 0 ||
        (rc = community_json_time(req, body, "called_at", false, &x.called_us)) < 0 ||
        (rc = community_json_time(req, body, "repair_by", false, &x.repair_by_us)) < 0) {
        catalog_alert_clear(&a);
        return rc;
    }
    x.text = (char *)text;
    if (x.called_us) x.kind = "call";
    if (x.called_us > ww_wall_us() + 60000000LL) {
        catalog_alert_clear(&a);
        return http_fail(req, WW_EINVAL, "field 'called_at' is in the future");
    }
    return record_action(req, &a, &x, 201);
}

/* The sidebar's badge: open alerts of cameras the caller may VIEW, and how
 * many of them nobody has acknowledged yet. */
static int h_count(struct http_req *req, void *ud)
{
    (void)ud;
    struct http_scope sc;
    int rc = http_authz_camera_scope(req, AUTHZ_VIEW, &sc);
    if (rc) return rc;
    struct catalog_alert_filter f = {.all = sc.all, .camera_ids = sc.ids, .n_cameras = sc.n, .open_only = true, .limit = 2000};
    catalog_t *cat = http_req_catalog(req);
    struct catalog_alert *v;
    size_t n;
    if ((rc = catalog_alert_list(cat, &f, &v, &n))) return rc;
    int64_t *aid = ww_calloc(n + 1, sizeof *aid);
    struct catalog_alert_action *acks = ww_calloc(n + 1, sizeof *acks);
    for (size_t i = 0; i < n; i++) aid[i] = v[i].id;
    catalog_alert_acks(cat, aid, n, acks);
    size_t unack = 0;
    for (size_t i = 0; i < n; i++) unack += acks[i].id == 0;
    catalog_alert_action_list_free(acks, n);
    free(aid);
    catalog_alert_list_free(v, n);
    return http_respond_json(req, 200, json_pack("{s:I,s:I}", "open", (json_int_t)n, "unacknowledged", (json_int_t)unack));
}

/* ---- thresholds -------------------------------------------------------------- */

static int h_settings_get(struct http_req *req, void *ud)
{
    (void)ud;
    const struct http_user *u = http_req_user(req);
    catalog_t *cat = http_req_catalog(req);
    struct catalog_alert_setting *v;
    size_t n;
    int rc = catalog_alert_settings_list(cat, &v, &n);
    if (rc) return rc;
    struct catalog_ward *wards;
    size_t nw;
    if ((rc = catalog_ward_list(cat, &wards, &nw))) { catalog_alert_setting_list_free(v, n); return rc; }
    int64_t def = 900;
    for (size_t i = 0; i < n; i++)
        if (v[i].ward_id == 0) def = v[i].dark_after_s;
    json_t *arr = json_array();
    for (size_t k = 0; k < nw; k++) {
        if (u->role == CATALOG_ROLE_OFFICER && wards[k].id != u->ward_id) continue;
        json_t *row = json_pack("{s:I,s:s,s:I,s:b}", "ward_id", (json_int_t)wards[k].id, "name", wards[k].name,
                                "dark_after_s", (json_int_t)def, "own", 0);
        for (size_t i = 0; i < n; i++)
            if (v[i].ward_id == wards[k].id) {
                json_object_set_new(row, "dark_after_s", json_integer(v[i].dark_after_s));
                json_object_set_new(row, "own", json_true());
                json_object_set_new(row, "updated", api_time(v[i].updated_us));
                json_object_set_new(row, "updated_by", v[i].updated_by ? json_string(v[i].updated_by) : json_null());
            }
        json_array_append_new(arr, row);
    }
    catalog_ward_list_free(wards, nw);
    catalog_alert_setting_list_free(v, n);
    return http_respond_json(req, 200, json_pack("{s:I,s:o}", "default_dark_after_s", (json_int_t)def, "wards", arr));
}

static const char *const setting_fields[] = {"ward_id", "dark_after_s", NULL};

static int h_settings_put(struct http_req *req, void *ud)
{
    (void)ud;
    json_t *body;
    int rc = http_req_json(req, setting_fields, &body);
    if (rc) return rc;
    int64_t ward = 0, secs = 0;
    if ((rc = http_json_id_or_null(req, body, "ward_id", &ward)) < 0) return rc;
    json_t *jd = json_object_get(body, "dark_after_s");
    bool reset = !jd || json_is_null(jd);
    if (!reset && (rc = http_json_i64(req, body, "dark_after_s", true, 1, 604800, &secs)) < 0) return rc;
    const struct http_user *u = http_req_user(req);
    if (ward) {
        if ((rc = http_authz_ward(req, ward, AUTHZ_WARD_WRITE))) return rc;
    } else if (u->role != CATALOG_ROLE_ADMIN) {
        return http_fail(req, WW_EPERM, "only an admin sets the default for every ward");
    }
    if (reset && !ward) return http_fail(req, WW_EINVAL, "the default needs 'dark_after_s' (1 to 604800 seconds)");
    catalog_t *cat = http_req_catalog(req);
    if ((rc = catalog_begin(cat))) return rc;
    rc = reset ? catalog_alert_setting_reset(cat, ward) : catalog_alert_setting_set(cat, ward, secs, u->username);
    if ((rc = http_audit_commit(req, rc, ACTION_SETTINGS, 0, 0, 0,
                                json_pack("{s:s,s:o,s:o}", "change", "threshold", "ward_id", api_id(ward),
                                          "dark_after_s", reset ? json_null() : json_integer(secs)))))
        return rc;
    int64_t now_s = 0;
    catalog_alert_threshold(cat, ward, &now_s);
    return http_respond_json(req, 200, json_pack("{s:o,s:I}", "ward_id", api_id(ward), "dark_after_s", (json_int_t)now_s));
}

/* ---- webhooks (admin) ----------------------------------------------------------- */

static json_t *hook_json(const struct catalog_webhook *w)
{
    return json_pack("{s:I,s:s,s:o,s:b,s:o,s:s?}", "id", (json_int_t)w->id, "url", w->url, "ward_id",
                     api_id(w->ward_id), "enabled", w->enabled, "created", api_time(w->created_us),
                     "created_by", w->created_by);
}

static int h_hooks(struct http_req *req, void *ud)
{
    (void)ud;
    struct catalog_webhook *v;
    size_t n;
    int rc = catalog_webhook_list(http_req_catalog(req), -1, &v, &n);
    if (rc) return rc;
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(arr, hook_json(&v[i]));
    catalog_webhook_list_free(v, n);
    return http_respond_json(req, 200, json_pack("{s:o}", "webhooks", arr));
}

static const char *const hook_fields[] = {"url", "ward_id", NULL};

static int h_hook_add(struct http_req *req, void *ud)
{
    (void)ud;
    json_t *body;
    int rc = http_req_json(req, hook_fields, &body);
    if (rc) return rc;
    const char *url;
    int64_t ward = 0;
    if ((rc = http_json_str(req, body, "url", true, 1, 1024, &url)) < 0) return rc;
    const char *why = community_webhook_url_problem(url);
    if (why) return http_fail(req, WW_EINVAL, "field 'url' %s", why);
    if ((rc = http_json_id_or_null(req, body, "ward_id", &ward)) < 0) return rc;
    catalog_t *cat = http_req_catalog(req);
    if ((rc = api_ward_check(req, cat, ward))) return rc;
    const struct http_user *u = http_req_user(req);
    struct catalog_webhook w = {.url = (char *)url, .ward_id = ward, .enabled = true, .created_by = (char *)u->username};
    if ((rc = catalog_begin(cat))) return rc;
    rc = catalog_webhook_add(cat, &w);
    if ((rc = http_audit_commit(req, rc, ACTION_SETTINGS, 0, 0, 0,
                                json_pack("{s:s,s:I,s:s,s:o}", "change", "webhook_add", "webhook_id",
                                          (json_int_t)w.id, "url", url, "ward_id", api_id(ward)))))
        return rc;
    return http_respond_json(req, 201, hook_json(&w));
}

static int h_hook_delete(struct http_req *req, void *ud)
{
    (void)ud;
    int64_t id;
    catalog_t *cat;
    int rc = api_param_id(req, &id, &cat);
    if (rc) return rc;
    if ((rc = catalog_begin(cat))) return rc;
    rc = catalog_webhook_delete(cat, id);
    if ((rc = http_audit_commit(req, rc, ACTION_SETTINGS, 0, 0, 0,
                                json_pack("{s:s,s:I}", "change", "webhook_delete", "webhook_id", (json_int_t)id))))
        return api_found(req, rc, "webhook");
    return http_respond_data(req, 204, NULL, NULL, 0);
}

static int h_hook_test(struct http_req *req, void *ud)
{
    (void)ud;
    int64_t id;
    catalog_t *cat;
    int rc = api_param_id(req, &id, &cat);
    if (rc) return rc;
    struct catalog_webhook *v;
    size_t n;
    if ((rc = catalog_webhook_list(cat, -1, &v, &n))) return rc;
    char *url = NULL;
    for (size_t i = 0; i < n; i++)
        if (v[i].id == id) url = ww_strdup(v[i].url);
    catalog_webhook_list_free(v, n);
    if (!url) return http_fail(req, WW_ENOTFOUND, "no such webhook");
    char now[48];
    char *json = ww_asprintf("{\"kind\":\"wardwatch camera alert\",\"event\":\"test\",\"sent\":\"%s\"}",
                             ww_fmt_time(ww_wall_us(), ww_station_offset_min(), now, sizeof now));
    int status = 0, attempts = 0;
    char err[256];
    rc = notify_http_post(url, json, 5000, 1, 0, NULL, &status, &attempts, err, sizeof err);
    free(url);
    free(json);
    struct catalog_delivery d = {.alert_id = 0, .webhook_id = id, .event = "test", .ok = rc == 0,
                             .http_status = status, .attempts = attempts, .error = rc ? err : NULL};
    catalog_delivery_add(cat, &d);
    return http_respond_json(req, 200, json_pack("{s:b,s:o,s:i,s:s?}", "ok", rc == 0, "http_status",
                                                 status ? json_integer(status) : json_null(), "attempts",
                                                 attempts, "error", rc ? err : NULL));
}

/* ---- availability ------------------------------------------------------------------- */

struct avail { int64_t online, sampled; };

/* Local midnight (station offset) at or before t. */
static int64_t day_start(int64_t t)
{
    int64_t off = (int64_t)ww_station_offset_min() * 60 * 1000000;
    int64_t l = t + off;
    int64_t d = l >= 0 ? l / DAY_US : (l - DAY_US + 1) / DAY_US;
    return d * DAY_US - off;
}

static json_t *pct(int64_t online, int64_t sampled)
{
    return sampled > 0 ? json_real((double)online * 100.0 / (double)sampled) : json_null();
}

static int h_availability(struct http_req *req, void *ud)
{
    (void)ud;
    int64_t now = ww_wall_us(), from, to, ward;
    int rc;
    if ((rc = http_req_query_time(req, "to", now, &to)) ||
        (rc = http_req_query_time(req, "from", to - 7 * DAY_US, &from)) ||
        (rc = http_req_query_i64(req, "ward_id", 1, INT64_MAX, 0, &ward)))
        return rc;
    if (to <= from) return http_fail(req, WW_EINVAL, "'to' must be after 'from'");
    if (ww_span_over(from, to, 93 * DAY_US)) return http_fail(req, WW_EINVAL, "availability covers at most 93 days at once");
    struct catalog_camera *cams;
    size_t nc;
    if ((rc = api_cameras(req, AUTHZ_VIEW, &cams, &nc))) return rc;
    catalog_t *cat = http_req_catalog(req);
    struct catalog_uptime *u;
    size_t nu;
    if ((rc = catalog_uptime_range(cat, from, to, &u, &nu))) { catalog_camera_list_free(cams, nc); return rc; }
    size_t ndays = (size_t)((day_start(to - 1) - day_start(from)) / DAY_US + 1);
    struct avail *per = ww_calloc(nc * ndays + 1, sizeof *per);
    int64_t d0 = day_start(from);
    for (size_t k = 0; k < nu; k++) {
        size_t ci = nc;
        for (size_t i = 0; i < nc && ci == nc; i++)
            if (cams[i].id == u[k].camera_id) ci = i;
        if (ci == nc) continue;
        for (int64_t a = u[k].start_us; a < u[k].end_us;) {
            int64_t ds = day_start(a), b = ds + DAY_US < u[k].end_us ? ds + DAY_US : u[k].end_us;
            size_t di = (size_t)((ds - d0) / DAY_US);
            if (di < ndays) {
                per[ci * ndays + di].sampled += b - a;
                if (u[k].online) per[ci * ndays + di].online += b - a;
            }
            a = b;
        }
    }
    free(u);
    struct catalog_ward *wards;
    size_t nw;
    if ((rc = catalog_ward_list(cat, &wards, &nw))) { free(per); catalog_camera_list_free(cams, nc); return rc; }
    struct avail *wsum = ww_calloc(nw + 1, sizeof *wsum);
    size_t *wcount = ww_calloc(nw + 1, sizeof *wcount);
    json_t *jc = json_array();
    char date[48];
    for (size_t i = 0; i < nc; i++) {
        if (ward && cams[i].ward_id != ward) continue;
        struct avail tot = {0};
        json_t *days = json_array();
        for (size_t d = 0; d < ndays; d++) {
            struct avail *a = &per[i * ndays + d];
            tot.online += a->online;
            tot.sampled += a->sampled;
            ww_fmt_time(d0 + (int64_t)d * DAY_US, ww_station_offset_min(), date, sizeof date);
            date[10] = 0;
            json_array_append_new(days, json_pack("{s:s,s:I,s:I,s:o}", "date", date, "online_s",
                                                  (json_int_t)(a->online / 1000000), "sampled_s",
                                                  (json_int_t)(a->sampled / 1000000), "availability",
                                                  pct(a->online, a->sampled)));
        }
        size_t wi = nw;
        for (size_t k = 0; k < nw; k++)
            if (wards[k].id == cams[i].ward_id) wi = k;
        wsum[wi].online += tot.online;
        wsum[wi].sampled += tot.sampled;
        wcount[wi]++;
        json_array_append_new(jc, json_pack("{s:I,s:s,s:o,s:b,s:I,s:I,s:o,s:o}", "id", (json_int_t)cams[i].id,
                                            "name", cams[i].name, "ward_id", api_id(cams[i].ward_id),
                                            "enabled", cams[i].enabled, "online_s",
                                            (json_int_t)(tot.online / 1000000), "sampled_s",
                                            (json_int_t)(tot.sampled / 1000000), "availability",
                                            pct(tot.online, tot.sampled), "days", days));
    }
    json_t *jw = json_array();
    for (size_t k = 0; k <= nw; k++) {
        if (!wcount[k]) continue;
        json_array_append_new(jw, json_pack("{s:o,s:s?,s:I,s:I,s:I,s:o}", "ward_id",
                                            k < nw ? json_integer(wards[k].id) : json_null(), "name",
                                            k < nw ? wards[k].name : NULL, "cameras", (json_int_t)wcount[k],
                                            "online_s", (json_int_t)(wsum[k].online / 1000000), "sampled_s",
                                            (json_int_t)(wsum[k].sampled / 1000000), "availability",
                                            pct(wsum[k].online, wsum[k].sampled)));
    }
    free(wsum);
    free(wcount);
    free(per);
    catalog_ward_list_free(wards, nw);
    catalog_camera_list_free(cams, nc);
    return http_respond_json(req, 200, json_pack("{s:o,s:o,s:o,s:o}", "from", api_time(from), "to",
                                                 api_time(to), "cameras", jc, "wards", jw));
}

int api_community_alerts_register(struct http_server *srv, const struct api_ctx *ctx)
{
    void *ud = (void *)ctx;
    int rc = http_route(srv, "GET", "/api/v1/alerts", h_alerts, ud, 0);
    rc = rc ? rc : http_route(srv, "GET", "/api/v1/alerts/settings", h_settings_get, ud, HTTP_ROLES_STAFF);
    rc = rc ? rc : http_route(srv, "PUT", "/api/v1/alerts/settings", h_settings_put, ud,
                              HTTP_ROLE_ADMIN | HTTP_ROLE_OFFICER);
    rc = rc ? rc : http_route(srv, "GET", "/api/v1/alerts/webhooks", h_hooks, ud, HTTP_ROLE_ADMIN);
    rc = rc ? rc : http_route(srv, "POST", "/api/v1/alerts/webhooks", h_hook_add, ud, HTTP_ROLE_ADMIN);
    rc = rc ? rc : http_route(srv, "DELETE", "/api/v1/alerts/webhooks/{id}", h_hook_delete, ud, HTTP_ROLE_ADMIN);
    rc = rc ? rc : http_route(srv, "POST", "/api/v1/alerts/webhooks/{id}/test", h_hook_test, ud, HTTP_ROLE_ADMIN);
    rc = rc ? rc : http_route(srv, "GET", "/api/v1/alerts/count", h_count, ud, 0);
    rc = rc ? rc : http_route(srv, "GET", "/api/v1/alerts/{id}", h_alert_get, ud, 0);
    rc = rc ? rc : http_route(srv, "POST", "/api/v1/alerts/{id}/acknowledge", h_acknowledge, ud,
                              HTTP_ROLE_ADMIN | HTTP_ROLE_OFFICER);
    rc = rc ? rc : http_route(srv, "POST", "/api/v1/alerts/{id}/actions", h_action, ud,
                              HTTP_ROLE_ADMIN | HTTP_ROLE_OFFICER);
    rc = rc ? rc : http_route(srv, "GET", "/api/v1/availability", h_availability, ud, 0);
    return rc;
}
