/*
 * check.c — `wardwatch check`: verify every segment row against its file
 * and name each inconsistency; exit 1 if there is any.
 */
#include "cli/common.h"

#include <stdio.h>
#include <string.h>

#include "record/record.h"

static void report(void *opaque, const struct cat_segment *s, const char *problem)
{
    (void)opaque;
    if (s->id) printf("segment %lld %s: %s\n", (long long)s->id, s->path, problem);
    else printf("file %s: %s\n", s->path, problem);
}

int cli_check(struct cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"quick", no_argument, 0, 'q'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    bool deep = true;
    int o;
    cli_getopt_reset();
    while ((o = cli_getopt(argc, argv, ":h", opts, "check")) != -1) {
        if (o == 'q') deep = false;
        else if (o == 'h') {
            printf("usage: wardwatch check [--quick]\n\n"
                   "Verifies every segment row against its file: it exists, is as long as the\n"
                   "row says, parses, and plays (every frame demuxes) up to the recorded end.\n"
                   "--quick skips the demux pass.  Exit 1 names each inconsistency.\n");
            return 0;
        } else return 2;
    }
    if (optind < argc) return cli_usage("check: unexpected argument '%s'", argv[optind]);
    catalog_t *cat;
    int rc = cli_open(c, &cat);
    if (rc) return rc;
    struct cat_segment *all;
    size_t n = 0;
    catalog_segment_all(cat, -1, &all, &n);
    cat_segment_list_free(all, n);
    int problems = rec_check(c->data_dir, cat, deep, report, NULL);
    catalog_close(cat);
    if (problems < 0) { cli_err("check: cannot read the catalog"); return 1; }
    printf("check: %zu segments, %d problem%s\n", n, problems, problems == 1 ? "" : "s");
    return problems ? 1 : 0;
}
