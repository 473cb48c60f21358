/*
 * export.c — writes an evidence clip and its manifest.
 *
 * The clip starts at the keyframe at or before `from` (so its first frame
 * decodes; the manifest gives both the asked range and the actual first
 * and last frame times) and ends before `to`.  Written to "<out>.part",
 * then moved into place: a crash never leaves a half file under the final
 * name.  The SHA-256 is computed from the finished file, not the stream, so
 * it is exactly what a court receives.
 */
#include "export/export.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <jansson.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libavformat/avformat.h>

#include "base/base.h"
#include "catalog/cat_users.h"
#include "record/record.h"

void export_result_clear(struct export_result *r)
{
    if (!r) return;
    free(r->manifest_path);
    free(r->manifest_json);
    memset(r, 0, sizeof *r);
}

int export_sha256_file(const char *path, char out[65])
{
    return ww_sha256_file(path, out);
}

/* Remuxes the reader's packets into a faststart MP4 at path. */
static int write_mp4(const struct export_req *q, rec_reader_t *rd, const char *path,
                     struct export_result *res)
{
    AVFormatContext *oc = NULL;
    AVPacket *pkt = av_packet_alloc();
    int64_t wall, first = 0;
    bool key;
    rec_reader_want_audio(rd); /* the sound track, when the recording has one, goes along */
    int rc = rec_reader_next(rd, pkt, &wall, &key);
    if (rc) { av_packet_free(&pkt); return rc == WW_EOF ? WW_ENOTFOUND : rc; }
    rc = WW_EAV;
    if (avformat_alloc_output_context2(&oc, NULL, "mp4", path) < 0) goto out;
    AVStream *st = avformat_new_stream(oc, NULL);
    const AVCodecParameters *par = rec_reader_params(rd);
    avcodec_parameters_copy(st->codecpar, par);
    st->codecpar->codec_tag = par->codec_id == AV_CODEC_ID_HEVC ? MKTAG('h', 'v', 'c', '1') : 0;
    st->time_base = (AVRational){1, 90000};
    /* the first segment's sound track decides: a later segment's audio
     * without one here is left out (the clip is still the evidence video) */
    const AVCodecParameters *apar = rec_reader_audio_params(rd);
    AVStream *ast = apar ? avformat_new_stream(oc, NULL) : NULL;
    if (ast) {
        avcodec_parameters_copy(ast->codecpar, apar);
        ast->codecpar->codec_tag = 0;
        ast->time_base = (AVRational){1, apar->sample_rate > 0 ? apar->sample_rate : 90000};
    }
    int err = avio_open(&oc->pb, path, AVIO_FLAG_WRITE);
    if (err < 0) { rc = err == AVERROR(ENOSPC) ? -ENOSPC : -EIO; goto out; }
    AVDictionary *o = NULL;
    /* "faststart" the cheap way: reserve room for the moov at the front
     * (an upper bound from the frame count: stsz, stts, ctts, stss and
     * chunk offsets take at most ~20 bytes a sample) instead of movflags
     * +faststart, which rewrites the whole file in a second pass. */
    /* audio: up to ~47 AAC frames a second (48 kHz) to video's 25, so
     * thrice the room when there is a sound track */
    av_dict_set_int(&o, "moov_size", 65536 + rec_reader_total_frames(rd) * 24 * (ast ? 4 : 1), 0);
    /* the creation time is the recording's, not the export's */
    char ts[48];
    av_dict_set(&oc->metadata, "creation_time", ww_fmt_time(wall, 0, ts, sizeof ts), 0);
    av_dict_set(&oc->metadata, "comment", "wardwatch evidence export", 0);
    if (avformat_write_header(oc, &o) < 0) { av_dict_free(&o); goto out; }
    av_dict_free(&o);
    first = wall;
    int64_t base = pkt->dts, last_end = wall, prev_wall = 0;
    int64_t last_dur = 3600; /* 40 ms in 1/90000 */
    AVPacket *prev = av_packet_alloc();
    bool have_prev = false;
    double last_p = -1;
    int64_t last_adts = INT64_MIN;
    do {
        if (pkt->stream_index == 1) {
            /* audio as it comes, in its own track: at or after the clip's
             * first frame, dts increasing, else left out */
            int64_t d = pkt->dts - base;
            if (ast && d >= 0) {
                pkt->dts = pkt->pts = d;
                av_packet_rescale_ts(pkt, (AVRational){1, 90000}, ast->time_base);
                if (pkt->dts > last_adts) {
                    last_adts = pkt->dts;
                    pkt->flags |= AV_PKT_FLAG_KEY;
                    if (av_write_frame(oc, pkt) < 0) { av_packet_free(&prev); goto out; }
                    res->audio_frames++;
                }
            }
            av_packet_unref(pkt);
            continue;
        }
        /* write the previous packet now that its duration is known */
        if (have_prev) {
            prev->duration = pkt->dts - prev->dts > 0 && pkt->dts - prev->dts < 900000 ? pkt->dts - prev->dts : last_dur;
            last_dur = prev->duration;
            prev->stream_index = 0;
            av_packet_rescale_ts(prev, (AVRational){1, 90000}, st->time_base);
            if (av_write_frame(oc, prev) < 0) { av_packet_free(&prev); goto out; }
            res->frames++;
            av_packet_unref(prev);
        }
        pkt->dts -= base;
        pkt->pts -= base;
        av_packet_move_ref(prev, pkt);
        have_prev = true;
        prev_wall = wall;
        if (key) prev->flags |= AV_PKT_FLAG_KEY;
        if (q->progress) {
            double p = rec_reader_progress(rd);
            if (p - last_p >= 0.01) { q->progress(q->opaque, p); last_p = p; }
        }
    } while (rec_reader_next(rd, pkt, &wall, &key) == 0);
    if (have_prev) {
        prev->duration = last_dur;
        prev->stream_index = 0;
        av_packet_rescale_ts(prev, (AVRational){1, 90000}, st->time_base);
        if (av_write_frame(oc, prev) < 0) { av_packet_free(&prev); goto out; }
        res->frames++;
        last_end = prev_wall;
    }
    av_packet_free(&prev);
    if (av_write_trailer(oc) < 0) goto out;
    res->first_us = first;
    res->last_us = last_end;
    rc = 0;
out:
    if (oc && oc->pb) avio_closep(&oc->pb);
    avformat_free_context(oc);
    av_packet_free(&pkt);
    if (q->progress && rc == 0) q->progress(q->opaque, 1.0);
    return rc;
}

