/* cmc_asn.c: OpenSSL ASN1 templates of the CMC module, in RFC order, each under its ASN.1
 * (RFC 5272 Appendix A, RFC 6402 Appendix A; spec/CMC.md §2 and §4). The module is
 * DEFINITIONS IMPLICIT TAGS, so every [n] below is ASN1_IMP. The C structures live in
 * cmc_local.h; this file holds only templates and their IMPLEMENT_ lines. */
#include "asn1/cmc_local.h"

/*- TaggedAttribute ::= SEQUENCE {
 *      bodyPartID         BodyPartID,
 *      attrType           OBJECT IDENTIFIER,
 *      attrValues         SET OF AttributeValue }
 *  AttributeValue ::= ANY                                      RFC 5272 §3.2.1.2 */
ASN1_SEQUENCE(CMC_TAGGED_ATTRIBUTE) = {
    ASN1_SIMPLE(CMC_TAGGED_ATTRIBUTE, bodyPartID, ASN1_INTEGER),
    ASN1_SIMPLE(CMC_TAGGED_ATTRIBUTE, attrType, ASN1_OBJECT),
    ASN1_SET_OF(CMC_TAGGED_ATTRIBUTE, attrValues, ASN1_ANY),
} ASN1_SEQUENCE_END(CMC_TAGGED_ATTRIBUTE)
IMPLEMENT_ASN1_FUNCTIONS(CMC_TAGGED_ATTRIBUTE)

/*- TaggedCertificationRequest ::= SEQUENCE {
 *      bodyPartID            BodyPartID,
 *      certificationRequest  CertificationRequest }          RFC 5272 §3.2.1.2.1 */
ASN1_SEQUENCE(CMC_TAGGED_CERT_REQUEST) = {
    ASN1_SIMPLE(CMC_TAGGED_CERT_REQUEST, bodyPartID, ASN1_INTEGER),
    ASN1_SIMPLE(CMC_TAGGED_CERT_REQUEST, certificationRequest, X509_REQ),
} ASN1_SEQUENCE_END(CMC_TAGGED_CERT_REQUEST)
IMPLEMENT_ASN1_FUNCTIONS(CMC_TAGGED_CERT_REQUEST)

/*- orm [2] SEQUENCE {
 *      bodyPartID            BodyPartID,
 *      requestMessageType    OBJECT IDENTIFIER,
 *      requestMessageValue   ANY DEFINED BY requestMessageType }  RFC 5272 §3.2.1.2 */
ASN1_SEQUENCE(CMC_OTHER_REQUEST) = {
    ASN1_SIMPLE(CMC_OTHER_REQUEST, bodyPartID, ASN1_INTEGER),
    ASN1_SIMPLE(CMC_OTHER_REQUEST, requestMessageType, ASN1_OBJECT),
    ASN1_SIMPLE(CMC_OTHER_REQUEST, requestMessageValue, ASN1_ANY),
} ASN1_SEQUENCE_END(CMC_OTHER_REQUEST)
IMPLEMENT_ASN1_FUNCTIONS(CMC_OTHER_REQUEST)

/*- TaggedRequest ::= CHOICE {
 *      tcr   [0] TaggedCertificationRequest,
 *      crm   [1] CertReqMsg,
 *      orm   [2] SEQUENCE { ... } }                              RFC 5272 §3.2.1.2
 * IMPLICIT: the SEQUENCE tags are replaced, so the wire shows A0 / A1 / A2. */
ASN1_CHOICE(CMC_TAGGED_REQUEST) = {
    ASN1_IMP(CMC_TAGGED_REQUEST, value.tcr, CMC_TAGGED_CERT_REQUEST, 0),
    ASN1_IMP(CMC_TAGGED_REQUEST, value.crm, OSSL_CRMF_MSG, 1),
    ASN1_IMP(CMC_TAGGED_REQUEST, value.orm, CMC_OTHER_REQUEST, 2),
} ASN1_CHOICE_END(CMC_TAGGED_REQUEST)
IMPLEMENT_ASN1_FUNCTIONS(CMC_TAGGED_REQUEST)

