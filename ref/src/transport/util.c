/* util.c: small helpers shared by the transport clients and listeners. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "transport/transport_local.h"

uint64_t cmc_tp_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t cmc_tp_now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

cmc_status cmc_tp_buf_append(cmc_tp_buf *b, const void *data, size_t len, size_t max) {
    if (len == 0) {
        return CMC_OK;
    }
    if (b->len > max || len > max - b->len) {
        CMC_RAISE(CMC_E_LIMIT);
    }
    if (b->len + len > b->cap) {
        size_t cap = b->cap == 0 ? 4096 : b->cap;
        while (cap < b->len + len) {
            cap *= 2;
        }
        if (cap > max) {
            cap = max;
        }
        uint8_t *p = OPENSSL_realloc(b->p, cap);
        if (p == NULL) {
            CMC_RAISE(CMC_E_NOMEM);
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, len);
    b->len += len;
    return CMC_OK;
}

void cmc_tp_buf_cleanup(cmc_tp_buf *b) {
    OPENSSL_free(b->p);
    memset(b, 0, sizeof(*b));
}

void cmc_tp_set_media_type(cmc_http_response *resp, const char *mt) {
    snprintf(resp->media_type, sizeof(resp->media_type), "%s", mt == NULL ? "" : mt);
}

void cmc_tp_fail_response(cmc_http_response *resp, int http_status, const char *text) {
    cmc_http_response_cleanup(resp);
    resp->cmc_status = -1;
    resp->fail_info = -1;
    resp->http_status = http_status;
    cmc_tp_set_media_type(resp, "text/plain; charset=utf-8");
    size_t n = strlen(text);
    resp->body = OPENSSL_malloc(n + 1);
    if (resp->body != NULL) {
        memcpy(resp->body, text, n);
        resp->body[n] = '\n';
        resp->body_len = n + 1;
    }
}

void cmc_tp_call_handler(cmc_handler_fn fn, void *ctx, const cmc_http_request *req,
                         cmc_http_response *resp) {
    memset(resp, 0, sizeof(*resp));
    resp->cmc_status = -1;
    resp->fail_info = -1;
    cmc_status st = fn(ctx, req, resp);
    if (st != CMC_OK || resp->http_status < 100 || resp->http_status > 599) {
        cmc_tp_fail_response(resp, 500, "internal error");
    }
}

void cmc_tp_format_peer(const void *sockaddr, char *buf, size_t buf_len) {
    const struct sockaddr *sa = sockaddr;
    char host[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;
    if (sa != NULL && sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = sockaddr;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
        port = ntohs(in->sin_port);
        snprintf(buf, buf_len, "%s:%u", host, port);
    } else if (sa != NULL && sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = sockaddr;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
        port = ntohs(in6->sin6_port);
        snprintf(buf, buf_len, "[%s]:%u", host, port);
    } else {
        snprintf(buf, buf_len, "-");
    }
}

cmc_status cmc_tp_bind_listen(int *out_fd, uint16_t *out_port, const char *address, uint16_t port,
                              int backlog) {
    struct sockaddr_storage ss;
    socklen_t ss_len;
    memset(&ss, 0, sizeof(ss));
    struct sockaddr_in *in = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, address, &in->sin_addr) == 1) {
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        ss_len = sizeof(*in);
    } else if (inet_pton(AF_INET6, address, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        ss_len = sizeof(*in6);
    } else {
        TP_FAIL(CMC_E_ARG, "not a numeric IP address: %s", address);
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        CMC_RAISE(CMC_E_IO);
    }
    int one = 1;
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&ss, ss_len) != 0 || listen(fd, backlog) != 0) {
        int e = errno;
        close(fd);
        cmc_status st = cmc_error_raise(CMC_E_IO, __FILE__, __LINE__);
        cmc_error_set_detail("cannot listen on %s port %u: %s", address, (unsigned)port,
                             strerror(e));
        return st;
    }
    struct sockaddr_storage bound;
    socklen_t bound_len = sizeof(bound);
    if (getsockname(fd, (struct sockaddr *)&bound, &bound_len) != 0) {
        close(fd);
        CMC_RAISE(CMC_E_IO);
    }
    *out_port = bound.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&bound)->sin_port)
                                           : ntohs(((struct sockaddr_in6 *)&bound)->sin6_port);
    *out_fd = fd;
    return CMC_OK;
}

int cmc_tp_wait_fd(int fd, short events, uint64_t deadline_ms) {
    for (;;) {
        uint64_t now = cmc_tp_now_ms();
        if (now >= deadline_ms) {
            return 0;
        }
        uint64_t left = deadline_ms - now;
        struct pollfd pfd = {.fd = fd, .events = events, .revents = 0};
        int r = poll(&pfd, 1, left > 1000000u ? 1000000 : (int)left);
        if (r > 0) {
            return 1;
        }
        if (r < 0 && errno != EINTR) {
            return -1;
        }
    }
}

cmc_status cmc_tp_send_all(int fd, const uint8_t *p, size_t len, uint64_t deadline_ms) {
    size_t off = 0;
    while (off < len) {
        ssize_t n = send(fd, p + off, len - off, MSG_NOSIGNAL);
        if (n > 0) {
            off += (size_t)n;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            int r = cmc_tp_wait_fd(fd, POLLOUT, deadline_ms);
            if (r == 0) {
                CMC_RAISE(CMC_E_TIMEOUT);
            }
            if (r < 0) {
                CMC_RAISE(CMC_E_IO);
            }
            continue;
        }
        CMC_RAISE(CMC_E_IO);
    }
    return CMC_OK;
}

cmc_media_type cmc_tp_extension_media_type(const char *name) {
    size_t n = strlen(name);
    if (n > 4 && strcasecmp(name + n - 4, ".p10") == 0) {
        return CMC_MEDIA_PKCS10;
    }
    if (n > 4 && strcasecmp(name + n - 4, ".crq") == 0) {
        return CMC_MEDIA_CMC_REQUEST;
    }
    return CMC_MEDIA_OTHER;
}

/* Until the server core provides it: the owner frees the body with OPENSSL_free. Weak, so the
 * core's definition (same contract, cmc/server.h) wins when it is linked in. */
__attribute__((weak)) void cmc_http_response_cleanup(cmc_http_response *resp) {
    if (resp == NULL) {
        return;
    }
    OPENSSL_free(resp->body);
    memset(resp, 0, sizeof(*resp));
}
