/* tools_req_test.c: `cmckit req` builds what its options say (checked by decoding the output
 * with libcmc and OpenSSL), reads keys in every supported form, takes options from a config
 * file, and refuses bad input with one clear line and exit 2. Runs the real binary (env
 * CMCKIT). Sending is covered by tools_roundtrip_test.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "asn1/cmc_local.h"
#include "cmc/msg.h"
#include "tools_test_util.h"

static tt_result R; /* large: keep off the stack */

static int group_setup(void **state) {
    (void)state;
    return tt_tmp_setup();
}

static int group_teardown(void **state) {
    (void)state;
    tt_tmp_teardown();
    return 0;
}

static X509 *load_cert_file(const char *path) {
    FILE *f = fopen(path, "r");
    X509 *x = f != NULL ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
    if (f != NULL) {
        fclose(f);
    }
    return x;
}

/* verify_file checks the SignedData in |path| against the fixture CA and returns the
 * decoded PKIData (or NULL); |*out_st| gets the verifier's status. */
static cmc_pki_data *verify_file(const char *path, cmc_status *out_st, cmc_verified *v,
                                 EVP_PKEY *ski_key) {
    size_t len = 0;
    unsigned char *der = tt_read(path, &len);
    assert_non_null(der);
    X509 *ca = load_cert_file(tt_pki("ca.cert.pem"));
    assert_non_null(ca);
    X509_STORE *store = X509_STORE_new();
    assert_int_equal(X509_STORE_add_cert(store, ca), 1);
    cmc_verify_options vo;
    memset(&vo, 0, sizeof(vo));
    vo.trust = store;
    EVP_PKEY *keys[1] = {ski_key};
    if (ski_key != NULL) {
        vo.ski_keys = keys;
        vo.num_ski_keys = 1;
    }
    cmc_verified_init(v);
    *out_st = cmc_signed_data_verify(v, der, len, &vo);
    cmc_pki_data *pd = NULL;
    if (v->content != NULL && cmc_pki_data_parse(&pd, v->content, v->content_len) != CMC_OK) {
        pd = NULL;
    }
    X509_STORE_free(store);
    X509_free(ca);
    free(der);
    return pd;
}

/* control_value returns the first attrValue of the control id-cmc-|n| in |pd|. */
static ASN1_TYPE *control_value(cmc_pki_data *pd, int n, long *out_bpid) {
    for (int i = 0; i < sk_CMC_TAGGED_ATTRIBUTE_num(pd->controlSequence); i++) {
        CMC_TAGGED_ATTRIBUTE *a = sk_CMC_TAGGED_ATTRIBUTE_value(pd->controlSequence, i);
        if (OBJ_obj2nid(a->attrType) == cmc_nid_control((cmc_control_id)n)) {
            if (out_bpid != NULL) {
                *out_bpid = ASN1_INTEGER_get(a->bodyPartID);
            }
            return sk_ASN1_TYPE_value(a->attrValues, 0);
        }
    }
    return NULL;
}

static X509_REQ *load_req_pem(const char *text) {
    BIO *b = BIO_new_mem_buf(text, -1);
    X509_REQ *r = PEM_read_bio_X509_REQ(b, NULL, NULL, NULL);
    BIO_free(b);
    return r;
}

static void assert_cn(const X509_NAME *name, const char *cn) {
    char buf[256];
    assert_true(X509_NAME_get_text_by_NID((X509_NAME *)name, NID_commonName, buf, sizeof(buf)) > 0);
    assert_string_equal(buf, cn);
}

/* ---- enroll ---- */

static void test_req_enroll_simple_pem_has_subject_and_pop(void **state) {
    (void)state;
    assert_int_equal(TT_RUN(&R, "req", "enroll", "--newkey", "p256", "--subject",
                            "/CN=tools simple/O=cmckit test", "--outform", "pem"),
                     0);
    assert_memory_equal(R.out, "-----BEGIN CERTIFICATE REQUEST-----", 35);
    X509_REQ *req = load_req_pem(R.out);
    assert_non_null(req);
    assert_cn(X509_REQ_get_subject_name(req), "tools simple");
    assert_int_equal(X509_REQ_verify(req, X509_REQ_get0_pubkey(req)), 1);
    assert_true(EVP_PKEY_is_a(X509_REQ_get0_pubkey(req), "EC"));
    X509_REQ_free(req);
}

