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
    return CATALOG_RUN(cat, "registration set", WW_EINVAL,
                   "INSERT INTO camera_registrations(camera_id,source,probe_required,"
                   "registered_us,registered_by) VALUES (?,?,?,?,?)"
                   " ON CONFLICT(camera_id) DO UPDATE SET source=excluded.source,"
                   " probe_required=excluded.probe_required, registered_by=excluded.registered_by",
                   CATALOG_ARG(camera_id), catalog_arg_str(source), CATALOG_ARG(probe_required),
                   CATALOG_ARG(ww_wall_us()), catalog_arg_str(by));
}

/* A registration row; each part is optional to the caller. */
struct registration_row {
    char *source;
    bool probe_required;
    int64_t registered_us;
};
static const struct catalog_row_map registration_map =
    CATALOG_MAP(struct registration_row, NULL, NULL, source, probe_required, registered_us);

int catalog_registration_get(catalog_t *cat, int64_t camera_id, char **source, bool *probe_required,
                             int64_t *registered_us)
{
    struct registration_row r;
    int rc = catalog_row_by_id(cat,
                           "SELECT source, probe_required, registered_us FROM camera_registrations"
                           " WHERE camera_id=?",
                           camera_id, &registration_map, &r, "registration get");
    if (rc) return rc;
    if (probe_required) *probe_required = r.probe_required;
    if (registered_us) *registered_us = r.registered_us;
    if (source)
        *source = r.source;
    else
        free(r.source);
    return 0;
}

/* The still is a blob (or NULL when the caller did not ask for it). */
static void probe_fill(sqlite3_stmt *st, void *row)
{
    struct catalog_probe *p = row;
    int len = sqlite3_column_bytes(st, 11);
    const void *b = sqlite3_column_blob(st, 11);
    if (b && len > 0) {
        p->jpeg = ww_malloc((size_t)len);
        memcpy(p->jpeg, b, (size_t)len);
        p->jpeg_len = (size_t)len;
    }
}

static void probe_release(void *row)
{
    free(((struct catalog_probe *)row)->jpeg);
}

static const struct catalog_row_map probe_map =
    CATALOG_MAP(struct catalog_probe, probe_fill, probe_release, id, camera_id, at_us, ok,
                error_code, message, codec, width, height, elapsed_ms, probed_by);

CATALOG_ROW_CLEAR_FN(probe_map, struct catalog_probe, catalog_probe_clear)

int catalog_probe_add(catalog_t *cat, struct catalog_probe *p)
{
    int rc;
    bool own = catalog_own_txn_begin(cat, &rc);
    if (rc) return rc;
    /* one still per camera: the newest probe's */
    if (!(rc = CATALOG_RUN(cat, "probe still prune", WW_EINVAL,
                       "UPDATE camera_probes SET jpeg=NULL WHERE camera_id=? AND jpeg IS NOT NULL",
                       CATALOG_ARG(p->camera_id)))) {
        if (!p->at_us) p->at_us = ww_wall_us();
        rc = CATALOG_INSERT(cat, "probe add", WW_EINVAL, &p->id,
                        "INSERT INTO camera_probes(camera_id,at_us,ok,error_code,message,"
                        "codec,width,height,elapsed_ms,probed_by,jpeg)"
                        " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                        CATALOG_ARG(p->camera_id), CATALOG_ARG(p->at_us), CATALOG_ARG(p->ok),
                        catalog_arg_str(p->error_code), catalog_arg_str(p->message), catalog_arg_str(p->codec),
                        catalog_arg_opt(p->width > 0, p->width), catalog_arg_opt(p->height > 0, p->height),
                        CATALOG_ARG(p->elapsed_ms), catalog_arg_str(p->probed_by),
                        catalog_arg_blob(p->jpeg, p->jpeg_len));
    }
    return catalog_own_txn_end(cat, own, rc);
}

int catalog_probe_last(catalog_t *cat, int64_t camera_id, bool with_jpeg, struct catalog_probe *out)
{
    return catalog_row_by_id(
        cat,
        with_jpeg ? "SELECT id,camera_id,at_us,ok,error_code,message,codec,width,height,elapsed_ms,"
                    "probed_by,jpeg FROM camera_probes WHERE camera_id=? ORDER BY id DESC LIMIT 1"
                  : "SELECT id,camera_id,at_us,ok,error_code,message,codec,width,height,elapsed_ms,"
                    "probed_by,NULL FROM camera_probes WHERE camera_id=? ORDER BY id DESC LIMIT 1",
        camera_id, &probe_map, out, "probe last");
}

int catalog_camera_activation_blocked(catalog_t *cat, int64_t camera_id, bool *blocked)
{
    *blocked = false;
    return catalog_row_by_id(cat,
                         "SELECT EXISTS (SELECT 1 FROM camera_registrations WHERE camera_id=?1"
                         " AND probe_required=1) AND COALESCE((SELECT ok FROM camera_probes"
                         " WHERE camera_id=?1 ORDER BY id DESC LIMIT 1), 0) = 0",
                         camera_id, &catalog_bool_map, blocked, "activation gate");
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
    if (CATALOG_PREPARE(cat, "SELECT id, phone FROM owners WHERE name=? ORDER BY id", &st,
                    catalog_arg_str(name)))
        return WW_EDB;
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
    return rc == SQLITE_DONE ? WW_ENOTFOUND : catalog_fail(cat, "owner find");
}
