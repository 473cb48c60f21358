/*
 * relay/relay.h — the station side of the province: the publisher that
 * drains the catalog's outbox (catalog/cat_outbox.h) to the broker over MQTT
 * (docs/province.md, message format v1).
 *
 * One thread of its own with its own catalog connection; libmosquitto runs
 * its network loop in a second thread (mosquitto_loop_start).  Nothing in
 * recording or HTTP waits on either: the outbox rows are written by the
 * catalog's triggers, and the publisher only reads them and marks them sent
 * on the broker's PUBACK.  The thread polls the settings every 2 s, so a
 * `station join` done while serve runs is picked up without a restart.
 *
 * Ownership: relay_start returns a handle that relay_stop joins and frees.
 * relay_stats may be called from any thread.
 */
#ifndef WW_RELAY_H
#define WW_RELAY_H

#include <stdbool.h>
#include <stdint.h>

struct relay;

struct relay_stats {
    bool joined;
    bool connected;
    int64_t backlog;   /* unsent outbox rows */
    int64_t last_sent; /* highest seq the broker acknowledged */
};

/* db_path: the catalog; mqtt_override: "mqtt://HOST:PORT" that wins over the
 * setting province.mqtt (serve --mqtt), or NULL.  0 or -errno. */
int relay_start(const char *db_path, const char *mqtt_override, struct relay **out);
void relay_stop(struct relay *r); /* NULL is a no-op */
void relay_stats(struct relay *r, struct relay_stats *out);

/* Splits "mqtt://HOST:PORT" (port default 1883).  host is heap text.
 * 0 or WW_EINVAL. */
int relay_parse_url(const char *url, char **host, int *port);

#endif
