#include "orders.h"
const route_t routes_super[] = {{0, NULL, NULL, 0}};
const route_t routes_forever[] = {{0, NULL, NULL, 0}};
const route_t routes_portfolio[] = {{0, NULL, NULL, 0}};
const route_t routes_funds[] = {{0, NULL, NULL, 0}};
const route_t routes_statement[] = {{0, NULL, NULL, 0}};
const route_t routes_control[] = {{0, NULL, NULL, 0}};
const route_t routes_account[] = {{0, NULL, NULL, 0}};
int postback_init(sim_t *s) { (void)s; return 0; }
void postback_close(sim_t *s) { (void)s; }
void postback_order(sim_t *s, order_t *o) { (void)s; (void)o; }
void forever_trigger(sim_t *s, order_t *o) { (void)s; (void)o; }
