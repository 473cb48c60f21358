/*
 * hub_review.c — `wardwatch hub review`: the province's review of one
 * criterion of one ward, written back to the station that holds the ward
 * (docs/province.md, "Reviews written back").  The message is signed with
 * the hub's key and published on the station's ctl topic; the station
 * applies it as an assessment with side "review" when it next hears the
 * broker (at once if connected; the broker keeps it for a station that is
 * away).  What the station did with it comes back through the outbox.
 */
#include "cli/cli.h"
#include "cli/common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "province/province.h"

static const char review_help[] =
    "usage: wardwatch hub review STATION WARD_ID YEAR CRITERION met|not_met|in_progress\n"
    "            --by NAME --mqtt mqtt://HOST:PORT [--notes TEXT] [--on YYYY-MM-DD]\n"
    "            [--data DIR] [--print]\n\n"
    "Writes the province's review of criterion number CRITERION (its number in the\n"
    "ward's criteria set for YEAR) of the station's ward WARD_ID back to the\n"
    "station: signed with the hub's key (hub.key in --data) and published QoS 1 on\n"
    "wardwatch/STATION/ctl/review.  --by names the province reviewer (the station\n"
    "records the assessor as province:NAME and audits it).  --print writes the\n"
    "signed message to stdout instead of publishing it.  Prints the review id.\n";

int cli_hub_review(struct cli_ctx *c, int argc, char **argv)
{
    const char *by = NULL, *mqtt = NULL, *notes = NULL, *on = NULL, *data = NULL;
    bool print = false;
    const struct cli_opt opts[] = {{CLI_STR("by", &by)},       {CLI_STR("mqtt", &mqtt)},
                                   {CLI_STR("notes", &notes)}, {CLI_STR("on", &on)},
                                   {CLI_STR("data", &data)},   {CLI_FLAG("print", &print)},
                                   {.name = NULL}};
    int rc = cli_opts(argc, argv, "hub review", opts, review_help, 5);
    if (rc >= 0) return rc;
    if (argc - optind != 5) return cli_usage("hub review wants STATION WARD_ID YEAR CRITERION RESULT (see --help)");
    char **pos = argv + optind;
    char *end;
    long long ward = strtoll(pos[1], &end, 10);
    if (*end || ward <= 0) return cli_usage("hub review: WARD_ID must be a positive number, not '%s'", pos[1]);
    long year = strtol(pos[2], &end, 10);
    if (*end || year < 2000 || year > 2100) return cli_usage("hub review: YEAR must be 2000..2100, not '%s'", pos[2]);
    long crit = strtol(pos[3], &end, 10);
    if (*end || crit < 1 || crit > 1000) return cli_usage("hub review: CRITERION must be a criterion number, not '%s'", pos[3]);
    if (!by || !*by) return cli_usage("hub review: --by NAME (the province reviewer) is required");
    if (!print && !mqtt) return cli_usage("hub review: --mqtt mqtt://HOST:PORT is required (or --print)");
    struct prov_review rv = {.station = pos[0], .ward_id = ward, .year = (int)year, .criterion = (int)crit,
                             .result = pos[4], .notes = notes, .reviewer = by, .assessed_on = on};
    char *payload = NULL, id[33];
    const char *dir = data ? data : c->data_dir;
    rc = prov_review_build(&rv, dir, &payload, id);
    if (rc == WW_EINVAL) {
        cli_err("hub review: not a review a station would take (station id, result met|not_met|in_progress, "
                "--on YYYY-MM-DD, notes at most 4000 bytes)");
        return 2;
    }
    if (rc) {
        cli_err("hub review: no hub key in %s (%s): run `wardwatch hub init` first", dir, ww_strerror(rc));
        return 1;
    }
    if (print) {
        printf("%s\n", payload);
        free(payload);
        return 0;
    }
    rc = prov_review_publish(mqtt, rv.station, payload, 10000);
    free(payload);
    if (rc) {
        cli_err("hub review: the broker %s did not take the review (%s)", mqtt, ww_strerror(rc));
        return 1;
    }
    printf("review %s published for %s\n", id, rv.station);
    return 0;
}
