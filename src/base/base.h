/*
 * base: the leaf layer every other module stands on — errors, logging,
 * clocks, small string/memory helpers and the file-operations table.
 *
 * Nothing here includes any other wardwatch module or any third-party
 * library header (sha256.c links OpenSSL's libcrypto behind ww_sha256_*;
 * svc.c and log.c link libsystemd behind ww_svc_* and the journal).
 *
 * Threads: every function here is safe to call from any thread.
 * Memory: functions that return heap memory say so; the caller frees it
 * with free().
 */
#ifndef WW_BASE_H
#define WW_BASE_H

#include <assert.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The program's version, as `wardwatch --version` and backups name it. */
#define WW_VERSION "0.1"

/* ---- errors ------------------------------------------------------------
 * Functions return 0 on success and a negative code on failure: either
 * -errno (e.g. -ENOENT, -ENOSPC) or one of the WW_E* codes below, which sit
 * far outside the errno range. -EAGAIN means "not yet, try again"; WW_EOF
 * means a stream ended — the two are never mixed up. */
enum {
    WW_EOF      = -10001, /* stream or file ended */
    WW_EINVAL   = -10002, /* bad input from outside (argument, file, request) */
    WW_ECORRUPT = -10003, /* stored data does not parse */
    WW_EDB      = -10004, /* catalog (SQLite) failure; details were logged */
    WW_EAV      = -10005, /* FFmpeg library failure; details were logged */
    WW_ENOTFOUND= -10006, /* a looked-up record does not exist */
    WW_EAUTH    = -10007, /* authentication failed */
    WW_EPERM    = -10008, /* authenticated but not allowed */
    WW_ECONFLICT= -10009, /* record exists / state does not allow it */
    WW_ENEWER   = -10010, /* the catalog was migrated by a newer wardwatch */
};
/* Human text for a code from above or a -errno.  Static storage. */
const char *ww_strerror(int err);

/* ---- logging -----------------------------------------------------------
 * One line per call, written atomically to stderr (or the file set with
 * ww_log_open): "2026-11-25T14:03:01.123+07:00 warn  [ingest cam=3/main] …". */
enum ww_log_level { WW_LOG_DEBUG, WW_LOG_INFO, WW_LOG_WARN, WW_LOG_ERROR };
/* The level is one atomic: setting it from the signal loop (SIGHUP) while
 * other threads log is safe. */
