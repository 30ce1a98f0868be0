/* suite_test.c: the vector set loader and validator (conformance/suite.h, jschema.h). Each
 * test writes a small vector set into a temporary folder (schemas linked from the source
 * tree), breaks one rule, and asserts the exact status and the diagnostic naming it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jschema.h"
#include "suite.h"

typedef struct {
    char dir[256];
} tmpset;

static void write_file(const char *dir, const char *rel, const void *data, size_t len) {
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static void write_json(const char *dir, const char *rel, json_t *j) {
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
    assert_non_null(text);
    write_file(dir, rel, text, strlen(text));
    free(text);
    json_decref(j);
}

/* A valid one-step case: enroll with a PKCS#10 from ee-p256. */
static json_t *valid_case(const char *id) {
    char file[128];
    char golden[128];
    snprintf(file, sizeof(file), "data/%s/1-request.p10", id);
    snprintf(golden, sizeof(golden), "data/%s/1-response.p7c", id);
    return json_pack("{s:i, s:s, s:s, s:s, s:s, s:[s,s], s:[{s:s, s:s}, {s:s}],"
                     " s:[{s:s, s:{s:s, s:s, s:{s:s, s:s, s:s}},"
                     "     s:{s:[{s:i, s:s, s:i, s:b}, {s:i, s:s}], s:{s:s}},"
                     "     s:{s:s, s:i, s:s}}]}",
                     "format", 1, "id", id, "title", "simple enrollment", "family", "content-type",
                     "level", "MUST", "tags", "enroll", "pkcs10", "refs", "doc", "RFC5272",
                     "section", "3.1", "doc", "RFC10002", "steps", "name", "enroll", "request",
                     "file", file, "media_type", "application/pkcs10", "recipe", "type", "pkcs10",
                     "key", "ee-p256", "subject", "/CN=x", "expect", "outcomes", "http_status", 200,
                     "media_type", "certs-only", "issued", 1, "chain", 1, "http_status", 200,
                     "media_type", "pkix-cert", "capture", "issued_serial", "issued.serial",
                     "golden", "file", golden, "http_status", 200, "media_type",
                     "application/pkcs7-mime; smime-type=certs-only");
}

static json_t *manifest_for(const char *const *ids, size_t n) {
    json_t *cases = json_array();
    for (size_t i = 0; i < n; i++) {
        char file[128];
        snprintf(file, sizeof(file), "cases/%s.json", ids[i]);
        json_array_append_new(cases, json_pack("{s:s, s:s, s:s, s:s, s:[s,s], s:i}", "id", ids[i],
                                               "file", file, "family", "content-type", "level",
                                               "MUST", "tags", "enroll", "pkcs10", "steps", 1));
    }
    return json_pack("{s:i, s:s, s:s, s:s, s:s, s:o}", "format", 1, "generator", "test", "clock",
                     "2026-07-01T00:00:00Z", "seed", "00ff", "fixtures", "pki", "cases", cases);
}

static void make_set(tmpset *t, const char *const *ids, size_t n) {
    /* cppcheck-suppress ctuuninitvar ; snprintf only writes t->dir (callers pass a fresh tmpset) */
    snprintf(t->dir, sizeof(t->dir), "%s/cmckit-suite-XXXXXX",
             getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(t->dir));
    char path[512];
    snprintf(path, sizeof(path), "%s/cases", t->dir);
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(path, sizeof(path), "%s/cases/data", t->dir);
    assert_int_equal(mkdir(path, 0755), 0);
    char schema[512];
    snprintf(schema, sizeof(schema), "%s/vectors/schema", CMC_SOURCE_DIR);
    snprintf(path, sizeof(path), "%s/schema", t->dir);
    assert_int_equal(symlink(schema, path), 0);
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s/cases/data/%s", t->dir, ids[i]);
        assert_int_equal(mkdir(path, 0755), 0);
        char rel[256];
        snprintf(rel, sizeof(rel), "cases/data/%s/1-request.p10", ids[i]);
        write_file(t->dir, rel, "\x30\x00", 2);
        snprintf(rel, sizeof(rel), "cases/data/%s/1-response.p7c", ids[i]);
        write_file(t->dir, rel, "\x30\x03\x02\x01\x00", 5);
        snprintf(rel, sizeof(rel), "cases/%s.json", ids[i]);
        write_json(t->dir, rel, valid_case(ids[i]));
    }
    write_json(t->dir, "manifest.json", manifest_for(ids, n));
}

