/* cmc_names.c: names of the CMC wire enumerations (RFC 5272 §6.1; RFC 5280 §5.3.1). */
#include <string.h>

#include "asn1/cmc_local.h"

/*- CMCStatus ::= INTEGER { success(0), -- reserved(1) -- failed(2), pending(3),
 *      noSupport(4), confirmRequired(5), popRequired(6), partial(7) } */
static const char *const kStatusNames[] = {
    "success", NULL, "failed", "pending", "noSupport", "confirmRequired", "popRequired", "partial",
};

/*- CMCFailInfo ::= INTEGER { badAlg(0), badMessageCheck(1), badRequest(2), badTime(3),
 *      badCertId(4), unsupportedExt(5), mustArchiveKeys(6), badIdentity(7),
 *      popRequired(8), popFailed(9), noKeyReuse(10), internalCAError(11), tryLater(12),
 *      authDataFail(13) }
 * Value 5: RFC 5272's 1988 module spells "unsupportedExt", RFC 2797/RFC 5912/bis
 * "unsuportedExt" (spec/CMC.md §14). We print the former and accept both names. */
static const char *const kFailNames[] = {
    "badAlg",         "badMessageCheck", "badRequest",  "badTime",      "badCertId",
    "unsupportedExt", "mustArchiveKeys", "badIdentity", "popRequired",  "popFailed",
    "noKeyReuse",     "internalCAError", "tryLater",    "authDataFail",
};

/*- CRLReason ::= ENUMERATED { unspecified(0), keyCompromise(1), cACompromise(2),
 *      affiliationChanged(3), superseded(4), cessationOfOperation(5), certificateHold(6),
 *      -- value 7 is not used -- removeFromCRL(8), privilegeWithdrawn(9),
 *      aACompromise(10) } */
static const char *const kReasonNames[CMC_CRL_REASON_MAX + 1] = {
    "unspecified",   "keyCompromise",        "cACompromise",    "affiliationChanged",
    "superseded",    "cessationOfOperation", "certificateHold", NULL,
    "removeFromCRL", "privilegeWithdrawn",   "aACompromise",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *name_at(const char *const *t, size_t n, long v) {
    if (v < 0 || (unsigned long)v >= n) {
        return NULL;
    }
    return t[v];
}

static long index_of(const char *const *t, size_t n, const char *name) {
    if (name == NULL) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (t[i] != NULL && strcmp(t[i], name) == 0) {
            return (long)i;
        }
    }
    return -1;
}

const char *cmc_cmc_status_name(long status) {
    return name_at(kStatusNames, COUNT(kStatusNames), status);
}

const char *cmc_fail_info_name(long fail_info) {
    return name_at(kFailNames, COUNT(kFailNames), fail_info);
}

const char *cmc_crl_reason_name(long reason) {
    return name_at(kReasonNames, COUNT(kReasonNames), reason);
}

long cmc_cmc_status_from_name(const char *name) {
    return index_of(kStatusNames, COUNT(kStatusNames), name);
}

long cmc_fail_info_from_name(const char *name) {
    if (name != NULL && strcmp(name, "unsuportedExt") == 0) {
        return CMC_FAIL_UNSUPPORTED_EXT;
    }
    return index_of(kFailNames, COUNT(kFailNames), name);
}

long cmc_crl_reason_from_name(const char *name) {
    return index_of(kReasonNames, COUNT(kReasonNames), name);
}