static void test_req_enroll_newkey_writes_matching_keyout(void **state) {
    (void)state;
    const char *key = tt_path("ed.key"), *out = tt_path("ed.p10");
    assert_int_equal(TT_RUN(&R, "req", "enroll", "--newkey", "ed25519", "--keyout", key,
                            "--subject", "/CN=ed", "--out", out),
                     0);
    struct stat st;
    assert_int_equal(stat(key, &st), 0);
    assert_int_equal(st.st_mode & 077, 0); /* private key not readable by others */
    FILE *f = fopen(key, "r");
    EVP_PKEY *k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    size_t len = 0;
    unsigned char *der = tt_read(out, &len);
    const unsigned char *p = der;
    X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)len);
    assert_non_null(k);
    assert_non_null(req);
    assert_int_equal(EVP_PKEY_eq(k, X509_REQ_get0_pubkey(req)), 1);
    assert_true(EVP_PKEY_is_a(k, "ED25519"));
    X509_REQ_free(req);
    EVP_PKEY_free(k);
    free(der);
}

static void test_req_enroll_full_tcr_signed_by_officer(void **state) {
    (void)state;
    const char *out = tt_path("full-tcr.crq");
    assert_int_equal(TT_RUN(&R, "req", "enroll", "--key", tt_pki("ee-rsa2048.key.pem"), "--subject",
                            "/CN=full tcr", "--sign-key", tt_pki("officer-both-p256.key.pem"),
                            "--sign-cert", tt_pki("officer-both-p256.cert.pem"), "--transaction-id",
                            "4711", "--sender-nonce", "00112233aabbccdd", "--out", out),
                     0);
    cmc_status st;
    cmc_verified v;
    cmc_pki_data *pd = verify_file(out, &st, &v, NULL);
    assert_int_equal(st, CMC_OK);
    assert_non_null(v.signer_cert);
    assert_cn(X509_get_subject_name(v.signer_cert), "cmckit fixture officer-both-p256 (TEST ONLY)");
    assert_non_null(pd);
    ASN1_TYPE *tid = control_value(pd, CMC_CTRL_TRANSACTION_ID, NULL);
    assert_non_null(tid);
    assert_int_equal(tid->type, V_ASN1_INTEGER);
    assert_int_equal(ASN1_INTEGER_get(tid->value.integer), 4711);
    ASN1_TYPE *nonce = control_value(pd, CMC_CTRL_SENDER_NONCE, NULL);
    assert_non_null(nonce);
    assert_int_equal(nonce->type, V_ASN1_OCTET_STRING);
    assert_int_equal(ASN1_STRING_length(nonce->value.octet_string), 8);
    assert_memory_equal(ASN1_STRING_get0_data(nonce->value.octet_string),
                        "\x00\x11\x22\x33\xaa\xbb\xcc\xdd", 8);
    assert_int_equal(sk_CMC_TAGGED_REQUEST_num(pd->reqSequence), 1);
    CMC_TAGGED_REQUEST *tr = sk_CMC_TAGGED_REQUEST_value(pd->reqSequence, 0);
    assert_int_equal(tr->type, CMC_TAGGED_REQUEST_TCR);
    assert_cn(X509_REQ_get_subject_name(tr->value.tcr->certificationRequest), "full tcr");
    cmc_pki_data_free(pd);
    cmc_verified_cleanup(&v);
}

static void test_req_enroll_full_crm_self_signed_by_requested_key(void **state) {
    (void)state;
    const char *out = tt_path("crm.crq"), *key = tt_path("crm.key");
    assert_int_equal(TT_RUN(&R, "req", "enroll", "--newkey", "p256", "--keyout", key, "--subject",
                            "/CN=self crm", "--format", "full", "--request", "crm", "--out", out,
                            "--quiet"),
                     0);
    FILE *f = fopen(key, "r");
    EVP_PKEY *k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    assert_non_null(k);
    cmc_status st;
    cmc_verified v;
    cmc_pki_data *pd = verify_file(out, &st, &v, k);
    assert_int_equal(st, CMC_OK);
    assert_int_equal(v.ski_key_index, 0); /* SKI signer = the requested key (RFC 5272 §3.2) */
    assert_null(v.signer_cert);
    assert_non_null(pd);
    assert_int_equal(sk_CMC_TAGGED_REQUEST_num(pd->reqSequence), 1);
    assert_int_equal(sk_CMC_TAGGED_REQUEST_value(pd->reqSequence, 0)->type, CMC_TAGGED_REQUEST_CRM);
    assert_non_null(control_value(pd, CMC_CTRL_SENDER_NONCE, NULL)); /* random by default */
    assert_null(control_value(pd, CMC_CTRL_TRANSACTION_ID, NULL));
    cmc_pki_data_free(pd);
    cmc_verified_cleanup(&v);
    EVP_PKEY_free(k);
}

