/* sign.c: CMS SignedData encoding (RFC 5652 §5; spec/CMC.md §9.1, §13 items 15, 16, 21):
 * signed requests and responses, the unsigned SignedData, certs-only, and the fault
 * injection the vector generator needs. Every SignerInfo is written by hand, for every
 * algorithm: OpenSSL 3.0's CMS layer cannot sign with Ed25519, and its pipeline cannot
 * produce a messageDigest or content-type attribute that is wrong but validly signed. */
#include <string.h>

#include <openssl/cms.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "internal.h"
#include "msg/msg_local.h"

#define MSG_OID_CONTENT_TYPE "1.2.840.113549.1.9.3"
#define MSG_OID_MESSAGE_DIGEST "1.2.840.113549.1.9.4"
#define MSG_OID_SIGNING_TIME "1.2.840.113549.1.9.5"
#define MSG_MAX_SIGNERS 16 /* more SignerInfos than any CMC use needs; bounds arrays */

/* msg_put_attr appends Attribute ::= SEQUENCE { attrType, attrValues SET { |value| } }. */
static void msg_put_attr(msg_buf *b, const char *oid, const msg_buf *value) {
    msg_buf a;
    msg_buf_init(&a);
    msg_buf_put_oid(&a, oid);
    msg_buf_put_tlv(&a, MSG_TAG_SET, value->p, value->len);
    a.err |= value->err;
    msg_buf_put_tlv(b, MSG_TAG_SEQUENCE, a.p, a.len);
    b->err |= a.err;
    msg_buf_cleanup(&a);
}

static int msg_key_is_rsa(const EVP_PKEY *key) {
    int id = EVP_PKEY_get_id(key);
    return id == EVP_PKEY_RSA || id == EVP_PKEY_RSA_PSS;
}

/* msg_signer_md: the digest of the SignerInfo (RFC 8419 §3: SHA-512 for Ed25519). */
static const EVP_MD *msg_signer_md(const cmc_signer *s) {
    if (s->md != NULL) {
        return s->md;
    }
    if (msg_is_eddsa(s->key)) {
        return EVP_sha512();
    }
    return cmc_default_md(s->key);
}

