/* conform_report_test.c: the conformance runner's result model, reporters, profiles, target
 * configuration and selection, on a synthetic run (the engine's own tests run real suites). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jschema.h"
#include "profile.h"
#include "report.h"
#include "result.h"
#include "select.h"
#include "target.h"
#include "transcript.h"

/* ---- a synthetic run: one case per verdict, a multi-step case, hostile text ---- */

static const uint8_t kReq[] = {0x30, 0x03, 0x02, 0x01, 0x00};
static const uint8_t kResp[] = {0x30, 0x05, 0x06, 0x03, 0x2a, 0x03, 0x04};

static cmc_conform_run *make_run(void) {
    cmc_conform_run *run = cmc_conform_run_new("http://127.0.0.1:8080/cmc", "rfc", "test suite");
    run->started = cmc_conform_strdup("2026-07-01T00:00:00Z");
    run->elapsed_ms = 1234.5;
    run->sanity_before.ran = 1;
    run->sanity_before.ok = 1;
    run->sanity_before.reason = cmc_conform_strdup("");
    run->sanity_after.ran = 1;
    run->sanity_after.ok = 1;
    run->sanity_after.reason = cmc_conform_strdup("");

    cmc_conform_case *c = cmc_conform_run_add_case(run, "enroll-pkcs10-rsa");
    c->title = cmc_conform_strdup("Simple PKI Request, RSA");
    c->level = cmc_conform_strdup("MUST");
    c->family.group = cmc_conform_strdup("content-type");
    c->family.content_type = cmc_conform_strdup("pkcs10");
    cmc_conform_case_add_tag(c, "enroll");
    cmc_conform_case_add_ref(c, "RFC 5272 §3.1");
    cmc_conform_step *s = cmc_conform_case_add_step(c, "enroll");
    cmc_conform_step_set_request(s, "replayed", "application/pkcs10", kReq, sizeof(kReq));
    cmc_conform_step_set_response(s, 200, "application/pkcs7-mime; smime-type=certs-only", kResp,
                                  sizeof(kResp));
    cmc_conform_step_check(s, "http-status", CMC_VERDICT_PASS, NULL);
    cmc_conform_step_check(s, "media-type", CMC_VERDICT_PASS, NULL);
    cmc_conform_step_finish(s);
    cmc_conform_case_finish(c, NULL);

    c = cmc_conform_run_add_case(run, "revoke-reason-ca-compromise-refused");
    c->title = cmc_conform_strdup("reason 2 <refused> & \"quoted\"");
    c->level = cmc_conform_strdup("MUST");
    c->family.group = cmc_conform_strdup("revocation");
    c->family.reason_code = 2;
    s = cmc_conform_case_add_step(c, "enroll");
    cmc_conform_step_set_request(s, "compiled", "application/pkcs10", kReq, sizeof(kReq));
    cmc_conform_step_set_response(s, 200, "application/pkix-cert", kResp, sizeof(kResp));
    cmc_conform_step_check(s, "cmc-status", CMC_VERDICT_PASS, NULL);
    cmc_conform_step_finish(s);
    s = cmc_conform_case_add_step(c, "revoke");
    cmc_conform_step_set_request(s, "compiled", "application/pkcs7-mime; smime-type=CMC-request",
                                 kReq, sizeof(kReq));
    cmc_conform_step_set_response(s, 200, "application/pkcs7-mime; smime-type=CMC-response", kResp,
                                  sizeof(kResp));
    cmc_conform_step_check(s, "cmc-status", CMC_VERDICT_FAIL,
                           "expected failed/badRequest, got success <&>\n\"x\"\x01");
    cmc_conform_step_check(s, "transaction-id", CMC_VERDICT_PASS, NULL);
    cmc_conform_step_finish(s);
    cmc_conform_case_finish(c, NULL);

    c = cmc_conform_run_add_case(run, "revoke-unsigned-passphrase");
    c->title = cmc_conform_strdup("unsigned revocation");
    c->level = cmc_conform_strdup("SHOULD");
    c->family.group = cmc_conform_strdup("revocation");
    c->family.reason_code = 1;
    cmc_conform_case_skip(c, "feature unsigned-revocation absent: officer-signed only");

    c = cmc_conform_run_add_case(run, "stage-digest-mismatch");
    c->title = cmc_conform_strdup("digest mismatch");
    c->level = cmc_conform_strdup("MUST");
    c->family.group = cmc_conform_strdup("verification");
    c->family.stage = cmc_conform_strdup("digest");
    s = cmc_conform_case_add_step(c, "send");
    cmc_conform_step_set_request(s, "replayed", "application/pkcs7-mime; smime-type=CMC-request",
                                 kReq, sizeof(kReq));
    s->transport_error = cmc_conform_strdup("connection refused");
    cmc_conform_step_check(s, "transport", CMC_VERDICT_FAIL, "connection refused");
    cmc_conform_step_finish(s);
    cmc_conform_case_finish(c, "vendor skips the digest check");

    c = cmc_conform_run_add_case(run, "transport-media-type-wrong");
    c->title = cmc_conform_strdup("wrong media type");
    c->level = cmc_conform_strdup("MAY");
    c->family.group = cmc_conform_strdup("transport");
    c->family.transport = cmc_conform_strdup("media-type");
    s = cmc_conform_case_add_step(c, "send");
    cmc_conform_step_set_request(s, "replayed", "text/plain", kReq, sizeof(kReq));
    cmc_conform_step_set_response(s, 415, "text/plain", (const uint8_t *)"no", 2);
    cmc_conform_step_check(s, "http-status", CMC_VERDICT_PASS, NULL);
    cmc_conform_step_finish(s);
    cmc_conform_case_finish(c, "listed but fixed");
    return run;
}

