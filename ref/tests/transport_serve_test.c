/* transport_serve_test.c: `cmckit serve` (tools/cmd_serve.c) with the real reference core,
 * started on port 0 by the test: enroll and revoke over HTTP, TCP and file compared with the
 * in-process answers to the same requests; the HTTP rows of the DESIGN.md answer table over
 * a real socket; curl as an independent client; the example configuration; and SIGTERM
 * during a revocation load losing no acknowledged revocation. ctest sets CMCKIT to the
 * binary. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "cmc/listener.h"
#include "cmc/transport.h"
#include "server_test_util.h"

/* How long `cmckit serve` may take to print its readiness lines or to exit. */
#define SERVE_START_MS 20000
#define SERVE_EXIT_MS 40000

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static const char *source_dir(void) {
    const char *d = getenv("CMC_SOURCE_DIR");
    return d != NULL ? d : CMC_SOURCE_DIR;
}

static const char *cmckit_path(void) {
    const char *p = getenv("CMCKIT");
    return p != NULL ? p : CMC_BINARY_DIR "/tools/cmckit";
}

/* ---- a scratch directory and a deterministic configuration ---- */

typedef struct {
    char dir[256];
    char cnf[320];
} scratch;

static void scratch_make(scratch *s) {
    char stem[64];
    snprintf(stem, sizeof(stem), "serve_%u", (unsigned)(now_ms() % 1000000u));
    su_tmp_path(s->dir, sizeof(s->dir), stem);
    assert_int_equal(mkdir(s->dir, 0755), 0);
    snprintf(s->cnf, sizeof(s->cnf), "%s/ref.cnf", s->dir);
    /* tools/ref.cnf with absolute fixture paths, no [serve] section, plus a fixed clock and
     * seed so that two servers issue byte-identical certificates for the same requests. */
    char src[1024];
    snprintf(src, sizeof(src), "%s/tools/ref.cnf", source_dir());
    size_t len = 0;
    uint8_t *text = su_read_file(src, &len);
    FILE *out = fopen(s->cnf, "w");
    assert_non_null(out);
    char *cut = strstr((char *)text, "\n[serve]");
    size_t keep = cut != NULL ? (size_t)(cut - (char *)text) : len;
    char pki[1024];
    snprintf(pki, sizeof(pki), "%s/vectors/pki/", source_dir());
    for (size_t i = 0; i < keep;) {
        if (keep - i >= 15 && memcmp(text + i, "../vectors/pki/", 15) == 0) {
            fputs(pki, out);
            i += 15;
        } else {
            fputc(text[i++], out);
        }
    }
    fputs("\n[test]\nclock = 20260701000000Z\nseed = 00112233445566778899aabbccddeeff\n", out);
    fclose(out);
    free(text);
}

static void scratch_remove(scratch *s) {
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
    assert_int_equal(su_run(cmd), 0);
}

static cmc_server *inproc_server(const scratch *s) {
    cmc_server_config *cfg = NULL;
    char err[512] = "";
    if (cmc_server_config_load(&cfg, s->cnf, err, sizeof(err)) != CMC_OK) {
        fail_msg("config: %s", err);
    }
    cmc_server *srv = NULL;
    assert_int_equal(cmc_server_new(&srv, cfg), CMC_OK);
    cmc_server_config_free(cfg);
    return srv;
}

/* ---- `cmckit serve` as a child process ---- */

typedef struct {
    pid_t pid;
    int out_fd;
    char urls[3][1100]; /* readiness lines, in order */
    int num_urls;
    char log[512];
} serve_proc;

/* serve_start runs `cmckit serve ARGS...` (NULL-terminated) and waits for |want| readiness
 * lines "listening on URL". stderr goes to |log| (appended). */
