/* cmc/msg.h: the message layer of libcmc (DESIGN.md "Data flows one way"): deterministic
 * randomness, sniffing, client-side builders (PKCS#10, CRMF, PKIData), CMS signing with
 * fault injection for negative vectors, the generic SignedData verifier (stages 1-3 of
 * spec/CMC.md §9.2), Simple and Full PKI Response builders, and the response reader.
 * The server core, the vector generator, the conformance runner and the req/resp tools all
 * use these functions, so there is one codec in the project.
 *
 * Conventions (STYLE.md): out params first, then inputs; "lent" arguments are borrowed for
 * the duration of the call only; byte buffers returned through |uint8_t **out| are new and
 * freed with cmc_free. Every fallible function returns a cmc_status and leaves its outputs
 * unchanged on error unless its comment says otherwise. OIDs are dotted text
 * ("1.3.6.1.5.5.7.12.2"); the CMC_OID_* constants are in cmc/asn1.h. */
#ifndef CMC_MSG_H
#define CMC_MSG_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/crmf.h>
#include <openssl/x509.h>

#include "cmc/asn1.h"
#include "cmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ====================================================================================
 * Deterministic randomness (generator and test mode)
 * ==================================================================================== */

/* cmc_rand_deterministic_begin makes OpenSSL's RAND_bytes/RAND_priv_bytes (and therefore
 * ECDSA nonces, RSA-PSS salts, key generation) a deterministic HMAC-SHA256 stream keyed by
 * |seed| (|seed_len| bytes, 1..64), process-wide, until cmc_rand_deterministic_end.
 * Calling begin again restarts the stream from the new seed. Test/generator use only: the
 * output is predictable by design. Thread-safe (the stream is guarded by a mutex), but the
 * byte sequence each thread sees then depends on scheduling: use it single-threaded when
 * you need identical bytes. CMC_E_ARG for an empty or oversize seed. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_rand_deterministic_begin(const uint8_t *seed,
                                                                size_t seed_len);
/* cmc_rand_deterministic_end restores OpenSSL's default random source. Idempotent. */
CMC_EXPORT void cmc_rand_deterministic_end(void);
/* cmc_rand_is_deterministic returns 1 between begin and end, else 0. */
CMC_EXPORT int cmc_rand_is_deterministic(void);

/* cmc_drbg is a per-object deterministic byte source (HMAC-SHA256 in counter mode over the
 * seed), for values such as serial numbers, without global state. One object may be used
 * from several threads (internally locked). */
typedef struct cmc_drbg cmc_drbg;
#define CMC_DRBG_MAX_SEED 64 /* HMAC-SHA256 key: longer seeds add nothing */
/* cmc_drbg_new: |*out| is new (free with cmc_drbg_free). |seed_len| 1..CMC_DRBG_MAX_SEED. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_drbg_new(cmc_drbg **out, const uint8_t *seed,
                                                size_t seed_len);
CMC_EXPORT void cmc_drbg_free(cmc_drbg *drbg);
/* cmc_drbg_bytes fills |out| (|out_len| bytes) with the next bytes of the stream. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_drbg_bytes(cmc_drbg *drbg, uint8_t *out, size_t out_len);
/* cmc_random_bytes draws from |drbg| if non-NULL, else from OpenSSL's RAND_bytes (which is
 * itself deterministic between cmc_rand_deterministic_begin/end). */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_random_bytes(cmc_drbg *drbg, uint8_t *out, size_t out_len);

/* ====================================================================================
 * Sniffing (spec/CMC.md §9.2 step 1): classify bytes without trusting a media type.
 * ==================================================================================== */

typedef enum {
    CMC_SNIFF_UNKNOWN = 0,      /* none of the below */
    CMC_SNIFF_PKCS10 = 1,       /* CertificationRequest: 30 .. 30 .. 02 01 00 30 .. */
    CMC_SNIFF_CONTENT_INFO = 2, /* ContentInfo: 30 .. 06 <oid> [A0 ..] */
    CMC_SNIFF_CERTIFICATE = 3,  /* X.509 Certificate: 30 .. 30 .. A0 03 02 01 0v */
} cmc_sniff_kind;

