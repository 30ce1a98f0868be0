/* cmc_asn.c: OpenSSL ASN1 templates of the CMC module, in RFC order, each under its ASN.1
 * (RFC 5272 Appendix A, RFC 6402 Appendix A; spec/CMC.md §2 and §4). The module is
 * DEFINITIONS IMPLICIT TAGS, so every [n] below is ASN1_IMP. The C structures live in
 * cmc_local.h; this file holds only templates and their IMPLEMENT_ lines. */
#include "asn1/cmc_local.h"
#include "asn1/cmc_tlv.h"

/* The OpenSSL template macros keep their conventional layout (as in OpenSSL's crmf_asn.c). */
/* clang-format off */

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

/* ---- The remaining structures, RFC 5272 Appendix A order (then RFC 6402) ---- */

/*- BodyPartList ::= SEQUENCE SIZE (1..MAX) OF BodyPartID         RFC 5272 §3.2.2 */
ASN1_ITEM_TEMPLATE(CMC_BODY_PART_LIST) =
    ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_SEQUENCE_OF, 0, BodyPartList, ASN1_INTEGER)
ASN1_ITEM_TEMPLATE_END(CMC_BODY_PART_LIST)
IMPLEMENT_ASN1_FUNCTIONS(CMC_BODY_PART_LIST)

/*- BodyPartPath ::= SEQUENCE SIZE (1..MAX) OF BodyPartID         RFC 5272 §3.2.2 */
ASN1_ITEM_TEMPLATE(CMC_BODY_PART_PATH) =
    ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_SEQUENCE_OF, 0, BodyPartPath, ASN1_INTEGER)
ASN1_ITEM_TEMPLATE_END(CMC_BODY_PART_PATH)
IMPLEMENT_ASN1_FUNCTIONS(CMC_BODY_PART_PATH)

/*- AuthPublish ::= BodyPartID                                   id-cmc 27, RFC 5272 §6.16 */
ASN1_ITEM_TEMPLATE(CMC_AUTH_PUBLISH) =
    ASN1_EX_TEMPLATE_TYPE(0, 0, AuthPublish, ASN1_INTEGER)
ASN1_ITEM_TEMPLATE_END(CMC_AUTH_PUBLISH)

/*- CMCUnsignedData ::= SEQUENCE {
 *      bodyPartPath        BodyPartPath,
 *      identifier          OBJECT IDENTIFIER,
 *      content             ANY DEFINED BY identifier }          RFC 5272 §3.2.3 */
ASN1_SEQUENCE(CMC_UNSIGNED_DATA) = {
    ASN1_SEQUENCE_OF(CMC_UNSIGNED_DATA, bodyPartPath, ASN1_INTEGER),
    ASN1_SIMPLE(CMC_UNSIGNED_DATA, identifier, ASN1_OBJECT),
    ASN1_SIMPLE(CMC_UNSIGNED_DATA, content, ASN1_ANY),
} ASN1_SEQUENCE_END(CMC_UNSIGNED_DATA)
IMPLEMENT_ASN1_FUNCTIONS(CMC_UNSIGNED_DATA)

/*- PendInfo ::= SEQUENCE {
 *      pendToken        OCTET STRING,
 *      pendTime         GeneralizedTime }                        RFC 5272 §6.1.1 */
ASN1_SEQUENCE(CMC_PEND_INFO) = {
    ASN1_SIMPLE(CMC_PEND_INFO, pendToken, ASN1_OCTET_STRING),
    ASN1_SIMPLE(CMC_PEND_INFO, pendTime, ASN1_GENERALIZEDTIME),
} ASN1_SEQUENCE_END(CMC_PEND_INFO)
IMPLEMENT_ASN1_FUNCTIONS(CMC_PEND_INFO)

/*- CMCStatusInfo ::= SEQUENCE {                                 id-cmc 1, RFC 5272 §6.1.2
 *      cMCStatus       CMCStatus,
 *      bodyList        SEQUENCE SIZE (1..MAX) OF BodyPartID,
 *      statusString    UTF8String OPTIONAL,
 *      otherInfo       CHOICE {
 *          failInfo       CMCFailInfo,
 *          pendInfo       PendInfo } OPTIONAL } */
