/* suite.c: vector set loader and validator (suite.h). */
#include "suite.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmc/asn1.h"
#include "fixtures.h"
#include "jschema.h"

#define SUITE_PATH_MAX 4096

/* ---------------------------------------------------------------- diagnostics */

void cmc_diag_init(cmc_diag *d) {
    memset(d, 0, sizeof(*d));
}

void cmc_diag_cleanup(cmc_diag *d) {
    if (d == NULL) {
        return;
    }
    for (size_t i = 0; i < d->num_lines; i++) {
        free(d->lines[i]);
    }
    free(d->lines);
    cmc_diag_init(d);
}

void cmc_diag_add(cmc_diag *d, const char *fmt, ...) {
    if (d == NULL) {
        return;
    }
    if (d->num_lines == d->cap) {
        size_t cap = d->cap == 0 ? 16 : d->cap * 2;
        char **lines = realloc(d->lines, cap * sizeof(*lines));
        if (lines == NULL) {
            return;
        }
        d->lines = lines;
        d->cap = cap;
    }
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    char *line = strdup(buf);
    if (line != NULL) {
        d->lines[d->num_lines++] = line;
    }
}

/* ---------------------------------------------------------------- small helpers */

static const char *const kMediaNames[] = {"cmc-response", "certs-only", "pkix-cert", "text",
                                          "none"};

const char *cmc_expect_media_name(cmc_expect_media m) {
    return (unsigned)m < sizeof(kMediaNames) / sizeof(kMediaNames[0]) ? kMediaNames[m] : NULL;
}

