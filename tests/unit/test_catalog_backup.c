/*
 * test_catalog_backup.c — catalog_backup_to (catalog/cat_backup.h): a copy
 * taken while another connection commits is one committed state (the
 * writer adds cameras two per transaction, so every consistent copy holds
 * an odd number: the first camera plus pairs), the copy is mode 0600, one
 * file without -wal, opens as a catalog at today's schema, and an existing
 * destination is never overwritten.
 */
// clang-format off: cmocka.h needs these first
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
// clang-format on

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "catalog/cat_backup.h"
#include "catalog/catalog.h"

struct fx {
    char dir[64];
    char *path;
    catalog_t *cat;
    atomic_bool stop;
    atomic_int commits;
    int writer_rc;
};

static int add_camera(catalog_t *cat, int n)
{
    char name[32], url[64];
    snprintf(name, sizeof name, "cam%d", n);
    snprintf(url, sizeof url, "rtsp://10.1.%d.%d/main", n / 250,
             n % 250 + 1); /* one device = one camera */
    struct catalog_camera c = {.name = name,
                               .main_url = url,
                               .transport = "tcp",
                               .enabled = true,
                               .retention_days = 30,
                               .direction_deg = -1};
    return catalog_camera_add(cat, &c);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/ww-cat-backup-XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    f->path = ww_asprintf("%s/wardwatch.db", f->dir);
    if (catalog_open(f->path, CATALOG_CREATE, &f->cat) || add_camera(f->cat, 0)) return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    catalog_close(f->cat);
    char *cmd = ww_asprintf("rm -rf '%s'", f->dir);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", f->dir);
    free(cmd);
    free(f->path);
    free(f);
    return 0;
}

/* Two cameras per transaction on a connection of its own, as the syncer
 * commits beside the CLI. */
static void *writer(void *arg)
{
    struct fx *f = arg;
    catalog_t *cat = NULL;
    f->writer_rc = catalog_open(f->path, 0, &cat);
    for (int n = 1; !f->writer_rc && !atomic_load(&f->stop) && n < 4000; n += 2) {
        f->writer_rc = catalog_begin(cat);
        if (!f->writer_rc) f->writer_rc = add_camera(cat, n);
        if (!f->writer_rc) f->writer_rc = add_camera(cat, n + 1);
        if (!f->writer_rc) f->writer_rc = catalog_commit(cat);
        atomic_fetch_add(&f->commits, 1);
    }
    catalog_close(cat);
    return NULL;
}

static void test_backup_while_writing(void **state)
{
    struct fx *f = *state;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, writer, f), 0);
    while (atomic_load(&f->commits) < 5 && !f->writer_rc)
        usleep(1000);
    int64_t last = 0;
    for (int i = 0; i < 4; i++) {
        char *dest = ww_asprintf("%s/copy-%d.db", f->dir, i);
        struct catalog_backup_info info;
        assert_int_equal(catalog_backup_to(f->cat, dest, &info), 0);
        assert_true(info.cameras % 2 == 1); /* never half of a transaction */
        assert_true(info.cameras >= last);
        last = info.cameras;
        assert_int_equal(info.schema_version, catalog_schema_known());
        assert_int_equal(info.users, 0);
        struct stat st;
        assert_int_equal(stat(dest, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        char *wal = ww_asprintf("%s-wal", dest);
        assert_int_not_equal(access(wal, F_OK), 0);
        int v = -1;
        assert_int_equal(catalog_schema_of_file(dest, &v), 0);
        assert_int_equal(v, catalog_schema_known());
        assert_int_not_equal(access(wal, F_OK), 0); /* reading it made none either */
        catalog_t *copy = NULL;
        assert_int_equal(catalog_open(dest, 0, &copy), 0);
        struct catalog_backup_info again;
        assert_int_equal(catalog_backup_info(copy, &again), 0);
        assert_int_equal(again.cameras, info.cameras);
        catalog_close(copy);
        free(wal);
        free(dest);
        usleep(20000);
    }
    atomic_store(&f->stop, true);
    pthread_join(t, NULL);
    assert_int_equal(f->writer_rc, 0);
    assert_true(last > 1); /* the writer did get in before the copies */
}

static void test_backup_never_overwrites(void **state)
{
    struct fx *f = *state;
    char *dest = ww_asprintf("%s/taken.db", f->dir);
    FILE *fp = fopen(dest, "w");
    assert_non_null(fp);
    fputs("someone else's file\n", fp);
    fclose(fp);
    struct catalog_backup_info info;
    assert_int_equal(catalog_backup_to(f->cat, dest, &info), -EEXIST);
    char *text = NULL;
    assert_int_equal(ww_read_file(dest, 100, &text, NULL), 0);
    assert_string_equal(text, "someone else's file\n");
    free(text);
    free(dest);
}

static void test_schema_of_a_new_file(void **state)
{
    struct fx *f = *state;
    char *empty = ww_asprintf("%s/empty.db", f->dir);
    FILE *fp = fopen(empty, "w");
    assert_non_null(fp);
    fclose(fp);
    int v = -1;
    assert_int_equal(catalog_schema_of_file(empty, &v), 0);
    assert_int_equal(v, 0); /* no schema_migrations yet: older than anything */
    assert_true(catalog_schema_known() >= 48);
    free(empty);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_backup_while_writing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backup_never_overwrites, setup, teardown),
        cmocka_unit_test_setup_teardown(test_schema_of_a_new_file, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
