/* server_local.h: internals of the reference server core (ref/src/server). Not installed;
 * only the files in ref/src/server include it. */
#ifndef CMC_SERVER_LOCAL_H
#define CMC_SERVER_LOCAL_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "internal.h"

/* One registered officer: its certificate and CMC_ROLE_* bits (0 = registered, no role). */
typedef struct {
    X509 *cert;
    unsigned roles;
    char name[64]; /* config section or fixture stem, for statusString and logs */
} cmc_officer;

/* Longest store path we keep; a config value beyond it is refused. */
#define CMC_MAX_STORE_PATH 1024
/* Longest test seed (bytes); a SHA-256-sized seed is plenty for a deterministic stream. */
#define CMC_MAX_SEED_BYTES 64
/* Most officers one configuration may register; bounds the linear signer lookup. */
#define CMC_MAX_OFFICERS 256
/* Most officer trust anchors; bounds the X509_STORE built per request. */
#define CMC_MAX_TRUST_ANCHORS 64
/* Longest certificate validity we issue: 100 years keeps notAfter inside GeneralizedTime. */
#define CMC_MAX_VALIDITY_DAYS 36500

struct cmc_server_config {
    X509 *ca_cert;
    EVP_PKEY *ca_key;
    X509 *signer_cert;
    EVP_PKEY *signer_key;
    STACK_OF(X509) *anchors; /* officer trust anchors */
    cmc_officer *officers;
    size_t num_officers;
    int require_officer_for_enrollment;
    unsigned revocation_reasons; /* bit r set: CRLReason r allowed */
    int include_chain;
    long validity_days;
    unsigned sig_algs; /* CMC_SIG_* bits */
    size_t max_body_bytes;
    char store_path[CMC_MAX_STORE_PATH];
    int has_clock;
    time_t clock;
    size_t seed_len; /* 0: OS randomness */
    uint8_t seed[CMC_MAX_SEED_BYTES];
    unsigned faults; /* CMC_FAULT_* bits; 0 outside fault-injection tests */
};

/* ---- config.c ---- */
cmc_status cmc_server_config_dup(cmc_server_config **out, const cmc_server_config *cfg);

/* ---- store.c: SQLite store (schema and durability rules at the top of store.c) ---- */
typedef struct cmc_store cmc_store;

cmc_status cmc_store_open(cmc_store **out, const char *path);
void cmc_store_close(cmc_store *st);
/* Number of certificates recorded (seeds the deterministic serial counter). */
cmc_status cmc_store_count(cmc_store *st, uint64_t *out);
/* Records an issued certificate (status good) in one transaction. */
cmc_status cmc_store_add(cmc_store *st, X509 *cert, time_t now);
/* Revokes in one transaction: CMC_E_BAD_CERT_ID if no certificate has that serial and
 * issuer, CMC_E_ALREADY_REVOKED if it is revoked already. Durable on CMC_OK. */
cmc_status cmc_store_revoke(cmc_store *st, const X509_NAME *issuer, const ASN1_INTEGER *serial,
                            int reason, time_t when);
/* Looks a certificate up: CMC_E_BAD_CERT_ID if absent. |*out_cert| is new (may be NULL
 * if the caller does not want it). */
cmc_status cmc_store_get(cmc_store *st, const X509_NAME *issuer, const ASN1_INTEGER *serial,
                         X509 **out_cert, cmc_cert_state *out_state);
/* Records a seen transactionId (DER INTEGER content, may be NULL) and senderNonce (may be
 * NULL) in one transaction. */
cmc_status cmc_store_note(cmc_store *st, const ASN1_INTEGER *transaction_id, const uint8_t *nonce,
                          size_t nonce_len, time_t now);

/* ---- issue.c ---- */
typedef struct cmc_drbg cmc_drbg;
int cmc_server_key_allowed(const cmc_server_config *cfg, const EVP_PKEY *key);
int cmc_server_sig_alg_allowed(const cmc_server_config *cfg, const X509_ALGOR *alg,
                               const EVP_PKEY *key);
/* cmc_server_cms_alg_allowed: a CMS SignerInfo's digest and signature algorithms, verified
 * with |key|, are in [policy] signature_algorithms (and |key| is an allowed type/size). */
int cmc_server_cms_alg_allowed(const cmc_server_config *cfg, const X509_ALGOR *digest_alg,
                               const X509_ALGOR *sig_alg, const EVP_PKEY *key);
cmc_status cmc_server_crmf_public_key(EVP_PKEY **out, const OSSL_CRMF_MSG *crm);
/* cmc_server_crmf_pop_alg: the AlgorithmIdentifier of a CRMF POPOSigningKey (|*out| new);
 * CMC_E_NOT_FOUND when the POP is not a signature. The POP itself is checked with
 * cmc_crmf_verify_pop (cmc/msg.h). */
cmc_status cmc_server_crmf_pop_alg(X509_ALGOR **out, const OSSL_CRMF_MSG *crm);
/* cmc_server_issue makes a certificate for |subject| and |pub| signed by the CA, with the
 * allowed subset of |exts| (may be NULL). Serial: 128 bits from |drbg| (NULL = OS). |spki|
 * (may be NULL) is |pub| as received (the PKCS#10 subjectPublicKeyInfo): it is copied into
 * the certificate as is, which is much cheaper than encoding |pub| again. |sign_ctx| (may
 * be NULL) is cmc_sign_ctx_new for the CA key and cmc_default_md, copied for the signature. */
cmc_status cmc_server_issue(X509 **out, const cmc_server_config *cfg, cmc_drbg *drbg, time_t now,
                            const X509_NAME *subject, EVP_PKEY *pub, const X509_PUBKEY *spki,
                            const STACK_OF(X509_EXTENSION) *exts, const EVP_MD_CTX *sign_ctx);
cmc_status cmc_server_config_add_officer(cmc_server_config *cfg, X509 *cert, unsigned roles,
                                         const char *name);

#endif /* CMC_SERVER_LOCAL_H */
