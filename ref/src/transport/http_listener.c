/* http_listener.c: CMC over HTTP(S), RFC 5273 §4 / RFC 10003 (spec/CMC.md §10), on GNU
 * libmicrohttpd with an internal polling thread and a thread pool. The client MUST use POST
 * and the body is the binary message; the server MUST answer 200 for successful responses.
 * Everything about the message itself is the handler's business. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>
#include <openssl/crypto.h>

#include "transport/transport_local.h"

/* Largest TLS certificate or key file we load; a chain of a few certificates is < 16 KiB. */
#define HTTP_MAX_PEM_BYTES (256 * 1024)
/* TLS 1.2 and later only: RFC 10003 (rfc5273bis) requires TLS 1.2+ and BCP 195. */
#define HTTP_TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"
/* Per-connection memory for headers and MHD's buffers; the body goes to our own buffer. */
#define HTTP_CONNECTION_MEMORY (64 * 1024)

typedef struct {
    struct MHD_Daemon *d;
    MHD_socket quiesced_fd;
    char *cert_pem;
    char *key_pem;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned in_flight; /* requests between their first callback and their completion */
    atomic_int draining;
} http_impl;

typedef struct {
    cmc_tp_buf body;
    uint64_t start_ms;
    uint64_t start_us; /* for the access log */
    int too_large;
    int answered; /* a response was queued before the body arrived (404, 405, 413) */
} http_req;

static void http_quiet_logger(void *cls, const char *fmt, va_list ap) {
    (void)cls;
    (void)fmt;
    (void)ap;
}

static enum MHD_Result http_queue(cmc_listener *l, struct MHD_Connection *c,
                                  const cmc_http_response *resp, const char *method,
                                  const char *url, const char *media_type, uint64_t start_us) {
    http_impl *h = l->impl;
    struct MHD_Response *r =
        MHD_create_response_from_buffer(resp->body_len, resp->body, MHD_RESPMEM_MUST_COPY);
    if (r == NULL) {
        return MHD_NO;
    }
    if (resp->media_type[0] != '\0') {
        (void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->media_type);
    }
    if (resp->http_status == MHD_HTTP_METHOD_NOT_ALLOWED) {
        (void)MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "POST");
    }
    if (atomic_load(&h->draining)) {
        (void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    }
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)resp->http_status, r);
    MHD_destroy_response(r);
    if (l->log != NULL) {
        char peer[80] = "-";
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        if (ci != NULL) {
            cmc_tp_format_peer(ci->client_addr, peer, sizeof(peer));
        }
        cmc_tp_log(l, method, url, media_type, peer, resp, start_us);
    }
    return ret;
}

static enum MHD_Result http_refuse(cmc_listener *l, struct MHD_Connection *c, int status,
                                   const char *text, const char *method, const char *url,
                                   const char *media_type, uint64_t start_us) {
    cmc_http_response resp;
    memset(&resp, 0, sizeof(resp));
    cmc_tp_fail_response(&resp, status, text);
    enum MHD_Result ret = http_queue(l, c, &resp, method, url, media_type, start_us);
    cmc_http_response_cleanup(&resp);
    return ret;
}

