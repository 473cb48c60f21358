/*
 * relay/relay.h — the station side of the province: the publisher that
 * drains the catalog's outbox (catalog/cat_outbox.h) to the broker over MQTT
 * (docs/province.md, message format v1).
 *
 * One thread of its own with its own catalog connection; libmosquitto runs
 * its network loop in a second thread (mosquitto_loop_start).  Nothing in
 * recording or HTTP waits on either: the outbox rows are written by the
 * catalog's triggers, and the publisher only reads them and marks them sent
 * on the broker's PUBACK.  The thread polls the settings every 2 s, so a
 * `station join` done while serve runs is picked up without a restart.
 *
 * Ownership: relay_start returns a handle that relay_stop joins and frees.
 * relay_stats may be called from any thread.
 */
#ifndef WW_RELAY_H
#define WW_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct relay;

struct relay_stats {
    bool joined;
    bool connected;
    int64_t backlog;   /* unsent outbox rows */
    int64_t last_sent; /* highest seq the broker acknowledged */
};

/* db_path: the catalog; mqtt_override: "mqtt://HOST:PORT" that wins over the
 * setting province.mqtt (serve --mqtt), or NULL.  0 or -errno. */
int relay_start(const char *db_path, const char *mqtt_override, struct relay **out);
void relay_stop(struct relay *r); /* NULL is a no-op */
void relay_stats(struct relay *r, struct relay_stats *out);

/* Splits "mqtt://HOST:PORT" (port default 1883).  host is heap text.
 * 0 or WW_EINVAL. */
int relay_parse_url(const char *url, char **host, int *port);

/* ---- reviews the hub writes back (docs/province.md, "Reviews written back") ----
 * The hub publishes on wardwatch/<station>/ctl/review the message
 *   {"v":1,"op":"review","body":"<JSON text>","sig":"<base64 Ed25519 of body>"}
 * signed with its key; body is {"review_id","station","ward_id","year",
 * "criterion","result","notes","reviewer","assessed_on","issued_at"}.  The
 * publisher stores a review whose signature checks against the hub key from
 * enrolment (and whose station is this one) before the broker's
 * acknowledgement, then applies it on its own thread through the handler. */
enum { RELAY_REVIEW_ID_MAX = 64, RELAY_REVIEWER_MAX = 64 };
struct relay_review {
    char review_id[RELAY_REVIEW_ID_MAX + 1];
    char station[65];
    int64_t ward_id;
    int year;
    int criterion;            /* number within the ward's criteria set for the year */
    char result[16];          /* met | not_met | in_progress */
    char reviewer[RELAY_REVIEWER_MAX + 1];
    char assessed_on[16];     /* YYYY-MM-DD or "" (the day it is applied) */
    char *notes;              /* heap or NULL; relay_review_clear frees it */
};
void relay_review_clear(struct relay_review *rv);
/* Parses a review body (the signed JSON text) into *out.  0, or WW_EINVAL
 * with why (static English) naming the field. */
int relay_review_parse_body(const char *body, struct relay_review *out, const char **why);
/* Checks a ctl/review message: v 1, op review, the signature over body with
 * hub_key_b64 (base64 Ed25519 public key), the body well formed and for
 * station.  On 0, *body and *sig are heap copies (free()) and *out filled. */
int relay_review_verify(const void *payload, size_t len, const char *hub_key_b64, const char *station,
                        char **body, char **sig, struct relay_review *out, const char **why);

struct catalog;
/* Applies one verified review on the relay thread's catalog: sets
 * *assessment_id, or returns nonzero with *why (heap, free()) — the reason
 * the review is refused (stored with it). */
typedef int (*relay_review_fn)(void *ud, struct catalog *cat, const struct relay_review *rv,
                               int64_t *assessment_id, char **why);
/* Installs the handler (serve does, right after relay_start); until then
 * received reviews stay pending.  Any thread. */
void relay_set_review_handler(struct relay *r, relay_review_fn fn, void *ud);

#endif
