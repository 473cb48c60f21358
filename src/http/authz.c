/*
 * authz.c — the permission model as the HTTP side asks it.
 *
 * Camera decisions are community's (community/access.c: the role matrix,
 * the scope rule and the owner's consent — community_decide_camera and
 * community_may); this file turns the signed-in user into community's
 * plain-data user, asks, and turns the answer into the HTTP answer.  The
 * ward matrix is decided here.  Handlers never compare roles themselves;
 * they call http_authz_camera / http_authz_ward / http_authz_use (or the
 * *_ids variants for lists) and return the code as is.  The matrix is
 * written out in http.h and docs/api.md; the unit test test_http_authz
 * walks every cell, test_community_may the consent half.
 *
 * The answer rule, and why:
 *   no user                          → WW_EAUTH (401)
 *   object not in the caller's scope → WW_ENOTFOUND (404): an officer of
 *                                      ward A must not learn that camera
 *                                      17 exists in ward B
 *   in scope, action not allowed     → WW_EPERM (403): a viewer knows the
 *                                      camera (it sees it) and learns only
 *                                      that export is not for its role
 * A camera with no ward is in scope for admin and province only.
 */
#include "http/internal.h"

#include <assert.h>
#include <stdlib.h>

#include "catalog/cat_users.h"
#include "community/community.h"

/* The camera bits of http.h are community's rights (one matrix, in
 * community/access.c); only the ward matrix lives here. */
#define SAME_BIT(a, b) ((int)(a) == (int)(b))
_Static_assert(SAME_BIT(AUTHZ_VIEW, COMMUNITY_RIGHT_VIEW) && SAME_BIT(AUTHZ_LIVE, COMMUNITY_RIGHT_LIVE) &&
                   SAME_BIT(AUTHZ_PLAYBACK, COMMUNITY_RIGHT_PLAYBACK) &&
                   SAME_BIT(AUTHZ_EXPORT, COMMUNITY_RIGHT_EXPORT) && SAME_BIT(AUTHZ_MANAGE, COMMUNITY_RIGHT_MANAGE) &&
                   SAME_BIT(AUTHZ_AUDIT, COMMUNITY_RIGHT_AUDIT) &&
                   SAME_BIT(AUTHZ_CREDENTIALS, COMMUNITY_RIGHT_CREDENTIALS),
               "http.h's AUTHZ_* camera bits must be community.h's COMMUNITY_RIGHT_*");

#define WARD_ALL (AUTHZ_WARD_READ | AUTHZ_WARD_WRITE | AUTHZ_WARD_REVIEW | AUTHZ_WARD_ADMIN)

static unsigned ward_rights(enum catalog_role r)
{
    switch (r) {
    case CATALOG_ROLE_ADMIN: return WARD_ALL;
    case CATALOG_ROLE_PROVINCE: return AUTHZ_WARD_READ | AUTHZ_WARD_REVIEW;
    case CATALOG_ROLE_OFFICER: return AUTHZ_WARD_READ | AUTHZ_WARD_WRITE;
    default: return 0;
    }
}

static bool sees_everything(enum catalog_role r) { return r == CATALOG_ROLE_ADMIN || r == CATALOG_ROLE_PROVINCE; }

/* The signed-in user as community's rules take it (plain data). */
static struct community_user as_community(const struct http_user *u)
{
    return (struct community_user){.id = u->id, .role = u->role, .ward_id = u->ward_id, .owner_id = u->owner_id};
}

int http_req_community_user(struct http_req *req, struct community_user *out)
{
    const struct http_user *u = http_req_user(req);
    if (!u) return http_fail(req, WW_EAUTH, "sign in first");
    *out = as_community(u);
    return 0;
}

int http_authz_decide_camera(const struct http_user *u, const struct authz_camera_facts *cam,
                             unsigned actions)
{
    if (!u) return WW_EAUTH;
    struct community_user cu = as_community(u);
    struct community_camera_facts f = {0};
    if (cam) f = (struct community_camera_facts){cam->exists, cam->ward_id, cam->owner_id};
    return community_decide_camera(&cu, cam ? &f : NULL, actions);
}

int http_authz_decide_ward(const struct http_user *u, int64_t ward_id, bool ward_exists,
                           unsigned actions)
{
    if (!u) return WW_EAUTH;
    if (!ward_exists || ward_id <= 0) return WW_ENOTFOUND;
    bool in_scope = sees_everything(u->role) ||
                    ((u->role == CATALOG_ROLE_OFFICER || u->role == CATALOG_ROLE_VIEWER) &&
                     u->ward_id == ward_id);
    if (!in_scope) return WW_ENOTFOUND;
    if (!actions || (actions & ~WARD_ALL)) return WW_EPERM;
    return (ward_rights(u->role) & actions) == actions ? 0 : WW_EPERM;
}

