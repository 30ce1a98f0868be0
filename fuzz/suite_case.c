/* Targets: the vector case and manifest readers of the conformance runner: json_loadb (as the
 * suite loader reads files: JSON_REJECT_DUPLICATES), cmc_suite_validate_case_json (the
 * case schema through the cmc_jschema interpreter, including its POSIX regex patterns, plus
 * the rules a schema cannot say), cmc_outcome_from_json for every expected outcome of a
 * valid case, and cmc_jschema_validate against the manifest schema.
 * Input: byte 0 even = a case file, odd = a manifest; the rest is the JSON text.
 * The schemas are read at start-up from vectors/schema/ under $CMC_SOURCE_DIR, the source
 * tree, or cmckit-data/schema/ next to the binary (ClusterFuzzLite copies them there).
 * Oracles: a case that validates converts every outcome without error; no crash, hang or
 * leak on any JSON.
 * Seeds: fuzz/corpus/suite_case/ (named by content hash; vector case files). max_len: 32768.
 * Dictionary: fuzz/dict/suite_case.dict. */
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cmc/cmc.h"
#include "fuzz_common.h"
#include "jschema.h"
#include "suite.h"

static json_t *g_case_schema;
static json_t *g_manifest_schema;

static json_t *load_schema(const char *name, const char *argv0) {
    char path[2048];
    const char *roots[3] = {getenv("CMC_SOURCE_DIR"), NULL, NULL};
#ifdef CMC_SOURCE_DIR
    roots[1] = CMC_SOURCE_DIR;
#endif
    for (int i = 0; i < 2; i++) {
        if (roots[i] != NULL) {
            snprintf(path, sizeof(path), "%s/vectors/schema/%s", roots[i], name);
            json_t *j = json_load_file(path, 0, NULL);
            if (j != NULL) {
                return j;
            }
        }
    }
    if (argv0 != NULL) {
        char copy[1024];
        snprintf(copy, sizeof(copy), "%s", argv0);
        snprintf(path, sizeof(path), "%s/cmckit-data/schema/%s", dirname(copy), name);
        json_t *j = json_load_file(path, 0, NULL);
        if (j != NULL) {
            return j;
        }
    }
    fprintf(stderr, "suite_case: cannot find vectors/schema/%s\n", name);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    fuzz_init();
    const char *argv0 = (argc != NULL && *argc > 0 && argv != NULL) ? (*argv)[0] : NULL;
    g_case_schema = load_schema("case.schema.json", argv0);
    g_manifest_schema = load_schema("manifest.schema.json", argv0);
    fuzz_warm_up("suite_case", LLVMFuzzerTestOneInput, NULL, 0);
    return 0;
}

static void check_outcomes(const json_t *c) {
    size_t i;
    const json_t *step;
    json_array_foreach(json_object_get(c, "steps"), i, step) {
        const json_t *outcomes = json_object_get(json_object_get(step, "expect"), "outcomes");
        size_t k;
        const json_t *o;
        json_array_foreach(outcomes, k, o) {
            cmc_outcome out;
            memset(&out, 0, sizeof(out));
            fuzz_check(cmc_outcome_from_json(&out, o) == CMC_OK,
                       "outcome of a valid case does not convert");
            cmc_outcome_cleanup(&out);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) {
        return 0;
    }
    json_t *j = json_loadb((const char *)data + 1, size - 1, JSON_REJECT_DUPLICATES, NULL);
    if (j == NULL) {
        return 0;
    }
    if (data[0] % 2 == 0) {
        cmc_diag diag;
        cmc_diag_init(&diag);
        const char *id = json_string_value(json_object_get(j, "id"));
        size_t problems = cmc_suite_validate_case_json(g_case_schema, j,
                                                       id != NULL ? id : "fuzz-case", NULL,
                                                       "fuzz", &diag);
        if (problems == 0) {
            check_outcomes(j);
        }
        cmc_diag_cleanup(&diag);
    } else {
        (void)cmc_jschema_validate(g_manifest_schema, j, NULL, NULL);
    }
    json_decref(j);
    cmc_error_clear();
    return 0;
}
