/* cmc/server.h: the reference CMC server core (DESIGN.md "The reference server core").
 * Input: body bytes + media type (+ Accept). Output: body bytes + media type + a
 * transport-neutral status. No global state; one cmc_server may be used from several
 * threads at once. */
#ifndef CMC_SERVER_H
#define CMC_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cmc_server_config cmc_server_config;
typedef struct cmc_server cmc_server;

/* A request as a transport delivers it. |media_type| is the Content-Type header value
 * (NULL if absent); |accept| the Accept header value (NULL if absent). Lent, not copied. */
typedef struct {
    const uint8_t *body;
    size_t body_len;
    const char *media_type;
    const char *accept;
} cmc_http_request;

/* The answer. |body| is owned (free with cmc_http_response_cleanup). |http_status| is the
 * HTTP status a transport should send (200, 400, 413, 415, 500); |media_type| the
 * Content-Type to send (table spelling, spec/CMC.md §10) or a text/plain reason.
 * |cmc_status| is the CMCStatus of the first body part (-1 if no CMC message was built),
 * |fail_info| its CMCFailInfo (-1 if none): for access logs. */
typedef struct {
    uint8_t *body;
    size_t body_len;
    char media_type[96];
    int http_status;
    int cmc_status;
    int fail_info;
} cmc_http_response;

/* cmc_http_response_cleanup frees |resp->body| and zeroes |resp|; NULL-safe. */
CMC_EXPORT void cmc_http_response_cleanup(cmc_http_response *resp);

/* cmc_server_config_load reads a reference server configuration (OpenSSL config syntax,
 * NCONF). On error, |err| (|err_len| bytes) holds one line naming the file, section and key. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_server_config_load(cmc_server_config **out, const char *path,
                                                          char *err, size_t err_len);
/* cmc_server_config_embedded builds the embedded default: the fixture PKI compiled into the
 * library, an in-memory store, officers as in vectors/pki. Test material only. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_server_config_embedded(cmc_server_config **out);
CMC_EXPORT void cmc_server_config_free(cmc_server_config *cfg);

/* ---- Configuration file (cmc_server_config_load). OpenSSL config syntax; relative file
 * names are resolved against the directory of the configuration file. Unknown sections'
 * keys are ignored, unknown keys in the sections below are errors (they are typos).
 *
 *   [server]
 *   ca_certificate       = ca.cert.pem          # PEM; issues every certificate
 *   ca_key               = ca.key.pem
 *   signer_certificate   = signer.cert.pem      # signs Full PKI Responses (may be the CA)
 *   signer_key           = signer.key.pem
 *   officer_trust_anchors = ca.cert.pem, other-root.pem   # comma-separated PEM files
 *   officers             = officers             # section listing the officers
 *   store                = cmc.sqlite           # SQLite file, or :memory:
 *   [officers]
 *   alice                = officer_alice        # name = section of that officer
 *   [officer_alice]
 *   certificate          = alice.cert.pem
 *   roles                = enroll, revoke       # any of enroll, revoke; empty = no role
 *   [policy]
 *   require_officer_for_enrollment = yes        # default yes
 *   revocation_reasons   = 0, 1, 3, 4, 5        # default; CRLReason numbers 0..10 except 7
 *   include_chain        = yes                  # CA certificate in certs-only; default yes
 *   validity_days        = 365                  # default 365, 1..36500
 *   signature_algorithms = rsa-sha256, rsa-sha384, rsa-sha512, rsa-pss-sha256,
 *                          rsa-pss-sha384, rsa-pss-sha512, ecdsa-p256, ecdsa-p384, ed25519
 *                          # default: all of them
 *   [limits]
 *   max_body_bytes       = 1048576              # default and maximum CMC_MAX_MESSAGE_BYTES
 *   [test]                                      # test mode only: determinism
 *   clock                = 20260701000000Z      # fixed clock (GeneralizedTime, UTC)
 *   seed                 = 00112233...          # hex; deterministic serials and nonces
 *   [test_faults]                               # fault injection, see CMC_FAULT_*
 *   accept-reason-2      = yes
 */

/* Officer roles (RFC 5272 §6.11 revocation, vendor "revocation role", spec/CMC.md §12). */
#define CMC_ROLE_ENROLL 0x1u /* may sign tcr/crm requests */
#define CMC_ROLE_REVOKE 0x2u /* may sign a revokeRequest */

/* Signature algorithm policy bits ([policy] signature_algorithms). Applied to the CMS
 * SignerInfo of a Full PKI Request and to the PKCS#10/CRMF proof-of-possession signature;
 * anything else is refused with failInfo badAlg. */
