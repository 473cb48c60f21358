/*
 * backup.c — `wardwatch backup OUTDIR` and `wardwatch restore BACKUPDIR`.
 *
 * A backup folder holds what a station cannot rebuild from its video:
 *   wardwatch.db   an online copy of the catalog (catalog/backup.c: one
 *                  consistent snapshot, taken while serve may be writing);
 *   station.key    the signing key (mode 0600): without it a restored
 *                  station could not sign exports as itself;
 *   config/NAME    the configuration file, when --config-file names one;
 *   backup.json    what this is: time, schema, station, row counts;
 *   SHA256SUMS     every file above, in `sha256sum -c` format, written last
 *                  (a folder without it is an unfinished backup).
 * The recordings are NOT in it, nor the other files the catalog's rows name
 * (exports/, bundles/, evidence/, map.mbtiles): they are large, append-only
 * and best copied by rsync; backup.json lists those the folder had, and
 * restore says so and tells the operator what to run next.
 *
 * Invariants: backup writes only into an empty or new OUTDIR, and removes
 * what it wrote when it fails, so the folder can be used again; restore
 * checks every SHA-256 before it writes anything, never writes into a data
 * folder that already has a catalog or a key, and puts the catalog in place
 * last (its presence is what makes a folder "initialised").
 */
#include "cli/common.h"
#include "cli/config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog/cat_backup.h"
#include "export/export.h"

#define BACKUP_KIND "wardwatch backup"
#define BACKUP_DB "wardwatch.db"
#define BACKUP_JSON "backup.json"
#define BACKUP_SUMS "SHA256SUMS"
#define BACKUP_CONFIG_DIR "config"

/* SHA256SUMS and backup.json are a few lines; anything bigger is not ours. */
enum {
    SUMS_MAX = 64 * 1024,
    BACKUP_JSON_MAX = 64 * 1024,
    BACKUP_FILES_MAX = 16,
    COPY_CHUNK = 64 * 1024
};

/* ---- files ------------------------------------------------------------------ */

/* Writes all of p to fd; 0 or -errno. */
static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return -errno;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Copies src to a new file dst (never replaces one) with mode, fsynced.
 * 0 or -errno; a partial dst is removed. */
static int copy_file(const char *src, const char *dst, mode_t mode)
{
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0) return -errno;
    int out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (out < 0) {
        int e = -errno;
        close(in);
        return e;
    }
    char *buf = ww_malloc(COPY_CHUNK);
    int rc = 0;
    for (;;) {
        ssize_t n = read(in, buf, COPY_CHUNK);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            rc = -errno;
            break;
        }
        if (n == 0) break;
        if ((rc = write_all(out, buf, (size_t)n))) break;
    }
    free(buf);
    /* the umask may have narrowed mode; a key must be exactly 0600 */
    if (!rc && fchmod(out, mode) != 0) rc = -errno;
    if (!rc && fsync(out) != 0) rc = -errno;
    close(in);
    if (close(out) != 0 && !rc) rc = -errno;
    if (rc) unlink(dst);
    return rc;
}

static int write_new_file(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) return -errno;
    int rc = write_all(fd, text, strlen(text));
    if (!rc && fsync(fd) != 0) rc = -errno;
    if (close(fd) != 0 && !rc) rc = -errno;
    if (rc) unlink(path);
    return rc;
}

/* 1 when path is a folder with no entries, 0 when it holds some, -errno. */
static int dir_is_empty(const char *path)
{
    DIR *d = opendir(path);
    if (!d) return -errno;
    int empty = 1;
    struct dirent *e;
    while (empty && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) empty = 0;
    closedir(d);
    return empty;
}

static bool exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* What a data folder may hold besides the catalog and the key, none of it
 * in a backup: the recordings, export clips, evidence bundles, criteria
 * evidence files and the offline map.  The catalog's rows name files in
 * these, so the operator copies them over (rsync) before serve starts. */