static void serve_start(serve_proc *p, const char *log, int want, const char *const *args) {
    memset(p, 0, sizeof(*p));
    snprintf(p->log, sizeof(p->log), "%s", log);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    const char *argv[32] = {cmckit_path(), "serve"};
    int n = 2;
    for (; args[n - 2] != NULL && n < 31; n++) {
        argv[n] = args[n - 2];
    }
    argv[n] = NULL;
    p->pid = fork();
    assert_true(p->pid >= 0);
    if (p->pid == 0) {
        dup2(fds[1], 1);
        int lfd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (lfd >= 0) {
            dup2(lfd, 2);
        }
        close(fds[0]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    p->out_fd = fds[0];
    char buf[4096];
    size_t len = 0;
    uint64_t deadline = now_ms() + SERVE_START_MS;
    while (p->num_urls < want && now_ms() < deadline) {
        struct pollfd pf = {.fd = p->out_fd, .events = POLLIN, .revents = 0};
        if (poll(&pf, 1, 200) <= 0) {
            continue;
        }
        ssize_t r = read(p->out_fd, buf + len, sizeof(buf) - 1 - len);
        if (r <= 0) {
            break;
        }
        len += (size_t)r;
        buf[len] = '\0';
        char *nl;
        while ((nl = strchr(buf, '\n')) != NULL) {
            *nl = '\0';
            if (strncmp(buf, "listening on ", 13) == 0 && p->num_urls < 3) {
                snprintf(p->urls[p->num_urls++], sizeof(p->urls[0]), "%.1000s", buf + 13);
            }
            size_t rest = len - (size_t)(nl + 1 - buf);
            memmove(buf, nl + 1, rest + 1);
            len = rest;
        }
    }
    if (p->num_urls < want) {
        kill(p->pid, SIGKILL);
        waitpid(p->pid, NULL, 0);
        fail_msg("cmckit serve did not get ready (see %s)", log);
    }
}

/* dump_log copies a serve log to stderr (diagnostics when an assertion is about to fail). */
static void dump_log(const char *log) {
    FILE *f = fopen(log, "r");
    if (f == NULL) {
        return;
    }
    char line[1024];
    int n = 0;
    while (fgets(line, sizeof(line), f) != NULL && n++ < 200) {
        fprintf(stderr, "serve.log: %s", line);
    }
    fclose(f);
}

/* serve_stop sends |sig| and returns the exit status (-1: did not exit in time / signal). */
static int serve_stop(serve_proc *p, int sig) {
    if (sig != 0) {
        kill(p->pid, sig);
    }
    int status = 0;
    uint64_t deadline = now_ms() + SERVE_EXIT_MS;
    pid_t r = 0;
    while ((r = waitpid(p->pid, &status, WNOHANG)) == 0 && now_ms() < deadline) {
        usleep(20000);
    }
    close(p->out_fd);
    if (r != p->pid) {
        kill(p->pid, SIGKILL);
        waitpid(p->pid, NULL, 0);
        fprintf(stderr, "cmckit serve did not exit in time\n");
        dump_log(p->log);
        return -1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "cmckit serve: status 0x%x\n", (unsigned)status);
        dump_log(p->log);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* ---- requests (cmc/msg.h builders over the fixture PKI) ---- */

typedef struct {
    uint8_t *der;
    size_t len;
    const char *media_type;
} request;

static request req_enroll(const char *officer, const char *key_file, const char *subject) {
    cmc_pki_data_builder *b = NULL;
    assert_int_equal(cmc_pki_data_builder_new(&b), CMC_OK);
    X509_REQ *p10 = su_p10(key_file, subject);
    assert_int_equal(cmc_pki_data_builder_add_tcr(b, NULL, 1, p10), CMC_OK);
    request r = {.media_type = SU_CMC_REQUEST};
    su_sign_builder(&r.der, &r.len, b, officer);
    X509_REQ_free(p10);
    cmc_pki_data_builder_free(b);
    return r;
}

static request req_revoke(const char *officer, X509 *cert, long reason) {
    cmc_pki_data_builder *b = NULL;
    assert_int_equal(cmc_pki_data_builder_new(&b), CMC_OK);
    cmc_revoke_spec spec;
    memset(&spec, 0, sizeof(spec));
    spec.issuer = X509_get_issuer_name(cert);
    spec.serial = X509_get0_serialNumber(cert);
    spec.reason = reason;
    assert_int_equal(cmc_pki_data_builder_add_revoke_request(b, NULL, 1, &spec), CMC_OK);
    request r = {.media_type = SU_CMC_REQUEST};
    su_sign_builder(&r.der, &r.len, b, officer);
    cmc_pki_data_builder_free(b);
    return r;
}

static request req_get_cert(X509 *cert) {
    cmc_pki_data_builder *b = NULL;
    assert_int_equal(cmc_pki_data_builder_new(&b), CMC_OK);
    assert_int_equal(cmc_pki_data_builder_add_get_cert(b, NULL, 1, X509_get_issuer_name(cert),
                                                       X509_get0_serialNumber(cert)),
                     CMC_OK);
    request r = {.media_type = SU_CMC_REQUEST};
    su_sign_builder(&r.der, &r.len, b, "officer-both");
    cmc_pki_data_builder_free(b);
    return r;
}

static request req_simple(const char *key_file) {
    X509_REQ *p10 = su_p10(key_file, "/CN=simple pki request");
    request r = {.media_type = SU_PKCS10};
    unsigned char *der = NULL;
    int n = i2d_X509_REQ(p10, &der);
    assert_true(n > 0);
    r.der = OPENSSL_memdup(der, (size_t)n);
    r.len = (size_t)n;
    OPENSSL_free(der);
    X509_REQ_free(p10);
    return r;
}

static void req_free(request *r) {
    cmc_free(r->der);
    r->der = NULL;
}

static cmc_status exchange(cmc_transport *t, cmc_http_response *resp, const request *r) {
    cmc_http_request hr = {.body = r->der, .body_len = r->len, .media_type = r->media_type};
    return cmc_transport_exchange(t, resp, &hr);
}

/* the_ee returns the end-entity certificate of a response (new reference), or NULL. */
static X509 *the_ee(const cmc_response *r) {
    for (int i = 0; i < sk_X509_num(r->certs); i++) {
        X509 *x = sk_X509_value(r->certs, i);
        if (X509_check_ca(x) == 0) {
            X509_up_ref(x);
            return x;
        }
    }
    return NULL;
}

/* same_answer: identical media type, kind, statuses (status, failInfo, bodyList) and
 * certificates. */
static void same_answer(const cmc_http_response *a, const cmc_http_response *b) {
    assert_int_equal(a->http_status, b->http_status);
    assert_string_equal(a->media_type, b->media_type);
    cmc_response ra, rb;
    su_read(a, &ra);
    su_read(b, &rb);
    assert_int_equal(ra.kind, rb.kind);
    assert_int_equal(ra.num_statuses, rb.num_statuses);
    for (size_t i = 0; i < ra.num_statuses; i++) {
        assert_int_equal(ra.statuses[i].status, rb.statuses[i].status);
        assert_int_equal(ra.statuses[i].fail_info, rb.statuses[i].fail_info);
        assert_int_equal(ra.statuses[i].num_body_list, rb.statuses[i].num_body_list);
        for (size_t k = 0; k < ra.statuses[i].num_body_list; k++) {
            assert_int_equal(ra.statuses[i].body_list[k], rb.statuses[i].body_list[k]);
        }
    }
    assert_int_equal(sk_X509_num(ra.certs), sk_X509_num(rb.certs));
    for (int i = 0; i < sk_X509_num(ra.certs); i++) {
        assert_int_equal(X509_cmp(sk_X509_value(ra.certs, i), sk_X509_value(rb.certs, i)), 0);
    }
    cmc_response_cleanup(&ra);
    cmc_response_cleanup(&rb);
}

/* run_sequence sends one enroll/revoke/getCert sequence to the in-process server and to
 * |url|, comparing every answer. */
static void run_sequence(cmc_server *srv, const char *url) {
    cmc_transport *local = NULL, *remote = NULL;
    assert_int_equal(cmc_transport_open_handler(&local, cmc_server_handler, srv), CMC_OK);
    cmc_transport_options o = {.timeout_ms = 20000};
    assert_int_equal(cmc_transport_open(&remote, url, &o), CMC_OK);
    cmc_http_response a, b;
    cmc_response r;

    /* 1. enroll (RSA officer), 2. enroll (P-256 officer) */
    request e1 = req_enroll("officer-both", "ee-p256.key.pem", "/O=cmckit/CN=transport ee 1");
    assert_int_equal(exchange(local, &a, &e1), CMC_OK);
    assert_int_equal(exchange(remote, &b, &e1), CMC_OK);
    same_answer(&a, &b);
    su_read(&a, &r);
    assert_int_equal(r.kind, CMC_RESPONSE_CERTS_ONLY);
    X509 *c1 = the_ee(&r);
    assert_non_null(c1);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&a);
    cmc_http_response_cleanup(&b);
    req_free(&e1);

    request e2 =
        req_enroll("officer-both-p256", "ee-rsa2048.key.pem", "/O=cmckit/CN=transport ee 2");
    assert_int_equal(exchange(local, &a, &e2), CMC_OK);
    assert_int_equal(exchange(remote, &b, &e2), CMC_OK);
    same_answer(&a, &b);
    su_read(&b, &r);
    X509 *c2 = the_ee(&r);
    assert_non_null(c2);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&a);
    cmc_http_response_cleanup(&b);
    req_free(&e2);

    /* 3. revoke c1 (keyCompromise) by the revoke-only officer: success */
    request v1 = req_revoke("officer-revoke", c1, 1);
    assert_int_equal(exchange(local, &a, &v1), CMC_OK);
    assert_int_equal(exchange(remote, &b, &v1), CMC_OK);
    same_answer(&a, &b);
    su_read(&b, &r);
    su_expect(&r, 1, CMC_STATUS_SUCCESS, -1);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&a);
    cmc_http_response_cleanup(&b);

    /* 4. again: failed / badRequest "already revoked" */
    assert_int_equal(exchange(local, &a, &v1), CMC_OK);
    assert_int_equal(exchange(remote, &b, &v1), CMC_OK);
    same_answer(&a, &b);
    su_read(&b, &r);
    su_expect_text(su_expect(&r, 1, CMC_STATUS_FAILED, CMC_FAIL_BAD_REQUEST), "already revoked");
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&a);
    cmc_http_response_cleanup(&b);
    req_free(&v1);

    /* 5. revoke c2 with cACompromise (2): refused by the default reason policy */
    request v2 = req_revoke("officer-both", c2, 2);
    assert_int_equal(exchange(local, &a, &v2), CMC_OK);
    assert_int_equal(exchange(remote, &b, &v2), CMC_OK);
    same_answer(&a, &b);
    su_read(&b, &r);
    su_expect(&r, 1, CMC_STATUS_FAILED, CMC_FAIL_BAD_REQUEST);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&a);
    cmc_http_response_cleanup(&b);
    req_free(&v2);

    /* 6. getCert c1: revoked, reason 1, on both */
    request g = req_get_cert(c1);
    assert_int_equal(exchange(local, &a, &g), CMC_OK);
    assert_int_equal(exchange(remote, &b, &g), CMC_OK);
    same_answer(&a, &b);
    su_read(&b, &r);
    cmc_cert_state st;
    assert_int_equal(
        cmc_cert_state_parse(&st, su_expect(&r, 1, CMC_STATUS_SUCCESS, -1)->status_string), CMC_OK);
    assert_int_equal(st.revoked, 1);
    assert_int_equal(st.reason, 1);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&a);
    cmc_http_response_cleanup(&b);
    req_free(&g);

    /* 7. a Simple PKI Request: refused by policy (officer required), Full PKI Response */
    request s = req_simple("ee-p384.key.pem");
    assert_int_equal(exchange(local, &a, &s), CMC_OK);
    assert_int_equal(exchange(remote, &b, &s), CMC_OK);
    same_answer(&a, &b);
    su_read(&b, &r);
    /* The reference core reports it about the PKCS #10 as body part 1. */
    su_expect(&r, 1, CMC_STATUS_FAILED, CMC_FAIL_BAD_REQUEST);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&a);
    cmc_http_response_cleanup(&b);
    req_free(&s);

    X509_free(c1);
    X509_free(c2);
    cmc_transport_free(local);
    cmc_transport_free(remote);
}

