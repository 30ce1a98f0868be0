/* fuzz_regress_test.c: unit-level regression tests for what the fuzz targets found (fuzz/).
 * The inputs that found them are in fuzz/corpus/<target>/ as well. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cmc/cmc.h"

/* PKIData whose only control (dataReturn, body part 1) has one value SEQUENCE { SET } where
 * the SET's length (1) is shorter than its child (30 01 00): not BER. OpenSSL keeps ANY
 * values opaque, so before the fix this parsed as DER (fuzz/differential). */
static const uint8_t kInnerOverrun[] = {
    0x30, 0x20,                                                       /* PKIData */
    0x30, 0x18,                                                       /* controlSequence */
    0x30, 0x16, 0x02, 0x01, 0x01,                                     /* bodyPartID 1 */
    0x06, 0x08, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x07, 0x04,       /* id-cmc-dataReturn */
    0x31, 0x07, 0x30, 0x05, 0x31, 0x01, 0x30, 0x01, 0x00,             /* attrValues */
    0x30, 0x00, 0x30, 0x00, 0x30, 0x00,                               /* req, cms, other */
};

/* The same control with a well-formed value SEQUENCE { SET { NULL } }. */
static const uint8_t kInnerWellFormed[] = {
    0x30, 0x1F, 0x30, 0x17, 0x30, 0x15, 0x02, 0x01, 0x01,
    0x06, 0x08, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x07, 0x04,
    0x31, 0x06, 0x30, 0x04, 0x31, 0x02, 0x05, 0x00,
    0x30, 0x00, 0x30, 0x00, 0x30, 0x00,
};

static void test_pki_data_parse_rejects_malformed_control_value(void **state) {
    (void)state;
    cmc_pki_data *pd = NULL;
    assert_int_equal(cmc_pki_data_parse(&pd, kInnerOverrun, sizeof(kInnerOverrun)), CMC_E_DER);
    assert_null(pd);
    assert_int_equal(cmc_pki_data_parse_ex(&pd, kInnerOverrun, sizeof(kInnerOverrun),
                                           CMC_PARSE_ALLOW_BER),
                     CMC_E_DER);
    assert_null(pd);
}

static void test_pki_data_parse_accepts_well_formed_control_value(void **state) {
    (void)state;
    cmc_pki_data *pd = NULL;
    assert_int_equal(cmc_pki_data_parse(&pd, kInnerWellFormed, sizeof(kInnerWellFormed)),
                     CMC_OK);
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

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pki_data_parse_rejects_malformed_control_value),
        cmocka_unit_test(test_pki_data_parse_accepts_well_formed_control_value),
        cmocka_unit_test(test_pki_response_parse_rejects_constructed_eoc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
