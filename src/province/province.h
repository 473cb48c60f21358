/*
 * province: the hub side of the province (docs/province.md, decision 010).
 * Stations publish their changes over MQTT (QoS 1, message format v1); the
 * hub applies each one to PostgreSQL as an idempotent, version-guarded
 * upsert and tracks per station which seqs it has applied, so it can see a
 * gap and ask the station to resend.
 *
 * Parts:
 *   prov_msg_*  parse and validate one v1 message (pure; no I/O).
 *   prov_seq_*  the applied-seq tracker of one station (pure).
 *   prov_pg_*   everything PostgreSQL (pgstore.c holds ALL the hub's SQL).
 *   prov_serve  the subscriber loop (sub.c).
 *
 * Threads: none of its own; prov_serve runs on the caller's thread until
 * *stop becomes nonzero.  A prov_pg handle belongs to one thread.
 * Ownership: prov_msg_parse fills a prov_msg whose `data` is a new jansson
 * reference; prov_msg_clear releases it.
 */
#ifndef WW_PROVINCE_H
#define WW_PROVINCE_H

#include <signal.h>
#include <stdio.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

enum { PROV_STATION_MAX = 64, PROV_ENTITY_MAX = 32, PROV_ID_MAX = 128, PROV_AT_MAX = 40 };

struct prov_msg {
    char station[PROV_STATION_MAX + 1];
    char entity[PROV_ENTITY_MAX + 1];
    char id[PROV_ID_MAX + 1];
    char at[PROV_AT_MAX + 1];
    int64_t seq;      /* 0 only for census (its seq is the last one it covers) */
    int64_t version;
    bool deleted;     /* op == "delete" */
    json_t *data;     /* owned; an object */
};

/* Why a message was dropped; prov_msg_cause_name gives the log/counter word. */
enum prov_cause {
    PROV_OK = 0,
    PROV_BAD_TOPIC,
    PROV_BAD_JSON,
    PROV_BAD_VERSION, /* "v" is not 1 */
    PROV_BAD_FIELD,   /* a field missing, of the wrong type or out of range */
    PROV_BAD_ENTITY,  /* not one of the v1 entities */
    PROV_MISMATCH,    /* topic and payload disagree on station or entity */
    PROV_NOT_ENROLLED,
    PROV_APPLY_FAILED, /* PostgreSQL refused it with the connection up (e.g. a NUL
                          in a string, which jsonb rejects): it can never commit */
    PROV_CAUSES
};
const char *prov_cause_name(enum prov_cause c);

/* True for "[a-z0-9-]{1,64}". */
bool prov_station_id_ok(const char *s);
/* True for a v1 entity name (docs/province.md), census and snapshot included. */
bool prov_entity_ok(const char *s);

/* Parses one message received on `topic`.  Returns PROV_OK and fills *out
 * (release with prov_msg_clear), or the cause and leaves *out cleared. */
enum prov_cause prov_msg_parse(const char *topic, const void *payload, size_t len,
                               struct prov_msg *out);
void prov_msg_clear(struct prov_msg *m);
/* For a message prov_msg_parse refused: its station (from the topic) and
 * seq, when the payload names the same station and a positive seq, so the
 * hub can mark that seq as seen (dropped) instead of holding a gap open
 * for a message that will be just as bad on every resend.  Not for census. */
bool prov_msg_peek_seq(const char *topic, const void *payload, size_t len,
                       char station[PROV_STATION_MAX + 1], int64_t *seq);

/* The seqs of one station the hub has applied: every seq <= contig, plus
 * up to PROV_SEQ_ABOVE seqs above it (those received past a gap). */
enum { PROV_SEQ_ABOVE = 256 };
struct prov_seq {
    int64_t contig;
    size_t n;
    int64_t above[PROV_SEQ_ABOVE]; /* sorted ascending, all > contig + 1 */
};
void prov_seq_init(struct prov_seq *t, int64_t contig);
bool prov_seq_seen(const struct prov_seq *t, int64_t seq);
/* Records seq.  Returns 1 when it is new, 0 when already applied, -ENOSPC
 * when the set above the gap is full (the caller asks for a resend from
 * contig + 1 and does not apply it: it will come again). */
int prov_seq_mark(struct prov_seq *t, int64_t seq);
static inline bool prov_seq_gap(const struct prov_seq *t) { return t->n > 0; }
/* The highest seq recorded (contig when no gap). */
int64_t prov_seq_high(const struct prov_seq *t);

