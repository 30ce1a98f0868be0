/* server_handle_test.c: the reference server's answers, one test per row of the DESIGN.md
 * table "What the reference server answers" (HTTP method rows: transport tests), every
 * revocation reason code, every response type, officer roles, and bad input. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "server_test_util.h"

static const char kCmcResponse[] = "application/pkcs7-mime; smime-type=CMC-response";
static const char kCertsOnly[] = "application/pkcs7-mime; smime-type=certs-only";

/* ---- HTTP-level rows ---- */

static void test_handle_refuses_other_media_type_with_415(void **state) {
    (void)state;
    cmc_server *srv = su_server();
    static const uint8_t body[] = {0x30, 0x00};
    const char *types[] = {"text/plain",
                           "application/pkcs7-mime",
                           "application/pkcs7-mime; smime-type=CMC-response",
                           "application/pkcs7-mime; smime-type=certs-only",
                           "application/pkix-cert",
                           "not a media type",
                           NULL};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        cmc_http_response resp;
        su_post(srv, body, sizeof(body), types[i], NULL, &resp);
        assert_int_equal(resp.http_status, 415);
        assert_string_equal(resp.media_type, "text/plain; charset=utf-8");
        assert_true(resp.body_len > 10);
        assert_int_equal(resp.cmc_status, -1);
        cmc_http_response_cleanup(&resp);
    }
    cmc_server_free(srv);
}

static void tweak_small_body(cmc_server_config *cfg) {
    assert_int_equal(cmc_server_config_set_max_body(cfg, 100), CMC_OK);
}

static void test_handle_refuses_large_body_with_413(void **state) {
    (void)state;
    cmc_server *srv = su_server_ex(tweak_small_body);
    uint8_t body[101];
    memset(body, 0x30, sizeof(body));
    cmc_http_response resp;
    su_post(srv, body, sizeof(body), SU_CMC_REQUEST, NULL, &resp);
    assert_int_equal(resp.http_status, 413);
    assert_string_equal(resp.media_type, "text/plain; charset=utf-8");
    cmc_http_response_cleanup(&resp);
    /* Exactly the limit is not refused for size (it is garbage: 200 badRequest). */
    su_post(srv, body, 100, SU_CMC_REQUEST, NULL, &resp);
    assert_int_equal(resp.http_status, 200);
    cmc_http_response_cleanup(&resp);
    cmc_server_free(srv);
}

/* ---- Unparsable bodies of the right media type: 200, failed / badRequest, bodyList {0} ---- */

static void expect_unparsable(cmc_server *srv, const uint8_t *body, size_t len, const char *mt) {
    cmc_http_response resp;
    cmc_response r;
    su_post(srv, body, len, mt, NULL, &resp);
    su_read(&resp, &r);
    su_expect(&r, 0, CMC_STATUS_FAILED, CMC_FAIL_BAD_REQUEST);
    assert_int_equal(r.num_statuses, 1);
    assert_int_equal(r.statuses[0].num_body_list, 1);
    assert_int_equal(resp.cmc_status, CMC_STATUS_FAILED);
    assert_int_equal(resp.fail_info, CMC_FAIL_BAD_REQUEST);
    assert_null(r.recipient_nonce);
    assert_non_null(r.sender_nonce); /* the server's own, always present */
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
}

static uint8_t *good_request(size_t *len) {
    cmc_pki_data_builder *b = NULL;
    assert_int_equal(cmc_pki_data_builder_new(&b), CMC_OK);
    X509_REQ *req = su_p10("ee-p256.key.pem", "/CN=bad input base");
    assert_int_equal(cmc_pki_data_builder_add_tcr(b, NULL, 1, req), CMC_OK);
    uint8_t *body = NULL;
    su_sign_builder(&body, len, b, "officer-both");
    X509_REQ_free(req);
    cmc_pki_data_builder_free(b);
    return body;
}

static void test_handle_answers_bad_input_with_bad_request_0(void **state) {
    (void)state;
    cmc_server *srv = su_server();
    static const uint8_t garbage[] = {0x01, 0x02, 0x03, 0x04};
    static const uint8_t huge[] = {0x30, 0x84, 0x7F, 0xFF, 0xFF, 0xFF, 0x06, 0x09};
    static const uint8_t huge_inner[] = {0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7,
                                         0x0D, 0x01, 0x07, 0x02, 0xA0, 0x84, 0x7F, 0xFF};
    expect_unparsable(srv, garbage, sizeof(garbage), SU_CMC_REQUEST);
    expect_unparsable(srv, garbage, sizeof(garbage), SU_PKCS10);
    expect_unparsable(srv, (const uint8_t *)"", 0, SU_CMC_REQUEST);
    expect_unparsable(srv, (const uint8_t *)"", 0, SU_PKCS10);
    expect_unparsable(srv, huge, sizeof(huge), SU_CMC_REQUEST);
    expect_unparsable(srv, huge_inner, sizeof(huge_inner), SU_CMC_REQUEST);
    size_t len = 0;
    uint8_t *body = good_request(&len);
    /* Truncated at several points, and with a trailing byte. */
    for (size_t cut = 1; cut < len; cut += len / 7) {
        expect_unparsable(srv, body, len - cut, SU_CMC_REQUEST);
    }
    uint8_t *trail = malloc(len + 1);
    memcpy(trail, body, len);
    trail[len] = 0x00;
    expect_unparsable(srv, trail, len + 1, SU_CMC_REQUEST);
    /* A Full PKI Request sent as application/pkcs10 and the other way round. */
    expect_unparsable(srv, body, len, SU_PKCS10);
    uint8_t *p10 = NULL;
    size_t p10_len = 0;
    EVP_PKEY *k = su_key("ee-p256.key.pem");
    cmc_req_options o = {.subject = "/CN=x"};
    assert_int_equal(cmc_p10_build_der(&p10, &p10_len, k, &o), CMC_OK);
    expect_unparsable(srv, p10, p10_len, SU_CMC_REQUEST);
    free(trail);
    cmc_free(body);
    cmc_free(p10);
    EVP_PKEY_free(k);
    cmc_server_free(srv);
}

static void test_handle_refuses_ber_pkcs10_with_bad_request_0(void **state) {
    (void)state;
    cmc_server *srv = su_server_ex((su_tweak)NULL);
    uint8_t *p10 = NULL;
    size_t len = 0;
    EVP_PKEY *k = su_key("ee-p256.key.pem");
    cmc_req_options o = {.subject = "/CN=ber"};
    assert_int_equal(cmc_p10_build_der(&p10, &len, k, &o), CMC_OK);
    /* Re-encode the outer SEQUENCE with indefinite length: BER, not DER. */
    assert_true(p10[0] == 0x30 && (p10[1] & 0x80));
    size_t hdr = 2 + (p10[1] & 0x7F);
    uint8_t *ber = malloc(len - hdr + 4);
    ber[0] = 0x30;
    ber[1] = 0x80;
    memcpy(ber + 2, p10 + hdr, len - hdr);
    ber[len - hdr + 2] = 0;
    ber[len - hdr + 3] = 0;
    expect_unparsable(srv, ber, len - hdr + 4, SU_PKCS10);
    free(ber);
    cmc_free(p10);
    EVP_PKEY_free(k);
    cmc_server_free(srv);
}

