/* report.h: the conformance runner's reporters. Each reads a finished cmc_conform_run and
 * writes one format: a terminal table with a per-family summary, a versioned JSON report
 * (schema: conformance/schema/report.schema.json), JUnit XML, and one self-contained HTML
 * file with the summary matrices and every transcript. */
#ifndef CMC_CONFORM_REPORT_H
#define CMC_CONFORM_REPORT_H

#include <stdio.h>

#include "result.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The JSON report's format name and version (bump the version on any incompatible change;
 * the schema file carries the same pair). */
#define CMC_CONFORM_REPORT_FORMAT "cmckit-conform-report"
#define CMC_CONFORM_REPORT_VERSION 1

/* A pretty-printer for the transcript of one message (the dump printer); writes text for
 * |der| to |out|. Returns 0 if it printed, non-zero to fall back to a hex dump. */
typedef int (*cmc_conform_dump_fn)(FILE *out, const uint8_t *der, size_t der_len);

/* The families of the summary matrices. */
typedef enum {
    CMC_FAMILY_CONTENT_TYPE,
    CMC_FAMILY_REASON_CODE,
    CMC_FAMILY_STAGE,
    CMC_FAMILY_TRANSPORT,
    CMC_FAMILY_COUNT
} cmc_conform_family_kind;

/* "content type", "reason code", "stage", "transport". */
const char *cmc_conform_family_title(cmc_conform_family_kind k);
/* The key of |c| in family |k| written to |buf| ("2 cACompromise" for reason codes); 0 if
 * the case is not in that family. */
int cmc_conform_family_key(const cmc_conform_case *c, cmc_conform_family_kind k, char *buf,
                           size_t buf_len);

/* A matrix: one row per key (in first-seen order), one column per verdict. */
typedef struct {
    char key[64];
    size_t counts[CMC_VERDICT_COUNT];
} cmc_conform_matrix_row;

/* cmc_conform_matrix fills |rows| (capacity |max_rows|) and returns the number of rows. */
size_t cmc_conform_matrix(const cmc_conform_run *run, cmc_conform_family_kind k,
                          cmc_conform_matrix_row *rows, size_t max_rows);
#define CMC_CONFORM_MAX_MATRIX_ROWS 64 /* more distinct keys than any family has */

/* cmc_conform_progress writes "\r[ n/total] id" to |out| when |tty|, nothing otherwise. */
void cmc_conform_progress(FILE *out, int tty, size_t n, size_t total, const char *id);
/* cmc_conform_progress_done clears the progress line (TTY only). */
void cmc_conform_progress_done(FILE *out, int tty);

/* Terminal report: the case table (id, level, result, one-line reason), then the summary per
 * family, the sanity gates and the verdict. |color|: ANSI colours (only on a TTY). |verbose|:
 * 0 lists only cases that did not pass, 1 lists every case. */
void cmc_conform_report_terminal(FILE *out, const cmc_conform_run *run, int color, int verbose);

/* The other reporters return 0 on success, -1 on a write error. */
int cmc_conform_report_json(FILE *out, const cmc_conform_run *run);
int cmc_conform_report_junit(FILE *out, const cmc_conform_run *run);
int cmc_conform_report_html(FILE *out, const cmc_conform_run *run, cmc_conform_dump_fn dump);

/* cmc_conform_write_transcripts writes |dir|/<case-id>/step-<n>.{request,response}.der and
 * step-<n>.json (media types, HTTP status, source) for every step that exchanged bytes.
 * Returns 0, or -1 with a one-line reason in |err|. */
int cmc_conform_write_transcripts(const char *dir, const cmc_conform_run *run, char *err,
                                  size_t err_len);

#ifdef __cplusplus
}
#endif
#endif /* CMC_CONFORM_REPORT_H */
