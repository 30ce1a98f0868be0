/* msg_build_test: request builders (PKCS#10, CRMF, PKIData) and sniffing (cmc/msg.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <openssl/crmf.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "internal.h"
#include "msg/msg_local.h"
#include "msg_test_util.h"

static const char *const kKeys[3] = {"ee-rsa2048.key.pem", "ee-p256.key.pem", "ee-ed25519.key.pem"};

static void test_p10_build_verifies_own_signature(void **state) {
    (void)state;
    for (int i = 0; i < 3; i++) {
        EVP_PKEY *k = tu_key(kKeys[i]);
        cmc_req_options o;
        memset(&o, 0, sizeof(o));
        o.subject = "/CN=builder test/O=cmckit";
        o.add_ski = 1;
        X509_REQ *req = NULL;
        assert_int_equal(cmc_p10_build(&req, k, &o), CMC_OK);
        assert_int_equal(X509_REQ_verify(req, k), 1);
        char cn[64];
        assert_int_equal(X509_NAME_get_text_by_NID(X509_REQ_get_subject_name(req), NID_commonName,
                                                   cn, sizeof(cn)),
                         12);
        assert_string_equal(cn, "builder test");
        STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
        assert_int_equal(sk_X509_EXTENSION_num(exts), 1);
        ASN1_OCTET_STRING *ski = X509V3_get_d2i(exts, NID_subject_key_identifier, NULL, NULL);
        uint8_t want[CMC_SKI_LEN];
        assert_int_equal(cmc_key_ski(want, k), CMC_OK);
        assert_int_equal(ASN1_STRING_length(ski), CMC_SKI_LEN);
        assert_memory_equal(ASN1_STRING_get0_data(ski), want, CMC_SKI_LEN);
        ASN1_OCTET_STRING_free(ski);
        sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
        X509_REQ_free(req);

        /* DER form: sniffed as PKCS#10 and accepted by `openssl req -verify`. */
        uint8_t *der = NULL;
        size_t len = 0;
        assert_int_equal(cmc_p10_build_der(&der, &len, k, &o), CMC_OK);
        cmc_sniff_result sr;
        assert_int_equal(cmc_sniff(&sr, der, len), CMC_OK);
        assert_int_equal(sr.kind, CMC_SNIFF_PKCS10);
        const char *path = tu_write_tmp(0, "req.der", der, len);
        char cmd[1024];
        /* `openssl req -verify` exits 0 even on failure (3.0): look for its verdict. */
        TU_SNPRINTF(cmd, sizeof(cmd),
                    "openssl req -inform DER -in '%s' -verify -noout 2>&1 | grep -q 'verify OK'",
                    path);
        assert_int_equal(tu_run(cmd), 0);
        der[len - 1] ^= 1; /* and a broken signature is refused */
        path = tu_write_tmp(0, "req.der", der, len);
        assert_int_not_equal(tu_run(cmd), 0);
        unlink(path);
        OPENSSL_free(der);
        EVP_PKEY_free(k);
    }
}

static void test_p10_build_defaults_to_empty_subject(void **state) {
    (void)state;
    EVP_PKEY *k = tu_key("ee-p256.key.pem");
    X509_REQ *req = NULL;
    assert_int_equal(cmc_p10_build(&req, k, NULL), CMC_OK);
    assert_int_equal(X509_NAME_entry_count(X509_REQ_get_subject_name(req)), 0);
    STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
    assert_int_equal(sk_X509_EXTENSION_num(exts), 0); /* NULL or empty: no extensionRequest */
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    assert_int_equal(X509_REQ_get_attr_count(req), 0);
    assert_int_equal(X509_REQ_verify(req, k), 1);
    X509_REQ_free(req);
    assert_int_equal(cmc_p10_build(&req, NULL, NULL), CMC_E_ARG);
    EVP_PKEY_free(k);
}

