/* server_handler.c: the reference core as a transport handler (cmc/transport.h). */
#include "cmc/transport.h"

cmc_status cmc_server_handler(void *ctx, const cmc_http_request *req, cmc_http_response *resp) {
    if (ctx == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    return cmc_server_handle((cmc_server *)ctx, req, resp);
}
