/*
 * export: evidence clips — one MP4 (remuxed, no transcoding, moov first
 * for "faststart") of a camera's recordings between two times, plus a
 * manifest JSON naming the camera, its owner and place, the range in local
 * time and UTC, the file's SHA-256, who exported it and when.  Every export
 * is registered in the catalog.
 *
 * Threads: export_clip runs on the caller's thread and blocks until the
 * file is complete; the catalog handle is the caller's.  It writes and
 * fsyncs, so it never runs on an HTTP or ingest thread (asserted): the API
 * calls export_clip_apart, which runs it on a worker thread and joins it.
 * Memory: export_result strings are owned by the result (export_result_clear).
 */
#ifndef WW_EXPORT_H
#define WW_EXPORT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

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
    int64_t audio_frames;      /* AAC frames of the sound track, 0 = none */
    char sha256[65];
    char *manifest_path;
    char *manifest_json;
};

/* 0, WW_ENOTFOUND (no such camera, or nothing recorded in the range),
 * WW_EPERM (the owner's consent does not cover export),
 * WW_EINVAL (bad range), -errno (cannot write the output). */
int export_clip(const struct export_req *req, struct export_result *res);
/* export_clip on a thread of its own (role WW_THREAD_WORKER), joined before
 * it returns: for callers on a thread that must not fsync (HTTP).  The
 * catalog handle in req is used by the worker while the caller waits.
 * Same answers, or -errno when the thread cannot start. */
int export_clip_apart(const struct export_req *req, struct export_result *res);
void export_result_clear(struct export_result *r);

/* SHA-256 of a file as lowercase hex (65 bytes with NUL): ww_sha256_file,
 * the program's one SHA-256; kept under this name for its callers. */
int export_sha256_file(const char *path, char out[65]);

/* ---- the station's signing key (sign.c) -------------------------------------
 * One Ed25519 key pair per station (libsodium crypto_sign), kept in
 * DATA/station.key beside the catalog: mode 0600, compact JSON with the
 * station's id and name and both keys in base64.  The data folder is never
 * served over HTTP (static.c serves web/ and a few vendor packages only).
 * Public key: standard base64 (with padding, 44 characters) of the 32 raw
 * bytes.  Fingerprint: lowercase hex SHA-256 of those 32 bytes; its short
 * form (for people, on paper) is the first 16 hex digits in groups of four.
 * See docs/decisions/008-signed-evidence.md.
 *
 * Threads: any; the functions keep no state.  The secret key lives only in
 * the caller's struct export_key: export_key_wipe zeroes it. */
#define EXPORT_KEY_FILE "station.key"
struct export_key {
    uint8_t pk[32];
    uint8_t sk[64];            /* zero unless has_secret */
    bool has_secret;
    char station_id[40];       /* "st-" + 16 hex digits, random at creation */
    char station_name[128];
    char public_b64[48];
    char fingerprint[65];
    char short_fpr[24];        /* "abcd-ef01-2345-6789" */
};
/* "<data>/station.key"; caller frees. */
char *export_key_path(const char *data_dir);
/* 0, WW_ENOTFOUND (no key file), WW_ECORRUPT (unreadable content), -errno. */
int export_key_load(const char *data_dir, struct export_key *k);
/* Creates a new key pair atomically (a key already there is never replaced:
 * WW_ECONFLICT).  station_name: NULL → the host name; at most 100 bytes. */
int export_key_create(const char *data_dir, const char *station_name, struct export_key *k);
/* Loads the key, creating it first if there is none (*created says which;
 * the creation is logged once, by this call). */
int export_key_ensure(const char *data_dir, struct export_key *k, bool *created);
void export_key_wipe(struct export_key *k);
/* Fills a public-only key (b64 + fingerprints) from 32 raw bytes. */
void export_key_from_public(const uint8_t pk[32], struct export_key *k);
/* A public key given by a person: base64 (44 chars), hex (64), the JSON
 * printed by `key show --json`, or a file holding any of these.
 * 0 or WW_EINVAL. */
int export_key_parse_public(const char *text, struct export_key *k);

/* ---- signed manifests (sign.c) ----------------------------------------------
 * Canonical bytes of a manifest: jansson's compact dump with keys sorted
 * (JSON_COMPACT | JSON_SORT_KEYS: no whitespace, UTF-8 as is, '/' not
 * escaped), no trailing newline.  The manifest file holds exactly these
 * bytes and the signature is over exactly the file's bytes, so a verifier
 * never re-serialises anything.  The signature sidecar is "<manifest>.sig":
 * compact JSON {algorithm:"Ed25519", kind, key_fingerprint, public_key,
 * signature (base64 of the 64-byte detached signature), signed_file}. */
/* Adds the station block {id, name, public_key, key_fingerprint} and the
 * sidecar's name ("signature") to m, writes the canonical bytes to path and
 * the signature to path + ".sig" (both fsynced).  *canonical (may be NULL)
 * gets the bytes written (heap, caller frees).  0 or -errno / WW_E*. */
int export_manifest_write_signed(const struct export_key *k, json_t *m, const char *path,
                                 char **canonical);
/* The sidecar JSON (heap, compact) for msg signed by k (needs the secret). */
char *export_sign_detached(const struct export_key *k, const void *msg, size_t n,
                           const char *signed_file);
/* Checks a sidecar's signature over msg.  On success *signer gets the
 * sidecar's public key.  0, or WW_ECORRUPT (the sidecar does not parse) /
 * WW_EAUTH (the signature does not match msg). */
int export_sig_check(const char *sig_json, const void *msg, size_t n, struct export_key *signer);

/* ---- verifying (verify.c) ---------------------------------------------------
 * Checks an export (FILE.mp4 or its manifest), a bundle folder, a bundle
 * .tar, or a folder of exports: signatures against `trusted` (NULL: no key
 * is trusted, every signature is "unknown key") and every SHA-256.  Each
 * check is reported to line (may be NULL) as one sentence for people, ok or
 * not; res gets the count and the first failure.  0 when everything holds,
 * WW_ECORRUPT otherwise.  Any thread; blocks for the hashing. */
typedef void (*export_verify_line_fn)(void *ud, bool ok, const char *line);
struct export_verify_result {
    int failures, clips;
    char first_failure[600];
    char signer_fingerprint[65];
    char station[128];
};
int export_verify(const char *path, const struct export_key *trusted, export_verify_line_fn line, void *ud,
                  struct export_verify_result *res);

#endif
