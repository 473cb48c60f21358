/*
 * camera.c — `wardwatch camera add | list | remove`.
 *
 * Credentials: a password never travels on the command line (it would show
 * in `ps` and shell history): it comes from --password-file.  A URL given
 * with "user:pass@" has them moved out into the credential columns, so the
 * stored URL is always clean and `list` can print it as is.
 */
#include "cli/common.h"

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

static void add_help(void)
{
    printf("usage: wardwatch camera add --name NAME --main URL [--sub URL]\n"
           "         [--username U --password-file F] [--retention-days N]\n"
           "         [--address TEXT] [--lat DEG --lon DEG] [--ward NAME] [--direction DEG]\n"
           "         [--transport tcp|udp] [--disabled] [--auth-basic-allowed]\n\n"
           "Registers a camera and prints its id.  URLs are rtsp:// or rtsps://;\n"
           "credentials inside a URL are moved out and stored as secrets, and are\n"
           "answered with Digest only unless --auth-basic-allowed (the password in clear).\n"
           "One camera device is one camera: a URL whose host:port/path is another\n"
           "camera's main or sub URL is refused.\n");
}

static int camera_add(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        {"name", required_argument, 0, 'n'}, {"main", required_argument, 0, 'm'},
        {"sub", required_argument, 0, 's'}, {"username", required_argument, 0, 'u'},
        {"password-file", required_argument, 0, 'p'},
        {"retention-days", required_argument, 0, 'r'}, {"address", required_argument, 0, 'a'},
        {"lat", required_argument, 0, 'y'}, {"lon", required_argument, 0, 'x'},
        {"ward", required_argument, 0, 'w'}, {"direction", required_argument, 0, 'd'},
        {"transport", required_argument, 0, 't'}, {"disabled", no_argument, 0, 'D'},
        {"auth-basic-allowed", no_argument, 0, 'B'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0},
    };
    const char *name = NULL, *main_url = NULL, *sub_url = NULL, *user = NULL, *pwfile = NULL;
    const char *ward = NULL, *transport = "tcp";
    struct catalog_camera cam = {.enabled = true, .retention_days = 30, .direction_deg = -1};
    bool have_lat = false, have_lon = false;
    int64_t v;
    int o;
    cli_getopt_reset();
    while ((o = cli_getopt(argc, argv, ":h", opts, "camera add")) != -1) {
        switch (o) {
        case 'n': name = optarg; break;
        case 'm': main_url = optarg; break;
        case 's': sub_url = optarg; break;
        case 'u': user = optarg; break;
        case 'p': pwfile = optarg; break;
        case 'a': cam.address = optarg; break;
        case 'w': ward = optarg; break;
        case 't': transport = optarg; break;
        case 'D': cam.enabled = false; break;
        case 'B': cam.auth_basic_allowed = true; break;
        case 'r':
            if (ww_parse_i64(optarg, 1, 3650, &v))
                return cli_usage("camera add: --retention-days must be 1..3650, not '%s'", optarg);
            cam.retention_days = (int)v;
            break;
        case 'y':
            if (ww_parse_double(optarg, -90, 90, &cam.latitude))
                return cli_usage("camera add: --lat must be -90..90, not '%s'", optarg);
            have_lat = true;
            break;
        case 'x':
            if (ww_parse_double(optarg, -180, 180, &cam.longitude))
                return cli_usage("camera add: --lon must be -180..180, not '%s'", optarg);
            have_lon = true;
            break;
        case 'd':
            if (ww_parse_double(optarg, 0, 360, &cam.direction_deg))
                return cli_usage("camera add: --direction must be 0..360, not '%s'", optarg);
            break;
        case 'h': add_help(); return 0;
        default: return 2;
        }
    }
    if (optind < argc) return cli_usage("camera add: unexpected argument '%s'", argv[optind]);
    if (!name || !*name) return cli_usage("camera add: --name is required");
    if (!main_url) return cli_usage("camera add: --main URL is required");
    if (have_lat != have_lon) return cli_usage("camera add: give both --lat and --lon");
    if (strcmp(transport, "tcp") && strcmp(transport, "udp"))
        return cli_usage("camera add: --transport must be tcp or udp");
    if (pwfile && !user) return cli_usage("camera add: --password-file needs --username");
    cam.has_pos = have_lat;

    char *mu = NULL, *mus = NULL, *mpw = NULL, *su = NULL, *sus = NULL, *spw = NULL;
    const char *why = "";
    if (cli_parse_camera_url(main_url, &mu, &mus, &mpw, &why))
        return cli_usage("camera add: --main URL %s", why);
    if (sub_url && cli_parse_camera_url(sub_url, &su, &sus, &spw, &why)) {
        free(mu); free(mus); free(mpw);
        return cli_usage("camera add: --sub URL %s", why);
    }
    int rc = 2;
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
    catalog_close(cat);
    if (pw) explicit_bzero(pw, strlen(pw));
    if (mpw) explicit_bzero(mpw, strlen(mpw));
    if (spw) explicit_bzero(spw, strlen(spw));
    free(pw); free(mu); free(mus); free(mpw); free(su); free(sus); free(spw);
    return rc;
}

