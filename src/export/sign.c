/*
 * sign.c — the station's Ed25519 key and signed manifests.
 *
 * Why here (export), not base: base stays free of third-party headers, and
 * everything that signs — clip exports, bundles (community/, above us) —
 * and everything that verifies (cli/verify, api/verify) already stands on
 * export.  Nothing here touches the catalog, so `wardwatch verify` runs on
 * a machine that has never seen a data folder.
 *
 * Invariants:
 *   - a key file is created once and never replaced: written to a
 *     temporary name with mode 0600, fsynced, then link()ed into place,
 *     which fails if another process got there first (then we load theirs);
 *   - the bytes signed are the bytes on disk: export_manifest_write_signed
 *     dumps once, writes those bytes and signs the same buffer.
 */
#include "export/export.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"

enum { KEY_FILE_MAX = 4096, SIG_FILE_MAX = 4096 };

char *export_key_path(const char *data_dir) { return ww_asprintf("%s/%s", data_dir, EXPORT_KEY_FILE); }

static void b64(const uint8_t *bin, size_t n, char *out, size_t cap)
{
    sodium_bin2base64(out, cap, bin, n, sodium_base64_VARIANT_ORIGINAL);
}

static int unb64(const char *s, uint8_t *bin, size_t want)
{
    size_t got = 0;
    if (!s || sodium_base642bin(bin, want, s, strlen(s), NULL, &got, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
        return WW_EINVAL;
    return got == want ? 0 : WW_EINVAL;
}

void export_key_from_public(const uint8_t pk[32], struct export_key *k)
{
    if (k->pk != pk) memcpy(k->pk, pk, 32);
    b64(k->pk, 32, k->public_b64, sizeof k->public_b64);
    uint8_t h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, k->pk, 32);
    sodium_bin2hex(k->fingerprint, sizeof k->fingerprint, h, sizeof h);
    snprintf(k->short_fpr, sizeof k->short_fpr, "%.4s-%.4s-%.4s-%.4s", k->fingerprint, k->fingerprint + 4,
             k->fingerprint + 8, k->fingerprint + 12);
}

void export_key_wipe(struct export_key *k)
{
    if (k) sodium_memzero(k, sizeof *k);
}

static int key_from_json(const char *text, struct export_key *k)
{
    memset(k, 0, sizeof *k);
    json_t *j = json_loads(text, 0, NULL);
    const char *id = json_string_value(json_object_get(j, "station_id"));
    const char *name = json_string_value(json_object_get(j, "station_name"));
    int rc = WW_ECORRUPT;
    if (!id || !name || strlen(id) >= sizeof k->station_id || strlen(name) >= sizeof k->station_name) goto out;
    if (unb64(json_string_value(json_object_get(j, "public_key")), k->pk, 32)) goto out;
    const char *sk = json_string_value(json_object_get(j, "secret_key"));
    if (sk) {
        if (unb64(sk, k->sk, 64)) goto out;
        /* libsodium's secret key carries the public key in its second half */
        if (memcmp(k->sk + 32, k->pk, 32) != 0) goto out;
        k->has_secret = true;
    }
    snprintf(k->station_id, sizeof k->station_id, "%s", id);
    snprintf(k->station_name, sizeof k->station_name, "%s", name);
    export_key_from_public(k->pk, k);
    rc = 0;
out:
    json_decref(j);
    if (rc) export_key_wipe(k);
    return rc;
}

int export_key_load(const char *data_dir, struct export_key *k)
{
    if (sodium_init() < 0) return WW_EINVAL;
    char *path = export_key_path(data_dir);
    char *text = NULL;
    int rc = ww_read_file(path, KEY_FILE_MAX, &text, NULL);
    free(path);
    if (rc == -ENOENT) return WW_ENOTFOUND;
    if (rc) return rc == -EFBIG ? WW_ECORRUPT : rc;
    rc = key_from_json(text, k);
    sodium_memzero(text, strlen(text));
    free(text);
    return rc;
}

int export_key_create(const char *data_dir, const char *station_name, struct export_key *k)
{
    if (sodium_init() < 0) return WW_EINVAL;
    char host[128] = "wardwatch";
    if (!station_name || !*station_name) {
        if (gethostname(host, sizeof host - 1) != 0 || !host[0]) snprintf(host, sizeof host, "wardwatch");
        host[sizeof host - 1] = 0;
        station_name = host;
    }
    if (strlen(station_name) > 100) return WW_EINVAL;
    memset(k, 0, sizeof *k);
    crypto_sign_keypair(k->pk, k->sk);
    k->has_secret = true;
    uint8_t rnd[8];
    randombytes_buf(rnd, sizeof rnd);
    char hex[17];
    sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
    snprintf(k->station_id, sizeof k->station_id, "st-%s", hex);
    snprintf(k->station_name, sizeof k->station_name, "%s", station_name);
    export_key_from_public(k->pk, k);
    char skb[100];
    b64(k->sk, 64, skb, sizeof skb);
    json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "kind", "wardwatch station signing key", "algorithm",
                          "Ed25519", "station_id", k->station_id, "station_name", k->station_name, "public_key",
                          k->public_b64, "key_fingerprint", k->fingerprint, "secret_key", skb);
    sodium_memzero(skb, sizeof skb);
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(j);
    char *path = export_key_path(data_dir);
    char *tmp = ww_asprintf("%s.%s.tmp", path, hex);
    int rc = 0;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) rc = -errno;
    size_t n = strlen(text);
    if (!rc && (write(fd, text, n) != (ssize_t)n || write(fd, "\n", 1) != 1 || fsync(fd) != 0)) rc = -EIO;
    if (fd >= 0 && close(fd) != 0 && !rc) rc = -EIO;
    /* link, not rename: never replace a key another process made meanwhile */
    if (!rc && link(tmp, path) != 0) rc = errno == EEXIST ? WW_ECONFLICT : -errno;
    if (fd >= 0) unlink(tmp);
    if (!rc) ww_fsync_dir_of(path);
    sodium_memzero(text, n);
    free(text);
    free(tmp);
    free(path);
    if (rc) export_key_wipe(k);
    return rc;
}

