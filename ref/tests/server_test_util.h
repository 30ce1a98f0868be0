/* server_test_util.h: helpers shared by the server_*_test programs: an embedded server on the
 * fixed test clock, request builders on top of cmc/msg.h (the project's one codec), and
 * response reading, on top of test_util.h. Header-only (static inline) so unused helpers cost
 * nothing. */
#ifndef CMC_SERVER_TEST_UTIL_H
#define CMC_SERVER_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmc/server.h"
#include "test_util.h"

#define SU_CMC_REQUEST "application/pkcs7-mime; smime-type=CMC-request"
#define SU_PKCS10 "application/pkcs10"

/* The server and transport tests call the shared helpers of test_util.h by these names. */
static inline EVP_PKEY *su_key(const char *file) {
    return tu_key(file);
}

static inline X509 *su_cert(const char *file) {
    return tu_cert(file);
}

typedef void (*su_tweak)(cmc_server_config *cfg);

/* su_server_ex: the embedded configuration on the fixed test clock with a fixed seed,
 * changed by |tweak| (may be NULL). */
static inline cmc_server *su_server_ex(su_tweak tweak) {
    static const uint8_t kSeed[] = "cmckit server test seed";
    cmc_server_config *cfg = NULL;
    assert_int_equal(cmc_server_config_embedded(&cfg), CMC_OK);
    assert_int_equal(cmc_server_config_set_clock(cfg, CMC_FIXTURE_CLOCK), CMC_OK);
    assert_int_equal(cmc_server_config_set_seed(cfg, kSeed, sizeof(kSeed) - 1), CMC_OK);
    if (tweak != NULL) {
        tweak(cfg);
    }
    cmc_server *srv = NULL;
    assert_int_equal(cmc_server_new(&srv, cfg), CMC_OK);
    cmc_server_config_free(cfg);
    return srv;
}

static inline cmc_server *su_server(void) {
    return su_server_ex(NULL);
}

static inline X509_REQ *su_p10(const char *key_file, const char *subject) {
    EVP_PKEY *k = su_key(key_file);
    cmc_req_options o;
    memset(&o, 0, sizeof(o));
    o.subject = subject;
    X509_REQ *req = NULL;
    assert_int_equal(cmc_p10_build(&req, k, &o), CMC_OK);
    EVP_PKEY_free(k);
    return req;
}

/* su_sign_ex signs |pd| as a Full PKI Request by the fixture officer |stem|
 * ("officer-both"); signer faults |faults|, message faults |sfaults|, |econtent_type| NULL =
 * id-cct-PKIData. */
static inline void su_sign_ex(uint8_t **out, size_t *out_len, const uint8_t *pd, size_t pd_len,
                              const char *stem, uint32_t faults, uint32_t sfaults,
                              const char *econtent_type) {
    char key_file[128];
    char cert_file[128];
    TU_SNPRINTF(key_file, sizeof(key_file), "%s.key.pem", stem);
    TU_SNPRINTF(cert_file, sizeof(cert_file), "%s.cert.pem", stem);
    tu_sign(out, out_len, pd, pd_len, key_file, cert_file, 0, faults, sfaults, econtent_type);
}

/* su_sign_builder: encode |b| and sign it by |stem| without faults. */
static inline void su_sign_builder(uint8_t **out, size_t *out_len, cmc_pki_data_builder *b,
                                   const char *stem) {
    uint8_t *pd = NULL;
    size_t pd_len = 0;
    assert_int_equal(cmc_pki_data_builder_to_der(b, &pd, &pd_len), CMC_OK);
    su_sign_ex(out, out_len, pd, pd_len, stem, 0, 0, NULL);
    cmc_free(pd);
}

static inline void su_post(cmc_server *srv, const uint8_t *body, size_t len, const char *mt,
                           const char *accept, cmc_http_response *resp) {
    cmc_http_request req = {body, len, mt, accept};
    assert_int_equal(cmc_server_handle(srv, &req, resp), CMC_OK);
}

/* su_read decodes a 200 answer; a Full PKI Response must verify and chain to the fixture
 * CA with id-kp-cmcCA. */
static inline void su_read(const cmc_http_response *resp, cmc_response *r) {
    assert_int_equal(resp->http_status, 200);
    cmc_response_init(r);
    X509_STORE *trust = tu_store();
    cmc_verify_options vo;
    memset(&vo, 0, sizeof(vo));
    vo.trust = trust;
    vo.verify_time = CMC_FIXTURE_CLOCK;
    vo.required_eku = CMC_OID_KP_CMC_CA;
    assert_int_equal(cmc_response_read(r, resp->body, resp->body_len, resp->media_type, &vo),
                     CMC_OK);
    if (getenv("SU_DEBUG") != NULL) {
        for (size_t i = 0; i < r->num_statuses; i++) {
            fprintf(stderr, "  status[%zu] %ld/%ld about %lld: %s\n", i, r->statuses[i].status,
                    r->statuses[i].fail_info,
                    (long long)(r->statuses[i].num_body_list ? r->statuses[i].body_list[0] : -1),
                    r->statuses[i].status_string ? r->statuses[i].status_string : "");
        }
    }
    if (r->kind == CMC_RESPONSE_FULL) {
        assert_int_equal(r->verify_status, CMC_OK);
        assert_string_equal(resp->media_type, "application/pkcs7-mime; smime-type=CMC-response");
    }
    X509_STORE_free(trust);
}

