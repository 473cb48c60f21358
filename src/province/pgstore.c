/*
 * province/pgstore.c — every SQL statement of the hub, against PostgreSQL
 * (decision 010 says why it lives here and not in src/catalog/, which is
 * the station's SQLite).  Each message is applied in one transaction
 * together with the station's applied-seq state, so a crash leaves either
 * both or neither.  The subscriber groups messages into batches: a commit
 * per message made the WAL flush the hub's ceiling (decision 011), and a
 * round trip per statement the lag (decision 014), so a batch is written
 * as ONE statement (prov_pg_apply_batch), with one transaction and a
 * savepoint per message only as the fallback for a batch PostgreSQL
 * refuses.
 */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "base/base.h"
#include "province/province.h"

struct prov_pg {
    PGconn *conn;
    bool batch; /* a batch transaction is open */
};

static const char *const schema_sql =
    "SET client_min_messages = warning;"
    "CREATE TABLE IF NOT EXISTS hub_meta(key text PRIMARY KEY, value text NOT NULL);"
    "CREATE TABLE IF NOT EXISTS stations("
    " id text PRIMARY KEY, name text NOT NULL, token_hash text UNIQUE,"
    " token_expires timestamptz, public_key text, enrolled_at timestamptz,"
    " last_seq bigint NOT NULL DEFAULT 0,"          /* highest contiguous seq applied */
    " seq_above bigint[] NOT NULL DEFAULT '{}',"    /* seqs applied past a gap */
    " last_seen timestamptz);"
    "CREATE TABLE IF NOT EXISTS rows("
    " station text NOT NULL REFERENCES stations(id), entity text NOT NULL, id text NOT NULL,"
    " version bigint NOT NULL, deleted boolean NOT NULL, data jsonb NOT NULL, at text,"
    " received timestamptz NOT NULL DEFAULT now(), PRIMARY KEY(station, entity, id));"
    "CREATE TABLE IF NOT EXISTS incidents("
    " station text NOT NULL REFERENCES stations(id), id text NOT NULL, version bigint NOT NULL,"
    " deleted boolean NOT NULL, ward text, category text, occurred_at timestamptz,"
    " PRIMARY KEY(station, id));"
    "CREATE INDEX IF NOT EXISTS incidents_period ON incidents(occurred_at, ward, category)"
    " WHERE NOT deleted;"
    "CREATE TABLE IF NOT EXISTS census("
    " station text PRIMARY KEY REFERENCES stations(id), data jsonb NOT NULL, seq bigint NOT NULL,"
    " received timestamptz NOT NULL DEFAULT now());"
    /* the station's own API base URL, given at join (NULL: the hub cannot forward to it) */
    "ALTER TABLE stations ADD COLUMN IF NOT EXISTS url text;"
    "INSERT INTO hub_meta VALUES ('schema_version', '1') ON CONFLICT DO NOTHING;";

static void log_pg(const char *what, PGconn *c)
{
    ww_log(WW_LOG_ERROR, "province", "%s: %s", what, c ? PQerrorMessage(c) : "no connection");
}

int prov_pg_open(const char *conninfo, prov_pg **out)
{
    prov_pg *pg = calloc(1, sizeof *pg);
    if (!pg) return -ENOMEM;
    pg->conn = PQconnectdb(conninfo);
    if (PQstatus(pg->conn) != CONNECTION_OK) {
        log_pg("PostgreSQL connect", pg->conn);
        prov_pg_close(pg);
        return -ECONNREFUSED;
    }
    *out = pg;
    return 0;
}

void prov_pg_close(prov_pg *pg)
{
    if (!pg) return;
    PQfinish(pg->conn);
    free(pg);
}

bool prov_pg_ok(prov_pg *pg) { return PQstatus(pg->conn) == CONNECTION_OK; }

int prov_pg_reset(prov_pg *pg)
{
    pg->batch = false; /* the server rolled it back with the connection */
    PQreset(pg->conn);
    return prov_pg_ok(pg) ? 0 : -ECONNREFUSED;
}

/* Runs sql with text params; returns the result when its status is ok
 * (tuples or command), else logs, clears and returns NULL. */
static PGresult *run(prov_pg *pg, const char *sql, int n, const char *const *params)
{
    PGresult *r = PQexecParams(pg->conn, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType s = PQresultStatus(r);
    if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
        ww_log(WW_LOG_ERROR, "province", "SQL failed: %s", PQerrorMessage(pg->conn));
        PQclear(r);
        return NULL;
    }
    return r;
}

static int run_cmd(prov_pg *pg, const char *sql, int n, const char *const *params)
{
    PGresult *r = run(pg, sql, n, params);
    if (!r) return -EIO;
    PQclear(r);
    return 0;
}

int prov_pg_migrate(prov_pg *pg)
{
    PGresult *r = PQexec(pg->conn, schema_sql);
    int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : -EIO;
    if (rc) log_pg("hub schema", pg->conn);
    PQclear(r);
    return rc;
}

