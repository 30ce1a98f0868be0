/* fuzz_common.c: see fuzz_common.h. */
#include "fuzz_common.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "cmc/cmc.h"
#include "cmc/msg.h"

#define FUZZ_WARM_UP_MAX_BYTES (64 * 1024) /* seeds are small; skip anything larger */

void fuzz_fail(const char *what, const char *file, int line) {
    fprintf(stderr, "fuzz oracle failed at %s:%d: %s\n", file, line, what);
    abort();
}

void fuzz_init(void) {
    static int done;
    if (done) {
        return;
    }
    if (OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_LOAD_CRYPTO_STRINGS, NULL) !=
            1 ||
        cmc_init() != CMC_OK) {
        fprintf(stderr, "fuzz: initialisation failed\n");
        abort();
    }
    done = 1;
}

void fuzz_rand_reset(void) {
    static const uint8_t kSeed[] = "cmckit fuzz: deterministic OpenSSL randomness";
    fuzz_check(cmc_rand_deterministic_begin(kSeed, sizeof(kSeed) - 1) == CMC_OK,
               "cmc_rand_deterministic_begin");
}

BIO *fuzz_null_bio(void) {
    static BIO *bio;
    if (bio == NULL) {
        bio = BIO_new(BIO_s_null());
        fuzz_check(bio != NULL, "BIO_new(BIO_s_null())");
    }
    return bio;
}

static void run_file(const char *path, fuzz_one_fn fn) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return;
    }
    uint8_t *buf = malloc(FUZZ_WARM_UP_MAX_BYTES);
    if (buf != NULL) {
        size_t n = fread(buf, 1, FUZZ_WARM_UP_MAX_BYTES, f);
        if (n < FUZZ_WARM_UP_MAX_BYTES) {
            fn(buf, n);
        }
        free(buf);
    }
    fclose(f);
}

void fuzz_warm_up(const char *target, fuzz_one_fn fn, const uint8_t *builtin, size_t builtin_len) {
    fuzz_init();
    if (builtin != NULL) {
        fn(builtin, builtin_len);
    }
    char dir[1024];
    const char *top = getenv("CMC_SOURCE_DIR");
#ifdef CMC_SOURCE_DIR
    if (top == NULL) {
        top = CMC_SOURCE_DIR;
    }
#endif
    if (top == NULL) {
        return;
    }
    snprintf(dir, sizeof(dir), "%s/fuzz/corpus/%s", top, target);
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0) {
        return;
    }
#ifdef __AFL_COMPILER
    const int max_seeds = FUZZ_WARM_UP_MAX_SEEDS_AFL;
#else
    const int max_seeds = FUZZ_WARM_UP_MAX_SEEDS;
#endif
    int used = 0;
    for (int i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.' && used < max_seeds) {
            char path[2048];
            snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
            run_file(path, fn);
            used++;
        }
        free(names[i]);
    }
    free(names);
    ERR_clear_error();
}
