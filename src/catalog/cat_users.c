/*
 * cat_users.c — users, sessions and owners (the console's camera edits
 * are in cameras.c with the cameras table's other SQL).
 *
 * Invariants kept here and by the schema's CHECKs: officer/viewer rows have
 * a ward, owner rows an owner; usernames are unique and already validated
 * lowercase; only argon2id strings and SHA-256 token hashes are stored.
 * A session is valid while expires_us > now and its user is enabled — the
 * lookup checks both in one statement, so disabling a user signs them out
 * everywhere at once.
 */
#include "catalog/cat_users.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/internal.h"

/* ---- roles ------------------------------------------------------------- */

static const char *const role_names[] = {"", "admin", "province", "officer", "viewer", "owner"};

const char *catalog_role_name(enum catalog_role r)
{
    return (r > CATALOG_ROLE_NONE && r <= CATALOG_ROLE_OWNER) ? role_names[r] : "";
}

enum catalog_role catalog_role_parse(const char *s)
{
    for (int r = CATALOG_ROLE_ADMIN; s && r <= CATALOG_ROLE_OWNER; r++)
        if (!strcmp(s, role_names[r])) return (enum catalog_role)r;
    return CATALOG_ROLE_NONE;
}

bool catalog_role_needs_ward(enum catalog_role r) { return r == CATALOG_ROLE_OFFICER || r == CATALOG_ROLE_VIEWER; }
bool catalog_role_needs_owner(enum catalog_role r) { return r == CATALOG_ROLE_OWNER; }

bool catalog_username_valid(const char *s)
{
    if (!s) return false;
    size_t n = strlen(s);
    if (n < 3 || n > 32) return false;
    if (!islower((unsigned char)s[0]) && !isdigit((unsigned char)s[0])) return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '.' && c != '_' && c != '-')
            return false;
    }
    return true;
}

/* ---- users ------------------------------------------------------------- */

#define USER_COLS "u.id,u.username,u.display_name,u.role,u.ward_id,u.owner_id,u.disabled," \
                  "u.created_us,u.updated_us,u.last_login_us"

/* Reads USER_COLS starting at column `first`. */
static void user_from_row(sqlite3_stmt *st, int first, struct catalog_user *u)
{
    memset(u, 0, sizeof *u);
    u->id = sqlite3_column_int64(st, first + 0);
    u->username = catalog_col_str(st, first + 1);
    u->display_name = catalog_col_str(st, first + 2);
    u->role = catalog_role_parse((const char *)sqlite3_column_text(st, first + 3));
    u->ward_id = sqlite3_column_int64(st, first + 4);
    u->owner_id = sqlite3_column_int64(st, first + 5);
    u->disabled = sqlite3_column_int(st, first + 6) != 0;
    u->created_us = sqlite3_column_int64(st, first + 7);
    u->updated_us = sqlite3_column_int64(st, first + 8);
    u->last_login_us = sqlite3_column_int64(st, first + 9);
}

/* A user row starts at column 0 except in a session's join, so the user
 * reader above is the map's fill rather than a column table. */
static void user_fill(sqlite3_stmt *st, void *row) { user_from_row(st, 0, row); }

/* The hash is wiped before it is freed: it must not linger in the heap. */
static void user_release(void *row)
{
    struct catalog_user *u = row;
    free(u->username);
    free(u->display_name);
    if (u->pw_hash) { explicit_bzero(u->pw_hash, strlen(u->pw_hash)); free(u->pw_hash); }
}

static const struct catalog_row_map user_map = {sizeof(struct catalog_user), NULL, 0, user_fill, user_release};

CATALOG_ROW_CLEAR_FN(user_map, struct catalog_user, catalog_user_clear)
CATALOG_LIST_FREE_FN(user_map, struct catalog_user, catalog_user_list_free)

int catalog_user_add(catalog_t *cat, struct catalog_user *u)
{
    if (!catalog_username_valid(u->username) || !u->pw_hash || u->role == CATALOG_ROLE_NONE)
        return WW_EINVAL;
    sqlite3_stmt *st;
    if (catalog_prepare(cat, "INSERT INTO users(username,display_name,role,ward_id,owner_id,pw_hash,"
                         "disabled,created_us,updated_us) VALUES(?,?,?,?,?,?,?,?,?)", &st))
        return WW_EDB;
    int64_t now = ww_wall_us();
    catalog_bind_str(st, 1, u->username);
    catalog_bind_str(st, 2, u->display_name);
    catalog_bind_str(st, 3, catalog_role_name(u->role));
    catalog_bind_id(st, 4, u->ward_id);
    catalog_bind_id(st, 5, u->owner_id);
    catalog_bind_str(st, 6, u->pw_hash);
    sqlite3_bind_int(st, 7, u->disabled);
    sqlite3_bind_int64(st, 8, now);
    sqlite3_bind_int64(st, 9, now);
    int rc = catalog_insert_done(cat, st, "user add", CATALOG_REFUSED_BY_KIND, &u->id);
    if (rc) return rc;
    u->created_us = u->updated_us = now;
    return 0;
}

