/*
 * record: fragmented-MP4 segment files, the group-commit syncer, recovery
 * and retention.
 *
 * Files: rec/<camera-id>/<stream>/<YYYYMMDD>/<HHMMSS>-<seq>.mp4 under the
 * data folder (UTC date and time of the segment's first frame).  Each file
 * is ftyp + moov (empty, for fragments) + a 'free' box carrying our own
 * JSON header (camera, stream, start µs, codec, and "audio" when the
 * segment has a sound track: track 2, AAC) + moof/mdat fragments.  The
 * video is track 1; fragments start at video keyframes and the fragment
 * index and frame counts are the video's.  A
 * file cut short is playable up to its last complete fragment, and the
 * 'free' box lets recovery re-index a file whose row never committed.
 *
 * Order of durability (the rule every part follows):
 *   1. the writer appends a complete fragment (page cache only);
 *   2. the syncer fdatasyncs every file that grew (and the directory of a
 *      new file), THEN commits one catalog transaction describing exactly
 *      the fsynced bytes of all of them;
 *   3. a row therefore never claims bytes the disk may not have; bytes the
 *      row does not claim yet are the "recoverable tail".
 * Deleting (retention, camera removal) goes the other way: mark the row
 * DELETING and commit, unlink the file, delete the row.
 *
 * Threads: a rec_writer is fed by its stream's ingest thread (through the
 * hub).  The syncer is one thread for all writers; it alone fsyncs and
 * commits.  rec_writer_stats may be called from any thread.
 */
#ifndef WW_RECORD_H
#define WW_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "catalog/catalog.h"
#include "hub/hub.h"

typedef struct rec_syncer rec_syncer_t;
typedef struct rec_writer rec_writer_t;

/* ---- fragment index (stored in segments.frag_index) ----------------------
 * Little-endian records of 16 bytes, one per fragment:
 *   u64 offset of the moof box, u32 start ms from the segment start,
 *   u32 flags (bit 0: starts with a keyframe). */
struct rec_frag { uint64_t offset; uint32_t t_ms; uint32_t flags; };
#define REC_FRAG_SIZE 16
#define REC_FRAG_KEY 1u
size_t rec_frag_count(const uint8_t *blob, size_t len);
struct rec_frag rec_frag_get(const uint8_t *blob, size_t i);
void rec_frag_put(struct ww_buf *b, const struct rec_frag *f);

/* ---- syncer -------------------------------------------------------------- */
struct rec_retention_cfg {
    int64_t quota_bytes;       /* 0 = no quota */
    int64_t min_free_bytes;    /* free-space floor on the recordings fs; 0 = none,
                                * REC_FLOOR_AUTO = rec_free_floor() of the disk */
    int64_t interval_us;       /* how often retention runs (default 10 s) */
};

/* The default free-space floor: 10 % of the recordings filesystem, at most
 * 10 GiB — so retention frees unheld old video before the disk fills,
 * whatever its size.  The syncer checks free space every round (about a
 * second) and runs retention at once when it is under the floor. */
#define REC_FLOOR_AUTO (-1)
int64_t rec_free_floor(const char *rec_dir);

/* What retention will do (plan.c): `wardwatch retention plan` and GET
 * /api/v1/storage share it.  Filled on the caller's catalog connection;
 * the caller owns *out (rec_plan_clear).  days_* are -1 when nothing was
 * recorded in the last day (no rate to project) or no quota is set. */
struct rec_plan_camera {
    int64_t camera_id, ward_id;
    char *name;
    int retention_days, holds;              /* holds in force */
    int64_t oldest_us, delete_at_us;        /* 0 = nothing recorded */
    int64_t bytes, per_day, held_bytes, held_segments;
};
struct rec_plan {
    struct rec_plan_camera *cams;
    size_t n;
    int64_t free_bytes, total_bytes, floor_bytes, quota_bytes;
    int64_t recorded_bytes, held_bytes, per_day;
    double days_until_floor, days_until_quota;
};
int rec_plan_compute(catalog_t *cat, const char *data_dir, const struct rec_retention_cfg *cfg, struct rec_plan *out);
void rec_plan_clear(struct rec_plan *p);
struct json_t;
struct json_t *rec_plan_camera_json(const struct rec_plan_camera *c);
struct json_t *rec_plan_disk_json(const struct rec_plan *p);

