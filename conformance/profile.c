/* profile.c: conformance profiles (see profile.h for the format). */
#include "profile.h"

#include <fnmatch.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "result.h"

/* "rfc": everything the RFCs require; alternatives come from each case's outcome list
 * (DESIGN.md answer table), policy from the target configuration. */
static const char kRfcProfile[] =
    "{\"format\": \"cmckit-conform-profile\", \"version\": 1, \"name\": \"rfc\",\n"
    " \"description\": \"RFC 5272/5273/5274/6402 (RFC 10002/10003/10004) MUST and SHOULD, "
    "with the alternatives a conformant server may give; policy from the target "
    "configuration\",\n"
    " \"features_absent\": [], \"deviations\": []}\n";

/* "documented-vendor": the behaviour one commercial server documents (spec/CMC.md §12). */
static const char kVendorProfile[] =
    "{\"format\": \"cmckit-conform-profile\", \"version\": 1, \"name\": \"documented-vendor\",\n"
    " \"description\": \"the CMC behaviour a commercial CA documents (spec/CMC.md section 12): "
    "digest, content type and officer checked in that order; officer-signed revocation only, "
    "one per request (so no unsigned passphrase revocation); reasons 0, 1, 3, 4, 5\",\n"
    " \"features_absent\": [],\n"
    " \"deviations\": [],\n"
    " \"policy\": {\"allowed_reasons\": [0, 1, 3, 4, 5]}}\n";

static const struct {
    const char *name;
    const char *json;
} kBuiltin[] = {
    {"rfc", kRfcProfile},
    {"documented-vendor", kVendorProfile},
};

size_t cmc_conform_profile_builtin_count(void) {
    return sizeof(kBuiltin) / sizeof(kBuiltin[0]);
}

const char *cmc_conform_profile_builtin_name(size_t i) {
    return i < cmc_conform_profile_builtin_count() ? kBuiltin[i].name : NULL;
}

const char *cmc_conform_profile_builtin_json(size_t i) {
    return i < cmc_conform_profile_builtin_count() ? kBuiltin[i].json : NULL;
}

void cmc_conform_profile_free(cmc_conform_profile *p) {
    if (p == NULL) {
        return;
    }
    free(p->name);
    free(p->description);
    for (size_t i = 0; i < p->num_absent; i++) {
        free(p->absent[i].key);
        free(p->absent[i].reason);
    }
    free(p->absent);
    for (size_t i = 0; i < p->num_deviations; i++) {
        free(p->deviations[i].key);
        free(p->deviations[i].reason);
    }
    free(p->deviations);
    free(p);
}

static int check_keys(json_t *obj, const char *const *allowed, size_t n, const char *where,
                      char *err, size_t err_len) {
    const char *key;
    json_t *value;
    json_object_foreach(obj, key, value) {
        (void)value;
        size_t i = 0;
        while (i < n && strcmp(allowed[i], key) != 0) {
            i++;
        }
        if (i == n) {
            snprintf(err, err_len, "%s: unknown key \"%s\"", where, key);
            return -1;
        }
    }
    return 0;
}

static int read_entries(json_t *arr, const char *key_name, const char *where,
                        cmc_conform_profile_entry **out, size_t *out_n, char *err, size_t err_len) {
    if (arr == NULL) {
        return 0;
    }
    if (!json_is_array(arr)) {
        snprintf(err, err_len, "%s: not an array", where);
        return -1;
    }
    size_t n = json_array_size(arr);
    *out = calloc(n == 0 ? 1 : n, sizeof(**out));
    if (*out == NULL) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(arr, i);
        const char *allowed[] = {key_name, "reason"};
        char w[96];
        snprintf(w, sizeof(w), "%s[%zu]", where, i);
        if (!json_is_object(e)) {
            snprintf(err, err_len, "%s: not an object", w);
            return -1;
        }
        if (check_keys(e, allowed, 2, w, err, err_len) != 0) {
            return -1;
        }
        const char *k = json_string_value(json_object_get(e, key_name));
        const char *r = json_string_value(json_object_get(e, "reason"));
        if (k == NULL || k[0] == '\0' || r == NULL || r[0] == '\0') {
            snprintf(err, err_len, "%s: needs a non-empty \"%s\" and \"reason\"", w, key_name);
            return -1;
        }
        (*out)[i].key = cmc_conform_strdup(k);
        (*out)[i].reason = cmc_conform_strdup(r);
        *out_n = i + 1;
    }
    return 0;
}

