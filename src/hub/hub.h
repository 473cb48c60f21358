/*
 * hub: one per camera stream — fans packets from the ingest thread out to
 * the consumers (record, live, motion) and keeps the last GOP so a new live
 * viewer starts at once.
 *
 * Threads: hub_publish / hub_start / hub_stop are called by the stream's
 * ingest thread only.  hub_subscribe / hub_unsubscribe / hub_get_params may
 * be called from any thread.  Subscriber callbacks run on the ingest thread
 * with the hub's lock held: they must be quick (write to the page cache,
 * or push a ref into their own bounded queue) and must not call back into
 * the hub.  A slow consumer is the consumer's problem: it drops by its own
 * written policy, never by blocking ingest.
 *
 * Audio (issue 12 item 6): a session may have a sound track (AAC).  Its
 * packets (stream 1) and parameters go only to subscribers that asked with
 * hub_want_audio / hub_subscribe_av (the recorder, live); others (motion)
 * never see them.  Audio is not kept
 * in the GOP cache: a replayed subscriber starts with the next audio frame.
 *
 * Memory: packets handed to callbacks are borrowed for the duration of the
 * call; a consumer that keeps one takes its own reference (av_packet_ref /
 * av_packet_clone).  hub_free(NULL) is a no-op.
 */
#ifndef WW_HUB_H
#define WW_HUB_H

#include <stdbool.h>
#include <stdint.h>

#include <libavcodec/avcodec.h>

typedef struct hub hub_t;

enum hub_event {
    HUB_START,   /* a new session: parameters are available (hub_get_params) */
    HUB_PACKET,  /* pkt/wall_us/key/stream valid */
    HUB_STOP,    /* the session ended; reason says why */
};

struct hub_msg {
    enum hub_event ev;
    const AVPacket *pkt;
    int64_t wall_us;
    bool key;
    const char *reason;  /* HUB_STOP only */
    const AVCodecParameters *par; /* HUB_START only: the session's parameters */
    AVRational tb;                /* HUB_START only: time base of pkt->pts/dts */
    int stream;                   /* HUB_PACKET: 0 video, 1 audio (key is false) */
    const AVCodecParameters *apar; /* HUB_START: the audio's parameters, NULL = none */
    AVRational atb;               /* HUB_START with apar: the audio packets' time base */
};

typedef void (*hub_cb)(void *opaque, const struct hub_msg *m);

/* ctx names the stream in logs ("cam=3/main"); copied. */
hub_t *hub_new(const char *ctx);
void hub_free(hub_t *h);
/* An opaque pointer for the hub's owner (the engine's stream). */
void hub_set_owner(hub_t *h, void *owner);
void *hub_owner(const hub_t *h);

/* Subscribes; with replay, a running session's HUB_START and cached GOP are
 * delivered at once (from the caller's thread, under the hub lock) so the
 * subscriber starts at a keyframe.  Returns a subscription id (> 0). */
int hub_subscribe(hub_t *h, hub_cb cb, void *opaque, bool replay);
/* The same, with audio (as hub_want_audio, but already in the replayed
 * HUB_START: a live feed joining a running session gets its apar). */
int hub_subscribe_av(hub_t *h, hub_cb cb, void *opaque, bool replay, bool audio);
void hub_unsubscribe(hub_t *h, int id);
/* The subscription id also gets audio: HUB_START's apar and stream-1
 * packets (from the next HUB_START on). */
void hub_want_audio(hub_t *h, int id);
int hub_subscribers(hub_t *h);

/* Copies the current session's parameters; -EAGAIN when no session runs. */
int hub_get_params(hub_t *h, AVCodecParameters *par, AVRational *tb);

/* Ingest side. */
void hub_start(hub_t *h, const AVCodecParameters *par, AVRational tb);
void hub_publish(hub_t *h, const AVPacket *pkt, int64_t wall_us, bool key);
/* A session with audio: apar NULL is hub_start. */
void hub_start_av(hub_t *h, const AVCodecParameters *par, AVRational tb, const AVCodecParameters *apar,
                  AVRational atb);
/* One audio packet (pts/dts in atb; the session was started with apar). */
void hub_publish_audio(hub_t *h, const AVPacket *pkt, int64_t wall_us);
void hub_stop(hub_t *h, const char *reason);

#endif
