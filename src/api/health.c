/*
 * health.c — GET /api/v1/health: each camera the caller may see, with its
 * state (online / offline / error with the reason / disabled), last picture
 * time, fps, bitrate, reconnects, storage used and oldest recording;
 * offline and error cameras first — the ones an officer must call about.
 */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/cat_evidence.h"
#include "catalog/cat_outbox.h"
#include "engine/engine.h"

static int rank(const char *state)
{
    if (!strcmp(state, "error")) return 0;
    if (!strcmp(state, "offline")) return 1;
    if (!strcmp(state, "connecting")) return 2;
    if (!strcmp(state, "online")) return 3;
    return 4; /* disabled, stopped */
}

static int cmp_cam(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    int d = rank(json_string_value(json_object_get(x, "state"))) - rank(json_string_value(json_object_get(y, "state")));
    if (d) return d;
    return strcmp(json_string_value(json_object_get(x, "name")), json_string_value(json_object_get(y, "name")));
}

static json_t *camera_health(catalog_t *cat, engine_t *e, const struct catalog_camera *c)
{
    json_t *o = json_pack("{s:I,s:s,s:s?,s:o}", "id", (json_int_t)c->id, "name", c->name, "address", c->address,
                          "ward_id", api_id(c->ward_id));
    int64_t bytes = 0, oldest = 0;
    catalog_segment_total_bytes(cat, c->id, &bytes);
    catalog_segment_oldest_start(cat, c->id, &oldest);
    json_object_set_new(o, "storage_bytes", json_integer(bytes));
    int64_t held = 0, held_segs = 0; /* held apart: retention may not free it */
    catalog_held_bytes(cat, c->id, &held, &held_segs);
    json_object_set_new(o, "held_bytes", json_integer(held));
    json_object_set_new(o, "oldest_recording", api_time(oldest));
    struct engine_camera_status cs;
    const struct engine_stream_status *m = e && engine_camera_status(e, c->id, &cs) == 0 && cs.main.present
                                         ? &cs.main : NULL;
    const char *state = !c->enabled ? "disabled" : m ? engine_state_name(m->state) : "offline";
    const char *reason = !c->enabled ? "disabled in the catalog"
                       : m ? m->reason
                           : e ? "not running" : "this server does not run the cameras";
    /* the same as a code the console translates (engine_reason_code's, and these) */
    const char *reason_code = !c->enabled ? "disabled" : m ? m->reason_code : e ? "not_running" : "no_engine";
    if (!strcmp(state, "stopped")) state = "offline";
    /* Streaming but nothing written (issue 12 item 2; a disk full of held
     * video, issue 13): not healthy. */
    if (m && m->has_record && (m->record.state == REC_ERROR || m->record.state == REC_DISK_FULL_HELD) &&
        !strcmp(state, "online")) {
        state = "error";
        reason = m->record.error_text;
        reason_code = m->record.state == REC_DISK_FULL_HELD ? "disk_full_held" : engine_reason_code_of(reason);
    }
    json_object_set_new(o, "state", json_string(state));
    json_object_set_new(o, "reason", json_string(reason));
    json_object_set_new(o, "reason_code", json_string(reason_code));
    int64_t last = m ? m->last_packet_us : 0;
    json_object_set_new(o, "last_frame_us", last ? json_integer(last) : json_null());
    json_object_set_new(o, "last_frame", api_time(last));
    json_object_set_new(o, "fps", json_real(m ? m->fps : 0));
    json_object_set_new(o, "bitrate_kbps", json_real(m ? m->bitrate_kbps : 0));
    json_object_set_new(o, "reconnects", json_integer(m ? m->reconnects : 0));
    /* loss on the main stream: what over UDP tells a bad network path */
    json_object_set_new(o, "rtp_lost", json_integer(m ? m->rtp_lost : 0));
    json_object_set_new(o, "damaged_frames", json_integer(m ? m->damaged_aus : 0));
    json_object_set_new(o, "loss_pct", m && m->udp ? json_real(engine_loss_pct(m)) : json_null());
    /* where the main stream's times come from: a camera clock hours off is
     * shown here, and its video still timed by our clock */
    if (m) {
        json_t *ck = json_pack("{s:s}", "source", m->clock.source ? m->clock.source : "receive");
        json_object_set_new(ck, "camera_offset_s", m->clock.have_sr ? json_real(m->clock.camera_offset_s) : json_null());
        json_object_set_new(ck, "untrusted", json_boolean(m->clock.untrusted > 0));
        json_object_set_new(o, "clock", ck);
    } else {
        json_object_set_new(o, "clock", json_null());
    }
    json_object_set_new(o, "codec", json_string(m ? m->codec : ""));
    json_object_set_new(o, "width", json_integer(m ? m->width : 0));
    json_object_set_new(o, "height", json_integer(m ? m->height : 0));
    /* Motion analysis of the sub stream stops outside the owner's
     * recording consent; the events page names such cameras. */
    const struct engine_stream_status *sub = m && cs.sub.present && cs.sub.has_motion ? &cs.sub : NULL;
    bool paused = sub && sub->motion.paused;
    json_object_set_new(o, "motion_paused", json_boolean(paused));
    json_object_set_new(o, "motion_paused_reason", paused ? json_string("no_recording_consent") : json_null());
    bool rec = m && m->has_record;
    json_object_set_new(o, "record_state", json_string(rec ? rec_state_name(m->record.state) : "idle"));
    json_object_set_new(o, "record_error", json_string(rec ? m->record.error_text : ""));
    json_object_set_new(o, "record_error_code", json_string(rec ? engine_reason_code_of(m->record.error_text) : ""));
    return o;
}

