/*
 * ward_criteria.c — the model-ward criteria programme ("Công an phường
 * điển hình, kiểu mẫu"): criteria sets as versioned data, wards registered
 * per programme year, assessments, evidence files, recognition, and the
 * province dashboard (wards × criteria matrix, progress).
 *
 * Why versions: the official sets change (22 criteria for 2021–2023, 20 from
 * 2024) and a ward is judged against the set in force for the year.  A set
 * that anything refers to is frozen; editing it makes version n+1 of the
 * same family, so 2023's assessments still point at the 22 criteria they
 * were made against.  The shipped sets are templates written for wardwatch
 * (the .json files in data/criteria), labelled as such, never official text.
 *
 * Assessments are appended, never updated: the current answer for a
 * (ward, year, criterion, side) is the newest row, and the rows before it
 * are its history.  The ward's self-assessment (side "self") and the
 * province's review ("review") are separate rows.  The review decides: a
 * criterion counts as met (in the matrix, every total, the progress) only
 * when the province reviewed it met; a self-assessment alone is shown and
 * counted apart ("tự đánh giá"), never as met (ward_cell_of).
 *
 * Concurrency: first-use loading of the templates runs inside BEGIN
 * IMMEDIATE after re-checking that no set exists, so two threads cannot both
 * load them.
 */
#include "ward/ward.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- JSON form ---------------------------------------------------------- */

static bool family_ok(const char *s)
{
    if (!s || !*s || strlen(s) > 64) return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_')) return false;
    return true;
}

static const char *opt_str(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

int ward_criteria_from_json(json_t *obj, struct catalog_criteria_set *out, char **why)
{
    memset(out, 0, sizeof *out);
    if (!json_is_object(obj)) { *why = ww_strdup("a criteria set must be a JSON object"); return WW_EINVAL; }
    const char *family = opt_str(obj, "family"), *name = opt_str(obj, "name");
    json_t *yf = json_object_get(obj, "year_from"), *yt = json_object_get(obj, "year_to");
    json_t *groups = json_object_get(obj, "groups");
    if (!family_ok(family)) { *why = ww_strdup("family must be 1–64 characters a-z, 0-9, '-' or '_'"); return WW_EINVAL; }
    if (!name || !*name || strlen(name) > 300) { *why = ww_strdup("name is required (≤ 300 bytes)"); return WW_EINVAL; }
    if (!json_is_integer(yf) || !json_is_integer(yt) || json_integer_value(yf) < 2000 ||
        json_integer_value(yt) > 2100 || json_integer_value(yt) < json_integer_value(yf)) {
        *why = ww_strdup("year_from and year_to must be years 2000–2100, year_from ≤ year_to");
        return WW_EINVAL;
    }
    if (!json_is_array(groups) || json_array_size(groups) == 0) {
        *why = ww_strdup("groups must be a non-empty list");
        return WW_EINVAL;
    }
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        if (strcmp(key, "family") && strcmp(key, "name") && strcmp(key, "year_from") && strcmp(key, "year_to") &&
            strcmp(key, "note") && strcmp(key, "groups") && strcmp(key, "id") && strcmp(key, "version") &&
            strcmp(key, "$comment") && strcmp(key, "created_at") && strcmp(key, "created_by") &&
            strcmp(key, "replaces_id") && strcmp(key, "in_use") && strcmp(key, "n_criteria")) {
            *why = ww_asprintf("unknown field '%s'", key);
            return WW_EINVAL;
        }
    }
    out->family = ww_strdup(family);
    out->name = ww_strdup(name);
    out->note = ww_strdup(opt_str(obj, "note"));
    out->year_from = (int)json_integer_value(yf);
    out->year_to = (int)json_integer_value(yt);
    size_t gi;
    json_t *g;
    json_array_foreach(groups, gi, g) {
        json_t *gnum = json_object_get(g, "num"), *crits = json_object_get(g, "criteria");
        const char *gname = opt_str(g, "name");
        if (!json_is_integer(gnum) || json_integer_value(gnum) < 1 || json_integer_value(gnum) > 100 ||
            !gname || !*gname || !json_is_array(crits)) {
            *why = ww_asprintf("group %zu needs num (1–100), name and a criteria list", gi + 1);
            goto bad;
        }
        for (size_t k = 0; k < out->n_groups; k++)
            if (out->groups[k].num == json_integer_value(gnum)) {
                *why = ww_asprintf("group number %d appears twice", (int)json_integer_value(gnum));
                goto bad;
            }
        out->groups = ww_realloc(out->groups, (out->n_groups + 1) * sizeof *out->groups);
        out->groups[out->n_groups].num = (int)json_integer_value(gnum);
        out->groups[out->n_groups].name = ww_strdup(gname);
        out->n_groups++;
        size_t ci;
        json_t *c;
        json_array_foreach(crits, ci, c) {
            json_t *cnum = json_object_get(c, "num");
            const char *title = opt_str(c, "title");
            if (!json_is_integer(cnum) || json_integer_value(cnum) < 1 || json_integer_value(cnum) > 500 ||
                !title || !*title) {
                *why = ww_asprintf("criterion %zu of group %d needs num (1–500) and title", ci + 1,
                                   (int)json_integer_value(gnum));
                goto bad;
            }
            for (size_t k = 0; k < out->n_criteria; k++)
                if (out->criteria[k].num == json_integer_value(cnum)) {
                    *why = ww_asprintf("criterion number %d appears twice", (int)json_integer_value(cnum));
                    goto bad;
                }
            out->criteria = ww_realloc(out->criteria, (out->n_criteria + 1) * sizeof *out->criteria);
            struct catalog_criterion *cr = &out->criteria[out->n_criteria++];
            memset(cr, 0, sizeof *cr);
            cr->group_num = (int)json_integer_value(gnum);
            cr->num = (int)json_integer_value(cnum);
            cr->title = ww_strdup(title);
            cr->description = ww_strdup(opt_str(c, "description"));
            cr->evidence = ww_strdup(opt_str(c, "evidence"));
        }
    }
    if (out->n_criteria == 0) { *why = ww_strdup("the set has no criteria"); goto bad; }
    return 0;
bad:
    catalog_criteria_set_clear(out);
    return WW_EINVAL;
}

