/*
 * incidents.c — the incident register (incidents, incident_cameras, incident_exports).
 * Part of the ward's work (surface: cat_ward_work.h; owner: ward/; tables in
 * schema/030_incidents.sql, 031_criteria.sql).  Validation beyond the SQL
 * constraints is ward/'s; multi-row writes assume the caller's transaction.
 */
#include "catalog/cat_ward_work.h"
#include "catalog/internal.h"

#include <stdlib.h>
#include <string.h>

static const char *const status_names[] = {"received", "verifying", "solved", "closed"};

const char *catalog_inc_status_name(int s)
{
    return s >= 0 && s < 4 ? status_names[s] : NULL;
}

int catalog_inc_status_parse(const char *s)
{
    for (int i = 0; s && i < 4; i++)
        if (!strcmp(s, status_names[i])) return i;
    return -1;
}

#define INC_COLS "i.id,i.ward_id,i.category_id,i.occurred_at,i.address,i.latitude,i.longitude," \
                 "i.summary,i.status,i.suspects,i.drug_grams,i.deaths,i.injuries,i.damage_vnd," \
                 "i.demo,i.created_by,i.created_us,i.updated_by,i.updated_us,w.name,c.code"
#define INC_FROM " FROM incidents i JOIN wards w ON w.id=i.ward_id" \
                 " JOIN incident_categories c ON c.id=i.category_id"

/* What the column table cannot say: a position needs both coordinates, the
 * status is stored by name, and each figure is "given" only when not NULL. */
static void incident_fill(sqlite3_stmt *st, void *row)
{
    struct catalog_incident *c = row;
    c->has_pos = sqlite3_column_type(st, 5) != SQLITE_NULL && sqlite3_column_type(st, 6) != SQLITE_NULL;
    c->status = catalog_inc_status_parse((const char *)sqlite3_column_text(st, 8));
    if (c->status < 0) c->status = CATALOG_INC_RECEIVED;
    static const unsigned bits[] = {CATALOG_FIG_SUSPECTS, CATALOG_FIG_DRUG_GRAMS, CATALOG_FIG_DEATHS,
                                    CATALOG_FIG_INJURIES, CATALOG_FIG_DAMAGE};
    for (int i = 0; i < 5; i++)
        if (sqlite3_column_type(st, 9 + i) != SQLITE_NULL) c->has |= bits[i];
}

/* the id lists are filled by get, not by the row */
static void incident_release(void *row)
{
    struct catalog_incident *c = row;
    free(c->camera_ids);
    free(c->export_ids);
}

#define I struct catalog_incident
static const struct catalog_row_map incident_map = CATALOG_ROW_MAP(
    I, incident_fill, incident_release,
    CATALOG_COLS(I, id, ward_id, category_id, occurred_at, address, latitude, longitude, summary),
    CATALOG_COL_BY_FILL,
    CATALOG_COLS(I, suspects, drug_grams, deaths, injuries, damage_vnd, demo, created_by,
                 created_us, updated_by, updated_us, ward_name, category_code));
#undef I

CATALOG_ROW_CLEAR_FN(incident_map, struct catalog_incident, catalog_incident_clear)
CATALOG_LIST_FREE_FN(incident_map, struct catalog_incident, catalog_incident_list_free)

/* Binds the 18 writable columns starting at index 1, in INSERT order. */
static void bind_incident(sqlite3_stmt *st, const struct catalog_incident *c)
{
    const char *status = catalog_inc_status_name(c->status);
    CATALOG_BIND(st, 1, CATALOG_ARG(c->ward_id), CATALOG_ARG(c->category_id), CATALOG_ARG(c->occurred_at),
             catalog_arg_str(c->address), catalog_arg_opt_dbl(c->has_pos, c->latitude),
             catalog_arg_opt_dbl(c->has_pos, c->longitude), catalog_arg_str(c->summary),
             catalog_arg_str(status ? status : "received"),
             catalog_arg_opt(c->has & CATALOG_FIG_SUSPECTS, c->suspects),
             catalog_arg_opt_dbl(c->has & CATALOG_FIG_DRUG_GRAMS, c->drug_grams),
             catalog_arg_opt(c->has & CATALOG_FIG_DEATHS, c->deaths),
             catalog_arg_opt(c->has & CATALOG_FIG_INJURIES, c->injuries),
             catalog_arg_opt(c->has & CATALOG_FIG_DAMAGE, c->damage_vnd), CATALOG_ARG(c->demo),
             catalog_arg_str(c->created_by ? c->created_by : "?"),
             CATALOG_ARG(c->created_us ? c->created_us : ww_wall_us()), catalog_arg_str(c->updated_by),
             catalog_arg_opt(c->updated_us != 0, c->updated_us));
}

#define INC_INSERT "INSERT INTO incidents(ward_id,category_id,occurred_at,address,latitude," \
                   "longitude,summary,status,suspects,drug_grams,deaths,injuries,damage_vnd," \
                   "demo,created_by,created_us,updated_by,updated_us)" \
                   " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