static void test_req_enroll_from_p10_file_wraps_it_unchanged(void **state) {
    (void)state;
    const char *p10 = tt_path("in.p10"), *out = tt_path("wrapped.crq");
    assert_int_equal(TT_RUN(&R, "req", "enroll", "--newkey", "p256", "--subject", "/CN=wrap",
                            "--outform", "pem", "--out", p10),
                     0);
    assert_int_equal(TT_RUN(&R, "req", "enroll", "--p10", p10, "--sign-key",
                            tt_pki("officer-both-ed25519.key.pem"), "--sign-cert",
                            tt_pki("officer-both-ed25519.cert.pem"), "--sender-nonce", "none",
                            "--out", out),
                     0);
    size_t len = 0;
    unsigned char *pem = tt_read(p10, &len);
    X509_REQ *orig = load_req_pem((const char *)pem);
    free(pem);
    cmc_status st;
    cmc_verified v;
    cmc_pki_data *pd = verify_file(out, &st, &v, NULL);
    assert_int_equal(st, CMC_OK); /* Ed25519 officer: RFC 8419 SignerInfo */
    assert_non_null(pd);
    assert_null(control_value(pd, CMC_CTRL_SENDER_NONCE, NULL));
    X509_REQ *inner =
        sk_CMC_TAGGED_REQUEST_value(pd->reqSequence, 0)->value.tcr->certificationRequest;
    unsigned char *a = NULL, *b = NULL;
    int alen = i2d_X509_REQ(orig, &a), blen = i2d_X509_REQ(inner, &b);
    assert_int_equal(alen, blen);
    assert_memory_equal(a, b, (size_t)alen);
    OPENSSL_free(a);
    OPENSSL_free(b);
    X509_REQ_free(orig);
    cmc_pki_data_free(pd);
    cmc_verified_cleanup(&v);
}

/* ---- revoke, getcert ---- */

static CMC_REVOKE_REQUEST *revoke_of(cmc_pki_data *pd) {
    ASN1_TYPE *t = control_value(pd, CMC_CTRL_REVOKE_REQUEST, NULL);
    assert_non_null(t);
    assert_int_equal(t->type, V_ASN1_SEQUENCE);
    const unsigned char *p = t->value.sequence->data;
    return d2i_CMC_REVOKE_REQUEST(NULL, &p, t->value.sequence->length);
}

static void test_req_revoke_carries_every_field(void **state) {
    (void)state;
    const char *out = tt_path("revoke.crq");
    assert_int_equal(TT_RUN(&R, "req", "revoke", "--issuer-cert", tt_pki("ca.cert.pem"), "--serial",
                            "0x01:23:45:67:89:ab:cd:ef:01", "--reason", "keyCompromise",
                            "--invalidity-date", "20260630120000Z", "--passphrase", "s3cret",
                            "--comment", "laptop lost", "--sign-key",
                            tt_pki("officer-revoke.key.pem"), "--sign-cert",
                            tt_pki("officer-revoke.cert.pem"), "--out", out),
                     0);
    cmc_status st;
    cmc_verified v;
    cmc_pki_data *pd = verify_file(out, &st, &v, NULL);
    assert_int_equal(st, CMC_OK);
    CMC_REVOKE_REQUEST *rr = revoke_of(pd);
    assert_non_null(rr);
    X509 *ca = load_cert_file(tt_pki("ca.cert.pem"));
    assert_int_equal(X509_NAME_cmp(rr->issuerName, X509_get_subject_name(ca)), 0);
    BIGNUM *bn = ASN1_INTEGER_to_BN(rr->serialNumber, NULL);
    char *hex = BN_bn2hex(bn);
    assert_string_equal(hex, "0123456789ABCDEF01");
    assert_int_equal(ASN1_ENUMERATED_get(rr->reason), 1);
    assert_non_null(rr->invalidityDate);
    assert_string_equal((const char *)ASN1_STRING_get0_data(rr->invalidityDate), "20260630120000Z");
    assert_int_equal(ASN1_STRING_length(rr->passphrase), 6);
    assert_memory_equal(ASN1_STRING_get0_data(rr->passphrase), "s3cret", 6);
    assert_string_equal((const char *)ASN1_STRING_get0_data(rr->comment), "laptop lost");
    OPENSSL_free(hex);
    BN_free(bn);
    X509_free(ca);
    CMC_REVOKE_REQUEST_free(rr);
    cmc_pki_data_free(pd);
    cmc_verified_cleanup(&v);
}