ASN1_CHOICE(CMC_STATUS_INFO_OTHER) = {
    ASN1_SIMPLE(CMC_STATUS_INFO_OTHER, value.failInfo, ASN1_INTEGER),
    ASN1_SIMPLE(CMC_STATUS_INFO_OTHER, value.pendInfo, CMC_PEND_INFO),
} ASN1_CHOICE_END(CMC_STATUS_INFO_OTHER)
IMPLEMENT_ASN1_FUNCTIONS(CMC_STATUS_INFO_OTHER)

ASN1_SEQUENCE(CMC_STATUS_INFO) = {
    ASN1_SIMPLE(CMC_STATUS_INFO, cMCStatus, ASN1_INTEGER),
    ASN1_SEQUENCE_OF(CMC_STATUS_INFO, bodyList, ASN1_INTEGER),
    ASN1_OPT(CMC_STATUS_INFO, statusString, ASN1_UTF8STRING),
    ASN1_OPT(CMC_STATUS_INFO, otherInfo, CMC_STATUS_INFO_OTHER),
} ASN1_SEQUENCE_END(CMC_STATUS_INFO)
IMPLEMENT_ASN1_FUNCTIONS(CMC_STATUS_INFO)

/*- ExtendedFailInfo ::= SEQUENCE {                               RFC 5272 §6.1.1
 *      failInfoOID       OBJECT IDENTIFIER,
 *      failInfoValue     AttributeValue }
 * Choice made where sources disagree (spec/CMC.md §14): inside OtherStatusInfo we write it as
 * "[1] SEQUENCE" (RFC 5912, bis, i.e. RFC 10002) because the untagged 1988 form cannot be
 * told from pendInfo by tag; both forms are read (cmc_other_status_info_decode). */
ASN1_SEQUENCE(CMC_EXTENDED_FAIL_INFO) = {
    ASN1_SIMPLE(CMC_EXTENDED_FAIL_INFO, failInfoOID, ASN1_OBJECT),
    ASN1_SIMPLE(CMC_EXTENDED_FAIL_INFO, failInfoValue, ASN1_ANY),
} ASN1_SEQUENCE_END(CMC_EXTENDED_FAIL_INFO)
IMPLEMENT_ASN1_FUNCTIONS(CMC_EXTENDED_FAIL_INFO)

/*- AddExtensions ::= SEQUENCE {                                 id-cmc 8, RFC 5272 §6.5.2
 *      pkiDataReference    BodyPartID,
 *      certReferences      SEQUENCE OF BodyPartID,
 *      extensions          SEQUENCE OF Extension } */
ASN1_SEQUENCE(CMC_ADD_EXTENSIONS) = {
    ASN1_SIMPLE(CMC_ADD_EXTENSIONS, pkiDataReference, ASN1_INTEGER),
    ASN1_SEQUENCE_OF(CMC_ADD_EXTENSIONS, certReferences, ASN1_INTEGER),
    ASN1_SEQUENCE_OF(CMC_ADD_EXTENSIONS, extensions, X509_EXTENSION),
} ASN1_SEQUENCE_END(CMC_ADD_EXTENSIONS)
IMPLEMENT_ASN1_FUNCTIONS(CMC_ADD_EXTENSIONS)

/*- EncryptedPOP ::= SEQUENCE {                                  id-cmc 9, RFC 5272 §6.7
 *      request        TaggedRequest,
 *      cms            ContentInfo,
 *      thePOPAlgID    AlgorithmIdentifier,
 *      witnessAlgID   AlgorithmIdentifier,
 *      witness        OCTET STRING } */
ASN1_SEQUENCE(CMC_ENCRYPTED_POP) = {
    ASN1_SIMPLE(CMC_ENCRYPTED_POP, request, CMC_TAGGED_REQUEST),
    ASN1_SIMPLE(CMC_ENCRYPTED_POP, cms, CMS_ContentInfo),
    ASN1_SIMPLE(CMC_ENCRYPTED_POP, thePOPAlgID, X509_ALGOR),
    ASN1_SIMPLE(CMC_ENCRYPTED_POP, witnessAlgID, X509_ALGOR),
    ASN1_SIMPLE(CMC_ENCRYPTED_POP, witness, ASN1_OCTET_STRING),
} ASN1_SEQUENCE_END(CMC_ENCRYPTED_POP)
IMPLEMENT_ASN1_FUNCTIONS(CMC_ENCRYPTED_POP)