/* The recordings disk, for the health page: free, floor, recorded and held
 * bytes (the same numbers as GET /api/v1/storage's "disk"). */
static json_t *disk_health(const struct api_ctx *ctx, catalog_t *cat)
{
    struct rec_plan p;
    struct rec_retention_cfg ret;
    api_retention(ctx, &ret);
    if (rec_plan_compute(cat, ctx->data_dir, &ret, &p)) return json_null();
    json_t *d = rec_plan_disk_json(&p);
    rec_plan_clear(&p);
    return d;
}

/* The province link, from the catalog: joined, station id, outbox backlog and
 * the last seq the broker acknowledged (the publisher logs connect changes). */
static json_t *province_health(catalog_t *cat)
{
    char *station = NULL;
    if (catalog_setting_get(cat, CATALOG_OUTBOX_STATION, &station)) station = NULL;
    int64_t backlog = 0, last_sent = 0, max_seq = 0;
    if (station) catalog_outbox_stats(cat, &backlog, &last_sent, &max_seq);
    json_t *o = json_pack("{s:b,s:o,s:I,s:I}", "joined", station != NULL, "station",
                          station ? json_string(station) : json_null(), "outbox_backlog", (json_int_t)backlog,
                          "last_sent_seq", (json_int_t)last_sent);
    free(station);
    return o;
}

static int h_health(struct http_req *req, void *ud)
{
    const struct api_ctx *ctx = ud;
    catalog_t *cat = http_req_catalog(req);
    if (!cat) return WW_EDB;
    struct catalog_camera *v;
    size_t n;
    int rc = api_cameras(req, AUTHZ_VIEW, &v, &n);
    if (rc) return rc;
    json_t **rows = ww_calloc(n + 1, sizeof *rows);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) rows[k++] = camera_health(cat, ctx->engine, &v[i]);
    catalog_camera_list_free(v, n);
    qsort(rows, k, sizeof *rows, cmp_cam);
    json_t *arr = json_array();
    for (size_t i = 0; i < k; i++) json_array_append_new(arr, rows[i]);
    free(rows);
    return http_respond_json(req, 200, json_pack("{s:o,s:o,s:o,s:o}", "cameras", arr, "disk", disk_health(ctx, cat),
                                                 "province", province_health(cat), "time",
                                                 api_time(ww_wall_us())));
}

int api_health_register(struct http_server *srv, const struct api_ctx *ctx)
{
    return http_route(srv, "GET", "/api/v1/health", h_health, (void *)ctx, 0);
}
