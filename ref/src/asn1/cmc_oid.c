/* cmc_oid.c: registration of the CMC OIDs with OpenSSL (spec/CMC.md §3, §13 item 8).
 * OpenSSL 3.0 already knows id-cmc 1-11, 15-19, 21-24, id-cct-*, and the three CMC EKUs;
 * those NIDs are reused. The rest (id-cmc 25-37, id-aa-cmc-unsignedData, id-ad-cmc) are
 * created once with OBJ_create under CRYPTO_THREAD_run_once. */
#include <openssl/crypto.h>
#include <openssl/objects.h>
#include <string.h>

#include "asn1/cmc_local.h"

typedef struct {
    const char *oid;
    const char *sn;
    const char *ln;
} cmc_oid_def;

#define CMC_CONTROL_ARC_MAX 37 /* highest id-cmc-N defined (RFC 6402 responseBody) */

/* Index = N of id-cmc-N; NULL entries are unassigned (12-14, 20). */
static const cmc_oid_def kControls[CMC_CONTROL_ARC_MAX + 1] = {
    [1] = {"1.3.6.1.5.5.7.7.1", "id-cmc-statusInfo", "CMC Status Info"},
    [2] = {"1.3.6.1.5.5.7.7.2", "id-cmc-identification", "CMC Identification"},
    [3] = {"1.3.6.1.5.5.7.7.3", "id-cmc-identityProof", "CMC Identity Proof"},
    [4] = {"1.3.6.1.5.5.7.7.4", "id-cmc-dataReturn", "CMC Data Return"},
    [5] = {"1.3.6.1.5.5.7.7.5", "id-cmc-transactionId", "CMC Transaction Id"},
    [6] = {"1.3.6.1.5.5.7.7.6", "id-cmc-senderNonce", "CMC Sender Nonce"},
    [7] = {"1.3.6.1.5.5.7.7.7", "id-cmc-recipientNonce", "CMC Recipient Nonce"},
    [8] = {"1.3.6.1.5.5.7.7.8", "id-cmc-addExtensions", "CMC Add Extensions"},
    [9] = {"1.3.6.1.5.5.7.7.9", "id-cmc-encryptedPOP", "CMC Encrypted POP"},
    [10] = {"1.3.6.1.5.5.7.7.10", "id-cmc-decryptedPOP", "CMC Decrypted POP"},
    [11] = {"1.3.6.1.5.5.7.7.11", "id-cmc-lraPOPWitness", "CMC LRA POP Witness"},
    [15] = {"1.3.6.1.5.5.7.7.15", "id-cmc-getCert", "CMC Get Cert"},
    [16] = {"1.3.6.1.5.5.7.7.16", "id-cmc-getCRL", "CMC Get CRL"},
    [17] = {"1.3.6.1.5.5.7.7.17", "id-cmc-revokeRequest", "CMC Revoke Request"},
    [18] = {"1.3.6.1.5.5.7.7.18", "id-cmc-regInfo", "CMC Reg Info"},
    [19] = {"1.3.6.1.5.5.7.7.19", "id-cmc-responseInfo", "CMC Response Info"},
    [21] = {"1.3.6.1.5.5.7.7.21", "id-cmc-queryPending", "CMC Query Pending"},
    [22] = {"1.3.6.1.5.5.7.7.22", "id-cmc-popLinkRandom", "CMC POP Link Random"},
    [23] = {"1.3.6.1.5.5.7.7.23", "id-cmc-popLinkWitness", "CMC POP Link Witness"},
    [24] = {"1.3.6.1.5.5.7.7.24", "id-cmc-confirmCertAcceptance", "CMC Confirm Cert Acceptance"},
    [25] = {"1.3.6.1.5.5.7.7.25", "id-cmc-statusInfoV2", "CMC Status Info V2"},
    [26] = {"1.3.6.1.5.5.7.7.26", "id-cmc-trustedAnchors", "CMC Trusted Anchors"},
    [27] = {"1.3.6.1.5.5.7.7.27", "id-cmc-authData", "CMC Auth Data"},
    [28] = {"1.3.6.1.5.5.7.7.28", "id-cmc-batchRequests", "CMC Batch Requests"},
    [29] = {"1.3.6.1.5.5.7.7.29", "id-cmc-batchResponses", "CMC Batch Responses"},
    [30] = {"1.3.6.1.5.5.7.7.30", "id-cmc-publishCert", "CMC Publish Cert"},
    [31] = {"1.3.6.1.5.5.7.7.31", "id-cmc-modCertTemplate", "CMC Modify Cert Template"},
    [32] = {"1.3.6.1.5.5.7.7.32", "id-cmc-controlProcessed", "CMC Control Processed"},
    /* 33/34 as in RFC 5272 text and 1988 module, RFC 6402, Bouncy Castle (spec/CMC.md §14;
     * RFC 5912 and the bis 2002 module swap them). Pinned by cmc_oid_test. */
    [33] = {"1.3.6.1.5.5.7.7.33", "id-cmc-popLinkWitnessV2", "CMC POP Link Witness V2"},
    [34] = {"1.3.6.1.5.5.7.7.34", "id-cmc-identityProofV2", "CMC Identity Proof V2"},
    [35] = {"1.3.6.1.5.5.7.7.35", "id-cmc-raIdentityWitness", "CMC RA Identity Witness"},
    [36] = {"1.3.6.1.5.5.7.7.36", "id-cmc-changeSubjectName", "CMC Change Subject Name"},
    [37] = {"1.3.6.1.5.5.7.7.37", "id-cmc-responseBody", "CMC Response Body"},
};

