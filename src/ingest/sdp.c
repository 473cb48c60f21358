/*
 * sdp.c — the one thing we need from a camera's SDP (RFC 4566): its
 * H.264 or H.265 video track.
 *
 * What: the first m=video section with an rtpmap of H264/<clock> or
 * H265/<clock> for one of its formats; that payload type, clock rate,
 * the section's a=control and the session's a=control, and the parameter
 * sets from a=fmtp (sprop-parameter-sets for H.264, RFC 6184; sprop-vps,
 * sprop-sps, sprop-pps for H.265, RFC 7798) as extradata in Annex B form
 * (00 00 00 01 before each set; VPS, SPS, PPS order) — the form
 * libavformat produces, which the MP4 muxer turns into avcC/hvcC.
 *
 * Bounds: the text is read within its length (it need not be
 * NUL-terminated); each base64 set decodes into at most SDP_MAX_EXTRADATA
 * bytes in total; a set that does not decode, or does not look whole, is
 * skipped, and unless every kind (SPS and PPS; VPS, SPS and PPS) is there
 * none is used: the first keyframe's in-band sets supply them (a camera
 * with broken sprop-parameter-sets and good in-band ones, issue 12 item 4).
 * Lines may end in CR LF, LF or a lone CR; spaces after "a=rtpmap:" and
 * "a=control:" are skipped.
 */
#include "ingest/internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libavutil/base64.h>
#include <libavutil/mem.h>

#include "base/base.h"

struct line { const char *p; size_t n; };

/* The line starting at *i (without its line end: CR LF, LF, or a lone CR
 * as some cameras write; trailing spaces trimmed); false at the end. */
static bool next_line(const char *s, size_t len, size_t *i, struct line *l)
{
    if (*i >= len) return false;
    size_t n = 0;
    while (*i + n < len && s[*i + n] != '\n' && s[*i + n] != '\r') n++;
    l->p = s + *i;
    l->n = n;
    while (l->n && l->p[l->n - 1] == ' ') l->n--;
    size_t next = *i + n;
    if (next < len && s[next] == '\r') next++;
    if (next < len && s[next] == '\n') next++;
    *i = next;
    return true;
}

static bool line_starts(const struct line *l, const char *pre)
{
    size_t k = strlen(pre);
    return l->n >= k && !strncasecmp(l->p, pre, k);
}

/* Parses a decimal number at *p within end; -1 if none. */
static long num_at(const char **p, const char *end)
{
    long v = -1;
    while (*p < end && isdigit((unsigned char)**p)) {
        v = (v < 0 ? 0 : v) * 10 + (**p - '0');
        if (v > 1000000000) return -1;
        (*p)++;
    }
    return v;
}

/* The value after a "key:" prefix of l, leading spaces skipped, as a heap string. */
static char *value_after(const struct line *l, size_t prefix);

static char *dup_n(const char *p, size_t n)
{
    char *s = ww_malloc(n + 1);
    memcpy(s, p, n);
    s[n] = 0;
    return s;
}

static char *value_after(const struct line *l, size_t prefix)
{
    size_t k = prefix;
    while (k < l->n && l->p[k] == ' ') k++;
    return dup_n(l->p + k, l->n - k);
}

/* Is a decoded set a whole-looking parameter set of codec?  Sets a bit of
 * *have for its kind (H.264: 1 SPS, 2 PPS; H.265: 1 VPS, 2 SPS, 4 PPS).
 * A truncated or mislabelled set would become a broken avcC/hvcC, which no
 * player opens: better none, and the first keyframe's in-band sets. */
static bool set_ok(enum rtp_codec codec, const uint8_t *b, int n, unsigned *have)
{
    if (n < 2 || (b[0] & 0x80)) return false;     /* forbidden_zero_bit */
    if (codec == RTP_H264) {
        int t = b[0] & 0x1F;
        if (t == 7 && n >= 5) { *have |= 1; return true; }   /* header, profile, flags, level, ids */
        if (t == 8) { *have |= 2; return true; }
        return false;
    }
    int t = (b[0] >> 1) & 0x3F;
    if (n < 3) return false;
    if (t == 32) { *have |= 1; return true; }
    if (t == 33 && n >= 6) { *have |= 2; return true; }
    if (t == 34) { *have |= 4; return true; }
    return false;
}