static void test_req_revoke_from_cert_reason_number_unsigned(void **state) {
    (void)state;
    const char *out = tt_path("revoke-unsigned.crq");
    /* Reason 7 is not a valid CRLReason: req sends it anyway (negative tests need it). */
    assert_int_equal(TT_RUN(&R, "req", "revoke", "--cert", tt_pki("officer-enroll.cert.pem"),
                            "--reason", "7", "--passphrase", "pw", "--out", out),
                     0);
    cmc_status st;
    cmc_verified v;
    cmc_pki_data *pd = verify_file(out, &st, &v, NULL);
    assert_int_equal(st, CMC_E_UNSIGNED); /* RFC 5272 §6.11: no SignerInfo */
    assert_int_equal(v.num_signers, 0);
    CMC_REVOKE_REQUEST *rr = revoke_of(pd);
    X509 *x = load_cert_file(tt_pki("officer-enroll.cert.pem"));
    assert_int_equal(ASN1_INTEGER_cmp(rr->serialNumber, X509_get0_serialNumber(x)), 0);
    assert_int_equal(X509_NAME_cmp(rr->issuerName, X509_get_issuer_name(x)), 0);
    assert_int_equal(ASN1_ENUMERATED_get(rr->reason), 7);
    assert_null(rr->invalidityDate);
    assert_null(rr->comment);
    X509_free(x);
    CMC_REVOKE_REQUEST_free(rr);
    cmc_pki_data_free(pd);
    cmc_verified_cleanup(&v);
}

static void test_req_getcert_names_issuer_and_serial(void **state) {
    (void)state;
    const char *out = tt_path("getcert.crq");
    assert_int_equal(TT_RUN(&R, "req", "getcert", "--cert", tt_pki("officer-norole.cert.pem"),
                            "--sign-key", tt_pki("officer-both.key.pem"), "--sign-cert",
                            tt_pki("officer-both.cert.pem"), "--outform", "pem", "--out", out),
                     0);
    size_t len = 0;
    unsigned char *pem = tt_read(out, &len);
    assert_memory_equal(pem, "-----BEGIN CMS-----", 19);
    free(pem);
    /* Decode the PEM to DER for the verifier. */
    BIO *b = BIO_new_file(out, "r");
    char *name = NULL, *header = NULL;
    unsigned char *der = NULL;
    long der_len = 0;
    assert_int_equal(PEM_read_bio(b, &name, &header, &der, &der_len), 1);
    BIO_free(b);
    const char *der_path = tt_path("getcert.der");
    assert_int_equal(tt_write(der_path, der, (size_t)der_len), 0);
    cmc_status st;
    cmc_verified v;
    cmc_pki_data *pd = verify_file(der_path, &st, &v, NULL);
    assert_int_equal(st, CMC_OK);
    ASN1_TYPE *t = control_value(pd, CMC_CTRL_GET_CERT, NULL);
    assert_non_null(t);
    const unsigned char *p = t->value.sequence->data;
    CMC_GET_CERT *gc = d2i_CMC_GET_CERT(NULL, &p, t->value.sequence->length);
    assert_non_null(gc);
    X509 *x = load_cert_file(tt_pki("officer-norole.cert.pem"));
    assert_int_equal(gc->issuerName->type, GEN_DIRNAME);
    assert_int_equal(X509_NAME_cmp(gc->issuerName->d.directoryName, X509_get_issuer_name(x)), 0);
    assert_int_equal(ASN1_INTEGER_cmp(gc->serialNumber, X509_get0_serialNumber(x)), 0);
    X509_free(x);
    CMC_GET_CERT_free(gc);
    cmc_pki_data_free(pd);
    cmc_verified_cleanup(&v);
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(der);
}

/* ---- keys in other forms, config file ---- */