static void test_handle_accepts_ber_full_request(void **state) {
    (void)state;
    /* RFC 5272 §3.2 allows BER for the Full PKI Request (only signedAttrs must be DER). */
    cmc_server *srv = su_server();
    cmc_pki_data_builder *b = NULL;
    assert_int_equal(cmc_pki_data_builder_new(&b), CMC_OK);
    X509_REQ *req = su_p10("ee-p256.key.pem", "/CN=ber full request");
    assert_int_equal(cmc_pki_data_builder_add_tcr(b, NULL, 1, req), CMC_OK);
    uint8_t *pd = NULL, *body = NULL;
    size_t pd_len = 0, len = 0;
    assert_int_equal(cmc_pki_data_builder_to_der(b, &pd, &pd_len), CMC_OK);
    su_sign_ex(&body, &len, pd, pd_len, "officer-both", 0, CMC_SFAULT_BER, NULL);
    assert_int_equal(body[1], 0x80); /* indefinite length: really BER */
    cmc_http_response resp;
    cmc_response r;
    su_post(srv, body, len, SU_CMC_REQUEST, kCmcResponse, &resp);
    su_read(&resp, &r);
    su_expect(&r, 1, CMC_STATUS_SUCCESS, -1);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    cmc_free(pd);
    cmc_free(body);
    X509_REQ_free(req);
    cmc_pki_data_builder_free(b);
    cmc_server_free(srv);
}

/* ---- Verification stages ---- */

static void expect_stage(cmc_server *srv, uint32_t faults, uint32_t sfaults, const char *ect,
                         const char *stem, long fail_info, const char *prefix) {
    /* A modified eContent may no longer parse: then there is nothing to echo. */
    int echo = !(sfaults & CMC_SFAULT_MODIFY_CONTENT);
    cmc_pki_data_builder *b = NULL;
    assert_int_equal(cmc_pki_data_builder_new(&b), CMC_OK);
    static const uint8_t nonce[] = "client nonce 123";
    assert_int_equal(cmc_pki_data_builder_add_sender_nonce(b, NULL, CMC_BPID_AUTO, nonce, 16),
                     CMC_OK);
    X509_REQ *req = su_p10("ee-p256.key.pem", "/CN=stage test");
    int64_t id = 0;
    assert_int_equal(cmc_pki_data_builder_add_tcr(b, &id, CMC_BPID_AUTO, req), CMC_OK);
    uint8_t *pd = NULL, *body = NULL;
    size_t pd_len = 0, len = 0;
    assert_int_equal(cmc_pki_data_builder_to_der(b, &pd, &pd_len), CMC_OK);
    su_sign_ex(&body, &len, pd, pd_len, stem, faults, sfaults, ect);
    cmc_http_response resp;
    cmc_response r;
    su_post(srv, body, len, SU_CMC_REQUEST, NULL, &resp);
    su_read(&resp, &r);
    const cmc_response_status *s = su_expect(&r, 0, CMC_STATUS_FAILED, fail_info);
    su_expect_text(s, prefix);
    assert_int_equal(r.num_statuses, 1);
    assert_int_equal(sk_X509_num(r.certs), 1); /* the response signer only: nothing issued */
    /* The nonce is echoed even though the request was refused. */
    if (echo) {
        assert_non_null(r.recipient_nonce);
        assert_memory_equal(r.recipient_nonce, nonce, 16);
    }
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    cmc_free(pd);
    cmc_free(body);
    X509_REQ_free(req);
    cmc_pki_data_builder_free(b);
}

static void test_handle_stage1_digest_mismatch_is_bad_message_check(void **state) {
    (void)state;
    cmc_server *srv = su_server();
    expect_stage(srv, CMC_FAULT_WRONG_MESSAGE_DIGEST, 0, NULL, "officer-both",
                 CMC_FAIL_BAD_MESSAGE_CHECK, "stage 1 (message digest)");
    expect_stage(srv, CMC_FAULT_OMIT_MESSAGE_DIGEST_ATTR, 0, NULL, "officer-both",
                 CMC_FAIL_BAD_MESSAGE_CHECK, "stage 1 (message digest)");
    expect_stage(srv, 0, CMC_SFAULT_MODIFY_CONTENT, NULL, "officer-both",
                 CMC_FAIL_BAD_MESSAGE_CHECK, "stage 1 (message digest)");
    /* Stage order: a digest failure by an untrusted signer is still reported as stage 1. */
    expect_stage(srv, CMC_FAULT_WRONG_MESSAGE_DIGEST, 0, NULL, "officer-untrusted",
                 CMC_FAIL_BAD_MESSAGE_CHECK, "stage 1 (message digest)");
    cmc_server_free(srv);
}

static void test_handle_stage2_content_type_is_bad_message_check(void **state) {
    (void)state;
    cmc_server *srv = su_server();
    expect_stage(srv, CMC_FAULT_OMIT_CONTENT_TYPE_ATTR, 0, NULL, "officer-both",
                 CMC_FAIL_BAD_MESSAGE_CHECK, "stage 2 (content type)");
    expect_stage(srv, CMC_FAULT_CONTENT_TYPE_ATTR_OTHER, 0, NULL, "officer-both",
                 CMC_FAIL_BAD_MESSAGE_CHECK, "stage 2 (content type)");
    expect_stage(srv, 0, 0, "1.2.840.113549.1.7.1", "officer-both", CMC_FAIL_BAD_MESSAGE_CHECK,
                 "stage 2 (content type)");
    expect_stage(srv, CMC_FAULT_CONTENT_TYPE_ATTR_OTHER, 0, NULL, "officer-revoke",
                 CMC_FAIL_BAD_MESSAGE_CHECK, "stage 2 (content type)");
    cmc_server_free(srv);
}

static void test_handle_stage3_bad_signature_is_bad_message_check(void **state) {
    (void)state;
    cmc_server *srv = su_server();
    expect_stage(srv, CMC_FAULT_FLIP_SIGNATURE, 0, NULL, "officer-both", CMC_FAIL_BAD_MESSAGE_CHECK,
                 "stage 3 (officer): signature does not verify");
    cmc_server_free(srv);
}