static void test_name_parse_handles_syntax(void **state) {
    (void)state;
    X509_NAME *n = NULL;
    assert_int_equal(cmc_name_parse(&n, "/CN=a\\/b/O=x"), CMC_OK);
    char buf[32];
    X509_NAME_get_text_by_NID(n, NID_commonName, buf, sizeof(buf));
    assert_string_equal(buf, "a/b");
    assert_int_equal(X509_NAME_entry_count(n), 2);
    X509_NAME_free(n);
    assert_int_equal(cmc_name_parse(&n, ""), CMC_OK);
    assert_int_equal(X509_NAME_entry_count(n), 0);
    X509_NAME_free(n);
    n = NULL;
    assert_int_equal(cmc_name_parse(&n, "CN=x"), CMC_E_ARG);
    assert_int_equal(cmc_name_parse(&n, "/CN"), CMC_E_ARG);
    assert_int_equal(cmc_name_parse(&n, "/=x"), CMC_E_ARG);
    assert_int_equal(cmc_name_parse(&n, "/NOTATYPE=x"), CMC_E_ARG);
    assert_null(n);
}

static void test_crmf_build_popo_verifies(void **state) {
    (void)state;
    for (int i = 0; i < 3; i++) {
        EVP_PKEY *k = tu_key(kKeys[i]);
        cmc_req_options o;
        memset(&o, 0, sizeof(o));
        o.subject = "/CN=crmf test";
        o.add_ski = 1;
        OSSL_CRMF_MSG *m = NULL;
        assert_int_equal(cmc_crmf_build(&m, k, 7, &o), CMC_OK);
        assert_int_equal(OSSL_CRMF_MSG_get_certReqId(m), 7);
        OSSL_CRMF_MSGS *msgs = sk_OSSL_CRMF_MSG_new_null();
        sk_OSSL_CRMF_MSG_push(msgs, m);
        /* OpenSSL 3.0: the second argument is an index into |msgs|, not the certReqId. */
        assert_int_equal(OSSL_CRMF_MSGS_verify_popo(msgs, 0, 0, NULL, NULL), 1);
        /* The template carries the key and subject. */
        OSSL_CRMF_CERTTEMPLATE *t = OSSL_CRMF_MSG_get0_tmpl(m);
        char cn[32];
        X509_NAME_get_text_by_NID(OSSL_CRMF_CERTTEMPLATE_get0_subject(t), NID_commonName, cn,
                                  sizeof(cn));
        assert_string_equal(cn, "crmf test");
        sk_OSSL_CRMF_MSG_pop_free(msgs, OSSL_CRMF_MSG_free);

        /* A POP over different bytes fails: flip the last signature bit in the DER. */
        uint8_t *der = NULL;
        size_t len = 0;
        assert_int_equal(cmc_crmf_build_der(&der, &len, k, 7, &o), CMC_OK);
        der[len - 1] ^= 1;
        const unsigned char *p = der;
        m = d2i_OSSL_CRMF_MSG(NULL, &p, (long)len);
        assert_non_null(m);
        msgs = sk_OSSL_CRMF_MSG_new_null();
        sk_OSSL_CRMF_MSG_push(msgs, m);
        assert_int_not_equal(OSSL_CRMF_MSGS_verify_popo(msgs, 0, 0, NULL, NULL), 1);
        sk_OSSL_CRMF_MSG_pop_free(msgs, OSSL_CRMF_MSG_free);
        OPENSSL_free(der);
        EVP_PKEY_free(k);
    }
}

