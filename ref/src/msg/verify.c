/* verify.c: the generic SignedData verifier shared by the server (requests) and clients
 * (responses): spec/CMC.md §9.1-§9.2 stages 1 (message digest), 2 (content type) and 3
 * (signature, signer identification, path). CMS_verify is not used: it neither compares
 * the content-type attribute with eContentType (§13 item 11) nor handles Ed25519 (item
 * 21), SKI signers without certificates (item 14) or signer-less messages (item 15), and it
 * folds the stages into one error. */
#include <string.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "msg/msg_local.h"

#define MSG_MAX_SIGNER_INFOS 16 /* CMC uses one; bounds the per-signer work */

#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
int cmc_fuzz_skip_crypto_checks;
#endif

void cmc_verified_init(cmc_verified *v) {
    if (v == NULL) {
        return;
    }
    memset(v, 0, sizeof(*v));
    v->ski_key_index = -1;
}

void cmc_verified_cleanup(cmc_verified *v) {
    if (v == NULL) {
        return;
    }
    OPENSSL_free(v->content);
    for (size_t i = 0; v->signers != NULL && i < v->num_signers; i++) {
        X509_ALGOR_free(v->signers[i].digest_alg);
        X509_ALGOR_free(v->signers[i].signature_alg);
        EVP_PKEY_free(v->signers[i].key);
    }
    OPENSSL_free(v->signers);
    sk_X509_pop_free(v->certs, X509_free);
    X509_free(v->signer_cert);
    cmc_verified_init(v);
}

/* Stage of a per-signer result, for "the lowest failing stage wins". */
static int msg_stage_of(cmc_status st) {
    switch (st) {
    case CMC_OK:
        return 4;
    case CMC_E_DIGEST:
    case CMC_E_ALG:
        return 1;
    case CMC_E_CONTENT_TYPE:
        return 2;
    default:
        return 3;
    }
}

/* msg_single_attr finds the one signed attribute |nid| with exactly one value; NULL if it
 * is absent, repeated or multi-valued (RFC 5652 §11: single-valued, once). */
static ASN1_TYPE *msg_single_attr(CMS_SignerInfo *si, int nid) {
    int idx = CMS_signed_get_attr_by_NID(si, nid, -1);
    if (idx < 0 || CMS_signed_get_attr_by_NID(si, nid, idx) >= 0) {
        return NULL;
    }
    X509_ATTRIBUTE *attr = CMS_signed_get_attr(si, idx);
    if (attr == NULL || X509_ATTRIBUTE_count(attr) != 1) {
        return NULL;
    }
    return X509_ATTRIBUTE_get0_type(attr, 0);
}

/* Stage 1: messageDigest == digest(eContent) with the SignerInfo's digest algorithm. */
static cmc_status msg_stage1(CMS_SignerInfo *si, const ASN1_OCTET_STRING *content) {
    X509_ALGOR *dig = NULL;
    X509_ALGOR *sig = NULL;
    CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, &sig);
    const EVP_MD *md = dig != NULL ? EVP_get_digestbyobj(dig->algorithm) : NULL;
    if (md == NULL) {
        MSG_RAISE_DETAIL(CMC_E_ALG, "unknown digest algorithm");
    }
    ASN1_TYPE *v = msg_single_attr(si, NID_pkcs9_messageDigest);
    if (v == NULL || v->type != V_ASN1_OCTET_STRING) {
        CMC_RAISE(CMC_E_DIGEST);
    }
    uint8_t dg[EVP_MAX_MD_SIZE];
    unsigned int dg_len = 0;
    if (EVP_Digest(ASN1_STRING_get0_data(content), (size_t)ASN1_STRING_length(content), dg, &dg_len,
                   md, NULL) != 1) {
        CMC_RAISE(CMC_E_CRYPTO);
    }
    const ASN1_OCTET_STRING *got = v->value.octet_string;
    if (MSG_FUZZ_SKIP_CRYPTO()) {
        return CMC_OK;
    }
    if ((unsigned int)ASN1_STRING_length(got) != dg_len ||
        memcmp(ASN1_STRING_get0_data(got), dg, dg_len) != 0) {
        CMC_RAISE(CMC_E_DIGEST);
    }
    return CMC_OK;
}

