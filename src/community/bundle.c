/*
 * bundle.c — "what was seen here at that time" and the evidence bundle.
 *
 * The place search: a latitude/longitude box first (the catalog's index),
 * then the exact distance; a camera outside the caller's PLAYBACK scope is
 * dropped before anything else is read about it, so neither the search nor
 * a bundle can tell that it exists.
 *
 * A bundle is made in two halves, and why:
 *   1. on the caller's thread: find the cameras, ask community_may for each
 *      (COMMUNITY_USE_BUNDLE: EXPORT right + the owner's export consent
 *      now), choose the folder, and call before_export for each camera
 *      taken (the API's audit row: it must exist before any byte does);
 *   2. on a worker thread started here and joined before returning: one
 *      export_clip per camera, the signed bundle.json, SHA256SUMS, the
 *      folder's fsync and the catalog rows.  Every fsync of a bundle happens
 *      there: HTTP threads never fsync (STYLE §5).  The worker uses the
 *      caller's catalog connection while the caller waits in pthread_join —
 *      one thread at a time, as a catalog_t demands.  A thread per bundle
 *      rather than a long-lived one: bundles are a rare staff action, the
 *      caller needs the result to answer (201 with the bundle), and a thread
 *      joined by its request needs no stop at shutdown.
 * All or nothing: on failure the files written are removed and no bundle
 * row exists (the per-camera export rows stay, as for any export).
 */
#include "community/community.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "export/export.h"

/* ---- the place search -------------------------------------------------------------- */

static int cmp_hit(const void *a, const void *b)
{
    const struct community_hit *x = a, *y = b;
    if (x->distance_m != y->distance_m) return x->distance_m < y->distance_m ? -1 : 1;
    return x->c->id < y->c->id ? -1 : x->c->id > y->c->id;
}

void community_found_free(struct community_found *f)
{
    if (!f) return;
    free(f->hits);
    catalog_camera_pos_list_free(f->pos, f->npos);
    memset(f, 0, sizeof *f);
}

int community_place_find(catalog_t *cat, const struct community_user *u, const struct community_place *p,
                         struct community_found *out)
{
    memset(out, 0, sizeof *out);
    if (!u) return 0;
    double a, b, c, d;
    community_bbox(p->lat, p->lon, p->radius_m, &a, &b, &c, &d);
    int rc = catalog_camera_in_box(cat, a, b, c, d, &out->pos, &out->npos);
    if (rc) return rc;
    out->hits = ww_calloc(out->npos + 1, sizeof *out->hits);
    for (size_t i = 0; i < out->npos; i++) {
        const struct catalog_camera_pos *cp = &out->pos[i];
        struct community_camera_facts f = {true, cp->ward_id, cp->owner_id};
        if (community_decide_camera(u, &f, COMMUNITY_RIGHT_PLAYBACK)) continue; /* scope first: no leak */
        double dist = community_distance_m(p->lat, p->lon, cp->latitude, cp->longitude);
        if (dist > p->radius_m) continue;
        int64_t cov, segs;
        if ((rc = catalog_coverage(cat, cp->id, p->from_us, p->to_us, &cov, &segs))) break;
        if (cov <= 0) continue;
        out->hits[out->n++] = (struct community_hit){cp, dist, cov, segs};
    }
    if (rc) {
        community_found_free(out);
        return rc;
    }
    qsort(out->hits, out->n, sizeof *out->hits, cmp_hit);
    return 0;
}

/* ---- the job ------------------------------------------------------------------------ */

struct job {
    const struct community_bundle_req *req;
    const struct community_hit **take;   /* the cameras to export */
    size_t ntake;
    char *dir;                           /* absolute folder */
    struct community_bundle *out;
    json_t *names;                       /* members written, for the clean-up */
    struct catalog_bundle_item *items;
    size_t nitems;
    int rc;
};

static json_t *time_json(int64_t us)
{
    char buf[48];
    return us ? json_string(ww_fmt_time(us, ww_station_offset_min(), buf, sizeof buf)) : json_null();
}

static json_t *skip_json(int64_t camera_id, const char *name, const char *reason)
{
    return json_pack("{s:I,s:s,s:s}", "camera_id", (json_int_t)camera_id, "name", name ? name : "", "reason",
                     reason);
}

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -errno;
    int rc = fputs(text, f) < 0 ? -EIO : 0;
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) rc = -EIO;
    if (fclose(f) != 0) rc = -EIO;
    return rc;
}

