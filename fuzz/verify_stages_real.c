/* Targets: fuzz/verify_stages.c with real verification (cmc_fuzz_skip_crypto_checks stays 0):
 * the message digest and signature checks run, so this target checks that they reject what
 * the fuzzer mutates and that the crypto paths themselves do not crash.
 * Seeds: fuzz/corpus/verify_stages_real/ (named by content hash). max_len: 32768.
 * Dictionary: fuzz/dict/cmc.dict. */
#define VERIFY_STAGES_REAL 1
#define VERIFY_STAGES_NAME "verify_stages_real"
#include "verify_stages.c"
