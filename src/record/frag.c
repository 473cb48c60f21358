/* frag.c — the packed fragment index stored with each segment row. */
#include "record/record.h"

#include <string.h>

static void put_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

size_t rec_frag_count(const uint8_t *blob, size_t len) { return blob ? len / REC_FRAG_SIZE : 0; }

struct rec_frag rec_frag_get(const uint8_t *blob, size_t i)
{
    const uint8_t *p = blob + i * REC_FRAG_SIZE;
    return (struct rec_frag){get_le(p, 8), (uint32_t)get_le(p + 8, 4), (uint32_t)get_le(p + 12, 4)};
}

void rec_frag_put(struct ww_buf *b, const struct rec_frag *f)
{
    uint8_t rec[REC_FRAG_SIZE];
    put_le(rec, f->offset, 8);
    put_le(rec + 8, f->t_ms, 4);
    put_le(rec + 12, f->flags, 4);
    ww_buf_append(b, rec, sizeof rec);
}