/* msg_signer_info writes one SignerInfo into |si| and its digestAlgorithm into |dig_alg|. */
static cmc_status msg_signer_info(msg_buf *si, msg_buf *dig_alg, const cmc_signer *s,
                                  const char *ect, const uint8_t *content, size_t content_len,
                                  int64_t signing_time) {
    if (s->key == NULL || (s->sid == CMC_SID_ISSUER_SERIAL && s->cert == NULL) ||
        (s->sid != CMC_SID_ISSUER_SERIAL && s->sid != CMC_SID_SKI)) {
        CMC_RAISE(CMC_E_ARG);
    }
    const EVP_MD *md = msg_signer_md(s);
    if (md == NULL) {
        CMC_RAISE(CMC_E_ALG);
    }
    int pss = s->rsa_pss || EVP_PKEY_get_id(s->key) == EVP_PKEY_RSA_PSS;
    if (pss && !msg_key_is_rsa(s->key)) {
        CMC_RAISE(CMC_E_ARG);
    }
    uint8_t dg[EVP_MAX_MD_SIZE];
    unsigned int dg_len = 0;
    if (EVP_Digest(content, content_len, dg, &dg_len, md, NULL) != 1) {
        CMC_RAISE(CMC_E_CRYPTO);
    }
    if (s->faults & CMC_FAULT_WRONG_MESSAGE_DIGEST) {
        dg[dg_len - 1] ^= 0x01;
    }

    /* Signed attributes, each a separate encoding so they can be DER-sorted. */
    msg_buf attrs[3];
    size_t num_attrs = 0;
    msg_buf v;
    msg_buf_init(&v);
    if (!(s->faults & CMC_FAULT_OMIT_CONTENT_TYPE_ATTR)) {
        const char *ct = ect;
        if (s->faults & CMC_FAULT_CONTENT_TYPE_ATTR_OTHER) {
            ct = s->fault_content_type != NULL ? s->fault_content_type : MSG_OID_DATA;
        }
        msg_buf_put_oid(&v, ct);
        msg_buf_init(&attrs[num_attrs]);
        msg_put_attr(&attrs[num_attrs++], MSG_OID_CONTENT_TYPE, &v);
        msg_buf_cleanup(&v);
    }
    if (!(s->faults & CMC_FAULT_OMIT_SIGNING_TIME)) {
        msg_buf_put_time(&v, signing_time);
        msg_buf_init(&attrs[num_attrs]);
        msg_put_attr(&attrs[num_attrs++], MSG_OID_SIGNING_TIME, &v);
        msg_buf_cleanup(&v);
    }
    if (!(s->faults & CMC_FAULT_OMIT_MESSAGE_DIGEST_ATTR)) {
        msg_buf_put_tlv(&v, MSG_TAG_OCTET_STRING, dg, dg_len);
        msg_buf_init(&attrs[num_attrs]);
        msg_put_attr(&attrs[num_attrs++], MSG_OID_MESSAGE_DIGEST, &v);
        msg_buf_cleanup(&v);
    }
    msg_buf set;
    msg_buf_init(&set);
    msg_der_put_sorted(&set, attrs, num_attrs);
    for (size_t i = 0; i < num_attrs; i++) {
        msg_buf_cleanup(&attrs[i]);
    }
    /* RFC 5652 §5.4: the signature covers the DER of SET OF Attribute (tag 0x31). */
    msg_buf_wrap(&set, MSG_TAG_SET);
    if (!msg_buf_ok(&set)) {
        msg_buf_cleanup(&set);
        CMC_RAISE(CMC_E_NOMEM);
    }
    uint8_t *sig = NULL;
    size_t sig_len = 0;
    cmc_status st = msg_sign_bytes(&sig, &sig_len, s->key, msg_is_eddsa(s->key) ? NULL : md, pss,
                                   s->sign_ctx, set.p, set.len);
    if (st != CMC_OK) {
        msg_buf_cleanup(&set);
        return st;
    }
    if ((s->faults & CMC_FAULT_FLIP_SIGNATURE) && sig_len > 0) {
        sig[sig_len - 1] ^= 0x01;
    }

    /* SignerInfo ::= SEQUENCE { version, sid, digestAlgorithm, [0] signedAttrs,
     *     signatureAlgorithm, signature } */
    msg_buf body;
    msg_buf_init(&body);
    if (s->sid == CMC_SID_ISSUER_SERIAL) {
        msg_buf_put_int64(&body, MSG_TAG_INTEGER, 1);
        msg_buf ias;
        msg_buf_init(&ias);
        MSG_BUF_PUT_I2D(&ias, i2d_X509_NAME, X509_get_issuer_name(s->cert));
        MSG_BUF_PUT_I2D(&ias, i2d_ASN1_INTEGER, X509_get0_serialNumber(s->cert));
        msg_buf_wrap(&ias, MSG_TAG_SEQUENCE);
        body.err |= ias.err;
        msg_buf_put(&body, ias.p, ias.len);
        msg_buf_cleanup(&ias);
    } else {
        msg_buf_put_int64(&body, MSG_TAG_INTEGER, 3);
        uint8_t ski[CMC_SKI_LEN];
        const uint8_t *id = s->ski;
        size_t id_len = s->ski_len;
        const ASN1_OCTET_STRING *cert_ski =
            s->cert != NULL ? X509_get0_subject_key_id(s->cert) : NULL;
        if (id == NULL && cert_ski != NULL) {
            id = ASN1_STRING_get0_data(cert_ski);
            id_len = (size_t)ASN1_STRING_length(cert_ski);
        }
        if (id == NULL) {
            if (cmc_key_ski(ski, s->key) != CMC_OK) {
                body.err = 1;
            }
            id = ski;
            id_len = sizeof(ski);
        }
        msg_buf_put_tlv(&body, MSG_TAG_CTX_PRIM(0), id, id_len);
    }
    msg_put_md_alg(&body, md);
    {
        /* [0] IMPLICIT SET OF: same content octets as the signed SET, tag 0xA0. */
        msg_tlv t;
        if (msg_tlv_read(&t, set.p, set.len) != CMC_OK) {
            body.err = 1;
        } else {
            msg_buf_put_tlv(&body, MSG_TAG_CTX_CONS(0), set.p + t.hdr_len, t.len);
        }
    }
    msg_put_sig_alg(&body, s->key, msg_is_eddsa(s->key) ? NULL : md, pss);
    msg_buf_put_tlv(&body, MSG_TAG_OCTET_STRING, sig, sig_len);
    msg_buf_wrap(&body, MSG_TAG_SEQUENCE);
    OPENSSL_free(sig);
    msg_buf_cleanup(&set);

    msg_put_md_alg(dig_alg, md);
    if (!msg_buf_ok(&body) || !msg_buf_ok(dig_alg)) {
        msg_buf_cleanup(&body);
        CMC_RAISE(CMC_E_NOMEM);
    }
    *si = body;
    return CMC_OK;
}

