/*
 * ward: the ward's own work — the incident register, security-and-order
 * statistics, and the model-ward criteria programme — as plain logic over
 * the catalog (catalog/cat_ward_work.h).  No HTTP here: api/ and cli/ call
 * these and decide who may.
 *
 * Files: ward_period.c (dates, periods, "same period a year before"),
 * ward_incident.c (validation, JSON, change history), ward_csv.c (CSV import
 * and export), ward_stats.c (statistics), ward_report.c (CSV of statistics
 * and the PDF made with cairo + pango), ward_criteria.c (criteria sets,
 * registration, assessments, dashboard), ward_demo.c (demo and bench data).
 *
 * Threads: no globals; every call uses the catalog_t it is given (one per
 * thread, see catalog.h).
 * Memory: functions that fill a struct say how to clear it; returned char*
 * and json_t* belong to the caller (free / json_decref).  "why" out
 * parameters, when set, are heap strings for a human (caller frees) and are
 * set only on WW_EINVAL / WW_ECONFLICT / WW_ENOTFOUND.
 * Errors: 0 or a negative WW_E* code (WW_EDB was logged by the catalog).
 */
#ifndef WW_WARD_H
#define WW_WARD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "catalog/cat_ward_work.h"
#include "catalog/catalog.h"

/* ======================================================================
 * Dates and periods (ward_period.c)
 *
 * Statistics periods are in the station's local time (ww_station_offset_min,
 * UTC+7 for Asia/Ho_Chi_Minh, no DST) and always half-open [from, to) over
 * whole local days.  They become UTC µs bounds with ward_period_bounds_us.
 * ====================================================================== */
struct ward_date { int y, m, d; };

bool ward_date_valid(struct ward_date d);
int64_t ward_date_days(struct ward_date d);           /* days since 1970-01-01 */
struct ward_date ward_date_from_days(int64_t days);
int ward_date_cmp(struct ward_date a, struct ward_date b);
/* Local midnight that starts date d, as UTC µs. */
int64_t ward_date_start_us(struct ward_date d, int offset_min);
/* The local date holding UTC µs t. */
struct ward_date ward_date_of_us(int64_t t, int offset_min);
/* "YYYY-MM-DD" or "DD/MM/YYYY".  0 or WW_EINVAL. */
int ward_date_parse(const char *s, struct ward_date *out);
/* "YYYY-MM-DD" into buf (≥ 11 bytes). */
char *ward_date_iso(struct ward_date d, char *buf, size_t n);
/* "DD/MM/YYYY" into buf (≥ 11 bytes). */
char *ward_date_vi(struct ward_date d, char *buf, size_t n);

/* A time given by a person or a file: "DD/MM/YYYY HH:MM[:SS]",
 * "DD/MM/YYYY" (midnight), or ISO 8601 as ww_parse_time takes it; without an
 * offset the time is local (offset_min).  0 or WW_EINVAL. */
int ward_time_parse(const char *s, int offset_min, int64_t *us);
/* "2024-03-05T14:30:00+07:00" into buf (≥ 32 bytes). */
char *ward_time_iso(int64_t us, int offset_min, char *buf, size_t n);
/* "05/03/2024 14:30" into buf (≥ 20 bytes). */
char *ward_time_vi(int64_t us, int offset_min, char *buf, size_t n);

enum ward_period_kind {
    WARD_PERIOD_MONTH, WARD_PERIOD_QUARTER, WARD_PERIOD_YEAR, WARD_PERIOD_CUSTOM,
};
struct ward_period {
    int kind;                   /* enum ward_period_kind */
    int year, index;            /* month 1–12 or quarter 1–4 (else 0) */
    struct ward_date from, to;  /* [from, to), local dates */
};
int ward_period_month(int year, int month, struct ward_period *p);
int ward_period_quarter(int year, int quarter, struct ward_period *p);
int ward_period_year(int year, struct ward_period *p);
int ward_period_custom(struct ward_date from, struct ward_date to, struct ward_period *p); /* to > from */
/* "2024-05" | "2024-Q2" | "2024" | "2024-01-01..2024-03-15" (end exclusive). */
int ward_period_parse(const char *s, struct ward_period *p);
/* The same period a year before ("cùng kỳ").  Rule: each bound moves to
 * the same day and month one year earlier, except 29/02 — as a start it
 * becomes 28/02, as an (exclusive) end it becomes 01/03 — so the counterpart
 * of a period holding 29/02 holds 28/02, and month/quarter/year periods map
 * to the same month/quarter/year. */
