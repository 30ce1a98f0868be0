/* internal.h: the one private header of libcmc (BearSSL style). Modules inside ref/src
 * include it for the ASN.1 structures and shared helpers. */
#ifndef CMC_INTERNAL_H
#define CMC_INTERNAL_H

#include "asn1/cmc_local.h"
#include "cmc/cmc.h"

#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
/* cmc_server_fuzz_reset gives |srv| a fresh store (a new one from its configured path; an
 * empty one for ":memory:") and restarts its seeded DRBG, so the server_handle fuzz target
 * can keep one server for the whole run instead of building one per input. With
 * |new_keys| the CA and signer keys are also replaced by copies without OpenSSL's cached
 * per-key state (RSA blinding), so each input runs the same paths every time (AFL++
 * stability; costs about a third of the libFuzzer+ASan speed). Fuzz and afl builds only. */
CMC_MUST_USE cmc_status cmc_server_fuzz_reset(cmc_server *srv, int new_keys);
#endif

#endif /* CMC_INTERNAL_H */
