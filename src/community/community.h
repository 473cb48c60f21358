/*
 * community: the community-camera network around the recorder — who may
 * use a camera's pictures when (community_may: scope, role and the owner's
 * consent, the one answer every path to video ends in), evidence bundles
 * (community_bundle_create), the camera-dark monitor (alerts, webhooks,
 * availability), connection probes for registering a camera, the geometry
 * of "what was seen here", the CSV reader of `camera import`, and the tar
 * writer of evidence bundles.
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
 *   - community_may and friends are pure functions of their arguments and
 *     the caller's catalog handle: any thread, the caller's catalog.
 *   - community_bundle_create blocks its caller until the bundle is made;
 *     the writing and every fsync happen on a worker thread it starts and
 *     joins (an HTTP thread never fsyncs), see bundle.c.
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

#include <jansson.h>

#include "catalog/cat_community.h"
#include "catalog/cat_users.h"
#include "catalog/catalog.h"
#include "engine/engine.h"

/* ---- who may use a camera's pictures, when (access.c) ----------------------
 * The one rule, from three facts: who asks (role, ward, owner — plain data,
 * so this module needs nothing of http/), the camera (its ward and owner)
 * and the owner's consent register at the moment asked about
 * (catalog_consent_at: deny by default for an owned camera).  The order of
 * the checks is the order of the answers, and why:
 *   no user                         → COMMUNITY_NO_USER      (401)
 *   no such camera / not in scope   → COMMUNITY_NOT_IN_SCOPE (404: an officer
 *                                     of ward A must not learn that camera
 *                                     17 exists in ward B)
 *   in scope, the role may not      → COMMUNITY_NOT_ROLE     (403 forbidden)
 *   the owner's consent says no     → COMMUNITY_NO_CONSENT, _CONSENT_ENDED,
 *                                     _CONSENT_NOT_YET, _CONSENT_EXCLUDES
 *                                     (403 no_consent, reason in vi and en)
 * Camera rights of each role on a camera in its scope (http.h draws the
 * matrix; its AUTHZ_* bits are these):
 *             VIEW LIVE PLAYBACK EXPORT MANAGE AUDIT CREDENTIALS  scope
 *   admin      ✓    ✓     ✓       ✓      ✓      ✓       ✓         all cameras
 *   province   ✓    ✓     ✓       ✓      –      –       –         all cameras
 *   officer    ✓    ✓     ✓       ✓      ✓      –       –         own ward
 *   viewer     ✓    ✓     ✓       –      –      –       –         own ward
 *   owner      ✓    –     –       –      –      ✓       –         own cameras
 * A camera with no ward is in scope for admin and province only. */
enum {
    COMMUNITY_RIGHT_VIEW        = 1 << 0,
    COMMUNITY_RIGHT_LIVE        = 1 << 1,
    COMMUNITY_RIGHT_PLAYBACK    = 1 << 2,
    COMMUNITY_RIGHT_EXPORT      = 1 << 3,
    COMMUNITY_RIGHT_MANAGE      = 1 << 4,
    COMMUNITY_RIGHT_AUDIT       = 1 << 5,
    COMMUNITY_RIGHT_CREDENTIALS = 1 << 6,
    COMMUNITY_RIGHTS_ALL        = (1 << 7) - 1,
};

/* Who asks.  station = the recorder itself (engine, CLI, a stream already
 * opened for a user and re-asking): scope and role are not checked, only
 * the owner's consent.  Use community_station, never a zeroed struct. */
struct community_user {
    int64_t id;
    enum catalog_role role;
    int64_t ward_id;   /* officer/viewer; 0 otherwise */
    int64_t owner_id;  /* owner; 0 otherwise */
    bool station;
};
extern const struct community_user community_station;

/* A camera as the decision needs it. */
struct community_camera_facts {
    bool exists;
    int64_t ward_id, owner_id;  /* 0 = none */
};

