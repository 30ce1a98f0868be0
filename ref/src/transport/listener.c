/* listener.c: what every listener shares: options and defaults, access log, port, URL,
 * stop and free. The transports are in http_listener.c, tcp_listener.c, file_listener.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "transport/transport_local.h"

unsigned cmc_listener_default_threads(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < CMC_LISTENER_MIN_THREADS) {
        return CMC_LISTENER_MIN_THREADS;
    }
    if (n > CMC_LISTENER_MAX_THREADS) {
        return CMC_LISTENER_MAX_THREADS;
    }
    return (unsigned)n;
}

cmc_status cmc_tp_listener_new(cmc_listener **out, cmc_tp_kind kind,
                               const cmc_listener_options *opts, cmc_handler_fn fn, void *ctx) {
    if (out == NULL || opts == NULL || fn == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    const char *address = opts->address != NULL ? opts->address : "127.0.0.1";
    const char *path = opts->path != NULL ? opts->path : "/cmc";
    if (strlen(address) >= sizeof(((cmc_listener *)0)->address) ||
        strlen(path) >= sizeof(((cmc_listener *)0)->path) || path[0] != '/') {
        TP_FAIL(CMC_E_ARG, "bad listen address or path");
    }
    if (opts->threads > CMC_LISTENER_MAX_THREADS ||
        (opts->max_body > CMC_TRANSPORT_MAX_BODY_BYTES)) {
        TP_FAIL(CMC_E_LIMIT, "threads or max_body above the documented limit");
    }
    if ((opts->tls_cert_file == NULL) != (opts->tls_key_file == NULL)) {
        TP_FAIL(CMC_E_ARG, "TLS needs both a certificate and a key file");
    }
    cmc_listener *l = OPENSSL_zalloc(sizeof(*l));
    if (l == NULL) {
        CMC_RAISE(CMC_E_NOMEM);
    }
    l->kind = kind;
    l->fn = fn;
    l->ctx = ctx;
    l->log = opts->access_log;
    l->log_ctx = opts->access_log_ctx;
    snprintf(l->address, sizeof(l->address), "%s", address);
    snprintf(l->path, sizeof(l->path), "%s", path);
    l->port = opts->port;
    l->tls = opts->tls_cert_file != NULL;
    l->threads = opts->threads != 0 ? opts->threads : cmc_listener_default_threads();
    l->max_connections =
        opts->max_connections != 0 ? opts->max_connections : CMC_LISTENER_DEFAULT_MAX_CONNECTIONS;
    l->idle_timeout_s =
        opts->idle_timeout_s != 0 ? opts->idle_timeout_s : CMC_LISTENER_DEFAULT_IDLE_TIMEOUT_S;
    l->request_timeout_s = opts->request_timeout_s != 0 ? opts->request_timeout_s
                                                        : CMC_LISTENER_DEFAULT_REQUEST_TIMEOUT_S;
    l->poll_ms = opts->poll_ms != 0 ? opts->poll_ms : CMC_LISTENER_DEFAULT_POLL_MS;
    l->max_body = opts->max_body != 0 ? opts->max_body : CMC_TRANSPORT_MAX_BODY_BYTES;
    if (opts->inbox != NULL) {
        l->inbox = OPENSSL_strdup(opts->inbox);
    }
    if (opts->outbox != NULL) {
        l->outbox = OPENSSL_strdup(opts->outbox);
    }
    if ((opts->inbox != NULL && l->inbox == NULL) || (opts->outbox != NULL && l->outbox == NULL)) {
        cmc_listener_free(l);
        CMC_RAISE(CMC_E_NOMEM);
    }
    *out = l;
    return CMC_OK;
}

void cmc_tp_log(const cmc_listener *l, const char *method, const char *path, const char *media_type,
                const char *peer, const cmc_http_response *resp, uint64_t start_us) {
    if (l->log == NULL) {
        return;
    }
    static const char *const kNames[] = {"http", "tcp", "file"};
    cmc_access_entry e = {
        .transport = (l->kind == CMC_TP_HTTP && l->tls) ? "https" : kNames[l->kind],
        .method = method != NULL ? method : "-",
        .path = path != NULL ? path : "-",
        .media_type = (media_type != NULL && media_type[0] != '\0') ? media_type : "-",
        .peer = peer != NULL ? peer : "-",
        .http_status = resp->http_status,
        .cmc_status = resp->cmc_status,
        .fail_info = resp->fail_info,
        .ms = (double)(cmc_tp_now_us() - start_us) / 1000.0,
    };
    l->log(l->log_ctx, &e);
}

uint16_t cmc_listener_port(const cmc_listener *l) {
    return l == NULL ? 0 : l->port;
}

const char *cmc_listener_url(const cmc_listener *l, char *buf, size_t buf_len) {
    if (buf == NULL || buf_len == 0) {
        return buf;
    }
    buf[0] = '\0';
    if (l == NULL) {
        return buf;
    }
    int v6 = strchr(l->address, ':') != NULL;
    const char *lb = v6 ? "[" : "";
    const char *rb = v6 ? "]" : "";
    switch (l->kind) {
    case CMC_TP_HTTP:
        snprintf(buf, buf_len, "%s://%s%s%s:%u%s", l->tls ? "https" : "http", lb, l->address, rb,
                 (unsigned)l->port, l->path);
        break;
    case CMC_TP_TCP:
        snprintf(buf, buf_len, "tcp://%s%s%s:%u", lb, l->address, rb, (unsigned)l->port);
        break;
    case CMC_TP_FILE:
        snprintf(buf, buf_len, "file:%s,%s", l->inbox, l->outbox);
        break;
    }
    return buf;
}

void cmc_listener_stop(cmc_listener *l) {
    if (l == NULL || l->stopped) {
        return;
    }
    l->stopped = 1;
    if (l->impl_stop != NULL) {
        l->impl_stop(l);
    }
}

void cmc_listener_free(cmc_listener *l) {
    if (l == NULL) {
        return;
    }
    cmc_listener_stop(l);
    OPENSSL_free(l->inbox);
    OPENSSL_free(l->outbox);
    OPENSSL_free(l);
}
