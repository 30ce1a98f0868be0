/* cmckit.c: `cmckit SUBCOMMAND [ARGS]`, one binary for every tool (DESIGN.md "tools/"). */
#include <stdio.h>
#include <string.h>

#include "cmckit.h"

typedef struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} subcommand;

static void usage(FILE *f, const subcommand *cmds, size_t n) {
    fprintf(f, "usage: cmckit SUBCOMMAND [ARGS]   (cmckit SUBCOMMAND --help for its options)\n\n");
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].summary);
    }
}

int main(int argc, char **argv) {
    const subcommand cmds[] = {
        {"conform", cmd_conform, "run the conformance suite (default: embedded reference server)"},
        {"serve", cmd_serve, "serve the reference CMC server over HTTP, TCP or files"},
        {"vectors", cmd_vectors, "create, generate, check and validate the test vectors"},
        {"req", cmd_req, "build (and optionally send) a CMC request"},
        {"resp", cmd_resp, "read and verify a CMC response"},
        {"dump", cmd_dump, "print any CMC message as a tree"},
        {"bench", cmd_bench, "measure the reference core against the crypto bound"},
    };
    const size_t n = sizeof(cmds) / sizeof(cmds[0]);
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout, cmds, n);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("cmckit %s\n", cmckit_version());
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(argv[1], cmds[i].name) == 0) {
            if (cmds[i].fn == NULL) {
                fprintf(stderr, "cmckit: '%s' is not part of this build yet\n", cmds[i].name);
                return 2;
            }
            return cmds[i].fn(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "cmckit: unknown subcommand '%s'\n", argv[1]);
    usage(stderr, cmds, n);
    return 2;
}
