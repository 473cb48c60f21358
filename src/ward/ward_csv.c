/*
 * ward_csv.c — the incident register as CSV: import (all or nothing) and
 * export.
 *
 * Import reads the whole text first: RFC 4180 records (quoted fields may
 * hold commas, quotes and newlines), UTF-8 checked, a header row naming the
 * columns.  Every row is turned into an incident through the same path the
 * API uses (ward_incident_apply_json + ward_incident_validate) and every
 * error is kept with the line its record starts on.  Only when no row is
 * wrong are the rows written — in one transaction, each with its "created"
 * history row — so a file is never half-imported.
 *
 * Export writes a UTF-8 BOM (so spreadsheet programs read Vietnamese
 * correctly), the header, and one row per incident with occurred_at as ISO
 * 8601 local time with its offset.  The columns are a subset of those import
 * accepts, so an export imports back (as new incidents).
 */
#include "ward/ward.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_FIELDS = 64, MAX_FIELD_BYTES = 64 * 1024 };

static const char *const known_cols[] = {
    "id", "occurred_at", "ward", "category", "status", "summary", "address", "latitude",
    "longitude", "suspects", "drug_grams", "deaths", "injuries", "damage_vnd", "camera_ids",
};
static const char *const required_cols[] = {"occurred_at", "ward", "category", "summary"};
#define NKNOWN (sizeof known_cols / sizeof *known_cols)

void ward_csv_result_clear(struct ward_csv_result *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->n_errors; i++) free(r->errors[i].msg);
    free(r->errors);
    memset(r, 0, sizeof *r);
}

static void add_error(struct ward_csv_result *r, size_t max, int line, char *msg)
{
    if (r->n_errors >= max) { free(msg); return; }
    r->errors = ww_realloc(r->errors, (r->n_errors + 1) * sizeof *r->errors);
    r->errors[r->n_errors].line = line;
    r->errors[r->n_errors].msg = msg;
    r->n_errors++;
}

/* Length of a valid UTF-8 sequence at p (≤ n bytes left), 0 if invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    if (p[0] < 0x80) return 1;
    size_t len = (p[0] & 0xE0) == 0xC0 ? 2 : (p[0] & 0xF0) == 0xE0 ? 3 : (p[0] & 0xF8) == 0xF0 ? 4 : 0;
    if (!len || len > n || (len == 2 && p[0] < 0xC2)) return 0;
    for (size_t i = 1; i < len; i++) if ((p[i] & 0xC0) != 0x80) return 0;
    if (len == 3 && p[0] == 0xE0 && p[1] < 0xA0) return 0;
    if (len == 3 && p[0] == 0xED && p[1] >= 0xA0) return 0;   /* surrogates */
    if (len == 4 && (p[0] > 0xF4 || (p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] >= 0x90))) return 0;
    return len;
}

/* A record: its fields (heap strings) and the line it starts on. */
struct record { char **f; size_t n; int line; };

static void record_free(struct record *r)
{
    for (size_t i = 0; i < r->n; i++) free(r->f[i]);
    free(r->f);
    memset(r, 0, sizeof *r);
}

struct reader { const char *p, *end; int line; };

/* Reads one record.  1 = got one, 0 = end of text, WW_EINVAL = malformed
 * (*why set; the reader skips to the next line), WW_ECORRUPT = malformed
 * beyond resynchronising (*why set). */
