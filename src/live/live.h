/*
 * live: fragmented MP4 for the browser's Media Source Extensions — live
 * streams (one fragmenter per camera stream, shared by every viewer) and
 * recorded playback (remuxed from the segment files, no transcoding).
 *
 * Live design: a live_feed subscribes to a stream's hub when its first
 * viewer arrives and unsubscribes when its last one leaves.  It muxes each
 * frame once into moof+mdat fragments of ~150 ms and keeps them in a ring;
 * viewers only copy bytes out.  A new viewer starts with the init segment
 * and the fragments since the last keyframe (the hub replays its GOP cache
 * into a new feed, so even the first viewer starts at once).  Drop policy:
 * a viewer that falls behind the ring skips to the newest keyframe
 * fragment — it never slows the feed or ingest.
 *
 * Threads: live_feed_acquire/release and live_viewer_* may be called from
 * any thread (HTTP connection threads); feed callbacks run on the ingest
 * thread and only append to the ring.
 *
 * Memory: a viewer owns its refs to fragments (AVBufferRef); free it with
 * live_viewer_free (NULL-safe).
 */
#ifndef WW_LIVE_H
#define WW_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <libavcodec/avcodec.h>

#include "catalog/catalog.h"
#include "hub/hub.h"

/* ---- fMP4 in memory (shared by live and playback) ------------------------ */
struct fmp4_mux;
/* Opens a muxer for one video stream; *init gets the init segment
 * (ftyp+moov).  t0_us is the wall time of media time 0. */
int fmp4_mux_open(const AVCodecParameters *par, int64_t t0_us, struct fmp4_mux **out,
                  AVBufferRef **init);
/* The same with a sound track (AAC) as stream 1 (apar NULL: video only). */
int fmp4_mux_open_av(const AVCodecParameters *par, const AVCodecParameters *apar, int64_t t0_us,
                     struct fmp4_mux **out, AVBufferRef **init);
/* Adds an audio frame (a muxer opened with apar; else ignored): written at
 * once, it goes out in the next fragment; frames before t0 are left out. */
int fmp4_mux_audio(struct fmp4_mux *m, const AVPacket *pkt, int64_t wall_us);
/* Fragments hold up to max_frag_us of frames (0, the default: one frame
 * each), and always end before a keyframe. */
void fmp4_mux_set_fragment(struct fmp4_mux *m, int64_t max_frag_us);
/* Adds a frame.  Frames are held back one at a time to learn their
 * duration; when a fragment completes it comes out in *frag (NULL if none
 * yet); *frag_key tells if it starts with a keyframe. */
int fmp4_mux_packet(struct fmp4_mux *m, const AVPacket *pkt, int64_t wall_us, bool key,
                    AVBufferRef **frag, bool *frag_key);
/* Emits the held-back frame. */
int fmp4_mux_flush(struct fmp4_mux *m, AVBufferRef **frag, bool *frag_key);
void fmp4_mux_close(struct fmp4_mux *m);
/* The MSE codecs string for these parameters ("avc1.640028", "hvc1.1.6.L120.B0"). */
void fmp4_codec_string(const AVCodecParameters *par, char *buf, size_t n);
/* With the sound track's: "avc1.640028,mp4a.40.2" (apar NULL: as above). */
void fmp4_codec_string_av(const AVCodecParameters *par, const AVCodecParameters *apar, char *buf, size_t n);

/* ---- live ----------------------------------------------------------------- */
typedef struct live_feed live_feed_t;
typedef struct live_viewer live_viewer_t;

/* The shared feed of a hub (created on first use).  Takes its own hub
 * reference semantics from the caller: the caller keeps the hub alive
 * until live_feed_release. */
live_feed_t *live_feed_acquire(hub_t *hub);
void live_feed_release(live_feed_t *f);
/* Waits up to timeout_us for the stream to be running; fills the codec
 * string and the wall time of media time 0.  -EAGAIN if it is not. */
int live_feed_wait_ready(live_feed_t *f, int64_t timeout_us, char *codec, size_t n, int64_t *t0_us);

live_viewer_t *live_viewer_new(live_feed_t *f);
/* Copies up to max bytes of the stream into buf.  Returns bytes (> 0), 0 if
 * nothing arrived within wait_us, or WW_EOF once the stream has ended (the
 * camera's session stopped; a new session needs a new request because the
 * codec may have changed). */
ssize_t live_viewer_read(live_viewer_t *v, uint8_t *buf, size_t max, int64_t wait_us);
/* Live viewers open now in this process, over every feed (a wall tile is
 * one viewer of its camera).  Any thread. */
int64_t live_viewers_open(void);
/* Fragments skipped because the viewer fell behind. */
int64_t live_viewer_dropped(const live_viewer_t *v);
void live_viewer_free(live_viewer_t *v);
/* Number of fragments muxed by the feed (for tests of "one fragmenter per
 * stream"). */
int64_t live_feed_fragments(live_feed_t *f);

/* ---- playback of recordings ------------------------------------------------- */
typedef struct live_playback live_playback_t;
/* Opens a playback stream of a stream's recordings from the keyframe at or
 * before at_us up to to_us (0 = as far as recorded).  Opens its own
 * catalog connection (db_path).  *t0_us = wall time of media time 0;
 * codec gets the MSE codecs string.  WW_ENOTFOUND if nothing is recorded
 * at or after at_us. */
int live_playback_open(const char *data_dir, const char *db_path, int64_t stream_id,
                       int64_t at_us, int64_t to_us, live_playback_t **out, int64_t *t0_us,
                       char *codec, size_t n);
/* Like live_viewer_read: bytes, or WW_EOF at the end. */
ssize_t live_playback_read(live_playback_t *p, uint8_t *buf, size_t max);
void live_playback_free(live_playback_t *p);

#endif