/* msg_put_unique appends |item| to |items| unless an equal encoding is already there
 * (takes ownership of |item| either way). */
static void msg_put_unique(msg_buf *items, size_t *num, msg_buf *item) {
    for (size_t i = 0; i < *num; i++) {
        if (items[i].len == item->len && memcmp(items[i].p, item->p, item->len) == 0) {
            msg_buf_cleanup(item);
            return;
        }
    }
    items[(*num)++] = *item;
    msg_buf_init(item);
}

typedef struct {
    const char *ect;        /* eContentType */
    const uint8_t *content; /* NULL: no eContent */
    size_t content_len;
    int version;
    int ber;
} msg_sd_shape;

/* msg_signed_data_encode assembles ContentInfo { signedData, SignedData } from parts. */
static cmc_status msg_signed_data_encode(uint8_t **out, size_t *out_len, const msg_sd_shape *sh,
                                         msg_buf *dig_algs, size_t num_dig_algs, msg_buf *certs,
                                         size_t num_certs, msg_buf *sis, size_t num_sis) {
    msg_buf sd;
    msg_buf tmp;
    msg_buf_init(&sd);
    msg_buf_init(&tmp);
    msg_buf_put_int64(&sd, MSG_TAG_INTEGER, sh->version);
    msg_der_put_sorted(&tmp, dig_algs, num_dig_algs);
    msg_buf_put_tlv(&sd, MSG_TAG_SET, tmp.p, tmp.len);
    msg_buf_cleanup(&tmp);

    /* EncapsulatedContentInfo ::= SEQUENCE { eContentType, eContent [0] EXPLICIT OCTET
     * STRING OPTIONAL } */
    msg_buf_put_oid(&tmp, sh->ect);
    if (sh->content != NULL) {
        msg_buf oct;
        msg_buf_init(&oct);
        if (sh->ber) {
            msg_buf segs;
            msg_buf_init(&segs);
            for (size_t off = 0; off < sh->content_len; off += MSG_BER_CHUNK) {
                size_t n = sh->content_len - off;
                n = n > MSG_BER_CHUNK ? MSG_BER_CHUNK : n;
                msg_buf_put_tlv(&segs, MSG_TAG_OCTET_STRING, sh->content + off, n);
            }
            msg_buf_put_indef(&oct, 0x24, segs.p, segs.len);
            oct.err |= segs.err;
            msg_buf_cleanup(&segs);
            msg_buf_put_indef(&tmp, MSG_TAG_CTX_CONS(0), oct.p, oct.len);
        } else {
            msg_buf_put_tlv(&oct, MSG_TAG_OCTET_STRING, sh->content, sh->content_len);
            msg_buf_put_tlv(&tmp, MSG_TAG_CTX_CONS(0), oct.p, oct.len);
        }
        tmp.err |= oct.err;
        msg_buf_cleanup(&oct);
    }
    if (sh->ber) {
        msg_buf_put_indef(&sd, MSG_TAG_SEQUENCE, tmp.p, tmp.len);
    } else {
        msg_buf_put_tlv(&sd, MSG_TAG_SEQUENCE, tmp.p, tmp.len);
    }
    sd.err |= tmp.err;
    msg_buf_cleanup(&tmp);

    if (num_certs > 0) {
        msg_der_put_sorted(&tmp, certs, num_certs);
        msg_buf_put_tlv(&sd, MSG_TAG_CTX_CONS(0), tmp.p, tmp.len);
        msg_buf_cleanup(&tmp);
    }
    msg_der_put_sorted(&tmp, sis, num_sis);
    msg_buf_put_tlv(&sd, MSG_TAG_SET, tmp.p, tmp.len);
    sd.err |= tmp.err;
    msg_buf_cleanup(&tmp);

    msg_buf ci;
    msg_buf_init(&ci);
    msg_buf_put_oid(&ci, MSG_OID_SIGNED_DATA);
    if (sh->ber) {
        msg_buf_put_indef(&tmp, MSG_TAG_SEQUENCE, sd.p, sd.len);
        msg_buf_put_indef(&ci, MSG_TAG_CTX_CONS(0), tmp.p, tmp.len);
        ci.err |= tmp.err | sd.err;
        msg_buf_cleanup(&tmp);
        msg_buf_cleanup(&sd);
        msg_buf_put_indef(&tmp, MSG_TAG_SEQUENCE, ci.p, ci.len);
    } else {
        msg_buf_wrap(&sd, MSG_TAG_SEQUENCE);
        msg_buf_put_tlv(&ci, MSG_TAG_CTX_CONS(0), sd.p, sd.len);
        ci.err |= sd.err;
        msg_buf_cleanup(&sd);
        msg_buf_put_tlv(&tmp, MSG_TAG_SEQUENCE, ci.p, ci.len);
    }
    tmp.err |= ci.err;
    msg_buf_cleanup(&ci);
    return msg_buf_finish(&tmp, out, out_len);
}

