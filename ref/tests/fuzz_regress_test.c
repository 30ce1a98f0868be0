/* fuzz_regress_test.c: unit-level regression tests for what the fuzz targets found (fuzz/).
 * The inputs that found them are in fuzz/corpus/<target>/ as well. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>

#include "cmc/cmc.h"

/* PKIData whose only control (dataReturn, body part 1) has one value SEQUENCE { SET } where
 * the SET's length (1) is shorter than its child (30 01 00): not BER. OpenSSL keeps ANY
 * values opaque, so before the fix this parsed as DER (fuzz/differential). */
static const uint8_t kInnerOverrun[] = {
    0x30, 0x20,                                                 /* PKIData */
    0x30, 0x18,                                                 /* controlSequence */
    0x30, 0x16, 0x02, 0x01, 0x01,                               /* bodyPartID 1 */
    0x06, 0x08, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x07, 0x04, /* id-cmc-dataReturn */
    0x31, 0x07, 0x30, 0x05, 0x31, 0x01, 0x30, 0x01, 0x00,       /* attrValues */
    0x30, 0x00, 0x30, 0x00, 0x30, 0x00,                         /* req, cms, other */
};

/* The same control with a well-formed value SEQUENCE { SET { NULL } }. */
static const uint8_t kInnerWellFormed[] = {
    0x30, 0x1F, 0x30, 0x17, 0x30, 0x15, 0x02, 0x01, 0x01, 0x06, 0x08,
    0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x07, 0x04, 0x31, 0x06, 0x30,
    0x04, 0x31, 0x02, 0x05, 0x00, 0x30, 0x00, 0x30, 0x00, 0x30, 0x00,
};

static void test_pki_data_parse_rejects_malformed_control_value(void **state) {
    (void)state;
    cmc_pki_data *pd = NULL;
    assert_int_equal(cmc_pki_data_parse(&pd, kInnerOverrun, sizeof(kInnerOverrun)), CMC_E_DER);
    assert_null(pd);
    assert_int_equal(
        cmc_pki_data_parse_ex(&pd, kInnerOverrun, sizeof(kInnerOverrun), CMC_PARSE_ALLOW_BER),
        CMC_E_DER);
    assert_null(pd);
}

static void test_pki_data_parse_accepts_well_formed_control_value(void **state) {
    (void)state;
    cmc_pki_data *pd = NULL;
    assert_int_equal(cmc_pki_data_parse(&pd, kInnerWellFormed, sizeof(kInnerWellFormed)), CMC_OK);
    assert_non_null(pd);
    cmc_pki_data_free(pd);
}

/* PKIResponse whose OtherMsg value is "20 00" (a constructed universal tag 0). BER parsing
 * accepted it, but OpenSSL re-encodes that value as 00 00, so the DER of an accepted message
 * did not parse (fuzz/pki_response_parse). Universal tag 0 is reserved for end-of-contents. */
static const uint8_t kConstructedEoc[] = {
    0x30, 0x26, 0x30, 0x14, 0x30, 0x12, 0x02, 0x01, 0x40, 0x06, 0x08, 0x2b, 0x06, 0x01,
    0x05, 0x05, 0x07, 0x07, 0x05, 0x31, 0x03, 0x02, 0x01, 0x32, 0x30, 0x00, 0x30, 0x0c,
    0x30, 0x0a, 0x02, 0x01, 0x04, 0x06, 0x03, 0x2a, 0xb4, 0x40, 0x20, 0x00,
};

static void test_pki_response_parse_rejects_constructed_eoc(void **state) {
    (void)state;
    cmc_pki_response *pr = NULL;
    assert_int_equal(cmc_pki_response_parse_ex(&pr, kConstructedEoc, sizeof(kConstructedEoc),
                                               CMC_PARSE_ALLOW_BER),
                     CMC_E_DER);
    assert_null(pr);
}

/* PKIResponse (from the corpus) whose statusInfoV2 attrValues SET is encoded primitive (11
 * instead of 31). OpenSSL's SET OF template read it; its DER re-encoding as 31 .. then
 * exposed content that is not BER (fuzz/pki_response_parse). SEQUENCE and SET are always
 * constructed (X.690 §8.11.1). */
#define PRIMITIVE_SET_INPUT                                                                        \
    "/fuzz/corpus/pki_response_parse/e54dec1cb5e09cd5d166b28e624d870fff6bb034"

