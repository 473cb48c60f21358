/*
 * catalog/cat_evidence.h — holds (schema/043_holds.sql): footage that
 * retention must keep.  Owned by the evidence work (cli/hold.c and the
 * retention in record/); retention reads it only through
 * catalog_segment_oldest, which never returns a held segment.
 *
 * A hold is in force from its creation while released_us is NULL and
 * until_us is ahead.  It keeps every segment of its camera that overlaps
 * [from_us, to_us).  Rows are never deleted.
 *
 * Threads and memory: as catalog.h (one thread per catalog_t; structs
 * filled here own their strings: catalog_hold_clear / catalog_hold_list_free).
 */
#ifndef WW_CAT_EVIDENCE_H
#define WW_CAT_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog/catalog.h"

#define CATALOG_HOLD_DEFAULT_DAYS 90

struct catalog_hold {
    int64_t id, camera_id, from_us, to_us, incident_id /* 0 = none */, until_us;
    char *reason, *created_by, *released_by, *release_reason;
    int64_t created_us, created_by_id, released_us /* 0 = not released */;
    int64_t held_bytes, held_segments;   /* filled by list/get: what it keeps now */
};
void catalog_hold_clear(struct catalog_hold *h);
void catalog_hold_list_free(struct catalog_hold *v, size_t n);
/* Places a hold (sets h->id, h->created_us; until_us 0 → 90 days from
 * now).  WW_EINVAL for a bad range or reason, WW_ENOTFOUND for no camera. */
int catalog_hold_add(catalog_t *cat, struct catalog_hold *h);
/* camera_id 0 = every camera; in_force_only skips released/expired. */
int catalog_hold_list(catalog_t *cat, int64_t camera_id, bool in_force_only, struct catalog_hold **out,
                      size_t *n);
int catalog_hold_get(catalog_t *cat, int64_t id, struct catalog_hold *out);
/* WW_ECONFLICT when already released or expired. */
int catalog_hold_release(catalog_t *cat, int64_t id, const char *by, const char *reason);
/* Bytes and segments under holds in force (camera 0 = all). */
int catalog_held_bytes(catalog_t *cat, int64_t camera_id, int64_t *bytes, int64_t *segments);

/* ---- notes in an incident's case file (schema/048_incident_notes.sql) ----
 * Append-only: a note is never changed or deleted. */
struct catalog_incident_note {
    int64_t id, incident_id, at_us, user_id /* 0 = unknown */;
    char *user_name, *text;
};
void catalog_incident_note_list_free(struct catalog_incident_note *v, size_t n);
/* Sets n->id and n->at_us.  WW_EINVAL for an empty or too long text (1..4000
 * bytes), WW_ENOTFOUND for no such incident. */
int catalog_incident_note_add(catalog_t *cat, struct catalog_incident_note *n);
/* The incident's notes, oldest first. */
int catalog_incident_note_list(catalog_t *cat, int64_t incident_id, struct catalog_incident_note **out, size_t *n);

#endif
