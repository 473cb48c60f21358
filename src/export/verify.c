/*
 * verify.c — checks an export or an evidence bundle offline (the core of
 * `wardwatch verify` and of the console's verified mark).  See export.h.
 *
 * What is checked, in order, for a clip: the manifest's detached signature
 * (FILE.mp4.manifest.json.sig) over the manifest's exact bytes; that the
 * signing key is the trusted one; that the manifest names that key; and
 * that the clip's SHA-256 and size are the manifest's.  For a bundle:
 * bundle.json's signature the same way, then every file it lists by
 * SHA-256, then each clip as above.  A .tar is read into a private
 * temporary folder first (member names reduced to their last part: a
 * hostile archive cannot write outside it; sizes and member count bounded).
 * Nothing here touches the catalog.
 */
#include "export/export.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"

#define MANIFEST_MAX (4u << 20)
#define TAR_MEMBER_MAX (8ULL << 30)

struct verify {
    const struct export_key *trusted;   /* NULL: nothing is trusted */
    export_verify_line_fn line;
    void *ud;
    struct export_verify_result *res;
};

static void say(struct verify *v, bool ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(struct verify *v, bool ok, const char *fmt, ...)
{
    char line[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (!ok && !v->res->failures++) snprintf(v->res->first_failure, sizeof v->res->first_failure, "%s", line);
    if (v->line) v->line(v->ud, ok, line);
}
#define fail(v, ...) say(v, false, __VA_ARGS__)
#define okay(v, ...) say(v, true, __VA_ARGS__)

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static const char *jstr(json_t *o, const char *a, const char *b)
{
    json_t *x = json_object_get(o, a);
    const char *s = json_string_value(b ? json_object_get(x, b) : x);
    return s ? s : "?";
}

/* Reads a manifest and its .sig; checks the signature and the key.  On
 * success *m is the parsed manifest (caller decrefs). */
static int check_signed(struct verify *v, const char *path, json_t **m)
{
    *m = NULL;
    char *bytes = NULL, *sig = NULL;
    size_t n = 0;
    char *sig_path = ww_asprintf("%s.sig", path);
    int rc = ww_read_file(path, MANIFEST_MAX, &bytes, &n);
    if (rc) {
        fail(v, "%s: %s", base_name(path), rc == -ENOENT ? "missing" : ww_strerror(rc));
        goto out;
    }
    if ((rc = ww_read_file(sig_path, 4096, &sig, NULL))) {
        fail(v, "%s: no signature (%s%s)", base_name(path), base_name(sig_path),
             rc == -ENOENT ? " is missing" : " does not read");
        goto out;
    }
    struct export_key signer;
    rc = export_sig_check(sig, bytes, n, &signer);
    if (rc == WW_ECORRUPT) { fail(v, "%s: the signature file does not parse", base_name(sig_path)); goto out; }
    if (rc) { fail(v, "%s: the signature does not match — the manifest was changed", base_name(path)); goto out; }
    if (!v->trusted || memcmp(signer.pk, v->trusted->pk, 32) != 0) {
        fail(v, "%s: unknown key %s (signed by fingerprint %s; give --key to accept that station's key)",
             base_name(path), signer.short_fpr, signer.fingerprint);
        rc = WW_EAUTH;
        goto out;
    }
    json_error_t je;
    *m = json_loadb(bytes, n, 0, &je);
    const char *named = json_string_value(json_object_get(json_object_get(*m, "station"), "public_key"));
    if (!*m || !named || strcmp(named, signer.public_b64) != 0) {
        fail(v, "%s: the manifest does not name the key that signed it", base_name(path));
        json_decref(*m);
        *m = NULL;
        rc = WW_ECORRUPT;
        goto out;
    }
    okay(v, "%s: signed by station %s (%s), key %s", base_name(path),
         jstr(*m, "station", "name"), jstr(*m, "station", "id"), signer.short_fpr);
    if (!v->res->signer_fingerprint[0]) {
        snprintf(v->res->signer_fingerprint, sizeof v->res->signer_fingerprint, "%s", signer.fingerprint);
        snprintf(v->res->station, sizeof v->res->station, "%s", jstr(*m, "station", "name"));
    }
out:
    free(bytes);
    free(sig);
    free(sig_path);
    return rc ? -1 : 0;
}

/* check_signed of a path made for the purpose (freed here). */
static int check_signed_at(struct verify *v, char *path, json_t **m)
{
    int rc = check_signed(v, path, m);
    free(path);
    return rc;
}

/* A file against the SHA-256 (and size, if >= 0) a manifest gives. */
static int check_file(struct verify *v, const char *path, const char *want_sha, long long want_bytes)
{
    struct stat st;
    if (stat(path, &st) != 0) { fail(v, "%s: missing", base_name(path)); return -1; }
    char sha[65];
    if (export_sha256_file(path, sha)) { fail(v, "%s: cannot read it", base_name(path)); return -1; }
    if (!want_sha || strcmp(sha, want_sha) != 0) {
        fail(v, "%s: its SHA-256 %.16s… is not the manifest's %.16s… — the file was changed", base_name(path), sha,
             want_sha ? want_sha : "(none)");
        return -1;
    }
    if (want_bytes >= 0 && (long long)st.st_size != want_bytes) {
        fail(v, "%s: %lld bytes, the manifest says %lld", base_name(path), (long long)st.st_size, want_bytes);
        return -1;
    }
    okay(v, "%s: SHA-256 %s", base_name(path), sha);
    return 0;
}

static void print_clip(struct verify *v, json_t *m)
{
    json_t *cam = json_object_get(m, "camera");
    char pos[64] = "";
    if (json_is_number(json_object_get(cam, "latitude")))
        snprintf(pos, sizeof pos, " (%.5f, %.5f)", json_number_value(json_object_get(cam, "latitude")),
                 json_number_value(json_object_get(cam, "longitude")));
    bool addr = json_is_string(json_object_get(cam, "address"));
    okay(v, "camera #%lld %s%s%s%s; footage %s – %s, exported by %s at %s",
         (long long)json_integer_value(json_object_get(cam, "id")), jstr(cam, "name", NULL), addr ? ", " : "",
         addr ? jstr(cam, "address", NULL) : "", pos, jstr(m, "actual", "first_frame_local"),
         jstr(m, "actual", "last_frame_local"), jstr(m, "exported_by", "username"), jstr(m, "exported_at", NULL));
    v->res->clips++;
}

/* A clip given by its MP4 path. */
static int verify_clip(struct verify *v, const char *mp4)
{
    json_t *m;
    int rc = check_signed_at(v, ww_asprintf("%s.manifest.json", mp4), &m);
    if (rc) return rc;
    json_t *f = json_object_get(m, "file");
    rc = check_file(v, mp4, json_string_value(json_object_get(f, "sha256")),
                    json_is_integer(json_object_get(f, "bytes")) ? (long long)json_integer_value(json_object_get(f, "bytes")) : -1);
    if (!rc) print_clip(v, m);
    json_decref(m);
    return rc;
}

static int verify_bundle(struct verify *v, const char *dir)
{
    json_t *m;
    int rc = check_signed_at(v, ww_asprintf("%s/bundle.json", dir), &m);
    if (rc) return rc;
    json_t *place = json_object_get(m, "place");
    okay(v, "bundle: %.5f, %.5f within %.0f m, %s – %s, by %s at %s",
           json_number_value(json_object_get(place, "latitude")), json_number_value(json_object_get(place, "longitude")),
           json_number_value(json_object_get(place, "radius_m")), jstr(m, "requested", "from_local"),
           jstr(m, "requested", "to_local"), jstr(m, "exported_by", "username"), jstr(m, "exported_at", NULL));
    size_t i;
    json_t *f;
    int bad = 0;
    json_array_foreach(json_object_get(m, "files"), i, f) {
        const char *name = json_string_value(json_object_get(f, "name"));
        const char *man = json_string_value(json_object_get(f, "manifest"));
        if (!name || !man || strchr(name, '/') || strchr(man, '/')) {
            fail(v, "bundle.json: file entry %zu is malformed", i);
            bad++;
            continue;
        }
        char *p = ww_asprintf("%s/%s", dir, name), *mp = ww_asprintf("%s/%s", dir, man);
        if (check_file(v, p, json_string_value(json_object_get(f, "sha256")), (long long)json_integer_value(json_object_get(f, "bytes"))) ||
            check_file(v, mp, json_string_value(json_object_get(f, "manifest_sha256")), -1) || verify_clip(v, p))
            bad++;
        free(p);
        free(mp);
    }
    json_decref(m);
    return bad ? -1 : 0;
}

/* ---- .tar: a minimal ustar reader into a private folder ------------------- */
static int read_octal(const char *f, size_t n, unsigned long long *out)
{
    unsigned long long x = 0;
    size_t i = 0;
    while (i < n && f[i] == ' ') i++;
    for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
        if (x > (TAR_MEMBER_MAX >> 3)) return -1;
        x = x * 8 + (unsigned)(f[i] - '0');
    }
    *out = x;
    return 0;
}

static int untar(const char *tar, const char *into, struct verify *v)
{
    FILE *in = fopen(tar, "rb");
    if (!in) { fail(v, "%s: cannot open it", base_name(tar)); return -1; }
    char h[512], buf[65536];
    int rc = 0;
    for (int members = 0; members < 10000; members++) {
        if (fread(h, 1, 512, in) != 512) break;
        bool zero = true;
        for (int i = 0; i < 512 && zero; i++) zero = h[i] == 0;
        if (zero) break;
        unsigned long long size;
        if (read_octal(h + 124, 12, &size)) { fail(v, "%s: a member's size does not parse", base_name(tar)); rc = -1; break; }
        char name[101];
        memcpy(name, h, 100);
        name[100] = 0;
        const char *leaf = base_name(name);
        bool regular = h[156] == '0' || h[156] == 0;
        bool usable = regular && *leaf && strcmp(leaf, ".") && strcmp(leaf, "..");
        char *path = usable ? ww_asprintf("%s/%s", into, leaf) : NULL;
        int fd = path ? open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600) : -1;
        if (path && fd < 0) { fail(v, "%s: member %s twice or not writable", base_name(tar), leaf); rc = -1; }
        unsigned long long left = (size + 511) / 512 * 512, data = size;
        while (!rc && left) {
            size_t k = left < sizeof buf ? (size_t)left : sizeof buf;
            if (fread(buf, 1, k, in) != k) { fail(v, "%s: cut short", base_name(tar)); rc = -1; break; }
            size_t w = data < k ? (size_t)data : k;
            if (fd >= 0 && w && write(fd, buf, w) != (ssize_t)w) { fail(v, "%s: cannot unpack", base_name(tar)); rc = -1; }
            data -= w;
            left -= k;
        }
        if (fd >= 0) close(fd);
        free(path);
        if (rc) break;
    }
    fclose(in);
    return rc;
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char *p = ww_asprintf("%s/%s", dir, e->d_name);
        unlink(p);
        free(p);
    }
    if (d) closedir(d);
    rmdir(dir);
}