static int camera_list(struct cli_ctx *ctx, int argc, char **argv)
{
    bool json = false;
    int rc = cli_flag_only(argc, argv, "camera list", "json", &json,
                           "usage: wardwatch camera list [--json]\n\nLists cameras; passwords are never shown.\n");
    if (rc >= 0) return rc;
    catalog_t *cat;
    if ((rc = cli_open(ctx, &cat))) return rc;
    struct catalog_camera *v;
    size_t n;
    if (catalog_camera_list(cat, &v, &n)) { catalog_close(cat); cli_err("camera list failed"); return 1; }
    if (json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++) {
            json_t *o2 = json_pack("{s:I,s:s,s:s?,s:s?,s:s?,s:b,s:i,s:s,s:b}", "id", (json_int_t)v[i].id,
                                   "name", v[i].name, "main_url", v[i].main_url, "sub_url", v[i].sub_url,
                                   "username", v[i].username, "enabled", v[i].enabled,
                                   "retention_days", v[i].retention_days, "transport", v[i].transport,
                                   "has_password", v[i].password != NULL);
            if (v[i].address) json_object_set_new(o2, "address", json_string(v[i].address));
            if (v[i].has_pos) {
                json_object_set_new(o2, "latitude", json_real(v[i].latitude));
                json_object_set_new(o2, "longitude", json_real(v[i].longitude));
            }
            if (v[i].ward_id) json_object_set_new(o2, "ward_id", json_integer(v[i].ward_id));
            json_array_append_new(arr, o2);
        }
        cli_print_json(arr, JSON_INDENT(2));
    } else {
        printf("%-4s %-24s %-8s %-4s %s\n", "ID", "NAME", "STATE", "DAYS", "MAIN URL");
        for (size_t i = 0; i < n; i++) {
            char *m = ww_url_mask(v[i].main_url);
            printf("%-4lld %-24s %-8s %-4d %s%s\n", (long long)v[i].id, v[i].name,
                   v[i].enabled ? "enabled" : "disabled", v[i].retention_days, m,
                   v[i].username ? " (with credentials)" : "");
            free(m);
        }
    }
    catalog_camera_list_free(v, n);
    catalog_close(cat);
    return 0;
}

static int camera_remove(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int o;
    cli_getopt_reset();
    while ((o = cli_getopt(argc, argv, ":h", opts, "camera remove")) != -1) {
        if (o == 'h') {
            printf("usage: wardwatch camera remove ID\n\nRemoves the camera and deletes its recordings.\n");
            return 0;
        }
        return 2;
    }
    int64_t id;
    if (optind != argc - 1 || ww_parse_i64(argv[optind], 1, INT64_MAX, &id))
        return cli_usage("camera remove: give one camera id");
    catalog_t *cat;
    struct catalog_camera cam;
    int rc = cli_open_camera(ctx, "camera remove", id, &cat, &cam);
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

int cli_camera(struct cli_ctx *c, int argc, char **argv)
{
    static const struct cli_action acts[] = {
        {"add", camera_add}, {"list", camera_list}, {"remove", camera_remove},
        {"import", cli_camera_import}, {NULL, NULL}};
    return cli_dispatch(c, argc, argv, "camera",
                        "usage: wardwatch camera add|list|remove|import [options]  (--help on each)", acts);
}
