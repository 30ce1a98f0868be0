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

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pki_data_parse_rejects_malformed_control_value),
        cmocka_unit_test(test_pki_data_parse_accepts_well_formed_control_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
