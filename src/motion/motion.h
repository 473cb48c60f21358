/*
 * motion: motion detection on a camera's sub stream.
 *
 *   packets ──► motion_decoder (libavcodec, as few frames as the rate needs)
 *                    │ Y plane, wall-clock µs
 *                    ▼
 *               motion_detector (pure C: cell grid, background model,
 *                    │           illumination rejection, zones, events)
 *                    ▼
 *               on_event callback: opened / closed (+ JPEG of the peak frame)
 *
 * The detector knows nothing about FFmpeg; the decoder knows nothing about
 * the catalog.  Storing events is the caller's job (catalog/cat_events.h).
 *
 * Ownership: every object here is created by *_new and released by *_free,
 * which accepts NULL.  Strings and buffers handed back say who frees them.
 * A motion_decoder borrows its detector: the caller creates the detector,
 * keeps it alive at least as long as the decoder, and frees it after.
 *
 * Threads: a detector and a decoder are driven by one thread at a time (the
 * stream's ingest/motion thread).  The exceptions are motion_detector_set_config
 * and motion_detector_set_zones, which are safe from any thread while another
 * thread feeds: they stage the change under a mutex and the feeding thread
 * picks it up at its next frame.  motion_detector_get_state is also safe from
 * any thread.
 *
 * Errors: 0 or a negative WW_E* / -errno code (base/base.h).
 */
#ifndef WW_MOTION_H
#define WW_MOTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- settings --------------------------------------------------------- */
struct motion_config {
    bool enabled;             /* false: frames are ignored, open event is closed */
    int sensitivity;          /* 1 (only big, contrasted motion) .. 100 (anything) */
    double min_area_pct;      /* share of a zone's area that must change, 0.01..100 */
    double rate_fps;          /* frames analysed per second, 0.2..30 */
    bool keyframes_only;      /* decoder: decode keyframes only (cheapest) */
    int64_t pre_roll_us;      /* event start = first motion − pre-roll */
    int64_t post_roll_us;     /* event end = last motion + post-roll */
    int64_t merge_gap_us;     /* motion again within this gap continues the event */
    int64_t min_duration_us;  /* shorter bursts of motion are dropped */
    int64_t max_duration_us;  /* a longer event is cut and a new one begins */
};

/* The option table: name, type, default, range and help in one place, so the
 * CLI, the API and the catalog speak the same names. */
enum motion_opt_type { MOTION_OPT_BOOL, MOTION_OPT_INT, MOTION_OPT_DOUBLE, MOTION_OPT_DURATION };
struct motion_option {
    const char *name;        /* "sensitivity", "min_area", "rate", … */
    enum motion_opt_type type;
    size_t offset;           /* into struct motion_config */
    double def, min, max;    /* durations in seconds */
    const char *help;
};
extern const struct motion_option motion_options[]; /* ends with name == NULL */

void motion_config_default(struct motion_config *cfg);
/* WW_EINVAL if any field is out of its range. */
int motion_config_check(const struct motion_config *cfg);
/* Sets one option by name from text ("50", "true", "2.5"); WW_EINVAL for an
 * unknown name or a bad or out-of-range value. */
int motion_config_set(struct motion_config *cfg, const char *name, const char *value);

/* ---- zones -------------------------------------------------------------
 * Polygons in normalised frame coordinates (0..1, x right, y down).  An
 * include zone limits where motion counts; a mask removes an area (a tree, a
 * flickering sign, a neighbour's window) and always wins over includes.  With
 * no include zone the whole frame counts, under the name "all". */
enum { MOTION_MAX_ZONES = 16, MOTION_MAX_POINTS = 64, MOTION_ZONE_NAME_MAX = 64 };
enum motion_zone_kind { MOTION_ZONE_INCLUDE, MOTION_ZONE_MASK };
struct motion_point { double x, y; };
struct motion_zone {
    char name[MOTION_ZONE_NAME_MAX];
    enum motion_zone_kind kind;
    int n_points;                         /* 3..MOTION_MAX_POINTS */
    struct motion_point points[MOTION_MAX_POINTS];
};
struct motion_zones {
    int n;
    struct motion_zone zone[MOTION_MAX_ZONES];
};