static void test_handle_stage3_bad_signer_certificate_is_bad_request(void **state) {
    (void)state;
    cmc_server *srv = su_server();
    expect_stage(srv, 0, 0, NULL, "officer-untrusted", CMC_FAIL_BAD_REQUEST,
                 "stage 3 (officer): signer certificate untrusted");
    expect_stage(srv, 0, 0, NULL, "officer-expired", CMC_FAIL_BAD_REQUEST,
                 "stage 3 (officer): signer certificate expired");
    expect_stage(srv, 0, 0, NULL, "officer-notyet", CMC_FAIL_BAD_REQUEST,
                 "stage 3 (officer): signer certificate not yet valid");
    cmc_server_free(srv);
}

static void test_handle_stage3_not_officer_or_wrong_role_is_bad_request(void **state) {
    (void)state;
    cmc_server *srv = su_server();
    expect_stage(srv, 0, 0, NULL, "officer-unregistered", CMC_FAIL_BAD_REQUEST,
                 "stage 3 (officer): signer is not a registered officer");
    expect_stage(srv, 0, 0, NULL, "officer-norole", CMC_FAIL_BAD_REQUEST,
                 "stage 3 (officer): officer officer-norole lacks the enroll role");
    expect_stage(srv, 0, 0, NULL, "officer-revoke", CMC_FAIL_BAD_REQUEST,
                 "stage 3 (officer): officer officer-revoke lacks the enroll role");
    /* Revocation roles. */
    X509 *cert = su_enroll(srv, "ee-p256.key.pem");
    const char *refused[] = {"officer-enroll", "officer-norole", "officer-unregistered"};
    const char *text[] = {"stage 3 (officer): officer officer-enroll lacks the revoke role",
                          "stage 3 (officer): officer officer-norole lacks the revoke role",
                          "stage 3 (officer): signer is not a registered officer"};
    for (size_t i = 0; i < 3; i++) {
        cmc_http_response resp;
        cmc_response r;
        su_revoke(srv, refused[i], cert, 1, &resp, &r);
        su_expect_text(su_expect(&r, 0, CMC_STATUS_FAILED, CMC_FAIL_BAD_REQUEST), text[i]);
        cmc_response_cleanup(&r);
        cmc_http_response_cleanup(&resp);
    }
    assert_int_equal(su_state(srv, cert).revoked, 0);
    /* The revoke-only officer may revoke. */
    cmc_http_response resp;
    cmc_response r;
    su_revoke(srv, "officer-revoke", cert, 1, &resp, &r);
    su_expect(&r, 1, CMC_STATUS_SUCCESS, -1);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    X509_free(cert);
    cmc_server_free(srv);
}

static void test_handle_enrolls_with_every_officer_key_type(void **state) {
    (void)state;
    cmc_server *srv = su_server();
    const char *stems[] = {"officer-both", "officer-both-p256", "officer-both-ed25519",
                           "officer-enroll"};
    const char *keys[] = {"ee-rsa2048.key.pem", "ee-p256.key.pem", "ee-p384.key.pem",
                          "ee-ed25519.key.pem"};
    for (size_t i = 0; i < 4; i++) {
        cmc_http_response resp;
        cmc_response r;
        su_enroll_as(srv, stems[i], keys[i], NULL, &resp, &r);
        assert_int_equal(r.kind, CMC_RESPONSE_CERTS_ONLY);
        assert_int_equal(sk_X509_num(r.certs), 2);
        cmc_response_cleanup(&r);
        cmc_http_response_cleanup(&resp);
    }
    cmc_server_free(srv);
}

/* ---- Proof of possession ---- */

static void test_handle_pkcs10_pop_failure_is_pop_failed(void **state) {
    (void)state;
    cmc_server *srv = su_server();
    EVP_PKEY *k = su_key("ee-p256.key.pem");
    cmc_req_options o = {.subject = "/CN=pop"};
    uint8_t *p10 = NULL;
    size_t p10_len = 0;
    assert_int_equal(cmc_p10_build_der(&p10, &p10_len, k, &o), CMC_OK);
    p10[p10_len - 5] ^= 0x01; /* inside the ECDSA signature's last INTEGER */
    cmc_pki_data_builder *b = NULL;
    assert_int_equal(cmc_pki_data_builder_new(&b), CMC_OK);
    assert_int_equal(cmc_pki_data_builder_add_tcr_der(b, NULL, 7, p10, p10_len), CMC_OK);
    X509_REQ *good = su_p10("ee-rsa2048.key.pem", "/CN=good one");
    assert_int_equal(cmc_pki_data_builder_add_tcr(b, NULL, 8, good), CMC_OK);
    uint8_t *body = NULL;
    size_t len = 0;
    su_sign_builder(&body, &len, b, "officer-both");
    cmc_http_response resp;
    cmc_response r;
    su_post(srv, body, len, SU_CMC_REQUEST, NULL, &resp);
    su_read(&resp, &r);
    su_expect(&r, 7, CMC_STATUS_FAILED, CMC_FAIL_POP_FAILED);
    su_expect(&r, 8, CMC_STATUS_SUCCESS, -1);
    assert_int_equal(r.num_statuses, 2);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    cmc_free(body);
    cmc_free(p10);
    X509_REQ_free(good);
    EVP_PKEY_free(k);
    cmc_pki_data_builder_free(b);
    cmc_server_free(srv);
}

static void post_crm(cmc_server *srv, OSSL_CRMF_MSG *crm, cmc_http_response *resp,
                     cmc_response *r) {
    cmc_pki_data_builder *b = NULL;
    assert_int_equal(cmc_pki_data_builder_new(&b), CMC_OK);
    assert_int_equal(cmc_pki_data_builder_add_crm(b, NULL, crm), CMC_OK);
    uint8_t *body = NULL;
    size_t len = 0;
    su_sign_builder(&body, &len, b, "officer-both");
    su_post(srv, body, len, SU_CMC_REQUEST, NULL, resp);
    su_read(resp, r);
    cmc_free(body);
    cmc_pki_data_builder_free(b);
}