typedef struct {
    cmc_sniff_kind kind;
    /* CMC_SNIFF_CONTENT_INFO only (else NID_undef / ""): the ContentInfo contentType. */
    int content_type_nid;      /* NID_pkcs7_signed, NID_pkcs7_enveloped, ... or NID_undef */
    char content_type_oid[80]; /* dotted text */
    /* For signedData: the encapContentInfo.eContentType (id-cct-PKIData, id-data for
     * certs-only, ...), and whether an eContent is present; "" / -1 when not reached. */
    char econtent_type_oid[80];
    int has_econtent;
} cmc_sniff_result;

/* cmc_sniff classifies |in| by its leading DER/BER headers only (indefinite lengths
 * allowed, bounded depth); it never allocates and never fails on bad bytes: it returns
 * CMC_OK with kind CMC_SNIFF_UNKNOWN instead. CMC_E_ARG only for NULL |out|. A result other
 * than UNKNOWN does not mean the whole message is well formed. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_sniff(cmc_sniff_result *out, const uint8_t *in,
                                             size_t in_len);
/* cmc_sniff_kind_name: "unknown", "pkcs10", "content-info", "certificate". */
CMC_EXPORT const char *cmc_sniff_kind_name(cmc_sniff_kind kind);

/* ====================================================================================
 * Keys and names
 * ==================================================================================== */

#define CMC_SKI_LEN 20 /* RFC 5280 §4.2.1.2 method (1): SHA-1 of subjectPublicKey */
/* cmc_key_ski writes the RFC 5280 §4.2.1.2 (1) key identifier of |key| to |out|. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_key_ski(uint8_t out[CMC_SKI_LEN], const EVP_PKEY *key);
/* cmc_name_parse turns "/CN=x/O=y" (OpenSSL -subj syntax, UTF-8, "" = empty Name) into a
 * new X509_NAME. CMC_E_ARG on syntax errors. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_name_parse(X509_NAME **out, const char *subject);
/* cmc_default_md is the digest used when an option says NULL: SHA-256 for RSA and P-256,
 * SHA-384 for P-384, SHA-512 for P-521, NULL (pure signature) for Ed25519/Ed448 as signing
 * digest. Lent static object. */
CMC_EXPORT const EVP_MD *cmc_default_md(const EVP_PKEY *key);

/* ====================================================================================
 * Client-side request builders
 * ==================================================================================== */

/* Options shared by the PKCS#10 and CRMF builders. Zero-initialise, then set what you need.
 * Subject: |subject| ("/CN=x") wins over |subject_name|; both NULL = empty Name (legal,
 * RFC 5272 §3.2.1.2.1). |extensions| are copied in order; |add_ski| appends a
 * SubjectKeyIdentifier extension with cmc_key_ski(key) (or |ski|/|ski_len| when set: lets
 * a negative vector carry a mismatching SKI). |md| NULL = cmc_default_md(key) (pure
 * Ed25519). */
typedef struct {
    const char *subject;
    const X509_NAME *subject_name;
    const STACK_OF(X509_EXTENSION) *extensions;
    int add_ski;
    const uint8_t *ski;
    size_t ski_len;
    const EVP_MD *md;
} cmc_req_options;

/* cmc_p10_build makes a PKCS#10 request signed by |key| (its own key: the POP). |*out| is
 * new (X509_REQ_free). |opt| may be NULL (empty subject, no extensions). */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_p10_build(X509_REQ **out, EVP_PKEY *key,
                                                 const cmc_req_options *opt);
/* cmc_p10_build_der is cmc_p10_build returning DER (free with cmc_free). */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_p10_build_der(uint8_t **out, size_t *out_len, EVP_PKEY *key,
                                                     const cmc_req_options *opt);

/* cmc_crmf_build makes a CRMF CertReqMsg (RFC 4211) as CMC wants it (RFC 5272
 * §3.2.1.2.2): certReqId = |cert_req_id| (the body part ID; any int64 value is encoded,
 * including 0, -1 and 2^32, so negative vectors can be built), certTemplate with subject
 * and publicKey (+ extensions), and a signature POP (POPOSigningKey without
 * poposkInput) by |key| over the DER CertRequest. |*out| is new (OSSL_CRMF_MSG_free). */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_crmf_build(OSSL_CRMF_MSG **out, EVP_PKEY *key,
                                                  int64_t cert_req_id, const cmc_req_options *opt);