static void remove_tree(const char *dir, json_t *names)
{
    size_t i;
    json_t *v;
    json_array_foreach(names, i, v) {
        char *p = ww_asprintf("%s/%s", dir, json_string_value(v));
        unlink(p);
        free(p);
    }
    rmdir(dir);
}

/* One camera into the bundle: its clip and signed manifest (export_clip),
 * listed in files and SHA256SUMS; a failure to export skips the camera. */
static void export_one(struct job *j, const struct community_hit *h, struct ww_buf *sums)
{
    const struct community_bundle_req *r = j->req;
    const struct catalog_camera_pos *c = h->c;
    char *mp4 = ww_asprintf("cam%lld.mp4", (long long)c->id);
    char *out_path = ww_asprintf("%s/%s", j->dir, mp4);
    struct export_req q = {
        .data_dir = r->data_dir, .cat = r->cat, .camera_id = c->id, .stream = "main",
        .from_us = r->place.from_us, .to_us = r->place.to_us, .out_path = out_path,
        .user_id = r->user->id, .username = r->username, .client_addr = r->client_addr,
    };
    struct export_result res;
    int erc = export_clip(&q, &res);
    if (erc) {
        json_array_append_new(j->out->skipped, skip_json(c->id, c->name,
                                                          erc == WW_ENOTFOUND ? "nothing recorded"
                                                          : erc == WW_EPERM   ? "no_consent"
                                                                              : ww_strerror(erc)));
        j->items[j->nitems++] = (struct catalog_bundle_item){
            c->id, 0, "skipped", erc == WW_ENOTFOUND ? "nothing recorded" : "export failed"};
        export_result_clear(&res);
        free(mp4);
        free(out_path);
        return;
    }
    char *man = ww_asprintf("%s.manifest.json", mp4);
    char *msig = ww_asprintf("%s.sig", man);
    char *msig_path = ww_asprintf("%s.sig", res.manifest_path);
    char msha[65] = "", ssha[65] = "";
    export_sha256_file(res.manifest_path, msha);
    export_sha256_file(msig_path, ssha);
    free(msig_path);
    json_array_append_new(j->names, json_string(mp4));
    json_array_append_new(j->names, json_string(man));
    json_array_append_new(j->names, json_string(msig));
    json_t *f = json_pack("{s:s,s:s,s:I,s:I,s:s,s:f,s:I,s:o,s:o,s:s,s:s}", "name", mp4, "sha256", res.sha256,
                          "bytes", (json_int_t)res.bytes, "camera_id", (json_int_t)c->id, "camera_name",
                          c->name ? c->name : "", "distance_m", round(h->distance_m * 10) / 10, "export_id",
                          (json_int_t)res.export_id, "first_frame", time_json(res.first_us), "last_frame",
                          time_json(res.last_us), "manifest", man, "manifest_sha256", msha);
    json_array_append_new(j->out->files, f);
    ww_buf_printf(sums, "%s  %s\n%s  %s\n%s  %s\n", res.sha256, mp4, msha, man, ssha, msig);
    j->items[j->nitems++] = (struct catalog_bundle_item){c->id, res.export_id, "exported", NULL};
    export_result_clear(&res);
    free(msig);
    free(man);
    free(mp4);
    free(out_path);
}

/* bundle.json: what was asked, every file with its hashes, what was
 * skipped and why, who and when — signed like a clip's manifest
 * (export/sign.c): it lists every file's SHA-256, so the signature covers
 * the whole bundle. */
