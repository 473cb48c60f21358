/*
 * fuzz_mp4.c — rec_scan_file() (record/scan.c), the box walk that
 * `recover` and `check` run over segment files that may be cut short,
 * zero-filled or damaged on disk.
 *
 * The input is the file.  It is written to a memfd and scanned through
 * /proc/self/fd, so the real function reads a real file descriptor without
 * touching the disk.  A scan that succeeds must not claim more good bytes
 * than the file has.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "record/record.h"

static int fd = -1;
static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fd < 0) {
        fd = memfd_create("fuzz-mp4", 0);
        if (fd < 0) abort();
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size) abort();
    struct rec_scan s = {0};
    if (rec_scan_file(path, &s) == 0) {
        if (s.good_bytes < 0 || (uint64_t)s.good_bytes > size) abort();
        if (s.frames < 0) abort();
    }
    rec_scan_clear(&s);
    return 0;
}
