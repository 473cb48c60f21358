/*
 * alerts.c — camera-dark alerts, thresholds, webhooks and deliveries (camera_alerts, alert_settings, alert_webhooks, alert_deliveries).
 * Part of the community-camera network (surface: cat_community.h; owner:
 * community/; tables in schema/003_consent.sql, 040_community.sql).
 */
#include "catalog/cat_community.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/internal.h"

void cat_alert_clear(struct cat_alert *a)
{
    if (!a) return;
    free(a->camera_name);
    free(a->cleared_why);
    free(a->reason);
    free(a->owner_name);
    free(a->owner_phone);
    free(a->owner_kind);
    memset(a, 0, sizeof *a);
}

void cat_alert_list_free(struct cat_alert *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) cat_alert_clear(&v[i]);
    free(v);
}

#define ALERT_COLS                                                                  \
    "id,camera_id,ward_id,camera_name,since_us,raised_us,cleared_us,cleared_why,"   \
    "reason,owner_id,owner_name,owner_phone,owner_kind"

static void alert_row(sqlite3_stmt *st, void *row)
{
    struct cat_alert *a = row;
    a->id = sqlite3_column_int64(st, 0);
    a->camera_id = sqlite3_column_int64(st, 1);
    a->ward_id = sqlite3_column_int64(st, 2);
    a->camera_name = cat_col_str(st, 3);
    a->since_us = sqlite3_column_int64(st, 4);
    a->raised_us = sqlite3_column_int64(st, 5);
    a->cleared_us = sqlite3_column_int64(st, 6);
    a->cleared_why = cat_col_str(st, 7);
    a->reason = cat_col_str(st, 8);
    a->owner_id = sqlite3_column_int64(st, 9);
    a->owner_name = cat_col_str(st, 10);
    a->owner_phone = cat_col_str(st, 11);
    a->owner_kind = cat_col_str(st, 12);
}

/* cat_alert_clear for cat_rows, which knows rows only as void *. */
static void alert_row_clear(void *row) { cat_alert_clear(row); }

int catalog_alert_raise(catalog_t *cat, struct cat_alert *a)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "INSERT INTO camera_alerts(camera_id,ward_id,camera_name,since_us,raised_us,"
                         "reason,owner_id,owner_name,owner_phone,owner_kind) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, a->camera_id);
    cat_bind_id(st, 2, a->ward_id);
    cat_bind_str(st, 3, a->camera_name ? a->camera_name : "");
    sqlite3_bind_int64(st, 4, a->since_us);
    sqlite3_bind_int64(st, 5, a->raised_us);
    cat_bind_str(st, 6, a->reason);
    cat_bind_id(st, 7, a->owner_id);
    cat_bind_str(st, 8, a->owner_name);
    cat_bind_str(st, 9, a->owner_phone);
    cat_bind_str(st, 10, a->owner_kind);
    int rc = cat_step_done(cat, st, "alert raise", WW_EINVAL);
    if (!rc) a->id = sqlite3_last_insert_rowid(cat->db);
    return rc;
}

int catalog_alert_clear_open(catalog_t *cat, int64_t id, int64_t at_us, const char *why)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "UPDATE camera_alerts SET cleared_us=?, cleared_why=? WHERE id=? AND cleared_us IS NULL",
                    &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, at_us);
    cat_bind_str(st, 2, why);
    sqlite3_bind_int64(st, 3, id);
    int rc = cat_step_done(cat, st, "alert clear", WW_EINVAL);
    if (rc) return rc;
    return sqlite3_changes(cat->db) ? 0 : WW_ENOTFOUND;
}

int catalog_alert_get(catalog_t *cat, int64_t id, struct cat_alert *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT " ALERT_COLS " FROM camera_alerts WHERE id=?", &st)) return WW_EDB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) alert_row(st, out);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? WW_ENOTFOUND : cat_fail(cat, "alert get");
}

#define MAX_FILTER_IDS 5000

