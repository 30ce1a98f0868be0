/* Targets: cmc_pki_data_parse_ex and cmc_pki_response_parse_ex (CMC_PARSE_ALLOW_BER) and
 * our BER walker cmc_tlv_walk, against OpenSSL's generic decoder (ASN1_get_object, walked
 * recursively here, and ASN1_parse_dump) on the same bytes.
 * Oracles (the outer BER structure, not the schema):
 *   - if our PKIData or PKIResponse decoder accepts, the input is exactly one well-formed
 *     BER element for both generic walkers;
 *   - cmc_tlv_walk and the ASN1_get_object walk agree (both accept or both reject) on every
 *     input without encodings where the two are documented to differ: the high-tag-number
 *     form, long-form lengths that are not minimal or longer than 4 octets (cmc_tlv caps
 *     them, OpenSSL does not), universal tag 0 other than end-of-contents 00 00 (cmc_tlv
 *     rejects it, OpenSSL reads it), primitive SEQUENCE or SET (likewise), and nesting
 *     deeper than CMC_TLV_MAX_DEPTH.
 * Seeds: fuzz/corpus/differential/ (named by content hash). max_len: 16384.
 * Dictionary: fuzz/dict/cmc.dict. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/err.h>

#include "asn1/cmc_tlv.h"
#include "cmc/cmc.h"
#include "fuzz_common.h"

static const uint8_t kEmptyPkiData[] = {0x30, 0x08, 0x30, 0x00, 0x30, 0x00, 0x30, 0x00, 0x30, 0x00};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    fuzz_warm_up("differential", LLVMFuzzerTestOneInput, kEmptyPkiData, sizeof(kEmptyPkiData));
    return 0;
}

typedef struct {
    int exotic; /* saw an encoding where cmc_tlv and OpenSSL are allowed to differ */
} walk_state;

/* Reads one element at |p| (|avail| bytes) with ASN1_get_object, the children of
 * constructed ones recursively. Returns the element's full length, or 0 on error.
 * Applies the same two structural rules as cmc_tlv_walk: children fill a definite-length
 * element exactly and never are end-of-contents; an indefinite one ends at 00 00. */
static size_t ossl_walk(walk_state *ws, const uint8_t *p, size_t avail, int depth) {
    if (depth >= CMC_TLV_MAX_DEPTH) {
        ws->exotic = 1;
        return 0;
    }
    if (avail == 0) {
        return 0;
    }
    if ((p[0] & 0x1F) == 0x1F) {
        ws->exotic = 1;
    }
    if ((p[0] & 0xDF) == 0x00 && !(avail >= 2 && p[0] == 0 && p[1] == 0)) {
        ws->exotic = 1; /* universal tag 0 other than 00 00: cmc_tlv rejects it (X.690 §8.1.5) */
    }
    if (p[0] == 0x10 || p[0] == 0x11) {
        ws->exotic = 1; /* primitive SEQUENCE/SET: cmc_tlv rejects it (X.690 §8.9.1, §8.11.1) */
    }
    const uint8_t *q = p;
    long len = 0;
    int tag = 0;
    int cls = 0;
    int r = ASN1_get_object(&q, &len, &tag, &cls, (long)avail);
    if (r & 0x80) {
        /* A long-form length at the very end of the input is refused by OpenSSL even when
         * the content is empty; that is the non-minimal case below. */
        if (avail >= 2 && p[1] > 0x80) {
            ws->exotic = 1;
        }
        return 0;
    }
    size_t hdr = (size_t)(q - p);
    size_t lo = (size_t)(p[1] > 0x80 && (p[0] & 0x1F) != 0x1F ? p[1] & 0x7F : 0);
    if (lo > 0 && (lo > 4 || len < 0x80 || p[2] == 0)) {
        ws->exotic = 1; /* non-minimal or over-long long-form length */
    }
    if (r == 0x00 && tag == 0 && cls == 0 && len == 0) {
        return 2; /* end-of-contents; the caller decides */
    }
    if ((r & V_ASN1_CONSTRUCTED) == 0) {
        return hdr + (size_t)len;
    }
    int inf = r & 1;
    size_t end = inf ? avail : hdr + (size_t)len;
    size_t off = hdr;
    for (;;) {
        if (!inf && off == end) {
            return end;
        }
        if (inf && end - off >= 2 && p[off] == 0 && p[off + 1] == 0) {
            return off + 2;
        }
        if (off >= end) {
            return 0;
        }
        size_t child = ossl_walk(ws, p + off, end - off, depth + 1);
        if (child == 0) {
            return 0;
        }
        if (child == 2 && p[off] == 0) {
            return 0; /* end-of-contents inside a definite-length element */
        }
        off += child;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_init();
    if (size > CMC_MAX_MESSAGE_BYTES) {
        return 0;
    }
    walk_state ws = {0};
    int ossl_ok = size > 0 && ossl_walk(&ws, data, size, 0) == size;
    size_t err_off = 0;
    const char *err_what = NULL;
    int ours_walk_ok = cmc_tlv_walk(data, size, &err_off, &err_what) == CMC_OK;
    if (!ws.exotic) {
        fuzz_check(ossl_ok == ours_walk_ok,
                   "cmc_tlv_walk and the ASN1_get_object walk disagree on the BER structure");
    }
    /* ASN1_parse_dump must not crash; it is the generic decoder `openssl asn1parse` uses. */
    (void)ASN1_parse_dump(fuzz_null_bio(), data, (long)size, 0, 0);

    cmc_pki_data *pd = NULL;
    if (cmc_pki_data_parse_ex(&pd, data, size, CMC_PARSE_ALLOW_BER) == CMC_OK) {
        fuzz_check(ossl_ok, "PKIData accepted but not one well-formed BER element");
        fuzz_check(ours_walk_ok, "PKIData accepted but cmc_tlv_walk rejects it");
        cmc_pki_data_free(pd);
    }
    cmc_pki_response *pr = NULL;
    if (cmc_pki_response_parse_ex(&pr, data, size, CMC_PARSE_ALLOW_BER) == CMC_OK) {
        fuzz_check(ossl_ok, "PKIResponse accepted but not one well-formed BER element");
        fuzz_check(ours_walk_ok, "PKIResponse accepted but cmc_tlv_walk rejects it");
        cmc_pki_response_free(pr);
    }
    ERR_clear_error();
    cmc_error_clear();
    return 0;
}
