/*
 * catalog/internal.h — shared by the catalog's own .c files only.  Never
 * include this from outside src/catalog/.
 */
#ifndef WW_CATALOG_INTERNAL_H
#define WW_CATALOG_INTERNAL_H

#include <sqlite3.h>
#include <stddef.h>

#include "base/base.h"
#include "catalog/catalog.h"

struct catalog {
    sqlite3 *db;
    char *path;
};

/* Prepares sql (cached per connection by SQLite's own prepare_v3 with
 * SQLITE_PREPARE_PERSISTENT is not needed at our rates).  Logs on failure. */
int catalog_prepare(catalog_t *cat, const char *sql, sqlite3_stmt **st);
/* Logs SQLite's message for a failed step and returns WW_EDB. */
int catalog_fail(catalog_t *cat, const char *what);
/* Prepares the statement built in sql (NUL-terminates it, then frees the
 * buffer either way): the WHERE clauses a filter assembles.  0 or WW_EDB. */
int catalog_prepare_buf(catalog_t *cat, struct ww_buf *sql, sqlite3_stmt **st);
/* Runs SQL without results. */
int catalog_exec(catalog_t *cat, const char *sql);
/* Column as a heap string (NULL for SQL NULL). */
char *catalog_col_str(sqlite3_stmt *st, int col);
/* Binds a C string or NULL. */
void catalog_bind_str(sqlite3_stmt *st, int idx, const char *s);
/* Binds a row id, or NULL when id <= 0 (optional foreign keys). */
void catalog_bind_id(sqlite3_stmt *st, int idx, int64_t id);

/* ---- rows described by a table (rows.c) ---------------------------------
 * A row struct is read from a statement by a static table: one entry per
 * result column, in SELECT order, naming the field it lands in.  CATALOG_COL
 * takes the column's kind from the field's C type, so a map cannot read an
 * int64 into a bool or a string into a number.  SQL NULL maps as
 * sqlite3_column_* reads it: 0, 0.0, or a NULL string. */
enum catalog_col_kind {
    CATALOG_COL_I64,
    CATALOG_COL_INT,
    CATALOG_COL_BOOL,   /* column != 0 */
    CATALOG_COL_DBL,
    CATALOG_COL_SIZE,
    CATALOG_COL_STR,    /* heap copy (catalog_col_str), freed by catalog_row_clear */
    CATALOG_COL_DIR,    /* double, -1 for SQL NULL: "direction unknown" */
    CATALOG_COL_IS_SET, /* bool: the next column is not NULL; reads no column itself */
    CATALOG_COL_SKIP,   /* a column the map's fill reads (e.g. a name parsed to an enum) */
};
struct catalog_col {
    enum catalog_col_kind kind;
    size_t off;
};
#define CATALOG_COL(T, f)                                                                       \
    { _Generic(((T *)0)->f, int64_t: CATALOG_COL_I64, int: CATALOG_COL_INT, bool: CATALOG_COL_BOOL,     \
               double: CATALOG_COL_DBL, size_t: CATALOG_COL_SIZE, char *: CATALOG_COL_STR),             \
      offsetof(T, f) }
#define CATALOG_COL_DIR(T, f) { _Generic(((T *)0)->f, double: CATALOG_COL_DIR), offsetof(T, f) }
#define CATALOG_COL_IS_SET(T, f) { _Generic(((T *)0)->f, bool: CATALOG_COL_IS_SET), offsetof(T, f) }
#define CATALOG_COL_BY_FILL { CATALOG_COL_SKIP, 0 }

typedef void (*catalog_map_fn)(sqlite3_stmt *st, void *row);
typedef void (*catalog_clear_fn)(void *row);
struct catalog_row_map {
    size_t size; /* sizeof the row struct */
    const struct catalog_col *col;
    size_t n;
    /* Optional, for what a table cannot say: fill runs after the table on
     * each row (it may read columns past the table's); release frees what
     * the row owns besides its string columns, before they are freed. */
    catalog_map_fn fill;
    catalog_clear_fn release;
};
/* The map of row struct T: its columns (CATALOG_COL ..., in SELECT order), with
 * fill and release (either may be NULL). */