json_t *ward_criteria_to_json(const struct catalog_criteria_set *s)
{
    char t[40];
    json_t *groups = json_array();
    for (size_t i = 0; i < s->n_groups; i++) {
        json_t *crits = json_array();
        for (size_t k = 0; k < s->n_criteria; k++) {
            const struct catalog_criterion *c = &s->criteria[k];
            if (c->group_num != s->groups[i].num) continue;
            json_array_append_new(crits, json_pack("{s:I,s:i,s:s,s:s?,s:s?}", "id", (json_int_t)c->id, "num",
                                                   c->num, "title", c->title, "description", c->description,
                                                   "evidence", c->evidence));
        }
        json_array_append_new(groups, json_pack("{s:i,s:s,s:o}", "num", s->groups[i].num, "name",
                                                s->groups[i].name, "criteria", crits));
    }
    return json_pack("{s:I,s:s,s:i,s:s,s:i,s:i,s:s?,s:s,s:s?,s:o,s:I,s:o}", "id", (json_int_t)s->id, "family",
                     s->family, "version", s->version, "name", s->name, "year_from", s->year_from, "year_to",
                     s->year_to, "note", s->note, "created_at",
                     ward_time_iso(s->created_us, ww_station_offset_min(), t, sizeof t), "created_by",
                     s->created_by, "replaces_id", s->replaces_id ? json_integer(s->replaces_id) : json_null(),
                     "n_criteria", (json_int_t)s->n_criteria, "groups", groups);
}

/* Inserts as the next version of its family; caller holds the transaction. */
static int import_locked(catalog_t *cat, struct catalog_criteria_set *s, const char *user, int64_t replaces)
{
    int v = 0;
    int rc = catalog_criteria_set_max_version(cat, s->family, &v);
    if (rc) return rc;
    s->version = v + 1;
    free(s->created_by);
    s->created_by = ww_strdup(user);
    s->created_us = ww_wall_us();
    s->replaces_id = replaces;
    return catalog_criteria_set_add(cat, s);
}

int ward_criteria_import(catalog_t *cat, json_t *obj, const char *user, int64_t *id, char **why)
{
    struct catalog_criteria_set s;
    int rc = ward_criteria_from_json(obj, &s, why);
    if (rc) return rc;
    if ((rc = catalog_begin(cat)) == 0) {
        rc = import_locked(cat, &s, user, 0);
        if (!rc) rc = catalog_commit(cat);
        if (rc) catalog_rollback(cat);
    }
    if (!rc && id) *id = s.id;
    catalog_criteria_set_clear(&s);
    return rc;
}

static int load_json_file(const char *path, json_t **out, char **why)
{
    char *text = NULL;
    size_t len = 0;
    int rc = ww_read_file(path, 4 << 20, &text, &len);
    if (rc) { *why = ww_asprintf("cannot read %s: %s", path, ww_strerror(rc)); return rc == -ENOENT ? WW_ENOTFOUND : WW_EINVAL; }
    json_error_t err;
    *out = json_loadb(text, len, 0, &err);
    free(text);
    if (!*out) { *why = ww_asprintf("%s:%d: %s", path, err.line, err.text); return WW_EINVAL; }
    return 0;
}

int ward_criteria_import_file(catalog_t *cat, const char *path, const char *user, int64_t *id, char **why)
{
    json_t *j;
    int rc = load_json_file(path, &j, why);
    if (rc) return rc;
    rc = ward_criteria_import(cat, j, user, id, why);
    json_decref(j);
    return rc;
}

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

char *ward_criteria_dir(void)
{
    const char *env = ww_env_str("WARDWATCH_CRITERIA_DIR");
    if (env && *env) return is_dir(env) ? ww_strdup(env) : NULL;
    env = ww_env_str("WARDWATCH_SHARE");
    if (env && *env) {
        char *p = ww_asprintf("%s/data/criteria", env);
        if (is_dir(p)) return p;
        free(p);
    }
    /* installed (/usr/bin → /usr/share/wardwatch/data) first, so that a stray
     * /data/criteria on a station's box can never stand in for the packaged
     * sets; then a build tree: <exe dir>/../data, ../../data, ../../../data */
    static const char *const rel[] = {"../share/wardwatch/data/criteria", "../data/criteria", "../../data/criteria",
                                      "../../../data/criteria", "data/criteria"};
    for (size_t i = 0; i < sizeof rel / sizeof *rel; i++) {
        char *p = ww_exe_relative(rel[i]);
        if (p && is_dir(p)) return p;
        free(p);
    }
    return NULL;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int ward_criteria_ensure_default(catalog_t *cat)
{
    int64_t count = 0;
    int rc = catalog_criteria_set_count(cat, &count);
    if (rc || count) return rc;
    char *dir = ward_criteria_dir();
    if (!dir) {
        ww_warn("ward", "no data/criteria folder found (set WARDWATCH_CRITERIA_DIR): no criteria set loaded");
        return WW_ENOTFOUND;
    }
    DIR *d = opendir(dir);
    char **names = NULL;
    size_t nn = 0;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l > 5 && !strcmp(e->d_name + l - 5, ".json")) {
            names = ww_realloc(names, (nn + 1) * sizeof *names);
            names[nn++] = ww_strdup(e->d_name);
        }
    }
    if (d) closedir(d);
    if (nn) qsort(names, nn, sizeof *names, cmp_str);
    if ((rc = catalog_begin(cat))) goto out;
    if ((rc = catalog_criteria_set_count(cat, &count)) || count) {  /* someone else loaded them */
        catalog_rollback(cat);
        goto out;
    }
    for (size_t i = 0; i < nn && !rc; i++) {
        char *path = ww_asprintf("%s/%s", dir, names[i]);
        char *why = NULL;
        json_t *j = NULL;
        struct catalog_criteria_set s;
        rc = load_json_file(path, &j, &why);
        if (!rc) rc = ward_criteria_from_json(j, &s, &why);
        if (!rc) {
            rc = import_locked(cat, &s, "system", 0);
            if (!rc) ww_info("ward", "loaded criteria template %s (%zu criteria)", names[i], s.n_criteria);
            catalog_criteria_set_clear(&s);
        }
        if (rc && why) ww_error("ward", "criteria template %s: %s", path, why);
        json_decref(j);
        free(why);
        free(path);
    }
    if (!rc) rc = catalog_commit(cat);
    if (rc) catalog_rollback(cat);