static void compare_over(const char *transport) {
    scratch s;
    scratch_make(&s);
    char log[400], inbox[400], outbox[400];
    snprintf(log, sizeof(log), "%s/serve.log", s.dir);
    snprintf(inbox, sizeof(inbox), "%s/in", s.dir);
    snprintf(outbox, sizeof(outbox), "%s/out", s.dir);
    assert_int_equal(mkdir(inbox, 0755), 0);
    assert_int_equal(mkdir(outbox, 0755), 0);
    serve_proc p;
    if (strcmp(transport, "http") == 0) {
        const char *args[] = {"--config", s.cnf, "--http", "127.0.0.1:0", NULL};
        serve_start(&p, log, 1, args);
        assert_true(strncmp(p.urls[0], "http://127.0.0.1:", 17) == 0);
    } else if (strcmp(transport, "tcp") == 0) {
        const char *args[] = {"--config", s.cnf, "--tcp", "127.0.0.1:0", NULL};
        serve_start(&p, log, 1, args);
        assert_true(strncmp(p.urls[0], "tcp://127.0.0.1:", 16) == 0);
    } else {
        const char *args[] = {"--config", s.cnf, "--inbox", inbox, "--outbox", outbox, NULL};
        serve_start(&p, log, 1, args);
        assert_true(strncmp(p.urls[0], "file:", 5) == 0);
    }
    cmc_server *srv = inproc_server(&s);
    run_sequence(srv, p.urls[0]);
    cmc_server_free(srv);
    assert_int_equal(serve_stop(&p, SIGTERM), 0);
    /* One access-log line per request: 7 requests (one revocation sent twice). */
    size_t len = 0;
    uint8_t *text = su_read_file(log, &len);
    int lines = 0;
    for (size_t i = 0; i < len; i++) {
        lines += text[i] == '\n';
    }
    char *first = strstr((char *)text, " cmc=");
    assert_non_null(first);
    free(text);
    assert_int_equal(lines, 7 + 2); /* + "stopping" and "stopped" */
    scratch_remove(&s);
}

