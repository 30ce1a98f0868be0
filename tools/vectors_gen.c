/* vectors_gen.c: `cmckit vectors generate` and `cmckit vectors check` (issue 5).
 *
 * Every case is defined here in C as JSON (id, refs, recipe, semantic expectation). For each
 * case the generator seeds the deterministic RNG and a fresh embedded reference server with
 * SHA-256(seed || id) (embedded.h), compiles each step's recipe (recipe.h), sends it to the
 * server at the fixed clock, checks that the answer is the case's first outcome (expect.h),
 * captures values for later steps, and writes the request, the golden response and the case
 * file. Seeding per case keeps every other case's bytes unchanged when one is added. */
/* nftw() is X/Open. */
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "cmc/msg.h"
#include "cmc/server.h"
#include "cmckit.h"
#include "embedded.h"
#include "expect.h"
#include "fixtures.h"
#include "recipe.h"
#include "suite.h"
#include "vectors.h"

/* The generator's fixed seed (manifest "seed"); changing it changes every vector. */
#define GEN_SEED_HEX "636d636b69742d766563746f72732d763100000000000000000000000000000001"
#define GEN_CLOCK_TEXT "2026-07-01T00:00:00Z"
#define GEN_PATH_MAX 4096

#define MT_P10 "application/pkcs10"
#define MT_CRQ "application/pkcs7-mime; smime-type=CMC-request"
#define OID_ID_DATA "1.2.840.113549.1.7.1"

/* ====================================================================== JSON helpers */

static json_t *jarr(size_t n, ...) {
    json_t *a = json_array();
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++) {
        json_t *v = va_arg(ap, json_t *);
        if (v != NULL) {
            json_array_append_new(a, v);
        }
    }
    va_end(ap);
    return a;
}

/* A comma-separated list of strings as a JSON array. */
static json_t *jcsv(const char *csv) {
    json_t *a = json_array();
    if (csv == NULL) {
        return a;
    }
    char buf[512];
    snprintf(buf, sizeof(buf), "%s", csv);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t != NULL;
         t = strtok_r(NULL, ",", &save)) {
        json_array_append_new(a, json_string(t));
    }
    return a;
}

static void hex_of(char *out, const uint8_t *in, size_t len) {
    static const char kHex[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = kHex[in[i] >> 4];
        out[2 * i + 1] = kHex[in[i] & 0xF];
    }
    out[2 * len] = '\0';
}

/* Stable per-case values: transactionId and senderNonce derive from the case id. */
static void digest_of(uint8_t out[32], const char *a, const char *b) {
    unsigned int len = 0;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (md == NULL || !EVP_DigestInit_ex(md, EVP_sha256(), NULL) ||
        !EVP_DigestUpdate(md, a, strlen(a)) || !EVP_DigestUpdate(md, b, strlen(b)) ||
        !EVP_DigestFinal_ex(md, out, &len)) {
        memset(out, 0, 32);
    }
    EVP_MD_CTX_free(md);
}

/* ====================================================================== recipe helpers */

typedef struct {
    const char *id; /* current case id */
    int step;       /* current step number (1-based) while defining */
} defctx;

static json_t *signer(const char *slot, const char *fixture) {
    return json_pack("{s:s, s:s}", "slot", slot, "fixture", fixture);
}

static json_t *ctl_tid(const defctx *d) {
    uint8_t h[32];
    digest_of(h, "transactionId:", d->id);
    json_int_t v =
        ((json_int_t)h[0] << 24 | (json_int_t)h[1] << 16 | (json_int_t)h[2] << 8 | h[3]) &
        0x7fffffff;
    return json_pack("{s:s, s:i, s:I}", "type", "transactionId", "id", 1, "value", v + d->step);
}

static json_t *ctl_nonce(const defctx *d) {
    uint8_t h[32];
    char step[16];
    char hex[33];
    snprintf(step, sizeof(step), "/%d", d->step);
    char label[256];
    snprintf(label, sizeof(label), "%s%s", d->id, step);
    digest_of(h, "senderNonce:", label);
    hex_of(hex, h, 16);
    return json_pack("{s:s, s:i, s:s}", "type", "senderNonce", "id", 2, "value", hex);
}

