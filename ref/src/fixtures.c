/* fixtures.c: lookup and parsing of the embedded fixture PKI (fixtures.h). */
#include "fixtures.h"

#include <pthread.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/pem.h>

static const cmc_fixture_officer kOfficers[] = {
    {"officer-both", CMC_FIXTURE_ROLE_ENROLL | CMC_FIXTURE_ROLE_REVOKE},
    {"officer-both-p256", CMC_FIXTURE_ROLE_ENROLL | CMC_FIXTURE_ROLE_REVOKE},
    {"officer-both-ed25519", CMC_FIXTURE_ROLE_ENROLL | CMC_FIXTURE_ROLE_REVOKE},
    {"officer-enroll", CMC_FIXTURE_ROLE_ENROLL},
    {"officer-revoke", CMC_FIXTURE_ROLE_REVOKE},
    {"officer-norole", 0},
    {"officer-expired", CMC_FIXTURE_ROLE_ENROLL | CMC_FIXTURE_ROLE_REVOKE},
    {"officer-notyet", CMC_FIXTURE_ROLE_ENROLL | CMC_FIXTURE_ROLE_REVOKE},
    {"officer-untrusted", CMC_FIXTURE_ROLE_ENROLL | CMC_FIXTURE_ROLE_REVOKE},
};

const uint8_t *cmc_fixture_get(const char *file_name, size_t *out_len) {
    if (file_name == NULL) {
        return NULL;
    }
    for (const cmc_fixture *f = cmc_fixture_table; f->name != NULL; f++) {
        if (strcmp(f->name, file_name) == 0) {
            if (out_len != NULL) {
                *out_len = f->len;
            }
            return f->data;
        }
    }
    return NULL;
}

size_t cmc_fixture_count(void) {
    size_t n = 0;
    while (cmc_fixture_table[n].name != NULL) {
        n++;
    }
    return n;
}

const cmc_fixture *cmc_fixture_at(size_t i) {
    return i < cmc_fixture_count() ? &cmc_fixture_table[i] : NULL;
}

/* Fixture keys are never encrypted; refuse to prompt for a passphrase if one ever is. */
static int no_passphrase(char *buf, int size, int rwflag, void *u) {
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return -1;
}

static cmc_status fixture_bio(BIO **out, const char *file_name) {
    size_t len = 0;
    const uint8_t *data = cmc_fixture_get(file_name, &len);
    if (data == NULL) {
        CMC_RAISE(CMC_E_NOT_FOUND);
    }
    *out = BIO_new_mem_buf(data, (int)len); /* fixture files are a few KiB */
    if (*out == NULL) {
        CMC_RAISE(CMC_E_NOMEM);
    }
    return CMC_OK;
}

/* Parsed fixtures, one slot per table entry, filled on first use and kept for the life of
 * the process. The fixtures never change, and OpenSSL 3.0 spends ~0.2 ms decoding each key
 * (provider decoders): an embedded server made per conformance case spent over a third of
 * the suite's CPU re-parsing them (callgrind, issue 8). Callers get their own reference to a
 * certificate (X509_up_ref) and their own copy of a key (EVP_PKEY_dup), and free them as
 * before; certificates are shared, so callers use them read-only, as they did. */
#define CMC_FIXTURE_CACHE_SLOTS 64 /* above the number of files in vectors/pki */
static pthread_mutex_t g_cache_lock = PTHREAD_MUTEX_INITIALIZER;
static X509 *g_cert_cache[CMC_FIXTURE_CACHE_SLOTS];
static EVP_PKEY *g_key_cache[CMC_FIXTURE_CACHE_SLOTS];

/* fixture_slot returns the table index of |file_name|, or -1 (absent or beyond the cache). */
static long fixture_slot(const char *file_name) {
    if (file_name == NULL) {
        return -1;
    }
    for (long i = 0; i < CMC_FIXTURE_CACHE_SLOTS && cmc_fixture_table[i].name != NULL; i++) {
        if (strcmp(cmc_fixture_table[i].name, file_name) == 0) {
            return i;
        }
    }
    return -1;
}

static cmc_status parse_cert(X509 **out, const char *file_name) {
    BIO *b = NULL;
    CMC_TRY(fixture_bio(&b, file_name));
    X509 *x = PEM_read_bio_X509(b, NULL, no_passphrase, NULL);
    BIO_free(b);
    if (x == NULL) {
        CMC_RAISE(CMC_E_DER);
    }
    *out = x;
    return CMC_OK;
}

static cmc_status parse_key(EVP_PKEY **out, const char *file_name) {
    BIO *b = NULL;
    CMC_TRY(fixture_bio(&b, file_name));
    EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, no_passphrase, NULL);
    BIO_free(b);
    if (k == NULL) {
        CMC_RAISE(CMC_E_DER);
    }
    *out = k;
    return CMC_OK;
}

cmc_status cmc_fixture_cert(X509 **out, const char *file_name) {
    long slot = fixture_slot(file_name);
    if (slot < 0) {
        return parse_cert(out, file_name); /* CMC_E_NOT_FOUND for unknown names */
    }
    pthread_mutex_lock(&g_cache_lock);
    cmc_status st = CMC_OK;
    if (g_cert_cache[slot] == NULL) {
        st = parse_cert(&g_cert_cache[slot], file_name);
    }
    if (st == CMC_OK && !X509_up_ref(g_cert_cache[slot])) {
        st = cmc_error_raise(CMC_E_INTERNAL, __FILE__, __LINE__);
    }
    if (st == CMC_OK) {
        *out = g_cert_cache[slot];
    }
    pthread_mutex_unlock(&g_cache_lock);
    return st;
}

cmc_status cmc_fixture_key(EVP_PKEY **out, const char *file_name) {
    long slot = fixture_slot(file_name);
    if (slot < 0) {
        return parse_key(out, file_name);
    }
    pthread_mutex_lock(&g_cache_lock);
    cmc_status st = CMC_OK;
    if (g_key_cache[slot] == NULL) {
        st = parse_key(&g_key_cache[slot], file_name);
    }
    /* A copy, not a reference: a private key object keeps state from its first use (RSA
     * blinding draws random numbers), and the vector generator's byte-identical output
     * depends on every run drawing the same random stream. EVP_PKEY_dup copies the key
     * material without re-decoding it. */
    EVP_PKEY *copy = st == CMC_OK ? EVP_PKEY_dup(g_key_cache[slot]) : NULL;
    if (st == CMC_OK && copy == NULL) {
        st = cmc_error_raise(CMC_E_NOMEM, __FILE__, __LINE__);
    }
    if (st == CMC_OK) {
        *out = copy;
    }
    pthread_mutex_unlock(&g_cache_lock);
    return st;
}

const cmc_fixture_officer *cmc_fixture_officers(size_t *out_num) {
    *out_num = sizeof(kOfficers) / sizeof(kOfficers[0]);
    return kOfficers;
}