#define CMC_SIG_RSA_SHA256 0x001u
#define CMC_SIG_RSA_SHA384 0x002u
#define CMC_SIG_RSA_SHA512 0x004u
#define CMC_SIG_RSA_PSS_SHA256 0x008u
#define CMC_SIG_RSA_PSS_SHA384 0x010u
#define CMC_SIG_RSA_PSS_SHA512 0x020u
#define CMC_SIG_ECDSA_P256 0x040u
#define CMC_SIG_ECDSA_P384 0x080u
#define CMC_SIG_ED25519 0x100u
#define CMC_SIG_ALL 0x1FFu

/* Default revocation reasons: 0 unspecified, 1 keyCompromise, 3 affiliationChanged,
 * 4 superseded, 5 cessationOfOperation (spec/CMC.md §12). Bit r = CRLReason r. */
#define CMC_DEFAULT_REVOCATION_REASONS 0x3Bu

/* ---- Setters, mainly for tests and the vector generator. Each returns CMC_E_ARG for a bad
 * value and leaves |cfg| unchanged then. ---- */

/* cmc_server_config_set_clock fixes the server clock to |t| (test mode: signingTime,
 * certificate validity, officer validity checks and store times all use it). */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_server_config_set_clock(cmc_server_config *cfg, time_t t);
/* cmc_server_config_set_seed makes serial numbers and response nonces a deterministic
 * function of |seed| (1..64 bytes) and the number of certificates already in the store. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_server_config_set_seed(cmc_server_config *cfg,
                                                              const uint8_t *seed, size_t seed_len);
CMC_EXPORT CMC_MUST_USE cmc_status cmc_server_config_set_store(cmc_server_config *cfg,
                                                               const char *path);
CMC_EXPORT void cmc_server_config_set_include_chain(cmc_server_config *cfg, int on);
CMC_EXPORT void cmc_server_config_set_require_officer(cmc_server_config *cfg, int on);
/* |mask|: bit r allows CRLReason r; bits above 10 and bit 7 are refused. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_server_config_set_revocation_reasons(cmc_server_config *cfg,
                                                                            unsigned mask);
CMC_EXPORT CMC_MUST_USE cmc_status cmc_server_config_set_max_body(cmc_server_config *cfg,
                                                                  size_t max_body_bytes);

/* ---- Fault injection: TEST ONLY. Each fault makes the reference server wrong in one
 * documented way so the conformance runner can prove it catches that fault (issue 6). Off
 * unless set with cmc_server_config_set_fault or listed in a [test_faults] section. ---- */
#define CMC_FAULT_ACCEPT_REASON_2 0x01u      /* "accept-reason-2": cACompromise allowed */
#define CMC_FAULT_SKIP_DIGEST_CHECK 0x02u    /* "skip-digest-check": stage 1 not run */
#define CMC_FAULT_SKIP_CONTENT_TYPE 0x04u    /* "skip-content-type-check": stage 2 not run */
#define CMC_FAULT_ENROLL_CAN_REVOKE 0x08u    /* "enroll-officer-can-revoke" */
#define CMC_FAULT_DROP_RECIPIENT_NONCE 0x10u /* "drop-recipient-nonce" */
#define CMC_FAULT_CERTS_ONLY_NO_CHAIN 0x20u  /* "certs-only-without-chain" (chain promised) */

/* cmc_server_config_set_fault switches on the fault named |name| (spellings above).
 * CMC_E_ARG for an unknown name. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_server_config_set_fault(cmc_server_config *cfg,
                                                               const char *name);
/* cmc_server_fault_names lends the NULL-terminated list of fault names. */
CMC_EXPORT const char *const *cmc_server_fault_names(void);

/* ---- Certificate state, as getCert reports it (see cmc_server_handle below). ---- */
typedef struct {
    int revoked;       /* 0 good, 1 revoked */
    int reason;        /* CRLReason when revoked, else -1 */
    time_t revoked_at; /* when revoked, else 0 */
} cmc_cert_state;

/* Longest statusString the server writes for a certificate state. */
#define CMC_CERT_STATE_STR_MAX 96

/* cmc_cert_state_format writes the statusString the server puts on a successful getCert
 * body part: "status=good" or "status=revoked; reason=1; time=20260701000000Z".
 * cmc_cert_state_parse reads that form back (CMC_E_BAD_VALUE if it is not one). */
CMC_EXPORT void cmc_cert_state_format(char out[CMC_CERT_STATE_STR_MAX], const cmc_cert_state *st);
CMC_EXPORT CMC_MUST_USE cmc_status cmc_cert_state_parse(cmc_cert_state *out, const char *s);

/* cmc_server_new makes a server from |cfg| (copied; |cfg| may be freed afterwards). */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_server_new(cmc_server **out, const cmc_server_config *cfg);
CMC_EXPORT void cmc_server_free(cmc_server *srv);

