/* asn1_spki_test.c: keys parsed with CMC_PARSE_RAW_KEYS and built by cmc_spki_get1_pkey
 * instead of OpenSSL 3.0's per-key decoder chain (cmc_spki.c), and the verifier's reuse of
 * known certificates (cmc_verify_options.known). Each built key must equal the key
 * OpenSSL decodes from the same bytes, and every key OpenSSL refuses must be refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "internal.h"
#include "msg_test_util.h"

/* spki_der: the SubjectPublicKeyInfo DER of |k| (OPENSSL_free). */
static uint8_t *spki_der(EVP_PKEY *k, size_t *out_len) {
    uint8_t *der = NULL;
    int len = i2d_PUBKEY(k, &der);
    assert_true(len > 0);
    *out_len = (size_t)len;
    return der;
}

/* check_same_key: the key built from |k|'s SubjectPublicKeyInfo equals |k| (consumed). */
static void check_same_key(EVP_PKEY *k) {
    assert_non_null(k);
    size_t len = 0;
    uint8_t *der = spki_der(k, &len);
    EVP_PKEY *built = NULL;
    assert_int_equal(cmc_spki_der_get1_pkey(&built, der, len), CMC_OK);
    assert_int_equal(EVP_PKEY_eq(k, built), 1);
    EVP_PKEY_free(built);
    OPENSSL_free(der);
    EVP_PKEY_free(k);
}

static void test_cmc_spki_der_get1_pkey_equals_openssl_key(void **state) {
    (void)state;
    check_same_key(tu_key("ee-rsa2048.key.pem"));
    check_same_key(tu_key("ee-p256.key.pem"));
    check_same_key(tu_key("ee-p384.key.pem"));
    check_same_key(tu_key("ee-ed25519.key.pem"));
}

static void test_cmc_spki_der_get1_pkey_other_types_take_decoder(void **state) {
    (void)state;
    check_same_key(EVP_PKEY_Q_keygen(NULL, NULL, "X25519"));
}

static void test_cmc_spki_der_get1_pkey_rejects_point_off_curve(void **state) {
    (void)state;
    EVP_PKEY *k = tu_key("ee-p256.key.pem");
    size_t len = 0;
    uint8_t *der = spki_der(k, &len);
    der[len - 1] ^= 0x01; /* last octet of y: the point leaves the curve */
    EVP_PKEY *built = NULL;
    assert_int_equal(cmc_spki_der_get1_pkey(&built, der, len), CMC_E_DER);
    assert_null(built);
    /* OpenSSL's decoder refuses it too. */
    const unsigned char *p = der;
    EVP_PKEY *dec = d2i_PUBKEY(NULL, &p, (long)len);
    assert_null(dec);
    ERR_clear_error();
    OPENSSL_free(der);
    EVP_PKEY_free(k);
}

/* Ed25519 SPKI: 30 2a 30 05 06 03 2b 65 70 03 21 00 || 32 key octets (RFC 8410 §4). */
static const uint8_t kEd25519Prefix[] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                         0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

static void test_cmc_spki_der_get1_pkey_rejects_ed25519_params_and_length(void **state) {
    (void)state;
    uint8_t good[sizeof(kEd25519Prefix) + 32];
    memcpy(good, kEd25519Prefix, sizeof(kEd25519Prefix));
    memset(good + sizeof(kEd25519Prefix), 0x5a, 32);
    EVP_PKEY *k = NULL;
    assert_int_equal(cmc_spki_der_get1_pkey(&k, good, sizeof(good)), CMC_OK);
    EVP_PKEY_free(k);
    k = NULL;
    /* parameters NULL, which RFC 8410 §3 forbids: 30 2c 30 07 06 03 2b 65 70 05 00 ... */
    uint8_t with_null[sizeof(good) + 2];
    static const uint8_t kHead[] = {0x30, 0x2c, 0x30, 0x07, 0x06, 0x03, 0x2b,
                                    0x65, 0x70, 0x05, 0x00, 0x03, 0x21, 0x00};
    memcpy(with_null, kHead, sizeof(kHead));
    memset(with_null + sizeof(kHead), 0x5a, 32);
    assert_int_equal(cmc_spki_der_get1_pkey(&k, with_null, sizeof(with_null)), CMC_E_DER);
    assert_null(k);
    /* 31 key octets */
    uint8_t short_key[sizeof(good) - 1];
    memcpy(short_key, good, sizeof(short_key));
    short_key[1] = 0x29;
    short_key[10] = 0x20;
    assert_int_equal(cmc_spki_der_get1_pkey(&k, short_key, sizeof(short_key)), CMC_E_DER);
    assert_null(k);
}

