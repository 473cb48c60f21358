/*
 * incident.c — `wardwatch incident import | export | list | stats`.
 *
 * import reads a whole CSV file (≤ 64 MiB) and hands it to ward_csv_import,
 * which writes nothing unless every row is right; errors are printed one per
 * line as "FILE:LINE: message" (the form editors and CI logs understand)
 * and the exit code is 1.  export and stats only read.
 *
 * stats exists for operators and for bench/ward_stats.sh: --time prints how
 * long the statistics (period + year-before comparison) took to compute.
 */
#include "cli/common.h"
#include "ward/ward.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *cli_user_name(const char *given)
{
    if (given && *given) return given;
    const char *u = ww_env_str("USER");
    return u && *u ? u : "cli";
}

static const char incident_import_help[] =
    "usage: wardwatch incident import FILE.csv [--user NAME]\n\n"
    "Adds the incidents of a UTF-8 CSV file with a header row.  Columns:\n"
    "  occurred_at, ward, category, summary (required);\n"
    "  status, address, latitude, longitude, suspects, drug_grams, deaths,\n"
    "  injuries, damage_vnd, camera_ids (optional); id (ignored).\n"
    "occurred_at is DD/MM/YYYY HH:MM (local time) or ISO 8601; category is a\n"
    "code (criminal, drugs, …) or its Vietnamese/English name.  If any row is\n"
    "wrong nothing is imported and every error is listed as FILE:LINE: message.\n";

static int incident_import(struct cli_ctx *ctx, int argc, char **argv)
{
    const char *user = NULL;
    const struct cli_opt opts[] = {{CLI_STR("user", &user)}, {.name = NULL}};
    int rc = cli_opts(argc, argv, "incident import", opts, incident_import_help, CLI_ANY_OPERANDS);
    if (rc >= 0) return rc;
    if (optind != argc - 1) return cli_usage("incident import: give one CSV file");
    const char *path = argv[optind];
    char *text = NULL;
    size_t len = 0;
    rc = ww_read_file(path, 64u << 20, &text, &len);
    if (rc) { cli_err("incident import: cannot read %s: %s", path, ww_strerror(rc)); return 1; }
    catalog_t *cat;
    if ((rc = cli_open(ctx, &cat))) { free(text); return rc; }
    struct ward_csv_result res;
    rc = ward_csv_import(cat, text, len, cli_user_name(user), ww_station_offset_min(), 200, 0, &res);
    free(text);
    catalog_close(cat);
    if (rc == WW_EINVAL) {
        for (size_t i = 0; i < res.n_errors; i++)
            fprintf(stderr, "%s:%d: %s\n", path, res.errors[i].line, res.errors[i].msg);
        cli_err("incident import: %zu error%s; nothing was imported", res.n_errors, res.n_errors == 1 ? "" : "s");
        ward_csv_result_clear(&res);
        return 1;
    }
    if (rc) {
        cli_err("incident import: failed: %s; nothing was imported", ww_strerror(rc));
        ward_csv_result_clear(&res);
        return 1;
    }
    printf("imported %zu incidents from %s\n", res.imported, path);
    ward_csv_result_clear(&res);
    return 0;
}

