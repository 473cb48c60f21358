/*
 * bench/motion_scan.c — ww-bench-motion: the CPU cost of motion analysis.
 *
 * N streams (RTSP URLs, or files paced in real time) each run through
 * wardwatch's own decoder + detector (src/motion/) on a thread of their own
 * for S seconds; it prints one JSON line with the CPU used per stream, for
 * bench/motion_cpu.sh to set beside ffmpeg.  A benchmark, not a verb: it
 * lived in `wardwatch motion bench-scan` until issue 10 moved the
 * benchmark-only code out of src/cli/.  It is compiled against the motion
 * layer's headers only (motion and what lies below it).
 *
 * Exit: 0 every stream ran, 1 one failed (named on stderr), 2 bad usage.
 */
#include <getopt.h>
#include <libavformat/avformat.h>
#include <libavutil/log.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "base/base.h"
#include "motion/motion.h"

struct bench_stream {
    pthread_t th;
    const char *url;
    struct motion_config cfg;
    int64_t seconds;
    bool realtime;
    atomic_bool *stop;
    int rc;
    char *err;
    struct motion_decoder_stats st;
};

static int bench_interrupt(void *opaque) { return atomic_load((atomic_bool *)opaque); }

static void *bench_run(void *arg)
{
    struct bench_stream *b = arg;
    AVFormatContext *fmt = avformat_alloc_context();
    AVDictionary *o = NULL;
    bool rtsp = ww_str_starts(b->url, "rtsp://");
    if (rtsp) {
        av_dict_set(&o, "rtsp_transport", "tcp", 0);
        av_dict_set(&o, "timeout", "5000000", 0);
    }
    fmt->interrupt_callback = (AVIOInterruptCB){bench_interrupt, b->stop};
    struct motion_detector *det = NULL;
    struct motion_decoder *dec = NULL;
    AVPacket *pkt = av_packet_alloc();
    int rc = avformat_open_input(&fmt, b->url, NULL, &o);
    av_dict_free(&o);
    if (rc < 0) {
        b->err = ww_asprintf("cannot open %s: %s", b->url, av_err2str(rc));
        b->rc = WW_EAV;
        goto out;
    }
    /* RTSP: the SDP gave codec id and parameter sets; go without probing
     * (avformat_find_stream_info would decode frames on its own). */
    if (!rtsp) avformat_find_stream_info(fmt, NULL);
    int vi = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (vi < 0) {
        b->err = ww_asprintf("%s: no video stream", b->url);
        b->rc = WW_EINVAL;
        goto out;
    }
    AVStream *vs = fmt->streams[vi];
    motion_detector_new(&b->cfg, &det);
    struct motion_decoder_opts dopts = {.time_base_num = vs->time_base.num,
                                        .time_base_den = vs->time_base.den,
                                        .thumbnails = true,
                                        .log_ctx = "motion bench"};
    if (motion_decoder_new(vs->codecpar, det, &dopts, &dec)) {
        b->err = ww_asprintf("%s: cannot open the decoder", b->url);
        b->rc = WW_EAV;
        goto out;
    }
    int64_t t_start = ww_mono_us(), base_us = 0, first = AV_NOPTS_VALUE, last_rel = 0;
    while (!atomic_load(b->stop) && ww_mono_us() - t_start < b->seconds * 1000000) {
        rc = av_read_frame(fmt, pkt);
        if (rc == AVERROR_EOF && !rtsp) {
            /* Loop the file, continuing its clock. */
            base_us += last_rel + 100000;
            first = AV_NOPTS_VALUE;
            av_seek_frame(fmt, vi, 0, AVSEEK_FLAG_BACKWARD);
            continue;
        }
        if (rc < 0) {
            b->err = ww_asprintf("%s: read error: %s", b->url, av_err2str(rc));
            break;
        }
        if (pkt->stream_index == vi) {
            int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
            int64_t rel = 0;
            if (ts != AV_NOPTS_VALUE) {
                if (first == AV_NOPTS_VALUE) first = ts;
                rel = av_rescale_q(ts - first, vs->time_base, AV_TIME_BASE_Q);
                last_rel = rel;
            }
            int64_t t = rtsp ? ww_wall_us() : base_us + rel;
            if (b->realtime && !rtsp) {
                int64_t wait = (t_start + t) - ww_mono_us();
                if (wait > 0) {
                    struct timespec ts2 = {wait / 1000000, (wait % 1000000) * 1000};
                    nanosleep(&ts2, NULL);
                }
            }
            motion_decoder_push(dec, pkt, t);
        }
        av_packet_unref(pkt);
    }
    motion_decoder_finish(dec);
    motion_decoder_get_stats(dec, &b->st);
out:
    av_packet_free(&pkt);
    motion_decoder_free(dec);
    motion_detector_free(det);
    avformat_close_input(&fmt);
    return NULL;
}