static const char *action_words(unsigned a)
{
    if (a & AUTHZ_CREDENTIALS) return "move the stored credentials of";
    if (a & AUTHZ_EXPORT) return "export footage of";
    if (a & AUTHZ_MANAGE) return "change";
    if (a & AUTHZ_LIVE) return "watch";
    if (a & AUTHZ_PLAYBACK) return "play back";
    if (a & AUTHZ_AUDIT) return "read the audit of";
    if (a & AUTHZ_WARD_WRITE) return "change the records of";
    if (a & AUTHZ_WARD_REVIEW) return "review";
    if (a & AUTHZ_WARD_ADMIN) return "administer";
    return "see";
}

int http_authz_camera(struct http_req *req, int64_t camera_id, unsigned actions)
{
    const struct http_user *u = http_req_user(req);
    if (!u) return http_fail(req, WW_EAUTH, "sign in first");
    catalog_t *cat = http_req_catalog(req);
    if (!cat) return WW_EDB;
    struct authz_camera_facts f = {0};
    int rc = camera_id > 0 ? catalog_camera_scope(cat, camera_id, &f.ward_id, &f.owner_id)
                           : WW_ENOTFOUND;
    if (rc && rc != WW_ENOTFOUND) return rc;
    f.exists = rc == 0;
    rc = http_authz_decide_camera(u, &f, actions);
    if (rc == WW_ENOTFOUND) return http_fail(req, rc, "no such camera %lld", (long long)camera_id);
    if (rc == WW_EPERM)
        return http_fail(req, rc, "your role (%s) may not %s this camera", catalog_role_name(u->role),
                         action_words(actions));
    return rc;
}

/* ---- using pictures: community_may -------------------------------------------
 * The rule is community_may (community/access.c); these map a request and
 * its AUTHZ_* action onto it and its answer onto HTTP. */
static enum community_use use_of(unsigned action)
{
    switch (action) {
    case AUTHZ_LIVE: return COMMUNITY_USE_LIVE;
    case AUTHZ_PLAYBACK: return COMMUNITY_USE_PLAYBACK;
    case AUTHZ_EXPORT: return COMMUNITY_USE_EXPORT;
    default: assert(!"not a use of pictures"); return COMMUNITY_USE_LIVE;
    }
}

const char *http_consent_reason(unsigned action)
{
    return community_why_text(COMMUNITY_NO_CONSENT, use_of(action));
}

const char *http_consent_reason_code(int why)
{
    return why == COMMUNITY_CONSENT_ENDED ? "consent_ended" : why == COMMUNITY_CONSENT_NOT_YET ? "consent_not_yet"
                                                                                            : "consent_missing";
}

const char *http_consent_field(unsigned action)
{
    return action == AUTHZ_LIVE ? "live" : action == AUTHZ_PLAYBACK ? "playback" : "export";
}

int http_authz_may(struct http_req *req, int64_t camera_id, unsigned action, struct community_answer *ans)
{
    const struct http_user *u = http_req_user(req);
    struct community_user cu;
    if (u) cu = as_community(u);
    return community_may(http_req_catalog(req), u ? &cu : NULL, camera_id, use_of(action), ww_wall_us(), ans);
}

/* The station's question (consent only) on a given catalog connection. */
static int consent_decide(catalog_t *cat, int64_t camera_id, unsigned action, int64_t *until_us)
{
    struct community_answer ans;
    if (until_us) *until_us = 0;
    int rc = community_may(cat, &community_station, camera_id, use_of(action), ww_wall_us(), &ans);
    if (rc) return rc;
    if (ans.why != COMMUNITY_OK) return WW_EPERM; /* no consent, or the camera is gone */
    if (until_us) *until_us = ans.until_us;
    return 0;
}

int http_consent_now(struct http_req *req, int64_t camera_id, unsigned action, int64_t *until_us)
{
    assert(action == AUTHZ_LIVE || action == AUTHZ_PLAYBACK || action == AUTHZ_EXPORT);
    return consent_decide(http_req_catalog(req), camera_id, action, until_us);
}

int http_authz_use(struct http_req *req, int64_t camera_id, unsigned action, int64_t *until_us)
{
    struct community_answer ans;
    if (until_us) *until_us = 0;
    int rc = http_authz_may(req, camera_id, action, &ans);
    if (rc) return rc;
    const struct http_user *u = http_req_user(req);
    switch (ans.why) {
    case COMMUNITY_OK:
        if (until_us) *until_us = ans.until_us;
        return 0;
    case COMMUNITY_NO_USER: return http_fail(req, WW_EAUTH, "sign in first");
    case COMMUNITY_NOT_IN_SCOPE:
        return http_fail_field(req, WW_ENOTFOUND, "no_camera", NULL, "no such camera %lld", (long long)camera_id);
    case COMMUNITY_NOT_ROLE:
        http_req_set_reason(req, "role", NULL);
        return http_fail(req, WW_EPERM, "your role (%s) may not %s this camera", catalog_role_name(u->role),
                         action_words(action));
    default:
        /* the console words it from these codes (issue 17 item 6) */
        http_req_set_reason(req, http_consent_reason_code(ans.why), http_consent_field(action));
        http_error(req, 403, "no_consent", "%s", ans.reason);
        return WW_EPERM; /* answered; non-zero so the caller stops */
    }
}