static void test_crmf_build_encodes_any_cert_req_id(void **state) {
    (void)state;
    EVP_PKEY *k = tu_key("ee-p256.key.pem");
    const int64_t ids[4] = {0, -1, 4294967296LL, 4294967295LL};
    for (int i = 0; i < 4; i++) {
        OSSL_CRMF_MSG *m = NULL;
        assert_int_equal(cmc_crmf_build(&m, k, ids[i], NULL), CMC_OK);
        ASN1_INTEGER *rid = NULL;
        assert_int_equal(cmc_crm_cert_req_id(&rid, m), CMC_OK);
        int64_t got = 0;
        assert_int_equal(ASN1_INTEGER_get_int64(&got, rid), 1);
        assert_int_equal(got, ids[i]);
        ASN1_INTEGER_free(rid);
        OSSL_CRMF_MSGS *msgs = sk_OSSL_CRMF_MSG_new_null();
        sk_OSSL_CRMF_MSG_push(msgs, m);
        /* The POP covers the certReqId as encoded, whatever its value (rid is an index). */
        assert_int_equal(OSSL_CRMF_MSGS_verify_popo(msgs, 0, 0, NULL, NULL), 1);
        sk_OSSL_CRMF_MSG_pop_free(msgs, OSSL_CRMF_MSG_free);
    }
    EVP_PKEY_free(k);
}

static void test_p10_verify_pop_detects_bad_signature(void **state) {
    (void)state;
    for (int i = 0; i < 3; i++) {
        EVP_PKEY *k = tu_key(kKeys[i]);
        uint8_t *der = NULL;
        size_t len = 0;
        assert_int_equal(cmc_p10_build_der(&der, &len, k, NULL), CMC_OK);
        const unsigned char *p = der;
        X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)len);
        assert_int_equal(cmc_p10_verify_pop(req), CMC_OK);
        X509_REQ_free(req);
        der[len - 1] ^= 1;
        p = der;
        req = d2i_X509_REQ(NULL, &p, (long)len);
        assert_int_equal(cmc_p10_verify_pop(req), CMC_E_POP);
        X509_REQ_free(req);
        OPENSSL_free(der);
        EVP_PKEY_free(k);
    }
    assert_int_equal(cmc_p10_verify_pop(NULL), CMC_E_ARG);
}

static void test_crmf_verify_pop_classifies(void **state) {
    (void)state;
    EVP_PKEY *k = tu_key("ee-ed25519.key.pem");
    uint8_t *der = NULL;
    size_t len = 0;
    assert_int_equal(cmc_crmf_build_der(&der, &len, k, 9, NULL), CMC_OK);
    const unsigned char *p = der;
    OSSL_CRMF_MSG *m = d2i_OSSL_CRMF_MSG(NULL, &p, (long)len);
    assert_int_equal(cmc_crmf_verify_pop(m), CMC_OK);
    assert_int_equal(OSSL_CRMF_MSG_get_certReqId(m), 9); /* |m| is still ours */
    OSSL_CRMF_MSG_free(m);
    der[len - 1] ^= 1;
    p = der;
    m = d2i_OSSL_CRMF_MSG(NULL, &p, (long)len);
    assert_int_equal(cmc_crmf_verify_pop(m), CMC_E_POP);
    OSSL_CRMF_MSG_free(m);
    /* Same CertRequest with popo raVerified [0] NULL, then with no popo at all. */
    msg_tlv outer;
    msg_tlv creq;
    assert_int_equal(msg_tlv_read(&outer, der, len), CMC_OK);
    assert_int_equal(msg_tlv_read(&creq, der + outer.hdr_len, outer.len), CMC_OK);
    size_t creq_len = creq.hdr_len + creq.len;
    assert_true(creq_len + 2 < 126);
    uint8_t buf[130];
    buf[0] = 0x30;
    buf[1] = (uint8_t)(creq_len + 2);
    memcpy(buf + 2, der + outer.hdr_len, creq_len);
    buf[2 + creq_len] = 0x80;
    buf[3 + creq_len] = 0x00;
    p = buf;
    m = d2i_OSSL_CRMF_MSG(NULL, &p, (long)(creq_len + 4));
    assert_non_null(m);
    assert_int_equal(cmc_crmf_verify_pop(m), CMC_E_POP);
    OSSL_CRMF_MSG_free(m);
    buf[1] = (uint8_t)creq_len;
    p = buf;
    m = d2i_OSSL_CRMF_MSG(NULL, &p, (long)(creq_len + 2));
    assert_non_null(m);
    assert_int_equal(cmc_crmf_verify_pop(m), CMC_E_POP);
    OSSL_CRMF_MSG_free(m);
    assert_int_equal(cmc_crmf_verify_pop(NULL), CMC_E_ARG);
    OPENSSL_free(der);
    EVP_PKEY_free(k);
}

