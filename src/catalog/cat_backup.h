/*
 * catalog/cat_backup.h — an online copy of the catalog (catalog/backup.c),
 * used by `wardwatch backup` (cli/backup.c).
 *
 * The copy is SQLite's online backup API run in one step: the source is
 * read inside a single read transaction, which in WAL mode neither waits
 * for the recorder's syncer nor makes it wait, and sees one committed state
 * of every table — a consistent snapshot even while `serve` writes.
 *
 * Threads: the catalog_t is the caller's (one thread at a time, as always);
 * the destination is a file of its own that nothing else has open.
 */
#ifndef WW_CAT_BACKUP_H
#define WW_CAT_BACKUP_H

#include <stdint.h>

#include "catalog/catalog.h"

/* What a copy holds, read from the copy itself (not the live catalog, which
 * may have moved on). */
struct catalog_backup_info {
    int schema_version; /* newest row of schema_migrations */
    int64_t cameras, segments, users, audit_rows;
};

/* Copies cat into a new file dest (which must not exist: -EEXIST) with mode
 * 0600 — it holds camera credentials and password hashes — as a plain
 * rollback-journal database (no -wal beside it), fsynced, its folder too,
 * and checked with PRAGMA quick_check.  info gets its contents.  0, -errno,
 * or WW_EDB (logged, and dest removed). */
int catalog_backup_to(catalog_t *cat, const char *dest, struct catalog_backup_info *info);

/* The same counts for an existing catalog (e.g. one just restored). */
int catalog_backup_info(catalog_t *cat, struct catalog_backup_info *info);

#endif
