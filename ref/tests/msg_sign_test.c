/* msg_sign_test: CMS signing and the staged verifier (cmc/msg.h; spec/CMC.md §9, §13). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <openssl/cms.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "cmc/msg.h"
#include "msg/msg_local.h"
#include "msg_test_util.h"

#define OID_DATA "1.2.840.113549.1.7.1"

/* A small PKIData: transactionId, senderNonce and one PKCS#10 (tcr). */
static uint8_t *make_pki_data(size_t *out_len) {
    cmc_pki_data_builder *b = NULL;
    EVP_PKEY *ee = tu_key("ee-p256.key.pem");
    X509_REQ *req = NULL;
    cmc_req_options ro;
    memset(&ro, 0, sizeof(ro));
    ro.subject = "/CN=msg test";
    assert_int_equal(cmc_p10_build(&req, ee, &ro), CMC_OK);
    static const uint8_t nonce[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    assert_int_equal(cmc_pki_data_builder_new(&b), CMC_OK);
    assert_int_equal(cmc_pki_data_builder_add_transaction_id(b, NULL, CMC_BPID_AUTO, 4711), CMC_OK);
    assert_int_equal(
        cmc_pki_data_builder_add_sender_nonce(b, NULL, CMC_BPID_AUTO, nonce, sizeof(nonce)),
        CMC_OK);
    assert_int_equal(cmc_pki_data_builder_add_tcr(b, NULL, CMC_BPID_AUTO, req), CMC_OK);
    uint8_t *der = NULL;
    assert_int_equal(cmc_pki_data_builder_to_der(b, &der, out_len), CMC_OK);
    cmc_pki_data_builder_free(b);
    X509_REQ_free(req);
    EVP_PKEY_free(ee);
    return der;
}

/* issue_cert: a certificate for |key| issued by the fixture CA (for P-384, which has no
 * officer fixture), valid 2026-01-01..2030-01-01. */
static X509 *issue_cert(EVP_PKEY *key, const char *cn, long serial) {
    EVP_PKEY *ca_key = tu_key("ca.key.pem");
    X509 *ca = tu_cert("ca.cert.pem");
    X509 *c = X509_new();
    assert_non_null(c);
    X509_set_version(c, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(c), serial);
    X509_NAME *n = X509_NAME_new();
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
    X509_set_subject_name(c, n);
    X509_NAME_free(n);
    X509_set_issuer_name(c, X509_get_subject_name(ca));
    ASN1_TIME_set(X509_getm_notBefore(c), 1767225600); /* 2026-01-01 */
    ASN1_TIME_set(X509_getm_notAfter(c), 1893456000);  /* 2030-01-01 */
    X509_set_pubkey(c, key);
    assert_true(X509_sign(c, ca_key, EVP_sha256()) > 0);
    X509_free(ca);
    EVP_PKEY_free(ca_key);
    return c;
}

typedef struct {
    const char *key;
    const char *cert;
    int pss;
} signer_fixture;

/* sign_with signs |content| with one signer from fixtures and |faults|. */
static uint8_t *sign_with(size_t *out_len, const uint8_t *content, size_t len, const char *key_file,
                          const char *cert_file, int pss, uint32_t faults, uint32_t sfaults,
                          const char *ect) {
    uint8_t *out = NULL;
    tu_sign(&out, out_len, content, len, key_file, cert_file, pss, faults, sfaults, ect);
    return out;
}

static cmc_status verify_fixture(cmc_verified *v, const uint8_t *msg, size_t len) {
    X509_STORE *store = tu_store();
    cmc_verify_options o;
    memset(&o, 0, sizeof(o));
    o.trust = store;
    o.verify_time = CMC_FIXTURE_CLOCK;
    cmc_status st = cmc_signed_data_verify(v, msg, len, &o);
    X509_STORE_free(store);
    return st;
}

static void round_trip(const char *key_file, const char *cert_file, int pss) {
    size_t pd_len = 0;
    uint8_t *pd = make_pki_data(&pd_len);
    size_t len = 0;
    uint8_t *msg = sign_with(&len, pd, pd_len, key_file, cert_file, pss, 0, 0, NULL);
    cmc_verified v;
    cmc_verified_init(&v);
    assert_int_equal(verify_fixture(&v, msg, len), CMC_OK);
    assert_int_equal(v.content_len, pd_len);
    assert_memory_equal(v.content, pd, pd_len);
    assert_string_equal(v.econtent_type, CMC_OID_CCT_PKI_DATA);
    assert_non_null(v.signer_cert);
    X509 *c = tu_cert(cert_file);
    assert_int_equal(X509_cmp(v.signer_cert, c), 0);
    X509_free(c);
    assert_int_equal(v.num_signers, 1);
    assert_int_equal(v.has_signing_time, 1);
    assert_int_equal(v.signing_time, CMC_FIXTURE_CLOCK);
    assert_int_equal(sk_X509_num(v.certs), 1);
    cmc_verified_cleanup(&v);
    OPENSSL_free(msg);
    OPENSSL_free(pd);
}

static void test_signed_data_verify_accepts_rsa(void **state) {
    (void)state;
    round_trip("officer-both.key.pem", "officer-both.cert.pem", 0);
}

static void test_signed_data_verify_accepts_rsa_pss(void **state) {
    (void)state;
    round_trip("officer-both.key.pem", "officer-both.cert.pem", 1);
}

static void test_signed_data_verify_accepts_p256(void **state) {
    (void)state;
    round_trip("officer-both-p256.key.pem", "officer-both-p256.cert.pem", 0);
}

static void test_signed_data_verify_accepts_ed25519(void **state) {
    (void)state;
    round_trip("officer-both-ed25519.key.pem", "officer-both-ed25519.cert.pem", 0);
}

static void test_signed_data_verify_accepts_p384(void **state) {
    (void)state;
    EVP_PKEY *k = tu_key("ee-p384.key.pem");
    X509 *c = issue_cert(k, "p384 signer", 384);
    size_t pd_len = 0;
    uint8_t *pd = make_pki_data(&pd_len);
    cmc_signer s;
    memset(&s, 0, sizeof(s));
    s.key = k;
    s.cert = c;
    s.include_cert = 1;
    cmc_sign_options o;
    memset(&o, 0, sizeof(o));
    o.signing_time = CMC_FIXTURE_CLOCK;
    uint8_t *msg = NULL;
    size_t len = 0;
    assert_int_equal(cmc_signed_data_sign(&msg, &len, pd, pd_len, &s, 1, &o), CMC_OK);
    cmc_verified v;
    cmc_verified_init(&v);
    assert_int_equal(verify_fixture(&v, msg, len), CMC_OK);
    /* SHA-384 is P-384's default digest (cmc_default_md). */
    CMS_ContentInfo *cms = NULL;
    const unsigned char *p = msg;
    cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
    assert_non_null(cms);
    X509_ALGOR *dig = NULL;
    CMS_SignerInfo_get0_algs(sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0), NULL, NULL,
                             &dig, NULL);
    assert_int_equal(OBJ_obj2nid(dig->algorithm), NID_sha384);
    CMS_ContentInfo_free(cms);
    cmc_verified_cleanup(&v);
    OPENSSL_free(msg);
    OPENSSL_free(pd);
    X509_free(c);
    EVP_PKEY_free(k);
}