/* su_expect asserts a status entry about |bpid| with |status| / |fail_info| (-1: none). */
static inline const cmc_response_status *su_expect(const cmc_response *r, int64_t bpid, long status,
                                                   long fail_info) {
    assert_int_equal(r->kind, CMC_RESPONSE_FULL);
    const cmc_response_status *s = cmc_response_find_status(r, bpid);
    if (s == NULL) {
        fail_msg("no status about body part %lld", (long long)bpid);
    }
    assert_int_equal(s->v2, 1);
    if (s->status != status || s->fail_info != fail_info) {
        fail_msg("body part %lld: status %ld failInfo %ld (\"%s\"), want %ld / %ld",
                 (long long)bpid, s->status, s->fail_info, s->status_string ? s->status_string : "",
                 status, fail_info);
    }
    return s;
}

static inline void su_expect_text(const cmc_response_status *s, const char *prefix) {
    assert_non_null(s->status_string);
    if (strncmp(s->status_string, prefix, strlen(prefix)) != 0) {
        fail_msg("statusString \"%s\" does not start with \"%s\"", s->status_string, prefix);
    }
}

/* su_enroll_as: a Full PKI Request with one tcr (ID 1) for |key_file| signed by |stem|;
 * posts it and reads the answer into |r|. */
static inline void su_enroll_as(cmc_server *srv, const char *stem, const char *key_file,
                                const char *accept, cmc_http_response *resp, cmc_response *r) {
    cmc_pki_data_builder *b = NULL;
    assert_int_equal(cmc_pki_data_builder_new(&b), CMC_OK);
    X509_REQ *req = su_p10(key_file, "/O=cmckit test/CN=server test ee");
    assert_int_equal(cmc_pki_data_builder_add_tcr(b, NULL, 1, req), CMC_OK);
    uint8_t *body = NULL;
    size_t len = 0;
    su_sign_builder(&body, &len, b, stem);
    su_post(srv, body, len, SU_CMC_REQUEST, accept, resp);
    su_read(resp, r);
    cmc_free(body);
    X509_REQ_free(req);
    cmc_pki_data_builder_free(b);
}

/* su_enroll: issue a certificate for |key_file| through officer-both; returns it (new). */
static inline X509 *su_enroll(cmc_server *srv, const char *key_file) {
    cmc_http_response resp;
    cmc_response r;
    su_enroll_as(srv, "officer-both", key_file, NULL, &resp, &r);
    assert_int_equal(r.kind, CMC_RESPONSE_CERTS_ONLY);
    X509 *ee = NULL;
    for (int i = 0; i < sk_X509_num(r.certs); i++) {
        X509 *x = sk_X509_value(r.certs, i);
        if (X509_check_ca(x) == 0) {
            ee = x;
        }
    }
    assert_non_null(ee);
    X509_up_ref(ee);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    return ee;
}

/* su_revoke: a revokeRequest (ID 1) for |cert| with |reason| signed by |stem|. */
static inline void su_revoke(cmc_server *srv, const char *stem, X509 *cert, long reason,
                             cmc_http_response *resp, cmc_response *r) {
    cmc_pki_data_builder *b = NULL;
    assert_int_equal(cmc_pki_data_builder_new(&b), CMC_OK);
    cmc_revoke_spec spec;
    memset(&spec, 0, sizeof(spec));
    spec.issuer = X509_get_issuer_name(cert);
    spec.serial = X509_get0_serialNumber(cert);
    spec.reason = reason;
    assert_int_equal(cmc_pki_data_builder_add_revoke_request(b, NULL, 1, &spec), CMC_OK);
    uint8_t *body = NULL;
    size_t len = 0;
    su_sign_builder(&body, &len, b, stem);
    su_post(srv, body, len, SU_CMC_REQUEST, NULL, resp);
    su_read(resp, r);
    cmc_free(body);
    cmc_pki_data_builder_free(b);
}

/* su_state: getCert (ID 1) through officer-both; returns the parsed state and checks the
 * certificate came back. */
static inline cmc_cert_state su_state(cmc_server *srv, X509 *cert) {
    cmc_pki_data_builder *b = NULL;
    assert_int_equal(cmc_pki_data_builder_new(&b), CMC_OK);
    assert_int_equal(cmc_pki_data_builder_add_get_cert(b, NULL, 1, X509_get_issuer_name(cert),
                                                       X509_get0_serialNumber(cert)),
                     CMC_OK);
    uint8_t *body = NULL;
    size_t len = 0;
    su_sign_builder(&body, &len, b, "officer-both");
    cmc_http_response resp;
    cmc_response r;
    su_post(srv, body, len, SU_CMC_REQUEST, NULL, &resp);
    su_read(&resp, &r);
    const cmc_response_status *s = su_expect(&r, 1, CMC_STATUS_SUCCESS, -1);
    cmc_cert_state st;
    assert_int_equal(cmc_cert_state_parse(&st, s->status_string), CMC_OK);
    int found = 0;
    for (int i = 0; i < sk_X509_num(r.certs); i++) {
        found |= X509_cmp(sk_X509_value(r.certs, i), cert) == 0;
    }
    assert_true(found);
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    cmc_free(body);
    cmc_pki_data_builder_free(b);
    return st;
}

static inline int su_run(const char *cmd) {
    return tu_run(cmd);
}

static inline const char *su_tmp_path(char *buf, size_t buf_len, const char *stem) {
    return tu_tmp_path(buf, buf_len, "server_test", stem);
}

static inline void su_write(const char *path, const uint8_t *data, size_t len) {
    tu_write_file(path, data, len);
}

static inline uint8_t *su_read_file(const char *path, size_t *out_len) {
    return tu_read_file(path, out_len);
}

#endif /* CMC_SERVER_TEST_UTIL_H */
