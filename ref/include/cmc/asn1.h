/* cmc/asn1.h: the CMC ASN.1 module's public face: wire enums, OIDs, limits, and
 * parse/encode/print for the top-level structures. The C structures are in
 * ref/src/asn1/cmc_local.h (library-internal). spec/CMC.md §2-§5. */
#ifndef CMC_ASN1_H
#define CMC_ASN1_H

#include <stdint.h>
#include <stdio.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "cmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Limits (STYLE.md: every limit is named with its reason) ---- */
#define CMC_MAX_MESSAGE_BYTES (1024 * 1024) /* a CMC message with a few certs is < 64 KiB */
#define CMC_MAX_BODY_PARTS 256              /* bounds the O(n log n) uniqueness check */
#define CMC_MAX_NESTING 8                   /* RA layers via cmsSequence / BodyPartPath */
#define CMC_MAX_CERTS_PER_SIGNED_DATA 32    /* a chain plus issued certificates */
#define CMC_BODY_PART_ID_MAX 4294967295ULL  /* bodyIdMax, RFC 5272 §3.2.2 */

/* ---- CMCStatus ::= INTEGER (RFC 5272 §6.1.1) ---- */
typedef enum {
    CMC_STATUS_SUCCESS = 0,
    CMC_STATUS_FAILED = 2,
    CMC_STATUS_PENDING = 3,
    CMC_STATUS_NO_SUPPORT = 4,
    CMC_STATUS_CONFIRM_REQUIRED = 5,
    CMC_STATUS_POP_REQUIRED = 6,
    CMC_STATUS_PARTIAL = 7,
} cmc_cmc_status;

/* ---- CMCFailInfo ::= INTEGER (RFC 5272 §6.1.4) ---- */
typedef enum {
    CMC_FAIL_BAD_ALG = 0,
    CMC_FAIL_BAD_MESSAGE_CHECK = 1,
    CMC_FAIL_BAD_REQUEST = 2,
    CMC_FAIL_BAD_TIME = 3,
    CMC_FAIL_BAD_CERT_ID = 4,
    CMC_FAIL_UNSUPPORTED_EXT = 5,
    CMC_FAIL_MUST_ARCHIVE_KEYS = 6,
    CMC_FAIL_BAD_IDENTITY = 7,
    CMC_FAIL_POP_REQUIRED = 8,
    CMC_FAIL_POP_FAILED = 9,
    CMC_FAIL_NO_KEY_REUSE = 10,
    CMC_FAIL_INTERNAL_CA_ERROR = 11,
    CMC_FAIL_TRY_LATER = 12,
    CMC_FAIL_AUTH_DATA_FAIL = 13,
} cmc_fail_info;

/* Names as in the RFC ("success", "badMessageCheck"); NULL for values outside the enum. */
CMC_EXPORT const char *cmc_cmc_status_name(long status);
CMC_EXPORT const char *cmc_fail_info_name(long fail_info);
/* Reverse lookups: return -1 for an unknown name. */
CMC_EXPORT long cmc_cmc_status_from_name(const char *name);
CMC_EXPORT long cmc_fail_info_from_name(const char *name);

/* ---- CRLReason ::= ENUMERATED (RFC 5280 §5.3.1) ---- */
#define CMC_CRL_REASON_MAX 10
/* "unspecified", "keyCompromise", ..., "aACompromise"; NULL for 7 and out-of-range. */
CMC_EXPORT const char *cmc_crl_reason_name(long reason);
CMC_EXPORT long cmc_crl_reason_from_name(const char *name); /* -1 if unknown */

/* ---- OIDs (spec/CMC.md §3). Registered once, thread-safe, by cmc_init. ---- */
#define CMC_OID_ID_CMC "1.3.6.1.5.5.7.7"
#define CMC_OID_CCT_PKI_DATA "1.3.6.1.5.5.7.12.2"
#define CMC_OID_CCT_PKI_RESPONSE "1.3.6.1.5.5.7.12.3"
#define CMC_OID_KP_CMC_CA "1.3.6.1.5.5.7.3.27"
#define CMC_OID_KP_CMC_RA "1.3.6.1.5.5.7.3.28"
#define CMC_OID_KP_CMC_ARCHIVE "1.3.6.1.5.5.7.3.29"
#define CMC_OID_AD_CMC "1.3.6.1.5.5.7.48.12"
#define CMC_OID_AA_CMC_UNSIGNED_DATA "1.2.840.113549.1.9.16.2.34"

