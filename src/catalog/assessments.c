/*
 * assessments.c — self-assessments and reviews, with their evidence files (assessments, assessment_files).
 * Part of the ward's work (surface: cat_ward_work.h; owner: ward/; tables in
 * schema/030_incidents.sql, 031_criteria.sql).  Validation beyond the SQL
 * constraints is ward/'s; multi-row writes assume the caller's transaction.
 */
#include "catalog/cat_ward_work.h"
#include "catalog/internal.h"

#include <stdlib.h>
#include <string.h>

static const char *const side_names[] = {"self", "review"};
static const char *const result_names[] = {"met", "not_met", "in_progress"};

const char *cat_side_name(int s) { return s >= 0 && s < 2 ? side_names[s] : NULL; }
const char *cat_result_name(int r) { return r >= 0 && r < 3 ? result_names[r] : NULL; }
int cat_side_parse(const char *s)
{
    for (int i = 0; s && i < 2; i++) if (!strcmp(s, side_names[i])) return i;
    return -1;
}
int cat_result_parse(const char *s)
{
    for (int i = 0; s && i < 3; i++) if (!strcmp(s, result_names[i])) return i;
    return -1;
}

void cat_assessment_clear(struct cat_assessment *a)
{
    if (!a) return;
    free(a->notes); free(a->assessor); free(a->assessed_on);
    memset(a, 0, sizeof *a);
}

void cat_assessment_list_free(struct cat_assessment *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) cat_assessment_clear(&v[i]);
    free(v);
}

int catalog_assessment_add(catalog_t *cat, struct cat_assessment *a)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "INSERT INTO assessments(ward_id,year,criterion_id,side,result,notes,"
                         "assessor,assessed_on,at_us) VALUES(?,?,?,?,?,?,?,?,?)", &st))
        return WW_EDB;
    if (!a->at_us) a->at_us = ww_wall_us();
    sqlite3_bind_int64(st, 1, a->ward_id);
    sqlite3_bind_int(st, 2, a->year);
    sqlite3_bind_int64(st, 3, a->criterion_id);
    cat_bind_str(st, 4, cat_side_name(a->side));
    cat_bind_str(st, 5, cat_result_name(a->result));
    cat_bind_str(st, 6, a->notes);
    cat_bind_str(st, 7, a->assessor);
    cat_bind_str(st, 8, a->assessed_on);
    sqlite3_bind_int64(st, 9, a->at_us);
    int rc = cat_step_done(cat, st, "assessment add", WW_ECONFLICT);
    if (rc == 0) a->id = sqlite3_last_insert_rowid(cat->db);
    return rc == WW_ECONFLICT ? WW_EINVAL : rc;
}

#define ASM_COLS "a.id,a.ward_id,a.year,a.criterion_id,a.side,a.result,a.notes,a.assessor," \
                 "a.assessed_on,a.at_us,c.num"

static void assessment_from_row(sqlite3_stmt *st, void *row)
{
    struct cat_assessment *a = row;
    memset(a, 0, sizeof *a);
    a->id = sqlite3_column_int64(st, 0);
    a->ward_id = sqlite3_column_int64(st, 1);
    a->year = sqlite3_column_int(st, 2);
    a->criterion_id = sqlite3_column_int64(st, 3);
    a->side = cat_side_parse((const char *)sqlite3_column_text(st, 4));
    a->result = cat_result_parse((const char *)sqlite3_column_text(st, 5));
    a->notes = cat_col_str(st, 6);
    a->assessor = cat_col_str(st, 7);
    a->assessed_on = cat_col_str(st, 8);
    a->at_us = sqlite3_column_int64(st, 9);
    a->criterion_num = sqlite3_column_int(st, 10);
}

/* cat_assessment_clear for cat_rows, which knows rows only as void *. */
static void assessment_row_clear(void *row) { cat_assessment_clear(row); }

static int assessment_query(catalog_t *cat, const char *sql, int year, int64_t ward_id,
                            struct cat_assessment **out, size_t *n)
{
    sqlite3_stmt *st;
    *out = NULL; *n = 0;
    if (cat_prepare(cat, sql, &st)) return WW_EDB;
    sqlite3_bind_int(st, 1, year);
    sqlite3_bind_int64(st, 2, ward_id);
    return CAT_ROWS(cat, st, out, n, assessment_from_row, assessment_row_clear, "assessments");
}