#define CATALOG_ROW_MAP(T, fill, release, ...)                                                         \
    {                                                                                              \
        sizeof(T), (const struct catalog_col[]){__VA_ARGS__},                                          \
            sizeof((const struct catalog_col[]){__VA_ARGS__}) / sizeof(struct catalog_col), (fill),        \
            (release)                                                                              \
    }

/* CATALOG_COLS(T, a, b, c) is CATALOG_COL(T, a), CATALOG_COL(T, b), CATALOG_COL(T, c):
 * the plain columns of a map without the type and macro name again on each,
 * so a map reads as the SELECT list it follows.  The preprocessor does not
 * recurse: each step leaves its successor's name without parentheses
 * (CATALOG_COLS_NEXT_ CATALOG_PARENS_) and CATALOG_RESCAN_ scans the result again
 * and again: enough for 54 columns (twice the widest table); a longer list
 * would leave a CATALOG_COLS_NEXT_ behind, which does not compile. */
#define CATALOG_COLS(T, ...) __VA_OPT__(CATALOG_RESCAN_(CATALOG_COLS_STEP_(T, __VA_ARGS__)))
#define CATALOG_COLS_STEP_(T, f, ...)                                                              \
    CATALOG_COL(T, f) __VA_OPT__(, CATALOG_COLS_NEXT_ CATALOG_PARENS_(T, __VA_ARGS__))
#define CATALOG_COLS_NEXT_() CATALOG_COLS_STEP_
#define CATALOG_PARENS_ ()
#define CATALOG_RESCAN_(...) CATALOG_RESCAN9_(CATALOG_RESCAN9_(CATALOG_RESCAN9_(CATALOG_RESCAN9_(__VA_ARGS__))))
#define CATALOG_RESCAN9_(...) CATALOG_RESCAN3_(CATALOG_RESCAN3_(CATALOG_RESCAN3_(__VA_ARGS__)))
#define CATALOG_RESCAN3_(...) CATALOG_RESCAN1_(CATALOG_RESCAN1_(CATALOG_RESCAN1_(__VA_ARGS__)))
#define CATALOG_RESCAN1_(...) __VA_ARGS__
/* The map of a row struct whose columns are all plain fields, named in
 * SELECT order: CATALOG_MAP(struct catalog_x, fill, release, id, name, ...). */
#define CATALOG_MAP(T, fill, release, ...) CATALOG_ROW_MAP(T, fill, release, CATALOG_COLS(T, __VA_ARGS__))

/* The public clear and list-free of a row struct T over its map m, one line
 * each as every area header promises (clear zeroes the row; NULL is fine). */
#define CATALOG_ROW_CLEAR_FN(m, T, name)                                                           \
    void name(T *row) { catalog_row_clear(&(m), row); }
#define CATALOG_LIST_FREE_FN(m, T, name)                                                           \
    void name(T *v, size_t n) { catalog_rows_free(&(m), v, n); }

/* One-column maps for a single value in column 0 of the row. */
extern const struct catalog_row_map catalog_i64_map, catalog_int_map, catalog_bool_map, catalog_str_map;

/* Fills row from st's current row (asserts st has the table's columns,
 * exactly unless m->fill reads more). */
void catalog_row_map(const struct catalog_row_map *m, sqlite3_stmt *st, void *row);
/* Frees what row owns (m->release, then every string column) and zeroes
 * it; row may be NULL. */
void catalog_row_clear(const struct catalog_row_map *m, void *row);
/* catalog_row_clear for each of n rows of v, then frees v. */
void catalog_rows_free(const struct catalog_row_map *m, void *v, size_t n);
/* Steps st once and finalizes it: a row is mapped into row → 0; no row →
 * WW_ENOTFOUND (row untouched, so a caller's default stays); a failure is
 * logged with `what` → WW_EDB. */
int catalog_row_one(catalog_t *cat, sqlite3_stmt *st, const struct catalog_row_map *m, void *row,
                const char *what);
/* The "get by id" of every table: zeroes row, prepares sql, binds id to ?1
 * and reads one row as catalog_row_one does. */
int catalog_row_by_id(catalog_t *cat, const char *sql, int64_t id, const struct catalog_row_map *m,
                  void *row, const char *what);

