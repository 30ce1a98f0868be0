/* server_policy_test.c: the reference server's request-side policy through cmc_server_handle:
 * proof of possession through the message layer (cmc_p10_verify_pop, cmc_crmf_verify_pop),
 * self-signed Full PKI Requests (RFC 5272 §3.2: SubjectKeyIdentifier extension of a
 * request, exactly one SignerInfo), and the signature algorithm policy applied to the CMS
 * SignerInfo, the PKCS#10 signature and the CRMF POP (DESIGN.md answer table; cmc/server.h).
 * Officers with keys outside the policy (RSA-1024, P-521) are made here from the fixture CA
 * and registered through the server's internal config API. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <openssl/crmf.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "server/server_local.h"
#include "server_test_util.h"

/* ---- Helpers ---- */

/* post_signed signs |b| by |signers| (|num| of them) and posts it; reads the answer. */
static void post_signed(cmc_server *srv, cmc_pki_data_builder *b, const cmc_signer *signers,
                        size_t num, cmc_http_response *resp, cmc_response *r) {
    uint8_t *pd = NULL, *body = NULL;
    size_t pd_len = 0, len = 0;
    assert_int_equal(cmc_pki_data_builder_to_der(b, &pd, &pd_len), CMC_OK);
    cmc_sign_options so = {.signing_time = CMC_FIXTURE_CLOCK};
    assert_int_equal(cmc_signed_data_sign(&body, &len, pd, pd_len, signers, num, &so), CMC_OK);
    su_post(srv, body, len, SU_CMC_REQUEST, NULL, resp);
    su_read(resp, r);
    cmc_free(pd);
    cmc_free(body);
}

/* post_by_officer signs |b| by the fixture officer |stem| (digest |md|, NULL = default). */
static void post_by_officer(cmc_server *srv, cmc_pki_data_builder *b, const char *stem,
                            const EVP_MD *md, int pss, cmc_http_response *resp, cmc_response *r) {
    char file[128];
    snprintf(file, sizeof(file), "%s.key.pem", stem);
    EVP_PKEY *k = su_key(file);
    snprintf(file, sizeof(file), "%s.cert.pem", stem);
    X509 *c = su_cert(file);
    cmc_signer s = {.key = k,
                    .cert = c,
                    .sid = CMC_SID_ISSUER_SERIAL,
                    .include_cert = 1,
                    .md = md,
                    .rsa_pss = pss};
    post_signed(srv, b, &s, 1, resp, r);
    EVP_PKEY_free(k);
    X509_free(c);
}

static void done(cmc_http_response *resp, cmc_response *r) {
    cmc_response_cleanup(r);
    cmc_http_response_cleanup(resp);
}

static void expect_issued_for(const cmc_response *r, EVP_PKEY *key) {
    assert_int_equal(r->kind, CMC_RESPONSE_CERTS_ONLY);
    int match = 0;
    for (int i = 0; i < sk_X509_num(r->certs); i++) {
        match |= EVP_PKEY_eq(X509_get0_pubkey(sk_X509_value(r->certs, i)), key) == 1;
    }
    assert_true(match);
}

static void expect_text_has(const cmc_response_status *s, const char *needle) {
    assert_non_null(s->status_string);
    if (strstr(s->status_string, needle) == NULL) {
        fail_msg("statusString \"%s\" lacks \"%s\"", s->status_string, needle);
    }
}

static void no_officer(cmc_server_config *cfg) {
    cmc_server_config_set_require_officer(cfg, 0);
}

/* der_len_put writes a DER length; returns its size. */
static size_t der_len_put(uint8_t *out, size_t len) {
    if (len < 0x80) {
        out[0] = (uint8_t)len;
        return 1;
    }
    if (len < 0x100) {
        out[0] = 0x81;
        out[1] = (uint8_t)len;
        return 2;
    }
    out[0] = 0x82;
    out[1] = (uint8_t)(len >> 8);
    out[2] = (uint8_t)len;
    return 3;
}

/* der_elem_len: header + content length of the definite-length element at |p|. */
static size_t der_elem_len(const uint8_t *p) {
    if (p[1] < 0x80) {
        return 2 + (size_t)p[1];
    }
    size_t n = p[1] & 0x7F, len = 0;
    for (size_t i = 0; i < n; i++) {
        len = (len << 8) | p[2 + i];
    }
    return 2 + n + len;
}