static void test_pki_data_builder_empty_is_exact(void **state) {
    (void)state;
    static const uint8_t kEmpty[] = {0x30, 0x08, 0x30, 0x00, 0x30, 0x00, 0x30, 0x00, 0x30, 0x00};
    cmc_pki_data_builder *b = NULL;
    assert_int_equal(cmc_pki_data_builder_new(&b), CMC_OK);
    uint8_t *der = NULL;
    size_t len = 0;
    assert_int_equal(cmc_pki_data_builder_to_der(b, &der, &len), CMC_OK);
    assert_int_equal(len, sizeof(kEmpty));
    assert_memory_equal(der, kEmpty, len);
    OPENSSL_free(der);
    cmc_pki_data_builder_free(b);
    cmc_pki_data_builder_free(NULL);
}

static uint32_t id_of(const ASN1_INTEGER *a) {
    uint32_t v = 0;
    assert_int_equal(cmc_body_part_id_get(&v, a), CMC_OK);
    return v;
}

static void test_pki_data_builder_assigns_ids_and_parses(void **state) {
    (void)state;
    EVP_PKEY *k = tu_key("ee-p256.key.pem");
    X509 *ca = tu_cert("ca.cert.pem");
    cmc_pki_data_builder *b = NULL;
    assert_int_equal(cmc_pki_data_builder_new(&b), CMC_OK);
    int64_t id = 0;
    assert_int_equal(cmc_pki_data_builder_add_transaction_id(b, &id, CMC_BPID_AUTO, 99), CMC_OK);
    assert_int_equal(id, 1);
    static const uint8_t nonce[8] = {8, 7, 6, 5, 4, 3, 2, 1};
    assert_int_equal(cmc_pki_data_builder_add_sender_nonce(b, &id, 3, nonce, sizeof(nonce)),
                     CMC_OK);
    assert_int_equal(id, 3);
    X509_REQ *req = NULL;
    assert_int_equal(cmc_p10_build(&req, k, NULL), CMC_OK);
    assert_int_equal(cmc_pki_data_builder_add_tcr(b, &id, CMC_BPID_AUTO, req), CMC_OK);
    assert_int_equal(id, 2);
    OSSL_CRMF_MSG *crm = NULL;
    assert_int_equal(cmc_crmf_build(&crm, k, 4, NULL), CMC_OK);
    assert_int_equal(cmc_pki_data_builder_add_crm(b, &id, crm), CMC_OK);
    assert_int_equal(id, 4);
    /* AUTO skips the IDs 3 and 4 taken explicitly. */
    assert_int_equal(
        cmc_pki_data_builder_add_data_return(b, &id, CMC_BPID_AUTO, (const uint8_t *)"hi", 2),
        CMC_OK);
    assert_int_equal(id, 5);
    cmc_revoke_spec rs;
    memset(&rs, 0, sizeof(rs));
    rs.issuer = X509_get_subject_name(ca);
    rs.serial = X509_get0_serialNumber(ca);
    rs.reason = 1;
    rs.has_invalidity_date = 1;
    rs.invalidity_date = CMC_FIXTURE_CLOCK;
    rs.passphrase = (const uint8_t *)"secret";
    rs.passphrase_len = 6;
    rs.comment = "lost laptop";
    assert_int_equal(cmc_pki_data_builder_add_revoke_request(b, &id, CMC_BPID_AUTO, &rs), CMC_OK);
    assert_int_equal(id, 6);
    assert_int_equal(cmc_pki_data_builder_add_get_cert(b, &id, CMC_BPID_AUTO,
                                                       X509_get_subject_name(ca),
                                                       X509_get0_serialNumber(ca)),
                     CMC_OK);
    assert_int_equal(id, 7);
    static const uint8_t kNull[] = {0x05, 0x00};
    const uint8_t *vals[1] = {kNull};
    size_t lens[1] = {sizeof(kNull)};
    assert_int_equal(cmc_pki_data_builder_add_control_raw(b, &id, CMC_BPID_AUTO,
                                                          "1.3.6.1.4.1.99999.1", vals, lens, 1),
                     CMC_OK);
    assert_int_equal(id, 8);
    assert_int_equal(
        cmc_pki_data_builder_add_control_raw(b, &id, CMC_BPID_AUTO, "not an oid", vals, lens, 1),
        CMC_E_ARG);

    uint8_t *der = NULL;
    size_t len = 0;
    assert_int_equal(cmc_pki_data_builder_to_der(b, &der, &len), CMC_OK);
    uint8_t *der2 = NULL;
    size_t len2 = 0;
    assert_int_equal(cmc_pki_data_builder_to_der(b, &der2, &len2), CMC_OK);
    assert_int_equal(len, len2);
    assert_memory_equal(der, der2, len);
    OPENSSL_free(der2);

    cmc_pki_data *pd = NULL;
    assert_int_equal(cmc_pki_data_parse(&pd, der, len), CMC_OK); /* DER, IDs valid */
    assert_int_equal(sk_CMC_TAGGED_ATTRIBUTE_num(pd->controlSequence), 6);
    assert_int_equal(sk_CMC_TAGGED_REQUEST_num(pd->reqSequence), 2);
    const CMC_TAGGED_REQUEST *tr = sk_CMC_TAGGED_REQUEST_value(pd->reqSequence, 0);
    assert_int_equal(tr->type, CMC_TAGGED_REQUEST_TCR);
    assert_int_equal(id_of(tr->value.tcr->bodyPartID), 2);
    assert_int_equal(X509_REQ_verify(tr->value.tcr->certificationRequest, k), 1);
    tr = sk_CMC_TAGGED_REQUEST_value(pd->reqSequence, 1);
    assert_int_equal(tr->type, CMC_TAGGED_REQUEST_CRM);
    uint32_t rid = 0;
    assert_int_equal(cmc_tagged_request_body_part_id(&rid, tr), CMC_OK);
    assert_int_equal(rid, 4);

    /* revokeRequest (control 5th) decodes with the asn1 module's template. */
    const CMC_TAGGED_ATTRIBUTE *ta = sk_CMC_TAGGED_ATTRIBUTE_value(pd->controlSequence, 3);
    assert_int_equal(id_of(ta->bodyPartID), 6);
    assert_int_equal(OBJ_obj2nid(ta->attrType), NID_id_cmc_revokeRequest);
    const ASN1_TYPE *v = sk_ASN1_TYPE_value(ta->attrValues, 0);
    const unsigned char *p = ASN1_STRING_get0_data(v->value.sequence);
    CMC_REVOKE_REQUEST *rr =
        d2i_CMC_REVOKE_REQUEST(NULL, &p, ASN1_STRING_length(v->value.sequence));
    assert_non_null(rr);
    assert_int_equal(X509_NAME_cmp(rr->issuerName, X509_get_subject_name(ca)), 0);
    assert_int_equal(ASN1_INTEGER_cmp(rr->serialNumber, X509_get0_serialNumber(ca)), 0);
    assert_int_equal(ASN1_ENUMERATED_get(rr->reason), 1);
    assert_string_equal((const char *)ASN1_STRING_get0_data(rr->invalidityDate), "20260701000000Z");
    assert_int_equal(ASN1_STRING_length(rr->passphrase), 6);
    assert_memory_equal(ASN1_STRING_get0_data(rr->comment), "lost laptop", 11);
    CMC_REVOKE_REQUEST_free(rr);

    ta = sk_CMC_TAGGED_ATTRIBUTE_value(pd->controlSequence, 4);
    v = sk_ASN1_TYPE_value(ta->attrValues, 0);
    p = ASN1_STRING_get0_data(v->value.sequence);
    CMC_GET_CERT *gc = d2i_CMC_GET_CERT(NULL, &p, ASN1_STRING_length(v->value.sequence));
    assert_non_null(gc);
    assert_int_equal(gc->issuerName->type, GEN_DIRNAME);
    assert_int_equal(X509_NAME_cmp(gc->issuerName->d.directoryName, X509_get_subject_name(ca)), 0);
    CMC_GET_CERT_free(gc);

    cmc_pki_data_free(pd);
    OPENSSL_free(der);
    cmc_pki_data_builder_free(b);
    OSSL_CRMF_MSG_free(crm);
    X509_REQ_free(req);
    X509_free(ca);
    EVP_PKEY_free(k);
}