void ward_period_year_before(const struct ward_period *p, struct ward_period *prev);
void ward_period_bounds_us(const struct ward_period *p, int offset_min, int64_t *from_us,
                           int64_t *to_us);
/* The station's local date now. */
struct ward_date ward_today(int offset_min);

/* What of a period is counted on local date `today` (decision 007, "a
 * period that has not ended"):
 *  - over (today ≥ to): the whole period against ward_period_year_before;
 *  - running (from ≤ today < to): day for day — [from, today] against the
 *    same days a year before, [shift(from), shift(today)], where shift keeps
 *    day and month and maps 29/02 to 28/02 (as a start, and as the last day
 *    counted: the year before's February is then counted whole);
 *  - not begun (today < from): nothing on either side.
 * Bounds are half-open local dates, like ward_period. */
struct ward_cut {
    bool partial;                    /* running: the period has not ended */
    bool not_begun;
    struct ward_date through;        /* partial: the last day counted (today) */
    struct ward_date prev_through;   /* partial: its twin a year before */
    struct ward_date from, to;       /* counted [from, to); to == from when not begun */
    struct ward_date prev_from, prev_to;
};
void ward_period_cut(const struct ward_period *p, struct ward_date today, struct ward_cut *c);
/* "đến ngày 02/12/2026" / "to 02/12/2026"; caller frees. */
char *ward_through_label(struct ward_date through, const char *lang);
/* "Tháng 5/2024", "Quý II/2024", "Năm 2024", "Từ 01/01/2024 đến 15/03/2024"
 * (vi; the "to" shown is the last day included) or English with lang "en".
 * Caller frees. */
char *ward_period_label(const struct ward_period *p, const char *lang);
/* Canonical text accepted by ward_period_parse; caller frees. */
char *ward_period_text(const struct ward_period *p);

/* ======================================================================
 * Incidents (ward_incident.c)
 * ====================================================================== */
/* Checks an incident against the rules: ward and category exist, summary
 * not empty, coordinates in range and given together, figures only where the
 * category says they apply, not in the future (more than a day ahead),
 * linked cameras exist.
 * WW_EINVAL with *why. */
int ward_incident_validate(catalog_t *cat, const struct catalog_incident *inc, char **why);
/* What a `why` of this module's incident and category functions is about,
 * as codes the console words (issue 17 item 6): *reason (static: required,
 * length, range, future, negative, no_ward, no_category, figure_na,
 * no_camera_id, no_export, unknown_name, datetime, type, both_coordinates,
 * status_move, unknown_field, taken, the CSV import's csv_*, other) and *field, the request field (static, or
 * pointing into why for a quoted one: its length in *field_len).  From the
 * fixed wordings the functions write, kept in one table beside them. */
void ward_why_code(const char *why, const char **reason, const char **field, size_t *field_len);
/* The links an incident adds (camera_ids, export_ids not already in old;
 * old NULL = a new incident) must be in scope: each camera, and each
 * export's camera, must exist and — when scope_ward_id is not 0 (an
 * officer) — belong to that ward.  Out of scope and absent get the same
 * answer, WW_EINVAL with *why "no camera N" / "no export N", so linking
 * cannot tell an officer whether another ward's camera exists. */
int ward_incident_check_links(catalog_t *cat, const struct catalog_incident *inc, const struct catalog_incident *old,
                              int64_t scope_ward_id, char **why);
