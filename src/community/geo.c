/*
 * geo.c — distances on the Earth for "what was seen here".
 *
 * Haversine on a sphere of the mean Earth radius: within a ward (hundreds
 * of metres) its error against the ellipsoid is a few parts per thousand —
 * far below how well a camera's position is known.  The bounding box is a
 * cheap superset for the catalog's first cut; the exact test is the
 * distance.
 */
#include "community/community.h"

#include <math.h>

#define EARTH_R 6371008.8
#define DEG (M_PI / 180.0)

double community_distance_m(double lat1, double lon1, double lat2, double lon2)
{
    double p1 = lat1 * DEG, p2 = lat2 * DEG;
    double dp = (lat2 - lat1) * DEG, dl = (lon2 - lon1) * DEG;
    double a = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);
    if (a > 1) a = 1;
    return 2 * EARTH_R * asin(sqrt(a));
}

void community_bbox(double lat, double lon, double radius_m, double *lat_lo, double *lat_hi,
                    double *lon_lo, double *lon_hi)
{
    /* 1 % margin so rounding never cuts a camera right at the edge */
    double dlat = radius_m * 1.01 / EARTH_R / DEG;
    *lat_lo = lat - dlat;
    *lat_hi = lat + dlat;
    double c = cos((fabs(lat) + dlat) * DEG);
    if (*lat_hi >= 90 || *lat_lo <= -90 || c < 1e-6) {
        *lon_lo = -180;
        *lon_hi = 180;
        return;
    }
    double dlon = dlat / c;
    *lon_lo = lon - dlon;
    *lon_hi = lon + dlon;
    if (*lon_lo < -180 || *lon_hi > 180) { /* crosses the antimeridian: no cut */
        *lon_lo = -180;
        *lon_hi = 180;
    }
}
