/* transport_fixture.h: a small request handler and request bodies for the transport tests,
 * so the socket layer is tested on its own (the real core is tested through
 * transport_serve_test.c). Header-only: included by the transport_*_test.c programs. */
#ifndef CMC_TRANSPORT_FIXTURE_H
#define CMC_TRANSPORT_FIXTURE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <openssl/crypto.h>

#include "cmc/listener.h"
#include "cmc/media_type.h"
#include "cmc/transport.h"

/* The echo handler: accepts the two request media types (else 415, like the core), refuses a
 * body that is not one BER element or is tfx_refused (400), otherwise answers 200 "CMC-response"
 * with SEQUENCE { OCTET STRING <request body> } (BER, so TCP clients can frame it). It counts
 * calls, remembers the last media type and can be slowed down. */
typedef struct {
    atomic_uint calls;
    atomic_uint delay_ms;
    pthread_mutex_t mu;
    char last_media_type[128];
} tfx_echo;

static inline void tfx_echo_init(tfx_echo *e) {
    memset(e, 0, sizeof(*e));
    pthread_mutex_init(&e->mu, NULL);
}

static inline void tfx_echo_cleanup(tfx_echo *e) {
    pthread_mutex_destroy(&e->mu);
}

/* tfx_wrap writes SEQUENCE { OCTET STRING in } into a new OPENSSL_malloc buffer. */
static inline uint8_t *tfx_wrap(const uint8_t *in, size_t in_len, size_t *out_len) {
    uint8_t *out = OPENSSL_malloc(in_len + 12);
    if (out == NULL) {
        return NULL;
    }
    size_t inner_hdr = 6, outer_hdr = 6; /* 0x04/0x30, 0x84, 4 length octets */
    size_t inner_len = inner_hdr + in_len;
    out[0] = 0x30;
    out[1] = 0x84;
    out[2] = (uint8_t)(inner_len >> 24);
    out[3] = (uint8_t)(inner_len >> 16);
    out[4] = (uint8_t)(inner_len >> 8);
    out[5] = (uint8_t)inner_len;
    out[6] = 0x04;
    out[7] = 0x84;
    out[8] = (uint8_t)(in_len >> 24);
    out[9] = (uint8_t)(in_len >> 16);
    out[10] = (uint8_t)(in_len >> 8);
    out[11] = (uint8_t)in_len;
    if (in_len > 0) {
        memcpy(out + outer_hdr + inner_hdr, in, in_len);
    }
    *out_len = outer_hdr + inner_len;
    return out;
}

static inline cmc_status tfx_echo_handler(void *ctx, const cmc_http_request *req,
                                          cmc_http_response *resp) {
    tfx_echo *e = ctx;
    atomic_fetch_add(&e->calls, 1);
    pthread_mutex_lock(&e->mu);
    snprintf(e->last_media_type, sizeof(e->last_media_type), "%s",
             req->media_type != NULL ? req->media_type : "(none)");
    pthread_mutex_unlock(&e->mu);
    unsigned delay = atomic_load(&e->delay_ms);
    if (delay > 0) {
        usleep(delay * 1000u);
    }
    cmc_media_type mt = CMC_MEDIA_OTHER;
    const char *text = NULL;
    if (req->media_type == NULL ||
        cmc_media_type_parse(&mt, req->media_type, strlen(req->media_type)) != CMC_OK ||
        (mt != CMC_MEDIA_PKCS10 && mt != CMC_MEDIA_CMC_REQUEST)) {
        resp->http_status = 415;
        text = "unsupported media type\n";
    } else {
        size_t total = 0;
        if (cmc_ber_frame_length(&total, req->body, req->body_len, req->body_len) != CMC_OK ||
            total != req->body_len) {
            resp->http_status = 400;
            text = "not one BER element\n";
        } else if (req->body_len >= 3 &&
                   memcmp(req->body + req->body_len - 3, "\x04\x01\xff", 3) == 0) {
            resp->http_status = 400; /* tfx_refused below */
            text = "refused\n";
        }
    }
    if (text != NULL) {
        snprintf(resp->media_type, sizeof(resp->media_type), "text/plain");
        resp->body = (uint8_t *)OPENSSL_strdup(text);
        resp->body_len = strlen(text);
        return CMC_OK;
    }
    resp->body = tfx_wrap(req->body, req->body_len, &resp->body_len);
    resp->http_status = 200;
    snprintf(resp->media_type, sizeof(resp->media_type), "%s",
             cmc_media_type_str(CMC_MEDIA_CMC_RESPONSE));
    return resp->body != NULL ? CMC_OK : CMC_E_NOMEM;
}