static int read_record(struct reader *rd, struct record *rec, char **why)
{
    memset(rec, 0, sizeof *rec);
    if (rd->p >= rd->end) return 0;
    rec->line = rd->line;
    struct ww_buf field = {0};
    bool quoted = false, was_quoted = false;
    for (;;) {
        if (rd->p >= rd->end) {
            if (quoted) {
                *why = ww_strdup("a quoted field is not closed");
                ww_buf_free(&field);
                record_free(rec);
                return WW_EINVAL;
            }
            break;
        }
        char c = *rd->p;
        if (quoted) {
            if (c == '"') {
                if (rd->p + 1 < rd->end && rd->p[1] == '"') { ww_buf_append(&field, "\"", 1); rd->p += 2; continue; }
                quoted = false;
                rd->p++;
                continue;
            }
            if (c == '\n') rd->line++;
            ww_buf_append(&field, &c, 1);
            rd->p++;
        } else if (c == '"' && field.len == 0 && !was_quoted) {
            quoted = was_quoted = true;
            rd->p++;
        } else if (c == ',' || c == '\n' || c == '\r') {
            if (rec->n >= MAX_FIELDS) {
                *why = ww_asprintf("more than %d fields", MAX_FIELDS);
                ww_buf_free(&field);
                record_free(rec);
                while (rd->p < rd->end && *rd->p != '\n') rd->p++;
                if (rd->p < rd->end) { rd->p++; rd->line++; }
                return WW_EINVAL;
            }
            ww_buf_append(&field, "", 1);
            rec->f = ww_realloc(rec->f, (rec->n + 1) * sizeof *rec->f);
            rec->f[rec->n++] = (char *)field.data;
            field = (struct ww_buf){0};
            was_quoted = false;
            if (c == ',') { rd->p++; continue; }
            if (c == '\r') rd->p++;
            if (rd->p < rd->end && *rd->p == '\n') rd->p++;
            rd->line++;
            return 1;
        } else if (was_quoted) {
            *why = ww_strdup("text after a closing quote");
            ww_buf_free(&field);
            record_free(rec);
            while (rd->p < rd->end && *rd->p != '\n') rd->p++;
            if (rd->p < rd->end) { rd->p++; rd->line++; }
            return WW_EINVAL;
        } else {
            ww_buf_append(&field, &c, 1);
            rd->p++;
        }
        if (field.len > MAX_FIELD_BYTES) {
            *why = ww_asprintf("a field is longer than %d bytes", MAX_FIELD_BYTES);
            ww_buf_free(&field);
            record_free(rec);
            return WW_ECORRUPT;  /* cannot resync inside a huge field: caller stops */
        }
    }
    ww_buf_append(&field, "", 1);
    rec->f = ww_realloc(rec->f, (rec->n + 1) * sizeof *rec->f);
    rec->f[rec->n++] = (char *)field.data;
    return 1;
}

static bool record_blank(const struct record *r)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->f[i][strspn(r->f[i], " \t")]) return false;
    return true;
}

static char *trim_dup(const char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    size_t l = strlen(s);
    while (l && (s[l - 1] == ' ' || s[l - 1] == '\t')) l--;
    return strndup(s, l);
}

