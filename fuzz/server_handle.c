/* Targets: the whole reference server entry point cmc_server_handle (dispatch by media
 * type, sniffing, the three verification stages, officer and role policy, enrollment from
 * PKCS #10 and CRMF, revocation, getCert, response building and signing) with the embedded
 * fixture configuration, the fixture clock, a fixed seed and a fresh in-memory store per
 * input. In fuzz/afl builds one server is made at start-up and cmc_server_fuzz_reset gives
 * it a new empty store and restarts its DRBG before each input; in AFL++ builds it also
 * gives it fresh copies of its RSA keys (RSA blinding state carried between inputs made
 * the target 90% stable; with fresh keys 99.7%), which libFuzzer, blind to stability, skips
 * (the copies' new blinding costs a third of its speed). The replay build makes a server
 * per input.
 * In fuzz/afl builds cmc_fuzz_skip_crypto_checks is set while the server runs, so
 * mutated requests pass stages 1 and 3's signature check and reach the later logic.
 * Input: if byte 0 is 0x30 (a DER message, e.g. a vector's request file) the whole input is
 * the body and the media type follows the bytes (PKCS #10 or CMC-request); otherwise byte 0
 * picks the Content-Type and byte 1 the Accept value from the tables below and the rest is
 * the body. A body may hold up to FUZZ_MAX_REQUESTS requests split by "#CMC#", sent in
 * order to the same server (enroll, then revoke or getCert).
 * Oracles: cmc_server_handle returns CMC_OK (an internal failure on any input is a bug)
 * with HTTP 200/413/415, never 500; a 200 answer's body decodes as the media type it is
 * labelled with, and a Full PKI Response verifies (real crypto) against the fixture CA with
 * a status for at least one body part.
 * Seeds: fuzz/corpus/server_handle/ (named by content hash; vector requests). max_len: 65536.
 * Dictionary: fuzz/dict/cmc.dict. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "cmc/cmc.h"
#include "cmc/media_type.h"
#include "cmc/msg.h"
#include "fixtures.h"
#include "fuzz_common.h"
#include "internal.h"
#include "msg/msg_local.h"

#define FUZZ_MAX_REQUESTS 4 /* enroll + revoke + getCert + one more */
static const char kSep[] = "#CMC#";

static const char *const kMediaTypes[] = {
    "application/pkcs7-mime; smime-type=CMC-request",
    "application/pkcs10",
    "Application/PKCS7-MIME; SMIME-TYPE=\"cmc-request\"; name=req.p7m",
    "application/pkcs7-mime; smime-type=CMC-response",
    "application/pkcs7-mime",
    "application/pkix-cert",
    "text/plain",
    "application/pkcs7-mime; smime-type=CMC-request; smime-type=certs-only",
    "",
    NULL,
};
#define NUM_MEDIA (sizeof(kMediaTypes) / sizeof(kMediaTypes[0]))

static const char *const kAccepts[] = {
    NULL,
    "application/pkcs7-mime; smime-type=CMC-response",
    "application/pkix-cert",
    "application/pkcs7-mime; smime-type=certs-only, application/pkix-cert;q=0.5",
    "application/pkix-cert;q=0, */*;q=0.1",
    "text/plain",
    "*/*",
    "application/pkcs7-mime;q=bad",
};
#define NUM_ACCEPT (sizeof(kAccepts) / sizeof(kAccepts[0]))

static cmc_server_config *g_cfg;
static X509_STORE *g_trust;
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
static cmc_server *g_srv;
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    fuzz_init();
    static const uint8_t kSeed[] = "cmckit fuzz server_handle";
    X509 *ca = NULL;
    g_trust = X509_STORE_new();
    fuzz_check(cmc_server_config_embedded(&g_cfg) == CMC_OK &&
                   cmc_server_config_set_clock(g_cfg, CMC_FIXTURE_CLOCK) == CMC_OK &&
                   cmc_server_config_set_seed(g_cfg, kSeed, sizeof(kSeed) - 1) == CMC_OK &&
                   cmc_server_config_set_store(g_cfg, ":memory:") == CMC_OK,
               "embedded server configuration");
    fuzz_check(g_trust != NULL && cmc_fixture_cert(&ca, "ca.cert.pem") == CMC_OK &&
                   X509_STORE_add_cert(g_trust, ca) == 1,
               "fixture trust store");
    X509_free(ca);
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
    fuzz_check(cmc_server_new(&g_srv, g_cfg) == CMC_OK, "cmc_server_new");
#endif
    fuzz_warm_up("server_handle", LLVMFuzzerTestOneInput, NULL, 0);
    return 0;
}

static void set_skip_crypto(int on) {
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
    cmc_fuzz_skip_crypto_checks = on;
#else
    (void)on;
#endif
}

