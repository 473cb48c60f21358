/*
 * ward_report.c — statistics as CSV and as a printable PDF.
 *
 * The PDF is drawn with the ward's PDF helpers (ward_pdf.c: cairo + pango,
 * A4 flow with page breaks, a running head and numbered footers).
 *
 * Nothing here queries beyond what the statistics need: the per-ward table
 * and the monthly bars are computed with ward_stats_by_ward/trend.
 */
#include "ward/ward.h"

#include "ward/internal.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- CSV ----------------------------------------------------------------- */

static void csv_num(struct ww_buf *o, double v, bool integer)
{
    if (integer) ww_buf_printf(o, ",%lld", (long long)llround(v));
    else ww_buf_printf(o, ",%.3f", v);
}

static void csv_change(struct ww_buf *o, double cur, double prev, bool has_prev, bool integer)
{
    struct ward_change c = ward_change_of(cur, prev, has_prev);
    if (c.defined) csv_num(o, c.diff, integer);
    else ww_buf_append(o, ",—", 4);
    if (c.pct_defined) ww_buf_printf(o, ",%.1f", round(c.pct * 10) / 10);
    else ww_buf_append(o, ",—", 4);
}

static void csv_row(struct ww_buf *o, const char *code, const char *name, const struct ward_figures *c,
                    const struct ward_figures *p, bool has_prev, bool headline_share)
{
    ward_csv_field(o, code);
    ww_buf_append(o, ",", 1);
    ward_csv_field(o, name);
    ww_buf_printf(o, ",%lld", (long long)c->cases);
    if (has_prev) ww_buf_printf(o, ",%lld", (long long)p->cases);
    else ww_buf_append(o, ",—", 4);
    csv_change(o, (double)c->cases, (double)p->cases, has_prev, true);
    int64_t part = headline_share ? c->solvable_solved : c->solved;
    int64_t whole = headline_share ? c->solvable_cases : c->cases;
    int pct;
    ww_buf_printf(o, ",%lld,%lld", (long long)part, (long long)whole);
    if (ward_share_pct(part, whole, &pct)) ww_buf_printf(o, ",%d", pct);
    else ww_buf_append(o, ",—", 4);
    const double cv[] = {(double)c->suspects, (double)c->deaths, (double)c->injuries, c->drug_grams, (double)c->damage_vnd};
    const double pv[] = {(double)p->suspects, (double)p->deaths, (double)p->injuries, p->drug_grams, (double)p->damage_vnd};
    for (int i = 0; i < 5; i++) {
        csv_num(o, cv[i], i != 3);
        if (has_prev) csv_num(o, pv[i], i != 3);
        else ww_buf_append(o, ",—", 4);
    }
    ww_buf_append(o, "\r\n", 2);
}

void ward_stats_csv(const struct ward_stats *s, const char *lang, struct ww_buf *out)
{
    bool en = lang && !strcmp(lang, "en");
    ww_buf_append(out, "\xEF\xBB\xBF", 3);
    char *label = ward_stats_period_label(s, false, lang), *plabel = ward_stats_period_label(s, true, lang);
    ww_buf_append(out, "# ", 2);
    ward_csv_field(out, s->scope_name);
    ww_buf_append(out, " — ", 5);
    ward_csv_field(out, label);
    ww_buf_printf(out, " — %s ", en ? "compared with" : "so với cùng kỳ");
    ward_csv_field(out, plabel);
    ww_buf_append(out, "\r\n", 2);
    if (s->cut.partial) {
        /* a second comment line, so a reader of the file alone knows */
        char a[16], b[16];
        ward_date_vi(s->cut.through, a, sizeof a);
        ward_date_vi(s->cut.prev_through, b, sizeof b);
        ww_buf_printf(out, en ? "# the period has not ended: figures to %s, compared day for day with the same days to %s\r\n"
                              : "# kỳ chưa kết thúc: số liệu đến ngày %s, so sánh cùng số ngày với cùng kỳ đến ngày %s\r\n",
                      a, b);
    }
    free(label);
    free(plabel);
    ww_buf_printf(out, "code,category,cases,cases_prev,cases_diff,cases_pct,solved,solved_of,solved_pct,"
                       "suspects,suspects_prev,deaths,deaths_prev,injuries,injuries_prev,"
                       "drug_grams,drug_grams_prev,damage_vnd,damage_vnd_prev\r\n");
    for (size_t i = 0; i < s->n_rows; i++)
        csv_row(out, s->rows[i].cat.code, en ? s->rows[i].cat.name_en : s->rows[i].cat.name_vi,
                &s->rows[i].cur, &s->rows[i].prev, s->has_prev, false);
    csv_row(out, "total", en ? "Total (solved share: solvable categories)" : "Tổng (tỷ lệ khám phá: các loại phải khám phá)",
            &s->cur, &s->prev, s->has_prev, true);
}

