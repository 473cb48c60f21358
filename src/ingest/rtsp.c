/*
 * rtsp.c — the lean RTSP 1.0 client: one camera stream over one TCP
 * connection with interleaved RTP (RFC 2326 §10.12), or with RTP and RTCP
 * over a UDP port pair (see "RTP over UDP" below), blocking, on the
 * session's own thread.
 *
 * Why not libavformat's client: for every RTP packet it does three blocking
 * reads ('$', the 3-byte header, the payload), each a poll() and a recv(),
 * about six syscalls per ~1400-byte packet; at 32 cameras that receive path
 * cost more CPU than recording.  Here one recv() fills a large buffer with
 * whatever the kernel holds (tens of packets), frames are cut out of it in
 * place (rtsp_wire.c) and their payload copied once, into the access unit
 * (rtp.c).  SO_RCVLOWAT makes the kernel wake us only when a batch worth
 * ~80 ms of the stream's observed bitrate is there (1–48 KB: ~40 KB, about
 * two frames, for a 4 Mbit/s main stream, ~4 KB for a 400 kbit/s sub
 * stream), and SO_RCVTIMEO (100 ms) bounds both that wait and how late we
 * notice the stop flag, a deadline or a keep-alive due.  Why 80 ms: each
 * wake-up is a context switch, a recv() and an ACK, and at 25 ms (one wake
 * per frame) they were a quarter of the recorder's CPU (bench/record.py);
 * at 80 ms there are half as many.  The cost is latency: the tail of a
 * batch smaller than the low-water mark waits for the next bytes or the
 * timeout, so ≤ 2 frame intervals on a main stream and ≤ 100 ms on a sub
 * stream; recording does not care, and a live view cuts 150 ms fragments
 * (live/feed.c) anyway.
 *
 * Sequence: OPTIONS (learns whether GET_PARAMETER works for keep-alives),
 * DESCRIBE, SETUP of the video track only, PLAY.  A 401 is answered once
 * (Basic or Digest, rtsp_auth.c); later requests carry the answer.  Basic
 * sends the password in clear, so it answers only when the camera's record
 * allows it (o->basic_allowed); a camera that asks for nothing else is told
 * nothing and the open fails with INGEST_BASIC_REFUSED (issue 11 item 1).
 * Redirects (3xx) are never followed: the credentials stay with the one
 * host:port they were given for.  While
 * reading, a keep-alive goes out every session-timeout/2 (30 s by default)
 * and its reply is skipped when it comes by.  Close sends TEARDOWN without
 * waiting for the reply, bounded to 200 ms.
 *
 * Invariants:
 *   - every wait is a loop of ≤ 100 ms socket timeouts that checks *stop and
 *     a deadline, so open and read end within ~100 ms of either;
 *   - buf[rd, wr) holds received bytes not yet consumed (BUF_SIZE 160 KB:
 *     touched whole, so it is resident per stream); after compaction
 *     at least BUF_MIN_FREE bytes are free, more than the largest item
 *     (a 64 KB frame, or a message within the RTSP_MAX_* caps), so an item
 *     always fits;
 *   - responses are copied out of buf before anything else consumes it.
 */
#include "ingest/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/base.h"

#include <sodium.h>

#define BUF_SIZE (160 * 1024)
#define BUF_MIN_FREE (96 * 1024)
/* the largest item fits in what compaction leaves free (see Invariants) */
static_assert(BUF_MIN_FREE >= RTSP_MAX_HEAD + RTSP_MAX_BODY && BUF_MIN_FREE >= 4 + 65535 &&
              BUF_SIZE > BUF_MIN_FREE, "rtsp.c's receive buffer holds any item");
#define SOCK_TIMEO_US 100000         /* SO_RCVTIMEO / SO_SNDTIMEO / connect slice */
#define LOWAT_WINDOW_US 2000000      /* re-estimate the bitrate this often */
#define LOWAT_TARGET_US 80000        /* wake up for this much of the stream */
#define LOWAT_MIN 1024
#define LOWAT_MAX (48 * 1024)
#define DROP_LOG_US 60000000         /* at most one warning a minute about drops */
#define TEARDOWN_US 200000
#define KEEPALIVE_SEND_US 2000000
#define RR_INTERVAL_US 4000000       /* receiver reports: some cameras want one every <= 5 s */
#define DEFAULT_SESSION_TIMEOUT_S 60 /* RFC 2326 §12.37 */
#define MAX_URL 4096
#define MAX_SESSION_ID 256
#define UDP_RCVBUF (4 * 1024 * 1024) /* ~8 s of a 4 Mbit/s stream: a GOP burst fits */
#define UDP_BATCH 64                 /* datagrams read per wake-up before the window drains */

struct response {
    int status;
    char *head;   /* NUL-terminated copies */
    size_t head_len;
    char *body;
    size_t body_len;
};

struct rtsp_client {
    int fd;
    atomic_bool *stop;
    const char *ctx;
    char *url;                 /* request URL, without credentials */
    char *user, *pass;
    struct rtsp_auth auth;
    bool basic_allowed;
    const char *auth_refused;  /* static text: why a challenge went unanswered */
    unsigned cseq;
    char *session;
    int64_t ka_interval_us, next_ka_us;
    bool ka_get_parameter;
    char *play_url;
    int rtp_ch, rtcp_ch, max_ch;
    /* the sound track (issue 12 item 6): set up only when the camera's
     * setting is on (TCP: its own interleaved channels; UDP: its own
     * port pair); audio false = none */
    bool audio;
    int a_rtp_ch, a_rtcp_ch;
    int aufd[2];               /* over UDP: the sound track's RTP/RTCP sockets, -1 = none */
    int a_client_port, a_server_port[2];
    struct sdp_audio asdp;
    struct rtp_adepack adp;
    int64_t a_frames_out;
    struct sdp_video sdp;
    struct rtp_depack dp;
    struct rtcp_rx rx;         /* what our receiver reports say */
    struct rtsp_sr sr;         /* the newest SR, until taken (sr_pending) */
    bool sr_pending;
    int64_t next_rr_us;
    bool playing;
    /* receive buffer */
    uint8_t *buf;
    size_t rd, wr;
    int lowat;
    int64_t rate_t0, rate_bytes;
    int64_t drops_logged, next_drop_log_us;
    struct response resp;
    struct rtsp_client_stats st;
    /* RTP over UDP (udp.c's part of this file): ufd[0] RTP, ufd[1] RTCP */
    bool udp;
    int ufd[2];
    int client_port;           /* ours, even; RTCP on client_port + 1 */
    int server_port[2];        /* the camera's, 0 if it did not say */
    struct sockaddr_storage peer; /* the camera's address (port ignored) */
    socklen_t peer_len;
    struct rtp_window win;
    uint8_t *ubuf;             /* one datagram */
    size_t held;               /* ubuf holds a packet the window had no room for */
};

/* ---- small helpers -------------------------------------------------------- */

static char *dup_n(const char *p, size_t n)
{
    char *s = ww_malloc(n + 1);
    memcpy(s, p, n);
    s[n] = 0;
    return s;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* %XX-decoded copy of p[0..n) (URL userinfo). */
static char *pct_decode(const char *p, size_t n)
{
    char *s = ww_malloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '%' && i + 2 < n && hexval(p[i + 1]) >= 0 && hexval(p[i + 2]) >= 0) {
            s[o++] = (char)(hexval(p[i + 1]) * 16 + hexval(p[i + 2]));
            i += 2;
        } else {
            s[o++] = p[i];
        }
    }
    s[o] = 0;
    return s;
}

struct url_parts {
    char *host;
    int port;
    char *request_url;         /* the URL without userinfo */
    char *user, *pass;         /* from userinfo, or NULL */
};