static void test_handle_crmf_enrolls_and_checks_pop(void **state) {
    (void)state;
    cmc_server *srv = su_server();
    EVP_PKEY *k = su_key("ee-p384.key.pem");
    cmc_req_options o = {.subject = "/CN=crmf ee"};
    OSSL_CRMF_MSG *crm = NULL;
    assert_int_equal(cmc_crmf_build(&crm, k, 5, &o), CMC_OK);
    cmc_http_response resp;
    cmc_response r;
    post_crm(srv, crm, &resp, &r);
    assert_int_equal(r.kind, CMC_RESPONSE_CERTS_ONLY);
    int match = 0;
    for (int i = 0; i < sk_X509_num(r.certs); i++) {
        match |= EVP_PKEY_eq(X509_get0_pubkey(sk_X509_value(r.certs, i)), k) == 1;
    }
    assert_true(match);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    /* Flip a bit of the POP signature (the last byte of the DER CertReqMsg). */
    uint8_t *der = NULL;
    int der_len = i2d_OSSL_CRMF_MSG(crm, &der);
    assert_true(der_len > 0);
    der[der_len - 1] ^= 0x01;
    const uint8_t *p = der;
    OSSL_CRMF_MSG *bad = d2i_OSSL_CRMF_MSG(NULL, &p, der_len);
    assert_non_null(bad);
    post_crm(srv, bad, &resp, &r);
    su_expect(&r, 5, CMC_STATUS_FAILED, CMC_FAIL_POP_FAILED);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    OPENSSL_free(der);
    OSSL_CRMF_MSG_free(crm);
    OSSL_CRMF_MSG_free(bad);
    EVP_PKEY_free(k);
    cmc_server_free(srv);
}

/* ---- Revocation ---- */

static void test_handle_revocation_reason_codes_0_to_10(void **state) {
    (void)state;
    cmc_server *srv = su_server();
    for (long reason = -1; reason <= 11; reason++) {
        X509 *cert = su_enroll(srv, "ee-p256.key.pem");
        cmc_http_response resp;
        cmc_response r;
        su_revoke(srv, "officer-both", cert, reason, &resp, &r);
        int allowed = reason == 0 || reason == 1 || reason == 3 || reason == 4 || reason == 5;
        if (allowed) {
            const cmc_response_status *s = su_expect(&r, 1, CMC_STATUS_SUCCESS, -1);
            cmc_cert_state cs;
            assert_int_equal(cmc_cert_state_parse(&cs, s->status_string), CMC_OK);
            assert_int_equal(cs.reason, reason);
            cmc_cert_state now = su_state(srv, cert);
            assert_int_equal(now.revoked, 1);
            assert_int_equal(now.reason, reason);
            assert_int_equal(now.revoked_at, CMC_FIXTURE_CLOCK);
        } else {
            const cmc_response_status *s =
                su_expect(&r, 1, CMC_STATUS_FAILED, CMC_FAIL_BAD_REQUEST);
            int invalid = reason == 7 || reason < 0 || reason > 10;
            su_expect_text(s, "reason ");
            if (invalid) {
                assert_non_null(strstr(s->status_string, "is not a CRLReason code"));
            } else {
                assert_non_null(strstr(s->status_string, "is not allowed by policy"));
            }
            assert_int_equal(su_state(srv, cert).revoked, 0);
        }
        assert_int_equal(resp.cmc_status, allowed ? CMC_STATUS_SUCCESS : CMC_STATUS_FAILED);
        cmc_response_cleanup(&r);
        cmc_http_response_cleanup(&resp);
        X509_free(cert);
    }
    cmc_server_free(srv);
}

static void test_handle_revocation_refusals(void **state) {
    (void)state;
    cmc_server *srv = su_server();
    X509 *cert = su_enroll(srv, "ee-p256.key.pem");
    cmc_http_response resp;
    cmc_response r;
    /* Unknown serial: an officer certificate (issued by the same CA, not by this server). */
    X509 *other = su_cert("officer-enroll.cert.pem");
    su_revoke(srv, "officer-both", other, 1, &resp, &r);
    su_expect(&r, 1, CMC_STATUS_FAILED, CMC_FAIL_BAD_CERT_ID);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    /* Wrong issuer: right serial, issuer = the untrusted CA's name. */
    cmc_pki_data_builder *b = NULL;
    assert_int_equal(cmc_pki_data_builder_new(&b), CMC_OK);
    X509 *uca = su_cert("untrusted-ca.cert.pem");
    cmc_revoke_spec spec = {
        .issuer = X509_get_subject_name(uca), .serial = X509_get0_serialNumber(cert), .reason = 1};
    assert_int_equal(cmc_pki_data_builder_add_revoke_request(b, NULL, 3, &spec), CMC_OK);
    uint8_t *body = NULL;
    size_t len = 0;
    su_sign_builder(&body, &len, b, "officer-both");
    su_post(srv, body, len, SU_CMC_REQUEST, NULL, &resp);
    su_read(&resp, &r);
    su_expect(&r, 3, CMC_STATUS_FAILED, CMC_FAIL_BAD_CERT_ID);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    cmc_free(body);
    cmc_pki_data_builder_free(b);
    /* Two revokeRequests in one PKIData: both refused, nothing revoked. */
    assert_int_equal(cmc_pki_data_builder_new(&b), CMC_OK);
    spec.issuer = X509_get_issuer_name(cert);
    assert_int_equal(cmc_pki_data_builder_add_revoke_request(b, NULL, 4, &spec), CMC_OK);
    assert_int_equal(cmc_pki_data_builder_add_revoke_request(b, NULL, 5, &spec), CMC_OK);
    su_sign_builder(&body, &len, b, "officer-both");
    su_post(srv, body, len, SU_CMC_REQUEST, NULL, &resp);
    su_read(&resp, &r);
    su_expect(&r, 4, CMC_STATUS_FAILED, CMC_FAIL_BAD_REQUEST);
    su_expect(&r, 5, CMC_STATUS_FAILED, CMC_FAIL_BAD_REQUEST);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    cmc_free(body);
    cmc_pki_data_builder_free(b);
    assert_int_equal(su_state(srv, cert).revoked, 0);
    /* Optional fields are accepted and ignored; then "already revoked". */
    assert_int_equal(cmc_pki_data_builder_new(&b), CMC_OK);
    static const uint8_t pass[] = "secret";
    spec.reason = 4;
    spec.has_invalidity_date = 1;
    spec.invalidity_date = CMC_FIXTURE_CLOCK - 86400;
    spec.passphrase = pass;
    spec.passphrase_len = 6;
    spec.comment = "key retired";
    assert_int_equal(cmc_pki_data_builder_add_revoke_request(b, NULL, 1, &spec), CMC_OK);
    su_sign_builder(&body, &len, b, "officer-both");
    su_post(srv, body, len, SU_CMC_REQUEST, NULL, &resp);
    su_read(&resp, &r);
    su_expect(&r, 1, CMC_STATUS_SUCCESS, -1);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    su_post(srv, body, len, SU_CMC_REQUEST, NULL, &resp);
    su_read(&resp, &r);
    const cmc_response_status *s = su_expect(&r, 1, CMC_STATUS_FAILED, CMC_FAIL_BAD_REQUEST);
    assert_string_equal(s->status_string, "already revoked");
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    cmc_free(body);
    cmc_pki_data_builder_free(b);
    cmc_cert_state cs = su_state(srv, cert);
    assert_int_equal(cs.revoked, 1);
    assert_int_equal(cs.reason, 4);
    X509_free(uca);
    X509_free(other);
    X509_free(cert);
    cmc_server_free(srv);
}

