/*
 * server.h: the libwebsockets server of dhansim on the shared libuv loop
 * (server.c). Private to dhansim.
 */
#ifndef DHANSIM_SERVER_H
#define DHANSIM_SERVER_H

#include "dhansim.h"

typedef struct server_opts {
  const char *host;
  int port; /* 0: the kernel picks one */
  const char *tls_cert, *tls_key;
} server_opts_t;

/* Creates the lws context and its vhost on s->loop. On success *port is the
 * port actually listened on. 0 or CT_EIO. */
int server_start(sim_t *s, const server_opts_t *o, int *port);
/* Destroys the lws context; the loop must keep running afterwards until
 * lws has closed its handles. */
void server_stop(sim_t *s);

#endif /* DHANSIM_SERVER_H */
