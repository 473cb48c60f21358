/*
 * rtsp_wire.c — what comes down an RTSP/TCP connection, split into items.
 *
 * After PLAY one TCP stream carries interleaved binary frames
 * ('$', channel, 16-bit length, payload: RFC 2326 §10.12) mixed with text
 * RTSP messages (replies to our keep-alives, now and then a request from
 * the camera).  rtsp_wire_next() looks at the front of a receive buffer and
 * says which it is and how long, without copying: the caller hands frame
 * payloads to the depacketizer in place and consumes the bytes.
 *
 * Why a pure function over a buffer: the reader fills its buffer with as
 * many bytes as one recv() returns (tens of RTP packets), so an item may be
 * split across reads at any byte; "need more" (0) is an ordinary answer and
 * nothing here blocks or keeps state.  The unit tests feed it split buffers.
 *
 * Bounds: a message head must end within RTSP_MAX_HEAD bytes and declare at
 * most RTSP_MAX_BODY bytes of body, else WW_EINVAL (the connection is
 * dropped).  Bytes that are neither a frame nor a message start are junk and
 * skipped up to the next '$' or 'R', as cameras sometimes emit stray bytes.
 */
#include "ingest/internal.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"

#define MAX_METHOD 32

/* 1 = p[0..n) starts a message, 0 = it does not, -1 = cannot tell yet. */
static int message_start(const uint8_t *p, size_t n, bool *response)
{
    static const char rtsp[] = "RTSP/";
    size_t k = n < 5 ? n : 5;
    if (!memcmp(p, rtsp, k)) {
        if (k < 5) return -1;
        *response = true;
        return 1;
    }
    /* a request from the server: METHOD SP (upper-case letters, '_') */
    size_t i = 0;
    while (i < n && i < MAX_METHOD && (isupper(p[i]) || p[i] == '_')) i++;
    if (i == n && i < MAX_METHOD) return i ? -1 : 0;
    if (i >= 3 && i < n && p[i] == ' ') {
        *response = false;
        return 1;
    }
    return 0;
}

/* Offset of the blank line ending the head and its length (2 or 4), or
 * 0 if not within n bytes. */
static size_t head_end(const uint8_t *p, size_t n, size_t *seplen)
{
    for (size_t i = 0; i + 1 < n; i++) {
        if (p[i] != '\n') continue;
        if (p[i + 1] == '\n') { *seplen = 2; return i; }
        if (p[i + 1] == '\r' && i + 2 < n && p[i + 2] == '\n') {
            *seplen = 3;
            return i;
        }
    }
    return 0;
}

static size_t skip_junk(const uint8_t *p, size_t n)
{
    size_t i = 1;
    while (i < n && p[i] != '$' && p[i] != 'R') i++;
    return i;
}

ptrdiff_t rtsp_wire_next(const uint8_t *p, size_t n, int max_channel, struct rtsp_item *it)
{
    memset(it, 0, sizeof *it);
    if (!n) return 0;
    if (p[0] == '$') {
        if (n < 2) return 0;
        if (p[1] <= max_channel) {
            if (n < 4) return 0;
            size_t len = (size_t)p[2] << 8 | p[3];
            if (n < 4 + len) return 0;
            it->kind = RTSP_ITEM_FRAME;
            it->channel = p[1];
            it->data = p + 4;
            it->len = len;
            return (ptrdiff_t)(4 + len);
        }
    } else {
        bool response = false;
        int ms = message_start(p, n, &response);
        if (ms < 0) return 0;
        if (ms > 0) {
            size_t seplen = 0, lim = n < RTSP_MAX_HEAD ? n : RTSP_MAX_HEAD;
            size_t he = head_end(p, lim, &seplen);
            if (!he) return n >= RTSP_MAX_HEAD ? WW_EINVAL : 0;
            it->kind = RTSP_ITEM_MSG;
            it->head = (const char *)p;
            it->head_len = he > 0 && p[he - 1] == '\r' ? he - 1 : he;
            if (response) {
                /* "RTSP/1.0 200 OK": three digits after the first space */
                const uint8_t *sp = memchr(p, ' ', it->head_len);
                it->status = -1;
                if (sp && (size_t)(sp - p) + 4 <= it->head_len && isdigit(sp[1]) &&
                    isdigit(sp[2]) && isdigit(sp[3]) &&
                    ((size_t)(sp - p) + 4 == it->head_len || !isdigit(sp[4])))
                    it->status = (sp[1] - '0') * 100 + (sp[2] - '0') * 10 + (sp[3] - '0');
                if (it->status < 100) it->status = -1;
            }
            size_t body = 0, pos = 0, vlen;
            const char *val;
            if (rtsp_hdr_next(it->head, it->head_len, "Content-Length", &pos, &val, &vlen)) {
                if (!vlen) return WW_EINVAL;
                for (size_t i = 0; i < vlen; i++) {
                    if (!isdigit((unsigned char)val[i]) || body > RTSP_MAX_BODY) return WW_EINVAL;
                    body = body * 10 + (size_t)(val[i] - '0');
                }
                if (body > RTSP_MAX_BODY) return WW_EINVAL;
            }
            size_t total = he + seplen + body;
            if (n < total) return 0;
            it->body = (const char *)p + he + seplen;
            it->body_len = body;
            return (ptrdiff_t)total;
        }
    }
    size_t j = skip_junk(p, n);
    it->kind = RTSP_ITEM_JUNK;
    it->data = p;
    it->len = j;
    return (ptrdiff_t)j;
}

bool rtsp_hdr_next(const char *head, size_t len, const char *name, size_t *pos,
                   const char **val, size_t *vlen)
{
    size_t nl = strlen(name);
    size_t i = *pos;
    if (i == 0) { /* skip the start line */
        const char *e = memchr(head, '\n', len);
        if (!e) return false;
        i = (size_t)(e - head) + 1;
    }
    while (i < len) {
        const char *line = head + i;
        const char *e = memchr(line, '\n', len - i);
        size_t ll = e ? (size_t)(e - line) : len - i;
        size_t next = i + ll + (e ? 1 : 0);
        if (ll > nl && !strncasecmp(line, name, nl)) {
            size_t k = nl;
            while (k < ll && (line[k] == ' ' || line[k] == '\t')) k++;
            if (k < ll && line[k] == ':') {
                k++;
                size_t end = ll;
                while (k < end && (line[k] == ' ' || line[k] == '\t')) k++;
                while (end > k && (line[end - 1] == '\r' || line[end - 1] == ' ' ||
                                   line[end - 1] == '\t'))
                    end--;
                *val = line + k;
                *vlen = end - k;
                *pos = next;
                return true;
            }
        }
        i = next;
    }
    *pos = len;
    return false;
}
