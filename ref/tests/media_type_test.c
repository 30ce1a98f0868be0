#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "cmc/media_type.h"

static cmc_status parse(const char *s, cmc_media_type *t) {
    return cmc_media_type_parse(t, s, strlen(s));
}

static void expect_type(const char *s, cmc_media_type want) {
    cmc_media_type t = (cmc_media_type)-1;
    if (parse(s, &t) != CMC_OK || t != want) {
        fail_msg("\"%s\": got %d, want %d", s, (int)t, (int)want);
    }
}

static void expect_bad(const char *s, cmc_status want) {
    cmc_media_type t = CMC_MEDIA_COUNT;
    cmc_status st = parse(s, &t);
    if (st != want) {
        fail_msg("\"%s\": got status %s, want %s", s, cmc_status_name(st), cmc_status_name(want));
    }
    assert_int_equal(t, CMC_MEDIA_COUNT); /* untouched on error */
}

static void test_media_type_parse_request_spellings(void **state) {
    (void)state;
    expect_type("application/pkcs10", CMC_MEDIA_PKCS10);
    expect_type("Application/PKCS10", CMC_MEDIA_PKCS10);
    expect_type("application/pkcs7-mime; smime-type=CMC-request", CMC_MEDIA_CMC_REQUEST);
    expect_type("application/pkcs7-mime; smime-type=CMC-Request", CMC_MEDIA_CMC_REQUEST);
    expect_type("application/pkcs7-mime; smime-type=cmc-request", CMC_MEDIA_CMC_REQUEST);
    expect_type("application/pkcs7-mime;smime-type=\"CMC-request\"", CMC_MEDIA_CMC_REQUEST);
    expect_type("APPLICATION/PKCS7-MIME ; SMIME-TYPE=CMC-REQUEST ; name=request.p7m",
                CMC_MEDIA_CMC_REQUEST);
    expect_type("  application/pkcs7-mime;\tname=\"a;b\\\"c\"; smime-type=cmc-request  ",
                CMC_MEDIA_CMC_REQUEST);
    expect_type("application/pkcs7-mime; smime-type=CMC-request;", CMC_MEDIA_CMC_REQUEST);
}

static void test_media_type_parse_response_spellings(void **state) {
    (void)state;
    expect_type("application/pkcs7-mime; smime-type=CMC-response", CMC_MEDIA_CMC_RESPONSE);
    expect_type("application/pkcs7-mime; smime-type=cmc-response", CMC_MEDIA_CMC_RESPONSE);
    expect_type("application/pkcs7-mime; smime-type=certs-only", CMC_MEDIA_CERTS_ONLY);
    expect_type("application/pkcs7-mime; smime-type=certsonly", CMC_MEDIA_CERTS_ONLY);
    expect_type("application/pkcs7-mime; smime-type=CertsOnly", CMC_MEDIA_CERTS_ONLY);
    expect_type("application/pkix-cert", CMC_MEDIA_PKIX_CERT);
}

static void test_media_type_parse_distinguishes_untyped_pkcs7(void **state) {
    (void)state;
    expect_type("application/pkcs7-mime", CMC_MEDIA_PKCS7_MIME);
    expect_type("application/pkcs7-mime; name=x.p7m", CMC_MEDIA_PKCS7_MIME);
    expect_type("application/pkcs7-mime; smime-type=signed-data", CMC_MEDIA_OTHER);
    expect_type("application/pkcs7-mime; smime-type=\"\"", CMC_MEDIA_OTHER);
}

static void test_media_type_parse_other_types(void **state) {
    (void)state;
    expect_type("text/plain", CMC_MEDIA_OTHER);
    expect_type("application/octet-stream", CMC_MEDIA_OTHER);
    expect_type("application/x-pkcs10", CMC_MEDIA_OTHER);
    expect_type("text/pkcs10", CMC_MEDIA_OTHER);
    expect_type("application/pkcs7-signature", CMC_MEDIA_OTHER);
}

static void test_media_type_parse_rejects_bad_syntax(void **state) {
    (void)state;
    expect_bad("", CMC_E_MEDIA_TYPE);
    expect_bad("   ", CMC_E_MEDIA_TYPE);
    expect_bad("application", CMC_E_MEDIA_TYPE);
    expect_bad("application/", CMC_E_MEDIA_TYPE);
    expect_bad("/pkcs10", CMC_E_MEDIA_TYPE);
    expect_bad("application /pkcs10", CMC_E_MEDIA_TYPE);
    expect_bad("application/pkcs10 x", CMC_E_MEDIA_TYPE);
    expect_bad("application/pkcs7-mime; smime-type", CMC_E_MEDIA_TYPE);
    expect_bad("application/pkcs7-mime; smime-type =CMC-request", CMC_E_MEDIA_TYPE);
    expect_bad("application/pkcs7-mime; smime-type=", CMC_E_MEDIA_TYPE);
    expect_bad("application/pkcs7-mime; smime-type=\"CMC-request", CMC_E_MEDIA_TYPE);
    expect_bad("application/pkcs7-mime; smime-type=\"a\\", CMC_E_MEDIA_TYPE);
    expect_bad("application/pkcs7-mime; smime-type=CMC-request; smime-type=CMC-request",
               CMC_E_MEDIA_TYPE);
    expect_bad("application/pkcs10\r\n", CMC_E_MEDIA_TYPE);
    expect_bad("application/pkcs10, text/plain", CMC_E_MEDIA_TYPE);
    expect_bad("*/*", CMC_E_MEDIA_TYPE);
    expect_bad("application/*", CMC_E_MEDIA_TYPE);
    expect_bad("application/pkcs7-mime; smime-type=\"a\x01\"", CMC_E_MEDIA_TYPE);
}

