/*
 * test_rtp_window.c — the UDP reorder window (src/ingest/rtp_window.c):
 * in-order packets pass at once; a swapped pair comes out in order and
 * counts one reordered; a duplicate (waiting or already delivered) is
 * dropped and counted; a gap is given up on after RTPW_WAIT_US or when
 * the window fills, and counted lost; a late packet after that is dropped;
 * sequence numbers wrap past 65535 without loss; a far jump resyncs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ingest/internal.h"

static size_t pkt(uint8_t *out, uint16_t seq)
{
    memset(out, 0, 16);
    out[0] = 0x80;
    out[1] = 96;
    out[2] = (uint8_t)(seq >> 8);
    out[3] = (uint8_t)seq;
    out[12] = (uint8_t)seq; /* payload marks which packet it is */
    return 16;
}

/* Pushes seq at time t (retrying through RTPW_FULL) and pops every packet
 * that is ready, appending their sequence numbers to out. */
static int feed(struct rtp_window *w, uint16_t seq, int64_t t, uint16_t *out, int n)
{
    uint8_t b[16];
    size_t len = pkt(b, seq);
    const uint8_t *p;
    size_t pl;
    int rc;
    while ((rc = rtp_window_push(w, b, len, t)) == RTPW_FULL)
        while (rtp_window_pop(w, t, &p, &pl)) out[n++] = (uint16_t)(p[2] << 8 | p[3]);
    while (rtp_window_pop(w, t, &p, &pl)) {
        assert_int_equal(pl, 16);
        assert_int_equal(p[12], (uint8_t)(p[2] << 8 | p[3]));
        out[n++] = (uint16_t)(p[2] << 8 | p[3]);
    }
    return n;
}

static void in_order_and_wrap(void **state)
{
    (void)state;
    struct rtp_window w;
    rtp_window_init(&w);
    uint16_t out[300];
    int n = 0;
    for (int i = 0; i < 200; i++) n = feed(&w, (uint16_t)(65500 + i), 1000, out, n);
    assert_int_equal(n, 200);
    for (int i = 0; i < 200; i++) assert_int_equal(out[i], (uint16_t)(65500 + i));
    assert_int_equal(w.st.received, 200);
    assert_int_equal(w.st.lost, 0);
    assert_int_equal(w.st.reordered, 0);
    assert_int_equal(w.st.resyncs, 0);
    assert_int_equal(w.next, 65500 + 200); /* extended past 2^16 */
    rtp_window_free(&w);
}

static void swap_and_duplicates(void **state)
{
    (void)state;
    struct rtp_window w;
    rtp_window_init(&w);
    uint16_t out[16];
    int n = 0;
    n = feed(&w, 65534, 0, out, n);
    n = feed(&w, 0, 10, out, n); /* 65535 comes after 0 (across the wrap) */
    assert_int_equal(n, 1);
    n = feed(&w, 0, 11, out, n); /* a duplicate while it waits */
    n = feed(&w, 65535, 20, out, n);
    assert_int_equal(n, 3);
    assert_int_equal(out[1], 65535);
    assert_int_equal(out[2], 0);
    n = feed(&w, 65535, 30, out, n); /* a duplicate of one delivered */
    n = feed(&w, 1, 40, out, n);
    assert_int_equal(n, 4);
    assert_int_equal(w.st.reordered, 1);
    assert_int_equal(w.st.duplicate, 2);
    assert_int_equal(w.st.lost, 0);
    assert_int_equal(w.st.received, 4);
    rtp_window_free(&w);
}

static void gap_times_out_then_late(void **state)
{
    (void)state;
    struct rtp_window w;
    rtp_window_init(&w);
    uint16_t out[16];
    int n = 0;
    n = feed(&w, 10, 0, out, n);
    n = feed(&w, 12, 1000, out, n);
    n = feed(&w, 13, 2000, out, n);
    assert_int_equal(n, 1);
    assert_int_equal(rtp_window_wait_us(&w, 50000), RTPW_WAIT_US + 1000 - 50000);
    const uint8_t *p;
    size_t pl;
    assert_false(rtp_window_pop(&w, RTPW_WAIT_US, &p, &pl)); /* 12 waited 99 ms */
    assert_true(rtp_window_pop(&w, RTPW_WAIT_US + 1000, &p, &pl));
    assert_int_equal(p[3], 12);
    assert_int_equal(w.popped_at_us, 1000); /* when it came */
    assert_int_equal(w.st.lost, 1);
    n = feed(&w, 11, RTPW_WAIT_US + 2000, out, n); /* too late */
    assert_int_equal(w.st.late, 1);
    assert_int_equal(w.st.duplicate, 0);
    assert_int_equal(n, 2); /* 13 */
    assert_int_equal(out[1], 13);
    assert_int_equal(rtp_window_wait_us(&w, 0), -1);
    rtp_window_free(&w);
}

static void window_fills(void **state)
{
    (void)state;
    struct rtp_window w;
    rtp_window_init(&w);
    uint16_t out[400];
    int n = feed(&w, 100, 0, out, 0);
    /* 101 never comes; 102.. arrive at one instant (no timeout) */
    for (int i = 102; i < 102 + 2 * RTPW_SLOTS; i++) n = feed(&w, (uint16_t)i, 0, out, n);
    assert_int_equal(w.st.lost, 1);
    assert_int_equal(out[1], 102);
    assert_int_equal(n, 1 + 2 * RTPW_SLOTS); /* everything but 101 came out */
    for (int i = 1; i < n; i++) assert_int_equal(out[i], 101 + i);
    assert_true(w.count < RTPW_SLOTS);
    /* a burst of 200 lost: one packet far ahead is let in at once */
    int before = n;
    int64_t last = 101 + 2 * RTPW_SLOTS;
    n = feed(&w, (uint16_t)(last + 201), 0, out, n);
    assert_int_equal(n, before + 1);
    assert_int_equal(w.st.lost, 1 + 200);
    assert_int_equal(out[n - 1], (uint16_t)(last + 201));
    rtp_window_free(&w);
}

static void far_jump_resyncs(void **state)
{
    (void)state;
    struct rtp_window w;
    rtp_window_init(&w);
    uint16_t out[16];
    int n = feed(&w, 1000, 0, out, 0);
    n = feed(&w, 1002, 0, out, n); /* waits for 1001 */
    n = feed(&w, 30000, 0, out, n); /* the sender restarted */
    assert_int_equal(w.st.resyncs, 1);
    assert_int_equal(n, 2);
    assert_int_equal(out[1], 30000);
    n = feed(&w, 30001, 0, out, n);
    assert_int_equal(n, 3);
    assert_int_equal(w.st.lost, 0);
    rtp_window_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(in_order_and_wrap),
        cmocka_unit_test(swap_and_duplicates),
        cmocka_unit_test(gap_times_out_then_late),
        cmocka_unit_test(window_fills),
        cmocka_unit_test(far_jump_resyncs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
