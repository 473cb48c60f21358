/*
 * province/pgread.c — the SQL of the province console's newer views (the
 * criteria matrix, events search, the map, the review's ward check).  The
 * statements live here rather than in pgstore.c so the subscriber's file
 * stays the subscriber's; pgstore.c still owns the connection and runs them
 * (prov_pg_read_sql).  Every query builds its JSON in PostgreSQL and takes
 * the station filter web.c's view() decided: NULL = every station.
 *
 * Replicated data is a station's JSON as it sent it, so the queries never
 * cast a field of it (a cast of a bad value would fail the whole answer for
 * every station): they compare jsonb with jsonb — numbers order as numbers,
 * and a field of another type falls outside any numeric range.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "province/province.h"

int prov_pg_read_criteria(prov_pg *pg, const char *station, int year, json_t **out)
{
    char y[16];
    snprintf(y, sizeof y, "%d", year);
    const char *p[] = {station, y};
    /* the current state of (ward, criterion, side) is its assessment with the
     * highest id (the station's assessments are an append-only log);
     * assessments sent before 052 carry no criterion number: counted, not placed */
    return prov_pg_read_sql(
        pg,
        "WITH a AS (SELECT DISTINCT ON (r.station, r.data->>'ward_id', r.data->'criterion', r.data->>'side')"
        "  r.station, r.data->>'ward_id' AS ward_id, r.data->'criterion' AS num,"
        "  r.data->>'criterion_title' AS title, r.data->>'side' AS side, r.data->>'result' AS result,"
        "  r.data->>'assessor' AS assessor, r.data->>'assessed_on' AS assessed_on,"
        "  r.data->>'notes' AS notes, r.data->'at_us' AS at_us"
        " FROM rows r WHERE r.entity = 'assessment' AND NOT r.deleted AND r.data->'year' = to_jsonb($2::int)"
        "  AND jsonb_typeof(r.data->'criterion') = 'number' AND r.data->>'side' IN ('self', 'review')"
        "  AND ($1::text IS NULL OR r.station = $1)"
        " ORDER BY r.station, r.data->>'ward_id', r.data->'criterion', r.data->>'side', r.data->'id' DESC),"
        " w AS (SELECT r.station, s.name AS station_name, r.id AS ward_id, r.data->>'name' AS ward"
        "  FROM rows r JOIN stations s ON s.id = r.station"
        "  WHERE r.entity = 'ward' AND NOT r.deleted AND s.enrolled_at IS NOT NULL"
        "  AND ($1::text IS NULL OR r.station = $1))"
        " SELECT json_build_object('year', $2::int,"
        "  'criteria', (SELECT coalesce(json_agg(json_build_object('num', num, 'title', title) ORDER BY num), '[]')"
        "   FROM (SELECT num, min(title) AS title FROM a GROUP BY num) c),"
        "  'wards', (SELECT coalesce(json_agg(json_build_object('station', w.station, 'station_name',"
        "    w.station_name, 'ward_id', w.ward_id, 'ward', w.ward, 'cells', (SELECT coalesce(json_object_agg("
        "     x.num, x.sides), '{}') FROM (SELECT a.num::text AS num, json_object_agg(a.side, json_build_object("
        "      'result', a.result, 'assessor', a.assessor, 'assessed_on', a.assessed_on, 'notes', a.notes,"
        "      'at_us', a.at_us)) AS sides FROM a WHERE a.station = w.station AND a.ward_id = w.ward_id"
        "      GROUP BY a.num) x))"
        "    ORDER BY w.station_name, w.station, w.ward, w.ward_id), '[]') FROM w),"
        "  'unnumbered', (SELECT count(*) FROM rows r WHERE r.entity = 'assessment' AND NOT r.deleted"
        "   AND r.data->'year' = to_jsonb($2::int) AND jsonb_typeof(r.data->'criterion') IS DISTINCT FROM 'number'"
        "   AND ($1::text IS NULL OR r.station = $1)))::text",
        2, p, out);
}

