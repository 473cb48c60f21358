/* Unit tests for the hub's permission matrix (province/web.c
 * prov_web_decide): every role, with and without ?station=, the
 * ward-officer's own and another station, and the owners' contact rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/base.h"
#include "catalog/cat_users.h"
#include "province/province.h"

static void test_all_seeing(void **st)
{
    (void)st;
    struct prov_view v;
    for (int r = CATALOG_ROLE_ADMIN; r <= CATALOG_ROLE_PROVINCE; r++) {
        assert_int_equal(prov_web_decide(r, NULL, NULL, &v), 0);
        assert_null(v.station);  /* every station */
        assert_int_equal(prov_web_decide(r, NULL, "st-b", &v), 0);
        assert_string_equal(v.station, "st-b");
        /* a stray own station changes nothing for them */
        assert_int_equal(prov_web_decide(r, "st-a", "st-b", &v), 0);
        assert_string_equal(v.station, "st-b");
    }
    prov_web_decide(CATALOG_ROLE_ADMIN, NULL, NULL, &v);
    assert_true(v.contacts);
    prov_web_decide(CATALOG_ROLE_PROVINCE, NULL, NULL, &v);
    assert_false(v.contacts);
}

static void test_ward_officer(void **st)
{
    (void)st;
    struct prov_view v;
    assert_int_equal(prov_web_decide(CATALOG_ROLE_OFFICER, "st-a", NULL, &v), 0);
    assert_string_equal(v.station, "st-a");  /* never "every station" */
    assert_true(v.contacts);
    assert_int_equal(prov_web_decide(CATALOG_ROLE_OFFICER, "st-a", "st-a", &v), 0);
    assert_string_equal(v.station, "st-a");
    assert_int_equal(prov_web_decide(CATALOG_ROLE_OFFICER, "st-a", "st-b", &v), WW_ENOTFOUND);
    assert_null(v.station);
    assert_int_equal(prov_web_decide(CATALOG_ROLE_OFFICER, "st-a", "st-a2", &v), WW_ENOTFOUND);
    assert_int_equal(prov_web_decide(CATALOG_ROLE_OFFICER, "st-a", "", &v), WW_ENOTFOUND);
    /* an officer whose station cannot be read sees nothing */
    assert_int_equal(prov_web_decide(CATALOG_ROLE_OFFICER, NULL, NULL, &v), WW_EPERM);
    assert_int_equal(prov_web_decide(CATALOG_ROLE_OFFICER, "", NULL, &v), WW_EPERM);
}

static void test_others(void **st)
{
    (void)st;
    struct prov_view v;
    assert_int_equal(prov_web_decide(CATALOG_ROLE_NONE, NULL, NULL, &v), WW_EAUTH);
    assert_int_equal(prov_web_decide(CATALOG_ROLE_VIEWER, "st-a", NULL, &v), WW_EPERM);
    assert_int_equal(prov_web_decide(CATALOG_ROLE_OWNER, NULL, "st-a", &v), WW_EPERM);
    assert_int_equal(prov_web_decide(99, NULL, NULL, &v), WW_EPERM);
    assert_null(v.station);
    assert_false(v.contacts);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_seeing),
        cmocka_unit_test(test_ward_officer),
        cmocka_unit_test(test_others),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