static char *capture(int (*fn)(FILE *, const cmc_conform_run *), const cmc_conform_run *run) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(fn(f, run), 0);
    fclose(f);
    return buf;
}

/* ---- result model ---- */

static void test_case_finish_derives_verdicts(void **state) {
    (void)state;
    cmc_conform_run *run = make_run();
    assert_int_equal(run->cases[0].verdict, CMC_VERDICT_PASS);
    assert_int_equal(run->cases[1].verdict, CMC_VERDICT_FAIL);
    /* The case reason names the failing step and check, on one line. */
    assert_string_equal(run->cases[1].reason,
                        "step 2 (revoke): cmc-status: expected failed/badRequest, got success "
                        "<&> \"x\" ");
    assert_int_equal(run->cases[2].verdict, CMC_VERDICT_SKIP);
    assert_int_equal(run->cases[3].verdict, CMC_VERDICT_XFAIL);
    assert_int_equal(run->cases[4].verdict, CMC_VERDICT_XPASS);
    assert_non_null(strstr(run->cases[4].reason, "remove it from the profile"));
    cmc_conform_summary sum;
    cmc_conform_run_summary(run, &sum);
    assert_int_equal(sum.total, 5);
    for (int v = 0; v < CMC_VERDICT_COUNT; v++) {
        assert_int_equal(sum.counts[v], 1);
    }
    assert_int_equal(cmc_conform_run_conformant(run), 0);
    cmc_conform_run_free(run);
}

static void test_run_conformant_requires_no_fail_no_xpass_and_sanity(void **state) {
    (void)state;
    cmc_conform_run *run = cmc_conform_run_new("embedded", "rfc", "s");
    cmc_conform_case *c = cmc_conform_run_add_case(run, "a");
    cmc_conform_step *s = cmc_conform_case_add_step(c, "x");
    cmc_conform_step_check(s, "k", CMC_VERDICT_PASS, NULL);
    cmc_conform_step_finish(s);
    cmc_conform_case_finish(c, NULL);
    c = cmc_conform_run_add_case(run, "b");
    s = cmc_conform_case_add_step(c, "x");
    cmc_conform_step_check(s, "k", CMC_VERDICT_FAIL, "boom");
    cmc_conform_step_finish(s);
    cmc_conform_case_finish(c, "known");
    assert_int_equal(c->verdict, CMC_VERDICT_XFAIL);
    assert_int_equal(cmc_conform_run_conformant(run), 1);
    run->sanity_after.ran = 1;
    run->sanity_after.ok = 0;
    assert_int_equal(cmc_conform_run_conformant(run), 0);
    cmc_conform_run_free(run);
}

