/*
 * cat_community.c — every SQL statement of the community-camera network:
 * consent register, registrations and probes, alerts, webhooks, uptime
 * intervals, place search helpers and evidence bundles.
 *
 * Invariants kept here:
 *   - at most one consent row is in force at any moment per camera (record
 *     ends the row in force at the new start, refuses overlapping a later
 *     one); rows are never deleted, so the register is its own history;
 *   - a voided row (withdrawn before it started) grants nothing: its flags
 *     are cleared and it lasts 1 µs (the 003 CHECK wants to > from); what it
 *     had said is in the audit row of the change;
 *   - only the newest probe per camera keeps its still (a few tens of KB);
 *   - the activation gate is the 040 trigger: this file only maps its
 *     refusal (SQLITE_CONSTRAINT_TRIGGER) to WW_ECONFLICT.
 */
#include "catalog/cat_community.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/internal.h"

/* ======================================================================
 * consent register
 * ==================================================================== */

void cat_consent_clear(struct cat_consent *c)
{
    if (!c) return;
    free(c->recorded_by);
    free(c->note);
    free(c->withdrawn_by);
    free(c->withdraw_note);
    memset(c, 0, sizeof *c);
}

void cat_consent_list_free(struct cat_consent *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) cat_consent_clear(&v[i]);
    free(v);
}

#define CONSENT_COLS                                                                  \
    "id,camera_id,allow_live,allow_record,allow_export,valid_from_us,valid_to_us,"    \
    "recorded_by,recorded_by_id,recorded_us,note,withdrawn_us,withdrawn_by,withdraw_note"

static void consent_row(sqlite3_stmt *st, struct cat_consent *c)
{
    c->id = sqlite3_column_int64(st, 0);
    c->camera_id = sqlite3_column_int64(st, 1);
    c->live = sqlite3_column_int(st, 2);
    c->record = sqlite3_column_int(st, 3);
    c->export_ = sqlite3_column_int(st, 4);
    c->from_us = sqlite3_column_int64(st, 5);
    c->until_us = sqlite3_column_int64(st, 6);
    c->recorded_by = cat_col_str(st, 7);
    c->recorded_by_id = sqlite3_column_int64(st, 8);
    c->recorded_us = sqlite3_column_int64(st, 9);
    c->note = cat_col_str(st, 10);
    c->withdrawn_us = sqlite3_column_int64(st, 11);
    c->withdrawn_by = cat_col_str(st, 12);
    c->withdraw_note = cat_col_str(st, 13);
}

int catalog_consent_list(catalog_t *cat, int64_t camera_id, struct cat_consent **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT " CONSENT_COLS " FROM consents WHERE camera_id=?"
                         " ORDER BY valid_from_us, id", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, camera_id);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            *out = ww_realloc(*out, cap * sizeof **out);
        }
        memset(&(*out)[*n], 0, sizeof **out);
        consent_row(st, &(*out)[(*n)++]);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        cat_consent_list_free(*out, *n);
        *out = NULL;
        *n = 0;
        return cat_fail(cat, "consent list");
    }
    return 0;
}

int catalog_consent_get(catalog_t *cat, int64_t id, struct cat_consent *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT " CONSENT_COLS " FROM consents WHERE id=?", &st)) return WW_EDB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) consent_row(st, out);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? WW_ENOTFOUND : cat_fail(cat, "consent get");
}

/* Ends row id at at_us, or voids it when at_us is not after its start. */
static int consent_end(catalog_t *cat, int64_t id, int64_t row_from, int64_t at_us, int64_t now,
                       const char *by, const char *note, bool mark_withdrawn)
{
    sqlite3_stmt *st;
    bool voids = at_us <= row_from;
    const char *sql = voids
        ? "UPDATE consents SET valid_to_us=valid_from_us+1, allow_live=0, allow_record=0,"
          " allow_export=0, withdrawn_us=?2, withdrawn_by=?3, withdraw_note=?4 WHERE id=?1"
        : mark_withdrawn
            ? "UPDATE consents SET valid_to_us=?5, withdrawn_us=?2, withdrawn_by=?3,"
              " withdraw_note=?4 WHERE id=?1"
            : "UPDATE consents SET valid_to_us=?5 WHERE id=?1";
    if (cat_prepare(cat, sql, &st)) return WW_EDB;
    sqlite3_bind_int64(st, 1, id);
    if (voids || mark_withdrawn) {
        sqlite3_bind_int64(st, 2, now);
        cat_bind_str(st, 3, by);
        cat_bind_str(st, 4, note);
    }
    if (!voids) sqlite3_bind_int64(st, 5, at_us);
    return cat_step_done(cat, st, "consent end", WW_EINVAL);
}

