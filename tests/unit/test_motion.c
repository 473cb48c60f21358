/*
 * test_motion.c — the motion detector on synthetic luma frames: a moving
 * block is found with the right start and end; noise, a global brightness
 * step and a flicker under a mask raise nothing; zone geometry and parsing;
 * settings changed at run time (from another thread); thumbnails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "motion/motion.h"

#define W 320
#define H 180
#define FPS 10
#define US 1000000LL

/* A frame: textured static background, optional block, brightness gain and
 * offset, per-pixel noise, optional flicker box. */
struct scene {
    int bx, by, bw, bh, bluma; /* block; bw == 0: none */
    double gain, offset;
    int noise;                 /* uniform ±noise */
    int fx, fy, fw, fh, fluma; /* flicker box; fw == 0: none */
};

static uint64_t rng = 88172645463325252ULL;
static int rnd(int n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (int)(rng % (uint64_t)n);
}

static void render(uint8_t *p, const struct scene *s)
{
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            int v = 60 + ((x / 20 + y / 15) % 4) * 30 + (x % 7) * 2; /* texture */
            if (s->bw && x >= s->bx && x < s->bx + s->bw && y >= s->by && y < s->by + s->bh)
                v = s->bluma;
            if (s->fw && x >= s->fx && x < s->fx + s->fw && y >= s->fy && y < s->fy + s->fh)
                v = s->fluma;
            double d = v * (s->gain ? s->gain : 1.0) + s->offset;
            if (s->noise) d += rnd(2 * s->noise + 1) - s->noise;
            p[y * W + x] = (uint8_t)(d < 0 ? 0 : d > 255 ? 255 : d);
        }
}

struct run_result {
    int n;
    struct motion_event ev[16];
    int opened;
};

static void feed_one(struct motion_detector *d, uint8_t *buf, int64_t t, struct run_result *r)
{
    struct motion_event ev;
    int rc = motion_detector_feed(d, buf, W, H, W, t, &ev);
    assert_true(rc >= 0);
    if (rc & MOTION_OPENED) r->opened++;
    if ((rc & MOTION_CLOSED) && r->n < 16) r->ev[r->n++] = ev;
}

static void finish(struct motion_detector *d, struct run_result *r)
{
    struct motion_event ev;
    if ((motion_detector_flush(d, &ev) & MOTION_CLOSED) && r->n < 16) r->ev[r->n++] = ev;
}

/* Block moving right from t0 to t1 (s), 40 px/s. */
static void scene_at(struct scene *s, double t, double t0, double t1)
{
    memset(s, 0, sizeof *s);
    if (t >= t0 && t < t1) {
        s->bx = 40 + (int)((t - t0) * 40);
        s->by = 70;
        s->bw = 24;
        s->bh = 40;
        s->bluma = 20;
    }
}

static void test_moving_block(void **state)
{
    (void)state;
    struct motion_detector *d;
    assert_int_equal(motion_detector_new(NULL, &d), 0);
    uint8_t *buf = malloc(W * H);
    struct run_result r = {0};
    for (int i = 0; i < 12 * FPS; i++) {
        double t = (double)i / FPS;
        struct scene s;
        scene_at(&s, t, 3.0, 6.0);
        render(buf, &s);
        feed_one(d, buf, (int64_t)(t * US), &r);
    }
    finish(d, &r);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.opened, 1);
    struct motion_event *e = &r.ev[0];
    assert_true(e->motion_start_us >= 3 * US && e->motion_start_us <= 3 * US + 300000);
    assert_true(e->motion_end_us >= 5 * US + 500000 && e->motion_end_us < 6 * US);
    assert_true(e->peak_us >= e->motion_start_us && e->peak_us <= e->motion_end_us);
    assert_true(e->peak_score > 0.005 && e->peak_score <= 1);
    assert_string_equal(e->zone, "all");
    /* pre/post roll around the motion */
    assert_int_equal(e->start_us, e->motion_start_us - 2 * US);
    assert_int_equal(e->end_us, e->motion_end_us + 3 * US);
    struct motion_state st;
    motion_detector_get_state(d, &st);
    assert_false(st.in_event);
    assert_true(st.frames > 50);
    free(buf);
    motion_detector_free(d);
}

