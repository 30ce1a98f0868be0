/* msg_response_test: the Full PKI Response builder and the response reader (cmc/msg.h;
 * RFC 5272 §4, §6.1). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <openssl/objects.h>

#include "internal.h"
#include "msg_test_util.h"

static const uint8_t kNonceC[16] = {0xC1, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC8,
                                    0xC9, 0xCA, 0xCB, 0xCC, 0xCD, 0xCE, 0xCF, 0xC0};
static const uint8_t kNonceS[16] = {0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58,
                                    0x59, 0x5A, 0x5B, 0x5C, 0x5D, 0x5E, 0x5F, 0x50};

/* build_response: success for body part 2, failed/badRequest for 3, echoes, signed by the
 * fixture CMC signer (or |key_file|/|cert_file|) with the issued cert and the CA. */
static uint8_t *build_response(size_t *out_len, const char *key_file, const char *cert_file,
                               uint32_t faults) {
    cmc_pki_response_builder *b = NULL;
    assert_int_equal(cmc_pki_response_builder_new(&b), CMC_OK);
    int64_t id = 0;
    const int64_t ok_list[1] = {2};
    assert_int_equal(cmc_pki_response_builder_add_status(b, &id, CMC_BPID_AUTO, CMC_STATUS_SUCCESS,
                                                         ok_list, 1, NULL, -1),
                     CMC_OK);
    assert_int_equal(id, 1);
    const int64_t bad_list[2] = {3, 0};
    assert_int_equal(
        cmc_pki_response_builder_add_status(b, NULL, CMC_BPID_AUTO, CMC_STATUS_FAILED, bad_list, 2,
                                            "revocation reason not allowed", CMC_FAIL_BAD_REQUEST),
        CMC_OK);
    /* transactionId echoed as received: a 9-octet INTEGER does not fit uint64. */
    static const uint8_t tid[] = {0x02, 0x09, 0x01, 2, 3, 4, 5, 6, 7, 8, 9};
    assert_int_equal(
        cmc_pki_response_builder_add_transaction_id_der(b, NULL, CMC_BPID_AUTO, tid, sizeof(tid)),
        CMC_OK);
    assert_int_equal(cmc_pki_response_builder_add_recipient_nonce(b, NULL, CMC_BPID_AUTO, kNonceC,
                                                                  sizeof(kNonceC)),
                     CMC_OK);
    assert_int_equal(
        cmc_pki_response_builder_add_sender_nonce(b, NULL, CMC_BPID_AUTO, kNonceS, sizeof(kNonceS)),
        CMC_OK);
    assert_int_equal(cmc_pki_response_builder_add_data_return(b, NULL, CMC_BPID_AUTO,
                                                              (const uint8_t *)"echo", 4),
                     CMC_OK);
    EVP_PKEY *k = tu_key(key_file);
    X509 *c = tu_cert(cert_file);
    STACK_OF(X509) *certs = tu_chain();
    cmc_signer s;
    memset(&s, 0, sizeof(s));
    s.key = k;
    s.cert = c;
    s.include_cert = 1;
    s.faults = faults;
    uint8_t *out = NULL;
    assert_int_equal(cmc_pki_response_builder_sign(b, &out, out_len, &s, certs, CMC_FIXTURE_CLOCK),
                     CMC_OK);
    sk_X509_pop_free(certs, X509_free);
    X509_free(c);
    EVP_PKEY_free(k);
    cmc_pki_response_builder_free(b);
    return out;
}

static cmc_status read_with_trust(cmc_response *r, const uint8_t *in, size_t len,
                                  const char *media_type) {
    X509_STORE *store = tu_store();
    cmc_verify_options o;
    memset(&o, 0, sizeof(o));
    o.trust = store;
    o.verify_time = CMC_FIXTURE_CLOCK;
    o.required_eku = CMC_OID_KP_CMC_CA;
    cmc_status st = cmc_response_read(r, in, len, media_type, &o);
    X509_STORE_free(store);
    return st;
}

