/*
 * recover.c — on start, make files and rows agree again.
 *
 *   DELETING rows      → finish the delete (unlink, drop the row);
 *   rows, file missing → drop the row;
 *   GROWING rows       → re-scan the file: index the recoverable tail (the
 *                        complete fragments past the committed bytes), cut
 *                        off a partial fragment, mark CLOSED;
 *   CLOSED rows whose file is shorter than the row → re-scan and shrink;
 *   files with no row  → index them from their header box, or delete them
 *                        when nothing in them is playable.
 * Row changes go in one transaction; files are removed only after it
 * commits, so a crash during recovery just means recovery runs again.
 */
#define _XOPEN_SOURCE 700
#include "record/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct strset { char **v; size_t n, cap; };

static void strset_add(struct strset *s, char *str)
{
    if (s->n == s->cap) { s->cap = s->cap ? s->cap * 2 : 64; s->v = ww_realloc(s->v, s->cap * sizeof *s->v); }
    s->v[s->n++] = str;
}

static int cmpstr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void strset_free(struct strset *s)
{
    for (size_t i = 0; i < s->n; i++) free(s->v[i]);
    free(s->v);
}

/* nftw has no user pointer: the walk collects into this (recovery is
 * single-threaded and runs before any recording starts). */
static struct strset *walk_out;
static size_t walk_prefix;

static int walk_cb(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb; (void)ftw;
    size_t n = strlen(path);
    if (type == FTW_F && n > 4 && !strcmp(path + n - 4, ".mp4")) strset_add(walk_out, ww_strdup(path + walk_prefix));
    return 0;
}

/* Re-indexes a row from its file.  Returns 1 if the row changed, 0 if not,
 * -1 if nothing playable is left (the row should go). */
static int rescan_row(const char *abs, struct catalog_segment *row, bool truncate)
{
    struct rec_scan sc;
    int rc = rec_scan_file(abs, &sc);
    if (rc || sc.frames == 0) { rec_scan_clear(&sc); return -1; }
    int changed = sc.good_bytes != row->bytes || sc.frames != row->frames || row->state != CATALOG_SEG_CLOSED;
    row->bytes = sc.good_bytes;
    row->frames = sc.frames;
    row->end_us = row->start_us + sc.duration_us;
    free(row->frag_index);
    row->frag_index = sc.index.data;
    row->frag_index_len = sc.index.len;
    sc.index.data = NULL;
    row->state = CATALOG_SEG_CLOSED;
    rec_scan_clear(&sc);
    if (truncate) {
        struct stat st;
        if (stat(abs, &st) == 0 && st.st_size > row->bytes) {
            int fd = open(abs, O_WRONLY | O_CLOEXEC);
            if (fd >= 0) {
                if (ftruncate(fd, row->bytes) == 0) fdatasync(fd);
                close(fd);
            }
        }
    }
    return changed;
}

int rec_recover(const char *data_dir, catalog_t *cat, struct rec_recover_report *rep)
{
    memset(rep, 0, sizeof *rep);
    struct catalog_segment *rows;
    size_t nrows;
    if (catalog_segment_all(cat, -1, &rows, &nrows)) return WW_EDB;
    struct strset known = {0}, remove = {0}, files = {0};
    int rc = catalog_begin(cat);
    if (rc) goto out;
    for (size_t i = 0; i < nrows && !rc; i++) {
        struct catalog_segment *r = &rows[i];
        char *abs = ww_asprintf("%s/%s", data_dir, r->path);
        struct stat st;
        bool exists = stat(abs, &st) == 0;
        if (r->state == CATALOG_SEG_DELETING) {
            if (exists) strset_add(&remove, ww_strdup(abs));
            rc = catalog_segment_delete(cat, r->id);
            rep->deletes_finished++;
        } else if (!exists) {
            ww_warn("recover", "%s: file is gone; dropping its row", r->path);
            rc = catalog_segment_delete(cat, r->id);
            rep->rows_dropped++;
        } else if (r->state == CATALOG_SEG_GROWING || st.st_size < r->bytes) {
            int ch = rescan_row(abs, r, true);
            if (ch < 0) {
                ww_warn("recover", "%s: nothing playable; removing", r->path);
                rc = catalog_segment_delete(cat, r->id);
                strset_add(&remove, ww_strdup(abs));
                rep->rows_dropped++;
            } else {
                rc = catalog_segment_upsert(cat, r);
                if (ch) rep->rows_extended++; else rep->rows_ok++;
            }
        } else {
            rep->rows_ok++;
        }
        strset_add(&known, ww_strdup(r->path));
        free(abs);
    }
    if (rc) { catalog_rollback(cat); goto out; }

    /* Files nobody knows about. */
    char *rec = ww_asprintf("%s/rec", data_dir);
    walk_out = &files;
    walk_prefix = strlen(data_dir) + 1;
    nftw(rec, walk_cb, 16, FTW_PHYS);
    free(rec);
    if (known.n) qsort(known.v, known.n, sizeof *known.v, cmpstr);
    for (size_t i = 0; i < files.n && !rc; i++) {
        if (known.n && bsearch(&files.v[i], known.v, known.n, sizeof *known.v, cmpstr)) continue;
        char *abs = ww_asprintf("%s/%s", data_dir, files.v[i]);
        struct rec_scan sc;
        int64_t sid;
        bool ok = rec_scan_file(abs, &sc) == 0 && sc.has_header && sc.frames > 0 &&
                  catalog_stream_find(cat, sc.camera_id, sc.kind, &sid) == 0 && sid == sc.stream_id;
        if (ok) {
            struct catalog_segment row = {.stream_id = sc.stream_id, .camera_id = sc.camera_id,
                                      .start_us = sc.start_us, .path = files.v[i],
                                      .codec = sc.codec, .state = CATALOG_SEG_CLOSED};
            row.path = ww_strdup(files.v[i]);
            row.codec = ww_strdup(sc.codec);
            rescan_row(abs, &row, true);
            rc = catalog_segment_upsert(cat, &row);
            ww_info("recover", "%s: indexed a file whose row never committed (%lld frames)",
                    files.v[i], (long long)row.frames);
            catalog_segment_clear(&row);
            rep->files_indexed++;
        } else {
            ww_warn("recover", "%s: no row and nothing playable; removing", files.v[i]);
            strset_add(&remove, ww_strdup(abs));
            rep->files_removed++;
        }
        rec_scan_clear(&sc);
        free(abs);
    }
    if (rc || (rc = catalog_commit(cat))) { catalog_rollback(cat); goto out; }
    for (size_t i = 0; i < remove.n; i++) unlink(remove.v[i]);
out:
    strset_free(&known);
    strset_free(&remove);
    strset_free(&files);
    catalog_segment_list_free(rows, nrows);
    return rc;
}
