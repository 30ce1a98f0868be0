/* dump_test.c: `cmckit dump` (tools/cmd_dump.c) and cmc_dump (cmc/dump.h) on messages built
 * in a temporary directory with the openssl CLI, so the bytes do not come from our own
 * encoder: a Full PKI Request (`openssl cms -sign ... -econtent_type id-cct-PKIData` over
 * genconf-made PKIData), a Full PKI Response, a PKCS #10 (`openssl req`), a certs-only
 * SignedData (`openssl crl2pkcs7 -nocrl`) and a PEM certificate. The output must name the
 * controls and their values; bad input gives one "offset N: expected" line and exit 1. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/cms.h>
#include <openssl/pem.h>

#include "cmc/dump.h"
#include "internal.h"
#include "kat/kat.h"

static char g_dir[] = "/tmp/cmc_dump_test_XXXXXX";

static const char *cmckit_path(void) {
    const char *p = getenv("CMCKIT");
    return p != NULL ? p : CMC_BINARY_DIR "/tools/cmckit";
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int sh(const char *fmt, ...) {
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* Build every input once: an officer key + self-signed certificate, the messages. */
static int setup(void **state) {
    (void)state;
    if (mkdtemp(g_dir) == NULL) {
        return -1;
    }
    const char *kat = getenv("CMC_SOURCE_DIR") != NULL ? getenv("CMC_SOURCE_DIR") : CMC_SOURCE_DIR;
    int rc = 0;
    rc |= sh("cd '%s' && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
             "-keyout k.pem -out c.pem -subj '/CN=dump officer' -days 2 2>/dev/null",
             g_dir);
    rc |= sh("cd '%s' && openssl cms -sign -binary -nodetach -econtent_type 1.3.6.1.5.5.7.12.2 "
             "-nosmimecap -signer c.pem -inkey k.pem -outform DER -out request.der "
             "-in '%s/ref/tests/kat/dump_pki_data.der'",
             g_dir, kat);
    rc |= sh("cd '%s' && openssl cms -sign -binary -nodetach -econtent_type 1.3.6.1.5.5.7.12.3 "
             "-nosmimecap -signer c.pem -inkey k.pem -outform DER -out response.der "
             "-in '%s/ref/tests/kat/pki_response_full.der'",
             g_dir, kat);
    rc |= sh("cd '%s' && openssl req -new -key k.pem -subj '/CN=dump client/O=cmckit' "
             "-addext subjectAltName=DNS:client.example -outform DER -out p10.der",
             g_dir);
    rc |= sh("cd '%s' && openssl crl2pkcs7 -nocrl -certfile c.pem -outform DER -out certs.der",
             g_dir);
    rc |= sh("cd '%s' && head -c 100 request.der > truncated.der && "
             "cat request.der > trailing.der && printf '\\000' >> trailing.der && "
             "printf '\\061' > wrongtag.der && tail -c +2 request.der >> wrongtag.der",
             g_dir);
    return rc == 0 ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    sh("rm -rf '%s'", g_dir);
    return 0;
}

typedef struct {
    int status;
    char *out;
    char *err;
} run_result;

static char *slurp(const char *path) {
    size_t n = 0;
    uint8_t *b = kat_read_path(path, &n);
    if (b == NULL) {
        return calloc(1, 1);
    }
    char *s = calloc(1, n + 1);
    memcpy(s, b, n);
    free(b);
    return s;
}

/* Run `cmckit dump ARGS` in the temp dir; capture exit status, stdout, stderr. */
static run_result dump(const char *args) {
    run_result r;
    r.status = sh("cd '%s' && '%s' dump %s > out.txt 2> err.txt", g_dir, cmckit_path(), args);
    char path[512];
    snprintf(path, sizeof(path), "%s/out.txt", g_dir);
    r.out = slurp(path);
    snprintf(path, sizeof(path), "%s/err.txt", g_dir);
    r.err = slurp(path);
    return r;
}

static void expect_all(const run_result *r, const char *const *want, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (strstr(r->out, want[i]) == NULL) {
            fail_msg("output lacks \"%s\":\n%s", want[i], r->out);
        }
    }
}

static void run_free(run_result *r) {
    free(r->out);
    free(r->err);
}