/* Constant motion for 25 s with max_duration 10 s: consecutive events, the
 * next starting where the previous one was cut (issue 17 item 14). */
static void test_long_motion_split(void **state)
{
    (void)state;
    struct motion_config cfg;
    motion_config_default(&cfg);
    cfg.max_duration_us = 10 * US;
    struct motion_detector *d;
    assert_int_equal(motion_detector_new(&cfg, &d), 0);
    uint8_t *buf = malloc(W * H);
    struct run_result r = {0};
    for (int i = 0; i < 30 * FPS; i++) {
        double t = (double)i / FPS;
        struct scene s = {0};
        if (t >= 2 && t < 27) { /* a block pacing back and forth */
            int ph = i % 80;
            s.bx = 40 + (ph < 40 ? ph : 80 - ph) * 5;
            s.by = 70;
            s.bw = 24;
            s.bh = 40;
            s.bluma = 20;
        }
        render(buf, &s);
        feed_one(d, buf, (int64_t)(t * US), &r);
    }
    finish(d, &r);
    assert_int_equal(r.n, 3);
    assert_true(r.ev[0].motion_start_us >= 2 * US && r.ev[0].motion_start_us <= 2 * US + 300000);
    for (int k = 0; k < 2; k++) {
        assert_true(r.ev[k].motion_end_us - r.ev[k].motion_start_us <= 10 * US);
        assert_int_equal(r.ev[k].end_us, r.ev[k + 1].start_us); /* consecutive */
    }
    assert_true(r.ev[2].motion_end_us >= 26 * US);
    free(buf);
    motion_detector_free(d);
}

static void test_two_events_and_merge(void **state)
{
    (void)state;
    struct motion_detector *d;
    assert_int_equal(motion_detector_new(NULL, &d), 0);
    uint8_t *buf = malloc(W * H);
    struct run_result r = {0};
    /* bursts at 2–3 s and 4–5 s (gap 1 s < merge gap: one event), then 12–13 s */
    for (int i = 0; i < 20 * FPS; i++) {
        double t = (double)i / FPS;
        struct scene s;
        if (t < 3.0) scene_at(&s, t, 2.0, 3.0);
        else if (t < 6) scene_at(&s, t, 4.0, 5.0);
        else scene_at(&s, t, 12.0, 13.0);
        render(buf, &s);
        feed_one(d, buf, (int64_t)(t * US), &r);
    }
    finish(d, &r);
    assert_int_equal(r.n, 2);
    assert_true(r.ev[0].motion_start_us <= 2 * US + 300000);
    assert_true(r.ev[0].motion_end_us >= 4 * US + 500000);
    assert_true(r.ev[1].motion_start_us >= 12 * US && r.ev[1].motion_start_us <= 12 * US + 300000);
    free(buf);
    motion_detector_free(d);
}

static void run_quiet(struct scene (*make)(double t), const struct motion_zones *z, int seconds,
                      struct run_result *r, struct motion_state *st)
{
    struct motion_detector *d;
    assert_int_equal(motion_detector_new(NULL, &d), 0);
    if (z) assert_int_equal(motion_detector_set_zones(d, z), 0);
    uint8_t *buf = malloc(W * H);
    memset(r, 0, sizeof *r);
    for (int i = 0; i < seconds * FPS; i++) {
        double t = (double)i / FPS;
        struct scene s = make(t);
        render(buf, &s);
        feed_one(d, buf, (int64_t)(t * US), r);
    }
    finish(d, r);
    if (st) motion_detector_get_state(d, st);
    free(buf);
    motion_detector_free(d);
}

static struct scene noisy(double t)
{
    (void)t;
    return (struct scene){.noise = 25};
}

