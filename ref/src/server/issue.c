/* issue.c: certificate issuance and the request-side policy of the reference server: the
 * signature algorithm and key policy (for the PKCS#10 signature, the CRMF POP and the CMS
 * SignerInfo), the CRMF template key and POP algorithm, extension filtering, and 128-bit
 * serial numbers. The POP itself is checked by the message layer (cmc_p10_verify_pop,
 * cmc_crmf_verify_pop in cmc/msg.h: one codec).
 * RFC 5272 §3.2.1.2.1, §3.2.1.2.2, §6.3; spec/CMC.md §9.4, §13 item 18. */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crmf.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "asn1/cmc_tlv.h"
#include "cmc/msg.h"
#include "server/server_local.h"

/* Serial number size: 128 random bits, top bit cleared so the INTEGER stays positive and
 * 16 octets long (RFC 5280 §4.1.2.2 allows up to 20; CA/B BR ask for >= 64 random bits). */
#define CMC_SERIAL_BYTES 16
/* Smallest RSA modulus we certify (RFC 5274bis algorithm floor is RSA-2048 with SHA-256). */
#define CMC_MIN_RSA_BITS 2048

/* key_family: which CMC_SIG_* bits a key could be used with. */
static unsigned key_family(const EVP_PKEY *key) {
    switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS:
        if (EVP_PKEY_get_bits(key) < CMC_MIN_RSA_BITS) {
            return 0;
        }
        return CMC_SIG_RSA_SHA256 | CMC_SIG_RSA_SHA384 | CMC_SIG_RSA_SHA512 |
               CMC_SIG_RSA_PSS_SHA256 | CMC_SIG_RSA_PSS_SHA384 | CMC_SIG_RSA_PSS_SHA512;
    case EVP_PKEY_EC: {
        char curve[64];
        size_t n = 0;
        if (!EVP_PKEY_get_utf8_string_param(key, "group", curve, sizeof(curve), &n)) {
            ERR_clear_error();
            return 0;
        }
        if (strcmp(curve, "prime256v1") == 0 || strcmp(curve, "P-256") == 0) {
            return CMC_SIG_ECDSA_P256;
        }
        if (strcmp(curve, "secp384r1") == 0 || strcmp(curve, "P-384") == 0) {
            return CMC_SIG_ECDSA_P384;
        }
        return 0;
    }
    case EVP_PKEY_ED25519:
        return CMC_SIG_ED25519;
    default:
        return 0;
    }
}

int cmc_server_key_allowed(const cmc_server_config *cfg, const EVP_PKEY *key) {
    return (key_family(key) & cfg->sig_algs) != 0;
}

static int pss_md_nid(const X509_ALGOR *alg) {
    const ASN1_OBJECT *obj;
    int ptype;
    const void *pval;
    X509_ALGOR_get0(&obj, &ptype, &pval, alg);
    if (ptype != V_ASN1_SEQUENCE) {
        return NID_undef;
    }
    const ASN1_STRING *seq = pval;
    const unsigned char *p = ASN1_STRING_get0_data(seq);
    RSA_PSS_PARAMS *pss = d2i_RSA_PSS_PARAMS(NULL, &p, ASN1_STRING_length(seq));
    if (pss == NULL) {
        ERR_clear_error();
        return NID_undef;
    }
    int nid = pss->hashAlgorithm == NULL ? NID_sha1 : OBJ_obj2nid(pss->hashAlgorithm->algorithm);
    RSA_PSS_PARAMS_free(pss);
    return nid;
}

