/*
 * catalog: the SQLite catalog — schema, migrations and every SQL statement
 * wardwatch runs.  Nothing outside src/catalog/ sees SQL or sqlite3.h, so a
 * second backend (PostgreSQL for many stations) is one folder's work.
 *
 * Surface: this header (connection, transactions, wards, cameras, streams,
 * segments, gaps) plus one area header per later resource
 * (catalog/cat_<area>.h), each owned by the module that uses it.
 *
 * Threads: a catalog_t is one SQLite connection and is used by one thread at
 * a time.  Each thread that needs the catalog opens its own (WAL mode lets
 * readers run beside the one writer; busy_timeout absorbs short waits).
 *
 * Memory: structs filled by catalog_* own their strings; release them with
 * the matching *_clear / *_free.  catalog_close(NULL) is a no-op.
 *
 * Errors: 0 or a negative WW_E* code; WW_EDB failures are logged here with
 * SQLite's message, once.
 */
#ifndef WW_CATALOG_H
#define WW_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct catalog catalog_t;

/* One schema migration; the table is generated from schema/NNN_*.sql. */
struct catalog_migration { int version; const char *name; const char *sql; };
extern const struct catalog_migration catalog_migrations[];

enum {
    CATALOG_CREATE   = 1 << 0, /* create the file and apply migrations */
    CATALOG_READONLY = 1 << 1,
};
/* Opens (and with CATALOG_CREATE creates) the catalog and brings its schema
 * up to date.  Opening an existing catalog also applies pending migrations.
 * A missing file without CATALOG_CREATE → -ENOENT. */
int  catalog_open(const char *path, int flags, catalog_t **out);
void catalog_close(catalog_t *cat);
int  catalog_schema_version(catalog_t *cat);
/* catalog_open refuses a catalog whose schema_migrations holds a version
 * newer than catalog_schema_known() with WW_ENEWER, having written nothing
 * to the file (nothing is logged: the caller words it, with
 * catalog_schema_of_file for the file's number). */
int  catalog_schema_known(void);   /* the newest migration this binary has */
/* The newest migration recorded in the catalog file at path (0 when it has
 * none), read without changing the file.  0 or WW_EDB. */
int  catalog_schema_of_file(const char *path, int *version);

int catalog_begin(catalog_t *cat);   /* BEGIN IMMEDIATE */
int catalog_commit(catalog_t *cat);
void catalog_rollback(catalog_t *cat);
/* A savepoint inside the open transaction (not nested): release keeps what
 * was done since, rollback undoes only that and ends the savepoint. */
int catalog_savepoint(catalog_t *cat);
int catalog_savepoint_release(catalog_t *cat);
void catalog_savepoint_rollback(catalog_t *cat);
/* SQLite's message for the last failure on this connection (valid until
 * the next call on it). */
const char *catalog_last_error(catalog_t *cat);

/* Key/value settings (e.g. the secret-box key id, first-run flags). */
int catalog_setting_get(catalog_t *cat, const char *key, char **out); /* WW_ENOTFOUND */
int catalog_setting_set(catalog_t *cat, const char *key, const char *value);

/* ---- wards ------------------------------------------------------------- */
struct catalog_ward { int64_t id; char *name, *district, *province; };
void catalog_ward_clear(struct catalog_ward *w);
int catalog_ward_add(catalog_t *cat, struct catalog_ward *w);          /* sets w->id */
int catalog_ward_find(catalog_t *cat, const char *name, int64_t *id);
int catalog_ward_list(catalog_t *cat, struct catalog_ward **out, size_t *n);
void catalog_ward_list_free(struct catalog_ward *v, size_t n);

