/*
 * cat_events.c — motion events, thumbnails and motion settings.
 *
 * Query shape: every listing is "newest first", optionally for a set of
 * cameras and a time range, paged.  The WHERE clause is built from the
 * filter with placeholders only (never values), and is arranged so SQLite
 * can walk an index backwards and stop at LIMIT:
 *   - overlap with [from, to) is written start_us < to AND
 *     start_us >= from − CATALOG_EVENT_MAX_US AND end_us > from, a bounded range
 *     on the start_us index (events are at most an hour, by CHECK);
 *   - the cursor is the row value (start_us, id) < (?, ?), matching the
 *     backward index order exactly.
 * The camera list is bound as one placeholder per id (bounded by
 * CATALOG_EVENT_MAX_FILTER_CAMERAS), so one statement serves one camera or the
 * ward's forty.
 */
#include "catalog/cat_events.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/internal.h"

/* A zone is never NULL in a row handed out ("" = the whole frame). */
static void event_fill(sqlite3_stmt *st, void *row)
{
    (void)st;
    struct catalog_event *e = row;
    if (!e->zone) e->zone = ww_strdup("");
}

/* stream_id: NULL reads as 0 */
static const struct catalog_row_map event_map =
    CATALOG_MAP(struct catalog_event, event_fill, NULL, id, camera_id, stream_id, start_us, end_us,
                peak_us, peak_score, zone, has_thumbnail);

CATALOG_ROW_CLEAR_FN(event_map, struct catalog_event, catalog_event_clear)
CATALOG_LIST_FREE_FN(event_map, struct catalog_event, catalog_event_list_free)

static const struct catalog_row_map settings_map =
    CATALOG_MAP(struct catalog_motion_settings, NULL, NULL, enabled, sensitivity, min_area_pct,
                rate_fps, keyframes_only, zones_json, updated_us);

CATALOG_ROW_CLEAR_FN(settings_map, struct catalog_motion_settings, catalog_motion_settings_clear)

static bool event_ok(const struct catalog_event *ev)
{
    return ev->camera_id > 0 && ev->end_us >= ev->start_us &&
           ev->end_us - ev->start_us <= CATALOG_EVENT_MAX_US && ev->peak_us >= ev->start_us &&
           ev->peak_us <= ev->end_us && ev->peak_score >= 0 && ev->peak_score <= 1;
}

#define INSERT_EVENT                                                      \
    "INSERT INTO motion_events(camera_id, stream_id, start_us, end_us,"   \
    " peak_us, peak_score, zone) VALUES (?,?,?,?,?,?,?)"

/* Binds and steps one event on a prepared INSERT_EVENT; sets ev->id. */
static int insert_one(catalog_t *cat, sqlite3_stmt *st, struct catalog_event *ev)
{
    sqlite3_bind_int64(st, 1, ev->camera_id);
    if (ev->stream_id > 0) sqlite3_bind_int64(st, 2, ev->stream_id);
    else sqlite3_bind_null(st, 2);
    sqlite3_bind_int64(st, 3, ev->start_us);
    sqlite3_bind_int64(st, 4, ev->end_us);
    sqlite3_bind_int64(st, 5, ev->peak_us);
    sqlite3_bind_double(st, 6, ev->peak_score);
    catalog_bind_str(st, 7, ev->zone ? ev->zone : "");
    int s = sqlite3_step(st);
    sqlite3_reset(st);
    if (s == SQLITE_CONSTRAINT) return WW_EINVAL; /* unknown camera or stream */
    if (s != SQLITE_DONE) return catalog_fail(cat, "insert motion event");
    ev->id = sqlite3_last_insert_rowid(cat->db);
    return 0;
}

int catalog_event_add_batch(catalog_t *cat, struct catalog_event *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!event_ok(&v[i])) return WW_EINVAL;
    bool own_txn = sqlite3_get_autocommit(cat->db);
    if (own_txn && catalog_begin(cat)) return WW_EDB;
    sqlite3_stmt *st = NULL;
    int rc = catalog_prepare(cat, INSERT_EVENT, &st);
    for (size_t i = 0; !rc && i < n; i++) rc = insert_one(cat, st, &v[i]);
    sqlite3_finalize(st);
    if (!rc && own_txn && catalog_commit(cat)) rc = WW_EDB;
    if (rc && own_txn) catalog_rollback(cat);
    return rc;
}

