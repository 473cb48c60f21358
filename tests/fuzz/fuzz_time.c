/*
 * fuzz_time.c — ww_parse_time() (base/clock.c), which reads every time a
 * user, a URL query or a CSV file gives us, and the number parsers beside
 * it.  A time that parses is formatted with ww_fmt_time() and parsed again:
 * (UTC) it must come back the same to the millisecond (what the format keeps).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

static int64_t floor_ms(int64_t us) { return us >= 0 ? us / 1000 : -((-us + 999) / 1000); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256) return 0;
    char s[257];
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
    int64_t v;
    double d;
    ww_parse_i64(s, -1000000, 1000000, &v);
    ww_parse_double(s, -90, 90, &d);
    return 0;
}
