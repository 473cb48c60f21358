/*
 * camera_import.c — `wardwatch camera import cameras.csv`: registers many
 * community cameras at once (a ward's survey sheet, exported as UTF-8 CSV).
 *
 * Columns (header row, any order): name, main_url, latitude, longitude
 * (required), sub_url, address, ward, owner_name, owner_phone, owner_kind,
 * direction_deg, retention_days (optional).  An unknown column is an error
 * (a typo must not silently drop data).
 *
 * All or nothing, in two passes: every row is checked first and every
 * problem is reported with its line number; only a clean file is written,
 * in ONE transaction — so a bad row never leaves half a ward imported.
 *
 * Cameras come in switched off, registered as "import" with the probe gate
 * (040 trigger): they start recording once a connection probe succeeds and
 * someone activates them (console, or POST /api/v1/cameras/{id}/probe then
 * …/activate).  Owners are reused when the same name and phone (digits)
 * already exist — in the catalog or earlier in the file — else created, in
 * the camera's ward.  Credentials given inside a URL are moved out into the
 * secret columns as `camera add` does; they are never printed.  Each camera
 * added is an audit row (camera_change, "import") under the OS user's name.
 * One camera device is one camera: a row whose main or sub URL has the
 * host:port/path of a registered camera or of an earlier row is a problem
 * of that line.
 */
#include "cli/common.h"

#include <pwd.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog/cat_audit.h"
#include "catalog/cat_community.h"
#include "catalog/cat_users.h"
#include "community/community.h"

enum col {
    C_NAME, C_MAIN, C_LAT, C_LON, C_SUB, C_ADDRESS, C_WARD, C_OWNER_NAME, C_OWNER_PHONE,
    C_OWNER_KIND, C_DIRECTION, C_RETENTION, C_COUNT
};
static const char *const col_names[C_COUNT] = {
    "name", "main_url", "latitude", "longitude", "sub_url", "address", "ward", "owner_name",
    "owner_phone", "owner_kind", "direction_deg", "retention_days",
};
#define REQUIRED_COLS 4
#define MAX_ERRORS 100

struct row {
    long line;
    struct catalog_camera cam;
    char *owner_name, *owner_phone, *owner_kind;
};

static void row_free(struct row *r)
{
    if (r->cam.password) explicit_bzero(r->cam.password, strlen(r->cam.password));
    catalog_camera_clear(&r->cam);
    free(r->owner_name);
    free(r->owner_phone);
    free(r->owner_kind);
}

static const char import_help[] =
    "usage: wardwatch camera import [--dry-run] FILE.csv\n\n"
    "Registers the cameras listed in a UTF-8 CSV file with a header row.\n"
    "  required columns: name, main_url, latitude, longitude\n"
    "  optional columns: sub_url, address, ward (name or id), owner_name, owner_phone,\n"
    "                    owner_kind (household|shop|school|agency), direction_deg (0..360),\n"
    "                    retention_days (1..3650)\n\n"
    "Every row is checked first; any problem is reported with its line number and\n"
    "nothing is imported.  Cameras come in switched off: each is activated after a\n"
    "successful connection probe (console, or POST /api/v1/cameras/ID/probe).\n"
    "Owners are reused by name and phone, else created.\n\n"
    "  --dry-run   check the file and report, write nothing\n";

static bool has_ctl(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) return true;
    return false;
}