out:
    for (size_t i = 0; i < nn; i++) free(names[i]);
    free(names);
    free(dir);
    return rc;
}

int ward_criteria_edit(catalog_t *cat, int64_t id, json_t *obj, const char *user, int64_t *new_id,
                       bool *new_version, char **why)
{
    struct catalog_criteria_set old, s;
    int rc = catalog_criteria_set_get(cat, id, &old);
    if (rc == WW_ENOTFOUND) *why = ww_asprintf("no criteria set %lld", (long long)id);
    if (rc) return rc;
    /* The family is the set's identity: an edit keeps it. */
    json_t *o = json_deep_copy(obj);
    if (json_is_object(o)) json_object_set_new(o, "family", json_string(old.family));
    rc = ward_criteria_from_json(o, &s, why);
    json_decref(o);
    if (rc) { catalog_criteria_set_clear(&old); return rc; }
    if ((rc = catalog_begin(cat))) goto out;
    bool used = false;
    rc = catalog_criteria_set_in_use(cat, id, &used);
    if (!rc && used) {
        rc = import_locked(cat, &s, user, id);
        *new_version = true;
    } else if (!rc) {
        s.id = id;
        s.version = old.version;
        rc = catalog_criteria_set_rewrite(cat, &s);
        *new_version = false;
    }
    if (!rc) rc = catalog_commit(cat);
    if (rc) catalog_rollback(cat);
    else *new_id = s.id;
out:
    catalog_criteria_set_clear(&old);
    catalog_criteria_set_clear(&s);
    return rc;
}

/* ---- registration, assessment, evidence, recognition -------------------- */

int ward_programme_register(catalog_t *cat, int64_t ward_id, int year, int64_t set_id, const char *user,
                            char **why)
{
    char *wn = NULL;
    int rc = catalog_ward_name(cat, ward_id, &wn);
    free(wn);
    if (rc == WW_ENOTFOUND) { *why = ww_asprintf("no ward %lld", (long long)ward_id); return rc; }
    if (rc) return rc;
    if (year < 2000 || year > 2100) { *why = ww_strdup("year must be 2000–2100"); return WW_EINVAL; }
    if (!set_id) {
        ward_criteria_ensure_default(cat);
        rc = catalog_criteria_set_for_year(cat, year, &set_id);
        if (rc == WW_ENOTFOUND) { *why = ww_asprintf("no criteria set covers %d", year); return WW_EINVAL; }
        if (rc) return rc;
    }
    struct catalog_criteria_set s;
    rc = catalog_criteria_set_get(cat, set_id, &s);
    if (rc == WW_ENOTFOUND) { *why = ww_asprintf("no criteria set %lld", (long long)set_id); return WW_EINVAL; }
    if (rc) return rc;
    if (year < s.year_from || year > s.year_to) {
        *why = ww_asprintf("set %lld covers %d–%d, not %d", (long long)set_id, s.year_from, s.year_to, year);
        catalog_criteria_set_clear(&s);
        return WW_EINVAL;
    }
    catalog_criteria_set_clear(&s);
    struct catalog_programme_ward p = {.ward_id = ward_id, .year = year, .set_id = set_id,
                                   .registered_by = (char *)user};
    rc = catalog_programme_register(cat, &p);
    if (rc == WW_ECONFLICT) *why = ww_asprintf("the ward is already registered for %d", year);
    return rc;
}

/* The set a ward is registered under for a year. */
static int ward_year_set(catalog_t *cat, int64_t ward_id, int year, int64_t *set_id)
{
    struct catalog_programme_ward *v;
    size_t n;
    int rc = catalog_programme_list(cat, year, ward_id, &v, &n);
    if (rc) return rc;
    rc = n ? 0 : WW_ENOTFOUND;
    if (n) *set_id = v[0].set_id;
    catalog_programme_ward_list_free(v, n);
    return rc;
}

static void today(int offset_min, char *buf, size_t n)
{
    ward_date_iso(ward_date_of_us(ww_wall_us(), offset_min), buf, n);
}