static void test_serve_http_answers_equal_in_process(void **state) {
    (void)state;
    compare_over("http");
}

static void test_serve_tcp_answers_equal_in_process(void **state) {
    (void)state;
    compare_over("tcp");
}

static void test_serve_file_answers_equal_in_process(void **state) {
    (void)state;
    compare_over("file");
}

/* ---- HTTP rows of the answer table, and curl ---- */

static int raw_connect(const char *url) {
    unsigned port = 0;
    assert_int_equal(sscanf(url, "http://127.0.0.1:%u/", &port), 1);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    return fd;
}

static void test_serve_http_answer_table_rows(void **state) {
    (void)state;
    scratch s;
    scratch_make(&s);
    char log[400];
    snprintf(log, sizeof(log), "%s/serve.log", s.dir);
    serve_proc p;
    const char *args[] = {"--http", "127.0.0.1:0", NULL}; /* the embedded default */
    serve_start(&p, log, 1, args);
    const char *url = p.urls[0];
    /* method other than POST: 405, Allow: POST */
    int fd = raw_connect(url);
    const char *get = "GET /cmc HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    assert_int_equal(send(fd, get, strlen(get), MSG_NOSIGNAL), (ssize_t)strlen(get));
    char buf[2048] = "";
    size_t n = 0;
    ssize_t r;
    while (n + 1 < sizeof(buf) && (r = recv(fd, buf + n, sizeof(buf) - 1 - n, 0)) > 0) {
        n += (size_t)r;
    }
    buf[n] = '\0';
    close(fd);
    assert_true(strncmp(buf, "HTTP/1.1 405 ", 13) == 0);
    assert_non_null(strstr(buf, "\r\nAllow: POST\r\n"));

    cmc_transport *t = NULL;
    assert_int_equal(cmc_transport_open(&t, url, NULL), CMC_OK);
    cmc_http_response resp;
    request e = req_enroll("officer-both", "ee-p256.key.pem", "/CN=answer table");
    /* media type not one of the two request types: 415 with a text reason */
    request wrong = e;
    wrong.media_type = "application/octet-stream";
    assert_int_equal(exchange(t, &resp, &wrong), CMC_E_HTTP);
    assert_int_equal(resp.http_status, 415);
    assert_true(strncmp(resp.media_type, "text/plain", 10) == 0);
    assert_true(resp.body_len > 0);
    cmc_http_response_cleanup(&resp);
    /* body larger than the limit: 413, decided from Content-Length before the body is sent
     * (our client refuses to send such a body at all: CMC_E_LIMIT) */
    request big = {.len = CMC_MAX_MESSAGE_BYTES + 1, .media_type = SU_CMC_REQUEST};
    big.der = OPENSSL_zalloc(big.len);
    assert_non_null(big.der);
    assert_int_equal(exchange(t, &resp, &big), CMC_E_LIMIT);
    req_free(&big);
    fd = raw_connect(url);
    char head[256];
    snprintf(head, sizeof(head),
             "POST /cmc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: %s\r\n"
             "Content-Length: %d\r\nConnection: close\r\n\r\n",
             SU_CMC_REQUEST, CMC_MAX_MESSAGE_BYTES + 1);
    assert_int_equal(send(fd, head, strlen(head), MSG_NOSIGNAL), (ssize_t)strlen(head));
    n = 0;
    while (n + 1 < sizeof(buf) && (r = recv(fd, buf + n, sizeof(buf) - 1 - n, 0)) > 0) {
        n += (size_t)r;
    }
    buf[n] = '\0';
    close(fd);
    assert_true(strncmp(buf, "HTTP/1.1 413 ", 13) == 0);
    /* right media type, not a parsable message: 200, failed / badRequest, bodyList {0} */
    static const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x05};
    request bad = {.der = (uint8_t *)junk, .len = sizeof(junk), .media_type = SU_CMC_REQUEST};
    assert_int_equal(exchange(t, &resp, &bad), CMC_OK);
    cmc_response rr;
    su_read(&resp, &rr);
    su_expect(&rr, 0, CMC_STATUS_FAILED, CMC_FAIL_BAD_REQUEST);
    cmc_response_cleanup(&rr);
    cmc_http_response_cleanup(&resp);
    /* and the good request still works on the same connection */
    assert_int_equal(exchange(t, &resp, &e), CMC_OK);
    su_read(&resp, &rr);
    assert_int_equal(rr.kind, CMC_RESPONSE_CERTS_ONLY);
    cmc_response_cleanup(&rr);
    cmc_http_response_cleanup(&resp);
    req_free(&e);
    cmc_transport_free(t);
    assert_int_equal(serve_stop(&p, SIGINT), 0);
    size_t len = 0;
    uint8_t *text = su_read_file(log, &len);
    assert_non_null(strstr((char *)text, "TEST MATERIAL ONLY"));
    assert_non_null(strstr((char *)text, "POST /cmc \"application/pkcs7-mime; "
                                         "smime-type=CMC-request\" 200 cmc=failed "
                                         "fail=badRequest"));
    free(text);
    scratch_remove(&s);
}

