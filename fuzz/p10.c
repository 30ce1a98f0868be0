/* Targets: the Simple PKI Request path up to issuance: cmc_sniff, d2i_X509_REQ (whole input),
 * cmc_print_x509_req, the PKCS #10 POP (X509_REQ_verify with the request's own key,
 * spec/CMC.md §9.4), cmc_key_ski.
 * Oracles: cmc_sniff never fails on bytes; a version-0 request whose DER re-encoding is
 * the input itself sniffs as PKCS #10 (spec/CMC.md §9.2 step 1); print never fails on a
 * decoded request.
 * Seeds: fuzz/corpus/p10/ (named by content hash). max_len: 8192.
 * Dictionary: fuzz/dict/cmc.dict. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "cmc/cmc.h"
#include "cmc/msg.h"
#include "fuzz_common.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    fuzz_warm_up("p10", LLVMFuzzerTestOneInput, NULL, 0);
    return 0;
}

static int one_input(const uint8_t *data, size_t size) {
    fuzz_init();
    cmc_sniff_result sr;
    fuzz_check(cmc_sniff(&sr, data, size) == CMC_OK, "cmc_sniff failed on bytes");
    fuzz_check(cmc_sniff_kind_name(sr.kind) != NULL, "sniff kind has no name");
    if (size > CMC_MAX_MESSAGE_BYTES) {
        return 0;
    }
    const uint8_t *p = data;
    X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)size);
    if (req != NULL && (size_t)(p - data) == size) {
        uint8_t *der = NULL;
        int der_len = i2d_X509_REQ(req, &der);
        if (der_len > 0 && (size_t)der_len == size && memcmp(der, data, size) == 0 &&
            X509_REQ_get_version(req) == 0) {
            fuzz_check(sr.kind == CMC_SNIFF_PKCS10, "a DER PKCS #10 request does not sniff as one");
        }
        OPENSSL_free(der);
        fuzz_check(cmc_print_x509_req(fuzz_null_bio(), req, 2) == 1, "cmc_print_x509_req");
        EVP_PKEY *key = X509_REQ_get0_pubkey(req);
        if (key != NULL) {
            (void)X509_REQ_verify(req, key);
            uint8_t ski[CMC_SKI_LEN];
            cmc_status ski_st = cmc_key_ski(ski, key);
            (void)ski_st;
        }
    }
    X509_REQ_free(req);
    ERR_clear_error();
    cmc_error_clear();
    return 0;
}

FUZZ_ISOLATED_ENTRY(one_input)
