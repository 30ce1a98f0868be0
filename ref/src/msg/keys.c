/* keys.c: key identifiers, subject names, default digests and the raw signing primitive
 * shared by the PKCS#10/CRMF builders and the CMS signer. */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include "msg/msg_local.h"

#define MSG_SUBJECT_MAX 4096 /* longer than any real DN; bounds the parser's copy */

int msg_is_eddsa(const EVP_PKEY *key) {
    int id = EVP_PKEY_get_id(key);
    return id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448;
}

const EVP_MD *cmc_default_md(const EVP_PKEY *key) {
    if (key == NULL || msg_is_eddsa(key)) {
        return NULL;
    }
    if (EVP_PKEY_get_id(key) == EVP_PKEY_EC) {
        int bits = EVP_PKEY_get_bits(key);
        if (bits > 384) {
            return EVP_sha512();
        }
        if (bits > 256) {
            return EVP_sha384();
        }
    }
    return EVP_sha256();
}

cmc_status cmc_key_ski(uint8_t out[CMC_SKI_LEN], const EVP_PKEY *key) {
    if (out == NULL || key == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    X509_PUBKEY *pk = NULL;
    const unsigned char *bits = NULL;
    int bits_len = 0;
    if (!X509_PUBKEY_set(&pk, (EVP_PKEY *)key) ||
        !X509_PUBKEY_get0_param(NULL, &bits, &bits_len, NULL, pk) || bits_len < 0) {
        X509_PUBKEY_free(pk);
        CMC_RAISE(CMC_E_CRYPTO);
    }
    SHA1(bits, (size_t)bits_len, out);
    X509_PUBKEY_free(pk);
    return CMC_OK;
}

cmc_status cmc_name_parse(X509_NAME **out, const char *subject) {
    if (out == NULL || subject == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    size_t n = strlen(subject);
    if (n > MSG_SUBJECT_MAX) {
        CMC_RAISE(CMC_E_LIMIT);
    }
    X509_NAME *name = X509_NAME_new();
    char *buf = OPENSSL_malloc(n + 1);
    if (name == NULL || buf == NULL) {
        X509_NAME_free(name);
        OPENSSL_free(buf);
        CMC_RAISE(CMC_E_NOMEM);
    }
    const char *p = subject;
    if (*p == '/') {
        p++;
    } else if (*p != '\0') {
        goto syntax; /* OpenSSL -subj form starts with '/' */
    }
    while (*p != '\0') {
        /* Copy one "type=value" component, unescaping "\x". */
        size_t k = 0;
        while (*p != '\0' && *p != '/') {
            if (*p == '\\' && p[1] != '\0') {
                p++;
            }
            buf[k++] = *p++;
        }
        buf[k] = '\0';
        if (*p == '/') {
            p++;
        }
        char *eq = strchr(buf, '=');
        if (eq == NULL || eq == buf) {
            goto syntax;
        }
        *eq = '\0';
        if (!X509_NAME_add_entry_by_txt(name, buf, MBSTRING_UTF8, (const unsigned char *)(eq + 1),
                                        -1, -1, 0)) {
            goto syntax;
        }
    }
    OPENSSL_free(buf);
    *out = name;
    return CMC_OK;
syntax:
    OPENSSL_free(buf);
    X509_NAME_free(name);
    MSG_RAISE_DETAIL(CMC_E_ARG, "bad subject syntax");
}

/* msg_sign_init initialises |ctx| to sign with |key|, |md| (ignored for EdDSA) and PSS. */
static int msg_sign_init(EVP_MD_CTX *ctx, EVP_PKEY *key, const EVP_MD *md, int pss) {
    EVP_PKEY_CTX *pctx = NULL;
    if (EVP_DigestSignInit(ctx, &pctx, msg_is_eddsa(key) ? NULL : md, NULL, key) != 1) {
        return 0;
    }
    return !pss || (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
                    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1 &&
                    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) == 1);
}

cmc_status cmc_sign_ctx_new(EVP_MD_CTX **out, EVP_PKEY *key, const EVP_MD *md, int rsa_pss) {
    if (out == NULL || key == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    if (msg_is_eddsa(key)) {
        *out = NULL;
        return CMC_OK;
    }
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL) {
        CMC_RAISE(CMC_E_NOMEM);
    }
    if (!msg_sign_init(ctx, key, md != NULL ? md : cmc_default_md(key), rsa_pss)) {
        EVP_MD_CTX_free(ctx);
        CMC_RAISE(CMC_E_CRYPTO);
    }
    *out = ctx;
    return CMC_OK;
}

cmc_status msg_sign_bytes(uint8_t **out, size_t *out_len, EVP_PKEY *key, const EVP_MD *md, int pss,
                          const EVP_MD_CTX *tmpl, const uint8_t *data, size_t data_len) {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    uint8_t *sig = NULL;
    size_t sig_len = 0;
    if (ctx == NULL) {
        CMC_RAISE(CMC_E_NOMEM);
    }
    if (tmpl != NULL ? EVP_MD_CTX_copy_ex(ctx, tmpl) != 1 : !msg_sign_init(ctx, key, md, pss)) {
        goto err;
    }
    if (EVP_DigestSign(ctx, NULL, &sig_len, data, data_len) != 1) {
        goto err;
    }
    sig = OPENSSL_malloc(sig_len ? sig_len : 1);
    if (sig == NULL || EVP_DigestSign(ctx, sig, &sig_len, data, data_len) != 1) {
        goto err;
    }
    EVP_MD_CTX_free(ctx);
    *out = sig;
    *out_len = sig_len;
    return CMC_OK;
err:
    OPENSSL_free(sig);
    EVP_MD_CTX_free(ctx);
    CMC_RAISE(CMC_E_CRYPTO);
}

void msg_put_md_alg(msg_buf *b, const EVP_MD *md) {
    msg_buf alg;
    msg_buf_init(&alg);
    msg_buf_put_obj(&alg, md != NULL ? OBJ_nid2obj(EVP_MD_get_type(md)) : NULL);
    msg_buf_wrap(&alg, MSG_TAG_SEQUENCE);
    b->err |= alg.err;
    msg_buf_put(b, alg.p, alg.len);
    msg_buf_cleanup(&alg);
}

void msg_put_sig_alg(msg_buf *b, const EVP_PKEY *key, const EVP_MD *md, int pss) {
    msg_buf alg;
    msg_buf_init(&alg);
    int id = EVP_PKEY_get_id(key);
    if (msg_is_eddsa(key)) {
        msg_buf_put_obj(&alg, OBJ_nid2obj(id)); /* RFC 8410 §3: parameters absent */
    } else if (pss) {
        /* RFC 4055 §3.1 RSASSA-PSS-params: hash, MGF1 with the same hash, salt = hLen. */
        msg_buf params;
        msg_buf tmp;
        msg_buf_init(&params);
        msg_buf_init(&tmp);
        msg_put_md_alg(&tmp, md);
        msg_buf_put_tlv(&params, MSG_TAG_CTX_CONS(0), tmp.p, tmp.len);
        msg_buf_cleanup(&tmp);
        msg_buf_put_obj(&tmp, OBJ_nid2obj(NID_mgf1));
        msg_put_md_alg(&tmp, md);
        msg_buf_wrap(&tmp, MSG_TAG_SEQUENCE);
        msg_buf_put_tlv(&params, MSG_TAG_CTX_CONS(1), tmp.p, tmp.len);
        msg_buf_cleanup(&tmp);
        msg_buf_put_int64(&tmp, MSG_TAG_INTEGER, md != NULL ? EVP_MD_get_size(md) : 0);
        msg_buf_put_tlv(&params, MSG_TAG_CTX_CONS(2), tmp.p, tmp.len);
        alg.err |= tmp.err | params.err;
        msg_buf_cleanup(&tmp);
        msg_buf_put_obj(&alg, OBJ_nid2obj(NID_rsassaPss));
        msg_buf_put_tlv(&alg, MSG_TAG_SEQUENCE, params.p, params.len);
        msg_buf_cleanup(&params);
    } else {
        int sig_nid = NID_undef;
        int pkey_nid = id == EVP_PKEY_EC ? NID_X9_62_id_ecPublicKey : NID_rsaEncryption;
        if (md == NULL || !OBJ_find_sigid_by_algs(&sig_nid, EVP_MD_get_type(md), pkey_nid)) {
            alg.err = 1;
        } else {
            msg_buf_put_obj(&alg, OBJ_nid2obj(sig_nid));
            if (id != EVP_PKEY_EC) {
                msg_buf_put_tlv(&alg, MSG_TAG_NULL, NULL, 0); /* RFC 4055 §5: NULL params */
            }
        }
    }
    msg_buf_wrap(&alg, MSG_TAG_SEQUENCE);
    b->err |= alg.err;
    msg_buf_put(b, alg.p, alg.len);
    msg_buf_cleanup(&alg);
}