static json_t *req(const char *type, int id, const char *key, const char *subject) {
    return json_pack("{s:s, s:i, s:s, s:s}", "type", type, "id", id, "key", key, "subject",
                     subject);
}

static json_t *ctl_revoke(int id, const char *issuer, json_t *serial, int reason) {
    return json_pack("{s:s, s:i, s:s, s:o, s:i}", "type", "revokeRequest", "id", id, "issuer",
                     issuer, "serial", serial, "reason", reason);
}

static json_t *get_cert(int id, const char *issuer, json_t *serial) {
    return json_pack("{s:s, s:i, s:s, s:o}", "type", "getCert", "id", id, "issuer", issuer,
                     "serial", serial);
}

/* A Full PKI Request: transactionId (id 1) + senderNonce (id 2) + |extra| controls, then
 * |requests|. |sig| NULL = unsigned. */
static json_t *full(const defctx *d, json_t *sig, json_t *extra, json_t *requests) {
    json_t *controls = jarr(2, ctl_tid(d), ctl_nonce(d));
    if (extra != NULL) {
        json_array_extend(controls, extra);
        json_decref(extra);
    }
    json_t *r = json_pack("{s:s, s:o, s:o}", "type", "full", "signer",
                          sig != NULL ? sig : json_null(), "controls", controls);
    if (requests != NULL) {
        json_object_set_new(r, "requests", requests);
    }
    return r;
}

static json_t *subject_for(const char *key) {
    char s[128];
    snprintf(s, sizeof(s), "/O=cmckit vectors/CN=%s", key);
    return json_string(s);
}

/* A signed Full PKI Request enrolling one tcr (id 10) for |key|. */
static json_t *full_tcr(const defctx *d, const char *slot, const char *officer, const char *key) {
    json_t *subj = subject_for(key);
    json_t *r =
        full(d, signer(slot, officer), NULL, jarr(1, req("tcr", 10, key, json_string_value(subj))));
    json_decref(subj);
    return r;
}

static json_t *pkcs10(const char *key) {
    json_t *subj = subject_for(key);
    json_t *r = json_pack("{s:s, s:s, s:O}", "type", "pkcs10", "key", key, "subject", subj);
    json_decref(subj);
    return r;
}

static json_t *with(json_t *obj, const char *key, json_t *value) {
    json_object_set_new(obj, key, value);
    return obj;
}

/* ====================================================================== outcomes */

/* A Full PKI Response outcome. |fail| is a comma list (NULL = none); |body| < 0 = no
 * body_list; |issued| < 0 = not checked. */
static json_t *o_cmc(const char *status, const char *fail, long long body, int issued) {
    json_t *o = json_pack("{s:i, s:s, s:s}", "http_status", 200, "media_type", "cmc-response",
                          "cmc_status", status);
    if (fail != NULL) {
        json_object_set_new(o, "fail_info", jcsv(fail));
    }
    if (body >= 0) {
        json_object_set_new(o, "body_list", json_pack("[I]", (json_int_t)body));
    }
    if (issued >= 0) {
        json_object_set_new(o, "issued", json_integer(issued));
    }
    return o;
}

static json_t *o_status_string(json_t *o, const char *contains) {
    return with(o, "status_string_contains", json_string(contains));
}

static json_t *o_certs_only(int issued, int chain) {
    json_t *o = json_pack("{s:i, s:s, s:i}", "http_status", 200, "media_type", "certs-only",
                          "issued", issued);
    if (chain >= 0) {
        json_object_set_new(o, "chain", json_boolean(chain));
    }
    return o;
}

static json_t *o_http(int status, const char *media) {
    return json_pack("{s:i, s:s}", "http_status", status, "media_type", media);
}

/* expect: outcomes + echo of transactionId and senderNonce (Full PKI Requests). */
static json_t *expect_full(json_t *outcomes) {
    return json_pack("{s:o, s:[s,s]}", "outcomes", outcomes, "echo", "transactionId",
                     "senderNonce");
}

