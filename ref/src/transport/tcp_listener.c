/* tcp_listener.c: CMC over TCP, RFC 5273 §5 as replaced by RFC 6402 / RFC 10003
 * (spec/CMC.md §10): "the message is sent raw, no framing or wrapper"; one answer per
 * request; the client may reuse the connection; the server MAY close idle connections.
 *
 * One thread accepts (and joins finished connection threads); each connection gets its own
 * thread (at most max_connections), so a
 * client that stalls mid-request only holds its own thread, and only until the idle or the
 * request timeout. Calls into the handler are bounded separately by |threads| (the CPU-bound
 * worker pool). The end of a message is found from its outer BER header (frame.c). */
#define _GNU_SOURCE /* accept4, pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "transport/transport_local.h"

/* Bytes read per recv() call. */
#define TCP_READ_CHUNK 16384
/* How often the accept thread joins finished connection threads when no one connects. */
#define TCP_REAP_MS 1000

typedef struct tcp_impl tcp_impl;

typedef struct tcp_conn {
    tcp_impl *t;
    int fd;
    pthread_t thread;
    int done; /* the thread has finished with |fd| and is returning: join it */
    char peer[80];
    struct tcp_conn *next;
} tcp_conn;

struct tcp_impl {
    cmc_listener *l;
    int listen_fd;
    int stop_pipe[2]; /* a byte written at stop keeps the read end readable for everyone */
    pthread_t accept_thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned active; /* live connection threads */
    unsigned busy;   /* handler calls in progress */
    tcp_conn *conns; /* connection threads not joined yet (joined threads leave no
                      * thread-local OpenSSL state behind at exit) */
    atomic_int stopping;
};

/* tcp_conn_finish: called by a connection thread as its last act. */
static void tcp_conn_finish(tcp_impl *t, tcp_conn *c) {
    pthread_mutex_lock(&t->mu);
    close(c->fd);
    c->done = 1;
    t->active--;
    pthread_cond_broadcast(&t->cv);
    pthread_mutex_unlock(&t->mu);
}

/* tcp_reap joins and frees finished connection threads (all of them if |all|). */
static void tcp_reap(tcp_impl *t, int all) {
    tcp_conn *finished = NULL;
    pthread_mutex_lock(&t->mu);
    for (tcp_conn **pp = &t->conns; *pp != NULL;) {
        tcp_conn *c = *pp;
        if (c->done || all) {
            *pp = c->next;
            c->next = finished;
            finished = c;
        } else {
            pp = &c->next;
        }
    }
    pthread_mutex_unlock(&t->mu);
    while (finished != NULL) {
        tcp_conn *c = finished;
        finished = c->next;
        pthread_join(c->thread, NULL);
        OPENSSL_free(c);
    }
}

/* tcp_wait waits for the connection to be readable; 1 readable, 0 timeout, -1 stop/error.
 * |stop_aborts| makes a stop signal end the wait. */
static int tcp_wait(tcp_conn *c, uint64_t deadline_ms, int stop_aborts) {
    for (;;) {
        uint64_t now = cmc_tp_now_ms();
        if (now >= deadline_ms) {
            return 0;
        }
        uint64_t left = deadline_ms - now;
        struct pollfd p[2] = {{.fd = c->fd, .events = POLLIN, .revents = 0},
                              {.fd = c->t->stop_pipe[0], .events = POLLIN, .revents = 0}};
        int r = poll(p, stop_aborts ? 2 : 1, left > 1000000u ? 1000000 : (int)left);
        if (r < 0 && errno != EINTR) {
            return -1;
        }
        if (r > 0 && stop_aborts && (p[1].revents & POLLIN)) {
            return -1;
        }
        if (r > 0 && p[0].revents != 0) {
            return 1;
        }
    }
}

static void tcp_worker_acquire(tcp_impl *t) {
    pthread_mutex_lock(&t->mu);
    while (t->busy >= t->l->threads) {
        pthread_cond_wait(&t->cv, &t->mu);
    }
    t->busy++;
    pthread_mutex_unlock(&t->mu);
}

static void tcp_worker_release(tcp_impl *t) {
    pthread_mutex_lock(&t->mu);
    t->busy--;
    pthread_cond_broadcast(&t->cv);
    pthread_mutex_unlock(&t->mu);
}

/* tcp_serve_one answers the complete message of |len| bytes; returns 0 to keep the
 * connection, -1 to close it. */