/* Whether a status may move from → to.  Forward only: received → verifying
 * → solved | closed (received may go straight to solved or closed); the
 * same status is always allowed.  Admin corrections pass force. */
bool ward_status_move_ok(int from, int to, bool force);

/* Creates: validates, inserts, writes a "created" history row — one
 * transaction.  Sets inc->id, created_by/created_us. */
int ward_incident_create(catalog_t *cat, struct catalog_incident *inc, const char *user, char **why);
/* Replaces incident upd->id with upd (typically a copy of the stored one with
 * a patch applied): validates, checks the status move (force for admins),
 * writes an "updated" history row whose diff is {field: [old, new]} of the
 * fields that changed.  Nothing changed → 0 and no history row. */
int ward_incident_update(catalog_t *cat, struct catalog_incident *upd, const char *user, bool force,
                         char **why);
/* Deletes, keeping a "deleted" history row with the whole old record. */
int ward_incident_delete(catalog_t *cat, int64_t id, const char *user);

/* The incident as JSON (fields as in the API: id, ward_id, ward, category_id,
 * category, occurred_at (ISO local), occurred_at_us, address, latitude,
 * longitude, summary, status, suspects, drug_grams, deaths, injuries,
 * damage_vnd, camera_ids, export_ids, demo, created_by, created_at,
 * updated_by, updated_at).  New reference. */
json_t *ward_incident_json(const struct catalog_incident *inc, int offset_min);
/* Applies a JSON object of fields to inc (create or patch).  Accepts ward_id
 * or ward (name), category_id or category (code, Vietnamese or English name),
 * occurred_at (text, see ward_time_parse) or occurred_at_us, status, address,
 * latitude/longitude (number or null), summary, figures (number, numeric
 * text or null), camera_ids, export_ids.  Unknown keys → WW_EINVAL. */
int ward_incident_apply_json(catalog_t *cat, struct catalog_incident *inc, json_t *obj,
                             int offset_min, char **why);
/* Finds a category by code, Vietnamese or English name (case-sensitive for
 * non-ASCII, trimmed).  WW_ENOTFOUND. */
int ward_category_find(catalog_t *cat, const char *s, int64_t *id);
json_t *ward_category_json(const struct catalog_incident_category *c);
/* Applies {code, name_vi, name_en, figures:[...] or "a,b", solvable,
 * sort_order, active} to c; WW_EINVAL with *why. */
int ward_category_apply_json(struct catalog_incident_category *c, json_t *obj, char **why);
/* History of an incident as a JSON array [{at, user, action, diff}]. */
json_t *ward_incident_history_json(catalog_t *cat, int64_t id, int offset_min);

/* Reads and category changes for api/ (which calls no catalog function).
 * JSON out parameters are new references, set on 0 only. */
int ward_incident_get(catalog_t *cat, int64_t id, struct catalog_incident *out);  /* WW_ENOTFOUND */
/* The incident's case file (ward_evidence.c): its holds, exports and the
 * bundles holding them, each with its custody (every audit row about it),
 * motion events of its cameras within an hour of when it occurred, and the
 * audit chain's verification result.  Times in offset_min local time.
 * The caller checks scope first; *out is the caller's. */
int ward_case_file_json(catalog_t *cat, const struct catalog_incident *inc, int offset_min, json_t **out);
/* Adds a note to the incident's case file (append-only; 1..4000 bytes of
 * text, leading/trailing space trimmed): *note_id set.  The caller checks the
 * incident's scope for writing and audits it (incident_note, note_id). */
int ward_case_note_add(catalog_t *cat, const struct catalog_incident *inc, int64_t user_id, const char *user_name,
                       const char *text, int64_t *note_id);
/* The chain-of-custody report of that case file as a PDF (A4, Vietnamese;
 * ward_custody.c), appended to out.  0, a catalog error or WW_EINVAL. */
int ward_custody_pdf(catalog_t *cat, const struct catalog_incident *inc, int offset_min, int64_t generated_at_us,
                     struct ww_buf *out);
