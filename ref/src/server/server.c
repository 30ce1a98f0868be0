/* server.c: the reference CMC server core (DESIGN.md "The reference server core").
 *
 * One request, in order:
 *   1. size limit (413), media type (415), Accept (ignored when malformed, RFC 9110 §12.5.1);
 *   2. sniff the bytes against the media type (spec/CMC.md §9.2 step 1);
 *   3. Full PKI Request: the three verification stages of cmc_signed_data_verify (message
 *      digest, content type, signature and signer path), then the officer registry and
 *      roles (stage 3 continued), then PKIData processing (RFC 5272 §3.2.1): controls first
 *      (unknown ones fail the whole PKIData, §3.2.1.2), then revokeRequest, getCert, and
 *      the reqSequence; Simple PKI Request: policy, then enrollment as body part 1;
 *   4. the answer: certs-only, pkix-cert or a Full PKI Response (choose_response).
 *
 * Thread safety: the server object is read-only after cmc_server_new except for the store
 * (internally locked) and the DRBG (internally locked), so cmc_server_handle may run on
 * several threads at once. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "asn1/cmc_tlv.h"
#include "cmc/media_type.h"
#include "cmc/msg.h"
#include "server/server_local.h"

/* Size of the server's own senderNonce (RFC 5272 §6.6: "fresh"; 128 bits is unguessable). */
#define CMC_SERVER_NONCE_BYTES 16
/* Longest statusString we build. */
#define CMC_STATUS_STRING_MAX 256

struct cmc_server {
    cmc_server_config *cfg;
    cmc_store *store;
    X509_STORE *trust;         /* officer trust anchors */
    STACK_OF(X509) *known;     /* officers and anchors: cmc_verify_options.known */
    EVP_MD_CTX *cert_sign_ctx; /* cmc_sign_ctx_new(ca_key); NULL for EdDSA */
    EVP_MD_CTX *resp_sign_ctx; /* cmc_sign_ctx_new(signer_key); NULL for EdDSA */
    cmc_drbg *drbg;            /* seeded test mode only; NULL = OS randomness */
};

/* ---- Life cycle ---- */

void cmc_http_response_cleanup(cmc_http_response *resp) {
    if (resp == NULL) {
        return;
    }
    OPENSSL_free(resp->body);
    memset(resp, 0, sizeof(*resp));
}

void cmc_server_free(cmc_server *srv) {
    if (srv == NULL) {
        return;
    }
    cmc_store_close(srv->store);
    X509_STORE_free(srv->trust);
    sk_X509_pop_free(srv->known, X509_free);
    EVP_MD_CTX_free(srv->cert_sign_ctx);
    EVP_MD_CTX_free(srv->resp_sign_ctx);
    cmc_drbg_free(srv->drbg);
    cmc_server_config_free(srv->cfg);
    OPENSSL_free(srv);
}

/* known_certs: the officers' certificates and the officer anchors, which requests carry
 * in SignedData.certificates; the verifier reuses these objects instead of decoding the
 * same keys again for every request. */
static cmc_status known_certs(STACK_OF(X509) **out, const cmc_server_config *cfg) {
    STACK_OF(X509) *k = sk_X509_new_null();
    if (k == NULL) {
        CMC_RAISE(CMC_E_NOMEM);
    }
    for (size_t i = 0; i < cfg->num_officers; i++) {
        if (!X509_add_cert(k, cfg->officers[i].cert, X509_ADD_FLAG_UP_REF)) {
            sk_X509_pop_free(k, X509_free);
            CMC_RAISE(CMC_E_NOMEM);
        }
    }
    for (int i = 0; i < sk_X509_num(cfg->anchors); i++) {
        if (!X509_add_cert(k, sk_X509_value(cfg->anchors, i), X509_ADD_FLAG_UP_REF)) {
            sk_X509_pop_free(k, X509_free);
            CMC_RAISE(CMC_E_NOMEM);
        }
    }
    *out = k;
    return CMC_OK;
}

/* seed_drbg makes the server's DRBG in seeded test mode (no-op otherwise). */
static cmc_status seed_drbg(cmc_server *srv) {
    const cmc_server_config *cfg = srv->cfg;
    if (cfg->seed_len == 0) {
        return CMC_OK;
    }
    /* Seed || number of certificates already stored: a reopened file store continues
     * with fresh serials instead of repeating the first run's. */
    uint64_t count = 0;
    CMC_TRY(cmc_store_count(srv->store, &count));
    uint8_t seed[CMC_MAX_SEED_BYTES + 8];
    memcpy(seed, cfg->seed, cfg->seed_len);
    for (int i = 0; i < 8; i++) {
        seed[cfg->seed_len + (size_t)i] = (uint8_t)(count >> (56 - 8 * i));
    }
    size_t seed_len = cfg->seed_len + 8;
    if (seed_len > CMC_DRBG_MAX_SEED) {
        seed_len = CMC_DRBG_MAX_SEED; /* a 64-byte seed leaves no room; count dropped */
    }
    return cmc_drbg_new(&srv->drbg, seed, seed_len);
}