static int tcp_serve_one(tcp_conn *c, const uint8_t *msg, size_t len, uint64_t start_us) {
    cmc_listener *l = c->t->l;
    cmc_media_type mt = cmc_transport_sniff_request(msg, len);
    const char *mt_str = cmc_media_type_str(mt);
    cmc_http_response resp;
    if (mt == CMC_MEDIA_OTHER) {
        memset(&resp, 0, sizeof(resp));
        cmc_tp_fail_response(&resp, 415, "neither PKCS #10 nor a ContentInfo");
        cmc_tp_log(l, "-", "-", "-", c->peer, &resp, start_us);
        cmc_http_response_cleanup(&resp);
        return -1;
    }
    cmc_http_request req = {.body = msg, .body_len = len, .media_type = mt_str, .accept = NULL};
    tcp_worker_acquire(c->t);
    cmc_tp_call_handler(l->fn, l->ctx, &req, &resp);
    tcp_worker_release(c->t);
    int keep = -1;
    if (resp.http_status == 200) {
        uint64_t deadline = cmc_tp_now_ms() + (uint64_t)l->idle_timeout_s * 1000u;
        keep = cmc_tp_send_all(c->fd, resp.body, resp.body_len, deadline) == CMC_OK ? 0 : -1;
    }
    cmc_tp_log(l, "-", "-", mt_str, c->peer, &resp, start_us);
    cmc_http_response_cleanup(&resp);
    return keep;
}

static void *tcp_conn_main(void *arg) {
    tcp_conn *c = arg;
    tcp_impl *t = c->t;
    cmc_listener *l = t->l;
    cmc_tp_buf buf = {0};
    uint8_t chunk[TCP_READ_CHUNK];
    uint64_t start_us = 0;
    for (;;) {
        /* A complete message already buffered (pipelined)? */
        if (buf.len > 0) {
            size_t total = 0;
            cmc_status st = cmc_ber_frame_length(&total, buf.p, buf.len, l->max_body);
            if (st == CMC_OK) {
                if (tcp_serve_one(c, buf.p, total, start_us) != 0) {
                    break;
                }
                memmove(buf.p, buf.p + total, buf.len - total);
                buf.len -= total;
                start_us = cmc_tp_now_us();
                if (atomic_load(&t->stopping)) {
                    break; /* drained: this connection's request got its answer */
                }
                continue;
            }
            if (st != CMC_E_TRUNCATED) {
                cmc_http_response resp = {0};
                cmc_tp_fail_response(&resp, st == CMC_E_LIMIT ? 413 : 400, cmc_status_str(st));
                cmc_tp_log(l, "-", "-", "-", c->peer, &resp, start_us);
                cmc_http_response_cleanup(&resp);
                break;
            }
        }
        /* Between requests: idle timeout, and a stop ends the connection. Inside a request:
         * idle timeout per read and the request-time limit; a stop also ends it (a request not
         * yet received completely was never acknowledged). */
        uint64_t now = cmc_tp_now_ms();
        uint64_t deadline = now + (uint64_t)l->idle_timeout_s * 1000u;
        if (buf.len > 0) {
            uint64_t req_deadline = start_us / 1000u + (uint64_t)l->request_timeout_s * 1000u;
            if (req_deadline < deadline) {
                deadline = req_deadline;
            }
        }
        if (tcp_wait(c, deadline, 1) != 1) {
            break;
        }
        ssize_t n = recv(c->fd, chunk, sizeof(chunk), 0);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        if (buf.len == 0) {
            start_us = cmc_tp_now_us();
        }
        /* max_body plus one chunk: the framer reports CMC_E_LIMIT, not the buffer. */
        if (cmc_tp_buf_append(&buf, chunk, (size_t)n, l->max_body + TCP_READ_CHUNK) != CMC_OK) {
            break;
        }
    }
    cmc_tp_buf_cleanup(&buf);
    tcp_conn_finish(t, c);
    return NULL;
}

