/*
 * metrics.c — GET /metrics: the station's numbers in the Prometheus text
 * format, for the monitoring the province already runs.
 *
 * Access (off the public console by default): a client whose socket
 * address is in serve's --metrics-allow list (default 127.0.0.1 and ::1),
 * or one that sends "Authorization: Bearer TOKEN" with the token of
 * --metrics-token-file.  Anyone else gets 403 and one line of text.  No
 * session is needed and a session cookie is no substitute: a console user
 * is not a scraper.  The address is the TCP peer's; X-Forwarded-For is
 * never believed (the server trusts a proxy only for X-Forwarded-Proto),
 * so behind a reverse proxy use the token.  The token's SHA-256 is kept,
 * not the token, and compared in constant time.
 *
 * What is read, and why it cannot stall recording: the engine's typed
 * status snapshot (copied under its lock, no I/O), the syncer's counters
 * (copied under its mutex), the HTTP counters, a statvfs and two stats of
 * the catalog files; from the catalog, on this request's own pooled
 * connection (a WAL reader never blocks the syncer's commits), the camera
 * list, one COUNT of open alerts and — at most every DISK_CACHE_US — the
 * recorded and held byte totals, which sum the segments table.
 */
#include "api/api.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "catalog/cat_community.h"
#include "catalog/cat_evidence.h"
#include "live/live.h"

/* ---- access ------------------------------------------------------------------ */

/* An address (IPv4 as IPv4-mapped IPv6) into 16 bytes; false if it is none. */
static bool addr16(const char *s, uint8_t out[16], bool *v4)
{
    struct in_addr a4;
    if (inet_pton(AF_INET, s, &a4) == 1) {
        memset(out, 0, 10);
        out[10] = out[11] = 0xff;
        memcpy(out + 12, &a4, 4);
        *v4 = true;
        return true;
    }
    *v4 = false;
    return inet_pton(AF_INET6, s, out) == 1;
}

static int parse_net(const char *s, size_t len, struct api_net *out)
{
    char buf[64];
    if (!len || len >= sizeof buf) return WW_EINVAL;
    memcpy(buf, s, len);
    buf[len] = 0;
    char *slash = strchr(buf, '/');
    int64_t prefix = -1;
    if (slash) {
        *slash = 0;
        if (ww_parse_i64(slash + 1, 0, 128, &prefix)) return WW_EINVAL;
    }
    bool v4;
    if (!addr16(buf, out->addr, &v4)) return WW_EINVAL;
    if (v4 && prefix > 32) return WW_EINVAL;
    out->prefix = prefix < 0 ? 128 : (int)(v4 ? prefix + 96 : prefix);
    return 0;
}

int api_metrics_allow_parse(const char *list, struct api_metrics_access *a)
{
    if (!list || !*list) return WW_EINVAL;
    struct api_net v[API_METRICS_ALLOW_MAX];
    size_t n = 0;
    for (const char *p = list;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (n == API_METRICS_ALLOW_MAX || parse_net(p, len, &v[n])) return WW_EINVAL;
        n++;
        if (!end) break;
        p = end + 1;
    }
    memcpy(a->allow, v, n * sizeof v[0]);
    a->nallow = n;
    return 0;
}