static void test_cmd_dump_full_pki_request_names_controls_and_values(void **state) {
    (void)state;
    run_result r = dump("request.der");
    assert_int_equal(r.status, 0);
    assert_string_equal(r.err, "");
    const char *want[] = {
        "ContentInfo: pkcs7-signedData (1.2.840.113549.1.7.2)",
        "SignedData:",
        "version: 3",
        "encapContentInfo: id-cct-PKIData (1.3.6.1.5.5.7.12.2)",
        "certificates: 1",
        "subject: CN=dump officer",
        "sid: issuerAndSerialNumber issuer CN=dump officer",
        "contentType: id-cct-PKIData (1.3.6.1.5.5.7.12.2)",
        "signingTime: 20",
        "messageDigest: ",
        "PKIData:",
        "transactionId (id-cmc-5), bodyPartID 1:\n          4242",
        "senderNonce (id-cmc-6), bodyPartID 2:\n          0011223344556677",
        "identification (id-cmc-2), bodyPartID 3:\n          \"officer-1\"",
        "revokeRequest (id-cmc-17), bodyPartID 4:",
        "issuerName: CN=kat ca",
        "serialNumber: 4660",
        "reason: keyCompromise (1)",
        "tcr (PKCS #10):",
        "subject: CN=kat client",
        "key: EC 256 bits (prime256v1)",
    };
    expect_all(&r, want, sizeof(want) / sizeof(want[0]));
    run_free(&r);
}

static void test_cmd_dump_full_pki_response_names_status_and_fail_info(void **state) {
    (void)state;
    run_result r = dump("response.der");
    assert_int_equal(r.status, 0);
    const char *want[] = {
        "encapContentInfo: id-cct-PKIResponse (1.3.6.1.5.5.7.12.3)",
        "contentType: id-cct-PKIResponse",
        "PKIResponse:",
        "statusInfoV2 (id-cmc-25), bodyPartID 1:",
        "cMCStatus: failed (2)",
        "bodyList: 7",
        "statusString: \"bad request\"",
        "failInfo: badRequest (2)",
        "transactionId (id-cmc-5), bodyPartID 2:\n          4328719365",
        "recipientNonce (id-cmc-7), bodyPartID 3:\n          00112233445566778899aabbccddeeff",
    };
    expect_all(&r, want, sizeof(want) / sizeof(want[0]));
    run_free(&r);
}

static void test_cmd_dump_pkcs10_names_subject_key_and_attributes(void **state) {
    (void)state;
    run_result r = dump("p10.der");
    assert_int_equal(r.status, 0);
    const char *want[] = {
        "CertificationRequest (PKCS #10, Simple PKI Request):",
        "subject: CN=dump client, O=cmckit",
        "key: EC 256 bits (prime256v1)",
        "attributes: 1",
        "extReq (1.2.840.113549.1.9.14)",
        "subjectAltName (2.5.29.17)",
    };
    expect_all(&r, want, sizeof(want) / sizeof(want[0]));
    run_free(&r);
}

static void test_cmd_dump_certs_only_lists_certificates(void **state) {
    (void)state;
    run_result r = dump("certs.der");
    assert_int_equal(r.status, 0);
    const char *want[] = {
        "version: 1",      "encapContentInfo: pkcs7-data (1.2.840.113549.1.7.1), no eContent",
        "certificates: 1", "subject: CN=dump officer",
        "signerInfos: 0",  "(certs-only: Simple PKI Response, RFC 5272 §4.1)",
    };
    expect_all(&r, want, sizeof(want) / sizeof(want[0]));
    run_free(&r);
}

static void test_cmd_dump_reads_pem_certificate_and_stdin(void **state) {
    (void)state;
    run_result r = dump("c.pem");
    assert_int_equal(r.status, 0);
    const char *want[] = {"-----CERTIFICATE-----", "Certificate:", "subject: CN=dump officer",
                          "key: EC 256 bits"};
    expect_all(&r, want, sizeof(want) / sizeof(want[0]));
    run_free(&r);
    r = dump("- < p10.der");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "subject: CN=dump client, O=cmckit"));
    run_free(&r);
}

/* One line on stderr, nothing on stdout, exit status 1. */
static void expect_bad(const char *file, const char *want_err) {
    run_result r = dump(file);
    assert_int_equal(r.status, 1);
    assert_string_equal(r.out, "");
    if (strcmp(r.err, want_err) != 0) {
        fail_msg("stderr for %s:\n got: %s\nwant: %s", file, r.err, want_err);
    }
    run_free(&r);
}