/* Stage 2: eContentType is the expected one and the signed contentType attribute equals it. */
static cmc_status msg_stage2(CMS_SignerInfo *si, const ASN1_OBJECT *ect, int ect_ok) {
    if (!ect_ok) {
        MSG_RAISE_DETAIL(CMC_E_CONTENT_TYPE, "eContentType is not the expected content type");
    }
    ASN1_TYPE *v = msg_single_attr(si, NID_pkcs9_contentType);
    if (v == NULL || v->type != V_ASN1_OBJECT) {
        MSG_RAISE_DETAIL(CMC_E_CONTENT_TYPE, "content-type attribute missing or not single");
    }
    if (OBJ_cmp(v->value.object, ect) != 0) {
        MSG_RAISE_DETAIL(CMC_E_CONTENT_TYPE, "content-type attribute differs from eContentType");
    }
    return CMC_OK;
}

/* msg_verify_eddsa checks an RFC 8419 SignerInfo by hand: pure EdDSA over the DER of the
 * signed attributes as SET OF, in the order received (as OpenSSL does for other keys). */
static cmc_status msg_verify_eddsa(CMS_SignerInfo *si, EVP_PKEY *key) {
    X509_ALGOR *sig_alg = NULL;
    CMS_SignerInfo_get0_algs(si, NULL, NULL, NULL, &sig_alg);
    if (sig_alg == NULL || OBJ_obj2nid(sig_alg->algorithm) != EVP_PKEY_get_id(key)) {
        CMC_RAISE(CMC_E_SIGNATURE);
    }
    msg_buf attrs;
    msg_buf_init(&attrs);
    int n = CMS_signed_get_attr_count(si);
    for (int i = 0; i < n; i++) {
        MSG_BUF_PUT_I2D(&attrs, i2d_X509_ATTRIBUTE, CMS_signed_get_attr(si, i));
    }
    msg_buf_wrap(&attrs, MSG_TAG_SET);
    const ASN1_OCTET_STRING *sig = CMS_SignerInfo_get0_signature(si);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = msg_buf_ok(&attrs) && ctx != NULL && sig != NULL &&
             EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) == 1 &&
             EVP_DigestVerify(ctx, ASN1_STRING_get0_data(sig), (size_t)ASN1_STRING_length(sig),
                              attrs.p, attrs.len) == 1;
    EVP_MD_CTX_free(ctx);
    msg_buf_cleanup(&attrs);
    if (!ok) {
        CMC_RAISE(CMC_E_SIGNATURE);
    }
    return CMC_OK;
}

static cmc_status msg_verify_sig(CMS_SignerInfo *si, X509 *cert, EVP_PKEY *key) {
    EVP_PKEY *pk = cert != NULL ? X509_get0_pubkey(cert) : key;
    if (pk == NULL) {
        CMC_RAISE(CMC_E_SIGNATURE);
    }
    if (MSG_FUZZ_SKIP_CRYPTO()) {
        return CMC_OK;
    }
    if (msg_is_eddsa(pk)) {
        return msg_verify_eddsa(si, pk);
    }
    /* OpenSSL handles RSA (PKCS#1 v1.5 and PSS parameters) and ECDSA; it needs an X509,
     * so an SKI key gets a throw-away one (spec/CMC.md §13 item 14). */
    X509 *tmp = NULL;
    if (cert == NULL) {
        tmp = X509_new();
        if (tmp == NULL || !X509_set_pubkey(tmp, key)) {
            X509_free(tmp);
            CMC_RAISE(CMC_E_NOMEM);
        }
    }
    CMS_SignerInfo_set1_signer_cert(si, cert != NULL ? cert : tmp);
    int ok = CMS_SignerInfo_verify(si);
    X509_free(tmp);
    if (ok != 1) {
        CMC_RAISE(CMC_E_SIGNATURE);
    }
    return CMC_OK;
}

