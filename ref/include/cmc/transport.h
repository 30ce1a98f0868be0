/* cmc/transport.h: RFC 5273 / RFC 10003 transports, client side, and what client and server
 * sides share: the request handler type, TCP framing and sniffing (spec/CMC.md §10).
 *
 * Transports only move bytes and media types (DESIGN.md); they never look inside a message,
 * except where RFC 5273 §5 (TCP, as replaced by RFC 6402) gives no media type: there the
 * outer BER header tells where a message ends, and a look at the first elements tells a
 * PKCS #10 from a CMS ContentInfo (spec/CMC.md §9.2 step 1). */
#ifndef CMC_TRANSPORT_H
#define CMC_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "cmc/asn1.h"
#include "cmc/media_type.h"
#include "cmc/server.h"
#include "cmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Limits (each with its reason) ---- */

/* Largest request or response body any transport moves: the core's own message limit, so a
 * transport never buffers what the core would refuse anyway (HTTP answers 413 above it). */
#define CMC_TRANSPORT_MAX_BODY_BYTES ((size_t)CMC_MAX_MESSAGE_BYTES)
/* Deepest nesting of indefinite-length BER elements the TCP framer follows. A CMS message
 * nests about 6 constructed levels per layer; CMC_MAX_NESTING RA layers stay below 64. */
#define CMC_TRANSPORT_MAX_BER_DEPTH 64
/* IANA port for CMC over TCP, service "pkix-cmc" (RFC 6402; spec/CMC.md §10). */
#define CMC_TCP_DEFAULT_PORT 5318
/* Client defaults: a whole exchange (connect + send + answer) and the connect step alone. */
#define CMC_TRANSPORT_DEFAULT_TIMEOUT_MS 30000u
#define CMC_TRANSPORT_DEFAULT_CONNECT_TIMEOUT_MS 10000u
/* Longest URL cmc_transport_open accepts; bounds copies and argv of exec: shims. */
#define CMC_TRANSPORT_MAX_URL 4096

/* A request handler: what every server-side transport calls, once per request, possibly from
 * several threads at once. It fills |resp| (body owned, freed by the transport with
 * cmc_http_response_cleanup) and returns CMC_OK when |resp| holds an answer to send (any HTTP
 * status); another status is an internal failure and the transport answers 500.
 * cmc_server_handle has this shape with |ctx| = the cmc_server (see cmc_server_handler). */
typedef cmc_status (*cmc_handler_fn)(void *ctx, const cmc_http_request *req,
                                     cmc_http_response *resp);

/* cmc_server_handler is cmc_server_handle as a cmc_handler_fn; |ctx| is a cmc_server *. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_server_handler(void *ctx, const cmc_http_request *req,
                                                      cmc_http_response *resp);

/* ---- Framing and sniffing (TCP, file and exec transports) ---- */

/* cmc_ber_frame_length finds where the BER element starting at |buf| ends. |buf_len| is what
 * has arrived so far. On CMC_OK |*out_len| is the element's total length (header, contents
 * and, for indefinite length, the end-of-contents octets), which may be < |buf_len|.
 * CMC_E_TRUNCATED: more bytes are needed. CMC_E_DER: not BER (bad tag, length form, primitive
 * with indefinite length, EOC in the wrong place). CMC_E_LIMIT: the element is longer than
 * |max_len| or nests indefinite lengths deeper than CMC_TRANSPORT_MAX_BER_DEPTH. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_ber_frame_length(size_t *out_len, const uint8_t *buf,
                                                        size_t buf_len, size_t max_len);

/* cmc_transport_sniff_request tells a Simple PKI Request (PKCS #10) from a ContentInfo by
 * cmc_sniff (cmc/msg.h) and returns CMC_MEDIA_PKCS10, CMC_MEDIA_CMC_REQUEST, or
 * CMC_MEDIA_OTHER. It does not validate. */
CMC_EXPORT cmc_media_type cmc_transport_sniff_request(const uint8_t *body, size_t body_len);

/* cmc_transport_sniff_response returns CMC_MEDIA_CMC_RESPONSE (SignedData over
 * id-cct-PKIResponse), CMC_MEDIA_CERTS_ONLY (SignedData over id-data), CMC_MEDIA_PKIX_CERT (a
 * Certificate) or CMC_MEDIA_OTHER, by cmc_sniff. It does not validate. */
CMC_EXPORT cmc_media_type cmc_transport_sniff_response(const uint8_t *body, size_t body_len);

/* ---- Client side ---- */

typedef struct cmc_transport cmc_transport;