static struct scene light_steps(double t)
{
    struct scene s = {0};
    if (t >= 5 && t < 10) s.offset = 45;           /* lights on */
    else if (t >= 10 && t < 15) s.gain = 0.55;     /* exposure down */
    else if (t >= 15 && t < 16) s.gain = 0.55 + 0.45 * (t - 15); /* 1 s ramp back */
    s.noise = 3;
    return s;
}

static struct scene flicker(double t)
{
    int phase = (int)(t * FPS) / 5;
    return (struct scene){.fx = 200, .fy = 30, .fw = 50, .fh = 40,
                          .fluma = phase % 2 ? 235 : 30, .noise = 2};
}

static void test_noise_gives_nothing(void **state)
{
    (void)state;
    struct run_result r;
    run_quiet(noisy, NULL, 20, &r, NULL);
    assert_int_equal(r.n, 0);
    assert_int_equal(r.opened, 0);
}

static void test_global_light_gives_nothing(void **state)
{
    (void)state;
    struct run_result r;
    run_quiet(light_steps, NULL, 20, &r, NULL);
    assert_int_equal(r.n, 0);
    assert_int_equal(r.opened, 0);
}

static const char *mask_json =
    "{\"zones\":[{\"name\":\"sign\",\"kind\":\"mask\","
    "\"points\":[[0.60,0.12],[0.82,0.12],[0.82,0.42],[0.60,0.42]]}]}";

static void test_flicker_under_mask(void **state)
{
    (void)state;
    struct motion_zones z;
    char *err = NULL;
    assert_int_equal(motion_zones_parse(mask_json, &z, &err), 0);
    assert_null(err);
    struct run_result r;
    run_quiet(flicker, &z, 15, &r, NULL);
    assert_int_equal(r.n, 0);
    /* control: the same flicker without the mask is motion */
    run_quiet(flicker, NULL, 15, &r, NULL);
    assert_true(r.n >= 1);
}

static void test_include_zone(void **state)
{
    (void)state;
    /* The block moves at y 70..110, x 40..160 (left half).  A zone on the
     * right half sees nothing; one on the left names the event. */
    const char *right = "{\"zones\":[{\"name\":\"right\",\"points\":[[0.6,0],[1,0],[1,1],[0.6,1]]}]}";
    const char *both = "{\"zones\":[{\"name\":\"right\",\"points\":[[0.6,0],[1,0],[1,1],[0.6,1]]},"
                       "{\"name\":\"gate\",\"kind\":\"include\",\"points\":[[0,0.2],[0.55,0.2],[0.55,0.8],[0,0.8]]}]}";
    for (int pass = 0; pass < 2; pass++) {
        struct motion_zones z;
        assert_int_equal(motion_zones_parse(pass ? both : right, &z, NULL), 0);
        struct motion_detector *d;
        assert_int_equal(motion_detector_new(NULL, &d), 0);
        assert_int_equal(motion_detector_set_zones(d, &z), 0);
        uint8_t *buf = malloc(W * H);
        struct run_result r = {0};
        for (int i = 0; i < 10 * FPS; i++) {
            double t = (double)i / FPS;
            struct scene s;
            scene_at(&s, t, 2.0, 5.0);
            render(buf, &s);
            feed_one(d, buf, (int64_t)(t * US), &r);
        }
        finish(d, &r);
        if (!pass) {
            assert_int_equal(r.n, 0);
        } else {
            assert_int_equal(r.n, 1);
            assert_string_equal(r.ev[0].zone, "gate");
        }
        free(buf);
        motion_detector_free(d);
    }
}

