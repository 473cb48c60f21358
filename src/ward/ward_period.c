/*
 * ward_period.c — local dates, statistics periods and "the same period a
 * year before" (cùng kỳ).
 *
 * Why our own calendar arithmetic: results must not depend on the machine's
 * TZ; the station's offset (ww_station_offset_min, +420 for
 * Asia/Ho_Chi_Minh, no DST) is the only input.  A period is a half-open
 * range of whole local days [from, to); bounds in UTC µs are local midnights
 * minus the offset.
 *
 * The leap-day rule (see ward.h): shifting back one year keeps day and
 * month, except 29/02, which becomes 28/02 as a start and 01/03 as an
 * exclusive end.  Thus [29/02/2024, 01/03/2024) ↦ [28/02/2023, 01/03/2023)
 * and February 2024 ↦ February 2023 exactly.
 */
#include "ward/ward.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int mdays(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : d[m - 1];
}

bool ward_date_valid(struct ward_date d)
{
    return d.y >= 1900 && d.y <= 2200 && d.m >= 1 && d.m <= 12 && d.d >= 1 && d.d <= mdays(d.y, d.m);
}

/* Howard Hinnant's days-from-civil / civil-from-days. */
int64_t ward_date_days(struct ward_date dt)
{
    int64_t y = dt.y - (dt.m <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (dt.m + (dt.m > 2 ? -3 : 9)) + 2) / 5 + dt.d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

struct ward_date ward_date_from_days(int64_t z)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    struct ward_date r;
    r.d = (int)(doy - (153 * mp + 2) / 5 + 1);
    r.m = (int)(mp < 10 ? mp + 3 : mp - 9);
    r.y = (int)(yoe + era * 400 + (r.m <= 2));
    return r;
}

int ward_date_cmp(struct ward_date a, struct ward_date b)
{
    if (a.y != b.y) return a.y < b.y ? -1 : 1;
    if (a.m != b.m) return a.m < b.m ? -1 : 1;
    if (a.d != b.d) return a.d < b.d ? -1 : 1;
    return 0;
}

int64_t ward_date_start_us(struct ward_date d, int offset_min)
{
    return (ward_date_days(d) * 86400 - (int64_t)offset_min * 60) * 1000000;
}

static int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

struct ward_date ward_date_of_us(int64_t t, int offset_min)
{
    int64_t local = t + (int64_t)offset_min * 60000000;
    return ward_date_from_days(floor_div(local, 86400000000LL));
}

static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i])) return -1;
        v = v * 10 + (*p)[i] - '0';
    }
    *p += n;
    *out = v;
    return 0;
}

/* Parses a date at *p (ISO or DD/MM/YYYY, 1–2 digit day and month allowed in
 * the Vietnamese form) and advances *p. */
static int parse_date_at(const char **pp, struct ward_date *out)
{
    const char *p = *pp;
    struct ward_date d = {0};
    if (isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
        isdigit((unsigned char)p[3]) && p[4] == '-') {
        if (digits(&p, 4, &d.y) || *p++ != '-' || digits(&p, 2, &d.m) || *p++ != '-' ||
            digits(&p, 2, &d.d))
            return WW_EINVAL;
    } else {
        /* p[1] is looked at only when p[0] is a digit: p[0] may be the
         * string's NUL ("31/" read past its end; found by fuzz_ward_csv). */
        int n = isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) ? 2 : 1;
        if (digits(&p, n, &d.d) || *p++ != '/') return WW_EINVAL;
        n = isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) ? 2 : 1;
        if (digits(&p, n, &d.m) || *p++ != '/' || digits(&p, 4, &d.y)) return WW_EINVAL;
    }
    if (!ward_date_valid(d)) return WW_EINVAL;
    *out = d;
    *pp = p;
    return 0;
}

int ward_date_parse(const char *s, struct ward_date *out)
{
    if (!s) return WW_EINVAL;
    while (*s == ' ') s++;
    struct ward_date d;
    if (parse_date_at(&s, &d)) return WW_EINVAL;
    while (*s == ' ') s++;
    if (*s) return WW_EINVAL;
    *out = d;
    return 0;
}

char *ward_date_iso(struct ward_date d, char *buf, size_t n)
{
    snprintf(buf, n, "%04d-%02d-%02d", d.y, d.m, d.d);
    return buf;
}

char *ward_date_vi(struct ward_date d, char *buf, size_t n)
{
    snprintf(buf, n, "%02d/%02d/%04d", d.d, d.m, d.y);
    return buf;
}

