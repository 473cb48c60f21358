/*
 * test_config.c — wardwatch.ini and the settings tables (cli/config.h): a
 * good file lands every value with its line; each kind of error (syntax,
 * unknown section, unknown key, key outside a section, bad value with its
 * range, a key given twice, an over-long line, a missing file) is one
 * "FILE:LINE: message"; flags take true/false/yes/no/on/off/1/0 and nothing
 * else; precedence default < file < env < flag, each with its source; a
 * reload copies live options only and keeps env and flag values; and
 * docs/wardwatch.ini.example loads and names every option of both tables.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/config.h"

static char dir[] = "/tmp/ww-config-XXXXXX";

static int setup(void **st)
{
    (void)st;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **st)
{
    (void)st;
    char *cmd = ww_asprintf("rm -rf '%s'", dir);
    int rc = system(cmd);
    free(cmd);
    return rc;
}

/* Writes text to DIR/name; returns the path (caller frees). */
static char *write_file(const char *name, const char *text)
{
    char *p = ww_asprintf("%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return p;
}

/* Loads text and expects it refused with exactly "PATH:" + want. */
static void expect_error(const char *text, const char *want)
{
    char *p = write_file("bad.ini", text);
    struct cli_ini *ini = (struct cli_ini *)1;
    char *err = NULL;
    int rc = cli_ini_load(p, &ini, &err);
    if (rc != WW_EINVAL || !err) fail_msg("'%s' was accepted; expected %s", text, want);
    assert_null(ini);
    char *full = ww_asprintf("%s:%s", p, want);
    if (strcmp(err, full)) fail_msg("for '%s'\nexpected: %s\n     saw: %s", text, full, err);
    free(full);
    free(err);
    free(p);
}

static void test_good_file(void **st)
{
    (void)st;
    char *p = write_file("good.ini", "; a comment\n"
                                     "# another\n"
                                     "[station]\n"
                                     "log-level = DEBUG\n"
                                     "utc-offset-min = -90\n"
                                     "\n"
                                     "[serve]\n"
                                     "  listen = 0.0.0.0:9100\n"
                                     "quota-mb=250 ; inline comment\n"
                                     "min-free-mb = 0\n"
                                     "no-record = yes\n"
                                     "max-conn-per-ip = 0\n"
                                     "trusted-proxy = 10.0.0.1,10.0.0.2\n");
    struct cli_ini *ini = NULL;
    char *err = NULL;
    if (cli_ini_load(p, &ini, &err)) fail_msg("refused: %s", err);
    assert_string_equal(cli_ini_path(ini), p);

    struct cli_station stn;
    cli_station_init(&stn);
    cli_section_apply_file(&stn.sec, ini);
    assert_int_equal(stn.log_level, WW_LOG_DEBUG);
    assert_int_equal(stn.utc_offset_min, -90);
    assert_string_equal(stn.data, "./wardwatch-data");
    int i = cli_section_find(&stn.sec, "utc-offset-min");
    assert_int_equal(stn.sec.src[i].kind, CLI_SRC_FILE);
    assert_int_equal(stn.sec.src[i].line, 5);
    char *src = cli_src_text(&stn.sec, (size_t)i, ini), *want = ww_asprintf("file %s:5", p);
    assert_string_equal(src, want);
    free(src);
    free(want);
    src = cli_src_text(&stn.sec, (size_t)cli_section_find(&stn.sec, "data"), ini);
    assert_string_equal(src, "default");
    free(src);

    struct cli_serve sv;
    cli_serve_init(&sv, "/data");
    cli_section_apply_file(&sv.sec, ini);
    assert_string_equal(sv.listen, "0.0.0.0:9100"); /* an indented line is a key of its own */
    assert_int_equal(sv.sec.src[cli_section_find(&sv.sec, "listen")].line, 8);
    assert_int_equal(sv.eng.retention.quota_bytes, 250LL << 20);
    assert_int_equal(sv.eng.retention.min_free_bytes, 0);
    assert_false(sv.eng.record);
    assert_true(sv.http);
    assert_int_equal(sv.web.max_conn_per_ip, -1); /* 0 = no limit, as on the command line */
    assert_string_equal(sv.web.trusted_proxy, "10.0.0.1,10.0.0.2");
    assert_int_equal(sv.eng.segment_us, 60000000); /* untouched: the table's default */
    assert_int_equal(sv.sec.src[cli_section_find(&sv.sec, "segment-seconds")].kind, CLI_SRC_DEFAULT);
    char buf[CLI_VALUE_MAX];
    assert_string_equal(cli_opt_format(&sv.sec.opts[cli_section_find(&sv.sec, "max-conn-per-ip")], buf, sizeof buf), "0");
    assert_string_equal(cli_opt_format(&sv.sec.opts[cli_section_find(&sv.sec, "quota-mb")], buf, sizeof buf), "250");
    assert_string_equal(cli_opt_format(&sv.sec.opts[cli_section_find(&sv.sec, "no-record")], buf, sizeof buf), "true");
    cli_ini_free(ini);
    free(p);
}

static void test_errors(void **st)
{
    (void)st;
    expect_error("[serve]\nlisten\n", "2: syntax error: expected 'key = value', '[section]' or a comment (; or #)");
    expect_error("[serve\nquota-mb = 1\n", "1: syntax error: expected 'key = value', '[section]' or a comment (; or #)");
    expect_error("[station]\n\n[recorder]\n", "3: unknown section [recorder] (the sections are [station] and [serve])");
    expect_error("quota-mb = 5\n[serve]\n", "1: 'quota-mb' is outside a section: put it under [station] or [serve]");
    expect_error("[station]\nlog-level = info\ncolour = red\n",
                 "3: unknown key 'colour' in [station] (its keys: data, log-level, utc-offset-min)");
    expect_error("[serve]\nquota-mb = 10\n[station]\nquota-mb = 10\n",
                 "4: unknown key 'quota-mb' in [station] (its keys: data, log-level, utc-offset-min)");
    /* a bad value names the key, the value and the command line's own range */
    expect_error("[serve]\nsegment-seconds = 601\n", "2: segment-seconds = '601': --segment-seconds must be 2..600");
    expect_error("[serve]\nquota-mb = 0\n", "2: quota-mb = '0': --quota-mb must be a positive number");
    expect_error("[serve]\nsync-ms = 1s\n", "2: sync-ms = '1s': --sync-ms must be 100..2000");
    expect_error("[serve]\nlisten = 8080\n", "2: listen = '8080': --listen wants ADDR:PORT, not '8080'");
    expect_error("[serve]\nmax-conn-per-ip = 2000\n", "2: max-conn-per-ip = '2000': --max-conn-per-ip must be 0..1024");
    expect_error("[station]\nlog-level = loud\n",
                 "2: log-level = 'loud': --log-level must be debug, info, warn or error, not 'loud'");
    expect_error("[station]\nutc-offset-min = 900\n", "2: utc-offset-min = '900': --utc-offset-min must be -840..840 "
                                                       "(minutes east of UTC; Asia/Ho_Chi_Minh is 420), not '900'");
    expect_error("[station]\ndata =\n", "2: data = '': --data wants a folder, not ''");
    expect_error("[serve]\nsync-ms = 200\nfragment-ms = 500\nsync-ms = 300\n",
                 "4: sync-ms is given twice in [serve] (first on line 2)");
    /* the first problem is the one reported */
    expect_error("[serve]\nfoo = 1\nquota-mb = 0\n",
                 "2: unknown key 'foo' in [serve] (its keys: listen, no-http, no-record, segment-seconds, fragment-ms, "
                 "sync-ms, quota-mb, min-free-mb, retention-seconds, read-timeout-ms, stats, session-hours, "
                 "secure-cookie, trusted-proxy, max-conn-per-ip, header-timeout-s, body-timeout-s, metrics-allow, metrics-token-file, mqtt)");
    char line[400];
    memset(line, 'a', sizeof line);
    memcpy(line, "[serve]\ntrusted-proxy = ", 24);
    line[sizeof line - 2] = '\n';
    line[sizeof line - 1] = 0;
    expect_error(line, "2: line longer than 199 characters");

    char *missing = ww_asprintf("%s/none.ini", dir), *err = NULL, *want = ww_asprintf("%s: cannot read it: No such file or directory", missing);
    struct cli_ini *ini = NULL;
    assert_int_equal(cli_ini_load(missing, &ini, &err), WW_EINVAL);
    assert_string_equal(err, want);
    free(err);
    free(want);
    free(missing);
}

/* A flag takes a truth value in the file, and no-X stores its negation. */
static void test_flag_values(void **st)
{
    (void)st;
    static const struct { const char *text; bool on; } ok[] = {
        {"true", true}, {"TRUE", true}, {"yes", true}, {"on", true}, {"1", true},
        {"false", false}, {"No", false}, {"off", false}, {"0", false}};
    for (size_t k = 0; k < sizeof ok / sizeof *ok; k++) {
        char *text = ww_asprintf("[serve]\nsecure-cookie = %s\nno-http = %s\n", ok[k].text, ok[k].text);
        char *p = write_file("flags.ini", text), *err = NULL;
        struct cli_ini *ini = NULL;
        if (cli_ini_load(p, &ini, &err)) fail_msg("'%s' refused: %s", ok[k].text, err);
        struct cli_serve sv;
        cli_serve_init(&sv, "/data");
        cli_section_apply_file(&sv.sec, ini);
        if (sv.web.secure_cookie != ok[k].on || sv.http == ok[k].on)
            fail_msg("'%s': secure_cookie %d, http %d", ok[k].text, sv.web.secure_cookie, sv.http);
        cli_ini_free(ini);
        free(p);
        free(text);
    }
    expect_error("[serve]\nsecure-cookie = maybe\n",
                 "2: secure-cookie = 'maybe': secure-cookie must be true or false (also yes/no, on/off, 1/0), not 'maybe'");
    expect_error("[serve]\nno-http =\n",
                 "2: no-http = '': no-http must be true or false (also yes/no, on/off, 1/0), not ''");
}

/* Runs cli_station_setup over words; the words stay until the next call. */
static char *words;
static int setup_with(const char *line, struct cli_ctx *c, struct cli_station *stn, struct cli_ini **ini, int *argc,
                      char **argv)
{
    free(words);
    char *save = NULL;
    words = strdup(line);
    *argc = 0;
    for (char *w = strtok_r(words, " ", &save); w && *argc < 31; w = strtok_r(NULL, " ", &save)) argv[(*argc)++] = w;
    argv[*argc] = NULL;
    *c = (struct cli_ctx){.prog = "wardwatch"};
    return cli_station_setup(c, stn, argc, argv, ini);
}

static void test_precedence(void **st)
{
    (void)st;
    char *p = write_file("prec.ini", "[station]\ndata = /srv/file-data\nlog-level = warn\nutc-offset-min = 60\n");
    unsetenv("WARDWATCH_DATA");
    unsetenv("WARDWATCH_LOG_LEVEL");
    unsetenv("WARDWATCH_UTC_OFFSET_MIN");
    unsetenv("WARDWATCH_CONFIG");
    struct cli_ctx c;
    struct cli_station stn;
    struct cli_ini *ini;
    char *argv[32];
    int argc;

    /* no file: defaults, and the verb's words are left alone */
    assert_int_equal(setup_with("wardwatch serve --quota-mb 5", &c, &stn, &ini, &argc, argv), -1);
    assert_null(ini);
    assert_string_equal(c.data_dir, "./wardwatch-data");
    assert_int_equal(argc, 4);
    assert_int_equal(ww_log_get_level(), WW_LOG_INFO);

    /* the file */
    char *line = ww_asprintf("wardwatch --config %s serve", p);
    assert_int_equal(setup_with(line, &c, &stn, &ini, &argc, argv), -1);
    assert_int_equal(argc, 2);
    assert_string_equal(argv[1], "serve");
    assert_string_equal(c.data_dir, "/srv/file-data");
    assert_int_equal(ww_log_get_level(), WW_LOG_WARN);
    assert_int_equal(ww_station_offset_min(), 60);
    assert_int_equal(stn.sec.src[0].kind, CLI_SRC_FILE);
    cli_ini_free(ini);
    free(line);

    /* $WARDWATCH_CONFIG names it too; the environment beats the file */
    setenv("WARDWATCH_CONFIG", p, 1);
    setenv("WARDWATCH_DATA", "/srv/env-data", 1);
    setenv("WARDWATCH_LOG_LEVEL", "error", 1);
    assert_int_equal(setup_with("wardwatch serve", &c, &stn, &ini, &argc, argv), -1);
    assert_non_null(ini);
    assert_string_equal(c.data_dir, "/srv/env-data");
    assert_int_equal(ww_log_get_level(), WW_LOG_ERROR);
    char *src = cli_src_text(&stn.sec, 0, ini);
    assert_string_equal(src, "env WARDWATCH_DATA");
    free(src);
    /* a bad environment value is skipped: the file's stands */
    cli_ini_free(ini);
    setenv("WARDWATCH_LOG_LEVEL", "loud", 1);
    assert_int_equal(setup_with("wardwatch serve", &c, &stn, &ini, &argc, argv), -1);
    assert_int_equal(ww_log_get_level(), WW_LOG_WARN);
    cli_ini_free(ini);

    /* a flag beats both, in either spelling and after the verb */
    assert_int_equal(setup_with("wardwatch --data=/srv/flag-data serve --log-level debug --utc-offset-min=-30",
                                &c, &stn, &ini, &argc, argv), -1);
    assert_string_equal(c.data_dir, "/srv/flag-data");
    assert_int_equal(ww_log_get_level(), WW_LOG_DEBUG);
    assert_int_equal(ww_station_offset_min(), -30);
    assert_int_equal(argc, 2);
    for (size_t i = 0; i < stn.sec.n; i++) {
        src = cli_src_text(&stn.sec, i, ini);
        assert_string_equal(src, "flag");
        free(src);
    }
    cli_ini_free(ini);

    /* a refused flag is exit 2; a bad file is exit 2 before anything */
    assert_int_equal(setup_with("wardwatch --log-level loud serve", &c, &stn, &ini, &argc, argv), 2);
    assert_null(ini);
    assert_int_equal(setup_with("wardwatch serve --data", &c, &stn, &ini, &argc, argv), 2);
    char *bad = write_file("prec-bad.ini", "[station]\nutc-offset-min = x\n");
    setenv("WARDWATCH_CONFIG", bad, 1);
    assert_int_equal(setup_with("wardwatch serve", &c, &stn, &ini, &argc, argv), 2);
    assert_null(ini);
    unsetenv("WARDWATCH_CONFIG");
    unsetenv("WARDWATCH_DATA");
    unsetenv("WARDWATCH_LOG_LEVEL");
    ww_log_set_level(WW_LOG_INFO);
    ww_station_offset_set(420);
    free(bad);
    free(p);
    free(words);
    words = NULL;
}

/* serve's flags after the file: the flag wins and says so. */
static void test_serve_flags_over_file(void **st)
{
    (void)st;
    char *p = write_file("serve.ini", "[serve]\nquota-mb = 100\nsync-ms = 500\n"), *err = NULL;
    struct cli_ini *ini;
    assert_int_equal(cli_ini_load(p, &ini, &err), 0);
    struct cli_serve sv;
    cli_serve_init(&sv, "/data");
    cli_section_apply_file(&sv.sec, ini);
    char a0[] = "serve", a1[] = "--quota-mb", a2[] = "7";
    char *argv[] = {a0, a1, a2, NULL};
    assert_int_equal(cli_section_flags(&sv.sec, 3, argv, "serve", "usage\n", NULL), -1);
    assert_int_equal(sv.eng.retention.quota_bytes, 7LL << 20);
    assert_int_equal(sv.sec.src[cli_section_find(&sv.sec, "quota-mb")].kind, CLI_SRC_FLAG);
    assert_int_equal(sv.eng.sync_interval_us, 500000);
    assert_int_equal(sv.sec.src[cli_section_find(&sv.sec, "sync-ms")].kind, CLI_SRC_FILE);
    cli_ini_free(ini);
    free(p);
}

/* SIGHUP's re-read: live options copied, others left, env and flags kept. */
static void test_reload(void **st)
{
    (void)st;
    char *p = write_file("hup.ini", "[station]\nlog-level = info\n[serve]\nquota-mb = 100\nsync-ms = 500\n"), *err = NULL;
    struct cli_ini *ini;
    assert_int_equal(cli_ini_load(p, &ini, &err), 0);
    struct cli_station stn;
    cli_station_init(&stn);
    cli_section_apply_file(&stn.sec, ini);
    struct cli_serve sv;
    cli_serve_init(&sv, "/data");
    cli_section_apply_file(&sv.sec, ini);
    sv.sec.src[cli_section_find(&sv.sec, "retention-seconds")].kind = CLI_SRC_FLAG; /* as if --retention-seconds 10 */
    cli_ini_free(ini);

    free(write_file("hup.ini", "[station]\nlog-level = debug\n[serve]\n\nquota-mb = 300\nsync-ms = 900\n"
                               "retention-seconds = 99\nmin-free-mb = 5\n"));
    bool changed = false;
    assert_int_equal(cli_config_reload(p, &stn, &sv, &changed), 0);
    assert_true(changed);
    assert_int_equal(stn.log_level, WW_LOG_DEBUG);
    assert_int_equal(sv.eng.retention.quota_bytes, 300LL << 20);
    assert_int_equal(sv.sec.src[cli_section_find(&sv.sec, "quota-mb")].line, 5);
    assert_int_equal(sv.eng.retention.min_free_bytes, 5LL << 20);
    assert_int_equal(sv.eng.sync_interval_us, 500000);          /* needs a restart */
    assert_int_equal(sv.eng.retention.interval_us, 10000000);   /* the flag still wins */

    /* a bad file changes nothing */
    free(write_file("hup.ini", "[serve]\nquota-mb = -1\n"));
    assert_int_equal(cli_config_reload(p, &stn, &sv, &changed), WW_EINVAL);
    assert_false(changed);
    assert_int_equal(sv.eng.retention.quota_bytes, 300LL << 20);

    /* a key taken out of the file goes back to its default */
    free(write_file("hup.ini", "[serve]\nsync-ms = 500\n"));
    assert_int_equal(cli_config_reload(p, &stn, &sv, &changed), 0);
    assert_true(changed);
    assert_int_equal(sv.eng.retention.quota_bytes, 0);
    assert_int_equal(sv.eng.retention.min_free_bytes, REC_FLOOR_AUTO);
    assert_int_equal(stn.log_level, WW_LOG_INFO);
    assert_int_equal(sv.sec.src[cli_section_find(&sv.sec, "quota-mb")].kind, CLI_SRC_DEFAULT);
    free(p);
}

/* docs/wardwatch.ini.example loads as it is and names every option of both
 * tables as a "key =" line (set, or commented out with "; "), and names no
 * other: the table and the example cannot drift apart. */
static void test_example_names_every_option(void **st)
{
    (void)st;
    char *path = ww_asprintf("%s/../../docs/wardwatch.ini.example", WW_TEST_DIR), *err = NULL;
    struct cli_ini *ini = NULL;
    if (cli_ini_load(path, &ini, &err)) fail_msg("the example is refused: %s", err);
    cli_ini_free(ini);

    struct cli_station stn;
    cli_station_init(&stn);
    struct cli_serve sv;
    cli_serve_init(&sv, "/data");
    struct cli_section *secs[] = {&stn.sec, &sv.sec};
    bool named[2][CLI_SECTION_MAX] = {{0}};
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[512], section[32] = "";
    while (fgets(line, sizeof line, f)) {
        char key[64];
        int end = 0;
        if (sscanf(line, "[%31[^]]]", section) == 1) continue;
        const char *s = line;
        if (!strncmp(s, "; ", 2)) s += 2;
        /* "key = value", the key right at the start: not a comment's words */
        if (sscanf(s, "%63[a-z0-9-]%n", key, &end) != 1 || strncmp(s + end, " = ", 3)) continue;
        int k = !strcmp(section, "station") ? 0 : !strcmp(section, "serve") ? 1 : -1;
        if (k < 0) fail_msg("'%s' outside [station] / [serve] in the example", key);
        int i = cli_section_find(secs[k], key);
        if (i < 0) fail_msg("the example names '%s' in [%s], which is no option", key, section);
        named[k][i] = true;
    }
    fclose(f);
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < secs[k]->n; i++)
            if (!named[k][i]) fail_msg("docs/wardwatch.ini.example does not name [%s] %s", secs[k]->name, secs[k]->opts[i].name);
    free(path);
}

/* README's example (its ```ini block) is a file wardwatch accepts. */
static void test_readme_example_loads(void **st)
{
    (void)st;
    char *readme = ww_asprintf("%s/../../README.md", WW_TEST_DIR);
    FILE *f = fopen(readme, "r");
    assert_non_null(f);
    struct ww_buf b = {0};
    char line[1024];
    bool open = false, in = false, seen = false;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "```", 3)) {
            if (in) break;
            open = !open;
            if (open) in = seen = !strncmp(line, "```ini", 6);
            continue;
        }
        if (in) ww_buf_append(&b, line, strlen(line));
    }
    fclose(f);
    if (!seen || !b.len) fail_msg("README has no ```ini example");
    ww_buf_append(&b, "", 1);
    char *p = write_file("readme.ini", (const char *)b.data), *err = NULL;
    struct cli_ini *ini = NULL;
    if (cli_ini_load(p, &ini, &err)) fail_msg("README's example is refused: %s", err);
    cli_ini_free(ini);
    ww_buf_free(&b);
    free(p);
    free(readme);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_file),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_flag_values),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_serve_flags_over_file),
        cmocka_unit_test(test_reload),
        cmocka_unit_test(test_example_names_every_option),
        cmocka_unit_test(test_readme_example_loads),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
