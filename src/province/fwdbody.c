/*
 * province/fwdbody.c — the hub's check of a body it forwards in a POST to a
 * station (issue 15: an export or a place bundle made through the hub;
 * docs/province.md "Hub → station requests").  Pure: JSON in, JSON out, so
 * the route, `hub fetch --post`, the unit tests and the fuzzer
 * (tests/fuzz/fuzz_hubsign.c) share it.  The station checks the values
 * again; this keeps anything but the route's own keys from leaving the hub
 * under its signature, and re-serialises so what is signed is what was
 * checked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "http/http.h"
#include "province/province.h"

/* What a key of a forwarded POST body may hold. */
enum post_type { PT_TIME, PT_STR, PT_NUM, PT_IDS, PT_STR_OR_NULL };
struct post_key { const char *name; enum post_type type; };

static bool post_value_ok(const json_t *v, enum post_type t)
{
    switch (t) {
    case PT_TIME: return json_is_string(v) || json_is_number(v);
    case PT_STR: return json_is_string(v);
    case PT_NUM: return json_is_number(v);
    case PT_STR_OR_NULL: return json_is_string(v) || json_is_null(v);
    case PT_IDS:
        if (json_is_null(v)) return true;
        if (!json_is_array(v) || json_array_size(v) > 1000) return false;
        for (size_t i = 0; i < json_array_size(v); i++)
            if (!json_is_integer(json_array_get(v, i)) || json_integer_value(json_array_get(v, i)) <= 0) return false;
        return true;
    }
    return false;
}

char *prov_forward_post_body(const char *target, const char *body, size_t n, char *err, size_t errn)
{
    static const struct post_key export_keys[] = {{"from", PT_TIME}, {"to", PT_TIME}, {"stream", PT_STR}, {0}};
    static const struct post_key bundle_keys[] = {
        {"lat", PT_NUM}, {"lon", PT_NUM}, {"radius_m", PT_NUM}, {"from", PT_TIME}, {"to", PT_TIME},
        {"camera_ids", PT_IDS}, {"note", PT_STR_OR_NULL}, {0}};
    if (!http_hub_post_target_ok(target)) {
        snprintf(err, errn, "the hub forwards a POST only to a camera's exports and the place bundle");
        return NULL;
    }
    const struct post_key *keys = strstr(target, "/exports") ? export_keys : bundle_keys;
    if (!body || n == 0 || n > HTTP_HUB_BODY_MAX) {
        snprintf(err, errn, "the body must be one JSON object of at most %d bytes", HTTP_HUB_BODY_MAX);
        return NULL;
    }
    json_error_t je;
    json_t *j = json_loadb(body, n, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(j)) {
        snprintf(err, errn, "the body is not a JSON object%s%s", j ? "" : ": ", j ? "" : je.text);
        json_decref(j);
        return NULL;
    }
    const char *k;
    json_t *v;
    json_object_foreach(j, k, v) {
        const struct post_key *pk = keys;
        while (pk->name && strcmp(pk->name, k)) pk++;
        if (!pk->name || !post_value_ok(v, pk->type)) {
            snprintf(err, errn, pk->name ? "field '%.40s' has the wrong type" : "unknown field '%.40s'", k);
            json_decref(j);
            return NULL;
        }
    }
    char *out = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    if (!out || strlen(out) > HTTP_HUB_BODY_MAX) {
        free(out);
        snprintf(err, errn, "the body is too large");
        return NULL;
    }
    return out;
}
