/* transport_frame_test.c: the TCP framer (cmc_ber_frame_length) and the request/response
 * sniffers of cmc/transport.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "cmc/transport.h"

/* SEQUENCE { INTEGER 5 } */
static const uint8_t kDefinite[] = {0x30, 0x03, 0x02, 0x01, 0x05};
/* SEQUENCE (indefinite) { SEQUENCE (indefinite) { INTEGER 1 } EOC, OCTET STRING {} } EOC */
static const uint8_t kIndefinite[] = {0x30, 0x80, 0x30, 0x80, 0x02, 0x01, 0x01,
                                      0x00, 0x00, 0x04, 0x00, 0x00, 0x00};
/* ContentInfo skeleton: SEQUENCE { OID signedData, [0] { SignedData { INTEGER 1, SET {},
 * SEQUENCE { OID id-cct-PKIResponse } } } } */
static const uint8_t kCmcResponse[] = {0x30, 0x24, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
                                       0x01, 0x07, 0x02, 0xa0, 0x17, 0x30, 0x15, 0x02, 0x01, 0x03,
                                       0x31, 0x00, 0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05,
                                       0x05, 0x07, 0x0c, 0x03, 0x31, 0x00, 0x31, 0x00};
/* The same with eContentType id-data and indefinite lengths (BER, as `openssl cms -stream`). */
static const uint8_t kCertsOnlyBer[] = {
    0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x80,
    0x30, 0x80, 0x02, 0x01, 0x01, 0x31, 0x00, 0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
    0xf7, 0x0d, 0x01, 0x07, 0x01, 0x31, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};

static void test_ber_frame_length_definite_short_form(void **state) {
    (void)state;
    size_t len = 0;
    assert_int_equal(cmc_ber_frame_length(&len, kDefinite, sizeof(kDefinite), 1024), CMC_OK);
    assert_int_equal(len, sizeof(kDefinite));
}

static void test_ber_frame_length_reports_end_of_first_message(void **state) {
    (void)state;
    uint8_t two[2 * sizeof(kDefinite)];
    memcpy(two, kDefinite, sizeof(kDefinite));
    memcpy(two + sizeof(kDefinite), kDefinite, sizeof(kDefinite));
    size_t len = 0;
    assert_int_equal(cmc_ber_frame_length(&len, two, sizeof(two), 1024), CMC_OK);
    assert_int_equal(len, sizeof(kDefinite));
}

static void test_ber_frame_length_every_prefix_is_truncated(void **state) {
    (void)state;
    size_t len = 0;
    for (size_t n = 0; n < sizeof(kDefinite); n++) {
        assert_int_equal(cmc_ber_frame_length(&len, kDefinite, n, 1024), CMC_E_TRUNCATED);
    }
    for (size_t n = 0; n < sizeof(kIndefinite); n++) {
        assert_int_equal(cmc_ber_frame_length(&len, kIndefinite, n, 1024), CMC_E_TRUNCATED);
    }
}

static void test_ber_frame_length_long_form(void **state) {
    (void)state;
    size_t n = 300;
    uint8_t *buf = calloc(1, n + 4);
    assert_non_null(buf);
    buf[0] = 0x30;
    buf[1] = 0x82;
    buf[2] = 0x01;
    buf[3] = 0x2c; /* 300 */
    size_t len = 0;
    assert_int_equal(cmc_ber_frame_length(&len, buf, n + 4, 1024), CMC_OK);
    assert_int_equal(len, n + 4);
    assert_int_equal(cmc_ber_frame_length(&len, buf, n + 3, 1024), CMC_E_TRUNCATED);
    /* Larger than the caller's limit: refused from the header alone. */
    assert_int_equal(cmc_ber_frame_length(&len, buf, 4, 200), CMC_E_LIMIT);
    free(buf);
}