static void url_parts_free(struct url_parts *u)
{
    free(u->host);
    free(u->request_url);
    free(u->user);
    if (u->pass) { explicit_bzero(u->pass, strlen(u->pass)); free(u->pass); }
    memset(u, 0, sizeof *u);
}

/* rtsp://[user[:pass]@]host[:port][/path][?query] */
static int parse_url(const char *url, struct url_parts *u)
{
    memset(u, 0, sizeof *u);
    size_t len = strlen(url);
    if (len > MAX_URL || strncasecmp(url, "rtsp://", 7)) return WW_EINVAL;
    const char *a = url + 7;
    const char *ae = a + strcspn(a, "/?#");
    const char *at = NULL;
    for (const char *p = a; p < ae; p++)
        if (*p == '@') at = p;
    const char *h = a;
    if (at) {
        const char *colon = memchr(a, ':', (size_t)(at - a));
        if (colon) {
            u->user = pct_decode(a, (size_t)(colon - a));
            u->pass = pct_decode(colon + 1, (size_t)(at - colon - 1));
        } else {
            u->user = pct_decode(a, (size_t)(at - a));
        }
        h = at + 1;
    }
    const char *he, *pp = NULL;
    if (*h == '[') {
        const char *rb = memchr(h, ']', (size_t)(ae - h));
        if (!rb) goto bad;
        u->host = dup_n(h + 1, (size_t)(rb - h - 1));
        he = rb + 1;
        if (he < ae && *he == ':') pp = he + 1;
        else if (he != ae) goto bad;
    } else {
        const char *colon = memchr(h, ':', (size_t)(ae - h));
        he = colon ? colon : ae;
        u->host = dup_n(h, (size_t)(he - h));
        if (colon) pp = colon + 1;
    }
    if (!*u->host) goto bad;
    u->port = 554;
    if (pp) {
        long port = 0;
        if (pp == ae) goto bad;
        for (const char *p = pp; p < ae; p++) {
            if (*p < '0' || *p > '9') goto bad;
            port = port * 10 + (*p - '0');
            if (port > 65535) goto bad;
        }
        if (port == 0) goto bad;
        u->port = (int)port;
    }
    u->request_url = ww_asprintf("rtsp://%.*s%s", (int)(ae - h), h, ae);
    return 0;
bad:
    url_parts_free(u);
    return WW_EINVAL;
}

/* ---- socket ---------------------------------------------------------------- */

/* 0 to go on waiting, WW_EOF if stopped, -ETIMEDOUT past the deadline. */
static int wait_check(struct rtsp_client *c, int64_t deadline, bool honor_stop)
{
    if (honor_stop && c->stop && atomic_load(c->stop)) return WW_EOF;
    if (ingest_coarse_us() >= deadline) return -ETIMEDOUT;
    return 0;
}

static void set_timeouts(int fd)
{
    struct timeval tv = {.tv_sec = 0, .tv_usec = SOCK_TIMEO_US};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* requests are small */
}

static int connect_one(struct rtsp_client *c, const struct addrinfo *ai, int64_t deadline)
{
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) return -errno;
    int rc = 0;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
        if (errno != EINPROGRESS) { rc = -errno; goto fail; }
        for (;;) {
            struct pollfd pfd = {.fd = fd, .events = POLLOUT};
            int n = poll(&pfd, 1, SOCK_TIMEO_US / 1000);
            if (n > 0) break;
            if (n < 0 && errno != EINTR) { rc = -errno; goto fail; }
            if ((rc = wait_check(c, deadline, true))) goto fail;
        }
        int err = 0;
        socklen_t el = sizeof err;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0) err = errno;
        if (err) { rc = -err; goto fail; }
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) { rc = -errno; goto fail; }
    set_timeouts(fd);
    c->fd = fd;
    return 0;
fail:
    close(fd);
    return rc;
}

static int tcp_connect(struct rtsp_client *c, const struct url_parts *u, int64_t deadline,
                       const char **why)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    char port[8];
    snprintf(port, sizeof port, "%d", u->port);
    /* getaddrinfo cannot be interrupted; for a name (not an address) it may
     * take the resolver's own timeout. */
    int g = getaddrinfo(u->host, port, &hints, &res);
    if (g) {
        *why = ingest_errtext("cannot resolve the camera's host name %s: %s", u->host,
                              gai_strerror(g));
        return WW_EAV;
    }
    int rc = -ECONNREFUSED;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        rc = connect_one(c, ai, deadline);
        if (!rc || rc == WW_EOF || rc == -ETIMEDOUT) break;
    }
    freeaddrinfo(res);
    switch (rc) {
    case 0: break;
    case WW_EOF: *why = "stopped"; break;
    case -ETIMEDOUT: *why = "timed out connecting to the camera"; break;
    case -ECONNREFUSED: *why = "connection refused: camera offline or wrong port"; break;
    case -EHOSTUNREACH: *why = "host unreachable"; break;
    case -ENETUNREACH: *why = "network unreachable"; break;
    default: *why = ingest_errtext("cannot connect to the camera: %s", strerror(-rc)); break;
    }
    return rc;
}

static int send_all(struct rtsp_client *c, const char *p, size_t n, int64_t deadline,
                    bool honor_stop)
{
    while (n) {
        ssize_t k = send(c->fd, p, n, MSG_NOSIGNAL);
        if (k > 0) {
            p += k;
            n -= (size_t)k;
            continue;
        }
        if (k < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) return -errno;
        int rc = wait_check(c, deadline, honor_stop);
        if (rc) return rc;
    }
    return 0;
}

/* Re-estimates the stream's byte rate and sets SO_RCVLOWAT to ~80 ms of it. */
static void adapt_lowat(struct rtsp_client *c, int64_t now)
{
    int64_t dt = now - c->rate_t0;
    if (dt < LOWAT_WINDOW_US) return;
    int64_t want = c->rate_bytes * LOWAT_TARGET_US / dt;
    if (want < LOWAT_MIN) want = LOWAT_MIN;
    if (want > LOWAT_MAX) want = LOWAT_MAX;
    c->rate_t0 = now;
    c->rate_bytes = 0;
    /* a setsockopt only when it moves by more than a quarter */
    if (want * 4 > c->lowat * 5 || want * 5 < c->lowat * 4) {
        int v = (int)want;
        if (!setsockopt(c->fd, SOL_SOCKET, SO_RCVLOWAT, &v, sizeof v)) c->lowat = v;
    }
}

/* One recv() into the buffer.  >0 bytes, 0 nothing yet (timeout), WW_EOF
 * when the camera closed, -errno. */
static int fill(struct rtsp_client *c)
{
    if (c->rd == c->wr) {
        c->rd = c->wr = 0;
    } else if (BUF_SIZE - c->wr < BUF_MIN_FREE) {
        memmove(c->buf, c->buf + c->rd, c->wr - c->rd);
        c->wr -= c->rd;
        c->rd = 0;
    }
    ssize_t k = recv(c->fd, c->buf + c->wr, BUF_SIZE - c->wr, 0);
    c->st.recv_calls++;
    if (k > 0) {
        c->wr += (size_t)k;
        c->st.bytes += k;
        c->rate_bytes += k;
        return (int)k;
    }
    if (k == 0) return WW_EOF;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return 0;
    return -errno;
}

/* ---- requests ---------------------------------------------------------------- */

static void resp_clear(struct response *r)
{
    free(r->head);
    free(r->body);
    memset(r, 0, sizeof *r);
}

