/* Targets: the verification stages of a Full PKI Request (spec/CMC.md §9.2):
 * cmc_signed_data_verify (stage 1 message digest, stage 2 content type, stage 3 signer
 * lookup, signature, path to the fixture CA at the fixture clock, SKI signers matched
 * against the keys of the request's own tcr, as the server does) followed by
 * cmc_pki_data_parse_ex of the (possibly unauthenticated) content and its print.
 * This build sets cmc_fuzz_skip_crypto_checks (FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
 * only): the digest comparison and the signature check always pass, so mutated PKIData
 * still reaches everything behind them. fuzz/verify_stages_real.c is the same target with
 * real verification.
 * Oracles: cmc_signed_data_verify returns one of its documented statuses; the content is
 * filled whenever a stage fails after parsing; CMC_OK implies a signer was identified.
 * Seeds: fuzz/corpus/verify_stages/ (named by content hash; signed Full PKI Requests from
 * the vectors). max_len: 32768. Dictionary: fuzz/dict/cmc.dict. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "cmc/cmc.h"
#include "cmc/msg.h"
#include "fixtures.h"
#include "fuzz_common.h"
#include "internal.h"
#include "msg/msg_local.h"

#ifndef VERIFY_STAGES_REAL
#define VERIFY_STAGES_REAL 0
#define VERIFY_STAGES_NAME "verify_stages"
#endif

static X509_STORE *g_trust;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    fuzz_init();
#if !VERIFY_STAGES_REAL && defined(FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION)
    cmc_fuzz_skip_crypto_checks = 1;
#endif
    X509 *ca = NULL;
    g_trust = X509_STORE_new();
    fuzz_check(g_trust != NULL && cmc_fixture_cert(&ca, "ca.cert.pem") == CMC_OK &&
                   X509_STORE_add_cert(g_trust, ca) == 1,
               "fixture trust store");
    X509_free(ca);
    fuzz_warm_up(VERIFY_STAGES_NAME, LLVMFuzzerTestOneInput, NULL, 0);
    return 0;
}

/* The public keys of the tcr requests of |pd|, for SKI signers (RFC 5272 §3.2). */
static size_t request_keys(EVP_PKEY **keys, size_t max, const CMC_PKI_DATA *pd) {
    size_t n = 0;
    for (int i = 0; i < sk_CMC_TAGGED_REQUEST_num(pd->reqSequence) && n < max; i++) {
        const CMC_TAGGED_REQUEST *tr = sk_CMC_TAGGED_REQUEST_value(pd->reqSequence, i);
        EVP_PKEY *k = NULL;
        if (tr->type == CMC_TAGGED_REQUEST_TCR) {
            k = X509_REQ_get0_pubkey(tr->value.tcr->certificationRequest);
            if (k != NULL && EVP_PKEY_up_ref(k) != 1) {
                k = NULL;
            }
        }
        if (k != NULL) {
            keys[n++] = k;
        }
    }
    return n;
}

static int known_status(cmc_status st) {
    switch (st) {
    case CMC_OK:
    case CMC_E_DER:
    case CMC_E_TRAILING:
    case CMC_E_LIMIT:
    case CMC_E_TRUNCATED:
    case CMC_E_TAG:
    case CMC_E_NOT_CMC:
    case CMC_E_DETACHED:
    case CMC_E_UNSIGNED:
    case CMC_E_DIGEST:
    case CMC_E_CONTENT_TYPE:
    case CMC_E_SIGNATURE:
    case CMC_E_SIGNER_UNTRUSTED:
    case CMC_E_SIGNER_EXPIRED:
    case CMC_E_SIGNER_NOT_YET_VALID:
    case CMC_E_ALG:
    case CMC_E_CRYPTO:
    case CMC_E_NOMEM:
        return 1;
    default:
        return 0;
    }
}

static int one_input(const uint8_t *data, size_t size) {
    fuzz_init();
    /* First pass without SKI keys gives the content; the keys come from its requests. */
    cmc_verified vf;
    cmc_verified_init(&vf);
    cmc_verify_options opt = {0};
    opt.trust = g_trust;
    opt.verify_time = CMC_FIXTURE_CLOCK;
    cmc_status st = cmc_signed_data_verify(&vf, data, size, &opt);
    if (!known_status(st)) {
        fprintf(stderr, "cmc_signed_data_verify: %s\n", cmc_status_name(st));
        fuzz_check(0, "undocumented status from cmc_signed_data_verify");
    }
    fuzz_check(st != CMC_OK || vf.signer_cert != NULL || vf.ski_key_index >= 0,
               "verified without an identified signer");
    if (vf.content != NULL) {
        cmc_pki_data *pd = NULL;
        if (cmc_pki_data_parse_ex(&pd, vf.content, vf.content_len, CMC_PARSE_ALLOW_BER) == CMC_OK) {
            fuzz_check(CMC_PKI_DATA_print(fuzz_null_bio(), pd, 0) == 1, "PKIData print");
            EVP_PKEY *keys[CMC_MAX_BODY_PARTS];
            size_t n = request_keys(keys, CMC_MAX_BODY_PARTS, pd);
            if (n > 0 && st == CMC_E_SIGNER_UNTRUSTED) {
                cmc_verified vf2;
                cmc_verified_init(&vf2);
                opt.ski_keys = keys;
                opt.num_ski_keys = n;
                cmc_status st2 = cmc_signed_data_verify(&vf2, data, size, &opt);
                fuzz_check(known_status(st2), "undocumented status (SKI pass)");
                fuzz_check(st2 != CMC_OK || vf2.ski_key_index >= 0 || vf2.signer_cert != NULL,
                           "SKI pass verified without an identified signer");
                cmc_verified_cleanup(&vf2);
            }
            for (size_t i = 0; i < n; i++) {
                EVP_PKEY_free(keys[i]);
            }
            cmc_pki_data_free(pd);
        }
    }
    cmc_verified_cleanup(&vf);
    ERR_clear_error();
    cmc_error_clear();
    return 0;
}

FUZZ_ISOLATED_ENTRY(one_input)
