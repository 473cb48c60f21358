/*
 * stats.c — request counters by route and status, and latency by route,
 * for GET /metrics (api/metrics.c formats them).
 *
 * Why by route pattern: a label per raw path ("/api/v1/cameras/17") would
 * grow with every id ever asked for, and a client could grow it at will
 * with 404s; the route table is fixed at start, so the series are bounded
 * by it (statuses by HTTP_STATS_MAX_STATUSES).  Counters live beside their
 * route (struct http_route.counter) and die with the router at stop, after
 * every connection is gone.
 */
#include "http/internal.h"

#include <stdlib.h>
#include <string.h>

struct http_counter *http_counter_new(const char *method, const char *route)
{
    struct http_counter *c = ww_calloc(1, sizeof *c);
    c->method = ww_strdup(method);
    c->route = ww_strdup(route);
    return c;
}

void http_counter_free(struct http_counter *c)
{
    if (!c) return;
    free(c->method);
    free(c->route);
    free(c);
}

/* The slot of status in c, stats_mu held: found, new, or the overflow
 * slot (status 0) once all but it are taken. */
static size_t status_slot(struct http_counter *c, unsigned status)
{
    for (size_t i = 0; i < c->nstatus; i++)
        if (c->status[i] == status) return i;
    if (c->nstatus < HTTP_STATS_MAX_STATUSES - 1) {
        c->status[c->nstatus] = status;
        return c->nstatus++;
    }
    if (c->nstatus == HTTP_STATS_MAX_STATUSES - 1) c->status[c->nstatus++] = 0;
    return HTTP_STATS_MAX_STATUSES - 1;
}

void http_counter_add(struct http_server *srv, struct http_counter *c, unsigned status, int64_t us)
{
    if (!c) return;
    pthread_mutex_lock(&srv->stats_mu);
    c->n[status_slot(c, status)]++;
    pthread_mutex_unlock(&srv->stats_mu);
    ww_hist_observe(&c->latency, us);
}

/* Appends a copy of c when it answered anything; stats_mu held. */
static void copy_counter(const struct http_counter *c, struct http_route_stats **v, size_t *n, size_t *cap)
{
    if (!c || !c->nstatus) return;
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 32;
        *v = ww_realloc(*v, *cap * sizeof **v);
    }
    struct http_route_stats *o = &(*v)[(*n)++];
    memset(o, 0, sizeof *o);
    o->method = ww_strdup(c->method);
    o->route = ww_strdup(c->route);
    o->nstatus = c->nstatus;
    for (size_t i = 0; i < c->nstatus; i++) o->status[i] = (struct http_status_count){c->status[i], c->n[i]};
    ww_hist_read(&c->latency, &o->latency);
}

void http_stats_read(struct http_server *srv, struct http_route_stats **out, size_t *n)
{
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    pthread_rwlock_rdlock(&srv->routes_lock);
    pthread_mutex_lock(&srv->stats_mu);
    for (size_t i = 0; i < srv->router.n; i++) copy_counter(srv->router.routes[i].counter, out, n, &cap);
    copy_counter(srv->static_counter, out, n, &cap);
    copy_counter(srv->none_counter, out, n, &cap);
    pthread_mutex_unlock(&srv->stats_mu);
    pthread_rwlock_unlock(&srv->routes_lock);
}

void http_stats_free(struct http_route_stats *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].method);
        free(v[i].route);
    }
    free(v);
}
