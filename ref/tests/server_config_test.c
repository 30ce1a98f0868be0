/* server_config_test.c: the reference server configuration file, the embedded default, the
 * setters, and the getCert state strings. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <openssl/pem.h>

#include "server_test_util.h"

static const char *source_dir(void) {
    const char *d = getenv("CMC_SOURCE_DIR");
    return d != NULL ? d : CMC_SOURCE_DIR;
}

/* write_config writes |body| after a [server] section naming the fixture files by absolute
 * path (|server_extra| is appended inside [server]); returns the file name. */
static const char *write_config(char *path, size_t path_len, const char *server_extra,
                                const char *body) {
    char text[8192];
    const char *d = source_dir();
    assert_true((size_t)snprintf(text, sizeof(text),
                                 "# test configuration\n"
                                 "pki = %s/vectors/pki\n"
                                 "[server]\n"
                                 "ca_certificate = $pki/ca.cert.pem\n"
                                 "ca_key = $pki/ca.key.pem\n"
                                 "signer_certificate = $pki/signer.cert.pem\n"
                                 "signer_key = $pki/signer.key.pem\n"
                                 "officer_trust_anchors = $pki/ca.cert.pem\n"
                                 "officers = officers\n"
                                 "store = :memory:\n"
                                 "%s\n"
                                 "[officers]\n"
                                 "both = officer_both\n"
                                 "enroller = officer_enroll\n"
                                 "[officer_both]\n"
                                 "certificate = $pki/officer-both.cert.pem\n"
                                 "roles = enroll, revoke\n"
                                 "[officer_enroll]\n"
                                 "certificate = $pki/officer-enroll.cert.pem\n"
                                 "roles = enroll\n"
                                 "%s\n",
                                 d, server_extra, body) < sizeof(text));
    su_tmp_path(path, path_len, "server.cnf");
    su_write(path, (const uint8_t *)text, strlen(text));
    return path;
}

static void expect_error(const char *server_extra, const char *body, const char *want) {
    char path[1024], err[512];
    write_config(path, sizeof(path), server_extra, body);
    cmc_server_config *cfg = NULL;
    assert_int_equal(cmc_server_config_load(&cfg, path, err, sizeof(err)), CMC_E_CONFIG);
    assert_null(cfg);
    if (strstr(err, want) == NULL || strncmp(err, path, strlen(path)) != 0) {
        fail_msg("error \"%s\" does not name the file and contain \"%s\"", err, want);
    }
    unlink(path);
}

static void test_config_load_accepts_good_file_and_serves(void **state) {
    (void)state;
    char path[1024], err[512];
    write_config(path, sizeof(path), "",
                 "[policy]\nrequire_officer_for_enrollment = yes\nrevocation_reasons = 0,1\n"
                 "include_chain = no\nvalidity_days = 30\n"
                 "signature_algorithms = rsa-sha256, ecdsa-p256\n"
                 "[limits]\nmax_body_bytes = 65536\n"
                 "[test]\nclock = 20260701000000Z\nseed = 00112233445566778899\n");
    cmc_server_config *cfg = NULL;
    assert_int_equal(cmc_server_config_load(&cfg, path, err, sizeof(err)), CMC_OK);
    assert_string_equal(err, "");
    cmc_server *srv = NULL;
    assert_int_equal(cmc_server_new(&srv, cfg), CMC_OK);
    cmc_server_config_free(cfg);
    /* The file's policy is in force: no chain, 30 days, reason 3 refused, P-256 allowed,
     * P-384 (not in signature_algorithms) refused with badAlg. */
    cmc_http_response resp;
    cmc_response r;
    su_enroll_as(srv, "officer-both", "ee-p256.key.pem", NULL, &resp, &r);
    assert_int_equal(r.kind, CMC_RESPONSE_CERTS_ONLY);
    assert_int_equal(sk_X509_num(r.certs), 1);
    X509 *cert = sk_X509_value(r.certs, 0);
    X509_up_ref(cert);
    int days = 0, secs = 0;
    assert_int_equal(
        ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(cert), X509_get0_notAfter(cert)), 1);
    assert_int_equal(days, 30);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    su_revoke(srv, "officer-both", cert, 3, &resp, &r);
    su_expect(&r, 1, CMC_STATUS_FAILED, CMC_FAIL_BAD_REQUEST);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    su_revoke(srv, "officer-both", cert, 1, &resp, &r);
    su_expect(&r, 1, CMC_STATUS_SUCCESS, -1);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    su_enroll_as(srv, "officer-enroll", "ee-p384.key.pem", NULL, &resp, &r);
    su_expect(&r, 1, CMC_STATUS_FAILED, CMC_FAIL_BAD_ALG);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    /* officer-revoke is not registered in this file. */
    su_revoke(srv, "officer-revoke", cert, 1, &resp, &r);
    su_expect_text(su_expect(&r, 0, CMC_STATUS_FAILED, CMC_FAIL_BAD_REQUEST),
                   "stage 3 (officer): signer is not a registered officer");
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    X509_free(cert);
    cmc_server_free(srv);
    unlink(path);
}