/* Appends 00 00 00 01 + each comma-separated base64 set in v[0..n) that
 * decodes and looks whole (set_ok). */
static void add_sets(struct ww_buf *ed, enum rtp_codec codec, unsigned *have, const char *v, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && v[j] != ',') j++;
        size_t ts = i, te = j;
        while (ts < te && v[ts] == ' ') ts++;
        while (te > ts && v[te - 1] == ' ') te--;
        size_t tl = te - ts;
        if (tl && tl <= 4 * (SDP_MAX_EXTRADATA / 3)) {
            char *tok = dup_n(v + ts, tl);
            size_t cap = AV_BASE64_DECODE_SIZE(tl);
            uint8_t *out = ww_malloc(cap + 1);
            int got = av_base64_decode(out, tok, (int)cap);
            if (got > 0 && set_ok(codec, out, got, have) && ed->len + 4 + (size_t)got <= SDP_MAX_EXTRADATA) {
                ww_buf_append(ed, "\0\0\0\1", 4);
                ww_buf_append(ed, out, (size_t)got);
            }
            free(out);
            free(tok);
        }
        i = j + 1;
    }
}

/* Finds key=value in "a=1; b=2" (fmtp parameters); false if absent. */
static bool fmtp_get(const char *f, size_t n, const char *key, const char **v, size_t *vn)
{
    size_t kl = strlen(key), i = 0;
    while (i < n) {
        while (i < n && (f[i] == ' ' || f[i] == ';')) i++;
        size_t s = i;
        while (i < n && f[i] != ';') i++;
        size_t e = i;
        while (e > s && f[e - 1] == ' ') e--;
        if (e - s > kl && !strncasecmp(f + s, key, kl) && f[s + kl] == '=') {
            *v = f + s + kl + 1;
            *vn = e - s - kl - 1;
            return true;
        }
    }
    return false;
}

static long fmtp_num(const char *f, size_t n, const char *key)
{
    const char *v;
    size_t vn;
    if (!fmtp_get(f, n, key, &v, &vn)) return -1;
    return num_at(&v, v + vn);
}

/* Is pt one of the formats listed on the m= line "m=video 0 RTP/AVP 96 97"? */
static bool media_lists(const struct line *m, long pt)
{
    const char *p = m->p, *end = m->p + m->n;
    for (int field = 0; p < end; field++) {
        while (p < end && *p == ' ') p++;
        const char *s = p;
        while (p < end && *p != ' ') p++;
        if (field >= 3) { /* "m=video", port, proto, then formats */
            const char *q = s;
            if (num_at(&q, p) == pt && q == p) return true;
        }
    }
    return false;
}

/* Looks for the H.264/H.265 rtpmap in the media section [s, e). */
static bool pick_format(const char *sdp, size_t s, size_t e, const struct line *m,
                        struct sdp_video *out)
{
    size_t i = s;
    struct line l;
    while (i < e && next_line(sdp, e, &i, &l)) {
        if (!line_starts(&l, "a=rtpmap:")) continue;
        const char *p = l.p + 9, *end = l.p + l.n;
        while (p < end && *p == ' ') p++;   /* "a=rtpmap: 96 H264/90000" */
        long pt = num_at(&p, end);
        if (pt < 0 || pt > 127 || !media_lists(m, pt)) continue;
        while (p < end && *p == ' ') p++;
        enum rtp_codec codec;
        if (end - p >= 5 && !strncasecmp(p, "H264/", 5)) codec = RTP_H264;
        else if (end - p >= 5 && !strncasecmp(p, "H265/", 5)) codec = RTP_H265;
        else continue;
        p += 5;
        long clock = num_at(&p, end);
        if (clock <= 0) continue;
        out->codec = codec;
        out->pt = (int)pt;
        out->clock = (int)clock;
        return true;
    }
    return false;
}

