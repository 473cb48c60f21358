/*
 * access.c — who may use a camera's pictures, and when: community_may.
 *
 * Why here: the question "may this person watch / play back / export this
 * camera now" was answered in pieces — the role matrix in http/authz.c, the
 * owner's consent in catalog_consent_at, and a few handlers that combined
 * them their own way (one answered 500, another no_consent).  It is a rule
 * of the community-camera network, not of HTTP, so it lives in this module
 * and takes the user as plain data; http/authz.c and every API path that
 * reaches video call it, and so get the same answers.
 *
 * Invariants:
 *   - deny when unsure: a catalog error is WW_EDB, never "allowed";
 *   - scope before role before consent, so a caller outside the scope
 *     learns nothing (not even the consent state) of a camera;
 *   - the consent facts are read only through community_consent_state
 *     (catalog_consent_at, deny by default for owned cameras).
 */
#include "community/community.h"

#include <stdlib.h>

const struct community_user community_station = {.station = true};

unsigned community_role_rights(enum catalog_role r)
{
    switch (r) {
    case CATALOG_ROLE_ADMIN: return COMMUNITY_RIGHTS_ALL;
    case CATALOG_ROLE_PROVINCE:
        return COMMUNITY_RIGHT_VIEW | COMMUNITY_RIGHT_LIVE | COMMUNITY_RIGHT_PLAYBACK | COMMUNITY_RIGHT_EXPORT;
    case CATALOG_ROLE_OFFICER:
        return COMMUNITY_RIGHT_VIEW | COMMUNITY_RIGHT_LIVE | COMMUNITY_RIGHT_PLAYBACK | COMMUNITY_RIGHT_EXPORT |
               COMMUNITY_RIGHT_MANAGE;
    case CATALOG_ROLE_VIEWER: return COMMUNITY_RIGHT_VIEW | COMMUNITY_RIGHT_LIVE | COMMUNITY_RIGHT_PLAYBACK;
    case CATALOG_ROLE_OWNER: return COMMUNITY_RIGHT_VIEW | COMMUNITY_RIGHT_AUDIT;
    default: return 0;
    }
}

static bool in_scope(const struct community_user *u, const struct community_camera_facts *cam)
{
    switch (u->role) {
    case CATALOG_ROLE_ADMIN: case CATALOG_ROLE_PROVINCE: return true;
    case CATALOG_ROLE_OFFICER: case CATALOG_ROLE_VIEWER: return u->ward_id > 0 && cam->ward_id == u->ward_id;
    case CATALOG_ROLE_OWNER: return u->owner_id > 0 && cam->owner_id == u->owner_id;
    default: return false;
    }
}

int community_decide_camera(const struct community_user *u, const struct community_camera_facts *cam,
                            unsigned rights)
{
    if (!u) return WW_EAUTH;
    if (!cam || !cam->exists) return WW_ENOTFOUND;
    if (u->station) return 0;
    if (!in_scope(u, cam)) return WW_ENOTFOUND;
    if (!rights || (rights & ~(unsigned)COMMUNITY_RIGHTS_ALL)) return WW_EPERM; /* nothing, or not a camera right */
    return (community_role_rights(u->role) & rights) == rights ? 0 : WW_EPERM;
}

int community_camera_ids(catalog_t *cat, const struct community_user *u, unsigned rights, bool *all,
                         int64_t **ids, size_t *n)
{
    *all = false;
    *ids = NULL;
    *n = 0;
    if (!u) return WW_EAUTH;
    if (u->station) { *all = true; return 0; }
    if (!rights || (community_role_rights(u->role) & rights) != rights) return 0; /* none */
    if (u->role == CATALOG_ROLE_ADMIN || u->role == CATALOG_ROLE_PROVINCE) { *all = true; return 0; }
    int64_t ward = 0, owner = 0;
    if (u->role == CATALOG_ROLE_OWNER) owner = u->owner_id;
    else ward = u->ward_id;
    if (ward <= 0 && owner <= 0) return 0;
    return catalog_camera_ids_scoped(cat, ward, owner, ids, n);
}

int community_cameras(catalog_t *cat, const struct community_user *u, unsigned rights,
                      struct catalog_camera **v, size_t *n)
{
    *v = NULL;
    *n = 0;
    bool all;
    int64_t *ids;
    size_t nids;
    int rc = community_camera_ids(cat, u, rights, &all, &ids, &nids);
    if (rc || (!all && !nids)) return rc;
    if ((rc = catalog_camera_list(cat, v, n))) {
        free(ids);
        return rc;
    }
    size_t k = 0;
    for (size_t i = 0; i < *n; i++) {
        bool keep = all;
        for (size_t j = 0; j < nids && !keep; j++) keep = ids[j] == (*v)[i].id;
        if (keep) (*v)[k++] = (*v)[i];
        else catalog_camera_clear(&(*v)[i]);
    }
    *n = k;
    free(ids);
    return 0;
}

