/*
 * catalog/cat_ward_work.h — the catalog area of the ward's own work:
 * incident categories, incidents with their links and change history,
 * aggregate queries for statistics, criteria sets, programme registration,
 * assessments, evidence files and recognition decisions.
 *
 * Owner: the ward module (src/ward/).  Only ward/ and tests call these; api
 * and cli go through ward.h, which adds validation, history and rules.
 *
 * Threads: as catalog.h — one catalog_t per thread.
 * Memory: every struct filled here owns its strings and arrays; release with
 * the matching *_clear or *_list_free (NULL-safe).  Input structs are only
 * read.
 * Transactions: none of these opens one, except where said; callers that
 * need several writes to land together (ward/) wrap them in
 * catalog_begin/commit.
 */
#ifndef WW_CAT_WARD_WORK_H
#define WW_CAT_WARD_WORK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog/catalog.h"

/* ---- figures ------------------------------------------------------------
 * The numbers an incident may carry; a category lists which apply. */
enum {
    CATALOG_FIG_SUSPECTS   = 1 << 0,  /* đối tượng */
    CATALOG_FIG_DRUG_GRAMS = 1 << 1,  /* ma túy thu giữ, gam */
    CATALOG_FIG_DEATHS     = 1 << 2,  /* người chết */
    CATALOG_FIG_INJURIES   = 1 << 3,  /* người bị thương */
    CATALOG_FIG_DAMAGE     = 1 << 4,  /* thiệt hại, đồng */
    CATALOG_FIG_ALL        = (1 << 5) - 1,
};
/* "suspects", "drug_grams", "deaths", "injuries", "damage_vnd" for one bit;
 * NULL for anything else. */
const char *catalog_figure_name(unsigned bit);
/* Parses "suspects,deaths" into a mask; WW_EINVAL names an unknown word. */
int catalog_figures_parse(const char *s, unsigned *mask);
/* Mask as a comma list; caller frees. */
char *catalog_figures_format(unsigned mask);

/* A ward's name by id (caller frees).  WW_ENOTFOUND. */
int catalog_ward_name(catalog_t *cat, int64_t id, char **name);

/* ---- categories -------------------------------------------------------- */
struct catalog_incident_category {
    int64_t id;
    char *code, *name_vi, *name_en;
    unsigned figures;       /* CAT_FIG_* that apply */
    bool solvable;          /* counts in the headline solved share */
    int sort_order;
    bool active;
};
void catalog_incident_category_clear(struct catalog_incident_category *c);
void catalog_incident_category_list_free(struct catalog_incident_category *v, size_t n);
int catalog_incident_category_list(catalog_t *cat, struct catalog_incident_category **out, size_t *n);
int catalog_incident_category_get(catalog_t *cat, int64_t id, struct catalog_incident_category *out);
int catalog_incident_category_add(catalog_t *cat, struct catalog_incident_category *c); /* sets id; WW_ECONFLICT on a taken code */
int catalog_incident_category_update(catalog_t *cat, const struct catalog_incident_category *c);

/* ---- incidents --------------------------------------------------------- */
enum catalog_inc_status { CATALOG_INC_RECEIVED, CATALOG_INC_VERIFYING, CATALOG_INC_SOLVED, CATALOG_INC_CLOSED };
const char *catalog_inc_status_name(int status);          /* "received"…; NULL if out of range */
int catalog_inc_status_parse(const char *s);              /* -1 if unknown */

struct catalog_incident {
    int64_t id, ward_id, category_id;
    int64_t occurred_at;             /* UTC µs */
    char *address;
    bool has_pos; double latitude, longitude;
    char *summary;
    int status;                      /* enum catalog_inc_status */
    unsigned has;                    /* CAT_FIG_* bits whose value is set */
    int64_t suspects, deaths, injuries, damage_vnd;
    double drug_grams;
    bool demo;
    char *created_by; int64_t created_us;
    char *updated_by; int64_t updated_us;  /* NULL/0 until changed */
    int64_t *camera_ids; size_t n_cameras;
    int64_t *export_ids; size_t n_exports;
    /* filled by get/search for display; ignored on write */
    char *ward_name, *category_code;
};
void catalog_incident_clear(struct catalog_incident *c);
void catalog_incident_list_free(struct catalog_incident *v, size_t n);

/* Inserts the incident and its links; sets c->id. */
int catalog_incident_add(catalog_t *cat, struct catalog_incident *c);
/* Rewrites every column and the links of incident c->id. WW_ENOTFOUND. */
int catalog_incident_update(catalog_t *cat, const struct catalog_incident *c);
int catalog_incident_delete(catalog_t *cat, int64_t id);      /* WW_ENOTFOUND */
int catalog_incident_get(catalog_t *cat, int64_t id, struct catalog_incident *out);

