/* cmc_tlv.h: a small bounded BER/DER header reader (BearSSL/BoringSSL CBS style). It never
 * allocates and never reads outside [in, in + in_len). Used to classify decode failures
 * (truncated, wrong tag, trailing bytes) before OpenSSL's d2i, to slice raw sub-elements
 * (e.g. CertRequest.certReqId) and by `cmckit dump` to name the offset of an error. */
#ifndef CMC_ASN1_TLV_H
#define CMC_ASN1_TLV_H

#include <stddef.h>
#include <stdint.h>

#include "cmc/status.h"

/* Identifier octet classes (X.690 §8.1.2.2). */
#define CMC_TLV_UNIVERSAL 0x00
#define CMC_TLV_APPLICATION 0x40
#define CMC_TLV_CONTEXT 0x80
#define CMC_TLV_PRIVATE 0xC0
#define CMC_TLV_CONSTRUCTED 0x20

#define CMC_TLV_MAX_DEPTH 64 /* deeper than any CMC message; bounds the recursive walk */

typedef struct {
    uint8_t id;      /* first identifier octet (class | constructed | number or 0x1F) */
    uint32_t number; /* tag number (also for the high-tag-number form) */
    size_t hdr_len;  /* identifier + length octets */
    size_t len;      /* content length; 0 when indefinite */
    int indefinite;  /* 1 for the BER indefinite form (0x80) */
} cmc_tlv;

/* cmc_tlv_header reads one identifier+length header at |in|. CMC_OK, or
 * CMC_E_TRUNCATED (header or declared content runs past |in_len|) or CMC_E_DER (bad
 * length/tag encoding). For the indefinite form the content bound is not checked. */
cmc_status cmc_tlv_header(cmc_tlv *out, const uint8_t *in, size_t in_len);

/* cmc_tlv_header_unbounded reads the header like cmc_tlv_header but does not require the
 * declared content to fit in |in_len| (the header itself must); for error messages. */
cmc_status cmc_tlv_header_unbounded(cmc_tlv *out, const uint8_t *in, size_t in_len);

/* cmc_tlv_element_len returns in |*out_len| the full length (header + content, including
 * end-of-contents for indefinite forms, found by walking) of the element at |in|. */
cmc_status cmc_tlv_element_len(size_t *out_len, const uint8_t *in, size_t in_len);

/* cmc_tlv_check_outer checks that |in| is exactly one element whose first identifier octet
 * is |want_id|: CMC_E_TAG, CMC_E_TRUNCATED, CMC_E_DER or CMC_E_TRAILING otherwise. */
cmc_status cmc_tlv_check_outer(const uint8_t *in, size_t in_len, uint8_t want_id);

/* cmc_tlv_walk validates the whole BER structure of one element (every constructed
 * element's children fill it exactly). On failure |*err_off| is the offset of the
 * offending header and |*err_what| a static phrase ("a length that fits the enclosing
 * element", ...). */
cmc_status cmc_tlv_walk(const uint8_t *in, size_t in_len, size_t *err_off, const char **err_what);

/* cmc_tlv_tag_name returns a short name for an identifier octet ("SEQUENCE", "[0]"...). */
const char *cmc_tlv_tag_name(uint8_t id, char *buf, size_t buf_len);

#endif /* CMC_ASN1_TLV_H */