/* Sends one request; extra is "Name: value\r\n" lines or NULL. */
static int send_request(struct rtsp_client *c, const char *method, const char *url,
                        const char *extra, int64_t deadline, bool honor_stop)
{
    struct ww_buf b = {0};
    c->cseq++;
    ww_buf_printf(&b, "%s %s RTSP/1.0\r\nCSeq: %u\r\nUser-Agent: wardwatch\r\n", method, url,
                  c->cseq);
    if (c->session) ww_buf_printf(&b, "Session: %s\r\n", c->session);
    char *auth = rtsp_auth_header(&c->auth, c->user, c->pass, method, url);
    if (auth) {
        ww_buf_printf(&b, "Authorization: %s\r\n", auth);
        explicit_bzero(auth, strlen(auth));
        free(auth);
    }
    if (extra) ww_buf_printf(&b, "%s", extra);
    ww_buf_append(&b, "\r\n", 2);
    int rc = send_all(c, (const char *)b.data, b.len, deadline, honor_stop);
    explicit_bzero(b.data, b.len);
    ww_buf_free(&b);
    return rc;
}

static bool cseq_is(const struct rtsp_item *it, unsigned cseq)
{
    size_t pos = 0, vl;
    const char *v;
    if (!rtsp_hdr_next(it->head, it->head_len, "CSeq", &pos, &v, &vl))
        return true; /* some cameras leave it out: the reply is to what we just sent */
    unsigned n = 0;
    for (size_t i = 0; i < vl && v[i] >= '0' && v[i] <= '9' && n < 100000000; i++)
        n = n * 10 + (unsigned)(v[i] - '0');
    return n == cseq;
}

static void reply_to_server(struct rtsp_client *c, const struct rtsp_item *it);

/* Waits for the reply to CSeq c->cseq and copies it into c->resp.  Frames
 * that arrive first (a camera that starts sending before its PLAY reply)
 * are dropped: the stream has not started for us yet. */
static int wait_response(struct rtsp_client *c, int64_t deadline)
{
    resp_clear(&c->resp);
    for (;;) {
        struct rtsp_item it;
        ptrdiff_t k;
        while ((k = rtsp_wire_next(c->buf + c->rd, c->wr - c->rd, c->max_ch, &it)) > 0) {
            c->rd += (size_t)k;
            if (it.kind != RTSP_ITEM_MSG) continue;
            if (it.status == 0) { reply_to_server(c, &it); continue; }
            if (it.status < 0) return WW_EINVAL;
            if (!cseq_is(&it, c->cseq)) continue; /* a late reply to an earlier request */
            c->resp.status = it.status;
            c->resp.head = dup_n(it.head, it.head_len);
            c->resp.head_len = it.head_len;
            c->resp.body = dup_n(it.body, it.body_len);
            c->resp.body_len = it.body_len;
            return 0;
        }
        if (k < 0) return WW_EINVAL;
        int rc = wait_check(c, deadline, true);
        if (rc) return rc;
        rc = fill(c);
        if (rc < 0) return rc;
    }
}

/* Takes the WWW-Authenticate challenges of a 401 head.  A Basic one is not
 * kept unless the record allows Basic: the password would go in clear.
 * true if an answerable challenge is kept. */
static bool take_challenges(struct rtsp_client *c, const char *head, size_t len)
{
    size_t pos = 0, vl;
    const char *v;
    bool usable = false;
    while (rtsp_hdr_next(head, len, "WWW-Authenticate", &pos, &v, &vl))
        if (!rtsp_auth_challenge(&c->auth, v, vl)) usable = true;
    if (c->auth.scheme == RTSP_AUTH_BASIC && !c->basic_allowed) {
        ww_warn(c->ctx, "%s: no credentials sent", INGEST_BASIC_REFUSED);
        c->auth_refused = INGEST_BASIC_REFUSED;
        rtsp_auth_free(&c->auth);
        return false;
    }
    return usable;
}

/* Sends a request and waits for its reply; answers one 401 with the
 * credentials and sends it again. */
static int request(struct rtsp_client *c, const char *method, const char *url, const char *extra,
                   int64_t deadline)
{
    for (int attempt = 0;; attempt++) {
        int rc = send_request(c, method, url, extra, deadline, true);
        if (!rc) rc = wait_response(c, deadline);
        if (rc) return rc;
        if (c->resp.status != 401 || attempt > 0 || !c->user) return 0;
        if (!take_challenges(c, c->resp.head, c->resp.head_len)) return 0;
    }
}

/* An error code and text for a reply that is not 200. */
static int status_error(int status, const char *method, const char **why)
{
    switch (status) {
    case 401:
        *why = "camera refused the credentials (401 Unauthorized): check username and password";
        return WW_EAUTH;
    case 403: *why = "camera refused access (403 Forbidden)"; return WW_EAUTH;
    case 404: *why = "camera has no such stream (404 Not Found): check the URL path"; return -ENOENT;
    case 461:
        *why = "camera does not offer RTP over TCP (461 Unsupported Transport)";
        return -EPROTONOSUPPORT; /* ingest.c falls back to UDP on this */
    default:
        *why = ingest_errtext("camera answered %s with status %d", method, status);
        return WW_EAV;
    }
}

/* status_error with what this client knows more: a 401 it chose not to
 * answer, a redirect it does not follow. */
static int reply_error(struct rtsp_client *c, const char *method, const char **why)
{
    int status = c->resp.status;
    if (status == 401 && c->auth_refused) { *why = c->auth_refused; return WW_EAUTH; }
    if (status >= 300 && status < 400) {
        *why = ingest_errtext("camera answered %s with a redirect (%d), which is not followed:"
                              " credentials go only to the stored host:port; put the target"
                              " in the camera's URL", method, status);
        return WW_EAUTH;
    }
    return status_error(status, method, why);
}

static int io_error(struct rtsp_client *c, int rc, const char *method, const char **why)
{
    switch (rc) {
    case WW_EOF:
        if (c->stop && atomic_load(c->stop)) { *why = "stopped"; return WW_EOF; }
        *why = ingest_errtext("camera closed the connection during %s", method);
        return WW_EAV;
    case -ETIMEDOUT: *why = "timed out connecting to the camera"; return -ETIMEDOUT;
    case WW_EINVAL:
        *why = ingest_errtext("camera sent a malformed or oversized reply to %s", method);
        return WW_EAV;
    default:
        *why = ingest_errtext("connection to the camera failed during %s: %s", method,
                              strerror(-rc));
        return WW_EAV;
    }
}

static const char *hdr(struct rtsp_client *c, const char *name, size_t *vl)
{
    size_t pos = 0;
    const char *v = NULL;
    return rtsp_hdr_next(c->resp.head, c->resp.head_len, name, &pos, &v, vl) ? v : NULL;
}

/* Session: <id>[;timeout=<s>] */
static void take_session(struct rtsp_client *c)
{
    size_t vl;
    const char *v = hdr(c, "Session", &vl);
    if (!v) return;
    /* the id goes back in every request: visible characters only */
    size_t idl = 0;
    while (idl < vl && v[idl] != ';' && v[idl] > 0x20 && v[idl] < 0x7f) idl++;
    if (!idl || idl > MAX_SESSION_ID) return;
    free(c->session);
    c->session = dup_n(v, idl);
    int64_t timeout = DEFAULT_SESSION_TIMEOUT_S;
    for (size_t i = idl; i + 8 <= vl; i++) {
        if (strncasecmp(v + i, "timeout", 7)) continue;
        size_t k = i + 7;
        while (k < vl && v[k] == ' ') k++;
        if (k >= vl || v[k] != '=') continue;
        k++;
        while (k < vl && v[k] == ' ') k++;
        int64_t t = 0;
        bool any = false;
        while (k < vl && v[k] >= '0' && v[k] <= '9' && t < 100000) t = t * 10 + (v[k++] - '0'), any = true;
        if (any && t >= 2) timeout = t; /* a keep-alive every t/2 s, at least every second */
        break;
    }
    c->ka_interval_us = timeout * 1000000 / 2;
}

/* Transport: ...;interleaved=a-b into *rtp, *rtcp (the asked-for pair
 * first: dflt, dflt + 1). */
