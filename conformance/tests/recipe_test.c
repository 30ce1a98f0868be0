/* recipe_test.c: the recipe compiler (conformance/recipe.h). Every compiled request is
 * checked with the msg layer's verifier or OpenSSL's own parsers, and each fault a recipe
 * asks for is asserted at the exact verification stage it targets. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include <openssl/x509.h>

#include "cmc/msg.h"
#include "fixtures.h"
#include "recipe.h"

static const uint8_t kSeed[] = "recipe-test-seed";

/* contains: |needle| occurs in |hay| (memmem is a GNU extension). */
static int contains(const uint8_t *hay, size_t hay_len, const uint8_t *needle, size_t n) {
    for (size_t i = 0; n <= hay_len && i <= hay_len - n; i++) {
        if (memcmp(hay + i, needle, n) == 0) {
            return 1;
        }
    }
    return 0;
}

static json_t *parse(const char *text) {
    json_error_t err;
    json_t *j = json_loads(text, 0, &err);
    if (j == NULL) {
        print_message("bad test JSON: %s\n", err.text);
    }
    assert_non_null(j);
    return j;
}

static cmc_status compile(const char *recipe_text, const json_t *captures, uint8_t **out,
                          size_t *out_len, char *err, size_t err_len) {
    json_t *recipe = parse(recipe_text);
    cmc_recipe_context ctx;
    memset(&ctx, 0, sizeof(ctx));
    ctx.captures = captures;
    ctx.signing_time = CMC_FIXTURE_CLOCK;
    cmc_status s = cmc_recipe_compile(out, out_len, recipe, &ctx, err, err_len);
    json_decref(recipe);
    return s;
}

/* Verifies |der| as a Full PKI Request from a fixture officer at the fixture clock. */
static cmc_status verify_full(const uint8_t *der, size_t len) {
    X509 *ca = NULL;
    assert_int_equal(cmc_fixture_cert(&ca, "ca.cert.pem"), CMC_OK);
    X509_STORE *store = X509_STORE_new();
    assert_int_equal(X509_STORE_add_cert(store, ca), 1);
    cmc_verify_options opt;
    memset(&opt, 0, sizeof(opt));
    opt.trust = store;
    opt.verify_time = CMC_FIXTURE_CLOCK;
    cmc_verified v;
    cmc_verified_init(&v);
    cmc_status s = cmc_signed_data_verify(&v, der, len, &opt);
    if (s == CMC_OK) {
        cmc_pki_data *pd = NULL;
        assert_int_equal(cmc_pki_data_parse(&pd, v.content, v.content_len), CMC_OK);
        cmc_pki_data_free(pd);
    }
    cmc_verified_cleanup(&v);
    X509_STORE_free(store);
    X509_free(ca);
    return s;
}

/* compile_verify compiles |recipe_text| (which must succeed) and returns the verifier's
 * status for the result. */
static cmc_status compile_verify(const char *recipe_text) {
    uint8_t *der = NULL;
    size_t len = 0;
    assert_int_equal(compile(recipe_text, NULL, &der, &len, NULL, 0), CMC_OK);
    cmc_status st = verify_full(der, len);
    cmc_free(der);
    return st;
}

#define FULL_TCR(extra)                                                                            \
    "{\"type\": \"full\", \"signer\": {\"slot\": \"enroll\", \"fixture\": "                        \
    "\"officer-both-p256\"}, \"controls\": [{\"type\": \"transactionId\", \"id\": 1, "             \
    "\"value\": 7}, {\"type\": \"senderNonce\", \"id\": 2, \"value\": \"00112233\"}], "            \
    "\"requests\": [{\"type\": \"tcr\", \"id\": 10, \"key\": \"ee-p256\", \"subject\": "           \
    "\"/CN=x\"}]" extra "}"

