/*
 * test_community_may.c — community_may, the one answer to "may this user
 * do WHAT on this camera WHEN", against a real catalog in a temp dir: every
 * role × camera (own ward with a live+playback agreement, the station's
 * own, another ward with an export-only agreement, an owned camera with no
 * agreement, a missing one) × use, written out by hand below; then the
 * answers over time (before, inside and after an agreement, a withdrawal,
 * a later agreement) with the time each answer holds until, the texts, and
 * who may see an owner's contact; the place search (scope, radius, order)
 * and a bundle's all-or-nothing (refused: nothing written or audited; its
 * export failing: the folder removed, no bundle row).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog/cat_community.h"
#include "catalog/cat_users.h"
#include "community/community.h"

#define S 1000000LL
#define H (3600 * S)
static const int64_t T0 = 1790000000LL * S;

struct fx {
    char dir[64];
    char *path;
    catalog_t *cat;
    int64_t cam[4];   /* A, B, C, D */
    int64_t owner1;
    int64_t ward1, ward2;
};

static int64_t add_camera(struct fx *f, const char *name, int64_t ward, int64_t owner)
{
    char url[48];
    snprintf(url, sizeof url, "rtsp://127.0.0.1/%s", name);
    struct catalog_camera c = {.name = (char *)name, .main_url = url, .transport = "tcp", .enabled = true,
                           .retention_days = 30, .direction_deg = -1, .ward_id = ward};
    assert_int_equal(catalog_camera_add(f->cat, &c), 0);
    if (owner) assert_int_equal(catalog_camera_owner_set(f->cat, c.id, owner), 0);
    return c.id;
}

static int64_t add_owner(struct fx *f, const char *name, const char *phone, int64_t ward)
{
    struct catalog_owner o = {.kind = "household", .name = (char *)name, .phone = (char *)phone, .ward_id = ward};
    assert_int_equal(catalog_owner_add(f->cat, &o), 0);
    return o.id;
}

static int64_t agree(struct fx *f, int64_t cam, bool live, bool playback, bool record, bool export_,
                     int64_t from, int64_t until)
{
    struct catalog_consent c = {.camera_id = cam, .live = live, .playback = playback, .record = record,
                            .export_ = export_, .from_us = from, .until_us = until, .recorded_by = "test"};
    int64_t ended, conflict;
    assert_int_equal(catalog_consent_record(f->cat, &c, &ended, &conflict), 0);
    return c.id;
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/ww-community-may-XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    f->path = ww_asprintf("%s/wardwatch.db", f->dir);
    if (catalog_open(f->path, CATALOG_CREATE, &f->cat)) return -1;
    struct catalog_ward w1 = {.name = "Phường 1"}, w2 = {.name = "Phường 2"};
    assert_int_equal(catalog_ward_add(f->cat, &w1), 0);
    assert_int_equal(catalog_ward_add(f->cat, &w2), 0);
    f->ward1 = w1.id;
    f->ward2 = w2.id;
    f->owner1 = add_owner(f, "Nguyễn Văn A", "0901000001", f->ward1);
    int64_t owner2 = add_owner(f, "Trần Thị B", "0901000002", f->ward2);
    f->cam[0] = add_camera(f, "A", f->ward1, f->owner1);
    f->cam[1] = add_camera(f, "B", f->ward1, 0);
    f->cam[2] = add_camera(f, "C", f->ward2, owner2);
    f->cam[3] = add_camera(f, "D", f->ward1, f->owner1);
    agree(f, f->cam[0], true, true, false, false, T0 - H, T0 + H);   /* A: live + playback, one hour either side */
    agree(f, f->cam[2], false, false, false, true, T0 - 24 * H, 0);  /* C: export only, open-ended */
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    catalog_close(f->cat);
    char *wal = ww_asprintf("%s-wal", f->path), *shm = ww_asprintf("%s-shm", f->path);
    unlink(f->path);
    unlink(wal);
    unlink(shm);
    rmdir(f->dir);
    free(wal);
    free(shm);
    free(f->path);
    free(f);
    return 0;
}

enum { OK = COMMUNITY_OK, SCOPE = COMMUNITY_NOT_IN_SCOPE, ROLE = COMMUNITY_NOT_ROLE,
       NONE = COMMUNITY_NO_CONSENT, EXCL = COMMUNITY_CONSENT_EXCLUDES };

static const char *const why_names[] = {"OK", "NO_USER", "NOT_IN_SCOPE", "NOT_ROLE", "NO_CONSENT",
                                        "CONSENT_ENDED", "CONSENT_NOT_YET", "CONSENT_EXCLUDES"};