static bool in_net(const struct api_net *net, const uint8_t addr[16])
{
    int full = net->prefix / 8, rest = net->prefix % 8;
    if (memcmp(net->addr, addr, (size_t)full)) return false;
    if (!rest) return true;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return (net->addr[full] & mask) == (addr[full] & mask);
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

int api_metrics_token_load(const char *path, struct api_metrics_access *a, const char **why)
{
    enum { MAX = 4096 };
    *why = "cannot read the file";
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    char *buf = ww_malloc(MAX + 1);
    ssize_t got = 0, r = 0;
    while (got < MAX && (r = read(fd, buf + got, (size_t)(MAX - got))) > 0) got += r;
    int err = r < 0 ? -errno : 0;
    char extra;
    bool longer = got == MAX && read(fd, &extra, 1) == 1;
    close(fd);
    int rc = err;
    if (!rc) {
        size_t b = 0, e = (size_t)got;
        while (b < e && is_space(buf[b])) b++;
        while (e > b && is_space(buf[e - 1])) e--;
        if (longer) { *why = "the file is longer than 4096 bytes"; rc = WW_EINVAL; }
        else if (memchr(buf + b, '\n', e - b)) { *why = "the file holds more than one line"; rc = WW_EINVAL; }
        else if (e - b < API_METRICS_TOKEN_MIN) { *why = "the token is shorter than 16 characters"; rc = WW_EINVAL; }
        else {
            ww_sha256(buf + b, e - b, a->token_sha256);
            a->token_set = true;
        }
    }
    sodium_memzero(buf, MAX + 1); /* the token leaves no copy behind */
    free(buf);
    return rc;
}

/* The token of an "Authorization: Bearer TOKEN" header, or NULL. */
static const char *bearer(const char *h, size_t *len)
{
    if (!h || strncasecmp(h, "Bearer ", 7)) return NULL;
    h += 7;
    while (*h == ' ') h++;
    size_t n = strlen(h);
    while (n && is_space(h[n - 1])) n--;
    *len = n;
    return n ? h : NULL;
}

bool api_metrics_allowed(const struct api_metrics_access *a, const char *client_addr, const char *authorization)
{
    uint8_t addr[16];
    bool v4;
    if (client_addr && addr16(client_addr, addr, &v4))
        for (size_t i = 0; i < a->nallow; i++)
            if (in_net(&a->allow[i], addr)) return true;
    size_t n;
    const char *tok = bearer(authorization, &n);
    if (!a->token_set || !tok) return false;
    /* Hashes of equal length: the comparison's time tells nothing of the
     * token's length or of where the first difference is. */
    uint8_t h[32];
    ww_sha256(tok, n, h);
    return sodium_memcmp(h, a->token_sha256, sizeof h) == 0;
}

/* ---- content: streams ---------------------------------------------------------------- */

struct stream_ref {
    char camera[24];
    const char *kind;
    const struct engine_stream_status *s;
};

/* Every stream that exists, from the engine's snapshot (refs point into st). */
static size_t stream_refs(const struct engine_camera_status *st, size_t n, struct stream_ref **out)
{
    struct stream_ref *v = n ? ww_calloc(2 * n, sizeof *v) : NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const struct engine_stream_status *ss[2] = {&st[i].main, &st[i].sub};
        for (int j = 0; j < 2; j++) {
            if (!ss[j]->present) continue;
            snprintf(v[k].camera, sizeof v[k].camera, "%lld", (long long)st[i].id);
            v[k].kind = j ? "sub" : "main";
            v[k].s = ss[j];
            k++;
        }
    }
    *out = v;
    return k;
}

enum stream_field { F_FRAMES, F_BYTES, F_RECONNECTS, F_RTP_LOST, F_RTP_RECEIVED, F_RTP_REORDERED,
                    F_RTP_DUPLICATE, F_RTP_FOREIGN, F_DAMAGED_AUS, F_REC_FRAMES, F_REC_BYTES, F_REC_DROPPED, F_REC_GAPS,
                    F_REC_SEGMENTS };

static int64_t field(const struct engine_stream_status *s, enum stream_field f)
{
    switch (f) {
    case F_FRAMES: return s->frames;
    case F_BYTES: return s->bytes;
    case F_RECONNECTS: return s->reconnects;
    case F_RTP_LOST: return s->rtp_lost;
    case F_RTP_RECEIVED: return s->rtp_received;
    case F_RTP_REORDERED: return s->rtp_reordered;
    case F_RTP_DUPLICATE: return s->rtp_duplicate;
    case F_RTP_FOREIGN: return s->rtp_foreign;
    case F_DAMAGED_AUS: return s->damaged_aus;
    case F_REC_FRAMES: return s->record.frames;
    case F_REC_BYTES: return s->record.bytes;
    case F_REC_DROPPED: return s->record.dropped_frames;
    case F_REC_GAPS: return s->record.gaps;
    case F_REC_SEGMENTS: return s->record.segments;
    }
    return 0;
}