static char *fmt_int(int64_t v)
{
    /* 1.234.567 — Vietnamese thousands separator */
    char raw[32], out[48];
    snprintf(raw, sizeof raw, "%lld", (long long)(v < 0 ? -v : v));
    size_t n = strlen(raw), k = 0;
    if (v < 0) out[k++] = '-';
    for (size_t i = 0; i < n; i++) {
        out[k++] = raw[i];
        if ((n - i - 1) % 3 == 0 && i + 1 < n) out[k++] = '.';
    }
    out[k] = 0;
    return ww_strdup(out);
}

static char *fmt_grams(double g)
{
    char b[32];
    snprintf(b, sizeof b, "%.1f", g);
    for (char *c = b; *c; c++) if (*c == '.') *c = ',';
    return ww_strdup(b);
}

static void free_cells(char **c, int n)
{
    for (int i = 0; i < n; i++) free(c[i]);
}

static void category_table(struct ward_pdf *p, const struct ward_stats *s)
{
    static const double w[] = {2.7, 0.9, 0.95, 1.0, 1.5, 1.95, 0.85, 1.0, 1.05, 1.15};
    char *hdr[] = {"Loại vụ việc", "Số vụ", "Cùng kỳ", "Tăng/ giảm", "Tăng/ giảm %", "Khám phá", "Chết",
                   "Bị thương", "Đối tượng", "Ma túy (g)"};
    ward_pdf_table_row(p, 10, w, hdr, true, false, false);
    for (size_t i = 0; i <= s->n_rows; i++) {
        bool total = i == s->n_rows;
        const struct ward_figures *c = total ? &s->cur : &s->rows[i].cur;
        const struct ward_figures *pv = total ? &s->prev : &s->rows[i].prev;
        struct ward_change ch = ward_change_of((double)c->cases, (double)pv->cases, s->has_prev);
        int pct;
        int64_t part = total ? c->solvable_solved : c->solved, whole = total ? c->solvable_cases : c->cases;
        char *cells[10];
        cells[0] = ww_strdup(total ? "Tổng cộng" : s->rows[i].cat.name_vi);
        cells[1] = fmt_int(c->cases);
        cells[2] = s->has_prev ? fmt_int(pv->cases) : ww_strdup("—");
        cells[3] = ward_fmt_diff(ch, "vi");
        cells[4] = ward_fmt_pct_change(ch, "vi");
        cells[5] = !total && !s->rows[i].cat.solvable ? ww_strdup("")
                 : ward_share_pct(part, whole, &pct)
                       ? ww_asprintf("%lld/%lld (%d %%)", (long long)part, (long long)whole, pct)
                       : ww_asprintf("%lld/%lld (—)", (long long)part, (long long)whole);
        unsigned f = total ? CATALOG_FIG_ALL : s->rows[i].cat.figures;
        cells[6] = f & CATALOG_FIG_DEATHS ? fmt_int(c->deaths) : ww_strdup("");
        cells[7] = f & CATALOG_FIG_INJURIES ? fmt_int(c->injuries) : ww_strdup("");
        cells[8] = f & CATALOG_FIG_SUSPECTS ? fmt_int(c->suspects) : ww_strdup("");
        cells[9] = f & CATALOG_FIG_DRUG_GRAMS ? fmt_grams(c->drug_grams) : ww_strdup("");
        ward_pdf_table_row(p, 10, w, cells, false, total, total || i % 2 == 1);
        free_cells(cells, 10);
    }
}