static const enum community_use uses[] = {COMMUNITY_USE_LIVE, COMMUNITY_USE_PLAYBACK, COMMUNITY_USE_EXPORT,
                                          COMMUNITY_USE_BUNDLE, COMMUNITY_USE_RECORD, COMMUNITY_USE_ANALYSIS};
static const char *const user_names[] = {"admin", "province", "officer(ward1)", "viewer(ward1)", "owner(1)",
                                         "station"};
static const char *const cam_names[] = {"A(ward1,owner1,live+playback)", "B(ward1,station's own)",
                                        "C(ward2,owner2,export only)", "D(ward1,owner1,no agreement)",
                                        "missing"};

/* expected[user][camera][use] at T0; uses in the order of uses[] */
static const int expected[6][5][6] = {
    /*              LIVE  PLAYB EXPORT BUNDLE RECORD ANALYSIS */
    /* admin */    {{OK, OK, EXCL, EXCL, EXCL, EXCL}, {OK, OK, OK, OK, OK, OK},
                    {EXCL, EXCL, OK, OK, EXCL, EXCL}, {NONE, NONE, NONE, NONE, NONE, NONE},
                    {SCOPE, SCOPE, SCOPE, SCOPE, SCOPE, SCOPE}},
    /* province */ {{OK, OK, EXCL, EXCL, ROLE, ROLE}, {OK, OK, OK, OK, ROLE, ROLE},
                    {EXCL, EXCL, OK, OK, ROLE, ROLE}, {NONE, NONE, NONE, NONE, ROLE, ROLE},
                    {SCOPE, SCOPE, SCOPE, SCOPE, SCOPE, SCOPE}},
    /* officer */  {{OK, OK, EXCL, EXCL, EXCL, EXCL}, {OK, OK, OK, OK, OK, OK},
                    {SCOPE, SCOPE, SCOPE, SCOPE, SCOPE, SCOPE}, {NONE, NONE, NONE, NONE, NONE, NONE},
                    {SCOPE, SCOPE, SCOPE, SCOPE, SCOPE, SCOPE}},
    /* viewer */   {{OK, OK, ROLE, ROLE, ROLE, ROLE}, {OK, OK, ROLE, ROLE, ROLE, ROLE},
                    {SCOPE, SCOPE, SCOPE, SCOPE, SCOPE, SCOPE}, {NONE, NONE, ROLE, ROLE, ROLE, ROLE},
                    {SCOPE, SCOPE, SCOPE, SCOPE, SCOPE, SCOPE}},
    /* owner */    {{ROLE, ROLE, ROLE, ROLE, ROLE, ROLE}, {SCOPE, SCOPE, SCOPE, SCOPE, SCOPE, SCOPE},
                    {SCOPE, SCOPE, SCOPE, SCOPE, SCOPE, SCOPE}, {ROLE, ROLE, ROLE, ROLE, ROLE, ROLE},
                    {SCOPE, SCOPE, SCOPE, SCOPE, SCOPE, SCOPE}},
    /* station */  {{OK, OK, EXCL, EXCL, EXCL, EXCL}, {OK, OK, OK, OK, OK, OK},
                    {EXCL, EXCL, OK, OK, EXCL, EXCL}, {NONE, NONE, NONE, NONE, NONE, NONE},
                    {SCOPE, SCOPE, SCOPE, SCOPE, SCOPE, SCOPE}},
};

static void test_rule_table(void **state)
{
    struct fx *f = *state;
    const struct community_user users[] = {
        {1, CATALOG_ROLE_ADMIN, 0, 0, false},          {2, CATALOG_ROLE_PROVINCE, 0, 0, false},
        {3, CATALOG_ROLE_OFFICER, f->ward1, 0, false}, {4, CATALOG_ROLE_VIEWER, f->ward1, 0, false},
        {5, CATALOG_ROLE_OWNER, 0, f->owner1, false},  community_station,
    };
    const int64_t cams[] = {f->cam[0], f->cam[1], f->cam[2], f->cam[3], 999999};
    int bad = 0;
    for (int u = 0; u < 6; u++)
        for (int c = 0; c < 5; c++)
            for (int k = 0; k < 6; k++) {
                struct community_answer a;
                int rc = community_may(f->cat, &users[u], cams[c], uses[k], T0, &a);
                if (rc || (int)a.why != expected[u][c][k] || !a.reason) {
                    fprintf(stderr, "%s on %s, use %s: expected %s, got rc=%d %s\n", user_names[u],
                            cam_names[c], community_use_name(uses[k]), why_names[expected[u][c][k]], rc,
                            rc ? "-" : why_names[a.why]);
                    bad++;
                    continue;
                }
                /* the time the answer holds until: A's window end, open for B and C */
                int64_t want_until = (int)a.why == OK && c == 0 ? T0 + H : 0;
                if (a.until_us != want_until) {
                    fprintf(stderr, "%s on %s, use %s: expected until %lld, got %lld\n", user_names[u],
                            cam_names[c], community_use_name(uses[k]), (long long)want_until,
                            (long long)a.until_us);
                    bad++;
                }
            }
    assert_int_equal(bad, 0);
}