/* The one list helper: steps st to its end (and finalizes it), appending a
 * zeroed row per result row, mapped by m.  On success *out (a pointer to
 * the caller's array pointer) and *n hold the rows (NULL, 0 for none); on
 * failure every mapped row is cleared, the array is freed, *out = NULL,
 * *n = 0, and the failure is logged with `what` → WW_EDB. */
int catalog_rows(catalog_t *cat, sqlite3_stmt *st, const struct catalog_row_map *m, const char *what,
             void *out, size_t *n);

/* ---- statements with their parameters ----------------------------------
 * CATALOG_PREPARE(cat, sql, &st, CATALOG_ARG(a), CATALOG_ARG(b), ...) prepares sql and
 * binds the values to ?1, ?2, ... in order; CATALOG_RUN does the same and steps
 * it as catalog_step_done does.  CATALOG_ARG takes the kind from the C type: any
 * integer (bool included) binds as int64, double as a real, a string as
 * text or, when NULL, SQL NULL; CATALOG_ID(v) binds NULL for v <= 0 (optional
 * foreign keys), catalog_arg_blob(p, n) a blob.  Any other type does not compile. */
struct catalog_arg {
    enum { CATALOG_ARG_I64, CATALOG_ARG_DBL, CATALOG_ARG_STR, CATALOG_ARG_BLOB, CATALOG_ARG_NULL } kind;
    int64_t i;
    double d;
    const char *s;
};
static inline struct catalog_arg catalog_arg_i64(int64_t v)
{
    return (struct catalog_arg){.kind = CATALOG_ARG_I64, .i = v};
}
static inline struct catalog_arg catalog_arg_dbl(double v)
{
    return (struct catalog_arg){.kind = CATALOG_ARG_DBL, .d = v};
}
static inline struct catalog_arg catalog_arg_str(const char *v)
{
    return (struct catalog_arg){.kind = v ? CATALOG_ARG_STR : CATALOG_ARG_NULL, .s = v};
}
/* n bytes at p as a blob; NULL p (or n 0) binds SQL NULL */
static inline struct catalog_arg catalog_arg_blob(const void *p, size_t n)
{
    return (struct catalog_arg){.kind = p && n ? CATALOG_ARG_BLOB : CATALOG_ARG_NULL, .s = p, .i = (int64_t)n};
}
/* v when has, else SQL NULL */
static inline struct catalog_arg catalog_arg_opt(bool has, int64_t v)
{
    return (struct catalog_arg){.kind = has ? CATALOG_ARG_I64 : CATALOG_ARG_NULL, .i = v};
}
static inline struct catalog_arg catalog_arg_opt_dbl(bool has, double v)
{
    return (struct catalog_arg){.kind = has ? CATALOG_ARG_DBL : CATALOG_ARG_NULL, .d = v};
}
static inline struct catalog_arg catalog_arg_id(int64_t v)
{
    return (struct catalog_arg){.kind = v > 0 ? CATALOG_ARG_I64 : CATALOG_ARG_NULL, .i = v};
}
#define CATALOG_ARG(x)                                                                                 \
    _Generic((x), double: catalog_arg_dbl, char *: catalog_arg_str, const char *: catalog_arg_str,          \
             bool: catalog_arg_i64, int: catalog_arg_i64, unsigned: catalog_arg_i64, long: catalog_arg_i64,     \
             unsigned long: catalog_arg_i64, long long: catalog_arg_i64)(x)
#define CATALOG_ID(x) catalog_arg_id(x)
#define CATALOG_ARGV(...)                                                                              \
    (const struct catalog_arg[]){__VA_ARGS__},                                                         \
        sizeof((const struct catalog_arg[]){__VA_ARGS__}) / sizeof(struct catalog_arg)
/* Binds a[0..n) to ?first, ?first+1, ... of a statement already prepared
 * (one reused for many rows, or parameters shared by two writers). */
void catalog_bind_args(sqlite3_stmt *st, int first, const struct catalog_arg *a, size_t n);
#define CATALOG_BIND(st, first, ...) catalog_bind_args((st), (first), CATALOG_ARGV(__VA_ARGS__))
int catalog_prepare_args(catalog_t *cat, const char *sql, sqlite3_stmt **st, const struct catalog_arg *a,
                     size_t n);
int catalog_run_args(catalog_t *cat, const char *what, int refused, const char *sql,
                 const struct catalog_arg *a, size_t n);