/* Explicit IDs are encoded as given, so the parser's body part rules can be exercised. */
static cmc_status parse_with_ids(int64_t a, int64_t b_id) {
    cmc_pki_data_builder *b = NULL;
    assert_int_equal(cmc_pki_data_builder_new(&b), CMC_OK);
    assert_int_equal(cmc_pki_data_builder_add_transaction_id(b, NULL, a, 1), CMC_OK);
    assert_int_equal(cmc_pki_data_builder_add_sender_nonce(b, NULL, b_id, (const uint8_t *)"n", 1),
                     CMC_OK);
    uint8_t *der = NULL;
    size_t len = 0;
    assert_int_equal(cmc_pki_data_builder_to_der(b, &der, &len), CMC_OK);
    cmc_pki_data *pd = NULL;
    cmc_status st = cmc_pki_data_parse(&pd, der, len);
    cmc_pki_data_free(pd);
    OPENSSL_free(der);
    cmc_pki_data_builder_free(b);
    return st;
}

static void test_pki_data_builder_encodes_invalid_ids(void **state) {
    (void)state;
    assert_int_equal(parse_with_ids(1, 2), CMC_OK);
    assert_int_equal(parse_with_ids(0, 2), CMC_E_BODY_PART_ZERO);
    assert_int_equal(parse_with_ids(2, 2), CMC_E_BODY_PART_DUP);
    assert_int_equal(parse_with_ids(1, 4294967296LL), CMC_E_BODY_PART_RANGE);
    assert_int_equal(parse_with_ids(-1, 2), CMC_E_BODY_PART_RANGE);
    assert_int_equal(parse_with_ids(1, 4294967295LL), CMC_OK);
}

