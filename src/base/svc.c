/*
 * svc.c — what a systemd Type=notify service tells its manager: READY=1
 * once the console listens and recording runs, STATUS= lines for
 * `systemctl status`, STOPPING=1 when a stop begins, and WATCHDOG=1 pings
 * while the unit has WatchdogSec= set.
 *
 * Why libsystemd's sd_notify rather than our own datagram: it knows the
 * abstract-socket and credential rules of $NOTIFY_SOCKET and the
 * $WATCHDOG_PID check (a forked child must not ping for its parent).
 * Run by hand or in a test, $NOTIFY_SOCKET is unset and every call here
 * returns at once, so the CLI behaves exactly as before.
 *
 * Threads: any thread (each call is one datagram; the last-ping time is an
 * atomic).
 */
#include "base/base.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <systemd/sd-daemon.h>

static bool managed(void)
{
    const char *s = ww_env_str("NOTIFY_SOCKET");
    return s && *s;
}

/* Sends head (may be NULL) plus STATUS=<fmt…> when fmt is given. */
static void notify(const char *head, const char *fmt, va_list ap)
{
    if (!managed()) return;
    char *status = fmt ? ww_vasprintf(fmt, ap) : NULL;
    if (!head && !status) return;
    char *msg = ww_asprintf("%s%s%s%s", head ? head : "", head && status ? "\n" : "", status ? "STATUS=" : "",
                            status ? status : "");
    int rc = sd_notify(0, msg);
    if (rc < 0) ww_debug("svc", "sd_notify: %s", ww_strerror(rc));
    free(msg);
    free(status);
}

void ww_svc_ready(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    notify("READY=1", fmt, ap);
    va_end(ap);
}

void ww_svc_status(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    notify(NULL, fmt, ap);
    va_end(ap);
}

void ww_svc_stopping(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    notify("STOPPING=1", fmt, ap);
    va_end(ap);
}

static _Atomic int64_t last_ping_us;

bool ww_svc_watchdog(void)
{
    if (!managed()) return false;
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return false;
    /* A quarter of the interval: three pings may be lost or late (a loaded
     * box) before systemd gives up on us. */
    int64_t now = ww_mono_us(), last = atomic_load(&last_ping_us);
    if (last && now - last < (int64_t)(usec / 4)) return false;
    atomic_store(&last_ping_us, now);
    int rc = sd_notify(0, "WATCHDOG=1");
    if (rc < 0) ww_debug("svc", "sd_notify WATCHDOG=1: %s", ww_strerror(rc));
    return rc > 0;
}