/* id-cmc-N control numbers (1.3.6.1.5.5.7.7.N), RFC 5272 §6 and RFC 6402. */
typedef enum {
    CMC_CTRL_STATUS_INFO = 1,
    CMC_CTRL_IDENTIFICATION = 2,
    CMC_CTRL_IDENTITY_PROOF = 3,
    CMC_CTRL_DATA_RETURN = 4,
    CMC_CTRL_TRANSACTION_ID = 5,
    CMC_CTRL_SENDER_NONCE = 6,
    CMC_CTRL_RECIPIENT_NONCE = 7,
    CMC_CTRL_ADD_EXTENSIONS = 8,
    CMC_CTRL_ENCRYPTED_POP = 9,
    CMC_CTRL_DECRYPTED_POP = 10,
    CMC_CTRL_LRA_POP_WITNESS = 11,
    CMC_CTRL_GET_CERT = 15,
    CMC_CTRL_GET_CRL = 16,
    CMC_CTRL_REVOKE_REQUEST = 17,
    CMC_CTRL_REG_INFO = 18,
    CMC_CTRL_RESPONSE_INFO = 19,
    CMC_CTRL_QUERY_PENDING = 21,
    CMC_CTRL_POP_LINK_RANDOM = 22,
    CMC_CTRL_POP_LINK_WITNESS = 23,
    CMC_CTRL_CONFIRM_CERT_ACCEPTANCE = 24,
    CMC_CTRL_STATUS_INFO_V2 = 25,
    CMC_CTRL_TRUSTED_ANCHORS = 26,
    CMC_CTRL_AUTH_DATA = 27,
    CMC_CTRL_BATCH_REQUESTS = 28,
    CMC_CTRL_BATCH_RESPONSES = 29,
    CMC_CTRL_PUBLISH_CERT = 30,
    CMC_CTRL_MOD_CERT_TEMPLATE = 31,
    CMC_CTRL_CONTROL_PROCESSED = 32,
    CMC_CTRL_POP_LINK_WITNESS_V2 = 33, /* 33/34 per RFC 5272; spec/CMC.md §14 */
    CMC_CTRL_IDENTITY_PROOF_V2 = 34,
    CMC_CTRL_RA_IDENTITY_WITNESS = 35,
    CMC_CTRL_CHANGE_SUBJECT_NAME = 36,
    CMC_CTRL_RESPONSE_BODY = 37,
} cmc_control_id;

/* cmc_init registers every CMC OID with OpenSSL (short and long names) exactly once;
 * safe to call from several threads, and called by every libcmc entry point that needs it. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_init(void);

/* NIDs of the registered OIDs (valid after cmc_init). */
CMC_EXPORT int cmc_nid_control(cmc_control_id n); /* NID_undef for numbers not in the enum */
CMC_EXPORT int cmc_nid_cct_pki_data(void);
CMC_EXPORT int cmc_nid_cct_pki_response(void);
CMC_EXPORT int cmc_nid_aa_cmc_unsigned_data(void);
CMC_EXPORT int cmc_nid_ad_cmc(void);
CMC_EXPORT int cmc_nid_kp_cmc_ca(void);
CMC_EXPORT int cmc_nid_kp_cmc_ra(void);
CMC_EXPORT int cmc_nid_kp_cmc_archive(void);
/* cmc_control_number returns N if |oid| is id-cmc-N (N < 128), else -1. Needs no init. */
CMC_EXPORT int cmc_control_number(const ASN1_OBJECT *oid);

/* ---- Control registry: one table drives decoding, printing and unknown-control handling.
 * The value types name the ASN.1 type of the control's attrValues elements. ---- */
typedef enum {
    CMC_VT_CMC_STATUS_INFO,
    CMC_VT_UTF8_STRING,
    CMC_VT_OCTET_STRING,
    CMC_VT_INTEGER,
    CMC_VT_ADD_EXTENSIONS,
    CMC_VT_ENCRYPTED_POP,
    CMC_VT_DECRYPTED_POP,
    CMC_VT_LRA_POP_WITNESS,
    CMC_VT_GET_CERT,
    CMC_VT_GET_CRL,
    CMC_VT_REVOKE_REQUEST,
    CMC_VT_CMC_CERT_ID,
    CMC_VT_CMC_STATUS_INFO_V2,
    CMC_VT_PUBLISH_TRUST_ANCHORS,
    CMC_VT_BODY_PART_ID,   /* AuthPublish */
    CMC_VT_BODY_PART_LIST, /* batchRequests, batchResponses */
    CMC_VT_CMC_PUBLICATION_INFO,
    CMC_VT_MOD_CERT_TEMPLATE,
    CMC_VT_CONTROLS_PROCESSED,
    CMC_VT_POP_LINK_WITNESS_V2,
    CMC_VT_IDENTITY_PROOF_V2,
    CMC_VT_BODY_PART_PATH, /* raIdentityWitness, responseBody */
    CMC_VT_CHANGE_SUBJECT_NAME,
    CMC_VT_COUNT
} cmc_value_type;

/* Fields in the order a registry row reads; 8 bytes of padding do not matter in this table. */
typedef struct {             /* NOLINT(clang-analyzer-optin.performance.Padding) */
    cmc_control_id id;       /* N of id-cmc-N */
    const char *name;        /* RFC name: "revokeRequest" */
    cmc_value_type type;     /* value type of each attrValues element */
    const char *rfc_section; /* "RFC 5272 §6.11" */
    int server_implements;   /* 1 if the reference server acts on it */
    unsigned where;          /* CMC_CTRL_IN_* bits: where the RFC places it */
    const char *ee_ra_ca;    /* RFC 5274 §4.2 requirement column, "MUST/MUST/MUST" */
} cmc_control_info;

