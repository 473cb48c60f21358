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
    struct catalog_segment *s = row;
    int n = sqlite3_column_bytes(st, 9);
    if (n > 0) {
        s->frag_index = ww_malloc((size_t)n);
        memcpy(s->frag_index, sqlite3_column_blob(st, 9), (size_t)n);
        s->frag_index_len = (size_t)n;
    }
    s->state = sqlite3_column_int(st, 10);
}

static void segment_release(void *row) { free(((struct catalog_segment *)row)->frag_index); }

static const struct catalog_row_map segment_map =
    CATALOG_MAP(struct catalog_segment, segment_fill, segment_release, id, stream_id, camera_id,
                start_us, end_us, path, bytes, frames, codec);

CATALOG_ROW_CLEAR_FN(segment_map, struct catalog_segment, catalog_segment_clear)
CATALOG_LIST_FREE_FN(segment_map, struct catalog_segment, catalog_segment_list_free)

int catalog_segment_upsert(catalog_t *cat, struct catalog_segment *s)
{
    sqlite3_stmt *st;
    if (CATALOG_PREPARE(cat,
                    "INSERT INTO segments(stream_id,camera_id,start_us,end_us,path,bytes,"
                    "frames,codec,frag_index,state) VALUES(?,?,?,?,?,?,?,?,?,?)"
                    " ON CONFLICT(path) DO UPDATE SET end_us=excluded.end_us,"
                    " bytes=excluded.bytes, frames=excluded.frames,"
                    " frag_index=excluded.frag_index, state=excluded.state"
                    " RETURNING id",
                    &st, CATALOG_ARG(s->stream_id), CATALOG_ARG(s->camera_id), CATALOG_ARG(s->start_us),
                    CATALOG_ARG(s->end_us), catalog_arg_str(s->path), CATALOG_ARG(s->bytes), CATALOG_ARG(s->frames),
                    catalog_arg_str(s->codec), catalog_arg_blob(s->frag_index, s->frag_index_len),
                    CATALOG_ARG(s->state)))
        return WW_EDB;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) s->id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc == SQLITE_CONSTRAINT) return WW_ECONFLICT;
    return rc == SQLITE_ROW ? 0 : catalog_fail(cat, "segment upsert");
}

static int exec_id(catalog_t *cat, const char *sql, int64_t a, int64_t b, bool two)
{
    sqlite3_stmt *st;
    if (CATALOG_PREPARE(cat, sql, &st, CATALOG_ARG(a))) return WW_EDB;
    if (two) sqlite3_bind_int64(st, 2, b);
    return catalog_step_done(cat, st, sql, WW_EDB);
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
                          struct catalog_segment **out, size_t *n)
{
    /* start_us < to AND end_us > from; the start bound lets the index cut the
     * scan: no segment is longer than an hour. */
    return CATALOG_LIST(cat, "segment query", &segment_map, out, n,
                    "SELECT " SEG_COLS " FROM segments WHERE stream_id=?1 AND state<2"
                    " AND start_us < ?3 AND start_us > ?2 - 3600000000 AND end_us > ?2"
                    " ORDER BY start_us",
                    CATALOG_ARG(stream_id), CATALOG_ARG(from_us), CATALOG_ARG(to_us));
}

int catalog_segment_all(catalog_t *cat, int state, struct catalog_segment **out, size_t *n)
{
    return CATALOG_LIST(cat, "segment query", &segment_map, out, n,
                    "SELECT " SEG_COLS " FROM segments WHERE ?1 < 0 OR state=?1"
                    " ORDER BY stream_id, start_us",
                    CATALOG_ARG(state));
}

int catalog_segment_oldest(catalog_t *cat, int64_t camera_id, int64_t before_us, size_t limit,
                           struct catalog_segment **out, size_t *n)
{
    /* never a held segment: this is the query retention deletes from */
    return CATALOG_LIST(cat, "segment query", &segment_map, out, n,
                    "SELECT " SEG_COLS " FROM segments WHERE state=1"
                    " AND (?1 = 0 OR camera_id=?1) AND start_us < ?2"
                    " AND NOT " CATALOG_HELD_SQL("segments", "?4") " ORDER BY start_us LIMIT ?3",
                    CATALOG_ARG(camera_id), CATALOG_ARG(before_us), CATALOG_ARG((int64_t)limit),
                    CATALOG_ARG(ww_wall_us()));
}

int catalog_segment_total_bytes(catalog_t *cat, int64_t camera_id, int64_t *bytes)
{
    return CATALOG_ONE(cat, "segment bytes", &catalog_i64_map, bytes,
                   "SELECT COALESCE(SUM(bytes),0) FROM segments WHERE ?1=0 OR camera_id=?1",
                   CATALOG_ARG(camera_id));
}

int catalog_segment_bytes_since(catalog_t *cat, int64_t camera_id, int64_t since_us, int64_t *bytes)
{
    *bytes = 0;
    return CATALOG_ONE(cat, "segment bytes since", &catalog_i64_map, bytes,
                   "SELECT COALESCE(SUM(bytes),0) FROM segments WHERE (?1=0 OR camera_id=?1)"
                   " AND start_us >= ?2",
                   CATALOG_ARG(camera_id), CATALOG_ARG(since_us));
}