static void test_recipe_compile_pkcs10_verifies(void **state) {
    (void)state;
    static const char *const kKeys[] = {"ee-rsa2048", "ee-p256", "ee-p384", "ee-ed25519"};
    for (size_t i = 0; i < 4; i++) {
        char text[256];
        snprintf(text, sizeof(text),
                 "{\"type\": \"pkcs10\", \"key\": \"%s\", \"subject\": \"/O=o/CN=%s\"}", kKeys[i],
                 kKeys[i]);
        uint8_t *der = NULL;
        size_t len = 0;
        assert_int_equal(compile(text, NULL, &der, &len, NULL, 0), CMC_OK);
        const uint8_t *p = der;
        X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)len);
        assert_non_null(req);
        assert_int_equal((size_t)(p - der), len);
        assert_int_equal(X509_REQ_verify(req, X509_REQ_get0_pubkey(req)), 1);
        X509_REQ_free(req);
        cmc_free(der);
    }
}

static void test_recipe_compile_pkcs10_broken_pop_fails_verify(void **state) {
    (void)state;
    uint8_t *der = NULL;
    size_t len = 0;
    assert_int_equal(compile("{\"type\": \"pkcs10\", \"key\": \"ee-p256\", \"pop\": \"broken\"}",
                             NULL, &der, &len, NULL, 0),
                     CMC_OK);
    const uint8_t *p = der;
    X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)len);
    assert_non_null(req);
    assert_int_not_equal(X509_REQ_verify(req, X509_REQ_get0_pubkey(req)), 1);
    X509_REQ_free(req);
    cmc_free(der);
}

static void test_recipe_compile_full_verifies(void **state) {
    (void)state;
    assert_int_equal(compile_verify(FULL_TCR("")), CMC_OK);
}

static void test_recipe_compile_full_faults_hit_their_stage(void **state) {
    (void)state;
    static const struct {
        const char *cms;
        cmc_status want;
    } kFaults[] = {
        {", \"cms\": {\"faults\": [\"digest\"]}", CMC_E_DIGEST},
        {", \"cms\": {\"faults\": [\"content\"]}", CMC_E_DIGEST},
        {", \"cms\": {\"faults\": [\"omit-digest-attr\"]}", CMC_E_DIGEST},
        {", \"cms\": {\"content_type_attr\": \"absent\"}", CMC_E_CONTENT_TYPE},
        {", \"cms\": {\"content_type_attr\": \"1.2.840.113549.1.7.1\"}", CMC_E_CONTENT_TYPE},
        {", \"cms\": {\"econtent_type\": \"1.2.840.113549.1.7.1\"}", CMC_E_CONTENT_TYPE},
        {", \"cms\": {\"faults\": [\"signature\"]}", CMC_E_SIGNATURE},
        {", \"cms\": {\"faults\": [\"digest\", \"signature\"]}", CMC_E_DIGEST},
        {", \"cms\": {\"detached\": true}", CMC_E_DETACHED},
        {", \"cms\": {\"ber\": true}", CMC_OK},
    };
    for (size_t i = 0; i < sizeof(kFaults) / sizeof(kFaults[0]); i++) {
        char text[1024];
        snprintf(text, sizeof(text), FULL_TCR("%s"), kFaults[i].cms);
        assert_int_equal(compile_verify(text), kFaults[i].want);
    }
}

static void test_recipe_compile_signer_certificates_fail_stage3(void **state) {
    (void)state;
    static const struct {
        const char *officer;
        cmc_status want;
    } kSigners[] = {
        {"officer-untrusted", CMC_E_SIGNER_UNTRUSTED},
        {"officer-expired", CMC_E_SIGNER_EXPIRED},
        {"officer-notyet", CMC_E_SIGNER_NOT_YET_VALID},
        {"officer-both-ed25519", CMC_OK},
        {"officer-both", CMC_OK},
    };
    for (size_t i = 0; i < sizeof(kSigners) / sizeof(kSigners[0]); i++) {
        char text[512];
        snprintf(text, sizeof(text),
                 "{\"type\": \"full\", \"signer\": {\"slot\": \"fixed\", \"fixture\": \"%s\"}, "
                 "\"requests\": [{\"type\": \"crm\", \"id\": 5, \"key\": \"ee-rsa2048\"}]}",
                 kSigners[i].officer);
        assert_int_equal(compile_verify(text), kSigners[i].want);
    }
}

