/* vectors_test.c: the committed vector set (vectors/) passes its own validator, every case
 * replays against the embedded reference server with its expected and golden answer, every
 * committed request is what its recipe compiles to, and every well-formed request and
 * response verifies or parses with the openssl command line, an implementation we did not
 * write (issue 5 "Independent checks"). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmc/msg.h"
#include "cmc/server.h"
#include "embedded.h"
#include "expect.h"
#include "fixtures.h"
#include "recipe.h"
#include "suite.h"

static cmc_suite *g_suite;
static char g_dir[1024];

static int setup(void **state) {
    (void)state;
    const char *src = getenv("CMC_SOURCE_DIR");
    snprintf(g_dir, sizeof(g_dir), "%s/vectors", src != NULL ? src : CMC_SOURCE_DIR);
    cmc_diag diag;
    cmc_diag_init(&diag);
    cmc_status s = cmc_suite_load(&g_suite, g_dir, &diag);
    for (size_t i = 0; i < diag.num_lines; i++) {
        print_message("%s\n", diag.lines[i]);
    }
    cmc_diag_cleanup(&diag);
    return s == CMC_OK ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    cmc_suite_free(g_suite);
    return 0;
}

static void test_vectors_cover_every_family_reason_and_stage(void **state) {
    (void)state;
    static const char *const kFamilies[] = {"content-type", "revocation", "verification",
                                            "structure",    "transport",  "transaction"};
    for (size_t f = 0; f < 6; f++) {
        size_t n = 0;
        for (size_t i = 0; i < g_suite->num_cases; i++) {
            n += strcmp(g_suite->cases[i].family, kFamilies[f]) == 0;
        }
        assert_true(n >= 4);
    }
    for (int r = 0; r <= 10; r++) {
        char tag[16];
        snprintf(tag, sizeof(tag), "reason-%d", r);
        size_t n = 0;
        for (size_t i = 0; i < g_suite->num_cases; i++) {
            n += cmc_case_has_tag(&g_suite->cases[i], tag);
        }
        assert_int_equal(n, 2); /* with and without the ignored optional fields */
    }
    static const char *const kMust[] = {"stage1-message-digest-mismatch",
                                        "stage2-econtent-type-not-pki-data",
                                        "stage2-content-type-attribute-missing",
                                        "stage2-content-type-attribute-differs",
                                        "stage3-signature-broken",
                                        "stage3-unsigned-enrollment",
                                        "stage3-signer-untrusted",
                                        "stage3-signer-expired",
                                        "stage3-signer-not-yet-valid",
                                        "stage3-signer-has-no-role",
                                        "stages-1-and-3-digest-and-untrusted-signer",
                                        "simple-pkcs10-p256-certs-only",
                                        "simple-pkcs10-certs-only-without-chain",
                                        "simple-pkcs10-pkix-cert",
                                        "full-tcr-ed25519",
                                        "full-crm-rsa2048",
                                        "full-several-requests",
                                        "revoke-unknown-serial",
                                        "revoke-wrong-issuer",
                                        "revoke-already-revoked",
                                        "revoke-two-requests",
                                        "revoke-role-missing"};
    for (size_t i = 0; i < sizeof(kMust) / sizeof(kMust[0]); i++) {
        if (cmc_suite_find(g_suite, kMust[i]) == NULL) {
            print_message("missing case %s\n", kMust[i]);
        }
        assert_non_null(cmc_suite_find(g_suite, kMust[i]));
    }
}

