/*
 * engine: wires the cameras together — for every enabled camera, one
 * ingest thread per stream (main, and sub when configured) publishing into
 * that stream's hub, the recorder subscribed to the main stream's hub, the
 * group-commit syncer, and a supervisor that follows the catalog (cameras
 * added, changed, disabled, removed) and writes the stats file.
 *
 * Reconnect policy: after a failure a stream retries with exponential
 * backoff from 0.25 s, ×1.5 per failure, capped at 30 s, ±10 % jitter; a
 * session that delivered packets resets it.  A camera that stays down is
 * logged when its state or reason changes, not per retry.
 *
 * Threads: engine_start/engine_stop from the main thread.  engine_hub_acquire,
 * engine_hub_release, engine_stats_json and engine_syncer are safe from any
 * thread (HTTP handlers use them).
 *
 * Memory: engine_stats_json returns a new JSON value the caller decrefs.
 * A hub returned by engine_hub_acquire stays valid until released, even if
 * the camera is removed meanwhile (it then simply receives no packets).
 */
#ifndef WW_ENGINE_H
#define WW_ENGINE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "hub/hub.h"
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
};

int engine_start(const struct engine_cfg *cfg, engine_t **out);
void engine_stop(engine_t *e);

/* kind: "main" or "sub".  NULL if the camera is not running. */
hub_t *engine_hub_acquire(engine_t *e, int64_t camera_id, const char *kind);
void engine_hub_release(engine_t *e, hub_t *h);

/* {"cameras":[{id,name,streams:{main:{state,reason,fps,bitrate_kbps,...}}}],
 *  "syncer":{...}, "disk":{...}} */
json_t *engine_stats_json(engine_t *e);
/* Stats of one camera ({"id":…,"streams":…}) or NULL if not running. */
json_t *engine_camera_stats_json(engine_t *e, int64_t camera_id);
rec_syncer_t *engine_syncer(engine_t *e);
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
