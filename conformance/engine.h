/* engine.h: the conformance runner's engine. It loads the vector set, selects cases, and
 * for every case and step obtains the request (the committed bytes when the target trusts
 * the fixture officers, else compiled from the recipe with the target's own credentials, or
 * the bytes recorded by an earlier run for --replay), carries captured values into later
 * steps, sends it over the target's transport and runs the semantic checks. A simple
 * enrollment before and after the run is the sanity gate. */
#ifndef CMC_CONFORM_ENGINE_H
#define CMC_CONFORM_ENGINE_H

#include <stdio.h>

#include "cmc/server.h"
#include "profile.h"
#include "result.h"
#include "select.h"
#include "target.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Process exit codes of `cmckit conform` (README, issue "Running it"). */
typedef enum {
    CMC_CONFORM_EXIT_CONFORMANT = 0,
    CMC_CONFORM_EXIT_NONCONFORMANT = 1,
    CMC_CONFORM_EXIT_USAGE = 2,       /* bad command line or configuration */
    CMC_CONFORM_EXIT_UNREACHABLE = 3, /* target unreachable or the first sanity check failed */
    CMC_CONFORM_EXIT_INTERNAL = 4,
} cmc_conform_exit;

/* Makes the in-process server for an embedded run. The engine calls it once per case (each
 * case starts from a fresh store with the case's seed and the policy its "requires" list
 * names, as the vector generator does, so golden responses compare byte for byte) and frees
 * the result with cmc_server_free. The default is cmc_embedded_server_new (embedded.h);
 * tests pass their own to inject faults. */
typedef cmc_status (*cmc_conform_server_factory)(void *ctx, cmc_server **out,
                                                 const char *const *requires, size_t num_requires,
                                                 const uint8_t *seed, size_t seed_len);

typedef struct {
    const char *vectors_dir; /* the vector set (manifest.json, cases/) */
    const cmc_conform_target *target;
    const cmc_conform_profile *profile;
    const cmc_conform_selection *selection;
    const char *replay_dir;                    /* --replay: recorded requests; NULL otherwise */
    int no_sanity;                             /* 1: skip the sanity enrollments */
    FILE *progress;                            /* progress line (NULL: none) */
    int progress_tty;                          /* the progress stream is a terminal */
    cmc_conform_server_factory server_factory; /* NULL: the embedded default config */
    void *server_ctx;
} cmc_conform_engine_options;

/* cmc_conform_engine_run runs the suite. It returns the exit code: CONFORMANT or
 * NONCONFORMANT with |*out| holding the run; UNREACHABLE with |*out| holding what ran (the
 * failed sanity gate); USAGE or INTERNAL with a one-line reason in |err| (and |*out| NULL). */
cmc_conform_exit cmc_conform_engine_run(cmc_conform_run **out,
                                        const cmc_conform_engine_options *opt, char *err,
                                        size_t err_len);

/* cmc_conform_engine_list prints the selected cases (id, level, family, steps, title). */
cmc_conform_exit cmc_conform_engine_list(FILE *out, const char *vectors_dir,
                                         const cmc_conform_selection *sel, char *err,
                                         size_t err_len);

/* cmc_conform_main is `cmckit conform`: |default_vectors_dir| is used without --suite. */
int cmc_conform_main(int argc, char **argv, const char *default_vectors_dir);

#ifdef __cplusplus
}
#endif
#endif /* CMC_CONFORM_ENGINE_H */