/* ---- cameras ----------------------------------------------------------- */
struct catalog_camera {
    int64_t id;
    char *name, *address;
    bool has_pos; double latitude, longitude;
    int64_t ward_id;              /* 0 = none */
    char *main_url, *sub_url;     /* never contain credentials */
    char *username, *password;    /* password is a secret: never print it */
    char *transport;              /* "tcp" (default) or "udp" */
    bool enabled;
    int retention_days;
    double direction_deg;         /* viewing direction, <0 = unknown */
    int64_t created_us;
    bool auth_basic_allowed;      /* the password may go out in clear (RTSP Basic) */
    char *snapshot_url;           /* http(s) still image (ONVIF GetSnapshotUri), NULL = none;
                                   * never contains credentials; shown like the stream URLs */
    bool audio;                   /* record the camera's sound track too (default off:
                                   * needs the owner's and ward's agreement) */
};
void catalog_camera_clear(struct catalog_camera *c);
/* Sets c->id.  WW_ECONFLICT (not logged) if c's main or sub URL names the
 * device of another camera (catalog_camera_device_owner). */
int catalog_camera_add(catalog_t *cat, struct catalog_camera *c);
int catalog_camera_get(catalog_t *cat, int64_t id, struct catalog_camera *out);
int catalog_camera_list(catalog_t *cat, struct catalog_camera **out, size_t *n);
void catalog_camera_list_free(struct catalog_camera *v, size_t n);
int catalog_camera_remove(catalog_t *cat, int64_t id);             /* rows only */
/* One camera device = one row (issue 11 item 2): the id of a camera other
 * than except_id whose main or sub URL has the device key
 * (ww_rtsp_device_key) of main_url or sub_url (either may be NULL), in
 * *other_id; 0 if there is none.  Run it in the transaction that writes. */
int catalog_camera_device_owner(catalog_t *cat, const char *main_url, const char *sub_url,
                                int64_t except_id, int64_t *other_id);

/* ---- streams ----------------------------------------------------------- */
/* Returns the id of the (camera, kind) stream, creating it if needed.
 * kind is "main" or "sub". */
int catalog_stream_ensure(catalog_t *cat, int64_t camera_id, const char *kind, int64_t *id);
int catalog_stream_find(catalog_t *cat, int64_t camera_id, const char *kind, int64_t *id);
/* 1 if the stream row exists, 0 if not (its camera was removed), or <0. */
int catalog_stream_exists(catalog_t *cat, int64_t stream_id);

/* ---- segments ---------------------------------------------------------- *
 * A segment row describes one fMP4 file.  Its life: the syncer upserts the
 * row (state GROWING) after the file's bytes are fsynced, updates it at each
 * group commit, and marks it CLOSED when the writer closes the file.
 * Retention marks DELETING in one transaction, unlinks, then deletes the row;
 * recovery finishes any DELETING row it finds. */
enum catalog_seg_state { CATALOG_SEG_GROWING = 0, CATALOG_SEG_CLOSED = 1, CATALOG_SEG_DELETING = 2 };
struct catalog_segment {
    int64_t id, stream_id, camera_id;
    int64_t start_us, end_us;      /* wall clock, UTC */
    char *path;                    /* relative to the data folder */
    int64_t bytes, frames;
    char *codec;                   /* "h264", "hevc" */
    uint8_t *frag_index;           /* packed fragment index, see record.h */
    size_t frag_index_len;
    int state;
};
void catalog_segment_clear(struct catalog_segment *s);
void catalog_segment_list_free(struct catalog_segment *v, size_t n);
/* Insert or update by path; sets s->id.  A row the schema refuses (its
 * stream is gone, a bad span) → WW_ECONFLICT, not logged here: the caller
 * logs it once with its camera (see catalog_last_error). */
int catalog_segment_upsert(catalog_t *cat, struct catalog_segment *s);
int catalog_segment_set_state(catalog_t *cat, int64_t id, int state);
int catalog_segment_delete(catalog_t *cat, int64_t id);
/* Segments of a stream overlapping [from, to), oldest first. */
int catalog_segment_range(catalog_t *cat, int64_t stream_id, int64_t from_us, int64_t to_us,
                          struct catalog_segment **out, size_t *n);
/* Every segment (for check/recover), or those in a given state (-1 = all). */
int catalog_segment_all(catalog_t *cat, int state, struct catalog_segment **out, size_t *n);
/* Oldest segments overall (retention by quota), or of one camera older than
 * a cut-off (retention by days).  Excludes GROWING segments and every
 * segment under a hold in force (cat_evidence.h): retention deletes only
 * what this returns. */