static void test_media_type_parse_rejects_embedded_nul(void **state) {
    (void)state;
    static const char kNul[] = "application/pkcs10\0; smime-type=x";
    cmc_media_type t = CMC_MEDIA_COUNT;
    assert_int_equal(cmc_media_type_parse(&t, kNul, sizeof(kNul) - 1), CMC_E_MEDIA_TYPE);
    assert_int_equal(t, CMC_MEDIA_COUNT);
}

static void test_media_type_parse_rejects_over_limit(void **state) {
    (void)state;
    char buf[CMC_MAX_MEDIA_TYPE_LEN + 2];
    const char *head = "application/pkcs10; x=";
    memset(buf, 'a', sizeof(buf));
    memcpy(buf, head, strlen(head));
    cmc_media_type t = CMC_MEDIA_COUNT;
    assert_int_equal(cmc_media_type_parse(&t, buf, CMC_MAX_MEDIA_TYPE_LEN), CMC_OK);
    assert_int_equal(t, CMC_MEDIA_PKCS10);
    t = CMC_MEDIA_COUNT;
    assert_int_equal(cmc_media_type_parse(&t, buf, CMC_MAX_MEDIA_TYPE_LEN + 1), CMC_E_LIMIT);
    assert_int_equal(t, CMC_MEDIA_COUNT);
    assert_int_equal(cmc_media_type_parse(&t, NULL, 0), CMC_E_ARG);
    assert_int_equal(cmc_media_type_parse(NULL, "a/b", 3), CMC_E_ARG);
}

static void test_media_type_str_emits_table_spelling(void **state) {
    (void)state;
    assert_string_equal(cmc_media_type_str(CMC_MEDIA_PKCS10), "application/pkcs10");
    assert_string_equal(cmc_media_type_str(CMC_MEDIA_CMC_REQUEST),
                        "application/pkcs7-mime; smime-type=CMC-request");
    assert_string_equal(cmc_media_type_str(CMC_MEDIA_CMC_RESPONSE),
                        "application/pkcs7-mime; smime-type=CMC-response");
    assert_string_equal(cmc_media_type_str(CMC_MEDIA_CERTS_ONLY),
                        "application/pkcs7-mime; smime-type=certs-only");
    assert_string_equal(cmc_media_type_str(CMC_MEDIA_PKIX_CERT), "application/pkix-cert");
    assert_string_equal(cmc_media_type_str(CMC_MEDIA_PKCS7_MIME), "application/pkcs7-mime");
    assert_null(cmc_media_type_str(CMC_MEDIA_OTHER));
    assert_null(cmc_media_type_str(CMC_MEDIA_COUNT));
    /* Every emitted spelling parses back to its own type. */
    for (int t = CMC_MEDIA_PKCS10; t < CMC_MEDIA_COUNT; t++) {
        expect_type(cmc_media_type_str((cmc_media_type)t), (cmc_media_type)t);
    }
}

static cmc_media_accept accept_of(const char *s) {
    cmc_media_accept a;
    memset(&a, 0xAA, sizeof(a));
    cmc_status st = cmc_media_accept_parse(&a, s, s == NULL ? 0 : strlen(s));
    if (st != CMC_OK) {
        fail_msg("accept \"%s\": %s", s != NULL ? s : "(absent)", cmc_status_name(st));
    }
    return a;
}

static void test_media_accept_parse_absent_means_anything(void **state) {
    (void)state;
    cmc_media_accept a = accept_of(NULL);
    assert_int_equal(a.q[CMC_MEDIA_CERTS_ONLY], 1000);
    assert_int_equal(a.q[CMC_MEDIA_CMC_RESPONSE], 1000);
    assert_int_equal(a.q[CMC_MEDIA_PKIX_CERT], 1000);
    a = accept_of("  ");
    assert_int_equal(a.q[CMC_MEDIA_PKIX_CERT], 1000);
}

