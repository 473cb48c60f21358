/*
 * camera.c — `wardwatch camera add | list | remove`.
 *
 * Credentials: a password never travels on the command line (it would show
 * in `ps` and shell history): it comes from --password-file.  A URL given
 * with "user:pass@" has them moved out into the credential columns, so the
 * stored URL is always clean and `list` can print it as is.
 */
#include "catalog/cat_users.h"
#include "cli/common.h"
#include "onvif/onvif.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Splits "rtsp://user:pass@host:port/path" into a clean URL and the
 * credentials.  Validates scheme and host.  0 or WW_EINVAL with *why set. */
int cli_parse_camera_url(const char *url, char **clean, char **user, char **pass,
                         const char **why)
{
    *clean = *user = *pass = NULL;
    const char *p;
    if (ww_str_starts(url, "rtsp://")) p = url + 7;
    else if (ww_str_starts(url, "rtsps://")) p = url + 8;
    else { *why = "must start with rtsp:// or rtsps://"; return WW_EINVAL; }
    for (const char *q = url; *q; q++)
        if ((unsigned char)*q <= ' ' || *q == 0x7f) { *why = "contains spaces or control characters"; return WW_EINVAL; }
    const char *slash = strchr(p, '/');
    const char *end = slash ? slash : p + strlen(p);
    const char *at = NULL;
    for (const char *q = p; q < end; q++) if (*q == '@') at = q;
    const char *host = at ? at + 1 : p;
    if (host == end || *host == ':') { *why = "has no host"; return WW_EINVAL; }
    const char *colon = memchr(host, ':', (size_t)(end - host));
    if (colon && host[0] != '[') {
        int64_t port;
        char *ps = strndup(colon + 1, (size_t)(end - colon - 1));
        int bad = ww_parse_i64(ps, 1, 65535, &port);
        free(ps);
        if (bad) { *why = "has a bad port"; return WW_EINVAL; }
    }
    if (at) {
        const char *c = memchr(p, ':', (size_t)(at - p));
        *user = strndup(p, (size_t)((c ? c : at) - p));
        if (c) *pass = strndup(c + 1, (size_t)(at - c - 1));
        *clean = ww_asprintf("%.*s%s", (int)(p - url), url, host);
    } else {
        *clean = ww_strdup(url);
    }
    return 0;
}

static int read_password_file(const char *path, char **out)
{
    char *s = NULL;
    size_t n = 0;
    int rc = ww_read_file(path, 4096, &s, &n);
    if (rc) { cli_err("cannot read password file %s: %s", path, ww_strerror(rc)); return rc; }
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r')) s[--n] = 0;
    if (!n) { free(s); cli_err("password file %s is empty", path); return WW_EINVAL; }
    *out = s;
    return 0;
}

/* Read a camera's device info and stream URIs over ONVIF (--onvif) and
 * print them; the URLs then go through camera add's normal path. */
static int onvif_read(const char *name, const char *url, const char *user, const char *pwfile,
                      struct ww_onvif_device **out)
{
    char *pw = NULL;
    if (read_password_file(pwfile, &pw)) return 1;
    struct ww_onvif_device *d = calloc(1, sizeof *d);
    char err[512];
    int rc = d ? ww_onvif_read_device(url, user, pw, 8000, d, err, sizeof err) : -ENOMEM;
    explicit_bzero(pw, strlen(pw));
    free(pw);
    if (rc) {
        cli_err("camera add: camera '%s': %s", name, err[0] ? err : ww_strerror(rc));
        free(d);
        return 1;
    }
    printf("manufacturer: %s\nmodel: %s\nfirmware: %s\nserial: %s\n", d->manufacturer, d->model,
           d->firmware, d->serial);
    printf("media service: %s (via %s)\n", d->media_xaddr, d->media_via ? d->media_via : "?");
    printf("main: %s (%dx%d)\n", d->main_uri, d->profiles[d->main_i].width, d->profiles[d->main_i].height);
    if (d->sub_i >= 0)
        printf("sub: %s (%dx%d)\n", d->sub_uri, d->profiles[d->sub_i].width, d->profiles[d->sub_i].height);
    else
        printf("sub: none (one video profile)\n");
    printf("snapshot: %s\n", d->snapshot_uri[0] ? d->snapshot_uri : "none");
    printf("clock skew: %+ld s\n", d->skew_s);
    if (d->skew_s > 5 || d->skew_s < -5)
        printf("warning: the camera's clock is %ld s off; set NTP on the camera\n", d->skew_s);
    *out = d;
    return 0;
}

