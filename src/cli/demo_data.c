/*
 * demo_data.c — `wardwatch demo-data`: fills an initialised catalog with
 * clearly-marked demo data for the ward's work (wards "(demo)" of Nghệ An,
 * two years of incidents from a fixed seed, programme registrations and
 * assessments) so the statistics and the dashboard show something real.
 * `make demo` runs it right after `init`.  Running it again replaces the
 * demo incidents; real records are never touched.
 *
 * The bench uses the same generator with more wards and years
 * (--wards 200 --years 5 --per-ward-year 500 --no-assessments).
 */
#include "cli/common.h"
#include "ward/ward.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char demo_data_help[] =
    "usage: wardwatch demo-data [--wards N] [--years N] [--per-ward-year N] [--seed S]\n"
    "         [--no-assessments]\n\n"
    "Adds demo wards (names end in \"(demo)\"), incidents over the last N years\n"
    "(marked demo, summaries start with [DEMO]) and, for up to 16 wards, criteria\n"
    "programme registrations and assessments for 2023 and 2024.  Defaults: 16\n"
    "wards of Nghệ An, 2 years, about 60 incidents per ward and year, seed 20231225.\n"
    "Running it again replaces the demo incidents; real records are untouched.\n";

int cli_demo_data(struct cli_ctx *c, int argc, char **argv)
{
    struct ward_demo_opts o = {.n_wards = 16, .years = 2, .per_ward_year = 60, .seed = 20231225,
                               .assessments = true};
    int64_t seed = (int64_t)o.seed;
    const struct cli_opt opts[] = {
        {CLI_INT("wards", &o.n_wards, 1, 2000, "--wards must be 1..2000")},
        {CLI_INT("years", &o.years, 1, 20, "--years must be 1..20")},
        {CLI_INT("per-ward-year", &o.per_ward_year, 1, 100000, "--per-ward-year must be 1..100000")},
        {CLI_I64("seed", &seed, 1, INT64_MAX, "--seed must be a positive integer")},
        {CLI_OFF("no-assessments", &o.assessments)},
        {.name = NULL}};
    int rc = cli_opts(argc, argv, "demo-data", opts, demo_data_help, 0);
    if (rc >= 0) return rc;
    o.seed = (uint64_t)seed;
    catalog_t *cat;
    if ((rc = cli_open(c, &cat))) return rc;
    struct ward_demo_report rep;
    int64_t t0 = ww_mono_us();
    rc = ward_demo_generate(cat, &o, &rep);
    catalog_close(cat);
    if (rc) {
        cli_err("demo-data: failed: %s", ww_strerror(rc));
        return 1;
    }
    printf("demo data: %d new wards, %lld incidents, %d assessments (%.1f s) — all marked (demo)\n",
           rep.wards_added, (long long)rep.incidents, rep.assessments, (double)(ww_mono_us() - t0) / 1e6);
    return 0;
}
