/* cmc_local.h: the C structures of the CMC ASN.1 module, each under its ASN.1
 * (RFC 5272 Appendix A, RFC 6402 Appendix A; spec/CMC.md §2 and §4). OpenSSL-style names
 * (CMC_PKI_DATA, d2i_/i2d_) live here and in ref/src/asn1; the rest of libcmc includes this
 * header through internal.h. The module is DEFINITIONS IMPLICIT TAGS: every [n] is IMPLICIT.
 *
 * BodyPartID ::= INTEGER (0..4294967295) is carried as ASN1_INTEGER and range-checked by
 * cmc_body_part_id_get (OpenSSL enforces neither the range nor SIZE (1..MAX)). */
#ifndef CMC_ASN1_LOCAL_H
#define CMC_ASN1_LOCAL_H

#include <openssl/asn1.h>
#include <openssl/asn1t.h>
#include <openssl/cms.h>
#include <openssl/crmf.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cmc/asn1.h"

/* cppcheck runs without the OpenSSL headers (CONTRIBUTING.md lint command), so it cannot expand
 * OpenSSL's declaration and template macros and would skip every file including this header as
 * "unknown macro". These stand-ins, seen only by cppcheck (__CPPCHECK__), keep those files
 * checked; the compilers always use OpenSSL's real definitions. */
#ifdef __CPPCHECK__
#define STACK_OF(type) struct stack_st_##type
#define DEFINE_STACK_OF(type)
#define DECLARE_ASN1_ITEM(type) extern const ASN1_ITEM type##_it;
#define DECLARE_ASN1_FUNCTIONS(type)                                                               \
    type *type##_new(void);                                                                        \
    void type##_free(type *a);                                                                     \
    type *d2i_##type(type **a, const unsigned char **in, long len);                                \
    int i2d_##type(const type *a, unsigned char **out);
#define ASN1_SEQUENCE(type) static const int type##_seq_tt[]
#define ASN1_SEQUENCE_END(type) ;
#define ASN1_CHOICE(type) static const int type##_ch_tt[]
#define ASN1_CHOICE_END(type) ;
#define ASN1_ITEM_TEMPLATE(type) static const int type##_item_tt
#define ASN1_ITEM_TEMPLATE_END(type) ;
#define IMPLEMENT_ASN1_FUNCTIONS(type)
#define IMPLEMENT_ASN1_ALLOC_FUNCTIONS(type)
#endif

/*- TaggedAttribute ::= SEQUENCE { bodyPartID BodyPartID,
 *      attrType OBJECT IDENTIFIER, attrValues SET OF AttributeValue } */
typedef struct cmc_tagged_attribute_st {
    ASN1_INTEGER *bodyPartID;
    ASN1_OBJECT *attrType;
    STACK_OF(ASN1_TYPE) *attrValues;
} CMC_TAGGED_ATTRIBUTE;
/* cppcheck-suppress unknownMacro ; the configuration without __CPPCHECK__ (see above) */
DECLARE_ASN1_FUNCTIONS(CMC_TAGGED_ATTRIBUTE)
DEFINE_STACK_OF(CMC_TAGGED_ATTRIBUTE)

/*- TaggedCertificationRequest ::= SEQUENCE { bodyPartID BodyPartID,
 *      certificationRequest CertificationRequest } */
typedef struct cmc_tagged_cert_request_st {
    ASN1_INTEGER *bodyPartID;
    X509_REQ *certificationRequest;
} CMC_TAGGED_CERT_REQUEST;
DECLARE_ASN1_FUNCTIONS(CMC_TAGGED_CERT_REQUEST)

/*- orm [2] SEQUENCE { bodyPartID BodyPartID, requestMessageType OBJECT IDENTIFIER,
 *      requestMessageValue ANY DEFINED BY requestMessageType } */
typedef struct cmc_other_request_st {
    ASN1_INTEGER *bodyPartID;
    ASN1_OBJECT *requestMessageType;
    ASN1_TYPE *requestMessageValue;
} CMC_OTHER_REQUEST;
DECLARE_ASN1_FUNCTIONS(CMC_OTHER_REQUEST)

/*- TaggedRequest ::= CHOICE { tcr [0] TaggedCertificationRequest, crm [1] CertReqMsg,
 *      orm [2] SEQUENCE {...} } */
#define CMC_TAGGED_REQUEST_TCR 0
#define CMC_TAGGED_REQUEST_CRM 1
#define CMC_TAGGED_REQUEST_ORM 2
typedef struct cmc_tagged_request_st {
    int type;
    union {
        CMC_TAGGED_CERT_REQUEST *tcr;
        OSSL_CRMF_MSG *crm;
        CMC_OTHER_REQUEST *orm;
    } value;
} CMC_TAGGED_REQUEST;
DECLARE_ASN1_FUNCTIONS(CMC_TAGGED_REQUEST)
DEFINE_STACK_OF(CMC_TAGGED_REQUEST)