static void remove_set(tmpset *t) {
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
    assert_int_equal(system(cmd), 0);
}

/* Loads |t| expecting failure, and asserts some diagnostic line contains |needle|. */
static void assert_load_fails_with(tmpset *t, const char *needle) {
    cmc_diag diag;
    cmc_diag_init(&diag);
    cmc_suite *s = NULL;
    assert_int_equal(cmc_suite_load(&s, t->dir, &diag), CMC_E_CONFIG);
    assert_null(s);
    int found = 0;
    for (size_t i = 0; i < diag.num_lines; i++) {
        found |= strstr(diag.lines[i], needle) != NULL;
    }
    if (!found) {
        for (size_t i = 0; i < diag.num_lines; i++) {
            print_message("diag: %s\n", diag.lines[i]);
        }
    }
    assert_true(found);
    cmc_diag_cleanup(&diag);
}

static void rewrite_case(tmpset *t, const char *id, json_t *c) {
    char rel[256];
    snprintf(rel, sizeof(rel), "cases/%s.json", id);
    write_json(t->dir, rel, c);
}

static json_t *step0(json_t *c) {
    return json_array_get(json_object_get(c, "steps"), 0);
}

static void test_suite_load_accepts_valid_set(void **state) {
    (void)state;
    const char *ids[] = {"simple-enroll", "simple-enroll-two"};
    tmpset t;
    make_set(&t, ids, 2);
    cmc_diag diag;
    cmc_diag_init(&diag);
    cmc_suite *s = NULL;
    assert_int_equal(cmc_suite_load(&s, t.dir, &diag), CMC_OK);
    assert_int_equal(diag.num_lines, 0);
    assert_int_equal(s->num_cases, 2);
    const cmc_case *c = cmc_suite_find(s, "simple-enroll-two");
    assert_non_null(c);
    assert_null(cmc_suite_find(s, "nope"));
    assert_string_equal(c->family, "content-type");
    assert_true(cmc_case_has_tag(c, "pkcs10"));
    assert_false(cmc_case_has_tag(c, "revoke"));
    assert_int_equal(c->num_refs, 2);
    assert_string_equal(c->refs[0].section, "3.1");
    assert_null(c->refs[1].section);
    assert_int_equal(c->num_steps, 1);
    const cmc_step *st = &c->steps[0];
    assert_string_equal(st->method, "POST");
    assert_string_equal(st->media_type, "application/pkcs10");
    assert_null(st->accept);
    assert_int_equal(st->request_len, 2);
    assert_memory_equal(st->request, "\x30\x00", 2);
    assert_int_equal(st->num_outcomes, 2);
    assert_int_equal(st->outcomes[0].media, CMC_EXPECT_MEDIA_CERTS_ONLY);
    assert_int_equal(st->outcomes[0].issued, 1);
    assert_int_equal(st->outcomes[0].chain, 1);
    assert_int_equal(st->outcomes[0].cmc_status, -1);
    assert_int_equal(st->outcomes[1].media, CMC_EXPECT_MEDIA_PKIX_CERT);
    assert_int_equal(st->outcomes[1].chain, -1);
    assert_int_equal(st->num_captures, 1);
    assert_string_equal(st->captures[0].name, "issued_serial");
    assert_int_equal(st->captures[0].source, CMC_CAPTURE_ISSUED_SERIAL);
    assert_true(st->has_golden);
    assert_int_equal(st->golden_len, 5);
    assert_string_equal(json_string_value(json_object_get(st->recipe, "key")), "ee-p256");
    cmc_suite_free(s);
    cmc_diag_cleanup(&diag);
    remove_set(&t);
}

static void test_suite_load_rejects_unknown_key(void **state) {
    (void)state;
    const char *ids[] = {"a-case"};
    tmpset t;
    make_set(&t, ids, 1);
    json_t *c = valid_case("a-case");
    json_object_set_new(json_object_get(step0(c), "expect"), "colour", json_string("red"));
    rewrite_case(&t, "a-case", c);
    assert_load_fails_with(&t, "/steps/0/expect: unknown key 'colour'");
    remove_set(&t);
}

