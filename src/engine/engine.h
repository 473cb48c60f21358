/*
 * engine: wires the cameras together — for every enabled camera, one
 * ingest thread per stream (main, and sub when configured) publishing into
 * that stream's hub, the recorder subscribed to the main stream's hub, the
 * group-commit syncer, and a supervisor that follows the catalog (cameras
 * added, changed, disabled, removed) and writes the stats file.
 *
 * Reconnect policy: after a failure a stream retries with exponential
 * backoff from 0.25 s, ×1.5 per failure, capped at 30 s, ±10 % jitter; a
 * session that delivered packets resets it.  While a backoff longer than
 * 1 s waits, a TCP connect probe every 0.5 s watches the address; when it
 * goes from refusing to answering the wait ends and the backoff restarts
 * from 0.25 s (a camera that answers TCP but fails RTSP keeps its backoff,
 * so there is no retry storm).  A camera that stays down is
 * logged when its state or reason changes, not per retry.
 *
 * Consent: the supervisor reads each camera's consent (catalog_consent_at)
 * every reconcile (2 s, or at once after engine_kick).  Outside the owner's
 * recording consent the recorder is paused AND the sub stream's motion
 * detector is paused — no frame is decoded or analysed, no event or
 * thumbnail is made — until the consent is in force again.  A detector
 * starts paused until the first decision; an event whose peak falls
 * outside the consent (the moments before the supervisor notices a
 * withdrawal) is dropped before it is stored.
 *
 * Status: engine_camera_status / engine_status_list hand out a typed copy
 * of each stream's state, taken under the engine's lock; callers read plain
 * fields, never JSON.  The JSON views are built by api/ (and, for the stats
 * file, by the supervisor from the same snapshot).
 *
 * Threads: engine_start/engine_stop from the main thread.  engine_hub_acquire,
 * engine_hub_release, engine_camera_status, engine_status_list, engine_kick
 * and engine_syncer are safe from any thread (HTTP handlers use them).  The
 * catalog is read by the supervisor thread only, never under the engine's
 * lock (a slow SQLite read must not stall a status call or an ingest thread).
 *
 * Memory: engine_status_list's array is the caller's (free()); the status
 * structs own no pointers.  A hub returned by engine_hub_acquire stays valid
 * until released, even if the camera is removed meanwhile (it then simply
 * receives no packets).
 */
#ifndef WW_ENGINE_H
#define WW_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hub/hub.h"
#include "ingest/ingest.h"
#include "record/record.h"

typedef struct engine engine_t;

struct engine_cfg {
    const char *data_dir;
    bool record;                   /* false: live only, nothing written */
    int64_t segment_us;            /* max segment length (default 60 s) */
    int64_t fragment_us;           /* max fragment length (default 1 s) */
    int64_t sync_interval_us;      /* group commit interval (default 1 s, max 2 s) */
    struct rec_retention_cfg retention;
    int64_t reconcile_us;          /* how often the catalog is re-read (default 2 s) */
    int64_t read_timeout_us;       /* no packet for this long = stream lost (default 5 s) */
    const char *stats_path;        /* JSON stats file rewritten every second; NULL = none */
    /* The owner's consent, asked of the module that owns the rule
     * (community_may, answered as the station): the engine sits below
     * community and cannot call it, so serve hands it over.  Required.
     * may(arg, cat, camera_id, analysis, when_us) → 1 allowed, 0 refused,
     * < 0 the catalog could not say (the camera keeps its state).  analysis
     * false = recording, true = motion analysis.  Called on the supervisor
     * thread with its own catalog connection, never under the engine's
     * lock. */
    int (*may)(void *arg, catalog_t *cat, int64_t camera_id, bool analysis, int64_t when_us);
    void *may_arg;
};

int engine_start(const struct engine_cfg *cfg, engine_t **out);
void engine_stop(engine_t *e);

/* kind: "main" or "sub".  NULL if the camera is not running. */
hub_t *engine_hub_acquire(engine_t *e, int64_t camera_id, const char *kind);
void engine_hub_release(engine_t *e, hub_t *h);

/* ---- typed status ------------------------------------------------------------ */
enum engine_state {
    ENGINE_CONNECTING, ENGINE_ONLINE, ENGINE_OFFLINE, ENGINE_ERROR, ENGINE_STOPPED,
};
/* "connecting", "online", "offline", "error", "stopped". */
const char *engine_state_name(enum engine_state s);

/* Why a stream is offline or in error, as a stable code the console
 * translates (issue 17 item 6); the English reason text stays for logs and
 * tools.  From ingest_open's or ingest_read's result: "auth" (401/403),
 * "no_stream" (404), "refused", "timeout", "unreachable", "bad_camera"
 * (URL, codec or SETUP the client cannot use), "connect_failed" (anything
 * else while connecting), "no_data" (read timeout), "closed" (the camera
 * ended the stream), "read_error".  Pure; any thread. */