/* The uses of a camera's pictures. */
enum community_use {
    COMMUNITY_USE_LIVE,      /* live view, wall tile, snapshot, probe still: LIVE + live consent */
    COMMUNITY_USE_RECORD,    /* recording: MANAGE + record consent (the station: consent) */
    COMMUNITY_USE_PLAYBACK,  /* recorded video: PLAYBACK + playback consent */
    COMMUNITY_USE_EXPORT,    /* an evidence clip: EXPORT + export consent */
    COMMUNITY_USE_BUNDLE,    /* a camera put in a bundle: EXPORT + export consent */
    COMMUNITY_USE_ANALYSIS,  /* motion analysis of its pictures: MANAGE + record consent */
};
const char *community_use_name(enum community_use use);   /* "live", … (static) */

enum community_why {
    COMMUNITY_OK = 0,
    COMMUNITY_NO_USER,          /* nobody signed in */
    COMMUNITY_NOT_IN_SCOPE,     /* no such camera, or outside the user's scope */
    COMMUNITY_NOT_ROLE,         /* the role may not do this */
    COMMUNITY_NO_CONSENT,       /* an owned camera with no agreement on file (deny by default) */
    COMMUNITY_CONSENT_ENDED,    /* agreements on file, the last one before `when` ended or was withdrawn */
    COMMUNITY_CONSENT_NOT_YET,  /* agreements on file, none has started by `when` */
    COMMUNITY_CONSENT_EXCLUDES, /* the agreement in force does not cover this use */
};
/* Whether a refusal is the owner's (→ 403 no_consent) rather than ours. */
bool community_why_is_consent(enum community_why why);

struct community_answer {
    enum community_why why;
    /* allowed: the end of the agreement in force (0 = open-ended, or the
     * station's own camera) — a stream opened now must end there.
     * refused for want of consent: when that could change (the start of a
     * later agreement), 0 if nothing on file says so. */
    int64_t until_us;
    /* for people, English with the Vietnamese in parentheses (static) */
    const char *reason;
};

/* The pure half (no I/O): scope and role.  rights may combine several
 * COMMUNITY_RIGHT_* bits: all must be allowed.  0, WW_EAUTH (u NULL),
 * WW_ENOTFOUND (not in scope / missing) or WW_EPERM. */
int community_decide_camera(const struct community_user *u, const struct community_camera_facts *cam,
                            unsigned rights);
/* What a role may do to a camera in its scope (COMMUNITY_RIGHT_* bits). */
unsigned community_role_rights(enum catalog_role role);

/* The one answer: may u do `use` on camera_id at when_us?  Reads the
 * camera's scope and the consent register through cat.  Returns 0 when
 * answered (ans->why says whether it is allowed), WW_EDB when the catalog
 * could not say (deny: the caller refuses with 500, never allows). */
int community_may(catalog_t *cat, const struct community_user *u, int64_t camera_id,
                  enum community_use use, int64_t when_us, struct community_answer *ans);
/* The reason text of a refusal (static). */
const char *community_why_text(enum community_why why, enum community_use use);

/* The cameras u may act on with `rights` by scope and role (the owner's
 * consent is asked per use, later): the one camera-scope filter of every
 * list.  *all = true: every camera (*ids NULL); otherwise *ids (malloc'd,
 * free(); NULL when empty) lists them.  0, WW_EAUTH (u NULL) or WW_EDB. */
int community_camera_ids(catalog_t *cat, const struct community_user *u, unsigned rights, bool *all,
                         int64_t **ids, size_t *n);
/* The rows of those cameras, in the catalog's order; free them with
 * catalog_camera_list_free(*v, *n) (also fine when *n is 0). */
int community_cameras(catalog_t *cat, const struct community_user *u, unsigned rights,
                      struct catalog_camera **v, size_t *n);

/* Whether u may see the contact data (name, phone) of a camera's owner:
 * admin, province, an officer of the camera's ward, the owner themself —
 * not a viewer (it watches, it does not call residents). */
