/*
 * registrations.c — registrations, connection probes and the activation gate (camera_registrations, camera_probes), and finding an owner by contact.
 * Part of the community-camera network (surface: cat_community.h; owner:
 * community/; tables in schema/003_consent.sql, 040_community.sql).
 *
 * Invariants kept here:
 *   - only the newest probe per camera keeps its still (a few tens of KB);
 *   - the activation gate is the 040 trigger: cameras.c only maps its
 *     refusal (SQLITE_CONSTRAINT_TRIGGER) to WW_ECONFLICT.
 */
#include "catalog/cat_community.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/internal.h"

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