int cmc_expect_media_from_name(const char *name) {
    for (size_t i = 0; name != NULL && i < sizeof(kMediaNames) / sizeof(kMediaNames[0]); i++) {
        if (strcmp(kMediaNames[i], name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

static const char *const kCaptureSources[] = {"issued.serial", "issued.issuer", "issued.cert"};

static int capture_source_from_name(const char *name) {
    for (size_t i = 0; i < sizeof(kCaptureSources) / sizeof(kCaptureSources[0]); i++) {
        if (strcmp(kCaptureSources[i], name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

cmc_status cmc_suite_read_file(uint8_t **out, size_t *out_len, const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        CMC_RAISE(CMC_E_IO);
    }
    size_t cap = 4096;
    size_t len = 0;
    uint8_t *buf = malloc(cap);
    while (buf != NULL) {
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (len < cap) {
            break;
        }
        if (cap >= (size_t)CMC_SUITE_MAX_FILE_BYTES) {
            free(buf);
            fclose(f);
            CMC_RAISE(CMC_E_LIMIT);
        }
        uint8_t *nb = realloc(buf, cap * 2);
        if (nb == NULL) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    int err = buf == NULL ? 1 : ferror(f);
    fclose(f);
    if (buf == NULL) {
        CMC_RAISE(CMC_E_NOMEM);
    }
    if (err) {
        free(buf);
        CMC_RAISE(CMC_E_IO);
    }
    *out = buf;
    *out_len = len;
    return CMC_OK;
}

/* ---------------------------------------------------------------- file sources */

/* The folder source: |ctx| is the folder (NUL-terminated path). */
static int disk_path(char out[SUITE_PATH_MAX], const cmc_suite_files *fs, const char *rel) {
    const char *root = fs->ctx;
    int n = rel[0] != '\0' ? snprintf(out, SUITE_PATH_MAX, "%s/%s", root, rel)
                           : snprintf(out, SUITE_PATH_MAX, "%s", root);
    return n >= 0 && n < SUITE_PATH_MAX;
}

static cmc_status disk_read(const cmc_suite_files *fs, const char *rel, uint8_t **out,
                            size_t *out_len) {
    char path[SUITE_PATH_MAX];
    if (!disk_path(path, fs, rel)) {
        CMC_RAISE(CMC_E_LIMIT);
    }
    return cmc_suite_read_file(out, out_len, path);
}

static int disk_exists(const cmc_suite_files *fs, const char *rel) {
    char path[SUITE_PATH_MAX];
    struct stat st;
    return disk_path(path, fs, rel) && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int disk_list(const cmc_suite_files *fs, const char *rel_dir,
                     void (*fn)(void *arg, const char *name), void *arg) {
    char path[SUITE_PATH_MAX];
    if (!disk_path(path, fs, rel_dir)) {
        return ENAMETOOLONG;
    }
    DIR *d = opendir(path);
    if (d == NULL) {
        return errno != 0 ? errno : EIO;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        fn(arg, e->d_name);
    }
    closedir(d);
    return 0;
}

void cmc_suite_files_dir(cmc_suite_files *fs, const char *dir) {
    fs->read = disk_read;
    fs->exists = disk_exists;
    fs->list = disk_list;
    fs->ctx = dir;
}

static json_t *load_json(const cmc_suite_files *fs, const char *rel, cmc_diag *diag,
                         const char *label) {
    uint8_t *text = NULL;
    size_t len = 0;
    cmc_status st = fs->read(fs, rel, &text, &len);
    if (st != CMC_OK) {
        cmc_diag_add(diag, "%s: cannot read: %s", label, cmc_status_str(st));
        return NULL;
    }
    json_error_t jerr;
    json_t *j = json_loadb((const char *)text, len, JSON_REJECT_DUPLICATES, &jerr);
    free(text);
    if (j == NULL) {
        cmc_diag_add(diag, "%s: not valid JSON: line %d: %s", label, jerr.line, jerr.text);
    }
    return j;
}

/* join_rel writes "|dir|/|name|" (just |name| when |dir| is empty); 0 if it does not fit. */
static int join_rel(char out[SUITE_PATH_MAX], const char *dir, const char *name) {
    int n = dir[0] != '\0' ? snprintf(out, SUITE_PATH_MAX, "%s/%s", dir, name)
                           : snprintf(out, SUITE_PATH_MAX, "%s", name);
    return n >= 0 && n < SUITE_PATH_MAX;
}

static int starts_with(const char *s, const char *prefix) {
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

typedef struct {
    cmc_diag *diag;
    const char *label;
} report_ctx;

static void report_schema(void *ctx, const char *path, const char *msg) {
    report_ctx *rc = ctx;
    cmc_diag_add(rc->diag, "%s: %s: %s", rc->label, path[0] != '\0' ? path : "/", msg);
}

/* ---------------------------------------------------------------- case rules */

static int fixture_file_exists(const char *stem, const char *suffix) {
    char name[128];
    if ((size_t)snprintf(name, sizeof(name), "%s%s", stem, suffix) >= sizeof(name)) {
        return 0;
    }
    return cmc_fixture_get(name, NULL) != NULL;
}

/* Credentials a recipe may name without capturing them first (recipe.h). */
static int is_credential_ref(const char *name) {
    return strcmp(name, "ca") == 0;
}

/* check_refs walks |v| and reports every "$name" string whose name is neither captured by
 * an earlier step (|captured|, an object used as a set) nor a credential. */
static size_t check_value_refs(const json_t *v, const json_t *captured, const char *label,
                               const char *where, cmc_diag *diag) {
    size_t problems = 0;
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (s[0] == '$' && !is_credential_ref(s + 1) && json_object_get(captured, s + 1) == NULL) {
            cmc_diag_add(diag, "%s: %s: '%s' is not captured by an earlier step", label, where, s);
            problems++;
        }
    } else if (json_is_array(v)) {
        size_t i;
        const json_t *e;
        json_array_foreach(v, i, e) {
            problems += check_value_refs(e, captured, label, where, diag);
        }
    } else if (json_is_object(v)) {
        const char *k;
        json_t *e;
        json_object_foreach((json_t *)v, k, e) {
            problems += check_value_refs(e, captured, label, where, diag);
        }
    }
    return problems;
}

static size_t check_fixture(const json_t *stem, const char *what, int need_cert, const char *label,
                            const char *where, cmc_diag *diag) {
    if (!json_is_string(stem)) {
        return 0;
    }
    const char *s = json_string_value(stem);
    if (!fixture_file_exists(s, ".key.pem") ||
        (need_cert && !fixture_file_exists(s, ".cert.pem"))) {
        cmc_diag_add(diag, "%s: %s: %s '%s' is not in the fixture PKI (vectors/pki)", label, where,
                     what, s);
        return 1;
    }
    return 0;
}

static int recipe_has_pad(const json_t *recipe) {
    size_t i;
    const json_t *m;
    json_array_foreach(json_object_get(recipe, "mutations"), i, m) {
        const json_t *op = json_object_get(m, "op");
        if (json_is_string(op) && strcmp(json_string_value(op), "pad") == 0) {
            return 1;
        }
    }
    return 0;
}

/* Per-type rules the schema leaves open (which keys a recipe type needs and allows). */
static size_t check_recipe(const json_t *recipe, const char *label, const char *where,
                           cmc_diag *diag) {
    size_t problems = 0;
    const char *type = json_string_value(json_object_get(recipe, "type"));
    static const char *const kPkcs10Keys[] = {"type", "key",        "subject",
                                              "pop",  "extensions", "mutations"};
    static const char *const kFullKeys[] = {"type", "signer", "controls", "requests",
                                            "nest", "cms",    "mutations"};
    static const char *const kRawKeys[] = {"type", "hex", "mutations"};
    const char *const *allowed = NULL;
    size_t num_allowed = 0;
    if (type == NULL) {
        return 0; /* the schema already said so */
    }
    if (strcmp(type, "pkcs10") == 0) {
        allowed = kPkcs10Keys;
        num_allowed = sizeof(kPkcs10Keys) / sizeof(kPkcs10Keys[0]);
        if (json_object_get(recipe, "key") == NULL) {
            cmc_diag_add(diag, "%s: %s: a pkcs10 recipe needs 'key'", label, where);
            problems++;
        }
        problems += check_fixture(json_object_get(recipe, "key"), "key", 0, label, where, diag);
    } else if (strcmp(type, "full") == 0) {
        allowed = kFullKeys;
        num_allowed = sizeof(kFullKeys) / sizeof(kFullKeys[0]);
        if (json_object_get(recipe, "signer") == NULL) {
            cmc_diag_add(diag, "%s: %s: a full recipe needs 'signer' (null = unsigned)", label,
                         where);
            problems++;
        }
        problems += check_fixture(json_object_get(json_object_get(recipe, "signer"), "fixture"),
                                  "signer", 1, label, where, diag);
        size_t i;
        const json_t *r;
        json_array_foreach(json_object_get(recipe, "requests"), i, r) {
            problems += check_fixture(json_object_get(r, "key"), "key", 0, label, where, diag);
        }
        const json_t *c;
        json_array_foreach(json_object_get(recipe, "controls"), i, c) {
            const char *ct = json_string_value(json_object_get(c, "type"));
            if (ct == NULL) {
                continue;
            }
            int needs_value = strcmp(ct, "transactionId") == 0 || strcmp(ct, "senderNonce") == 0 ||
                              strcmp(ct, "recipientNonce") == 0 || strcmp(ct, "dataReturn") == 0;
            int needs_cert_id = strcmp(ct, "revokeRequest") == 0 || strcmp(ct, "getCert") == 0;
            if (needs_value && json_object_get(c, "value") == NULL) {
                cmc_diag_add(diag, "%s: %s: control %s needs 'value'", label, where, ct);
                problems++;
            }
            if (needs_cert_id &&
                (json_object_get(c, "issuer") == NULL || json_object_get(c, "serial") == NULL)) {
                cmc_diag_add(diag, "%s: %s: control %s needs 'issuer' and 'serial'", label, where,
                             ct);
                problems++;
            }
            if (strcmp(ct, "revokeRequest") == 0 && json_object_get(c, "reason") == NULL) {
                cmc_diag_add(diag, "%s: %s: revokeRequest needs 'reason'", label, where);
                problems++;
            }
            if (strcmp(ct, "raw") == 0 && json_object_get(c, "oid") == NULL) {
                cmc_diag_add(diag, "%s: %s: a raw control needs 'oid'", label, where);
                problems++;
            }
        }
    } else if (strcmp(type, "raw") == 0) {
        allowed = kRawKeys;
        num_allowed = sizeof(kRawKeys) / sizeof(kRawKeys[0]);
        if (json_object_get(recipe, "hex") == NULL) {
            cmc_diag_add(diag, "%s: %s: a raw recipe needs 'hex'", label, where);
            problems++;
        }
    }
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)recipe, k, v) {
        size_t i = 0;
        while (i < num_allowed && strcmp(allowed[i], k) != 0) {
            i++;
        }
        if (i == num_allowed) {
            cmc_diag_add(diag, "%s: %s: key '%s' does not apply to a %s recipe", label, where, k,
                         type);
            problems++;
        }
    }
    return problems;
}

static size_t check_outcome(const json_t *o, const char *label, const char *where, cmc_diag *diag) {
    size_t problems = 0;
    const char *media = json_string_value(json_object_get(o, "media_type"));
    const char *status = json_string_value(json_object_get(o, "cmc_status"));
    int is_cmc = media != NULL && strcmp(media, "cmc-response") == 0;
    if (!is_cmc && (status != NULL || json_object_get(o, "body_list") != NULL ||
                    json_object_get(o, "status_string_contains") != NULL)) {
        cmc_diag_add(diag, "%s: %s: cmc_status/body_list/status_string only with a cmc-response",
                     label, where);
        problems++;
    }
    if (json_object_get(o, "fail_info") != NULL &&
        (status == NULL || strcmp(status, "failed") != 0)) {
        cmc_diag_add(diag, "%s: %s: fail_info only with cmc_status failed", label, where);
        problems++;
    }
    if (is_cmc && status == NULL) {
        cmc_diag_add(diag, "%s: %s: a cmc-response outcome needs cmc_status", label, where);
        problems++;
    }
    if (json_object_get(o, "chain") != NULL &&
        (media == NULL || strcmp(media, "certs-only") != 0)) {
        cmc_diag_add(diag, "%s: %s: chain only with certs-only", label, where);
        problems++;
    }
    return problems;
}

/* |fs| (NULL: no existence check) holds the case files under |cases_rel|. */
static size_t check_data_file(const json_t *file, const char *id, const cmc_suite_files *fs,
                              const char *cases_rel, const char *label, const char *where,
                              cmc_diag *diag) {
    if (!json_is_string(file)) {
        return 0;
    }
    const char *f = json_string_value(file);
    char prefix[256];
    snprintf(prefix, sizeof(prefix), "data/%s/", id);
    if (!starts_with(f, prefix)) {
        cmc_diag_add(diag, "%s: %s: '%s' is not in %s", label, where, f, prefix);
        return 1;
    }
    if (fs != NULL) {
        char rel[SUITE_PATH_MAX];
        if (!join_rel(rel, cases_rel, f) || !fs->exists(fs, rel)) {
            cmc_diag_add(diag, "%s: %s: missing file %s", label, where, f);
            return 1;
        }
    }
    return 0;
}

static size_t validate_case(const json_t *case_schema, const json_t *c, const char *file_stem,
                            const cmc_suite_files *fs, const char *cases_rel, const char *label,
                            cmc_diag *diag) {
    report_ctx rc = {diag, label};
    size_t problems = cmc_jschema_validate(case_schema, c, report_schema, &rc);
    if (problems != 0) {
        return problems; /* the rules below assume the schema's shape */
    }
    const char *id = json_string_value(json_object_get(c, "id"));
    if (file_stem != NULL && strcmp(id, file_stem) != 0) {
        cmc_diag_add(diag, "%s: id '%s' differs from the file name", label, id);
        problems++;
    }
    int old_series = 0;
    int new_series = 0;
    size_t i;
    const json_t *ref;
    json_array_foreach(json_object_get(c, "refs"), i, ref) {
        const char *doc = json_string_value(json_object_get(ref, "doc"));
        old_series |= strcmp(doc, "RFC5272") == 0 || strcmp(doc, "RFC5273") == 0 ||
                      strcmp(doc, "RFC5274") == 0 || strcmp(doc, "RFC6402") == 0;
        new_series |= strcmp(doc, "RFC10002") == 0 || strcmp(doc, "RFC10003") == 0 ||
                      strcmp(doc, "RFC10004") == 0;
    }
    if (!old_series || !new_series) {
        cmc_diag_add(diag,
                     "%s: /refs: needs an RFC 5272-series and an RFC 10002/10003/10004 "
                     "reference",
                     label);
        problems++;
    }
    json_t *captured = json_object();
    const json_t *step;
    json_array_foreach(json_object_get(c, "steps"), i, step) {
        char where[64];
        snprintf(where, sizeof(where), "/steps/%zu", i);
        const json_t *req = json_object_get(step, "request");
        const json_t *recipe = json_object_get(req, "recipe");
        problems += check_recipe(recipe, label, where, diag);
        problems += check_value_refs(recipe, captured, label, where, diag);
        const json_t *file = json_object_get(req, "file");
        if (json_is_null(file) && !recipe_has_pad(recipe)) {
            cmc_diag_add(diag, "%s: %s: request file may be null only for a padded recipe", label,
                         where);
            problems++;
        }
        problems += check_data_file(file, id, fs, cases_rel, label, where, diag);
        const json_t *golden = json_object_get(step, "golden");
        if (golden != NULL) {
            problems += check_data_file(json_object_get(golden, "file"), id, fs, cases_rel, label,
                                        where, diag);
        }
        const json_t *expect = json_object_get(step, "expect");
        size_t j;
        const json_t *o;
        json_array_foreach(json_object_get(expect, "outcomes"), j, o) {
            problems += check_outcome(o, label, where, diag);
        }
        const char *name;
        json_t *src;
        json_object_foreach(json_object_get(expect, "capture"), name, src) {
            if (json_object_get(captured, name) != NULL || is_credential_ref(name)) {
                cmc_diag_add(diag, "%s: %s: capture '%s' is already defined", label, where, name);
                problems++;
            }
            json_object_set_new(captured, name, json_true());
        }
    }
    json_decref(captured);
    return problems;
}

size_t cmc_suite_validate_case_json(const json_t *case_schema, const json_t *c,
                                    const char *file_stem, const char *cases_dir, const char *label,
                                    cmc_diag *diag) {
    cmc_suite_files fs;
    if (cases_dir == NULL) {
        return validate_case(case_schema, c, file_stem, NULL, "", label, diag);
    }
    cmc_suite_files_dir(&fs, cases_dir);
    return validate_case(case_schema, c, file_stem, &fs, "", label, diag);
}

/* ---------------------------------------------------------------- conversion */

static const char **string_array(const json_t *a, size_t *out_num) {
    size_t n = json_array_size(a);
    const char **out = calloc(n + 1, sizeof(*out));
    if (out == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        out[i] = json_string_value(json_array_get(a, i));
    }
    *out_num = n;
    return out;
}

void cmc_outcome_cleanup(cmc_outcome *o) {
    free((void *)o->fail_info);
    free((void *)o->body_list);
    o->fail_info = NULL;
    o->body_list = NULL;
}

static void step_cleanup(cmc_step *s) {
    for (size_t i = 0; i < s->num_outcomes; i++) {
        cmc_outcome_cleanup(&s->outcomes[i]);
    }
    free(s->outcomes);
    free(s->captures);
    free(s->request);
    free(s->golden);
}

static void case_cleanup(cmc_case *c) {
    for (size_t i = 0; c->steps != NULL && i < c->num_steps; i++) {
        step_cleanup(&c->steps[i]);
    }
    free(c->steps);
    free(c->tags);
    free(c->requires);
    free(c->refs);
    json_decref(c->json);
    memset(c, 0, sizeof(*c));
}

cmc_status cmc_outcome_from_json(cmc_outcome *o, const json_t *j) {
    memset(o, 0, sizeof(*o));
    o->http_status = (int)json_integer_value(json_object_get(j, "http_status"));
    o->media = (cmc_expect_media)cmc_expect_media_from_name(
        json_string_value(json_object_get(j, "media_type")));
    const json_t *st = json_object_get(j, "cmc_status");
    o->cmc_status = st != NULL ? cmc_cmc_status_from_name(json_string_value(st)) : -1;
    const json_t *fi = json_object_get(j, "fail_info");
    if (json_array_size(fi) > 0) {
        long *v = calloc(json_array_size(fi), sizeof(*v));
        if (v == NULL) {
            CMC_RAISE(CMC_E_NOMEM);
        }
        for (size_t i = 0; i < json_array_size(fi); i++) {
            v[i] = cmc_fail_info_from_name(json_string_value(json_array_get(fi, i)));
        }
        o->fail_info = v;
        o->num_fail_info = json_array_size(fi);
    }
    const json_t *bl = json_object_get(j, "body_list");
    if (json_array_size(bl) > 0) {
        int64_t *v = calloc(json_array_size(bl), sizeof(*v));
        if (v == NULL) {
            CMC_RAISE(CMC_E_NOMEM);
        }
        for (size_t i = 0; i < json_array_size(bl); i++) {
            v[i] = (int64_t)json_integer_value(json_array_get(bl, i));
        }
        o->body_list = v;
        o->num_body_list = json_array_size(bl);
    }
    o->status_string_contains = json_string_value(json_object_get(j, "status_string_contains"));
    const json_t *issued = json_object_get(j, "issued");
    o->issued = issued != NULL ? (long)json_integer_value(issued) : -1;
    const json_t *chain = json_object_get(j, "chain");
    o->chain = chain != NULL ? json_is_true(chain) : -1;
    return CMC_OK;
}

static int has_string(const json_t *array, const char *s) {
    size_t i;
    const json_t *e;
    json_array_foreach(array, i, e) {
        if (json_is_string(e) && strcmp(json_string_value(e), s) == 0) {
            return 1;
        }
    }
    return 0;
}

static cmc_status load_bytes(uint8_t **out, size_t *out_len, const cmc_suite_files *fs,
                             const char *name) {
    char rel[SUITE_PATH_MAX];
    if (!join_rel(rel, "cases", name)) {
        CMC_RAISE(CMC_E_LIMIT);
    }
    return fs->read(fs, rel, out, out_len);
}

static cmc_status convert_step(cmc_step *s, const json_t *j, const cmc_suite_files *fs) {
    memset(s, 0, sizeof(*s));
    const json_t *req = json_object_get(j, "request");
    const json_t *expect = json_object_get(j, "expect");
    const json_t *golden = json_object_get(j, "golden");
    s->name = json_string_value(json_object_get(j, "name"));
    const json_t *method = json_object_get(req, "method");
    s->method = method != NULL ? json_string_value(method) : "POST";
    s->media_type = json_string_value(json_object_get(req, "media_type"));
    s->accept = json_string_value(json_object_get(req, "accept"));
    s->request_file = json_string_value(json_object_get(req, "file"));
    s->recipe = json_object_get(req, "recipe");
    if (s->request_file != NULL) {
        CMC_TRY(load_bytes(&s->request, &s->request_len, fs, s->request_file));
    }
    const json_t *outcomes = json_object_get(expect, "outcomes");
    s->outcomes = calloc(json_array_size(outcomes), sizeof(*s->outcomes));
    if (s->outcomes == NULL) {
        CMC_RAISE(CMC_E_NOMEM);
    }
    for (size_t i = 0; i < json_array_size(outcomes); i++) {
        s->num_outcomes = i + 1;
        CMC_TRY(cmc_outcome_from_json(&s->outcomes[i], json_array_get(outcomes, i)));
    }
    const json_t *echo = json_object_get(expect, "echo");
    s->echo_transaction_id = has_string(echo, "transactionId");
    s->echo_sender_nonce = has_string(echo, "senderNonce");
    s->echo_data_return = has_string(echo, "dataReturn");
    s->issued_matches_request = json_is_true(json_object_get(expect, "issued_matches_request"));
    const json_t *capture = json_object_get(expect, "capture");
    if (json_object_size(capture) > 0) {
        s->captures = calloc(json_object_size(capture), sizeof(*s->captures));
        if (s->captures == NULL) {
            CMC_RAISE(CMC_E_NOMEM);
        }
        const char *name;
        json_t *src;
        json_object_foreach((json_t *)capture, name, src) {
            s->captures[s->num_captures].name = name;
            s->captures[s->num_captures].source =
                (cmc_capture_source)capture_source_from_name(json_string_value(src));
            s->num_captures++;
        }
    }
    if (golden != NULL) {
        s->has_golden = 1;
        s->golden_file = json_string_value(json_object_get(golden, "file"));
        s->golden_http_status = (int)json_integer_value(json_object_get(golden, "http_status"));
        s->golden_media_type = json_string_value(json_object_get(golden, "media_type"));
        s->golden_captured = json_object_get(golden, "captured");
        CMC_TRY(load_bytes(&s->golden, &s->golden_len, fs, s->golden_file));
    }
    return CMC_OK;
}

/* convert_case fills |c| from |j| (a validated case; |c| takes the reference). */
static cmc_status convert_case(cmc_case *c, json_t *j, const char *file,
                               const cmc_suite_files *fs) {
    memset(c, 0, sizeof(*c));
    c->json = j;
    c->file = file;
    c->id = json_string_value(json_object_get(j, "id"));
    c->title = json_string_value(json_object_get(j, "title"));
    c->description = json_string_value(json_object_get(j, "description"));
    c->family = json_string_value(json_object_get(j, "family"));
    c->level = json_string_value(json_object_get(j, "level"));
    c->tags = string_array(json_object_get(j, "tags"), &c->num_tags);
    c->requires = string_array(json_object_get(j, "requires"), &c->num_requires);
    c->disabled_reason =
        json_string_value(json_object_get(json_object_get(j, "disabled"), "reason"));
    const json_t *refs = json_object_get(j, "refs");
    c->refs = calloc(json_array_size(refs) + 1, sizeof(*c->refs));
    const json_t *steps = json_object_get(j, "steps");
    c->steps = calloc(json_array_size(steps), sizeof(*c->steps));
    if (c->tags == NULL || c->requires == NULL || c->refs == NULL || c->steps == NULL) {
        CMC_RAISE(CMC_E_NOMEM);
    }
    for (size_t i = 0; i < json_array_size(refs); i++) {
        const json_t *r = json_array_get(refs, i);
        c->refs[i].doc = json_string_value(json_object_get(r, "doc"));
        c->refs[i].section = json_string_value(json_object_get(r, "section"));
        c->num_refs = i + 1;
    }
    for (size_t i = 0; i < json_array_size(steps); i++) {
        c->num_steps = i + 1;
        CMC_TRY(convert_step(&c->steps[i], json_array_get(steps, i), fs));
    }
    return CMC_OK;
}

/* ---------------------------------------------------------------- the suite */

void cmc_suite_free(cmc_suite *s) {
    if (s == NULL) {
        return;
    }
    for (size_t i = 0; i < s->num_cases; i++) {
        case_cleanup(&s->cases[i]);
    }
    free(s->cases);
    free(s->dir);
    json_decref(s->manifest);
    free(s);
}

const cmc_case *cmc_suite_find(const cmc_suite *s, const char *id) {
    for (size_t i = 0; s != NULL && id != NULL && i < s->num_cases; i++) {
        if (strcmp(s->cases[i].id, id) == 0) {
            return &s->cases[i];
        }
    }
    return NULL;
}

int cmc_case_has_tag(const cmc_case *c, const char *tag) {
    for (size_t i = 0; i < c->num_tags; i++) {
        if (strcmp(c->tags[i], tag) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Every cases/<name>.json in the source must be listed in the manifest. */
typedef struct {
    const json_t *listed;
    cmc_diag *diag;
    size_t problems;
} unlisted_ctx;

static void check_unlisted_one(void *arg, const char *name) {
    unlisted_ctx *u = arg;
    size_t n = strlen(name);
    char rel[SUITE_PATH_MAX];
    if (n > 5 && strcmp(name + n - 5, ".json") == 0 && join_rel(rel, "cases", name) &&
        json_object_get(u->listed, rel) == NULL) {
        cmc_diag_add(u->diag, "%s: not listed in manifest.json", rel);
        u->problems++;
    }
}

static size_t check_unlisted(const cmc_suite_files *fs, const json_t *listed, cmc_diag *diag) {
    unlisted_ctx u = {listed, diag, 0};
    int err = fs->list(fs, "cases", check_unlisted_one, &u);
    if (err != 0) {
        cmc_diag_add(diag, "cases: cannot open: %s", strerror(err));
        return u.problems + 1;
    }
    return u.problems;
}

static json_t *load_schema(const cmc_suite_files *fs, const char *name, cmc_diag *diag) {
    char rel[SUITE_PATH_MAX];
    if (!join_rel(rel, "schema", name)) {
        return NULL;
    }
    return load_json(fs, rel, diag, rel);
}

/* Manifest entry fields must repeat the case's own. */
static size_t check_manifest_entry(const json_t *entry, const json_t *c, const char *label,
                                   cmc_diag *diag) {
    size_t problems = 0;
    static const char *const kSame[] = {"family", "level", "tags"};
    for (size_t k = 0; k < sizeof(kSame) / sizeof(kSame[0]); k++) {
        if (!json_equal(json_object_get(entry, kSame[k]), json_object_get(c, kSame[k]))) {
            cmc_diag_add(diag, "%s: manifest '%s' differs from the case", label, kSame[k]);
            problems++;
        }
    }
    if ((size_t)json_integer_value(json_object_get(entry, "steps")) !=
        json_array_size(json_object_get(c, "steps"))) {
        cmc_diag_add(diag, "%s: manifest step count differs from the case", label);
        problems++;
    }
    int disabled = json_object_get(c, "disabled") != NULL;
    if (json_is_true(json_object_get(entry, "disabled")) != disabled) {
        cmc_diag_add(diag, "%s: manifest 'disabled' differs from the case", label);
        problems++;
    }
    return problems;
}

cmc_status cmc_suite_load(cmc_suite **out, const char *vectors_dir, cmc_diag *diag) {
    if (out == NULL || vectors_dir == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    cmc_suite_files fs;
    cmc_suite_files_dir(&fs, vectors_dir);
    return cmc_suite_load_files(out, &fs, vectors_dir, diag);
}

cmc_status cmc_suite_load_files(cmc_suite **out, const cmc_suite_files *fs, const char *dir,
                                cmc_diag *diag) {
    if (out == NULL || fs == NULL || dir == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    size_t problems = 0;
    json_t *case_schema = load_schema(fs, "case.schema.json", diag);
    json_t *manifest_schema = load_schema(fs, "manifest.schema.json", diag);
    json_t *manifest = load_json(fs, "manifest.json", diag, "manifest.json");
    json_t *listed = json_object(); /* file -> true */
    json_t *ids = json_object();    /* id -> true */
    cmc_suite *s = calloc(1, sizeof(*s));
    if (s == NULL || listed == NULL || ids == NULL) {
        json_decref(case_schema);
        json_decref(manifest_schema);
        json_decref(manifest);
        json_decref(listed);
        json_decref(ids);
        free(s);
        CMC_RAISE(CMC_E_NOMEM);
    }
    s->manifest = manifest;
    s->dir = strdup(dir);
    if (case_schema == NULL || manifest_schema == NULL || manifest == NULL) {
        problems++;
        goto done;
    }
    report_ctx rc = {diag, "manifest.json"};
    if (cmc_jschema_validate(manifest_schema, manifest, report_schema, &rc) != 0) {
        problems++;
        goto done;
    }
    s->generator = json_string_value(json_object_get(manifest, "generator"));
    s->clock = json_string_value(json_object_get(manifest, "clock"));
    s->seed = json_string_value(json_object_get(manifest, "seed"));
    const json_t *entries = json_object_get(manifest, "cases");
    if (json_array_size(entries) > CMC_SUITE_MAX_CASES) {
        cmc_diag_add(diag, "manifest.json: more than %d cases", CMC_SUITE_MAX_CASES);
        problems++;
        goto done;
    }
    s->cases = calloc(json_array_size(entries) + 1, sizeof(*s->cases));
    if (s->cases == NULL) {
        problems++;
        goto done;
    }
    size_t i;
    const json_t *entry;
    json_array_foreach(entries, i, entry) {
        const char *id = json_string_value(json_object_get(entry, "id"));
        const char *file = json_string_value(json_object_get(entry, "file"));
        if (json_object_get(ids, id) != NULL) {
            cmc_diag_add(diag, "manifest.json: duplicate case id '%s'", id);
            problems++;
            continue;
        }
        json_object_set_new(ids, id, json_true());
        json_object_set_new(listed, file, json_true());
        char stem[256];
        snprintf(stem, sizeof(stem), "cases/%s.json", id);
        if (strcmp(stem, file) != 0) {
            cmc_diag_add(diag, "manifest.json: case '%s' must be in %s", id, stem);
            problems++;
            continue;
        }
        if (!fs->exists(fs, file)) {
            cmc_diag_add(diag, "%s: missing (listed in manifest.json)", file);
            problems++;
            continue;
        }
        json_t *c = load_json(fs, file, diag, file);
        if (c == NULL) {
            problems++;
            continue;
        }
        size_t n = validate_case(case_schema, c, id, fs, "cases", file, diag);
        if (n == 0) {
            n = check_manifest_entry(entry, c, file, diag);
        }
        if (n != 0) {
            problems += n;
            json_decref(c);
            continue;
        }
        cmc_case *dst = &s->cases[s->num_cases++];
        cmc_status st = convert_case(dst, c, file, fs);
        if (st != CMC_OK) {
            cmc_diag_add(diag, "%s: cannot load: %s", file, cmc_status_str(st));
            problems++;
        }
    }
    problems += check_unlisted(fs, listed, diag);
done:
    json_decref(case_schema);
    json_decref(manifest_schema);
    json_decref(listed);
    json_decref(ids);
    if (problems != 0 || s->dir == NULL) {
        cmc_suite_free(s);
        CMC_RAISE(CMC_E_CONFIG);
    }
    *out = s;
    return CMC_OK;
}