/* ---- PostgreSQL (pgstore.c) ---- */
typedef struct prov_pg prov_pg;
/* Connects; returns 0 or -ECONNREFUSED with the server's message logged. */
int prov_pg_open(const char *conninfo, prov_pg **out);
void prov_pg_close(prov_pg *pg);
bool prov_pg_ok(prov_pg *pg);         /* the connection is up */
int prov_pg_reset(prov_pg *pg);       /* reconnect; 0 when up again */
/* Creates or migrates the hub schema (idempotent). */
int prov_pg_migrate(prov_pg *pg);
/* New station NAME: writes its id (st-xxxxxxxx) and a one-time token
 * (hex, valid 24 h; only its hash is stored). */
int prov_pg_station_add(prov_pg *pg, const char *name, char id[PROV_STATION_MAX + 1],
                        char token[65]);
/* Prints the stations as a table to f. */
int prov_pg_station_list(prov_pg *pg, FILE *f);
/* Enrolment: the token's station, if the token is right, unused and unexpired
 * (it is then spent).  url: the station's API base URL (NULL: none given, the
 * hub cannot forward to it).  0, -EACCES, or -EIO. */
int prov_pg_enrol(prov_pg *pg, const char *token, const char *name, const char *public_key,
                  const char *url, char id[PROV_STATION_MAX + 1]);
/* The API base URL an enrolled station gave and its public key (base64
 * Ed25519), both heap (free()): 0, -ENOENT (no such enrolled station),
 * -ENODATA (it joined without --url) or -EIO. */
int prov_pg_station_url(prov_pg *pg, const char *station, char **url, char **public_key);

/* The applied-seq state of every enrolled station, for the subscriber. */
struct prov_station_state {
    char id[PROV_STATION_MAX + 1];
    struct prov_seq seq;
    int64_t gap_since_us;  /* 0: no gap open */
    int64_t resent_us;     /* when a resend was last asked */
    bool dirty;            /* seq changed in the open batch, not yet written */
};
int prov_pg_load_stations(prov_pg *pg, struct prov_station_state **out, size_t *n);
/* Applies m in one transaction together with the station's new seq state
 * *after (already marked by the caller).  Inside a batch: in one savepoint,
 * and the seq state is not written — the caller writes each station's last
 * state once with prov_pg_mark before the commit (one row update per
 * station and batch, not per message; `after` may then be NULL).  0, or
 * -EIO (nothing of m applied). */
int prov_pg_apply(prov_pg *pg, const struct prov_msg *m, const struct prov_seq *after);
/* Batches: between prov_pg_batch_begin and prov_pg_batch_commit every
 * prov_pg_apply / prov_pg_mark runs inside one transaction (each apply in a
 * savepoint of its own, so a refused message still leaves the others), and
 * one commit — one WAL flush — covers them all.  A failed commit loses the
 * whole batch: the caller reloads the seq state and asks for a resend, as
 * after any PostgreSQL failure.  prov_pg_reset ends an open batch. */
int prov_pg_batch_begin(prov_pg *pg);  /* 0 or -EIO */
int prov_pg_batch_commit(prov_pg *pg); /* 0 or -EIO (rolled back) */
bool prov_pg_in_batch(const prov_pg *pg);
/* Records only the station's seq state (a message that can never commit is
 * marked applied so it does not hold a gap open forever). */
int prov_pg_mark(prov_pg *pg, const char *station, const struct prov_seq *after);
/* One station's seq state to write with a batch (both borrowed). */
struct prov_mark {
    const char *station;
    const struct prov_seq *seq;
};
/* Applies the n messages m[] and the seq states marks[] in ONE transaction
 * (decision 014).  Fast path: a few multi-row statements for the whole
 * batch (rows, incidents, census, marks), a handful of round trips instead
 * of 3-4 per message.  When PostgreSQL refuses one of them with the
 * connection up, the transaction is rolled back and the batch applied
 * again one savepoint per message: a message refused there is undone
 * alone and flagged in refused[i] (n entries, filled), the rest commit.
 * Same version guards as prov_pg_apply, duplicates of a key within the
 * batch included (the highest version wins, the earliest of equal ones).
 * 0 = committed; -EIO = nothing committed (connection or commit failed:
 * the caller reloads the seq state and asks for resends). */
int prov_pg_apply_batch(prov_pg *pg, const struct prov_msg *m, size_t n,
                        const struct prov_mark *marks, size_t nmarks, bool *refused);