static void take_channels_into(struct rtsp_client *c, int dflt, int *rtp, int *rtcp)
{
    size_t vl;
    const char *v = hdr(c, "Transport", &vl);
    *rtp = dflt;
    *rtcp = dflt + 1;
    if (!v) return;
    for (size_t i = 0; i + 12 <= vl; i++) {
        if (strncasecmp(v + i, "interleaved=", 12)) continue;
        size_t k = i + 12;
        int a = 0, b = -1;
        bool any = false;
        while (k < vl && v[k] >= '0' && v[k] <= '9' && a < 1000) a = a * 10 + (v[k++] - '0'), any = true;
        if (k < vl && v[k] == '-') {
            k++;
            b = 0;
            while (k < vl && v[k] >= '0' && v[k] <= '9' && b < 1000) b = b * 10 + (v[k++] - '0');
        }
        if (any && a <= 255) {
            *rtp = a;
            *rtcp = b >= 0 && b <= 255 ? b : (a < 255 ? a + 1 : a);
        }
        break;
    }
}

static void take_channels(struct rtsp_client *c) { take_channels_into(c, 0, &c->rtp_ch, &c->rtcp_ch); }

static int udp_bind_pair_into(struct rtsp_client *c, int ufd[2], int *client_port, const char **why);
static bool transport_pair(const char *v, size_t vl, const char *name, int *a, int *b);

static const char *audio_name(enum sdp_audio_codec k)
{
    return k == SDP_AUDIO_AAC ? "AAC" : k == SDP_AUDIO_PCMA ? "G.711 A-law" : k == SDP_AUDIO_PCMU ? "G.711 µ-law" : "none";
}

/* SETUP of the sound track, after the video's (the Session is known).
 * Only when the camera's setting is on and the SDP has a track we can
 * record (over UDP on a port pair of its own); a camera that refuses it,
 * or names channels that clash with the video's, leaves the session
 * video-only: audio never stops video.  Returns an I/O error only (the connection itself failed). */
static int setup_audio(struct rtsp_client *c, const struct ingest_opts *o, const char *base,
                       const char *body, size_t body_len, int64_t deadline)
{
    if (!o->audio) {
        ww_info(c->ctx, "audio: off by the camera's setting, no audio SETUP");
        return 0;
    }
    if (sdp_parse_audio(body, body_len, &c->asdp)) {
        ww_info(c->ctx, "audio: the camera offers no AAC or G.711 track, recording video only");
        return 0;
    }
    char transport[96];
    if (c->udp) {
        const char *why = NULL;
        if (udp_bind_pair_into(c, c->aufd, &c->a_client_port, &why)) {
            ww_warn(c->ctx, "audio: %s, recording video only", why);
            return 0;
        }
        snprintf(transport, sizeof transport, "Transport: RTP/AVP;unicast;client_port=%d-%d\r\n",
                 c->a_client_port, c->a_client_port + 1);
    } else {
        snprintf(transport, sizeof transport, "Transport: RTP/AVP/TCP;unicast;interleaved=2-3\r\n");
    }
    char *track = rtsp_resolve_url(base, c->asdp.control);
    int rc = request(c, "SETUP", track, transport, deadline);
    if (!rc && c->resp.status == 200) {
        size_t vl;
        const char *v = c->udp ? hdr(c, "Transport", &vl) : NULL;
        if (c->udp && v) transport_pair(v, vl, "server_port=", &c->a_server_port[0], &c->a_server_port[1]);
        if (!c->udp) take_channels_into(c, 2, &c->a_rtp_ch, &c->a_rtcp_ch);
        else c->a_rtp_ch = c->a_rtcp_ch = -1; /* no interleaved channel: its own sockets */
        if (!c->udp && (c->a_rtp_ch == c->rtp_ch || c->a_rtp_ch == c->rtcp_ch || c->a_rtcp_ch == c->rtp_ch ||
                        c->a_rtcp_ch == c->rtcp_ch)) {
            ww_warn(c->ctx, "audio: the camera put audio on the video's channels, recording video only");
        } else {
            c->audio = true;
            rtp_adepack_init(&c->adp, &c->asdp);
            if (c->udp)
                ww_info(c->ctx, "audio: SETUP %s %d Hz, %d channel(s), pt %d, track %s, UDP ports %d-%d",
                        audio_name(c->asdp.codec), c->asdp.clock, c->asdp.channels, c->asdp.pt, track,
                        c->a_client_port, c->a_client_port + 1);
            else
                ww_info(c->ctx, "audio: SETUP %s %d Hz, %d channel(s), pt %d, track %s, channels %d-%d",
                        audio_name(c->asdp.codec), c->asdp.clock, c->asdp.channels, c->asdp.pt, track,
                        c->a_rtp_ch, c->a_rtcp_ch);
        }
    } else if (!rc) {
        ww_warn(c->ctx, "audio: the camera answered the audio SETUP with %d, recording video only",
                c->resp.status);
    }
    free(track);
    return rc;
}

static bool head_starts(const struct rtsp_item *it, const char *s)
{
    size_t n = strlen(s);
    return it->head_len >= n && !memcmp(it->head, s, n);
}

/* A request from the camera (some send OPTIONS or GET_PARAMETER as their
 * own keep-alive): a short answer so it does not drop us. */
static void reply_to_server(struct rtsp_client *c, const struct rtsp_item *it)
{
    size_t pos = 0, vl;
    const char *v;
    if (!rtsp_hdr_next(it->head, it->head_len, "CSeq", &pos, &v, &vl) || vl > 16) return;
    bool known = head_starts(it, "OPTIONS ") || head_starts(it, "GET_PARAMETER ") ||
                 head_starts(it, "SET_PARAMETER ");
    char out[96];
    int n = snprintf(out, sizeof out, "RTSP/1.0 %s\r\nCSeq: %.*s\r\n\r\n",
                     known ? "200 OK" : "501 Not Implemented", (int)vl, v);
    if (n > 0 && (size_t)n < sizeof out)
        send_all(c, out, (size_t)n, ingest_coarse_us() + TEARDOWN_US, false);
}

/* ---- open ------------------------------------------------------------------ */

/* RTP over UDP: below, beside the read loop it serves */
static int udp_bind_pair(struct rtsp_client *c, const char **why);
static void take_udp_transport(struct rtsp_client *c);
static void udp_punch(struct rtsp_client *c);

/* The open sequence; with describe_only it ends after a successful
 * DESCRIBE (rtsp_client_check_auth) and *out stays NULL. */