static void test_ber_frame_length_indefinite_nested(void **state) {
    (void)state;
    size_t len = 0;
    assert_int_equal(cmc_ber_frame_length(&len, kIndefinite, sizeof(kIndefinite), 1024), CMC_OK);
    assert_int_equal(len, sizeof(kIndefinite));
    assert_int_equal(cmc_ber_frame_length(&len, kCertsOnlyBer, sizeof(kCertsOnlyBer), 1024),
                     CMC_OK);
    assert_int_equal(len, sizeof(kCertsOnlyBer));
}

static void test_ber_frame_length_rejects_bad_forms(void **state) {
    (void)state;
    size_t len = 0;
    static const uint8_t kEocTop[] = {0x00, 0x00};
    static const uint8_t kPrimIndef[] = {0x04, 0x80, 0x00, 0x00};
    static const uint8_t kReserved[] = {0x30, 0xff, 0x00};
    static const uint8_t kHugeLen[] = {0x30, 0x85, 0x01, 0x00, 0x00, 0x00, 0x00};
    static const uint8_t kEocWithLen[] = {0x30, 0x80, 0x00, 0x01, 0x00};
    assert_int_equal(cmc_ber_frame_length(&len, kEocTop, sizeof(kEocTop), 1024), CMC_E_DER);
    assert_int_equal(cmc_ber_frame_length(&len, kPrimIndef, sizeof(kPrimIndef), 1024), CMC_E_DER);
    assert_int_equal(cmc_ber_frame_length(&len, kReserved, sizeof(kReserved), 1024), CMC_E_DER);
    assert_int_equal(cmc_ber_frame_length(&len, kHugeLen, sizeof(kHugeLen), 1024), CMC_E_LIMIT);
    assert_int_equal(cmc_ber_frame_length(&len, kEocWithLen, sizeof(kEocWithLen), 1024), CMC_E_DER);
    assert_int_equal(cmc_ber_frame_length(NULL, kDefinite, sizeof(kDefinite), 1024), CMC_E_ARG);
}

static void test_ber_frame_length_caps_indefinite_depth(void **state) {
    (void)state;
    size_t depth = CMC_TRANSPORT_MAX_BER_DEPTH + 1;
    uint8_t *buf = calloc(2, depth);
    assert_non_null(buf);
    for (size_t i = 0; i < depth; i++) {
        buf[2 * i] = 0x30;
        buf[2 * i + 1] = 0x80;
    }
    size_t len = 0;
    assert_int_equal(cmc_ber_frame_length(&len, buf, 2 * depth, 1 << 20), CMC_E_LIMIT);
    /* One level less is fine, just incomplete. */
    assert_int_equal(cmc_ber_frame_length(&len, buf, 2 * (depth - 1), 1 << 20), CMC_E_TRUNCATED);
    free(buf);
}

static void test_ber_frame_length_indefinite_over_limit(void **state) {
    (void)state;
    /* SEQUENCE (indefinite) { OCTET STRING of 100 bytes } EOC, with a 50-byte limit. */
    uint8_t buf[2 + 2 + 100 + 2] = {0x30, 0x80, 0x04, 100};
    size_t len = 0;
    assert_int_equal(cmc_ber_frame_length(&len, buf, sizeof(buf), 50), CMC_E_LIMIT);
    assert_int_equal(cmc_ber_frame_length(&len, buf, sizeof(buf), 1024), CMC_OK);
    assert_int_equal(len, sizeof(buf));
}

/* A real PKCS #10 and a real certificate, made with OpenSSL. */
static void make_req_and_cert(uint8_t **req, int *req_len, uint8_t **cert, int *cert_len) {
    EVP_PKEY *key = EVP_EC_gen("P-256");
    assert_non_null(key);
    X509_REQ *r = X509_REQ_new();
    assert_non_null(r);
    assert_int_equal(X509_REQ_set_pubkey(r, key), 1);
    assert_true(X509_REQ_sign(r, key, EVP_sha256()) > 0);
    *req = NULL;
    *req_len = i2d_X509_REQ(r, req);
    assert_true(*req_len > 0);
    X509 *c = X509_new();
    assert_non_null(c);
    assert_int_equal(X509_set_version(c, 2), 1);
    assert_int_equal(X509_set_pubkey(c, key), 1);
    assert_non_null(X509_gmtime_adj(X509_getm_notBefore(c), 0));
    assert_non_null(X509_gmtime_adj(X509_getm_notAfter(c), 60));
    assert_true(X509_sign(c, key, EVP_sha256()) > 0);
    *cert = NULL;
    *cert_len = i2d_X509(c, cert);
    assert_true(*cert_len > 0);
    X509_free(c);
    X509_REQ_free(r);
    EVP_PKEY_free(key);
}

