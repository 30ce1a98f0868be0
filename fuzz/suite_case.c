/* Targets: the vector case and manifest readers of the conformance runner: json_loadb (as the
 * suite loader reads files: JSON_REJECT_DUPLICATES), cmc_suite_validate_case_json (the
 * case schema through the cmc_jschema interpreter, including its POSIX regex patterns, plus
 * the rules a schema cannot say), cmc_outcome_from_json for every expected outcome of a
 * valid case, cmc_jschema_validate against the manifest schema, and the whole loader
 * cmc_suite_load_files (manifest, case files, data files, the cross-file rules) over an
 * in-memory vector set made from the input (no disk I/O per input).
 * Input: byte 0 even = a case file: the rest is the JSON text. Byte 0 odd = a vector set:
 * the rest is manifest.json, optionally followed by files, each introduced by a line
 * "#FILE <path>" (path relative to the vectors folder, e.g. cases/<id>.json or
 * cases/data/<id>/1-enroll.crq; the schemas are always the real ones). The manifest text
 * alone is also validated against the manifest schema.
 * The schemas are read at start-up from vectors/schema/ under $CMC_SOURCE_DIR, the source
 * tree, or cmckit-data/schema/ next to the binary (ClusterFuzzLite copies them there).
 * Oracles: a case that validates converts every outcome without error; the loader either
 * succeeds with every manifest case loaded, findable and with the manifest's step count, or
 * fails with CMC_E_CONFIG and at least one diagnostic; no crash, hang or leak on any JSON.
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

/* Most files one input's vector set may hold (manifest and schemas not counted): bounds
 * the linear lookups of the in-memory source. */
#define FUZZ_MAX_FILES 64
static const char kFileMark[] = "\n#FILE ";

static json_t *g_case_schema;
static json_t *g_manifest_schema;
/* The schema texts, served to the loader by the in-memory source. */
static char *g_case_schema_text;
static char *g_manifest_schema_text;

