/* dump.c: `cmckit dump` as a library function (cmc/dump.h). Two passes: a small schema
 * walker over the DER (cmc_tlv) that locates the first offset where the bytes stop being
 * the expected CMC/CMS shape and names what was expected there, then OpenSSL decoders and
 * the CMC printers (ref/src/asn1/cmc_print.c) for the tree. spec/CMC.md §1, §2, §9. */
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "asn1/cmc_tlv.h"
#include "cmc/dump.h"
#include "internal.h"

#define ID_BOOLEAN 0x01
#define ID_INTEGER 0x02
#define ID_OCTET_STRING 0x04
#define ID_OCTET_STRING_CONS 0x24
#define ID_OID 0x06
#define ID_SEQUENCE 0x30
#define ID_SET 0x31
#define ID_CTX0_PRIM 0x80
#define ID_CTX0 0xA0
#define ID_CTX1 0xA1
#define ID_CTX2 0xA2

#define DUMP_MAX_PEM_BLOCKS 64 /* a chain file rarely has more than a handful */

typedef struct {
    const uint8_t *base; /* start of the DER being dumped */
    char *err;
    size_t err_len;
    cmc_status st;
    int depth; /* nesting of ContentInfo inside cmsSequence, bounded by CMC_MAX_NESTING */
} dctx;

typedef struct {
    const uint8_t *p;
    size_t len;
} span;

static cmc_status fail(dctx *c, const uint8_t *at, cmc_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static cmc_status fail(dctx *c, const uint8_t *at, cmc_status st, const char *fmt, ...) {
    if (c->st == CMC_OK) {
        char what[200];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof(what), fmt, ap);
        va_end(ap);
        if (c->err != NULL && c->err_len > 0) {
            snprintf(c->err, c->err_len, "offset %zu: expected %s", (size_t)(at - c->base), what);
        }
        c->st = st;
    }
    return st;
}

/* Read the next element of |s| (advancing it); check its identifier against |want| (0 =
 * any). |content| gets the element's content and |elem| the whole element. */
static int next(dctx *c, span *s, uint8_t want, const char *what, span *content, span *elem) {
    char tag[32];
    char found[32];
    if (s->len == 0) {
        fail(c, s->p, CMC_E_DER, "%s (%s), found the end of the enclosing element",
             cmc_tlv_tag_name(want, tag, sizeof(tag)), what);
        return 0;
    }
    cmc_tlv t;
    cmc_status st = cmc_tlv_header(&t, s->p, s->len);
    if (st != CMC_OK) {
        fail(c, s->p, st, "%s (%s) that fits in the enclosing element",
             cmc_tlv_tag_name(want ? want : s->p[0], tag, sizeof(tag)), what);
        return 0;
    }
    if (want != 0 && t.id != want) {
        fail(c, s->p, CMC_E_TAG, "%s (%s), found %s", cmc_tlv_tag_name(want, tag, sizeof(tag)),
             what, cmc_tlv_tag_name(t.id, found, sizeof(found)));
        return 0;
    }
    size_t total = t.hdr_len + t.len;
    if (t.indefinite) {
        if (cmc_tlv_element_len(&total, s->p, s->len) != CMC_OK) {
            fail(c, s->p, CMC_E_TRUNCATED, "end-of-contents of %s (%s)",
                 cmc_tlv_tag_name(t.id, tag, sizeof(tag)), what);
            return 0;
        }
    }
    if (content != NULL) {
        content->p = s->p + t.hdr_len;
        content->len = t.indefinite ? total - t.hdr_len - 2 : t.len;
    }
    if (elem != NULL) {
        elem->p = s->p;
        elem->len = total;
    }
    s->p += total;
    s->len -= total;
    return 1;
}

static int peek(const span *s) {
    return s->len > 0 ? s->p[0] : -1;
}

static int end_of(dctx *c, const span *s, const char *what) {
    if (s->len != 0) {
        char tag[32];
        fail(c, s->p, CMC_E_DER, "the end of %s, found %s", what,
             cmc_tlv_tag_name(s->p[0], tag, sizeof(tag)));
        return 0;
    }
    return 1;
}

/* ---- schema walkers: shape only (tags and nesting), no values ---- */

static int walk_each(dctx *c, span s, uint8_t want, const char *what) {
    while (s.len > 0) {
        if (!next(c, &s, want, what, NULL, NULL)) {
            return 0;
        }
    }
    return 1;
}

/* |cis| (CMC_MAX_BODY_PARTS entries) receives the contentInfo element of each
 * TaggedContentInfo, in order, so nested layers are dumped from the original bytes. */
