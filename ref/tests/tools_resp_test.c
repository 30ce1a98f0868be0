/* tools_resp_test.c: `cmckit resp` reports every response type exactly (statuses with names,
 * failInfo, statusString, transactionId, nonces, certificates), verifies the signature
 * against --ca, checks --check-nonce, writes --out, and exits 0 / 1 / 2 as documented.
 * Responses are built here with the msg builders and the fixture response signer, so the
 * expected report is known byte for byte. Runs the real binary (env CMCKIT). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "cmc/msg.h"
#include "tools_test_util.h"

static tt_result R;

static X509 *load_cert(const char *name) {
    FILE *f = fopen(tt_pki(name), "r");
    X509 *x = f != NULL ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
    if (f != NULL) {
        fclose(f);
    }
    return x;
}

static EVP_PKEY *load_key(const char *name) {
    FILE *f = fopen(tt_pki(name), "r");
    EVP_PKEY *k = f != NULL ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
    if (f != NULL) {
        fclose(f);
    }
    return k;
}

static const uint8_t kSenderNonce[] = {0xaa, 0xbb, 0xcc, 0xdd};
static const uint8_t kRecipientNonce[] = {0x00, 0x11, 0x22, 0x33, 0x44};

/* write_full_response signs a PKIResponse with one status and writes it to |path|. The
 * "issued" certificate is the fixture officer-enroll certificate (any non-CA certificate
 * serves), followed by the CA certificate. */
static void write_full_response(const char *path, long status, long fail_info,
                                const char *status_string, int with_certs) {
    cmc_pki_response_builder *b = NULL;
    assert_int_equal(cmc_pki_response_builder_new(&b), CMC_OK);
    int64_t body[1] = {2};
    assert_int_equal(cmc_pki_response_builder_add_status(b, NULL, CMC_BPID_AUTO, status, body, 1,
                                                         status_string, fail_info),
                     CMC_OK);
    assert_int_equal(cmc_pki_response_builder_add_transaction_id(b, NULL, CMC_BPID_AUTO, 99),
                     CMC_OK);
    assert_int_equal(cmc_pki_response_builder_add_sender_nonce(b, NULL, CMC_BPID_AUTO, kSenderNonce,
                                                               sizeof(kSenderNonce)),
                     CMC_OK);
    assert_int_equal(cmc_pki_response_builder_add_recipient_nonce(
                         b, NULL, CMC_BPID_AUTO, kRecipientNonce, sizeof(kRecipientNonce)),
                     CMC_OK);
    EVP_PKEY *key = load_key("signer.key.pem");
    X509 *cert = load_cert("signer.cert.pem");
    STACK_OF(X509) *certs = sk_X509_new_null();
    if (with_certs) {
        sk_X509_push(certs, load_cert("officer-enroll.cert.pem"));
        sk_X509_push(certs, load_cert("ca.cert.pem"));
    }
    cmc_signer s;
    memset(&s, 0, sizeof(s));
    s.key = key;
    s.cert = cert;
    s.sid = CMC_SID_ISSUER_SERIAL;
    s.include_cert = 1;
    uint8_t *der = NULL;
    size_t len = 0;
    assert_int_equal(cmc_pki_response_builder_sign(b, &der, &len, &s, certs, 1782864000), CMC_OK);
    assert_int_equal(tt_write(path, der, len), 0);
    cmc_free(der);
    sk_X509_pop_free(certs, X509_free);
    X509_free(cert);
    EVP_PKEY_free(key);
    cmc_pki_response_builder_free(b);
}

static int group_setup(void **state) {
    (void)state;
    return tt_tmp_setup();
}

static int group_teardown(void **state) {
    (void)state;
    tt_tmp_teardown();
    return 0;
}

static void assert_contains(const char *hay, const char *needle) {
    if (strstr(hay, needle) == NULL) {
        fail_msg("output lacks '%s':\n%s", needle, hay);
    }
}

#define SIGNER_NAME "/O=cmckit test fixtures/CN=cmckit fixture signer (TEST ONLY)"
#define CA_NAME "/O=cmckit test fixtures/CN=cmckit fixture ca (TEST ONLY)"
#define OFFICER_ENROLL_LINE                                                                        \
    "certificate: subject /O=cmckit test fixtures/CN=cmckit fixture officer-enroll (TEST "         \
    "ONLY), serial 0x06, notBefore 2026-01-01T00:00:00Z, notAfter 2046-01-01T00:00:00Z, "          \
    "issuer " CA_NAME "\n"
#define CA_LINE                                                                                    \
    "certificate: subject " CA_NAME ", serial 0x01, notBefore 2026-01-01T00:00:00Z, notAfter "     \
    "2046-01-01T00:00:00Z, issuer " CA_NAME " [CA or signer]\n"