static void test_handle_get_cert_unknown_is_bad_cert_id(void **state) {
    (void)state;
    cmc_server *srv = su_server();
    X509 *other = su_cert("officer-enroll.cert.pem");
    cmc_pki_data_builder *b = NULL;
    assert_int_equal(cmc_pki_data_builder_new(&b), CMC_OK);
    assert_int_equal(cmc_pki_data_builder_add_get_cert(b, NULL, 2, X509_get_issuer_name(other),
                                                       X509_get0_serialNumber(other)),
                     CMC_OK);
    uint8_t *body = NULL;
    size_t len = 0;
    su_sign_builder(&body, &len, b, "officer-both");
    cmc_http_response resp;
    cmc_response r;
    su_post(srv, body, len, SU_CMC_REQUEST, NULL, &resp);
    su_read(&resp, &r);
    su_expect(&r, 2, CMC_STATUS_FAILED, CMC_FAIL_BAD_CERT_ID);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    cmc_free(body);
    cmc_pki_data_builder_free(b);
    X509_free(other);
    /* A fresh certificate is "status=good". */
    X509 *cert = su_enroll(srv, "ee-ed25519.key.pem");
    cmc_cert_state cs = su_state(srv, cert);
    assert_int_equal(cs.revoked, 0);
    assert_int_equal(cs.reason, -1);
    X509_free(cert);
    cmc_server_free(srv);
}

/* ---- Unknown controls (RFC 5272 §3.2.1.2) ---- */

static void test_handle_unknown_controls_fail_whole_pki_data(void **state) {
    (void)state;
    cmc_server *srv = su_server();
    static const uint8_t v_int[] = {0x02, 0x01, 0x05};
    static const uint8_t v_oct[] = {0x04, 0x02, 0xAB, 0xCD};
    const uint8_t *vals1[] = {v_int};
    const size_t lens1[] = {sizeof(v_int)};
    const uint8_t *vals2[] = {v_oct};
    const size_t lens2[] = {sizeof(v_oct)};
    cmc_pki_data_builder *b = NULL;
    assert_int_equal(cmc_pki_data_builder_new(&b), CMC_OK);
    /* id-cmc-99 (not defined), identityProofV2 (defined, not implemented), a private OID. */
    assert_int_equal(
        cmc_pki_data_builder_add_control_raw(b, NULL, 11, "1.3.6.1.5.5.7.7.99", vals1, lens1, 1),
        CMC_OK);
    assert_int_equal(
        cmc_pki_data_builder_add_control_raw(b, NULL, 12, "1.3.6.1.5.5.7.7.34", vals2, lens2, 1),
        CMC_OK);
    assert_int_equal(
        cmc_pki_data_builder_add_control_raw(b, NULL, 13, "1.3.6.1.4.1.99999.1", vals2, lens2, 1),
        CMC_OK);
    X509_REQ *req = su_p10("ee-p256.key.pem", "/CN=not issued");
    assert_int_equal(cmc_pki_data_builder_add_tcr(b, NULL, 14, req), CMC_OK);
    uint8_t *body = NULL;
    size_t len = 0;
    su_sign_builder(&body, &len, b, "officer-both");
    cmc_http_response resp;
    cmc_response r;
    su_post(srv, body, len, SU_CMC_REQUEST, NULL, &resp);
    su_read(&resp, &r);
    assert_int_equal(r.num_statuses, 1);
    const cmc_response_status *s = &r.statuses[0];
    assert_int_equal(s->status, CMC_STATUS_FAILED);
    assert_int_equal(s->fail_info, CMC_FAIL_BAD_REQUEST);
    assert_int_equal(s->num_body_list, 3);
    assert_int_equal(s->body_list[0], 11);
    assert_int_equal(s->body_list[1], 12);
    assert_int_equal(s->body_list[2], 13);
    su_expect_text(s, "unsupported control(s)");
    assert_int_equal(sk_X509_num(r.certs), 1); /* nothing issued */
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    cmc_free(body);
    cmc_pki_data_builder_free(b);
    /* Listed in a controlProcessed control (an RA handled it): accepted and ignored. */
    assert_int_equal(cmc_pki_data_builder_new(&b), CMC_OK);
    assert_int_equal(
        cmc_pki_data_builder_add_control_raw(b, NULL, 11, "1.3.6.1.5.5.7.7.99", vals1, lens1, 1),
        CMC_OK);
    static const uint8_t processed[] = {0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x0B};
    const uint8_t *vals3[] = {processed};
    const size_t lens3[] = {sizeof(processed)};
    assert_int_equal(
        cmc_pki_data_builder_add_control_raw(b, NULL, 12, "1.3.6.1.5.5.7.7.32", vals3, lens3, 1),
        CMC_OK);
    assert_int_equal(cmc_pki_data_builder_add_tcr(b, NULL, 14, req), CMC_OK);
    su_sign_builder(&body, &len, b, "officer-both");
    su_post(srv, body, len, SU_CMC_REQUEST, kCmcResponse, &resp);
    su_read(&resp, &r);
    su_expect(&r, 14, CMC_STATUS_SUCCESS, -1);
    assert_int_equal(r.num_statuses, 1);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    cmc_free(body);
    cmc_pki_data_builder_free(b);
    X509_REQ_free(req);
    cmc_server_free(srv);
}

static void test_handle_orm_is_no_support(void **state) {
    (void)state;
    cmc_server *srv = su_server();
    /* orm [2] { bodyPartID 9, requestMessageType 1.2.3.4, requestMessageValue NULL } */
    static const uint8_t orm[] = {0x30, 0x14, 0x30, 0x00, 0x30, 0x0C, 0xA2, 0x0A, 0x02, 0x01, 0x09,
                                  0x06, 0x03, 0x2A, 0x03, 0x04, 0x05, 0x00, 0x30, 0x00, 0x30, 0x00};
    uint8_t *body = NULL;
    size_t len = 0;
    su_sign_ex(&body, &len, orm, sizeof(orm), "officer-both", 0, 0, NULL);
    cmc_http_response resp;
    cmc_response r;
    su_post(srv, body, len, SU_CMC_REQUEST, NULL, &resp);
    su_read(&resp, &r);
    su_expect(&r, 9, CMC_STATUS_NO_SUPPORT, -1);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    cmc_free(body);
    cmc_server_free(srv);
}

/* ---- Simple PKI Request ---- */

static void tweak_no_officer(cmc_server_config *cfg) {
    cmc_server_config_set_require_officer(cfg, 0);
}