static void test_cmd_dump_rejects_bad_input_with_offset(void **state) {
    (void)state;
    char want[512];
    size_t len = 0;
    char path[512];
    snprintf(path, sizeof(path), "%s/request.der", g_dir);
    uint8_t *req = kat_read_path(path, &len);
    assert_non_null(req);
    /* The outer SEQUENCE header is 30 82 hi lo: content length = len - 4. */
    snprintf(want, sizeof(want),
             "cmckit dump: truncated.der: offset 0: expected SEQUENCE of %zu content bytes, "
             "but only 96 remain\n",
             len - 4);
    expect_bad("truncated.der", want);
    snprintf(want, sizeof(want),
             "cmckit dump: trailing.der: offset %zu: expected end of input after the outer "
             "element\n",
             len);
    expect_bad("trailing.der", want);
    expect_bad("wrongtag.der", "cmckit dump: wrongtag.der: offset 0: expected SEQUENCE (a "
                               "ContentInfo, PKCS #10 request or certificate), found SET\n");
    free(req);
}

/* Library call: the offset of an error inside a bare PKIData, exactly. */
static void test_cmc_dump_names_offset_of_bad_request_choice(void **state) {
    (void)state;
    size_t len = 0;
    uint8_t *in = kat_load("pki_data_wrong_choice.der", &len);
    BIO *out = BIO_new(BIO_s_mem());
    char err[CMC_DUMP_ERR_LEN];
    assert_int_equal(cmc_dump(out, in, len, err, sizeof(err)), CMC_E_TAG);
    assert_string_equal(err, "offset 26: expected TaggedRequest tcr [0], crm [1] or orm [2], "
                             "found [3]");
    assert_int_equal(BIO_pending(out), 0);
    BIO_free(out);
    free(in);
}

/* The schema walker names the PKCS #10 field it expected. */
static void test_cmc_dump_names_offset_in_bad_pkcs10(void **state) {
    (void)state;
    size_t len = 0;
    uint8_t *in = kat_load("dump_pkcs10_garbage.der", &len);
    BIO *out = BIO_new(BIO_s_mem());
    char err[CMC_DUMP_ERR_LEN];
    assert_int_equal(cmc_dump(out, in, len, err, sizeof(err)), CMC_E_TAG);
    assert_string_equal(err, "offset 7: expected SEQUENCE (certificationRequestInfo.subject "
                             "Name), found OCTET STRING");
    BIO_free(out);
    free(in);
}

/* wrap_signed returns DER of SignedData(PKIData{cmsSequence: [bodyPartID 9: |inner|]}),
 * signed with the temp officer key (an RA layer, RFC 5272 §7). */
static uint8_t *wrap_signed(const uint8_t *inner, size_t inner_len, size_t *out_len) {
    char path[512];
    snprintf(path, sizeof(path), "%s/k.pem", g_dir);
    BIO *kb = BIO_new_file(path, "r");
    EVP_PKEY *key = PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL);
    BIO_free(kb);
    snprintf(path, sizeof(path), "%s/c.pem", g_dir);
    BIO *cb = BIO_new_file(path, "r");
    X509 *cert = PEM_read_bio_X509(cb, NULL, NULL, NULL);
    BIO_free(cb);
    assert_non_null(key);
    assert_non_null(cert);
    CMC_PKI_DATA *pd = CMC_PKI_DATA_new();
    CMC_TAGGED_CONTENT_INFO *tci = CMC_TAGGED_CONTENT_INFO_new();
    const uint8_t *p = inner;
    CMS_ContentInfo_free(tci->contentInfo);
    tci->contentInfo = d2i_CMS_ContentInfo(NULL, &p, (long)inner_len);
    assert_non_null(tci->contentInfo);
    assert_true(ASN1_INTEGER_set(tci->bodyPartID, 9));
    assert_true(sk_CMC_TAGGED_CONTENT_INFO_push(pd->cmsSequence, tci) > 0);
    uint8_t *pd_der = NULL;
    size_t pd_len = 0;
    assert_int_equal(cmc_pki_data_to_der(pd, &pd_der, &pd_len), CMC_OK);
    BIO *data = BIO_new_mem_buf(pd_der, (int)pd_len);
    CMS_ContentInfo *cms =
        CMS_sign(cert, key, NULL, NULL, CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP);
    assert_non_null(cms);
    assert_true(CMS_set1_eContentType(cms, OBJ_nid2obj(NID_id_cct_PKIData)));
    assert_true(CMS_final(cms, data, NULL, CMS_BINARY));
    uint8_t *out = NULL;
    int len = i2d_CMS_ContentInfo(cms, &out);
    assert_true(len > 0);
    *out_len = (size_t)len;
    CMS_ContentInfo_free(cms);
    BIO_free(data);
    cmc_free(pd_der);
    CMC_PKI_DATA_free(pd);
    X509_free(cert);
    EVP_PKEY_free(key);
    return out;
}

