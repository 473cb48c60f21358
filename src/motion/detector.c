/*
 * detector.c — motion detection on 8-bit luma planes, in plain C.
 *
 * What happens to one analysed frame:
 *
 *  1. Reduce: the plane becomes a grid of cells (about 80 across, e.g. 8×8
 *     pixels at 640×360) holding the mean luma.  Averaging 64 pixels divides
 *     sensor noise by 8, and the rest of the work is on ~3,600 numbers
 *     instead of 230,000.  8 px (not 16) because a person 20–30 m away is
 *     16×40 px: with 16-px cells they half-cover a few cells and drown in
 *     the average; with 8-px cells they fill ~10 cells (issue 14).
 *  2. Explain the light: cameras change exposure, clouds pass, street lights
 *     switch on.  Those change every cell at once, roughly as m = g·bg + o.
 *     We fit g and o over all unmasked cells (robustly: a median start,
 *     outliers dropped, least squares on the rest — see fit_light) and judge
 *     each cell by its residual, so a real object covering less than half
 *     the frame does not bend the fit.
 *  3. Judge: a cell changed if |residual| > max(floor, k·σ), σ being the
 *     cell's own running noise (so waving trees and noisy night cells need
 *     more); floor and k come from the sensitivity.  A changed cell counts
 *     only with a changed neighbour: single-cell noise spikes are ignored.
 *  4. Illumination guard: if more than half the frame still changed after
 *     the fit (IR switch, lights on with harsh shadows), it is not motion:
 *     the background is re-seeded from this frame and two frames settle.
 *  5. Score: per zone, the changed share of its (mask-free) area; the frame
 *     is active when a zone's score reaches min_area.
 *  6. Learn: unchanged cells follow the frame with a 2 s time constant
 *     (absorbs slow light drift and shadows); changed cells are not learnt
 *     (no ghost where an object stood) until they have been changed for 8 s,
 *     when they are taken in at once (a parked car; a stuck cell can never
 *     stay stuck).  The noise estimate learns from unchanged cells (10 s)
 *     and creeps up on cells that keep changing (60 s).  Time constants are in seconds, not
 *     frames, so the rate can change without retuning.
 *  7. Events: two active frames in a row open an event (one if frames are
 *     ≥ 0.5 s apart, as in keyframe-only mode); quiet for merge_gap closes
 *     it; shorter than min_duration is dropped; longer than max_duration is
 *     cut into consecutive events (the next one opens at the cut).  The event carries the zone and time of its peak frame.
 *
 * Threads: everything under "feeding thread only" belongs to the thread
 * calling feed/flush.  set_config/set_zones stage a copy under `lock` and set
 * an atomic flag; feed checks the flag (one relaxed load) and takes the lock
 * only when it is set, plus once per analysed frame to publish the state.
 *
 * Invariants: grid arrays are sized for (gw, gh) of the last frame size;
 * weights are valid for the zones in force and that grid (geom_ok).
 */
#include "motion/motion.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

#define MAX_DIM 8192
#define TAU_BG_S 2.0        /* unchanged cells follow the scene */
#define FG_ABSORB_S 8.0     /* a cell changed this long is absorbed (parked car) */
#define TAU_VAR_S 10.0
#define TAU_VAR_FG_S 60.0
#define VAR_MIN 0.5f
#define VAR_MAX 900.0f
#define VAR_INIT 4.0f
#define ILLUM_FRAC 0.5      /* share of changed cells that means "the light changed" */
#define SETTLE_FRAMES 2

struct zone_geom {
    float *w;      /* per cell weight 0..1 (0 also for masked cells) */
    double total;  /* sum of w */
};

struct motion_detector {
    pthread_mutex_t lock;
    /* guarded by lock */
    struct motion_config staged_cfg;
    struct motion_zones staged_zones;
    struct motion_state pub;
    atomic_bool dirty;
    atomic_bool paused;                       /* motion_detector_set_paused */

