/* dump.c: the transcript printer of the HTML report: the CMC-aware tree of cmc/dump.h, and
 * OpenSSL's generic ASN.1 tree for bytes that are not a whole CMC message (a truncated or
 * otherwise broken request of a negative case). */
#include <stdint.h>
#include <stdio.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>

#include "cmc/dump.h"

/* cmc_conform_dump_message prints |der| as a tree into |out|; returns non-zero when the
 * bytes do not parse at all, so the caller falls back to a hex dump. */
int cmc_conform_dump_message(FILE *out, const uint8_t *der, size_t der_len);

int cmc_conform_dump_message(FILE *out, const uint8_t *der, size_t der_len) {
    if (der_len == 0 || der_len > (size_t)INT32_MAX) {
        return -1;
    }
    BIO *bio = BIO_new_fp(out, BIO_NOCLOSE);
    if (bio == NULL) {
        return -1;
    }
    char err[CMC_DUMP_ERR_LEN];
    int ok = cmc_dump(bio, der, der_len, err, sizeof(err)) == CMC_OK;
    if (!ok) {
        /* cmc_dump writes nothing on error; say why, then show the generic tree. */
        BIO_printf(bio, "(not a whole CMC message: %s)\n", err);
        ok = ASN1_parse_dump(bio, der, (long)der_len, 2, 0) > 0;
    }
    ERR_clear_error();
    BIO_free(bio);
    return ok ? 0 : -1;
}
