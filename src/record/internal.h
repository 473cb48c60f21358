/*
 * record/internal.h — shared between the writer and the syncer only.
 */
#ifndef WW_RECORD_INTERNAL_H
#define WW_RECORD_INTERNAL_H

#include <pthread.h>

#include "record/record.h"

/* One open segment file, shared by its writer and the syncer.
 * Ownership: refcounted; the writer holds one ref while it writes, the
 * syncer one from rec_syncer_add until the CLOSED row is committed.
 * Fields under "published" are written by the writer and read by the syncer
 * under mu; the rest are immutable after creation (or syncer-private). */
struct rec_seg {
    pthread_mutex_t mu;
    int refs;
    int fd;
    char *relpath, *abspath;
    int64_t camera_id, stream_id, start_us;
    char codec[8];
    /* published: complete fragments only */
    int64_t pub_bytes, pub_end_us, pub_frames;
    struct ww_buf pub_index;
    bool closed;       /* writer is done with the file */
    bool failed;       /* a write failed: truncate to pub_bytes */
    /* syncer-private */
    int64_t synced_bytes, committed_bytes;
    bool dir_synced;
    int64_t row_id;
    bool rejected;     /* the catalog refused its row; logged once, retried */
};

void rec_seg_unref(struct rec_seg *seg);
/* Registers a new segment with the syncer (takes its own ref). */
void rec_syncer_add(rec_syncer_t *s, struct rec_seg *seg);
/* Is a segment held (playback/export)?  NULL syncer → false. */
bool rec_syncer_held(rec_syncer_t *s, int64_t segment_id);

#endif
