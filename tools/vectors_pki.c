/* vectors_pki.c: `cmckit vectors pki` creates the fixture PKI of vectors/pki/ (DESIGN.md
 * "Vectors", HELPERS.md "Fixed shared names") with OpenSSL only. The output is committed and
 * regenerated only on purpose: keys are fresh on every run, so a rerun changes every file.
 *
 * Every file starts with '#' comment lines saying it is TEST-ONLY material; OpenSSL's PEM
 * reader skips everything before the BEGIN line. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "vectors.h"

/* Fixed validity dates (HELPERS.md): the fixture clock is 2026-07-01T00:00:00Z. */
#define PKI_NOT_BEFORE "20260101000000Z"
#define PKI_NOT_AFTER "20460101000000Z"

typedef enum { PKI_ROOT, PKI_SIGNER, PKI_OFFICER, PKI_EE_KEY } pki_kind;

typedef struct {
    const char *stem; /* file stem: <stem>.key.pem and <stem>.cert.pem */
    pki_kind kind;
    const char *key_type;   /* "RSA-2048", "P-256", "P-384", "Ed25519" */
    const char *issuer;     /* stem of the issuing CA; NULL for a self-signed root */
    const char *not_before; /* GeneralizedTime text */
    const char *not_after;
    const char *role; /* one line for the file header and the README */
} pki_item;

/* Order matters: issuers come before what they issue. Serial = index + 1. */
static const pki_item kPki[] = {
    {"ca", PKI_ROOT, "RSA-2048", NULL, PKI_NOT_BEFORE, PKI_NOT_AFTER,
     "fixture root CA: issues every fixture certificate and is the officer trust anchor"},
    {"signer", PKI_SIGNER, "RSA-2048", "ca", PKI_NOT_BEFORE, PKI_NOT_AFTER,
     "CMC response signer of the reference server (EKU id-kp-cmcCA)"},
    {"officer-both", PKI_OFFICER, "RSA-2048", "ca", PKI_NOT_BEFORE, PKI_NOT_AFTER,
     "registered officer, roles enroll + revoke"},
    {"officer-both-p256", PKI_OFFICER, "P-256", "ca", PKI_NOT_BEFORE, PKI_NOT_AFTER,
     "registered officer, roles enroll + revoke"},
    {"officer-both-ed25519", PKI_OFFICER, "Ed25519", "ca", PKI_NOT_BEFORE, PKI_NOT_AFTER,
     "registered officer, roles enroll + revoke"},
    {"officer-enroll", PKI_OFFICER, "P-256", "ca", PKI_NOT_BEFORE, PKI_NOT_AFTER,
     "registered officer, role enroll only"},
    {"officer-revoke", PKI_OFFICER, "P-256", "ca", PKI_NOT_BEFORE, PKI_NOT_AFTER,
     "registered officer, role revoke only"},
    {"officer-norole", PKI_OFFICER, "P-256", "ca", PKI_NOT_BEFORE, PKI_NOT_AFTER,
     "registered officer holding no role"},
    {"officer-unregistered", PKI_OFFICER, "P-256", "ca", PKI_NOT_BEFORE, PKI_NOT_AFTER,
     "valid certificate from ca, NOT a registered officer"},
    {"officer-expired", PKI_OFFICER, "P-256", "ca", "20200101000000Z", "20210101000000Z",
     "registered officer, roles enroll + revoke, certificate expired"},
    {"officer-notyet", PKI_OFFICER, "P-256", "ca", "20400101000000Z", "20410101000000Z",
     "registered officer, roles enroll + revoke, certificate not yet valid"},
    {"untrusted-ca", PKI_ROOT, "P-256", NULL, PKI_NOT_BEFORE, PKI_NOT_AFTER,
     "a second root CA that is NOT a trust anchor"},
    {"officer-untrusted", PKI_OFFICER, "P-256", "untrusted-ca", PKI_NOT_BEFORE, PKI_NOT_AFTER,
     "registered officer, roles enroll + revoke, issued by untrusted-ca"},
    {"ee-rsa2048", PKI_EE_KEY, "RSA-2048", NULL, NULL, NULL, "end-entity key"},
    {"ee-p256", PKI_EE_KEY, "P-256", NULL, NULL, NULL, "end-entity key"},
    {"ee-p384", PKI_EE_KEY, "P-384", NULL, NULL, NULL, "end-entity key"},
    {"ee-ed25519", PKI_EE_KEY, "Ed25519", NULL, NULL, NULL, "end-entity key"},
};
#define PKI_COUNT (sizeof(kPki) / sizeof(kPki[0]))