static int walk_pki(dctx *c, span s, int response, span *cis, size_t *num_cis) {
    span pd;
    span seq;
    if (!next(c, &s, ID_SEQUENCE, response ? "PKIResponse" : "PKIData", &pd, NULL) ||
        !end_of(c, &s, response ? "PKIResponse" : "PKIData")) {
        return 0;
    }
    /* controlSequence: TaggedAttribute ::= SEQUENCE { BodyPartID, OID, SET OF } */
    if (!next(c, &pd, ID_SEQUENCE, "controlSequence", &seq, NULL)) {
        return 0;
    }
    while (seq.len > 0) {
        span ta;
        if (!next(c, &seq, ID_SEQUENCE, "TaggedAttribute", &ta, NULL) ||
            !next(c, &ta, ID_INTEGER, "TaggedAttribute.bodyPartID", NULL, NULL) ||
            !next(c, &ta, ID_OID, "TaggedAttribute.attrType", NULL, NULL) ||
            !next(c, &ta, ID_SET, "TaggedAttribute.attrValues", NULL, NULL) ||
            !end_of(c, &ta, "TaggedAttribute")) {
            return 0;
        }
    }
    if (!response) {
        if (!next(c, &pd, ID_SEQUENCE, "reqSequence", &seq, NULL)) {
            return 0;
        }
        while (seq.len > 0) {
            int id = peek(&seq);
            if (id != ID_CTX0 && id != ID_CTX1 && id != ID_CTX2) {
                char tag[32];
                fail(c, seq.p, CMC_E_TAG, "TaggedRequest tcr [0], crm [1] or orm [2], found %s",
                     cmc_tlv_tag_name((uint8_t)id, tag, sizeof(tag)));
                return 0;
            }
            span tr;
            if (!next(c, &seq, 0, "TaggedRequest", &tr, NULL) ||
                !next(c, &tr, id == ID_CTX1 ? ID_SEQUENCE : ID_INTEGER,
                      id == ID_CTX1 ? "CertReqMsg.certReq" : "TaggedRequest bodyPartID", NULL,
                      NULL)) {
                return 0;
            }
        }
    }
    if (!next(c, &pd, ID_SEQUENCE, "cmsSequence", &seq, NULL)) {
        return 0;
    }
    while (seq.len > 0) {
        span tc;
        if (!next(c, &seq, ID_SEQUENCE, "TaggedContentInfo", &tc, NULL) ||
            !next(c, &tc, ID_INTEGER, "TaggedContentInfo.bodyPartID", NULL, NULL) ||
            !next(c, &tc, ID_SEQUENCE, "TaggedContentInfo.contentInfo", NULL,
                  *num_cis < CMC_MAX_BODY_PARTS ? &cis[*num_cis] : NULL) ||
            !end_of(c, &tc, "TaggedContentInfo")) {
            return 0;
        }
        if (*num_cis >= CMC_MAX_BODY_PARTS) {
            fail(c, tc.p, CMC_E_LIMIT, "at most %d body parts", CMC_MAX_BODY_PARTS);
            return 0;
        }
        (*num_cis)++;
    }
    if (!next(c, &pd, ID_SEQUENCE, "otherMsgSequence", &seq, NULL)) {
        return 0;
    }
    while (seq.len > 0) {
        span om;
        if (!next(c, &seq, ID_SEQUENCE, "OtherMsg", &om, NULL) ||
            !next(c, &om, ID_INTEGER, "OtherMsg.bodyPartID", NULL, NULL) ||
            !next(c, &om, ID_OID, "OtherMsg.otherMsgType", NULL, NULL) ||
            !next(c, &om, 0, "OtherMsg.otherMsgValue", NULL, NULL) || !end_of(c, &om, "OtherMsg")) {
            return 0;
        }
    }
    return end_of(c, &pd, response ? "PKIResponse" : "PKIData");
}

typedef struct {
    span version;     /* SignedData.version INTEGER element */
    span digest_algs; /* SET content */
    span econtent;    /* eContent OCTET STRING content (DER primitive) or empty */
    int has_econtent;
} sd_shape;

