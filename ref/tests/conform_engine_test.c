/* conform_engine_test.c: the conformance runner against real servers: the whole vector set
 * against the embedded reference server, the proof that the runner catches each injected
 * server fault as exactly the case(s) it should, reports of a real run, --replay, and the
 * exit codes. (`cmckit serve` over HTTP, TCP and file: conform_serve_test.c.) */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cmc/server.h"
#include "embedded.h"
#include "engine.h"
#include "fixtures.h"
#include "jschema.h"
#include "report.h"
#include "suite.h"
#include "test_util.h"

static const char *vectors_dir(void) {
    return CMC_SOURCE_DIR "/vectors";
}

/* The embedded server of embedded.c with one fault switched on (|ctx|: its name, or NULL for
 * none). The engine compares golden bytes only with its own default server, so the fault
 * runs are judged by the semantic checks alone. */
static cmc_status fault_factory(void *ctx, cmc_server **out, const char *const *requires,
                                size_t num_requires, const uint8_t *seed, size_t seed_len) {
    cmc_server_config *cfg = NULL;
    CMC_TRY(cmc_embedded_server_config(&cfg, requires, num_requires, seed, seed_len));
    cmc_status s = ctx != NULL ? cmc_server_config_set_fault(cfg, (const char *)ctx) : CMC_OK;
    if (s == CMC_OK) {
        s = cmc_server_new(out, cfg);
    }
    cmc_server_config_free(cfg);
    return s;
}

typedef struct {
    cmc_conform_target *target;
    cmc_conform_profile *profile;
    cmc_conform_selection sel;
} fixture;

static void fixture_init(fixture *f) {
    memset(f, 0, sizeof(*f));
    f->target = cmc_conform_target_embedded();
    char err[256];
    f->profile = cmc_conform_profile_load("rfc", err, sizeof(err));
    assert_non_null(f->profile);
    f->sel.level = CMC_LEVEL_ALL;
}

static void fixture_cleanup(fixture *f) {
    cmc_conform_target_free(f->target);
    cmc_conform_profile_free(f->profile);
}

static cmc_conform_exit run(fixture *f, const char *fault, int use_factory, cmc_conform_run **out) {
    cmc_conform_engine_options o;
    memset(&o, 0, sizeof(o));
    o.vectors_dir = vectors_dir();
    o.target = f->target;
    o.profile = f->profile;
    o.selection = &f->sel;
    if (use_factory) {
        o.server_factory = fault_factory;
        o.server_ctx = (void *)fault;
    }
    char err[512] = "";
    cmc_conform_exit rc = cmc_conform_engine_run(out, &o, err, sizeof(err));
    if (*out == NULL) {
        fprintf(stderr, "engine: %s\n", err);
    }
    return rc;
}

static size_t count_checks(const cmc_conform_run *r, const char *name, cmc_verdict v) {
    size_t n = 0;
    for (size_t i = 0; i < r->num_cases; i++) {
        for (size_t k = 0; k < r->cases[i].num_steps; k++) {
            const cmc_conform_step *s = &r->cases[i].steps[k];
            for (size_t j = 0; j < s->num_checks; j++) {
                n += strcmp(s->checks[j].name, name) == 0 && s->checks[j].verdict == v;
            }
        }
    }
    return n;
}

static void print_failures(const cmc_conform_run *r) {
    for (size_t i = 0; i < r->num_cases; i++) {
        if (r->cases[i].verdict == CMC_VERDICT_FAIL || r->cases[i].verdict == CMC_VERDICT_XPASS) {
            fprintf(stderr, "  %s: %s\n", r->cases[i].id, r->cases[i].reason);
        }
    }
}

/* ---- the whole suite against the embedded reference server ---- */