static json_t *expect_plain(json_t *outcomes) {
    return json_pack("{s:o}", "outcomes", outcomes);
}

static json_t *capture_serial(json_t *expect) {
    json_object_set_new(expect, "capture", json_pack("{s:s}", "issued_serial", "issued.serial"));
    return expect;
}

static json_t *step(const char *name, const char *media, json_t *recipe, json_t *expect) {
    return json_pack("{s:s, s:{s:o, s:o}, s:o}", "name", name, "request", "media_type",
                     media != NULL ? json_string(media) : json_null(), "recipe", recipe, "expect",
                     expect);
}

/* ====================================================================== case registry */

typedef struct {
    const char *out_dir;
    json_t *case_schema;
    json_t *manifest_cases;
    size_t num_cases;
    size_t num_steps;
    size_t failures;
    json_t *family_counts;
    const char *only; /* generate only this id (debugging), NULL = all */
} gen;

/* References: |old| like "RFC5272:6.11"; the RFC 1000x successor is added without a section
 * (the final text's numbering was not available, spec/CMC.md §0). */
static json_t *refs(const char *csv) {
    json_t *a = json_array();
    json_t *items = jcsv(csv);
    int has[3] = {0, 0, 0};
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) {
        char buf[64];
        snprintf(buf, sizeof(buf), "%s", json_string_value(it));
        char *colon = strchr(buf, ':');
        if (colon != NULL) {
            *colon = '\0';
        }
        json_t *r = json_pack("{s:s}", "doc", buf);
        if (colon != NULL) {
            json_object_set_new(r, "section", json_string(colon + 1));
        }
        json_array_append_new(a, r);
        if (strcmp(buf, "RFC5272") == 0 || strcmp(buf, "RFC6402") == 0) {
            has[0] = 1;
        } else if (strcmp(buf, "RFC5273") == 0) {
            has[1] = 1;
        } else if (strcmp(buf, "RFC5274") == 0) {
            has[2] = 1;
        }
    }
    json_decref(items);
    static const char *const kNew[] = {"RFC10002", "RFC10003", "RFC10004"};
    for (int k = 0; k < 3; k++) {
        if (has[k]) {
            json_array_append_new(a, json_pack("{s:s}", "doc", kNew[k]));
        }
    }
    return a;
}

static int write_bytes(const char *path, const uint8_t *data, size_t len) {
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        fprintf(stderr, "cmckit vectors: cannot write %s: %s\n", path, strerror(errno));
        return 0;
    }
    int ok = fwrite(data, 1, len, f) == len;
    ok = fclose(f) == 0 && ok;
    return ok;
}

static int write_json_file(const char *path, const json_t *j) {
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_ENSURE_ASCII);
    if (text == NULL) {
        return 0;
    }
    size_t n = strlen(text);
    char *line = realloc(text, n + 2); /* end the file with a newline */
    if (line == NULL) {
        free(text);
        return 0;
    }
    line[n] = '\n';
    line[n + 1] = '\0';
    int ok = write_bytes(path, (const uint8_t *)line, n + 1);
    free(line);
    return ok;
}

static const char *request_ext(const char *media) {
    if (media == NULL) {
        return "bin";
    }
    if (strcmp(media, MT_P10) == 0) {
        return "p10";
    }
    if (strncasecmp(media, "application/pkcs7-mime", 22) == 0) {
        return "crq";
    }
    return "bin";
}

static const char *response_ext(const char *media) {
    switch (cmc_expect_classify(media, 1)) {
    case CMC_EXPECT_MEDIA_CMC_RESPONSE:
        return "crp";
    case CMC_EXPECT_MEDIA_CERTS_ONLY:
        return "p7c";
    case CMC_EXPECT_MEDIA_PKIX_CERT:
        return "cer";
    case CMC_EXPECT_MEDIA_TEXT:
        return "txt";
    default:
        return "bin";
    }
}

static X509_STORE *fixture_trust(void) {
    X509_STORE *store = X509_STORE_new();
    X509 *ca = NULL;
    if (store != NULL && cmc_fixture_cert(&ca, "ca.cert.pem") == CMC_OK) {
        X509_STORE_add_cert(store, ca);
    }
    X509_free(ca);
    return store;
}