#define CMC_CTRL_IN_PKI_DATA 0x1u     /* a control of a PKIData (request) */
#define CMC_CTRL_IN_PKI_RESPONSE 0x2u /* a control of a PKIResponse */
#define CMC_CTRL_IN_CERT_REQUEST 0x4u /* an attribute inside PKCS #10 / CRMF controls */

/* cmc_control_lookup returns the registry entry for id-cmc-|n|, or NULL if unknown. */
CMC_EXPORT const cmc_control_info *cmc_control_lookup(int n);
/* cmc_control_lookup_obj maps an OID to its entry (NULL if not an id-cmc arc we know). */
CMC_EXPORT const cmc_control_info *cmc_control_lookup_obj(const ASN1_OBJECT *oid);
/* cmc_control_count / cmc_control_at iterate the registry in id order. */
CMC_EXPORT size_t cmc_control_count(void);
CMC_EXPORT const cmc_control_info *cmc_control_at(size_t i);

/* ---- Top-level structures, public register ---- */
typedef struct cmc_pki_data_st cmc_pki_data;
typedef struct cmc_pki_response_st cmc_pki_response;

/* cmc_pki_data_parse decodes exactly |in_len| bytes of DER PKIData, applying the limits
 * above and the body part rules of RFC 5272 §3.2.2 (IDs in range, non-zero, unique).
 * On CMC_OK |*out| is new; free it with cmc_pki_data_free (NULL-safe). On error |*out|
 * is left unchanged. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_pki_data_parse(cmc_pki_data **out, const uint8_t *in,
                                                      size_t in_len);
CMC_EXPORT CMC_MUST_USE cmc_status cmc_pki_data_to_der(const cmc_pki_data *pd, uint8_t **out,
                                                       size_t *out_len);
CMC_EXPORT void cmc_pki_data_free(cmc_pki_data *pd);

/* Flags for the _ex parsers. */
#define CMC_PARSE_ALLOW_BER 0x1u /* accept BER (e.g. indefinite lengths) that is not DER */
/* Leave every SubjectPublicKeyInfo key undecoded (X509_REQ_get0_pubkey and X509_get0_pubkey
 * then give NULL; X509_PUBKEY_get0_param still works): OpenSSL 3.0 builds a decoder chain
 * per key, which costs more than a signature check. Get a key with cmc_spki_get1_pkey. The
 * reference server parses requests this way (spec/CMC.md §13). */
#define CMC_PARSE_RAW_KEYS 0x2u
/* cmc_pki_data_parse_ex is cmc_pki_data_parse with |flags|; without CMC_PARSE_ALLOW_BER
 * the input must be DER (re-encoding it gives the same bytes), else CMC_E_NOT_DER. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_pki_data_parse_ex(cmc_pki_data **out, const uint8_t *in,
                                                         size_t in_len, unsigned flags);

CMC_EXPORT CMC_MUST_USE cmc_status cmc_pki_response_parse(cmc_pki_response **out, const uint8_t *in,
                                                          size_t in_len);
CMC_EXPORT CMC_MUST_USE cmc_status cmc_pki_response_to_der(const cmc_pki_response *pr,
                                                           uint8_t **out, size_t *out_len);
CMC_EXPORT void cmc_pki_response_free(cmc_pki_response *pr);
CMC_EXPORT CMC_MUST_USE cmc_status cmc_pki_response_parse_ex(cmc_pki_response **out,
                                                             const uint8_t *in, size_t in_len,
                                                             unsigned flags);

/* cmc_spki_get1_pkey gives the key of |spki| as a new reference (EVP_PKEY_free): the one
 * OpenSSL decoded, or, for a key parsed with CMC_PARSE_RAW_KEYS, one built directly for EC
 * (named curves), RSA (rsaEncryption), Ed25519 and Ed448, with OpenSSL's decoder for other
 * types. CMC_E_DER if the key does not decode (point off the curve, bad parameters).
 * cmc_spki_der_get1_pkey does the same for exactly |der_len| bytes of SubjectPublicKeyInfo
 * DER (at most CMC_MAX_MESSAGE_BYTES). */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_spki_get1_pkey(EVP_PKEY **out, const X509_PUBKEY *spki);
CMC_EXPORT CMC_MUST_USE cmc_status cmc_spki_der_get1_pkey(EVP_PKEY **out, const uint8_t *der,
                                                          size_t der_len);

/* cmc_free releases memory that libcmc returned as bytes (uint8_t **out). */
CMC_EXPORT void cmc_free(void *p);

/* cmc_body_part_id_get reads a BodyPartID: CMC_E_BODY_PART_RANGE for negatives and values
 * above 2^32-1. */
CMC_EXPORT CMC_MUST_USE cmc_status cmc_body_part_id_get(uint32_t *out, const ASN1_INTEGER *a);

#ifdef __cplusplus
}
#endif
#endif /* CMC_ASN1_H */