static int write_out(const char *path, const void *data, size_t len)
{
    if (!strcmp(path, "-")) return fwrite(data, 1, len, stdout) == len ? 0 : -EIO;
    char *tmp = ww_asprintf("%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    int rc = 0;
    if (!f || fwrite(data, 1, len, f) != len) rc = -EIO;
    if (f && fclose(f) != 0) rc = -EIO;
    if (!rc && rename(tmp, path) != 0) rc = -EIO;
    if (rc) unlink(tmp);
    free(tmp);
    return rc;
}

/* A --from/--to of the ward's forms (DD/MM/YYYY too) at the station's offset. */
static int parse_ward_time(const char *arg, void *out)
{
    return ward_time_parse(arg, ww_station_offset_min(), out);
}

static const char incident_export_help[] =
    "usage: wardwatch incident export [--ward NAME|ID] [--from WHEN] [--to WHEN] -o FILE\n\n"
    "Writes the incidents (oldest first) as UTF-8 CSV; [from, to) in local time.\n"
    "-o - writes to standard output.\n";

static int incident_export(struct cli_ctx *ctx, int argc, char **argv)
{
    const char *ward = NULL, *out = NULL;
    struct catalog_incident_filter f = {.status = -1};
    int off = ww_station_offset_min();
    const struct cli_opt opts[] = {
        {CLI_STR("ward", &ward)},
        {CLI_CALL("from", &f.from_us, parse_ward_time,
                  "--from must be a date or time (DD/MM/YYYY, YYYY-MM-DD, ISO 8601)")},
        {CLI_CALL("to", &f.to_us, parse_ward_time,
                  "--to must be a date or time (DD/MM/YYYY, YYYY-MM-DD, ISO 8601)")},
        {CLI_STR("output", &out), .letter = 'o'},
        {.name = NULL}};
    int rc = cli_opts(argc, argv, "incident export", opts, incident_export_help, 0);
    if (rc >= 0) return rc;
    if (!out) return cli_usage("incident export: -o FILE is required");
    if (f.from_us && f.to_us && f.to_us <= f.from_us) return cli_usage("incident export: --to must be after --from");
    catalog_t *cat;
    rc = cli_open(ctx, &cat);
    if (rc) return rc;
    if (ward && cli_find_ward(cat, ward, &f.ward_id)) {
        catalog_close(cat);
        cli_err("incident export: unknown ward '%s'", ward);
        return 2;
    }
    struct ww_buf b = {0};
    rc = ward_csv_export(cat, &f, off, &b);
    catalog_close(cat);
    if (!rc) rc = write_out(out, b.data, b.len);
    ww_buf_free(&b);
    if (rc) { cli_err("incident export: failed: %s", ww_strerror(rc)); return 1; }
    if (strcmp(out, "-")) fprintf(stderr, "wrote %s\n", out);
    return 0;
}

static int incident_list(struct cli_ctx *ctx, int argc, char **argv)
{
    const char *ward = NULL;
    struct catalog_incident_filter f = {.status = -1, .limit = 50};
    const struct cli_opt opts[] = {
        {CLI_STR("ward", &ward)},
        {CLI_SIZE("limit", &f.limit, 1, 100000, "--limit must be 1..100000")},
        {.name = NULL}};
    int rc = cli_opts(argc, argv, "incident list", opts,
                      "usage: wardwatch incident list [--ward NAME|ID] [--limit N]\n\nNewest incidents first.\n",
                      0);
    if (rc >= 0) return rc;
    catalog_t *cat;
    if ((rc = cli_open(ctx, &cat))) return rc;
    if (ward && cli_find_ward(cat, ward, &f.ward_id)) {
        catalog_close(cat);
        cli_err("incident list: unknown ward '%s'", ward);
        return 2;
    }
    struct catalog_incident *v;
    size_t n;
    int64_t total;
    rc = ward_incident_search(cat, &f, &v, &n, &total);
    catalog_close(cat);
    if (rc) { cli_err("incident list: failed"); return 1; }
    printf("%-6s %-16s %-20s %-14s %-10s %s\n", "ID", "WHEN", "WARD", "CATEGORY", "STATUS", "SUMMARY");
    for (size_t i = 0; i < n; i++) {
        char t[24];
        printf("%-6lld %-16s %-20s %-14s %-10s %s\n", (long long)v[i].id,
               ward_time_vi(v[i].occurred_at, ww_station_offset_min(), t, sizeof t), v[i].ward_name,
               v[i].category_code, catalog_inc_status_name(v[i].status), v[i].summary);
    }
    printf("(%zu of %lld)\n", n, (long long)total);
    catalog_incident_list_free(v, n);
    return 0;
}

static int parse_period(const char *arg, void *out) { return ward_period_parse(arg, out); }

static const char incident_stats_help[] =
    "usage: wardwatch incident stats --period P [--ward NAME|ID] [--json|--csv|--pdf FILE]\n"
    "         [--time [--repeat N]]\n\n"
    "Statistics of a ward (default: the whole province) for a period, beside the\n"
    "same period a year before.  P: 2024-05, 2024-Q2, 2024, 2024-01-01..2024-03-15\n"
    "(end exclusive).  --time prints the compute time (best of N runs).\n";

static int incident_stats(struct cli_ctx *ctx, int argc, char **argv)
{
    const char *ward = NULL, *pdf = NULL;
    struct ward_period per;
    bool have_period = false, json = false, csv = false, timeit = false;
    int64_t repeat = 1;
    const struct cli_opt opts[] = {
        {CLI_STR("ward", &ward)},
        {CLI_CALL("period", &per, parse_period, "--period is YYYY-MM, YYYY-Qn, YYYY or YYYY-MM-DD..YYYY-MM-DD"),
         .seen = &have_period},
        {CLI_FLAG("json", &json)},
        {CLI_FLAG("csv", &csv)},
        {CLI_STR("pdf", &pdf)},
        {CLI_FLAG("time", &timeit)},
        {CLI_I64("repeat", &repeat, 1, 1000, "--repeat must be 1..1000")},
        {.name = NULL}};
    int rc = cli_opts(argc, argv, "incident stats", opts, incident_stats_help, 0);
    if (rc >= 0) return rc;
    if (!have_period) return cli_usage("incident stats: --period is required");
    catalog_t *cat;
    rc = cli_open(ctx, &cat);
    if (rc) return rc;
    int64_t ward_id = 0;
    if (ward && cli_find_ward(cat, ward, &ward_id)) {
        catalog_close(cat);
        cli_err("incident stats: unknown ward '%s'", ward);
        return 2;
    }
    int off = ww_station_offset_min();
    struct ward_stats s = {0};
    int64_t best = INT64_MAX;
    for (int64_t i = 0; i < repeat && !rc; i++) {
        ward_stats_clear(&s);
        int64_t t0 = ww_mono_us();
        rc = ward_stats_compute(cat, ward_id, &per, off, &s);
        int64_t dt = ww_mono_us() - t0;
        if (dt < best) best = dt;
    }
    if (rc) {
        catalog_close(cat);
        cli_err("incident stats: failed: %s", ww_strerror(rc));
        return 1;
    }
    if (timeit) printf("stats_ms %.2f\n", (double)best / 1000.0);
    if (json) {
        json_t *j = ward_stats_json(&s, "vi");
        cli_print_json(j, JSON_INDENT(2));
    } else if (csv) {
        struct ww_buf b = {0};
        ward_stats_csv(&s, "vi", &b);
        fwrite(b.data, 1, b.len, stdout);
        ww_buf_free(&b);
    } else if (!timeit || pdf) {
        char *label = ward_stats_period_label(&s, false, "vi");
        char *share = ward_fmt_share(s.cur.solvable_solved, s.cur.solvable_cases, "vi");
        printf("%s — %s: %lld vụ; %s\n", s.scope_name, label, (long long)s.cur.cases, share);
        for (size_t i = 0; i < s.n_rows; i++) {
            struct ward_change c = ward_change_of((double)s.rows[i].cur.cases, (double)s.rows[i].prev.cases, s.has_prev);
            char *d = ward_fmt_diff(c, "vi"), *p = ward_fmt_pct_change(c, "vi");
            printf("  %-28s %6lld  (cùng kỳ %s; %s, %s)\n", s.rows[i].cat.name_vi, (long long)s.rows[i].cur.cases,
                   s.has_prev ? "có" : "—", d, p);
            free(d);
            free(p);
        }
        free(label);
        free(share);
    }
    if (pdf) {
        struct ww_buf b = {0};
        rc = ward_stats_pdf(cat, &s, off, ww_wall_us(), &b);
        if (!rc) rc = write_out(pdf, b.data, b.len);
        ww_buf_free(&b);
        if (rc) cli_err("incident stats: cannot write the PDF: %s", ww_strerror(rc));
    }
    ward_stats_clear(&s);
    catalog_close(cat);
    return rc ? 1 : 0;
}

CLI_ACTIONS(cli_incident, "incident",
            "usage: wardwatch incident import|export|list|stats [options]  (--help on each)",
            {"import", incident_import}, {"export", incident_export}, {"list", incident_list},
            {"stats", incident_stats})
