/* fixtures.c: lookup and parsing of the embedded fixture PKI (fixtures.h). */
#include "fixtures.h"

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

cmc_status cmc_fixture_cert(X509 **out, const char *file_name) {
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

cmc_status cmc_fixture_key(EVP_PKEY **out, const char *file_name) {
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

const cmc_fixture_officer *cmc_fixture_officers(size_t *out_num) {
    *out_num = sizeof(kOfficers) / sizeof(kOfficers[0]);
    return kOfficers;
}
