/*
 * ward_incident.c — the incident register's rules: validation, status
 * moves, JSON in and out, and the change history.
 *
 * Every write goes through one transaction that holds both the incident row
 * and its incident_history row, so the history can never miss a change nor
 * record one that did not happen.  The diff of an update lists only fields
 * whose value changed, each as [old, new] in the same representation the
 * API shows (category by code, ward by name, times as local ISO text).
 *
 * Invariants enforced here (not by SQL): figures only where the category
 * says they apply; latitude and longitude given together; not in the
 * future; linked cameras exist; status moves forward unless an admin
 * forces it.
 */
#include "ward/ward.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char *dupf(const char *fmt, const char *a) { return ww_asprintf(fmt, a); }

bool ward_status_move_ok(int from, int to, bool force)
{
    if (from == to || force) return true;
    switch (from) {
    case CATALOG_INC_RECEIVED: return to == CATALOG_INC_VERIFYING || to == CATALOG_INC_SOLVED || to == CATALOG_INC_CLOSED;
    case CATALOG_INC_VERIFYING: return to == CATALOG_INC_SOLVED || to == CATALOG_INC_CLOSED;
    default: return false;
    }
}

static int ward_name_of(catalog_t *cat, int64_t id, char **name)
{
    return catalog_ward_name(cat, id, name);
}

/* Refreshes the display names (ward, category code) from the ids. */
static int fill_names(catalog_t *cat, struct catalog_incident *inc, char **why)
{
    free(inc->ward_name);
    free(inc->category_code);
    inc->ward_name = inc->category_code = NULL;
    int rc = ward_name_of(cat, inc->ward_id, &inc->ward_name);
    if (rc == WW_ENOTFOUND) {
        if (why) *why = ww_asprintf("no ward with id %lld", (long long)inc->ward_id);
        return WW_EINVAL;
    }
    if (rc) return rc;
    struct catalog_incident_category c;
    rc = catalog_incident_category_get(cat, inc->category_id, &c);
    if (rc == WW_ENOTFOUND) {
        if (why) *why = ww_asprintf("no category with id %lld", (long long)inc->category_id);
        return WW_EINVAL;
    }
    if (rc) return rc;
    inc->category_code = c.code;
    c.code = NULL;
    catalog_incident_category_clear(&c);
    return 0;
}

void ward_why_code(const char *why, const char **reason, const char **field, size_t *field_len)
{
    static const struct { const char *prefix, *reason, *field; } known[] = {
        {"summary is empty", "required", "summary"}, {"summary is longer", "length", "summary"},
        {"address is longer", "length", "address"}, {"latitude ", "range", "latitude"},
        {"longitude ", "range", "longitude"}, {"occurred_at is missing", "required", "occurred_at"},
        {"occurred_at is in the future", "future", "occurred_at"}, {"figures cannot be negative", "negative", "figures"},
        {"no ward with id", "no_ward", "ward_id"}, {"no category with id", "no_category", "category_id"},
        {"figure ", "figure_na", "figures"}, {"no camera ", "no_camera_id", "camera_ids"},
        {"no export ", "no_export", "export_ids"}, {"unknown ward", "unknown_name", "ward"},
        {"unknown category", "unknown_name", "category"}, {"bad date/time", "datetime", "occurred_at"},
        {"status must be", "type", "status"}, {"bad status", "type", "status"},
        {"give both latitude", "both_coordinates", "latitude"}, {"status cannot move", "status_move", "status"},
        {"code may hold only", "type", "code"}, {"unknown figure name", "type", "figures"},
        {"figures must be a list", "type", "figures"}, {"sort_order must be", "type", "sort_order"},
        {"code, name_vi and name_en are required", "required", "name_vi"}, {"the code is taken", "taken", "code"},
        {"bad value for '", "type", NULL}, {"unknown field '", "unknown_field", NULL},
        /* ward_csv.c's, per line of an import */
        {"NUL byte", "csv_binary", NULL}, {"not UTF-8", "csv_encoding", NULL}, {"the file is empty", "csv_empty", NULL},
        {"unknown column '", "csv_column", NULL}, {"column '", "csv_column_twice", NULL},
        {"required column '", "csv_column_missing", NULL}, {"expected ", "csv_fields", NULL},
        {"no data rows", "csv_no_rows", NULL}, {"more than ", "csv_too_long", NULL},
        {"a field is longer", "csv_too_long", NULL}, {"'", "required", NULL},
    };
    *reason = "other";
    *field = NULL;
    *field_len = 0;
    if (!why) return;
    for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
        size_t n = strlen(known[i].prefix);
        if (strncmp(why, known[i].prefix, n)) continue;
        *reason = known[i].reason;
        if (known[i].field) {
            *field = known[i].field;
            *field_len = strlen(known[i].field);
        } else {   /* the field is the quoted name: "bad value for 'camera_ids'" */
            const char *a = strchr(why, '\'');
            const char *b = a ? strchr(a + 1, '\'') : NULL;
            if (b) { *field = a + 1; *field_len = (size_t)(b - a - 1); }
        }
        return;
    }
}