/* One counter family over every stream (record = only those recorded). */
static void stream_counter(struct metrics_w *w, const struct stream_ref *v, size_t n, const char *name,
                           const char *help, enum stream_field f, bool record)
{
    metrics_family(w, name, METRICS_COUNTER, help);
    for (size_t i = 0; i < n; i++) {
        if (record && !v[i].s->has_record) continue;
        struct metrics_label l[] = {{"camera", v[i].camera}, {"stream", v[i].kind}};
        metrics_int(w, l, 2, field(v[i].s, f));
    }
}

/* Seconds since a frame's wall time; 0 when that time is ahead of the
 * clock (packet times are camera times anchored to the receive clock, and
 * may lead it by a few ms). */
static double age_s(int64_t now_us, int64_t then_us)
{
    return now_us > then_us ? (double)(now_us - then_us) / 1e6 : 0;
}

static void put_streams(struct metrics_w *w, const struct stream_ref *v, size_t n)
{
    metrics_family(w, "wardwatch_stream_state", METRICS_GAUGE,
                   "1 for the state the camera stream is in now, 0 for the others");
    for (size_t i = 0; i < n; i++)
        for (int st = ENGINE_CONNECTING; st <= ENGINE_STOPPED; st++) {
            struct metrics_label l[] = {{"camera", v[i].camera}, {"stream", v[i].kind},
                                        {"state", engine_state_name((enum engine_state)st)}};
            metrics_int(w, l, 3, v[i].s->state == (enum engine_state)st);
        }
    stream_counter(w, v, n, "wardwatch_stream_frames_received_total", "Frames received from the camera",
                   F_FRAMES, false);
    stream_counter(w, v, n, "wardwatch_stream_bytes_received_total", "Video bytes received from the camera",
                   F_BYTES, false);
    stream_counter(w, v, n, "wardwatch_stream_reconnects_total", "Sessions opened again after the first",
                   F_RECONNECTS, false);
    stream_counter(w, v, n, "wardwatch_stream_rtp_packets_lost_total",
                   "RTP packets missing from sequence gaps (lean RTSP client; 0 with libavformat)", F_RTP_LOST,
                   false);
    stream_counter(w, v, n, "wardwatch_stream_rtp_packets_received_total",
                   "RTP packets taken over UDP (lean RTSP client; 0 over TCP)", F_RTP_RECEIVED, false);
    stream_counter(w, v, n, "wardwatch_stream_rtp_packets_reordered_total",
                   "RTP packets over UDP that came after a later one and were put back in order",
                   F_RTP_REORDERED, false);
    stream_counter(w, v, n, "wardwatch_stream_rtp_packets_duplicate_total",
                   "RTP packets over UDP seen twice (dropped)", F_RTP_DUPLICATE, false);
    stream_counter(w, v, n, "wardwatch_stream_rtp_packets_foreign_total",
                   "UDP datagrams from another address or port than the camera's (dropped)", F_RTP_FOREIGN,
                   false);
    stream_counter(w, v, n, "wardwatch_stream_damaged_frames_dropped_total",
                   "Access units dropped for a lost or broken RTP packet, never recorded (lean RTSP client)",
                   F_DAMAGED_AUS, false);
    int64_t now = ww_wall_us();
    metrics_family(w, "wardwatch_stream_last_frame_age_seconds", METRICS_GAUGE,
                   "Seconds since the stream's last frame arrived (absent before the first)");
    for (size_t i = 0; i < n; i++) {
        if (!v[i].s->last_packet_us) continue;
        struct metrics_label l[] = {{"camera", v[i].camera}, {"stream", v[i].kind}};
        metrics_double(w, l, 2, age_s(now, v[i].s->last_packet_us));
    }
}

