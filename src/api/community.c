/*
 * community.c — the community-camera network's resources, registered as
 * one ("community") in api.c's table:
 *   community_consent.c  consent register, connection probe, activation
 *   community_alerts.c   camera-dark alerts, thresholds, webhooks, availability
 *   community_search.c   the map's camera list and tile setting, "what was
 *                        seen here at that time", evidence bundles
 * and the JSON helpers they share (below).  Routes and rules: docs/api.md,
 * section "Community cameras".
 */
#include "api/community_shared.h"

#include <string.h>

#include "community/community.h"

int api_community_register(struct http_server *srv, const struct api_ctx *ctx)
{
    int rc = api_community_consent_register(srv, ctx);
    rc = rc ? rc : api_community_alerts_register(srv, ctx);
    rc = rc ? rc : api_community_search_register(srv, ctx);
    return rc;
}

int community_json_time(struct http_req *req, json_t *body, const char *key, bool required,
                        int64_t *out)
{
    json_t *v = json_object_get(body, key);
    if (!v || json_is_null(v)) {
        if (required) return http_fail(req, WW_EINVAL, "field '%s' is required (a time)", key);
        return 0;
    }
    if (json_is_string(v) && ww_parse_time(json_string_value(v), ww_station_offset_min(), out) == 0)
        return 1;
    if (json_is_number(v) && json_number_value(v) > 0 && json_number_value(v) < 4102444800.0) {
        *out = (int64_t)(json_number_value(v) * 1e6);
        return 1;
    }
    return http_fail(req, WW_EINVAL, "field '%s' must be a time (ISO 8601 or seconds since 1970)", key);
}

json_t *community_consent_json(const struct catalog_consent *c, int64_t now_us)
{
    bool voided = c->withdrawn_us && c->until_us && c->until_us <= c->from_us + 1;
    const char *status = voided ? "void"
                       : c->from_us > now_us ? "future"
                       : c->until_us && c->until_us <= now_us ? (c->withdrawn_us ? "withdrawn" : "ended")
                       : "in_force";
    return json_pack("{s:I,s:I,s:b,s:b,s:b,s:b,s:o,s:o,s:I,s:o,s:s,s:s,s:o,s:s?,s:o,s:s?,s:s?}",
                     "id", (json_int_t)c->id, "camera_id", (json_int_t)c->camera_id, "live", c->live, "record",
                     c->record, "export", c->export_, "playback", c->playback, "from", api_time(c->from_us), "until",
                     api_time(c->until_us), "from_us", (json_int_t)c->from_us, "until_us",
                     c->until_us ? json_integer(c->until_us) : json_null(), "status", status, "recorded_by",
                     c->recorded_by ? c->recorded_by : "", "recorded_at", api_time(c->recorded_us), "note", c->note,
                     "withdrawn_at", api_time(c->withdrawn_us), "withdrawn_by", c->withdrawn_by, "withdraw_note",
                     c->withdraw_note);
}

json_t *community_consent_now_json(catalog_t *cat, int64_t camera_id, int64_t now_us)
{
    struct catalog_consent_now cn;
    if (community_consent_state(cat, camera_id, now_us, &cn)) return json_null();
    return json_pack("{s:b,s:b,s:b,s:b,s:b,s:b,s:b,s:o}", "register", cn.has_rows, "station_own",
                     cn.station_own, "in_force", cn.in_force, "live", cn.live, "record", cn.record,
                     "export", cn.export_, "playback", cn.playback, "until",
                     api_time(cn.has_rows ? cn.until_us : 0));
}

json_t *community_probe_json(catalog_t *cat, int64_t camera_id)
{
    struct catalog_probe p;
    if (catalog_probe_last(cat, camera_id, false, &p)) return json_null();
    json_t *o = json_pack("{s:I,s:b,s:o,s:s?,s:s?,s:s?,s:I,s:s?}", "id", (json_int_t)p.id, "ok", p.ok,
                          "at", api_time(p.at_us), "error_code", p.error_code, "message", p.message,
                          "codec", p.codec, "elapsed_ms", (json_int_t)p.elapsed_ms, "probed_by",
                          p.probed_by);
    json_object_set_new(o, "width", p.width > 0 ? json_integer(p.width) : json_null());
    json_object_set_new(o, "height", p.height > 0 ? json_integer(p.height) : json_null());
    catalog_probe_clear(&p);
    return o;
}

bool community_may_see_owner(struct http_req *req, int64_t ward_id, int64_t owner_id)
{
    struct community_user cu;
    const struct http_user *u = http_req_user(req);
    if (!u) return false;
    cu = (struct community_user){.id = u->id, .role = u->role, .ward_id = u->ward_id, .owner_id = u->owner_id};
    return community_sees_owner(&cu, ward_id, owner_id);
}