int catalog_consent_record(catalog_t *cat, struct cat_consent *c, int64_t *ended_id,
                           int64_t *conflict_id)
{
    *ended_id = 0;
    *conflict_id = 0;
    if (c->camera_id <= 0 || c->from_us <= 0 || (c->until_us && c->until_us <= c->from_us))
        return WW_EINVAL;
    int rc;
    bool own = cat_own_txn_begin(cat, &rc);
    if (rc) return rc;
    sqlite3_stmt *st = NULL;
    int64_t now = ww_wall_us();

    /* a later agreement that the new one would overlap: refuse */
    if ((rc = cat_prepare(cat, "SELECT id FROM consents WHERE camera_id=?1 AND valid_from_us > ?2"
                               " AND (?3 = 0 OR valid_from_us < ?3)"
                               " AND NOT (withdrawn_us IS NOT NULL AND valid_to_us <= valid_from_us + 1)"
                               " ORDER BY valid_from_us LIMIT 1", &st)))
        goto out;
    sqlite3_bind_int64(st, 1, c->camera_id);
    sqlite3_bind_int64(st, 2, c->from_us);
    sqlite3_bind_int64(st, 3, c->until_us);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        *conflict_id = sqlite3_column_int64(st, 0);
        rc = WW_ECONFLICT;
    } else if (s != SQLITE_DONE) {
        rc = cat_fail(cat, "consent overlap");
    }
    sqlite3_finalize(st);
    st = NULL;
    if (rc) goto out;

    /* the row in force at the new start ends there */
    if ((rc = cat_prepare(cat, "SELECT id, valid_from_us FROM consents WHERE camera_id=?1"
                               " AND valid_from_us <= ?2 AND (valid_to_us IS NULL OR valid_to_us > ?2)"
                               " ORDER BY valid_from_us DESC, id DESC", &st)))
        goto out;
    sqlite3_bind_int64(st, 1, c->camera_id);
    sqlite3_bind_int64(st, 2, c->from_us);
    /* normally one row; older catalogs may hold several overlapping: end
     * them all (collected first: no UPDATE while the SELECT walks the table) */
    int64_t (*ends)[2] = NULL;
    size_t nends = 0;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        ends = ww_realloc(ends, (nends + 1) * sizeof *ends);
        ends[nends][0] = sqlite3_column_int64(st, 0);
        ends[nends][1] = sqlite3_column_int64(st, 1);
        nends++;
    }
    if (s != SQLITE_DONE) rc = cat_fail(cat, "consent in force");
    sqlite3_finalize(st);
    st = NULL;
    for (size_t i = 0; !rc && i < nends; i++) {
        if (!*ended_id) *ended_id = ends[i][0];
        rc = consent_end(cat, ends[i][0], ends[i][1], c->from_us, now, c->recorded_by,
                         "replaced by a new agreement from the same moment", false);
    }
    free(ends);
    if (rc) goto out;

    if ((rc = cat_prepare(cat, "INSERT INTO consents(camera_id,allow_live,allow_record,allow_export,"
                               "valid_from_us,valid_to_us,recorded_by,recorded_by_id,recorded_us,note)"
                               " VALUES (?,?,?,?,?,?,?,?,?,?)", &st)))
        goto out;
    sqlite3_bind_int64(st, 1, c->camera_id);
    sqlite3_bind_int(st, 2, c->live);
    sqlite3_bind_int(st, 3, c->record);
    sqlite3_bind_int(st, 4, c->export_);
    sqlite3_bind_int64(st, 5, c->from_us);
    if (c->until_us) sqlite3_bind_int64(st, 6, c->until_us);
    else sqlite3_bind_null(st, 6);
    cat_bind_str(st, 7, c->recorded_by ? c->recorded_by : "unknown");
    cat_bind_id(st, 8, c->recorded_by_id);
    sqlite3_bind_int64(st, 9, now);
    cat_bind_str(st, 10, c->note);
    if ((rc = cat_step_done(cat, st, "consent insert", WW_EINVAL)) == 0) {
        c->id = sqlite3_last_insert_rowid(cat->db);
        c->recorded_us = now;
    }
    st = NULL;
