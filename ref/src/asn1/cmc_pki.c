/* cmc_pki.c: PKIData / PKIResponse parse and encode with the body part rules of
 * RFC 5272 §3.2.2 (spec/CMC.md §2.1, §13 item 6). */
#include <openssl/err.h>
#include <stdlib.h>
#include <string.h>

#include "asn1/cmc_local.h"
#include "asn1/cmc_tlv.h"

#define CMC_DER_SEQUENCE 0x30

void cmc_free(void *p) {
    OPENSSL_free(p);
}

/*= https://www.rfc-editor.org/rfc/rfc5272#section-3.2.2
 *# The value of a body part ID is restricted to the range 0 .. 4294967295 (bodyIdMax). */
cmc_status cmc_body_part_id_get(uint32_t *out, const ASN1_INTEGER *a) {
    uint64_t v = 0;
    if (out == NULL || a == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    if (ASN1_STRING_type(a) != V_ASN1_INTEGER || !ASN1_INTEGER_get_uint64(&v, a) ||
        v > CMC_BODY_PART_ID_MAX) {
        CMC_RAISE(CMC_E_BODY_PART_RANGE);
    }
    *out = (uint32_t)v;
    return CMC_OK;
}

cmc_status cmc_crm_cert_req_id(ASN1_INTEGER **out, const OSSL_CRMF_MSG *crm) {
    /* OSSL_CRMF_MSG is opaque and OSSL_CRMF_MSG_get_certReqId stops at INT_MAX, while a
     * BodyPartID goes to 2^32-1: read CertReqMsg.certReq.certReqId from the DER. */
    uint8_t *der = NULL;
    int der_len = i2d_OSSL_CRMF_MSG(crm, &der);
    if (der_len <= 0) {
        CMC_RAISE(CMC_E_DER);
    }
    cmc_status st = CMC_E_DER;
    cmc_tlv msg;
    cmc_tlv req;
    cmc_tlv id;
    if (cmc_tlv_header(&msg, der, (size_t)der_len) == CMC_OK &&
        cmc_tlv_header(&req, der + msg.hdr_len, (size_t)der_len - msg.hdr_len) == CMC_OK) {
        const uint8_t *p = der + msg.hdr_len + req.hdr_len;
        size_t left = (size_t)der_len - msg.hdr_len - req.hdr_len;
        if (cmc_tlv_header(&id, p, left) == CMC_OK && id.id == 0x02) {
            ASN1_INTEGER *v = d2i_ASN1_INTEGER(NULL, &p, (long)(id.hdr_len + id.len));
            if (v != NULL) {
                *out = v;
                st = CMC_OK;
            }
        }
    }
    OPENSSL_free(der);
    if (st != CMC_OK) {
        CMC_RAISE(st);
    }
    return CMC_OK;
}

cmc_status cmc_tagged_request_body_part_id(uint32_t *out, const CMC_TAGGED_REQUEST *tr) {
    switch (tr->type) {
    case CMC_TAGGED_REQUEST_TCR:
        return cmc_body_part_id_get(out, tr->value.tcr->bodyPartID);
    case CMC_TAGGED_REQUEST_ORM:
        return cmc_body_part_id_get(out, tr->value.orm->bodyPartID);
    case CMC_TAGGED_REQUEST_CRM: {
        ASN1_INTEGER *id = NULL;
        CMC_TRY(cmc_crm_cert_req_id(&id, tr->value.crm));
        cmc_status st = cmc_body_part_id_get(out, id);
        ASN1_INTEGER_free(id);
        return st;
    }
    default:
        CMC_RAISE(CMC_E_INTERNAL);
    }
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a;
    uint32_t y = *(const uint32_t *)b;
    return x < y ? -1 : (x > y ? 1 : 0);
}

typedef struct {
    uint32_t ids[CMC_MAX_BODY_PARTS];
    size_t n;
} id_set;

/*= https://www.rfc-editor.org/rfc/rfc5272#section-3.2.2
 *# The value of 0 is reserved for use as the body part ID of the PKIData (or
 *# PKIResponse) itself; each element carries a unique non-zero body part ID. */
static cmc_status id_push(id_set *s, uint32_t v) {
    if (v == 0) {
        CMC_RAISE(CMC_E_BODY_PART_ZERO);
    }
    if (s->n >= CMC_MAX_BODY_PARTS) {
        CMC_RAISE(CMC_E_LIMIT);
    }
    s->ids[s->n++] = v;
    return CMC_OK;
}

static cmc_status id_add(id_set *s, const ASN1_INTEGER *a) {
    uint32_t v = 0;
    CMC_TRY(cmc_body_part_id_get(&v, a));
    return id_push(s, v);
}

static cmc_status id_add_request(id_set *s, const CMC_TAGGED_REQUEST *tr) {
    uint32_t v = 0;
    CMC_TRY(cmc_tagged_request_body_part_id(&v, tr));
    return id_push(s, v);
}

static cmc_status id_check_unique(id_set *s) {
    qsort(s->ids, s->n, sizeof(s->ids[0]), cmp_u32);
    for (size_t i = 1; i < s->n; i++) {
        if (s->ids[i] == s->ids[i - 1]) {
            CMC_RAISE(CMC_E_BODY_PART_DUP);
        }
    }
    return CMC_OK;
}

static cmc_status id_collect(id_set *s, const STACK_OF(CMC_TAGGED_REQUEST) *reqs,
                             const STACK_OF(CMC_TAGGED_ATTRIBUTE) *ctrl,
                             const STACK_OF(CMC_TAGGED_CONTENT_INFO) *cms,
                             const STACK_OF(CMC_OTHER_MSG) *other) {
    for (int i = 0; i < sk_CMC_TAGGED_REQUEST_num(reqs); i++) {
        CMC_TRY(id_add_request(s, sk_CMC_TAGGED_REQUEST_value(reqs, i)));
    }
    for (int i = 0; i < sk_CMC_TAGGED_ATTRIBUTE_num(ctrl); i++) {
        CMC_TRY(id_add(s, sk_CMC_TAGGED_ATTRIBUTE_value(ctrl, i)->bodyPartID));
    }
    for (int i = 0; i < sk_CMC_TAGGED_CONTENT_INFO_num(cms); i++) {
        CMC_TRY(id_add(s, sk_CMC_TAGGED_CONTENT_INFO_value(cms, i)->bodyPartID));
    }
    for (int i = 0; i < sk_CMC_OTHER_MSG_num(other); i++) {
        CMC_TRY(id_add(s, sk_CMC_OTHER_MSG_value(other, i)->bodyPartID));
    }
    return id_check_unique(s);
}

/* check_body_parts checks every body part ID of a PKIData (|reqs| non-NULL) or a PKIResponse
 * (|reqs| NULL: it has no reqSequence). */
static cmc_status check_body_parts(const STACK_OF(CMC_TAGGED_REQUEST) *reqs,
                                   const STACK_OF(CMC_TAGGED_ATTRIBUTE) *ctrl,
                                   const STACK_OF(CMC_TAGGED_CONTENT_INFO) *cms,
                                   const STACK_OF(CMC_OTHER_MSG) *other) {
    id_set *s = OPENSSL_zalloc(sizeof(*s));
    if (s == NULL) {
        CMC_RAISE(CMC_E_NOMEM);
    }
    cmc_status st = id_collect(s, reqs, ctrl, cms, other);
    OPENSSL_free(s);
    return st;
}

cmc_status cmc_pki_data_check_body_parts(const CMC_PKI_DATA *pd) {
    if (pd == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    return check_body_parts(pd->reqSequence, pd->controlSequence, pd->cmsSequence,
                            pd->otherMsgSequence);
}

cmc_status cmc_pki_response_check_body_parts(const CMC_PKI_RESPONSE *pr) {
    if (pr == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    return check_body_parts(NULL, pr->controlSequence, pr->cmsSequence, pr->otherMsgSequence);
}

/* Map the innermost OpenSSL decoder error to our table: a tag mismatch is CMC_E_TAG. */
static cmc_status classify_d2i_error(void) {
    unsigned long e = ERR_peek_error();
    if (ERR_GET_LIB(e) == ERR_LIB_ASN1) {
        switch (ERR_GET_REASON(e)) {
        case ASN1_R_WRONG_TAG:
        case ASN1_R_NO_MATCHING_CHOICE_TYPE:
        case ASN1_R_MSTRING_WRONG_TAG:
            return CMC_E_TAG;
        case ASN1_R_TOO_LONG:
        case ASN1_R_HEADER_TOO_LONG:
            return CMC_E_TRUNCATED;
        default:
            break;
        }
    }
    return CMC_E_DER;
}

cmc_status cmc_item_parse(void **out, const ASN1_ITEM *it, const uint8_t *in, size_t in_len,
                          uint8_t outer_id, unsigned flags) {
    if (out == NULL || (in == NULL && in_len != 0)) {
        CMC_RAISE(CMC_E_ARG);
    }
    if (in_len > (size_t)CMC_MAX_MESSAGE_BYTES) { /* also makes the (long) cast below safe */
        CMC_RAISE(CMC_E_LIMIT);
    }
    if (in_len == 0) {
        CMC_RAISE(CMC_E_TRUNCATED);
    }
    CMC_TRY(cmc_tlv_check_outer(in, in_len, outer_id));
    ERR_clear_error();
    const uint8_t *p = in;
    ASN1_VALUE *v = (flags & CMC_PARSE_RAW_KEYS)
                        ? ASN1_item_d2i_ex(NULL, &p, (long)in_len, it, cmc_raw_key_libctx(), NULL)
                        : ASN1_item_d2i(NULL, &p, (long)in_len, it);
    if (v == NULL) {
        CMC_RAISE(classify_d2i_error());
    }
    if ((size_t)(p - in) != in_len) {
        ASN1_item_free(v, it);
        CMC_RAISE(CMC_E_TRAILING);
    }
    /* OpenSSL keeps ANY values (control values, OtherMsg, orm) as opaque bytes without
     * checking their inner structure, so a control value whose inner lengths overrun their
     * parent decoded as part of a "DER" PKIData (found by fuzz/differential). Every element
     * must be well-formed BER, inside ANY too. */
    size_t bad_off = 0;
    const char *bad_what = NULL;
    if (cmc_tlv_walk(in, in_len, &bad_off, &bad_what) != CMC_OK) {
        ASN1_item_free(v, it);
        CMC_RAISE(CMC_E_DER);
    }
    uint8_t *der = NULL;
    int der_len = ASN1_item_i2d(v, &der, it);
    int same = der_len > 0 && (size_t)der_len == in_len && memcmp(der, in, in_len) == 0;
    cmc_status st = CMC_OK;
    if (!same && (flags & CMC_PARSE_ALLOW_BER) == 0) {
        st = CMC_E_NOT_DER;
    } else if (!same) {
        /* Accepted BER must have a DER form we accept: OpenSSL re-encodes the template parts
         * as DER but keeps ANY values verbatim, so BER inside an ANY (e.g. a long-form length
         * in a control value) would survive into "DER" that the strict parser refuses (found
         * by fuzz/pki_response_parse). Refuse such BER instead. */
        void *strict = NULL;
        if (der_len <= 0 || cmc_item_parse(&strict, it, der, (size_t)der_len, outer_id,
                                           flags & CMC_PARSE_RAW_KEYS) != CMC_OK) {
            st = CMC_E_NOT_DER;
        }
        ASN1_item_free(strict, it);
    }
    OPENSSL_free(der);
    if (st != CMC_OK) {
        ASN1_item_free(v, it);
        CMC_RAISE(st);
    }
    *out = v;
    return CMC_OK;
}

cmc_status cmc_item_to_der(uint8_t **out, size_t *out_len, const void *v, const ASN1_ITEM *it) {
    if (v == NULL || out == NULL || out_len == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    uint8_t *der = NULL;
    int len = ASN1_item_i2d((const ASN1_VALUE *)v, &der, it);
    if (len <= 0) {
        CMC_RAISE(CMC_E_DER);
    }
    *out = der;
    *out_len = (size_t)len;
    return CMC_OK;
}

/* pki_parse decodes a PKIData or PKIResponse (|it|) and checks its body part IDs with
 * |check|; on error nothing is returned. */
static cmc_status pki_parse(void **out, const ASN1_ITEM *it, cmc_status (*check)(const void *),
                            const uint8_t *in, size_t in_len, unsigned flags) {
    void *v = NULL;
    CMC_TRY(cmc_item_parse(&v, it, in, in_len, CMC_DER_SEQUENCE, flags));
    cmc_status st = check(v);
    if (st != CMC_OK) {
        ASN1_item_free(v, it);
        return st;
    }
    *out = v;
    return CMC_OK;
}

static cmc_status check_pki_data(const void *v) {
    return cmc_pki_data_check_body_parts(v);
}

static cmc_status check_pki_response(const void *v) {
    return cmc_pki_response_check_body_parts(v);
}

cmc_status cmc_pki_data_parse_ex(cmc_pki_data **out, const uint8_t *in, size_t in_len,
                                 unsigned flags) {
    void *v = NULL;
    if (out == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    CMC_TRY(pki_parse(&v, ASN1_ITEM_rptr(CMC_PKI_DATA), check_pki_data, in, in_len, flags));
    *out = v;
    return CMC_OK;
}

cmc_status cmc_pki_data_parse(cmc_pki_data **out, const uint8_t *in, size_t in_len) {
    return cmc_pki_data_parse_ex(out, in, in_len, 0);
}

cmc_status cmc_pki_data_to_der(const cmc_pki_data *pd, uint8_t **out, size_t *out_len) {
    return cmc_item_to_der(out, out_len, pd, ASN1_ITEM_rptr(CMC_PKI_DATA));
}

void cmc_pki_data_free(cmc_pki_data *pd) {
    CMC_PKI_DATA_free(pd);
}

cmc_status cmc_pki_response_parse_ex(cmc_pki_response **out, const uint8_t *in, size_t in_len,
                                     unsigned flags) {
    void *v = NULL;
    if (out == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    CMC_TRY(pki_parse(&v, ASN1_ITEM_rptr(CMC_PKI_RESPONSE), check_pki_response, in, in_len, flags));
    *out = v;
    return CMC_OK;
}

cmc_status cmc_pki_response_parse(cmc_pki_response **out, const uint8_t *in, size_t in_len) {
    return cmc_pki_response_parse_ex(out, in, in_len, 0);
}

cmc_status cmc_pki_response_to_der(const cmc_pki_response *pr, uint8_t **out, size_t *out_len) {
    return cmc_item_to_der(out, out_len, pr, ASN1_ITEM_rptr(CMC_PKI_RESPONSE));
}

void cmc_pki_response_free(cmc_pki_response *pr) {
    CMC_PKI_RESPONSE_free(pr);
}