/* crmf_with_popo rebuilds |crm| with the ProofOfPossession |popo| (|popo_len| DER bytes)
 * in place of its own. */
static OSSL_CRMF_MSG *crmf_with_popo(const OSSL_CRMF_MSG *crm, const uint8_t *popo,
                                     size_t popo_len) {
    uint8_t *der = NULL;
    int der_len = i2d_OSSL_CRMF_MSG(crm, &der);
    assert_true(der_len > 0);
    assert_int_equal(der_elem_len(der), (size_t)der_len);
    const uint8_t *inner = der + (der[1] < 0x80 ? 2 : 2 + (der[1] & 0x7F));
    size_t req_len = der_elem_len(inner); /* certReq CertRequest */
    uint8_t buf[4096];
    size_t n = 0;
    buf[n++] = 0x30;
    n += der_len_put(buf + n, req_len + popo_len);
    assert_true(n + req_len + popo_len <= sizeof(buf));
    memcpy(buf + n, inner, req_len);
    n += req_len;
    memcpy(buf + n, popo, popo_len);
    n += popo_len;
    const uint8_t *p = buf;
    OSSL_CRMF_MSG *out = d2i_OSSL_CRMF_MSG(NULL, &p, (long)n);
    assert_non_null(out);
    assert_ptr_equal(p, buf + n);
    OPENSSL_free(der);
    return out;
}

/* p10_no_signature: a PKCS#10 for |key| whose signatureAlgorithm is id-alg-noSignature
 * (NULL parameters) and whose "signature" is SHA-1 of the request info (RFC 5272 App. C.1). */
static uint8_t *p10_no_signature(EVP_PKEY *key, size_t *out_len) {
    cmc_req_options o = {.subject = "/CN=no signature"};
    X509_REQ *req = NULL;
    assert_int_equal(cmc_p10_build(&req, key, &o), CMC_OK);
    const X509_ALGOR *alg = NULL;
    const ASN1_BIT_STRING *sig = NULL;
    X509_REQ_get0_signature(req, &sig, &alg);
    assert_int_equal(
        X509_ALGOR_set0((X509_ALGOR *)alg, OBJ_nid2obj(NID_id_alg_noSignature), V_ASN1_NULL, NULL),
        1);
    uint8_t *info = NULL;
    int info_len = i2d_re_X509_REQ_tbs(req, &info);
    assert_true(info_len > 0);
    uint8_t h[20];
    assert_int_equal(EVP_Digest(info, (size_t)info_len, h, NULL, EVP_sha1(), NULL), 1);
    assert_int_equal(ASN1_BIT_STRING_set((ASN1_BIT_STRING *)sig, h, sizeof(h)), 1);
    uint8_t *der = NULL;
    int len = i2d_X509_REQ(req, &der);
    assert_true(len > 0);
    OPENSSL_free(info);
    X509_REQ_free(req);
    *out_len = (size_t)len;
    return der;
}

/* make_officer: a certificate for |key| from the fixture CA shaped like the fixture
 * officers (EKU id-kp-cmcRA + clientAuth, keyUsage digitalSignature), valid at the test
 * clock. */
static X509 *make_officer(EVP_PKEY *key, const char *cn, long serial) {
    EVP_PKEY *ca_key = su_key("ca.key.pem");
    X509 *ca = su_cert("ca.cert.pem");
    X509 *x = X509_new();
    assert_non_null(x);
    assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
    assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), serial), 1);
    assert_int_equal(X509_set_issuer_name(x, X509_get_subject_name(ca)), 1);
    X509_NAME *n = X509_NAME_new();
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    assert_int_equal(X509_set_subject_name(x, n), 1);
    X509_NAME_free(n);
    time_t t = CMC_FIXTURE_CLOCK;
    assert_non_null(X509_time_adj_ex(X509_getm_notBefore(x), -30, 0, &t));
    assert_non_null(X509_time_adj_ex(X509_getm_notAfter(x), 365, 0, &t));
    assert_int_equal(X509_set_pubkey(x, key), 1);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, ca, x, NULL, NULL, 0);
    const char *exts[][2] = {{"extendedKeyUsage", "1.3.6.1.5.5.7.3.28,clientAuth"},
                             {"keyUsage", "critical,digitalSignature"},
                             {"subjectKeyIdentifier", "hash"}};
    for (size_t i = 0; i < 3; i++) {
        X509_EXTENSION *e = X509V3_EXT_conf(NULL, &ctx, exts[i][0], exts[i][1]);
        assert_non_null(e);
        assert_int_equal(X509_add_ext(x, e, -1), 1);
        X509_EXTENSION_free(e);
    }
    assert_true(X509_sign(x, ca_key, EVP_sha256()) > 0);
    EVP_PKEY_free(ca_key);
    X509_free(ca);
    return x;
}