/* cmc_crmf_build_der is cmc_crmf_build returning the DER CertReqMsg. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_crmf_build_der(uint8_t **out, size_t *out_len, EVP_PKEY *key,
                                                      int64_t cert_req_id,
                                                      const cmc_req_options *opt);

/* Proof of possession checks (server side; spec/CMC.md §9.4, §13 item 18).
 * cmc_p10_verify_pop: the PKCS#10 self-signature with its own key. CMC_OK, CMC_E_POP (bad
 * signature or no key), CMC_E_UNSUPPORTED for id-alg-noSignature (needs the §6.7 encrypted
 * POP, which the reference server does not offer). */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_p10_verify_pop(const X509_REQ *req);
/* cmc_p10_verify_pop_key is cmc_p10_verify_pop with the request's key already built
 * (cmc_spki_get1_pkey; lent, NULL = does not decode → CMC_E_POP). */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_p10_verify_pop_key(const X509_REQ *req, EVP_PKEY *key);
/* cmc_crmf_verify_pop: a CRMF signature POP over the DER CertRequest (RFC 4211 §4.1) with
 * the template's public key. CMC_E_POP when the POP is absent, raVerified (no RA vouched),
 * uses poposkInput (forbidden by RFC 5272 §3.2.1.2.2) or does not verify;
 * CMC_E_UNSUPPORTED for keyEncipherment/keyAgreement POP. (OpenSSL 3.0's
 * OSSL_CRMF_MSGS_verify_popo takes a stack index, not the certReqId: this wraps it.) */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_crmf_verify_pop(const OSSL_CRMF_MSG *msg);

/* PKIData builder (RFC 5272 §3.2.1). Items are emitted in the order added within each of
 * the four sequences. Every add function takes |id|: CMC_BPID_AUTO assigns the next free
 * ID 1, 2, 3, ... (skipping IDs used explicitly); any other value is encoded as given,
 * including 0, duplicates, -1 and 2^32 (negative vectors). |out_id| (may be NULL) receives
 * the ID used. */
#define CMC_BPID_AUTO INT64_MIN
typedef struct cmc_pki_data_builder cmc_pki_data_builder;

CMC_EXPORT CMC_MUST_USE cmc_status cmc_pki_data_builder_new(cmc_pki_data_builder **out);
CMC_EXPORT void cmc_pki_data_builder_free(cmc_pki_data_builder *b);

/* Controls (controlSequence). */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_pki_data_builder_add_transaction_id(cmc_pki_data_builder *b,
                                                                           int64_t *out_id,
                                                                           int64_t id,
                                                                           uint64_t transaction_id);
CMC_EXPORT CMC_MUST_USE cmc_status cmc_pki_data_builder_add_sender_nonce(
    cmc_pki_data_builder *b, int64_t *out_id, int64_t id, const uint8_t *nonce, size_t nonce_len);
CMC_EXPORT CMC_MUST_USE cmc_status cmc_pki_data_builder_add_recipient_nonce(
    cmc_pki_data_builder *b, int64_t *out_id, int64_t id, const uint8_t *nonce, size_t nonce_len);
CMC_EXPORT CMC_MUST_USE cmc_status cmc_pki_data_builder_add_data_return(cmc_pki_data_builder *b,
                                                                        int64_t *out_id, int64_t id,
                                                                        const uint8_t *data,
                                                                        size_t data_len);

/* RevokeRequest (RFC 5272 §6.11). |reason| is encoded as given (ENUMERATED), so 7, 11 and
 * -1 can be sent. Optional fields are omitted when NULL / has_invalidity_date == 0. */
typedef struct {
    const X509_NAME *issuer;    /* required */
    const ASN1_INTEGER *serial; /* required */
    long reason;                /* CRLReason */
    int has_invalidity_date;
    int64_t invalidity_date;   /* Unix seconds, GeneralizedTime */
    const uint8_t *passphrase; /* OCTET STRING (sharedSecret) */
    size_t passphrase_len;
    const char *comment; /* UTF8String */
} cmc_revoke_spec;
CMC_EXPORT CMC_MUST_USE cmc_status cmc_pki_data_builder_add_revoke_request(
    cmc_pki_data_builder *b, int64_t *out_id, int64_t id, const cmc_revoke_spec *spec);