int prov_pg_read_events(prov_pg *pg, const struct prov_event_query *q, json_t **out)
{
    char from[24], to[24], bus[24], lim[16];
    snprintf(from, sizeof from, "%" PRId64, q->from_us);
    snprintf(to, sizeof to, "%" PRId64, q->to_us);
    snprintf(bus, sizeof bus, "%" PRId64, q->before_us);
    snprintf(lim, sizeof lim, "%d", q->limit);
    const char *p[] = {q->station, q->camera, from, to, q->before_station ? bus : NULL, q->before_station,
                       q->before_id, lim};
    /* newest first; the keyset (start_us, station, id) pages without gaps or
     * repeats however many events share a start time (rows_event_start) */
    return prov_pg_read_sql(
        pg,
        "SELECT coalesce(json_agg(x ORDER BY x.start_us DESC, x.station DESC, x.id DESC), '[]')::text FROM ("
        " SELECT r.station, s.name AS station_name, r.id, r.data->'camera_id' AS camera_id,"
        "  c.data->>'name' AS camera_name, c.data->'ward_id' AS ward_id, w.data->>'name' AS ward,"
        "  r.data->'start_us' AS start_us, r.data->'end_us' AS end_us, r.data->'peak_us' AS peak_us,"
        "  r.data->'peak_score' AS peak_score, r.data->>'zone' AS zone"
        " FROM rows r JOIN stations s ON s.id = r.station"
        " LEFT JOIN rows c ON c.station = r.station AND c.entity = 'camera' AND c.id = r.data->>'camera_id'"
        "  AND NOT c.deleted"
        " LEFT JOIN rows w ON w.station = r.station AND w.entity = 'ward' AND w.id = c.data->>'ward_id'"
        "  AND NOT w.deleted"
        " WHERE r.entity = 'event' AND NOT r.deleted AND ($1::text IS NULL OR r.station = $1)"
        "  AND ($2::text IS NULL OR r.data->>'camera_id' = $2)"
        "  AND r.data->'start_us' >= to_jsonb($3::bigint) AND r.data->'start_us' < to_jsonb($4::bigint)"
        "  AND ($5::bigint IS NULL OR (r.data->'start_us', r.station, r.id) < (to_jsonb($5::bigint), $6::text, $7::text))"
        " ORDER BY r.data->'start_us' DESC, r.station DESC, r.id DESC LIMIT $8::int) x",
        8, p, out);
}

int prov_pg_read_map(prov_pg *pg, const char *station, json_t **out)
{
    const char *p[] = {station};
    /* every camera, with or without coordinates (the console counts those
     * it cannot place); the coordinates as the station sent them */
    return prov_pg_read_sql(
        pg,
        "SELECT coalesce(json_agg(x ORDER BY x.station, length(x.id), x.id), '[]')::text FROM ("
        " SELECT r.station, s.name AS station_name, r.id, r.data->>'name' AS name,"
        "  r.data->>'address' AS address, r.data->'ward_id' AS ward_id, w.data->>'name' AS ward,"
        "  coalesce(r.data->>'state', 'unknown') AS state, r.data->'state_since_us' AS state_since_us,"
        "  r.data->'enabled' AS enabled,"
        "  CASE WHEN jsonb_typeof(r.data->'latitude') = 'number' THEN r.data->'latitude' END AS latitude,"
        "  CASE WHEN jsonb_typeof(r.data->'longitude') = 'number' THEN r.data->'longitude' END AS longitude,"
        "  CASE WHEN jsonb_typeof(r.data->'direction_deg') = 'number' THEN r.data->'direction_deg' END"
        "   AS direction_deg"
        " FROM rows r JOIN stations s ON s.id = r.station"
        " LEFT JOIN rows w ON w.station = r.station AND w.entity = 'ward' AND w.id = r.data->>'ward_id'"
        "  AND NOT w.deleted"
        " WHERE r.entity = 'camera' AND NOT r.deleted AND ($1::text IS NULL OR r.station = $1)) x",
        1, p, out);
}

int prov_pg_ward_known(prov_pg *pg, const char *station, int64_t ward_id, bool *known)
{
    char w[24];
    snprintf(w, sizeof w, "%" PRId64, ward_id);
    const char *p[] = {station, w};
    json_t *v = NULL;
    int rc = prov_pg_read_sql(pg,
                              "SELECT to_json(EXISTS (SELECT 1 FROM rows WHERE station = $1 AND entity = 'ward'"
                              " AND id = $2 AND NOT deleted))::text",
                              2, p, &v);
    if (rc) return rc;
    *known = json_is_true(v);
    json_decref(v);
    return 0;
}
