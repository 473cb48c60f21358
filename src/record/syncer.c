/*
 * syncer.c — group commit: the only thread that fsyncs video or commits
 * segment rows.
 *
 * Every interval (≤ 2 s; default 1 s) it takes a snapshot of what each open
 * segment has published (complete fragments only), fdatasyncs the files
 * that grew (and, once, the directories of new files), and only then
 * commits ONE transaction that describes exactly those synced bytes for all
 * streams, plus any queued gap rows.  A crash can therefore lose at most
 * one interval of rows — never the catalog's consistency — and recovery
 * re-indexes the tail from the files themselves.
 *
 * Failures stay with their camera: each row is written in its own
 * savepoint, so a row the catalog refuses (typically: the camera was
 * removed while its segment was open, FOREIGN KEY) is rolled back alone,
 * logged once with its camera and reason, and set aside — retried while the
 * file is open, and when it is closed the file is closed, removed with its
 * camera's recordings if the stream is gone, else left for recovery.
 *
 * Retention runs on this same thread between commits, so deletes never race
 * a commit and the catalog has one recording writer.
 */
#include "record/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct pending_gap { int64_t stream_id, start_us, end_us; char reason[128]; };

struct rec_syncer {
    pthread_t thread;
    pthread_mutex_t mu;          /* segs, gaps, holds, flags, stats */
    pthread_cond_t cv;
    pthread_cond_t done_cv;      /* broadcast after every round */
    bool stopping, kick, flush;
    bool only_held_left;         /* after the last retention pass */
    int64_t rounds;              /* rounds finished */
    char *data_dir;
    catalog_t *cat;              /* used by the syncer thread only */
    int64_t interval_us;
    struct rec_retention_cfg ret; /* under mu: a reload may change it */
    int64_t next_retention;
    struct rec_seg **segs;
    int nsegs, capsegs;
    struct pending_gap *gaps;
    int ngaps, capgaps;
    int64_t *holds;
    int nholds, capholds;
    struct rec_syncer_stats st;
    struct ww_hist commit;       /* duration of every committed round */
};

void rec_seg_unref(struct rec_seg *seg)
{
    if (!seg) return;
    pthread_mutex_lock(&seg->mu);
    int left = --seg->refs;
    pthread_mutex_unlock(&seg->mu);
    if (left) return;
    if (seg->fd >= 0) ww_fsops()->close(seg->fd);
    ww_buf_free(&seg->pub_index);
    pthread_mutex_destroy(&seg->mu);
    free(seg->relpath);
    free(seg->abspath);
    free(seg);
}

void rec_syncer_add(rec_syncer_t *s, struct rec_seg *seg)
{
    pthread_mutex_lock(&seg->mu);
    seg->refs++;
    pthread_mutex_unlock(&seg->mu);
    pthread_mutex_lock(&s->mu);
    if (s->nsegs == s->capsegs) {
        s->capsegs = s->capsegs ? s->capsegs * 2 : 16;
        s->segs = ww_realloc(s->segs, (size_t)s->capsegs * sizeof *s->segs);
    }
    s->segs[s->nsegs++] = seg;
    pthread_mutex_unlock(&s->mu);
}

void rec_syncer_gap(rec_syncer_t *s, int64_t stream_id, int64_t start_us, int64_t end_us,
                    const char *reason)
{
    pthread_mutex_lock(&s->mu);
    if (s->ngaps == s->capgaps) {
        s->capgaps = s->capgaps ? s->capgaps * 2 : 8;
        s->gaps = ww_realloc(s->gaps, (size_t)s->capgaps * sizeof *s->gaps);
    }
    struct pending_gap *g = &s->gaps[s->ngaps++];
    g->stream_id = stream_id;
    g->start_us = start_us;
    g->end_us = end_us;
    snprintf(g->reason, sizeof g->reason, "%s", reason ? reason : "");
    pthread_mutex_unlock(&s->mu);
}