/* GetCert (RFC 5272 §6.9): issuerName as a directoryName GeneralName. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_pki_data_builder_add_get_cert(cmc_pki_data_builder *b,
                                                                     int64_t *out_id, int64_t id,
                                                                     const X509_NAME *issuer,
                                                                     const ASN1_INTEGER *serial);
/* Any control: |oid| dotted, |values| = |num_values| complete DER encodings placed in
 * attrValues (0 values = an empty SET, for negative vectors). Not checked. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_pki_data_builder_add_control_raw(
    cmc_pki_data_builder *b, int64_t *out_id, int64_t id, const char *oid,
    const uint8_t *const *values, const size_t *value_lens, size_t num_values);

/* Requests (reqSequence). tcr: a PKCS#10 (object, or DER taken as is, for malformed
 * requests). crm: the body part ID is the message's certReqId (set when the CertReqMsg
 * was built; it is covered by the POP signature), so there is no |id| argument; |out_id|
 * receives it (or CMC_BPID_AUTO if it does not fit int64). */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_pki_data_builder_add_tcr(cmc_pki_data_builder *b,
                                                                int64_t *out_id, int64_t id,
                                                                const X509_REQ *req);
CMC_EXPORT CMC_MUST_USE cmc_status cmc_pki_data_builder_add_tcr_der(cmc_pki_data_builder *b,
                                                                    int64_t *out_id, int64_t id,
                                                                    const uint8_t *der,
                                                                    size_t der_len);
CMC_EXPORT CMC_MUST_USE cmc_status cmc_pki_data_builder_add_crm(cmc_pki_data_builder *b,
                                                                int64_t *out_id,
                                                                const OSSL_CRMF_MSG *msg);
/* cmsSequence / otherMsgSequence entries from raw DER (ContentInfo; OtherMsg value). */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_pki_data_builder_add_cms_raw(cmc_pki_data_builder *b,
                                                                    int64_t *out_id, int64_t id,
                                                                    const uint8_t *content_info_der,
                                                                    size_t der_len);
CMC_EXPORT CMC_MUST_USE cmc_status
cmc_pki_data_builder_add_other_msg_raw(cmc_pki_data_builder *b, int64_t *out_id, int64_t id,
                                       const char *oid, const uint8_t *value_der, size_t value_len);

/* cmc_pki_data_builder_to_der encodes the PKIData (DER; |*out| new, cmc_free). The builder
 * is unchanged and may be encoded again. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_pki_data_builder_to_der(const cmc_pki_data_builder *b,
                                                               uint8_t **out, size_t *out_len);

/* ====================================================================================
 * CMS SignedData: signing (RFC 5652 §5; spec/CMC.md §9.1, §13 items 15, 16, 21)
 * ==================================================================================== */

typedef enum {
    CMC_SID_ISSUER_SERIAL = 0, /* SignerInfo v1, issuerAndSerialNumber of |cert| */
    CMC_SID_SKI = 1,           /* SignerInfo v3, [0] subjectKeyIdentifier */
} cmc_sid_type;

/* Per-signer fault injection (negative vectors). Each fault still yields a message whose
 * other parts are correct; the verifier reports it at exactly one stage. */
#define CMC_FAULT_OMIT_CONTENT_TYPE_ATTR 0x0001u  /* stage 2: no content-type attribute */
#define CMC_FAULT_CONTENT_TYPE_ATTR_OTHER 0x0002u /* stage 2: attribute = fault_content_type */
#define CMC_FAULT_WRONG_MESSAGE_DIGEST                                                             \
    0x0004u                                        /* stage 1: messageDigest bit flipped,          \
                                                    * attributes still validly signed */
#define CMC_FAULT_FLIP_SIGNATURE 0x0008u           /* stage 3: last signature bit flipped */
#define CMC_FAULT_OMIT_MESSAGE_DIGEST_ATTR 0x0010u /* stage 1: no messageDigest attribute */
#define CMC_FAULT_OMIT_SIGNING_TIME                                                                \
    0x0020u /* not a fault for CMC: signingTime is                                                 \
             * optional; for completeness */

typedef struct {
    EVP_PKEY *key; /* lent; required */
    X509 *cert;    /* lent; required for ISSUER_SERIAL; optional for SKI */
    cmc_sid_type sid;
    const uint8_t *ski; /* SKI sid value; NULL = from |cert|'s SKI ext, else
                         * cmc_key_ski(key) */
    size_t ski_len;
    const EVP_MD *md;               /* NULL = cmc_default_md(key); SHA-512 digest for Ed25519 */
    int rsa_pss;                    /* RSA keys: RSASSA-PSS (salt = hash length, MGF1 same hash) */
    int include_cert;               /* 1: put |cert| into SignedData.certificates */
    uint32_t faults;                /* CMC_FAULT_* above */
    const char *fault_content_type; /* for CMC_FAULT_CONTENT_TYPE_ATTR_OTHER; NULL = id-data */
    const EVP_MD_CTX *sign_ctx;     /* lent, optional: from cmc_sign_ctx_new for this |key|,
                                     * |md| and |rsa_pss|; each signature copies it instead of
                                     * running EVP_DigestSignInit, which fetches the algorithms
                                     * again (issue 8). NULL = initialise per signature. */
} cmc_signer;