static int msg_has_eku(X509 *cert, const char *oid) {
    ASN1_OBJECT *want = OBJ_txt2obj(oid, 1);
    EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(cert, NID_ext_key_usage, NULL, NULL);
    int found = 0;
    for (int i = 0; want != NULL && eku != NULL && i < sk_ASN1_OBJECT_num(eku); i++) {
        if (OBJ_cmp(sk_ASN1_OBJECT_value(eku, i), want) == 0) {
            found = 1;
        }
    }
    EXTENDED_KEY_USAGE_free(eku);
    ASN1_OBJECT_free(want);
    return found;
}

static cmc_status msg_check_path(X509 *cert, STACK_OF(X509) *chain, const cmc_verify_options *opt) {
    if (opt->trust == NULL) {
        MSG_RAISE_DETAIL(CMC_E_SIGNER_UNTRUSTED, "no trust anchors");
    }
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    if (ctx == NULL || !X509_STORE_CTX_init(ctx, opt->trust, cert, chain)) {
        X509_STORE_CTX_free(ctx);
        CMC_RAISE(CMC_E_NOMEM);
    }
    /* spec/CMC.md §13 item 13: any purpose; our own EKU policy below. */
    X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_ANY);
    X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx),
                               (time_t)(opt->verify_time != 0 ? opt->verify_time : msg_time_now()));
    int ok = X509_verify_cert(ctx);
    int err = X509_STORE_CTX_get_error(ctx);
    X509_STORE_CTX_free(ctx);
    if (ok != 1) {
        cmc_status st = CMC_E_SIGNER_UNTRUSTED;
        if (err == X509_V_ERR_CERT_HAS_EXPIRED) {
            st = CMC_E_SIGNER_EXPIRED;
        } else if (err == X509_V_ERR_CERT_NOT_YET_VALID) {
            st = CMC_E_SIGNER_NOT_YET_VALID;
        }
        cmc_status r = cmc_error_raise(st, __FILE__, __LINE__);
        cmc_error_set_detail("%s", X509_verify_cert_error_string(err));
        return r;
    }
    if (opt->required_eku != NULL && !msg_has_eku(cert, opt->required_eku)) {
        cmc_status r = cmc_error_raise(CMC_E_SIGNER_UNTRUSTED, __FILE__, __LINE__);
        cmc_error_set_detail("signer certificate lacks EKU %s", opt->required_eku);
        return r;
    }
    return CMC_OK;
}

/* The certificates of a SignedData, as DER slices into the message: the verifier decodes
 * them itself (msg_strip_certs) instead of letting the CMS decoder do it. */
typedef struct {
    uint8_t *der; /* the ContentInfo without SignedData.certificates; owned */
    size_t der_len;
    const uint8_t *cert[CMC_MAX_CERTS_PER_SIGNED_DATA];
    size_t cert_len[CMC_MAX_CERTS_PER_SIGNED_DATA];
    size_t num;
} msg_stripped;

/* msg_child reads the element at |*off| of the content |c|/|c_len| into |t| and advances
 * |*off|; 0 at the end, on an indefinite length or on a bad header. */
static int msg_child(msg_tlv *t, const uint8_t *c, size_t c_len, size_t *off) {
    if (*off >= c_len || msg_tlv_read(t, c + *off, c_len - *off) != CMC_OK || t->indefinite) {
        return 0;
    }
    *off += t->hdr_len + t->len;
    return 1;
}

/* msg_strip_certs: for a definite-length ContentInfo/SignedData |in| whose certificates
 * [0] are all plain Certificates (at most CMC_MAX_CERTS_PER_SIGNED_DATA), fills |sp| with
 * the message minus that field and the certificate slices, and returns 1. Returns 0 when
 * the shortcut does not apply (no certificates, BER, other CertificateChoices, more
 * certificates than the limit): the caller then decodes |in| as it is, and the CMS decoder
 * reports what is wrong. Removing the certificates does not touch what the SignerInfos
 * sign (RFC 5652 §5.4). */
