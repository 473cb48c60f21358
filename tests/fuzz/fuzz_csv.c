/*
 * fuzz_csv.c — the RFC 4180 reader behind `wardwatch camera import`
 * (community/csv.c), fed from a FILE as the CLI does.  Records are read to
 * the end or the first error, and every field is read through.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "community/community.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    FILE *f = fmemopen((void *)data, size, "r");
    if (!f) return 0;
    struct community_csv *c;
    if (community_csv_open(f, &c) == 0) {
        long last = 0;
        for (int guard = 0; guard < 100000; guard++) {
            char **fields;
            size_t n;
            long line;
            const char *why = NULL;
            int rc = community_csv_next(c, &fields, &n, &line, &why);
            if (rc == WW_EINVAL && !why) abort();   /* an error always says why */
            if (rc) break;
            if (line < last) abort();               /* lines only go forward */
            last = line;
            size_t total = 0;
            for (size_t i = 0; i < n; i++) total += strlen(fields[i]);
            if (total > size) abort();
        }
        community_csv_close(c);
    }
    fclose(f);
    return 0;
}