    /* feeding thread only */
    struct motion_config cfg;
    struct motion_zones zones;
    int w, h, cell, gw, gh, ncells;
    bool geom_ok, seeded;
    float *mean, *bg, *var, *resid, *tmp;
    float *fg_s;                              /* seconds each cell has been changed */
    uint8_t *changed, *masked;
    int nz;                                   /* zones scored (includes, or 1 = "all") */
    char zname[MOTION_MAX_ZONES][MOTION_ZONE_NAME_MAX];
    struct zone_geom zg[MOTION_MAX_ZONES];
    int n_considered;                         /* unmasked cells */
    int64_t next_due, last_t, dt_us;
    bool have_t;
    int settle;
    int64_t frames, illum_resets;
    double last_score;
    /* event state */
    int run;                                  /* consecutive active frames */
    int64_t run_start;
    double run_peak;
    int64_t run_peak_t;
    int run_peak_zone;
    bool in_event;
    struct motion_event ev;
    int64_t last_active;
};

/* ---- small helpers ------------------------------------------------------ */

static float quickselect(float *a, int n, int k)
{
    int lo = 0, hi = n - 1;
    while (lo < hi) {
        float pivot = a[(lo + hi) / 2];
        int i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot) i++;
            while (a[j] > pivot) j--;
            if (i <= j) {
                float t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                j--;
            }
        }
        if (k <= j) hi = j;
        else if (k >= i) lo = i;
        else break;
    }
    return a[k];
}

static float median(float *a, int n) { return n > 0 ? quickselect(a, n, n / 2) : 0.0f; }

static double alpha_for(int64_t dt_us, double tau_s)
{
    return 1.0 - exp(-(double)dt_us / 1e6 / tau_s);
}

/* Sensitivity 1..100 → absolute floor (luma levels of a cell mean) and the
 * multiple of the cell's own noise.  50 → 8 levels / 5σ: a person in dark
 * clothes on a grey street moves 8-px cells by 20–60 levels, a dim walker
 * at night by 10–20; H.264 noise on a static scene moves them by 1–4 and
 * the 5σ term keeps noisy (night, 150 kbit/s) cells above their noise. */
static float thr_floor(int s) { return 2.0f + 0.12f * (float)(100 - s); }
static float thr_k(int s) { return 2.5f + 0.05f * (float)(100 - s); }

/* ---- geometry ----------------------------------------------------------- */

static void free_grid(struct motion_detector *d)
{
    free(d->mean);
    free(d->bg);
    free(d->var);
    free(d->resid);
    free(d->tmp);
    free(d->fg_s);
    free(d->changed);
    free(d->masked);
    for (int z = 0; z < MOTION_MAX_ZONES; z++) free(d->zg[z].w);
    d->mean = d->bg = d->var = d->resid = d->tmp = d->fg_s = NULL;
    d->changed = d->masked = NULL;
    memset(d->zg, 0, sizeof d->zg);
    d->geom_ok = d->seeded = false;
}

static void alloc_grid(struct motion_detector *d, int w, int h)
{
    free_grid(d);
    d->w = w;
    d->h = h;
    /* About 80 cells across whatever the sub stream's size (8 px at 640),
     * never under 8 px: 64 samples keep a cell's noise at 1/8 of a pixel's,
     * which the thresholds assume (4-px cells at 320 wide saw noise as
     * motion).  Multiples of 4 keep rows aligned for the sums. */
    d->cell = (w / 80) & ~3;
    if (d->cell < 8) d->cell = w >= 64 ? 8 : 4;
    d->gw = (w + d->cell - 1) / d->cell;
    d->gh = (h + d->cell - 1) / d->cell;
    d->ncells = d->gw * d->gh;
    size_t n = (size_t)d->ncells;
    d->mean = ww_calloc(n, sizeof(float));
    d->bg = ww_calloc(n, sizeof(float));
    d->var = ww_calloc(n, sizeof(float));
    d->resid = ww_calloc(n, sizeof(float));
    d->tmp = ww_calloc(n, sizeof(float));
    d->fg_s = ww_calloc(n, sizeof(float));
    d->changed = ww_calloc(n, 1);
    d->masked = ww_calloc(n, 1);
}