/* hub check: compares every station's census with the hub's rows; prints the
 * table to f; returns 0 when all equal, 1 when not, -EIO on error. */
int prov_pg_check(prov_pg *pg, FILE *f);

/* Incidents per (station, ward, category) in [from, to) beside the same
 * period a year before, with totals, printed to f.  from/to: anything
 * PostgreSQL reads as timestamptz.  0 or -EIO. */
int prov_pg_stats(prov_pg *pg, const char *from, const char *to, FILE *f);
/* The same figures (the one query) as a new JSON array of {station, ward,
 * ward_name, category, cases, year_ago}; station NULL = every station. */
int prov_pg_stats_rows(prov_pg *pg, const char *from, const char *to, const char *station,
                       json_t **out);

/* ---- the read API's queries (web.c decides who may ask what): each
 * fills *out with a new JSON array; station NULL = every station.  0 or
 * -EIO. ---- */
/* Whether id is an enrolled station. */
int prov_pg_station_known(prov_pg *pg, const char *id, bool *known);
/* {id, name, last_seen, lag_s, applied_seq, backlog, open_gaps, cameras, online, dark} */
int prov_pg_read_stations(prov_pg *pg, const char *station, json_t **out);
/* {station, station_name, id, name, ward_id, ward, state, state_since_us,
 * last_change}, dark ones first */
int prov_pg_read_cameras(prov_pg *pg, const char *station, json_t **out);
/* open (not cleared) alerts, newest raised first */
int prov_pg_read_alerts(prov_pg *pg, const char *station, json_t **out);
/* {station, id, name, kind, ward_id, ward}: no contact details reach the hub */
int prov_pg_read_owners(prov_pg *pg, const char *station, json_t **out);

/* ---- the console's newer reads (SQL in pgread.c; web.c decides who may
 * ask).  station NULL = every station; 0 or -EIO. ---- */
/* Runs one read statement whose single row and column is JSON text (any
 * JSON value) into *out (new reference).  For pgread.c. */
int prov_pg_read_sql(prov_pg *pg, const char *sql, int n, const char *const *params, json_t **out);
/* The indexes the console's reads need (idempotent; hub init and serve). */
int prov_pg_read_indexes(prov_pg *pg);
/* The criteria matrix of year: {year, criteria: [{num, title}], wards:
 * [{station, station_name, ward_id, ward, cells: {"<num>": {self?, review?:
 * {result, assessor, assessed_on, notes, at_us}}}}], unnumbered} — every
 * replicated ward of the visible stations, each cell its current state
 * (the assessment with the highest id); unnumbered counts assessments sent
 * before the station had schema 052 (no criterion number yet). */
int prov_pg_read_criteria(prov_pg *pg, const char *station, int year, json_t **out);
/* Motion events newest first: [{station, station_name, id, camera_id,
 * camera_name, ward_id, ward, start_us, end_us, peak_us, peak_score, zone}]. */
struct prov_event_query {
    const char *station;      /* NULL: every visible station */
    const char *camera;       /* the station's camera id, or NULL */
    int64_t from_us, to_us;   /* start_us in [from, to) */
    /* the keyset of the last row of the previous page; before_station NULL: first page */
    int64_t before_us;
    const char *before_station, *before_id;
    int limit;                /* 1..500 */
};
int prov_pg_read_events(prov_pg *pg, const struct prov_event_query *q, json_t **out);
/* Every camera with its state and, when the station gave them, latitude,
 * longitude and direction_deg (null otherwise). */
int prov_pg_read_map(prov_pg *pg, const char *station, json_t **out);
/* Whether ward ward_id of station is replicated at the hub. */
int prov_pg_ward_known(prov_pg *pg, const char *station, int64_t ward_id, bool *known);

/* ---- the subscriber (sub.c) ---- */
struct prov_serve_opts {
    const char *conninfo;
    const char *mqtt_url;      /* mqtt://HOST:PORT */
    const char *client_id;     /* fixed per hub */
    int gap_wait_ms;           /* how long a gap stays open before a resend */
};
/* Runs until *stop; returns 0, or -errno when it could not start. */
int prov_serve(const struct prov_serve_opts *o, volatile sig_atomic_t *stop);

/* ---- HTTP (enrol.c): POST /api/v1/province/enrol on the project's http
 * server.  The struct is borrowed and must outlive the server. ---- */