out:
    sqlite3_finalize(st);
    return cat_own_txn_end(cat, own, rc);
}

int catalog_consent_withdraw(catalog_t *cat, int64_t id, int64_t at_us, const char *by,
                             const char *note)
{
    struct cat_consent c;
    int rc = catalog_consent_get(cat, id, &c);
    if (rc) return rc;
    bool ended = c.withdrawn_us || (c.until_us && c.until_us <= at_us);
    int64_t from = c.from_us;
    cat_consent_clear(&c);
    if (ended) return WW_ECONFLICT;
    return consent_end(cat, id, from, at_us, ww_wall_us(), by, note, true);
}

/* ======================================================================
 * registrations, probes, activation
 * ==================================================================== */

int catalog_registration_set(catalog_t *cat, int64_t camera_id, const char *source,
                             bool probe_required, const char *by)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "INSERT INTO camera_registrations(camera_id,source,probe_required,"
                         "registered_us,registered_by) VALUES (?,?,?,?,?)"
                         " ON CONFLICT(camera_id) DO UPDATE SET source=excluded.source,"
                         " probe_required=excluded.probe_required, registered_by=excluded.registered_by",
                    &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, camera_id);
    cat_bind_str(st, 2, source);
    sqlite3_bind_int(st, 3, probe_required);
    sqlite3_bind_int64(st, 4, ww_wall_us());
    cat_bind_str(st, 5, by);
    return cat_step_done(cat, st, "registration set", WW_EINVAL);
}

int catalog_registration_get(catalog_t *cat, int64_t camera_id, char **source, bool *probe_required,
                             int64_t *registered_us)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT source, probe_required, registered_us FROM camera_registrations"
                         " WHERE camera_id=?", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, camera_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        if (source) *source = cat_col_str(st, 0);
        if (probe_required) *probe_required = sqlite3_column_int(st, 1);
        if (registered_us) *registered_us = sqlite3_column_int64(st, 2);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? WW_ENOTFOUND : cat_fail(cat, "registration get");
}

void cat_probe_clear(struct cat_probe *p)
{
    if (!p) return;
    free(p->error_code);
    free(p->message);
    free(p->codec);
    free(p->probed_by);
    free(p->jpeg);
    memset(p, 0, sizeof *p);
}

int catalog_probe_add(catalog_t *cat, struct cat_probe *p)
{
    int rc;
    bool own = cat_own_txn_begin(cat, &rc);
    if (rc) return rc;
    sqlite3_stmt *st;
    if ((rc = cat_prepare(cat, "UPDATE camera_probes SET jpeg=NULL WHERE camera_id=? AND jpeg IS NOT NULL",
                          &st)) == 0) {
        sqlite3_bind_int64(st, 1, p->camera_id);
        rc = cat_step_done(cat, st, "probe still prune", WW_EINVAL);
    }
    if (!rc && (rc = cat_prepare(cat, "INSERT INTO camera_probes(camera_id,at_us,ok,error_code,message,"
                                      "codec,width,height,elapsed_ms,probed_by,jpeg)"
                                      " VALUES (?,?,?,?,?,?,?,?,?,?,?)", &st)) == 0) {
        if (!p->at_us) p->at_us = ww_wall_us();
        sqlite3_bind_int64(st, 1, p->camera_id);
        sqlite3_bind_int64(st, 2, p->at_us);
        sqlite3_bind_int(st, 3, p->ok);
        cat_bind_str(st, 4, p->error_code);
        cat_bind_str(st, 5, p->message);
        cat_bind_str(st, 6, p->codec);
        if (p->width > 0) sqlite3_bind_int(st, 7, p->width);
        if (p->height > 0) sqlite3_bind_int(st, 8, p->height);
        sqlite3_bind_int64(st, 9, p->elapsed_ms);
        cat_bind_str(st, 10, p->probed_by);
        if (p->jpeg && p->jpeg_len) sqlite3_bind_blob(st, 11, p->jpeg, (int)p->jpeg_len, SQLITE_STATIC);
        if ((rc = cat_step_done(cat, st, "probe add", WW_EINVAL)) == 0) p->id = sqlite3_last_insert_rowid(cat->db);
    }
    return cat_own_txn_end(cat, own, rc);
}

