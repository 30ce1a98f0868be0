/* transport_http_test.c: the HTTP(S) listener and client over real sockets on 127.0.0.1
 * (RFC 5273 §4 / RFC 10003; the HTTP rows of the DESIGN.md answer table), with the echo
 * handler of transport_fixture.h. The same rows against the real core are in
 * transport_serve_test.c. */
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
#include <sys/stat.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "transport_fixture.h"

/* ---- helpers ---- */

/* raw_read_all reads until EOF or |timeout_ms|; returns bytes read (NUL-terminated). */
static size_t raw_read_all(int fd, char *buf, size_t cap, unsigned timeout_ms) {
    size_t n = 0;
    uint64_t deadline = tfx_now_ms() + timeout_ms;
    while (n + 1 < cap && tfx_now_ms() < deadline) {
        struct pollfd p = {.fd = fd, .events = POLLIN, .revents = 0};
        if (poll(&p, 1, (int)(deadline - tfx_now_ms())) <= 0) {
            break;
        }
        ssize_t r = recv(fd, buf + n, cap - 1 - n, 0);
        if (r <= 0) {
            break;
        }
        n += (size_t)r;
    }
    buf[n] = '\0';
    return n;
}

static void raw_send(int fd, const void *p, size_t len) {
    assert_int_equal(send(fd, p, len, MSG_NOSIGNAL), (ssize_t)len);
}

typedef struct {
    tfx_echo echo;
    cmc_listener *l;
    char url[256];
} http_fx;

static int start(void **state, const cmc_listener_options *opts_in) {
    http_fx *fx = calloc(1, sizeof(*fx));
    if (fx == NULL) {
        return -1;
    }
    tfx_echo_init(&fx->echo);
    cmc_listener_options opts = {0};
    if (opts_in != NULL) {
        opts = *opts_in;
    }
    if (cmc_listener_start_http(&fx->l, &opts, tfx_echo_handler, &fx->echo) != CMC_OK) {
        free(fx);
        return -1;
    }
    cmc_listener_url(fx->l, fx->url, sizeof(fx->url));
    *state = fx;
    return 0;
}

static int setup(void **state) {
    return start(state, NULL);
}

static int setup_small(void **state) {
    cmc_listener_options opts = {.max_body = 1000, .idle_timeout_s = 2, .threads = 2};
    return start(state, &opts);
}

static int setup_stall(void **state) {
    cmc_listener_options opts = {.idle_timeout_s = 4, .threads = 2};
    return start(state, &opts);
}

static int teardown(void **state) {
    http_fx *fx = *state;
    cmc_listener_free(fx->l);
    tfx_echo_cleanup(&fx->echo);
    free(fx);
    return 0;
}

static cmc_status post(const char *url, cmc_http_response *resp, const uint8_t *body, size_t len,
                       const char *mt) {
    cmc_transport *t = NULL;
    assert_int_equal(cmc_transport_open(&t, url, NULL), CMC_OK);
    cmc_http_request req = {.body = body, .body_len = len, .media_type = mt};
    cmc_status st = cmc_transport_exchange(t, resp, &req);
    cmc_transport_free(t);
    return st;
}

/* ---- tests ---- */

static void test_listener_url_and_port(void **state) {
    http_fx *fx = *state;
    uint16_t port = cmc_listener_port(fx->l);
    assert_true(port > 0);
    char want[64];
    snprintf(want, sizeof(want), "http://127.0.0.1:%u/cmc", (unsigned)port);
    assert_string_equal(fx->url, want);
}

static void test_http_post_returns_handler_answer(void **state) {
    http_fx *fx = *state;
    uint8_t body[256];
    size_t len = tfx_p10_like(body, sizeof(body), 42, 100);
    cmc_http_response resp;
    assert_int_equal(post(fx->url, &resp, body, len, TFX_P10), CMC_OK);
    assert_int_equal(resp.http_status, 200);
    assert_string_equal(resp.media_type, "application/pkcs7-mime; smime-type=CMC-response");
    assert_true(tfx_check_echo(&resp, body, len));
    assert_int_equal(resp.cmc_status, -1);
    assert_string_equal(fx->echo.last_media_type, TFX_P10);
    cmc_http_response_cleanup(&resp);
}

