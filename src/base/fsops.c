/*
 * fsops.c — the file-operations table record/ writes through.
 *
 * Why a table: the crash and full-disk tests need to make the Nth write fail
 * with ENOSPC, or make writes fail while a marker file exists, against the
 * real binary.  Routing record/'s I/O through one table (the idea of SQLite's
 * VFS) keeps that in one place instead of #ifdefs in the writer.
 *
 * Faults are process-wide and set once from WARDWATCH_FAULT at start (or by
 * a unit test); reads of the fault state are atomic.
 */
#include "base/base.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static _Atomic int64_t fault_budget = -1; /* bytes still allowed; -1 = unlimited */
static char *fault_file;                  /* ENOSPC while this path exists */

static bool fault_hit(size_t n)
{
    if (fault_file) {
        struct stat st;
        if (stat(fault_file, &st) == 0) return true;
    }
    int64_t b = atomic_load(&fault_budget);
    if (b < 0) return false;
    return atomic_fetch_sub(&fault_budget, (int64_t)n) < (int64_t)n;
}

static int real_open(const char *path, int flags, mode_t mode)
{
    int fd = open(path, flags | O_CLOEXEC, mode);
    return fd < 0 ? -errno : fd;
}

static ssize_t real_write(int fd, const void *buf, size_t n)
{
    if (fault_hit(n)) return -ENOSPC;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, (const char *)buf + done, n - done);
        if (w < 0) {
            if (errno == EINTR) continue;
            return done ? (ssize_t)done : -errno;
        }
        done += (size_t)w;
    }
    return (ssize_t)done;
}

/* Only record's syncer (and the CLI's recovery) fsyncs recordings: an
 * ingest thread that waited on the disk would drop the camera's packets, an
 * HTTP thread would stall its viewer (docs/architecture.md, threads). */
static int real_fsync(int fd)
{
    WW_ASSERT_NOT_ROLE(WW_THREAD_INGEST);
    WW_ASSERT_NOT_ROLE(WW_THREAD_HTTP);
    return fdatasync(fd) ? -errno : 0;
}
static int real_close(int fd) { return close(fd) ? -errno : 0; }
static int real_unlink(const char *p) { return unlink(p) ? -errno : 0; }
static int real_ftruncate(int fd, off_t len) { return ftruncate(fd, len) ? -errno : 0; }

static const struct ww_fsops real_ops = {
    real_open, real_write, real_fsync, real_close, real_unlink, real_ftruncate,
};

const struct ww_fsops *ww_fsops(void) { return &real_ops; }

int ww_fsops_fault(const char *spec)
{
    if (!spec || !*spec) return 0;
    if (ww_str_starts(spec, "enospc-after=")) {
        int64_t v;
        if (ww_parse_i64(spec + 13, 0, INT64_MAX, &v)) return WW_EINVAL;
        atomic_store(&fault_budget, v);
        return 0;
    }
    if (ww_str_starts(spec, "enospc-file=")) {
        free(fault_file);
        fault_file = ww_strdup(spec + 12);
        return 0;
    }
    return WW_EINVAL;
}