/* The incidents f selects, newest first, for the CLI's table (caller frees
 * with catalog_incident_list_free); *total as below. */
int ward_incident_search(catalog_t *cat, const struct catalog_incident_filter *f, struct catalog_incident **out,
                         size_t *n, int64_t *total);
/* The incidents f selects as a JSON array of ward_incident_json; *total =
 * all that match (ignoring limit/offset), when total is not NULL. */
int ward_incident_list_json(catalog_t *cat, const struct catalog_incident_filter *f, int offset_min, json_t **out,
                            int64_t *total);
int ward_categories_json(catalog_t *cat, json_t **out);   /* array of ward_category_json */
/* Adds / edits a category from {code, name_vi, …} (ward_category_apply_json);
 * *out is the stored category.  WW_EINVAL, WW_ECONFLICT ("the code is
 * taken"), WW_ENOTFOUND ("no such category") with *why. */
int ward_category_create(catalog_t *cat, json_t *obj, json_t **out, char **why);
int ward_category_edit(catalog_t *cat, int64_t id, json_t *obj, json_t **out, char **why);

/* ======================================================================
 * CSV (ward_csv.c)
 *
 * Columns (header row, any order, UTF-8, optional BOM):
 *   occurred_at  ward  category  summary      — required
 *   status address latitude longitude suspects drug_grams deaths injuries
 *   damage_vnd camera_ids                      — optional
 *   id                                         — accepted and ignored (so an
 *                                                export imports back)
 * occurred_at: "DD/MM/YYYY HH:MM" local, or ISO 8601.  camera_ids: "3;7".
 * ====================================================================== */
struct ward_csv_error { int line; char *msg; };
struct ward_csv_result {
    size_t imported;                 /* rows written (0 unless no error) */
    struct ward_csv_error *errors;   /* line-numbered, in file order */
    size_t n_errors;
};
void ward_csv_result_clear(struct ward_csv_result *r);
/* Imports an entire CSV text: every row is checked first; if any row is
 * wrong nothing is written (WW_EINVAL, errors listed, at most max_errors);
 * otherwise all rows land in one transaction with a history row each.
 * only_ward_id ≠ 0: a row for any other ward is an error (an officer's
 * import). */
int ward_csv_import(catalog_t *cat, const char *text, size_t len, const char *user,
                    int offset_min, size_t max_errors, int64_t only_ward_id,
                    struct ward_csv_result *res);
/* Writes the incidents selected by f (oldest first) as CSV, header included. */
int ward_csv_export(catalog_t *cat, const struct catalog_incident_filter *f, int offset_min,
                    struct ww_buf *out);
/* One RFC 4180 field, quoted when needed, appended to out. */
void ward_csv_field(struct ww_buf *out, const char *s);

/* ======================================================================
 * Statistics (ward_stats.c)
 *
 * Rules, written down once:
 *  - An incident counts in a period when occurred_at ∈ [from, to).
 *  - Solved share ("khám phá x/y vụ, đạt z %"): y = cases of solvable
 *    categories in the period, x = those of them now "solved"; z rounded to
 *    a whole percent, half up.  y = 0 → "—".  Per category: its own cases.
 *  - Change against the same period a year before: cases and each figure as
 *    a difference and a percentage of the year-before value.  The
 *    percentage is "—" when the year-before value is 0; both are "—" when
 *    the period has no counterpart, i.e. its year-before period ends before
 *    the register's first incident (ward_period_year_before for dates).
 *  - A period that has not ended is counted up to today and set beside the
 *    same days a year before (ward_period_cut), and says so ("đến ngày …").
 * ====================================================================== */