/* The same 18 columns in the same order (bind_incident fills ?1..?18 of
 * both), the row's id in ?19. */
#define INC_UPDATE "UPDATE incidents SET ward_id=?,category_id=?,occurred_at=?,address=?," \
                   "latitude=?,longitude=?,summary=?,status=?,suspects=?,drug_grams=?," \
                   "deaths=?,injuries=?,damage_vnd=?,demo=?,created_by=?,created_us=?," \
                   "updated_by=?,updated_us=? WHERE id=?"

static int write_links(catalog_t *cat, const struct catalog_incident *c)
{
    int rc;
    if ((rc = CATALOG_RUN(cat, "incident links", WW_ECONFLICT,
                      "DELETE FROM incident_cameras WHERE incident_id=?", CATALOG_ARG(c->id))) ||
        (rc = CATALOG_RUN(cat, "incident links", WW_ECONFLICT,
                      "DELETE FROM incident_exports WHERE incident_id=?", CATALOG_ARG(c->id))))
        return rc;
    for (size_t i = 0; !rc && i < c->n_cameras; i++)
        rc = CATALOG_RUN(cat, "incident camera link", WW_ECONFLICT,
                     "INSERT OR IGNORE INTO incident_cameras VALUES(?,?)", CATALOG_ARG(c->id),
                     CATALOG_ARG(c->camera_ids[i]));
    for (size_t i = 0; !rc && i < c->n_exports; i++)
        rc = CATALOG_RUN(cat, "incident export link", WW_ECONFLICT,
                     "INSERT OR IGNORE INTO incident_exports VALUES(?,?)", CATALOG_ARG(c->id),
                     CATALOG_ARG(c->export_ids[i]));
    return rc;
}

int catalog_incident_add(catalog_t *cat, struct catalog_incident *c)
{
    sqlite3_stmt *st;
    if (catalog_prepare(cat, INC_INSERT, &st)) return WW_EDB;
    bind_incident(st, c);
    int rc = catalog_insert_done(cat, st, "incident add", WW_ECONFLICT, &c->id);
    if (rc) return rc == WW_ECONFLICT ? WW_EINVAL : rc;
    return write_links(cat, c);
}

int catalog_incident_update(catalog_t *cat, const struct catalog_incident *c)
{
    sqlite3_stmt *st;
    if (catalog_prepare(cat, INC_UPDATE, &st)) return WW_EDB;
    bind_incident(st, c);
    sqlite3_bind_int64(st, 19, c->id);
    int rc = catalog_step_done(cat, st, "incident update", WW_ECONFLICT);
    if (rc) return rc == WW_ECONFLICT ? WW_EINVAL : rc;
    if ((rc = catalog_changed(cat))) return rc;
    return write_links(cat, c);
}

int catalog_incident_delete(catalog_t *cat, int64_t id)
{
    int rc = CATALOG_RUN(cat, "incident delete", WW_ECONFLICT, "DELETE FROM incidents WHERE id=?",
                     CATALOG_ARG(id));
    return rc ? rc : catalog_changed(cat);
}

int catalog_incident_get(catalog_t *cat, int64_t id, struct catalog_incident *out)
{
    int rc = catalog_row_by_id(cat, "SELECT " INC_COLS INC_FROM " WHERE i.id=?", id, &incident_map, out,
                           "incident get");
    if (rc) return rc;
    if ((rc = CATALOG_LIST(cat, "incident links", &catalog_i64_map, &out->camera_ids, &out->n_cameras,
                       "SELECT camera_id FROM incident_cameras WHERE incident_id=? ORDER BY 1",
                       CATALOG_ARG(id))) ||
        (rc = CATALOG_LIST(cat, "incident links", &catalog_i64_map, &out->export_ids, &out->n_exports,
                       "SELECT export_id FROM incident_exports WHERE incident_id=? ORDER BY 1",
                       CATALOG_ARG(id)))) {
        catalog_incident_clear(out);
        return rc;
    }
    return 0;
}

struct catalog_incident_inserter { catalog_t *cat; sqlite3_stmt *st; };

int catalog_incident_inserter_open(catalog_t *cat, struct catalog_incident_inserter **out)
{
    struct catalog_incident_inserter *ins = ww_calloc(1, sizeof *ins);
    ins->cat = cat;
    if (catalog_prepare(cat, INC_INSERT, &ins->st)) { free(ins); *out = NULL; return WW_EDB; }
    *out = ins;
    return 0;
}

int catalog_incident_inserter_add(struct catalog_incident_inserter *ins, const struct catalog_incident *c)
{
    sqlite3_reset(ins->st);
    sqlite3_clear_bindings(ins->st);
    bind_incident(ins->st, c);
    int rc = sqlite3_step(ins->st);
    if (rc == SQLITE_DONE) return 0;
    if (rc == SQLITE_CONSTRAINT) return WW_EINVAL;
    return catalog_fail(ins->cat, "incident insert");
}

void catalog_incident_inserter_close(struct catalog_incident_inserter *ins)
{
    if (!ins) return;
    sqlite3_finalize(ins->st);
    free(ins);
}