int ward_incident_validate(catalog_t *cat, const struct catalog_incident *inc, char **why)
{
    if (!inc->summary || !inc->summary[strspn(inc->summary, " \t\r\n")]) {
        *why = ww_strdup("summary is empty");
        return WW_EINVAL;
    }
    if (strlen(inc->summary) > 4000) { *why = ww_strdup("summary is longer than 4000 bytes"); return WW_EINVAL; }
    if (inc->address && strlen(inc->address) > 500) { *why = ww_strdup("address is longer than 500 bytes"); return WW_EINVAL; }
    if (inc->has_pos && (!isfinite(inc->latitude) || inc->latitude < -90 || inc->latitude > 90)) {
        *why = ww_asprintf("latitude %g is out of range (-90..90)", inc->latitude);
        return WW_EINVAL;
    }
    if (inc->has_pos && (!isfinite(inc->longitude) || inc->longitude < -180 || inc->longitude > 180)) {
        *why = ww_asprintf("longitude %g is out of range (-180..180)", inc->longitude);
        return WW_EINVAL;
    }
    if (inc->status < 0 || inc->status > CATALOG_INC_CLOSED) { *why = ww_strdup("bad status"); return WW_EINVAL; }
    if (inc->occurred_at <= 0) { *why = ww_strdup("occurred_at is missing"); return WW_EINVAL; }
    if (inc->occurred_at > ww_wall_us() + 86400LL * 1000000) {
        *why = ww_strdup("occurred_at is in the future");
        return WW_EINVAL;
    }
    if ((inc->has & CATALOG_FIG_SUSPECTS && inc->suspects < 0) || (inc->has & CATALOG_FIG_DEATHS && inc->deaths < 0) ||
        (inc->has & CATALOG_FIG_INJURIES && inc->injuries < 0) || (inc->has & CATALOG_FIG_DAMAGE && inc->damage_vnd < 0) ||
        (inc->has & CATALOG_FIG_DRUG_GRAMS && (!(inc->drug_grams >= 0) || !isfinite(inc->drug_grams)))) {
        *why = ww_strdup("figures cannot be negative");
        return WW_EINVAL;
    }
    char *wn = NULL;
    int rc = ward_name_of(cat, inc->ward_id, &wn);
    free(wn);
    if (rc == WW_ENOTFOUND) { *why = ww_asprintf("no ward with id %lld", (long long)inc->ward_id); return WW_EINVAL; }
    if (rc) return rc;
    struct catalog_incident_category c;
    rc = catalog_incident_category_get(cat, inc->category_id, &c);
    if (rc == WW_ENOTFOUND) {
        *why = ww_asprintf("no category with id %lld", (long long)inc->category_id);
        return WW_EINVAL;
    }
    if (rc) return rc;
    unsigned extra = inc->has & ~c.figures;
    if (extra) {
        for (unsigned b = 1; b <= CATALOG_FIG_DAMAGE; b <<= 1)
            if (extra & b) {
                *why = ww_asprintf("figure %s does not apply to category %s", catalog_figure_name(b), c.code);
                break;
            }
        catalog_incident_category_clear(&c);
        return WW_EINVAL;
    }
    catalog_incident_category_clear(&c);
    for (size_t i = 0; i < inc->n_cameras; i++) {
        struct catalog_camera cam;
        rc = catalog_camera_get(cat, inc->camera_ids[i], &cam);
        if (rc == WW_ENOTFOUND) {
            *why = ww_asprintf("no camera %lld", (long long)inc->camera_ids[i]);
            return WW_EINVAL;
        }
        if (rc) return rc;
        catalog_camera_clear(&cam);
    }
    return 0;
}

static bool has_id(const int64_t *v, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == id) return true;
    return false;
}

/* 0 when camera id exists and is in scope; WW_ENOTFOUND for absent and
 * out of scope alike. */