int prov_pg_station_add(prov_pg *pg, const char *name, char id[PROV_STATION_MAX + 1],
                        char token[65])
{
    uint8_t rid[4], tok[32];
    randombytes_buf(rid, sizeof rid);
    randombytes_buf(tok, sizeof tok);
    char rhex[9], hash[WW_SHA256_HEX];
    ww_hex(rid, sizeof rid, rhex);
    ww_hex(tok, sizeof tok, token);
    snprintf(id, PROV_STATION_MAX + 1, "st-%s", rhex);
    ww_sha256_hex(token, strlen(token), hash);
    const char *p[] = {id, name, hash};
    return run_cmd(pg,
                   "INSERT INTO stations(id, name, token_hash, token_expires)"
                   " VALUES ($1, $2, $3, now() + interval '24 hours')",
                   3, p);
}

int prov_pg_station_list(prov_pg *pg, FILE *f)
{
    PGresult *r = run(pg,
                      "SELECT id, name, CASE WHEN enrolled_at IS NULL THEN 'no' ELSE 'yes' END,"
                      " last_seq, cardinality(seq_above), coalesce(last_seen::text, '-')"
                      " FROM stations ORDER BY name, id",
                      0, NULL);
    if (!r) return -EIO;
    fprintf(f, "%-12s %-24s %-8s %10s %5s %s\n", "ID", "NAME", "ENROLLED", "SEQ", "GAPS",
            "LAST SEEN");
    for (int i = 0; i < PQntuples(r); i++)
        fprintf(f, "%-12s %-24s %-8s %10s %5s %s\n", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
                PQgetvalue(r, i, 2), PQgetvalue(r, i, 3), PQgetvalue(r, i, 4),
                PQgetvalue(r, i, 5));
    PQclear(r);
    return 0;
}

int prov_pg_enrol(prov_pg *pg, const char *token, const char *name, const char *public_key,
                  const char *url, char id[PROV_STATION_MAX + 1])
{
    char hash[WW_SHA256_HEX];
    ww_sha256_hex(token, strlen(token), hash);
    const char *p[] = {hash, name, public_key, url};
    /* One statement: spending the token and reading it cannot race.  The
     * name the province gave at `hub station add` stays: the one a station
     * reports (its config's, by default its host name, e.g. "vm") is only a
     * fallback for a station row without one. */
    PGresult *r = run(pg,
                      "UPDATE stations SET token_hash = NULL, token_expires = NULL,"
                      " public_key = $3, name = coalesce(nullif(name, ''), nullif($2, ''), id),"
                      " url = $4, enrolled_at = now()"
                      " WHERE token_hash = $1 AND token_expires > now() RETURNING id",
                      4, p);
    if (!r) return -EIO;
    int rc = -EACCES;
    if (PQntuples(r) == 1) {
        snprintf(id, PROV_STATION_MAX + 1, "%s", PQgetvalue(r, 0, 0));
        rc = 0;
    }
    PQclear(r);
    return rc;
}

int prov_pg_station_url(prov_pg *pg, const char *station, char **url, char **public_key)
{
    *url = *public_key = NULL;
    const char *p[] = {station};
    PGresult *r = run(pg, "SELECT url, public_key FROM stations WHERE id = $1 AND enrolled_at IS NOT NULL", 1, p);
    if (!r) return -EIO;
    int rc = PQntuples(r) != 1 ? -ENOENT : PQgetisnull(r, 0, 0) ? -ENODATA : 0;
    if (!rc) {
        *url = ww_strdup(PQgetvalue(r, 0, 0));
        *public_key = ww_strdup(PQgetvalue(r, 0, 1));
    }
    PQclear(r);
    return rc;
}

/* "{1,5,7}" → tracker set above contig (ignores what does not fit). */
static void parse_above(const char *s, struct prov_seq *t)
{
    const char *p = s;
    while (*p) {
        if (*p >= '0' && *p <= '9') {
            char *end;
            long long v = strtoll(p, &end, 10);
            prov_seq_mark(t, v);
            p = end;
        } else {
            p++;
        }
    }
}

int prov_pg_load_stations(prov_pg *pg, struct prov_station_state **out, size_t *n)
{
    PGresult *r = run(pg,
                      "SELECT id, last_seq, seq_above::text FROM stations"
                      " WHERE enrolled_at IS NOT NULL ORDER BY id",
                      0, NULL);
    if (!r) return -EIO;
    size_t k = (size_t)PQntuples(r);
    struct prov_station_state *v = calloc(k ? k : 1, sizeof *v);
    if (!v) {
        PQclear(r);
        return -ENOMEM;
    }
    for (size_t i = 0; i < k; i++) {
        snprintf(v[i].id, sizeof v[i].id, "%s", PQgetvalue(r, (int)i, 0));
        prov_seq_init(&v[i].seq, strtoll(PQgetvalue(r, (int)i, 1), NULL, 10));
        parse_above(PQgetvalue(r, (int)i, 2), &v[i].seq);
    }
    PQclear(r);
    *out = v;
    *n = k;
    return 0;
}