static void test_engine_embedded_whole_suite_passes(void **state) {
    (void)state;
    fixture f;
    fixture_init(&f);
    cmc_conform_run *r = NULL;
    cmc_conform_exit rc = run(&f, NULL, 0, &r);
    assert_non_null(r);
    print_failures(r);
    assert_int_equal(rc, CMC_CONFORM_EXIT_CONFORMANT);
    cmc_conform_summary sum;
    cmc_conform_run_summary(r, &sum);
    cmc_suite *suite = NULL;
    assert_int_equal(cmc_suite_load(&suite, vectors_dir(), NULL), CMC_OK);
    assert_int_equal(sum.total, suite->num_cases);
    assert_int_equal(sum.counts[CMC_VERDICT_FAIL], 0);
    assert_int_equal(sum.counts[CMC_VERDICT_XPASS], 0);
    assert_true(sum.counts[CMC_VERDICT_PASS] > 0);
    /* Only HTTP-only cases (the embedded core has no HTTP method) may be skipped. */
    for (size_t i = 0; i < r->num_cases; i++) {
        if (r->cases[i].verdict == CMC_VERDICT_SKIP) {
            assert_non_null(strstr(r->cases[i].reason, "HTTP"));
        }
    }
    /* Every replayed step with a golden response was compared byte for byte. */
    assert_true(count_checks(r, "golden", CMC_VERDICT_PASS) > 0);
    assert_int_equal(count_checks(r, "golden", CMC_VERDICT_FAIL), 0);
    assert_true(r->sanity_before.ok);
    assert_true(r->sanity_after.ok);
    fprintf(stderr, "embedded: %zu cases, %zu pass, %zu skip\n", sum.total,
            sum.counts[CMC_VERDICT_PASS], sum.counts[CMC_VERDICT_SKIP]);
    cmc_suite_free(suite);
    cmc_conform_run_free(r);
    fixture_cleanup(&f);
}

/* ---- fault injection: each fault is caught as exactly the cases it should break ---- */

/* Which cases a fault must break, derived from the vector set itself, so the proof follows
 * the vectors as they grow. */
typedef int (*case_pred)(const cmc_case *c);

static int step_recipe_has(const cmc_step *s, const char *needle) {
    char *text = json_dumps(s->recipe, JSON_COMPACT);
    int hit = text != NULL && strstr(text, needle) != NULL;
    free(text);
    return hit;
}

static int expects_failure(const cmc_step *s) {
    return s->outcomes[0].cmc_status == 2; /* failed */
}

static int pred_reason_2(const cmc_case *c) {
    for (size_t k = 0; k < c->num_steps; k++) {
        if (step_recipe_has(&c->steps[k], "\"reason\":2") &&
            step_recipe_has(&c->steps[k], "revokeRequest") && expects_failure(&c->steps[k])) {
            return 1;
        }
    }
    return 0;
}

static int pred_enroll_revokes(const cmc_case *c) {
    for (size_t k = 0; k < c->num_steps; k++) {
        if (step_recipe_has(&c->steps[k], "revokeRequest") &&
            step_recipe_has(&c->steps[k], "\"officer-enroll\"") && expects_failure(&c->steps[k])) {
            return 1;
        }
    }
    return 0;
}

static int pred_nonce(const cmc_case *c) {
    for (size_t k = 0; k < c->num_steps; k++) {
        if (c->steps[k].echo_sender_nonce) {
            return 1;
        }
    }
    return 0;
}

static int pred_chain(const cmc_case *c) {
    for (size_t k = 0; k < c->num_steps; k++) {
        if (c->steps[k].outcomes[0].chain == 1) {
            return 1;
        }
    }
    return 0;
}

/* Runs the suite with |fault| on. The cases expected to fail are those |pred| selects, or
 * exactly |ids| (NULL-terminated) when the fault's effect is a handful of named cases. Every
 * failure must name |catching_check| in its reason. */