/*- TaggedContentInfo ::= SEQUENCE { bodyPartID BodyPartID, contentInfo ContentInfo } */
typedef struct cmc_tagged_content_info_st {
    ASN1_INTEGER *bodyPartID;
    CMS_ContentInfo *contentInfo;
} CMC_TAGGED_CONTENT_INFO;
DECLARE_ASN1_FUNCTIONS(CMC_TAGGED_CONTENT_INFO)
DEFINE_STACK_OF(CMC_TAGGED_CONTENT_INFO)

/*- OtherMsg ::= SEQUENCE { bodyPartID BodyPartID, otherMsgType OBJECT IDENTIFIER,
 *      otherMsgValue ANY DEFINED BY otherMsgType } */
typedef struct cmc_other_msg_st {
    ASN1_INTEGER *bodyPartID;
    ASN1_OBJECT *otherMsgType;
    ASN1_TYPE *otherMsgValue;
} CMC_OTHER_MSG;
DECLARE_ASN1_FUNCTIONS(CMC_OTHER_MSG)
DEFINE_STACK_OF(CMC_OTHER_MSG)

/*- PKIData ::= SEQUENCE {
 *      controlSequence SEQUENCE SIZE(0..MAX) OF TaggedAttribute,
 *      reqSequence SEQUENCE SIZE(0..MAX) OF TaggedRequest,
 *      cmsSequence SEQUENCE SIZE(0..MAX) OF TaggedContentInfo,
 *      otherMsgSequence SEQUENCE SIZE(0..MAX) OF OtherMsg } */
struct cmc_pki_data_st {
    STACK_OF(CMC_TAGGED_ATTRIBUTE) *controlSequence;
    STACK_OF(CMC_TAGGED_REQUEST) *reqSequence;
    STACK_OF(CMC_TAGGED_CONTENT_INFO) *cmsSequence;
    STACK_OF(CMC_OTHER_MSG) *otherMsgSequence;
};
typedef struct cmc_pki_data_st CMC_PKI_DATA;
DECLARE_ASN1_FUNCTIONS(CMC_PKI_DATA)

/*- PKIResponse ::= SEQUENCE {
 *      controlSequence SEQUENCE SIZE(0..MAX) OF TaggedAttribute,
 *      cmsSequence SEQUENCE SIZE(0..MAX) OF TaggedContentInfo,
 *      otherMsgSequence SEQUENCE SIZE(0..MAX) OF OtherMsg } */
struct cmc_pki_response_st {
    STACK_OF(CMC_TAGGED_ATTRIBUTE) *controlSequence;
    STACK_OF(CMC_TAGGED_CONTENT_INFO) *cmsSequence;
    STACK_OF(CMC_OTHER_MSG) *otherMsgSequence;
};
typedef struct cmc_pki_response_st CMC_PKI_RESPONSE;
DECLARE_ASN1_FUNCTIONS(CMC_PKI_RESPONSE)

/*- BodyPartReference ::= CHOICE { bodyPartID BodyPartID, bodyPartPath BodyPartPath }
 *  BodyPartPath ::= SEQUENCE SIZE (1..MAX) OF BodyPartID */
#define CMC_BODY_PART_REFERENCE_ID 0
#define CMC_BODY_PART_REFERENCE_PATH 1
typedef struct cmc_body_part_reference_st {
    int type;
    union {
        ASN1_INTEGER *bodyPartID;
        STACK_OF(ASN1_INTEGER) *bodyPartPath;
    } value;
} CMC_BODY_PART_REFERENCE;
DECLARE_ASN1_FUNCTIONS(CMC_BODY_PART_REFERENCE)
DEFINE_STACK_OF(CMC_BODY_PART_REFERENCE)

/*- CMCStatusInfoV2 ::= SEQUENCE {
 *      cMCStatus CMCStatus,
 *      bodyList SEQUENCE SIZE (1..MAX) OF BodyPartReference,
 *      statusString UTF8String OPTIONAL,
 *      otherInfo OtherStatusInfo OPTIONAL }
 *  OtherStatusInfo ::= CHOICE { failInfo CMCFailInfo, pendInfo PendInfo,
 *      extendedFailInfo ExtendedFailInfo }
 * otherInfo is decoded as ANY and dispatched by cmc_status_info_v2_other_info (spec/CMC.md
 * §13 item 4: pendInfo and the untagged 1988 extendedFailInfo are both SEQUENCE). */
