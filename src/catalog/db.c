/*
 * db.c — opening the catalog, migrations, transactions, settings.
 *
 * The catalog runs in WAL mode with synchronous=NORMAL: a commit is durable
 * once the WAL is fsynced at checkpoint or by the next FULL sync, and the
 * database is never corrupted by a crash.  Recording's guarantee ("a kill -9
 * loses at most the last group-commit window") holds because the syncer
 * fsyncs video files BEFORE it commits the rows that describe them; a lost
 * commit only means the tail is re-indexed by recovery.
 *
 * Migrations: schema/NNN_*.sql files, embedded at build time, each applied
 * once inside its own transaction; schema_migrations records which.  A
 * catalog that records a migration newer than any this binary has is
 * refused (WW_ENEWER) before anything is written: downgrades are not
 * supported, restoring a backup is.
 */
#include "catalog/internal.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int catalog_fail(catalog_t *cat, const char *what)
{
    ww_error("catalog", "%s: %s", what, cat && cat->db ? sqlite3_errmsg(cat->db) : "no db");
    return WW_EDB;
}

int catalog_prepare(catalog_t *cat, const char *sql, sqlite3_stmt **st)
{
    if (sqlite3_prepare_v2(cat->db, sql, -1, st, NULL) != SQLITE_OK) {
        *st = NULL;
        return catalog_fail(cat, "prepare");
    }
    return 0;
}

int catalog_exec(catalog_t *cat, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(cat->db, sql, NULL, NULL, &err) != SQLITE_OK) {
        ww_error("catalog", "exec: %s", err ? err : "?");
        sqlite3_free(err);
        return WW_EDB;
    }
    return 0;
}

char *catalog_col_str(sqlite3_stmt *st, int col)
{
    const unsigned char *s = sqlite3_column_text(st, col);
    return s ? ww_strdup((const char *)s) : NULL;
}

void catalog_bind_str(sqlite3_stmt *st, int idx, const char *s)
{
    if (s) sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(st, idx);
}

void catalog_bind_id(sqlite3_stmt *st, int idx, int64_t id)
{
    if (id > 0) sqlite3_bind_int64(st, idx, id);
    else sqlite3_bind_null(st, idx);
}

int catalog_write_fail(catalog_t *cat, int rc, const char *what, int refused)
{
    if (rc == SQLITE_DONE) return 0;
    if ((rc & 0xff) == SQLITE_CONSTRAINT && refused != WW_EDB) {
        ww_debug("catalog", "%s refused: %s", what, sqlite3_errmsg(cat->db));
        if (refused != CATALOG_REFUSED_BY_KIND) return refused;
        int ext = sqlite3_extended_errcode(cat->db);
        return ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY ? WW_ECONFLICT
                                                                                     : WW_EINVAL;
    }
    return catalog_fail(cat, what);
}

int catalog_step_done(catalog_t *cat, sqlite3_stmt *st, const char *what, int refused)
{
    int rc = sqlite3_step(st);
    /* the extended code is read in catalog_write_fail before anything else runs
     * on this connection; finalize keeps the connection's error state */
    int out = rc == SQLITE_DONE ? 0 : catalog_write_fail(cat, rc, what, refused);
    sqlite3_finalize(st);
    return out;
}

bool catalog_own_txn_begin(catalog_t *cat, int *rc)
{
    bool own = sqlite3_get_autocommit(cat->db);
    *rc = own ? catalog_begin(cat) : 0;
    return own;
}

int catalog_own_txn_end(catalog_t *cat, bool own, int rc)
{
    if (!own) return rc;
    if (rc) { catalog_rollback(cat); return rc; }
    if (catalog_commit(cat)) { catalog_rollback(cat); return WW_EDB; }
    return 0;
}