/* cmc_sign_ctx_new makes the reusable signing context of cmc_signer.sign_ctx: initialised
 * for |key| with |md| (NULL = cmc_default_md) and, for RSA, PSS padding if |rsa_pss|.
 * EdDSA signs in one shot without a reusable context: |*out| is then NULL and CMC_OK. Free
 * with EVP_MD_CTX_free. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_sign_ctx_new(EVP_MD_CTX **out, EVP_PKEY *key,
                                                    const EVP_MD *md, int rsa_pss);

/* Message-level faults. */
#define CMC_SFAULT_MODIFY_CONTENT 0x0001u /* stage 1: one eContent bit flipped after signing */
#define CMC_SFAULT_DETACHED 0x0002u       /* eContent omitted (detached signature) */
#define CMC_SFAULT_BER                                                                             \
    0x0004u                          /* BER: indefinite lengths on ContentInfo,                    \
                                      * SignedData, encapContentInfo, and eContent as a            \
                                      * constructed OCTET STRING; signedAttrs stay DER */
#define CMC_SFAULT_VERSION_1 0x0008u /* SignedData version 1 (OpenSSL's unsigned form) */

typedef struct {
    const char *econtent_type; /* dotted OID; NULL = id-cct-PKIData */
    int64_t signing_time;      /* Unix seconds for the signingTime attribute; 0 = now */
    STACK_OF(X509) *certs;     /* lent: extra certificates (chain, issued certs) */
    uint32_t faults;           /* CMC_SFAULT_* */
} cmc_sign_options;

/* cmc_signed_data_sign wraps |content| (|content_len| bytes, e.g. a DER PKIData) in a
 * ContentInfo/SignedData signed by each of |signers| (|num_signers| >= 0; 0 gives the
 * unsigned SignedData of RFC 5272 §6.11 with version 3). Signed attributes: contentType,
 * signingTime, messageDigest (DER-sorted, no SMIMECapabilities). RSA PKCS#1 v1.5 and PSS,
 * ECDSA and Ed25519 (RFC 8419, built by hand: OpenSSL 3.0's CMS cannot) are supported.
 * Certificates: the included signer certs, then |opt->certs|, DER-sorted as SET OF.
 * Output is DER unless CMC_SFAULT_BER. |opt| may be NULL. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_signed_data_sign(uint8_t **out, size_t *out_len,
                                                        const uint8_t *content, size_t content_len,
                                                        const cmc_signer *signers,
                                                        size_t num_signers,
                                                        const cmc_sign_options *opt);

/* ====================================================================================
 * CMS SignedData: verification (spec/CMC.md §9.2 stages 1-3; §13 items 11-15, 21)
 * ==================================================================================== */

#define CMC_VERIFY_NO_CHAIN 0x0001u /* check the signature only, not the signer's path */
/* TEST ONLY (reference server fault injection, cmc/server.h CMC_FAULT_*): skip stage 1
 * (messageDigest) or stage 2 (content type). Never set outside fault-injection tests. */
#define CMC_VERIFY_SKIP_DIGEST 0x0002u
#define CMC_VERIFY_SKIP_CONTENT_TYPE 0x0004u

