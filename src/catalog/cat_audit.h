/*
 * catalog/catalog_audit.h — the tamper-evident audit trail (schema/011_audit.sql).
 *
 * Every look at a resident's camera (live view, playback, export), every
 * sign-in and every change of users or cameras is one row.  Rows form a hash
 * chain: hash = SHA-256(prev_hash ‖ canonical fields), so changing, removing
 * or reordering a row is found by catalog_audit_verify, which names the first
 * row that does not fit.  The chain proves order and integrity, not that the
 * newest rows were never cut off wholesale by someone who also rewrites the
 * 'audit.head' setting — for that, copy the head elsewhere (printed by
 * `wardwatch audit verify`).
 *
 * Writers: HTTP handlers call http_audit() (http.h), which fills the user
 * and client address from the request and lands here; other code (CLI,
 * export) calls catalog_audit_append directly.  Appends from any number of
 * threads and processes are serialised by SQLite's write lock (BEGIN
 * IMMEDIATE): the predecessor's hash is read inside the same transaction that
 * writes the new row, so two writers can never chain onto the same row.
 *
 * Threads/memory/errors: as for catalog.h.
 */
#ifndef WW_CAT_AUDIT_H
#define WW_CAT_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog/catalog.h"

#define CATALOG_AUDIT_HASH_HEX 65   /* 64 hex digits + NUL */

/* Well-known actions (any short [a-z_] word is accepted). */
#define CATALOG_AUDIT_LIVE_VIEW     "live_view"
#define CATALOG_AUDIT_PLAYBACK      "playback"
#define CATALOG_AUDIT_EXPORT        "export"
#define CATALOG_AUDIT_LOGIN         "login"
#define CATALOG_AUDIT_LOGIN_FAILED  "login_failed"
#define CATALOG_AUDIT_LOGOUT        "logout"
#define CATALOG_AUDIT_USER_CHANGE   "user_change"
#define CATALOG_AUDIT_CAMERA_CHANGE "camera_change"
#define CATALOG_AUDIT_OWNER_CHANGE  "owner_change"
#define CATALOG_AUDIT_WARD_CHANGE   "ward_change"
/* The end of a live view (api/view_end.c): same user and camera as its
 * live_view row, range [the view's start, its end]; range_from_us equals
 * the live_view row's range_from_us, which is how the two are paired. */
#define CATALOG_AUDIT_LIVE_VIEW_END "live_view_end"

struct catalog_audit {
    int64_t id, at_us;                 /* set by append (at_us kept if given) */
    int64_t user_id;                   /* 0 = none (system, failed sign-in) */
    char *username;                    /* NULL = none */
    char *action;                      /* required: 1..32 of [a-z_] */
    int64_t camera_id;                 /* 0 = none */
    int64_t range_from_us, range_to_us;/* footage range looked at; 0 = none */
    char *client_addr;                 /* NULL = local (CLI) */
    char *detail;                      /* JSON text or NULL, stored verbatim */
    char prev_hash[CATALOG_AUDIT_HASH_HEX], hash[CATALOG_AUDIT_HASH_HEX];
};
void catalog_audit_clear(struct catalog_audit *a);
void catalog_audit_list_free(struct catalog_audit *v, size_t n);

/* Appends a row: sets a->id, a->at_us (now, unless given), prev_hash and
 * hash.  Uses its own IMMEDIATE transaction, or the caller's if one is open
 * (it must then be a write transaction, i.e. catalog_begin's).  The string
 * fields are only read.  WW_EINVAL for a missing/odd action. */
int catalog_audit_append(catalog_t *cat, struct catalog_audit *a);

/* Filters for catalog_audit_query; zero = no filter.  Newest first. */
struct catalog_audit_filter {
    int64_t camera_id, user_id;
    int64_t owner_id;          /* rows about cameras this owner has now */
    const char *action;
    int64_t from_us, to_us;    /* at_us in [from, to) */
    int64_t before_id;         /* paging cursor: rows with id < before_id */
    size_t limit;              /* 0 → 100; at most 1000 */
};
int catalog_audit_query(catalog_t *cat, const struct catalog_audit_filter *f, struct catalog_audit **out,
                        size_t *n);

/* Walks the whole chain.  Returns 0 with *rows = number verified, or
 * WW_ECORRUPT with *bad_id = the first row that does not fit and *why a
 * static phrase ("hash mismatch", "broken link", …); other errors as usual. */
/* The rows about one piece of evidence (the case file's chain of custody),
 * oldest first, at most 1000: detail.<id_key> = id, or detail.<text_key> =
 * text, or the last row of this action on this camera and exact range at
 * or before before_us (each part off when its key/action is NULL). */
struct catalog_audit_about {
    const char *id_key; int64_t id;
    const char *text_key; const char *text;
    const char *action; int64_t camera_id, from_us, to_us, before_us;
};
int catalog_audit_about_query(catalog_t *cat, const struct catalog_audit_about *a, struct catalog_audit **out,
                              size_t *n);
int catalog_audit_verify(catalog_t *cat, int64_t *rows, int64_t *bad_id, const char **why);

/* The chain's hash of row a given its predecessor's hash (hex), into out
 * (hex).  Pure; exposed for tests and for auditors who re-check by hand.
 * Byte layout: prev_hex, then per field in order id, at_us, user_id,
 * username, action, camera_id, range_from_us, range_to_us, client_addr,
 * detail: "-," for none, else "<len>:<bytes>," (integers in decimal). */
void catalog_audit_hash(const struct catalog_audit *a, const char *prev_hex, char out[CATALOG_AUDIT_HASH_HEX]);

/* When the live view of camera_id by user_id that started at start_us
 * ended: *end_us = the range end of its live_view_end row, or 0 while none
 * was written (still open, or the server stopped without writing it). */
int catalog_audit_view_end(catalog_t *cat, int64_t camera_id, int64_t user_id, int64_t start_us, int64_t *end_us);

#endif