static void read_fmtp(const char *f, size_t n, struct sdp_video *out)
{
    struct ww_buf ed = {0};
    const char *v;
    size_t vn;
    unsigned have = 0;
    if (out->codec == RTP_H264) {
        if (fmtp_get(f, n, "sprop-parameter-sets", &v, &vn)) add_sets(&ed, out->codec, &have, v, vn);
        long pm = fmtp_num(f, n, "packetization-mode");
        out->packetization_mode = pm < 0 ? 0 : (int)pm;
    } else {
        static const char *keys[] = {"sprop-vps", "sprop-sps", "sprop-pps"};
        for (int k = 0; k < 3; k++)
            if (fmtp_get(f, n, keys[k], &v, &vn)) add_sets(&ed, out->codec, &have, v, vn);
        long dd = fmtp_num(f, n, "sprop-max-don-diff");
        out->max_don_diff = dd < 0 ? 0 : (int)dd;
    }
    /* all of a codec's kinds or none: a lone SPS (or a PPS without one)
     * would be extradata a decoder cannot start from */
    if (have != (out->codec == RTP_H264 ? 3u : 7u)) ed.len = 0;
    if (ed.len) {
        av_free(out->extradata);
        out->extradata = av_mallocz(ed.len + AV_INPUT_BUFFER_PADDING_SIZE);
        if (out->extradata) {
            memcpy(out->extradata, ed.data, ed.len);
            out->extradata_size = (int)ed.len;
        }
    }
    ww_buf_free(&ed);
}

int sdp_parse_video(const char *sdp, size_t len, struct sdp_video *out)
{
    memset(out, 0, sizeof *out);
    size_t i = 0, sec_start = 0;
    struct line l, m = {0};
    bool in_media = false, found = false;
    /* Walk sections: the session part, then one per m= line. */
    while (!found) {
        size_t at = i;
        bool more = next_line(sdp, len, &i, &l);
        if (!more || line_starts(&l, "m=")) {
            if (in_media && line_starts(&m, "m=video ") && pick_format(sdp, sec_start, at, &m, out)) {
                found = true;
                /* second pass over the section: fmtp for our pt, control */
                size_t k = sec_start;
                struct line a;
                char pre[24];
                snprintf(pre, sizeof pre, "a=fmtp:%d ", out->pt);
                while (k < at && next_line(sdp, at, &k, &a)) {
                    if (line_starts(&a, pre)) read_fmtp(a.p + strlen(pre), a.n - strlen(pre), out);
                    else if (line_starts(&a, "a=control:") && !out->control)
                        out->control = value_after(&a, 10);
                }
                break;
            }
            if (!more) break;
            in_media = true;
            m = l;
            sec_start = i;
            continue;
        }
        if (!in_media && line_starts(&l, "a=control:") && !out->session_control)
            out->session_control = value_after(&l, 10);
    }
    if (!found) {
        sdp_video_free(out);
        return WW_EINVAL;
    }
    return 0;
}

void sdp_video_free(struct sdp_video *v)
{
    free(v->control);
    free(v->session_control);
    av_freep(&v->extradata);
    memset(v, 0, sizeof *v);
}

char *rtsp_resolve_url(const char *base, const char *control)
{
    if (!control || !*control || !strcmp(control, "*")) return ww_strdup(base);
    if (!strncasecmp(control, "rtsp://", 7) || !strncasecmp(control, "rtsps://", 8))
        return ww_strdup(control);
    if (control[0] == '/') { /* absolute path: keep scheme://authority of base */
        const char *a = strstr(base, "://");
        const char *path = a ? strchr(a + 3, '/') : NULL;
        size_t keep = path ? (size_t)(path - base) : strlen(base);
        return ww_asprintf("%.*s%s", (int)keep, base, control);
    }
    size_t bl = strlen(base);
    return ww_asprintf("%s%s%s", base, bl && base[bl - 1] == '/' ? "" : "/", control);
}

/* host[:port] as the first segment of a schemeless base: a dotted name or
 * address, or anything with a port, and nothing a path would hold. */
