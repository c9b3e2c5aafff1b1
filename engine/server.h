/*
 * server.h — `dunningd serve`: one libevent loop running the HTTP API, the
 * periodic evaluation pass (in batches, so the API stays responsive), the
 * dispatcher, rule reloads (SIGHUP, API, directory watch) and a graceful
 * stop on SIGTERM/SIGINT that finishes the batch in flight.
 */
#ifndef DN_SERVER_H
#define DN_SERVER_H

#include "config.h"

/* Runs until SIGTERM/SIGINT. Returns 0 on a clean stop. */
int server_run(const dn_config *cfg, dn_err *err);

#endif