static void put_record(struct metrics_w *w, const struct stream_ref *v, size_t n)
{
    int64_t now = ww_wall_us();
    metrics_family(w, "wardwatch_record_lag_seconds", METRICS_GAUGE,
                   "Seconds since the recorder last wrote a frame of the stream (absent before the first)");
    for (size_t i = 0; i < n; i++) {
        if (!v[i].s->has_record || !v[i].s->record.last_frame_wall_us) continue;
        struct metrics_label l[] = {{"camera", v[i].camera}, {"stream", v[i].kind}};
        metrics_double(w, l, 2, age_s(now, v[i].s->record.last_frame_wall_us));
    }
    metrics_family(w, "wardwatch_record_state", METRICS_GAUGE,
                   "1 for the recorder's state now (idle, waiting-keyframe, recording, disk-full, error, paused, "
                   "disk-full-held), 0 for the others");
    for (size_t i = 0; i < n; i++) {
        if (!v[i].s->has_record) continue;
        for (int st = REC_IDLE; st <= REC_DISK_FULL_HELD; st++) {
            struct metrics_label l[] = {{"camera", v[i].camera}, {"stream", v[i].kind},
                                        {"state", rec_state_name((enum rec_state)st)}};
            metrics_int(w, l, 3, v[i].s->record.state == (enum rec_state)st);
        }
    }
    stream_counter(w, v, n, "wardwatch_record_frames_total", "Frames written to segment files", F_REC_FRAMES,
                   true);
    stream_counter(w, v, n, "wardwatch_record_bytes_total", "Bytes written to segment files", F_REC_BYTES, true);
    stream_counter(w, v, n, "wardwatch_record_dropped_frames_total",
                   "Frames not recorded (disk full, write errors)", F_REC_DROPPED, true);
    stream_counter(w, v, n, "wardwatch_record_gaps_total", "Gaps recorded in the stream's recording", F_REC_GAPS,
                   true);
    stream_counter(w, v, n, "wardwatch_record_segments_total", "Segment files started", F_REC_SEGMENTS, true);
    metrics_family(w, "wardwatch_record_fragment_write_seconds", METRICS_HISTOGRAM,
                   "Time to write one fragment (moof+mdat) into its segment file, before the fsync");
    for (size_t i = 0; i < n; i++) {
        if (!v[i].s->has_record) continue;
        struct metrics_label l[] = {{"camera", v[i].camera}, {"stream", v[i].kind}};
        metrics_hist(w, l, 2, &v[i].s->record.fragment_write);
    }
}

static void put_syncer(struct metrics_w *w, rec_syncer_t *sy)
{
    if (!sy) return;
    struct rec_syncer_stats ss;
    rec_syncer_stats(sy, &ss);
    metrics_family(w, "wardwatch_syncer_commits_total", METRICS_COUNTER,
                   "Group commits: fdatasync of the grown files, then one catalog transaction");
    metrics_int(w, NULL, 0, ss.commits);
    metrics_family(w, "wardwatch_syncer_commit_seconds", METRICS_HISTOGRAM,
                   "Duration of each group commit (fsyncs and transaction)");
    metrics_hist(w, NULL, 0, &ss.commit);
    metrics_family(w, "wardwatch_syncer_last_commit_seconds", METRICS_GAUGE, "Duration of the last group commit");
    metrics_double(w, NULL, 0, (double)ss.last_commit_dur_us / 1e6);
    metrics_family(w, "wardwatch_syncer_error", METRICS_GAUGE,
                   "1 while the last group commit failed, else 0");
    metrics_int(w, NULL, 0, ss.last_error != 0);
    metrics_family(w, "wardwatch_retention_deleted_segments_total", METRICS_COUNTER,
                   "Segments deleted by retention since start");
    metrics_int(w, NULL, 0, ss.retention_deleted);
    metrics_family(w, "wardwatch_retention_deleted_bytes_total", METRICS_COUNTER,
                   "Bytes deleted by retention since start");
    metrics_int(w, NULL, 0, ss.retention_bytes);
}

