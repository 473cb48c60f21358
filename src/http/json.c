/*
 * json.c — request bodies: parse a JSON object and validate its fields.
 *
 * The rule for request bodies: an unknown field is an error, not something
 * to ignore, so a typo ("ward" for "ward_id") never silently does nothing.
 * Duplicate keys are refused too.  Every message names the field and says
 * what was expected, since API users read them.  String lengths count
 * characters (UTF-8 code points), because Vietnamese names are mostly
 * multi-byte; control characters other than tab and newline are refused.
 */
#include "http/internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void json_done(void *p) { json_decref(p); }

int http_req_json(struct http_req *req, const char *const *allowed, json_t **out)
{
    *out = NULL;
    size_t len;
    const char *body = http_req_body(req, &len);
    if (!len) return http_fail_field(req, WW_EINVAL, "body_required", NULL, "a JSON object body is required");
    json_error_t err;
    json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err);
    if (!j)
        return http_fail_field(req, WW_EINVAL, "not_json", NULL, "the body is not valid JSON: %s (line %d, column %d)",
                         err.text, err.line, err.column);
    http_req_on_done(req, json_done, j);
    if (!json_is_object(j)) return http_fail_field(req, WW_EINVAL, "not_json", NULL, "the body must be a JSON object");
    if (allowed) {
        const char *key;
        json_t *v;
        json_object_foreach(j, key, v) {
            bool ok = false;
            for (const char *const *a = allowed; *a && !ok; a++) ok = !strcmp(*a, key);
            if (!ok) {
                struct ww_buf b = {0};
                for (const char *const *a = allowed; *a; a++)
                    ww_buf_printf(&b, "%s%s", a == allowed ? "" : ", ", *a);
                ww_buf_append(&b, "", 1);
                http_fail_field(req, WW_EINVAL, "unknown_field", http_req_strdup(req, key), "unknown field '%.60s' (allowed: %s)", key,
                          b.data ? (const char *)b.data : "none");
                ww_buf_free(&b);
                return WW_EINVAL;
            }
        }
    }
    *out = j;
    return 0;
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) n++;
    return n;
}

static bool has_controls(const char *s)
{
    for (; *s; s++)
        if (((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n') || *s == 0x7f) return true;
    return false;
}

static int check_str(struct http_req *req, const char *key, json_t *v, size_t min_len,
                     size_t max_len, const char **out)
{
    if (!json_is_string(v))
        return http_fail_field(req, WW_EINVAL, "type", key, "field '%s' must be a string", key);
    const char *s = json_string_value(v);
    if (strlen(s) != json_string_length(v) || has_controls(s))
        return http_fail_field(req, WW_EINVAL, "control_chars", key, "field '%s' contains control characters", key);
    size_t n = utf8_chars(s);
    if (n < min_len || n > max_len) {
        if (min_len == max_len)
            return http_fail_field(req, WW_EINVAL, "length", key, "field '%s' must be %zu characters long", key, min_len);
        return http_fail_field(req, WW_EINVAL, min_len && n < min_len ? "required" : "length", key, "field '%s' must be %zu to %zu characters long (got %zu)",
                         key, min_len, max_len, n);
    }
    *out = s;
    return 1;
}

int http_json_str(struct http_req *req, json_t *obj, const char *key, bool required,
                  size_t min_len, size_t max_len, const char **out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) return required ? http_fail_field(req, WW_EINVAL, "required", key, "field '%s' is required", key) : 0;
    return check_str(req, key, v, min_len, max_len, out);
}

int http_json_str_or_null(struct http_req *req, json_t *obj, const char *key, size_t max_len,
                          const char **out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) return 0;
    if (json_is_null(v)) { *out = NULL; return 1; }
    return check_str(req, key, v, 0, max_len, out);
}

int http_json_i64(struct http_req *req, json_t *obj, const char *key, bool required, int64_t lo,
                  int64_t hi, int64_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) return required ? http_fail_field(req, WW_EINVAL, "required", key, "field '%s' is required", key) : 0;
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
        return http_fail_field(req, WW_EINVAL, "range", key, "field '%s' must be a whole number from %lld to %lld",
                         key, (long long)lo, (long long)hi);
    *out = json_integer_value(v);
    return 1;
}

int http_json_id_or_null(struct http_req *req, json_t *obj, const char *key, int64_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) return 0;
    if (json_is_null(v)) { *out = 0; return 1; }
    if (!json_is_integer(v) || json_integer_value(v) < 1)
        return http_fail_field(req, WW_EINVAL, "type", key, "field '%s' must be an id (a positive whole number) or"
                                         " null", key);
    *out = json_integer_value(v);
    return 1;
}

int http_json_double(struct http_req *req, json_t *obj, const char *key, bool required, double lo,
                     double hi, double *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) return required ? http_fail_field(req, WW_EINVAL, "required", key, "field '%s' is required", key) : 0;
    double d = json_is_number(v) ? json_number_value(v) : NAN;
    if (!json_is_number(v) || !isfinite(d) || d < lo || d > hi)
        return http_fail_field(req, WW_EINVAL, "range", key, "field '%s' must be a number from %g to %g", key, lo, hi);
    *out = d;
    return 1;
}

int http_json_bool(struct http_req *req, json_t *obj, const char *key, bool required, bool *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) return required ? http_fail_field(req, WW_EINVAL, "required", key, "field '%s' is required", key) : 0;
    if (!json_is_boolean(v))
        return http_fail_field(req, WW_EINVAL, "type", key, "field '%s' must be true or false", key);
    *out = json_is_true(v);
    return 1;
}
