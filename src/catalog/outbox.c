/*
 * outbox.c — the province outbox: drain, acknowledge, census, snapshot, prune
 * (surface: cat_outbox.h; tables and triggers in schema/049_outbox.sql).
 */
#include "catalog/cat_outbox.h"
#include "catalog/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct catalog_row_map outbox_map =
    CATALOG_MAP(struct catalog_outbox_row, NULL, NULL, seq, entity, id, op, data, at);

CATALOG_LIST_FREE_FN(outbox_map, struct catalog_outbox_row, catalog_outbox_rows_free)

int catalog_outbox_next(catalog_t *cat, int64_t after_seq, bool include_sent, size_t limit,
                        struct catalog_outbox_row **out, size_t *n)
{
    return CATALOG_LIST(cat, "outbox next", &outbox_map, out, n,
                    "SELECT seq,entity,id,op,data,at FROM outbox"
                    " WHERE seq>? AND (? OR sent_at IS NULL) ORDER BY seq LIMIT ?",
                    CATALOG_ARG(after_seq), CATALOG_ARG(include_sent), CATALOG_ARG((int64_t)limit));
}

int catalog_outbox_put(catalog_t *cat, const char *entity, const char *id, const char *data_json)
{
    return CATALOG_RUN(cat, "outbox put", WW_EINVAL,
                   "INSERT INTO outbox(entity,id,op,data,at) SELECT ?,?,'upsert',json(?),"
                   "strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE EXISTS (SELECT 1 FROM settings WHERE key=?)",
                   catalog_arg_str(entity), catalog_arg_str(id), catalog_arg_str(data_json),
                   catalog_arg_str(CATALOG_OUTBOX_STATION));
}

int catalog_outbox_mark_sent(catalog_t *cat, int64_t seq, int64_t at_us)
{
    return CATALOG_RUN(cat, "outbox sent", WW_EDB,
                   "UPDATE outbox SET sent_at=? WHERE seq=? AND sent_at IS NULL", CATALOG_ARG(at_us),
                   CATALOG_ARG(seq));
}

int catalog_outbox_stats(catalog_t *cat, int64_t *backlog, int64_t *last_sent, int64_t *max_seq)
{
    sqlite3_stmt *st;
    if (catalog_prepare(cat,
                        "SELECT (SELECT count(*) FROM outbox WHERE sent_at IS NULL),"
                        " (SELECT coalesce(max(seq),0) FROM outbox WHERE sent_at IS NOT NULL),"
                        " (SELECT coalesce(max(seq),0) FROM outbox)",
                        &st))
        return WW_EDB;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *backlog = sqlite3_column_int64(st, 0);
        *last_sent = sqlite3_column_int64(st, 1);
        *max_seq = sqlite3_column_int64(st, 2);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : catalog_fail(cat, "outbox stats");
}

int catalog_outbox_census(catalog_t *cat, char **json)
{
    /* json_group_object keeps the census one statement: count live rows only,
     * max_version over all (a delete is a version too). */
    sqlite3_stmt *st;
    if (catalog_prepare(cat,
                        "SELECT coalesce(json_group_object(entity, json(c)), '{}') FROM"
                        " (SELECT entity, json_object('count', sum(deleted=0), 'max_version', max(version)) AS c"
                        "  FROM repl_state GROUP BY entity ORDER BY entity)",
                        &st))
        return WW_EDB;
    int rc = sqlite3_step(st);
    *json = rc == SQLITE_ROW ? catalog_col_str(st, 0) : NULL;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW && *json ? 0 : catalog_fail(cat, "outbox census");
}

/* The entities the snapshot reads, each from its view outbox_snap_<entity>. */
static const char *const snap_entities[] = {
    "ward",     "camera",           "owner",      "consent",     "alert",      "event",
    "incident", "incident_history", "assessment", "recognition", "audit_head",
};

static int snap_frame(catalog_t *cat, const char *phase)
{
    return CATALOG_RUN(cat, "outbox snapshot frame", WW_EDB,
                   "INSERT INTO outbox(entity,id,op,data,at) VALUES('snapshot','snapshot','upsert',"
                   " json_object('phase',?),strftime('%Y-%m-%dT%H:%M:%SZ','now'))",
                   catalog_arg_str(phase));
}

static int snap_entity(catalog_t *cat, const char *entity)
{
    char sql[256];
    /* entity comes from snap_entities only, never from input */
    snprintf(sql, sizeof sql,
             "INSERT INTO outbox(entity,id,op,data,at) SELECT '%s',id,'upsert',data,"
             "strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ','now') FROM outbox_snap_%s ORDER BY 1",
             entity, entity);
    return catalog_exec(cat, sql);
}

int catalog_outbox_snapshot(catalog_t *cat)
{
    int rc;
    bool own = catalog_own_txn_begin(cat, &rc);
    if (rc) return rc;
    char *station = NULL;
    rc = catalog_setting_get(cat, CATALOG_OUTBOX_STATION, &station);
    free(station);
    if (rc == WW_ENOTFOUND) rc = WW_EINVAL;
    if (!rc) rc = snap_frame(cat, "begin");
    for (size_t i = 0; !rc && i < sizeof snap_entities / sizeof *snap_entities; i++)
        rc = snap_entity(cat, snap_entities[i]);
    if (!rc) rc = snap_frame(cat, "end");
    return catalog_own_txn_end(cat, own, rc);
}

int catalog_outbox_prune(catalog_t *cat, int64_t before_us, int64_t keep_rows, int64_t *deleted)
{
    int rc = CATALOG_RUN(cat, "outbox prune", WW_EDB,
                     "DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at<?"
                     " AND seq <= (SELECT coalesce(max(seq),0) FROM outbox)-?",
                     CATALOG_ARG(before_us), CATALOG_ARG(keep_rows));
    if (!rc && deleted) *deleted = sqlite3_changes(cat->db);
    return rc;
}