static int msg_strip_certs(msg_stripped *sp, const uint8_t *in, size_t in_len) {
    memset(sp, 0, sizeof(*sp));
    msg_tlv ci, oid, expl, sd, f;
    size_t off = 0;
    if (!msg_child(&ci, in, in_len, &off) || ci.id != 0x30 || off != in_len) {
        return 0;
    }
    const uint8_t *c = in + ci.hdr_len;
    size_t o = 0;
    if (!msg_child(&oid, c, ci.len, &o) || oid.id != 0x06 || !msg_child(&expl, c, ci.len, &o) ||
        expl.id != 0xA0 || o != ci.len) {
        return 0;
    }
    const uint8_t *oid_p = c;
    size_t oid_total = oid.hdr_len + oid.len;
    const uint8_t *e = c + oid_total + expl.hdr_len;
    size_t eo = 0;
    if (!msg_child(&sd, e, expl.len, &eo) || sd.id != 0x30 || eo != expl.len) {
        return 0;
    }
    const uint8_t *sdc = e + sd.hdr_len;
    size_t so = 0, certs_at = 0, certs_total = 0;
    int found = 0;
    while (so < sd.len) {
        size_t at = so;
        if (!msg_child(&f, sdc, sd.len, &so)) {
            return 0;
        }
        if (f.id == 0xA0 && !found) {
            found = 1;
            certs_at = at;
            certs_total = f.hdr_len + f.len;
            const uint8_t *cc = sdc + at + f.hdr_len;
            size_t co = 0;
            msg_tlv cert;
            while (co < f.len) {
                size_t cat = co;
                if (sp->num == CMC_MAX_CERTS_PER_SIGNED_DATA || !msg_child(&cert, cc, f.len, &co) ||
                    cert.id != 0x30) {
                    return 0;
                }
                sp->cert[sp->num] = cc + cat;
                sp->cert_len[sp->num] = cert.hdr_len + cert.len;
                sp->num++;
            }
        }
    }
    if (!found) {
        return 0;
    }
    msg_buf b;
    msg_buf_init(&b);
    msg_buf_put(&b, sdc, certs_at);
    msg_buf_put(&b, sdc + certs_at + certs_total, sd.len - certs_at - certs_total);
    msg_buf_wrap(&b, 0x30);
    msg_buf_wrap(&b, 0xA0);
    msg_buf ciw;
    msg_buf_init(&ciw);
    msg_buf_put(&ciw, oid_p, oid_total);
    msg_buf_put(&ciw, b.p, b.len);
    ciw.err |= b.err;
    msg_buf_cleanup(&b);
    msg_buf_wrap(&ciw, 0x30);
    if (!msg_buf_ok(&ciw)) {
        msg_buf_cleanup(&ciw);
        memset(sp, 0, sizeof(*sp));
        return 0;
    }
    sp->der = ciw.p;
    sp->der_len = ciw.len;
    return 1;
}

/* msg_cert_serial_is: the certificate DER |der| has the serial number of |x| (compared
 * before whole encodings, so a verifier with many known certificates encodes one). */
static int msg_cert_serial_is(const uint8_t *der, size_t der_len, X509 *x) {
    msg_tlv cert, tbs, t;
    size_t off = 0;
    if (!msg_child(&cert, der, der_len, &off)) {
        return 0;
    }
    const uint8_t *tc = der + cert.hdr_len;
    off = 0;
    if (!msg_child(&tbs, tc, cert.len, &off)) {
        return 0;
    }
    const uint8_t *f = tc + tbs.hdr_len;
    off = 0;
    if (!msg_child(&t, f, tbs.len, &off)) {
        return 0;
    }
    size_t at = 0;
    if (t.id == 0xA0) { /* version [0] EXPLICIT */
        at = off;
        if (!msg_child(&t, f, tbs.len, &off)) {
            return 0;
        }
    }
    const unsigned char *p = f + at;
    ASN1_INTEGER *serial = d2i_ASN1_INTEGER(NULL, &p, (long)(t.hdr_len + t.len));
    int same = serial != NULL && ASN1_INTEGER_cmp(serial, X509_get0_serialNumber(x)) == 0;
    ASN1_INTEGER_free(serial);
    ERR_clear_error();
    return same;
}

/* msg_resolve_cert: |*out| is the known certificate equal byte for byte to |der|
 * (up-ref'd), else |der| decoded in full (key included). CMC_E_DER if it does not decode
 * or has bytes after it. */