static json_t *manifest(const struct export_req *q, const struct catalog_camera *cam, catalog_t *cat,
                        const struct export_result *res, const char *file_name)
{
    char a[48], b[48], c[48], d[48], e[48], f[48], now[48];
    int off = ww_station_offset_min();
    json_t *camera = json_pack("{s:I,s:s,s:s?}", "id", (json_int_t)cam->id, "name", cam->name,
                               "address", cam->address);
    if (cam->has_pos) {
        json_object_set_new(camera, "latitude", json_real(cam->latitude));
        json_object_set_new(camera, "longitude", json_real(cam->longitude));
    }
    if (cam->ward_id) {
        struct catalog_ward *w;
        size_t nw;
        if (catalog_ward_list(cat, &w, &nw) == 0) {
            for (size_t i = 0; i < nw; i++)
                if (w[i].id == cam->ward_id)
                    json_object_set_new(camera, "ward", json_pack("{s:s,s:s?,s:s?}", "name", w[i].name,
                                                                   "district", w[i].district, "province", w[i].province));
            catalog_ward_list_free(w, nw);
        }
    }
    json_t *owner = json_null();
    int64_t owner_id = 0;
    if (catalog_camera_owner_get(cat, cam->id, &owner_id) == 0 && owner_id) {
        struct catalog_owner o;
        if (catalog_owner_get(cat, owner_id, &o) == 0) {
            owner = json_pack("{s:I,s:s,s:s?,s:s?,s:s?}", "id", (json_int_t)o.id, "kind", o.kind,
                              "name", o.name, "phone", o.phone, "address", o.address);
            catalog_owner_clear(&o);
        }
    }
    json_t *m = json_pack("{s:s,s:o,s:o,s:s,s:{s:s,s:s,s:s,s:s},s:{s:s,s:s,s:s,s:s},"
                     "s:{s:s,s:I,s:s,s:s,s:I},s:{s:s,s:I,s:s?},s:s,s:s}",
        "kind", "wardwatch evidence export",
        "camera", camera, "owner", owner, "stream", q->stream ? q->stream : "main",
        "requested", "from_local", ww_fmt_time(q->from_us, off, a, sizeof a),
                     "to_local", ww_fmt_time(q->to_us, off, b, sizeof b),
                     "from_utc", ww_fmt_time(q->from_us, 0, c, sizeof c),
                     "to_utc", ww_fmt_time(q->to_us, 0, d, sizeof d),
        "actual", "first_frame_local", ww_fmt_time(res->first_us, off, e, sizeof e),
                  "last_frame_local", ww_fmt_time(res->last_us, off, f, sizeof f),
                  "first_frame_utc", ww_fmt_time(res->first_us, 0, a, sizeof a),
                  "last_frame_utc", ww_fmt_time(res->last_us, 0, b, sizeof b),
        "file", "name", file_name, "bytes", (json_int_t)res->bytes, "sha256", res->sha256,
                "container", "mp4 (remuxed from the recordings, no transcoding, faststart)",
                "frames", (json_int_t)res->frames,
        "exported_by", "username", q->username ? q->username : "unknown",
                       "user_id", q->user_id ? (json_int_t)q->user_id : (json_int_t)0,
                       "client_addr", q->client_addr,
        "exported_at", ww_fmt_time(ww_wall_us(), off, now, sizeof now),
        "timezone", "Asia/Ho_Chi_Minh");
    /* the sound track, when the recording had one (the camera's audio
     * setting): a court should know the clip carries sound */
    json_t *file = json_object_get(m, "file");
    if (file) {
        json_object_set_new(file, "audio", res->audio_frames ? json_string("aac") : json_null());
        json_object_set_new(file, "audio_frames", json_integer(res->audio_frames));
    }
    return m;
}

