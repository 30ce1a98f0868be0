/* cmc_tlv.c: bounded BER/DER header reader; see cmc_tlv.h. X.690 §8.1. */
#include "asn1/cmc_tlv.h"

#include <stdio.h>

#define CMC_TLV_MAX_LEN_OCTETS 4 /* lengths above 4 GiB are never CMC messages */

static cmc_status read_header(cmc_tlv *out, const uint8_t *in, size_t in_len, int bound) {
    size_t i = 0;
    if (in_len < 2) {
        CMC_RAISE(CMC_E_TRUNCATED);
    }
    cmc_tlv t = {0};
    t.id = in[i++];
    t.number = t.id & 0x1Fu;
    if (t.number == 0x1F) {
        /* High-tag-number form: base-128, at most 4 octets, no leading 0x80. */
        t.number = 0;
        for (int n = 0;; n++) {
            if (i >= in_len) {
                CMC_RAISE(CMC_E_TRUNCATED);
            }
            uint8_t b = in[i++];
            if ((n == 0 && b == 0x80) || n >= 4) {
                CMC_RAISE(CMC_E_DER);
            }
            t.number = (t.number << 7) | (b & 0x7Fu);
            if ((b & 0x80) == 0) {
                break;
            }
        }
    }
    if (i >= in_len) {
        CMC_RAISE(CMC_E_TRUNCATED);
    }
    uint8_t l0 = in[i++];
    if (l0 < 0x80) {
        t.len = l0;
    } else if (l0 == 0x80) {
        if ((t.id & CMC_TLV_CONSTRUCTED) == 0) {
            CMC_RAISE(CMC_E_DER); /* indefinite length only for constructed encodings */
        }
        t.indefinite = 1;
    } else {
        size_t n = l0 & 0x7Fu;
        if (n > CMC_TLV_MAX_LEN_OCTETS || n == 0x7F) {
            CMC_RAISE(CMC_E_DER);
        }
        if (in_len - i < n) {
            CMC_RAISE(CMC_E_TRUNCATED);
        }
        size_t v = 0;
        for (size_t k = 0; k < n; k++) {
            v = (v << 8) | in[i++];
        }
        t.len = v;
    }
    t.hdr_len = i;
    if (bound && !t.indefinite && in_len - i < t.len) {
        CMC_RAISE(CMC_E_TRUNCATED);
    }
    *out = t;
    return CMC_OK;
}

cmc_status cmc_tlv_header(cmc_tlv *out, const uint8_t *in, size_t in_len) {
    return read_header(out, in, in_len, 1);
}

cmc_status cmc_tlv_header_unbounded(cmc_tlv *out, const uint8_t *in, size_t in_len) {
    return read_header(out, in, in_len, 0);
}