typedef struct cmc_status_info_v2_st {
    ASN1_INTEGER *cMCStatus;
    STACK_OF(CMC_BODY_PART_REFERENCE) *bodyList;
    ASN1_UTF8STRING *statusString;
    ASN1_TYPE *otherInfo;
} CMC_STATUS_INFO_V2;
DECLARE_ASN1_FUNCTIONS(CMC_STATUS_INFO_V2)

/*- RevokeRequest ::= SEQUENCE { issuerName Name, serialNumber INTEGER, reason CRLReason,
 *      invalidityDate GeneralizedTime OPTIONAL, passphrase OCTET STRING OPTIONAL,
 *      comment UTF8String OPTIONAL }   -- id-cmc 17, RFC 5272 §6.11 */
typedef struct cmc_revoke_request_st {
    X509_NAME *issuerName;
    ASN1_INTEGER *serialNumber;
    ASN1_ENUMERATED *reason;
    ASN1_GENERALIZEDTIME *invalidityDate;
    ASN1_OCTET_STRING *passphrase;
    ASN1_UTF8STRING *comment;
} CMC_REVOKE_REQUEST;
DECLARE_ASN1_FUNCTIONS(CMC_REVOKE_REQUEST)

/*- GetCert ::= SEQUENCE { issuerName GeneralName, serialNumber INTEGER }  -- id-cmc 15 */
typedef struct cmc_get_cert_st {
    GENERAL_NAME *issuerName;
    ASN1_INTEGER *serialNumber;
} CMC_GET_CERT;
DECLARE_ASN1_FUNCTIONS(CMC_GET_CERT)

/* The remaining structures of spec/CMC.md §2 and §4, in RFC 5272 Appendix A order. */

/*- BodyPartList ::= SEQUENCE SIZE (1..MAX) OF BodyPartID        -- RFC 5272 §3.2.2
 *  BodyPartPath ::= SEQUENCE SIZE (1..MAX) OF BodyPartID
 * Two items with one C type; SIZE (1..MAX) and the ID range are checked by
 * cmc_control_value_decode (OpenSSL enforces neither). */
typedef STACK_OF(ASN1_INTEGER) CMC_BODY_PART_LIST;
typedef STACK_OF(ASN1_INTEGER) CMC_BODY_PART_PATH;
DECLARE_ASN1_FUNCTIONS(CMC_BODY_PART_LIST)
DECLARE_ASN1_FUNCTIONS(CMC_BODY_PART_PATH)

/*- AuthPublish ::= BodyPartID                                   -- id-cmc 27, §6.16 */
typedef ASN1_INTEGER CMC_AUTH_PUBLISH;
DECLARE_ASN1_ITEM(CMC_AUTH_PUBLISH)

/*- CMCUnsignedData ::= SEQUENCE {                    -- id-aa-cmc-unsignedData, §3.2.3
 *      bodyPartPath        BodyPartPath,
 *      identifier          OBJECT IDENTIFIER,
 *      content             ANY DEFINED BY identifier } */
typedef struct cmc_unsigned_data_st {
    STACK_OF(ASN1_INTEGER) *bodyPartPath;
    ASN1_OBJECT *identifier;
    ASN1_TYPE *content;
} CMC_UNSIGNED_DATA;
DECLARE_ASN1_FUNCTIONS(CMC_UNSIGNED_DATA)

/*- PendInfo ::= SEQUENCE { pendToken OCTET STRING, pendTime GeneralizedTime }  §6.1.1 */
typedef struct cmc_pend_info_st {
    ASN1_OCTET_STRING *pendToken;
    ASN1_GENERALIZEDTIME *pendTime;
} CMC_PEND_INFO;
DECLARE_ASN1_FUNCTIONS(CMC_PEND_INFO)

/*- CMCStatusInfo ::= SEQUENCE {                                  -- id-cmc 1, §6.1.2
 *      cMCStatus       CMCStatus,
 *      bodyList        SEQUENCE SIZE (1..MAX) OF BodyPartID,
 *      statusString    UTF8String OPTIONAL,
 *      otherInfo       CHOICE { failInfo CMCFailInfo, pendInfo PendInfo } OPTIONAL }
 * The V1 CHOICE is unambiguous (INTEGER vs SEQUENCE), so it is a template CHOICE. */
#define CMC_OTHER_INFO_FAIL_INFO 0
#define CMC_OTHER_INFO_PEND_INFO 1
#define CMC_OTHER_INFO_EXTENDED_FAIL_INFO 2
typedef struct cmc_status_info_other_st {
    int type;
    union {
        ASN1_INTEGER *failInfo;
        CMC_PEND_INFO *pendInfo;
    } value;
} CMC_STATUS_INFO_OTHER;
DECLARE_ASN1_FUNCTIONS(CMC_STATUS_INFO_OTHER)
typedef struct cmc_status_info_st {
    ASN1_INTEGER *cMCStatus;
    STACK_OF(ASN1_INTEGER) *bodyList;
    ASN1_UTF8STRING *statusString;
    CMC_STATUS_INFO_OTHER *otherInfo;
} CMC_STATUS_INFO;
DECLARE_ASN1_FUNCTIONS(CMC_STATUS_INFO)

