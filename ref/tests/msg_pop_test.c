/* msg_pop_test.c: the message layer's proof-of-possession checks (cmc_p10_verify_pop,
 * cmc_crmf_verify_pop; spec/CMC.md §9.4, §13 item 18) and the per-SignerInfo algorithms
 * and keys cmc_signed_data_verify reports (cmc_verified.signers), which the server's
 * algorithm policy reads. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <openssl/crmf.h>
#include <openssl/objects.h>

#include "msg_test_util.h"

static void test_crmf_verify_pop_uses_stack_index_not_cert_req_id(void **state) {
    (void)state;
    EVP_PKEY *k = tu_key("ee-p256.key.pem");
    cmc_req_options o = {.subject = "/CN=pop"};
    /* certReqId 7 in a one-element stack: OpenSSL 3.0's |rid| is the index (0); passing
     * the certReqId would find no message and fail. */
    OSSL_CRMF_MSG *crm = NULL;
    assert_int_equal(cmc_crmf_build(&crm, k, 7, &o), CMC_OK);
    assert_int_equal(cmc_crmf_verify_pop(crm), CMC_OK);
    OSSL_CRMF_MSG_free(crm);
    EVP_PKEY_free(k);
}

static void test_crmf_verify_pop_rejects_ra_verified_with_detail(void **state) {
    (void)state;
    EVP_PKEY *k = tu_key("ee-p256.key.pem");
    cmc_req_options o = {.subject = "/CN=pop"};
    uint8_t *der = NULL;
    size_t len = 0;
    assert_int_equal(cmc_crmf_build_der(&der, &len, k, 1, &o), CMC_OK);
    /* CertReqMsg = 30 L1 [certReq 30 L2 ...] [popo A1 ...]: keep certReq, popo = 80 00. */
    assert_true(der[1] == 0x81 || der[1] == 0x82);
    size_t off = 2 + (size_t)(der[1] & 0x7F);
    size_t req_len;
    if (der[off + 1] < 0x80) {
        req_len = 2 + der[off + 1];
    } else if (der[off + 1] == 0x81) {
        req_len = 3 + der[off + 2];
    } else {
        req_len = 4 + ((size_t)der[off + 2] << 8 | der[off + 3]);
    }
    uint8_t buf[1024];
    size_t n = 0;
    size_t body = req_len + 2;
    buf[n++] = 0x30;
    if (body < 0x80) {
        buf[n++] = (uint8_t)body;
    } else if (body < 0x100) {
        buf[n++] = 0x81;
        buf[n++] = (uint8_t)body;
    } else {
        buf[n++] = 0x82;
        buf[n++] = (uint8_t)(body >> 8);
        buf[n++] = (uint8_t)body;
    }
    assert_true(n + body <= sizeof(buf));
    memcpy(buf + n, der + off, req_len);
    n += req_len;
    buf[n++] = 0x80;
    buf[n++] = 0x00;
    const uint8_t *p = buf;
    OSSL_CRMF_MSG *ra = d2i_OSSL_CRMF_MSG(NULL, &p, (long)n);
    assert_non_null(ra);
    assert_int_equal(cmc_crmf_verify_pop(ra), CMC_E_POP);
    assert_int_equal(cmc_error_last()->code, CMC_E_POP);
    assert_non_null(strstr(cmc_error_last()->detail, "raVerified"));
    OSSL_CRMF_MSG_free(ra);
    cmc_free(der);
    EVP_PKEY_free(k);
}

static void test_p10_verify_pop_no_signature_is_unsupported(void **state) {
    (void)state;
    EVP_PKEY *k = tu_key("ee-rsa2048.key.pem");
    cmc_req_options o = {.subject = "/CN=nosig"};
    X509_REQ *req = NULL;
    assert_int_equal(cmc_p10_build(&req, k, &o), CMC_OK);
    assert_int_equal(cmc_p10_verify_pop(req), CMC_OK);
    const X509_ALGOR *alg = NULL;
    X509_REQ_get0_signature(req, NULL, &alg);
    assert_int_equal(
        X509_ALGOR_set0((X509_ALGOR *)alg, OBJ_nid2obj(NID_id_alg_noSignature), V_ASN1_NULL, NULL),
        1);
    assert_int_equal(cmc_p10_verify_pop(req), CMC_E_UNSUPPORTED);
    assert_non_null(strstr(cmc_error_last()->detail, "id-alg-noSignature"));
    X509_REQ_free(req);
    EVP_PKEY_free(k);
}

