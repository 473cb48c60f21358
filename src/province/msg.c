/*
 * province/msg.c — parsing and validating v1 messages, and the applied-seq
 * tracker.  Pure functions: the unit tests drive them directly.
 */
#include <errno.h>
#include <string.h>

#include "province/province.h"

static const char *const cause_names[PROV_CAUSES] = {
    "ok", "bad_topic", "malformed_json", "wrong_v", "bad_field", "unknown_entity",
    "topic_mismatch", "not_enrolled", "apply_failed",
};

const char *prov_cause_name(enum prov_cause c)
{
    return (unsigned)c < PROV_CAUSES ? cause_names[c] : "?";
}

bool prov_station_id_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > PROV_STATION_MAX) return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

static const char *const entities[] = {
    "station", "ward", "camera", "owner", "consent", "alert", "event", "incident",
    "incident_history", "assessment", "recognition", "audit_head", "storage",
    "census", "snapshot",
};

bool prov_entity_ok(const char *s)
{
    for (size_t i = 0; i < sizeof entities / sizeof entities[0]; i++)
        if (!strcmp(s, entities[i])) return true;
    return false;
}

void prov_msg_clear(struct prov_msg *m)
{
    json_decref(m->data);
    memset(m, 0, sizeof *m);
}

/* Copies a string member of at most max bytes; false when absent or too long. */
static bool get_str(json_t *o, const char *key, char *dst, size_t max, bool allow_empty)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v)) return false;
    size_t n = json_string_length(v);
    if (n > max || (!allow_empty && n == 0)) return false;
    memcpy(dst, json_string_value(v), n);
    dst[n] = 0;
    return strlen(dst) == n; /* no embedded NUL */
}

static bool get_pos_int(json_t *o, const char *key, int64_t *out)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v) || json_integer_value(v) < 1) return false;
    *out = json_integer_value(v);
    return true;
}

/* Topic "wardwatch/<station>/<entity>"; fills station and entity. */
static bool split_topic(const char *topic, char *station, char *entity)
{
    static const char pre[] = "wardwatch/";
    if (strncmp(topic, pre, sizeof pre - 1)) return false;
    const char *s = topic + sizeof pre - 1, *slash = strchr(s, '/');
    if (!slash || (size_t)(slash - s) > PROV_STATION_MAX) return false;
    memcpy(station, s, (size_t)(slash - s));
    station[slash - s] = 0;
    const char *e = slash + 1;
    if (strlen(e) > PROV_ENTITY_MAX || strchr(e, '/')) return false;
    strcpy(entity, e);
    return prov_station_id_ok(station);
}

static enum prov_cause parse_fields(json_t *o, struct prov_msg *m)
{
    json_t *v = json_object_get(o, "v");
    if (!json_is_integer(v) || json_integer_value(v) != 1) return PROV_BAD_VERSION;
    if (!get_str(o, "station", m->station, PROV_STATION_MAX, false) ||
        !prov_station_id_ok(m->station))
        return PROV_BAD_FIELD;
    if (!get_str(o, "entity", m->entity, PROV_ENTITY_MAX, false)) return PROV_BAD_FIELD;
    if (!prov_entity_ok(m->entity)) return PROV_BAD_ENTITY;
    if (!get_str(o, "id", m->id, PROV_ID_MAX, false)) return PROV_BAD_FIELD;
    if (!get_pos_int(o, "version", &m->version)) return PROV_BAD_FIELD;
    /* census carries the last seq it covers, which is no seq of its own */
    if (!get_pos_int(o, "seq", &m->seq)) return PROV_BAD_FIELD;
    char op[8];
    if (!get_str(o, "op", op, sizeof op - 1, false)) return PROV_BAD_FIELD;
    if (!strcmp(op, "delete")) m->deleted = true;
    else if (strcmp(op, "upsert")) return PROV_BAD_FIELD;
    json_t *at = json_object_get(o, "at");
    if (at && !get_str(o, "at", m->at, PROV_AT_MAX, true)) return PROV_BAD_FIELD;
    json_t *data = json_object_get(o, "data");
    if (!json_is_object(data)) return PROV_BAD_FIELD;
    m->data = json_incref(data);
    return PROV_OK;
}

enum prov_cause prov_msg_parse(const char *topic, const void *payload, size_t len,
                               struct prov_msg *out)
{
    memset(out, 0, sizeof *out);
    char t_station[PROV_STATION_MAX + 1], t_entity[PROV_ENTITY_MAX + 1];
    if (!split_topic(topic, t_station, t_entity)) return PROV_BAD_TOPIC;
    json_error_t err;
    json_t *o = json_loadb(payload, len, JSON_REJECT_DUPLICATES, &err);
    if (!json_is_object(o)) {
        json_decref(o);
        return PROV_BAD_JSON;
    }
    enum prov_cause c = parse_fields(o, out);
    json_decref(o);
    if (c == PROV_OK && (strcmp(t_station, out->station) || strcmp(t_entity, out->entity)))
        c = PROV_MISMATCH;
    if (c != PROV_OK) prov_msg_clear(out);
    return c;
}

/* ---- applied-seq tracker ---- */

void prov_seq_init(struct prov_seq *t, int64_t contig)
{
    t->contig = contig < 0 ? 0 : contig;
    t->n = 0;
}

bool prov_seq_seen(const struct prov_seq *t, int64_t seq)
{
    if (seq <= t->contig) return true;
    for (size_t i = 0; i < t->n; i++)
        if (t->above[i] == seq) return true;
    return false;
}

int64_t prov_seq_high(const struct prov_seq *t)
{
    return t->n ? t->above[t->n - 1] : t->contig;
}

/* Folds the seqs just above contig into it. */
static void advance(struct prov_seq *t)
{
    size_t k = 0;
    while (k < t->n && t->above[k] == t->contig + 1) {
        t->contig++;
        k++;
    }
    if (k) {
        memmove(t->above, t->above + k, (t->n - k) * sizeof t->above[0]);
        t->n -= k;
    }
}

int prov_seq_mark(struct prov_seq *t, int64_t seq)
{
    if (prov_seq_seen(t, seq)) return 0;
    if (seq == t->contig + 1) {
        t->contig = seq;
        advance(t);
        return 1;
    }
    if (t->n == PROV_SEQ_ABOVE) return -ENOSPC;
    size_t i = t->n;
    while (i > 0 && t->above[i - 1] > seq) {
        t->above[i] = t->above[i - 1];
        i--;
    }
    t->above[i] = seq;
    t->n++;
    return 1;
}

bool prov_msg_peek_seq(const char *topic, const void *payload, size_t len,
                       char station[PROV_STATION_MAX + 1], int64_t *seq)
{
    char t_entity[PROV_ENTITY_MAX + 1], st[PROV_STATION_MAX + 1];
    if (!split_topic(topic, station, t_entity)) return false;
    json_t *o = json_loadb(payload, len, JSON_REJECT_DUPLICATES, NULL);
    bool ok = json_is_object(o) && get_str(o, "station", st, PROV_STATION_MAX, false) &&
              !strcmp(st, station) && strcmp(t_entity, "census") &&
              get_pos_int(o, "seq", seq);
    json_decref(o);
    return ok;
}
