/* Unit tests for record/: the segment writer and syncer fed with synthetic
 * H.264 access units, then the crash shapes recovery must handle — a file
 * cut at every offset, a growing row behind its file, a file whose row never
 * committed, an interrupted delete, and a full disk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

#include <libavutil/channel_layout.h>

#include "base/base.h"
#include "catalog/catalog.h"
#include "record/record.h"

static const uint8_t sps_pps[] = {0, 0, 0, 1, 0x67, 0x64, 0x00, 0x28, 0xac, 0xd9, 0x40, 0x78, 0x02, 0x27,
                                  0xe5, 0x84, 0x00, 0x00, 0x03, 0x00, 0x04, 0x00, 0x00, 0x03, 0x00, 0xc8,
                                  0x3c, 0x60, 0xc6, 0x58, 0, 0, 0, 1, 0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0};

struct fixture {
    char dir[64];
    catalog_t *cat;
    int64_t cam, stream;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/ww-rec-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    char *db = ww_asprintf("%s/wardwatch.db", f->dir);
    assert_int_equal(catalog_open(db, CATALOG_CREATE, &f->cat), 0);
    free(db);
    struct catalog_camera c = {.name = "t", .main_url = "rtsp://127.0.0.1:9/x", .enabled = true,
                           .retention_days = 30, .direction_deg = -1};
    assert_int_equal(catalog_camera_add(f->cat, &c), 0);
    f->cam = c.id;
    assert_int_equal(catalog_stream_ensure(f->cat, f->cam, "main", &f->stream), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    catalog_close(f->cat);
    char *cmd = ww_asprintf("rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(f);
    ww_fsops_fault("enospc-after=-1");
    return 0;
}

/* A writer and syncer fed with synthetic 25 fps video (GOP 50). */
struct rig {
    rec_syncer_t *sy;
    rec_writer_t *w;
    AVCodecParameters *par;
    AVPacket *p;
    int64_t t0;
};

static void rig_start(struct fixture *f, struct rig *r, int seg_s, int64_t t0)
{
    struct rec_retention_cfg rc = {0};
    assert_int_equal(rec_syncer_start(f->dir, 200000, &rc, &r->sy), 0);
    struct rec_writer_cfg wc = {.data_dir = f->dir, .camera_id = f->cam, .stream_id = f->stream,
                                .kind = "main", .max_segment_us = seg_s * 1000000LL};
    assert_int_equal(rec_writer_new(&wc, r->sy, &r->w), 0);
    r->par = avcodec_parameters_alloc();
    r->par->codec_type = AVMEDIA_TYPE_VIDEO;
    r->par->codec_id = AV_CODEC_ID_H264;
    r->par->width = 1920;
    r->par->height = 1080;
    r->par->extradata = av_mallocz(sizeof sps_pps + AV_INPUT_BUFFER_PADDING_SIZE);
    memcpy(r->par->extradata, sps_pps, sizeof sps_pps);
    r->par->extradata_size = sizeof sps_pps;
    rec_writer_on_hub(r->w, &(struct hub_msg){.ev = HUB_START, .par = r->par, .tb = {1, 90000}});
    r->p = av_packet_alloc();
    r->t0 = t0;
}

/* Feeds frames [from, to) of the synthetic stream. */
static void rig_feed(struct rig *r, int64_t from, int64_t to)
{
    for (int64_t i = from; i < to; i++) {
        bool key = i % 50 == 0;
        av_new_packet(r->p, 4000);
        memset(r->p->data, 0x5a, 4000);
        memcpy(r->p->data, (uint8_t[]){0, 0, 0, 1, key ? 0x65 : 0x41}, 5);
        r->p->pts = r->p->dts = i * 3600;
        rec_writer_on_hub(r->w, &(struct hub_msg){.ev = HUB_PACKET, .pkt = r->p, .wall_us = r->t0 + i * 40000,
                                                  .key = key});
        av_packet_unref(r->p);
    }
}

/* Presentation index of decode-order frame i of a GOP-50 stream with two
 * B-frames between references, as x264 -bf 2 sends it: I0 P3 B1 B2 P6 B4
 * B5 ... and the GOP's last frames P49 after B47 B48 (closed GOP). */
