/*
 * lws_log.h: route libwebsockets' own log lines (errors and warnings only)
 * into ct_log, once per process. Every module that creates an lws context
 * calls ct__lws_log_init() first.
 */
#ifndef CT_API_LWS_LOG_H
#define CT_API_LWS_LOG_H

void ct__lws_log_init(void);

#endif /* CT_API_LWS_LOG_H */