static void test_http_binary_body_with_nul_and_high_bytes(void **state) {
    http_fx *fx = *state;
    /* Every byte value, inside one OCTET STRING: the body must arrive unchanged. */
    uint8_t body[4 + 256] = {0x04, 0x82, 0x01, 0x00};
    for (int i = 0; i < 256; i++) {
        body[4 + i] = (uint8_t)i;
    }
    cmc_http_response resp;
    assert_int_equal(post(fx->url, &resp, body, sizeof(body), TFX_CMC_REQ), CMC_OK);
    assert_true(tfx_check_echo(&resp, body, sizeof(body)));
    cmc_http_response_cleanup(&resp);
}

static void test_http_get_is_405_with_allow_post(void **state) {
    http_fx *fx = *state;
    int fd = tfx_raw_connect(cmc_listener_port(fx->l));
    const char *req = "GET /cmc HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    raw_send(fd, req, strlen(req));
    char buf[4096];
    raw_read_all(fd, buf, sizeof(buf), 5000);
    close(fd);
    assert_true(strncmp(buf, "HTTP/1.1 405 ", 13) == 0);
    assert_non_null(strstr(buf, "\r\nAllow: POST\r\n"));
    assert_int_equal(atomic_load(&fx->echo.calls), 0);
}

static void test_client_get_sees_405_and_allow(void **state) {
    http_fx *fx = *state;
    cmc_transport *t = NULL;
    assert_int_equal(cmc_transport_open(&t, fx->url, NULL), CMC_OK);
    cmc_http_request req = {
        .body = tfx_content_info, .body_len = sizeof(tfx_content_info), .media_type = TFX_CMC_REQ};
    cmc_http_response resp;
    static const char *const kMethods[] = {"GET", "PUT", "DELETE", "HEAD"};
    for (size_t i = 0; i < 4; i++) {
        cmc_exchange_options x = {.method = kMethods[i]};
        assert_int_equal(cmc_transport_exchange_ex(t, &resp, &req, &x), CMC_E_HTTP);
        assert_int_equal(resp.http_status, 405);
        assert_string_equal(x.allow, "POST");
        cmc_http_response_cleanup(&resp);
    }
    /* POST through _ex on the same connection: the handler's answer, no Allow header. */
    cmc_exchange_options x = {.method = "POST"};
    assert_int_equal(cmc_transport_exchange_ex(t, &resp, &req, &x), CMC_OK);
    assert_string_equal(x.allow, "");
    assert_true(tfx_check_echo(&resp, tfx_content_info, sizeof(tfx_content_info)));
    cmc_http_response_cleanup(&resp);
    cmc_transport_free(t);
    assert_int_equal(atomic_load(&fx->echo.calls), 1);
    /* Transports without methods refuse, the in-process one answers like HTTP. */
    assert_int_equal(cmc_transport_open(&t, "tcp://127.0.0.1:1", NULL), CMC_OK);
    cmc_exchange_options g = {.method = "GET"};
    assert_int_equal(cmc_transport_exchange_ex(t, &resp, &req, &g), CMC_E_UNSUPPORTED);
    cmc_transport_free(t);
    assert_int_equal(cmc_transport_open_handler(&t, tfx_echo_handler, &fx->echo), CMC_OK);
    assert_int_equal(cmc_transport_exchange_ex(t, &resp, &req, &g), CMC_E_HTTP);
    assert_int_equal(resp.http_status, 405);
    assert_string_equal(g.allow, "POST");
    cmc_http_response_cleanup(&resp);
    cmc_transport_free(t);
    assert_int_equal(atomic_load(&fx->echo.calls), 1);
}

