/* cmc_value.c: control values driven by one table (spec/CMC.md §3.2, §4): value type ->
 * ASN1_ITEM, the value rules OpenSSL does not enforce (SIZE (1..MAX), BodyPartID range),
 * and the two tolerant readers (OtherStatusInfo, ChangeSubjectName). */
#include <string.h>

#include "asn1/cmc_local.h"
#include "asn1/cmc_tlv.h"

#define ID_INTEGER 0x02
#define ID_OCTET_STRING 0x04
#define ID_UTF8_STRING 0x0C
#define ID_SEQUENCE 0x30
#define ID_SET 0x31
#define ID_OID 0x06
#define ID_CTX1_CONS 0xA1

typedef cmc_status (*check_fn)(const void *v);

typedef struct {
    const char *name;
    const ASN1_ITEM *(*item)(void);
    uint8_t outer_id;
    check_fn check;
} value_type_def;

/* ---- checks ---- */

static cmc_status check_id(const ASN1_INTEGER *a) {
    uint32_t v = 0;
    return cmc_body_part_id_get(&v, a);
}

static cmc_status check_ids(const STACK_OF(ASN1_INTEGER) *ids, int non_empty, int max) {
    int n = sk_ASN1_INTEGER_num(ids);
    if (non_empty && n <= 0) {
        CMC_RAISE(CMC_E_EMPTY_LIST);
    }
    if (max > 0 && n > max) {
        CMC_RAISE(CMC_E_LIMIT);
    }
    for (int i = 0; i < n; i++) {
        CMC_TRY(check_id(sk_ASN1_INTEGER_value(ids, i)));
    }
    return CMC_OK;
}

static cmc_status check_path(const STACK_OF(ASN1_INTEGER) *p) {
    return check_ids(p, 1, CMC_MAX_PATH_LEN);
}

static cmc_status check_refs(const STACK_OF(CMC_BODY_PART_REFERENCE) *refs) {
    if (sk_CMC_BODY_PART_REFERENCE_num(refs) <= 0) {
        CMC_RAISE(CMC_E_EMPTY_LIST);
    }
    for (int i = 0; i < sk_CMC_BODY_PART_REFERENCE_num(refs); i++) {
        const CMC_BODY_PART_REFERENCE *r = sk_CMC_BODY_PART_REFERENCE_value(refs, i);
        if (r->type == CMC_BODY_PART_REFERENCE_ID) {
            CMC_TRY(check_id(r->value.bodyPartID));
        } else {
            CMC_TRY(check_path(r->value.bodyPartPath));
        }
    }
    return CMC_OK;
}

static cmc_status check_none(const void *v) {
    (void)v;
    return CMC_OK;
}

static cmc_status check_body_part_id(const void *v) {
    return check_id(v);
}

static cmc_status check_body_part_list(const void *v) {
    return check_ids(v, 1, 0);
}

static cmc_status check_body_part_path(const void *v) {
    return check_path(v);
}

static cmc_status check_status_info(const void *v) {
    const CMC_STATUS_INFO *x = v;
    return check_ids(x->bodyList, 1, 0);
}

static cmc_status check_status_info_v2(const void *v) {
    const CMC_STATUS_INFO_V2 *x = v;
    CMC_TRY(check_refs(x->bodyList));
    if (x->otherInfo != NULL) {
        CMC_OTHER_STATUS_INFO *osi = NULL;
        CMC_TRY(cmc_other_status_info_decode(&osi, x->otherInfo));
        CMC_OTHER_STATUS_INFO_free(osi);
    }
    return CMC_OK;
}

static cmc_status check_add_extensions(const void *v) {
    const CMC_ADD_EXTENSIONS *x = v;
    CMC_TRY(check_id(x->pkiDataReference));
    return check_ids(x->certReferences, 0, 0);
}

static cmc_status check_encrypted_pop(const void *v) {
    const CMC_ENCRYPTED_POP *x = v;
    uint32_t id = 0;
    return cmc_tagged_request_body_part_id(&id, x->request);
}

static cmc_status check_decrypted_pop(const void *v) {
    return check_id(((const CMC_DECRYPTED_POP *)v)->bodyPartID);
}

