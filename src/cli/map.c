/*
 * map.c — `wardwatch map tiles FILE.mbtiles | streets FILE.csv [--replace] |
 * show [--json]`: what the console's offline map is made of (issue 17
 * item 8; catalog/cat_map.h).
 *
 *   tiles    checks FILE is an MBTiles file of raster tiles and installs it
 *            as DATA/map.mbtiles (copied, fsynced, renamed into place — a
 *            running station serves it from its next request);
 *   streets  imports a street list, a CSV with a header line naming the
 *            columns name, latitude, longitude and optionally ward (a ward's
 *            name or id).  All or nothing: any bad line is reported with its
 *            number and nothing is imported; a street already there (same
 *            name and position) is skipped and counted.  --replace empties
 *            the list first, in the same transaction;
 *   show     the installed map and the number of streets.
 */
#include "cli/common.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog/cat_map.h"
#include "community/community.h"

static int copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0) return -errno;
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) { int e = -errno; close(in); return e; }
    char buf[1 << 16];
    ssize_t r;
    int rc = 0;
    while (!rc && (r = read(in, buf, sizeof buf)) != 0) {
        if (r < 0) { rc = -errno; break; }
        for (ssize_t off = 0; off < r && !rc;) {
            ssize_t w = write(out, buf + off, (size_t)(r - off));
            if (w < 0) rc = -errno;
            else off += w;
        }
    }
    if (!rc && fsync(out) != 0) rc = -errno;
    if (close(out) != 0 && !rc) rc = -errno;
    close(in);
    return rc;
}

static void print_info(const struct catalog_mbtiles_meta *i)
{
    printf("name:     %s\nformat:   %s\nzoom:     %d–%d\ntiles:    %lld\n", i->name ? i->name : "(none)", i->format,
           i->minzoom, i->maxzoom, (long long)i->tiles);
    if (i->has_bounds)
        printf("bounds:   %.5f,%.5f – %.5f,%.5f (west,south – east,north)\n", i->bounds[0], i->bounds[1], i->bounds[2],
               i->bounds[3]);
}

static int map_tiles(struct cli_ctx *c, int argc, char **argv)
{
    if (argc != 2 || !strcmp(argv[1], "--help")) {
        printf("usage: wardwatch map tiles FILE.mbtiles\n\nInstalls an MBTiles file of raster tiles (png, jpg, webp) as the\n"
               "console's offline map (DATA/map.mbtiles).\n");
        return argc == 2 ? 0 : 2;
    }
    catalog_mbtiles_t *t;
    int rc = catalog_mbtiles_open(argv[1], &t);
    if (rc) {
        cli_err("map tiles: %s: %s", argv[1], rc == WW_EINVAL ? "not an MBTiles file (no metadata and tiles tables)"
                                                                : ww_strerror(rc));
        return 1;
    }
    struct catalog_mbtiles_meta info;
    rc = catalog_mbtiles_info(t, &info);
    catalog_mbtiles_close(t);
    if (rc) { cli_err("map tiles: %s: cannot read its metadata", argv[1]); return 1; }
    if (!strcmp(info.format, "pbf") || info.tiles == 0) {
        cli_err("map tiles: %s: %s", argv[1], info.tiles == 0 ? "holds no tiles"
                                                               : "holds vector tiles (pbf); the console shows raster tiles");
        catalog_mbtiles_meta_clear(&info);
        return 1;
    }
    char *dst = ww_asprintf("%s/map.mbtiles", c->data_dir), *tmp = ww_asprintf("%s.new", dst);
    rc = copy_file(argv[1], tmp);
    if (!rc && rename(tmp, dst) != 0) rc = -errno;
    if (!rc) ww_fsync_dir_of(dst);
    if (rc) {
        unlink(tmp);
        cli_err("map tiles: cannot install %s: %s", dst, ww_strerror(rc));
    } else {
        printf("installed %s\n", dst);
        print_info(&info);
    }
    free(tmp);
    free(dst);
    catalog_mbtiles_meta_clear(&info);
    return rc ? 1 : 0;
}

/* Column positions from the header line; -1 = absent. */
struct street_cols { int name, lat, lon, ward; };

static int header_cols(char **f, size_t n, struct street_cols *k)
{
    *k = (struct street_cols){-1, -1, -1, -1};
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(f[i], "name")) k->name = (int)i;
        else if (!strcmp(f[i], "latitude") || !strcmp(f[i], "lat")) k->lat = (int)i;
        else if (!strcmp(f[i], "longitude") || !strcmp(f[i], "lon")) k->lon = (int)i;
        else if (!strcmp(f[i], "ward")) k->ward = (int)i;
    }
    return k->name < 0 || k->lat < 0 || k->lon < 0 ? WW_EINVAL : 0;
}

static const char *field(char **f, size_t n, int col) { return col >= 0 && (size_t)col < n ? f[col] : ""; }

/* One data line → a street; returns the problem or NULL. */
static const char *street_of(catalog_t *cat, char **f, size_t n, const struct street_cols *k, struct catalog_street *s)
{
    char *end;
    s->name = (char *)field(f, n, k->name);
    if (!*s->name || strlen(s->name) > 200) return "name is empty or longer than 200 bytes";
    s->latitude = strtod(field(f, n, k->lat), &end);
    if (end == field(f, n, k->lat) || *end || !isfinite(s->latitude) || fabs(s->latitude) > 90)
        return "latitude is not a number from -90 to 90";
    s->longitude = strtod(field(f, n, k->lon), &end);
    if (end == field(f, n, k->lon) || *end || !isfinite(s->longitude) || fabs(s->longitude) > 180)
        return "longitude is not a number from -180 to 180";
    const char *w = field(f, n, k->ward);
    s->ward_id = 0;
    if (*w && cli_find_ward(cat, w, &s->ward_id)) return "ward is neither a ward's id nor its name";
    return NULL;
}

