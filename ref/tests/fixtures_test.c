/* fixtures_test.c: the embedded fixture PKI (ref/src/fixtures.h) holds exactly the files of
 * HELPERS.md "Fixed shared names", each with the role, key type, validity, issuer and
 * extensions specified there. The expectations are written out here, independently of the
 * generator in tools/vectors_pki.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "fixtures.h"

#define T2026 1767225600L /* 2026-01-01T00:00:00Z */
#define T2046 2398377600L /* 2046-01-01T00:00:00Z */
#define T2020 1577836800L
#define T2021 1609459200L
#define T2040 2208988800L
#define T2041 2240611200L

typedef enum { ROOT, SIGNER, OFFICER } kind;

/* Fields in the order a row reads; the padding does not matter in a test table. */
typedef struct { /* NOLINT(clang-analyzer-optin.performance.Padding) */
    const char *stem;
    kind kind;
    const char *key_type; /* "RSA-2048", "P-256", "P-384", "Ed25519" */
    const char *issuer;   /* NULL: self-signed */
    long not_before, not_after;
    int verify_error; /* X509_verify_cert error against ca at the fixture clock */
} expected_cert;

static const expected_cert kCerts[] = {
    {"ca", ROOT, "RSA-2048", NULL, T2026, T2046, X509_V_OK},
    {"signer", SIGNER, "RSA-2048", "ca", T2026, T2046, X509_V_OK},
    {"officer-both", OFFICER, "RSA-2048", "ca", T2026, T2046, X509_V_OK},
    {"officer-both-p256", OFFICER, "P-256", "ca", T2026, T2046, X509_V_OK},
    {"officer-both-ed25519", OFFICER, "Ed25519", "ca", T2026, T2046, X509_V_OK},
    {"officer-enroll", OFFICER, "P-256", "ca", T2026, T2046, X509_V_OK},
    {"officer-revoke", OFFICER, "P-256", "ca", T2026, T2046, X509_V_OK},
    {"officer-norole", OFFICER, "P-256", "ca", T2026, T2046, X509_V_OK},
    {"officer-unregistered", OFFICER, "P-256", "ca", T2026, T2046, X509_V_OK},
    {"officer-expired", OFFICER, "P-256", "ca", T2020, T2021, X509_V_ERR_CERT_HAS_EXPIRED},
    {"officer-notyet", OFFICER, "P-256", "ca", T2040, T2041, X509_V_ERR_CERT_NOT_YET_VALID},
    {"untrusted-ca", ROOT, "P-256", NULL, T2026, T2046, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT},
    {"officer-untrusted", OFFICER, "P-256", "untrusted-ca", T2026, T2046,
     X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY},
};
#define NUM_CERTS (sizeof(kCerts) / sizeof(kCerts[0]))

static const struct {
    const char *stem;
    const char *key_type;
} kEeKeys[] = {
    {"ee-rsa2048", "RSA-2048"},
    {"ee-p256", "P-256"},
    {"ee-p384", "P-384"},
    {"ee-ed25519", "Ed25519"},
};
#define NUM_EE (sizeof(kEeKeys) / sizeof(kEeKeys[0]))

static X509 *cert_of(const char *stem) {
    char name[64];
    snprintf(name, sizeof(name), "%s.cert.pem", stem);
    X509 *x = NULL;
    assert_int_equal(cmc_fixture_cert(&x, name), CMC_OK);
    return x;
}

static EVP_PKEY *key_of(const char *stem) {
    char name[64];
    snprintf(name, sizeof(name), "%s.key.pem", stem);
    EVP_PKEY *k = NULL;
    assert_int_equal(cmc_fixture_key(&k, name), CMC_OK);
    return k;
}

static void assert_key_type(EVP_PKEY *k, const char *key_type) {
    if (strcmp(key_type, "RSA-2048") == 0) {
        assert_true(EVP_PKEY_is_a(k, "RSA"));
        assert_int_equal(EVP_PKEY_get_bits(k), 2048);
    } else if (strcmp(key_type, "P-256") == 0 || strcmp(key_type, "P-384") == 0) {
        char group[32] = {0};
        size_t glen = 0;
        assert_true(EVP_PKEY_is_a(k, "EC"));
        assert_int_equal(EVP_PKEY_get_group_name(k, group, sizeof(group), &glen), 1);
        assert_string_equal(group, strcmp(key_type, "P-256") == 0 ? "prime256v1" : "secp384r1");
    } else {
        assert_string_equal(key_type, "Ed25519");
        assert_true(EVP_PKEY_is_a(k, "ED25519"));
    }
}

