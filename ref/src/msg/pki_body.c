/* pki_body.c: the PKIData (RFC 5272 §3.2.1) and PKIResponse (§4.2) builders. Both write DER
 * directly: body part IDs and control values are encoded exactly as the caller asks, so
 * negative vectors (ID 0, duplicates, -1, 2^32, reason 7) can be built. Parsing is the
 * asn1 module's job (cmc_pki_data_parse / cmc_pki_response_parse). */
#include <string.h>

#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "msg/msg_local.h"

#define MSG_OID_ID_CMC(n) "1.3.6.1.5.5.7.7." #n
#define MSG_MAX_BUILDER_ITEMS 4096 /* well above CMC_MAX_BODY_PARTS: room for negatives */

enum { MSG_SEQ_CONTROL, MSG_SEQ_REQ, MSG_SEQ_CMS, MSG_SEQ_OTHER, MSG_SEQ_COUNT };

/* The shared body: four sequences of encoded elements and the IDs used so far. */
typedef struct {
    msg_buf seq[MSG_SEQ_COUNT];
    int64_t *used;
    size_t num_used;
    size_t cap_used;
    int64_t next;
} msg_body;

struct cmc_pki_data_builder {
    msg_body body;
};
struct cmc_pki_response_builder {
    msg_body body;
};

static void msg_body_init(msg_body *b) {
    memset(b, 0, sizeof(*b));
    for (int i = 0; i < MSG_SEQ_COUNT; i++) {
        msg_buf_init(&b->seq[i]);
    }
    b->next = 1;
}

static void msg_body_cleanup(msg_body *b) {
    for (int i = 0; i < MSG_SEQ_COUNT; i++) {
        msg_buf_cleanup(&b->seq[i]);
    }
    OPENSSL_free(b->used);
    memset(b, 0, sizeof(*b));
}

static int msg_body_is_used(const msg_body *b, int64_t id) {
    for (size_t i = 0; i < b->num_used; i++) {
        if (b->used[i] == id) {
            return 1;
        }
    }
    return 0;
}

/* msg_body_take_id resolves CMC_BPID_AUTO and records the ID. */
static cmc_status msg_body_take_id(msg_body *b, int64_t *out_id, int64_t id) {
    if (b->num_used >= MSG_MAX_BUILDER_ITEMS) {
        CMC_RAISE(CMC_E_LIMIT);
    }
    if (id == CMC_BPID_AUTO) {
        while (msg_body_is_used(b, b->next)) {
            b->next++;
        }
        id = b->next++;
    }
    if (b->num_used == b->cap_used) {
        size_t cap = b->cap_used ? b->cap_used * 2 : 16;
        int64_t *p = OPENSSL_realloc(b->used, cap * sizeof(*p));
        if (p == NULL) {
            CMC_RAISE(CMC_E_NOMEM);
        }
        b->used = p;
        b->cap_used = cap;
    }
    b->used[b->num_used++] = id;
    if (out_id != NULL) {
        *out_id = id;
    }
    return CMC_OK;
}

/* msg_body_add_element takes a body part ID (msg_body_take_id) and appends
 * |tag| { INTEGER id, OBJECT IDENTIFIER |oid| (if not NULL), |content| } to sequence |seq|.
 * If the encoding fails (most likely a bad OID) the ID is given back and |err| raised. */
static cmc_status msg_body_add_element(msg_body *b, int seq, uint8_t tag, int64_t *out_id,
                                       int64_t id, const char *oid, const uint8_t *content,
                                       size_t content_len, cmc_status err) {
    int64_t used = 0;
    CMC_TRY(msg_body_take_id(b, &used, id));
    msg_buf e;
    msg_buf_init(&e);
    msg_buf_put_int64(&e, MSG_TAG_INTEGER, used);
    if (oid != NULL) {
        msg_buf_put_oid(&e, oid);
    }
    msg_buf_put(&e, content, content_len);
    int bad = e.err;
    if (!bad) {
        msg_buf_put_tlv(&b->seq[seq], tag, e.p, e.len);
    }
    msg_buf_cleanup(&e);
    if (bad) {
        b->num_used--;
        CMC_RAISE(err);
    }
    if (out_id != NULL) {
        *out_id = used;
    }
    return CMC_OK;
}