static void ward_table(struct ward_pdf *p, const struct ward_compare_row *v, size_t n, bool has_prev)
{
    static const double w[] = {3.6, 1.2, 1.2, 1.3, 1.4, 2.4};
    char *hdr[] = {"Phường", "Số vụ", "Cùng kỳ", "Tăng/ giảm", "Tăng/ giảm %", "Khám phá"};
    ward_pdf_table_row(p, 6, w, hdr, true, false, false);
    for (size_t i = 0; i < n; i++) {
        struct ward_change ch = ward_change_of((double)v[i].cur.cases, (double)v[i].prev.cases, has_prev);
        int pct;
        char *cells[6];
        cells[0] = ww_strdup(v[i].ward_name);
        cells[1] = fmt_int(v[i].cur.cases);
        cells[2] = has_prev ? fmt_int(v[i].prev.cases) : ww_strdup("—");
        cells[3] = ward_fmt_diff(ch, "vi");
        cells[4] = ward_fmt_pct_change(ch, "vi");
        cells[5] = ward_share_pct(v[i].cur.solvable_solved, v[i].cur.solvable_cases, &pct)
                       ? ww_asprintf("%lld/%lld (%d %%)", (long long)v[i].cur.solvable_solved,
                                     (long long)v[i].cur.solvable_cases, pct)
                       : ww_asprintf("%lld/%lld (—)", (long long)v[i].cur.solvable_solved,
                                     (long long)v[i].cur.solvable_cases);
        ward_pdf_table_row(p, 6, w, cells, false, false, i % 2 == 1);
        free_cells(cells, 6);
    }
}

static void trend_chart(struct ward_pdf *p, const struct ward_trend_point *t, size_t n)
{
    const double h = 150, top_pad = 14, label_h = 26;
    ward_pdf_need(p, h + label_h + top_pad + 20);
    int64_t max = 1;
    for (size_t i = 0; i < n; i++) {
        if (t[i].cases > max) max = t[i].cases;
        if (t[i].prev_cases > max) max = t[i].prev_cases;
    }
    double x0 = WARD_PDF_MARGIN + 24, w = WARD_PDF_CONTENT_W - 24, base = p->y + top_pad + h;
    cairo_set_line_width(p->cr, 0.4);
    cairo_set_source_rgb(p->cr, 0.6, 0.6, 0.6);
    for (int g = 0; g <= 4; g++) {
        double gy = base - h * g / 4;
        cairo_move_to(p->cr, x0, gy);
        cairo_line_to(p->cr, x0 + w, gy);
        char lab[24];
        snprintf(lab, sizeof lab, "%lld", (long long)llround((double)max * g / 4));
        cairo_stroke(p->cr);
        ward_pdf_text(p, WARD_PDF_MARGIN, gy - 5, 22, "Noto Sans 6", lab, false, PANGO_ALIGN_RIGHT, false);
    }
    double slot = w / (double)n;
    bool any_partial = false;
    for (size_t i = 0; i < n; i++) {
        double bw = slot * 0.34;
        double hp = h * (double)t[i].prev_cases / (double)max, hc = h * (double)t[i].cases / (double)max;
        double xp = x0 + slot * (double)i + slot * 0.14, xc = xp + bw;
        cairo_set_source_rgb(p->cr, 0.72, 0.76, 0.82);
        cairo_rectangle(p->cr, xp, base - hp, bw, hp);
        cairo_fill(p->cr);
        if (t[i].partial) {
            /* a month not over: its bar is hollow (outlined, dashed), so it
             * does not read as a whole month's count */
            any_partial = true;
            cairo_set_source_rgb(p->cr, 0.80, 0.86, 0.95);
            cairo_rectangle(p->cr, xc, base - hc, bw, hc);
            cairo_fill(p->cr);
            double dash[] = {2, 1.5};
            cairo_set_dash(p->cr, dash, 2, 0);
            cairo_set_line_width(p->cr, 0.8);
            cairo_set_source_rgb(p->cr, 0.10, 0.32, 0.62);
            cairo_rectangle(p->cr, xc, base - hc, bw, hc);
            cairo_stroke(p->cr);
            cairo_set_dash(p->cr, NULL, 0, 0);
        } else {
            cairo_set_source_rgb(p->cr, 0.10, 0.32, 0.62);
            cairo_rectangle(p->cr, xc, base - hc, bw, hc);
            cairo_fill(p->cr);
        }
        cairo_set_source_rgb(p->cr, 0, 0, 0);
        char lab[16];
        snprintf(lab, sizeof lab, "%d/%d%s", t[i].m, t[i].y % 100, t[i].partial ? "*" : "");
        ward_pdf_text(p, x0 + slot * (double)i, base + 3, slot, "Noto Sans 6.5", lab, false, PANGO_ALIGN_CENTER, false);
    }
    p->y = base + label_h - 8;
    cairo_set_source_rgb(p->cr, 0.72, 0.76, 0.82);
    cairo_rectangle(p->cr, WARD_PDF_MARGIN, p->y + 2, 8, 8);
    cairo_fill(p->cr);
    cairo_set_source_rgb(p->cr, 0.10, 0.32, 0.62);
    cairo_rectangle(p->cr, WARD_PDF_MARGIN + 110, p->y + 2, 8, 8);
    cairo_fill(p->cr);
    cairo_set_source_rgb(p->cr, 0, 0, 0);
    ward_pdf_text(p, WARD_PDF_MARGIN + 12, p->y, 95, "Noto Sans 7.5", "Cùng kỳ năm trước", false, PANGO_ALIGN_LEFT, false);
    ward_pdf_text(p, WARD_PDF_MARGIN + 122, p->y, 120, "Noto Sans 7.5", "Kỳ này", false, PANGO_ALIGN_LEFT, false);
    p->y += 18;
    if (any_partial) {
        /* name each partial month and the days it holds */
        struct ww_buf b = {0};
        ww_buf_printf(&b, "* Tháng chưa hết (cột viền đứt), so sánh cùng số ngày với cùng kỳ năm trước:");
        for (size_t i = 0; i < n; i++) {
            if (!t[i].partial) continue;
            if (t[i].days) ww_buf_printf(&b, " %02d/%d đến ngày %02d/%02d;", t[i].m, t[i].y, t[i].days, t[i].m);
            else ww_buf_printf(&b, " %02d/%d chưa bắt đầu;", t[i].m, t[i].y);
        }
        ww_buf_append(&b, "", 1);  /* NUL */
        p->y += ward_pdf_text(p, WARD_PDF_MARGIN, p->y, WARD_PDF_CONTENT_W, "Noto Sans Italic 7", (const char *)b.data, false,
                        PANGO_ALIGN_LEFT, false) + 4;
        ww_buf_free(&b);
    }
}