int ward_assess(catalog_t *cat, const struct ward_assess_in *in, int offset_min, int64_t *id, char **why)
{
    int64_t set_id;
    int rc = ward_year_set(cat, in->ward_id, in->year, &set_id);
    if (rc == WW_ENOTFOUND) {
        *why = ww_asprintf("the ward is not registered in the programme for %d", in->year);
        return WW_EINVAL;
    }
    if (rc) return rc;
    if (!catalog_side_name(in->side) || !catalog_result_name(in->result)) {
        *why = ww_strdup("side must be self or review; result met, not_met or in_progress");
        return WW_EINVAL;
    }
    if (in->notes && strlen(in->notes) > 8000) { *why = ww_strdup("notes are longer than 8000 bytes"); return WW_EINVAL; }
    char date[16];
    if (in->assessed_on && *in->assessed_on) {
        struct ward_date d;
        if (ward_date_parse(in->assessed_on, &d)) {
            *why = ww_asprintf("bad date '%s'", in->assessed_on);
            return WW_EINVAL;
        }
        ward_date_iso(d, date, sizeof date);
    } else {
        today(offset_min, date, sizeof date);
    }
    struct catalog_criteria_set s;
    if ((rc = catalog_criteria_set_get(cat, set_id, &s))) return rc;
    int64_t crit = 0;
    for (size_t i = 0; i < s.n_criteria; i++)
        if (s.criteria[i].num == in->criterion_num) crit = s.criteria[i].id;
    size_t total = s.n_criteria;
    catalog_criteria_set_clear(&s);
    if (!crit) {
        *why = ww_asprintf("criterion %d is not in the ward's set for %d (1–%zu)", in->criterion_num, in->year, total);
        return WW_EINVAL;
    }
    struct catalog_assessment a = {.ward_id = in->ward_id, .year = in->year, .criterion_id = crit, .side = in->side,
                               .result = in->result, .notes = (char *)in->notes,
                               .assessor = (char *)(in->assessor ? in->assessor : "?"), .assessed_on = date};
    rc = catalog_assessment_add(cat, &a);
    if (!rc && id) *id = a.id;
    return rc;
}

static char *safe_name(const char *s)
{
    size_t n = strlen(s);
    if (n > 80) s += n - 80;
    char *o = ww_strdup(s);
    for (char *p = o; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '.' ||
              *p == '-' || *p == '_'))
            *p = '_';
    for (char *p = o; *p; p++)  /* no ".." anywhere, even without slashes */
        if (p[0] == '.' && p[1] == '.') p[0] = '_';
    if (o[0] == '.' || !o[0]) {
        char *q = ww_asprintf("f%s", o);
        free(o);
        o = q;
    }
    return o;
}

int ward_assessment_attach(catalog_t *cat, const char *data_dir, int64_t assessment_id, const char *file_name,
                           const void *data, size_t len, const char *user, int64_t *file_id, char **why)
{
    struct catalog_assessment a;
    int rc = catalog_assessment_get(cat, assessment_id, &a);
    if (rc == WW_ENOTFOUND) *why = ww_asprintf("no assessment %lld", (long long)assessment_id);
    if (rc) return rc;
    if (!file_name || !*file_name || strlen(file_name) > 255) {
        catalog_assessment_clear(&a);
        *why = ww_strdup("a file name (≤ 255 bytes) is needed");
        return WW_EINVAL;
    }
    char hex[WW_SHA256_HEX];
    ww_sha256_hex(data, len, hex);
    char *safe = safe_name(file_name);
    char *rel = ww_asprintf("evidence/criteria/%lld/%d/%lld-%.12s-%s", (long long)a.ward_id, a.year,
                            (long long)assessment_id, hex, safe);
    char *dir = ww_asprintf("%s/evidence/criteria/%lld/%d", data_dir, (long long)a.ward_id, a.year);
    char *path = ww_asprintf("%s/%s", data_dir, rel);
    free(safe);
    catalog_assessment_clear(&a);
    rc = ww_mkdirs(dir, 0750);
    int fd = rc ? -1 : open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (!rc && fd < 0) rc = -errno;
    for (size_t off = 0; !rc && off < len;) {
        ssize_t w = write(fd, (const char *)data + off, len - off);
        if (w < 0) rc = errno == EINTR ? 0 : -errno;
        else off += (size_t)w;
    }
    if (!rc && fsync(fd) != 0) rc = -errno;
    if (fd >= 0) close(fd);
    if (!rc) rc = ww_fsync_dir_of(path);
    if (rc) {
        ww_error("ward", "cannot store evidence file %s: %s", path, ww_strerror(rc));
        unlink(path);
    } else {
        struct catalog_assessment_file f = {.assessment_id = assessment_id, .file_name = (char *)file_name,
                                        .stored_path = rel, .sha256 = hex, .added_by = (char *)user,
                                        .bytes = (int64_t)len};
        rc = catalog_assessment_file_add(cat, &f);
        if (rc) unlink(path);
        else if (file_id) *file_id = f.id;
    }
    free(rel);
    free(dir);
    free(path);
    return rc;
}

int ward_recognise(catalog_t *cat, int64_t ward_id, int year, const char *decision_no, const char *decision_date,
                   const char *note, const char *user, char **why)
{
    struct ward_date d;
    if (!decision_no || !*decision_no || strlen(decision_no) > 100) {
        *why = ww_strdup("decision_no is required");
        return WW_EINVAL;
    }
    if (!decision_date || ward_date_parse(decision_date, &d)) {
        *why = ww_strdup("decision_date must be a date (YYYY-MM-DD or DD/MM/YYYY)");
        return WW_EINVAL;
    }
    int64_t set_id;
    int rc = ward_year_set(cat, ward_id, year, &set_id);
    if (rc == WW_ENOTFOUND) {
        *why = ww_asprintf("the ward is not registered in the programme for %d", year);
        return WW_EINVAL;
    }
    if (rc) return rc;
    char iso[16];
    struct catalog_recognition r = {.ward_id = ward_id, .year = year, .decision_no = (char *)decision_no,
                                .decision_date = ward_date_iso(d, iso, sizeof iso), .note = (char *)note,
                                .recorded_by = (char *)user};
    rc = catalog_recognition_add(cat, &r);
    if (rc == WW_ECONFLICT) *why = ww_asprintf("a recognition for %d is already recorded", year);
    return rc;
}

/* ---- dashboard ------------------------------------------------------------ */

/* The province's review decides (decision 007, issue 17 item 2): a
 * criterion is met or not met only by a review; a self-assessment alone is
 * WARD_CELL_SELF whatever it says, and an "in progress" review or none at
 * all is pending. */
int ward_cell_of(int self, int review)
{
    if (review == CATALOG_RES_MET) return WARD_CELL_MET;
    if (review == CATALOG_RES_NOT_MET) return WARD_CELL_NOT_MET;
    if (review < 0 && self >= 0) return WARD_CELL_SELF;
    return WARD_CELL_PENDING;
}

