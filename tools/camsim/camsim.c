/* camsim: simulated IP cameras over RTSP, for wardwatch's tests and benchmarks.
 *
 * Serves /camK/main and /camK/sub for K = first .. first+cameras-1 on
 * gst-rtsp-server.  Nothing is encoded live: the clips made by
 * scripts/gen-media are loaded once, split into access units (clip.c) and
 * shared read-only by every camera, so one process can serve 32 cameras with
 * little CPU.  Each mount has a shared media factory: all clients of one
 * mount share one pipeline,
 *     appsrc name=src ! rtph26Xpay name=pay0 pt=96 config-interval=-1
 * and config-interval=-1 puts SPS/PPS (and VPS) before every keyframe, so a
 * client joining mid-stream can start decoding at the next GOP, as with a
 * real camera.  The clips carry them in-band too; those are sent only in a
 * pipeline's first unit (the payloader learns them there, and needs them
 * before it can answer DESCRIBE), so no keyframe carries them twice.
 *
 * Pacing: gst-rtsp-server paces only through its sinks' clock sync (the RTP
 * multiudpsink, and the TCP appsink when "rate control" is on), which depends
 * on version defaults and on buffer timestamps matching the pipeline's
 * running time; measured on 1.22 it does throttle, but camsim does not lean
 * on it.  Each feed sleeps in its need-data callback until its next picture
 * is due on the monotonic clock, so its buffers always reach the sinks a
 * little late and they add no wait of their own.  That callback runs on the
 * appsrc's own streaming thread with appsrc's lock released, and a sleep
 * lasts at most one frame (100 ms), so stopping a pipeline is never held up
 * for longer.  Timestamps are pts = n * frame duration for the n-th picture a
 * pipeline sends, so they increase forever while the clip loops underneath.
 *
 * Threads: main() and the signal handlers run on the default main context;
 * gst-rtsp-server runs clients on its thread pool; each pipeline's feed is
 * touched only by that pipeline's appsrc thread.  Clips are immutable and
 * live until exit (see clip.h), the only cross-thread state is the atomic
 * count of live feeds used to bound shutdown. */
#include "clip.h"
#include "srsim.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib-unix.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/rtsp-server/rtsp-server.h>

#define EXIT_USAGE 2
#define MAX_CAMERAS 256
#define MAX_FIRST 100000
/* Behind schedule by more than this (the pipeline was paused): restart the
 * schedule from now instead of bursting the backlog out. */
#define RESYNC_NS (1000 * 1000000LL)
/* Shutdown waits this long for pipelines to stop before exiting anyway. */
#define SHUTDOWN_WAIT_US (3 * G_USEC_PER_SEC)
/* UDP RTP/RTCP ports come from this range on the bind address. */
#define UDP_PORT_MIN 20000
#define UDP_PORT_MAX 59999

enum auth_mode { AUTH_NONE, AUTH_BASIC, AUTH_DIGEST };

typedef struct {
    const char *bind;
    int port;
    int cameras;
    int first;
    const char *media_dir;
    bool h265_all;
    bool bframes;   /* main streams: the 720p High-profile B-frame clip */
    bool rtp_wrap;  /* RTP timestamps and sequence numbers start just below their wrap */
    bool inband_ps; /* every keyframe keeps its own in-band parameter sets */
    bool *h265_cam; /* indexed by camera number - first; NULL: none */
    const char *h265_list;
    enum auth_mode auth;
    const char *user, *password;
} options;

/* The one option table: getopt_long and --help are both built from it. */
enum { OPT_PORT = 'p', OPT_BIND = 'b', OPT_CAMERAS = 'n', OPT_MEDIA = 'm',
       OPT_H265 = 256, OPT_H265_CAMS, OPT_AUTH, OPT_USER, OPT_PASSWORD,
       OPT_FIRST, OPT_BFRAMES, OPT_RTP_WRAP, OPT_INBAND_PS, OPT_SR_INTERVAL,
       OPT_SR_OFFSET, OPT_CLOCK_PPM, OPT_SR_FOREIGN, OPT_AUDIO, OPT_HELP = 'h' };