/* cmc_server_sig_alg_allowed: is the signature algorithm |alg| by key |key| in policy? */
int cmc_server_sig_alg_allowed(const cmc_server_config *cfg, const X509_ALGOR *alg,
                               const EVP_PKEY *key) {
    const ASN1_OBJECT *obj;
    X509_ALGOR_get0(&obj, NULL, NULL, alg);
    unsigned fam = key_family(key);
    unsigned bit = 0;
    switch (OBJ_obj2nid(obj)) {
    case NID_sha256WithRSAEncryption:
        bit = CMC_SIG_RSA_SHA256;
        break;
    case NID_sha384WithRSAEncryption:
        bit = CMC_SIG_RSA_SHA384;
        break;
    case NID_sha512WithRSAEncryption:
        bit = CMC_SIG_RSA_SHA512;
        break;
    case NID_rsassaPss:
        switch (pss_md_nid(alg)) {
        case NID_sha256:
            bit = CMC_SIG_RSA_PSS_SHA256;
            break;
        case NID_sha384:
            bit = CMC_SIG_RSA_PSS_SHA384;
            break;
        case NID_sha512:
            bit = CMC_SIG_RSA_PSS_SHA512;
            break;
        default:
            break;
        }
        break;
    case NID_ecdsa_with_SHA256:
    case NID_ecdsa_with_SHA384:
    case NID_ecdsa_with_SHA512:
        bit = fam & (CMC_SIG_ECDSA_P256 | CMC_SIG_ECDSA_P384);
        break;
    case NID_ED25519:
        bit = CMC_SIG_ED25519;
        break;
    default:
        break;
    }
    return bit != 0 && (bit & fam) != 0 && (bit & cfg->sig_algs) != 0;
}

static unsigned rsa_bit(int md_nid, int pss) {
    switch (md_nid) {
    case NID_sha256:
        return pss ? CMC_SIG_RSA_PSS_SHA256 : CMC_SIG_RSA_SHA256;
    case NID_sha384:
        return pss ? CMC_SIG_RSA_PSS_SHA384 : CMC_SIG_RSA_SHA384;
    case NID_sha512:
        return pss ? CMC_SIG_RSA_PSS_SHA512 : CMC_SIG_RSA_SHA512;
    default:
        return 0;
    }
}

/* cmc_server_cms_alg_allowed: is a CMS SignerInfo's digestAlgorithm + signatureAlgorithm,
 * verified with |key|, in policy? The digest must be SHA-256/384/512 (RFC 5754); a
 * signature OID that names a hash (sha256WithRSAEncryption, ecdsa-with-SHA384, the PSS
 * hashAlgorithm) must name the same one; Ed25519 needs SHA-512 (RFC 8419 §3). The key
 * itself must be of an allowed type and size (key_family). */
int cmc_server_cms_alg_allowed(const cmc_server_config *cfg, const X509_ALGOR *digest_alg,
                               const X509_ALGOR *sig_alg, const EVP_PKEY *key) {
    if (digest_alg == NULL || sig_alg == NULL || key == NULL) {
        return 0;
    }
    const ASN1_OBJECT *dobj = NULL, *sobj = NULL;
    X509_ALGOR_get0(&dobj, NULL, NULL, digest_alg);
    X509_ALGOR_get0(&sobj, NULL, NULL, sig_alg);
    int md = OBJ_obj2nid(dobj);
    if (md != NID_sha256 && md != NID_sha384 && md != NID_sha512) {
        return 0;
    }
    int sig = OBJ_obj2nid(sobj);
    unsigned fam = key_family(key);
    unsigned bit = 0;
    int sig_md = NID_undef, pkey = NID_undef;
    if (sig == NID_rsaEncryption) {
        bit = rsa_bit(md, 0); /* RFC 3370 §3.2: the digest is digestAlgorithm */
    } else if (sig == NID_rsassaPss) {
        bit = pss_md_nid(sig_alg) == md ? rsa_bit(md, 1) : 0;
    } else if (sig == NID_X9_62_id_ecPublicKey) {
        bit = fam & (CMC_SIG_ECDSA_P256 | CMC_SIG_ECDSA_P384); /* RFC 5753 §2.1.1 allows it */
    } else if (sig == NID_ED25519) {
        bit = md == NID_sha512 ? CMC_SIG_ED25519 : 0;
    } else if (OBJ_find_sigid_algs(sig, &sig_md, &pkey) && sig_md == md) {
        if (pkey == NID_rsaEncryption) {
            bit = rsa_bit(md, 0);
        } else if (pkey == NID_X9_62_id_ecPublicKey) {
            bit = fam & (CMC_SIG_ECDSA_P256 | CMC_SIG_ECDSA_P384);
        }
    }
    return bit != 0 && (bit & fam) != 0 && (bit & cfg->sig_algs) != 0;
}

