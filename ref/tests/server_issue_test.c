/* server_issue_test.c: the issued certificate carries the request's subjectPublicKeyInfo
 * byte for byte (issue.c copies it instead of re-encoding the key: a performance change,
 * see issue 8), for RSA, ECDSA P-256 and Ed25519 keys, through the public API. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "server_test_util.h"

static void no_officer(cmc_server_config *cfg) {
    cmc_server_config_set_require_officer(cfg, 0);
}

static void issue_and_compare(const char *key_file) {
    cmc_server *srv = su_server_ex(no_officer);
    X509_REQ *req = su_p10(key_file, "/CN=spki copy");
    uint8_t *der = NULL;
    int len = i2d_X509_REQ(req, &der);
    assert_true(len > 0);
    cmc_http_request hr = {der, (size_t)len, SU_PKCS10, NULL};
    cmc_http_response resp;
    memset(&resp, 0, sizeof(resp));
    assert_int_equal(cmc_server_handle(srv, &hr, &resp), CMC_OK);
    assert_int_equal(resp.http_status, 200);
    STACK_OF(X509) *certs = NULL;
    assert_int_equal(cmc_certs_only_parse(&certs, resp.body, resp.body_len), CMC_OK);
    X509 *issued = NULL;
    for (int i = 0; i < sk_X509_num(certs); i++) {
        if (X509_check_ca(sk_X509_value(certs, i)) == 0) {
            issued = sk_X509_value(certs, i);
        }
    }
    assert_non_null(issued);
    uint8_t *a = NULL, *b = NULL;
    int alen = i2d_X509_PUBKEY(X509_REQ_get_X509_PUBKEY(req), &a);
    int blen = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(issued), &b);
    assert_true(alen > 0);
    assert_int_equal(alen, blen);
    assert_memory_equal(a, b, (size_t)alen);
    /* The key decodes and is the requested one; the CA signature covers it. */
    assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(issued), X509_REQ_get0_pubkey(req)), 1);
    X509 *ca = su_cert("ca.cert.pem");
    assert_int_equal(X509_verify(issued, X509_get0_pubkey(ca)), 1);
    X509_free(ca);
    OPENSSL_free(a);
    OPENSSL_free(b);
    sk_X509_pop_free(certs, X509_free);
    cmc_http_response_cleanup(&resp);
    OPENSSL_free(der);
    X509_REQ_free(req);
    cmc_server_free(srv);
}

static void test_server_issue_copies_rsa_spki(void **state) {
    (void)state;
    issue_and_compare("ee-rsa2048.key.pem");
}

static void test_server_issue_copies_p256_spki(void **state) {
    (void)state;
    issue_and_compare("ee-p256.key.pem");
}

static void test_server_issue_copies_p384_spki(void **state) {
    (void)state;
    issue_and_compare("ee-p384.key.pem");
}

static void test_server_issue_copies_ed25519_spki(void **state) {
    (void)state;
    issue_and_compare("ee-ed25519.key.pem");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_server_issue_copies_rsa_spki),
        cmocka_unit_test(test_server_issue_copies_p256_spki),
        cmocka_unit_test(test_server_issue_copies_p384_spki),
        cmocka_unit_test(test_server_issue_copies_ed25519_spki),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