const char *ward_cell_name(int c)
{
    switch (c) {
    case WARD_CELL_MET: return "met";
    case WARD_CELL_NOT_MET: return "not_met";
    case WARD_CELL_SELF: return "self";
    default: return "pending";
    }
}

/* A small cache of sets by id. */
struct set_cache { struct catalog_criteria_set *v; size_t n; };

static const struct catalog_criteria_set *cache_get(catalog_t *cat, struct set_cache *c, int64_t id)
{
    for (size_t i = 0; i < c->n; i++) if (c->v[i].id == id) return &c->v[i];
    struct catalog_criteria_set s;
    if (catalog_criteria_set_get(cat, id, &s)) return NULL;
    c->v = ww_realloc(c->v, (c->n + 1) * sizeof *c->v);
    c->v[c->n] = s;
    return &c->v[c->n++];
}

static void cache_free(struct set_cache *c)
{
    catalog_criteria_set_list_free(c->v, c->n);
    memset(c, 0, sizeof *c);
}

static int crit_index(const struct catalog_criteria_set *s, int64_t criterion_id)
{
    for (size_t i = 0; i < s->n_criteria; i++) if (s->criteria[i].id == criterion_id) return (int)i;
    return -1;
}

void ward_matrix_clear(struct ward_matrix *m)
{
    if (!m) return;
    for (size_t i = 0; i < m->n_wards; i++) {
        struct ward_matrix_ward *w = &m->wards[i];
        free(w->ward_name); free(w->self); free(w->review); free(w->cell);
        free(w->decision_no); free(w->decision_date);
    }
    free(m->wards);
    free(m->unmet_count);
    catalog_criteria_set_clear(&m->set);
    memset(m, 0, sizeof *m);
}

int ward_matrix_build(catalog_t *cat, int year, int64_t ward_id, struct ward_matrix *m)
{
    memset(m, 0, sizeof *m);
    m->year = year;
    struct catalog_programme_ward *reg = NULL;
    size_t nreg = 0;
    struct catalog_assessment *cur = NULL;
    size_t ncur = 0;
    struct catalog_recognition *rec = NULL;
    size_t nrec = 0;
    struct set_cache cache = {0};
    int rc;
    if ((rc = catalog_programme_list(cat, year, ward_id, &reg, &nreg)) ||
        (rc = catalog_assessment_current(cat, year, ward_id, &cur, &ncur)) ||
        (rc = catalog_recognition_list(cat, year, &rec, &nrec)))
        goto out;
    /* Columns: the set most wards of the year use. */
    size_t best = 0;
    for (size_t i = 0; i < nreg; i++) {
        size_t k = 0;
        for (size_t j = 0; j < nreg; j++) k += reg[j].set_id == reg[i].set_id;
        if (k > best || (k == best && reg[i].set_id < m->set_id)) { best = k; m->set_id = reg[i].set_id; }
    }
    if (m->set_id && (rc = catalog_criteria_set_get(cat, m->set_id, &m->set))) goto out;
    m->unmet_count = ww_calloc(m->set.n_criteria ? m->set.n_criteria : 1, sizeof *m->unmet_count);
    m->wards = ww_calloc(nreg ? nreg : 1, sizeof *m->wards);
    for (size_t i = 0; i < nreg; i++) {
        const struct catalog_criteria_set *s = cache_get(cat, &cache, reg[i].set_id);
        if (!s) { rc = WW_EDB; goto out; }
        struct ward_matrix_ward *w = &m->wards[m->n_wards++];
        w->ward_id = reg[i].ward_id;
        w->ward_name = ww_strdup(reg[i].ward_name);
        w->set_id = reg[i].set_id;
        w->n_criteria = (int)s->n_criteria;
        size_t nc = s->n_criteria ? s->n_criteria : 1;
        w->self = ww_malloc(nc * sizeof *w->self);
        w->review = ww_malloc(nc * sizeof *w->review);
        w->cell = ww_malloc(nc * sizeof *w->cell);
        for (size_t k = 0; k < nc; k++) w->self[k] = w->review[k] = -1;
        for (size_t k = 0; k < ncur; k++) {
            if (cur[k].ward_id != w->ward_id) continue;
            int idx = crit_index(s, cur[k].criterion_id);
            if (idx < 0) continue;
            (cur[k].side == CATALOG_SIDE_REVIEW ? w->review : w->self)[idx] = cur[k].result;
        }
        for (int k = 0; k < w->n_criteria; k++) {
            w->cell[k] = ward_cell_of(w->self[k], w->review[k]);
            if (w->cell[k] == WARD_CELL_MET) w->met++;
            else if (w->cell[k] == WARD_CELL_NOT_MET) {
                w->not_met++;
                if (w->set_id == m->set_id) m->unmet_count[k]++;
            } else if (w->cell[k] == WARD_CELL_SELF) {
                w->self_only++;
                w->self_only_met += w->self[k] == CATALOG_RES_MET;
            } else w->pending++;
        }
        m->self_only += w->self_only;
        m->cells += w->n_criteria;
        if (w->n_criteria && w->met == w->n_criteria) m->wards_all_met++;
        for (size_t k = 0; k < nrec; k++)
            if (rec[k].ward_id == w->ward_id) {
                w->decision_no = ww_strdup(rec[k].decision_no);
                w->decision_date = ww_strdup(rec[k].decision_date);
            }
    }
out:
    catalog_programme_ward_list_free(reg, nreg);
    catalog_assessment_list_free(cur, ncur);
    catalog_recognition_list_free(rec, nrec);
    cache_free(&cache);
    if (rc) ward_matrix_clear(m);
    return rc;
}

