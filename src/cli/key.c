/*
 * key.c — `wardwatch key show [--json]`: the station's public signing key
 * and its fingerprint, for the province (or a court) to register.  The
 * secret half never leaves DIR/station.key; this prints only the public one.
 */
#include "cli/common.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export/export.h"

static int key_show(struct cli_ctx *ctx, int argc, char **argv)
{
    bool json = false;
    int rc = cli_flag_only(argc, argv, "key show", "json", &json,
                           "usage: wardwatch key show [--json]\n\nPrints the station's public signing key (Ed25519) and its\n"
                           "fingerprint.  Give it to whoever must check this station's exports:\n"
                           "`wardwatch verify FILE --key KEY` accepts the base64, the hex or this JSON.\n");
    if (rc >= 0) return rc;
    struct export_key k;
    rc = export_key_load(ctx->data_dir, &k);
    if (rc) {
        cli_err("key show: %s", rc == WW_ENOTFOUND ? "this data folder has no signing key yet (run init or serve)"
                                                   : ww_strerror(rc));
        return 1;
    }
    if (json) {
        json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "kind", "wardwatch station public key", "algorithm",
                              "Ed25519", "station_id", k.station_id, "station_name", k.station_name, "public_key",
                              k.public_b64, "key_fingerprint", k.fingerprint);
        cli_print_json(j, JSON_INDENT(2) | JSON_SORT_KEYS);
    } else {
        printf("station:      %s (%s)\n", k.station_name, k.station_id);
        printf("algorithm:    Ed25519\n");
        printf("public key:   %s\n", k.public_b64);
        printf("fingerprint:  %s\n", k.fingerprint);
        printf("short:        %s\n", k.short_fpr);
    }
    export_key_wipe(&k);
    return 0;
}

CLI_ACTIONS(cli_key, "key", "usage: wardwatch key show [--json]", {"show", key_show})