static int camera_in_scope(catalog_t *cat, int64_t id, int64_t scope_ward_id)
{
    struct catalog_camera cam;
    int rc = catalog_camera_get(cat, id, &cam);
    if (rc) return rc;
    bool in = !scope_ward_id || cam.ward_id == scope_ward_id;
    catalog_camera_clear(&cam);
    return in ? 0 : WW_ENOTFOUND;
}

int ward_incident_check_links(catalog_t *cat, const struct catalog_incident *inc, const struct catalog_incident *old,
                              int64_t scope_ward_id, char **why)
{
    for (size_t i = 0; i < inc->n_cameras; i++) {
        int64_t id = inc->camera_ids[i];
        if (old && has_id(old->camera_ids, old->n_cameras, id)) continue;   /* kept, not added */
        int rc = camera_in_scope(cat, id, scope_ward_id);
        if (rc == WW_ENOTFOUND) {
            *why = ww_asprintf("no camera %lld", (long long)id);   /* the text validate gives */
            return WW_EINVAL;
        }
        if (rc) return rc;
    }
    for (size_t i = 0; i < inc->n_exports; i++) {
        int64_t id = inc->export_ids[i];
        if (old && has_id(old->export_ids, old->n_exports, id)) continue;
        struct catalog_export e;
        int rc = catalog_export_get(cat, id, &e);
        if (!rc) {
            rc = camera_in_scope(cat, e.camera_id, scope_ward_id);
            catalog_export_clear(&e);
        }
        if (rc == WW_ENOTFOUND) {
            *why = ww_asprintf("no export %lld", (long long)id);
            return WW_EINVAL;
        }
        if (rc) return rc;
    }
    return 0;
}

/* ---- JSON -------------------------------------------------------------- */

static json_t *ids_json(const int64_t *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(a, json_integer(v[i]));
    return a;
}

json_t *ward_incident_json(const struct catalog_incident *inc, int offset_min)
{
    char t[40];
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(inc->id));
    json_object_set_new(o, "ward_id", json_integer(inc->ward_id));
    json_object_set_new(o, "ward", inc->ward_name ? json_string(inc->ward_name) : json_null());
    json_object_set_new(o, "category_id", json_integer(inc->category_id));
    json_object_set_new(o, "category", inc->category_code ? json_string(inc->category_code) : json_null());
    json_object_set_new(o, "occurred_at", json_string(ward_time_iso(inc->occurred_at, offset_min, t, sizeof t)));
    json_object_set_new(o, "occurred_at_us", json_integer(inc->occurred_at));
    json_object_set_new(o, "address", inc->address ? json_string(inc->address) : json_null());
    json_object_set_new(o, "latitude", inc->has_pos ? json_real(inc->latitude) : json_null());
    json_object_set_new(o, "longitude", inc->has_pos ? json_real(inc->longitude) : json_null());
    json_object_set_new(o, "summary", json_string(inc->summary ? inc->summary : ""));
    json_object_set_new(o, "status", json_string(catalog_inc_status_name(inc->status)));
    json_object_set_new(o, "suspects", inc->has & CATALOG_FIG_SUSPECTS ? json_integer(inc->suspects) : json_null());
    json_object_set_new(o, "drug_grams", inc->has & CATALOG_FIG_DRUG_GRAMS ? json_real(inc->drug_grams) : json_null());
    json_object_set_new(o, "deaths", inc->has & CATALOG_FIG_DEATHS ? json_integer(inc->deaths) : json_null());
    json_object_set_new(o, "injuries", inc->has & CATALOG_FIG_INJURIES ? json_integer(inc->injuries) : json_null());
    json_object_set_new(o, "damage_vnd", inc->has & CATALOG_FIG_DAMAGE ? json_integer(inc->damage_vnd) : json_null());
    json_object_set_new(o, "camera_ids", ids_json(inc->camera_ids, inc->n_cameras));
    json_object_set_new(o, "export_ids", ids_json(inc->export_ids, inc->n_exports));
    json_object_set_new(o, "demo", json_boolean(inc->demo));
    json_object_set_new(o, "created_by", inc->created_by ? json_string(inc->created_by) : json_null());
    json_object_set_new(o, "created_at", inc->created_us ? json_string(ward_time_iso(inc->created_us, offset_min, t, sizeof t)) : json_null());
    json_object_set_new(o, "updated_by", inc->updated_by ? json_string(inc->updated_by) : json_null());
    json_object_set_new(o, "updated_at", inc->updated_us ? json_string(ward_time_iso(inc->updated_us, offset_min, t, sizeof t)) : json_null());
    return o;
}

