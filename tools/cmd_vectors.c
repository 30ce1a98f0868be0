/* cmd_vectors.c: `cmckit vectors pki|generate|check|validate` (issue 5, DESIGN.md "Vectors"). */
#include <stdio.h>
#include <string.h>

#include "cmckit.h"
#include "suite.h"
#include "vectors.h"

static void vectors_usage(FILE *f) {
    fprintf(f, "usage: cmckit vectors pki [--out DIR] [--force]\n"
               "  pki       create the fixture PKI (default DIR: vectors/pki); TEST-ONLY keys.\n"
               "            Refuses to overwrite an existing PKI unless --force.\n"
               "       cmckit vectors validate [--dir DIR]\n"
               "  validate  check the vector set in DIR (default: vectors) against\n"
               "            DIR/schema/<name>.schema.json and the rules of vectors/README.md.\n"
               "       cmckit vectors generate [--out DIR] [--schema DIR] [--only ID]\n"
               "  generate  write DIR/manifest.json and DIR/cases (default DIR: vectors) from the\n"
               "            case definitions, with the embedded reference server, the fixed clock\n"
               "            2026-07-01T00:00:00Z and the fixed seed (byte-identical every run).\n"
               "       cmckit vectors check [--dir DIR]\n"
               "  check     regenerate into a temporary folder; fail on any byte difference.\n");
}

static int vectors_pki_main(int argc, char **argv) {
    const char *out = "vectors/pki";
    int force = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
            out = argv[++i];
        } else if (strcmp(argv[i], "--force") == 0) {
            force = 1;
        } else {
            vectors_usage(stderr);
            return 2;
        }
    }
    return cmckit_vectors_pki(out, force);
}

/* cmckit_vectors_validate loads |dir| and prints every problem; returns an exit code. */
int cmckit_vectors_validate(const char *dir, int quiet) {
    cmc_diag diag;
    cmc_diag_init(&diag);
    cmc_suite *suite = NULL;
    cmc_status st = cmc_suite_load(&suite, dir, &diag);
    for (size_t i = 0; i < diag.num_lines; i++) {
        fprintf(stderr, "%s\n", diag.lines[i]);
    }
    int rc = 0;
    if (st != CMC_OK) {
        fprintf(stderr, "cmckit vectors validate: %s: %zu problem(s) (%s)\n", dir, diag.num_lines,
                cmc_status_str(st));
        rc = 1;
    } else if (!quiet) {
        size_t steps = 0;
        for (size_t i = 0; i < suite->num_cases; i++) {
            steps += suite->cases[i].num_steps;
        }
        printf("%s: %zu cases, %zu steps: valid\n", dir, suite->num_cases, steps);
    }
    cmc_suite_free(suite);
    cmc_diag_cleanup(&diag);
    return rc;
}

/* vectors_dir_arg reads the only option of validate and check, "--dir DIR" (default
 * "vectors"); 0 on success, else the usage exit status 2. */
static int vectors_dir_arg(int argc, char **argv, const char **out_dir) {
    *out_dir = "vectors";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
            *out_dir = argv[++i];
        } else {
            vectors_usage(stderr);
            return 2;
        }
    }
    return 0;
}

static int vectors_validate_main(int argc, char **argv) {
    const char *dir = NULL;
    int rc = vectors_dir_arg(argc, argv, &dir);
    return rc != 0 ? rc : cmckit_vectors_validate(dir, 0);
}

static int vectors_generate_main(int argc, char **argv) {
    const char *out = "vectors";
    const char *schema = NULL;
    const char *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
            out = argv[++i];
        } else if (strcmp(argv[i], "--schema") == 0 && i + 1 < argc) {
            schema = argv[++i];
        } else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
            only = argv[++i];
        } else {
            vectors_usage(stderr);
            return 2;
        }
    }
    char schema_dir[4096];
    if (schema == NULL) {
        snprintf(schema_dir, sizeof(schema_dir), "%s/schema", out);
        schema = schema_dir;
    }
    return cmckit_vectors_generate(out, schema, only, 0);
}

static int vectors_check_main(int argc, char **argv) {
    const char *dir = NULL;
    int rc = vectors_dir_arg(argc, argv, &dir);
    return rc != 0 ? rc : cmckit_vectors_check(dir);
}

int cmd_vectors(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        vectors_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "pki") == 0) {
        return vectors_pki_main(argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "generate") == 0) {
        return vectors_generate_main(argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "check") == 0) {
        return vectors_check_main(argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "validate") == 0) {
        return vectors_validate_main(argc - 1, argv + 1);
    }
    fprintf(stderr, "cmckit vectors: unknown command '%s'\n", argv[1]);
    vectors_usage(stderr);
    return 2;
}