static void test_cmc_spki_der_get1_pkey_rejects_trailing_bytes(void **state) {
    (void)state;
    EVP_PKEY *k = tu_key("ee-rsa2048.key.pem");
    size_t len = 0;
    uint8_t *der = spki_der(k, &len);
    uint8_t *longer = OPENSSL_malloc(len + 1);
    assert_non_null(longer);
    memcpy(longer, der, len);
    longer[len] = 0x00;
    EVP_PKEY *built = NULL;
    assert_int_equal(cmc_spki_der_get1_pkey(&built, longer, len + 1), CMC_E_DER);
    assert_null(built);
    OPENSSL_free(longer);
    OPENSSL_free(der);
    EVP_PKEY_free(k);
}

static void test_cmc_item_parse_raw_keys_leaves_key_undecoded(void **state) {
    (void)state;
    EVP_PKEY *k = tu_key("ee-p256.key.pem");
    cmc_req_options o = {.subject = "/CN=raw"};
    uint8_t *der = NULL;
    size_t len = 0;
    assert_int_equal(cmc_p10_build_der(&der, &len, k, &o), CMC_OK);
    X509_REQ *raw = NULL;
    assert_int_equal(
        cmc_item_parse((void **)&raw, ASN1_ITEM_rptr(X509_REQ), der, len, 0x30, CMC_PARSE_RAW_KEYS),
        CMC_OK);
    assert_null(X509_REQ_get0_pubkey(raw));
    ERR_clear_error();
    EVP_PKEY *built = NULL;
    assert_int_equal(cmc_spki_get1_pkey(&built, X509_REQ_get_X509_PUBKEY(raw)), CMC_OK);
    assert_int_equal(EVP_PKEY_eq(k, built), 1);
    /* The POP checks work on the raw request, with the built key or without it. */
    assert_int_equal(cmc_p10_verify_pop_key(raw, built), CMC_OK);
    assert_int_equal(cmc_p10_verify_pop(raw), CMC_OK);
    assert_int_equal(cmc_p10_verify_pop_key(raw, NULL), CMC_E_POP);
    /* Re-encoding gives the same bytes (the key bits were kept as received). */
    uint8_t *again = NULL;
    int again_len = i2d_X509_REQ(raw, &again);
    assert_int_equal(again_len, (int)len);
    assert_memory_equal(again, der, len);
    OPENSSL_free(again);
    EVP_PKEY_free(built);
    X509_REQ_free(raw);
    cmc_free(der);
    EVP_PKEY_free(k);
}

static void test_cmc_crmf_verify_pop_accepts_raw_parsed_message(void **state) {
    (void)state;
    EVP_PKEY *k = tu_key("ee-p256.key.pem");
    cmc_req_options o = {.subject = "/CN=raw crmf"};
    uint8_t *der = NULL;
    size_t len = 0;
    assert_int_equal(cmc_crmf_build_der(&der, &len, k, 1, &o), CMC_OK);
    OSSL_CRMF_MSG *raw = NULL;
    assert_int_equal(cmc_item_parse((void **)&raw, ASN1_ITEM_rptr(OSSL_CRMF_MSG), der, len, 0x30,
                                    CMC_PARSE_RAW_KEYS),
                     CMC_OK);
    assert_int_equal(cmc_crmf_verify_pop(raw), CMC_OK);
    /* A broken POP still fails: flip one octet of the signature (the last octet). */
    der[len - 1] ^= 0x01;
    OSSL_CRMF_MSG *bad = NULL;
    assert_int_equal(cmc_item_parse((void **)&bad, ASN1_ITEM_rptr(OSSL_CRMF_MSG), der, len, 0x30,
                                    CMC_PARSE_RAW_KEYS),
                     CMC_OK);
    assert_int_equal(cmc_crmf_verify_pop(bad), CMC_E_POP);
    OSSL_CRMF_MSG_free(bad);
    OSSL_CRMF_MSG_free(raw);
    cmc_free(der);
    EVP_PKEY_free(k);
}

/* A message signed by officer-both with its certificate included. */
static void signed_by_officer(uint8_t **out, size_t *out_len) {
    static const uint8_t kContent[] = {0x30, 0x08, 0x30, 0x00, 0x30,
                                       0x00, 0x30, 0x00, 0x30, 0x00}; /* empty PKIData */
    tu_sign(out, out_len, kContent, sizeof(kContent), "officer-both.key.pem",
            "officer-both.cert.pem", 0, 0, 0, NULL);
}

