/* tools_roundtrip_test.c: `cmckit req --send` → `cmckit serve` → the resp report, for every
 * request kind: Full PKI Request enrollment with tcr and crm for RSA, P-256 and Ed25519
 * officers, Simple PKI Request (refused by the embedded policy; accepted by a server whose
 * config allows it), revoke, getcert, over HTTP and TCP. The server runs on a free loopback
 * port for the duration of this program; every run is bounded. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "tools_test_util.h"
#include "test_util.h"

static tt_result R;
static tt_server S;      /* embedded default, HTTP */
static tt_server S_TCP;  /* embedded default, TCP */
static tt_server S_OPEN; /* from a config without the officer requirement */

static X509 *read_pem_cert(const char *path) {
    FILE *f = fopen(path, "r");
    X509 *x = f != NULL ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
    if (f != NULL) {
        fclose(f);
    }
    return x;
}

static EVP_PKEY *read_pem_key(const char *path) {
    FILE *f = fopen(path, "r");
    EVP_PKEY *k = f != NULL ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
    if (f != NULL) {
        fclose(f);
    }
    return k;
}

static void assert_contains(const char *hay, const char *needle) {
    if (strstr(hay, needle) == NULL) {
        fail_msg("output lacks '%s':\n%s", needle, hay);
    }
}

/* The [server] config of the open server: the fixture files, no officer needed. */
static int write_open_config(const char *path) {
    char text[4096];
    snprintf(text, sizeof(text),
             "# test config: fixture PKI, enrollment without an officer\n"
             "[server]\n"
             "ca_certificate = %s\nca_key = %s\n"
             "signer_certificate = %s\nsigner_key = %s\n"
             "officer_trust_anchors = %s\n"
             "officers = officers\nstore = :memory:\n"
             "[officers]\nboth = officer_both\n"
             "[officer_both]\ncertificate = %s\nroles = enroll, revoke\n"
             "[policy]\nrequire_officer_for_enrollment = no\n",
             tt_pki("ca.cert.pem"), tt_pki("ca.key.pem"), tt_pki("signer.cert.pem"),
             tt_pki("signer.key.pem"), tt_pki("ca.cert.pem"), tt_pki("officer-both.cert.pem"));
    return tt_write(path, text, strlen(text));
}

static int group_setup(void **state) {
    (void)state;
    if (tt_tmp_setup() != 0) {
        return -1;
    }
    if (TT_SERVE_START(&S, "http", "--http", "127.0.0.1:0") != 0) {
        fprintf(stderr, "cannot start `cmckit serve`\n");
        return -1;
    }
    if (TT_SERVE_START(&S_TCP, "tcp", "--tcp", "127.0.0.1:0") != 0) {
        fprintf(stderr, "cannot start `cmckit serve` on TCP\n");
        return -1;
    }
    const char *cnf = tt_path("open.cnf");
    if (write_open_config(cnf) != 0 ||
        TT_SERVE_START(&S_OPEN, "http", "--config", cnf, "--http", "127.0.0.1:0") != 0) {
        fprintf(stderr, "cannot start `cmckit serve --config`\n");
        return -1;
    }
    return 0;
}

static int group_teardown(void **state) {
    (void)state;
    tt_serve_stop(&S);
    tt_serve_stop(&S_TCP);
    tt_serve_stop(&S_OPEN);
    tt_tmp_teardown();
    return 0;
}

/* enroll_full runs one officer-signed enrollment and checks the issued certificate: subject,
 * public key = the generated key, signed by the fixture CA. */
static void enroll_full(const tt_server *srv, const char *officer, const char *newkey,
                        const char *request, const char *tag) {
    char cn[64], subject[128], key_file[96], cert_file[96], off_key[128], off_cert[128];
    snprintf(cn, sizeof(cn), "rt %s", tag);
    snprintf(subject, sizeof(subject), "/O=cmckit test/CN=%s", cn);
    snprintf(key_file, sizeof(key_file), "%s.key", tag);
    snprintf(cert_file, sizeof(cert_file), "%s.pem", tag);
    snprintf(off_key, sizeof(off_key), "%s.key.pem", officer);
    snprintf(off_cert, sizeof(off_cert), "%s.cert.pem", officer);
    const char *kf = tt_path(key_file), *cf = tt_path(cert_file);
    assert_int_equal(TT_RUN(&R, "req", "enroll", "--newkey", newkey, "--keyout", kf, "--subject",
                            subject, "--request", request, "--sign-key", tt_pki(off_key),
                            "--sign-cert", tt_pki(off_cert), "--transaction-id", "31337", "--send",
                            srv->url, "--ca", tt_pki("ca.cert.pem"), "--resp-out", cf),
                     0);
    assert_contains(R.out, "result: success\n");
    X509 *issued = read_pem_cert(cf), *ca = read_pem_cert(tt_pki("ca.cert.pem"));
    EVP_PKEY *k = read_pem_key(kf);
    assert_non_null(issued);
    assert_non_null(k);
    char buf[128];
    assert_true(X509_NAME_get_text_by_NID(X509_get_subject_name(issued), NID_commonName, buf,
                                          sizeof(buf)) > 0);
    assert_string_equal(buf, cn);
    assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(issued), k), 1);
    assert_int_equal(X509_verify(issued, X509_get0_pubkey(ca)), 1);
    assert_int_equal(X509_NAME_cmp(X509_get_issuer_name(issued), X509_get_subject_name(ca)), 0);
    EVP_PKEY_free(k);
    X509_free(issued);
    X509_free(ca);
}

