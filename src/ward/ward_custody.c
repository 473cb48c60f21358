/*
 * ward_custody.c — the chain-of-custody report of an incident (issue 13
 * item 3) as a PDF, Vietnamese, drawn with the ward's PDF helpers
 * (ward_pdf.c).  It prints the case file ward_case_file_json builds, so
 * the report, the JSON and the console can never list different rows:
 * for each hold, export and bundle what it is, its SHA-256, who made it and
 * when, then every audit row about it (id, time, user, action, detail);
 * and at the top the result of verifying the whole audit hash chain.
 */
#include "ward/internal.h"

#include <stdlib.h>

static const char *action_vi(const char *a)
{
    static const char *const map[][2] = {
        {"export", "Tạo bản xuất"}, {"export_download", "Tải xuống"}, {"export_verify", "Xác minh chữ ký"},
        {"hold_add", "Đặt lệnh giữ"}, {"hold_release", "Gỡ lệnh giữ"}, {"bundle_download", "Tải gói chứng cứ"},
        {"download_done", "Tải xong"}, {"incident_note", "Ghi chú"}, {"bundle_verify", "Xác minh gói"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(map[i][0], a)) return map[i][1];
    return "";
}

static const char *str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "—";
}

static char *item_title(json_t *it, size_t n)
{
    const char *kind = str(it, "kind");
    long long id = (long long)json_integer_value(json_object_get(it, "id"));
    if (!strcmp(kind, "hold"))
        return ww_asprintf("%zu. Lệnh giữ video #%lld — camera %lld, %s đến %s", n, id,
                           (long long)json_integer_value(json_object_get(it, "camera_id")), str(it, "from"),
                           str(it, "to"));
    if (!strcmp(kind, "export"))
        return ww_asprintf("%zu. Bản xuất video #%lld — camera %lld, %s đến %s", n, id,
                           (long long)json_integer_value(json_object_get(it, "camera_id")), str(it, "from"),
                           str(it, "to"));
    if (!strcmp(kind, "note"))
        return ww_asprintf("%zu. Ghi chú #%lld — %s, %s: %s", n, id, str(it, "created_by"), str(it, "created"),
                           str(it, "text"));
    return ww_asprintf("%zu. Gói chứng cứ #%lld — %s, %s đến %s", n, id, str(it, "folder"), str(it, "from"),
                       str(it, "to"));
}

static void custody_table(struct ward_pdf *p, json_t *rows)
{
    static const double w[] = {0.8, 1.9, 1.2, 2.2, 3.6};
    char *hdr[] = {"Bản ghi", "Thời điểm", "Người", "Hành động", "Chi tiết"};
    ward_pdf_table_row(p, 5, w, hdr, true, false, false);
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        const char *act = str(r, "action"), *vi = action_vi(act);
        json_t *d = json_object_get(r, "detail");
        char *detail = d && !json_is_null(d) ? json_dumps(d, JSON_COMPACT) : NULL;
        char *cells[5] = {ww_asprintf("#%lld", (long long)json_integer_value(json_object_get(r, "id"))),
                          ww_strdup(str(r, "at")), ww_strdup(str(r, "user")),
                          *vi ? ww_asprintf("%s (%s)", vi, act) : ww_strdup(act), ww_strdup(detail ? detail : "")};
        ward_pdf_table_row(p, 5, w, cells, false, false, i % 2 == 1);
        for (int k = 0; k < 5; k++) free(cells[k]);
        free(detail);
    }
    if (!json_array_size(rows)) {
        ward_pdf_need(p, 14);
        p->y += ward_pdf_text(p, WARD_PDF_MARGIN, p->y, WARD_PDF_CONTENT_W, "Noto Sans Italic 8",
                              "Không có bản ghi nhật ký nào về mục này.", false, PANGO_ALIGN_LEFT, false);
    }
}

