/*
 * catalog/cat_community.h — the community-camera network
 * (schema/003_consent.sql and 040_community.sql): the consent register,
 * registration and connection probes (and the activation gate), camera-dark
 * alerts with their thresholds, webhooks and deliveries, availability
 * intervals, place-and-time search helpers and evidence bundles.  Owned by
 * the community module; used by community/, api/community_*.c and
 * `camera import`.
 *
 * Consent semantics (read by catalog_consent_at, catalog.h): deny by
 * default — a camera with an owner has no rights without a row in force; a
 * camera without owner and without rows is the station's own.  Once a
 * camera has rows, only the row in force at a moment grants anything.  This layer
 * keeps at most one row in force at any moment: recording an agreement ends
 * the row in force at its start, and refuses one that would overlap a later
 * row.  Rows are never deleted (withdrawal ends a row and says who and why).
 *
 * Threads: as for catalog.h — a catalog_t is used by one thread at a time.
 * Memory: structs filled here own their strings and buffers; release them
 * with the matching *_clear / *_list_free.  Errors: 0 or negative WW_E*
 * (WW_EDB was logged with SQLite's message; WW_ENOTFOUND = no such row;
 * WW_ECONFLICT = the state does not allow it; WW_EINVAL = bad values).
 */
#ifndef WW_CAT_COMMUNITY_H
#define WW_CAT_COMMUNITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog/catalog.h"

/* ---- consent register ----------------------------------------------------- */
struct catalog_consent {
    int64_t id, camera_id;
    bool live, record, export_, playback;   /* playback: watching recordings */
    int64_t from_us, until_us;     /* until 0 = until withdrawn */
    char *recorded_by;             /* username of who recorded the agreement */
    int64_t recorded_by_id;        /* users.id, 0 = CLI/unknown */
    int64_t recorded_us;
    char *note;
    int64_t withdrawn_us;          /* 0 = not withdrawn */
    char *withdrawn_by, *withdraw_note;
};
void catalog_consent_clear(struct catalog_consent *c);
void catalog_consent_list_free(struct catalog_consent *v, size_t n);
/* A camera's rows, oldest start first. */
int catalog_consent_list(catalog_t *cat, int64_t camera_id, struct catalog_consent **out, size_t *n);
int catalog_consent_get(catalog_t *cat, int64_t id, struct catalog_consent *out);
/* Records an agreement (sets c->id, c->recorded_us).  The row in force at
 * c->from_us, if any, ends there (*ended_id gets its id, else 0); a row
 * that starts later and would overlap → WW_ECONFLICT with *conflict_id.
 * Runs in the caller's transaction if one is open, else its own. */
int catalog_consent_record(catalog_t *cat, struct catalog_consent *c, int64_t *ended_id,
                           int64_t *conflict_id);
/* Ends row id at at_us (a row that had not started yet is voided: it never
 * grants anything).  WW_ECONFLICT if it already ended or was withdrawn. */
int catalog_consent_withdraw(catalog_t *cat, int64_t id, int64_t at_us, const char *by,
                             const char *note);

/* ---- registration, probes, activation ---------------------------------------- */
/* Writes (or replaces) a camera's registration row. source: "import" | "console". */
int catalog_registration_set(catalog_t *cat, int64_t camera_id, const char *source,
                             bool probe_required, const char *by);
/* WW_ENOTFOUND when the camera has no registration row (no gate). */
int catalog_registration_get(catalog_t *cat, int64_t camera_id, char **source, bool *probe_required,
                             int64_t *registered_us);

struct catalog_probe {
    int64_t id, camera_id, at_us;
    bool ok;
    char *error_code, *message, *codec, *probed_by;
    int width, height;
    int64_t elapsed_ms;
    uint8_t *jpeg;                  /* may be NULL */
    size_t jpeg_len;
};
void catalog_probe_clear(struct catalog_probe *p);
/* Appends a probe result (sets p->id).  Only the newest still per camera is
 * kept: older rows lose their JPEG. */