/* Bulk insert for imports, demo data and the bench: one prepared statement,
 * no links, no history, no transaction of its own.  ids are not returned. */
struct catalog_incident_inserter;
int catalog_incident_inserter_open(catalog_t *cat, struct catalog_incident_inserter **out);
int catalog_incident_inserter_add(struct catalog_incident_inserter *ins, const struct catalog_incident *c);
void catalog_incident_inserter_close(struct catalog_incident_inserter *ins);

struct catalog_incident_filter {
    int64_t ward_id;        /* 0 = every ward */
    int64_t category_id;    /* 0 = every category */
    int status;             /* -1 = any */
    int64_t from_us, to_us; /* [from, to); 0 = open */
    const char *text;       /* substring of summary or address; NULL = any */
    size_t limit, offset;   /* limit 0 = no limit */
};
/* Newest first.  *total (if not NULL) = rows matching without limit/offset.
 * Links are not loaded (use _get); ward_name and category_code are. */
int catalog_incident_search(catalog_t *cat, const struct catalog_incident_filter *f,
                            struct catalog_incident **out, size_t *n, int64_t *total);
/* Same selection, oldest first, one row at a time (exports of any size).
 * The row passed to cb is valid only during the call.  A non-zero return
 * from cb stops the walk and is returned. */
int catalog_incident_each(catalog_t *cat, const struct catalog_incident_filter *f,
                          int (*cb)(const struct catalog_incident *row, void *arg), void *arg);
/* Earliest occurred_at of any incident (0 if the register is empty). */
int catalog_incident_first_time(catalog_t *cat, int64_t *us);
/* Removes every demo incident (and its history); *removed may be NULL. */
int catalog_incident_delete_demo(catalog_t *cat, int64_t *removed);

/* ---- history ----------------------------------------------------------- */
struct catalog_incident_change {
    int64_t id, incident_id, at_us;
    char *user_name, *action, *diff;  /* diff: JSON text */
};
void catalog_incident_change_list_free(struct catalog_incident_change *v, size_t n);
int catalog_incident_history_add(catalog_t *cat, int64_t incident_id, int64_t at_us,
                                 const char *user, const char *action, const char *diff_json);
int catalog_incident_history(catalog_t *cat, int64_t incident_id,
                             struct catalog_incident_change **out, size_t *n);

/* ---- aggregates -------------------------------------------------------- *
 * Sums over incidents with occurred_at in [from_us, to_us), one row per key.
 * These run on the covering indexes of 030_incidents.sql only. */
enum catalog_agg_by {
    CATALOG_AGG_TOTAL,      /* one row, key 0 */
    CATALOG_AGG_CATEGORY,   /* key = category_id */
    CATALOG_AGG_WARD,       /* key = ward_id */
    CATALOG_AGG_LOCAL_DAY,  /* key = days since 1970-01-01 in local time (offset_min) */
};
struct catalog_incident_agg {
    int64_t key;
    int64_t cases, solved;                 /* every category */
    int64_t solvable_cases, solvable_solved; /* categories with solvable=1 */
    int64_t suspects, deaths, injuries, damage_vnd;
    double drug_grams;
};
/* ward_id 0 = every ward.  Rows come ordered by key. */
int catalog_incident_aggregate(catalog_t *cat, int64_t ward_id, int64_t from_us, int64_t to_us,
                               enum catalog_agg_by by, int offset_min,
                               struct catalog_incident_agg **out, size_t *n);

/* ---- criteria sets ----------------------------------------------------- */
struct catalog_criteria_group { int num; char *name; };
struct catalog_criterion {
    int64_t id;
    int group_num, num;
    char *title, *description, *evidence;
};
struct catalog_criteria_set {
    int64_t id;
    char *family;
    int version;
    char *name;
    int year_from, year_to;
    char *note;
    int64_t created_us; char *created_by;
    int64_t replaces_id;                 /* 0 = first version */
    struct catalog_criteria_group *groups; size_t n_groups;
    struct catalog_criterion *criteria; size_t n_criteria;  /* ordered by num */
};
void catalog_criteria_set_clear(struct catalog_criteria_set *s);
void catalog_criteria_set_list_free(struct catalog_criteria_set *v, size_t n);
/* Inserts header, groups and criteria; sets s->id and each criterion's id.
 * Runs inside the caller's transaction. WW_ECONFLICT if (family, version) is taken. */