static bool cell_touches_mask(const struct motion_zone *m, double x0, double y0, double x1,
                              double y1)
{
    /* 5×5 points including the cell's edges, plus any mask vertex inside the
     * cell: a mask smaller than a cell still removes it.  Masks win, so when
     * in doubt a cell is masked. */
    for (int sy = 0; sy <= 4; sy++)
        for (int sx = 0; sx <= 4; sx++)
            if (motion_zone_contains(m, x0 + (x1 - x0) * sx / 4, y0 + (y1 - y0) * sy / 4))
                return true;
    for (int i = 0; i < m->n_points; i++)
        if (m->points[i].x >= x0 && m->points[i].x <= x1 && m->points[i].y >= y0 &&
            m->points[i].y <= y1)
            return true;
    return false;
}

static void build_geometry(struct motion_detector *d)
{
    int nmask = 0, ninc = 0;
    for (int i = 0; i < d->zones.n; i++) {
        if (d->zones.zone[i].kind == MOTION_ZONE_MASK) nmask++;
        else ninc++;
    }
    for (int z = 0; z < MOTION_MAX_ZONES; z++) {
        free(d->zg[z].w);
        d->zg[z].w = NULL;
        d->zg[z].total = 0;
    }
    d->nz = ninc ? ninc : 1;
    if (!ninc) memcpy(d->zname[0], "all", 4);
    for (int i = 0, z = 0; i < d->zones.n; i++)
        if (d->zones.zone[i].kind == MOTION_ZONE_INCLUDE)
            memcpy(d->zname[z++], d->zones.zone[i].name, MOTION_ZONE_NAME_MAX);
    for (int z = 0; z < d->nz; z++) d->zg[z].w = ww_calloc((size_t)d->ncells, sizeof(float));

    d->n_considered = 0;
    for (int gy = 0; gy < d->gh; gy++) {
        for (int gx = 0; gx < d->gw; gx++) {
            int c = gy * d->gw + gx;
            int px0 = gx * d->cell, py0 = gy * d->cell;
            int px1 = px0 + d->cell < d->w ? px0 + d->cell : d->w;
            int py1 = py0 + d->cell < d->h ? py0 + d->cell : d->h;
            double x0 = (double)px0 / d->w, y0 = (double)py0 / d->h;
            double x1 = (double)px1 / d->w, y1 = (double)py1 / d->h;
            d->masked[c] = 0;
            for (int i = 0; i < d->zones.n && nmask; i++)
                if (d->zones.zone[i].kind == MOTION_ZONE_MASK &&
                    cell_touches_mask(&d->zones.zone[i], x0, y0, x1, y1)) {
                    d->masked[c] = 1;
                    break;
                }
            if (d->masked[c]) continue;
            d->n_considered++;
            if (!ninc) {
                d->zg[0].w[c] = 1.0f;
                d->zg[0].total += 1.0;
                continue;
            }
            for (int i = 0, z = 0; i < d->zones.n; i++) {
                const struct motion_zone *zz = &d->zones.zone[i];
                if (zz->kind != MOTION_ZONE_INCLUDE) continue;
                int in = 0;
                for (int sy = 0; sy < 4; sy++)
                    for (int sx = 0; sx < 4; sx++)
                        in += motion_zone_contains(zz, x0 + (x1 - x0) * (sx + 0.5) / 4,
                                                   y0 + (y1 - y0) * (sy + 0.5) / 4);
                d->zg[z].w[c] = (float)in / 16.0f;
                d->zg[z].total += in / 16.0;
                z++;
            }
        }
    }
    d->geom_ok = true;
}

/* Fits m ≈ g·bg + o over the unmasked cells, robustly: start from a pure
 * offset (the median difference), keep the cells whose residual is within
 * max(3·MAD, floor) of it, least-squares fit gain and offset on those, and
 * repeat the selection once.  Cells of a real object are outliers and drop
 * out; an exposure or lighting change, additive or multiplicative, is
 * explained for every cell.  A flat scene (no spread in bg) cannot tell
 * gain from offset and keeps g = 1. */