bool rec_syncer_only_held_left(rec_syncer_t *s)
{
    if (!s) return false;
    pthread_mutex_lock(&s->mu);
    bool v = s->only_held_left;
    pthread_mutex_unlock(&s->mu);
    return v;
}

void rec_syncer_kick_retention(rec_syncer_t *s)
{
    pthread_mutex_lock(&s->mu);
    s->kick = true;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

void rec_hold(rec_syncer_t *s, int64_t id)
{
    pthread_mutex_lock(&s->mu);
    if (s->nholds == s->capholds) {
        s->capholds = s->capholds ? s->capholds * 2 : 16;
        s->holds = ww_realloc(s->holds, (size_t)s->capholds * sizeof *s->holds);
    }
    s->holds[s->nholds++] = id;
    pthread_mutex_unlock(&s->mu);
}

void rec_release(rec_syncer_t *s, int64_t id)
{
    pthread_mutex_lock(&s->mu);
    for (int i = 0; i < s->nholds; i++)
        if (s->holds[i] == id) { s->holds[i] = s->holds[--s->nholds]; break; }
    pthread_mutex_unlock(&s->mu);
}

bool rec_syncer_held(rec_syncer_t *s, int64_t id)
{
    if (!s) return false;
    pthread_mutex_lock(&s->mu);
    bool held = false;
    for (int i = 0; i < s->nholds && !held; i++) held = s->holds[i] == id;
    pthread_mutex_unlock(&s->mu);
    return held;
}

void rec_syncer_stats(rec_syncer_t *s, struct rec_syncer_stats *out)
{
    pthread_mutex_lock(&s->mu);
    *out = s->st;
    pthread_mutex_unlock(&s->mu);
    ww_hist_read(&s->commit, &out->commit);
}

struct snap {
    struct rec_seg *seg;
    int64_t bytes, end_us, frames;
    struct ww_buf index;
    bool closed, failed, synced;
    bool rejected;               /* the catalog refused the row this round */
};

/* fsync the file (and its directory chain once): after this, the bytes the
 * snapshot describes are on disk. */
static int sync_file(struct snap *sn)
{
    struct rec_seg *seg = sn->seg;
    if (sn->closed && sn->failed) {
        /* Drop the partial fragment a failed write left behind. */
        ww_fsops()->ftruncate(seg->fd, (off_t)sn->bytes);
    }
    if (sn->bytes > seg->synced_bytes || (sn->closed && sn->failed)) {
        int rc = ww_fsops()->fsync(seg->fd);
        if (rc) return rc;
        seg->synced_bytes = sn->bytes;
    }
    if (!seg->dir_synced) {
        /* A new file's directory entry (and a new day folder's) can vanish
         * at power loss unless the directories are synced too. */
        ww_fsync_dir_of(seg->abspath);
        char *dir = ww_strdup(seg->abspath);
        char *slash = strrchr(dir, '/');
        if (slash) { *slash = 0; ww_fsync_dir_of(dir); }
        free(dir);
        seg->dir_synced = true;
    }
    sn->synced = true;
    return 0;
}

/* One row, in its own savepoint: a row the catalog refuses (its camera was
 * removed while the segment was open) is undone alone and set aside, and
 * every other stream's rows still commit in this round. */
static int commit_segment(rec_syncer_t *s, struct snap *sn)
{
    struct rec_seg *seg = sn->seg;
    struct catalog_segment row = {
        .stream_id = seg->stream_id, .camera_id = seg->camera_id,
        .start_us = seg->start_us, .end_us = sn->end_us, .path = seg->relpath,
        .bytes = sn->bytes, .frames = sn->frames, .codec = seg->codec,
        .frag_index = sn->index.data, .frag_index_len = sn->index.len,
        .state = sn->closed ? CATALOG_SEG_CLOSED : CATALOG_SEG_GROWING,
    };
    if (catalog_savepoint(s->cat)) return WW_EDB;
    int rc = catalog_segment_upsert(s->cat, &row);
    if (rc == WW_ECONFLICT) {
        if (!seg->rejected)
            ww_error("syncer", "cam=%lld: segment %s cannot be catalogued (%s); set aside, the"
                     " other cameras' rows commit", (long long)seg->camera_id, seg->relpath,
                     catalog_last_error(s->cat));
        catalog_savepoint_rollback(s->cat);
        seg->rejected = true;
        sn->rejected = true;
        return 0;
    }
    if (rc) { catalog_savepoint_rollback(s->cat); return rc; }
    if (seg->rejected)
        ww_info("syncer", "cam=%lld: segment %s catalogued again", (long long)seg->camera_id,
                seg->relpath);
    seg->rejected = false;
    return catalog_savepoint_release(s->cat);
}

static int commit_round(rec_syncer_t *s, struct snap *sn, int n, struct pending_gap *gaps, int ngaps)
{
    if (catalog_begin(s->cat)) return WW_EDB;
    for (int i = 0; i < n; i++) {
        if (!sn[i].synced || sn[i].frames == 0) continue;
        if (sn[i].bytes == sn[i].seg->committed_bytes && !sn[i].closed) continue;
        if (commit_segment(s, &sn[i])) goto fail;
    }
    for (int i = 0; i < ngaps; i++) {
        if (catalog_savepoint(s->cat)) goto fail;
        int rc = catalog_gap_add(s->cat, gaps[i].stream_id, gaps[i].start_us, gaps[i].end_us,
                                 gaps[i].reason);
        if (rc == WW_ECONFLICT) {
            /* The stream is gone: so is every gap row it had. */
            ww_debug("syncer", "gap of removed stream %lld dropped", (long long)gaps[i].stream_id);
            catalog_savepoint_rollback(s->cat);
            continue;
        }
        if (rc || catalog_savepoint_release(s->cat)) { catalog_savepoint_rollback(s->cat); goto fail; }
    }
    if (catalog_commit(s->cat)) goto fail;
    for (int i = 0; i < n; i++)
        if (sn[i].synced && !sn[i].rejected) sn[i].seg->committed_bytes = sn[i].bytes;
    return 0;
fail:
    catalog_rollback(s->cat);
    for (int i = 0; i < n; i++) sn[i].rejected = false;
    return WW_EDB;
}

/* A finished segment whose row the catalog refused leaves the syncer's list
 * (its file is closed when the writer's ref goes too).  If its stream is
 * gone the camera was removed and the file goes with the camera's other
 * recordings; otherwise it is left for recovery to index at the next start. */
static void set_aside(rec_syncer_t *s, struct rec_seg *seg)
{
    int exists = catalog_stream_exists(s->cat, seg->stream_id);
    if (exists == 0) {
        ww_info("syncer", "cam=%lld: camera removed; its unfinished segment %s is removed too",
                (long long)seg->camera_id, seg->relpath);
        ww_fsops()->unlink(seg->abspath);
    } else {
        ww_warn("syncer", "cam=%lld: segment %s closed without a row; recovery will index it",
                (long long)seg->camera_id, seg->relpath);
    }
}

static void sync_round(rec_syncer_t *s)
{
    int64_t t0 = ww_mono_us();
    pthread_mutex_lock(&s->mu);
    int n = s->nsegs;
    struct snap *sn = ww_calloc((size_t)n + 1, sizeof *sn);
    for (int i = 0; i < n; i++) sn[i].seg = s->segs[i];
    struct pending_gap *gaps = s->gaps;
    int ngaps = s->ngaps;
    s->gaps = NULL;
    s->ngaps = s->capgaps = 0;
    pthread_mutex_unlock(&s->mu);

    int synced = 0;
    for (int i = 0; i < n; i++) {
        struct rec_seg *seg = sn[i].seg;
        pthread_mutex_lock(&seg->mu);
        sn[i].bytes = seg->pub_bytes;
        sn[i].end_us = seg->pub_end_us;
        sn[i].frames = seg->pub_frames;
        ww_buf_append(&sn[i].index, seg->pub_index.data, seg->pub_index.len);
        sn[i].closed = seg->closed;
        sn[i].failed = seg->failed;
        pthread_mutex_unlock(&seg->mu);
        int rc = sync_file(&sn[i]);
        if (rc) ww_error("syncer", "fsync %s: %s", seg->relpath, ww_strerror(rc));
        else synced++;
    }
    int rc = (n || ngaps) ? commit_round(s, sn, n, gaps, ngaps) : 0;
    for (int i = 0; !rc && i < n; i++)
        if (sn[i].closed && sn[i].rejected) set_aside(s, sn[i].seg);

    pthread_mutex_lock(&s->mu);
    s->rounds++;
    if (rc) {
        s->st.last_error = rc;
        /* keep the gaps for the next round */
        for (int i = 0; i < ngaps; i++) {
            pthread_mutex_unlock(&s->mu);
            rec_syncer_gap(s, gaps[i].stream_id, gaps[i].start_us, gaps[i].end_us, gaps[i].reason);
            pthread_mutex_lock(&s->mu);
        }
    } else {
        s->st.commits++;
        s->st.last_commit_us = ww_wall_us();
        s->st.last_commit_dur_us = ww_mono_us() - t0;
        ww_hist_observe(&s->commit, s->st.last_commit_dur_us);
        s->st.files_synced += synced;
        s->st.last_error = 0;
        /* Closed segments whose final row is committed (or set aside) leave
         * the list. */
        for (int i = 0; i < n; i++) {
            if (!sn[i].closed || !sn[i].synced) continue;
            if (sn[i].rejected) s->st.rows_set_aside++;
            for (int j = 0; j < s->nsegs; j++)
                if (s->segs[j] == sn[i].seg) { s->segs[j] = s->segs[--s->nsegs]; break; }
            if (sn[i].frames == 0) ww_fsops()->unlink(sn[i].seg->abspath); /* nothing playable */
            rec_seg_unref(sn[i].seg);
        }
    }
    pthread_cond_broadcast(&s->done_cv);
    pthread_mutex_unlock(&s->mu);
    for (int i = 0; i < n; i++) ww_buf_free(&sn[i].index);
    free(sn);
    free(gaps);
}

static bool has_camera_segs(rec_syncer_t *s, int64_t camera_id)
{
    for (int i = 0; i < s->nsegs; i++)
        if (s->segs[i]->camera_id == camera_id) return true;
    return false;
}

int rec_syncer_flush_camera(rec_syncer_t *s, int64_t camera_id, int64_t timeout_us)
{
    if (!s) return 0;
    int64_t deadline = ww_mono_us() + timeout_us;
    pthread_mutex_lock(&s->mu);
    /* A round that starts after this call sees every segment the camera's
     * (already freed) writers closed, and every gap they queued. */
    int64_t want = s->rounds + 2;
    s->flush = true;
    pthread_cond_signal(&s->cv);
    int rc = 0;
    while ((s->rounds < want || has_camera_segs(s, camera_id)) && !s->stopping) {
        int64_t left = deadline - ww_mono_us();
        if (left <= 0) { rc = -ETIMEDOUT; break; }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t ns = ts.tv_nsec + (left < 100000 ? left : 100000) * 1000;
        ts.tv_sec += ns / 1000000000;
        ts.tv_nsec = ns % 1000000000;
        if (s->rounds < want) { s->flush = true; pthread_cond_signal(&s->cv); }
        pthread_cond_timedwait(&s->done_cv, &s->mu, &ts);
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

void rec_syncer_set_retention(rec_syncer_t *s, const struct rec_retention_cfg *ret)
{
    pthread_mutex_lock(&s->mu);
    int64_t interval = s->ret.interval_us;
    s->ret = *ret;
    if (s->ret.interval_us <= 0) s->ret.interval_us = interval;
    s->kick = true;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

static void retention_round(rec_syncer_t *s, const struct rec_retention_cfg *ret)
{
    int64_t deleted = 0, bytes = 0;
    rec_retention_run(s->data_dir, s->cat, ret, s, &deleted, &bytes);
    bool held_only = rec_retention_only_held_left(s->cat);
    pthread_mutex_lock(&s->mu);
    s->st.retention_deleted += deleted;
    s->st.retention_bytes += bytes;
    s->only_held_left = held_only;
    pthread_mutex_unlock(&s->mu);
}

static void *syncer_main(void *arg)
{
    rec_syncer_t *s = arg;
    ww_thread_set_role(WW_THREAD_SYNCER);
    pthread_mutex_lock(&s->mu);
    while (!s->stopping) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t ns = ts.tv_nsec + (s->interval_us % 1000000) * 1000;
        ts.tv_sec += s->interval_us / 1000000 + ns / 1000000000;
        ts.tv_nsec = ns % 1000000000;
        if (!s->kick && !s->flush) pthread_cond_timedwait(&s->cv, &s->mu, &ts);
        bool stopping = s->stopping;
        bool kick = s->kick;
        s->kick = false;
        s->flush = false;
        struct rec_retention_cfg ret = s->ret; /* this round's, whatever a reload does meanwhile */
        pthread_mutex_unlock(&s->mu);
        if (!stopping) {
            sync_round(s);
            if (kick || ww_mono_us() >= s->next_retention ||
                rec_retention_under_floor(s->data_dir, &ret)) {
                retention_round(s, &ret);
                s->next_retention = ww_mono_us() + ret.interval_us;
            }
        }
        pthread_mutex_lock(&s->mu);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

int rec_syncer_start(const char *data_dir, int64_t interval_us, const struct rec_retention_cfg *ret,
                     rec_syncer_t **out)
{
    rec_syncer_t *s = ww_calloc(1, sizeof *s);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    pthread_cond_init(&s->done_cv, NULL);
    s->data_dir = ww_strdup(data_dir);
    s->interval_us = interval_us > 0 && interval_us <= 2000000 ? interval_us : 1000000;
    if (ret) s->ret = *ret;
    if (s->ret.interval_us <= 0) s->ret.interval_us = 10000000;
    char *db = ww_asprintf("%s/wardwatch.db", data_dir);
    int rc = catalog_open(db, 0, &s->cat);
    free(db);
    if (rc) { free(s->data_dir); free(s); return rc; }
    s->next_retention = ww_mono_us();
    if (pthread_create(&s->thread, NULL, syncer_main, s)) {
        catalog_close(s->cat);
        free(s->data_dir);
        free(s);
        return -EAGAIN;
    }
    *out = s;
    return 0;
}

void rec_syncer_stop(rec_syncer_t *s)
{
    if (!s) return;
    pthread_mutex_lock(&s->mu);
    s->stopping = true;
    pthread_cond_signal(&s->cv);
    pthread_cond_broadcast(&s->done_cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    /* Writers were freed before us, so every segment is closed: one last
     * round makes their final rows durable. */
    sync_round(s);
    for (int i = 0; i < s->nsegs; i++) {
        ww_warn("syncer", "segment %s left unfinished at stop", s->segs[i]->relpath);
        rec_seg_unref(s->segs[i]);
    }
    free(s->segs);
    free(s->gaps);
    free(s->holds);
    catalog_close(s->cat);
    pthread_cond_destroy(&s->cv);
    pthread_cond_destroy(&s->done_cv);
    pthread_mutex_destroy(&s->mu);
    free(s->data_dir);
    free(s);
}