static void test_point_in_polygon(void **state)
{
    (void)state;
    struct motion_zone sq = {.n_points = 4, .points = {{0.2, 0.2}, {0.8, 0.2}, {0.8, 0.8}, {0.2, 0.8}}};
    assert_true(motion_zone_contains(&sq, 0.5, 0.5));
    assert_true(motion_zone_contains(&sq, 0.21, 0.79));
    assert_false(motion_zone_contains(&sq, 0.1, 0.5));
    assert_false(motion_zone_contains(&sq, 0.5, 0.9));
    assert_false(motion_zone_contains(&sq, 0.81, 0.5));
    struct motion_zone tri = {.n_points = 3, .points = {{0, 0}, {1, 0}, {0, 1}}};
    assert_true(motion_zone_contains(&tri, 0.2, 0.2));
    assert_false(motion_zone_contains(&tri, 0.6, 0.6));
    /* concave L: the notch is outside */
    struct motion_zone L = {.n_points = 6,
                            .points = {{0, 0}, {0.5, 0}, {0.5, 0.5}, {1, 0.5}, {1, 1}, {0, 1}}};
    assert_true(motion_zone_contains(&L, 0.25, 0.25));
    assert_true(motion_zone_contains(&L, 0.75, 0.75));
    assert_false(motion_zone_contains(&L, 0.75, 0.25));
    /* a ray through a vertex is counted once */
    struct motion_zone diamond = {.n_points = 4, .points = {{0.5, 0}, {1, 0.5}, {0.5, 1}, {0, 0.5}}};
    assert_true(motion_zone_contains(&diamond, 0.3, 0.5));
    assert_false(motion_zone_contains(&diamond, 0.05, 0.1));
}

static void test_zone_parsing(void **state)
{
    (void)state;
    struct motion_zones z;
    char *err = NULL;
    static const char *bad[] = {
        "not json",
        "{\"zones\":5}",
        "{\"zones\":[{\"name\":\"a\",\"kind\":\"maybe\",\"points\":[[0,0],[1,0],[1,1]]}]}",
        "{\"zones\":[{\"name\":\"a\",\"points\":[[0,0],[1,0]]}]}",
        "{\"zones\":[{\"name\":\"a\",\"points\":[[0,0],[1.5,0],[1,1]]}]}",
        "{\"zones\":[{\"name\":\"a\",\"points\":[[0,0],[1,0],[1]]}]}",
        "{\"zones\":[{\"name\":7,\"points\":[[0,0],[1,0],[1,1]]}]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(motion_zones_parse(bad[i], &z, &err), WW_EINVAL);
        assert_non_null(err);
        free(err);
        err = NULL;
    }
    /* too many zones, too long a name */
    struct ww_buf b = {0};
    ww_buf_printf(&b, "{\"zones\":[");
    for (int i = 0; i <= MOTION_MAX_ZONES; i++)
        ww_buf_printf(&b, "%s{\"points\":[[0,0],[1,0],[1,1]]}", i ? "," : "");
    ww_buf_printf(&b, "]}");
    ww_buf_append(&b, "", 1);
    assert_int_equal(motion_zones_parse((char *)b.data, &z, NULL), WW_EINVAL);
    ww_buf_free(&b);
    char longname[200];
    memset(longname, 'x', sizeof longname);
    longname[sizeof longname - 1] = 0;
    char *j = ww_asprintf("{\"zones\":[{\"name\":\"%s\",\"points\":[[0,0],[1,0],[1,1]]}]}", longname);
    assert_int_equal(motion_zones_parse(j, &z, NULL), WW_EINVAL);
    free(j);

    /* round trip; the bare array form; unnamed zones get a name */
    assert_int_equal(motion_zones_parse(mask_json, &z, NULL), 0);
    assert_int_equal(z.n, 1);
    assert_int_equal(z.zone[0].kind, MOTION_ZONE_MASK);
    char *out = motion_zones_to_json(&z);
    struct motion_zones z2;
    assert_int_equal(motion_zones_parse(out, &z2, NULL), 0);
    assert_memory_equal(&z, &z2, sizeof z);
    free(out);
    assert_int_equal(motion_zones_parse("[{\"points\":[[0,0],[1,0],[1,1]]}]", &z, NULL), 0);
    assert_string_equal(z.zone[0].name, "zone1");
    assert_int_equal(z.zone[0].kind, MOTION_ZONE_INCLUDE);
}