static cmc_status check_lra_pop_witness(const void *v) {
    const CMC_LRA_POP_WITNESS *x = v;
    CMC_TRY(check_id(x->pkiDataBodyid));
    return check_ids(x->bodyIds, 0, 0);
}

static cmc_status check_mod_cert_template(const void *v) {
    const CMC_MOD_CERT_TEMPLATE *x = v;
    CMC_TRY(check_path(x->pkiDataReference));
    return check_ids(x->certReferences, 1, 0);
}

static cmc_status check_controls_processed(const void *v) {
    return check_refs(((const CMC_CONTROLS_PROCESSED *)v)->bodyList);
}

/*= https://www.rfc-editor.org/rfc/rfc6402#section-2.8
 *# ChangeSubjectName ... (WITH COMPONENTS {..., subject PRESENT} |
 *#  WITH COMPONENTS {..., subjectAlt PRESENT}) */
static cmc_status check_change_subject_name(const void *v) {
    const CMC_CHANGE_SUBJECT_NAME *x = v;
    if (x->subject == NULL && x->subjectAlt == NULL) {
        CMC_RAISE(CMC_E_BAD_VALUE);
    }
    if (x->subjectAlt != NULL && sk_GENERAL_NAME_num(x->subjectAlt) <= 0) {
        CMC_RAISE(CMC_E_EMPTY_LIST); /* GeneralNames ::= SEQUENCE SIZE (1..MAX) */
    }
    return CMC_OK;
}

/* ---- the table, indexed by cmc_value_type ---- */

#define ITEM(t) t##_it
static const value_type_def kTypes[CMC_VT_COUNT] = {
    [CMC_VT_CMC_STATUS_INFO] = {"CMCStatusInfo", ITEM(CMC_STATUS_INFO), ID_SEQUENCE,
                                check_status_info},
    [CMC_VT_UTF8_STRING] = {"UTF8String", ITEM(ASN1_UTF8STRING), ID_UTF8_STRING, check_none},
    [CMC_VT_OCTET_STRING] = {"OCTET STRING", ITEM(ASN1_OCTET_STRING), ID_OCTET_STRING, check_none},
    [CMC_VT_INTEGER] = {"INTEGER", ITEM(ASN1_INTEGER), ID_INTEGER, check_none},
    [CMC_VT_ADD_EXTENSIONS] = {"AddExtensions", ITEM(CMC_ADD_EXTENSIONS), ID_SEQUENCE,
                               check_add_extensions},
    [CMC_VT_ENCRYPTED_POP] = {"EncryptedPOP", ITEM(CMC_ENCRYPTED_POP), ID_SEQUENCE,
                              check_encrypted_pop},
    [CMC_VT_DECRYPTED_POP] = {"DecryptedPOP", ITEM(CMC_DECRYPTED_POP), ID_SEQUENCE,
                              check_decrypted_pop},
    [CMC_VT_LRA_POP_WITNESS] = {"LraPopWitness", ITEM(CMC_LRA_POP_WITNESS), ID_SEQUENCE,
                                check_lra_pop_witness},
    [CMC_VT_GET_CERT] = {"GetCert", ITEM(CMC_GET_CERT), ID_SEQUENCE, check_none},
    [CMC_VT_GET_CRL] = {"GetCRL", ITEM(CMC_GET_CRL), ID_SEQUENCE, check_none},
    [CMC_VT_REVOKE_REQUEST] = {"RevokeRequest", ITEM(CMC_REVOKE_REQUEST), ID_SEQUENCE, check_none},
    [CMC_VT_CMC_CERT_ID] = {"CMCCertId", ITEM(CMC_CERT_ID), ID_SEQUENCE, check_none},
    [CMC_VT_CMC_STATUS_INFO_V2] = {"CMCStatusInfoV2", ITEM(CMC_STATUS_INFO_V2), ID_SEQUENCE,
                                   check_status_info_v2},
    [CMC_VT_PUBLISH_TRUST_ANCHORS] = {"PublishTrustAnchors", ITEM(CMC_PUBLISH_TRUST_ANCHORS),
                                      ID_SEQUENCE, check_none},
    [CMC_VT_BODY_PART_ID] = {"AuthPublish", ITEM(CMC_AUTH_PUBLISH), ID_INTEGER, check_body_part_id},
    [CMC_VT_BODY_PART_LIST] = {"BodyPartList", ITEM(CMC_BODY_PART_LIST), ID_SEQUENCE,
                               check_body_part_list},
    [CMC_VT_CMC_PUBLICATION_INFO] = {"CMCPublicationInfo", ITEM(CMC_PUBLICATION_INFO), ID_SEQUENCE,
                                     check_none},
    [CMC_VT_MOD_CERT_TEMPLATE] = {"ModCertTemplate", ITEM(CMC_MOD_CERT_TEMPLATE), ID_SEQUENCE,
                                  check_mod_cert_template},
    [CMC_VT_CONTROLS_PROCESSED] = {"ControlsProcessed", ITEM(CMC_CONTROLS_PROCESSED), ID_SEQUENCE,
                                   check_controls_processed},
    [CMC_VT_POP_LINK_WITNESS_V2] = {"PopLinkWitnessV2", ITEM(CMC_POP_LINK_WITNESS_V2), ID_SEQUENCE,
                                    check_none},
    [CMC_VT_IDENTITY_PROOF_V2] = {"IdentifyProofV2", ITEM(CMC_IDENTITY_PROOF_V2), ID_SEQUENCE,
                                  check_none},
    [CMC_VT_BODY_PART_PATH] = {"BodyPartPath", ITEM(CMC_BODY_PART_PATH), ID_SEQUENCE,
                               check_body_part_path},
    [CMC_VT_CHANGE_SUBJECT_NAME] = {"ChangeSubjectName", ITEM(CMC_CHANGE_SUBJECT_NAME), ID_SEQUENCE,
                                    check_change_subject_name},
};
#undef ITEM