int export_clip(const struct export_req *q, struct export_result *res)
{
    WW_ASSERT_NOT_ROLE(WW_THREAD_HTTP);   /* it fsyncs: STYLE §5 */
    WW_ASSERT_NOT_ROLE(WW_THREAD_INGEST);
    memset(res, 0, sizeof *res);
    if (q->to_us <= q->from_us) return WW_EINVAL;
    if (ww_span_over(q->from_us, q->to_us, 24LL * 3600 * 1000000)) return WW_EINVAL; /* one day at most */
    struct catalog_camera cam;
    int rc = catalog_camera_get(q->cat, q->camera_id, &cam);
    if (rc) return rc;
    struct catalog_consent_now cn;
    if ((rc = catalog_consent_at(q->cat, q->camera_id, ww_wall_us(), &cn)) || !cn.export_) {
        catalog_camera_clear(&cam);
        return rc ? rc : WW_EPERM;
    }
    int64_t sid;
    const char *kind = q->stream ? q->stream : "main";
    rc = catalog_stream_find(q->cat, q->camera_id, kind, &sid);
    rec_reader_t *rd = NULL;
    if (!rc) rc = rec_reader_open(q->data_dir, q->cat, sid, q->from_us, q->to_us, &rd);
    char *part = ww_asprintf("%s.part", q->out_path);
    if (!rc) rc = write_mp4(q, rd, part, res);
    rec_reader_close(rd);
    if (!rc) {
        int fd = open(part, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) { fdatasync(fd); close(fd); }
        if (rename(part, q->out_path) != 0) rc = -errno;
    }
    if (rc) { unlink(part); free(part); catalog_camera_clear(&cam); return rc; }
    free(part);
    ww_fsync_dir_of(q->out_path);
    if ((rc = export_sha256_file(q->out_path, res->sha256))) { catalog_camera_clear(&cam); return rc; }
    FILE *f = fopen(q->out_path, "rb");
    if (f) { fseek(f, 0, SEEK_END); res->bytes = ftell(f); fclose(f); }
    const char *slash = strrchr(q->out_path, '/');
    json_t *m = manifest(q, &cam, q->cat, res, slash ? slash + 1 : q->out_path);
    res->manifest_path = ww_asprintf("%s.manifest.json", q->out_path);
    /* Signed by the station (sign.c): the manifest holds the clip's SHA-256,
     * so the signature covers the clip too.  No key, no export: evidence
     * that cannot prove where it came from is not handed out. */
    struct export_key key;
    bool created;
    if ((rc = export_key_ensure(q->data_dir, &key, &created)) == 0)
        rc = export_manifest_write_signed(&key, m, res->manifest_path, &res->manifest_json);
    else
        ww_error("export", "no station signing key in %s: %s", q->data_dir, ww_strerror(rc));
    export_key_wipe(&key);
    json_decref(m);
    if (rc) unlink(q->out_path);
    if (!rc) {
        struct catalog_export e = {
            .camera_id = q->camera_id, .stream = (char *)kind, .from_us = q->from_us, .to_us = q->to_us,
            .first_us = res->first_us, .last_us = res->last_us, .path = (char *)q->out_path,
            .bytes = res->bytes, .frames = res->frames, .sha256 = res->sha256,
            .manifest = res->manifest_json, .user_id = q->user_id,
            .username = (char *)(q->username ? q->username : "unknown"),
        };
        rc = catalog_export_add(q->cat, &e);
        res->export_id = e.id;
    }
    catalog_camera_clear(&cam);
    return rc;
}

/* ---- export_clip_apart ---------------------------------------------------- */

struct clip_job {
    const struct export_req *q;
    struct export_result *res;
    int rc;
};

static void *clip_thread(void *arg)
{
    struct clip_job *j = arg;
    ww_thread_set_role(WW_THREAD_WORKER);
    j->rc = export_clip(j->q, j->res);
    return NULL;
}

int export_clip_apart(const struct export_req *q, struct export_result *res)
{
    struct clip_job j = {.q = q, .res = res};
    pthread_t t;
    int rc = -pthread_create(&t, NULL, clip_thread, &j);
    if (rc) {
        memset(res, 0, sizeof *res);
        return rc;
    }
    pthread_join(t, NULL);
    return j.rc;
}