static void msg_cleanup_all(msg_buf *items, size_t num) {
    for (size_t i = 0; i < num; i++) {
        msg_buf_cleanup(&items[i]);
    }
}

static cmc_status msg_collect_cert(msg_buf *certs, size_t *num, X509 *cert) {
    if (*num >= CMC_MAX_CERTS_PER_SIGNED_DATA) {
        CMC_RAISE(CMC_E_LIMIT);
    }
    msg_buf c;
    msg_buf_init(&c);
    MSG_BUF_PUT_I2D(&c, i2d_X509, cert);
    if (!msg_buf_ok(&c)) {
        msg_buf_cleanup(&c);
        CMC_RAISE(CMC_E_DER);
    }
    msg_put_unique(certs, num, &c);
    return CMC_OK;
}

cmc_status cmc_signed_data_sign(uint8_t **out, size_t *out_len, const uint8_t *content,
                                size_t content_len, const cmc_signer *signers, size_t num_signers,
                                const cmc_sign_options *opt) {
    static const cmc_sign_options kDefault = {0};
    if (opt == NULL) {
        opt = &kDefault;
    }
    if (out == NULL || out_len == NULL || (content == NULL && content_len > 0) ||
        (signers == NULL && num_signers > 0)) {
        CMC_RAISE(CMC_E_ARG);
    }
    if (num_signers > MSG_MAX_SIGNERS || content_len > (size_t)CMC_MAX_MESSAGE_BYTES) {
        CMC_RAISE(CMC_E_LIMIT);
    }
    if ((opt->faults & CMC_SFAULT_MODIFY_CONTENT) && content_len == 0) {
        CMC_RAISE(CMC_E_ARG); /* nothing to modify */
    }
    const char *ect = opt->econtent_type != NULL ? opt->econtent_type : CMC_OID_CCT_PKI_DATA;
    int64_t t = opt->signing_time != 0 ? opt->signing_time : msg_time_now();
    static const uint8_t kEmpty[1] = {0};

    msg_buf sis[MSG_MAX_SIGNERS];
    msg_buf dig_algs[MSG_MAX_SIGNERS];
    msg_buf certs[CMC_MAX_CERTS_PER_SIGNED_DATA];
    size_t num_sis = 0;
    size_t num_dig = 0;
    size_t num_certs = 0;
    cmc_status st = CMC_OK;
    int any_ski = 0;
    for (size_t i = 0; i < num_signers && st == CMC_OK; i++) {
        msg_buf dig;
        msg_buf_init(&dig);
        msg_buf_init(&sis[num_sis]);
        st = msg_signer_info(&sis[num_sis], &dig, &signers[i], ect,
                             content != NULL ? content : kEmpty, content_len, t);
        if (st == CMC_OK) {
            num_sis++;
            msg_put_unique(dig_algs, &num_dig, &dig);
            any_ski |= signers[i].sid == CMC_SID_SKI;
            if (signers[i].include_cert && signers[i].cert != NULL) {
                st = msg_collect_cert(certs, &num_certs, signers[i].cert);
            }
        }
        msg_buf_cleanup(&dig);
    }
    for (int i = 0; st == CMC_OK && opt->certs != NULL && i < sk_X509_num(opt->certs); i++) {
        st = msg_collect_cert(certs, &num_certs, sk_X509_value(opt->certs, i));
    }
    uint8_t *copy = NULL;
    if (st == CMC_OK && (opt->faults & CMC_SFAULT_MODIFY_CONTENT)) {
        copy = OPENSSL_memdup(content, content_len);
        if (copy == NULL) {
            st = CMC_E_NOMEM;
        } else {
            copy[content_len - 1] ^= 0x01; /* after the digests were taken: stage 1 */
        }
    }
    if (st == CMC_OK) {
        msg_sd_shape sh;
        sh.ect = ect;
        sh.content = (opt->faults & CMC_SFAULT_DETACHED) ? NULL
                     : copy != NULL                      ? copy
                     : content != NULL                   ? content
                                                         : kEmpty;
        sh.content_len = content_len;
        /* RFC 5652 §5.1: version 3 for non-data content or any v3 SignerInfo (always for
         * CMC, including the unsigned revocation: spec/CMC.md §13 item 15). */
        sh.version = (strcmp(ect, MSG_OID_DATA) == 0 && !any_ski) ? 1 : 3;
        if (opt->faults & CMC_SFAULT_VERSION_1) {
            sh.version = 1;
        }
        sh.ber = (opt->faults & CMC_SFAULT_BER) != 0;
        st = msg_signed_data_encode(out, out_len, &sh, dig_algs, num_dig, certs, num_certs, sis,
                                    num_sis);
    }
    OPENSSL_free(copy);
    msg_cleanup_all(sis, num_sis);
    msg_cleanup_all(dig_algs, num_dig);
    msg_cleanup_all(certs, num_certs);
    return st;
}

