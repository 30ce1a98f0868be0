/* cmc_registry.c: the control registry, spec/CMC.md §3.2 (RFC 5272 §6, RFC 6402, RFC 5274
 * §4.2). One table drives value decoding, printing and the server's unknown-control
 * handling. server_implements marks what the reference server acts on (DESIGN.md
 * "operations"); the server module owns that policy and may change the column. */
#include "asn1/cmc_local.h"

#define REQ CMC_CTRL_IN_PKI_DATA
#define RSP CMC_CTRL_IN_PKI_RESPONSE
#define ATTR CMC_CTRL_IN_CERT_REQUEST

static const cmc_control_info kRegistry[] = {
    {CMC_CTRL_STATUS_INFO, "statusInfo", CMC_VT_CMC_STATUS_INFO, "RFC 5272 §6.1.2", 0, REQ | RSP,
     "SHOULD/SHOULD/SHOULD"},
    {CMC_CTRL_IDENTIFICATION, "identification", CMC_VT_UTF8_STRING, "RFC 5272 §6.2.3", 0, REQ,
     "MUST/MUST/MUST"},
    {CMC_CTRL_IDENTITY_PROOF, "identityProof", CMC_VT_OCTET_STRING, "RFC 5272 §6.2.2", 0, REQ,
     "SHOULD/SHOULD/SHOULD"},
    {CMC_CTRL_DATA_RETURN, "dataReturn", CMC_VT_OCTET_STRING, "RFC 5272 §6.4", 1, REQ | RSP,
     "MUST/MUST/MUST"},
    {CMC_CTRL_TRANSACTION_ID, "transactionId", CMC_VT_INTEGER, "RFC 5272 §6.6", 1, REQ | RSP,
     "MUST/MUST/MUST"},
    {CMC_CTRL_SENDER_NONCE, "senderNonce", CMC_VT_OCTET_STRING, "RFC 5272 §6.6", 1, REQ | RSP,
     "MUST/MUST/MUST"},
    {CMC_CTRL_RECIPIENT_NONCE, "recipientNonce", CMC_VT_OCTET_STRING, "RFC 5272 §6.6", 1, REQ | RSP,
     "MUST/MUST/MUST"},
    {CMC_CTRL_ADD_EXTENSIONS, "addExtensions", CMC_VT_ADD_EXTENSIONS, "RFC 5272 §6.5.2", 0, REQ,
     "N/A/MAY/(1)"},
    {CMC_CTRL_ENCRYPTED_POP, "encryptedPOP", CMC_VT_ENCRYPTED_POP, "RFC 5272 §6.7", 0, RSP,
     "(4)/(5)/SHOULD"},
    {CMC_CTRL_DECRYPTED_POP, "decryptedPOP", CMC_VT_DECRYPTED_POP, "RFC 5272 §6.7", 0, REQ,
     "(4)/(5)/SHOULD"},
    {CMC_CTRL_LRA_POP_WITNESS, "lraPOPWitness", CMC_VT_LRA_POP_WITNESS, "RFC 5272 §6.8", 0, REQ,
     "N/A/SHOULD/(1)"},
    {CMC_CTRL_GET_CERT, "getCert", CMC_VT_GET_CERT, "RFC 5272 §6.9", 1, REQ,
     "optional/optional/optional"},
    {CMC_CTRL_GET_CRL, "getCRL", CMC_VT_GET_CRL, "RFC 5272 §6.10", 0, REQ,
     "optional/optional/optional"},
    {CMC_CTRL_REVOKE_REQUEST, "revokeRequest", CMC_VT_REVOKE_REQUEST, "RFC 5272 §6.11", 1, REQ,
     "SHOULD/SHOULD/MUST"},
    {CMC_CTRL_REG_INFO, "regInfo", CMC_VT_OCTET_STRING, "RFC 5272 §6.12", 0, REQ,
     "SHOULD/SHOULD/SHOULD"},
    {CMC_CTRL_RESPONSE_INFO, "responseInfo", CMC_VT_OCTET_STRING, "RFC 5272 §6.12", 0, RSP,
     "SHOULD/SHOULD/SHOULD"},
    {CMC_CTRL_QUERY_PENDING, "queryPending", CMC_VT_OCTET_STRING, "RFC 5272 §6.13", 0, REQ,
     "MUST/MUST/MUST"},
    {CMC_CTRL_POP_LINK_RANDOM, "popLinkRandom", CMC_VT_OCTET_STRING, "RFC 5272 §6.3.1.3", 0, REQ,
     "MUST/MUST/MUST"},
    {CMC_CTRL_POP_LINK_WITNESS, "popLinkWitness", CMC_VT_OCTET_STRING, "RFC 5272 §6.3.1.2", 0, ATTR,
     "SHOULD/MUST/MUST"},
    {CMC_CTRL_CONFIRM_CERT_ACCEPTANCE, "confirmCertAcceptance", CMC_VT_CMC_CERT_ID,
     "RFC 5272 §6.14", 0, REQ, "MUST/MUST/MUST"},
    {CMC_CTRL_STATUS_INFO_V2, "statusInfoV2", CMC_VT_CMC_STATUS_INFO_V2, "RFC 5272 §6.1.1", 1,
     REQ | RSP, "MUST/MUST/MUST"},
    {CMC_CTRL_TRUSTED_ANCHORS, "trustedAnchors", CMC_VT_PUBLISH_TRUST_ANCHORS, "RFC 5272 §6.15", 0,
     RSP, "(3)"},
    {CMC_CTRL_AUTH_DATA, "authData", CMC_VT_BODY_PART_ID, "RFC 5272 §6.16", 0, REQ, "(3)"},
    {CMC_CTRL_BATCH_REQUESTS, "batchRequests", CMC_VT_BODY_PART_LIST, "RFC 5272 §6.17", 0, REQ,
     "N/A/MUST/(2)"},
    {CMC_CTRL_BATCH_RESPONSES, "batchResponses", CMC_VT_BODY_PART_LIST, "RFC 5272 §6.17", 0, RSP,
     "N/A/MUST/(2)"},
    {CMC_CTRL_PUBLISH_CERT, "publishCert", CMC_VT_CMC_PUBLICATION_INFO, "RFC 5272 §6.18", 0, REQ,
     "optional/optional/optional"},
    {CMC_CTRL_MOD_CERT_TEMPLATE, "modCertTemplate", CMC_VT_MOD_CERT_TEMPLATE, "RFC 5272 §6.5.1", 0,
     REQ, "N/A/MUST/(2)"},
    {CMC_CTRL_CONTROL_PROCESSED, "controlProcessed", CMC_VT_CONTROLS_PROCESSED, "RFC 5272 §6.19", 0,
     REQ, "N/A/MUST/(2)"},
    {CMC_CTRL_POP_LINK_WITNESS_V2, "popLinkWitnessV2", CMC_VT_POP_LINK_WITNESS_V2,
     "RFC 5272 §6.3.1.1", 0, ATTR, "MUST/MUST/MUST"},
    {CMC_CTRL_IDENTITY_PROOF_V2, "identityProofV2", CMC_VT_IDENTITY_PROOF_V2, "RFC 5272 §6.2.1", 0,
     REQ, "MUST/MUST/MUST"},
    {CMC_CTRL_RA_IDENTITY_WITNESS, "raIdentityWitness", CMC_VT_BODY_PART_PATH,
     "RFC 6402 (bis §6.20) / RFC 10002", 0, REQ, "N/A/MUST/(2)"},
    {CMC_CTRL_CHANGE_SUBJECT_NAME, "changeSubjectName", CMC_VT_CHANGE_SUBJECT_NAME,
     "RFC 6402 §2.8 (bis §7.1) / RFC 10002", 0, ATTR, "not in the RFC 5274 table"},
    {CMC_CTRL_RESPONSE_BODY, "responseBody", CMC_VT_BODY_PART_PATH,
     "RFC 6402 (bis §6.21) / RFC 10002", 0, RSP, "(6)/(6)/N/A"},
};

#define REGISTRY_COUNT (sizeof(kRegistry) / sizeof(kRegistry[0]))

const cmc_control_info *cmc_control_lookup(int n) {
    for (size_t i = 0; i < REGISTRY_COUNT; i++) {
        if ((int)kRegistry[i].id == n) {
            return &kRegistry[i];
        }
    }
    return NULL;
}

const cmc_control_info *cmc_control_lookup_obj(const ASN1_OBJECT *oid) {
    int n = cmc_control_number(oid);
    return n < 0 ? NULL : cmc_control_lookup(n);
}

size_t cmc_control_count(void) {
    return REGISTRY_COUNT;
}

const cmc_control_info *cmc_control_at(size_t i) {
    return i < REGISTRY_COUNT ? &kRegistry[i] : NULL;
}
