/*
 * test_hub_audio.c — the hub's sound track routing (issue 12 item 6): audio
 * packets and parameters reach only the subscribers that asked for them
 * (the recorder, live), never the others (motion decodes what it gets as
 * video); a replayed subscriber with audio gets the session's audio
 * parameters in its HUB_START.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "hub/hub.h"

struct seen { int starts, video, audio; bool start_had_apar; int apar_rate; };

static void cb(void *opaque, const struct hub_msg *m)
{
    struct seen *s = opaque;
    if (m->ev == HUB_START) {
        s->starts++;
        s->start_had_apar = m->apar != NULL;
        s->apar_rate = m->apar ? m->apar->sample_rate : 0;
    } else if (m->ev == HUB_PACKET) {
        if (m->stream == 1) s->audio++;
        else s->video++;
    }
}

static void test_routing(void **state)
{
    (void)state;
    hub_t *h = hub_new("cam=1/main");
    struct seen video_only = {0}, with_audio = {0}, late = {0}, late_plain = {0};
    hub_subscribe(h, cb, &video_only, false);
    int id = hub_subscribe(h, cb, &with_audio, false);
    hub_want_audio(h, id);
    AVCodecParameters *par = avcodec_parameters_alloc(), *apar = avcodec_parameters_alloc();
    par->codec_type = AVMEDIA_TYPE_VIDEO;
    par->codec_id = AV_CODEC_ID_H264;
    apar->codec_type = AVMEDIA_TYPE_AUDIO;
    apar->codec_id = AV_CODEC_ID_AAC;
    apar->sample_rate = 16000;
    hub_start_av(h, par, (AVRational){1, 90000}, apar, (AVRational){1, 16000});
    AVPacket *p = av_packet_alloc();
    av_new_packet(p, 10);
    hub_publish(h, p, 1000, true);
    hub_publish_audio(h, p, 1010);
    hub_publish_audio(h, p, 1074);
    hub_publish(h, p, 1040, false);
    /* joining a running session: replay gives the start (and GOP) */
    hub_subscribe_av(h, cb, &late, true, true);
    hub_subscribe(h, cb, &late_plain, true);
    hub_publish_audio(h, p, 1138);
    if (video_only.audio || video_only.start_had_apar)
        fail_msg("a video-only subscriber saw %d audio packets (apar in start: %d); expected none", video_only.audio,
                 video_only.start_had_apar);
    assert_int_equal(video_only.video, 2);
    if (with_audio.audio != 3 || with_audio.video != 2 || !with_audio.start_had_apar || with_audio.apar_rate != 16000)
        fail_msg("the audio subscriber: expected 3 audio, 2 video, apar 16000 Hz; saw %d, %d, %d Hz", with_audio.audio,
                 with_audio.video, with_audio.apar_rate);
    assert_true(late.start_had_apar);
    assert_int_equal(late.video, 2);   /* the cached GOP */
    assert_int_equal(late.audio, 1);   /* audio is not cached: from the next frame on */
    assert_false(late_plain.start_had_apar);
    assert_int_equal(late_plain.audio, 0);
    hub_stop(h, "test");
    av_packet_free(&p);
    avcodec_parameters_free(&par);
    avcodec_parameters_free(&apar);
    hub_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_routing)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