static void test_config_load_names_file_section_and_key(void **state) {
    (void)state;
    expect_error("", "[policy]\nrevocation_reasons = 0, 7\n", "[policy] revocation_reasons:");
    expect_error("", "[policy]\nrevocation_reasons = 0, 11\n", "[policy] revocation_reasons:");
    expect_error("", "[policy]\ninclude_chain = maybe\n", "[policy] include_chain:");
    expect_error("", "[policy]\nvalidity_days = 0\n", "[policy] validity_days:");
    expect_error("", "[policy]\nsignature_algorithms = rsa-md5\n",
                 "[policy] signature_algorithms:");
    expect_error("", "[policy]\nrequire_officers = yes\n",
                 "[policy] require_officers: unknown key");
    expect_error("", "[limits]\nmax_body_bytes = 99999999999\n", "[limits] max_body_bytes:");
    expect_error("", "[test]\nclock = yesterday\n", "[test] clock:");
    expect_error("", "[test]\nseed = xyz\n", "[test] seed:");
    expect_error("", "[test_faults]\nbreak-everything = yes\n",
                 "[test_faults] break-everything: unknown fault");
    expect_error("bogus = 1\n", "", "[server] bogus: unknown key");
    expect_error("ca_key = $pki/signer.key.pem\n", "", "[server] ca_key: does not match");
    expect_error("signer_key = $pki/ca.key.pem\n", "", "[server] signer_key: does not match");
    expect_error("", "[officer_enroll]\nroles = enroll, approve\n",
                 "[officer_enroll] roles: unknown role");
    expect_error("ca_certificate = /nonexistent/ca.pem\n", "",
                 "[server] ca_certificate: cannot open");
    expect_error("officers = nosuchsection\n", "", "[server] officers: section [nosuchsection]");
    /* A syntax error names the line. */
    char path[1024], err[512];
    su_tmp_path(path, sizeof(path), "bad.cnf");
    const char *bad = "[server\nca_key = x\n";
    su_write(path, (const uint8_t *)bad, strlen(bad));
    cmc_server_config *cfg = NULL;
    assert_int_equal(cmc_server_config_load(&cfg, path, err, sizeof(err)), CMC_E_CONFIG);
    assert_non_null(strstr(err, "line 1"));
    /* No [server] section. */
    const char *empty = "[policy]\ninclude_chain = yes\n";
    su_write(path, (const uint8_t *)empty, strlen(empty));
    assert_int_equal(cmc_server_config_load(&cfg, path, err, sizeof(err)), CMC_E_CONFIG);
    assert_non_null(strstr(err, "[server]"));
    unlink(path);
    assert_int_equal(cmc_server_config_load(&cfg, "/nonexistent/x.cnf", err, sizeof(err)),
                     CMC_E_CONFIG);
    assert_non_null(strstr(err, "/nonexistent/x.cnf: cannot open"));
}

static void test_config_load_missing_required_key(void **state) {
    (void)state;
    char path[1024], err[512];
    char text[1024];
    assert_true((size_t)snprintf(text, sizeof(text),
                                 "[server]\nca_certificate = %s/vectors/pki/ca.cert.pem\n",
                                 source_dir()) < sizeof(text));
    su_tmp_path(path, sizeof(path), "partial.cnf");
    su_write(path, (const uint8_t *)text, strlen(text));
    cmc_server_config *cfg = NULL;
    assert_int_equal(cmc_server_config_load(&cfg, path, err, sizeof(err)), CMC_E_CONFIG);
    assert_non_null(strstr(err, "[server] ca_key: missing (required)"));
    unlink(path);
}