/* WHERE clause for a filter; binds in the same order via bind_filter. */
static void filter_sql(struct ww_buf *b, const struct catalog_incident_filter *f)
{
    ww_buf_printf(b, " WHERE 1");
    if (f->ward_id) ww_buf_printf(b, " AND i.ward_id=?");
    if (f->category_id) ww_buf_printf(b, " AND i.category_id=?");
    if (f->status >= 0) ww_buf_printf(b, " AND i.status=?");
    if (f->from_us) ww_buf_printf(b, " AND i.occurred_at>=?");
    if (f->to_us) ww_buf_printf(b, " AND i.occurred_at<?");
    if (f->text && *f->text)
        ww_buf_printf(b, " AND (i.summary LIKE ? ESCAPE '\\' OR i.address LIKE ? ESCAPE '\\')");
}

static int bind_filter(sqlite3_stmt *st, const struct catalog_incident_filter *f)
{
    int i = 1;
    if (f->ward_id) sqlite3_bind_int64(st, i++, f->ward_id);
    if (f->category_id) sqlite3_bind_int64(st, i++, f->category_id);
    if (f->status >= 0) sqlite3_bind_text(st, i++, catalog_inc_status_name(f->status), -1, SQLITE_STATIC);
    if (f->from_us) sqlite3_bind_int64(st, i++, f->from_us);
    if (f->to_us) sqlite3_bind_int64(st, i++, f->to_us);
    if (f->text && *f->text) {
        struct ww_buf p = {0};
        ww_buf_append(&p, "%", 1);
        for (const char *s = f->text; *s; s++) {
            if (*s == '%' || *s == '_' || *s == '\\') ww_buf_append(&p, "\\", 1);
            ww_buf_append(&p, s, 1);
        }
        ww_buf_append(&p, "%", 2);
        sqlite3_bind_text(st, i++, (const char *)p.data, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, i++, (const char *)p.data, -1, SQLITE_TRANSIENT);
        ww_buf_free(&p);
    }
    return i;
}

int catalog_incident_search(catalog_t *cat, const struct catalog_incident_filter *f,
                            struct catalog_incident **out, size_t *n, int64_t *total)
{
    *out = NULL; *n = 0;
    struct ww_buf q = {0};
    sqlite3_stmt *st;
    int rc;
    if (total) {
        ww_buf_printf(&q, "SELECT COUNT(*) FROM incidents i");
        filter_sql(&q, f);
        if (catalog_prepare_buf(cat, &q, &st)) return WW_EDB;
        bind_filter(st, f);
        rc = sqlite3_step(st);
        *total = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        sqlite3_finalize(st);
        if (rc != SQLITE_ROW) return catalog_fail(cat, "incident count");
    }
    ww_buf_printf(&q, "SELECT " INC_COLS INC_FROM);
    filter_sql(&q, f);
    ww_buf_printf(&q, " ORDER BY i.occurred_at DESC, i.id DESC LIMIT ? OFFSET ?");
    if (catalog_prepare_buf(cat, &q, &st)) return WW_EDB;
    int i = bind_filter(st, f);
    sqlite3_bind_int64(st, i++, f->limit ? (int64_t)f->limit : -1);
    sqlite3_bind_int64(st, i, (int64_t)f->offset);
    return catalog_rows(cat, st, &incident_map, "incident search", out, n);
}

int catalog_incident_each(catalog_t *cat, const struct catalog_incident_filter *f,
                          int (*cb)(const struct catalog_incident *row, void *arg), void *arg)
{
    struct ww_buf q = {0};
    sqlite3_stmt *st;
    ww_buf_printf(&q, "SELECT " INC_COLS INC_FROM);
    filter_sql(&q, f);
    ww_buf_printf(&q, " ORDER BY i.occurred_at, i.id");
    if (catalog_prepare_buf(cat, &q, &st)) return WW_EDB;
    int rc;
    bind_filter(st, f);
    int stop = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct catalog_incident row = {0};
        catalog_row_map(&incident_map, st, &row);
        stop = cb(&row, arg);
        catalog_incident_clear(&row);
        if (stop) break;
    }
    sqlite3_finalize(st);
    if (stop) return stop;
    return rc == SQLITE_DONE ? 0 : catalog_fail(cat, "incident walk");
}

int catalog_incident_first_time(catalog_t *cat, int64_t *us)
{
    sqlite3_stmt *st;
    *us = 0;
    if (catalog_prepare(cat, "SELECT MIN(occurred_at) FROM incidents", &st)) return WW_EDB;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *us = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : catalog_fail(cat, "incident first");
}

int catalog_incident_delete_demo(catalog_t *cat, int64_t *removed)
{
    int rc = catalog_exec(cat, "DELETE FROM incident_history WHERE incident_id IN"
                           " (SELECT id FROM incidents WHERE demo=1)");
    if (rc) return rc;
    if ((rc = catalog_exec(cat, "DELETE FROM incidents WHERE demo=1"))) return rc;
    if (removed) *removed = sqlite3_changes(cat->db);
    return 0;
}
