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

#define SEG_COLS "id,stream_id,camera_id,start_us,end_us,path,bytes,frames,codec,frag_index,state"

/* The fragment index is a blob, not text: copied by its length. */
static void segment_fill(sqlite3_stmt *st, void *row)
{
    struct cat_segment *s = row;
    int n = sqlite3_column_bytes(st, 9);
    if (n > 0) {
        s->frag_index = ww_malloc((size_t)n);
        memcpy(s->frag_index, sqlite3_column_blob(st, 9), (size_t)n);
        s->frag_index_len = (size_t)n;
    }
    s->state = sqlite3_column_int(st, 10);
}

static void segment_release(void *row) { free(((struct cat_segment *)row)->frag_index); }

#define S struct cat_segment
static const struct cat_col segment_cols[] = {
    CAT_COL(S, id), CAT_COL(S, stream_id), CAT_COL(S, camera_id), CAT_COL(S, start_us),
    CAT_COL(S, end_us), CAT_COL(S, path), CAT_COL(S, bytes), CAT_COL(S, frames), CAT_COL(S, codec),
};
#undef S
static const struct cat_row_map segment_map = {sizeof(struct cat_segment), segment_cols,
                                               sizeof segment_cols / sizeof *segment_cols,
                                               segment_fill, segment_release};

void cat_segment_clear(struct cat_segment *s) { cat_row_clear(&segment_map, s); }

void cat_segment_list_free(struct cat_segment *v, size_t n) { cat_rows_free(&segment_map, v, n); }

static int segment_query(catalog_t *cat, sqlite3_stmt *st, struct cat_segment **out, size_t *n)
{
    return cat_rows(cat, st, &segment_map, "segment query", out, n);
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
    return cat_step_done(cat, st, sql, WW_EDB);
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
    return cat_row_one(cat, st, &cat_i64_map, bytes, "segment bytes");
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
    return cat_row_one(cat, st, &cat_i64_map, bytes, "segment bytes since");
}

int catalog_segment_oldest_start(catalog_t *cat, int64_t camera_id, int64_t *start_us)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT COALESCE(MIN(start_us),0) FROM segments WHERE camera_id=?1"
                         " AND state<2", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, camera_id);
    return cat_row_one(cat, st, &cat_i64_map, start_us, "segment oldest");
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
    return cat_step_done(cat, st, "gap add", WW_ECONFLICT);
}

#define G struct cat_gap
static const struct cat_col gap_cols[] = {
    CAT_COL(G, stream_id), CAT_COL(G, start_us), CAT_COL(G, end_us), CAT_COL(G, reason),
};
#undef G
static const struct cat_row_map gap_map = CAT_ROW_MAP(struct cat_gap, gap_cols);

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
    return cat_rows(cat, st, &gap_map, "gap range", out, n);
}

void cat_gap_list_free(struct cat_gap *v, size_t n) { cat_rows_free(&gap_map, v, n); }

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