/* Recording sound is the exception, never the default (issue 12 item 6). */
#define AUDIO_HELP                                                                                  \
    "--audio on records the camera's sound track too (default off: recording the sound\n"          \
    "of passers-by needs the camera owner's and the ward's agreement).\n"

static const char add_help[] =
    "usage: wardwatch camera add --name NAME --main URL [--sub URL]\n"
    "         [--username U --password-file F] [--retention-days N]\n"
    "         [--address TEXT] [--lat DEG --lon DEG] [--ward NAME] [--direction DEG]\n"
    "         [--transport tcp|udp] [--disabled] [--auth-basic-allowed] [--audio on|off]\n"
    "   or: wardwatch camera add --name NAME --onvif http://HOST[:PORT] --username U\n"
    "         --password-file F [the options above but --main/--sub]\n\n"
    "Registers a camera and prints its id.  URLs are rtsp:// or rtsps://;\n"
    "credentials inside a URL are moved out and stored as secrets, and are\n"
    "answered with Digest only unless --auth-basic-allowed (the password in clear).\n"
    "One camera device is one camera: a URL whose host:port/path is another\n"
    "camera's main or sub URL is refused.\n"
    AUDIO_HELP
    "--onvif reads the device information, main (highest resolution) and sub\n"
    "(lowest) stream URIs, the snapshot URI (stored too) and the clock skew.\n";

/* --audio on|off into *out; anything else is a usage error. */
static int parse_on_off(const char *verb, const char *v, bool *out)
{
    if (!v) return 0;
    if (!strcmp(v, "on")) *out = true;
    else if (!strcmp(v, "off")) *out = false;
    else return cli_usage("%s: --audio must be on or off, not '%s'", verb, v);
    return 0;
}

