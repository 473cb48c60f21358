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
 * its hash (change both together: scripts/csp-hash prints it). */
#define CSP "default-src 'self'; script-src 'self' 'sha256-WmhTUKOnz8jMa1ZXU1Hm8HeycsoguhFS8mLEKsNdsRE='; img-src 'self' data: blob: http: https:; " \
            "media-src 'self' blob:; style-src 'self' 'unsafe-inline'; " \
            "connect-src 'self'; object-src 'none'; base-uri 'none'; " \
            "frame-ancestors 'none'; form-action 'self'"

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
                    http_resp_header(req, "Content-Security-Policy", CSP);
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
