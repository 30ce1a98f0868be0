/* cmc/status.h: the one status table of libcmc (STYLE.md "Errors").
 *
 * Every fallible libcmc function returns a cmc_status. CMC_RAISE records the code, the
 * source location and the drained OpenSSL error queue in a thread-local record, for logs;
 * callers decide on the return value only. CMCFailInfo (the wire value) is a separate enum
 * in cmc/asn1.h, mapped from cmc_status only where responses are built. */
#ifndef CMC_STATUS_H
#define CMC_STATUS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CMC_EXPORT __attribute__((visibility("default")))
#define CMC_MUST_USE __attribute__((warn_unused_result))

/* Append new codes at the end of a group; the numbers are not part of any wire format. */
#define CMC_STATUS_TABLE(X)                                                                        \
    X(CMC_OK, "success")                                                                           \
    /* decoding */                                                                                 \
    X(CMC_E_DER, "malformed DER")                                                                  \
    X(CMC_E_TRAILING, "bytes left after the outer DER element")                                    \
    X(CMC_E_LIMIT, "input exceeds a documented limit")                                             \
    X(CMC_E_TRUNCATED, "input ends inside a DER element")                                          \
    X(CMC_E_TAG, "unexpected tag")                                                                 \
    X(CMC_E_NOT_DER, "BER where DER is required")                                                  \
    X(CMC_E_BODY_PART_RANGE, "BodyPartID outside 0..4294967295")                                   \
    X(CMC_E_BODY_PART_ZERO, "BodyPartID 0 is reserved for the enclosing PKIData")                  \
    X(CMC_E_BODY_PART_DUP, "duplicate BodyPartID in one PKIData/PKIResponse")                      \
    X(CMC_E_EMPTY_LIST, "SEQUENCE SIZE (1..MAX) is empty")                                         \
    X(CMC_E_BAD_VALUE, "value outside its ASN.1 range or enumeration")                             \
    X(CMC_E_NOT_CMC, "not a CMC message")                                                          \
    /* general */                                                                                  \
    X(CMC_E_NOMEM, "out of memory")                                                                \
    X(CMC_E_ARG, "invalid argument")                                                               \
    X(CMC_E_INTERNAL, "internal error")                                                            \
    X(CMC_E_CRYPTO, "OpenSSL operation failed")                                                    \
    X(CMC_E_IO, "I/O error")                                                                       \
    X(CMC_E_CONFIG, "bad configuration")                                                           \
    X(CMC_E_UNSUPPORTED, "not supported")                                                          \
    X(CMC_E_NOT_FOUND, "not found")                                                                \
    /* message layer */                                                                            \
    X(CMC_E_MEDIA_TYPE, "unsupported media type")                                                  \
    X(CMC_E_MEDIA_MISMATCH, "media type does not match the message bytes")                         \
    X(CMC_E_DIGEST, "stage 1: message digest does not match the content")                          \
    X(CMC_E_CONTENT_TYPE, "stage 2: content type is not id-cct-PKIData or does not match")         \
    X(CMC_E_SIGNATURE, "stage 3: signature does not verify")                                       \
    X(CMC_E_SIGNER_UNTRUSTED, "stage 3: signer certificate does not chain to a trust anchor")      \
    X(CMC_E_SIGNER_EXPIRED, "stage 3: signer certificate expired")                                 \
    X(CMC_E_SIGNER_NOT_YET_VALID, "stage 3: signer certificate not yet valid")                     \
    X(CMC_E_SIGNER_REVOKED, "stage 3: signer certificate revoked")                                 \
    X(CMC_E_NOT_OFFICER, "stage 3: signer is not a registered officer")                            \
    X(CMC_E_ROLE, "stage 3: officer lacks the role the operation needs")                           \
    X(CMC_E_UNSIGNED, "SignedData has no signer")                                                  \
    X(CMC_E_DETACHED, "detached content is not allowed")                                           \
    X(CMC_E_POP, "proof of possession failed")                                                     \
    X(CMC_E_ALG, "algorithm not allowed")                                                          \
    /* server operations and store */                                                              \
    X(CMC_E_POLICY, "refused by policy")                                                           \
    X(CMC_E_REASON, "revocation reason not allowed")                                               \
    X(CMC_E_BAD_CERT_ID, "no certificate matches the issuer and serial")                           \
    X(CMC_E_ALREADY_REVOKED, "certificate already revoked")                                        \
    X(CMC_E_STORE, "store error")                                                                  \
    X(CMC_E_BUSY, "store busy")                                                                    \
    /* transport */                                                                                \
    X(CMC_E_CONNECT, "connection refused")                                                         \
    X(CMC_E_TIMEOUT, "timed out")                                                                  \
    X(CMC_E_TLS, "TLS failure")                                                                    \
    X(CMC_E_HTTP, "HTTP error status")                                                             \
    X(CMC_E_PROTOCOL, "transport protocol error")

typedef enum {
#define CMC_STATUS_ENUM_(name, text) name,
    CMC_STATUS_TABLE(CMC_STATUS_ENUM_)
#undef CMC_STATUS_ENUM_
        CMC_STATUS_COUNT
} cmc_status;

/* cmc_status_str returns a static English text for |s|, or "unknown status". */
CMC_EXPORT const char *cmc_status_str(cmc_status s);

/* cmc_status_name returns the identifier ("CMC_E_DER") for |s|, or "CMC_E_?". */
CMC_EXPORT const char *cmc_status_name(cmc_status s);

/* The thread-local record of the last CMC_RAISE on this thread. */
typedef struct {
    cmc_status code;
    const char *file;
    int line;
    unsigned long openssl_errors[4]; /* first drained ERR_get_error() values, 0-terminated */
    char detail[256];                /* optional free text set with cmc_error_set_detail */
} cmc_error_record;

/* cmc_error_last lends this thread's record; valid until the next raise on this thread. */
CMC_EXPORT const cmc_error_record *cmc_error_last(void);

/* cmc_error_raise fills the record and returns |code|; use it through CMC_RAISE. */
CMC_EXPORT cmc_status cmc_error_raise(cmc_status code, const char *file, int line);

/* cmc_error_set_detail formats a short detail text into this thread's record. */
CMC_EXPORT void cmc_error_set_detail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* cmc_error_clear resets this thread's record (and drains the OpenSSL queue). */
CMC_EXPORT void cmc_error_clear(void);

#define CMC_RAISE(code) return cmc_error_raise((code), __FILE__, __LINE__)

/* CMC_TRY(expr): propagate a non-OK status unchanged (the record is already filled). */
#define CMC_TRY(expr)                                                                              \
    do {                                                                                           \
        cmc_status cmc_try_st_ = (expr);                                                           \
        if (cmc_try_st_ != CMC_OK) {                                                               \
            return cmc_try_st_;                                                                    \
        }                                                                                          \
    } while (0)

#ifdef __cplusplus
}
#endif
#endif /* CMC_STATUS_H */
