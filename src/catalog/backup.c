/*
 * backup.c — an online, consistent copy of the catalog (cat_backup.h).
 *
 * Why sqlite3_backup_step(-1), one step: an incremental backup (N pages a
 * step) restarts from the beginning whenever another connection writes, so
 * beside a recorder that commits every second it might never finish.  One
 * step copies every page inside one read transaction; in WAL mode that
 * reader does not block the syncer's commits (they go to the WAL) and sees
 * exactly one committed state, so the copy is consistent.  The cost is that
 * a checkpoint cannot pass our read mark while we copy — the WAL grows for
 * those few seconds, which is harmless.
 *
 * The copy is then switched to journal_mode=DELETE so that it is one
 * self-contained file (a WAL-mode copy would grow -wal/-shm files beside it
 * the first time anyone opened it, and those would not be in SHA256SUMS).
 */
#include "catalog/cat_backup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "catalog/internal.h"

/* How long one busy source (a WAL recovery, a checkpoint truncating) may
 * hold us up before the backup gives up: generous, it is an operator's verb. */
enum { BACKUP_BUSY_TRIES = 200, BACKUP_BUSY_SLEEP_MS = 50 };

static int count_rows(sqlite3 *db, const char *table, int64_t *n)
{
    *n = 0;
    char *sql = sqlite3_mprintf("SELECT COUNT(*) FROM \"%w\"", table);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    sqlite3_free(sql);
    if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        *n = sqlite3_column_int64(st, 0);
    else
        rc = SQLITE_ERROR;
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? 0 : WW_EDB;
}

static int fill_info(sqlite3 *db, struct catalog_backup_info *info)
{
    memset(info, 0, sizeof *info);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT COALESCE(MAX(version),0) FROM schema_migrations", -1, &st,
                           NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return WW_EDB;
    }
    info->schema_version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (count_rows(db, "cameras", &info->cameras) || count_rows(db, "segments", &info->segments) ||
        count_rows(db, "users", &info->users) || count_rows(db, "audit", &info->audit_rows))
        return WW_EDB;
    return 0;
}

int catalog_backup_info(catalog_t *cat, struct catalog_backup_info *info)
{
    int rc = fill_info(cat->db, info);
    if (rc) return catalog_fail(cat, "backup counts");
    return 0;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* The whole copy in one step (see the top of the file); retries only while
 * the source is momentarily busy or locked. */
static int copy_pages(sqlite3 *src, sqlite3 *dst)
{
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (!b) return SQLITE_ERROR;
    int rc = SQLITE_OK;
    for (int tries = 0; tries < BACKUP_BUSY_TRIES; tries++) {
        rc = sqlite3_backup_step(b, -1);
        if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
        sleep_ms(BACKUP_BUSY_SLEEP_MS);
    }
    int fin = sqlite3_backup_finish(b);
    if (rc == SQLITE_DONE) rc = fin;
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int quick_check(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int ok = sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &st, NULL) == SQLITE_OK &&
             sqlite3_step(st) == SQLITE_ROW &&
             !strcmp((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    return ok ? 0 : WW_ECORRUPT;
}

static int fsync_path(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    int rc = fsync(fd) == 0 ? 0 : -errno;
    close(fd);
    return rc;
}

int catalog_backup_to(catalog_t *cat, const char *dest, struct catalog_backup_info *info)
{
    assert(cat && dest && info);
    /* Made here first, so the mode is 0600 whatever the umask and an
     * existing file is never overwritten; SQLite takes an empty file as a
     * new database. */
    int fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return -errno;
    close(fd);
    sqlite3 *dst = NULL;
    int rc = 0;
    const char *step = "open the copy";
    if (sqlite3_open_v2(dest, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
        goto fail;
    step = "copy the pages";
    int src_rc = copy_pages(cat->db, dst);
    if (src_rc != SQLITE_OK) {
        ww_error("catalog", "backup to %s: %s", dest, sqlite3_errstr(src_rc));
        rc = WW_EDB;
        goto out;
    }
    step = "make the copy one file";
    if (sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK) goto fail;
    if ((rc = quick_check(dst))) {
        ww_error("catalog", "backup to %s: the copy fails quick_check", dest);
        goto out;
    }
    step = "read the copy's counts";
    if (fill_info(dst, info)) goto fail;
    goto out;
fail:
    ww_error("catalog", "backup to %s: cannot %s: %s", dest, step,
             dst ? sqlite3_errmsg(dst) : "out of memory");
    rc = WW_EDB;
out:
    if (sqlite3_close(dst) != SQLITE_OK && !rc) rc = WW_EDB;
    if (!rc) rc = fsync_path(dest);
    if (!rc) rc = ww_fsync_dir_of(dest);
    if (rc) unlink(dest);
    return rc;
}
