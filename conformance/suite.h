/* suite.h: loads and validates the vector set (vectors/manifest.json, vectors/cases/<id>.json,
 * their DER files) into plain C structures for the generator and the conformance runner.
 * The format is documented in vectors/README.md and vectors/schema/<name>.schema.json.
 *
 * Validation = the JSON schemas (conformance/jschema.h) + the rules a schema cannot say:
 * case id = file stem, no duplicate ids, the manifest and the cases folder list the same
 * cases with the same family/level/tags/step count, every referenced file exists and lies
 * in data/<id>/, every fixture a recipe names exists in the fixture PKI, every $name a
 * recipe uses is captured by an earlier step or is a credential ($ca), references name both
 * an RFC 5272-series and an RFC 10002/10003/10004 document, and outcomes are coherent
 * (cmc_status only with a CMC response, fail_info only with failed).
 *
 * Lifetime: every `const char *` and `const json_t *` in these structures points into the
 * case's parsed JSON and lives as long as the cmc_suite. */
#ifndef CMC_CONFORM_SUITE_H
#define CMC_CONFORM_SUITE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cmc/status.h"

/* Format version of case files and the manifest this loader reads ("format": 1). */
#define CMC_SUITE_FORMAT 1
/* Largest file the loader reads (case JSON, request, golden response): the message limit
 * CMC_MAX_MESSAGE_BYTES plus room; protects against a stray huge file in the folder. */
#define CMC_SUITE_MAX_FILE_BYTES (2 * 1024 * 1024)
/* Most cases in one set; bounds the O(n^2) duplicate-id check. */
#define CMC_SUITE_MAX_CASES 4096

/* ---- Diagnostics: every problem found, one line each ("cases/x.json: /steps/0: ..."). ---- */
typedef struct {
    char **lines;
    size_t num_lines;
    size_t cap;
} cmc_diag;

