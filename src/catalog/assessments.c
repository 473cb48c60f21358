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

const char *catalog_side_name(int s) { return s >= 0 && s < 2 ? side_names[s] : NULL; }
const char *catalog_result_name(int r) { return r >= 0 && r < 3 ? result_names[r] : NULL; }
int catalog_side_parse(const char *s)
{
    for (int i = 0; s && i < 2; i++) if (!strcmp(s, side_names[i])) return i;
    return -1;
}
int catalog_result_parse(const char *s)
{
    for (int i = 0; s && i < 3; i++) if (!strcmp(s, result_names[i])) return i;
    return -1;
}

#define ASM_COLS "a.id,a.ward_id,a.year,a.criterion_id,a.side,a.result,a.notes,a.assessor," \
                 "a.assessed_on,a.at_us,c.num"

/* side and result are stored by name */
static void assessment_fill(sqlite3_stmt *st, void *row)
{
    struct catalog_assessment *a = row;
    a->side = catalog_side_parse((const char *)sqlite3_column_text(st, 4));
    a->result = catalog_result_parse((const char *)sqlite3_column_text(st, 5));
}

#define A struct catalog_assessment
static const struct catalog_row_map assessment_map = CATALOG_ROW_MAP(
    A, assessment_fill, NULL, CATALOG_COLS(A, id, ward_id, year, criterion_id), CATALOG_COL_BY_FILL,
    CATALOG_COL_BY_FILL, CATALOG_COLS(A, notes, assessor, assessed_on, at_us, criterion_num));
#undef A

CATALOG_ROW_CLEAR_FN(assessment_map, struct catalog_assessment, catalog_assessment_clear)
CATALOG_LIST_FREE_FN(assessment_map, struct catalog_assessment, catalog_assessment_list_free)

int catalog_assessment_add(catalog_t *cat, struct catalog_assessment *a)
{
    if (!a->at_us) a->at_us = ww_wall_us();
    int rc = CATALOG_INSERT(cat, "assessment add", WW_ECONFLICT, &a->id,
                        "INSERT INTO assessments(ward_id,year,criterion_id,side,result,notes,"
                        "assessor,assessed_on,at_us) VALUES(?,?,?,?,?,?,?,?,?)",
                        CATALOG_ARG(a->ward_id), CATALOG_ARG(a->year), CATALOG_ARG(a->criterion_id),
                        catalog_arg_str(catalog_side_name(a->side)),
                        catalog_arg_str(catalog_result_name(a->result)), catalog_arg_str(a->notes),
                        catalog_arg_str(a->assessor), catalog_arg_str(a->assessed_on), CATALOG_ARG(a->at_us));
    return rc == WW_ECONFLICT ? WW_EINVAL : rc;
}

static int assessment_query(catalog_t *cat, const char *sql, int year, int64_t ward_id,
                            struct catalog_assessment **out, size_t *n)
{
    return CATALOG_LIST(cat, "assessments", &assessment_map, out, n, sql, CATALOG_ARG(year),
                    CATALOG_ARG(ward_id));
}

int catalog_assessment_get(catalog_t *cat, int64_t id, struct catalog_assessment *out)
{
    return catalog_row_by_id(cat, "SELECT " ASM_COLS " FROM assessments a JOIN criteria c"
                              " ON c.id=a.criterion_id WHERE a.id=?", id, &assessment_map, out,
                         "assessment get");
}

int catalog_assessment_current(catalog_t *cat, int year, int64_t ward_id,
                               struct catalog_assessment **out, size_t *n)
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
                               struct catalog_assessment **out, size_t *n)
{
    return assessment_query(
        cat,
        "SELECT " ASM_COLS " FROM assessments a JOIN criteria c ON c.id=a.criterion_id"
        " WHERE (?1=0 OR a.year=?1) AND (?2=0 OR a.ward_id=?2) ORDER BY a.id",
        year, ward_id, out, n);
}

static const struct catalog_row_map file_map =
    CATALOG_MAP(struct catalog_assessment_file, NULL, NULL, id, assessment_id, file_name,
                stored_path, bytes, sha256, added_by, added_us);

CATALOG_LIST_FREE_FN(file_map, struct catalog_assessment_file, catalog_assessment_file_list_free)

int catalog_assessment_file_add(catalog_t *cat, struct catalog_assessment_file *f)
{
    if (!f->added_us) f->added_us = ww_wall_us();
    return CATALOG_INSERT(cat, "assessment file add", WW_ECONFLICT, &f->id,
                      "INSERT INTO assessment_files(assessment_id,file_name,stored_path,bytes,"
                      "sha256,added_by,added_us) VALUES(?,?,?,?,?,?,?)",
                      CATALOG_ARG(f->assessment_id), catalog_arg_str(f->file_name),
                      catalog_arg_str(f->stored_path), CATALOG_ARG(f->bytes), catalog_arg_str(f->sha256),
                      catalog_arg_str(f->added_by), CATALOG_ARG(f->added_us));
}

#define FILE_COLS "f.id,f.assessment_id,f.file_name,f.stored_path,f.bytes,f.sha256,f.added_by,f.added_us"

int catalog_assessment_files(catalog_t *cat, int64_t ward_id, int year,
                             struct catalog_assessment_file **out, size_t *n)
{
    return CATALOG_LIST(cat, "assessment files", &file_map, out, n,
                    "SELECT " FILE_COLS " FROM assessment_files f JOIN assessments a"
                    " ON a.id=f.assessment_id WHERE a.ward_id=? AND a.year=? ORDER BY f.id",
                    CATALOG_ARG(ward_id), CATALOG_ARG(year));
}

int catalog_assessment_file_get(catalog_t *cat, int64_t id, struct catalog_assessment_file *out)
{
    return catalog_row_by_id(cat, "SELECT " FILE_COLS " FROM assessment_files f WHERE f.id=?", id,
                         &file_map, out, "assessment file get");
}