static int64_t bf_pts(int64_t i)
{
    int64_t g = i / 50 * 50, k = i % 50;
    if (k == 0) return g;
    int64_t slot = (k - 1) % 3, ref = (k - 1) / 3 * 3 + 3;
    if (ref > 49) ref = 49;
    return g + (slot == 0 ? ref : ref - 3 + slot);
}

/* Frames [from, to) in decode order with pts != dts, timed as ingest times
 * them: dts one frame behind (reorder depth 1), wall time = dts. */
static void rig_feed_bframes(struct rig *r, int64_t from, int64_t to)
{
    for (int64_t i = from; i < to; i++) {
        bool key = i % 50 == 0;
        av_new_packet(r->p, 3000);
        memset(r->p->data, 0x5a, 3000);
        memcpy(r->p->data, (uint8_t[]){0, 0, 0, 1, key ? 0x65 : bf_pts(i) % 3 ? 0x01 : 0x41}, 5);
        r->p->dts = (i - 1) * 3600;
        r->p->pts = bf_pts(i) * 3600;
        rec_writer_on_hub(r->w, &(struct hub_msg){.ev = HUB_PACKET, .pkt = r->p,
                                                  .wall_us = r->t0 + (i - 1) * 40000, .key = key});
        av_packet_unref(r->p);
    }
}

static void rig_stop(struct rig *r)
{
    av_packet_free(&r->p);
    rec_writer_free(r->w);
    rec_syncer_stop(r->sy);
    avcodec_parameters_free(&r->par);
}

/* Records `seconds` of 25 fps synthetic video (GOP 50) with segments of
 * seg_s seconds; returns the wall time of the first frame. */
static int64_t record(struct fixture *f, double seconds, int seg_s)
{
    struct rig r;
    rig_start(f, &r, seg_s, ww_wall_us() - (int64_t)(seconds * 1e6) - 10000000);
    rig_feed(&r, 0, (int64_t)(seconds * 25));
    rig_stop(&r);
    return r.t0;
}

static int problems(struct fixture *f) { return rec_check(f->dir, f->cat, false, NULL, NULL); }

static void test_writer_segments(void **state)
{
    struct fixture *f = *state;
    int64_t t0 = record(f, 10, 4);
    struct catalog_segment *v;
    size_t n;
    assert_int_equal(catalog_segment_range(f->cat, f->stream, 0, INT64_MAX / 2, &v, &n), 0);
    assert_int_equal(n, 3); /* 0-4 s, 4-8 s, 8-10 s: cut on keyframes */
    assert_int_equal(v[0].start_us, t0);
    int64_t frames = 0;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(v[i].state, CATALOG_SEG_CLOSED);
        if (i) assert_int_equal(v[i].start_us, v[i - 1].end_us); /* contiguous */
        assert_true(v[i].end_us - v[i].start_us <= 4000000);
        /* fragments of at most 1 s */
        assert_true((int64_t)rec_frag_count(v[i].frag_index, v[i].frag_index_len) * 1000000 >= v[i].end_us - v[i].start_us);
        assert_true(rec_frag_get(v[i].frag_index, 0).flags & REC_FRAG_KEY);
        frames += v[i].frames;
    }
    assert_int_equal(frames, 250);
    assert_int_equal(v[n - 1].end_us, t0 + 250 * 40000);
    catalog_segment_list_free(v, n);
    assert_int_equal(problems(f), 0);
}

/* A sound track (issue 12 item 6): video and 16 kHz AAC frames (64 ms)
 * delivered by wall time as the hub does.  The files get an mp4a track
 * and say so in the header, while the catalog's frames, the fragment index
 * and check stay the video's; the reader gives both streams back. */