static bool ends_with(const char *s, const char *tail)
{
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && !strcmp(s + a - b, tail);
}

static int verify_dir(struct verify *v, const char *dir)
{
    char *bj = ww_asprintf("%s/bundle.json", dir);
    bool bundle = access(bj, F_OK) == 0;
    free(bj);
    if (bundle) return verify_bundle(v, dir);
    DIR *d = opendir(dir);
    if (!d) { fail(v, "%s: cannot open it", dir); return -1; }
    int found = 0, bad = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!ends_with(e->d_name, ".mp4.manifest.json")) continue;
        char *mp4 = ww_asprintf("%s/%.*s", dir, (int)(strlen(e->d_name) - strlen(".manifest.json")), e->d_name);
        found++;
        if (verify_clip(v, mp4)) bad++;
        free(mp4);
    }
    closedir(d);
    if (!found) fail(v, "%s: no export manifest or bundle.json in it", dir);
    return found && !bad ? 0 : -1;
}

static int verify_path(struct verify *v, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) { fail(v, "%s: no such file or folder", path); return -1; }
    if (S_ISDIR(st.st_mode)) return verify_dir(v, path);
    if (ends_with(path, ".tar")) {
        char tmpl[] = "/tmp/wardwatch-verify-XXXXXX";
        char *dir = mkdtemp(tmpl);
        if (!dir) { fail(v, "cannot make a temporary folder: %s", strerror(errno)); return -1; }
        int rc = untar(path, dir, v);
        if (!rc) rc = verify_dir(v, dir);
        remove_dir(dir);
        return rc;
    }
    if (ends_with(path, ".manifest.json")) {
        char *mp4 = ww_strdup(path);
        mp4[strlen(mp4) - strlen(".manifest.json")] = 0;
        int rc = verify_clip(v, mp4);
        free(mp4);
        return rc;
    }
    return verify_clip(v, path);
}

int export_verify(const char *path, const struct export_key *trusted, export_verify_line_fn line, void *ud,
                  struct export_verify_result *res)
{
    memset(res, 0, sizeof *res);
    struct verify v = {.trusted = trusted, .line = line, .ud = ud, .res = res};
    int rc = verify_path(&v, path);
    if (rc && !res->failures) fail(&v, "%s: does not verify", base_name(path));
    return res->failures ? WW_ECORRUPT : 0;
}
