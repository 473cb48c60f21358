/*
 * hold.c — `wardwatch hold add | list | release`: footage retention must
 * keep (catalog/cat_evidence.h).  Each change is an audit row (user "cli",
 * no client address) in the same transaction as the change, so the chain
 * of custody shows who placed and released every hold, and why.
 */
#include "cli/common.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/cat_audit.h"
#include "catalog/cat_evidence.h"

static int audit(catalog_t *cat, const char *action, int64_t camera, int64_t from, int64_t to, json_t *detail)
{
    struct catalog_audit a = {.username = "cli", .action = (char *)action, .camera_id = camera,
                          .range_from_us = from, .range_to_us = to};
    return cli_audit_append(cat, &a, detail);
}

static int hold_add(struct cli_ctx *ctx, int argc, char **argv)
{
    struct catalog_hold h = {0};
    int off = ww_station_offset_min();
    const char *reason = NULL;
    const struct cli_opt opts[] = {
        {CLI_I64("camera", &h.camera_id, 1, INT64_MAX, "--camera wants a camera id")},
        {CLI_TIME("from", &h.from_us, "")},
        {CLI_TIME("to", &h.to_us, "")},
        {CLI_STR("reason", &reason)},
        {CLI_I64("incident", &h.incident_id, 1, INT64_MAX, "--incident wants an incident id")},
        {CLI_CALL("until", &h.until_us, cli_parse_time, "--until '%s' is not a date")},
        {.name = NULL}};
    char *help = ww_asprintf(
        "usage: wardwatch hold add --camera ID --from T --to T --reason TEXT [--incident N] [--until DATE]\n\n"
        "Keeps the camera's recordings overlapping [from, to) whatever retention says, until\n"
        "DATE (default %d days from now) or a release.  Audited.\n",
        CATALOG_HOLD_DEFAULT_DAYS);
    int rc = cli_opts(argc, argv, "hold add", opts, help, 0);
    free(help);
    if (rc >= 0) return rc;
    h.reason = (char *)reason;
    if (!h.camera_id || !h.from_us || !h.to_us || !h.reason || !*h.reason)
        return cli_usage("hold add: --camera, --from, --to and --reason are required");
    if (h.to_us <= h.from_us) return cli_usage("hold add: --to must be after --from");
    if (strlen(h.reason) > 500) return cli_usage("hold add: --reason is at most 500 bytes");
    catalog_t *cat;
    if ((rc = cli_open(ctx, &cat))) return rc;
    h.created_by = "cli";
    if (!(rc = catalog_begin(cat)) && !(rc = catalog_hold_add(cat, &h)))
        rc = audit(cat, "hold_add", h.camera_id, h.from_us, h.to_us,
                   json_pack("{s:I,s:s,s:I,s:I}", "hold_id", (json_int_t)h.id, "reason", h.reason, "until_us",
                             (json_int_t)h.until_us, "incident_id", (json_int_t)h.incident_id));
    rc = cli_end_txn(cat, rc);
    catalog_close(cat);
    if (rc) {
        cli_err("hold add: %s", rc == WW_ENOTFOUND ? "no such camera" : rc == WW_EINVAL ? "refused (range, reason, incident or --until in the past)" : ww_strerror(rc));
        return 1;
    }
    char until[48];
    printf("hold %lld on camera %lld until %s\n", (long long)h.id, (long long)h.camera_id,
           ww_fmt_time(h.until_us, off, until, sizeof until));
    return 0;
}

static json_t *hold_json(const struct catalog_hold *h, int64_t now)
{
    const char *state = h->released_us ? "released" : h->until_us <= now ? "expired" : "in_force";
    return json_pack("{s:I,s:I,s:I,s:I,s:s,s:I,s:I,s:s,s:I,s:s,s:I,s:I,s:s?,s:s?}", "id", (json_int_t)h->id,
                     "camera_id", (json_int_t)h->camera_id, "from_us", (json_int_t)h->from_us, "to_us",
                     (json_int_t)h->to_us, "reason", h->reason, "until_us", (json_int_t)h->until_us,
                     "incident_id", (json_int_t)h->incident_id, "state", state, "held_bytes",
                     (json_int_t)h->held_bytes, "created_by", h->created_by, "created_us",
                     (json_int_t)h->created_us, "released_us", (json_int_t)h->released_us, "released_by",
                     h->released_by, "release_reason", h->release_reason);
}

