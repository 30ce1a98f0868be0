/* cmd_dump.c: `cmckit dump FILE...` prints any CMC message as a tree (cmc/dump.h). DER or
 * PEM is detected from the bytes; "-" reads stdin. Bad input: one line on stderr,
 * "cmckit dump: FILE: offset N: expected ...", and exit status 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>

#include "cmc/asn1.h"
#include "cmc/dump.h"
#include "cmckit.h"

#define DUMP_READ_CHUNK 65536

static void usage(FILE *f) {
    fprintf(f, "usage: cmckit dump FILE...   (DER or PEM; '-' reads stdin)\n"
               "Prints a CMC message as a tree: ContentInfo, SignedData (certificates, signers,\n"
               "signed attributes), PKIData/PKIResponse controls by name with decoded values,\n"
               "PKCS #10 and CRMF requests; also a bare PKCS #10, certs-only SignedData or\n"
               "certificate. Exit status: 0 ok, 1 bad input, 2 usage or I/O error.\n");
}

/* read_all reads at most CMC_MAX_MESSAGE_BYTES + 1 bytes (one more than the limit, so
 * cmc_dump can report the limit instead of a silently truncated input). */
static unsigned char *read_all(FILE *f, size_t *out_len) {
    size_t cap = DUMP_READ_CHUNK;
    size_t len = 0;
    unsigned char *buf = malloc(cap);
    while (buf != NULL) {
        size_t want = cap - len;
        size_t got = fread(buf + len, 1, want, f);
        len += got;
        if (got < want || len > (size_t)CMC_MAX_MESSAGE_BYTES) {
            break;
        }
        unsigned char *nb = realloc(buf, cap * 2);
        if (nb == NULL) {
            free(buf);
            return NULL;
        }
        buf = nb;
        cap *= 2;
    }
    if (buf != NULL && ferror(f)) {
        free(buf);
        return NULL;
    }
    *out_len = len;
    return buf;
}

int cmd_dump(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    BIO *out = BIO_new_fp(stdout, BIO_NOCLOSE);
    if (out == NULL) {
        return 2;
    }
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        const char *path = argv[i];
        int is_stdin = strcmp(path, "-") == 0;
        FILE *f = is_stdin ? stdin : fopen(path, "rb");
        if (f == NULL) {
            fprintf(stderr, "cmckit dump: %s: cannot open\n", path);
            rc = 2;
            continue;
        }
        size_t len = 0;
        unsigned char *data = read_all(f, &len);
        if (!is_stdin) {
            fclose(f);
        }
        if (data == NULL) {
            fprintf(stderr, "cmckit dump: %s: read error\n", path);
            rc = 2;
            continue;
        }
        if (argc > 2) {
            BIO_printf(out, "%s==> %s <==\n", i > 1 ? "\n" : "", path);
        }
        char err[CMC_DUMP_ERR_LEN];
        cmc_status st = cmc_dump(out, data, len, err, sizeof(err));
        (void)BIO_flush(out);
        if (st != CMC_OK) {
            fprintf(stderr, "cmckit dump: %s: %s\n", is_stdin ? "<stdin>" : path,
                    err[0] != '\0' ? err : cmc_status_str(st));
            if (rc == 0) {
                rc = 1;
            }
        }
        free(data);
    }
    BIO_free(out);
    return rc;
}