static EVP_PKEY *pki_keygen(const char *key_type) {
    if (strcmp(key_type, "RSA-2048") == 0) {
        return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    }
    if (strcmp(key_type, "P-256") == 0) {
        return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    }
    if (strcmp(key_type, "P-384") == 0) {
        return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    }
    if (strcmp(key_type, "Ed25519") == 0) {
        return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    }
    return NULL;
}

static int add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value) {
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
    if (ext == NULL) {
        return 0;
    }
    int ok = X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    return ok;
}

static X509_NAME *pki_name(const char *stem) {
    char cn[96];
    snprintf(cn, sizeof(cn), "cmckit fixture %s (TEST ONLY)", stem);
    X509_NAME *n = X509_NAME_new();
    if (n == NULL ||
        !X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC,
                                    (const unsigned char *)"cmckit test fixtures", -1, -1, 0) ||
        !X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0)) {
        X509_NAME_free(n);
        return NULL;
    }
    return n;
}

/* pki_cert builds and signs the certificate of |it| (serial |serial|) for |key|, issued by
 * |issuer|/|issuer_key| (both NULL for a self-signed root). */
static X509 *pki_cert(const pki_item *it, long serial, EVP_PKEY *key, X509 *issuer,
                      EVP_PKEY *issuer_key) {
    X509 *x = X509_new();
    X509_NAME *subject = pki_name(it->stem);
    int ok = x != NULL && subject != NULL && X509_set_version(x, X509_VERSION_3) &&
             ASN1_INTEGER_set(X509_get_serialNumber(x), serial) &&
             ASN1_TIME_set_string_X509(X509_getm_notBefore(x), it->not_before) &&
             ASN1_TIME_set_string_X509(X509_getm_notAfter(x), it->not_after) &&
             X509_set_subject_name(x, subject) &&
             X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : subject) &&
             X509_set_pubkey(x, key);
    X509_NAME_free(subject);
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
    ok = add_ext(x, &ctx, NID_subject_key_identifier, "hash") &&
         add_ext(x, &ctx, NID_authority_key_identifier, "keyid:always");
    switch (it->kind) {
    case PKI_ROOT:
        ok = ok && add_ext(x, &ctx, NID_basic_constraints, "critical,CA:TRUE") &&
             add_ext(x, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
        break;
    case PKI_SIGNER:
        ok = ok && add_ext(x, &ctx, NID_basic_constraints, "critical,CA:FALSE") &&
             add_ext(x, &ctx, NID_key_usage, "critical,digitalSignature") &&
             add_ext(x, &ctx, NID_ext_key_usage, "1.3.6.1.5.5.7.3.27");
        break;
    case PKI_OFFICER:
        ok = ok && add_ext(x, &ctx, NID_basic_constraints, "critical,CA:FALSE") &&
             add_ext(x, &ctx, NID_key_usage, "critical,digitalSignature") &&
             add_ext(x, &ctx, NID_ext_key_usage, "1.3.6.1.5.5.7.3.28,clientAuth");
        break;
    case PKI_EE_KEY:
        ok = 0;
        break;
    }
    EVP_PKEY *signing_key = issuer_key != NULL ? issuer_key : key;
    /* Ed25519 signs without a separate digest; RSA and ECDSA use SHA-256. */
    const EVP_MD *md = EVP_PKEY_is_a(signing_key, "ED25519") ? NULL : EVP_sha256();
    if (!ok || X509_sign(x, signing_key, md) <= 0) {
        X509_free(x);
        return NULL;
    }
    return x;
}