static int walk_signed_data(dctx *c, span s, sd_shape *sh) {
    span sd;
    span encap;
    if (!next(c, &s, ID_SEQUENCE, "SignedData", &sd, NULL) ||
        !next(c, &sd, ID_INTEGER, "SignedData.version", NULL, &sh->version) ||
        !next(c, &sd, ID_SET, "SignedData.digestAlgorithms", &sh->digest_algs, NULL) ||
        !walk_each(c, sh->digest_algs, ID_SEQUENCE, "DigestAlgorithmIdentifier") ||
        !next(c, &sd, ID_SEQUENCE, "SignedData.encapContentInfo", &encap, NULL) ||
        !next(c, &encap, ID_OID, "EncapsulatedContentInfo.eContentType", NULL, NULL)) {
        return 0;
    }
    if (encap.len > 0) {
        span ex;
        if (!next(c, &encap, ID_CTX0, "EncapsulatedContentInfo.eContent [0] EXPLICIT", &ex, NULL)) {
            return 0;
        }
        int id = peek(&ex);
        if (!next(c, &ex, id == ID_OCTET_STRING_CONS ? ID_OCTET_STRING_CONS : ID_OCTET_STRING,
                  "eContent OCTET STRING", &sh->econtent, NULL) ||
            !end_of(c, &ex, "eContent")) {
            return 0;
        }
        sh->has_econtent = id == ID_OCTET_STRING ? 1 : 2; /* 2: constructed (BER) */
        if (!end_of(c, &encap, "EncapsulatedContentInfo")) {
            return 0;
        }
    }
    if (peek(&sd) == ID_CTX0) {
        span certs;
        if (!next(c, &sd, ID_CTX0, "SignedData.certificates", &certs, NULL)) {
            return 0;
        }
        while (certs.len > 0) {
            span cert;
            if (!next(c, &certs, ID_SEQUENCE, "Certificate", NULL, &cert)) {
                return 0;
            }
            const uint8_t *p = cert.p;
            X509 *x = d2i_X509(NULL, &p, (long)cert.len);
            X509_free(x);
            if (x == NULL) {
                fail(c, cert.p, CMC_E_DER, "a valid X.509 Certificate (RFC 5280)");
                return 0;
            }
        }
    }
    if (peek(&sd) == ID_CTX1 && !next(c, &sd, ID_CTX1, "SignedData.crls", NULL, NULL)) {
        return 0;
    }
    span sis;
    if (!next(c, &sd, ID_SET, "SignedData.signerInfos", &sis, NULL)) {
        return 0;
    }
    while (sis.len > 0) {
        span si;
        if (!next(c, &sis, ID_SEQUENCE, "SignerInfo", &si, NULL) ||
            !next(c, &si, ID_INTEGER, "SignerInfo.version", NULL, NULL)) {
            return 0;
        }
        int sid = peek(&si);
        if (sid != ID_SEQUENCE && sid != ID_CTX0_PRIM) {
            char tag[32];
            fail(c, si.p, CMC_E_TAG,
                 "SignerInfo.sid issuerAndSerialNumber or [0] subjectKeyIdentifier, found %s",
                 sid < 0 ? "the end of SignerInfo" : cmc_tlv_tag_name((uint8_t)sid, tag, 32));
            return 0;
        }
        if (!next(c, &si, (uint8_t)sid, "SignerInfo.sid", NULL, NULL) ||
            !next(c, &si, ID_SEQUENCE, "SignerInfo.digestAlgorithm", NULL, NULL)) {
            return 0;
        }
        if (peek(&si) == ID_CTX0 && !next(c, &si, ID_CTX0, "SignerInfo.signedAttrs", NULL, NULL)) {
            return 0;
        }
        if (!next(c, &si, ID_SEQUENCE, "SignerInfo.signatureAlgorithm", NULL, NULL) ||
            !next(c, &si, ID_OCTET_STRING, "SignerInfo.signature", NULL, NULL)) {
            return 0;
        }
        if (peek(&si) == ID_CTX1 &&
            !next(c, &si, ID_CTX1, "SignerInfo.unsignedAttrs", NULL, NULL)) {
            return 0;
        }
        if (!end_of(c, &si, "SignerInfo")) {
            return 0;
        }
    }
    return end_of(c, &sd, "SignedData");
}

/*- CertificationRequest ::= SEQUENCE {                           RFC 2986 §4
 *      certificationRequestInfo SEQUENCE { version INTEGER, subject Name,
 *          subjectPKInfo SEQUENCE { algorithm, subjectPublicKey BIT STRING },
 *          attributes [0] IMPLICIT SET OF Attribute },
 *      signatureAlgorithm AlgorithmIdentifier, signature BIT STRING } */
static int walk_pkcs10(dctx *c, span s) {
    span cr;
    span cri;
    span spki;
    if (!next(c, &s, ID_SEQUENCE, "CertificationRequest", &cr, NULL) ||
        !next(c, &cr, ID_SEQUENCE, "certificationRequestInfo", &cri, NULL) ||
        !next(c, &cri, ID_INTEGER, "certificationRequestInfo.version", NULL, NULL) ||
        !next(c, &cri, ID_SEQUENCE, "certificationRequestInfo.subject Name", NULL, NULL) ||
        !next(c, &cri, ID_SEQUENCE, "subjectPKInfo", &spki, NULL) ||
        !next(c, &spki, ID_SEQUENCE, "subjectPKInfo.algorithm", NULL, NULL) ||
        !next(c, &spki, 0x03, "subjectPKInfo.subjectPublicKey", NULL, NULL) ||
        !end_of(c, &spki, "subjectPKInfo") ||
        !next(c, &cri, ID_CTX0, "certificationRequestInfo.attributes [0]", NULL, NULL) ||
        !end_of(c, &cri, "certificationRequestInfo") ||
        !next(c, &cr, ID_SEQUENCE, "signatureAlgorithm", NULL, NULL) ||
        !next(c, &cr, 0x03, "signature", NULL, NULL) || !end_of(c, &cr, "CertificationRequest")) {
        return 0;
    }
    return 1;
}

/*- Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }  RFC 5280
 *  TBSCertificate ::= SEQUENCE { version [0] EXPLICIT OPTIONAL, serialNumber, signature,
 *      issuer, validity, subject, subjectPublicKeyInfo, [1] [2] [3] OPTIONAL } */