static void test_no_user(void **state)
{
    struct fx *f = *state;
    struct community_answer a;
    assert_int_equal(community_may(f->cat, NULL, f->cam[1], COMMUNITY_USE_LIVE, T0, &a), 0);
    assert_int_equal(a.why, COMMUNITY_NO_USER);
    /* a user with no ward sees no ward camera (an officer not yet placed) */
    const struct community_user lost = {7, CATALOG_ROLE_OFFICER, 0, 0, false};
    assert_int_equal(community_may(f->cat, &lost, f->cam[1], COMMUNITY_USE_LIVE, T0, &a), 0);
    assert_int_equal(a.why, COMMUNITY_NOT_IN_SCOPE);
}

static void expect(catalog_t *cat, int64_t cam, enum community_use use, int64_t t, int why, int64_t until)
{
    struct community_answer a;
    assert_int_equal(community_may(cat, &community_station, cam, use, t, &a), 0);
    if ((int)a.why != why || a.until_us != until)
        fail_msg("camera %lld, use %s at T0%+llds: expected %s until %lld, got %s until %lld", (long long)cam,
                 community_use_name(use), (long long)((t - T0) / S), why_names[why], (long long)until,
                 why_names[a.why], (long long)a.until_us);
}

static void test_over_time(void **state)
{
    struct fx *f = *state;
    int64_t a = f->cam[0];
    expect(f->cat, a, COMMUNITY_USE_LIVE, T0 - 2 * H, COMMUNITY_CONSENT_NOT_YET, T0 - H);
    expect(f->cat, a, COMMUNITY_USE_LIVE, T0 - H, COMMUNITY_OK, T0 + H);          /* the start is inside */
    expect(f->cat, a, COMMUNITY_USE_LIVE, T0 + H - 1, COMMUNITY_OK, T0 + H);
    expect(f->cat, a, COMMUNITY_USE_LIVE, T0 + H, COMMUNITY_CONSENT_ENDED, 0);    /* the end is not */
    /* a later agreement: the refusal in between says when it may change */
    agree(f, a, true, false, true, true, T0 + 3 * H, 0);
    expect(f->cat, a, COMMUNITY_USE_LIVE, T0 + 2 * H, COMMUNITY_CONSENT_ENDED, T0 + 3 * H);
    expect(f->cat, a, COMMUNITY_USE_EXPORT, T0, COMMUNITY_CONSENT_EXCLUDES, T0 + 3 * H);
    expect(f->cat, a, COMMUNITY_USE_EXPORT, T0 + 3 * H, COMMUNITY_OK, 0);
    expect(f->cat, a, COMMUNITY_USE_PLAYBACK, T0 + 4 * H, COMMUNITY_CONSENT_EXCLUDES, 0);
    expect(f->cat, a, COMMUNITY_USE_ANALYSIS, T0 + 4 * H, COMMUNITY_OK, 0);     /* analysis follows record */

    /* only a future agreement on file: not yet, until its start */
    int64_t d = f->cam[3];
    int64_t id = agree(f, d, true, true, true, true, T0 + 5 * H, T0 + 6 * H);
    expect(f->cat, d, COMMUNITY_USE_LIVE, T0, COMMUNITY_CONSENT_NOT_YET, T0 + 5 * H);
    /* withdrawn before it started: void, as if there had never been one */
    assert_int_equal(catalog_consent_withdraw(f->cat, id, T0, "test", "changed their mind"), 0);
    expect(f->cat, d, COMMUNITY_USE_LIVE, T0 + 5 * H + S, COMMUNITY_NO_CONSENT, 0);

    /* withdrawn while in force: ended from the withdrawal on */
    int64_t c = f->cam[2];
    struct catalog_consent *v;
    size_t n;
    assert_int_equal(catalog_consent_list(f->cat, c, &v, &n), 0);
    assert_int_equal(n, 1);
    int64_t cid = v[0].id;
    catalog_consent_list_free(v, n);
    assert_int_equal(catalog_consent_withdraw(f->cat, cid, T0, "test", NULL), 0);
    expect(f->cat, c, COMMUNITY_USE_EXPORT, T0 - H, COMMUNITY_OK, T0);
    expect(f->cat, c, COMMUNITY_USE_EXPORT, T0, COMMUNITY_CONSENT_ENDED, 0);
}