static void check_fault(const char *fault, case_pred pred, const char *const *ids,
                        const char *catching_check) {
    fixture f;
    fixture_init(&f);
    cmc_suite *suite = NULL;
    assert_int_equal(cmc_suite_load(&suite, vectors_dir(), NULL), CMC_OK);
    cmc_conform_run *r = NULL;
    cmc_conform_exit rc = run(&f, fault, 1, &r);
    assert_non_null(r);
    assert_int_equal(rc, CMC_CONFORM_EXIT_NONCONFORMANT);
    size_t expected = 0, caught = 0, wrong = 0;
    for (size_t i = 0; i < r->num_cases; i++) {
        const cmc_conform_case *rc_case = &r->cases[i];
        const cmc_case *c = cmc_suite_find(suite, rc_case->id);
        assert_non_null(c);
        int want = 0;
        if (pred != NULL) {
            want = pred(c) && c->disabled_reason == NULL;
        } else {
            for (size_t k = 0; ids[k] != NULL; k++) {
                want |= strcmp(ids[k], c->id) == 0;
            }
        }
        int failed = rc_case->verdict == CMC_VERDICT_FAIL;
        expected += want;
        if (want != failed) {
            fprintf(stderr, "fault %s: case %s %s (%s)\n", fault, rc_case->id,
                    want ? "should fail but did not" : "failed but should not", rc_case->reason);
            wrong++;
        } else if (failed) {
            caught++;
            if (strstr(rc_case->reason, catching_check) == NULL) {
                fprintf(stderr, "fault %s: case %s caught, but not by %s: %s\n", fault, rc_case->id,
                        catching_check, rc_case->reason);
                wrong++;
            }
            fprintf(stderr, "fault %-26s caught by %-32s %s\n", fault, rc_case->id,
                    rc_case->reason);
        }
    }
    assert_int_equal(wrong, 0);
    assert_true(expected > 0);
    assert_int_equal(caught, expected);
    cmc_conform_run_free(r);
    cmc_suite_free(suite);
    fixture_cleanup(&f);
}

static void test_engine_fault_control_run_passes(void **state) {
    (void)state;
    fixture f;
    fixture_init(&f);
    cmc_conform_run *r = NULL;
    cmc_conform_exit rc = run(&f, NULL, 1, &r);
    assert_non_null(r);
    print_failures(r);
    assert_int_equal(rc, CMC_CONFORM_EXIT_CONFORMANT);
    cmc_conform_run_free(r);
    fixture_cleanup(&f);
}

static void test_engine_catches_accept_reason_2(void **state) {
    (void)state;
    check_fault("accept-reason-2", pred_reason_2, NULL, "cmc-status");
}

static void test_engine_catches_skip_digest_check(void **state) {
    (void)state;
    /* The messages whose digest attribute is wrong, the one whose content changed after
     * signing (the server then parses content nobody signed), and the stage 1 + untrusted
     * signer case (stage 3 now answers badRequest). Where stage 2 or a broken signature also
     * fails, the later stage answers badMessageCheck as stage 1 would: those cases cannot
     * tell, and must not fail. */
    static const char *const ids[] = {"stage1-message-digest-mismatch", "stage1-content-modified",
                                      "stages-1-and-3-digest-and-untrusted-signer",
                                      "transaction-echoed-after-stage1-failure", NULL};
    check_fault("skip-digest-check", NULL, ids, "body");
}

static void test_engine_catches_skip_content_type_check(void **state) {
    (void)state;
    static const char *const ids[] = {"stage2-econtent-type-not-pki-data",
                                      "stage2-content-type-attribute-differs", NULL};
    check_fault("skip-content-type-check", NULL, ids, "body part 0");
}

static void test_engine_catches_enroll_officer_can_revoke(void **state) {
    (void)state;
    check_fault("enroll-officer-can-revoke", pred_enroll_revokes, NULL, "cmc-status");
}

static void test_engine_catches_drop_recipient_nonce(void **state) {
    (void)state;
    check_fault("drop-recipient-nonce", pred_nonce, NULL, "recipient-nonce");
}