static int write_manifest(struct job *j, char **mjson, char bsha[65], char bssha[65])
{
    const struct community_bundle_req *r = j->req;
    const struct community_place *p = &r->place;
    char a[48], b[48], c[48], d[48], e[48];
    int off = ww_station_offset_min();
    json_t *m = json_pack(
        "{s:s,s:{s:f,s:f,s:f},s:{s:s,s:s,s:s,s:s},s:O,s:O,s:{s:s,s:I,s:s?},s:s,s:s,s:s,s:s?}",
        "kind", "wardwatch evidence bundle",
        "place", "latitude", p->lat, "longitude", p->lon, "radius_m", p->radius_m,
        "requested", "from_local", ww_fmt_time(p->from_us, off, a, sizeof a), "to_local",
        ww_fmt_time(p->to_us, off, b, sizeof b), "from_utc", ww_fmt_time(p->from_us, 0, c, sizeof c), "to_utc",
        ww_fmt_time(p->to_us, 0, d, sizeof d),
        "files", j->out->files, "skipped", j->out->skipped,
        "exported_by", "username", r->username, "user_id", (json_int_t)r->user->id, "client_addr",
        r->client_addr,
        "exported_at", ww_fmt_time(ww_wall_us(), off, e, sizeof e),
        "timezone", "Asia/Ho_Chi_Minh",
        "checksums", "SHA256SUMS lists every file of this folder but itself; check with `sha256sum -c SHA256SUMS`",
        "note", r->note);
    if (!m) return WW_EINVAL;
    char *mpath = ww_asprintf("%s/bundle.json", j->dir);
    struct export_key key;
    bool created;
    int rc = export_key_ensure(r->data_dir, &key, &created);
    if (!rc) rc = export_manifest_write_signed(&key, m, mpath, mjson);
    export_key_wipe(&key);
    json_decref(m);
    if (!rc) rc = export_sha256_file(mpath, bsha);
    char *bsig = ww_asprintf("%s.sig", mpath);
    if (!rc) rc = export_sha256_file(bsig, bssha);
    free(bsig);
    free(mpath);
    json_array_append_new(j->names, json_string("bundle.json"));
    json_array_append_new(j->names, json_string("bundle.json.sig"));
    return rc;
}

static void set_why(struct community_bundle *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_why(struct community_bundle *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->why, sizeof b->why, fmt, ap);
    va_end(ap);
}

/* The worker: everything that writes. */
static void *make_bundle(void *arg)
{
    struct job *j = arg;
    const struct community_bundle_req *r = j->req;
    struct community_bundle *out = j->out;
    struct ww_buf sums = {0};
    char *mjson = NULL;
    int rc = ww_mkdirs(j->dir, 0750);
    if (rc) {
        set_why(out, "cannot create the bundle folder");
        goto done;
    }
    size_t planned_skips = json_array_size(out->skipped);
    for (size_t k = 0; k < j->ntake; k++) export_one(j, j->take[k], &sums);
    if (!json_array_size(out->files)) {
        rc = WW_ENOTFOUND;
        set_why(out, "nothing could be exported from the cameras found");
        goto done;
    }
    char bsha[65] = "", bssha[65] = "";
    if ((rc = write_manifest(j, &mjson, bsha, bssha))) {
        set_why(out, "cannot write the bundle's manifest: %s", ww_strerror(rc));
        goto done;
    }
    ww_buf_printf(&sums, "%s  bundle.json\n%s  bundle.json.sig\n", bsha, bssha);
    ww_buf_append(&sums, "", 1);
    char *spath = ww_asprintf("%s/SHA256SUMS", j->dir);
    rc = write_text(spath, (const char *)sums.data);
    free(spath);
    json_array_append_new(j->names, json_string("SHA256SUMS"));
    if (rc) {
        set_why(out, "cannot write SHA256SUMS: %s", ww_strerror(rc));
        goto done;
    }
    char *any = ww_asprintf("%s/bundle.json", j->dir);
    ww_fsync_dir_of(any);
    free(any);
    /* the cameras left out before exporting, after those tried */
    for (size_t s = 0; s < planned_skips; s++) {
        json_t *sk = json_array_get(out->skipped, s);
        int64_t cid = json_integer_value(json_object_get(sk, "camera_id"));
        bool have = false;
        for (size_t t = 0; t < j->nitems; t++) have = have || j->items[t].camera_id == cid;
        if (!have)
            j->items[j->nitems++] = (struct catalog_bundle_item){
                cid, 0, "skipped", (char *)json_string_value(json_object_get(sk, "reason"))};
    }
    struct catalog_bundle bd = {
        .user_id = r->user->id, .username = (char *)r->username, .latitude = r->place.lat,
        .longitude = r->place.lon, .radius_m = r->place.radius_m, .from_us = r->place.from_us,
        .to_us = r->place.to_us, .dir = out->folder, .manifest = mjson, .manifest_sha256 = bsha,
        .items = j->items, .n_items = j->nitems,
    };
    if ((rc = catalog_bundle_add(r->cat, &bd))) {
        set_why(out, "cannot register the bundle");
        goto done;
    }
    out->id = bd.id;
    memcpy(out->manifest_sha256, bsha, sizeof bsha);
done:
    if (rc) remove_tree(j->dir, j->names);
    free(mjson);
    ww_buf_free(&sums);
    j->rc = rc;
    return NULL;
}