/* ---- CRMF helpers (OpenSSL 3.0 has no accessor for the template's public key) ---- */

/* child_of: find the first direct child with identifier |id| inside the element at |in|. */
static int child_of(const uint8_t *in, size_t in_len, uint8_t id, const uint8_t **out,
                    size_t *out_len) {
    cmc_tlv t;
    if (cmc_tlv_header(&t, in, in_len) != CMC_OK || t.indefinite) {
        return 0;
    }
    size_t off = t.hdr_len, end = t.hdr_len + t.len;
    while (off < end) {
        cmc_tlv c;
        if (cmc_tlv_header(&c, in + off, end - off) != CMC_OK || c.indefinite) {
            return 0;
        }
        if (c.id == id) {
            *out = in + off;
            *out_len = c.hdr_len + c.len;
            return 1;
        }
        off += c.hdr_len + c.len;
    }
    return 0;
}

cmc_status cmc_server_crmf_public_key(EVP_PKEY **out, const OSSL_CRMF_MSG *crm) {
    uint8_t *der = NULL;
    int len = i2d_OSSL_CRMF_CERTTEMPLATE(OSSL_CRMF_MSG_get0_tmpl(crm), &der);
    if (len <= 0) {
        ERR_clear_error();
        CMC_RAISE(CMC_E_DER);
    }
    const uint8_t *spki;
    size_t spki_len;
    cmc_status st = CMC_OK;
    /* publicKey [6] IMPLICIT SubjectPublicKeyInfo (RFC 4211 §5): constructed, 0xA6. */
    if (!child_of(der, (size_t)len, 0xA6, &spki, &spki_len)) {
        st = cmc_error_raise(CMC_E_NOT_FOUND, __FILE__, __LINE__);
    } else {
        uint8_t *copy = OPENSSL_memdup(spki, spki_len);
        if (copy == NULL) {
            st = cmc_error_raise(CMC_E_NOMEM, __FILE__, __LINE__);
        } else {
            copy[0] = 0x30;
            EVP_PKEY *k = NULL;
            if (cmc_spki_der_get1_pkey(&k, copy, spki_len) != CMC_OK) {
                ERR_clear_error();
                st = cmc_error_raise(CMC_E_DER, __FILE__, __LINE__);
            } else {
                *out = k;
            }
            OPENSSL_free(copy);
        }
    }
    OPENSSL_free(der);
    return st;
}

cmc_status cmc_server_crmf_pop_alg(X509_ALGOR **out, const OSSL_CRMF_MSG *crm) {
    uint8_t *der = NULL;
    int len = i2d_OSSL_CRMF_MSG(crm, &der);
    if (len <= 0) {
        ERR_clear_error();
        CMC_RAISE(CMC_E_DER);
    }
    /* popo [1] POPOSigningKey (implicit): { poposkInput [0] OPTIONAL, algorithmIdentifier,
     * signature } - the first SEQUENCE child is the algorithm (RFC 4211 §4.1). */
    const uint8_t *popo, *alg;
    size_t popo_len, alg_len;
    cmc_status st = CMC_OK;
    if (!child_of(der, (size_t)len, 0xA1, &popo, &popo_len) ||
        !child_of(popo, popo_len, 0x30, &alg, &alg_len)) {
        st = cmc_error_raise(CMC_E_NOT_FOUND, __FILE__, __LINE__);
    } else {
        const uint8_t *p = alg;
        X509_ALGOR *a = d2i_X509_ALGOR(NULL, &p, (long)alg_len);
        if (a == NULL || p != alg + alg_len) {
            X509_ALGOR_free(a);
            ERR_clear_error();
            st = cmc_error_raise(CMC_E_DER, __FILE__, __LINE__);
        } else {
            *out = a;
        }
    }
    OPENSSL_free(der);
    return st;
}

/* ---- Issuance ---- */