static int client_open(const struct ingest_opts *o, atomic_bool *stop, struct rtsp_client **out,
                       const char **why, bool describe_only)
{
    *out = NULL;
    struct url_parts u;
    if (parse_url(o->url, &u)) {
        *why = "camera URL does not parse (rtsp://host[:port]/path)";
        return WW_EINVAL;
    }
    struct rtsp_client *c = ww_calloc(1, sizeof *c);
    c->fd = -1;
    c->ufd[0] = c->ufd[1] = -1;
    c->aufd[0] = c->aufd[1] = -1;
    c->udp = o->udp;
    c->stop = stop;
    c->ctx = o->log_ctx ? o->log_ctx : "ingest";
    c->url = u.request_url;
    u.request_url = NULL;
    if (o->username && *o->username) {
        c->user = ww_strdup(o->username);
        c->pass = ww_strdup(o->password ? o->password : "");
    } else if (u.user) {
        c->user = ww_strdup(u.user);
        c->pass = ww_strdup(u.pass ? u.pass : "");
    }
    c->basic_allowed = o->basic_allowed;
    c->max_ch = 255;
    c->ka_interval_us = DEFAULT_SESSION_TIMEOUT_S * 1000000 / 2;
    c->buf = ww_malloc(BUF_SIZE);
    c->lowat = 1;
    int64_t deadline = ingest_coarse_us() + (o->open_timeout_us > 0 ? o->open_timeout_us : 10000000);
    if (o->deadline_us > 0 && o->deadline_us < deadline) deadline = o->deadline_us;
    const char *method = "OPTIONS";
    char *base = NULL, *track = NULL, *sdp_body = NULL;
    size_t sdp_len = 0;

    int rc = tcp_connect(c, &u, deadline, why);
    if (rc) goto fail;

    /* OPTIONS: only to learn whether GET_PARAMETER is there for keep-alives;
     * a camera that does not like it still gets DESCRIBE, but not a 401. */
    if ((rc = request(c, method, c->url, NULL, deadline))) goto io_fail;
    if (c->resp.status == 401 || c->resp.status == 403 ||
        (c->resp.status >= 300 && c->resp.status < 400)) {
        rc = reply_error(c, method, why);
        goto fail;
    }
    size_t vl;
    const char *pub = hdr(c, "Public", &vl);
    if (pub) {
        char *p = dup_n(pub, vl);
        c->ka_get_parameter = strstr(p, "GET_PARAMETER") != NULL;
        free(p);
    }

    method = "DESCRIBE";
    if ((rc = request(c, method, c->url, "Accept: application/sdp\r\n", deadline))) goto io_fail;
    if (c->resp.status != 200) { rc = reply_error(c, method, why); goto fail; }
    if (sdp_parse_video(c->resp.body, c->resp.body_len, &c->sdp)) {
        *why = "camera offers no H.264 or H.265 video stream";
        rc = WW_EINVAL;
        goto fail;
    }
    if (describe_only) { rc = 0; goto fail; }
    /* the audio track is read after the video's SETUP reply replaced it */
    sdp_len = c->resp.body_len;
    sdp_body = dup_n(c->resp.body, sdp_len);
    const char *cb = hdr(c, "Content-Base", &vl);
    if (!cb) cb = hdr(c, "Content-Location", &vl);
    base = rtsp_base_url(c->url, cb, cb && vl <= MAX_URL ? vl : 0);
    track = rtsp_resolve_url(base, c->sdp.control);
    c->play_url = c->sdp.session_control ? rtsp_resolve_url(base, c->sdp.session_control)
                                         : ww_strdup(base);

    method = "SETUP";
    char transport[96];
    if (c->udp) {
        if ((rc = udp_bind_pair(c, why))) goto fail;
        snprintf(transport, sizeof transport, "Transport: RTP/AVP;unicast;client_port=%d-%d\r\n",
                 c->client_port, c->client_port + 1);
    } else {
        snprintf(transport, sizeof transport, "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n");
    }
    if ((rc = request(c, method, track, transport, deadline))) goto io_fail;
    if (c->resp.status != 200) { rc = reply_error(c, method, why); goto fail; }
    take_session(c);
    if (c->udp) take_udp_transport(c);
    else take_channels(c);
    if (!c->session) {
        *why = "camera gave no Session in its SETUP reply";
        rc = WW_EAV;
        goto fail;
    }
    if ((rc = setup_audio(c, o, base, sdp_body, sdp_len, deadline))) goto io_fail;
    c->max_ch = c->rtp_ch > c->rtcp_ch ? c->rtp_ch : c->rtcp_ch;
    if (c->audio && !c->udp && c->a_rtp_ch > c->max_ch) c->max_ch = c->a_rtp_ch;
    if (c->audio && !c->udp && c->a_rtcp_ch > c->max_ch) c->max_ch = c->a_rtcp_ch;
    rtp_depack_init(&c->dp, c->sdp.codec, c->sdp.pt, c->sdp.max_don_diff > 0);
    uint32_t our_ssrc;
    randombytes_buf(&our_ssrc, sizeof our_ssrc);
    rtcp_rx_init(&c->rx, our_ssrc, c->sdp.clock);
    if (c->udp) {
        rtp_window_init(&c->win);
        c->ubuf = ww_malloc(RTPW_MAX_PACKET);
        udp_punch(c);
    }

    method = "PLAY";
    if ((rc = request(c, method, c->play_url, "Range: npt=0.000-\r\n", deadline))) goto io_fail;
    if (c->resp.status != 200) { rc = reply_error(c, method, why); goto fail; }
    c->playing = true;
    resp_clear(&c->resp);

    int64_t now = ingest_coarse_us();
    c->next_ka_us = now + c->ka_interval_us;
    c->next_rr_us = now + RR_INTERVAL_US;
    c->rate_t0 = now;
    if (c->udp)
        ww_debug(c->ctx, "lean RTSP: %s pt %d, track %s, UDP ports %d-%d, camera's %d-%d, "
                         "receive buffer %lld bytes",
                 c->sdp.codec == RTP_H264 ? "H.264" : "H.265", c->sdp.pt, track, c->client_port,
                 c->client_port + 1, c->server_port[0], c->server_port[1],
                 (long long)c->st.udp_rcvbuf);
    else
        ww_debug(c->ctx, "lean RTSP: %s pt %d, track %s, channels %d-%d, keep-alive %s every %lld s",
                 c->sdp.codec == RTP_H264 ? "H.264" : "H.265", c->sdp.pt, track, c->rtp_ch,
                 c->rtcp_ch, c->ka_get_parameter ? "GET_PARAMETER" : "OPTIONS",
                 (long long)(c->ka_interval_us / 1000000));
    free(base);
    free(track);
    free(sdp_body);
    url_parts_free(&u);
    *out = c;
    return 0;

io_fail:
    rc = io_error(c, rc, method, why);
fail:
    free(base);
    free(track);
    free(sdp_body);
    url_parts_free(&u);
    rtsp_client_close(c);
    return rc;
}

int rtsp_client_open(const struct ingest_opts *o, atomic_bool *stop, struct rtsp_client **out,
                     const char **why)
{
    return client_open(o, stop, out, why, false);
}

int rtsp_client_check_auth(const struct ingest_opts *o, atomic_bool *stop, const char **why)
{
    struct rtsp_client *none;
    return client_open(o, stop, &none, why, true);
}

/* ---- read --------------------------------------------------------------------- */

static int keepalive(struct rtsp_client *c, int64_t now)
{
    c->next_ka_us = now + c->ka_interval_us;
    c->st.keepalives++;
    /* 200 bytes into a send buffer we otherwise leave empty: if the camera
     * has not taken them in KEEPALIVE_SEND_US it is not reading, and a
     * request cut short would garble everything after it. */
    return send_request(c, c->ka_get_parameter ? "GET_PARAMETER" : "OPTIONS", c->play_url, NULL,
                        now + KEEPALIVE_SEND_US, true);
}

/* An RTCP receiver report on the interleaved RTCP channel.  Best effort:
 * a report that cannot go out now is not worth a session (the next one
 * comes in RR_INTERVAL_US), but a socket that takes nothing for
 * KEEPALIVE_SEND_US is the keep-alive's to judge. */
static void send_rr(struct rtsp_client *c, int64_t now)
{
    c->next_rr_us = now + RR_INTERVAL_US;
    uint8_t frame[4 + 128];
    size_t n = rtcp_rx_report(&c->rx, "wardwatch", now, frame + 4, sizeof frame - 4);
    if (!n) return;
    frame[0] = '$';
    frame[1] = (uint8_t)c->rtcp_ch;
    frame[2] = (uint8_t)(n >> 8);
    frame[3] = (uint8_t)n;
    int rc = send_all(c, (const char *)frame, n + 4, now + KEEPALIVE_SEND_US, true);
    if (rc) ww_debug(c->ctx, "receiver report not sent: %s", ww_strerror(rc));
    else c->st.rtcp_rr++;
}