static void test_config_test_faults_section_switches_fault_on(void **state) {
    (void)state;
    char path[1024], err[512];
    write_config(path, sizeof(path), "",
                 "[test_faults]\naccept-reason-2 = yes\ndrop-recipient-nonce = no\n");
    cmc_server_config *cfg = NULL;
    assert_int_equal(cmc_server_config_load(&cfg, path, err, sizeof(err)), CMC_OK);
    assert_int_equal(cmc_server_config_set_clock(cfg, CMC_FIXTURE_CLOCK), CMC_OK);
    cmc_server *srv = NULL;
    assert_int_equal(cmc_server_new(&srv, cfg), CMC_OK);
    cmc_server_config_free(cfg);
    X509 *cert = su_enroll(srv, "ee-p256.key.pem");
    cmc_http_response resp;
    cmc_response r;
    su_revoke(srv, "officer-both", cert, 2, &resp, &r);
    su_expect(&r, 1, CMC_STATUS_SUCCESS, -1);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    X509_free(cert);
    cmc_server_free(srv);
    /* The same file without the section: reason 2 refused (faults off by default). */
    write_config(path, sizeof(path), "", "");
    assert_int_equal(cmc_server_config_load(&cfg, path, err, sizeof(err)), CMC_OK);
    assert_int_equal(cmc_server_config_set_clock(cfg, CMC_FIXTURE_CLOCK), CMC_OK);
    assert_int_equal(cmc_server_new(&srv, cfg), CMC_OK);
    cmc_server_config_free(cfg);
    cert = su_enroll(srv, "ee-p256.key.pem");
    su_revoke(srv, "officer-both", cert, 2, &resp, &r);
    su_expect(&r, 1, CMC_STATUS_FAILED, CMC_FAIL_BAD_REQUEST);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    X509_free(cert);
    cmc_server_free(srv);
    unlink(path);
}

static void test_config_setters_refuse_bad_values(void **state) {
    (void)state;
    cmc_server_config *cfg = NULL;
    assert_int_equal(cmc_server_config_embedded(&cfg), CMC_OK);
    assert_int_equal(cmc_server_config_set_fault(cfg, "no-such-fault"), CMC_E_ARG);
    assert_int_equal(cmc_server_config_set_fault(cfg, NULL), CMC_E_ARG);
    assert_int_equal(cmc_server_config_set_revocation_reasons(cfg, 1u << 7), CMC_E_ARG);
    assert_int_equal(cmc_server_config_set_revocation_reasons(cfg, 1u << 11), CMC_E_ARG);
    assert_int_equal(cmc_server_config_set_revocation_reasons(cfg, 0x7Fu), CMC_OK);
    assert_int_equal(cmc_server_config_set_max_body(cfg, 0), CMC_E_ARG);
    assert_int_equal(cmc_server_config_set_max_body(cfg, CMC_MAX_MESSAGE_BYTES + 1), CMC_E_ARG);
    assert_int_equal(cmc_server_config_set_seed(cfg, (const uint8_t *)"x", 0), CMC_E_ARG);
    uint8_t big[65] = {0};
    assert_int_equal(cmc_server_config_set_seed(cfg, big, sizeof(big)), CMC_E_ARG);
    assert_int_equal(cmc_server_config_set_store(cfg, ""), CMC_E_ARG);
    assert_int_equal(cmc_server_config_set_clock(cfg, -1), CMC_E_ARG);
    const char *const *names = cmc_server_fault_names();
    size_t n = 0;
    for (; names[n] != NULL; n++) {
        assert_int_equal(cmc_server_config_set_fault(cfg, names[n]), CMC_OK);
    }
    assert_int_equal(n, 6);
    cmc_server_config_free(cfg);
    cmc_server_config_free(NULL);
    assert_int_equal(cmc_server_new(NULL, NULL), CMC_E_ARG);
}