struct ward_figures {
    int64_t cases, solved, solvable_cases, solvable_solved;
    int64_t suspects, deaths, injuries, damage_vnd;
    double drug_grams;
};
struct ward_stats_row {
    struct catalog_incident_category cat;   /* owned copy */
    struct ward_figures cur, prev;
};
struct ward_stats {
    int64_t ward_id;                    /* 0 = whole province */
    char *scope_name;                   /* ward name or "Toàn tỉnh …" */
    char *province;                     /* the wards' province, NULL if mixed/unknown */
    struct ward_period period, prev_period;  /* as named ("Quý IV/2026", "Quý IV/2025") */
    struct ward_date today;             /* the local date the figures were counted on */
    struct ward_cut cut;                /* what of them is counted (ward_period_cut) */
    bool has_prev;                      /* the counterpart exists */
    int64_t from_us, to_us, prev_from_us, prev_to_us;  /* the counted bounds */
    struct ward_stats_row *rows;        /* every category, category order */
    size_t n_rows;
    struct ward_figures cur, prev;      /* totals */
};
/* Counts as of today (ward_today).  ward_stats_compute_on takes the local
 * date that is "today", so a test can stand at a month's, quarter's or
 * year's end. */
int ward_stats_compute(catalog_t *cat, int64_t ward_id, const struct ward_period *p,
                       int offset_min, struct ward_stats *out);
int ward_stats_compute_on(catalog_t *cat, int64_t ward_id, const struct ward_period *p,
                          int offset_min, struct ward_date today, struct ward_stats *out);
/* The period as counted: "Quý IV/2026, đến ngày 02/12/2026" while it runs,
 * "Quý I/2027, chưa bắt đầu" before it begins, else its name; prev: the
 * counterpart's ("Quý IV/2025, đến ngày 02/12/2025").  Caller frees. */
char *ward_stats_period_label(const struct ward_stats *s, bool prev, const char *lang);
void ward_stats_clear(struct ward_stats *s);

/* Change of one figure against the year before. */
struct ward_change {
    bool defined;      /* false: no counterpart → "—" */
    double diff;
    bool pct_defined;  /* false: no counterpart or zero base → "—" */
    double pct;
};
struct ward_change ward_change_of(double cur, double prev, bool has_prev);
/* Solved share in whole percent; false when the base is zero. */
bool ward_share_pct(int64_t part, int64_t whole, int *pct);
/* Display texts ("+3", "-2", "0", "—"; "+21,4 %", "—"; "khám phá 9/14 vụ,
 * đạt 64 %" / "solved 9 of 14, 64 %").  Vietnamese uses the decimal comma,
 * English the point.  Caller frees. */
char *ward_fmt_diff(struct ward_change c, const char *lang);
char *ward_fmt_pct_change(struct ward_change c, const char *lang);
char *ward_fmt_share(int64_t part, int64_t whole, const char *lang);

json_t *ward_stats_json(const struct ward_stats *s, const char *lang);

/* Month-by-month cases and solved cases for `months` months ending with the
 * period's last month, each with the same month a year before.  A month
 * that holds today or lies after it is partial: it counts days 1..days
 * (days = today's day, 0 for a month not begun) and its year before counts
 * the same days (29/02 → 28/02, as ward_period_cut). */
struct ward_trend_point {
    int y, m;
    bool partial;
    int days, month_days;        /* days counted of the month's days */
    int64_t cases, solved, prev_cases, prev_solved;
};
int ward_stats_trend(catalog_t *cat, int64_t ward_id, const struct ward_period *p, int months,
                     int offset_min, struct ward_date today, struct ward_trend_point **out,
                     size_t *n);  /* free(*out) */

/* Every ward's figures for the period and its counterpart, counted as
 * ward_period_cut says for `today`. */
struct ward_compare_row {
    int64_t ward_id;
    char *ward_name;
    struct ward_figures cur, prev;
};
int ward_stats_by_ward(catalog_t *cat, const struct ward_period *p, int offset_min,
                       struct ward_date today, struct ward_compare_row **out, size_t *n,
                       bool *has_prev);
void ward_compare_list_free(struct ward_compare_row *v, size_t n);

/* ======================================================================
 * Reports (ward_report.c)
 * ====================================================================== */