int catalog_begin(catalog_t *cat) { return catalog_exec(cat, "BEGIN IMMEDIATE"); }
int catalog_commit(catalog_t *cat) { return catalog_exec(cat, "COMMIT"); }
void catalog_rollback(catalog_t *cat)
{
    if (!sqlite3_get_autocommit(cat->db)) sqlite3_exec(cat->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Savepoints let one group commit keep the rows that can be written when
 * one of them cannot (a camera removed mid-segment): the caller wraps each
 * row in a savepoint and rolls back to it alone on failure. */
int catalog_savepoint(catalog_t *cat) { return catalog_exec(cat, "SAVEPOINT row"); }
int catalog_savepoint_release(catalog_t *cat) { return catalog_exec(cat, "RELEASE row"); }
void catalog_savepoint_rollback(catalog_t *cat)
{
    if (sqlite3_get_autocommit(cat->db)) return;
    sqlite3_exec(cat->db, "ROLLBACK TO row", NULL, NULL, NULL);
    sqlite3_exec(cat->db, "RELEASE row", NULL, NULL, NULL);
}

const char *catalog_last_error(catalog_t *cat)
{
    return cat && cat->db ? sqlite3_errmsg(cat->db) : "no db";
}

static int applied_version(catalog_t *cat, int version)
{
    sqlite3_stmt *st;
    if (catalog_prepare(cat, "SELECT 1 FROM schema_migrations WHERE version=?", &st)) return -1;
    sqlite3_bind_int(st, 1, version);
    int rc = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return rc;
}

/* A migration that rebuilds tables says so on its first line; it runs with
 * foreign keys off (PRAGMA foreign_keys cannot change inside a transaction,
 * and a DROP TABLE would otherwise cascade into the children) and the
 * legacy rename (other tables' references keep naming the table), and
 * must leave no foreign-key violation behind. */
#define MIGRATION_FK_OFF "-- ww:foreign-keys-off"

static int fk_violations(catalog_t *cat)
{
    sqlite3_stmt *st;
    if (catalog_prepare(cat, "PRAGMA foreign_key_check", &st)) return -1;
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) n++;
    sqlite3_finalize(st);
    return n;
}

static int apply_migration(catalog_t *cat, const struct catalog_migration *m)
{
    bool fk_off = !strncmp(m->sql, MIGRATION_FK_OFF, strlen(MIGRATION_FK_OFF));
    if (fk_off && (catalog_exec(cat, "PRAGMA foreign_keys=OFF") || catalog_exec(cat, "PRAGMA legacy_alter_table=ON")))
        return WW_EDB;
    int rc = catalog_begin(cat);
    if (rc) goto out;
    /* Checked again inside the write lock: another connection may have
     * applied it while this one waited. */
    int done = applied_version(cat, m->version);
    if (done) { catalog_rollback(cat); rc = done < 0 ? WW_EDB : 0; goto out; }
    if (catalog_exec(cat, m->sql)) {
        ww_error("catalog", "migration %s failed", m->name);
        rc = WW_EDB;
        goto fail;
    }
    if (fk_off && fk_violations(cat) != 0) {
        ww_error("catalog", "migration %s left foreign-key violations", m->name);
        rc = WW_EDB;
        goto fail;
    }
    sqlite3_stmt *st;
    if ((rc = CATALOG_PREPARE(cat, "INSERT INTO schema_migrations VALUES (?,?,?)", &st,
                          CATALOG_ARG(m->version), catalog_arg_str(m->name), CATALOG_ARG(ww_wall_us()))))
        goto fail;
    int step = sqlite3_step(st);
    sqlite3_finalize(st);
    if (step != SQLITE_DONE || catalog_commit(cat)) { rc = catalog_fail(cat, "record migration"); goto fail; }
    ww_debug("catalog", "applied migration %s", m->name);
    goto out;
fail:
    catalog_rollback(cat);
out:
    if (fk_off) {
        catalog_exec(cat, "PRAGMA legacy_alter_table=OFF");
        catalog_exec(cat, "PRAGMA foreign_keys=ON");
    }
    return rc;
}

/* Catalogs made before the schema numbers were emitted in decimal recorded
 * "040_community" as 32 (the C literal 040 is octal).  Names are unique, so
 * each row is put right by its name; the legacy numbers (1 2 3 8 9 16 24 25
 * 32 33) never equal another migration's decimal number. */
static int fix_octal_versions(catalog_t *cat)
{
    if (catalog_begin(cat)) return WW_EDB;
    for (const struct catalog_migration *m = catalog_migrations; m->sql; m++) {
        sqlite3_stmt *st;
        if (catalog_prepare(cat, "UPDATE schema_migrations SET version=? WHERE name=? AND version<>?",
                        &st)) {
            catalog_rollback(cat);
            return WW_EDB;
        }
        sqlite3_bind_int(st, 1, m->version);
        sqlite3_bind_text(st, 2, m->name, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, m->version);
        int rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE) {
            catalog_rollback(cat);
            return catalog_fail(cat, "fix migration numbers");
        }
    }
    return catalog_commit(cat) ? WW_EDB : 0;
}