/* The fields a history diff compares, in the JSON representation. */
static const char *const diff_keys[] = {
    "ward", "category", "occurred_at", "address", "latitude", "longitude", "summary", "status",
    "suspects", "drug_grams", "deaths", "injuries", "damage_vnd", "camera_ids", "export_ids",
};

static json_t *content_json(const struct catalog_incident *inc, int offset_min)
{
    json_t *full = ward_incident_json(inc, offset_min);
    json_t *o = json_object();
    for (size_t i = 0; i < sizeof diff_keys / sizeof *diff_keys; i++)
        json_object_set(o, diff_keys[i], json_object_get(full, diff_keys[i]));
    json_decref(full);
    return o;
}

int ward_category_find(catalog_t *cat, const char *s, int64_t *id)
{
    if (!s) return WW_ENOTFOUND;
    while (*s == ' ') s++;
    size_t len = strlen(s);
    while (len && s[len - 1] == ' ') len--;
    struct catalog_incident_category *v;
    size_t n;
    int rc = catalog_incident_category_list(cat, &v, &n);
    if (rc) return rc;
    rc = WW_ENOTFOUND;
    for (size_t i = 0; i < n && rc; i++) {
        const char *names[] = {v[i].code, v[i].name_vi, v[i].name_en};
        for (int k = 0; k < 3; k++)
            if (strlen(names[k]) == len && !strncasecmp(names[k], s, len)) {
                *id = v[i].id;
                rc = 0;
                break;
            }
    }
    catalog_incident_category_list_free(v, n);
    return rc;
}

/* A JSON string's text without its leading and trailing spaces (free()). */
static char *trimmed(json_t *v)
{
    const char *s = json_string_value(v);
    while (*s == ' ') s++;
    char *t = ww_strdup(s);
    size_t l = strlen(t);
    while (l && t[l - 1] == ' ') t[--l] = 0;
    return t;
}

/* A JSON number, or text holding one, within [lo, hi]. */
static int json_num(json_t *v, double lo, double hi, double *out)
{
    if (json_is_number(v)) {
        double d = json_number_value(v);
        if (!isfinite(d) || d < lo || d > hi) return WW_EINVAL;
        *out = d;
        return 0;
    }
    if (json_is_string(v)) {
        char *t = trimmed(v);
        for (char *c = t; *c; c++) if (*c == ',') *c = '.';  /* 1,5 → 1.5 */
        int rc = ww_parse_double(t, lo, hi, out);
        free(t);
        return rc ? WW_EINVAL : 0;
    }
    return WW_EINVAL;
}

static int json_int(json_t *v, int64_t lo, int64_t hi, int64_t *out)
{
    if (json_is_integer(v)) {
        json_int_t x = json_integer_value(v);
        if (x < lo || x > hi) return WW_EINVAL;
        *out = x;
        return 0;
    }
    if (json_is_string(v)) {
        char *t = trimmed(v);
        int rc = ww_parse_i64(t, lo, hi, out);
        free(t);
        return rc ? WW_EINVAL : 0;
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (d != floor(d) || d < (double)lo || d > (double)hi) return WW_EINVAL;
        *out = (int64_t)d;
        return 0;
    }
    return WW_EINVAL;
}

/* A link given by id ("ward_id": 3) or by name ("ward": "Phường 1"); the
 * id wins when both are given (a GET result sent back has both), and null
 * beside the other key is skipped. */
struct link_keys {
    const char *id_key, *name_key, *what;
    int (*find)(catalog_t *cat, const char *name, int64_t *id);
};
static const struct link_keys ward_link = {"ward_id", "ward", "ward", catalog_ward_find};
static const struct link_keys category_link = {"category_id", "category", "category", ward_category_find};

/* key is l's id or name key, v its value.  0 = *id set, 1 = skipped,
 * 2 = an unknown name (*why set), WW_EINVAL = a bad value. */
static int id_or_name(catalog_t *cat, json_t *obj, const char *key, json_t *v, const struct link_keys *l,
                      int64_t *id, char **why)
{
    if (!strcmp(key, l->id_key)) {
        if (json_is_null(v) && json_object_get(obj, l->name_key)) return 1;
        return json_int(v, 1, INT64_MAX, id) ? WW_EINVAL : 0;
    }
    json_t *other = json_object_get(obj, l->id_key);
    if (json_is_null(v) || (other && !json_is_null(other))) return 1;
    if (!json_is_string(v)) return WW_EINVAL;
    if (l->find(cat, json_string_value(v), id)) {
        *why = ww_asprintf("unknown %s '%s'", l->what, json_string_value(v));
        return 2;
    }
    return 0;
}

