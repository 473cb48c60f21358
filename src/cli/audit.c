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

static json_t *audit_row_json(const void *row)
{
    const struct catalog_audit *r = row;
    char at[48];
    ww_fmt_time(r->at_us, ww_station_offset_min(), at, sizeof at);
    json_t *j = json_pack("{s:I,s:s,s:I,s:s}", "id", (json_int_t)r->id, "at", at, "at_us", (json_int_t)r->at_us,
                          "action", r->action);
    if (r->username) json_object_set_new(j, "username", json_string(r->username));
    if (r->camera_id) json_object_set_new(j, "camera_id", json_integer(r->camera_id));
    if (r->detail) json_object_set_new(j, "detail", json_string(r->detail));
    json_object_set_new(j, "hash", json_string(r->hash));
    return j;
}

static void audit_row_text(const void *row)
{
    const struct catalog_audit *r = row;
    char at[48], cam[24] = "-";
    ww_fmt_time(r->at_us, ww_station_offset_min(), at, sizeof at);
    if (r->camera_id) snprintf(cam, sizeof cam, "%lld", (long long)r->camera_id);
    printf("%-6lld %-25s %-14s %-14s %-6s %s\n", (long long)r->id, at, r->username ? r->username : "-", r->action,
           cam, r->detail ? r->detail : "");
}

static const struct cli_list audit_rows = {
    "ID     AT                        USER           ACTION         CAMERA DETAIL\n", audit_row_json,
    audit_row_text, sizeof(struct catalog_audit)};

static const char audit_list_help[] =
    "usage: wardwatch audit list [--camera ID] [--user ID] [--action A] [--limit N]"
    " [--json]\n\nNewest rows first.\n";

static int audit_list(struct cli_ctx *ctx, int argc, char **argv)
{
    struct catalog_audit_filter f = {.limit = 50};
    bool json = false;
    const struct cli_opt opts[] = {
        {CLI_I64("camera", &f.camera_id, 1, INT64_MAX, "--camera wants a camera id")},
        {CLI_I64("user", &f.user_id, 1, INT64_MAX, "--user wants a user id")},
        {CLI_STR("action", &f.action)},
        {CLI_SIZE("limit", &f.limit, 1, 1000, "--limit must be 1..1000")},
        {CLI_FLAG("json", &json)},
        {.name = NULL}};
    int rc = cli_opts(argc, argv, "audit list", opts, audit_list_help, 0);
    if (rc >= 0) return rc;
    catalog_t *cat;
    if ((rc = cli_open(ctx, &cat))) return rc;
    struct catalog_audit *rows;
    size_t n;
    if (catalog_audit_query(cat, &f, &rows, &n)) {
        catalog_close(cat);
        cli_err("audit list failed");
        return 1;
    }
    cli_print_list(&audit_rows, json, rows, n);
    catalog_audit_list_free(rows, n);
    catalog_close(cat);
    return 0;
}

CLI_ACTIONS(cli_audit, "audit", "usage: wardwatch audit verify|list [options]  (--help on each)",
            {"verify", audit_verify}, {"list", audit_list})