static X509 *g_officer; /* for tweak_add_officer */

static void tweak_add_officer(cmc_server_config *cfg) {
    assert_int_equal(cmc_server_config_add_officer(cfg, g_officer, CMC_ROLE_ENROLL, "generated"),
                     CMC_OK);
}

static cmc_pki_data_builder *one_tcr(const char *key_file, int64_t id, const char *subject) {
    cmc_pki_data_builder *b = NULL;
    assert_int_equal(cmc_pki_data_builder_new(&b), CMC_OK);
    X509_REQ *req = su_p10(key_file, subject);
    assert_int_equal(cmc_pki_data_builder_add_tcr(b, NULL, id, req), CMC_OK);
    X509_REQ_free(req);
    return b;
}

/* ---- Proof of possession ---- */

static void test_handle_crmf_ra_verified_pop_is_pop_failed(void **state) {
    (void)state;
    cmc_server *srv = su_server();
    EVP_PKEY *k = su_key("ee-p256.key.pem");
    cmc_req_options o = {.subject = "/CN=ra verified"};
    OSSL_CRMF_MSG *crm = NULL;
    assert_int_equal(cmc_crmf_build(&crm, k, 5, &o), CMC_OK);
    static const uint8_t kRaVerified[] = {0x80, 0x00}; /* raVerified [0] NULL */
    OSSL_CRMF_MSG *ra = crmf_with_popo(crm, kRaVerified, sizeof(kRaVerified));
    cmc_pki_data_builder *b = NULL;
    assert_int_equal(cmc_pki_data_builder_new(&b), CMC_OK);
    assert_int_equal(cmc_pki_data_builder_add_crm(b, NULL, ra), CMC_OK);
    cmc_http_response resp;
    cmc_response r;
    post_by_officer(srv, b, "officer-both", NULL, 0, &resp, &r);
    expect_text_has(su_expect(&r, 5, CMC_STATUS_FAILED, CMC_FAIL_POP_FAILED), "raVerified");
    assert_int_equal(r.num_statuses, 1);
    assert_int_equal(sk_X509_num(r.certs), 1); /* the response signer only: nothing issued */
    done(&resp, &r);
    cmc_pki_data_builder_free(b);
    OSSL_CRMF_MSG_free(ra);
    OSSL_CRMF_MSG_free(crm);
    EVP_PKEY_free(k);
    cmc_server_free(srv);
}

static void test_handle_crmf_bad_pop_signature_is_pop_failed(void **state) {
    (void)state;
    cmc_server *srv = su_server();
    EVP_PKEY *k = su_key("ee-rsa2048.key.pem");
    cmc_req_options o = {.subject = "/CN=bad crmf pop"};
    OSSL_CRMF_MSG *crm = NULL;
    assert_int_equal(cmc_crmf_build(&crm, k, 9, &o), CMC_OK);
    uint8_t *der = NULL;
    int der_len = i2d_OSSL_CRMF_MSG(crm, &der);
    assert_true(der_len > 0);
    der[der_len - 1] ^= 0x01; /* last bit of the RSA signature */
    const uint8_t *p = der;
    OSSL_CRMF_MSG *bad = d2i_OSSL_CRMF_MSG(NULL, &p, der_len);
    assert_non_null(bad);
    cmc_pki_data_builder *b = NULL;
    assert_int_equal(cmc_pki_data_builder_new(&b), CMC_OK);
    assert_int_equal(cmc_pki_data_builder_add_crm(b, NULL, bad), CMC_OK);
    X509_REQ *good = su_p10("ee-p256.key.pem", "/CN=good");
    assert_int_equal(cmc_pki_data_builder_add_tcr(b, NULL, 10, good), CMC_OK);
    cmc_http_response resp;
    cmc_response r;
    post_by_officer(srv, b, "officer-both", NULL, 0, &resp, &r);
    expect_text_has(su_expect(&r, 9, CMC_STATUS_FAILED, CMC_FAIL_POP_FAILED),
                    "POPOSigningKey does not verify");
    su_expect(&r, 10, CMC_STATUS_SUCCESS, -1);
    assert_int_equal(r.num_statuses, 2);
    done(&resp, &r);
    X509_REQ_free(good);
    cmc_pki_data_builder_free(b);
    OPENSSL_free(der);
    OSSL_CRMF_MSG_free(bad);
    OSSL_CRMF_MSG_free(crm);
    EVP_PKEY_free(k);
    cmc_server_free(srv);
}

