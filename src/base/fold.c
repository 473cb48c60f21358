/*
 * fold.c — Vietnamese text folded for search: "Lê Lợi", "LE LOI" and
 * "le loi" all fold to "le loi".  Tone marks and vowel marks go (precomposed
 * letters of Latin-1, Latin Extended-A/B and the Vietnamese block
 * U+1EA0–U+1EF9, and combining marks U+0300–U+036F for decomposed input),
 * đ/Đ becomes d, ASCII is lowercased, runs of white space become one space.
 * Anything else outside ASCII is kept as it is (a name in another script
 * still matches itself).  Why here: an officer types without marks on a
 * phone keyboard, and addresses are entered with them.
 */
#include "base/base.h"

#include <stdlib.h>
#include <string.h>

/* U+00C0..U+00FF; '\0' = keep the code point. */
static const char latin1[64] = "aaaaaaaceeeeiiiidnooooo\0ouuuuy\0\0aaaaaaaceeeeiiiidnooooo\0ouuuuy\0y";
/* U+1EA0..U+1EF9, in pairs (capital, small): A×12, E×8, I×2, O×12, U×7, Y×4. */
static const char viet[] = "aaaaaaaaaaaaeeeeeeeeiioooooooooooouuuuuuuyyyy";

static char fold_cp(uint32_t cp)
{
    if (cp < 0x80) return (cp >= 'A' && cp <= 'Z') ? (char)(cp + 32) : (char)cp;
    if (cp >= 0xC0 && cp <= 0xFF) return latin1[cp - 0xC0];
    if (cp >= 0x1EA0 && cp <= 0x1EF9) return viet[(cp - 0x1EA0) / 2];
    switch (cp) {
    case 0x102: case 0x103: return 'a';            /* Ă ă */
    case 0x110: case 0x111: return 'd';            /* Đ đ */
    case 0x128: case 0x129: return 'i';            /* Ĩ ĩ */
    case 0x168: case 0x169: return 'u';            /* Ũ ũ */
    case 0x1A0: case 0x1A1: return 'o';            /* Ơ ơ */
    case 0x1AF: case 0x1B0: return 'u';            /* Ư ư */
    }
    return 0;
}

/* One UTF-8 code point at s (len bytes left); *n = its length.  A broken
 * sequence is one byte, returned as U+FFFD. */
static uint32_t utf8_next(const unsigned char *s, size_t len, size_t *n)
{
    unsigned c = s[0];
    size_t want = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (!want || want > len) { *n = 1; return 0xFFFD; }
    uint32_t cp = want == 1 ? c : want == 2 ? (c & 0x1F) : want == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t i = 1; i < want; i++) {
        if ((s[i] & 0xC0) != 0x80) { *n = 1; return 0xFFFD; }
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    *n = want;
    return cp;
}

char *ww_fold_vi(const char *s)
{
    if (!s) s = "";
    size_t len = strlen(s), o = 0;
    char *out = ww_malloc(len + 1); /* folding never lengthens */
    bool space = true;               /* drops leading white space */
    for (size_t i = 0; i < len;) {
        size_t n;
        uint32_t cp = utf8_next((const unsigned char *)s + i, len - i, &n);
        if (cp >= 0x300 && cp <= 0x36F) { i += n; continue; } /* a combining mark */
        if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0xA0) {
            if (!space) out[o++] = ' ';
            space = true;
            i += n;
            continue;
        }
        char f = fold_cp(cp);
        if (f) out[o++] = f;
        else { memcpy(out + o, s + i, n); o += n; }
        space = false;
        i += n;
    }
    while (o && out[o - 1] == ' ') o--;
    out[o] = 0;
    return out;
}