/*- ExtendedFailInfo ::= SEQUENCE {                                -- §6.1.1
 *      failInfoOID       OBJECT IDENTIFIER,
 *      failInfoValue     AttributeValue }
 * In CMCStatusInfoV2.otherInfo: "[1]" (RFC 5912, bis) or untagged (RFC 5272/6402 1988
 * modules). We read both and emit [1] (0xA1): the untagged form collides with pendInfo. */
typedef struct cmc_extended_fail_info_st {
    ASN1_OBJECT *failInfoOID;
    ASN1_TYPE *failInfoValue;
} CMC_EXTENDED_FAIL_INFO;
DECLARE_ASN1_FUNCTIONS(CMC_EXTENDED_FAIL_INFO)

/*- OtherStatusInfo ::= CHOICE { failInfo CMCFailInfo, pendInfo PendInfo,
 *      extendedFailInfo [1] ExtendedFailInfo }
 * Not a template (see CMC_STATUS_INFO_V2): the decoded form of CMC_STATUS_INFO_V2.otherInfo,
 * produced by cmc_other_status_info_decode. |legacy_untagged| is 1 when extendedFailInfo
 * came in the untagged 1988 form. */
typedef struct cmc_other_status_info_st {
    int type; /* CMC_OTHER_INFO_* */
    int legacy_untagged;
    union {
        ASN1_INTEGER *failInfo;
        CMC_PEND_INFO *pendInfo;
        CMC_EXTENDED_FAIL_INFO *extendedFailInfo;
    } value;
} CMC_OTHER_STATUS_INFO;
CMC_OTHER_STATUS_INFO *CMC_OTHER_STATUS_INFO_new(void);
void CMC_OTHER_STATUS_INFO_free(CMC_OTHER_STATUS_INFO *osi);
/* cmc_other_status_info_decode dispatches on the ANY (spec/CMC.md §13 item 4): INTEGER ->
 * failInfo; [1] -> extendedFailInfo; SEQUENCE starting with OID -> extendedFailInfo (1988);
 * SEQUENCE starting with OCTET STRING -> pendInfo; else CMC_E_TAG. */
CMC_MUST_USE cmc_status cmc_other_status_info_decode(CMC_OTHER_STATUS_INFO **out,
                                                     const ASN1_TYPE *any);
/* cmc_other_status_info_encode builds the ANY for a CMC_STATUS_INFO_V2.otherInfo; an
 * extendedFailInfo is always written as [1]. */
CMC_MUST_USE cmc_status cmc_other_status_info_encode(ASN1_TYPE **out,
                                                     const CMC_OTHER_STATUS_INFO *osi);

/*- AddExtensions ::= SEQUENCE {                                  -- id-cmc 8, §6.5.2
 *      pkiDataReference    BodyPartID,
 *      certReferences      SEQUENCE OF BodyPartID,
 *      extensions          SEQUENCE OF Extension } */
typedef struct cmc_add_extensions_st {
    ASN1_INTEGER *pkiDataReference;
    STACK_OF(ASN1_INTEGER) *certReferences;
    STACK_OF(X509_EXTENSION) *extensions;
} CMC_ADD_EXTENSIONS;
DECLARE_ASN1_FUNCTIONS(CMC_ADD_EXTENSIONS)

/*- EncryptedPOP ::= SEQUENCE {                                   -- id-cmc 9, §6.7
 *      request        TaggedRequest,
 *      cms            ContentInfo,
 *      thePOPAlgID    AlgorithmIdentifier,
 *      witnessAlgID   AlgorithmIdentifier,
 *      witness        OCTET STRING } */
typedef struct cmc_encrypted_pop_st {
    CMC_TAGGED_REQUEST *request;
    CMS_ContentInfo *cms;
    X509_ALGOR *thePOPAlgID;
    X509_ALGOR *witnessAlgID;
    ASN1_OCTET_STRING *witness;
} CMC_ENCRYPTED_POP;
DECLARE_ASN1_FUNCTIONS(CMC_ENCRYPTED_POP)

/*- DecryptedPOP ::= SEQUENCE {                                   -- id-cmc 10, §6.7
 *      bodyPartID     BodyPartID,
 *      thePOPAlgID    AlgorithmIdentifier,
 *      thePOP         OCTET STRING } */