static const char *const not_included[] = {"rec/", "exports/", "bundles/", "evidence/",
                                           "map.mbtiles"};

/* Those of not_included that the data folder has, as a JSON array. */
static json_t *present_not_included(const char *data_dir)
{
    json_t *a = json_array();
    for (size_t i = 0; i < sizeof not_included / sizeof not_included[0]; i++) {
        char *p = ww_asprintf("%s/%s", data_dir, not_included[i]);
        size_t n = strlen(p);
        if (p[n - 1] == '/') p[n - 1] = 0;
        if (access(p, F_OK) == 0) json_array_append_new(a, json_string(not_included[i]));
        free(p);
    }
    return a;
}

/* The names of a JSON array of strings joined by spaces (heap). */
static char *join_names(const json_t *a)
{
    struct ww_buf b = {0};
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) ww_buf_printf(&b, "%s%s", i ? " " : "", json_string_value(v));
    ww_buf_append(&b, "", 1);
    return (char *)b.data;
}

/* ---- backup ----------------------------------------------------------------- */

/* What one backup run has written, so that a failure can take it back. */
struct backup_run {
    const char *out;
    bool made_out, made_config_dir, sealed;
    char *files[BACKUP_FILES_MAX]; /* paths relative to out */
    char sums[BACKUP_FILES_MAX][WW_SHA256_HEX];
    size_t n;
};

static char *run_path(const struct backup_run *b, const char *rel)
{
    return ww_asprintf("%s/%s", b->out, rel);
}

/* Records rel as written, with its SHA-256 for SHA256SUMS. */
static int run_wrote(struct backup_run *b, const char *rel)
{
    assert(b->n < BACKUP_FILES_MAX);
    char *p = run_path(b, rel);
    int rc = ww_sha256_file(p, b->sums[b->n]);
    free(p);
    b->files[b->n++] = ww_strdup(rel);
    return rc;
}

static void run_undo(struct backup_run *b)
{
    for (size_t i = 0; i < b->n; i++) {
        char *p = run_path(b, b->files[i]);
        unlink(p);
        free(p);
    }
    if (b->sealed) {
        char *sums = run_path(b, BACKUP_SUMS);
        unlink(sums);
        free(sums);
    }
    if (b->made_config_dir) {
        char *p = run_path(b, BACKUP_CONFIG_DIR);
        rmdir(p);
        free(p);
    }
    if (b->made_out) rmdir(b->out);
}

static void run_free(struct backup_run *b)
{
    for (size_t i = 0; i < b->n; i++)
        free(b->files[i]);
}

/* OUTDIR must be new or empty: a backup never mixes with other files, and
 * never overwrites an older backup. */
static int prepare_outdir(struct backup_run *b)
{
    struct stat st;
    if (stat(b->out, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) {
            cli_err("backup: '%s' is not a folder", b->out);
            return 1;
        }
        int empty = dir_is_empty(b->out);
        if (empty <= 0) {
            cli_err("backup: '%s' is not empty (%s): give a new or empty folder", b->out,
                    empty < 0 ? ww_strerror(empty) : "a backup never mixes with other files");
            return 1;
        }
        return 0;
    }
    int rc = ww_mkdirs(b->out, 0700);
    if (rc) {
        cli_err("backup: cannot create '%s': %s", b->out, ww_strerror(rc));
        return 1;
    }
    b->made_out = true;
    return 0;
}

/* DATA/station.key, when the folder has one (serve makes it for old ones). */
static int backup_key(const struct cli_ctx *c, struct backup_run *b, char station_id[40])
{
    struct export_key k;
    int rc = export_key_load(c->data_dir, &k);
    if (rc == WW_ENOTFOUND) return 0;
    if (rc) {
        cli_err("backup: cannot read the signing key in %s: %s", c->data_dir, ww_strerror(rc));
        return 1;
    }
    snprintf(station_id, 40, "%s", k.station_id);
    export_key_wipe(&k);
    char *src = export_key_path(c->data_dir), *dst = run_path(b, EXPORT_KEY_FILE);
    rc = copy_file(src, dst, 0600);
    free(src);
    free(dst);
    if (!rc) rc = run_wrote(b, EXPORT_KEY_FILE);
    if (rc) {
        cli_err("backup: cannot copy the signing key: %s", ww_strerror(rc));
        return 1;
    }
    return 0;
}