/* cmc_server_handle answers one request. It returns CMC_OK whenever |resp| holds an answer
 * to send (including CMC failures and HTTP 4xx); another status means an internal failure
 * and |resp| then holds a 500 answer. Thread-safe: the server object is read-only after
 * cmc_server_new except for its store (one SQLite connection behind a mutex held for each
 * whole transaction) and its seeded random stream (internally locked).
 *
 * The answers (DESIGN.md "What the reference server answers", as implemented). "Full" is a
 * Full PKI Response (HTTP 200, CMC-response) signed by the response signer, carrying one
 * statusInfoV2 per body part reported, the echoed transactionId, the client's senderNonce
 * as recipientNonce, a fresh 16-byte senderNonce, and dataReturn when sent.
 *   body larger than the limit                       413 text/plain
 *   Content-Type absent, malformed, or not pkcs10 /
 *     pkcs7-mime;smime-type=CMC-request (any case)   415 text/plain (also for bare
 *                                                    application/pkcs7-mime)
 *   bytes do not parse (empty, truncated, trailing
 *     bytes, huge lengths, BER PKCS#10, wrong kind
 *     for the media type)                            Full, failed/badRequest, bodyList {0}
 *   EnvelopedData                                    Full, failed/badMessageCheck {0}
 *   stage 1 messageDigest mismatch or missing        Full, failed/badMessageCheck {0},
 *                                                    "stage 1 (message digest): ..."
 *   stage 2 eContentType / content-type attribute    Full, failed/badMessageCheck {0},
 *                                                    "stage 2 (content type): ..."
 *   stage 3 signature does not verify                Full, failed/badMessageCheck {0},
 *                                                    "stage 3 (officer): signature ..."
 *   stage 3 signer untrusted / expired / not yet
 *     valid / revoked (in this server's store)       Full, failed/badRequest {0}, "stage 3
 *                                                    (officer): signer certificate <why>"
 *   stage 3 SignerInfo digest/signature algorithm or
 *     signer key outside [policy]
 *     signature_algorithms (e.g. SHA-1, RSA-1024,
 *     P-521)                                         Full, failed/badAlg {0}, "stage 3
 *                                                    (officer): SignerInfo N: ..."
 *   self-signed (policy off): signer SKI matches no
 *     tcr/crm SubjectKeyIdentifier extension         Full, failed/badRequest {0} ("stage 3")
 *   self-signed with more than one SignerInfo        Full, failed/badRequest {0}
 *   stage 3 not a registered officer, or lacking
 *     the role (enroll: tcr/crm; revoke:
 *     revokeRequest); no SignerInfo at all           Full, failed/badRequest {0}
 *   PKIData does not parse (after stage 3)           Full, failed/badRequest {0}
 *   control not implemented and not listed in a
 *     controlProcessed control (RFC 5272 §3.2.1.2)   Full, failed/badRequest, bodyList = the
 *                                                    unknown controls' IDs; nothing done
 *   orm request                                      noSupport on it; other requests of the
 *                                                    PKIData failed/badRequest, not processed
 *   PKCS#10 / CRMF POP fails, or there is none
 *     (id-alg-noSignature, CRMF raVerified,
 *     poposkInput, keyEncipherment/keyAgreement)     failed/popFailed on that body part
 *   key type, PKCS#10 signature or CRMF POP
 *     algorithm outside [policy]
 *     signature_algorithms                           failed/badAlg on that body part
 *   empty subject                                    failed/badRequest on that body part
 *   more than one revokeRequest (controls or values) failed/badRequest, bodyList = their IDs
 *   reason not a CRLReason (7, <0, >10)              failed/badRequest on the control
 *   reason not in the policy list (default 0,1,3,4,5) failed/badRequest on the control
 *   revoke: issuer not this CA, or unknown serial    failed/badCertId on the control
 *   revoke: already revoked                          failed/badRequest "already revoked"
 *   revoke: success                                  success "status=revoked; reason=N;
 *                                                    time=YYYYMMDDHHMMSSZ" (Full, always)
 *   getCert: found                                   Full (always: the state needs it), the
 *                                                    certificate in SignedData.certificates,
 *                                                    success with statusString
 *                                                    cmc_cert_state_format() ("status=good"
 *                                                    or "status=revoked; reason=N; time=...")
 *   getCert: issuer not this CA or unknown serial    failed/badCertId on the control
 *   Simple PKI Request, officer required (default)   Full, failed/badRequest, bodyList {1}
 *   Simple PKI Request POP failure (policy off)      Full, failed/popFailed, bodyList {1}
 *   certificates issued, nothing else to say         certs-only (+ CA certificate unless
 *                                                    include_chain = no), or pkix-cert (one
 *                                                    certificate) or Full, by Accept weight;
 *                                                    ties go to the RFC default: certs-only,
 *                                                    but Full when the Full PKI Request
 *                                                    carries transactionId or senderNonce
 *                                                    (their echo needs it, RFC 5272 §6.6)
 * A malformed Accept header is ignored (treated as absent). */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_server_handle(cmc_server *srv, const cmc_http_request *req,
                                                     cmc_http_response *resp);

#ifdef __cplusplus
}
#endif
#endif /* CMC_SERVER_H */