static void test_pki_data_builder_rejects_bad_args(void **state) {
    (void)state;
    cmc_pki_data_builder *b = NULL;
    assert_int_equal(cmc_pki_data_builder_new(NULL), CMC_E_ARG);
    assert_int_equal(cmc_pki_data_builder_new(&b), CMC_OK);
    assert_int_equal(cmc_pki_data_builder_add_tcr(b, NULL, CMC_BPID_AUTO, NULL), CMC_E_ARG);
    assert_int_equal(cmc_pki_data_builder_add_tcr_der(b, NULL, CMC_BPID_AUTO, NULL, 0), CMC_E_ARG);
    assert_int_equal(cmc_pki_data_builder_add_revoke_request(b, NULL, CMC_BPID_AUTO, NULL),
                     CMC_E_ARG);
    assert_int_equal(cmc_pki_data_builder_add_transaction_id(NULL, NULL, CMC_BPID_AUTO, 1),
                     CMC_E_ARG);
    /* Raw tcr bytes go in as given (malformed-request vectors). */
    static const uint8_t junk[] = {0x30, 0x00};
    int64_t id = 0;
    assert_int_equal(cmc_pki_data_builder_add_tcr_der(b, &id, CMC_BPID_AUTO, junk, 2), CMC_OK);
    assert_int_equal(id, 1);
    uint8_t *der = NULL;
    size_t len = 0;
    assert_int_equal(cmc_pki_data_builder_to_der(b, &der, &len), CMC_OK);
    static const uint8_t kWant[] = {0x30, 0x0F, 0x30, 0x00, 0x30, 0x07, 0xA0, 0x05, 0x02,
                                    0x01, 0x01, 0x30, 0x00, 0x30, 0x00, 0x30, 0x00};
    assert_int_equal(len, sizeof(kWant));
    assert_memory_equal(der, kWant, len);
    OPENSSL_free(der);
    cmc_pki_data_builder_free(b);
}

