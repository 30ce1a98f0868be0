/* transport_tcp_test.c: the TCP listener and client (RFC 5273 §5 as replaced by RFC 6402 /
 * RFC 10003) over real sockets on 127.0.0.1, with the echo handler of transport_fixture.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "transport_fixture.h"

/* raw_read reads until |want| bytes, EOF or |timeout_ms|; returns bytes read. */
static size_t raw_read(int fd, uint8_t *buf, size_t want, unsigned timeout_ms) {
    size_t n = 0;
    uint64_t deadline = tfx_now_ms() + timeout_ms;
    while (n < want && tfx_now_ms() < deadline) {
        struct pollfd p = {.fd = fd, .events = POLLIN, .revents = 0};
        if (poll(&p, 1, (int)(deadline - tfx_now_ms())) <= 0) {
            break;
        }
        ssize_t r = recv(fd, buf + n, want - n, 0);
        if (r <= 0) {
            break;
        }
        n += (size_t)r;
    }
    return n;
}

/* raw_closed: 1 if the peer closes |fd| within |timeout_ms|. */
static int raw_closed(int fd, unsigned timeout_ms) {
    uint8_t b[64];
    uint64_t deadline = tfx_now_ms() + timeout_ms;
    while (tfx_now_ms() < deadline) {
        struct pollfd p = {.fd = fd, .events = POLLIN, .revents = 0};
        if (poll(&p, 1, (int)(deadline - tfx_now_ms())) <= 0) {
            return 0;
        }
        ssize_t r = recv(fd, b, sizeof(b), 0);
        if (r <= 0) {
            return 1;
        }
    }
    return 0;
}

typedef struct {
    pthread_mutex_t mu;
    int n;
    char peers[8][80];
    char media[8][128];
    int status[8];
} log_sink;

static void log_fn(void *ctx, const cmc_access_entry *e) {
    log_sink *s = ctx;
    pthread_mutex_lock(&s->mu);
    if (s->n < 8) {
        snprintf(s->peers[s->n], sizeof(s->peers[0]), "%s", e->peer);
        snprintf(s->media[s->n], sizeof(s->media[0]), "%s", e->media_type);
        s->status[s->n] = e->http_status;
    }
    s->n++;
    pthread_mutex_unlock(&s->mu);
}

typedef struct {
    tfx_echo echo;
    log_sink log;
    cmc_listener *l;
    char url[128];
} tcp_fx;

static int start(void **state, unsigned idle_s, size_t max_body) {
    tcp_fx *fx = calloc(1, sizeof(*fx));
    if (fx == NULL) {
        return -1;
    }
    tfx_echo_init(&fx->echo);
    pthread_mutex_init(&fx->log.mu, NULL);
    cmc_listener_options o = {.idle_timeout_s = idle_s,
                              .max_body = max_body,
                              .threads = 2,
                              .access_log = log_fn,
                              .access_log_ctx = &fx->log};
    if (cmc_listener_start_tcp(&fx->l, &o, tfx_echo_handler, &fx->echo) != CMC_OK) {
        free(fx);
        return -1;
    }
    cmc_listener_url(fx->l, fx->url, sizeof(fx->url));
    *state = fx;
    return 0;
}

static int setup(void **state) {
    return start(state, 2, 4096);
}

static int setup_stall(void **state) {
    return start(state, 4, 4096);
}

static int teardown(void **state) {
    tcp_fx *fx = *state;
    cmc_listener_free(fx->l);
    tfx_echo_cleanup(&fx->echo);
    pthread_mutex_destroy(&fx->log.mu);
    free(fx);
    return 0;
}

static void test_tcp_url_names_bound_port(void **state) {
    tcp_fx *fx = *state;
    char want[64];
    snprintf(want, sizeof(want), "tcp://127.0.0.1:%u", (unsigned)cmc_listener_port(fx->l));
    assert_string_equal(fx->url, want);
    assert_int_equal(CMC_TCP_DEFAULT_PORT, 5318);
}