/* Replays one case: compile each step (must equal the committed bytes), send, compare. */
static void replay_case(const cmc_case *c, size_t *num_steps) {
    uint8_t seed[CMC_CASE_SEED_LEN];
    assert_int_equal(cmc_case_seed(seed, g_suite->seed, c->id), CMC_OK);
    assert_int_equal(cmc_rand_deterministic_begin(seed, sizeof(seed)), CMC_OK);
    cmc_server *srv = NULL;
    assert_int_equal(
        cmc_embedded_server_new(&srv, c->requires, c->num_requires, seed, sizeof(seed)), CMC_OK);
    json_t *captures = json_object();
    X509 *ca = NULL;
    assert_int_equal(cmc_fixture_cert(&ca, "ca.cert.pem"), CMC_OK);
    X509_STORE *trust = X509_STORE_new();
    assert_int_equal(X509_STORE_add_cert(trust, ca), 1);
    for (size_t i = 0; i < c->num_steps; i++) {
        const cmc_step *st = &c->steps[i];
        cmc_recipe_context ctx;
        memset(&ctx, 0, sizeof(ctx));
        ctx.captures = captures;
        ctx.signing_time = CMC_FIXTURE_CLOCK;
        uint8_t *body = NULL;
        size_t body_len = 0;
        char err[256] = "";
        cmc_status s = cmc_recipe_compile(&body, &body_len, st->recipe, &ctx, err, sizeof(err));
        if (s != CMC_OK) {
            print_message("%s/%s: recipe: %s\n", c->id, st->name, err);
        }
        assert_int_equal(s, CMC_OK);
        if (st->request != NULL) {
            if (body_len != st->request_len || memcmp(body, st->request, body_len) != 0) {
                print_message("%s/%s: recipe does not reproduce %s\n", c->id, st->name,
                              st->request_file);
            }
            assert_int_equal(body_len, st->request_len);
            assert_memory_equal(body, st->request, body_len);
        }
        if (!st->has_golden) {
            assert_string_not_equal(st->method, "POST");
            cmc_free(body);
            continue;
        }
        cmc_http_request hr = {body, body_len, st->media_type, st->accept};
        cmc_http_response resp;
        memset(&resp, 0, sizeof(resp));
        assert_int_equal(cmc_server_handle(srv, &hr, &resp), CMC_OK);
        if (resp.body_len != st->golden_len || memcmp(resp.body, st->golden, st->golden_len) != 0) {
            print_message("%s/%s: answer differs from %s\n", c->id, st->name, st->golden_file);
        }
        assert_int_equal(resp.http_status, st->golden_http_status);
        assert_string_equal(resp.media_type, st->golden_media_type);
        assert_int_equal(resp.body_len, st->golden_len);
        assert_memory_equal(resp.body, st->golden, st->golden_len);
        cmc_expectation e;
        cmc_expectation_of_step(&e, st);
        cmc_verify_options vopt;
        memset(&vopt, 0, sizeof(vopt));
        vopt.trust = trust;
        vopt.verify_time = CMC_FIXTURE_CLOCK;
        vopt.required_eku = CMC_OID_KP_CMC_CA;
        cmc_answer a = {resp.http_status, resp.media_type, resp.body, resp.body_len};
        char why[256] = "";
        int match = cmc_expect_check(&e, &a, &vopt, NULL, why, sizeof(why));
        if (match != 0) {
            print_message("%s/%s: %s\n", c->id, st->name, why);
        }
        assert_int_equal(match, 0);
        const char *name;
        json_t *value;
        json_object_foreach((json_t *)st->golden_captured, name, value) {
            json_object_set(captures, name, value);
        }
        cmc_http_response_cleanup(&resp);
        cmc_free(body);
        (*num_steps)++;
    }
    X509_STORE_free(trust);
    X509_free(ca);
    json_decref(captures);
    cmc_server_free(srv);
    cmc_rand_deterministic_end();
}

static void test_vectors_replay_against_embedded_server(void **state) {
    (void)state;
    size_t steps = 0;
    for (size_t i = 0; i < g_suite->num_cases; i++) {
        if (g_suite->cases[i].disabled_reason == NULL) {
            replay_case(&g_suite->cases[i], &steps);
        }
    }
    assert_true(steps > g_suite->num_cases);
}

/* ---------------------------------------------------------------- openssl command line */

static int run(const char *cmd) {
    char full[4096 + 32];
    snprintf(full, sizeof(full), "%s >/dev/null 2>&1", cmd);
    int rc = system(full);
    if (rc != 0) {
        print_message("openssl check failed: %s\n", cmd);
    }
    return rc;
}

