/* server_openssl_test.c: cross-checks of the reference server with an independent CMS
 * implementation, the openssl command line: requests signed by `openssl cms -sign` are
 * accepted; our Full PKI Responses verify with `openssl cms -verify`; our certs-only
 * responses are read by `openssl pkcs7 -print_certs`. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "server_test_util.h"

static const char *pki(void) {
    static char buf[1024];
    const char *d = getenv("CMC_SOURCE_DIR");
    assert_true((size_t)snprintf(buf, sizeof(buf), "%s/vectors/pki",
                                 d != NULL ? d : CMC_SOURCE_DIR) < sizeof(buf));
    return buf;
}

/* openssl_signed_request: PKIData (one tcr for |key_file|, a senderNonce) signed by the
 * openssl CLI with officer |stem|. */
static uint8_t *openssl_signed_request(size_t *len, const char *stem, const char *key_file) {
    cmc_pki_data_builder *b = NULL;
    assert_int_equal(cmc_pki_data_builder_new(&b), CMC_OK);
    static const uint8_t nonce[] = "openssl cli nonc";
    assert_int_equal(cmc_pki_data_builder_add_sender_nonce(b, NULL, 1, nonce, 16), CMC_OK);
    X509_REQ *req = su_p10(key_file, "/O=cmckit test/CN=openssl cli ee");
    assert_int_equal(cmc_pki_data_builder_add_tcr(b, NULL, 2, req), CMC_OK);
    uint8_t *pd = NULL;
    size_t pd_len = 0;
    assert_int_equal(cmc_pki_data_builder_to_der(b, &pd, &pd_len), CMC_OK);
    char in[1024], out[1024], cmd[4096];
    su_tmp_path(in, sizeof(in), "pkidata.der");
    su_tmp_path(out, sizeof(out), "request.crq");
    su_write(in, pd, pd_len);
    assert_true(
        (size_t)snprintf(
            cmd, sizeof(cmd),
            "openssl cms -sign -binary -nodetach -econtent_type 1.3.6.1.5.5.7.12.2 -nosmimecap"
            " -signer %s/%s.cert.pem -inkey %s/%s.key.pem -outform DER -in %s -out %s",
            pki(), stem, pki(), stem, in, out) < sizeof(cmd));
    assert_int_equal(su_run(cmd), 0);
    uint8_t *body = su_read_file(out, len);
    unlink(in);
    unlink(out);
    cmc_free(pd);
    X509_REQ_free(req);
    cmc_pki_data_builder_free(b);
    return body;
}

static void test_openssl_signed_requests_are_accepted(void **state) {
    (void)state;
    cmc_server *srv = su_server();
    const char *stems[] = {"officer-both", "officer-both-p256", "officer-enroll"};
    for (size_t i = 0; i < 3; i++) {
        size_t len = 0;
        uint8_t *body = openssl_signed_request(&len, stems[i], "ee-p256.key.pem");
        cmc_http_response resp;
        cmc_response r;
        su_post(srv, body, len, SU_CMC_REQUEST, NULL, &resp);
        su_read(&resp, &r);
        su_expect(&r, 2, CMC_STATUS_SUCCESS, -1);
        assert_int_equal(r.recipient_nonce_len, 16);
        cmc_response_cleanup(&r);
        cmc_http_response_cleanup(&resp);
        free(body);
    }
    /* The same CLI request by an officer without the enroll role is refused at stage 3. */
    size_t len = 0;
    uint8_t *body = openssl_signed_request(&len, "officer-revoke", "ee-p256.key.pem");
    cmc_http_response resp;
    cmc_response r;
    su_post(srv, body, len, SU_CMC_REQUEST, NULL, &resp);
    su_read(&resp, &r);
    su_expect(&r, 0, CMC_STATUS_FAILED, CMC_FAIL_BAD_REQUEST);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    free(body);
    cmc_server_free(srv);
}