/* copy_allowed_extensions: the request's extensions the CA honours (RFC 5272 §3.1 lets it
 * drop requested extensions but not change their intent): subjectAltName, extendedKeyUsage,
 * and keyUsage unless it asks for keyCertSign or cRLSign (we never issue CA certificates).
 * Everything else is dropped. */
static int copy_allowed_extensions(X509 *x, const STACK_OF(X509_EXTENSION) *exts) {
    for (int i = 0; i < sk_X509_EXTENSION_num(exts); i++) {
        X509_EXTENSION *e = sk_X509_EXTENSION_value(exts, i);
        int nid = OBJ_obj2nid(X509_EXTENSION_get_object(e));
        if (nid == NID_key_usage) {
            ASN1_BIT_STRING *ku = X509V3_EXT_d2i(e);
            int ca_bits =
                ku == NULL || ASN1_BIT_STRING_get_bit(ku, 5) || ASN1_BIT_STRING_get_bit(ku, 6);
            ASN1_BIT_STRING_free(ku);
            ERR_clear_error();
            if (ca_bits) {
                continue;
            }
        } else if (nid != NID_subject_alt_name && nid != NID_ext_key_usage) {
            continue;
        }
        if (X509_get_ext_by_NID(x, nid, -1) >= 0) {
            continue; /* first occurrence wins; a duplicate would make the cert invalid */
        }
        if (!X509_add_ext(x, e, -1)) {
            return 0;
        }
    }
    return 1;
}

/* add_fixed_extensions adds, in this order, what the CA puts in every certificate:
 * basicConstraints critical CA:FALSE, subjectKeyIdentifier = SHA-1 of the key bits (RFC 5280
 * §4.2.1.2 method 1) and authorityKeyIdentifier = the CA's SKI (§4.2.1.1). Built directly:
 * the same DER as X509V3_EXT_conf_nid("critical,CA:FALSE" / "hash" / "keyid:always") without
 * its config parsing (about 1% of an enrollment, issue 8). */
static int add_fixed_extensions(X509 *x, const X509 *ca) {
    /* X509_get0_subject_key_id is not const-correct; it only reads the cached extensions. */
    const ASN1_OCTET_STRING *ca_ski = X509_get0_subject_key_id((X509 *)ca);
    const unsigned char *bits = NULL;
    int bits_len = 0;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    if (ca_ski == NULL ||
        !X509_PUBKEY_get0_param(NULL, &bits, &bits_len, NULL, X509_get_X509_PUBKEY(x)) ||
        !EVP_Digest(bits, (size_t)bits_len, md, &md_len, EVP_sha1(), NULL)) {
        return 0;
    }
    BASIC_CONSTRAINTS *bc = BASIC_CONSTRAINTS_new();
    ASN1_OCTET_STRING *ski = ASN1_OCTET_STRING_new();
    AUTHORITY_KEYID *aki = AUTHORITY_KEYID_new();
    int ok = bc != NULL && ski != NULL && aki != NULL &&
             ASN1_OCTET_STRING_set(ski, md, (int)md_len) &&
             (aki->keyid = ASN1_OCTET_STRING_dup(ca_ski)) != NULL &&
             X509_add1_ext_i2d(x, NID_basic_constraints, bc, 1, X509V3_ADD_APPEND) == 1 &&
             X509_add1_ext_i2d(x, NID_subject_key_identifier, ski, 0, X509V3_ADD_APPEND) == 1 &&
             X509_add1_ext_i2d(x, NID_authority_key_identifier, aki, 0, X509V3_ADD_APPEND) == 1;
    BASIC_CONSTRAINTS_free(bc);
    ASN1_OCTET_STRING_free(ski);
    AUTHORITY_KEYID_free(aki);
    return ok;
}

/* copy_spki sets the subjectPublicKeyInfo of |x| to a copy of |spki|: algorithm, parameters
 * and key bits as received, no re-encoding. X509_set_pubkey would run the key through
 * OpenSSL 3.0's provider encoder and then decode it again, which `cmckit bench` profiling
 * (callgrind) showed to be ~20% of the CPU time of an enrollment. Returns 0 for a parameter
 * type it does not copy; the caller then falls back to X509_set_pubkey. */