/* ---- one fault at a time, each detected at exactly its stage ---- */

static cmc_status verify_fault(uint32_t faults, uint32_t sfaults, const char *ect,
                               const char *key_file, const char *cert_file) {
    size_t pd_len = 0;
    uint8_t *pd = make_pki_data(&pd_len);
    size_t len = 0;
    uint8_t *msg = sign_with(&len, pd, pd_len, key_file, cert_file, 0, faults, sfaults, ect);
    cmc_verified v;
    cmc_verified_init(&v);
    cmc_status st = verify_fixture(&v, msg, len);
    if (st != CMC_OK && st != CMC_E_DETACHED) {
        /* Filled on stage failures: the (unauthenticated) content is available. */
        assert_non_null(v.content);
    }
    cmc_verified_cleanup(&v);
    OPENSSL_free(msg);
    OPENSSL_free(pd);
    return st;
}

#define OFFICER "officer-both-p256.key.pem", "officer-both-p256.cert.pem"

static void test_signed_data_verify_rejects_econtent_type_data(void **state) {
    (void)state;
    assert_int_equal(verify_fault(0, 0, OID_DATA, OFFICER), CMC_E_CONTENT_TYPE);
}

static void test_signed_data_verify_rejects_missing_content_type_attr(void **state) {
    (void)state;
    assert_int_equal(verify_fault(CMC_FAULT_OMIT_CONTENT_TYPE_ATTR, 0, NULL, OFFICER),
                     CMC_E_CONTENT_TYPE);
}

static void test_signed_data_verify_rejects_content_type_attr_mismatch(void **state) {
    (void)state;
    assert_int_equal(verify_fault(CMC_FAULT_CONTENT_TYPE_ATTR_OTHER, 0, NULL, OFFICER),
                     CMC_E_CONTENT_TYPE);
}

static void test_signed_data_verify_rejects_wrong_message_digest(void **state) {
    (void)state;
    assert_int_equal(verify_fault(CMC_FAULT_WRONG_MESSAGE_DIGEST, 0, NULL, OFFICER), CMC_E_DIGEST);
}

static void test_signed_data_verify_rejects_missing_message_digest(void **state) {
    (void)state;
    assert_int_equal(verify_fault(CMC_FAULT_OMIT_MESSAGE_DIGEST_ATTR, 0, NULL, OFFICER),
                     CMC_E_DIGEST);
}

static void test_signed_data_verify_rejects_flipped_signature(void **state) {
    (void)state;
    assert_int_equal(verify_fault(CMC_FAULT_FLIP_SIGNATURE, 0, NULL, OFFICER), CMC_E_SIGNATURE);
    assert_int_equal(verify_fault(CMC_FAULT_FLIP_SIGNATURE, 0, NULL, "officer-both.key.pem",
                                  "officer-both.cert.pem"),
                     CMC_E_SIGNATURE);
    assert_int_equal(verify_fault(CMC_FAULT_FLIP_SIGNATURE, 0, NULL, "officer-both-ed25519.key.pem",
                                  "officer-both-ed25519.cert.pem"),
                     CMC_E_SIGNATURE);
}

static void test_signed_data_verify_rejects_modified_content(void **state) {
    (void)state;
    assert_int_equal(verify_fault(0, CMC_SFAULT_MODIFY_CONTENT, NULL, OFFICER), CMC_E_DIGEST);
}

static void test_signed_data_verify_rejects_detached(void **state) {
    (void)state;
    assert_int_equal(verify_fault(0, CMC_SFAULT_DETACHED, NULL, OFFICER), CMC_E_DETACHED);
}

static void test_signed_data_verify_reports_stage1_before_stage3(void **state) {
    (void)state;
    /* Digest wrong AND signature broken: stage 1 wins. */
    assert_int_equal(
        verify_fault(CMC_FAULT_FLIP_SIGNATURE, CMC_SFAULT_MODIFY_CONTENT, NULL, OFFICER),
        CMC_E_DIGEST);
    /* Digest wrong AND signer untrusted. */
    assert_int_equal(verify_fault(CMC_FAULT_WRONG_MESSAGE_DIGEST, 0, NULL,
                                  "officer-untrusted.key.pem", "officer-untrusted.cert.pem"),
                     CMC_E_DIGEST);
    /* Content type wrong AND signer expired: stage 2 wins. */
    assert_int_equal(verify_fault(CMC_FAULT_OMIT_CONTENT_TYPE_ATTR, 0, NULL,
                                  "officer-expired.key.pem", "officer-expired.cert.pem"),
                     CMC_E_CONTENT_TYPE);
}

static void test_signed_data_verify_rejects_signer_validity(void **state) {
    (void)state;
    assert_int_equal(
        verify_fault(0, 0, NULL, "officer-expired.key.pem", "officer-expired.cert.pem"),
        CMC_E_SIGNER_EXPIRED);
    assert_int_equal(verify_fault(0, 0, NULL, "officer-notyet.key.pem", "officer-notyet.cert.pem"),
                     CMC_E_SIGNER_NOT_YET_VALID);
    assert_int_equal(
        verify_fault(0, 0, NULL, "officer-untrusted.key.pem", "officer-untrusted.cert.pem"),
        CMC_E_SIGNER_UNTRUSTED);
    /* Not officers, but validly chained: the verifier itself accepts (roles are policy). */
    assert_int_equal(
        verify_fault(0, 0, NULL, "officer-unregistered.key.pem", "officer-unregistered.cert.pem"),
        CMC_OK);
}