void ww_log_set_level(enum ww_log_level lvl);
enum ww_log_level ww_log_get_level(void);
enum ww_log_level ww_log_level_from_str(const char *s); /* "debug"… ; default info */
/* Strict form: 0 with *out for debug/info/warn/error (any case), else WW_EINVAL. */
int ww_log_level_parse(const char *s, enum ww_log_level *out);
/* "debug", "info", "warn", "error". */
const char *ww_log_level_name(enum ww_log_level lvl);
void ww_log(enum ww_log_level lvl, const char *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ww_vlog(enum ww_log_level lvl, const char *ctx, const char *fmt, va_list ap);
#define ww_debug(ctx, ...) ww_log(WW_LOG_DEBUG, ctx, __VA_ARGS__)
#define ww_info(ctx, ...)  ww_log(WW_LOG_INFO, ctx, __VA_ARGS__)
#define ww_warn(ctx, ...)  ww_log(WW_LOG_WARN, ctx, __VA_ARGS__)
#define ww_error(ctx, ...) ww_log(WW_LOG_ERROR, ctx, __VA_ARGS__)

/* ---- clocks ------------------------------------------------------------
 * Wall clock in µs since the Unix epoch (UTC) and a monotonic clock in µs.
 * ww_wall_us can be offset for tests with WARDWATCH_CLOCK_OFFSET_S. */
int64_t ww_wall_us(void);
int64_t ww_mono_us(void);
/* A condition variable whose timed waits count on CLOCK_MONOTONIC (deadlines
 * from ww_mono_us-style clocks, untouched by a wall-clock step). */
void ww_cond_init_monotonic(pthread_cond_t *cv);
/* Formats µs-since-epoch as ISO 8601 with the given UTC offset in minutes,
 * e.g. "2026-11-25T21:03:01.123+07:00". buf must hold 40 bytes. */
char *ww_fmt_time(int64_t us, int offset_min, char *buf, size_t n);
/* Parses ISO 8601 ("2026-11-25T21:03:01+07:00", "…Z", "2026-11-25 21:03",
 * fractions allowed; no offset = the local offset given), the console's
 * dd/mm/yyyy in place of the ISO date ("25/11/2026 21:03", "25/11/2026"),
 * or a plain number of seconds since the epoch.  Returns 0 or WW_EINVAL. */
int ww_parse_time(const char *s, int default_offset_min, int64_t *out_us);
/* Overflow-safe "to − from > max": true when the span is longer than max_us
 * (also when the subtraction would overflow upwards).  A reversed span
 * (to < from) is not "over"; callers check the order themselves. */
bool ww_span_over(int64_t from_us, int64_t to_us, int64_t max_us);
/* The station's UTC offset in minutes (Asia/Ho_Chi_Minh: +420): the value
 * given to ww_station_offset_set if any, else WARDWATCH_UTC_OFFSET_MIN if
 * set, else 420. */
int ww_station_offset_min(void);
/* Fixes the offset (the config file's or --utc-offset-min's, which the
 * caller already checked to be -840..840); atomic, any thread. */
void ww_station_offset_set(int offset_min);

/* ---- environment ---------------------------------------------------------
 * Every environment setting the program reads is a row of one table
 * (env.c: name, type, default, range, one line of doc), listed in README's
 * "Environment" table.  Reading a name the table lacks, or with the other
 * type, asserts.  Values are read at each call; thread-safe as long as
 * nobody calls setenv (only tests do, before starting threads). */
enum ww_env_type { WW_ENV_STR, WW_ENV_INT };
struct ww_env_var {
    const char *name;
    enum ww_env_type type;
    const char *dflt;      /* returned when unset (STR: may be NULL) */
    int64_t lo, hi;        /* INT: the accepted range */
    const char *doc;
};
/* The whole table (static storage); *n gets its length. */
const struct ww_env_var *ww_env_table(size_t *n);
/* The value if set (even empty), else the default; static storage. */
const char *ww_env_str(const char *name);
/* The text as set, of a row of either type; NULL when unset (no default).
 * For a reader that parses it itself (cli/config.c's settings tables). */
const char *ww_env_raw(const char *name);
/* The value if set to a whole number in range, else the default. */
int64_t ww_env_int(const char *name);
/* Logs one warning per integer setting that is set but invalid (its
 * default is used); returns how many.  main calls it once at start. */
int ww_env_check(void);

/* ---- memory and strings ------------------------------------------------ */
/* Abort on allocation failure: at our sizes a failed malloc means the box is
 * out of memory and nothing sensible can be done per request. */
void *ww_malloc(size_t n);
void *ww_calloc(size_t n, size_t m);
void *ww_realloc(void *p, size_t n);
char *ww_strdup(const char *s);                       /* NULL → NULL */
char *ww_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *ww_vasprintf(const char *fmt, va_list ap);  /* the same with a va_list; caller frees */
bool  ww_str_starts(const char *s, const char *prefix);
/* Parses a whole decimal integer within [lo, hi]; 0 or WW_EINVAL. */
int ww_parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *out);
int ww_parse_double(const char *s, double lo, double hi, double *out);