/*- TaggedContentInfo ::= SEQUENCE {
 *      bodyPartID              BodyPartID,
 *      contentInfo             ContentInfo }                     RFC 5272 §3.2.1.3 */
ASN1_SEQUENCE(CMC_TAGGED_CONTENT_INFO) = {
    ASN1_SIMPLE(CMC_TAGGED_CONTENT_INFO, bodyPartID, ASN1_INTEGER),
    ASN1_SIMPLE(CMC_TAGGED_CONTENT_INFO, contentInfo, CMS_ContentInfo),
} ASN1_SEQUENCE_END(CMC_TAGGED_CONTENT_INFO)
IMPLEMENT_ASN1_FUNCTIONS(CMC_TAGGED_CONTENT_INFO)

/*- OtherMsg ::= SEQUENCE {
 *      bodyPartID        BodyPartID,
 *      otherMsgType      OBJECT IDENTIFIER,
 *      otherMsgValue     ANY DEFINED BY otherMsgType }           RFC 5272 §3.2.1.4 */
ASN1_SEQUENCE(CMC_OTHER_MSG) = {
    ASN1_SIMPLE(CMC_OTHER_MSG, bodyPartID, ASN1_INTEGER),
    ASN1_SIMPLE(CMC_OTHER_MSG, otherMsgType, ASN1_OBJECT),
    ASN1_SIMPLE(CMC_OTHER_MSG, otherMsgValue, ASN1_ANY),
} ASN1_SEQUENCE_END(CMC_OTHER_MSG)
IMPLEMENT_ASN1_FUNCTIONS(CMC_OTHER_MSG)

/*- PKIData ::= SEQUENCE {
 *      controlSequence    SEQUENCE SIZE(0..MAX) OF TaggedAttribute,
 *      reqSequence        SEQUENCE SIZE(0..MAX) OF TaggedRequest,
 *      cmsSequence        SEQUENCE SIZE(0..MAX) OF TaggedContentInfo,
 *      otherMsgSequence   SEQUENCE SIZE(0..MAX) OF OtherMsg }    RFC 5272 §3.2 */
ASN1_SEQUENCE(CMC_PKI_DATA) = {
    ASN1_SEQUENCE_OF(CMC_PKI_DATA, controlSequence, CMC_TAGGED_ATTRIBUTE),
    ASN1_SEQUENCE_OF(CMC_PKI_DATA, reqSequence, CMC_TAGGED_REQUEST),
    ASN1_SEQUENCE_OF(CMC_PKI_DATA, cmsSequence, CMC_TAGGED_CONTENT_INFO),
    ASN1_SEQUENCE_OF(CMC_PKI_DATA, otherMsgSequence, CMC_OTHER_MSG),
} ASN1_SEQUENCE_END(CMC_PKI_DATA)
IMPLEMENT_ASN1_FUNCTIONS(CMC_PKI_DATA)

/*- PKIResponse ::= SEQUENCE {
 *      controlSequence   SEQUENCE SIZE(0..MAX) OF TaggedAttribute,
 *      cmsSequence       SEQUENCE SIZE(0..MAX) OF TaggedContentInfo,
 *      otherMsgSequence  SEQUENCE SIZE(0..MAX) OF OtherMsg }     RFC 5272 §4.2 */
ASN1_SEQUENCE(CMC_PKI_RESPONSE) = {
    ASN1_SEQUENCE_OF(CMC_PKI_RESPONSE, controlSequence, CMC_TAGGED_ATTRIBUTE),
    ASN1_SEQUENCE_OF(CMC_PKI_RESPONSE, cmsSequence, CMC_TAGGED_CONTENT_INFO),
    ASN1_SEQUENCE_OF(CMC_PKI_RESPONSE, otherMsgSequence, CMC_OTHER_MSG),
} ASN1_SEQUENCE_END(CMC_PKI_RESPONSE)
IMPLEMENT_ASN1_FUNCTIONS(CMC_PKI_RESPONSE)

/*- BodyPartReference ::= CHOICE {
 *      bodyPartID           BodyPartID,
 *      bodyPartPath         BodyPartPath }
 *  BodyPartPath ::= SEQUENCE SIZE (1..MAX) OF BodyPartID        RFC 5272 §3.2.2 */