static int json_ids(json_t *v, int64_t **out, size_t *n)
{
    if (json_is_string(v)) {  /* "3;7" as in CSV */
        const char *s = json_string_value(v);
        int64_t *ids = NULL;
        size_t k = 0;
        while (*s) {
            while (*s == ' ' || *s == ';' || *s == ',') s++;
            if (!*s) break;
            size_t l = strcspn(s, " ;,");
            char *t = strndup(s, l);
            int64_t x;
            int bad = !t || ww_parse_i64(t, 1, INT64_MAX, &x);
            free(t);
            if (bad) { free(ids); return WW_EINVAL; }
            ids = ww_realloc(ids, (k + 1) * sizeof *ids);
            ids[k++] = x;
            s += l;
        }
        free(*out);
        *out = ids;
        *n = k;
        return 0;
    }
    if (json_is_null(v)) { free(*out); *out = NULL; *n = 0; return 0; }
    if (!json_is_array(v)) return WW_EINVAL;
    size_t k = json_array_size(v);
    int64_t *ids = k ? ww_malloc(k * sizeof *ids) : NULL;
    for (size_t i = 0; i < k; i++) {
        json_t *e = json_array_get(v, i);
        if (!json_is_integer(e) || json_integer_value(e) < 1) { free(ids); return WW_EINVAL; }
        ids[i] = json_integer_value(e);
    }
    free(*out);
    *out = ids;
    *n = k;
    return 0;
}

int ward_incident_apply_json(catalog_t *cat, struct catalog_incident *inc, json_t *obj,
                             int offset_min, char **why)
{
    if (!json_is_object(obj)) { *why = ww_strdup("expected a JSON object"); return WW_EINVAL; }
    static const struct { const char *key; unsigned bit; } figs[] = {
        {"suspects", CATALOG_FIG_SUSPECTS}, {"drug_grams", CATALOG_FIG_DRUG_GRAMS}, {"deaths", CATALOG_FIG_DEATHS},
        {"injuries", CATALOG_FIG_INJURIES}, {"damage_vnd", CATALOG_FIG_DAMAGE},
    };
    bool have_lat = inc->has_pos, have_lon = inc->has_pos;
    double lat = inc->latitude, lon = inc->longitude;
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        int rc = 0;
        if (!strcmp(key, "id") || !strcmp(key, "created_by") || !strcmp(key, "created_at") ||
            !strcmp(key, "updated_by") || !strcmp(key, "updated_at") || !strcmp(key, "demo")) {
            continue;  /* read-only: a GET result may be sent back as is */
        } else if (!strcmp(key, "ward_id") || !strcmp(key, "ward")) {
            if ((rc = id_or_name(cat, obj, key, v, &ward_link, &inc->ward_id, why)) == 1) continue;
            if (rc == 2) return WW_EINVAL;
        } else if (!strcmp(key, "category_id") || !strcmp(key, "category")) {
            if ((rc = id_or_name(cat, obj, key, v, &category_link, &inc->category_id, why)) == 1) continue;
            if (rc == 2) return WW_EINVAL;
        } else if (!strcmp(key, "occurred_at")) {
            if (!json_is_string(v) || ward_time_parse(json_string_value(v), offset_min, &inc->occurred_at)) {
                *why = json_is_string(v) ? dupf("bad date/time '%s' (use DD/MM/YYYY HH:MM or ISO 8601)",
                                                json_string_value(v))
                                         : ww_strdup("occurred_at must be text");
                return WW_EINVAL;
            }
        } else if (!strcmp(key, "occurred_at_us")) {
            if (json_object_get(obj, "occurred_at")) continue;
            if (json_int(v, 1, INT64_MAX, &inc->occurred_at)) rc = WW_EINVAL;
        } else if (!strcmp(key, "status")) {
            int s = json_is_string(v) ? catalog_inc_status_parse(json_string_value(v)) : -1;
            if (s < 0) {
                *why = ww_strdup("status must be received, verifying, solved or closed");
                return WW_EINVAL;
            }
            inc->status = s;
        } else if (!strcmp(key, "address") || !strcmp(key, "summary")) {
            char **dst = !strcmp(key, "address") ? &inc->address : &inc->summary;
            if (json_is_null(v)) { free(*dst); *dst = NULL; }
            else if (json_is_string(v)) { free(*dst); *dst = ww_strdup(json_string_value(v)); }
            else rc = WW_EINVAL;
        } else if (!strcmp(key, "latitude") || !strcmp(key, "longitude")) {
            bool is_lat = key[1] == 'a';
            bool *have = is_lat ? &have_lat : &have_lon;
            if (json_is_null(v) || (json_is_string(v) && !*json_string_value(v))) { *have = false; continue; }
            double d;
            if (json_num(v, -1e9, 1e9, &d)) rc = WW_EINVAL;
            else if (is_lat && (d < -90 || d > 90)) {
                *why = ww_asprintf("latitude %g is out of range (-90..90)", d);
                return WW_EINVAL;
            } else if (!is_lat && (d < -180 || d > 180)) {
                *why = ww_asprintf("longitude %g is out of range (-180..180)", d);
                return WW_EINVAL;
            } else {
                *have = true;
                *(is_lat ? &lat : &lon) = d;
            }
        } else if (!strcmp(key, "camera_ids") || !strcmp(key, "export_ids")) {
            bool cams = key[0] == 'c';
            if (json_ids(v, cams ? &inc->camera_ids : &inc->export_ids, cams ? &inc->n_cameras : &inc->n_exports))
                rc = WW_EINVAL;
        } else {
            unsigned bit = 0;
            for (size_t i = 0; i < 5; i++) if (!strcmp(key, figs[i].key)) bit = figs[i].bit;
            if (!bit) { *why = dupf("unknown field '%s'", key); return WW_EINVAL; }
            if (json_is_null(v) || (json_is_string(v) && !*json_string_value(v))) { inc->has &= ~bit; continue; }
            if (bit == CATALOG_FIG_DRUG_GRAMS) {
                if (json_num(v, 0, 1e12, &inc->drug_grams)) rc = WW_EINVAL;
            } else {
                int64_t x;
                if (json_int(v, 0, INT64_MAX / 4, &x)) rc = WW_EINVAL;
                else if (bit == CATALOG_FIG_SUSPECTS) inc->suspects = x;
                else if (bit == CATALOG_FIG_DEATHS) inc->deaths = x;
                else if (bit == CATALOG_FIG_INJURIES) inc->injuries = x;
                else inc->damage_vnd = x;
            }
            if (!rc) inc->has |= bit;
        }
        if (rc) {
            *why = dupf("bad value for '%s'", key);
            return WW_EINVAL;
        }
    }
    if (have_lat != have_lon) { *why = ww_strdup("give both latitude and longitude, or neither"); return WW_EINVAL; }
    inc->has_pos = have_lat;
    inc->latitude = have_lat ? lat : 0;
    inc->longitude = have_lon ? lon : 0;
    return 0;
}

