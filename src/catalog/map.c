/*
 * map.c — the offline map's data (surface: cat_map.h): the street list in
 * the catalog (schema/046_streets.sql) and the MBTiles file, which is a
 * separate SQLite file the station is given and only reads.
 *
 * Why MBTiles: a station on a closed network still needs streets under its
 * cameras; a province GIS office can cut one region's raster tiles into one
 * file (MBTiles is the common container for that), and serving a tile is one
 * indexed SELECT.  The file is opened read-only with SQLITE_OPEN_FULLMUTEX so
 * the HTTP threads can share one handle.
 */
#include "catalog/cat_map.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "catalog/internal.h"

/* ---- streets ----------------------------------------------------------- */

static const struct catalog_row_map street_map =
    CATALOG_MAP(struct catalog_street, NULL, NULL, id, name, ward_id, latitude, longitude);

CATALOG_ROW_CLEAR_FN(street_map, struct catalog_street, catalog_street_clear)
CATALOG_LIST_FREE_FN(street_map, struct catalog_street, catalog_street_list_free)

int catalog_street_add(catalog_t *cat, const struct catalog_street *s)
{
    assert(cat && s);
    if (!s->name || !*s->name || strlen(s->name) > 200 || !isfinite(s->latitude) || !isfinite(s->longitude) ||
        fabs(s->latitude) > 90 || fabs(s->longitude) > 180)
        return WW_EINVAL;
    char *fold = ww_fold_vi(s->name);
    int rc = CATALOG_RUN(cat, "street add", CATALOG_REFUSED_BY_KIND,
                     "INSERT INTO streets(name,name_fold,ward_id,latitude,longitude) VALUES(?,?,?,?,?)",
                     CATALOG_ARG(s->name), CATALOG_ARG(fold), CATALOG_ID(s->ward_id), CATALOG_ARG(s->latitude), CATALOG_ARG(s->longitude));
    free(fold);
    return rc;
}

int catalog_street_clear_all(catalog_t *cat, int64_t *removed)
{
    int rc = catalog_run_args(cat, "street clear", 0, "DELETE FROM streets", NULL, 0);
    if (removed) *removed = rc ? 0 : sqlite3_changes(cat->db);
    return rc;
}

int catalog_street_count(catalog_t *cat, int64_t *n)
{
    *n = 0;
    return catalog_row_one_args(cat, "street count", &catalog_i64_map, n, "SELECT COUNT(*) FROM streets", NULL, 0);
}

/* The folded query with LIKE's own characters escaped. */
static char *like_pattern(const char *query)
{
    char *fold = ww_fold_vi(query);
    size_t n = strlen(fold), o = 0;
    char *p = ww_malloc(2 * n + 3);
    p[o++] = '%';
    for (size_t i = 0; i < n; i++) {
        if (fold[i] == '%' || fold[i] == '_' || fold[i] == '\\') p[o++] = '\\';
        p[o++] = fold[i];
    }
    p[o++] = '%';
    p[o] = 0;
    free(fold);
    return p;
}

int catalog_street_search(catalog_t *cat, const char *query, size_t limit, struct catalog_street **out,
                          size_t *n)
{
    char *pat = like_pattern(query);
    int rc = CATALOG_LIST(cat, "street search", &street_map, out, n,
                      "SELECT id,name,COALESCE(ward_id,0),latitude,longitude FROM streets"
                      " WHERE name_fold LIKE ?1 ESCAPE '\\' ORDER BY length(name), name LIMIT ?2",
                      CATALOG_ARG(pat), CATALOG_ARG((int64_t)(limit ? limit : 50)));
    free(pat);
    return rc;
}

/* ---- MBTiles ----------------------------------------------------------- */

struct catalog_mbtiles {
    sqlite3 *db;
};

void catalog_mbtiles_meta_clear(struct catalog_mbtiles_meta *i)
{
    if (!i) return;
    free(i->name);
    free(i->format);
    free(i->attribution);
    memset(i, 0, sizeof *i);
}

static bool has_table(sqlite3 *db, const char *name)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE name=? AND type IN ('table','view')", -1, &st,
                           NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    bool yes = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return yes;
}