static int walk_cert(dctx *c, span s) {
    span cert;
    span tbs;
    if (!next(c, &s, ID_SEQUENCE, "Certificate", &cert, NULL) ||
        !next(c, &cert, ID_SEQUENCE, "tbsCertificate", &tbs, NULL)) {
        return 0;
    }
    if (peek(&tbs) == ID_CTX0 && !next(c, &tbs, ID_CTX0, "tbsCertificate.version", NULL, NULL)) {
        return 0;
    }
    if (!next(c, &tbs, ID_INTEGER, "tbsCertificate.serialNumber", NULL, NULL) ||
        !next(c, &tbs, ID_SEQUENCE, "tbsCertificate.signature", NULL, NULL) ||
        !next(c, &tbs, ID_SEQUENCE, "tbsCertificate.issuer", NULL, NULL) ||
        !next(c, &tbs, ID_SEQUENCE, "tbsCertificate.validity", NULL, NULL) ||
        !next(c, &tbs, ID_SEQUENCE, "tbsCertificate.subject", NULL, NULL) ||
        !next(c, &tbs, ID_SEQUENCE, "tbsCertificate.subjectPublicKeyInfo", NULL, NULL)) {
        return 0;
    }
    return next(c, &cert, ID_SEQUENCE, "signatureAlgorithm", NULL, NULL) &&
           next(c, &cert, 0x03, "signatureValue", NULL, NULL) && end_of(c, &cert, "Certificate");
}

/* ---- printing ---- */

