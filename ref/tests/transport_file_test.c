/* transport_file_test.c: the RFC 5273 §2 / RFC 10003 file transport (listener, one-shot
 * scan and client), the exec: shim client and the in-process client, with the echo handler of
 * transport_fixture.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <utime.h>

#include "transport_fixture.h"

typedef struct {
    char root[64];
    char inbox[128];
    char outbox[128];
    tfx_echo echo;
} file_fx;

static int setup(void **state) {
    file_fx *fx = calloc(1, sizeof(*fx));
    if (fx == NULL) {
        return -1;
    }
    snprintf(fx->root, sizeof(fx->root), "/tmp/cmc-file-XXXXXX");
    if (mkdtemp(fx->root) == NULL) {
        free(fx);
        return -1;
    }
    snprintf(fx->inbox, sizeof(fx->inbox), "%s/in", fx->root);
    snprintf(fx->outbox, sizeof(fx->outbox), "%s/out", fx->root);
    if (mkdir(fx->inbox, 0755) != 0 || mkdir(fx->outbox, 0755) != 0) {
        free(fx);
        return -1;
    }
    tfx_echo_init(&fx->echo);
    *state = fx;
    return 0;
}

static int teardown(void **state) {
    file_fx *fx = *state;
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->root);
    int rc = system(cmd);
    (void)rc;
    tfx_echo_cleanup(&fx->echo);
    free(fx);
    return 0;
}

static void write_file(const char *dir, const char *name, const uint8_t *p, size_t len) {
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, len, f), len);
    fclose(f);
}

/* read_file returns the file's size (or -1) and copies it into |buf|. */
static long read_file(const char *dir, const char *name, uint8_t *buf, size_t cap) {
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return -1;
    }
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return (long)n;
}

static int exists(const char *dir, const char *name) {
    char path[512];
    struct stat sb;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return stat(path, &sb) == 0;
}

static cmc_listener_options opts_of(file_fx *fx) {
    return (cmc_listener_options){.inbox = fx->inbox, .outbox = fx->outbox, .poll_ms = 20};
}

static void test_file_scan_answers_each_request_once(void **state) {
    file_fx *fx = *state;
    uint8_t a[64];
    size_t la = tfx_p10_like(a, sizeof(a), 1, 5);
    write_file(fx->inbox, "alice.p10", a, la);
    write_file(fx->inbox, "bob.crq", tfx_content_info, sizeof(tfx_content_info));
    write_file(fx->inbox, "notes.txt", a, la); /* not a request extension: ignored */
    cmc_listener_options o = opts_of(fx);
    size_t n = 0;
    assert_int_equal(cmc_file_scan(&o, tfx_echo_handler, &fx->echo, &n), CMC_OK);
    assert_int_equal(n, 2);
    uint8_t got[256];
    long gl = read_file(fx->outbox, "alice.crp", got, sizeof(got));
    assert_int_equal(gl, (long)la + 12);
    cmc_http_response r = {.body = got, .body_len = (size_t)gl};
    assert_true(tfx_check_echo(&r, a, la));
    assert_true(exists(fx->outbox, "bob.crp"));
    assert_true(exists(fx->inbox, "done/alice.p10"));
    assert_true(exists(fx->inbox, "done/bob.crq"));
    assert_false(exists(fx->inbox, "alice.p10"));
    assert_true(exists(fx->inbox, "notes.txt"));
    /* A second scan finds nothing new. */
    assert_int_equal(cmc_file_scan(&o, tfx_echo_handler, &fx->echo, &n), CMC_OK);
    assert_int_equal(n, 0);
    assert_int_equal(atomic_load(&fx->echo.calls), 2);
}

static void test_file_scan_leaves_half_written_file_alone(void **state) {
    file_fx *fx = *state;
    uint8_t a[128];
    size_t la = tfx_p10_like(a, sizeof(a), 2, 50);
    write_file(fx->inbox, "slow.p10", a, la / 2); /* the writer is not done yet */
    cmc_listener_options o = opts_of(fx);
    size_t n = 0;
    assert_int_equal(cmc_file_scan(&o, tfx_echo_handler, &fx->echo, &n), CMC_OK);
    assert_int_equal(n, 0);
    assert_true(exists(fx->inbox, "slow.p10"));
    write_file(fx->inbox, "slow.p10", a, la); /* now complete */
    assert_int_equal(cmc_file_scan(&o, tfx_echo_handler, &fx->echo, &n), CMC_OK);
    assert_int_equal(n, 1);
    assert_true(exists(fx->outbox, "slow.crp"));
    assert_int_equal(atomic_load(&fx->echo.calls), 1);
}