static int hold_list(struct cli_ctx *ctx, int argc, char **argv)
{
    bool json = false;
    int64_t cam = 0;
    const struct cli_opt opts[] = {
        {CLI_FLAG("json", &json)},
        {CLI_I64("camera", &cam, 1, INT64_MAX, "--camera wants an id")},
        {.name = NULL}};
    /* operands were never looked at here; CLI_ANY_OPERANDS keeps it so */
    int rc = cli_opts(argc, argv, "hold list", opts, "usage: wardwatch hold list [--camera ID] [--json]\n",
                      CLI_ANY_OPERANDS);
    if (rc >= 0) return rc;
    catalog_t *cat;
    if ((rc = cli_open(ctx, &cat))) return rc;
    struct catalog_hold *v;
    size_t n;
    rc = catalog_hold_list(cat, cam, false, &v, &n);
    catalog_close(cat);
    if (rc) { cli_err("hold list: %s", ww_strerror(rc)); return 1; }
    int64_t now = ww_wall_us();
    int off = ww_station_offset_min();
    if (json) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++) json_array_append_new(a, hold_json(&v[i], now));
        json_t *root = json_pack("{s:o}", "holds", a);
        cli_print_json(root, JSON_INDENT(2));
    } else {
        printf("%-5s %-7s %-9s %-29s %-29s %10s  %s\n", "ID", "CAMERA", "STATE", "FROM", "TO", "HELD MB", "REASON");
        for (size_t i = 0; i < n; i++) {
            char a[48], b[48];
            json_t *j = hold_json(&v[i], now);
            printf("%-5lld %-7lld %-9s %-29s %-29s %10.1f  %s\n", (long long)v[i].id, (long long)v[i].camera_id,
                   json_string_value(json_object_get(j, "state")), ww_fmt_time(v[i].from_us, off, a, sizeof a),
                   ww_fmt_time(v[i].to_us, off, b, sizeof b), (double)v[i].held_bytes / 1e6, v[i].reason);
            json_decref(j);
        }
    }
    catalog_hold_list_free(v, n);
    return 0;
}

static int hold_release(struct cli_ctx *ctx, int argc, char **argv)
{
    const char *reason = NULL;
    const struct cli_opt opts[] = {{CLI_STR("reason", &reason)}, {.name = NULL}};
    int rc = cli_opts(argc, argv, "hold release", opts, "usage: wardwatch hold release ID --reason TEXT\n",
                      CLI_ANY_OPERANDS);
    if (rc >= 0) return rc;
    int64_t id;
    if (optind + 1 != argc || ww_parse_i64(argv[optind], 1, INT64_MAX, &id))
        return cli_usage("hold release: give one hold id");
    if (!reason || !*reason) return cli_usage("hold release: --reason is required (it is kept with the hold)");
    catalog_t *cat;
    if ((rc = cli_open(ctx, &cat))) return rc;
    struct catalog_hold h;
    if (!(rc = catalog_begin(cat)) && !(rc = catalog_hold_get(cat, id, &h))) {
        if (!(rc = catalog_hold_release(cat, id, "cli", reason)))
            rc = audit(cat, "hold_release", h.camera_id, h.from_us, h.to_us,
                       json_pack("{s:I,s:s}", "hold_id", (json_int_t)id, "reason", reason));
        catalog_hold_clear(&h);
    }
    rc = cli_end_txn(cat, rc);
    catalog_close(cat);
    if (rc) {
        cli_err("hold release: %s", rc == WW_ENOTFOUND ? "no such hold" : rc == WW_ECONFLICT ? "already released or expired" : ww_strerror(rc));
        return 1;
    }
    printf("released hold %lld\n", (long long)id);
    return 0;
}

CLI_ACTIONS(cli_hold, "hold", "usage: wardwatch hold add|list|release [options]  (--help on each)",
            {"add", hold_add}, {"list", hold_list}, {"release", hold_release})