/* The configuration file as config/NAME (mode 0600: it may hold secrets). */
static int backup_config(struct backup_run *b, const char *config, char **rel)
{
    char *copy = ww_strdup(config);
    *rel = ww_asprintf("%s/%s", BACKUP_CONFIG_DIR, basename(copy));
    free(copy);
    char *dir = run_path(b, BACKUP_CONFIG_DIR), *dst = run_path(b, *rel);
    int rc = mkdir(dir, 0700) == 0 ? 0 : -errno;
    if (!rc) b->made_config_dir = true;
    if (!rc) rc = copy_file(config, dst, 0600);
    if (!rc) rc = run_wrote(b, *rel);
    free(dir);
    free(dst);
    if (rc) {
        cli_err("backup: cannot copy the configuration file '%s': %s", config, ww_strerror(rc));
        return 1;
    }
    return 0;
}

static int backup_describe(const struct cli_ctx *c, struct backup_run *b,
                           const struct catalog_backup_info *info, const char *station_id,
                           const char *config_rel, const char *config_src)
{
    char when[64];
    int64_t now = ww_wall_us();
    ww_fmt_time(now, ww_station_offset_min(), when, sizeof when);
    char *data_abs = realpath(c->data_dir, NULL);
    json_t *files = json_array();
    for (size_t i = 0; i < b->n; i++)
        json_array_append_new(files, json_string(b->files[i]));
    json_t *j =
        json_pack("{s:s,s:i,s:s,s:I,s:s,s:i,s:s?,s:s?,s:{s:I,s:I,s:I,s:I},s:o,s:o}", "kind",
                  BACKUP_KIND, "format", 1, "created", when, "created_us", (json_int_t)now,
                  "wardwatch_version", WW_VERSION, "schema_version", info->schema_version,
                  "station_id", station_id[0] ? station_id : NULL, "data_dir", data_abs, "counts",
                  "cameras", (json_int_t)info->cameras, "segments", (json_int_t)info->segments,
                  "users", (json_int_t)info->users, "audit", (json_int_t)info->audit_rows, "files",
                  files, "not_included", present_not_included(c->data_dir));
    free(data_abs);
    if (config_rel) {
        char *abs = realpath(config_src, NULL);
        json_object_set_new(
            j, "config",
            json_pack("{s:s,s:s}", "file", config_rel, "source", abs ? abs : config_src));
        free(abs);
    }
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(j);
    char *path = run_path(b, BACKUP_JSON);
    char *line = ww_asprintf("%s\n", text);
    int rc = write_new_file(path, line, 0644);
    free(line);
    free(text);
    free(path);
    if (!rc) rc = run_wrote(b, BACKUP_JSON);
    if (rc) cli_err("backup: cannot write %s: %s", BACKUP_JSON, ww_strerror(rc));
    return rc ? 1 : 0;
}

/* SHA256SUMS, last: "HEX  NAME" per file, what `sha256sum -c` reads. */
static int backup_seal(struct backup_run *b)
{
    struct ww_buf s = {0};
    for (size_t i = 0; i < b->n; i++)
        ww_buf_printf(&s, "%s  %s\n", b->sums[i], b->files[i]);
    ww_buf_append(&s, "", 1);
    char *path = run_path(b, BACKUP_SUMS);
    int rc = write_new_file(path, (const char *)s.data, 0644);
    b->sealed = rc == 0;
    if (!rc) rc = ww_fsync_dir_of(path);
    if (!rc && b->made_config_dir) {
        char *cfg = ww_asprintf("%s/%s/x", b->out, BACKUP_CONFIG_DIR);
        rc = ww_fsync_dir_of(cfg);
        free(cfg);
    }
    free(path);
    ww_buf_free(&s);
    if (rc) cli_err("backup: cannot write %s: %s", BACKUP_SUMS, ww_strerror(rc));
    return rc ? 1 : 0;
}

