/*
 * onvif: the pure parts of talking to ONVIF cameras — the WS-Security
 * UsernameToken PasswordDigest, and parsers for the SOAP answers wardwatch
 * reads (WS-Discovery ProbeMatches, media GetProfiles, SOAP faults).
 *
 * Uses base only.  XML goes through libxml2's real parser with the ONVIF
 * namespaces registered for XPath; never string scanning.  Parsing is done
 * with XML_PARSE_NONET and without XML_PARSE_NOENT, so a hostile document
 * can neither fetch anything nor expand external entities.
 *
 * Threads: every function is reentrant (no shared state; libxml2 is
 * initialised once by ww_onvif_init, which is idempotent and thread-safe).
 * Memory: results live in caller-owned fixed-size structs; nothing here
 * returns heap memory.  Strings that would not fit are truncated only
 * where said (scopes); an XAddr or URI that does not fit is an error.
 */
#ifndef WW_ONVIF_H
#define WW_ONVIF_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define WW_ONVIF_MAX_MATCHES 32
#define WW_ONVIF_MAX_PROFILES 16
#define WW_ONVIF_STR 256
#define WW_ONVIF_URI 1024

/* Initialise libxml2 once (safe to call many times). */
void ww_onvif_init(void);

/* PasswordDigest = Base64(SHA1(nonce + created + password)), where nonce is
 * the raw nonce bytes (not its Base64 form).  out gets a NUL-terminated
 * Base64 string (28 chars).  Returns 0, or -EINVAL on bad arguments or
 * -ENOSPC when outsz < 29. */
int ww_onvif_digest(const uint8_t *nonce, size_t nonce_len, const char *created,
                    const char *password, char *out, size_t outsz);

/* One WS-Discovery ProbeMatch.  name/hardware/location are the decoded
 * onvif://www.onvif.org/{name,hardware,location}/ scopes ("" if absent). */
struct ww_onvif_match {
    char endpoint[WW_ONVIF_STR];  /* EndpointReference/Address (urn:uuid:...) */
    char xaddrs[WW_ONVIF_URI];    /* space-separated device service URLs */
    char scopes[WW_ONVIF_URI];    /* raw Scopes list, truncated if longer */
    char name[WW_ONVIF_STR];
    char hardware[WW_ONVIF_STR];
    char location[WW_ONVIF_STR];
};

/* Parse one ProbeMatches datagram and append its matches to out[*n..cap),
 * skipping any whose endpoint is already there (cameras answer a probe more
 * than once).  Returns the number added (>= 0), or WW_EINVAL when the
 * document does not parse or is not a ProbeMatches envelope. */
int ww_onvif_parse_probe_matches(const char *xml, size_t len,
                                 struct ww_onvif_match *out, size_t *n, size_t cap);

/* One media profile from GetProfilesResponse. */
struct ww_onvif_profile {
    char token[WW_ONVIF_STR];
    char name[WW_ONVIF_STR];
    char encoding[32];            /* H264, H265, JPEG... ("" if none) */
    int width, height;            /* 0 when the profile has no video encoder */
};

/* Parse GetProfilesResponse into out[0..cap).  Returns the number of
 * profiles (>= 0), or WW_EINVAL when it does not parse / is not one. */
int ww_onvif_parse_profiles(const char *xml, size_t len,
                            struct ww_onvif_profile *out, size_t cap);

/* Indexes of the main (largest width*height) and sub (smallest) profiles
 * among those with video; *sub = -1 when fewer than two have video, *main_i
 * = -1 when none has.  Ties keep the earlier profile. */
void ww_onvif_pick_main_sub(const struct ww_onvif_profile *p, size_t n,
                            int *main_i, int *sub);

/* The namespace of the ONVIF media service (ver10) wardwatch talks to. */
#define WW_ONVIF_NS_MEDIA "http://www.onvif.org/ver10/media/wsdl"

/* Parse a device GetServicesResponse and copy the XAddr of the service whose
 * Namespace is ns (compared after trimming white space) into out.  Returns
 * 0; WW_ENOTFOUND when the answer lists no such service (or its XAddr is
 * empty); -ENOSPC when the XAddr does not fit; WW_EINVAL when the document
 * does not parse or is not a GetServicesResponse. */
int ww_onvif_parse_services(const char *xml, size_t len, const char *ns, char *out,
                            size_t outsz);

/* If xml is a SOAP fault, return 1 and copy its subcode/code local name
 * (e.g. "NotAuthorized") into code and its Reason text into reason; return
 * 0 when it is not a fault, WW_EINVAL when it does not parse. */
int ww_onvif_parse_fault(const char *xml, size_t len, char *code, size_t codesz,
                         char *reason, size_t reasonsz);

#endif

/* ---- WS-Discovery (SOAP-over-UDP) ---------------------------------------
 * Send one Probe for NetworkVideoTransmitter devices to target
 * ("HOST:PORT", unicast) or, when target is NULL, to the multicast group
 * 239.255.255.250:3702, then collect ProbeMatches for wait_ms (bounded:
 * 1..60000) into out[0..cap), de-duplicated by endpoint.  Datagrams that do
 * not parse, or answer another probe (RelatesTo), are ignored.  Returns the
 * number of devices, or -errno / WW_EINVAL (bad target). */
int ww_onvif_discover(const char *target, int wait_ms, struct ww_onvif_match *out,
                      size_t cap);

/* ---- device/media SOAP client (libcurl) ---------------------------------
 * ww_onvif_read_device: GetSystemDateAndTime (unauthenticated; the camera's
 * clock skew against ours), then with a UsernameToken whose Created follows
 * the camera's clock: GetDeviceInformation, GetServices for the media
 * service's XAddr — or, when GetServices fails or names no media service
 * (older cameras: a fault, HTTP 400/500), GetCapabilities (Media) — whose
 * host:port is replaced by base_url's, as cameras behind NAT name a private
 * address; a refused password or an unreachable camera is not retried
 * through GetCapabilities.  Then GetProfiles, GetStreamUri (RTP-Unicast/RTSP) for main
 * and sub, GetSnapshotUri for main.  URIs come back without user:pass@.
 * base_url is http://HOST[:PORT][/path] (no path: /onvif/device_service).
 * Every request is bounded (connect 3 s, total timeout_ms).
 * Returns 0; WW_EAUTH when the camera refused the user name or password;
 * -ECONNREFUSED/-ETIMEDOUT/-EHOSTUNREACH when it cannot be reached;
 * WW_EINVAL for an answer that does not parse.  err gets a one-line
 * description in every failure case. */
struct ww_onvif_device {
    char manufacturer[WW_ONVIF_STR], model[WW_ONVIF_STR];
    char firmware[WW_ONVIF_STR], serial[WW_ONVIF_STR];
    long skew_s;                               /* camera clock - ours */
    struct ww_onvif_profile profiles[WW_ONVIF_MAX_PROFILES];
    int nprofiles, main_i, sub_i;              /* sub_i -1: no sub */
    char main_uri[WW_ONVIF_URI], sub_uri[WW_ONVIF_URI], snapshot_uri[WW_ONVIF_URI];
    char media_xaddr[WW_ONVIF_URI];            /* after the host:port rewrite */
    const char *media_via;                     /* "GetServices" or "GetCapabilities" */
};

int ww_onvif_read_device(const char *base_url, const char *user, const char *password,
                         int timeout_ms, struct ww_onvif_device *out, char *err, size_t errsz);