static void fit_light(struct motion_detector *d, float fl, float *g_out, float *o_out)
{
    int n = 0;
    for (int c = 0; c < d->ncells; c++)
        if (!d->masked[c]) d->tmp[n++] = d->mean[c] - d->bg[c];
    double g = 1.0, o = median(d->tmp, n);
    for (int pass = 0; pass < 2 && n > 0; pass++) {
        int m = 0;
        for (int c = 0; c < d->ncells; c++)
            if (!d->masked[c]) d->tmp[m++] = fabsf(d->mean[c] - (float)(g * d->bg[c] + o));
        double cut = 3.0 * 1.4826 * median(d->tmp, m);
        if (cut < fl) cut = fl;
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        int k = 0;
        for (int c = 0; c < d->ncells; c++) {
            if (d->masked[c]) continue;
            double x = d->bg[c], y = d->mean[c];
            if (fabs(y - (g * x + o)) > cut) continue;
            sx += x;
            sy += y;
            sxx += x * x;
            sxy += x * y;
            k++;
        }
        if (k < 8) break;
        double vx = sxx - sx * sx / k;
        if (vx < 25.0 * k) { /* bg spread under 5 levels: offset only */
            g = 1.0;
            o = (sy - sx) / k;
        } else {
            g = (sxy - sx * sy / k) / vx;
            if (g < 0.25) g = 0.25;
            if (g > 4.0) g = 4.0;
            o = (sy - g * sx) / k;
        }
    }
    *g_out = (float)g;
    *o_out = (float)o;
}

/* ---- public: life cycle and settings ----------------------------------- */

int motion_detector_new(const struct motion_config *cfg, struct motion_detector **out)
{
    *out = NULL;
    struct motion_config def;
    if (!cfg) {
        motion_config_default(&def);
        cfg = &def;
    }
    if (motion_config_check(cfg)) return WW_EINVAL;
    struct motion_detector *d = ww_calloc(1, sizeof *d);
    pthread_mutex_init(&d->lock, NULL);
    d->cfg = d->staged_cfg = *cfg;
    atomic_init(&d->dirty, false);
    atomic_init(&d->paused, false);
    *out = d;
    return 0;
}

void motion_detector_free(struct motion_detector *d)
{
    if (!d) return;
    free_grid(d);
    pthread_mutex_destroy(&d->lock);
    free(d);
}

int motion_detector_set_config(struct motion_detector *d, const struct motion_config *cfg)
{
    if (!cfg || motion_config_check(cfg)) return WW_EINVAL;
    pthread_mutex_lock(&d->lock);
    d->staged_cfg = *cfg;
    atomic_store_explicit(&d->dirty, true, memory_order_release);
    pthread_mutex_unlock(&d->lock);
    return 0;
}

int motion_detector_set_zones(struct motion_detector *d, const struct motion_zones *z)
{
    if (z && (z->n < 0 || z->n > MOTION_MAX_ZONES)) return WW_EINVAL;
    for (int i = 0; z && i < z->n; i++)
        if (z->zone[i].n_points < 3 || z->zone[i].n_points > MOTION_MAX_POINTS) return WW_EINVAL;
    pthread_mutex_lock(&d->lock);
    if (z) d->staged_zones = *z;
    else memset(&d->staged_zones, 0, sizeof d->staged_zones);
    atomic_store_explicit(&d->dirty, true, memory_order_release);
    pthread_mutex_unlock(&d->lock);
    return 0;
}

void motion_detector_get_config(struct motion_detector *d, struct motion_config *cfg)
{
    pthread_mutex_lock(&d->lock);
    *cfg = d->staged_cfg;
    pthread_mutex_unlock(&d->lock);
}

void motion_detector_get_state(struct motion_detector *d, struct motion_state *st)
{
    pthread_mutex_lock(&d->lock);
    *st = d->pub;
    pthread_mutex_unlock(&d->lock);
    st->paused = atomic_load(&d->paused);
}

void motion_detector_set_paused(struct motion_detector *d, bool paused)
{
    atomic_store(&d->paused, paused);
}

bool motion_detector_paused(struct motion_detector *d)
{
    return atomic_load(&d->paused);
}