static bool looks_like_authority(const char *v, size_t n)
{
    if (!n) return false;
    bool dot = false, colon = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)v[i];
        if (ch == '.') dot = true;
        else if (ch == ':') colon = true;
        else if (!isalnum(ch) && ch != '-' && ch != '[' && ch != ']') return false;
    }
    return dot || colon;
}

char *rtsp_base_url(const char *request_url, const char *cb, size_t len)
{
    while (len && (*cb == ' ' || *cb == '\t')) cb++, len--;
    while (len && (cb[len - 1] == ' ' || cb[len - 1] == '\t')) len--;
    if (!cb || !len) return ww_strdup(request_url);
    char *v = ww_asprintf("%.*s", (int)len, cb);
    if (strlen(v) != len || strpbrk(v, " \t\r\n")) { free(v); return ww_strdup(request_url); }
    if (!strncasecmp(v, "rtsp://", 7) || !strncasecmp(v, "rtsps://", 8)) return v;
    char *out;
    if (v[0] == '/') {
        out = rtsp_resolve_url(request_url, v); /* keeps the request's scheme and authority */
    } else {
        const char *slash = strchr(v, '/');
        size_t first = slash ? (size_t)(slash - v) : len;
        if (!strstr(v, "://") && looks_like_authority(v, first)) {
            const char *scheme = !strncasecmp(request_url, "rtsps://", 8) ? "rtsps://" : "rtsp://";
            out = ww_asprintf("%s%s", scheme, v);
        } else {
            out = ww_strdup(request_url); /* another scheme or nothing we can read: the request URL */
        }
    }
    free(v);
    return out;
}

/* ---- the audio track (issue 12 item 6) --------------------------------------
 * Only what we can record: AAC as mpeg4-generic in AAC-hbr/lbr mode (RFC
 * 3640: AU headers, sizelength/indexlength/indexdeltalength from fmtp, the
 * AudioSpecificConfig as config= hex), and G.711 (PCMA/PCMU: static payload
 * 8/0 with no rtpmap, or any payload type with an rtpmap).  Anything else
 * (MP4A-LATM, G.726, Opus) is no audio for us: video goes on. */

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Hex config= into a padded av_malloc'd buffer; false if not even hex or
 * too long for an AudioSpecificConfig (which is a few bytes). */