static void test_writer_audio(void **state)
{
    struct fixture *f = *state;
    struct rig r;
    rig_start(f, &r, 4, ww_wall_us() - 30000000);
    AVCodecParameters *apar = avcodec_parameters_alloc();
    apar->codec_type = AVMEDIA_TYPE_AUDIO;
    apar->codec_id = AV_CODEC_ID_AAC;
    apar->sample_rate = 16000;
    apar->frame_size = 1024;
    av_channel_layout_default(&apar->ch_layout, 1);
    apar->extradata = av_mallocz(2 + AV_INPUT_BUFFER_PADDING_SIZE);
    apar->extradata[0] = 0x14;
    apar->extradata[1] = 0x08;
    apar->extradata_size = 2;
    rec_writer_on_hub(r.w, &(struct hub_msg){.ev = HUB_START, .par = r.par, .tb = {1, 90000}, .apar = apar,
                                             .atb = {1, 16000}});
    int64_t a = 0;
    for (int64_t i = 0; i < 250; i++) {
        rig_feed(&r, i, i + 1);
        /* the audio frames up to this video frame, 3 ms of arrival jitter on every third */
        while (a * 64000 <= i * 40000) {
            av_new_packet(r.p, 40);
            memset(r.p->data, 0x21, 40);
            r.p->pts = r.p->dts = a * 1024;
            rec_writer_on_hub(r.w, &(struct hub_msg){.ev = HUB_PACKET, .pkt = r.p, .stream = 1,
                                                     .wall_us = r.t0 + a * 64000 + (a % 3 ? 0 : 3000)});
            av_packet_unref(r.p);
            a++;
        }
    }
    struct rec_writer_stats ws;
    rec_writer_stats(r.w, &ws);
    rig_stop(&r);
    assert_int_equal(ws.frames, 249); /* the last video frame waits for its duration until the close */
    if (ws.audio_frames < a - 1 || ws.audio_dropped > 1)
        fail_msg("expected %lld audio frames written (one may fall before a cut), saw %lld written, %lld dropped",
                 (long long)a, (long long)ws.audio_frames, (long long)ws.audio_dropped);
    struct catalog_segment *v;
    size_t n;
    assert_int_equal(catalog_segment_range(f->cat, f->stream, 0, INT64_MAX / 2, &v, &n), 0);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++) {
        char *abs = ww_asprintf("%s/%s", f->dir, v[i].path);
        struct rec_scan sc;
        assert_int_equal(rec_scan_file(abs, &sc), 0);
        assert_string_equal(sc.audio, "aac");
        if (sc.frames != v[i].frames) fail_msg("segment %zu: scan counts %lld frames, the row %lld (video only)", i,
                                              (long long)sc.frames, (long long)v[i].frames);
        assert_int_equal(rec_frag_count(sc.index.data, sc.index.len), rec_frag_count(v[i].frag_index, v[i].frag_index_len));
        assert_true(rec_frag_get(sc.index.data, 0).flags & REC_FRAG_KEY);
        assert_int_equal(sc.timescale, 90000);
        rec_scan_clear(&sc);
        free(abs);
    }
    catalog_segment_list_free(v, n);
    assert_int_equal(problems(f), 0);
    rec_reader_t *rd;
    assert_int_equal(rec_reader_open(f->dir, f->cat, f->stream, 0, 0, &rd), 0);
    rec_reader_want_audio(rd);
    AVPacket *p = av_packet_alloc();
    int64_t wall, nv = 0, na = 0, last_a = 0;
    bool key;
    while (rec_reader_next(rd, p, &wall, &key) == 0) {
        if (p->stream_index == 1) {
            assert_non_null(rec_reader_audio_params(rd));
            if (na && wall <= last_a) fail_msg("audio wall times expected increasing, %lld after %lld", (long long)wall, (long long)last_a);
            last_a = wall;
            na++;
        } else {
            nv++;
        }
        av_packet_unref(p);
    }
    av_packet_free(&p);
    rec_reader_close(rd);
    assert_int_equal(nv, 250);
    if (na < ws.audio_frames - 1) fail_msg("the reader gave %lld audio frames of %lld written", (long long)na, (long long)ws.audio_frames);
    avcodec_parameters_free(&apar);
}

/* Cut a finished segment at many offsets: the scan never over-reports and
 * what it reports grows with the file. */