static void apply_staged(struct motion_detector *d)
{
    if (!atomic_load_explicit(&d->dirty, memory_order_acquire)) return;
    pthread_mutex_lock(&d->lock);
    bool zones_changed = memcmp(&d->zones, &d->staged_zones, sizeof d->zones) != 0;
    double old_rate = d->cfg.rate_fps;
    d->cfg = d->staged_cfg;
    d->zones = d->staged_zones;
    atomic_store_explicit(&d->dirty, false, memory_order_relaxed);
    pthread_mutex_unlock(&d->lock);
    /* New zones: geometry is rebuilt at the next analysed frame, and the
     * model re-seeded, since cells that were masked have not been learnt. */
    if (zones_changed) d->geom_ok = d->seeded = false;
    if (old_rate != d->cfg.rate_fps) d->next_due = d->last_t; /* new pace from now */
}

/* ---- events ------------------------------------------------------------- */

static int close_event(struct motion_detector *d, struct motion_event *ev_out)
{
    if (!d->in_event) return 0;
    d->in_event = false;
    /* The last active frame stands for the interval up to the next frame,
     * so one keyframe a second is one second of motion, not zero. */
    int64_t dur = d->ev.motion_end_us - d->ev.motion_start_us + d->dt_us;
    if (dur < d->cfg.min_duration_us) return 0;
    d->ev.end_us = d->ev.motion_end_us + d->cfg.post_roll_us;
    *ev_out = d->ev;
    return MOTION_CLOSED;
}

static int step_events(struct motion_detector *d, bool active, double score, int zone,
                       int64_t t, struct motion_event *ev_out)
{
    int ret = 0;
    if (active) {
        if (!d->in_event) {
            if (d->run == 0 || score > d->run_peak) {
                /* Flag the candidate peak now: once the event opens, this
                 * frame is gone, and the caller needs it for the thumbnail. */
                d->run_peak = score;
                d->run_peak_t = t;
                d->run_peak_zone = zone;
                ret |= MOTION_PEAK;
            }
            if (d->run == 0) d->run_start = t;
            d->run++;
            int need = d->dt_us >= 500000 ? 1 : 2;
            if (d->run >= need) {
                d->in_event = true;
                memset(&d->ev, 0, sizeof d->ev);
                d->ev.motion_start_us = d->run_start;
                d->ev.start_us = d->run_start - d->cfg.pre_roll_us;
                d->ev.motion_end_us = t;
                d->ev.peak_score = d->run_peak;
                d->ev.peak_us = d->run_peak_t;
                memcpy(d->ev.zone, d->zname[d->run_peak_zone], MOTION_ZONE_NAME_MAX);
                d->last_active = t;
                *ev_out = d->ev;
                ret |= MOTION_OPENED;
            }
        } else {
            d->last_active = t;
            d->ev.motion_end_us = t;
            if (score > d->ev.peak_score) {
                d->ev.peak_score = score;
                d->ev.peak_us = t;
                memcpy(d->ev.zone, d->zname[zone], MOTION_ZONE_NAME_MAX);
                ret |= MOTION_PEAK;
            }
            if (t - d->ev.motion_start_us >= d->cfg.max_duration_us) {
                /* Split: this piece ends here (no post-roll) and the next
                 * begins at once (no pre-roll), so constant motion becomes
                 * consecutive events that tile the time, each stored and
                 * listed as it closes.  The frame is the new piece's first
                 * peak: PEAK after CLOSED makes the decoder keep it. */
                int64_t post = d->cfg.post_roll_us;
                d->cfg.post_roll_us = 0;
                ret = close_event(d, ev_out) | MOTION_PEAK;
                d->cfg.post_roll_us = post;
                d->in_event = true;
                memset(&d->ev, 0, sizeof d->ev);
                d->ev.start_us = d->ev.motion_start_us = d->ev.motion_end_us = t;
                d->ev.peak_score = score;
                d->ev.peak_us = t;
                memcpy(d->ev.zone, d->zname[zone], MOTION_ZONE_NAME_MAX);
                d->run = 1;
            }
        }
    } else {
        d->run = 0;
        if (d->in_event && t - d->last_active > d->cfg.merge_gap_us) ret |= close_event(d, ev_out);
    }
    return ret;
}

