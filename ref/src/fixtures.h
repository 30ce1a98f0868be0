/* fixtures.h: the fixture PKI of vectors/pki/ compiled into libcmc (HELPERS.md "Fixed shared
 * names", vectors/pki/README.md). TEST-ONLY material: the private keys are public. The bytes
 * are generated at build time by ref/cmake/embed_fixtures.cmake, so the embedded reference
 * server and the vector generator work from any directory. */
#ifndef CMC_FIXTURES_H
#define CMC_FIXTURES_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "cmc/status.h"

/* The fixed test clock of every fixture run: 2026-07-01T00:00:00Z (seconds since the epoch). */
#define CMC_FIXTURE_CLOCK 1782864000

/* One embedded file: |name| is the file name in vectors/pki ("ca.cert.pem"), |data| its
 * |len| bytes (followed by a NUL not counted in |len|). */
typedef struct {
    const char *name;
    const uint8_t *data;
    size_t len;
} cmc_fixture;

/* The generated table, sorted by name, ended by an entry whose |name| is NULL. */
extern const cmc_fixture cmc_fixture_table[];

/* cmc_fixture_get lends the bytes of the embedded file |file_name| and sets |*out_len|
 * (if |out_len| is not NULL); NULL if there is no such file. */
const uint8_t *cmc_fixture_get(const char *file_name, size_t *out_len);

/* cmc_fixture_count returns the number of embedded files; cmc_fixture_at lends entry |i|
 * (NULL for |i| >= count). Iterate with: for (i = 0; (f = cmc_fixture_at(i)); i++). */
size_t cmc_fixture_count(void);
const cmc_fixture *cmc_fixture_at(size_t i);

/* Both functions parse each file once per process (OpenSSL 3.0 key decoding is slow) and then
 * hand out a new reference to the cached certificate (shared: never modify it) or a fresh
 * copy of the cached key. Free them as usual.
 *
 * cmc_fixture_cert parses the certificate in |file_name| ("ca.cert.pem"); on CMC_OK |*out|
 * is new (X509_free). CMC_E_NOT_FOUND if absent, CMC_E_DER if it does not parse. */
CMC_MUST_USE cmc_status cmc_fixture_cert(X509 **out, const char *file_name);

/* cmc_fixture_key parses the private key in |file_name| ("ca.key.pem"); on CMC_OK |*out| is
 * new (EVP_PKEY_free). CMC_E_NOT_FOUND if absent, CMC_E_DER if it does not parse. */
CMC_MUST_USE cmc_status cmc_fixture_key(EVP_PKEY **out, const char *file_name);

/* Officer roles of the fixture PKI (the embedded server registers these officers). */
#define CMC_FIXTURE_ROLE_ENROLL 0x1u
#define CMC_FIXTURE_ROLE_REVOKE 0x2u

/* A registered fixture officer: |stem| names <stem>.cert.pem / <stem>.key.pem. */
typedef struct {
    const char *stem;
    unsigned roles; /* CMC_FIXTURE_ROLE_* bits; 0 = registered, no role */
} cmc_fixture_officer;

/* cmc_fixture_officers lends the table of registered officers and sets |*out_num|. It lists
 * every officer-* fixture except officer-unregistered. Registration says nothing about
 * validity: officer-expired, officer-notyet and officer-untrusted are registered with both
 * roles so that only their certificate fails stage 3. */
const cmc_fixture_officer *cmc_fixture_officers(size_t *out_num);

#endif /* CMC_FIXTURES_H */
