/* client.c: the client side of every transport behind one interface (cmc/transport.h):
 * HTTP(S) with libcurl (RFC 5273 §4), raw TCP (RFC 5273 §5 / RFC 6402), the file transport
 * (RFC 5273 §2), an exec: shim for vendor tools, and an in-process handler. */
#define _GNU_SOURCE /* environ */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "transport/transport_local.h"

/* How often the file client looks for its answer. */
#define FILE_CLIENT_POLL_MS 20
/* Longest media type a shim may write into CMC_RESPONSE_CONTENT_TYPE_FILE. */
#define EXEC_MAX_MEDIA_TYPE 256
/* Longest path the file and exec clients build. */
#define FILE_MAX_PATH_CLIENT 4096
/* Environment entries we add for an exec: shim. */
#define EXEC_EXTRA_ENV 4

extern char **environ;

typedef enum { T_HTTP, T_HTTPS, T_TCP, T_FILE, T_EXEC, T_HANDLER } t_kind;

struct cmc_transport {
    t_kind kind;
    cmc_transport_options opt;
    char *url;     /* http(s): the URL; exec: the command */
    char *host;    /* tcp */
    char *port;    /* tcp */
    char *inbox;   /* file */
    char *outbox;  /* file */
    char *ca_file; /* copies of the option strings */
    char *cert_file;
    char *key_file;
    CURL *curl; /* http(s), reused so connections are kept alive */
    int fd;     /* tcp: the open connection, -1 if none */
    cmc_handler_fn fn;
    void *ctx;
    unsigned long counter; /* file: request names */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result = CURLE_FAILED_INIT;

static void curl_init_once(void) {
    curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static char *dup_or_null(const char *s, int *fail) {
    if (s == NULL) {
        return NULL;
    }
    char *d = OPENSSL_strdup(s);
    if (d == NULL) {
        *fail = 1;
    }
    return d;
}

void cmc_transport_free(cmc_transport *t) {
    if (t == NULL) {
        return;
    }
    if (t->curl != NULL) {
        curl_easy_cleanup(t->curl);
    }
    if (t->fd >= 0) {
        close(t->fd);
    }
    OPENSSL_free(t->url);
    OPENSSL_free(t->host);
    OPENSSL_free(t->port);
    OPENSSL_free(t->inbox);
    OPENSSL_free(t->outbox);
    OPENSSL_free(t->ca_file);
    OPENSSL_free(t->cert_file);
    OPENSSL_free(t->key_file);
    OPENSSL_free(t);
}

const char *cmc_transport_scheme(const cmc_transport *t) {
    static const char *const kNames[] = {"http", "https", "tcp", "file", "exec", "handler"};
    return t == NULL ? "" : kNames[t->kind];
}

static cmc_transport *transport_alloc(t_kind kind, const cmc_transport_options *opts) {
    cmc_transport *t = OPENSSL_zalloc(sizeof(*t));
    if (t == NULL) {
        return NULL;
    }
    t->kind = kind;
    t->fd = -1;
    if (opts != NULL) {
        t->opt = *opts;
    }
    if (t->opt.timeout_ms == 0) {
        t->opt.timeout_ms = CMC_TRANSPORT_DEFAULT_TIMEOUT_MS;
    }
    if (t->opt.connect_timeout_ms == 0) {
        t->opt.connect_timeout_ms = CMC_TRANSPORT_DEFAULT_CONNECT_TIMEOUT_MS;
    }
    int fail = 0;
    t->ca_file = dup_or_null(t->opt.tls_ca_file, &fail);
    t->cert_file = dup_or_null(t->opt.tls_cert_file, &fail);
    t->key_file = dup_or_null(t->opt.tls_key_file, &fail);
    t->opt.tls_ca_file = t->ca_file;
    t->opt.tls_cert_file = t->cert_file;
    t->opt.tls_key_file = t->key_file;
    if (fail) {
        cmc_transport_free(t);
        return NULL;
    }
    return t;
}

/* tcp_parse_authority splits "HOST[:PORT]" or "[V6]:PORT" (no path allowed). */
static cmc_status tcp_parse_authority(cmc_transport *t, const char *auth) {
    char host[256], port[16];
    const char *colon;
    size_t host_len;
    if (auth[0] == '[') {
        const char *rb = strchr(auth, ']');
        if (rb == NULL) {
            TP_FAIL(CMC_E_ARG, "tcp URL: unterminated [IPv6] address");
        }
        host_len = (size_t)(rb - auth - 1);
        auth++;
        colon = rb[1] == ':' ? rb + 1 : NULL;
        if (rb[1] != '\0' && rb[1] != ':') {
            TP_FAIL(CMC_E_ARG, "tcp URL: junk after the address");
        }
    } else {
        colon = strchr(auth, ':');
        host_len = colon != NULL ? (size_t)(colon - auth) : strlen(auth);
    }
    if (host_len == 0 || host_len >= sizeof(host) || strchr(auth, '/') != NULL) {
        TP_FAIL(CMC_E_ARG, "tcp URL: expected tcp://HOST[:PORT]");
    }
    memcpy(host, auth, host_len);
    host[host_len] = '\0';
    if (colon != NULL) {
        char *end = NULL;
        long p = strtol(colon + 1, &end, 10);
        if (end == colon + 1 || *end != '\0' || p < 1 || p > 65535) {
            TP_FAIL(CMC_E_ARG, "tcp URL: bad port");
        }
        snprintf(port, sizeof(port), "%ld", p);
    } else {
        snprintf(port, sizeof(port), "%d", CMC_TCP_DEFAULT_PORT);
    }
    t->host = OPENSSL_strdup(host);
    t->port = OPENSSL_strdup(port);
    if (t->host == NULL || t->port == NULL) {
        CMC_RAISE(CMC_E_NOMEM);
    }
    return CMC_OK;
}

cmc_status cmc_transport_open(cmc_transport **out, const char *url,
                              const cmc_transport_options *opts) {
    if (out == NULL || url == NULL || strlen(url) >= CMC_TRANSPORT_MAX_URL) {
        CMC_RAISE(CMC_E_ARG);
    }
    t_kind kind = T_HTTP; /* every branch below sets it or returns */
    if (strncasecmp(url, "http://", 7) == 0) {
        kind = T_HTTP;
    } else if (strncasecmp(url, "https://", 8) == 0) {
        kind = T_HTTPS;
    } else if (strncasecmp(url, "tcp://", 6) == 0) {
        kind = T_TCP;
    } else if (strncasecmp(url, "file:", 5) == 0) {
        kind = T_FILE;
    } else if (strncasecmp(url, "exec:", 5) == 0) {
        kind = T_EXEC;
    } else {
        TP_FAIL(CMC_E_ARG, "unknown transport URL scheme: %.40s (http, https, tcp, file, exec)",
                url);
    }
    cmc_transport *t = transport_alloc(kind, opts);
    if (t == NULL) {
        CMC_RAISE(CMC_E_NOMEM);
    }
    cmc_status st = CMC_OK;
    switch (kind) {
    case T_HTTP:
    case T_HTTPS:
        pthread_once(&curl_once, curl_init_once);
        t->url = OPENSSL_strdup(url);
        t->curl = curl_init_result == CURLE_OK ? curl_easy_init() : NULL;
        if (t->url == NULL || t->curl == NULL) {
            st = cmc_error_raise(CMC_E_NOMEM, __FILE__, __LINE__);
        }
        break;
    case T_TCP:
        st = tcp_parse_authority(t, url + 6);
        break;
    case T_FILE: {
        const char *comma = strchr(url + 5, ',');
        if (comma == NULL || comma == url + 5 || comma[1] == '\0') {
            st = cmc_error_raise(CMC_E_ARG, __FILE__, __LINE__);
            cmc_error_set_detail("file URL: expected file:INBOX,OUTBOX");
            break;
        }
        t->inbox = OPENSSL_strndup(url + 5, (size_t)(comma - (url + 5)));
        t->outbox = OPENSSL_strdup(comma + 1);
        if (t->inbox == NULL || t->outbox == NULL) {
            st = cmc_error_raise(CMC_E_NOMEM, __FILE__, __LINE__);
        }
        break;
    }
    case T_EXEC:
        if (url[5] == '\0') {
            st = cmc_error_raise(CMC_E_ARG, __FILE__, __LINE__);
            cmc_error_set_detail("exec URL: expected exec:COMMAND");
            break;
        }
        t->url = OPENSSL_strdup(url + 5);
        if (t->url == NULL) {
            st = cmc_error_raise(CMC_E_NOMEM, __FILE__, __LINE__);
        }
        break;
    case T_HANDLER:
        break;
    }
    if (st != CMC_OK) {
        cmc_transport_free(t);
        return st;
    }
    *out = t;
    return CMC_OK;
}

cmc_status cmc_transport_open_handler(cmc_transport **out, cmc_handler_fn fn, void *ctx) {
    if (out == NULL || fn == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    cmc_transport *t = transport_alloc(T_HANDLER, NULL);
    if (t == NULL) {
        CMC_RAISE(CMC_E_NOMEM);
    }
    t->fn = fn;
    t->ctx = ctx;
    *out = t;
    return CMC_OK;
}

/* ---- HTTP(S) ---- */

static size_t http_write_cb(char *data, size_t size, size_t nmemb, void *userp) {
    cmc_tp_buf *b = userp;
    size_t n = size * nmemb;
    if (cmc_tp_buf_append(b, data, n, CMC_TRANSPORT_MAX_BODY_BYTES) != CMC_OK) {
        return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
    }
    return n;
}

/* http_header_cb picks the Allow header out of the answer's headers. */
static size_t http_header_cb(char *data, size_t size, size_t nitems, void *userp) {
    cmc_exchange_options *x = userp;
    size_t n = size * nitems;
    if (x != NULL && n > 6 && strncasecmp(data, "Allow:", 6) == 0) {
        size_t off = 6;
        while (off < n && (data[off] == ' ' || data[off] == '\t')) {
            off++;
        }
        size_t end = n;
        while (end > off &&
               (data[end - 1] == '\r' || data[end - 1] == '\n' || data[end - 1] == ' ')) {
            end--;
        }
        snprintf(x->allow, sizeof(x->allow), "%.*s", (int)(end - off), data + off);
    }
    return n;
}

static cmc_status http_map_error(CURLcode rc, const char *errbuf) {
    cmc_status st;
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        st = CMC_E_CONNECT;
        break;
    case CURLE_OPERATION_TIMEDOUT:
        st = CMC_E_TIMEOUT;
        break;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_USE_SSL_FAILED:
        st = CMC_E_TLS;
        break;
    case CURLE_WRITE_ERROR:
        st = CMC_E_LIMIT;
        break;
    default:
        st = CMC_E_PROTOCOL;
        break;
    }
    cmc_status ret = cmc_error_raise(st, __FILE__, __LINE__);
    cmc_error_set_detail("curl: %s", errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc));
    return ret;
}

static cmc_status http_exchange(cmc_transport *t, cmc_http_response *resp,
                                const cmc_http_request *req, cmc_exchange_options *x) {
    CURL *c = t->curl;
    char errbuf[CURL_ERROR_SIZE] = "";
    char ct[CMC_MAX_MEDIA_TYPE_LEN + 32], accept[CMC_MAX_MEDIA_TYPE_LEN + 32];
    struct curl_slist *hdrs = NULL, *tmp;
    snprintf(ct, sizeof(ct), "Content-Type: %s", req->media_type != NULL ? req->media_type : "");
    tmp = curl_slist_append(hdrs, ct);
    hdrs = tmp != NULL ? tmp : hdrs;
    if (req->accept != NULL) {
        snprintf(accept, sizeof(accept), "Accept: %s", req->accept);
        tmp = curl_slist_append(hdrs, accept);
        hdrs = tmp != NULL ? tmp : hdrs;
    }
    tmp = curl_slist_append(hdrs, "Expect:"); /* no 100-continue round trip */
    hdrs = tmp != NULL ? tmp : hdrs;
    cmc_tp_buf body = {0};
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, t->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    const char *method = x != NULL && x->method != NULL ? x->method : "POST";
    if (strcmp(method, "GET") == 0) {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    } else if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body != NULL ? (const char *)req->body : "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
        if (strcmp(method, "POST") != 0) {
            curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
        }
    }
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, http_header_cb);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, http_write_cb);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)t->opt.timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)t->opt.connect_timeout_ms);
    if (t->opt.tls_ca_file != NULL) {
        curl_easy_setopt(c, CURLOPT_CAINFO, t->opt.tls_ca_file);
    }
    if (t->opt.tls_cert_file != NULL) {
        curl_easy_setopt(c, CURLOPT_SSLCERT, t->opt.tls_cert_file);
        curl_easy_setopt(c, CURLOPT_SSLKEY, t->opt.tls_key_file);
    }
    CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(hdrs);
    if (rc != CURLE_OK) {
        cmc_tp_buf_cleanup(&body);
        return http_map_error(rc, errbuf);
    }
    long code = 0;
    char *rct = NULL;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &rct);
    resp->body = body.p;
    resp->body_len = body.len;
    resp->http_status = (int)code;
    cmc_tp_set_media_type(resp, rct);
    if (code < 200 || code > 299) {
        TP_FAIL(CMC_E_HTTP, "HTTP status %ld", code);
    }
    return CMC_OK;
}

