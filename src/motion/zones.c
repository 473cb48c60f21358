/*
 * zones.c — motion zones: JSON in and out, and the point-in-polygon test.
 *
 * Zones come from outside (the console's zone editor, a file given to
 * `motion scan --zones`), so everything is bounded before it is copied into
 * the fixed-size struct motion_zones: zone count, point count, coordinate
 * range, name length.  The error text says which zone and which field, so
 * the console can show it next to the polygon the user drew.
 */
#include "motion/motion.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"

bool motion_zone_contains(const struct motion_zone *z, double x, double y)
{
    /* Even-odd rule: count edges crossed by a ray to the right of (x, y).
     * The half-open test (yi > y) != (yj > y) counts a vertex shared by two
     * edges once, so rays through vertices do not double count. */
    bool in = false;
    for (int i = 0, j = z->n_points - 1; i < z->n_points; j = i++) {
        double xi = z->points[i].x, yi = z->points[i].y;
        double xj = z->points[j].x, yj = z->points[j].y;
        if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) in = !in;
    }
    return in;
}

static int fail(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(char **err, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        char *s = NULL;
        if (vasprintf(&s, fmt, ap) < 0) s = NULL;
        va_end(ap);
        *err = s;
    }
    return WW_EINVAL;
}

static int parse_zone(json_t *jz, int idx, struct motion_zone *z, char **err)
{
    if (!json_is_object(jz)) return fail(err, "zone %d: not an object", idx + 1);
    json_t *jn = json_object_get(jz, "name"), *jk = json_object_get(jz, "kind"),
           *jp = json_object_get(jz, "points");
    /* "polygon" is accepted as a synonym (other VMS exports use it);
     * "points" wins when both are given. */
    if (!jp) jp = json_object_get(jz, "polygon");
    const char *name = json_is_string(jn) ? json_string_value(jn) : NULL;
    if (jn && !name) return fail(err, "zone %d: name is not a string", idx + 1);
    if (!name || !*name) {
        snprintf(z->name, sizeof z->name, "zone%d", idx + 1);
    } else {
        if (strlen(name) >= sizeof z->name)
            return fail(err, "zone %d: name longer than %d bytes", idx + 1,
                        MOTION_ZONE_NAME_MAX - 1);
        memcpy(z->name, name, strlen(name) + 1);
    }
    const char *kind = jk ? json_string_value(jk) : "include";
    if (!kind) return fail(err, "zone \"%s\": kind is not a string", z->name);
    if (!strcmp(kind, "include")) z->kind = MOTION_ZONE_INCLUDE;
    else if (!strcmp(kind, "mask") || !strcmp(kind, "exclude")) z->kind = MOTION_ZONE_MASK;
    else return fail(err, "zone \"%s\": kind must be \"include\" or \"mask\"", z->name);
    if (!json_is_array(jp)) return fail(err, "zone \"%s\": points must be an array", z->name);
    size_t np = json_array_size(jp);
    if (np < 3 || np > MOTION_MAX_POINTS)
        return fail(err, "zone \"%s\": needs 3 to %d points, has %zu", z->name,
                    MOTION_MAX_POINTS, np);
    z->n_points = (int)np;
    for (size_t i = 0; i < np; i++) {
        json_t *pt = json_array_get(jp, i);
        json_t *jx = json_array_get(pt, 0), *jy = json_array_get(pt, 1);
        if (!json_is_array(pt) || json_array_size(pt) != 2 || !json_is_number(jx) ||
            !json_is_number(jy))
            return fail(err, "zone \"%s\": point %zu must be [x, y]", z->name, i + 1);
        double x = json_number_value(jx), y = json_number_value(jy);
        if (!(x >= 0 && x <= 1 && y >= 0 && y <= 1))
            return fail(err, "zone \"%s\": point %zu is outside 0..1", z->name, i + 1);
        z->points[i].x = x;
        z->points[i].y = y;
    }
    return 0;
}

int motion_zones_parse(const char *json, struct motion_zones *out, char **err)
{
    if (err) *err = NULL;
    memset(out, 0, sizeof *out);
    json_error_t je;
    json_t *root = json_loads(json ? json : "", JSON_REJECT_DUPLICATES, &je);
    if (!root) return fail(err, "zones: invalid JSON at line %d: %s", je.line, je.text);
    json_t *arr = json_is_object(root) ? json_object_get(root, "zones") : root;
    int rc = 0;
    if (!json_is_array(arr)) {
        rc = fail(err, "zones: expected {\"zones\":[…]}");
    } else if (json_array_size(arr) > MOTION_MAX_ZONES) {
        rc = fail(err, "zones: at most %d zones", MOTION_MAX_ZONES);
    } else {
        for (size_t i = 0; i < json_array_size(arr) && !rc; i++)
            rc = parse_zone(json_array_get(arr, i), (int)i, &out->zone[i], err);
        if (!rc) out->n = (int)json_array_size(arr);
    }
    json_decref(root);
    if (rc) memset(out, 0, sizeof *out);
    return rc;
}

char *motion_zones_to_json(const struct motion_zones *z)
{
    json_t *arr = json_array();
    for (int i = 0; z && i < z->n; i++) {
        const struct motion_zone *zz = &z->zone[i];
        json_t *pts = json_array();
        for (int p = 0; p < zz->n_points; p++)
            json_array_append_new(pts, json_pack("[ff]", zz->points[p].x, zz->points[p].y));
        json_array_append_new(arr, json_pack("{s:s, s:s, s:o}", "name", zz->name, "kind",
                                             zz->kind == MOTION_ZONE_MASK ? "mask" : "include",
                                             "points", pts));
    }
    json_t *root = json_pack("{s:o}", "zones", arr);
    char *s = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    /* json_dumps uses jansson's allocator (malloc by default); hand back a
     * copy from ours so the caller's free() contract does not depend on it. */
    char *copy = ww_strdup(s);
    free(s);
    return copy;
}
