/*
 * consents.c — the consent register (consents).
 * Part of the community-camera network (surface: cat_community.h; owner:
 * community/; tables in schema/003_consent.sql, 040_community.sql).
 *
 * Invariants kept here:
 *   - at most one consent row is in force at any moment per camera (record
 *     ends the row in force at the new start, refuses overlapping a later
 *     one); rows are never deleted, so the register is its own history;
 *   - a voided row (withdrawn before it started) grants nothing: its flags
 *     are cleared and it lasts 1 µs (the 003 CHECK wants to > from); what it
 *     had said is in the audit row of the change.
 */
#include "catalog/cat_community.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/internal.h"

#define CONSENT_COLS                                                                  \
    "id,camera_id,allow_live,allow_record,allow_export,valid_from_us,valid_to_us,"    \
    "recorded_by,recorded_by_id,recorded_us,note,withdrawn_us,withdrawn_by,withdraw_note," \
    "allow_playback"

static const struct catalog_row_map consent_map =
    CATALOG_MAP(struct catalog_consent, NULL, NULL, id, camera_id, live, record, export_, from_us,
                until_us, recorded_by, recorded_by_id, recorded_us, note, withdrawn_us,
                withdrawn_by, withdraw_note, playback);

CATALOG_ROW_CLEAR_FN(consent_map, struct catalog_consent, catalog_consent_clear)
CATALOG_LIST_FREE_FN(consent_map, struct catalog_consent, catalog_consent_list_free)

int catalog_consent_list(catalog_t *cat, int64_t camera_id, struct catalog_consent **out, size_t *n)
{
    return CATALOG_LIST(cat, "consent list", &consent_map, out, n,
                    "SELECT " CONSENT_COLS " FROM consents WHERE camera_id=?"
                    " ORDER BY valid_from_us, id",
                    CATALOG_ARG(camera_id));
}

int catalog_consent_get(catalog_t *cat, int64_t id, struct catalog_consent *out)
{
    return catalog_row_by_id(cat, "SELECT " CONSENT_COLS " FROM consents WHERE id=?", id, &consent_map,
                         out, "consent get");
}

/* Ends row id at at_us, or voids it when at_us is not after its start. */
static int consent_end(catalog_t *cat, int64_t id, int64_t row_from, int64_t at_us, int64_t now,
                       const char *by, const char *note, bool mark_withdrawn)
{
    sqlite3_stmt *st;
    bool voids = at_us <= row_from;
    const char *sql = voids
        ? "UPDATE consents SET valid_to_us=valid_from_us+1, allow_live=0, allow_record=0,"
          " allow_export=0, allow_playback=0, withdrawn_us=?2, withdrawn_by=?3, withdraw_note=?4 WHERE id=?1"
        : mark_withdrawn
            ? "UPDATE consents SET valid_to_us=?5, withdrawn_us=?2, withdrawn_by=?3,"
              " withdraw_note=?4 WHERE id=?1"
            : "UPDATE consents SET valid_to_us=?5 WHERE id=?1";
    /* ?2..?4 go unused by the plain end; ?5 is not in the voiding statement */
    if (CATALOG_PREPARE(cat, sql, &st, CATALOG_ARG(id), CATALOG_ARG(now), catalog_arg_str(by), catalog_arg_str(note)))
        return WW_EDB;
    if (!voids) CATALOG_BIND(st, 5, CATALOG_ARG(at_us));
    return catalog_step_done(cat, st, "consent end", WW_EINVAL);
}