static void test_req_reads_der_key_and_cert(void **state) {
    (void)state;
    FILE *f = fopen(tt_pki("officer-both-p256.key.pem"), "r");
    EVP_PKEY *k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    X509 *x = load_cert_file(tt_pki("officer-both-p256.cert.pem"));
    unsigned char *kder = NULL, *cder = NULL;
    int klen = i2d_PrivateKey(k, &kder), clen = i2d_X509(x, &cder);
    assert_int_equal(tt_write(tt_path("off.key.der"), kder, (size_t)klen), 0);
    assert_int_equal(tt_write(tt_path("off.cert.der"), cder, (size_t)clen), 0);
    const char *out = tt_path("der-signed.crq");
    assert_int_equal(TT_RUN(&R, "req", "enroll", "--newkey", "p256", "--sign-key",
                            tt_path("off.key.der"), "--sign-cert", tt_path("off.cert.der"), "--out",
                            out),
                     0);
    cmc_status st;
    cmc_verified v;
    cmc_pki_data *pd = verify_file(out, &st, &v, NULL);
    assert_int_equal(st, CMC_OK);
    assert_int_equal(X509_cmp(v.signer_cert, x), 0);
    cmc_pki_data_free(pd);
    cmc_verified_cleanup(&v);
    OPENSSL_free(kder);
    OPENSSL_free(cder);
    EVP_PKEY_free(k);
    X509_free(x);
}

static void test_req_encrypted_key_needs_pass_file(void **state) {
    (void)state;
    FILE *f = fopen(tt_pki("officer-both.key.pem"), "r");
    EVP_PKEY *k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    const char *enc = tt_path("enc.key"), *pass = tt_path("pass.txt");
    f = fopen(enc, "w");
    assert_int_equal(
        PEM_write_PrivateKey(f, k, EVP_aes_256_cbc(), NULL, 0, NULL, (void *)"correct horse"), 1);
    fclose(f);
    assert_int_equal(tt_write(pass, "correct horse\n", 14), 0);
    const char *cert = tt_pki("officer-both.cert.pem");
    assert_int_equal(TT_RUN(&R, "req", "enroll", "--newkey", "p256", "--sign-key", enc,
                            "--sign-cert", cert, "--pass-file", pass, "--out", tt_path("enc.crq"),
                            "--quiet"),
                     0);
    /* No terminal in ctest: a clear refusal instead of a hanging prompt. */
    assert_int_equal(TT_RUN(&R, "req", "enroll", "--newkey", "p256", "--sign-key", enc,
                            "--sign-cert", cert, "--out", tt_path("enc2.crq")),
                     2);
    assert_int_equal(tt_lines(R.err), 1);
    assert_non_null(strstr(R.err, "key is encrypted; give --pass-file FILE"));
    assert_int_equal(tt_write(pass, "wrong\n", 6), 0);
    assert_int_equal(TT_RUN(&R, "req", "enroll", "--newkey", "p256", "--sign-key", enc,
                            "--sign-cert", cert, "--pass-file", pass, "--out", tt_path("enc3.crq")),
                     2);
    assert_int_equal(tt_lines(R.err), 1);
    assert_non_null(strstr(R.err, "wrong pass phrase"));
    EVP_PKEY_free(k);
}

static void test_req_config_file_supplies_options_cli_wins(void **state) {
    (void)state;
    const char *cnf = tt_path("req.cnf");
    const char text[] = "# cmckit req options for a repeatable run\n"
                        "[req]\nnewkey = p256\nsubject = /CN=from config\nformat = simple\n"
                        "outform = pem\n"
                        "[other]\nnewkey = ed25519\nsubject = /CN=other section\n";
    assert_int_equal(tt_write(cnf, text, sizeof(text) - 1), 0);
    assert_int_equal(TT_RUN(&R, "req", "enroll", "--config", cnf), 0);
    X509_REQ *req = load_req_pem(R.out);
    assert_non_null(req);
    assert_cn(X509_REQ_get_subject_name(req), "from config");
    X509_REQ_free(req);
    assert_int_equal(TT_RUN(&R, "req", "enroll", "--config", cnf, "--subject", "/CN=from cli"), 0);
    req = load_req_pem(R.out);
    assert_non_null(req);
    assert_cn(X509_REQ_get_subject_name(req), "from cli");
    X509_REQ_free(req);
    assert_int_equal(
        TT_RUN(&R, "req", "enroll", "--config", cnf, "--section", "other", "--outform", "pem"), 0);
    req = load_req_pem(R.out);
    assert_non_null(req);
    assert_cn(X509_REQ_get_subject_name(req), "other section");
    assert_true(EVP_PKEY_is_a(X509_REQ_get0_pubkey(req), "ED25519"));
    X509_REQ_free(req);
    /* A misspelt key is an error, not silently ignored. */
    const char bad[] = "[req]\nnew_key = p256\n";
    assert_int_equal(tt_write(cnf, bad, sizeof(bad) - 1), 0);
    assert_int_equal(TT_RUN(&R, "req", "enroll", "--config", cnf), 2);
    assert_int_equal(tt_lines(R.err), 1);
    assert_non_null(strstr(R.err, "[req] unknown key new_key"));
}

