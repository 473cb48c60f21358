/*
 * init.c — `wardwatch init`: create the data folder, the catalog and the
 * recordings folder.  Running it on an existing folder changes nothing.
 */
#include "cli/common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "export/export.h"

static const char init_help[] =
    "usage: wardwatch [--data DIR] init\n\n"
    "Creates DIR (default ./wardwatch-data) with the catalog DIR/wardwatch.db\n"
    "and the recordings folder DIR/rec/, creates the station's signing key\n"
    "DIR/station.key (mode 0600), and prints the first admin's\n"
    "password once.  An existing data folder is left as it is.\n";

int cli_init(struct cli_ctx *c, int argc, char **argv)
{
    int rc = cli_flag_only(argc, argv, "init", NULL, NULL, init_help);
    if (rc >= 0) return rc;

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
    /* The catalog holds camera credentials: only the station's account reads it. */
    mode_t old = umask(077);
    catalog_t *cat = NULL;
    rc = catalog_open(db, CATALOG_CREATE, &cat);
    umask(old);
    if (rc) {
        cli_err("cannot create the catalog %s", db);
        free(db);
        return 1;
    }
    char *pw = NULL;
    rc = cli_init_first_admin(cat, &pw);
    int version = catalog_schema_version(cat);
    catalog_close(cat);
    if (rc) {
        cli_err("cannot create the first admin: %s", ww_strerror(rc));
        unlink(db);
        free(db);
        return 1;
    }
    printf("initialised %s (catalog %s, schema version %d)\n", c->data_dir, db, version);
    /* The station's signing key: every export manifest is signed with it,
     * so it exists from the first day (serve makes one for older folders). */
    struct export_key k;
    mode_t old_mask = umask(077);
    rc = export_key_create(c->data_dir, NULL, &k);
    umask(old_mask);
    if (rc == 0)
        printf("station signing key: %s/%s (station %s, fingerprint %s)\n", c->data_dir, EXPORT_KEY_FILE,
               k.station_id, k.short_fpr);
    else
        cli_err("cannot create the station signing key: %s (serve will try again)", ww_strerror(rc));
    export_key_wipe(&k);
    if (pw) {
        printf("admin user: admin\nadmin password: %s\n"
               "(shown once: write it down, then change it in the console)\n", pw);
        explicit_bzero(pw, strlen(pw));
        free(pw);
    }
    free(db);
    return 0;
}