static const char backup_help[] =
    "usage: wardwatch [--data DIR] backup OUTDIR [--config-file FILE]\n\n"
    "Writes a backup of the data folder into OUTDIR (a new or empty folder):\n"
    "  wardwatch.db   a consistent copy of the catalog, taken online (serve may keep\n"
    "                 recording meanwhile);\n"
    "  station.key    the station's signing key (mode 0600, keep the backup safe);\n"
    "  config/FILE    the configuration file: --config-file, else the one serve reads\n"
    "                 (the global --config FILE or $WARDWATCH_CONFIG);\n"
    "  backup.json    time, schema version, station id, counts, wardwatch version;\n"
    "  SHA256SUMS     every file above ('cd OUTDIR && sha256sum -c SHA256SUMS').\n"
    "The recordings (DIR/rec/) are NOT included, nor DIR/exports/, bundles/, evidence/\n"
    "and map.mbtiles: copy them separately, e.g. 'rsync -a DIR/rec/ BACKUP-DISK/rec/'.\n"
    "Put it back with 'wardwatch restore OUTDIR'.\n";

int cli_backup(struct cli_ctx *c, int argc, char **argv)
{
    const char *config = NULL;
    const struct cli_opt opts[] = {{CLI_STR("config-file", &config)}, {.name = NULL}};
    int rc = cli_opts(argc, argv, "backup", opts, backup_help, 1);
    if (rc >= 0) return rc;
    if (optind >= argc)
        return cli_usage("backup: give the folder to write the backup into (see --help)");
    if (!config) config = cli_ini_path(c->ini); /* the station's own file, when it has one */
    if (config && access(config, R_OK) != 0) {
        cli_err("backup: cannot read the configuration file '%s': %s", config, strerror(errno));
        return 1;
    }
    catalog_t *cat = NULL;
    if ((rc = cli_open(c, &cat))) return rc;
    struct backup_run b = {.out = argv[optind]};
    char station_id[40] = "", *config_rel = NULL;
    struct catalog_backup_info info;
    if ((rc = prepare_outdir(&b))) {
        catalog_close(cat);
        return rc; /* nothing of ours to take back: the folder is someone else's */
    }
    char *db = run_path(&b, BACKUP_DB);
    int brc = catalog_backup_to(cat, db, &info);
    free(db);
    if (!brc) brc = run_wrote(&b, BACKUP_DB);
    if (brc) {
        cli_err("backup: cannot copy the catalog: %s", ww_strerror(brc));
        rc = 1;
        goto out;
    }
    if ((rc = backup_key(c, &b, station_id))) goto out;
    if (config && (rc = backup_config(&b, config, &config_rel))) goto out;
    if ((rc = backup_describe(c, &b, &info, station_id, config_rel, config))) goto out;
    if ((rc = backup_seal(&b))) goto out;
    json_t *left = present_not_included(c->data_dir);
    char *names = join_names(left);
    json_decref(left);
    printf("backup of %s written to %s\n"
           "  catalog: schema %03d, %lld cameras, %lld segments, %lld users, %lld audit rows\n"
           "  signing key: %s\n  configuration: %s\n"
           "  NOT included (the recordings and other files: copy them yourself, rsync -a): %s\n",
           c->data_dir, b.out, info.schema_version, (long long)info.cameras,
           (long long)info.segments, (long long)info.users, (long long)info.audit_rows,
           station_id[0] ? station_id : "none in this data folder",
           config_rel ? config_rel : "not given", names[0] ? names : "(none here yet)");
    free(names);
out:
    if (rc) run_undo(&b);
    run_free(&b);
    free(config_rel);
    catalog_close(cat);
    return rc;
}

