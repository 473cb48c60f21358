/*
 * catalog_audit.c — append, query and verify the audit hash chain.
 *
 * Why a chain and not just an append-only table: the catalog is a file an
 * administrator with shell access can edit.  The chain cannot stop that, but
 * makes it visible: a changed row no longer hashes to its stored hash, a
 * removed row leaves its successor pointing at a hash that is not there, and
 * the head setting (updated in the same transaction as each append) catches
 * rows cut from the end.
 *
 * Invariants: ids are assigned here (max+1) inside the write transaction, so
 * the chain order is the id order; a row's fields are hashed exactly as
 * stored (NULL ↔ 0/NULL in struct catalog_audit), and detail is hashed as the
 * stored text, never re-serialised.
 */
#include "catalog/cat_audit.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/internal.h"

#define HEAD_KEY "audit.head"
static const char zero_hash[CATALOG_AUDIT_HASH_HEX] =
    "0000000000000000000000000000000000000000000000000000000000000000";

static void h_none(struct ww_sha256 *h)
{
    ww_sha256_update(h, "-,", 2);
}

static void h_str(struct ww_sha256 *h, const char *s)
{
    if (!s) { h_none(h); return; }
    char len[24];
    size_t n = strlen(s);
    int k = snprintf(len, sizeof len, "%zu:", n);
    ww_sha256_update(h, len, (size_t)k);
    ww_sha256_update(h, s, n);
    ww_sha256_update(h, ",", 1);
}

static void h_int(struct ww_sha256 *h, int64_t v, bool present)
{
    if (!present) { h_none(h); return; }
    char num[24];
    snprintf(num, sizeof num, "%" PRId64, v);
    h_str(h, num);
}

void catalog_audit_hash(const struct catalog_audit *a, const char *prev_hex, char out[CATALOG_AUDIT_HASH_HEX])
{
    _Static_assert(CATALOG_AUDIT_HASH_HEX == WW_SHA256_HEX, "an audit hash is one SHA-256 in hex");
    struct ww_sha256 h;
    ww_sha256_init(&h);
    ww_sha256_update(&h, prev_hex, strlen(prev_hex));
    h_int(&h, a->id, true);
    h_int(&h, a->at_us, true);
    h_int(&h, a->user_id, a->user_id != 0);
    h_str(&h, a->username);
    h_str(&h, a->action);
    h_int(&h, a->camera_id, a->camera_id != 0);
    h_int(&h, a->range_from_us, a->range_from_us != 0);
    h_int(&h, a->range_to_us, a->range_to_us != 0);
    h_str(&h, a->client_addr);
    h_str(&h, a->detail);
    ww_sha256_final_hex(&h, out);
}

static bool action_valid(const char *s)
{
    if (!s || !*s || strlen(s) > 32) return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || *s == '_')) return false;
    return true;
}