static const struct {
    const char *name, *arg;
    int id;
    const char *help;
} opt_table[] = {
    {"port", "N", OPT_PORT, "RTSP port, 0 picks a free one (default 8554)"},
    {"bind", "ADDR", OPT_BIND, "IP address to listen on (default 127.0.0.1)"},
    {"cameras", "N", OPT_CAMERAS, "number of cameras, 1..256 (default 1)"},
    {"first", "K", OPT_FIRST, "number of the first camera (default 1)"},
    {"media", "DIR", OPT_MEDIA,
     "clips from scripts/gen-media (default $WW_MEDIA_DIR or ./media)"},
    {"h265", NULL, OPT_H265, "every main stream is H.265"},
    {"h265-cams", "LIST", OPT_H265_CAMS,
     "comma-separated camera numbers whose main stream is H.265"},
    {"bframes", NULL, OPT_BFRAMES,
     "every H.264 main stream is 1280x720 High profile with 2 B-frames "
     "(pts != dts); H.265 main streams play main-bf.h265 with its "
     "main-bf-h265.pts (a clip a test makes; gen-media does not)"},
    {"inband-params", NULL, OPT_INBAND_PS,
     "send each keyframe with the parameter sets the clip gives it (a clip "
     "whose resolution changes mid-stream: a camera whose SPS changes)"},
    {"rtp-wrap", NULL, OPT_RTP_WRAP,
     "RTP timestamps start 10 s (at 90 kHz) below 2^32 and sequence numbers "
     "100 below 2^16, so both wrap soon after a stream starts"},
    {"sr-interval-ms", "MS", OPT_SR_INTERVAL,
     "RTCP sender reports about every MS ms (randomised 0.5..1.5x, RFC 3550); "
     "default rtpbin's 5 s"},
    {"sr-offset-s", "S", OPT_SR_OFFSET,
     "the sender reports' NTP time is S seconds off the real time (a camera "
     "clock set wrong, e.g. -10800)"},
    {"clock-ppm", "PPM", OPT_CLOCK_PPM,
     "the camera's clock runs PPM parts per million fast (negative: slow): "
     "RTP timestamps and sender reports alike"},
    {"sr-foreign", NULL, OPT_SR_FOREIGN,
     "append to every sender report a second one of another SSRC, a year off"},
    {"audio", "CODEC", OPT_AUDIO,
     "every stream has a sound track too (a 440 Hz tone, live): aac (16 kHz "
     "mono, RFC 3640 mpeg4-generic, pt 97), pcma or pcmu (8 kHz G.711, pt 8 / 0)"},
    {"auth", "MODE", OPT_AUTH, "none, basic or digest (default none)"},
    {"user", "U", OPT_USER, "user name for --auth"},
    {"password", "P", OPT_PASSWORD, "password for --auth"},
    {"help", NULL, OPT_HELP, "show this help"},
};
#define N_OPTS (sizeof(opt_table) / sizeof(opt_table[0]))

/* The sound track's gst-launch branch (after the video's), "" for none. */
static const char *audio_branch = "";

/* What one mount serves.  Immutable once the server runs. */
typedef struct {
    const clip *clip;
    int cam;
    gint64 epoch_ns; /* the camera "started" here; picks the start GOP */
} stream_spec;

/* One pipeline's position in its clip; owned by that pipeline's appsrc. */
typedef struct {
    const stream_spec *spec;
    size_t pos;   /* next access unit */
    uint64_t n;   /* pictures pushed so far */
    gint64 t0_ns; /* monotonic time picture 0 was due */
} feed;

static gint live_feeds;
/* --inband-params; set once before the server starts, read by the feeds */
static bool inband_ps;

static void usage(FILE *out)
{
    fprintf(out, "usage: camsim [options]\n"
                 "Serves rtsp://ADDR:PORT/camK/main and /camK/sub.\n");
    for (size_t i = 0; i < N_OPTS; i++) {
        char left[40];

        snprintf(left, sizeof(left), "--%s%s%s", opt_table[i].name,
                 opt_table[i].arg ? " " : "",
                 opt_table[i].arg ? opt_table[i].arg : "");
        fprintf(out, "  %-22s %s\n", left, opt_table[i].help);
    }
}

static int bad_usage(const char *fmt, const char *what)
{
    fprintf(stderr, "camsim: ");
    fprintf(stderr, fmt, what);
    fprintf(stderr, " (see camsim --help)\n");
    return -EINVAL;
}