static void assert_test_only_header(const char *file) {
    size_t len = 0;
    const uint8_t *data = cmc_fixture_get(file, &len);
    assert_non_null(data);
    static const char kHead[] = "# TEST-ONLY material";
    assert_true(len > sizeof(kHead));
    assert_memory_equal(data, kHead, sizeof(kHead) - 1);
    assert_int_equal(data[len], 0); /* NUL after the data */
}

static void test_fixture_get_lists_exactly_the_shared_names(void **state) {
    (void)state;
    char name[64];
    for (size_t i = 0; i < NUM_CERTS; i++) {
        snprintf(name, sizeof(name), "%s.cert.pem", kCerts[i].stem);
        assert_test_only_header(name);
        snprintf(name, sizeof(name), "%s.key.pem", kCerts[i].stem);
        assert_test_only_header(name);
    }
    for (size_t i = 0; i < NUM_EE; i++) {
        snprintf(name, sizeof(name), "%s.key.pem", kEeKeys[i].stem);
        assert_test_only_header(name);
        snprintf(name, sizeof(name), "%s.cert.pem", kEeKeys[i].stem);
        assert_null(cmc_fixture_get(name, NULL));
    }
    assert_int_equal(cmc_fixture_count(), 2 * NUM_CERTS + NUM_EE);
    for (size_t i = 0; i < cmc_fixture_count(); i++) {
        assert_non_null(cmc_fixture_at(i));
        assert_non_null(cmc_fixture_at(i)->name);
    }
    assert_null(cmc_fixture_at(cmc_fixture_count()));
}

static void test_fixture_get_returns_null_for_unknown(void **state) {
    (void)state;
    size_t len = 42;
    assert_null(cmc_fixture_get("nope.pem", &len));
    assert_int_equal(len, 42);
    assert_null(cmc_fixture_get(NULL, &len));
    X509 *x = NULL;
    EVP_PKEY *k = NULL;
    assert_int_equal(cmc_fixture_cert(&x, "nope.cert.pem"), CMC_E_NOT_FOUND);
    assert_null(x);
    assert_int_equal(cmc_fixture_key(&k, "nope.key.pem"), CMC_E_NOT_FOUND);
    assert_null(k);
    /* A key file is not a certificate. */
    assert_int_equal(cmc_fixture_cert(&x, "ca.key.pem"), CMC_E_DER);
    assert_null(x);
}

static int has_eku(X509 *x, const char *oid) {
    EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
    int found = 0;
    ASN1_OBJECT *want = OBJ_txt2obj(oid, 1);
    for (int i = 0; eku != NULL && i < sk_ASN1_OBJECT_num(eku); i++) {
        if (OBJ_cmp(sk_ASN1_OBJECT_value(eku, i), want) == 0) {
            found = 1;
        }
    }
    int num = eku != NULL ? sk_ASN1_OBJECT_num(eku) : 0;
    ASN1_OBJECT_free(want);
    EXTENDED_KEY_USAGE_free(eku);
    return found ? num : 0; /* number of EKUs when |oid| is among them */
}