static void test_handle_tcr_bad_self_signature_is_pop_failed(void **state) {
    (void)state;
    cmc_server *srv = su_server();
    EVP_PKEY *k = su_key("ee-rsa2048.key.pem");
    cmc_req_options o = {.subject = "/CN=broken p10"};
    uint8_t *p10 = NULL;
    size_t p10_len = 0;
    assert_int_equal(cmc_p10_build_der(&p10, &p10_len, k, &o), CMC_OK);
    p10[p10_len - 1] ^= 0x80; /* inside the RSA signature */
    cmc_pki_data_builder *b = NULL;
    assert_int_equal(cmc_pki_data_builder_new(&b), CMC_OK);
    assert_int_equal(cmc_pki_data_builder_add_tcr_der(b, NULL, 3, p10, p10_len), CMC_OK);
    cmc_http_response resp;
    cmc_response r;
    post_by_officer(srv, b, "officer-both-p256", NULL, 0, &resp, &r);
    expect_text_has(su_expect(&r, 3, CMC_STATUS_FAILED, CMC_FAIL_POP_FAILED),
                    "PKCS#10 signature does not verify");
    assert_int_equal(r.num_statuses, 1);
    done(&resp, &r);
    cmc_pki_data_builder_free(b);
    cmc_free(p10);
    EVP_PKEY_free(k);
    cmc_server_free(srv);
}

static void test_handle_tcr_no_signature_is_pop_failed(void **state) {
    (void)state;
    cmc_server *srv = su_server();
    EVP_PKEY *k = su_key("ee-p256.key.pem");
    size_t len = 0;
    uint8_t *p10 = p10_no_signature(k, &len);
    cmc_pki_data_builder *b = NULL;
    assert_int_equal(cmc_pki_data_builder_new(&b), CMC_OK);
    assert_int_equal(cmc_pki_data_builder_add_tcr_der(b, NULL, 4, p10, len), CMC_OK);
    cmc_http_response resp;
    cmc_response r;
    post_by_officer(srv, b, "officer-both", NULL, 0, &resp, &r);
    expect_text_has(su_expect(&r, 4, CMC_STATUS_FAILED, CMC_FAIL_POP_FAILED), "id-alg-noSignature");
    done(&resp, &r);
    cmc_pki_data_builder_free(b);
    OPENSSL_free(p10);
    EVP_PKEY_free(k);
    cmc_server_free(srv);
}

static void test_handle_simple_request_bad_signature_answers(void **state) {
    (void)state;
    EVP_PKEY *k = su_key("ee-p384.key.pem");
    cmc_req_options o = {.subject = "/CN=simple broken"};
    uint8_t *p10 = NULL;
    size_t len = 0;
    assert_int_equal(cmc_p10_build_der(&p10, &len, k, &o), CMC_OK);
    p10[len - 2] ^= 0x01; /* inside the ECDSA signature's last INTEGER */
    cmc_http_response resp;
    cmc_response r;
    /* Policy off: the POP is checked: failed/popFailed, bodyList {1} (RFC 5272 §3.1). */
    cmc_server *srv = su_server_ex(no_officer);
    su_post(srv, p10, len, SU_PKCS10, NULL, &resp);
    su_read(&resp, &r);
    expect_text_has(su_expect(&r, 1, CMC_STATUS_FAILED, CMC_FAIL_POP_FAILED),
                    "PKCS#10 signature does not verify");
    assert_int_equal(r.num_statuses, 1);
    done(&resp, &r);
    cmc_server_free(srv);
    /* Policy on (default): refused by policy before the POP: failed/badRequest {1}. */
    srv = su_server();
    su_post(srv, p10, len, SU_PKCS10, NULL, &resp);
    su_read(&resp, &r);
    su_expect_text(su_expect(&r, 1, CMC_STATUS_FAILED, CMC_FAIL_BAD_REQUEST),
                   "Simple PKI Request refused by policy");
    done(&resp, &r);
    cmc_server_free(srv);
    cmc_free(p10);
    EVP_PKEY_free(k);
}

