/*
 * segments.c — segment and gap rows.
 *
 * Writers: only the recorder's syncer (upsert/state) and retention
 * (state/delete) write segments, each inside the caller's transaction so a
 * group commit is one transaction for all streams.
 */
#include "catalog/internal.h"
#include "catalog/cat_community.h"

#include <stdlib.h>
#include <string.h>

void cat_segment_clear(struct cat_segment *s)
{
    if (!s) return;
    free(s->path); free(s->codec); free(s->frag_index);
    memset(s, 0, sizeof *s);
}

void cat_segment_list_free(struct cat_segment *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) cat_segment_clear(&v[i]);
    free(v);
}

#define SEG_COLS "id,stream_id,camera_id,start_us,end_us,path,bytes,frames,codec,frag_index,state"

static void segment_from_row(sqlite3_stmt *st, void *row)
{
    struct cat_segment *s = row;
    memset(s, 0, sizeof *s);
    s->id = sqlite3_column_int64(st, 0);
    s->stream_id = sqlite3_column_int64(st, 1);
    s->camera_id = sqlite3_column_int64(st, 2);
    s->start_us = sqlite3_column_int64(st, 3);
    s->end_us = sqlite3_column_int64(st, 4);
    s->path = cat_col_str(st, 5);
    s->bytes = sqlite3_column_int64(st, 6);
    s->frames = sqlite3_column_int64(st, 7);
    s->codec = cat_col_str(st, 8);
    int n = sqlite3_column_bytes(st, 9);
    if (n > 0) {
        s->frag_index = ww_malloc((size_t)n);
        memcpy(s->frag_index, sqlite3_column_blob(st, 9), (size_t)n);
        s->frag_index_len = (size_t)n;
    }
    s->state = sqlite3_column_int(st, 10);
}

/* cat_segment_clear for cat_rows, which knows rows only as void *. */
static void segment_row_clear(void *row) { cat_segment_clear(row); }

static int segment_query(catalog_t *cat, sqlite3_stmt *st, struct cat_segment **out, size_t *n)
{
    *out = NULL; *n = 0;
    return CAT_ROWS(cat, st, out, n, segment_from_row, segment_row_clear, "segment query");
}

int catalog_segment_upsert(catalog_t *cat, struct cat_segment *s)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "INSERT INTO segments(stream_id,camera_id,start_us,end_us,path,bytes,"
                         "frames,codec,frag_index,state) VALUES(?,?,?,?,?,?,?,?,?,?)"
                         " ON CONFLICT(path) DO UPDATE SET end_us=excluded.end_us,"
                         " bytes=excluded.bytes, frames=excluded.frames,"
                         " frag_index=excluded.frag_index, state=excluded.state"
                         " RETURNING id", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, s->stream_id);
    sqlite3_bind_int64(st, 2, s->camera_id);
    sqlite3_bind_int64(st, 3, s->start_us);
    sqlite3_bind_int64(st, 4, s->end_us);
    cat_bind_str(st, 5, s->path);
    sqlite3_bind_int64(st, 6, s->bytes);
    sqlite3_bind_int64(st, 7, s->frames);
    cat_bind_str(st, 8, s->codec);
    if (s->frag_index_len)
        sqlite3_bind_blob(st, 9, s->frag_index, (int)s->frag_index_len, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 10, s->state);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) s->id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc == SQLITE_CONSTRAINT) return WW_ECONFLICT;
    return rc == SQLITE_ROW ? 0 : cat_fail(cat, "segment upsert");
}

static int exec_id(catalog_t *cat, const char *sql, int64_t a, int64_t b, bool two)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, sql, &st)) return WW_EDB;
    sqlite3_bind_int64(st, 1, a);
    if (two) sqlite3_bind_int64(st, 2, b);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : cat_fail(cat, sql);
}

int catalog_segment_set_state(catalog_t *cat, int64_t id, int state)
{
    return exec_id(cat, "UPDATE segments SET state=?2 WHERE id=?1", id, state, true);
}

int catalog_segment_delete(catalog_t *cat, int64_t id)
{
    return exec_id(cat, "DELETE FROM segments WHERE id=?", id, 0, false);
}