static void test_signed_data_verify_unsigned_returns_content(void **state) {
    (void)state;
    size_t pd_len = 0;
    uint8_t *pd = make_pki_data(&pd_len);
    uint8_t *msg = NULL;
    size_t len = 0;
    assert_int_equal(cmc_signed_data_sign(&msg, &len, pd, pd_len, NULL, 0, NULL), CMC_OK);
    cmc_verified v;
    cmc_verified_init(&v);
    assert_int_equal(verify_fixture(&v, msg, len), CMC_E_UNSIGNED);
    assert_int_equal(v.num_signers, 0);
    assert_int_equal(v.content_len, pd_len);
    assert_memory_equal(v.content, pd, pd_len);
    cmc_verified_cleanup(&v);
    /* RFC 5652 §5.1: version 3 (spec/CMC.md §13 item 15). OpenSSL still parses it. */
    CMS_ContentInfo *cms = NULL;
    const unsigned char *p = msg;
    cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
    assert_non_null(cms);
    CMS_ContentInfo_free(cms);
    /* SignedData { INTEGER 3 ...: find "02 01 03" right after the SignedData header. */
    assert_non_null(tu_find(msg, 32, "\x02\x01\x03", 3));
    OPENSSL_free(msg);
    OPENSSL_free(pd);
}

static void test_signed_data_verify_finds_signer_in_untrusted_list(void **state) {
    (void)state;
    size_t pd_len = 0;
    uint8_t *pd = make_pki_data(&pd_len);
    EVP_PKEY *k = tu_key("officer-both-p256.key.pem");
    X509 *c = tu_cert("officer-both-p256.cert.pem");
    cmc_signer s;
    memset(&s, 0, sizeof(s));
    s.key = k;
    s.cert = c; /* not included in the message */
    uint8_t *msg = NULL;
    size_t len = 0;
    assert_int_equal(cmc_signed_data_sign(&msg, &len, pd, pd_len, &s, 1, NULL), CMC_OK);
    cmc_verified v;
    cmc_verified_init(&v);
    assert_int_equal(verify_fixture(&v, msg, len), CMC_E_SIGNER_UNTRUSTED);
    X509_STORE *store = tu_store();
    STACK_OF(X509) *extra = sk_X509_new_null();
    sk_X509_push(extra, c);
    cmc_verify_options o;
    memset(&o, 0, sizeof(o));
    o.trust = store;
    o.untrusted = extra;
    o.verify_time = CMC_FIXTURE_CLOCK;
    assert_int_equal(cmc_signed_data_verify(&v, msg, len, &o), CMC_OK);
    assert_int_equal(X509_cmp(v.signer_cert, c), 0);
    assert_int_equal(sk_X509_num(v.certs), 0);
    cmc_verified_cleanup(&v);
    sk_X509_free(extra);
    X509_STORE_free(store);
    OPENSSL_free(msg);
    OPENSSL_free(pd);
    X509_free(c);
    EVP_PKEY_free(k);
}

/* Self-signed Full PKI Request (RFC 5272 §3.2): SKI signer, key from the request. */
static void ski_self_signed(const char *key_file) {
    EVP_PKEY *k = tu_key(key_file);
    EVP_PKEY *other = tu_key("ee-rsa2048.key.pem");
    size_t pd_len = 0;
    uint8_t *pd = make_pki_data(&pd_len);
    cmc_signer s;
    memset(&s, 0, sizeof(s));
    s.key = k;
    s.sid = CMC_SID_SKI;
    uint8_t *msg = NULL;
    size_t len = 0;
    assert_int_equal(cmc_signed_data_sign(&msg, &len, pd, pd_len, &s, 1, NULL), CMC_OK);
    cmc_verified v;
    cmc_verified_init(&v);
    cmc_verify_options o;
    memset(&o, 0, sizeof(o));
    EVP_PKEY *keys[2] = {other, k};
    o.ski_keys = keys;
    o.num_ski_keys = 2;
    assert_int_equal(cmc_signed_data_verify(&v, msg, len, &o), CMC_OK);
    assert_null(v.signer_cert);
    assert_int_equal(v.ski_key_index, 1);
    o.num_ski_keys = 1; /* only the wrong key */
    assert_int_equal(cmc_signed_data_verify(&v, msg, len, &o), CMC_E_SIGNER_UNTRUSTED);
    /* Right SKI announced for the wrong key: found, but the signature fails. */
    uint8_t ski[CMC_SKI_LEN];
    assert_int_equal(cmc_key_ski(ski, k), CMC_OK);
    const uint8_t *ids[1] = {ski};
    size_t id_lens[1] = {sizeof(ski)};
    o.ski_key_ids = ids;
    o.ski_key_id_lens = id_lens;
    assert_int_equal(cmc_signed_data_verify(&v, msg, len, &o), CMC_E_SIGNATURE);
    cmc_verified_cleanup(&v);
    OPENSSL_free(msg);
    OPENSSL_free(pd);
    EVP_PKEY_free(k);
    EVP_PKEY_free(other);
}

static void test_signed_data_verify_accepts_ski_signer_p256(void **state) {
    (void)state;
    ski_self_signed("ee-p256.key.pem");
}

static void test_signed_data_verify_accepts_ski_signer_ed25519(void **state) {
    (void)state;
    ski_self_signed("ee-ed25519.key.pem");
}

static void test_signed_data_verify_accepts_ski_signer_rsa(void **state) {
    (void)state;
    ski_self_signed("ee-p384.key.pem");
}

static void test_signed_data_verify_applies_eku_policy(void **state) {
    (void)state;
    size_t pd_len = 0;
    uint8_t *pd = make_pki_data(&pd_len);
    X509_STORE *store = tu_store();
    cmc_verify_options o;
    memset(&o, 0, sizeof(o));
    o.trust = store;
    o.verify_time = CMC_FIXTURE_CLOCK;
    o.required_eku = CMC_OID_KP_CMC_CA;
    o.expected_content_type = CMC_OID_CCT_PKI_RESPONSE;
    size_t len = 0;
    uint8_t *msg = sign_with(&len, pd, pd_len, "signer.key.pem", "signer.cert.pem", 0, 0, 0,
                             CMC_OID_CCT_PKI_RESPONSE);
    cmc_verified v;
    cmc_verified_init(&v);
    assert_int_equal(cmc_signed_data_verify(&v, msg, len, &o), CMC_OK);
    OPENSSL_free(msg);
    msg = sign_with(&len, pd, pd_len, OFFICER, 0, 0, 0, CMC_OID_CCT_PKI_RESPONSE);
    assert_int_equal(cmc_signed_data_verify(&v, msg, len, &o), CMC_E_SIGNER_UNTRUSTED);
    o.required_eku = CMC_OID_KP_CMC_RA;
    assert_int_equal(cmc_signed_data_verify(&v, msg, len, &o), CMC_OK);
    cmc_verified_cleanup(&v);
    OPENSSL_free(msg);
    X509_STORE_free(store);
    OPENSSL_free(pd);
}

