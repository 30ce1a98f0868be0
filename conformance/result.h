/* result.h: the conformance runner's result model (DESIGN.md "Conformance runner").
 *
 * A run holds cases; a case holds steps (one request/response exchange each); a step holds
 * checks. Every level carries a verdict and a one-line reason. The reporters (report.h) only
 * read this model, so every report format says the same thing. Reports never contain
 * credentials: the model holds none. */
#ifndef CMC_CONFORM_RESULT_H
#define CMC_CONFORM_RESULT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Verdicts. XFAIL: failed as a profile's expected deviation says it would. XPASS: passed
 * although the profile expected a failure (the deviation list is stale; counts against
 * conformance so such lists cannot rot). */
typedef enum {
    CMC_VERDICT_PASS,
    CMC_VERDICT_FAIL,
    CMC_VERDICT_SKIP,
    CMC_VERDICT_XFAIL,
    CMC_VERDICT_XPASS,
    CMC_VERDICT_COUNT
} cmc_verdict;

/* "pass", "fail", "skip", "xfail", "xpass". */
const char *cmc_verdict_name(cmc_verdict v);

/* Limits, each with its reason. */
#define CMC_CONFORM_MAX_REASON 240 /* one terminal line with the case id and level */

/* One check of one step: "http-status", "media-type", "cmc-status", ... */
typedef struct {
    char *name;
    cmc_verdict verdict; /* PASS, FAIL or SKIP */
    char *reason;        /* one line; "" when passed without remark */
} cmc_conform_check;

/* One exchange. The request and response bytes are the transcript. */
typedef struct {
    char *label;          /* the step's name in the case ("enroll", "revoke", ...) */
    char *request_source; /* "replayed" (committed bytes), "compiled" (recipe), "recorded" */
    char *request_type;   /* media type sent */
    uint8_t *request;
    size_t request_len;
    int http_status;     /* 0 when the transport has none (tcp, file, exec, embedded: 200) */
    char *response_type; /* media type received (NULL if none) */
    uint8_t *response;
    size_t response_len;
    char *transport_error; /* NULL, or why no response arrived */
    double elapsed_ms;
    cmc_conform_check *checks;
    size_t num_checks;
    cmc_verdict verdict; /* derived by cmc_conform_step_finish */
    char *reason;
} cmc_conform_step;

/* Families a case belongs to, for the summary matrices. NULL / -1 when not applicable. */
typedef struct {
    char *group;        /* the case's family in the vector set: "revocation", "transport", ... */
    char *content_type; /* "pkcs10", "full-tcr", "full-crm", "revoke", ... */
    int reason_code;    /* CRLReason 0..10, or -1 */
    char *stage;        /* "digest", "content-type", "officer", "structure", ... */
    char *transport;    /* "media-type", "method", ... for transport-level cases */
} cmc_conform_family;

typedef struct {
    char *id;
    char *title;
    char *level; /* "MUST", "SHOULD", "MAY" */
    char **tags;
    size_t num_tags;
    char **refs; /* "RFC 5272 §6.11" */
    size_t num_refs;
    cmc_conform_family family;
    cmc_conform_step *steps;
    size_t num_steps;
    cmc_verdict verdict;
    char *reason;
    char *deviation; /* the profile's reason when an expected deviation applied, else NULL */
    double elapsed_ms;
} cmc_conform_case;

/* The sanity gate: a simple enrollment before and after the run. */
typedef struct {
    int ran;
    int ok;
    char *reason;
} cmc_conform_sanity;

typedef struct {
    size_t counts[CMC_VERDICT_COUNT];
    size_t total;
} cmc_conform_summary;

typedef struct {
    char *target;  /* description without credentials: "embedded", "http://host:port/cmc" */
    char *profile; /* profile name */
    char *suite;   /* suite description ("vectors/manifest.json, 142 cases") */
    char *started; /* ISO 8601 UTC */
    double elapsed_ms;
    cmc_conform_sanity sanity_before;
    cmc_conform_sanity sanity_after;
    cmc_conform_case *cases;
    size_t num_cases;
    size_t cap_cases;
} cmc_conform_run;

/* Allocation helpers. Every function aborts the program on out-of-memory (the runner is a
 * tool; a half-written report would be worse). Strings are copied; NULL stays NULL. */
char *cmc_conform_strdup(const char *s);
char *cmc_conform_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* cmc_conform_oneline copies |s| with control characters replaced by spaces, truncated to
 * CMC_CONFORM_MAX_REASON bytes (at a UTF-8 boundary). */
char *cmc_conform_oneline(const char *s);

cmc_conform_run *cmc_conform_run_new(const char *target, const char *profile, const char *suite);
void cmc_conform_run_free(cmc_conform_run *run);

/* cmc_conform_run_add_case appends an empty case with |id| and returns it (owned by run). */
cmc_conform_case *cmc_conform_run_add_case(cmc_conform_run *run, const char *id);
void cmc_conform_case_add_tag(cmc_conform_case *c, const char *tag);
void cmc_conform_case_add_ref(cmc_conform_case *c, const char *ref);
int cmc_conform_case_has_tag(const cmc_conform_case *c, const char *tag);

/* cmc_conform_case_add_step appends a step and returns it (owned by the case). */
cmc_conform_step *cmc_conform_case_add_step(cmc_conform_case *c, const char *label);
/* The step copies the bytes. */
void cmc_conform_step_set_request(cmc_conform_step *s, const char *source, const char *type,
                                  const uint8_t *der, size_t der_len);
void cmc_conform_step_set_response(cmc_conform_step *s, int http_status, const char *type,
                                   const uint8_t *der, size_t der_len);

/* cmc_conform_step_check records a check; |reason| is printf-formatted (may be NULL). */
void cmc_conform_step_check(cmc_conform_step *s, const char *name, cmc_verdict v, const char *fmt,
                            ...) __attribute__((format(printf, 4, 5)));

/* cmc_conform_step_finish derives the step verdict: FAIL if a check failed (reason = first
 * failing check), SKIP if every check skipped or there are none, else PASS. */
void cmc_conform_step_finish(cmc_conform_step *s);

/* cmc_conform_case_finish derives the case verdict from its steps the same way. Then, if
 * |deviation| is non-NULL (the profile expects this case to fail), FAIL becomes XFAIL and
 * PASS becomes XPASS. */
void cmc_conform_case_finish(cmc_conform_case *c, const char *deviation);

/* cmc_conform_case_skip marks a case skipped with |reason| (profile, selection, credentials). */
void cmc_conform_case_skip(cmc_conform_case *c, const char *reason);

void cmc_conform_run_summary(const cmc_conform_run *run, cmc_conform_summary *out);

/* cmc_conform_run_conformant: 1 when no case failed or xpassed and the sanity gates passed. */
int cmc_conform_run_conformant(const cmc_conform_run *run);

#ifdef __cplusplus
}
#endif
#endif /* CMC_CONFORM_RESULT_H */