static void test_engine_catches_certs_only_without_chain(void **state) {
    (void)state;
    check_fault("certs-only-without-chain", pred_chain, NULL, "chain");
}

/* ---- reports of a real run, --replay, exit codes (through cmc_conform_main) ---- */

static int main_args(const char *first, ...) {
    char *argv[32];
    int argc = 0;
    argv[argc++] = (char *)"conform";
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a != NULL && argc < 31; a = va_arg(ap, const char *)) {
        argv[argc++] = (char *)a;
    }
    va_end(ap);
    argv[argc] = NULL;
    fflush(stdout);
    /* The terminal report goes to stdout; keep the test log short. */
    FILE *saved = stdout;
    FILE *devnull = fopen("/dev/null", "w");
    assert_non_null(devnull);
    stdout = devnull;
    int rc = cmc_conform_main(argc, argv, vectors_dir());
    stdout = saved;
    fclose(devnull);
    return rc;
}

static char *slurp(const char *path) {
    /* fseek/fread rather than open_memstream: gcc 12 -O3 takes the memstream buffer for a
     * dangling pointer to a local (-Wdangling-pointer) and the release preset fails. */
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    assert_true(size >= 0);
    assert_int_equal(fseek(f, 0, SEEK_SET), 0);
    char *buf = malloc((size_t)size + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
    buf[size] = '\0';
    fclose(f);
    return buf;
}

static size_t count_str(const char *hay, const char *needle) {
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle)) {
        n++;
    }
    return n;
}

static void test_main_reports_and_replay(void **state) {
    (void)state;
    char dir[] = "/tmp/cmc-conform-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char json_path[128], junit_path[128], html_path[128], tr_path[128];
    snprintf(json_path, sizeof(json_path), "%s/r.json", dir);
    snprintf(junit_path, sizeof(junit_path), "%s/r.xml", dir);
    snprintf(html_path, sizeof(html_path), "%s/r.html", dir);
    snprintf(tr_path, sizeof(tr_path), "%s/t", dir);
    assert_int_equal(main_args("--only", "revoke-*", "--report-json", json_path, "--report-junit",
                               junit_path, "--report-html", html_path, "--transcripts", tr_path,
                               NULL),
                     0);
    /* JSON: valid against the schema, and as many cases as the JUnit file has testcases. */
    json_error_t jerr;
    json_t *doc = json_load_file(json_path, 0, &jerr);
    assert_non_null(doc);
    char schema_path[256];
    snprintf(schema_path, sizeof(schema_path), "%s/conformance/schema/report.schema.json",
             CMC_SOURCE_DIR);
    json_t *schema = json_load_file(schema_path, 0, &jerr);
    assert_non_null(schema);
    assert_int_equal(cmc_jschema_validate(schema, doc, NULL, NULL), 0);
    size_t cases = json_array_size(json_object_get(doc, "cases"));
    assert_true(cases > 0);
    assert_true(json_is_true(json_object_get(doc, "conformant")));
    char *xml = slurp(junit_path);
    assert_int_equal(count_str(xml, "<testcase "), cases + 2); /* + the sanity gates */
    assert_int_equal(count_str(xml, "<testcase name=\""), cases + 2);
    assert_int_equal(count_str(xml, "\" classname=\"cmckit.conform."), cases + 2);
    assert_int_equal(count_str(xml, "<failure"), 0);
    char *html = slurp(html_path);
    assert_non_null(strstr(html, "reason code &times; outcome"));
    assert_non_null(strstr(html, "CONFORMANT"));
    /* The HTML transcript is the dump printer's tree, controls by name, not hex. */
    assert_non_null(strstr(html, "revokeRequest (id-cmc-17)"));
    free(html);
    free(xml);

    /* --replay sends the recorded bytes again with the same verdicts. */
    char json2[128];
    snprintf(json2, sizeof(json2), "%s/r2.json", dir);
    assert_int_equal(
        main_args("--only", "revoke-*", "--replay", tr_path, "--report-json", json2, NULL), 0);
    json_t *doc2 = json_load_file(json2, 0, &jerr);
    assert_non_null(doc2);
    json_t *c0 = json_array_get(json_object_get(doc2, "cases"), 0);
    json_t *s0 = json_array_get(json_object_get(c0, "steps"), 0);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(s0, "request"), "source")), "recorded");
    assert_true(json_equal(json_object_get(doc, "summary"), json_object_get(doc2, "summary")));
    json_decref(doc2);
    json_decref(schema);
    json_decref(doc);
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* A vendor-style target: requests are compiled and signed with the credentials of the
 * configuration (here fixture officers named by file, with fixture_officers = no), and no
 * byte of a private key reaches any report. */
