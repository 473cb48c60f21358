/*
 * station.c — `wardwatch station join HUB_URL TOKEN [--mqtt URL]` and
 * `wardwatch station status`: this station's membership of the province
 * (docs/province.md).  join enrols at the hub (POST /api/v1/province/enrol
 * with the station's public signing key), stores what the hub answers in the
 * catalog's settings and writes the full snapshot to the outbox; a running
 * serve picks the settings up within a few seconds and starts publishing.
 */
#include "cli/common.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/cat_outbox.h"
#include "export/export.h"
#include "province/province.h"
#include "relay/relay.h"

static const char join_help[] =
    "usage: wardwatch [--data DIR] station join HUB_URL TOKEN [--mqtt mqtt://HOST:PORT]\n"
    "                                  [--url http://STATION:PORT]\n\n"
    "Enrols this station at the province hub with the one-time TOKEN the hub's\n"
    "operator gave, stores the station id, hub URL, hub public key and broker in\n"
    "the catalog and writes the full snapshot for the hub.  --mqtt overrides the\n"
    "broker the hub names.  --url is this station's API address as the hub\n"
    "reaches it; without it the hub cannot forward province users' requests for\n"
    "live view, playback and exports here.  A running serve starts publishing\n"
    "within seconds.\n";

struct body { char *p; size_t n; };

static size_t collect(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct body *b = ud;
    size_t add = size * nmemb;
    if (b->n + add > 64 * 1024) return 0; /* an enrol answer is small; refuse a flood */
    char *p = realloc(b->p, b->n + add + 1);
    if (!p) return 0;
    memcpy(p + b->n, ptr, add);
    b->p = p;
    b->n += add;
    b->p[b->n] = 0;
    return add;
}

/* POSTs body to url; *status the HTTP status (0: no answer), *answer heap. */
static int post_json(const char *url, const char *body, long *status, char **answer, char *err, size_t errn)
{
    struct body b = {0};
    CURL *h = curl_easy_init();
    if (!h) return -ENOMEM;
    struct curl_slist *hd = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 15000L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(h);
    *status = 0;
    if (rc == CURLE_OK) curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    else snprintf(err, errn, "%s", curl_easy_strerror(rc));
    curl_slist_free_all(hd);
    curl_easy_cleanup(h);
    *answer = b.p;
    return rc == CURLE_OK ? 0 : -EIO;
}

/* Stores what the hub answered and writes the snapshot, in one transaction. */
static int store_join(catalog_t *cat, const char *station, const char *hub, const char *hub_key, const char *mqtt)
{
    int rc = catalog_begin(cat);
    if (!rc) rc = catalog_setting_set(cat, CATALOG_OUTBOX_STATION, station);
    if (!rc) rc = catalog_setting_set(cat, CATALOG_OUTBOX_HUB, hub);
    if (!rc) rc = catalog_setting_set(cat, CATALOG_OUTBOX_HUB_KEY, hub_key);
    if (!rc && mqtt) rc = catalog_setting_set(cat, CATALOG_OUTBOX_MQTT, mqtt);
    if (!rc) rc = catalog_outbox_snapshot(cat);
    if (!rc && catalog_commit(cat)) rc = WW_EDB;
    if (rc) catalog_rollback(cat);
    return rc;
}

static int check_answer(json_t *j, const char **station, const char **hub_key, const char **mqtt)
{
    *station = json_string_value(json_object_get(j, "station"));
    *hub_key = json_string_value(json_object_get(j, "hub_public_key"));
    *mqtt = json_string_value(json_object_get(j, "mqtt")); /* may be null */
    if (!*station || !*hub_key) return WW_EINVAL;
    size_t n = strlen(*station);
    if (n < 1 || n > 64 || strspn(*station, "abcdefghijklmnopqrstuvwxyz0123456789-") != n) return WW_EINVAL;
    return 0;
}