static void test_handle_simple_request_refused_by_policy_is_bad_request_1(void **state) {
    (void)state;
    cmc_server *srv = su_server();
    uint8_t *p10 = NULL;
    size_t len = 0;
    EVP_PKEY *k = su_key("ee-rsa2048.key.pem");
    cmc_req_options o = {.subject = "/CN=simple"};
    assert_int_equal(cmc_p10_build_der(&p10, &len, k, &o), CMC_OK);
    cmc_http_response resp;
    cmc_response r;
    su_post(srv, p10, len, "Application/PKCS10", NULL, &resp);
    su_read(&resp, &r);
    const cmc_response_status *s = su_expect(&r, 1, CMC_STATUS_FAILED, CMC_FAIL_BAD_REQUEST);
    su_expect_text(s, "Simple PKI Request refused by policy");
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    cmc_server_free(srv);
    /* Policy off: certs-only with the chain, or pkix-cert when Accept asks for it. */
    srv = su_server_ex(tweak_no_officer);
    su_post(srv, p10, len, SU_PKCS10, NULL, &resp);
    assert_string_equal(resp.media_type, kCertsOnly);
    su_read(&resp, &r);
    assert_int_equal(r.kind, CMC_RESPONSE_CERTS_ONLY);
    assert_int_equal(sk_X509_num(r.certs), 2);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    su_post(srv, p10, len, SU_PKCS10, "application/pkix-cert", &resp);
    assert_string_equal(resp.media_type, "application/pkix-cert");
    su_read(&resp, &r);
    assert_int_equal(r.kind, CMC_RESPONSE_PKIX_CERT);
    assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(sk_X509_value(r.certs, 0)), k), 1);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    /* POP failure of a Simple PKI Request: popFailed on body part 1. */
    p10[len - 3] ^= 0x01;
    su_post(srv, p10, len, SU_PKCS10, NULL, &resp);
    su_read(&resp, &r);
    su_expect(&r, 1, CMC_STATUS_FAILED, CMC_FAIL_POP_FAILED);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    cmc_free(p10);
    EVP_PKEY_free(k);
    cmc_server_free(srv);
}

static void test_handle_self_signed_full_request_needs_policy_off(void **state) {
    (void)state;
    EVP_PKEY *k = su_key("ee-p256.key.pem");
    cmc_req_options o = {.subject = "/CN=self signed", .add_ski = 1};
    X509_REQ *req = NULL;
    assert_int_equal(cmc_p10_build(&req, k, &o), CMC_OK);
    cmc_pki_data_builder *b = NULL;
    assert_int_equal(cmc_pki_data_builder_new(&b), CMC_OK);
    assert_int_equal(cmc_pki_data_builder_add_tcr(b, NULL, 1, req), CMC_OK);
    uint8_t *pd = NULL, *body = NULL;
    size_t pd_len = 0, len = 0;
    assert_int_equal(cmc_pki_data_builder_to_der(b, &pd, &pd_len), CMC_OK);
    cmc_signer s = {.key = k, .sid = CMC_SID_SKI};
    cmc_sign_options so = {.signing_time = CMC_FIXTURE_CLOCK};
    assert_int_equal(cmc_signed_data_sign(&body, &len, pd, pd_len, &s, 1, &so), CMC_OK);
    cmc_http_response resp;
    cmc_response r;
    cmc_server *srv = su_server();
    su_post(srv, body, len, SU_CMC_REQUEST, NULL, &resp);
    su_read(&resp, &r);
    su_expect_text(su_expect(&r, 0, CMC_STATUS_FAILED, CMC_FAIL_BAD_REQUEST), "stage 3");
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    cmc_server_free(srv);
    srv = su_server_ex(tweak_no_officer);
    su_post(srv, body, len, SU_CMC_REQUEST, NULL, &resp);
    su_read(&resp, &r);
    assert_int_equal(r.kind, CMC_RESPONSE_CERTS_ONLY);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    cmc_server_free(srv);
    cmc_free(pd);
    cmc_free(body);
    X509_REQ_free(req);
    cmc_pki_data_builder_free(b);
    EVP_PKEY_free(k);
}

/* ---- Response types and echo ---- */

static void tweak_no_chain(cmc_server_config *cfg) {
    cmc_server_config_set_include_chain(cfg, 0);
}

static void test_handle_response_types_follow_accept_and_chain(void **state) {
    (void)state;
    cmc_server *srv = su_server();
    cmc_http_response resp;
    cmc_response r;
    /* No Accept: certs-only with the CA certificate. */
    su_enroll_as(srv, "officer-both", "ee-p256.key.pem", NULL, &resp, &r);
    assert_string_equal(resp.media_type, kCertsOnly);
    assert_int_equal(sk_X509_num(r.certs), 2);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    /* Accept: the pkcs7-mime "certsonly" spelling. */
    su_enroll_as(srv, "officer-both", "ee-p256.key.pem",
                 "application/pkcs7-mime; smime-type=certsonly", &resp, &r);
    assert_string_equal(resp.media_type, kCertsOnly);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    /* Accept pkix-cert. */
    su_enroll_as(srv, "officer-both", "ee-p256.key.pem", "application/pkix-cert", &resp, &r);
    assert_string_equal(resp.media_type, "application/pkix-cert");
    assert_int_equal(r.kind, CMC_RESPONSE_PKIX_CERT);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    /* Accept CMC-response: Full PKI Response with a success status and the certificates. */
    su_enroll_as(srv, "officer-both", "ee-p256.key.pem", kCmcResponse, &resp, &r);
    su_expect(&r, 1, CMC_STATUS_SUCCESS, -1);
    assert_int_equal(sk_X509_num(r.certs), 3); /* issued, CA, response signer */
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    cmc_server_free(srv);
    /* include_chain = no: the issued certificate only. */
    srv = su_server_ex(tweak_no_chain);
    su_enroll_as(srv, "officer-both", "ee-p256.key.pem", NULL, &resp, &r);
    assert_int_equal(r.kind, CMC_RESPONSE_CERTS_ONLY);
    assert_int_equal(sk_X509_num(r.certs), 1);
    assert_int_equal(X509_check_ca(sk_X509_value(r.certs, 0)), 0);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    cmc_server_free(srv);
}