/* A request is well formed when nothing in its recipe breaks it on purpose. */
static int recipe_well_formed(const json_t *recipe) {
    const char *type = json_string_value(json_object_get(recipe, "type"));
    if (strcmp(type, "raw") == 0 || json_object_get(recipe, "mutations") != NULL ||
        json_object_get(recipe, "cms") != NULL || json_is_string(json_object_get(recipe, "pop"))) {
        return 0;
    }
    size_t i;
    const json_t *r;
    json_array_foreach(json_object_get(recipe, "requests"), i, r) {
        if (json_is_string(json_object_get(r, "pop"))) {
            return 0;
        }
    }
    return 1;
}

static const char *signer_fixture(const json_t *recipe) {
    return json_string_value(json_object_get(json_object_get(recipe, "signer"), "fixture"));
}

static void test_vectors_verify_with_openssl_cli(void **state) {
    (void)state;
    char cmd[4096];
    char ca[1100];
    snprintf(ca, sizeof(ca), "%s/pki/ca.cert.pem", g_dir);
    assert_int_equal(run("openssl version"), 0);
    size_t checked = 0;
    for (size_t i = 0; i < g_suite->num_cases; i++) {
        const cmc_case *c = &g_suite->cases[i];
        for (size_t k = 0; k < c->num_steps; k++) {
            const cmc_step *st = &c->steps[k];
            char req[1200];
            snprintf(req, sizeof(req), "%s/cases/%s", g_dir,
                     st->request_file != NULL ? st->request_file : "");
            const char *type = json_string_value(json_object_get(st->recipe, "type"));
            if (st->request_file != NULL && recipe_well_formed(st->recipe)) {
                if (strcmp(type, "pkcs10") == 0) {
                    snprintf(cmd, sizeof(cmd), "openssl req -inform DER -in '%s' -verify -noout",
                             req);
                } else {
                    const char *signer = signer_fixture(st->recipe);
                    if (signer == NULL || strcmp(signer, "officer-both-ed25519") == 0) {
                        /* Unsigned, or Ed25519 CMS which the OpenSSL 3.0 CLI cannot verify
                         * (spec/CMC.md §13 item 21): structure only. */
                        snprintf(cmd, sizeof(cmd), "openssl asn1parse -inform DER -in '%s'", req);
                    } else {
                        int trusted = strcmp(signer, "officer-untrusted") != 0 &&
                                      strcmp(signer, "officer-expired") != 0 &&
                                      strcmp(signer, "officer-notyet") != 0;
                        snprintf(cmd, sizeof(cmd),
                                 "openssl cms -verify -inform DER -in '%s' %s%s -purpose any "
                                 "-attime %d -out /dev/null",
                                 req, trusted ? "-CAfile " : "-noverify", trusted ? ca : "",
                                 CMC_FIXTURE_CLOCK);
                    }
                }
                assert_int_equal(run(cmd), 0);
                checked++;
            }
            if (!st->has_golden) {
                continue;
            }
            char resp[1200];
            snprintf(resp, sizeof(resp), "%s/cases/%s", g_dir, st->golden_file);
            switch (cmc_expect_classify(st->golden_media_type, st->golden_len)) {
            case CMC_EXPECT_MEDIA_CMC_RESPONSE:
                snprintf(cmd, sizeof(cmd),
                         "openssl cms -verify -inform DER -in '%s' -CAfile '%s' -purpose any "
                         "-attime %d -out /dev/null",
                         resp, ca, CMC_FIXTURE_CLOCK);
                break;
            case CMC_EXPECT_MEDIA_CERTS_ONLY:
                snprintf(cmd, sizeof(cmd), "openssl pkcs7 -inform DER -in '%s' -print_certs -noout",
                         resp);
                break;
            case CMC_EXPECT_MEDIA_PKIX_CERT:
                snprintf(cmd, sizeof(cmd), "openssl x509 -inform DER -in '%s' -noout", resp);
                break;
            default:
                continue; /* text reasons */
            }
            assert_int_equal(run(cmd), 0);
            checked++;
        }
    }
    assert_true(checked > g_suite->num_cases);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors_cover_every_family_reason_and_stage),
        cmocka_unit_test(test_vectors_replay_against_embedded_server),
        cmocka_unit_test(test_vectors_verify_with_openssl_cli),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
