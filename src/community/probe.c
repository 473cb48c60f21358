/*
 * probe.c — "does this camera work?": the registration check.
 *
 * Uses the recorder's own ingest (the same RTSP client, the same
 * credentials handling) so a probe that passes means the recorder will
 * connect too.  Reads until the first keyframe (ingest guarantees the first
 * packet is one), decodes just that frame with libavcodec and turns it into
 * a JPEG with the motion module's snapshot helper (libturbojpeg, no
 * swscale).  The timeout given is one budget for the whole probe: it is
 * handed to ingest as an absolute deadline (ingest_opts.deadline_us) that
 * open and every read honour, so neither a handshake that never finishes,
 * a trickle of bytes, nor a stream of non-keyframes (each of which used to
 * restart a per-read timeout) can stretch it; only the decode of the one
 * keyframe and the bounded TEARDOWN come after it.  Error codes are chosen so the console can tell an
 * officer what to do: wrong password, camera refusing, nothing answering.
 *
 * Credentials: ingest receives them separately from the URL; messages
 * built here never contain them (ingest's texts are about the network).
 */
#include "community/community.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>

#include "ingest/ingest.h"
#include "motion/motion.h"

void community_probe_result_clear(struct community_probe_result *r)
{
    if (!r) return;
    free(r->jpeg);
    memset(r, 0, sizeof *r);
}

static int fail(struct community_probe_result *r, const char *code, const char *msg, const char *detail)
{
    r->ok = false;
    r->error_code = code;
    snprintf(r->message, sizeof r->message, "%s%s%s", msg, detail && *detail ? ": " : "",
             detail ? detail : "");
    return 0;
}

/* Decodes one keyframe packet into a JPEG. */
static int still_of(const AVCodecParameters *par, const AVPacket *pkt, struct community_probe_result *r)
{
    const AVCodec *codec = avcodec_find_decoder(par->codec_id);
    if (!codec) return fail(r, "camera_decode", "no decoder for the camera's codec", avcodec_get_name(par->codec_id));
    AVCodecContext *cc = avcodec_alloc_context3(codec);
    AVFrame *fr = av_frame_alloc();
    int rc = 0;
    if (!cc || !fr || avcodec_parameters_to_context(cc, par) < 0) {
        rc = fail(r, "camera_decode", "cannot set up the decoder", NULL);
        goto out;
    }
    cc->thread_count = 1;
    if (avcodec_open2(cc, codec, NULL) < 0) {
        rc = fail(r, "camera_decode", "cannot open the decoder", avcodec_get_name(par->codec_id));
        goto out;
    }
    int got = -1;
    if (avcodec_send_packet(cc, pkt) >= 0) {
        got = avcodec_receive_frame(cc, fr);
        if (got == AVERROR(EAGAIN)) { /* a decoder with delay: drain it */
            avcodec_send_packet(cc, NULL);
            got = avcodec_receive_frame(cc, fr);
        }
    }
    if (got < 0) {
        rc = fail(r, "camera_decode", "the camera's first keyframe did not decode", NULL);
        goto out;
    }
    r->width = fr->width;
    r->height = fr->height;
    if (motion_snapshot_jpeg(fr, 80, 640, &r->jpeg, &r->jpeg_len) != 0) {
        rc = fail(r, "camera_decode", "cannot make a picture of the frame", NULL);
        goto out;
    }
    r->ok = true;
out:
    av_frame_free(&fr);
    avcodec_free_context(&cc);
    return rc;
}

int community_probe(const struct catalog_camera *cam, int64_t timeout_us, struct community_probe_result *r)
{
    memset(r, 0, sizeof *r);
    if (!cam || !cam->main_url) return WW_EINVAL;
    if (timeout_us <= 0) timeout_us = 5000000;
    int64_t t0 = ww_mono_us();
    if (timeout_us > INT64_MAX - t0) timeout_us = INT64_MAX - t0;
    char ctx[48];
    snprintf(ctx, sizeof ctx, "probe cam=%lld", (long long)cam->id);
    struct ingest_opts o = {
        .url = cam->main_url, .username = cam->username, .password = cam->password,
        .udp = cam->transport && !strcmp(cam->transport, "udp"),
        .open_timeout_us = timeout_us, .read_timeout_us = timeout_us,
        .deadline_us = t0 + timeout_us, .log_ctx = ctx,
        .cred_url = cam->main_url, .basic_allowed = cam->auth_basic_allowed,
    };
    atomic_bool stop = false;
    ingest_session_t *s = NULL;
    const char *why = NULL;
    int rc = ingest_open(&o, &stop, &s, &why);
    if (rc) {
        if (rc == WW_EAUTH && why && !strcmp(why, INGEST_BASIC_REFUSED))
            fail(r, "camera_basic_refused", INGEST_BASIC_REFUSED, "no password was sent");
        else if (rc == WW_EAUTH && why && strstr(why, "401 Unauthorized"))
            fail(r, "camera_unauthorized", "the camera refused the username or password (RTSP 401)", NULL);
        else if (rc == WW_EAUTH)
            fail(r, "camera_unauthorized", "the camera refused access", why);
        else if (rc == -ECONNREFUSED)
            fail(r, "camera_refused", "the camera refused the connection (nothing listens on that address and port)", why);
        else if (rc == -ETIMEDOUT)
            fail(r, "camera_timeout", "the camera did not answer in time", why);
        else if (rc == WW_EINVAL)
            fail(r, "camera_no_video", "the camera offers no usable video stream", why);
        else
            fail(r, "camera_error", "cannot open the camera's stream", why ? why : ww_strerror(rc));
        r->elapsed_ms = (ww_mono_us() - t0) / 1000;
        return 0;
    }
    struct ingest_packet p;
    rc = ingest_read(s, &p);
    char skipped[48];
    snprintf(skipped, sizeof skipped, "%lld frames without one", (long long)ingest_skipped(s));
    if ((rc == -ETIMEDOUT || rc == WW_EOF) && ingest_skipped(s) > 0)
        fail(r, "camera_timeout", "the camera sent video but no keyframe in time (check its "
             "keyframe / I-frame interval)", skipped);
    else if (rc == -ETIMEDOUT || rc == WW_EOF)
        fail(r, "camera_timeout", "the camera sent no picture in time", NULL);
    else if (rc)
        fail(r, "camera_error", "reading the camera's stream failed", ww_strerror(rc));
    else {
        const AVCodecParameters *par = ingest_params(s);
        snprintf(r->codec, sizeof r->codec, "%s", avcodec_get_name(par->codec_id));
        still_of(par, p.pkt, r);
        if (!r->width && par->width > 0) {
            r->width = par->width;
            r->height = par->height;
        }
    }
    ingest_close(s);
    r->elapsed_ms = (ww_mono_us() - t0) / 1000;
    return 0;
}