static void test_pki_response_parse_rejects_primitive_set(void **state) {
    (void)state;
    char path[1024];
    snprintf(path, sizeof(path), "%s" PRIMITIVE_SET_INPUT, CMC_SOURCE_DIR);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    uint8_t buf[1024];
    size_t n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    assert_int_equal(n, 244);
    assert_int_equal(buf[22], 0x11); /* the primitive SET */
    cmc_pki_response *pr = NULL;
    assert_int_equal(cmc_pki_response_parse_ex(&pr, buf, n, CMC_PARSE_ALLOW_BER), CMC_E_DER);
    assert_null(pr);
    buf[22] = 0x31; /* constructed, as it must be: the inner garbage is rejected as well */
    assert_int_equal(cmc_pki_response_parse_ex(&pr, buf, n, CMC_PARSE_ALLOW_BER), CMC_E_DER);
    assert_null(pr);
}

/* PKIResponse whose statusInfoV2 value SET holds a private constructed element with a
 * high tag number and a long-form zero length (ff ff ff 24 82 00 00). OpenSSL accepts it as
 * BER and keeps the ANY verbatim, but its DER re-encoding (SET OF sorted) no longer decodes,
 * so "accepted BER has a DER form" failed (fuzz/pki_response_parse). BER without a DER
 * form we accept is now refused. */
static const uint8_t kBerWithoutDerForm[] = {
    0x30, 0x81, 0x96, 0x30, 0x81, 0x8F, 0x30, 0x6A, 0x02, 0x01, 0x01, 0x06, 0x08, 0x2B, 0x06, 0x01,
    0x05, 0x05, 0x07, 0x07, 0x11, 0x31, 0x5B, 0xFF, 0xFF, 0xFF, 0x24, 0x82, 0x00, 0x00, 0x02, 0x01,
    0x01, 0x0C, 0x4C, 0x73, 0x03, 0x61, 0x67, 0x65, 0x20, 0x31, 0x20, 0x28, 0x6D, 0x3F, 0x73, 0x73,
    0x61, 0x67, 0x65, 0x20, 0x64, 0x69, 0x67, 0x65, 0x73, 0x74, 0x29, 0x3A, 0x20, 0x6D, 0x65, 0x73,
    0x73, 0x61, 0x67, 0x65, 0x44, 0x69, 0x67, 0x65, 0x73, 0x74, 0x20, 0x61, 0x74, 0x74, 0x72, 0x69,
    0x62, 0x75, 0x74, 0x65, 0x20, 0x64, 0x6F, 0x65, 0x73, 0x20, 0x00, 0x00, 0x61, 0x10, 0x00, 0x01,
    0xE9, 0x01, 0x68, 0x20, 0x74, 0x68, 0x65, 0x20, 0x63, 0x6F, 0x6E, 0x74, 0x65, 0x6E, 0x74, 0x02,
    0x01, 0xBB, 0x30, 0x21, 0x02, 0x01, 0x02, 0x06, 0x08, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x07,
    0x06, 0x31, 0x12, 0x81, 0x10, 0xFF, 0x10, 0x4A, 0x06, 0x08, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07,
    0x07, 0x10, 0x04, 0xC1, 0x07, 0x30, 0x00, 0x30, 0x00,
};

static void test_pki_response_parse_rejects_ber_without_der_form(void **state) {
    (void)state;
    cmc_pki_response *pr = NULL;
    assert_int_equal(cmc_pki_response_parse_ex(&pr, kBerWithoutDerForm, sizeof(kBerWithoutDerForm),
                                               CMC_PARSE_ALLOW_BER),
                     CMC_E_NOT_DER);
    assert_null(pr);
    assert_int_equal(cmc_pki_response_parse(&pr, kBerWithoutDerForm, sizeof(kBerWithoutDerForm)),
                     CMC_E_NOT_DER);
    assert_null(pr);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pki_data_parse_rejects_malformed_control_value),
        cmocka_unit_test(test_pki_data_parse_accepts_well_formed_control_value),
        cmocka_unit_test(test_pki_response_parse_rejects_constructed_eoc),
        cmocka_unit_test(test_pki_response_parse_rejects_primitive_set),
        cmocka_unit_test(test_pki_response_parse_rejects_ber_without_der_form),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