/* Starts the syncer thread.  It opens its own catalog connection. */
int rec_syncer_start(const char *data_dir, int64_t interval_us,
                     const struct rec_retention_cfg *ret, rec_syncer_t **out);
/* Syncs everything one last time, commits, closes all files, joins. */
void rec_syncer_stop(rec_syncer_t *s);
/* Ask for a retention pass as soon as possible (e.g. after ENOSPC). */
void rec_syncer_kick_retention(rec_syncer_t *s);
/* New retention settings (a reload): taken under the syncer's lock, used
 * from the next round on, and a pass is asked for at once.  An interval
 * <= 0 keeps the current one.  Thread-safe. */
void rec_syncer_set_retention(rec_syncer_t *s, const struct rec_retention_cfg *ret);
/* What the last retention pass found: footage under holds in force and no
 * closed unheld segment left to delete.  A writer that meets ENOSPC then
 * knows freeing space is not coming.  Thread-safe. */
bool rec_syncer_only_held_left(rec_syncer_t *s);
/* Queue a gap row; committed with the next group commit. */
void rec_syncer_gap(rec_syncer_t *s, int64_t stream_id, int64_t start_us, int64_t end_us,
                    const char *reason);
struct rec_syncer_stats {
    int64_t commits, last_commit_us, last_commit_dur_us, files_synced;
    int64_t retention_deleted, retention_bytes;
    int64_t last_error;        /* 0 or the last negative code */
    int64_t rows_set_aside;    /* finished segments whose row the catalog refused */
    struct ww_hist_snap commit; /* each round's fdatasyncs + transaction (last_commit_dur_us's) */
};
void rec_syncer_stats(rec_syncer_t *s, struct rec_syncer_stats *out);
/* Waits until a round that started after the call has finished and no
 * segment of the camera is left with the syncer (call it after the
 * camera's writers were freed: their final rows are then committed).
 * 0, or -ETIMEDOUT.  Any thread but the syncer's; NULL syncer → 0. */
int rec_syncer_flush_camera(rec_syncer_t *s, int64_t camera_id, int64_t timeout_us);

/* Retention holds: a segment being played back or exported is never
 * deleted while held.  Thread-safe. */
void rec_hold(rec_syncer_t *s, int64_t segment_id);
void rec_release(rec_syncer_t *s, int64_t segment_id);

/* ---- writer -------------------------------------------------------------- */
struct rec_writer_cfg {
    const char *data_dir;
    int64_t camera_id, stream_id;
    const char *kind;          /* "main" | "sub" */
    int64_t max_segment_us;    /* default 60 s */
    int64_t max_fragment_us;   /* default 1 s */
    const char *log_ctx;
};
/* REC_DISK_FULL_HELD: the disk is full and retention has nothing left to
 * free but held video (rec_syncer_only_held_left): recording pauses, held
 * video stays, writes are retried until space returns. */
enum rec_state { REC_IDLE, REC_WAIT_KEY, REC_RECORDING, REC_DISK_FULL, REC_ERROR, REC_PAUSED, REC_DISK_FULL_HELD };
/* The gap reason of a full disk with only held video left. */
#define REC_GAP_HELD_FULL "disk full — only held video left"
struct rec_writer_stats {
    enum rec_state state;
    int64_t segments, frames, bytes;     /* written since start */
    int64_t dropped_frames;              /* not recorded (disk full, errors) */
    int64_t gaps;                        /* gaps recorded */
    int64_t last_frame_wall_us;
    int64_t ts_corrections;              /* dts moved on / negative offsets cleared */
    int64_t audio_frames, audio_dropped; /* sound track frames written / not (no segment open, refused) */
    int last_error;
    char error_text[256];
    struct ww_hist_snap fragment_write;  /* time to write each fragment out (page cache) */
};
const char *rec_state_name(enum rec_state s);

int rec_writer_new(const struct rec_writer_cfg *cfg, rec_syncer_t *syncer, rec_writer_t **out);
/* hub_cb-compatible: subscribe it to the stream's hub. */
void rec_writer_on_hub(void *writer, const struct hub_msg *m);
/* Pause/resume recording (e.g. outside the owner's consent window).  While
 * paused, nothing is written and the time is recorded as a gap with the
 * reason given. */