/* msg_body_add_control appends TaggedAttribute { id, oid, SET { values } }. */
static cmc_status msg_body_add_control(msg_body *b, int64_t *out_id, int64_t id, const char *oid,
                                       const uint8_t *const *values, const size_t *value_lens,
                                       size_t num_values) {
    if (oid == NULL || (num_values > 0 && (values == NULL || value_lens == NULL))) {
        CMC_RAISE(CMC_E_ARG);
    }
    msg_buf set;
    msg_buf_init(&set);
    /* Values in the order given: the caller controls the bytes (negative vectors). */
    for (size_t i = 0; i < num_values; i++) {
        msg_buf_put(&set, values[i], value_lens[i]);
    }
    msg_buf_wrap(&set, MSG_TAG_SET);
    if (set.err) {
        msg_buf_cleanup(&set);
        CMC_RAISE(CMC_E_ARG);
    }
    cmc_status st = msg_body_add_element(b, MSG_SEQ_CONTROL, MSG_TAG_SEQUENCE, out_id, id, oid,
                                         set.p, set.len, CMC_E_ARG);
    msg_buf_cleanup(&set);
    return st;
}

/* msg_body_add_value1 adds a control with one value (the encoding in |v|). */
static cmc_status msg_body_add_value1(msg_body *b, int64_t *out_id, int64_t id, const char *oid,
                                      msg_buf *v) {
    if (!msg_buf_ok(v)) {
        msg_buf_cleanup(v);
        CMC_RAISE(CMC_E_ARG);
    }
    const uint8_t *vals[1] = {v->p};
    size_t lens[1] = {v->len};
    cmc_status st = msg_body_add_control(b, out_id, id, oid, vals, lens, 1);
    msg_buf_cleanup(v);
    return st;
}

static cmc_status msg_body_add_transaction_id(msg_body *b, int64_t *out_id, int64_t id,
                                              uint64_t transaction_id) {
    msg_buf v;
    msg_buf_init(&v);
    msg_buf_put_uint64(&v, MSG_TAG_INTEGER, transaction_id);
    return msg_body_add_value1(b, out_id, id, MSG_OID_ID_CMC(5), &v);
}

static cmc_status msg_body_add_octets(msg_body *b, int64_t *out_id, int64_t id, const char *oid,
                                      const uint8_t *data, size_t len) {
    if (data == NULL && len > 0) {
        CMC_RAISE(CMC_E_ARG);
    }
    msg_buf v;
    msg_buf_init(&v);
    msg_buf_put_tlv(&v, MSG_TAG_OCTET_STRING, data, len);
    return msg_body_add_value1(b, out_id, id, oid, &v);
}

static cmc_status msg_body_add_tagged_raw(msg_body *b, int seq, int64_t *out_id, int64_t id,
                                          const char *oid, const uint8_t *der, size_t len) {
    if (der == NULL || len == 0) {
        CMC_RAISE(CMC_E_ARG);
    }
    return msg_body_add_element(b, seq, MSG_TAG_SEQUENCE, out_id, id, oid, der, len, CMC_E_ARG);
}