/* ---- Self-signed Full PKI Requests (RFC 5272 §3.2) ---- */

static const uint8_t kSkiA[] = {0x5e, 0x1f, 0x51, 0x67, 0x6e, 0x65, 0x64, 0x2d, 0x41};
static const uint8_t kSkiB[] = {0x5e, 0x1f, 0x51, 0x67, 0x6e, 0x65, 0x64, 0x2d, 0x42};

/* self_signed_tcr: PKIData with one tcr (ID 1) for |key| whose SKI extension is |ski| (NULL
 * = cmc_key_ski; |with_ski| 0 = no SKI extension). */
static cmc_pki_data_builder *self_signed_tcr(EVP_PKEY *key, int with_ski, const uint8_t *ski,
                                             size_t ski_len) {
    cmc_req_options o = {
        .subject = "/CN=self signed", .add_ski = with_ski, .ski = ski, .ski_len = ski_len};
    X509_REQ *req = NULL;
    assert_int_equal(cmc_p10_build(&req, key, &o), CMC_OK);
    cmc_pki_data_builder *b = NULL;
    assert_int_equal(cmc_pki_data_builder_new(&b), CMC_OK);
    assert_int_equal(cmc_pki_data_builder_add_tcr(b, NULL, 1, req), CMC_OK);
    X509_REQ_free(req);
    return b;
}

static void test_handle_self_signed_matching_ski_extension_is_accepted(void **state) {
    (void)state;
    cmc_server *srv = su_server_ex(no_officer);
    EVP_PKEY *k = su_key("ee-p256.key.pem");
    /* The SKI is the extension's value, not a hash of the key (RFC 5280 §4.2.1.2 allows
     * any method): the signer must be matched on the extension. */
    cmc_pki_data_builder *b = self_signed_tcr(k, 1, kSkiA, sizeof(kSkiA));
    cmc_signer s = {.key = k, .sid = CMC_SID_SKI, .ski = kSkiA, .ski_len = sizeof(kSkiA)};
    cmc_http_response resp;
    cmc_response r;
    post_signed(srv, b, &s, 1, &resp, &r);
    expect_issued_for(&r, k);
    done(&resp, &r);
    cmc_pki_data_builder_free(b);
    /* A crm with an SKI extension works the same way. */
    cmc_req_options o = {.subject = "/CN=self signed crm", .add_ski = 1};
    OSSL_CRMF_MSG *crm = NULL;
    EVP_PKEY *k2 = su_key("ee-rsa2048.key.pem");
    assert_int_equal(cmc_crmf_build(&crm, k2, 2, &o), CMC_OK);
    assert_int_equal(cmc_pki_data_builder_new(&b), CMC_OK);
    assert_int_equal(cmc_pki_data_builder_add_crm(b, NULL, crm), CMC_OK);
    cmc_signer s2 = {.key = k2, .sid = CMC_SID_SKI};
    post_signed(srv, b, &s2, 1, &resp, &r);
    expect_issued_for(&r, k2);
    done(&resp, &r);
    cmc_pki_data_builder_free(b);
    OSSL_CRMF_MSG_free(crm);
    EVP_PKEY_free(k2);
    EVP_PKEY_free(k);
    cmc_server_free(srv);
}