const char *engine_reason_code(int rc, bool connecting);
/* The same code for a reason kept as text — a gap's or an alert's, written
 * by ingest/record/engine with the fixed wordings they use: the codes
 * above, and "disk_full", "disk_full_held", "write_error",
 * "not_recordable", "no_recording_consent", "paused", "recorder_stopped",
 * "disabled", "not_running"; "other" for anything else, "" for "".  A gap's
 * "camera offline: WHY" is WHY's code.  Pure; any thread. */
const char *engine_reason_code_of(const char *text);

struct engine_stream_status;
/* Lost / (received + lost) in percent over UDP's counters; 0 before any. */
double engine_loss_pct(const struct engine_stream_status *s);

struct engine_stream_status {
    bool present;                  /* false: the camera has no such stream */
    enum engine_state state;
    char reason[160];              /* why offline/error; "" otherwise */
    char reason_code[24];          /* the same as a code (engine_reason_code); "" when online */
    double fps, bitrate_kbps;      /* over the last second or so */
    int64_t frames, bytes;         /* received since the stream started */
    int64_t reconnects, timestamp_rebases;
    struct ingest_clock_stats clock; /* where wall times come from (ingest.h) */
    struct ingest_audio_stats audio; /* the sound track (codec NULL: none), as of the last refresh */
    int64_t rtp_lost;              /* RTP packets lost in sequence gaps (lean client) */
    /* RTP over UDP (lean client), all sessions: packets taken into the
     * reorder window, those that came after a later one, those seen twice,
     * those that came after their gap was given up on (late, dropped),
     * datagrams from another address/port (dropped); udp: the current
     * session is UDP.  damaged_aus: access units dropped for a lost or
     * broken packet (lean client, either transport), never recorded. */
    bool udp;
    int64_t rtp_received, rtp_reordered, rtp_duplicate, rtp_late, rtp_foreign, damaged_aus;
    int64_t last_packet_us;        /* wall clock of the last packet; 0 = none yet */
    char codec[8];                 /* "h264" / "hevc"; "" before the first session */
    int width, height;
    bool has_motion;               /* sub stream with a detector */
    struct {
        double score;
        bool in_event;
        int64_t frames_analysed, events;
        bool paused;               /* outside the owner's recording consent: nothing analysed */
        /* The event in progress (issue 17 item 14), not yet in the catalog:
         * open_start_us 0 = none.  Start with pre-roll, the zone and score
         * of its peak so far.  A long motion is cut at the detector's
         * maximum length into consecutive events: this is the current piece. */
        int64_t open_start_us, open_peak_us;
        double open_peak_score;
        char open_zone[64];
    } motion;
    bool has_record;               /* a recorder is subscribed (main stream, recording on) */
    struct rec_writer_stats record;
};

struct engine_camera_status {
    int64_t id;
    struct engine_stream_status main, sub;
};

/* Status of one running camera: 0, or WW_ENOENT if it is not running. */
int engine_camera_status(engine_t *e, int64_t camera_id, struct engine_camera_status *out);
/* Every running camera (*out: caller frees, NULL when *n is 0). */
void engine_status_list(engine_t *e, struct engine_camera_status **out, size_t *n);
rec_syncer_t *engine_syncer(engine_t *e);
/* New quota, free-space floor and retention interval while running (serve's
 * SIGHUP): kept under the engine's lock for engine_retention and the stats
 * file, and handed to the record syncer under its lock (its next pass uses
 * them; it is asked for one at once).  No camera is touched.  Any thread. */
void engine_set_retention(engine_t *e, const struct rec_retention_cfg *r);
/* The retention settings in force (GET /api/v1/storage).  Any thread. */
void engine_retention(engine_t *e, struct rec_retention_cfg *out);
/* Asks the supervisor to re-read the catalog now (a camera was added,
 * changed or removed through the API).  Any thread. */
void engine_kick(engine_t *e);
/* Deleting a camera, step 1 (HTTP thread): stops the camera's streams and
 * keeps it stopped while its rows still exist, then waits until the
 * syncer has committed (or set aside) its last segments.  After it the
 * caller removes files and rows.  0 or -ETIMEDOUT (10 s).  An id stays
 * retired for the process's life (ids are never reused); if the delete
 * fails, engine_camera_unretire lets the camera run again. */
int engine_camera_retire(engine_t *e, int64_t camera_id);
void engine_camera_unretire(engine_t *e, int64_t camera_id);

#endif
