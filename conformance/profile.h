/* profile.h: conformance profiles (JSON). A profile says which optional features a server
 * lacks (cases that require them are skipped, with the profile's reason) and which cases
 * are expected to fail (expected deviations: a failure is reported as xfail, a pass as xpass
 * so a deviation list cannot rot). Built in: "rfc" (RFC 5272-series MUST/SHOULD with the
 * alternatives of DESIGN.md) and "documented-vendor" (spec/CMC.md §12).
 *
 * Format (conformance/schema/profile.schema.json):
 *   {"format": "cmckit-conform-profile", "version": 1, "name": "...", "description": "...",
 *    "features_absent": [{"feature": "<slug>", "reason": "..."}],
 *    "deviations": [{"case": "<glob>", "reason": "..."}],
 *    "policy": {"allowed_reasons": [0, 1, 3, 4, 5], "enroll_needs_officer": true}}
 * policy is optional and only fills what the target configuration leaves unsaid. */
#ifndef CMC_CONFORM_PROFILE_H
#define CMC_CONFORM_PROFILE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CMC_CONFORM_PROFILE_FORMAT "cmckit-conform-profile"
#define CMC_CONFORM_PROFILE_VERSION 1
/* Largest profile file read: a deviation list of a few hundred entries is < 64 KiB. */
#define CMC_CONFORM_MAX_PROFILE_BYTES (1024 * 1024)

typedef struct {
    char *key;    /* feature slug, or case-id glob */
    char *reason; /* why (always present) */
} cmc_conform_profile_entry;

typedef struct {
    char *name;
    char *description;
    cmc_conform_profile_entry *absent;
    size_t num_absent;
    cmc_conform_profile_entry *deviations;
    size_t num_deviations;
    /* Policy defaults: has_* is 0 when the profile does not say. */
    int has_allowed_reasons;
    unsigned allowed_reasons; /* bit r set: CRLReason r allowed */
    int has_enroll_needs_officer;
    int enroll_needs_officer;
} cmc_conform_profile;

/* cmc_conform_profile_load loads a built-in profile by name ("rfc", "documented-vendor") or
 * a JSON file by path. Returns NULL with a one-line reason in |err| on error. */
cmc_conform_profile *cmc_conform_profile_load(const char *name_or_path, char *err, size_t err_len);
/* cmc_conform_profile_parse reads a profile from JSON text. */
cmc_conform_profile *cmc_conform_profile_parse(const char *json, size_t len, const char *origin,
                                               char *err, size_t err_len);
void cmc_conform_profile_free(cmc_conform_profile *p);

/* The built-in profiles' names and JSON texts (for `--list-profiles` and tests). */
size_t cmc_conform_profile_builtin_count(void);
const char *cmc_conform_profile_builtin_name(size_t i);
const char *cmc_conform_profile_builtin_json(size_t i);

/* cmc_conform_profile_absent returns the reason if |feature| is declared absent, else NULL. */
const char *cmc_conform_profile_absent(const cmc_conform_profile *p, const char *feature);
/* cmc_conform_profile_deviation returns the reason of the first deviation whose glob
 * matches |case_id|, else NULL. */
const char *cmc_conform_profile_deviation(const cmc_conform_profile *p, const char *case_id);

#ifdef __cplusplus
}
#endif
#endif /* CMC_CONFORM_PROFILE_H */