static void test_scan_truncated(void **state)
{
    struct fixture *f = *state;
    record(f, 4, 10);
    struct catalog_segment *v;
    size_t n;
    assert_int_equal(catalog_segment_all(f->cat, -1, &v, &n), 0);
    assert_int_equal(n, 1);
    char *src = ww_asprintf("%s/%s", f->dir, v[0].path);
    char *data;
    size_t len;
    assert_int_equal(ww_read_file(src, 64 << 20, &data, &len), 0);
    char *cut = ww_asprintf("%s/cut.mp4", f->dir);
    int64_t prev_frames = 0, prev_good = 0;
    for (size_t at = 0; at <= len; at += 997) {
        FILE *o = fopen(cut, "wb");
        fwrite(data, 1, at, o);
        fclose(o);
        struct rec_scan sc;
        rec_scan_file(cut, &sc);
        assert_true(sc.good_bytes <= (int64_t)at);
        assert_true(sc.frames >= prev_frames);
        assert_true(sc.good_bytes >= prev_good);
        prev_frames = sc.frames;
        prev_good = sc.good_bytes;
        rec_scan_clear(&sc);
    }
    struct rec_scan sc;
    assert_int_equal(rec_scan_file(src, &sc), 0);
    assert_true(sc.has_header);
    assert_int_equal(sc.start_us, v[0].start_us);
    assert_int_equal(sc.frames, 100);
    assert_int_equal(sc.duration_us, 4000000);
    rec_scan_clear(&sc);
    free(data);
    free(src);
    unlink(cut);
    free(cut);
    catalog_segment_list_free(v, n);
}

/* A row that lags behind its file (kill -9 between group commits), with a
 * partial fragment at the end: recovery indexes the complete tail and cuts
 * the partial fragment. */
static void test_recover_growing_tail(void **state)
{
    struct fixture *f = *state;
    record(f, 4, 10);
    struct catalog_segment *v;
    size_t n;
    catalog_segment_all(f->cat, -1, &v, &n);
    char *abs = ww_asprintf("%s/%s", f->dir, v[0].path);
    struct rec_scan sc;
    rec_scan_file(abs, &sc);
    struct rec_frag third = rec_frag_get(sc.index.data, 2);
    rec_scan_clear(&sc);
    /* the file ends 300 bytes into the 3rd fragment; the row knew 1 fragment */
    assert_int_equal(truncate(abs, (off_t)third.offset + 300), 0);
    struct rec_frag second = rec_frag_get(v[0].frag_index, 1);
    v[0].state = CATALOG_SEG_GROWING;
    v[0].bytes = (int64_t)second.offset;
    v[0].frames = 25;
    v[0].end_us = v[0].start_us + 1000000;
    assert_int_equal(catalog_segment_upsert(f->cat, &v[0]), 0);
    assert_int_equal(problems(f), 0); /* a row behind its file claims only what is there */
    struct rec_recover_report rep;
    assert_int_equal(rec_recover(f->dir, f->cat, &rep), 0);
    assert_int_equal(rep.rows_extended, 1);
    catalog_segment_list_free(v, n);
    catalog_segment_all(f->cat, -1, &v, &n);
    assert_int_equal(v[0].state, CATALOG_SEG_CLOSED);
    assert_int_equal(v[0].frames, 50);          /* two complete fragments */
    assert_int_equal(v[0].bytes, (int64_t)third.offset);
    struct stat st;
    stat(abs, &st);
    assert_int_equal(st.st_size, (off_t)third.offset); /* partial fragment cut off */
    assert_int_equal(problems(f), 0);
    catalog_segment_list_free(v, n);
    free(abs);
}

/* A file whose row never committed, a row whose file is gone, and an
 * interrupted delete. */
static void test_recover_orphans(void **state)
{
    struct fixture *f = *state;
    record(f, 10, 4);
    struct catalog_segment *v;
    size_t n;
    catalog_segment_all(f->cat, -1, &v, &n);
    assert_int_equal(n, 3);
    assert_int_equal(catalog_segment_delete(f->cat, v[0].id), 0);           /* orphan file */
    char *gone = ww_asprintf("%s/%s", f->dir, v[1].path);
    unlink(gone);                                                            /* row without file */
    assert_int_equal(catalog_segment_set_state(f->cat, v[2].id, CATALOG_SEG_DELETING), 0); /* half-deleted */
    assert_true(problems(f) >= 2);
    struct rec_recover_report rep;
    assert_int_equal(rec_recover(f->dir, f->cat, &rep), 0);
    assert_int_equal(rep.files_indexed, 1);
    assert_int_equal(rep.rows_dropped, 1);
    assert_int_equal(rep.deletes_finished, 1);
    catalog_segment_list_free(v, n);
    catalog_segment_all(f->cat, -1, &v, &n);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].frames, 100);  /* the orphan, re-indexed from its header box */
    assert_int_equal(problems(f), 0);
    catalog_segment_list_free(v, n);
    free(gone);
}

/* Writes fail with ENOSPC part-way: the segment is cut to its last
 * complete fragment and the catalog stays consistent. */