#define CATALOG_PREPARE(cat, sql, st, ...) catalog_prepare_args((cat), (sql), (st), CATALOG_ARGV(__VA_ARGS__))
#define CATALOG_RUN(cat, what, refused, sql, ...)                                                      \
    catalog_run_args((cat), (what), (refused), (sql), CATALOG_ARGV(__VA_ARGS__))
/* The same statement read as catalog_row_one (CATALOG_ONE) or as catalog_rows (CATALOG_LIST;
 * *out = NULL, *n = 0 also when the prepare fails). */
int catalog_row_one_args(catalog_t *cat, const char *what, const struct catalog_row_map *m, void *row,
                     const char *sql, const struct catalog_arg *a, size_t n);
int catalog_rows_args(catalog_t *cat, const char *what, const struct catalog_row_map *m, void *out,
                  size_t *n, const char *sql, const struct catalog_arg *a, size_t na);
/* CATALOG_RUN for an INSERT: on success *id (when not NULL) = the new row's id. */
int catalog_insert_args(catalog_t *cat, const char *what, int refused, int64_t *id, const char *sql,
                    const struct catalog_arg *a, size_t n);
#define CATALOG_INSERT(cat, what, refused, id, sql, ...)                                               \
    catalog_insert_args((cat), (what), (refused), (id), (sql), CATALOG_ARGV(__VA_ARGS__))
#define CATALOG_ONE(cat, what, m, row, sql, ...)                                                       \
    catalog_row_one_args((cat), (what), (m), (row), (sql), CATALOG_ARGV(__VA_ARGS__))
#define CATALOG_LIST(cat, what, m, out, n, sql, ...)                                                   \
    catalog_rows_args((cat), (what), (m), (out), (n), (sql), CATALOG_ARGV(__VA_ARGS__))

/* ---- writes ------------------------------------------------------------- */
/* For a write of one row by its key, after it succeeded: WW_ENOTFOUND when
 * it touched no row. */
int catalog_changed(catalog_t *cat);
/* catalog_step_done for an INSERT; on success *id (when not NULL) = the new
 * row's id. */
int catalog_insert_done(catalog_t *cat, sqlite3_stmt *st, const char *what, int refused, int64_t *id);

/* Grows arr (element count n, capacity cap) so one more element fits. */
#define CATALOG_GROW(arr, n, cap)                                               \
    do {                                                                    \
        if ((n) == (cap)) {                                                 \
            (cap) = (cap) ? (cap) * 2 : 16;                                 \
            (arr) = ww_realloc((arr), (cap) * sizeof *(arr));               \
        }                                                                   \
    } while (0)

/* Steps a write statement once and finalizes it.  SQLITE_DONE → 0.  A
 * constraint refusal → `refused` (logged at debug: the caller answers it),
 * or with CATALOG_REFUSED_BY_KIND: UNIQUE/PRIMARY KEY → WW_ECONFLICT, any other
 * → WW_EINVAL.  Anything else is logged with `what` and → WW_EDB.  The one
 * copy of what each area file used to write for itself. */
#define CATALOG_REFUSED_BY_KIND 1
int catalog_step_done(catalog_t *cat, sqlite3_stmt *st, const char *what, int refused);
/* The same mapping for a step result the caller already has (rc from
 * sqlite3_step on a statement it finalizes itself). */
int catalog_write_fail(catalog_t *cat, int rc, const char *what, int refused);

/* The one statement of "this segment is held" (holds.c, 043_holds.sql):
 * a hold in force on its camera overlaps it.  seg = the segments table's
 * alias, now = the SQL parameter holding the current time. */
#define CATALOG_HELD_SQL(seg, now)                                                              \
    "EXISTS (SELECT 1 FROM holds hh WHERE hh.camera_id = " seg ".camera_id"               \
    " AND hh.released_us IS NULL AND hh.until_us > " now " AND hh.from_us < " seg ".end_us" \
    " AND hh.to_us > " seg ".start_us)"

/* Work that must land together runs in the caller's transaction if one is
 * open, else in its own: begin returns whether it opened one (and sets *rc),
 * end commits or rolls back only that one and returns rc. */
bool catalog_own_txn_begin(catalog_t *cat, int *rc);
int catalog_own_txn_end(catalog_t *cat, bool own, int rc);

#endif
