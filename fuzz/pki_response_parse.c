/* Targets: cmc_pki_response_parse, cmc_pki_response_parse_ex (CMC_PARSE_ALLOW_BER),
 * cmc_pki_response_to_der, CMC_PKI_RESPONSE_print (decode -> print must not crash).
 * Oracles: a strictly parsed input re-encodes byte for byte; a BER-parsed input re-encodes
 * to DER that the strict parser accepts and that re-encodes to itself (idempotence).
 * Seeds: fuzz/corpus/pki_response_parse/ (named by content hash). max_len: 16384.
 * Dictionary: fuzz/dict/cmc.dict. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmc/cmc.h"
#include "fuzz_common.h"
#include "internal.h"

/* Empty PKIResponse: three empty SEQUENCE OFs (RFC 5272 §4.2). */
static const uint8_t kEmptyPkiResponse[] = {0x30, 0x06, 0x30, 0x00, 0x30, 0x00, 0x30, 0x00};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    fuzz_warm_up("pki_response_parse", LLVMFuzzerTestOneInput, kEmptyPkiResponse,
                 sizeof(kEmptyPkiResponse));
    return 0;
}

static void check_strict(const uint8_t *data, size_t size) {
    cmc_pki_response *pd = NULL;
    if (cmc_pki_response_parse(&pd, data, size) != CMC_OK) {
        fuzz_check(pd == NULL, "parse failed but set *out");
        return;
    }
    uint8_t *der = NULL;
    size_t der_len = 0;
    fuzz_check(cmc_pki_response_to_der(pd, &der, &der_len) == CMC_OK,
               "to_der of parsed PKIResponse");
    fuzz_check(der_len == size && memcmp(der, data, size) == 0,
               "accepted DER PKIResponse does not re-encode byte for byte");
    fuzz_check(CMC_PKI_RESPONSE_print(fuzz_null_bio(), pd, 0) == 1, "print of a parsed value");
    cmc_free(der);
    cmc_pki_response_free(pd);
}

static void check_ber(const uint8_t *data, size_t size) {
    cmc_pki_response *pd = NULL;
    if (cmc_pki_response_parse_ex(&pd, data, size, CMC_PARSE_ALLOW_BER) != CMC_OK) {
        return;
    }
    uint8_t *der = NULL;
    size_t der_len = 0;
    fuzz_check(cmc_pki_response_to_der(pd, &der, &der_len) == CMC_OK, "to_der of BER PKIResponse");
    cmc_pki_response *again = NULL;
    fuzz_check(cmc_pki_response_parse(&again, der, der_len) == CMC_OK,
               "DER re-encoding of an accepted BER PKIResponse is rejected by the strict parser");
    uint8_t *der2 = NULL;
    size_t der2_len = 0;
    fuzz_check(cmc_pki_response_to_der(again, &der2, &der2_len) == CMC_OK, "to_der (second)");
    fuzz_check(der2_len == der_len && memcmp(der, der2, der_len) == 0,
               "PKIResponse re-encoding is not idempotent");
    cmc_free(der2);
    cmc_pki_response_free(again);
    cmc_free(der);
    cmc_pki_response_free(pd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_init();
    check_strict(data, size);
    check_ber(data, size);
    cmc_error_clear();
    return 0;
}