static void check_full(const cmc_response *r) {
    assert_int_equal(r->kind, CMC_RESPONSE_FULL);
    assert_int_equal(sk_X509_num(r->certs), 3);
    assert_int_equal(r->num_statuses, 2);
    assert_int_equal(r->statuses[0].control_id, 1);
    assert_int_equal(r->statuses[0].v2, 1);
    assert_int_equal(r->statuses[0].status, CMC_STATUS_SUCCESS);
    assert_int_equal(r->statuses[0].fail_info, -1);
    assert_null(r->statuses[0].status_string);
    assert_int_equal(r->statuses[0].num_body_list, 1);
    assert_int_equal(r->statuses[0].body_list[0], 2);
    assert_int_equal(r->statuses[1].control_id, 2);
    assert_int_equal(r->statuses[1].status, CMC_STATUS_FAILED);
    assert_int_equal(r->statuses[1].fail_info, CMC_FAIL_BAD_REQUEST);
    assert_string_equal(r->statuses[1].status_string, "revocation reason not allowed");
    assert_int_equal(r->statuses[1].num_body_list, 2);
    assert_int_equal(r->statuses[1].body_list[1], 0);
    assert_ptr_equal(cmc_response_find_status(r, 3), &r->statuses[1]);
    assert_ptr_equal(cmc_response_find_status(r, 2), &r->statuses[0]);
    assert_null(cmc_response_find_status(r, 9));
    assert_non_null(r->transaction_id);
    assert_int_equal(ASN1_STRING_length(r->transaction_id), 9);
    assert_int_equal(r->recipient_nonce_len, sizeof(kNonceC));
    assert_memory_equal(r->recipient_nonce, kNonceC, sizeof(kNonceC));
    assert_int_equal(r->sender_nonce_len, sizeof(kNonceS));
    assert_memory_equal(r->sender_nonce, kNonceS, sizeof(kNonceS));
    assert_int_equal(r->data_return_len, 4);
    assert_memory_equal(r->data_return, "echo", 4);
    assert_non_null(r->pki_response);
}

static void test_response_read_round_trips_full_response(void **state) {
    (void)state;
    size_t len = 0;
    uint8_t *msg = build_response(&len, "signer.key.pem", "signer.cert.pem", 0);
    cmc_response r;
    cmc_response_init(&r);
    assert_int_equal(
        read_with_trust(&r, msg, len, "application/pkcs7-mime; smime-type=CMC-response"), CMC_OK);
    assert_int_equal(r.verify_status, CMC_OK);
    check_full(&r);
    X509 *signer = tu_cert("signer.cert.pem");
    assert_int_equal(X509_cmp(r.signer_cert, signer), 0);
    X509_free(signer);
    /* The PKIResponse parses with the asn1 module too (DER, IDs valid). */
    cmc_pki_response *pr = NULL;
    assert_int_equal(cmc_pki_response_parse(&pr, r.pki_response, r.pki_response_len), CMC_OK);
    cmc_pki_response_free(pr);
    /* Without options: signature checked, no chain. */
    assert_int_equal(cmc_response_read(&r, msg, len, NULL, NULL), CMC_OK);
    assert_int_equal(r.verify_status, CMC_OK);
    check_full(&r);
    cmc_response_cleanup(&r);
    cmc_response_cleanup(&r); /* idempotent */
    OPENSSL_free(msg);
}

static void test_response_read_reports_bad_signature_and_signer(void **state) {
    (void)state;
    size_t len = 0;
    uint8_t *msg =
        build_response(&len, "signer.key.pem", "signer.cert.pem", CMC_FAULT_FLIP_SIGNATURE);
    cmc_response r;
    cmc_response_init(&r);
    assert_int_equal(read_with_trust(&r, msg, len, NULL), CMC_OK); /* still decoded */
    assert_int_equal(r.verify_status, CMC_E_SIGNATURE);
    check_full(&r);
    OPENSSL_free(msg);
    /* An officer (id-kp-cmcRA, no id-kp-cmcCA) is not a CMC response signer. */
    msg = build_response(&len, "officer-both-p256.key.pem", "officer-both-p256.cert.pem", 0);
    assert_int_equal(read_with_trust(&r, msg, len, NULL), CMC_OK);
    assert_int_equal(r.verify_status, CMC_E_SIGNER_UNTRUSTED);
    OPENSSL_free(msg);
    /* A request (id-cct-PKIData) is not a response. */
    msg = build_response(&len, "signer.key.pem", "signer.cert.pem",
                         CMC_FAULT_CONTENT_TYPE_ATTR_OTHER);
    assert_int_equal(read_with_trust(&r, msg, len, NULL), CMC_OK);
    assert_int_equal(r.verify_status, CMC_E_CONTENT_TYPE);
    cmc_response_cleanup(&r);
    OPENSSL_free(msg);
}