/* UTF-8 characters in s. */
static size_t nchars(const char *s)
{
    size_t n = 0;
    for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static bool phone_ok(const char *p)
{
    if (strlen(p) > 32) return false;
    for (; *p; p++)
        if (!strchr("0123456789 +-.()", *p)) return false;
    return true;
}

static int ward_lookup(catalog_t *cat, struct catalog_ward *wards, size_t nw, const char *s, int64_t *id)
{
    (void)cat;
    for (size_t i = 0; i < nw; i++)
        if (!strcmp(wards[i].name, s)) { *id = wards[i].id; return 0; }
    int64_t v;
    if (ww_parse_i64(s, 1, INT64_MAX, &v) == 0)
        for (size_t i = 0; i < nw; i++)
            if (wards[i].id == v) { *id = v; return 0; }
    return WW_ENOTFOUND;
}

/* Checks one record into r; prints each problem; returns the number found. */
static int check_row(char **f, size_t nf, const int *map, long line, struct catalog_ward *wards,
                     size_t nw, catalog_t *cat, struct row *r)
{
    int bad = 0;
#define ERR(...) do { fprintf(stderr, "line %ld: ", line); fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); bad++; } while (0)
    const char *v[C_COUNT] = {0};
    for (int c = 0; c < C_COUNT; c++) v[c] = map[c] >= 0 && (size_t)map[c] < nf ? f[map[c]] : NULL;
    memset(r, 0, sizeof *r);
    r->line = line;
    r->cam.enabled = false;
    r->cam.retention_days = 30;
    r->cam.direction_deg = -1;
    r->cam.transport = ww_strdup("tcp");

    const char *name = v[C_NAME];
    if (!name || !*name) ERR("the camera has no name");
    else if (nchars(name) > 100 || has_ctl(name)) ERR("the name must be 1-100 characters without control characters");
    else r->cam.name = ww_strdup(name);

    char *clean = NULL, *user = NULL, *pass = NULL;
    const char *why = NULL;
    if (!v[C_MAIN] || !*v[C_MAIN]) ERR("main_url is empty");
    else if (strlen(v[C_MAIN]) > 1024 || cli_parse_camera_url(v[C_MAIN], &clean, &user, &pass, &why))
        ERR("main_url %s", why ? why : "is longer than 1024 characters");
    else {
        r->cam.main_url = clean;
        r->cam.username = user;
        r->cam.password = pass;
    }
    if (v[C_SUB] && *v[C_SUB]) {
        char *sc = NULL, *su = NULL, *sp = NULL;
        why = NULL;
        if (strlen(v[C_SUB]) > 1024 || cli_parse_camera_url(v[C_SUB], &sc, &su, &sp, &why))
            ERR("sub_url %s", why ? why : "is longer than 1024 characters");
        else {
            if ((su || sp) && ((r->cam.username && (!su || strcmp(su, r->cam.username))) ||
                               (r->cam.password && (!sp || strcmp(sp, r->cam.password)))))
                ERR("sub_url carries other credentials than main_url (one camera has one account)");
            if (!r->cam.username && su) { r->cam.username = su; su = NULL; }
            if (!r->cam.password && sp) { r->cam.password = sp; sp = NULL; }
            r->cam.sub_url = sc;
        }
        free(su);
        if (sp) explicit_bzero(sp, strlen(sp));
        free(sp);
    }

    double lat = 0, lon = 0;
    bool lat_ok = v[C_LAT] && *v[C_LAT] && ww_parse_double(v[C_LAT], -90, 90, &lat) == 0;
    bool lon_ok = v[C_LON] && *v[C_LON] && ww_parse_double(v[C_LON], -180, 180, &lon) == 0;
    if (!lat_ok) ERR("latitude '%s' is not a number from -90 to 90", v[C_LAT] ? v[C_LAT] : "");
    if (!lon_ok) ERR("longitude '%s' is not a number from -180 to 180", v[C_LON] ? v[C_LON] : "");
    if (lat_ok && lon_ok) {
        r->cam.has_pos = true;
        r->cam.latitude = lat;
        r->cam.longitude = lon;
    }
    if (v[C_DIRECTION] && *v[C_DIRECTION]) {
        if (ww_parse_double(v[C_DIRECTION], 0, 360, &r->cam.direction_deg))
            ERR("direction_deg '%s' is not a number from 0 to 360", v[C_DIRECTION]);
    }
    if (v[C_RETENTION] && *v[C_RETENTION]) {
        int64_t d;
        if (ww_parse_i64(v[C_RETENTION], 1, 3650, &d)) ERR("retention_days '%s' is not a whole number from 1 to 3650", v[C_RETENTION]);
        else r->cam.retention_days = (int)d;
    }
    if (v[C_ADDRESS] && *v[C_ADDRESS]) {
        if (nchars(v[C_ADDRESS]) > 300 || has_ctl(v[C_ADDRESS])) ERR("the address must be at most 300 characters without control characters");
        else r->cam.address = ww_strdup(v[C_ADDRESS]);
    }
    if (v[C_WARD] && *v[C_WARD]) {
        if (ward_lookup(cat, wards, nw, v[C_WARD], &r->cam.ward_id))
            ERR("unknown ward '%s' (create it first, or fix the name)", v[C_WARD]);
    }
    const char *on = v[C_OWNER_NAME], *op = v[C_OWNER_PHONE], *ok = v[C_OWNER_KIND];
    if (on && *on) {
        if (nchars(on) > 200 || has_ctl(on)) ERR("owner_name must be at most 200 characters without control characters");
        else r->owner_name = ww_strdup(on);
        if (op && *op) {
            if (!phone_ok(op)) ERR("owner_phone '%s' may hold only digits, spaces and +-.() (at most 32)", op);
            else r->owner_phone = ww_strdup(op);
        }
        const char *kind = ok && *ok ? ok : "household";
        if (!catalog_owner_kind_valid(kind)) ERR("owner_kind '%s' is not one of household, shop, school, agency", kind);
        else r->owner_kind = ww_strdup(kind);
    } else if ((op && *op) || (ok && *ok)) {
        ERR("owner_phone/owner_kind without owner_name");
    }
#undef ERR
    return bad;
}

/* Is any URL of a (main, sub) the same device (host:port/path) as any of b? */
static bool same_device(const struct catalog_camera *a, const struct catalog_camera *b)
{
    const char *ua[2] = {a->main_url, a->sub_url}, *ub[2] = {b->main_url, b->sub_url};
    bool same = false;
    for (int i = 0; i < 2 && !same; i++) {
        char *ka;
        if (!ua[i] || ww_rtsp_device_key(ua[i], &ka)) continue;
        for (int k = 0; k < 2 && !same; k++) {
            char *kb;
            if (!ub[k] || ww_rtsp_device_key(ub[k], &kb)) continue;
            same = !strcmp(ka, kb);
            free(kb);
        }
        free(ka);
    }
    return same;
}

/* One camera device is one camera (issue 11 item 2): r's address must be
 * neither a registered camera's nor an earlier row's.  Prints each problem;
 * returns how many. */
static int twin_problems(catalog_t *cat, const struct row *rows, size_t n, const struct row *r)
{
    int64_t twin = 0;
    int bad = 0;
    if (catalog_camera_device_owner(cat, r->cam.main_url, r->cam.sub_url, 0, &twin) == 0 && twin) {
        fprintf(stderr, "line %ld: camera %lld already has this address (host:port/path): one camera"
                        " device is one camera\n", r->line, (long long)twin);
        bad++;
    }
    for (size_t i = 0; i < n; i++)
        if (same_device(&rows[i].cam, &r->cam)) {
            fprintf(stderr, "line %ld: the same address (host:port/path) as line %ld: one camera"
                            " device is one camera\n", r->line, rows[i].line);
            bad++;
            break;
        }
    return bad;
}

static char *os_user(void)
{
    struct passwd *pw = getpwuid(getuid());
    return ww_asprintf("cli:%s", pw && pw->pw_name ? pw->pw_name : "unknown");
}

/* Writes every row in one transaction.  0 or a code (rolled back). */
static int write_all(catalog_t *cat, struct row *rows, size_t n, const char *who, int *owners_new,
                     int *owners_reused)
{
    int rc = catalog_begin(cat);
    if (rc) return rc;
    for (size_t i = 0; i < n && !rc; i++) {
        struct row *r = &rows[i];
        if ((rc = catalog_camera_add(cat, &r->cam))) {
            cli_err("line %ld: cannot add the camera: %s", r->line, ww_strerror(rc));
            break;
        }
        int64_t owner = 0;
        if (r->owner_name) {
            rc = catalog_owner_find_contact(cat, r->owner_name, r->owner_phone, &owner);
            if (rc == 0) {
                (*owners_reused)++;
            } else if (rc == WW_ENOTFOUND) {
                struct catalog_owner o = {.kind = r->owner_kind, .name = r->owner_name,
                                      .phone = r->owner_phone, .ward_id = r->cam.ward_id};
                if ((rc = catalog_owner_add(cat, &o)) == 0) {
                    owner = o.id;
                    (*owners_new)++;
                }
            }
            if (!rc) rc = catalog_camera_owner_set(cat, r->cam.id, owner);
            if (rc) { cli_err("line %ld: cannot record the owner: %s", r->line, ww_strerror(rc)); break; }
        }
        if ((rc = catalog_registration_set(cat, r->cam.id, "import", true, who))) break;
        char *detail = ww_asprintf("{\"change\":\"import\",\"line\":%ld}", r->line);
        struct catalog_audit a = {.username = (char *)who, .action = CATALOG_AUDIT_CAMERA_CHANGE,
                              .camera_id = r->cam.id, .detail = detail};
        rc = catalog_audit_append(cat, &a);
        free(detail);
    }
    return cli_end_txn(cat, rc);
}

int cli_camera_import(struct cli_ctx *c, int argc, char **argv)
{
    bool dry = false;
    const struct cli_opt opts[] = {{CLI_FLAG("dry-run", &dry)}, {.name = NULL}};
    int rc = cli_opts(argc, argv, "camera import", opts, import_help, 1);
    if (rc >= 0) return rc;
    if (optind >= argc) return cli_usage("camera import: give the CSV file");
    const char *path = argv[optind];
    FILE *f = fopen(path, "rb");
    if (!f) { cli_err("camera import: cannot open %s", path); return 1; }
    catalog_t *cat;
    rc = cli_open(c, &cat);
    if (rc) { fclose(f); return rc; }

    struct catalog_ward *wards = NULL;
    size_t nw = 0;
    struct community_csv *csv = NULL;
    struct row *rows = NULL;
    size_t nrows = 0, caprows = 0;
    int problems = 0, exit_code = 1;
    char **fld;
    size_t nf;
    long line;
    const char *why;
    int map[C_COUNT];
    size_t ncols = 0;
    for (int i = 0; i < C_COUNT; i++) map[i] = -1;

    if (catalog_ward_list(cat, &wards, &nw)) { cli_err("camera import: cannot read the wards"); goto out; }
    community_csv_open(f, &csv);
    rc = community_csv_next(csv, &fld, &nf, &line, &why);
    if (rc == WW_EOF) { cli_err("camera import: %s is empty (it needs a header row)", path); goto out; }
    if (rc) { fprintf(stderr, "line %ld: %s\n", line, why); problems++; goto report; }
    ncols = nf;
    for (size_t i = 0; i < nf; i++) {
        char *h = fld[i];
        while (*h == ' ') h++;
        size_t hl = strlen(h);
        while (hl && h[hl - 1] == ' ') h[--hl] = 0;
        int k = -1;
        for (int ci = 0; ci < C_COUNT; ci++)
            if (!strcasecmp(h, col_names[ci])) k = ci;
        if (k < 0) {
            fprintf(stderr, "line %ld: unknown column '%s' (known: name, main_url, latitude, longitude, sub_url,"
                            " address, ward, owner_name, owner_phone, owner_kind, direction_deg, retention_days)\n",
                    line, h);
            problems++;
        } else if (map[k] >= 0) {
            fprintf(stderr, "line %ld: column '%s' appears twice\n", line, col_names[k]);
            problems++;
        } else {
            map[k] = (int)i;
        }
    }
    for (int k = 0; k < REQUIRED_COLS; k++)
        if (map[k] < 0) { fprintf(stderr, "line %ld: the required column '%s' is missing\n", line, col_names[k]); problems++; }
    if (problems) goto report;

    while ((rc = community_csv_next(csv, &fld, &nf, &line, &why)) == 0) {
        if (problems >= MAX_ERRORS) break;
        if (nf != ncols) {
            fprintf(stderr, "line %ld: %zu field%s, but the header has %zu columns\n", line, nf,
                    nf == 1 ? "" : "s", ncols);
            problems++;
            continue;
        }
        if (nrows == caprows) {
            caprows = caprows ? caprows * 2 : 64;
            rows = ww_realloc(rows, caprows * sizeof *rows);
        }
        int bad = check_row(fld, nf, map, line, wards, nw, cat, &rows[nrows]);
        if (!bad) bad = twin_problems(cat, rows, nrows, &rows[nrows]);
        if (bad) { problems += bad; row_free(&rows[nrows]); }
        else nrows++;
    }
    if (rc != WW_EOF && rc != 0) { fprintf(stderr, "line %ld: %s\n", line, why); problems++; }

report:
    if (problems) {
        cli_err("camera import: %d problem%s in %s; nothing was imported", problems,
                problems == 1 ? "" : "s", path);
        goto out;
    }
    if (nrows == 0) { cli_err("camera import: %s has a header but no cameras", path); goto out; }
    if (dry) {
        printf("%zu cameras checked; nothing was written (--dry-run)\n", nrows);
        exit_code = 0;
        goto out;
    }
    char *who = os_user();
    int owners_new = 0, owners_reused = 0;
    rc = write_all(cat, rows, nrows, who, &owners_new, &owners_reused);
    free(who);
    if (rc) {
        cli_err("camera import: the import failed (%s); nothing was imported", ww_strerror(rc));
        goto out;
    }
    printf("imported %zu camera%s (ids %lld-%lld); owners: %d new, %d reused\n", nrows,
           nrows == 1 ? "" : "s", (long long)rows[0].cam.id, (long long)rows[nrows - 1].cam.id,
           owners_new, owners_reused);
    printf("the cameras are switched off until a connection probe succeeds and they are activated\n");
    exit_code = 0;
out:
    for (size_t i = 0; i < nrows; i++) row_free(&rows[i]);
    free(rows);
    community_csv_close(csv);
    catalog_ward_list_free(wards, nw);
    catalog_close(cat);
    fclose(f);
    return exit_code;
}
