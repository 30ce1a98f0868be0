/* response.c: the client-side response reader (runner, resp tool): certs-only (RFC 5272
 * §4.1), application/pkix-cert (RFC 5273), and Full PKI Response (§4.2) with its status
 * controls (§6.1), transactionId, nonces and dataReturn (§6.3-§6.6), checked with the same
 * verifier the server uses for requests. */
#include <strings.h>
#include <string.h>

#include <openssl/objects.h>

#include "internal.h"
#include "msg/msg_local.h"

#define MSG_CMC_ARC "1.3.6.1.5.5.7.7."

void cmc_response_init(cmc_response *r) {
    if (r == NULL) {
        return;
    }
    memset(r, 0, sizeof(*r));
    r->verify_status = CMC_E_UNSIGNED;
}

void cmc_response_cleanup(cmc_response *r) {
    if (r == NULL) {
        return;
    }
    sk_X509_pop_free(r->certs, X509_free);
    for (size_t i = 0; i < r->num_statuses; i++) {
        OPENSSL_free(r->statuses[i].status_string);
        OPENSSL_free(r->statuses[i].body_list);
    }
    OPENSSL_free(r->statuses);
    ASN1_INTEGER_free(r->transaction_id);
    OPENSSL_free(r->sender_nonce);
    OPENSSL_free(r->recipient_nonce);
    OPENSSL_free(r->data_return);
    OPENSSL_free(r->pki_response);
    X509_free(r->signer_cert);
    cmc_response_init(r);
}

const cmc_response_status *cmc_response_find_status(const cmc_response *r, int64_t body_part_id) {
    if (r == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < r->num_statuses; i++) {
        for (size_t j = 0; j < r->statuses[i].num_body_list; j++) {
            if (r->statuses[i].body_list[j] == body_part_id) {
                return &r->statuses[i];
            }
        }
    }
    return NULL;
}

/* msg_control_number returns N for id-cmc-N, else -1. */
static long msg_control_number(const ASN1_OBJECT *oid) {
    char txt[80];
    msg_obj_to_txt(txt, sizeof(txt), oid);
    size_t arc = strlen(MSG_CMC_ARC);
    if (strncmp(txt, MSG_CMC_ARC, arc) != 0 || txt[arc] == '\0') {
        return -1;
    }
    long n = 0;
    for (const char *p = txt + arc; *p != '\0'; p++) {
        if (*p < '0' || *p > '9' || n > 100000) {
            return -1;
        }
        n = n * 10 + (*p - '0');
    }
    return n;
}

static cmc_status msg_copy_octets(uint8_t **out, size_t *out_len, const ASN1_TYPE *v) {
    if (v == NULL || v->type != V_ASN1_OCTET_STRING) {
        CMC_RAISE(CMC_E_BAD_VALUE);
    }
    size_t n = (size_t)ASN1_STRING_length(v->value.octet_string);
    uint8_t *p = OPENSSL_malloc(n ? n : 1);
    if (p == NULL) {
        CMC_RAISE(CMC_E_NOMEM);
    }
    if (n > 0) {
        memcpy(p, ASN1_STRING_get0_data(v->value.octet_string), n);
    }
    OPENSSL_free(*out);
    *out = p;
    *out_len = n;
    return CMC_OK;
}

/* msg_read_status decodes one CMCStatusInfoV2 (or CMCStatusInfo, whose shape the V2
 * template also reads: bodyList of plain IDs, otherInfo as ANY). */
