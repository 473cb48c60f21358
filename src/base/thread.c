/*
 * thread.c — the role of the calling thread, for the asserts that state the
 * thread rules the module headers give ("HTTP threads never fsync
 * recordings", "a stream's packets come from its ingest thread", "the
 * notifier delivers on its own thread").  A thread names its role once, at
 * its start; the value is thread-local, so setting and reading it is free of
 * locks.  Threads that never set one (main, unit tests) are WW_THREAD_OTHER.
 * The asserts are active in the Debug/ASan build the tests run and compiled
 * out with NDEBUG, so release builds pay nothing.
 */
#include "base/base.h"

#include <errno.h>

static _Thread_local enum ww_thread_role role = WW_THREAD_OTHER;

void ww_thread_set_role(enum ww_thread_role r) { role = r; }

enum ww_thread_role ww_thread_role(void) { return role; }

const char *ww_thread_role_name(enum ww_thread_role r)
{
    switch (r) {
    case WW_THREAD_OTHER: return "other";
    case WW_THREAD_INGEST: return "ingest";
    case WW_THREAD_SYNCER: return "syncer";
    case WW_THREAD_SUPERVISOR: return "supervisor";
    case WW_THREAD_MONITOR: return "monitor";
    case WW_THREAD_NOTIFY: return "notify";
    case WW_THREAD_HTTP: return "http";
    case WW_THREAD_WORKER: return "worker";
    }
    return "?";
}

bool ww_mutex_is_locked(pthread_mutex_t *mu)
{
    int rc = pthread_mutex_trylock(mu);
    if (rc == 0) {
        pthread_mutex_unlock(mu);
        return false;
    }
    return rc == EBUSY;
}