static void test_transport_sniff_request_tells_pkcs10_from_content_info(void **state) {
    (void)state;
    uint8_t *req = NULL, *cert = NULL;
    int req_len = 0, cert_len = 0;
    make_req_and_cert(&req, &req_len, &cert, &cert_len);
    assert_int_equal(cmc_transport_sniff_request(req, (size_t)req_len), CMC_MEDIA_PKCS10);
    assert_int_equal(cmc_transport_sniff_request(kCmcResponse, sizeof(kCmcResponse)),
                     CMC_MEDIA_CMC_REQUEST);
    assert_int_equal(cmc_transport_sniff_request(cert, (size_t)cert_len), CMC_MEDIA_OTHER);
    assert_int_equal(cmc_transport_sniff_request(kDefinite, sizeof(kDefinite)), CMC_MEDIA_OTHER);
    assert_int_equal(cmc_transport_sniff_request(NULL, 0), CMC_MEDIA_OTHER);
    OPENSSL_free(req);
    OPENSSL_free(cert);
}

static void test_transport_sniff_response_names_each_type(void **state) {
    (void)state;
    uint8_t *req = NULL, *cert = NULL;
    int req_len = 0, cert_len = 0;
    make_req_and_cert(&req, &req_len, &cert, &cert_len);
    assert_int_equal(cmc_transport_sniff_response(kCmcResponse, sizeof(kCmcResponse)),
                     CMC_MEDIA_CMC_RESPONSE);
    assert_int_equal(cmc_transport_sniff_response(kCertsOnlyBer, sizeof(kCertsOnlyBer)),
                     CMC_MEDIA_CERTS_ONLY);
    assert_int_equal(cmc_transport_sniff_response(cert, (size_t)cert_len), CMC_MEDIA_PKIX_CERT);
    assert_int_equal(cmc_transport_sniff_response(req, (size_t)req_len), CMC_MEDIA_OTHER);
    assert_int_equal(cmc_transport_sniff_response(kIndefinite, sizeof(kIndefinite)),
                     CMC_MEDIA_OTHER);
    /* Every truncation is classified without reading past the end (ASan checks). */
    for (size_t n = 0; n < sizeof(kCmcResponse); n++) {
        cmc_media_type t = cmc_transport_sniff_response(kCmcResponse, n);
        assert_true(t == CMC_MEDIA_OTHER || t == CMC_MEDIA_CMC_RESPONSE);
    }
    assert_int_equal(cmc_transport_sniff_response(kCmcResponse, 1), CMC_MEDIA_OTHER);
    OPENSSL_free(req);
    OPENSSL_free(cert);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ber_frame_length_definite_short_form),
        cmocka_unit_test(test_ber_frame_length_reports_end_of_first_message),
        cmocka_unit_test(test_ber_frame_length_every_prefix_is_truncated),
        cmocka_unit_test(test_ber_frame_length_long_form),
        cmocka_unit_test(test_ber_frame_length_indefinite_nested),
        cmocka_unit_test(test_ber_frame_length_rejects_bad_forms),
        cmocka_unit_test(test_ber_frame_length_caps_indefinite_depth),
        cmocka_unit_test(test_ber_frame_length_indefinite_over_limit),
        cmocka_unit_test(test_transport_sniff_request_tells_pkcs10_from_content_info),
        cmocka_unit_test(test_transport_sniff_response_names_each_type),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
