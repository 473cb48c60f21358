/*
 * fuzz_onvif.c — an answer from a camera (or anyone on the LAN, for
 * WS-Discovery): the ProbeMatches, GetProfiles and SOAP fault parsers, and
 * the main/sub choice over what GetProfiles gave.  Checks the invariants
 * onvif.h states: counts within capacity, strings terminated, main/sub in
 * range and sub never main.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "onvif/onvif.h"

static void terminated(const char *s, size_t cap)
{
    if (!memchr(s, '\0', cap)) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *xml = (const char *)data;
    static struct ww_onvif_match m[4];
    size_t n = 0;
    int rc = ww_onvif_parse_probe_matches(xml, size, m, &n, 4);
    if (rc != WW_EINVAL && (rc < 0 || (size_t)rc != n || n > 4)) abort();
    for (size_t i = 0; i < n; i++) {
        terminated(m[i].endpoint, sizeof m[i].endpoint);
        terminated(m[i].xaddrs, sizeof m[i].xaddrs);
        terminated(m[i].name, sizeof m[i].name);
        if (!m[i].endpoint[0] || !m[i].xaddrs[0]) abort();
    }
    static struct ww_onvif_profile p[WW_ONVIF_MAX_PROFILES];
    int np = ww_onvif_parse_profiles(xml, size, p, WW_ONVIF_MAX_PROFILES);
    if (np != WW_EINVAL && (np < 0 || np > WW_ONVIF_MAX_PROFILES)) abort();
    if (np > 0) {
        int mi, si;
        ww_onvif_pick_main_sub(p, (size_t)np, &mi, &si);
        if (mi < -1 || mi >= np || si < -1 || si >= np || (si >= 0 && si == mi)) abort();
        if (si >= 0 && mi < 0) abort();
    }
    char code[64], reason[128];
    int f = ww_onvif_parse_fault(xml, size, code, sizeof code, reason, sizeof reason);
    if (f != 0 && f != 1 && f != WW_EINVAL) abort();
    terminated(code, sizeof code);
    terminated(reason, sizeof reason);
    return 0;
}
