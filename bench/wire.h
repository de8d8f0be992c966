/*
 * wire.h: the wire floor's HTTP/1.1 client, for ctfloor --wire only.
 *
 * A measuring stick, not a transport: requests are written by hand on
 * pre-opened plain keep-alive connections and answers are read by their
 * Content-Length, with none of libcurl's work in between. It shows what
 * the wire and dhansim alone cost on this machine, under the libcurl
 * floor. The product never talks HTTP this way (libcurl does).
 */
#ifndef CT_BENCH_WIRE_H
#define CT_BENCH_WIRE_H

#include <stddef.h>
#include <stdint.h>

typedef struct wire wire_t;

/* An answer: `ctx` as given to wire_send, HTTP status, body (not
 * NUL-terminated past `len`). */
typedef void (*wire_done_fn)(void *ud, void *ctx, long status, const char *body,
                             size_t len);

/* Opens `conns` connections to 127.0.0.1:`port`, each watched for reading
 * in the epoll set `ep` with a tag wire_owns() recognises. NULL on error. */
wire_t *wire_open(int ep, int port, int conns, wire_done_fn done, void *ud);

/* Writes the request on an idle connection, or queues it for the first
 * that frees (FIFO). `req` is copied. 0 or -1. */
int wire_send(wire_t *w, void *ctx, const char *req, size_t len);

/* True when an epoll event's data belongs to one of `w`'s connections. */
int wire_owns(uint64_t data);

/* Reads what the connection tagged `data` has; calls done per answer.
 * 0, or -1 when the connection failed. */
int wire_on_readable(wire_t *w, uint64_t data);

void wire_free(wire_t *w);

#endif