int catalog_probe_last(catalog_t *cat, int64_t camera_id, bool with_jpeg, struct cat_probe *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    if (cat_prepare(cat, with_jpeg
                        ? "SELECT id,camera_id,at_us,ok,error_code,message,codec,width,height,elapsed_ms,"
                          "probed_by,jpeg FROM camera_probes WHERE camera_id=? ORDER BY id DESC LIMIT 1"
                        : "SELECT id,camera_id,at_us,ok,error_code,message,codec,width,height,elapsed_ms,"
                          "probed_by,NULL FROM camera_probes WHERE camera_id=? ORDER BY id DESC LIMIT 1",
                    &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, camera_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->id = sqlite3_column_int64(st, 0);
        out->camera_id = sqlite3_column_int64(st, 1);
        out->at_us = sqlite3_column_int64(st, 2);
        out->ok = sqlite3_column_int(st, 3);
        out->error_code = cat_col_str(st, 4);
        out->message = cat_col_str(st, 5);
        out->codec = cat_col_str(st, 6);
        out->width = sqlite3_column_int(st, 7);
        out->height = sqlite3_column_int(st, 8);
        out->elapsed_ms = sqlite3_column_int64(st, 9);
        out->probed_by = cat_col_str(st, 10);
        int len = sqlite3_column_bytes(st, 11);
        const void *b = sqlite3_column_blob(st, 11);
        if (b && len > 0) {
            out->jpeg = ww_malloc((size_t)len);
            memcpy(out->jpeg, b, (size_t)len);
            out->jpeg_len = (size_t)len;
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? WW_ENOTFOUND : cat_fail(cat, "probe last");
}

int catalog_camera_activation_blocked(catalog_t *cat, int64_t camera_id, bool *blocked)
{
    *blocked = false;
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT EXISTS (SELECT 1 FROM camera_registrations WHERE camera_id=?1 AND probe_required=1)"
                         " AND COALESCE((SELECT ok FROM camera_probes WHERE camera_id=?1 ORDER BY id DESC LIMIT 1), 0) = 0",
                    &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, camera_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *blocked = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : cat_fail(cat, "activation gate");
}

/* Digits of a phone number (into a heap string). */
static char *phone_digits(const char *p)
{
    size_t n = p ? strlen(p) : 0, k = 0;
    char *d = ww_malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        if (isdigit((unsigned char)p[i])) d[k++] = p[i];
    d[k] = 0;
    return d;
}

int catalog_owner_find_contact(catalog_t *cat, const char *name, const char *phone, int64_t *id)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT id, phone FROM owners WHERE name=? ORDER BY id", &st)) return WW_EDB;
    cat_bind_str(st, 1, name);
    char *want = phone_digits(phone);
    int rc;
    bool found = false;
    while (!found && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        char *have = phone_digits((const char *)sqlite3_column_text(st, 1));
        if (!strcmp(have, want)) {
            *id = sqlite3_column_int64(st, 0);
            found = true;
        }
        free(have);
    }
    free(want);
    sqlite3_finalize(st);
    if (found) return 0;
    return rc == SQLITE_DONE ? WW_ENOTFOUND : cat_fail(cat, "owner find");
}

/* ======================================================================
 * alerts, thresholds, webhooks, deliveries
 * ==================================================================== */

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

static void alert_row(sqlite3_stmt *st, struct cat_alert *a)
{
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
    size_t cap = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            *out = ww_realloc(*out, cap * sizeof **out);
        }
        memset(&(*out)[*n], 0, sizeof **out);
        alert_row(st, &(*out)[(*n)++]);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        cat_alert_list_free(*out, *n);
        *out = NULL;
        *n = 0;
        return cat_fail(cat, "alert list");
    }
    return 0;
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

/* ======================================================================
 * availability intervals
 * ==================================================================== */

int catalog_uptime_open(catalog_t *cat, int64_t camera_id, const char *state, int64_t start_us,
                        int64_t end_us, int64_t *id)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "INSERT INTO camera_uptime(camera_id,state,start_us,end_us) VALUES (?,?,?,?)",
                    &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, camera_id);
    cat_bind_str(st, 2, state);
    sqlite3_bind_int64(st, 3, start_us);
    sqlite3_bind_int64(st, 4, end_us < start_us ? start_us : end_us);
    int rc = cat_step_done(cat, st, "uptime open", WW_EINVAL);
    if (!rc) *id = sqlite3_last_insert_rowid(cat->db);
    return rc;
}

