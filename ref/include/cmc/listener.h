/* cmc/listener.h: RFC 5273 / RFC 10003 transports, server side (spec/CMC.md §10).
 *
 * A listener takes requests from one transport and hands each to a cmc_handler_fn (the
 * reference core via cmc_server_handler, or any other handler):
 *   HTTP(S)  RFC 5273 §4: POST to one path, binary body, status from the handler (GNU
 *            libmicrohttpd, internal polling thread + a bounded thread pool).
 *   TCP      RFC 5273 §5 as replaced by RFC 6402: raw BER messages, no framing, one answer
 *            per request, connection reuse, idle timeout; port 5318 by default.
 *   file     RFC 5273 §2: .p10/.crq files in an inbox, .crp/.p7c/.cer answers in an outbox.
 * Listeners never look inside a message beyond what cmc/transport.h's framer and sniffer do. */
#ifndef CMC_LISTENER_H
#define CMC_LISTENER_H

#include <stddef.h>
#include <stdint.h>

#include "cmc/status.h"
#include "cmc/transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Limits and defaults (each with its reason) ---- */

/* Worker threads when none are configured: one per CPU (the handler is CPU-bound: signature
 * checks and signing), at least 2 so one slow request never serialises the rest, at most
 * CMC_LISTENER_MAX_THREADS. */
#define CMC_LISTENER_MIN_THREADS 2
#define CMC_LISTENER_MAX_THREADS 32
/* Open connections per listener; beyond it new connections are refused (HTTP) or closed at
 * once (TCP). Bounds memory (each may buffer CMC_TRANSPORT_MAX_BODY_BYTES) and descriptors. */
#define CMC_LISTENER_DEFAULT_MAX_CONNECTIONS 256
/* A connection with no traffic for this long is closed (RFC 6402: servers MAY close idle TCP
 * connections). Also bounds how long a client that stalls mid-request keeps its slot. */
#define CMC_LISTENER_DEFAULT_IDLE_TIMEOUT_S 30
/* A request must arrive completely within this time after its first byte (HTTP: after its
 * headers; headers alone are bounded by the idle timeout and the connection limit); a client
 * trickling bytes below the idle timeout is cut off here. */
#define CMC_LISTENER_DEFAULT_REQUEST_TIMEOUT_S 60
/* On stop, in-flight requests get this long to finish before connections are cut. */
#define CMC_LISTENER_DRAIN_TIMEOUT_S 30
/* File transport: how often the inbox is scanned. */
#define CMC_LISTENER_DEFAULT_POLL_MS 200
/* File transport: a request file that is not a complete BER element yet is left alone (its
 * writer may still be writing); once it has not changed for this long it is moved to
 * INBOX/rejected/ (never processed half-written, never retried forever). */
#define CMC_LISTENER_FILE_SETTLE_S 10
/* File transport: most files handled per scan; bounds one scan's work and memory. */
#define CMC_LISTENER_FILE_BATCH 256

/* One access-log record, passed to cmc_access_log_fn after each request. Strings are lent
 * for the duration of the call. */
typedef struct {
    const char *transport;  /* "http", "https", "tcp" or "file" */
    const char *method;     /* HTTP method; "-" for TCP and file */
    const char *path;       /* HTTP path; "-" for TCP; the request file name for file */
    const char *media_type; /* request Content-Type (HTTP) or sniffed type; "-" if none */
    const char *peer;       /* "ADDR:PORT" of the client; "-" for file */
    int http_status;        /* status sent (HTTP) or the handler's status (TCP, file) */
    int cmc_status;         /* the handler's cmc_status field (-1: no CMC message built) */
    int fail_info;          /* the handler's fail_info field (-1: none) */
    double ms;              /* from the request's first byte to the answer handed over */
} cmc_access_entry;

/* Called from worker threads, possibly concurrently. */
typedef void (*cmc_access_log_fn)(void *ctx, const cmc_access_entry *entry);

/* Listener options; zero means the default named above. */
typedef struct {
    const char *address;          /* numeric IPv4/IPv6 listen address; NULL = "127.0.0.1" */
    uint16_t port;                /* 0 = pick a free port (read it with cmc_listener_port) */
    const char *path;             /* HTTP: the one path served; NULL = "/cmc" */
    const char *tls_cert_file;    /* HTTP: PEM certificate (chain); with tls_key_file: HTTPS */
    const char *tls_key_file;     /* HTTP: PEM private key */
    unsigned threads;             /* worker threads; 0 = CPU count, bounded as above */
    unsigned max_connections;     /* 0 = CMC_LISTENER_DEFAULT_MAX_CONNECTIONS */
    unsigned idle_timeout_s;      /* 0 = CMC_LISTENER_DEFAULT_IDLE_TIMEOUT_S */
    unsigned request_timeout_s;   /* 0 = CMC_LISTENER_DEFAULT_REQUEST_TIMEOUT_S */
    size_t max_body;              /* 0 = CMC_TRANSPORT_MAX_BODY_BYTES (never more) */
    const char *inbox;            /* file: directory scanned for .p10/.crq requests */
    const char *outbox;           /* file: directory answers are written to */
    unsigned poll_ms;             /* file: scan interval; 0 = CMC_LISTENER_DEFAULT_POLL_MS */
    cmc_access_log_fn access_log; /* NULL = no access log */
    void *access_log_ctx;
} cmc_listener_options;

