/* pop.c: proof-of-possession checks for PKCS#10 (RFC 2986; RFC 5272 §3.2.1.2.1) and CRMF
 * signature POP (RFC 4211 §4.1; RFC 5272 §3.2.1.2.2); spec/CMC.md §9.4 and §13 item 18. */
#include <openssl/crmf.h>
#include <openssl/objects.h>

#include "msg/msg_local.h"

#define MSG_OID_NO_SIGNATURE "1.3.6.1.5.5.7.6.2" /* id-alg-noSignature, RFC 5272 §3.1 */

cmc_status cmc_p10_verify_pop(const X509_REQ *req) {
    if (req == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    const X509_ALGOR *alg = NULL;
    X509_REQ_get0_signature(req, NULL, &alg);
    ASN1_OBJECT *nosig = OBJ_txt2obj(MSG_OID_NO_SIGNATURE, 1);
    int is_nosig = alg != NULL && nosig != NULL && OBJ_cmp(alg->algorithm, nosig) == 0;
    ASN1_OBJECT_free(nosig);
    if (is_nosig) {
        CMC_RAISE(CMC_E_UNSUPPORTED);
    }
    EVP_PKEY *key = X509_REQ_get0_pubkey((X509_REQ *)req);
    if (key == NULL || X509_REQ_verify((X509_REQ *)req, key) != 1) {
        CMC_RAISE(CMC_E_POP);
    }
    return CMC_OK;
}

cmc_status cmc_crmf_verify_pop(const OSSL_CRMF_MSG *msg) {
    if (msg == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    /* Classify the POP from the encoding: CertReqMsg ::= SEQUENCE { certReq CertRequest,
     * popo ProofOfPossession OPTIONAL, regInfo OPTIONAL }. */
    msg_buf der;
    msg_buf_init(&der);
    MSG_BUF_PUT_I2D(&der, i2d_OSSL_CRMF_MSG, (OSSL_CRMF_MSG *)msg);
    msg_tlv t;
    if (!msg_buf_ok(&der) || msg_tlv_read(&t, der.p, der.len) != CMC_OK) {
        msg_buf_cleanup(&der);
        CMC_RAISE(CMC_E_DER);
    }
    const uint8_t *p = der.p + t.hdr_len;
    size_t left = t.len;
    msg_tlv req;
    msg_tlv popo;
    cmc_status st = CMC_OK;
    if (msg_tlv_read(&req, p, left) != CMC_OK) {
        st = CMC_E_DER;
    } else if (left == req.hdr_len + req.len ||
               msg_tlv_read(&popo, p + req.hdr_len + req.len, left - req.hdr_len - req.len) !=
                   CMC_OK) {
        st = CMC_E_POP; /* no popo at all */
        cmc_error_set_detail("CRMF request without proof of possession");
    } else if (popo.id == 0x80) {
        st = CMC_E_POP; /* raVerified: only with an authorised RA's lraPOPWitness */
    } else if (popo.id == 0xA2 || popo.id == 0xA3) {
        st = CMC_E_UNSUPPORTED; /* keyEncipherment / keyAgreement */
    } else if (popo.id != 0xA1) {
        st = CMC_E_POP;
    } else {
        const uint8_t *sk = p + req.hdr_len + req.len + popo.hdr_len;
        if (popo.len > 0 && sk[0] == 0xA0) {
            st = CMC_E_POP; /* poposkInput MUST NOT be used (RFC 5272 §3.2.1.2.2) */
        }
    }
    msg_buf_cleanup(&der);
    if (st != CMC_OK) {
        CMC_RAISE(st);
    }
    OSSL_CRMF_MSGS *msgs = sk_OSSL_CRMF_MSG_new_null();
    if (msgs == NULL || !sk_OSSL_CRMF_MSG_push(msgs, (OSSL_CRMF_MSG *)msg)) {
        sk_OSSL_CRMF_MSG_free(msgs);
        CMC_RAISE(CMC_E_NOMEM);
    }
    int ok = OSSL_CRMF_MSGS_verify_popo(msgs, 0, 0, NULL, NULL);
    sk_OSSL_CRMF_MSG_free(msgs); /* the stack only; |msg| stays the caller's */
    if (ok != 1) {
        CMC_RAISE(CMC_E_POP);
    }
    return CMC_OK;
}
