#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "cmc/status.h"

static cmc_status raise_limit(void) {
    CMC_RAISE(CMC_E_LIMIT);
}

static void test_status_str_every_value_has_text(void **state) {
    (void)state;
    for (int s = 0; s < CMC_STATUS_COUNT; s++) {
        const char *text = cmc_status_str((cmc_status)s);
        assert_non_null(text);
        assert_true(strlen(text) > 0);
        assert_string_not_equal(text, "unknown status");
        assert_true(strncmp(cmc_status_name((cmc_status)s), "CMC_", 4) == 0);
    }
    assert_string_equal(cmc_status_str(CMC_STATUS_COUNT), "unknown status");
    assert_string_equal(cmc_status_name(CMC_E_TRAILING), "CMC_E_TRAILING");
}

static void test_status_raise_records_code_and_location(void **state) {
    (void)state;
    cmc_error_clear();
    assert_int_equal(raise_limit(), CMC_E_LIMIT);
    const cmc_error_record *rec = cmc_error_last();
    assert_int_equal(rec->code, CMC_E_LIMIT);
    assert_non_null(strstr(rec->file, "status_test.c"));
    assert_true(rec->line > 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_str_every_value_has_text),
        cmocka_unit_test(test_status_raise_records_code_and_location),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