/* bundles/<UTC time, digits and T>-<8 random hex digits> */
static char *new_folder(void)
{
    char stamp[48], compact[32], rnd[9];
    ww_fmt_time(ww_wall_us(), 0, stamp, sizeof stamp);
    size_t k = 0;
    for (const char *s = stamp; *s && k < 15; s++)
        if ((*s >= '0' && *s <= '9') || *s == 'T') compact[k++] = *s;
    compact[k] = 0;
    uint8_t rb[4];
    randombytes_buf(rb, sizeof rb);
    sodium_bin2hex(rnd, sizeof rnd, rb, sizeof rb);
    return ww_asprintf("bundles/%s-%s", compact, rnd);
}

static bool asked_for(const struct community_bundle_req *r, int64_t id)
{
    if (!r->camera_ids) return true;
    for (size_t i = 0; i < r->n_camera_ids; i++)
        if (r->camera_ids[i] == id) return true;
    return false;
}

/* Half 1: which cameras, and why the others are left out. */
static int choose(const struct community_bundle_req *r, const struct community_found *fd,
                  const struct community_hit **take, size_t *ntake, json_t *skipped)
{
    int64_t now = ww_wall_us();
    for (size_t k = 0; k < fd->n; k++) {
        const struct catalog_camera_pos *c = fd->hits[k].c;
        if (!asked_for(r, c->id)) continue;
        struct community_answer may;
        if (community_may(r->cat, r->user, c->id, COMMUNITY_USE_BUNDLE, now, &may)) return WW_EDB;
        const char *why = may.why == COMMUNITY_OK              ? NULL
                        : community_why_is_consent(may.why) ? "no_consent"
                                                            : "your role may not export this camera";
        if (!why && *ntake >= COMMUNITY_BUNDLE_MAX_CAMERAS) why = "more than 50 cameras";
        if (why) json_array_append_new(skipped, skip_json(c->id, c->name, why));
        else take[(*ntake)++] = &fd->hits[k];
    }
    return 0;
}

void community_bundle_clear(struct community_bundle *b)
{
    if (!b) return;
    free(b->folder);
    json_decref(b->files);
    json_decref(b->skipped);
    memset(b, 0, sizeof *b);
}

int community_bundle_create(const struct community_bundle_req *r, struct community_bundle *out)
{
    memset(out, 0, sizeof *out);
    out->files = json_array();
    out->skipped = json_array();
    if (!r->user) {
        set_why(out, "sign in first");
        return WW_EAUTH;
    }
    struct community_found fd;
    int rc = community_place_find(r->cat, r->user, &r->place, &fd);
    if (rc) {
        set_why(out, "cannot search the catalog");
        return rc;
    }
    const struct community_hit **take = ww_calloc(fd.n + 1, sizeof *take);
    size_t ntake = 0;
    struct job j = {.req = r, .take = take, .out = out, .names = json_array()};
    if ((rc = choose(r, &fd, take, &ntake, out->skipped))) {
        set_why(out, "cannot read the consent register");
        goto out;
    }
    if (!ntake) {
        rc = json_array_size(out->skipped) ? WW_EPERM : WW_ENOTFOUND;
        if (rc == WW_EPERM)
            set_why(out, "none of the cameras that recorded there may be exported by you (role or the owners' consent)");
        else
            set_why(out, "no camera within %.0f m recorded in that window", r->place.radius_m);
        goto out;
    }
    out->folder = new_folder();
    for (size_t k = 0; k < ntake && r->before_export; k++)
        if ((rc = r->before_export(r->ud, take[k]->c->id, out->folder))) {
            set_why(out, "cannot write the audit record; refusing to export");
            goto out;
        }
    j.ntake = ntake;
    j.dir = ww_asprintf("%s/%s", r->data_dir, out->folder);
    j.items = ww_calloc(ntake + json_array_size(out->skipped) + 1, sizeof *j.items);
    pthread_t worker;
    if ((rc = -pthread_create(&worker, NULL, make_bundle, &j))) {
        set_why(out, "cannot start the bundle's worker");
        goto out;
    }
    pthread_join(worker, NULL);
    rc = j.rc;
out:
    free(j.items);
    free(j.dir);
    json_decref(j.names);
    free(take);
    community_found_free(&fd);
    return rc;
}