static int pr(BIO *out, int indent, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int pr(BIO *out, int indent, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int ok = cmc_print_indent(out, indent) && BIO_vprintf(out, fmt, ap) >= 0;
    va_end(ap);
    return ok;
}

static void print_cert_line(BIO *out, X509 *x, int indent) {
    pr(out, indent, "subject: ");
    cmc_print_name(out, X509_get_subject_name(x));
    BIO_puts(out, "\n");
    pr(out, indent, "issuer: ");
    cmc_print_name(out, X509_get_issuer_name(x));
    BIO_puts(out, "\n");
    pr(out, indent, "serial: ");
    cmc_print_integer(out, X509_get0_serialNumber(x));
    BIO_puts(out, "\n");
}

static void print_certificate(BIO *out, X509 *x, int indent) {
    print_cert_line(out, x, indent);
    pr(out, indent, "notBefore: ");
    cmc_print_time(out, X509_get0_notBefore(x));
    BIO_puts(out, "\n");
    pr(out, indent, "notAfter: ");
    cmc_print_time(out, X509_get0_notAfter(x));
    BIO_puts(out, "\n");
    EVP_PKEY *pk = X509_get0_pubkey(x);
    const char *kt = pk != NULL ? EVP_PKEY_get0_type_name(pk) : NULL;
    pr(out, indent, "key: %s", kt != NULL ? kt : "(undecodable)");
    if (pk != NULL && EVP_PKEY_get_bits(pk) > 0) {
        BIO_printf(out, " %d bits", EVP_PKEY_get_bits(pk));
    }
    BIO_puts(out, "\n");
    EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
    if (eku != NULL) {
        pr(out, indent, "extendedKeyUsage:");
        for (int i = 0; i < sk_ASN1_OBJECT_num(eku); i++) {
            BIO_puts(out, i ? ", " : " ");
            cmc_print_oid(out, sk_ASN1_OBJECT_value(eku, i));
        }
        BIO_puts(out, "\n");
        EXTENDED_KEY_USAGE_free(eku);
    }
}

/* Prints one attribute value on the current line (no indent, with newline). */
static void print_attr_value(BIO *out, int nid, const ASN1_TYPE *v, int indent) {
    if (nid == NID_pkcs9_messageDigest && v->type == V_ASN1_OCTET_STRING) {
        cmc_print_hex(out, ASN1_STRING_get0_data(v->value.octet_string),
                      (size_t)ASN1_STRING_length(v->value.octet_string));
    } else if (nid == NID_pkcs9_signingTime &&
               (v->type == V_ASN1_UTCTIME || v->type == V_ASN1_GENERALIZEDTIME)) {
        cmc_print_time(out, v->value.utctime);
    } else if (nid != NID_undef && nid == cmc_nid_aa_cmc_unsigned_data() &&
               v->type == V_ASN1_SEQUENCE) {
        CMC_UNSIGNED_DATA *ud = NULL;
        if (cmc_unsigned_data_decode_der(&ud, ASN1_STRING_get0_data(v->value.sequence),
                                         (size_t)ASN1_STRING_length(v->value.sequence)) == CMC_OK) {
            BIO_puts(out, "CMCUnsignedData\n");
            CMC_UNSIGNED_DATA_print(out, ud, indent + 2);
            CMC_UNSIGNED_DATA_free(ud);
            return;
        }
        BIO_puts(out, "(not a valid CMCUnsignedData) ");
        cmc_print_any(out, v);
    } else if (v->type == V_ASN1_OBJECT) {
        cmc_print_oid(out, v->value.object);
    } else {
        cmc_print_any(out, v);
    }
    BIO_puts(out, "\n");
}

static void print_attr(BIO *out, X509_ATTRIBUTE *a, int indent) {
    const ASN1_OBJECT *obj = X509_ATTRIBUTE_get0_object(a);
    int nid = OBJ_obj2nid(obj);
    cmc_print_indent(out, indent);
    if (nid != NID_undef) {
        BIO_printf(out, "%s: ", OBJ_nid2sn(nid));
    } else {
        cmc_print_oid(out, obj);
        BIO_puts(out, ": ");
    }
    int n = X509_ATTRIBUTE_count(a);
    if (n == 1) {
        print_attr_value(out, nid, X509_ATTRIBUTE_get0_type(a, 0), indent);
        return;
    }
    BIO_printf(out, "%d values\n", n);
    for (int k = 0; k < n; k++) {
        cmc_print_indent(out, indent + 2);
        print_attr_value(out, nid, X509_ATTRIBUTE_get0_type(a, k), indent + 2);
    }
}

static cmc_status dump_content_info(dctx *c, BIO *out, span ci_elem, int indent);

static cmc_status dump_pki(dctx *c, BIO *out, span s, int response, int indent) {
    span *cis = OPENSSL_zalloc(sizeof(span) * CMC_MAX_BODY_PARTS);
    size_t num_cis = 0;
    if (cis == NULL) {
        CMC_RAISE(CMC_E_NOMEM);
    }
    if (!walk_pki(c, s, response, cis, &num_cis)) {
        OPENSSL_free(cis);
        return c->st;
    }
    const ASN1_ITEM *it =
        response ? ASN1_ITEM_rptr(CMC_PKI_RESPONSE) : ASN1_ITEM_rptr(CMC_PKI_DATA);
    const uint8_t *p = s.p;
    ASN1_VALUE *v = ASN1_item_d2i(NULL, &p, (long)s.len, it);
    if (v == NULL) {
        unsigned long e = ERR_peek_last_error();
        OPENSSL_free(cis);
        return fail(c, s.p, CMC_E_DER, "a valid %s (%s)", response ? "PKIResponse" : "PKIData",
                    e != 0 ? ERR_reason_error_string(e) : "decode error");
    }
    pr(out, indent, "%s:\n", response ? "PKIResponse" : "PKIData");
    cmc_status rules = response ? cmc_pki_response_check_body_parts((CMC_PKI_RESPONSE *)v)
                                : cmc_pki_data_check_body_parts((CMC_PKI_DATA *)v);
    if (rules != CMC_OK) {
        pr(out, indent + 2, "! violates RFC 5272 §3.2.2: %s (%s)\n", cmc_status_str(rules),
           cmc_status_name(rules));
    }
    if (response) {
        CMC_PKI_RESPONSE_print(out, (CMC_PKI_RESPONSE *)v, indent + 2);
    } else {
        CMC_PKI_DATA_print(out, (CMC_PKI_DATA *)v, indent + 2);
    }
    /* Nested layers: dump every cmsSequence ContentInfo in full (RA batches, §7), from the
     * original bytes so error offsets stay offsets into the input. */
    STACK_OF(CMC_TAGGED_CONTENT_INFO) *cms =
        response ? ((CMC_PKI_RESPONSE *)v)->cmsSequence : ((CMC_PKI_DATA *)v)->cmsSequence;
    cmc_status st = CMC_OK;
    for (int i = 0; st == CMC_OK && i < sk_CMC_TAGGED_CONTENT_INFO_num(cms) && (size_t)i < num_cis;
         i++) {
        CMC_TAGGED_CONTENT_INFO *tci = sk_CMC_TAGGED_CONTENT_INFO_value(cms, i);
        pr(out, indent + 2, "cmsSequence body part ");
        cmc_print_integer(out, tci->bodyPartID);
        BIO_puts(out, ":\n");
        c->depth++;
        st = dump_content_info(c, out, cis[i], indent + 4);
        c->depth--;
    }
    ASN1_item_free(v, it);
    OPENSSL_free(cis);
    return st;
}

static void print_signer(BIO *out, CMS_SignerInfo *si, int idx, int indent) {
    ASN1_OCTET_STRING *keyid = NULL;
    X509_NAME *issuer = NULL;
    ASN1_INTEGER *serial = NULL;
    pr(out, indent, "[%d] sid: ", idx);
    if (CMS_SignerInfo_get0_signer_id(si, &keyid, &issuer, &serial)) {
        if (keyid != NULL) {
            BIO_puts(out, "subjectKeyIdentifier ");
            cmc_print_hex(out, ASN1_STRING_get0_data(keyid), (size_t)ASN1_STRING_length(keyid));
        } else {
            BIO_puts(out, "issuerAndSerialNumber issuer ");
            cmc_print_name(out, issuer);
            BIO_puts(out, ", serial ");
            cmc_print_integer(out, serial);
        }
    }
    BIO_puts(out, "\n");
    X509_ALGOR *dig = NULL;
    X509_ALGOR *sig = NULL;
    CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, &sig);
    pr(out, indent + 4, "digestAlgorithm: ");
    cmc_print_algor(out, dig);
    BIO_puts(out, "\n");
    pr(out, indent + 4, "signatureAlgorithm: ");
    cmc_print_algor(out, sig);
    BIO_puts(out, "\n");
    int ns = CMS_signed_get_attr_count(si);
    pr(out, indent + 4, "signedAttrs: %d\n", ns < 0 ? 0 : ns);
    for (int i = 0; i < ns; i++) {
        print_attr(out, CMS_signed_get_attr(si, i), indent + 6);
    }
    int nu = CMS_unsigned_get_attr_count(si);
    if (nu > 0) {
        pr(out, indent + 4, "unsignedAttrs: %d\n", nu);
        for (int i = 0; i < nu; i++) {
            print_attr(out, CMS_unsigned_get_attr(si, i), indent + 6);
        }
    }
}