/* ---- bad input: one line on stderr, exit 2 ---- */

static void expect_exit2(const char *fragment) {
    assert_int_equal(R.exit_code, 2);
    assert_int_equal(tt_lines(R.err), 1);
    assert_memory_equal(R.err, "cmckit req: ", 12);
    if (strstr(R.err, fragment) == NULL) {
        fail_msg("stderr '%s' lacks '%s'", R.err, fragment);
    }
    assert_int_equal(R.out_len, 0);
}

static void test_req_bad_input_one_line_exit_2(void **state) {
    (void)state;
    const char *junk = tt_path("junk.bin");
    assert_int_equal(tt_write(junk, "\x30\x03\x02\x01", 4), 0);
    TT_RUN(&R, "req");
    expect_exit2("give one of enroll, revoke, getcert");
    TT_RUN(&R, "req", "renew");
    expect_exit2("unknown request kind 'renew'");
    TT_RUN(&R, "req", "enroll", "--newkey", "p256", "--sign-key", tt_path("missing.key"));
    expect_exit2("missing.key: cannot open");
    TT_RUN(&R, "req", "enroll", "--newkey", "p256", "--sign-key", junk);
    expect_exit2("not a private key in PEM or DER");
    TT_RUN(&R, "req", "enroll", "--p10", junk);
    expect_exit2("not a PKCS#10 request");
    TT_RUN(&R, "req", "enroll", "--newkey", "dsa");
    expect_exit2("unknown algorithm 'dsa'");
    TT_RUN(&R, "req", "enroll", "--newkey", "p256", "--sign-key", tt_pki("officer-both.key.pem"),
           "--sign-cert", tt_pki("officer-both-p256.cert.pem"));
    expect_exit2("does not belong to --sign-cert");
    TT_RUN(&R, "req", "revoke", "--cert", tt_pki("officer-enroll.cert.pem"), "--reason", "lostIt");
    expect_exit2("unknown CRLReason 'lostIt'");
    TT_RUN(&R, "req", "revoke", "--issuer-cert", tt_pki("ca.cert.pem"), "--reason", "1");
    expect_exit2("give the serial");
    TT_RUN(&R, "req", "revoke", "--issuer-cert", tt_pki("ca.cert.pem"), "--serial", "12z",
           "--reason", "1");
    expect_exit2("not a decimal or 0x-hex number");
    TT_RUN(&R, "req", "getcert", "--cert", junk);
    expect_exit2("no certificate in PEM or DER");
    TT_RUN(&R, "req", "enroll", "--newkey", "p256", "--reason", "1");
    expect_exit2("--reason is for revoke, not enroll");
    TT_RUN(&R, "req", "enroll", "--newkey", "p256", "--frobnicate");
    expect_exit2("unknown option '--frobnicate'");
    TT_RUN(&R, "req", "enroll", "--newkey", "p256", "--request", "crm");
    expect_exit2("needs a Full PKI Request");
    TT_RUN(&R, "req", "enroll", "--newkey", "p256", "--ca", tt_pki("ca.cert.pem"));
    expect_exit2("--ca goes with --send");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_req_enroll_simple_pem_has_subject_and_pop),
        cmocka_unit_test(test_req_enroll_newkey_writes_matching_keyout),
        cmocka_unit_test(test_req_enroll_full_tcr_signed_by_officer),
        cmocka_unit_test(test_req_enroll_full_crm_self_signed_by_requested_key),
        cmocka_unit_test(test_req_enroll_from_p10_file_wraps_it_unchanged),
        cmocka_unit_test(test_req_revoke_carries_every_field),
        cmocka_unit_test(test_req_revoke_from_cert_reason_number_unsigned),
        cmocka_unit_test(test_req_getcert_names_issuer_and_serial),
        cmocka_unit_test(test_req_reads_der_key_and_cert),
        cmocka_unit_test(test_req_encrypted_key_needs_pass_file),
        cmocka_unit_test(test_req_config_file_supplies_options_cli_wins),
        cmocka_unit_test(test_req_bad_input_one_line_exit_2),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