enum {
    OTHER_CCT_CRS,
    OTHER_CCT_PKI_DATA,
    OTHER_CCT_PKI_RESPONSE,
    OTHER_KP_CA,
    OTHER_KP_RA,
    OTHER_KP_ARCHIVE,
    OTHER_AD_CMC,
    OTHER_AA_UNSIGNED,
    OTHER_COUNT
};

static const cmc_oid_def kOther[OTHER_COUNT] = {
    [OTHER_CCT_CRS] = {"1.3.6.1.5.5.7.12.1", "id-cct-crs", "CMC Content Type crs"},
    [OTHER_CCT_PKI_DATA] = {CMC_OID_CCT_PKI_DATA, "id-cct-PKIData", "CMC PKIData"},
    [OTHER_CCT_PKI_RESPONSE] = {CMC_OID_CCT_PKI_RESPONSE, "id-cct-PKIResponse", "CMC PKIResponse"},
    [OTHER_KP_CA] = {CMC_OID_KP_CMC_CA, "cmcCA", "CMC Certificate Authority"},
    [OTHER_KP_RA] = {CMC_OID_KP_CMC_RA, "cmcRA", "CMC Registration Authority"},
    [OTHER_KP_ARCHIVE] = {CMC_OID_KP_CMC_ARCHIVE, "cmcArchive", "CMC Archive Server"},
    [OTHER_AD_CMC] = {CMC_OID_AD_CMC, "id-ad-cmc", "CMC Access Method"},
    [OTHER_AA_UNSIGNED] = {CMC_OID_AA_CMC_UNSIGNED_DATA, "id-aa-cmc-unsignedData",
                           "CMC Unsigned Data"},
};

static CRYPTO_ONCE g_once = CRYPTO_ONCE_STATIC_INIT;
static int g_ok;
static int g_control_nid[CMC_CONTROL_ARC_MAX + 1];
static int g_other_nid[OTHER_COUNT];

/* Reuse OpenSSL's NID when the OID is already known; create it otherwise. */
static int register_one(const cmc_oid_def *d) {
    int nid = OBJ_txt2nid(d->oid);
    if (nid != NID_undef) {
        return nid;
    }
    /* A short or long name taken by another OID would make OBJ_create fail; report it. */
    nid = OBJ_create(d->oid, d->sn, d->ln);
    return nid;
}

static void do_init(void) {
    for (size_t n = 0; n <= CMC_CONTROL_ARC_MAX; n++) {
        if (kControls[n].oid == NULL) {
            continue;
        }
        g_control_nid[n] = register_one(&kControls[n]);
        if (g_control_nid[n] == NID_undef) {
            return;
        }
    }
    for (size_t i = 0; i < OTHER_COUNT; i++) {
        g_other_nid[i] = register_one(&kOther[i]);
        if (g_other_nid[i] == NID_undef) {
            return;
        }
    }
    g_ok = 1;
}

cmc_status cmc_init(void) {
    if (!CRYPTO_THREAD_run_once(&g_once, do_init) || !g_ok) {
        CMC_RAISE(CMC_E_INTERNAL);
    }
    return CMC_OK;
}

static int ensure_init(void) {
    return cmc_init() == CMC_OK;
}

int cmc_nid_control(cmc_control_id n) {
    if ((int)n < 0 || (int)n > CMC_CONTROL_ARC_MAX || kControls[n].oid == NULL || !ensure_init()) {
        return NID_undef;
    }
    return g_control_nid[n];
}

int cmc_nid_cct_pki_data(void) {
    return ensure_init() ? g_other_nid[OTHER_CCT_PKI_DATA] : NID_undef;
}

int cmc_nid_cct_pki_response(void) {
    return ensure_init() ? g_other_nid[OTHER_CCT_PKI_RESPONSE] : NID_undef;
}

int cmc_nid_aa_cmc_unsigned_data(void) {
    return ensure_init() ? g_other_nid[OTHER_AA_UNSIGNED] : NID_undef;
}

int cmc_nid_ad_cmc(void) {
    return ensure_init() ? g_other_nid[OTHER_AD_CMC] : NID_undef;
}

int cmc_nid_kp_cmc_ca(void) {
    return ensure_init() ? g_other_nid[OTHER_KP_CA] : NID_undef;
}

int cmc_nid_kp_cmc_ra(void) {
    return ensure_init() ? g_other_nid[OTHER_KP_RA] : NID_undef;
}

int cmc_nid_kp_cmc_archive(void) {
    return ensure_init() ? g_other_nid[OTHER_KP_ARCHIVE] : NID_undef;
}

int cmc_control_number(const ASN1_OBJECT *oid) {
    /* id-cmc-N is 06 08 2B 06 01 05 05 07 07 NN with N < 128 (spec/CMC.md §2). */
    static const uint8_t kPrefix[] = {0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x07};
    if (oid == NULL || OBJ_length(oid) != sizeof(kPrefix) + 1) {
        return -1;
    }
    const uint8_t *d = OBJ_get0_data(oid);
    if (d == NULL || memcmp(d, kPrefix, sizeof(kPrefix)) != 0 || d[sizeof(kPrefix)] >= 0x80) {
        return -1;
    }
    return d[sizeof(kPrefix)];
}