static void test_response_read_accepts_ed25519_signer(void **state) {
    (void)state;
    size_t len = 0;
    uint8_t *msg =
        build_response(&len, "officer-both-ed25519.key.pem", "officer-both-ed25519.cert.pem", 0);
    cmc_response r;
    cmc_response_init(&r);
    assert_int_equal(cmc_response_read(&r, msg, len, NULL, NULL), CMC_OK);
    assert_int_equal(r.verify_status, CMC_OK);
    check_full(&r);
    cmc_response_cleanup(&r);
    OPENSSL_free(msg);
}

/* CMCStatusInfo (v1, id-cmc 1), a BodyPartPath in a bodyList and a pendInfo otherInfo, sent
 * as raw controls: the reader takes the last ID of a path and reports fail_info -1 for
 * anything but failInfo. */
static void test_response_read_handles_status_v1_paths_and_pend_info(void **state) {
    (void)state;
    cmc_pki_response_builder *b = NULL;
    assert_int_equal(cmc_pki_response_builder_new(&b), CMC_OK);
    /* CMCStatusInfo { failed(2), bodyList { 1 }, "x", failInfo popFailed(9) } */
    static const uint8_t v1[] = {0x30, 0x0E, 0x02, 0x01, 0x02, 0x30, 0x03, 0x02,
                                 0x01, 0x01, 0x0C, 0x01, 'x',  0x02, 0x01, 0x09};
    /* CMCStatusInfoV2 { pending(3), bodyList { path { 1, 4 } }, pendInfo { token, time } } */
    static const uint8_t v2[] = {0x30, 0x23, 0x02, 0x01, 0x03, 0x30, 0x08, 0x30, 0x06, 0x02,
                                 0x01, 0x01, 0x02, 0x01, 0x04, 0x30, 0x14, 0x04, 0x01, 0x07,
                                 0x18, 0x0F, '2',  '0',  '2',  '6',  '0',  '7',  '0',  '1',
                                 '0',  '0',  '0',  '0',  '0',  '0',  'Z'};
    const uint8_t *vals[1] = {v1};
    size_t lens[1] = {sizeof(v1)};
    assert_int_equal(cmc_pki_response_builder_add_control_raw(b, NULL, CMC_BPID_AUTO,
                                                              "1.3.6.1.5.5.7.7.1", vals, lens, 1),
                     CMC_OK);
    vals[0] = v2;
    lens[0] = sizeof(v2);
    assert_int_equal(cmc_pki_response_builder_add_control_raw(b, NULL, CMC_BPID_AUTO,
                                                              "1.3.6.1.5.5.7.7.25", vals, lens, 1),
                     CMC_OK);
    EVP_PKEY *k = tu_key("signer.key.pem");
    X509 *c = tu_cert("signer.cert.pem");
    cmc_signer sg;
    memset(&sg, 0, sizeof(sg));
    sg.key = k;
    sg.cert = c;
    sg.include_cert = 1;
    uint8_t *msg = NULL;
    size_t len = 0;
    assert_int_equal(cmc_pki_response_builder_sign(b, &msg, &len, &sg, NULL, CMC_FIXTURE_CLOCK),
                     CMC_OK);
    cmc_response r;
    cmc_response_init(&r);
    assert_int_equal(read_with_trust(&r, msg, len, NULL), CMC_OK);
    assert_int_equal(r.verify_status, CMC_OK);
    assert_int_equal(r.num_statuses, 2);
    assert_int_equal(r.statuses[0].v2, 0);
    assert_int_equal(r.statuses[0].status, CMC_STATUS_FAILED);
    assert_int_equal(r.statuses[0].fail_info, CMC_FAIL_POP_FAILED);
    assert_string_equal(r.statuses[0].status_string, "x");
    assert_int_equal(r.statuses[1].v2, 1);
    assert_int_equal(r.statuses[1].status, CMC_STATUS_PENDING);
    assert_int_equal(r.statuses[1].fail_info, -1);
    assert_int_equal(r.statuses[1].num_body_list, 1);
    assert_int_equal(r.statuses[1].body_list[0], 4);
    assert_null(r.transaction_id);
    assert_null(r.sender_nonce);
    cmc_response_cleanup(&r);
    OPENSSL_free(msg);
    /* A statusInfoV2 whose value is not a SEQUENCE is a bad value, not a crash. */
    static const uint8_t bad[] = {0x04, 0x01, 0x00};
    vals[0] = bad;
    lens[0] = sizeof(bad);
    assert_int_equal(cmc_pki_response_builder_add_control_raw(b, NULL, CMC_BPID_AUTO,
                                                              "1.3.6.1.5.5.7.7.25", vals, lens, 1),
                     CMC_OK);
    assert_int_equal(cmc_pki_response_builder_sign(b, &msg, &len, &sg, NULL, CMC_FIXTURE_CLOCK),
                     CMC_OK);
    assert_int_equal(read_with_trust(&r, msg, len, NULL), CMC_E_BAD_VALUE);
    assert_int_equal(r.kind, CMC_RESPONSE_UNKNOWN);
    OPENSSL_free(msg);
    cmc_pki_response_builder_free(b);
    X509_free(c);
    EVP_PKEY_free(k);
}