static void test_handle_self_signed_ski_mismatch_is_bad_request(void **state) {
    (void)state;
    cmc_server *srv = su_server_ex(no_officer);
    EVP_PKEY *k = su_key("ee-p256.key.pem");
    cmc_http_response resp;
    cmc_response r;
    /* Signer SKI B, request's extension A: no request matches. */
    cmc_pki_data_builder *b = self_signed_tcr(k, 1, kSkiA, sizeof(kSkiA));
    cmc_signer s = {.key = k, .sid = CMC_SID_SKI, .ski = kSkiB, .ski_len = sizeof(kSkiB)};
    post_signed(srv, b, &s, 1, &resp, &r);
    su_expect_text(su_expect(&r, 0, CMC_STATUS_FAILED, CMC_FAIL_BAD_REQUEST), "stage 3");
    assert_int_equal(r.num_statuses, 1);
    done(&resp, &r);
    /* Signer SKI = SHA-1 of the key (cmc_key_ski), request's extension A: still no match -
     * the extension value counts, not a hash of the key. */
    cmc_signer s2 = {.key = k, .sid = CMC_SID_SKI};
    post_signed(srv, b, &s2, 1, &resp, &r);
    su_expect_text(su_expect(&r, 0, CMC_STATUS_FAILED, CMC_FAIL_BAD_REQUEST), "stage 3");
    done(&resp, &r);
    cmc_pki_data_builder_free(b);
    /* A request without an SKI extension cannot sign its PKIData (RFC 5272 §3.2: it MUST
     * carry one). */
    b = self_signed_tcr(k, 0, NULL, 0);
    post_signed(srv, b, &s2, 1, &resp, &r);
    su_expect_text(su_expect(&r, 0, CMC_STATUS_FAILED, CMC_FAIL_BAD_REQUEST), "stage 3");
    done(&resp, &r);
    cmc_pki_data_builder_free(b);
    EVP_PKEY_free(k);
    cmc_server_free(srv);
}

static void test_handle_self_signed_two_signer_infos_is_refused(void **state) {
    (void)state;
    cmc_server *srv = su_server_ex(no_officer);
    EVP_PKEY *k = su_key("ee-p256.key.pem");
    cmc_pki_data_builder *b = self_signed_tcr(k, 1, NULL, 0);
    cmc_http_response resp;
    cmc_response r;
    /* Two SignerInfos by the request's key. */
    cmc_signer two[2] = {{.key = k, .sid = CMC_SID_SKI},
                         {.key = k, .sid = CMC_SID_SKI, .md = EVP_sha384()}};
    post_signed(srv, b, two, 2, &resp, &r);
    expect_text_has(su_expect(&r, 0, CMC_STATUS_FAILED, CMC_FAIL_BAD_REQUEST),
                    "exactly one SignerInfo");
    assert_int_equal(r.num_statuses, 1);
    done(&resp, &r);
    /* An officer's SignerInfo next to the request key's. */
    EVP_PKEY *ok = su_key("officer-both.key.pem");
    X509 *oc = su_cert("officer-both.cert.pem");
    cmc_signer mixed[2] = {{.key = ok, .cert = oc, .include_cert = 1},
                           {.key = k, .sid = CMC_SID_SKI}};
    post_signed(srv, b, mixed, 2, &resp, &r);
    expect_text_has(su_expect(&r, 0, CMC_STATUS_FAILED, CMC_FAIL_BAD_REQUEST),
                    "exactly one SignerInfo");
    done(&resp, &r);
    /* The same request with one SignerInfo is accepted. */
    post_signed(srv, b, two, 1, &resp, &r);
    expect_issued_for(&r, k);
    done(&resp, &r);
    X509_free(oc);
    EVP_PKEY_free(ok);
    cmc_pki_data_builder_free(b);
    EVP_PKEY_free(k);
    cmc_server_free(srv);
}

/* ---- Signature algorithm policy on the CMS SignerInfo ---- */

static void test_handle_signer_info_sha1_is_bad_alg(void **state) {
    (void)state;
    cmc_server *srv = su_server();
    cmc_pki_data_builder *b = one_tcr("ee-p256.key.pem", 1, "/CN=sha1 signed");
    cmc_http_response resp;
    cmc_response r;
    post_by_officer(srv, b, "officer-both", EVP_sha1(), 0, &resp, &r);
    su_expect_text(su_expect(&r, 0, CMC_STATUS_FAILED, CMC_FAIL_BAD_ALG),
                   "stage 3 (officer): SignerInfo 1");
    assert_int_equal(r.num_statuses, 1);
    done(&resp, &r);
    post_by_officer(srv, b, "officer-both-p256", EVP_sha1(), 0, &resp, &r);
    su_expect(&r, 0, CMC_STATUS_FAILED, CMC_FAIL_BAD_ALG);
    done(&resp, &r);
    /* Self-signed with SHA-1 (policy off): the same answer. */
    cmc_server_free(srv);
    srv = su_server_ex(no_officer);
    EVP_PKEY *k = su_key("ee-p384.key.pem");
    cmc_pki_data_builder *sb = self_signed_tcr(k, 1, NULL, 0);
    cmc_signer s = {.key = k, .sid = CMC_SID_SKI, .md = EVP_sha1()};
    post_signed(srv, sb, &s, 1, &resp, &r);
    su_expect(&r, 0, CMC_STATUS_FAILED, CMC_FAIL_BAD_ALG);
    done(&resp, &r);
    cmc_pki_data_builder_free(sb);
    EVP_PKEY_free(k);
    cmc_pki_data_builder_free(b);
    cmc_server_free(srv);
}