static void test_step_finish_all_skipped_is_skip(void **state) {
    (void)state;
    cmc_conform_run *run = cmc_conform_run_new("embedded", "rfc", "s");
    cmc_conform_case *c = cmc_conform_run_add_case(run, "a");
    cmc_conform_step *s = cmc_conform_case_add_step(c, "x");
    cmc_conform_step_check(s, "signature", CMC_VERDICT_SKIP, "no CA certificate configured");
    cmc_conform_step_finish(s);
    assert_int_equal(s->verdict, CMC_VERDICT_SKIP);
    assert_string_equal(s->reason, "no CA certificate configured");
    cmc_conform_case_finish(c, "deviation");
    /* A skipped case stays skipped even when a deviation is listed. */
    assert_int_equal(c->verdict, CMC_VERDICT_SKIP);
    cmc_conform_run_free(run);
}

static void test_oneline_truncates_at_utf8_boundary(void **state) {
    (void)state;
    char long_text[CMC_CONFORM_MAX_REASON + 10];
    memset(long_text, 'a', sizeof(long_text));
    /* Put a 2-byte UTF-8 character across the cut. */
    long_text[CMC_CONFORM_MAX_REASON - 1] = (char)0xC2;
    long_text[CMC_CONFORM_MAX_REASON] = (char)0xA7;
    long_text[sizeof(long_text) - 1] = '\0';
    char *s = cmc_conform_oneline(long_text);
    assert_int_equal(strlen(s), CMC_CONFORM_MAX_REASON - 1);
    free(s);
}

/* ---- terminal ---- */

static void test_report_terminal_lists_cases_and_families_without_color(void **state) {
    (void)state;
    cmc_conform_run *run = make_run();
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cmc_conform_report_terminal(f, run, 0, 1);
    fclose(f);
    assert_null(strchr(buf, '\033'));
    for (size_t i = 0; i < run->num_cases; i++) {
        assert_non_null(strstr(buf, run->cases[i].id));
    }
    assert_non_null(strstr(buf, "by content type"));
    assert_non_null(strstr(buf, "by reason code"));
    assert_non_null(strstr(buf, " 2 cACompromise"));
    assert_non_null(strstr(buf, "by stage"));
    assert_non_null(strstr(buf, "by transport"));
    assert_non_null(strstr(buf, "5 cases: 1 pass, 1 fail, 1 skip, 1 xfail, 1 xpass"));
    assert_non_null(strstr(buf, "NOT CONFORMANT"));
    free(buf);

    /* Quiet mode leaves out passing and skipped cases; colour adds escapes. */
    f = open_memstream(&buf, &len);
    cmc_conform_report_terminal(f, run, 1, 0);
    fclose(f);
    assert_null(strstr(buf, "enroll-pkcs10-rsa "));
    assert_non_null(strstr(buf, "revoke-reason-ca-compromise-refused"));
    assert_non_null(strchr(buf, '\033'));
    free(buf);
    cmc_conform_run_free(run);
}

static void test_progress_only_on_tty(void **state) {
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cmc_conform_progress(f, 0, 1, 2, "case");
    cmc_conform_progress_done(f, 0);
    fflush(f);
    assert_int_equal(len, 0);
    cmc_conform_progress(f, 1, 1, 2, "case");
    fclose(f);
    assert_non_null(strstr(buf, "[  1/2] case"));
    free(buf);
}

/* ---- JSON report, checked against conformance/schema/report.schema.json ---- */

static void schema_report(void *ctx, const char *path, const char *msg) {
    (void)ctx;
    fprintf(stderr, "schema: %s: %s\n", path, msg);
}

static size_t schema_check(const json_t *schema, const json_t *doc) {
    return cmc_jschema_validate(schema, doc, schema_report, NULL);
}

static json_t *load_schema(void) {
    char path[1024];
    snprintf(path, sizeof(path), "%s/conformance/schema/report.schema.json", CMC_SOURCE_DIR);
    json_error_t jerr;
    json_t *schema = json_load_file(path, 0, &jerr);
    assert_non_null(schema);
    return schema;
}