static cmc_status msg_read_status(cmc_response_status *s, const ASN1_TYPE *v) {
    if (v == NULL || v->type != V_ASN1_SEQUENCE) {
        CMC_RAISE(CMC_E_BAD_VALUE);
    }
    const unsigned char *p = ASN1_STRING_get0_data(v->value.sequence);
    long len = ASN1_STRING_length(v->value.sequence);
    const unsigned char *start = p;
    CMC_STATUS_INFO_V2 *si = d2i_CMC_STATUS_INFO_V2(NULL, &p, len);
    if (si == NULL || p - start != len) {
        CMC_STATUS_INFO_V2_free(si);
        CMC_RAISE(CMC_E_BAD_VALUE);
    }
    cmc_status st = CMC_OK;
    int64_t status = 0;
    int n = sk_CMC_BODY_PART_REFERENCE_num(si->bodyList);
    if (!ASN1_INTEGER_get_int64(&status, si->cMCStatus) || n <= 0) {
        st = cmc_error_raise(n <= 0 ? CMC_E_EMPTY_LIST : CMC_E_BAD_VALUE, __FILE__, __LINE__);
        goto done;
    }
    s->status = (long)status;
    s->body_list = OPENSSL_zalloc((size_t)n * sizeof(*s->body_list));
    if (s->body_list == NULL) {
        st = cmc_error_raise(CMC_E_NOMEM, __FILE__, __LINE__);
        goto done;
    }
    for (int i = 0; i < n; i++) {
        const CMC_BODY_PART_REFERENCE *ref = sk_CMC_BODY_PART_REFERENCE_value(si->bodyList, i);
        const ASN1_INTEGER *id = NULL;
        if (ref->type == CMC_BODY_PART_REFERENCE_ID) {
            id = ref->value.bodyPartID;
        } else if (sk_ASN1_INTEGER_num(ref->value.bodyPartPath) > 0) {
            id = sk_ASN1_INTEGER_value(ref->value.bodyPartPath,
                                       sk_ASN1_INTEGER_num(ref->value.bodyPartPath) - 1);
        }
        if (id == NULL || !ASN1_INTEGER_get_int64(&s->body_list[i], id)) {
            st = cmc_error_raise(CMC_E_BAD_VALUE, __FILE__, __LINE__);
            goto done;
        }
        s->num_body_list++;
    }
    if (si->statusString != NULL) {
        s->status_string = OPENSSL_strndup((const char *)ASN1_STRING_get0_data(si->statusString),
                                           (size_t)ASN1_STRING_length(si->statusString));
        if (s->status_string == NULL) {
            st = cmc_error_raise(CMC_E_NOMEM, __FILE__, __LINE__);
            goto done;
        }
    }
    s->fail_info = -1;
    int64_t fi = 0;
    if (si->otherInfo != NULL && si->otherInfo->type == V_ASN1_INTEGER &&
        ASN1_INTEGER_get_int64(&fi, si->otherInfo->value.integer)) {
        s->fail_info = (long)fi;
    }
done:
    CMC_STATUS_INFO_V2_free(si);
    return st;
}

static cmc_status msg_push_status(cmc_response *r, int64_t control_id, int v2, const ASN1_TYPE *v) {
    cmc_response_status *arr =
        OPENSSL_realloc(r->statuses, (r->num_statuses + 1) * sizeof(*r->statuses));
    if (arr == NULL) {
        CMC_RAISE(CMC_E_NOMEM);
    }
    r->statuses = arr;
    cmc_response_status *s = &arr[r->num_statuses];
    memset(s, 0, sizeof(*s));
    s->control_id = control_id;
    s->v2 = v2;
    r->num_statuses++; /* counted now so cleanup frees partial fields */
    return msg_read_status(s, v);
}

/* msg_read_pki_response fills the control-derived fields of |r| from PKIResponse bytes. */
static cmc_status msg_read_pki_response(cmc_response *r, const uint8_t *in, size_t in_len) {
    cmc_pki_response *pr = NULL;
    CMC_TRY(cmc_pki_response_parse_ex(&pr, in, in_len, CMC_PARSE_ALLOW_BER));
    cmc_status st = CMC_OK;
    for (int i = 0; st == CMC_OK && i < sk_CMC_TAGGED_ATTRIBUTE_num(pr->controlSequence); i++) {
        const CMC_TAGGED_ATTRIBUTE *ta = sk_CMC_TAGGED_ATTRIBUTE_value(pr->controlSequence, i);
        int64_t id = 0;
        if (!ASN1_INTEGER_get_int64(&id, ta->bodyPartID)) {
            st = cmc_error_raise(CMC_E_BODY_PART_RANGE, __FILE__, __LINE__);
            break;
        }
        long n = msg_control_number(ta->attrType);
        int num_values = sk_ASN1_TYPE_num(ta->attrValues);
        for (int j = 0; st == CMC_OK && j < num_values; j++) {
            const ASN1_TYPE *v = sk_ASN1_TYPE_value(ta->attrValues, j);
            switch (n) {
            case CMC_CTRL_STATUS_INFO:
            case CMC_CTRL_STATUS_INFO_V2:
                st = msg_push_status(r, id, n == CMC_CTRL_STATUS_INFO_V2, v);
                break;
            case CMC_CTRL_TRANSACTION_ID:
                if (v->type != V_ASN1_INTEGER) {
                    st = cmc_error_raise(CMC_E_BAD_VALUE, __FILE__, __LINE__);
                } else {
                    ASN1_INTEGER_free(r->transaction_id);
                    r->transaction_id = ASN1_INTEGER_dup(v->value.integer);
                    if (r->transaction_id == NULL) {
                        st = cmc_error_raise(CMC_E_NOMEM, __FILE__, __LINE__);
                    }
                }
                break;
            case CMC_CTRL_SENDER_NONCE:
                st = msg_copy_octets(&r->sender_nonce, &r->sender_nonce_len, v);
                break;
            case CMC_CTRL_RECIPIENT_NONCE:
                st = msg_copy_octets(&r->recipient_nonce, &r->recipient_nonce_len, v);
                break;
            case CMC_CTRL_DATA_RETURN:
                st = msg_copy_octets(&r->data_return, &r->data_return_len, v);
                break;
            default:
                break; /* other controls: the caller can parse r->pki_response itself */
            }
        }
    }
    cmc_pki_response_free(pr);
    return st;
}