typedef struct {
    const char *expected_content_type; /* dotted; NULL = id-cct-PKIData */
    X509_STORE *trust;                 /* lent trust anchors; NULL with CMC_VERIFY_NO_CHAIN only */
    STACK_OF(X509) *untrusted;         /* lent: intermediates and candidate signer certificates
                                        * besides those in the message */
    EVP_PKEY *const *ski_keys;         /* lent: keys a subjectKeyIdentifier signer may use (the
                                        * requests' own keys of a self-signed Full PKI Request,
                                        * RFC 5272 §3.2); matched by cmc_key_ski or by the SKI
                                        * given in |ski_key_ids| */
    const uint8_t *const *ski_key_ids; /* optional, parallel to |ski_keys| (NULL = computed) */
    const size_t *ski_key_id_lens;
    size_t num_ski_keys;
    int64_t verify_time;      /* Unix seconds for path validity; 0 = now */
    const char *required_eku; /* dotted OID the signer certificate must carry in its EKU
                               * (e.g. id-kp-cmcCA for responses); NULL = no EKU policy */
    uint32_t flags;           /* CMC_VERIFY_* */
    STACK_OF(X509) *known;    /* lent, optional: certificates the verifier already holds
                               * (the server's officers and anchors). A message certificate
                               * equal to one byte for byte is replaced by it, so its key is
                               * not decoded again (spec/CMC.md §13); any other is decoded. */
} cmc_verify_options;

/* What cmc_signed_data_verify learnt about one SignerInfo, for algorithm policy. */
typedef struct {
    X509_ALGOR *digest_alg;    /* owned copy of SignerInfo.digestAlgorithm */
    X509_ALGOR *signature_alg; /* owned copy of SignerInfo.signatureAlgorithm */
    EVP_PKEY *key;             /* owned reference to the key its signature verified with
                                * (signer certificate's or SKI key); NULL when the signer
                                * was not found, its signature failed, or stage 1/2 failed */
} cmc_verified_signer;

typedef struct {
    uint8_t *content; /* eContent octets as received (concatenated if the OCTET
                       * STRING was constructed); owned */
    size_t content_len;
    char econtent_type[80]; /* dotted eContentType */
    STACK_OF(X509) *certs;  /* every certificate of SignedData.certificates; owned */
    X509 *signer_cert;      /* owned; the first signer's certificate once its signature
                             * verified (also when its path then failed); NULL for an
                             * SKI-key signer or when not found */
    long ski_key_index;     /* index into ski_keys of the matching key, else -1 */
    size_t num_signers;     /* SignerInfos in the message */
    int has_signing_time;
    int64_t signing_time;         /* signingTime attribute of the first signer, Unix seconds */
    cmc_verified_signer *signers; /* owned; |num_signers| entries in message order once the
                                   * SignerInfos were read (1..16 of them), else NULL */
} cmc_verified;

/* cmc_verified_init zeroes |v| (ski_key_index = -1); cmc_verified_cleanup frees what it
 * holds and re-inits it. NULL-safe. */
CMC_EXPORT void cmc_verified_init(cmc_verified *v);
CMC_EXPORT void cmc_verified_cleanup(cmc_verified *v);

/* cmc_signed_data_verify parses |in| as a ContentInfo/SignedData (BER accepted; at most
 * CMC_MAX_MESSAGE_BYTES, CMC_MAX_CERTS_PER_SIGNED_DATA certificates) and checks, in this
 * order, for every SignerInfo:
 *   stage 1  messageDigest attribute present, single, equal to the digest of eContent
 *            → CMC_E_DIGEST (CMC_E_ALG: digest algorithm unknown)
 *   stage 2  eContentType == |opt->expected_content_type|, contentType attribute present,
 *            single, equal to eContentType → CMC_E_CONTENT_TYPE
 *   stage 3  signer found (issuerAndSerialNumber in the message's or |untrusted| certs;
 *            subjectKeyIdentifier among those certs or |ski_keys|) and the signature over
 *            the signed attributes verifies → CMC_E_SIGNATURE (signer not found:
 *            CMC_E_SIGNER_UNTRUSTED); then the signer certificate's path to |trust| at
 *            |verify_time| (X509_PURPOSE_ANY; EKU via |required_eku|) →
 *            CMC_E_SIGNER_EXPIRED, CMC_E_SIGNER_NOT_YET_VALID or CMC_E_SIGNER_UNTRUSTED.
 *            An SKI-key signer (no certificate) has no path to check.
 * Across several SignerInfos the lowest failing stage wins (stage 1 before 3), so a
 * message failing stages 1 and 3 reports CMC_E_DIGEST. Structural results: CMC_E_DER /
 * CMC_E_TRAILING / CMC_E_LIMIT / CMC_E_NOT_CMC (not SignedData), CMC_E_DETACHED (no
 * eContent), CMC_E_UNSIGNED (zero SignerInfos; stage 2's eContentType check runs first).
 *
 * |out| must be initialised (cmc_verified_init). Unlike most functions, |out| is filled
 * whenever the SignedData parsed, even when a stage fails (CMC_E_DIGEST,
 * CMC_E_CONTENT_TYPE, CMC_E_SIGNATURE, CMC_E_SIGNER_*, CMC_E_UNSIGNED): the server needs
 * the (then unauthenticated) content to echo nonces and to route unsigned revocations.
 * Only CMC_OK means the content is authenticated. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_signed_data_verify(cmc_verified *out, const uint8_t *in,
                                                          size_t in_len,
                                                          const cmc_verify_options *opt);

/* ====================================================================================
 * Simple PKI Response (RFC 5272 §4.1) and application/pkix-cert (RFC 5273)
 * ==================================================================================== */

