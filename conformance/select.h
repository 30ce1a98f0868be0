/* select.h: which cases a run includes: `--only GLOB`, `--skip GLOB`, `--tag T`,
 * `--level must|should|all` (each option may be given several times; a case is selected when
 * it matches any --only (or there is none), no --skip, any --tag (or there is none), and the
 * level). */
#ifndef CMC_CONFORM_SELECT_H
#define CMC_CONFORM_SELECT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Most --only/--skip/--tag options one command line may give (bounds the arrays). */
#define CMC_CONFORM_MAX_PATTERNS 64

typedef enum {
    CMC_LEVEL_MUST = 0,   /* MUST cases only */
    CMC_LEVEL_SHOULD = 1, /* MUST and SHOULD */
    CMC_LEVEL_ALL = 2,    /* MUST, SHOULD and MAY */
} cmc_conform_level;

typedef struct {
    const char *only[CMC_CONFORM_MAX_PATTERNS];
    size_t num_only;
    const char *skip[CMC_CONFORM_MAX_PATTERNS];
    size_t num_skip;
    const char *tags[CMC_CONFORM_MAX_PATTERNS];
    size_t num_tags;
    cmc_conform_level level;
} cmc_conform_selection;

/* cmc_conform_level_parse: "must", "should", "all" (case-insensitive); -1 otherwise. */
int cmc_conform_level_parse(const char *s, cmc_conform_level *out);

/* cmc_conform_selected returns 1 if the case is selected; else 0 with a reason in |why|. */
int cmc_conform_selected(const cmc_conform_selection *sel, const char *id, const char *level,
                         const char *const *tags, size_t num_tags, char *why, size_t why_len);

#ifdef __cplusplus
}
#endif
#endif /* CMC_CONFORM_SELECT_H */