static void test_roundtrip_enroll_full_tcr_rsa_p256_ed25519(void **state) {
    (void)state;
    enroll_full(&S, "officer-both", "rsa", "tcr", "tcr-rsa");
    enroll_full(&S, "officer-both-p256", "p256", "tcr", "tcr-p256");
    enroll_full(&S, "officer-both-ed25519", "ed25519", "tcr", "tcr-ed25519");
}

static void test_roundtrip_enroll_full_crm_rsa_p256_ed25519(void **state) {
    (void)state;
    enroll_full(&S, "officer-both", "rsa", "crm", "crm-rsa");
    enroll_full(&S, "officer-both-p256", "p256", "crm", "crm-p256");
    enroll_full(&S, "officer-both-ed25519", "ed25519", "crm", "crm-ed25519");
}

static void test_roundtrip_enroll_over_tcp(void **state) {
    (void)state;
    assert_memory_equal(S_TCP.url, "tcp://", 6);
    enroll_full(&S_TCP, "officer-enroll", "p256", "tcr", "tcp-p256");
}

static void test_roundtrip_simple_refused_by_embedded_policy(void **state) {
    (void)state;
    assert_int_equal(TT_RUN(&R, "req", "enroll", "--newkey", "p256", "--subject", "/CN=simple",
                            "--send", S.url, "--ca", tt_pki("ca.cert.pem")),
                     1);
    /* RFC 5272 §3.1: an error about a Simple PKI Request names body part 1. */
    assert_contains(R.out, "status: bodyList {1} failed (2), failInfo badRequest (2)");
    assert_contains(R.out, "result: failed: a body part did not succeed\n");
}

static void test_roundtrip_simple_accepted_when_policy_allows(void **state) {
    (void)state;
    const char *cf = tt_path("simple.pem");
    assert_int_equal(TT_RUN(&R, "req", "enroll", "--newkey", "ed25519", "--subject",
                            "/CN=simple ok", "--send", S_OPEN.url, "--resp-out", cf),
                     0);
    assert_contains(R.out, "response: Simple PKI Response (certs-only)\n");
    assert_contains(R.out, "certificate: subject /CN=simple ok, serial 0x");
    assert_contains(R.out, "result: success\n");
    X509 *x = read_pem_cert(cf);
    assert_non_null(x);
    X509_free(x);
}

