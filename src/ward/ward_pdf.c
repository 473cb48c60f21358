/*
 * ward_pdf.c — the ward module's PDF drawing (shared by the statistics
 * report, ward_report.c, and the chain-of-custody report,
 * ward_custody.c; surface: ward/internal.h).
 *
 * Drawn with cairo and laid out with pango: Vietnamese needs real text
 * shaping (stacked diacritics such as "ệ", "ở" must be composed by the
 * shaper, not drawn glyph by glyph), and pango with the Noto fonts
 * (fonts-noto-core) does that.  Layout is a simple top-to-bottom flow on A4
 * portrait with a page break whenever the next block does not fit; each
 * page repeats a one-line header and numbers itself in the footer.
 */
#include "ward/internal.h"

#include <cairo-pdf.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>


/* fontconfig reads its configuration once per process and keeps (and, in
 * Debian 12's version, leaks a few hundred bytes of) what it parsed.  Pango
 * 1.50 starts that load on a thread of its own, out of our reach, so in an
 * ASan build we run fontconfig's FcInit ourselves first, on this thread,
 * inside a region the leak checker ignores: the suite then reports our
 * leaks, not the library's.  (Looked up with dlsym because we do not link
 * fontconfig directly; pango has loaded it.)  Release builds skip this. */
#if defined(__SANITIZE_ADDRESS__)
#include <dlfcn.h>
#include <sanitizer/lsan_interface.h>
#define LSAN_OFF() __lsan_disable()
#define LSAN_ON() __lsan_enable()
static void fc_init_now(void)
{
    int (*fc_init)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "FcInit");
    if (fc_init) fc_init();
}
#else
#define LSAN_OFF() ((void)0)
#define LSAN_ON() ((void)0)
static void fc_init_now(void) {}
#endif

static pthread_once_t fonts_once = PTHREAD_ONCE_INIT;

static void fonts_warm_up(void)
{
    LSAN_OFF();
    fc_init_now();  /* before pango's own init thread can start */
    PangoFontMap *fm = pango_cairo_font_map_new();
    PangoContext *ctx = pango_font_map_create_context(fm);
    PangoLayout *l = pango_layout_new(ctx);
    PangoFontDescription *fd = pango_font_description_from_string("Noto Sans 10");
    pango_layout_set_font_description(l, fd);
    pango_layout_set_text(l, "Việt Nam", -1);
    int w, h;
    pango_layout_get_size(l, &w, &h);
    pango_font_description_free(fd);
    g_object_unref(l);
    g_object_unref(ctx);
    g_object_unref(fm);
    LSAN_ON();
}

static cairo_status_t write_buf(void *closure, const unsigned char *data, unsigned int len)
{
    ww_buf_append(closure, data, len);
    return CAIRO_STATUS_SUCCESS;
}

/* Lays out text (pango markup when markup) in a box of width w; draws it at
 * (x, y) unless dry; returns its height in points. */
double ward_pdf_text(struct ward_pdf *p, double x, double y, double w, const char *font, const char *s,
                      bool markup, PangoAlignment align, bool dry)
{
    PangoLayout *l = pango_layout_new(p->pctx);
    PangoFontDescription *fd = pango_font_description_from_string(font);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    pango_layout_set_width(l, (int)(w * PANGO_SCALE));
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(l, align);
    if (markup) pango_layout_set_markup(l, s, -1);
    else pango_layout_set_text(l, s, -1);
    int lw, lh;
    pango_layout_get_size(l, &lw, &lh);
    if (!dry) {
        cairo_move_to(p->cr, x, y);
        pango_cairo_show_layout(p->cr, l);
    }
    g_object_unref(l);
    return (double)lh / PANGO_SCALE;
}

void ward_pdf_footer(struct ward_pdf *p)
{
    cairo_set_source_rgb(p->cr, 0.35, 0.35, 0.35);
    char *f = ww_asprintf("%s — Trang %d", p->footer, p->page);
    ward_pdf_text(p, WARD_PDF_MARGIN, WARD_PDF_PAGE_H - WARD_PDF_MARGIN + 2, WARD_PDF_CONTENT_W, "Noto Sans 7", f, false, PANGO_ALIGN_CENTER, false);
    free(f);
    cairo_set_source_rgb(p->cr, 0, 0, 0);
}

void ward_pdf_new_page(struct ward_pdf *p)
{
    ward_pdf_footer(p);
    cairo_show_page(p->cr);
    p->page++;
    p->y = WARD_PDF_MARGIN;
    cairo_set_source_rgb(p->cr, 0.35, 0.35, 0.35);
    p->y += ward_pdf_text(p, WARD_PDF_MARGIN, p->y, WARD_PDF_CONTENT_W, "Noto Sans 8", p->running_head, false, PANGO_ALIGN_LEFT, false) + 8;
    cairo_set_source_rgb(p->cr, 0, 0, 0);
}

