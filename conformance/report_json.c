/* report_json.c: the versioned JSON report (conformance/schema/report.schema.json). */
#include <jansson.h>
#include <openssl/evp.h>
#include <stdlib.h>

#include "report.h"

const char *cmckit_version(void);

static json_t *str_or_null(const char *s) {
    return s != NULL ? json_string(s) : json_null();
}

/* Base64 of |der| (the transcript bytes); "" for none. */
static json_t *b64(const uint8_t *der, size_t len) {
    if (der == NULL || len == 0) {
        return json_string("");
    }
    if (len > (size_t)INT32_MAX / 2) {
        return json_string("");
    }
    size_t out_len = 4 * ((len + 2) / 3) + 1;
    unsigned char *buf = malloc(out_len);
    if (buf == NULL) {
        return json_string("");
    }
    EVP_EncodeBlock(buf, der, (int)len);
    json_t *j = json_string((const char *)buf);
    free(buf);
    return j;
}

static json_t *summary_json(const cmc_conform_run *run) {
    cmc_conform_summary sum;
    cmc_conform_run_summary(run, &sum);
    json_t *o = json_object();
    json_object_set_new(o, "total", json_integer((json_int_t)sum.total));
    for (int v = 0; v < CMC_VERDICT_COUNT; v++) {
        json_object_set_new(o, cmc_verdict_name((cmc_verdict)v),
                            json_integer((json_int_t)sum.counts[v]));
    }
    return o;
}

static json_t *sanity_json(const cmc_conform_sanity *s) {
    json_t *o = json_object();
    json_object_set_new(o, "ran", json_boolean(s->ran));
    json_object_set_new(o, "ok", json_boolean(s->ok));
    json_object_set_new(o, "reason", json_string(s->reason != NULL ? s->reason : ""));
    return o;
}

static json_t *matrices_json(const cmc_conform_run *run) {
    json_t *o = json_object();
    static const char *const kKeys[CMC_FAMILY_COUNT] = {"content_type", "reason_code", "stage",
                                                        "transport"};
    for (int k = 0; k < CMC_FAMILY_COUNT; k++) {
        cmc_conform_matrix_row rows[CMC_CONFORM_MAX_MATRIX_ROWS];
        size_t n =
            cmc_conform_matrix(run, (cmc_conform_family_kind)k, rows, CMC_CONFORM_MAX_MATRIX_ROWS);
        json_t *arr = json_array();
        for (size_t r = 0; r < n; r++) {
            json_t *row = json_object();
            json_object_set_new(row, "key", json_string(rows[r].key));
            for (int v = 0; v < CMC_VERDICT_COUNT; v++) {
                json_object_set_new(row, cmc_verdict_name((cmc_verdict)v),
                                    json_integer((json_int_t)rows[r].counts[v]));
            }
            json_array_append_new(arr, row);
        }
        json_object_set_new(o, kKeys[k], arr);
    }
    return o;
}

static json_t *step_json(const cmc_conform_step *s) {
    json_t *o = json_object();
    json_object_set_new(o, "label", json_string(s->label != NULL ? s->label : ""));
    json_object_set_new(o, "verdict", json_string(cmc_verdict_name(s->verdict)));
    json_object_set_new(o, "reason", json_string(s->reason != NULL ? s->reason : ""));
    json_object_set_new(o, "elapsed_ms", json_real(s->elapsed_ms));
    json_t *req = json_object();
    json_object_set_new(req, "source", str_or_null(s->request_source));
    json_object_set_new(req, "media_type", str_or_null(s->request_type));
    json_object_set_new(req, "length", json_integer((json_int_t)s->request_len));
    json_object_set_new(req, "base64", b64(s->request, s->request_len));
    json_object_set_new(o, "request", req);
    json_t *resp = json_object();
    json_object_set_new(resp, "http_status", json_integer(s->http_status));
    json_object_set_new(resp, "media_type", str_or_null(s->response_type));
    json_object_set_new(resp, "length", json_integer((json_int_t)s->response_len));
    json_object_set_new(resp, "base64", b64(s->response, s->response_len));
    json_object_set_new(resp, "transport_error", str_or_null(s->transport_error));
    json_object_set_new(o, "response", resp);
    json_t *checks = json_array();
    for (size_t i = 0; i < s->num_checks; i++) {
        json_t *k = json_object();
        json_object_set_new(k, "name", json_string(s->checks[i].name));
        json_object_set_new(k, "verdict", json_string(cmc_verdict_name(s->checks[i].verdict)));
        json_object_set_new(k, "reason", json_string(s->checks[i].reason));
        json_array_append_new(checks, k);
    }
    json_object_set_new(o, "checks", checks);
    return o;
}