static void test_http_put_is_405(void **state) {
    http_fx *fx = *state;
    int fd = tfx_raw_connect(cmc_listener_port(fx->l));
    const char *req = "PUT /cmc HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                      "Connection: close\r\n\r\n\x30\x00";
    raw_send(fd, req, strlen(req) + 1); /* + the NUL that ends the 2-byte body */
    char buf[4096];
    raw_read_all(fd, buf, sizeof(buf), 5000);
    close(fd);
    assert_true(strncmp(buf, "HTTP/1.1 405 ", 13) == 0);
    assert_non_null(strstr(buf, "\r\nAllow: POST\r\n"));
}

static void test_http_other_path_is_404(void **state) {
    http_fx *fx = *state;
    char url[300];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/other", (unsigned)cmc_listener_port(fx->l));
    cmc_http_response resp;
    assert_int_equal(post(url, &resp, tfx_content_info, sizeof(tfx_content_info), TFX_CMC_REQ),
                     CMC_E_HTTP);
    assert_int_equal(resp.http_status, 404);
    assert_int_equal(atomic_load(&fx->echo.calls), 0);
    cmc_http_response_cleanup(&resp);
}

static void test_http_handler_415_reaches_client(void **state) {
    http_fx *fx = *state;
    cmc_http_response resp;
    assert_int_equal(post(fx->url, &resp, tfx_content_info, sizeof(tfx_content_info),
                          "application/octet-stream"),
                     CMC_E_HTTP);
    assert_int_equal(resp.http_status, 415);
    assert_string_equal(resp.media_type, "text/plain");
    assert_string_equal(fx->echo.last_media_type, "application/octet-stream");
    cmc_http_response_cleanup(&resp);
}

static void test_http_body_over_limit_is_413(void **state) {
    http_fx *fx = *state; /* max_body 1000 */
    uint8_t body[2000];
    size_t len = tfx_p10_like(body, sizeof(body), 1, 1500);
    cmc_http_response resp;
    assert_int_equal(post(fx->url, &resp, body, len, TFX_P10), CMC_E_HTTP);
    assert_int_equal(resp.http_status, 413);
    assert_int_equal(atomic_load(&fx->echo.calls), 0);
    cmc_http_response_cleanup(&resp);
    /* Just under the limit still works. */
    len = tfx_p10_like(body, sizeof(body), 2, 900);
    assert_true(len <= 1000);
    assert_int_equal(post(fx->url, &resp, body, len, TFX_P10), CMC_OK);
    cmc_http_response_cleanup(&resp);
}

static void test_http_chunked_body_over_limit_is_413(void **state) {
    http_fx *fx = *state; /* max_body 1000 */
    int fd = tfx_raw_connect(cmc_listener_port(fx->l));
    const char *head = "POST /cmc HTTP/1.1\r\nHost: x\r\nContent-Type: application/pkcs10\r\n"
                       "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    raw_send(fd, head, strlen(head));
    char chunk[600 + 16];
    memset(chunk, 'A', sizeof(chunk));
    int hl = snprintf(chunk, sizeof(chunk), "258\r\n"); /* 0x258 = 600 */
    chunk[hl + 600] = '\r';
    chunk[hl + 601] = '\n';
    raw_send(fd, chunk, (size_t)hl + 602);
    raw_send(fd, chunk, (size_t)hl + 602);
    raw_send(fd, "0\r\n\r\n", 5);
    char buf[4096];
    raw_read_all(fd, buf, sizeof(buf), 5000);
    close(fd);
    assert_true(strncmp(buf, "HTTP/1.1 413 ", 13) == 0);
    assert_int_equal(atomic_load(&fx->echo.calls), 0);
}

static void test_http_malformed_body_answer_from_handler(void **state) {
    http_fx *fx = *state;
    static const uint8_t junk[] = {0x30, 0x05, 0x02, 0x01};
    cmc_http_response resp;
    assert_int_equal(post(fx->url, &resp, junk, sizeof(junk), TFX_P10), CMC_E_HTTP);
    assert_int_equal(resp.http_status, 400);
    cmc_http_response_cleanup(&resp);
}