/* ---- restore ---------------------------------------------------------------- */

struct sums {
    char *name[BACKUP_FILES_MAX];
    char hex[BACKUP_FILES_MAX][WW_SHA256_HEX];
    size_t n;
};

static void sums_free(struct sums *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->name[i]);
}

/* A name in SHA256SUMS: one we could have written — "NAME" or
 * "config/NAME", no other folder, nothing hidden, nothing that climbs out. */
static bool sums_name_ok(const char *n)
{
    if (!*n || *n == '/' || *n == '.' || strstr(n, "..") || strchr(n, '\\')) return false;
    const char *slash = strchr(n, '/');
    if (!slash) return true;
    return (size_t)(slash - n) == strlen(BACKUP_CONFIG_DIR) &&
           !strncmp(n, BACKUP_CONFIG_DIR, (size_t)(slash - n)) && slash[1] && slash[1] != '.' &&
           !strchr(slash + 1, '/');
}

static int sums_parse(const char *text, struct sums *s, int *line_no)
{
    *line_no = 0;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        ++*line_no;
        if (len < 67 || s->n >= BACKUP_FILES_MAX || p[64] != ' ' || p[65] != ' ') return WW_EINVAL;
        for (int i = 0; i < 64; i++)
            if (!strchr("0123456789abcdef", p[i])) return WW_EINVAL;
        char *name = ww_asprintf("%.*s", (int)(len - 66), p + 66);
        if (!sums_name_ok(name)) {
            free(name);
            return WW_EINVAL;
        }
        memcpy(s->hex[s->n], p, 64);
        s->hex[s->n][64] = 0;
        s->name[s->n++] = name;
        p += len + (nl ? 1 : 0);
    }
    return s->n ? 0 : WW_EINVAL;
}

static bool sums_has(const struct sums *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->name[i], name)) return true;
    return false;
}

/* Every file SHA256SUMS names must hash to its line; the catalog and
 * backup.json must be among them.  Prints the one line and returns 1. */
static int restore_verify(const char *dir, struct sums *s)
{
    char *path = ww_asprintf("%s/%s", dir, BACKUP_SUMS), *text = NULL;
    int rc = ww_read_file(path, SUMS_MAX, &text, NULL), line = 0;
    free(path);
    if (rc) {
        cli_err("restore: '%s' is not a wardwatch backup: cannot read %s (%s)", dir, BACKUP_SUMS,
                ww_strerror(rc));
        return 1;
    }
    rc = sums_parse(text, s, &line);
    free(text);
    if (rc) {
        cli_err("restore: %s/%s line %d is not 'SHA256  NAME' of a backup file: nothing restored",
                dir, BACKUP_SUMS, line);
        return 1;
    }
    if (!sums_has(s, BACKUP_DB) || !sums_has(s, BACKUP_JSON)) {
        cli_err("restore: %s/%s does not list %s and %s: not a wardwatch backup", dir, BACKUP_SUMS,
                BACKUP_DB, BACKUP_JSON);
        return 1;
    }
    for (size_t i = 0; i < s->n; i++) {
        char got[WW_SHA256_HEX];
        char *p = ww_asprintf("%s/%s", dir, s->name[i]);
        int hrc = ww_sha256_file(p, got);
        free(p);
        if (hrc || strcmp(got, s->hex[i])) {
            cli_err("restore: %s/%s %s: the backup was changed or damaged since it was made; "
                    "nothing restored",
                    dir, s->name[i],
                    hrc ? "cannot be read" : "does not match its SHA-256 in SHA256SUMS");
            return 1;
        }
    }
    return 0;
}

/* backup.json, already checked against SHA256SUMS: it must say what it is;
 * *left gets its not_included names joined ("rec/" for a backup without
 * the list), heap. */