/*- DecryptedPOP ::= SEQUENCE {                                  id-cmc 10, RFC 5272 §6.7
 *      bodyPartID     BodyPartID,
 *      thePOPAlgID    AlgorithmIdentifier,
 *      thePOP         OCTET STRING } */
ASN1_SEQUENCE(CMC_DECRYPTED_POP) = {
    ASN1_SIMPLE(CMC_DECRYPTED_POP, bodyPartID, ASN1_INTEGER),
    ASN1_SIMPLE(CMC_DECRYPTED_POP, thePOPAlgID, X509_ALGOR),
    ASN1_SIMPLE(CMC_DECRYPTED_POP, thePOP, ASN1_OCTET_STRING),
} ASN1_SEQUENCE_END(CMC_DECRYPTED_POP)
IMPLEMENT_ASN1_FUNCTIONS(CMC_DECRYPTED_POP)

/*- LraPopWitness ::= SEQUENCE {                                 id-cmc 11, RFC 5272 §6.8
 *      pkiDataBodyid   BodyPartID,
 *      bodyIds         SEQUENCE OF BodyPartID } */
ASN1_SEQUENCE(CMC_LRA_POP_WITNESS) = {
    ASN1_SIMPLE(CMC_LRA_POP_WITNESS, pkiDataBodyid, ASN1_INTEGER),
    ASN1_SEQUENCE_OF(CMC_LRA_POP_WITNESS, bodyIds, ASN1_INTEGER),
} ASN1_SEQUENCE_END(CMC_LRA_POP_WITNESS)
IMPLEMENT_ASN1_FUNCTIONS(CMC_LRA_POP_WITNESS)

/*- GetCRL ::= SEQUENCE {                                        id-cmc 16, RFC 5272 §6.10
 *      issuerName    Name,
 *      cRLName       GeneralName OPTIONAL,
 *      time          GeneralizedTime OPTIONAL,
 *      reasons       ReasonFlags OPTIONAL } */
ASN1_SEQUENCE(CMC_GET_CRL) = {
    ASN1_SIMPLE(CMC_GET_CRL, issuerName, X509_NAME),
    ASN1_OPT(CMC_GET_CRL, cRLName, GENERAL_NAME),
    ASN1_OPT(CMC_GET_CRL, time, ASN1_GENERALIZEDTIME),
    ASN1_OPT(CMC_GET_CRL, reasons, ASN1_BIT_STRING),
} ASN1_SEQUENCE_END(CMC_GET_CRL)
IMPLEMENT_ASN1_FUNCTIONS(CMC_GET_CRL)

/*- CMCCertId ::= IssuerAndSerialNumber                         id-cmc 24, RFC 5272 §6.14
 *  IssuerAndSerialNumber ::= SEQUENCE {
 *      issuer        Name,
 *      serialNumber  CertificateSerialNumber }                   RFC 5652 §10.2.4 */
ASN1_SEQUENCE(CMC_CERT_ID) = {
    ASN1_SIMPLE(CMC_CERT_ID, issuer, X509_NAME),
    ASN1_SIMPLE(CMC_CERT_ID, serialNumber, ASN1_INTEGER),
} ASN1_SEQUENCE_END(CMC_CERT_ID)
IMPLEMENT_ASN1_FUNCTIONS(CMC_CERT_ID)

/*- PublishTrustAnchors ::= SEQUENCE {                           id-cmc 26, RFC 5272 §6.15
 *      seqNumber      INTEGER,
 *      hashAlgorithm  AlgorithmIdentifier,
 *      anchorHashes   SEQUENCE OF OCTET STRING } */
