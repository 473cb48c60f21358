/*
 * ward_evidence.c — an incident's case file (issue 13 item 3): what
 * belongs to it and the chain of custody of each piece, as JSON for
 * GET /api/v1/incidents/{id}/evidence.
 *
 * What belongs (the rules live here, not in api/):
 *   - holds whose incident_id is the incident;
 *   - the exports linked to the incident;
 *   - bundles that contain one of those exports;
 *   - motion events of the incident's cameras within CASE_WINDOW_US either
 *     side of when it occurred (at most 200);
 *   - the notes officers wrote in it (append-only), oldest first.
 * Custody of each hold, export and bundle: every audit row about it, oldest
 * first (catalog_audit_about_query: its creation, views, downloads,
 * verifications, hold changes), and the result of walking the whole
 * hash chain, so a reader knows whether those rows can be trusted.
 */
#include "ward/ward.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/cat_audit.h"
#include "catalog/cat_community.h"
#include "catalog/cat_events.h"
#include "catalog/cat_evidence.h"

#define CASE_WINDOW_US (3600LL * 1000000)

static json_t *time_or_null(int64_t us, int off)
{
    char b[40];
    return us ? json_string(ward_time_vi(us, off, b, sizeof b)) : json_null();
}

static json_t *custody_rows(catalog_t *cat, const struct catalog_audit_about *q, int off)
{
    struct catalog_audit *v;
    size_t n;
    if (catalog_audit_about_query(cat, q, &v, &n)) return json_null();
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *d = v[i].detail ? json_loads(v[i].detail, 0, NULL) : NULL;
        json_array_append_new(arr, json_pack("{s:I,s:I,s:o,s:s,s:s?,s:I,s:o,s:s}", "id", (json_int_t)v[i].id,
            "at_us", (json_int_t)v[i].at_us, "at", time_or_null(v[i].at_us, off), "action", v[i].action, "user",
            v[i].username, "camera_id", (json_int_t)v[i].camera_id, "detail", d ? d : json_null(), "hash",
            v[i].hash));
    }
    catalog_audit_list_free(v, n);
    return arr;
}

static bool has_export(const struct catalog_incident *inc, int64_t id)
{
    for (size_t i = 0; i < inc->n_exports; i++)
        if (inc->export_ids[i] == id) return true;
    return false;
}

static void add_holds(catalog_t *cat, const struct catalog_incident *inc, int off, json_t *items)
{
    struct catalog_hold *h;
    size_t n;
    if (catalog_hold_list(cat, 0, false, &h, &n)) return;
    for (size_t i = 0; i < n; i++) {
        if (h[i].incident_id != inc->id) continue;
        struct catalog_audit_about q = {.id_key = "hold_id", .id = h[i].id};
        json_array_append_new(items, json_pack("{s:s,s:I,s:I,s:o,s:o,s:s,s:n,s:s?,s:o,s:I,s:b,s:o}", "kind", "hold",
            "id", (json_int_t)h[i].id, "camera_id", (json_int_t)h[i].camera_id, "from", time_or_null(h[i].from_us, off),
            "to", time_or_null(h[i].to_us, off), "reason", h[i].reason ? h[i].reason : "", "sha256", "created_by",
            h[i].created_by, "created", time_or_null(h[i].created_us, off), "held_bytes", (json_int_t)h[i].held_bytes,
            "released", h[i].released_us != 0, "custody", custody_rows(cat, &q, off)));
    }
    catalog_hold_list_free(h, n);
}

static void add_exports(catalog_t *cat, const struct catalog_incident *inc, int off, json_t *items)
{
    for (size_t i = 0; i < inc->n_exports; i++) {
        struct catalog_export e;
        if (catalog_export_get(cat, inc->export_ids[i], &e)) continue;
        struct catalog_audit_about q = {.id_key = "export_id", .id = e.id, .action = CATALOG_AUDIT_EXPORT,
                                        .camera_id = e.camera_id, .from_us = e.from_us, .to_us = e.to_us,
                                        .before_us = e.created_us};
        json_t *o = json_pack("{s:s,s:I,s:I,s:o,s:o,s:s?,s:s?,s:o,s:I,s:o}", "kind", "export", "id", (json_int_t)e.id,
            "camera_id", (json_int_t)e.camera_id, "from", time_or_null(e.from_us, off), "to",
            time_or_null(e.to_us, off), "sha256", e.sha256, "created_by", e.username, "created",
            time_or_null(e.created_us, off), "bytes", (json_int_t)e.bytes, "custody", custody_rows(cat, &q, off));
        json_object_set_new(o, "from_us", json_integer(e.from_us));
        json_object_set_new(o, "to_us", json_integer(e.to_us));
        json_object_set_new(o, "created_us", json_integer(e.created_us));
        json_array_append_new(items, o);
        catalog_export_clear(&e);
    }
}

