/*
 * config.c — the motion option table and its parsing.
 *
 * Why a table: the same settings arrive from the CLI (--sensitivity 70), the
 * HTTP API and the catalog's motion_settings row.  Keeping name, type,
 * default and range in one place means all three validate alike, and the
 * defaults printed by --help are the ones in force.
 *
 * Invariant: every field of struct motion_config has exactly one row here,
 * and motion_config_default() is "each row's def".
 */
#include "motion/motion.h"

#include <math.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"

#define OPT(n, t, f, d, lo, hi, h) {n, t, offsetof(struct motion_config, f), d, lo, hi, h}

const struct motion_option motion_options[] = {
    OPT("enabled", MOTION_OPT_BOOL, enabled, 1, 0, 1, "analyse this camera's sub stream"),
    OPT("sensitivity", MOTION_OPT_INT, sensitivity, 50, 1, 100,
        "1 = only large, contrasted motion; 100 = the smallest change"),
    OPT("min_area", MOTION_OPT_DOUBLE, min_area_pct, 0.12, 0.01, 100,
        /* 0.12 % of a 640×360 frame = 276 px²: a 16×40 walker (640 px²)
         * half hidden behind a post still counts; raising it trades recall
         * on far-away people for fewer events on small things (cats, leaves) */
        "percent of a zone that must change to count as motion"),
    OPT("rate", MOTION_OPT_DOUBLE, rate_fps, 5, 0.2, 30, "frames analysed per second"),
    OPT("keyframes_only", MOTION_OPT_BOOL, keyframes_only, 0, 0, 1,
        "decode keyframes only (cheapest; start times coarse to one GOP)"),
    OPT("pre_roll", MOTION_OPT_DURATION, pre_roll_us, 2, 0, 60, "seconds kept before motion"),
    OPT("post_roll", MOTION_OPT_DURATION, post_roll_us, 3, 0, 60, "seconds kept after motion"),
    OPT("merge_gap", MOTION_OPT_DURATION, merge_gap_us, 3, 0, 120,
        "motion again within this many seconds continues the event"),
    OPT("min_duration", MOTION_OPT_DURATION, min_duration_us, 0.5, 0, 60,
        "shorter bursts of motion are not events"),
    OPT("max_duration", MOTION_OPT_DURATION, max_duration_us, 600, 10, 3000,
        /* ≤ 3000 s: with both rolls an event stays within the catalog's hour */
        "longer events are cut in pieces of this many seconds"),
    {0},
};

static const struct motion_option *find_opt(const char *name)
{
    for (const struct motion_option *o = motion_options; o->name; o++)
        if (!strcmp(o->name, name)) return o;
    return NULL;
}

static double get_num(const struct motion_config *cfg, const struct motion_option *o)
{
    const char *p = (const char *)cfg + o->offset;
    switch (o->type) {
    case MOTION_OPT_BOOL: return *(const bool *)p;
    case MOTION_OPT_INT: return *(const int *)p;
    case MOTION_OPT_DOUBLE: return *(const double *)p;
    case MOTION_OPT_DURATION: return (double)*(const int64_t *)p / 1e6;
    }
    return NAN;
}

static void put_num(struct motion_config *cfg, const struct motion_option *o, double v)
{
    char *p = (char *)cfg + o->offset;
    switch (o->type) {
    case MOTION_OPT_BOOL: *(bool *)p = v != 0; break;
    case MOTION_OPT_INT: *(int *)p = (int)v; break;
    case MOTION_OPT_DOUBLE: *(double *)p = v; break;
    case MOTION_OPT_DURATION: *(int64_t *)p = (int64_t)llround(v * 1e6); break;
    }
}

void motion_config_default(struct motion_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    for (const struct motion_option *o = motion_options; o->name; o++) put_num(cfg, o, o->def);
}

int motion_config_check(const struct motion_config *cfg)
{
    for (const struct motion_option *o = motion_options; o->name; o++) {
        double v = get_num(cfg, o);
        if (!(v >= o->min && v <= o->max)) return WW_EINVAL; /* also catches NaN */
    }
    return 0;
}

int motion_config_set(struct motion_config *cfg, const char *name, const char *value)
{
    const struct motion_option *o = name ? find_opt(name) : NULL;
    if (!o || !value) return WW_EINVAL;
    double v;
    if (o->type == MOTION_OPT_BOOL) {
        if (!strcasecmp(value, "true") || !strcmp(value, "1") || !strcasecmp(value, "on") ||
            !strcasecmp(value, "yes"))
            v = 1;
        else if (!strcasecmp(value, "false") || !strcmp(value, "0") ||
                 !strcasecmp(value, "off") || !strcasecmp(value, "no"))
            v = 0;
        else
            return WW_EINVAL;
    } else if (o->type == MOTION_OPT_INT) {
        int64_t i;
        if (ww_parse_i64(value, (int64_t)o->min, (int64_t)o->max, &i)) return WW_EINVAL;
        v = (double)i;
    } else {
        if (ww_parse_double(value, o->min, o->max, &v)) return WW_EINVAL;
    }
    put_num(cfg, o, v);
    return 0;
}
