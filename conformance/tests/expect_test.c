/* expect_test.c: semantic answer checks (conformance/expect.h) on answers built with the msg
 * layer's response builders and signed by the fixture response signer. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "cmc/msg.h"
#include "expect.h"
#include "fixtures.h"

#define RESP_CMC "application/pkcs7-mime; smime-type=CMC-response"
#define RECIPE                                                                                     \
    "{\"type\": \"full\", \"signer\": null, \"controls\": [{\"type\": \"transactionId\", "         \
    "\"id\": 1, \"value\": 77}, {\"type\": \"senderNonce\", \"id\": 2, \"value\": "                \
    "\"0a0b\"}], \"requests\": [{\"type\": \"tcr\", \"id\": 10, \"key\": \"ee-p256\", "            \
    "\"subject\": \"/CN=x\"}]}"

static const uint8_t kNonce[] = {0x0a, 0x0b};

/* A signed Full PKI Response: status |status|/|fail| about body part |body|, echoing
 * transactionId |tid| and recipientNonce |nonce| (NULL = absent). */
static void build_response(uint8_t **out, size_t *out_len, long status, long fail, int64_t body,
                           uint64_t tid, const uint8_t *nonce, size_t nonce_len) {
    cmc_pki_response_builder *b = NULL;
    assert_int_equal(cmc_pki_response_builder_new(&b), CMC_OK);
    assert_int_equal(
        cmc_pki_response_builder_add_status(b, NULL, CMC_BPID_AUTO, status, &body, 1, "why", fail),
        CMC_OK);
    assert_int_equal(cmc_pki_response_builder_add_transaction_id(b, NULL, CMC_BPID_AUTO, tid),
                     CMC_OK);
    if (nonce != NULL) {
        assert_int_equal(
            cmc_pki_response_builder_add_recipient_nonce(b, NULL, CMC_BPID_AUTO, nonce, nonce_len),
            CMC_OK);
    }
    cmc_signer si;
    memset(&si, 0, sizeof(si));
    assert_int_equal(cmc_fixture_key(&si.key, "signer.key.pem"), CMC_OK);
    assert_int_equal(cmc_fixture_cert(&si.cert, "signer.cert.pem"), CMC_OK);
    si.include_cert = 1;
    assert_int_equal(cmc_pki_response_builder_sign(b, out, out_len, &si, NULL, CMC_FIXTURE_CLOCK),
                     CMC_OK);
    EVP_PKEY_free(si.key);
    X509_free(si.cert);
    cmc_pki_response_builder_free(b);
}

typedef struct {
    json_t *recipe;
    json_t *outcome_json; /* the outcome's strings point into it */
    cmc_outcome outcome;
    cmc_expectation e;
} fixture;

static void make_expectation(fixture *f, const char *outcome_json) {
    f->recipe = json_loads(RECIPE, 0, NULL);
    f->outcome_json = json_loads(outcome_json, 0, NULL);
    assert_non_null(f->recipe);
    assert_non_null(f->outcome_json);
    assert_int_equal(cmc_outcome_from_json(&f->outcome, f->outcome_json), CMC_OK);
    memset(&f->e, 0, sizeof(f->e));
    f->e.outcomes = &f->outcome;
    f->e.num_outcomes = 1;
    f->e.echo_transaction_id = 1;
    f->e.echo_sender_nonce = 1;
    f->e.recipe = f->recipe;
}

static void fixture_cleanup(fixture *f) {
    cmc_outcome_cleanup(&f->outcome);
    json_decref(f->outcome_json);
    json_decref(f->recipe);
}

/* check_response builds a PKIResponse (build_response's arguments), checks it as a 200
 * CMC answer against |f|'s expectation and returns cmc_expect_check's result. */
static int check_response(fixture *f, char *why, long status, long fail, int64_t body, uint64_t tid,
                          const uint8_t *nonce, size_t nonce_len) {
    uint8_t *der = NULL;
    size_t len = 0;
    build_response(&der, &len, status, fail, body, tid, nonce, nonce_len);
    cmc_answer a = {200, RESP_CMC, der, len};
    int rc = cmc_expect_check(&f->e, &a, NULL, NULL, why, 256);
    cmc_free(der);
    return rc;
}

static void test_expect_check_matches_failed_status(void **state) {
    (void)state;
    fixture f;
    make_expectation(&f, "{\"http_status\": 200, \"media_type\": \"cmc-response\", \"cmc_status\":"
                         " \"failed\", \"fail_info\": [\"badRequest\", \"badIdentity\"],"
                         " \"body_list\": [3], \"status_string_contains\": \"why\"}");
    char why[256];
    assert_int_equal(
        check_response(&f, why, CMC_STATUS_FAILED, CMC_FAIL_BAD_IDENTITY, 3, 77, kNonce, 2), 0);
    assert_int_equal(
        check_response(&f, why, CMC_STATUS_FAILED, CMC_FAIL_BAD_CERT_ID, 3, 77, kNonce, 2), -1);
    assert_string_equal(why, "failInfo badCertId, expected badRequest (or an alternative)");
    assert_int_equal(
        check_response(&f, why, CMC_STATUS_FAILED, CMC_FAIL_BAD_REQUEST, 4, 77, kNonce, 2), -1);
    assert_string_equal(why, "no status names body part 3");
    assert_int_equal(check_response(&f, why, CMC_STATUS_SUCCESS, -1, 3, 77, kNonce, 2), -1);
    assert_string_equal(why, "CMC status success, expected failed");
    fixture_cleanup(&f);
}