static void test_media_accept_parse_exact_and_wildcards(void **state) {
    (void)state;
    cmc_media_accept a = accept_of("application/pkix-cert");
    assert_int_equal(a.q[CMC_MEDIA_PKIX_CERT], 1000);
    assert_int_equal(a.q[CMC_MEDIA_CERTS_ONLY], 0);
    assert_int_equal(a.q[CMC_MEDIA_CMC_RESPONSE], 0);

    a = accept_of("application/pkix-cert, */*;q=0.5");
    assert_int_equal(a.q[CMC_MEDIA_PKIX_CERT], 1000);
    assert_int_equal(a.q[CMC_MEDIA_CERTS_ONLY], 500);
    assert_int_equal(a.q[CMC_MEDIA_CMC_RESPONSE], 500);

    a = accept_of("application/*;q=0.2");
    assert_int_equal(a.q[CMC_MEDIA_PKIX_CERT], 200);
    assert_int_equal(a.q[CMC_MEDIA_CMC_RESPONSE], 200);

    a = accept_of("text/*, text/html");
    assert_int_equal(a.q[CMC_MEDIA_PKIX_CERT], 0);
    assert_int_equal(a.q[CMC_MEDIA_CMC_RESPONSE], 0);
}

static void test_media_accept_parse_smime_type_is_more_specific(void **state) {
    (void)state;
    cmc_media_accept a =
        accept_of("application/pkcs7-mime;q=0.3, application/pkcs7-mime; smime-type=certsonly");
    assert_int_equal(a.q[CMC_MEDIA_CERTS_ONLY], 1000);
    assert_int_equal(a.q[CMC_MEDIA_CMC_RESPONSE], 300);
    assert_int_equal(a.q[CMC_MEDIA_PKIX_CERT], 0);

    a = accept_of("application/pkcs7-mime; smime-type=CMC-Response, "
                  "application/pkcs7-mime; smime-type=certs-only; q=0");
    assert_int_equal(a.q[CMC_MEDIA_CMC_RESPONSE], 1000);
    assert_int_equal(a.q[CMC_MEDIA_CERTS_ONLY], 0);
}

static void test_media_accept_parse_qvalues(void **state) {
    (void)state;
    assert_int_equal(accept_of("application/pkix-cert;q=1").q[CMC_MEDIA_PKIX_CERT], 1000);
    assert_int_equal(accept_of("application/pkix-cert;q=1.000").q[CMC_MEDIA_PKIX_CERT], 1000);
    assert_int_equal(accept_of("application/pkix-cert;Q=0.001").q[CMC_MEDIA_PKIX_CERT], 1);
    assert_int_equal(accept_of("application/pkix-cert;q=0.").q[CMC_MEDIA_PKIX_CERT], 0);
    assert_int_equal(accept_of(",, application/pkix-cert ;q=0.75 , ,").q[CMC_MEDIA_PKIX_CERT], 750);
    cmc_media_accept a;
    const char *bad[] = {"application/pkix-cert;q=2",       "application/pkix-cert;q=1.5",
                         "application/pkix-cert;q=0.1234",  "application/pkix-cert;q=\"1\"",
                         "application/pkix-cert;q=",        "application/pkix-cert;q=-1",
                         "application/pkix-cert;q=0.5;q=1", "*/pkcs10",
                         "application/pkix-cert garbage",   "application"};
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        if (cmc_media_accept_parse(&a, bad[k], strlen(bad[k])) != CMC_E_MEDIA_TYPE) {
            fail_msg("accept \"%s\" was not refused", bad[k]);
        }
    }
}

static void test_media_accept_parse_rejects_too_many_ranges(void **state) {
    (void)state;
    char buf[CMC_MAX_MEDIA_TYPE_LEN];
    size_t n = 0;
    for (int k = 0; k < CMC_MAX_ACCEPT_RANGES + 1; k++) {
        memcpy(buf + n, "a/b,", 4);
        n += 4;
    }
    cmc_media_accept a;
    assert_int_equal(cmc_media_accept_parse(&a, buf, n - 4), CMC_OK);
    assert_int_equal(cmc_media_accept_parse(&a, buf, n), CMC_E_LIMIT);
    char big[CMC_MAX_MEDIA_TYPE_LEN + 1];
    memset(big, ' ', sizeof(big));
    assert_int_equal(cmc_media_accept_parse(&a, big, sizeof(big)), CMC_E_LIMIT);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_media_type_parse_request_spellings),
        cmocka_unit_test(test_media_type_parse_response_spellings),
        cmocka_unit_test(test_media_type_parse_distinguishes_untyped_pkcs7),
        cmocka_unit_test(test_media_type_parse_other_types),
        cmocka_unit_test(test_media_type_parse_rejects_bad_syntax),
        cmocka_unit_test(test_media_type_parse_rejects_embedded_nul),
        cmocka_unit_test(test_media_type_parse_rejects_over_limit),
        cmocka_unit_test(test_media_type_str_emits_table_spelling),
        cmocka_unit_test(test_media_accept_parse_absent_means_anything),
        cmocka_unit_test(test_media_accept_parse_exact_and_wildcards),
        cmocka_unit_test(test_media_accept_parse_smime_type_is_more_specific),
        cmocka_unit_test(test_media_accept_parse_qvalues),
        cmocka_unit_test(test_media_accept_parse_rejects_too_many_ranges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
