/*
 * scan.c — run decoder + detector over a video file (`wardwatch motion scan`,
 * the accuracy suite, re-scanning a recording with new zones).
 *
 * The file's own timestamps stand in for the wall clock: each packet is
 * pushed with (pts − first pts) in µs, so event times are seconds from the
 * start of the file.  Stream info is probed only when the container's
 * header does not say enough (raw .h264): MP4 and MKV headers already carry
 * the codec and its extradata, and probing decodes frames we do not need.
 */
#include "motion/motion.h"

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

#include "base/base.h"

int motion_scan_file(const char *path, const struct motion_config *cfg,
                     const struct motion_zones *zones, bool thumbnails, motion_event_cb on_event,
                     void *opaque, struct motion_scan_stats *stats, char **err)
{
    if (err) *err = NULL;
    AVFormatContext *fmt = NULL;
    struct motion_detector *det = NULL;
    struct motion_decoder *dec = NULL;
    AVPacket *pkt = NULL;
    if (stats) memset(stats, 0, sizeof *stats);

    int rc = avformat_open_input(&fmt, path, NULL, NULL);
    if (rc < 0) {
        if (err) *err = ww_asprintf("cannot open %s: %s", path, av_err2str(rc));
        return rc == AVERROR(ENOENT) || rc == AVERROR(EACCES) ? rc : WW_EAV;
    }
    int vi = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (vi < 0 || fmt->streams[vi]->codecpar->codec_id == AV_CODEC_ID_NONE ||
        fmt->streams[vi]->codecpar->width == 0) {
        if (avformat_find_stream_info(fmt, NULL) < 0) {
            if (err) *err = ww_asprintf("%s: cannot read stream info", path);
            rc = WW_EAV;
            goto out;
        }
        vi = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    }
    if (vi < 0) {
        if (err) *err = ww_asprintf("%s: no video stream", path);
        rc = WW_EINVAL;
        goto out;
    }
    AVStream *vs = fmt->streams[vi];
    for (unsigned i = 0; i < fmt->nb_streams; i++)
        if ((int)i != vi) fmt->streams[i]->discard = AVDISCARD_ALL;

    rc = motion_detector_new(cfg, &det);
    if (!rc && zones) rc = motion_detector_set_zones(det, zones);
    if (rc) goto out;
    struct motion_decoder_opts o = {
        .time_base_num = vs->time_base.num,
        .time_base_den = vs->time_base.den,
        .thumbnails = thumbnails,
        .on_event = on_event,
        .opaque = opaque,
        .log_ctx = "motion scan",
    };
    rc = motion_decoder_new(vs->codecpar, det, &o, &dec);
    if (rc) {
        if (err) *err = ww_asprintf("%s: cannot decode %s video", path,
                                    avcodec_get_name(vs->codecpar->codec_id));
        goto out;
    }

    pkt = av_packet_alloc();
    if (!pkt) {
        rc = -ENOMEM;
        goto out;
    }
    int64_t first = AV_NOPTS_VALUE, last_us = 0, nframes = 0;
    AVRational fr = vs->avg_frame_rate.num > 0 ? vs->avg_frame_rate : (AVRational){10, 1};
    for (;;) {
        rc = av_read_frame(fmt, pkt);
        if (rc == AVERROR_EOF) break;
        if (rc < 0) {
            ww_warn("motion", "%s: read error: %s; scanned up to %.1f s", path, av_err2str(rc),
                    last_us / 1e6);
            break;
        }
        if (pkt->stream_index == vi) {
            int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
            int64_t t_us;
            if (ts != AV_NOPTS_VALUE) {
                if (first == AV_NOPTS_VALUE) first = ts;
                t_us = av_rescale_q(ts - first, vs->time_base, AV_TIME_BASE_Q);
            } else {
                /* No timestamps at all (raw elementary stream): count frames. */
                t_us = av_rescale_q(nframes, av_inv_q(fr), AV_TIME_BASE_Q);
            }
            nframes++;
            if (t_us > last_us) last_us = t_us;
            /* Push with pts relative to the file start so reordered frames are
             * placed by the decoder (see decoder.c). */
            rc = motion_decoder_push(dec, pkt, t_us);
        }
        av_packet_unref(pkt);
        if (rc < 0) goto out;
    }
    rc = motion_decoder_finish(dec);
    if (stats) {
        struct motion_decoder_stats ds;
        motion_decoder_get_stats(dec, &ds);
        stats->duration_us = last_us;
        stats->frames_analysed = ds.frames_analysed;
        stats->width = vs->codecpar->width;
        stats->height = vs->codecpar->height;
    }
out:
    av_packet_free(&pkt);
    motion_decoder_free(dec);
    motion_detector_free(det);
    avformat_close_input(&fmt);
    return rc;
}