int ward_stats_pdf(catalog_t *cat, const struct ward_stats *s, int offset_min,
                   int64_t generated_at_us, struct ww_buf *out)
{
    struct ward_compare_row *wards = NULL;
    size_t nw = 0;
    bool wprev = false;
    struct ward_trend_point *trend = NULL;
    size_t nt = 0;
    int rc = 0;
    if (!s->ward_id && (rc = ward_stats_by_ward(cat, &s->period, offset_min, s->today, &wards, &nw, &wprev)))
        return rc;
    if ((rc = ward_stats_trend(cat, s->ward_id, &s->period, 12, offset_min, s->today, &trend, &nt))) {
        ward_compare_list_free(wards, nw);
        return rc;
    }

    struct ward_pdf p;
    ward_pdf_begin(&p, out, "Báo cáo tình hình an ninh, trật tự");
    char *label = ward_stats_period_label(s, false, "vi"), *plabel = ward_stats_period_label(s, true, "vi");
    char gen[24];
    ward_time_vi(generated_at_us, offset_min, gen, sizeof gen);
    char *head = ww_asprintf("%s — %s", s->scope_name, label);
    p.running_head = head;
    p.footer = ww_asprintf("Lập bằng wardwatch lúc %s (giờ Việt Nam, UTC%+d). Số liệu thống kê nội bộ, "
                           "không phải văn bản chính thức.", gen, offset_min / 60);

    /* Letterhead: issuing body on the left, national motto on the right. */
    char *prov_up = s->province ? g_utf8_strup(s->province, -1) : NULL;
    char *body_up = s->ward_id ? g_utf8_strup(s->scope_name, -1) : NULL;
    char *l1 = prov_up ? ward_pdf_esc(prov_up) : NULL, *l2 = body_up ? ward_pdf_esc(body_up) : NULL;
    char *lh = l1 && l2 ? ww_asprintf("CÔNG AN TỈNH %s\n<b>CÔNG AN PHƯỜNG %s</b>", l1, l2)
             : l1 ? ww_asprintf("BỘ CÔNG AN\n<b>CÔNG AN TỈNH %s</b>", l1)
             : l2 ? ww_asprintf("<b>CÔNG AN PHƯỜNG %s</b>", l2)
                  : ww_strdup("<b>CÔNG AN TỈNH</b>");
    double h1 = ward_pdf_text(&p, WARD_PDF_MARGIN, p.y, WARD_PDF_CONTENT_W * 0.46, "Noto Serif 9.5", lh, true, PANGO_ALIGN_CENTER, false);
    double h2 = ward_pdf_text(&p, WARD_PDF_MARGIN + WARD_PDF_CONTENT_W * 0.45, p.y, WARD_PDF_CONTENT_W * 0.55, "Noto Serif 9.5",
                        "<b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b>\n<b>Độc lập – Tự do – Hạnh phúc</b>", true,
                        PANGO_ALIGN_CENTER, false);
    g_free(prov_up);
    g_free(body_up);
    g_free(l1);
    g_free(l2);
    free(lh);
    p.y += (h1 > h2 ? h1 : h2) + 22;
    p.y += ward_pdf_text(&p, WARD_PDF_MARGIN, p.y, WARD_PDF_CONTENT_W, "Noto Serif Bold 14", "BÁO CÁO\nTÌNH HÌNH AN NINH, TRẬT TỰ", false,
                   PANGO_ALIGN_CENTER, false) + 4;
    char *sub = ww_asprintf("%s — %s\n(so với cùng kỳ: %s)", s->scope_name, label,
                            s->has_prev ? plabel : "không có số liệu cùng kỳ");
    p.y += ward_pdf_text(&p, WARD_PDF_MARGIN, p.y, WARD_PDF_CONTENT_W, "Noto Serif Italic 10.5", sub, false, PANGO_ALIGN_CENTER, false) + 6;
    free(sub);
    if (s->cut.partial) {
        char a[16], b[16], c[16];
        ward_date_vi(s->cut.through, a, sizeof a);
        ward_date_vi(s->cut.prev_from, b, sizeof b);
        ward_date_vi(s->cut.prev_through, c, sizeof c);
        char *note = ww_asprintf("Kỳ báo cáo chưa kết thúc: số liệu tính đến ngày %s, so sánh cùng số ngày "
                                 "với cùng kỳ năm trước (từ %s đến ngày %s).", a, b, c);
        p.y += ward_pdf_text(&p, WARD_PDF_MARGIN, p.y, WARD_PDF_CONTENT_W, "Noto Serif Bold 9.5", note, false, PANGO_ALIGN_CENTER, false);
        free(note);
    }
    p.y += 8;

    /* Headline */
    struct ward_change ch = ward_change_of((double)s->cur.cases, (double)s->prev.cases, s->has_prev);
    char *d = ward_fmt_diff(ch, "vi"), *pc = ward_fmt_pct_change(ch, "vi");
    char *share = ward_fmt_share(s->cur.solvable_solved, s->cur.solvable_cases, "vi");
    char *headline = ch.defined
        ? ww_asprintf("Tổng số xảy ra <b>%lld vụ</b>; so với cùng kỳ (%lld vụ): %s vụ (%s). Các loại phải khám phá: %s.",
                      (long long)s->cur.cases, (long long)s->prev.cases, d, pc, share)
        : ww_asprintf("Tổng số xảy ra <b>%lld vụ</b>; so với cùng kỳ: — (không có số liệu). Các loại phải khám phá: %s.",
                      (long long)s->cur.cases, share);
    p.y += ward_pdf_text(&p, WARD_PDF_MARGIN, p.y, WARD_PDF_CONTENT_W, "Noto Serif 10.5", headline, true, PANGO_ALIGN_LEFT, false) + 4;
    char *grams = fmt_grams(s->cur.drug_grams);
    char *line2 = ww_asprintf("Làm chết %lld người, bị thương %lld người; thu giữ %s g ma túy; %lld đối tượng.",
                              (long long)s->cur.deaths, (long long)s->cur.injuries, grams,
                              (long long)s->cur.suspects);
    p.y += ward_pdf_text(&p, WARD_PDF_MARGIN, p.y, WARD_PDF_CONTENT_W, "Noto Serif 10.5", line2, false, PANGO_ALIGN_LEFT, false) + 6;
    free(grams); free(line2); free(d); free(pc); free(share); free(headline);

    ward_pdf_heading(&p, "1. Số vụ việc theo loại", 60);
    category_table(&p, s);
    p.y += 4;
    ward_pdf_need(&p, 24);
    p.y += ward_pdf_text(&p, WARD_PDF_MARGIN, p.y, WARD_PDF_CONTENT_W, "Noto Sans Italic 7",
                   "\"—\": không có số liệu cùng kỳ hoặc cùng kỳ bằng 0. Khám phá ở dòng tổng chỉ tính các loại "
                   "phải khám phá (hình sự, ma túy, kinh tế, tham nhũng, môi trường, trật tự công cộng).",
                   false, PANGO_ALIGN_LEFT, false);

    if (!s->ward_id && nw) {
        ward_pdf_heading(&p, "2. So sánh giữa các phường", 60);
        ward_table(&p, wards, nw, wprev);
    }
    ward_pdf_heading(&p, s->ward_id ? "2. Diễn biến theo tháng (12 tháng)" : "3. Diễn biến theo tháng (12 tháng)", 210);
    trend_chart(&p, trend, nt);

    rc = ward_pdf_end(&p);
    free(label); free(plabel); free(head); free(p.footer);
    ward_compare_list_free(wards, nw);
    free(trend);
    return rc;
}
