/* Placeholder so the binary links while `camera import` is being built; it
 * says so plainly and exits 1. */
#include "cli/common.h"

int cli_camera_import(struct cli_ctx *c, int argc, char **argv)
{
    (void)c; (void)argc; (void)argv;
    cli_err("camera import is not available in this build yet");
    return 1;
}
