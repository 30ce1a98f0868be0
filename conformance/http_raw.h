/* http_raw.h: HTTP requests outside what the transport client sends (http_raw.c). */
#ifndef CMC_CONFORM_HTTP_RAW_H
#define CMC_CONFORM_HTTP_RAW_H

#include <stddef.h>

#include "cmc/server.h"
#include "cmc/transport.h"

/* cmc_conform_http_raw sends |req| to the http(s) |url| with |method| (any size of body)
 * and fills |out| (free with cmc_http_response_cleanup) with whatever status arrived.
 * Returns 0, or -1 with a one-line reason in |err| when no HTTP status arrived. */
int cmc_conform_http_raw(cmc_http_response *out, const char *url, const char *method,
                         const cmc_http_request *req, const cmc_transport_options *opt, char *err,
                         size_t err_len);

#endif /* CMC_CONFORM_HTTP_RAW_H */
