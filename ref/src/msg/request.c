/* request.c: client-side request builders: PKCS#10 (RFC 2986; RFC 5272 §3.1, §3.2.1.2.1)
 * and CRMF CertReqMsg with signature POP (RFC 4211; RFC 5272 §3.2.1.2.2). */
#include <string.h>

#include <openssl/crmf.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "msg/msg_local.h"

/* msg_req_parts resolves the subject and the extension list (with the SKI) of |opt|. */
static cmc_status msg_req_parts(X509_NAME **out_name, STACK_OF(X509_EXTENSION) **out_exts,
                                const EVP_PKEY *key, const cmc_req_options *opt) {
    X509_NAME *name = NULL;
    STACK_OF(X509_EXTENSION) *exts = NULL;
    ASN1_OCTET_STRING *oct = NULL;
    X509_EXTENSION *ext = NULL;
    cmc_status st = CMC_OK;
    if (opt != NULL && opt->subject != NULL) {
        st = cmc_name_parse(&name, opt->subject);
        if (st != CMC_OK) {
            return st;
        }
    } else if (opt != NULL && opt->subject_name != NULL) {
        name = X509_NAME_dup(opt->subject_name);
    } else {
        name = X509_NAME_new(); /* empty Name, still encoded (RFC 5272 §3.2.1.2.1) */
    }
    exts = sk_X509_EXTENSION_new_null();
    if (name == NULL || exts == NULL) {
        goto nomem;
    }
    for (int i = 0;
         opt != NULL && opt->extensions != NULL && i < sk_X509_EXTENSION_num(opt->extensions);
         i++) {
        X509_EXTENSION *e = X509_EXTENSION_dup(sk_X509_EXTENSION_value(opt->extensions, i));
        if (e == NULL || !sk_X509_EXTENSION_push(exts, e)) {
            X509_EXTENSION_free(e);
            goto nomem;
        }
    }
    if (opt != NULL && opt->add_ski) {
        uint8_t ski[CMC_SKI_LEN];
        const uint8_t *id = opt->ski;
        size_t id_len = opt->ski_len;
        if (id == NULL) {
            st = cmc_key_ski(ski, key);
            if (st != CMC_OK) {
                goto err;
            }
            id = ski;
            id_len = sizeof(ski);
        }
        oct = ASN1_OCTET_STRING_new();
        if (oct == NULL || !ASN1_OCTET_STRING_set(oct, id, (int)id_len)) {
            goto nomem;
        }
        ext = X509V3_EXT_i2d(NID_subject_key_identifier, 0, oct);
        if (ext == NULL || !sk_X509_EXTENSION_push(exts, ext)) {
            goto nomem;
        }
        ext = NULL;
    }
    ASN1_OCTET_STRING_free(oct);
    *out_name = name;
    *out_exts = exts;
    return CMC_OK;
nomem:
    st = cmc_error_raise(CMC_E_NOMEM, __FILE__, __LINE__);
err:
    X509_EXTENSION_free(ext);
    ASN1_OCTET_STRING_free(oct);
    X509_NAME_free(name);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    return st;
}

static const EVP_MD *msg_req_md(const EVP_PKEY *key, const cmc_req_options *opt) {
    if (msg_is_eddsa(key)) {
        return NULL;
    }
    return opt != NULL && opt->md != NULL ? opt->md : cmc_default_md(key);
}