static void test_tcp_sniffs_media_type_and_reuses_connection(void **state) {
    tcp_fx *fx = *state;
    cmc_transport *t = NULL;
    assert_int_equal(cmc_transport_open(&t, fx->url, NULL), CMC_OK);
    uint8_t body[128];
    size_t len = tfx_p10_like(body, sizeof(body), 1, 10);
    cmc_http_request req = {.body = body, .body_len = len}; /* no media type on raw TCP */
    cmc_http_response resp;
    assert_int_equal(cmc_transport_exchange(t, &resp, &req), CMC_OK);
    assert_int_equal(resp.http_status, 200);
    assert_true(tfx_check_echo(&resp, body, len));
    assert_string_equal(fx->echo.last_media_type, "application/pkcs10");
    cmc_http_response_cleanup(&resp);
    cmc_http_request req2 = {.body = tfx_content_info, .body_len = sizeof(tfx_content_info)};
    assert_int_equal(cmc_transport_exchange(t, &resp, &req2), CMC_OK);
    assert_true(tfx_check_echo(&resp, tfx_content_info, sizeof(tfx_content_info)));
    assert_string_equal(fx->echo.last_media_type, "application/pkcs7-mime; smime-type=CMC-request");
    cmc_http_response_cleanup(&resp);
    cmc_transport_free(t);
    cmc_listener_stop(fx->l);
    /* Both requests came over one connection (same client port). */
    assert_int_equal(fx->log.n, 2);
    assert_string_equal(fx->log.peers[0], fx->log.peers[1]);
    assert_string_equal(fx->log.media[0], "application/pkcs10");
    assert_int_equal(fx->log.status[1], 200);
}

static void test_tcp_pipelined_requests_get_one_answer_each(void **state) {
    tcp_fx *fx = *state;
    uint8_t a[64], b[64], both[128];
    size_t la = tfx_p10_like(a, sizeof(a), 11, 1);
    size_t lb = tfx_p10_like(b, sizeof(b), 22, 2);
    memcpy(both, a, la);
    memcpy(both + la, b, lb);
    int fd = tfx_raw_connect(cmc_listener_port(fx->l));
    assert_int_equal(send(fd, both, la + lb, MSG_NOSIGNAL), (ssize_t)(la + lb));
    uint8_t got[256];
    size_t want = (la + 12) + (lb + 12);
    assert_int_equal(raw_read(fd, got, want, 5000), want);
    cmc_http_response r1 = {.body = got, .body_len = la + 12};
    cmc_http_response r2 = {.body = got + la + 12, .body_len = lb + 12};
    assert_true(tfx_check_echo(&r1, a, la));
    assert_true(tfx_check_echo(&r2, b, lb));
    close(fd);
}

static void test_tcp_message_split_across_writes(void **state) {
    tcp_fx *fx = *state;
    uint8_t a[512];
    size_t la = tfx_p10_like(a, sizeof(a), 5, 400);
    int fd = tfx_raw_connect(cmc_listener_port(fx->l));
    for (size_t off = 0; off < la; off += 100) {
        size_t n = la - off < 100 ? la - off : 100;
        assert_int_equal(send(fd, a + off, n, MSG_NOSIGNAL), (ssize_t)n);
        usleep(10000);
    }
    uint8_t got[600];
    assert_int_equal(raw_read(fd, got, la + 12, 5000), la + 12);
    cmc_http_response r = {.body = got, .body_len = la + 12};
    assert_true(tfx_check_echo(&r, a, la));
    close(fd);
}

static void test_tcp_indefinite_length_request(void **state) {
    tcp_fx *fx = *state;
    /* ContentInfo with indefinite lengths, as `openssl cms -stream` writes. */
    static const uint8_t ber[] = {0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
                                  0x07, 0x02, 0xa0, 0x80, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00};
    cmc_transport *t = NULL;
    assert_int_equal(cmc_transport_open(&t, fx->url, NULL), CMC_OK);
    cmc_http_request req = {.body = ber, .body_len = sizeof(ber)};
    cmc_http_response resp;
    assert_int_equal(cmc_transport_exchange(t, &resp, &req), CMC_OK);
    assert_true(tfx_check_echo(&resp, ber, sizeof(ber)));
    cmc_http_response_cleanup(&resp);
    cmc_transport_free(t);
}

static void test_tcp_not_ber_closes_connection(void **state) {
    tcp_fx *fx = *state;
    int fd = tfx_raw_connect(cmc_listener_port(fx->l));
    assert_int_equal(send(fd, "GET / HTTP/1.0\r\n\r\n", 18, MSG_NOSIGNAL), 18);
    assert_true(raw_closed(fd, 3000));
    close(fd);
    assert_int_equal(atomic_load(&fx->echo.calls), 0);
}