static int restore_meta(const char *dir, char **left)
{
    char *path = ww_asprintf("%s/%s", dir, BACKUP_JSON), *text = NULL;
    int rc = ww_read_file(path, BACKUP_JSON_MAX, &text, NULL);
    free(path);
    json_t *j = rc ? NULL : json_loads(text, 0, NULL);
    free(text);
    const char *kind = json_string_value(json_object_get(j, "kind"));
    if (!kind || strcmp(kind, BACKUP_KIND)) {
        cli_err("restore: %s/%s does not say \"kind\": \"%s\": not a wardwatch backup", dir,
                BACKUP_JSON, BACKUP_KIND);
        json_decref(j);
        return 1;
    }
    const json_t *a = json_object_get(j, "not_included");
    *left = json_array_size(a) ? join_names(a) : ww_strdup("rec/");
    json_decref(j);
    return 0;
}

/* The data folder must hold neither a catalog nor a key: restore makes a
 * station anew, it never merges into one. */
static int restore_target_ok(const struct cli_ctx *c)
{
    char *db = cli_db_path(c), *key = export_key_path(c->data_dir);
    const char *what = exists(db)    ? "a catalog (wardwatch.db)"
                       : exists(key) ? "a signing key (station.key)"
                                     : NULL;
    free(db);
    free(key);
    if (!what) return 0;
    cli_err("restore: %s already holds %s: restore only into a new or empty data folder",
            c->data_dir, what);
    return 1;
}

/* What restore has put into the data folder, to take back on failure. */
struct restore_run {
    char *written[4];
    size_t n;
};

static void restore_undo(struct restore_run *r, bool failed)
{
    for (size_t i = 0; i < r->n; i++) {
        if (failed) unlink(r->written[i]);
        free(r->written[i]);
    }
}

/* The catalog: copied under a temporary name, opened once (which applies
 * the migrations an older backup lacks and refuses a newer one), then
 * renamed into place — the last step of a restore. */
static int restore_catalog(const struct cli_ctx *c, const char *dir,
                           struct catalog_backup_info *info, char **tmp)
{
    char *src = ww_asprintf("%s/%s", dir, BACKUP_DB);
    *tmp = ww_asprintf("%s/%s.restoring", c->data_dir, BACKUP_DB);
    int rc = copy_file(src, *tmp, 0600);
    free(src);
    if (rc) {
        cli_err("restore: cannot copy the catalog into %s: %s", c->data_dir, ww_strerror(rc));
        return 1;
    }
    catalog_t *cat = NULL;
    rc = catalog_open(*tmp, 0, &cat);
    if (rc == WW_ENEWER) return cli_refuse_newer(*tmp);
    if (!rc) rc = catalog_backup_info(cat, info);
    catalog_close(cat);
    if (rc) {
        cli_err("restore: the catalog in %s does not open: %s", dir, ww_strerror(rc));
        return 1;
    }
    return 0;
}

/* Copies DIR/NAME to dst (mode 0600) and notes it as written; takes dst. */
static int restore_copy(const char *dir, const char *name, char *dst, struct restore_run *r)
{
    char *src = ww_asprintf("%s/%s", dir, name);
    int rc = copy_file(src, dst, 0600);
    free(src);
    if (rc) {
        cli_err("restore: cannot write %s: %s", dst, ww_strerror(rc));
        free(dst);
        return 1;
    }
    r->written[r->n++] = dst;
    return 0;
}

static int restore_key(const struct cli_ctx *c, const char *dir, const struct sums *s,
                       struct restore_run *r)
{
    if (!sums_has(s, EXPORT_KEY_FILE)) return 0;
    return restore_copy(dir, EXPORT_KEY_FILE, export_key_path(c->data_dir), r);
}

/* The configuration goes beside the catalog as NAME.restored: restore
 * cannot know where this machine keeps it, and must not overwrite one. */