int export_key_ensure(const char *data_dir, struct export_key *k, bool *created)
{
    *created = false;
    int rc = export_key_load(data_dir, k);
    if (rc != WW_ENOTFOUND) return rc;
    rc = export_key_create(data_dir, NULL, k);
    if (rc == WW_ECONFLICT) return export_key_load(data_dir, k);
    if (rc) {
        ww_error("sign", "cannot create the station signing key in %s: %s", data_dir, ww_strerror(rc));
        return rc;
    }
    *created = true;
    ww_info("sign", "created the station signing key %s/%s (station %s, fingerprint %s)", data_dir,
            EXPORT_KEY_FILE, k->station_id, k->short_fpr);
    return 0;
}

static char *trim_dup(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') s++;
    char *d = ww_strdup(s);
    size_t n = strlen(d);
    while (n && (d[n - 1] == ' ' || d[n - 1] == '\t' || d[n - 1] == '\n' || d[n - 1] == '\r')) d[--n] = 0;
    return d;
}

static int parse_public_text(const char *text, struct export_key *k)
{
    char *t = trim_dup(text);
    uint8_t pk[32];
    size_t got = 0;
    int rc = WW_EINVAL;
    if (t[0] == '{') {
        json_t *j = json_loads(t, 0, NULL);
        if (unb64(json_string_value(json_object_get(j, "public_key")), pk, 32) == 0) rc = 0;
        const char *name = json_string_value(json_object_get(j, "station_name"));
        const char *id = json_string_value(json_object_get(j, "station_id"));
        if (!rc && name && strlen(name) < sizeof k->station_name) snprintf(k->station_name, sizeof k->station_name, "%s", name);
        if (!rc && id && strlen(id) < sizeof k->station_id) snprintf(k->station_id, sizeof k->station_id, "%s", id);
        json_decref(j);
    } else if (strlen(t) == 64 && sodium_hex2bin(pk, 32, t, 64, NULL, &got, NULL) == 0 && got == 32) {
        rc = 0;
    } else if (unb64(t, pk, 32) == 0) {
        rc = 0;
    }
    free(t);
    if (!rc) export_key_from_public(pk, k);
    return rc;
}