static void test_sniff_classifies_inputs(void **state) {
    (void)state;
    cmc_sniff_result sr;
    assert_int_equal(cmc_sniff(NULL, NULL, 0), CMC_E_ARG);
    assert_int_equal(cmc_sniff(&sr, NULL, 0), CMC_OK);
    assert_int_equal(sr.kind, CMC_SNIFF_UNKNOWN);
    static const uint8_t empty_pd[] = {0x30, 0x08, 0x30, 0x00, 0x30, 0x00, 0x30, 0x00, 0x30, 0x00};
    assert_int_equal(cmc_sniff(&sr, empty_pd, sizeof(empty_pd)), CMC_OK);
    assert_int_equal(sr.kind, CMC_SNIFF_UNKNOWN);
    static const uint8_t text[] = "hello world";
    assert_int_equal(cmc_sniff(&sr, text, sizeof(text)), CMC_OK);
    assert_int_equal(sr.kind, CMC_SNIFF_UNKNOWN);
    X509 *c = tu_cert("ca.cert.pem");
    unsigned char *der = NULL;
    int len = i2d_X509(c, &der);
    assert_int_equal(cmc_sniff(&sr, der, (size_t)len), CMC_OK);
    assert_int_equal(sr.kind, CMC_SNIFF_CERTIFICATE);
    assert_int_equal(cmc_sniff(&sr, der, 40), CMC_OK); /* truncated: still a certificate */
    assert_int_equal(sr.kind, CMC_SNIFF_CERTIFICATE);
    OPENSSL_free(der);
    X509_free(c);
    EVP_PKEY *k = tu_key("ee-ed25519.key.pem");
    uint8_t *p10 = NULL;
    size_t p10_len = 0;
    assert_int_equal(cmc_p10_build_der(&p10, &p10_len, k, NULL), CMC_OK);
    for (size_t n = 9; n <= p10_len; n++) { /* every prefix with the version is PKCS#10 */
        assert_int_equal(cmc_sniff(&sr, p10, n), CMC_OK);
        assert_int_equal(sr.kind, CMC_SNIFF_PKCS10);
    }
    assert_int_equal(cmc_sniff(&sr, p10, 4), CMC_OK);
    assert_int_equal(sr.kind, CMC_SNIFF_UNKNOWN);
    OPENSSL_free(p10);
    EVP_PKEY_free(k);
    /* ContentInfo { envelopedData }: content type reported, no eContent info. */
    static const uint8_t env[] = {0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86,
                                  0xF7, 0x0D, 0x01, 0x07, 0x03, 0xA0, 0x00};
    assert_int_equal(cmc_sniff(&sr, env, sizeof(env)), CMC_OK);
    assert_int_equal(sr.kind, CMC_SNIFF_CONTENT_INFO);
    assert_int_equal(sr.content_type_nid, NID_pkcs7_enveloped);
    assert_string_equal(sr.content_type_oid, "1.2.840.113549.1.7.3");
    assert_int_equal(sr.has_econtent, -1);
    assert_string_equal(cmc_sniff_kind_name(CMC_SNIFF_PKCS10), "pkcs10");
    assert_string_equal(cmc_sniff_kind_name((cmc_sniff_kind)42), "unknown");
}