int catalog_alert_list(catalog_t *cat, const struct cat_alert_filter *f, struct cat_alert **out,
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
    ww_buf_append(&q, "", 1);
    sqlite3_stmt *st;
    int rc = cat_prepare(cat, (const char *)q.data, &st);
    ww_buf_free(&q);
    if (rc) return WW_EDB;
    if (f->to_us) sqlite3_bind_int64(st, 1, f->to_us);
    if (f->from_us) sqlite3_bind_int64(st, 2, f->from_us);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)limit);
    for (size_t i = 0; !f->all && i < f->n_cameras; i++)
        sqlite3_bind_int64(st, (int)(i + 4), f->camera_ids[i]);
    return CAT_ROWS(cat, st, out, n, alert_row, alert_row_clear, "alert list");
}

void cat_alert_setting_list_free(struct cat_alert_setting *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) free(v[i].updated_by);
    free(v);
}

int catalog_alert_settings_list(catalog_t *cat, struct cat_alert_setting **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT ward_id,dark_after_s,updated_us,updated_by FROM alert_settings"
                         " ORDER BY ward_id", &st))
        return WW_EDB;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            *out = ww_realloc(*out, cap * sizeof **out);
        }
        struct cat_alert_setting *s = &(*out)[(*n)++];
        s->ward_id = sqlite3_column_int64(st, 0);
        s->dark_after_s = sqlite3_column_int64(st, 1);
        s->updated_us = sqlite3_column_int64(st, 2);
        s->updated_by = cat_col_str(st, 3);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        cat_alert_setting_list_free(*out, *n);
        *out = NULL;
        *n = 0;
        return cat_fail(cat, "alert settings");
    }
    return 0;
}

int catalog_alert_threshold(catalog_t *cat, int64_t ward_id, int64_t *seconds)
{
    *seconds = 900;
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT dark_after_s FROM alert_settings WHERE ward_id IN (?,0)"
                         " ORDER BY ward_id DESC LIMIT 1", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, ward_id > 0 ? ward_id : 0);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *seconds = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : cat_fail(cat, "alert threshold");
}

int catalog_alert_setting_set(catalog_t *cat, int64_t ward_id, int64_t seconds, const char *by)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "INSERT INTO alert_settings(ward_id,dark_after_s,updated_us,updated_by)"
                         " VALUES (?,?,?,?) ON CONFLICT(ward_id) DO UPDATE SET"
                         " dark_after_s=excluded.dark_after_s, updated_us=excluded.updated_us,"
                         " updated_by=excluded.updated_by", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, ward_id > 0 ? ward_id : 0);
    sqlite3_bind_int64(st, 2, seconds);
    sqlite3_bind_int64(st, 3, ww_wall_us());
    cat_bind_str(st, 4, by);
    return cat_step_done(cat, st, "alert setting set", WW_EINVAL);
}

int catalog_alert_setting_reset(catalog_t *cat, int64_t ward_id)
{
    if (ward_id <= 0) return WW_EINVAL;
    sqlite3_stmt *st;
    if (cat_prepare(cat, "DELETE FROM alert_settings WHERE ward_id=?", &st)) return WW_EDB;
    sqlite3_bind_int64(st, 1, ward_id);
    return cat_step_done(cat, st, "alert setting reset", WW_EINVAL);
}

void cat_webhook_list_free(struct cat_webhook *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].url);
        free(v[i].created_by);
    }
    free(v);
}

int catalog_webhook_list(catalog_t *cat, int64_t ward_id, struct cat_webhook **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st;
    if (cat_prepare(cat, ward_id < 0
                        ? "SELECT id,url,ward_id,enabled,created_us,created_by FROM alert_webhooks ORDER BY id"
                        : "SELECT id,url,ward_id,enabled,created_us,created_by FROM alert_webhooks"
                          " WHERE enabled=1 AND (ward_id IS NULL OR ward_id=?) ORDER BY id",
                    &st))
        return WW_EDB;
    if (ward_id >= 0) sqlite3_bind_int64(st, 1, ward_id);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 4;
            *out = ww_realloc(*out, cap * sizeof **out);
        }
        struct cat_webhook *w = &(*out)[(*n)++];
        w->id = sqlite3_column_int64(st, 0);
        w->url = cat_col_str(st, 1);
        w->ward_id = sqlite3_column_int64(st, 2);
        w->enabled = sqlite3_column_int(st, 3);
        w->created_us = sqlite3_column_int64(st, 4);
        w->created_by = cat_col_str(st, 5);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        cat_webhook_list_free(*out, *n);
        *out = NULL;
        *n = 0;
        return cat_fail(cat, "webhook list");
    }
    return 0;
}