/* ---- Simple PKI Response ---- */

cmc_status cmc_certs_only_build(uint8_t **out, size_t *out_len, STACK_OF(X509) *certs) {
    if (out == NULL || out_len == NULL || certs == NULL || sk_X509_num(certs) <= 0) {
        CMC_RAISE(CMC_E_ARG);
    }
    msg_buf items[CMC_MAX_CERTS_PER_SIGNED_DATA];
    size_t num = 0;
    cmc_status st = CMC_OK;
    for (int i = 0; st == CMC_OK && i < sk_X509_num(certs); i++) {
        st = msg_collect_cert(items, &num, sk_X509_value(certs, i));
    }
    if (st == CMC_OK) {
        /* RFC 5272 §4.1: version 1, no digestAlgorithms, id-data without eContent. */
        msg_sd_shape sh = {MSG_OID_DATA, NULL, 0, 1, 0};
        st = msg_signed_data_encode(out, out_len, &sh, NULL, 0, items, num, NULL, 0);
    }
    msg_cleanup_all(items, num);
    return st;
}

cmc_status msg_parse_cms_ex(CMS_ContentInfo **out, const uint8_t *in, size_t in_len, int raw_keys) {
    CMC_TRY(msg_check_outer(in, in_len));
    const unsigned char *p = in;
    /* Raw keys: ASN1_item_d2i_ex leaves the CMS library context unset (the default one),
     * unlike d2i_CMS_ContentInfo, so the SignerInfos still verify with the default
     * provider; only the keys of the certificates stay undecoded. */
    CMS_ContentInfo *cms = raw_keys ? (CMS_ContentInfo *)ASN1_item_d2i_ex(
                                          NULL, &p, (long)in_len, ASN1_ITEM_rptr(CMS_ContentInfo),
                                          cmc_raw_key_libctx(), NULL)
                                    : d2i_CMS_ContentInfo(NULL, &p, (long)in_len);
    if (cms == NULL) {
        CMC_RAISE(CMC_E_DER);
    }
    if ((size_t)(p - in) != in_len) {
        CMS_ContentInfo_free(cms);
        CMC_RAISE(CMC_E_TRAILING);
    }
    *out = cms;
    return CMC_OK;
}