static void test_curl_command_line_client(void **state) {
    http_fx *fx = *state;
    char dir[] = "/tmp/cmc-curl-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char in[256], out[256], cmd[1024];
    snprintf(in, sizeof(in), "%s/req.p10", dir);
    snprintf(out, sizeof(out), "%s/resp.crp", dir);
    uint8_t body[256];
    size_t len = tfx_p10_like(body, sizeof(body), 7, 50);
    FILE *f = fopen(in, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(body, 1, len, f), len);
    fclose(f);
    snprintf(cmd, sizeof(cmd),
             "curl -sS --fail -o '%s' --data-binary @'%s' "
             "-H 'Content-Type: application/pkcs10' '%s'",
             out, in, fx->url);
    assert_int_equal(system(cmd), 0);
    f = fopen(out, "rb");
    assert_non_null(f);
    uint8_t got[512];
    size_t n = fread(got, 1, sizeof(got), f);
    fclose(f);
    cmc_http_response resp = {.body = got, .body_len = n};
    assert_true(tfx_check_echo(&resp, body, len));
    unlink(in);
    unlink(out);
    rmdir(dir);
}

/* ---- load ---- */

#define LOAD_CLIENTS 8
#define LOAD_PER_CLIENT 250 /* 8 x 250 = 2,000 requests */

typedef struct {
    const char *url;
    unsigned id;
    unsigned ok;
    cmc_status first_error;
} load_arg;

static void *load_client(void *p) {
    load_arg *a = p;
    cmc_transport *t = NULL;
    if (cmc_transport_open(&t, a->url, NULL) != CMC_OK) {
        a->first_error = CMC_E_INTERNAL;
        return NULL;
    }
    for (unsigned i = 0; i < LOAD_PER_CLIENT; i++) {
        uint8_t body[256];
        size_t len = tfx_p10_like(body, sizeof(body), a->id * 100000u + i, i % 64);
        cmc_http_request req = {.body = body, .body_len = len, .media_type = TFX_P10};
        cmc_http_response resp;
        cmc_status st = cmc_transport_exchange(t, &resp, &req);
        if (st == CMC_OK && resp.http_status == 200 && tfx_check_echo(&resp, body, len)) {
            a->ok++;
        } else if (a->first_error == CMC_OK) {
            a->first_error = st != CMC_OK ? st : CMC_E_PROTOCOL;
        }
        if (st == CMC_OK || st == CMC_E_HTTP) {
            cmc_http_response_cleanup(&resp);
        }
    }
    cmc_transport_free(t);
    return NULL;
}

static void run_load(const char *url, tfx_echo *echo) {
    pthread_t th[LOAD_CLIENTS];
    load_arg args[LOAD_CLIENTS];
    for (unsigned i = 0; i < LOAD_CLIENTS; i++) {
        args[i] = (load_arg){.url = url, .id = i};
        assert_int_equal(pthread_create(&th[i], NULL, load_client, &args[i]), 0);
    }
    unsigned ok = 0;
    for (unsigned i = 0; i < LOAD_CLIENTS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].first_error, CMC_OK);
        ok += args[i].ok;
    }
    assert_int_equal(ok, LOAD_CLIENTS * LOAD_PER_CLIENT);
    assert_int_equal(atomic_load(&echo->calls), LOAD_CLIENTS * LOAD_PER_CLIENT);
}

static void test_http_load_2000_requests_8_connections(void **state) {
    http_fx *fx = *state;
    run_load(fx->url, &fx->echo);
}

typedef struct {
    const char *url;
    cmc_status st;
    int http_status;
    int echo_ok;
} one_arg;

