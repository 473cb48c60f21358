/*
 * review.c — the province's review of a ward's criterion, written back to
 * the station that holds the ward (province.h; the station side is
 * relay/review.c).  The body is the JSON text the signature covers, carried
 * as a string so the station checks exactly the bytes the hub signed.
 */
#include "province/province.h"

#include <errno.h>
#include <mosquitto.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "relay/relay.h"

int prov_review_build(const struct prov_review *rv, const char *hub_dir, char **payload, char review_id[33])
{
    *payload = NULL;
    review_id[0] = 0;
    if (!rv->station || !prov_station_id_ok(rv->station) || rv->ward_id <= 0 || !rv->result || !rv->reviewer ||
        !*rv->reviewer)
        return WW_EINVAL;
    unsigned char rnd[16];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(review_id, 33, rnd, sizeof rnd);
    char issued[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(issued, sizeof issued, "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_t *b = json_pack("{s:s,s:s,s:I,s:i,s:i,s:s,s:s*,s:s,s:s*,s:s}", "review_id", review_id, "station",
                          rv->station, "ward_id", (json_int_t)rv->ward_id, "year", rv->year, "criterion",
                          rv->criterion, "result", rv->result, "notes", rv->notes, "reviewer", rv->reviewer,
                          "assessed_on", rv->assessed_on, "issued_at", issued);
    char *body = b ? json_dumps(b, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(b);
    if (!body) return WW_EINVAL;
    /* the station would refuse what does not parse: say so here first */
    struct relay_review chk;
    const char *why = NULL;
    if (relay_review_parse_body(body, &chk, &why)) {
        ww_log(WW_LOG_ERROR, "province", "review not sent: %s", why);
        free(body);
        return WW_EINVAL;
    }
    relay_review_clear(&chk);
    unsigned char sk[crypto_sign_SECRETKEYBYTES], sig[crypto_sign_BYTES];
    int rc = prov_hub_key_load(hub_dir, sk); /* forward.c */
    if (rc) {
        free(body);
        return rc;
    }
    crypto_sign_detached(sig, NULL, (const unsigned char *)body, strlen(body), sk);
    sodium_memzero(sk, sizeof sk);
    char sig64[sodium_base64_ENCODED_LEN(crypto_sign_BYTES, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(sig64, sizeof sig64, sig, sizeof sig, sodium_base64_VARIANT_ORIGINAL);
    json_t *m = json_pack("{s:i,s:s,s:s,s:s}", "v", 1, "op", "review", "body", body, "sig", sig64);
    *payload = m ? json_dumps(m, JSON_COMPACT) : NULL;
    json_decref(m);
    free(body);
    return *payload ? 0 : WW_EINVAL;
}

struct pub_wait { int mid; volatile int acked; };

static void on_pub(struct mosquitto *m, void *ud, int mid)
{
    (void)m;
    struct pub_wait *w = ud;
    if (mid == w->mid) w->acked = 1;
}

int prov_review_publish(const char *mqtt_url, const char *station, const char *payload, int timeout_ms)
{
    char *host = NULL;
    int port = 0;
    if (relay_parse_url(mqtt_url, &host, &port) || !prov_station_id_ok(station)) {
        free(host);
        return WW_EINVAL;
    }
    mosquitto_lib_init();
    struct pub_wait w = {.mid = -1};
    char cid[64];
    snprintf(cid, sizeof cid, "hub-review-%ld", (long)getpid());
    struct mosquitto *m = mosquitto_new(cid, true, &w);
    int rc = -ETIMEDOUT;
    if (m) {
        mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
        mosquitto_publish_callback_set(m, on_pub);
        if (mosquitto_connect(m, host, port, 30) == MOSQ_ERR_SUCCESS) {
            char *topic = ww_asprintf("wardwatch/%s/ctl/review", station);
            int mid = 0;
            if (mosquitto_publish(m, &mid, topic, (int)strlen(payload), payload, 1, false) == MOSQ_ERR_SUCCESS) {
                w.mid = mid;
                /* bounded: one loop step at most every 100 ms up to the deadline */
                for (int waited = 0; !w.acked && waited < timeout_ms; waited += 100)
                    if (mosquitto_loop(m, 100, 1) != MOSQ_ERR_SUCCESS) break;
                if (w.acked) rc = 0;
            }
            free(topic);
            mosquitto_disconnect(m);
        }
        mosquitto_destroy(m);
    }
    mosquitto_lib_cleanup();
    free(host);
    return rc;
}