/* The texts the console and API users read: the use, in both languages. */
static void test_texts(void **state)
{
    (void)state;
    static const struct { enum community_why why; enum community_use use; const char *en, *vi; } want[] = {
        {COMMUNITY_NO_CONSENT, COMMUNITY_USE_LIVE, "has not agreed to live viewing", "chưa đồng ý cho xem trực tiếp"},
        {COMMUNITY_CONSENT_EXCLUDES, COMMUNITY_USE_PLAYBACK, "viewing recordings", "cho xem lại"},
        {COMMUNITY_CONSENT_ENDED, COMMUNITY_USE_EXPORT, "no longer agrees to exports", "đã bị rút lại"},
        {COMMUNITY_CONSENT_NOT_YET, COMMUNITY_USE_LIVE, "has not started", "chưa bắt đầu"},
        {COMMUNITY_CONSENT_ENDED, COMMUNITY_USE_ANALYSIS, "motion analysis", "phân tích chuyển động"},
        {COMMUNITY_NO_CONSENT, COMMUNITY_USE_BUNDLE, "exports", "trích xuất"},
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        const char *t = community_why_text(want[i].why, want[i].use);
        if (!strstr(t, want[i].en) || !strstr(t, want[i].vi) || !community_why_is_consent(want[i].why))
            fail_msg("text for %s/%s: expected '%s' and '%s', got '%s'", why_names[want[i].why],
                     community_use_name(want[i].use), want[i].en, want[i].vi, t);
    }
    assert_false(community_why_is_consent(COMMUNITY_NOT_ROLE));
    assert_false(community_why_is_consent(COMMUNITY_NOT_IN_SCOPE));
}

/* Who may see an owner's name and phone: not a viewer, not another ward. */
static void test_sees_owner(void **state)
{
    (void)state;
    const struct community_user admin = {1, CATALOG_ROLE_ADMIN, 0, 0, false}, prov = {2, CATALOG_ROLE_PROVINCE, 0, 0, false},
                                off = {3, CATALOG_ROLE_OFFICER, 1, 0, false}, view = {4, CATALOG_ROLE_VIEWER, 1, 0, false},
                                own = {5, CATALOG_ROLE_OWNER, 0, 10, false};
    assert_true(community_sees_owner(&admin, 2, 11));
    assert_true(community_sees_owner(&prov, 2, 11));
    assert_true(community_sees_owner(&off, 1, 10));
    assert_false(community_sees_owner(&off, 2, 11));
    assert_false(community_sees_owner(&view, 1, 10));
    assert_true(community_sees_owner(&own, 1, 10));
    assert_false(community_sees_owner(&own, 1, 11));
    assert_false(community_sees_owner(&community_station, 1, 10));
    assert_false(community_sees_owner(NULL, 1, 10));
}

/* ---- the place search and the bundle ---------------------------------------------- */

static int64_t add_placed(struct fx *f, const char *name, int64_t ward, int64_t owner, double lat, double lon,
                          int64_t seg_start)
{
    char url[48];
    snprintf(url, sizeof url, "rtsp://127.0.0.1/%s", name);
    struct catalog_camera c = {.name = (char *)name, .main_url = url, .transport = "tcp", .enabled = true,
                           .retention_days = 30, .direction_deg = -1, .ward_id = ward, .has_pos = true,
                           .latitude = lat, .longitude = lon};
    assert_int_equal(catalog_camera_add(f->cat, &c), 0);
    assert_int_equal(catalog_camera_owner_set(f->cat, c.id, owner), 0);
    int64_t sid;
    assert_int_equal(catalog_stream_ensure(f->cat, c.id, "main", &sid), 0);
    /* a row whose file is not there: found by the search, fails to export */
    char path[64];
    snprintf(path, sizeof path, "rec/%lld/main/missing.mp4", (long long)c.id);
    struct catalog_segment sg = {.stream_id = sid, .camera_id = c.id, .start_us = seg_start,
                             .end_us = seg_start + 60 * S, .path = path, .bytes = 1000, .frames = 25,
                             .codec = "h264", .state = CATALOG_SEG_CLOSED};
    assert_int_equal(catalog_segment_upsert(f->cat, &sg), 0);
    return c.id;
}

struct audit_log { int64_t cams[8]; int n; char folder[64]; pthread_t thread; };

static int note_export(void *ud, int64_t camera_id, const char *folder)
{
    struct audit_log *a = ud;
    a->cams[a->n++] = camera_id;
    snprintf(a->folder, sizeof a->folder, "%s", folder);
    a->thread = pthread_self();
    return 0;
}

