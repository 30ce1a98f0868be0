/* cmc_spki.c: SubjectPublicKeyInfo keys without OpenSSL 3.0's decoder chain.
 *
 * OpenSSL 3.0 decodes the key of every SubjectPublicKeyInfo it meets (X509_PUBKEY's d2i)
 * through OSSL_DECODER_CTX_new_for_pkey, which walks every provider's decoders and key
 * managers on each call: about 100 us per key here, more than an ECDSA verification
 * (issue 8 profile; OpenSSL 3.1+ caches it). A CMC request carries two such keys (the
 * officer certificate and the PKCS#10 key), so the reference server parses with
 * CMC_PARSE_RAW_KEYS: decoding against a library context that holds only the "null"
 * provider leaves each X509_PUBKEY as algorithm + bits (X509_PUBKEY_get0 gives NULL), and
 * cmc_spki_get1_pkey builds the key directly (EVP_PKEY_fromdata / raw keys) for the types
 * CMC requests use, with the same checks the decoder makes (RFC 5480 §2 for EC, RFC 8410
 * §3 for EdDSA, RFC 3279 §2.3.1 for RSA). Other key types take the decoder path. */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/provider.h>
#include <openssl/asn1t.h>
#include <openssl/bn.h>
#include <openssl/x509.h>

#include "internal.h"

/* Largest encoded EC point we build directly (uncompressed P-521: 1 + 2 * 66). */
#define CMC_SPKI_MAX_EC_POINT 133
/* Largest RSA modulus we build directly, in bits; larger keys take the decoder path and
 * meet the key policy there (OpenSSL's own limit is 16384 for verification). */
#define CMC_SPKI_MAX_RSA_BITS 16384

static CRYPTO_ONCE g_raw_once = CRYPTO_ONCE_STATIC_INIT;
static OSSL_LIB_CTX *g_raw_ctx;
static OSSL_PROVIDER *g_raw_null;

static void raw_ctx_free(void) {
    OSSL_PROVIDER_unload(g_raw_null);
    OSSL_LIB_CTX_free(g_raw_ctx);
    g_raw_null = NULL;
    g_raw_ctx = NULL;
}

static void raw_ctx_init(void) {
    OSSL_LIB_CTX *ctx = OSSL_LIB_CTX_new();
    /* Loading "null" first also stops the automatic fallback to the default provider. */
    OSSL_PROVIDER *null = ctx != NULL ? OSSL_PROVIDER_load(ctx, "null") : NULL;
    if (null == NULL) {
        OSSL_LIB_CTX_free(ctx);
        return;
    }
    g_raw_ctx = ctx;
    g_raw_null = null;
    atexit(raw_ctx_free); /* runs before OpenSSL's own atexit cleanup (registered earlier) */
}

OSSL_LIB_CTX *cmc_raw_key_libctx(void) {
    if (!CRYPTO_THREAD_run_once(&g_raw_once, raw_ctx_init)) {
        return NULL;
    }
    return g_raw_ctx;
}

/* spki_slow: the decoder path, for key types built below only partly or not at all. */
static cmc_status spki_slow(EVP_PKEY **out, const X509_PUBKEY *spki) {
    unsigned char *der = NULL;
    int len = i2d_X509_PUBKEY(spki, &der);
    if (len <= 0) {
        CMC_RAISE(CMC_E_DER);
    }
    const unsigned char *p = der;
    EVP_PKEY *k = d2i_PUBKEY(NULL, &p, len);
    int whole = k != NULL && p == der + len;
    OPENSSL_free(der);
    if (!whole) {
        EVP_PKEY_free(k);
        CMC_RAISE(CMC_E_DER);
    }
    *out = k;
    return CMC_OK;
}

/* from_params builds a public key of |type| from |params| with the default provider. */
static EVP_PKEY *from_params(const char *type, OSSL_PARAM *params) {
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    EVP_PKEY *k = NULL;
    if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_PUBLIC_KEY, params) != 1) {
        EVP_PKEY_free(k);
        k = NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    return k;
}

/* Curves with a prepared domain-parameter key: a copy of one (EVP_PKEY_dup) is cheaper
 * than building the group from its name for each request (EC_GROUP_new_by_curve_name
 * computes Montgomery contexts and an inverse: about 2% of an enrollment). */