/* Strict decimal in [lo, hi]; no sign games, no trailing junk. */
static bool parse_int(const char *s, long lo, long hi, int *out)
{
    char *end;
    long v;

    if (!s || !*s || *s == '+' || *s == '-' || *s == ' ')
        return false;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return false;
    *out = (int)v;
    return true;
}

/* Marks the cameras in LIST that this process serves; numbers outside the
 * range are accepted and ignored, so several camsim processes (--first) can
 * share one list. */
static int parse_h265_list(options *o)
{
    gchar **parts = g_strsplit(o->h265_list, ",", -1);
    int rc = 0;

    o->h265_cam = g_new0(bool, o->cameras);
    for (gchar **p = parts; *p; p++) {
        int cam;

        if (!parse_int(g_strstrip(*p), 1, INT_MAX, &cam)) {
            rc = bad_usage("--h265-cams: '%s' is not a camera number", *p);
            break;
        }
        if (cam >= o->first && cam - o->first < o->cameras)
            o->h265_cam[cam - o->first] = true;
    }
    g_strfreev(parts);
    return rc;
}

static int parse_options(int argc, char **argv, options *o)
{
    struct option lopts[N_OPTS + 1];
    const char *env = getenv("WW_MEDIA_DIR");
    int c;

    *o = (options){.bind = "127.0.0.1", .port = 8554, .cameras = 1,
                   .first = 1, .media_dir = env && *env ? env : "media"};
    for (size_t i = 0; i < N_OPTS; i++)
        lopts[i] = (struct option){opt_table[i].name,
                                   opt_table[i].arg ? required_argument
                                                    : no_argument,
                                   NULL, opt_table[i].id};
    lopts[N_OPTS] = (struct option){0};

    opterr = 0;
    while ((c = getopt_long(argc, argv, "p:b:n:m:h", lopts, NULL)) != -1) {
        switch (c) {
        case OPT_PORT:
            if (!parse_int(optarg, 0, 65535, &o->port))
                return bad_usage("--port: '%s' is not 0..65535", optarg);
            break;
        case OPT_BIND: {
            GInetAddress *a = g_inet_address_new_from_string(optarg);

            if (!a)
                return bad_usage("--bind: '%s' is not an IP address", optarg);
            g_object_unref(a);
            o->bind = optarg;
            break;
        }
        case OPT_CAMERAS:
            if (!parse_int(optarg, 1, MAX_CAMERAS, &o->cameras))
                return bad_usage("--cameras: '%s' is not 1..256", optarg);
            break;
        case OPT_FIRST:
            if (!parse_int(optarg, 1, MAX_FIRST, &o->first))
                return bad_usage("--first: '%s' is not 1..100000", optarg);
            break;
        case OPT_MEDIA: o->media_dir = optarg; break;
        case OPT_H265: o->h265_all = true; break;
        case OPT_BFRAMES: o->bframes = true; break;
        case OPT_RTP_WRAP: o->rtp_wrap = true; break;
        case OPT_INBAND_PS: o->inband_ps = true; break;
        case OPT_SR_INTERVAL:
            if (!parse_int(optarg, 50, 60000, &srsim.interval_ms))
                return bad_usage("--sr-interval-ms: '%s' is not 50..60000", optarg);
            break;
        case OPT_SR_OFFSET: {
            char *end;
            srsim.offset_s = strtod(optarg, &end);
            if (end == optarg || *end || srsim.offset_s < -1e9 || srsim.offset_s > 1e9)
                return bad_usage("--sr-offset-s: '%s' is not a number of seconds", optarg);
            break;
        }
        case OPT_CLOCK_PPM: {
            char *end;
            srsim.ppm = strtod(optarg, &end);
            if (end == optarg || *end || srsim.ppm < -100000 || srsim.ppm > 100000)
                return bad_usage("--clock-ppm: '%s' is not -100000..100000", optarg);
            break;
        }
        case OPT_SR_FOREIGN: srsim.foreign = true; break;
        case OPT_AUDIO:
            /* audiotestsrc is live: its timestamps are the pipeline clock's,
             * as the video's are, so both tracks line up like a camera's */
            if (!strcmp(optarg, "aac"))
                audio_branch = " audiotestsrc is-live=true wave=sine freq=440 volume=0.3"
                               " ! audio/x-raw,rate=16000,channels=1 ! voaacenc bitrate=32000"
                               " ! rtpmp4gpay name=pay1 pt=97";
            else if (!strcmp(optarg, "pcma"))
                audio_branch = " audiotestsrc is-live=true wave=sine freq=440 volume=0.3"
                               " samplesperbuffer=320 ! audio/x-raw,rate=8000,channels=1"
                               " ! alawenc ! rtppcmapay name=pay1 pt=8";
            else if (!strcmp(optarg, "pcmu"))
                audio_branch = " audiotestsrc is-live=true wave=sine freq=440 volume=0.3"
                               " samplesperbuffer=320 ! audio/x-raw,rate=8000,channels=1"
                               " ! mulawenc ! rtppcmupay name=pay1 pt=0";
            else
                return bad_usage("--audio: '%s' is not aac|pcma|pcmu", optarg);
            break;
        case OPT_H265_CAMS: o->h265_list = optarg; break;
        case OPT_AUTH:
            if (!strcmp(optarg, "none")) o->auth = AUTH_NONE;
            else if (!strcmp(optarg, "basic")) o->auth = AUTH_BASIC;
            else if (!strcmp(optarg, "digest")) o->auth = AUTH_DIGEST;
            else return bad_usage("--auth: '%s' is not none|basic|digest",
                                  optarg);
            break;
        case OPT_USER: o->user = optarg; break;
        case OPT_PASSWORD: o->password = optarg; break;
        case OPT_HELP: usage(stdout); exit(0);
        default:
            return bad_usage("bad option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return bad_usage("unexpected argument '%s'", argv[optind]);
    if (o->auth != AUTH_NONE && (!o->user || !*o->user || !o->password))
        return bad_usage("%s", "--auth basic|digest needs --user and --password");
    if (o->auth == AUTH_NONE && (o->user || o->password))
        return bad_usage("%s", "--user/--password need --auth basic|digest");
    if (o->h265_list)
        return parse_h265_list(o);
    return 0;
}

static bool cam_is_h265(const options *o, int cam)
{
    return o->h265_all || (o->h265_cam && o->h265_cam[cam - o->first]);
}

static gint64 mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_until_ns(gint64 t)
{
    struct timespec ts = {.tv_sec = t / 1000000000LL,
                          .tv_nsec = t % 1000000000LL};

    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

/* Waits until the next picture is due, then hands appsrc a buffer that wraps
 * the clip's bytes (no copy).  Runs on the appsrc streaming thread. */
static void feed_need_data(GstAppSrc *src, guint length, gpointer user)
{
    feed *f = user;
    const clip *c = f->spec->clip;
    const clip_au *au = &c->aus[f->pos];
    gint64 now = mono_ns(), due;
    GstBuffer *buf;
    size_t skip;

    if (f->n == 0)
        f->t0_ns = now;
    due = f->t0_ns + (gint64)(f->n * c->frame_ns);
    if (now - due > RESYNC_NS)
        f->t0_ns = now - (gint64)(f->n * c->frame_ns);
    else if (due > now)
        sleep_until_ns(due);

    /* Only the first unit keeps its in-band parameter sets: the payloader
     * learns them from it and then repeats them before every keyframe.
     * With --inband-params every keyframe keeps its own, so a new SPS in
     * the clip reaches the client (the payloader adopts it too). */
    skip = f->n > 0 && !inband_ps ? au->ps_len : 0;
    buf = gst_buffer_new_wrapped_full(GST_MEMORY_FLAG_READONLY,
                                      c->bytes + au->off + skip,
                                      au->len - skip, 0, au->len - skip,
                                      NULL, NULL);
    GST_BUFFER_DTS(buf) = f->n * c->frame_ns;
    /* B-frames: the payloader stamps RTP with the presentation time, which
     * runs ahead of decode time by up to the clip's reorder depth. */
    GST_BUFFER_PTS(buf) = c->pts ? (f->n - f->pos + c->pts[f->pos] + c->delay) * c->frame_ns
                                 : f->n * c->frame_ns;
    GST_BUFFER_DURATION(buf) = c->frame_ns;
    if (!au->key)
        GST_BUFFER_FLAG_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT);
    if (f->n == 0)
        GST_BUFFER_FLAG_SET(buf, GST_BUFFER_FLAG_DISCONT);
    /* FLUSHING while the pipeline stops is expected; nothing to do. */
    gst_app_src_push_buffer(src, buf);

    f->n++;
    f->pos = (f->pos + 1) % c->n_aus;
}

static void feed_free(gpointer p)
{
    g_free(p);
    g_atomic_int_add(&live_feeds, -1);
}

/* A new pipeline starts at the GOP the camera would be showing now, so main
 * and sub of one camera show the same moment and cameras differ. */
static size_t start_pos(const stream_spec *s)
{
    const clip *c = s->clip;
    uint64_t gop_ns = c->gop * c->frame_ns;
    uint64_t n_gops = c->n_aus / c->gop;
    uint64_t elapsed = (uint64_t)(mono_ns() - s->epoch_ns);

    return (size_t)((elapsed / gop_ns) % n_gops) * c->gop;
}

static void on_media_configure(GstRTSPMediaFactory *factory,
                               GstRTSPMedia *media, gpointer user)
{
    const stream_spec *spec = user;
    GstElement *bin = gst_rtsp_media_get_element(media);
    GstElement *src = gst_bin_get_by_name(GST_BIN(bin), "src");
    GstAppSrcCallbacks cbs = {.need_data = feed_need_data};
    GstCaps *caps;
    feed *f;

    caps = gst_caps_new_simple(spec->clip->codec == CLIP_H264 ? "video/x-h264"
                                                              : "video/x-h265",
                               "stream-format", G_TYPE_STRING, "byte-stream",
                               "alignment", G_TYPE_STRING, "au", NULL);
    g_object_set(src, "is-live", TRUE, "format", GST_FORMAT_TIME, "caps", caps,
                 "emit-signals", FALSE, NULL);
    gst_caps_unref(caps);

    f = g_new0(feed, 1);
    f->spec = spec;
    f->pos = start_pos(spec);
    g_atomic_int_add(&live_feeds, 1);
    /* appsrc frees the feed when it is finalized: no pipeline, no feed. */
    gst_app_src_set_callbacks(GST_APP_SRC(src), &cbs, f, feed_free);

    srsim_attach(media, bin);
    gst_object_unref(src);
    gst_object_unref(bin);
}

static GstRTSPAuth *make_auth(const options *o)
{
    GstRTSPAuth *auth = gst_rtsp_auth_new();
    GstRTSPToken *token = gst_rtsp_token_new(GST_RTSP_TOKEN_MEDIA_FACTORY_ROLE,
                                             G_TYPE_STRING, "viewer", NULL);

    if (o->auth == AUTH_BASIC) {
        gchar *basic = gst_rtsp_auth_make_basic(o->user, o->password);

        gst_rtsp_auth_add_basic(auth, basic, token);
        g_free(basic);
        gst_rtsp_auth_set_supported_methods(auth, GST_RTSP_AUTH_BASIC);
    } else {
        gst_rtsp_auth_add_digest(auth, o->user, o->password, token);
        gst_rtsp_auth_set_supported_methods(auth, GST_RTSP_AUTH_DIGEST);
    }
    gst_rtsp_token_unref(token);
    return auth;
}

/* The wrap offsets: 2^32 - 10 s of a 90 kHz clock, 2^16 - 100 packets.  A
 * camera that has run for 13.25 h crosses the timestamp wrap; one that was
 * just switched on may start anywhere (RFC 3550 says random). */
#define WRAP_TS_OFFSET "4294067296"
#define WRAP_SEQ_OFFSET "65436"

static GstRTSPMediaFactory *make_factory(const stream_spec *spec,
                                         GstRTSPAddressPool *pool, bool auth,
                                         bool rtp_wrap)
{
    GstRTSPMediaFactory *f = gst_rtsp_media_factory_new();
    const char *pay = spec->clip->codec == CLIP_H264 ? "rtph264pay"
                                                     : "rtph265pay";
    gchar *launch = g_strdup_printf(
        "( appsrc name=src ! %s name=pay0 pt=96 config-interval=-1%s%s )", pay,
        rtp_wrap ? " timestamp-offset=" WRAP_TS_OFFSET
                   " seqnum-offset=" WRAP_SEQ_OFFSET : "", audio_branch);

    gst_rtsp_media_factory_set_launch(f, launch);
    g_free(launch);
    gst_rtsp_media_factory_set_shared(f, TRUE);
    gst_rtsp_media_factory_set_protocols(f, GST_RTSP_LOWER_TRANS_UDP |
                                                GST_RTSP_LOWER_TRANS_TCP);
    if (pool)
        gst_rtsp_media_factory_set_address_pool(f, pool);
    if (auth)
        gst_rtsp_media_factory_add_role(
            f, "viewer", GST_RTSP_PERM_MEDIA_FACTORY_ACCESS, G_TYPE_BOOLEAN,
            TRUE, GST_RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, G_TYPE_BOOLEAN, TRUE,
            NULL);
    g_signal_connect(f, "media-configure", G_CALLBACK(on_media_configure),
                     (gpointer)spec);
    return f;
}

/* Without a pool, gst-rtsp-server binds UDP RTP/RTCP sockets to the wildcard
 * address; a unicast pool on the bind address keeps them there too. */
static GstRTSPAddressPool *make_udp_pool(const char *bind)
{
    GInetAddress *a = g_inet_address_new_from_string(bind);
    GstRTSPAddressPool *pool = NULL;

    if (!g_inet_address_get_is_any(a)) {
        pool = gst_rtsp_address_pool_new();
        if (!gst_rtsp_address_pool_add_range(pool, bind, bind, UDP_PORT_MIN,
                                             UDP_PORT_MAX, 0))
            g_clear_object(&pool);
    }
    g_object_unref(a);
    return pool;
}

static int load_clip(clip *c, const char *dir, const char *name,
                     clip_codec codec, unsigned fps)
{
    gchar *path = g_build_filename(dir, name, NULL);
    char err[512];
    int rc = clip_load(c, path, codec, fps, err, sizeof(err));

    if (rc != 0)
        fprintf(stderr, "camsim: %s (make it with scripts/gen-media %s)\n",
                err, dir);
    g_free(path);
    return rc;
}

static int load_pts(clip *c, const char *dir, const char *name)
{
    gchar *path = g_build_filename(dir, name, NULL);
    char err[512];
    int rc = clip_load_pts(c, path, err, sizeof(err));

    if (rc != 0)
        fprintf(stderr, "camsim: %s (make it with scripts/gen-media %s)\n",
                err, dir);
    g_free(path);
    return rc;
}

static gboolean on_stop_signal(gpointer loop)
{
    g_main_loop_quit(loop);
    return G_SOURCE_CONTINUE;
}

static GstRTSPFilterResult remove_client(GstRTSPServer *s, GstRTSPClient *c,
                                         gpointer u)
{
    return GST_RTSP_FILTER_REMOVE;
}

static GstRTSPFilterResult remove_session(GstRTSPSessionPool *p,
                                          GstRTSPSession *s, gpointer u)
{
    return GST_RTSP_FILTER_REMOVE;
}

/* Closes every client and session, then gives the pipelines a bounded time
 * to stop so exit does not race their streaming threads. */
static void shutdown_server(GstRTSPServer *server, guint server_src)
{
    GstRTSPSessionPool *sessions = gst_rtsp_server_get_session_pool(server);
    gint64 deadline = g_get_monotonic_time() + SHUTDOWN_WAIT_US;

    g_source_remove(server_src);
    gst_rtsp_server_client_filter(server, remove_client, NULL);
    gst_rtsp_session_pool_filter(sessions, remove_session, NULL);
    g_object_unref(sessions);
    while (g_atomic_int_get(&live_feeds) > 0 &&
           g_get_monotonic_time() < deadline) {
        while (g_main_context_iteration(NULL, FALSE))
            ;
        g_usleep(10000);
    }
    if (g_atomic_int_get(&live_feeds) > 0)
        fprintf(stderr, "camsim: %d pipelines still running at exit\n",
                g_atomic_int_get(&live_feeds));
}

/* Builds the mounts.  SPECS has room for 2 * cameras entries. */
static void add_mounts(GstRTSPServer *server, const options *o,
                       const clip *main264, const clip *sub, const clip *main265,
                       stream_spec *specs)
{
    GstRTSPMountPoints *mounts = gst_rtsp_server_get_mount_points(server);
    GstRTSPAddressPool *pool = make_udp_pool(o->bind);
    gint64 now = mono_ns();

    for (int i = 0; i < o->cameras; i++) {
        int cam = o->first + i;
        /* Cameras "started" 7 GOPs apart, so they show different moments. */
        gint64 epoch = now - (gint64)cam * 7 * 2000000000LL;
        stream_spec *m = &specs[2 * i], *s = &specs[2 * i + 1];
        gchar path[64];

        *m = (stream_spec){cam_is_h265(o, cam) ? main265 : main264, cam, epoch};
        *s = (stream_spec){sub, cam, epoch};
        snprintf(path, sizeof(path), "/cam%d/main", cam);
        gst_rtsp_mount_points_add_factory(
            mounts, path, make_factory(m, pool, o->auth != AUTH_NONE, o->rtp_wrap));
        snprintf(path, sizeof(path), "/cam%d/sub", cam);
        gst_rtsp_mount_points_add_factory(
            mounts, path, make_factory(s, pool, o->auth != AUTH_NONE, o->rtp_wrap));
    }
    if (pool)
        g_object_unref(pool);
    g_object_unref(mounts);
}

static bool any_h265(const options *o)
{
    for (int i = 0; i < o->cameras; i++)
        if (cam_is_h265(o, o->first + i))
            return true;
    return false;
}

int main(int argc, char **argv)
{
    static clip main264, sub264, main265; /* live until exit, see clip.h */
    options o;
    GstRTSPServer *server;
    GMainLoop *loop;
    stream_spec *specs;
    gchar port_str[16];
    guint src_id;
    bool v6;

    if (parse_options(argc, argv, &o) != 0)
        return EXIT_USAGE;
    inband_ps = o.inband_ps;
    signal(SIGPIPE, SIG_IGN);
    gst_init(NULL, NULL);

    if (load_clip(&main264, o.media_dir, o.bframes ? "main-bf.h264" : "main.h264",
                  CLIP_H264, 25) ||
        (o.bframes && load_pts(&main264, o.media_dir, "main-bf.pts")) ||
        load_clip(&sub264, o.media_dir, "sub.h264", CLIP_H264, 10) ||
        (any_h265(&o) &&
         load_clip(&main265, o.media_dir, o.bframes ? "main-bf.h265" : "main.h265", CLIP_H265, 25)) ||
        (any_h265(&o) && o.bframes && load_pts(&main265, o.media_dir, "main-bf-h265.pts")))
        return 1;

    server = gst_rtsp_server_new();
    gst_rtsp_server_set_address(server, o.bind);
    snprintf(port_str, sizeof(port_str), "%d", o.port);
    gst_rtsp_server_set_service(server, port_str);
    if (o.auth != AUTH_NONE) {
        GstRTSPAuth *auth = make_auth(&o);

        gst_rtsp_server_set_auth(server, auth);
        g_object_unref(auth);
    }
    specs = g_new0(stream_spec, 2 * o.cameras);
    add_mounts(server, &o, &main264, &sub264, &main265, specs);

    src_id = gst_rtsp_server_attach(server, NULL);
    if (src_id == 0) {
        fprintf(stderr, "camsim: cannot listen on %s port %d\n", o.bind,
                o.port);
        return 1;
    }
    v6 = strchr(o.bind, ':') != NULL;
    printf("camsim: listening on rtsp://%s%s%s:%d cameras=%d\n", v6 ? "[" : "",
           o.bind, v6 ? "]" : "", gst_rtsp_server_get_bound_port(server),
           o.cameras);
    fflush(stdout);

    loop = g_main_loop_new(NULL, FALSE);
    g_unix_signal_add(SIGINT, on_stop_signal, loop);
    g_unix_signal_add(SIGTERM, on_stop_signal, loop);
    g_main_loop_run(loop);

    shutdown_server(server, src_id);
    g_object_unref(server);
    g_main_loop_unref(loop);
    g_free(specs);
    g_free(o.h265_cam);
    return 0;
}