static void test_serve_example_config_and_curl(void **state) {
    (void)state;
    scratch s;
    scratch_make(&s);
    char log[400], in[400], out[400], cnf[1024], cmd[4096];
    snprintf(log, sizeof(log), "%s/serve.log", s.dir);
    snprintf(in, sizeof(in), "%s/request.crq", s.dir);
    snprintf(out, sizeof(out), "%s/response.p7c", s.dir);
    /* The shipped example configuration, as a user would run it. */
    snprintf(cnf, sizeof(cnf), "%s/tools/ref.cnf", source_dir());
    serve_proc p;
    const char *args[] = {"--config", cnf, "--http", "127.0.0.1:0", NULL};
    serve_start(&p, log, 1, args);
    request e = req_enroll("officer-both-p256", "ee-p384.key.pem", "/CN=curl client");
    su_write(in, e.der, e.len);
    req_free(&e);
    snprintf(cmd, sizeof(cmd),
             "curl -sS --fail --data-binary @'%s' -o '%s' "
             "-H 'Content-Type: application/pkcs7-mime; smime-type=CMC-request' '%s'",
             in, out, p.urls[0]);
    assert_int_equal(su_run(cmd), 0);
    size_t len = 0;
    uint8_t *body = su_read_file(out, &len);
    cmc_http_response resp = {.body = body, .body_len = len, .http_status = 200};
    snprintf(resp.media_type, sizeof(resp.media_type), "%s",
             "application/pkcs7-mime; smime-type=certs-only");
    cmc_response r;
    su_read(&resp, &r);
    assert_int_equal(r.kind, CMC_RESPONSE_CERTS_ONLY);
    X509 *ee = the_ee(&r);
    assert_non_null(ee);
    X509_NAME *want = NULL;
    assert_int_equal(cmc_name_parse(&want, "/CN=curl client"), CMC_OK);
    assert_int_equal(X509_NAME_cmp(X509_get_subject_name(ee), want), 0);
    X509_NAME_free(want);
    X509_free(ee);
    cmc_response_cleanup(&r);
    free(body);
    assert_int_equal(serve_stop(&p, SIGTERM), 0);
    scratch_remove(&s);
}