static void test_handle_full_response_echoes_transaction_and_nonces(void **state) {
    (void)state;
    cmc_server *srv = su_server();
    cmc_pki_data_builder *b = NULL;
    assert_int_equal(cmc_pki_data_builder_new(&b), CMC_OK);
    static const uint8_t nonce[] = {1, 2, 3, 4, 5, 6, 7, 8};
    static const uint8_t ret[] = "opaque client data";
    assert_int_equal(cmc_pki_data_builder_add_transaction_id(b, NULL, 1, 0x1234567890ULL), CMC_OK);
    assert_int_equal(cmc_pki_data_builder_add_sender_nonce(b, NULL, 2, nonce, sizeof(nonce)),
                     CMC_OK);
    assert_int_equal(cmc_pki_data_builder_add_data_return(b, NULL, 3, ret, sizeof(ret)), CMC_OK);
    X509_REQ *req = su_p10("ee-p256.key.pem", "/CN=echo");
    assert_int_equal(cmc_pki_data_builder_add_tcr(b, NULL, 4, req), CMC_OK);
    uint8_t *body = NULL;
    size_t len = 0;
    su_sign_builder(&body, &len, b, "officer-both");
    cmc_http_response resp;
    cmc_response r;
    su_post(srv, body, len, SU_CMC_REQUEST, NULL, &resp);
    su_read(&resp, &r);
    su_expect(&r, 4, CMC_STATUS_SUCCESS, -1);
    assert_non_null(r.transaction_id);
    assert_int_equal(ASN1_INTEGER_get(r.transaction_id), 0x1234567890L);
    assert_int_equal(r.recipient_nonce_len, sizeof(nonce));
    assert_memory_equal(r.recipient_nonce, nonce, sizeof(nonce));
    assert_int_equal(r.sender_nonce_len, 16);
    assert_int_equal(r.data_return_len, sizeof(ret));
    assert_memory_equal(r.data_return, ret, sizeof(ret));
    assert_int_equal(resp.cmc_status, CMC_STATUS_SUCCESS);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    cmc_free(body);
    X509_REQ_free(req);
    cmc_pki_data_builder_free(b);
    cmc_server_free(srv);
}

static void test_handle_is_deterministic_with_clock_and_seed(void **state) {
    (void)state;
    size_t len = 0;
    uint8_t *body = good_request(&len);
    cmc_http_response a, b;
    cmc_server *s1 = su_server();
    cmc_server *s2 = su_server();
    su_post(s1, body, len, SU_CMC_REQUEST, kCmcResponse, &a);
    su_post(s2, body, len, SU_CMC_REQUEST, kCmcResponse, &b);
    assert_int_equal(a.body_len, b.body_len);
    assert_memory_equal(a.body, b.body, a.body_len);
    cmc_http_response_cleanup(&b);
    /* A second request to the same server gets a different serial and nonce. */
    su_post(s1, body, len, SU_CMC_REQUEST, kCmcResponse, &b);
    assert_true(a.body_len != b.body_len || memcmp(a.body, b.body, a.body_len) != 0);
    cmc_http_response_cleanup(&a);
    cmc_http_response_cleanup(&b);
    cmc_free(body);
    cmc_server_free(s1);
    cmc_server_free(s2);
}

/* ---- Fault injection (test-only switches; issue 6) ---- */

static void tweak_fault_reason2(cmc_server_config *cfg) {
    assert_int_equal(cmc_server_config_set_fault(cfg, "accept-reason-2"), CMC_OK);
}
static void tweak_fault_digest(cmc_server_config *cfg) {
    assert_int_equal(cmc_server_config_set_fault(cfg, "skip-digest-check"), CMC_OK);
}
static void tweak_fault_ctype(cmc_server_config *cfg) {
    assert_int_equal(cmc_server_config_set_fault(cfg, "skip-content-type-check"), CMC_OK);
}
static void tweak_fault_enroll_revokes(cmc_server_config *cfg) {
    assert_int_equal(cmc_server_config_set_fault(cfg, "enroll-officer-can-revoke"), CMC_OK);
}
static void tweak_fault_nonce(cmc_server_config *cfg) {
    assert_int_equal(cmc_server_config_set_fault(cfg, "drop-recipient-nonce"), CMC_OK);
}
static void tweak_fault_chain(cmc_server_config *cfg) {
    assert_int_equal(cmc_server_config_set_fault(cfg, "certs-only-without-chain"), CMC_OK);
}

/* post_faulty: a tcr request with a senderNonce and signer faults; returns the answer. */
static void post_faulty(cmc_server *srv, uint32_t faults, cmc_http_response *resp,
                        cmc_response *r) {
    cmc_pki_data_builder *b = NULL;
    assert_int_equal(cmc_pki_data_builder_new(&b), CMC_OK);
    static const uint8_t nonce[] = "0123456789abcdef";
    assert_int_equal(cmc_pki_data_builder_add_sender_nonce(b, NULL, 1, nonce, 16), CMC_OK);
    X509_REQ *req = su_p10("ee-p256.key.pem", "/CN=fault");
    assert_int_equal(cmc_pki_data_builder_add_tcr(b, NULL, 2, req), CMC_OK);
    uint8_t *pd = NULL, *body = NULL;
    size_t pd_len = 0, len = 0;
    assert_int_equal(cmc_pki_data_builder_to_der(b, &pd, &pd_len), CMC_OK);
    su_sign_ex(&body, &len, pd, pd_len, "officer-both", faults, 0, NULL);
    su_post(srv, body, len, SU_CMC_REQUEST, NULL, resp);
    su_read(resp, r);
    cmc_free(pd);
    cmc_free(body);
    X509_REQ_free(req);
    cmc_pki_data_builder_free(b);
}

