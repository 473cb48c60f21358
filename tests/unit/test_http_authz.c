/*
 * test_http_authz.c — every cell of the permission matrix (http.h,
 * docs/api.md): for each role × camera relation (own ward, other ward, no
 * ward, own owner, other owner, missing) × action, the answer is 0, 403
 * (WW_EPERM), 404 (WW_ENOTFOUND) or 401 (WW_EAUTH) exactly as written down.
 * Same for wards.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "http/http.h"

enum { OK = 0, E403 = WW_EPERM, E404 = WW_ENOTFOUND };

static const unsigned actions[] = {AUTHZ_VIEW, AUTHZ_LIVE, AUTHZ_PLAYBACK, AUTHZ_EXPORT,
                                   AUTHZ_MANAGE, AUTHZ_AUDIT, AUTHZ_CREDENTIALS};
static const char *const action_names[] = {"VIEW", "LIVE", "PLAYBACK", "EXPORT", "MANAGE", "AUDIT",
                                           "CREDENTIALS"};

/* Users: ward 1, owner 10. */
static const struct http_user users[] = {
    {1, "admin", NULL, CATALOG_ROLE_ADMIN, 0, 0},
    {2, "prov", NULL, CATALOG_ROLE_PROVINCE, 0, 0},
    {3, "officer", NULL, CATALOG_ROLE_OFFICER, 1, 0},
    {4, "viewer", NULL, CATALOG_ROLE_VIEWER, 1, 0},
    {5, "owner", NULL, CATALOG_ROLE_OWNER, 0, 10},
};

/* Cameras: relation to those users. */
static const struct authz_camera_facts cams[] = {
    {true, 1, 10},   /* A: ward 1, owned by owner 10 */
    {true, 1, 0},    /* B: ward 1, no owner */
    {true, 2, 11},   /* C: ward 2, another owner */
    {true, 0, 0},    /* D: no ward */
    {false, 1, 10},  /* E: does not exist */
};
static const char *const cam_names[] = {"A(ward1,own10)", "B(ward1)", "C(ward2,own11)", "D(noward)",
                                        "E(missing)"};

/* expected[user][camera][action] */
#define N404 E404, E404, E404, E404, E404, E404, E404
static const int expected[5][5][7] = {
    /*            VIEW  LIVE  PLAY  EXPORT MANAGE AUDIT CREDENTIALS */
    /* admin */ {{OK, OK, OK, OK, OK, OK, OK}, {OK, OK, OK, OK, OK, OK, OK},
                 {OK, OK, OK, OK, OK, OK, OK}, {OK, OK, OK, OK, OK, OK, OK}, {N404}},
    /* province */ {{OK, OK, OK, OK, E403, E403, E403}, {OK, OK, OK, OK, E403, E403, E403},
                    {OK, OK, OK, OK, E403, E403, E403}, {OK, OK, OK, OK, E403, E403, E403},
                    {N404}},
    /* officer */ {{OK, OK, OK, OK, OK, E403, E403}, {OK, OK, OK, OK, OK, E403, E403},
                   {N404}, {N404}, {N404}},
    /* viewer */ {{OK, OK, OK, E403, E403, E403, E403}, {OK, OK, OK, E403, E403, E403, E403},
                  {N404}, {N404}, {N404}},
    /* owner */ {{OK, E403, E403, E403, E403, OK, E403}, {N404}, {N404}, {N404}, {N404}},
};

static void test_camera_matrix(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t u = 0; u < 5; u++)
        for (size_t c = 0; c < 5; c++)
            for (size_t a = 0; a < 7; a++) {
                int got = http_authz_decide_camera(&users[u], &cams[c], actions[a]);
                if (got != expected[u][c][a]) {
                    printf("%s on camera %s, %s: expected %s, got %s\n", users[u].username,
                           cam_names[c], action_names[a], ww_strerror(expected[u][c][a]),
                           ww_strerror(got));
                    bad++;
                }
            }
    assert_int_equal(bad, 0);
}

static void test_camera_edges(void **state)
{
    (void)state;
    /* no user: 401 whatever the camera */
    assert_int_equal(http_authz_decide_camera(NULL, &cams[0], AUTHZ_VIEW), WW_EAUTH);
    assert_int_equal(http_authz_decide_camera(NULL, &cams[4], AUTHZ_VIEW), WW_EAUTH);
    /* combined actions need every bit */
    assert_int_equal(http_authz_decide_camera(&users[3], &cams[0], AUTHZ_LIVE | AUTHZ_PLAYBACK), 0);
    assert_int_equal(http_authz_decide_camera(&users[3], &cams[0], AUTHZ_LIVE | AUTHZ_EXPORT), WW_EPERM);
    /* no action or a ward action on a camera is never allowed */
    assert_int_equal(http_authz_decide_camera(&users[0], &cams[0], 0), WW_EPERM);
    assert_int_equal(http_authz_decide_camera(&users[0], &cams[0], AUTHZ_WARD_READ), WW_EPERM);
    /* a scoped role without a ward/owner sees nothing */
    struct http_user lost = {9, "lost", NULL, CATALOG_ROLE_OFFICER, 0, 0};
    struct authz_camera_facts noward = {true, 0, 0};
    assert_int_equal(http_authz_decide_camera(&lost, &noward, AUTHZ_VIEW), WW_ENOTFOUND);
    struct http_user lost_owner = {9, "lo", NULL, CATALOG_ROLE_OWNER, 0, 0};
    assert_int_equal(http_authz_decide_camera(&lost_owner, &noward, AUTHZ_VIEW), WW_ENOTFOUND);
}

static void test_ward_matrix(void **state)
{
    (void)state;
    static const unsigned wa[] = {AUTHZ_WARD_READ, AUTHZ_WARD_WRITE, AUTHZ_WARD_REVIEW,
                                  AUTHZ_WARD_ADMIN};
    /* expected[user][own ward 1 / other ward 2 / missing 3][action] */
    static const int exp[5][3][4] = {
        {{OK, OK, OK, OK}, {OK, OK, OK, OK}, {E404, E404, E404, E404}},
        {{OK, E403, OK, E403}, {OK, E403, OK, E403}, {E404, E404, E404, E404}},
        {{OK, OK, E403, E403}, {E404, E404, E404, E404}, {E404, E404, E404, E404}},
        {{E403, E403, E403, E403}, {E404, E404, E404, E404}, {E404, E404, E404, E404}},
        {{E404, E404, E404, E404}, {E404, E404, E404, E404}, {E404, E404, E404, E404}},
    };
    int bad = 0;
    for (size_t u = 0; u < 5; u++)
        for (int w = 0; w < 3; w++)
            for (size_t a = 0; a < 4; a++) {
                int got = http_authz_decide_ward(&users[u], w + 1, w < 2, wa[a]);
                if (got != exp[u][w][a]) {
                    printf("%s on ward %d, action %u: expected %s, got %s\n", users[u].username,
                           w + 1, wa[a], ww_strerror(exp[u][w][a]), ww_strerror(got));
                    bad++;
                }
            }
    assert_int_equal(bad, 0);
    assert_int_equal(http_authz_decide_ward(NULL, 1, true, AUTHZ_WARD_READ), WW_EAUTH);
    assert_int_equal(http_authz_decide_ward(&users[0], 1, true, AUTHZ_VIEW), WW_EPERM);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_camera_matrix),
        cmocka_unit_test(test_camera_edges),
        cmocka_unit_test(test_ward_matrix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
