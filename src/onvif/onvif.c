/* onvif: digest and SOAP answer parsers (see onvif.h). */
#include "onvif/onvif.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <openssl/evp.h>

#include "base/base.h"

static pthread_once_t onvif_once = PTHREAD_ONCE_INIT;

static void onvif_init_once(void) { xmlInitParser(); }

void ww_onvif_init(void) { pthread_once(&onvif_once, onvif_init_once); }

int ww_onvif_digest(const uint8_t *nonce, size_t nonce_len, const char *created,
                    const char *password, char *out, size_t outsz)
{
    if (!nonce || !created || !password || !out)
        return -EINVAL;
    if (outsz < 29)
        return -ENOSPC;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx)
        return -ENOMEM;
    int ok = EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) &&
             EVP_DigestUpdate(ctx, nonce, nonce_len) &&
             EVP_DigestUpdate(ctx, created, strlen(created)) &&
             EVP_DigestUpdate(ctx, password, strlen(password)) &&
             EVP_DigestFinal_ex(ctx, md, &mdlen);
    EVP_MD_CTX_free(ctx);
    if (!ok || mdlen != 20)
        return -EIO;
    EVP_EncodeBlock((unsigned char *)out, md, (int)mdlen);
    return 0;
}

/* ---- XML plumbing ---------------------------------------------------- */

static const struct { const char *prefix, *uri; } onvif_ns[] = {
    {"s", "http://www.w3.org/2003/05/soap-envelope"},
    {"d", "http://schemas.xmlsoap.org/ws/2005/04/discovery"},
    {"a", "http://schemas.xmlsoap.org/ws/2004/08/addressing"},
    {"tt", "http://www.onvif.org/ver10/schema"},
    {"trt", "http://www.onvif.org/ver10/media/wsdl"},
    {"tds", "http://www.onvif.org/ver10/device/wsdl"},
};

/* Parse without network access, without entity substitution and without
 * DTD loading: a hostile answer gets an error, not a fetch or an expansion. */
static xmlDocPtr onvif_parse(const char *xml, size_t len)
{
    ww_onvif_init();
    if (!xml || len == 0 || len > 4u * 1024 * 1024)
        return NULL;
    return xmlReadMemory(xml, (int)len, "onvif.xml", NULL,
                         XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

static xmlXPathContextPtr onvif_xpath(xmlDocPtr doc)
{
    xmlXPathContextPtr x = xmlXPathNewContext(doc);
    if (!x)
        return NULL;
    for (size_t i = 0; i < sizeof onvif_ns / sizeof onvif_ns[0]; i++)
        xmlXPathRegisterNs(x, (const xmlChar *)onvif_ns[i].prefix,
                           (const xmlChar *)onvif_ns[i].uri);
    return x;
}

/* The trimmed string value of the first node expr selects under node, into
 * out.  Returns 0, WW_ENOTFOUND (no such node) or -ENOSPC (does not fit). */
static int onvif_text(xmlXPathContextPtr x, xmlNodePtr node, const char *expr,
                      char *out, size_t outsz)
{
    out[0] = '\0';
    x->node = node;
    xmlXPathObjectPtr r = xmlXPathEvalExpression((const xmlChar *)expr, x);
    if (!r)
        return WW_ENOTFOUND;
    int rc = WW_ENOTFOUND;
    if (r->nodesetval && r->nodesetval->nodeNr > 0) {
        xmlChar *s = xmlNodeGetContent(r->nodesetval->nodeTab[0]);
        const char *p = s ? (const char *)s : "";
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        size_t n = strlen(p);
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\n' ||
                     p[n - 1] == '\r'))
            n--;
        if (n < outsz) {
            memcpy(out, p, n);
            out[n] = '\0';
            rc = 0;
        } else {
            rc = -ENOSPC;
        }
        xmlFree(s);
    }
    xmlXPathFreeObject(r);
    return rc;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Percent-decode [s, s+n) into out (truncating to outsz-1). */
static void pct_decode(const char *s, size_t n, char *out, size_t outsz)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < outsz; i++) {
        int h, l;
        if (s[i] == '%' && i + 2 < n && (h = hexval(s[i + 1])) >= 0 &&
            (l = hexval(s[i + 2])) >= 0) {
            out[o++] = (char)(h * 16 + l);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
}

/* Pull name/hardware/location out of a space-separated scope list. */
static void decode_scopes(struct ww_onvif_match *m)
{
    static const char pfx[] = "onvif://www.onvif.org/";
    const char *p = m->scopes;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        const char *e = p;
        while (*e && *e != ' ' && *e != '\t' && *e != '\n')
            e++;
        size_t n = (size_t)(e - p);
        if (n > sizeof pfx - 1 && strncmp(p, pfx, sizeof pfx - 1) == 0) {
            const char *k = p + sizeof pfx - 1;
            size_t kn = n - (sizeof pfx - 1);
            struct { const char *key; char *dst; } f[] = {
                {"name/", m->name}, {"hardware/", m->hardware}, {"location/", m->location}};
            for (size_t i = 0; i < 3; i++) {
                size_t l = strlen(f[i].key);
                /* first scope of a kind wins; later ones (e.g. location/city
                 * after location/country) are left in scopes */
                if (kn > l && strncmp(k, f[i].key, l) == 0 && !f[i].dst[0])
                    pct_decode(k + l, kn - l, f[i].dst, WW_ONVIF_STR);
            }
        }
        p = e;
    }
}