/* ---- writes ------------------------------------------------------------ */

static int history_add(catalog_t *cat, int64_t id, int64_t at, const char *user, const char *action,
                       json_t *diff)
{
    char *s = json_dumps(diff, JSON_COMPACT | JSON_SORT_KEYS);
    int rc = catalog_incident_history_add(cat, id, at, user, action, s);
    free(s);
    return rc;
}

int ward_incident_create(catalog_t *cat, struct catalog_incident *inc, const char *user, char **why)
{
    int rc = ward_incident_validate(cat, inc, why);
    if (rc) return rc;
    if ((rc = fill_names(cat, inc, why))) return rc;
    int64_t now = ww_wall_us();
    free(inc->created_by);
    inc->created_by = ww_strdup(user);
    inc->created_us = now;
    if ((rc = catalog_begin(cat))) return rc;
    rc = catalog_incident_add(cat, inc);
    if (rc == WW_EINVAL) *why = ww_strdup("the catalog refused the incident (a value is out of range)");
    if (!rc) {
        json_t *c = content_json(inc, ww_station_offset_min());
        rc = history_add(cat, inc->id, now, user, "created", c);
        json_decref(c);
    }
    if (!rc) rc = catalog_commit(cat);
    if (rc) catalog_rollback(cat);
    return rc;
}

