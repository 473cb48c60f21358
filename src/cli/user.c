/*
 * user.c — `wardwatch user add | list | passwd | disable | enable`, and the
 * first admin that `init` creates.
 *
 * Passwords never travel on the command line (they would show in `ps` and
 * in shell history): add and passwd read one line from standard input
 * (--password-stdin), without echo when it is a terminal.  There are no
 * default passwords: init makes a random one and prints it once.
 *
 * Every change is an audit row (user_change) marked "via":"cli", with no
 * user (the station's shell account is not a console user).
 */
#include "cli/common.h"

#include <ctype.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "catalog/cat_audit.h"
#include "catalog/cat_users.h"
#include "http/http.h"

/* Reads one line of password from stdin (≤ 1024 bytes). */
static int read_password(char **out)
{
    *out = NULL;
    bool tty = isatty(STDIN_FILENO);
    struct termios old, quiet;
    if (tty && tcgetattr(STDIN_FILENO, &old) == 0) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        fprintf(stderr, "password: ");
    } else {
        tty = false;
    }
    char *buf = ww_malloc(1026);
    bool ok = fgets(buf, 1026, stdin) != NULL;
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    size_t n = ok ? strlen(buf) : 0;
    if (ok && n == 1025 && buf[n - 1] != '\n') {
        explicit_bzero(buf, 1026);
        free(buf);
        cli_err("the password is longer than 1024 bytes");
        return WW_EINVAL;
    }
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) buf[--n] = 0;
    if (!ok || !n) {
        free(buf);
        cli_err("no password on standard input");
        return WW_EINVAL;
    }
    *out = buf;
    return 0;
}

static void free_password(char *pw)
{
    if (pw) { explicit_bzero(pw, strlen(pw)); free(pw); }
}

static int audit_change(catalog_t *cat, const char *change, const struct catalog_user *u)
{
    json_t *d = json_pack("{s:s,s:I,s:s,s:s,s:s}", "change", change, "user_id", (json_int_t)u->id,
                          "username", u->username, "role", catalog_role_name(u->role), "via", "cli");
    struct catalog_audit a = {.action = CATALOG_AUDIT_USER_CHANGE};
    return cli_audit_append(cat, &a, d);
}

/* Adds u (its id set) and the audit row of its creation in one transaction. */
static int store_new_user(catalog_t *cat, struct catalog_user *u)
{
    int rc = catalog_begin(cat);
    if (rc) return rc;
    if (!(rc = catalog_user_add(cat, u))) rc = audit_change(cat, "add", u);
    return cli_end_txn(cat, rc);
}

/* Random password of 18 characters from an alphabet without look-alikes
 * (no 0/O, 1/l/I): about 104 bits. */