int catalog_assessment_get(catalog_t *cat, int64_t id, struct cat_assessment *out)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT " ASM_COLS " FROM assessments a JOIN criteria c"
                         " ON c.id=a.criterion_id WHERE a.id=?", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) assessment_from_row(st, out);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? WW_ENOTFOUND : cat_fail(cat, "assessment get");
}

int catalog_assessment_current(catalog_t *cat, int year, int64_t ward_id,
                               struct cat_assessment **out, size_t *n)
{
    return assessment_query(
        cat,
        "SELECT " ASM_COLS " FROM assessments a JOIN criteria c ON c.id=a.criterion_id"
        " WHERE a.year=?1 AND (?2=0 OR a.ward_id=?2) AND a.id=(SELECT MAX(b.id) FROM assessments b"
        "  WHERE b.year=a.year AND b.ward_id=a.ward_id AND b.criterion_id=a.criterion_id"
        "  AND b.side=a.side)"
        " ORDER BY a.ward_id,c.num,a.side",
        year, ward_id, out, n);
}

int catalog_assessment_history(catalog_t *cat, int year, int64_t ward_id,
                               struct cat_assessment **out, size_t *n)
{
    return assessment_query(
        cat,
        "SELECT " ASM_COLS " FROM assessments a JOIN criteria c ON c.id=a.criterion_id"
        " WHERE (?1=0 OR a.year=?1) AND (?2=0 OR a.ward_id=?2) ORDER BY a.id",
        year, ward_id, out, n);
}

void cat_assessment_file_list_free(struct cat_assessment_file *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].file_name); free(v[i].stored_path); free(v[i].sha256); free(v[i].added_by);
    }
    free(v);
}

int catalog_assessment_file_add(catalog_t *cat, struct cat_assessment_file *f)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "INSERT INTO assessment_files(assessment_id,file_name,stored_path,bytes,"
                         "sha256,added_by,added_us) VALUES(?,?,?,?,?,?,?)", &st))
        return WW_EDB;
    if (!f->added_us) f->added_us = ww_wall_us();
    sqlite3_bind_int64(st, 1, f->assessment_id);
    cat_bind_str(st, 2, f->file_name);
    cat_bind_str(st, 3, f->stored_path);
    sqlite3_bind_int64(st, 4, f->bytes);
    cat_bind_str(st, 5, f->sha256);
    cat_bind_str(st, 6, f->added_by);
    sqlite3_bind_int64(st, 7, f->added_us);
    int rc = cat_step_done(cat, st, "assessment file add", WW_ECONFLICT);
    if (rc == 0) f->id = sqlite3_last_insert_rowid(cat->db);
    return rc;
}

static void file_from_row(sqlite3_stmt *st, void *row)
{
    struct cat_assessment_file *f = row;
    memset(f, 0, sizeof *f);
    f->id = sqlite3_column_int64(st, 0);
    f->assessment_id = sqlite3_column_int64(st, 1);
    f->file_name = cat_col_str(st, 2);
    f->stored_path = cat_col_str(st, 3);
    f->bytes = sqlite3_column_int64(st, 4);
    f->sha256 = cat_col_str(st, 5);
    f->added_by = cat_col_str(st, 6);
    f->added_us = sqlite3_column_int64(st, 7);
}

#define FILE_COLS "f.id,f.assessment_id,f.file_name,f.stored_path,f.bytes,f.sha256,f.added_by,f.added_us"

int catalog_assessment_files(catalog_t *cat, int64_t ward_id, int year,
                             struct cat_assessment_file **out, size_t *n)
{
    sqlite3_stmt *st;
    *out = NULL; *n = 0;
    if (cat_prepare(cat, "SELECT " FILE_COLS " FROM assessment_files f JOIN assessments a"
                         " ON a.id=f.assessment_id WHERE a.ward_id=? AND a.year=? ORDER BY f.id", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, ward_id);
    sqlite3_bind_int(st, 2, year);
    return CAT_ROWS(cat, st, out, n, file_from_row, NULL, "assessment files");
}

int catalog_assessment_file_get(catalog_t *cat, int64_t id, struct cat_assessment_file *out)
{
    sqlite3_stmt *st;
    if (cat_prepare(cat, "SELECT " FILE_COLS " FROM assessment_files f WHERE f.id=?", &st))
        return WW_EDB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) file_from_row(st, out);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? WW_ENOTFOUND : cat_fail(cat, "assessment file get");
}