cmc_status msg_parse_cms(CMS_ContentInfo **out, const uint8_t *in, size_t in_len) {
    return msg_parse_cms_ex(out, in, in_len, 0);
}

cmc_status cmc_certs_only_parse(STACK_OF(X509) **out, const uint8_t *in, size_t in_len) {
    if (out == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    CMS_ContentInfo *cms = NULL;
    CMC_TRY(msg_parse_cms(&cms, in, in_len));
    cmc_status st = CMC_OK;
    ASN1_OCTET_STRING **pos = NULL;
    if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
        st = CMC_E_NOT_CMC;
    } else if (sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(cms)) > 0 ||
               ((pos = CMS_get0_content(cms)) != NULL && *pos != NULL)) {
        st = CMC_E_NOT_CMC; /* a signed message, not certs-only */
    }
    STACK_OF(X509) *certs = NULL;
    if (st == CMC_OK) {
        certs = CMS_get1_certs(cms);
        if (certs == NULL) {
            certs = sk_X509_new_null();
            if (certs == NULL) {
                st = CMC_E_NOMEM;
            }
        } else if (sk_X509_num(certs) > CMC_MAX_CERTS_PER_SIGNED_DATA) {
            st = CMC_E_LIMIT;
        }
    }
    CMS_ContentInfo_free(cms);
    if (st != CMC_OK) {
        sk_X509_pop_free(certs, X509_free);
        CMC_RAISE(st);
    }
    *out = certs;
    return CMC_OK;
}

cmc_status cmc_pkix_cert_encode(uint8_t **out, size_t *out_len, const X509 *cert) {
    if (out == NULL || out_len == NULL || cert == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    msg_buf b;
    msg_buf_init(&b);
    MSG_BUF_PUT_I2D(&b, i2d_X509, cert);
    return msg_buf_finish(&b, out, out_len);
}

cmc_status cmc_pkix_cert_parse(X509 **out, const uint8_t *in, size_t in_len) {
    if (out == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    CMC_TRY(msg_check_outer(in, in_len));
    const unsigned char *p = in;
    X509 *cert = d2i_X509(NULL, &p, (long)in_len);
    if (cert == NULL) {
        CMC_RAISE(CMC_E_DER);
    }
    if ((size_t)(p - in) != in_len) {
        X509_free(cert);
        CMC_RAISE(CMC_E_TRAILING);
    }
    *out = cert;
    return CMC_OK;
}
