/* asn1_kat_test.c: the committed known-answer bytes (ref/tests/kat/NAME.der) are exactly what
 * `openssl asn1parse -genconf NAME.cnf` produces, so every KAT has an origin independent of
 * our encoder, and a clean clone can re-derive them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kat/kat.h"

static void test_kat_every_cnf_regenerates_committed_der(void **state) {
    (void)state;
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/ref/tests/kat", kat_source_dir());
    DIR *d = opendir(dir);
    assert_non_null(d);
    char tmpl[] = "/tmp/cmc_kat_XXXXXX";
    int fd = mkstemp(tmpl);
    assert_true(fd >= 0);
    close(fd);
    int checked = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".cnf") != 0) {
            continue;
        }
        char cmd[8192];
        snprintf(cmd, sizeof(cmd), "openssl asn1parse -genconf '%s/%s' -noout -out '%s'", dir,
                 e->d_name, tmpl);
        assert_int_equal(system(cmd), 0);
        char der_name[512];
        snprintf(der_name, sizeof(der_name), "%.*s.der", (int)(n - 4), e->d_name);
        size_t want_len = 0;
        size_t got_len = 0;
        uint8_t *want = kat_load(der_name, &want_len);
        uint8_t *got = kat_read_path(tmpl, &got_len);
        if (want == NULL || got == NULL || want_len != got_len ||
            memcmp(want, got, want_len) != 0) {
            fail_msg("%s differs from `openssl asn1parse -genconf %s` (run regen.sh)", der_name,
                     e->d_name);
        }
        free(want);
        free(got);
        checked++;
    }
    closedir(d);
    unlink(tmpl);
    assert_true(checked >= 10);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kat_every_cnf_regenerates_committed_der),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