static void test_resp_full_success_reports_every_field(void **state) {
    (void)state;
    const char *path = tt_path("ok.crp"), *out = tt_path("issued.pem");
    write_full_response(path, 0, -1, NULL, 1);
    assert_int_equal(TT_RUN(&R, "resp", path, "--ca", tt_pki("ca.cert.pem"), "--check-nonce",
                            "0011223344", "--out", out),
                     0);
    /* The certificates field holds the signer certificate too (include_cert), sorted as a
     * DER SET OF; check the lines independently of that order. */
    assert_contains(R.out, "response: Full PKI Response (CMC-response)\n"
                           "signature: valid, chains to --ca, signer " SIGNER_NAME "\n"
                           "transactionId: 99\n"
                           "senderNonce: aabbccdd\n"
                           "recipientNonce: 0011223344\n"
                           "status: bodyList {2} success (0)\n"
                           "nonce check: recipientNonce matches the senderNonce sent\n");
    assert_contains(R.out, OFFICER_ENROLL_LINE);
    assert_contains(R.out, CA_LINE);
    assert_contains(R.out, "certificate: subject " SIGNER_NAME);
    assert_contains(R.out, "result: success\n");
    assert_int_equal(R.err_len, 0);
    /* --out: exactly the issued certificate (not the CA, not the signer). */
    FILE *f = fopen(out, "r");
    assert_non_null(f);
    X509 *x1 = PEM_read_X509(f, NULL, NULL, NULL), *x2 = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    X509 *want = load_cert("officer-enroll.cert.pem");
    assert_non_null(x1);
    assert_null(x2);
    assert_int_equal(X509_cmp(x1, want), 0);
    X509_free(x1);
    X509_free(want);
}

static void test_resp_failed_status_exits_1_with_names(void **state) {
    (void)state;
    const char *path = tt_path("fail.crp");
    write_full_response(path, 2, 2, "stage 3: officer lacks the role \"revoke\"", 0);
    assert_int_equal(TT_RUN(&R, "resp", path, "--ca", tt_pki("ca.cert.pem")), 1);
    assert_contains(R.out, "status: bodyList {2} failed (2), failInfo badRequest (2), "
                           "statusString \"stage 3: officer lacks the role \\\"revoke\\\"\"\n");
    assert_contains(R.out, "result: failed: a body part did not succeed\n");
    /* --quiet keeps only the verdict. */
    assert_int_equal(TT_RUN(&R, "resp", path, "--quiet"), 1);
    assert_string_equal(R.out, "result: failed: a body part did not succeed\n");
    write_full_response(path, 3, -1, NULL, 0);
    assert_int_equal(TT_RUN(&R, "resp", path), 1);
    assert_contains(R.out, "status: bodyList {2} pending (3)\n");
}

static void test_resp_untrusted_ca_or_nonce_mismatch_exits_1(void **state) {
    (void)state;
    const char *path = tt_path("ok2.crp");
    write_full_response(path, 0, -1, NULL, 1);
    assert_int_equal(TT_RUN(&R, "resp", path, "--ca", tt_pki("untrusted-ca.cert.pem")), 1);
    assert_contains(R.out, "signature: NOT VALID (stage 3: signer certificate does not chain "
                           "to a trust anchor)");
    assert_contains(R.out, "result: failed: signature not valid\n");
    assert_int_equal(TT_RUN(&R, "resp", path, "--check-nonce", "0011223355"), 1);
    assert_contains(R.out, "signature: valid, path not checked (no --ca)");
    assert_contains(R.out, "nonce check: recipientNonce DIFFERS from the senderNonce sent\n");
    assert_contains(R.out, "result: failed: recipientNonce does not match\n");
}