static cmc_status msg_resolve_cert(X509 **out, const uint8_t *der, size_t der_len,
                                   STACK_OF(X509) *known) {
    for (int j = 0; j < sk_X509_num(known); j++) {
        X509 *k = sk_X509_value(known, j);
        if (!msg_cert_serial_is(der, der_len, k)) {
            continue;
        }
        unsigned char *kd = NULL;
        int kl = i2d_X509(k, &kd);
        int same = kl > 0 && (size_t)kl == der_len && memcmp(kd, der, der_len) == 0;
        OPENSSL_free(kd);
        if (same && X509_up_ref(k)) {
            *out = k;
            return CMC_OK;
        }
    }
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)der_len);
    if (x == NULL || p != der + der_len) { /* e.g. a key with bytes after it */
        X509_free(x);
        CMC_RAISE(CMC_E_DER);
    }
    *out = x;
    return CMC_OK;
}

/* msg_resolve_certs: |*out| (new) holds, in message order, the certificates of |sp| (if
 * |sp| is set) or of |cms| (decoded without keys by msg_parse_cms_ex), each resolved by
 * msg_resolve_cert. */
static cmc_status msg_resolve_certs(STACK_OF(X509) **out, const msg_stripped *sp,
                                    CMS_ContentInfo *cms, STACK_OF(X509) *known) {
    STACK_OF(X509) *raw = sp == NULL ? CMS_get1_certs(cms) : NULL;
    int num = sp != NULL ? (int)sp->num : sk_X509_num(raw);
    if (num > CMC_MAX_CERTS_PER_SIGNED_DATA) {
        sk_X509_pop_free(raw, X509_free);
        CMC_RAISE(CMC_E_LIMIT);
    }
    STACK_OF(X509) *res = sk_X509_new_reserve(NULL, num > 0 ? num : 1);
    if (res == NULL) {
        sk_X509_pop_free(raw, X509_free);
        CMC_RAISE(CMC_E_NOMEM);
    }
    cmc_status st = CMC_OK;
    for (int i = 0; i < num && st == CMC_OK; i++) {
        X509 *use = NULL;
        if (sp != NULL) {
            st = msg_resolve_cert(&use, sp->cert[i], sp->cert_len[i], known);
        } else {
            unsigned char *der = NULL;
            int len = i2d_X509(sk_X509_value(raw, i), &der);
            st = len > 0 ? msg_resolve_cert(&use, der, (size_t)len, known)
                         : cmc_error_raise(CMC_E_DER, __FILE__, __LINE__);
            OPENSSL_free(der);
        }
        if (st == CMC_OK && !sk_X509_push(res, use)) {
            X509_free(use);
            st = cmc_error_raise(CMC_E_NOMEM, __FILE__, __LINE__);
        }
    }
    sk_X509_pop_free(raw, X509_free);
    if (st != CMC_OK) {
        sk_X509_pop_free(res, X509_free);
        return st;
    }
    *out = res;
    return CMC_OK;
}