static void test_config(void **state)
{
    (void)state;
    struct motion_config c;
    motion_config_default(&c);
    assert_int_equal(motion_config_check(&c), 0);
    assert_true(c.enabled);
    assert_int_equal(c.sensitivity, 50);
    assert_int_equal(motion_config_set(&c, "sensitivity", "80"), 0);
    assert_int_equal(c.sensitivity, 80);
    assert_int_equal(motion_config_set(&c, "sensitivity", "0"), WW_EINVAL);
    assert_int_equal(motion_config_set(&c, "sensitivity", "101"), WW_EINVAL);
    assert_int_equal(motion_config_set(&c, "sensitivity", "5x"), WW_EINVAL);
    assert_int_equal(motion_config_set(&c, "rate", "2.5"), 0);
    assert_true(c.rate_fps == 2.5);
    assert_int_equal(motion_config_set(&c, "pre_roll", "1.5"), 0);
    assert_int_equal(c.pre_roll_us, 1500000);
    assert_int_equal(motion_config_set(&c, "enabled", "off"), 0);
    assert_false(c.enabled);
    assert_int_equal(motion_config_set(&c, "enabled", "perhaps"), WW_EINVAL);
    assert_int_equal(motion_config_set(&c, "nonsense", "1"), WW_EINVAL);
    c.min_area_pct = 0;
    assert_int_equal(motion_config_check(&c), WW_EINVAL);
    struct motion_detector *d = NULL;
    assert_int_equal(motion_detector_new(&c, &d), WW_EINVAL);
    assert_null(d);
    motion_detector_free(NULL); /* NULL-safe */
}

/* Settings from another thread while this one feeds. */
struct setter { struct motion_detector *d; struct motion_config cfg; };
static void *set_from_thread(void *arg)
{
    struct setter *s = arg;
    assert_int_equal(motion_detector_set_config(s->d, &s->cfg), 0);
    return NULL;
}

static void test_runtime_settings(void **state)
{
    (void)state;
    struct motion_detector *d;
    assert_int_equal(motion_detector_new(NULL, &d), 0);
    uint8_t *buf = malloc(W * H);
    struct run_result r = {0};
    struct motion_state st;
    int64_t analysed_before = 0;
    for (int i = 0; i < 40 * FPS; i++) {
        double t = (double)i / FPS;
        if (i == 10 * FPS) {
            /* From a second thread: insensitive and only huge changes count. */
            struct setter s = {.d = d};
            motion_detector_get_config(d, &s.cfg);
            s.cfg.sensitivity = 1;
            s.cfg.min_area_pct = 60;
            pthread_t th;
            pthread_create(&th, NULL, set_from_thread, &s);
            pthread_join(th, NULL);
        }
        if (i == 20 * FPS) {
            struct motion_config c;
            motion_config_default(&c);
            c.rate_fps = 2;
            assert_int_equal(motion_detector_set_config(d, &c), 0);
            motion_detector_get_state(d, &st);
            analysed_before = st.frames;
        }
        if (i == 30 * FPS) {
            motion_detector_get_state(d, &st);
            /* 10 s at 2 fps: about 20 frames, not 50 */
            assert_in_range(st.frames - analysed_before, 18, 22);
            struct motion_config c;
            motion_config_default(&c);
            c.enabled = false;
            assert_int_equal(motion_detector_set_config(d, &c), 0);
        }
        struct scene s;
        /* motion at 3–6 s (default: seen), 13–16 s (insensitive: not seen),
         * 23–27 s (2 fps: seen), 32–38 s (disabled: the open event is closed
         * at once, nothing new) */
        if (t < 10) scene_at(&s, t, 3, 6);
        else if (t < 20) scene_at(&s, t, 13, 16);
        else if (t < 29.5) scene_at(&s, t, 23, 27);
        else scene_at(&s, t, 32, 38);
        render(buf, &s);
        feed_one(d, buf, (int64_t)(t * US), &r);
    }
    finish(d, &r);
    assert_int_equal(r.n, 2);
    assert_true(r.ev[0].motion_start_us < 4 * US);
    assert_true(r.ev[1].motion_start_us >= 23 * US && r.ev[1].motion_start_us <= 24 * US);
    motion_detector_get_state(d, &st);
    assert_false(st.in_event);
    /* invalid config is refused and the old one stays */
    struct motion_config bad;
    motion_config_default(&bad);
    bad.sensitivity = 500;
    assert_int_equal(motion_detector_set_config(d, &bad), WW_EINVAL);
    struct motion_config now;
    motion_detector_get_config(d, &now);
    assert_false(now.enabled);
    free(buf);
    motion_detector_free(d);
}