static void test_signed_data_verify_two_signers_lowest_stage_wins(void **state) {
    (void)state;
    size_t pd_len = 0;
    uint8_t *pd = make_pki_data(&pd_len);
    EVP_PKEY *k1 = tu_key("officer-both.key.pem");
    X509 *c1 = tu_cert("officer-both.cert.pem");
    EVP_PKEY *k2 = tu_key("officer-both-p256.key.pem");
    X509 *c2 = tu_cert("officer-both-p256.cert.pem");
    cmc_signer s[2];
    memset(s, 0, sizeof(s));
    s[0].key = k1;
    s[0].cert = c1;
    s[0].include_cert = 1;
    s[0].faults = CMC_FAULT_FLIP_SIGNATURE;
    s[1].key = k2;
    s[1].cert = c2;
    s[1].include_cert = 1;
    s[1].faults = CMC_FAULT_WRONG_MESSAGE_DIGEST;
    uint8_t *msg = NULL;
    size_t len = 0;
    assert_int_equal(cmc_signed_data_sign(&msg, &len, pd, pd_len, s, 2, NULL), CMC_OK);
    cmc_verified v;
    cmc_verified_init(&v);
    assert_int_equal(verify_fixture(&v, msg, len), CMC_E_DIGEST);
    assert_int_equal(v.num_signers, 2);
    OPENSSL_free(msg);
    s[1].faults = 0;
    assert_int_equal(cmc_signed_data_sign(&msg, &len, pd, pd_len, s, 2, NULL), CMC_OK);
    assert_int_equal(verify_fixture(&v, msg, len), CMC_E_SIGNATURE);
    OPENSSL_free(msg);
    s[0].faults = 0;
    assert_int_equal(cmc_signed_data_sign(&msg, &len, pd, pd_len, s, 2, NULL), CMC_OK);
    assert_int_equal(verify_fixture(&v, msg, len), CMC_OK);
    assert_int_equal(sk_X509_num(v.certs), 2);
    cmc_verified_cleanup(&v);
    OPENSSL_free(msg);
    OPENSSL_free(pd);
    X509_free(c1);
    X509_free(c2);
    EVP_PKEY_free(k1);
    EVP_PKEY_free(k2);
}

static void test_signed_data_verify_accepts_ber_indefinite(void **state) {
    (void)state;
    /* Content larger than one BER segment, so the OCTET STRING is really split. */
    uint8_t big[3000];
    for (size_t i = 0; i < sizeof(big); i++) {
        big[i] = (uint8_t)i;
    }
    size_t len = 0;
    uint8_t *msg =
        sign_with(&len, big, sizeof(big), OFFICER, 0, 0, CMC_SFAULT_BER, CMC_OID_CCT_PKI_DATA);
    assert_int_equal(msg[1], 0x80); /* indefinite outer length */
    cmc_verified v;
    cmc_verified_init(&v);
    assert_int_equal(verify_fixture(&v, msg, len), CMC_OK);
    assert_int_equal(v.content_len, sizeof(big));
    assert_memory_equal(v.content, big, sizeof(big));
    cmc_verified_cleanup(&v);
    cmc_sniff_result sr;
    assert_int_equal(cmc_sniff(&sr, msg, len), CMC_OK);
    assert_int_equal(sr.kind, CMC_SNIFF_CONTENT_INFO);
    assert_string_equal(sr.econtent_type_oid, CMC_OID_CCT_PKI_DATA);
    assert_int_equal(sr.has_econtent, 1);
    OPENSSL_free(msg);
}

/* ---- bad input: exact status, no crash ---- */

