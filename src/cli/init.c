/*
 * init.c — `wardwatch init`: create the data folder, the catalog and the
 * recordings folder.  Running it on an existing folder changes nothing.
 *
 * Run by a service (the Debian unit's ExecStartPre), init must not print
 * the first admin's password: stdout goes to the journal, which every
 * member of group adm reads.  --password-file writes it to a file of mode
 * 0600 instead and prints only the file's name.  The unit runs init as
 * root ("+" prefix) so that file is root's; --owner then hands the data
 * folder and everything init made in it to the service's own account.
 */
#include "cli/common.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "export/export.h"

static const char init_help[] =
    "usage: wardwatch [--data DIR] init [--password-file FILE] [--owner USER]\n\n"
    "Creates DIR (default ./wardwatch-data) with the catalog DIR/wardwatch.db\n"
    "and the recordings folder DIR/rec/, creates the station's signing key\n"
    "DIR/station.key (mode 0600), and prints the first admin's\n"
    "password once.  An existing data folder is left as it is.\n\n"
    "  --password-file FILE  write the first admin's password to FILE (mode 0600,\n"
    "                        owned by whoever runs init) and print only where it is\n"
    "  --owner USER          give the data folder and what init creates in it to\n"
    "                        USER and its group (init run as root for a service)\n";

/* Writes "password\n" to path through a fresh 0600 file renamed over it, so
 * no other account ever sees a partly written or wider-moded file.  0 or -errno. */
static int write_password_file(const char *path, const char *pw)
{
    char *tmp = ww_asprintf("%s.new", path);
    unlink(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    int rc = fd < 0 ? -errno : 0;
    if (rc == 0) {
        size_t n = strlen(pw);
        if (write(fd, pw, n) != (ssize_t)n || write(fd, "\n", 1) != 1) rc = errno ? -errno : -EIO;
        if (rc == 0 && fsync(fd) != 0) rc = -errno;
        if (close(fd) != 0 && rc == 0) rc = -errno;
        if (rc == 0 && rename(tmp, path) != 0) rc = -errno;
        if (rc) unlink(tmp);
        else ww_fsync_dir_of(path);
    }
    free(tmp);
    return rc;
}

/* nftw has no user pointer: the owner being handed out, for chown_one. */
static uid_t owner_uid;
static gid_t owner_gid;

static int chown_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
    (void)st, (void)type, (void)f;
    return lchown(path, owner_uid, owner_gid) == 0 ? 0 : -errno;
}

/* chown -R of dir (symlinks not followed); 0 or -errno. */
static int give_to(const char *dir, const struct passwd *pw)
{
    owner_uid = pw->pw_uid;
    owner_gid = pw->pw_gid;
    int rc = nftw(dir, chown_one, 16, FTW_PHYS);
    return rc > 0 ? -EIO : rc;
}

/* The folder that will hold path exists and is writable. */
static bool parent_writable(const char *path)
{
    char *dir = ww_strdup(path);
    char *slash = strrchr(dir, '/');
    if (!slash) strcpy(dir, ".");
    else slash[slash == dir] = 0;
    bool ok = access(dir, W_OK) == 0;
    free(dir);
    return ok;
}

/* Creates the catalog and its first admin; 0 with *pw (caller frees), or 1
 * after one line with nothing left behind. */
static int create_catalog(const char *db, char **pw, int *version)
{
    /* The catalog holds camera credentials: only the station's account reads it. */
    mode_t old = umask(077);
    catalog_t *cat = NULL;
    int rc = catalog_open(db, CATALOG_CREATE, &cat);
    umask(old);
    if (rc) {
        cli_err("cannot create the catalog %s", db);
        return 1;
    }
    rc = cli_init_first_admin(cat, pw);
    *version = catalog_schema_version(cat);
    catalog_close(cat);
    if (rc) {
        cli_err("cannot create the first admin: %s", ww_strerror(rc));
        unlink(db);
        return 1;
    }
    return 0;
}

/* The station's signing key: every export manifest is signed with it, so it
 * exists from the first day (serve makes one for older folders). */
static void create_key(const char *data_dir)
{
    struct export_key k;
    mode_t old_mask = umask(077);
    int rc = export_key_create(data_dir, NULL, &k);
    umask(old_mask);
    if (rc == 0)
        printf("station signing key: %s/%s (station %s, fingerprint %s)\n", data_dir, EXPORT_KEY_FILE,
               k.station_id, k.short_fpr);
    else
        cli_err("cannot create the station signing key: %s (serve will try again)", ww_strerror(rc));
    export_key_wipe(&k);
}

int cli_init(struct cli_ctx *c, int argc, char **argv)
{
    const char *pw_file = NULL, *owner = NULL;
    const struct cli_opt opts[] = {{CLI_STR("password-file", &pw_file)}, {CLI_STR("owner", &owner)}, {.name = NULL}};
    int rc = cli_opts(argc, argv, "init", opts, init_help, 0);
    if (rc >= 0) return rc;
    const struct passwd *pwd = owner ? getpwnam(owner) : NULL;
    if (owner && !pwd) return cli_usage("init: --owner: no user '%s'", owner);
    if (pw_file && (!*pw_file || !parent_writable(pw_file)))
        return cli_usage("init: --password-file: cannot write in the folder of '%s'", pw_file);
    struct passwd owner_pw = pwd ? *pwd : (struct passwd){0};   /* getpwnam's storage is static */

    char *db = cli_db_path(c);
    if (access(db, F_OK) == 0) {
        printf("wardwatch: %s is already initialised\n", c->data_dir);
        free(db);
        return 0;
    }
    rc = ww_mkdirs(c->data_dir, 0750);
    char *rec = ww_asprintf("%s/rec", c->data_dir);
    if (rc == 0) rc = ww_mkdirs(rec, 0750);
    free(rec);
    if (rc) {
        cli_err("cannot create %s: %s", c->data_dir, ww_strerror(rc));
        free(db);
        return 1;
    }
    char *pw = NULL;
    int version = 0;
    if (create_catalog(db, &pw, &version)) {
        free(db);
        return 1;
    }
    /* The password has one home, written before anything says init worked;
     * without it the catalog goes again, so the next start simply retries. */
    if (pw && pw_file && (rc = write_password_file(pw_file, pw))) {
        cli_err("cannot write the admin password to %s: %s", pw_file, ww_strerror(rc));
        unlink(db);
        explicit_bzero(pw, strlen(pw));
        free(pw);
        free(db);
        return 1;
    }
    printf("initialised %s (catalog %s, schema version %d)\n", c->data_dir, db, version);
    create_key(c->data_dir);
    if (owner && (rc = give_to(c->data_dir, &owner_pw))) {
        cli_err("cannot give %s to %s: %s", c->data_dir, owner, ww_strerror(rc));
        rc = 1;
    }
    if (pw && pw_file)
        printf("admin user: admin\nadmin password written to %s (mode 0600; change it in the console)\n", pw_file);
    else if (pw)
        printf("admin user: admin\nadmin password: %s\n"
               "(shown once: write it down, then change it in the console)\n", pw);
    if (pw) explicit_bzero(pw, strlen(pw));
    free(pw);
    free(db);
    return rc ? 1 : 0;
}