void ward_pdf_need(struct ward_pdf *p, double h)
{
    if (p->y + h > WARD_PDF_BOTTOM) ward_pdf_new_page(p);
}

/* g_free() the result. */
char *ward_pdf_esc(const char *s) { return g_markup_escape_text(s ? s : "", -1); }

/* A table: ncol columns with relative widths; row cells are plain text;
 * header row bold on grey; numbers right-aligned (all but the first col). */
void ward_pdf_table_row(struct ward_pdf *p, int ncol, const double *wrel, char **cells, bool header, bool bold,
                      bool shade)
{
    double widths[16], total = 0, h = 0;
    for (int i = 0; i < ncol; i++) total += wrel[i];
    for (int i = 0; i < ncol; i++) widths[i] = WARD_PDF_CONTENT_W * wrel[i] / total;
    const char *font = header ? "Noto Sans Bold 7.5" : bold ? "Noto Sans Bold 8" : "Noto Sans 8";
    for (int i = 0; i < ncol; i++) {
        double th = ward_pdf_text(p, 0, 0, widths[i] - 6, font, cells[i] ? cells[i] : "", false, PANGO_ALIGN_LEFT, true);
        if (th > h) h = th;
    }
    h += 6;
    ward_pdf_need(p, h);
    if (header || shade) {
        cairo_set_source_rgb(p->cr, header ? 0.86 : 0.95, header ? 0.88 : 0.95, header ? 0.92 : 0.95);
        cairo_rectangle(p->cr, WARD_PDF_MARGIN, p->y, WARD_PDF_CONTENT_W, h);
        cairo_fill(p->cr);
        cairo_set_source_rgb(p->cr, 0, 0, 0);
    }
    double x = WARD_PDF_MARGIN;
    for (int i = 0; i < ncol; i++) {
        ward_pdf_text(p, x + 3, p->y + 3, widths[i] - 6, font, cells[i] ? cells[i] : "", false,
                i == 0 || header ? (i == 0 ? PANGO_ALIGN_LEFT : PANGO_ALIGN_CENTER) : PANGO_ALIGN_RIGHT, false);
        x += widths[i];
    }
    cairo_set_line_width(p->cr, 0.4);
    cairo_set_source_rgb(p->cr, 0.55, 0.55, 0.55);
    x = WARD_PDF_MARGIN;
    cairo_rectangle(p->cr, WARD_PDF_MARGIN, p->y, WARD_PDF_CONTENT_W, h);
    for (int i = 0; i < ncol - 1; i++) {
        x += widths[i];
        cairo_move_to(p->cr, x, p->y);
        cairo_line_to(p->cr, x, p->y + h);
    }
    cairo_stroke(p->cr);
    cairo_set_source_rgb(p->cr, 0, 0, 0);
    p->y += h;
}

/* A section heading kept together with the first `after` points below it. */
void ward_pdf_heading(struct ward_pdf *p, const char *s, double after)
{
    ward_pdf_need(p, 40 + after);
    p->y += 10;
    p->y += ward_pdf_text(p, WARD_PDF_MARGIN, p->y, WARD_PDF_CONTENT_W, "Noto Serif Bold 11", s, false, PANGO_ALIGN_LEFT, false) + 4;
}


void ward_pdf_begin(struct ward_pdf *p, struct ww_buf *out, const char *title)
{
    pthread_once(&fonts_once, fonts_warm_up);
    memset(p, 0, sizeof *p);
    p->surf = cairo_pdf_surface_create_for_stream(write_buf, out, WARD_PDF_PAGE_W, WARD_PDF_PAGE_H);
    cairo_pdf_surface_set_metadata(p->surf, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(p->surf, CAIRO_PDF_METADATA_CREATOR, "wardwatch");
    p->cr = cairo_create(p->surf);
    /* A font map of our own rather than pango's per-thread default: HTTP
     * threads come and go, the default map would live (and hold fontconfig
     * patterns) for the life of each thread, and a private map is released
     * in full at the end — which also keeps the leak checker quiet. */
    p->fonts = pango_cairo_font_map_new();
    p->pctx = pango_font_map_create_context(p->fonts);
    pango_cairo_update_context(p->cr, p->pctx);
    p->page = 1;
    p->y = WARD_PDF_MARGIN;
}

int ward_pdf_end(struct ward_pdf *p)
{
    ward_pdf_footer(p);
    cairo_show_page(p->cr);
    g_object_unref(p->pctx);
    g_object_unref(p->fonts);
    cairo_destroy(p->cr);
    cairo_surface_finish(p->surf);
    cairo_status_t st = cairo_surface_status(p->surf);
    cairo_surface_destroy(p->surf);
    if (st != CAIRO_STATUS_SUCCESS) {
        ww_error("ward", "PDF report: %s", cairo_status_to_string(st));
        return WW_EINVAL;
    }
    return 0;
}