int catalog_uptime_extend(catalog_t *cat, int64_t id, int64_t end_us)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "UPDATE camera_uptime SET end_us=MAX(start_us, ?) WHERE id=?", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, end_us);
    sqlite3_bind_int64(st, 2, id);
    return cat_step_done(cat, st, "uptime extend", WW_EINVAL);
}

int catalog_uptime_range(catalog_t *cat, int64_t from_us, int64_t to_us, struct cat_uptime **out,
                         size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st;
    /* end_us > from first: the end index bounds the scan to what overlaps
     * the window's start onwards (intervals may be weeks long, so no
     * bound on start_us is possible). */
    if (cat_prepare(cat, "SELECT camera_id, state, MAX(start_us, ?1), MIN(end_us, ?2) FROM camera_uptime"
                         " WHERE end_us > ?1 AND start_us < ?2 ORDER BY camera_id, start_us", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, from_us);
    sqlite3_bind_int64(st, 2, to_us);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            *out = ww_realloc(*out, cap * sizeof **out);
        }
        struct cat_uptime *u = &(*out)[(*n)++];
        u->camera_id = sqlite3_column_int64(st, 0);
        const char *s = (const char *)sqlite3_column_text(st, 1);
        u->online = s && !strcmp(s, "online");
        u->start_us = sqlite3_column_int64(st, 2);
        u->end_us = sqlite3_column_int64(st, 3);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        free(*out);
        *out = NULL;
        *n = 0;
        return cat_fail(cat, "uptime range");
    }
    return 0;
}

int catalog_uptime_prune(catalog_t *cat, int64_t before_us)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "DELETE FROM camera_uptime WHERE end_us < ?", &st)) return WW_EDB;
    sqlite3_bind_int64(st, 1, before_us);
    return cat_step_done(cat, st, "uptime prune", WW_EINVAL);
}

/* ======================================================================
 * place search (the cameras-in-a-box query is in cameras.c, with the
 * cameras table's other SQL)
 * ==================================================================== */

/* Segments are cut at most every 600 s (serve --segment-seconds), but a
 * recovered or imported file may be longer; an hour bounds the index range
 * on start_us generously. */
#define SEGMENT_MAX_US (3600LL * 1000000)

int catalog_coverage(catalog_t *cat, int64_t camera_id, int64_t from_us, int64_t to_us,
                     int64_t *covered_us, int64_t *segments)
{
    *covered_us = 0;
    *segments = 0;
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT COALESCE(SUM(MIN(s.end_us, ?3) - MAX(s.start_us, ?2)), 0), COUNT(*)"
                         " FROM segments s JOIN streams t ON t.id = s.stream_id AND t.kind = 'main'"
                         " WHERE s.camera_id = ?1 AND s.start_us < ?3 AND s.start_us >= ?4"
                         " AND s.end_us > ?2 AND s.state <> 2", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, camera_id);
    sqlite3_bind_int64(st, 2, from_us);
    sqlite3_bind_int64(st, 3, to_us);
    sqlite3_bind_int64(st, 4, from_us - SEGMENT_MAX_US);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *covered_us = sqlite3_column_int64(st, 0);
        *segments = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : cat_fail(cat, "coverage");
}

/* ======================================================================
 * evidence bundles
 * ==================================================================== */

void cat_bundle_clear(struct cat_bundle *b)
{
    if (!b) return;
    free(b->username);
    free(b->dir);
    free(b->manifest);
    free(b->manifest_sha256);
    for (size_t i = 0; i < b->n_items; i++) {
        free(b->items[i].status);
        free(b->items[i].reason);
    }
    free(b->items);
    memset(b, 0, sizeof *b);
}

void cat_bundle_list_free(struct cat_bundle *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) cat_bundle_clear(&v[i]);
    free(v);
}