static void test_p10_verify_pop_bad_signature_is_pop(void **state) {
    (void)state;
    EVP_PKEY *k = tu_key("ee-ed25519.key.pem");
    cmc_req_options o = {.subject = "/CN=bad"};
    uint8_t *der = NULL;
    size_t len = 0;
    assert_int_equal(cmc_p10_build_der(&der, &len, k, &o), CMC_OK);
    der[len - 1] ^= 0x01;
    const uint8_t *p = der;
    X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)len);
    assert_non_null(req);
    assert_int_equal(cmc_p10_verify_pop(req), CMC_E_POP);
    assert_non_null(strstr(cmc_error_last()->detail, "does not verify"));
    X509_REQ_free(req);
    cmc_free(der);
    EVP_PKEY_free(k);
}

static void test_signed_data_verify_reports_signer_algorithms(void **state) {
    (void)state;
    static const uint8_t kContent[] = {0x30, 0x08, 0x30, 0x00, 0x30, 0x00, 0x30, 0x00, 0x30, 0x00};
    EVP_PKEY *rk = tu_key("officer-both.key.pem");
    X509 *rc = tu_cert("officer-both.cert.pem");
    EVP_PKEY *ek = tu_key("officer-both-p256.key.pem");
    X509 *ec = tu_cert("officer-both-p256.cert.pem");
    cmc_signer s[2] = {{.key = rk, .cert = rc, .include_cert = 1, .md = EVP_sha384(), .rsa_pss = 1},
                       {.key = ek, .cert = ec, .include_cert = 1, .md = EVP_sha512()}};
    cmc_sign_options so = {.signing_time = CMC_FIXTURE_CLOCK};
    uint8_t *msg = NULL;
    size_t len = 0;
    assert_int_equal(cmc_signed_data_sign(&msg, &len, kContent, sizeof(kContent), s, 2, &so),
                     CMC_OK);
    cmc_verified v;
    cmc_verified_init(&v);
    X509_STORE *store = tu_store();
    cmc_verify_options vo = {.trust = store, .verify_time = CMC_FIXTURE_CLOCK};
    assert_int_equal(cmc_signed_data_verify(&v, msg, len, &vo), CMC_OK);
    assert_int_equal(v.num_signers, 2);
    assert_non_null(v.signers);
    /* SignerInfos are a DER-sorted SET OF: find each by its key. */
    size_t ri = EVP_PKEY_eq(v.signers[0].key, rk) == 1 ? 0 : 1;
    size_t ei = 1 - ri;
    assert_int_equal(EVP_PKEY_eq(v.signers[ri].key, rk), 1);
    assert_int_equal(OBJ_obj2nid(v.signers[ri].digest_alg->algorithm), NID_sha384);
    assert_int_equal(OBJ_obj2nid(v.signers[ri].signature_alg->algorithm), NID_rsassaPss);
    assert_int_equal(EVP_PKEY_eq(v.signers[ei].key, ek), 1);
    assert_int_equal(OBJ_obj2nid(v.signers[ei].digest_alg->algorithm), NID_sha512);
    assert_int_equal(OBJ_obj2nid(v.signers[ei].signature_alg->algorithm), NID_ecdsa_with_SHA512);
    cmc_verified_cleanup(&v);
    assert_null(v.signers);
    /* A signer whose signature fails has no key. */
    s[1].faults = CMC_FAULT_FLIP_SIGNATURE;
    cmc_free(msg);
    assert_int_equal(cmc_signed_data_sign(&msg, &len, kContent, sizeof(kContent), s, 2, &so),
                     CMC_OK);
    assert_int_equal(cmc_signed_data_verify(&v, msg, len, &vo), CMC_E_SIGNATURE);
    assert_non_null(v.signers);
    for (size_t i = 0; i < 2; i++) {
        assert_non_null(v.signers[i].digest_alg);
        int is_ec = OBJ_obj2nid(v.signers[i].digest_alg->algorithm) == NID_sha512;
        if (is_ec) {
            assert_null(v.signers[i].key);
        } else {
            assert_int_equal(EVP_PKEY_eq(v.signers[i].key, rk), 1);
        }
    }
    cmc_verified_cleanup(&v);
    X509_STORE_free(store);
    cmc_free(msg);
    EVP_PKEY_free(rk);
    EVP_PKEY_free(ek);
    X509_free(rc);
    X509_free(ec);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crmf_verify_pop_uses_stack_index_not_cert_req_id),
        cmocka_unit_test(test_crmf_verify_pop_rejects_ra_verified_with_detail),
        cmocka_unit_test(test_p10_verify_pop_no_signature_is_unsupported),
        cmocka_unit_test(test_p10_verify_pop_bad_signature_is_pop),
        cmocka_unit_test(test_signed_data_verify_reports_signer_algorithms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
