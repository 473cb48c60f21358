/*
 * ward_demo.c — demo data for `wardwatch demo-data` and the statistics
 * bench: wards of one province (Nghệ An), incidents over N years, programme
 * registrations, assessments and recognitions.
 *
 * Everything generated is marked so nobody mistakes it for real records:
 * ward names end in "(demo)", incidents carry demo=1, their summaries start
 * with "[DEMO]", the author is "demo-data", and decision numbers say
 * "(demo)".  The generator is deterministic: a fixed seed gives the same
 * rows (times are relative to now_us, so pass now_us for identical output).
 * Re-running replaces the demo incidents and leaves registrations that
 * already exist alone.
 *
 * Rates are loosely shaped like a ward's real mix (public order, traffic
 * and criminal offences most common; corruption rare) with a mild seasonal
 * rise before Tết and a slow decline year on year, so "so với cùng kỳ" shows
 * believable falls and rises.
 */
#include "ward/ward.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rng { uint64_t s; };

static uint64_t next(struct rng *r)  /* splitmix64 */
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
static double unif(struct rng *r) { return (double)(next(r) >> 11) / 9007199254740992.0; }
static int irange(struct rng *r, int lo, int hi) { return lo + (int)(unif(r) * (hi - lo + 1)); }

static const struct { const char *name, *district; double lat, lon; } named_wards[] = {
    {"Trường Thi", "TP. Vinh", 18.6760, 105.6800},   {"Hà Huy Tập", "TP. Vinh", 18.6880, 105.6770},
    {"Lê Lợi", "TP. Vinh", 18.6850, 105.6690},       {"Hưng Bình", "TP. Vinh", 18.6780, 105.6920},
    {"Quang Trung", "TP. Vinh", 18.6720, 105.6850},  {"Bến Thủy", "TP. Vinh", 18.6530, 105.7050},
    {"Cửa Nam", "TP. Vinh", 18.6690, 105.6720},      {"Hưng Dũng", "TP. Vinh", 18.6720, 105.7050},
    {"Đội Cung", "TP. Vinh", 18.6650, 105.6790},     {"Vinh Tân", "TP. Vinh", 18.6600, 105.6880},
    {"Nghi Hòa", "TX. Cửa Lò", 18.7850, 105.7300},  {"Nghi Thu", "TX. Cửa Lò", 18.8080, 105.7180},
    {"Nghi Hương", "TX. Cửa Lò", 18.8200, 105.7060}, {"Nghi Hải", "TX. Cửa Lò", 18.7700, 105.7400},
    {"Hòa Hiếu", "TX. Thái Hòa", 19.3200, 105.4400}, {"Quang Tiến", "TX. Thái Hòa", 19.3330, 105.4520},
};
#define N_NAMED (int)(sizeof named_wards / sizeof *named_wards)

static const struct {
    const char *code;
    double weight;
    double solve_p;
    const char *what[3];
} mix[] = {
    {"criminal", 20, 0.72, {"Trộm cắp tài sản", "Cướp giật tài sản", "Cố ý gây thương tích"}},
    {"drugs", 12, 0.95, {"Tàng trữ trái phép chất ma túy", "Mua bán trái phép chất ma túy", "Sử dụng trái phép chất ma túy"}},
    {"economic", 4, 0.80, {"Buôn bán hàng cấm", "Lừa đảo chiếm đoạt tài sản qua mạng", "Kinh doanh hàng giả"}},
    {"corruption", 0.5, 0.60, {"Nhận hối lộ", "Lợi dụng chức vụ", "Tham ô tài sản"}},
    {"environment", 3, 0.85, {"Xả thải trái phép", "Vận chuyển chất thải không phép", "Gây ô nhiễm tiếng ồn"}},
    {"traffic", 18, 0.0, {"Va chạm giữa xe máy và ô tô", "Xe máy tự gây tai nạn", "Va chạm giữa hai xe máy"}},
    {"fire", 5, 0.0, {"Cháy nhà dân", "Cháy cửa hàng", "Chập điện gây cháy"}},
    {"public_order", 17, 0.90, {"Gây rối trật tự công cộng", "Đánh nhau tại quán karaoke", "Tụ tập gây ồn ào ban đêm"}},
    {"administrative", 15, 0.0, {"Lấn chiếm vỉa hè", "Vi phạm quy định cư trú", "Vi phạm an toàn PCCC cơ sở"}},
    {"other", 5, 0.0, {"Phát hiện người tử vong không rõ nguyên nhân", "Tìm thấy tài sản thất lạc", "Tin báo khác"}},
};
#define N_MIX (sizeof mix / sizeof *mix)

