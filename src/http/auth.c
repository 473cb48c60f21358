/*
 * auth.c — passwords, sessions, sign-in/out and the audit hook.
 *
 * Passwords: argon2id via libsodium's crypto_pwhash_str with the
 * INTERACTIVE limits (64 MiB, ~0.1 s on the station box; MODERATE took
 * ~0.7 s on the 2-core reference machine, too slow for a duty desk that
 * signs in often).  Each hash holds 64 MiB while it runs, so a semaphore lets
 * at most HASH_SLOTS run at once: a burst of sign-ins queues instead of
 * exhausting memory.  Sign-in for an unknown or disabled user verifies
 * against a dummy hash, so the time taken does not say which usernames
 * exist.
 *
 * Sessions: the cookie carries 256 random bits (base64url); the catalog
 * stores only SHA-256(token), looked up by index — so no comparison ever
 * runs on the secret itself, and a lookup's timing can only tell an
 * attacker about hashes of tokens they chose.  Password checks are
 * libsodium's (constant-time).  A session lasts 12 h
 * after its last use (sliding; refreshed at most once a minute so reads do
 * not turn into writes), ends at sign-out, and every session of a user ends
 * when the user is disabled or changes password.  Cookie: HttpOnly,
 * SameSite=Strict, Path=/, Max-Age; Secure when configured (behind TLS) or
 * when a trusted reverse proxy (serve --trusted-proxy) says X-Forwarded-Proto:
 * https.
 *
 * Rate limiting: see ratelimit.c.  Per username: 5 failures → locked;
 * per client address: 10.  A locked attempt answers 429 with Retry-After
 * and is not even checked.  Malformed requests do not count.  A success
 * clears its username's count, not its address's.
 *
 * Routes registered here (every server has them):
 *   POST   /api/v1/session           sign in   (public)
 *   GET    /api/v1/session           who am I
 *   DELETE /api/v1/session           sign out  (public: always clears the cookie)
 *   POST   /api/v1/session/password  change my own password
 *   GET    /api/v1/debug/auth        password checks run so far (admin)
 */
#include "http/internal.h"

#include <ctype.h>
#include <errno.h>
#include <semaphore.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/cat_audit.h"

#define HASH_SLOTS 4
#define USER_FAIL_LIMIT 5
#define ADDR_FAIL_LIMIT 10
#define TOKEN_BYTES 32
#define TOKEN_B64_LEN 43   /* base64url, no padding */

/* ---- passwords -------------------------------------------------------------- */

static sem_t hash_sem;
/* Every password verification that ran (real or dummy): the measure the
 * rate limiter is tested against (GET /api/v1/debug/auth). */
static _Atomic long long hash_checks;
static pthread_once_t hash_once = PTHREAD_ONCE_INIT;
static char *dummy_hash;

static void hash_init(void)
{
    if (sodium_init() < 0) abort();
    sem_init(&hash_sem, 0, HASH_SLOTS);
}

static void slot_take(void)
{
    pthread_once(&hash_once, hash_init);
    while (sem_wait(&hash_sem) != 0 && errno == EINTR) {}
}

static void slot_give(void) { sem_post(&hash_sem); }

int http_password_hash(const char *password, char **hash)
{
    *hash = NULL;
    char out[crypto_pwhash_STRBYTES];
    slot_take();
    int rc = crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                               crypto_pwhash_MEMLIMIT_INTERACTIVE);
    slot_give();
    if (rc != 0) {
        ww_error("auth", "password hashing failed (out of memory?)");
        return -ENOMEM;
    }
    *hash = ww_strdup(out);
    return 0;
}

bool http_password_verify(const char *hash, const char *password)
{
    if (!hash || !password) return false;
    hash_checks++;
    slot_take();
    bool ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
    slot_give();
    return ok;
}