static void add_bundles(catalog_t *cat, const struct catalog_incident *inc, int off, json_t *items)
{
    struct catalog_bundle *b;
    size_t n;
    if (!inc->n_exports || catalog_bundle_list(cat, 1000, &b, &n)) return;
    for (size_t i = 0; i < n; i++) {
        bool ours = false;
        for (size_t k = 0; k < b[i].n_items && !ours; k++) ours = has_export(inc, b[i].items[k].export_id);
        if (!ours) continue;
        struct catalog_audit_about q = {.id_key = "bundle_id", .id = b[i].id, .text_key = "bundle", .text = b[i].dir};
        json_array_append_new(items, json_pack("{s:s,s:I,s:s?,s:o,s:o,s:s?,s:s?,s:o,s:I,s:o}", "kind", "bundle",
            "id", (json_int_t)b[i].id, "folder", b[i].dir, "from", time_or_null(b[i].from_us, off), "to",
            time_or_null(b[i].to_us, off), "sha256", b[i].manifest_sha256, "created_by", b[i].username, "created",
            time_or_null(b[i].created_us, off), "files", (json_int_t)b[i].n_items, "custody",
            custody_rows(cat, &q, off)));
    }
    catalog_bundle_list_free(b, n);
}

static void add_notes(catalog_t *cat, const struct catalog_incident *inc, int off, json_t *items)
{
    struct catalog_incident_note *v;
    size_t n;
    if (catalog_incident_note_list(cat, inc->id, &v, &n)) return;
    for (size_t i = 0; i < n; i++) {
        struct catalog_audit_about q = {.id_key = "note_id", .id = v[i].id};
        json_array_append_new(items, json_pack("{s:s,s:I,s:s,s:n,s:s,s:o,s:o}", "kind", "note", "id",
            (json_int_t)v[i].id, "text", v[i].text, "sha256", "created_by", v[i].user_name, "created",
            time_or_null(v[i].at_us, off), "custody", custody_rows(cat, &q, off)));
    }
    catalog_incident_note_list_free(v, n);
}

int ward_case_note_add(catalog_t *cat, const struct catalog_incident *inc, int64_t user_id, const char *user_name,
                       const char *text, int64_t *note_id)
{
    if (!text) return WW_EINVAL;
    while (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r') text++;
    size_t len = strlen(text);
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\n' || text[len - 1] == '\r'))
        len--;
    char *t = strndup(text, len);
    if (!t) return -ENOMEM;
    struct catalog_incident_note n = {.incident_id = inc->id, .user_id = user_id, .user_name = (char *)user_name,
                                      .text = t};
    int rc = catalog_incident_note_add(cat, &n);
    free(t);
    if (!rc) *note_id = n.id;
    return rc;
}

static json_t *events_of(catalog_t *cat, const struct catalog_incident *inc, int off)
{
    json_t *arr = json_array();
    if (!inc->n_cameras || !inc->occurred_at) return arr;
    struct catalog_event_filter f = {.camera_ids = inc->camera_ids, .n_cameras = inc->n_cameras,
                                     .from_us = inc->occurred_at - CASE_WINDOW_US,
                                     .to_us = inc->occurred_at + CASE_WINDOW_US, .limit = 200};
    struct catalog_event *v;
    size_t n;
    if (inc->n_cameras > CATALOG_EVENT_MAX_FILTER_CAMERAS || catalog_event_query(cat, &f, &v, &n)) return arr;
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:I,s:I,s:o,s:o,s:f,s:s}", "id", (json_int_t)v[i].id, "camera_id",
            (json_int_t)v[i].camera_id, "start", time_or_null(v[i].start_us, off), "end",
            time_or_null(v[i].end_us, off), "peak_score", v[i].peak_score, "zone", v[i].zone ? v[i].zone : ""));
    catalog_event_list_free(v, n);
    return arr;
}

int ward_case_file_json(catalog_t *cat, const struct catalog_incident *inc, int offset_min, json_t **out)
{
    json_t *items = json_array();
    add_holds(cat, inc, offset_min, items);
    add_exports(cat, inc, offset_min, items);
    add_bundles(cat, inc, offset_min, items);
    add_notes(cat, inc, offset_min, items);
    int64_t rows = 0, bad = 0;
    const char *why = NULL;
    int rc = catalog_audit_verify(cat, &rows, &bad, &why);
    if (rc && rc != WW_ECORRUPT) { json_decref(items); return rc; }
    json_t *chain = json_pack("{s:b,s:I,s:o,s:s?}", "ok", rc == 0, "rows", (json_int_t)rows, "bad_row",
                              bad ? json_integer(bad) : json_null(), "why", why);
    *out = json_pack("{s:{s:I,s:I,s:o,s:s?,s:s?},s:o,s:o,s:o}", "incident", "id", (json_int_t)inc->id, "ward_id",
                     (json_int_t)inc->ward_id, "occurred", time_or_null(inc->occurred_at, offset_min), "summary",
                     inc->summary, "address", inc->address, "items", items, "events", events_of(cat, inc, offset_min),
                     "chain", chain);
    return 0;
}