static int user_one(catalog_t *cat, const char *where, int64_t id, const char *name,
                    struct catalog_user *out)
{
    sqlite3_stmt *st;
    char *sql = ww_asprintf("SELECT " USER_COLS ",u.pw_hash FROM users u WHERE %s", where);
    int rc = catalog_prepare(cat, sql, &st);
    free(sql);
    if (rc) return WW_EDB;
    if (name) catalog_bind_str(st, 1, name);
    else sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        user_from_row(st, 0, out);
        out->pw_hash = catalog_col_str(st, 10);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? WW_ENOTFOUND : catalog_fail(cat, "user get");
}

int catalog_user_get(catalog_t *cat, int64_t id, struct catalog_user *out)
{
    return user_one(cat, "u.id=?", id, NULL, out);
}

int catalog_user_find(catalog_t *cat, const char *username, struct catalog_user *out)
{
    return user_one(cat, "u.username=?", 0, username ? username : "", out);
}

int catalog_user_list(catalog_t *cat, struct catalog_user **out, size_t *n)
{
    sqlite3_stmt *st;
    *out = NULL; *n = 0;
    if (catalog_prepare(cat, "SELECT " USER_COLS " FROM users u ORDER BY u.id", &st)) return WW_EDB;
    return catalog_rows(cat, st, &user_map, "user list", out, n);
}

int catalog_user_update(catalog_t *cat, const struct catalog_user *u)
{
    int rc = CATALOG_RUN(cat, "user update", CATALOG_REFUSED_BY_KIND,
                     "UPDATE users SET display_name=?,role=?,ward_id=?,owner_id=?,disabled=?,"
                     "updated_us=? WHERE id=?",
                     catalog_arg_str(u->display_name), catalog_arg_str(catalog_role_name(u->role)),
                     CATALOG_ID(u->ward_id), CATALOG_ID(u->owner_id), CATALOG_ARG(u->disabled),
                     CATALOG_ARG(ww_wall_us()), CATALOG_ARG(u->id));
    return rc ? rc : catalog_changed(cat);
}

int catalog_user_set_password(catalog_t *cat, int64_t id, const char *pw_hash)
{
    int rc = CATALOG_RUN(cat, "user password", CATALOG_REFUSED_BY_KIND,
                     "UPDATE users SET pw_hash=?,updated_us=? WHERE id=?", catalog_arg_str(pw_hash),
                     CATALOG_ARG(ww_wall_us()), CATALOG_ARG(id));
    return rc ? rc : catalog_changed(cat);
}

int catalog_user_touch_login(catalog_t *cat, int64_t id, int64_t at_us)
{
    return CATALOG_RUN(cat, "user touch", WW_EDB, "UPDATE users SET last_login_us=? WHERE id=?",
                   CATALOG_ARG(at_us), CATALOG_ARG(id));
}

int catalog_user_count_admins(catalog_t *cat, int64_t *n)
{
    sqlite3_stmt *st;
    if (catalog_prepare(cat, "SELECT count(*) FROM users WHERE role='admin' AND disabled=0", &st))
        return WW_EDB;
    *n = 0;
    return catalog_row_one(cat, st, &catalog_i64_map, n, "count admins");
}

/* ---- sessions ---------------------------------------------------------- */

int catalog_session_add(catalog_t *cat, const uint8_t token_hash[32], int64_t user_id,
                        int64_t expires_us, const char *client_addr)
{
    int64_t now = ww_wall_us();
    return CATALOG_RUN(cat, "session add", CATALOG_REFUSED_BY_KIND,
                   "INSERT INTO sessions(token_hash,user_id,created_us,expires_us,"
                   "last_seen_us,client_addr) VALUES(?,?,?,?,?,?)",
                   catalog_arg_blob(token_hash, 32), CATALOG_ARG(user_id), CATALOG_ARG(now),
                   CATALOG_ARG(expires_us), CATALOG_ARG(now), catalog_arg_str(client_addr));
}

int catalog_session_find(catalog_t *cat, const uint8_t token_hash[32], int64_t now_us,
                         struct catalog_session *s, struct catalog_user *u)
{
    sqlite3_stmt *st;
    if (catalog_prepare(cat, "SELECT s.user_id,s.created_us,s.expires_us,s.last_seen_us," USER_COLS
                         " FROM sessions s JOIN users u ON u.id=s.user_id"
                         " WHERE s.token_hash=? AND s.expires_us>? AND u.disabled=0", &st))
        return WW_EDB;
    sqlite3_bind_blob(st, 1, token_hash, 32, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, now_us);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        s->user_id = sqlite3_column_int64(st, 0);
        s->created_us = sqlite3_column_int64(st, 1);
        s->expires_us = sqlite3_column_int64(st, 2);
        s->last_seen_us = sqlite3_column_int64(st, 3);
        user_from_row(st, 4, u);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? WW_ENOTFOUND : catalog_fail(cat, "session find");
}