static void *one_request(void *p) {
    one_arg *a = p;
    uint8_t body[64];
    size_t len = tfx_p10_like(body, sizeof(body), 99, 3);
    cmc_transport *t = NULL;
    if (cmc_transport_open(&t, a->url, NULL) != CMC_OK) {
        a->st = CMC_E_INTERNAL;
        return NULL;
    }
    cmc_http_request req = {.body = body, .body_len = len, .media_type = TFX_P10};
    cmc_http_response resp;
    a->st = cmc_transport_exchange(t, &resp, &req);
    if (a->st == CMC_OK) {
        a->http_status = resp.http_status;
        a->echo_ok = tfx_check_echo(&resp, body, len);
        cmc_http_response_cleanup(&resp);
    }
    cmc_transport_free(t);
    return NULL;
}

static void test_http_stalled_client_does_not_block_others(void **state) {
    http_fx *fx = *state; /* idle timeout 4 s, 2 threads */
    /* Two stalled clients (as many as worker threads): headers and half a body. */
    int stalled[2];
    for (int i = 0; i < 2; i++) {
        stalled[i] = tfx_raw_connect(cmc_listener_port(fx->l));
        const char *head = "POST /cmc HTTP/1.1\r\nHost: x\r\nContent-Type: application/pkcs10\r\n"
                           "Content-Length: 100\r\n\r\n\x30\x62\x30";
        raw_send(stalled[i], head, strlen(head));
    }
    usleep(100000);
    uint64_t t0 = tfx_now_ms();
    for (int i = 0; i < 20; i++) {
        one_arg a = {.url = fx->url};
        one_request(&a);
        assert_int_equal(a.st, CMC_OK);
        assert_true(a.echo_ok);
    }
    assert_true(tfx_now_ms() - t0 < 3000); /* well below the 4 s idle timeout */
    /* The server closes the stalled connections after the idle timeout. */
    for (int i = 0; i < 2; i++) {
        char buf[512];
        uint64_t s = tfx_now_ms();
        raw_read_all(stalled[i], buf, sizeof(buf), 10000);
        assert_true(tfx_now_ms() - s < 9000);
        close(stalled[i]);
    }
    assert_int_equal(atomic_load(&fx->echo.calls), 20);
}

static void test_http_trickling_body_is_cut_at_request_timeout(void **state) {
    (void)state;
    tfx_echo e;
    tfx_echo_init(&e);
    cmc_listener *l = NULL;
    cmc_listener_options o = {.idle_timeout_s = 10, .request_timeout_s = 1};
    assert_int_equal(cmc_listener_start_http(&l, &o, tfx_echo_handler, &e), CMC_OK);
    int fd = tfx_raw_connect(cmc_listener_port(l));
    const char *head = "POST /cmc HTTP/1.1\r\nHost: x\r\nContent-Type: application/pkcs10\r\n"
                       "Content-Length: 100\r\n\r\n";
    raw_send(fd, head, strlen(head));
    /* One byte every 200 ms: never idle, but the whole body would take 20 s. */
    uint64_t t0 = tfx_now_ms();
    int cut = 0;
    for (int i = 0; i < 50 && !cut; i++) {
        if (send(fd, "\x30", 1, MSG_NOSIGNAL) != 1) {
            cut = 1;
            break;
        }
        struct pollfd p = {.fd = fd, .events = POLLIN, .revents = 0};
        if (poll(&p, 1, 200) > 0) {
            char b[256];
            cut = recv(fd, b, sizeof(b), 0) <= 0;
        }
    }
    assert_true(cut);
    assert_true(tfx_now_ms() - t0 < 5000);
    close(fd);
    assert_int_equal(atomic_load(&e.calls), 0);
    cmc_listener_free(l);
    tfx_echo_cleanup(&e);
}

static void test_http_stop_drains_in_flight_request(void **state) {
    http_fx *fx = *state;
    atomic_store(&fx->echo.delay_ms, 400);
    one_arg a = {.url = fx->url};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, one_request, &a), 0);
    while (atomic_load(&fx->echo.calls) == 0) {
        usleep(5000);
    }
    cmc_listener_stop(fx->l); /* returns after the in-flight request was answered */
    pthread_join(th, NULL);
    assert_int_equal(a.st, CMC_OK);
    assert_int_equal(a.http_status, 200);
    assert_true(a.echo_ok);
    /* New connections are refused once stopped. */
    one_arg b = {.url = fx->url};
    one_request(&b);
    assert_int_equal(b.st, CMC_E_CONNECT);
}