struct http_server;
struct prov_http {
    const char *conninfo;        /* PostgreSQL; each request opens its own connection */
    const char *hub_public_key;  /* base64 Ed25519 */
    const char *mqtt_public;     /* the broker URL stations use; NULL → null */
    const char *mqtt_url;        /* the hub's own broker URL (reviews are published there) */
    const char *hub_dir;         /* holds hub.key (reviews are signed with it) */
};
int prov_http_register(struct http_server *srv, const struct prov_http *h);

/* ---- the read API (web.c): GET /api/v1/province/{stations, cameras,
 * alerts, stats, owners, criteria, events, map} for signed-in province
 * users, and POST /api/v1/province/reviews?station= (province-admin and
 * province-staff only: a ward-officer may read its row, not review it).  Every route asks
 * prov_web_decide (the one permission matrix, docs/province.md):
 *
 *   role (hub name)          catalog role  stations seen   owners' contacts
 *   province-admin           admin         all             yes
 *   province-staff           province      all             no
 *   ward-officer             officer       own station     yes (own station)
 *   anything else            viewer/owner  none (403)      -
 *   no session                             401
 * A station outside the caller's view, or not enrolled, is 404. ---- */
struct prov_view {
    const char *station;  /* NULL: every station; else the only one visible */
    bool contacts;        /* owners' contact fields may be shown */
};
/* The pure decision.  own_station: a ward-officer's station (NULL for the
 * others); asked: ?station= (NULL when absent).  0 with *out filled (its
 * strings borrowed from the arguments), WW_EAUTH, WW_EPERM or WW_ENOTFOUND. */
int prov_web_decide(int role, const char *own_station, const char *asked, struct prov_view *out);
int prov_web_register(struct http_server *srv, const struct prov_http *h);
/* A ward-officer's station (its ward row in hub-http.db is named by the
 * station id), in the request's arena; NULL for other roles or none. */
struct http_req;
const char *prov_web_own_station(struct http_req *req);

/* ---- reviews written back to a ward (review.c; docs/province.md) ----
 * The province's verdict on one criterion of one ward, for the station that
 * holds the ward: signed with the hub's key (hub.key in the hub's data
 * folder) and published QoS 1 on wardwatch/<station>/ctl/review, where the
 * station's publisher checks it and applies it (relay.h). */
struct prov_review {
    const char *station;     /* st-… */
    int64_t ward_id;         /* the station's own ward id */
    int year, criterion;     /* criterion: its number in the ward's set */
    const char *result;      /* met | not_met | in_progress */
    const char *notes;       /* may be NULL */
    const char *reviewer;    /* the province user */
    const char *assessed_on; /* YYYY-MM-DD or NULL */
};
/* Builds the signed ctl/review message: *payload heap text; review_id gets
 * a fresh random id.  hub_dir holds hub.key.  0, WW_EINVAL (a field), or
 * -errno (no key). */
int prov_review_build(const struct prov_review *rv, const char *hub_dir, char **payload, char review_id[33]);
/* Publishes payload on wardwatch/<station>/ctl/review at mqtt_url (QoS 1,
 * not retained) and waits up to timeout_ms for the broker's PUBACK.
 * 0, -ETIMEDOUT (no PUBACK in time, or no broker), or WW_EINVAL. */
int prov_review_publish(const char *mqtt_url, const char *station, const char *payload, int timeout_ms);

/* ---- hub → station requests (forward.c; docs/province.md "Hub → station
 * requests").  The hub signs each request with its Ed25519 key for one
 * province user and role; the station checks it (http/hubsign.c) and
 * applies its own consent, scope and audit.  A prov_fwd belongs to the
 * thread that opened it. ---- */
struct http_user;
struct prov_fwd_opts {
    const char *conninfo;  /* PostgreSQL: the station's URL */
    const char *hub_dir;   /* holds hub.key */
    const char *station;   /* the station id */
    const char *method;    /* "GET", or "POST" to an http_hub_post_target_ok target */
    const char *target;    /* "/api/v1/…" with the query, as it is to be sent and signed */
    const char *user, *role; /* the province user it is done for */
    const char *body;      /* POST: the JSON sent (body_len bytes, <= HTTP_HUB_BODY_MAX); GET: NULL */
    size_t body_len;
};
struct prov_fwd;
#define PROV_FWD_END ((ssize_t)-1)
#define PROV_FWD_ERROR ((ssize_t)-2)
/* Looks the station up, signs, connects and waits (bounded) for the
 * station's status and headers.  0 with *out (close with prov_fwd_close;
 * whatever the station answered, its status is prov_fwd_status), or the
 * hub's own failure with err set: -EINVAL (malformed), -ENOENT (no such
 * enrolled station), -ENODATA (it joined without --url), -ENOKEY (no hub
 * key), -EHOSTUNREACH (the station did not answer), -EBADMSG (an answer
 * other than a 401 without the station's own signature, HTTP_HUB_HDR_ANSWER:
 * not the station enrolled under that id), -EIO (PostgreSQL). */
