/*
 * api/community_shared.h — private to src/api/community*.c: the pieces the
 * community resources share (registration entry points and JSON helpers).
 * Not part of api.h's surface; nothing else includes it.
 */
#ifndef WW_API_COMMUNITY_SHARED_H
#define WW_API_COMMUNITY_SHARED_H

#include "api/api.h"
#include "catalog/cat_community.h"

int api_community_consent_register(struct http_server *srv, const struct api_ctx *ctx);
int api_community_alerts_register(struct http_server *srv, const struct api_ctx *ctx);
int api_community_search_register(struct http_server *srv, const struct api_ctx *ctx);

/* A JSON body field that is a time: ISO 8601 (station offset when none) or
 * epoch seconds.  required=false and absent → 0 with *out untouched;
 * present → 1; bad → WW_EINVAL (message set). */
int community_json_time(struct http_req *req, json_t *body, const char *key, bool required,
                        int64_t *out);
/* The consent row as the API shows it. */
json_t *community_consent_json(const struct catalog_consent *c, int64_t now_us);
/* What the camera may be used for now: {"register","live","record","export","until"}. */
json_t *community_consent_now_json(catalog_t *cat, int64_t camera_id, int64_t now_us);
/* The newest probe (without its still) or null. */
json_t *community_probe_json(catalog_t *cat, int64_t camera_id);
/* Whether the caller may see owners' contact data (name/phone) of a camera:
 * admin, province, officer in scope, the owner themself. */
bool community_may_see_owner(struct http_req *req, int64_t ward_id, int64_t owner_id);

#endif
