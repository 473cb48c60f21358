/* onvif: WS-Discovery Probe over UDP (see onvif.h). */
#include "onvif/onvif.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <openssl/rand.h>

#include "base/base.h"

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "HOST:PORT" (HOST a name or IPv4 address) to a sockaddr_in. */
static int resolve_target(const char *target, struct sockaddr_in *sa)
{
    const char *colon = strrchr(target, ':');
    if (!colon || colon == target || !colon[1])
        return WW_EINVAL;
    char host[256];
    size_t hl = (size_t)(colon - target);
    if (hl >= sizeof host)
        return WW_EINVAL;
    memcpy(host, target, hl);
    host[hl] = '\0';
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_DGRAM}, *res = NULL;
    if (getaddrinfo(host, colon + 1, &hints, &res) != 0 || !res)
        return WW_EINVAL;
    memcpy(sa, res->ai_addr, sizeof *sa);
    freeaddrinfo(res);
    return 0;
}

static void new_uuid(char *out, size_t outsz)
{
    uint8_t b[16];
    if (RAND_bytes(b, sizeof b) != 1)
        for (size_t i = 0; i < sizeof b; i++)
            b[i] = (uint8_t)(now_ms() >> (i % 8));
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    snprintf(out, outsz,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

/* Does the datagram answer our probe?  A ProbeMatches whose RelatesTo names
 * another MessageID belongs to someone else's probe on the same group. */
static bool relates_to_us(const char *xml, size_t len, const char *msgid)
{
    xmlDocPtr doc = xmlReadMemory(xml, (int)len, "probe.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc)
        return false;
    bool ours = true;
    xmlXPathContextPtr x = xmlXPathNewContext(doc);
    if (x) {
        xmlXPathRegisterNs(x, (const xmlChar *)"s",
                           (const xmlChar *)"http://www.w3.org/2003/05/soap-envelope");
        xmlXPathRegisterNs(x, (const xmlChar *)"a",
                           (const xmlChar *)"http://schemas.xmlsoap.org/ws/2004/08/addressing");
        xmlXPathObjectPtr r =
            xmlXPathEvalExpression((const xmlChar *)"/s:Envelope/s:Header/a:RelatesTo", x);
        if (r && r->nodesetval && r->nodesetval->nodeNr > 0) {
            xmlChar *s = xmlNodeGetContent(r->nodesetval->nodeTab[0]);
            ours = s && strstr((const char *)s, msgid) != NULL;
            xmlFree(s);
        }
        xmlXPathFreeObject(r);
        xmlXPathFreeContext(x);
    }
    xmlFreeDoc(doc);
    return ours;
}

int ww_onvif_discover(const char *target, int wait_ms, struct ww_onvif_match *out,
                      size_t cap)
{
    if (wait_ms < 1 || wait_ms > 60000 || !out)
        return WW_EINVAL;
    ww_onvif_init();
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(3702)};
    if (target) {
        int rc = resolve_target(target, &to);
        if (rc)
            return rc;
    } else {
        inet_pton(AF_INET, "239.255.255.250", &to.sin_addr);
    }
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (!target) {
        unsigned char ttl = 1; /* the ward's LAN only */
        (void)setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl);
    }
    char uuid[40], msg[1536];
    new_uuid(uuid, sizeof uuid);
    int len = snprintf(msg, sizeof msg,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
        "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\""
        " xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\""
        " xmlns:d=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\""
        " xmlns:dn=\"http://www.onvif.org/ver10/network/wsdl\">"
        "<s:Header><a:MessageID>uuid:%s</a:MessageID>"
        "<a:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>"
        "<a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action>"
        "</s:Header><s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types>"
        "</d:Probe></s:Body></s:Envelope>", uuid);
    assert(len > 0 && (size_t)len < sizeof msg);
    if (sendto(fd, msg, (size_t)len, 0, (struct sockaddr *)&to, sizeof to) < 0) {
        int e = -errno;
        close(fd);
        return e;
    }
    size_t n = 0;
    int64_t end = now_ms() + wait_ms;
    enum { BUFSZ = 65536 }; /* one datagram at most */
    char *buf = malloc(BUFSZ);
    if (!buf) {
        close(fd);
        return -ENOMEM;
    }
    for (;;) {
        int64_t left = end - now_ms();
        if (left <= 0 || n >= cap)
            break;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int pr = poll(&p, 1, (int)left);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0)
            break;
        ssize_t got = recv(fd, buf, BUFSZ - 1, 0);
        if (got <= 0)
            continue; /* e.g. ECONNREFUSED from a unicast target: keep waiting */
        buf[got] = '\0';
        if (!relates_to_us(buf, (size_t)got, uuid))
            continue;
        (void)ww_onvif_parse_probe_matches(buf, (size_t)got, out, &n, cap);
    }
    free(buf);
    close(fd);
    return (int)n;
}
