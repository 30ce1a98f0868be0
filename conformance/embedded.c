/* embedded.c: the embedded reference server of the vector set (embedded.h). */
#include "embedded.h"

#include <string.h>

#include <openssl/evp.h>

#include "fixtures.h"

static int hex_val(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

/* Longest manifest seed we accept (hex characters); seeds are 32 bytes. */
#define CASE_SEED_HEX_MAX 128

cmc_status cmc_case_seed(uint8_t out[CMC_CASE_SEED_LEN], const char *seed_hex,
                         const char *case_id) {
    if (seed_hex == NULL || case_id == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    size_t n = strlen(seed_hex);
    if (n == 0 || n % 2 != 0 || n > CASE_SEED_HEX_MAX) {
        CMC_RAISE(CMC_E_ARG);
    }
    uint8_t seed[CASE_SEED_HEX_MAX / 2];
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hex_val(seed_hex[2 * i]);
        int lo = hex_val(seed_hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            CMC_RAISE(CMC_E_ARG);
        }
        seed[i] = (uint8_t)(hi << 4 | lo);
    }
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned int len = 0;
    int ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) &&
             EVP_DigestUpdate(md, seed, n / 2) && EVP_DigestUpdate(md, case_id, strlen(case_id)) &&
             EVP_DigestFinal_ex(md, out, &len) && len == CMC_CASE_SEED_LEN;
    EVP_MD_CTX_free(md);
    if (!ok) {
        CMC_RAISE(CMC_E_CRYPTO);
    }
    return CMC_OK;
}

static int has_feature(const char *const *requires, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++) {
        if (requires[i] != NULL && strcmp(requires[i], name) == 0) {
            return 1;
        }
    }
    return 0;
}

cmc_status cmc_embedded_server_config(cmc_server_config **out, const char *const *requires,
                                      size_t num_requires, const uint8_t *seed, size_t seed_len) {
    cmc_server_config *cfg = NULL;
    CMC_TRY(cmc_server_config_embedded(&cfg));
    cmc_status s = cmc_server_config_set_clock(cfg, (time_t)CMC_FIXTURE_CLOCK);
    if (s == CMC_OK) {
        s = cmc_server_config_set_seed(cfg, seed, seed_len);
    }
    if (s != CMC_OK) {
        cmc_server_config_free(cfg);
        return s;
    }
    cmc_server_config_set_require_officer(cfg,
                                          !has_feature(requires, num_requires, "open-enrollment"));
    cmc_server_config_set_include_chain(
        cfg, !has_feature(requires, num_requires, "chainless-certs-only"));
    *out = cfg;
    return CMC_OK;
}

cmc_status cmc_embedded_server_new(cmc_server **out, const char *const *requires,
                                   size_t num_requires, const uint8_t *seed, size_t seed_len) {
    cmc_server_config *cfg = NULL;
    CMC_TRY(cmc_embedded_server_config(&cfg, requires, num_requires, seed, seed_len));
    cmc_status s = cmc_server_new(out, cfg);
    cmc_server_config_free(cfg);
    return s;
}
