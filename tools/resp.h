/* resp.h: the report of `cmckit resp`, shared with `cmckit req --send`. */
#ifndef CMCKIT_RESP_H
#define CMCKIT_RESP_H

#include <stddef.h>
#include <stdint.h>

#include "tool_io.h"

/* Exit codes of `cmckit resp` (issue 8). */
#define RESP_EXIT_SUCCESS 0    /* every status success (or certificates returned) */
#define RESP_EXIT_FAILED 1     /* a failed/other status, bad signature or nonce mismatch */
#define RESP_EXIT_UNREADABLE 2 /* unreadable input or usage error */

typedef struct {
    const char *prog;           /* "cmckit resp": prefix of error lines */
    const char *ca_file;        /* trust anchors for the response signature; NULL = none */
    const char *untrusted_file; /* extra certificates for the path; NULL = none */
    const uint8_t *check_nonce; /* expected recipientNonce; NULL = not checked */
    size_t check_nonce_len;
    const char *out_file; /* write the issued certificates here; NULL = no */
    tool_form out_form;   /* PEM (default) or DER (exactly one certificate) */
    int64_t verify_time;  /* Unix seconds for the signer path; 0 = now */
    int quiet;            /* print only the result line */
} resp_params;

/* resp_report reads |in| as a CMC response (|media_type| is a hint, may be NULL), prints the
 * report to stdout and errors to stderr, writes certificates per |p|, and returns the exit
 * code. */
int resp_report(const resp_params *p, const uint8_t *in, size_t in_len, const char *media_type);

#endif /* CMCKIT_RESP_H */
