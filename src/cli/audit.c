/*
 * audit.c — `wardwatch audit verify | list`.
 *
 * verify walks the whole hash chain (catalog/catalog_audit.c) and exits 1
 * naming the first row that does not fit ("audit row 17: hash mismatch …"),
 * or 0 with "N rows verified".  It also prints the head (last id and hash):
 * copied somewhere else (a notebook, a report), it lets a later check show
 * that no rows were cut from the end either.
 */
#include "cli/common.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/cat_audit.h"

static int audit_verify(struct cli_ctx *ctx, int argc, char **argv)
{
    int rc = cli_flag_only(argc, argv, "audit verify", NULL, NULL,
                           "usage: wardwatch audit verify\n\nChecks the audit trail's hash chain; exits 1"
                           " naming the first bad row.\n");
    if (rc >= 0) return rc;
    catalog_t *cat;
    if ((rc = cli_open(ctx, &cat))) return rc;
    int64_t rows, bad;
    const char *why;
    rc = catalog_audit_verify(cat, &rows, &bad, &why);
    if (rc == WW_ECORRUPT) {
        printf("audit row %lld: %s\n", (long long)bad, why);
        printf("%lld rows before it verified\n", (long long)rows);
        catalog_close(cat);
        return 1;
    }
    if (rc) {
        cli_err("audit verify: cannot read the audit trail: %s", ww_strerror(rc));
        catalog_close(cat);
        return 1;
    }
    printf("%lld rows verified\n", (long long)rows);
    struct catalog_audit *last;
    size_t n;
    struct catalog_audit_filter f = {.limit = 1};
    if (rows && catalog_audit_query(cat, &f, &last, &n) == 0) {
        if (n) printf("head: row %lld %s\n", (long long)last[0].id, last[0].hash);
        catalog_audit_list_free(last, n);
    }
    catalog_close(cat);
    return 0;
}

static int audit_list(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        {"camera", required_argument, 0, 'c'}, {"user", required_argument, 0, 'u'},
        {"action", required_argument, 0, 'a'}, {"limit", required_argument, 0, 'n'},
        {"json", no_argument, 0, 'j'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    struct catalog_audit_filter f = {.limit = 50};
    bool json = false;
    int64_t v;
    int o;
    cli_getopt_reset();
    while ((o = cli_getopt(argc, argv, ":h", opts, "audit list")) != -1) {
        switch (o) {
        case 'c':
            if (ww_parse_i64(optarg, 1, INT64_MAX, &f.camera_id))
                return cli_usage("audit list: --camera wants a camera id");
            break;
        case 'u':
            if (ww_parse_i64(optarg, 1, INT64_MAX, &f.user_id))
                return cli_usage("audit list: --user wants a user id");
            break;
        case 'a': f.action = optarg; break;
        case 'n':
            if (ww_parse_i64(optarg, 1, 1000, &v)) return cli_usage("audit list: --limit must be 1..1000");
            f.limit = (size_t)v;
            break;
        case 'j': json = true; break;
        case 'h':
            printf("usage: wardwatch audit list [--camera ID] [--user ID] [--action A] [--limit N]"
                   " [--json]\n\nNewest rows first.\n");
            return 0;
        default: return 2;
        }
    }
    if (optind < argc) return cli_usage("audit list: unexpected argument '%s'", argv[optind]);
    catalog_t *cat;
    int rc = cli_open(ctx, &cat);
    if (rc) return rc;
    struct catalog_audit *rows;
    size_t n;
    if (catalog_audit_query(cat, &f, &rows, &n)) {
        catalog_close(cat);
        cli_err("audit list failed");
        return 1;
    }
    int off = ww_station_offset_min();
    json_t *arr = json ? json_array() : NULL;
    if (!json) printf("%-6s %-25s %-14s %-14s %-6s %s\n", "ID", "AT", "USER", "ACTION", "CAMERA", "DETAIL");
    for (size_t i = 0; i < n; i++) {
        char at[48];
        ww_fmt_time(rows[i].at_us, off, at, sizeof at);
        if (json) {
            json_t *j = json_pack("{s:I,s:s,s:I,s:s}", "id", (json_int_t)rows[i].id, "at", at,
                                  "at_us", (json_int_t)rows[i].at_us, "action", rows[i].action);
            if (rows[i].username) json_object_set_new(j, "username", json_string(rows[i].username));
            if (rows[i].camera_id) json_object_set_new(j, "camera_id", json_integer(rows[i].camera_id));
            if (rows[i].detail) json_object_set_new(j, "detail", json_string(rows[i].detail));
            json_object_set_new(j, "hash", json_string(rows[i].hash));
            json_array_append_new(arr, j);
        } else {
            char cam[24] = "-";
            if (rows[i].camera_id) snprintf(cam, sizeof cam, "%lld", (long long)rows[i].camera_id);
            printf("%-6lld %-25s %-14s %-14s %-6s %s\n", (long long)rows[i].id, at,
                   rows[i].username ? rows[i].username : "-", rows[i].action, cam,
                   rows[i].detail ? rows[i].detail : "");
        }
    }
    if (json) {
        cli_print_json(arr, JSON_INDENT(2));
    }
    catalog_audit_list_free(rows, n);
    catalog_close(cat);
    return 0;
}

int cli_audit(struct cli_ctx *c, int argc, char **argv)
{
    static const struct cli_action acts[] = {
        {"verify", audit_verify}, {"list", audit_list}, {NULL, NULL}};
    return cli_dispatch(c, argc, argv, "audit",
                        "usage: wardwatch audit verify|list [options]  (--help on each)", acts);
}