static int camera_add(struct cli_ctx *ctx, int argc, char **argv)
{
    const char *name = NULL, *main_url = NULL, *sub_url = NULL, *user = NULL, *pwfile = NULL;
    const char *ward = NULL, *transport = "tcp", *address = NULL;
    const char *onvif = NULL, *audio = NULL;
    struct catalog_camera cam = {.enabled = true, .retention_days = 30, .direction_deg = -1};
    bool have_lat = false, have_lon = false;
    const struct cli_opt opts[] = {
        {CLI_STR("name", &name)},
        {CLI_STR("main", &main_url)},
        {CLI_STR("sub", &sub_url)},
        {CLI_STR("username", &user)},
        {CLI_STR("password-file", &pwfile)},
        {CLI_INT("retention-days", &cam.retention_days, 1, 3650, "--retention-days must be 1..3650, not '%s'")},
        {CLI_STR("address", &address)},
        {CLI_DBL("lat", &cam.latitude, -90, 90, "--lat must be -90..90, not '%s'"), .seen = &have_lat},
        {CLI_DBL("lon", &cam.longitude, -180, 180, "--lon must be -180..180, not '%s'"), .seen = &have_lon},
        {CLI_STR("ward", &ward)},
        {CLI_DBL("direction", &cam.direction_deg, 0, 360, "--direction must be 0..360, not '%s'")},
        {CLI_STR("transport", &transport)},
        {CLI_OFF("disabled", &cam.enabled)},
        {CLI_FLAG("auth-basic-allowed", &cam.auth_basic_allowed)},
        {CLI_STR("onvif", &onvif)},
        {CLI_STR("audio", &audio)},
        {.name = NULL}};
    int rc = cli_opts(argc, argv, "camera add", opts, add_help, 0);
    if (rc >= 0) return rc;
    if ((rc = parse_on_off("camera add", audio, &cam.audio))) return rc;
    cam.address = (char *)address;
    if (!name || !*name) return cli_usage("camera add: --name is required");
    struct ww_onvif_device *dev = NULL;
    if (onvif) {
        /* the checks camera add makes anyway, before the camera is asked */
        if (have_lat != have_lon) return cli_usage("camera add: give both --lat and --lon");
        if (strcmp(transport, "tcp") && strcmp(transport, "udp"))
            return cli_usage("camera add: --transport must be tcp or udp");
        if (main_url || sub_url) return cli_usage("camera add: --onvif reads the URLs; drop --main/--sub");
        if (!user || !pwfile) return cli_usage("camera add: --onvif needs --username and --password-file");
        if ((rc = onvif_read(name, onvif, user, pwfile, &dev))) return rc;
        main_url = dev->main_uri;
        sub_url = dev->sub_uri[0] ? dev->sub_uri : NULL;
        /* stored only when it is a plain http(s) address (credentials were
         * stripped by the client); a camera naming anything else has none */
        if (ww_str_starts(dev->snapshot_uri, "http://") || ww_str_starts(dev->snapshot_uri, "https://"))
            cam.snapshot_url = dev->snapshot_uri;
    }
    if (!main_url) return cli_usage("camera add: --main URL is required");
    if (have_lat != have_lon) return cli_usage("camera add: give both --lat and --lon");
    if (strcmp(transport, "tcp") && strcmp(transport, "udp"))
        return cli_usage("camera add: --transport must be tcp or udp");
    if (pwfile && !user) return cli_usage("camera add: --password-file needs --username");
    cam.has_pos = have_lat;

    char *mu = NULL, *mus = NULL, *mpw = NULL, *su = NULL, *sus = NULL, *spw = NULL;
    const char *why = "";
    if (cli_parse_camera_url(main_url, &mu, &mus, &mpw, &why)) {
        free(dev);
        return cli_usage("camera add: --main URL %s", why);
    }
    if (sub_url && cli_parse_camera_url(sub_url, &su, &sus, &spw, &why)) {
        free(mu); free(mus); free(mpw); free(dev);
        return cli_usage("camera add: --sub URL %s", why);
    }
    rc = 2;
    catalog_t *cat = NULL;
    char *pw = NULL;
    if (pwfile && read_password_file(pwfile, &pw)) { rc = 1; goto out; }
    if ((rc = cli_open(ctx, &cat))) goto out;
    if (ward && catalog_ward_find(cat, ward, &cam.ward_id)) {
        cli_err("camera add: unknown ward '%s'", ward);
        rc = 2;
        goto out;
    }
    cam.name = (char *)name;
    cam.main_url = mu;
    cam.sub_url = su;
    cam.username = (char *)(user ? user : mus ? mus : sus);
    cam.password = pw ? pw : mpw ? mpw : spw;
    cam.transport = (char *)transport;
    int64_t twin = 0;
    if (catalog_camera_device_owner(cat, cam.main_url, cam.sub_url, 0, &twin) == 0 && twin) {
        cli_err("camera add: camera %lld already has this address (host:port/path): one camera"
                " device is one camera", (long long)twin);
        rc = 1;
        goto out;
    }
    if (catalog_camera_add(cat, &cam)) { cli_err("camera add: cannot store the camera"); rc = 1; goto out; }
    printf("%lld\n", (long long)cam.id);
    rc = 0;
out:
    free(dev);
    catalog_close(cat);
    if (pw) explicit_bzero(pw, strlen(pw));
    if (mpw) explicit_bzero(mpw, strlen(mpw));
    if (spw) explicit_bzero(spw, strlen(spw));
    free(pw); free(mu); free(mus); free(mpw); free(su); free(sus); free(spw);
    return rc;
}