int catalog_session_extend(catalog_t *cat, const uint8_t token_hash[32], int64_t now_us,
                           int64_t expires_us)
{
    return CATALOG_RUN(cat, "session extend", WW_EDB,
                   "UPDATE sessions SET last_seen_us=?,expires_us=? WHERE token_hash=?",
                   CATALOG_ARG(now_us), CATALOG_ARG(expires_us), catalog_arg_blob(token_hash, 32));
}

int catalog_session_delete(catalog_t *cat, const uint8_t token_hash[32])
{
    return CATALOG_RUN(cat, "session delete", WW_EDB, "DELETE FROM sessions WHERE token_hash=?",
                   catalog_arg_blob(token_hash, 32));
}

int catalog_session_delete_user(catalog_t *cat, int64_t user_id, const uint8_t *keep)
{
    return CATALOG_RUN(cat, "session delete user", WW_EDB,
                   "DELETE FROM sessions WHERE user_id=? AND token_hash IS NOT ?", CATALOG_ARG(user_id),
                   catalog_arg_blob(keep, 32));
}

int catalog_session_prune(catalog_t *cat, int64_t now_us, int max_per_user)
{
    return CATALOG_RUN(cat, "session prune", WW_EDB,
                   "DELETE FROM sessions WHERE expires_us<=? OR token_hash IN ("
                   " SELECT token_hash FROM (SELECT token_hash, row_number() OVER ("
                   "  PARTITION BY user_id ORDER BY created_us DESC) AS rn FROM sessions)"
                   " WHERE rn>?)",
                   CATALOG_ARG(now_us), CATALOG_ARG(max_per_user));
}

/* ---- owners ------------------------------------------------------------ */

bool catalog_owner_kind_valid(const char *kind)
{
    static const char *const kinds[] = {"household", "shop", "school", "agency"};
    for (size_t i = 0; kind && i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcmp(kind, kinds[i])) return true;
    return false;
}

#define OWNER_COLS "id,kind,name,phone,address,ward_id,created_us"

static const struct catalog_row_map owner_map = CATALOG_MAP(
    struct catalog_owner, NULL, NULL, id, kind, name, phone, address, ward_id, created_us);

CATALOG_ROW_CLEAR_FN(owner_map, struct catalog_owner, catalog_owner_clear)
CATALOG_LIST_FREE_FN(owner_map, struct catalog_owner, catalog_owner_list_free)

int catalog_owner_add(catalog_t *cat, struct catalog_owner *o)
{
    if (!catalog_owner_kind_valid(o->kind) || !o->name || !*o->name) return WW_EINVAL;
    sqlite3_stmt *st;
    if (catalog_prepare(cat, "INSERT INTO owners(kind,name,phone,address,ward_id,created_us)"
                         " VALUES(?,?,?,?,?,?)", &st))
        return WW_EDB;
    o->created_us = ww_wall_us();
    catalog_bind_str(st, 1, o->kind);
    catalog_bind_str(st, 2, o->name);
    catalog_bind_str(st, 3, o->phone);
    catalog_bind_str(st, 4, o->address);
    catalog_bind_id(st, 5, o->ward_id);
    sqlite3_bind_int64(st, 6, o->created_us);
    return catalog_insert_done(cat, st, "owner add", CATALOG_REFUSED_BY_KIND, &o->id);
}

int catalog_owner_get(catalog_t *cat, int64_t id, struct catalog_owner *out)
{
    return catalog_row_by_id(cat, "SELECT " OWNER_COLS " FROM owners WHERE id=?", id, &owner_map, out,
                         "owner get");
}

int catalog_owner_list(catalog_t *cat, int64_t ward_id, struct catalog_owner **out, size_t *n)
{
    return CATALOG_LIST(cat, "owner list", &owner_map, out, n,
                    "SELECT " OWNER_COLS " FROM owners WHERE ?=0 OR ward_id=? ORDER BY id",
                    CATALOG_ARG(ward_id > 0 ? ward_id : 0), CATALOG_ARG(ward_id));
}

int catalog_owner_update(catalog_t *cat, const struct catalog_owner *o)
{
    if (!catalog_owner_kind_valid(o->kind) || !o->name || !*o->name) return WW_EINVAL;
    int rc = CATALOG_RUN(cat, "owner update", CATALOG_REFUSED_BY_KIND,
                     "UPDATE owners SET kind=?,name=?,phone=?,address=?,ward_id=? WHERE id=?",
                     catalog_arg_str(o->kind), catalog_arg_str(o->name), catalog_arg_str(o->phone),
                     catalog_arg_str(o->address), CATALOG_ID(o->ward_id), CATALOG_ARG(o->id));
    return rc ? rc : catalog_changed(cat);
}