static void pki_header(BIO *b, const char *file, const pki_item *it) {
    BIO_printf(b, "# TEST-ONLY material of the cmckit test suite: %s\n", file);
    BIO_printf(b, "# Role: %s. Key type: %s.\n", it->role, it->key_type);
    if (it->kind != PKI_EE_KEY) {
        BIO_printf(b, "# Validity: %s .. %s (certificate).\n", it->not_before, it->not_after);
    }
    BIO_printf(b, "# The private keys of this fixture PKI are published; NEVER trust this\n"
                  "# material or use it outside tests. Generated by `cmckit vectors pki`.\n");
}

static int pki_write(const char *dir, const char *stem, const char *suffix, const pki_item *it,
                     EVP_PKEY *key, X509 *cert) {
    char path[4096];
    char file[128];
    snprintf(file, sizeof(file), "%s%s", stem, suffix);
    if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, file) >= sizeof(path)) {
        return 0;
    }
    BIO *b = BIO_new_file(path, "w");
    if (b == NULL) {
        fprintf(stderr, "cmckit vectors pki: cannot write %s\n", path);
        return 0;
    }
    pki_header(b, file, it);
    int ok = cert != NULL ? PEM_write_bio_X509(b, cert)
                          : PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL);
    BIO_free(b);
    return ok;
}

static int pki_exists(const char *dir) {
    for (size_t i = 0; i < PKI_COUNT; i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof(path), "%s/%s.key.pem", dir, kPki[i].stem);
        if (stat(path, &st) == 0) {
            return 1;
        }
    }
    return 0;
}

int cmckit_vectors_pki(const char *out_dir, int force) {
    if (mkdir(out_dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "cmckit vectors pki: cannot create %s: %s\n", out_dir, strerror(errno));
        return 1;
    }
    if (!force && pki_exists(out_dir)) {
        fprintf(stderr,
                "cmckit vectors pki: %s already holds a fixture PKI; regenerating changes every\n"
                "key and invalidates every vector. Pass --force to do it on purpose.\n",
                out_dir);
        return 1;
    }
    EVP_PKEY *keys[PKI_COUNT] = {0};
    X509 *certs[PKI_COUNT] = {0};
    int rc = 1;
    for (size_t i = 0; i < PKI_COUNT; i++) {
        const pki_item *it = &kPki[i];
        keys[i] = pki_keygen(it->key_type);
        if (keys[i] == NULL) {
            goto done;
        }
        if (it->kind != PKI_EE_KEY) {
            size_t iss = i;
            if (it->issuer != NULL) {
                for (iss = 0; iss < i && strcmp(kPki[iss].stem, it->issuer) != 0; iss++) {
                }
                if (iss == i) {
                    goto done;
                }
            }
            certs[i] = pki_cert(it, (long)(i + 1), keys[i], iss == i ? NULL : certs[iss],
                                iss == i ? NULL : keys[iss]);
            if (certs[i] == NULL) {
                goto done;
            }
            if (!pki_write(out_dir, it->stem, ".cert.pem", it, keys[i], certs[i])) {
                goto done;
            }
        }
        if (!pki_write(out_dir, it->stem, ".key.pem", it, keys[i], NULL)) {
            goto done;
        }
        printf("  %-22s %-9s %s\n", it->stem, it->key_type, it->role);
    }
    rc = 0;
done:
    if (rc != 0) {
        fprintf(stderr, "cmckit vectors pki: generation failed\n");
        ERR_print_errors_fp(stderr);
    }
    for (size_t i = 0; i < PKI_COUNT; i++) {
        EVP_PKEY_free(keys[i]);
        X509_free(certs[i]);
    }
    return rc;
}
