/*
 * community: the community-camera network around the recorder — the
 * camera-dark monitor (alerts, webhooks, availability), connection probes
 * for registering a camera, the geometry of "what was seen here", the CSV
 * reader of `camera import`, and the tar writer of evidence bundles.
 *
 * Layering: community sits above engine, ingest, motion and export and
 * below http/api/cli.  Its catalog side is catalog/cat_community.h.
 *
 * Threads:
 *   - community_monitor_start/stop are called from the thread running
 *     `serve`.  The monitor owns one thread that wakes every tick (5 s,
 *     WARDWATCH_MONITOR_TICK_MS for tests), reads engine_status_list and its
 *     own catalog connection, and a notifier (notify/) with its own thread
 *     and bounded queue: a slow or dead webhook receiver never holds up the
 *     monitor (the queue drops the oldest notification and logs it when full).
 *   - community_probe, the CSV reader and the tar
 *     reader run on the caller's thread and block it for bounded times.
 *
 * Memory: functions that hand out heap memory say who frees it.
 * Errors: 0 or a negative WW_E* / -errno; the caller logs.
 */
#ifndef WW_COMMUNITY_H
#define WW_COMMUNITY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "catalog/catalog.h"
#include "engine/engine.h"

/* ---- the monitor (serve) ---------------------------------------------------
 * Every tick, for each camera the engine runs: an "online" main stream
 * extends the camera's online interval and clears an open alert; any other
 * state extends its dark interval, and once the camera has been dark
 * (since its last packet, or since first seen dark) longer than its ward's
 * threshold (catalog_alert_threshold) an alert is raised with a snapshot of
 * the owner's contact.  Raised and cleared alerts are POSTed as JSON to the
 * webhooks that apply to the camera's ward.  Alerts of cameras switched off
 * or removed are cleared with that reason.
 *
 * Signature for serve.c (called after engine_start / serve_http_start):
 *     struct community_monitor *mon = NULL;
 *     community_monitor_start(c->data_dir, eng, &mon);   // failure: logged, serve goes on
 *     …
 *     community_monitor_stop(mon);                        // before engine_stop
 */
struct community_monitor;
int community_monitor_start(const char *data_dir, engine_t *eng, struct community_monitor **out);
void community_monitor_stop(struct community_monitor *m);   /* NULL-safe; joins both threads */

/* ---- webhooks ----------------------------------------------------------------
 * Alerts are POSTed by the monitor's notifier (notify/notify.h); a one-off
 * POST (the console's "send a test") is notify_http_post. */
/* Whether url is an acceptable webhook target (http:// or https://, a
 * host, no spaces, ≤ 1024 bytes).  NULL if fine, else a static reason. */
const char *community_webhook_url_problem(const char *url);

/* ---- connection probe -------------------------------------------------------
 * Opens the camera's main stream with a short timeout, reads the first
 * keyframe, decodes it and makes a JPEG (≤ 640 px wide).  On failure
 * error_code is one of camera_unauthorized (RTSP 401: wrong username or
 * password), camera_refused (connection refused), camera_timeout (no answer
 * or no picture in time), camera_no_video (no usable video stream),
 * camera_decode (the keyframe did not decode), camera_error (other). */
struct community_probe_result {
    bool ok;
    const char *error_code;      /* static; NULL when ok */
    char message[300];           /* for people; never contains credentials */
    char codec[16];
    int width, height;
    int64_t elapsed_ms;
    uint8_t *jpeg;               /* heap (free()); NULL if none */
    size_t jpeg_len;
};
int community_probe(const struct cat_camera *cam, int64_t timeout_us,
                    struct community_probe_result *r);
void community_probe_result_clear(struct community_probe_result *r);

/* ---- geometry ----------------------------------------------------------------- */
/* Great-circle distance in metres (haversine, mean Earth radius 6371008.8 m). */
double community_distance_m(double lat1, double lon1, double lat2, double lon2);
/* A latitude/longitude box that contains every point within radius_m of
 * (lat, lon) — the coarse cut before the exact distance. */
void community_bbox(double lat, double lon, double radius_m, double *lat_lo, double *lat_hi,
                    double *lon_lo, double *lon_hi);

/* ---- CSV ---------------------------------------------------------------------
 * RFC 4180 records from a UTF-8 file: fields separated by commas, quoted
 * with "…" ("" inside quotes is one quote; quoted fields may span lines),
 * CRLF or LF line ends, a UTF-8 BOM skipped.  Limits: 1 MiB per record,
 * 256 fields.  */
struct community_csv;
int community_csv_open(FILE *f, struct community_csv **out);
/* Next record: 0 with fields (owned by the reader, valid until the next
 * call), *line = the line number where the record starts; WW_EOF at the
 * end; WW_EINVAL with *why (static) for malformed input (unterminated
 * quote, stray quote, not UTF-8, over the limits). */
int community_csv_next(struct community_csv *c, char ***fields, size_t *n, long *line,
                       const char **why);
void community_csv_close(struct community_csv *c);   /* NULL-safe; does not fclose */

/* ---- tar (evidence bundles) -----------------------------------------------------
 * A POSIX ustar archive of a few files, produced by position so it can be
 * streamed without a temporary copy: the size is known up front (headers +
 * 512-byte-padded contents + two zero blocks).  Names ≤ 100 bytes. */
struct community_tar;
/* Adds a file by path, stored under name.  Takes its size now. */
int community_tar_new(struct community_tar **out);
int community_tar_add(struct community_tar *t, const char *name, const char *path, int64_t mtime_s);
int64_t community_tar_size(const struct community_tar *t);
/* Copies up to max bytes of the archive at pos into buf; returns the count
 * (0 at the end) or -errno. */
ssize_t community_tar_read(struct community_tar *t, uint64_t pos, char *buf, size_t max);
void community_tar_free(struct community_tar *t);     /* NULL-safe */

#endif