static const int kTemplateCurves[] = {NID_X9_62_prime256v1, NID_secp384r1, NID_secp521r1};
#define CMC_SPKI_NUM_TEMPLATES (sizeof(kTemplateCurves) / sizeof(kTemplateCurves[0]))
static CRYPTO_ONCE g_tmpl_once = CRYPTO_ONCE_STATIC_INIT;
static EVP_PKEY *g_tmpl[CMC_SPKI_NUM_TEMPLATES];

static void tmpl_free(void) {
    for (size_t i = 0; i < CMC_SPKI_NUM_TEMPLATES; i++) {
        EVP_PKEY_free(g_tmpl[i]);
        g_tmpl[i] = NULL;
    }
}

static void tmpl_init(void) {
    for (size_t i = 0; i < CMC_SPKI_NUM_TEMPLATES; i++) {
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
                                             (char *)OBJ_nid2sn(kTemplateCurves[i]), 0),
            OSSL_PARAM_construct_end(),
        };
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
        if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
            EVP_PKEY_fromdata(ctx, &g_tmpl[i], EVP_PKEY_KEY_PARAMETERS, params) != 1) {
            g_tmpl[i] = NULL; /* that curve takes the slower path */
        }
        EVP_PKEY_CTX_free(ctx);
    }
    ERR_clear_error();
    atexit(tmpl_free);
}

/* ec_from_template: a copy of the prepared key for |nid| with the encoded point |pt|
 * (EC_KEY_oct2key inside: the point must lie on the curve). NULL if there is no template
 * or the point is refused; *has_tmpl says which. */
static EVP_PKEY *ec_from_template(int nid, const unsigned char *pt, int pt_len, int *has_tmpl) {
    *has_tmpl = 0;
    if (!CRYPTO_THREAD_run_once(&g_tmpl_once, tmpl_init)) {
        return NULL;
    }
    for (size_t i = 0; i < CMC_SPKI_NUM_TEMPLATES; i++) {
        if (kTemplateCurves[i] != nid || g_tmpl[i] == NULL) {
            continue;
        }
        *has_tmpl = 1;
        EVP_PKEY *k = EVP_PKEY_dup(g_tmpl[i]);
        if (k == NULL || EVP_PKEY_set_octet_string_param(k, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt,
                                                         (size_t)pt_len) != 1) {
            EVP_PKEY_free(k);
            return NULL;
        }
        return k;
    }
    return NULL;
}

/* ec_key: id-ecPublicKey with a namedCurve (RFC 5480 §2.1.1: implicitCurve and
 * specifiedCurve are not allowed in PKIX); the point must lie on the curve, which
 * EC_POINT_oct2point checks inside the import. */
static EVP_PKEY *ec_key(int ptype, const void *pval, const unsigned char *bits, int bits_len) {
    if (ptype != V_ASN1_OBJECT || bits_len <= 0 || bits_len > CMC_SPKI_MAX_EC_POINT) {
        return NULL;
    }
    int nid = OBJ_obj2nid(pval);
    int has_tmpl = 0;
    EVP_PKEY *k = ec_from_template(nid, bits, bits_len, &has_tmpl);
    if (has_tmpl) {
        return k;
    }
    const char *curve = OBJ_nid2sn(nid);
    if (curve == NULL || strcmp(curve, "UNDEF") == 0) {
        return NULL;
    }
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)curve, 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)bits, (size_t)bits_len),
        OSSL_PARAM_construct_end(),
    };
    return from_params("EC", params);
}

/*- RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }   RFC 3279 §2.3.1
 * (BIGNUM items, as OpenSSL's own RSA template reads them). */
