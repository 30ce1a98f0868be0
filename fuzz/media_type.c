/* Targets: cmc_media_type_parse, cmc_media_type_str, cmc_media_accept_parse (RFC 9110
 * Content-Type and Accept values, spec/CMC.md §10).
 * Oracles: the table spelling of a recognised type parses back to the same type; parsing
 * is case-insensitive (an ASCII upper-cased copy classifies the same); every Accept weight
 * is within 0..CMC_MEDIA_Q_MAX; outputs are untouched on error.
 * Seeds: fuzz/corpus/media_type/ (named by content hash). max_len: 2048 (the parser's own
 * limit is CMC_MAX_MEDIA_TYPE_LEN = 1024). Dictionary: fuzz/dict/media_type.dict. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmc/media_type.h"
#include "fuzz_common.h"

static const char kSeed[] = "application/pkcs7-mime; smime-type=CMC-request; name=req.p7m";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    fuzz_warm_up("media_type", LLVMFuzzerTestOneInput, (const uint8_t *)kSeed, sizeof(kSeed) - 1);
    return 0;
}

static void check_content_type(const char *v, size_t n, const char *upper) {
    cmc_media_type t = (cmc_media_type)-7;
    cmc_status st = cmc_media_type_parse(&t, v, n);
    if (st != CMC_OK) {
        fuzz_check(t == (cmc_media_type)-7, "output changed on error");
    } else {
        fuzz_check((unsigned)t < CMC_MEDIA_COUNT, "type out of range");
        const char *spelling = cmc_media_type_str(t);
        if (t != CMC_MEDIA_OTHER) {
            cmc_media_type back = CMC_MEDIA_OTHER;
            fuzz_check(spelling != NULL, "recognised type has no spelling");
            fuzz_check(cmc_media_type_parse(&back, spelling, strlen(spelling)) == CMC_OK &&
                           back == t,
                       "table spelling does not parse back to its type");
        }
    }
    cmc_media_type tu = CMC_MEDIA_OTHER;
    cmc_status stu = cmc_media_type_parse(&tu, upper, n);
    fuzz_check(stu == st && (st != CMC_OK || tu == t), "Content-Type parse is case-sensitive");
}

static void check_accept(const char *v, size_t n, const char *upper) {
    cmc_media_accept a;
    memset(&a, 0xA5, sizeof(a));
    cmc_status st = cmc_media_accept_parse(&a, v, n);
    if (st != CMC_OK) {
        for (size_t i = 0; i < sizeof(a.q) / sizeof(a.q[0]); i++) {
            fuzz_check(a.q[i] == 0xA5A5, "Accept output changed on error");
        }
        return;
    }
    for (int i = 1; i < CMC_MEDIA_COUNT; i++) {
        fuzz_check(a.q[i] <= CMC_MEDIA_Q_MAX, "Accept weight above 1000");
    }
    cmc_media_accept au;
    fuzz_check(cmc_media_accept_parse(&au, upper, n) == CMC_OK, "Accept parse is case-sensitive");
    for (int i = 1; i < CMC_MEDIA_COUNT; i++) {
        fuzz_check(au.q[i] == a.q[i], "Accept weights depend on case");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* Exact-size copies, so a read past |size| is caught by ASan. */
    char *v = malloc(size ? size : 1);
    char *upper = malloc(size ? size : 1);
    if (v == NULL || upper == NULL) {
        free(v);
        free(upper);
        return 0;
    }
    memcpy(v, data, size);
    for (size_t i = 0; i < size; i++) {
        unsigned char c = data[i];
        upper[i] = (char)(c < 0x80 ? toupper(c) : c);
    }
    check_content_type(v, size, upper);
    check_accept(v, size, upper);
    check_accept(NULL, 0, NULL);
    free(v);
    free(upper);
    return 0;
}