static int station_join(struct cli_ctx *ctx, int argc, char **argv)
{
    const char *pos[2] = {0}, *mqtt_flag = NULL, *url_flag = NULL;
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help")) { fputs(join_help, stdout); return 0; }
        if (!strcmp(argv[i], "--mqtt") && i + 1 < argc) mqtt_flag = argv[++i];
        else if (!strcmp(argv[i], "--url") && i + 1 < argc) url_flag = argv[++i];
        else if (argv[i][0] == '-' || npos == 2) return cli_usage("station join: unexpected '%s'", argv[i]);
        else pos[npos++] = argv[i];
    }
    if (npos != 2) return cli_usage("station join wants HUB_URL TOKEN (see --help)");
    char *host = NULL;
    int port;
    if (mqtt_flag && relay_parse_url(mqtt_flag, &host, &port))
        return cli_usage("station join: --mqtt wants mqtt://HOST:PORT, not '%s'", mqtt_flag);
    free(host);
    char *own_url = NULL;
    if (url_flag) {
        size_t ul = strlen(url_flag);
        own_url = ww_asprintf("%.*s", (int)(ul && url_flag[ul - 1] == '/' ? ul - 1 : ul), url_flag);
        if (!prov_station_url_ok(own_url)) {
            free(own_url);
            return cli_usage("station join: --url wants http://HOST:PORT (this station's API, no path), not '%s'",
                             url_flag);
        }
    }
    struct export_key k;
    int rc = export_key_load(ctx->data_dir, &k);
    if (rc) {
        cli_err("station join: %s", rc == WW_ENOTFOUND ? "this data folder has no signing key yet (run init)"
                                                        : ww_strerror(rc));
        free(own_url);
        return 1;
    }
    size_t hl = strlen(pos[0]);
    char *url = ww_asprintf("%.*s/api/v1/province/enrol", (int)(hl && pos[0][hl - 1] == '/' ? hl - 1 : hl), pos[0]);
    json_t *req = json_pack("{s:s,s:s,s:s}", "token", pos[1], "name", k.station_name, "public_key", k.public_b64);
    if (own_url) json_object_set_new(req, "url", json_string(own_url));
    char *body = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    export_key_wipe(&k);
    long status;
    char *answer = NULL, err[256] = "";
    rc = post_json(url, body, &status, &answer, err, sizeof err);
    free(body);
    json_t *j = NULL;
    const char *station = NULL, *hub_key = NULL, *mqtt = NULL;
    if (rc) cli_err("station join: %s: %s", url, err);
    else if (status != 200) {
        json_t *e = answer ? json_loads(answer, 0, NULL) : NULL;
        const char *why = json_string_value(json_object_get(e, "error"));
        cli_err("station join: the hub refused the enrolment (HTTP %ld%s%s)", status, why ? ": " : "",
                why ? why : "");
        json_decref(e);
        rc = WW_EINVAL;
    } else if (!(j = json_loads(answer ? answer : "", 0, NULL)) || check_answer(j, &station, &hub_key, &mqtt)) {
        cli_err("station join: the hub's answer is not {\"station\":ID,\"hub_public_key\":KEY,\"mqtt\":URL}");
        rc = WW_EINVAL;
    }
    catalog_t *cat = NULL;
    if (!rc && !(rc = cli_open(ctx, &cat) ? WW_EDB : 0)) {
        rc = store_join(cat, station, pos[0], hub_key, mqtt_flag ? mqtt_flag : mqtt);
        if (rc) cli_err("station join: cannot store the membership: %s", ww_strerror(rc));
        catalog_close(cat);
    }
    if (!rc)
        printf("joined the province as %s (hub %s, broker %s); the snapshot is in the outbox\n", station, pos[0],
               mqtt_flag ? mqtt_flag : mqtt ? mqtt : "(none yet: give serve --mqtt)");
    if (!rc && !own_url)
        printf("no --url given: the hub cannot forward province requests (live, playback, export) to this "
               "station\n");
    free(own_url);
    json_decref(j);
    free(answer);
    free(url);
    return rc ? 1 : 0;
}