static bool password_needs_rehash(const char *hash)
{
    return crypto_pwhash_str_needs_rehash(hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
}

static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static void dummy_init(void)
{
    unsigned char r[16];
    char pw[33];
    pthread_once(&hash_once, hash_init);
    randombytes_buf(r, sizeof r);
    sodium_bin2hex(pw, sizeof pw, r, sizeof r);
    if (http_password_hash(pw, &dummy_hash)) dummy_hash = NULL;
}

/* Spends the time a real verification takes, then fails. */
static void verify_dummy(const char *password)
{
    pthread_once(&dummy_once, dummy_init);
    if (dummy_hash) (void)http_password_verify(dummy_hash, password);
}

const char *http_password_weak(const char *password)
{
    size_t n = password ? strlen(password) : 0;
    if (n < 10) return "the password must be at least 10 characters long";
    if (n > 256) return "the password must be at most 256 bytes long";
    bool same = true;
    for (size_t i = 1; i < n && same; i++) same = password[i] == password[0];
    if (same) return "the password must not be one character repeated";
    return NULL;
}

/* ---- sessions ------------------------------------------------------------------ */

static void token_hash(const char *token, uint8_t out[32])
{
    ww_sha256(token, strlen(token), out);
}

static bool token_well_formed(const char *t)
{
    if (!t || strlen(t) != TOKEN_B64_LEN) return false;
    for (; *t; t++)
        if (!isalnum((unsigned char)*t) && *t != '-' && *t != '_') return false;
    return true;
}

/* Whether the request reached us from a configured reverse proxy that says
 * the browser spoke HTTPS to it.  Only the proxy's word counts: a header a
 * client sent straight to us is ignored. */
static bool https_via_trusted_proxy(struct http_req *req)
{
    const char *list = req->srv->cfg.trusted_proxy, *addr = http_req_client_addr(req);
    const char *proto = http_req_header(req, "X-Forwarded-Proto");
    if (!list || !addr || !proto || strcasecmp(proto, "https")) return false;
    size_t n = strlen(addr);
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && !strncmp(p, addr, n)) return true;
        if (!end) break;
        p = end + 1;
    }
    return false;
}

static void set_cookie(struct http_req *req, const char *token, int64_t max_age_s)
{
    bool secure = req->srv->cfg.secure_cookie || https_via_trusted_proxy(req);
    char *c = http_req_printf(req, "%s=%s; HttpOnly; SameSite=Strict; Path=/; Max-Age=%lld%s",
                              HTTP_COOKIE_NAME, token, (long long)max_age_s, secure ? "; Secure" : "");
    http_resp_header(req, "Set-Cookie", c);
}

static struct http_user *user_copy(struct http_req *req, const struct catalog_user *u)
{
    struct http_user *hu = http_req_alloc(req, sizeof *hu);
    hu->id = u->id;
    hu->username = http_req_strdup(req, u->username);
    hu->display_name = http_req_strdup(req, u->display_name);
    hu->role = u->role;
    hu->ward_id = u->ward_id;
    hu->owner_id = u->owner_id;
    return hu;
}

static int64_t session_max(const struct http_server *srv)
{
    return srv->cfg.session_max_us > 0 ? srv->cfg.session_max_us : HTTP_SESSION_MAX_DEFAULT_US;
}

void http_auth_load(struct http_req *req)
{
    if (req->user_loaded) return;
    req->user_loaded = true;
    if (http_hub_auth(req)) return; /* signed by the hub, or refused: never the cookie */
    const char *token = http_cookie_get(&req->arena, http_req_header(req, "Cookie"), HTTP_COOKIE_NAME);
    if (!token_well_formed(token)) return;
    token_hash(token, req->token_hash);
    req->have_token = true;
    catalog_t *cat = http_req_catalog(req);
    if (!cat) return;
    struct catalog_session s;
    struct catalog_user u;
    int64_t now = ww_wall_us();
    if (catalog_session_find(cat, req->token_hash, now, &s, &u)) return;
    /* The sliding expiry never passes the absolute lifetime from sign-in:
     * a stolen cookie that is kept busy still dies (issue 11 item 12). */
    int64_t hard_end = s.created_us + session_max(req->srv);
    if (now >= hard_end) {
        catalog_session_delete(cat, req->token_hash);
        catalog_user_clear(&u);
        return;
    }
    req->user = user_copy(req, &u);
    catalog_user_clear(&u);
    if (now - s.last_seen_us >= HTTP_SESSION_TOUCH_US) {
        int64_t until = now + HTTP_SESSION_TTL_US < hard_end ? now + HTTP_SESSION_TTL_US : hard_end;
        if (catalog_session_extend(cat, req->token_hash, now, until) == 0)
            set_cookie(req, token, (until - now) / 1000000);
    }
}