int catalog_event_add(catalog_t *cat, struct catalog_event *ev, const uint8_t *jpeg, size_t jpeg_len)
{
    if (!event_ok(ev) || jpeg_len > 16 * 1024 * 1024) return WW_EINVAL;
    bool own_txn = sqlite3_get_autocommit(cat->db);
    if (own_txn && catalog_begin(cat)) return WW_EDB;
    sqlite3_stmt *st = NULL;
    int rc = catalog_prepare(cat, INSERT_EVENT, &st);
    if (!rc) rc = insert_one(cat, st, ev);
    if (rc) goto fail;
    sqlite3_finalize(st);
    st = NULL;
    ev->has_thumbnail = false;
    if (jpeg && jpeg_len) {
        rc = catalog_prepare(cat, "INSERT INTO motion_thumbnails(event_id, jpeg) VALUES (?,?)", &st);
        if (rc) goto fail;
        sqlite3_bind_int64(st, 1, ev->id);
        sqlite3_bind_blob(st, 2, jpeg, (int)jpeg_len, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) {
            rc = catalog_fail(cat, "insert motion thumbnail");
            goto fail;
        }
        sqlite3_finalize(st);
        st = NULL;
        ev->has_thumbnail = true;
    }
    if (own_txn && catalog_commit(cat)) {
        rc = WW_EDB;
        goto fail;
    }
    return 0;
fail:
    sqlite3_finalize(st);
    if (own_txn) catalog_rollback(cat);
    ev->id = 0;
    return rc ? rc : WW_EDB;
}

/* Appends the WHERE clause for f to b; binds come in the same order from
 * bind_filter(). */
static void build_where(struct ww_buf *b, const struct catalog_event_filter *f, bool cursor)
{
    ww_buf_printf(b, " WHERE 1");
    if (f->n_cameras) {
        ww_buf_printf(b, " AND e.camera_id IN (");
        for (size_t i = 0; i < f->n_cameras; i++) ww_buf_printf(b, i ? ",?" : "?");
        ww_buf_printf(b, ")");
    }
    if (f->zone) ww_buf_printf(b, " AND e.zone = ?");
    if (f->to_us) ww_buf_printf(b, " AND e.start_us < ?");
    if (f->from_us) ww_buf_printf(b, " AND e.start_us >= ? AND e.end_us > ?");
    if (f->min_score > 0) ww_buf_printf(b, " AND e.peak_score >= ?");
    /* The plain bound on start_us lets SQLite start the index walk at the
     * cursor; the row value then only settles ties. */
    if (cursor && (f->before_start_us || f->before_id))
        ww_buf_printf(b, " AND e.start_us <= ? AND (e.start_us, e.id) < (?, ?)");
}

static int bind_filter(sqlite3_stmt *st, const struct catalog_event_filter *f, bool cursor)
{
    int i = 1;
    for (size_t c = 0; c < f->n_cameras; c++) sqlite3_bind_int64(st, i++, f->camera_ids[c]);
    if (f->zone) sqlite3_bind_text(st, i++, f->zone, -1, SQLITE_TRANSIENT);
    if (f->to_us) sqlite3_bind_int64(st, i++, f->to_us);
    if (f->from_us) {
        sqlite3_bind_int64(st, i++, f->from_us - CATALOG_EVENT_MAX_US);
        sqlite3_bind_int64(st, i++, f->from_us);
    }
    if (f->min_score > 0) sqlite3_bind_double(st, i++, f->min_score);
    if (cursor && (f->before_start_us || f->before_id)) {
        sqlite3_bind_int64(st, i++, f->before_start_us);
        sqlite3_bind_int64(st, i++, f->before_start_us);
        sqlite3_bind_int64(st, i++, f->before_id);
    }
    return i;
}

static int check_filter(const struct catalog_event_filter *f)
{
    if (f->n_cameras > CATALOG_EVENT_MAX_FILTER_CAMERAS || (f->n_cameras && !f->camera_ids) ||
        f->limit > 1000 || f->offset > 100000000 ||
        (f->from_us && f->to_us && f->to_us < f->from_us))
        return WW_EINVAL;
    return 0;
}

#define EVENT_COLS                                                                         \
    "e.id, e.camera_id, e.stream_id, e.start_us, e.end_us, e.peak_us, e.peak_score, e.zone," \
    " EXISTS(SELECT 1 FROM motion_thumbnails t WHERE t.event_id = e.id)"

int catalog_event_query(catalog_t *cat, const struct catalog_event_filter *f,
                        struct catalog_event **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (check_filter(f)) return WW_EINVAL;
    struct ww_buf sql = {0};
    ww_buf_printf(&sql, "SELECT " EVENT_COLS " FROM motion_events e");
    build_where(&sql, f, true);
    ww_buf_printf(&sql, " ORDER BY e.start_us DESC, e.id DESC LIMIT ? OFFSET ?");
    sqlite3_stmt *st;
    int rc = catalog_prepare_buf(cat, &sql, &st);
    if (rc) return rc;
    int i = bind_filter(st, f, true);
    size_t limit = f->limit ? f->limit : 100;
    sqlite3_bind_int64(st, i++, (int64_t)limit);
    sqlite3_bind_int64(st, i++, (int64_t)f->offset);
    /* the LIMIT above is what keeps the list at most `limit` rows */
    return catalog_rows(cat, st, &event_map, "query motion events", out, n);
}