/* Statistics as CSV (one row per category plus a total row). */
void ward_stats_csv(const struct ward_stats *s, const char *lang, struct ww_buf *out);
/* The printable statistics report as PDF (A4, Vietnamese, text shaped by
 * pango with Noto fonts): header, headline, category table with the year
 * before and changes, per-ward table (province scope), monthly trend bars.
 * generated_at is shown in the footer. */
int ward_stats_pdf(catalog_t *cat, const struct ward_stats *s, int offset_min,
                   int64_t generated_at_us, struct ww_buf *out);

/* ======================================================================
 * Criteria programme (ward_criteria.c)
 * ====================================================================== */
/* Reads a criteria set from its JSON form:
 *   {family, name, year_from, year_to, note,
 *    groups:[{num, name, criteria:[{num, title, description, evidence}]}]}
 * Criterion numbers must be unique across the set.  WW_EINVAL with *why. */
int ward_criteria_from_json(json_t *obj, struct catalog_criteria_set *out, char **why);
json_t *ward_criteria_to_json(const struct catalog_criteria_set *s);
/* Loads a JSON set as a new set (version = next of its family). */
int ward_criteria_import(catalog_t *cat, json_t *obj, const char *user, int64_t *id, char **why);
int ward_criteria_import_file(catalog_t *cat, const char *path, const char *user, int64_t *id,
                              char **why);
/* The shipped templates (every .json in data/criteria, in name order:
 * default-22.json, …) loaded on first use, when the catalog holds no set.
 * The folder is found through $WARDWATCH_SHARE (…/data/criteria), then
 * next to or above the executable.  No folder found → WW_ENOTFOUND, logged. */
int ward_criteria_ensure_default(catalog_t *cat);
/* Where data/criteria lives (caller frees), or NULL. */
char *ward_criteria_dir(void);
/* Edits set id to the content of obj.  A set in use (registrations or
 * assessments refer to it) is never rewritten: a new version of its family
 * is made and *new_id is that; otherwise it is rewritten in place and
 * *new_id = id. */
int ward_criteria_edit(catalog_t *cat, int64_t id, json_t *obj, const char *user,
                       int64_t *new_id, bool *new_version, char **why);

/* Set id as ward_criteria_to_json, with "in_use" when with_use.
 * WW_ENOTFOUND. */
int ward_criteria_set_json(catalog_t *cat, int64_t id, bool with_use, json_t **out);
/* Every set's header (no groups) with "in_use", as a JSON array. */
int ward_criteria_sets_json(catalog_t *cat, json_t **out);
/* Registrations of a year (0: all) and ward (0: all) as a JSON array of
 * {ward_id, ward, year, set_id, registered_by}. */
int ward_programme_json(catalog_t *cat, int year, int64_t ward_id, json_t **out);
/* The ward and side of assessment id, for the caller's permission check.
 * WW_ENOTFOUND. */
int ward_assessment_scope(catalog_t *cat, int64_t id, int64_t *ward_id, int *side);
/* An evidence file: its name, where it is stored (relative to the data
 * folder) and its assessment's ward.  WW_ENOTFOUND. */
struct ward_evidence { int64_t ward_id; char *file_name, *stored_path; };
int ward_evidence_get(catalog_t *cat, int64_t file_id, struct ward_evidence *e);
void ward_evidence_clear(struct ward_evidence *e);

/* Registers a ward in a programme year under set_id (0 = the newest set whose
 * years hold the year).  WW_ECONFLICT if already registered. */
int ward_programme_register(catalog_t *cat, int64_t ward_id, int year, int64_t set_id,
                            const char *user, char **why);

struct ward_assess_in {
    int64_t ward_id; int year;
    int criterion_num;          /* number within the ward's set for the year */
    int side, result;           /* enum catalog_side, enum catalog_result */
    const char *notes, *assessor;
    const char *assessed_on;    /* local date, "YYYY-MM-DD" or DD/MM/YYYY; NULL = today */
};
/* Records an assessment (appends; history kept).  The ward must be
 * registered for the year.  Sets *id.  */
