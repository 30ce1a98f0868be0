/* expect.h: does an answer satisfy a step's semantic expectation (vectors/README.md
 * "Expectations")? Used by the vector generator (the reference answer must be outcome 0),
 * the vector replay test, and available to the conformance runner's checks.
 *
 * Semantics, not bytes: HTTP status, media type, CMC status and failInfo of the status
 * naming the expected body parts, statusString substring, number of issued certificates
 * (those holding a key the recipe requested), issuer chain in certs-only, transactionId
 * echoed, recipientNonce = our senderNonce, the issued certificate's key and subject, and
 * (when trust is given) the Full PKI Response signature. */
#ifndef CMC_CONFORM_EXPECT_H
#define CMC_CONFORM_EXPECT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cmc/msg.h"
#include "suite.h"

/* An answer as a transport returns it (all lent). */
typedef struct {
    int http_status;
    const char *media_type; /* Content-Type received; NULL if none */
    const uint8_t *body;
    size_t body_len;
} cmc_answer;

/* A step's expectation (see cmc_step in suite.h; cmc_expectation_of_step fills one). */
typedef struct {
    const cmc_outcome *outcomes;
    size_t num_outcomes;
    int echo_transaction_id;
    int echo_sender_nonce;
    int echo_data_return;
    int issued_matches_request;
    const json_t *recipe; /* the recipe the request was built from */
} cmc_expectation;

void cmc_expectation_of_step(cmc_expectation *out, const cmc_step *step);

/* cmc_expect_classify maps a received Content-Type (and body) to the symbolic media of an
 * outcome: the CMC types by cmc_media_type_parse, "text" for text/..., "none" for an empty
 * body without a type. Returns -1 for anything else. */
int cmc_expect_classify(const char *media_type, size_t body_len);

/* cmc_expect_check checks |a| against |e|: returns the index of the first outcome it
 * matches, or -1; then |why| (may be NULL) says why it does not match outcome 0 (or the
 * step-level check that failed). |vopt| (may be NULL) verifies a Full PKI Response's
 * signature and chain; NULL skips that check. If |out_issued| is not NULL, it receives
 * (new, X509_free) the issued certificate for the recipe's first request key, or NULL. */
int cmc_expect_check(const cmc_expectation *e, const cmc_answer *a, const cmc_verify_options *vopt,
                     X509 **out_issued, char *why, size_t why_len);

#endif /* CMC_CONFORM_EXPECT_H */