int ward_csv_import(catalog_t *cat, const char *text, size_t len, const char *user,
                    int offset_min, size_t max_errors, int64_t only_ward_id,
                    struct ward_csv_result *res)
{
    memset(res, 0, sizeof *res);
    if (!max_errors) max_errors = 100;
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) { text += 3; len -= 3; }
    /* UTF-8 first: a line number for the first bad byte. */
    int line = 1;
    for (size_t i = 0; i < len;) {
        if (text[i] == '\0') {
            add_error(res, max_errors, line, ww_strdup("NUL byte: this is not a text file"));
            return WW_EINVAL;
        }
        size_t l = utf8_len((const unsigned char *)text + i, len - i);
        if (!l) {
            add_error(res, max_errors, line, ww_strdup("not UTF-8 text (save the file as UTF-8)"));
            return WW_EINVAL;
        }
        if (text[i] == '\n') line++;
        i += l;
    }

    struct reader rd = {text, text + len, 1};
    struct record hdr;
    char *why = NULL;
    int rc = read_record(&rd, &hdr, &why);
    if (rc <= 0) {
        add_error(res, max_errors, 1, rc == 0 ? ww_strdup("the file is empty (a header row is needed)") : why);
        return WW_EINVAL;
    }
    /* Header: every column known, none twice, the required ones present. */
    int col_of[NKNOWN];
    for (size_t k = 0; k < NKNOWN; k++) col_of[k] = -1;
    for (size_t i = 0; i < hdr.n; i++) {
        char *h = trim_dup(hdr.f[i]);
        for (char *q = h; *q; q++) if (*q >= 'A' && *q <= 'Z') *q = (char)(*q - 'A' + 'a');
        size_t k = 0;
        while (k < NKNOWN && strcmp(h, known_cols[k])) k++;
        if (k == NKNOWN) {
            add_error(res, max_errors, hdr.line,
                      ww_asprintf("unknown column '%s' (known: occurred_at, ward, category, summary, status, "
                                  "address, latitude, longitude, suspects, drug_grams, deaths, injuries, "
                                  "damage_vnd, camera_ids, id)", h));
        } else if (col_of[k] >= 0) {
            add_error(res, max_errors, hdr.line, ww_asprintf("column '%s' appears twice", h));
        } else {
            col_of[k] = (int)i;
        }
        free(h);
    }
    for (size_t r = 0; r < sizeof required_cols / sizeof *required_cols; r++) {
        size_t k = 0;
        while (strcmp(known_cols[k], required_cols[r])) k++;
        if (col_of[k] < 0)
            add_error(res, max_errors, hdr.line, ww_asprintf("required column '%s' is missing", required_cols[r]));
    }
    size_t ncols = hdr.n;
    record_free(&hdr);
    if (res->n_errors) return WW_EINVAL;

    struct catalog_incident *rows = NULL;
    size_t nrows = 0;
    for (;;) {
        struct record rec;
        why = NULL;
        int start = rd.line;
        rc = read_record(&rd, &rec, &why);
        if (rc == 0) break;
        if (rc < 0) {
            add_error(res, max_errors, start, why);
            if (rc == WW_ECORRUPT || rd.p >= rd.end) break;
            continue;
        }
        if (record_blank(&rec)) { record_free(&rec); continue; }
        if (rec.n != ncols) {
            add_error(res, max_errors, rec.line,
                      ww_asprintf("expected %zu fields as in the header, found %zu", ncols, rec.n));
            record_free(&rec);
            continue;
        }
        json_t *o = json_object();
        for (size_t k = 0; k < NKNOWN; k++) {
            if (col_of[k] < 0 || !strcmp(known_cols[k], "id")) continue;
            char *v = trim_dup(rec.f[col_of[k]]);
            if (!*v && strcmp(known_cols[k], "summary")) { free(v); continue; }  /* empty = not given */
            json_object_set_new(o, known_cols[k], json_string(v));
            free(v);
        }
        struct catalog_incident inc = {.status = CATALOG_INC_RECEIVED};
        why = NULL;
        int r = ward_incident_apply_json(cat, &inc, o, offset_min, &why);
        /* An officer's import must not tell which other wards and cameras
         * exist: a row for another ward gets the answer an absent ward gets
         * (whatever else is wrong with it), and its links are checked in
         * scope before validate's plain existence check. */
        bool foreign = !r && only_ward_id && inc.ward_id != only_ward_id;
        if (!r && only_ward_id && !foreign) r = ward_incident_check_links(cat, &inc, NULL, only_ward_id, &why);
        if (!r) r = ward_incident_validate(cat, &inc, &why);
        if (foreign && (!r || r == WW_EINVAL)) {
            free(why);
            json_t *w = json_object_get(o, "ward");
            why = ww_asprintf("unknown ward '%s'", json_is_string(w) ? json_string_value(w) : "");
            r = WW_EINVAL;
        }
        json_decref(o);
        if (r == WW_EINVAL) {
            add_error(res, max_errors, rec.line, why ? why : ww_strdup("invalid row"));
            catalog_incident_clear(&inc);
        } else if (r) {
            free(why);
            catalog_incident_clear(&inc);
            record_free(&rec);
            rc = r;
            goto out;
        } else {
            rows = ww_realloc(rows, (nrows + 1) * sizeof *rows);
            rows[nrows++] = inc;
        }
        record_free(&rec);
    }
    if (res->n_errors) { rc = WW_EINVAL; goto out; }
    if (nrows == 0) {
        add_error(res, max_errors, 2, ww_strdup("no data rows after the header"));
        rc = WW_EINVAL;
        goto out;
    }
    if ((rc = catalog_begin(cat))) goto out;
    int64_t now = ww_wall_us();
    for (size_t i = 0; i < nrows && !rc; i++) {
        free(rows[i].created_by);
        rows[i].created_by = ww_strdup(user);
        rows[i].created_us = now;
        rc = catalog_incident_add(cat, &rows[i]);
        if (!rc) {
            char *cc = NULL, *wn = NULL;
            struct catalog_incident_category c;
            if (catalog_incident_category_get(cat, rows[i].category_id, &c) == 0) {
                cc = c.code;
                c.code = NULL;
                catalog_incident_category_clear(&c);
            }
            catalog_ward_name(cat, rows[i].ward_id, &wn);
            rows[i].category_code = cc;
            rows[i].ward_name = wn;
            json_t *j = ward_incident_json(&rows[i], offset_min);
            json_object_del(j, "id");
            json_object_set_new(j, "source", json_string("csv import"));
            char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
            rc = catalog_incident_history_add(cat, rows[i].id, now, user, "created", s);
            free(s);
            json_decref(j);
        }
    }
    if (!rc) rc = catalog_commit(cat);
    if (rc) catalog_rollback(cat);
    else res->imported = nrows;