typedef struct {
    BIGNUM *n;
    BIGNUM *e;
} CMC_RSA_PUBLIC_KEY;
ASN1_SEQUENCE(CMC_RSA_PUBLIC_KEY) =
    {
        ASN1_SIMPLE(CMC_RSA_PUBLIC_KEY, n, BIGNUM),
        ASN1_SIMPLE(CMC_RSA_PUBLIC_KEY, e, BIGNUM),
} ASN1_SEQUENCE_END(CMC_RSA_PUBLIC_KEY) IMPLEMENT_ASN1_ALLOC_FUNCTIONS(CMC_RSA_PUBLIC_KEY)

    /* rsa_key: rsaEncryption, parameters NULL (RFC 3279 §2.3.1; absent is accepted as OpenSSL
     * does) and an RSAPublicKey. */
    static EVP_PKEY
    * rsa_key(int ptype, const unsigned char *bits, int bits_len) {
    if (ptype != V_ASN1_NULL && ptype != V_ASN1_UNDEF) {
        return NULL;
    }
    const unsigned char *p = bits;
    CMC_RSA_PUBLIC_KEY *rk =
        (CMC_RSA_PUBLIC_KEY *)ASN1_item_d2i(NULL, &p, bits_len, ASN1_ITEM_rptr(CMC_RSA_PUBLIC_KEY));
    if (rk == NULL || p != bits + bits_len || BN_num_bits(rk->n) > CMC_SPKI_MAX_RSA_BITS) {
        CMC_RSA_PUBLIC_KEY_free(rk);
        return NULL;
    }
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY *k = NULL;
    if (bld != NULL && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, rk->n) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, rk->e) &&
        (params = OSSL_PARAM_BLD_to_param(bld)) != NULL) {
        k = from_params("RSA", params);
    }
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    CMC_RSA_PUBLIC_KEY_free(rk);
    return k;
}

/* raw_key: Ed25519/Ed448, parameters absent (RFC 8410 §3), the key is the bit string. */
static EVP_PKEY *raw_key(const char *type, int ptype, const unsigned char *bits, int bits_len) {
    if (ptype != V_ASN1_UNDEF) {
        return NULL;
    }
    return EVP_PKEY_new_raw_public_key_ex(NULL, type, NULL, bits, (size_t)bits_len);
}

cmc_status cmc_spki_get1_pkey(EVP_PKEY **out, const X509_PUBKEY *spki) {
    if (out == NULL || spki == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    EVP_PKEY *have = X509_PUBKEY_get0(spki);
    if (have != NULL) { /* decoded the usual way */
        if (!EVP_PKEY_up_ref(have)) {
            CMC_RAISE(CMC_E_INTERNAL);
        }
        *out = have;
        return CMC_OK;
    }
    ERR_clear_error(); /* X509_PUBKEY_get0 queued "unsupported algorithm" */
    ASN1_OBJECT *alg = NULL;
    const unsigned char *bits = NULL;
    int bits_len = 0;
    X509_ALGOR *algor = NULL;
    if (!X509_PUBKEY_get0_param(&alg, &bits, &bits_len, &algor, spki) || alg == NULL) {
        CMC_RAISE(CMC_E_DER);
    }
    int ptype = V_ASN1_UNDEF;
    const void *pval = NULL;
    X509_ALGOR_get0(NULL, &ptype, &pval, algor);
    EVP_PKEY *k = NULL;
    switch (OBJ_obj2nid(alg)) {
    case NID_X9_62_id_ecPublicKey:
        k = ec_key(ptype, pval, bits, bits_len);
        break;
    case NID_rsaEncryption:
        k = rsa_key(ptype, bits, bits_len);
        break;
    case NID_ED25519:
        k = raw_key("ED25519", ptype, bits, bits_len);
        break;
    case NID_ED448:
        k = raw_key("ED448", ptype, bits, bits_len);
        break;
    default:
        return spki_slow(out, spki);
    }
    if (k == NULL) {
        ERR_clear_error();
        CMC_RAISE(CMC_E_DER);
    }
    *out = k;
    return CMC_OK;
}

cmc_status cmc_spki_der_get1_pkey(EVP_PKEY **out, const uint8_t *der, size_t der_len) {
    if (out == NULL || der == NULL || der_len == 0 || der_len > CMC_MAX_MESSAGE_BYTES) {
        CMC_RAISE(CMC_E_ARG);
    }
    const unsigned char *p = der;
    X509_PUBKEY *spki = (X509_PUBKEY *)ASN1_item_d2i_ex(
        NULL, &p, (long)der_len, ASN1_ITEM_rptr(X509_PUBKEY), cmc_raw_key_libctx(), NULL);
    if (spki == NULL || p != der + der_len) {
        X509_PUBKEY_free(spki);
        ERR_clear_error();
        CMC_RAISE(CMC_E_DER);
    }
    cmc_status st = cmc_spki_get1_pkey(out, spki);
    X509_PUBKEY_free(spki);
    return st;
}