/* "{a,b,c}" of the tracker's set above contig. */
static char *above_text(const struct prov_seq *t)
{
    size_t cap = 4 + t->n * 21;
    char *s = malloc(cap), *p = s;
    if (!s) return NULL;
    *p++ = '{';
    for (size_t i = 0; i < t->n; i++)
        p += snprintf(p, cap - (size_t)(p - s), "%s%" PRId64, i ? "," : "", t->above[i]);
    *p++ = '}';
    *p = 0;
    return s;
}

static int apply_row(prov_pg *pg, const struct prov_msg *m, const char *ver, const char *data)
{
    const char *p[] = {m->station, m->entity, m->id, ver, m->deleted ? "t" : "f", data,
                       m->at[0] ? m->at : NULL};
    /* the version guard makes duplicates, replays and late old states no-ops */
    int rc = run_cmd(pg,
                     "INSERT INTO rows(station, entity, id, version, deleted, data, at, received)"
                     " VALUES ($1, $2, $3, $4::bigint, $5::boolean, $6::jsonb, $7, clock_timestamp())"
                     " ON CONFLICT (station, entity, id) DO UPDATE SET version = EXCLUDED.version,"
                     " deleted = EXCLUDED.deleted, data = EXCLUDED.data, at = EXCLUDED.at,"
                     " received = EXCLUDED.received WHERE rows.version < EXCLUDED.version",
                     7, p);
    if (rc || strcmp(m->entity, "incident")) return rc;
    const char *q[] = {m->station, m->id, ver, p[4], data};
    /* the typed copy the province statistics read; a malformed time stays NULL */
    return run_cmd(pg,
                   "INSERT INTO incidents(station, id, version, deleted, ward, category, occurred_at)"
                   " SELECT $1, $2, $3::bigint, $4::boolean, coalesce(d->>'ward', d->>'ward_id'),"
                   " d->>'category', CASE WHEN t ~ '^\\d{4}-\\d\\d-\\d\\d[T ]\\d\\d:\\d\\d:\\d\\d'"
                   " THEN t::timestamptz END"
                   /* a station sends occurred_iso (UTC) beside its µs occurred_at */
                   " FROM (SELECT d, coalesce(d->>'occurred_iso', d->>'occurred_at') AS t"
                   "  FROM (SELECT $5::jsonb AS d) y) x"
                   " ON CONFLICT (station, id) DO UPDATE SET version = EXCLUDED.version,"
                   " deleted = EXCLUDED.deleted, ward = EXCLUDED.ward, category = EXCLUDED.category,"
                   " occurred_at = EXCLUDED.occurred_at WHERE incidents.version < EXCLUDED.version",
                   5, q);
}

/* after: the station's seq state to write with m; NULL (only inside a
 * batch) when the caller writes it once per station before the commit. */
static int apply_body(prov_pg *pg, const struct prov_msg *m, const struct prov_seq *after)
{
    assert(after || pg->batch);
    char ver[24], seq[24];
    snprintf(ver, sizeof ver, "%" PRId64, m->version);
    snprintf(seq, sizeof seq, "%" PRId64, m->seq);
    char *data = json_dumps(m->data, JSON_COMPACT);
    if (!data) return -ENOMEM;
    int rc = 0;
    if (!strcmp(m->entity, "census")) {
        const char *p[] = {m->station, data, seq};
        rc = run_cmd(pg,
                     "INSERT INTO census(station, data, seq) VALUES ($1, $2::jsonb, $3::bigint)"
                     " ON CONFLICT (station) DO UPDATE SET data = EXCLUDED.data,"
                     " seq = EXCLUDED.seq, received = now() WHERE census.seq <= EXCLUDED.seq",
                     3, p);
        if (!rc && !pg->batch) { /* in a batch: the mark before its commit */
            const char *q[] = {m->station};
            rc = run_cmd(pg, "UPDATE stations SET last_seen = now() WHERE id = $1", 1, q);
        }
        free(data);
        return rc;
    }
    if (strcmp(m->entity, "snapshot")) rc = apply_row(pg, m, ver, data);
    free(data);
    if (rc || pg->batch) return rc; /* in a batch the caller marks once per station */
    return prov_pg_mark(pg, m->station, after);
}

int prov_pg_mark(prov_pg *pg, const char *station, const struct prov_seq *after)
{
    char contig[24];
    snprintf(contig, sizeof contig, "%" PRId64, after->contig);
    char *above = above_text(after);
    if (!above) return -ENOMEM;
    const char *p[] = {station, contig, above};
    int rc = run_cmd(pg,
                     "UPDATE stations SET last_seq = $2::bigint, seq_above = $3::bigint[],"
                     " last_seen = now() WHERE id = $1",
                     3, p);
    free(above);
    return rc;
}

