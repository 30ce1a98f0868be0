/* frame.c: where a raw BER message ends (TCP has no framing: RFC 5273 §5 as replaced by
 * RFC 6402, spec/CMC.md §10 and §13 item 19), and what kind of message it is (spec/CMC.md
 * §9.2 step 1). Both only walk TLV headers; neither decodes or validates a message. */
#include <string.h>

#include "cmc/transport.h"

/* Longest tag number encoding we accept after the first octet (X.690 §8.1.2.4): 4 octets
 * carry 28 bits, far beyond any tag CMC uses (the largest is [4]). */
#define BER_MAX_TAG_OCTETS 4

typedef struct {
    uint8_t first;     /* the first identifier octet (class, constructed bit, low tag bits) */
    int constructed;   /* X.690 §8.1.2.5 */
    int indefinite;    /* length octet 0x80 (X.690 §8.1.3.6) */
    size_t header_len; /* identifier + length octets */
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
        ber_header h;
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

/* A bounded cursor over one element's contents. */
typedef struct {
    const uint8_t *p;
    size_t len;
} span;

/* span_enter reads the element at the start of |s|; on success |*inner| is its contents
 * (without EOC octets) and |s| advances past it. Returns 0 on any problem. */
static int span_enter(span *s, uint8_t *out_first, span *inner) {
    ber_header h;
    size_t total = 0;
    if (ber_read_header(&h, s->p, s->len) != CMC_OK ||
        cmc_ber_frame_length(&total, s->p, s->len, s->len) != CMC_OK) {
        return 0;
    }
    *out_first = h.first;
    inner->p = s->p + h.header_len;
    inner->len = total - h.header_len - (h.indefinite ? 2 : 0);
    s->p += total;
    s->len -= total;
    return 1;
}

static int span_is_oid(const span *s, const uint8_t *oid, size_t oid_len) {
    return s->len == oid_len && memcmp(s->p, oid, oid_len) == 0;
}

/* OID contents octets (RFC 5652 §3, §5.1; RFC 5272 §3.2, §4.2; spec/CMC.md §3.1). */
static const uint8_t kOidSignedData[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02};
static const uint8_t kOidData[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01};
static const uint8_t kOidPkiResponse[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x0c, 0x03};

cmc_media_type cmc_transport_sniff_request(const uint8_t *body, size_t body_len) {
    span s = {body, body_len}, outer, inner;
    uint8_t tag;
    if (body == NULL || !span_enter(&s, &tag, &outer) || tag != 0x30 || outer.len < 1) {
        return CMC_MEDIA_OTHER;
    }
    if (outer.p[0] == 0x06) {
        return CMC_MEDIA_CMC_REQUEST; /* ContentInfo ::= SEQUENCE { contentType OID, ... } */
    }
    /* CertificationRequest ::= SEQUENCE { CertificationRequestInfo SEQUENCE { version 0 */
    if (!span_enter(&outer, &tag, &inner) || tag != 0x30 || inner.len < 3 ||
        memcmp(inner.p, "\x02\x01\x00", 3) != 0) {
        return CMC_MEDIA_OTHER;
    }
    return CMC_MEDIA_PKCS10;
}

cmc_media_type cmc_transport_sniff_response(const uint8_t *body, size_t body_len) {
    span s = {body, body_len}, ci, oid, sd_wrap, sd, skip, encap, ectype;
    uint8_t tag;
    if (body == NULL || !span_enter(&s, &tag, &ci) || tag != 0x30 || ci.len < 1) {
        return CMC_MEDIA_OTHER;
    }
    if (ci.p[0] == 0x30) {
        /* Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version ... */
        span tbs;
        if (span_enter(&ci, &tag, &tbs) && tbs.len > 0 && tbs.p[0] == 0xa0) {
            return CMC_MEDIA_PKIX_CERT;
        }
        return CMC_MEDIA_OTHER;
    }
    /* ContentInfo { signedData, [0] SignedData { version, digestAlgorithms,
     *   encapContentInfo { eContentType, ... } } } */
    if (!span_enter(&ci, &tag, &oid) || tag != 0x06 ||
        !span_is_oid(&oid, kOidSignedData, sizeof(kOidSignedData)) ||
        !span_enter(&ci, &tag, &sd_wrap) || tag != 0xa0 || !span_enter(&sd_wrap, &tag, &sd) ||
        tag != 0x30 || !span_enter(&sd, &tag, &skip) || tag != 0x02 ||
        !span_enter(&sd, &tag, &skip) || tag != 0x31 || !span_enter(&sd, &tag, &encap) ||
        tag != 0x30 || !span_enter(&encap, &tag, &ectype) || tag != 0x06) {
        return CMC_MEDIA_OTHER;
    }
    if (span_is_oid(&ectype, kOidPkiResponse, sizeof(kOidPkiResponse))) {
        return CMC_MEDIA_CMC_RESPONSE;
    }
    if (span_is_oid(&ectype, kOidData, sizeof(kOidData))) {
        return CMC_MEDIA_CERTS_ONLY;
    }
    return CMC_MEDIA_OTHER;
}