static void test_file_scan_rejects_settled_incomplete_file(void **state) {
    file_fx *fx = *state;
    static const uint8_t junk[] = {0x30, 0x10, 0x02};
    write_file(fx->inbox, "junk.crq", junk, sizeof(junk));
    char path[512];
    snprintf(path, sizeof(path), "%s/junk.crq", fx->inbox);
    struct utimbuf old = {.actime = time(NULL) - 3600, .modtime = time(NULL) - 3600};
    assert_int_equal(utime(path, &old), 0);
    cmc_listener_options o = opts_of(fx);
    size_t n = 0;
    assert_int_equal(cmc_file_scan(&o, tfx_echo_handler, &fx->echo, &n), CMC_OK);
    assert_int_equal(n, 0);
    assert_true(exists(fx->inbox, "rejected/junk.crq"));
    assert_int_equal(atomic_load(&fx->echo.calls), 0);
}

static void test_file_scan_refusal_is_err_file(void **state) {
    file_fx *fx = *state;
    write_file(fx->inbox, "bad.p10", tfx_refused, sizeof(tfx_refused));
    cmc_listener_options o = opts_of(fx);
    size_t n = 0;
    assert_int_equal(cmc_file_scan(&o, tfx_echo_handler, &fx->echo, &n), CMC_OK);
    assert_int_equal(n, 1);
    uint8_t got[256] = {0};
    long gl = read_file(fx->outbox, "bad.err", got, sizeof(got) - 1);
    assert_true(gl > 0);
    assert_string_equal((char *)got, "HTTP 400\nrefused\n");
}

static void test_file_scan_finishes_claimed_requests_after_crash(void **state) {
    file_fx *fx = *state;
    char dir[256];
    snprintf(dir, sizeof(dir), "%s/processing", fx->inbox);
    assert_int_equal(mkdir(dir, 0755), 0);
    uint8_t a[64];
    size_t la = tfx_p10_like(a, sizeof(a), 3, 3);
    /* "one" was claimed and answered before the crash; "two" only claimed. */
    write_file(dir, "one.p10", a, la);
    write_file(fx->outbox, "one.crp", a, la);
    write_file(dir, "two.p10", a, la);
    cmc_listener_options o = opts_of(fx);
    size_t n = 0;
    assert_int_equal(cmc_file_scan(&o, tfx_echo_handler, &fx->echo, &n), CMC_OK);
    assert_int_equal(n, 1);
    assert_int_equal(atomic_load(&fx->echo.calls), 1); /* "one" is not answered twice */
    assert_true(exists(fx->outbox, "two.crp"));
    assert_true(exists(fx->inbox, "done/one.p10"));
    assert_true(exists(fx->inbox, "done/two.p10"));
}

static void test_file_listener_and_client_roundtrip(void **state) {
    file_fx *fx = *state;
    cmc_listener *l = NULL;
    cmc_listener_options o = opts_of(fx);
    assert_int_equal(cmc_listener_start_file(&l, &o, tfx_echo_handler, &fx->echo), CMC_OK);
    char url[300];
    cmc_listener_url(l, url, sizeof(url));
    char want[300];
    snprintf(want, sizeof(want), "file:%s,%s", fx->inbox, fx->outbox);
    assert_string_equal(url, want);
    cmc_transport_options co = {.timeout_ms = 10000};
    cmc_transport *t = NULL;
    assert_int_equal(cmc_transport_open(&t, url, &co), CMC_OK);
    for (uint32_t i = 0; i < 5; i++) {
        uint8_t a[64];
        size_t la = tfx_p10_like(a, sizeof(a), i, i);
        cmc_http_request req = {.body = a, .body_len = la, .media_type = TFX_P10};
        cmc_http_response resp;
        assert_int_equal(cmc_transport_exchange(t, &resp, &req), CMC_OK);
        assert_string_equal(resp.media_type, "application/pkcs7-mime; smime-type=CMC-response");
        assert_true(tfx_check_echo(&resp, a, la));
        cmc_http_response_cleanup(&resp);
    }
    assert_string_equal(fx->echo.last_media_type, "application/pkcs10");
    /* A refusal comes back as CMC_E_HTTP with the status. */
    cmc_http_request req = {
        .body = tfx_refused, .body_len = sizeof(tfx_refused), .media_type = TFX_P10};
    cmc_http_response resp;
    assert_int_equal(cmc_transport_exchange(t, &resp, &req), CMC_E_HTTP);
    assert_int_equal(resp.http_status, 400);
    cmc_http_response_cleanup(&resp);
    cmc_transport_free(t);
    cmc_listener_free(l);
    /* The answers were consumed by the client. */
    DIR *d = opendir(fx->outbox);
    assert_non_null(d);
    int files = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        files += de->d_name[0] != '.';
    }
    closedir(d);
    assert_int_equal(files, 0);
}

static void test_file_client_times_out_without_server(void **state) {
    file_fx *fx = *state;
    char url[300];
    snprintf(url, sizeof(url), "file:%s,%s", fx->inbox, fx->outbox);
    cmc_transport_options co = {.timeout_ms = 200};
    cmc_transport *t = NULL;
    assert_int_equal(cmc_transport_open(&t, url, &co), CMC_OK);
    cmc_http_request req = {
        .body = tfx_content_info, .body_len = sizeof(tfx_content_info), .media_type = TFX_CMC_REQ};
    cmc_http_response resp;
    assert_int_equal(cmc_transport_exchange(t, &resp, &req), CMC_E_TIMEOUT);
    cmc_transport_free(t);
}

