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

static const struct catalog_row_map action_map =
    CATALOG_MAP(struct catalog_alert_action, NULL, NULL, id, alert_id, at_us, user_id, user_name,
                kind, text, called_us, repair_by_us);
#define ACTION_COLS "id,alert_id,at_us,COALESCE(user_id,0),user_name,kind,text,COALESCE(called_us,0),COALESCE(repair_by_us,0)"

CATALOG_ROW_CLEAR_FN(action_map, struct catalog_alert_action, catalog_alert_action_clear)
CATALOG_LIST_FREE_FN(action_map, struct catalog_alert_action, catalog_alert_action_list_free)

int catalog_alert_action_add(catalog_t *cat, struct catalog_alert_action *a)
{
    assert(cat && a && a->user_name && a->kind);
    if (!a->at_us) a->at_us = ww_wall_us();
    return CATALOG_INSERT(cat, "alert action add", CATALOG_REFUSED_BY_KIND, &a->id,
                      "INSERT INTO alert_actions(alert_id,at_us,user_id,user_name,kind,text,called_us,repair_by_us)"
                      " VALUES(?,?,?,?,?,?,?,?)",
                      CATALOG_ARG(a->alert_id), CATALOG_ARG(a->at_us), CATALOG_ID(a->user_id), CATALOG_ARG(a->user_name),
                      CATALOG_ARG(a->kind), CATALOG_ARG(a->text ? a->text : ""), catalog_arg_opt(a->called_us > 0, a->called_us),
                      catalog_arg_opt(a->repair_by_us > 0, a->repair_by_us));
}

int catalog_alert_actions(catalog_t *cat, int64_t alert_id, struct catalog_alert_action **out, size_t *n)
{
    return CATALOG_LIST(cat, "alert actions", &action_map, out, n,
                    "SELECT " ACTION_COLS " FROM alert_actions WHERE alert_id=? ORDER BY at_us, id", CATALOG_ARG(alert_id));
}

int catalog_alert_acks(catalog_t *cat, const int64_t *ids, size_t n, struct catalog_alert_action *out)
{
    memset(out, 0, n * sizeof *out);
    sqlite3_stmt *st;
    if (catalog_prepare(cat, "SELECT " ACTION_COLS " FROM alert_actions WHERE alert_id=? AND kind='acknowledge'", &st))
        return WW_EDB;
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, ids[i]);
        int s = sqlite3_step(st);
        if (s == SQLITE_ROW) catalog_row_map(&action_map, st, &out[i]);
        else if (s != SQLITE_DONE) rc = catalog_fail(cat, "alert acks");
    }
    sqlite3_finalize(st);
    return rc;
}
