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
    static const struct option opts[] = {
        {"camera", required_argument, 0, 'c'}, {"from", required_argument, 0, 'f'},
        {"to", required_argument, 0, 't'},     {"reason", required_argument, 0, 'r'},
        {"incident", required_argument, 0, 'i'}, {"until", required_argument, 0, 'u'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    struct catalog_hold h = {0};
    int off = ww_station_offset_min(), o;
    cli_getopt_reset();
    while ((o = cli_getopt(argc, argv, ":h", opts, "hold add")) != -1) {
        switch (o) {
        case 'c': if (ww_parse_i64(optarg, 1, INT64_MAX, &h.camera_id)) return cli_usage("hold add: --camera wants a camera id"); break;
        case 'f': if (cli_opt_time("hold add", "--from", optarg, off, "", &h.from_us)) return 2; break;
        case 't': if (cli_opt_time("hold add", "--to", optarg, off, "", &h.to_us)) return 2; break;
        case 'r': h.reason = optarg; break;
        case 'i': if (ww_parse_i64(optarg, 1, INT64_MAX, &h.incident_id)) return cli_usage("hold add: --incident wants an incident id"); break;
        case 'u': if (ww_parse_time(optarg, off, &h.until_us)) return cli_usage("hold add: --until '%s' is not a date", optarg); break;
        case 'h':
            printf("usage: wardwatch hold add --camera ID --from T --to T --reason TEXT [--incident N] [--until DATE]\n\n"
                   "Keeps the camera's recordings overlapping [from, to) whatever retention says, until\n"
                   "DATE (default %d days from now) or a release.  Audited.\n", CATALOG_HOLD_DEFAULT_DAYS);
            return 0;
        default: return 2;
        }
    }
    if (optind < argc) return cli_usage("hold add: unexpected argument '%s'", argv[optind]);
    if (!h.camera_id || !h.from_us || !h.to_us || !h.reason || !*h.reason)
        return cli_usage("hold add: --camera, --from, --to and --reason are required");
    if (h.to_us <= h.from_us) return cli_usage("hold add: --to must be after --from");
    if (strlen(h.reason) > 500) return cli_usage("hold add: --reason is at most 500 bytes");
    catalog_t *cat;
    int rc = cli_open(ctx, &cat);
    if (rc) return rc;
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
    static const struct option opts[] = {{"json", no_argument, 0, 'j'}, {"camera", required_argument, 0, 'c'},
                                         {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    bool json = false;
    int64_t cam = 0;
    int o;
    cli_getopt_reset();
    while ((o = cli_getopt(argc, argv, ":h", opts, "hold list")) != -1) {
        if (o == 'j') json = true;
        else if (o == 'c') { if (ww_parse_i64(optarg, 1, INT64_MAX, &cam)) return cli_usage("hold list: --camera wants an id"); }
        else if (o == 'h') { printf("usage: wardwatch hold list [--camera ID] [--json]\n"); return 0; }
        else return 2;
    }
    catalog_t *cat;
    int rc = cli_open(ctx, &cat);
    if (rc) return rc;
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
    static const struct option opts[] = {{"reason", required_argument, 0, 'r'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *reason = NULL;
    int o;
    cli_getopt_reset();
    while ((o = cli_getopt(argc, argv, ":h", opts, "hold release")) != -1) {
        if (o == 'r') reason = optarg;
        else if (o == 'h') { printf("usage: wardwatch hold release ID --reason TEXT\n"); return 0; }
        else return 2;
    }
    int64_t id;
    if (optind + 1 != argc || ww_parse_i64(argv[optind], 1, INT64_MAX, &id))
        return cli_usage("hold release: give one hold id");
    if (!reason || !*reason) return cli_usage("hold release: --reason is required (it is kept with the hold)");
    catalog_t *cat;
    int rc = cli_open(ctx, &cat);
    if (rc) return rc;
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

int cli_hold(struct cli_ctx *c, int argc, char **argv)
{
    static const struct cli_action acts[] = {
        {"add", hold_add}, {"list", hold_list}, {"release", hold_release}, {NULL, NULL}};
    return cli_dispatch(c, argc, argv, "hold",
                        "usage: wardwatch hold add|list|release [options]  (--help on each)", acts);
}
