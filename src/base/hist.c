/*
 * hist.c — the fixed-bucket latency histogram (base.h).
 *
 * Why fixed bounds: every latency we expose is "how long did a write, a
 * commit or a request take", from sub-millisecond to a stall of seconds;
 * one set of bounds keeps snapshots plain arrays (no pointers to own) and
 * lets a dashboard compare them.  Relaxed atomics: each counter is exact on
 * its own, and a reader does not need them to agree to the nanosecond.
 */
#include "base/base.h"

#include <stdatomic.h>

const int64_t ww_hist_bounds_us[WW_HIST_BUCKETS] = {
    500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
    1000000, 2500000, 5000000, 10000000,
};

void ww_hist_observe(struct ww_hist *h, int64_t us)
{
    if (us < 0) us = 0;
    size_t i = 0;
    while (i < WW_HIST_BUCKETS && us > ww_hist_bounds_us[i]) i++;
    atomic_fetch_add_explicit(&h->n[i], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->sum_us, us, memory_order_relaxed);
}

void ww_hist_read(const struct ww_hist *h, struct ww_hist_snap *out)
{
    out->count = 0;
    for (size_t i = 0; i <= WW_HIST_BUCKETS; i++) {
        out->n[i] = atomic_load_explicit(&h->n[i], memory_order_relaxed);
        out->count += out->n[i];
    }
    out->sum_us = atomic_load_explicit(&h->sum_us, memory_order_relaxed);
}