static void test_disk_full(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(ww_fsops_fault("enospc-after=500000"), 0);
    record(f, 10, 60);
    ww_fsops_fault("enospc-after=-1");
    struct catalog_segment *v;
    size_t n;
    catalog_segment_all(f->cat, -1, &v, &n);
    assert_true(n >= 1);
    int64_t frames = 0;
    for (size_t i = 0; i < n; i++) frames += v[i].frames;
    assert_true(frames > 0 && frames < 250);
    catalog_segment_list_free(v, n);
    assert_int_equal(problems(f), 0);
}

/* The disk is already full when the first segment of a life is opened:
 * nothing was written yet, and still the hole is a gap saying "disk full"
 * once space returns (it used to start at time 0, i.e. no gap at all). */
static void test_disk_full_from_start(void **state)
{
    struct fixture *f = *state;
    struct rig r;
    rig_start(f, &r, 60, ww_wall_us() - 20000000);
    assert_int_equal(ww_fsops_fault("enospc-after=0"), 0);
    rig_feed(&r, 0, 100);                 /* 4 s that cannot be written */
    ww_fsops_fault("enospc-after=-1");
    usleep(2100000);                      /* the writer retries every 2 s */
    rig_feed(&r, 100, 250);               /* the next keyframe opens a segment */
    rig_stop(&r);
    struct catalog_gap *g;
    size_t ng;
    assert_int_equal(catalog_gap_range(f->cat, f->stream, 0, INT64_MAX / 2, &g, &ng), 0);
    assert_int_equal(ng, 1);
    assert_string_equal(g[0].reason, "disk full");
    assert_true(g[0].start_us > 0 && g[0].start_us <= r.t0 + 100000);
    assert_int_equal(g[0].end_us, r.t0 + 100 * 40000);
    catalog_gap_list_free(g, ng);
    struct catalog_segment *v;
    size_t n;
    catalog_segment_all(f->cat, -1, &v, &n);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].start_us, r.t0 + 100 * 40000);
    catalog_segment_list_free(v, n);
    assert_int_equal(problems(f), 0);
}

/* B-frames (pts != dts) are written with their composition offsets: every
 * packet read back has dts strictly increasing and pts >= dts, the pts of
 * a segment are its frames' presentation times (no two alike, spaced one
 * frame apart once sorted), and nothing is lost.  (The writer used to lose
 * the whole stream: "media library error".) */
static void test_writer_bframes(void **state)
{
    struct fixture *f = *state;
    struct rig r;
    rig_start(f, &r, 4, ww_wall_us() - 30000000);
    rig_feed_bframes(&r, 0, 250);
    struct rec_writer_stats ws;
    rec_writer_stats(r.w, &ws);
    assert_int_not_equal(ws.state, REC_ERROR);
    rig_stop(&r);
    struct catalog_segment *v;
    size_t n;
    assert_int_equal(catalog_segment_range(f->cat, f->stream, 0, INT64_MAX / 2, &v, &n), 0);
    assert_int_equal(n, 3);
    int64_t frames = 0;
    for (size_t i = 0; i < n; i++) {
        char *path = ww_asprintf("%s/%s", f->dir, v[i].path);
        AVFormatContext *fc = NULL;
        assert_int_equal(avformat_open_input(&fc, path, NULL, NULL), 0);
        AVPacket *p = av_packet_alloc();
        int64_t last_dts = INT64_MIN, pts0 = 0, np = 0;
        while (av_read_frame(fc, p) >= 0) {
            assert_true(p->dts > last_dts);
            assert_true(p->pts >= p->dts);
            last_dts = p->dts;
            /* each frame shown at its own presentation time, in frames
             * from the segment's first */
            int64_t t = av_rescale_q(p->pts, fc->streams[0]->time_base, (AVRational){1, 25});
            if (!np) pts0 = t;
            assert_int_equal(t - pts0, bf_pts(frames + np) - bf_pts(frames));
            np++;
            av_packet_unref(p);
        }
        assert_int_equal(np, v[i].frames);
        frames += np;
        av_packet_free(&p);
        avformat_close_input(&fc);
        free(path);
    }
    assert_int_equal(frames, 250);
    catalog_segment_list_free(v, n);
    assert_int_equal(problems(f), 0);
}

/* A stream the writer cannot store (here: a codec MP4 segments do not
 * take from us) is not silent: the recorder is in `error` with a reason
 * that names what was refused, and the time is a gap with that reason. */
