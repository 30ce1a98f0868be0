/* bench_crypto.c: the crypto-only bound of `cmckit bench`: the signature and verification
 * operations one request needs, done back to back with OpenSSL on prepared objects, with no
 * parsing, policy or store. requests/s of the reference core divided by this rate is the
 * "ratio" the bench prints (issue 8). */
#include "bench.h"

#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "cmc/asn1.h"
#include "fixtures.h"

static int is_eddsa(const EVP_PKEY *k) {
    return EVP_PKEY_is_a(k, "ED25519") || EVP_PKEY_is_a(k, "ED448");
}

static int sign_buf(EVP_PKEY *key, const EVP_MD *md, const unsigned char *in, size_t in_len,
                    unsigned char *sig, size_t *sig_len) {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx != NULL && EVP_DigestSignInit(ctx, NULL, md, NULL, key) == 1 &&
             EVP_DigestSign(ctx, sig, sig_len, in, in_len) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

static int verify_buf(EVP_PKEY *key, const EVP_MD *md, const unsigned char *in, size_t in_len,
                      const unsigned char *sig, size_t sig_len) {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx != NULL && EVP_DigestVerifyInit(ctx, NULL, md, NULL, key) == 1 &&
             EVP_DigestVerify(ctx, sig, sig_len, in, in_len) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

int bench_crypto_init(bench_crypto *bc, const char *ee_key_file, const char *officer_stem,
                      char *err, size_t err_len) {
    memset(bc, 0, sizeof(*bc));
    char kf[96], cf[96];
    snprintf(kf, sizeof(kf), "%s.key.pem", officer_stem);
    snprintf(cf, sizeof(cf), "%s.cert.pem", officer_stem);
    if (cmc_fixture_key(&bc->ca_key, "ca.key.pem") != CMC_OK ||
        cmc_fixture_cert(&bc->ca_cert, "ca.cert.pem") != CMC_OK ||
        cmc_fixture_key(&bc->signer_key, "signer.key.pem") != CMC_OK ||
        cmc_fixture_key(&bc->officer_key, kf) != CMC_OK ||
        cmc_fixture_cert(&bc->officer_cert, cf) != CMC_OK ||
        cmc_fixture_key(&bc->ee_key, ee_key_file) != CMC_OK) {
        snprintf(err, err_len, "fixture keys for %s / %s not found", ee_key_file, officer_stem);
        bench_crypto_cleanup(bc);
        return -1;
    }
    bc->officer_md = is_eddsa(bc->officer_key) ? NULL : EVP_sha256();
    bc->content_md = is_eddsa(bc->officer_key) ? EVP_sha512() : EVP_sha256();
    for (size_t i = 0; i < sizeof(bc->attrs); i++) {
        bc->attrs[i] = (unsigned char)(i * 7 + 1);
    }
    for (size_t i = 0; i < sizeof(bc->content); i++) {
        bc->content[i] = (unsigned char)(i * 13 + 5);
    }
    bc->officer_sig_len = sizeof(bc->officer_sig);
    const EVP_MD *ee_md = is_eddsa(bc->ee_key) ? NULL : EVP_sha256();
    bc->req = X509_REQ_new();
    bc->issued = X509_new();
    X509_NAME *subj = X509_NAME_new();
    int ok = bc->req != NULL && bc->issued != NULL && subj != NULL &&
             sign_buf(bc->officer_key, bc->officer_md, bc->attrs, sizeof(bc->attrs),
                      bc->officer_sig, &bc->officer_sig_len) &&
             X509_NAME_add_entry_by_txt(subj, "CN", MBSTRING_ASC, (const unsigned char *)"bench",
                                        -1, -1, 0) &&
             X509_REQ_set_subject_name(bc->req, subj) && X509_REQ_set_pubkey(bc->req, bc->ee_key) &&
             X509_REQ_sign(bc->req, bc->ee_key, ee_md) > 0 &&
             X509_set_version(bc->issued, X509_VERSION_3) &&
             ASN1_INTEGER_set_uint64(X509_get_serialNumber(bc->issued), 0x1234567890abcdefULL) &&
             X509_set_subject_name(bc->issued, subj) &&
             X509_set_issuer_name(bc->issued, X509_get_subject_name(bc->ca_cert)) &&
             X509_gmtime_adj(X509_getm_notBefore(bc->issued), 0) != NULL &&
             X509_gmtime_adj(X509_getm_notAfter(bc->issued), 365L * 86400) != NULL &&
             X509_set_pubkey(bc->issued, bc->ee_key);
    X509_NAME_free(subj);
    ok = ok && (bc->ee_spki_len = i2d_PUBKEY(bc->ee_key, &bc->ee_spki)) > 0;
    if (!ok) {
        snprintf(err, err_len, "cannot prepare the crypto bound objects");
        ERR_clear_error();
        bench_crypto_cleanup(bc);
        return -1;
    }
    return 0;
}

void bench_crypto_cleanup(bench_crypto *bc) {
    EVP_PKEY_free(bc->ca_key);
    EVP_PKEY_free(bc->signer_key);
    EVP_PKEY_free(bc->officer_key);
    EVP_PKEY_free(bc->ee_key);
    X509_free(bc->ca_cert);
    X509_free(bc->officer_cert);
    X509_free(bc->issued);
    X509_REQ_free(bc->req);
    OPENSSL_free(bc->ee_spki);
    memset(bc, 0, sizeof(*bc));
}

int bench_crypto_once(bench_crypto *bc, unsigned steps) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    if (steps & BENCH_STEP_CMS_VERIFY) {
        /* messageDigest over eContent, then the signature over the signed attributes. */
        if (!EVP_Digest(bc->content, sizeof(bc->content), md, &md_len, bc->content_md, NULL) ||
            !verify_buf(bc->officer_key, bc->officer_md, bc->attrs, sizeof(bc->attrs),
                        bc->officer_sig, bc->officer_sig_len)) {
            return -1;
        }
    }
    if ((steps & BENCH_STEP_CHAIN_VERIFY) &&
        X509_verify(bc->officer_cert, X509_get0_pubkey(bc->ca_cert)) != 1) {
        return -1;
    }
    if (steps & BENCH_STEP_POP_VERIFY) {
        EVP_PKEY *fresh = NULL;
        if ((steps & BENCH_STEP_KEY_IMPORT) &&
            cmc_spki_der_get1_pkey(&fresh, bc->ee_spki, (size_t)bc->ee_spki_len) != CMC_OK) {
            return -1;
        }
        int ok = X509_REQ_verify(bc->req, fresh != NULL ? fresh : X509_REQ_get0_pubkey(bc->req));
        EVP_PKEY_free(fresh);
        if (ok != 1) {
            return -1;
        }
    }
    if ((steps & BENCH_STEP_CERT_SIGN) && X509_sign(bc->issued, bc->ca_key, EVP_sha256()) <= 0) {
        return -1;
    }
    if (steps & BENCH_STEP_RESP_SIGN) {
        unsigned char sig[512];
        size_t sig_len = sizeof(sig);
        if (!EVP_Digest(bc->content, sizeof(bc->content), md, &md_len, EVP_sha256(), NULL) ||
            !sign_buf(bc->signer_key, EVP_sha256(), bc->attrs, sizeof(bc->attrs), sig, &sig_len)) {
            return -1;
        }
    }
    return 0;
}

const char *bench_steps_str(unsigned steps, char *buf, size_t buf_len) {
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {{BENCH_STEP_CMS_VERIFY, "cms"}, {BENCH_STEP_CHAIN_VERIFY, "chain"},
                 {BENCH_STEP_POP_VERIFY, "pop"}, {BENCH_STEP_CERT_SIGN, "sign"},
                 {BENCH_STEP_RESP_SIGN, "resp"}, {BENCH_STEP_KEY_IMPORT, "import"}};
    buf[0] = '\0';
    size_t used = 0;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (steps & names[i].bit) {
            int n = snprintf(buf + used, buf_len - used, "%s%s", used ? "+" : "", names[i].name);
            if (n < 0 || (size_t)n >= buf_len - used) {
                break;
            }
            used += (size_t)n;
        }
    }
    return buf;
}