static cmc_status walk(const uint8_t *in, size_t in_len, size_t base, int depth, size_t *used,
                       size_t *err_off, const char **err_what) {
    cmc_tlv t;
    cmc_status st = cmc_tlv_header(&t, in, in_len);
    if (st != CMC_OK) {
        *err_off = base;
        *err_what = st == CMC_E_TRUNCATED ? "a complete element (input ends inside it)"
                                          : "a valid identifier and length";
        return st;
    }
    if (depth >= CMC_TLV_MAX_DEPTH) {
        *err_off = base;
        *err_what = "nesting of at most 64 levels";
        CMC_RAISE(CMC_E_LIMIT);
    }
    if (t.id == 0x00 && t.len == 0 && !t.indefinite) {
        *used = 2; /* end-of-contents: the caller decides whether it is allowed here */
        return CMC_OK;
    }
    if ((t.id & 0xDFu) == 0x00) {
        /* X.690 §8.1.5: universal tag 0 is reserved for end-of-contents, which is exactly
         * 00 00. OpenSSL re-encodes a constructed "20 00" ANY as 00 00, so accepting it made
         * a BER PKIResponse whose DER re-encoding no longer parsed (fuzz/pki_response_parse). */
        *err_off = base;
        *err_what = "end-of-contents as 00 00 (universal tag 0 is reserved for it)";
        CMC_RAISE(CMC_E_DER);
    }
    if ((t.id & CMC_TLV_CONSTRUCTED) == 0) {
        *used = t.hdr_len + t.len;
        return CMC_OK;
    }
    size_t off = t.hdr_len;
    size_t end = t.indefinite ? in_len : t.hdr_len + t.len;
    for (;;) {
        if (!t.indefinite && off == end) {
            *used = end;
            return CMC_OK;
        }
        if (t.indefinite && end - off >= 2 && in[off] == 0 && in[off + 1] == 0) {
            *used = off + 2;
            return CMC_OK;
        }
        if (off >= end) {
            *err_off = base + off;
            *err_what = "end-of-contents of an indefinite-length element";
            CMC_RAISE(CMC_E_TRUNCATED);
        }
        size_t child = 0;
        st = walk(in + off, end - off, base + off, depth + 1, &child, err_off, err_what);
        if (st != CMC_OK) {
            return st;
        }
        if (child == 2 && in[off] == 0) {
            *err_off = base + off;
            *err_what = "an element, not end-of-contents inside a definite-length element";
            CMC_RAISE(CMC_E_DER);
        }
        off += child;
    }
}

cmc_status cmc_tlv_element_len(size_t *out_len, const uint8_t *in, size_t in_len) {
    size_t off = 0;
    const char *what = NULL;
    return walk(in, in_len, 0, 0, out_len, &off, &what);
}

cmc_status cmc_tlv_walk(const uint8_t *in, size_t in_len, size_t *err_off, const char **err_what) {
    size_t used = 0;
    CMC_TRY(walk(in, in_len, 0, 0, &used, err_off, err_what));
    if (used != in_len) {
        *err_off = used;
        *err_what = "end of input after the outer element";
        CMC_RAISE(CMC_E_TRAILING);
    }
    return CMC_OK;
}

cmc_status cmc_tlv_check_outer(const uint8_t *in, size_t in_len, uint8_t want_id) {
    cmc_tlv t = {0};
    if (in_len >= 1 && in[0] != want_id) {
        CMC_RAISE(CMC_E_TAG);
    }
    CMC_TRY(cmc_tlv_header(&t, in, in_len));
    if (t.indefinite) {
        size_t used = 0;
        CMC_TRY(cmc_tlv_element_len(&used, in, in_len));
        if (used != in_len) {
            CMC_RAISE(CMC_E_TRAILING);
        }
        return CMC_OK;
    }
    if (t.hdr_len + t.len != in_len) {
        CMC_RAISE(CMC_E_TRAILING);
    }
    return CMC_OK;
}

const char *cmc_tlv_tag_name(uint8_t id, char *buf, size_t buf_len) {
    static const char *const kUniversal[] = {
        [0x01] = "BOOLEAN",
        [0x02] = "INTEGER",
        [0x03] = "BIT STRING",
        [0x04] = "OCTET STRING",
        [0x05] = "NULL",
        [0x06] = "OBJECT IDENTIFIER",
        [0x0A] = "ENUMERATED",
        [0x0C] = "UTF8String",
        [0x10] = "SEQUENCE",
        [0x11] = "SET",
        [0x13] = "PrintableString",
        [0x16] = "IA5String",
        [0x17] = "UTCTime",
        [0x18] = "GeneralizedTime",
    };
    unsigned cls = id & 0xC0u;
    unsigned num = id & 0x1Fu;
    if (cls == CMC_TLV_UNIVERSAL && num < sizeof(kUniversal) / sizeof(kUniversal[0]) &&
        kUniversal[num] != NULL) {
        snprintf(buf, buf_len, "%s", kUniversal[num]);
    } else if (cls == CMC_TLV_CONTEXT) {
        snprintf(buf, buf_len, "[%u]", num);
    } else {
        snprintf(buf, buf_len, "tag 0x%02X", id);
    }
    return buf;
}