int catalog_segment_oldest(catalog_t *cat, int64_t camera_id, int64_t before_us, size_t limit,
                           struct catalog_segment **out, size_t *n);
int catalog_segment_total_bytes(catalog_t *cat, int64_t camera_id, int64_t *bytes);
/* Bytes of a camera's (0 = all) recordings that start at or after since_us:
 * the write rate, for the retention plan. */
int catalog_segment_bytes_since(catalog_t *cat, int64_t camera_id, int64_t since_us, int64_t *bytes);
/* Oldest start time of a camera's recordings, 0 if none. */
int catalog_segment_oldest_start(catalog_t *cat, int64_t camera_id, int64_t *start_us);

/* ---- gaps ---------------------------------------------------------------
 * A gap is a span the recorder knows it did not record, with the reason
 * (camera offline, disk full, no consent…).  Spans between segments with
 * no gap row are reported by `recordings` as gaps of unknown reason
 * (catalog_gap_holes). */
struct catalog_gap { int64_t stream_id, start_us, end_us; char *reason; };
/* WW_ECONFLICT (not logged) when the stream is gone. */
int catalog_gap_add(catalog_t *cat, int64_t stream_id, int64_t start_us, int64_t end_us,
                    const char *reason);
int catalog_gap_range(catalog_t *cat, int64_t stream_id, int64_t from_us, int64_t to_us,
                      struct catalog_gap **out, size_t *n);
void catalog_gap_list_free(struct catalog_gap *v, size_t n);
/* The gaps a timeline shows, from one stream's segments and gap rows (both
 * in start order, as the range calls return them): every hole longer than
 * min_us between two segments, with the reason of the gap row that overlaps
 * it (NULL: none, e.g. the recorder was not running), and the gap rows that
 * lie before the first segment or after the last (a disk that filled again
 * right after it was freed, a camera that never came back), touching rows of
 * one reason merged.  Pure; *out is the caller's (catalog_gap_list_free). */
void catalog_gap_holes(const struct catalog_segment *v, size_t n, const struct catalog_gap *g, size_t ng,
                       int64_t min_us, struct catalog_gap **out, size_t *nout);

/* ---- consent (read side; the register is catalog/cat_community.h) ------------
 * What a camera may be used for at time t — the one consent rule, deny by
 * default:
 *   - a camera with an owner (owned) may be used only as the agreement in
 *     force at t says; no agreement in force → nothing;
 *   - a camera without an owner and without any agreement on file is the
 *     station's own (station_own): everything;
 *   - a camera without an owner that has agreements on file follows them
 *     (an owner who was removed: ON DELETE SET NULL must not free it);
 *   - an unknown camera: nothing.
 * until_us is the end of the agreement in force (0 = open or none); a
 * stream opened under it must end there. */
struct catalog_consent_now {
    bool owned, has_rows, in_force, station_own;
    bool live, record, export_, playback;
    int64_t until_us;
};
int catalog_consent_at(catalog_t *cat, int64_t camera_id, int64_t t_us, struct catalog_consent_now *out);

/* ---- exports ------------------------------------------------------------- */
struct catalog_export {
    int64_t id, camera_id, from_us, to_us, first_us, last_us, bytes, frames, user_id, created_us;
    char *stream, *path, *sha256, *manifest, *username;
};
void catalog_export_clear(struct catalog_export *e);
void catalog_export_list_free(struct catalog_export *v, size_t n);
int catalog_export_add(catalog_t *cat, struct catalog_export *e);       /* sets e->id */
int catalog_export_get(catalog_t *cat, int64_t id, struct catalog_export *out);
/* Newest first; camera_id 0 = all. */
int catalog_export_list(catalog_t *cat, int64_t camera_id, size_t limit, struct catalog_export **out,
                        size_t *n);
/* The exports whose file has this SHA-256 (hex, any case), oldest first. */
int catalog_export_by_sha256(catalog_t *cat, const char *sha256, struct catalog_export **out, size_t *n);

#endif