/* msg_body_to_der: PKIData has four sequences, PKIResponse three (no reqSequence). */
static cmc_status msg_body_to_der(const msg_body *b, int with_reqs, uint8_t **out,
                                  size_t *out_len) {
    if (out == NULL || out_len == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    msg_buf d;
    msg_buf_init(&d);
    for (int i = 0; i < MSG_SEQ_COUNT; i++) {
        if (i == MSG_SEQ_REQ && !with_reqs) {
            continue;
        }
        d.err |= b->seq[i].err;
        msg_buf_put_tlv(&d, MSG_TAG_SEQUENCE, b->seq[i].p, b->seq[i].len);
    }
    msg_buf_wrap(&d, MSG_TAG_SEQUENCE);
    return msg_buf_finish(&d, out, out_len);
}

/* ---- PKIData builder ---- */

cmc_status cmc_pki_data_builder_new(cmc_pki_data_builder **out) {
    if (out == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    cmc_pki_data_builder *b = OPENSSL_zalloc(sizeof(*b));
    if (b == NULL) {
        CMC_RAISE(CMC_E_NOMEM);
    }
    msg_body_init(&b->body);
    *out = b;
    return CMC_OK;
}

void cmc_pki_data_builder_free(cmc_pki_data_builder *b) {
    if (b == NULL) {
        return;
    }
    msg_body_cleanup(&b->body);
    OPENSSL_free(b);
}

#define MSG_CHECK_B(b)                                                                             \
    do {                                                                                           \
        if ((b) == NULL) {                                                                         \
            CMC_RAISE(CMC_E_ARG);                                                                  \
        }                                                                                          \
    } while (0)

cmc_status cmc_pki_data_builder_add_transaction_id(cmc_pki_data_builder *b, int64_t *out_id,
                                                   int64_t id, uint64_t transaction_id) {
    MSG_CHECK_B(b);
    return msg_body_add_transaction_id(&b->body, out_id, id, transaction_id);
}

cmc_status cmc_pki_data_builder_add_sender_nonce(cmc_pki_data_builder *b, int64_t *out_id,
                                                 int64_t id, const uint8_t *nonce,
                                                 size_t nonce_len) {
    MSG_CHECK_B(b);
    return msg_body_add_octets(&b->body, out_id, id, MSG_OID_ID_CMC(6), nonce, nonce_len);
}

cmc_status cmc_pki_data_builder_add_recipient_nonce(cmc_pki_data_builder *b, int64_t *out_id,
                                                    int64_t id, const uint8_t *nonce,
                                                    size_t nonce_len) {
    MSG_CHECK_B(b);
    return msg_body_add_octets(&b->body, out_id, id, MSG_OID_ID_CMC(7), nonce, nonce_len);
}

cmc_status cmc_pki_data_builder_add_data_return(cmc_pki_data_builder *b, int64_t *out_id,
                                                int64_t id, const uint8_t *data, size_t data_len) {
    MSG_CHECK_B(b);
    return msg_body_add_octets(&b->body, out_id, id, MSG_OID_ID_CMC(4), data, data_len);
}

cmc_status cmc_pki_data_builder_add_revoke_request(cmc_pki_data_builder *b, int64_t *out_id,
                                                   int64_t id, const cmc_revoke_spec *spec) {
    MSG_CHECK_B(b);
    if (spec == NULL || spec->issuer == NULL || spec->serial == NULL ||
        (spec->passphrase == NULL && spec->passphrase_len > 0)) {
        CMC_RAISE(CMC_E_ARG);
    }
    /* RevokeRequest ::= SEQUENCE { issuerName Name, serialNumber INTEGER, reason CRLReason,
     *     invalidityDate GeneralizedTime OPTIONAL, passphrase OCTET STRING OPTIONAL,
     *     comment UTF8String OPTIONAL }  -- RFC 5272 §6.11 */
    msg_buf v;
    msg_buf_init(&v);
    MSG_BUF_PUT_I2D(&v, i2d_X509_NAME, (X509_NAME *)spec->issuer);
    MSG_BUF_PUT_I2D(&v, i2d_ASN1_INTEGER, spec->serial);
    msg_buf_put_int64(&v, MSG_TAG_ENUMERATED, spec->reason);
    if (spec->has_invalidity_date) {
        msg_buf_put_gentime(&v, spec->invalidity_date);
    }
    if (spec->passphrase != NULL) {
        msg_buf_put_tlv(&v, MSG_TAG_OCTET_STRING, spec->passphrase, spec->passphrase_len);
    }
    if (spec->comment != NULL) {
        msg_buf_put_tlv(&v, MSG_TAG_UTF8STRING, spec->comment, strlen(spec->comment));
    }
    msg_buf_wrap(&v, MSG_TAG_SEQUENCE);
    return msg_body_add_value1(&b->body, out_id, id, MSG_OID_ID_CMC(17), &v);
}

cmc_status cmc_pki_data_builder_add_get_cert(cmc_pki_data_builder *b, int64_t *out_id, int64_t id,
                                             const X509_NAME *issuer, const ASN1_INTEGER *serial) {
    MSG_CHECK_B(b);
    if (issuer == NULL || serial == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    /* GetCert ::= SEQUENCE { issuerName GeneralName, serialNumber INTEGER }; directoryName
     * is [4] and explicit because Name is a CHOICE (RFC 5280 Appendix A.2). */
    msg_buf v;
    msg_buf name;
    msg_buf_init(&v);
    msg_buf_init(&name);
    MSG_BUF_PUT_I2D(&name, i2d_X509_NAME, (X509_NAME *)issuer);
    msg_buf_put_tlv(&v, MSG_TAG_CTX_CONS(4), name.p, name.len);
    v.err |= name.err;
    msg_buf_cleanup(&name);
    MSG_BUF_PUT_I2D(&v, i2d_ASN1_INTEGER, serial);
    msg_buf_wrap(&v, MSG_TAG_SEQUENCE);
    return msg_body_add_value1(&b->body, out_id, id, MSG_OID_ID_CMC(15), &v);
}

cmc_status cmc_pki_data_builder_add_control_raw(cmc_pki_data_builder *b, int64_t *out_id,
                                                int64_t id, const char *oid,
                                                const uint8_t *const *values,
                                                const size_t *value_lens, size_t num_values) {
    MSG_CHECK_B(b);
    return msg_body_add_control(&b->body, out_id, id, oid, values, value_lens, num_values);
}

cmc_status cmc_pki_data_builder_add_tcr_der(cmc_pki_data_builder *b, int64_t *out_id, int64_t id,
                                            const uint8_t *der, size_t der_len) {
    MSG_CHECK_B(b);
    if (der == NULL || der_len == 0) {
        CMC_RAISE(CMC_E_ARG);
    }
    /* tcr [0] TaggedCertificationRequest (IMPLICIT: 0xA0 on the SEQUENCE content). */
    return msg_body_add_element(&b->body, MSG_SEQ_REQ, MSG_TAG_CTX_CONS(0), out_id, id, NULL, der,
                                der_len, CMC_E_NOMEM);
}

cmc_status cmc_pki_data_builder_add_tcr(cmc_pki_data_builder *b, int64_t *out_id, int64_t id,
                                        const X509_REQ *req) {
    MSG_CHECK_B(b);
    if (req == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    msg_buf der;
    msg_buf_init(&der);
    MSG_BUF_PUT_I2D(&der, i2d_X509_REQ, (X509_REQ *)req);
    if (!msg_buf_ok(&der)) {
        msg_buf_cleanup(&der);
        CMC_RAISE(CMC_E_DER);
    }
    cmc_status st = cmc_pki_data_builder_add_tcr_der(b, out_id, id, der.p, der.len);
    msg_buf_cleanup(&der);
    return st;
}

/* msg_crm_req_id reads CertReqMsg.certReq.certReqId from DER; CMC_BPID_AUTO if it does not
 * fit int64. */
static int64_t msg_crm_req_id(const uint8_t *der, size_t len) {
    msg_tlv t;
    if (msg_tlv_read(&t, der, len) != CMC_OK || t.id != MSG_TAG_SEQUENCE) {
        return CMC_BPID_AUTO;
    }
    der += t.hdr_len;
    len = t.len;
    if (msg_tlv_read(&t, der, len) != CMC_OK || t.id != MSG_TAG_SEQUENCE) {
        return CMC_BPID_AUTO;
    }
    der += t.hdr_len;
    len = t.len;
    if (msg_tlv_read(&t, der, len) != CMC_OK || t.id != MSG_TAG_INTEGER || t.len == 0 ||
        t.len > 8) {
        return CMC_BPID_AUTO;
    }
    const uint8_t *v = der + t.hdr_len;
    uint64_t u = (v[0] & 0x80) ? UINT64_MAX : 0;
    for (size_t i = 0; i < t.len; i++) {
        u = (u << 8) | v[i];
    }
    return (int64_t)u;
}

cmc_status cmc_pki_data_builder_add_crm(cmc_pki_data_builder *b, int64_t *out_id,
                                        const OSSL_CRMF_MSG *msg) {
    MSG_CHECK_B(b);
    if (msg == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    msg_buf der;
    msg_buf_init(&der);
    MSG_BUF_PUT_I2D(&der, i2d_OSSL_CRMF_MSG, (OSSL_CRMF_MSG *)msg);
    msg_tlv t;
    if (!msg_buf_ok(&der) || msg_tlv_read(&t, der.p, der.len) != CMC_OK) {
        msg_buf_cleanup(&der);
        CMC_RAISE(CMC_E_DER);
    }
    int64_t rid = msg_crm_req_id(der.p, der.len);
    if (b->body.num_used >= MSG_MAX_BUILDER_ITEMS) {
        msg_buf_cleanup(&der);
        CMC_RAISE(CMC_E_LIMIT);
    }
    cmc_status st = CMC_OK;
    if (rid != CMC_BPID_AUTO) {
        st = msg_body_take_id(&b->body, NULL, rid); /* record it so AUTO skips it */
    }
    /* crm [1] CertReqMsg, IMPLICIT: 0xA1 on the SEQUENCE content. */
    if (st == CMC_OK) {
        msg_buf_put_tlv(&b->body.seq[MSG_SEQ_REQ], MSG_TAG_CTX_CONS(1), der.p + t.hdr_len, t.len);
    }
    msg_buf_cleanup(&der);
    if (st != CMC_OK) {
        return st;
    }
    if (out_id != NULL) {
        *out_id = rid;
    }
    return CMC_OK;
}

cmc_status cmc_pki_data_builder_add_cms_raw(cmc_pki_data_builder *b, int64_t *out_id, int64_t id,
                                            const uint8_t *content_info_der, size_t der_len) {
    MSG_CHECK_B(b);
    return msg_body_add_tagged_raw(&b->body, MSG_SEQ_CMS, out_id, id, NULL, content_info_der,
                                   der_len);
}

cmc_status cmc_pki_data_builder_add_other_msg_raw(cmc_pki_data_builder *b, int64_t *out_id,
                                                  int64_t id, const char *oid,
                                                  const uint8_t *value_der, size_t value_len) {
    MSG_CHECK_B(b);
    if (oid == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    return msg_body_add_tagged_raw(&b->body, MSG_SEQ_OTHER, out_id, id, oid, value_der, value_len);
}

cmc_status cmc_pki_data_builder_to_der(const cmc_pki_data_builder *b, uint8_t **out,
                                       size_t *out_len) {
    MSG_CHECK_B(b);
    return msg_body_to_der(&b->body, 1, out, out_len);
}

/* ---- PKIResponse builder ---- */

cmc_status cmc_pki_response_builder_new(cmc_pki_response_builder **out) {
    if (out == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    cmc_pki_response_builder *b = OPENSSL_zalloc(sizeof(*b));
    if (b == NULL) {
        CMC_RAISE(CMC_E_NOMEM);
    }
    msg_body_init(&b->body);
    *out = b;
    return CMC_OK;
}

void cmc_pki_response_builder_free(cmc_pki_response_builder *b) {
    if (b == NULL) {
        return;
    }
    msg_body_cleanup(&b->body);
    OPENSSL_free(b);
}

cmc_status cmc_pki_response_builder_add_status(cmc_pki_response_builder *b, int64_t *out_id,
                                               int64_t id, long status, const int64_t *body_list,
                                               size_t num_body_list, const char *status_string,
                                               long fail_info) {
    MSG_CHECK_B(b);
    if (body_list == NULL || num_body_list == 0) {
        CMC_RAISE(CMC_E_ARG); /* bodyList is SIZE (1..MAX) */
    }
    if (num_body_list > CMC_MAX_BODY_PARTS) {
        CMC_RAISE(CMC_E_LIMIT);
    }
    /* CMCStatusInfoV2 ::= SEQUENCE { cMCStatus CMCStatus, bodyList SEQUENCE SIZE (1..MAX)
     *     OF BodyPartReference, statusString UTF8String OPTIONAL, otherInfo OPTIONAL } */
    msg_buf v;
    msg_buf list;
    msg_buf_init(&v);
    msg_buf_init(&list);
    msg_buf_put_int64(&v, MSG_TAG_INTEGER, status);
    for (size_t i = 0; i < num_body_list; i++) {
        msg_buf_put_int64(&list, MSG_TAG_INTEGER, body_list[i]);
    }
    msg_buf_put_tlv(&v, MSG_TAG_SEQUENCE, list.p, list.len);
    v.err |= list.err;
    msg_buf_cleanup(&list);
    if (status_string != NULL) {
        msg_buf_put_tlv(&v, MSG_TAG_UTF8STRING, status_string, strlen(status_string));
    }
    if (fail_info >= 0) {
        msg_buf_put_int64(&v, MSG_TAG_INTEGER, fail_info); /* otherInfo failInfo */
    }
    msg_buf_wrap(&v, MSG_TAG_SEQUENCE);
    return msg_body_add_value1(&b->body, out_id, id, MSG_OID_ID_CMC(25), &v);
}

cmc_status cmc_pki_response_builder_add_transaction_id_der(cmc_pki_response_builder *b,
                                                           int64_t *out_id, int64_t id,
                                                           const uint8_t *value_der,
                                                           size_t value_len) {
    MSG_CHECK_B(b);
    if (value_der == NULL || value_len == 0) {
        CMC_RAISE(CMC_E_ARG);
    }
    const uint8_t *vals[1] = {value_der};
    size_t lens[1] = {value_len};
    return msg_body_add_control(&b->body, out_id, id, MSG_OID_ID_CMC(5), vals, lens, 1);
}

cmc_status cmc_pki_response_builder_add_transaction_id(cmc_pki_response_builder *b, int64_t *out_id,
                                                       int64_t id, uint64_t transaction_id) {
    MSG_CHECK_B(b);
    return msg_body_add_transaction_id(&b->body, out_id, id, transaction_id);
}

cmc_status cmc_pki_response_builder_add_sender_nonce(cmc_pki_response_builder *b, int64_t *out_id,
                                                     int64_t id, const uint8_t *nonce,
                                                     size_t nonce_len) {
    MSG_CHECK_B(b);
    return msg_body_add_octets(&b->body, out_id, id, MSG_OID_ID_CMC(6), nonce, nonce_len);
}

cmc_status cmc_pki_response_builder_add_recipient_nonce(cmc_pki_response_builder *b,
                                                        int64_t *out_id, int64_t id,
                                                        const uint8_t *nonce, size_t nonce_len) {
    MSG_CHECK_B(b);
    return msg_body_add_octets(&b->body, out_id, id, MSG_OID_ID_CMC(7), nonce, nonce_len);
}

cmc_status cmc_pki_response_builder_add_data_return(cmc_pki_response_builder *b, int64_t *out_id,
                                                    int64_t id, const uint8_t *data,
                                                    size_t data_len) {
    MSG_CHECK_B(b);
    return msg_body_add_octets(&b->body, out_id, id, MSG_OID_ID_CMC(4), data, data_len);
}

cmc_status cmc_pki_response_builder_add_control_raw(cmc_pki_response_builder *b, int64_t *out_id,
                                                    int64_t id, const char *oid,
                                                    const uint8_t *const *values,
                                                    const size_t *value_lens, size_t num_values) {
    MSG_CHECK_B(b);
    return msg_body_add_control(&b->body, out_id, id, oid, values, value_lens, num_values);
}

cmc_status cmc_pki_response_builder_to_der(const cmc_pki_response_builder *b, uint8_t **out,
                                           size_t *out_len) {
    MSG_CHECK_B(b);
    return msg_body_to_der(&b->body, 0, out, out_len);
}

cmc_status cmc_pki_response_builder_sign(const cmc_pki_response_builder *b, uint8_t **out,
                                         size_t *out_len, const cmc_signer *signer,
                                         STACK_OF(X509) *certs, int64_t signing_time) {
    MSG_CHECK_B(b);
    if (signer == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    uint8_t *der = NULL;
    size_t der_len = 0;
    CMC_TRY(cmc_pki_response_builder_to_der(b, &der, &der_len));
    cmc_sign_options opt;
    memset(&opt, 0, sizeof(opt));
    opt.econtent_type = CMC_OID_CCT_PKI_RESPONSE;
    opt.signing_time = signing_time;
    opt.certs = certs;
    cmc_status st = cmc_signed_data_sign(out, out_len, der, der_len, signer, 1, &opt);
    OPENSSL_free(der);
    return st;
}
