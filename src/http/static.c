/*
 * static.c — the console's files: web/ at "/", and a few npm packages from
 * node_modules at "/vendor/<package>/…" (never from the internet: stations
 * often run on a closed network).
 *
 * Traversal: the path arrives as decoded segments (parse.c refuses a
 * decoded '/' or NUL inside one).  Here every segment starting with '.'
 * is refused (no "..", no dotfiles), and the resolved real path must still
 * lie inside the root, so a symlink cannot lead out either.  Only regular
 * files are served; directories answer 404.
 *
 * Only the packages in vendor_pkgs are reachable: node_modules also holds
 * the browser-test driver, which has no business on the console.
 */
#include "http/internal.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* Allowed /vendor/ prefixes, as segment lists. */
static const char *const vendor_pkgs[][2] = {
    {"chart.js", NULL},
    {"leaflet", NULL},
    {"@kurkle", "color"},   /* chart.js's one dependency */
};

/* script-src: our own files, plus the one inline import map of index.html by
 * its hash (change both together: scripts/csp-hash prints it).  img-src:
 * ourselves, data:/blob:, and the map tile host when one is configured
 * (added per page, see csp_for). */
#define CSP_HEAD "default-src 'self'; script-src 'self' 'sha256-WmhTUKOnz8jMa1ZXU1Hm8HeycsoguhFS8mLEKsNdsRE='; " \
                 "img-src 'self' data: blob:"
#define CSP_TAIL "; media-src 'self' blob:; style-src 'self' 'unsafe-inline'; " \
                 "connect-src 'self'; object-src 'none'; base-uri 'none'; " \
                 "frame-ancestors 'none'; form-action 'self'"

static bool host_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

/* Whether [s, e) is a host[:port] a CSP host-source can name as is. */
static bool plain_authority(const char *s, const char *e)
{
    const char *colon = NULL;
    if (s < e && *s == '[') {   /* IPv6 literal */
        const char *r = memchr(s, ']', (size_t)(e - s));
        if (!r || r == s + 1) return false;
        for (const char *p = s + 1; p < r; p++)
            if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F') || *p == ':' || *p == '.'))
                return false;
        if (r + 1 == e) return true;
        if (r[1] != ':') return false;
        colon = r + 1;
    } else {
        const char *p = s;
        while (p < e && host_char(*p)) p++;
        if (p == s || (p < e && *p != ':')) return false;
        if (*s == '.' || *s == '-') return false;
        if (p < e) colon = p;
    }
    if (colon) {
        if (colon + 1 == e || e - colon > 6) return false;
        for (const char *p = colon + 1; p < e; p++)
            if (*p < '0' || *p > '9') return false;
    }
    return true;
}

int http_csp_tile_source(const char *u, char **source)
{
    *source = NULL;
    if (!u || !*u) return 0;
    const char *scheme = "", *rest;
    if (ww_str_starts(u, "https://")) scheme = "https://", rest = u + 8;
    else if (ww_str_starts(u, "http://")) scheme = "http://", rest = u + 7;
    else if (ww_str_starts(u, "//")) rest = u + 2;
    else if (u[0] == '/') return 0;      /* this box: 'self' */
    else return WW_EINVAL;
    const char *end = rest + strcspn(rest, "/?#");
    bool wild = ww_str_starts(rest, "{s}.");  /* Leaflet's subdomains a, b, c → *. */
    const char *host = wild ? rest + 4 : rest;
    if (!plain_authority(host, end) || (wild && *host == '[')) return WW_EINVAL;
    *source = ww_asprintf("%s%s%.*s", scheme, wild ? "*." : "", (int)(end - host), host);
    return 0;
}

/* The page's CSP, with the configured tile host in img-src (request arena).
 * A tile URL that cannot be read or named adds nothing: the map then shows
 * no tiles, which it is built to do. */
static const char *csp_for(struct http_req *req)
{
    catalog_t *cat = http_req_catalog(req);
    char *url = NULL, *src = NULL;
    if (cat && catalog_setting_get(cat, HTTP_SETTING_TILE_URL, &url) == 0 && http_csp_tile_source(url, &src))
        ww_warn("http", "map tile URL '%.200s' cannot be allowed by the CSP; no tiles", url);
    const char *csp = http_req_printf(req, "%s%s%s%s", CSP_HEAD, src ? " " : "", src ? src : "", CSP_TAIL);
    free(url);
    free(src);
    return csp;
}

static int serve_under(struct http_req *req, const char *root, const char *const *segs, size_t n)
{
    if (!n) return WW_ENOTFOUND;
    struct ww_buf b = {0};
    ww_buf_append(&b, root, strlen(root));
    for (size_t i = 0; i < n; i++) {
        if (segs[i][0] == '.') { ww_buf_free(&b); return WW_ENOTFOUND; }
        ww_buf_append(&b, "/", 1);
        ww_buf_append(&b, segs[i], strlen(segs[i]));
    }
    ww_buf_append(&b, "", 1);
    const char *path = (const char *)b.data;
    char *real_root = realpath(root, NULL);
    char *real = realpath(path, NULL);
    int rc = WW_ENOTFOUND;
    if (real_root && real) {
        size_t rl = strlen(real_root);
        if (!strncmp(real, real_root, rl) && real[rl] == '/') {
            const char *type = http_mime_type(real);
            rc = http_respond_file(req, real, type);
            if (rc == 0) {
                http_resp_header(req, "Cache-Control", "no-cache");
                if (ww_str_starts(type, "text/html")) {
                    http_resp_header(req, "Content-Security-Policy", csp_for(req));
                    http_resp_header(req, "X-Frame-Options", "DENY");
                }
            }
        }
    }
    free(real_root);
    free(real);
    ww_buf_free(&b);
    return rc == -ENOENT ? WW_ENOTFOUND : rc;
}

int http_serve_static(struct http_req *req)
{
    struct http_server *srv = req->srv;
    if (req->nsegs == 0) {
        static const char *const index[] = {"index.html"};
        return serve_under(req, srv->web_dir, index, 1);
    }
    if (!strcmp(req->segs[0], "vendor")) {
        for (size_t i = 0; i < sizeof vendor_pkgs / sizeof vendor_pkgs[0]; i++) {
            size_t k = vendor_pkgs[i][1] ? 2 : 1;
            if (req->nsegs < 2 + k) continue;
            bool ok = true;
            for (size_t j = 0; j < k; j++) ok = ok && !strcmp(req->segs[1 + j], vendor_pkgs[i][j]);
            if (ok) return serve_under(req, srv->vendor_dir, req->segs + 1, req->nsegs - 1);
        }
        return http_fail(req, WW_ENOTFOUND, "no such vendored file");
    }
    int rc = serve_under(req, srv->web_dir, req->segs, req->nsegs);
    if (rc == WW_ENOTFOUND) http_fail(req, WW_ENOTFOUND, "no such file: %.200s", req->path);
    return rc;
}