int catalog_consent_record(catalog_t *cat, struct catalog_consent *c, int64_t *ended_id,
                           int64_t *conflict_id)
{
    *ended_id = 0;
    *conflict_id = 0;
    if (c->camera_id <= 0 || c->from_us <= 0 || (c->until_us && c->until_us <= c->from_us))
        return WW_EINVAL;
    int rc;
    bool own = catalog_own_txn_begin(cat, &rc);
    if (rc) return rc;
    sqlite3_stmt *st = NULL;
    int64_t now = ww_wall_us();

    /* a later agreement that the new one would overlap: refuse */
    if ((rc = CATALOG_PREPARE(cat,
                          "SELECT id FROM consents WHERE camera_id=?1 AND valid_from_us > ?2"
                          " AND (?3 = 0 OR valid_from_us < ?3)"
                          " AND NOT (withdrawn_us IS NOT NULL AND valid_to_us <= valid_from_us + 1)"
                          " ORDER BY valid_from_us LIMIT 1",
                          &st, CATALOG_ARG(c->camera_id), CATALOG_ARG(c->from_us), CATALOG_ARG(c->until_us))))
        goto out;
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        *conflict_id = sqlite3_column_int64(st, 0);
        rc = WW_ECONFLICT;
    } else if (s != SQLITE_DONE) {
        rc = catalog_fail(cat, "consent overlap");
    }
    sqlite3_finalize(st);
    st = NULL;
    if (rc) goto out;

    /* the row in force at the new start ends there */
    if ((rc = CATALOG_PREPARE(cat,
                          "SELECT id, valid_from_us FROM consents WHERE camera_id=?1"
                          " AND valid_from_us <= ?2 AND (valid_to_us IS NULL OR valid_to_us > ?2)"
                          " ORDER BY valid_from_us DESC, id DESC",
                          &st, CATALOG_ARG(c->camera_id), CATALOG_ARG(c->from_us))))
        goto out;
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
    if (s != SQLITE_DONE) rc = catalog_fail(cat, "consent in force");
    sqlite3_finalize(st);
    st = NULL;
    for (size_t i = 0; !rc && i < nends; i++) {
        if (!*ended_id) *ended_id = ends[i][0];
        rc = consent_end(cat, ends[i][0], ends[i][1], c->from_us, now, c->recorded_by,
                         "replaced by a new agreement from the same moment", false);
    }
    free(ends);
    if (rc) goto out;

    if ((rc = CATALOG_PREPARE(
             cat,
             "INSERT INTO consents(camera_id,allow_live,allow_record,allow_export,"
             "valid_from_us,valid_to_us,recorded_by,recorded_by_id,recorded_us,note,"
             "allow_playback) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
             &st, CATALOG_ARG(c->camera_id), CATALOG_ARG(c->live), CATALOG_ARG(c->record), CATALOG_ARG(c->export_),
             CATALOG_ARG(c->from_us), catalog_arg_opt(c->until_us != 0, c->until_us),
             catalog_arg_str(c->recorded_by ? c->recorded_by : "unknown"), CATALOG_ID(c->recorded_by_id),
             CATALOG_ARG(now), catalog_arg_str(c->note), CATALOG_ARG(c->playback))))
        goto out;
    if ((rc = catalog_insert_done(cat, st, "consent insert", WW_EINVAL, &c->id)) == 0) c->recorded_us = now;
    st = NULL;
out:
    sqlite3_finalize(st);
    return catalog_own_txn_end(cat, own, rc);
}

int catalog_consent_withdraw(catalog_t *cat, int64_t id, int64_t at_us, const char *by,
                             const char *note)
{
    struct catalog_consent c;
    int rc = catalog_consent_get(cat, id, &c);
    if (rc) return rc;
    bool ended = c.withdrawn_us || (c.until_us && c.until_us <= at_us);
    int64_t from = c.from_us;
    catalog_consent_clear(&c);
    if (ended) return WW_ECONFLICT;
    return consent_end(cat, id, from, at_us, ww_wall_us(), by, note, true);
}

/* The read side (surface in catalog.h): what a camera may be used for at t.
 * This is the one consent rule; every path that reaches a camera's
 * pictures (live, wall, snapshot, playback, export, bundle, recording and
 * motion analysis) asks it, directly or through http_authz_use / the
 * engine.  Deny by default: a camera with an owner gets nothing without an
 * agreement in force; only a camera without an owner (the station's own)
 * and without any agreement on file is free. */
int catalog_consent_at(catalog_t *cat, int64_t camera_id, int64_t t_us, struct catalog_consent_now *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    if (CATALOG_PREPARE(cat,
                    "SELECT (SELECT COUNT(*) FROM cameras WHERE id=?1),"
                    " (SELECT owner_id FROM cameras WHERE id=?1),"
                    " (SELECT COUNT(*) FROM consents WHERE camera_id=?1),"
                    " COUNT(*), MAX(allow_live), MAX(allow_record), MAX(allow_export),"
                    " MAX(allow_playback), MAX(COALESCE(valid_to_us,0))"
                    " FROM consents WHERE camera_id=?1 AND valid_from_us <= ?2"
                    " AND (valid_to_us IS NULL OR valid_to_us > ?2)",
                    &st, CATALOG_ARG(camera_id), CATALOG_ARG(t_us)))
        return WW_EDB;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0) {
        out->owned = sqlite3_column_type(st, 1) != SQLITE_NULL;
        out->has_rows = sqlite3_column_int64(st, 2) > 0;
        out->in_force = sqlite3_column_int64(st, 3) > 0;
        bool free_ = !out->owned && !out->has_rows; /* the station's own camera */
        out->station_own = free_;
        out->live = free_ || sqlite3_column_int(st, 4);
        out->record = free_ || sqlite3_column_int(st, 5);
        out->export_ = free_ || sqlite3_column_int(st, 6);
        out->playback = free_ || sqlite3_column_int(st, 7);
        out->until_us = sqlite3_column_int64(st, 8);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : catalog_fail(cat, "consent at");
}
