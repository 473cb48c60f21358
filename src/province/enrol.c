/*
 * province/enrol.c — the hub's HTTP side: POST /api/v1/province/enrol.
 * Each request opens its own PostgreSQL connection (enrolment is rare; a
 * shared connection would need a lock across handler threads).
 */
#include <errno.h>
#include <string.h>

#include "http/http.h"
#include "province/province.h"

static int enrol(struct http_req *req, void *ud)
{
    const struct prov_http *h = ud;
    static const char *const allowed[] = {"token", "name", "public_key", "url", NULL};
    json_t *body;
    const char *token, *name = "", *pub, *url = NULL;
    int rc = http_req_json(req, allowed, &body);
    if (rc < 0) return rc;
    if ((rc = http_json_str(req, body, "token", true, 1, 128, &token)) < 0) return rc;
    if ((rc = http_json_str(req, body, "name", false, 0, 200, &name)) < 0) return rc;
    if ((rc = http_json_str(req, body, "public_key", true, 1, 200, &pub)) < 0) return rc;
    if ((rc = http_json_str(req, body, "url", false, 8, 200, &url)) < 0) return rc;
    if (url && !prov_station_url_ok(url))
        return http_fail_field(req, WW_EINVAL, "format", "url", "url must be http(s)://HOST[:PORT] with no path");
    prov_pg *pg;
    if (prov_pg_open(h->conninfo, &pg))
        return http_error(req, 503, "unavailable", "the province catalog is not reachable");
    char id[PROV_STATION_MAX + 1];
    rc = prov_pg_enrol(pg, token, name, pub, url, id);
    prov_pg_close(pg);
    if (rc == -EACCES)
        return http_error(req, 403, "forbidden", "enrolment token wrong, used or expired");
    if (rc) return http_error(req, 503, "unavailable", "the province catalog failed");
    json_t *mqtt = h->mqtt_public ? json_string(h->mqtt_public) : json_null();
    return http_respond_json(req, 200,
                             json_pack("{s:s, s:s, s:o}", "station", id, "hub_public_key",
                                       h->hub_public_key, "mqtt", mqtt));
}

int prov_http_register(struct http_server *srv, const struct prov_http *h)
{
    return http_route(srv, "POST", "/api/v1/province/enrol", enrol, (void *)h, HTTP_PUBLIC);
}