static int restore_config(const struct cli_ctx *c, const char *dir, const struct sums *s,
                          struct restore_run *r, char **where)
{
    *where = NULL;
    for (size_t i = 0; i < s->n; i++) {
        if (strncmp(s->name[i], BACKUP_CONFIG_DIR "/", strlen(BACKUP_CONFIG_DIR) + 1)) continue;
        char *dst =
            ww_asprintf("%s/%s.restored", c->data_dir, s->name[i] + strlen(BACKUP_CONFIG_DIR) + 1);
        if (restore_copy(dir, s->name[i], dst, r)) return 1;
        *where = dst;
        return 0;
    }
    return 0;
}

static void restore_next_steps(const struct cli_ctx *c, const char *dir,
                               const struct catalog_backup_info *info, const char *config,
                               const char *left)
{
    printf("restored %s into %s: catalog schema %03d, %lld cameras, %lld segments, %lld users\n",
           dir, c->data_dir, info->schema_version, (long long)info->cameras,
           (long long)info->segments, (long long)info->users);
    if (config)
        printf("configuration written to %s (move it to where you keep the configuration)\n",
               config);
    printf(
        "next steps:\n"
        "  1. copy or mount into %s what the backup does not hold (no video is in it): %s\n"
        "     e.g. rsync -a OLD-DATA/rec/ %s/rec/\n"
        "  2. start 'wardwatch --data %s serve': on start it reconciles the recordings with the\n"
        "     catalog (rows whose files are gone are dropped, video recorded after the backup is "
        "indexed)\n"
        "  3. run 'wardwatch --data %s check' and 'wardwatch --data %s audit verify'\n",
        c->data_dir, left, c->data_dir, c->data_dir, c->data_dir, c->data_dir);
}

static const char restore_help[] =
    "usage: wardwatch [--data DIR] restore BACKUPDIR\n\n"
    "Puts a backup made by 'wardwatch backup' into DIR, which must be new or hold\n"
    "neither a catalog nor a signing key.  Every file is checked against\n"
    "BACKUPDIR/SHA256SUMS first: one changed byte and nothing is written.  Writes\n"
    "DIR/wardwatch.db (an older backup's schema is brought up to date), DIR/station.key\n"
    "and, when the backup has one, the configuration file as DIR/NAME.restored.\n"
    "The recordings are not in a backup: copy them to DIR/rec/, then start serve\n"
    "(it reconciles them with the catalog) and run 'wardwatch check'.\n";

int cli_restore(struct cli_ctx *c, int argc, char **argv)
{
    int rc =
        cli_opts(argc, argv, "restore", (const struct cli_opt[]){{.name = NULL}}, restore_help, 1);
    if (rc >= 0) return rc;
    if (optind >= argc) return cli_usage("restore: give the backup folder (see --help)");
    const char *dir = argv[optind];
    struct sums s = {0};
    struct restore_run r = {0};
    struct catalog_backup_info info;
    char *tmp = NULL, *db = cli_db_path(c), *config = NULL, *left = NULL;
    if ((rc = restore_target_ok(c)) || (rc = restore_verify(dir, &s)) ||
        (rc = restore_meta(dir, &left)))
        goto out;
    char *rec = ww_asprintf("%s/rec", c->data_dir);
    int mrc = ww_mkdirs(c->data_dir, 0750);
    if (!mrc) mrc = ww_mkdirs(rec, 0750);
    free(rec);
    if (mrc) {
        cli_err("restore: cannot create %s: %s", c->data_dir, ww_strerror(mrc));
        rc = 1;
        goto out;
    }
    if ((rc = restore_catalog(c, dir, &info, &tmp)) || (rc = restore_key(c, dir, &s, &r)) ||
        (rc = restore_config(c, dir, &s, &r, &config)))
        goto out;
    if (rename(tmp, db) != 0 || ww_fsync_dir_of(db) != 0) {
        cli_err("restore: cannot put the catalog in place as %s: %s", db, strerror(errno));
        rc = 1;
        goto out;
    }
    restore_next_steps(c, dir, &info, config, left);
out:
    if (rc && tmp) unlink(tmp);
    restore_undo(&r, rc != 0);
    sums_free(&s);
    free(left);
    free(tmp);
    free(db);
    return rc;
}
