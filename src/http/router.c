/*
 * router.c — method + path pattern → handler.
 *
 * Patterns are split into segments once, at registration.  Matching walks
 * every route (a station has ~100; a linear scan costs microseconds) and
 * keeps the most specific match: at the first segment where two candidates
 * differ, a literal beats a {param}, which beats the "*" tail.  So
 * "/api/v1/cameras/map" can sit beside "/api/v1/cameras/{id}" whatever the
 * registration order.  A path that matches only with other methods gives
 * -EOPNOTSUPP and the Allow list (→ 405).
 *
 * Not thread-safe by itself: the server guards it with a rwlock.
 */
#include "http/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void http_router_init(struct http_router *r) { memset(r, 0, sizeof *r); }

void http_router_free(struct http_router *r)
{
    for (size_t i = 0; i < r->n; i++) {
        struct http_route *rt = &r->routes[i];
        for (size_t j = 0; j < rt->nsegs; j++) free(rt->segs[j]);
        free(rt->segs);
        free(rt->method);
        free(rt->pattern);
        http_counter_free(rt->counter);
    }
    free(r->routes);
    memset(r, 0, sizeof *r);
}

static bool is_param(const char *seg) { return seg[0] == '{'; }
static bool is_tail(const char *seg) { return !strcmp(seg, "*"); }

static bool method_known(const char *m)
{
    static const char *const ok[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (!strcmp(m, ok[i])) return true;
    return false;
}

/* Splits a pattern into segments; validates {name} and a final "*". */
static int split_pattern(const char *pattern, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!pattern || pattern[0] != '/') return WW_EINVAL;
    char **v = ww_calloc(HTTP_MAX_SEGMENTS, sizeof *v);
    size_t k = 0;
    const char *p = pattern;
    int rc = 0;
    while (*p) {
        while (*p == '/') p++;
        const char *s = p;
        while (*p && *p != '/') p++;
        if (p == s) break;
        if (k == HTTP_MAX_SEGMENTS) { rc = WW_EINVAL; break; }
        char *seg = strndup(s, (size_t)(p - s));
        v[k++] = seg;
        size_t len = strlen(seg);
        if (seg[0] == '{' && (len < 3 || seg[len - 1] != '}' || strchr(seg + 1, '{') ||
                              memchr(seg, '}', len - 1))) { rc = WW_EINVAL; break; }
        if (seg[0] != '{' && (strchr(seg, '{') || strchr(seg, '}'))) { rc = WW_EINVAL; break; }
        if (is_tail(seg) && *p && p[strspn(p, "/")]) { rc = WW_EINVAL; break; }
    }
    if (rc) {
        for (size_t i = 0; i < k; i++) free(v[i]);
        free(v);
        return rc;
    }
    *out = v;
    *n = k;
    return 0;
}

static bool same_shape(const struct http_route *a, char **segs, size_t n)
{
    if (a->nsegs != n) return false;
    for (size_t i = 0; i < n; i++) {
        bool pa = is_param(a->segs[i]), pb = is_param(segs[i]);
        if (pa != pb) return false;
        if (!pa && strcmp(a->segs[i], segs[i])) return false;
    }
    return true;
}

int http_router_add(struct http_router *r, const char *method, const char *pattern,
                    http_handler_fn fn, void *ud, unsigned flags)
{
    if (!method || !method_known(method) || !fn) return WW_EINVAL;
    char **segs;
    size_t n;
    if (split_pattern(pattern, &segs, &n)) return WW_EINVAL;
    for (size_t i = 0; i < r->n; i++) {
        if (!strcmp(r->routes[i].method, method) && same_shape(&r->routes[i], segs, n)) {
            for (size_t j = 0; j < n; j++) free(segs[j]);
            free(segs);
            return WW_ECONFLICT;
        }
    }
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 32;
        r->routes = ww_realloc(r->routes, r->cap * sizeof *r->routes);
    }
    struct http_route *rt = &r->routes[r->n++];
    rt->method = ww_strdup(method);
    rt->pattern = ww_strdup(pattern);
    rt->segs = segs;
    rt->nsegs = n;
    rt->fn = fn;
    rt->ud = ud;
    rt->flags = flags;
    rt->counter = http_counter_new(method, pattern);
    return 0;
}

/* Specificity of a route's segment kinds: 2 literal, 1 param, 0 tail. */
static int kind(const char *seg) { return is_tail(seg) ? 0 : is_param(seg) ? 1 : 2; }

/* Does rt match the path?  Fills params (names point into the route). */
static bool route_matches(const struct http_route *rt, const char *const *segs, size_t nsegs)
{
    size_t i;
    for (i = 0; i < rt->nsegs; i++) {
        const char *ps = rt->segs[i];
        if (is_tail(ps)) return i < nsegs; /* "*" needs at least one segment */
        if (i >= nsegs) return false;
        if (!is_param(ps) && strcmp(ps, segs[i])) return false;
    }
    return i == nsegs;
}

/* Is a more specific than b?  Both match the same path. */
static bool more_specific(const struct http_route *a, const struct http_route *b)
{
    size_t n = a->nsegs < b->nsegs ? a->nsegs : b->nsegs;
    for (size_t i = 0; i < n; i++) {
        int ka = kind(a->segs[i]), kb = kind(b->segs[i]);
        if (ka != kb) return ka > kb;
    }
    return a->nsegs > b->nsegs;
}

int http_router_match(const struct http_router *r, const char *method, const char *const *segs,
                      size_t nsegs, struct http_match *m)
{
    memset(m, 0, sizeof *m);
    const char *want = !strcmp(method, "HEAD") ? "GET" : method;
    const struct http_route *best = NULL;
    bool other = false;
    for (size_t i = 0; i < r->n; i++) {
        const struct http_route *rt = &r->routes[i];
        if (!route_matches(rt, segs, nsegs)) continue;
        if (strcmp(rt->method, want)) {
            other = true;
            continue;
        }
        if (!best || more_specific(rt, best)) best = rt;
    }
    if (!best) {
        if (!other) return WW_ENOTFOUND;
        /* Allow: every method whose routes match this path. */
        static const char *const all[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
        size_t len = 0;
        for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) {
            bool has = false;
            for (size_t i = 0; i < r->n && !has; i++)
                has = !strcmp(r->routes[i].method, all[k]) &&
                      route_matches(&r->routes[i], segs, nsegs);
            if (!has) continue;
            size_t need = strlen(all[k]) + (len ? 2 : 0);
            if (len + need + 1 > sizeof m->allow) break;
            if (len) { memcpy(m->allow + len, ", ", 2); len += 2; }
            memcpy(m->allow + len, all[k], strlen(all[k]));
            len += strlen(all[k]);
            if (!strcmp(all[k], "GET") && len + 7 < sizeof m->allow) {
                memcpy(m->allow + len, ", HEAD", 6);
                len += 6;
            }
        }
        m->allow[len] = 0;
        return -EOPNOTSUPP;
    }
    m->route = best;
    for (size_t i = 0; i < best->nsegs; i++) {
        const char *ps = best->segs[i];
        if (is_tail(ps)) {
            m->params[m->nparams].key = "*";
            m->params[m->nparams].value = segs[i]; /* the server joins the rest */
            m->nparams++;
            break;
        }
        if (is_param(ps)) {
            m->params[m->nparams].key = ps;    /* "{id}"; compared with braces */
            m->params[m->nparams].value = segs[i];
            m->nparams++;
        }
    }
    return 0;
}