bool prov_pg_in_batch(const prov_pg *pg) { return pg->batch; }

int prov_pg_batch_begin(prov_pg *pg)
{
    assert(!pg->batch);
    if (run_cmd(pg, "BEGIN", 0, NULL)) return -EIO;
    pg->batch = true;
    return 0;
}

int prov_pg_batch_commit(prov_pg *pg)
{
    assert(pg->batch);
    pg->batch = false;
    if (!run_cmd(pg, "COMMIT", 0, NULL)) return 0;
    PGresult *r = PQexec(pg->conn, "ROLLBACK");
    PQclear(r);
    return -EIO;
}

/* Inside a batch: the message's statements in a savepoint, so a refused
 * one is undone alone and the batch goes on. */
static int apply_in_batch(prov_pg *pg, const struct prov_msg *m, const struct prov_seq *after)
{
    if (run_cmd(pg, "SAVEPOINT msg", 0, NULL)) return -EIO;
    int rc = apply_body(pg, m, after);
    if (!rc) rc = run_cmd(pg, "RELEASE SAVEPOINT msg", 0, NULL);
    else run_cmd(pg, "ROLLBACK TO SAVEPOINT msg", 0, NULL);
    return rc ? -EIO : 0;
}

int prov_pg_apply(prov_pg *pg, const struct prov_msg *m, const struct prov_seq *after)
{
    if (pg->batch) return apply_in_batch(pg, m, after);
    if (run_cmd(pg, "BEGIN", 0, NULL)) return -EIO;
    int rc = apply_body(pg, m, after);
    if (!rc) rc = run_cmd(pg, "COMMIT", 0, NULL);
    if (rc) {
        PGresult *r = PQexec(pg->conn, "ROLLBACK");
        PQclear(r);
    }
    return rc ? -EIO : 0;
}

/* ---- the batch fast path (decision 014) ----
 * The whole batch is ONE statement: the messages travel as one jsonb
 * parameter, the seq states as another, and data-modifying CTEs write
 * rows, incidents, census and stations from them.  One statement in
 * autocommit is one transaction and one round trip — on a loaded 2-core
 * box each round trip cost 5-15 ms of waiting for a CPU, so this, not the
 * SQL, is what the batch saves.  ON CONFLICT DO UPDATE may not touch a row
 * twice in one statement, so DISTINCT ON keeps one entry per key: the
 * highest version, of equal ones the earliest (`o`, the arrival order) —
 * the state the per-message path leaves, whose guard is a strict "<" (for
 * the census, "<=": the last one).  The CTEs write different tables; the
 * stations update touches no key, so the rows' foreign keys still hold. */
static const char *const batch_sql =
    "WITH b AS MATERIALIZED (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(o int, station text,"
    "  entity text, id text, version bigint, seq bigint, deleted boolean, data jsonb, at text)),"
    " r AS (INSERT INTO rows(station, entity, id, version, deleted, data, at, received)"
    "  SELECT DISTINCT ON (station, entity, id) station, entity, id, version, deleted, data, at,"
    "   clock_timestamp() FROM b WHERE entity NOT IN ('census', 'snapshot')"
    "  ORDER BY station, entity, id, version DESC, o"
    "  ON CONFLICT (station, entity, id) DO UPDATE SET version = EXCLUDED.version,"
    "  deleted = EXCLUDED.deleted, data = EXCLUDED.data, at = EXCLUDED.at,"
    "  received = EXCLUDED.received WHERE rows.version < EXCLUDED.version),"
    /* the typed copy the statistics read, as apply_row's second statement */
    " i AS (INSERT INTO incidents(station, id, version, deleted, ward, category, occurred_at)"
    "  SELECT DISTINCT ON (station, id) station, id, version, deleted,"
    "   coalesce(data->>'ward', data->>'ward_id'), data->>'category',"
    "   CASE WHEN t ~ '^\\d{4}-\\d\\d-\\d\\d[T ]\\d\\d:\\d\\d:\\d\\d' THEN t::timestamptz END"
    "  FROM (SELECT *, coalesce(data->>'occurred_iso', data->>'occurred_at') AS t FROM b"
    "   WHERE entity = 'incident') y"
    "  ORDER BY station, id, version DESC, o"
    "  ON CONFLICT (station, id) DO UPDATE SET version = EXCLUDED.version,"
    "  deleted = EXCLUDED.deleted, ward = EXCLUDED.ward, category = EXCLUDED.category,"
    "  occurred_at = EXCLUDED.occurred_at WHERE incidents.version < EXCLUDED.version),"
    " c AS (INSERT INTO census(station, data, seq)"
    "  SELECT DISTINCT ON (station) station, data, seq FROM b WHERE entity = 'census'"
    "  ORDER BY station, seq DESC, o DESC"
    "  ON CONFLICT (station) DO UPDATE SET data = EXCLUDED.data,"
    "  seq = EXCLUDED.seq, received = now() WHERE census.seq <= EXCLUDED.seq),"
    " m AS (UPDATE stations s SET last_seq = x.last_seq, seq_above = x.seq_above,"
    "  last_seen = now()"
    "  FROM jsonb_to_recordset($2::jsonb) AS x(id text, last_seq bigint, seq_above bigint[])"
    "  WHERE s.id = x.id)"
    " SELECT 1";

