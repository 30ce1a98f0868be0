/* pop.c: proof-of-possession checks for PKCS#10 (RFC 2986; RFC 5272 §3.2.1.2.1) and CRMF
 * signature POP (RFC 4211 §4.1; RFC 5272 §3.2.1.2.2); spec/CMC.md §9.4 and §13 item 18. */
#include <openssl/crmf.h>
#include <openssl/err.h>
#include <openssl/objects.h>

#include "msg/msg_local.h"

cmc_status cmc_p10_verify_pop_key(const X509_REQ *req, EVP_PKEY *key) {
    if (req == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    const X509_ALGOR *alg = NULL;
    X509_REQ_get0_signature(req, NULL, &alg);
    const ASN1_OBJECT *alg_obj = NULL;
    if (alg != NULL) {
        X509_ALGOR_get0(&alg_obj, NULL, NULL, alg);
    }
    /* id-alg-noSignature (RFC 5272 §3.1, App. C.1): the "signature" is a hash; no POP. */
    if (alg_obj != NULL && OBJ_obj2nid(alg_obj) == NID_id_alg_noSignature) {
        MSG_RAISE_DETAIL(CMC_E_UNSUPPORTED,
                         "id-alg-noSignature: no proof of possession (encrypted POP, RFC 5272 "
                         "§6.7, is not offered)");
    }
    if (key == NULL) {
        MSG_RAISE_DETAIL(CMC_E_POP, "PKCS#10 public key does not decode");
    }
    /* The default library context: a request parsed with CMC_PARSE_RAW_KEYS carries the
     * key-less one, which has no digests. */
    if (X509_REQ_verify_ex((X509_REQ *)req, key, NULL, NULL) != 1) {
        MSG_RAISE_DETAIL(CMC_E_POP, "PKCS#10 signature does not verify");
    }
    return CMC_OK;
}

cmc_status cmc_p10_verify_pop(const X509_REQ *req) {
    if (req == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    EVP_PKEY *key = NULL;
    if (cmc_spki_get1_pkey(&key, X509_REQ_get_X509_PUBKEY((X509_REQ *)req)) != CMC_OK) {
        key = NULL;
        ERR_clear_error();
    }
    cmc_status st = cmc_p10_verify_pop_key(req, key);
    EVP_PKEY_free(key);
    return st;
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
    const char *why = NULL;
    if (msg_tlv_read(&req, p, left) != CMC_OK) {
        st = CMC_E_DER;
        why = "CertRequest does not decode";
    } else if (left == req.hdr_len + req.len ||
               msg_tlv_read(&popo, p + req.hdr_len + req.len, left - req.hdr_len - req.len) !=
                   CMC_OK) {
        st = CMC_E_POP;
        why = "CRMF request without proof of possession";
    } else if (popo.id == 0x80) {
        st = CMC_E_POP;
        why = "CRMF raVerified POP refused: no authorised RA vouched for it (RFC 5272 §6.8)";
    } else if (popo.id == 0xA2 || popo.id == 0xA3) {
        st = CMC_E_UNSUPPORTED;
        why = "CRMF keyEncipherment/keyAgreement POP needs encrypted POP (RFC 5272 §6.7), "
              "which is not offered";
    } else if (popo.id != 0xA1) {
        st = CMC_E_POP;
        why = "CRMF proof of possession of an unknown kind";
    } else {
        const uint8_t *sk = p + req.hdr_len + req.len + popo.hdr_len;
        if (popo.len > 0 && sk[0] == 0xA0) {
            st = CMC_E_POP;
            why = "CRMF POPOSigningKey with poposkInput refused (RFC 5272 §3.2.1.2.2)";
        }
    }
    msg_buf_cleanup(&der);
    if (st != CMC_OK) {
        MSG_RAISE_DETAIL(st, "%s", why);
    }
    OSSL_CRMF_MSGS *msgs = sk_OSSL_CRMF_MSG_new_null();
    if (msgs == NULL || !sk_OSSL_CRMF_MSG_push(msgs, (OSSL_CRMF_MSG *)msg)) {
        sk_OSSL_CRMF_MSG_free(msgs);
        CMC_RAISE(CMC_E_NOMEM);
    }
    /* OpenSSL 3.0: |rid| is the index into |msgs| (sk_OSSL_CRMF_MSG_value(reqs, rid)), not
     * the certReqId, so a one-element stack and index 0 verify |msg| whatever its certReqId.
     * acceptRAVerified = 0: raVerified was refused above anyway. */
    int ok = OSSL_CRMF_MSGS_verify_popo(msgs, 0, 0, NULL, NULL);
    sk_OSSL_CRMF_MSG_free(msgs); /* the stack only; |msg| stays the caller's */
    if (ok != 1) {
        /* A message parsed with CMC_PARSE_RAW_KEYS has no decoded template key (OpenSSL 3.0
         * offers no getter to build one in place): check again on a fully decoded copy. */
        ERR_clear_error();
        msg_buf_init(&der);
        MSG_BUF_PUT_I2D(&der, i2d_OSSL_CRMF_MSG, (OSSL_CRMF_MSG *)msg);
        const unsigned char *q = der.p;
        OSSL_CRMF_MSG *full = msg_buf_ok(&der) ? d2i_OSSL_CRMF_MSG(NULL, &q, (long)der.len) : NULL;
        msg_buf_cleanup(&der);
        msgs = full != NULL ? sk_OSSL_CRMF_MSG_new_null() : NULL;
        if (msgs != NULL && sk_OSSL_CRMF_MSG_push(msgs, full)) {
            ok = OSSL_CRMF_MSGS_verify_popo(msgs, 0, 0, NULL, NULL);
        }
        sk_OSSL_CRMF_MSG_free(msgs);
        OSSL_CRMF_MSG_free(full);
    }
    if (ok != 1) {
        MSG_RAISE_DETAIL(CMC_E_POP, "CRMF POPOSigningKey does not verify");
    }
    return CMC_OK;
}
