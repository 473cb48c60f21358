/*
 * cli/hub.c — `wardwatch hub init | station add | station list | serve |
 * check | stats | fetch`: the province hub (src/province/, decision 010).
 *
 * The hub's own Ed25519 key is made at init in the hub's data folder
 * (--data, default the global one): hub.key (secret, 0600) and hub.pub
 * (base64), handed to every station at enrolment.  The HTTP server needs
 * a small SQLite catalog for its session machinery; it is hub-http.db in
 * the same folder and holds no province data.
 *
 * Province users (`hub user add | list`) live in that same hub-http.db, so
 * the http server's own sign-in and sessions serve them.  Roles map onto
 * catalog roles: province-admin → admin, province-staff → province,
 * ward-officer → officer whose ward row in hub-http.db is named by the
 * station id it may see (docs/province.md, "Province users and the read
 * API", says why the scope lives there).
 */
#include "cli/cli.h"
#include "cli/common.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "base/base.h"
#include "catalog/cat_audit.h"
#include "catalog/cat_users.h"
#include "catalog/cat_ward_work.h"
#include "catalog/catalog.h"
#include "http/http.h"
#include "province/province.h"

struct hub_opts {
    const char *pg, *data, *mqtt, *mqtt_public, *listen, *client_id;
    const char *role, *station, *password_file;  /* hub user add */
    int gap_wait_ms;
};

/* --pg X --data X … ; positional arguments go to pos (at most npos). */
static int parse(int argc, char **argv, struct hub_opts *o, const char **pos, int npos)
{
    int k = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char **dst = !strcmp(a, "--pg") ? &o->pg
                           : !strcmp(a, "--data") ? &o->data
                           : !strcmp(a, "--mqtt") ? &o->mqtt
                           : !strcmp(a, "--mqtt-public") ? &o->mqtt_public
                           : !strcmp(a, "--listen") ? &o->listen
                           : !strcmp(a, "--client-id") ? &o->client_id
                           : !strcmp(a, "--role") ? &o->role
                           : !strcmp(a, "--station") ? &o->station
                           : !strcmp(a, "--password-file") ? &o->password_file
                           : NULL;
        if (!strcmp(a, "--gap-wait-ms")) {
            if (i + 1 >= argc || (o->gap_wait_ms = atoi(argv[++i])) <= 0)
                return cli_usage("--gap-wait-ms needs a positive number");
            continue;
        }
        if (dst) {
            if (i + 1 >= argc) return cli_usage("%s needs a value", a);
            *dst = argv[++i];
        } else if (a[0] == '-') {
            return cli_usage("hub: unknown option %s", a);
        } else if (k < npos) {
            pos[k++] = a;
        } else {
            return cli_usage("hub: unexpected argument %s", a);
        }
    }
    return 0;
}

static int need_pg(const struct hub_opts *o)
{
    return o->pg ? 0 : cli_usage("hub: --pg CONNINFO is required");
}

static int write_file(const char *path, const void *p, size_t n, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
    if (fd < 0) return -errno;
    ssize_t w = write(fd, p, n);
    int rc = (w == (ssize_t)n && fsync(fd) == 0) ? 0 : -EIO;
    close(fd);
    return rc;
}