static void test_cert_state_format_round_trips(void **state) {
    (void)state;
    char text[CMC_CERT_STATE_STR_MAX];
    cmc_cert_state good = {0, -1, 0}, rev = {1, 5, CMC_FIXTURE_CLOCK}, back;
    cmc_cert_state_format(text, &good);
    assert_string_equal(text, "status=good");
    assert_int_equal(cmc_cert_state_parse(&back, text), CMC_OK);
    assert_int_equal(back.revoked, 0);
    cmc_cert_state_format(text, &rev);
    assert_string_equal(text, "status=revoked; reason=5; time=20260701000000Z");
    assert_int_equal(cmc_cert_state_parse(&back, text), CMC_OK);
    assert_int_equal(back.revoked, 1);
    assert_int_equal(back.reason, 5);
    assert_int_equal(back.revoked_at, CMC_FIXTURE_CLOCK);
    assert_int_equal(cmc_cert_state_parse(&back, "status=revoked; reason=11; time=20260701000000Z"),
                     CMC_E_BAD_VALUE);
    assert_int_equal(cmc_cert_state_parse(&back, "status=revoked"), CMC_E_BAD_VALUE);
    assert_int_equal(cmc_cert_state_parse(&back, "status=good "), CMC_E_BAD_VALUE);
    assert_int_equal(cmc_cert_state_parse(&back, "certificate issued"), CMC_E_BAD_VALUE);
}

static void test_cert_state_parse_rejects_loose_numbers(void **state) {
    (void)state;
    cmc_cert_state back;
    /* What sscanf's %d let through: overflow (undefined behaviour), signs, spaces, short
     * fields; and trailing bytes or an out-of-range month. */
    const char *bad[] = {
        "status=revoked; reason=99999999999; time=20260701000000Z",
        "status=revoked; reason=-1; time=20260701000000Z",
        "status=revoked; reason=+1; time=20260701000000Z",
        "status=revoked; reason= 1; time=20260701000000Z",
        "status=revoked; reason=001; time=20260701000000Z",
        "status=revoked; reason=1; time= 2026070100000Z",
        "status=revoked; reason=1; time=2026-701000000Z",
        "status=revoked; reason=1; time=2026070100000Z",
        "status=revoked; reason=1; time=20260701000000Zx",
        "status=revoked; reason=1; time=20261301000000Z",
        "status=revoked; reason=; time=20260701000000Z",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (cmc_cert_state_parse(&back, bad[i]) != CMC_E_BAD_VALUE) {
            fail_msg("accepted \"%s\"", bad[i]);
        }
    }
    assert_int_equal(cmc_cert_state_parse(&back, "status=revoked; reason=10; time=20270102030405Z"),
                     CMC_OK);
    assert_int_equal(back.reason, 10);
    assert_int_equal(back.revoked_at, 1798848000 + 3 * 3600 + 4 * 60 + 5);
}

static char g_store[1024];

static void tweak_store(cmc_server_config *cfg) {
    assert_int_equal(cmc_server_config_set_store(cfg, g_store), CMC_OK);
}

/* post_signed_by: one tcr signed by |key| / |cert| (not a fixture officer). */
static void post_signed_by(cmc_server *srv, EVP_PKEY *key, X509 *cert, cmc_http_response *resp,
                           cmc_response *r) {
    cmc_pki_data_builder *b = NULL;
    assert_int_equal(cmc_pki_data_builder_new(&b), CMC_OK);
    X509_REQ *req = su_p10("ee-p256.key.pem", "/CN=by an issued officer");
    assert_int_equal(cmc_pki_data_builder_add_tcr(b, NULL, 1, req), CMC_OK);
    uint8_t *pd = NULL, *body = NULL;
    size_t pd_len = 0, len = 0;
    assert_int_equal(cmc_pki_data_builder_to_der(b, &pd, &pd_len), CMC_OK);
    cmc_signer sg = {.key = key, .cert = cert, .sid = CMC_SID_ISSUER_SERIAL, .include_cert = 1};
    cmc_sign_options so = {.signing_time = CMC_FIXTURE_CLOCK};
    assert_int_equal(cmc_signed_data_sign(&body, &len, pd, pd_len, &sg, 1, &so), CMC_OK);
    su_post(srv, body, len, SU_CMC_REQUEST, "application/pkcs7-mime; smime-type=CMC-response",
            resp);
    su_read(resp, r);
    cmc_free(pd);
    cmc_free(body);
    X509_REQ_free(req);
    cmc_pki_data_builder_free(b);
}