int export_key_parse_public(const char *text, struct export_key *k)
{
    if (sodium_init() < 0) return WW_EINVAL;
    memset(k, 0, sizeof *k);
    if (!text || !*text) return WW_EINVAL;
    if (parse_public_text(text, k) == 0) return 0;
    /* not a key itself: a file holding one */
    char *content = NULL;
    if (ww_read_file(text, KEY_FILE_MAX, &content, NULL) != 0) return WW_EINVAL;
    int rc = parse_public_text(content, k);
    sodium_memzero(content, strlen(content));
    free(content);
    /* a station.key given by mistake: keep only the public half */
    sodium_memzero(k->sk, sizeof k->sk);
    k->has_secret = false;
    return rc;
}

char *export_sign_detached(const struct export_key *k, const void *msg, size_t n, const char *signed_file)
{
    if (!k->has_secret) return NULL;
    uint8_t sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, NULL, msg, n, k->sk);
    char sb[100];
    b64(sig, sizeof sig, sb, sizeof sb);
    json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "kind", "wardwatch signature", "algorithm", "Ed25519",
                          "key_fingerprint", k->fingerprint, "public_key", k->public_b64, "signature", sb,
                          "signed_file", signed_file ? signed_file : "");
    char *out = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    return out;
}

int export_sig_check(const char *sig_json, const void *msg, size_t n, struct export_key *signer)
{
    if (sodium_init() < 0) return WW_EINVAL;
    json_t *j = json_loads(sig_json, 0, NULL);
    uint8_t pk[32], sig[crypto_sign_BYTES];
    const char *alg = json_string_value(json_object_get(j, "algorithm"));
    int rc = WW_ECORRUPT;
    if (alg && !strcmp(alg, "Ed25519") && unb64(json_string_value(json_object_get(j, "public_key")), pk, 32) == 0 &&
        unb64(json_string_value(json_object_get(j, "signature")), sig, sizeof sig) == 0) {
        rc = crypto_sign_verify_detached(sig, msg, n, pk) == 0 ? 0 : WW_EAUTH;
        memset(signer, 0, sizeof *signer);
        export_key_from_public(pk, signer);
    }
    json_decref(j);
    return rc;
}

static int write_synced(const char *path, const char *bytes, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) return -errno;
    int rc = 0;
    if (write(fd, bytes, n) != (ssize_t)n) rc = errno == ENOSPC ? -ENOSPC : -EIO;
    if (!rc && fdatasync(fd) != 0) rc = -EIO;
    if (close(fd) != 0 && !rc) rc = -EIO;
    return rc;
}

int export_manifest_write_signed(const struct export_key *k, json_t *m, const char *path, char **canonical)
{
    if (canonical) *canonical = NULL;
    if (!k->has_secret) return WW_EINVAL;
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    char *sig_name = ww_asprintf("%s.sig", base);
    json_object_set_new(m, "station", json_pack("{s:s,s:s,s:s,s:s}", "id", k->station_id, "name",
                                                k->station_name, "public_key", k->public_b64,
                                                "key_fingerprint", k->fingerprint));
    json_object_set_new(m, "signature", json_string(sig_name));
    free(sig_name);
    char *bytes = json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS);
    if (!bytes) return -ENOMEM;
    size_t n = strlen(bytes);
    int rc = write_synced(path, bytes, n);
    char *sig = rc ? NULL : export_sign_detached(k, bytes, n, base);
    if (!rc && !sig) rc = -ENOMEM;
    char *sig_path = ww_asprintf("%s.sig", path);
    if (!rc) rc = write_synced(sig_path, sig, strlen(sig));
    if (!rc) ww_fsync_dir_of(path);
    if (rc) { unlink(sig_path); unlink(path); }
    free(sig_path);
    free(sig);
    if (!rc && canonical) *canonical = bytes;
    else free(bytes);
    return rc;
}