static void test_signed_data_verify_rejects_bad_input(void **state) {
    (void)state;
    size_t pd_len = 0;
    uint8_t *pd = make_pki_data(&pd_len);
    size_t len = 0;
    uint8_t *msg = sign_with(&len, pd, pd_len, OFFICER, 0, 0, 0, NULL);
    cmc_verified v;
    cmc_verified_init(&v);
    assert_int_equal(cmc_signed_data_verify(&v, msg, 0, NULL), CMC_E_TRUNCATED);
    assert_int_equal(cmc_signed_data_verify(&v, NULL, 0, NULL), CMC_E_TRUNCATED);
    assert_int_equal(cmc_signed_data_verify(&v, msg, len - 1, NULL), CMC_E_TRUNCATED);
    assert_int_equal(cmc_signed_data_verify(&v, msg, 1, NULL), CMC_E_TRUNCATED);
    uint8_t *longer = OPENSSL_malloc(len + 1);
    memcpy(longer, msg, len);
    longer[len] = 0x00;
    assert_int_equal(cmc_signed_data_verify(&v, longer, len + 1, NULL), CMC_E_TRAILING);
    OPENSSL_free(longer);
    static const uint8_t huge[] = {0x30, 0x84, 0x7F, 0xFF, 0xFF, 0xFF, 0x06, 0x00};
    assert_int_equal(cmc_signed_data_verify(&v, huge, sizeof(huge), NULL), CMC_E_TRUNCATED);
    static const uint8_t huge9[] = {0x30, 0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    assert_int_equal(cmc_signed_data_verify(&v, huge9, sizeof(huge9), NULL), CMC_E_TRUNCATED);
    static const uint8_t not_cms[] = {0x30, 0x03, 0x02, 0x01, 0x00};
    assert_int_equal(cmc_signed_data_verify(&v, not_cms, sizeof(not_cms), NULL), CMC_E_DER);
    /* ContentInfo { id-data, [0] OCTET STRING "x" } is CMS but not SignedData. */
    static const uint8_t data_ci[] = {0x30, 0x12, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D,
                                      0x01, 0x07, 0x01, 0xA0, 0x05, 0x04, 0x03, 'a',  'b',  'c'};
    assert_int_equal(cmc_signed_data_verify(&v, data_ci, sizeof(data_ci), NULL), CMC_E_NOT_CMC);
    uint8_t *big = OPENSSL_zalloc(CMC_MAX_MESSAGE_BYTES + 1);
    assert_int_equal(cmc_signed_data_verify(&v, big, CMC_MAX_MESSAGE_BYTES + 1, NULL), CMC_E_LIMIT);
    OPENSSL_free(big);
    /* Every truncation of a valid message fails cleanly (never crashes or leaks). */
    for (size_t i = 0; i < len; i += 7) {
        assert_int_not_equal(cmc_signed_data_verify(&v, msg, i, NULL), CMC_OK);
    }
    /* Every single-byte corruption fails or (if harmless) still returns a status. */
    for (size_t i = 0; i < len; i += 5) {
        msg[i] ^= 0x5A;
        cmc_status st = cmc_signed_data_verify(&v, msg, len, NULL);
        assert_true(st < CMC_STATUS_COUNT);
        msg[i] ^= 0x5A;
    }
    assert_int_equal(cmc_signed_data_verify(NULL, msg, len, NULL), CMC_E_ARG);
    cmc_verified_cleanup(&v);
    OPENSSL_free(msg);
    OPENSSL_free(pd);
}

static void test_signed_data_verify_rejects_too_many_certs(void **state) {
    (void)state;
    size_t pd_len = 0;
    uint8_t *pd = make_pki_data(&pd_len);
    EVP_PKEY *k = tu_key("ee-p256.key.pem");
    STACK_OF(X509) *certs = sk_X509_new_null();
    for (long i = 0; i < CMC_MAX_CERTS_PER_SIGNED_DATA; i++) {
        sk_X509_push(certs, issue_cert(k, "filler", 1000 + i));
    }
    cmc_signer s;
    memset(&s, 0, sizeof(s));
    s.key = k;
    s.sid = CMC_SID_SKI;
    cmc_sign_options o;
    memset(&o, 0, sizeof(o));
    o.certs = certs;
    uint8_t *msg = NULL;
    size_t len = 0;
    /* The builder enforces the same limit ... */
    s.cert = sk_X509_value(certs, 0);
    s.include_cert = 0;
    assert_int_equal(cmc_signed_data_sign(&msg, &len, pd, pd_len, &s, 1, &o), CMC_OK);
    cmc_verified v;
    cmc_verified_init(&v);
    assert_int_equal(cmc_signed_data_verify(&v, msg, len, NULL), CMC_E_SIGNER_UNTRUSTED);
    OPENSSL_free(msg);
    sk_X509_push(certs, issue_cert(k, "one too many", 999));
    assert_int_equal(cmc_signed_data_sign(&msg, &len, pd, pd_len, &s, 1, &o), CMC_E_LIMIT);
    cmc_verified_cleanup(&v);
    sk_X509_pop_free(certs, X509_free);
    EVP_PKEY_free(k);
    OPENSSL_free(pd);
}

/* ---- determinism ---- */

static uint8_t *sign_det(size_t *len, const uint8_t *seed, size_t seed_len, const char *key,
                         const char *cert, int pss) {
    assert_int_equal(cmc_rand_deterministic_begin(seed, seed_len), CMC_OK);
    size_t pd_len = 0;
    uint8_t *pd = make_pki_data(&pd_len); /* its PKCS#10 has an ECDSA signature too */
    uint8_t *msg = sign_with(len, pd, pd_len, key, cert, pss, 0, 0, NULL);
    cmc_rand_deterministic_end();
    OPENSSL_free(pd);
    return msg;
}

static void test_rand_deterministic_makes_signatures_identical(void **state) {
    (void)state;
    static const uint8_t seed1[] = "cmckit seed one";
    static const uint8_t seed2[] = "cmckit seed two";
    const char *keys[3][2] = {{OFFICER},
                              {"officer-both.key.pem", "officer-both.cert.pem"},
                              {"officer-both-ed25519.key.pem", "officer-both-ed25519.cert.pem"}};
    for (int i = 0; i < 3; i++) {
        int pss = i == 1;
        size_t a_len = 0;
        size_t b_len = 0;
        size_t c_len = 0;
        uint8_t *a = sign_det(&a_len, seed1, sizeof(seed1), keys[i][0], keys[i][1], pss);
        uint8_t *b = sign_det(&b_len, seed1, sizeof(seed1), keys[i][0], keys[i][1], pss);
        uint8_t *c = sign_det(&c_len, seed2, sizeof(seed2), keys[i][0], keys[i][1], pss);
        assert_int_equal(a_len, b_len);
        assert_memory_equal(a, b, a_len);
        if (i < 2) { /* ECDSA and PSS are randomised; Ed25519 is deterministic anyway */
            assert_true(a_len != c_len || memcmp(a, c, a_len) != 0);
        }
        OPENSSL_free(a);
        OPENSSL_free(b);
        OPENSSL_free(c);
    }
    assert_int_equal(cmc_rand_is_deterministic(), 0);
    /* Outside deterministic mode ECDSA differs between runs. */
    size_t pd_len = 0;
    uint8_t *pd = make_pki_data(&pd_len);
    size_t x_len = 0;
    size_t y_len = 0;
    uint8_t *x = sign_with(&x_len, pd, pd_len, OFFICER, 0, 0, 0, NULL);
    uint8_t *y = sign_with(&y_len, pd, pd_len, OFFICER, 0, 0, 0, NULL);
    assert_true(x_len != y_len || memcmp(x, y, x_len) != 0);
    OPENSSL_free(x);
    OPENSSL_free(y);
    OPENSSL_free(pd);
}

static void test_rand_deterministic_rejects_bad_seed(void **state) {
    (void)state;
    uint8_t seed[CMC_DRBG_MAX_SEED + 1] = {0};
    assert_int_equal(cmc_rand_deterministic_begin(seed, 0), CMC_E_ARG);
    assert_int_equal(cmc_rand_deterministic_begin(NULL, 4), CMC_E_ARG);
    assert_int_equal(cmc_rand_deterministic_begin(seed, sizeof(seed)), CMC_E_ARG);
    assert_int_equal(cmc_rand_is_deterministic(), 0);
}

static void test_drbg_bytes_is_reproducible(void **state) {
    (void)state;
    static const uint8_t seed[] = {0xC0, 0xFF, 0xEE};
    cmc_drbg *a = NULL;
    cmc_drbg *b = NULL;
    assert_int_equal(cmc_drbg_new(&a, seed, sizeof(seed)), CMC_OK);
    assert_int_equal(cmc_drbg_new(&b, seed, sizeof(seed)), CMC_OK);
    uint8_t x[100];
    uint8_t y[100];
    /* Same stream whatever the read sizes. */
    assert_int_equal(cmc_drbg_bytes(a, x, 100), CMC_OK);
    assert_int_equal(cmc_drbg_bytes(b, y, 7), CMC_OK);
    assert_int_equal(cmc_random_bytes(b, y + 7, 93), CMC_OK);
    assert_memory_equal(x, y, sizeof(x));
    uint8_t z[16];
    assert_int_equal(cmc_drbg_bytes(a, z, sizeof(z)), CMC_OK);
    assert_memory_not_equal(x, z, sizeof(z));
    assert_int_equal(cmc_drbg_new(&b, seed, 0), CMC_E_ARG);
    cmc_drbg_free(a);
    cmc_drbg_free(b);
    cmc_drbg_free(NULL);
    assert_int_equal(cmc_random_bytes(NULL, z, sizeof(z)), CMC_OK);
}

/* ---- independent implementation: the openssl command line ---- */

static void test_signed_data_verify_accepts_openssl_cli_request(void **state) {
    (void)state;
    size_t pd_len = 0;
    uint8_t *pd = make_pki_data(&pd_len);
    const char *in = tu_write_tmp(0, "cli.pkidata", pd, pd_len);
    const char *src = getenv("CMC_SOURCE_DIR") ? getenv("CMC_SOURCE_DIR") : CMC_SOURCE_DIR;
    const char *signers[2] = {"officer-both", "officer-both-p256"};
    for (int i = 0; i < 2; i++) {
        char out[600];
        TU_SNPRINTF(out, sizeof(out), "%s.cms", in);
        char cmd[2048];
        TU_SNPRINTF(
            cmd, sizeof(cmd),
            "openssl cms -sign -binary -nodetach -econtent_type 1.3.6.1.5.5.7.12.2 "
            "-nosmimecap -outform DER -in '%s' -out '%s' -signer '%s/vectors/pki/%s.cert.pem' "
            "-inkey '%s/vectors/pki/%s.key.pem'",
            in, out, src, signers[i], src, signers[i]);
        assert_int_equal(tu_run(cmd), 0);
        size_t len = 0;
        uint8_t *msg = tu_read_file(out, &len);
        cmc_verified v;
        cmc_verified_init(&v);
        assert_int_equal(verify_fixture(&v, msg, len), CMC_OK);
        assert_int_equal(v.content_len, pd_len);
        assert_memory_equal(v.content, pd, pd_len);
        cmc_verified_cleanup(&v);
        free(msg);
        unlink(out);
    }
    unlink(in);
    OPENSSL_free(pd);
}

static void test_signed_data_sign_verifies_with_openssl_cli(void **state) {
    (void)state;
    size_t pd_len = 0;
    uint8_t *pd = make_pki_data(&pd_len);
    const char *src = getenv("CMC_SOURCE_DIR") ? getenv("CMC_SOURCE_DIR") : CMC_SOURCE_DIR;
    signer_fixture fx[3] = {{"officer-both.key.pem", "officer-both.cert.pem", 0},
                            {"officer-both.key.pem", "officer-both.cert.pem", 1},
                            {"officer-both-p256.key.pem", "officer-both-p256.cert.pem", 0}};
    for (int i = 0; i < 3; i++) {
        for (int ber = 0; ber < 2; ber++) {
            size_t len = 0;
            uint8_t *msg = sign_with(&len, pd, pd_len, fx[i].key, fx[i].cert, fx[i].pss, 0,
                                     ber ? CMC_SFAULT_BER : 0, NULL);
            const char *path = tu_write_tmp(1, "ours.cms", msg, len);
            char cmd[2048];
            TU_SNPRINTF(cmd, sizeof(cmd),
                        "openssl cms -verify -binary -inform DER -in '%s' -noverify -out '%s.out'",
                        path, path);
            assert_int_equal(tu_run(cmd), 0);
            size_t out_len = 0;
            char outp[600];
            TU_SNPRINTF(outp, sizeof(outp), "%s.out", path);
            uint8_t *out = tu_read_file(outp, &out_len);
            assert_int_equal(out_len, pd_len);
            assert_memory_equal(out, pd, pd_len);
            free(out);
            unlink(outp);
            TU_SNPRINTF(cmd, sizeof(cmd),
                        "openssl cms -verify -binary -inform DER -in '%s' -purpose any "
                        "-attime %ld -CAfile '%s/vectors/pki/ca.cert.pem' -out /dev/null",
                        path, (long)CMC_FIXTURE_CLOCK, src);
            assert_int_equal(tu_run(cmd), 0);
            /* And a broken one is refused by openssl too (the check can fail). */
            OPENSSL_free(msg);
            msg = sign_with(&len, pd, pd_len, fx[i].key, fx[i].cert, fx[i].pss,
                            CMC_FAULT_WRONG_MESSAGE_DIGEST, 0, NULL);
            path = tu_write_tmp(1, "ours.cms", msg, len);
            TU_SNPRINTF(cmd, sizeof(cmd),
                        "openssl cms -verify -binary -inform DER -in '%s' -noverify -out /dev/null",
                        path);
            assert_int_not_equal(tu_run(cmd), 0);
            unlink(path);
            OPENSSL_free(msg);
        }
    }
    OPENSSL_free(pd);
}

/* walk enters the element at |*p| (constructed) or skips it; returns its header. */
static msg_tlv walk(const uint8_t **p, size_t *left, int enter) {
    msg_tlv t;
    assert_int_equal(msg_tlv_read(&t, *p, *left), CMC_OK);
    size_t step = enter ? t.hdr_len : t.hdr_len + t.len;
    *p += step;
    *left = enter ? t.len : *left - step;
    return t;
}

/* RFC 8419 checked independently of our verifier: the raw signedAttrs bytes (re-tagged SET
 * OF) and the signature are cut out of the DER by hand and given to `openssl pkeyutl`. */
static void test_signed_data_sign_ed25519_matches_rfc8419(void **state) {
    (void)state;
    const char *src = getenv("CMC_SOURCE_DIR") ? getenv("CMC_SOURCE_DIR") : CMC_SOURCE_DIR;
    static const uint8_t content[] = {0x30, 0x08, 0x30, 0x00, 0x30, 0x00, 0x30, 0x00, 0x30, 0x00};
    size_t len = 0;
    uint8_t *msg = sign_with(&len, content, sizeof(content), "officer-both-ed25519.key.pem",
                             "officer-both-ed25519.cert.pem", 0, 0, 0, NULL);
    const uint8_t *p = msg;
    size_t left = len;
    walk(&p, &left, 1);             /* ContentInfo */
    walk(&p, &left, 0);             /* contentType */
    walk(&p, &left, 1);             /* [0] */
    walk(&p, &left, 1);             /* SignedData */
    walk(&p, &left, 0);             /* version */
    msg_tlv t = walk(&p, &left, 0); /* digestAlgorithms: { sha512 } */
    static const uint8_t kSha512[] = {0x31, 0x0D, 0x30, 0x0B, 0x06, 0x09, 0x60, 0x86,
                                      0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03};
    assert_int_equal(t.hdr_len + t.len, sizeof(kSha512));
    assert_memory_equal(p - sizeof(kSha512), kSha512, sizeof(kSha512));
    walk(&p, &left, 0); /* encapContentInfo */
    t = walk(&p, &left, 0);
    assert_int_equal(t.id, 0xA0); /* certificates */
    walk(&p, &left, 1);           /* signerInfos SET */
    walk(&p, &left, 1);           /* SignerInfo */
    walk(&p, &left, 0);           /* version */
    walk(&p, &left, 0);           /* sid */
    walk(&p, &left, 0);           /* digestAlgorithm */
    const uint8_t *attrs = p;
    t = walk(&p, &left, 0);
    assert_int_equal(t.id, 0xA0);
    size_t attrs_len = t.hdr_len + t.len;
    uint8_t *set = OPENSSL_memdup(attrs, attrs_len);
    set[0] = 0x31; /* RFC 5652 §5.4: the signature is over SET OF, not [0] */
    static const uint8_t kEd25519Alg[] = {0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70};
    t = walk(&p, &left, 0); /* signatureAlgorithm: id-Ed25519, no parameters */
    assert_int_equal(t.hdr_len + t.len, sizeof(kEd25519Alg));
    assert_memory_equal(p - sizeof(kEd25519Alg), kEd25519Alg, sizeof(kEd25519Alg));
    t = walk(&p, &left, 0); /* signature OCTET STRING */
    assert_int_equal(t.len, 64);
    const char *attrs_path = tu_write_tmp(0, "attrs.der", set, attrs_len);
    const char *sig_path = tu_write_tmp(1, "sig.bin", p - 64, 64);
    char cmd[2048];
    TU_SNPRINTF(cmd, sizeof(cmd),
                "openssl x509 -in '%s/vectors/pki/officer-both-ed25519.cert.pem' -pubkey -noout "
                "> '%s.pub' && openssl pkeyutl -verify -pubin -inkey '%s.pub' -rawin -in '%s' "
                "-sigfile '%s'",
                src, sig_path, sig_path, attrs_path, sig_path);
    assert_int_equal(tu_run(cmd), 0);
    set[attrs_len - 1] ^= 1; /* the same command refuses other bytes */
    attrs_path = tu_write_tmp(0, "attrs.der", set, attrs_len);
    assert_int_not_equal(tu_run(cmd), 0);
    char pub[600];
    TU_SNPRINTF(pub, sizeof(pub), "%s.pub", sig_path);
    unlink(pub);
    unlink(attrs_path);
    unlink(sig_path);
    OPENSSL_free(set);
    OPENSSL_free(msg);
}

static void test_certs_only_build_parses_with_openssl_cli(void **state) {
    (void)state;
    STACK_OF(X509) *certs = tu_chain();
    uint8_t *der = NULL;
    size_t len = 0;
    assert_int_equal(cmc_certs_only_build(&der, &len, certs), CMC_OK);
    const char *path = tu_write_tmp(2, "certs.p7", der, len);
    char cmd[1024];
    TU_SNPRINTF(cmd, sizeof(cmd), "openssl pkcs7 -inform DER -in '%s' -print_certs -out '%s.pem'",
                path, path);
    assert_int_equal(tu_run(cmd), 0);
    char pem[600];
    TU_SNPRINTF(pem, sizeof(pem), "%s.pem", path);
    size_t pem_len = 0;
    uint8_t *text = tu_read_file(pem, &pem_len);
    size_t count = 0;
    for (const uint8_t *p = text;
         (p = tu_find(p, pem_len - (size_t)(p - text), "BEGIN CERTIFICATE", 17)) != NULL; p += 17) {
        count++;
    }
    assert_int_equal(count, 2);
    free(text);
    unlink(pem);
    unlink(path);
    /* Our parser: two certificates; our verifier calls it detached (no eContent). */
    STACK_OF(X509) *back = NULL;
    assert_int_equal(cmc_certs_only_parse(&back, der, len), CMC_OK);
    assert_int_equal(sk_X509_num(back), 2);
    sk_X509_pop_free(back, X509_free);
    cmc_verified v;
    cmc_verified_init(&v);
    assert_int_equal(cmc_signed_data_verify(&v, der, len, NULL), CMC_E_DETACHED);
    assert_int_equal(sk_X509_num(v.certs), 2);
    assert_string_equal(v.econtent_type, OID_DATA);
    cmc_verified_cleanup(&v);
    cmc_sniff_result sr;
    assert_int_equal(cmc_sniff(&sr, der, len), CMC_OK);
    assert_int_equal(sr.kind, CMC_SNIFF_CONTENT_INFO);
    assert_int_equal(sr.content_type_nid, NID_pkcs7_signed);
    assert_string_equal(sr.econtent_type_oid, OID_DATA);
    assert_int_equal(sr.has_econtent, 0);
    /* A signed message is not certs-only. */
    size_t m_len = 0;
    uint8_t *m = sign_with(&m_len, der, 10, OFFICER, 0, 0, 0, NULL);
    assert_int_equal(cmc_certs_only_parse(&back, m, m_len), CMC_E_NOT_CMC);
    assert_int_equal(cmc_certs_only_parse(&back, der, len - 1), CMC_E_TRUNCATED);
    assert_int_equal(cmc_certs_only_build(&m, &m_len, NULL), CMC_E_ARG);
    OPENSSL_free(m);
    OPENSSL_free(der);
    sk_X509_pop_free(certs, X509_free);
}

static void test_pkix_cert_parse_round_trip(void **state) {
    (void)state;
    X509 *c = tu_cert("signer.cert.pem");
    uint8_t *der = NULL;
    size_t len = 0;
    assert_int_equal(cmc_pkix_cert_encode(&der, &len, c), CMC_OK);
    X509 *back = NULL;
    assert_int_equal(cmc_pkix_cert_parse(&back, der, len), CMC_OK);
    assert_int_equal(X509_cmp(back, c), 0);
    X509_free(back);
    uint8_t *longer = OPENSSL_malloc(len + 2);
    memcpy(longer, der, len);
    longer[len] = 0x05;
    longer[len + 1] = 0x00;
    back = NULL;
    assert_int_equal(cmc_pkix_cert_parse(&back, longer, len + 2), CMC_E_TRAILING);
    assert_null(back);
    assert_int_equal(cmc_pkix_cert_parse(&back, der, len - 3), CMC_E_TRUNCATED);
    assert_int_equal(cmc_pkix_cert_parse(&back, der, 0), CMC_E_TRUNCATED);
    cmc_sniff_result sr;
    assert_int_equal(cmc_sniff(&sr, der, len), CMC_OK);
    assert_int_equal(sr.kind, CMC_SNIFF_CERTIFICATE);
    OPENSSL_free(longer);
    OPENSSL_free(der);
    X509_free(c);
}

/* sign_prepared signs |pd| with the fixture signer and, if |prepared|, its cmc_sign_ctx_new
 * context (cmc_signer.sign_ctx). */
static uint8_t *sign_prepared(size_t *out_len, const uint8_t *pd, size_t pd_len,
                              const char *key_file, const char *cert_file, int pss, int prepared) {
    EVP_PKEY *k = tu_key(key_file);
    X509 *c = tu_cert(cert_file);
    EVP_MD_CTX *ctx = NULL;
    assert_int_equal(cmc_sign_ctx_new(&ctx, k, NULL, pss), CMC_OK);
    cmc_signer s;
    memset(&s, 0, sizeof(s));
    s.key = k;
    s.cert = c;
    s.sid = CMC_SID_ISSUER_SERIAL;
    s.rsa_pss = pss;
    s.include_cert = 1;
    s.sign_ctx = prepared ? ctx : NULL;
    cmc_sign_options o;
    memset(&o, 0, sizeof(o));
    o.signing_time = CMC_FIXTURE_CLOCK;
    uint8_t *out = NULL;
    assert_int_equal(cmc_signed_data_sign(&out, out_len, pd, pd_len, &s, 1, &o), CMC_OK);
    EVP_MD_CTX_free(ctx);
    X509_free(c);
    EVP_PKEY_free(k);
    return out;
}

/* A prepared context signs exactly as a fresh one: byte for byte for RSA PKCS#1 v1.5
 * (deterministic), and verifiably for PSS, ECDSA and EdDSA (which gets no context). */
static void test_sign_ctx_new_signs_like_fresh_init(void **state) {
    (void)state;
    size_t pd_len = 0;
    uint8_t *pd = make_pki_data(&pd_len);
    size_t a_len = 0, b_len = 0;
    uint8_t *a =
        sign_prepared(&a_len, pd, pd_len, "officer-both.key.pem", "officer-both.cert.pem", 0, 1);
    uint8_t *b =
        sign_prepared(&b_len, pd, pd_len, "officer-both.key.pem", "officer-both.cert.pem", 0, 0);
    assert_int_equal(a_len, b_len);
    assert_memory_equal(a, b, a_len);
    OPENSSL_free(a);
    OPENSSL_free(b);
    static const signer_fixture kOthers[] = {
        {"officer-both.key.pem", "officer-both.cert.pem", 1},
        {"officer-both-p256.key.pem", "officer-both-p256.cert.pem", 0},
        {"officer-both-ed25519.key.pem", "officer-both-ed25519.cert.pem", 0},
    };
    for (size_t i = 0; i < sizeof(kOthers) / sizeof(kOthers[0]); i++) {
        uint8_t *m =
            sign_prepared(&a_len, pd, pd_len, kOthers[i].key, kOthers[i].cert, kOthers[i].pss, 1);
        cmc_verified v;
        cmc_verified_init(&v);
        assert_int_equal(verify_fixture(&v, m, a_len), CMC_OK);
        cmc_verified_cleanup(&v);
        OPENSSL_free(m);
    }
    EVP_PKEY *ed = tu_key("officer-both-ed25519.key.pem");
    EVP_MD_CTX *none = (EVP_MD_CTX *)1;
    assert_int_equal(cmc_sign_ctx_new(&none, ed, NULL, 0), CMC_OK);
    assert_null(none);
    EVP_PKEY_free(ed);
    OPENSSL_free(pd);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_ctx_new_signs_like_fresh_init),
        cmocka_unit_test(test_signed_data_verify_accepts_rsa),
        cmocka_unit_test(test_signed_data_verify_accepts_rsa_pss),
        cmocka_unit_test(test_signed_data_verify_accepts_p256),
        cmocka_unit_test(test_signed_data_verify_accepts_p384),
        cmocka_unit_test(test_signed_data_verify_accepts_ed25519),
        cmocka_unit_test(test_signed_data_verify_rejects_econtent_type_data),
        cmocka_unit_test(test_signed_data_verify_rejects_missing_content_type_attr),
        cmocka_unit_test(test_signed_data_verify_rejects_content_type_attr_mismatch),
        cmocka_unit_test(test_signed_data_verify_rejects_wrong_message_digest),
        cmocka_unit_test(test_signed_data_verify_rejects_missing_message_digest),
        cmocka_unit_test(test_signed_data_verify_rejects_flipped_signature),
        cmocka_unit_test(test_signed_data_verify_rejects_modified_content),
        cmocka_unit_test(test_signed_data_verify_rejects_detached),
        cmocka_unit_test(test_signed_data_verify_reports_stage1_before_stage3),
        cmocka_unit_test(test_signed_data_verify_rejects_signer_validity),
        cmocka_unit_test(test_signed_data_verify_unsigned_returns_content),
        cmocka_unit_test(test_signed_data_verify_finds_signer_in_untrusted_list),
        cmocka_unit_test(test_signed_data_verify_accepts_ski_signer_p256),
        cmocka_unit_test(test_signed_data_verify_accepts_ski_signer_ed25519),
        cmocka_unit_test(test_signed_data_verify_accepts_ski_signer_rsa),
        cmocka_unit_test(test_signed_data_verify_applies_eku_policy),
        cmocka_unit_test(test_signed_data_verify_two_signers_lowest_stage_wins),
        cmocka_unit_test(test_signed_data_verify_accepts_ber_indefinite),
        cmocka_unit_test(test_signed_data_verify_rejects_bad_input),
        cmocka_unit_test(test_signed_data_verify_rejects_too_many_certs),
        cmocka_unit_test(test_rand_deterministic_makes_signatures_identical),
        cmocka_unit_test(test_rand_deterministic_rejects_bad_seed),
        cmocka_unit_test(test_drbg_bytes_is_reproducible),
        cmocka_unit_test(test_signed_data_verify_accepts_openssl_cli_request),
        cmocka_unit_test(test_signed_data_sign_verifies_with_openssl_cli),
        cmocka_unit_test(test_signed_data_sign_ed25519_matches_rfc8419),
        cmocka_unit_test(test_certs_only_build_parses_with_openssl_cli),
        cmocka_unit_test(test_pkix_cert_parse_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
