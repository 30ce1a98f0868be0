/* cmc/dump.h: a CMC-aware tree printer for any CMC message (RFC 5272 §3, §4): Full PKI
 * Request/Response (ContentInfo -> SignedData -> PKIData/PKIResponse, with every control
 * by name and decoded value), Simple PKI Request (PKCS #10), Simple PKI Response
 * (certs-only), a single certificate, or a bare PKIData/PKIResponse. Used by
 * `cmckit dump`, the conformance runner's HTML report and the tests. */
#ifndef CMC_DUMP_H
#define CMC_DUMP_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/bio.h>

#include "cmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CMC_DUMP_ERR_LEN 256 /* a buffer this size always holds the whole error line */

/* cmc_dump writes the tree of the message in |in| (DER/BER, or PEM: every PEM block is
 * dumped in turn) to |out|. Nothing is written to |out| unless the whole input decodes.
 * On error |err| (if not NULL) receives one line without newline, "offset N: expected X"
 * (N is a byte offset into the DER), and the status says what kind of error it was
 * (CMC_E_TRUNCATED, CMC_E_TAG, CMC_E_TRAILING, CMC_E_DER, CMC_E_NOT_CMC, CMC_E_LIMIT). */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_dump(BIO *out, const uint8_t *in, size_t in_len, char *err,
                                            size_t err_len);

#ifdef __cplusplus
}
#endif
#endif /* CMC_DUMP_H */
