/*
 * fuzz_time.c — ww_parse_time() (base/clock.c), which reads every time a
 * user, a URL query or a CSV file gives us, the number parsers beside it,
 * and the ward's Vietnamese-form date/time parsers (ward/ward_period.c:
 * DD/MM/YYYY[ HH:MM[:SS]], which fall back to ww_parse_time).  A time that parses is formatted with ww_fmt_time() and parsed again:
 * (UTC) it must come back the same to the millisecond (what the format keeps).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "ward/ward.h"

static int64_t floor_ms(int64_t us) { return us >= 0 ? us / 1000 : -((-us + 999) / 1000); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256) return 0;
    /* exactly size + 1 bytes on the heap, so a read past the NUL is caught */
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    static const int offsets[] = {420, 0, -600};
    for (size_t i = 0; i < sizeof offsets / sizeof *offsets; i++) {
        int64_t t;
        if (ww_parse_time(s, offsets[i], &t)) continue;
        char buf[64];
        ww_fmt_time(t, 0, buf, sizeof buf);
        /* The parser bounds the year as written (1970..2100), so a time
         * written near a bound with an offset may be outside it in UTC. */
        int year = atoi(buf);
        if (buf[0] == '-' || year < 1970 || year > 2100) continue;
        int64_t back;
        if (ww_parse_time(buf, 0, &back) || floor_ms(back) != floor_ms(t)) abort();
    }
    struct ward_date wd;
    int64_t wt;
    ward_date_parse(s, &wd);
    ward_time_parse(s, 420, &wt);
    int64_t v;
    double d;
    ww_parse_i64(s, -1000000, 1000000, &v);
    ww_parse_double(s, -90, 90, &d);
    free(s);
    return 0;
}