int catalog_event_count(catalog_t *cat, const struct catalog_event_filter *f, int64_t *count)
{
    *count = 0;
    if (check_filter(f)) return WW_EINVAL;
    struct ww_buf sql = {0};
    ww_buf_printf(&sql, "SELECT count(*) FROM motion_events e");
    build_where(&sql, f, false);
    sqlite3_stmt *st;
    int rc = catalog_prepare_buf(cat, &sql, &st);
    if (rc) return rc;
    bind_filter(st, f, false);
    return catalog_row_one(cat, st, &catalog_i64_map, count, "count motion events");
}

int catalog_event_get(catalog_t *cat, int64_t id, struct catalog_event *out)
{
    return catalog_row_by_id(cat, "SELECT " EVENT_COLS " FROM motion_events e WHERE e.id = ?", id,
                         &event_map, out, "get motion event");
}

int catalog_event_thumbnail(catalog_t *cat, int64_t id, uint8_t **jpeg, size_t *len)
{
    *jpeg = NULL;
    *len = 0;
    sqlite3_stmt *st;
    int rc = catalog_prepare(cat, "SELECT jpeg FROM motion_thumbnails WHERE event_id = ?", &st);
    if (rc) return rc;
    sqlite3_bind_int64(st, 1, id);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        int n = sqlite3_column_bytes(st, 0);
        const void *p = sqlite3_column_blob(st, 0);
        *jpeg = ww_malloc((size_t)n);
        if (n) memcpy(*jpeg, p, (size_t)n);
        *len = (size_t)n;
    } else {
        rc = s == SQLITE_DONE ? WW_ENOTFOUND : catalog_fail(cat, "get motion thumbnail");
    }
    sqlite3_finalize(st);
    return rc;
}

int catalog_event_prune(catalog_t *cat, int64_t camera_id, int64_t before_us, int64_t *deleted)
{
    if (deleted) *deleted = 0;
    sqlite3_stmt *st;
    /* Thumbnails go by ON DELETE CASCADE (the catalog runs foreign_keys=ON). */
    int rc = catalog_prepare(cat,
                         camera_id ? "DELETE FROM motion_events WHERE camera_id = ? AND start_us < ?"
                                   : "DELETE FROM motion_events WHERE ?1 = 0 AND start_us < ?2",
                         &st);
    if (rc) return rc;
    sqlite3_bind_int64(st, 1, camera_id);
    sqlite3_bind_int64(st, 2, before_us);
    rc = catalog_step_done(cat, st, "prune motion events", WW_EDB);
    if (!rc && deleted) *deleted = sqlite3_changes(cat->db);
    return rc;
}

int catalog_motion_settings_get(catalog_t *cat, int64_t camera_id, struct catalog_motion_settings *out)
{
    int rc = catalog_row_by_id(cat,
                           "SELECT enabled, sensitivity, min_area, rate, keyframes_only, zones,"
                           " updated_us FROM motion_settings WHERE camera_id = ?",
                           camera_id, &settings_map, out, "get motion settings");
    if (!rc) out->camera_id = camera_id;
    return rc;
}

int catalog_motion_settings_set(catalog_t *cat, struct catalog_motion_settings *s)
{
    if (s->camera_id <= 0 || s->sensitivity < 1 || s->sensitivity > 100 ||
        !(s->min_area_pct > 0 && s->min_area_pct <= 100) ||
        !(s->rate_fps >= 0.2 && s->rate_fps <= 30))
        return WW_EINVAL;
    s->updated_us = ww_wall_us();
    /* a refusal is an unknown camera */
    return CATALOG_RUN(cat, "set motion settings", WW_EINVAL,
                   "INSERT OR REPLACE INTO motion_settings(camera_id, enabled, sensitivity,"
                   " min_area, rate, keyframes_only, zones, updated_us)"
                   " VALUES (?,?,?,?,?,?,?,?)",
                   CATALOG_ARG(s->camera_id), CATALOG_ARG(s->enabled), CATALOG_ARG(s->sensitivity),
                   catalog_arg_dbl(s->min_area_pct), catalog_arg_dbl(s->rate_fps),
                   CATALOG_ARG(s->keyframes_only), catalog_arg_str(s->zones_json), CATALOG_ARG(s->updated_us));
}