static void test_cmc_signed_data_verify_reuses_known_certificate(void **state) {
    (void)state;
    uint8_t *msg = NULL;
    size_t msg_len = 0;
    signed_by_officer(&msg, &msg_len);
    X509 *officer = tu_cert("officer-both.cert.pem");
    X509 *other = tu_cert("signer.cert.pem");
    STACK_OF(X509) *known = sk_X509_new_null();
    assert_true(sk_X509_push(known, other) > 0);
    assert_true(sk_X509_push(known, officer) > 0);
    X509_STORE *trust = tu_store();
    cmc_verify_options o;
    memset(&o, 0, sizeof(o));
    o.trust = trust;
    o.verify_time = CMC_FIXTURE_CLOCK;
    o.known = known;
    cmc_verified v;
    cmc_verified_init(&v);
    assert_int_equal(cmc_signed_data_verify(&v, msg, msg_len, &o), CMC_OK);
    assert_int_equal(sk_X509_num(v.certs), 1);
    assert_ptr_equal(sk_X509_value(v.certs, 0), officer); /* the same object, not a copy */
    assert_ptr_equal(v.signer_cert, officer);
    cmc_verified_cleanup(&v);
    /* Without it, the certificate is decoded in full: equal, with its key. */
    o.known = NULL;
    assert_int_equal(cmc_signed_data_verify(&v, msg, msg_len, &o), CMC_OK);
    assert_int_equal(sk_X509_num(v.certs), 1);
    X509 *decoded = sk_X509_value(v.certs, 0);
    assert_ptr_not_equal(decoded, officer);
    assert_int_equal(X509_cmp(decoded, officer), 0);
    assert_non_null(X509_get0_pubkey(decoded));
    cmc_verified_cleanup(&v);
    X509_STORE_free(trust);
    sk_X509_pop_free(known, X509_free);
    cmc_free(msg);
}

/* A certificate with a known certificate's serial but other bytes (here: its signature
 * altered) is not taken for the known one: it is decoded as sent, and its path fails. */
static void test_cmc_signed_data_verify_known_needs_same_bytes(void **state) {
    (void)state;
    uint8_t *msg = NULL;
    size_t msg_len = 0;
    signed_by_officer(&msg, &msg_len);
    X509 *officer = tu_cert("officer-both.cert.pem");
    unsigned char *cd = NULL;
    int cl = i2d_X509(officer, &cd);
    assert_true(cl > 0);
    uint8_t *at = (uint8_t *)tu_find(msg, msg_len, cd, (size_t)cl);
    assert_non_null(at);
    at[cl - 1] ^= 0x01; /* last octet of the certificate's signature */
    STACK_OF(X509) *known = sk_X509_new_null();
    assert_true(sk_X509_push(known, officer) > 0);
    X509_STORE *trust = tu_store();
    cmc_verify_options o;
    memset(&o, 0, sizeof(o));
    o.trust = trust;
    o.verify_time = CMC_FIXTURE_CLOCK;
    o.known = known;
    cmc_verified v;
    cmc_verified_init(&v);
    assert_int_equal(cmc_signed_data_verify(&v, msg, msg_len, &o), CMC_E_SIGNER_UNTRUSTED);
    assert_int_equal(sk_X509_num(v.certs), 1);
    assert_ptr_not_equal(sk_X509_value(v.certs, 0), officer);
    assert_int_not_equal(X509_cmp(sk_X509_value(v.certs, 0), officer), 0);
    cmc_verified_cleanup(&v);
    X509_STORE_free(trust);
    sk_X509_pop_free(known, X509_free);
    OPENSSL_free(cd);
    cmc_free(msg);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cmc_spki_der_get1_pkey_equals_openssl_key),
        cmocka_unit_test(test_cmc_spki_der_get1_pkey_other_types_take_decoder),
        cmocka_unit_test(test_cmc_spki_der_get1_pkey_rejects_point_off_curve),
        cmocka_unit_test(test_cmc_spki_der_get1_pkey_rejects_ed25519_params_and_length),
        cmocka_unit_test(test_cmc_spki_der_get1_pkey_rejects_trailing_bytes),
        cmocka_unit_test(test_cmc_item_parse_raw_keys_leaves_key_undecoded),
        cmocka_unit_test(test_cmc_crmf_verify_pop_accepts_raw_parsed_message),
        cmocka_unit_test(test_cmc_signed_data_verify_reuses_known_certificate),
        cmocka_unit_test(test_cmc_signed_data_verify_known_needs_same_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