/* hub.key / hub.pub in dir, made once (an existing key is kept). */
static int make_key(const char *dir)
{
    char kp[4096], pp[4096];
    snprintf(kp, sizeof kp, "%s/hub.key", dir);
    snprintf(pp, sizeof pp, "%s/hub.pub", dir);
    if (access(kp, F_OK) == 0) return 0;
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_keypair(pk, sk);
    char b64[sodium_base64_ENCODED_LEN(crypto_sign_PUBLICKEYBYTES, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof b64, pk, sizeof pk, sodium_base64_VARIANT_ORIGINAL);
    int rc = write_file(kp, sk, sizeof sk, 0600);
    sodium_memzero(sk, sizeof sk);
    if (!rc) rc = write_file(pp, b64, strlen(b64), 0644);
    return rc;
}

static int read_pub(const char *dir, char *out, size_t max)
{
    char pp[4096];
    snprintf(pp, sizeof pp, "%s/hub.pub", dir);
    FILE *f = fopen(pp, "r");
    if (!f) return -errno;
    size_t n = fread(out, 1, max - 1, f);
    fclose(f);
    out[n] = 0;
    out[strcspn(out, "\r\n")] = 0;
    return n ? 0 : -EINVAL;
}

static int hub_init(struct cli_ctx *c, struct hub_opts *o)
{
    const char *dir = o->data ? o->data : c->data_dir;
    if (mkdir(dir, 0700) && errno != EEXIST) {
        cli_err("cannot create %s: %s", dir, strerror(errno));
        return 1;
    }
    if (make_key(dir)) {
        cli_err("cannot write the hub key in %s", dir);
        return 1;
    }
    prov_pg *pg;
    if (prov_pg_open(o->pg, &pg)) {
        cli_err("cannot connect to PostgreSQL (%s)", o->pg);
        return 1;
    }
    int rc = prov_pg_migrate(pg);
    if (!rc) rc = prov_pg_read_indexes(pg);
    prov_pg_close(pg);
    if (rc) {
        cli_err("the hub schema could not be created");
        return 1;
    }
    printf("hub ready: schema in PostgreSQL, key in %s/hub.pub\n", dir);
    return 0;
}

static int hub_station(struct hub_opts *o, const char *sub, const char *name)
{
    prov_pg *pg;
    if (prov_pg_open(o->pg, &pg)) {
        cli_err("cannot connect to PostgreSQL (%s)", o->pg);
        return 1;
    }
    int rc = 0;
    if (!strcmp(sub, "add")) {
        char id[PROV_STATION_MAX + 1], token[65];
        rc = prov_pg_station_add(pg, name, id, token);
        if (!rc) printf("station %s\ntoken %s (once only; expires in 24 h)\n", id, token);
    } else {
        rc = prov_pg_station_list(pg, stdout);
    }
    prov_pg_close(pg);
    if (rc) cli_err("hub station %s failed", sub);
    return rc ? 1 : 0;
}

static int hub_check(struct hub_opts *o)
{
    prov_pg *pg;
    if (prov_pg_open(o->pg, &pg)) {
        cli_err("cannot connect to PostgreSQL (%s)", o->pg);
        return 1;
    }
    int rc = prov_pg_check(pg, stdout);
    prov_pg_close(pg);
    if (rc < 0) cli_err("hub check failed to read the province catalog");
    return rc == 0 ? 0 : 1;
}

static int hub_stats(struct hub_opts *o, const char *from, const char *to)
{
    prov_pg *pg;
    if (prov_pg_open(o->pg, &pg)) {
        cli_err("cannot connect to PostgreSQL (%s)", o->pg);
        return 1;
    }
    int rc = prov_pg_stats(pg, from, to, stdout);
    prov_pg_close(pg);
    if (rc) cli_err("hub stats failed (are FROM and TO dates?)");
    return rc ? 1 : 0;
}

/* ---- province users (hub-http.db) ---- */

static int open_hub_db(struct cli_ctx *c, const struct hub_opts *o, catalog_t **cat)
{
    const char *dir = o->data ? o->data : c->data_dir;
    if (mkdir(dir, 0700) && errno != EEXIST) {
        cli_err("cannot create %s: %s", dir, strerror(errno));
        return 1;
    }
    char db[4096];
    snprintf(db, sizeof db, "%s/hub-http.db", dir);
    if (catalog_open(db, CATALOG_CREATE, cat)) {
        cli_err("cannot open %s", db);
        return 1;
    }
    return 0;
}

/* The hub role names and the catalog role each maps onto. */
static enum catalog_role hub_role(const char *name)
{
    if (!name) return CATALOG_ROLE_NONE;
    if (!strcmp(name, "province-admin")) return CATALOG_ROLE_ADMIN;
    if (!strcmp(name, "province-staff")) return CATALOG_ROLE_PROVINCE;
    if (!strcmp(name, "ward-officer")) return CATALOG_ROLE_OFFICER;
    return CATALOG_ROLE_NONE;
}

static const char *hub_role_name(enum catalog_role r)
{
    return r == CATALOG_ROLE_ADMIN      ? "province-admin"
           : r == CATALOG_ROLE_PROVINCE ? "province-staff"
           : r == CATALOG_ROLE_OFFICER  ? "ward-officer"
                                        : catalog_role_name(r);
}

/* The first line of path, without its newline (≤ 1024 bytes).  Heap. */
static int read_password_file(const char *path, char **out)
{
    FILE *f = fopen(path, "r");
    if (!f) return -errno;
    char *buf = ww_malloc(1026);
    bool ok = fgets(buf, 1026, f) != NULL;
    fclose(f);
    size_t n = ok ? strlen(buf) : 0;
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) buf[--n] = 0;
    if (!n || n > 1024) {
        sodium_memzero(buf, 1026);
        free(buf);
        return -EINVAL;
    }
    *out = buf;
    return 0;
}