int catalog_probe_add(catalog_t *cat, struct catalog_probe *p);
/* The newest probe of a camera; with_jpeg also loads the still.  WW_ENOTFOUND if none. */
int catalog_probe_last(catalog_t *cat, int64_t camera_id, bool with_jpeg, struct catalog_probe *out);
/* Switches a camera on or off.  WW_ECONFLICT when the activation gate
 * refuses (probe required and the newest probe did not succeed);
 * WW_ENOTFOUND for no such camera. */
int catalog_camera_set_enabled(catalog_t *cat, int64_t camera_id, bool enabled);

/* Whether switching the camera on would be refused by the activation gate
 * (registered with probe_required and the newest probe did not succeed) —
 * for callers that want to say why an UPDATE of `enabled` failed. */
int catalog_camera_activation_blocked(catalog_t *cat, int64_t camera_id, bool *blocked);

/* An owner with exactly this name and phone (phone compared on its digits
 * only; both NULL/empty phones match).  WW_ENOTFOUND if none. */
int catalog_owner_find_contact(catalog_t *cat, const char *name, const char *phone, int64_t *id);

/* ---- alerts -------------------------------------------------------------------- */
struct catalog_alert {
    int64_t id, camera_id, ward_id;
    char *camera_name;
    int64_t since_us, raised_us, cleared_us;   /* cleared 0 = open */
    char *cleared_why, *reason;
    int64_t owner_id;
    char *owner_name, *owner_phone, *owner_kind;
};
void catalog_alert_clear(struct catalog_alert *a);
void catalog_alert_list_free(struct catalog_alert *v, size_t n);
/* Inserts a raised alert (sets a->id). */
int catalog_alert_raise(catalog_t *cat, struct catalog_alert *a);
int catalog_alert_clear_open(catalog_t *cat, int64_t id, int64_t at_us, const char *why);
int catalog_alert_get(catalog_t *cat, int64_t id, struct catalog_alert *out);
/* Alerts not cleared yet, over every camera (GET /metrics; one COUNT). */
int catalog_alert_open_count(catalog_t *cat, int64_t *n);
/* What was done about an alert (schema/047_alert_actions.sql): kind
 * "acknowledge" (at most one per alert), "call" (called_us set) or "note";
 * repair_by_us = the repair date promised, 0 = none.  Rows are never
 * changed or deleted. */
struct catalog_alert_action {
    int64_t id, alert_id, at_us, user_id;
    char *user_name, *kind, *text;
    int64_t called_us, repair_by_us;
};
void catalog_alert_action_clear(struct catalog_alert_action *a);
void catalog_alert_action_list_free(struct catalog_alert_action *v, size_t n);
/* Adds one (sets a->id).  A second acknowledgement → WW_ECONFLICT; no such
 * alert or a bad kind → WW_EINVAL. */
int catalog_alert_action_add(catalog_t *cat, struct catalog_alert_action *a);
/* An alert's actions, oldest first. */
int catalog_alert_actions(catalog_t *cat, int64_t alert_id, struct catalog_alert_action **out, size_t *n);
/* The acknowledgement of each of ids[0..n) (at_us 0 and user NULL where
 * none): out[i] matches ids[i].  For lists. */
int catalog_alert_acks(catalog_t *cat, const int64_t *ids, size_t n, struct catalog_alert_action *out);

struct catalog_alert_filter {
    const int64_t *camera_ids;   /* with all = false: only these (n may be 0 → none) */
    size_t n_cameras;
    bool all;                    /* every camera */
    bool open_only;
    int64_t from_us, to_us;      /* alerts overlapping [from, to); 0 = open end */
    size_t limit;                /* 0 → 200, at most 2000 */
};
/* Newest raised first. */
int catalog_alert_list(catalog_t *cat, const struct catalog_alert_filter *f, struct catalog_alert **out,
                       size_t *n);

/* Per-ward threshold rows; ward_id 0 is the default. */
struct catalog_alert_setting { int64_t ward_id, dark_after_s, updated_us; char *updated_by; };
void catalog_alert_setting_list_free(struct catalog_alert_setting *v, size_t n);
int catalog_alert_settings_list(catalog_t *cat, struct catalog_alert_setting **out, size_t *n);
/* The threshold for a ward (its row, else the default row, else 900 s). */
int catalog_alert_threshold(catalog_t *cat, int64_t ward_id, int64_t *seconds);
int catalog_alert_setting_set(catalog_t *cat, int64_t ward_id, int64_t seconds, const char *by);
/* Drops a ward's own row (it falls back to the default); the default stays. */
int catalog_alert_setting_reset(catalog_t *cat, int64_t ward_id);

