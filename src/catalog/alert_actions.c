/*
 * alert_actions.c — what the duty officer did about a camera-dark alert
 * (surface: cat_community.h; table schema/047_alert_actions.sql).  The
 * alert row itself belongs to the monitor (alerts.c); these rows belong to
 * the people who answer it, so they live apart and the monitor never
 * touches them.
 */
#include "catalog/cat_community.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/internal.h"

void cat_alert_action_clear(struct cat_alert_action *a)
{
    if (!a) return;
    free(a->user_name);
    free(a->kind);
    free(a->text);
    memset(a, 0, sizeof *a);
}

void cat_alert_action_list_free(struct cat_alert_action *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) cat_alert_action_clear(&v[i]);
    free(v);
}

int catalog_alert_action_add(catalog_t *cat, struct cat_alert_action *a)
{
    assert(cat && a && a->user_name && a->kind);
    sqlite3_stmt *st;
    if (cat_prepare(cat, "INSERT INTO alert_actions(alert_id,at_us,user_id,user_name,kind,text,called_us,repair_by_us)"
                         " VALUES(?,?,?,?,?,?,?,?)", &st))
        return WW_EDB;
    if (!a->at_us) a->at_us = ww_wall_us();
    sqlite3_bind_int64(st, 1, a->alert_id);
    sqlite3_bind_int64(st, 2, a->at_us);
    cat_bind_id(st, 3, a->user_id);
    cat_bind_str(st, 4, a->user_name);
    cat_bind_str(st, 5, a->kind);
    cat_bind_str(st, 6, a->text ? a->text : "");
    cat_bind_opt_i64(st, 7, a->called_us > 0, a->called_us);
    cat_bind_opt_i64(st, 8, a->repair_by_us > 0, a->repair_by_us);
    int rc = cat_step_done(cat, st, "alert action add", CAT_REFUSED_BY_KIND);
    if (!rc) a->id = sqlite3_last_insert_rowid(cat->db);
    return rc;
}

#define ACTION_COLS "id,alert_id,at_us,COALESCE(user_id,0),user_name,kind,text,COALESCE(called_us,0),COALESCE(repair_by_us,0)"

static void action_row(sqlite3_stmt *st, void *row)
{
    struct cat_alert_action *a = row;
    a->id = sqlite3_column_int64(st, 0);
    a->alert_id = sqlite3_column_int64(st, 1);
    a->at_us = sqlite3_column_int64(st, 2);
    a->user_id = sqlite3_column_int64(st, 3);
    a->user_name = cat_col_str(st, 4);
    a->kind = cat_col_str(st, 5);
    a->text = cat_col_str(st, 6);
    a->called_us = sqlite3_column_int64(st, 7);
    a->repair_by_us = sqlite3_column_int64(st, 8);
}

static void action_clear_row(void *row) { cat_alert_action_clear(row); }

int catalog_alert_actions(catalog_t *cat, int64_t alert_id, struct cat_alert_action **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT " ACTION_COLS " FROM alert_actions WHERE alert_id=? ORDER BY at_us, id", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, alert_id);
    return CAT_ROWS(cat, st, out, n, action_row, action_clear_row, "alert actions");
}

int catalog_alert_acks(catalog_t *cat, const int64_t *ids, size_t n, struct cat_alert_action *out)
{
    memset(out, 0, n * sizeof *out);
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT " ACTION_COLS " FROM alert_actions WHERE alert_id=? AND kind='acknowledge'", &st))
        return WW_EDB;
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, ids[i]);
        int s = sqlite3_step(st);
        if (s == SQLITE_ROW) action_row(st, &out[i]);
        else if (s != SQLITE_DONE) rc = cat_fail(cat, "alert acks");
    }
    sqlite3_finalize(st);
    return rc;
}