static void test_expect_check_requires_echo(void **state) {
    (void)state;
    fixture f;
    make_expectation(&f, "{\"http_status\": 200, \"media_type\": \"cmc-response\", \"cmc_status\":"
                         " \"failed\"}");
    char why[256];
    assert_int_equal(
        check_response(&f, why, CMC_STATUS_FAILED, CMC_FAIL_BAD_REQUEST, 0, 78, kNonce, 2), -1);
    assert_string_equal(why, "transactionId not echoed");
    assert_int_equal(
        check_response(&f, why, CMC_STATUS_FAILED, CMC_FAIL_BAD_REQUEST, 0, 77, NULL, 0), -1);
    assert_string_equal(why, "recipientNonce is not our senderNonce");
    assert_int_equal(
        check_response(&f, why, CMC_STATUS_FAILED, CMC_FAIL_BAD_REQUEST, 0, 77, kNonce, 2), 0);
    fixture_cleanup(&f);
}

static void test_expect_check_requires_data_return(void **state) {
    (void)state;
    fixture f;
    make_expectation(&f, "{\"http_status\": 200, \"media_type\": \"cmc-response\", \"cmc_status\":"
                         " \"failed\"}");
    json_t *dr = json_pack("{s:s, s:i, s:s}", "type", "dataReturn", "id", 3, "value", "0a0b");
    json_array_append_new(json_object_get(f.recipe, "controls"), dr);
    f.e.echo_data_return = 1;
    char why[256];
    /* The response echoes transactionId and nonce but not dataReturn. */
    assert_int_equal(
        check_response(&f, why, CMC_STATUS_FAILED, CMC_FAIL_BAD_REQUEST, 0, 77, kNonce, 2), -1);
    assert_string_equal(why, "dataReturn not returned unchanged");
    f.e.echo_data_return = 0;
    assert_int_equal(
        check_response(&f, why, CMC_STATUS_FAILED, CMC_FAIL_BAD_REQUEST, 0, 77, kNonce, 2), 0);
    fixture_cleanup(&f);
}

static void test_expect_check_http_and_media(void **state) {
    (void)state;
    fixture f;
    make_expectation(&f, "{\"http_status\": 415, \"media_type\": \"text\"}");
    char why[256];
    cmc_answer a = {415, "text/plain; charset=utf-8", (const uint8_t *)"no", 2};
    assert_int_equal(cmc_expect_check(&f.e, &a, NULL, NULL, why, sizeof(why)), 0);
    a.http_status = 400;
    assert_int_equal(cmc_expect_check(&f.e, &a, NULL, NULL, why, sizeof(why)), -1);
    assert_string_equal(why, "HTTP status 400, expected 415");
    a.http_status = 415;
    a.media_type = "application/octet-stream";
    assert_int_equal(cmc_expect_check(&f.e, &a, NULL, NULL, why, sizeof(why)), -1);
    assert_string_equal(why, "media type 'application/octet-stream', expected text");
    fixture_cleanup(&f);
}

static void test_expect_check_certs_only_issued_and_chain(void **state) {
    (void)state;
    fixture f;
    make_expectation(&f, "{\"http_status\": 200, \"media_type\": \"certs-only\", \"issued\": 1,"
                         " \"chain\": true}");
    /* ee-p256 has no certificate: issue one by hand with the fixture CA. */
    EVP_PKEY *ee = NULL;
    EVP_PKEY *ca_key = NULL;
    X509 *ca = NULL;
    assert_int_equal(cmc_fixture_key(&ee, "ee-p256.key.pem"), CMC_OK);
    assert_int_equal(cmc_fixture_key(&ca_key, "ca.key.pem"), CMC_OK);
    assert_int_equal(cmc_fixture_cert(&ca, "ca.cert.pem"), CMC_OK);
    X509 *x = X509_new();
    assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
    assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), 99), 1);
    assert_non_null(X509_time_adj_ex(X509_getm_notBefore(x), 0, 0, NULL));
    assert_non_null(X509_time_adj_ex(X509_getm_notAfter(x), 1, 0, NULL));
    assert_int_equal(X509_set_issuer_name(x, X509_get_subject_name(ca)), 1);
    assert_int_equal(X509_set_pubkey(x, ee), 1);
    assert_true(X509_sign(x, ca_key, EVP_sha256()) > 0);
    STACK_OF(X509) *certs = sk_X509_new_null();
    sk_X509_push(certs, x);
    uint8_t *der = NULL;
    size_t len = 0;
    char why[256];
    assert_int_equal(cmc_certs_only_build(&der, &len, certs), CMC_OK);
    cmc_answer a = {200, "application/pkcs7-mime; smime-type=certs-only", der, len};
    assert_int_equal(cmc_expect_check(&f.e, &a, NULL, NULL, why, sizeof(why)), -1);
    assert_string_equal(why, "issuer chain missing");
    cmc_free(der);
    sk_X509_push(certs, ca);
    assert_int_equal(cmc_certs_only_build(&der, &len, certs), CMC_OK);
    a.body = der;
    a.body_len = len;
    X509 *issued = NULL;
    assert_int_equal(cmc_expect_check(&f.e, &a, NULL, &issued, why, sizeof(why)), 0);
    assert_non_null(issued);
    assert_int_equal(X509_cmp(issued, x), 0);
    X509_free(issued);
    cmc_free(der);
    sk_X509_pop_free(certs, X509_free);
    EVP_PKEY_free(ee);
    EVP_PKEY_free(ca_key);
    fixture_cleanup(&f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expect_check_matches_failed_status),
        cmocka_unit_test(test_expect_check_requires_echo),
        cmocka_unit_test(test_expect_check_requires_data_return),
        cmocka_unit_test(test_expect_check_http_and_media),
        cmocka_unit_test(test_expect_check_certs_only_issued_and_chain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