static void test_writer_refusal_is_a_gap(void **state)
{
    struct fixture *f = *state;
    struct rig r;
    rig_start(f, &r, 60, ww_wall_us() - 20000000);
    r.par->codec_id = AV_CODEC_ID_MPEG4;
    rec_writer_on_hub(r.w, &(struct hub_msg){.ev = HUB_START, .par = r.par, .tb = {1, 90000}});
    rig_feed(&r, 0, 100);
    struct rec_writer_stats ws;
    rec_writer_stats(r.w, &ws);
    assert_int_equal(ws.state, REC_ERROR);
    assert_non_null(strstr(ws.error_text, "codec (mpeg4) cannot be recorded"));
    assert_null(strstr(ws.error_text, "media library error"));
    rig_stop(&r);
    struct catalog_gap *g;
    size_t ng;
    assert_int_equal(catalog_gap_range(f->cat, f->stream, 0, INT64_MAX / 2, &g, &ng), 0);
    assert_int_equal(ng, 1);
    assert_non_null(strstr(g[0].reason, "not recordable: the stream's codec (mpeg4)"));
    assert_true(g[0].start_us == r.t0);
    assert_true(g[0].end_us > r.t0 + 99 * 40000);
    catalog_gap_list_free(g, ng);
    struct catalog_segment *v;
    size_t n;
    catalog_segment_all(f->cat, -1, &v, &n);
    assert_int_equal(n, 0);
    catalog_segment_list_free(v, n);
}

/* The timeline's gaps: holes between segments take the overlapping row's
 * reason or none; rows after the last segment (a disk that filled again
 * before any segment was finished) are gaps too, pieces of one failure
 * merged; a hole within min_us is no gap. */
static void test_gap_holes(void **state)
{
    (void)state;
    struct catalog_segment v[] = {{.stream_id = 7, .start_us = 100, .end_us = 200},
                                  {.stream_id = 7, .start_us = 200 + 5, .end_us = 300},
                                  {.stream_id = 7, .start_us = 400, .end_us = 500},
                                  {.stream_id = 7, .start_us = 600, .end_us = 700}};
    struct catalog_gap g[] = {{7, 20, 90, "camera offline: x"},  /* before the first segment */
                              {7, 300, 400, "disk full"},        /* the hole 300-400 */
                              {7, 690, 800, "disk full"},        /* after the last, from 700 */
                              {7, 800, 900, "disk full"},        /* its next piece */
                              {7, 950, 990, "write error"}};
    struct catalog_gap *h;
    size_t nh;
    catalog_gap_holes(v, 4, g, 5, 10, &h, &nh);
    assert_int_equal(nh, 5);
    assert_int_equal(h[0].start_us, 20); assert_int_equal(h[0].end_us, 90);
    assert_string_equal(h[0].reason, "camera offline: x");
    assert_int_equal(h[1].start_us, 300); assert_int_equal(h[1].end_us, 400);
    assert_string_equal(h[1].reason, "disk full");
    assert_int_equal(h[2].start_us, 500); assert_int_equal(h[2].end_us, 600);
    assert_null(h[2].reason);
    assert_int_equal(h[3].start_us, 700); assert_int_equal(h[3].end_us, 900);
    assert_string_equal(h[3].reason, "disk full");
    assert_string_equal(h[4].reason, "write error");
    catalog_gap_list_free(h, nh);
    /* no segment at all: every row, merged */
    catalog_gap_holes(NULL, 0, g + 2, 2, 10, &h, &nh);
    assert_int_equal(nh, 1);
    assert_int_equal(h[0].start_us, 690); assert_int_equal(h[0].end_us, 900);
    catalog_gap_list_free(h, nh);
    catalog_gap_holes(v, 4, NULL, 0, 10, &h, &nh);
    assert_int_equal(nh, 2); /* 300-400 and 500-600, reasons unknown */
    assert_null(h[0].reason);
    catalog_gap_list_free(h, nh);
}

int main(void)
{
    ww_log_set_level(WW_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_writer_segments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scan_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recover_growing_tail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recover_orphans, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disk_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disk_full_from_start, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writer_bframes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writer_audio, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writer_refusal_is_a_gap, setup, teardown),
        cmocka_unit_test(test_gap_holes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