static void test_openssl_verifies_full_pki_response(void **state) {
    (void)state;
    cmc_server *srv = su_server();
    size_t len = 0;
    uint8_t *body = openssl_signed_request(&len, "officer-both", "ee-rsa2048.key.pem");
    cmc_http_response resp;
    su_post(srv, body, len, SU_CMC_REQUEST, NULL, &resp);
    assert_string_equal(resp.media_type, "application/pkcs7-mime; smime-type=CMC-response");
    char rsp[1024], content[1024], cmd[4096];
    su_tmp_path(rsp, sizeof(rsp), "response.crp");
    su_tmp_path(content, sizeof(content), "pkiresponse.der");
    su_write(rsp, resp.body, resp.body_len);
    assert_true(
        (size_t)snprintf(cmd, sizeof(cmd),
                         "openssl cms -verify -binary -inform DER -in %s -CAfile %s/ca.cert.pem"
                         " -purpose any -attime 1782864000 -out %s",
                         rsp, pki(), content) < sizeof(cmd));
    assert_int_equal(su_run(cmd), 0);
    /* The verified content is the PKIResponse and the eContentType is id-cct-PKIResponse. */
    size_t clen = 0;
    uint8_t *c = su_read_file(content, &clen);
    cmc_pki_response *pr = NULL;
    assert_int_equal(cmc_pki_response_parse(&pr, c, clen), CMC_OK);
    cmc_pki_response_free(pr);
    assert_true(
        (size_t)snprintf(cmd, sizeof(cmd),
                         "openssl cms -cmsout -print -inform DER -in %s | grep -q 'eContentType: "
                         "id-cct-PKIResponse'",
                         rsp) < sizeof(cmd));
    assert_int_equal(su_run(cmd), 0);
    /* A flipped byte in the signed content (the PKIResponse inside the body) makes
     * openssl refuse it. */
    uint8_t *at = memmem(resp.body, resp.body_len, c, clen);
    assert_non_null(at);
    at[clen - 1] ^= 0x01;
    su_write(rsp, resp.body, resp.body_len);
    assert_true(
        (size_t)snprintf(cmd, sizeof(cmd),
                         "openssl cms -verify -binary -inform DER -in %s -CAfile %s/ca.cert.pem"
                         " -purpose any -attime 1782864000 -out %s",
                         rsp, pki(), content) < sizeof(cmd));
    assert_int_not_equal(su_run(cmd), 0);
    unlink(rsp);
    unlink(content);
    free(c);
    free(body);
    cmc_http_response_cleanup(&resp);
    cmc_server_free(srv);
}

static void test_openssl_reads_certs_only(void **state) {
    (void)state;
    cmc_server *srv = su_server();
    cmc_http_response resp;
    cmc_response r;
    su_enroll_as(srv, "officer-both", "ee-p256.key.pem", NULL, &resp, &r);
    assert_string_equal(resp.media_type, "application/pkcs7-mime; smime-type=certs-only");
    char p7c[1024], out[1024], cmd[4096];
    su_tmp_path(p7c, sizeof(p7c), "response.p7c");
    su_tmp_path(out, sizeof(out), "certs.txt");
    su_write(p7c, resp.body, resp.body_len);
    assert_true((size_t)snprintf(cmd, sizeof(cmd),
                                 "openssl pkcs7 -inform DER -in %s -print_certs -out %s", p7c,
                                 out) < sizeof(cmd));
    assert_int_equal(su_run(cmd), 0);
    size_t n = 0;
    uint8_t *text = su_read_file(out, &n);
    char *s = malloc(n + 1);
    memcpy(s, text, n);
    s[n] = '\0';
    assert_non_null(strstr(s, "subject=O = cmckit test, CN = server test ee"));
    assert_non_null(strstr(s, "subject=O = cmckit test fixtures, CN = cmckit fixture ca"));
    unlink(p7c);
    unlink(out);
    free(s);
    free(text);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    cmc_server_free(srv);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_openssl_signed_requests_are_accepted),
        cmocka_unit_test(test_openssl_verifies_full_pki_response),
        cmocka_unit_test(test_openssl_reads_certs_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
