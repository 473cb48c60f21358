/*
 * catalog/internal.h — shared by the catalog's own .c files only.  Never
 * include this from outside src/catalog/.
 */
#ifndef WW_CATALOG_INTERNAL_H
#define WW_CATALOG_INTERNAL_H

#include <sqlite3.h>

#include "base/base.h"
#include "catalog/catalog.h"

struct catalog {
    sqlite3 *db;
    char *path;
};

/* Prepares sql (cached per connection by SQLite's own prepare_v3 with
 * SQLITE_PREPARE_PERSISTENT is not needed at our rates).  Logs on failure. */
int cat_prepare(catalog_t *cat, const char *sql, sqlite3_stmt **st);
/* Logs SQLite's message for a failed step and returns WW_EDB. */
int cat_fail(catalog_t *cat, const char *what);
/* Runs SQL without results. */
int cat_exec(catalog_t *cat, const char *sql);
/* Column as a heap string (NULL for SQL NULL). */
char *cat_col_str(sqlite3_stmt *st, int col);
/* Binds a C string or NULL. */
void cat_bind_str(sqlite3_stmt *st, int idx, const char *s);
/* Binds a row id, or NULL when id <= 0 (optional foreign keys). */
void cat_bind_id(sqlite3_stmt *st, int idx, int64_t id);

/* The one list helper: steps st to its end (and finalizes it), appending a
 * zeroed element of `elem` bytes per row, filled by map(st, row).  On
 * success *out (a pointer to the caller's array pointer) and *n hold the
 * rows (NULL, 0 for none); on failure every mapped row is cleared with
 * clear (when not NULL), the array is freed, *out = NULL, *n = 0, and the
 * failure is logged with `what` → WW_EDB.  Use through CAT_ROWS, which
 * takes the element size from the array's type. */
typedef void (*cat_map_fn)(sqlite3_stmt *st, void *row);
typedef void (*cat_clear_fn)(void *row);
int cat_rows(catalog_t *cat, sqlite3_stmt *st, size_t elem, cat_map_fn map, cat_clear_fn clear,
             const char *what, void *out, size_t *n);
#define CAT_ROWS(cat, st, out, n, map, clear, what) \
    cat_rows((cat), (st), sizeof **(out), (map), (clear), (what), (out), (n))

/* Grows arr (element count n, capacity cap) so one more element fits. */
#define CAT_GROW(arr, n, cap)                                               \
    do {                                                                    \
        if ((n) == (cap)) {                                                 \
            (cap) = (cap) ? (cap) * 2 : 16;                                 \
            (arr) = ww_realloc((arr), (cap) * sizeof *(arr));               \
        }                                                                   \
    } while (0)

/* Binds v when has, else NULL. */
static inline void cat_bind_opt_i64(sqlite3_stmt *st, int idx, bool has, int64_t v)
{
    if (has) sqlite3_bind_int64(st, idx, v);
    else sqlite3_bind_null(st, idx);
}

/* Steps a write statement once and finalizes it.  SQLITE_DONE → 0.  A
 * constraint refusal → `refused` (logged at debug: the caller answers it),
 * or with CAT_REFUSED_BY_KIND: UNIQUE/PRIMARY KEY → WW_ECONFLICT, any other
 * → WW_EINVAL.  Anything else is logged with `what` and → WW_EDB.  The one
 * copy of what each area file used to write for itself. */
#define CAT_REFUSED_BY_KIND 1
int cat_step_done(catalog_t *cat, sqlite3_stmt *st, const char *what, int refused);
/* The same mapping for a step result the caller already has (rc from
 * sqlite3_step on a statement it finalizes itself). */
int cat_write_fail(catalog_t *cat, int rc, const char *what, int refused);

/* The one statement of "this segment is held" (holds.c, 043_holds.sql):
 * a hold in force on its camera overlaps it.  seg = the segments table's
 * alias, now = the SQL parameter holding the current time. */
#define CAT_HELD_SQL(seg, now)                                                              \
    "EXISTS (SELECT 1 FROM holds hh WHERE hh.camera_id = " seg ".camera_id"               \
    " AND hh.released_us IS NULL AND hh.until_us > " now " AND hh.from_us < " seg ".end_us" \
    " AND hh.to_us > " seg ".start_us)"

/* Work that must land together runs in the caller's transaction if one is
 * open, else in its own: begin returns whether it opened one (and sets *rc),
 * end commits or rolls back only that one and returns rc. */
bool cat_own_txn_begin(catalog_t *cat, int *rc);
int cat_own_txn_end(catalog_t *cat, bool own, int rc);

#endif