bool community_sees_owner(const struct community_user *u, int64_t ward_id, int64_t owner_id)
{
    if (!u || u->station) return false;
    switch (u->role) {
    case CATALOG_ROLE_ADMIN: case CATALOG_ROLE_PROVINCE: return true;
    case CATALOG_ROLE_OFFICER: return ward_id > 0 && ward_id == u->ward_id;
    case CATALOG_ROLE_OWNER: return owner_id > 0 && owner_id == u->owner_id;
    default: return false;
    }
}

/* ---- uses: the right each needs and the consent flag that covers it ---------- */

const char *community_use_name(enum community_use use)
{
    switch (use) {
    case COMMUNITY_USE_LIVE: return "live";
    case COMMUNITY_USE_RECORD: return "record";
    case COMMUNITY_USE_PLAYBACK: return "playback";
    case COMMUNITY_USE_EXPORT: return "export";
    case COMMUNITY_USE_BUNDLE: return "bundle";
    case COMMUNITY_USE_ANALYSIS: return "analysis";
    }
    return "?";
}

static unsigned right_of(enum community_use use)
{
    switch (use) {
    case COMMUNITY_USE_LIVE: return COMMUNITY_RIGHT_LIVE;
    case COMMUNITY_USE_PLAYBACK: return COMMUNITY_RIGHT_PLAYBACK;
    case COMMUNITY_USE_EXPORT: case COMMUNITY_USE_BUNDLE: return COMMUNITY_RIGHT_EXPORT;
    /* recording and analysis are the station's acts; a person may only
     * switch them on or off, which is managing the camera */
    case COMMUNITY_USE_RECORD: case COMMUNITY_USE_ANALYSIS: return COMMUNITY_RIGHT_MANAGE;
    }
    return 0;
}

static bool consent_covers(const struct catalog_consent_now *cn, enum community_use use)
{
    switch (use) {
    case COMMUNITY_USE_LIVE: return cn->live;
    case COMMUNITY_USE_PLAYBACK: return cn->playback;
    case COMMUNITY_USE_EXPORT: case COMMUNITY_USE_BUNDLE: return cn->export_;
    /* the detector analyses only what may be recorded (decision 006) */
    case COMMUNITY_USE_RECORD: case COMMUNITY_USE_ANALYSIS: return cn->record;
    }
    return false;
}

bool community_why_is_consent(enum community_why why)
{
    return why == COMMUNITY_NO_CONSENT || why == COMMUNITY_CONSENT_ENDED || why == COMMUNITY_CONSENT_NOT_YET ||
           why == COMMUNITY_CONSENT_EXCLUDES;
}

/* The texts, per use: English first, the Vietnamese in parentheses (the
 * console shows its own translation by code; these are for API users and
 * logs).  "has not agreed to X (… chưa đồng ý cho Y)" is the wording the
 * console and the tests have known since the consent register began. */
#define NOT_AGREED(en, vi) "the camera's owner has not agreed to " en " (chủ camera chưa đồng ý cho " vi ")"
#define ENDED(en, vi)                                                                                   \
    "the camera's owner no longer agrees to " en ": the agreement ended or was withdrawn (chủ camera " \
    "không còn đồng ý cho " vi ": thỏa thuận đã hết hạn hoặc đã bị rút lại)"
#define NOT_YET(en, vi)                                                                                  \
    "the camera's owner has not agreed to " en " yet: the agreement has not started (chủ camera chưa " \
    "đồng ý cho " vi ": thỏa thuận chưa bắt đầu)"
#define USE_TEXTS(M)                                                                                     \
    {M("live viewing", "xem trực tiếp"), M("recording", "ghi hình"), M("viewing recordings", "xem lại"), \
     M("exports", "trích xuất"), M("exports", "trích xuất"),                                             \
     M("motion analysis", "phân tích chuyển động")}