static void *tcp_accept_main(void *arg) {
    tcp_impl *t = arg;
    for (;;) {
        struct pollfd p[2] = {{.fd = t->listen_fd, .events = POLLIN, .revents = 0},
                              {.fd = t->stop_pipe[0], .events = POLLIN, .revents = 0}};
        int r = poll(p, 2, TCP_REAP_MS);
        if (r < 0 && errno != EINTR) {
            break;
        }
        tcp_reap(t, 0);
        if (p[1].revents & POLLIN) {
            break;
        }
        if (r <= 0 || (p[0].revents & POLLIN) == 0) {
            continue;
        }
        struct sockaddr_storage ss;
        socklen_t ss_len = sizeof(ss);
        int fd =
            accept4(t->listen_fd, (struct sockaddr *)&ss, &ss_len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE) {
                usleep(10000); /* out of descriptors: back off rather than spin */
            }
            continue;
        }
        pthread_mutex_lock(&t->mu);
        int full = t->active >= t->l->max_connections;
        pthread_mutex_unlock(&t->mu);
        tcp_conn *c = full ? NULL : OPENSSL_zalloc(sizeof(*c));
        if (c == NULL) {
            close(fd); /* connection limit: refuse by closing at once */
            continue;
        }
        c->t = t;
        c->fd = fd;
        cmc_tp_format_peer(&ss, c->peer, sizeof(c->peer));
        pthread_mutex_lock(&t->mu);
        if (pthread_create(&c->thread, NULL, tcp_conn_main, c) != 0) {
            pthread_mutex_unlock(&t->mu);
            close(fd);
            OPENSSL_free(c);
            continue;
        }
        t->active++;
        c->next = t->conns;
        t->conns = c;
        pthread_mutex_unlock(&t->mu);
    }
    return NULL;
}

static void tcp_stop(cmc_listener *l) {
    tcp_impl *t = l->impl;
    if (t == NULL) {
        return;
    }
    atomic_store(&t->stopping, 1);
    ssize_t w = write(t->stop_pipe[1], "x", 1);
    (void)w;
    pthread_join(t->accept_thread, NULL);
    close(t->listen_fd);
    uint64_t deadline = cmc_tp_now_ms() + (uint64_t)CMC_LISTENER_DRAIN_TIMEOUT_S * 1000u;
    pthread_mutex_lock(&t->mu);
    while (t->active > 0) {
        if (cmc_tp_now_ms() >= deadline) {
            /* Drain timeout: unblock every connection still sending or receiving. */
            for (tcp_conn *c = t->conns; c != NULL; c = c->next) {
                if (!c->done) {
                    shutdown(c->fd, SHUT_RDWR);
                }
            }
            pthread_cond_wait(&t->cv, &t->mu);
            continue;
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 50 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&t->cv, &t->mu, &ts);
    }
    pthread_mutex_unlock(&t->mu);
    tcp_reap(t, 1);
    close(t->stop_pipe[0]);
    close(t->stop_pipe[1]);
    pthread_mutex_destroy(&t->mu);
    pthread_cond_destroy(&t->cv);
    OPENSSL_free(t);
    l->impl = NULL;
}

cmc_status cmc_listener_start_tcp(cmc_listener **out, const cmc_listener_options *opts,
                                  cmc_handler_fn fn, void *ctx) {
    cmc_listener *l = NULL;
    CMC_TRY(cmc_tp_listener_new(&l, CMC_TP_TCP, opts, fn, ctx));
    if (l->tls) {
        cmc_listener_free(l);
        TP_FAIL(CMC_E_ARG, "TLS is for the HTTP transport; RFC 5273 §5 TCP is raw");
    }
    tcp_impl *t = OPENSSL_zalloc(sizeof(*t));
    if (t == NULL) {
        cmc_listener_free(l);
        CMC_RAISE(CMC_E_NOMEM);
    }
    t->l = l;
    cmc_status st = cmc_tp_bind_listen(&t->listen_fd, &l->port, l->address, l->port, SOMAXCONN);
    if (st != CMC_OK) {
        OPENSSL_free(t);
        cmc_listener_free(l);
        return st;
    }
    if (pipe2(t->stop_pipe, O_CLOEXEC) != 0) {
        close(t->listen_fd);
        OPENSSL_free(t);
        cmc_listener_free(l);
        CMC_RAISE(CMC_E_IO);
    }
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->cv, NULL);
    if (pthread_create(&t->accept_thread, NULL, tcp_accept_main, t) != 0) {
        close(t->listen_fd);
        close(t->stop_pipe[0]);
        close(t->stop_pipe[1]);
        pthread_mutex_destroy(&t->mu);
        pthread_cond_destroy(&t->cv);
        OPENSSL_free(t);
        cmc_listener_free(l);
        CMC_RAISE(CMC_E_INTERNAL);
    }
    l->impl = t;
    l->impl_stop = tcp_stop;
    *out = l;
    return CMC_OK;
}