/* ---- TCP ---- */

static cmc_status tcp_connect(cmc_transport *t, uint64_t deadline) {
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int gai = getaddrinfo(t->host, t->port, &hints, &res);
    if (gai != 0) {
        TP_FAIL(CMC_E_CONNECT, "cannot resolve %s: %s", t->host, gai_strerror(gai));
    }
    uint64_t connect_deadline = cmc_tp_now_ms() + t->opt.connect_timeout_ms;
    if (connect_deadline > deadline) {
        connect_deadline = deadline;
    }
    cmc_status st = CMC_E_CONNECT;
    int err = ECONNREFUSED;
    for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        int fd =
            socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
            err = errno;
            close(fd);
            continue;
        }
        int r = cmc_tp_wait_fd(fd, POLLOUT, connect_deadline);
        if (r == 0) {
            close(fd);
            st = CMC_E_TIMEOUT;
            err = ETIMEDOUT;
            break;
        }
        socklen_t len = sizeof(err);
        if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
            close(fd);
            continue;
        }
        t->fd = fd;
        st = CMC_OK;
        break;
    }
    freeaddrinfo(res);
    if (st != CMC_OK) {
        TP_FAIL(st, "tcp://%s:%s: %s", t->host, t->port, strerror(err));
    }
    return CMC_OK;
}

