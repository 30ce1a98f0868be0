/* select.c: case selection by id glob, tag and level. */
#include "select.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int cmc_conform_level_parse(const char *s, cmc_conform_level *out) {
    if (strcasecmp(s, "must") == 0) {
        *out = CMC_LEVEL_MUST;
    } else if (strcasecmp(s, "should") == 0) {
        *out = CMC_LEVEL_SHOULD;
    } else if (strcasecmp(s, "all") == 0) {
        *out = CMC_LEVEL_ALL;
    } else {
        return -1;
    }
    return 0;
}

static int level_rank(const char *level) {
    if (level == NULL) {
        return 2;
    }
    if (strcasecmp(level, "MUST") == 0) {
        return 0;
    }
    if (strcasecmp(level, "SHOULD") == 0) {
        return 1;
    }
    return 2;
}

int cmc_conform_selected(const cmc_conform_selection *sel, const char *id, const char *level,
                         const char *const *tags, size_t num_tags, char *why, size_t why_len) {
    if (sel->num_only > 0) {
        size_t i = 0;
        while (i < sel->num_only && fnmatch(sel->only[i], id, 0) != 0) {
            i++;
        }
        if (i == sel->num_only) {
            snprintf(why, why_len, "not selected by --only");
            return 0;
        }
    }
    for (size_t i = 0; i < sel->num_skip; i++) {
        if (fnmatch(sel->skip[i], id, 0) == 0) {
            snprintf(why, why_len, "--skip %s", sel->skip[i]);
            return 0;
        }
    }
    if (sel->num_tags > 0) {
        int hit = 0;
        for (size_t i = 0; i < sel->num_tags && !hit; i++) {
            for (size_t k = 0; k < num_tags && !hit; k++) {
                hit = strcmp(sel->tags[i], tags[k]) == 0;
            }
        }
        if (!hit) {
            snprintf(why, why_len, "no selected --tag");
            return 0;
        }
    }
    if (level_rank(level) > (int)sel->level) {
        snprintf(why, why_len, "level %s not selected by --level", level != NULL ? level : "?");
        return 0;
    }
    return 1;
}