static void test_handle_faults_are_off_by_default_and_each_breaks_one_thing(void **state) {
    (void)state;
    cmc_http_response resp;
    cmc_response r;
    /* accept-reason-2 */
    cmc_server *srv = su_server_ex(tweak_fault_reason2);
    X509 *cert = su_enroll(srv, "ee-p256.key.pem");
    su_revoke(srv, "officer-both", cert, 2, &resp, &r);
    su_expect(&r, 1, CMC_STATUS_SUCCESS, -1);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    /* enroll-officer-can-revoke is not also on */
    X509 *cert2 = su_enroll(srv, "ee-p256.key.pem");
    su_revoke(srv, "officer-enroll", cert2, 1, &resp, &r);
    su_expect(&r, 0, CMC_STATUS_FAILED, CMC_FAIL_BAD_REQUEST);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    cmc_server_free(srv);
    /* enroll-officer-can-revoke */
    srv = su_server_ex(tweak_fault_enroll_revokes);
    su_revoke(srv, "officer-enroll", cert2, 1, &resp, &r);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    X509_free(cert2);
    cert2 = su_enroll(srv, "ee-p256.key.pem");
    su_revoke(srv, "officer-enroll", cert2, 1, &resp, &r);
    su_expect(&r, 1, CMC_STATUS_SUCCESS, -1);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    su_revoke(srv, "officer-norole", cert, 1, &resp, &r); /* still refused without enroll */
    su_expect(&r, 0, CMC_STATUS_FAILED, CMC_FAIL_BAD_REQUEST);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    cmc_server_free(srv);
    /* skip-digest-check / skip-content-type-check */
    srv = su_server_ex(tweak_fault_digest);
    post_faulty(srv, CMC_FAULT_WRONG_MESSAGE_DIGEST, &resp, &r);
    su_expect(&r, 2, CMC_STATUS_SUCCESS, -1);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    post_faulty(srv, CMC_FAULT_CONTENT_TYPE_ATTR_OTHER, &resp, &r);
    su_expect(&r, 0, CMC_STATUS_FAILED, CMC_FAIL_BAD_MESSAGE_CHECK);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    cmc_server_free(srv);
    srv = su_server_ex(tweak_fault_ctype);
    post_faulty(srv, CMC_FAULT_CONTENT_TYPE_ATTR_OTHER, &resp, &r);
    su_expect(&r, 2, CMC_STATUS_SUCCESS, -1);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    post_faulty(srv, CMC_FAULT_WRONG_MESSAGE_DIGEST, &resp, &r);
    su_expect(&r, 0, CMC_STATUS_FAILED, CMC_FAIL_BAD_MESSAGE_CHECK);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    cmc_server_free(srv);
    /* drop-recipient-nonce */
    srv = su_server_ex(tweak_fault_nonce);
    post_faulty(srv, 0, &resp, &r);
    su_expect(&r, 2, CMC_STATUS_SUCCESS, -1);
    assert_null(r.recipient_nonce);
    assert_non_null(r.sender_nonce);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    cmc_server_free(srv);
    srv = su_server();
    post_faulty(srv, 0, &resp, &r);
    assert_non_null(r.recipient_nonce);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    cmc_server_free(srv);
    /* certs-only-without-chain */
    srv = su_server_ex(tweak_fault_chain);
    su_enroll_as(srv, "officer-both", "ee-p256.key.pem", NULL, &resp, &r);
    assert_int_equal(r.kind, CMC_RESPONSE_CERTS_ONLY);
    assert_int_equal(sk_X509_num(r.certs), 1);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    cmc_server_free(srv);
    X509_free(cert);
    X509_free(cert2);
}

static void test_handle_rejects_null_arguments(void **state) {
    (void)state;
    cmc_server *srv = su_server();
    cmc_http_response resp;
    cmc_http_request req = {NULL, 5, SU_PKCS10, NULL};
    assert_int_equal(cmc_server_handle(srv, &req, &resp), CMC_E_ARG);
    assert_int_equal(resp.http_status, 500);
    cmc_http_response_cleanup(&resp);
    assert_int_equal(cmc_server_handle(NULL, &req, &resp), CMC_E_ARG);
    cmc_http_response_cleanup(&resp);
    assert_int_equal(cmc_server_handle(srv, &req, NULL), CMC_E_ARG);
    cmc_server_free(srv);
}

static void test_handle_role_check_precedes_control_processing(void **state) {
    (void)state;
    cmc_server *srv = su_server();
    X509 *cert = su_enroll(srv, "ee-p256.key.pem");
    cmc_pki_data_builder *b = NULL;
    assert_int_equal(cmc_pki_data_builder_new(&b), CMC_OK);
    static const uint8_t v_int[] = {0x02, 0x01, 0x05};
    const uint8_t *vals[] = {v_int};
    const size_t lens[] = {sizeof(v_int)};
    assert_int_equal(
        cmc_pki_data_builder_add_control_raw(b, NULL, 1, "1.3.6.1.5.5.7.7.99", vals, lens, 1),
        CMC_OK);
    cmc_revoke_spec spec = {
        .issuer = X509_get_issuer_name(cert), .serial = X509_get0_serialNumber(cert), .reason = 1};
    assert_int_equal(cmc_pki_data_builder_add_revoke_request(b, NULL, 2, &spec), CMC_OK);
    uint8_t *body = NULL;
    size_t len = 0;
    su_sign_builder(&body, &len, b, "officer-enroll");
    cmc_http_response resp;
    cmc_response r;
    su_post(srv, body, len, SU_CMC_REQUEST, NULL, &resp);
    su_read(&resp, &r);
    assert_int_equal(r.num_statuses, 1);
    su_expect_text(su_expect(&r, 0, CMC_STATUS_FAILED, CMC_FAIL_BAD_REQUEST),
                   "stage 3 (officer): officer officer-enroll lacks the revoke role");
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    cmc_free(body);
    cmc_pki_data_builder_free(b);
    X509_free(cert);
    cmc_server_free(srv);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handle_refuses_other_media_type_with_415),
        cmocka_unit_test(test_handle_refuses_large_body_with_413),
        cmocka_unit_test(test_handle_answers_bad_input_with_bad_request_0),
        cmocka_unit_test(test_handle_refuses_ber_pkcs10_with_bad_request_0),
        cmocka_unit_test(test_handle_accepts_ber_full_request),
        cmocka_unit_test(test_handle_stage1_digest_mismatch_is_bad_message_check),
        cmocka_unit_test(test_handle_stage2_content_type_is_bad_message_check),
        cmocka_unit_test(test_handle_stage3_bad_signature_is_bad_message_check),
        cmocka_unit_test(test_handle_stage3_bad_signer_certificate_is_bad_request),
        cmocka_unit_test(test_handle_stage3_not_officer_or_wrong_role_is_bad_request),
        cmocka_unit_test(test_handle_role_check_precedes_control_processing),
        cmocka_unit_test(test_handle_enrolls_with_every_officer_key_type),
        cmocka_unit_test(test_handle_pkcs10_pop_failure_is_pop_failed),
        cmocka_unit_test(test_handle_crmf_enrolls_and_checks_pop),
        cmocka_unit_test(test_handle_revocation_reason_codes_0_to_10),
        cmocka_unit_test(test_handle_revocation_refusals),
        cmocka_unit_test(test_handle_get_cert_unknown_is_bad_cert_id),
        cmocka_unit_test(test_handle_unknown_controls_fail_whole_pki_data),
        cmocka_unit_test(test_handle_orm_is_no_support),
        cmocka_unit_test(test_handle_simple_request_refused_by_policy_is_bad_request_1),
        cmocka_unit_test(test_handle_self_signed_full_request_needs_policy_off),
        cmocka_unit_test(test_handle_response_types_follow_accept_and_chain),
        cmocka_unit_test(test_handle_full_response_echoes_transaction_and_nonces),
        cmocka_unit_test(test_handle_is_deterministic_with_clock_and_seed),
        cmocka_unit_test(test_handle_faults_are_off_by_default_and_each_breaks_one_thing),
        cmocka_unit_test(test_handle_rejects_null_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
