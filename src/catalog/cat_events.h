/*
 * catalog/cat_events.h — motion events, their thumbnails and per-camera
 * motion settings (schema/020_motion.sql).  Owned by the motion module's
 * author; used by the motion pipeline (insert), the API and the CLI (query).
 *
 * Threads: as for catalog.h — a catalog_t is used by one thread at a time.
 * Memory: structs filled here own their strings/buffers; release them with
 * the matching *_free / *_clear.  Errors: 0 or negative WW_E* (WW_EDB was
 * logged with SQLite's message).
 */
#ifndef WW_CAT_EVENTS_H
#define WW_CAT_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog/catalog.h"

/* An event may last at most this long (the detector cuts longer ones); the
 * bound is what makes "events overlapping [from, to)" an index range. */
#define CATALOG_EVENT_MAX_US (3600LL * 1000000)

struct catalog_event {
    int64_t id, camera_id, stream_id;   /* stream_id 0 = unknown */
    int64_t start_us, end_us, peak_us;  /* wall clock, UTC */
    double peak_score;                  /* 0..1 */
    char *zone;                         /* "" when none */
    bool has_thumbnail;                 /* filled by queries */
};
void catalog_event_clear(struct catalog_event *e);
void catalog_event_list_free(struct catalog_event *v, size_t n);

/* Inserts ev (sets ev->id) and, when jpeg_len > 0, its thumbnail, in one
 * transaction of its own unless the caller has one open.  WW_EINVAL for
 * times out of order, an event longer than CATALOG_EVENT_MAX_US or a score
 * outside 0..1. */
int catalog_event_add(catalog_t *cat, struct catalog_event *ev, const uint8_t *jpeg, size_t jpeg_len);
/* Inserts n events without thumbnails with one prepared statement, in one
 * transaction (its own unless the caller has one open); sets each id.  All
 * or nothing: on error none is kept (when the transaction is ours). */
int catalog_event_add_batch(catalog_t *cat, struct catalog_event *v, size_t n);

/* Filters for catalog_event_query.  Zero-initialise, then set what you need.
 * Paging: either offset, or (better for deep pages) the keyset cursor —
 * pass the last row's (start_us, id) of the previous page as
 * (before_start_us, before_id).  Results are newest first (start_us DESC,
 * id DESC). */
struct catalog_event_filter {
    const int64_t *camera_ids;  /* NULL/0 = all cameras */
    size_t n_cameras;           /* ≤ CATALOG_EVENT_MAX_FILTER_CAMERAS */
    const char *zone;           /* NULL = any */
    int64_t from_us, to_us;     /* events overlapping [from, to); 0 = open end */
    double min_score;           /* 0 = any */
    size_t limit;               /* 0 → 100; at most 1000 */
    size_t offset;
    int64_t before_start_us;    /* cursor; 0 = first page */
    int64_t before_id;
};
#define CATALOG_EVENT_MAX_FILTER_CAMERAS 1000
int catalog_event_query(catalog_t *cat, const struct catalog_event_filter *f,
                        struct catalog_event **out, size_t *n);
/* Number of events matching f (limit/offset/cursor ignored). */
int catalog_event_count(catalog_t *cat, const struct catalog_event_filter *f, int64_t *count);
int catalog_event_get(catalog_t *cat, int64_t id, struct catalog_event *out);   /* WW_ENOTFOUND */
/* The event's JPEG; *jpeg is heap memory the caller frees.  WW_ENOTFOUND
 * if the event has none. */
int catalog_event_thumbnail(catalog_t *cat, int64_t id, uint8_t **jpeg, size_t *len);
/* Deletes a camera's events (camera_id 0 = all cameras) that started before
 * before_us; *deleted (may be NULL) gets the count.  Retention calls this. */
int catalog_event_prune(catalog_t *cat, int64_t camera_id, int64_t before_us, int64_t *deleted);

/* ---- per-camera motion settings -----------------------------------------
 * Field meanings and ranges are motion_options[] (motion/motion.h); the
 * catalog only stores them (and checks the ranges the schema knows). */
struct catalog_motion_settings {
    int64_t camera_id;
    bool enabled;
    int sensitivity;
    double min_area_pct;
    double rate_fps;
    bool keyframes_only;
    char *zones_json;           /* NULL = no zones (whole frame) */
    int64_t updated_us;
};
void catalog_motion_settings_clear(struct catalog_motion_settings *s);
/* WW_ENOTFOUND when the camera has no row yet (use the defaults). */
int catalog_motion_settings_get(catalog_t *cat, int64_t camera_id, struct catalog_motion_settings *out);
/* Insert or replace; sets updated_us. */
int catalog_motion_settings_set(catalog_t *cat, struct catalog_motion_settings *s);

#endif