int ward_incident_update(catalog_t *cat, struct catalog_incident *upd, const char *user, bool force,
                         char **why)
{
    struct catalog_incident old;
    int rc = catalog_incident_get(cat, upd->id, &old);
    if (rc == WW_ENOTFOUND) *why = ww_asprintf("no incident %lld", (long long)upd->id);
    if (rc) return rc;
    if (!ward_status_move_ok(old.status, upd->status, force)) {
        *why = ww_asprintf("status cannot move from %s to %s", catalog_inc_status_name(old.status),
                           catalog_inc_status_name(upd->status));
        catalog_incident_clear(&old);
        return WW_ECONFLICT;
    }
    if ((rc = ward_incident_validate(cat, upd, why)) || (rc = fill_names(cat, upd, why))) {
        catalog_incident_clear(&old);
        return rc;
    }
    int off = ww_station_offset_min();
    json_t *a = content_json(&old, off), *b = content_json(upd, off);
    json_t *diff = json_object();
    for (size_t i = 0; i < sizeof diff_keys / sizeof *diff_keys; i++) {
        json_t *x = json_object_get(a, diff_keys[i]), *y = json_object_get(b, diff_keys[i]);
        if (!json_equal(x, y)) json_object_set_new(diff, diff_keys[i], json_pack("[OO]", x, y));
    }
    json_decref(a);
    json_decref(b);
    if (json_object_size(diff) == 0) {  /* nothing changed: no history row */
        json_decref(diff);
        catalog_incident_clear(&old);
        return 0;
    }
    int64_t now = ww_wall_us();
    /* created_* never change; demo stays what it was. */
    free(upd->created_by);
    upd->created_by = old.created_by;
    old.created_by = NULL;
    upd->created_us = old.created_us;
    upd->demo = old.demo;
    free(upd->updated_by);
    upd->updated_by = ww_strdup(user);
    upd->updated_us = now;
    catalog_incident_clear(&old);
    if ((rc = catalog_begin(cat))) { json_decref(diff); return rc; }
    rc = catalog_incident_update(cat, upd);
    if (!rc) rc = history_add(cat, upd->id, now, user, "updated", diff);
    if (!rc) rc = catalog_commit(cat);
    if (rc) catalog_rollback(cat);
    json_decref(diff);
    return rc;
}

int ward_incident_delete(catalog_t *cat, int64_t id, const char *user)
{
    struct catalog_incident old;
    int rc = catalog_incident_get(cat, id, &old);
    if (rc) return rc;
    json_t *c = content_json(&old, ww_station_offset_min());
    catalog_incident_clear(&old);
    if ((rc = catalog_begin(cat))) { json_decref(c); return rc; }
    rc = catalog_incident_delete(cat, id);
    if (!rc) rc = history_add(cat, id, ww_wall_us(), user, "deleted", c);
    if (!rc) rc = catalog_commit(cat);
    if (rc) catalog_rollback(cat);
    json_decref(c);
    return rc;
}

json_t *ward_incident_history_json(catalog_t *cat, int64_t id, int offset_min)
{
    struct catalog_incident_change *v;
    size_t n;
    if (catalog_incident_history(cat, id, &v, &n)) return NULL;
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        char t[40];
        json_t *d = json_loads(v[i].diff, 0, NULL);
        json_array_append_new(a, json_pack("{s:I,s:s,s:s,s:s,s:o}", "id", (json_int_t)v[i].id, "at",
                                           ward_time_iso(v[i].at_us, offset_min, t, sizeof t), "user",
                                           v[i].user_name, "action", v[i].action, "diff",
                                           d ? d : json_object()));
    }
    catalog_incident_change_list_free(v, n);
    return a;
}

/* ---- categories -------------------------------------------------------- */

json_t *ward_category_json(const struct catalog_incident_category *c)
{
    json_t *figs = json_array();
    for (unsigned b = 1; b <= CATALOG_FIG_DAMAGE; b <<= 1)
        if (c->figures & b) json_array_append_new(figs, json_string(catalog_figure_name(b)));
    return json_pack("{s:I,s:s,s:s,s:s,s:o,s:b,s:i,s:b}", "id", (json_int_t)c->id, "code", c->code,
                     "name_vi", c->name_vi, "name_en", c->name_en, "figures", figs, "solvable",
                     c->solvable, "sort_order", c->sort_order, "active", c->active);
}

