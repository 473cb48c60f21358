/* Placeholder so the binary links while this verb is being built; it says so
 * plainly and exits 1.  Replaced by the verb's real implementation. */
#include "cli/common.h"

int cli_motion(struct cli_ctx *c, int argc, char **argv)
{
    (void)c; (void)argc; (void)argv;
    cli_err("this verb is not available in this build yet");
    return 1;
}