void cmc_diag_init(cmc_diag *d);
void cmc_diag_cleanup(cmc_diag *d);
/* cmc_diag_add appends one formatted line (silently dropped when out of memory). */
void cmc_diag_add(cmc_diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- The structures ---- */

/* Symbolic media types of an expected answer (schema $defs/media_symbol). */
typedef enum {
    CMC_EXPECT_MEDIA_CMC_RESPONSE = 0, /* application/pkcs7-mime; smime-type=CMC-response */
    CMC_EXPECT_MEDIA_CERTS_ONLY,       /* application/pkcs7-mime; smime-type=certs-only */
    CMC_EXPECT_MEDIA_PKIX_CERT,        /* application/pkix-cert */
    CMC_EXPECT_MEDIA_TEXT,             /* any text/... body (an HTTP error reason) */
    CMC_EXPECT_MEDIA_NONE,             /* no body */
} cmc_expect_media;

/* cmc_expect_media_name: "cmc-response", ...; cmc_expect_media_from_name: -1 if unknown. */
const char *cmc_expect_media_name(cmc_expect_media m);
int cmc_expect_media_from_name(const char *name);

/* One acceptable answer. Unset optional fields are -1 / 0-length / NULL. */
typedef struct {
    int http_status;
    cmc_expect_media media;
    long cmc_status;       /* CMCStatus value (cmc/asn1.h), -1 = not checked */
    const long *fail_info; /* allowed CMCFailInfo values, reference answer first */
    size_t num_fail_info;
    const int64_t *body_list; /* body part IDs the status must name */
    size_t num_body_list;
    const char *status_string_contains; /* NULL = not checked */
    long issued;                        /* number of issued certificates, -1 = not checked */
    int chain;                          /* -1 not checked, 0 no issuer chain, 1 chain present */
} cmc_outcome;

/* cmc_outcome_from_json fills |o| from one schema-valid outcome object (strings lent from
 * |j|); cmc_outcome_cleanup frees its arrays. */
CMC_MUST_USE cmc_status cmc_outcome_from_json(cmc_outcome *o, const json_t *j);
void cmc_outcome_cleanup(cmc_outcome *o);

/* A value captured from a response for later steps ("$issued_serial"). */
typedef enum {
    CMC_CAPTURE_ISSUED_SERIAL = 0, /* serial of the issued certificate (hex of the magnitude) */
    CMC_CAPTURE_ISSUED_ISSUER,     /* its issuer Name (hex of the DER) */
    CMC_CAPTURE_ISSUED_CERT,       /* the certificate (hex of the DER) */
} cmc_capture_source;

typedef struct {
    const char *name; /* without the '$' */
    cmc_capture_source source;
} cmc_capture;

typedef struct {
    const char *name;
    /* request */
    const char *method;       /* "POST" unless the case says otherwise */
    const char *media_type;   /* Content-Type to send; NULL = no header */
    const char *accept;       /* Accept to send; NULL = no header */
    const char *request_file; /* as written ("data/<id>/..."); NULL when not committed */
    uint8_t *request;         /* the committed bytes (owned), NULL when not committed */
    size_t request_len;
    const json_t *recipe; /* compile with cmc_recipe_compile (recipe.h) */
    /* expectation */
    cmc_outcome *outcomes; /* >= 1; outcomes[0] is the reference server's answer */
    size_t num_outcomes;
    int echo_transaction_id;    /* response must carry the request's transactionId */
    int echo_sender_nonce;      /* response recipientNonce must equal our senderNonce */
    int echo_data_return;       /* response returns our dataReturn unchanged (RFC 5272 §6.4) */
    int issued_matches_request; /* issued certificate has the requested key and subject */
    cmc_capture *captures;
    size_t num_captures;
    /* golden response of the reference server (absent for steps the embedded core cannot
     * answer, e.g. a wrong HTTP method) */
    int has_golden;
    const char *golden_file;
    uint8_t *golden; /* owned */
    size_t golden_len;
    int golden_http_status;
    const char *golden_media_type;
    const json_t *golden_captured; /* object: capture name -> hex value; NULL if none */
} cmc_step;

typedef struct {
    const char *doc;     /* "RFC5272", "RFC10002", ... */
    const char *section; /* "6.11" or NULL */
} cmc_ref;

typedef struct {
    const char *id;
    const char *file; /* "cases/<id>.json", relative to the vectors folder */
    const char *title;
    const char *description; /* NULL if absent */
    const char *family;      /* "revocation", ... */
    const char *level;       /* "MUST", "SHOULD", "MAY" */
    const char **tags;
    size_t num_tags;
    const char **requires; /* target features the case needs */
    size_t num_requires;
    cmc_ref *refs;
    size_t num_refs;
    const char *disabled_reason; /* NULL = enabled */
    cmc_step *steps;
    size_t num_steps;
    json_t *json; /* the parsed case file (owned) */
} cmc_case;

typedef struct {
    char *dir; /* the vectors folder as given */
    const char *generator;
    const char *clock; /* "2026-07-01T00:00:00Z" */
    const char *seed;  /* hex */
    cmc_case *cases;   /* in manifest order */
    size_t num_cases;
    json_t *manifest; /* owned */
} cmc_suite;

/* cmc_suite_load reads and validates the vector set in |vectors_dir| (holding manifest.json,
 * cases/ and schema/). On CMC_OK |*out| is new (cmc_suite_free). If anything is wrong it
 * returns CMC_E_CONFIG and |*out| is unchanged; |diag| (may be NULL) then lists every
 * problem found, not only the first. Other errors: CMC_E_NOMEM, CMC_E_ARG. */
CMC_MUST_USE cmc_status cmc_suite_load(cmc_suite **out, const char *vectors_dir, cmc_diag *diag);

/* ---- Where the loader reads from. A source names files by their path relative to the
 * vectors folder ("manifest.json", "schema/case.schema.json", "cases/<id>.json",
 * "cases/data/<id>/1-enroll.crq"). cmc_suite_load reads a folder; the suite_case fuzz
 * target feeds the same loader an in-memory set (no disk I/O per input). ---- */
typedef struct cmc_suite_files cmc_suite_files;
struct cmc_suite_files {
    /* read: the whole file, a new buffer (free()). CMC_E_IO if there is no such file,
     * CMC_E_LIMIT above CMC_SUITE_MAX_FILE_BYTES. */
    cmc_status (*read)(const cmc_suite_files *fs, const char *rel, uint8_t **out, size_t *out_len);
    /* exists: 1 if |rel| is a regular file, else 0. */
    int (*exists)(const cmc_suite_files *fs, const char *rel);
    /* list: calls |fn| once per entry name of the folder |rel_dir|; 0, or an errno value
     * if the folder cannot be listed. */
    int (*list)(const cmc_suite_files *fs, const char *rel_dir,
                void (*fn)(void *arg, const char *name), void *arg);
    const void *ctx; /* the source's own state, e.g. the folder path */
};

/* cmc_suite_files_dir makes |fs| read the folder |dir| (lent: it must outlive |fs|). */
void cmc_suite_files_dir(cmc_suite_files *fs, const char *dir);

/* cmc_suite_load_files is cmc_suite_load reading from |fs|; |dir| is what the suite
 * records as its folder (cmc_suite.dir). Same results and diagnostics. */
CMC_MUST_USE cmc_status cmc_suite_load_files(cmc_suite **out, const cmc_suite_files *fs,
                                             const char *dir, cmc_diag *diag);
void cmc_suite_free(cmc_suite *s);

/* cmc_suite_find lends the case with id |id|, or NULL. */
const cmc_case *cmc_suite_find(const cmc_suite *s, const char *id);

/* cmc_case_has_tag returns 1 if |c| carries |tag|. */
int cmc_case_has_tag(const cmc_case *c, const char *tag);

/* cmc_suite_read_file reads a whole file (at most CMC_SUITE_MAX_FILE_BYTES) into a new
 * buffer (free()). CMC_E_IO if unreadable, CMC_E_LIMIT if too large. */
CMC_MUST_USE cmc_status cmc_suite_read_file(uint8_t **out, size_t *out_len, const char *path);

/* cmc_suite_validate_case_json checks one parsed case against |case_schema| and the
 * single-case rules above (|file_stem| = expected id; |cases_dir| for file existence, may
 * be NULL to skip file checks). Returns the number of problems, each added to |diag|
 * prefixed with |label|. The generator uses it on what it is about to write. */
size_t cmc_suite_validate_case_json(const json_t *case_schema, const json_t *c,
                                    const char *file_stem, const char *cases_dir, const char *label,
                                    cmc_diag *diag);

#endif /* CMC_CONFORM_SUITE_H */