/* The ward row that stands for station sid in hub-http.db (made once). */
static int station_ward(catalog_t *cat, const char *sid, int64_t *id)
{
    int rc = catalog_ward_find(cat, sid, id);
    if (rc != WW_ENOTFOUND) return rc;
    struct catalog_ward w = {.name = (char *)sid, .district = "province hub: station scope"};
    rc = catalog_ward_add(cat, &w);
    *id = w.id;
    return rc;
}

static int add_user_txn(catalog_t *cat, struct catalog_user *u, const char *station)
{
    int rc = catalog_begin(cat);
    if (rc) return rc;
    if (station) rc = station_ward(cat, station, &u->ward_id);
    if (!rc) rc = catalog_user_add(cat, u);
    if (!rc) {
        json_t *d = json_pack("{s:s,s:I,s:s,s:s,s:s?,s:s}", "change", "add", "user_id",
                              (json_int_t)u->id, "username", u->username, "role",
                              hub_role_name(u->role), "station", station, "via", "hub cli");
        struct catalog_audit a = {.action = CATALOG_AUDIT_USER_CHANGE};
        rc = cli_audit_append(cat, &a, d);
    }
    return cli_end_txn(cat, rc);
}

static int hub_user_add(struct cli_ctx *c, struct hub_opts *o, const char *name)
{
    enum catalog_role role = hub_role(o->role);
    if (role == CATALOG_ROLE_NONE)
        return cli_usage("hub user add: --role province-admin|province-staff|ward-officer");
    if ((role == CATALOG_ROLE_OFFICER) != (o->station != NULL))
        return cli_usage("hub user add: --station STATION_ID goes with ward-officer, and only there");
    if (o->station && !prov_station_id_ok(o->station))
        return cli_usage("hub user add: %s is not a station id", o->station);
    if (!catalog_username_valid(name))
        return cli_usage("hub user add: a name is 3..32 of a-z 0-9 . _ -");
    if (!o->password_file) return cli_usage("hub user add: --password-file F is required");
    char *pw = NULL;
    if (read_password_file(o->password_file, &pw)) {
        cli_err("cannot read a password from %s", o->password_file);
        return 1;
    }
    const char *weak = http_password_weak(pw);
    char *hash = NULL;
    int rc = weak ? WW_EINVAL : http_password_hash(pw, &hash);
    sodium_memzero(pw, strlen(pw));
    free(pw);
    if (weak) {
        cli_err("password refused: %s", weak);
        return 1;
    }
    if (rc) return 1;
    catalog_t *cat;
    if (open_hub_db(c, o, &cat)) {
        free(hash);
        return 1;
    }
    struct catalog_user u = {.username = (char *)name, .role = role, .pw_hash = hash};
    rc = add_user_txn(cat, &u, o->station);
    catalog_close(cat);
    free(hash);
    if (rc == WW_ECONFLICT) cli_err("user %s exists already", name);
    else if (rc) cli_err("hub user add failed");
    else printf("user %s (%s%s%s) added\n", name, hub_role_name(role), o->station ? ", station " : "",
                o->station ? o->station : "");
    return rc ? 1 : 0;
}