static void test_fixture_cert_matches_specification(void **state) {
    (void)state;
    for (size_t i = 0; i < NUM_CERTS; i++) {
        const expected_cert *e = &kCerts[i];
        X509 *x = cert_of(e->stem);
        EVP_PKEY *k = key_of(e->stem);
        assert_int_equal(X509_check_private_key(x, k), 1);
        assert_key_type(k, e->key_type);
        assert_int_equal(ASN1_TIME_cmp_time_t(X509_get0_notBefore(x), e->not_before), 0);
        assert_int_equal(ASN1_TIME_cmp_time_t(X509_get0_notAfter(x), e->not_after), 0);
        X509 *issuer = cert_of(e->issuer != NULL ? e->issuer : e->stem);
        assert_int_equal(X509_check_issued(issuer, x), X509_V_OK);
        assert_int_equal(X509_verify(x, X509_get0_pubkey(issuer)), 1);
        /* SKI present; AKI keyIdentifier = the issuer's SKI. */
        assert_non_null(X509_get0_subject_key_id(x));
        assert_non_null(X509_get0_authority_key_id(x));
        assert_int_equal(
            ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(x), X509_get0_subject_key_id(issuer)),
            0);
        uint32_t flags = X509_get_extension_flags(x);
        if (e->kind == ROOT) {
            assert_true(flags & EXFLAG_CA);
            assert_true(flags & EXFLAG_SS);
            assert_true(X509_get_key_usage(x) & KU_KEY_CERT_SIGN);
        } else {
            assert_false(flags & EXFLAG_CA);
            assert_int_equal(X509_get_key_usage(x), KU_DIGITAL_SIGNATURE);
        }
        if (e->kind == SIGNER) {
            assert_int_equal(has_eku(x, "1.3.6.1.5.5.7.3.27"), 1); /* id-kp-cmcCA only */
        } else if (e->kind == OFFICER) {
            assert_int_equal(has_eku(x, "1.3.6.1.5.5.7.3.28"), 2); /* id-kp-cmcRA + ... */
            assert_int_equal(has_eku(x, "1.3.6.1.5.5.7.3.2"), 2);  /* ... clientAuth */
        }
        X509_free(issuer);
        EVP_PKEY_free(k);
        X509_free(x);
    }
}

static void test_fixture_cert_chains_to_ca_at_fixture_clock(void **state) {
    (void)state;
    X509 *ca = cert_of("ca");
    X509_STORE *store = X509_STORE_new();
    assert_int_equal(X509_STORE_add_cert(store, ca), 1);
    for (size_t i = 0; i < NUM_CERTS; i++) {
        X509 *x = cert_of(kCerts[i].stem);
        X509_STORE_CTX *ctx = X509_STORE_CTX_new();
        assert_int_equal(X509_STORE_CTX_init(ctx, store, x, NULL), 1);
        X509_STORE_CTX_set_time(ctx, 0, (time_t)CMC_FIXTURE_CLOCK);
        X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_ANY);
        int ok = X509_verify_cert(ctx);
        assert_int_equal(X509_STORE_CTX_get_error(ctx), kCerts[i].verify_error);
        assert_int_equal(ok, kCerts[i].verify_error == X509_V_OK ? 1 : 0);
        X509_STORE_CTX_free(ctx);
        X509_free(x);
    }
    X509_STORE_free(store);
    X509_free(ca);
}

static void test_fixture_key_ee_types(void **state) {
    (void)state;
    for (size_t i = 0; i < NUM_EE; i++) {
        EVP_PKEY *k = key_of(kEeKeys[i].stem);
        assert_key_type(k, kEeKeys[i].key_type);
        EVP_PKEY_free(k);
    }
}

static void test_fixture_officers_registers_all_but_unregistered(void **state) {
    (void)state;
    size_t n = 0;
    const cmc_fixture_officer *o = cmc_fixture_officers(&n);
    assert_int_equal(n, 9);
    const unsigned both = CMC_FIXTURE_ROLE_ENROLL | CMC_FIXTURE_ROLE_REVOKE;
    for (size_t i = 0; i < n; i++) {
        char name[64];
        snprintf(name, sizeof(name), "%s.cert.pem", o[i].stem);
        assert_non_null(cmc_fixture_get(name, NULL));
        assert_string_not_equal(o[i].stem, "officer-unregistered");
        unsigned want = both;
        if (strcmp(o[i].stem, "officer-enroll") == 0) {
            want = CMC_FIXTURE_ROLE_ENROLL;
        } else if (strcmp(o[i].stem, "officer-revoke") == 0) {
            want = CMC_FIXTURE_ROLE_REVOKE;
        } else if (strcmp(o[i].stem, "officer-norole") == 0) {
            want = 0;
        }
        assert_int_equal(o[i].roles, want);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_get_lists_exactly_the_shared_names),
        cmocka_unit_test(test_fixture_get_returns_null_for_unknown),
        cmocka_unit_test(test_fixture_cert_matches_specification),
        cmocka_unit_test(test_fixture_cert_chains_to_ca_at_fixture_clock),
        cmocka_unit_test(test_fixture_key_ee_types),
        cmocka_unit_test(test_fixture_officers_registers_all_but_unregistered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
