/*
 * review.c — the province's reviews written back to this station: checking
 * a ctl/review message (relay.h).  Pure apart from libsodium; the publisher
 * (relay.c) stores and applies what passes.
 *
 * Why a signature when the broker has an ACL: the broker is shared by every
 * station of the province, and a review changes the ward's record (the
 * province's verdict on a criterion).  Only the holder of the hub's key may
 * write one, whoever can publish on the topic.
 */
#include "relay/relay.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

void relay_review_clear(struct relay_review *rv)
{
    if (!rv) return;
    free(rv->notes);
    memset(rv, 0, sizeof *rv);
}

/* Copies the string field k of o into out (max bytes with the NUL); a
 * missing field is "" when optional. */
static bool str_field(json_t *o, const char *k, char *out, size_t max, bool optional)
{
    json_t *v = json_object_get(o, k);
    if (!v || json_is_null(v)) {
        out[0] = 0;
        return optional;
    }
    const char *s = json_string_value(v);
    if (!s || strlen(s) >= max) return false;
    memcpy(out, s, strlen(s) + 1);
    return true;
}

static bool id_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 8 || n > RELAY_REVIEW_ID_MAX) return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') || s[i] == '-')) return false;
    return true;
}

int relay_review_parse_body(const char *body, struct relay_review *out, const char **why)
{
    memset(out, 0, sizeof *out);
    *why = NULL;
    json_t *o = json_loads(body, JSON_REJECT_DUPLICATES, NULL);
    int rc = WW_EINVAL;
    json_int_t ward = 0, year = 0, crit = 0;
    if (!json_is_object(o)) *why = "the body is not a JSON object";
    else if (!str_field(o, "review_id", out->review_id, sizeof out->review_id, false) || !id_ok(out->review_id))
        *why = "review_id is not 8..64 of [a-z0-9-]";
    else if (!str_field(o, "station", out->station, sizeof out->station, false) || !out->station[0])
        *why = "station is missing";
    else if (!json_is_integer(json_object_get(o, "ward_id")) || (ward = json_integer_value(json_object_get(o, "ward_id"))) <= 0)
        *why = "ward_id is not a positive integer";
    else if (!json_is_integer(json_object_get(o, "year")) || (year = json_integer_value(json_object_get(o, "year"))) < 2000 || year > 2100)
        *why = "year is not 2000..2100";
    else if (!json_is_integer(json_object_get(o, "criterion")) || (crit = json_integer_value(json_object_get(o, "criterion"))) < 1 || crit > 1000)
        *why = "criterion is not a criterion number";
    else if (!str_field(o, "result", out->result, sizeof out->result, false) ||
             (strcmp(out->result, "met") && strcmp(out->result, "not_met") && strcmp(out->result, "in_progress")))
        *why = "result is not met, not_met or in_progress";
    else if (!str_field(o, "reviewer", out->reviewer, sizeof out->reviewer, false) || !out->reviewer[0])
        *why = "reviewer is missing";
    else if (!str_field(o, "assessed_on", out->assessed_on, sizeof out->assessed_on, true))
        *why = "assessed_on is not a date";
    else if (json_object_get(o, "notes") && !json_is_null(json_object_get(o, "notes")) &&
             (!json_is_string(json_object_get(o, "notes")) || json_string_length(json_object_get(o, "notes")) > 4000))
        *why = "notes is not a text of at most 4000 bytes";
    else {
        out->ward_id = ward;
        out->year = (int)year;
        out->criterion = (int)crit;
        const char *n = json_string_value(json_object_get(o, "notes"));
        out->notes = n && *n ? ww_strdup(n) : NULL;
        rc = 0;
    }
    json_decref(o);
    if (rc) {
        free(out->notes);
        memset(out, 0, sizeof *out);
    }
    return rc;
}

static bool sig_ok(const char *body, const char *sig_b64, const char *key_b64)
{
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES];
    size_t pkl = 0, sl = 0;
    if (sodium_base642bin(pk, sizeof pk, key_b64, strlen(key_b64), NULL, &pkl, NULL,
                          sodium_base64_VARIANT_ORIGINAL) || pkl != sizeof pk)
        return false;
    if (sodium_base642bin(sig, sizeof sig, sig_b64, strlen(sig_b64), NULL, &sl, NULL,
                          sodium_base64_VARIANT_ORIGINAL) || sl != sizeof sig)
        return false;
    return crypto_sign_verify_detached(sig, (const unsigned char *)body, strlen(body), pk) == 0;
}

int relay_review_verify(const void *payload, size_t len, const char *hub_key_b64, const char *station,
                        char **body, char **sig, struct relay_review *out, const char **why)
{
    *body = *sig = NULL;
    memset(out, 0, sizeof *out);
    *why = NULL;
    if (!hub_key_b64 || !*hub_key_b64) { *why = "this station holds no hub key (not joined)"; return WW_EINVAL; }
    json_t *j = json_loadb(payload, len, JSON_REJECT_DUPLICATES, NULL);
    const char *b = json_string_value(json_object_get(j, "body"));
    const char *s = json_string_value(json_object_get(j, "sig"));
    const char *op = json_string_value(json_object_get(j, "op"));
    int rc = WW_EINVAL;
    if (!json_is_object(j)) *why = "not a JSON object";
    else if (json_integer_value(json_object_get(j, "v")) != 1 || !op || strcmp(op, "review")) *why = "not a v1 review";
    else if (!b || !s) *why = "body or sig missing";
    else if (memchr(b, 0, json_string_length(json_object_get(j, "body")))) *why = "body holds a NUL";
    else if (!sig_ok(b, s, hub_key_b64)) *why = "the signature is not the hub's";
    else if (relay_review_parse_body(b, out, why)) { /* why set */ }
    else if (strcmp(out->station, station)) {
        *why = "the review is for another station";
        relay_review_clear(out);
    } else {
        *body = ww_strdup(b);
        *sig = ww_strdup(s);
        rc = 0;
    }
    json_decref(j);
    return rc;
}