cmc_status cmc_server_new(cmc_server **out, const cmc_server_config *cfg) {
    if (out == NULL || cfg == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    if (cfg->ca_cert == NULL || cfg->ca_key == NULL || cfg->signer_cert == NULL ||
        cfg->signer_key == NULL) {
        CMC_RAISE(CMC_E_CONFIG);
    }
    CMC_TRY(cmc_init());
    cmc_server *srv = OPENSSL_zalloc(sizeof(*srv));
    if (srv == NULL) {
        CMC_RAISE(CMC_E_NOMEM);
    }
    cmc_status st = cmc_server_config_dup(&srv->cfg, cfg);
    if (st == CMC_OK) {
        st = cmc_store_open(&srv->store, cfg->store_path);
    }
    if (st == CMC_OK) {
        srv->trust = X509_STORE_new();
        if (srv->trust == NULL) {
            st = cmc_error_raise(CMC_E_NOMEM, __FILE__, __LINE__);
        }
        for (int i = 0; st == CMC_OK && i < sk_X509_num(cfg->anchors); i++) {
            if (!X509_STORE_add_cert(srv->trust, sk_X509_value(cfg->anchors, i))) {
                st = cmc_error_raise(CMC_E_CRYPTO, __FILE__, __LINE__);
            }
        }
    }
    if (st == CMC_OK) {
        st = known_certs(&srv->known, srv->cfg);
    }
    if (st == CMC_OK) {
        st = cmc_sign_ctx_new(&srv->cert_sign_ctx, srv->cfg->ca_key, NULL, 0);
    }
    if (st == CMC_OK) {
        st = cmc_sign_ctx_new(&srv->resp_sign_ctx, srv->cfg->signer_key, NULL, 0);
    }
    if (st == CMC_OK) {
        st = seed_drbg(srv);
    }
    if (st != CMC_OK) {
        cmc_server_free(srv);
        return st;
    }
    *out = srv;
    return CMC_OK;
}

#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
/* dup_key replaces |*key| with a copy that shares no cached state with it. */
static cmc_status dup_key(EVP_PKEY **key) {
    EVP_PKEY *copy = EVP_PKEY_dup(*key);
    if (copy == NULL) {
        CMC_RAISE(CMC_E_NOMEM);
    }
    EVP_PKEY_free(*key);
    *key = copy;
    return CMC_OK;
}

/* fresh_keys: OpenSSL keeps per-key state between signatures: an RSA key's blinding values
 * are made on first use and remade every 32nd (BN_BLINDING_COUNTER), and the prepared
 * signing contexts share that key. Kept across inputs, that makes one input take different
 * paths from run to run (AFL++ server_handle stability 90% without, 99.7% with); fresh
 * copies of the CA and signer keys, and contexts prepared for them, start each input from
 * the same state, at the price of a new blinding (a modular inverse) per key per input. */
static cmc_status fresh_keys(cmc_server *srv) {
    int same = srv->cfg->signer_key == srv->cfg->ca_key;
    CMC_TRY(dup_key(&srv->cfg->ca_key));
    if (same) {
        if (!EVP_PKEY_up_ref(srv->cfg->ca_key)) {
            CMC_RAISE(CMC_E_CRYPTO);
        }
        EVP_PKEY_free(srv->cfg->signer_key);
        srv->cfg->signer_key = srv->cfg->ca_key;
    } else {
        CMC_TRY(dup_key(&srv->cfg->signer_key));
    }
    EVP_MD_CTX_free(srv->cert_sign_ctx);
    srv->cert_sign_ctx = NULL;
    EVP_MD_CTX_free(srv->resp_sign_ctx);
    srv->resp_sign_ctx = NULL;
    CMC_TRY(cmc_sign_ctx_new(&srv->cert_sign_ctx, srv->cfg->ca_key, NULL, 0));
    return cmc_sign_ctx_new(&srv->resp_sign_ctx, srv->cfg->signer_key, NULL, 0);
}

cmc_status cmc_server_fuzz_reset(cmc_server *srv, int new_keys) {
    if (new_keys) {
        CMC_TRY(fresh_keys(srv));
    }
    cmc_store_close(srv->store);
    srv->store = NULL;
    cmc_drbg_free(srv->drbg);
    srv->drbg = NULL;
    CMC_TRY(cmc_store_open(&srv->store, srv->cfg->store_path));
    return seed_drbg(srv);
}
#endif

/* ---- Per-request context ---- */

typedef struct {
    cmc_server *srv;
    const cmc_server_config *cfg;
    time_t now;
    cmc_media_accept accept;
    int simple; /* Simple PKI Request */
    cmc_pki_response_builder *rb;
    size_t num_statuses;
    int first_status, first_fail;
    int any_failure;
    int needs_full; /* something only a Full PKI Response can say */
    STACK_OF(X509) *issued;
    STACK_OF(X509) *found; /* getCert results */
    /* Echo material (lent from |pd| or |vf|). */
    const ASN1_INTEGER *transaction_id;
    const ASN1_OCTET_STRING *sender_nonce;
    const ASN1_OCTET_STRING *data_return;
    /* The signer. */
    const cmc_officer *officer; /* NULL if not a registered officer */
    int self_signed;            /* SKI signer using a request key */
    X509 *signer_cert;          /* lent from |vf| */
    cmc_http_response *resp_out;
    int answered; /* handle_full builds its answer while the echo material is alive */
} req_ctx;

static cmc_status add_status(req_ctx *c, long status, const int64_t *ids, size_t num_ids,
                             const char *text, long fail_info) {
    int64_t zero = 0;
    if (num_ids == 0) {
        ids = &zero;
        num_ids = 1;
    }
    CMC_TRY(cmc_pki_response_builder_add_status(c->rb, NULL, CMC_BPID_AUTO, status, ids, num_ids,
                                                text, fail_info));
    if (c->num_statuses == 0) {
        c->first_status = (int)status;
        c->first_fail = (int)fail_info;
    }
    c->num_statuses++;
    if (status != CMC_STATUS_SUCCESS) {
        c->any_failure = 1;
        c->needs_full = 1;
    }
    return CMC_OK;
}

static cmc_status fail1(req_ctx *c, int64_t id, long fail_info, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static cmc_status fail1(req_ctx *c, int64_t id, long fail_info, const char *fmt, ...) {
    char text[CMC_STATUS_STRING_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    return add_status(c, CMC_STATUS_FAILED, &id, 1, text, fail_info);
}

/* ---- Answers ---- */

static cmc_status answer_text(cmc_http_response *resp, int http_status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static cmc_status answer_text(cmc_http_response *resp, int http_status, const char *fmt, ...) {
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof(text) - 1, fmt, ap);
    va_end(ap);
    if (n < 0) {
        n = 0;
    }
    if ((size_t)n > sizeof(text) - 2) {
        n = (int)sizeof(text) - 2;
    }
    text[n++] = '\n';
    resp->body = OPENSSL_memdup(text, (size_t)n);
    if (resp->body == NULL) {
        CMC_RAISE(CMC_E_NOMEM);
    }
    resp->body_len = (size_t)n;
    resp->http_status = http_status;
    resp->cmc_status = -1;
    resp->fail_info = -1;
    snprintf(resp->media_type, sizeof(resp->media_type), "text/plain; charset=utf-8");
    return CMC_OK;
}

static void set_media(cmc_http_response *resp, cmc_media_type t) {
    snprintf(resp->media_type, sizeof(resp->media_type), "%s", cmc_media_type_str(t));
}

static cmc_status answer_full(req_ctx *c, cmc_http_response *resp) {
    const cmc_server_config *cfg = c->cfg;
    if (c->transaction_id != NULL) {
        uint8_t *der = NULL;
        int len = i2d_ASN1_INTEGER(c->transaction_id, &der);
        if (len <= 0) {
            CMC_RAISE(CMC_E_CRYPTO);
        }
        cmc_status st = cmc_pki_response_builder_add_transaction_id_der(c->rb, NULL, CMC_BPID_AUTO,
                                                                        der, (size_t)len);
        OPENSSL_free(der);
        CMC_TRY(st);
    }
    if (c->sender_nonce != NULL && !(cfg->faults & CMC_FAULT_DROP_RECIPIENT_NONCE)) {
        CMC_TRY(cmc_pki_response_builder_add_recipient_nonce(
            c->rb, NULL, CMC_BPID_AUTO, ASN1_STRING_get0_data(c->sender_nonce),
            (size_t)ASN1_STRING_length(c->sender_nonce)));
    }
    uint8_t nonce[CMC_SERVER_NONCE_BYTES];
    CMC_TRY(cmc_random_bytes(c->srv->drbg, nonce, sizeof(nonce)));
    CMC_TRY(cmc_pki_response_builder_add_sender_nonce(c->rb, NULL, CMC_BPID_AUTO, nonce,
                                                      sizeof(nonce)));
    if (c->data_return != NULL) {
        CMC_TRY(cmc_pki_response_builder_add_data_return(
            c->rb, NULL, CMC_BPID_AUTO, ASN1_STRING_get0_data(c->data_return),
            (size_t)ASN1_STRING_length(c->data_return)));
    }
    STACK_OF(X509) *certs = sk_X509_new_null();
    if (certs == NULL) {
        CMC_RAISE(CMC_E_NOMEM);
    }
    int ok = 1;
    for (int i = 0; i < sk_X509_num(c->issued); i++) {
        ok &= sk_X509_push(certs, sk_X509_value(c->issued, i)) > 0;
    }
    for (int i = 0; i < sk_X509_num(c->found); i++) {
        ok &= sk_X509_push(certs, sk_X509_value(c->found, i)) > 0;
    }
    if (cfg->include_chain && (sk_X509_num(c->issued) > 0 || sk_X509_num(c->found) > 0)) {
        ok &= sk_X509_push(certs, cfg->ca_cert) > 0;
    }
    if (!ok) {
        sk_X509_free(certs);
        CMC_RAISE(CMC_E_NOMEM);
    }
    cmc_signer signer;
    memset(&signer, 0, sizeof(signer));
    signer.key = cfg->signer_key;
    signer.cert = cfg->signer_cert;
    signer.sid = CMC_SID_ISSUER_SERIAL;
    signer.include_cert = 1;
    signer.sign_ctx = c->srv->resp_sign_ctx;
    cmc_status st = cmc_pki_response_builder_sign(c->rb, &resp->body, &resp->body_len, &signer,
                                                  certs, (int64_t)c->now);
    sk_X509_free(certs);
    CMC_TRY(st);
    resp->http_status = 200;
    resp->cmc_status = c->num_statuses > 0 ? c->first_status : CMC_STATUS_SUCCESS;
    resp->fail_info = c->num_statuses > 0 ? c->first_fail : -1;
    set_media(resp, CMC_MEDIA_CMC_RESPONSE);
    return CMC_OK;
}

static cmc_status answer_certs_only(req_ctx *c, cmc_http_response *resp) {
    STACK_OF(X509) *certs = X509_chain_up_ref(c->issued);
    if (certs == NULL) {
        CMC_RAISE(CMC_E_NOMEM);
    }
    if (c->cfg->include_chain && !(c->cfg->faults & CMC_FAULT_CERTS_ONLY_NO_CHAIN)) {
        X509_up_ref(c->cfg->ca_cert);
        if (!sk_X509_push(certs, c->cfg->ca_cert)) {
            X509_free(c->cfg->ca_cert);
            sk_X509_pop_free(certs, X509_free);
            CMC_RAISE(CMC_E_NOMEM);
        }
    }
    cmc_status st = cmc_certs_only_build(&resp->body, &resp->body_len, certs);
    sk_X509_pop_free(certs, X509_free);
    CMC_TRY(st);
    resp->http_status = 200;
    resp->cmc_status = CMC_STATUS_SUCCESS;
    resp->fail_info = -1;
    set_media(resp, CMC_MEDIA_CERTS_ONLY);
    return CMC_OK;
}

static cmc_status answer_pkix_cert(req_ctx *c, cmc_http_response *resp) {
    CMC_TRY(cmc_pkix_cert_encode(&resp->body, &resp->body_len, sk_X509_value(c->issued, 0)));
    resp->http_status = 200;
    resp->cmc_status = CMC_STATUS_SUCCESS;
    resp->fail_info = -1;
    set_media(resp, CMC_MEDIA_PKIX_CERT);
    return CMC_OK;
}

/* choose_response (RFC 5272 §3.1, §3.2, §4; RFC 9110 §12.5.1):
 * - anything but "certificates issued" (a failure, a revocation, getCert, dataReturn) needs
 *   a Full PKI Response, whatever Accept says;
 * - otherwise the candidates are certs-only, pkix-cert (exactly one certificate issued) and
 *   the Full PKI Response. The RFC default comes first: certs-only, except for a Full PKI
 *   Request carrying transactionId or senderNonce, whose echo needs the Full PKI Response
 *   (§6.6). The highest Accept weight wins; ties go to the default order. */
static cmc_status answer(req_ctx *c, cmc_http_response *resp) {
    if (c->needs_full || sk_X509_num(c->issued) == 0) {
        return answer_full(c, resp);
    }
    cmc_media_type order[3];
    size_t n = 0;
    int echo = !c->simple && (c->transaction_id != NULL || c->sender_nonce != NULL);
    if (echo) {
        order[n++] = CMC_MEDIA_CMC_RESPONSE;
        order[n++] = CMC_MEDIA_CERTS_ONLY;
    } else {
        order[n++] = CMC_MEDIA_CERTS_ONLY;
        order[n++] = CMC_MEDIA_CMC_RESPONSE;
    }
    if (sk_X509_num(c->issued) == 1) {
        order[n++] = CMC_MEDIA_PKIX_CERT;
    }
    cmc_media_type best = order[0];
    for (size_t i = 1; i < n; i++) {
        if (c->accept.q[order[i]] > c->accept.q[best]) {
            best = order[i];
        }
    }
    switch (best) {
    case CMC_MEDIA_CERTS_ONLY:
        return answer_certs_only(c, resp);
    case CMC_MEDIA_PKIX_CERT:
        return answer_pkix_cert(c, resp);
    default:
        return answer_full(c, resp);
    }
}

/* ---- Enrollment ---- */

/* pop_failed: failed/popFailed on body part |id| with the message layer's reason (the
 * record of the cmc_p10_verify_pop / cmc_crmf_verify_pop failure just raised). */
static cmc_status pop_failed(req_ctx *c, int64_t id) {
    const cmc_error_record *e = cmc_error_last();
    char why[sizeof(e->detail)];
    snprintf(why, sizeof(why), "%s", e->detail[0] ? e->detail : cmc_status_str(e->code));
    ERR_clear_error();
    return fail1(c, id, CMC_FAIL_POP_FAILED, "proof of possession failed: %s", why);
}

/* enroll_p10: key policy, POP (cmc_p10_verify_pop: the self-signature; id-alg-noSignature
 * gives no POP), signature algorithm policy and issuance of one PKCS#10 request as body
 * part |id|. */
static cmc_status enroll_p10_key(req_ctx *c, int64_t id, X509_REQ *req, EVP_PKEY *pub) {
    if (!cmc_server_key_allowed(c->cfg, pub)) {
        return fail1(c, id, CMC_FAIL_BAD_ALG, "public key type or size not allowed by policy");
    }
    if (cmc_p10_verify_pop_key(req, pub) != CMC_OK) {
        return pop_failed(c, id);
    }
    const X509_ALGOR *alg = NULL;
    X509_REQ_get0_signature(req, NULL, &alg);
    if (!cmc_server_sig_alg_allowed(c->cfg, alg, pub)) {
        return fail1(c, id, CMC_FAIL_BAD_ALG, "PKCS#10 signature algorithm not allowed");
    }
    const X509_NAME *subject = X509_REQ_get_subject_name(req);
    if (X509_NAME_entry_count(subject) == 0) {
        return fail1(c, id, CMC_FAIL_BAD_REQUEST, "empty subject refused (RFC 5272 §3.2.1.2.1)");
    }
    STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
    ERR_clear_error();
    X509 *cert = NULL;
    cmc_status st = cmc_server_issue(&cert, c->cfg, c->srv->drbg, c->now, subject, pub,
                                     X509_REQ_get_X509_PUBKEY(req), exts, c->srv->cert_sign_ctx);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    if (st == CMC_OK) {
        st = cmc_store_add(c->srv->store, cert, c->now);
    }
    if (st != CMC_OK) {
        X509_free(cert);
        return fail1(c, id, CMC_FAIL_INTERNAL_CA_ERROR, "issuance failed: %s", cmc_status_str(st));
    }
    if (!sk_X509_push(c->issued, cert)) {
        X509_free(cert);
        CMC_RAISE(CMC_E_NOMEM);
    }
    return add_status(c, CMC_STATUS_SUCCESS, &id, 1, "certificate issued", -1);
}

/* enroll_p10: enroll_p10_key with the request's key, which requests parsed with
 * CMC_PARSE_RAW_KEYS carry undecoded (cmc_spki_get1_pkey builds it). */
static cmc_status enroll_p10(req_ctx *c, int64_t id, X509_REQ *req) {
    EVP_PKEY *pub = NULL;
    if (cmc_spki_get1_pkey(&pub, X509_REQ_get_X509_PUBKEY(req)) != CMC_OK) {
        ERR_clear_error();
        return fail1(c, id, CMC_FAIL_BAD_REQUEST, "PKCS#10 public key does not decode");
    }
    cmc_status st = enroll_p10_key(c, id, req, pub);
    EVP_PKEY_free(pub);
    return st;
}

static cmc_status enroll_crm(req_ctx *c, int64_t id, const OSSL_CRMF_MSG *crm) {
    EVP_PKEY *pub = NULL;
    if (cmc_server_crmf_public_key(&pub, crm) != CMC_OK) {
        return fail1(c, id, CMC_FAIL_BAD_REQUEST, "CRMF certTemplate has no usable publicKey");
    }
    cmc_status st = CMC_OK;
    const OSSL_CRMF_CERTTEMPLATE *tmpl = OSSL_CRMF_MSG_get0_tmpl(crm);
    const X509_NAME *subject = OSSL_CRMF_CERTTEMPLATE_get0_subject(tmpl);
    X509_ALGOR *pop_alg = NULL;
    if (!cmc_server_key_allowed(c->cfg, pub)) {
        st = fail1(c, id, CMC_FAIL_BAD_ALG, "public key type or size not allowed by policy");
    } else if (cmc_crmf_verify_pop(crm) != CMC_OK) {
        st = pop_failed(c, id);
    } else if (cmc_server_crmf_pop_alg(&pop_alg, crm) != CMC_OK ||
               !cmc_server_sig_alg_allowed(c->cfg, pop_alg, pub)) {
        st = fail1(c, id, CMC_FAIL_BAD_ALG, "CRMF POPOSigningKey algorithm not allowed");
    } else if (subject == NULL || X509_NAME_entry_count(subject) == 0) {
        st = fail1(c, id, CMC_FAIL_BAD_REQUEST, "empty or absent subject refused");
    } else {
        X509 *cert = NULL;
        cmc_status s =
            cmc_server_issue(&cert, c->cfg, c->srv->drbg, c->now, subject, pub, NULL,
                             OSSL_CRMF_CERTTEMPLATE_get0_extensions(tmpl), c->srv->cert_sign_ctx);
        if (s == CMC_OK) {
            s = cmc_store_add(c->srv->store, cert, c->now);
        }
        if (s != CMC_OK) {
            X509_free(cert);
            st = fail1(c, id, CMC_FAIL_INTERNAL_CA_ERROR, "issuance failed: %s", cmc_status_str(s));
        } else if (!sk_X509_push(c->issued, cert)) {
            X509_free(cert);
            st = cmc_error_raise(CMC_E_NOMEM, __FILE__, __LINE__);
        } else {
            st = add_status(c, CMC_STATUS_SUCCESS, &id, 1, "certificate issued", -1);
        }
    }
    X509_ALGOR_free(pop_alg);
    EVP_PKEY_free(pub);
    return st;
}

/* ---- Simple PKI Request (RFC 5272 §3.1) ---- */

static cmc_status handle_simple(req_ctx *c, const uint8_t *body, size_t len) {
    X509_REQ *req = NULL;
    /* DER required: the PKCS#10 signature is over the DER CertificationRequestInfo. */
    cmc_status st = cmc_item_parse((void **)&req, ASN1_ITEM_rptr(X509_REQ), body, len, 0x30,
                                   CMC_PARSE_RAW_KEYS);
    if (st != CMC_OK) {
        ERR_clear_error();
        return fail1(c, 0, CMC_FAIL_BAD_REQUEST, "body is not a DER PKCS#10 request: %s",
                     cmc_status_str(st));
    }
    /* A parsed Simple PKI Request is reported against body part 1 (RFC 5272 §3.1). */
    if (c->cfg->require_officer_for_enrollment) {
        st = fail1(c, 1, CMC_FAIL_BAD_REQUEST,
                   "Simple PKI Request refused by policy: enrollment needs an officer-signed "
                   "Full PKI Request");
    } else {
        st = enroll_p10(c, 1, req);
    }
    X509_REQ_free(req);
    return st;
}

/* ---- Full PKI Request (RFC 5272 §3.2) ---- */

/* One control, classified. */
typedef struct {
    int64_t id;
    int number; /* N of id-cmc-N, -1 if not an id-cmc OID */
    const CMC_TAGGED_ATTRIBUTE *attr;
} ctrl_ref;

static int64_t bpid(const ASN1_INTEGER *a) {
    uint32_t v = 0;
    if (cmc_body_part_id_get(&v, a) != CMC_OK) {
        return 0; /* cannot happen after cmc_pki_data_parse's body part checks */
    }
    return (int64_t)v;
}

/* single_value_der: the DER of a control's only attrValues element, or NULL. */
static uint8_t *single_value_der(const CMC_TAGGED_ATTRIBUTE *a, size_t *out_len) {
    if (sk_ASN1_TYPE_num(a->attrValues) != 1) {
        return NULL;
    }
    uint8_t *der = NULL;
    int len = i2d_ASN1_TYPE(sk_ASN1_TYPE_value(a->attrValues, 0), &der);
    if (len <= 0) {
        ERR_clear_error();
        return NULL;
    }
    *out_len = (size_t)len;
    return der;
}

static const ASN1_TYPE *single_value(const CMC_TAGGED_ATTRIBUTE *a, int type) {
    if (sk_ASN1_TYPE_num(a->attrValues) != 1) {
        return NULL;
    }
    const ASN1_TYPE *t = sk_ASN1_TYPE_value(a->attrValues, 0);
    return ASN1_TYPE_get(t) == type ? t : NULL;
}

static const char *control_name(int n) {
    const cmc_control_info *info = n > 0 ? cmc_control_lookup(n) : NULL;
    return info != NULL ? info->name : "unknown";
}

static cmc_status do_revoke(req_ctx *c, const ctrl_ref *r) {
    size_t len = 0;
    uint8_t *der = single_value_der(r->attr, &len);
    CMC_REVOKE_REQUEST *rr = NULL;
    cmc_status st = der == NULL ? CMC_E_DER
                                : cmc_item_parse((void **)&rr, ASN1_ITEM_rptr(CMC_REVOKE_REQUEST),
                                                 der, len, 0x30, CMC_PARSE_ALLOW_BER);
    OPENSSL_free(der);
    if (st != CMC_OK) {
        ERR_clear_error();
        return fail1(c, r->id, CMC_FAIL_BAD_REQUEST, "revokeRequest value does not parse: %s",
                     cmc_status_str(st));
    }
    /* Only issuerName, serialNumber and reason are used; invalidityDate, passphrase and
     * comment are accepted and ignored (spec/CMC.md §12). */
    int64_t reason = -1;
    if (!ASN1_ENUMERATED_get_int64(&reason, rr->reason)) {
        ERR_clear_error();
        reason = -1;
    }
    unsigned allowed = c->cfg->revocation_reasons;
    if (c->cfg->faults & CMC_FAULT_ACCEPT_REASON_2) {
        allowed |= 1u << 2;
    }
    if (reason < 0 || reason > CMC_CRL_REASON_MAX || reason == 7) {
        st = fail1(c, r->id, CMC_FAIL_BAD_REQUEST, "reason %lld is not a CRLReason code",
                   (long long)reason);
    } else if (!(allowed & (1u << reason))) {
        st = fail1(c, r->id, CMC_FAIL_BAD_REQUEST, "reason %lld (%s) is not allowed by policy",
                   (long long)reason, cmc_crl_reason_name((long)reason));
    } else if (X509_NAME_cmp(rr->issuerName, X509_get_subject_name(c->cfg->ca_cert)) != 0) {
        st = fail1(c, r->id, CMC_FAIL_BAD_CERT_ID, "issuerName is not this CA");
    } else {
        cmc_status s =
            cmc_store_revoke(c->srv->store, rr->issuerName, rr->serialNumber, (int)reason, c->now);
        if (s == CMC_OK) {
            char text[CMC_CERT_STATE_STR_MAX];
            cmc_cert_state cs = {1, (int)reason, c->now};
            cmc_cert_state_format(text, &cs);
            st = add_status(c, CMC_STATUS_SUCCESS, &r->id, 1, text, -1);
        } else if (s == CMC_E_BAD_CERT_ID) {
            st = fail1(c, r->id, CMC_FAIL_BAD_CERT_ID,
                       "no certificate with this serial number issued by this CA");
        } else if (s == CMC_E_ALREADY_REVOKED) {
            st = fail1(c, r->id, CMC_FAIL_BAD_REQUEST, "already revoked");
        } else {
            st = fail1(c, r->id, s == CMC_E_BUSY ? CMC_FAIL_TRY_LATER : CMC_FAIL_INTERNAL_CA_ERROR,
                       "store: %s", cmc_status_str(s));
        }
    }
    CMC_REVOKE_REQUEST_free(rr);
    return st;
}

static cmc_status do_get_cert(req_ctx *c, const ctrl_ref *r) {
    size_t len = 0;
    uint8_t *der = single_value_der(r->attr, &len);
    CMC_GET_CERT *gc = NULL;
    cmc_status st = der == NULL ? CMC_E_DER
                                : cmc_item_parse((void **)&gc, ASN1_ITEM_rptr(CMC_GET_CERT), der,
                                                 len, 0x30, CMC_PARSE_ALLOW_BER);
    OPENSSL_free(der);
    if (st != CMC_OK) {
        ERR_clear_error();
        return fail1(c, r->id, CMC_FAIL_BAD_REQUEST, "getCert value does not parse: %s",
                     cmc_status_str(st));
    }
    const X509_NAME *ca = X509_get_subject_name(c->cfg->ca_cert);
    X509 *cert = NULL;
    cmc_cert_state cs;
    if (gc->issuerName->type != GEN_DIRNAME ||
        X509_NAME_cmp(gc->issuerName->d.directoryName, ca) != 0) {
        st = fail1(c, r->id, CMC_FAIL_BAD_CERT_ID, "issuerName is not this CA");
    } else {
        cmc_status s = cmc_store_get(c->srv->store, ca, gc->serialNumber, &cert, &cs);
        if (s == CMC_E_BAD_CERT_ID) {
            st = fail1(c, r->id, CMC_FAIL_BAD_CERT_ID,
                       "no certificate with this serial number issued by this CA");
        } else if (s != CMC_OK) {
            st = fail1(c, r->id, CMC_FAIL_INTERNAL_CA_ERROR, "store: %s", cmc_status_str(s));
        } else if (!sk_X509_push(c->found, cert)) {
            X509_free(cert);
            st = cmc_error_raise(CMC_E_NOMEM, __FILE__, __LINE__);
        } else {
            char text[CMC_CERT_STATE_STR_MAX];
            cmc_cert_state_format(text, &cs);
            c->needs_full = 1; /* the state is only visible in a Full PKI Response */
            st = add_status(c, CMC_STATUS_SUCCESS, &r->id, 1, text, -1);
        }
    }
    CMC_GET_CERT_free(gc);
    return st;
}

/* Roles stage 3 needs for the operations in |pd|. */
static unsigned needed_roles(const CMC_PKI_DATA *pd, size_t num_revoke) {
    unsigned roles = 0;
    if (sk_CMC_TAGGED_REQUEST_num(pd->reqSequence) > 0) {
        roles |= CMC_ROLE_ENROLL;
    }
    if (num_revoke > 0) {
        roles |= CMC_ROLE_REVOKE;
    }
    return roles;
}

static cmc_status officer_check(req_ctx *c, unsigned needed, int *refused) {
    *refused = 1;
    const cmc_server_config *cfg = c->cfg;
    if ((needed & CMC_ROLE_REVOKE) && c->officer == NULL) {
        return fail1(c, 0, CMC_FAIL_BAD_REQUEST,
                     "stage 3 (officer): signer is not a registered officer; revocation needs "
                     "an officer with the revoke role");
    }
    if ((needed & CMC_ROLE_ENROLL) && c->officer == NULL && cfg->require_officer_for_enrollment) {
        return fail1(c, 0, CMC_FAIL_BAD_REQUEST,
                     "stage 3 (officer): signer is not a registered officer; policy requires "
                     "an officer for enrollment");
    }
    if (c->officer != NULL) {
        unsigned have = c->officer->roles;
        if ((cfg->faults & CMC_FAULT_ENROLL_CAN_REVOKE) && (have & CMC_ROLE_ENROLL)) {
            have |= CMC_ROLE_REVOKE;
        }
        if ((needed & CMC_ROLE_ENROLL) && !(have & CMC_ROLE_ENROLL) &&
            cfg->require_officer_for_enrollment) {
            return fail1(c, 0, CMC_FAIL_BAD_REQUEST,
                         "stage 3 (officer): officer %s lacks the enroll role", c->officer->name);
        }
        if ((needed & CMC_ROLE_REVOKE) && !(have & CMC_ROLE_REVOKE)) {
            return fail1(c, 0, CMC_FAIL_BAD_REQUEST,
                         "stage 3 (officer): officer %s lacks the revoke role", c->officer->name);
        }
    }
    *refused = 0;
    return CMC_OK;
}

static cmc_status process_pki_data(req_ctx *c, const CMC_PKI_DATA *pd) {
    int num_ctrl = sk_CMC_TAGGED_ATTRIBUTE_num(pd->controlSequence);
    ctrl_ref *refs = OPENSSL_zalloc(sizeof(*refs) * (size_t)(num_ctrl > 0 ? num_ctrl : 1));
    if (refs == NULL) {
        CMC_RAISE(CMC_E_NOMEM);
    }
    cmc_status st = CMC_OK;
    int64_t unsupported[CMC_MAX_BODY_PARTS];
    size_t num_unsupported = 0;
    int64_t revokes[CMC_MAX_BODY_PARTS];
    size_t num_revoke = 0, num_revoke_values = 0;
    char names[160] = "";
    /* Stage 3, continued, before anything in the PKIData is acted on or reported: the
     * officer's roles for every operation in the request. */
    size_t pre_revoke = 0;
    for (int i = 0; i < num_ctrl; i++) {
        const CMC_TAGGED_ATTRIBUTE *a = sk_CMC_TAGGED_ATTRIBUTE_value(pd->controlSequence, i);
        pre_revoke += cmc_control_number(a->attrType) == CMC_CTRL_REVOKE_REQUEST;
    }
    int refused = 0;
    st = officer_check(c, needed_roles(pd, pre_revoke), &refused);
    if (st != CMC_OK || refused) {
        goto out;
    }
    /* Controls listed in a controlProcessed control (RFC 5272 §6.19) were handled by an RA
     * on the way; only a registered officer (our RA) may say so. */
    int64_t processed[CMC_MAX_BODY_PARTS];
    size_t num_processed = 0;

    for (int i = 0; i < num_ctrl; i++) {
        const CMC_TAGGED_ATTRIBUTE *a = sk_CMC_TAGGED_ATTRIBUTE_value(pd->controlSequence, i);
        refs[i].id = bpid(a->bodyPartID);
        refs[i].number = cmc_control_number(a->attrType);
        refs[i].attr = a;
        if (refs[i].number == CMC_CTRL_CONTROL_PROCESSED && c->officer != NULL) {
            /* ControlsProcessed ::= SEQUENCE { bodyList SEQUENCE SIZE(1..MAX) OF
             * BodyPartReference }: read the plain BodyPartIDs (paths point into nested
             * layers, which this server does not process). */
            size_t len = 0;
            uint8_t *der = single_value_der(a, &len);
            cmc_tlv outer, list;
            if (der != NULL && cmc_tlv_header(&outer, der, len) == CMC_OK && outer.id == 0x30 &&
                !outer.indefinite &&
                cmc_tlv_header(&list, der + outer.hdr_len, outer.len) == CMC_OK &&
                list.id == 0x30 && !list.indefinite) {
                const uint8_t *p = der + outer.hdr_len + list.hdr_len;
                const uint8_t *end = p + list.len;
                while (p < end && num_processed < CMC_MAX_BODY_PARTS) {
                    cmc_tlv e;
                    if (cmc_tlv_header(&e, p, (size_t)(end - p)) != CMC_OK || e.indefinite) {
                        break;
                    }
                    if (e.id == 0x02) {
                        const uint8_t *q = p;
                        ASN1_INTEGER *ai = d2i_ASN1_INTEGER(NULL, &q, (long)(e.hdr_len + e.len));
                        uint32_t v;
                        if (ai != NULL && cmc_body_part_id_get(&v, ai) == CMC_OK) {
                            processed[num_processed++] = v;
                        }
                        ASN1_INTEGER_free(ai);
                    }
                    p += e.hdr_len + e.len;
                }
            }
            OPENSSL_free(der);
            ERR_clear_error();
        }
    }

    for (int i = 0; i < num_ctrl; i++) {
        ctrl_ref *r = &refs[i];
        int handled = 1;
        switch (r->number) {
        case CMC_CTRL_TRANSACTION_ID: {
            const ASN1_TYPE *t = single_value(r->attr, V_ASN1_INTEGER);
            if (t == NULL) {
                t = single_value(r->attr, V_ASN1_NEG_INTEGER);
            }
            if (t == NULL) {
                st = fail1(c, r->id, CMC_FAIL_BAD_REQUEST, "transactionId is not one INTEGER");
            } else {
                c->transaction_id = t->value.integer;
            }
            break;
        }
        case CMC_CTRL_SENDER_NONCE: {
            const ASN1_TYPE *t = single_value(r->attr, V_ASN1_OCTET_STRING);
            if (t == NULL) {
                st = fail1(c, r->id, CMC_FAIL_BAD_REQUEST, "senderNonce is not one OCTET STRING");
            } else {
                c->sender_nonce = t->value.octet_string;
            }
            break;
        }
        case CMC_CTRL_DATA_RETURN: {
            const ASN1_TYPE *t = single_value(r->attr, V_ASN1_OCTET_STRING);
            if (t == NULL) {
                st = fail1(c, r->id, CMC_FAIL_BAD_REQUEST, "dataReturn is not one OCTET STRING");
            } else {
                c->data_return = t->value.octet_string;
                c->needs_full = 1; /* RFC 5272 §6.4: MUST be returned */
            }
            break;
        }
        case CMC_CTRL_RECIPIENT_NONCE:
        case CMC_CTRL_REG_INFO:
            break; /* recognised; nothing to do (regInfo: no bilateral agreement) */
        case CMC_CTRL_REVOKE_REQUEST:
            if (num_revoke < CMC_MAX_BODY_PARTS) {
                revokes[num_revoke++] = r->id;
            }
            num_revoke_values += (size_t)sk_ASN1_TYPE_num(r->attr->attrValues);
            break;
        case CMC_CTRL_GET_CERT:
            break;
        case CMC_CTRL_CONTROL_PROCESSED:
            handled = c->officer != NULL;
            break;
        default:
            handled = 0;
            break;
        }
        if (st != CMC_OK) {
            goto out;
        }
        if (!handled) {
            int listed = 0;
            for (size_t k = 0; k < num_processed; k++) {
                listed |= processed[k] == r->id;
            }
            if (!listed && num_unsupported < CMC_MAX_BODY_PARTS) {
                unsupported[num_unsupported++] = r->id;
                size_t used = strlen(names);
                snprintf(names + used, sizeof(names) - used, "%s%s", used ? ", " : "",
                         control_name(r->number));
            }
        }
    }
    /* RFC 5272 §3.2.1.2: an unrecognised control fails the whole PKIData, bodyList = the
     * unknown controls. Nothing else is done. */
    if (num_unsupported > 0) {
        char text[CMC_STATUS_STRING_MAX];
        snprintf(text, sizeof(text), "unsupported control(s): %s (RFC 5272 §3.2.1.2)", names);
        st = add_status(c, CMC_STATUS_FAILED, unsupported, num_unsupported, text,
                        CMC_FAIL_BAD_REQUEST);
        goto out;
    }
    if (c->any_failure) {
        goto out; /* a malformed transactionId / nonce / dataReturn */
    }
    /* Revocation Request Control: one per request (spec/CMC.md §12). */
    if (num_revoke > 1 || num_revoke_values > 1) {
        st = add_status(c, CMC_STATUS_FAILED, revokes, num_revoke,
                        "more than one revokeRequest in one PKIData (one revocation per "
                        "request)",
                        CMC_FAIL_BAD_REQUEST);
        goto out;
    }
    for (int i = 0; i < num_ctrl && st == CMC_OK; i++) {
        if (refs[i].number == CMC_CTRL_REVOKE_REQUEST) {
            c->needs_full = 1; /* RFC 5272 §6.11: a Full PKI Response for every revocation */
            st = do_revoke(c, &refs[i]);
        } else if (refs[i].number == CMC_CTRL_GET_CERT) {
            st = do_get_cert(c, &refs[i]);
        }
    }
    /* reqSequence (RFC 5272 §3.2.1.2). An orm of a type we do not know: noSupport for it
     * and no other certification request is processed. */
    int num_req = sk_CMC_TAGGED_REQUEST_num(pd->reqSequence);
    int64_t orm_id = 0;
    for (int i = 0; i < num_req; i++) {
        const CMC_TAGGED_REQUEST *tr = sk_CMC_TAGGED_REQUEST_value(pd->reqSequence, i);
        if (tr->type == CMC_TAGGED_REQUEST_ORM) {
            orm_id = bpid(tr->value.orm->bodyPartID);
            break;
        }
    }
    for (int i = 0; i < num_req && st == CMC_OK; i++) {
        const CMC_TAGGED_REQUEST *tr = sk_CMC_TAGGED_REQUEST_value(pd->reqSequence, i);
        uint32_t idv = 0;
        if (cmc_tagged_request_body_part_id(&idv, tr) != CMC_OK) {
            continue;
        }
        int64_t id = idv;
        if (tr->type == CMC_TAGGED_REQUEST_ORM) {
            st = add_status(c, CMC_STATUS_NO_SUPPORT, &id, 1,
                            "other request message type not supported", -1);
        } else if (orm_id != 0) {
            st = fail1(c, id, CMC_FAIL_BAD_REQUEST,
                       "not processed: body part %lld is an unsupported orm request",
                       (long long)orm_id);
        } else if (tr->type == CMC_TAGGED_REQUEST_TCR) {
            st = enroll_p10(c, id, tr->value.tcr->certificationRequest);
        } else {
            st = enroll_crm(c, id, tr->value.crm);
        }
    }
out:
    OPENSSL_free(refs);
    return st;
}

static const cmc_officer *find_officer(const cmc_server_config *cfg, X509 *cert) {
    for (size_t i = 0; cert != NULL && i < cfg->num_officers; i++) {
        if (X509_cmp(cfg->officers[i].cert, cert) == 0) {
            return &cfg->officers[i];
        }
    }
    return NULL;
}

/* The keys a self-signed Full PKI Request may be signed with (RFC 5272 §3.2; spec/CMC.md
 * §1.2, §9.2 step 4): the public key of each tcr/crm of the PKIData that carries a
 * SubjectKeyIdentifier extension, with that extension's value as the key's identifier -
 * the SignerInfo's subjectKeyIdentifier must equal it (not merely a hash of the key). */
typedef struct {
    EVP_PKEY *keys[CMC_MAX_BODY_PARTS];
    ASN1_OCTET_STRING *skis[CMC_MAX_BODY_PARTS];
    const uint8_t *ids[CMC_MAX_BODY_PARTS];
    size_t id_lens[CMC_MAX_BODY_PARTS];
    size_t num;
} request_keys;

static void request_keys_cleanup(request_keys *rk) {
    for (size_t i = 0; i < rk->num; i++) {
        EVP_PKEY_free(rk->keys[i]);
        ASN1_OCTET_STRING_free(rk->skis[i]);
    }
    rk->num = 0;
}

/* request_ski: the SubjectKeyIdentifier extension value in |exts| (new), or NULL. */
static ASN1_OCTET_STRING *request_ski(const STACK_OF(X509_EXTENSION) *exts) {
    int crit = 0;
    ASN1_OCTET_STRING *ski = X509V3_get_d2i(exts, NID_subject_key_identifier, &crit, NULL);
    if (ski != NULL && ASN1_STRING_length(ski) <= 0) {
        ASN1_OCTET_STRING_free(ski);
        ski = NULL;
    }
    return ski;
}

static void collect_request_keys(request_keys *rk, const CMC_PKI_DATA *pd) {
    rk->num = 0;
    for (int i = 0; i < sk_CMC_TAGGED_REQUEST_num(pd->reqSequence) && rk->num < CMC_MAX_BODY_PARTS;
         i++) {
        const CMC_TAGGED_REQUEST *tr = sk_CMC_TAGGED_REQUEST_value(pd->reqSequence, i);
        EVP_PKEY *k = NULL;
        ASN1_OCTET_STRING *ski = NULL;
        if (tr->type == CMC_TAGGED_REQUEST_TCR) {
            X509_REQ *req = tr->value.tcr->certificationRequest;
            STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
            ski = request_ski(exts);
            sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
            if (ski != NULL && cmc_spki_get1_pkey(&k, X509_REQ_get_X509_PUBKEY(req)) != CMC_OK) {
                k = NULL;
            }
        } else if (tr->type == CMC_TAGGED_REQUEST_CRM) {
            ski = request_ski(
                OSSL_CRMF_CERTTEMPLATE_get0_extensions(OSSL_CRMF_MSG_get0_tmpl(tr->value.crm)));
            if (ski != NULL && cmc_server_crmf_public_key(&k, tr->value.crm) != CMC_OK) {
                k = NULL;
            }
        }
        if (k == NULL || ski == NULL) {
            EVP_PKEY_free(k);
            ASN1_OCTET_STRING_free(ski);
            continue;
        }
        rk->keys[rk->num] = k;
        rk->skis[rk->num] = ski;
        rk->ids[rk->num] = ASN1_STRING_get0_data(ski);
        rk->id_lens[rk->num] = (size_t)ASN1_STRING_length(ski);
        rk->num++;
    }
    ERR_clear_error();
}

static const char *stage3_reason(cmc_status st) {
    switch (st) {
    case CMC_E_SIGNER_EXPIRED:
        return "signer certificate expired";
    case CMC_E_SIGNER_NOT_YET_VALID:
        return "signer certificate not yet valid";
    case CMC_E_SIGNER_REVOKED:
        return "signer certificate revoked";
    default:
        return "signer certificate untrusted (no path to an officer trust anchor)";
    }
}

static cmc_status verify_full(req_ctx *c, cmc_verified *vf, const uint8_t *body, size_t len,
                              const request_keys *rk, unsigned flags) {
    cmc_verify_options vo;
    memset(&vo, 0, sizeof(vo));
    vo.trust = c->srv->trust;
    vo.known = c->srv->known;
    vo.verify_time = (int64_t)c->now;
    vo.flags = flags;
    if (rk != NULL) {
        vo.ski_keys = rk->keys;
        vo.ski_key_ids = rk->ids;
        vo.ski_key_id_lens = rk->id_lens;
        vo.num_ski_keys = rk->num;
    }
    cmc_verified_cleanup(vf);
    return cmc_signed_data_verify(vf, body, len, &vo);
}

static cmc_status handle_full(req_ctx *c, const uint8_t *body, size_t len,
                              const cmc_sniff_result *sn) {
    const cmc_server_config *cfg = c->cfg;
    if (sn->content_type_nid == NID_pkcs7_enveloped) {
        return fail1(c, 0, CMC_FAIL_BAD_MESSAGE_CHECK,
                     "EnvelopedData cannot be decrypted: this server has no key-management key "
                     "(RFC 5272 §3.2.1.3.3)");
    }
    if (sn->content_type_nid != NID_pkcs7_signed) {
        return fail1(c, 0, CMC_FAIL_BAD_REQUEST, "ContentInfo is %s, not SignedData",
                     sn->content_type_oid[0] ? sn->content_type_oid : "unknown");
    }
    unsigned vflags = 0;
    if (cfg->faults & CMC_FAULT_SKIP_DIGEST_CHECK) {
        vflags |= CMC_VERIFY_SKIP_DIGEST;
    }
    if (cfg->faults & CMC_FAULT_SKIP_CONTENT_TYPE) {
        vflags |= CMC_VERIFY_SKIP_CONTENT_TYPE;
    }
    cmc_verified vf;
    cmc_verified_init(&vf);
    CMC_PKI_DATA *pd = NULL;
    int self_signed_multi = 0;
    cmc_status vst = verify_full(c, &vf, body, len, NULL, vflags);
    /* The content is there (unauthenticated) whenever the SignedData parsed: parse it to
     * echo transactionId and nonces in a failure answer, and to find request keys. */
    cmc_status pst = CMC_E_DER;
    if (vf.content != NULL) {
        pst = cmc_pki_data_parse_ex(&pd, vf.content, vf.content_len,
                                    CMC_PARSE_ALLOW_BER | CMC_PARSE_RAW_KEYS);
    }
    if (vst == CMC_E_SIGNER_UNTRUSTED && !cfg->require_officer_for_enrollment && pd != NULL &&
        sk_CMC_TAGGED_REQUEST_num(pd->reqSequence) > 0) {
        /* Maybe signed with a request's own key (SKI signer). The first pass found no
         * certificate for some SignerInfo; if this pass verifies, a request key signed. */
        request_keys *rk = OPENSSL_zalloc(sizeof(*rk));
        if (rk == NULL) {
            cmc_pki_data_free(pd);
            cmc_verified_cleanup(&vf);
            CMC_RAISE(CMC_E_NOMEM);
        }
        collect_request_keys(rk, pd);
        cmc_status v2 = verify_full(c, &vf, body, len, rk, vflags);
        request_keys_cleanup(rk);
        OPENSSL_free(rk);
        if (v2 == CMC_OK && vf.num_signers != 1) {
            /* RFC 5272 §3.2: signed with a request's key: exactly one SignerInfo. */
            self_signed_multi = 1;
        } else if (v2 == CMC_OK && vf.ski_key_index >= 0) {
            vst = CMC_OK;
            c->self_signed = 1;
        } else if (v2 != CMC_E_SIGNER_UNTRUSTED) {
            vst = v2;
        }
    }
    if (pd != NULL) {
        /* Echo material (RFC 5272 §6.6), even for a failure answer. */
        for (int i = 0; i < sk_CMC_TAGGED_ATTRIBUTE_num(pd->controlSequence); i++) {
            const CMC_TAGGED_ATTRIBUTE *a = sk_CMC_TAGGED_ATTRIBUTE_value(pd->controlSequence, i);
            int n = cmc_control_number(a->attrType);
            const ASN1_TYPE *t;
            if (n == CMC_CTRL_TRANSACTION_ID && (t = single_value(a, V_ASN1_INTEGER)) != NULL) {
                c->transaction_id = t->value.integer;
            } else if (n == CMC_CTRL_SENDER_NONCE &&
                       (t = single_value(a, V_ASN1_OCTET_STRING)) != NULL) {
                c->sender_nonce = t->value.octet_string;
            }
        }
    }
    cmc_status st = CMC_OK;
    if (self_signed_multi) {
        st = fail1(c, 0, CMC_FAIL_BAD_REQUEST,
                   "stage 3 (officer): a Full PKI Request signed with a request's key must "
                   "have exactly one SignerInfo (RFC 5272 §3.2); it has %zu",
                   vf.num_signers);
        goto out;
    }
    switch (vst) {
    case CMC_OK:
        break;
    case CMC_E_DIGEST:
        st = fail1(c, 0, CMC_FAIL_BAD_MESSAGE_CHECK,
                   "stage 1 (message digest): messageDigest attribute does not match the "
                   "content");
        goto out;
    case CMC_E_CONTENT_TYPE:
        st = fail1(c, 0, CMC_FAIL_BAD_MESSAGE_CHECK,
                   "stage 2 (content type): eContentType is not id-cct-PKIData or the "
                   "content-type attribute is missing or different");
        goto out;
    case CMC_E_SIGNATURE:
        st =
            fail1(c, 0, CMC_FAIL_BAD_MESSAGE_CHECK, "stage 3 (officer): signature does not verify");
        goto out;
    case CMC_E_SIGNER_UNTRUSTED:
    case CMC_E_SIGNER_EXPIRED:
    case CMC_E_SIGNER_NOT_YET_VALID:
    case CMC_E_SIGNER_REVOKED:
        st = fail1(c, 0, CMC_FAIL_BAD_REQUEST, "stage 3 (officer): %s", stage3_reason(vst));
        goto out;
    case CMC_E_UNSIGNED:
        st = fail1(c, 0, CMC_FAIL_BAD_REQUEST,
                   "stage 3 (officer): SignedData has no signer; unsigned requests (passphrase "
                   "revocation) are refused by policy");
        goto out;
    case CMC_E_NOMEM:
    case CMC_E_INTERNAL:
        st = vst;
        goto out;
    default:
        st = fail1(c, 0, CMC_FAIL_BAD_REQUEST, "not a parsable Full PKI Request: %s",
                   cmc_status_str(vst));
        goto out;
    }
    /* Stage 3, algorithm policy: every SignerInfo's digest and signature algorithms and
     * its key ([policy] signature_algorithms), as for the requests' own signatures. */
    for (size_t i = 0; i < vf.num_signers; i++) {
        const cmc_verified_signer *vs = &vf.signers[i];
        if (!cmc_server_cms_alg_allowed(cfg, vs->digest_alg, vs->signature_alg, vs->key)) {
            char dig[64] = "?", sig[64] = "?";
            const char *type = vs->key != NULL ? EVP_PKEY_get0_type_name(vs->key) : NULL;
            if (vs->digest_alg != NULL) {
                OBJ_obj2txt(dig, sizeof(dig), vs->digest_alg->algorithm, 0);
            }
            if (vs->signature_alg != NULL) {
                OBJ_obj2txt(sig, sizeof(sig), vs->signature_alg->algorithm, 0);
            }
            st = fail1(c, 0, CMC_FAIL_BAD_ALG,
                       "stage 3 (officer): SignerInfo %zu: digest %s, signature %s, %s key of "
                       "%d bits not allowed by policy",
                       i + 1, dig, sig, type != NULL ? type : "unknown",
                       vs->key ? EVP_PKEY_get_bits(vs->key) : 0);
            goto out;
        }
    }
    c->signer_cert = vf.signer_cert;
    c->officer = find_officer(cfg, vf.signer_cert);
    if (vf.signer_cert != NULL) {
        /* An officer certificate this CA issued and revoked (stage 3: "revoked"). */
        cmc_cert_state cs;
        if (cmc_store_get(c->srv->store, X509_get_issuer_name(vf.signer_cert),
                          X509_get0_serialNumber(vf.signer_cert), NULL, &cs) == CMC_OK &&
            cs.revoked) {
            st = fail1(c, 0, CMC_FAIL_BAD_REQUEST, "stage 3 (officer): %s",
                       stage3_reason(CMC_E_SIGNER_REVOKED));
            goto out;
        }
    }
    if (pst != CMC_OK) {
        st = fail1(c, 0, CMC_FAIL_BAD_REQUEST, "PKIData does not parse: %s", cmc_status_str(pst));
        goto out;
    }
    (void)cmc_store_note(c->srv->store, c->transaction_id,
                         c->sender_nonce ? ASN1_STRING_get0_data(c->sender_nonce) : NULL,
                         c->sender_nonce ? (size_t)ASN1_STRING_length(c->sender_nonce) : 0, c->now);
    st = process_pki_data(c, pd);
    if (st == CMC_OK && c->num_statuses == 0) {
        /* Nothing to report per body part (e.g. only nonces): one success about the whole
         * PKIData so the response is never empty (RFC 5272 §6.1). */
        int64_t zero = 0;
        st = add_status(c, CMC_STATUS_SUCCESS, &zero, 1, NULL, -1);
        c->needs_full = 1;
    }
out:
    if (st == CMC_OK) {
        /* The answer is built after this function returns; keep what it lends. */
        if (answer(c, c->resp_out) != CMC_OK) {
            st = cmc_error_raise(CMC_E_INTERNAL, __FILE__, __LINE__);
        }
        c->answered = 1;
    }
    cmc_pki_data_free(pd);
    cmc_verified_cleanup(&vf);
    return st;
}

/* ---- Entry point ---- */

cmc_status cmc_server_handle(cmc_server *srv, const cmc_http_request *req,
                             cmc_http_response *resp) {
    if (resp == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    memset(resp, 0, sizeof(*resp));
    resp->cmc_status = -1;
    resp->fail_info = -1;
    if (srv == NULL || req == NULL || (req->body == NULL && req->body_len > 0)) {
        (void)answer_text(resp, 500, "internal error: invalid arguments");
        CMC_RAISE(CMC_E_ARG);
    }
    const cmc_server_config *cfg = srv->cfg;
    if (req->body_len > cfg->max_body_bytes) {
        return answer_text(resp, 413, "request body of %zu bytes exceeds the limit of %zu bytes",
                           req->body_len, cfg->max_body_bytes);
    }
    cmc_media_type mt = CMC_MEDIA_OTHER;
    if (req->media_type == NULL) {
        return answer_text(resp, 415,
                           "no Content-Type; expected application/pkcs10 or "
                           "application/pkcs7-mime; smime-type=CMC-request");
    }
    if (cmc_media_type_parse(&mt, req->media_type, strlen(req->media_type)) != CMC_OK) {
        return answer_text(resp, 415, "Content-Type is not a well-formed media type");
    }
    if (mt != CMC_MEDIA_PKCS10 && mt != CMC_MEDIA_CMC_REQUEST) {
        return answer_text(resp, 415,
                           "media type is not a CMC request type; expected application/pkcs10 "
                           "or application/pkcs7-mime; smime-type=CMC-request (RFC 5273)");
    }
    req_ctx c;
    memset(&c, 0, sizeof(c));
    c.srv = srv;
    c.cfg = cfg;
    c.now = cfg->has_clock ? cfg->clock : time(NULL);
    c.simple = mt == CMC_MEDIA_PKCS10;
    c.first_status = -1;
    c.first_fail = -1;
    c.resp_out = resp;
    if (req->accept == NULL ||
        cmc_media_accept_parse(&c.accept, req->accept, strlen(req->accept)) != CMC_OK) {
        for (int t = 0; t < CMC_MEDIA_COUNT; t++) {
            c.accept.q[t] = CMC_MEDIA_Q_MAX; /* absent or malformed: anything */
        }
    }
    c.issued = sk_X509_new_null();
    c.found = sk_X509_new_null();
    cmc_status st = cmc_pki_response_builder_new(&c.rb);
    if (c.issued == NULL || c.found == NULL) {
        st = CMC_E_NOMEM;
    }
    if (st == CMC_OK) {
        cmc_sniff_result sn;
        st = cmc_sniff(&sn, req->body, req->body_len);
        if (st == CMC_OK) {
            if (c.simple && sn.kind != CMC_SNIFF_PKCS10) {
                st = fail1(&c, 0, CMC_FAIL_BAD_REQUEST,
                           "media type application/pkcs10 but the body is %s",
                           req->body_len == 0 ? "empty" : cmc_sniff_kind_name(sn.kind));
            } else if (!c.simple && sn.kind != CMC_SNIFF_CONTENT_INFO) {
                st = fail1(&c, 0, CMC_FAIL_BAD_REQUEST,
                           "media type CMC-request but the body is %s, not a CMS ContentInfo",
                           req->body_len == 0 ? "empty" : cmc_sniff_kind_name(sn.kind));
            } else if (c.simple) {
                st = handle_simple(&c, req->body, req->body_len);
            } else {
                st = handle_full(&c, req->body, req->body_len, &sn);
            }
        }
    }
    if (st == CMC_OK && !c.answered) {
        st = answer(&c, resp);
    }
    sk_X509_pop_free(c.issued, X509_free);
    sk_X509_pop_free(c.found, X509_free);
    cmc_pki_response_builder_free(c.rb);
    if (st != CMC_OK) {
        cmc_status saved = st;
        cmc_http_response_cleanup(resp);
        (void)answer_text(resp, 500, "internal error: %s", cmc_status_str(saved));
        CMC_RAISE(saved);
    }
    return CMC_OK;
}
