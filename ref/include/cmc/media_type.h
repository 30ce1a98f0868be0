/* cmc/media_type.h: CMC media types (RFC 5273 §4 / RFC 10003; spec/CMC.md §10).
 *
 * Parses a Content-Type header value, or an Accept header value, into the five media types
 * CMC uses, and emits the table spelling. Parsing follows RFC 9110 §5.6.6 and §8.3.1:
 * type, subtype and parameter names are case-insensitive, parameter values may be quoted
 * strings, whitespace around ";" is allowed. The smime-type value is also matched
 * case-insensitively, so "CMC-request" (RFC 5273 table), "CMC-Request" (RFC 5273 prose,
 * erratum 3593) and "cmc-request" (a vendor page, spec/CMC.md §12) are one type, and both
 * "certs-only" and "certsonly" mean the Simple PKI Response. */
#ifndef CMC_MEDIA_TYPE_H
#define CMC_MEDIA_TYPE_H

#include <stddef.h>
#include <stdint.h>

#include "cmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Longest header value we parse. Real values are < 100 bytes ("application/pkcs7-mime;
 * smime-type=CMC-request; name=request.p7m" is 62); 1 KiB bounds the work per header. */
#define CMC_MAX_MEDIA_TYPE_LEN 1024

typedef enum {
    CMC_MEDIA_OTHER = 0,    /* well-formed, but none of the types below */
    CMC_MEDIA_PKCS10,       /* application/pkcs10: Simple PKI Request */
    CMC_MEDIA_CMC_REQUEST,  /* application/pkcs7-mime; smime-type=CMC-request */
    CMC_MEDIA_CMC_RESPONSE, /* application/pkcs7-mime; smime-type=CMC-response */
    CMC_MEDIA_CERTS_ONLY,   /* application/pkcs7-mime; smime-type=certs-only */
    CMC_MEDIA_PKIX_CERT,    /* application/pkix-cert: one DER certificate */
    CMC_MEDIA_PKCS7_MIME,   /* application/pkcs7-mime without an smime-type parameter */
    CMC_MEDIA_COUNT
} cmc_media_type;

/* cmc_media_type_parse parses one Content-Type value of |value_len| bytes (no NUL needed).
 * On CMC_OK |*out| is the type (CMC_MEDIA_OTHER for a well-formed value that is none of
 * ours, including application/pkcs7-mime with another smime-type such as signed-data).
 * Errors: CMC_E_ARG (NULL), CMC_E_LIMIT (longer than CMC_MAX_MEDIA_TYPE_LEN),
 * CMC_E_MEDIA_TYPE (empty, not "type/subtype", bad parameter syntax, control characters,
 * unterminated quoted string, or two smime-type parameters). |*out| is unchanged on error. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_media_type_parse(cmc_media_type *out, const char *value,
                                                        size_t value_len);

/* cmc_media_type_str returns the table spelling of spec/CMC.md §10 for |t|
 * ("application/pkcs7-mime; smime-type=CMC-request"), "application/pkcs7-mime" for
 * CMC_MEDIA_PKCS7_MIME, and NULL for CMC_MEDIA_OTHER and out-of-range values. */
CMC_EXPORT const char *cmc_media_type_str(cmc_media_type t);

/* Weights are RFC 9110 §12.4.2 qvalues scaled to 0..1000. */
#define CMC_MEDIA_Q_MAX 1000

/* The result of parsing an Accept header: the weight the client gives each of our types,
 * after RFC 9110 §12.5.1 precedence (the most specific matching range wins:
 * type/subtype;smime-type=x, then type/subtype, then type/star, then star/star).
 * application/pkcs7-mime without smime-type matches every pkcs7-mime type. A type no
 * range matches gets weight 0. */
typedef struct {
    uint16_t q[CMC_MEDIA_COUNT]; /* indexed by cmc_media_type; q[CMC_MEDIA_OTHER] unused */
} cmc_media_accept;

/* Most media ranges one Accept header may list; bounds the matching work. */
#define CMC_MAX_ACCEPT_RANGES 32

/* cmc_media_accept_parse parses an Accept header value. A NULL |value| (no header) or an
 * empty one means "anything" (RFC 9110 §12.5.1): every type gets CMC_MEDIA_Q_MAX.
 * Errors: CMC_E_LIMIT (longer than CMC_MAX_MEDIA_TYPE_LEN or more than
 * CMC_MAX_ACCEPT_RANGES ranges), CMC_E_MEDIA_TYPE (syntax, bad qvalue). On error |*out| is
 * unchanged. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_media_accept_parse(cmc_media_accept *out, const char *value,
                                                          size_t value_len);

#ifdef __cplusplus
}
#endif
#endif /* CMC_MEDIA_TYPE_H */