out:
    catalog_incident_list_free(rows, nrows);
    return rc;
}

/* ---- export ------------------------------------------------------------ */

void ward_csv_field(struct ww_buf *out, const char *s)
{
    if (!s) return;
    /* Quote when needed; also defuse spreadsheet formulas ("=…", "+…") by
     * quoting only — the value itself is kept exact for re-import. */
    if (!strpbrk(s, ",\"\r\n") && s[0] != ' ' && (!*s || s[strlen(s) - 1] != ' ')) {
        ww_buf_append(out, s, strlen(s));
        return;
    }
    ww_buf_append(out, "\"", 1);
    for (const char *p = s; *p; p++) {
        if (*p == '"') ww_buf_append(out, "\"", 1);
        ww_buf_append(out, p, 1);
    }
    ww_buf_append(out, "\"", 1);
}

struct export_ctx { struct ww_buf *out; int offset_min; };

static int export_row(const struct catalog_incident *r, void *arg)
{
    struct export_ctx *x = arg;
    struct ww_buf *o = x->out;
    char t[40];
    ww_buf_printf(o, "%lld,%s,", (long long)r->id, ward_time_iso(r->occurred_at, x->offset_min, t, sizeof t));
    ward_csv_field(o, r->ward_name);
    ww_buf_append(o, ",", 1);
    ward_csv_field(o, r->category_code);
    ww_buf_printf(o, ",%s,", catalog_inc_status_name(r->status));
    ward_csv_field(o, r->summary);
    ww_buf_append(o, ",", 1);
    ward_csv_field(o, r->address);
    if (r->has_pos) ww_buf_printf(o, ",%.6f,%.6f", r->latitude, r->longitude);
    else ww_buf_append(o, ",,", 2);
    if (r->has & CATALOG_FIG_SUSPECTS) ww_buf_printf(o, ",%lld", (long long)r->suspects); else ww_buf_append(o, ",", 1);
    if (r->has & CATALOG_FIG_DRUG_GRAMS) ww_buf_printf(o, ",%.10g", r->drug_grams); else ww_buf_append(o, ",", 1);
    if (r->has & CATALOG_FIG_DEATHS) ww_buf_printf(o, ",%lld", (long long)r->deaths); else ww_buf_append(o, ",", 1);
    if (r->has & CATALOG_FIG_INJURIES) ww_buf_printf(o, ",%lld", (long long)r->injuries); else ww_buf_append(o, ",", 1);
    if (r->has & CATALOG_FIG_DAMAGE) ww_buf_printf(o, ",%lld", (long long)r->damage_vnd); else ww_buf_append(o, ",", 1);
    ww_buf_append(o, "\r\n", 2);
    return 0;
}

int ward_csv_export(catalog_t *cat, const struct catalog_incident_filter *f, int offset_min,
                    struct ww_buf *out)
{
    ww_buf_append(out, "\xEF\xBB\xBF", 3);
    ww_buf_printf(out, "id,occurred_at,ward,category,status,summary,address,latitude,longitude,"
                       "suspects,drug_grams,deaths,injuries,damage_vnd\r\n");
    struct export_ctx x = {out, offset_min};
    return catalog_incident_each(cat, f, export_row, &x);
}
