/*
 * verify.c — `wardwatch verify FILE.mp4|MANIFEST|BUNDLE.tar|DIR [--key KEY]`:
 * checks an export or an evidence bundle offline, on any machine
 * (export/verify.c does the work).  The trusted key is --key, else this
 * data folder's own station key.  One line per check, "ok" or "FAIL" with
 * the reason, and who exported what, when, from which camera and place.
 * Exit 0 when all holds, 1 naming the first failure, 2 on bad usage.
 */
#include "cli/common.h"

#include <stdio.h>
#include <string.h>

#include "export/export.h"

static void print_line(void *ud, bool ok, const char *line)
{
    (void)ud;
    printf("%s %s\n", ok ? "ok  " : "FAIL", line);
}

static const char verify_help[] =
    "usage: wardwatch verify FILE.mp4|FILE.mp4.manifest.json|BUNDLE.tar|DIR [--key KEY]\n\n"
    "Checks an export or evidence bundle offline: the manifest's signature, that the\n"
    "signing key is trusted, and every file's SHA-256.  The trusted key is --key (base64,\n"
    "hex, the JSON of `key show --json`, or a file holding one), else this data folder's\n"
    "own station key.  Exit 0 when everything holds, 1 naming the first failure.\n";

int cli_verify(struct cli_ctx *ctx, int argc, char **argv)
{
    struct export_key trusted;
    bool have = false;
    const char *key = NULL;
    const struct cli_opt opts[] = {{CLI_STR("key", &key)}, {.name = NULL}};
    int rc = cli_opts(argc, argv, "verify", opts, verify_help, CLI_ANY_OPERANDS);
    if (rc >= 0) return rc;
    if (optind + 1 != argc) return cli_usage("verify: give one file or folder");
    if (key) {
        if (export_key_parse_public(key, &trusted)) return cli_usage("verify: --key is not a public key (base64, hex or JSON)");
        have = true;
    } else {
        have = export_key_load(ctx->data_dir, &trusted) == 0;
    }
    struct export_verify_result res;
    rc = export_verify(argv[optind], have ? &trusted : NULL, print_line, NULL, &res);
    export_key_wipe(&trusted);
    if (rc) {
        printf("verify: FAILED — %s\n", res.first_failure);
        return 1;
    }
    printf("verify: everything holds\n");
    return 0;
}