/* tcp_conn_usable: 0 if the server closed our kept-alive connection (or sent junk). */
static int tcp_conn_usable(int fd) {
    struct pollfd p = {.fd = fd, .events = POLLIN, .revents = 0};
    if (poll(&p, 1, 0) == 0) {
        return 1;
    }
    return 0; /* readable before we asked anything: EOF, reset or unsolicited bytes */
}

static cmc_status tcp_exchange(cmc_transport *t, cmc_http_response *resp,
                               const cmc_http_request *req) {
    uint64_t deadline = cmc_tp_now_ms() + t->opt.timeout_ms;
    if (t->fd >= 0 && !tcp_conn_usable(t->fd)) {
        close(t->fd);
        t->fd = -1;
    }
    if (t->fd < 0) {
        CMC_TRY(tcp_connect(t, deadline));
    }
    cmc_status st = cmc_tp_send_all(t->fd, req->body, req->body_len, deadline);
    cmc_tp_buf b = {0};
    size_t total = 0;
    uint8_t chunk[16384];
    while (st == CMC_OK) {
        if (b.len > 0) {
            cmc_status fs = cmc_ber_frame_length(&total, b.p, b.len, CMC_TRANSPORT_MAX_BODY_BYTES);
            if (fs == CMC_OK) {
                break;
            }
            if (fs != CMC_E_TRUNCATED) {
                st = fs == CMC_E_LIMIT ? CMC_E_LIMIT : CMC_E_PROTOCOL;
                break;
            }
        }
        int r = cmc_tp_wait_fd(t->fd, POLLIN, deadline);
        if (r == 0) {
            st = cmc_error_raise(CMC_E_TIMEOUT, __FILE__, __LINE__);
            cmc_error_set_detail("tcp://%s:%s: no complete answer in time", t->host, t->port);
            break;
        }
        ssize_t n = r < 0 ? -1 : recv(t->fd, chunk, sizeof(chunk), 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            continue;
        }
        if (n <= 0) {
            st = cmc_error_raise(CMC_E_PROTOCOL, __FILE__, __LINE__);
            cmc_error_set_detail("tcp://%s:%s: connection closed %s", t->host, t->port,
                                 b.len == 0 ? "without an answer" : "inside the answer");
            break;
        }
        st = cmc_tp_buf_append(&b, chunk, (size_t)n, CMC_TRANSPORT_MAX_BODY_BYTES);
    }
    if (st != CMC_OK || total != b.len) {
        /* Error, or bytes after the answer we never asked for: do not reuse the connection. */
        close(t->fd);
        t->fd = -1;
    }
    if (st != CMC_OK) {
        cmc_tp_buf_cleanup(&b);
        if (st == CMC_E_IO) {
            TP_FAIL(CMC_E_PROTOCOL, "tcp://%s:%s: connection lost while sending", t->host, t->port);
        }
        return st;
    }
    resp->body = b.p;
    resp->body_len = total;
    resp->http_status = 200;
    cmc_tp_set_media_type(resp, cmc_media_type_str(cmc_transport_sniff_response(b.p, total)));
    return CMC_OK;
}