static void test_disable_closes_open_event(void **state)
{
    (void)state;
    struct motion_detector *d;
    assert_int_equal(motion_detector_new(NULL, &d), 0);
    uint8_t *buf = malloc(W * H);
    struct run_result r = {0};
    for (int i = 0; i < 6 * FPS; i++) {
        double t = (double)i / FPS;
        struct scene s;
        scene_at(&s, t, 2, 10);
        render(buf, &s);
        feed_one(d, buf, (int64_t)(t * US), &r);
    }
    assert_int_equal(r.opened, 1);
    assert_int_equal(r.n, 0);
    struct motion_config c;
    motion_config_default(&c);
    c.enabled = false;
    motion_detector_set_config(d, &c);
    feed_one(d, buf, 6 * US, &r);
    assert_int_equal(r.n, 1);
    free(buf);
    motion_detector_free(d);
}

/* Issue 11 item 7: a paused detector (no recording consent) analyses
 * nothing — motion while paused makes no event and no analysed frame — the
 * event open at the pause is closed then, and resuming re-seeds the model:
 * what changed while nobody looked (a parked block) is not an event, new
 * motion after the resume is. */
static void test_consent_pause(void **state)
{
    (void)state;
    struct motion_detector *d;
    assert_int_equal(motion_detector_new(NULL, &d), 0);
    assert_false(motion_detector_paused(d));
    uint8_t *buf = malloc(W * H);
    struct run_result r = {0};
    struct scene s;
    int i = 0;
    for (; i < 6 * FPS; i++) {           /* motion from 2 s: an event opens */
        scene_at(&s, (double)i / FPS, 2, 30);
        render(buf, &s);
        feed_one(d, buf, (int64_t)i * US / FPS, &r);
    }
    assert_int_equal(r.opened, 1);
    assert_int_equal(r.n, 0);
    motion_detector_set_paused(d, true);
    assert_true(motion_detector_paused(d));
    struct motion_state st0, st1;
    feed_one(d, buf, (int64_t)i++ * US / FPS, &r);   /* the pause closes the open event */
    assert_int_equal(r.n, 1);
    assert_true(r.ev[0].peak_us < (int64_t)i * US / FPS);
    motion_detector_get_state(d, &st0);
    assert_true(st0.paused);
    assert_false(st0.in_event);
    for (; i < 20 * FPS; i++) {          /* 14 s of motion while paused */
        scene_at(&s, (double)i / FPS, 2, 30);
        render(buf, &s);
        struct motion_event ev;
        assert_int_equal(motion_detector_feed(d, buf, W, H, W, (int64_t)i * US / FPS, &ev), 0);
    }
    motion_detector_get_state(d, &st1);
    assert_int_equal(st1.frames, st0.frames);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.opened, 1);
    motion_detector_set_paused(d, false);
    /* The block now stands still where the pause left it: a changed scene,
     * not motion. */
    memset(&s, 0, sizeof s);
    s.bx = 200, s.by = 70, s.bw = 24, s.bh = 40, s.bluma = 20;
    for (; i < 26 * FPS; i++) {
        render(buf, &s);
        feed_one(d, buf, (int64_t)i * US / FPS, &r);
    }
    motion_detector_get_state(d, &st1);
    assert_false(st1.paused);
    assert_true(st1.frames > st0.frames + 20);
    assert_int_equal(r.opened, 1);
    for (; i < 32 * FPS; i++) {          /* real motion after the resume: the parked
                                          * block leaves at 26 s, another moves from 27 s */
        scene_at(&s, (double)i / FPS, 27, 30);
        render(buf, &s);
        feed_one(d, buf, (int64_t)i * US / FPS, &r);
    }
    finish(d, &r);
    assert_int_equal(r.opened, 2);
    assert_int_equal(r.n, 2);
    assert_true(r.ev[1].motion_start_us >= 26 * US);
    free(buf);
    motion_detector_free(d);
}