/* the slow path's marks: the same update alone */
static const char *const batch_marks_sql =
    "UPDATE stations s SET last_seq = x.last_seq, seq_above = x.seq_above, last_seen = now()"
    " FROM jsonb_to_recordset($1::jsonb) AS x(id text, last_seq bigint, seq_above bigint[])"
    " WHERE s.id = x.id";

/* The batch as one JSON array text (NULL: out of memory). */
static char *batch_json(const struct prov_msg *m, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:b, s:O, s:s?}", "o", (json_int_t)i,
                              "station", m[i].station, "entity", m[i].entity, "id", m[i].id,
                              "version", (json_int_t)m[i].version, "seq", (json_int_t)m[i].seq,
                              "deleted", m[i].deleted, "data", m[i].data, "at",
                              m[i].at[0] ? m[i].at : NULL);
        if (!o || json_array_append_new(a, o)) {
            json_decref(a);
            a = NULL;
        }
    }
    char *s = a ? json_dumps(a, JSON_COMPACT) : NULL;
    json_decref(a);
    return s;
}

static char *marks_json(const struct prov_mark *k, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        json_t *above = json_array();
        for (size_t j = 0; above && j < k[i].seq->n; j++)
            json_array_append_new(above, json_integer((json_int_t)k[i].seq->above[j]));
        json_t *o = above ? json_pack("{s:s, s:I, s:o}", "id", k[i].station,
                                      "last_seq", (json_int_t)k[i].seq->contig, "seq_above", above)
                          : NULL;
        if (!o || json_array_append_new(a, o)) {
            json_decref(a);
            a = NULL;
        }
    }
    char *s = a ? json_dumps(a, JSON_COMPACT) : NULL;
    json_decref(a);
    return s;
}

static int write_marks(prov_pg *pg, const struct prov_mark *marks, size_t nmarks)
{
    if (!nmarks) return 0;
    char *mj = marks_json(marks, nmarks);
    if (!mj) return -ENOMEM;
    const char *p[] = {mj};
    int rc = run_cmd(pg, batch_marks_sql, 1, p);
    free(mj);
    return rc;
}

/* The fast path: one statement, its own transaction.  0, -ENOMEM, or
 * -EIO (nothing of the batch stands). */
static int batch_fast(prov_pg *pg, const struct prov_msg *m, size_t n,
                      const struct prov_mark *marks, size_t nmarks)
{
    char *bj = batch_json(m, n), *mj = marks_json(marks, nmarks);
    int rc = -ENOMEM;
    if (bj && mj) {
        const char *p[] = {bj, mj};
        rc = run_cmd(pg, batch_sql, 2, p);
    }
    free(bj);
    free(mj);
    return rc;
}

/* The fallback: one savepoint per message (prov_pg_apply inside a batch),
 * so the one PostgreSQL refuses is undone alone.  0 or -EIO. */
static int batch_slow(prov_pg *pg, const struct prov_msg *m, size_t n,
                      const struct prov_mark *marks, size_t nmarks, bool *refused)
{
    if (prov_pg_batch_begin(pg)) return -EIO;
    for (size_t i = 0; i < n; i++) {
        refused[i] = prov_pg_apply(pg, &m[i], NULL) != 0;
        if (refused[i] && !prov_pg_ok(pg)) break;
    }
    if (!prov_pg_ok(pg) || write_marks(pg, marks, nmarks)) {
        pg->batch = false;
        PGresult *r = PQexec(pg->conn, "ROLLBACK");
        PQclear(r);
        return -EIO;
    }
    return prov_pg_batch_commit(pg);
}

int prov_pg_apply_batch(prov_pg *pg, const struct prov_msg *m, size_t n,
                        const struct prov_mark *marks, size_t nmarks, bool *refused)
{
    assert(!pg->batch);
    assert(!n || (m && refused));
    for (size_t i = 0; i < n; i++) refused[i] = false;
    if (!n && !nmarks) return 0;
    int rc = batch_fast(pg, m, n, marks, nmarks);
    /* a lost connection (the commit's outcome unknown) or no memory: the
     * caller reloads what did commit and asks for resends */
    if (!rc || rc == -ENOMEM || !prov_pg_ok(pg)) return rc ? -EIO : 0;
    ww_log(WW_LOG_WARN, "province",
           "a batch of %zu messages was refused; applying it one message at a time", n);
    return batch_slow(pg, m, n, marks, nmarks, refused);
}