/* Parses {"zones":[{"name":"gate","kind":"include"|"mask",
 * "points":[[x,y],…]},…]} (also accepts the bare array, and "polygon" as a
 * synonym for "points").  Bounds are checked:
 * ≤ MOTION_MAX_ZONES zones, 3..MOTION_MAX_POINTS points in 0..1, names
 * < MOTION_ZONE_NAME_MAX bytes.  On WW_EINVAL, err (if given) receives a heap
 * string saying what is wrong; the caller frees it. */
int motion_zones_parse(const char *json, struct motion_zones *out, char **err);
/* Serialises back to the JSON form above; the caller frees the string. */
char *motion_zones_to_json(const struct motion_zones *z);
/* Even-odd point-in-polygon test in normalised coordinates. */
bool motion_zone_contains(const struct motion_zone *z, double x, double y);

/* ---- detector ---------------------------------------------------------- */
struct motion_detector;

struct motion_event {
    int64_t start_us, end_us;                 /* with pre/post-roll (for playback) */
    int64_t motion_start_us, motion_end_us;   /* first and last frame with motion */
    int64_t peak_us;                          /* time of the frame with the peak score */
    double peak_score;                        /* 0..1: share of the zone that changed */
    char zone[MOTION_ZONE_NAME_MAX];          /* zone of the peak */
};

/* What a fed frame did; motion_detector_feed returns a bitwise OR. */
enum {
    MOTION_FED    = 1 << 0, /* the frame was analysed (not skipped by rate/disabled) */
    MOTION_OPENED = 1 << 1, /* an event began (ev_out: start, zone, peak so far) */
    MOTION_PEAK   = 1 << 2, /* this frame is the (possibly opening) event's new peak: keep it
                             * for the thumbnail, replacing any frame kept before */
    MOTION_CLOSED = 1 << 3, /* an event ended; ev_out holds it.  At max_duration the
                             * event is cut and the next piece is open at once
                             * (CLOSED | PEAK, no OPENED): consecutive events */
};

/* Live view of a detector, e.g. for a level meter in the console. */
struct motion_state {
    double score;          /* last analysed frame's best zone score */
    bool in_event;
    int64_t frames;        /* analysed so far */
    int64_t illumination_resets; /* global lighting changes absorbed */
    bool paused;           /* motion_detector_set_paused: nothing is analysed */
};

int  motion_detector_new(const struct motion_config *cfg, struct motion_detector **out);
void motion_detector_free(struct motion_detector *det);
/* Safe from any thread; takes effect at the next fed frame.  WW_EINVAL for a
 * bad config (the old one stays). */
int  motion_detector_set_config(struct motion_detector *det, const struct motion_config *cfg);
int  motion_detector_set_zones(struct motion_detector *det, const struct motion_zones *z);
/* Copies the config in force (or staged) — safe from any thread. */
void motion_detector_get_config(struct motion_detector *det, struct motion_config *cfg);
void motion_detector_get_state(struct motion_detector *det, struct motion_state *st);
/* Pause (the engine: the owner's recording consent is not in force).  Safe
 * from any thread; takes effect at the next fed frame or pushed packet.
 * While paused nothing is analysed: feed closes an open event (its frames
 * were all seen before the pause) and then returns 0 for every frame, and a
 * decoder on this detector does not even decode.  Resuming re-seeds the
 * background model (the scene may have changed meanwhile) and the decoder
 * starts again at the next keyframe.  A new detector is not paused. */
void motion_detector_set_paused(struct motion_detector *det, bool paused);
bool motion_detector_paused(struct motion_detector *det);

/* Feeds one 8-bit luma plane taken at t_us (any monotonic µs clock: wall
 * clock for live streams, file time for scans).  Frames closer together
 * than the analysis rate are skipped cheaply; a size change re-seeds the
 * model.  Returns the MOTION_* bits above (0 = skipped), or WW_EINVAL for a
 * bad plane.  ev_out must not be NULL. */
int motion_detector_feed(struct motion_detector *det, const uint8_t *luma, int w, int h,
                         int stride, int64_t t_us, struct motion_event *ev_out);
/* Ends the open event, if any and long enough: returns MOTION_CLOSED with
 * ev_out filled, or 0.  The model is kept. */
int motion_detector_flush(struct motion_detector *det, struct motion_event *ev_out);