static void test_response_sign_verifies_with_openssl_cli(void **state) {
    (void)state;
    const char *src = getenv("CMC_SOURCE_DIR") ? getenv("CMC_SOURCE_DIR") : CMC_SOURCE_DIR;
    size_t len = 0;
    uint8_t *msg = build_response(&len, "signer.key.pem", "signer.cert.pem", 0);
    const char *path = tu_write_tmp(0, "resp.cms", msg, len);
    char cmd[2048];
    TU_SNPRINTF(cmd, sizeof(cmd),
                "openssl cms -verify -binary -inform DER -in '%s' -purpose any -attime %ld "
                "-CAfile '%s/vectors/pki/ca.cert.pem' -out /dev/null",
                path, (long)CMC_FIXTURE_CLOCK, src);
    assert_int_equal(tu_run(cmd), 0);
    unlink(path);
    OPENSSL_free(msg);
}

static void test_response_read_certs_only_and_pkix_cert(void **state) {
    (void)state;
    STACK_OF(X509) *certs = tu_chain();
    uint8_t *der = NULL;
    size_t len = 0;
    assert_int_equal(cmc_certs_only_build(&der, &len, certs), CMC_OK);
    cmc_response r;
    cmc_response_init(&r);
    assert_int_equal(
        cmc_response_read(&r, der, len, "application/pkcs7-mime; smime-type=certs-only", NULL),
        CMC_OK);
    assert_int_equal(r.kind, CMC_RESPONSE_CERTS_ONLY);
    assert_int_equal(sk_X509_num(r.certs), 2);
    assert_int_equal(r.num_statuses, 0);
    assert_int_equal(r.verify_status, CMC_E_UNSIGNED);
    OPENSSL_free(der);

    assert_int_equal(cmc_pkix_cert_encode(&der, &len, sk_X509_value(certs, 0)), CMC_OK);
    assert_int_equal(cmc_response_read(&r, der, len, "Application/PKIX-Cert", NULL), CMC_OK);
    assert_int_equal(r.kind, CMC_RESPONSE_PKIX_CERT);
    assert_int_equal(sk_X509_num(r.certs), 1);
    assert_int_equal(X509_cmp(sk_X509_value(r.certs, 0), sk_X509_value(certs, 0)), 0);
    assert_int_equal(cmc_response_read(&r, der, len, NULL, NULL), CMC_OK); /* sniffed */
    assert_int_equal(r.kind, CMC_RESPONSE_PKIX_CERT);
    assert_int_equal(cmc_response_read(&r, der, len - 1, "application/pkix-cert", NULL),
                     CMC_E_TRUNCATED);
    assert_int_equal(r.kind, CMC_RESPONSE_UNKNOWN);
    assert_null(r.certs);
    cmc_response_cleanup(&r);
    OPENSSL_free(der);
    sk_X509_pop_free(certs, X509_free);
}

