/*
 * check.c — verifies every segment row against its file: the file exists,
 * is at least as long as the row says, its complete fragments cover the
 * row's frames and time, and (deep) libavformat can read every packet up
 * to the row's end.  Also reports recording files that no row names (older
 * than a few seconds: a file the syncer has not committed yet is normal).
 */
#define _XOPEN_SOURCE 700
#include "record/internal.h"

#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libavformat/avformat.h>

#define TIME_SLACK_US 100000

/* Demuxes the file; returns packets read and the end time of the last. */
static int deep_read(const char *abs, int64_t *packets, int64_t *end_us)
{
    AVFormatContext *fc = NULL;
    *packets = 0;
    *end_us = 0;
    if (avformat_open_input(&fc, abs, NULL, NULL) < 0) return WW_ECORRUPT;
    AVPacket *p = av_packet_alloc();
    AVRational tb = fc->nb_streams ? fc->streams[0]->time_base : (AVRational){1, 90000};
    while (av_read_frame(fc, p) >= 0) {
        (*packets)++;
        int64_t e = av_rescale_q(p->dts + p->duration, tb, (AVRational){1, 1000000});
        if (e > *end_us) *end_us = e;
        av_packet_unref(p);
    }
    av_packet_free(&p);
    avformat_close_input(&fc);
    return 0;
}

static struct { char **v; size_t n, cap; size_t prefix; time_t newest; } orphans;

static int orphan_cb(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)ftw;
    size_t n = strlen(path);
    if (type != FTW_F || n < 5 || strcmp(path + n - 4, ".mp4") || sb->st_mtime > orphans.newest) return 0;
    if (orphans.n == orphans.cap) {
        orphans.cap = orphans.cap ? orphans.cap * 2 : 64;
        orphans.v = ww_realloc(orphans.v, orphans.cap * sizeof *orphans.v);
    }
    orphans.v[orphans.n++] = ww_strdup(path + orphans.prefix);
    return 0;
}

static int cmpstr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int rec_check(const char *data_dir, catalog_t *cat, bool deep,
              void (*report)(void *opaque, const struct catalog_segment *s, const char *problem),
              void *opaque)
{
    struct catalog_segment *rows;
    size_t n;
    if (catalog_segment_all(cat, -1, &rows, &n)) return WW_EDB;
    int problems = 0;
    char msg[256];
    char **paths = ww_calloc(n + 1, sizeof *paths);
    for (size_t i = 0; i < n; i++) {
        struct catalog_segment *r = &rows[i];
        paths[i] = r->path;
        char *abs = ww_asprintf("%s/%s", data_dir, r->path);
        struct stat st;
        msg[0] = 0;
        struct rec_scan sc = {0};
        if (r->state == CATALOG_SEG_DELETING) {
            snprintf(msg, sizeof msg, "row is marked deleting (an interrupted delete: run serve to finish it)");
        } else if (stat(abs, &st) != 0) {
            snprintf(msg, sizeof msg, "file is missing");
        } else if (st.st_size < r->bytes) {
            snprintf(msg, sizeof msg, "file has %lld bytes, row says %lld", (long long)st.st_size, (long long)r->bytes);
        } else if (rec_scan_file(abs, &sc) != 0) {
            snprintf(msg, sizeof msg, "file does not parse as fragmented MP4");
        } else if (sc.frames < r->frames) {
            snprintf(msg, sizeof msg, "file has %lld complete frames, row says %lld", (long long)sc.frames, (long long)r->frames);
        } else if (sc.duration_us + TIME_SLACK_US < r->end_us - r->start_us) {
            snprintf(msg, sizeof msg, "file covers %.3f s, row says %.3f s", sc.duration_us / 1e6,
                     (r->end_us - r->start_us) / 1e6);
        } else if (r->end_us <= r->start_us) {
            snprintf(msg, sizeof msg, "row has an empty time span");
        } else if (deep) {
            int64_t pk, end;
            if (deep_read(abs, &pk, &end) != 0) snprintf(msg, sizeof msg, "libavformat cannot open the file");
            else if (pk < r->frames) snprintf(msg, sizeof msg, "only %lld of %lld frames play", (long long)pk, (long long)r->frames);
            else if (end + TIME_SLACK_US < r->end_us - r->start_us)
                snprintf(msg, sizeof msg, "plays to %.3f s of %.3f s", end / 1e6, (r->end_us - r->start_us) / 1e6);
        }
        rec_scan_clear(&sc);
        if (msg[0]) { problems++; if (report) report(opaque, r, msg); }
        free(abs);
    }
    /* Overlaps within a stream. */
    for (size_t i = 1; i < n; i++) {
        if (rows[i].stream_id == rows[i - 1].stream_id && rows[i].start_us < rows[i - 1].end_us - 1000) {
            snprintf(msg, sizeof msg, "overlaps the previous segment %s by %.3f s", rows[i - 1].path,
                     (rows[i - 1].end_us - rows[i].start_us) / 1e6);
            problems++;
            if (report) report(opaque, &rows[i], msg);
        }
    }
    /* Files without rows. */
    orphans.n = 0;
    orphans.prefix = strlen(data_dir) + 1;
    orphans.newest = time(NULL) - 10;
    char *rec = ww_asprintf("%s/rec", data_dir);
    nftw(rec, orphan_cb, 16, FTW_PHYS);
    free(rec);
    if (n) qsort(paths, n, sizeof *paths, cmpstr);
    for (size_t i = 0; i < orphans.n; i++) {
        if (!n || !bsearch(&orphans.v[i], paths, n, sizeof *paths, cmpstr)) {
            struct catalog_segment fake = {.path = orphans.v[i]};
            problems++;
            if (report) report(opaque, &fake, "file has no catalog row");
        }
        free(orphans.v[i]);
    }
    free(orphans.v);
    orphans.v = NULL;
    orphans.cap = 0;
    free(paths);
    catalog_segment_list_free(rows, n);
    return problems;
}