static json_t *case_json(const cmc_conform_case *c) {
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(c->id));
    json_object_set_new(o, "title", json_string(c->title != NULL ? c->title : ""));
    json_object_set_new(o, "level", json_string(c->level != NULL ? c->level : ""));
    json_t *tags = json_array();
    for (size_t i = 0; i < c->num_tags; i++) {
        json_array_append_new(tags, json_string(c->tags[i]));
    }
    json_object_set_new(o, "tags", tags);
    json_t *refs = json_array();
    for (size_t i = 0; i < c->num_refs; i++) {
        json_array_append_new(refs, json_string(c->refs[i]));
    }
    json_object_set_new(o, "refs", refs);
    json_t *fam = json_object();
    json_object_set_new(fam, "group", str_or_null(c->family.group));
    json_object_set_new(fam, "content_type", str_or_null(c->family.content_type));
    json_object_set_new(fam, "reason_code",
                        c->family.reason_code >= 0 ? json_integer(c->family.reason_code)
                                                   : json_null());
    json_object_set_new(fam, "stage", str_or_null(c->family.stage));
    json_object_set_new(fam, "transport", str_or_null(c->family.transport));
    json_object_set_new(o, "family", fam);
    json_object_set_new(o, "verdict", json_string(cmc_verdict_name(c->verdict)));
    json_object_set_new(o, "reason", json_string(c->reason != NULL ? c->reason : ""));
    json_object_set_new(o, "deviation", str_or_null(c->deviation));
    json_object_set_new(o, "elapsed_ms", json_real(c->elapsed_ms));
    json_t *steps = json_array();
    for (size_t i = 0; i < c->num_steps; i++) {
        json_array_append_new(steps, step_json(&c->steps[i]));
    }
    json_object_set_new(o, "steps", steps);
    return o;
}

int cmc_conform_report_json(FILE *out, const cmc_conform_run *run) {
    json_t *root = json_object();
    json_object_set_new(root, "format", json_string(CMC_CONFORM_REPORT_FORMAT));
    json_object_set_new(root, "version", json_integer(CMC_CONFORM_REPORT_VERSION));
    json_object_set_new(root, "tool", json_sprintf("cmckit %s", cmckit_version()));
    json_object_set_new(root, "target", json_string(run->target != NULL ? run->target : ""));
    json_object_set_new(root, "profile", json_string(run->profile != NULL ? run->profile : ""));
    json_object_set_new(root, "suite", json_string(run->suite != NULL ? run->suite : ""));
    json_object_set_new(root, "started", json_string(run->started != NULL ? run->started : ""));
    json_object_set_new(root, "elapsed_ms", json_real(run->elapsed_ms));
    json_object_set_new(root, "conformant", json_boolean(cmc_conform_run_conformant(run)));
    json_object_set_new(root, "summary", summary_json(run));
    json_t *sanity = json_object();
    json_object_set_new(sanity, "before", sanity_json(&run->sanity_before));
    json_object_set_new(sanity, "after", sanity_json(&run->sanity_after));
    json_object_set_new(root, "sanity", sanity);
    json_object_set_new(root, "matrices", matrices_json(run));
    json_t *cases = json_array();
    for (size_t i = 0; i < run->num_cases; i++) {
        json_array_append_new(cases, case_json(&run->cases[i]));
    }
    json_object_set_new(root, "cases", cases);
    int rc = json_dumpf(root, out, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (rc != 0 || fputc('\n', out) == EOF) {
        return -1;
    }
    return 0;
}
