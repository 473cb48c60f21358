/*
 * fuzz_ward_csv.c — the incident register's CSV import (ward/ward_csv.c):
 * UTF-8 check, RFC 4180 records, the header, and every row through the same
 * validation the API uses (dates, wards, categories, numbers, coordinates),
 * against a real catalog with two wards.
 *
 * Rows are checked "for" a ward id that does not exist, so even a file that
 * is entirely valid ends in "unknown ward '…'" (another ward's row) after
 * full validation: nothing is written and the catalog stays the same size
 * however long the fuzzer runs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ward/ward.h"

static catalog_t *cat;
static char dir[64];

static void cleanup(void)
{
    catalog_close(cat);
    char *cmd = ww_asprintf("rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    free(cmd);
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/dev/shm/ww-fuzz-csv-XXXXXX");
    if (!mkdtemp(dir)) {
        snprintf(dir, sizeof dir, "/tmp/ww-fuzz-csv-XXXXXX");
        if (!mkdtemp(dir)) abort();
    }
    char *db = ww_asprintf("%s/wardwatch.db", dir);
    if (catalog_open(db, CATALOG_CREATE, &cat)) abort();
    free(db);
    struct catalog_ward wa = {.name = "Phường A"}, wb = {.name = "Phường B"};
    if (catalog_ward_add(cat, &wa) || catalog_ward_add(cat, &wb)) abort();
    atexit(cleanup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!cat) setup();
    struct ward_csv_result res;
    int rc = ward_csv_import(cat, (const char *)data, size, "fuzz", 420, 0, INT64_MAX / 2, &res);
    if (rc == 0 || res.imported) abort();            /* the ward id does not exist */
    for (size_t i = 0; i < res.n_errors; i++)
        if (!res.errors[i].msg || res.errors[i].line < 1) abort();
    ward_csv_result_clear(&res);
    return 0;
}