static void test_report_json_validates_against_schema(void **state) {
    (void)state;
    cmc_conform_run *run = make_run();
    char *text = capture(cmc_conform_report_json, run);
    json_error_t jerr;
    json_t *doc = json_loads(text, 0, &jerr);
    assert_non_null(doc);
    json_t *schema = load_schema();
    assert_int_equal(schema_check(schema, doc), 0);
    /* Counts and content agree with the model. */
    json_t *sum = json_object_get(doc, "summary");
    assert_int_equal(json_integer_value(json_object_get(sum, "total")), 5);
    assert_int_equal(json_integer_value(json_object_get(sum, "xpass")), 1);
    assert_true(json_is_false(json_object_get(doc, "conformant")));
    json_t *cases = json_object_get(doc, "cases");
    assert_int_equal(json_array_size(cases), 5);
    json_t *c1 = json_array_get(cases, 1);
    assert_string_equal(json_string_value(json_object_get(c1, "verdict")), "fail");
    json_t *step = json_array_get(json_object_get(c1, "steps"), 0);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(step, "request"), "base64")), "MAMCAQA=");
    json_t *rc =
        json_array_get(json_object_get(json_object_get(doc, "matrices"), "reason_code"), 0);
    assert_string_equal(json_string_value(json_object_get(rc, "key")), " 1 keyCompromise");
    /* The validator itself rejects a broken report. */
    json_object_set_new(c1, "verdict", json_string("maybe"));
    json_object_set_new(doc, "extra", json_true());
    assert_int_equal(schema_check(schema, doc), 2);
    json_decref(schema);
    json_decref(doc);
    free(text);
    cmc_conform_run_free(run);
}

/* ---- JUnit: a small XML reader checks well-formedness, then the testcases ---- */

typedef struct {
    size_t testcases, failures, skipped, named;
    size_t suites_tests, suites_failures, suites_skipped;
} junit_facts;

/* Reads attribute |name| of the tag text [p, end) into |out|; 1 if found. */
static int xml_attr(const char *p, const char *end, const char *name, char *out, size_t n) {
    size_t nl = strlen(name);
    for (const char *q = p; q + nl + 2 < end; q++) {
        if ((q[-1] == ' ' || q[-1] == '\n') && strncmp(q, name, nl) == 0 && q[nl] == '=' &&
            q[nl + 1] == '"') {
            const char *v = q + nl + 2;
            const char *ve = memchr(v, '"', (size_t)(end - v));
            assert_non_null(ve);
            size_t l = (size_t)(ve - v);
            if (l >= n) {
                l = n - 1;
            }
            memcpy(out, v, l);
            out[l] = '\0';
            return 1;
        }
    }
    return 0;
}

static void xml_check_entities(const char *p, const char *end) {
    for (const char *q = p; q < end; q++) {
        assert_true(*q != '<');
        if (*q == '&') {
            const char *semi = memchr(q, ';', (size_t)(end - q));
            assert_non_null(semi);
            size_t l = (size_t)(semi - q + 1);
            int ok = (l == 5 && strncmp(q, "&amp;", 5) == 0) ||
                     (l == 4 && (strncmp(q, "&lt;", 4) == 0 || strncmp(q, "&gt;", 4) == 0)) ||
                     (l == 6 && (strncmp(q, "&quot;", 6) == 0 || strncmp(q, "&apos;", 6) == 0)) ||
                     (q[1] == '#');
            assert_true(ok);
        } else {
            /* XML 1.0 forbids control characters other than tab, LF, CR. */
            assert_true((unsigned char)*q >= 0x20 || *q == '\n' || *q == '\t' || *q == '\r');
        }
    }
}