/* One station's table; returns 1 when anything differs. */
static int check_station(prov_pg *pg, FILE *f, const char *st, const char *cseq,
                         const char *last_seq, const char *gaps)
{
    const char *p[] = {st};
    /* every entity either side names, the census' figures beside the hub's */
    PGresult *r = run(pg,
                      "WITH c AS (SELECT key AS entity, (value->>'count')::bigint AS n,"
                      "  (value->>'max_version')::bigint AS mv"
                      "  FROM census, jsonb_each(census.data) WHERE station = $1),"
                      " h AS (SELECT entity, count(*) FILTER (WHERE NOT deleted) AS n,"
                      "  max(version) FILTER (WHERE NOT deleted) AS mv FROM rows"
                      "  WHERE station = $1 AND entity <> 'snapshot' GROUP BY entity)"
                      " SELECT coalesce(c.entity, h.entity), coalesce(c.n, 0), coalesce(h.n, 0),"
                      "  coalesce(c.mv, 0), coalesce(h.mv, 0),"
                      "  coalesce(c.n, 0) = coalesce(h.n, 0) AND coalesce(c.mv, 0) = coalesce(h.mv, 0)"
                      " FROM c FULL JOIN h ON c.entity = h.entity ORDER BY 1",
                      1, p);
    if (!r) return -EIO;
    int bad = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        bool eq = PQgetvalue(r, i, 5)[0] == 't';
        /* an entity absent at both sides with zero rows is equal */
        fprintf(f, "%-12s %-18s %8s %8s %10s %10s  %s\n", st, PQgetvalue(r, i, 0),
                PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), PQgetvalue(r, i, 3),
                PQgetvalue(r, i, 4), eq ? "ok" : "DIFFERS");
        bad |= !eq;
    }
    PQclear(r);
    long long applied = strtoll(last_seq, NULL, 10), want = strtoll(cseq, NULL, 10);
    bool seq_ok = applied >= want && !strcmp(gaps, "0");
    fprintf(f, "%-12s %-18s census seq %s, applied %s, open gaps %s  %s\n", st, "(seq)", cseq,
            last_seq, gaps, seq_ok ? "ok" : "DIFFERS");
    return bad || !seq_ok;
}

int prov_pg_check(prov_pg *pg, FILE *f)
{
    PGresult *r = run(pg,
                      "SELECT s.id, coalesce(c.seq::text, ''), s.last_seq,"
                      " cardinality(s.seq_above) FROM stations s LEFT JOIN census c"
                      " ON c.station = s.id WHERE s.enrolled_at IS NOT NULL ORDER BY s.id",
                      0, NULL);
    if (!r) return -EIO;
    fprintf(f, "%-12s %-18s %8s %8s %10s %10s  %s\n", "STATION", "ENTITY", "STATION", "HUB",
            "ST.MAXVER", "HUB.MAXVER", "");
    int bad = 0;
    for (int i = 0; i < PQntuples(r) && bad >= 0; i++) {
        const char *st = PQgetvalue(r, i, 0);
        if (!PQgetvalue(r, i, 1)[0]) {
            fprintf(f, "%-12s no census received yet  DIFFERS\n", st);
            bad = 1;
            continue;
        }
        int rc = check_station(pg, f, st, PQgetvalue(r, i, 1), PQgetvalue(r, i, 2),
                               PQgetvalue(r, i, 3));
        bad = rc < 0 ? rc : (bad | rc);
    }
    PQclear(r);
    return bad;
}

/* The province figures: incidents per (station, ward, category) in [from,
 * to) beside the same period a year before; station NULL = all.  Columns:
 * station, ward, category, cases, year ago, ward name (NULL when the ward
 * row is not at the hub).  `hub stats` and GET /api/v1/province/stats both
 * read this one query, so their figures cannot drift apart. */
static PGresult *stats_query(prov_pg *pg, const char *from, const char *to, const char *station)
{
    const char *p[] = {from, to, station};
    /* two index ranges (the period and the same period a year before), one
     * pass; a ward is (station, ward): ward ids are per station */
    return run(pg,
               "WITH b AS (SELECT $1::timestamptz AS f, $2::timestamptz AS t),"
               " q AS (SELECT station, coalesce(ward, '-') AS ward, coalesce(category, '-') AS cat,"
               "  count(*) FILTER (WHERE occurred_at >= b.f AND occurred_at < b.t) AS cur,"
               "  count(*) FILTER (WHERE occurred_at >= b.f - interval '1 year'"
               "   AND occurred_at < b.t - interval '1 year') AS prev"
               " FROM incidents, b WHERE NOT deleted AND ($3::text IS NULL OR station = $3) AND"
               "  ((occurred_at >= b.f AND occurred_at < b.t) OR"
               "   (occurred_at >= b.f - interval '1 year' AND occurred_at < b.t - interval '1 year'))"
               " GROUP BY 1, 2, 3)"
               " SELECT q.station, q.ward, q.cat, q.cur, q.prev, w.data->>'name' FROM q"
               " LEFT JOIN rows w ON w.station = q.station AND w.entity = 'ward' AND w.id = q.ward"
               "  AND NOT w.deleted"
               " ORDER BY 1, 2, 3",
               3, p);
}