/* run_step compiles, sends and checks one step; fills the step's "request.file" and
 * "golden". Returns 1 on success. */
static int run_step(gen *g, const char *id, json_t *st, size_t index, cmc_server *srv,
                    json_t *captures, const char *case_dir) {
    (void)g;
    json_t *request = json_object_get(st, "request");
    json_t *recipe = json_object_get(request, "recipe");
    json_t *expect = json_object_get(st, "expect");
    const char *name = json_string_value(json_object_get(st, "name"));
    const char *media = json_string_value(json_object_get(request, "media_type"));
    const char *method = json_string_value(json_object_get(request, "method"));
    const char *accept = json_string_value(json_object_get(request, "accept"));
    cmc_recipe_context ctx;
    memset(&ctx, 0, sizeof(ctx));
    ctx.captures = captures;
    ctx.signing_time = CMC_FIXTURE_CLOCK;
    uint8_t *body = NULL;
    size_t body_len = 0;
    char err[256];
    cmc_status s = cmc_recipe_compile(&body, &body_len, recipe, &ctx, err, sizeof(err));
    if (s != CMC_OK) {
        fprintf(stderr, "%s/%s: recipe: %s %s\n", id, name, cmc_status_str(s), err);
        return 0;
    }
    char rel[GEN_PATH_MAX];
    char path[2 * GEN_PATH_MAX + 2];
    int padded = body_len > (size_t)CMC_MAX_MESSAGE_BYTES;
    if (padded) {
        json_object_set_new(request, "file", json_null());
    } else {
        snprintf(rel, sizeof(rel), "data/%s/%zu-%s.%s", id, index + 1, name, request_ext(media));
        snprintf(path, sizeof(path), "%s/%s", case_dir, rel + strlen("data/") + strlen(id) + 1);
        if (!write_bytes(path, body, body_len)) {
            cmc_free(body);
            return 0;
        }
        json_object_set_new(request, "file", json_string(rel));
    }
    /* Keep "file" first in the request object for readers. */
    json_t *reordered = json_pack("{s:O}", "file", json_object_get(request, "file"));
    json_object_update(reordered, request);
    json_object_set(st, "request", reordered);
    json_decref(reordered);
    int ok = 1;
    if (method != NULL && strcmp(method, "POST") != 0) {
        cmc_free(body);
        return 1; /* the embedded core has no HTTP method; no golden response */
    }
    cmc_http_request hr = {body, body_len, media, accept};
    cmc_http_response resp;
    memset(&resp, 0, sizeof(resp));
    s = cmc_server_handle(srv, &hr, &resp);
    if (s != CMC_OK) {
        fprintf(stderr, "%s/%s: server: %s\n", id, name, cmc_status_str(s));
        ok = 0;
    }
    cmc_outcome outcome;
    memset(&outcome, 0, sizeof(outcome));
    const json_t *o0 = json_array_get(json_object_get(expect, "outcomes"), 0);
    if (ok && cmc_outcome_from_json(&outcome, o0) != CMC_OK) {
        ok = 0;
    }
    X509 *issued = NULL;
    if (ok) {
        /* The reference answer must be outcome 0 exactly: check against it alone. */
        cmc_expectation e;
        memset(&e, 0, sizeof(e));
        e.outcomes = &outcome;
        e.num_outcomes = 1;
        const json_t *echo = json_object_get(expect, "echo");
        size_t k;
        const json_t *ev;
        json_array_foreach(echo, k, ev) {
            e.echo_transaction_id |= strcmp(json_string_value(ev), "transactionId") == 0;
            e.echo_sender_nonce |= strcmp(json_string_value(ev), "senderNonce") == 0;
            e.echo_data_return |= strcmp(json_string_value(ev), "dataReturn") == 0;
        }
        e.issued_matches_request = json_is_true(json_object_get(expect, "issued_matches_request"));
        e.recipe = recipe;
        X509_STORE *trust = fixture_trust();
        cmc_verify_options vopt;
        memset(&vopt, 0, sizeof(vopt));
        vopt.trust = trust;
        vopt.verify_time = CMC_FIXTURE_CLOCK;
        vopt.required_eku = CMC_OID_KP_CMC_CA;
        char why[256];
        cmc_answer a = {resp.http_status, resp.media_type, resp.body, resp.body_len};
        if (cmc_expect_check(&e, &a, &vopt, &issued, why, sizeof(why)) != 0) {
            fprintf(stderr,
                    "%s/%s: reference answer is not outcome 0: %s (got HTTP %d %s, CMC "
                    "status %d, failInfo %d)\n",
                    id, name, why, resp.http_status, resp.media_type, resp.cmc_status,
                    resp.fail_info);
            ok = 0;
        }
        X509_STORE_free(trust);
    }
    cmc_outcome_cleanup(&outcome);
    json_t *captured = NULL;
    const char *cname;
    json_t *csrc;
    json_object_foreach(json_object_get(expect, "capture"), cname, csrc) {
        char *value = NULL;
        if (!ok || issued == NULL ||
            cmc_recipe_capture_value(&value, json_string_value(csrc), issued) != CMC_OK) {
            fprintf(stderr, "%s/%s: cannot capture %s\n", id, name, cname);
            ok = 0;
            break;
        }
        if (captured == NULL) {
            captured = json_object();
        }
        json_object_set_new(captured, cname, json_string(value));
        json_object_set_new(captures, cname, json_string(value));
        free(value);
    }
    X509_free(issued);
    if (ok) {
        snprintf(rel, sizeof(rel), "data/%s/%zu-%s-response.%s", id, index + 1, name,
                 response_ext(resp.media_type));
        snprintf(path, sizeof(path), "%s/%s", case_dir, rel + strlen("data/") + strlen(id) + 1);
        ok = write_bytes(path, resp.body, resp.body_len);
        json_t *golden = json_pack("{s:s, s:i, s:s}", "file", rel, "http_status", resp.http_status,
                                   "media_type", resp.media_type);
        if (captured != NULL) {
            json_object_set(golden, "captured", captured);
        }
        json_object_set_new(st, "golden", golden);
    }
    json_decref(captured);
    cmc_http_response_cleanup(&resp);
    cmc_free(body);
    return ok;
}