/* ---- content: disk, catalog, HTTP, viewers -------------------------------------------- */

#define DISK_CACHE_US (10LL * 1000000)

/* The recorded and held totals sum the segments table: once per
 * DISK_CACHE_US, however often the scrapes come.  One station per process,
 * so one cache. */
static pthread_mutex_t disk_mu = PTHREAD_MUTEX_INITIALIZER;
static int64_t disk_at_us, disk_recorded, disk_held;
static bool disk_ok;

static bool disk_totals(catalog_t *cat, int64_t *recorded, int64_t *held)
{
    pthread_mutex_lock(&disk_mu);
    int64_t now = ww_mono_us();
    if (!disk_at_us || now - disk_at_us >= DISK_CACHE_US) {
        int64_t r = 0, h = 0, segs = 0;
        disk_ok = cat && catalog_segment_total_bytes(cat, 0, &r) == 0 && catalog_held_bytes(cat, 0, &h, &segs) == 0;
        disk_recorded = r;
        disk_held = h;
        disk_at_us = now;
    }
    *recorded = disk_recorded;
    *held = disk_held;
    bool ok = disk_ok;
    pthread_mutex_unlock(&disk_mu);
    return ok;
}

static void gauge1(struct metrics_w *w, const char *name, const char *help, int64_t v)
{
    metrics_family(w, name, METRICS_GAUGE, help);
    metrics_int(w, NULL, 0, v);
}

static void put_disk(struct metrics_w *w, const struct api_ctx *ctx, catalog_t *cat)
{
    char *rec = ww_asprintf("%s/rec", ctx->data_dir);
    struct statvfs vfs;
    if (statvfs(rec, &vfs) == 0) {
        gauge1(w, "wardwatch_disk_free_bytes", "Free bytes on the recordings filesystem (for unprivileged users)",
               (int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize);
        gauge1(w, "wardwatch_disk_size_bytes", "Size of the recordings filesystem",
               (int64_t)vfs.f_blocks * (int64_t)vfs.f_frsize);
    }
    free(rec);
    int64_t recorded, held;
    if (disk_totals(cat, &recorded, &held)) {
        gauge1(w, "wardwatch_recorded_bytes", "Bytes of recordings in the catalog (refreshed every 10 s)", recorded);
        gauge1(w, "wardwatch_held_bytes", "Bytes of recordings under holds in force (refreshed every 10 s)", held);
    }
}

static void put_catalog(struct metrics_w *w, const struct api_ctx *ctx, catalog_t *cat)
{
    int64_t open = 0;
    if (cat && catalog_alert_open_count(cat, &open) == 0)
        gauge1(w, "wardwatch_alerts_open", "Camera alerts raised and not cleared", open);
    metrics_family(w, "wardwatch_catalog_size_bytes", METRICS_GAUGE, "Size of the catalog's files (db, wal)");
    static const char *const sfx[][2] = {{"db", ""}, {"wal", "-wal"}};
    for (size_t i = 0; i < 2; i++) {
        char *p = ww_asprintf("%s%s", ctx->db_path, sfx[i][1]);
        struct stat sb;
        int64_t size = stat(p, &sb) == 0 ? (int64_t)sb.st_size : 0;
        free(p);
        struct metrics_label l[] = {{"file", sfx[i][0]}};
        metrics_int(w, l, 1, size);
    }
}

static void put_cameras(struct metrics_w *w, catalog_t *cat)
{
    struct catalog_camera *v = NULL;
    size_t n = 0;
    if (!cat || catalog_camera_list(cat, &v, &n)) return;
    metrics_family(w, "wardwatch_camera_info", METRICS_GAUGE, "Each camera of the catalog (1), with its name");
    for (size_t i = 0; i < n; i++) {
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)v[i].id);
        struct metrics_label l[] = {{"camera", id}, {"name", v[i].name}};
        metrics_int(w, l, 2, 1);
    }
    metrics_family(w, "wardwatch_camera_enabled", METRICS_GAUGE, "1 if the camera is enabled in the catalog");
    for (size_t i = 0; i < n; i++) {
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)v[i].id);
        struct metrics_label l[] = {{"camera", id}};
        metrics_int(w, l, 1, v[i].enabled);
    }
    catalog_camera_list_free(v, n);
}