static void test_roundtrip_revoke_getcert_and_refusals(void **state) {
    (void)state;
    enroll_full(&S, "officer-both-p256", "p256", "tcr", "to-revoke");
    const char *cert = tt_path("to-revoke.pem");
    const char *ok_key = tt_pki("officer-both.key.pem"), *ok_cert = tt_pki("officer-both.cert.pem");
    const char *ca = tt_pki("ca.cert.pem");
    assert_int_equal(TT_RUN(&R, "req", "getcert", "--cert", cert, "--sign-key", ok_key,
                            "--sign-cert", ok_cert, "--send", S.url, "--ca", ca),
                     0);
    assert_contains(R.out, "statusString \"status=good\"");
    /* An officer without the revoke role is refused (DESIGN.md: failed / badRequest). */
    assert_int_equal(TT_RUN(&R, "req", "revoke", "--cert", cert, "--reason", "keyCompromise",
                            "--sign-key", tt_pki("officer-enroll.key.pem"), "--sign-cert",
                            tt_pki("officer-enroll.cert.pem"), "--send", S.url, "--ca", ca),
                     1);
    assert_contains(R.out, "failed (2), failInfo badRequest (2)");
    /* A reason outside the default policy (2 = cACompromise) is refused on that body part. */
    assert_int_equal(TT_RUN(&R, "req", "revoke", "--cert", cert, "--reason", "cACompromise",
                            "--sign-key", ok_key, "--sign-cert", ok_cert, "--send", S.url, "--ca",
                            ca),
                     1);
    assert_contains(R.out, "status: bodyList {2} failed (2), failInfo badRequest (2)");
    /* The real revocation, with every optional field (accepted and ignored). */
    assert_int_equal(TT_RUN(&R, "req", "revoke", "--cert", cert, "--reason", "keyCompromise",
                            "--invalidity-date", "20260630000000Z", "--passphrase", "pw",
                            "--comment", "test", "--transaction-id", "5", "--sign-key", ok_key,
                            "--sign-cert", ok_cert, "--send", S.url, "--ca", ca),
                     0);
    assert_contains(R.out, "transactionId: 5\n");
    /* IDs: transactionId 1, senderNonce 2, revokeRequest 3. */
    assert_contains(R.out, "status: bodyList {3} success (0), statusString \"status=revoked; "
                           "reason=1; time=");
    assert_contains(R.out, "nonce check: recipientNonce matches the senderNonce sent\n");
    assert_int_equal(TT_RUN(&R, "req", "getcert", "--cert", cert, "--sign-key", ok_key,
                            "--sign-cert", ok_cert, "--send", S.url, "--ca", ca),
                     0);
    assert_contains(R.out, "statusString \"status=revoked; reason=1; time=");
    assert_int_equal(TT_RUN(&R, "req", "revoke", "--cert", cert, "--reason", "1", "--sign-key",
                            ok_key, "--sign-cert", ok_cert, "--send", S.url, "--ca", ca),
                     1);
    assert_contains(R.out, "failed (2), failInfo badRequest (2), statusString \"already revoked");
    /* Unknown serial: badCertId. */
    assert_int_equal(TT_RUN(&R, "req", "revoke", "--issuer-cert", ca, "--serial", "0x0badc0de",
                            "--reason", "1", "--sign-key", ok_key, "--sign-cert", ok_cert, "--send",
                            S.url, "--ca", ca),
                     1);
    assert_contains(R.out, "failed (2), failInfo badCertId (4)");
}

static void test_roundtrip_saved_response_rechecked_by_resp(void **state) {
    (void)state;
    const char *saved = tt_path("saved.crp");
    assert_int_equal(TT_RUN(&R, "req", "enroll", "--newkey", "p256", "--subject", "/CN=saved",
                            "--sign-key", tt_pki("officer-both-p256.key.pem"), "--sign-cert",
                            tt_pki("officer-both-p256.cert.pem"), "--sender-nonce",
                            "0102030405060708", "--send", S.url, "--save-response", saved,
                            "--quiet"),
                     0);
    assert_string_equal(R.out, "result: success\n");
    assert_int_equal(TT_RUN(&R, "resp", saved, "--ca", tt_pki("ca.cert.pem"), "--check-nonce",
                            "0102030405060708"),
                     0);
    assert_contains(R.out, "signature: valid, chains to --ca, signer /O=cmckit test fixtures/"
                           "CN=cmckit fixture signer (TEST ONLY)\n");
    assert_contains(R.out, "recipientNonce: 0102030405060708\n");
    assert_int_equal(TT_RUN(&R, "resp", saved, "--check-nonce", "0102030405060709"), 1);
    assert_contains(R.out, "result: failed: recipientNonce does not match\n");
}

static void test_roundtrip_unreachable_server_exits_2(void **state) {
    (void)state;
    char url[64], want[128];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/cmc", tu_closed_port());
    snprintf(want, sizeof(want), "cmckit req: --send %s: connection refused", url);
    assert_int_equal(
        TT_RUN(&R, "req", "enroll", "--newkey", "p256", "--send", url, "--timeout", "5"), 2);
    assert_int_equal(tt_lines(R.err), 1);
    assert_contains(R.err, want);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_enroll_full_tcr_rsa_p256_ed25519),
        cmocka_unit_test(test_roundtrip_enroll_full_crm_rsa_p256_ed25519),
        cmocka_unit_test(test_roundtrip_enroll_over_tcp),
        cmocka_unit_test(test_roundtrip_simple_refused_by_embedded_policy),
        cmocka_unit_test(test_roundtrip_simple_accepted_when_policy_allows),
        cmocka_unit_test(test_roundtrip_revoke_getcert_and_refusals),
        cmocka_unit_test(test_roundtrip_saved_response_rechecked_by_resp),
        cmocka_unit_test(test_roundtrip_unreachable_server_exits_2),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
