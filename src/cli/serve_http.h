/*
 * cli/serve_http.h — the console half of `serve`: starts the HTTP server
 * with every API route registered.  Kept apart from serve.c so the
 * recorder can be built and tested while the console grows.
 */
#ifndef WW_CLI_SERVE_HTTP_H
#define WW_CLI_SERVE_HTTP_H

#include "engine/engine.h"

struct serve_http;
/* listen is "ADDR:PORT".  0 or a negative code (logged). */
int serve_http_start(const char *data_dir, const char *listen, engine_t *eng, struct serve_http **out);
void serve_http_stop(struct serve_http *s);   /* NULL-safe */

#endif