/* Options of cmc_transport_open; zero (or a NULL pointer) means the defaults. */
typedef struct {
    unsigned timeout_ms;         /* whole exchange; 0 = CMC_TRANSPORT_DEFAULT_TIMEOUT_MS */
    unsigned connect_timeout_ms; /* 0 = CMC_TRANSPORT_DEFAULT_CONNECT_TIMEOUT_MS */
    const char *tls_ca_file;     /* https: PEM trust anchors; NULL = the system store */
    const char *tls_cert_file;   /* https: optional client certificate (PEM) */
    const char *tls_key_file;    /* https: its key (PEM) */
} cmc_transport_options;

/* cmc_transport_open opens a client for |url|:
 *   http://HOST[:PORT]/PATH, https://HOST[:PORT]/PATH   RFC 5273 §4 POST (libcurl)
 *   tcp://HOST[:PORT]                                   RFC 5273 §5 / RFC 6402, port 5318
 *   file:INBOX,OUTBOX                                   RFC 5273 §2: the request is written to
 *       INBOX/<unique>.crq (.p10 for PKCS #10) by rename, the answer read from
 *       OUTBOX/<unique>.{crp,p7c,cer} (or .err: a refusal, first line "HTTP <status>")
 *   exec:COMMAND                                        a vendor shim run by /bin/sh -c per
 *       request: the request on stdin, the answer on stdout; environment CMC_CONTENT_TYPE
 *       (request media type), CMC_ACCEPT (if any) and CMC_RESPONSE_CONTENT_TYPE_FILE (a file
 *       the shim may write the answer's media type into; if it stays empty the answer is
 *       sniffed). Exit status 0 = answer, anything else = CMC_E_PROTOCOL.
 * |opts| may be NULL. Errors: CMC_E_ARG (unknown scheme, bad URL), CMC_E_NOMEM. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_transport_open(cmc_transport **out, const char *url,
                                                      const cmc_transport_options *opts);

/* cmc_transport_open_handler opens an in-process client that calls |fn|(|ctx|, ...) directly
 * (e.g. cmc_server_handler with a cmc_server *). */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_transport_open_handler(cmc_transport **out,
                                                              cmc_handler_fn fn, void *ctx);

/* cmc_transport_exchange sends |req| (HTTP: POST) and fills |out_resp| (free with
 * cmc_http_response_cleanup). |out_resp->cmc_status| and |fail_info| are -1: the transport
 * does not look inside (the in-process transport passes on what the handler set). Non-HTTP
 * transports report http_status 200 for an answer.
 *   CMC_OK           an answer (HTTP 2xx) is in |out_resp|
 *   CMC_E_HTTP       HTTP non-2xx (or a file .err answer): |out_resp| holds status and body
 *   CMC_E_CONNECT    connection refused / host unreachable / name not resolved
 *   CMC_E_TIMEOUT    no complete answer within the timeout
 *   CMC_E_TLS        TLS handshake or certificate verification failed
 *   CMC_E_PROTOCOL   the peer closed without an answer, or the answer is not BER
 *   CMC_E_LIMIT      the answer is larger than CMC_TRANSPORT_MAX_BODY_BYTES
 *   CMC_E_IO         file or pipe error
 * cmc_error_last()->detail says more. A cmc_transport serves one thread at a time; open one
 * per thread. On error |out_resp| holds nothing to free except after CMC_E_HTTP. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_transport_exchange(cmc_transport *t,
                                                          cmc_http_response *out_resp,
                                                          const cmc_http_request *req);

/* Per-exchange options of cmc_transport_exchange_ex (zero = a plain POST). */
typedef struct {
    const char *method; /* HTTP method; NULL = "POST". "GET" and "HEAD" send no body; other
                         * methods send the body. Non-HTTP transports only know POST. */
    char allow[64];     /* out: the answer's Allow header value (HTTP), "" if none */
} cmc_exchange_options;

/* cmc_transport_exchange_ex is cmc_transport_exchange with |x| (may be NULL), so a conformance
 * check can send a request with the wrong method and see the 405 and its Allow header. A
 * method other than POST: CMC_E_UNSUPPORTED on tcp, file and exec; the in-process handler
 * answers like the HTTP listener (405, Allow: POST) without calling the handler. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_transport_exchange_ex(cmc_transport *t,
                                                             cmc_http_response *out_resp,
                                                             const cmc_http_request *req,
                                                             cmc_exchange_options *x);

/* cmc_transport_scheme returns "http", "https", "tcp", "file", "exec" or "handler". */
CMC_EXPORT const char *cmc_transport_scheme(const cmc_transport *t);

/* cmc_transport_free closes connections and frees |t|; NULL-safe. */
CMC_EXPORT void cmc_transport_free(cmc_transport *t);

#ifdef __cplusplus
}
#endif
#endif /* CMC_TRANSPORT_H */