ASN1_CHOICE(CMC_BODY_PART_REFERENCE) = {
    ASN1_SIMPLE(CMC_BODY_PART_REFERENCE, value.bodyPartID, ASN1_INTEGER),
    ASN1_SEQUENCE_OF(CMC_BODY_PART_REFERENCE, value.bodyPartPath, ASN1_INTEGER),
} ASN1_CHOICE_END(CMC_BODY_PART_REFERENCE)
IMPLEMENT_ASN1_FUNCTIONS(CMC_BODY_PART_REFERENCE)

/*- CMCStatusInfoV2 ::= SEQUENCE {                              -- id-cmc 25, RFC 5272 §6.1.1
 *      cMCStatus       CMCStatus,
 *      bodyList        SEQUENCE SIZE (1..MAX) OF BodyPartReference,
 *      statusString    UTF8String OPTIONAL,
 *      otherInfo       OtherStatusInfo OPTIONAL }
 * otherInfo is ANY here and dispatched by cmc_other_status_info_decode (spec/CMC.md §13
 * item 4): both the RFC 5912 "[1]" and the 1988 untagged extendedFailInfo are read. */
ASN1_SEQUENCE(CMC_STATUS_INFO_V2) = {
    ASN1_SIMPLE(CMC_STATUS_INFO_V2, cMCStatus, ASN1_INTEGER),
    ASN1_SEQUENCE_OF(CMC_STATUS_INFO_V2, bodyList, CMC_BODY_PART_REFERENCE),
    ASN1_OPT(CMC_STATUS_INFO_V2, statusString, ASN1_UTF8STRING),
    ASN1_OPT(CMC_STATUS_INFO_V2, otherInfo, ASN1_ANY),
} ASN1_SEQUENCE_END(CMC_STATUS_INFO_V2)
IMPLEMENT_ASN1_FUNCTIONS(CMC_STATUS_INFO_V2)

/*- GetCert ::= SEQUENCE {                                      -- id-cmc 15, RFC 5272 §6.9
 *      issuerName      GeneralName,
 *      serialNumber    INTEGER } */
ASN1_SEQUENCE(CMC_GET_CERT) = {
    ASN1_SIMPLE(CMC_GET_CERT, issuerName, GENERAL_NAME),
    ASN1_SIMPLE(CMC_GET_CERT, serialNumber, ASN1_INTEGER),
} ASN1_SEQUENCE_END(CMC_GET_CERT)
IMPLEMENT_ASN1_FUNCTIONS(CMC_GET_CERT)

/*- RevokeRequest ::= SEQUENCE {                                -- id-cmc 17, RFC 5272 §6.11
 *      issuerName      Name,
 *      serialNumber    INTEGER,
 *      reason          CRLReason,
 *      invalidityDate  GeneralizedTime OPTIONAL,
 *      passphrase      OCTET STRING OPTIONAL,
 *      comment         UTF8String OPTIONAL }
 * Field 5 is "passphrase" as in every ASN.1 module (RFC 5272, RFC 5912, bis), Bouncy Castle
 * and pyasn1; RFC 2797 and the bis prose call it "sharedSecret". Same position and type, so
 * the wire does not depend on the name; the printer shows "passphrase (sharedSecret)". */
ASN1_SEQUENCE(CMC_REVOKE_REQUEST) = {
    ASN1_SIMPLE(CMC_REVOKE_REQUEST, issuerName, X509_NAME),
    ASN1_SIMPLE(CMC_REVOKE_REQUEST, serialNumber, ASN1_INTEGER),
    ASN1_SIMPLE(CMC_REVOKE_REQUEST, reason, ASN1_ENUMERATED),
    ASN1_OPT(CMC_REVOKE_REQUEST, invalidityDate, ASN1_GENERALIZEDTIME),
    ASN1_OPT(CMC_REVOKE_REQUEST, passphrase, ASN1_OCTET_STRING),
    ASN1_OPT(CMC_REVOKE_REQUEST, comment, ASN1_UTF8STRING),
} ASN1_SEQUENCE_END(CMC_REVOKE_REQUEST)
IMPLEMENT_ASN1_FUNCTIONS(CMC_REVOKE_REQUEST)