/* ---- file ---- */

static cmc_status file_exchange(cmc_transport *t, cmc_http_response *resp,
                                const cmc_http_request *req) {
    uint64_t deadline = cmc_tp_now_ms() + t->opt.timeout_ms;
    cmc_media_type mt = CMC_MEDIA_OTHER;
    if (req->media_type != NULL &&
        cmc_media_type_parse(&mt, req->media_type, strlen(req->media_type)) != CMC_OK) {
        mt = CMC_MEDIA_OTHER;
    }
    if (mt != CMC_MEDIA_PKCS10 && mt != CMC_MEDIA_CMC_REQUEST) {
        mt = cmc_transport_sniff_request(req->body, req->body_len);
    }
    const char *ext = mt == CMC_MEDIA_PKCS10 ? ".p10" : ".crq";
    uint8_t rnd[8];
    if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
        CMC_RAISE(CMC_E_CRYPTO);
    }
    char stem[96], tmp[FILE_MAX_PATH_CLIENT], dst[FILE_MAX_PATH_CLIENT];
    snprintf(stem, sizeof(stem), "cmc-%ld-%lu-%02x%02x%02x%02x%02x%02x%02x%02x", (long)getpid(),
             ++t->counter, rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
    int n1 = snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", t->inbox, stem);
    int n2 = snprintf(dst, sizeof(dst), "%s/%s%s", t->inbox, stem, ext);
    if (n1 < 0 || n2 < 0 || (size_t)n1 >= sizeof(tmp) || (size_t)n2 >= sizeof(dst)) {
        CMC_RAISE(CMC_E_LIMIT);
    }
    FILE *f = fopen(tmp, "wbx");
    if (f == NULL) {
        TP_FAIL(CMC_E_IO, "cannot write %s: %s", tmp, strerror(errno));
    }
    int ok = fwrite(req->body, 1, req->body_len, f) == req->body_len;
    ok = (fflush(f) == 0) && ok;
    ok = (fsync(fileno(f)) == 0) && ok;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, dst) != 0) {
        unlink(tmp);
        TP_FAIL(CMC_E_IO, "cannot write the request %s", dst);
    }
    static const struct {
        const char *ext;
        cmc_media_type mt;
    } kAnswers[] = {{".crp", CMC_MEDIA_CMC_RESPONSE},
                    {".p7c", CMC_MEDIA_CERTS_ONLY},
                    {".cer", CMC_MEDIA_PKIX_CERT},
                    {".err", CMC_MEDIA_OTHER}};
    for (;;) {
        for (size_t i = 0; i < sizeof(kAnswers) / sizeof(kAnswers[0]); i++) {
            char path[FILE_MAX_PATH_CLIENT];
            snprintf(path, sizeof(path), "%s/%s%s", t->outbox, stem, kAnswers[i].ext);
            FILE *a = fopen(path, "rb");
            if (a == NULL) {
                continue;
            }
            cmc_tp_buf b = {0};
            uint8_t chunk[16384];
            size_t n;
            cmc_status st = CMC_OK;
            while (st == CMC_OK && (n = fread(chunk, 1, sizeof(chunk), a)) > 0) {
                st = cmc_tp_buf_append(&b, chunk, n, CMC_TRANSPORT_MAX_BODY_BYTES);
            }
            fclose(a);
            unlink(path);
            if (st != CMC_OK) {
                cmc_tp_buf_cleanup(&b);
                return st;
            }
            if (kAnswers[i].mt != CMC_MEDIA_OTHER) {
                resp->body = b.p;
                resp->body_len = b.len;
                resp->http_status = 200;
                cmc_tp_set_media_type(resp, cmc_media_type_str(kAnswers[i].mt));
                return CMC_OK;
            }
            /* .err: "HTTP <status>\n" then the reason. */
            int status = 0;
            size_t skip = 0;
            if (b.len > 5 && memcmp(b.p, "HTTP ", 5) == 0) {
                char line[32];
                size_t k = 0;
                while (5 + k < b.len && k + 1 < sizeof(line) && b.p[5 + k] != '\n') {
                    line[k] = (char)b.p[5 + k];
                    k++;
                }
                line[k] = '\0';
                char *end = NULL;
                long v = strtol(line, &end, 10);
                status = (end != line && v >= 100 && v <= 599) ? (int)v : 0;
                skip = 5 + k + (5 + k < b.len ? 1 : 0);
            }
            resp->http_status = status != 0 ? status : 500;
            cmc_tp_set_media_type(resp, "text/plain; charset=utf-8");
            if (skip > 0) { /* b.p is non-NULL whenever skip > 0 (it held "HTTP ") */
                memmove(b.p, b.p + skip, b.len - skip);
            }
            resp->body = b.p;
            resp->body_len = b.len - skip;
            TP_FAIL(CMC_E_HTTP, "file transport: refused with status %d", resp->http_status);
        }
        if (cmc_tp_now_ms() >= deadline) {
            TP_FAIL(CMC_E_TIMEOUT, "file transport: no answer for %s in %s", stem, t->outbox);
        }
        usleep(FILE_CLIENT_POLL_MS * 1000);
    }
}

