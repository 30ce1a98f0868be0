/* tools_resp_vectors_test.c: `cmckit resp` on every golden response of the vector set
 * (vectors/cases/<id>.json) reports what the case expects of the reference server (its first
 * outcome): exit code 0 for success and 1 otherwise, one of the allowed failInfo names, the
 * body list, the statusString fragment and the number of issued certificates. Non-200
 * goldens (text answers) are not CMC responses: resp must call them unreadable (exit 2). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <jansson.h>

#include "tools_test_util.h"

static tt_result R;

static int group_setup(void **state) {
    (void)state;
    return tt_tmp_setup();
}

static int group_teardown(void **state) {
    (void)state;
    tt_tmp_teardown();
    return 0;
}

static int count_issued_lines(const char *out) {
    int n = 0;
    for (const char *p = out; (p = strstr(p, "certificate: subject ")) != NULL; p++) {
        const char *eol = strchr(p, '\n');
        const char *mark = strstr(p, " [CA or signer]");
        if (mark == NULL || (eol != NULL && mark > eol)) {
            n++;
        }
    }
    return n;
}

/* check_step runs resp on one golden response and compares with the reference outcome.
 * Returns the number of mismatches (each printed). */
static int check_step(const char *cases_dir, const char *id, json_t *step) {
    json_t *golden = json_object_get(step, "golden");
    json_t *outcome =
        json_array_get(json_object_get(json_object_get(step, "expect"), "outcomes"), 0);
    if (golden == NULL || outcome == NULL) {
        return 0;
    }
    char path[2048];
    const char *file = json_string_value(json_object_get(golden, "file"));
    assert_non_null(file);
    assert_true((size_t)snprintf(path, sizeof(path), "%s/%s", cases_dir, file) < sizeof(path));
    const char *media = json_string_value(json_object_get(golden, "media_type"));
    long http = (long)json_integer_value(json_object_get(golden, "http_status"));
    int errors = 0;
    if (http != 200) {
        TT_RUN(&R, "resp", path, "--media-type", media != NULL ? media : "text/plain");
        if (R.exit_code != 2 || tt_lines(R.err) != 1) {
            fprintf(stderr, "%s: HTTP %ld golden: resp exit %d (want 2), stderr %s\n", id, http,
                    R.exit_code, R.err);
            errors++;
        }
        return errors;
    }
    TT_RUN(&R, "resp", path, "--media-type", media, "--ca", tt_pki("ca.cert.pem"), "--at",
           "20260701000000Z");
    const char *status = json_string_value(json_object_get(outcome, "cmc_status"));
    int want_exit = (status == NULL || strcmp(status, "success") == 0) ? 0 : 1;
    if (R.exit_code != want_exit) {
        fprintf(stderr, "%s: resp exit %d, want %d\n%s%s", id, R.exit_code, want_exit, R.out,
                R.err);
        errors++;
    }
    /* fail_info lists the allowed values (reference answer first): resp must name one. */
    json_t *fis = json_object_get(outcome, "fail_info");
    if (json_array_size(fis) > 0) {
        int found = 0;
        for (size_t i = 0; i < json_array_size(fis); i++) {
            char want[96];
            snprintf(want, sizeof(want), "failInfo %s (",
                     json_string_value(json_array_get(fis, i)));
            if (strstr(R.out, want) != NULL) {
                found = 1;
                if (i != 0) {
                    fprintf(stderr,
                            "note: %s: golden failInfo is allowed value %zu, not the "
                            "first (reference) one\n",
                            id, i);
                }
                break;
            }
        }
        if (!found) {
            fprintf(stderr, "%s: no allowed failInfo in\n%s", id, R.out);
            errors++;
        }
    }
    json_t *bl = json_object_get(outcome, "body_list");
    if (json_array_size(bl) > 0) {
        char want[256];
        size_t used = (size_t)snprintf(want, sizeof(want), "bodyList {");
        for (size_t i = 0; i < json_array_size(bl) && used < sizeof(want); i++) {
            used += (size_t)snprintf(want + used, sizeof(want) - used, "%s%lld", i ? ", " : "",
                                     (long long)json_integer_value(json_array_get(bl, i)));
        }
        snprintf(want + used, sizeof(want) - used, "} %s", status != NULL ? status : "");
        if (strstr(R.out, want) == NULL) {
            fprintf(stderr, "%s: no '%s' in\n%s", id, want, R.out);
            errors++;
        }
    }
    const char *ss = json_string_value(json_object_get(outcome, "status_string_contains"));
    if (ss != NULL && strstr(R.out, ss) == NULL) {
        fprintf(stderr, "%s: statusString lacks '%s'\n%s", id, ss, R.out);
        errors++;
    }
    json_t *issued = json_object_get(outcome, "issued");
    if (issued != NULL && count_issued_lines(R.out) != (int)json_integer_value(issued)) {
        fprintf(stderr, "%s: %d issued certificates listed, want %lld\n%s", id,
                count_issued_lines(R.out), (long long)json_integer_value(issued), R.out);
        errors++;
    }
    if (strstr(R.out, "signature: NOT VALID") != NULL) {
        fprintf(stderr, "%s: golden response signature does not verify\n%s", id, R.out);
        errors++;
    }
    return errors;
}

static void test_resp_matches_every_vector_golden_response(void **state) {
    (void)state;
    char cases_dir[1024];
    snprintf(cases_dir, sizeof(cases_dir), "%s/vectors/cases", tt_source_dir());
    DIR *d = opendir(cases_dir);
    assert_non_null(d);
    struct dirent *e;
    int checked = 0, errors = 0;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0) {
            continue;
        }
        char path[2048];
        snprintf(path, sizeof(path), "%s/%s", cases_dir, e->d_name);
        json_error_t jerr;
        json_t *c = json_load_file(path, 0, &jerr);
        assert_non_null(c);
        if (json_object_get(c, "disabled") == NULL) {
            json_t *steps = json_object_get(c, "steps");
            for (size_t i = 0; i < json_array_size(steps); i++) {
                json_t *step = json_array_get(steps, i);
                if (json_object_get(step, "golden") != NULL) {
                    errors +=
                        check_step(cases_dir, json_string_value(json_object_get(c, "id")), step);
                    checked++;
                }
            }
        }
        json_decref(c);
    }
    closedir(d);
    fprintf(stderr, "checked %d golden responses\n", checked);
    assert_true(checked > 0);
    assert_int_equal(errors, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resp_matches_every_vector_golden_response),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
