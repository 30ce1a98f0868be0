/* msg_test_util.h: fixture loading and small helpers shared by the msg_*_test programs.
 * Header-only (static) so it does not end up in every other module's test program. */
#ifndef CMC_MSG_TEST_UTIL_H
#define CMC_MSG_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "cmc/msg.h"
#include "fixtures.h"

/* TU_SNPRINTF formats into an array and fails the test on truncation. */
#define TU_SNPRINTF(buf, size, ...)                                                                \
    do {                                                                                           \
        int tu_n_ = snprintf((buf), (size), __VA_ARGS__);                                          \
        assert_true(tu_n_ > 0 && (size_t)tu_n_ < (size_t)(size));                                  \
    } while (0)

static inline EVP_PKEY *tu_key(const char *file) {
    EVP_PKEY *k = NULL;
    assert_int_equal(cmc_fixture_key(&k, file), CMC_OK);
    return k;
}

static inline X509 *tu_cert(const char *file) {
    X509 *c = NULL;
    assert_int_equal(cmc_fixture_cert(&c, file), CMC_OK);
    return c;
}

/* tu_store: a trust store holding the fixture root CA. */
static inline X509_STORE *tu_store(void) {
    X509_STORE *s = X509_STORE_new();
    X509 *ca = tu_cert("ca.cert.pem");
    assert_non_null(s);
    assert_int_equal(X509_STORE_add_cert(s, ca), 1);
    X509_free(ca);
    return s;
}

/* tu_tmp_path writes |len| bytes to a fresh file under the build tree and returns its path
 * (static buffer slot |slot| 0..3). */
static inline const char *tu_write_tmp(int slot, const char *stem, const uint8_t *data,
                                       size_t len) {
    static char paths[4][512];
    const char *dir = getenv("CMC_BINARY_DIR");
    if (dir == NULL) {
        dir = CMC_BINARY_DIR;
    }
    int n =
        snprintf(paths[slot], sizeof(paths[slot]), "%s/msg_test_%ld_%s", dir, (long)getpid(), stem);
    assert_true(n > 0 && (size_t)n < sizeof(paths[slot]));
    FILE *f = fopen(paths[slot], "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
    return paths[slot];
}

/* tu_run runs a shell command quietly and returns its exit status (-1 if it did not exit). */
static inline int tu_run(const char *cmd) {
    char full[4096];
    int n = snprintf(full, sizeof(full), "%s >/dev/null 2>&1", cmd);
    assert_true(n > 0 && (size_t)n < sizeof(full));
    int rc = system(full);
    if (rc == -1 || !WIFEXITED(rc)) {
        return -1;
    }
    return WEXITSTATUS(rc);
}

/* tu_read_file reads a whole file into a new buffer (free with free). */
static inline uint8_t *tu_read_file(const char *path, size_t *out_len) {
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *out_len = (size_t)n;
    return buf;
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