/* cmc_certs_only_build makes a certs-only SignedData (version 1, no digest algorithms,
 * id-data without eContent, no SignerInfos) holding |certs| (lent; 1..max, DER-sorted). */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_certs_only_build(uint8_t **out, size_t *out_len,
                                                        STACK_OF(X509) *certs);
/* cmc_certs_only_parse reads a certs-only SignedData: |*out| new stack (sk_X509_pop_free)
 * with the certificates in message order. CMC_E_NOT_CMC if it has SignerInfos or an
 * eContent, CMC_E_LIMIT above CMC_MAX_CERTS_PER_SIGNED_DATA. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_certs_only_parse(STACK_OF(X509) **out, const uint8_t *in,
                                                        size_t in_len);
/* cmc_pkix_cert_encode: DER of |cert| (cmc_free). cmc_pkix_cert_parse: exactly one DER
 * certificate, CMC_E_TRAILING if bytes follow; |*out| new. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_pkix_cert_encode(uint8_t **out, size_t *out_len,
                                                        const X509 *cert);
CMC_EXPORT CMC_MUST_USE cmc_status cmc_pkix_cert_parse(X509 **out, const uint8_t *in,
                                                       size_t in_len);

/* ====================================================================================
 * Full PKI Response builder (RFC 5272 §4.2) - used by the server core
 * ==================================================================================== */

typedef struct cmc_pki_response_builder cmc_pki_response_builder;
CMC_EXPORT CMC_MUST_USE cmc_status cmc_pki_response_builder_new(cmc_pki_response_builder **out);
CMC_EXPORT void cmc_pki_response_builder_free(cmc_pki_response_builder *b);

/* statusInfoV2 (RFC 5272 §6.1.1) about |body_list| (|num_body_list| >= 1 BodyPartIDs,
 * encoded as given; 0 = the whole PKIData). |status_string| NULL = absent. |fail_info|
 * >= 0 adds otherInfo failInfo (use only with failed), -1 = absent. The control itself
 * gets body part ID |id| (CMC_BPID_AUTO as in the PKIData builder). */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_pki_response_builder_add_status(
    cmc_pki_response_builder *b, int64_t *out_id, int64_t id, long status, const int64_t *body_list,
    size_t num_body_list, const char *status_string, long fail_info);
/* Echo transactionId from a request: |value_der| is the complete DER INTEGER as received
 * (so any size echoes exactly). */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_pki_response_builder_add_transaction_id_der(
    cmc_pki_response_builder *b, int64_t *out_id, int64_t id, const uint8_t *value_der,
    size_t value_len);
CMC_EXPORT CMC_MUST_USE cmc_status cmc_pki_response_builder_add_transaction_id(
    cmc_pki_response_builder *b, int64_t *out_id, int64_t id, uint64_t transaction_id);
CMC_EXPORT CMC_MUST_USE cmc_status
cmc_pki_response_builder_add_sender_nonce(cmc_pki_response_builder *b, int64_t *out_id, int64_t id,
                                          const uint8_t *nonce, size_t nonce_len);
CMC_EXPORT CMC_MUST_USE cmc_status
cmc_pki_response_builder_add_recipient_nonce(cmc_pki_response_builder *b, int64_t *out_id,
                                             int64_t id, const uint8_t *nonce, size_t nonce_len);
CMC_EXPORT CMC_MUST_USE cmc_status cmc_pki_response_builder_add_data_return(
    cmc_pki_response_builder *b, int64_t *out_id, int64_t id, const uint8_t *data, size_t data_len);
CMC_EXPORT CMC_MUST_USE cmc_status cmc_pki_response_builder_add_control_raw(
    cmc_pki_response_builder *b, int64_t *out_id, int64_t id, const char *oid,
    const uint8_t *const *values, const size_t *value_lens, size_t num_values);