static void add_case(gen *g, const char *id, const char *title, const char *family,
                     const char *level, const char *tags, const char *refs_csv,
                     const char *requires, const char *description, json_t *steps) {
    if (g->only != NULL && strcmp(g->only, id) != 0) {
        json_decref(steps);
        return;
    }
    json_t *c = json_pack("{s:i, s:s, s:s}", "format", CMC_SUITE_FORMAT, "id", id, "title", title);
    if (description != NULL) {
        json_object_set_new(c, "description", json_string(description));
    }
    json_object_set_new(c, "family", json_string(family));
    json_object_set_new(c, "level", json_string(level));
    json_object_set_new(c, "tags", jcsv(tags));
    json_object_set_new(c, "refs", refs(refs_csv));
    if (requires != NULL) {
        json_object_set_new(c, "requires", jcsv(requires));
    }
    json_object_set_new(c, "steps", steps);

    char case_dir[GEN_PATH_MAX];
    snprintf(case_dir, sizeof(case_dir), "%s/cases/data/%s", g->out_dir, id);
    int ok = mkdir(case_dir, 0755) == 0 || errno == EEXIST;
    uint8_t seed[CMC_CASE_SEED_LEN];
    ok = ok && cmc_case_seed(seed, GEN_SEED_HEX, id) == CMC_OK &&
         cmc_rand_deterministic_begin(seed, sizeof(seed)) == CMC_OK;
    const char *req_list[16];
    size_t num_req = 0;
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(c, "requires"), i, r) {
        if (num_req < 16) {
            req_list[num_req++] = json_string_value(r);
        }
    }
    cmc_server *srv = NULL;
    ok = ok && cmc_embedded_server_new(&srv, req_list, num_req, seed, sizeof(seed)) == CMC_OK;
    json_t *captures = json_object();
    json_t *st;
    json_array_foreach(steps, i, st) {
        if (ok) {
            ok = run_step(g, id, st, i, srv, captures, case_dir);
        }
    }
    json_decref(captures);
    cmc_server_free(srv);
    cmc_rand_deterministic_end();
    if (ok) {
        char label[256];
        snprintf(label, sizeof(label), "cases/%s.json", id);
        cmc_diag diag;
        cmc_diag_init(&diag);
        char cases_dir[GEN_PATH_MAX];
        snprintf(cases_dir, sizeof(cases_dir), "%s/cases", g->out_dir);
        if (cmc_suite_validate_case_json(g->case_schema, c, id, cases_dir, label, &diag) != 0) {
            for (size_t k = 0; k < diag.num_lines; k++) {
                fprintf(stderr, "%s\n", diag.lines[k]);
            }
            ok = 0;
        }
        cmc_diag_cleanup(&diag);
    }
    if (ok) {
        char path[GEN_PATH_MAX];
        snprintf(path, sizeof(path), "%s/cases/%s.json", g->out_dir, id);
        ok = write_json_file(path, c);
    }
    if (!ok) {
        fprintf(stderr, "cmckit vectors generate: case %s FAILED\n", id);
        g->failures++;
    } else {
        char file[256];
        snprintf(file, sizeof(file), "cases/%s.json", id);
        json_array_append_new(g->manifest_cases,
                              json_pack("{s:s, s:s, s:s, s:s, s:O, s:I}", "id", id, "file", file,
                                        "family", family, "level", level, "tags",
                                        json_object_get(c, "tags"), "steps",
                                        (json_int_t)json_array_size(steps)));
        g->num_cases++;
        g->num_steps += json_array_size(steps);
        json_t *cnt = json_object_get(g->family_counts, family);
        json_object_set_new(g->family_counts, family,
                            json_integer(cnt != NULL ? json_integer_value(cnt) + 1 : 1));
    }
    json_decref(c);
}