int prov_pg_stats(prov_pg *pg, const char *from, const char *to, FILE *f)
{
    PGresult *r = stats_query(pg, from, to, NULL);
    if (!r) return -EIO;
    long long cur = 0, prev = 0;
    fprintf(f, "%-12s %-10s %-24s %8s %8s\n", "STATION", "WARD", "CATEGORY", "CASES", "YEAR AGO");
    for (int i = 0; i < PQntuples(r); i++) {
        fprintf(f, "%-12s %-10s %-24s %8s %8s\n", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
                PQgetvalue(r, i, 2), PQgetvalue(r, i, 3), PQgetvalue(r, i, 4));
        cur += strtoll(PQgetvalue(r, i, 3), NULL, 10);
        prev += strtoll(PQgetvalue(r, i, 4), NULL, 10);
    }
    fprintf(f, "%-12s %-10s %-24s %8lld %8lld\n", "total", "", "", cur, prev);
    PQclear(r);
    return 0;
}

int prov_pg_stats_rows(prov_pg *pg, const char *from, const char *to, const char *station,
                       json_t **out)
{
    PGresult *r = stats_query(pg, from, to, station);
    if (!r) return -EIO;
    json_t *a = json_array();
    for (int i = 0; i < PQntuples(r); i++)
        json_array_append_new(
            a, json_pack("{s:s, s:s, s:s?, s:s, s:I, s:I}", "station", PQgetvalue(r, i, 0),
                         "ward", PQgetvalue(r, i, 1),
                         "ward_name", PQgetisnull(r, i, 5) ? NULL : PQgetvalue(r, i, 5),
                         "category", PQgetvalue(r, i, 2),
                         "cases", (json_int_t)strtoll(PQgetvalue(r, i, 3), NULL, 10),
                         "year_ago", (json_int_t)strtoll(PQgetvalue(r, i, 4), NULL, 10)));
    PQclear(r);
    *out = a;
    return 0;
}

/* ---- the read API (web.c): each query builds its JSON array in
 * PostgreSQL and hands back one text; station NULL = every station ---- */

static int read_json(prov_pg *pg, const char *sql, const char *station, json_t **out)
{
    const char *p[] = {station};
    PGresult *r = run(pg, sql, 1, p);
    if (!r) return -EIO;
    json_error_t e;
    json_t *a = PQntuples(r) == 1 ? json_loads(PQgetvalue(r, 0, 0), 0, &e) : NULL;
    PQclear(r);
    if (!json_is_array(a)) {
        json_decref(a);
        return -EIO;
    }
    *out = a;
    return 0;
}

int prov_pg_station_known(prov_pg *pg, const char *id, bool *known)
{
    const char *p[] = {id};
    PGresult *r = run(pg, "SELECT 1 FROM stations WHERE id = $1 AND enrolled_at IS NOT NULL", 1, p);
    if (!r) return -EIO;
    *known = PQntuples(r) == 1;
    PQclear(r);
    return 0;
}

int prov_pg_read_stations(prov_pg *pg, const char *station, json_t **out)
{
    /* backlog: seqs the station's latest census covers that the hub has
     * not applied yet, plus those applied past a gap (still open) */
    return read_json(pg,
                     "SELECT coalesce(json_agg(x ORDER BY x.name, x.id), '[]')::text FROM ("
                     " SELECT s.id, s.name, s.last_seen,"
                     "  extract(epoch FROM now() - s.last_seen)::bigint AS lag_s,"
                     "  s.last_seq AS applied_seq,"
                     "  greatest(coalesce(c.seq, 0) - s.last_seq, 0) AS backlog,"
                     "  cardinality(s.seq_above) AS open_gaps,"
                     "  count(r.id) AS cameras,"
                     "  count(r.id) FILTER (WHERE r.data->>'state' = 'online') AS online,"
                     "  count(r.id) FILTER (WHERE r.data->>'state' = 'dark') AS dark"
                     " FROM stations s LEFT JOIN census c ON c.station = s.id"
                     " LEFT JOIN rows r ON r.station = s.id AND r.entity = 'camera' AND NOT r.deleted"
                     " WHERE s.enrolled_at IS NOT NULL AND ($1::text IS NULL OR s.id = $1)"
                     " GROUP BY s.id, c.seq) x",
                     station, out);
}