static void on_message(struct rtsp_client *c, const struct rtsp_item *it)
{
    c->st.messages++;
    if (it->status == 0) { reply_to_server(c, it); return; }
    if (it->status == 200) return;
    ww_debug(c->ctx, "camera answered a keep-alive with status %d", it->status);
    if (it->status == 401 && c->user) { /* a new nonce: answer it with the next keep-alive */
        take_challenges(c, it->head, it->head_len);
        return;
    }
    /* Some cameras list GET_PARAMETER in Public and then refuse it (400,
     * 451, 454, 501…): a refused keep-alive may not keep the session, so go
     * on with OPTIONS, which every camera answers.  A reply never ends the
     * session either way. */
    if (c->ka_get_parameter) {
        c->ka_get_parameter = false;
        ww_info(c->ctx, "camera refused GET_PARAMETER as a keep-alive (status %d): using OPTIONS", it->status);
    }
}

/* Dropped access units are counted in the stats; people hear of them at
 * most once a minute, with the count since the last word. */
static void log_drops(struct rtsp_client *c)
{
    int64_t now = ingest_coarse_us();
    if (now < c->next_drop_log_us) return;
    ww_warn(c->ctx, "dropped %lld access units with lost or broken RTP packets (%lld in all)",
            (long long)(c->dp.st.dropped_aus - c->drops_logged), (long long)c->dp.st.dropped_aus);
    c->drops_logged = c->dp.st.dropped_aus;
    c->next_drop_log_us = now + DROP_LOG_US;
}

/* ---- RTP over UDP ----------------------------------------------------------
 * SETUP asks for client_port=a-(a+1), an even/odd pair bound on the local
 * address that faces the camera (the RTSP connection's own).  Only
 * datagrams from the camera's address (and its server ports, once its
 * SETUP reply named them) are taken; the rest are counted as foreign and
 * dropped.  rtp_window.c puts packets back in order; receiver reports go
 * to the camera's RTCP port; the RTSP connection stays for keep-alives. */

static _Atomic bool rcvbuf_warned; /* the kernel's cap is the host's: say it once */

static void set_port(struct sockaddr_storage *ss, int port)
{
    if (ss->ss_family == AF_INET6) ((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
    else ((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
}

static int get_port(const struct sockaddr_storage *ss)
{
    return ss->ss_family == AF_INET6 ? ntohs(((const struct sockaddr_in6 *)ss)->sin6_port)
                                     : ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

static bool same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
    if (a->ss_family != b->ss_family) return false;
    if (a->ss_family == AF_INET6)
        return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
                       &((const struct sockaddr_in6 *)b)->sin6_addr, sizeof(struct in6_addr));
    return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
           ((const struct sockaddr_in *)b)->sin_addr.s_addr;
}

static void size_rcvbuf(struct rtsp_client *c, int fd)
{
    int want = UDP_RCVBUF, got = 0;
    socklen_t gl = sizeof got;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof want);
    if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &gl)) got = 0;
    c->st.udp_rcvbuf = got;
    /* Linux reports twice what it books; less than asked means rmem_max */
    if (got < want && !atomic_exchange(&rcvbuf_warned, true))
        ww_warn(c->ctx, "UDP receive buffer: asked for %d bytes, the kernel gave %d (raise "
                        "net.core.rmem_max); bursts of a main stream may be lost",
                want, got);
}

static int udp_bind_pair(struct rtsp_client *c, const char **why)
{
    return udp_bind_pair_into(c, c->ufd, &c->client_port, why);
}