json_t *ward_matrix_json(const struct ward_matrix *m)
{
    json_t *o = json_object();
    json_object_set_new(o, "year", json_integer(m->year));
    json_t *cols = json_array();
    for (size_t i = 0; i < m->set.n_criteria; i++)
        json_array_append_new(cols, json_pack("{s:i,s:i,s:s,s:i}", "num", m->set.criteria[i].num, "group",
                                              m->set.criteria[i].group_num, "title", m->set.criteria[i].title,
                                              "not_met", m->unmet_count[i]));
    json_object_set_new(o, "set", m->set_id ? json_pack("{s:I,s:s,s:i,s:s,s:I,s:s?}", "id", (json_int_t)m->set.id,
                                                        "name", m->set.name, "version", m->set.version, "family",
                                                        m->set.family, "n_criteria", (json_int_t)m->set.n_criteria,
                                                        "note", m->set.note)
                                            : json_null());
    json_object_set_new(o, "criteria", cols);
    json_t *rows = json_array();
    int ncrit = (int)m->set.n_criteria;
    int *dist = ww_calloc((size_t)ncrit + 1, sizeof *dist);
    for (size_t i = 0; i < m->n_wards; i++) {
        const struct ward_matrix_ward *w = &m->wards[i];
        json_t *cells = json_array();
        for (int k = 0; k < w->n_criteria; k++) {
            json_t *c = json_pack("{s:s,s:o,s:o}", "cell", ward_cell_name(w->cell[k]), "self",
                                  w->self[k] >= 0 ? json_string(catalog_result_name(w->self[k])) : json_null(), "review",
                                  w->review[k] >= 0 ? json_string(catalog_result_name(w->review[k])) : json_null());
            json_array_append_new(cells, c);
        }
        if (w->set_id == m->set_id && w->met <= ncrit) dist[w->met]++;
        json_t *r = json_pack("{s:I,s:s,s:I,s:i,s:i,s:i,s:i,s:i,s:i,s:o}", "ward_id", (json_int_t)w->ward_id, "ward",
                              w->ward_name, "set_id", (json_int_t)w->set_id, "n_criteria", w->n_criteria, "met",
                              w->met, "not_met", w->not_met, "pending", w->pending, "self_assessed", w->self_only,
                              "self_met", w->self_only_met, "cells", cells);
        char *t = ww_asprintf("đạt %d/%d", w->met, w->n_criteria);
        json_object_set_new(r, "text", json_string(t));
        free(t);
        t = ww_asprintf("tự đánh giá %d", w->self_only);
        json_object_set_new(r, "self_text", json_string(t));
        free(t);
        if (w->decision_no)
            json_object_set_new(r, "recognition", json_pack("{s:s,s:s}", "decision_no", w->decision_no,
                                                            "decision_date", w->decision_date));
        json_array_append_new(rows, r);
    }
    json_object_set_new(o, "wards", rows);
    /* "16/16 phường đạt 22/22": wards meeting everything, then the spread. */
    json_t *spread = json_array();
    for (int k = ncrit; k >= 0; k--)
        if (dist[k]) json_array_append_new(spread, json_pack("{s:i,s:i}", "met", k, "wards", dist[k]));
    char *text = ww_asprintf("%d/%zu phường đạt %d/%d tiêu chí", m->wards_all_met, m->n_wards, ncrit, ncrit);
    char *text_en = ww_asprintf("%d of %zu wards meet %d/%d criteria", m->wards_all_met, m->n_wards, ncrit, ncrit);
    json_object_set_new(o, "summary", json_pack("{s:I,s:i,s:s,s:s,s:o}", "wards", (json_int_t)m->n_wards, "all_met",
                                                m->wards_all_met, "text", text, "text_en", text_en, "spread", spread));
    free(text);
    free(text_en);
    /* the cells the province has not reviewed, counted apart */
    text = ww_asprintf("%d/%d ô mới tự đánh giá (tỉnh chưa thẩm định, không tính là đạt)", m->self_only, m->cells);
    text_en = ww_asprintf("%d of %d cells self-assessed only (not reviewed, not counted as met)", m->self_only, m->cells);
    json_t *sum = json_object_get(o, "summary");
    json_object_set_new(sum, "self_assessed", json_integer(m->self_only));
    json_object_set_new(sum, "cells", json_integer(m->cells));
    json_object_set_new(sum, "self_text", json_string(text));
    json_object_set_new(sum, "self_text_en", json_string(text_en));
    free(text);
    free(text_en);
    free(dist);
    /* Criteria most often not met, worst first (ties by number). */
    json_t *worst = json_array();
    int *order = ww_malloc((size_t)(ncrit ? ncrit : 1) * sizeof *order);
    for (int i = 0; i < ncrit; i++) order[i] = i;
    for (int i = 1; i < ncrit; i++)
        for (int j = i; j > 0 && m->unmet_count[order[j]] > m->unmet_count[order[j - 1]]; j--) {
            int t = order[j]; order[j] = order[j - 1]; order[j - 1] = t;
        }
    for (int i = 0; i < ncrit && i < 5; i++) {
        int k = order[i];
        if (!m->unmet_count[k]) break;
        json_array_append_new(worst, json_pack("{s:i,s:s,s:i}", "num", m->set.criteria[k].num, "title",
                                               m->set.criteria[k].title, "wards_not_met", m->unmet_count[k]));
    }
    free(order);
    json_object_set_new(o, "most_unmet", worst);
    return o;
}

void ward_matrix_csv(const struct ward_matrix *m, struct ww_buf *out)
{
    ww_buf_append(out, "\xEF\xBB\xBF", 3);
    ww_buf_printf(out, "ward");
    for (size_t i = 0; i < m->set.n_criteria; i++) ww_buf_printf(out, ",TC%d", m->set.criteria[i].num);
    ww_buf_printf(out, ",met,not_met,pending,self_assessed,decision_no,decision_date\r\n");
    static const char *const word[] = {"chờ", "đạt", "chưa đạt", "tự đánh giá"};
    for (size_t i = 0; i < m->n_wards; i++) {
        const struct ward_matrix_ward *w = &m->wards[i];
        ward_csv_field(out, w->ward_name);
        for (size_t k = 0; k < m->set.n_criteria; k++)
            ww_buf_printf(out, ",%s", w->set_id == m->set_id && (int)k < w->n_criteria ? word[w->cell[k]] : "");
        ww_buf_printf(out, ",%d,%d,%d,%d,", w->met, w->not_met, w->pending, w->self_only);
        ward_csv_field(out, w->decision_no);
        ww_buf_append(out, ",", 1);
        ward_csv_field(out, w->decision_date);
        ww_buf_append(out, "\r\n", 2);
    }
}

