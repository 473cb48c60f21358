/*
 * alerts.c — camera-dark alerts, thresholds, webhooks and deliveries (camera_alerts, alert_settings, alert_webhooks, alert_deliveries).
 * Part of the community-camera network (surface: cat_community.h; owner:
 * community/; tables in schema/003_consent.sql, 040_community.sql).
 */
#include "catalog/cat_community.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/internal.h"

#define ALERT_COLS                                                                  \
    "id,camera_id,ward_id,camera_name,since_us,raised_us,cleared_us,cleared_why,"   \
    "reason,owner_id,owner_name,owner_phone,owner_kind"

static const struct catalog_row_map alert_map = CATALOG_MAP(
    struct catalog_alert, NULL, NULL, id, camera_id, ward_id, camera_name, since_us, raised_us,
    cleared_us, cleared_why, reason, owner_id, owner_name, owner_phone, owner_kind);

CATALOG_ROW_CLEAR_FN(alert_map, struct catalog_alert, catalog_alert_clear)
CATALOG_LIST_FREE_FN(alert_map, struct catalog_alert, catalog_alert_list_free)

int catalog_alert_raise(catalog_t *cat, struct catalog_alert *a)
{
    return CATALOG_INSERT(
        cat, "alert raise", WW_EINVAL, &a->id,
        "INSERT INTO camera_alerts(camera_id,ward_id,camera_name,since_us,raised_us,"
        "reason,owner_id,owner_name,owner_phone,owner_kind) VALUES (?,?,?,?,?,?,?,?,?,?)",
        CATALOG_ARG(a->camera_id), CATALOG_ID(a->ward_id),
        catalog_arg_str(a->camera_name ? a->camera_name : ""), CATALOG_ARG(a->since_us),
        CATALOG_ARG(a->raised_us), catalog_arg_str(a->reason), CATALOG_ID(a->owner_id),
        catalog_arg_str(a->owner_name), catalog_arg_str(a->owner_phone), catalog_arg_str(a->owner_kind));
}

int catalog_alert_clear_open(catalog_t *cat, int64_t id, int64_t at_us, const char *why)
{
    int rc = CATALOG_RUN(cat, "alert clear", WW_EINVAL,
                     "UPDATE camera_alerts SET cleared_us=?, cleared_why=? WHERE id=? AND "
                     "cleared_us IS NULL",
                     CATALOG_ARG(at_us), catalog_arg_str(why), CATALOG_ARG(id));
    return rc ? rc : catalog_changed(cat);
}

int catalog_alert_open_count(catalog_t *cat, int64_t *n)
{
    *n = 0;
    return catalog_row_one_args(cat, "open alerts", &catalog_i64_map, n,
                                "SELECT COUNT(*) FROM camera_alerts WHERE cleared_us IS NULL", NULL, 0);
}

int catalog_alert_get(catalog_t *cat, int64_t id, struct catalog_alert *out)
{
    return catalog_row_by_id(cat, "SELECT " ALERT_COLS " FROM camera_alerts WHERE id=?", id, &alert_map,
                         out, "alert get");
}

#define MAX_FILTER_IDS 5000

int catalog_alert_list(catalog_t *cat, const struct catalog_alert_filter *f, struct catalog_alert **out,
                       size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!f->all && f->n_cameras == 0) return 0;
    if (!f->all && f->n_cameras > MAX_FILTER_IDS) return WW_EINVAL;
    size_t limit = f->limit ? f->limit : 200;
    if (limit > 2000) limit = 2000;
    struct ww_buf q = {0};
    ww_buf_printf(&q, "SELECT " ALERT_COLS " FROM camera_alerts WHERE 1");
    if (f->open_only) ww_buf_printf(&q, " AND cleared_us IS NULL");
    if (f->to_us) ww_buf_printf(&q, " AND raised_us < ?1");
    if (f->from_us) ww_buf_printf(&q, " AND (cleared_us IS NULL OR cleared_us > ?2)");
    if (!f->all) {
        ww_buf_printf(&q, " AND camera_id IN (");
        for (size_t i = 0; i < f->n_cameras; i++) ww_buf_printf(&q, i ? ",?%zu" : "?%zu", i + 4);
        ww_buf_printf(&q, ")");
    }
    ww_buf_printf(&q, " ORDER BY raised_us DESC, id DESC LIMIT ?3");
    sqlite3_stmt *st;
    if (catalog_prepare_buf(cat, &q, &st)) return WW_EDB;
    if (f->to_us) sqlite3_bind_int64(st, 1, f->to_us);
    if (f->from_us) sqlite3_bind_int64(st, 2, f->from_us);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)limit);
    for (size_t i = 0; !f->all && i < f->n_cameras; i++)
        sqlite3_bind_int64(st, (int)(i + 4), f->camera_ids[i]);
    return catalog_rows(cat, st, &alert_map, "alert list", out, n);
}

static const struct catalog_row_map setting_map = CATALOG_MAP(
    struct catalog_alert_setting, NULL, NULL, ward_id, dark_after_s, updated_us, updated_by);

CATALOG_LIST_FREE_FN(setting_map, struct catalog_alert_setting, catalog_alert_setting_list_free)

int catalog_alert_settings_list(catalog_t *cat, struct catalog_alert_setting **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st;
    if (catalog_prepare(cat, "SELECT ward_id,dark_after_s,updated_us,updated_by FROM alert_settings"
                         " ORDER BY ward_id", &st))
        return WW_EDB;
    return catalog_rows(cat, st, &setting_map, "alert settings", out, n);
}