static int station_status(struct cli_ctx *ctx, int argc, char **argv)
{
    int rc = cli_flag_only(argc, argv, "station status", NULL, NULL,
                           "usage: wardwatch [--data DIR] station status\n\nPrints whether this station is joined "
                           "to a province, its id, hub, broker,\nthe outbox backlog and the last seq the broker "
                           "acknowledged.\n");
    if (rc >= 0) return rc;
    catalog_t *cat;
    if ((rc = cli_open(ctx, &cat))) return rc;
    char *v[3] = {0};
    const char *keys[3] = {CATALOG_OUTBOX_STATION, CATALOG_OUTBOX_HUB, CATALOG_OUTBOX_MQTT};
    for (int i = 0; i < 3; i++)
        if (catalog_setting_get(cat, keys[i], &v[i])) v[i] = NULL;
    int64_t backlog = 0, last_sent = 0, max_seq = 0;
    rc = catalog_outbox_stats(cat, &backlog, &last_sent, &max_seq);
    catalog_close(cat);
    printf("joined:        %s\n", v[0] ? "yes" : "no");
    printf("station id:    %s\n", v[0] ? v[0] : "-");
    printf("hub:           %s\n", v[1] ? v[1] : "-");
    printf("broker:        %s\n", v[2] ? v[2] : "-");
    printf("backlog:       %lld\n", (long long)backlog);
    printf("last sent seq: %lld\n", (long long)last_sent);
    for (int i = 0; i < 3; i++) free(v[i]);
    return rc ? 1 : 0;
}

/* The reviews the hub wrote back, newest first: what was applied and what
 * was refused, and why (docs/province.md, "Reviews written back"). */
static int station_reviews(struct cli_ctx *ctx, int argc, char **argv)
{
    bool json = false;
    int rc = cli_flag_only(argc, argv, "station reviews", "json", &json,
                           "usage: wardwatch [--data DIR] station reviews [--json]\n\nLists the province's reviews "
                           "this station received from the hub (newest\nfirst, at most 200): pending, applied (with "
                           "the assessment's id) or refused\n(with the reason).\n");
    if (rc >= 0) return rc;
    catalog_t *cat;
    if ((rc = cli_open(ctx, &cat))) return rc;
    struct catalog_province_review *v = NULL;
    size_t n = 0;
    rc = catalog_province_review_list(cat, 200, &v, &n);
    catalog_close(cat);
    if (rc) {
        cli_err("station reviews: %s", ww_strerror(rc));
        return 1;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *body = json_loads(v[i].body, 0, NULL);
        json_t *o = json_pack("{s:s,s:s,s:s*,s:I,s:I,s:o}", "review_id", v[i].review_id, "state", v[i].state, "why",
                              v[i].why, "assessment_id", (json_int_t)v[i].assessment_id, "received_us",
                              (json_int_t)v[i].received_us, "review", body ? body : json_null());
        json_array_append_new(arr, o);
        if (!json) {
            json_t *b = o ? json_object_get(o, "review") : NULL;
            printf("%-32s %-8s ward %-4lld %4lld criterion %-3lld %-11s by %s%s%s\n", v[i].review_id, v[i].state,
                   (long long)json_integer_value(json_object_get(b, "ward_id")),
                   (long long)json_integer_value(json_object_get(b, "year")),
                   (long long)json_integer_value(json_object_get(b, "criterion")),
                   json_string_value(json_object_get(b, "result")) ? json_string_value(json_object_get(b, "result")) : "?",
                   json_string_value(json_object_get(b, "reviewer")) ? json_string_value(json_object_get(b, "reviewer")) : "?",
                   v[i].why ? ": " : "", v[i].why ? v[i].why : "");
        }
    }
    if (json) cli_print_json(arr, JSON_INDENT(2)); /* takes arr */
    else json_decref(arr);
    catalog_province_reviews_free(v, n);
    return 0;
}

CLI_ACTIONS(cli_station, "station", "usage: wardwatch station join HUB_URL TOKEN [--mqtt URL] [--url URL] | status | reviews",
            {"join", station_join}, {"status", station_status}, {"reviews", station_reviews})
