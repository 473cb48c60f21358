/*
 * url.c — what an RTSP URL names: its authority (host:port) and its device
 * (host:port/path).
 *
 * Two rules rest on this one reading of a URL, so it lives in one place:
 *   - camera credentials are bound to the authority of the URL they were
 *     stored with (api/cameras.c drops them when it changes; ingest refuses
 *     to answer a challenge from another one);
 *   - one camera device is one catalog row (consent belongs to the device):
 *     two URLs with the same device key are the same camera.
 *
 * Normal form: scheme and host case-folded (DNS names and the scheme are
 * case-insensitive, RFC 3986 §3.1/§3.2.2), user:password@ dropped, the
 * default port written out (554 for rtsp://, 322 for rtsps://, RFC 7826),
 * the path kept as given (paths are case-sensitive on cameras) with "" read
 * as "/" and a #fragment dropped; the query stays (an NVR's channels differ
 * only there: /cam/realmonitor?channel=2).  The scheme is not part of the
 * device key: rtsp:// and rtsps:// to one host:port/path reach one camera.
 */
#include "base/base.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct url_view {
    int default_port;
    const char *host; size_t host_len;   /* without the brackets of an IPv6 literal */
    bool ipv6;
    int port;
    const char *path; size_t path_len;   /* from the first '/' or '?', without '#…' */
};

static int split(const char *url, struct url_view *v)
{
    memset(v, 0, sizeof *v);
    if (!url) return WW_EINVAL;
    const char *p;
    if (!strncasecmp(url, "rtsp://", 7)) { p = url + 7; v->default_port = 554; }
    else if (!strncasecmp(url, "rtsps://", 8)) { p = url + 8; v->default_port = 322; }
    else return WW_EINVAL;
    size_t auth_len = strcspn(p, "/?#");
    const char *auth_end = p + auth_len;
    /* userinfo ends at the last '@' of the authority: passwords may hold '@' */
    for (const char *q = p; q < auth_end; q++)
        if (*q == '@') p = q + 1;
    const char *port_s = NULL;
    if (*p == '[') {
        const char *close = memchr(p, ']', (size_t)(auth_end - p));
        if (!close) return WW_EINVAL;
        v->host = p + 1;
        v->host_len = (size_t)(close - p - 1);
        v->ipv6 = true;
        if (close + 1 < auth_end) {
            if (close[1] != ':') return WW_EINVAL;
            port_s = close + 2;
        }
    } else {
        const char *colon = memchr(p, ':', (size_t)(auth_end - p));
        v->host = p;
        v->host_len = (size_t)((colon ? colon : auth_end) - p);
        if (colon) port_s = colon + 1;
    }
    if (!v->host_len) return WW_EINVAL;
    for (size_t i = 0; i < v->host_len; i++)
        if ((unsigned char)v->host[i] <= ' ' || v->host[i] == 0x7f) return WW_EINVAL;
    v->port = v->default_port;
    if (port_s) {
        if (port_s == auth_end) return WW_EINVAL; /* "host:" */
        int port = 0;
        for (const char *q = port_s; q < auth_end; q++) {
            if (!isdigit((unsigned char)*q) || port > 65535) return WW_EINVAL;
            port = port * 10 + (*q - '0');
        }
        if (port < 1 || port > 65535) return WW_EINVAL;
        v->port = port;
    }
    v->path = auth_end;
    v->path_len = strcspn(auth_end, "#");
    return 0;
}

static char *authority(const struct url_view *v, size_t extra)
{
    /* "[" host "]" ":" 5 digits, then extra bytes and the NUL */
    size_t cap = v->host_len + 8 + extra + 1;
    char *s = ww_malloc(cap);
    size_t o = 0;
    if (v->ipv6) s[o++] = '[';
    for (size_t i = 0; i < v->host_len; i++) s[o++] = (char)tolower((unsigned char)v->host[i]);
    if (v->ipv6) s[o++] = ']';
    o += (size_t)snprintf(s + o, cap - o, ":%d", v->port);
    s[o] = 0;
    return s;
}

int ww_rtsp_authority(const char *url, char **out)
{
    *out = NULL;
    struct url_view v;
    if (split(url, &v)) return WW_EINVAL;
    *out = authority(&v, 0);
    return 0;
}

int ww_rtsp_device_key(const char *url, char **out)
{
    *out = NULL;
    struct url_view v;
    if (split(url, &v)) return WW_EINVAL;
    size_t extra = v.path_len ? v.path_len : 1;
    char *s = authority(&v, extra);
    size_t o = strlen(s);
    if (!v.path_len || v.path[0] == '?') s[o++] = '/'; /* "rtsp://h" and "rtsp://h/" are one */
    memcpy(s + o, v.path, v.path_len);
    s[o + v.path_len] = 0;
    *out = s;
    return 0;
}

bool ww_rtsp_same_authority(const char *a, const char *b)
{
    char *x, *y;
    if (ww_rtsp_authority(a, &x)) return false;
    if (ww_rtsp_authority(b, &y)) { free(x); return false; }
    bool same = !strcmp(x, y);
    free(x);
    free(y);
    return same;
}
