/* transport_local.h: helpers shared by the transport sources (clients and listeners). */
#ifndef CMC_TRANSPORT_LOCAL_H
#define CMC_TRANSPORT_LOCAL_H

#include <stddef.h>
#include <stdint.h>

#include "cmc/listener.h"
#include "cmc/transport.h"

/* TP_FAIL(code, fmt, ...): record |code| and a detail text (in that order: CMC_RAISE clears
 * the detail), then return |code|. */
#define TP_FAIL(code, ...)                                                                         \
    do {                                                                                           \
        cmc_status tp_fail_st_ = cmc_error_raise((code), __FILE__, __LINE__);                      \
        cmc_error_set_detail(__VA_ARGS__);                                                         \
        return tp_fail_st_;                                                                        \
    } while (0)

/* Monotonic clock in milliseconds and in microseconds. */
uint64_t cmc_tp_now_ms(void);
uint64_t cmc_tp_now_us(void);

/* A growable byte buffer; allocation with OPENSSL_malloc so a finished body can become a
 * cmc_http_response body (freed by cmc_http_response_cleanup). */
typedef struct {
    uint8_t *p;
    size_t len;
    size_t cap;
} cmc_tp_buf;

/* cmc_tp_buf_append appends; fails with CMC_E_LIMIT past |max| bytes, CMC_E_NOMEM. */
cmc_status cmc_tp_buf_append(cmc_tp_buf *b, const void *data, size_t len, size_t max);
void cmc_tp_buf_cleanup(cmc_tp_buf *b);

/* cmc_tp_set_media_type copies |mt| (or "" for NULL) into resp->media_type, truncating. */
void cmc_tp_set_media_type(cmc_http_response *resp, const char *mt);

/* cmc_tp_fail_response fills |resp| with a text/plain answer of |http_status|. */
void cmc_tp_fail_response(cmc_http_response *resp, int http_status, const char *text);

/* cmc_tp_call_handler calls |fn| and makes sure |resp| holds an answer to send: a handler
 * that fails or leaves no status gets a 500 text answer. */
void cmc_tp_call_handler(cmc_handler_fn fn, void *ctx, const cmc_http_request *req,
                         cmc_http_response *resp);

/* cmc_tp_format_peer writes "ADDR:PORT" for a socket address into |buf|. */
void cmc_tp_format_peer(const void *sockaddr, char *buf, size_t buf_len);

/* cmc_tp_bind_listen binds and listens on |address|:|port| (numeric IPv4 or IPv6); on success
 * |*out_fd| is the listening socket (non-blocking, close-on-exec) and |*out_port| the bound
 * port. Errors: CMC_E_ARG (not a numeric address), CMC_E_IO. */
cmc_status cmc_tp_bind_listen(int *out_fd, uint16_t *out_port, const char *address, uint16_t port,
                              int backlog);

/* cmc_tp_wait_fd polls |fd| for |events| until |deadline_ms| (monotonic); returns 1 ready,
 * 0 timed out, -1 error. */
int cmc_tp_wait_fd(int fd, short events, uint64_t deadline_ms);

/* cmc_tp_send_all writes |len| bytes to a non-blocking socket before |deadline_ms|:
 * CMC_OK, CMC_E_TIMEOUT, CMC_E_IO (peer gone). */
cmc_status cmc_tp_send_all(int fd, const uint8_t *p, size_t len, uint64_t deadline_ms);

/* cmc_tp_extension_media_type maps a request file name's extension (".p10" / ".crq", case
 * insensitive, RFC 5273 §2) to its media type, CMC_MEDIA_OTHER otherwise. */
cmc_media_type cmc_tp_extension_media_type(const char *name);

/* ---- Listeners: the common part (listener.c); one implementation per transport. ---- */

typedef enum { CMC_TP_HTTP, CMC_TP_TCP, CMC_TP_FILE } cmc_tp_kind;

struct cmc_listener {
    cmc_tp_kind kind;
    cmc_handler_fn fn;
    void *ctx;
    cmc_access_log_fn log;
    void *log_ctx;
    char address[64];
    char path[256];
    char *inbox;
    char *outbox;
    uint16_t port;
    int tls;
    unsigned threads;
    unsigned max_connections;
    unsigned idle_timeout_s;
    unsigned request_timeout_s;
    unsigned poll_ms;
    size_t max_body;
    int stopped;
    void (*impl_stop)(cmc_listener *l); /* stop accepting, drain, release the transport */
    void *impl;
};

/* cmc_tp_listener_new checks |opts| and fills a listener with the defaults applied. */
cmc_status cmc_tp_listener_new(cmc_listener **out, cmc_tp_kind kind,
                               const cmc_listener_options *opts, cmc_handler_fn fn, void *ctx);

/* cmc_tp_log sends one access-log record if a log function is set; |start_us| is
 * cmc_tp_now_us() at the request's first byte. */
void cmc_tp_log(const cmc_listener *l, const char *method, const char *path, const char *media_type,
                const char *peer, const cmc_http_response *resp, uint64_t start_us);

#endif /* CMC_TRANSPORT_LOCAL_H */
