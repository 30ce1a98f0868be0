/* transcript.h: reading back what `--transcripts DIR` wrote, for `--replay DIR`. */
#ifndef CMC_CONFORM_TRANSCRIPT_H
#define CMC_CONFORM_TRANSCRIPT_H

#include <stddef.h>
#include <stdint.h>

/* cmc_conform_transcript_load reads the request of step |step| (0-based) of case |case_id|:
 * |*out| (malloc'ed, free with free()) and its media type |*out_type| (malloc'ed, may be
 * NULL). Returns 0, or -1 if the step was not recorded. */
int cmc_conform_transcript_load(const char *dir, const char *case_id, size_t step, uint8_t **out,
                                size_t *out_len, char **out_type);

/* cmc_conform_transcript_has_case: 1 when |dir| holds a recording of |case_id|. */
int cmc_conform_transcript_has_case(const char *dir, const char *case_id);

#endif /* CMC_CONFORM_TRANSCRIPT_H */