const ASN1_ITEM *cmc_value_type_item(cmc_value_type t) {
    if ((unsigned)t >= CMC_VT_COUNT || kTypes[t].item == NULL) {
        return NULL;
    }
    return kTypes[t].item();
}

const char *cmc_value_type_name(cmc_value_type t) {
    if ((unsigned)t >= CMC_VT_COUNT || kTypes[t].name == NULL) {
        return "?";
    }
    return kTypes[t].name;
}

/* ---- ChangeSubjectName: read the untagged RFC 6402 form too ---- */

/* OpenSSL cannot decode an untagged OPTIONAL X509_NAME through a template (X509_NAME's
 * inner item template rejects the OPTIONAL flag: "illegal options on item template"), so
 * ChangeSubjectName is read element by element here; the template is used to encode, and
 * the input must equal that encoding (with an untagged subjectAlt counted as [1]). */
static int starts_with_context_tag(const uint8_t *elem, const cmc_tlv *t) {
    return t->len > 0 && (elem[t->hdr_len] & 0xC0u) == CMC_TLV_CONTEXT;
}

static cmc_status csn_decode(CMC_CHANGE_SUBJECT_NAME **out, int *out_legacy, const uint8_t *in,
                             size_t in_len, unsigned flags) {
    if (out == NULL || (in == NULL && in_len != 0)) {
        CMC_RAISE(CMC_E_ARG);
    }
    if (in_len > (size_t)CMC_MAX_MESSAGE_BYTES) {
        CMC_RAISE(CMC_E_LIMIT);
    }
    if (in_len == 0) {
        CMC_RAISE(CMC_E_TRUNCATED);
    }
    CMC_TRY(cmc_tlv_check_outer(in, in_len, ID_SEQUENCE));
    cmc_tlv outer;
    CMC_TRY(cmc_tlv_header(&outer, in, in_len));
    if (outer.indefinite) {
        CMC_RAISE(CMC_E_NOT_DER);
    }
    CMC_CHANGE_SUBJECT_NAME *csn = CMC_CHANGE_SUBJECT_NAME_new();
    uint8_t *expect = OPENSSL_memdup(in, in_len);
    if (csn == NULL || expect == NULL) {
        CMC_CHANGE_SUBJECT_NAME_free(csn);
        OPENSSL_free(expect);
        CMC_RAISE(CMC_E_NOMEM);
    }
    cmc_status st = CMC_OK;
    int legacy = 0;
    size_t off = outer.hdr_len;
    while (st == CMC_OK && off < in_len) {
        cmc_tlv child;
        st = cmc_tlv_header(&child, in + off, in_len - off);
        if (st != CMC_OK) {
            break;
        }
        if (child.indefinite) {
            st = CMC_E_NOT_DER;
            break;
        }
        size_t elen = child.hdr_len + child.len;
        const uint8_t *p = in + off;
        int is_alt = child.id == ID_CTX1_CONS ||
                     (child.id == ID_SEQUENCE && starts_with_context_tag(p, &child));
        if (!is_alt && child.id == ID_SEQUENCE && csn->subject == NULL && csn->subjectAlt == NULL) {
            csn->subject = d2i_X509_NAME(NULL, &p, (long)elen);
            st = csn->subject != NULL && p == in + off + elen ? CMC_OK : CMC_E_DER;
        } else if (is_alt && csn->subjectAlt == NULL) {
            if (child.id == ID_SEQUENCE) {
                legacy = 1; /* RFC 6402 as published: untagged GeneralNames */
                expect[off] = ID_CTX1_CONS;
            }
            uint8_t *copy = OPENSSL_memdup(p, elen);
            if (copy == NULL) {
                st = CMC_E_NOMEM;
                break;
            }
            copy[0] = ID_SEQUENCE; /* IMPLICIT [1] GeneralNames */
            const uint8_t *q = copy;
            csn->subjectAlt = d2i_GENERAL_NAMES(NULL, &q, (long)elen);
            st = csn->subjectAlt != NULL && q == copy + elen ? CMC_OK : CMC_E_DER;
            OPENSSL_free(copy);
        } else {
            st = CMC_E_TAG;
        }
        off += elen;
    }
    if (st == CMC_OK) {
        st = check_change_subject_name(csn);
    }
    if (st == CMC_OK && (flags & CMC_PARSE_ALLOW_BER) == 0) {
        uint8_t *der = NULL;
        int der_len = i2d_CMC_CHANGE_SUBJECT_NAME(csn, &der);
        if (der_len <= 0 || (size_t)der_len != in_len || memcmp(der, expect, in_len) != 0) {
            st = CMC_E_NOT_DER;
        }
        OPENSSL_free(der);
    }
    OPENSSL_free(expect);
    if (st != CMC_OK) {
        CMC_CHANGE_SUBJECT_NAME_free(csn);
        CMC_RAISE(st);
    }
    if (out_legacy != NULL) {
        *out_legacy = legacy;
    }
    *out = csn;
    return CMC_OK;
}