/* ---- client errors ---- */

static uint16_t unused_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    socklen_t l = sizeof(sa);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &l), 0);
    close(fd);
    return ntohs(sa.sin_port);
}

static void test_client_connection_refused_is_connect(void **state) {
    (void)state;
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/cmc", (unsigned)unused_port());
    cmc_http_response resp;
    assert_int_equal(post(url, &resp, tfx_content_info, sizeof(tfx_content_info), TFX_CMC_REQ),
                     CMC_E_CONNECT);
}

static void test_client_silent_server_is_timeout(void **state) {
    (void)state;
    /* A socket that listens but never answers: the kernel completes the handshake. */
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(listen(lfd, 4), 0);
    socklen_t l = sizeof(sa);
    assert_int_equal(getsockname(lfd, (struct sockaddr *)&sa, &l), 0);
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/cmc", (unsigned)ntohs(sa.sin_port));
    cmc_transport_options o = {.timeout_ms = 300};
    cmc_transport *t = NULL;
    assert_int_equal(cmc_transport_open(&t, url, &o), CMC_OK);
    cmc_http_request req = {
        .body = tfx_content_info, .body_len = sizeof(tfx_content_info), .media_type = TFX_CMC_REQ};
    cmc_http_response resp;
    uint64_t t0 = tfx_now_ms();
    assert_int_equal(cmc_transport_exchange(t, &resp, &req), CMC_E_TIMEOUT);
    assert_true(tfx_now_ms() - t0 < 3000);
    cmc_transport_free(t);
    close(lfd);
}

static void test_client_open_rejects_unknown_scheme(void **state) {
    (void)state;
    cmc_transport *t = NULL;
    assert_int_equal(cmc_transport_open(&t, "ftp://x/y", NULL), CMC_E_ARG);
    assert_null(t);
    assert_int_equal(cmc_transport_open(&t, "tcp://host/path", NULL), CMC_E_ARG);
    assert_int_equal(cmc_transport_open(&t, "tcp://host:99999", NULL), CMC_E_ARG);
    assert_int_equal(cmc_transport_open(&t, "file:only-inbox", NULL), CMC_E_ARG);
    assert_int_equal(cmc_transport_open(&t, "exec:", NULL), CMC_E_ARG);
    assert_int_equal(cmc_transport_open(&t, "tcp://127.0.0.1", NULL), CMC_OK);
    assert_string_equal(cmc_transport_scheme(t), "tcp");
    cmc_transport_free(t);
}

static void test_listener_rejects_bad_options(void **state) {
    (void)state;
    tfx_echo e;
    tfx_echo_init(&e);
    cmc_listener *l = NULL;
    cmc_listener_options o = {.address = "not-an-ip"};
    assert_int_equal(cmc_listener_start_http(&l, &o, tfx_echo_handler, &e), CMC_E_ARG);
    cmc_listener_options o2 = {.path = "no-slash"};
    assert_int_equal(cmc_listener_start_http(&l, &o2, tfx_echo_handler, &e), CMC_E_ARG);
    cmc_listener_options o3 = {.max_body = CMC_TRANSPORT_MAX_BODY_BYTES + 1};
    assert_int_equal(cmc_listener_start_http(&l, &o3, tfx_echo_handler, &e), CMC_E_LIMIT);
    cmc_listener_options o4 = {.tls_cert_file = "/nonexistent.pem",
                               .tls_key_file = "/nonexistent.key"};
    assert_int_equal(cmc_listener_start_http(&l, &o4, tfx_echo_handler, &e), CMC_E_TLS);
    /* Address in use. */
    cmc_listener *a = NULL;
    assert_int_equal(cmc_listener_start_http(&a, &(cmc_listener_options){0}, tfx_echo_handler, &e),
                     CMC_OK);
    cmc_listener_options o5 = {.port = cmc_listener_port(a)};
    assert_int_equal(cmc_listener_start_http(&l, &o5, tfx_echo_handler, &e), CMC_E_IO);
    assert_null(l);
    cmc_listener_free(a);
    tfx_echo_cleanup(&e);
}