ASN1_SEQUENCE(CMC_PUBLISH_TRUST_ANCHORS) = {
    ASN1_SIMPLE(CMC_PUBLISH_TRUST_ANCHORS, seqNumber, ASN1_INTEGER),
    ASN1_SIMPLE(CMC_PUBLISH_TRUST_ANCHORS, hashAlgorithm, X509_ALGOR),
    ASN1_SEQUENCE_OF(CMC_PUBLISH_TRUST_ANCHORS, anchorHashes, ASN1_OCTET_STRING),
} ASN1_SEQUENCE_END(CMC_PUBLISH_TRUST_ANCHORS)
IMPLEMENT_ASN1_FUNCTIONS(CMC_PUBLISH_TRUST_ANCHORS)

/*- CMCPublicationInfo ::= SEQUENCE {                            id-cmc 30, RFC 5272 §6.18
 *      hashAlg     AlgorithmIdentifier,
 *      certHashes  SEQUENCE OF OCTET STRING,
 *      pubInfo     PKIPublicationInfo }                          (RFC 4211 §6.3) */
ASN1_SEQUENCE(CMC_PUBLICATION_INFO) = {
    ASN1_SIMPLE(CMC_PUBLICATION_INFO, hashAlg, X509_ALGOR),
    ASN1_SEQUENCE_OF(CMC_PUBLICATION_INFO, certHashes, ASN1_OCTET_STRING),
    ASN1_SIMPLE(CMC_PUBLICATION_INFO, pubInfo, OSSL_CRMF_PKIPUBLICATIONINFO),
} ASN1_SEQUENCE_END(CMC_PUBLICATION_INFO)
IMPLEMENT_ASN1_FUNCTIONS(CMC_PUBLICATION_INFO)

/*- ModCertTemplate ::= SEQUENCE {                               id-cmc 31, RFC 5272 §6.5.1
 *      pkiDataReference    BodyPartPath,
 *      certReferences      BodyPartList,
 *      replace             BOOLEAN DEFAULT TRUE,
 *      certTemplate        CertTemplate }                        (RFC 4211 §5) */
ASN1_SEQUENCE(CMC_MOD_CERT_TEMPLATE) = {
    ASN1_SEQUENCE_OF(CMC_MOD_CERT_TEMPLATE, pkiDataReference, ASN1_INTEGER),
    ASN1_SEQUENCE_OF(CMC_MOD_CERT_TEMPLATE, certReferences, ASN1_INTEGER),
    ASN1_OPT(CMC_MOD_CERT_TEMPLATE, replace, ASN1_TBOOLEAN),
    ASN1_SIMPLE(CMC_MOD_CERT_TEMPLATE, certTemplate, OSSL_CRMF_CERTTEMPLATE),
} ASN1_SEQUENCE_END(CMC_MOD_CERT_TEMPLATE)
IMPLEMENT_ASN1_FUNCTIONS(CMC_MOD_CERT_TEMPLATE)

/*- ControlsProcessed ::= SEQUENCE {                             id-cmc 32, RFC 5272 §6.19
 *      bodyList  SEQUENCE SIZE(1..MAX) OF BodyPartReference } */
ASN1_SEQUENCE(CMC_CONTROLS_PROCESSED) = {
    ASN1_SEQUENCE_OF(CMC_CONTROLS_PROCESSED, bodyList, CMC_BODY_PART_REFERENCE),
} ASN1_SEQUENCE_END(CMC_CONTROLS_PROCESSED)
IMPLEMENT_ASN1_FUNCTIONS(CMC_CONTROLS_PROCESSED)

/*- IdentifyProofV2 ::= SEQUENCE {                               id-cmc 34, RFC 5272 §6.2.1
 *      proofAlgID       AlgorithmIdentifier,
 *      macAlgId         AlgorithmIdentifier,
 *      witness          OCTET STRING }
 * OID choice (spec/CMC.md §14): 34 as in RFC 5272 text and 1988 module, RFC 6402, Bouncy
 * Castle; RFC 5912 and the bis 2002 module say 33. */