static void test_config_officer_revoked_in_store_is_refused_at_stage3(void **state) {
    (void)state;
    su_tmp_path(g_store, sizeof(g_store), "officer-store.sqlite");
    unlink(g_store);
    /* Issue a certificate for ee-p384 and keep it in a file store. */
    cmc_server *srv = su_server_ex(tweak_store);
    X509 *x = su_enroll(srv, "ee-p384.key.pem");
    cmc_server_free(srv);
    char pem[1024], path[1024], err[512], extra[2048];
    su_tmp_path(pem, sizeof(pem), "issued-officer.pem");
    FILE *f = fopen(pem, "w");
    assert_non_null(f);
    assert_int_equal(PEM_write_X509(f, x), 1);
    fclose(f);
    /* Register it as an officer in a configuration using the same store. */
    assert_true((size_t)snprintf(extra, sizeof(extra), "store = %s\n", g_store) < sizeof(extra));
    write_config(path, sizeof(path), extra,
                 "[officers]\nissued = officer_issued\n"
                 "[officer_issued]\ncertificate = OFFICER_PEM\nroles = enroll\n");
    /* write_config cannot know the PEM path: patch the placeholder. */
    size_t n = 0;
    uint8_t *text = su_read_file(path, &n);
    char *t = malloc(n + 1024);
    memcpy(t, text, n);
    t[n] = '\0';
    char *at = strstr(t, "OFFICER_PEM");
    assert_non_null(at);
    char tail[4096];
    assert_true((size_t)snprintf(tail, sizeof(tail), "%s%s", pem, at + strlen("OFFICER_PEM")) <
                sizeof(tail));
    strcpy(at, tail);
    su_write(path, (const uint8_t *)t, strlen(t));
    cmc_server_config *cfg = NULL;
    assert_int_equal(cmc_server_config_load(&cfg, path, err, sizeof(err)), CMC_OK);
    assert_int_equal(cmc_server_config_set_clock(cfg, CMC_FIXTURE_CLOCK), CMC_OK);
    assert_int_equal(cmc_server_new(&srv, cfg), CMC_OK);
    cmc_server_config_free(cfg);
    EVP_PKEY *k = su_key("ee-p384.key.pem");
    cmc_http_response resp;
    cmc_response r;
    post_signed_by(srv, k, x, &resp, &r);
    su_expect(&r, 1, CMC_STATUS_SUCCESS, -1);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    su_revoke(srv, "officer-both", x, 1, &resp, &r);
    su_expect(&r, 1, CMC_STATUS_SUCCESS, -1);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    post_signed_by(srv, k, x, &resp, &r);
    su_expect_text(su_expect(&r, 0, CMC_STATUS_FAILED, CMC_FAIL_BAD_REQUEST),
                   "stage 3 (officer): signer certificate revoked");
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    cmc_server_free(srv);
    EVP_PKEY_free(k);
    X509_free(x);
    free(t);
    free(text);
    unlink(pem);
    unlink(path);
    unlink(g_store);
}

static void test_config_example_file_loads_and_enrolls(void **state) {
    (void)state;
    char path[1024], err[512];
    assert_true((size_t)snprintf(path, sizeof(path), "%s/ref/examples/server.cnf", source_dir()) <
                sizeof(path));
    cmc_server_config *cfg = NULL;
    assert_int_equal(cmc_server_config_load(&cfg, path, err, sizeof(err)), CMC_OK);
    cmc_server *srv = NULL;
    assert_int_equal(cmc_server_new(&srv, cfg), CMC_OK);
    cmc_server_config_free(cfg);
    X509 *x = su_enroll(srv, "ee-ed25519.key.pem");
    cmc_http_response resp;
    cmc_response r;
    su_revoke(srv, "officer-revoke", x, 5, &resp, &r);
    su_expect(&r, 1, CMC_STATUS_SUCCESS, -1);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    X509_free(x);
    cmc_server_free(srv);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_load_accepts_good_file_and_serves),
        cmocka_unit_test(test_config_example_file_loads_and_enrolls),
        cmocka_unit_test(test_config_load_names_file_section_and_key),
        cmocka_unit_test(test_config_load_missing_required_key),
        cmocka_unit_test(test_config_test_faults_section_switches_fault_on),
        cmocka_unit_test(test_config_setters_refuse_bad_values),
        cmocka_unit_test(test_cert_state_format_round_trips),
        cmocka_unit_test(test_cert_state_parse_rejects_loose_numbers),
        cmocka_unit_test(test_config_officer_revoked_in_store_is_refused_at_stage3),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