/* Stage 3 for one SignerInfo: find the signer, check the signature, then the path. */
static cmc_status msg_stage3(X509 **out_cert, long *out_key, EVP_PKEY **out_pkey,
                             CMS_SignerInfo *si, STACK_OF(X509) *all,
                             const cmc_verify_options *opt) {
    X509 *cert = NULL;
    for (int i = 0; i < sk_X509_num(all); i++) {
        if (CMS_SignerInfo_cert_cmp(si, sk_X509_value(all, i)) == 0) {
            cert = sk_X509_value(all, i);
            break;
        }
    }
    long key_index = -1;
    ASN1_OCTET_STRING *keyid = NULL;
    X509_NAME *issuer = NULL;
    ASN1_INTEGER *sno = NULL;
    if (cert == NULL && CMS_SignerInfo_get0_signer_id(si, &keyid, &issuer, &sno) == 1 &&
        keyid != NULL) {
        for (size_t i = 0; i < opt->num_ski_keys && key_index < 0; i++) {
            uint8_t ski[CMC_SKI_LEN];
            const uint8_t *id = ski;
            size_t id_len = sizeof(ski);
            if (opt->ski_key_ids != NULL && opt->ski_key_ids[i] != NULL) {
                id = opt->ski_key_ids[i];
                id_len = opt->ski_key_id_lens != NULL ? opt->ski_key_id_lens[i] : 0;
            } else if (opt->ski_keys[i] == NULL || cmc_key_ski(ski, opt->ski_keys[i]) != CMC_OK) {
                continue;
            }
            if ((size_t)ASN1_STRING_length(keyid) == id_len &&
                memcmp(ASN1_STRING_get0_data(keyid), id, id_len) == 0 && opt->ski_keys[i] != NULL) {
                key_index = (long)i;
            }
        }
    }
    if (cert == NULL && key_index < 0) {
        cmc_status r = cmc_error_raise(CMC_E_SIGNER_UNTRUSTED, __FILE__, __LINE__);
        cmc_error_set_detail("signer certificate or key not found");
        return r;
    }
    EVP_PKEY *key = key_index >= 0 ? opt->ski_keys[key_index] : X509_get0_pubkey(cert);
    CMC_TRY(msg_verify_sig(si, cert, key_index >= 0 ? opt->ski_keys[key_index] : NULL));
    *out_cert = cert;
    *out_key = key_index;
    if (key != NULL && EVP_PKEY_up_ref(key)) {
        *out_pkey = key;
    }
    if (cert != NULL && !(opt->flags & CMC_VERIFY_NO_CHAIN)) {
        CMC_TRY(msg_check_path(cert, all, opt));
    }
    return CMC_OK;
}

