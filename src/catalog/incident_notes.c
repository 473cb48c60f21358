/*
 * incident_notes.c — notes in an incident's case file (surface:
 * cat_evidence.h; table in schema/048_incident_notes.sql).  Rows are only
 * ever added: the case file is a record, and a correction is a new note.
 */
#include "catalog/cat_evidence.h"

#include <string.h>

#include "catalog/internal.h"

#define N struct catalog_incident_note
static const struct catalog_row_map note_map =
    CATALOG_ROW_MAP(N, NULL, NULL, CATALOG_COL(N, id), CATALOG_COL(N, incident_id), CATALOG_COL(N, at_us),
                    CATALOG_COL(N, user_id), CATALOG_COL(N, user_name), CATALOG_COL(N, text));
#undef N

void catalog_incident_note_list_free(struct catalog_incident_note *v, size_t n) { catalog_rows_free(&note_map, v, n); }

int catalog_incident_note_add(catalog_t *cat, struct catalog_incident_note *n)
{
    size_t len = n->text ? strlen(n->text) : 0;
    if (!len || len > 4000 || !n->incident_id) return WW_EINVAL;
    int64_t now = ww_wall_us();
    /* the incident must exist (the foreign key would say so only as a
     * constraint failure, which is refused the same as a bad text) */
    int64_t found = 0;
    int rc = CATALOG_ONE(cat, "incident note: incident", &catalog_i64_map, &found,
                         "SELECT id FROM incidents WHERE id = ?", CATALOG_ARG(n->incident_id));
    if (rc) return rc;
    if ((rc = CATALOG_INSERT(cat, "incident note add", WW_EINVAL, &n->id,
                             "INSERT INTO incident_notes(incident_id,at_us,user_id,user_name,text) VALUES (?,?,?,?,?)",
                             CATALOG_ARG(n->incident_id), CATALOG_ARG(now), CATALOG_ID(n->user_id),
                             catalog_arg_str(n->user_name ? n->user_name : "unknown"), catalog_arg_str(n->text))))
        return rc;
    n->at_us = now;
    return 0;
}

int catalog_incident_note_list(catalog_t *cat, int64_t incident_id, struct catalog_incident_note **out, size_t *n)
{
    return CATALOG_LIST(cat, "incident note list", &note_map, out, n,
                        "SELECT id,incident_id,at_us,COALESCE(user_id,0),user_name,text FROM incident_notes"
                        " WHERE incident_id = ? ORDER BY at_us, id",
                        CATALOG_ARG(incident_id));
}