static void test_recipe_compile_uses_credentials_and_captures(void **state) {
    (void)state;
    json_t *recipe = parse("{\"type\": \"full\", \"signer\": {\"slot\": \"revoke\", \"fixture\": "
                           "\"officer-revoke\"}, \"controls\": [{\"type\": \"revokeRequest\", "
                           "\"id\": 3, \"issuer\": \"$ca\", \"serial\": \"$issued_serial\", "
                           "\"reason\": 1}]}");
    json_t *captures = json_pack("{s:s}", "issued_serial", "0123abcd");
    /* A "vendor" credential: officer-both's key and certificate in the revoke slot. */
    cmc_credential vendor;
    memset(&vendor, 0, sizeof(vendor));
    assert_int_equal(cmc_fixture_key(&vendor.key, "officer-both.key.pem"), CMC_OK);
    assert_int_equal(cmc_fixture_cert(&vendor.cert, "officer-both.cert.pem"), CMC_OK);
    cmc_recipe_context ctx;
    memset(&ctx, 0, sizeof(ctx));
    ctx.revoke = &vendor;
    ctx.captures = captures;
    ctx.signing_time = CMC_FIXTURE_CLOCK;
    uint8_t *der = NULL;
    size_t len = 0;
    assert_int_equal(cmc_recipe_compile(&der, &len, recipe, &ctx, NULL, 0), CMC_OK);
    X509 *ca = NULL;
    assert_int_equal(cmc_fixture_cert(&ca, "ca.cert.pem"), CMC_OK);
    X509_STORE *store = X509_STORE_new();
    assert_int_equal(X509_STORE_add_cert(store, ca), 1);
    cmc_verify_options opt;
    memset(&opt, 0, sizeof(opt));
    opt.trust = store;
    opt.verify_time = CMC_FIXTURE_CLOCK;
    cmc_verified v;
    cmc_verified_init(&v);
    assert_int_equal(cmc_signed_data_verify(&v, der, len, &opt), CMC_OK);
    /* Signed by the substituted credential, not the fixture the recipe names. */
    assert_int_equal(X509_cmp(v.signer_cert, vendor.cert), 0);
    /* The captured serial 0x0123abcd appears as INTEGER content in the revokeRequest. */
    static const uint8_t kSerial[] = {0x02, 0x04, 0x01, 0x23, 0xab, 0xcd};
    assert_true(contains(v.content, v.content_len, kSerial, sizeof(kSerial)));
    /* And the issuer is the CA's subject. */
    uint8_t *name = NULL;
    int name_len = i2d_X509_NAME(X509_get_subject_name(ca), &name);
    assert_true(name_len > 0);
    assert_true(contains(v.content, v.content_len, name, (size_t)name_len));
    OPENSSL_free(name);
    cmc_verified_cleanup(&v);
    X509_STORE_free(store);
    X509_free(ca);
    cmc_free(der);
    EVP_PKEY_free(vendor.key);
    X509_free(vendor.cert);
    json_decref(captures);
    json_decref(recipe);
}

static void test_recipe_compile_rejects_missing_capture(void **state) {
    (void)state;
    char err[256];
    uint8_t *der = NULL;
    size_t len = 0;
    assert_int_equal(compile("{\"type\": \"full\", \"signer\": null, \"controls\": [{\"type\": "
                             "\"getCert\", \"id\": 3, \"issuer\": \"$ca\", \"serial\": "
                             "\"$issued_serial\"}]}",
                             NULL, &der, &len, err, sizeof(err)),
                     CMC_E_CONFIG);
    assert_null(der);
    assert_string_equal(err, "$issued_serial: no such captured value");
    assert_int_equal(
        compile("{\"type\": \"pkcs10\", \"key\": \"ee-dsa\"}", NULL, &der, &len, err, sizeof(err)),
        CMC_E_CONFIG);
    assert_string_equal(err, "key 'ee-dsa' is not in the fixture PKI");
    assert_int_equal(compile("{\"type\": \"soap\"}", NULL, &der, &len, err, sizeof(err)),
                     CMC_E_CONFIG);
    assert_string_equal(err, "unknown recipe type 'soap'");
}

