/*
 * province_reviews.c — the reviews the province hub wrote back to this
 * station (surface: cat_outbox.h; table in schema/050_province_reviews.sql).
 * A row is written once per review_id and then only moves from pending to
 * applied or refused.
 */
#include "catalog/cat_outbox.h"
#include "catalog/internal.h"

#include <stdlib.h>
#include <string.h>

static const struct catalog_row_map review_map =
    CATALOG_MAP(struct catalog_province_review, NULL, NULL, review_id, body, sig, received_us, state, why,
                assessment_id, done_us);

CATALOG_ROW_CLEAR_FN(review_map, struct catalog_province_review, catalog_province_review_clear)
CATALOG_LIST_FREE_FN(review_map, struct catalog_province_review, catalog_province_reviews_free)

#define REVIEW_COLS "review_id,body,sig,received_us,state,why,COALESCE(assessment_id,0),COALESCE(done_us,0)"

int catalog_province_review_receive(catalog_t *cat, const char *review_id, const char *body, const char *sig,
                                    bool *fresh)
{
    *fresh = false;
    size_t len = review_id ? strlen(review_id) : 0;
    if (len < 8 || len > 64 || !body || !sig) return WW_EINVAL;
    char *state = NULL;
    int rc = CATALOG_ONE(cat, "province review seen", &catalog_str_map, &state,
                         "SELECT state FROM province_reviews WHERE review_id = ?", catalog_arg_str(review_id));
    free(state);
    if (rc != WW_ENOTFOUND) return rc; /* 0: known already (a redelivery) */
    rc = CATALOG_RUN(cat, "province review receive", WW_EINVAL,
                     "INSERT INTO province_reviews(review_id,body,sig,received_us) VALUES (?,?,?,?)",
                     catalog_arg_str(review_id), catalog_arg_str(body), catalog_arg_str(sig),
                     CATALOG_ARG(ww_wall_us()));
    if (!rc) *fresh = true;
    return rc;
}

int catalog_province_review_next(catalog_t *cat, struct catalog_province_review *out)
{
    memset(out, 0, sizeof *out);
    return CATALOG_ONE(cat, "province review next", &review_map, out,
                       "SELECT " REVIEW_COLS " FROM province_reviews WHERE state = 'pending'"
                       " ORDER BY received_us, review_id LIMIT 1");
}

int catalog_province_review_done(catalog_t *cat, const char *review_id, int64_t assessment_id, const char *why)
{
    if (!review_id || (assessment_id <= 0) == !why) return WW_EINVAL; /* exactly one of the two */
    return CATALOG_RUN(cat, "province review done", WW_EINVAL,
                       "UPDATE province_reviews SET state = ?, why = ?, assessment_id = ?, done_us = ?"
                       " WHERE review_id = ? AND state = 'pending'",
                       catalog_arg_str(why ? "refused" : "applied"), catalog_arg_str(why),
                       CATALOG_ID(assessment_id), CATALOG_ARG(ww_wall_us()), catalog_arg_str(review_id));
}

int catalog_province_review_list(catalog_t *cat, size_t limit, struct catalog_province_review **out, size_t *n)
{
    return CATALOG_LIST(cat, "province review list", &review_map, out, n,
                        "SELECT " REVIEW_COLS " FROM province_reviews ORDER BY received_us DESC, review_id LIMIT ?",
                        CATALOG_ARG((int64_t)limit));
}