static void chain_line(struct ward_pdf *p, json_t *chain)
{
    bool ok = json_is_true(json_object_get(chain, "ok"));
    long long rows = (long long)json_integer_value(json_object_get(chain, "rows"));
    char *t = ok ? ww_asprintf("Kiểm tra chuỗi nhật ký (băm nối tiếp): <b>HỢP LỆ</b> — %lld bản ghi đã kiểm tra, "
                               "không bản ghi nào bị sửa, xóa hay chèn.", rows)
                 : ww_asprintf("Kiểm tra chuỗi nhật ký (băm nối tiếp): <b>KHÔNG HỢP LỆ</b> — bản ghi #%lld: %s. "
                               "Các bản ghi dưới đây không đáng tin cậy.",
                               (long long)json_integer_value(json_object_get(chain, "bad_row")), str(chain, "why"));
    p->y += ward_pdf_text(p, WARD_PDF_MARGIN, p->y, WARD_PDF_CONTENT_W, "Noto Serif 10", t, true, PANGO_ALIGN_LEFT,
                          false) + 8;
    free(t);
}

static void draw(struct ward_pdf *p, json_t *cf)
{
    json_t *inc = json_object_get(cf, "incident");
    p->y += ward_pdf_text(p, WARD_PDF_MARGIN, p->y, WARD_PDF_CONTENT_W, "Noto Serif Bold 14",
                          "BÁO CÁO CHUỖI LƯU GIỮ CHỨNG CỨ", false, PANGO_ALIGN_CENTER, false) + 4;
    char *sub = ww_asprintf("Vụ việc số %lld — xảy ra lúc %s\n%s%s%s",
                            (long long)json_integer_value(json_object_get(inc, "id")), str(inc, "occurred"),
                            str(inc, "summary"), json_is_string(json_object_get(inc, "address")) ? " — " : "",
                            json_is_string(json_object_get(inc, "address")) ? str(inc, "address") : "");
    p->y += ward_pdf_text(p, WARD_PDF_MARGIN, p->y, WARD_PDF_CONTENT_W, "Noto Serif Italic 10.5", sub, false,
                          PANGO_ALIGN_CENTER, false) + 10;
    free(sub);
    chain_line(p, json_object_get(cf, "chain"));
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(cf, "items"), i, it) {
        char *t = item_title(it, i + 1);
        ward_pdf_heading(p, t, 60);
        free(t);
        json_t *sha = json_object_get(it, "sha256");
        char *meta = ww_asprintf("SHA-256: %s\nNgười tạo: %s, lúc %s%s%s", json_is_string(sha) ? json_string_value(sha)
                                 : "— (lệnh giữ không có tệp)", str(it, "created_by"), str(it, "created"),
                                 json_is_string(json_object_get(it, "reason")) ? "\nLý do: " : "",
                                 json_is_string(json_object_get(it, "reason")) ? str(it, "reason") : "");
        ward_pdf_need(p, 30);
        p->y += ward_pdf_text(p, WARD_PDF_MARGIN, p->y, WARD_PDF_CONTENT_W, "Noto Sans Mono 7.5", meta, false,
                              PANGO_ALIGN_LEFT, false) + 4;
        free(meta);
        custody_table(p, json_object_get(it, "custody"));
    }
    size_t nev = json_array_size(json_object_get(cf, "events"));
    char *ev = ww_asprintf("Sự kiện chuyển động của các camera của vụ việc trong vòng một giờ quanh thời điểm xảy ra: "
                           "%zu.", nev);
    ward_pdf_heading(p, "Sự kiện chuyển động", 20);
    p->y += ward_pdf_text(p, WARD_PDF_MARGIN, p->y, WARD_PDF_CONTENT_W, "Noto Serif 10", ev, false, PANGO_ALIGN_LEFT,
                          false);
    free(ev);
}

int ward_custody_pdf(catalog_t *cat, const struct catalog_incident *inc, int offset_min, int64_t generated_at_us,
                     struct ww_buf *out)
{
    json_t *cf;
    int rc = ward_case_file_json(cat, inc, offset_min, &cf);
    if (rc) return rc;
    struct ward_pdf p;
    ward_pdf_begin(&p, out, "Báo cáo chuỗi lưu giữ chứng cứ");
    char gen[24];
    ward_time_vi(generated_at_us, offset_min, gen, sizeof gen);
    char *head = ww_asprintf("Chuỗi lưu giữ chứng cứ — vụ việc số %lld", (long long)inc->id);
    p.running_head = head;
    p.footer = ww_asprintf("Lập bằng wardwatch lúc %s (giờ Việt Nam, UTC%+d) từ nhật ký kiểm toán của trạm.", gen,
                           offset_min / 60);
    draw(&p, cf);
    rc = ward_pdf_end(&p);
    free(head);
    free(p.footer);
    json_decref(cf);
    return rc;
}