/* ---- HTTPS ---- */

typedef struct {
    char dir[64];
    char cert[128];
    char key[128];
} tls_files;

/* A throw-away self-signed certificate for 127.0.0.1 (test only). */
static void make_tls_files(tls_files *f) {
    snprintf(f->dir, sizeof(f->dir), "/tmp/cmc-tls-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->cert, sizeof(f->cert), "%s/cert.pem", f->dir);
    snprintf(f->key, sizeof(f->key), "%s/key.pem", f->dir);
    EVP_PKEY *key = EVP_EC_gen("P-256");
    assert_non_null(key);
    X509 *c = X509_new();
    assert_int_equal(X509_set_version(c, 2), 1);
    ASN1_INTEGER_set(X509_get_serialNumber(c), 1);
    X509_NAME *n = X509_get_subject_name(c);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"127.0.0.1", -1, -1,
                               0);
    assert_int_equal(X509_set_issuer_name(c, n), 1);
    assert_non_null(X509_gmtime_adj(X509_getm_notBefore(c), -60));
    assert_non_null(X509_gmtime_adj(X509_getm_notAfter(c), 3600));
    assert_int_equal(X509_set_pubkey(c, key), 1);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, c, c, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, "IP:127.0.0.1");
    assert_non_null(ext);
    assert_int_equal(X509_add_ext(c, ext, -1), 1);
    X509_EXTENSION_free(ext);
    ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints, "critical,CA:TRUE");
    assert_int_equal(X509_add_ext(c, ext, -1), 1);
    X509_EXTENSION_free(ext);
    assert_true(X509_sign(c, key, EVP_sha256()) > 0);
    FILE *fp = fopen(f->cert, "w");
    assert_non_null(fp);
    assert_int_equal(PEM_write_X509(fp, c), 1);
    fclose(fp);
    fp = fopen(f->key, "w");
    assert_non_null(fp);
    assert_int_equal(PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL, NULL), 1);
    fclose(fp);
    X509_free(c);
    EVP_PKEY_free(key);
}

static void remove_tls_files(tls_files *f) {
    unlink(f->cert);
    unlink(f->key);
    rmdir(f->dir);
}

static void test_https_roundtrip_and_untrusted_server_is_tls_error(void **state) {
    (void)state;
    tls_files f;
    make_tls_files(&f);
    tfx_echo e;
    tfx_echo_init(&e);
    cmc_listener *l = NULL;
    cmc_listener_options o = {.tls_cert_file = f.cert, .tls_key_file = f.key};
    assert_int_equal(cmc_listener_start_http(&l, &o, tfx_echo_handler, &e), CMC_OK);
    char url[128];
    cmc_listener_url(l, url, sizeof(url));
    assert_true(strncmp(url, "https://127.0.0.1:", 18) == 0);
    uint8_t body[64];
    size_t len = tfx_p10_like(body, sizeof(body), 5, 5);
    cmc_http_request req = {.body = body, .body_len = len, .media_type = TFX_P10};
    cmc_http_response resp;
    /* Trusting the server's certificate: works. */
    cmc_transport_options trust = {.tls_ca_file = f.cert};
    cmc_transport *t = NULL;
    assert_int_equal(cmc_transport_open(&t, url, &trust), CMC_OK);
    assert_int_equal(cmc_transport_exchange(t, &resp, &req), CMC_OK);
    assert_true(tfx_check_echo(&resp, body, len));
    cmc_http_response_cleanup(&resp);
    cmc_transport_free(t);
    /* Without that trust anchor: a TLS failure, named as such. */
    tls_files other;
    make_tls_files(&other);
    cmc_transport_options wrong = {.tls_ca_file = other.cert};
    assert_int_equal(cmc_transport_open(&t, url, &wrong), CMC_OK);
    assert_int_equal(cmc_transport_exchange(t, &resp, &req), CMC_E_TLS);
    cmc_transport_free(t);
    /* Plain HTTP to the TLS port is not an answer either. */
    char plain[128];
    snprintf(plain, sizeof(plain), "http://127.0.0.1:%u/cmc", (unsigned)cmc_listener_port(l));
    assert_int_equal(cmc_transport_open(&t, plain, NULL), CMC_OK);
    cmc_status st = cmc_transport_exchange(t, &resp, &req);
    assert_true(st == CMC_E_PROTOCOL || st == CMC_E_HTTP);
    if (st == CMC_E_HTTP) {
        cmc_http_response_cleanup(&resp);
    }
    cmc_transport_free(t);
    cmc_listener_free(l);
    remove_tls_files(&other);
    remove_tls_files(&f);
    tfx_echo_cleanup(&e);
}