static const char *const streets[] = {"Lê Lợi", "Nguyễn Du", "Phan Đình Phùng", "Trường Thi", "Lê Hồng Phong",
                                      "Quang Trung", "Nguyễn Văn Cừ", "Bình Minh", "Sào Nam", "Hồ Tùng Mậu"};

static int ensure_ward(catalog_t *cat, int i, int64_t *id, bool *added)
{
    char *name, *district;
    if (i < N_NAMED) {
        name = ww_asprintf("%s (demo)", named_wards[i].name);
        district = ww_asprintf("%s", named_wards[i].district);
    } else {
        name = ww_asprintf("Phường mẫu %03d (demo)", i + 1);
        district = ww_asprintf("Quận mẫu %02d", i / 20 + 1);
    }
    *added = false;
    int rc = catalog_ward_find(cat, name, id);
    if (rc == WW_ENOTFOUND) {
        struct catalog_ward w = {.name = name, .district = district, .province = "Nghệ An"};
        rc = catalog_ward_add(cat, &w);
        *id = w.id;
        *added = rc == 0;
    }
    free(name);
    free(district);
    return rc;
}

/* Registers the wards for every programme year from 2023 to now_us's year
 * under the set in force, self-assesses every criterion (more met each
 * year), has the province review the earlier years (all wards but every
 * fifth) and, in the current year, half the criteria of every fourth ward —
 * so the matrix shows reviewed, self-assessed-only and pending cells side by
 * side — and records a recognition where the review found every criterion
 * met. */
static int demo_assessments(catalog_t *cat, const int64_t *wards, int nw, struct rng *r, int offset_min,
                            int64_t now_us, struct ward_demo_report *rep)
{
    int last_year = ward_date_of_us(now_us, offset_min).y;
    for (int year = 2023; year <= last_year; year++) {
        int64_t set_id = 0;
        if (catalog_criteria_set_for_year(cat, year, &set_id)) continue;  /* no template for it */
        struct catalog_criteria_set s;
        if (catalog_criteria_set_get(cat, set_id, &s)) continue;
        bool current = year == last_year;
        double base = 0.80 + 0.05 * (year - 2023);
        for (int w = 0; w < nw; w++) {
            char *why = NULL;
            int rc = ward_programme_register(cat, wards[w], year, set_id, "demo-data", &why);
            free(why);
            if (rc) continue;  /* already registered: keep what is there */
            size_t reviewed_met = 0;
            bool reviewed = current ? w % 4 == 0 : w % 5 != 4;
            for (size_t c = 0; c < s.n_criteria; c++) {
                int num = s.criteria[c].num;
                /* The station building is the criterion most often unmet. */
                bool station = strstr(s.criteria[c].title, "Trụ sở") != NULL;
                double p_met = station ? base - 0.45 : base + 0.12;
                if (current) p_met -= 0.25;
                int res = unif(r) < p_met ? CATALOG_RES_MET
                        : current && unif(r) < 0.6 ? CATALOG_RES_IN_PROGRESS : CATALOG_RES_NOT_MET;
                char date[48];
                snprintf(date, sizeof date, "%d-%02d-%02d", year, irange(r, 3, 6), irange(r, 1, 28));
                struct ward_assess_in in = {.ward_id = wards[w], .year = year, .criterion_num = num,
                                            .side = CATALOG_SIDE_SELF, .result = res,
                                            .notes = res == CATALOG_RES_MET ? "Đã có hồ sơ minh chứng (demo)"
                                                                        : "Đang hoàn thiện (demo)",
                                            .assessor = "demo-data", .assessed_on = date};
                why = NULL;
                if (ward_assess(cat, &in, offset_min, NULL, &why) == 0) rep->assessments++;
                free(why);
                if (!reviewed || (current && c >= s.n_criteria / 2)) continue;
                /* The province reviews, sometimes disagreeing. */
                int rres = res == CATALOG_RES_MET && unif(r) < 0.04 ? CATALOG_RES_NOT_MET : res;
                snprintf(date, sizeof date, "%d-%02d-%02d", year, irange(r, 8, 10), irange(r, 1, 28));
                in.side = CATALOG_SIDE_REVIEW;
                in.result = rres;
                in.notes = "Công an tỉnh thẩm định (demo)";
                why = NULL;
                if (ward_assess(cat, &in, offset_min, NULL, &why) == 0) rep->assessments++;
                free(why);
                reviewed_met += rres == CATALOG_RES_MET;
            }
            if (reviewed && !current && reviewed_met == s.n_criteria) {
                char *no = ww_asprintf("%d/QĐ-BCA (demo)", 9000 + 100 * (year - 2023) + w);
                char *date = ww_asprintf("%d-12-%02d", year, irange(r, 10, 28));
                why = NULL;
                ward_recognise(cat, wards[w], year, no, date, "Quyết định công nhận (demo)", "demo-data", &why);
                free(why);
                free(no);
                free(date);
            }
        }
        catalog_criteria_set_clear(&s);
    }
    return 0;
}

