/*
 * exe.c — files found relative to the running executable.
 *
 * Why: the web folder and the criteria sets ship beside the binary (a build
 * tree: build/wardwatch with web/ and data/ above it; an install:
 * bin/wardwatch with share/wardwatch/ beside bin/), so the server and the
 * ward module look for them from /proc/self/exe rather than from the
 * working directory, which a service manager sets to anything.  One lookup
 * here, so both follow the same rule.
 */
#include "base/base.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *ww_exe_dir(void)
{
    /* readlink does not say whether it truncated: grow until it fits. */
    for (size_t cap = 256; cap <= (1u << 16); cap *= 2) {
        char *buf = ww_malloc(cap);
        ssize_t n = readlink("/proc/self/exe", buf, cap);
        if (n <= 0) { free(buf); return NULL; }
        if ((size_t)n < cap) {
            buf[n] = 0;
            char *slash = strrchr(buf, '/');
            if (!slash) { free(buf); return NULL; }
            slash[slash == buf] = 0;   /* "/wardwatch" → "/" */
            return buf;
        }
        free(buf);
    }
    return NULL;
}

char *ww_exe_relative(const char *rel)
{
    char *dir = ww_exe_dir();
    if (!dir) return NULL;
    char *p = ww_asprintf("%s/%s", dir, rel);
    free(dir);
    char *real = realpath(p, NULL);
    free(p);
    return real;
}