int catalog_criteria_set_add(catalog_t *cat, struct catalog_criteria_set *s);
/* Replaces header fields, groups and criteria of a set nobody uses yet
 * (the ward layer checks that).  Criterion ids change. */
int catalog_criteria_set_rewrite(catalog_t *cat, struct catalog_criteria_set *s);
int catalog_criteria_set_get(catalog_t *cat, int64_t id, struct catalog_criteria_set *out);
/* Headers only (groups/criteria empty; n_criteria holds the count). */
int catalog_criteria_set_list(catalog_t *cat, struct catalog_criteria_set **out, size_t *n);
/* Whether any registration or assessment refers to the set. */
int catalog_criteria_set_in_use(catalog_t *cat, int64_t id, bool *in_use);
int catalog_criteria_set_max_version(catalog_t *cat, const char *family, int *version); /* 0 if none */
/* The newest set (highest id) whose year range holds year.  WW_ENOTFOUND. */
int catalog_criteria_set_for_year(catalog_t *cat, int year, int64_t *id);
int catalog_criteria_set_count(catalog_t *cat, int64_t *n);

/* ---- programme registration ------------------------------------------- */
struct catalog_programme_ward {
    int64_t ward_id; int year; int64_t set_id;
    int64_t registered_us; char *registered_by;
    char *ward_name;                      /* filled on read */
};
void catalog_programme_ward_list_free(struct catalog_programme_ward *v, size_t n);
/* WW_ECONFLICT when the ward is already registered for that year. */
int catalog_programme_register(catalog_t *cat, const struct catalog_programme_ward *p);
/* year 0 = every year; ward_id 0 = every ward.  Ordered by year, ward_id. */
int catalog_programme_list(catalog_t *cat, int year, int64_t ward_id,
                           struct catalog_programme_ward **out, size_t *n);

/* ---- assessments ------------------------------------------------------- */
enum catalog_side { CATALOG_SIDE_SELF, CATALOG_SIDE_REVIEW };
enum catalog_result { CATALOG_RES_MET, CATALOG_RES_NOT_MET, CATALOG_RES_IN_PROGRESS };
const char *catalog_side_name(int side);       /* "self" | "review" */
int catalog_side_parse(const char *s);         /* -1 if unknown */
const char *catalog_result_name(int result);   /* "met" | "not_met" | "in_progress" */
int catalog_result_parse(const char *s);

struct catalog_assessment {
    int64_t id, ward_id; int year; int64_t criterion_id;
    int side, result;
    char *notes, *assessor;
    char *assessed_on;                    /* local date YYYY-MM-DD */
    int64_t at_us;
    int criterion_num;                    /* filled on read */
};
void catalog_assessment_list_free(struct catalog_assessment *v, size_t n);
int catalog_assessment_add(catalog_t *cat, struct catalog_assessment *a);   /* sets id */
int catalog_assessment_get(catalog_t *cat, int64_t id, struct catalog_assessment *out);
void catalog_assessment_clear(struct catalog_assessment *a);
/* Current state: the newest row per (ward, criterion, side) of a year.
 * ward_id 0 = every ward.  Ordered by ward_id, criterion num, side. */
int catalog_assessment_current(catalog_t *cat, int year, int64_t ward_id,
                               struct catalog_assessment **out, size_t *n);
/* Every row, oldest first.  year 0 / ward_id 0 = all. */
int catalog_assessment_history(catalog_t *cat, int year, int64_t ward_id,
                               struct catalog_assessment **out, size_t *n);

struct catalog_assessment_file {
    int64_t id, assessment_id;
    char *file_name, *stored_path, *sha256, *added_by;
    int64_t bytes, added_us;
};
void catalog_assessment_file_list_free(struct catalog_assessment_file *v, size_t n);
int catalog_assessment_file_add(catalog_t *cat, struct catalog_assessment_file *f);  /* sets id */
/* Files of every assessment of (ward, year). */
int catalog_assessment_files(catalog_t *cat, int64_t ward_id, int year,
                             struct catalog_assessment_file **out, size_t *n);
int catalog_assessment_file_get(catalog_t *cat, int64_t id, struct catalog_assessment_file *out);

/* ---- recognition ------------------------------------------------------- */
struct catalog_recognition {
    int64_t ward_id; int year;
    char *decision_no, *decision_date, *note, *recorded_by;
    int64_t recorded_us;
};
void catalog_recognition_list_free(struct catalog_recognition *v, size_t n);
/* WW_ECONFLICT if the ward already has a recognition for that year. */
int catalog_recognition_add(catalog_t *cat, const struct catalog_recognition *r);
int catalog_recognition_list(catalog_t *cat, int year, struct catalog_recognition **out, size_t *n);

#endif