static void test_tcp_neither_pkcs10_nor_content_info_closes(void **state) {
    tcp_fx *fx = *state;
    static const uint8_t seq_int[] = {0x30, 0x03, 0x02, 0x01, 0x05};
    int fd = tfx_raw_connect(cmc_listener_port(fx->l));
    assert_int_equal(send(fd, seq_int, sizeof(seq_int), MSG_NOSIGNAL), (ssize_t)sizeof(seq_int));
    assert_true(raw_closed(fd, 3000));
    close(fd);
    assert_int_equal(atomic_load(&fx->echo.calls), 0);
}

static void test_tcp_oversize_message_closes_from_header(void **state) {
    tcp_fx *fx = *state;                                         /* max_body 4096 */
    static const uint8_t hdr[] = {0x30, 0x83, 0x01, 0x00, 0x00}; /* 64 KiB announced */
    int fd = tfx_raw_connect(cmc_listener_port(fx->l));
    assert_int_equal(send(fd, hdr, sizeof(hdr), MSG_NOSIGNAL), (ssize_t)sizeof(hdr));
    assert_true(raw_closed(fd, 3000));
    close(fd);
    /* Through the client: the server's close is a protocol error, not a hang. */
    cmc_transport *t = NULL;
    assert_int_equal(cmc_transport_open(&t, fx->url, NULL), CMC_OK);
    uint8_t big[8192];
    size_t len = tfx_p10_like(big, sizeof(big), 1, 5000);
    cmc_http_request req = {.body = big, .body_len = len};
    cmc_http_response resp;
    assert_int_equal(cmc_transport_exchange(t, &resp, &req), CMC_E_PROTOCOL);
    cmc_transport_free(t);
}

static void test_tcp_handler_refusal_closes_connection(void **state) {
    tcp_fx *fx = *state;
    /* Sniffed as PKCS #10, refused by the echo handler with 400, which raw TCP cannot
     * carry. */
    cmc_transport *t = NULL;
    assert_int_equal(cmc_transport_open(&t, fx->url, NULL), CMC_OK);
    cmc_http_request req = {.body = tfx_refused, .body_len = sizeof(tfx_refused)};
    cmc_http_response resp;
    assert_int_equal(cmc_transport_exchange(t, &resp, &req), CMC_E_PROTOCOL);
    /* The client reconnects for the next request. */
    uint8_t ok[64];
    size_t len = tfx_p10_like(ok, sizeof(ok), 3, 3);
    cmc_http_request req2 = {.body = ok, .body_len = len};
    assert_int_equal(cmc_transport_exchange(t, &resp, &req2), CMC_OK);
    assert_true(tfx_check_echo(&resp, ok, len));
    cmc_http_response_cleanup(&resp);
    cmc_transport_free(t);
}

static void test_tcp_idle_connection_closed_and_client_reconnects(void **state) {
    tcp_fx *fx = *state; /* idle timeout 2 s */
    int fd = tfx_raw_connect(cmc_listener_port(fx->l));
    uint64_t t0 = tfx_now_ms();
    assert_true(raw_closed(fd, 5000));
    uint64_t waited = tfx_now_ms() - t0;
    assert_true(waited >= 1500 && waited < 4000);
    close(fd);
    /* A kept-alive client connection that the server closed is replaced transparently. */
    cmc_transport *t = NULL;
    assert_int_equal(cmc_transport_open(&t, fx->url, NULL), CMC_OK);
    uint8_t body[64];
    size_t len = tfx_p10_like(body, sizeof(body), 8, 8);
    cmc_http_request req = {.body = body, .body_len = len};
    cmc_http_response resp;
    assert_int_equal(cmc_transport_exchange(t, &resp, &req), CMC_OK);
    cmc_http_response_cleanup(&resp);
    usleep(2600 * 1000);
    assert_int_equal(cmc_transport_exchange(t, &resp, &req), CMC_OK);
    assert_true(tfx_check_echo(&resp, body, len));
    cmc_http_response_cleanup(&resp);
    cmc_transport_free(t);
}

static void test_tcp_stalled_clients_do_not_block_others(void **state) {
    tcp_fx *fx = *state; /* 2 handler threads, idle 4 s */
    int stalled[4];
    static const uint8_t half[] = {0x30, 0x82, 0x01, 0x00, 0x30, 0x82};
    for (int i = 0; i < 4; i++) {
        stalled[i] = tfx_raw_connect(cmc_listener_port(fx->l));
        assert_int_equal(send(stalled[i], half, sizeof(half), MSG_NOSIGNAL), (ssize_t)sizeof(half));
    }
    uint64_t t0 = tfx_now_ms();
    cmc_transport *t = NULL;
    assert_int_equal(cmc_transport_open(&t, fx->url, NULL), CMC_OK);
    for (uint32_t i = 0; i < 20; i++) {
        uint8_t body[64];
        size_t len = tfx_p10_like(body, sizeof(body), i, 4);
        cmc_http_request req = {.body = body, .body_len = len};
        cmc_http_response resp;
        assert_int_equal(cmc_transport_exchange(t, &resp, &req), CMC_OK);
        assert_true(tfx_check_echo(&resp, body, len));
        cmc_http_response_cleanup(&resp);
    }
    cmc_transport_free(t);
    assert_true(tfx_now_ms() - t0 < 3000); /* well below the 4 s idle timeout */
    for (int i = 0; i < 4; i++) {
        assert_true(raw_closed(stalled[i], 9000));
        close(stalled[i]);
    }
}