const char *community_why_text(enum community_why why, enum community_use use)
{
    static const char *const not_agreed[] = USE_TEXTS(NOT_AGREED);
    static const char *const ended[] = USE_TEXTS(ENDED);
    static const char *const not_yet[] = USE_TEXTS(NOT_YET);
    size_t u = (size_t)use < sizeof not_agreed / sizeof *not_agreed ? (size_t)use : 0;
    switch (why) {
    case COMMUNITY_OK: return "allowed";
    case COMMUNITY_NO_USER: return "sign in first (hãy đăng nhập)";
    case COMMUNITY_NOT_IN_SCOPE: return "no such camera (không có camera này)";
    case COMMUNITY_NOT_ROLE: return "your role may not do this with this camera (vai trò của bạn không được phép)";
    case COMMUNITY_NO_CONSENT: case COMMUNITY_CONSENT_EXCLUDES: return not_agreed[u];
    case COMMUNITY_CONSENT_ENDED: return ended[u];
    case COMMUNITY_CONSENT_NOT_YET: return not_yet[u];
    }
    return "not allowed";
}

int community_consent_state(catalog_t *cat, int64_t camera_id, int64_t t_us, struct catalog_consent_now *out)
{
    if (!cat) return WW_EDB;
    return catalog_consent_at(cat, camera_id, t_us, out) ? WW_EDB : 0;
}

/* A row voided by a withdrawal before it started granted nothing, ever. */
static bool voided(const struct catalog_consent *c)
{
    return c->withdrawn_us && c->until_us && c->until_us <= c->from_us + 1;
}

/* Why nothing is in force at t although agreements are on file: one began
 * by t (so it has ended or was withdrawn), or all lie ahead; *next = the
 * start of the first one after t (0 = none). */
static int why_none_in_force(catalog_t *cat, int64_t camera_id, int64_t t, enum community_why *why,
                             int64_t *next)
{
    struct catalog_consent *v;
    size_t n;
    *next = 0;
    if (catalog_consent_list(cat, camera_id, &v, &n)) return WW_EDB;
    bool began = false, ahead = false;
    for (size_t i = 0; i < n; i++) {
        if (voided(&v[i])) continue;
        if (v[i].from_us <= t) began = true;
        else {
            ahead = true;
            if (!*next || v[i].from_us < *next) *next = v[i].from_us;
        }
    }
    catalog_consent_list_free(v, n);
    *why = began ? COMMUNITY_CONSENT_ENDED : ahead ? COMMUNITY_CONSENT_NOT_YET : COMMUNITY_NO_CONSENT;
    return 0;
}

/* The first agreement starting after t (0 = none): when a refusal may end. */
static int next_start(catalog_t *cat, int64_t camera_id, int64_t t, int64_t *next)
{
    enum community_why ignored;
    return why_none_in_force(cat, camera_id, t, &ignored, next);
}

static int consent_answer(catalog_t *cat, int64_t camera_id, enum community_use use, int64_t t,
                          struct community_answer *ans)
{
    struct catalog_consent_now cn;
    if (community_consent_state(cat, camera_id, t, &cn)) return WW_EDB;
    if (consent_covers(&cn, use)) {
        ans->why = COMMUNITY_OK;
        ans->until_us = cn.until_us;
    } else if (!cn.has_rows) {
        ans->why = COMMUNITY_NO_CONSENT;
    } else if (!cn.in_force) {
        if (why_none_in_force(cat, camera_id, t, &ans->why, &ans->until_us)) return WW_EDB;
    } else {
        ans->why = COMMUNITY_CONSENT_EXCLUDES;
        if (next_start(cat, camera_id, t, &ans->until_us)) return WW_EDB;
    }
    return 0;
}

int community_may(catalog_t *cat, const struct community_user *u, int64_t camera_id,
                  enum community_use use, int64_t when_us, struct community_answer *ans)
{
    *ans = (struct community_answer){.why = COMMUNITY_NO_USER};
    int rc = 0;
    if (!u) goto done;
    if (!cat) return WW_EDB;
    struct community_camera_facts f = {0};
    rc = camera_id > 0 ? catalog_camera_scope(cat, camera_id, &f.ward_id, &f.owner_id) : WW_ENOTFOUND;
    if (rc && rc != WW_ENOTFOUND) return WW_EDB;
    f.exists = rc == 0;
    rc = community_decide_camera(u, &f, right_of(use));
    if (rc == WW_ENOTFOUND) ans->why = COMMUNITY_NOT_IN_SCOPE;
    else if (rc == WW_EPERM) ans->why = COMMUNITY_NOT_ROLE;
    else if ((rc = consent_answer(cat, camera_id, use, when_us, ans))) return rc;
done:
    ans->reason = community_why_text(ans->why, use);
    return 0;
}
