/*
 * export: evidence clips — one MP4 (remuxed, no transcoding, moov first
 * for "faststart") of a camera's recordings between two times, plus a
 * manifest JSON naming the camera, its owner and place, the range in local
 * time and UTC, the file's SHA-256, who exported it and when.  Every export
 * is registered in the catalog.
 *
 * Threads: export_clip runs on the caller's thread and blocks until the
 * file is complete; the catalog handle is the caller's.
 * Memory: export_result strings are owned by the result (export_result_clear).
 */
#ifndef WW_EXPORT_H
#define WW_EXPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "catalog/catalog.h"

struct export_req {
    const char *data_dir;
    catalog_t *cat;
    int64_t camera_id;
    const char *stream;            /* "main" (default) or "sub" */
    int64_t from_us, to_us;
    const char *out_path;          /* the MP4; the manifest is out_path + ".manifest.json" */
    int64_t user_id;               /* 0 for the CLI */
    const char *username;          /* who exports (CLI: the OS user) */
    const char *client_addr;       /* NULL for the CLI */
    void (*progress)(void *opaque, double fraction);
    void *opaque;
};

struct export_result {
    int64_t export_id, bytes, frames, first_us, last_us;
    char sha256[65];
    char *manifest_path;
    char *manifest_json;
};

/* 0, WW_ENOTFOUND (no such camera, or nothing recorded in the range),
 * WW_EPERM (the owner's consent does not cover export),
 * WW_EINVAL (bad range), -errno (cannot write the output). */
int export_clip(const struct export_req *req, struct export_result *res);
void export_result_clear(struct export_result *r);

/* SHA-256 of a file as lowercase hex (65 bytes with NUL): ww_sha256_file,
 * the program's one SHA-256; kept under this name for its callers. */
int export_sha256_file(const char *path, char out[65]);

#endif
