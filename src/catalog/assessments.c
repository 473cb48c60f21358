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

#define ASM_COLS "a.id,a.ward_id,a.year,a.criterion_id,a.side,a.result,a.notes,a.assessor," \
                 "a.assessed_on,a.at_us,c.num"

/* side and result are stored by name */
static void assessment_fill(sqlite3_stmt *st, void *row)
{
    struct cat_assessment *a = row;
    a->side = cat_side_parse((const char *)sqlite3_column_text(st, 4));
    a->result = cat_result_parse((const char *)sqlite3_column_text(st, 5));
}

#define A struct cat_assessment
static const struct cat_col assessment_cols[] = {
    CAT_COL(A, id), CAT_COL(A, ward_id), CAT_COL(A, year), CAT_COL(A, criterion_id),
    CAT_COL_BY_FILL, CAT_COL_BY_FILL, CAT_COL(A, notes), CAT_COL(A, assessor),
    CAT_COL(A, assessed_on), CAT_COL(A, at_us), CAT_COL(A, criterion_num),
};
#undef A
static const struct cat_row_map assessment_map = {sizeof(struct cat_assessment), assessment_cols,
                                                  sizeof assessment_cols / sizeof *assessment_cols,
                                                  assessment_fill, NULL};

void cat_assessment_clear(struct cat_assessment *a) { cat_row_clear(&assessment_map, a); }

void cat_assessment_list_free(struct cat_assessment *v, size_t n)
{
    cat_rows_free(&assessment_map, v, n);
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
    int rc = cat_insert_done(cat, st, "assessment add", WW_ECONFLICT, &a->id);
    return rc == WW_ECONFLICT ? WW_EINVAL : rc;
}

static int assessment_query(catalog_t *cat, const char *sql, int year, int64_t ward_id,
                            struct cat_assessment **out, size_t *n)
{
    sqlite3_stmt *st;
    *out = NULL; *n = 0;
    if (cat_prepare(cat, sql, &st)) return WW_EDB;
    sqlite3_bind_int(st, 1, year);
    sqlite3_bind_int64(st, 2, ward_id);
    return cat_rows(cat, st, &assessment_map, "assessments", out, n);
}

int catalog_assessment_get(catalog_t *cat, int64_t id, struct cat_assessment *out)
{
    return cat_row_by_id(cat, "SELECT " ASM_COLS " FROM assessments a JOIN criteria c"
                              " ON c.id=a.criterion_id WHERE a.id=?", id, &assessment_map, out,
                         "assessment get");
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

#define F struct cat_assessment_file
static const struct cat_col file_cols[] = {
    CAT_COL(F, id), CAT_COL(F, assessment_id), CAT_COL(F, file_name), CAT_COL(F, stored_path),
    CAT_COL(F, bytes), CAT_COL(F, sha256), CAT_COL(F, added_by), CAT_COL(F, added_us),
};
#undef F
static const struct cat_row_map file_map = CAT_ROW_MAP(struct cat_assessment_file, file_cols);

void cat_assessment_file_list_free(struct cat_assessment_file *v, size_t n)
{
    cat_rows_free(&file_map, v, n);
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
    return cat_insert_done(cat, st, "assessment file add", WW_ECONFLICT, &f->id);
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
    return cat_rows(cat, st, &file_map, "assessment files", out, n);
}

int catalog_assessment_file_get(catalog_t *cat, int64_t id, struct cat_assessment_file *out)
{
    return cat_row_by_id(cat, "SELECT " FILE_COLS " FROM assessment_files f WHERE f.id=?", id,
                         &file_map, out, "assessment file get");
}
