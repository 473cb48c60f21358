/*
 * log.c — one line per message, written with a single write(2) so lines from
 * many ingest threads never interleave.  Level filtering is a relaxed atomic
 * read: changing the level at run time is allowed from any thread.
 *
 * Under systemd, stderr is a stream into the journal, which would store
 * each line as plain text at one priority.  When $JOURNAL_STREAM names the
 * device:inode of our stderr (systemd's documented test: a redirected
 * stderr, e.g. `serve 2>file` in a unit, no longer matches), each message
 * goes instead as one structured entry: MESSAGE, PRIORITY from the level
 * (so `journalctl -p warning` works), WW_CONTEXT (the ctx string) and
 * WW_CAMERA / WW_STREAM when the ctx names a camera ("cam=3/main",
 * "probe cam=3").  The journal stamps the time itself, so MESSAGE has no
 * timestamp.  The decision is made once, at the first message.
 */
#include "base/base.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <syslog.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

static _Atomic int log_level = WW_LOG_INFO;

void ww_log_set_level(enum ww_log_level lvl) { atomic_store(&log_level, (int)lvl); }

enum ww_log_level ww_log_get_level(void) { return (enum ww_log_level)atomic_load(&log_level); }

static const char *const level_names[] = {"debug", "info", "warn", "error"};

const char *ww_log_level_name(enum ww_log_level lvl)
{
    return (unsigned)lvl < 4 ? level_names[lvl] : "info";
}

int ww_log_level_parse(const char *s, enum ww_log_level *out)
{
    for (int i = 0; s && i < 4; i++)
        if (!strcasecmp(s, level_names[i])) {
            *out = (enum ww_log_level)i;
            return 0;
        }
    return WW_EINVAL;
}

enum ww_log_level ww_log_level_from_str(const char *s)
{
    if (!s) return WW_LOG_INFO;
    if (!strcasecmp(s, "debug")) return WW_LOG_DEBUG;
    if (!strcasecmp(s, "warn")) return WW_LOG_WARN;
    if (!strcasecmp(s, "error")) return WW_LOG_ERROR;
    return WW_LOG_INFO;
}

/* ---- the journal ------------------------------------------------------- */

/* Where libsystemd sends entries (sd-journal.h has no name for it). */
#define JOURNAL_SOCKET "/run/systemd/journal/socket"

static pthread_once_t journal_once = PTHREAD_ONCE_INIT;
static bool to_journal;

static void journal_detect(void)
{
    const char *js = ww_env_str("JOURNAL_STREAM");
    unsigned long long dev, ino;
    struct stat st;
    if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2 || fstat(STDERR_FILENO, &st) != 0) return;
    /* libsystemd drops a message without a word when journald's socket is
     * missing (a container that inherited the variable): keep stderr then. */
    to_journal = (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino &&
                 access(JOURNAL_SOCKET, F_OK) == 0;
}

/* The camera id and stream of a ctx holding "cam=ID" or "cam=ID/STREAM" at
 * the start of a word; false when it names none. */
static bool ctx_camera(const char *ctx, char *id, size_t idn, char *stream, size_t sn)
{
    for (const char *p = ctx; p && (p = strstr(p, "cam=")); p += 4) {
        if (p != ctx && p[-1] != ' ') continue;
        size_t n = strspn(p + 4, "0123456789");
        if (n == 0 || n >= idn) continue;
        snprintf(id, idn, "%.*s", (int)n, p + 4);
        const char *s = p + 4 + n;
        stream[0] = 0;
        if (*s == '/') {
            size_t m = strcspn(s + 1, " :");
            if (m < sn) snprintf(stream, sn, "%.*s", (int)m, s + 1);
        }
        return true;
    }
    return false;
}

static void journal_send(enum ww_log_level lvl, const char *ctx, const char *msg)
{
    static const int prio[] = {LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERR};
    char id[24], stream[16];
    const char *c = ctx ? ctx : "-";
    int rc;
    if (ctx_camera(ctx, id, sizeof id, stream, sizeof stream))
        rc = sd_journal_send("MESSAGE=[%s] %s", c, msg, "PRIORITY=%d", prio[lvl], "SYSLOG_IDENTIFIER=wardwatch",
                             "WW_CONTEXT=%s", c, "WW_CAMERA=%s", id, *stream ? "WW_STREAM=%s" : NULL, stream,
                             NULL);
    else
        rc = sd_journal_send("MESSAGE=[%s] %s", c, msg, "PRIORITY=%d", prio[lvl], "SYSLOG_IDENTIFIER=wardwatch",
                             "WW_CONTEXT=%s", c, NULL);
    if (rc < 0) { /* the journal refused it (full, stopping): the stream may still take it */
        char line[2100];
        int n = snprintf(line, sizeof line, "[%s] %s\n", c, msg);
        if (n <= 0) return;
        if ((size_t)n >= sizeof line) { /* truncated: still one line */
            n = (int)sizeof line - 1;
            line[n - 1] = '\n';
        }
        ssize_t w = write(STDERR_FILENO, line, (size_t)n);
        (void)w;
    }
}

/* ---- lines ---------------------------------------------------------------- */

void ww_vlog(enum ww_log_level lvl, const char *ctx, const char *fmt, va_list ap)
{
    static const char *names[] = {"debug", "info ", "warn ", "error"};
    if ((int)lvl < atomic_load_explicit(&log_level, memory_order_relaxed)) return;
    pthread_once(&journal_once, journal_detect);
    if (to_journal) {
        char msg[2048];
        vsnprintf(msg, sizeof msg, fmt, ap);
        journal_send(lvl, ctx, msg);
        return;
    }
    char line[2048], ts[48];
    ww_fmt_time(ww_wall_us(), ww_station_offset_min(), ts, sizeof ts);
    int n = snprintf(line, sizeof line, "%s %s [%s] ", ts, names[lvl], ctx ? ctx : "-");
    if (n < 0) return;
    if ((size_t)n < sizeof line) {
        int m = vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
        if (m > 0) n += m;
    }
    if ((size_t)n >= sizeof line - 1) n = (int)sizeof line - 2; /* truncated: still one line */
    line[n++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, (size_t)n);
    (void)w;
}

void ww_log(enum ww_log_level lvl, const char *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ww_vlog(lvl, ctx, fmt, ap);
    va_end(ap);
}