typedef struct cmc_decrypted_pop_st {
    ASN1_INTEGER *bodyPartID;
    X509_ALGOR *thePOPAlgID;
    ASN1_OCTET_STRING *thePOP;
} CMC_DECRYPTED_POP;
DECLARE_ASN1_FUNCTIONS(CMC_DECRYPTED_POP)

/*- LraPopWitness ::= SEQUENCE {                                  -- id-cmc 11, §6.8
 *      pkiDataBodyid   BodyPartID,
 *      bodyIds         SEQUENCE OF BodyPartID } */
typedef struct cmc_lra_pop_witness_st {
    ASN1_INTEGER *pkiDataBodyid;
    STACK_OF(ASN1_INTEGER) *bodyIds;
} CMC_LRA_POP_WITNESS;
DECLARE_ASN1_FUNCTIONS(CMC_LRA_POP_WITNESS)

/*- GetCRL ::= SEQUENCE {                                         -- id-cmc 16, §6.10
 *      issuerName    Name,
 *      cRLName       GeneralName OPTIONAL,
 *      time          GeneralizedTime OPTIONAL,
 *      reasons       ReasonFlags OPTIONAL } */
typedef struct cmc_get_crl_st {
    X509_NAME *issuerName;
    GENERAL_NAME *cRLName;
    ASN1_GENERALIZEDTIME *time;
    ASN1_BIT_STRING *reasons;
} CMC_GET_CRL;
DECLARE_ASN1_FUNCTIONS(CMC_GET_CRL)

/*- CMCCertId ::= IssuerAndSerialNumber                          -- id-cmc 24, §6.14
 *  IssuerAndSerialNumber ::= SEQUENCE { issuer Name, serialNumber CertificateSerialNumber }
 * (OpenSSL 3.0 does not export its CMS IssuerAndSerialNumber item; OSSL_CRMF_CERTID has
 * GeneralName, not Name.) */
typedef struct cmc_cert_id_st {
    X509_NAME *issuer;
    ASN1_INTEGER *serialNumber;
} CMC_CERT_ID;
DECLARE_ASN1_FUNCTIONS(CMC_CERT_ID)

/*- PublishTrustAnchors ::= SEQUENCE {                            -- id-cmc 26, §6.15
 *      seqNumber      INTEGER,
 *      hashAlgorithm  AlgorithmIdentifier,
 *      anchorHashes   SEQUENCE OF OCTET STRING } */
DEFINE_STACK_OF(ASN1_OCTET_STRING)
typedef struct cmc_publish_trust_anchors_st {
    ASN1_INTEGER *seqNumber;
    X509_ALGOR *hashAlgorithm;
    STACK_OF(ASN1_OCTET_STRING) *anchorHashes;
} CMC_PUBLISH_TRUST_ANCHORS;
DECLARE_ASN1_FUNCTIONS(CMC_PUBLISH_TRUST_ANCHORS)

/*- CMCPublicationInfo ::= SEQUENCE {                             -- id-cmc 30, §6.18
 *      hashAlg     AlgorithmIdentifier,
 *      certHashes  SEQUENCE OF OCTET STRING,
 *      pubInfo     PKIPublicationInfo }
 * Known limit: OpenSSL 3.0's OSSL_CRMF_SINGLEPUBINFO template has pubLocation mandatory
 * (RFC 4211 says OPTIONAL), so a SinglePubInfo without pubLocation fails with CMC_E_DER. */
typedef struct cmc_publication_info_st {
    X509_ALGOR *hashAlg;
    STACK_OF(ASN1_OCTET_STRING) *certHashes;
    OSSL_CRMF_PKIPUBLICATIONINFO *pubInfo;
} CMC_PUBLICATION_INFO;
DECLARE_ASN1_FUNCTIONS(CMC_PUBLICATION_INFO)

/*- ModCertTemplate ::= SEQUENCE {                                -- id-cmc 31, §6.5.1
 *      pkiDataReference    BodyPartPath,
 *      certReferences      BodyPartList,
 *      replace             BOOLEAN DEFAULT TRUE,
 *      certTemplate        CertTemplate }
 * replace: ASN1_TBOOLEAN; absent decodes as 1, 1 is omitted on encode (DER), and an
 * explicit TRUE on input is not DER (spec/CMC.md §13 item 3); read with CMC_PARSE_ALLOW_BER
 * it keeps the octet sent (0xFF), so test replace != 0, not replace == 1. */
typedef struct cmc_mod_cert_template_st {
    STACK_OF(ASN1_INTEGER) *pkiDataReference;
    STACK_OF(ASN1_INTEGER) *certReferences;
    ASN1_BOOLEAN replace;
    OSSL_CRMF_CERTTEMPLATE *certTemplate;
} CMC_MOD_CERT_TEMPLATE;
DECLARE_ASN1_FUNCTIONS(CMC_MOD_CERT_TEMPLATE)

