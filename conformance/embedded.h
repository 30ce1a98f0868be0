/* embedded.h: the embedded reference server as the vector set expects it: the fixture PKI,
 * the fixed clock 2026-07-01T00:00:00Z, a per-case seed, and the policy switches a case's
 * "requires" list names. The generator makes the golden responses with it, and the runner's
 * embedded target must use it to reproduce them byte for byte. */
#ifndef CMC_CONFORM_EMBEDDED_H
#define CMC_CONFORM_EMBEDDED_H

#include <stddef.h>
#include <stdint.h>

#include "cmc/server.h"
#include "cmc/status.h"

#define CMC_CASE_SEED_LEN 32 /* SHA-256 output */

/* cmc_case_seed derives the seed of one case: SHA-256(seed bytes || case id), where |seed_hex|
 * is the manifest's "seed". The generator seeds both the deterministic RNG
 * (cmc_rand_deterministic_begin) and the embedded server with it, at the start of the case. */
CMC_MUST_USE cmc_status cmc_case_seed(uint8_t out[CMC_CASE_SEED_LEN], const char *seed_hex,
                                      const char *case_id);

/* Features of a case's "requires" list that configure the embedded server:
 *   open-enrollment        Simple PKI Requests and tcr/crm need no officer
 *                          (cmc_server_config_set_require_officer(cfg, 0))
 *   chainless-certs-only   certs-only responses without the issuer chain
 *   enrollment-requires-officer, pkix-cert-response: the embedded default already
 * Other features (e.g. http-transport) do not change the embedded server. */

/* cmc_embedded_server_config makes the configuration of the embedded reference server for a
 * case (|*out| new, cmc_server_config_free); cmc_embedded_server_new makes the server. */
CMC_MUST_USE cmc_status cmc_embedded_server_config(cmc_server_config **out,
                                                   const char *const *requires, size_t num_requires,
                                                   const uint8_t *seed, size_t seed_len);
/* cmc_embedded_server_new makes the embedded reference server for a case. */
CMC_MUST_USE cmc_status cmc_embedded_server_new(cmc_server **out, const char *const *requires,
                                                size_t num_requires, const uint8_t *seed,
                                                size_t seed_len);

#endif /* CMC_CONFORM_EMBEDDED_H */