static void test_recipe_compile_mutations(void **state) {
    (void)state;
    uint8_t *der = NULL;
    size_t len = 0;
    assert_int_equal(compile("{\"type\": \"raw\", \"hex\": \"3003020101\", \"mutations\": "
                             "[{\"op\": \"append\", \"hex\": \"ff00\"}, {\"op\": \"truncate\", "
                             "\"len\": 6}, {\"op\": \"pad\", \"len\": 9}]}",
                             NULL, &der, &len, NULL, 0),
                     CMC_OK);
    static const uint8_t kWant[] = {0x30, 0x03, 0x02, 0x01, 0x01, 0xff, 0x00, 0x00, 0x00};
    assert_int_equal(len, sizeof(kWant));
    assert_memory_equal(der, kWant, sizeof(kWant));
    cmc_free(der);
    der = NULL;
    char err[128];
    assert_int_equal(compile("{\"type\": \"raw\", \"hex\": \"30\", \"mutations\": [{\"op\": "
                             "\"truncate\", \"len\": 2}]}",
                             NULL, &der, &len, err, sizeof(err)),
                     CMC_E_CONFIG);
    assert_null(der);
    assert_int_equal(compile("{\"type\": \"raw\", \"hex\": \"30\", \"mutations\": [{\"op\": "
                             "\"pad\", \"len\": 99999999}]}",
                             NULL, &der, &len, err, sizeof(err)),
                     CMC_E_CONFIG);
}

static void test_recipe_compile_is_deterministic_under_seed(void **state) {
    (void)state;
    uint8_t *a = NULL;
    uint8_t *b = NULL;
    size_t a_len = 0;
    size_t b_len = 0;
    assert_int_equal(cmc_rand_deterministic_begin(kSeed, sizeof(kSeed)), CMC_OK);
    assert_int_equal(compile(FULL_TCR(""), NULL, &a, &a_len, NULL, 0), CMC_OK);
    assert_int_equal(cmc_rand_deterministic_begin(kSeed, sizeof(kSeed)), CMC_OK);
    assert_int_equal(compile(FULL_TCR(""), NULL, &b, &b_len, NULL, 0), CMC_OK);
    cmc_rand_deterministic_end();
    /* ECDSA officer and ECDSA PKCS#10: equal bytes only if every nonce came from the seed. */
    assert_int_equal(a_len, b_len);
    assert_memory_equal(a, b, a_len);
    cmc_free(a);
    cmc_free(b);
}

static void test_recipe_compile_nest_wraps_layers(void **state) {
    (void)state;
    assert_int_equal(compile_verify(FULL_TCR(", \"nest\": 2")), CMC_OK);
}

static void test_recipe_find_issued_and_capture(void **state) {
    (void)state;
    json_t *recipe = parse("{\"type\": \"pkcs10\", \"key\": \"officer-both-p256\"}");
    X509 *cert = NULL;
    X509 *other = NULL;
    assert_int_equal(cmc_fixture_cert(&cert, "officer-both-p256.cert.pem"), CMC_OK);
    assert_int_equal(cmc_fixture_cert(&other, "ca.cert.pem"), CMC_OK);
    STACK_OF(X509) *certs = sk_X509_new_null();
    sk_X509_push(certs, other);
    sk_X509_push(certs, cert);
    assert_ptr_equal(cmc_recipe_find_issued(recipe, certs), cert);
    char *hex = NULL;
    assert_int_equal(cmc_recipe_capture_value(&hex, "issued.serial", cert), CMC_OK);
    assert_string_equal(hex, "04"); /* fixture serial 4 */
    free(hex);
    assert_int_equal(cmc_recipe_capture_value(&hex, "issued.nothing", cert), CMC_E_ARG);
    sk_X509_pop_free(certs, X509_free);
    json_decref(recipe);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recipe_compile_pkcs10_verifies),
        cmocka_unit_test(test_recipe_compile_pkcs10_broken_pop_fails_verify),
        cmocka_unit_test(test_recipe_compile_full_verifies),
        cmocka_unit_test(test_recipe_compile_full_faults_hit_their_stage),
        cmocka_unit_test(test_recipe_compile_signer_certificates_fail_stage3),
        cmocka_unit_test(test_recipe_compile_uses_credentials_and_captures),
        cmocka_unit_test(test_recipe_compile_rejects_missing_capture),
        cmocka_unit_test(test_recipe_compile_mutations),
        cmocka_unit_test(test_recipe_compile_is_deterministic_under_seed),
        cmocka_unit_test(test_recipe_compile_nest_wraps_layers),
        cmocka_unit_test(test_recipe_find_issued_and_capture),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