/* ---- access log ---- */

typedef struct {
    pthread_mutex_t mu;
    int n;
    char line[256];
} log_sink;

static void log_fn(void *ctx, const cmc_access_entry *e) {
    log_sink *s = ctx;
    pthread_mutex_lock(&s->mu);
    s->n++;
    snprintf(s->line, sizeof(s->line), "%s %s %s %s %d %d", e->transport, e->method, e->path,
             e->media_type, e->http_status, e->cmc_status);
    pthread_mutex_unlock(&s->mu);
}

static void test_http_access_log_one_line_per_request(void **state) {
    (void)state;
    log_sink s = {.mu = PTHREAD_MUTEX_INITIALIZER};
    tfx_echo e;
    tfx_echo_init(&e);
    cmc_listener *l = NULL;
    cmc_listener_options o = {.access_log = log_fn, .access_log_ctx = &s};
    assert_int_equal(cmc_listener_start_http(&l, &o, tfx_echo_handler, &e), CMC_OK);
    char url[128];
    cmc_listener_url(l, url, sizeof(url));
    cmc_http_response resp;
    assert_int_equal(post(url, &resp, tfx_content_info, sizeof(tfx_content_info), TFX_CMC_REQ),
                     CMC_OK);
    cmc_http_response_cleanup(&resp);
    cmc_listener_free(l); /* drains: the log line is written before the answer is sent */
    assert_int_equal(s.n, 1);
    assert_string_equal(s.line, "http POST /cmc " TFX_CMC_REQ " 200 -1");
    tfx_echo_cleanup(&e);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_listener_url_and_port, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_post_returns_handler_answer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_binary_body_with_nul_and_high_bytes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_http_get_is_405_with_allow_post, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_put_is_405, setup, teardown),
        cmocka_unit_test_setup_teardown(test_client_get_sees_405_and_allow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_other_path_is_404, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_handler_415_reaches_client, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_body_over_limit_is_413, setup_small, teardown),
        cmocka_unit_test_setup_teardown(test_http_chunked_body_over_limit_is_413, setup_small,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_http_malformed_body_answer_from_handler, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_curl_command_line_client, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_load_2000_requests_8_connections, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_http_stalled_client_does_not_block_others, setup_stall,
                                        teardown),
        cmocka_unit_test(test_http_trickling_body_is_cut_at_request_timeout),
        cmocka_unit_test_setup_teardown(test_http_stop_drains_in_flight_request, setup, teardown),
        cmocka_unit_test(test_client_connection_refused_is_connect),
        cmocka_unit_test(test_client_silent_server_is_timeout),
        cmocka_unit_test(test_client_open_rejects_unknown_scheme),
        cmocka_unit_test(test_listener_rejects_bad_options),
        cmocka_unit_test(test_https_roundtrip_and_untrusted_server_is_tls_error),
        cmocka_unit_test(test_http_access_log_one_line_per_request),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