int prov_fwd_open(const struct prov_fwd_opts *o, struct prov_fwd **out, char *err, size_t errn);
/* The hub's HTTP answer for a prov_fwd_open failure: 400, 404, 409, 502
 * (-EHOSTUNREACH, -EBADMSG), 503, else 500. */
unsigned prov_fwd_http_status(int rc);
long prov_fwd_status(const struct prov_fwd *f);           /* the station's status */
/* Content-Type, Content-Disposition or X-Content-SHA256 as the station sent it; NULL if not. */
const char *prov_fwd_header(const struct prov_fwd *f, const char *name);
int64_t prov_fwd_length(const struct prov_fwd *f);        /* -1: unknown (chunked) */
/* Up to max body bytes, waiting at most about wait_ms: > 0, 0 (nothing yet),
 * PROV_FWD_END or PROV_FWD_ERROR (prov_fwd_error says why). */
ssize_t prov_fwd_read(struct prov_fwd *f, void *buf, size_t max, int wait_ms);
const char *prov_fwd_error(const struct prov_fwd *f);
void prov_fwd_close(struct prov_fwd *f);                  /* NULL-safe */
/* The whole request into a sink: head once with the station's answer, then
 * body for every piece (each returns 0 or -errno to stop).  0, or
 * prov_fwd_open's failure, -EIO (the transfer broke off) or the sink's;
 * err says why. */
struct prov_fwd_sink {
    int (*head)(void *ud, const struct prov_fwd *f);
    int (*body)(void *ud, const void *p, size_t n);
    void *ud;
};
int prov_forward(const struct prov_fwd_opts *o, const struct prov_fwd_sink *sink, char *err, size_t errn);
/* Pure checks: a station's base URL given at join ("http(s)://HOST[:PORT]",
 * no path); a station API path the hub forwards a GET to (after
 * "/api/v1/": a camera's snapshot, live, timeline or playback, an export,
 * its file, manifest or signature, an event's thumbnail, a bundle, its tar,
 * bundle.json or SHA256SUMS); a query of plain URL characters. */
bool prov_station_url_ok(const char *url);
bool prov_forward_path_ok(const char *path);
bool prov_forward_query_ok(const char *query);
/* Whether a hub user may have a station's video forwarded: the read API's
 * matrix (prov_web_decide) — admin and province staff for any station, a
 * ward-officer for own_station only (its station, prov_web_own_station). */
bool prov_forward_allowed(const struct http_user *u, const char *own_station, const char *station);
/* (fwdbody.c) The JSON body the hub forwards in a POST to target (an
 * http_hub_post_target_ok one): body must be one JSON object of at most
 * HTTP_HUB_BODY_MAX bytes, no key twice, only the keys that station route
 * reads (an export: from, to, stream; a bundle: lat, lon, radius_m, from,
 * to, camera_ids, note) with plausible types.  The station checks the
 * values.  Returns the compact re-serialisation (malloc'd; what is signed
 * and sent, so the station gets exactly what was checked), or NULL with
 * err set. */
char *prov_forward_post_body(const char *target, const char *body, size_t n, char *err, size_t errn);
/* hub.key (libsodium's 64-byte Ed25519 secret key) from dir: 0 or -errno. */
int prov_hub_key_load(const char *dir, unsigned char sk[64]);
/* GET /api/v1/province/stations/{station}/forward/{path…}: for a signed-in
 * hub user, the station's answer streamed through.  POST to the same
 * prefix for cameras/{id}/exports and search/place/bundle only, its JSON
 * body checked by prov_forward_post_body (and CSRF by the server, as every
 * state-changing route).  Borrowed; must outlive
 * the server. */
struct prov_forward_http {
    const char *conninfo;
    const char *hub_dir;
};
int prov_forward_register(struct http_server *srv, const struct prov_forward_http *fh);

#endif