int ward_assess(catalog_t *cat, const struct ward_assess_in *in, int offset_min, int64_t *id,
                char **why);
/* Stores an evidence file for an assessment under
 * <data_dir>/evidence/criteria/<ward>/<year>/<file id>-<safe name> and
 * records it with its SHA-256.  Sets *file_id. */
int ward_assessment_attach(catalog_t *cat, const char *data_dir, int64_t assessment_id,
                           const char *file_name, const void *data, size_t len,
                           const char *user, int64_t *file_id, char **why);
int ward_recognise(catalog_t *cat, int64_t ward_id, int year, const char *decision_no,
                   const char *decision_date, const char *note, const char *user, char **why);

/* Dashboard: wards × criteria for a year.  The province's review decides:
 * met / not met only by a review; a criterion with a self-assessment and
 * no review is WARD_CELL_SELF (shown apart, counted apart, never met); an
 * "in progress" review or nothing is pending. */
enum ward_cell { WARD_CELL_PENDING, WARD_CELL_MET, WARD_CELL_NOT_MET, WARD_CELL_SELF };
/* self, review: enum catalog_result or -1 (none). */
int ward_cell_of(int self, int review);
const char *ward_cell_name(int cell);   /* "pending" "met" "not_met" "self" */
struct ward_matrix_ward {
    int64_t ward_id; char *ward_name;
    int64_t set_id; int n_criteria;
    int *self, *review;          /* per criterion index: enum catalog_result, or -1 none */
    int *cell;                   /* ward_cell_of(self, review) */
    int met, not_met, pending;   /* reviewed met, reviewed not met, neither (and not self-only) */
    int self_only, self_only_met;  /* self-assessed, not reviewed; of them the ward says met */
    char *decision_no, *decision_date;  /* recognition, if any */
};
struct ward_matrix {
    int year;
    int64_t set_id;              /* set of most wards (columns); 0 if none */
    struct catalog_criteria_set set; /* its criteria (columns) */
    struct ward_matrix_ward *wards; size_t n_wards;
    int wards_all_met;           /* wards meeting every criterion (reviewed) */
    int self_only, cells;        /* cells self-assessed only; all cells */
    int *unmet_count;            /* per criterion of `set`: wards not met */
};
int ward_matrix_build(catalog_t *cat, int year, int64_t ward_id /* 0 = all */,
                      struct ward_matrix *m);
void ward_matrix_clear(struct ward_matrix *m);
json_t *ward_matrix_json(const struct ward_matrix *m);
void ward_matrix_csv(const struct ward_matrix *m, struct ww_buf *out);
/* A ward's progress: per registered year the set, criteria count, met
 * (reviewed met: the province decides), met_self, met_review and
 * self_assessed (not reviewed), with the met count after each assessment
 * date of that year. */
json_t *ward_progress_json(catalog_t *cat, int64_t ward_id);
/* A ward's assessments of a year (current and history, files). */
json_t *ward_assessments_json(catalog_t *cat, int64_t ward_id, int year);

/* ======================================================================
 * Demo and bench data (ward_demo.c)
 * ====================================================================== */
struct ward_demo_opts {
    int n_wards;          /* ≤ 16 uses the named Nghệ An wards; more are numbered */
    int years;            /* years of incidents ending now */
    int per_ward_year;    /* mean incidents per ward and year */
    uint64_t seed;
    bool assessments;     /* register wards and assess each year from 2023 to now */
    int64_t now_us;       /* end of the generated span (0 = ww_wall_us()) */
};
struct ward_demo_report { int wards_added; int64_t incidents; int assessments; };
/* Adds wards marked "(demo)" and incidents marked demo=1.  Running it again
 * replaces the demo incidents (same seed → same data). */
int ward_demo_generate(catalog_t *cat, const struct ward_demo_opts *o, struct ward_demo_report *r);

#endif