cmc_status cmc_p10_build(X509_REQ **out, EVP_PKEY *key, const cmc_req_options *opt) {
    if (out == NULL || key == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    X509_NAME *name = NULL;
    STACK_OF(X509_EXTENSION) *exts = NULL;
    CMC_TRY(msg_req_parts(&name, &exts, key, opt));
    X509_REQ *req = X509_REQ_new();
    cmc_status st = CMC_OK;
    if (req == NULL || !X509_REQ_set_version(req, 0) || !X509_REQ_set_subject_name(req, name) ||
        !X509_REQ_set_pubkey(req, key) ||
        (sk_X509_EXTENSION_num(exts) > 0 && !X509_REQ_add_extensions(req, exts))) {
        st = cmc_error_raise(CMC_E_NOMEM, __FILE__, __LINE__);
    } else if (X509_REQ_sign(req, key, msg_req_md(key, opt)) <= 0) {
        st = cmc_error_raise(CMC_E_CRYPTO, __FILE__, __LINE__);
    }
    X509_NAME_free(name);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    if (st != CMC_OK) {
        X509_REQ_free(req);
        return st;
    }
    *out = req;
    return CMC_OK;
}

cmc_status cmc_p10_build_der(uint8_t **out, size_t *out_len, EVP_PKEY *key,
                             const cmc_req_options *opt) {
    if (out == NULL || out_len == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    X509_REQ *req = NULL;
    CMC_TRY(cmc_p10_build(&req, key, opt));
    msg_buf b;
    msg_buf_init(&b);
    MSG_BUF_PUT_I2D(&b, i2d_X509_REQ, req);
    X509_REQ_free(req);
    return msg_buf_finish(&b, out, out_len);
}

cmc_status cmc_crmf_build_der(uint8_t **out, size_t *out_len, EVP_PKEY *key, int64_t cert_req_id,
                              const cmc_req_options *opt) {
    if (out == NULL || out_len == NULL || key == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    X509_NAME *name = NULL;
    STACK_OF(X509_EXTENSION) *exts = NULL;
    CMC_TRY(msg_req_parts(&name, &exts, key, opt));
    /* The template comes from OpenSSL's CRMF types; the CertRequest around it and the POP
     * are written here, so that certReqId can be any INTEGER (negative vectors) and every
     * key type (Ed25519 included) gets the same code. */
    cmc_status st = CMC_OK;
    OSSL_CRMF_MSG *m = OSSL_CRMF_MSG_new();
    OSSL_CRMF_CERTTEMPLATE *tmpl = m != NULL ? OSSL_CRMF_MSG_get0_tmpl(m) : NULL;
    if (tmpl == NULL || !OSSL_CRMF_CERTTEMPLATE_fill(tmpl, key, name, NULL, NULL)) {
        st = cmc_error_raise(CMC_E_NOMEM, __FILE__, __LINE__);
    } else if (sk_X509_EXTENSION_num(exts) > 0) {
        if (!OSSL_CRMF_MSG_set0_extensions(m, exts)) {
            st = cmc_error_raise(CMC_E_NOMEM, __FILE__, __LINE__);
        } else {
            exts = NULL;
        }
    }
    msg_buf creq;
    msg_buf_init(&creq);
    if (st == CMC_OK) {
        /* CertRequest ::= SEQUENCE { certReqId INTEGER, certTemplate CertTemplate } */
        msg_buf_put_int64(&creq, MSG_TAG_INTEGER, cert_req_id);
        MSG_BUF_PUT_I2D(&creq, i2d_OSSL_CRMF_CERTTEMPLATE, tmpl);
        msg_buf_wrap(&creq, MSG_TAG_SEQUENCE);
        if (!msg_buf_ok(&creq)) {
            st = cmc_error_raise(CMC_E_NOMEM, __FILE__, __LINE__);
        }
    }
    uint8_t *sig = NULL;
    size_t sig_len = 0;
    const EVP_MD *md = msg_req_md(key, opt);
    if (st == CMC_OK) {
        /* RFC 4211 §4.1: with subject and publicKey in the template, the signature is
         * over the DER CertRequest and poposkInput is absent. */
        st = msg_sign_bytes(&sig, &sig_len, key, md, 0, NULL, creq.p, creq.len);
    }
    msg_buf msg;
    msg_buf_init(&msg);
    if (st == CMC_OK) {
        msg_buf popo;
        msg_buf_init(&popo);
        msg_put_sig_alg(&popo, key, md, 0);
        {
            msg_buf bits;
            msg_buf_init(&bits);
            msg_buf_put_u8(&bits, 0x00); /* no unused bits */
            msg_buf_put(&bits, sig, sig_len);
            msg_buf_put_tlv(&popo, MSG_TAG_BIT_STRING, bits.p, bits.len);
            popo.err |= bits.err;
            msg_buf_cleanup(&bits);
        }
        msg_buf_put(&msg, creq.p, creq.len);
        /* popo [1] POPOSigningKey, IMPLICIT: tag 0xA1 on the SEQUENCE's content. */
        msg_buf_put_tlv(&msg, MSG_TAG_CTX_CONS(1), popo.p, popo.len);
        msg.err |= popo.err;
        msg_buf_cleanup(&popo);
        msg_buf_wrap(&msg, MSG_TAG_SEQUENCE);
    }
    OPENSSL_free(sig);
    msg_buf_cleanup(&creq);
    OSSL_CRMF_MSG_free(m);
    X509_NAME_free(name);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    if (st != CMC_OK) {
        msg_buf_cleanup(&msg);
        return st;
    }
    return msg_buf_finish(&msg, out, out_len);
}

cmc_status cmc_crmf_build(OSSL_CRMF_MSG **out, EVP_PKEY *key, int64_t cert_req_id,
                          const cmc_req_options *opt) {
    if (out == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    uint8_t *der = NULL;
    size_t der_len = 0;
    CMC_TRY(cmc_crmf_build_der(&der, &der_len, key, cert_req_id, opt));
    const unsigned char *p = der;
    OSSL_CRMF_MSG *m = d2i_OSSL_CRMF_MSG(NULL, &p, (long)der_len);
    OPENSSL_free(der);
    if (m == NULL) {
        CMC_RAISE(CMC_E_DER);
    }
    *out = m;
    return CMC_OK;
}