/* ====================================================================== the cases */

#include "vectors_cases.inc"

/* ====================================================================== driver */

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int make_dirs(const char *out_dir) {
    char path[GEN_PATH_MAX];
    if (mkdir(out_dir, 0755) != 0 && errno != EEXIST) {
        return 0;
    }
    snprintf(path, sizeof(path), "%s/cases", out_dir);
    /* Remove the previous generation so a dropped case cannot linger. */
    struct stat st;
    if (stat(path, &st) == 0 && nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0) {
        fprintf(stderr, "cmckit vectors generate: cannot clear %s\n", path);
        return 0;
    }
    if (mkdir(path, 0755) != 0) {
        return 0;
    }
    snprintf(path, sizeof(path), "%s/cases/data", out_dir);
    return mkdir(path, 0755) == 0;
}

int cmckit_vectors_generate(const char *out_dir, const char *schema_dir, const char *only,
                            int quiet) {
    gen g;
    memset(&g, 0, sizeof(g));
    g.out_dir = out_dir;
    g.only = only;
    char path[GEN_PATH_MAX];
    snprintf(path, sizeof(path), "%s/case.schema.json", schema_dir);
    json_error_t jerr;
    g.case_schema = json_load_file(path, 0, &jerr);
    if (g.case_schema == NULL) {
        fprintf(stderr, "cmckit vectors generate: %s: %s\n", path, jerr.text);
        return 1;
    }
    if (cmc_init() != CMC_OK || !make_dirs(out_dir)) {
        fprintf(stderr, "cmckit vectors generate: cannot prepare %s\n", out_dir);
        json_decref(g.case_schema);
        return 1;
    }
    g.manifest_cases = json_array();
    g.family_counts = json_object();
    define_cases(&g);
    json_t *manifest =
        json_pack("{s:i, s:s, s:s, s:s, s:s, s:O}", "format", CMC_SUITE_FORMAT, "generator",
                  "cmckit vectors generate", "clock", GEN_CLOCK_TEXT, "seed", GEN_SEED_HEX,
                  "fixtures", "pki", "cases", g.manifest_cases);
    snprintf(path, sizeof(path), "%s/manifest.json", out_dir);
    int rc = g.failures == 0 && write_json_file(path, manifest) ? 0 : 1;
    if (!quiet) {
        const char *fam;
        json_t *n;
        json_object_foreach(g.family_counts, fam, n) {
            printf("  %-14s %lld cases\n", fam, (long long)json_integer_value(n));
        }
        printf("%s: %zu cases, %zu steps%s\n", out_dir, g.num_cases, g.num_steps,
               g.failures ? ", FAILURES" : "");
    }
    if (g.failures != 0) {
        fprintf(stderr, "cmckit vectors generate: %zu case(s) failed\n", g.failures);
    }
    json_decref(manifest);
    json_decref(g.manifest_cases);
    json_decref(g.family_counts);
    json_decref(g.case_schema);
    return rc;
}