static void check_answer(const cmc_http_response *resp) {
    fuzz_check(resp->http_status == 200 || resp->http_status == 413 || resp->http_status == 415,
               "unexpected HTTP status");
    if (resp->http_status != 200) {
        return;
    }
    cmc_media_type mt = CMC_MEDIA_OTHER;
    fuzz_check(cmc_media_type_parse(&mt, resp->media_type, strlen(resp->media_type)) == CMC_OK,
               "answer media type does not parse");
    if (mt == CMC_MEDIA_CMC_RESPONSE) {
        cmc_verify_options vo = {0};
        vo.trust = g_trust;
        vo.verify_time = CMC_FIXTURE_CLOCK;
        vo.required_eku = CMC_OID_KP_CMC_CA;
        cmc_response r;
        cmc_response_init(&r);
        fuzz_check(cmc_response_read(&r, resp->body, resp->body_len, resp->media_type, &vo) ==
                       CMC_OK,
                   "Full PKI Response does not decode");
        fuzz_check(r.kind == CMC_RESPONSE_FULL, "CMC-response is not a Full PKI Response");
        fuzz_check(r.verify_status == CMC_OK, "Full PKI Response does not verify");
        fuzz_check(r.num_statuses > 0, "Full PKI Response without a status");
        cmc_response_cleanup(&r);
    } else if (mt == CMC_MEDIA_CERTS_ONLY) {
        STACK_OF(X509) *certs = NULL;
        fuzz_check(cmc_certs_only_parse(&certs, resp->body, resp->body_len) == CMC_OK,
                   "certs-only answer does not decode");
        sk_X509_pop_free(certs, X509_free);
    } else if (mt == CMC_MEDIA_PKIX_CERT) {
        X509 *x = NULL;
        fuzz_check(cmc_pkix_cert_parse(&x, resp->body, resp->body_len) == CMC_OK,
                   "pkix-cert answer does not decode");
        X509_free(x);
    } else {
        fuzz_check(0, "200 answer with a media type that is not a CMC response");
    }
}

static void send_one(cmc_server *srv, const uint8_t *body, size_t len, const char *media,
                     const char *accept) {
    if (media == NULL && len > 0 && body[0] == 0x30) {
        cmc_sniff_result sn;
        fuzz_check(cmc_sniff(&sn, body, len) == CMC_OK, "cmc_sniff");
        media = sn.kind == CMC_SNIFF_PKCS10 ? "application/pkcs10"
                                            : "application/pkcs7-mime; smime-type=CMC-request";
    }
    cmc_http_request req = {body, len, media, accept};
    cmc_http_response resp;
    set_skip_crypto(1);
    cmc_status st = cmc_server_handle(srv, &req, &resp);
    set_skip_crypto(0);
    if (st != CMC_OK) {
        fprintf(stderr, "cmc_server_handle: %s (%s:%d)\n", cmc_status_name(st),
                cmc_error_last()->file, cmc_error_last()->line);
    }
    fuzz_check(st == CMC_OK || st == CMC_E_NOMEM, "cmc_server_handle failed internally");
    if (st == CMC_OK) {
        check_answer(&resp);
    }
    cmc_http_response_cleanup(&resp);
}

static const uint8_t *find_sep(const uint8_t *p, size_t len) {
    size_t n = sizeof(kSep) - 1;
    for (size_t i = 0; len >= n && i <= len - n; i++) {
        if (memcmp(p + i, kSep, n) == 0) {
            return p + i;
        }
    }
    return NULL;
}

static int one_input(const uint8_t *data, size_t size) {
    fuzz_init();
    const char *media = NULL;
    const char *accept = NULL;
    if (size == 0) {
        return 0;
    }
    if (data[0] != 0x30) {
        if (size < 2) {
            return 0;
        }
        media = kMediaTypes[data[0] % NUM_MEDIA];
        accept = kAccepts[data[1] % NUM_ACCEPT];
        data += 2;
        size -= 2;
    }
    cmc_server *srv = NULL;
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#ifdef __AFL_COMPILER
    fuzz_check(cmc_server_fuzz_reset(g_srv, 1) == CMC_OK, "cmc_server_fuzz_reset");
#else
    fuzz_check(cmc_server_fuzz_reset(g_srv, 0) == CMC_OK, "cmc_server_fuzz_reset");
#endif
    srv = g_srv;
#else
    fuzz_check(cmc_server_new(&srv, g_cfg) == CMC_OK, "cmc_server_new");
#endif
    const uint8_t *p = data;
    size_t left = size;
    for (int n = 0; n < FUZZ_MAX_REQUESTS; n++) {
        size_t len = left;
        const uint8_t *sep = NULL;
        if (n + 1 < FUZZ_MAX_REQUESTS) {
            sep = find_sep(p, left);
        }
        if (sep != NULL) {
            len = (size_t)(sep - p);
        }
        /* Exact-size copy so ASan catches reads past this request's end. */
        uint8_t *body = malloc(len ? len : 1);
        fuzz_check(body != NULL, "malloc");
        memcpy(body, p, len);
        send_one(srv, body, len, media, accept);
        free(body);
        if (sep == NULL) {
            break;
        }
        p = sep + sizeof(kSep) - 1;
        left -= len + sizeof(kSep) - 1;
    }
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
    cmc_server_free(srv);
#endif
    ERR_clear_error();
    cmc_error_clear();
    return 0;
}

FUZZ_ISOLATED_ENTRY(one_input)
