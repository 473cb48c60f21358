/*
 * ward/internal.h — the ward module's PDF drawing (ward_pdf.c), shared by
 * its reports (ward_report.c, ward_custody.c) only; not part of ward.h.
 *
 * A struct ward_pdf is one document being drawn, by one thread, between
 * ward_pdf_begin and ward_pdf_end; the caller sets running_head and footer
 * (it owns their memory) before the first page break.
 */
#ifndef WW_WARD_INTERNAL_H
#define WW_WARD_INTERNAL_H

#include <cairo.h>
#include <pango/pangocairo.h>
#include <string.h>

#include "ward/ward.h"

enum { WARD_PDF_PAGE_W = 595, WARD_PDF_PAGE_H = 842, WARD_PDF_MARGIN = 48 };
#define WARD_PDF_CONTENT_W (WARD_PDF_PAGE_W - 2 * WARD_PDF_MARGIN)
#define WARD_PDF_BOTTOM (WARD_PDF_PAGE_H - WARD_PDF_MARGIN - 12)

struct ward_pdf {
    cairo_surface_t *surf;
    cairo_t *cr;
    PangoFontMap *fonts;     /* private to this document */
    PangoContext *pctx;
    double y;
    int page;
    const char *running_head;
    char *footer;
};

/* A4 PDF written into out; title goes in the metadata. */
void ward_pdf_begin(struct ward_pdf *p, struct ww_buf *out, const char *title);
/* Footer of the last page, finish, free; 0 or WW_EINVAL (logged). */
int ward_pdf_end(struct ward_pdf *p);
/* Lays out text (pango markup when markup) in a box of width w; draws it at
 * (x, y) unless dry; returns its height in points. */
double ward_pdf_text(struct ward_pdf *p, double x, double y, double w, const char *font, const char *s, bool markup,
                     PangoAlignment align, bool dry);
void ward_pdf_footer(struct ward_pdf *p);
void ward_pdf_new_page(struct ward_pdf *p);
/* A page break unless h more points fit. */
void ward_pdf_need(struct ward_pdf *p, double h);
/* g_free() the result. */
char *ward_pdf_esc(const char *s);
/* A table row: ncol columns with relative widths; cells are plain text;
 * header row bold on grey; all but the first column right-aligned. */
void ward_pdf_table_row(struct ward_pdf *p, int ncol, const double *wrel, char **cells, bool header, bool bold,
                        bool shade);
/* A section heading kept together with the first `after` points below it. */
void ward_pdf_heading(struct ward_pdf *p, const char *s, double after);

#endif