static void test_key_ski_matches_openssl_hash(void **state) {
    (void)state;
    /* officer certs were made by `cmckit vectors pki`; their SKI extension (if any) uses
     * the RFC 5280 method 1 hash, as OpenSSL's "hash" does. */
    X509 *c = tu_cert("signer.cert.pem");
    const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(c);
    if (ski != NULL) {
        uint8_t got[CMC_SKI_LEN];
        assert_int_equal(cmc_key_ski(got, X509_get0_pubkey(c)), CMC_OK);
        assert_int_equal(ASN1_STRING_length(ski), CMC_SKI_LEN);
        assert_memory_equal(ASN1_STRING_get0_data(ski), got, CMC_SKI_LEN);
    }
    uint8_t a[CMC_SKI_LEN];
    uint8_t b[CMC_SKI_LEN];
    EVP_PKEY *k1 = tu_key("ee-p256.key.pem");
    EVP_PKEY *k2 = tu_key("ee-p384.key.pem");
    assert_int_equal(cmc_key_ski(a, k1), CMC_OK);
    assert_int_equal(cmc_key_ski(b, k2), CMC_OK);
    assert_memory_not_equal(a, b, CMC_SKI_LEN);
    assert_int_equal(cmc_key_ski(a, NULL), CMC_E_ARG);
    assert_ptr_equal(cmc_default_md(k2), EVP_sha384());
    assert_ptr_equal(cmc_default_md(k1), EVP_sha256());
    EVP_PKEY_free(k1);
    EVP_PKEY_free(k2);
    X509_free(c);
}

/* msg_buf_put_oid encodes dotted OIDs itself; it must write exactly what OpenSSL writes and
 * fail exactly where OBJ_txt2obj(oid, 1) fails. */
static void test_buf_put_oid_matches_openssl(void **state) {
    (void)state;
    static const char *const kOids[] = {
        "1.2.840.113549.1.7.2",
        "1.3.6.1.5.5.7.12.2",
        "2.5.29.14",
        "0.0",
        "2.999",
        "1.3.6.1.4.1.4294967296.1",
        "2.100.3",
        "1.39",
        "1.40",
        "3.1",
        "1",
        "",
        "1..2",
        "01.2",
        "1.2.",
        ".1.2",
        "1.2a",
        "1.18446744073709551616",
        "2.18446744073709551535",
    };
    for (size_t i = 0; i < sizeof(kOids) / sizeof(kOids[0]); i++) {
        msg_buf b;
        msg_buf_init(&b);
        msg_buf_put_oid(&b, kOids[i]);
        ASN1_OBJECT *o = OBJ_txt2obj(kOids[i], 1);
        unsigned char *want = NULL;
        int want_len = o != NULL ? i2d_ASN1_OBJECT(o, &want) : 0;
        ERR_clear_error();
        if (want_len > 0) {
            assert_int_equal(b.err, 0);
            assert_int_equal(b.len, (size_t)want_len);
            assert_memory_equal(b.p, want, (size_t)want_len);
        } else {
            assert_int_not_equal(b.err, 0);
        }
        OPENSSL_free(want);
        ASN1_OBJECT_free(o);
        msg_buf_cleanup(&b);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_put_oid_matches_openssl),
        cmocka_unit_test(test_p10_build_verifies_own_signature),
        cmocka_unit_test(test_p10_build_defaults_to_empty_subject),
        cmocka_unit_test(test_name_parse_handles_syntax),
        cmocka_unit_test(test_crmf_build_popo_verifies),
        cmocka_unit_test(test_crmf_build_encodes_any_cert_req_id),
        cmocka_unit_test(test_p10_verify_pop_detects_bad_signature),
        cmocka_unit_test(test_crmf_verify_pop_classifies),
        cmocka_unit_test(test_pki_data_builder_empty_is_exact),
        cmocka_unit_test(test_pki_data_builder_assigns_ids_and_parses),
        cmocka_unit_test(test_pki_data_builder_encodes_invalid_ids),
        cmocka_unit_test(test_pki_data_builder_rejects_bad_args),
        cmocka_unit_test(test_sniff_classifies_inputs),
        cmocka_unit_test(test_key_ski_matches_openssl_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