static void test_bad_input(void **state)
{
    (void)state;
    struct motion_detector *d;
    assert_int_equal(motion_detector_new(NULL, &d), 0);
    uint8_t px[64] = {0};
    struct motion_event ev;
    assert_int_equal(motion_detector_feed(d, NULL, 8, 8, 8, 0, &ev), WW_EINVAL);
    assert_int_equal(motion_detector_feed(d, px, 4, 4, 4, 0, &ev), WW_EINVAL);
    assert_int_equal(motion_detector_feed(d, px, 8, 8, 4, 0, &ev), WW_EINVAL);
    assert_int_equal(motion_detector_feed(d, px, 100000, 8, 100000, 0, &ev), WW_EINVAL);
    /* a size change mid-stream re-seeds instead of reading out of bounds */
    uint8_t *a = calloc(W * H, 1), *b = calloc(64 * 48, 1);
    for (int i = 0; i < 20; i++) {
        assert_true(motion_detector_feed(d, a, W, H, W, i * 100000LL, &ev) >= 0);
        assert_true(motion_detector_feed(d, b, 64, 48, 64, i * 100000LL + 50000, &ev) >= 0);
    }
    free(a);
    free(b);
    motion_detector_free(d);
}

static void test_snapshot(void **state)
{
    (void)state;
    int w = 96, h = 64;
    uint8_t *y = malloc((size_t)w * h), *u = malloc((size_t)w * h / 4), *v = malloc((size_t)w * h / 4);
    for (int i = 0; i < w * h; i++) y[i] = (uint8_t)(i * 7);
    memset(u, 100, (size_t)w * h / 4);
    memset(v, 160, (size_t)w * h / 4);
    const uint8_t *planes[3] = {y, u, v};
    int strides[3] = {w, w / 2, w / 2};
    uint8_t *jpg = NULL;
    size_t len = 0;
    assert_int_equal(motion_snapshot_planes(planes, strides, w, h, 1, 1, 80, 0, &jpg, &len), 0);
    assert_true(len > 100);
    assert_int_equal(jpg[0], 0xFF);
    assert_int_equal(jpg[1], 0xD8);
    free(jpg);
    /* halved to fit max_width; gray when there is no chroma */
    const uint8_t *gray[3] = {y, NULL, NULL};
    assert_int_equal(motion_snapshot_planes(gray, strides, w, h, 0, 0, 0, 40, &jpg, &len), 0);
    assert_true(len > 50);
    free(jpg);
    assert_int_equal(motion_snapshot_planes(planes, strides, 0, h, 1, 1, 80, 0, &jpg, &len), WW_EINVAL);
    assert_null(jpg);
    free(y);
    free(u);
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_moving_block),
        cmocka_unit_test(test_two_events_and_merge),
        cmocka_unit_test(test_long_motion_split),
        cmocka_unit_test(test_noise_gives_nothing),
        cmocka_unit_test(test_global_light_gives_nothing),
        cmocka_unit_test(test_flicker_under_mask),
        cmocka_unit_test(test_include_zone),
        cmocka_unit_test(test_point_in_polygon),
        cmocka_unit_test(test_zone_parsing),
        cmocka_unit_test(test_config),
        cmocka_unit_test(test_runtime_settings),
        cmocka_unit_test(test_disable_closes_open_event),
        cmocka_unit_test(test_consent_pause),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_snapshot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
