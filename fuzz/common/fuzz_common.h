/* fuzz_common.h: helpers shared by the fuzz targets (fuzz/common/ is linked into every
 * target; it is not itself a target). */
#ifndef CMC_FUZZ_COMMON_H
#define CMC_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/bio.h>

typedef int (*fuzz_one_fn)(const uint8_t *data, size_t size);

/* FUZZ_WARM_UP_MAX_SEEDS bounds the start-up cost of fuzz_warm_up under libFuzzer and in
 * the replay driver: a few seeds reach the common lazy initialisation (OID registration,
 * OpenSSL's method tables, error strings). AFL++ builds (afl-clang-fast defines
 * __AFL_COMPILER) run the whole seed corpus, up to FUZZ_WARM_UP_MAX_SEEDS_AFL files: the
 * driver runs LLVMFuzzerInitialize once before its fork server, so the cost is paid once
 * per run, and every algorithm fetch, curve and method cache a seed reaches is then warm in
 * each forked child (a first-use-only path counts as instability). */
#define FUZZ_WARM_UP_MAX_SEEDS 8
#define FUZZ_WARM_UP_MAX_SEEDS_AFL 4096

/* fuzz_init performs the process-wide set-up every target needs (cmc_init, OpenSSL
 * configuration loading disabled so a stray openssl.cnf cannot change behaviour). Aborts
 * on failure: a target that cannot initialise must not look like a passing one. */
void fuzz_init(void);

/* fuzz_warm_up runs |fn| over |builtin| (may be NULL) and over at most
 * FUZZ_WARM_UP_MAX_SEEDS files of fuzz/corpus/|target|/ when that directory exists (it does
 * not in OSS-Fuzz runners; the built-in seed covers that case). Call it from
 * LLVMFuzzerInitialize: AFL++ then sees no first-run-only edges (stability). */
void fuzz_warm_up(const char *target, fuzz_one_fn fn, const uint8_t *builtin, size_t builtin_len);

/* fuzz_input_begin and fuzz_input_end bracket each input of a target that signs, verifies
 * or loads keys, so every input starts from the same OpenSSL state (AFL++ stability,
 * reproducible crashes):
 *  - fuzz_input_begin restarts OpenSSL's random source as a fixed deterministic stream
 *    (cmc_rand_deterministic_begin), so RSA blinding, ECDSA nonces and every other random
 *    choice are the same each time an input runs;
 *  - fuzz_input_end drops this thread's OpenSSL state (OPENSSL_thread_stop): ERR_clear_error
 *    keeps the text buffers of the error slots, and ERR_vset_error grows or reuses them
 *    depending on what earlier inputs left there (server_config was 89% stable because of
 *    it). Freeing them at the end, not the start, keeps the freeing itself a function of
 *    this input only. */
void fuzz_input_begin(void);
void fuzz_input_end(void);
/* FUZZ_ISOLATED_ENTRY(fn) defines LLVMFuzzerTestOneInput as |fn| (same signature) run
 * between fuzz_input_begin and fuzz_input_end. */
#define FUZZ_ISOLATED_ENTRY(fn)                                                                    \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {                                 \
        fuzz_input_begin();                                                                        \
        int fuzz_r_ = (fn)(data, size);                                                            \
        fuzz_input_end();                                                                          \
        return fuzz_r_;                                                                            \
    }

/* fuzz_null_bio returns a process-wide BIO that discards everything (for print oracles). */
BIO *fuzz_null_bio(void);

/* fuzz_check aborts with a message when |ok| is false: the oracle of every target. */
#define fuzz_check(ok, what)                                                                       \
    do {                                                                                           \
        if (!(ok)) {                                                                               \
            fuzz_fail((what), __FILE__, __LINE__);                                                 \
        }                                                                                          \
    } while (0)
/* fuzz_fail prints the failed oracle and aborts (noreturn, so the analyzers know). */
__attribute__((noreturn)) void fuzz_fail(const char *what, const char *file, int line);

#endif /* CMC_FUZZ_COMMON_H */