/* ---- decoder front end (libavcodec) -------------------------------------
 * Decodes a sub stream with everything that costs and does not help motion
 * turned off: non-reference frames skipped (non-key frames too in
 * keyframes-only mode, where non-key packets are not even parsed), no loop
 * filter, FLAG2_FAST, one thread, no colour conversion or scaling.  The Y
 * plane of each decoded frame goes straight to the detector. */
struct motion_decoder;
struct AVCodecParameters;
struct AVPacket;
struct AVFrame;

enum { MOTION_CB_OPENED = 1, MOTION_CB_CLOSED = 2 };
/* Called on the pushing thread.  For MOTION_CB_CLOSED, jpeg/jpeg_len hold a
 * thumbnail of the peak frame (NULL/0 if thumbnails are off or it failed);
 * the buffer is the decoder's, valid only during the call. */
typedef void (*motion_event_cb)(void *opaque, int what, const struct motion_event *ev,
                                const uint8_t *jpeg, size_t jpeg_len);

struct motion_decoder_opts {
    int time_base_num, time_base_den; /* of packet pts (needed to place B-frames); 0 = unknown */
    bool thumbnails;                  /* make a JPEG of each event's peak frame */
    int jpeg_quality;                 /* 1..100, 0 = 80 */
    motion_event_cb on_event;         /* may be NULL */
    void *opaque;
    const char *log_ctx;              /* e.g. "motion cam=3/sub"; copied */
};

/* par: the stream's codec parameters (codec id and extradata suffice; from an
 * RTSP SDP or a file's header).  The detector is borrowed.  Fails with
 * WW_EAV for a codec libavcodec cannot open (not logged: the caller knows
 * which camera it is and decides). */
int  motion_decoder_new(const struct AVCodecParameters *par, struct motion_detector *det,
                        const struct motion_decoder_opts *opts, struct motion_decoder **out);
void motion_decoder_free(struct motion_decoder *dec);
/* Decodes one packet stamped with the wall-clock µs it was received at; the
 * packet is not kept (the caller still owns it).  Corrupt data is counted and
 * logged (rate-limited), not returned: 0, or WW_EAV for a decoder that is
 * broken beyond use. */
int  motion_decoder_push(struct motion_decoder *dec, const struct AVPacket *pkt, int64_t wall_us);
/* End of stream: drains the decoder and closes the open event. */
int  motion_decoder_finish(struct motion_decoder *dec);
struct motion_decoder_stats {
    int64_t packets, packets_skipped, frames_decoded, frames_analysed, decode_errors, events;
};
void motion_decoder_get_stats(struct motion_decoder *dec, struct motion_decoder_stats *st);

/* ---- thumbnails ---------------------------------------------------------
 * JPEG of a decoded 8-bit YUV frame (4:2:0, 4:2:2, 4:4:4 or gray: the planes
 * go to libturbojpeg as they are, no swscale); other formats give a gray
 * JPEG of the luma.  Frames wider than max_width (0 = no limit) are halved
 * until they fit.  *out is heap memory the caller frees with free(). */
int motion_snapshot_jpeg(const struct AVFrame *frame, int quality, int max_width,
                         uint8_t **out, size_t *out_len);
/* Same from raw planes; chroma_shift_x/y are 1/1 (4:2:0), 1/0 (4:2:2),
 * 0/0 (4:4:4); planes[1] == NULL means gray. */
int motion_snapshot_planes(const uint8_t *const planes[3], const int strides[3], int w, int h,
                           int chroma_shift_x, int chroma_shift_y, int quality, int max_width,
                           uint8_t **out, size_t *out_len);

/* ---- file scan ----------------------------------------------------------
 * Runs decoder + detector over a video file, calling on_event for each event
 * (times in µs from the file's first frame; with thumbnails, closed events
 * carry a JPEG of their peak frame).  For a file that cannot be
 * opened or has no video: -errno / WW_EAV / WW_EINVAL, not logged (the
 * caller decides); *err (may be NULL) gets a heap string saying why, which
 * the caller frees.  stats may be NULL. */
struct motion_scan_stats { int64_t duration_us, frames_analysed; int width, height; };
int motion_scan_file(const char *path, const struct motion_config *cfg,
                     const struct motion_zones *zones, bool thumbnails, motion_event_cb on_event,
                     void *opaque, struct motion_scan_stats *stats, char **err);

#endif