#define LOAD_CLIENTS 8
#define LOAD_PER_CLIENT 100

typedef struct {
    const char *url;
    unsigned id;
    unsigned ok;
} load_arg;

static void *load_client(void *p) {
    load_arg *a = p;
    cmc_transport *t = NULL;
    if (cmc_transport_open(&t, a->url, NULL) != CMC_OK) {
        return NULL;
    }
    for (unsigned i = 0; i < LOAD_PER_CLIENT; i++) {
        uint8_t body[256];
        size_t len = tfx_p10_like(body, sizeof(body), a->id * 1000u + i, i % 100);
        cmc_http_request req = {.body = body, .body_len = len};
        cmc_http_response resp;
        if (cmc_transport_exchange(t, &resp, &req) == CMC_OK) {
            a->ok += tfx_check_echo(&resp, body, len);
            cmc_http_response_cleanup(&resp);
        }
    }
    cmc_transport_free(t);
    return NULL;
}

static void test_tcp_concurrent_connections(void **state) {
    tcp_fx *fx = *state;
    pthread_t th[LOAD_CLIENTS];
    load_arg args[LOAD_CLIENTS];
    for (unsigned i = 0; i < LOAD_CLIENTS; i++) {
        args[i] = (load_arg){.url = fx->url, .id = i};
        assert_int_equal(pthread_create(&th[i], NULL, load_client, &args[i]), 0);
    }
    unsigned ok = 0;
    for (unsigned i = 0; i < LOAD_CLIENTS; i++) {
        pthread_join(th[i], NULL);
        ok += args[i].ok;
    }
    assert_int_equal(ok, LOAD_CLIENTS * LOAD_PER_CLIENT);
    assert_int_equal(atomic_load(&fx->echo.calls), LOAD_CLIENTS * LOAD_PER_CLIENT);
}

typedef struct {
    const char *url;
    cmc_status st;
    int ok;
} one_arg;

static void *one_request(void *p) {
    one_arg *a = p;
    cmc_transport *t = NULL;
    if (cmc_transport_open(&t, a->url, NULL) != CMC_OK) {
        a->st = CMC_E_INTERNAL;
        return NULL;
    }
    uint8_t body[64];
    size_t len = tfx_p10_like(body, sizeof(body), 77, 7);
    cmc_http_request req = {.body = body, .body_len = len};
    cmc_http_response resp;
    a->st = cmc_transport_exchange(t, &resp, &req);
    if (a->st == CMC_OK) {
        a->ok = tfx_check_echo(&resp, body, len);
        cmc_http_response_cleanup(&resp);
    }
    cmc_transport_free(t);
    return NULL;
}

static void test_tcp_stop_drains_in_flight_request(void **state) {
    tcp_fx *fx = *state;
    atomic_store(&fx->echo.delay_ms, 400);
    one_arg a = {.url = fx->url};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, one_request, &a), 0);
    while (atomic_load(&fx->echo.calls) == 0) {
        usleep(5000);
    }
    cmc_listener_stop(fx->l);
    pthread_join(th, NULL);
    assert_int_equal(a.st, CMC_OK);
    assert_true(a.ok);
    one_arg b = {.url = fx->url};
    one_request(&b);
    assert_int_equal(b.st, CMC_E_CONNECT);
}