int ward_time_parse(const char *s, int offset_min, int64_t *us)
{
    if (!s) return WW_EINVAL;
    while (*s == ' ') s++;
    size_t len = strlen(s);
    while (len && s[len - 1] == ' ') len--;
    if (!len) return WW_EINVAL;
    /* The Vietnamese form: DD/MM/YYYY[ HH:MM[:SS]], local time. */
    if (memchr(s, '/', len)) {
        const char *p = s;
        struct ward_date d;
        if (parse_date_at(&p, &d)) return WW_EINVAL;
        int h = 0, mi = 0, se = 0;
        if (*p == ' ' || *p == 'T') {
            while (*p == ' ' || *p == 'T') p++;
            /* as in parse_date_at: p[0] may be the NUL after trailing spaces */
            int hn = isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) ? 2 : 1;
            if (digits(&p, hn, &h) || *p++ != ':' || digits(&p, 2, &mi)) return WW_EINVAL;
            if (*p == ':' && (p++, digits(&p, 2, &se))) return WW_EINVAL;
        }
        if ((size_t)(p - s) != len || h > 23 || mi > 59 || se > 59) return WW_EINVAL;
        *us = ward_date_start_us(d, offset_min) + ((int64_t)h * 3600 + mi * 60 + se) * 1000000;
        return 0;
    }
    char *t = strndup(s, len);
    if (!t) return -ENOMEM;
    int rc = ww_parse_time(t, offset_min, us);
    free(t);
    return rc ? WW_EINVAL : 0;
}

/* The station-local date of us and its second of the day. */
static struct ward_date local_date(int64_t us, int offset_min, int64_t *sod)
{
    int64_t secs = floor_div(us + (int64_t)offset_min * 60000000, 1000000);
    int64_t days = floor_div(secs, 86400);
    *sod = secs - days * 86400;
    return ward_date_from_days(days);
}

char *ward_time_iso(int64_t us, int offset_min, char *buf, size_t n)
{
    int64_t sod;
    struct ward_date d = local_date(us, offset_min, &sod);
    int a = abs(offset_min);
    if (offset_min == 0)
        snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02dZ", d.y, d.m, d.d, (int)(sod / 3600),
                 (int)(sod / 60 % 60), (int)(sod % 60));
    else
        snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", d.y, d.m, d.d,
                 (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60),
                 offset_min < 0 ? '-' : '+', a / 60, a % 60);
    return buf;
}

char *ward_time_vi(int64_t us, int offset_min, char *buf, size_t n)
{
    int64_t sod;
    struct ward_date d = local_date(us, offset_min, &sod);
    snprintf(buf, n, "%02d/%02d/%04d %02d:%02d", d.d, d.m, d.y, (int)(sod / 3600),
             (int)(sod / 60 % 60));
    return buf;
}

/* ---- periods ----------------------------------------------------------- */

/* n whole months from the first of (year, m); index as the kind counts
 * it (the month, the quarter, 0 for a year). */
static int whole_months(struct ward_period *p, int kind, int year, int index, int m, int n)
{
    memset(p, 0, sizeof *p);
    p->kind = kind;
    p->year = year;
    p->index = index;
    p->from = (struct ward_date){year, m, 1};
    int end = m - 1 + n; /* months after January of year */
    p->to = (struct ward_date){year + end / 12, end % 12 + 1, 1};
    return 0;
}

int ward_period_month(int year, int month, struct ward_period *p)
{
    if (year < 1900 || year > 2200 || month < 1 || month > 12) return WW_EINVAL;
    return whole_months(p, WARD_PERIOD_MONTH, year, month, month, 1);
}

int ward_period_quarter(int year, int q, struct ward_period *p)
{
    if (year < 1900 || year > 2200 || q < 1 || q > 4) return WW_EINVAL;
    return whole_months(p, WARD_PERIOD_QUARTER, year, q, 3 * (q - 1) + 1, 3);
}

int ward_period_year(int year, struct ward_period *p)
{
    if (year < 1900 || year > 2200) return WW_EINVAL;
    return whole_months(p, WARD_PERIOD_YEAR, year, 0, 1, 12);
}

int ward_period_custom(struct ward_date from, struct ward_date to, struct ward_period *p)
{
    if (!ward_date_valid(from) || !ward_date_valid(to) || ward_date_cmp(from, to) >= 0)
        return WW_EINVAL;
    memset(p, 0, sizeof *p);
    p->kind = WARD_PERIOD_CUSTOM;
    p->year = from.y;
    p->from = from;
    p->to = to;
    return 0;
}

int ward_period_parse(const char *s, struct ward_period *p)
{
    if (!s) return WW_EINVAL;
    const char *dots = strstr(s, "..");
    if (dots) {
        char *a = strndup(s, (size_t)(dots - s));
        struct ward_date f, t;
        int rc = (!a || ward_date_parse(a, &f) || ward_date_parse(dots + 2, &t)) ? WW_EINVAL : 0;
        free(a);
        return rc ? rc : ward_period_custom(f, t, p);
    }
    const char *q = s;
    int y, v;
    if (digits(&q, 4, &y)) return WW_EINVAL;
    if (!*q) return ward_period_year(y, p);
    if (*q++ != '-') return WW_EINVAL;
    if (*q == 'Q' || *q == 'q') {
        q++;
        if (digits(&q, 1, &v) || *q) return WW_EINVAL;
        return ward_period_quarter(y, v, p);
    }
    if (digits(&q, 2, &v) || *q) return WW_EINVAL;
    return ward_period_month(y, v, p);
}

