/*
 * csv.c — an RFC 4180 record reader for `camera import`.
 *
 * Written for line-numbered errors: the reader counts physical lines, so a
 * record whose quoted field spans lines is reported at the line where it
 * starts, and every error names a line.  It checks UTF-8 as it goes (a file
 * saved in a legacy code page is refused with its line, rather than
 * importing mojibake into the register).
 *
 * Limits (outside input): 1 MiB per record, 256 fields; over that is an
 * error, never a silent cut.
 */
#include "community/community.h"

#include <stdlib.h>
#include <string.h>

#define MAX_RECORD (1 << 20)
#define MAX_FIELDS 256

struct community_csv {
    FILE *f;
    long line;              /* physical line of the next character */
    bool bom_checked;
    struct ww_buf text;     /* the record's fields, NUL-separated */
    char **fields;
    size_t cap_fields;
    size_t *starts;
};

int community_csv_open(FILE *f, struct community_csv **out)
{
    struct community_csv *c = ww_calloc(1, sizeof *c);
    c->f = f;
    c->line = 1;
    *out = c;
    return 0;
}

void community_csv_close(struct community_csv *c)
{
    if (!c) return;
    ww_buf_free(&c->text);
    free(c->fields);
    free(c->starts);
    free(c);
}

/* Validates that s[0..n) is UTF-8 (no overlongs, no surrogates). */
static bool utf8_ok(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char b = s[i];
        size_t k;
        uint32_t cp;
        if (b < 0x80) { i++; continue; }
        if ((b & 0xE0) == 0xC0) { k = 1; cp = b & 0x1F; }
        else if ((b & 0xF0) == 0xE0) { k = 2; cp = b & 0x0F; }
        else if ((b & 0xF8) == 0xF0) { k = 3; cp = b & 0x07; }
        else return false;
        for (size_t j = 1; j <= k; j++) {
            if (i + j >= n || (s[i + j] & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (s[i + j] & 0x3F);
        }
        if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += k + 1;
    }
    return true;
}

static void end_field(struct community_csv *c, size_t *nf)
{
    ww_buf_append(&c->text, "", 1);
    (*nf)++;
}

int community_csv_next(struct community_csv *c, char ***fields, size_t *n, long *line,
                       const char **why)
{
    *fields = NULL;
    *n = 0;
    *why = NULL;
    c->text.len = 0;
    if (!c->bom_checked) {
        c->bom_checked = true;
        int a = getc(c->f);
        if (a == 0xEF) {
            int b = getc(c->f), d = getc(c->f);
            if (b != 0xBB || d != 0xBF) { *line = 1; *why = "the file is not UTF-8"; return WW_EINVAL; }
        } else if (a != EOF) {
            ungetc(a, c->f);
        }
    }
    int ch = getc(c->f);
    /* skip blank lines between records */
    while (ch == '\n' || ch == '\r') {
        if (ch == '\n') c->line++;
        ch = getc(c->f);
    }
    if (ch == EOF) return WW_EOF;
    *line = c->line;
    size_t nf = 0;
    c->starts = ww_realloc(c->starts, MAX_FIELDS * sizeof *c->starts);
    c->starts[0] = 0;
    bool quoted = false, after_quote = false, at_start = true;
    for (;;) {
        if (c->text.len > MAX_RECORD) { *why = "a record is longer than 1 MiB"; return WW_EINVAL; }
        if (quoted) {
            if (ch == EOF) { *why = "a quoted field is not closed before the end of the file"; return WW_EINVAL; }
            if (ch == '"') {
                int nx = getc(c->f);
                if (nx == '"') {
                    ww_buf_append(&c->text, "\"", 1);
                } else {
                    quoted = false;
                    after_quote = true;
                    ch = nx;
                    continue;
                }
            } else {
                if (ch == '\n') c->line++;
                char b = (char)ch;
                ww_buf_append(&c->text, &b, 1);
            }
            ch = getc(c->f);
            continue;
        }
        if (ch == ',' || ch == '\n' || ch == '\r' || ch == EOF) {
            end_field(c, &nf);
            if (ch == ',') {
                if (nf >= MAX_FIELDS) { *why = "a record has more than 256 fields"; return WW_EINVAL; }
                c->starts[nf] = c->text.len;
                at_start = true;
                after_quote = false;
                ch = getc(c->f);
                continue;
            }
            if (ch == '\r') {
                int nx = getc(c->f);
                if (nx != '\n' && nx != EOF) ungetc(nx, c->f);
            }
            c->line++;
            break;
        }
        if (after_quote) { *why = "text after a closing quote (write \"\" for a quote inside a quoted field)"; return WW_EINVAL; }
        if (ch == '"') {
            if (!at_start) { *why = "a quote in the middle of an unquoted field (quote the whole field)"; return WW_EINVAL; }
            quoted = true;
            at_start = false;
            ch = getc(c->f);
            continue;
        }
        char b = (char)ch;
        ww_buf_append(&c->text, &b, 1);
        at_start = false;
        ch = getc(c->f);
    }
    if (!utf8_ok(c->text.data, c->text.len)) { *why = "the text is not UTF-8 (save the file as UTF-8)"; return WW_EINVAL; }
    if (c->cap_fields < nf) {
        c->cap_fields = nf;
        c->fields = ww_realloc(c->fields, nf * sizeof *c->fields);
    }
    for (size_t i = 0; i < nf; i++) c->fields[i] = (char *)c->text.data + c->starts[i];
    *fields = c->fields;
    *n = nf;
    return 0;
}