static enum MHD_Result http_on_request(void *cls, struct MHD_Connection *c, const char *url,
                                       const char *method, const char *version,
                                       const char *upload_data, size_t *upload_data_size,
                                       void **con_cls) {
    (void)version;
    cmc_listener *l = cls;
    http_impl *h = l->impl;
    http_req *r = *con_cls;
    const char *media_type =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (r == NULL) {
        r = OPENSSL_zalloc(sizeof(*r));
        if (r == NULL) {
            return MHD_NO;
        }
        r->start_ms = cmc_tp_now_ms();
        r->start_us = cmc_tp_now_us();
        *con_cls = r;
        pthread_mutex_lock(&h->mu);
        h->in_flight++;
        pthread_mutex_unlock(&h->mu);
        r->answered = 1; /* until proven a request for the handler, below */
        if (strcmp(url, l->path) != 0) {
            return http_refuse(l, c, MHD_HTTP_NOT_FOUND, "not found: CMC is served at another path",
                               method, url, media_type, r->start_us);
        }
        if (strcmp(method, MHD_HTTP_METHOD_POST) != 0) {
            /* RFC 5273 §4: the client MUST use POST. */
            return http_refuse(l, c, MHD_HTTP_METHOD_NOT_ALLOWED,
                               "method not allowed: CMC requests are sent with POST", method, url,
                               media_type, r->start_us);
        }
        const char *cl =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl != NULL) {
            char *end = NULL;
            errno = 0;
            unsigned long long n = strtoull(cl, &end, 10);
            if (errno != 0 || end == cl || n > l->max_body) {
                r->too_large = 1;
                return http_refuse(l, c, MHD_HTTP_CONTENT_TOO_LARGE,
                                   "request body larger than the server's limit", method, url,
                                   media_type, r->start_us);
            }
        }
        r->answered = 0;
        return MHD_YES;
    }
    if (r->answered) {
        *upload_data_size = 0; /* already answered: drop whatever still arrives */
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        if (cmc_tp_now_ms() - r->start_ms > (uint64_t)l->request_timeout_s * 1000u) {
            return MHD_NO; /* the request-time limit: cut a client that trickles */
        }
        if (!r->too_large &&
            cmc_tp_buf_append(&r->body, upload_data, *upload_data_size, l->max_body) != CMC_OK) {
            r->too_large = 1; /* chunked upload over the limit: drop the rest, answer 413 */
            cmc_tp_buf_cleanup(&r->body);
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->too_large) {
        return http_refuse(l, c, MHD_HTTP_CONTENT_TOO_LARGE,
                           "request body larger than the server's limit", method, url, media_type,
                           r->start_us);
    }
    cmc_http_request req = {
        .body = r->body.p,
        .body_len = r->body.len,
        .media_type = media_type,
        .accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT),
    };
    cmc_http_response resp;
    cmc_tp_call_handler(l->fn, l->ctx, &req, &resp);
    enum MHD_Result ret = http_queue(l, c, &resp, method, url, media_type, r->start_us);
    cmc_http_response_cleanup(&resp);
    return ret;
}

static void http_on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                              enum MHD_RequestTerminationCode toe) {
    (void)c;
    (void)toe;
    cmc_listener *l = cls;
    http_impl *h = l->impl;
    http_req *r = *con_cls;
    if (r == NULL) {
        return;
    }
    cmc_tp_buf_cleanup(&r->body);
    OPENSSL_free(r);
    *con_cls = NULL;
    pthread_mutex_lock(&h->mu);
    h->in_flight--;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
}

static cmc_status http_read_pem(char **out, const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        TP_FAIL(CMC_E_TLS, "cannot open %s", path);
    }
    char *buf = OPENSSL_malloc(HTTP_MAX_PEM_BYTES + 1);
    if (buf == NULL) {
        fclose(f);
        CMC_RAISE(CMC_E_NOMEM);
    }
    size_t n = fread(buf, 1, HTTP_MAX_PEM_BYTES + 1, f);
    fclose(f);
    if (n == 0 || n > HTTP_MAX_PEM_BYTES) {
        OPENSSL_free(buf);
        TP_FAIL(CMC_E_TLS, "%s is empty or larger than %d bytes", path, HTTP_MAX_PEM_BYTES);
    }
    buf[n] = '\0';
    *out = buf;
    return CMC_OK;
}

static void http_impl_free(http_impl *h) {
    if (h == NULL) {
        return;
    }
    OPENSSL_clear_free(h->key_pem, h->key_pem != NULL ? strlen(h->key_pem) : 0);
    OPENSSL_free(h->cert_pem);
    pthread_mutex_destroy(&h->mu);
    pthread_cond_destroy(&h->cv);
    OPENSSL_free(h);
}