/* Assessment rows in the order they took effect: by the date assessed,
 * then the order entered. */
static int by_date(const void *a, const void *b)
{
    const struct catalog_assessment *x = a, *y = b;
    int c = strcmp(x->assessed_on, y->assessed_on);
    return c ? c : (x->id > y->id) - (x->id < y->id);
}

json_t *ward_progress_json(catalog_t *cat, int64_t ward_id)
{
    struct catalog_programme_ward *reg;
    size_t nreg;
    if (catalog_programme_list(cat, 0, ward_id, &reg, &nreg)) return NULL;
    struct set_cache cache = {0};
    json_t *years = json_array();
    for (size_t i = 0; i < nreg; i++) {
        const struct catalog_criteria_set *s = cache_get(cat, &cache, reg[i].set_id);
        struct catalog_assessment *h;
        size_t nh;
        if (!s || catalog_assessment_history(cat, reg[i].year, ward_id, &h, &nh)) continue;
        if (nh) qsort(h, nh, sizeof *h, by_date);
        size_t nc = s->n_criteria ? s->n_criteria : 1;
        int *self = ww_malloc(nc * sizeof *self), *rev = ww_malloc(nc * sizeof *rev);
        for (size_t k = 0; k < nc; k++) self[k] = rev[k] = -1;
        json_t *timeline = json_array();
        for (size_t k = 0; k < nh; k++) {
            int idx = crit_index(s, h[k].criterion_id);
            if (idx < 0) continue;
            (h[k].side == CATALOG_SIDE_REVIEW ? rev : self)[idx] = h[k].result;
            int met = 0;   /* met = reviewed met: the province decides */
            for (size_t c = 0; c < s->n_criteria; c++) met += ward_cell_of(self[c], rev[c]) == WARD_CELL_MET;
            /* one point per date: the last state of that date */
            size_t tn = json_array_size(timeline);
            json_t *last = tn ? json_array_get(timeline, tn - 1) : NULL;
            if (last && !strcmp(json_string_value(json_object_get(last, "date")), h[k].assessed_on))
                json_object_set_new(last, "met", json_integer(met));
            else
                json_array_append_new(timeline, json_pack("{s:s,s:i}", "date", h[k].assessed_on, "met", met));
        }
        int ms = 0, mr = 0, so = 0;
        for (size_t c = 0; c < s->n_criteria; c++) {
            ms += self[c] == CATALOG_RES_MET;
            mr += rev[c] == CATALOG_RES_MET;
            so += ward_cell_of(self[c], rev[c]) == WARD_CELL_SELF;
        }
        json_array_append_new(years, json_pack("{s:i,s:I,s:s,s:i,s:I,s:i,s:i,s:i,s:i,s:o}", "year", reg[i].year,
                                               "set_id", (json_int_t)s->id, "set_name", s->name, "set_version",
                                               s->version, "n_criteria", (json_int_t)s->n_criteria, "met_self", ms,
                                               "met_review", mr, "met", mr, "self_assessed", so, "timeline", timeline));
        free(self);
        free(rev);
        catalog_assessment_list_free(h, nh);
    }
    cache_free(&cache);
    catalog_programme_ward_list_free(reg, nreg);
    return json_pack("{s:I,s:o}", "ward_id", (json_int_t)ward_id, "years", years);
}

static json_t *assessment_json(const struct catalog_assessment *a)
{
    char t[40];
    return json_pack("{s:I,s:i,s:s,s:s,s:s?,s:s,s:s,s:s}", "id", (json_int_t)a->id, "criterion", a->criterion_num,
                     "side", catalog_side_name(a->side), "result", catalog_result_name(a->result), "notes", a->notes,
                     "assessor", a->assessor, "assessed_on", a->assessed_on, "at",
                     ward_time_iso(a->at_us, ww_station_offset_min(), t, sizeof t));
}