/* An RA layer around the Full PKI Request: the nested layer is dumped in full. */
static void test_cmc_dump_prints_nested_layers(void **state) {
    (void)state;
    size_t len = 0;
    char path[512];
    snprintf(path, sizeof(path), "%s/request.der", g_dir);
    uint8_t *req = kat_read_path(path, &len);
    assert_non_null(req);
    size_t outer_len = 0;
    uint8_t *outer = wrap_signed(req, len, &outer_len);
    BIO *out = BIO_new(BIO_s_mem());
    char err[CMC_DUMP_ERR_LEN];
    assert_int_equal(cmc_dump(out, outer, outer_len, err, sizeof(err)), CMC_OK);
    assert_int_equal(BIO_write(out, "", 1), 1);
    char *text = NULL;
    BIO_get_mem_data(out, &text);
    const char *want[] = {"cmsSequence body part 9:\n        ContentInfo: pkcs7-signedData",
                          "revokeRequest (id-cmc-17), bodyPartID 4:", "reason: keyCompromise (1)"};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        if (strstr(text, want[i]) == NULL) {
            fail_msg("output lacks \"%s\":\n%s", want[i], text);
        }
    }
    BIO_free(out);
    OPENSSL_free(outer);
    free(req);
}

/* CMC_MAX_NESTING + 1 RA layers: CMC_E_LIMIT, and the offset of the layer too deep. */
static void test_cmc_dump_limits_nesting(void **state) {
    (void)state;
    size_t len = 0;
    char path[512];
    snprintf(path, sizeof(path), "%s/request.der", g_dir);
    uint8_t *der = kat_read_path(path, &len);
    assert_non_null(der);
    for (int i = 0; i < CMC_MAX_NESTING + 1; i++) {
        size_t n = 0;
        uint8_t *w = wrap_signed(der, len, &n);
        if (i == 0) {
            free(der);
        } else {
            OPENSSL_free(der);
        }
        der = w;
        len = n;
    }
    BIO *out = BIO_new(BIO_s_mem());
    char err[CMC_DUMP_ERR_LEN];
    assert_int_equal(cmc_dump(out, der, len, err, sizeof(err)), CMC_E_LIMIT);
    assert_true(strncmp(err, "offset ", 7) == 0);
    assert_non_null(strstr(err, ": expected at most 8 nested ContentInfo layers"));
    assert_int_equal(BIO_pending(out), 0);
    BIO_free(out);
    OPENSSL_free(der);
}

/* Every truncation and every single-byte corruption of the Full PKI Request fails cleanly
 * (an "offset N: expected" line, never a crash; ASan runs this too) or dumps. */
static void test_cmc_dump_survives_every_truncation_and_bit_flip(void **state) {
    (void)state;
    size_t len = 0;
    char path[512];
    snprintf(path, sizeof(path), "%s/request.der", g_dir);
    uint8_t *req = kat_read_path(path, &len);
    assert_non_null(req);
    BIO *out = BIO_new(BIO_s_mem());
    char err[CMC_DUMP_ERR_LEN];
    for (size_t n = 0; n < len; n++) {
        assert_int_not_equal(cmc_dump(out, req, n, err, sizeof(err)), CMC_OK);
        assert_true(strncmp(err, "offset ", 7) == 0);
        assert_int_equal(BIO_pending(out), 0);
    }
    uint8_t *copy = malloc(len + 1); /* + 1: never a zero-byte allocation */
    assert_non_null(copy);
    for (size_t i = 0; i < len; i++) {
        memcpy(copy, req, len);
        copy[i] ^= 0x5A;
        err[0] = 'x';
        cmc_status st = cmc_dump(out, copy, len, err, sizeof(err));
        if (st != CMC_OK) {
            assert_true(strncmp(err, "offset ", 7) == 0);
        }
        (void)BIO_reset(out);
    }
    free(copy);
    BIO_free(out);
    free(req);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cmd_dump_full_pki_request_names_controls_and_values),
        cmocka_unit_test(test_cmd_dump_full_pki_response_names_status_and_fail_info),
        cmocka_unit_test(test_cmd_dump_pkcs10_names_subject_key_and_attributes),
        cmocka_unit_test(test_cmd_dump_certs_only_lists_certificates),
        cmocka_unit_test(test_cmd_dump_reads_pem_certificate_and_stdin),
        cmocka_unit_test(test_cmd_dump_rejects_bad_input_with_offset),
        cmocka_unit_test(test_cmc_dump_names_offset_of_bad_request_choice),
        cmocka_unit_test(test_cmc_dump_names_offset_in_bad_pkcs10),
        cmocka_unit_test(test_cmc_dump_prints_nested_layers),
        cmocka_unit_test(test_cmc_dump_limits_nesting),
        cmocka_unit_test(test_cmc_dump_survives_every_truncation_and_bit_flip),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
