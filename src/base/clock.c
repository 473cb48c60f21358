/*
 * clock.c — wall and monotonic clocks, ISO 8601 formatting and parsing.
 *
 * Times are int64 µs since the Unix epoch in UTC everywhere inside
 * wardwatch; the station's UTC offset is applied only when showing or
 * reading a time.  We do our own calendar arithmetic (days_from_civil) rather
 * than timegm/localtime so results do not depend on the machine's TZ.
 */
#include "base/base.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>

static int64_t clock_offset_us(void)
{
    static _Atomic int64_t cached = INT64_MIN;
    int64_t v = cached;
    if (v == INT64_MIN) {
        v = ww_env_int("WARDWATCH_CLOCK_OFFSET_S") * 1000000;
        cached = v;
    }
    return v;
}

int64_t ww_wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 + clock_offset_us();
}

int64_t ww_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* INT_MIN: not fixed, the environment decides (read at each call, as tests
 * change it). */
static _Atomic int station_offset = INT_MIN;

void ww_station_offset_set(int offset_min) { station_offset = offset_min; }

int ww_station_offset_min(void)
{
    int v = station_offset;
    if (v != INT_MIN) return v;
    return (int)ww_env_int("WARDWATCH_UTC_OFFSET_MIN"); /* default Asia/Ho_Chi_Minh, no DST */
}

/* Howard Hinnant's days-from-civil algorithm (public-domain description). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

char *ww_fmt_time(int64_t us, int offset_min, char *buf, size_t n)
{
    int64_t local = us + (int64_t)offset_min * 60000000;
    int64_t secs = local >= 0 ? local / 1000000 : -((-local + 999999) / 1000000);
    int64_t frac = local - secs * 1000000;
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    int64_t sod = secs - days * 86400;
    int64_t y; int m, d;
    civil_from_days(days, &y, &m, &d);
    char off[16];
    if (offset_min == 0) snprintf(off, sizeof off, "Z");
    else snprintf(off, sizeof off, "%c%02d:%02d", offset_min < 0 ? '-' : '+',
                  abs(offset_min) / 60, abs(offset_min) % 60);
    snprintf(buf, n, "%04lld-%02d-%02dT%02d:%02d:%02d.%03d%s", (long long)y, m, d,
             (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60), (int)(frac / 1000), off);
    return buf;
}

static int take_int(const char **p, int digits, int *out)
{
    int v = 0;
    for (int i = 0; i < digits; i++) {
        if (!isdigit((unsigned char)(*p)[i])) return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += digits;
    *out = v;
    return 0;
}

static bool is_plain_number(const char *s)
{
    int digits = 0, points = 0;
    for (const char *p = s; *p; p++) {
        if (isdigit((unsigned char)*p)) digits++;
        else if (*p == '.' && !points++) continue;
        else return false;
    }
    return digits > 0 && digits <= 20;
}

bool ww_span_over(int64_t from_us, int64_t to_us, int64_t max_us)
{
    int64_t d;
    if (__builtin_sub_overflow(to_us, from_us, &d)) return to_us > from_us;
    return d > max_us;
}

int ww_parse_time(const char *s, int default_offset_min, int64_t *out_us)
{
    if (!s || !*s) return WW_EINVAL;
    /* A bare number: seconds since the epoch (fraction allowed).  Only
     * digits and one point: strtod alone would take "nan", "inf", "1e99",
     * hex and leading blanks, and a NaN passes every range comparison
     * (then the cast to int64 is undefined). */
    if (is_plain_number(s)) {
        char *end;
        double secs = strtod(s, &end);
        if (*end != '\0' || !isfinite(secs) || secs < 0 || secs > 4102444800.0)
            return WW_EINVAL; /* before 2100 */
        *out_us = (int64_t)(secs * 1e6);
        return 0;
    }
    const char *p = s;
    int y, mo, d, h = 0, mi = 0, se = 0;
    /* The console's own way of writing a date, dd/mm/yyyy (Vietnamese
     * order), is taken as well as ISO's yyyy-mm-dd. */
    if (isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) && p[2] == '/') {
        if (take_int(&p, 2, &d) || *p++ != '/' || take_int(&p, 2, &mo) || *p++ != '/' || take_int(&p, 4, &y))
            return WW_EINVAL;
    } else if (take_int(&p, 4, &y) || *p++ != '-' || take_int(&p, 2, &mo) || *p++ != '-' ||
               take_int(&p, 2, &d))
        return WW_EINVAL;
    int64_t frac_us = 0;
    if (*p == 'T' || *p == ' ') {
        p++;
        if (take_int(&p, 2, &h) || *p++ != ':' || take_int(&p, 2, &mi)) return WW_EINVAL;
        if (*p == ':') {
            p++;
            if (take_int(&p, 2, &se)) return WW_EINVAL;
            if (*p == '.' || *p == ',') {
                p++;
                int64_t scale = 100000;
                if (!isdigit((unsigned char)*p)) return WW_EINVAL;
                while (isdigit((unsigned char)*p)) {
                    frac_us += (*p - '0') * scale;
                    scale /= 10;
                    p++;
                }
            }
        }
    }
    int off = default_offset_min;
    if (*p == 'Z') { off = 0; p++; }
    else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1, oh, om = 0;
        p++;
        if (take_int(&p, 2, &oh)) return WW_EINVAL;
        if (*p == ':') p++;
        if (*p && take_int(&p, 2, &om)) return WW_EINVAL;
        if (oh > 14 || om > 59) return WW_EINVAL; /* real offsets: −12:00 … +14:00 */
        off = sign * (oh * 60 + om);
    }
    if (*p) return WW_EINVAL;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1970 || y > 2100 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 ||
        mi > 59 || se > 60)
        return WW_EINVAL;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo == 2 && d == 29 && !leap) return WW_EINVAL;
    int64_t days = days_from_civil(y, mo, d);
    int64_t t = ((days * 86400 + h * 3600 + mi * 60 + se) - (int64_t)off * 60) * 1000000 + frac_us;
    *out_us = t;
    return 0;
}

void ww_cond_init_monotonic(pthread_cond_t *cv)
{
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(cv, &ca);
    pthread_condattr_destroy(&ca);
}