static void test_serve_reads_serve_section_of_config(void **state) {
    (void)state;
    scratch s;
    scratch_make(&s);
    char log[400], path[400];
    snprintf(log, sizeof(log), "%s/serve.log", s.dir);
    /* [serve]: a TCP listener and the file transport with paths relative to the config. */
    FILE *f = fopen(s.cnf, "a");
    assert_non_null(f);
    fputs("\n[serve]\ntcp = 127.0.0.1:0\ninbox = in\noutbox = out\nthreads = 2\n", f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/in", s.dir);
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(path, sizeof(path), "%s/out", s.dir);
    assert_int_equal(mkdir(path, 0755), 0);
    serve_proc p;
    const char *args[] = {"--config", s.cnf, NULL};
    serve_start(&p, log, 2, args);
    assert_true(strncmp(p.urls[0], "tcp://127.0.0.1:", 16) == 0);
    char want[700];
    snprintf(want, sizeof(want), "file:%s/in,%s/out", s.dir, s.dir);
    assert_string_equal(p.urls[1], want);
    /* Both answer an enrollment. */
    for (int i = 0; i < 2; i++) {
        cmc_transport *t = NULL;
        cmc_transport_options o = {.timeout_ms = 20000};
        assert_int_equal(cmc_transport_open(&t, p.urls[i], &o), CMC_OK);
        request e = req_enroll("officer-enroll", "ee-p256.key.pem", "/CN=serve section");
        cmc_http_response resp;
        assert_int_equal(exchange(t, &resp, &e), CMC_OK);
        cmc_response r;
        su_read(&resp, &r);
        assert_int_equal(r.kind, CMC_RESPONSE_CERTS_ONLY);
        cmc_response_cleanup(&r);
        cmc_http_response_cleanup(&resp);
        req_free(&e);
        cmc_transport_free(t);
    }
    assert_int_equal(serve_stop(&p, SIGTERM), 0);
    scratch_remove(&s);
}

static void test_serve_bad_usage_exits_2(void **state) {
    (void)state;
    char cmd[2048];
    static const char *const kBad[] = {
        "--http nonsense",
        "--tcp 127.0.0.1",
        "--inbox /tmp",
        "--tls-cert x.pem",
        "--config /nonexistent/ref.cnf",
        "--threads many",
        "--no-such-flag",
        "--http 192.0.2.1:0", /* not an address of this host: cannot bind */
    };
    for (size_t i = 0; i < sizeof(kBad) / sizeof(kBad[0]); i++) {
        /* timeout: a flag wrongly accepted would start a server that never exits */
        snprintf(cmd, sizeof(cmd), "timeout 20 '%s' serve %s", cmckit_path(), kBad[i]);
        if (su_run(cmd) != 2) {
            fail_msg("`cmckit serve %s` did not exit 2", kBad[i]);
        }
    }
}

/* ---- SIGTERM during a revocation load ---- */

#define DUR_CERTS 48
#define DUR_CLIENTS 8

typedef struct {
    const char *url;
    X509 **certs;
    size_t first, count;
    atomic_int *acked_total;
    int acked[DUR_CERTS]; /* 1: the server acknowledged this revocation (success) */
} dur_arg;

static void *dur_client(void *p) {
    dur_arg *a = p;
    cmc_transport_options o = {.timeout_ms = 20000};
    cmc_transport *t = NULL;
    if (cmc_transport_open(&t, a->url, &o) != CMC_OK) {
        return NULL;
    }
    for (size_t i = a->first; i < a->first + a->count; i++) {
        request v = req_revoke("officer-both", a->certs[i], 4);
        cmc_http_response resp;
        cmc_status st = exchange(t, &resp, &v);
        req_free(&v);
        if (st != CMC_OK) {
            if (st == CMC_E_HTTP) {
                cmc_http_response_cleanup(&resp);
            }
            break; /* the server is gone: nothing after this was acknowledged */
        }
        cmc_response r;
        cmc_response_init(&r);
        if (cmc_response_read(&r, resp.body, resp.body_len, resp.media_type, NULL) == CMC_OK) {
            const cmc_response_status *s = cmc_response_find_status(&r, 1);
            if (s != NULL && s->status == CMC_STATUS_SUCCESS) {
                a->acked[i] = 1;
                atomic_fetch_add(a->acked_total, 1);
            }
            cmc_response_cleanup(&r);
        }
        cmc_http_response_cleanup(&resp);
    }
    cmc_transport_free(t);
    return NULL;
}

static void test_serve_sigterm_during_load_keeps_acknowledged_revocations(void **state) {
    (void)state;
    scratch s;
    scratch_make(&s);
    char log[400], store[400];
    snprintf(log, sizeof(log), "%s/serve.log", s.dir);
    snprintf(store, sizeof(store), "%s/store.sqlite", s.dir);
    serve_proc p;
    const char *args[] = {"--config", s.cnf,         "--store", store,
                          "--http",   "127.0.0.1:0", "--quiet", NULL};
    serve_start(&p, log, 1, args);
    /* Issue the certificates over HTTP. */
    X509 *certs[DUR_CERTS];
    cmc_transport *t = NULL;
    assert_int_equal(cmc_transport_open(&t, p.urls[0], NULL), CMC_OK);
    for (size_t i = 0; i < DUR_CERTS; i++) {
        char subj[64];
        snprintf(subj, sizeof(subj), "/CN=durability %zu", i);
        request e = req_enroll("officer-both", "ee-p256.key.pem", subj);
        cmc_http_response resp;
        assert_int_equal(exchange(t, &resp, &e), CMC_OK);
        cmc_response r;
        su_read(&resp, &r);
        certs[i] = the_ee(&r);
        assert_non_null(certs[i]);
        cmc_response_cleanup(&r);
        cmc_http_response_cleanup(&resp);
        req_free(&e);
    }
    cmc_transport_free(t);
    /* Revoke from 8 connections; SIGTERM once a quarter are acknowledged. */
    atomic_int acked_total = 0;
    dur_arg args_[DUR_CLIENTS];
    pthread_t th[DUR_CLIENTS];
    for (size_t i = 0; i < DUR_CLIENTS; i++) {
        memset(&args_[i], 0, sizeof(args_[i]));
        args_[i].url = p.urls[0];
        args_[i].certs = certs;
        args_[i].first = i * (DUR_CERTS / DUR_CLIENTS);
        args_[i].count = DUR_CERTS / DUR_CLIENTS;
        args_[i].acked_total = &acked_total;
        assert_int_equal(pthread_create(&th[i], NULL, dur_client, &args_[i]), 0);
    }
    uint64_t deadline = now_ms() + 60000;
    while (atomic_load(&acked_total) < DUR_CERTS / 4 && now_ms() < deadline) {
        usleep(2000);
    }
    assert_int_equal(serve_stop(&p, SIGTERM), 0);
    for (size_t i = 0; i < DUR_CLIENTS; i++) {
        pthread_join(th[i], NULL);
    }
    int acked = atomic_load(&acked_total);
    assert_true(acked >= DUR_CERTS / 4);
    /* Reopen the store: every acknowledged revocation is there, with its reason. */
    cmc_server_config *cfg = NULL;
    char err[512] = "";
    assert_int_equal(cmc_server_config_load(&cfg, s.cnf, err, sizeof(err)), CMC_OK);
    assert_int_equal(cmc_server_config_set_store(cfg, store), CMC_OK);
    cmc_server *srv = NULL;
    assert_int_equal(cmc_server_new(&srv, cfg), CMC_OK);
    cmc_server_config_free(cfg);
    int checked = 0;
    for (size_t c = 0; c < DUR_CLIENTS; c++) {
        for (size_t i = args_[c].first; i < args_[c].first + args_[c].count; i++) {
            cmc_cert_state st = su_state(srv, certs[i]); /* every issued cert is in the store */
            if (args_[c].acked[i]) {
                assert_int_equal(st.revoked, 1);
                assert_int_equal(st.reason, 4);
                checked++;
            }
        }
    }
    assert_int_equal(checked, acked);
    cmc_server_free(srv);
    for (size_t i = 0; i < DUR_CERTS; i++) {
        X509_free(certs[i]);
    }
    scratch_remove(&s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_serve_http_answers_equal_in_process),
        cmocka_unit_test(test_serve_tcp_answers_equal_in_process),
        cmocka_unit_test(test_serve_file_answers_equal_in_process),
        cmocka_unit_test(test_serve_http_answer_table_rows),
        cmocka_unit_test(test_serve_example_config_and_curl),
        cmocka_unit_test(test_serve_reads_serve_section_of_config),
        cmocka_unit_test(test_serve_bad_usage_exits_2),
        cmocka_unit_test(test_serve_sigterm_during_load_keeps_acknowledged_revocations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
