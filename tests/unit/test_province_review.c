/* Unit tests for the province's reviews written back to a ward: the hub
 * builds and signs (province/review.c), the station checks
 * (relay/review.c).  A good message passes; a changed body, another key,
 * another station, a missing signature and malformed bodies are refused
 * with the reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <unistd.h>

#include "base/base.h"
#include "province/province.h"
#include "relay/relay.h"

struct keys { char dir[64]; char pub[128]; };

/* A hub data folder with a fresh hub.key; pub = its base64 public key. */
static void make_hub(struct keys *k)
{
    snprintf(k->dir, sizeof k->dir, "/tmp/ww-review-XXXXXX");
    assert_non_null(mkdtemp(k->dir));
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_keypair(pk, sk);
    char path[128];
    snprintf(path, sizeof path, "%s/hub.key", k->dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, sk, sizeof sk), (ssize_t)sizeof sk);
    close(fd);
    sodium_bin2base64(k->pub, sizeof k->pub, pk, sizeof pk, sodium_base64_VARIANT_ORIGINAL);
}

static void drop_hub(struct keys *k)
{
    char path[128];
    snprintf(path, sizeof path, "%s/hub.key", k->dir);
    unlink(path);
    rmdir(k->dir);
}

static const struct prov_review RV = {.station = "st-3f2a9c1d", .ward_id = 4, .year = 2026, .criterion = 7,
                                      .result = "not_met", .notes = "Thiếu biên bản họp tổ dân phố",
                                      .reviewer = "Trần Thị Bình", .assessed_on = "2026-11-30"};

static int verify(const char *payload, const char *pub, const char *station, struct relay_review *out,
                  const char **why)
{
    char *body = NULL, *sig = NULL;
    int rc = relay_review_verify(payload, strlen(payload), pub, station, &body, &sig, out, why);
    free(body);
    free(sig);
    return rc;
}

static void test_round_trip(void **st)
{
    (void)st;
    struct keys k;
    make_hub(&k);
    char *p = NULL, id[33];
    assert_int_equal(prov_review_build(&RV, k.dir, &p, id), 0);
    assert_int_equal(strlen(id), 32);
    struct relay_review rv;
    const char *why = NULL;
    assert_int_equal(verify(p, k.pub, "st-3f2a9c1d", &rv, &why), 0);
    assert_string_equal(rv.review_id, id);
    assert_int_equal(rv.ward_id, 4);
    assert_int_equal(rv.year, 2026);
    assert_int_equal(rv.criterion, 7);
    assert_string_equal(rv.result, "not_met");
    assert_string_equal(rv.reviewer, "Trần Thị Bình");
    assert_string_equal(rv.assessed_on, "2026-11-30");
    assert_string_equal(rv.notes, "Thiếu biên bản họp tổ dân phố");
    relay_review_clear(&rv);
    /* two builds of the same review get different ids (each is one act) */
    char *p2 = NULL, id2[33];
    assert_int_equal(prov_review_build(&RV, k.dir, &p2, id2), 0);
    assert_string_not_equal(id, id2);
    free(p);
    free(p2);
    drop_hub(&k);
}

/* p with the first `from` in the body replaced by `to` (signature kept) */
static char *edit_body(const char *p, const char *from, const char *to)
{
    json_t *j = json_loads(p, 0, NULL);
    assert_non_null(j);
    const char *b = json_string_value(json_object_get(j, "body"));
    const char *at = strstr(b, from);
    assert_non_null(at);
    char *nb = ww_asprintf("%.*s%s%s", (int)(at - b), b, to, at + strlen(from));
    json_object_set_new(j, "body", json_string(nb));
    free(nb);
    char *out = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return out;
}

