/* onvif: the SOAP device/media client (see onvif.h). */
#include "onvif/onvif.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "base/base.h"

struct buf { char *p; size_t n; };

static size_t on_data(char *d, size_t sz, size_t nm, void *u)
{
    struct buf *b = u;
    size_t add = sz * nm;
    if (b->n + add > (1u << 20)) return 0; /* 1 MiB is far beyond any answer */
    char *np = realloc(b->p, b->n + add + 1);
    if (!np) return 0;
    memcpy(np + b->n, d, add);
    b->p = np;
    b->n += add;
    b->p[b->n] = '\0';
    return add;
}

static const char ENV_OPEN[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><s:Envelope"
    " xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\""
    " xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\""
    " xmlns:trt=\"http://www.onvif.org/ver10/media/wsdl\""
    " xmlns:tt=\"http://www.onvif.org/ver10/schema\""
    " xmlns:wsse=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd\""
    " xmlns:wsu=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd\">";

/* s with & < > " ' as entities, into out; -ENOSPC when it does not fit.
 * User names and profile tokens go back into our XML this way. */
static int xml_escape(const char *s, char *out, size_t outsz)
{
    size_t o = 0;
    for (; *s; s++) {
        const char *r = NULL;
        switch (*s) {
        case '&': r = "&amp;"; break;
        case '<': r = "&lt;"; break;
        case '>': r = "&gt;"; break;
        case '"': r = "&quot;"; break;
        case '\'': r = "&apos;"; break;
        }
        size_t l = r ? strlen(r) : 1;
        if (o + l >= outsz) return -ENOSPC;
        memcpy(out + o, r ? r : s, l);
        o += l;
    }
    out[o] = '\0';
    return 0;
}

struct sess {
    const char *user, *pass;
    long skew;
    int timeout_ms;
    char *err;
    size_t errsz;
    const char *host; /* for messages */
};

/* POST body to url; *out gets the answer (caller frees).  Maps transport
 * failures and NotAuthorized faults to the codes in onvif.h. */
static int soap_call(struct sess *s, const char *url, const char *body, bool auth, char **out)
{
    char hdr[2048] = "";
    if (auth) {
        uint8_t nonce[16];
        if (RAND_bytes(nonce, sizeof nonce) != 1) return -EIO;
        char nonce64[32], created[32], digest[32];
        EVP_EncodeBlock((unsigned char *)nonce64, nonce, sizeof nonce);
        /* Created follows the camera's clock: a camera off by minutes
         * rejects a token "from the future/past" otherwise */
        time_t t = time(NULL) + s->skew;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
        int rc = ww_onvif_digest(nonce, sizeof nonce, created, s->pass, digest, sizeof digest);
        if (rc) return rc;
        char user[512];
        if (xml_escape(s->user, user, sizeof user)) return WW_EINVAL;
        snprintf(hdr, sizeof hdr,
                 "<wsse:Security s:mustUnderstand=\"1\"><wsse:UsernameToken>"
                 "<wsse:Username>%s</wsse:Username><wsse:Password Type=\"http://docs.oasis-open.org/wss/"
                 "2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest\">%s</wsse:Password>"
                 "<wsse:Nonce EncodingType=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-"
                 "message-security-1.0#Base64Binary\">%s</wsse:Nonce><wsu:Created>%s</wsu:Created>"
                 "</wsse:UsernameToken></wsse:Security>", user, digest, nonce64, created);
    }
    char *msg = ww_asprintf("%s<s:Header>%s</s:Header><s:Body>%s</s:Body></s:Envelope>", ENV_OPEN,
                            hdr, body);
    CURL *c = curl_easy_init();
    if (!c || !msg) { free(msg); if (c) curl_easy_cleanup(c); return -ENOMEM; }
    struct buf b = {0};
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/soap+xml; charset=utf-8");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, msg);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)s->timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    CURLcode cc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    explicit_bzero(msg, strlen(msg));
    free(msg);
    if (cc != CURLE_OK) {
        free(b.p);
        snprintf(s->err, s->errsz, "cannot reach the camera at %s: %s", s->host, curl_easy_strerror(cc));
        return cc == CURLE_OPERATION_TIMEDOUT ? -ETIMEDOUT : -ECONNREFUSED;
    }
    char code[64], reason[256];
    int f = b.p ? ww_onvif_parse_fault(b.p, b.n, code, sizeof code, reason, sizeof reason) : WW_EINVAL;
    if (f == 1) {
        free(b.p);
        if (!strcmp(code, "NotAuthorized") || status == 401) {
            snprintf(s->err, s->errsz, "the camera at %s refused the user name or password (%s)", s->host,
                     reason[0] ? reason : code);
            return WW_EAUTH;
        }
        snprintf(s->err, s->errsz, "the camera at %s answered a fault: %s %s", s->host, code, reason);
        return WW_EINVAL;
    }
    if (status == 401) {
        free(b.p);
        snprintf(s->err, s->errsz, "the camera at %s refused the user name or password (HTTP 401)", s->host);
        return WW_EAUTH;
    }
    if (f != 0 || status != 200) {
        free(b.p);
        snprintf(s->err, s->errsz, "the camera at %s gave an answer that is not ONVIF (HTTP %ld)", s->host,
                 status);
        return WW_EINVAL;
    }
    *out = b.p;
    return 0;
}

/* The string value of expr (namespaces s/tds/trt/tt) in xml, into out. */
static int xml_get(const char *xml, const char *expr, char *out, size_t outsz)
{
    out[0] = '\0';
    xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "soap.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc) return WW_EINVAL;
    xmlXPathContextPtr x = xmlXPathNewContext(doc);
    int rc = WW_ENOTFOUND;
    if (x) {
        xmlXPathRegisterNs(x, (const xmlChar *)"s", (const xmlChar *)"http://www.w3.org/2003/05/soap-envelope");
        xmlXPathRegisterNs(x, (const xmlChar *)"tds", (const xmlChar *)"http://www.onvif.org/ver10/device/wsdl");
        xmlXPathRegisterNs(x, (const xmlChar *)"trt", (const xmlChar *)"http://www.onvif.org/ver10/media/wsdl");
        xmlXPathRegisterNs(x, (const xmlChar *)"tt", (const xmlChar *)"http://www.onvif.org/ver10/schema");
        xmlXPathObjectPtr r = xmlXPathEvalExpression((const xmlChar *)expr, x);
        if (r && r->nodesetval && r->nodesetval->nodeNr > 0) {
            xmlChar *v = xmlNodeGetContent(r->nodesetval->nodeTab[0]);
            if (v && strlen((const char *)v) < outsz) {
                const char *p = (const char *)v;
                while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') p++;
                snprintf(out, outsz, "%s", p);
                size_t n = strlen(out);
                while (n && (out[n - 1] == ' ' || out[n - 1] == '\n' || out[n - 1] == '\t' || out[n - 1] == '\r'))
                    out[--n] = '\0';
                rc = 0;
            }
            xmlFree(v);
        }
        xmlXPathFreeObject(r);
        xmlXPathFreeContext(x);
    }
    xmlFreeDoc(doc);
    return rc;
}

static int xml_int(const char *xml, const char *expr, int *v)
{
    char b[16], *e;
    if (xml_get(xml, expr, b, sizeof b)) return WW_EINVAL;
    long l = strtol(b, &e, 10);
    if (*e || e == b || l < 0 || l > 9999) return WW_EINVAL;
    *v = (int)l;
    return 0;
}

/* scheme://[user[:pass]@]host... → scheme://host... in place */
static void strip_userinfo(char *u)
{
    char *s = strstr(u, "://");
    if (!s) return;
    s += 3;
    char *end = s + strcspn(s, "/?#");
    char *at = memchr(s, '@', (size_t)(end - s));
    if (at) memmove(s, at + 1, strlen(at + 1) + 1);
}

/* Replace uri's host[:port] with authority (from the user's URL). */
static void rewrite_authority(char *uri, size_t sz, const char *authority)
{
    char *s = strstr(uri, "://");
    if (!s) return;
    s += 3;
    char *end = s + strcspn(s, "/?#");
    char tail[WW_ONVIF_URI];
    snprintf(tail, sizeof tail, "%s", end);
    size_t pre = (size_t)(s - uri);
    snprintf(uri + pre, sz - pre, "%s%s", authority, tail);
}

/* The media service's XAddr into d->media_xaddr: GetServices (ONVIF 2.0
 * and later), else GetCapabilities, which older cameras know only.  A
 * refused password or an unreachable camera ends the search: asking again
 * another way would only say the same. */
static int find_media(struct sess *s, const char *dev_url, struct ww_onvif_device *d)
{
    char *a = NULL;
    int rc = soap_call(s, dev_url, "<tds:GetServices><tds:IncludeCapability>false</tds:IncludeCapability>"
                                   "</tds:GetServices>", true, &a);
    if (rc == WW_EAUTH || rc == -ETIMEDOUT || rc == -ECONNREFUSED || rc == -ENOMEM || rc == -EIO)
        return rc;
    if (rc == 0) {
        rc = ww_onvif_parse_services(a, strlen(a), WW_ONVIF_NS_MEDIA, d->media_xaddr, WW_ONVIF_URI);
        free(a);
        if (rc == 0) { d->media_via = "GetServices"; return 0; }
    }
    s->err[0] = '\0'; /* a GetServices fault is no error while GetCapabilities answers */
    rc = soap_call(s, dev_url, "<tds:GetCapabilities><tds:Category>Media</tds:Category></tds:GetCapabilities>",
                   true, &a);
    if (rc) return rc;
    rc = xml_get(a, "//tt:Media/tt:XAddr", d->media_xaddr, WW_ONVIF_URI);
    free(a);
    if (rc || !d->media_xaddr[0]) {
        snprintf(s->err, s->errsz, "the camera at %s names no media service", s->host);
        return WW_EINVAL;
    }
    d->media_via = "GetCapabilities";
    return 0;
}

int ww_onvif_read_device(const char *base_url, const char *user, const char *password,
                         int timeout_ms, struct ww_onvif_device *d, char *err, size_t errsz)
{
    assert(base_url && user && password && d && err && errsz);
    ww_onvif_init();
    memset(d, 0, sizeof *d);
    d->main_i = d->sub_i = -1;
    err[0] = '\0';
    if (strncmp(base_url, "http://", 7) && strncmp(base_url, "https://", 8)) {
        snprintf(err, errsz, "--onvif wants http://HOST[:PORT], not '%s'", base_url);
        return WW_EINVAL;
    }
    const char *auth0 = strstr(base_url, "://") + 3;
    char authority[256];
    size_t al = strcspn(auth0, "/?#");
    if (al == 0 || al >= sizeof authority) { snprintf(err, errsz, "no host in '%s'", base_url); return WW_EINVAL; }
    memcpy(authority, auth0, al);
    authority[al] = '\0';
    char dev_url[WW_ONVIF_URI];
    snprintf(dev_url, sizeof dev_url, "%s%s", base_url, auth0[al] ? "" : "/onvif/device_service");
    struct sess s = {user, password, 0, timeout_ms, err, errsz, authority};
    char *a = NULL;
    int rc = soap_call(&s, dev_url, "<tds:GetSystemDateAndTime/>", false, &a);
    if (rc) return rc;
    struct tm tm = {0};
    const char *p = "/s:Envelope/s:Body/tds:GetSystemDateAndTimeResponse/tds:SystemDateAndTime/tt:UTCDateTime/";
    char e[256];
    int Y, Mo, D, h, mi, se;
#define GET(f, v) (snprintf(e, sizeof e, "%s%s", p, f), xml_int(a, e, &v))
    if (GET("tt:Date/tt:Year", Y) || GET("tt:Date/tt:Month", Mo) || GET("tt:Date/tt:Day", D) ||
        GET("tt:Time/tt:Hour", h) || GET("tt:Time/tt:Minute", mi) || GET("tt:Time/tt:Second", se)) {
#undef GET
        /* no UTC time: go on without a skew correction */
        d->skew_s = 0;
    } else {
        tm.tm_year = Y - 1900; tm.tm_mon = Mo - 1; tm.tm_mday = D;
        tm.tm_hour = h; tm.tm_min = mi; tm.tm_sec = se;
        d->skew_s = (long)(timegm(&tm) - time(NULL));
    }
    free(a);
    s.skew = d->skew_s;

    if ((rc = soap_call(&s, dev_url, "<tds:GetDeviceInformation/>", true, &a))) return rc;
    const char *di = "/s:Envelope/s:Body/tds:GetDeviceInformationResponse/";
    snprintf(e, sizeof e, "%stds:Manufacturer", di); (void)xml_get(a, e, d->manufacturer, sizeof d->manufacturer);
    snprintf(e, sizeof e, "%stds:Model", di); (void)xml_get(a, e, d->model, sizeof d->model);
    snprintf(e, sizeof e, "%stds:FirmwareVersion", di); (void)xml_get(a, e, d->firmware, sizeof d->firmware);
    snprintf(e, sizeof e, "%stds:SerialNumber", di); (void)xml_get(a, e, d->serial, sizeof d->serial);
    free(a);

    char *media = d->media_xaddr;
    if ((rc = find_media(&s, dev_url, d))) return rc;
    rewrite_authority(media, WW_ONVIF_URI, authority);

    if ((rc = soap_call(&s, media, "<trt:GetProfiles/>", true, &a))) return rc;
    d->nprofiles = ww_onvif_parse_profiles(a, strlen(a), d->profiles, WW_ONVIF_MAX_PROFILES);
    free(a);
    if (d->nprofiles < 0) { snprintf(err, errsz, "the camera at %s gave unreadable profiles", authority); return WW_EINVAL; }
    ww_onvif_pick_main_sub(d->profiles, (size_t)d->nprofiles, &d->main_i, &d->sub_i);
    if (d->main_i < 0) { snprintf(err, errsz, "the camera at %s has no video profile", authority); return WW_EINVAL; }

    struct { int i; char *out; const char *op; } want[] = {
        {d->main_i, d->main_uri, "GetStreamUri"}, {d->sub_i, d->sub_uri, "GetStreamUri"},
        {d->main_i, d->snapshot_uri, "GetSnapshotUri"}};
    for (size_t k = 0; k < 3; k++) {
        if (want[k].i < 0) continue;
        char body[4096], tok[WW_ONVIF_STR * 6];
        if (xml_escape(d->profiles[want[k].i].token, tok, sizeof tok)) return WW_EINVAL;
        bool stream = !strcmp(want[k].op, "GetStreamUri");
        snprintf(body, sizeof body, "<trt:%s>%s<trt:ProfileToken>%s</trt:ProfileToken></trt:%s>", want[k].op,
                 stream ? "<trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream><tt:Transport><tt:Protocol>RTSP"
                          "</tt:Protocol></tt:Transport></trt:StreamSetup>" : "",
                 tok, want[k].op);
        rc = soap_call(&s, media, body, true, &a);
        if (rc && stream) return rc;
        if (rc) { err[0] = '\0'; continue; } /* snapshot is optional */
        snprintf(e, sizeof e, "/s:Envelope/s:Body/trt:%sResponse/trt:MediaUri/tt:Uri", want[k].op);
        rc = xml_get(a, e, want[k].out, WW_ONVIF_URI);
        free(a);
        if (rc && stream) { snprintf(err, errsz, "the camera at %s gave no stream URI", authority); return WW_EINVAL; }
        strip_userinfo(want[k].out);
    }
    return 0;
}