/*- ControlsProcessed ::= SEQUENCE {                              -- id-cmc 32, §6.19
 *      bodyList  SEQUENCE SIZE(1..MAX) OF BodyPartReference } */
typedef struct cmc_controls_processed_st {
    STACK_OF(CMC_BODY_PART_REFERENCE) *bodyList;
} CMC_CONTROLS_PROCESSED;
DECLARE_ASN1_FUNCTIONS(CMC_CONTROLS_PROCESSED)

/*- IdentifyProofV2 ::= SEQUENCE {                                -- id-cmc 34, §6.2.1
 *      proofAlgID       AlgorithmIdentifier,
 *      macAlgId         AlgorithmIdentifier,
 *      witness          OCTET STRING }
 *  PopLinkWitnessV2 ::= SEQUENCE {                               -- id-cmc 33, §6.3.1.1
 *      keyGenAlgorithm   AlgorithmIdentifier,
 *      macAlgorithm      AlgorithmIdentifier,
 *      witness           OCTET STRING }
 * Identical shapes; the OIDs 33/34 follow RFC 5272 (spec/CMC.md §14). */
typedef struct cmc_identity_proof_v2_st {
    X509_ALGOR *proofAlgID;
    X509_ALGOR *macAlgId;
    ASN1_OCTET_STRING *witness;
} CMC_IDENTITY_PROOF_V2;
DECLARE_ASN1_FUNCTIONS(CMC_IDENTITY_PROOF_V2)
typedef struct cmc_pop_link_witness_v2_st {
    X509_ALGOR *keyGenAlgorithm;
    X509_ALGOR *macAlgorithm;
    ASN1_OCTET_STRING *witness;
} CMC_POP_LINK_WITNESS_V2;
DECLARE_ASN1_FUNCTIONS(CMC_POP_LINK_WITNESS_V2)

/*- ChangeSubjectName ::= SEQUENCE {                  -- id-cmc 36, RFC 6402 §2.8 / bis §7.1
 *      subject     Name OPTIONAL,
 *      subjectAlt  [1] GeneralNames OPTIONAL }
 *      (WITH COMPONENTS {..., subject PRESENT} | WITH COMPONENTS {..., subjectAlt PRESENT})
 * We emit the erratum 3943 / bis form with [1] (0xA1). cmc_change_subject_name_decode
 * also reads RFC 6402's untagged GeneralNames (spec/CMC.md §13 item 5). */
typedef struct cmc_change_subject_name_st {
    X509_NAME *subject;
    GENERAL_NAMES *subjectAlt;
} CMC_CHANGE_SUBJECT_NAME;
DECLARE_ASN1_FUNCTIONS(CMC_CHANGE_SUBJECT_NAME)

/* ---- Control values: one table (cmc_value.c) maps cmc_value_type -> ASN1_ITEM, checks and
 * printer, so the server, `cmckit dump` and the fuzzers decode values the same way. ---- */

/* A decoded control or attribute value. |value| is the ASN1_ITEM's C type: CMC_STATUS_INFO_V2*,
 * ASN1_OCTET_STRING*, STACK_OF(ASN1_INTEGER)* (BodyPartList/Path) ... */
typedef struct cmc_control_value_st {
    cmc_value_type type;
    const ASN1_ITEM *it;
    void *value;
    int legacy_form; /* 1 if a tolerated non-preferred encoding was read (untagged
                      * ChangeSubjectName.subjectAlt) */
} cmc_control_value;

#define CMC_MAX_PATH_LEN                                                                           \
    CMC_MAX_NESTING /* a BodyPartPath deeper than the nesting limit                                \
                     * can never resolve */

/* cmc_value_type_item returns the ASN1_ITEM of |t| (NULL if out of range). */
const ASN1_ITEM *cmc_value_type_item(cmc_value_type t);
/* cmc_value_type_name returns the ASN.1 type name ("CMCStatusInfoV2"). */
const char *cmc_value_type_name(cmc_value_type t);

/* cmc_control_value_decode_der decodes exactly |in_len| bytes of DER as |t| and applies the
 * value rules: BodyPartIDs in range (CMC_E_BODY_PART_RANGE), SIZE (1..MAX) lists non-empty
 * (CMC_E_EMPTY_LIST), paths at most CMC_MAX_PATH_LEN (CMC_E_LIMIT), OtherStatusInfo and
 * ChangeSubjectName constraints (CMC_E_TAG / CMC_E_BAD_VALUE), plus everything
 * cmc_item_parse checks. */
