/* Targets: cmc_ber_frame_length (the RFC 5273 §5 / RFC 6402 TCP framer: raw BER from the
 * network, definite and indefinite lengths), cmc_transport_sniff_request and
 * cmc_transport_sniff_response (cmc/transport.h).
 * Oracles: a found frame lies inside the input and is found again, with the same length, in
 * exactly its own bytes; every shorter prefix of it is CMC_E_TRUNCATED (the framer never
 * decides early); a tighter limit only ever turns OK into CMC_E_LIMIT; the sniffers return
 * one of their documented media types.
 * Seeds: fuzz/corpus/ber_frame/ (named by content hash). max_len: 65536. */
#include <stdint.h>
#include <string.h>

#include "cmc/transport.h"
#include "fuzz_common.h"

/* SEQUENCE (indefinite) { SEQUENCE { INTEGER 0 } EOC } followed by a second message. */
static const uint8_t kSeed[] = {0x30, 0x80, 0x30, 0x03, 0x02, 0x01, 0x00, 0x00, 0x00, 0x30, 0x00};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    fuzz_warm_up("ber_frame", LLVMFuzzerTestOneInput, kSeed, sizeof(kSeed));
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    size_t len = 0;
    cmc_status st = cmc_ber_frame_length(&len, data, size, size);
    fuzz_check(st == CMC_OK || st == CMC_E_TRUNCATED || st == CMC_E_DER || st == CMC_E_LIMIT,
               "undocumented framer status");
    if (st == CMC_OK) {
        fuzz_check(len >= 2 && len <= size, "frame outside the input");
        size_t again = 0;
        fuzz_check(cmc_ber_frame_length(&again, data, len, len) == CMC_OK && again == len,
                   "frame not found again in its own bytes");
        /* Prefixes (a few, to keep each run cheap): never complete before the end. */
        size_t step = len / 8 + 1;
        for (size_t n = 0; n < len; n += step) {
            size_t x = 0;
            fuzz_check(cmc_ber_frame_length(&x, data, n, size) == CMC_E_TRUNCATED,
                       "a prefix of a frame was not TRUNCATED");
        }
        if (len > 2) {
            size_t x = 0;
            cmc_status tight = cmc_ber_frame_length(&x, data, size, len - 1);
            fuzz_check(tight == CMC_E_LIMIT, "a frame longer than the limit was accepted");
        }
    }
    cmc_media_type rq = cmc_transport_sniff_request(data, size);
    fuzz_check(rq == CMC_MEDIA_OTHER || rq == CMC_MEDIA_PKCS10 || rq == CMC_MEDIA_CMC_REQUEST,
               "request sniffer returned a response type");
    cmc_media_type rs = cmc_transport_sniff_response(data, size);
    fuzz_check(rs == CMC_MEDIA_OTHER || rs == CMC_MEDIA_CMC_RESPONSE ||
                   rs == CMC_MEDIA_CERTS_ONLY || rs == CMC_MEDIA_PKIX_CERT,
               "response sniffer returned a request type");
    return 0;
}
