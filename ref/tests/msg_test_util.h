/* msg_test_util.h: helpers for the msg_*_test programs on top of test_util.h.
 * Header-only (static) so it does not end up in every other module's test program. */
#ifndef CMC_MSG_TEST_UTIL_H
#define CMC_MSG_TEST_UTIL_H

#include <string.h>

#include "test_util.h"

/* tu_write_tmp writes |len| bytes to a fresh file under the build tree and returns its path
 * (static buffer slot |slot| 0..3). */
static inline const char *tu_write_tmp(int slot, const char *stem, const uint8_t *data,
                                       size_t len) {
    static char paths[4][512];
    tu_tmp_path(paths[slot], sizeof(paths[slot]), "msg_test", stem);
    tu_write_file(paths[slot], data, len);
    return paths[slot];
}

/* tu_chain: a new stack of officer-both's certificate (standing in for an issued one) and the
 * fixture CA; free with sk_X509_pop_free(.., X509_free). */
static inline STACK_OF(X509) *tu_chain(void) {
    STACK_OF(X509) *certs = sk_X509_new_null();
    assert_non_null(certs);
    sk_X509_push(certs, tu_cert("officer-both.cert.pem"));
    sk_X509_push(certs, tu_cert("ca.cert.pem"));
    return certs;
}

/* tu_find: first occurrence of |needle| in |hay| (memmem is not C11/POSIX). */
static inline const uint8_t *tu_find(const uint8_t *hay, size_t hay_len, const void *needle,
                                     size_t needle_len) {
    for (size_t i = 0; needle_len <= hay_len && i <= hay_len - needle_len; i++) {
        if (memcmp(hay + i, needle, needle_len) == 0) {
            return hay + i;
        }
    }
    return NULL;
}

#endif /* CMC_MSG_TEST_UTIL_H */