int catalog_mbtiles_open(const char *path, catalog_mbtiles_t **out)
{
    *out = NULL;
    struct stat sb;
    if (stat(path, &sb) != 0) return -errno;
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX, NULL);
    if (rc != SQLITE_OK || !has_table(db, "metadata") || !has_table(db, "tiles")) {
        ww_warn("catalog", "%s is not an MBTiles file (%s)", path,
                rc != SQLITE_OK ? sqlite3_errstr(rc) : "no metadata and tiles tables");
        sqlite3_close(db);
        return WW_EINVAL;
    }
    sqlite3_busy_timeout(db, 2000);
    catalog_mbtiles_t *t = ww_calloc(1, sizeof *t);
    t->db = db;
    *out = t;
    return 0;
}

void catalog_mbtiles_close(catalog_mbtiles_t *t)
{
    if (!t) return;
    sqlite3_close(t->db);
    free(t);
}

/* "a,b,c[,d]" → up to max doubles; returns how many were read. */
static int parse_doubles(const char *s, double *v, int max)
{
    int k = 0;
    while (s && *s && k < max) {
        char *end;
        double d = strtod(s, &end);
        if (end == s || !isfinite(d)) return 0;
        v[k++] = d;
        s = end;
        while (*s == ' ') s++;
        if (*s == ',') s++;
        else if (*s) return 0;
    }
    return k;
}

static void info_meta(struct catalog_mbtiles_meta *i, const char *name, const char *value)
{
    if (!strcmp(name, "name")) { free(i->name); i->name = ww_strdup(value); }
    else if (!strcmp(name, "format")) { free(i->format); i->format = ww_strdup(value); }
    else if (!strcmp(name, "attribution")) { free(i->attribution); i->attribution = ww_strdup(value); }
    else if (!strcmp(name, "minzoom")) i->minzoom = atoi(value);
    else if (!strcmp(name, "maxzoom")) i->maxzoom = atoi(value);
    else if (!strcmp(name, "bounds")) i->has_bounds = parse_doubles(value, i->bounds, 4) == 4;
    else if (!strcmp(name, "center")) i->has_center = parse_doubles(value, i->center, 3) >= 2;
}

int catalog_mbtiles_info(catalog_mbtiles_t *t, struct catalog_mbtiles_meta *out)
{
    memset(out, 0, sizeof *out);
    out->minzoom = out->maxzoom = -1;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(t->db, "SELECT name, value FROM metadata", -1, &st, NULL) != SQLITE_OK) return WW_EDB;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(st, 0), *v = (const char *)sqlite3_column_text(st, 1);
        if (k && v) info_meta(out, k, v);
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(t->db, "SELECT COUNT(*), MIN(zoom_level), MAX(zoom_level) FROM tiles", -1, &st, NULL) !=
        SQLITE_OK)
        return WW_EDB;
    if (sqlite3_step(st) == SQLITE_ROW) {
        out->tiles = sqlite3_column_int64(st, 0);
        if (out->minzoom < 0) out->minzoom = sqlite3_column_int(st, 1);
        if (out->maxzoom < 0) out->maxzoom = sqlite3_column_int(st, 2);
    }
    sqlite3_finalize(st);
    if (!out->format) out->format = ww_strdup("png");
    return 0;
}

int catalog_mbtiles_tile(catalog_mbtiles_t *t, int z, int x, int y, uint8_t **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    if (z < 0 || z > 30 || x < 0 || y < 0 || (int64_t)x >= (1LL << z) || (int64_t)y >= (1LL << z))
        return -ENOENT;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(t->db, "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
                           -1, &st, NULL) != SQLITE_OK)
        return WW_EDB;
    sqlite3_bind_int(st, 1, z);
    sqlite3_bind_int(st, 2, x);
    sqlite3_bind_int64(st, 3, (1LL << z) - 1 - y); /* XYZ → TMS */
    int rc = -ENOENT;
    if (sqlite3_step(st) == SQLITE_ROW) {
        int n = sqlite3_column_bytes(st, 0);
        const void *b = sqlite3_column_blob(st, 0);
        if (b && n > 0) {
            *data = ww_malloc((size_t)n);
            memcpy(*data, b, (size_t)n);
            *len = (size_t)n;
            rc = 0;
        }
    }
    sqlite3_finalize(st);
    return rc;
}