static void test_suite_load_rejects_missing_file(void **state) {
    (void)state;
    const char *ids[] = {"a-case"};
    tmpset t;
    make_set(&t, ids, 1);
    char path[512];
    snprintf(path, sizeof(path), "%s/cases/data/a-case/1-response.p7c", t.dir);
    assert_int_equal(unlink(path), 0);
    assert_load_fails_with(&t, "missing file data/a-case/1-response.p7c");
    remove_set(&t);
}

static void test_suite_load_rejects_duplicate_id(void **state) {
    (void)state;
    const char *ids[] = {"a-case"};
    const char *twice[] = {"a-case", "a-case"};
    tmpset t;
    make_set(&t, ids, 1);
    write_json(t.dir, "manifest.json", manifest_for(twice, 2));
    assert_load_fails_with(&t, "duplicate case id 'a-case'");
    remove_set(&t);
}

static void test_suite_load_rejects_unknown_fixture(void **state) {
    (void)state;
    const char *ids[] = {"a-case"};
    tmpset t;
    make_set(&t, ids, 1);
    json_t *c = valid_case("a-case");
    json_object_set_new(json_object_get(json_object_get(step0(c), "request"), "recipe"), "key",
                        json_string("ee-rsa1024"));
    rewrite_case(&t, "a-case", c);
    assert_load_fails_with(&t, "key 'ee-rsa1024' is not in the fixture PKI");
    remove_set(&t);
}

static void test_suite_load_rejects_unlisted_case(void **state) {
    (void)state;
    const char *ids[] = {"a-case"};
    tmpset t;
    make_set(&t, ids, 1);
    rewrite_case(&t, "stray-case", valid_case("stray-case"));
    assert_load_fails_with(&t, "cases/stray-case.json: not listed in manifest.json");
    remove_set(&t);
}

static void test_suite_load_rejects_id_not_file_name(void **state) {
    (void)state;
    const char *ids[] = {"a-case"};
    tmpset t;
    make_set(&t, ids, 1);
    json_t *c = valid_case("a-case");
    json_object_set_new(c, "id", json_string("other-case"));
    rewrite_case(&t, "a-case", c);
    /* The data files are in data/a-case/, so the id mismatch is reported first. */
    assert_load_fails_with(&t, "id 'other-case' differs from the file name");
    remove_set(&t);
}

static void test_suite_load_rejects_uncaptured_reference(void **state) {
    (void)state;
    const char *ids[] = {"a-case"};
    tmpset t;
    make_set(&t, ids, 1);
    json_t *c = valid_case("a-case");
    json_object_set_new(json_object_get(json_object_get(step0(c), "request"), "recipe"), "subject",
                        json_string("$issued_subject"));
    rewrite_case(&t, "a-case", c);
    assert_load_fails_with(&t, "'$issued_subject' is not captured by an earlier step");
    remove_set(&t);
}

static void test_suite_load_rejects_missing_new_rfc_ref(void **state) {
    (void)state;
    const char *ids[] = {"a-case"};
    tmpset t;
    make_set(&t, ids, 1);
    json_t *c = valid_case("a-case");
    json_object_set_new(json_array_get(json_object_get(c, "refs"), 1), "doc",
                        json_string("RFC5652"));
    rewrite_case(&t, "a-case", c);
    assert_load_fails_with(&t, "needs an RFC 5272-series and an RFC 10002/10003/10004");
    remove_set(&t);
}

static void test_suite_load_rejects_fail_info_without_failed(void **state) {
    (void)state;
    const char *ids[] = {"a-case"};
    tmpset t;
    make_set(&t, ids, 1);
    json_t *c = valid_case("a-case");
    json_t *o = json_array_get(json_object_get(json_object_get(step0(c), "expect"), "outcomes"), 0);
    json_object_set_new(o, "fail_info", json_pack("[s]", "badRequest"));
    rewrite_case(&t, "a-case", c);
    assert_load_fails_with(&t, "fail_info only with cmc_status failed");
    remove_set(&t);
}

