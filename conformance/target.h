/* target.h: the target a conformance run talks to, read from `--target FILE` (OpenSSL config
 * syntax, NCONF), from `--url URL`, or the embedded reference server (the default).
 *
 *   [target]
 *   url = https://ca.example.com/cmc   # http(s)://, tcp://HOST[:PORT], file:INBOX,OUTBOX,
 *                                      # exec:COMMAND, or "embedded"
 *   ca_cert = vendor-ca.pem            # the CA the response signer must chain to
 *   untrusted = intermediates.pem      # optional intermediates
 *   tls_ca = tls-roots.pem             # https trust anchors (default: system store)
 *   tls_cert = client.pem              # optional https client certificate
 *   tls_key = client.key
 *   timeout = 30                       # seconds per exchange
 *   fixture_officers = no              # yes: the target trusts vectors/pki officers, so the
 *                                      # committed request bytes are replayed as they are
 *   profile = documented-vendor        # default profile for this target
 *   [enroll_officer]                   # credentials the runner signs enrollments with
 *   cert = officer.pem
 *   key = officer.key
 *   [revoke_officer]                   # credentials for revocations
 *   cert = revoker.pem
 *   key = revoker.key
 *   [policy]
 *   allowed_reasons = 0, 1, 3, 4, 5    # CRLReasons the target accepts
 *   enroll_needs_officer = yes
 *   response_types = certs-only, certs-only-chain, pkix-cert, cmc-response
 *
 * Relative paths are relative to the configuration file. Credentials are held as loaded
 * objects and are never printed nor written into a report: cmc_conform_target_describe gives
 * the only text about a target that reports may use. */
#ifndef CMC_CONFORM_TARGET_H
#define CMC_CONFORM_TARGET_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Largest configuration file read (NCONF has no limit of its own); a target config is a
 * few hundred bytes. */
#define CMC_CONFORM_MAX_TARGET_CONFIG_BYTES (64 * 1024)

/* Response types a target may offer (policy response_types). */
#define CMC_CONFORM_RESP_CERTS_ONLY 0x01u       /* certs-only without the issuer chain */
#define CMC_CONFORM_RESP_CERTS_ONLY_CHAIN 0x02u /* certs-only with the issuer chain */
#define CMC_CONFORM_RESP_PKIX_CERT 0x04u        /* application/pkix-cert */
#define CMC_CONFORM_RESP_CMC_RESPONSE 0x08u     /* Full PKI Response */
#define CMC_CONFORM_RESP_ALL 0x0Fu

typedef struct {
    X509 *cert;
    EVP_PKEY *key;
    STACK_OF(X509) *chain; /* certificates in the cert file after the first */
} cmc_conform_credential;

typedef struct {
    char *url;     /* "embedded" for the in-process reference server */
    int embedded;  /* 1 for the in-process reference server */
    X509 *ca_cert; /* NULL: the fixture CA for embedded/fixture targets, else unchecked */
    STACK_OF(X509) *untrusted;
    char *tls_ca;
    char *tls_cert;
    char *tls_key;
    unsigned timeout_ms;
    int fixture_officers; /* 1: replay committed request bytes */
    char *profile;        /* NULL: the command line's or "rfc" */
    cmc_conform_credential enroll;
    cmc_conform_credential revoke;
    /* Policy; has_* 0 when the configuration does not say (profile, then reference, decide). */
    int has_allowed_reasons;
    unsigned allowed_reasons; /* bit r: CRLReason r */
    int has_enroll_needs_officer;
    int enroll_needs_officer;
    int has_response_types;
    unsigned response_types; /* CMC_CONFORM_RESP_* */
} cmc_conform_target;

/* cmc_conform_target_embedded: the in-process reference server (fixture officers). */
cmc_conform_target *cmc_conform_target_embedded(void);
/* cmc_conform_target_url: a bare URL; no credentials, so only cases that need none run,
 * unless |fixture_officers| (a reference server started with the embedded default). */
cmc_conform_target *cmc_conform_target_url(const char *url, int fixture_officers);
/* cmc_conform_target_load reads a target configuration; NULL with a one-line reason (file,
 * section, key) in |err| on error. The reason never contains key material. */
cmc_conform_target *cmc_conform_target_load(const char *path, char *err, size_t err_len);
void cmc_conform_target_free(cmc_conform_target *t);

/* cmc_conform_target_describe writes a description safe for reports: the URL with any
 * user:password@ removed ("embedded" for the reference server). */
void cmc_conform_target_describe(const cmc_conform_target *t, char *buf, size_t buf_len);

/* cmc_conform_parse_reason_list parses "0, 1, 3" into a bit set; -1 on a bad list. */
int cmc_conform_parse_reason_list(const char *s, unsigned *out);
/* cmc_conform_parse_response_types parses "certs-only, pkix-cert" into CMC_CONFORM_RESP_*. */
int cmc_conform_parse_response_types(const char *s, unsigned *out);

#ifdef __cplusplus
}
#endif
#endif /* CMC_CONFORM_TARGET_H */