static void test_handle_signer_info_allowed_algorithms_are_accepted(void **state) {
    (void)state;
    cmc_server *srv = su_server();
    struct {
        const char *stem;
        const EVP_MD *md;
        int pss;
    } cases[] = {
        {"officer-both", NULL, 0},         {"officer-both", NULL, 1},
        {"officer-both", EVP_sha384(), 1}, {"officer-both", EVP_sha512(), 0},
        {"officer-both-p256", NULL, 0},    {"officer-both-p256", EVP_sha384(), 0},
        {"officer-both-ed25519", NULL, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cmc_pki_data_builder *b = one_tcr("ee-p256.key.pem", 1, "/CN=allowed");
        cmc_http_response resp;
        cmc_response r;
        post_by_officer(srv, b, cases[i].stem, cases[i].md, cases[i].pss, &resp, &r);
        if (r.kind != CMC_RESPONSE_CERTS_ONLY) {
            fail_msg("case %zu (%s) not accepted", i, cases[i].stem);
        }
        done(&resp, &r);
        cmc_pki_data_builder_free(b);
    }
    cmc_server_free(srv);
}

static void check_weak_officer(EVP_PKEY *key, const char *cn, long serial) {
    g_officer = make_officer(key, cn, serial);
    cmc_server *srv = su_server_ex(tweak_add_officer);
    cmc_pki_data_builder *b = one_tcr("ee-p256.key.pem", 1, "/CN=weak officer");
    cmc_signer s = {.key = key, .cert = g_officer, .include_cert = 1};
    cmc_http_response resp;
    cmc_response r;
    post_signed(srv, b, &s, 1, &resp, &r);
    expect_text_has(su_expect(&r, 0, CMC_STATUS_FAILED, CMC_FAIL_BAD_ALG), "not allowed by policy");
    assert_int_equal(r.num_statuses, 1);
    done(&resp, &r);
    cmc_pki_data_builder_free(b);
    cmc_server_free(srv);
    X509_free(g_officer);
    g_officer = NULL;
}

static void test_handle_officer_key_outside_policy_is_bad_alg(void **state) {
    (void)state;
    EVP_PKEY *p521 = EVP_EC_gen("P-521");
    assert_non_null(p521);
    check_weak_officer(p521, "P-521 officer", 0x521);
    EVP_PKEY_free(p521);
    EVP_PKEY *rsa1024 = EVP_RSA_gen(1024);
    assert_non_null(rsa1024);
    check_weak_officer(rsa1024, "RSA-1024 officer", 0x1024);
    EVP_PKEY_free(rsa1024);
    /* The generated-officer path itself works with an allowed key (P-384). */
    EVP_PKEY *p384 = EVP_EC_gen("P-384");
    assert_non_null(p384);
    g_officer = make_officer(p384, "P-384 officer", 0x384);
    cmc_server *srv = su_server_ex(tweak_add_officer);
    cmc_pki_data_builder *b = one_tcr("ee-p256.key.pem", 1, "/CN=p384 officer");
    cmc_signer s = {.key = p384, .cert = g_officer, .include_cert = 1};
    cmc_http_response resp;
    cmc_response r;
    post_signed(srv, b, &s, 1, &resp, &r);
    assert_int_equal(r.kind, CMC_RESPONSE_CERTS_ONLY);
    done(&resp, &r);
    cmc_pki_data_builder_free(b);
    cmc_server_free(srv);
    X509_free(g_officer);
    g_officer = NULL;
    EVP_PKEY_free(p384);
}

static void tweak_only_p256(cmc_server_config *cfg) {
    cfg->sig_algs = CMC_SIG_ECDSA_P256;
}

static void tweak_only_rsa_sha384(cmc_server_config *cfg) {
    cfg->sig_algs = CMC_SIG_RSA_SHA384 | CMC_SIG_ECDSA_P256;
}

static void test_handle_signature_algorithm_policy_list_applies(void **state) {
    (void)state;
    cmc_http_response resp;
    cmc_response r;
    /* Only ECDSA P-256: an RSA officer's SignerInfo is badAlg on the whole PKIData. */
    cmc_server *srv = su_server_ex(tweak_only_p256);
    cmc_pki_data_builder *b = one_tcr("ee-p256.key.pem", 1, "/CN=policy");
    post_by_officer(srv, b, "officer-both", NULL, 0, &resp, &r);
    su_expect(&r, 0, CMC_STATUS_FAILED, CMC_FAIL_BAD_ALG);
    done(&resp, &r);
    post_by_officer(srv, b, "officer-both-p256", NULL, 0, &resp, &r);
    assert_int_equal(r.kind, CMC_RESPONSE_CERTS_ONLY);
    done(&resp, &r);
    cmc_pki_data_builder_free(b);
    cmc_server_free(srv);
    /* RSA with SHA-384 only: a CRMF POP signed with SHA-256 is badAlg on its body part,
     * one signed with SHA-384 is issued. */
    srv = su_server_ex(tweak_only_rsa_sha384);
    EVP_PKEY *k = su_key("ee-rsa2048.key.pem");
    cmc_req_options o256 = {.subject = "/CN=crmf sha256", .md = EVP_sha256()};
    cmc_req_options o384 = {.subject = "/CN=crmf sha384", .md = EVP_sha384()};
    OSSL_CRMF_MSG *c256 = NULL, *c384 = NULL;
    assert_int_equal(cmc_crmf_build(&c256, k, 6, &o256), CMC_OK);
    assert_int_equal(cmc_crmf_build(&c384, k, 7, &o384), CMC_OK);
    assert_int_equal(cmc_pki_data_builder_new(&b), CMC_OK);
    assert_int_equal(cmc_pki_data_builder_add_crm(b, NULL, c256), CMC_OK);
    assert_int_equal(cmc_pki_data_builder_add_crm(b, NULL, c384), CMC_OK);
    /* A PKCS#10 signed with SHA-256 under the same policy: badAlg too. */
    cmc_req_options p256 = {.subject = "/CN=p10 sha256", .md = EVP_sha256()};
    X509_REQ *req = NULL;
    assert_int_equal(cmc_p10_build(&req, k, &p256), CMC_OK);
    assert_int_equal(cmc_pki_data_builder_add_tcr(b, NULL, 8, req), CMC_OK);
    post_by_officer(srv, b, "officer-both-p256", NULL, 0, &resp, &r);
    expect_text_has(su_expect(&r, 6, CMC_STATUS_FAILED, CMC_FAIL_BAD_ALG), "CRMF");
    su_expect(&r, 7, CMC_STATUS_SUCCESS, -1);
    expect_text_has(su_expect(&r, 8, CMC_STATUS_FAILED, CMC_FAIL_BAD_ALG), "PKCS#10");
    done(&resp, &r);
    X509_REQ_free(req);
    cmc_pki_data_builder_free(b);
    OSSL_CRMF_MSG_free(c256);
    OSSL_CRMF_MSG_free(c384);
    EVP_PKEY_free(k);
    cmc_server_free(srv);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handle_crmf_ra_verified_pop_is_pop_failed),
        cmocka_unit_test(test_handle_crmf_bad_pop_signature_is_pop_failed),
        cmocka_unit_test(test_handle_tcr_bad_self_signature_is_pop_failed),
        cmocka_unit_test(test_handle_tcr_no_signature_is_pop_failed),
        cmocka_unit_test(test_handle_simple_request_bad_signature_answers),
        cmocka_unit_test(test_handle_self_signed_matching_ski_extension_is_accepted),
        cmocka_unit_test(test_handle_self_signed_ski_mismatch_is_bad_request),
        cmocka_unit_test(test_handle_self_signed_two_signer_infos_is_refused),
        cmocka_unit_test(test_handle_signer_info_sha1_is_bad_alg),
        cmocka_unit_test(test_handle_signer_info_allowed_algorithms_are_accepted),
        cmocka_unit_test(test_handle_officer_key_outside_policy_is_bad_alg),
        cmocka_unit_test(test_handle_signature_algorithm_policy_list_applies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