static int holds_until(struct http_server *srv, int64_t camera_id, unsigned action, int64_t *until)
{
    catalog_t *cat = http_pool_get(&srv->pool);
    if (!cat) return WW_EDB;
    int rc = consent_decide(cat, camera_id, action, until);
    http_pool_put(&srv->pool, cat);
    return rc;
}

int http_consent_holds(struct http_server *srv, int64_t camera_id, unsigned action)
{
    return holds_until(srv, camera_id, action, NULL);
}

void http_consent_watch_init(struct http_consent_watch *w, struct http_req *req, int64_t camera_id,
                             unsigned action, int64_t until_us)
{
    *w = (struct http_consent_watch){.srv = http_req_server(req), .camera_id = camera_id,
                                     .until_us = until_us, .action = action,
                                     .next_mono_us = ww_mono_us() + 1000000};
}

bool http_consent_watch_holds(struct http_consent_watch *w)
{
    if (w->ended) return false;
    int64_t now = ww_mono_us();
    bool window_over = w->until_us && ww_wall_us() >= w->until_us;
    if (!window_over && now < w->next_mono_us) return true;
    /* Asked again at the window's end too: a renewal that starts there
     * carries the stream on. */
    w->next_mono_us = now + 1000000;
    if (holds_until(w->srv, w->camera_id, w->action, &w->until_us)) w->ended = true;
    if (w->ended)
        ww_info("http", "camera %lld: the owner's consent no longer allows this stream; ending it",
                (long long)w->camera_id);
    return !w->ended;
}

int http_ward_exists(catalog_t *cat, int64_t ward_id, bool *exists)
{
    struct catalog_ward *v;
    size_t n;
    *exists = false;
    if (ward_id <= 0) return 0;
    int rc = catalog_ward_list(cat, &v, &n);
    if (rc) return rc;
    for (size_t i = 0; i < n; i++) *exists = *exists || v[i].id == ward_id;
    catalog_ward_list_free(v, n);
    return 0;
}

int http_authz_ward(struct http_req *req, int64_t ward_id, unsigned actions)
{
    const struct http_user *u = http_req_user(req);
    if (!u) return http_fail(req, WW_EAUTH, "sign in first");
    catalog_t *cat = http_req_catalog(req);
    if (!cat) return WW_EDB;
    bool exists;
    int rc = http_ward_exists(cat, ward_id, &exists);
    if (rc) return rc;
    rc = http_authz_decide_ward(u, ward_id, exists, actions);
    if (rc == WW_ENOTFOUND) return http_fail(req, rc, "no such ward %lld", (long long)ward_id);
    if (rc == WW_EPERM)
        return http_fail(req, rc, "your role (%s) may not %s this ward", catalog_role_name(u->role),
                         action_words(actions));
    return rc;
}

int http_authz_camera_scope(struct http_req *req, unsigned actions, struct http_scope *out)
{
    *out = (struct http_scope){0};
    const struct http_user *u = http_req_user(req);
    if (!u) return http_fail(req, WW_EAUTH, "sign in first");
    catalog_t *cat = http_req_catalog(req);
    if (!cat) return WW_EDB;
    struct community_user cu = as_community(u);
    int64_t *v;
    size_t k;
    int rc = community_camera_ids(cat, &cu, actions, &out->all, &v, &k);
    if (rc || out->all) return rc;
    int64_t *copy = http_req_alloc(req, (k ? k : 1) * sizeof *copy);
    for (size_t i = 0; i < k; i++) copy[i] = v[i];
    free(v);
    out->ids = copy;
    out->n = k;
    return 0;
}

int http_authz_ward_scope(struct http_req *req, unsigned actions, struct http_scope *out)
{
    *out = (struct http_scope){0};
    const struct http_user *u = http_req_user(req);
    if (!u) return http_fail(req, WW_EAUTH, "sign in first");
    if (!actions || (ward_rights(u->role) & actions) != actions) return 0;
    if (sees_everything(u->role)) { out->all = true; return 0; }
    if (u->ward_id > 0) {
        int64_t *one = http_req_alloc(req, sizeof *one);
        *one = u->ward_id;
        out->ids = one;
        out->n = 1;
    }
    return 0;
}

bool http_scope_has(const struct http_scope *s, int64_t id)
{
    for (size_t i = 0; i < s->n && !s->all; i++)
        if (s->ids[i] == id) return true;
    return s->all;
}
