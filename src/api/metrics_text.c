/*
 * metrics_text.c — a small writer of the Prometheus text exposition format
 * (version 0.0.4), used by GET /metrics (metrics.c).
 *
 * Why our own: the format is a few line shapes, and a client library would
 * bring its own registry and threads where we only need to print a
 * snapshot.  The rules kept here, so that no caller can break them:
 *   - a family's "# HELP" and "# TYPE" come once, before its samples, and
 *     its samples follow in one group (metrics_family opens the group);
 *   - label values escape backslash, double quote and newline; HELP text
 *     escapes backslash and newline;
 *   - a histogram's buckets are cumulative, end with le="+Inf", and that
 *     bucket equals _count (both are computed from the same snapshot);
 *   - latencies are in seconds, the format's base unit.
 */
#include "api/api.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#ifndef NDEBUG /* the checks behind the asserts below */
static bool valid_name(const char *s)
{
    if (!s || !*s) return false;
    for (const char *p = s; *p; p++) {
        bool alpha = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' || *p == ':';
        if (!alpha && !(p > s && *p >= '0' && *p <= '9')) return false;
    }
    return true;
}

static bool ends_with(const char *s, const char *tail)
{
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && !strcmp(s + a - b, tail);
}
#endif

/* Appends s escaped: backslash and newline always, the double quote too
 * inside a label value. */
static void put_escaped(struct ww_buf *b, const char *s, bool quote)
{
    for (const char *p = s ? s : ""; *p; p++) {
        if (*p == '\\') ww_buf_append(b, "\\\\", 2);
        else if (*p == '\n') ww_buf_append(b, "\\n", 2);
        else if (quote && *p == '"') ww_buf_append(b, "\\\"", 2);
        else ww_buf_append(b, p, 1);
    }
}

void metrics_family(struct metrics_w *w, const char *name, enum metrics_type type, const char *help)
{
    assert(valid_name(name));
    assert(type != METRICS_COUNTER || ends_with(name, "_total"));
    static const char *const types[] = {"counter", "gauge", "histogram"};
    w->family = name;
    w->type = type;
    ww_buf_printf(&w->out, "# HELP %s ", name);
    put_escaped(&w->out, help, false);
    ww_buf_printf(&w->out, "\n# TYPE %s %s\n", name, types[type]);
}

/* NAME[SUFFIX]{labels[,le="LE"]} — the part before the value. */
static void put_series(struct metrics_w *w, const char *suffix, const struct metrics_label *l, size_t nl,
                       const char *le)
{
    assert(w->family);
    ww_buf_printf(&w->out, "%s%s", w->family, suffix);
    if (!nl && !le) return;
    ww_buf_append(&w->out, "{", 1);
    for (size_t i = 0; i < nl; i++) {
        assert(valid_name(l[i].name) && strcmp(l[i].name, "le"));
        ww_buf_printf(&w->out, "%s%s=\"", i ? "," : "", l[i].name);
        put_escaped(&w->out, l[i].value, true);
        ww_buf_append(&w->out, "\"", 1);
    }
    if (le) ww_buf_printf(&w->out, "%sle=\"%s\"", nl ? "," : "", le);
    ww_buf_append(&w->out, "}", 1);
}

/* A float as the format reads it (Go's ParseFloat): "+Inf", "-Inf", "NaN"
 * or the shortest %g that round-trips closely enough for a gauge. */
static void put_double(struct ww_buf *b, double v)
{
    if (isnan(v)) ww_buf_append(b, "NaN", 3);
    else if (isinf(v)) ww_buf_printf(b, "%sInf", v > 0 ? "+" : "-");
    else ww_buf_printf(b, "%.9g", v);
}

void metrics_int(struct metrics_w *w, const struct metrics_label *labels, size_t nl, int64_t v)
{
    assert(w->type != METRICS_HISTOGRAM);
    put_series(w, "", labels, nl, NULL);
    ww_buf_printf(&w->out, " %lld\n", (long long)v);
}

void metrics_double(struct metrics_w *w, const struct metrics_label *labels, size_t nl, double v)
{
    assert(w->type != METRICS_HISTOGRAM);
    put_series(w, "", labels, nl, NULL);
    ww_buf_append(&w->out, " ", 1);
    put_double(&w->out, v);
    ww_buf_append(&w->out, "\n", 1);
}

void metrics_hist(struct metrics_w *w, const struct metrics_label *labels, size_t nl, const struct ww_hist_snap *h)
{
    assert(w->type == METRICS_HISTOGRAM);
    int64_t cum = 0;
    for (size_t i = 0; i <= WW_HIST_BUCKETS; i++) {
        cum += h->n[i];
        char le[32];
        if (i < WW_HIST_BUCKETS) snprintf(le, sizeof le, "%.9g", (double)ww_hist_bounds_us[i] / 1e6);
        else snprintf(le, sizeof le, "+Inf");
        put_series(w, "_bucket", labels, nl, le);
        ww_buf_printf(&w->out, " %lld\n", (long long)cum);
    }
    put_series(w, "_sum", labels, nl, NULL);
    ww_buf_append(&w->out, " ", 1);
    put_double(&w->out, (double)h->sum_us / 1e6);
    ww_buf_append(&w->out, "\n", 1);
    put_series(w, "_count", labels, nl, NULL);
    ww_buf_printf(&w->out, " %lld\n", (long long)cum);
}