cmc_conform_profile *cmc_conform_profile_parse(const char *json, size_t len, const char *origin,
                                               char *err, size_t err_len) {
    json_error_t jerr;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        snprintf(err, err_len, "%s:%d: %s", origin, jerr.line, jerr.text);
        return NULL;
    }
    cmc_conform_profile *p = calloc(1, sizeof(*p));
    if (p == NULL) {
        json_decref(root);
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    static const char *const kTop[] = {"format",          "version",    "name",  "description",
                                       "features_absent", "deviations", "policy"};
    static const char *const kPolicy[] = {"allowed_reasons", "enroll_needs_officer"};
    char where[128];
    snprintf(where, sizeof(where), "%s", origin);
    if (!json_is_object(root)) {
        snprintf(err, err_len, "%s: a profile is a JSON object", origin);
        goto fail;
    }
    if (check_keys(root, kTop, sizeof(kTop) / sizeof(kTop[0]), where, err, err_len) != 0) {
        goto fail;
    }
    const char *format = json_string_value(json_object_get(root, "format"));
    json_t *version = json_object_get(root, "version");
    if (format == NULL || strcmp(format, CMC_CONFORM_PROFILE_FORMAT) != 0 ||
        !json_is_integer(version) || json_integer_value(version) != CMC_CONFORM_PROFILE_VERSION) {
        snprintf(err, err_len, "%s: expected \"format\": \"%s\", \"version\": %d", origin,
                 CMC_CONFORM_PROFILE_FORMAT, CMC_CONFORM_PROFILE_VERSION);
        goto fail;
    }
    const char *name = json_string_value(json_object_get(root, "name"));
    if (name == NULL || name[0] == '\0') {
        snprintf(err, err_len, "%s: \"name\" is required", origin);
        goto fail;
    }
    p->name = cmc_conform_strdup(name);
    p->description = cmc_conform_strdup(json_string_value(json_object_get(root, "description")));
    if (p->description == NULL) {
        p->description = cmc_conform_strdup("");
    }
    snprintf(where, sizeof(where), "%s: features_absent", origin);
    if (read_entries(json_object_get(root, "features_absent"), "feature", where, &p->absent,
                     &p->num_absent, err, err_len) != 0) {
        goto fail;
    }
    snprintf(where, sizeof(where), "%s: deviations", origin);
    if (read_entries(json_object_get(root, "deviations"), "case", where, &p->deviations,
                     &p->num_deviations, err, err_len) != 0) {
        goto fail;
    }
    json_t *policy = json_object_get(root, "policy");
    if (policy != NULL) {
        snprintf(where, sizeof(where), "%s: policy", origin);
        if (!json_is_object(policy) || check_keys(policy, kPolicy, 2, where, err, err_len) != 0) {
            if (!json_is_object(policy)) {
                snprintf(err, err_len, "%s: not an object", where);
            }
            goto fail;
        }
        json_t *reasons = json_object_get(policy, "allowed_reasons");
        if (reasons != NULL) {
            if (!json_is_array(reasons)) {
                snprintf(err, err_len, "%s: allowed_reasons is a list of 0..10", where);
                goto fail;
            }
            size_t i;
            json_t *r;
            json_array_foreach(reasons, i, r) {
                json_int_t v = json_is_integer(r) ? json_integer_value(r) : -1;
                if (v < 0 || v > 10) {
                    snprintf(err, err_len, "%s: allowed_reasons[%zu] is not a CRLReason 0..10",
                             where, i);
                    goto fail;
                }
                p->allowed_reasons |= 1u << v;
            }
            p->has_allowed_reasons = 1;
        }
        json_t *officer = json_object_get(policy, "enroll_needs_officer");
        if (officer != NULL) {
            if (!json_is_boolean(officer)) {
                snprintf(err, err_len, "%s: enroll_needs_officer is true or false", where);
                goto fail;
            }
            p->has_enroll_needs_officer = 1;
            p->enroll_needs_officer = json_is_true(officer);
        }
    }
    json_decref(root);
    return p;
fail:
    json_decref(root);
    cmc_conform_profile_free(p);
    return NULL;
}

cmc_conform_profile *cmc_conform_profile_load(const char *name_or_path, char *err, size_t err_len) {
    for (size_t i = 0; i < cmc_conform_profile_builtin_count(); i++) {
        if (strcmp(name_or_path, kBuiltin[i].name) == 0) {
            return cmc_conform_profile_parse(kBuiltin[i].json, strlen(kBuiltin[i].json),
                                             kBuiltin[i].name, err, err_len);
        }
    }
    FILE *f = fopen(name_or_path, "rb");
    if (f == NULL) {
        snprintf(err, err_len,
                 "profile '%s' is neither built in (rfc, documented-vendor) nor "
                 "a readable file",
                 name_or_path);
        return NULL;
    }
    char *buf = malloc(CMC_CONFORM_MAX_PROFILE_BYTES + 1);
    if (buf == NULL) {
        fclose(f);
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    size_t n = fread(buf, 1, CMC_CONFORM_MAX_PROFILE_BYTES + 1, f);
    fclose(f);
    if (n > CMC_CONFORM_MAX_PROFILE_BYTES) {
        free(buf);
        snprintf(err, err_len, "%s: larger than %d bytes", name_or_path,
                 CMC_CONFORM_MAX_PROFILE_BYTES);
        return NULL;
    }
    cmc_conform_profile *p = cmc_conform_profile_parse(buf, n, name_or_path, err, err_len);
    free(buf);
    return p;
}

const char *cmc_conform_profile_absent(const cmc_conform_profile *p, const char *feature) {
    for (size_t i = 0; p != NULL && i < p->num_absent; i++) {
        if (strcmp(p->absent[i].key, feature) == 0) {
            return p->absent[i].reason;
        }
    }
    return NULL;
}

const char *cmc_conform_profile_deviation(const cmc_conform_profile *p, const char *case_id) {
    for (size_t i = 0; p != NULL && i < p->num_deviations; i++) {
        if (fnmatch(p->deviations[i].key, case_id, 0) == 0) {
            return p->deviations[i].reason;
        }
    }
    return NULL;
}