CMC_MUST_USE cmc_status cmc_control_value_decode_der(cmc_control_value **out, cmc_value_type t,
                                                     const uint8_t *in, size_t in_len);
/* cmc_control_value_decode decodes one attrValues element. */
CMC_MUST_USE cmc_status cmc_control_value_decode(cmc_control_value **out, cmc_value_type t,
                                                 const ASN1_TYPE *v);
/* The _ex forms take CMC_PARSE_ALLOW_BER for values of a PKIData parsed with that flag. */
CMC_MUST_USE cmc_status cmc_control_value_decode_der_ex(cmc_control_value **out, cmc_value_type t,
                                                        const uint8_t *in, size_t in_len,
                                                        unsigned flags);
CMC_MUST_USE cmc_status cmc_control_value_decode_ex(cmc_control_value **out, cmc_value_type t,
                                                    const ASN1_TYPE *v, unsigned flags);
/* cmc_control_value_to_der encodes the value (DER; preferred forms). */
CMC_MUST_USE cmc_status cmc_control_value_to_der(const cmc_control_value *v, uint8_t **out,
                                                 size_t *out_len);
void cmc_control_value_free(cmc_control_value *v);
/* cmc_control_value_print writes the value as indented "field: value" lines. 1 on success. */
int cmc_control_value_print(BIO *out, const cmc_control_value *v, int indent);

/* cmc_change_subject_name_decode reads both the [1] form and RFC 6402's untagged form;
 * |*out_legacy| (may be NULL) is set to 1 for the latter. */
CMC_MUST_USE cmc_status cmc_change_subject_name_decode(CMC_CHANGE_SUBJECT_NAME **out,
                                                       int *out_legacy, const uint8_t *in,
                                                       size_t in_len);

/* cmc_unsigned_data_decode_der decodes a CMCUnsignedData attribute value: DER, whole input,
 * bodyPartPath non-empty and in range. */
CMC_MUST_USE cmc_status cmc_unsigned_data_decode_der(CMC_UNSIGNED_DATA **out, const uint8_t *in,
                                                     size_t in_len);

/* Print functions, one per structure (cmc_print.c): indented "field: value" lines; names
 * for CMCStatus, CMCFailInfo, CRLReason and OIDs. Return 1 on success, 0 on a BIO error. */
#define CMC_DECLARE_PRINT(type) int type##_print(BIO *out, const type *x, int indent);
CMC_DECLARE_PRINT(CMC_TAGGED_ATTRIBUTE)
CMC_DECLARE_PRINT(CMC_TAGGED_REQUEST)
CMC_DECLARE_PRINT(CMC_TAGGED_CERT_REQUEST)
CMC_DECLARE_PRINT(CMC_OTHER_REQUEST)
CMC_DECLARE_PRINT(CMC_TAGGED_CONTENT_INFO)
CMC_DECLARE_PRINT(CMC_OTHER_MSG)
CMC_DECLARE_PRINT(CMC_PKI_DATA)
CMC_DECLARE_PRINT(CMC_PKI_RESPONSE)
CMC_DECLARE_PRINT(CMC_BODY_PART_REFERENCE)
CMC_DECLARE_PRINT(CMC_BODY_PART_LIST)
CMC_DECLARE_PRINT(CMC_BODY_PART_PATH)
CMC_DECLARE_PRINT(CMC_AUTH_PUBLISH)
CMC_DECLARE_PRINT(CMC_UNSIGNED_DATA)
CMC_DECLARE_PRINT(CMC_PEND_INFO)
CMC_DECLARE_PRINT(CMC_STATUS_INFO)
CMC_DECLARE_PRINT(CMC_EXTENDED_FAIL_INFO)
CMC_DECLARE_PRINT(CMC_OTHER_STATUS_INFO)
CMC_DECLARE_PRINT(CMC_STATUS_INFO_V2)
CMC_DECLARE_PRINT(CMC_ADD_EXTENSIONS)
CMC_DECLARE_PRINT(CMC_ENCRYPTED_POP)
CMC_DECLARE_PRINT(CMC_DECRYPTED_POP)
CMC_DECLARE_PRINT(CMC_LRA_POP_WITNESS)
CMC_DECLARE_PRINT(CMC_GET_CERT)
CMC_DECLARE_PRINT(CMC_GET_CRL)
CMC_DECLARE_PRINT(CMC_REVOKE_REQUEST)
CMC_DECLARE_PRINT(CMC_CERT_ID)
CMC_DECLARE_PRINT(CMC_PUBLISH_TRUST_ANCHORS)
CMC_DECLARE_PRINT(CMC_PUBLICATION_INFO)
CMC_DECLARE_PRINT(CMC_MOD_CERT_TEMPLATE)
CMC_DECLARE_PRINT(CMC_CONTROLS_PROCESSED)
CMC_DECLARE_PRINT(CMC_IDENTITY_PROOF_V2)
CMC_DECLARE_PRINT(CMC_POP_LINK_WITNESS_V2)
CMC_DECLARE_PRINT(CMC_CHANGE_SUBJECT_NAME)
#undef CMC_DECLARE_PRINT