static json_t *camera_row_json(const void *row)
{
    const struct catalog_camera *c = row;
    json_t *o = json_pack("{s:I,s:s,s:s?,s:s?,s:s?,s:b,s:i,s:s,s:b}", "id", (json_int_t)c->id, "name", c->name,
                          "main_url", c->main_url, "sub_url", c->sub_url, "username", c->username, "enabled",
                          c->enabled, "retention_days", c->retention_days, "transport", c->transport,
                          "has_password", c->password != NULL);
    if (c->address) json_object_set_new(o, "address", json_string(c->address));
    if (c->has_pos) {
        json_object_set_new(o, "latitude", json_real(c->latitude));
        json_object_set_new(o, "longitude", json_real(c->longitude));
    }
    if (c->ward_id) json_object_set_new(o, "ward_id", json_integer(c->ward_id));
    if (c->snapshot_url) json_object_set_new(o, "snapshot_url", json_string(c->snapshot_url));
    json_object_set_new(o, "audio", json_boolean(c->audio));
    return o;
}

/* never the password; the URL masked and only said to carry credentials */
static void camera_row_text(const void *row)
{
    const struct catalog_camera *c = row;
    char *m = ww_url_mask(c->main_url);
    printf("%-4lld %-24s %-8s %-4d %s%s\n", (long long)c->id, c->name, c->enabled ? "enabled" : "disabled",
           c->retention_days, m, c->username ? " (with credentials)" : "");
    free(m);
}

static const struct cli_list camera_rows = {"ID   NAME                     STATE    DAYS MAIN URL\n",
                                            camera_row_json, camera_row_text, sizeof(struct catalog_camera)};

static int camera_fetch(catalog_t *cat, void *rows, size_t *n) { return catalog_camera_list(cat, rows, n); }
static void camera_release(void *rows, size_t n) { catalog_camera_list_free(rows, n); }

static int camera_list(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct cli_list_verb list = {
        "camera list", "usage: wardwatch camera list [--json]\n\nLists cameras; passwords are never shown.\n",
        &camera_rows, camera_fetch, camera_release};
    return cli_list_all(ctx, argc, argv, &list);
}

static int camera_remove(struct cli_ctx *ctx, int argc, char **argv)
{
    const struct cli_opt opts[] = {{.name = NULL}};
    int rc = cli_opts(argc, argv, "camera remove", opts,
                      "usage: wardwatch camera remove ID\n\nRemoves the camera and deletes its recordings.\n",
                      CLI_ANY_OPERANDS);
    if (rc >= 0) return rc;
    int64_t id;
    if (optind != argc - 1 || ww_parse_i64(argv[optind], 1, INT64_MAX, &id))
        return cli_usage("camera remove: give one camera id");
    catalog_t *cat;
    struct catalog_camera cam;
    rc = cli_open_camera(ctx, "camera remove", id, &cat, &cam);
    if (rc) return rc;
    catalog_camera_clear(&cam);
    /* Files first, then rows: a crash in between leaves rows whose files are
     * gone, which recover drops; never a file nobody can find. */
    struct catalog_segment *segs;
    size_t n = 0, removed = 0;
    if (catalog_segment_all(cat, -1, &segs, &n) == 0) {
        for (size_t i = 0; i < n; i++) {
            if (segs[i].camera_id != id) continue;
            char *p = ww_asprintf("%s/%s", ctx->data_dir, segs[i].path);
            if (unlink(p) == 0) removed++;
            free(p);
        }
        catalog_segment_list_free(segs, n);
    }
    rc = catalog_camera_remove(cat, id);
    catalog_close(cat);
    if (rc) { cli_err("camera remove: failed: %s", ww_strerror(rc)); return 1; }
    printf("removed camera %lld and %zu recording files\n", (long long)id, removed);
    return 0;
}

static const char set_help[] =
    "usage: wardwatch camera set ID [--audio on|off] [--enabled on|off]\n\n"
    "Changes a camera's settings; the running server takes them at its next reload.\n"
    AUDIO_HELP;