static cmc_status dump_signed_data(dctx *c, BIO *out, CMS_ContentInfo *cms, const sd_shape *sh,
                                   int indent) {
    pr(out, indent, "SignedData:\n");
    indent += 2;
    pr(out, indent, "version: ");
    {
        const uint8_t *p = sh->version.p;
        ASN1_INTEGER *v = d2i_ASN1_INTEGER(NULL, &p, (long)sh->version.len);
        cmc_print_integer(out, v);
        ASN1_INTEGER_free(v);
    }
    BIO_puts(out, "\n");
    pr(out, indent, "digestAlgorithms:");
    span algs = sh->digest_algs;
    int first = 1;
    while (algs.len > 0) {
        span el;
        if (!next(c, &algs, ID_SEQUENCE, "DigestAlgorithmIdentifier", NULL, &el)) {
            return c->st;
        }
        const uint8_t *p = el.p;
        X509_ALGOR *a = d2i_X509_ALGOR(NULL, &p, (long)el.len);
        BIO_puts(out, first ? " " : ", ");
        cmc_print_algor(out, a);
        X509_ALGOR_free(a);
        first = 0;
    }
    if (first) {
        BIO_puts(out, " (none)");
    }
    BIO_puts(out, "\n");
    const ASN1_OBJECT *ect = CMS_get0_eContentType(cms);
    pr(out, indent, "encapContentInfo: ");
    cmc_print_oid(out, ect);
    ASN1_OCTET_STRING **pos = CMS_get0_content(cms);
    const ASN1_OCTET_STRING *econtent = pos != NULL ? *pos : NULL;
    if (econtent != NULL) {
        BIO_printf(out, ", eContent %d bytes%s\n", ASN1_STRING_length(econtent),
                   sh->has_econtent == 2 ? " (constructed, BER)" : "");
    } else {
        BIO_puts(out, ", no eContent\n");
    }
    STACK_OF(X509) *certs = CMS_get1_certs(cms);
    pr(out, indent, "certificates: %d\n", certs != NULL ? sk_X509_num(certs) : 0);
    for (int i = 0; i < sk_X509_num(certs); i++) {
        pr(out, indent + 2, "[%d]\n", i);
        print_cert_line(out, sk_X509_value(certs, i), indent + 4);
    }
    sk_X509_pop_free(certs, X509_free);
    STACK_OF(X509_CRL) *crls = CMS_get1_crls(cms);
    pr(out, indent, "crls: %d\n", crls != NULL ? sk_X509_CRL_num(crls) : 0);
    for (int i = 0; i < sk_X509_CRL_num(crls); i++) {
        pr(out, indent + 2, "[%d] issuer: ", i);
        cmc_print_name(out, X509_CRL_get_issuer(sk_X509_CRL_value(crls, i)));
        BIO_puts(out, "\n");
    }
    sk_X509_CRL_pop_free(crls, X509_CRL_free);
    STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
    pr(out, indent, "signerInfos: %d\n", sk_CMS_SignerInfo_num(sis));
    for (int i = 0; i < sk_CMS_SignerInfo_num(sis); i++) {
        print_signer(out, sk_CMS_SignerInfo_value(sis, i), i, indent + 2);
    }
    if (econtent == NULL) {
        if (sk_CMS_SignerInfo_num(sis) == 0) {
            pr(out, indent, "(certs-only: Simple PKI Response, RFC 5272 §4.1)\n");
        }
        return CMC_OK;
    }
    int nid = OBJ_obj2nid(ect);
    span body = {ASN1_STRING_get0_data(econtent), (size_t)ASN1_STRING_length(econtent)};
    if (nid == NID_id_cct_PKIData || nid == NID_id_cct_PKIResponse) {
        /* Offsets inside eContent are reported relative to the whole input when the
         * eContent is a primitive OCTET STRING (DER): its bytes are in place. */
        dctx inner = *c;
        if (sh->has_econtent != 1) {
            inner.base = body.p; /* BER: offsets are into the reassembled eContent */
        } else {
            body.p = sh->econtent.p;
        }
        cmc_status st = dump_pki(&inner, out, body, nid == NID_id_cct_PKIResponse, indent);
        c->st = inner.st;
        return st;
    }
    return CMC_OK;
}