/* ---- exec: ---- */

static cmc_status exec_exchange(cmc_transport *t, cmc_http_response *resp,
                                const cmc_http_request *req) {
    uint64_t deadline = cmc_tp_now_ms() + t->opt.timeout_ms;
    const char *tmpdir = getenv("TMPDIR");
    char mt_file[FILE_MAX_PATH_CLIENT];
    int n_mt = snprintf(mt_file, sizeof(mt_file), "%s/cmc-exec-mt-XXXXXX",
                        tmpdir != NULL && tmpdir[0] != '\0' ? tmpdir : "/tmp");
    if (n_mt < 0 || (size_t)n_mt >= sizeof(mt_file)) {
        snprintf(mt_file, sizeof(mt_file), "/tmp/cmc-exec-mt-XXXXXX");
    }
    int mt_fd = mkstemp(mt_file);
    if (mt_fd < 0) {
        TP_FAIL(CMC_E_IO, "cannot create a temporary file: %s", strerror(errno));
    }
    close(mt_fd);
    /* The environment: ours plus the CMC_* variables, built before fork (no malloc after). */
    size_t n_env = 0;
    while (environ[n_env] != NULL) {
        n_env++;
    }
    char **envp = OPENSSL_zalloc((n_env + EXEC_EXTRA_ENV + 1) * sizeof(char *));
    char e_ct[CMC_MAX_MEDIA_TYPE_LEN + 32], e_acc[CMC_MAX_MEDIA_TYPE_LEN + 32];
    char e_mt[FILE_MAX_PATH_CLIENT + 40];
    if (envp == NULL) {
        unlink(mt_file);
        CMC_RAISE(CMC_E_NOMEM);
    }
    size_t k = 0;
    for (size_t i = 0; i < n_env; i++) {
        if (strncmp(environ[i], "CMC_CONTENT_TYPE=", 17) != 0 &&
            strncmp(environ[i], "CMC_ACCEPT=", 11) != 0 &&
            strncmp(environ[i], "CMC_RESPONSE_CONTENT_TYPE_FILE=", 31) != 0) {
            envp[k++] = environ[i];
        }
    }
    snprintf(e_ct, sizeof(e_ct), "CMC_CONTENT_TYPE=%s",
             req->media_type != NULL ? req->media_type : "");
    envp[k++] = e_ct;
    if (req->accept != NULL) {
        snprintf(e_acc, sizeof(e_acc), "CMC_ACCEPT=%s", req->accept);
        envp[k++] = e_acc;
    }
    snprintf(e_mt, sizeof(e_mt), "CMC_RESPONSE_CONTENT_TYPE_FILE=%s", mt_file);
    envp[k++] = e_mt;
    envp[k] = NULL;
    /* socketpairs rather than pipes: MSG_NOSIGNAL spares us SIGPIPE if the shim exits early. */
    int sin[2], sout[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sin) != 0) {
        OPENSSL_free(envp);
        unlink(mt_file);
        CMC_RAISE(CMC_E_IO);
    }
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sout) != 0) {
        close(sin[0]);
        close(sin[1]);
        OPENSSL_free(envp);
        unlink(mt_file);
        CMC_RAISE(CMC_E_IO);
    }
    char *argv[] = {"sh", "-c", t->url, NULL};
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0); /* its own process group: a timeout kills the shim and its children */
        dup2(sin[1], 0);
        dup2(sout[1], 1);
        execve("/bin/sh", argv, envp);
        _exit(127);
    }
    OPENSSL_free(envp);
    close(sin[1]);
    close(sout[1]);
    if (pid < 0) {
        close(sin[0]);
        close(sout[0]);
        unlink(mt_file);
        CMC_RAISE(CMC_E_IO);
    }
    int in_fd = sin[0], out_fd = sout[0];
    (void)fcntl(in_fd, F_SETFL, O_NONBLOCK);
    (void)fcntl(out_fd, F_SETFL, O_NONBLOCK);
    size_t off = 0;
    cmc_tp_buf b = {0};
    cmc_status st = CMC_OK;
    if (req->body_len == 0) {
        shutdown(in_fd, SHUT_WR);
    }
    int out_open = 1;
    while (out_open && st == CMC_OK) {
        struct pollfd p[2] = {{.fd = out_fd, .events = POLLIN, .revents = 0},
                              {.fd = in_fd, .events = POLLOUT, .revents = 0}};
        int want_in = off < req->body_len;
        uint64_t now = cmc_tp_now_ms();
        if (now >= deadline) {
            st = cmc_error_raise(CMC_E_TIMEOUT, __FILE__, __LINE__);
            cmc_error_set_detail("exec: no answer within %u ms", t->opt.timeout_ms);
            break;
        }
        int r = poll(p, want_in ? 2 : 1, (int)(deadline - now));
        if (r < 0 && errno != EINTR) {
            st = cmc_error_raise(CMC_E_IO, __FILE__, __LINE__);
            break;
        }
        if (want_in && (p[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t n = send(in_fd, req->body + off, req->body_len - off, MSG_NOSIGNAL);
            if (n > 0) {
                off += (size_t)n;
            } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
                off = req->body_len; /* the shim stopped reading; its answer decides */
            }
            if (off >= req->body_len) {
                shutdown(in_fd, SHUT_WR);
            }
        }
        if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            uint8_t chunk[16384];
            ssize_t n = recv(out_fd, chunk, sizeof(chunk), 0);
            if (n > 0) {
                st = cmc_tp_buf_append(&b, chunk, (size_t)n, CMC_TRANSPORT_MAX_BODY_BYTES);
            } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                out_open = 0;
            }
        }
    }
    close(in_fd);
    close(out_fd);
    if (st != CMC_OK) {
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
    }
    int wstatus = 0;
    while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
    }
    char mt[EXEC_MAX_MEDIA_TYPE] = "";
    FILE *f = fopen(mt_file, "rb");
    if (f != NULL) {
        size_t n = fread(mt, 1, sizeof(mt) - 1, f);
        mt[n] = '\0';
        fclose(f);
        mt[strcspn(mt, "\r\n")] = '\0';
    }
    unlink(mt_file);
    if (st != CMC_OK) {
        cmc_tp_buf_cleanup(&b);
        return st;
    }
    if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
        cmc_tp_buf_cleanup(&b);
        TP_FAIL(CMC_E_PROTOCOL, "exec: the shim exited with status %d",
                WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus));
    }
    if (b.len == 0) {
        TP_FAIL(CMC_E_PROTOCOL, "exec: the shim wrote no answer");
    }
    resp->body = b.p;
    resp->body_len = b.len;
    resp->http_status = 200;
    cmc_tp_set_media_type(
        resp, mt[0] != '\0' ? mt : cmc_media_type_str(cmc_transport_sniff_response(b.p, b.len)));
    return CMC_OK;
}

