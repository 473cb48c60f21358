/*
 * test_cli_opts.c — the one option table of the CLI verbs (cli_opts,
 * cli/common.h): each kind lands its value where the table says, a value out
 * of range or refused by its parser is exit 2 and leaves the default, --help
 * is exit 0, operands beyond what the verb takes are refused, a short letter
 * and --name=value work, and .seen says what was given.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cli/common.h"

/* Runs cli_opts over the words of a command line (argv[0] = the verb).  The
 * words stay until the next run: CLI_STR values point into them. */
static char *words;
static int run(const struct cli_opt *opts, int operands, const char *line)
{
    free(words);
    char *copy = words = strdup(line), *save = NULL;
    char *argv[32];
    int argc = 0;
    for (char *w = strtok_r(copy, " ", &save); w && argc < 31; w = strtok_r(NULL, " ", &save)) argv[argc++] = w;
    argv[argc] = NULL;
    return cli_opts(argc, argv, "t", opts, "usage: t\n", operands);
}

struct vals {
    bool flag, on, seen_dbl;
    const char *str;
    int64_t i64, bytes, when;
    int n;
    size_t limit;
    double dbl;
    const char *stream;
};

static int parse_even(const char *arg, void *out)
{
    int64_t v;
    if (ww_parse_i64(arg, 0, 100, &v) || v % 2) return WW_EINVAL;
    *(int *)out = (int)v;
    return 0;
}

#define TABLE(v)                                                                                   \
    const struct cli_opt opts[] = {                                                                \
        {CLI_FLAG("flag", &(v).flag)},                                                             \
        {CLI_OFF("no-on", &(v).on)},                                                               \
        {CLI_STR("str", &(v).str), .letter = 's'},                                                 \
        {CLI_I64("i64", &(v).i64, 1, 10, "--i64 must be 1..10, not '%s'")},                        \
        {CLI_I64_TIMES("mb", &(v).bytes, 0, 100, 1 << 20, "--mb must be 0..100")},                 \
        {CLI_INT("n", &(v).n, 0, 100, "--n")},                                                     \
        {CLI_SIZE("limit", &(v).limit, 1, 1000, "--limit")},                                       \
        {CLI_DBL("dbl", &(v).dbl, -1, 1, "--dbl"), .seen = &(v).seen_dbl},                         \
        {CLI_TIME("when", &(v).when, "")},                                                         \
        {CLI_CALL("stream", &(v).stream, cli_parse_stream, "--stream is main or sub")},            \
        {CLI_CALL("even", &(v).n, parse_even, "--even wants an even number")},                     \
        {.name = NULL}}

static void each_kind_lands(void **state)
{
    (void)state;
    struct vals v = {.on = true, .stream = "main"};
    TABLE(v);
    assert_int_equal(run(opts, 0, "t --flag --no-on -s x --i64 7 --mb 3 --n 42 --limit 9 --dbl=0.5"
                                  " --when 1700000000 --stream sub"),
                     -1);
    assert_true(v.flag);
    assert_false(v.on);
    assert_string_equal(v.str, "x");
    assert_int_equal(v.i64, 7);
    assert_int_equal(v.bytes, 3 << 20);
    assert_int_equal(v.n, 42);
    assert_int_equal(v.limit, 9);
    assert_true(v.dbl == 0.5);
    assert_true(v.seen_dbl);
    assert_int_equal(v.when, 1700000000LL * 1000000);
    assert_string_equal(v.stream, "sub");
}

static void refusals_are_usage_and_keep_defaults(void **state)
{
    (void)state;
    struct vals v = {.i64 = 5, .n = 4, .limit = 50, .stream = "main"};
    TABLE(v);
    assert_int_equal(run(opts, 0, "t --i64 11"), 2);
    assert_int_equal(v.i64, 5);
    assert_int_equal(run(opts, 0, "t --i64 abc"), 2);
    assert_int_equal(run(opts, 0, "t --limit 0"), 2);
    assert_int_equal(v.limit, 50);
    assert_int_equal(run(opts, 0, "t --dbl 2"), 2);
    assert_false(v.seen_dbl);
    assert_int_equal(run(opts, 0, "t --when yesterday"), 2);
    assert_int_equal(run(opts, 0, "t --stream side"), 2);
    assert_string_equal(v.stream, "main");
    assert_int_equal(run(opts, 0, "t --even 3"), 2);
    assert_int_equal(v.n, 4);
    assert_int_equal(run(opts, 0, "t --even 8"), -1);
    assert_int_equal(v.n, 8);
    assert_int_equal(run(opts, 0, "t --bogus"), 2);
    assert_int_equal(run(opts, 0, "t --str"), 2); /* needs a value */
    /* a refusal stops the parse: what follows is not taken */
    assert_int_equal(run(opts, 0, "t --i64 0 --flag"), 2);
    assert_false(v.flag);
}

static void help_and_operands(void **state)
{
    (void)state;
    struct vals v = {0};
    TABLE(v);
    assert_int_equal(run(opts, 0, "t --help"), 0);
    assert_int_equal(run(opts, 0, "t -h"), 0);
    assert_int_equal(run(opts, 0, "t extra"), 2);
    assert_int_equal(run(opts, 1, "t one"), -1);
    assert_null(v.str);
    assert_int_equal(run(opts, 1, "t one two"), 2);
    assert_int_equal(run(opts, CLI_ANY_OPERANDS, "t a b c --flag"), -1);
    assert_true(v.flag);
    /* getopt moves the operands behind the options: optind is the first */
    assert_int_equal(run(opts, 1, "t file.csv -s y"), -1);
    assert_string_equal(v.str, "y");
}

static void flag_only_is_the_same_table(void **state)
{
    (void)state;
    bool json = false;
    char a0[] = "list", a1[] = "--json", a2[] = "--quick";
    char *argv[] = {a0, a1, NULL};
    assert_int_equal(cli_flag_only(2, argv, "list", "json", &json, "usage: list\n"), -1);
    assert_true(json);
    char *argv2[] = {a0, a2, NULL};
    assert_int_equal(cli_flag_only(2, argv2, "list", "json", &json, "usage: list\n"), 2);
    assert_int_equal(cli_flag_only(2, argv, "init", NULL, NULL, "usage: init\n"), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_kind_lands),
        cmocka_unit_test(refusals_are_usage_and_keep_defaults),
        cmocka_unit_test(help_and_operands),
        cmocka_unit_test(flag_only_is_the_same_table),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    free(words);
    return rc;
}
