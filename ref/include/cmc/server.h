/* cmc/server.h: the reference CMC server core (DESIGN.md "The reference server core").
 * Input: body bytes + media type (+ Accept). Output: body bytes + media type + a
 * transport-neutral status. No global state; one cmc_server may be used from several
 * threads at once. */
#ifndef CMC_SERVER_H
#define CMC_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "cmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cmc_server_config cmc_server_config;
typedef struct cmc_server cmc_server;

/* A request as a transport delivers it. |media_type| is the Content-Type header value
 * (NULL if absent); |accept| the Accept header value (NULL if absent). Lent, not copied. */
typedef struct {
    const uint8_t *body;
    size_t body_len;
    const char *media_type;
    const char *accept;
} cmc_http_request;

/* The answer. |body| is owned (free with cmc_http_response_cleanup). |http_status| is the
 * HTTP status a transport should send (200, 400, 413, 415, 500); |media_type| the
 * Content-Type to send (table spelling, spec/CMC.md §10) or a text/plain reason.
 * |cmc_status| is the CMCStatus of the first body part (-1 if no CMC message was built),
 * |fail_info| its CMCFailInfo (-1 if none): for access logs. */
typedef struct {
    uint8_t *body;
    size_t body_len;
    char media_type[96];
    int http_status;
    int cmc_status;
    int fail_info;
} cmc_http_response;

/* cmc_http_response_cleanup frees |resp->body| and zeroes |resp|; NULL-safe. */
CMC_EXPORT void cmc_http_response_cleanup(cmc_http_response *resp);

/* cmc_server_config_load reads a reference server configuration (OpenSSL config syntax,
 * NCONF). On error, |err| (|err_len| bytes) holds one line naming the file, section and key. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_server_config_load(cmc_server_config **out,
                                                          const char *path, char *err,
                                                          size_t err_len);
/* cmc_server_config_embedded builds the embedded default: the fixture PKI compiled into the
 * library, an in-memory store, officers as in vectors/pki. Test material only. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_server_config_embedded(cmc_server_config **out);
CMC_EXPORT void cmc_server_config_free(cmc_server_config *cfg);

/* cmc_server_new makes a server from |cfg| (copied; |cfg| may be freed afterwards). */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_server_new(cmc_server **out,
                                                  const cmc_server_config *cfg);
CMC_EXPORT void cmc_server_free(cmc_server *srv);

/* cmc_server_handle answers one request. It returns CMC_OK whenever |resp| holds an answer
 * to send (including CMC failures and HTTP 4xx); another status means an internal failure
 * and |resp| then holds a 500 answer. Thread-safe. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_server_handle(cmc_server *srv, const cmc_http_request *req,
                                                     cmc_http_response *resp);

#ifdef __cplusplus
}
#endif
#endif /* CMC_SERVER_H */