static int import_streets(catalog_t *cat, FILE *f, const char *file, bool replace, int64_t *added, int64_t *skipped)
{
    struct community_csv *csv;
    community_csv_open(f, &csv);
    char **fld;
    size_t nf;
    long line;
    const char *why;
    struct street_cols k;
    int rc = community_csv_next(csv, &fld, &nf, &line, &why), bad = 0;
    if (rc || header_cols(fld, nf, &k)) {
        cli_err("map streets: %s: the first line must name the columns name, latitude, longitude (and ward)", file);
        community_csv_close(csv);
        return 1;
    }
    if (catalog_begin(cat)) { community_csv_close(csv); return 1; }
    if (replace && catalog_street_clear_all(cat, NULL)) bad++;
    while ((rc = community_csv_next(csv, &fld, &nf, &line, &why)) == 0) {
        if (nf == 1 && !*fld[0]) continue; /* an empty line */
        struct catalog_street s;
        const char *problem = street_of(cat, fld, nf, &k, &s);
        if (!problem) {
            int r = catalog_street_add(cat, &s);
            if (r == WW_ECONFLICT) { (*skipped)++; continue; }
            if (r) problem = "the catalog refused it";
            else (*added)++;
        }
        if (problem) { cli_err("map streets: %s line %ld: %s", file, line, problem); bad++; }
    }
    if (rc != WW_EOF) { cli_err("map streets: %s line %ld: %s", file, line, why); bad++; }
    community_csv_close(csv);
    if (bad) {
        catalog_rollback(cat);
        cli_err("map streets: %d bad line(s): nothing imported", bad);
        return 1;
    }
    return catalog_commit(cat) ? 1 : 0;
}

static int map_streets(struct cli_ctx *c, int argc, char **argv)
{
    bool replace = false;
    const char *file = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--replace")) replace = true;
        else if (!strcmp(argv[i], "--help")) {
            printf("usage: wardwatch map streets FILE.csv [--replace]\n\nImports streets and places for the console's"
                   " address search: a CSV whose first\nline names the columns name, latitude, longitude and"
                   " optionally ward.\nAll or nothing; --replace empties the list first.\n");
            return 0;
        } else if (!file) file = argv[i];
        else return cli_usage("map streets: unexpected argument '%s'", argv[i]);
    }
    if (!file) return cli_usage("map streets: FILE.csv is required");
    FILE *f = fopen(file, "rb");
    if (!f) { cli_err("map streets: %s: %s", file, strerror(errno)); return 1; }
    catalog_t *cat;
    int rc = cli_open(c, &cat);
    if (rc) { fclose(f); return rc; }
    int64_t added = 0, skipped = 0, total = 0;
    rc = import_streets(cat, f, file, replace, &added, &skipped);
    fclose(f);
    catalog_street_count(cat, &total);
    catalog_close(cat);
    if (!rc) printf("%lld street(s) added, %lld already there; %lld in the list\n", (long long)added,
                    (long long)skipped, (long long)total);
    return rc;
}

static int map_show(struct cli_ctx *c, int argc, char **argv)
{
    bool json = argc > 1 && !strcmp(argv[1], "--json");
    if (argc > 1 && !json) return cli_usage("usage: wardwatch map show [--json]");
    catalog_t *cat;
    int rc = cli_open(c, &cat);
    if (rc) return rc;
    int64_t streets = 0;
    catalog_street_count(cat, &streets);
    catalog_close(cat);
    char *path = ww_asprintf("%s/map.mbtiles", c->data_dir);
    catalog_mbtiles_t *t = NULL;
    struct catalog_mbtiles_meta info = {0};
    bool have = catalog_mbtiles_open(path, &t) == 0 && catalog_mbtiles_info(t, &info) == 0;
    catalog_mbtiles_close(t);
    if (json) {
        json_t *o = json_pack("{s:b,s:I}", "offline_map", have, "streets", (json_int_t)streets);
        if (have) {
            json_object_set_new(o, "name", info.name ? json_string(info.name) : json_null());
            json_object_set_new(o, "format", json_string(info.format));
            json_object_set_new(o, "tiles", json_integer(info.tiles));
            json_object_set_new(o, "minzoom", json_integer(info.minzoom));
            json_object_set_new(o, "maxzoom", json_integer(info.maxzoom));
        }
        cli_print_json(o, JSON_INDENT(2) | JSON_SORT_KEYS);
    } else {
        if (have) { printf("offline map: %s\n", path); print_info(&info); }
        else printf("offline map: none (install one with `wardwatch map tiles FILE.mbtiles`)\n");
        printf("streets:  %lld\n", (long long)streets);
    }
    catalog_mbtiles_meta_clear(&info);
    free(path);
    return 0;
}

CLI_ACTIONS(cli_map, "map",
            "usage: wardwatch map tiles FILE.mbtiles | streets FILE.csv [--replace] | show [--json]",
            {"tiles", map_tiles}, {"streets", map_streets}, {"show", map_show})