/* tfx_p10_like: SEQUENCE { SEQUENCE { INTEGER 0, SEQUENCE { OCTET STRING (4-byte |id| +
 * |pad| bytes) } } }, which cmc_sniff takes for PKCS #10 (version 0, then a Name-like
 * SEQUENCE). Returns the length written to |buf|. */
static inline size_t tfx_p10_like(uint8_t *buf, size_t buf_len, uint32_t id, size_t pad) {
    size_t payload = 4 + pad;
    size_t need = 4 + 4 + 3 + 4 + 4 + payload;
    if (need > buf_len || payload > 0xff00) {
        return 0;
    }
    size_t name = 4 + payload;
    size_t inner = 3 + 4 + name;
    size_t outer = 4 + inner;
    size_t i = 0;
    buf[i++] = 0x30;
    buf[i++] = 0x82;
    buf[i++] = (uint8_t)(outer >> 8);
    buf[i++] = (uint8_t)outer;
    buf[i++] = 0x30;
    buf[i++] = 0x82;
    buf[i++] = (uint8_t)(inner >> 8);
    buf[i++] = (uint8_t)inner;
    buf[i++] = 0x02;
    buf[i++] = 0x01;
    buf[i++] = 0x00;
    buf[i++] = 0x30;
    buf[i++] = 0x82;
    buf[i++] = (uint8_t)(name >> 8);
    buf[i++] = (uint8_t)name;
    buf[i++] = 0x04;
    buf[i++] = 0x82;
    buf[i++] = (uint8_t)(payload >> 8);
    buf[i++] = (uint8_t)payload;
    buf[i++] = (uint8_t)(id >> 24);
    buf[i++] = (uint8_t)(id >> 16);
    buf[i++] = (uint8_t)(id >> 8);
    buf[i++] = (uint8_t)id;
    for (size_t k = 0; k < pad; k++) {
        buf[i++] = (uint8_t)(k * 7 + id);
    }
    return i;
}

/* tfx_content_info_like: SEQUENCE { OID signedData }, sniffed as a ContentInfo. */
static const uint8_t tfx_content_info[] = {0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48,
                                           0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02};

/* A PKCS #10-shaped body the echo handler refuses with 400: it ends in OCTET STRING { ff }. */
static const uint8_t tfx_refused[] = {0x30, 0x0a, 0x30, 0x08, 0x02, 0x01,
                                      0x00, 0x30, 0x03, 0x04, 0x01, 0xff};

/* tfx_check_echo: is |resp| the echo handler's answer to |req| (|req_len| bytes)? */
static inline int tfx_check_echo(const cmc_http_response *resp, const uint8_t *req,
                                 size_t req_len) {
    return resp->body_len == req_len + 12 && memcmp(resp->body + 12, req, req_len) == 0;
}

#define TFX_P10 "application/pkcs10"
#define TFX_CMC_REQ "application/pkcs7-mime; smime-type=CMC-request"

/* tfx_now_ms: a monotonic clock in milliseconds, for the tests' bounded waits. */
static inline uint64_t tfx_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* tfx_raw_connect: a plain TCP connection to 127.0.0.1:|port|, for hand-written requests. */
static inline int tfx_raw_connect(uint16_t port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    return fd;
}

#endif /* CMC_TRANSPORT_FIXTURE_H */