static cmc_status dump_content_info(dctx *c, BIO *out, span ci_elem, int indent) {
    if (c->depth > CMC_MAX_NESTING) {
        return fail(c, ci_elem.p, CMC_E_LIMIT, "at most %d nested ContentInfo layers",
                    CMC_MAX_NESTING);
    }
    span s = ci_elem;
    span ci;
    span ctype;
    if (!next(c, &s, ID_SEQUENCE, "ContentInfo", &ci, NULL) ||
        !next(c, &ci, ID_OID, "ContentInfo.contentType", &ctype, NULL)) {
        return c->st;
    }
    sd_shape sh;
    memset(&sh, 0, sizeof(sh));
    static const uint8_t kSignedData[] = {0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02};
    int is_signed =
        ctype.len == sizeof(kSignedData) && memcmp(ctype.p, kSignedData, sizeof(kSignedData)) == 0;
    if (ci.len > 0) {
        span content;
        if (!next(c, &ci, ID_CTX0, "ContentInfo.content [0] EXPLICIT", &content, NULL) ||
            !end_of(c, &ci, "ContentInfo")) {
            return c->st;
        }
        if (is_signed && !walk_signed_data(c, content, &sh)) {
            return c->st;
        }
    }
    const uint8_t *p = ci_elem.p;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)ci_elem.len);
    if (cms == NULL) {
        unsigned long e = ERR_peek_last_error();
        return fail(c, ci_elem.p, CMC_E_DER, "a valid CMS ContentInfo (%s)",
                    e != 0 ? ERR_reason_error_string(e) : "decode error");
    }
    pr(out, indent, "ContentInfo: ");
    cmc_print_oid(out, CMS_get0_type(cms));
    BIO_puts(out, "\n");
    cmc_status st = CMC_OK;
    int nid = OBJ_obj2nid(CMS_get0_type(cms));
    if (nid == NID_pkcs7_signed) {
        st = dump_signed_data(c, out, cms, &sh, indent + 2);
    } else if (nid == NID_pkcs7_enveloped || nid == NID_id_smime_ct_authData) {
        STACK_OF(CMS_RecipientInfo) *ris = CMS_get0_RecipientInfos(cms);
        pr(out, indent + 2, "%s: recipientInfos %d, encrypted content type ",
           nid == NID_pkcs7_enveloped ? "EnvelopedData" : "AuthenticatedData",
           sk_CMS_RecipientInfo_num(ris));
        cmc_print_oid(out, CMS_get0_eContentType(cms));
        BIO_puts(out, "\n");
    } else if (nid == NID_pkcs7_data) {
        ASN1_OCTET_STRING **pos = CMS_get0_content(cms);
        pr(out, indent + 2, "data: %d bytes\n",
           pos != NULL && *pos != NULL ? ASN1_STRING_length(*pos) : 0);
    }
    CMS_ContentInfo_free(cms);
    return st;
}

/* ---- top level ---- */

typedef enum { K_UNKNOWN, K_CONTENT_INFO, K_PKCS10, K_CERT, K_PKI_DATA, K_PKI_RESPONSE } kind;

/* Classify by the first headers (spec/CMC.md §9.2 step 1). */
static kind classify(const uint8_t *in, size_t len) {
    span s = {in, len};
    span outer;
    dctx quiet = {in, NULL, 0, CMC_OK, 0};
    if (!next(&quiet, &s, ID_SEQUENCE, "", &outer, NULL)) {
        return K_UNKNOWN;
    }
    int first = peek(&outer);
    if (first == ID_OID) {
        return K_CONTENT_INFO;
    }
    if (first != ID_SEQUENCE) {
        return K_UNKNOWN;
    }
    /* Count the SEQUENCE children: 4 -> PKIData, 3 -> PKIResponse (if all SEQUENCE). */
    span probe = outer;
    int n = 0;
    int all_seq = 1;
    span inner;
    span first_inner = {0};
    while (probe.len > 0 && n < 8) {
        int id = peek(&probe);
        if (!next(&quiet, &probe, 0, "", n == 0 ? &first_inner : &inner, NULL)) {
            return K_UNKNOWN;
        }
        all_seq &= id == ID_SEQUENCE;
        n++;
    }
    /* tbsCertificate starts with [0] version (v3) or INTEGER serial followed by a SEQUENCE
     * AlgorithmIdentifier; certificationRequestInfo is INTEGER, Name, SPKI, [0] attrs. */
    int f0 = peek(&first_inner);
    if (f0 == ID_CTX0) {
        return K_CERT;
    }
    if (f0 == ID_INTEGER) {
        /* v1 tbsCertificate: INTEGER serial, then AlgorithmIdentifier (starts with an OID);
         * certificationRequestInfo: INTEGER 0, then Name (starts with a SET, or empty). */
        span t = first_inner;
        span second;
        if (next(&quiet, &t, ID_INTEGER, "", NULL, NULL) &&
            next(&quiet, &t, ID_SEQUENCE, "", &second, NULL) && peek(&second) == ID_OID) {
            return K_CERT;
        }
        return K_PKCS10;
    }
    if (all_seq && n == 4) {
        return K_PKI_DATA;
    }
    if (all_seq && n == 3) {
        return K_PKI_RESPONSE;
    }
    return K_UNKNOWN;
}