void rec_writer_pause(rec_writer_t *w, bool paused, const char *reason);
/* Closes the open segment (clean trailer) and hands it to the syncer. */
void rec_writer_free(rec_writer_t *w);
void rec_writer_stats(rec_writer_t *w, struct rec_writer_stats *out);

/* ---- scanning files (recover, check) -------------------------------------- */
struct rec_scan {
    bool has_header;           /* ftyp+moov+our 'free' box present */
    int64_t start_us;          /* from our header */
    int64_t camera_id, stream_id;
    char kind[8], codec[8];
    char audio[8];             /* the sound track's codec ("aac"), "" = none */
    int64_t timescale;         /* from the moov's mdhd (track 1, the video) */
    int64_t good_bytes;        /* end of the last complete fragment */
    int64_t frames;
    int64_t duration_us;       /* of the complete fragments */
    struct ww_buf index;       /* fragment index records */
};
/* Parses a segment file's boxes.  0 or WW_ECORRUPT/-errno.  Frees nothing
 * of *out on failure; always call rec_scan_clear. */
int rec_scan_file(const char *path, struct rec_scan *out);
void rec_scan_clear(struct rec_scan *s);

/* ---- recovery and check --------------------------------------------------- */
struct rec_recover_report {
    int rows_ok, rows_extended, rows_dropped, files_indexed, files_removed, deletes_finished;
};
/* Reconciles files and rows after a crash (see recover.c). */
int rec_recover(const char *data_dir, catalog_t *cat, struct rec_recover_report *rep);
/* Verifies every row against its file; calls report for each problem and
 * returns the number of problems (or a negative error). */
int rec_check(const char *data_dir, catalog_t *cat, bool deep,
              void (*report)(void *opaque, const struct catalog_segment *s, const char *problem),
              void *opaque);

/* ---- reading recordings (playback, export) -------------------------------
 * Packets of a stream's recordings from the keyframe at or before from_us
 * to to_us (0 = all), across segments; pts/dts in 1/90000 of wall-clock
 * time (µs since the epoch × 0.09).  The reader opens nothing but files:
 * the catalog is used only inside rec_reader_open.  Not thread-safe; one
 * user at a time.  Packets filled by rec_reader_next are the caller's
 * (av_packet_unref).  WW_ENOTFOUND from open when nothing is recorded. */
typedef struct rec_reader rec_reader_t;
struct AVPacket;
struct AVCodecParameters;
int rec_reader_open(const char *data_dir, catalog_t *cat, int64_t stream_id, int64_t from_us,
                    int64_t to_us, rec_reader_t **out);
/* 0 with a packet, or WW_EOF. */
int rec_reader_next(rec_reader_t *r, struct AVPacket *pkt, int64_t *wall_us, bool *key);
/* Parameters of the segment the last packet came from. */
const struct AVCodecParameters *rec_reader_params(const rec_reader_t *r);
/* Audio: by default only video packets come out.  After this call, a
 * segment's sound track comes too, pkt->stream_index 1 (video 0), pts =
 * dts in the same 1/90000 wall-clock base, key false; interleaved as the
 * file has them, so dts increase per stream, not across them. */
void rec_reader_want_audio(rec_reader_t *r);
/* The current segment's audio parameters (AAC), or NULL if it has none. */
const struct AVCodecParameters *rec_reader_audio_params(const rec_reader_t *r);
double rec_reader_progress(const rec_reader_t *r);  /* 0..1 by bytes */
int64_t rec_reader_first_start(const rec_reader_t *r);
/* Frames in all the segments the reader covers (an upper bound of what it
 * will return). */
int64_t rec_reader_total_frames(const rec_reader_t *r);
void rec_reader_close(rec_reader_t *r);

/* One retention pass (used by the syncer and by tests). */
/* Whether the recordings disk is under its free-space floor now (cheap: one
 * statvfs).  The syncer asks every round. */
bool rec_retention_under_floor(const char *data_dir, const struct rec_retention_cfg *cfg);
/* Whether only held video is left: something is held and no closed, unheld
 * segment remains for retention to delete.  The syncer asks after each pass. */
bool rec_retention_only_held_left(catalog_t *cat);
int rec_retention_run(const char *data_dir, catalog_t *cat, const struct rec_retention_cfg *cfg,
                      rec_syncer_t *holds, int64_t *deleted, int64_t *bytes);

#endif