cmc_status cmc_signed_data_verify(cmc_verified *out, const uint8_t *in, size_t in_len,
                                  const cmc_verify_options *opt) {
    static const cmc_verify_options kDefault = {0};
    if (out == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    if (opt == NULL) {
        opt = &kDefault;
    }
    if (opt->num_ski_keys > 0 && opt->ski_keys == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    cmc_verified_cleanup(out);
    CMS_ContentInfo *cms = NULL;
    /* A request's certificates are usually the officer's, which the server already holds
     * (opt->known): take them out before the CMS decoder sees them and decode only the
     * unknown ones. Otherwise decode with raw keys and resolve afterwards. */
    msg_stripped *sp = OPENSSL_malloc(sizeof(*sp));
    if (sp == NULL) {
        CMC_RAISE(CMC_E_NOMEM);
    }
    int stripped = msg_strip_certs(sp, in, in_len);
    cmc_status st =
        msg_parse_cms_ex(&cms, stripped ? sp->der : in, stripped ? sp->der_len : in_len, 1);
    if (st != CMC_OK) {
        OPENSSL_free(sp->der);
        OPENSSL_free(sp);
        return st;
    }
    ASN1_OBJECT *expected = NULL;
    STACK_OF(X509) *all = NULL;
    if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
        st = cmc_error_raise(CMC_E_NOT_CMC, __FILE__, __LINE__);
        goto done;
    }
    st = msg_resolve_certs(&out->certs, stripped ? sp : NULL, cms, opt->known);
    if (st != CMC_OK) {
        goto done;
    }
    const ASN1_OBJECT *ect = CMS_get0_eContentType(cms);
    msg_obj_to_txt(out->econtent_type, sizeof(out->econtent_type), ect);
    ASN1_OCTET_STRING **pos = CMS_get0_content(cms);
    if (pos == NULL || *pos == NULL) {
        st = cmc_error_raise(CMC_E_DETACHED, __FILE__, __LINE__);
        goto done;
    }
    const ASN1_OCTET_STRING *content = *pos;
    out->content_len = (size_t)ASN1_STRING_length(content);
    out->content = OPENSSL_memdup(out->content_len ? ASN1_STRING_get0_data(content)
                                                   : (const unsigned char *)"",
                                  out->content_len ? out->content_len : 1);
    if (out->content == NULL) {
        st = cmc_error_raise(CMC_E_NOMEM, __FILE__, __LINE__);
        goto done;
    }
    expected = OBJ_txt2obj(
        opt->expected_content_type != NULL ? opt->expected_content_type : CMC_OID_CCT_PKI_DATA, 1);
    if (expected == NULL) {
        st = cmc_error_raise(CMC_E_ARG, __FILE__, __LINE__);
        goto done;
    }
    int ect_ok = ect != NULL && OBJ_cmp(ect, expected) == 0;
    STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
    int n = sk_CMS_SignerInfo_num(sis);
    out->num_signers = n > 0 ? (size_t)n : 0;
    if (n <= 0) {
        st = cmc_error_raise(ect_ok ? CMC_E_UNSIGNED : CMC_E_CONTENT_TYPE, __FILE__, __LINE__);
        goto done;
    }
    if (n > MSG_MAX_SIGNER_INFOS) {
        st = cmc_error_raise(CMC_E_LIMIT, __FILE__, __LINE__);
        goto done;
    }
    out->signers = OPENSSL_zalloc(sizeof(*out->signers) * (size_t)n);
    if (out->signers == NULL) {
        st = cmc_error_raise(CMC_E_NOMEM, __FILE__, __LINE__);
        goto done;
    }
    for (int i = 0; i < n; i++) {
        X509_ALGOR *dig = NULL;
        X509_ALGOR *sig = NULL;
        CMS_SignerInfo_get0_algs(sk_CMS_SignerInfo_value(sis, i), NULL, NULL, &dig, &sig);
        out->signers[i].digest_alg = dig != NULL ? X509_ALGOR_dup(dig) : NULL;
        out->signers[i].signature_alg = sig != NULL ? X509_ALGOR_dup(sig) : NULL;
        if ((dig != NULL && out->signers[i].digest_alg == NULL) ||
            (sig != NULL && out->signers[i].signature_alg == NULL)) {
            st = cmc_error_raise(CMC_E_NOMEM, __FILE__, __LINE__);
            goto done;
        }
    }
    all = sk_X509_dup(out->certs);
    for (int i = 0; all != NULL && opt->untrusted != NULL && i < sk_X509_num(opt->untrusted); i++) {
        if (!sk_X509_push(all, sk_X509_value(opt->untrusted, i))) {
            sk_X509_free(all);
            all = NULL;
        }
    }
    if (all == NULL) {
        st = cmc_error_raise(CMC_E_NOMEM, __FILE__, __LINE__);
        goto done;
    }
    /* Every SignerInfo must pass; across them the lowest failing stage is reported, and
     * among equal stages the first signer's error. */
    cmc_status worst = CMC_OK;
    cmc_error_record worst_rec;
    memset(&worst_rec, 0, sizeof(worst_rec));
    for (int i = 0; i < n; i++) {
        CMS_SignerInfo *si = sk_CMS_SignerInfo_value(sis, i);
        X509 *cert = NULL;
        long key_index = -1;
        /* The SKIP flags exist only for the reference server's fault injection. */
        cmc_status s = (opt->flags & CMC_VERIFY_SKIP_DIGEST) ? CMC_OK : msg_stage1(si, content);
        if (s == CMC_OK && !(opt->flags & CMC_VERIFY_SKIP_CONTENT_TYPE)) {
            s = msg_stage2(si, ect, ect_ok);
        }
        if (s == CMC_OK) {
            s = msg_stage3(&cert, &key_index, &out->signers[i].key, si, all, opt);
        }
        if (s != CMC_OK && msg_stage_of(s) < msg_stage_of(worst)) {
            worst = s;
            worst_rec = *cmc_error_last();
        }
        if (i == 0) {
            if (cert != NULL) { /* found and its signature verified */
                X509_up_ref(cert);
                out->signer_cert = cert;
            }
            out->ski_key_index = key_index;
            ASN1_TYPE *t = msg_single_attr(si, NID_pkcs9_signingTime);
            if (t != NULL && (t->type == V_ASN1_UTCTIME || t->type == V_ASN1_GENERALIZEDTIME) &&
                msg_asn1_time_to_unix(&out->signing_time, t->value.utctime)) {
                out->has_signing_time = 1;
            }
        }
    }
    st = worst;
    if (st != CMC_OK) {
        st = cmc_error_raise(worst, worst_rec.file, worst_rec.line);
        cmc_error_set_detail("%s", worst_rec.detail);
    }
done:
    sk_X509_free(all);
    ASN1_OBJECT_free(expected);
    CMS_ContentInfo_free(cms);
    OPENSSL_free(sp->der);
    OPENSSL_free(sp);
    return st;
}
