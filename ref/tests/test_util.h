/* test_util.h: fixture, file and process helpers shared by the unit test programs (the msg_*
 * and server_* tests, through msg_test_util.h and server_test_util.h). Header-only (static
 * inline) so unused helpers cost nothing; include it after <cmocka.h>. */
#ifndef CMC_TEST_UTIL_H
#define CMC_TEST_UTIL_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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

/* tu_sign signs |content| as SignedData by one signer loaded from the fixture files
 * |key_file| / |cert_file| (certificate included, issuerAndSerialNumber, RSA-PSS if |rsa_pss|)
 * at the fixed test clock; signer faults |faults|, message faults |sfaults|, |econtent_type|
 * NULL = id-cct-PKIData. */
static inline void tu_sign(uint8_t **out, size_t *out_len, const uint8_t *content,
                           size_t content_len, const char *key_file, const char *cert_file,
                           int rsa_pss, uint32_t faults, uint32_t sfaults,
                           const char *econtent_type) {
    EVP_PKEY *k = tu_key(key_file);
    X509 *c = tu_cert(cert_file);
    cmc_signer s;
    memset(&s, 0, sizeof(s));
    s.key = k;
    s.cert = c;
    s.sid = CMC_SID_ISSUER_SERIAL;
    s.rsa_pss = rsa_pss;
    s.include_cert = 1;
    s.faults = faults;
    cmc_sign_options o;
    memset(&o, 0, sizeof(o));
    o.econtent_type = econtent_type;
    o.signing_time = CMC_FIXTURE_CLOCK;
    o.faults = sfaults;
    assert_int_equal(cmc_signed_data_sign(out, out_len, content, content_len, &s, 1, &o), CMC_OK);
    EVP_PKEY_free(k);
    X509_free(c);
}

/* tu_run runs a shell command quietly and returns its exit status (-1 if it did not exit). */
static inline int tu_run(const char *cmd) {
    char full[4096];
    TU_SNPRINTF(full, sizeof(full), "%s >/dev/null 2>&1", cmd);
    int rc = system(full);
    if (rc == -1 || !WIFEXITED(rc)) {
        return -1;
    }
    return WEXITSTATUS(rc);
}

/* tu_tmp_path formats "<build dir>/<prefix>_<pid>_<stem>" into |buf| and returns |buf|. */
static inline const char *tu_tmp_path(char *buf, size_t buf_len, const char *prefix,
                                      const char *stem) {
    const char *dir = getenv("CMC_BINARY_DIR");
    if (dir == NULL) {
        dir = CMC_BINARY_DIR;
    }
    TU_SNPRINTF(buf, buf_len, "%s/%s_%ld_%s", dir, prefix, (long)getpid(), stem);
    return buf;
}

/* tu_write_file writes |len| bytes of |data| to |path| (created or truncated). */
static inline void tu_write_file(const char *path, const uint8_t *data, size_t len) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
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

/* tu_closed_port returns a loopback TCP port nothing listens on: bound, read back, closed. */
static inline int tu_closed_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    socklen_t len = sizeof(a);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

#endif /* CMC_TEST_UTIL_H */