static char *random_password(void)
{
    static const char alpha[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    char *pw = ww_malloc(19);
    for (int i = 0; i < 18; i++) pw[i] = alpha[randombytes_uniform(sizeof alpha - 1)];
    pw[18] = 0;
    return pw;
}

int cli_init_first_admin(catalog_t *cat, char **password)
{
    *password = NULL;
    if (sodium_init() < 0) return WW_EINVAL;
    char *pw = random_password();
    char *hash;
    int rc = http_password_hash(pw, &hash);
    if (rc) { free_password(pw); return rc; }
    struct catalog_user u = {.username = "admin", .display_name = "Quản trị", .role = CATALOG_ROLE_ADMIN,
                         .pw_hash = hash};
    rc = store_new_user(cat, &u);
    free(hash);
    if (rc) { free_password(pw); return rc; }
    *password = pw;
    return 0;
}

static const char user_add_help[] =
    "usage: wardwatch user add --name NAME --role ROLE [--ward WARD] [--owner ID]\n"
    "         [--display 'Full Name'] --password-stdin\n\n"
    "Roles: admin, province, officer, viewer (officer and viewer need --ward,\n"
    "a ward name or id), owner (needs --owner, a camera-owner id).\n"
    "The password is read from standard input (one line, 10+ characters).\n";

static int user_add(struct cli_ctx *ctx, int argc, char **argv)
{
    const char *name = NULL, *role_s = NULL, *ward = NULL, *display = NULL;
    int64_t owner = 0;
    bool pw_stdin = false;
    const struct cli_opt opts[] = {
        {CLI_STR("name", &name)},
        {CLI_STR("role", &role_s)},
        {CLI_STR("ward", &ward)},
        {CLI_I64("owner", &owner, 1, INT64_MAX, "--owner wants an owner id, not '%s'")},
        {CLI_STR("display", &display)},
        {CLI_FLAG("password-stdin", &pw_stdin)},
        {.name = NULL}};
    int rc = cli_opts(argc, argv, "user add", opts, user_add_help, 0);
    if (rc >= 0) return rc;
    if (!name) return cli_usage("user add: --name is required");
    if (!catalog_username_valid(name))
        return cli_usage("user add: the name must be 3 to 32 of a-z 0-9 . _ - (lowercase),"
                         " starting with a letter or digit");
    enum catalog_role role = catalog_role_parse(role_s);
    if (role == CATALOG_ROLE_NONE)
        return cli_usage("user add: --role must be admin, province, officer, viewer or owner");
    if (catalog_role_needs_ward(role) != (ward != NULL))
        return cli_usage(catalog_role_needs_ward(role) ? "user add: role %s needs --ward"
                                                   : "user add: role %s takes no --ward",
                         role_s);
    if (catalog_role_needs_owner(role) != (owner != 0))
        return cli_usage(owner ? "user add: role %s takes no --owner" : "user add: role %s needs --owner",
                         role_s);
    if (!pw_stdin) return cli_usage("user add: give the password on standard input with --password-stdin");
    char *pw;
    if (read_password(&pw)) return 2;
    const char *weak = http_password_weak(pw);
    if (weak) { free_password(pw); return cli_usage("user add: %s", weak); }

    catalog_t *cat;
    rc = cli_open(ctx, &cat);
    if (rc) { free_password(pw); return rc; }
    struct catalog_user u = {.username = (char *)name, .display_name = (char *)display, .role = role,
                         .owner_id = owner};
    if (ward && cli_find_ward(cat, ward, &u.ward_id)) {
        cli_err("user add: unknown ward '%s'", ward);
        rc = 2;
        goto out;
    }
    if (owner) {
        struct catalog_owner ow;
        if (catalog_owner_get(cat, owner, &ow)) {
            cli_err("user add: no camera owner with id %lld", (long long)owner);
            rc = 2;
            goto out;
        }
        catalog_owner_clear(&ow);
    }
    char *hash;
    if (http_password_hash(pw, &hash)) { cli_err("user add: cannot hash the password"); rc = 1; goto out; }
    u.pw_hash = hash;
    rc = store_new_user(cat, &u);
    free(hash);
    if (rc == WW_ECONFLICT) { cli_err("user add: the name '%s' is taken", name); rc = 1; goto out; }
    if (rc) { cli_err("user add: failed: %s", ww_strerror(rc)); rc = 1; goto out; }
    printf("%lld\n", (long long)u.id);
out:
    free_password(pw);
    catalog_close(cat);
    return rc;
}

static json_t *user_row_json(const void *row)
{
    const struct catalog_user *u = row;
    json_t *j = json_pack("{s:I,s:s,s:s,s:b}", "id", (json_int_t)u->id, "username", u->username, "role",
                          catalog_role_name(u->role), "disabled", u->disabled);
    if (u->display_name) json_object_set_new(j, "display_name", json_string(u->display_name));
    if (u->ward_id) json_object_set_new(j, "ward_id", json_integer(u->ward_id));
    if (u->owner_id) json_object_set_new(j, "owner_id", json_integer(u->owner_id));
    return j;
}

static void user_row_text(const void *row)
{
    const struct catalog_user *u = row;
    printf("%-4lld %-20s %-9s %-6lld %-6lld %-8s %s\n", (long long)u->id, u->username, catalog_role_name(u->role),
           (long long)u->ward_id, (long long)u->owner_id, u->disabled ? "disabled" : "enabled",
           u->display_name ? u->display_name : "");
}

static const struct cli_list user_rows = {"ID   USERNAME             ROLE      WARD   OWNER  STATE    NAME\n",
                                          user_row_json, user_row_text, sizeof(struct catalog_user)};

static int user_fetch(catalog_t *cat, void *rows, size_t *n) { return catalog_user_list(cat, rows, n); }
static void user_release(void *rows, size_t n) { catalog_user_list_free(rows, n); }

static int user_list(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct cli_list_verb list = {"user list", "usage: wardwatch user list [--json]\n", &user_rows,
                                              user_fetch, user_release};
    return cli_list_all(ctx, argc, argv, &list);
}

/* passwd, disable, enable: one NAME argument. */
/* passwd, disable and enable: argv[0] is which. */
static int user_one(struct cli_ctx *ctx, int argc, char **argv)
{
    const char *verb = argv[0];
    bool pw_stdin = false;
    bool passwd = !strcmp(verb, "passwd");
    char vname[32];
    snprintf(vname, sizeof vname, "user %s", verb);
    /* only passwd takes --password-stdin: disable and enable refuse it as unknown */
    const struct cli_opt opts[] = {{CLI_FLAG("password-stdin", &pw_stdin)}, {.name = NULL}};
    char *help = passwd ? ww_strdup("usage: wardwatch user passwd NAME --password-stdin\n\n"
                                    "Sets NAME's password (read from standard input) and ends all of\n"
                                    "NAME's console sessions.\n")
                        : ww_asprintf("usage: wardwatch user %s NAME\n", verb);
    int rc = cli_opts(argc, argv, vname, passwd ? opts : opts + 1, help, CLI_ANY_OPERANDS);
    free(help);
    if (rc >= 0) return rc;
    if (optind != argc - 1) return cli_usage("%s: give one user name", vname);
    const char *name = argv[optind];
    if (passwd && !pw_stdin)
        return cli_usage("%s: give the password on standard input with --password-stdin", vname);
    char *pw = NULL;
    if (passwd) {
        if (read_password(&pw)) return 2;
        const char *weak = http_password_weak(pw);
        if (weak) { free_password(pw); return cli_usage("%s: %s", vname, weak); }
    }
    catalog_t *cat;
    rc = cli_open(ctx, &cat);
    if (rc) { free_password(pw); return rc; }
    struct catalog_user u;
    if (catalog_user_find(cat, name, &u)) {
        cli_err("%s: no user '%s'", vname, name);
        free_password(pw);
        catalog_close(cat);
        return 1;
    }
    char *hash = NULL;
    if (passwd && http_password_hash(pw, &hash)) rc = WW_EINVAL;
    if (!rc && !passwd && !strcmp(verb, "disable") && u.role == CATALOG_ROLE_ADMIN && !u.disabled) {
        int64_t admins = 0;
        if (catalog_user_count_admins(cat, &admins) == 0 && admins <= 1) {
            cli_err("%s: '%s' is the last enabled admin", vname, name);
            rc = WW_ECONFLICT;
        }
    }
    if (!rc && (rc = catalog_begin(cat)) == 0) {
        if (passwd) rc = catalog_user_set_password(cat, u.id, hash);
        else {
            u.disabled = !strcmp(verb, "disable");
            rc = catalog_user_update(cat, &u);
        }
        if (!rc && (passwd || u.disabled)) rc = catalog_session_delete_user(cat, u.id, NULL);
        if (!rc) rc = audit_change(cat, verb, &u);
        rc = cli_end_txn(cat, rc);
    }
    free(hash);
    free_password(pw);
    if (rc && rc != WW_ECONFLICT) cli_err("%s: failed: %s", vname, ww_strerror(rc));
    else if (!rc) printf("%s: done for '%s'\n", vname, name);
    catalog_user_clear(&u);
    catalog_close(cat);
    return rc ? 1 : 0;
}

CLI_ACTIONS(cli_user, "user", "usage: wardwatch user add|list|passwd|disable|enable [options]  (--help on each)",
            {"add", user_add}, {"list", user_list}, {"passwd", user_one}, {"disable", user_one},
            {"enable", user_one})