/* Growable byte buffer.  Zero-initialise; ww_buf_free releases. */
struct ww_buf { uint8_t *data; size_t len, cap; };
void ww_buf_append(struct ww_buf *b, const void *p, size_t n);
void ww_buf_printf(struct ww_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ww_buf_free(struct ww_buf *b);

/* ---- latency histograms (hist.c) -------------------------------------------
 * A fixed set of bucket bounds for every latency the program measures
 * (fragment writes, group commits, HTTP requests), so GET /metrics shows
 * them side by side and a snapshot is plain data.  Lock-free: observe from
 * any thread; a zeroed struct is an empty histogram.  A snapshot taken while
 * others observe may be off by those few observations, never inconsistent
 * in itself (count is the sum of the buckets it read). */
#define WW_HIST_BUCKETS 14
/* Upper bounds in µs, ascending: 0.5 ms … 10 s; a last bucket is +Inf. */
extern const int64_t ww_hist_bounds_us[WW_HIST_BUCKETS];
struct ww_hist {
    _Atomic int64_t n[WW_HIST_BUCKETS + 1];   /* per bucket, not cumulative */
    _Atomic int64_t sum_us;
};
struct ww_hist_snap {
    int64_t n[WW_HIST_BUCKETS + 1];           /* per bucket, not cumulative */
    int64_t count, sum_us;                    /* count = the sum of n[] */
};
void ww_hist_observe(struct ww_hist *h, int64_t us);   /* us < 0 counts as 0 */
void ww_hist_read(const struct ww_hist *h, struct ww_hist_snap *out);

/* Masks the password in a URL ("rtsp://u:secret@h/x" → "rtsp://u:***@h/x").
 * Returns a new string the caller frees. */
char *ww_url_mask(const char *url);

/* Vietnamese text folded for search (base/fold.c): marks dropped, đ → d,
 * lowercase, white space collapsed — "Lê  Lợi" → "le loi".  Never NULL
 * (NULL folds as ""); the caller frees. */
char *ww_fold_vi(const char *s);

/* ---- SHA-256 -------------------------------------------------------------
 * The one SHA-256 of the program (sha256.c says which library and why).
 * A state is owned by its caller, used by one thread at a time, and lives
 * from init to final / final_hex, which release it: every init needs its
 * final.  Hex output is lower case and NUL-terminated. */
enum { WW_SHA256_BYTES = 32, WW_SHA256_HEX = 65 /* 64 hex digits + NUL */ };
struct ww_sha256 { void *impl; };
void ww_sha256_init(struct ww_sha256 *h);
void ww_sha256_update(struct ww_sha256 *h, const void *p, size_t n);
void ww_sha256_final(struct ww_sha256 *h, uint8_t out[WW_SHA256_BYTES]);
void ww_sha256_final_hex(struct ww_sha256 *h, char out[WW_SHA256_HEX]);
/* One-shot digests of a buffer. */
void ww_sha256(const void *p, size_t n, uint8_t out[WW_SHA256_BYTES]);
void ww_sha256_hex(const void *p, size_t n, char out[WW_SHA256_HEX]);
/* Digest of a whole file; 0 or -errno (out is then unspecified). */
int ww_sha256_file(const char *path, char out[WW_SHA256_HEX]);
/* Lower-case hex of n bytes into out (2n + 1 bytes). */
void ww_hex(const uint8_t *bin, size_t n, char *out);

/* RTSP URLs read one way (url.c).  Both return 0 and a heap string the
 * caller frees, or WW_EINVAL for what is not rtsp[s]://host[:port][/path].
 * The authority is "host:port": host case-folded, credentials dropped, the
 * default port (554 rtsp, 322 rtsps) written out.  The device key is the
 * authority followed by the path and query ("/" if none), fragment dropped:
 * two URLs with one device key reach the same camera. */
int ww_rtsp_authority(const char *url, char **out);
int ww_rtsp_device_key(const char *url, char **out);
/* Both URLs parse and have the same authority. */
bool ww_rtsp_same_authority(const char *a, const char *b);

/* ---- files ---------------------------------------------------------------
 * mkdir -p; 0 or -errno. */
int ww_mkdirs(const char *path, mode_t mode);
/* fsync the directory that holds path (so a new entry survives power loss). */
int ww_fsync_dir_of(const char *path);
/* Reads a whole small file (≤ max bytes) into a NUL-terminated heap string. */
int ww_read_file(const char *path, size_t max, char **out, size_t *len);
/* Free bytes available to us on the filesystem holding path, or -errno. */
int64_t ww_fs_free_bytes(const char *path);
/* The folder holding the running executable (from /proc/self/exe), or NULL
 * if it cannot be read; the caller frees it. */
char *ww_exe_dir(void);
/* realpath() of rel taken from the executable's folder ("../web",
 * "../share/wardwatch/data/criteria"), or NULL when that does not exist or
 * cannot be resolved; the caller frees it. */
char *ww_exe_relative(const char *rel);
/* Size of the filesystem holding path, bytes; -errno on failure. */
int64_t ww_fs_total_bytes(const char *path);

/* ---- service manager (svc.c) ---------------------------------------------
 * Messages to systemd when the program runs as a Type=notify unit
 * ($NOTIFY_SOCKET set); otherwise every call does nothing.  fmt is the
 * STATUS= text `systemctl status` shows (NULL: none).  Any thread. */
void ww_svc_ready(const char *fmt, ...) __attribute__((format(printf, 1, 2)));    /* READY=1 */
void ww_svc_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ww_svc_stopping(const char *fmt, ...) __attribute__((format(printf, 1, 2))); /* STOPPING=1 */
/* Sends WATCHDOG=1 when the unit asked for pings ($WATCHDOG_USEC) and a
 * quarter of its interval has passed since the last one; call it often
 * (serve's wait loop does, every second).  True when a ping went out. */
bool ww_svc_watchdog(void);

/* ---- thread roles (the thread rules, as asserts) -------------------------
 * Each long-lived thread names its role once at its start (base/thread.c);
 * WW_ASSERT_ROLE / WW_ASSERT_NOT_ROLE then state a header's thread rule
 * where it matters (assert(): active in the Debug/ASan build the tests run,
 * compiled out with NDEBUG).  Threads that never set one (main, unit tests)
 * are WW_THREAD_OTHER.  Thread-local: no locks. */
enum ww_thread_role {
    WW_THREAD_OTHER,      /* main, CLI verbs, tests */
    WW_THREAD_INGEST,     /* one per camera stream (engine) */
    WW_THREAD_SYNCER,     /* record's syncer: fsync + catalog commit */
    WW_THREAD_SUPERVISOR, /* engine's reconcile / stats loop */
    WW_THREAD_MONITOR,    /* community's camera-dark monitor */
    WW_THREAD_NOTIFY,     /* a notifier's delivery thread */
    WW_THREAD_HTTP,       /* a libmicrohttpd connection thread */
    WW_THREAD_WORKER,     /* a module's own background job thread */
};
void ww_thread_set_role(enum ww_thread_role r);
enum ww_thread_role ww_thread_role(void);
const char *ww_thread_role_name(enum ww_thread_role r);
#define WW_ASSERT_ROLE(r) assert(ww_thread_role() == (r))
#define WW_ASSERT_NOT_ROLE(r) assert(ww_thread_role() != (r))
/* Whether mu is locked (by anyone: a plain mutex cannot say by whom) —
 * for assert(ww_mutex_is_locked(&x->mu)) in functions whose header says
 * "call with the lock held".  Never assert the opposite: another thread may
 * rightly hold it. */
bool ww_mutex_is_locked(pthread_mutex_t *mu);

/* ---- file operations table ----------------------------------------------
 * record/ does all its file I/O through this table so that tests can swap in
 * one that fails the Nth write, returns ENOSPC, or "crashes" (see
 * ww_fsops_fault).  Calls mirror POSIX and return -errno on failure. */
struct ww_fsops {
    int     (*open)(const char *path, int flags, mode_t mode);
    ssize_t (*write)(int fd, const void *buf, size_t n);
    int     (*fsync)(int fd);
    int     (*close)(int fd);
    int     (*unlink)(const char *path);
    int     (*ftruncate)(int fd, off_t len);
};
/* The table in force (real POSIX by default). */
const struct ww_fsops *ww_fsops(void);
/* Fault injection, for tests and the WARDWATCH_FAULT environment variable
 * ("enospc-after=BYTES", "enospc-file=PATH": writes fail with ENOSPC while
 * PATH exists).  Applies to the process; thread-safe. */
int ww_fsops_fault(const char *spec);

#endif