int ww_onvif_parse_probe_matches(const char *xml, size_t len,
                                 struct ww_onvif_match *out, size_t *n, size_t cap)
{
    assert(n && *n <= cap);
    xmlDocPtr doc = onvif_parse(xml, len);
    if (!doc)
        return WW_EINVAL;
    xmlXPathContextPtr x = onvif_xpath(doc);
    int rc = WW_EINVAL;
    xmlXPathObjectPtr r = NULL;
    if (!x)
        goto done;
    r = xmlXPathEvalExpression(
        (const xmlChar *)"/s:Envelope/s:Body/d:ProbeMatches/d:ProbeMatch", x);
    if (!r || !r->nodesetval) {
        /* an empty ProbeMatches is fine; anything else is not an answer */
        x->node = xmlDocGetRootElement(doc);
        xmlXPathObjectPtr pm = xmlXPathEvalExpression(
            (const xmlChar *)"/s:Envelope/s:Body/d:ProbeMatches", x);
        rc = (pm && pm->nodesetval && pm->nodesetval->nodeNr > 0) ? 0 : WW_EINVAL;
        xmlXPathFreeObject(pm);
        goto done;
    }
    rc = 0;
    for (int i = 0; i < r->nodesetval->nodeNr && *n < cap; i++) {
        xmlNodePtr node = r->nodesetval->nodeTab[i];
        struct ww_onvif_match m;
        memset(&m, 0, sizeof m);
        if (onvif_text(x, node, "a:EndpointReference/a:Address", m.endpoint,
                       sizeof m.endpoint) != 0 ||
            onvif_text(x, node, "d:XAddrs", m.xaddrs, sizeof m.xaddrs) != 0 ||
            !m.endpoint[0] || !m.xaddrs[0])
            continue; /* a match without address or endpoint is useless */
        int src = onvif_text(x, node, "d:Scopes", m.scopes, sizeof m.scopes);
        if (src == -ENOSPC) {
            /* keep the first part of an over-long list */
            xmlChar *s = NULL;
            x->node = node;
            xmlXPathObjectPtr so = xmlXPathEvalExpression((const xmlChar *)"d:Scopes", x);
            if (so && so->nodesetval && so->nodesetval->nodeNr > 0)
                s = xmlNodeGetContent(so->nodesetval->nodeTab[0]);
            if (s)
                snprintf(m.scopes, sizeof m.scopes, "%s", (const char *)s);
            xmlFree(s);
            xmlXPathFreeObject(so);
        }
        decode_scopes(&m);
        bool dup = false;
        for (size_t j = 0; j < *n; j++)
            if (strcmp(out[j].endpoint, m.endpoint) == 0)
                dup = true;
        if (dup)
            continue;
        out[(*n)++] = m;
        rc++;
    }
done:
    xmlXPathFreeObject(r);
    xmlXPathFreeContext(x);
    xmlFreeDoc(doc);
    return rc;
}

int ww_onvif_parse_profiles(const char *xml, size_t len,
                            struct ww_onvif_profile *out, size_t cap)
{
    xmlDocPtr doc = onvif_parse(xml, len);
    if (!doc)
        return WW_EINVAL;
    xmlXPathContextPtr x = onvif_xpath(doc);
    int rc = WW_EINVAL;
    xmlXPathObjectPtr r = NULL, resp = NULL;
    if (!x)
        goto done;
    resp = xmlXPathEvalExpression(
        (const xmlChar *)"/s:Envelope/s:Body/trt:GetProfilesResponse", x);
    if (!resp || !resp->nodesetval || resp->nodesetval->nodeNr == 0)
        goto done;
    r = xmlXPathEvalExpression(
        (const xmlChar *)"/s:Envelope/s:Body/trt:GetProfilesResponse/trt:Profiles", x);
    rc = 0;
    if (!r || !r->nodesetval)
        goto done;
    for (int i = 0; i < r->nodesetval->nodeNr && (size_t)rc < cap; i++) {
        xmlNodePtr node = r->nodesetval->nodeTab[i];
        struct ww_onvif_profile p;
        memset(&p, 0, sizeof p);
        xmlChar *tok = xmlGetProp(node, (const xmlChar *)"token");
        if (!tok || !tok[0] || strlen((const char *)tok) >= sizeof p.token) {
            xmlFree(tok);
            continue; /* GetStreamUri needs the token */
        }
        memcpy(p.token, tok, strlen((const char *)tok) + 1);
        xmlFree(tok);
        (void)onvif_text(x, node, "tt:Name", p.name, sizeof p.name);
        (void)onvif_text(x, node, "tt:VideoEncoderConfiguration/tt:Encoding",
                         p.encoding, sizeof p.encoding);
        char w[16], h[16];
        if (onvif_text(x, node, "tt:VideoEncoderConfiguration/tt:Resolution/tt:Width",
                       w, sizeof w) == 0 &&
            onvif_text(x, node, "tt:VideoEncoderConfiguration/tt:Resolution/tt:Height",
                       h, sizeof h) == 0) {
            char *e1, *e2;
            long wl = strtol(w, &e1, 10), hl = strtol(h, &e2, 10);
            if (!*e1 && !*e2 && wl > 0 && hl > 0 && wl <= 65535 && hl <= 65535) {
                p.width = (int)wl;
                p.height = (int)hl;
            }
        }
        out[rc++] = p;
    }
done:
    xmlXPathFreeObject(r);
    xmlXPathFreeObject(resp);
    xmlXPathFreeContext(x);
    xmlFreeDoc(doc);
    return rc;
}