static int migrate(catalog_t *cat)
{
    if (catalog_exec(cat, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                      " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                      " applied_us INTEGER NOT NULL)"))
        return WW_EDB;
    if (fix_octal_versions(cat)) return WW_EDB;
    for (const struct catalog_migration *m = catalog_migrations; m->sql; m++) {
        int done = applied_version(cat, m->version);
        if (done < 0) return WW_EDB;
        if (done) continue;
        int rc = apply_migration(cat, m);
        if (rc) return rc;
    }
    return 0;
}

int catalog_schema_known(void)
{
    int v = 0;
    for (const struct catalog_migration *m = catalog_migrations; m->sql; m++)
        if (m->version > v) v = m->version;
    return v;
}

/* The newest migration the file records, 0 for a file without the table
 * (a new catalog).  Only reads: nothing of the file changes. */
static int recorded_version(sqlite3 *db, int *v)
{
    *v = 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_migrations'", -1,
                           &st, NULL) != SQLITE_OK)
        return WW_EDB;
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE) return 0;
    if (rc != SQLITE_ROW) return WW_EDB;
    if (sqlite3_prepare_v2(db, "SELECT COALESCE(MAX(version),0) FROM schema_migrations", -1, &st, NULL) !=
        SQLITE_OK)
        return WW_EDB;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : WW_EDB;
}

int catalog_schema_of_file(const char *path, int *version)
{
    *version = 0;
    sqlite3 *db = NULL;
    /* read-write without CREATE: a read-only connection could not remove
     * the -wal/-shm files that reading a WAL database makes when it closes */
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) == SQLITE_OK
                 ? 0
                 : WW_EDB;
    if (!rc) {
        sqlite3_busy_timeout(db, 10000);
        rc = recorded_version(db, version);
    }
    sqlite3_close(db);
    return rc;
}

/* A catalog a newer wardwatch has migrated is refused before anything is
 * written to it (not even journal_mode): this binary's queries would run
 * against tables it does not know, and a later migration of its own could
 * collide with theirs.  The file stays byte for byte what it was. */
static int refuse_newer(catalog_t *cat)
{
    int have = 0;
    if (recorded_version(cat->db, &have)) return catalog_fail(cat, "read schema version");
    int knows = catalog_schema_known();
    if (have <= knows) return 0;
    ww_debug("catalog", "%s: schema %03d is newer than %03d", cat->path, have, knows);
    return WW_ENEWER;
}

int catalog_open(const char *path, int flags, catalog_t **out)
{
    *out = NULL;
    if (!(flags & CATALOG_CREATE) && access(path, F_OK) != 0) return -ENOENT;
    catalog_t *cat = ww_calloc(1, sizeof *cat);
    cat->path = ww_strdup(path);
    int oflags = SQLITE_OPEN_NOMUTEX |
                 ((flags & CATALOG_READONLY) ? SQLITE_OPEN_READONLY
                                             : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (sqlite3_open_v2(path, &cat->db, oflags, NULL) != SQLITE_OK) {
        ww_error("catalog", "cannot open %s: %s", path,
                 cat->db ? sqlite3_errmsg(cat->db) : "out of memory");
        catalog_close(cat);
        return WW_EDB;
    }
    sqlite3_busy_timeout(cat->db, 10000);
    int newer = refuse_newer(cat);
    if (newer) {
        catalog_close(cat);
        return newer;
    }
    if (catalog_exec(cat, "PRAGMA foreign_keys=ON") ||
        (!(flags & CATALOG_READONLY) &&
         (catalog_exec(cat, "PRAGMA journal_mode=WAL") || catalog_exec(cat, "PRAGMA synchronous=NORMAL") ||
          migrate(cat)))) {
        catalog_close(cat);
        return WW_EDB;
    }
    *out = cat;
    return 0;
}

void catalog_close(catalog_t *cat)
{
    if (!cat) return;
    sqlite3_close_v2(cat->db);
    free(cat->path);
    free(cat);
}

int catalog_schema_version(catalog_t *cat)
{
    sqlite3_stmt *st;
    if (catalog_prepare(cat, "SELECT COALESCE(MAX(version),0) FROM schema_migrations", &st))
        return WW_EDB;
    int v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    return v;
}

int catalog_setting_get(catalog_t *cat, const char *key, char **out)
{
    return CATALOG_ONE(cat, "setting get", &catalog_str_map, out, "SELECT value FROM settings WHERE key=?",
                   catalog_arg_str(key));
}

int catalog_setting_set(catalog_t *cat, const char *key, const char *value)
{
    return CATALOG_RUN(cat, "setting set", WW_EDB,
                   "INSERT INTO settings(key,value) VALUES(?,?)"
                   " ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                   catalog_arg_str(key), catalog_arg_str(value));
}
