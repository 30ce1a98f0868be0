/* fixtures_cache_test.c: cmc_fixture_cert / cmc_fixture_key parse each fixture once
 * (fixtures.c) and hand out references to the cached certificate, from any thread, and fresh
 * copies of the cached key; freeing one leaves the others intact; failures are not cached
 * as successes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>

#include "fixtures.h"

static void test_fixture_cert_returns_shared_reference(void **state) {
    (void)state;
    X509 *a = NULL, *b = NULL;
    assert_int_equal(cmc_fixture_cert(&a, "ca.cert.pem"), CMC_OK);
    assert_int_equal(cmc_fixture_cert(&b, "ca.cert.pem"), CMC_OK);
    assert_ptr_equal(a, b);
    X509_free(a);
    /* b still holds its own reference. */
    assert_int_equal(X509_verify(b, X509_get0_pubkey(b)), 1);
    X509_free(b);
    X509 *c = NULL;
    assert_int_equal(cmc_fixture_cert(&c, "signer.cert.pem"), CMC_OK);
    assert_ptr_not_equal(c, b);
    X509_free(c);
}

static void test_fixture_key_returns_independent_copy(void **state) {
    (void)state;
    EVP_PKEY *a = NULL, *b = NULL;
    assert_int_equal(cmc_fixture_key(&a, "ee-p256.key.pem"), CMC_OK);
    assert_int_equal(cmc_fixture_key(&b, "ee-p256.key.pem"), CMC_OK);
    /* Fresh objects (no shared RSA blinding or other state), the same key. */
    assert_ptr_not_equal(a, b);
    assert_int_equal(EVP_PKEY_eq(a, b), 1);
    EVP_PKEY_free(a);
    assert_true(EVP_PKEY_is_a(b, "EC"));
    assert_int_equal(EVP_PKEY_get_bits(b), 256);
    EVP_PKEY_free(b);
}

static void test_fixture_wrong_kind_and_unknown_fail_every_time(void **state) {
    (void)state;
    for (int i = 0; i < 2; i++) {
        EVP_PKEY *k = NULL;
        X509 *x = NULL;
        assert_int_equal(cmc_fixture_key(&k, "ca.cert.pem"), CMC_E_DER);
        assert_null(k);
        assert_int_equal(cmc_fixture_cert(&x, "ca.key.pem"), CMC_E_DER);
        assert_null(x);
        assert_int_equal(cmc_fixture_cert(&x, "no-such.cert.pem"), CMC_E_NOT_FOUND);
        assert_int_equal(cmc_fixture_key(&k, NULL), CMC_E_NOT_FOUND);
    }
    cmc_error_clear();
}

#define CACHE_THREADS 8

static void *fetch(void *arg) {
    X509 **out = arg;
    if (cmc_fixture_cert(out, "officer-both.cert.pem") != CMC_OK) {
        *out = NULL;
    }
    return NULL;
}

static void test_fixture_cache_is_shared_across_threads(void **state) {
    (void)state;
    pthread_t th[CACHE_THREADS];
    X509 *got[CACHE_THREADS];
    for (int i = 0; i < CACHE_THREADS; i++) {
        assert_int_equal(pthread_create(&th[i], NULL, fetch, &got[i]), 0);
    }
    for (int i = 0; i < CACHE_THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_non_null(got[i]);
        assert_ptr_equal(got[i], got[0]);
    }
    for (int i = 0; i < CACHE_THREADS; i++) {
        X509_free(got[i]);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_cert_returns_shared_reference),
        cmocka_unit_test(test_fixture_key_returns_independent_copy),
        cmocka_unit_test(test_fixture_wrong_kind_and_unknown_fail_every_time),
        cmocka_unit_test(test_fixture_cache_is_shared_across_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