cmc_status cmc_transport_exchange(cmc_transport *t, cmc_http_response *out_resp,
                                  const cmc_http_request *req) {
    return cmc_transport_exchange_ex(t, out_resp, req, NULL);
}

cmc_status cmc_transport_exchange_ex(cmc_transport *t, cmc_http_response *out_resp,
                                     const cmc_http_request *req, cmc_exchange_options *x) {
    if (t == NULL || out_resp == NULL || req == NULL || (req->body == NULL && req->body_len)) {
        CMC_RAISE(CMC_E_ARG);
    }
    if (req->body_len > CMC_TRANSPORT_MAX_BODY_BYTES) {
        CMC_RAISE(CMC_E_LIMIT);
    }
    if (x != NULL) {
        x->allow[0] = '\0';
    }
    int post = x == NULL || x->method == NULL || strcmp(x->method, "POST") == 0;
    memset(out_resp, 0, sizeof(*out_resp));
    out_resp->cmc_status = -1;
    out_resp->fail_info = -1;
    if (!post && t->kind != T_HTTP && t->kind != T_HTTPS && t->kind != T_HANDLER) {
        TP_FAIL(CMC_E_UNSUPPORTED, "%s: only HTTP has methods", cmc_transport_scheme(t));
    }
    switch (t->kind) {
    case T_HTTP:
    case T_HTTPS:
        return http_exchange(t, out_resp, req, x);
    case T_TCP:
        return tcp_exchange(t, out_resp, req);
    case T_FILE:
        return file_exchange(t, out_resp, req);
    case T_EXEC:
        return exec_exchange(t, out_resp, req);
    case T_HANDLER:
        if (!post) {
            /* As the HTTP listener answers (RFC 5273 §4: the client MUST use POST). */
            cmc_tp_fail_response(out_resp, 405,
                                 "method not allowed: CMC requests are sent with POST");
            snprintf(x->allow, sizeof(x->allow), "POST");
            TP_FAIL(CMC_E_HTTP, "HTTP status 405");
        }
        cmc_tp_call_handler(t->fn, t->ctx, req, out_resp);
        if (out_resp->http_status < 200 || out_resp->http_status > 299) {
            TP_FAIL(CMC_E_HTTP, "HTTP status %d", out_resp->http_status);
        }
        return CMC_OK;
    }
    CMC_RAISE(CMC_E_INTERNAL);
}