int catalog_segment_range(catalog_t *cat, int64_t stream_id, int64_t from_us, int64_t to_us,
                          struct cat_segment **out, size_t *n)
{
    sqlite3_stmt *st;
    /* start_us < to AND end_us > from; the start bound lets the index cut the
     * scan: no segment is longer than an hour. */
    if (cat_prepare(cat, "SELECT " SEG_COLS " FROM segments WHERE stream_id=?1 AND state<2"
                         " AND start_us < ?3 AND start_us > ?2 - 3600000000 AND end_us > ?2"
                         " ORDER BY start_us", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, stream_id);
    sqlite3_bind_int64(st, 2, from_us);
    sqlite3_bind_int64(st, 3, to_us);
    return segment_query(cat, st, out, n);
}

int catalog_segment_all(catalog_t *cat, int state, struct cat_segment **out, size_t *n)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT " SEG_COLS " FROM segments WHERE ?1 < 0 OR state=?1"
                         " ORDER BY stream_id, start_us", &st))
        return WW_EDB;
    sqlite3_bind_int(st, 1, state);
    return segment_query(cat, st, out, n);
}

int catalog_segment_oldest(catalog_t *cat, int64_t camera_id, int64_t before_us, size_t limit,
                           struct cat_segment **out, size_t *n)
{
    sqlite3_stmt *st;
    /* never a held segment: this is the query retention deletes from */
    if (cat_prepare(cat, "SELECT " SEG_COLS " FROM segments WHERE state=1"
                         " AND (?1 = 0 OR camera_id=?1) AND start_us < ?2"
                         " AND NOT " CAT_HELD_SQL("segments", "?4") " ORDER BY start_us LIMIT ?3", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, camera_id);
    sqlite3_bind_int64(st, 2, before_us);
    sqlite3_bind_int64(st, 3, (int64_t)limit);
    sqlite3_bind_int64(st, 4, ww_wall_us());
    return segment_query(cat, st, out, n);
}

int catalog_segment_total_bytes(catalog_t *cat, int64_t camera_id, int64_t *bytes)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT COALESCE(SUM(bytes),0) FROM segments WHERE ?1=0 OR camera_id=?1",
                    &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, camera_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *bytes = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : cat_fail(cat, "segment bytes");
}

int catalog_segment_bytes_since(catalog_t *cat, int64_t camera_id, int64_t since_us, int64_t *bytes)
{
    *bytes = 0;
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT COALESCE(SUM(bytes),0) FROM segments WHERE (?1=0 OR camera_id=?1)"
                         " AND start_us >= ?2", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, camera_id);
    sqlite3_bind_int64(st, 2, since_us);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *bytes = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : cat_fail(cat, "segment bytes since");
}

int catalog_segment_oldest_start(catalog_t *cat, int64_t camera_id, int64_t *start_us)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT COALESCE(MIN(start_us),0) FROM segments WHERE camera_id=?1"
                         " AND state<2", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, camera_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *start_us = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : cat_fail(cat, "segment oldest");
}

int catalog_gap_add(catalog_t *cat, int64_t stream_id, int64_t start_us, int64_t end_us,
                    const char *reason)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "INSERT INTO gaps(stream_id,start_us,end_us,reason) VALUES(?,?,?,?)", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, stream_id);
    sqlite3_bind_int64(st, 2, start_us);
    sqlite3_bind_int64(st, 3, end_us);
    cat_bind_str(st, 4, reason);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_CONSTRAINT) return WW_ECONFLICT;
    return rc == SQLITE_DONE ? 0 : cat_fail(cat, "gap add");
}

int catalog_gap_range(catalog_t *cat, int64_t stream_id, int64_t from_us, int64_t to_us,
                      struct cat_gap **out, size_t *n)
{
    sqlite3_stmt *st;
    *out = NULL; *n = 0;
    if (cat_prepare(cat, "SELECT stream_id,start_us,end_us,reason FROM gaps WHERE stream_id=?1"
                         " AND start_us < ?3 AND end_us > ?2 ORDER BY start_us", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, stream_id);
    sqlite3_bind_int64(st, 2, from_us);
    sqlite3_bind_int64(st, 3, to_us);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) { cap = cap ? cap * 2 : 16; *out = ww_realloc(*out, cap * sizeof **out); }
        struct cat_gap *g = &(*out)[(*n)++];
        g->stream_id = sqlite3_column_int64(st, 0);
        g->start_us = sqlite3_column_int64(st, 1);
        g->end_us = sqlite3_column_int64(st, 2);
        g->reason = cat_col_str(st, 3);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : cat_fail(cat, "gap range");
}

void cat_gap_list_free(struct cat_gap *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) free(v[i].reason);
    free(v);
}

/* ---- coverage (place-and-time search; surface in cat_community.h) ---- */

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
