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
 * (it is then spent).  0, -EACCES, or -EIO. */
int prov_pg_enrol(prov_pg *pg, const char *token, const char *name, const char *public_key,
                  char id[PROV_STATION_MAX + 1]);

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
 * station and batch, not per message).  0, or -EIO (nothing of m applied). */
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
/* hub check: compares every station's census with the hub's rows; prints the
 * table to f; returns 0 when all equal, 1 when not, -EIO on error. */
int prov_pg_check(prov_pg *pg, FILE *f);

/* Incidents per (station, ward, category) in [from, to) beside the same
 * period a year before, with totals, printed to f.  from/to: anything
 * PostgreSQL reads as timestamptz.  0 or -EIO. */
int prov_pg_stats(prov_pg *pg, const char *from, const char *to, FILE *f);

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
};
int prov_http_register(struct http_server *srv, const struct prov_http *h);

#endif