static int hub_user_list(struct cli_ctx *c, struct hub_opts *o)
{
    catalog_t *cat;
    if (open_hub_db(c, o, &cat)) return 1;
    struct catalog_user *v = NULL;
    size_t n = 0;
    int rc = catalog_user_list(cat, &v, &n);
    if (!rc) printf("%-24s %-16s %-14s %s\n", "NAME", "ROLE", "STATION", "STATE");
    for (size_t i = 0; !rc && i < n; i++) {
        char *st = NULL;
        if (v[i].ward_id) catalog_ward_name(cat, v[i].ward_id, &st);
        printf("%-24s %-16s %-14s %s\n", v[i].username, hub_role_name(v[i].role), st ? st : "-",
               v[i].disabled ? "disabled" : "enabled");
        free(st);
    }
    catalog_user_list_free(v, n);
    catalog_close(cat);
    if (rc) cli_err("hub user list failed");
    return rc ? 1 : 0;
}

static volatile sig_atomic_t g_stop;
static void on_signal(int sig) { (void)sig; g_stop = 1; }

static int hub_serve(struct cli_ctx *c, struct hub_opts *o)
{
    if (!o->mqtt) return cli_usage("hub serve: --mqtt mqtt://HOST:PORT is required");
    const char *dir = o->data ? o->data : c->data_dir;
    char pub[128], db[4096];
    if (read_pub(dir, pub, sizeof pub)) {
        cli_err("no hub key in %s: run `wardwatch hub init` first", dir);
        return 1;
    }
    struct http_server *srv = NULL;
    struct prov_http h = {.conninfo = o->pg, .hub_public_key = pub, .mqtt_public = o->mqtt_public,
                          .mqtt_url = o->mqtt, .hub_dir = dir};
    struct prov_forward_http fh = {.conninfo = o->pg, .hub_dir = dir};
    if (o->listen) {
        snprintf(db, sizeof db, "%s/hub-http.db", dir);
        catalog_t *cat;
        if (catalog_open(db, CATALOG_CREATE, &cat)) {
            cli_err("cannot create %s", db);
            return 1;
        }
        catalog_close(cat);
        /* a hub made before the console's views gets their indexes here */
        prov_pg *pg;
        if (!prov_pg_open(o->pg, &pg)) {
            if (prov_pg_read_indexes(pg)) cli_err("warning: the console's indexes could not be made");
            prov_pg_close(pg);
        }
        struct http_config cfg = {.listen = o->listen, .db_path = db};
        if (http_server_start(&cfg, &srv) || prov_http_register(srv, &h) || prov_web_register(srv, &h) ||
            prov_forward_register(srv, &fh)) {
            cli_err("cannot listen on %s", o->listen);
            http_server_stop(srv);
            return 1;
        }
        printf("hub listening on %s\n", o->listen);
        fflush(stdout);
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    struct prov_serve_opts so = {
        .conninfo = o->pg, .mqtt_url = o->mqtt,
        .client_id = o->client_id ? o->client_id : "wardwatch-hub",
        .gap_wait_ms = o->gap_wait_ms ? o->gap_wait_ms : 3000,
    };
    int rc = prov_serve(&so, &g_stop);
    http_server_stop(srv);
    if (rc) cli_err("hub serve could not start (%s)", strerror(-rc));
    return rc ? 1 : 0;
}

/* ---- hub fetch: one signed request to a station (forward.c) ---- */

struct fetch_out {
    FILE *f;
    const char *path; /* -o; NULL = stdout */
    long status;
    char *err_body;   /* a refusal's body, to say why */
    size_t err_n;
};

static int fetch_head(void *ud, const struct prov_fwd *f)
{
    struct fetch_out *o = ud;
    o->status = prov_fwd_status(f);
    if (o->status < 200 || o->status > 299) return 0;
    o->f = o->path ? fopen(o->path, "wb") : stdout;
    return o->f ? 0 : -errno;
}

static int fetch_body(void *ud, const void *p, size_t n)
{
    struct fetch_out *o = ud;
    if (o->f) return fwrite(p, 1, n, o->f) == n ? 0 : -EIO;
    if (o->err_n + n > 16384) return 0; /* a refusal is small; keep its start */
    char *b = realloc(o->err_body, o->err_n + n + 1);
    if (!b) return -ENOMEM;
    memcpy(b + o->err_n, p, n);
    o->err_n += n;
    b[o->err_n] = 0;
    o->err_body = b;
    return 0;
}

static const char fetch_help[] =
    "usage: wardwatch hub fetch STATION_ID PATH --as USER [--role ROLE] [-o FILE]\n"
    "                           [--post FILE|-] --pg CONNINFO [--data DIR]\n\n"
    "Asks the station for PATH (its API path, e.g. /api/v1/cameras/1/snapshot) on\n"
    "behalf of the province user USER (role ROLE, default province), signed with\n"
    "the hub key in DIR.  The body goes to FILE (default stdout).  Exit 0 on a\n"
    "2xx answer; otherwise the station's status and error go to stderr, exit 1.\n\n"
    "--post FILE|- makes it a POST of that JSON (- = stdin, at most 64 KiB), for\n"
    "PATH /api/v1/cameras/ID/exports ({\"from\",\"to\",\"stream\"}) or\n"
    "/api/v1/search/place/bundle only; the body's SHA-256 is signed with it.\n";

/* The --post body: FILE or stdin, at most HTTP_HUB_BODY_MAX bytes, checked
 * and re-serialised for PATH as the hub's route does.  NULL after saying why. */
static char *fetch_post_body(const char *src, const char *target)
{
    FILE *f = strcmp(src, "-") ? fopen(src, "rb") : stdin;
    if (!f) {
        cli_err("hub fetch: cannot open %s: %s", src, strerror(errno));
        return NULL;
    }
    char *buf = malloc(HTTP_HUB_BODY_MAX + 1);
    size_t n = buf ? fread(buf, 1, HTTP_HUB_BODY_MAX + 1, f) : 0;
    bool bad = ferror(f);
    if (f != stdin) fclose(f);
    char err[160] = "";
    char *body = NULL;
    if (!buf || bad) cli_err("hub fetch: cannot read %s", src);
    else if (n > HTTP_HUB_BODY_MAX) cli_err("hub fetch: the --post body is larger than %d bytes", HTTP_HUB_BODY_MAX);
    else if (!(body = prov_forward_post_body(target, buf, n, err, sizeof err))) cli_err("hub fetch: %s", err);
    free(buf);
    return body;
}

static int hub_fetch(struct cli_ctx *c, int argc, char **argv)
{
    const char *pos[2] = {0}, *pg = NULL, *data = NULL, *as = NULL, *role = "province", *out = NULL,
               *post = NULL;
    int k = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char **dst = !strcmp(a, "--pg") ? &pg : !strcmp(a, "--data") ? &data : !strcmp(a, "--as") ? &as
                           : !strcmp(a, "--role") ? &role : !strcmp(a, "-o") ? &out
                           : !strcmp(a, "--post") ? &post : NULL;
        if (!strcmp(a, "--help")) { fputs(fetch_help, stdout); return 0; }
        if (dst && i + 1 < argc) *dst = argv[++i];
        else if (dst || a[0] == '-' || k == 2) return cli_usage("hub fetch: unexpected '%s' (see --help)", a);
        else pos[k++] = a;
    }
    if (k != 2 || !pg || !as) return cli_usage("hub fetch STATION_ID PATH --as USER --pg CONNINFO (see --help)");
    char *body = post ? fetch_post_body(post, pos[1]) : NULL;
    if (post && !body) return 1;
    struct prov_fwd_opts fo = {.conninfo = pg, .hub_dir = data ? data : c->data_dir, .station = pos[0],
                               .method = post ? "POST" : "GET", .target = pos[1], .user = as, .role = role,
                               .body = body, .body_len = body ? strlen(body) : 0};
    struct fetch_out fout = {.path = out};
    struct prov_fwd_sink sink = {.head = fetch_head, .body = fetch_body, .ud = &fout};
    char err[256] = "";
    int rc = prov_forward(&fo, &sink, err, sizeof err);
    if (fout.f && fout.f != stdout && fclose(fout.f) && !rc) rc = -EIO;
    else if (fout.f == stdout) fflush(stdout);
    if (rc) {
        cli_err("hub fetch: %s", err);
    } else if (fout.status < 200 || fout.status > 299) {
        json_t *j = fout.err_body ? json_loads(fout.err_body, 0, NULL) : NULL;
        json_t *e = json_object_get(j, "error");
        const char *code = json_string_value(json_object_get(e, "code"));
        const char *msg = json_string_value(json_object_get(e, "message"));
        cli_err("hub fetch: the station answered HTTP %ld%s%s%s%s", fout.status, code ? " " : "", code ? code : "",
                msg ? ": " : "", msg ? msg : "");
        json_decref(j);
        rc = 1;
    }
    free(fout.err_body);
    free(body);
    return rc ? 1 : 0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: wardwatch hub init --pg CONNINFO [--data DIR]\n"
               "       wardwatch hub station add NAME --pg CONNINFO\n"
               "       wardwatch hub station list --pg CONNINFO\n"
               "       wardwatch hub serve --pg CONNINFO --mqtt mqtt://HOST:PORT\n"
               "            [--listen ADDR:PORT] [--mqtt-public URL] [--data DIR]\n"
               "            [--client-id ID] [--gap-wait-ms MS]\n"
               "       wardwatch hub check --pg CONNINFO\n"
               "       wardwatch hub stats FROM TO --pg CONNINFO\n"
               "       wardwatch hub review STATION WARD_ID YEAR CRITERION RESULT --by NAME --mqtt URL\n"
               "       wardwatch hub user add NAME --role province-admin|province-staff|ward-officer\n"
               "            [--station STATION_ID] --password-file F [--data DIR]\n"
               "       wardwatch hub user list [--data DIR]\n"

               "       wardwatch hub fetch STATION_ID PATH --as USER [--role ROLE] [-o FILE]\n"
               "            [--post FILE|-] --pg CONNINFO [--data DIR]\n");
}