json_t *ward_assessments_json(catalog_t *cat, int64_t ward_id, int year)
{
    int64_t set_id;
    if (ward_year_set(cat, ward_id, year, &set_id)) return json_pack("{s:I,s:i,s:b}", "ward_id", (json_int_t)ward_id,
                                                                     "year", year, "registered", 0);
    struct catalog_criteria_set s;
    if (catalog_criteria_set_get(cat, set_id, &s)) return NULL;
    struct catalog_assessment *cur = NULL, *hist = NULL;
    size_t ncur = 0, nhist = 0;
    struct catalog_assessment_file *files = NULL;
    size_t nf = 0;
    struct catalog_recognition *rec = NULL;
    size_t nrec = 0;
    catalog_assessment_current(cat, year, ward_id, &cur, &ncur);
    catalog_assessment_history(cat, year, ward_id, &hist, &nhist);
    catalog_assessment_files(cat, ward_id, year, &files, &nf);
    catalog_recognition_list(cat, year, &rec, &nrec);
    json_t *crits = json_array();
    for (size_t i = 0; i < s.n_criteria; i++) {
        const struct catalog_criterion *c = &s.criteria[i];
        json_t *self = json_null(), *review = json_null();
        int eff, rs = -1, rr = -1;
        for (size_t k = 0; k < ncur; k++) {
            if (cur[k].criterion_id != c->id) continue;
            if (cur[k].side == CATALOG_SIDE_REVIEW) { json_decref(review); review = assessment_json(&cur[k]); rr = cur[k].result; }
            else { json_decref(self); self = assessment_json(&cur[k]); rs = cur[k].result; }
        }
        eff = ward_cell_of(rs, rr);
        json_t *fl = json_array();
        for (size_t f = 0; f < nf; f++)
            for (size_t k = 0; k < nhist; k++)
                if (hist[k].id == files[f].assessment_id && hist[k].criterion_id == c->id)
                    json_array_append_new(fl, json_pack("{s:I,s:I,s:s,s:I,s:s,s:s}", "id", (json_int_t)files[f].id,
                                                        "assessment_id", (json_int_t)files[f].assessment_id, "name",
                                                        files[f].file_name, "bytes", (json_int_t)files[f].bytes,
                                                        "sha256", files[f].sha256, "added_by", files[f].added_by));
        json_array_append_new(crits, json_pack("{s:I,s:i,s:i,s:s,s:s?,s:s?,s:o,s:o,s:s,s:o}", "id", (json_int_t)c->id,
                                               "num", c->num, "group", c->group_num, "title", c->title, "description",
                                               c->description, "evidence", c->evidence, "self", self, "review", review,
                                               "cell", ward_cell_name(eff), "files", fl));
    }
    json_t *history = json_array();
    for (size_t k = 0; k < nhist; k++) json_array_append_new(history, assessment_json(&hist[k]));
    json_t *recog = json_null();
    for (size_t k = 0; k < nrec; k++)
        if (rec[k].ward_id == ward_id) {
            json_decref(recog);
            recog = json_pack("{s:s,s:s,s:s?,s:s}", "decision_no", rec[k].decision_no, "decision_date",
                              rec[k].decision_date, "note", rec[k].note, "recorded_by", rec[k].recorded_by);
        }
    json_t *groups = json_array();
    for (size_t g = 0; g < s.n_groups; g++)
        json_array_append_new(groups, json_pack("{s:i,s:s}", "num", s.groups[g].num, "name", s.groups[g].name));
    json_t *o = json_pack("{s:I,s:i,s:b,s:{s:I,s:s,s:i,s:s?,s:I},s:o,s:o,s:o,s:o}", "ward_id", (json_int_t)ward_id,
                          "year", year, "registered", 1, "set", "id", (json_int_t)s.id, "name", s.name, "version",
                          s.version, "note", s.note, "n_criteria", (json_int_t)s.n_criteria, "groups", groups,
                          "criteria", crits, "history", history, "recognition", recog);
    catalog_criteria_set_clear(&s);
    catalog_assessment_list_free(cur, ncur);
    catalog_assessment_list_free(hist, nhist);
    catalog_assessment_file_list_free(files, nf);
    catalog_recognition_list_free(rec, nrec);
    return o;
}

/* ---- reads for api/ -----------------------------------------------------------
 * The catalog calls the criteria routes need, so that api/ only parses,
 * calls and answers (issue 10 item 2). */

int ward_criteria_set_json(catalog_t *cat, int64_t id, bool with_use, json_t **out)
{
    struct catalog_criteria_set s;
    *out = NULL;
    int rc = catalog_criteria_set_get(cat, id, &s);
    if (rc) return rc;
    json_t *o = ward_criteria_to_json(&s);
    catalog_criteria_set_clear(&s);
    if (with_use) {
        bool used = false;
        catalog_criteria_set_in_use(cat, id, &used);
        json_object_set_new(o, "in_use", json_boolean(used));
    }
    *out = o;
    return 0;
}

int ward_criteria_sets_json(catalog_t *cat, json_t **out)
{
    struct catalog_criteria_set *v;
    size_t n;
    *out = NULL;
    int rc = catalog_criteria_set_list(cat, &v, &n);
    if (rc) return rc;
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        bool used = false;
        catalog_criteria_set_in_use(cat, v[i].id, &used);
        json_t *o = ward_criteria_to_json(&v[i]);
        json_object_del(o, "groups");
        json_object_set_new(o, "in_use", json_boolean(used));
        json_array_append_new(a, o);
    }
    catalog_criteria_set_list_free(v, n);
    *out = a;
    return 0;
}

int ward_programme_json(catalog_t *cat, int year, int64_t ward_id, json_t **out)
{
    struct catalog_programme_ward *v;
    size_t n;
    *out = NULL;
    int rc = catalog_programme_list(cat, year, ward_id, &v, &n);
    if (rc) return rc;
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:I,s:s,s:i,s:I,s:s}", "ward_id", (json_int_t)v[i].ward_id, "ward",
                                           v[i].ward_name, "year", v[i].year, "set_id", (json_int_t)v[i].set_id,
                                           "registered_by", v[i].registered_by));
    catalog_programme_ward_list_free(v, n);
    *out = a;
    return 0;
}

int ward_assessment_scope(catalog_t *cat, int64_t id, int64_t *ward_id, int *side)
{
    struct catalog_assessment a;
    int rc = catalog_assessment_get(cat, id, &a);
    if (rc) return rc;
    *ward_id = a.ward_id;
    *side = a.side;
    catalog_assessment_clear(&a);
    return 0;
}

void ward_evidence_clear(struct ward_evidence *e)
{
    if (!e) return;
    free(e->file_name);
    free(e->stored_path);
    memset(e, 0, sizeof *e);
}

int ward_evidence_get(catalog_t *cat, int64_t file_id, struct ward_evidence *e)
{
    struct catalog_assessment_file f;
    memset(e, 0, sizeof *e);
    int rc = catalog_assessment_file_get(cat, file_id, &f);
    if (rc) return rc;
    int side;
    rc = ward_assessment_scope(cat, f.assessment_id, &e->ward_id, &side);
    if (!rc) {
        e->file_name = f.file_name;
        e->stored_path = f.stored_path;
        f.file_name = f.stored_path = NULL;
    }
    free(f.file_name); free(f.stored_path); free(f.sha256); free(f.added_by);
    return rc;
}