ASN1_SEQUENCE(CMC_IDENTITY_PROOF_V2) = {
    ASN1_SIMPLE(CMC_IDENTITY_PROOF_V2, proofAlgID, X509_ALGOR),
    ASN1_SIMPLE(CMC_IDENTITY_PROOF_V2, macAlgId, X509_ALGOR),
    ASN1_SIMPLE(CMC_IDENTITY_PROOF_V2, witness, ASN1_OCTET_STRING),
} ASN1_SEQUENCE_END(CMC_IDENTITY_PROOF_V2)
IMPLEMENT_ASN1_FUNCTIONS(CMC_IDENTITY_PROOF_V2)

/*- PopLinkWitnessV2 ::= SEQUENCE {                            id-cmc 33, RFC 5272 §6.3.1.1
 *      keyGenAlgorithm   AlgorithmIdentifier,
 *      macAlgorithm      AlgorithmIdentifier,
 *      witness           OCTET STRING }
 * The RFC 5272 control table says OCTET STRING; the ASN.1 says this SEQUENCE: we follow
 * the ASN.1 (spec/CMC.md §14). */
ASN1_SEQUENCE(CMC_POP_LINK_WITNESS_V2) = {
    ASN1_SIMPLE(CMC_POP_LINK_WITNESS_V2, keyGenAlgorithm, X509_ALGOR),
    ASN1_SIMPLE(CMC_POP_LINK_WITNESS_V2, macAlgorithm, X509_ALGOR),
    ASN1_SIMPLE(CMC_POP_LINK_WITNESS_V2, witness, ASN1_OCTET_STRING),
} ASN1_SEQUENCE_END(CMC_POP_LINK_WITNESS_V2)
IMPLEMENT_ASN1_FUNCTIONS(CMC_POP_LINK_WITNESS_V2)

/*- ChangeSubjectName ::= SEQUENCE {                  id-cmc 36, RFC 6402 §2.8 / RFC 10002
 *      subject     Name OPTIONAL,
 *      subjectAlt  [1] GeneralNames OPTIONAL }
 * Choice made where sources disagree (spec/CMC.md §14): RFC 6402 as published has no tag on
 * subjectAlt, which makes a lone SEQUENCE ambiguous; we emit the erratum 3943 / bis form
 * [1] (0xA1) and read the untagged form too (cmc_change_subject_name_decode). */
ASN1_SEQUENCE(CMC_CHANGE_SUBJECT_NAME) = {
    ASN1_OPT(CMC_CHANGE_SUBJECT_NAME, subject, X509_NAME),
    ASN1_IMP_SEQUENCE_OF_OPT(CMC_CHANGE_SUBJECT_NAME, subjectAlt, GENERAL_NAME, 1),
} ASN1_SEQUENCE_END(CMC_CHANGE_SUBJECT_NAME)
IMPLEMENT_ASN1_ALLOC_FUNCTIONS(CMC_CHANGE_SUBJECT_NAME)

/* The template cannot decode an untagged OPTIONAL Name (OpenSSL rejects OPTIONAL on
 * X509_NAME's inner item template), so d2i goes through cmc_change_subject_name_decode,
 * which reads the Name and GeneralNames elements itself; i2d uses the template. */
CMC_CHANGE_SUBJECT_NAME *d2i_CMC_CHANGE_SUBJECT_NAME(CMC_CHANGE_SUBJECT_NAME **a,
                                                     const unsigned char **in, long len) {
    size_t used = 0;
    CMC_CHANGE_SUBJECT_NAME *v = NULL;
    if (in == NULL || *in == NULL || len <= 0 ||
        cmc_tlv_element_len(&used, *in, (size_t)len) != CMC_OK ||
        cmc_change_subject_name_decode(&v, NULL, *in, used) != CMC_OK) {
        return NULL;
    }
    *in += used;
    if (a != NULL) {
        CMC_CHANGE_SUBJECT_NAME_free(*a);
        *a = v;
    }
    return v;
}

int i2d_CMC_CHANGE_SUBJECT_NAME(const CMC_CHANGE_SUBJECT_NAME *a, unsigned char **out) {
    return ASN1_item_i2d((const ASN1_VALUE *)a, out, ASN1_ITEM_rptr(CMC_CHANGE_SUBJECT_NAME));
}
/* clang-format on */