bool community_sees_owner(const struct community_user *u, int64_t ward_id, int64_t owner_id);

/* The consent register at t as the console shows it (the camera list, the
 * consent page): catalog_consent_at's facts, read in this one place. */
int community_consent_state(catalog_t *cat, int64_t camera_id, int64_t t_us, struct catalog_consent_now *out);

/* ---- "what was seen here at that time" and evidence bundles (bundle.c) ---------- */
struct community_place {
    double lat, lon, radius_m;
    int64_t from_us, to_us;
};
struct community_hit {
    const struct catalog_camera_pos *c;   /* points into the found list's pos */
    double distance_m;
    int64_t covered_us, segments;
};
struct community_found {
    struct catalog_camera_pos *pos;       /* backing list */
    size_t npos;
    struct community_hit *hits;       /* nearest first */
    size_t n;
};
/* Cameras within the radius that u may PLAYBACK (scope and role — the
 * owner's consent is asked per use, later) and that recorded in the window,
 * nearest first.  A camera outside u's scope is never looked at (no leak).
 * 0 or WW_EDB; *out is freed with community_found_free (also on error). */
int community_place_find(catalog_t *cat, const struct community_user *u, const struct community_place *p,
                         struct community_found *out);
void community_found_free(struct community_found *f);   /* NULL-safe, idempotent */

#define COMMUNITY_BUNDLE_MAX_CAMERAS 50
/* A bundle: one MP4 per camera of the place search that u may EXPORT and
 * whose owner agrees now (community_may, COMMUNITY_USE_BUNDLE; at most
 * COMMUNITY_BUNDLE_MAX_CAMERAS, nearest first), each with its own signed
 * manifest (export_clip), plus bundle.json (signed with the station key)
 * and SHA256SUMS, in DATA/bundles/<UTC time>-<random>/, registered in the
 * catalog.  Nothing is left behind when it fails. */
struct community_bundle_req {
    catalog_t *cat;            /* the caller's connection (see Threads below) */
    const char *data_dir;
    const struct community_user *user;
    const char *username, *client_addr;
    struct community_place place;
    const int64_t *camera_ids; /* only these (of the cameras found); NULL = all found */
    size_t n_camera_ids;
    const char *note;          /* may be NULL */
    /* Called on the caller's thread once per camera about to be exported,
     * before any byte of it is written (the audit row); folder = the
     * bundle's folder relative to data_dir.  Non-zero stops the bundle and
     * is returned (with why "cannot write the audit record…"). */
    int (*before_export)(void *ud, int64_t camera_id, const char *folder);
    void *ud;
};
struct community_bundle {
    int64_t id;                /* the catalog row */
    char *folder;              /* "bundles/…", relative to data_dir */
    char manifest_sha256[65];  /* of bundle.json */
    /* bundle.json's "files" and "skipped" arrays (references owned by the
     * result): files {name, sha256, bytes, camera_id, camera_name,
     * distance_m, export_id, first_frame, last_frame, manifest,
     * manifest_sha256}; skipped {camera_id, name, reason} */
    json_t *files, *skipped;
    char why[200];             /* on failure: for people */
};
/* 0, or: WW_ENOTFOUND (no camera recorded there / nothing could be
 * exported), WW_EPERM (cameras recorded there but none may be exported by
 * u: role or the owners' consent), the before_export's code, WW_EDB or
 * -errno; out->why says which.
 * Threads: blocks the caller until the bundle is made.  The choice of
 * cameras and before_export run on the caller's thread; the writing —
 * exports, manifests, signature, SHA256SUMS, every fsync — and the catalog
 * rows run on a worker thread this call starts and joins, using req->cat
 * while the caller waits (one thread at a time), so an HTTP thread that
 * calls it never fsyncs. */
int community_bundle_create(const struct community_bundle_req *req, struct community_bundle *out);
void community_bundle_clear(struct community_bundle *b);   /* NULL-safe */

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
int community_probe(const struct catalog_camera *cam, int64_t timeout_us,
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