cmc_status cmc_change_subject_name_decode(CMC_CHANGE_SUBJECT_NAME **out, int *out_legacy,
                                          const uint8_t *in, size_t in_len) {
    return csn_decode(out, out_legacy, in, in_len, 0);
}

/* ---- OtherStatusInfo dispatch (spec/CMC.md §13 item 4) ---- */

CMC_OTHER_STATUS_INFO *CMC_OTHER_STATUS_INFO_new(void) {
    CMC_OTHER_STATUS_INFO *o = OPENSSL_zalloc(sizeof(*o));
    if (o != NULL) {
        o->type = -1;
    }
    return o;
}

void CMC_OTHER_STATUS_INFO_free(CMC_OTHER_STATUS_INFO *o) {
    if (o == NULL) {
        return;
    }
    switch (o->type) {
    case CMC_OTHER_INFO_FAIL_INFO:
        ASN1_INTEGER_free(o->value.failInfo);
        break;
    case CMC_OTHER_INFO_PEND_INFO:
        CMC_PEND_INFO_free(o->value.pendInfo);
        break;
    case CMC_OTHER_INFO_EXTENDED_FAIL_INFO:
        CMC_EXTENDED_FAIL_INFO_free(o->value.extendedFailInfo);
        break;
    default:
        break;
    }
    OPENSSL_free(o);
}

