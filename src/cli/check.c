/*
 * check.c — `wardwatch check`: verify every segment row against its file
 * and name each inconsistency; exit 1 if there is any.
 */
#include "cli/common.h"

#include <stdio.h>
#include <string.h>

#include "record/record.h"

static void report(void *opaque, const struct catalog_segment *s, const char *problem)
{
    (void)opaque;
    if (s->id) printf("segment %lld %s: %s\n", (long long)s->id, s->path, problem);
    else printf("file %s: %s\n", s->path, problem);
}

int cli_check(struct cli_ctx *c, int argc, char **argv)
{
    bool quick = false;
    int rc = cli_flag_only(argc, argv, "check", "quick", &quick,
                           "usage: wardwatch check [--quick]\n\n"
                           "Verifies every segment row against its file: it exists, is as long as the\n"
                           "row says, parses, and plays (every frame demuxes) up to the recorded end.\n"
                           "--quick skips the demux pass.  Exit 1 names each inconsistency.\n");
    if (rc >= 0) return rc;
    catalog_t *cat;
    if ((rc = cli_open(c, &cat))) return rc;
    struct catalog_segment *all;
    size_t n = 0;
    catalog_segment_all(cat, -1, &all, &n);
    catalog_segment_list_free(all, n);
    int problems = rec_check(c->data_dir, cat, !quick, report, NULL);
    catalog_close(cat);
    if (problems < 0) { cli_err("check: cannot read the catalog"); return 1; }
    printf("check: %zu segments, %d problem%s\n", n, problems, problems == 1 ? "" : "s");
    return problems ? 1 : 0;
}