int prov_pg_read_cameras(prov_pg *pg, const char *station, json_t **out)
{
    /* dark first, then by station and the station's camera id */
    return read_json(pg,
                     "SELECT coalesce(json_agg(x ORDER BY x.state <> 'dark', x.station,"
                     "  length(x.id), x.id), '[]')::text FROM ("
                     " SELECT r.station, s.name AS station_name, r.id, r.data->>'name' AS name,"
                     "  r.data->'ward_id' AS ward_id, w.data->>'name' AS ward,"
                     "  coalesce(r.data->>'state', 'unknown') AS state,"
                     "  r.data->'state_since_us' AS state_since_us, r.at AS last_change"
                     " FROM rows r JOIN stations s ON s.id = r.station"
                     " LEFT JOIN rows w ON w.station = r.station AND w.entity = 'ward'"
                     "  AND w.id = r.data->>'ward_id' AND NOT w.deleted"
                     " WHERE r.entity = 'camera' AND NOT r.deleted"
                     "  AND ($1::text IS NULL OR r.station = $1)) x",
                     station, out);
}

int prov_pg_read_alerts(prov_pg *pg, const char *station, json_t **out)
{
    /* open = not cleared at the station; newest raised first */
    return read_json(pg,
                     "SELECT coalesce(json_agg(x ORDER BY x.raised_us DESC NULLS LAST, x.station,"
                     "  x.id), '[]')::text FROM ("
                     " SELECT r.station, s.name AS station_name, r.id,"
                     "  coalesce(r.data->>'reason', 'dark') AS reason,"
                     "  r.data->'camera_id' AS camera_id, r.data->>'camera_name' AS camera_name,"
                     "  r.data->'ward_id' AS ward_id, w.data->>'name' AS ward,"
                     "  (r.data->>'since_us')::bigint AS since_us,"
                     "  (r.data->>'raised_us')::bigint AS raised_us, r.at"
                     " FROM rows r JOIN stations s ON s.id = r.station"
                     " LEFT JOIN rows w ON w.station = r.station AND w.entity = 'ward'"
                     "  AND w.id = r.data->>'ward_id' AND NOT w.deleted"
                     " WHERE r.entity = 'alert' AND NOT r.deleted AND r.data->>'cleared_us' IS NULL"
                     "  AND ($1::text IS NULL OR r.station = $1)) x",
                     station, out);
}

int prov_pg_read_owners(prov_pg *pg, const char *station, json_t **out)
{
    return read_json(pg,
                     "SELECT coalesce(json_agg(x ORDER BY x.station, length(x.id), x.id),"
                     "  '[]')::text FROM ("
                     " SELECT r.station, r.id, r.data->>'name' AS name, r.data->>'kind' AS kind,"
                     "  r.data->'ward_id' AS ward_id, w.data->>'name' AS ward"
                     " FROM rows r LEFT JOIN rows w ON w.station = r.station AND w.entity = 'ward'"
                     "  AND w.id = r.data->>'ward_id' AND NOT w.deleted"
                     " WHERE r.entity = 'owner' AND NOT r.deleted"
                     "  AND ($1::text IS NULL OR r.station = $1)) x",
                     station, out);
}

/* ---- for the console's newer read queries (pgread.c holds their SQL; this
 * file only runs them, so the connection stays private to pgstore.c) ---- */

int prov_pg_read_sql(prov_pg *pg, const char *sql, int n, const char *const *params, json_t **out)
{
    PGresult *r = run(pg, sql, n, params);
    if (!r) return -EIO;
    json_error_t e;
    json_t *v = PQntuples(r) == 1 && !PQgetisnull(r, 0, 0) ? json_loads(PQgetvalue(r, 0, 0), JSON_DECODE_ANY, &e) : NULL;
    PQclear(r);
    if (!v) return -EIO;
    *out = v;
    return 0;
}

int prov_pg_read_indexes(prov_pg *pg)
{
    /* events search: newest first over every station, one station, or one
     * camera; the replicated rows table has only its primary key */
    PGresult *r = PQexec(pg->conn,
                         "SET client_min_messages = warning;"
                         /* jsonb, as pgread.c compares: an index on a cast would
                          * make a bad value of one station fail its inserts */
                         "CREATE INDEX IF NOT EXISTS rows_event_start ON rows"
                         " ((data->'start_us') DESC, station DESC, id DESC)"
                         " WHERE entity = 'event' AND NOT deleted;"
                         /* one station's (and one camera's) events: its own range */
                         "CREATE INDEX IF NOT EXISTS rows_event_station_start ON rows"
                         " (station, (data->'start_us') DESC, id DESC)"
                         " WHERE entity = 'event' AND NOT deleted;"
                         "CREATE INDEX IF NOT EXISTS rows_assessment_year ON rows"
                         " ((data->'year'), station) WHERE entity = 'assessment' AND NOT deleted;");
    int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : -EIO;
    if (rc) log_pg("console indexes", pg->conn);
    PQclear(r);
    return rc;
}