static bool hex_config(const char *v, size_t n, uint8_t **out, int *size)
{
    if (n == 0 || n % 2 || n > 128) return false;
    uint8_t *b = av_mallocz(n / 2 + AV_INPUT_BUFFER_PADDING_SIZE);
    if (!b) return false;
    for (size_t i = 0; i < n; i += 2) {
        int hi = hex_digit(v[i]), lo = hex_digit(v[i + 1]);
        if (hi < 0 || lo < 0) { av_free(b); return false; }
        b[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    *out = b;
    *size = (int)(n / 2);
    return true;
}

/* The AAC parameters of an mpeg4-generic fmtp; false if it is not a mode
 * we depacketize (only AU headers with a size field, and a config). */
static bool read_aac_fmtp(const char *f, size_t n, struct sdp_audio *out)
{
    const char *v;
    size_t vn;
    if (fmtp_get(f, n, "mode", &v, &vn) &&
        !(vn == 7 && (!strncasecmp(v, "AAC-hbr", 7) || !strncasecmp(v, "AAC-lbr", 7))))
        return false;
    long sl = fmtp_num(f, n, "sizelength"), il = fmtp_num(f, n, "indexlength"),
         dl = fmtp_num(f, n, "indexdeltalength");
    if (sl < 1 || sl > 16) return false;
    if (il < 0) il = 0;
    if (dl < 0) dl = il;
    if (il > 8 || dl > 8) return false;
    out->size_length = (int)sl;
    out->index_length = (int)il;
    out->index_delta_length = (int)dl;
    if (!fmtp_get(f, n, "config", &v, &vn)) return false;
    return hex_config(v, vn, &out->extradata, &out->extradata_size);
}

/* An rtpmap "PT NAME/CLOCK[/CHANNELS]" for pt in the section [s, e):
 * sets codec and clock; false if the section has no rtpmap for pt or the
 * name is not one of ours. */
static bool audio_rtpmap(const char *sdp, size_t s, size_t e, long pt, struct sdp_audio *out, bool *mapped)
{
    size_t i = s;
    struct line l;
    while (i < e && next_line(sdp, e, &i, &l)) {
        if (!line_starts(&l, "a=rtpmap:")) continue;
        const char *p = l.p + 9, *end = l.p + l.n;
        while (p < end && *p == ' ') p++;
        if (num_at(&p, end) != pt) continue;
        *mapped = true;
        while (p < end && *p == ' ') p++;
        size_t name = 0;
        while (p + name < end && p[name] != '/') name++;
        if (name == 13 && !strncasecmp(p, "mpeg4-generic", 13)) out->codec = SDP_AUDIO_AAC;
        else if (name == 4 && !strncasecmp(p, "PCMA", 4)) out->codec = SDP_AUDIO_PCMA;
        else if (name == 4 && !strncasecmp(p, "PCMU", 4)) out->codec = SDP_AUDIO_PCMU;
        else return false;
        p += name;
        if (p < end && *p == '/') p++;
        long clock = num_at(&p, end);
        if (clock <= 0) return false;
        out->clock = (int)clock;
        out->channels = 1;
        if (p < end && *p == '/') {
            p++;
            long ch = num_at(&p, end);
            if (ch < 1 || ch > 8) return false;
            out->channels = (int)ch;
        }
        return true;
    }
    return false;
}

/* The first format of an m=audio section that we take, or false. */
static bool pick_audio(const char *sdp, size_t s, size_t e, const struct line *m, struct sdp_audio *out)
{
    const char *p = m->p, *end = m->p + m->n;
    for (int field = 0; p < end; field++) {
        while (p < end && *p == ' ') p++;
        const char *t = p;
        while (p < end && *p != ' ') p++;
        if (field < 3) continue;
        const char *q = t;
        long pt = num_at(&q, p);
        if (pt < 0 || pt > 127 || q != p) continue;
        struct sdp_audio a = {.pt = (int)pt};
        bool mapped = false;
        if (!audio_rtpmap(sdp, s, e, pt, &a, &mapped)) {
            if (mapped || (pt != 0 && pt != 8)) continue;
            /* RFC 3551's static types need no rtpmap */
            a.codec = pt == 8 ? SDP_AUDIO_PCMA : SDP_AUDIO_PCMU;
            a.clock = 8000;
            a.channels = 1;
        }
        if (a.codec == SDP_AUDIO_AAC) {
            size_t k = s;
            struct line l;
            char pre[24];
            bool ok = false;
            snprintf(pre, sizeof pre, "a=fmtp:%ld ", pt);
            while (k < e && next_line(sdp, e, &k, &l))
                if (line_starts(&l, pre) && !ok) ok = read_aac_fmtp(l.p + strlen(pre), l.n - strlen(pre), &a);
            if (!ok) { av_freep(&a.extradata); continue; }
        }
        *out = a;
        return true;
    }
    return false;
}

int sdp_parse_audio(const char *sdp, size_t len, struct sdp_audio *out)
{
    memset(out, 0, sizeof *out);
    size_t i = 0, sec_start = 0;
    struct line l, m = {0};
    bool in_media = false;
    for (;;) {
        size_t at = i;
        bool more = next_line(sdp, len, &i, &l);
        if (!more || line_starts(&l, "m=")) {
            if (in_media && line_starts(&m, "m=audio ") && pick_audio(sdp, sec_start, at, &m, out)) {
                size_t k = sec_start;
                struct line a;
                while (k < at && next_line(sdp, at, &k, &a))
                    if (line_starts(&a, "a=control:") && !out->control) out->control = value_after(&a, 10);
                return 0;
            }
            if (!more) break;
            in_media = true;
            m = l;
            sec_start = i;
        }
    }
    sdp_audio_free(out);
    return WW_EINVAL;
}

void sdp_audio_free(struct sdp_audio *a)
{
    free(a->control);
    av_freep(&a->extradata);
    memset(a, 0, sizeof *a);
}