static void test_main_target_credentials_compile_and_never_leak(void **state) {
    (void)state;
    char dir[] = "/tmp/cmc-target-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char cfg[256], cfg2[256], json_path[256], html_path[256], junit_path[256];
    snprintf(cfg, sizeof(cfg), "%s/vendor.cnf", dir);
    snprintf(cfg2, sizeof(cfg2), "%s/enroll-only.cnf", dir);
    snprintf(json_path, sizeof(json_path), "%s/r.json", dir);
    snprintf(html_path, sizeof(html_path), "%s/r.html", dir);
    snprintf(junit_path, sizeof(junit_path), "%s/r.xml", dir);
    const char *pki = CMC_SOURCE_DIR "/vectors/pki";
    FILE *f = fopen(cfg, "w");
    assert_non_null(f);
    fprintf(
        f,
        "[target]\nurl = embedded\nfixture_officers = no\nca_cert = %s/ca.cert.pem\n"
        "[enroll_officer]\ncert = %s/officer-enroll.cert.pem\nkey = %s/officer-enroll.key.pem\n"
        "[revoke_officer]\ncert = %s/officer-revoke.cert.pem\nkey = %s/officer-revoke.key.pem\n",
        pki, pki, pki, pki, pki);
    fclose(f);
    assert_int_equal(main_args("--target", cfg, "--report-json", json_path, "--report-html",
                               html_path, "--report-junit", junit_path, NULL),
                     CMC_CONFORM_EXIT_CONFORMANT);
    json_error_t jerr;
    json_t *doc = json_load_file(json_path, 0, &jerr);
    assert_non_null(doc);
    size_t i, k, compiled = 0;
    json_t *c, *st;
    json_array_foreach(json_object_get(doc, "cases"), i, c) {
        json_array_foreach(json_object_get(c, "steps"), k, st) {
            const char *src =
                json_string_value(json_object_get(json_object_get(st, "request"), "source"));
            if (src != NULL) {
                assert_string_equal(src, "compiled");
                compiled++;
            }
        }
    }
    assert_true(compiled > 0);
    json_decref(doc);
    /* The first base64 line of each private key appears in no report. */
    const char *keys[] = {"officer-enroll.key.pem", "officer-revoke.key.pem"};
    const char *reports[] = {json_path, html_path, junit_path};
    for (size_t n = 0; n < 2; n++) {
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", pki, keys[n]);
        char *pem = slurp(path);
        const char *begin = strstr(pem, "-----BEGIN");
        assert_non_null(begin);
        const char *line = strchr(begin, '\n') + 1;
        char first[65];
        snprintf(first, sizeof(first), "%.*s", (int)strcspn(line, "\n"), line);
        assert_true(strlen(first) > 40);
        for (size_t r = 0; r < 3; r++) {
            char *text = slurp(reports[r]);
            assert_null(strstr(text, first));
            free(text);
        }
        free(pem);
    }

    /* Without a revocation officer, the cases that need one are skipped, with the reason. */
    f = fopen(cfg2, "w");
    assert_non_null(f);
    fprintf(
        f,
        "[target]\nurl = embedded\nfixture_officers = no\nca_cert = %s/ca.cert.pem\n"
        "[enroll_officer]\ncert = %s/officer-enroll.cert.pem\nkey = %s/officer-enroll.key.pem\n",
        pki, pki, pki);
    fclose(f);
    assert_int_equal(
        main_args("--target", cfg2, "--only", "revoke-reason-*", "--report-json", json_path, NULL),
        CMC_CONFORM_EXIT_CONFORMANT);
    doc = json_load_file(json_path, 0, &jerr);
    assert_non_null(doc);
    assert_true(json_array_size(json_object_get(doc, "cases")) > 0);
    json_array_foreach(json_object_get(doc, "cases"), i, c) {
        assert_string_equal(json_string_value(json_object_get(c, "verdict")), "skip");
        assert_non_null(
            strstr(json_string_value(json_object_get(c, "reason")), "needs a revocation officer"));
    }
    json_decref(doc);
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_main_exit_codes(void **state) {
    (void)state;
    char dead[64];
    snprintf(dead, sizeof(dead), "tcp://127.0.0.1:%d", tu_closed_port());
    assert_int_equal(main_args("--level", "sometimes", NULL), CMC_CONFORM_EXIT_USAGE);
    assert_int_equal(main_args("--no-such-option", NULL), CMC_CONFORM_EXIT_USAGE);
    assert_int_equal(main_args("--suite", "/nonexistent", NULL), CMC_CONFORM_EXIT_USAGE);
    assert_int_equal(main_args("--profile", "/nonexistent.json", NULL), CMC_CONFORM_EXIT_USAGE);
    assert_int_equal(main_args("--target", "/nonexistent.cnf", NULL), CMC_CONFORM_EXIT_USAGE);
    assert_int_equal(main_args("--url", "gopher://x", NULL), CMC_CONFORM_EXIT_USAGE);
    /* Nothing listens there: the first sanity enrollment fails. */
    assert_int_equal(main_args("--url", dead, "--fixture-officers", NULL),
                     CMC_CONFORM_EXIT_UNREACHABLE);
    /* Without the sanity gate, a target that accepts no connection is still unreachable. */
    assert_int_equal(
        main_args("--url", dead, "--fixture-officers", "--no-sanity", "--only", "full-tcr-*", NULL),
        CMC_CONFORM_EXIT_UNREACHABLE);
    assert_int_equal(main_args("--list", "--only", "revoke-*", NULL), CMC_CONFORM_EXIT_CONFORMANT);
    assert_int_equal(main_args("--help", NULL), CMC_CONFORM_EXIT_CONFORMANT);
    /* A profile listing a deviation for a case that passes: xpass, not conformant. */
    char path[] = "/tmp/cmc-profile-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *p = "{\"format\":\"cmckit-conform-profile\",\"version\":1,\"name\":\"stale\","
                    "\"deviations\":[{\"case\":\"revoke-*\",\"reason\":\"was broken once\"}]}";
    assert_int_equal(write(fd, p, strlen(p)), (ssize_t)strlen(p));
    close(fd);
    assert_int_equal(main_args("--only", "revoke-*", "--profile", path, NULL),
                     CMC_CONFORM_EXIT_NONCONFORMANT);
    unlink(path);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_engine_embedded_whole_suite_passes),
        cmocka_unit_test(test_engine_fault_control_run_passes),
        cmocka_unit_test(test_engine_catches_accept_reason_2),
        cmocka_unit_test(test_engine_catches_skip_digest_check),
        cmocka_unit_test(test_engine_catches_skip_content_type_check),
        cmocka_unit_test(test_engine_catches_enroll_officer_can_revoke),
        cmocka_unit_test(test_engine_catches_drop_recipient_nonce),
        cmocka_unit_test(test_engine_catches_certs_only_without_chain),
        cmocka_unit_test(test_main_reports_and_replay),
        cmocka_unit_test(test_main_target_credentials_compile_and_never_leak),
        cmocka_unit_test(test_main_exit_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
