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

int cli_demo_data(struct cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"wards", required_argument, 0, 'w'}, {"years", required_argument, 0, 'y'},
        {"per-ward-year", required_argument, 0, 'p'}, {"seed", required_argument, 0, 's'},
        {"no-assessments", no_argument, 0, 'A'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    struct ward_demo_opts o = {.n_wards = 16, .years = 2, .per_ward_year = 60, .seed = 20231225,
                               .assessments = true};
    int64_t v;
    int opt;
    cli_getopt_reset();
    while ((opt = cli_getopt(argc, argv, ":h", opts, "demo-data")) != -1) {
        switch (opt) {
        case 'w':
            if (ww_parse_i64(optarg, 1, 2000, &v)) return cli_usage("demo-data: --wards must be 1..2000");
            o.n_wards = (int)v;
            break;
        case 'y':
            if (ww_parse_i64(optarg, 1, 20, &v)) return cli_usage("demo-data: --years must be 1..20");
            o.years = (int)v;
            break;
        case 'p':
            if (ww_parse_i64(optarg, 1, 100000, &v)) return cli_usage("demo-data: --per-ward-year must be 1..100000");
            o.per_ward_year = (int)v;
            break;
        case 's':
            if (ww_parse_i64(optarg, 1, INT64_MAX, &v)) return cli_usage("demo-data: --seed must be a positive integer");
            o.seed = (uint64_t)v;
            break;
        case 'A': o.assessments = false; break;
        case 'h':
            printf("usage: wardwatch demo-data [--wards N] [--years N] [--per-ward-year N] [--seed S]\n"
                   "         [--no-assessments]\n\n"
                   "Adds demo wards (names end in \"(demo)\"), incidents over the last N years\n"
                   "(marked demo, summaries start with [DEMO]) and, for up to 16 wards, criteria\n"
                   "programme registrations and assessments for 2023 and 2024.  Defaults: 16\n"
                   "wards of Nghệ An, 2 years, about 60 incidents per ward and year, seed 20231225.\n"
                   "Running it again replaces the demo incidents; real records are untouched.\n");
            return 0;
        default: return 2;
        }
    }
    if (optind < argc) return cli_usage("demo-data: unexpected argument '%s'", argv[optind]);
    catalog_t *cat;
    int rc = cli_open(c, &cat);
    if (rc) return rc;
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