static void test_response_read_rejects_bad_input(void **state) {
    (void)state;
    cmc_response r;
    cmc_response_init(&r);
    assert_int_equal(cmc_response_read(NULL, NULL, 0, NULL, NULL), CMC_E_ARG);
    assert_int_equal(cmc_response_read(&r, NULL, 0, NULL, NULL), CMC_E_TRUNCATED);
    static const uint8_t not_cmc[] = {0x30, 0x03, 0x02, 0x01, 0x05};
    assert_int_equal(cmc_response_read(&r, not_cmc, sizeof(not_cmc), NULL, NULL), CMC_E_NOT_CMC);
    static const uint8_t trailing[] = {0x30, 0x03, 0x02, 0x01, 0x05, 0x00};
    assert_int_equal(cmc_response_read(&r, trailing, sizeof(trailing), NULL, NULL), CMC_E_TRAILING);
    size_t len = 0;
    uint8_t *msg = build_response(&len, "signer.key.pem", "signer.cert.pem", 0);
    assert_int_equal(cmc_response_read(&r, msg, len - 1, NULL, NULL), CMC_E_TRUNCATED);
    for (size_t i = 0; i < len; i += 3) {
        assert_int_not_equal(cmc_response_read(&r, msg, i, NULL, NULL), CMC_OK);
        assert_int_equal(r.kind, CMC_RESPONSE_UNKNOWN);
    }
    for (size_t i = 0; i < len; i += 4) {
        msg[i] ^= 0x21;
        cmc_status st = cmc_response_read(&r, msg, len, NULL, NULL);
        assert_true(st < CMC_STATUS_COUNT);
        msg[i] ^= 0x21;
    }
    cmc_response_cleanup(&r);
    OPENSSL_free(msg);

    /* A signed PKIData is not a PKIResponse: content type reported, body unparsable. */
    cmc_pki_data_builder *pb = NULL;
    assert_int_equal(cmc_pki_data_builder_new(&pb), CMC_OK);
    uint8_t *pd = NULL;
    size_t pd_len = 0;
    assert_int_equal(cmc_pki_data_builder_to_der(pb, &pd, &pd_len), CMC_OK);
    cmc_pki_data_builder_free(pb);
    EVP_PKEY *k = tu_key("signer.key.pem");
    X509 *c = tu_cert("signer.cert.pem");
    cmc_signer s;
    memset(&s, 0, sizeof(s));
    s.key = k;
    s.cert = c;
    s.include_cert = 1;
    assert_int_equal(cmc_signed_data_sign(&msg, &len, pd, pd_len, &s, 1, NULL), CMC_OK);
    assert_int_not_equal(cmc_response_read(&r, msg, len, NULL, NULL), CMC_OK);
    OPENSSL_free(msg);
    OPENSSL_free(pd);
    X509_free(c);
    EVP_PKEY_free(k);
}

static void test_response_builder_rejects_empty_body_list(void **state) {
    (void)state;
    cmc_pki_response_builder *b = NULL;
    assert_int_equal(cmc_pki_response_builder_new(&b), CMC_OK);
    const int64_t list[1] = {1};
    assert_int_equal(
        cmc_pki_response_builder_add_status(b, NULL, CMC_BPID_AUTO, 0, list, 0, NULL, -1),
        CMC_E_ARG);
    assert_int_equal(
        cmc_pki_response_builder_add_status(b, NULL, CMC_BPID_AUTO, 0, NULL, 1, NULL, -1),
        CMC_E_ARG);
    uint8_t *der = NULL;
    size_t len = 0;
    assert_int_equal(cmc_pki_response_builder_to_der(b, &der, &len), CMC_OK);
    static const uint8_t kEmpty[] = {0x30, 0x06, 0x30, 0x00, 0x30, 0x00, 0x30, 0x00};
    assert_int_equal(len, sizeof(kEmpty));
    assert_memory_equal(der, kEmpty, len);
    OPENSSL_free(der);
    /* One success status about body part 1: exact bytes (RFC 5272 §6.1.1 shape). */
    assert_int_equal(
        cmc_pki_response_builder_add_status(b, NULL, CMC_BPID_AUTO, 0, list, 1, NULL, -1), CMC_OK);
    assert_int_equal(cmc_pki_response_builder_to_der(b, &der, &len), CMC_OK);
    static const uint8_t kOne[] = {0x30, 0x21, 0x30, 0x1B, 0x30, 0x19, 0x02, 0x01, 0x01,
                                   0x06, 0x08, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x07,
                                   0x19, 0x31, 0x0A, 0x30, 0x08, 0x02, 0x01, 0x00, 0x30,
                                   0x03, 0x02, 0x01, 0x01, 0x30, 0x00, 0x30, 0x00};
    assert_int_equal(len, sizeof(kOne));
    assert_memory_equal(der, kOne, len);
    OPENSSL_free(der);
    cmc_pki_response_builder_free(b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_response_read_round_trips_full_response),
        cmocka_unit_test(test_response_read_reports_bad_signature_and_signer),
        cmocka_unit_test(test_response_read_accepts_ed25519_signer),
        cmocka_unit_test(test_response_read_handles_status_v1_paths_and_pend_info),
        cmocka_unit_test(test_response_sign_verifies_with_openssl_cli),
        cmocka_unit_test(test_response_read_certs_only_and_pkix_cert),
        cmocka_unit_test(test_response_read_rejects_bad_input),
        cmocka_unit_test(test_response_builder_rejects_empty_body_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