static void test_suite_load_rejects_manifest_mismatch(void **state) {
    (void)state;
    const char *ids[] = {"a-case"};
    tmpset t;
    make_set(&t, ids, 1);
    json_t *c = valid_case("a-case");
    json_object_set_new(c, "level", json_string("SHOULD"));
    rewrite_case(&t, "a-case", c);
    assert_load_fails_with(&t, "manifest 'level' differs from the case");
    remove_set(&t);
}

static size_t count_errors(const char *schema_text, const char *doc_text) {
    json_t *schema = json_loads(schema_text, 0, NULL);
    json_t *doc = json_loads(doc_text, JSON_DECODE_ANY, NULL);
    assert_non_null(schema);
    assert_non_null(doc);
    size_t n = cmc_jschema_validate(schema, doc, NULL, NULL);
    json_decref(schema);
    json_decref(doc);
    return n;
}

static void test_jschema_validate_keywords(void **state) {
    (void)state;
    assert_int_equal(count_errors("{\"type\": \"integer\"}", "3"), 0);
    assert_int_equal(count_errors("{\"type\": \"integer\"}", "\"3\""), 1);
    assert_int_equal(count_errors("{\"type\": [\"string\", \"null\"]}", "null"), 0);
    assert_int_equal(count_errors("{\"pattern\": \"^[a-z]+$\"}", "\"abc\""), 0);
    assert_int_equal(count_errors("{\"pattern\": \"^[a-z]+$\"}", "\"aBc\""), 1);
    assert_int_equal(count_errors("{\"enum\": [1, \"x\"]}", "\"x\""), 0);
    assert_int_equal(count_errors("{\"enum\": [1, \"x\"]}", "2"), 1);
    assert_int_equal(count_errors("{\"minimum\": 1, \"maximum\": 3}", "4"), 1);
    assert_int_equal(count_errors("{\"minItems\": 2, \"uniqueItems\": true}", "[1, 1]"), 1);
    assert_int_equal(count_errors("{\"required\": [\"a\"], \"additionalProperties\": false,"
                                  " \"properties\": {\"a\": {}}}",
                                  "{\"b\": 1}"),
                     2);
    assert_int_equal(
        count_errors("{\"$defs\": {\"n\": {\"type\": \"null\"}},"
                     " \"oneOf\": [{\"$ref\": \"#/$defs/n\"}, {\"type\": \"object\"}]}",
                     "{}"),
        0);
    assert_int_equal(count_errors("{\"oneOf\": [{}, {}]}", "1"), 1);
    /* An unsupported keyword is an error, never silently skipped. */
    assert_int_equal(count_errors("{\"anyOf\": [{}]}", "1"), 1);
    assert_int_equal(count_errors("{\"$ref\": \"#/$defs/missing\"}", "1"), 1);
}

static void test_jschema_validate_bounds_depth(void **state) {
    (void)state;
    /* A schema that refers to itself forever must stop at the depth limit. */
    assert_true(count_errors("{\"$defs\": {\"x\": {\"$ref\": \"#/$defs/x\"}},"
                             " \"$ref\": \"#/$defs/x\"}",
                             "1") >= 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_suite_load_accepts_valid_set),
        cmocka_unit_test(test_suite_load_rejects_unknown_key),
        cmocka_unit_test(test_suite_load_rejects_missing_file),
        cmocka_unit_test(test_suite_load_rejects_duplicate_id),
        cmocka_unit_test(test_suite_load_rejects_unknown_fixture),
        cmocka_unit_test(test_suite_load_rejects_unlisted_case),
        cmocka_unit_test(test_suite_load_rejects_id_not_file_name),
        cmocka_unit_test(test_suite_load_rejects_uncaptured_reference),
        cmocka_unit_test(test_suite_load_rejects_missing_new_rfc_ref),
        cmocka_unit_test(test_suite_load_rejects_fail_info_without_failed),
        cmocka_unit_test(test_suite_load_rejects_manifest_mismatch),
        cmocka_unit_test(test_jschema_validate_keywords),
        cmocka_unit_test(test_jschema_validate_bounds_depth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