static int copy_spki(X509 *x, const X509_PUBKEY *spki) {
    const unsigned char *bits = NULL;
    int bits_len = 0;
    X509_ALGOR *alg = NULL;
    if (!X509_PUBKEY_get0_param(NULL, &bits, &bits_len, &alg, spki) || alg == NULL ||
        bits_len < 0) {
        return 0;
    }
    const ASN1_OBJECT *aobj = NULL;
    int ptype = V_ASN1_UNDEF;
    const void *pval = NULL;
    X509_ALGOR_get0(&aobj, &ptype, &pval, alg);
    void *pv = NULL;
    if (ptype == V_ASN1_OBJECT) {
        pv = OBJ_dup(pval); /* EC: the named curve */
    } else if (ptype == V_ASN1_SEQUENCE) {
        pv = ASN1_STRING_dup(pval); /* RSA-PSS parameters */
    } else if (ptype != V_ASN1_NULL && ptype != V_ASN1_UNDEF) {
        return 0;
    }
    ASN1_OBJECT *o = OBJ_dup(aobj);
    unsigned char *copy = OPENSSL_memdup(bits, bits_len > 0 ? (size_t)bits_len : 1);
    if (o == NULL || copy == NULL || (pv == NULL && pval != NULL && ptype != V_ASN1_NULL) ||
        !X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(x), o, ptype, pv, copy, bits_len)) {
        ASN1_OBJECT_free(o);
        OPENSSL_free(copy);
        if (ptype == V_ASN1_OBJECT) {
            ASN1_OBJECT_free(pv);
        } else {
            ASN1_STRING_free(pv);
        }
        return 0;
    }
    return 1;
}

static int set_pubkey(X509 *x, EVP_PKEY *pub, const X509_PUBKEY *spki) {
    if (spki != NULL && copy_spki(x, spki)) {
        return 1;
    }
    ERR_clear_error();
    return X509_set_pubkey(x, pub);
}

cmc_status cmc_server_issue(X509 **out, const cmc_server_config *cfg, cmc_drbg *drbg, time_t now,
                            const X509_NAME *subject, EVP_PKEY *pub, const X509_PUBKEY *spki,
                            const STACK_OF(X509_EXTENSION) *exts, const EVP_MD_CTX *sign_ctx) {
    uint8_t serial[CMC_SERIAL_BYTES];
    CMC_TRY(cmc_random_bytes(drbg, serial, sizeof(serial)));
    serial[0] &= 0x7F;
    if (serial[0] == 0) {
        serial[0] = 0x01; /* keep 16 octets: no leading zero to strip */
    }
    X509 *x = X509_new();
    BIGNUM *bn = BN_bin2bn(serial, sizeof(serial), NULL);
    int ok = x != NULL && bn != NULL && X509_set_version(x, X509_VERSION_3) &&
             BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL &&
             X509_set_issuer_name(x, X509_get_subject_name(cfg->ca_cert)) &&
             X509_set_subject_name(x, subject) && set_pubkey(x, pub, spki) &&
             X509_time_adj_ex(X509_getm_notBefore(x), 0, 0, &now) != NULL &&
             X509_time_adj_ex(X509_getm_notAfter(x), (int)cfg->validity_days, 0, &now) != NULL;
    BN_free(bn);
    if (ok) {
        ok = add_fixed_extensions(x, cfg->ca_cert) && copy_allowed_extensions(x, exts);
    }
    if (ok && sign_ctx != NULL) {
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        ok = ctx != NULL && EVP_MD_CTX_copy_ex(ctx, sign_ctx) == 1 && X509_sign_ctx(x, ctx) > 0;
        EVP_MD_CTX_free(ctx);
    } else if (ok) {
        ok = X509_sign(x, cfg->ca_key, cmc_default_md(cfg->ca_key)) > 0;
    }
    if (!ok) {
        X509_free(x);
        CMC_RAISE(CMC_E_CRYPTO);
    }
    *out = x;
    return CMC_OK;
}
