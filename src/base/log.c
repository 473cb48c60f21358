/*
 * log.c — one line per message, written with a single write(2) so lines from
 * many ingest threads never interleave.  Level filtering is a relaxed atomic
 * read: changing the level at run time is allowed from any thread.
 */
#include "base/base.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static _Atomic int log_level = WW_LOG_INFO;

void ww_log_set_level(enum ww_log_level lvl) { atomic_store(&log_level, (int)lvl); }

enum ww_log_level ww_log_get_level(void) { return (enum ww_log_level)atomic_load(&log_level); }

static const char *const level_names[] = {"debug", "info", "warn", "error"};

const char *ww_log_level_name(enum ww_log_level lvl)
{
    return (unsigned)lvl < 4 ? level_names[lvl] : "info";
}

int ww_log_level_parse(const char *s, enum ww_log_level *out)
{
    for (int i = 0; s && i < 4; i++)
        if (!strcasecmp(s, level_names[i])) {
            *out = (enum ww_log_level)i;
            return 0;
        }
    return WW_EINVAL;
}

enum ww_log_level ww_log_level_from_str(const char *s)
{
    if (!s) return WW_LOG_INFO;
    if (!strcasecmp(s, "debug")) return WW_LOG_DEBUG;
    if (!strcasecmp(s, "warn")) return WW_LOG_WARN;
    if (!strcasecmp(s, "error")) return WW_LOG_ERROR;
    return WW_LOG_INFO;
}

void ww_vlog(enum ww_log_level lvl, const char *ctx, const char *fmt, va_list ap)
{
    static const char *names[] = {"debug", "info ", "warn ", "error"};
    if ((int)lvl < atomic_load_explicit(&log_level, memory_order_relaxed)) return;
    char line[2048], ts[48];
    ww_fmt_time(ww_wall_us(), ww_station_offset_min(), ts, sizeof ts);
    int n = snprintf(line, sizeof line, "%s %s [%s] ", ts, names[lvl], ctx ? ctx : "-");
    if (n < 0) return;
    if ((size_t)n < sizeof line) {
        int m = vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
        if (m > 0) n += m;
    }
    if ((size_t)n >= sizeof line - 1) n = (int)sizeof line - 2; /* truncated: still one line */
    line[n++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, (size_t)n);
    (void)w;
}

void ww_log(enum ww_log_level lvl, const char *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ww_vlog(lvl, ctx, fmt, ap);
    va_end(ap);
}