static cmc_status msg_read_pkix(cmc_response *r, const uint8_t *in, size_t in_len) {
    X509 *cert = NULL;
    CMC_TRY(cmc_pkix_cert_parse(&cert, in, in_len));
    r->certs = sk_X509_new_null();
    if (r->certs == NULL || !sk_X509_push(r->certs, cert)) {
        X509_free(cert);
        CMC_RAISE(CMC_E_NOMEM);
    }
    r->kind = CMC_RESPONSE_PKIX_CERT;
    return CMC_OK;
}

static cmc_status msg_read_full(cmc_response *r, const uint8_t *in, size_t in_len,
                                const cmc_verify_options *vopt) {
    cmc_verify_options o;
    if (vopt != NULL) {
        o = *vopt;
    } else {
        memset(&o, 0, sizeof(o));
        o.flags = CMC_VERIFY_NO_CHAIN;
    }
    o.expected_content_type = CMC_OID_CCT_PKI_RESPONSE;
    cmc_verified v;
    cmc_verified_init(&v);
    cmc_status st = cmc_signed_data_verify(&v, in, in_len, &o);
    switch (st) {
    case CMC_OK:
    case CMC_E_DIGEST:
    case CMC_E_ALG:
    case CMC_E_CONTENT_TYPE:
    case CMC_E_SIGNATURE:
    case CMC_E_SIGNER_UNTRUSTED:
    case CMC_E_SIGNER_EXPIRED:
    case CMC_E_SIGNER_NOT_YET_VALID:
    case CMC_E_UNSIGNED:
        break; /* a decodable message: report the verification result alongside */
    default:
        cmc_verified_cleanup(&v);
        return st;
    }
    r->kind = CMC_RESPONSE_FULL;
    r->verify_status = st;
    r->certs = v.certs;
    v.certs = NULL;
    r->signer_cert = v.signer_cert;
    v.signer_cert = NULL;
    r->pki_response = v.content;
    r->pki_response_len = v.content_len;
    v.content = NULL;
    cmc_verified_cleanup(&v);
    return msg_read_pki_response(r, r->pki_response, r->pki_response_len);
}

cmc_status cmc_response_read(cmc_response *out, const uint8_t *in, size_t in_len,
                             const char *media_type, const cmc_verify_options *vopt) {
    if (out == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    cmc_response_cleanup(out);
    cmc_status st;
    static const char kPkixCert[] = "application/pkix-cert";
    if (media_type != NULL && strncasecmp(media_type, kPkixCert, sizeof(kPkixCert) - 1) == 0) {
        st = msg_read_pkix(out, in, in_len);
    } else {
        cmc_sniff_result sr;
        st = cmc_sniff(&sr, in, in_len);
        if (st == CMC_OK) {
            if (sr.kind == CMC_SNIFF_CERTIFICATE) {
                st = msg_read_pkix(out, in, in_len);
            } else if (sr.kind == CMC_SNIFF_CONTENT_INFO &&
                       sr.content_type_nid == NID_pkcs7_signed && sr.has_econtent == 0 &&
                       strcmp(sr.econtent_type_oid, MSG_OID_DATA) == 0) {
                st = cmc_certs_only_parse(&out->certs, in, in_len);
                out->kind = CMC_RESPONSE_CERTS_ONLY;
            } else if (sr.kind == CMC_SNIFF_CONTENT_INFO) {
                st = msg_read_full(out, in, in_len, vopt);
            } else {
                st = msg_check_outer(in, in_len); /* report truncation etc. precisely */
                if (st == CMC_OK) {
                    st = cmc_error_raise(CMC_E_NOT_CMC, __FILE__, __LINE__);
                }
            }
        }
    }
    if (st != CMC_OK) {
        cmc_response_cleanup(out);
    }
    return st;
}