int catalog_alert_threshold(catalog_t *cat, int64_t ward_id, int64_t *seconds)
{
    *seconds = 900;
    sqlite3_stmt *st;
    if (CATALOG_PREPARE(cat,
                    "SELECT dark_after_s FROM alert_settings WHERE ward_id IN (?,0)"
                    " ORDER BY ward_id DESC LIMIT 1",
                    &st, CATALOG_ARG(ward_id > 0 ? ward_id : 0)))
        return WW_EDB;
    int rc = catalog_row_one(cat, st, &catalog_i64_map, seconds, "alert threshold");
    return rc == WW_ENOTFOUND ? 0 : rc;
}

int catalog_alert_setting_set(catalog_t *cat, int64_t ward_id, int64_t seconds, const char *by)
{
    return CATALOG_RUN(cat, "alert setting set", WW_EINVAL,
                   "INSERT INTO alert_settings(ward_id,dark_after_s,updated_us,updated_by)"
                   " VALUES (?,?,?,?) ON CONFLICT(ward_id) DO UPDATE SET"
                   " dark_after_s=excluded.dark_after_s, updated_us=excluded.updated_us,"
                   " updated_by=excluded.updated_by",
                   CATALOG_ARG(ward_id > 0 ? ward_id : 0), CATALOG_ARG(seconds), CATALOG_ARG(ww_wall_us()),
                   catalog_arg_str(by));
}

int catalog_alert_setting_reset(catalog_t *cat, int64_t ward_id)
{
    if (ward_id <= 0) return WW_EINVAL;
    return CATALOG_RUN(cat, "alert setting reset", WW_EINVAL,
                   "DELETE FROM alert_settings WHERE ward_id=?", CATALOG_ARG(ward_id));
}

static const struct catalog_row_map webhook_map = CATALOG_MAP(
    struct catalog_webhook, NULL, NULL, id, url, ward_id, enabled, created_us, created_by);

CATALOG_LIST_FREE_FN(webhook_map, struct catalog_webhook, catalog_webhook_list_free)

int catalog_webhook_list(catalog_t *cat, int64_t ward_id, struct catalog_webhook **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st;
    if (catalog_prepare(cat, ward_id < 0
                        ? "SELECT id,url,ward_id,enabled,created_us,created_by FROM alert_webhooks ORDER BY id"
                        : "SELECT id,url,ward_id,enabled,created_us,created_by FROM alert_webhooks"
                          " WHERE enabled=1 AND (ward_id IS NULL OR ward_id=?) ORDER BY id",
                    &st))
        return WW_EDB;
    if (ward_id >= 0) sqlite3_bind_int64(st, 1, ward_id);
    return catalog_rows(cat, st, &webhook_map, "webhook list", out, n);
}

int catalog_webhook_add(catalog_t *cat, struct catalog_webhook *w)
{
    w->created_us = ww_wall_us();
    return CATALOG_INSERT(cat, "webhook add", WW_EINVAL, &w->id,
                      "INSERT INTO alert_webhooks(url,ward_id,enabled,created_us,created_by)"
                      " VALUES (?,?,?,?,?)",
                      catalog_arg_str(w->url), CATALOG_ID(w->ward_id), CATALOG_ARG(w->enabled),
                      CATALOG_ARG(w->created_us), catalog_arg_str(w->created_by));
}

int catalog_webhook_delete(catalog_t *cat, int64_t id)
{
    int rc = CATALOG_RUN(cat, "webhook delete", WW_EINVAL, "DELETE FROM alert_webhooks WHERE id=?",
                     CATALOG_ARG(id));
    return rc ? rc : catalog_changed(cat);
}

static const struct catalog_row_map delivery_map =
    CATALOG_MAP(struct catalog_delivery, NULL, NULL, id, alert_id, webhook_id, event, at_us, ok,
                http_status, attempts, error);

CATALOG_LIST_FREE_FN(delivery_map, struct catalog_delivery, catalog_delivery_list_free)

int catalog_delivery_add(catalog_t *cat, struct catalog_delivery *d)
{
    sqlite3_stmt *st;
    if (catalog_prepare(cat, "INSERT INTO alert_deliveries(alert_id,webhook_id,event,at_us,ok,http_status,"
                         "attempts,error) VALUES (?,?,?,?,?,?,?,?)", &st))
        return WW_EDB;
    if (!d->at_us) d->at_us = ww_wall_us();
    sqlite3_bind_int64(st, 1, d->alert_id);
    sqlite3_bind_int64(st, 2, d->webhook_id);
    catalog_bind_str(st, 3, d->event);
    sqlite3_bind_int64(st, 4, d->at_us);
    sqlite3_bind_int(st, 5, d->ok);
    if (d->http_status) sqlite3_bind_int(st, 6, d->http_status);
    sqlite3_bind_int(st, 7, d->attempts);
    catalog_bind_str(st, 8, d->error);
    return catalog_insert_done(cat, st, "delivery add", WW_EINVAL, &d->id);
}

int catalog_delivery_list(catalog_t *cat, int64_t alert_id, size_t limit, struct catalog_delivery **out,
                          size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st;
    if (catalog_prepare(cat, alert_id > 0
                        ? "SELECT id,alert_id,webhook_id,event,at_us,ok,http_status,attempts,error"
                          " FROM alert_deliveries WHERE alert_id=?1 ORDER BY id LIMIT ?2"
                        : "SELECT id,alert_id,webhook_id,event,at_us,ok,http_status,attempts,error"
                          " FROM alert_deliveries ORDER BY id DESC LIMIT ?2",
                    &st))
        return WW_EDB;
    if (alert_id > 0) sqlite3_bind_int64(st, 1, alert_id);
    sqlite3_bind_int64(st, 2, limit ? (sqlite3_int64)limit : 100);
    return catalog_rows(cat, st, &delivery_map, "delivery list", out, n);
}