int catalog_segment_oldest_start(catalog_t *cat, int64_t camera_id, int64_t *start_us)
{
    return CATALOG_ONE(cat, "segment oldest", &catalog_i64_map, start_us,
                   "SELECT COALESCE(MIN(start_us),0) FROM segments WHERE camera_id=?1"
                   " AND state<2",
                   CATALOG_ARG(camera_id));
}

int catalog_gap_add(catalog_t *cat, int64_t stream_id, int64_t start_us, int64_t end_us,
                    const char *reason)
{
    return CATALOG_RUN(cat, "gap add", WW_ECONFLICT,
                   "INSERT INTO gaps(stream_id,start_us,end_us,reason) VALUES(?,?,?,?)",
                   CATALOG_ARG(stream_id), CATALOG_ARG(start_us), CATALOG_ARG(end_us), catalog_arg_str(reason));
}

static const struct catalog_row_map gap_map =
    CATALOG_MAP(struct catalog_gap, NULL, NULL, stream_id, start_us, end_us, reason);

int catalog_gap_range(catalog_t *cat, int64_t stream_id, int64_t from_us, int64_t to_us,
                      struct catalog_gap **out, size_t *n)
{
    return CATALOG_LIST(cat, "gap range", &gap_map, out, n,
                    "SELECT stream_id,start_us,end_us,reason FROM gaps WHERE stream_id=?1"
                    " AND start_us < ?3 AND end_us > ?2 ORDER BY start_us",
                    CATALOG_ARG(stream_id), CATALOG_ARG(from_us), CATALOG_ARG(to_us));
}

CATALOG_LIST_FREE_FN(gap_map, struct catalog_gap, catalog_gap_list_free)

static void hole_push(struct catalog_gap **out, size_t *n, size_t *cap, int64_t sid, int64_t a, int64_t b,
                      const char *reason)
{
    /* a row that only continues the last one (extend_gap commits a long
     * failure piece by piece) widens it */
    if (*n && reason && (*out)[*n - 1].reason && !strcmp((*out)[*n - 1].reason, reason) &&
        a <= (*out)[*n - 1].end_us) {
        if (b > (*out)[*n - 1].end_us) (*out)[*n - 1].end_us = b;
        return;
    }
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        *out = ww_realloc(*out, *cap * sizeof **out);
    }
    (*out)[(*n)++] = (struct catalog_gap){sid, a, b, reason ? ww_strdup(reason) : NULL};
}

/* The rows outside [lo, hi) (the recorded span), clipped to it; with no
 * segment at all (lo >= hi) every row counts. */
static void rows_outside(const struct catalog_gap *g, size_t ng, int64_t lo, int64_t hi, bool before,
                         int64_t min_us, struct catalog_gap **out, size_t *n, size_t *cap)
{
    for (size_t k = 0; k < ng; k++) {
        int64_t a = g[k].start_us, b = g[k].end_us;
        if (lo < hi) {
            if (before && a < lo - min_us) b = b < lo ? b : lo;
            else if (!before && b > hi + min_us) a = a > hi ? a : hi;
            else continue;
        } else if (!before)
            continue; /* no segment: the "before" pass took every row */
        if (b > a) hole_push(out, n, cap, g[k].stream_id, a, b, g[k].reason);
    }
}

void catalog_gap_holes(const struct catalog_segment *v, size_t n, const struct catalog_gap *g, size_t ng,
                       int64_t min_us, struct catalog_gap **out, size_t *nout)
{
    assert(out && nout && (v || !n) && (g || !ng));
    size_t cap = 0;
    *out = NULL;
    *nout = 0;
    int64_t lo = n ? v[0].start_us : 0, hi = n ? v[n - 1].end_us : 0;
    rows_outside(g, ng, lo, hi, true, min_us, out, nout, &cap);
    for (size_t i = 0; i + 1 < n; i++) {
        int64_t a = v[i].end_us, b = v[i + 1].start_us;
        if (b - a <= min_us) continue;
        const char *reason = NULL;
        for (size_t k = 0; k < ng && !reason; k++)
            if (g[k].start_us < b && g[k].end_us > a) reason = g[k].reason;
        hole_push(out, nout, &cap, v[i].stream_id, a, b, NULL);
        if (reason) (*out)[*nout - 1].reason = ww_strdup(reason); /* holes are never merged */
    }
    rows_outside(g, ng, lo, hi, false, min_us, out, nout, &cap);
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
    if (CATALOG_PREPARE(cat,
                    "SELECT COALESCE(SUM(MIN(s.end_us, ?3) - MAX(s.start_us, ?2)), 0), COUNT(*)"
                    " FROM segments s JOIN streams t ON t.id = s.stream_id AND t.kind = 'main'"
                    " WHERE s.camera_id = ?1 AND s.start_us < ?3 AND s.start_us >= ?4"
                    " AND s.end_us > ?2 AND s.state <> 2",
                    &st, CATALOG_ARG(camera_id), CATALOG_ARG(from_us), CATALOG_ARG(to_us),
                    CATALOG_ARG(from_us - SEGMENT_MAX_US)))
        return WW_EDB;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *covered_us = sqlite3_column_int64(st, 0);
        *segments = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : catalog_fail(cat, "coverage");
}