struct catalog_webhook { int64_t id, ward_id, created_us; char *url, *created_by; bool enabled; };
void catalog_webhook_list_free(struct catalog_webhook *v, size_t n);
/* All webhooks (ward_id < 0), or the enabled ones that apply to a ward
 * (ward_id ≥ 0: those for every ward plus that ward's own). */
int catalog_webhook_list(catalog_t *cat, int64_t ward_id, struct catalog_webhook **out, size_t *n);
int catalog_webhook_add(catalog_t *cat, struct catalog_webhook *w);     /* sets w->id */
int catalog_webhook_delete(catalog_t *cat, int64_t id);

struct catalog_delivery {
    int64_t id, alert_id, webhook_id, at_us;
    char *event, *error;
    bool ok;
    int http_status, attempts;
};
void catalog_delivery_list_free(struct catalog_delivery *v, size_t n);
int catalog_delivery_add(catalog_t *cat, struct catalog_delivery *d);
/* Deliveries of one alert (alert_id > 0) or the newest `limit` overall. */
int catalog_delivery_list(catalog_t *cat, int64_t alert_id, size_t limit, struct catalog_delivery **out,
                          size_t *n);

/* ---- availability intervals ------------------------------------------------------- */
/* Opens an interval (sets *id). state: "online" | "dark". */
int catalog_uptime_open(catalog_t *cat, int64_t camera_id, const char *state, int64_t start_us,
                        int64_t end_us, int64_t *id);
int catalog_uptime_extend(catalog_t *cat, int64_t id, int64_t end_us);
struct catalog_uptime { int64_t camera_id, start_us, end_us; bool online; };
/* Intervals overlapping [from, to), clipped to it, by camera then start. */
int catalog_uptime_range(catalog_t *cat, int64_t from_us, int64_t to_us, struct catalog_uptime **out,
                         size_t *n);
int catalog_uptime_prune(catalog_t *cat, int64_t before_us);

/* ---- place search ------------------------------------------------------------------ */
/* Cameras whose position lies in a latitude/longitude box (a coarse first
 * cut before the exact distance). */
struct catalog_camera_pos {
    int64_t id, ward_id, owner_id;
    double latitude, longitude, direction_deg;  /* direction < 0 = unknown */
    char *name, *address;
    bool enabled;
};
void catalog_camera_pos_list_free(struct catalog_camera_pos *v, size_t n);
int catalog_camera_in_box(catalog_t *cat, double lat_lo, double lat_hi, double lon_lo,
                          double lon_hi, struct catalog_camera_pos **out, size_t *n);
/* Recorded time of a camera's main stream within [from, to): the sum of
 * its segments' overlaps (segments being deleted excluded), and how many
 * segments touch the window. */
int catalog_coverage(catalog_t *cat, int64_t camera_id, int64_t from_us, int64_t to_us,
                     int64_t *covered_us, int64_t *segments);

/* ---- evidence bundles ------------------------------------------------------------- */
struct catalog_bundle_item { int64_t camera_id, export_id; char *status, *reason; };
struct catalog_bundle {
    int64_t id, created_us, user_id;
    char *username;
    double latitude, longitude, radius_m;
    int64_t from_us, to_us;
    char *dir, *manifest, *manifest_sha256;
    struct catalog_bundle_item *items;
    size_t n_items;
};
void catalog_bundle_clear(struct catalog_bundle *b);
void catalog_bundle_list_free(struct catalog_bundle *v, size_t n);
/* Inserts the bundle and its items in one transaction (its own unless the
 * caller has one open); sets b->id. */
int catalog_bundle_add(catalog_t *cat, struct catalog_bundle *b);
int catalog_bundle_get(catalog_t *cat, int64_t id, struct catalog_bundle *out);
/* Newest first, with items. */
int catalog_bundle_list(catalog_t *cat, size_t limit, struct catalog_bundle **out, size_t *n);

#endif
