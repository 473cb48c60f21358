/*
 * webhook.c — POSTing alert notifications with libcurl.
 *
 * Bounded in every way: a total timeout per attempt, a connect timeout,
 * a fixed number of attempts with 1 s, 2 s, 4 s… between them, no
 * redirects (a webhook that redirects is misconfigured, and following one
 * could carry an owner's phone number somewhere unintended), http/https
 * only, and a stop flag that the transfer's progress callback and the
 * pauses between attempts both watch — so stopping `serve` never waits for
 * a dead receiver.  The response body is read and discarded.
 */
#include "community/community.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

static size_t discard(char *p, size_t sz, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return sz * n;
}

static int progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    (void)dt; (void)dn; (void)ut; (void)un;
    atomic_bool *stop = ud;
    return stop && atomic_load(stop) ? 1 : 0;
}

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

static void nap_ms(int ms, atomic_bool *stop)
{
    for (int waited = 0; waited < ms && !(stop && atomic_load(stop)); waited += 100) {
        struct timespec ts = {0, 100 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

int community_webhook_post(const char *url, const char *json, int timeout_ms, int tries,
                           atomic_bool *stop, int *http_status, int *attempts, char *err,
                           size_t n)
{
    *http_status = 0;
    *attempts = 0;
    if (err && n) err[0] = 0;
    if (timeout_ms <= 0) timeout_ms = 5000;
    if (tries <= 0) tries = 1;
    CURL *h = curl_easy_init();
    if (!h) {
        if (err) snprintf(err, n, "cannot start libcurl");
        return -ENOMEM;
    }
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
    hdr = curl_slist_append(hdr, "User-Agent: wardwatch-alerts/1");
    char cerr[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, json);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(json));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(timeout_ms < 3000 ? timeout_ms : 3000));
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, stop);
    int rc = -EIO;
    int pause_ms = 1000;
    for (int i = 0; i < tries && !(stop && atomic_load(stop)); i++) {
        if (i) {
            nap_ms(pause_ms, stop);
            pause_ms *= 2;
            if (stop && atomic_load(stop)) break;
        }
        (*attempts)++;
        cerr[0] = 0;
        CURLcode c = curl_easy_perform(h);
        long status = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        *http_status = (int)status;
        if (c == CURLE_OK && status >= 200 && status < 300) {
            rc = 0;
            if (err && n) err[0] = 0;
            break;
        }
        if (err) {
            if (c != CURLE_OK) snprintf(err, n, "%s", cerr[0] ? cerr : curl_easy_strerror(c));
            else snprintf(err, n, "the receiver answered HTTP %ld", status);
        }
    }
    if (stop && atomic_load(stop) && rc && err && n && !err[0]) snprintf(err, n, "stopped");
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    return rc;
}
