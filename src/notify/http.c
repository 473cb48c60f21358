/*
 * http.c — one webhook POST with libcurl (moved here from community/ so the
 * alerts and the motion events share it).
 *
 * Bounded in every way: a total timeout per attempt, a connect timeout, a
 * fixed number of attempts with a doubling pause between them, no
 * redirects (a webhook that redirects is misconfigured, and following one
 * could carry an owner's phone number somewhere unintended), http/https
 * only, and a stop flag that the transfer's progress callback and the
 * pauses both watch — so stopping `serve` never waits for a dead receiver.
 * The response body is read and discarded.
 */
#include "notify/notify.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

static size_t discard(char *p, size_t sz, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return sz * n;
}

static bool stopped(atomic_bool *stop) { return stop && atomic_load(stop); }

static int progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    (void)dt; (void)dn; (void)ut; (void)un;
    return stopped(ud) ? 1 : 0;
}

/* Sleeps ms in 50 ms steps, returning early once stop is set. */
static void nap_ms(int ms, atomic_bool *stop)
{
    for (int waited = 0; waited < ms && !stopped(stop); waited += 50) {
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

static CURL *new_handle(const char *url, const char *body, int timeout_ms, struct curl_slist *hdr,
                        char *cerr, atomic_bool *stop)
{
    CURL *h = curl_easy_init();
    if (!h) return NULL;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
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
    return h;
}

int notify_http_post(const char *url, const char *body, int timeout_ms, int tries, int backoff_ms,
                     atomic_bool *stop, int *http_status, int *attempts, char *err, size_t errn)
{
    *http_status = 0;
    *attempts = 0;
    if (err && errn) err[0] = 0;
    if (timeout_ms <= 0) timeout_ms = 5000;
    if (tries <= 0) tries = 1;
    if (backoff_ms <= 0) backoff_ms = 1000;
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
    hdr = curl_slist_append(hdr, "User-Agent: wardwatch-alerts/1");
    char cerr[CURL_ERROR_SIZE] = "";
    CURL *h = new_handle(url, body, timeout_ms, hdr, cerr, stop);
    if (!h) {
        curl_slist_free_all(hdr);
        if (err) snprintf(err, errn, "cannot start libcurl");
        return -ENOMEM;
    }
    int rc = -EIO;
    int pause_ms = backoff_ms;
    for (int i = 0; i < tries && !stopped(stop); i++) {
        if (i) {
            nap_ms(pause_ms, stop);
            pause_ms *= 2;
            if (stopped(stop)) break;
        }
        (*attempts)++;
        cerr[0] = 0;
        CURLcode c = curl_easy_perform(h);
        long status = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        *http_status = (int)status;
        if (c == CURLE_OK && status >= 200 && status < 300) {
            rc = 0;
            if (err && errn) err[0] = 0;
            break;
        }
        if (err) {
            if (c != CURLE_OK) snprintf(err, errn, "%s", cerr[0] ? cerr : curl_easy_strerror(c));
            else snprintf(err, errn, "the receiver answered HTTP %ld", status);
        }
    }
    if (stopped(stop) && rc && err && errn && !err[0]) snprintf(err, errn, "stopped");
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    return rc;
}