/* The last row's id and hash, or 0 and zeros. */
static int chain_tail(catalog_t *cat, int64_t *id, char hash[CATALOG_AUDIT_HASH_HEX])
{
    sqlite3_stmt *st;
    if (catalog_prepare(cat, "SELECT id,hash FROM audit ORDER BY id DESC LIMIT 1", &st)) return WW_EDB;
    int rc = sqlite3_step(st);
    *id = 0;
    memcpy(hash, zero_hash, CATALOG_AUDIT_HASH_HEX);
    if (rc == SQLITE_ROW) {
        const char *h = (const char *)sqlite3_column_text(st, 1);
        *id = sqlite3_column_int64(st, 0);
        if (h && strlen(h) == CATALOG_AUDIT_HASH_HEX - 1) memcpy(hash, h, CATALOG_AUDIT_HASH_HEX);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : catalog_fail(cat, "audit tail");
}

int catalog_audit_append(catalog_t *cat, struct catalog_audit *a)
{
    if (!action_valid(a->action)) return WW_EINVAL;
    bool own_txn = sqlite3_get_autocommit(cat->db) != 0;
    if (own_txn && catalog_begin(cat)) return WW_EDB;
    int64_t last;
    int rc = chain_tail(cat, &last, a->prev_hash);
    if (rc) goto fail;
    a->id = last + 1;
    if (!a->at_us) a->at_us = ww_wall_us();
    catalog_audit_hash(a, a->prev_hash, a->hash);

    /* 0 in an optional field is stored as NULL */
    if ((rc = CATALOG_RUN(cat, "audit append", WW_EDB,
                      "INSERT INTO audit(id,at_us,user_id,username,action,camera_id,"
                      "range_from_us,range_to_us,client_addr,detail,prev_hash,hash)"
                      " VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
                      CATALOG_ARG(a->id), CATALOG_ARG(a->at_us), catalog_arg_opt(a->user_id != 0, a->user_id),
                      catalog_arg_str(a->username), catalog_arg_str(a->action),
                      catalog_arg_opt(a->camera_id != 0, a->camera_id),
                      catalog_arg_opt(a->range_from_us != 0, a->range_from_us),
                      catalog_arg_opt(a->range_to_us != 0, a->range_to_us), catalog_arg_str(a->client_addr),
                      catalog_arg_str(a->detail), catalog_arg_str(a->prev_hash), catalog_arg_str(a->hash))))
        goto fail;
    char head[96];
    snprintf(head, sizeof head, "%" PRId64 ":%s", a->id, a->hash);
    if ((rc = catalog_setting_set(cat, HEAD_KEY, head))) goto fail;
    if (own_txn && catalog_commit(cat)) { rc = WW_EDB; goto fail; }
    return 0;
fail:
    if (own_txn) catalog_rollback(cat);
    return rc ? rc : WW_EDB;
}

#define AUDIT_COLS "id,at_us,user_id,username,action,camera_id,range_from_us,range_to_us," \
                   "client_addr,detail,prev_hash,hash"

/* The hashes are fixed-size text fields of the row, not heap strings. */
static void audit_fill(sqlite3_stmt *st, void *row)
{
    struct catalog_audit *a = row;
    const char *p = (const char *)sqlite3_column_text(st, 10);
    const char *h = (const char *)sqlite3_column_text(st, 11);
    snprintf(a->prev_hash, sizeof a->prev_hash, "%s", p ? p : "");
    snprintf(a->hash, sizeof a->hash, "%s", h ? h : "");
}

#define A struct catalog_audit
static const struct catalog_row_map audit_map =
    CATALOG_ROW_MAP(A, audit_fill, NULL,
                    CATALOG_COLS(A, id, at_us, user_id, username, action, camera_id, range_from_us,
                                 range_to_us, client_addr, detail),
                    CATALOG_COL_BY_FILL, CATALOG_COL_BY_FILL);
#undef A

CATALOG_ROW_CLEAR_FN(audit_map, struct catalog_audit, catalog_audit_clear)
CATALOG_LIST_FREE_FN(audit_map, struct catalog_audit, catalog_audit_list_free)

int catalog_audit_query(catalog_t *cat, const struct catalog_audit_filter *f, struct catalog_audit **out,
                        size_t *n)
{
    size_t limit = f->limit ? f->limit : 100;
    if (limit > 1000) limit = 1000;
    return CATALOG_LIST(cat, "audit query", &audit_map, out, n,
                    "SELECT " AUDIT_COLS " FROM audit WHERE"
                    " (?1=0 OR camera_id=?1) AND (?2=0 OR user_id=?2)"
                    " AND (?3=0 OR camera_id IN (SELECT id FROM cameras WHERE owner_id=?3))"
                    " AND (?4 IS NULL OR action=?4) AND (?5=0 OR at_us>=?5)"
                    " AND (?6=0 OR at_us<?6) AND (?7=0 OR id<?7)"
                    " ORDER BY id DESC LIMIT ?8",
                    CATALOG_ARG(f->camera_id), CATALOG_ARG(f->user_id), CATALOG_ARG(f->owner_id),
                    catalog_arg_str(f->action), CATALOG_ARG(f->from_us), CATALOG_ARG(f->to_us),
                    CATALOG_ARG(f->before_id), CATALOG_ARG((sqlite3_int64)limit));
}

/* The audit rows name their object in the detail JSON (export_id,
 * bundle_id, hold_id; a bundle's creation by its folder) or, for an
 * export's creation, by action, camera and range: the last such row before
 * the export's row was written (two exports of one range — one alone, one
 * in a bundle — each get their own).  json_extract only on
 * valid JSON: detail is stored verbatim. */
int catalog_audit_about_query(catalog_t *cat, const struct catalog_audit_about *a, struct catalog_audit **out,
                              size_t *n)
{
    return CATALOG_LIST(cat, "audit about", &audit_map, out, n,
        "SELECT " AUDIT_COLS " FROM audit WHERE"
        " (?1 IS NOT NULL AND CASE WHEN json_valid(detail) THEN json_extract(detail, '$.' || ?1) END = ?2)"
        " OR (?3 IS NOT NULL AND CASE WHEN json_valid(detail) THEN json_extract(detail, '$.' || ?3) END = ?4)"
        " OR id = (SELECT MAX(id) FROM audit WHERE ?5 IS NOT NULL AND action = ?5 AND camera_id = ?6"
        "          AND range_from_us = ?7 AND range_to_us = ?8 AND at_us <= ?9)"
        " ORDER BY id LIMIT 1000",
        catalog_arg_str(a->id_key), CATALOG_ARG(a->id), catalog_arg_str(a->text_key), catalog_arg_str(a->text),
        catalog_arg_str(a->action), CATALOG_ARG(a->camera_id), CATALOG_ARG(a->from_us), CATALOG_ARG(a->to_us),
        CATALOG_ARG(a->before_us));
}

int catalog_audit_verify(catalog_t *cat, int64_t *rows, int64_t *bad_id, const char **why)
{
    *rows = 0; *bad_id = 0; *why = NULL;
    sqlite3_stmt *st;
    /* One read transaction so the walk and the head read see one snapshot. */
    if (catalog_exec(cat, "BEGIN")) return WW_EDB;
    if (catalog_prepare(cat, "SELECT " AUDIT_COLS " FROM audit ORDER BY id", &st)) {
        catalog_rollback(cat);
        return WW_EDB;
    }
    char prev[CATALOG_AUDIT_HASH_HEX], want[CATALOG_AUDIT_HASH_HEX];
    memcpy(prev, zero_hash, sizeof prev);
    int64_t last_id = 0;
    int rc = 0, s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        struct catalog_audit a = {0};
        catalog_row_map(&audit_map, st, &a);
        catalog_audit_hash(&a, a.prev_hash, want);
        if (strcmp(a.prev_hash, prev) != 0) {
            *why = last_id ? "broken link: prev_hash is not the hash of the row before it (a row"
                             " was removed, changed or inserted)"
                           : "broken link: the first row does not start the chain";
            rc = WW_ECORRUPT;
        } else if (sodium_memcmp(want, a.hash, CATALOG_AUDIT_HASH_HEX - 1) != 0 ||
                   strlen(a.hash) != CATALOG_AUDIT_HASH_HEX - 1) {
            *why = "hash mismatch (the row was changed)";
            rc = WW_ECORRUPT;
        }
        if (rc) *bad_id = a.id;
        memcpy(prev, a.hash, sizeof prev);
        last_id = a.id;
        catalog_audit_clear(&a);
        if (rc) break;
        (*rows)++;
    }
    sqlite3_finalize(st);
    if (!rc && s != SQLITE_DONE) rc = catalog_fail(cat, "audit verify");
    if (!rc) {
        char *head = NULL;
        int h = catalog_setting_get(cat, HEAD_KEY, &head);
        char expect[96];
        snprintf(expect, sizeof expect, "%" PRId64 ":%s", last_id, prev);
        if (h == WW_ENOTFOUND) {
            if (last_id) {
                *bad_id = last_id;
                *why = "the recorded head of the chain is missing";
                rc = WW_ECORRUPT;
            }
        } else if (h) {
            rc = h;
        } else if (strcmp(head, expect) != 0) {
            int64_t head_id = strtoll(head, NULL, 10);
            *bad_id = head_id > last_id ? head_id : last_id;
            *why = head_id > last_id ? "missing: rows were cut from the end of the chain"
                                     : "does not match the recorded head of the chain";
            rc = WW_ECORRUPT;
        }
        free(head);
    }
    catalog_rollback(cat);
    return rc;
}