static void test_resp_certs_only_der_pem_stdin_and_out_der(void **state) {
    (void)state;
    STACK_OF(X509) *certs = sk_X509_new_null();
    sk_X509_push(certs, load_cert("officer-revoke.cert.pem"));
    sk_X509_push(certs, load_cert("ca.cert.pem"));
    uint8_t *der = NULL;
    size_t len = 0;
    assert_int_equal(cmc_certs_only_build(&der, &len, certs), CMC_OK);
    const char *path = tt_path("certs.p7c"), *pem = tt_path("certs.pem");
    const char *out = tt_path("one.der");
    assert_int_equal(tt_write(path, der, len), 0);
    BIO *b = BIO_new_file(pem, "w");
    assert_true(PEM_write_bio(b, "PKCS7", "", der, (long)len) > 0);
    BIO_free(b);
    assert_int_equal(TT_RUN(&R, "resp", path, "--out", out, "--outform", "der"), 0);
    assert_contains(R.out, "response: Simple PKI Response (certs-only)\n");
    assert_contains(R.out, CA_LINE);
    assert_contains(R.out, "result: success\n");
    size_t got_len = 0;
    unsigned char *got = tt_read(out, &got_len);
    const unsigned char *p = got;
    X509 *x = d2i_X509(NULL, &p, (long)got_len);
    X509 *want = load_cert("officer-revoke.cert.pem");
    assert_non_null(x);
    assert_int_equal(X509_cmp(x, want), 0);
    X509_free(want);
    X509_free(x);
    free(got);
    assert_int_equal(TT_RUN(&R, "resp", pem), 0);
    assert_contains(R.out, "response: Simple PKI Response (certs-only)\n");
    assert_int_equal(tt_runv(&R, (const char *)der, len, (const char *const[]){"resp", "-", NULL}),
                     0);
    assert_contains(R.out, "result: success\n");
    cmc_free(der);
    sk_X509_pop_free(certs, X509_free);
}

static void test_resp_pkix_cert_pem_and_der(void **state) {
    (void)state;
    assert_int_equal(TT_RUN(&R, "resp", tt_pki("officer-enroll.cert.pem")), 0);
    assert_string_equal(R.out, "response: certificate (application/pkix-cert)\n" OFFICER_ENROLL_LINE
                               "result: success\n");
    X509 *x = load_cert("officer-enroll.cert.pem");
    unsigned char *der = NULL;
    int len = i2d_X509(x, &der);
    const char *path = tt_path("cert.cer");
    assert_int_equal(tt_write(path, der, (size_t)len), 0);
    assert_int_equal(TT_RUN(&R, "resp", path, "--media-type", "application/pkix-cert"), 0);
    assert_string_equal(R.out, "response: certificate (application/pkix-cert)\n" OFFICER_ENROLL_LINE
                               "result: success\n");
    OPENSSL_free(der);
    X509_free(x);
}

static void expect_unreadable(const char *fragment) {
    assert_int_equal(R.exit_code, 2);
    assert_int_equal(tt_lines(R.err), 1);
    assert_memory_equal(R.err, "cmckit resp: ", 13);
    if (strstr(R.err, fragment) == NULL) {
        fail_msg("stderr '%s' lacks '%s'", R.err, fragment);
    }
    assert_int_equal(R.out_len, 0);
}

static void test_resp_unreadable_input_exits_2_one_line(void **state) {
    (void)state;
    const char *junk = tt_path("junk.crp"), *empty = tt_path("empty.crp");
    const char *trunc = tt_path("trunc.crp"), *badpem = tt_path("bad.pem");
    const char *ok = tt_path("ok3.crp");
    assert_int_equal(tt_write(junk, "hello, world\n", 13), 0);
    assert_int_equal(tt_write(empty, "", 0), 0);
    const char pem[] = "-----BEGIN CMS-----\n!!not base64!!\n-----END CMS-----\n";
    assert_int_equal(tt_write(badpem, pem, sizeof(pem) - 1), 0);
    write_full_response(ok, 0, -1, NULL, 0);
    size_t len = 0;
    unsigned char *der = tt_read(ok, &len);
    assert_int_equal(tt_write(trunc, der, len / 2), 0);
    free(der);
    TT_RUN(&R, "resp", junk);
    expect_unreadable("unreadable response");
    TT_RUN(&R, "resp", empty);
    expect_unreadable("empty file");
    TT_RUN(&R, "resp", tt_path("nonexistent.crp"));
    expect_unreadable("cannot open");
    TT_RUN(&R, "resp", trunc);
    expect_unreadable("unreadable response");
    TT_RUN(&R, "resp", badpem);
    expect_unreadable("unreadable response: not valid PEM");
    TT_RUN(&R, "resp", ok, "--check-nonce", "abc");
    expect_unreadable("--check-nonce needs an even number of hex digits");
    TT_RUN(&R, "resp", ok, "--ca", junk);
    expect_unreadable("no certificate in PEM or DER");
    TT_RUN(&R, "resp", ok, "--inform", "pem");
    expect_unreadable("not PEM");
    TT_RUN(&R, "resp");
    expect_unreadable("give exactly one response file");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resp_full_success_reports_every_field),
        cmocka_unit_test(test_resp_failed_status_exits_1_with_names),
        cmocka_unit_test(test_resp_untrusted_ca_or_nonce_mismatch_exits_1),
        cmocka_unit_test(test_resp_certs_only_der_pem_stdin_and_out_der),
        cmocka_unit_test(test_resp_pkix_cert_pem_and_der),
        cmocka_unit_test(test_resp_unreadable_input_exits_2_one_line),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