static int udp_bind_pair_into(struct rtsp_client *c, int ufd[2], int *client_port, const char **why)
{
    struct sockaddr_storage local;
    socklen_t ll = sizeof local;
    c->peer_len = sizeof c->peer;
    if (getsockname(c->fd, (struct sockaddr *)&local, &ll) ||
        getpeername(c->fd, (struct sockaddr *)&c->peer, &c->peer_len)) {
        *why = ingest_errtext("UDP: cannot read the RTSP connection's addresses: %s", strerror(errno));
        return WW_EAV;
    }
    for (int attempt = 0; attempt < 64; attempt++) {
        int port = 20000 + 2 * (int)randombytes_uniform(20000);
        int fd[2] = {-1, -1};
        bool ok = true;
        for (int i = 0; i < 2 && ok; i++) {
            fd[i] = socket(local.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
            set_port(&local, port + i);
            ok = fd[i] >= 0 && !bind(fd[i], (struct sockaddr *)&local, ll);
        }
        if (ok) {
            ufd[0] = fd[0];
            ufd[1] = fd[1];
            *client_port = port;
            if (ufd == c->ufd) size_rcvbuf(c, fd[0]); /* audio is a few kbit/s: the default buffer */
            return 0;
        }
        int err = errno;
        for (int i = 0; i < 2; i++) if (fd[i] >= 0) close(fd[i]);
        if (err != EADDRINUSE) {
            *why = ingest_errtext("UDP: cannot bind a port pair: %s", strerror(err));
            return WW_EAV;
        }
    }
    *why = "UDP: no free even/odd port pair found";
    return WW_EAV;
}

/* A number after "name=" in a Transport value, and the one after '-'. */
static bool transport_pair(const char *v, size_t vl, const char *name, int *a, int *b)
{
    size_t nl = strlen(name);
    for (size_t i = 0; i + nl <= vl; i++) {
        if (strncasecmp(v + i, name, nl) || (i && v[i - 1] != ';' && v[i - 1] != ' ')) continue;
        size_t k = i + nl;
        int x = 0, y = 0;
        bool any = false;
        while (k < vl && v[k] >= '0' && v[k] <= '9' && x <= 65535) x = x * 10 + (v[k++] - '0'), any = true;
        if (!any || x > 65535 || x == 0) return false;
        *a = x;
        *b = x + 1;
        if (k < vl && v[k] == '-') {
            k++;
            any = false;
            while (k < vl && v[k] >= '0' && v[k] <= '9' && y <= 65535) y = y * 10 + (v[k++] - '0'), any = true;
            if (any && y > 0 && y <= 65535) *b = y;
        }
        return true;
    }
    return false;
}

/* Transport: ...;server_port=x-y[;source=addr] */
static void take_udp_transport(struct rtsp_client *c)
{
    size_t vl;
    const char *v = hdr(c, "Transport", &vl);
    if (!v) return;
    int a, b;
    if (transport_pair(v, vl, "server_port=", &a, &b)) {
        c->server_port[0] = a;
        c->server_port[1] = b;
    }
    for (size_t i = 0; i + 7 <= vl; i++) {
        if (strncasecmp(v + i, "source=", 7)) continue;
        size_t k = i + 7, e = k;
        while (e < vl && v[e] != ';' && e - k < 64) e++;
        char host[65];
        memcpy(host, v + k, e - k);
        host[e - k] = 0;
        struct addrinfo hints = {.ai_flags = AI_NUMERICHOST, .ai_socktype = SOCK_DGRAM}, *res = NULL;
        if (!getaddrinfo(host, NULL, &hints, &res) && res->ai_family == c->peer.ss_family &&
            res->ai_addrlen <= sizeof c->peer) {
            memcpy(&c->peer, res->ai_addr, res->ai_addrlen);
            c->peer_len = res->ai_addrlen;
        }
        if (res) freeaddrinfo(res);
        break;
    }
}

static void udp_send(struct rtsp_client *c, int i, const uint8_t *p, size_t n)
{
    if (!c->server_port[i]) return;
    struct sockaddr_storage to = c->peer;
    set_port(&to, c->server_port[i]);
    sendto(c->ufd[i], p, n, MSG_DONTWAIT, (struct sockaddr *)&to, c->peer_len);
}

/* NAT and firewall keep-alive: one datagram from each of our ports to the
 * camera's, so a stateful firewall in between lets its packets back in.
 * An RTP header with no payload (ignored by cameras) and an empty RR. */
static void udp_punch(struct rtsp_client *c)
{
    uint8_t rtp_hdr[12] = {0x80, 0};
    udp_send(c, 0, rtp_hdr, sizeof rtp_hdr);
    uint8_t rr[128];
    size_t n = rtcp_rx_report(&c->rx, "wardwatch", ingest_coarse_us(), rr, sizeof rr);
    if (n) udp_send(c, 1, rr, n);
    if (c->audio && c->a_server_port[0]) { /* the sound track's ports too */
        struct sockaddr_storage to = c->peer;
        set_port(&to, c->a_server_port[0]);
        sendto(c->aufd[0], rtp_hdr, sizeof rtp_hdr, MSG_DONTWAIT, (struct sockaddr *)&to, c->peer_len);
    }
}

static void udp_send_rr(struct rtsp_client *c, int64_t now)
{
    c->next_rr_us = now + RR_INTERVAL_US;
    uint8_t rr[128];
    size_t n = rtcp_rx_report(&c->rx, "wardwatch", now, rr, sizeof rr);
    if (!n || !c->server_port[1]) return;
    udp_send(c, 1, rr, n);
    c->st.rtcp_rr++;
}

/* From the camera: its address, and its port for socket i once known. */
static bool from_camera(const struct rtsp_client *c, const struct sockaddr_storage *from, int i)
{
    if (!same_host(from, &c->peer)) return false;
    return !c->server_port[i] || get_port(from) == c->server_port[i];
}

/* Hands the window's in-order packets to the depacketizer until an access
 * unit is complete.  true if one is. */
static bool udp_drain(struct rtsp_client *c, int64_t now)
{
    const uint8_t *p;
    size_t n;
    while (rtp_window_pop(&c->win, now, &p, &n)) {
        c->st.frames++;
        rtcp_rx_rtp(&c->rx, p, n, c->win.popped_at_us); /* jitter: when it came, not left */
        if (rtp_depack_push(&c->dp, p, n) > 0) return true;
    }
    return false;
}

/* Reads what waits on the RTP socket (at most UDP_BATCH datagrams).
 * Stops early when the window has no room (the packet stays held). */
static void udp_recv_rtp(struct rtsp_client *c, int64_t now)
{
    for (int i = 0; i < UDP_BATCH && !c->held; i++) {
        struct sockaddr_storage from;
        socklen_t fl = sizeof from;
        ssize_t k = recvfrom(c->ufd[0], c->ubuf, RTPW_MAX_PACKET, MSG_DONTWAIT,
                             (struct sockaddr *)&from, &fl);
        c->st.recv_calls++;
        if (k < 0) return;
        c->st.bytes += k;
        if (!from_camera(c, &from, 0)) { c->st.udp_foreign++; continue; }
        if (rtp_window_push(&c->win, c->ubuf, (size_t)k, now) == RTPW_FULL) c->held = (size_t)k;
    }
}

/* The sound track's datagrams, straight to its depacketizer (no reorder
 * window: a late audio packet is dropped and counted, a few ms of sound);
 * its RTCP is read and not used (ingest.c times audio on arrival). */
static void udp_recv_audio(struct rtsp_client *c, int i)
{
    uint8_t b[2048];
    for (int k = 0; k < UDP_BATCH; k++) {
        struct sockaddr_storage from;
        socklen_t fl = sizeof from;
        ssize_t n = recvfrom(c->aufd[i], b, sizeof b, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
        if (n < 0) return;
        if (!same_host(&from, &c->peer) || (c->a_server_port[i] && get_port(&from) != c->a_server_port[i])) {
            c->st.udp_foreign++;
            continue;
        }
        if (i == 0) rtp_adepack_push(&c->adp, b, (size_t)n);
        else c->st.rtcp++;
    }
}

/* A sender report just parsed: its RTP time extended the way the
 * depacketizer extends the packets' (a signed step from the newest one, so
 * an SR on either side of the 2^32 wrap lands on the packets' timeline). */
static void note_sr(struct rtsp_client *c)
{
    if (!c->rx.sr_new) return;
    c->rx.sr_new = false;
    if (!c->dp.have_ts) return; /* no packet to relate it to yet */
    c->sr = (struct rtsp_sr){
        .ntp_us = rtcp_ntp_to_unix_us(c->rx.sr_ntp),
        .ext_ts = c->dp.last_ts64 + (int32_t)(c->rx.sr_rtp - c->dp.last_ts32),
        .recv_us = ww_wall_us(),
    };
    c->sr_pending = true;
}

bool rtsp_client_take_sr(struct rtsp_client *c, struct rtsp_sr *out)
{
    if (!c->sr_pending) return false;
    *out = c->sr;
    c->sr_pending = false;
    return true;
}

static void udp_recv_rtcp(struct rtsp_client *c, int64_t now)
{
    uint8_t b[2048];
    for (int i = 0; i < 8; i++) {
        struct sockaddr_storage from;
        socklen_t fl = sizeof from;
        ssize_t k = recvfrom(c->ufd[1], b, sizeof b, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
        if (k < 0) return;
        if (!from_camera(c, &from, 1)) { c->st.udp_foreign++; continue; }
        c->st.rtcp++;
        rtcp_rx_rtcp(&c->rx, b, (size_t)k, now);
        note_sr(c);
    }
}

/* RTSP messages on the connection while the media comes over UDP. */
static int udp_control(struct rtsp_client *c)
{
    int rc = fill(c);
    if (rc < 0 && rc != WW_EOF) return rc == -ECONNRESET || rc == -EPIPE ? WW_EOF : WW_EAV;
    struct rtsp_item it;
    ptrdiff_t k;
    while ((k = rtsp_wire_next(c->buf + c->rd, c->wr - c->rd, c->max_ch, &it)) > 0) {
        c->rd += (size_t)k;
        if (it.kind == RTSP_ITEM_MSG) on_message(c, &it);
        else if (it.kind == RTSP_ITEM_JUNK) c->st.junk_bytes += (int64_t)it.len;
    }
    if (k < 0) return WW_EAV;
    return rc == WW_EOF ? WW_EOF : 0;
}

static int udp_read(struct rtsp_client *c, AVPacket *pkt, int64_t timeout_us)
{
    int64_t deadline = ingest_coarse_us() + timeout_us;
    for (;;) {
        if (c->stop && atomic_load(c->stop)) return WW_EOF;
        if (c->dp.st.dropped_aus != c->drops_logged) log_drops(c);
        if (rtp_depack_pop(&c->dp, pkt)) return 0;
        if (c->audio && rtp_adepack_pop(&c->adp, pkt)) {
            pkt->stream_index = 1;
            c->a_frames_out++;
            return 0;
        }
        int64_t now = ingest_coarse_us();
        if (c->held && rtp_window_push(&c->win, c->ubuf, c->held, now) != RTPW_FULL) c->held = 0;
        if (udp_drain(c, now)) continue;
        if (now >= c->next_ka_us) {
            int rc = keepalive(c, now);
            if (rc == WW_EOF) return WW_EOF;
            if (rc) return rc == -EPIPE || rc == -ECONNRESET ? WW_EOF : WW_EAV;
        }
        if (now >= c->next_rr_us) udp_send_rr(c, now);
        if (now >= deadline) return -ETIMEDOUT;
        if (c->held) continue; /* the window gives up its gap on this pass */
        int64_t wait = SOCK_TIMEO_US, gap = rtp_window_wait_us(&c->win, now);
        if (gap >= 0 && gap < wait) wait = gap;
        if (deadline - now < wait) wait = deadline - now;
        struct pollfd pfd[5] = {{.fd = c->fd, .events = POLLIN},
                                {.fd = c->ufd[0], .events = POLLIN},
                                {.fd = c->ufd[1], .events = POLLIN},
                                {.fd = c->audio ? c->aufd[0] : -1, .events = POLLIN},
                                {.fd = c->audio ? c->aufd[1] : -1, .events = POLLIN}};
        int n = poll(pfd, 5, (int)((wait + 999) / 1000));
        if (n < 0 && errno != EINTR) return WW_EAV;
        if (n <= 0) continue;
        now = ingest_coarse_us();
        if (pfd[0].revents) {
            int rc = udp_control(c);
            if (rc) return rc;
        }
        if (pfd[2].revents) udp_recv_rtcp(c, now);
        if (pfd[1].revents) udp_recv_rtp(c, now);
        if (pfd[3].revents) udp_recv_audio(c, 0);
        if (pfd[4].revents) udp_recv_audio(c, 1);
    }
}

int rtsp_client_read(struct rtsp_client *c, AVPacket *pkt, int64_t timeout_us)
{
    if (c->udp) return udp_read(c, pkt, timeout_us);
    int64_t deadline = ingest_coarse_us() + timeout_us;
    for (;;) {
        if (c->stop && atomic_load(c->stop)) return WW_EOF;
        if (c->dp.st.dropped_aus != c->drops_logged) log_drops(c);
        if (rtp_depack_pop(&c->dp, pkt)) return 0;
        if (c->audio && rtp_adepack_pop(&c->adp, pkt)) {
            pkt->stream_index = 1;
            c->a_frames_out++;
            return 0;
        }
        struct rtsp_item it;
        ptrdiff_t k = 0;
        bool ready = false;
        while (!ready && (k = rtsp_wire_next(c->buf + c->rd, c->wr - c->rd, c->max_ch, &it)) > 0) {
            c->rd += (size_t)k;
            switch (it.kind) {
            case RTSP_ITEM_FRAME:
                if (it.channel == c->rtp_ch) {
                    c->st.frames++;
                    rtcp_rx_rtp(&c->rx, it.data, it.len, ingest_coarse_us());
                    ready = rtp_depack_push(&c->dp, it.data, it.len) > 0;
                } else if (c->audio && it.channel == c->a_rtp_ch) {
                    ready = rtp_adepack_push(&c->adp, it.data, it.len) > 0;
                } else if (c->audio && it.channel == c->a_rtcp_ch) {
                    c->st.rtcp++; /* the audio's sender reports: not used for timing (ingest.c) */
                } else {
                    c->st.rtcp++;
                    if (it.channel == c->rtcp_ch) {
                        rtcp_rx_rtcp(&c->rx, it.data, it.len, ingest_coarse_us());
                        note_sr(c);
                    }
                }
                break;
            case RTSP_ITEM_MSG: on_message(c, &it); break;
            case RTSP_ITEM_JUNK: c->st.junk_bytes += (int64_t)it.len; break;
            }
        }
        if (ready) continue;
        if (k < 0) {
            ww_debug(c->ctx, "camera sent an oversized RTSP message while streaming");
            return WW_EAV;
        }
        int64_t now = ingest_coarse_us();
        if (now >= c->next_ka_us) {
            int rc = keepalive(c, now);
            if (rc == WW_EOF) return WW_EOF;
            if (rc) {
                ww_debug(c->ctx, "keep-alive could not be sent: %s", ww_strerror(rc));
                return rc == -EPIPE || rc == -ECONNRESET ? WW_EOF : WW_EAV;
            }
        }
        if (now >= c->next_rr_us) send_rr(c, now);
        if (now >= deadline) return -ETIMEDOUT;
        int rc = fill(c);
        if (rc == WW_EOF) return WW_EOF;
        if (rc < 0) {
            ww_debug(c->ctx, "read: %s", strerror(-rc));
            return rc == -ECONNRESET || rc == -EPIPE ? WW_EOF : WW_EAV;
        }
        adapt_lowat(c, ingest_coarse_us());
    }
}

/* ---- close and accessors ----------------------------------------------------- */

void rtsp_client_close(struct rtsp_client *c)
{
    if (!c) return;
    if (c->fd >= 0 && c->session && c->playing) {
        /* best effort: the camera frees the session now instead of at its
         * timeout; we do not wait for the reply */
        send_request(c, "TEARDOWN", c->play_url, NULL, ingest_coarse_us() + TEARDOWN_US, false);
    }
    if (c->playing)
        ww_debug(c->ctx,
                 "lean RTSP: %lld recv calls, %lld bytes, %lld RTP packets, %lld access units, "
                 "%lld dropped (%lld gaps, %lld packets lost), %lld bad, %lld keep-alives, "
                 "%lld receiver reports, %lld messages, %lld junk bytes",
                 (long long)c->st.recv_calls, (long long)c->st.bytes, (long long)c->st.frames,
                 (long long)c->dp.st.aus, (long long)c->dp.st.dropped_aus,
                 (long long)c->dp.st.gaps, (long long)c->dp.st.lost, (long long)c->dp.st.bad,
                 (long long)c->st.keepalives, (long long)c->st.rtcp_rr, (long long)c->st.messages,
                 (long long)c->st.junk_bytes);
    if (c->playing && c->udp)
        ww_debug(c->ctx, "lean RTSP over UDP: %lld received, %lld lost, %lld reordered, "
                         "%lld duplicate, %lld late, %lld foreign",
                 (long long)c->win.st.received, (long long)c->win.st.lost,
                 (long long)c->win.st.reordered, (long long)c->win.st.duplicate,
                 (long long)c->win.st.late, (long long)c->st.udp_foreign);
    if (c->fd >= 0) close(c->fd);
    for (int i = 0; i < 2; i++) if (c->ufd[i] >= 0) close(c->ufd[i]);
    for (int i = 0; i < 2; i++) if (c->aufd[i] >= 0) close(c->aufd[i]);
    rtp_window_free(&c->win);
    free(c->ubuf);
    rtp_depack_free(&c->dp);
    sdp_video_free(&c->sdp);
    if (c->audio)
        ww_debug(c->ctx, "audio: %lld RTP packets, %lld frames, %lld dropped, %lld bad, %lld lost",
                 (long long)c->adp.st.packets, (long long)c->adp.st.aus, (long long)c->adp.st.dropped_aus,
                 (long long)c->adp.st.bad, (long long)c->adp.st.lost);
    rtp_adepack_free(&c->adp);
    sdp_audio_free(&c->asdp);
    rtsp_auth_free(&c->auth);
    resp_clear(&c->resp);
    free(c->buf);
    free(c->url);
    free(c->user);
    if (c->pass) { explicit_bzero(c->pass, strlen(c->pass)); free(c->pass); }
    free(c->session);
    free(c->play_url);
    free(c);
}

enum AVCodecID rtsp_client_codec(const struct rtsp_client *c)
{
    return c->sdp.codec == RTP_H264 ? AV_CODEC_ID_H264 : AV_CODEC_ID_HEVC;
}

const uint8_t *rtsp_client_extradata(const struct rtsp_client *c, int *size)
{
    *size = c->sdp.extradata_size;
    return c->sdp.extradata;
}

AVRational rtsp_client_time_base(const struct rtsp_client *c)
{
    return (AVRational){1, c->sdp.clock > 0 ? c->sdp.clock : 90000};
}

const struct sdp_audio *rtsp_client_audio(const struct rtsp_client *c)
{
    return c->audio ? &c->asdp : NULL;
}

void rtsp_client_audio_stats(const struct rtsp_client *c, struct rtp_astats *st)
{
    *st = c->adp.st;
}

void rtsp_client_stats(const struct rtsp_client *c, struct rtsp_client_stats *st)
{
    *st = c->st;
    st->rtp = c->dp.st;
    st->udp = c->udp;
    st->win = c->win.st;
    st->sr_unknown = c->rx.sr_unknown;
}