static void http_stop(cmc_listener *l) {
    http_impl *h = l->impl;
    if (h == NULL) {
        return;
    }
    atomic_store(&h->draining, 1);
    h->quiesced_fd = MHD_quiesce_daemon(h->d);
    uint64_t deadline = cmc_tp_now_ms() + (uint64_t)CMC_LISTENER_DRAIN_TIMEOUT_S * 1000u;
    pthread_mutex_lock(&h->mu);
    while (h->in_flight > 0 && cmc_tp_now_ms() < deadline) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 50 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&h->cv, &h->mu, &ts);
    }
    pthread_mutex_unlock(&h->mu);
    MHD_stop_daemon(h->d);
    if (h->quiesced_fd != MHD_INVALID_SOCKET) {
        close(h->quiesced_fd);
    }
    http_impl_free(h);
    l->impl = NULL;
}

cmc_status cmc_listener_start_http(cmc_listener **out, const cmc_listener_options *opts,
                                   cmc_handler_fn fn, void *ctx) {
    cmc_listener *l = NULL;
    CMC_TRY(cmc_tp_listener_new(&l, CMC_TP_HTTP, opts, fn, ctx));
    http_impl *h = OPENSSL_zalloc(sizeof(*h));
    if (h == NULL) {
        cmc_listener_free(l);
        CMC_RAISE(CMC_E_NOMEM);
    }
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->cv, NULL);
    h->quiesced_fd = MHD_INVALID_SOCKET;
    cmc_status st = CMC_OK;
    if (l->tls) {
        if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
            st = cmc_error_raise(CMC_E_TLS, __FILE__, __LINE__);
            cmc_error_set_detail("libmicrohttpd was built without TLS");
        } else if ((st = http_read_pem(&h->cert_pem, opts->tls_cert_file)) == CMC_OK) {
            st = http_read_pem(&h->key_pem, opts->tls_key_file);
        }
    }
    int fd = -1;
    if (st == CMC_OK) {
        st = cmc_tp_bind_listen(&fd, &l->port, l->address, l->port, SOMAXCONN);
    }
    if (st != CMC_OK) {
        http_impl_free(h);
        cmc_listener_free(l);
        return st;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_AUTO;
    if (l->tls) {
        flags |= MHD_USE_TLS;
    }
    struct MHD_OptionItem tls_opts[] = {
        {MHD_OPTION_HTTPS_MEM_CERT, 0, h->cert_pem},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, h->key_pem},
        {MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)HTTP_TLS_PRIORITIES},
        {MHD_OPTION_END, 0, NULL},
    };
    struct MHD_OptionItem no_opts[] = {{MHD_OPTION_END, 0, NULL}};
    l->impl = h;
    h->d = MHD_start_daemon(flags, 0, NULL, NULL, http_on_request, l, MHD_OPTION_LISTEN_SOCKET,
                            (MHD_socket)fd, MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)l->threads,
                            MHD_OPTION_CONNECTION_LIMIT, (unsigned int)l->max_connections,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)l->idle_timeout_s,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONNECTION_MEMORY,
                            MHD_OPTION_NOTIFY_COMPLETED, http_on_completed, l,
                            MHD_OPTION_EXTERNAL_LOGGER, http_quiet_logger, NULL, MHD_OPTION_ARRAY,
                            l->tls ? tls_opts : no_opts, MHD_OPTION_END);
    if (h->d == NULL) {
        close(fd);
        l->impl = NULL;
        http_impl_free(h);
        int tls = l->tls;
        cmc_listener_free(l);
        TP_FAIL(tls ? CMC_E_TLS : CMC_E_IO, "libmicrohttpd did not start%s",
                tls ? " (check the TLS certificate and key)" : "");
    }
    l->impl_stop = http_stop;
    *out = l;
    return CMC_OK;
}