static void test_tcp_trickling_request_is_cut_at_request_timeout(void **state) {
    (void)state;
    tfx_echo e;
    tfx_echo_init(&e);
    cmc_listener *l = NULL;
    cmc_listener_options o = {.idle_timeout_s = 10, .request_timeout_s = 1};
    assert_int_equal(cmc_listener_start_tcp(&l, &o, tfx_echo_handler, &e), CMC_OK);
    int fd = tfx_raw_connect(cmc_listener_port(l));
    static const uint8_t hdr[] = {0x30, 0x82, 0x01, 0x00};
    assert_int_equal(send(fd, hdr, sizeof(hdr), MSG_NOSIGNAL), (ssize_t)sizeof(hdr));
    uint64_t t0 = tfx_now_ms();
    int cut = 0;
    for (int i = 0; i < 50 && !cut; i++) {
        if (send(fd, "\x05", 1, MSG_NOSIGNAL) != 1) {
            cut = 1;
            break;
        }
        cut = raw_closed(fd, 200);
    }
    assert_true(cut);
    assert_true(tfx_now_ms() - t0 < 5000);
    close(fd);
    assert_int_equal(atomic_load(&e.calls), 0);
    cmc_listener_free(l);
    tfx_echo_cleanup(&e);
}

static void test_tcp_connection_limit(void **state) {
    (void)state;
    tfx_echo e;
    tfx_echo_init(&e);
    cmc_listener *l = NULL;
    cmc_listener_options o = {.max_connections = 2, .idle_timeout_s = 30};
    assert_int_equal(cmc_listener_start_tcp(&l, &o, tfx_echo_handler, &e), CMC_OK);
    uint16_t port = cmc_listener_port(l);
    int a = tfx_raw_connect(port), b = tfx_raw_connect(port);
    usleep(100000); /* both accepted */
    int c = tfx_raw_connect(port);
    assert_true(raw_closed(c, 3000)); /* over the limit: closed at once */
    close(c);
    /* The two admitted connections still work. */
    uint8_t body[64], got[128];
    size_t len = tfx_p10_like(body, sizeof(body), 9, 9);
    assert_int_equal(send(a, body, len, MSG_NOSIGNAL), (ssize_t)len);
    assert_int_equal(raw_read(a, got, len + 12, 5000), len + 12);
    /* Closing one frees its slot for a new client. */
    close(b);
    int d = -1;
    uint64_t deadline = tfx_now_ms() + 5000;
    for (;;) {
        d = tfx_raw_connect(port);
        /* May fail while the old slot is still being freed: then we retry. */
        if (send(d, body, len, MSG_NOSIGNAL) == (ssize_t)len &&
            raw_read(d, got, len + 12, 1000) == len + 12) {
            break;
        }
        close(d);
        assert_true(tfx_now_ms() < deadline);
    }
    close(d);
    close(a);
    cmc_listener_free(l);
    tfx_echo_cleanup(&e);
}

static void test_tcp_client_refused_and_timeout(void **state) {
    (void)state;
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    socklen_t l = sizeof(sa);
    assert_int_equal(getsockname(lfd, (struct sockaddr *)&sa, &l), 0);
    char url[64];
    snprintf(url, sizeof(url), "tcp://127.0.0.1:%u", (unsigned)ntohs(sa.sin_port));
    cmc_transport_options o = {.timeout_ms = 300};
    cmc_transport *t = NULL;
    cmc_http_request req = {.body = tfx_content_info, .body_len = sizeof(tfx_content_info)};
    cmc_http_response resp;
    /* Bound but not listening: refused. */
    assert_int_equal(cmc_transport_open(&t, url, &o), CMC_OK);
    assert_int_equal(cmc_transport_exchange(t, &resp, &req), CMC_E_CONNECT);
    /* Listening but never answering: timeout. */
    assert_int_equal(listen(lfd, 4), 0);
    uint64_t t0 = tfx_now_ms();
    assert_int_equal(cmc_transport_exchange(t, &resp, &req), CMC_E_TIMEOUT);
    assert_true(tfx_now_ms() - t0 < 3000);
    cmc_transport_free(t);
    close(lfd);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_tcp_url_names_bound_port, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tcp_sniffs_media_type_and_reuses_connection, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_tcp_pipelined_requests_get_one_answer_each, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_tcp_message_split_across_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tcp_indefinite_length_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tcp_not_ber_closes_connection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tcp_neither_pkcs10_nor_content_info_closes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_tcp_oversize_message_closes_from_header, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_tcp_handler_refusal_closes_connection, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_tcp_idle_connection_closed_and_client_reconnects,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_tcp_stalled_clients_do_not_block_others, setup_stall,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_tcp_concurrent_connections, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tcp_stop_drains_in_flight_request, setup, teardown),
        cmocka_unit_test(test_tcp_trickling_request_is_cut_at_request_timeout),
        cmocka_unit_test(test_tcp_connection_limit),
        cmocka_unit_test(test_tcp_client_refused_and_timeout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