/* ---- analysis ----------------------------------------------------------- */

static void reduce(struct motion_detector *d, const uint8_t *luma, int stride)
{
    int cell = d->cell;
    /* With 16-px cells every other row is plenty (128 samples a cell) and
     * halves the memory traffic; smaller cells use every row. */
    int ystep = cell >= 16 ? 2 : 1;
    for (int gy = 0; gy < d->gh; gy++) {
        int y0 = gy * cell, y1 = y0 + cell < d->h ? y0 + cell : d->h;
        float *m = d->mean + (size_t)gy * d->gw;
        for (int gx = 0; gx < d->gw; gx++) {
            int x0 = gx * cell, x1 = x0 + cell < d->w ? x0 + cell : d->w;
            uint32_t sum = 0, cnt = 0;
            for (int y = y0; y < y1; y += ystep) {
                const uint8_t *p = luma + (size_t)y * stride;
                for (int x = x0; x < x1; x++) sum += p[x];
                cnt += (uint32_t)(x1 - x0);
            }
            m[gx] = (float)sum / (float)cnt;
        }
    }
}

static void publish(struct motion_detector *d)
{
    pthread_mutex_lock(&d->lock);
    d->pub.score = d->last_score;
    d->pub.in_event = d->in_event;
    d->pub.frames = d->frames;
    d->pub.illumination_resets = d->illum_resets;
    pthread_mutex_unlock(&d->lock);
}

static void seed(struct motion_detector *d)
{
    memcpy(d->bg, d->mean, (size_t)d->ncells * sizeof(float));
    for (int c = 0; c < d->ncells; c++) d->var[c] = VAR_INIT;
    memset(d->fg_s, 0, (size_t)d->ncells * sizeof(float));
    d->seeded = true;
}