static void put_http(struct metrics_w *w, struct http_server *srv)
{
    struct http_route_stats *v;
    size_t n;
    http_stats_read(srv, &v, &n);
    metrics_family(w, "wardwatch_http_requests_total", METRICS_COUNTER,
                   "HTTP requests answered, by route pattern and status (status 0: other statuses)");
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < v[i].nstatus; j++) {
            char code[8];
            snprintf(code, sizeof code, "%u", v[i].status[j].status);
            struct metrics_label l[] = {{"method", v[i].method}, {"route", v[i].route}, {"status", code}};
            metrics_int(w, l, 3, v[i].status[j].n);
        }
    metrics_family(w, "wardwatch_http_request_duration_seconds", METRICS_HISTOGRAM,
                   "Time from a request's arrival to its response being queued, by route pattern");
    for (size_t i = 0; i < n; i++) {
        struct metrics_label l[] = {{"method", v[i].method}, {"route", v[i].route}};
        metrics_hist(w, l, 2, &v[i].latency);
    }
    http_stats_free(v, n);
}

static int h_metrics(struct http_req *req, void *ud)
{
    const struct api_ctx *ctx = ud;
    if (!api_metrics_allowed(&ctx->metrics, http_req_client_addr(req), http_req_header(req, "Authorization"))) {
        static const char msg[] = "forbidden: /metrics is open to the --metrics-allow addresses or the "
                                  "--metrics-token-file bearer token only\n";
        ww_debug("metrics", "refused a scrape from %s", http_req_client_addr(req));
        return http_respond_data(req, 403, "text/plain; charset=utf-8", msg, sizeof msg - 1);
    }
    catalog_t *cat = http_req_catalog(req); /* NULL: the catalog's lines are left out */
    struct metrics_w w = {0};
    struct engine_camera_status *st = NULL;
    size_t n = 0;
    if (ctx->engine) engine_status_list(ctx->engine, &st, &n);
    struct stream_ref *refs;
    size_t nrefs = stream_refs(st, n, &refs);
    put_cameras(&w, cat);
    put_streams(&w, refs, nrefs);
    put_record(&w, refs, nrefs);
    put_syncer(&w, ctx->engine ? engine_syncer(ctx->engine) : NULL);
    free(refs);
    free(st);
    put_disk(&w, ctx, cat);
    put_catalog(&w, ctx, cat);
    gauge1(&w, "wardwatch_live_viewers", "Live viewer streams open now (a wall tile is one per camera)",
           live_viewers_open());
    put_http(&w, http_req_server(req));
    http_resp_header(req, "Cache-Control", "no-store");
    int rc = http_respond_data(req, 200, "text/plain; version=0.0.4; charset=utf-8", w.out.data, w.out.len);
    ww_buf_free(&w.out);
    return rc;
}

int api_metrics_register(struct http_server *srv, const struct api_ctx *ctx)
{
    /* Public as far as sessions go: h_metrics applies its own rule first. */
    return http_route(srv, "GET", "/metrics", h_metrics, (void *)ctx, HTTP_PUBLIC);
}