typedef struct cmc_listener cmc_listener;

/* cmc_listener_start_http starts an HTTP (or, with tls_cert_file and tls_key_file, HTTPS)
 * listener calling |fn|(|ctx|, ...) per request; it serves until cmc_listener_free. Answers
 * that never reach the handler: 404 (other path), 405 + "Allow: POST" (other method), 413
 * (body over max_body; decided from Content-Length before the body is read when possible).
 * Errors: CMC_E_ARG, CMC_E_IO (cannot bind: address in use, bad address), CMC_E_TLS (bad
 * certificate or key file), CMC_E_NOMEM. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_listener_start_http(cmc_listener **out,
                                                           const cmc_listener_options *opts,
                                                           cmc_handler_fn fn, void *ctx);

/* cmc_listener_start_tcp starts a TCP listener (port 0 picks a free port; pass
 * CMC_TCP_DEFAULT_PORT for the IANA port). Each complete BER message is sniffed
 * (cmc_transport_sniff_request) and handed to the handler with that media type; a 200
 * answer's body is written back raw. A message that is not BER, is too large, is neither
 * PKCS #10 nor a ContentInfo, or gets a non-200 answer closes the connection (raw TCP has no
 * error channel). Errors as for HTTP. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_listener_start_tcp(cmc_listener **out,
                                                          const cmc_listener_options *opts,
                                                          cmc_handler_fn fn, void *ctx);

/* cmc_listener_start_file starts a thread scanning opts->inbox every poll_ms (see
 * cmc_file_scan). Both directories must exist. Errors: CMC_E_ARG, CMC_E_IO. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_listener_start_file(cmc_listener **out,
                                                           const cmc_listener_options *opts,
                                                           cmc_handler_fn fn, void *ctx);

/* cmc_file_scan does one pass over opts->inbox and handles every complete request file once:
 *  1. only regular files named *.p10 or *.crq (RFC 5273 §2) are looked at; writers should
 *     write under another name and rename (the client does); a file that is not yet one
 *     complete BER element is skipped, and moved to INBOX/rejected/ once it has not changed
 *     for CMC_LISTENER_FILE_SETTLE_S;
 *  2. the file is claimed by an atomic rename into INBOX/processing/ (so two scanners, or a
 *     scanner and a restart, never handle one file twice);
 *  3. the answer is written to OUTBOX/<stem>.crp (CMC-response), .p7c (certs-only), .cer
 *     (pkix-cert) or .err (not 200: "HTTP <status>" line, then the reason) via a temporary
 *     name and rename, so readers never see half an answer;
 *  4. the request is moved to INBOX/done/.
 * Files left in processing/ by a crash are finished first (answered again only if their
 * answer is not in the outbox). |*out_num_handled| (may be NULL) counts answers written. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_file_scan(const cmc_listener_options *opts,
                                                 cmc_handler_fn fn, void *ctx,
                                                 size_t *out_num_handled);

/* cmc_listener_port returns the bound port (the real one when 0 was asked); 0 for file. */
CMC_EXPORT uint16_t cmc_listener_port(const cmc_listener *l);

/* cmc_listener_url writes "http://ADDR:PORT/PATH", "https://...", "tcp://ADDR:PORT" or
 * "file:INBOX,OUTBOX" into |buf|; returns |buf| (truncated to |buf_len|). */
CMC_EXPORT const char *cmc_listener_url(const cmc_listener *l, char *buf, size_t buf_len);

/* cmc_listener_stop stops accepting new connections, lets requests already received finish
 * (at most CMC_LISTENER_DRAIN_TIMEOUT_S), then closes everything. Idempotent. */
CMC_EXPORT void cmc_listener_stop(cmc_listener *l);

/* cmc_listener_free stops |l| (if not stopped) and frees it; NULL-safe. */
CMC_EXPORT void cmc_listener_free(cmc_listener *l);

/* cmc_listener_default_threads is the worker count used when opts->threads is 0. */
CMC_EXPORT unsigned cmc_listener_default_threads(void);

#ifdef __cplusplus
}
#endif
#endif /* CMC_LISTENER_H */
