/*
 * catalog/cat_map.h — the offline map: the station's street list
 * (schema/046_streets.sql) and the MBTiles file it may be given
 * (DATA/map.mbtiles: an SQLite file of raster tiles, the MBTiles 1.3
 * layout — metadata(name, value) and tiles(zoom_level, tile_column,
 * tile_row, tile_data), rows in TMS order, i.e. counted from the south).
 * Used by api/map.c and cli/map.c.
 *
 * Threads and memory: a catalog_t as catalog.h.  An mbtiles handle is one
 * read-only SQLite connection opened with SQLite's full mutex, so one
 * handle may serve every HTTP thread; close it with catalog_mbtiles_close
 * (NULL-safe).  Strings and tile bytes returned here are the caller's to
 * free.
 */
#ifndef WW_CAT_MAP_H
#define WW_CAT_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog/catalog.h"

/* ---- streets ----------------------------------------------------------- */
struct catalog_street {
    int64_t id, ward_id; /* ward_id 0 = none */
    char *name;
    double latitude, longitude;
};
void catalog_street_clear(struct catalog_street *s);
void catalog_street_list_free(struct catalog_street *v, size_t n);
/* Adds one (name_fold is computed here).  The same name at the same
 * position again → WW_ECONFLICT; bad values → WW_EINVAL. */
int catalog_street_add(catalog_t *cat, const struct catalog_street *s);
/* Removes every street (before an import that replaces the list). */
int catalog_street_clear_all(catalog_t *cat, int64_t *removed);
int catalog_street_count(catalog_t *cat, int64_t *n);
/* Streets whose folded name contains the folded query, shortest name first
 * (the closest match), at most limit. */
int catalog_street_search(catalog_t *cat, const char *query, size_t limit, struct catalog_street **out,
                          size_t *n);

/* ---- MBTiles ----------------------------------------------------------- */
typedef struct catalog_mbtiles catalog_mbtiles_t;
struct catalog_mbtiles_meta {
    char *name, *format, *attribution; /* format: png | jpg | webp | pbf */
    int minzoom, maxzoom;
    bool has_bounds; double bounds[4]; /* west, south, east, north */
    bool has_center; double center[3]; /* lon, lat, zoom */
    int64_t tiles;
};
void catalog_mbtiles_meta_clear(struct catalog_mbtiles_meta *i);
/* Opens path read-only and checks it is an MBTiles file (the two tables);
 * -ENOENT when there is no file, WW_EINVAL (logged) when it is not one. */
int catalog_mbtiles_open(const char *path, catalog_mbtiles_t **out);
void catalog_mbtiles_close(catalog_mbtiles_t *t);
/* The metadata and the tile count (zooms from the tiles when metadata
 * lacks them). */
int catalog_mbtiles_info(catalog_mbtiles_t *t, struct catalog_mbtiles_meta *out);
/* Tile z/x/y in the XYZ scheme the web map asks for (y from the north; the
 * file's TMS row is flipped here).  No such tile → -ENOENT. */
int catalog_mbtiles_tile(catalog_mbtiles_t *t, int z, int x, int y, uint8_t **data, size_t *len);

#endif
