/*
 * catalog/cat_users.h — console users, their sessions, camera owners and the
 * camera fields the console edits (schema/010_users.sql).  Used by http/
 * (sign-in, sessions, permissions), api/ (users, owners, cameras) and the
 * `user` CLI verb.
 *
 * Passwords never reach this layer in clear: callers hash them first
 * (argon2id, see http.h http_password_hash) and store the string.  Session
 * tokens likewise: only their SHA-256 is stored and looked up.
 *
 * Threads: as for catalog.h — a catalog_t is used by one thread at a time.
 * Memory: structs filled here own their strings; release them with the
 * matching *_clear / *_list_free.  Errors: 0 or negative WW_E* (WW_EDB was
 * logged with SQLite's message; WW_ECONFLICT = unique name taken;
 * WW_ENOTFOUND = no such row; WW_EINVAL = a constraint refused the values).
 */
#ifndef WW_CAT_USERS_H
#define WW_CAT_USERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog/catalog.h"

/* ---- roles ---------------------------------------------------------------
 * admin    everything
 * province all wards, read-only plus reviews (criteria, statistics)
 * officer  one ward: cameras, incidents, exports of that ward
 * viewer   one ward: live and playback of its cameras, nothing else
 * owner    one camera owner: the state and audit of its own cameras
 * The full matrix lives in http/authz.c and docs/api.md. */
enum catalog_role {
    CATALOG_ROLE_NONE = 0,
    CATALOG_ROLE_ADMIN,
    CATALOG_ROLE_PROVINCE,
    CATALOG_ROLE_OFFICER,
    CATALOG_ROLE_VIEWER,
    CATALOG_ROLE_OWNER,
};
const char *catalog_role_name(enum catalog_role r);      /* "admin"…; "" for NONE */
enum catalog_role catalog_role_parse(const char *s);     /* CATALOG_ROLE_NONE if unknown */
/* Whether the role needs a ward (officer, viewer) or an owner (owner). */
bool catalog_role_needs_ward(enum catalog_role r);
bool catalog_role_needs_owner(enum catalog_role r);

/* A username is 3..32 of [a-z0-9._-], starting with a letter or digit. */
bool catalog_username_valid(const char *s);

/* ---- users ---------------------------------------------------------------- */
struct catalog_user {
    int64_t id;
    char *username, *display_name;
    enum catalog_role role;
    int64_t ward_id, owner_id;    /* 0 = none */
    char *pw_hash;                /* argon2id string; filled by get/find only */
    bool disabled;
    int64_t created_us, updated_us, last_login_us; /* last_login 0 = never */
};
void catalog_user_clear(struct catalog_user *u);
void catalog_user_list_free(struct catalog_user *v, size_t n);

/* Inserts u (sets u->id, created/updated).  WW_ECONFLICT if the username is
 * taken, WW_EINVAL if role/ward/owner do not fit together. */
int catalog_user_add(catalog_t *cat, struct catalog_user *u);
int catalog_user_get(catalog_t *cat, int64_t id, struct catalog_user *out);
int catalog_user_find(catalog_t *cat, const char *username, struct catalog_user *out);
/* All users, by id; pw_hash is left NULL. */
int catalog_user_list(catalog_t *cat, struct catalog_user **out, size_t *n);
/* Rewrites display_name, role, ward_id, owner_id and disabled of row u->id. */
int catalog_user_update(catalog_t *cat, const struct catalog_user *u);
int catalog_user_set_password(catalog_t *cat, int64_t id, const char *pw_hash);
int catalog_user_touch_login(catalog_t *cat, int64_t id, int64_t at_us);
/* Number of enabled admins (to refuse removing the last one). */
int catalog_user_count_admins(catalog_t *cat, int64_t *n);

/* ---- sessions --------------------------------------------------------------
 * token_hash is SHA-256(token), 32 bytes. */
struct catalog_session {
    int64_t user_id, created_us, expires_us, last_seen_us;
};
int catalog_session_add(catalog_t *cat, const uint8_t token_hash[32], int64_t user_id,
                        int64_t expires_us, const char *client_addr);
/* Finds an unexpired session at now_us and its (enabled) user in one query.
 * WW_ENOTFOUND if there is none, it expired, or the user is disabled. */
int catalog_session_find(catalog_t *cat, const uint8_t token_hash[32], int64_t now_us,
                         struct catalog_session *s, struct catalog_user *u);
int catalog_session_extend(catalog_t *cat, const uint8_t token_hash[32], int64_t now_us,
                           int64_t expires_us);
int catalog_session_delete(catalog_t *cat, const uint8_t token_hash[32]);
/* Deletes a user's sessions, except keep (may be NULL). */
int catalog_session_delete_user(catalog_t *cat, int64_t user_id, const uint8_t *keep);
/* Deletes expired sessions and, per user, all but the newest max_per_user. */
int catalog_session_prune(catalog_t *cat, int64_t now_us, int max_per_user);

/* ---- owners -------------------------------------------------------------- */
struct catalog_owner {
    int64_t id;
    char *kind;                   /* household | shop | school | agency */
    char *name, *phone, *address;
    int64_t ward_id;              /* 0 = none */
    int64_t created_us;
};
bool catalog_owner_kind_valid(const char *kind);
void catalog_owner_clear(struct catalog_owner *o);
void catalog_owner_list_free(struct catalog_owner *v, size_t n);
int catalog_owner_add(catalog_t *cat, struct catalog_owner *o);          /* sets o->id */
int catalog_owner_get(catalog_t *cat, int64_t id, struct catalog_owner *out);
/* ward_id > 0 limits to one ward. */
int catalog_owner_list(catalog_t *cat, int64_t ward_id, struct catalog_owner **out, size_t *n);
int catalog_owner_update(catalog_t *cat, const struct catalog_owner *o);

/* ---- cameras: the parts the console edits ----------------------------------
 * The camera row itself is catalog.h's; these live here because the owner
 * link is this migration's column.  (Kept out of cameras.c so that file
 * stays its author's.) */
int catalog_camera_owner_get(catalog_t *cat, int64_t camera_id, int64_t *owner_id);
int catalog_camera_owner_set(catalog_t *cat, int64_t camera_id, int64_t owner_id); /* 0 = none */
/* Rewrites every editable column of row c->id (all of struct catalog_camera but
 * id and created_us).  Credentials are written as given: pass the old ones
 * to keep them.  WW_ECONFLICT if a URL names another camera's device. */
int catalog_camera_update(catalog_t *cat, const struct catalog_camera *c);
/* Ward and owner of a camera, for permission checks.  WW_ENOTFOUND if none. */
int catalog_camera_scope(catalog_t *cat, int64_t camera_id, int64_t *ward_id, int64_t *owner_id);
/* Ids of the cameras in a ward (ward_id > 0) or of an owner (owner_id > 0);
 * exactly one of the two is given.  *out is malloc'd (free()). */
int catalog_camera_ids_scoped(catalog_t *cat, int64_t ward_id, int64_t owner_id, int64_t **out,
                              size_t *n);

#endif