void ww_onvif_pick_main_sub(const struct ww_onvif_profile *p, size_t n,
                            int *main_i, int *sub)
{
    *main_i = -1;
    *sub = -1;
    int lo = -1, video = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i].width <= 0 || p[i].height <= 0)
            continue;
        video++;
        long a = (long)p[i].width * p[i].height;
        if (*main_i < 0 || a > (long)p[*main_i].width * p[*main_i].height)
            *main_i = (int)i;
        if (lo < 0 || a < (long)p[lo].width * p[lo].height)
            lo = (int)i;
    }
    if (video >= 2 && lo != *main_i)
        *sub = lo;
}

int ww_onvif_parse_services(const char *xml, size_t len, const char *ns, char *out,
                            size_t outsz)
{
    assert(ns && out && outsz);
    out[0] = '\0';
    xmlDocPtr doc = onvif_parse(xml, len);
    if (!doc)
        return WW_EINVAL;
    xmlXPathContextPtr x = onvif_xpath(doc);
    int rc = WW_EINVAL;
    xmlXPathObjectPtr r = NULL;
    if (!x)
        goto done;
    char buf[WW_ONVIF_STR];
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (onvif_text(x, root, "/s:Envelope/s:Body/tds:GetServicesResponse", buf, sizeof buf) ==
        WW_ENOTFOUND)
        goto done;
    r = xmlXPathEvalExpression(
        (const xmlChar *)"/s:Envelope/s:Body/tds:GetServicesResponse/tds:Service", x);
    rc = WW_ENOTFOUND;
    for (int i = 0; r && r->nodesetval && i < r->nodesetval->nodeNr; i++) {
        xmlNodePtr node = r->nodesetval->nodeTab[i];
        /* a namespace longer than buf is no namespace we know */
        if (onvif_text(x, node, "tds:Namespace", buf, sizeof buf) != 0 || strcmp(buf, ns) != 0)
            continue;
        rc = onvif_text(x, node, "tds:XAddr", out, outsz);
        if (rc == 0 && !out[0])
            rc = WW_ENOTFOUND;
        break; /* the first service of the namespace is the one */
    }
done:
    xmlXPathFreeObject(r);
    xmlXPathFreeContext(x);
    xmlFreeDoc(doc);
    return rc;
}

int ww_onvif_parse_fault(const char *xml, size_t len, char *code, size_t codesz,
                         char *reason, size_t reasonsz)
{
    assert(code && codesz && reason && reasonsz);
    code[0] = reason[0] = '\0';
    xmlDocPtr doc = onvif_parse(xml, len);
    if (!doc)
        return WW_EINVAL;
    xmlXPathContextPtr x = onvif_xpath(doc);
    int rc = WW_EINVAL;
    if (!x)
        goto done;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    char buf[WW_ONVIF_STR];
    if (onvif_text(x, root, "/s:Envelope/s:Body/s:Fault", buf, sizeof buf) == WW_ENOTFOUND) {
        rc = 0;
        goto done;
    }
    rc = 1;
    /* the most specific subcode names the error (ter:NotAuthorized sits
     * under env:Sender); drop its namespace prefix */
    if (onvif_text(x, root, "(/s:Envelope/s:Body/s:Fault/s:Code//s:Value)[last()]",
                   buf, sizeof buf) == 0) {
        const char *c = strrchr(buf, ':');
        snprintf(code, codesz, "%s", c ? c + 1 : buf);
    }
    (void)onvif_text(x, root, "/s:Envelope/s:Body/s:Fault/s:Reason/s:Text", reason,
                     reasonsz);
done:
    xmlXPathFreeContext(x);
    xmlFreeDoc(doc);
    return rc;
}
