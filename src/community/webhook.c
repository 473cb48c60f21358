/*
 * webhook.c — what a webhook URL may be.  Sending is notify/'s: the
 * monitor's alerts go through its notifier (monitor.c), the console's
 * "send a test" through notify_http_post.
 */
#include "community/community.h"

#include <string.h>

const char *community_webhook_url_problem(const char *url)
{
    if (!url || !*url) return "is empty";
    if (strlen(url) > 1024) return "is longer than 1024 characters";
    const char *p;
    if (ww_str_starts(url, "http://")) p = url + 7;
    else if (ww_str_starts(url, "https://")) p = url + 8;
    else return "must start with http:// or https://";
    for (const char *q = url; *q; q++)
        if ((unsigned char)*q <= ' ' || *q == 0x7f) return "must not contain spaces or control characters";
    size_t host = strcspn(p, "/?#");
    if (host == 0 || *p == ':') return "has no host";
    return NULL;
}
