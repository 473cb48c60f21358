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

#endif