static int usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("ww-bench-motion: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 2;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"seconds", required_argument, 0, 's'}, {"keyframes-only", no_argument, 0, 'k'},
        {"rate", required_argument, 0, 'r'},    {"realtime", no_argument, 0, 'R'},
        {"help", no_argument, 0, 'h'},          {0, 0, 0, 0},
    };
    struct motion_config cfg;
    motion_config_default(&cfg);
    int64_t seconds = 10;
    bool realtime = false;
    int o;
    opterr = 0;
    while ((o = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (o) {
        case 'h':
            printf("usage: ww-bench-motion URL|FILE... [--seconds S] [--rate FPS]\n"
                   "         [--keyframes-only] [--realtime]\n\n"
                   "Benchmark: one thread per stream runs decoder + detector for S seconds\n"
                   "(files loop; --realtime paces them like a camera); prints CPU use.\n");
            return 0;
        case 's':
            if (ww_parse_i64(optarg, 1, 3600, &seconds)) return usage("bad --seconds '%s'", optarg);
            break;
        case 'r':
            if (motion_config_set(&cfg, "rate", optarg)) return usage("bad --rate '%s'", optarg);
            break;
        case 'k': cfg.keyframes_only = true; break;
        case 'R': realtime = true; break;
        case ':': return usage("option '%s' needs a value", argv[optind - 1]);
        default: return usage("unknown option '%s'", argv[optind - 1]);
        }
    }
    int n = argc - optind;
    if (n < 1) return usage("no URL given");
    if (n > 256) return usage("at most 256 streams");
    av_log_set_level(AV_LOG_QUIET);
    avformat_network_init();
    atomic_bool stop = false;
    struct bench_stream *bs = ww_calloc((size_t)n, sizeof *bs);
    struct rusage r0, r1;
    getrusage(RUSAGE_SELF, &r0);
    int64_t w0 = ww_mono_us();
    for (int i = 0; i < n; i++) {
        bs[i] = (struct bench_stream){.url = argv[optind + i], .cfg = cfg, .seconds = seconds,
                                      .realtime = realtime, .stop = &stop};
        pthread_create(&bs[i].th, NULL, bench_run, &bs[i]);
    }
    for (int i = 0; i < n; i++) pthread_join(bs[i].th, NULL);
    int64_t w1 = ww_mono_us();
    getrusage(RUSAGE_SELF, &r1);
    double cpu = (r1.ru_utime.tv_sec - r0.ru_utime.tv_sec) + (r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) +
                 ((r1.ru_utime.tv_usec - r0.ru_utime.tv_usec) + (r1.ru_stime.tv_usec - r0.ru_stime.tv_usec)) / 1e6;
    int64_t decoded = 0, analysed = 0, packets = 0, failed = 0;
    for (int i = 0; i < n; i++) {
        if (bs[i].err) {
            fprintf(stderr, "ww-bench-motion: %s\n", bs[i].err);
            failed++;
        }
        free(bs[i].err);
        decoded += bs[i].st.frames_decoded;
        analysed += bs[i].st.frames_analysed;
        packets += bs[i].st.packets;
    }
    free(bs);
    avformat_network_deinit();
    double wall = (w1 - w0) / 1e6;
    printf("{\"streams\":%d,\"failed\":%lld,\"wall_s\":%.2f,\"cpu_s\":%.3f,"
           "\"cpu_pct_per_stream\":%.2f,\"packets\":%lld,\"frames_decoded\":%lld,"
           "\"frames_analysed\":%lld}\n",
           n, (long long)failed, wall, cpu, wall > 0 ? 100.0 * cpu / wall / n : 0,
           (long long)packets, (long long)decoded, (long long)analysed);
    return failed ? 1 : 0;
}

