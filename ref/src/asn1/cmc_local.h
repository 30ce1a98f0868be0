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

/*- TaggedAttribute ::= SEQUENCE { bodyPartID BodyPartID,
 *      attrType OBJECT IDENTIFIER, attrValues SET OF AttributeValue } */
typedef struct cmc_tagged_attribute_st {
    ASN1_INTEGER *bodyPartID;
    ASN1_OBJECT *attrType;
    STACK_OF(ASN1_TYPE) *attrValues;
} CMC_TAGGED_ATTRIBUTE;
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

/* The remaining structures of spec/CMC.md §2 and §4 (CMCStatusInfo, PendInfo,
 * ExtendedFailInfo, AddExtensions, EncryptedPOP, DecryptedPOP, LraPopWitness, GetCRL,
 * CMCCertId, PublishTrustAnchors, CMCPublicationInfo, ModCertTemplate, ControlsProcessed,
 * IdentifyProofV2, PopLinkWitnessV2, CMCUnsignedData, ChangeSubjectName, BodyPartList)
 * follow below in RFC order. */

/* ---- Internal helpers shared by libcmc (ref/src/asn1/cmc_pki.c) ---- */

/* cmc_item_parse decodes exactly |in_len| bytes as |it|: the outer identifier octet must be
 * |outer_id| (CMC_E_TAG), the outer length must fit (CMC_E_TRUNCATED) and fill the input
 * (CMC_E_TRAILING); d2i failures map to CMC_E_TAG / CMC_E_TRUNCATED / CMC_E_DER; without
 * CMC_PARSE_ALLOW_BER the re-encoding must equal the input (CMC_E_NOT_DER). |*out| is set
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
