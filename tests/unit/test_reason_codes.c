/* Unit tests for the camera reason codes the console words (issue 17 item
 * 6): each ingest result maps to its code; each reason the station keeps
 * as text (the wordings ingest, record and engine write into states, gaps
 * and alerts) maps to the same code, never "other"; and both console
 * languages (web/i18n/vi.json, en.json) have a text for every code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <errno.h>

#include <jansson.h>

#include "base/base.h"
#include "engine/engine.h"
#include "record/record.h"

static const struct { const char *text, *code; } kept[] = {
    {"camera refused the credentials (401 Unauthorized): check username and password", "auth"},
    {"camera refused access (403 Forbidden)", "auth"},
    {"camera has no such stream (404 Not Found): check the URL path", "no_stream"},
    {"connection refused: camera offline or wrong port", "refused"},
    {"timed out connecting to the camera", "timeout"},
    {"host unreachable", "unreachable"},
    {"network unreachable", "unreachable"},
    {"camera URL does not parse (rtsp://host[:port]/path)", "bad_camera"},
    {"camera offers no H.264 or H.265 video stream", "bad_camera"},
    {"camera gave no Session in its SETUP reply", "bad_camera"},
    {"camera does not offer RTP over TCP (461 Unsupported Transport)", "bad_camera"},
    {"no data from the camera for 5 s", "no_data"},
    {"the camera closed the stream", "closed"},
    {"stream read error", "read_error"},
    {"camera offline: connection refused: camera offline or wrong port", "refused"},   /* a gap */
    {"camera offline: no data from the camera for 5 s", "no_data"},
    {"camera offline: recorder stopping", "recorder_stopped"},
    {"camera offline: stream lost", "read_error"},
    {REC_GAP_HELD_FULL, "disk_full_held"},
    {"disk full", "disk_full"},
    {"write error", "write_error"},
    {"not recordable: B-frames with no composition time", "not_recordable"},
    {"recordings folder is full (ENOSPC) and only held video is left: recording paused", "disk_full_held"},
    {"recordings folder is full (ENOSPC): recording paused, retention asked to free space", "disk_full"},
    {"cannot write the segment: Invalid argument; retrying every 2 s", "write_error"},
    {"no recording consent from the owner", "no_recording_consent"},
    {"paused", "paused"},
    {"disabled in the catalog", "disabled"},
    {"not running", "not_running"},
};

static void test_codes_of_results(void **state)
{
    (void)state;
    assert_string_equal(engine_reason_code(WW_EAUTH, true), "auth");
    assert_string_equal(engine_reason_code(-ENOENT, true), "no_stream");
    assert_string_equal(engine_reason_code(-ECONNREFUSED, true), "refused");
    assert_string_equal(engine_reason_code(-ETIMEDOUT, true), "timeout");
    assert_string_equal(engine_reason_code(-ETIMEDOUT, false), "no_data");
    assert_string_equal(engine_reason_code(-EHOSTUNREACH, true), "unreachable");
    assert_string_equal(engine_reason_code(-ENETUNREACH, true), "unreachable");
    assert_string_equal(engine_reason_code(WW_EINVAL, true), "bad_camera");
    assert_string_equal(engine_reason_code(WW_EOF, false), "closed");
    assert_string_equal(engine_reason_code(-EIO, false), "read_error");
    assert_string_equal(engine_reason_code(-EIO, true), "connect_failed");
}

static void test_codes_of_texts(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof kept / sizeof *kept; i++) {
        const char *got = engine_reason_code_of(kept[i].text);
        if (strcmp(got, kept[i].code)) fail_msg("'%s' → expected %s, saw %s", kept[i].text, kept[i].code, got);
    }
    assert_string_equal(engine_reason_code_of(""), "");
    assert_string_equal(engine_reason_code_of(NULL), "");
    assert_string_equal(engine_reason_code_of("something new"), "other");
}

/* Every code has words in both languages (reason.<code>). */
static void test_console_has_words(void **state)
{
    (void)state;
    static const char *const codes[] = {"auth", "no_stream", "refused", "timeout", "unreachable", "bad_camera",
                                        "connect_failed", "no_data", "closed", "read_error", "recorder_stopped",
                                        "disk_full", "disk_full_held", "write_error", "not_recordable",
                                        "no_recording_consent", "paused", "disabled", "not_running", "no_engine",
                                        "record_error", "other"};
    static const char *const langs[] = {"vi", "en"};
    for (size_t l = 0; l < 2; l++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/../../web/i18n/%s.json", WW_TEST_DIR, langs[l]);
        json_error_t err;
        json_t *d = json_load_file(path, 0, &err);
        if (!d) fail_msg("cannot read %s: %s", path, err.text);
        for (size_t i = 0; i < sizeof codes / sizeof *codes; i++) {
            char key[64];
            snprintf(key, sizeof key, "reason.%s", codes[i]);
            const char *v = json_string_value(json_object_get(d, key));
            if (!v || !*v) fail_msg("%s.json has no text for %s", langs[l], key);
        }
        json_decref(d);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codes_of_results),
        cmocka_unit_test(test_codes_of_texts),
        cmocka_unit_test(test_console_has_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