cmc_status cmc_other_status_info_decode(CMC_OTHER_STATUS_INFO **out, const ASN1_TYPE *any) {
    if (out == NULL || any == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    uint8_t *der = NULL;
    int der_len = i2d_ASN1_TYPE(any, &der);
    if (der_len <= 0) {
        CMC_RAISE(CMC_E_DER);
    }
    CMC_OTHER_STATUS_INFO *o = CMC_OTHER_STATUS_INFO_new();
    cmc_status st = o == NULL ? CMC_E_NOMEM : CMC_OK;
    void *v = NULL;
    cmc_tlv outer;
    cmc_tlv first;
    if (st == CMC_OK) {
        st = cmc_tlv_header(&outer, der, (size_t)der_len);
    }
    if (st == CMC_OK && der[0] == ID_INTEGER) {
        st = cmc_item_parse(&v, ASN1_ITEM_rptr(ASN1_INTEGER), der, (size_t)der_len, ID_INTEGER, 0);
        if (st == CMC_OK) {
            o->type = CMC_OTHER_INFO_FAIL_INFO;
            o->value.failInfo = v;
            if (ASN1_STRING_type(o->value.failInfo) != V_ASN1_INTEGER) {
                st = CMC_E_BAD_VALUE; /* CMCFailInfo values are never negative */
            }
        }
    } else if (st == CMC_OK && der[0] == ID_CTX1_CONS) {
        /* extendedFailInfo [1] ExtendedFailInfo (RFC 5912, bis): IMPLICIT, so re-tag. */
        der[0] = ID_SEQUENCE;
        st = cmc_item_parse(&v, ASN1_ITEM_rptr(CMC_EXTENDED_FAIL_INFO), der, (size_t)der_len,
                            ID_SEQUENCE, 0);
        if (st == CMC_OK) {
            o->type = CMC_OTHER_INFO_EXTENDED_FAIL_INFO;
            o->value.extendedFailInfo = v;
        }
    } else if (st == CMC_OK && der[0] == ID_SEQUENCE && outer.len > 0 &&
               cmc_tlv_header(&first, der + outer.hdr_len, outer.len) == CMC_OK &&
               first.id == ID_OID) {
        /* Untagged extendedFailInfo of the RFC 5272/6402 1988 modules (Bouncy Castle). */
        st = cmc_item_parse(&v, ASN1_ITEM_rptr(CMC_EXTENDED_FAIL_INFO), der, (size_t)der_len,
                            ID_SEQUENCE, 0);
        if (st == CMC_OK) {
            o->type = CMC_OTHER_INFO_EXTENDED_FAIL_INFO;
            o->legacy_untagged = 1;
            o->value.extendedFailInfo = v;
        }
    } else if (st == CMC_OK && der[0] == ID_SEQUENCE) {
        st =
            cmc_item_parse(&v, ASN1_ITEM_rptr(CMC_PEND_INFO), der, (size_t)der_len, ID_SEQUENCE, 0);
        if (st == CMC_OK) {
            o->type = CMC_OTHER_INFO_PEND_INFO;
            o->value.pendInfo = v;
        }
    } else if (st == CMC_OK) {
        st = CMC_E_TAG;
    }
    OPENSSL_free(der);
    if (st != CMC_OK) {
        CMC_OTHER_STATUS_INFO_free(o);
        CMC_RAISE(st);
    }
    *out = o;
    return CMC_OK;
}

cmc_status cmc_other_status_info_encode(ASN1_TYPE **out, const CMC_OTHER_STATUS_INFO *osi) {
    if (out == NULL || osi == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    uint8_t *der = NULL;
    int len = -1;
    switch (osi->type) {
    case CMC_OTHER_INFO_FAIL_INFO:
        len = i2d_ASN1_INTEGER(osi->value.failInfo, &der);
        break;
    case CMC_OTHER_INFO_PEND_INFO:
        len = i2d_CMC_PEND_INFO(osi->value.pendInfo, &der);
        break;
    case CMC_OTHER_INFO_EXTENDED_FAIL_INFO:
        len = i2d_CMC_EXTENDED_FAIL_INFO(osi->value.extendedFailInfo, &der);
        if (len > 0) {
            der[0] = ID_CTX1_CONS; /* always the [1] form, see CMC_EXTENDED_FAIL_INFO */
        }
        break;
    default:
        CMC_RAISE(CMC_E_ARG);
    }
    if (len <= 0) {
        CMC_RAISE(CMC_E_DER);
    }
    const uint8_t *p = der;
    ASN1_TYPE *t = d2i_ASN1_TYPE(NULL, &p, len);
    OPENSSL_free(der);
    if (t == NULL) {
        CMC_RAISE(CMC_E_DER);
    }
    *out = t;
    return CMC_OK;
}

/* ---- generic value decode ---- */

void cmc_control_value_free(cmc_control_value *v) {
    if (v == NULL) {
        return;
    }
    if (v->it != NULL) {
        ASN1_item_free(v->value, v->it);
    }
    OPENSSL_free(v);
}

cmc_status cmc_control_value_decode_der_ex(cmc_control_value **out, cmc_value_type t,
                                           const uint8_t *in, size_t in_len, unsigned flags) {
    const ASN1_ITEM *it = cmc_value_type_item(t);
    if (out == NULL || it == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    cmc_control_value *cv = OPENSSL_zalloc(sizeof(*cv));
    if (cv == NULL) {
        CMC_RAISE(CMC_E_NOMEM);
    }
    cv->type = t;
    cmc_status st;
    if (t == CMC_VT_CHANGE_SUBJECT_NAME) {
        CMC_CHANGE_SUBJECT_NAME *csn = NULL;
        st = csn_decode(&csn, &cv->legacy_form, in, in_len, flags);
        cv->value = csn;
    } else {
        st = cmc_item_parse(&cv->value, it, in, in_len, kTypes[t].outer_id, flags);
        if (st == CMC_OK) {
            st = kTypes[t].check(cv->value);
            if (st != CMC_OK) {
                ASN1_item_free(cv->value, it);
                cv->value = NULL;
            }
        }
    }
    if (st != CMC_OK) {
        OPENSSL_free(cv);
        return st;
    }
    cv->it = it;
    *out = cv;
    return CMC_OK;
}

cmc_status cmc_control_value_decode_der(cmc_control_value **out, cmc_value_type t,
                                        const uint8_t *in, size_t in_len) {
    return cmc_control_value_decode_der_ex(out, t, in, in_len, 0);
}

cmc_status cmc_control_value_decode_ex(cmc_control_value **out, cmc_value_type t,
                                       const ASN1_TYPE *v, unsigned flags) {
    if (v == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    uint8_t *der = NULL;
    int len = i2d_ASN1_TYPE(v, &der);
    if (len <= 0) {
        CMC_RAISE(CMC_E_DER);
    }
    cmc_status st = cmc_control_value_decode_der_ex(out, t, der, (size_t)len, flags);
    OPENSSL_free(der);
    return st;
}

cmc_status cmc_control_value_decode(cmc_control_value **out, cmc_value_type t, const ASN1_TYPE *v) {
    return cmc_control_value_decode_ex(out, t, v, 0);
}

cmc_status cmc_control_value_to_der(const cmc_control_value *v, uint8_t **out, size_t *out_len) {
    if (v == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    return cmc_item_to_der(out, out_len, v->value, v->it);
}

/* ---- CMCUnsignedData (an attribute, not a control: RFC 5272 §3.2.3) ---- */

cmc_status cmc_unsigned_data_decode_der(CMC_UNSIGNED_DATA **out, const uint8_t *in, size_t in_len) {
    if (out == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    void *v = NULL;
    CMC_TRY(cmc_item_parse(&v, ASN1_ITEM_rptr(CMC_UNSIGNED_DATA), in, in_len, ID_SEQUENCE, 0));
    cmc_status st = check_path(((CMC_UNSIGNED_DATA *)v)->bodyPartPath);
    if (st != CMC_OK) {
        CMC_UNSIGNED_DATA_free(v);
        return st;
    }
    *out = v;
    return CMC_OK;
}