static int camera_set(struct cli_ctx *ctx, int argc, char **argv)
{
    const char *audio = NULL, *enabled = NULL;
    const struct cli_opt opts[] = {{CLI_STR("audio", &audio)}, {CLI_STR("enabled", &enabled)}, {.name = NULL}};
    int rc = cli_opts(argc, argv, "camera set", opts, set_help, CLI_ANY_OPERANDS);
    if (rc >= 0) return rc;
    int64_t id;
    if (optind != argc - 1 || ww_parse_i64(argv[optind], 1, INT64_MAX, &id))
        return cli_usage("camera set: give one camera id");
    if (!audio && !enabled) return cli_usage("camera set: nothing to change (--audio, --enabled)");
    catalog_t *cat;
    struct catalog_camera cam;
    if ((rc = cli_open_camera(ctx, "camera set", id, &cat, &cam))) return rc;
    rc = parse_on_off("camera set", audio, &cam.audio);
    if (!rc && enabled && strcmp(enabled, "on") && strcmp(enabled, "off"))
        rc = cli_usage("camera set: --enabled must be on or off, not '%s'", enabled);
    if (!rc && enabled) cam.enabled = !strcmp(enabled, "on");
    if (!rc && catalog_camera_update(cat, &cam)) {
        cli_err("camera set: cannot store camera %lld", (long long)id);
        rc = 1;
    }
    if (!rc) printf("camera %lld: audio %s, recording %s\n", (long long)id, cam.audio ? "on" : "off",
                    cam.enabled ? "enabled" : "disabled");
    catalog_camera_clear(&cam);
    catalog_close(cat);
    return rc;
}

static const char discover_help[] =
    "usage: wardwatch camera discover [--wait MS] [--target HOST:PORT] [--json]\n\n"
    "Sends a WS-Discovery Probe for ONVIF cameras (multicast 239.255.255.250:3702,\n"
    "or unicast to --target) and lists the devices that answer within --wait ms\n"
    "(default 3000): device service addresses, name/hardware/location, endpoint.\n";

static int camera_discover(struct cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    int wait_ms = 3000;
    const char *target = NULL;
    bool json = false;
    const struct cli_opt opts[] = {
        {CLI_INT("wait", &wait_ms, 1, 60000, "--wait must be 1..60000 ms, not '%s'")},
        {CLI_STR("target", &target)},
        {CLI_FLAG("json", &json)},
        {.name = NULL}};
    int rc = cli_opts(argc, argv, "camera discover", opts, discover_help, 0);
    if (rc >= 0) return rc;
    struct ww_onvif_match *m = calloc(WW_ONVIF_MAX_MATCHES, sizeof *m);
    if (!m) return 1;
    int n = ww_onvif_discover(target, wait_ms, m, WW_ONVIF_MAX_MATCHES);
    if (n < 0) {
        free(m);
        if (n == WW_EINVAL) return cli_usage("camera discover: --target must be HOST:PORT, not '%s'", target);
        cli_err("camera discover: probe to %s failed: %s", target ? target : "239.255.255.250:3702",
                ww_strerror(n));
        return 1;
    }
    if (json) {
        json_t *a = json_array();
        for (int i = 0; i < n; i++)
            json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "xaddrs", m[i].xaddrs,
                                               "endpoint", m[i].endpoint, "name", m[i].name,
                                               "hardware", m[i].hardware, "location", m[i].location,
                                               "scopes", m[i].scopes));
        cli_print_json(a, JSON_INDENT(2));
    } else {
        for (int i = 0; i < n; i++)
            printf("%s  name=%s  hardware=%s  location=%s  %s\n", m[i].xaddrs,
                   m[i].name[0] ? m[i].name : "-", m[i].hardware[0] ? m[i].hardware : "-",
                   m[i].location[0] ? m[i].location : "-", m[i].endpoint);
        if (n == 0) fprintf(stderr, "no ONVIF device answered within %d ms\n", wait_ms);
    }
    free(m);
    return 0;
}

CLI_ACTIONS(cli_camera, "camera", "usage: wardwatch camera add|set|list|remove|import|discover [options]  (--help on each)",
            {"add", camera_add}, {"set", camera_set}, {"list", camera_list}, {"remove", camera_remove}, {"import", cli_camera_import},
            {"discover", camera_discover})