static json_t *load_schema(const char *name, const char *argv0, char **out_text) {
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
                *out_text = json_dumps(j, JSON_COMPACT);
                fuzz_check(*out_text != NULL, "json_dumps of a schema");
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
            *out_text = json_dumps(j, JSON_COMPACT);
            fuzz_check(*out_text != NULL, "json_dumps of a schema");
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
    g_case_schema = load_schema("case.schema.json", argv0, &g_case_schema_text);
    g_manifest_schema = load_schema("manifest.schema.json", argv0, &g_manifest_schema_text);
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

/* ---- The in-memory vector set: files lent from the input. ---- */
typedef struct {
    char *name; /* NUL-terminated copy */
    const uint8_t *data;
    size_t len;
} mem_file;

typedef struct {
    mem_file files[FUZZ_MAX_FILES + 3]; /* + manifest.json and the two schemas */
    size_t num_files;
} mem_set;

static const mem_file *mem_find(const cmc_suite_files *fs, const char *rel) {
    const mem_set *m = fs->ctx;
    for (size_t i = 0; i < m->num_files; i++) {
        if (strcmp(m->files[i].name, rel) == 0) {
            return &m->files[i];
        }
    }
    return NULL;
}

static cmc_status mem_read(const cmc_suite_files *fs, const char *rel, uint8_t **out,
                           size_t *out_len) {
    const mem_file *f = mem_find(fs, rel);
    if (f == NULL) {
        return CMC_E_IO;
    }
    if (f->len > CMC_SUITE_MAX_FILE_BYTES) {
        return CMC_E_LIMIT;
    }
    /* Exact-size copy so ASan catches reads past the end. */
    uint8_t *buf = malloc(f->len ? f->len : 1);
    if (buf == NULL) {
        return CMC_E_NOMEM;
    }
    memcpy(buf, f->data, f->len);
    *out = buf;
    *out_len = f->len;
    return CMC_OK;
}

static int mem_exists(const cmc_suite_files *fs, const char *rel) {
    return mem_find(fs, rel) != NULL;
}

static int mem_list(const cmc_suite_files *fs, const char *rel_dir,
                    void (*fn)(void *arg, const char *name), void *arg) {
    const mem_set *m = fs->ctx;
    size_t n = strlen(rel_dir);
    for (size_t i = 0; i < m->num_files; i++) {
        const char *name = m->files[i].name;
        if (strncmp(name, rel_dir, n) == 0 && name[n] == '/' && strchr(name + n + 1, '/') == NULL) {
            fn(arg, name + n + 1);
        }
    }
    return 0;
}

static void mem_add(mem_set *m, const char *name, size_t name_len, const uint8_t *data,
                    size_t len) {
    mem_file *f = &m->files[m->num_files++];
    f->name = strndup(name, name_len);
    fuzz_check(f->name != NULL, "strndup");
    f->data = data;
    f->len = len;
}

static const uint8_t *find_mark(const uint8_t *p, const uint8_t *end) {
    size_t n = sizeof(kFileMark) - 1;
    for (; (size_t)(end - p) >= n; p++) {
        if (memcmp(p, kFileMark, n) == 0) {
            return p;
        }
    }
    return NULL;
}

/* load_set splits |data| into manifest.json and "#FILE" files and runs the loader. */
static void load_set(const uint8_t *data, size_t size) {
    mem_set *m = calloc(1, sizeof(*m));
    fuzz_check(m != NULL, "calloc");
    mem_add(m, "schema/case.schema.json", strlen("schema/case.schema.json"),
            (const uint8_t *)g_case_schema_text, strlen(g_case_schema_text));
    mem_add(m, "schema/manifest.schema.json", strlen("schema/manifest.schema.json"),
            (const uint8_t *)g_manifest_schema_text, strlen(g_manifest_schema_text));
    const uint8_t *end = data + size;
    const uint8_t *mark = find_mark(data, end);
    mem_add(m, "manifest.json", strlen("manifest.json"), data,
            (size_t)((mark != NULL ? mark : end) - data));
    while (mark != NULL && m->num_files < FUZZ_MAX_FILES + 3) {
        const uint8_t *name = mark + sizeof(kFileMark) - 1;
        const uint8_t *nl = memchr(name, '\n', (size_t)(end - name));
        if (nl == NULL) {
            break;
        }
        const uint8_t *body = nl + 1;
        mark = find_mark(body, end);
        mem_add(m, (const char *)name, (size_t)(nl - name), body,
                (size_t)((mark != NULL ? mark : end) - body));
    }
    cmc_suite_files fs = {mem_read, mem_exists, mem_list, m};
    cmc_diag diag;
    cmc_diag_init(&diag);
    cmc_suite *suite = NULL;
    cmc_status st = cmc_suite_load_files(&suite, &fs, "fuzz-vectors", &diag);
    fuzz_check(st == CMC_OK || st == CMC_E_CONFIG || st == CMC_E_NOMEM,
               "cmc_suite_load_files: unexpected status");
    if (st == CMC_E_CONFIG) {
        fuzz_check(diag.num_lines > 0, "vector set refused without a diagnostic");
        fuzz_check(suite == NULL, "refused vector set returned");
    }
    if (st == CMC_OK) {
        fuzz_check(diag.num_lines == 0, "accepted vector set with a diagnostic");
        const json_t *entries = json_object_get(suite->manifest, "cases");
        fuzz_check(suite->num_cases == json_array_size(entries), "case count differs");
        for (size_t i = 0; i < suite->num_cases; i++) {
            const json_t *e = json_array_get(entries, i);
            const cmc_case *c = cmc_suite_find(suite, json_string_value(json_object_get(e, "id")));
            fuzz_check(c == &suite->cases[i], "manifest case not found in order");
            fuzz_check((json_int_t)c->num_steps == json_integer_value(json_object_get(e, "steps")),
                       "step count differs from the manifest");
            for (size_t k = 0; k < c->num_steps; k++) {
                fuzz_check(c->steps[k].num_outcomes > 0, "step without an outcome");
                fuzz_check((c->steps[k].request_file == NULL) == (c->steps[k].request == NULL),
                           "request file and bytes disagree");
            }
        }
    }
    cmc_suite_free(suite);
    cmc_diag_cleanup(&diag);
    for (size_t i = 0; i < m->num_files; i++) {
        free(m->files[i].name);
    }
    free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) {
        return 0;
    }
    if (data[0] % 2 == 1) {
        load_set(data + 1, size - 1);
    }
    /* A vector set's manifest ends at its first file. */
    const uint8_t *mark = data[0] % 2 == 1 ? find_mark(data + 1, data + size) : NULL;
    size_t json_len = (size_t)((mark != NULL ? mark : data + size) - (data + 1));
    json_t *j = json_loadb((const char *)data + 1, json_len, JSON_REJECT_DUPLICATES, NULL);
    if (j == NULL) {
        return 0;
    }
    if (data[0] % 2 == 0) {
        cmc_diag diag;
        cmc_diag_init(&diag);
        const char *id = json_string_value(json_object_get(j, "id"));
        size_t problems = cmc_suite_validate_case_json(
            g_case_schema, j, id != NULL ? id : "fuzz-case", NULL, "fuzz", &diag);
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