static junit_facts parse_junit(const char *xml) {
    junit_facts f;
    memset(&f, 0, sizeof(f));
    assert_int_equal(strncmp(xml, "<?xml version=\"1.0\"", 19), 0);
    const char *p = strstr(xml, "?>");
    assert_non_null(p);
    p += 2;
    char stack[16][32];
    int depth = 0;
    int saw_root = 0;
    while (*p != '\0') {
        const char *lt = strchr(p, '<');
        if (lt == NULL) {
            xml_check_entities(p, p + strlen(p));
            break;
        }
        xml_check_entities(p, lt);
        const char *gt = strchr(lt, '>');
        assert_non_null(gt);
        /* No '<' inside a tag; attribute values must be escaped. */
        assert_null(memchr(lt + 1, '<', (size_t)(gt - lt - 1)));
        if (lt[1] == '/') {
            char name[32];
            size_t l = strcspn(lt + 2, " >");
            assert_true(l < sizeof(name));
            memcpy(name, lt + 2, l);
            name[l] = '\0';
            assert_true(depth > 0);
            assert_string_equal(stack[depth - 1], name);
            depth--;
        } else {
            char name[32];
            size_t l = strcspn(lt + 1, " />\n");
            assert_true(l < sizeof(name) && l > 0);
            memcpy(name, lt + 1, l);
            name[l] = '\0';
            int self_closing = gt[-1] == '/';
            /* Attribute values: every quote balanced, entities valid. */
            size_t quotes = 0;
            for (const char *q = lt; q < gt; q++) {
                quotes += *q == '"';
            }
            assert_int_equal(quotes % 2, 0);
            if (depth == 0) {
                assert_false(saw_root);
                assert_string_equal(name, "testsuites");
                saw_root = 1;
                char v[32];
                assert_true(xml_attr(lt, gt, "tests", v, sizeof(v)));
                f.suites_tests = strtoul(v, NULL, 10);
                assert_true(xml_attr(lt, gt, "failures", v, sizeof(v)));
                f.suites_failures = strtoul(v, NULL, 10);
                assert_true(xml_attr(lt, gt, "skipped", v, sizeof(v)));
                f.suites_skipped = strtoul(v, NULL, 10);
            }
            if (strcmp(name, "testcase") == 0) {
                char n[256], cn[256];
                f.testcases++;
                if (xml_attr(lt, gt, "name", n, sizeof(n)) &&
                    xml_attr(lt, gt, "classname", cn, sizeof(cn)) && n[0] != '\0' &&
                    cn[0] != '\0') {
                    f.named++;
                }
            } else if (strcmp(name, "failure") == 0) {
                f.failures++;
            } else if (strcmp(name, "skipped") == 0) {
                f.skipped++;
            }
            if (!self_closing) {
                assert_true(depth < 16);
                snprintf(stack[depth++], sizeof(stack[0]), "%s", name);
            }
        }
        p = gt + 1;
    }
    assert_int_equal(depth, 0);
    assert_true(saw_root);
    return f;
}

static void test_report_junit_is_well_formed_and_counts_match(void **state) {
    (void)state;
    cmc_conform_run *run = make_run();
    char *xml = capture(cmc_conform_report_junit, run);
    junit_facts f = parse_junit(xml);
    /* 5 cases + the two sanity gates. */
    assert_int_equal(f.testcases, 7);
    assert_int_equal(f.named, 7);
    assert_int_equal(f.suites_tests, 7);
    assert_int_equal(f.failures, 2); /* fail, xpass */
    assert_int_equal(f.suites_failures, 2);
    assert_int_equal(f.skipped, 2); /* skip, xfail */
    assert_int_equal(f.suites_skipped, 2);
    assert_non_null(strstr(xml, "classname=\"cmckit.conform.revocation\""));
    assert_non_null(strstr(xml, "&lt;&amp;&gt;"));
    free(xml);
    cmc_conform_run_free(run);
}

/* ---- HTML ---- */

static int fake_dump(FILE *out, const uint8_t *der, size_t len) {
    fprintf(out, "SEQUENCE <%zu bytes> first %02x\n", len, der[0]);
    return 0;
}

static int html_dump(FILE *f, const cmc_conform_run *run) {
    return cmc_conform_report_html(f, run, fake_dump);
}

static void test_report_html_is_self_contained_with_matrices_and_transcripts(void **state) {
    (void)state;
    cmc_conform_run *run = make_run();
    char *html = capture(html_dump, run);
    assert_int_equal(strncmp(html, "<!DOCTYPE html>", 15), 0);
    assert_non_null(strstr(html, "content type &times; outcome"));
    assert_non_null(strstr(html, "reason code &times; outcome"));
    assert_non_null(strstr(html, "stage &times; outcome"));
    for (size_t i = 0; i < run->num_cases; i++) {
        assert_non_null(strstr(html, run->cases[i].id));
    }
    /* The dump printer's text is escaped into the transcript. */
    assert_non_null(strstr(html, "SEQUENCE &lt;5 bytes&gt; first 30"));
    assert_non_null(strstr(html, "reason 2 &lt;refused&gt; &amp; &quot;quoted&quot;"));
    /* Self-contained: no scripts, no external resources. */
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "src="));
    assert_null(strstr(html, "<link"));
    free(html);
    /* Without a dump printer, a hex dump. */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(cmc_conform_report_html(f, run, NULL), 0);
    fclose(f);
    assert_non_null(strstr(buf, "000000  30 03 02 01 00"));
    free(buf);
    cmc_conform_run_free(run);
}

/* ---- transcripts ---- */

