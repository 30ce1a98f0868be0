/* fuzz_common.c: see fuzz_common.h. */
#include "fuzz_common.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

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

void fuzz_input_end(void) {
    OPENSSL_thread_stop();
}

void fuzz_input_begin(void) {
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

/* OpenSSL builds the method objects of an operation (digests, key managers, decoders, ...)
 * the first time something asks for them and keeps them in its method store; later
 * look-ups walk that store instead. An input that is the first to need, say, a key manager
 * for a type no seed used therefore takes a path on its first run that it never takes
 * again (AFL++ instability). Building every method of every operation up front removes
 * those first-use paths. */
static void on_md(EVP_MD *m, void *arg) {
    (void)m;
    (void)arg;
}
static void on_cipher(EVP_CIPHER *m, void *arg) {
    (void)m;
    (void)arg;
}
static void on_keymgmt(EVP_KEYMGMT *m, void *arg) {
    (void)m;
    (void)arg;
}
static void on_signature(EVP_SIGNATURE *m, void *arg) {
    (void)m;
    (void)arg;
}
static void on_keyexch(EVP_KEYEXCH *m, void *arg) {
    (void)m;
    (void)arg;
}
static void on_asym(EVP_ASYM_CIPHER *m, void *arg) {
    (void)m;
    (void)arg;
}
static void on_kem(EVP_KEM *m, void *arg) {
    (void)m;
    (void)arg;
}
static void on_mac(EVP_MAC *m, void *arg) {
    (void)m;
    (void)arg;
}
static void on_kdf(EVP_KDF *m, void *arg) {
    (void)m;
    (void)arg;
}
static void on_rand(EVP_RAND *m, void *arg) {
    (void)m;
    (void)arg;
}
static void on_decoder(OSSL_DECODER *m, void *arg) {
    (void)m;
    (void)arg;
}
static void on_encoder(OSSL_ENCODER *m, void *arg) {
    (void)m;
    (void)arg;
}

static void construct_all_methods(void) {
    EVP_MD_do_all_provided(NULL, on_md, NULL);
    EVP_CIPHER_do_all_provided(NULL, on_cipher, NULL);
    EVP_KEYMGMT_do_all_provided(NULL, on_keymgmt, NULL);
    EVP_SIGNATURE_do_all_provided(NULL, on_signature, NULL);
    EVP_KEYEXCH_do_all_provided(NULL, on_keyexch, NULL);
    EVP_ASYM_CIPHER_do_all_provided(NULL, on_asym, NULL);
    EVP_KEM_do_all_provided(NULL, on_kem, NULL);
    EVP_MAC_do_all_provided(NULL, on_mac, NULL);
    EVP_KDF_do_all_provided(NULL, on_kdf, NULL);
    EVP_RAND_do_all_provided(NULL, on_rand, NULL);
    OSSL_DECODER_do_all_provided(NULL, on_decoder, NULL);
    OSSL_ENCODER_do_all_provided(NULL, on_encoder, NULL);
    ERR_clear_error();
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
    construct_all_methods();
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