/* ---------------------------------------------------------------- check */

static const char *g_check_a;
static const char *g_check_b;
static size_t g_check_diffs;

static int compare_file(const char *a_path, const char *b_path) {
    uint8_t *a = NULL;
    uint8_t *b = NULL;
    size_t a_len = 0;
    size_t b_len = 0;
    int same = cmc_suite_read_file(&a, &a_len, a_path) == CMC_OK &&
               cmc_suite_read_file(&b, &b_len, b_path) == CMC_OK && a_len == b_len &&
               memcmp(a, b, a_len) == 0;
    free(a);
    free(b);
    return same;
}

/* Walk |g_check_a|: every file must exist in |g_check_b| with the same bytes. */
static int check_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb;
    (void)ftw;
    if (flag != FTW_F) {
        return 0;
    }
    const char *rel = path + strlen(g_check_a);
    char other[GEN_PATH_MAX];
    snprintf(other, sizeof(other), "%s%s", g_check_b, rel);
    if (!compare_file(path, other)) {
        fprintf(stderr, "cmckit vectors check: %s differs or is missing in %s\n", rel + 1,
                g_check_b);
        g_check_diffs++;
    }
    return 0;
}

static size_t compare_trees(const char *a, const char *b) {
    g_check_a = a;
    g_check_b = b;
    g_check_diffs = 0;
    if (nftw(a, check_entry, 16, FTW_PHYS) != 0) {
        g_check_diffs++;
    }
    return g_check_diffs;
}

int cmckit_vectors_check(const char *vectors_dir) {
    char tmpl[GEN_PATH_MAX / 2];
    const char *tmp = getenv("TMPDIR");
    snprintf(tmpl, sizeof(tmpl), "%s/cmckit-vectors-XXXXXX", tmp != NULL ? tmp : "/tmp");
    if (mkdtemp(tmpl) == NULL) {
        fprintf(stderr, "cmckit vectors check: cannot create a temporary folder\n");
        return 1;
    }
    char schema[GEN_PATH_MAX];
    snprintf(schema, sizeof(schema), "%s/schema", vectors_dir);
    int rc = cmckit_vectors_generate(tmpl, schema, NULL, 1);
    size_t diffs = 0;
    if (rc == 0) {
        char a[GEN_PATH_MAX];
        char b[GEN_PATH_MAX];
        snprintf(a, sizeof(a), "%s/cases", tmpl);
        snprintf(b, sizeof(b), "%s/cases", vectors_dir);
        diffs += compare_trees(a, b); /* generated files must be committed, unchanged */
        diffs += compare_trees(b, a); /* committed files must still be generated */
        snprintf(a, sizeof(a), "%s/manifest.json", tmpl);
        snprintf(b, sizeof(b), "%s/manifest.json", vectors_dir);
        if (!compare_file(a, b)) {
            fprintf(stderr, "cmckit vectors check: manifest.json differs\n");
            diffs++;
        }
    }
    nftw(tmpl, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    if (rc != 0 || diffs != 0) {
        fprintf(stderr,
                "cmckit vectors check: FAILED (%zu difference(s)); run `cmckit vectors "
                "generate` and commit the result if the change is intended\n",
                diffs);
        return 1;
    }
    printf("cmckit vectors check: %s is byte-identical to a fresh generation\n", vectors_dir);
    return 0;
}