static void test_transcripts_write_and_load_round_trip(void **state) {
    (void)state;
    char dir[] = "/tmp/cmc-transcripts-XXXXXX";
    assert_non_null(mkdtemp(dir));
    cmc_conform_run *run = make_run();
    char err[256];
    assert_int_equal(cmc_conform_write_transcripts(dir, run, err, sizeof(err)), 0);
    uint8_t *der = NULL;
    size_t der_len = 0;
    char *type = NULL;
    assert_true(cmc_conform_transcript_has_case(dir, "revoke-reason-ca-compromise-refused"));
    assert_int_equal(cmc_conform_transcript_load(dir, "revoke-reason-ca-compromise-refused", 1,
                                                 &der, &der_len, &type),
                     0);
    assert_int_equal(der_len, sizeof(kReq));
    assert_memory_equal(der, kReq, sizeof(kReq));
    assert_string_equal(type, "application/pkcs7-mime; smime-type=CMC-request");
    free(der);
    free(type);
    assert_int_equal(cmc_conform_transcript_load(dir, "revoke-reason-ca-compromise-refused", 2,
                                                 &der, &der_len, &type),
                     -1);
    assert_int_equal(cmc_conform_transcript_load(dir, "../etc", 0, &der, &der_len, &type), -1);
    assert_false(cmc_conform_transcript_has_case(dir, "revoke-unsigned-passphrase"));
    cmc_conform_run_free(run);
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* ---- profiles ---- */

static void test_profile_builtins_load(void **state) {
    (void)state;
    char err[256];
    assert_int_equal(cmc_conform_profile_builtin_count(), 2);
    cmc_conform_profile *p = cmc_conform_profile_load("rfc", err, sizeof(err));
    assert_non_null(p);
    assert_string_equal(p->name, "rfc");
    assert_int_equal(p->num_absent, 0);
    assert_int_equal(p->has_allowed_reasons, 0);
    cmc_conform_profile_free(p);
    p = cmc_conform_profile_load("documented-vendor", err, sizeof(err));
    assert_non_null(p);
    assert_string_equal(p->name, "documented-vendor");
    assert_int_equal(p->num_absent, 0);
    assert_null(cmc_conform_profile_absent(p, "open-enrollment"));
    assert_int_equal(p->has_allowed_reasons, 1);
    assert_int_equal(p->allowed_reasons, (1u << 0) | (1u << 1) | (1u << 3) | (1u << 4) | (1u << 5));
    cmc_conform_profile_free(p);
}

static void test_profile_parse_deviation_glob_and_errors(void **state) {
    (void)state;
    char err[256];
    const char *good = "{\"format\":\"cmckit-conform-profile\",\"version\":1,\"name\":\"acme\","
                       "\"deviations\":[{\"case\":\"stage-*\",\"reason\":\"ticket 12\"}]}";
    cmc_conform_profile *p = cmc_conform_profile_parse(good, strlen(good), "t", err, sizeof(err));
    assert_non_null(p);
    assert_string_equal(cmc_conform_profile_deviation(p, "stage-digest-mismatch"), "ticket 12");
    assert_null(cmc_conform_profile_deviation(p, "revoke-x"));
    cmc_conform_profile_free(p);

    const char *no_reason = "{\"format\":\"cmckit-conform-profile\",\"version\":1,\"name\":\"a\","
                            "\"deviations\":[{\"case\":\"x\"}]}";
    assert_null(cmc_conform_profile_parse(no_reason, strlen(no_reason), "t", err, sizeof(err)));
    assert_string_equal(err, "t: deviations[0]: needs a non-empty \"case\" and \"reason\"");
    const char *unknown = "{\"format\":\"cmckit-conform-profile\",\"version\":1,\"name\":\"a\","
                          "\"skip_everything\":true}";
    assert_null(cmc_conform_profile_parse(unknown, strlen(unknown), "t", err, sizeof(err)));
    assert_string_equal(err, "t: unknown key \"skip_everything\"");
    const char *version = "{\"format\":\"cmckit-conform-profile\",\"version\":2,\"name\":\"a\"}";
    assert_null(cmc_conform_profile_parse(version, strlen(version), "t", err, sizeof(err)));
    const char *reason = "{\"format\":\"cmckit-conform-profile\",\"version\":1,\"name\":\"a\","
                         "\"policy\":{\"allowed_reasons\":[11]}}";
    assert_null(cmc_conform_profile_parse(reason, strlen(reason), "t", err, sizeof(err)));
    assert_null(cmc_conform_profile_load("/nonexistent/profile.json", err, sizeof(err)));
}

static void test_profile_builtins_and_example_match_the_schema(void **state) {
    (void)state;
    char path[512];
    snprintf(path, sizeof(path), "%s/conformance/schema/profile.schema.json", CMC_SOURCE_DIR);
    json_error_t jerr;
    json_t *schema = json_load_file(path, 0, &jerr);
    assert_non_null(schema);
    for (size_t i = 0; i < cmc_conform_profile_builtin_count(); i++) {
        const char *text = cmc_conform_profile_builtin_json(i);
        json_t *doc = json_loads(text, 0, &jerr);
        assert_non_null(doc);
        assert_int_equal(schema_check(schema, doc), 0);
        json_decref(doc);
    }
    snprintf(path, sizeof(path), "%s/conformance/examples/vendor-profile.json", CMC_SOURCE_DIR);
    json_t *doc = json_load_file(path, 0, &jerr);
    assert_non_null(doc);
    assert_int_equal(schema_check(schema, doc), 0);
    json_decref(doc);
    char err[256];
    cmc_conform_profile *p = cmc_conform_profile_load(path, err, sizeof(err));
    assert_non_null(p);
    assert_string_equal(p->name, "example-vendor");
    assert_non_null(cmc_conform_profile_absent(p, "open-enrollment"));
    cmc_conform_profile_free(p);
    json_decref(schema);
}

static void test_target_example_names_its_missing_files(void **state) {
    (void)state;
    char path[512];
    snprintf(path, sizeof(path), "%s/conformance/examples/target.cnf", CMC_SOURCE_DIR);
    char err[512];
    /* The example parses; it stops at the first credential file that is not there. */
    assert_null(cmc_conform_target_load(path, err, sizeof(err)));
    assert_non_null(strstr(err, "[target] ca_cert"));
}

/* ---- target configuration ---- */

static char *write_temp(const char *dir, const char *name, const char *text) {
    char *path = cmc_conform_printf("%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void test_target_load_reads_credentials_and_policy(void **state) {
    (void)state;
    char dir[] = "/tmp/cmc-target-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *cfg =
        cmc_conform_printf("[target]\nurl = https://qa:secret@ca.example.test/cmc\nca_cert = "
                           "%s/vectors/pki/ca.cert.pem\n"
                           "timeout = 5\nprofile = documented-vendor\n"
                           "[enroll_officer]\ncert = %s/vectors/pki/officer-enroll.cert.pem\n"
                           "key = %s/vectors/pki/officer-enroll.key.pem\n"
                           "[policy]\nallowed_reasons = 0, 1,3 ,4,5\nenroll_needs_officer = yes\n"
                           "response_types = certs-only-chain, cmc-response\n",
                           CMC_SOURCE_DIR, CMC_SOURCE_DIR, CMC_SOURCE_DIR);
    char *path = write_temp(dir, "t.cnf", cfg);
    char err[512] = "";
    cmc_conform_target *t = cmc_conform_target_load(path, err, sizeof(err));
    assert_non_null(t);
    assert_int_equal(t->embedded, 0);
    assert_int_equal(t->fixture_officers, 0);
    assert_non_null(t->ca_cert);
    assert_non_null(t->enroll.cert);
    assert_non_null(t->enroll.key);
    assert_null(t->revoke.key);
    assert_int_equal(t->timeout_ms, 5000);
    assert_string_equal(t->profile, "documented-vendor");
    assert_int_equal(t->allowed_reasons, 0x3Bu);
    assert_int_equal(t->enroll_needs_officer, 1);
    assert_int_equal(t->response_types,
                     CMC_CONFORM_RESP_CERTS_ONLY_CHAIN | CMC_CONFORM_RESP_CMC_RESPONSE);
    char desc[256];
    cmc_conform_target_describe(t, desc, sizeof(desc));
    /* The password in the URL never reaches a report. */
    assert_string_equal(desc, "https://ca.example.test/cmc");
    cmc_conform_target_free(t);
    free(cfg);
    free(path);

    /* A key that is not the certificate's is refused; the message names files, not keys. */
    cfg = cmc_conform_printf("[target]\nurl = tcp://127.0.0.1:5318\n[revoke_officer]\n"
                             "cert = %s/vectors/pki/officer-revoke.cert.pem\n"
                             "key = %s/vectors/pki/officer-enroll.key.pem\n",
                             CMC_SOURCE_DIR, CMC_SOURCE_DIR);
    path = write_temp(dir, "bad.cnf", cfg);
    assert_null(cmc_conform_target_load(path, err, sizeof(err)));
    assert_non_null(strstr(err, "[revoke_officer] the key does not belong to the certificate"));
    assert_null(strstr(err, "PRIVATE"));
    free(cfg);
    free(path);

    path = write_temp(dir, "nourl.cnf", "[target]\ntimeout = 3\n");
    assert_null(cmc_conform_target_load(path, err, sizeof(err)));
    assert_non_null(strstr(err, "[target] url is required"));
    free(path);
    path = write_temp(dir, "reasons.cnf",
                      "[target]\nurl = embedded\n[policy]\n"
                      "allowed_reasons = 0, 12\n");
    assert_null(cmc_conform_target_load(path, err, sizeof(err)));
    assert_non_null(strstr(err, "allowed_reasons"));
    free(path);
    path = write_temp(dir, "syntax.cnf", "[target\nurl = x\n");
    assert_null(cmc_conform_target_load(path, err, sizeof(err)));
    assert_non_null(strstr(err, "syntax error"));
    free(path);
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* ---- selection ---- */

static void test_selection_globs_tags_and_levels(void **state) {
    (void)state;
    cmc_conform_selection sel;
    memset(&sel, 0, sizeof(sel));
    sel.level = CMC_LEVEL_ALL;
    const char *tags[] = {"revoke", "reason"};
    char why[128];
    assert_true(cmc_conform_selected(&sel, "revoke-reason-x", "MAY", tags, 2, why, sizeof(why)));
    sel.only[sel.num_only++] = "enroll-*";
    assert_false(cmc_conform_selected(&sel, "revoke-reason-x", "MUST", tags, 2, why, sizeof(why)));
    sel.only[sel.num_only++] = "revoke-*";
    assert_true(cmc_conform_selected(&sel, "revoke-reason-x", "MUST", tags, 2, why, sizeof(why)));
    sel.skip[sel.num_skip++] = "*-x";
    assert_false(cmc_conform_selected(&sel, "revoke-reason-x", "MUST", tags, 2, why, sizeof(why)));
    assert_string_equal(why, "--skip *-x");
    sel.num_skip = 0;
    sel.tags[sel.num_tags++] = "enroll";
    assert_false(cmc_conform_selected(&sel, "revoke-reason-x", "MUST", tags, 2, why, sizeof(why)));
    sel.tags[sel.num_tags++] = "reason";
    assert_true(cmc_conform_selected(&sel, "revoke-reason-x", "MUST", tags, 2, why, sizeof(why)));
    cmc_conform_level lv;
    assert_int_equal(cmc_conform_level_parse("SHOULD", &lv), 0);
    sel.level = lv;
    assert_true(cmc_conform_selected(&sel, "revoke-reason-x", "SHOULD", tags, 2, why, sizeof(why)));
    assert_false(cmc_conform_selected(&sel, "revoke-reason-x", "MAY", tags, 2, why, sizeof(why)));
    sel.level = CMC_LEVEL_MUST;
    assert_false(
        cmc_conform_selected(&sel, "revoke-reason-x", "SHOULD", tags, 2, why, sizeof(why)));
    assert_int_equal(cmc_conform_level_parse("sometimes", &lv), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_case_finish_derives_verdicts),
        cmocka_unit_test(test_run_conformant_requires_no_fail_no_xpass_and_sanity),
        cmocka_unit_test(test_step_finish_all_skipped_is_skip),
        cmocka_unit_test(test_oneline_truncates_at_utf8_boundary),
        cmocka_unit_test(test_report_terminal_lists_cases_and_families_without_color),
        cmocka_unit_test(test_progress_only_on_tty),
        cmocka_unit_test(test_report_json_validates_against_schema),
        cmocka_unit_test(test_report_junit_is_well_formed_and_counts_match),
        cmocka_unit_test(test_report_html_is_self_contained_with_matrices_and_transcripts),
        cmocka_unit_test(test_transcripts_write_and_load_round_trip),
        cmocka_unit_test(test_profile_builtins_load),
        cmocka_unit_test(test_profile_parse_deviation_glob_and_errors),
        cmocka_unit_test(test_profile_builtins_and_example_match_the_schema),
        cmocka_unit_test(test_target_example_names_its_missing_files),
        cmocka_unit_test(test_target_load_reads_credentials_and_policy),
        cmocka_unit_test(test_selection_globs_tags_and_levels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