int catalog_webhook_add(catalog_t *cat, struct cat_webhook *w)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "INSERT INTO alert_webhooks(url,ward_id,enabled,created_us,created_by)"
                         " VALUES (?,?,?,?,?)", &st))
        return WW_EDB;
    cat_bind_str(st, 1, w->url);
    cat_bind_id(st, 2, w->ward_id);
    sqlite3_bind_int(st, 3, w->enabled);
    w->created_us = ww_wall_us();
    sqlite3_bind_int64(st, 4, w->created_us);
    cat_bind_str(st, 5, w->created_by);
    int rc = cat_step_done(cat, st, "webhook add", WW_EINVAL);
    if (!rc) w->id = sqlite3_last_insert_rowid(cat->db);
    return rc;
}

int catalog_webhook_delete(catalog_t *cat, int64_t id)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "DELETE FROM alert_webhooks WHERE id=?", &st)) return WW_EDB;
    sqlite3_bind_int64(st, 1, id);
    int rc = cat_step_done(cat, st, "webhook delete", WW_EINVAL);
    if (rc) return rc;
    return sqlite3_changes(cat->db) ? 0 : WW_ENOTFOUND;
}

void cat_delivery_list_free(struct cat_delivery *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].event);
        free(v[i].error);
    }
    free(v);
}

int catalog_delivery_add(catalog_t *cat, struct cat_delivery *d)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "INSERT INTO alert_deliveries(alert_id,webhook_id,event,at_us,ok,http_status,"
                         "attempts,error) VALUES (?,?,?,?,?,?,?,?)", &st))
        return WW_EDB;
    if (!d->at_us) d->at_us = ww_wall_us();
    sqlite3_bind_int64(st, 1, d->alert_id);
    sqlite3_bind_int64(st, 2, d->webhook_id);
    cat_bind_str(st, 3, d->event);
    sqlite3_bind_int64(st, 4, d->at_us);
    sqlite3_bind_int(st, 5, d->ok);
    if (d->http_status) sqlite3_bind_int(st, 6, d->http_status);
    sqlite3_bind_int(st, 7, d->attempts);
    cat_bind_str(st, 8, d->error);
    int rc = cat_step_done(cat, st, "delivery add", WW_EINVAL);
    if (!rc) d->id = sqlite3_last_insert_rowid(cat->db);
    return rc;
}

int catalog_delivery_list(catalog_t *cat, int64_t alert_id, size_t limit, struct cat_delivery **out,
                          size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st;
    if (cat_prepare(cat, alert_id > 0
                        ? "SELECT id,alert_id,webhook_id,event,at_us,ok,http_status,attempts,error"
                          " FROM alert_deliveries WHERE alert_id=?1 ORDER BY id LIMIT ?2"
                        : "SELECT id,alert_id,webhook_id,event,at_us,ok,http_status,attempts,error"
                          " FROM alert_deliveries ORDER BY id DESC LIMIT ?2",
                    &st))
        return WW_EDB;
    if (alert_id > 0) sqlite3_bind_int64(st, 1, alert_id);
    sqlite3_bind_int64(st, 2, limit ? (sqlite3_int64)limit : 100);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            *out = ww_realloc(*out, cap * sizeof **out);
        }
        struct cat_delivery *d = &(*out)[(*n)++];
        memset(d, 0, sizeof *d);
        d->id = sqlite3_column_int64(st, 0);
        d->alert_id = sqlite3_column_int64(st, 1);
        d->webhook_id = sqlite3_column_int64(st, 2);
        d->event = cat_col_str(st, 3);
        d->at_us = sqlite3_column_int64(st, 4);
        d->ok = sqlite3_column_int(st, 5);
        d->http_status = sqlite3_column_int(st, 6);
        d->attempts = sqlite3_column_int(st, 7);
        d->error = cat_col_str(st, 8);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        cat_delivery_list_free(*out, *n);
        *out = NULL;
        *n = 0;
        return cat_fail(cat, "delivery list");
    }
    return 0;
}