/* cmc_pki_response_builder_to_der encodes the PKIResponse (DER). */
CMC_EXPORT CMC_MUST_USE cmc_status
cmc_pki_response_builder_to_der(const cmc_pki_response_builder *b, uint8_t **out, size_t *out_len);
/* cmc_pki_response_builder_sign encodes the PKIResponse and signs it (eContentType
 * id-cct-PKIResponse) by |signer|; |certs| (lent, may be NULL) - the issued certificates and
 * the chain - go into the certificates field of this, the immediately enclosing, SignedData
 * (RFC 5272 §4.2). |signing_time| as in cmc_sign_options. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_pki_response_builder_sign(const cmc_pki_response_builder *b,
                                                                 uint8_t **out, size_t *out_len,
                                                                 const cmc_signer *signer,
                                                                 STACK_OF(X509) *certs,
                                                                 int64_t signing_time);

/* ====================================================================================
 * Response reader (clients: runner, resp tool)
 * ==================================================================================== */

typedef enum {
    CMC_RESPONSE_UNKNOWN = 0,
    CMC_RESPONSE_CERTS_ONLY = 1, /* Simple PKI Response */
    CMC_RESPONSE_PKIX_CERT = 2,  /* application/pkix-cert: one DER certificate */
    CMC_RESPONSE_FULL = 3,       /* Full PKI Response: SignedData(PKIResponse) */
} cmc_response_kind;

typedef struct {
    int64_t control_id;  /* bodyPartID of the status control */
    int v2;              /* 1 statusInfoV2 (id-cmc 25), 0 statusInfo (id-cmc 1) */
    long status;         /* CMCStatus */
    long fail_info;      /* CMCFailInfo, or -1 when otherInfo is not a failInfo */
    char *status_string; /* owned UTF-8, NULL if absent */
    int64_t *body_list;  /* owned; BodyPartIDs; a BodyPartPath contributes its last ID */
    size_t num_body_list;
} cmc_response_status;

typedef struct {
    cmc_response_kind kind;
    STACK_OF(X509) *certs;         /* owned: certificates of the (outer) SignedData, or the
                                    * pkix-cert; message order */
    cmc_response_status *statuses; /* owned, |num_statuses| entries, message order */
    size_t num_statuses;
    ASN1_INTEGER *transaction_id; /* owned; NULL if absent */
    uint8_t *sender_nonce;        /* owned; NULL if absent */
    size_t sender_nonce_len;
    uint8_t *recipient_nonce;
    size_t recipient_nonce_len;
    uint8_t *data_return;
    size_t data_return_len;
    uint8_t *pki_response; /* owned: eContent bytes as received (FULL only) */
    size_t pki_response_len;
    cmc_status verify_status; /* FULL: cmc_signed_data_verify's result (CMC_OK =
                               * signature and chain good); others: CMC_E_UNSIGNED */
    X509 *signer_cert;        /* owned; FULL and found only */
} cmc_response;

CMC_EXPORT void cmc_response_init(cmc_response *r);
CMC_EXPORT void cmc_response_cleanup(cmc_response *r);

/* cmc_response_read decodes |in| as a CMC response. |media_type| (may be NULL) is a hint:
 * "application/pkix-cert" forces the certificate reading; otherwise the bytes are sniffed.
 * A Full PKI Response's signature is checked with |vopt| (expected content type forced to
 * id-cct-PKIResponse; may be NULL = signature only, no chain) and the result stored in
 * |out->verify_status| - the function itself returns CMC_OK for a decodable response even
 * when the signature is bad, so the caller can report both. Errors: CMC_E_DER,
 * CMC_E_TRAILING, CMC_E_LIMIT, CMC_E_NOT_CMC, and the PKIResponse parse errors.
 * |out| must be initialised; on error it is cleaned up. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_response_read(cmc_response *out, const uint8_t *in,
                                                     size_t in_len, const char *media_type,
                                                     const cmc_verify_options *vopt);

/* cmc_response_find_status returns the first status entry whose body list contains
 * |body_part_id|, or NULL. */
CMC_EXPORT const cmc_response_status *cmc_response_find_status(const cmc_response *r,
                                                               int64_t body_part_id);

#ifdef __cplusplus
}
#endif
#endif /* CMC_MSG_H */
