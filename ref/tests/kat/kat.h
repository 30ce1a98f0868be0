/* kat.h: helpers for the ASN.1 known-answer tests. The bytes in ref/tests/kat/NAME.der come
 * from NAME.cnf through `openssl asn1parse -genconf` (regen.sh), not from our encoder.
 * Header-only so that only the tests including it pay for it. */
#ifndef CMC_TESTS_KAT_H
#define CMC_TESTS_KAT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KAT_MAX_BYTES ((size_t)1024 * 1024) /* every KAT file is far smaller */

static inline const char *kat_source_dir(void) {
    const char *d = getenv("CMC_SOURCE_DIR");
    return d != NULL ? d : CMC_SOURCE_DIR;
}

/* kat_read_path reads a whole file; NULL if missing. Free with free(). */
static inline uint8_t *kat_read_path(const char *path, size_t *out_len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    uint8_t *buf = malloc(KAT_MAX_BYTES);
    size_t n = buf != NULL ? fread(buf, 1, KAT_MAX_BYTES, f) : 0;
    fclose(f);
    if (buf == NULL || n == KAT_MAX_BYTES) {
        free(buf);
        return NULL;
    }
    *out_len = n;
    return buf;
}

/* kat_load reads ref/tests/kat/|name| (e.g. "pki_data_full.der"). */
static inline uint8_t *kat_load(const char *name, size_t *out_len) {
    char path[4096];
    snprintf(path, sizeof(path), "%s/ref/tests/kat/%s", kat_source_dir(), name);
    return kat_read_path(path, out_len);
}

/* kat_require loads ref/tests/kat/|stem|.der and fails the running cmocka test if it is
 * missing (include <cmocka.h> before this header). */
static inline uint8_t *kat_require(const char *stem, size_t *out_len) {
    char name[256];
    snprintf(name, sizeof(name), "%s.der", stem);
    uint8_t *in = kat_load(name, out_len);
    if (in == NULL) {
        fail_msg("missing KAT %s", name);
    }
    return in;
}

/* kat_mutate returns a malloc'd copy of |in| with |delta| bytes appended (delta > 0, zero
 * bytes) or removed from the end (delta < 0), and the first byte replaced by |first| if
 * |first| >= 0. */
static inline uint8_t *kat_mutate(const uint8_t *in, size_t in_len, long delta, int first,
                                  size_t *out_len) {
    if (delta < 0 && (size_t)-delta > in_len) {
        return NULL; /* cannot remove more bytes than there are */
    }
    size_t n = (size_t)((long)in_len + delta);
    uint8_t *out = calloc(1, n + 1);
    if (out == NULL) {
        return NULL;
    }
    memcpy(out, in, n < in_len ? n : in_len);
    if (first >= 0) {
        out[0] = (uint8_t)first;
    }
    *out_len = n;
    return out;
}

#endif /* CMC_TESTS_KAT_H */