static struct ward_date shift_back(struct ward_date d, bool is_end)
{
    struct ward_date r = {d.y - 1, d.m, d.d};
    if (d.m == 2 && d.d == 29) {
        if (is_end) r = (struct ward_date){d.y - 1, 3, 1};
        else r.d = 28;
    }
    return r;
}

void ward_period_year_before(const struct ward_period *p, struct ward_period *prev)
{
    *prev = *p;
    prev->year = p->year - 1;
    prev->from = shift_back(p->from, false);
    prev->to = shift_back(p->to, true);
}

/* The same day a year before, for a last day counted (inclusive): 29/02 has
 * no twin in a common year and becomes 28/02 — the last day of that
 * February, so the counterpart holds the whole of it. */
static struct ward_date shift_day(struct ward_date d)
{
    struct ward_date r = {d.y - 1, d.m, d.d};
    if (d.m == 2 && d.d == 29) r.d = 28;
    return r;
}

static struct ward_date next_day(struct ward_date d) { return ward_date_from_days(ward_date_days(d) + 1); }

struct ward_date ward_today(int offset_min) { return ward_date_of_us(ww_wall_us(), offset_min); }

void ward_period_cut(const struct ward_period *p, struct ward_date today, struct ward_cut *c)
{
    memset(c, 0, sizeof *c);
    c->from = p->from;
    if (ward_date_cmp(today, p->from) < 0) {
        /* not begun: nothing has happened yet on either side */
        c->not_begun = true;
        c->to = p->from;
        c->prev_from = c->prev_to = shift_back(p->from, false);
        return;
    }
    if (ward_date_cmp(today, p->to) >= 0) {
        /* over: the whole period against the whole period a year before */
        struct ward_period prev;
        ward_period_year_before(p, &prev);
        c->to = p->to;
        c->prev_from = prev.from;
        c->prev_to = prev.to;
        return;
    }
    /* running: day for day, up to and including today */
    c->partial = true;
    c->through = today;
    c->to = next_day(today);
    c->prev_from = shift_back(p->from, false);
    c->prev_through = shift_day(today);
    c->prev_to = next_day(c->prev_through);
}

char *ward_through_label(struct ward_date through, const char *lang)
{
    char b[16];
    ward_date_vi(through, b, sizeof b);
    return lang && !strcmp(lang, "en") ? ww_asprintf("to %s", b) : ww_asprintf("đến ngày %s", b);
}

void ward_period_bounds_us(const struct ward_period *p, int offset_min, int64_t *from_us,
                           int64_t *to_us)
{
    *from_us = ward_date_start_us(p->from, offset_min);
    *to_us = ward_date_start_us(p->to, offset_min);
}

static const char *roman(int q)
{
    static const char *const r[] = {"I", "II", "III", "IV"};
    return q >= 1 && q <= 4 ? r[q - 1] : "?";
}

char *ward_period_label(const struct ward_period *p, const char *lang)
{
    bool en = lang && !strcmp(lang, "en");
    static const char *const months_en[] = {"January", "February", "March", "April", "May", "June", "July",
                                            "August", "September", "October", "November", "December"};
    switch (p->kind) {
    case WARD_PERIOD_MONTH:
        return en ? ww_asprintf("%s %d", months_en[p->index - 1], p->year)
                  : ww_asprintf("Tháng %d/%d", p->index, p->year);
    case WARD_PERIOD_QUARTER:
        return en ? ww_asprintf("Q%d %d", p->index, p->year)
                  : ww_asprintf("Quý %s/%d", roman(p->index), p->year);
    case WARD_PERIOD_YEAR:
        return en ? ww_asprintf("Year %d", p->year) : ww_asprintf("Năm %d", p->year);
    default: {
        char a[16], b[16];
        struct ward_date last = ward_date_from_days(ward_date_days(p->to) - 1);
        ward_date_vi(p->from, a, sizeof a);
        ward_date_vi(last, b, sizeof b);
        return en ? ww_asprintf("%s to %s", a, b) : ww_asprintf("Từ %s đến %s", a, b);
    }
    }
}

char *ward_period_text(const struct ward_period *p)
{
    switch (p->kind) {
    case WARD_PERIOD_MONTH: return ww_asprintf("%04d-%02d", p->year, p->index);
    case WARD_PERIOD_QUARTER: return ww_asprintf("%04d-Q%d", p->year, p->index);
    case WARD_PERIOD_YEAR: return ww_asprintf("%04d", p->year);
    default: {
        char a[16], b[16];
        return ww_asprintf("%s..%s", ward_date_iso(p->from, a, sizeof a), ward_date_iso(p->to, b, sizeof b));
    }
    }
}
