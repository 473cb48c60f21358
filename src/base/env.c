/*
 * env.c — every environment setting the program reads, in one table.
 *
 * Why a table: settings read with getenv() in eleven places had eleven
 * parsers and no list a newcomer or an operator could find (four were in
 * no document).  Here each has a name, a type, a default, a range and one
 * line of documentation; README's "Environment" table is the same list
 * (tests/unit/test_env.c checks that it names every entry).  Reading a name
 * that is not in the table is a programming error: an assert in the Debug
 * build, NULL / 0 in a release build.
 *
 * Values are read on each call (getenv is cheap, and tests change them
 * between calls); callers that need speed cache, as clock.c does.  No
 * logging here: the clock reads its offset through this file and the
 * logger reads the clock.  ww_env_check() reports bad values once at start.
 */
#include "base/base.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define TEN_YEARS_S (10LL * 366 * 86400)

static const struct ww_env_var table[] = {
    {"WARDWATCH_DATA", WW_ENV_STR, NULL, 0, 0,
     "data folder (catalog, recordings, evidence) when --data is not given; default ./wardwatch-data"},
    {"WARDWATCH_CONFIG", WW_ENV_STR, NULL, 0, 0,
     "the config file (wardwatch.ini) when --config is not given; default none"},
    {"WARDWATCH_LOG_LEVEL", WW_ENV_STR, NULL, 0, 0,
     "debug, info, warn or error when --log-level is not given; default info"},
    {"WARDWATCH_UTC_OFFSET_MIN", WW_ENV_INT, "420", -14 * 60, 14 * 60,
     "the station's UTC offset in minutes (Asia/Ho_Chi_Minh is +420, no DST)"},
    {"WARDWATCH_WEB_DIR", WW_ENV_STR, NULL, 0, 0,
     "the console's static files; default the web/ folder found beside the binary, else ./web"},
    {"WARDWATCH_CRITERIA_DIR", WW_ENV_STR, NULL, 0, 0,
     "folder of the shipped model-ward criteria sets; default data/criteria found beside the binary"},
    {"WARDWATCH_SHARE", WW_ENV_STR, NULL, 0, 0,
     "installed share folder; criteria sets are looked for in $WARDWATCH_SHARE/data/criteria"},
    {"WARDWATCH_INGEST", WW_ENV_STR, NULL, 0, 0,
     "\"libav\" pulls every camera with libavformat instead of the lean RTSP client (decision 002)"},
    {"WARDWATCH_MALLOC_ARENAS", WW_ENV_INT, "2", 0, 64,
     "malloc arenas serve lets glibc make (M_ARENA_MAX); 0 = glibc's own limit (8 per core) or MALLOC_ARENA_MAX"},
    {"WARDWATCH_MALLOC_TRIM_S", WW_ENV_INT, "5", 0, 3600,
     "serve hands freed malloc memory back to the system (malloc_trim) every N s; 0 = never"},
    {"WARDWATCH_MONITOR_TICK_MS", WW_ENV_INT, "5000", 100, 600000,
     "how often the community monitor checks camera health and sends alerts, in ms (tests shorten it)"},
    {"WARDWATCH_CLOCK_OFFSET_S", WW_ENV_INT, "0", -TEN_YEARS_S, TEN_YEARS_S,
     "seconds added to the wall clock (tests only: retention, consent windows)"},
    {"WARDWATCH_FAULT", WW_ENV_STR, NULL, 0, 0,
     "fault injection for tests: enospc-after=BYTES or enospc-file=PATH; default off"},
    {"NOTIFY_SOCKET", WW_ENV_STR, NULL, 0, 0,
     "set by systemd for a Type=notify unit: serve reports ready, status and stopping there (base/svc.c)"},
    {"WATCHDOG_USEC", WW_ENV_INT, "0", 0, INT64_MAX,
     "set by systemd from WatchdogSec=: serve pings the watchdog every quarter of it"},
    {"JOURNAL_STREAM", WW_ENV_STR, NULL, 0, 0,
     "set by systemd when stderr is the journal (DEV:INODE): log lines go as structured journal entries"},
    {"USER", WW_ENV_STR, NULL, 0, 0,
     "the operator named on records the CLI makes when --user is not given; default \"cli\""},
};

const struct ww_env_var *ww_env_table(size_t *n)
{
    *n = sizeof table / sizeof *table;
    return table;
}

static const struct ww_env_var *lookup(const char *name, enum ww_env_type type)
{
    for (size_t i = 0; i < sizeof table / sizeof *table; i++)
        if (!strcmp(table[i].name, name)) {
            assert(table[i].type == type && "read with the type the table gives");
            return table[i].type == type ? &table[i] : NULL;
        }
    assert(!"environment setting missing from the table in base/env.c");
    return NULL;
}

const char *ww_env_str(const char *name)
{
    const struct ww_env_var *v = lookup(name, WW_ENV_STR);
    if (!v) return NULL;
    const char *s = getenv(name);
    return s ? s : v->dflt;
}

const char *ww_env_raw(const char *name)
{
    for (size_t i = 0; i < sizeof table / sizeof *table; i++)
        if (!strcmp(table[i].name, name)) return getenv(name);
    assert(!"environment setting missing from the table in base/env.c");
    return NULL;
}

/* 0 with the value, or WW_EINVAL when set but not a whole number in range. */
static int parse_int(const struct ww_env_var *v, int64_t *out)
{
    const char *s = getenv(v->name);
    if (!s) return -ENOENT;
    return ww_parse_i64(s, v->lo, v->hi, out);
}

int64_t ww_env_int(const char *name)
{
    const struct ww_env_var *v = lookup(name, WW_ENV_INT);
    if (!v) return 0;
    int64_t x;
    if (parse_int(v, &x) == 0) return x;
    int64_t d = 0;
    int rc = ww_parse_i64(v->dflt, v->lo, v->hi, &d);
    assert(rc == 0 && "the table's default parses and is in range");
    (void)rc;
    return d;
}

int ww_env_check(void)
{
    int bad = 0;
    for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
        const struct ww_env_var *v = &table[i];
        int64_t x;
        if (v->type != WW_ENV_INT || parse_int(v, &x) != WW_EINVAL) continue;
        ww_warn("env", "%s='%s' is not a whole number in [%" PRId64 ", %" PRId64 "]; using %s", v->name,
                getenv(v->name), v->lo, v->hi, v->dflt);
        bad++;
    }
    return bad;
}