static void test_bundle_all_or_nothing(void **state)
{
    struct fx *f = *state;
    int64_t now = ww_wall_us(), t = now - 30 * 60 * S;
    int64_t owner2 = add_owner(f, "Lê Văn C", "0901000003", f->ward2);
    int64_t p = add_placed(f, "P", f->ward1, f->owner1, 18.6700, 105.6800, t);      /* at the centre */
    int64_t q = add_placed(f, "Q", f->ward1, f->owner1, 18.6705, 105.6800, t);      /* ~56 m north */
    int64_t r = add_placed(f, "R", f->ward2, owner2, 18.6701, 105.6800, t);         /* another ward */
    add_placed(f, "far", f->ward1, f->owner1, 18.7000, 105.6800, t);                /* ~3.3 km */
    agree(f, p, false, false, false, true, now - H, 0);
    agree(f, r, false, false, false, true, now - H, 0);
    const struct community_user officer = {3, CATALOG_ROLE_OFFICER, f->ward1, 0, false};
    struct community_place place = {18.6700, 105.6800, 200, t - 60 * S, t + 120 * S};

    /* the search: in scope only, within the radius, nearest first */
    struct community_found fd;
    assert_int_equal(community_place_find(f->cat, &officer, &place, &fd), 0);
    if (fd.n != 2 || fd.hits[0].c->id != p || fd.hits[1].c->id != q)
        fail_msg("search: expected cameras %lld, %lld (not %lld of ward 2, not the far one), got %zu hits",
                 (long long)p, (long long)q, (long long)r, fd.n);
    community_found_free(&fd);

    char *bundles = ww_asprintf("%s/bundles", f->dir);
    struct community_bundle_req req = {.cat = f->cat, .data_dir = f->dir, .user = &officer, .username = "officer",
                                       .client_addr = "127.0.0.1", .place = place, .before_export = note_export};
    /* only Q asked for, and its owner never agreed: 403, nothing written, nothing audited */
    struct audit_log log1 = {0};
    req.ud = &log1;
    req.camera_ids = &q;
    req.n_camera_ids = 1;
    struct community_bundle b;
    assert_int_equal(community_bundle_create(&req, &b), WW_EPERM);
    const char *reason = json_string_value(json_object_get(json_array_get(b.skipped, 0), "reason"));
    if (json_array_size(b.skipped) != 1 || !reason || strcmp(reason, "no_consent") || log1.n)
        fail_msg("Q alone: expected one skip 'no_consent' and no audit call, got %zu skips (%s), %d calls",
                 json_array_size(b.skipped), reason ? reason : "-", log1.n);
    community_bundle_clear(&b);
    assert_int_equal(access(bundles, F_OK), -1);

    /* all of them: P is taken (audited first, on this thread), its export
     * fails (no file): 404, and the folder is gone again — no bundle row */
    struct audit_log log2 = {0};
    req.ud = &log2;
    req.camera_ids = NULL;
    req.n_camera_ids = 0;
    int rc = community_bundle_create(&req, &b);
    if (rc != WW_ENOTFOUND || log2.n != 1 || log2.cams[0] != p || strncmp(log2.folder, "bundles/", 8) ||
        !pthread_equal(log2.thread, pthread_self()) || json_array_size(b.files) != 0 ||
        json_array_size(b.skipped) != 2)
        fail_msg("all: expected 404, one audit call for %lld in bundles/…, 2 skipped; got rc=%d, %d calls "
                 "(first %lld, folder '%s'), %zu files, %zu skipped (%s)",
                 (long long)p, rc, log2.n, (long long)log2.cams[0], log2.folder, json_array_size(b.files),
                 json_array_size(b.skipped), b.why);
    community_bundle_clear(&b);
    char *folder = ww_asprintf("%s/%s", f->dir, log2.folder);
    assert_int_equal(access(folder, F_OK), -1);
    struct catalog_bundle *v;
    size_t n;
    assert_int_equal(catalog_bundle_list(f->cat, 10, &v, &n), 0);
    assert_int_equal(n, 0);
    catalog_bundle_list_free(v, n);
    rmdir(bundles);
    free(folder);
    free(bundles);
}

int main(void)
{
    ww_log_set_level(WW_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rule_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_user, setup, teardown),
        cmocka_unit_test_setup_teardown(test_over_time, setup, teardown),
        cmocka_unit_test(test_texts),
        cmocka_unit_test(test_sees_owner),
        cmocka_unit_test_setup_teardown(test_bundle_all_or_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