/* Print helpers shared with the message-level printer (ref/src/msg/dump.c). */
int cmc_print_indent(BIO *out, int indent);
int cmc_print_oid(BIO *out, const ASN1_OBJECT *oid);       /* "name (1.2.3)" or "1.2.3" */
int cmc_print_integer(BIO *out, const ASN1_INTEGER *a);    /* decimal, hex if large */
int cmc_print_hex(BIO *out, const uint8_t *p, size_t len); /* lowercase hex, capped */
int cmc_print_string(BIO *out, const ASN1_STRING *s);      /* quoted, escaped */
int cmc_print_name(BIO *out, const X509_NAME *name);       /* RFC 2253 one line */
int cmc_print_time(BIO *out, const ASN1_TIME *t);
int cmc_print_algor(BIO *out, const X509_ALGOR *alg);
int cmc_print_any(BIO *out, const ASN1_TYPE *t); /* short one-line form */
/* cmc_print_control prints one TaggedAttribute as "name (id-cmc-N), bodyPartID B:" and its
 * values decoded through the registry (undecodable values show the status and hex). */
int cmc_print_control(BIO *out, const CMC_TAGGED_ATTRIBUTE *ta, int indent);
/* cmc_print_x509_req prints a PKCS #10 summary: subject, key type, attributes by name. */
int cmc_print_x509_req(BIO *out, const X509_REQ *req, int indent);
/* cmc_print_crmf_msg prints a CertReqMsg summary: certReqId, subject, key, controls, POP. */
int cmc_print_crmf_msg(BIO *out, const OSSL_CRMF_MSG *crm, int indent);

/* ---- Internal helpers shared by libcmc (ref/src/asn1/cmc_pki.c) ---- */

/* cmc_raw_key_libctx: the library context CMC_PARSE_RAW_KEYS decodes against (only the
 * "null" provider, so no key is decoded); created once, NULL if that failed (callers then
 * decode keys the usual way). */
OSSL_LIB_CTX *cmc_raw_key_libctx(void);

/* cmc_item_parse decodes exactly |in_len| bytes as |it|: the outer identifier octet must be
 * |outer_id| (CMC_E_TAG), the outer length must fit (CMC_E_TRUNCATED) and fill the input
 * (CMC_E_TRAILING); d2i failures map to CMC_E_TAG / CMC_E_TRUNCATED / CMC_E_DER; without
 * CMC_PARSE_ALLOW_BER the re-encoding must equal the input (CMC_E_NOT_DER); with
 * CMC_PARSE_RAW_KEYS keys stay undecoded (cmc_raw_key_libctx). |*out| is set
 * only on CMC_OK; free it with ASN1_item_free(*out, it). */
CMC_MUST_USE cmc_status cmc_item_parse(void **out, const ASN1_ITEM *it, const uint8_t *in,
                                       size_t in_len, uint8_t outer_id, unsigned flags);
/* cmc_item_to_der encodes |v| as DER into a new buffer (free with cmc_free). */
CMC_MUST_USE cmc_status cmc_item_to_der(uint8_t **out, size_t *out_len, const void *v,
                                        const ASN1_ITEM *it);
/* cmc_crm_cert_req_id returns a new copy of CertReqMsg.certReq.certReqId (full range). */
CMC_MUST_USE cmc_status cmc_crm_cert_req_id(ASN1_INTEGER **out, const OSSL_CRMF_MSG *crm);
/* cmc_tagged_request_body_part_id: tcr/orm bodyPartID or crm certReqId, range-checked. */
CMC_MUST_USE cmc_status cmc_tagged_request_body_part_id(uint32_t *out,
                                                        const CMC_TAGGED_REQUEST *tr);
/* RFC 5272 §3.2.2 checks on a decoded structure: every ID in range (CMC_E_BODY_PART_RANGE),
 * non-zero (CMC_E_BODY_PART_ZERO), unique across all sequences (CMC_E_BODY_PART_DUP), at
 * most CMC_MAX_BODY_PARTS (CMC_E_LIMIT). Builders call them before encoding. */
CMC_MUST_USE cmc_status cmc_pki_data_check_body_parts(const CMC_PKI_DATA *pd);
CMC_MUST_USE cmc_status cmc_pki_response_check_body_parts(const CMC_PKI_RESPONSE *pr);

#endif /* CMC_ASN1_LOCAL_H */