int ward_demo_generate(catalog_t *cat, const struct ward_demo_opts *o, struct ward_demo_report *rep)
{
    memset(rep, 0, sizeof *rep);
    int nw = o->n_wards > 0 ? o->n_wards : N_NAMED;
    int years = o->years > 0 ? o->years : 2;
    int per = o->per_ward_year > 0 ? o->per_ward_year : 60;
    int64_t now = o->now_us ? o->now_us : ww_wall_us();
    int offset_min = ww_station_offset_min();
    struct rng r = {o->seed ? o->seed : 20231225};

    int64_t *wards = ww_calloc((size_t)nw, sizeof *wards);
    int64_t *catid = ww_calloc(N_MIX, sizeof *catid);
    unsigned *catfig = ww_calloc(N_MIX, sizeof *catfig);
    struct catalog_incident_inserter *ins = NULL;
    /* Templates first: loading them is a transaction of its own. */
    if (o->assessments) ward_criteria_ensure_default(cat);
    int rc = catalog_begin(cat);
    if (rc) goto out;
    for (size_t k = 0; k < N_MIX; k++) {
        struct catalog_incident_category c;
        if (ward_category_find(cat, mix[k].code, &catid[k]) == 0 &&
            catalog_incident_category_get(cat, catid[k], &c) == 0) {
            catfig[k] = c.figures;
            catalog_incident_category_clear(&c);
        }
    }
    for (int i = 0; i < nw; i++) {
        bool added;
        if ((rc = ensure_ward(cat, i, &wards[i], &added))) goto fail;
        rep->wards_added += added;
    }
    int64_t removed;
    if ((rc = catalog_incident_delete_demo(cat, &removed))) goto fail;
    if ((rc = catalog_incident_inserter_open(cat, &ins))) goto fail;

    double wsum = 0;
    for (size_t k = 0; k < N_MIX; k++) wsum += mix[k].weight;
    const int64_t day = 86400LL * 1000000;
    int64_t span_days = (int64_t)years * 365;
    int64_t start = now - span_days * day;
    for (int w = 0; w < nw; w++) {
        double wlat = w < N_NAMED ? named_wards[w].lat : 18.60 + 0.004 * (w % 40);
        double wlon = w < N_NAMED ? named_wards[w].lon : 105.60 + 0.004 * (w / 40);
        double size = 0.6 + 0.8 * unif(&r);                       /* wards differ */
        int64_t n = (int64_t)llround(per * years * size);
        for (int64_t i = 0; i < n; i++) {
            /* time: uniform, thinned for a slow decline and a pre-Tết rise */
            int64_t t;
            for (;;) {
                t = start + (int64_t)(unif(&r) * (double)(span_days * day));
                struct ward_date d = ward_date_of_us(t, offset_min);
                double age = (double)(now - t) / (double)(365 * day);
                double keep = (0.75 + 0.12 * age) * (d.m == 1 || d.m == 12 ? 1.0 : 0.82);
                if (unif(&r) < keep) break;
            }
            double x = unif(&r) * wsum;
            size_t k = 0;
            while (k + 1 < N_MIX && x >= mix[k].weight) { x -= mix[k].weight; k++; }
            if (!catid[k]) continue;
            struct catalog_incident inc = {.ward_id = wards[w], .category_id = catid[k], .occurred_at = t, .demo = true};
            char *addr = ww_asprintf("Số %d, đường %s (demo)", irange(&r, 1, 250), streets[irange(&r, 0, 9)]);
            char *sum = ww_asprintf("[DEMO] %s", mix[k].what[irange(&r, 0, 2)]);
            inc.address = addr;
            inc.summary = sum;
            inc.has_pos = true;
            inc.latitude = wlat + (unif(&r) - 0.5) * 0.01;
            inc.longitude = wlon + (unif(&r) - 0.5) * 0.01;
            double age_days = (double)(now - t) / (double)day;
            double u = unif(&r);
            if (mix[k].solve_p > 0)
                inc.status = age_days < 10 ? (u < 0.5 ? CATALOG_INC_RECEIVED : CATALOG_INC_VERIFYING)
                           : u < mix[k].solve_p ? CATALOG_INC_SOLVED
                           : age_days < 120 ? CATALOG_INC_VERIFYING : CATALOG_INC_CLOSED;
            else
                inc.status = age_days < 5 ? CATALOG_INC_RECEIVED : CATALOG_INC_CLOSED;
            unsigned f = catfig[k];
            if (f & CATALOG_FIG_SUSPECTS && inc.status == CATALOG_INC_SOLVED) { inc.has |= CATALOG_FIG_SUSPECTS; inc.suspects = irange(&r, 1, 3); }
            if (f & CATALOG_FIG_DRUG_GRAMS) { inc.has |= CATALOG_FIG_DRUG_GRAMS; inc.drug_grams = round(exp(unif(&r) * 5.5) * 10) / 10; }
            if (f & CATALOG_FIG_DEATHS && (!strcmp(mix[k].code, "traffic") || !strcmp(mix[k].code, "fire"))) {
                inc.has |= CATALOG_FIG_DEATHS | CATALOG_FIG_INJURIES;
                inc.deaths = unif(&r) < 0.12 ? 1 : 0;
                inc.injuries = irange(&r, 0, 2);
            }
            if (f & CATALOG_FIG_DAMAGE && (!strcmp(mix[k].code, "fire") || !strcmp(mix[k].code, "economic"))) {
                inc.has |= CATALOG_FIG_DAMAGE;
                inc.damage_vnd = (int64_t)irange(&r, 1, 400) * 1000000;
            }
            inc.created_by = "demo-data";
            inc.created_us = now;
            rc = catalog_incident_inserter_add(ins, &inc);
            free(addr);
            free(sum);
            if (rc) goto fail;
            rep->incidents++;
        }
    }
    catalog_incident_inserter_close(ins);
    ins = NULL;
    if (o->assessments && nw <= N_NAMED) demo_assessments(cat, wards, nw, &r, offset_min, now, rep);
    if ((rc = catalog_commit(cat))) goto fail;
    goto out;
fail:
    catalog_incident_inserter_close(ins);
    catalog_rollback(cat);
out:
    free(wards);
    free(catid);
    free(catfig);
    return rc;
}
