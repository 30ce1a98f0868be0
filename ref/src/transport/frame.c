/* frame.c: where a raw BER message ends (TCP has no framing: RFC 5273 §5 as replaced by
 * RFC 6402, spec/CMC.md §10 and §13 item 19), and what kind of message it is (spec/CMC.md
 * §9.2 step 1, via cmc_sniff). Both only walk TLV headers; neither validates a message. */
#include <string.h>

#include <openssl/objects.h>

#include "cmc/msg.h"
#include "cmc/transport.h"

/* Longest tag number encoding we accept after the first octet (X.690 §8.1.2.4): 4 octets
 * carry 28 bits, far beyond any tag CMC uses (the largest is [4]). */
#define BER_MAX_TAG_OCTETS 4

typedef struct {
    uint8_t first;      /* the first identifier octet (class, constructed bit, low tag bits) */
    int constructed;    /* X.690 §8.1.2.5 */
    int indefinite;     /* length octet 0x80 (X.690 §8.1.3.6) */
    size_t header_len;  /* identifier + length octets */
    size_t content_len; /* valid when !indefinite */
} ber_header;

/* ber_read_header reads one identifier + length at |p| (|avail| bytes present). */
static cmc_status ber_read_header(ber_header *h, const uint8_t *p, size_t avail) {
    size_t pos = 0;
    if (avail < 1) {
        return CMC_E_TRUNCATED;
    }
    h->first = p[pos++];
    h->constructed = (h->first & 0x20) != 0;
    if ((h->first & 0x1f) == 0x1f) {
        size_t n = 0;
        for (;;) {
            if (pos >= avail) {
                return CMC_E_TRUNCATED;
            }
            uint8_t b = p[pos++];
            if (n == 0 && b == 0x80) {
                CMC_RAISE(CMC_E_DER); /* X.690 §8.1.2.4.2 c: no leading 0x80 */
            }
            if (++n > BER_MAX_TAG_OCTETS) {
                CMC_RAISE(CMC_E_DER);
            }
            if ((b & 0x80) == 0) {
                break;
            }
        }
    }
    if (pos >= avail) {
        return CMC_E_TRUNCATED;
    }
    uint8_t l = p[pos++];
    h->indefinite = 0;
    h->content_len = 0;
    if (l < 0x80) {
        h->content_len = l;
    } else if (l == 0x80) {
        if (!h->constructed) {
            CMC_RAISE(CMC_E_DER); /* X.690 §8.1.3.2 a: primitive needs a definite length */
        }
        h->indefinite = 1;
    } else if (l == 0xff) {
        CMC_RAISE(CMC_E_DER); /* X.690 §8.1.3.5 c: reserved */
    } else {
        size_t n = l & 0x7f;
        if (n > sizeof(uint32_t)) {
            CMC_RAISE(CMC_E_LIMIT); /* > 4 GiB: far beyond any limit we apply */
        }
        size_t v = 0;
        for (size_t i = 0; i < n; i++) {
            if (pos >= avail) {
                return CMC_E_TRUNCATED;
            }
            v = (v << 8) | p[pos++];
        }
        h->content_len = v;
    }
    h->header_len = pos;
    return CMC_OK;
}

cmc_status cmc_ber_frame_length(size_t *out_len, const uint8_t *buf, size_t buf_len,
                                size_t max_len) {
    if (out_len == NULL || (buf == NULL && buf_len > 0)) {
        CMC_RAISE(CMC_E_ARG);
    }
    size_t pos = 0;
    size_t depth = 0; /* open indefinite-length elements */
    for (;;) {
        ber_header h = {0};
        if (pos >= buf_len) {
            return CMC_E_TRUNCATED;
        }
        cmc_status st = ber_read_header(&h, buf + pos, buf_len - pos);
        if (st != CMC_OK) {
            return st;
        }
        if (h.first == 0x00) {
            /* End-of-contents (X.690 §8.1.5): only inside an indefinite element, length 0. */
            if (depth == 0 || h.indefinite || h.content_len != 0) {
                CMC_RAISE(CMC_E_DER);
            }
            pos += h.header_len;
            depth--;
        } else if (h.indefinite) {
            if (++depth > CMC_TRANSPORT_MAX_BER_DEPTH) {
                CMC_RAISE(CMC_E_LIMIT);
            }
            pos += h.header_len;
        } else {
            if (h.content_len > max_len || pos + h.header_len > max_len - h.content_len) {
                CMC_RAISE(CMC_E_LIMIT);
            }
            pos += h.header_len + h.content_len;
        }
        if (pos > max_len) {
            CMC_RAISE(CMC_E_LIMIT);
        }
        if (depth == 0) {
            if (pos > buf_len) {
                return CMC_E_TRUNCATED;
            }
            *out_len = pos;
            return CMC_OK;
        }
    }
}

/* The sniffers are thin mappings of the message layer's cmc_sniff (one codec in the
 * project, DESIGN.md): the transport only needs the media type, not the classification. */

#define OID_DATA "1.2.840.113549.1.7.1"       /* id-data, RFC 5652 §4 */
#define OID_PKI_RESPONSE "1.3.6.1.5.5.7.12.3" /* id-cct-PKIResponse, RFC 5272 §4.2 */

cmc_media_type cmc_transport_sniff_request(const uint8_t *body, size_t body_len) {
    cmc_sniff_result r;
    if (cmc_sniff(&r, body, body_len) != CMC_OK) {
        return CMC_MEDIA_OTHER;
    }
    switch (r.kind) {
    case CMC_SNIFF_PKCS10:
        return CMC_MEDIA_PKCS10;
    case CMC_SNIFF_CONTENT_INFO:
        return CMC_MEDIA_CMC_REQUEST;
    default:
        return CMC_MEDIA_OTHER;
    }
}

cmc_media_type cmc_transport_sniff_response(const uint8_t *body, size_t body_len) {
    cmc_sniff_result r;
    if (cmc_sniff(&r, body, body_len) != CMC_OK) {
        return CMC_MEDIA_OTHER;
    }
    if (r.kind == CMC_SNIFF_CERTIFICATE) {
        return CMC_MEDIA_PKIX_CERT;
    }
    if (r.kind != CMC_SNIFF_CONTENT_INFO || r.content_type_nid != NID_pkcs7_signed) {
        return CMC_MEDIA_OTHER;
    }
    if (strcmp(r.econtent_type_oid, OID_PKI_RESPONSE) == 0) {
        return CMC_MEDIA_CMC_RESPONSE;
    }
    if (strcmp(r.econtent_type_oid, OID_DATA) == 0) {
        return CMC_MEDIA_CERTS_ONLY;
    }
    return CMC_MEDIA_OTHER;
}