int catalog_bundle_add(catalog_t *cat, struct cat_bundle *b)
{
    int rc;
    bool own = cat_own_txn_begin(cat, &rc);
    if (rc) return rc;
    sqlite3_stmt *st;
    if ((rc = cat_prepare(cat, "INSERT INTO evidence_bundles(created_us,user_id,username,latitude,longitude,"
                               "radius_m,from_us,to_us,dir,manifest,manifest_sha256)"
                               " VALUES (?,?,?,?,?,?,?,?,?,?,?)", &st)) == 0) {
        if (!b->created_us) b->created_us = ww_wall_us();
        sqlite3_bind_int64(st, 1, b->created_us);
        cat_bind_id(st, 2, b->user_id);
        cat_bind_str(st, 3, b->username ? b->username : "unknown");
        sqlite3_bind_double(st, 4, b->latitude);
        sqlite3_bind_double(st, 5, b->longitude);
        sqlite3_bind_double(st, 6, b->radius_m);
        sqlite3_bind_int64(st, 7, b->from_us);
        sqlite3_bind_int64(st, 8, b->to_us);
        cat_bind_str(st, 9, b->dir);
        cat_bind_str(st, 10, b->manifest);
        cat_bind_str(st, 11, b->manifest_sha256);
        if ((rc = cat_step_done(cat, st, "bundle add", WW_EINVAL)) == 0) b->id = sqlite3_last_insert_rowid(cat->db);
    }
    for (size_t i = 0; !rc && i < b->n_items; i++) {
        const struct cat_bundle_item *it = &b->items[i];
        if ((rc = cat_prepare(cat, "INSERT INTO evidence_bundle_items(bundle_id,seq,camera_id,export_id,"
                                   "status,reason) VALUES (?,?,?,?,?,?)", &st)))
            break;
        sqlite3_bind_int64(st, 1, b->id);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
        sqlite3_bind_int64(st, 3, it->camera_id);
        cat_bind_id(st, 4, it->export_id);
        cat_bind_str(st, 5, it->status);
        cat_bind_str(st, 6, it->reason);
        rc = cat_step_done(cat, st, "bundle item add", WW_EINVAL);
    }
    return cat_own_txn_end(cat, own, rc);
}

static int bundle_items(catalog_t *cat, struct cat_bundle *b)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT camera_id, export_id, status, reason FROM evidence_bundle_items"
                         " WHERE bundle_id=? ORDER BY seq", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, b->id);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (b->n_items == cap) {
            cap = cap ? cap * 2 : 8;
            b->items = ww_realloc(b->items, cap * sizeof *b->items);
        }
        struct cat_bundle_item *it = &b->items[b->n_items++];
        it->camera_id = sqlite3_column_int64(st, 0);
        it->export_id = sqlite3_column_int64(st, 1);
        it->status = cat_col_str(st, 2);
        it->reason = cat_col_str(st, 3);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : cat_fail(cat, "bundle items");
}

#define BUNDLE_COLS                                                                       \
    "id,created_us,user_id,username,latitude,longitude,radius_m,from_us,to_us,dir,manifest," \
    "manifest_sha256"

static void bundle_row(sqlite3_stmt *st, struct cat_bundle *b)
{
    b->id = sqlite3_column_int64(st, 0);
    b->created_us = sqlite3_column_int64(st, 1);
    b->user_id = sqlite3_column_int64(st, 2);
    b->username = cat_col_str(st, 3);
    b->latitude = sqlite3_column_double(st, 4);
    b->longitude = sqlite3_column_double(st, 5);
    b->radius_m = sqlite3_column_double(st, 6);
    b->from_us = sqlite3_column_int64(st, 7);
    b->to_us = sqlite3_column_int64(st, 8);
    b->dir = cat_col_str(st, 9);
    b->manifest = cat_col_str(st, 10);
    b->manifest_sha256 = cat_col_str(st, 11);
}

int catalog_bundle_get(catalog_t *cat, int64_t id, struct cat_bundle *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT " BUNDLE_COLS " FROM evidence_bundles WHERE id=?", &st)) return WW_EDB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) bundle_row(st, out);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE) return WW_ENOTFOUND;
    if (rc != SQLITE_ROW) return cat_fail(cat, "bundle get");
    if ((rc = bundle_items(cat, out))) cat_bundle_clear(out);
    return rc;
}

int catalog_bundle_list(catalog_t *cat, size_t limit, struct cat_bundle **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT " BUNDLE_COLS " FROM evidence_bundles ORDER BY id DESC LIMIT ?", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, limit ? (sqlite3_int64)limit : 100);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            *out = ww_realloc(*out, cap * sizeof **out);
        }
        memset(&(*out)[*n], 0, sizeof **out);
        bundle_row(st, &(*out)[(*n)++]);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        cat_bundle_list_free(*out, *n);
        *out = NULL;
        *n = 0;
        return cat_fail(cat, "bundle list");
    }
    for (size_t i = 0; i < *n; i++)
        if ((rc = bundle_items(cat, &(*out)[i]))) {
            cat_bundle_list_free(*out, *n);
            *out = NULL;
            *n = 0;
            return rc;
        }
    return 0;
}