int cli_hub(struct cli_ctx *c, int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    struct hub_opts o = {0};
    const char *verb = argv[1];
    if (!strcmp(verb, "review")) return cli_hub_review(c, argc - 1, argv + 1);
    if (!strcmp(verb, "user")) {
        const char *pos[2] = {0};
        if (parse(argc - 2, argv + 2, &o, pos, 2)) return 2;
        if (pos[0] && !strcmp(pos[0], "add") && pos[1]) return hub_user_add(c, &o, pos[1]);
        if (pos[0] && !strcmp(pos[0], "list") && !pos[1]) return hub_user_list(c, &o);
        return cli_usage("hub user add NAME --role ROLE [--station ID] --password-file F | list");
    }
    if (!strcmp(verb, "station")) {
        const char *pos[2] = {0};
        if (parse(argc - 2, argv + 2, &o, pos, 2) || need_pg(&o)) return 2;
        if (pos[0] && !strcmp(pos[0], "add") && pos[1]) return hub_station(&o, "add", pos[1]);
        if (pos[0] && !strcmp(pos[0], "list") && !pos[1]) return hub_station(&o, "list", NULL);
        return cli_usage("hub station add NAME | list");
    }
    if (!strcmp(verb, "fetch")) return hub_fetch(c, argc - 2, argv + 2);
    if (!strcmp(verb, "stats")) {
        const char *pos[2] = {0};
        if (parse(argc - 2, argv + 2, &o, pos, 2) || need_pg(&o)) return 2;
        if (!pos[1]) return cli_usage("hub stats FROM TO --pg CONNINFO");
        return hub_stats(&o, pos[0], pos[1]);
    }
    if (parse(argc - 2, argv + 2, &o, NULL, 0) || need_pg(&o)) return 2;
    if (!strcmp(verb, "init")) return hub_init(c, &o);
    if (!strcmp(verb, "serve")) return hub_serve(c, &o);
    if (!strcmp(verb, "check")) return hub_check(&o);
    return cli_usage("hub: unknown verb %s", verb);
}