const struct http_user *http_req_user(struct http_req *req)
{
    http_auth_load(req);
    return req->user;
}

int http_session_create(struct http_req *req, const struct catalog_user *u)
{
    unsigned char raw[TOKEN_BYTES];
    char token[sodium_base64_ENCODED_LEN(TOKEN_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(token, sizeof token, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    uint8_t h[32];
    token_hash(token, h);
    catalog_t *cat = http_req_catalog(req);
    if (!cat) return WW_EDB;
    int64_t now = ww_wall_us();
    catalog_session_prune(cat, now, HTTP_SESSIONS_PER_USER - 1);
    int64_t ttl = HTTP_SESSION_TTL_US < session_max(req->srv) ? HTTP_SESSION_TTL_US : session_max(req->srv);
    int rc = catalog_session_add(cat, h, u->id, now + ttl, req->client_addr);
    if (rc) { sodium_memzero(token, sizeof token); return rc; }
    set_cookie(req, token, ttl / 1000000);
    sodium_memzero(token, sizeof token);
    memcpy(req->token_hash, h, 32);
    req->have_token = true;
    req->user = user_copy(req, u);
    req->user_loaded = true;
    return 0;
}

int http_sessions_revoke(struct http_req *req, int64_t user_id)
{
    catalog_t *cat = http_req_catalog(req);
    if (!cat) return WW_EDB;
    const struct http_user *me = http_req_user(req);
    bool mine = me && me->id == user_id && req->have_token;
    return catalog_session_delete_user(cat, user_id, mine ? req->token_hash : NULL);
}

/* ---- audit hook ---------------------------------------------------------------------- */

int http_audit(struct http_req *req, const char *action, int64_t camera_id, int64_t from_us,
               int64_t to_us, json_t *detail)
{
    char *d = detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;
    json_decref(detail);
    catalog_t *cat = http_req_catalog(req);
    const struct http_user *u = req->user_loaded ? req->user : http_req_user(req);
    struct catalog_audit a = {
        .user_id = u ? u->id : 0,
        .username = u ? (char *)u->username : NULL,
        .action = (char *)action,
        .camera_id = camera_id,
        .range_from_us = from_us,
        .range_to_us = to_us,
        .client_addr = req->client_addr,
        .detail = d,
    };
    int rc = cat ? catalog_audit_append(cat, &a) : WW_EDB;
    if (rc) ww_error("audit", "cannot record %s by %s on camera %lld: %s", action ? action : "?",
                     u ? u->username : "-", (long long)camera_id, ww_strerror(rc));
    free(d);
    return rc;
}

int http_audit_commit(struct http_req *req, int rc, const char *action, int64_t camera_id, int64_t from_us,
                      int64_t to_us, json_t *detail)
{
    if (!rc) rc = http_audit(req, action, camera_id, from_us, to_us, detail);
    else json_decref(detail);
    catalog_t *cat = http_req_catalog(req);
    if (rc || (rc = catalog_commit(cat))) catalog_rollback(cat);
    return rc;
}

/* ---- handlers ------------------------------------------------------------------------ */

static json_t *user_json(const struct http_user *u)
{
    json_t *o = json_pack("{s:I,s:s,s:s}", "id", (json_int_t)u->id, "username", u->username,
                          "role", catalog_role_name(u->role));
    json_object_set_new(o, "display_name", u->display_name ? json_string(u->display_name) : json_null());
    json_object_set_new(o, "ward_id", u->ward_id ? json_integer(u->ward_id) : json_null());
    json_object_set_new(o, "owner_id", u->owner_id ? json_integer(u->owner_id) : json_null());
    return o;
}

static void lower_ascii(char *s)
{
    for (; *s; s++) *s = (char)tolower((unsigned char)*s);
}

static int too_many(struct http_req *req, int secs)
{
    char ra[16];
    snprintf(ra, sizeof ra, "%d", secs);
    http_resp_header(req, "Retry-After", ra);
    return http_error(req, 429, "too_many_requests",
                      "too many failed sign-in attempts; try again in %d seconds", secs);
}

/* The console shows and types every time in station time; it learns the
 * offset here, with who is signed in, so no page hard-codes it. */
static json_t *station_json(void)
{
    return json_pack("{s:i}", "utc_offset_min", ww_station_offset_min());
}

/* The body of sign-in and of a password change: these two string fields and
 * no others, both required; the first of 1..max0 bytes, the second (a
 * password) of 1..1024.  0 or the error answered (400). */
static int two_fields(struct http_req *req, const char *const fields[3], size_t max0, const char **a,
                      const char **b)
{
    json_t *body;
    int rc;
    if ((rc = http_req_json(req, fields, &body))) return rc;
    if ((rc = http_json_str(req, body, fields[0], true, 1, max0, a)) < 0) return rc;
    if ((rc = http_json_str(req, body, fields[1], true, 1, 1024, b)) < 0) return rc;
    return 0;
}

static int h_login(struct http_req *req, void *ud)
{
    (void)ud;
    static const char *const fields[] = {"username", "password", NULL};
    const char *uname, *pw;
    int rc;
    if ((rc = two_fields(req, fields, 64, &uname, &pw))) return rc;
    char *name = http_req_strdup(req, uname);
    lower_ascii(name);
    char *ku = http_req_printf(req, "u:%s", name), *ka = http_req_printf(req, "a:%s", req->client_addr);
    struct http_ratelimit *rl = &req->srv->rl;
    /* Counted before the password is looked at (see ratelimit.c). */
    const char *keys[2] = {ku, ka};
    static const int limits[2] = {USER_FAIL_LIMIT, ADDR_FAIL_LIMIT};
    static const bool clear[2] = {true, false};
    int wait = http_rl_begin(rl, keys, limits, 2, ww_mono_us());
    if (wait) return too_many(req, wait);

    catalog_t *cat = http_req_catalog(req);
    if (!cat) { http_rl_end(rl, keys, limits, clear, 2, true, ww_mono_us()); return WW_EDB; }
    struct catalog_user u;
    const char *why = NULL;
    if (catalog_user_find(cat, name, &u) != 0) {
        memset(&u, 0, sizeof u);
        verify_dummy(pw);
        why = "unknown_user";
    } else if (u.disabled) {
        verify_dummy(pw);
        why = "disabled";
    } else if (!http_password_verify(u.pw_hash, pw)) {
        why = "bad_password";
    }
    http_rl_end(rl, keys, limits, clear, 2, why == NULL, ww_mono_us());
    if (why) {
        struct catalog_audit a = {.user_id = u.id, .username = name, .action = CATALOG_AUDIT_LOGIN_FAILED,
                              .client_addr = req->client_addr};
        char detail[64];
        snprintf(detail, sizeof detail, "{\"reason\":\"%s\"}", why);
        a.detail = detail;
        if (catalog_audit_append(cat, &a)) ww_error("audit", "cannot record a failed sign-in");
        ww_info("auth", "failed sign-in for '%s' from %s (%s)", name, req->client_addr, why);
        catalog_user_clear(&u);
        return http_error(req, 401, "unauthorized", "wrong username or password");
    }
    /* Success clears the username's count only: clearing the address's
     * would let someone with one valid account reset it between guesses at
     * other accounts.  Address counts fade after the window (an hour).
     * (http_rl_end above did the clearing.) */
    if (password_needs_rehash(u.pw_hash)) {
        char *nh;
        if (http_password_hash(pw, &nh) == 0) {
            catalog_user_set_password(cat, u.id, nh);
            free(nh);
        }
    }
    rc = http_session_create(req, &u);
    if (rc) { catalog_user_clear(&u); return rc; }
    catalog_user_touch_login(cat, u.id, ww_wall_us());
    catalog_user_clear(&u);
    if ((rc = http_audit(req, CATALOG_AUDIT_LOGIN, 0, 0, 0, NULL))) return rc;
    ww_info("auth", "'%s' signed in from %s", req->user->username, req->client_addr);
    return http_respond_json(req, 200, json_pack("{s:o,s:I,s:o}", "user", user_json(req->user),
                                                 "expires_in_s",
                                                 (json_int_t)(HTTP_SESSION_TTL_US / 1000000),
                                                 "station", station_json()));
}

static int h_whoami(struct http_req *req, void *ud)
{
    (void)ud;
    return http_respond_json(req, 200, json_pack("{s:o,s:o}", "user", user_json(http_req_user(req)),
                                                 "station", station_json()));
}

static int h_logout(struct http_req *req, void *ud)
{
    (void)ud;
    const struct http_user *u = http_req_user(req);
    if (req->have_token) {
        catalog_t *cat = http_req_catalog(req);
        if (!cat) return WW_EDB;
        if (u) http_audit(req, CATALOG_AUDIT_LOGOUT, 0, 0, 0, NULL);
        int rc = catalog_session_delete(cat, req->token_hash);
        if (rc) return rc;
    }
    /* Replace any refresh the lookup queued with a deletion. */
    for (struct http_hdr *h = req->hdrs, *prev = NULL; h; prev = h, h = h->next)
        if (!strcasecmp(h->name, "Set-Cookie")) {
            if (prev) prev->next = h->next;
            else req->hdrs = h->next;
            break;
        }
    set_cookie(req, "", 0);
    return http_respond_data(req, 204, NULL, NULL, 0);
}

static int h_password(struct http_req *req, void *ud)
{
    (void)ud;
    static const char *const fields[] = {"old_password", "new_password", NULL};
    const char *oldp, *newp;
    int rc;
    if ((rc = two_fields(req, fields, 1024, &oldp, &newp))) return rc;
    const char *weak = http_password_weak(newp);
    if (weak) return http_fail_field(req, WW_EINVAL, "weak_password", "password", "%s", weak);
    const struct http_user *me = http_req_user(req);
    const char *keys[1] = {http_req_printf(req, "u:%s", me->username)};
    static const int limits[1] = {USER_FAIL_LIMIT};
    static const bool keep[1] = {false};
    int wait = http_rl_begin(&req->srv->rl, keys, limits, 1, ww_mono_us());
    if (wait) return too_many(req, wait);
    catalog_t *cat = http_req_catalog(req);
    struct catalog_user u;
    rc = cat ? catalog_user_get(cat, me->id, &u) : WW_EDB;
    bool ok = rc == 0 && http_password_verify(u.pw_hash, oldp);
    if (rc == 0) catalog_user_clear(&u);
    http_rl_end(&req->srv->rl, keys, limits, keep, 1, ok || rc != 0, ww_mono_us());
    if (rc) return rc;
    if (!ok) return http_fail_field(req, WW_EPERM, "wrong_password", "password", "the current password is wrong");
    char *h;
    if ((rc = http_password_hash(newp, &h))) return rc;
    rc = catalog_user_set_password(cat, me->id, h);
    free(h);
    if (rc) return rc;
    http_sessions_revoke(req, me->id);
    if ((rc = http_audit(req, CATALOG_AUDIT_USER_CHANGE, 0, 0, 0,
                         json_pack("{s:s,s:I}", "change", "password", "user_id",
                                   (json_int_t)me->id))))
        return rc;
    return http_respond_data(req, 204, NULL, NULL, 0);
}

long long http_password_checks(void) { return hash_checks; }

static int h_debug_auth(struct http_req *req, void *ud)
{
    (void)ud;
    return http_respond_json(req, 200, json_pack("{s:I}", "password_checks",
                                                 (json_int_t)http_password_checks()));
}

void http_auth_register(struct http_server *srv)
{
    http_route(srv, "GET", "/api/v1/debug/auth", h_debug_auth, NULL, HTTP_ROLE_ADMIN);
    http_route(srv, "POST", "/api/v1/session", h_login, NULL, HTTP_PUBLIC);
    http_route(srv, "GET", "/api/v1/session", h_whoami, NULL, 0);
    http_route(srv, "DELETE", "/api/v1/session", h_logout, NULL, HTTP_PUBLIC);
    http_route(srv, "POST", "/api/v1/session/password", h_password, NULL, 0);
}