int ward_category_apply_json(struct catalog_incident_category *c, json_t *obj, char **why)
{
    if (!json_is_object(obj)) { *why = ww_strdup("expected a JSON object"); return WW_EINVAL; }
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        if (!strcmp(key, "id")) continue;
        if (!strcmp(key, "code") || !strcmp(key, "name_vi") || !strcmp(key, "name_en")) {
            const char *s = json_string_value(v);
            if (!s || !*s || strlen(s) > 200) { *why = dupf("'%s' must be non-empty text", key); return WW_EINVAL; }
            if (key[0] == 'c') {
                for (const char *p = s; *p; p++)
                    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) {
                        *why = ww_strdup("code may hold only a-z, 0-9 and _");
                        return WW_EINVAL;
                    }
            }
            char **dst = key[0] == 'c' ? &c->code : !strcmp(key, "name_vi") ? &c->name_vi : &c->name_en;
            free(*dst);
            *dst = ww_strdup(s);
        } else if (!strcmp(key, "figures")) {
            unsigned m = 0;
            if (json_is_string(v)) {
                if (catalog_figures_parse(json_string_value(v), &m)) { *why = ww_strdup("unknown figure name"); return WW_EINVAL; }
            } else if (json_is_array(v)) {
                size_t i;
                json_t *e;
                json_array_foreach(v, i, e) {
                    unsigned one;
                    if (!json_is_string(e) || catalog_figures_parse(json_string_value(e), &one)) {
                        *why = ww_strdup("unknown figure name (suspects, drug_grams, deaths, injuries, damage_vnd)");
                        return WW_EINVAL;
                    }
                    m |= one;
                }
            } else { *why = ww_strdup("figures must be a list"); return WW_EINVAL; }
            c->figures = m;
        } else if (!strcmp(key, "solvable") || !strcmp(key, "active")) {
            if (!json_is_boolean(v)) { *why = dupf("'%s' must be true or false", key); return WW_EINVAL; }
            *(key[0] == 's' ? &c->solvable : &c->active) = json_is_true(v);
        } else if (!strcmp(key, "sort_order")) {
            if (!json_is_integer(v)) { *why = ww_strdup("sort_order must be an integer"); return WW_EINVAL; }
            c->sort_order = (int)json_integer_value(v);
        } else {
            *why = dupf("unknown field '%s'", key);
            return WW_EINVAL;
        }
    }
    if (!c->code || !c->name_vi || !c->name_en) { *why = ww_strdup("code, name_vi and name_en are required"); return WW_EINVAL; }
    return 0;
}

/* ---- reads and category changes for api/ ----------------------------------
 * api/ parses, calls and answers; the catalog calls it needs live here
 * (issue 10 item 2), so the ward module stays the only user of
 * catalog/cat_ward_work.h's functions. */

int ward_incident_get(catalog_t *cat, int64_t id, struct catalog_incident *out)
{
    return catalog_incident_get(cat, id, out);
}

int ward_incident_search(catalog_t *cat, const struct catalog_incident_filter *f, struct catalog_incident **out,
                         size_t *n, int64_t *total)
{
    return catalog_incident_search(cat, f, out, n, total);
}

int ward_incident_list_json(catalog_t *cat, const struct catalog_incident_filter *f, int offset_min, json_t **out,
                            int64_t *total)
{
    struct catalog_incident *v;
    size_t n;
    *out = NULL;
    int rc = ward_incident_search(cat, f, &v, &n, total);
    if (rc) return rc;
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(a, ward_incident_json(&v[i], offset_min));
    catalog_incident_list_free(v, n);
    *out = a;
    return 0;
}

int ward_categories_json(catalog_t *cat, json_t **out)
{
    struct catalog_incident_category *v;
    size_t n;
    *out = NULL;
    int rc = catalog_incident_category_list(cat, &v, &n);
    if (rc) return rc;
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(a, ward_category_json(&v[i]));
    catalog_incident_category_list_free(v, n);
    *out = a;
    return 0;
}

int ward_category_create(catalog_t *cat, json_t *obj, json_t **out, char **why)
{
    struct catalog_incident_category c = {.solvable = false, .active = true, .sort_order = 500};
    *out = NULL;
    int rc = ward_category_apply_json(&c, obj, why);
    if (!rc) rc = catalog_incident_category_add(cat, &c);
    if (rc == WW_ECONFLICT) *why = ww_strdup("the code is taken");
    if (!rc) *out = ward_category_json(&c);
    catalog_incident_category_clear(&c);
    return rc;
}

int ward_category_edit(catalog_t *cat, int64_t id, json_t *obj, json_t **out, char **why)
{
    struct catalog_incident_category c;
    *out = NULL;
    int rc = catalog_incident_category_get(cat, id, &c);
    if (rc == WW_ENOTFOUND) *why = ww_strdup("no such category");
    if (rc) return rc;
    rc = ward_category_apply_json(&c, obj, why);
    if (!rc) rc = catalog_incident_category_update(cat, &c);
    if (rc == WW_ECONFLICT) *why = ww_strdup("the code is taken");
    if (!rc) *out = ward_category_json(&c);
    catalog_incident_category_clear(&c);
    return rc;
}