int motion_detector_feed(struct motion_detector *d, const uint8_t *luma, int w, int h,
                         int stride, int64_t t_us, struct motion_event *ev_out)
{
    if (!luma || w < 8 || h < 8 || w > MAX_DIM || h > MAX_DIM || stride < w) return WW_EINVAL;
    apply_staged(d);
    int ret = 0;
    /* Disabled, or paused for want of the owner's consent: no analysis at
     * all.  The open event closes now (every frame of it came before). */
    if (!d->cfg.enabled || atomic_load(&d->paused)) {
        d->have_t = false;
        d->seeded = false; /* the scene may be different when re-enabled */
        return motion_detector_flush(d, ev_out);
    }

    /* Pace: analyse at rate_fps on a fixed schedule (next_due advances by the
     * period, not by the frame time, so jitter does not lower the rate).
     * Time going backwards (a file looped, a clock step) restarts it. */
    int64_t period = (int64_t)(1e6 / d->cfg.rate_fps);
    if (d->have_t) {
        if (t_us < d->last_t - 1000000) {
            d->next_due = t_us;
        } else if (t_us < d->next_due - period / 8) {
            return 0;
        }
        d->dt_us = t_us - d->last_t;
        if (d->dt_us <= 0) d->dt_us = period;
        d->next_due += period;
        if (d->next_due < t_us) d->next_due = t_us + period / 2;
    } else {
        d->dt_us = period;
        d->next_due = t_us + period;
        d->have_t = true;
    }
    d->last_t = t_us;
    ret |= MOTION_FED;
    d->frames++;

    if (w != d->w || h != d->h || !d->mean) alloc_grid(d, w, h);
    if (!d->geom_ok) build_geometry(d);
    reduce(d, luma, stride);
    if (!d->seeded) {
        seed(d);
        d->last_score = 0;
        publish(d);
        return ret | step_events(d, false, 0, 0, t_us, ev_out);
    }

    /* 2. Global light model over unmasked cells. */
    int s = d->cfg.sensitivity;
    float fl = thr_floor(s), k = thr_k(s);
    float g, o;
    fit_light(d, fl, &g, &o);
    for (int c = 0; c < d->ncells; c++) d->resid[c] = d->mean[c] - (g * d->bg[c] + o);

    /* 3. Changed cells. */
    int nchanged = 0;
    for (int c = 0; c < d->ncells; c++) {
        float thr = k * sqrtf(d->var[c]);
        if (thr < fl) thr = fl;
        d->changed[c] = !d->masked[c] && fabsf(d->resid[c]) > thr;
        nchanged += d->changed[c];
    }

    /* 4. Illumination guard. */
    bool illum = d->n_considered > 0 && nchanged > ILLUM_FRAC * d->n_considered;
    if (illum) {
        memcpy(d->bg, d->mean, (size_t)d->ncells * sizeof(float));
        memset(d->fg_s, 0, (size_t)d->ncells * sizeof(float));
        d->settle = SETTLE_FRAMES;
        d->illum_resets++;
        d->last_score = 0;
        publish(d);
        return ret | step_events(d, false, 0, 0, t_us, ev_out);
    }

    /* 5. Zone scores with the neighbour filter. */
    double best = 0;
    int best_z = 0;
    double zsum[MOTION_MAX_ZONES] = {0};
    for (int gy = 0; gy < d->gh; gy++) {
        for (int gx = 0; gx < d->gw; gx++) {
            int c = gy * d->gw + gx;
            if (!d->changed[c]) continue;
            bool nb = false;
            for (int dy = -1; dy <= 1 && !nb; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    int x = gx + dx, y = gy + dy;
                    if ((dx || dy) && x >= 0 && y >= 0 && x < d->gw && y < d->gh &&
                        d->changed[y * d->gw + x]) {
                        nb = true;
                        break;
                    }
                }
            if (!nb) continue;
            for (int z = 0; z < d->nz; z++) zsum[z] += d->zg[z].w[c];
        }
    }
    for (int z = 0; z < d->nz; z++) {
        double sc = d->zg[z].total > 0 ? zsum[z] / d->zg[z].total : 0;
        if (sc > best) {
            best = sc;
            best_z = z;
        }
    }
    bool active = d->settle == 0 && best * 100.0 >= d->cfg.min_area_pct && best > 0;

    /* 6. Learn. */
    double a_bg = d->settle ? 0.5 : alpha_for(d->dt_us, TAU_BG_S);
    float dt_s = (float)d->dt_us / 1e6f;
    float a_var = (float)alpha_for(d->dt_us, TAU_VAR_S);
    float a_var_fg = (float)alpha_for(d->dt_us, TAU_VAR_FG_S);
    for (int c = 0; c < d->ncells; c++) {
        if (d->masked[c]) continue;
        float r = d->resid[c];
        if (d->changed[c]) {
            /* Foreground is not learnt at all while it is young: learning it
             * a little would leave a ghost where an object stood.  A cell
             * changed for FG_ABSORB_S (a parked car, a stuck cell) is taken
             * into the background at once. */
            d->fg_s[c] += dt_s;
            if (d->fg_s[c] >= FG_ABSORB_S || d->settle) {
                d->bg[c] = d->mean[c];
                d->fg_s[c] = 0;
            }
            float thr = k * sqrtf(d->var[c]);
            if (thr < fl) thr = fl;
            /* Creep towards the threshold: a cell that keeps changing (leaves,
             * a flag, rain) slowly raises its own bar. */
            d->var[c] += a_var_fg * ((thr * thr) / (k * k) * 1.5f - d->var[c]);
        } else {
            d->fg_s[c] = 0;
            d->bg[c] += (float)a_bg * (d->mean[c] - d->bg[c]);
            d->var[c] += a_var * (r * r - d->var[c]);
        }
        if (d->var[c] < VAR_MIN) d->var[c] = VAR_MIN;
        if (d->var[c] > VAR_MAX) d->var[c] = VAR_MAX;
    }
    if (d->settle) d->settle--;

    d->last_score = best;
    ret |= step_events(d, active, best, best_z, t_us, ev_out);
    publish(d);
    return ret;
}

int motion_detector_flush(struct motion_detector *d, struct motion_event *ev_out)
{
    int ret = close_event(d, ev_out);
    d->run = 0;
    if (ret) publish(d);
    return ret;
}
