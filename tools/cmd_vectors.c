/* cmd_vectors.c: `cmckit vectors pki|generate|check|validate` (issue 5, DESIGN.md "Vectors"). */
#include <stdio.h>
#include <string.h>

#include "cmckit.h"
#include "vectors.h"

static void vectors_usage(FILE *f) {
    fprintf(f, "usage: cmckit vectors pki [--out DIR] [--force]\n"
               "  pki       create the fixture PKI (default DIR: vectors/pki); TEST-ONLY keys.\n"
               "            Refuses to overwrite an existing PKI unless --force.\n");
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

int cmd_vectors(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        vectors_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "pki") == 0) {
        return vectors_pki_main(argc - 1, argv + 1);
    }
    fprintf(stderr, "cmckit vectors: unknown command '%s'\n", argv[1]);
    vectors_usage(stderr);
    return 2;
}