static cmc_status dump_der(BIO *out, const uint8_t *in, size_t len, char *err, size_t err_len) {
    dctx c = {in, err, err_len, CMC_OK, 0};
    if (in[0] != ID_SEQUENCE) {
        char tag[32];
        return fail(&c, in, CMC_E_TAG,
                    "SEQUENCE (a ContentInfo, PKCS #10 request or certificate), found %s",
                    cmc_tlv_tag_name(in[0], tag, sizeof(tag)));
    }
    size_t off = 0;
    const char *what = NULL;
    cmc_status st = cmc_tlv_walk(in, len, &off, &what);
    if (st == CMC_E_TRUNCATED) {
        /* Say how long the element claims to be and where the input (or parent) ends. */
        cmc_tlv t;
        char tag[32];
        if (cmc_tlv_header_unbounded(&t, in + off, len - off) == CMC_OK && !t.indefinite) {
            return fail(&c, in + off, st, "%s of %zu content bytes, but only %zu remain",
                        cmc_tlv_tag_name(t.id, tag, sizeof(tag)), t.len,
                        len - off > t.hdr_len ? len - off - t.hdr_len : 0);
        }
    }
    if (st != CMC_OK) {
        return fail(&c, in + off, st, "%s", what);
    }
    kind k = classify(in, len);
    span all = {in, len};
    switch (k) {
    case K_CONTENT_INFO:
        return dump_content_info(&c, out, all, 0);
    case K_PKI_DATA:
        return dump_pki(&c, out, all, 0, 0);
    case K_PKI_RESPONSE:
        return dump_pki(&c, out, all, 1, 0);
    case K_PKCS10: {
        if (!walk_pkcs10(&c, all)) {
            return c.st;
        }
        const uint8_t *p = in;
        X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)len);
        if (req == NULL) {
            return fail(&c, in, CMC_E_DER, "a valid PKCS #10 CertificationRequest (RFC 2986)");
        }
        BIO_puts(out, "CertificationRequest (PKCS #10, Simple PKI Request):\n");
        cmc_print_x509_req(out, req, 2);
        X509_REQ_free(req);
        return CMC_OK;
    }
    case K_CERT: {
        if (!walk_cert(&c, all)) {
            return c.st;
        }
        const uint8_t *p = in;
        X509 *x = d2i_X509(NULL, &p, (long)len);
        if (x == NULL) {
            return fail(&c, in, CMC_E_DER, "a valid X.509 Certificate (RFC 5280)");
        }
        BIO_puts(out, "Certificate:\n");
        print_certificate(out, x, 2);
        X509_free(x);
        return CMC_OK;
    }
    default:
        return fail(&c, in, CMC_E_NOT_CMC,
                    "a ContentInfo, PKCS #10 request, certificate, PKIData or PKIResponse");
    }
}

static int looks_like_pem(const uint8_t *in, size_t len) {
    static const char kBegin[] = "-----BEGIN ";
    if (len > 0 && in[0] == ID_SEQUENCE) {
        return 0;
    }
    for (size_t i = 0; i + sizeof(kBegin) - 1 <= len; i++) {
        if (memcmp(in + i, kBegin, sizeof(kBegin) - 1) == 0) {
            return 1;
        }
    }
    return 0;
}

cmc_status cmc_dump(BIO *out, const uint8_t *in, size_t in_len, char *err, size_t err_len) {
    if (err != NULL && err_len > 0) {
        err[0] = '\0';
    }
    if (out == NULL || (in == NULL && in_len != 0)) {
        CMC_RAISE(CMC_E_ARG);
    }
    if (cmc_init() != CMC_OK) {
        CMC_RAISE(CMC_E_INTERNAL);
    }
    dctx c = {in, err, err_len, CMC_OK, 0};
    if (in_len > (size_t)CMC_MAX_MESSAGE_BYTES) {
        return fail(&c, in, CMC_E_LIMIT, "at most %d bytes", CMC_MAX_MESSAGE_BYTES);
    }
    if (in_len == 0) {
        return fail(&c, in, CMC_E_TRUNCATED, "a DER element, found empty input");
    }
    BIO *mem = BIO_new(BIO_s_mem());
    if (mem == NULL) {
        CMC_RAISE(CMC_E_NOMEM);
    }
    cmc_status st = CMC_OK;
    if (!looks_like_pem(in, in_len)) {
        st = dump_der(mem, in, in_len, err, err_len);
    } else {
        BIO *src = BIO_new_mem_buf(in, (int)in_len);
        int blocks = 0;
        while (st == CMC_OK && src != NULL && blocks < DUMP_MAX_PEM_BLOCKS) {
            char *name = NULL;
            char *header = NULL;
            unsigned char *data = NULL;
            long len = 0;
            if (!PEM_read_bio(src, &name, &header, &data, &len)) {
                ERR_clear_error();
                break;
            }
            BIO_printf(mem, "%s-----%s-----\n", blocks ? "\n" : "", name);
            st = dump_der(mem, data, (size_t)len, err, err_len);
            if (st != CMC_OK && err != NULL && err_len > 0) {
                char tmp[CMC_DUMP_ERR_LEN];
                snprintf(tmp, sizeof(tmp), "PEM block %d (%s): %s", blocks + 1, name, err);
                snprintf(err, err_len, "%s", tmp);
            }
            OPENSSL_free(name);
            OPENSSL_free(header);
            OPENSSL_free(data);
            blocks++;
        }
        BIO_free(src);
        if (st == CMC_OK && blocks == 0) {
            st = fail(&c, in, CMC_E_DER, "a PEM block with valid base64");
        }
    }
    if (st == CMC_OK) {
        char *data = NULL;
        long n = BIO_get_mem_data(mem, &data);
        if (n > 0 && BIO_write(out, data, (int)n) != (int)n) {
            st = CMC_E_IO;
        }
    }
    BIO_free(mem);
    ERR_clear_error();
    return st;
}