static void test_refused(void **st)
{
    (void)st;
    struct keys k, other;
    make_hub(&k);
    make_hub(&other);
    char *p = NULL, id[33];
    assert_int_equal(prov_review_build(&RV, k.dir, &p, id), 0);
    struct relay_review rv;
    const char *why = NULL;

    char *changed = edit_body(p, "not_met", "met");
    assert_int_equal(verify(changed, k.pub, "st-3f2a9c1d", &rv, &why), WW_EINVAL);
    assert_string_equal(why, "the signature is not the hub's");
    free(changed);

    assert_int_equal(verify(p, other.pub, "st-3f2a9c1d", &rv, &why), WW_EINVAL);
    assert_string_equal(why, "the signature is not the hub's");

    assert_int_equal(verify(p, k.pub, "st-00000000", &rv, &why), WW_EINVAL);
    assert_string_equal(why, "the review is for another station");

    assert_int_equal(verify(p, NULL, "st-3f2a9c1d", &rv, &why), WW_EINVAL);
    assert_non_null(strstr(why, "not joined"));

    json_t *j = json_loads(p, 0, NULL);
    json_object_del(j, "sig");
    char *unsigned_msg = json_dumps(j, JSON_COMPACT);
    assert_int_equal(verify(unsigned_msg, k.pub, "st-3f2a9c1d", &rv, &why), WW_EINVAL);
    assert_string_equal(why, "body or sig missing");
    free(unsigned_msg);
    json_object_set_new(j, "v", json_integer(2));
    char *v2 = json_dumps(j, JSON_COMPACT);
    assert_int_equal(verify(v2, k.pub, "st-3f2a9c1d", &rv, &why), WW_EINVAL);
    assert_string_equal(why, "not a v1 review");
    free(v2);
    json_decref(j);
    assert_int_equal(verify("{\"v\":1", k.pub, "st-3f2a9c1d", &rv, &why), WW_EINVAL);

    free(p);
    drop_hub(&k);
    drop_hub(&other);
}

static void test_body_fields(void **st)
{
    (void)st;
    struct relay_review rv;
    const char *why = NULL;
    static const struct { const char *body, *why; } bad[] = {
        {"[]", "the body is not a JSON object"},
        {"{\"review_id\":\"short\"}", "review_id is not 8..64 of [a-z0-9-]"},
        {"{\"review_id\":\"ABCDEFGHIJ\"}", "review_id is not 8..64 of [a-z0-9-]"},
        {"{\"review_id\":\"0123456789\",\"station\":\"st-1\",\"ward_id\":0}", "ward_id is not a positive integer"},
        {"{\"review_id\":\"0123456789\",\"station\":\"st-1\",\"ward_id\":1,\"year\":1999}", "year is not 2000..2100"},
        {"{\"review_id\":\"0123456789\",\"station\":\"st-1\",\"ward_id\":1,\"year\":2026,\"criterion\":0}",
         "criterion is not a criterion number"},
        {"{\"review_id\":\"0123456789\",\"station\":\"st-1\",\"ward_id\":1,\"year\":2026,\"criterion\":2,"
         "\"result\":\"ok\"}", "result is not met, not_met or in_progress"},
        {"{\"review_id\":\"0123456789\",\"station\":\"st-1\",\"ward_id\":1,\"year\":2026,\"criterion\":2,"
         "\"result\":\"met\",\"reviewer\":\"\"}", "reviewer is missing"},
        {"{\"review_id\":\"0123456789\",\"station\":\"st-1\",\"ward_id\":1,\"year\":2026,\"criterion\":2,"
         "\"result\":\"met\",\"reviewer\":\"A\",\"notes\":5}", "notes is not a text of at most 4000 bytes"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(relay_review_parse_body(bad[i].body, &rv, &why), WW_EINVAL);
        assert_string_equal(why, bad[i].why);
    }
    assert_int_equal(relay_review_parse_body("{\"review_id\":\"0123456789\",\"station\":\"st-1\",\"ward_id\":1,"
                                             "\"year\":2026,\"criterion\":2,\"result\":\"in_progress\","
                                             "\"reviewer\":\"A\",\"notes\":null}", &rv, &why), 0);
    assert_null(rv.notes);
    assert_string_equal(rv.assessed_on, "");
    relay_review_clear(&rv);
    /* the hub refuses to build what a station would refuse */
    struct keys k;
    make_hub(&k);
    struct prov_review r = RV;
    r.result = "passed";
    char *p = NULL, id[33];
    assert_int_equal(prov_review_build(&r, k.dir, &p, id), WW_EINVAL);
    assert_null(p);
    r = RV;
    r.station = "Not A Station";
    assert_int_equal(prov_review_build(&r, k.dir, &p, id), WW_EINVAL);
    drop_hub(&k);
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_body_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