static void test_file_listener_needs_directories(void **state) {
    file_fx *fx = *state;
    cmc_listener *l = NULL;
    cmc_listener_options o = {.inbox = "/nonexistent-cmc-inbox", .outbox = fx->outbox};
    assert_int_equal(cmc_listener_start_file(&l, &o, tfx_echo_handler, &fx->echo), CMC_E_IO);
    cmc_listener_options o2 = {.inbox = fx->inbox};
    assert_int_equal(cmc_listener_start_file(&l, &o2, tfx_echo_handler, &fx->echo), CMC_E_ARG);
    assert_null(l);
}

/* ---- exec: ---- */

static cmc_status exec_once(const char *url, cmc_http_response *resp, unsigned timeout_ms) {
    cmc_transport_options o = {.timeout_ms = timeout_ms};
    cmc_transport *t = NULL;
    assert_int_equal(cmc_transport_open(&t, url, &o), CMC_OK);
    assert_string_equal(cmc_transport_scheme(t), "exec");
    cmc_http_request req = {.body = tfx_content_info,
                            .body_len = sizeof(tfx_content_info),
                            .media_type = TFX_CMC_REQ,
                            .accept = "application/pkix-cert"};
    cmc_status st = cmc_transport_exchange(t, resp, &req);
    cmc_transport_free(t);
    return st;
}

static void test_exec_shim_gets_body_and_media_type(void **state) {
    (void)state;
    cmc_http_response resp;
    /* The shim checks its environment, names its answer's type and echoes the request. */
    const char *url =
        "exec:test \"$CMC_CONTENT_TYPE\" = 'application/pkcs7-mime; smime-type=CMC-request' && "
        "test \"$CMC_ACCEPT\" = application/pkix-cert && "
        "printf 'application/pkcs7-mime; smime-type=CMC-response\\n' "
        "> \"$CMC_RESPONSE_CONTENT_TYPE_FILE\" && cat";
    assert_int_equal(exec_once(url, &resp, 10000), CMC_OK);
    assert_int_equal(resp.http_status, 200);
    assert_string_equal(resp.media_type, "application/pkcs7-mime; smime-type=CMC-response");
    assert_int_equal(resp.body_len, sizeof(tfx_content_info));
    assert_memory_equal(resp.body, tfx_content_info, sizeof(tfx_content_info));
    cmc_http_response_cleanup(&resp);
}

static void test_exec_shim_failure_and_timeout(void **state) {
    (void)state;
    cmc_http_response resp;
    assert_int_equal(exec_once("exec:cat >/dev/null; exit 3", &resp, 10000), CMC_E_PROTOCOL);
    assert_int_equal(exec_once("exec:cat >/dev/null", &resp, 10000), CMC_E_PROTOCOL); /* empty */
    assert_int_equal(exec_once("exec:sleep 5", &resp, 300), CMC_E_TIMEOUT);
    /* A shim that does not read its input still gets judged by its answer. */
    assert_int_equal(exec_once("exec:printf '\\060\\000'", &resp, 10000), CMC_OK);
    assert_int_equal(resp.body_len, 2);
    cmc_http_response_cleanup(&resp);
}

/* ---- in-process ---- */

static void test_handler_transport_calls_handler_directly(void **state) {
    file_fx *fx = *state;
    cmc_transport *t = NULL;
    assert_int_equal(cmc_transport_open_handler(&t, tfx_echo_handler, &fx->echo), CMC_OK);
    assert_string_equal(cmc_transport_scheme(t), "handler");
    cmc_http_request req = {
        .body = tfx_content_info, .body_len = sizeof(tfx_content_info), .media_type = TFX_CMC_REQ};
    cmc_http_response resp;
    assert_int_equal(cmc_transport_exchange(t, &resp, &req), CMC_OK);
    assert_true(tfx_check_echo(&resp, tfx_content_info, sizeof(tfx_content_info)));
    cmc_http_response_cleanup(&resp);
    req.media_type = "text/plain";
    assert_int_equal(cmc_transport_exchange(t, &resp, &req), CMC_E_HTTP);
    assert_int_equal(resp.http_status, 415);
    cmc_http_response_cleanup(&resp);
    cmc_transport_free(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_file_scan_answers_each_request_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_scan_leaves_half_written_file_alone, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_file_scan_rejects_settled_incomplete_file, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_file_scan_refusal_is_err_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_scan_finishes_claimed_requests_after_crash, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_file_listener_and_client_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_client_times_out_without_server, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_listener_needs_directories, setup, teardown),
        cmocka_unit_test(test_exec_shim_gets_body_and_media_type),
        cmocka_unit_test(test_exec_shim_failure_and_timeout),
        cmocka_unit_test_setup_teardown(test_handler_transport_calls_handler_directly, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
