/* recipe.c: the recipe compiler (recipe.h) on top of the msg layer (cmc/msg.h). */
#include "recipe.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/crmf.h>
#include <openssl/crypto.h>
#include <openssl/x509v3.h>

#include "cmc/asn1.h"
#include "cmc/msg.h"
#include "fixtures.h"

/* Most controls, requests or extensions one recipe may list; keeps a hostile case bounded. */
#define RECIPE_MAX_ITEMS 1024

typedef struct {
    const cmc_recipe_context *ctx;
    char *err;
    size_t err_len;
} rc_state;

static cmc_status rc_fail(rc_state *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static cmc_status rc_fail(rc_state *st, const char *fmt, ...) {
    if (st->err != NULL && st->err_len > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(st->err, st->err_len, fmt, ap);
        va_end(ap);
    }
    CMC_RAISE(CMC_E_CONFIG);
}

/* ---------------------------------------------------------------- values */

/* hex_decode: |*out| new (free()), may be a 1-byte allocation for "". */
static cmc_status hex_decode(rc_state *st, uint8_t **out, size_t *out_len, const char *hex,
                             const char *what) {
    size_t n = strlen(hex);
    if (n % 2 != 0 || n / 2 > (size_t)CMC_RECIPE_MAX_BYTES) {
        return rc_fail(st, "%s: bad hex", what);
    }
    uint8_t *buf = malloc(n / 2 + 1);
    if (buf == NULL) {
        CMC_RAISE(CMC_E_NOMEM);
    }
    for (size_t i = 0; i < n / 2; i++) {
        int hi = OPENSSL_hexchar2int((unsigned char)hex[2 * i]);
        int lo = OPENSSL_hexchar2int((unsigned char)hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            free(buf);
            return rc_fail(st, "%s: bad hex", what);
        }
        buf[i] = (uint8_t)(hi << 4 | lo);
    }
    *out = buf;
    *out_len = n / 2;
    return CMC_OK;
}

/* resolve_capture: the hex text of "$name" (|ref| starts with '$'). */
static cmc_status resolve_capture(rc_state *st, const char **out, const char *ref) {
    const char *v = json_string_value(json_object_get(st->ctx->captures, ref + 1));
    if (v == NULL) {
        return rc_fail(st, "%s: no such captured value", ref);
    }
    *out = v;
    return CMC_OK;
}

/* bytes_value: a hex string or "$capture" as bytes. */
static cmc_status bytes_value(rc_state *st, uint8_t **out, size_t *out_len, const json_t *v,
                              const char *what) {
    const char *s = json_string_value(v);
    if (s == NULL) {
        return rc_fail(st, "%s: expected a hex string", what);
    }
    if (s[0] == '$') {
        CMC_TRY(resolve_capture(st, &s, s));
    }
    return hex_decode(st, out, out_len, s, what);
}

/* integer_value: a JSON integer or "$capture" (hex magnitude) as a new ASN1_INTEGER. */
static cmc_status integer_value(rc_state *st, ASN1_INTEGER **out, const json_t *v,
                                const char *what) {
    ASN1_INTEGER *a = NULL;
    if (json_is_integer(v)) {
        a = ASN1_INTEGER_new();
        if (a == NULL || !ASN1_INTEGER_set_int64(a, (int64_t)json_integer_value(v))) {
            ASN1_INTEGER_free(a);
            CMC_RAISE(CMC_E_NOMEM);
        }
    } else if (json_is_string(v) && json_string_value(v)[0] == '$') {
        const char *hex = NULL;
        CMC_TRY(resolve_capture(st, &hex, json_string_value(v)));
        BIGNUM *bn = NULL;
        if (BN_hex2bn(&bn, hex) == 0 || (a = BN_to_ASN1_INTEGER(bn, NULL)) == NULL) {
            BN_free(bn);
            return rc_fail(st, "%s: captured value is not hex", what);
        }
        BN_free(bn);
    } else {
        return rc_fail(st, "%s: expected an integer or $capture", what);
    }
    *out = a;
    return CMC_OK;
}

static cmc_status fixture_ca(X509 **out) {
    return cmc_fixture_cert(out, "ca.cert.pem");
}

/* name_value: "$ca", "$capture" (hex DER Name) or "/CN=..." as a new X509_NAME. */
static cmc_status name_value(rc_state *st, X509_NAME **out, const json_t *v, const char *what) {
    const char *s = json_string_value(v);
    if (s == NULL) {
        return rc_fail(st, "%s: expected a name", what);
    }
    if (strcmp(s, "$ca") == 0) {
        X509 *ca = st->ctx->ca;
        X509 *owned = NULL;
        if (ca == NULL) {
            CMC_TRY(fixture_ca(&owned));
            ca = owned;
        }
        *out = X509_NAME_dup(X509_get_subject_name(ca));
        X509_free(owned);
        if (*out == NULL) {
            CMC_RAISE(CMC_E_NOMEM);
        }
        return CMC_OK;
    }
    if (s[0] == '$') {
        uint8_t *der = NULL;
        size_t len = 0;
        CMC_TRY(bytes_value(st, &der, &len, v, what));
        const uint8_t *p = der;
        X509_NAME *n = d2i_X509_NAME(NULL, &p, (long)len);
        free(der);
        if (n == NULL) {
            return rc_fail(st, "%s: captured value is not a DER Name", what);
        }
        *out = n;
        return CMC_OK;
    }
    if (cmc_name_parse(out, s) != CMC_OK) {
        return rc_fail(st, "%s: bad name '%s'", what, s);
    }
    return CMC_OK;
}

static cmc_status fixture_key(rc_state *st, EVP_PKEY **out, const json_t *stem) {
    char name[128];
    const char *s = json_string_value(stem);
    if (s == NULL || (size_t)snprintf(name, sizeof(name), "%s.key.pem", s) >= sizeof(name) ||
        cmc_fixture_key(out, name) != CMC_OK) {
        return rc_fail(st, "key '%s' is not in the fixture PKI", s != NULL ? s : "?");
    }
    return CMC_OK;
}

static cmc_status fixture_cert(rc_state *st, X509 **out, const char *stem) {
    char name[128];
    if ((size_t)snprintf(name, sizeof(name), "%s.cert.pem", stem) >= sizeof(name) ||
        cmc_fixture_cert(out, name) != CMC_OK) {
        return rc_fail(st, "certificate '%s' is not in the fixture PKI", stem);
    }
    return CMC_OK;
}

static int64_t int_field(const json_t *o, const char *key, int64_t dflt) {
    const json_t *v = json_object_get(o, key);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

/* ---------------------------------------------------------------- requests */

static cmc_status build_extensions(rc_state *st, STACK_OF(X509_EXTENSION) **out,
                                   const json_t *exts) {
    *out = NULL;
    if (json_array_size(exts) == 0) {
        return CMC_OK;
    }
    if (json_array_size(exts) > RECIPE_MAX_ITEMS) {
        return rc_fail(st, "too many extensions");
    }
    STACK_OF(X509_EXTENSION) *sk = sk_X509_EXTENSION_new_null();
    if (sk == NULL) {
        CMC_RAISE(CMC_E_NOMEM);
    }
    size_t i;
    const json_t *e;
    json_array_foreach(exts, i, e) {
        const char *oid = json_string_value(json_object_get(e, "oid"));
        uint8_t *val = NULL;
        size_t val_len = 0;
        cmc_status s = bytes_value(st, &val, &val_len, json_object_get(e, "value"), "extension");
        if (s != CMC_OK) {
            sk_X509_EXTENSION_pop_free(sk, X509_EXTENSION_free);
            return s;
        }
        ASN1_OBJECT *obj = oid != NULL ? OBJ_txt2obj(oid, 1) : NULL;
        ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
        X509_EXTENSION *ext = NULL;
        if (obj != NULL && os != NULL && ASN1_OCTET_STRING_set(os, val, (int)val_len)) {
            ext = X509_EXTENSION_create_by_OBJ(NULL, obj,
                                               json_is_true(json_object_get(e, "critical")), os);
        }
        ASN1_OBJECT_free(obj);
        ASN1_OCTET_STRING_free(os);
        free(val);
        if (ext == NULL || !sk_X509_EXTENSION_push(sk, ext)) {
            X509_EXTENSION_free(ext);
            sk_X509_EXTENSION_pop_free(sk, X509_EXTENSION_free);
            return rc_fail(st, "bad extension %s", oid != NULL ? oid : "?");
        }
    }
    *out = sk;
    return CMC_OK;
}

/* flip_last_bit breaks the signature that ends a PKCS#10 or a CertReqMsg without regInfo:
 * the last byte of the DER is the last byte of that signature BIT STRING. */
static void flip_last_bit(uint8_t *der, size_t len) {
    if (len > 0) {
        der[len - 1] ^= 0x01;
    }
}

static int pop_broken(const json_t *o) {
    const char *pop = json_string_value(json_object_get(o, "pop"));
    return pop != NULL && strcmp(pop, "broken") == 0;
}

/* build_request_der builds the PKCS#10 ("tcr"/pkcs10) or CertReqMsg ("crm") of |o|. */
static cmc_status build_request_der(rc_state *st, uint8_t **out, size_t *out_len, const json_t *o,
                                    int crm, int64_t cert_req_id) {
    EVP_PKEY *key = NULL;
    CMC_TRY(fixture_key(st, &key, json_object_get(o, "key")));
    STACK_OF(X509_EXTENSION) *exts = NULL;
    cmc_status s = build_extensions(st, &exts, json_object_get(o, "extensions"));
    if (s == CMC_OK) {
        cmc_req_options opt;
        memset(&opt, 0, sizeof(opt));
        opt.subject = json_string_value(json_object_get(o, "subject"));
        opt.extensions = exts;
        s = crm ? cmc_crmf_build_der(out, out_len, key, cert_req_id, &opt)
                : cmc_p10_build_der(out, out_len, key, &opt);
    }
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    EVP_PKEY_free(key);
    if (s == CMC_OK && pop_broken(o)) {
        flip_last_bit(*out, *out_len);
    }
    return s;
}

/* ---------------------------------------------------------------- PKIData */

static cmc_status add_control(rc_state *st, cmc_pki_data_builder *b, const json_t *c) {
    const char *type = json_string_value(json_object_get(c, "type"));
    int64_t id = int_field(c, "id", CMC_BPID_AUTO);
    const json_t *value = json_object_get(c, "value");
    if (type == NULL) {
        return rc_fail(st, "control without type");
    }
    if (strcmp(type, "transactionId") == 0) {
        if (!json_is_integer(value) || json_integer_value(value) < 0) {
            return rc_fail(st, "transactionId: expected a non-negative integer");
        }
        return cmc_pki_data_builder_add_transaction_id(b, NULL, id,
                                                       (uint64_t)json_integer_value(value));
    }
    if (strcmp(type, "senderNonce") == 0 || strcmp(type, "recipientNonce") == 0 ||
        strcmp(type, "dataReturn") == 0) {
        uint8_t *v = NULL;
        size_t len = 0;
        CMC_TRY(bytes_value(st, &v, &len, value, type));
        cmc_status s;
        if (strcmp(type, "senderNonce") == 0) {
            s = cmc_pki_data_builder_add_sender_nonce(b, NULL, id, v, len);
        } else if (strcmp(type, "recipientNonce") == 0) {
            s = cmc_pki_data_builder_add_recipient_nonce(b, NULL, id, v, len);
        } else {
            s = cmc_pki_data_builder_add_data_return(b, NULL, id, v, len);
        }
        free(v);
        return s;
    }
    if (strcmp(type, "revokeRequest") == 0 || strcmp(type, "getCert") == 0) {
        X509_NAME *issuer = NULL;
        ASN1_INTEGER *serial = NULL;
        uint8_t *pass = NULL;
        cmc_status s = name_value(st, &issuer, json_object_get(c, "issuer"), type);
        if (s == CMC_OK) {
            s = integer_value(st, &serial, json_object_get(c, "serial"), type);
        }
        if (s == CMC_OK && strcmp(type, "getCert") == 0) {
            s = cmc_pki_data_builder_add_get_cert(b, NULL, id, issuer, serial);
        } else if (s == CMC_OK) {
            cmc_revoke_spec spec;
            memset(&spec, 0, sizeof(spec));
            spec.issuer = issuer;
            spec.serial = serial;
            spec.reason = (long)int_field(c, "reason", 0);
            const char *inv = json_string_value(json_object_get(c, "invalidity_date"));
            if (inv != NULL) {
                ASN1_GENERALIZEDTIME *t = ASN1_GENERALIZEDTIME_new();
                struct tm tm;
                if (t == NULL || !ASN1_GENERALIZEDTIME_set_string(t, inv) ||
                    !ASN1_TIME_to_tm(t, &tm)) {
                    s = rc_fail(st, "revokeRequest: bad invalidity_date '%s'", inv);
                } else {
                    spec.has_invalidity_date = 1;
                    spec.invalidity_date = (int64_t)timegm(&tm);
                }
                ASN1_GENERALIZEDTIME_free(t);
            }
            const json_t *pj = json_object_get(c, "passphrase");
            if (s == CMC_OK && pj != NULL) {
                s = bytes_value(st, &pass, &spec.passphrase_len, pj, "passphrase");
                spec.passphrase = pass;
            }
            spec.comment = json_string_value(json_object_get(c, "comment"));
            if (s == CMC_OK) {
                s = cmc_pki_data_builder_add_revoke_request(b, NULL, id, &spec);
            }
        }
        free(pass);
        X509_NAME_free(issuer);
        ASN1_INTEGER_free(serial);
        return s;
    }
    if (strcmp(type, "raw") == 0) {
        const char *oid = json_string_value(json_object_get(c, "oid"));
        const json_t *values = json_object_get(c, "values");
        size_t n = json_array_size(values);
        if (oid == NULL || n > RECIPE_MAX_ITEMS) {
            return rc_fail(st, "raw control: needs 'oid' and at most %d values", RECIPE_MAX_ITEMS);
        }
        uint8_t **vals = calloc(n + 1, sizeof(*vals));
        size_t *lens = calloc(n + 1, sizeof(*lens));
        cmc_status s = (vals == NULL || lens == NULL) ? CMC_E_NOMEM : CMC_OK;
        for (size_t i = 0; s == CMC_OK && i < n; i++) {
            s = bytes_value(st, &vals[i], &lens[i], json_array_get(values, i), "raw control");
        }
        if (s == CMC_OK) {
            s = cmc_pki_data_builder_add_control_raw(b, NULL, id, oid, (const uint8_t *const *)vals,
                                                     lens, n);
        }
        for (size_t i = 0; vals != NULL && i < n; i++) {
            free(vals[i]);
        }
        free(vals);
        free(lens);
        return s;
    }
    return rc_fail(st, "unknown control type '%s'", type);
}

static cmc_status add_request(rc_state *st, cmc_pki_data_builder *b, const json_t *r) {
    const char *type = json_string_value(json_object_get(r, "type"));
    int64_t id = int_field(r, "id", CMC_BPID_AUTO);
    if (type == NULL || (strcmp(type, "tcr") != 0 && strcmp(type, "crm") != 0)) {
        return rc_fail(st, "request type must be tcr or crm");
    }
    int crm = strcmp(type, "crm") == 0;
    if (crm && id == CMC_BPID_AUTO) {
        return rc_fail(st, "a crm request needs an explicit id (its certReqId)");
    }
    uint8_t *der = NULL;
    size_t len = 0;
    CMC_TRY(build_request_der(st, &der, &len, r, crm, id));
    cmc_status s;
    if (!crm) {
        s = cmc_pki_data_builder_add_tcr_der(b, NULL, id, der, len);
    } else {
        const uint8_t *p = der;
        OSSL_CRMF_MSG *msg = d2i_OSSL_CRMF_MSG(NULL, &p, (long)len);
        s = msg != NULL ? cmc_pki_data_builder_add_crm(b, NULL, msg) : CMC_E_DER;
        OSSL_CRMF_MSG_free(msg);
    }
    cmc_free(der);
    return s;
}

static cmc_status build_pki_data(rc_state *st, uint8_t **out, size_t *out_len,
                                 const json_t *recipe) {
    const json_t *controls = json_object_get(recipe, "controls");
    const json_t *requests = json_object_get(recipe, "requests");
    if (json_array_size(controls) > RECIPE_MAX_ITEMS ||
        json_array_size(requests) > RECIPE_MAX_ITEMS) {
        return rc_fail(st, "too many controls or requests");
    }
    cmc_pki_data_builder *b = NULL;
    CMC_TRY(cmc_pki_data_builder_new(&b));
    cmc_status s = CMC_OK;
    size_t i;
    const json_t *item;
    json_array_foreach(controls, i, item) {
        if (s == CMC_OK) {
            s = add_control(st, b, item);
        }
    }
    json_array_foreach(requests, i, item) {
        if (s == CMC_OK) {
            s = add_request(st, b, item);
        }
    }
    if (s == CMC_OK) {
        s = cmc_pki_data_builder_to_der(b, out, out_len);
    }
    cmc_pki_data_builder_free(b);
    return s;
}

/* ---------------------------------------------------------------- signing */

typedef struct {
    EVP_PKEY *key; /* owned when loaded from a fixture */
    X509 *cert;
    STACK_OF(X509) *chain; /* lent */
    int owned;
    int present; /* 0: unsigned */
} rc_signer;

static void signer_cleanup(rc_signer *s) {
    if (s->owned) {
        EVP_PKEY_free(s->key);
        X509_free(s->cert);
    }
    memset(s, 0, sizeof(*s));
}

static cmc_status resolve_signer(rc_state *st, rc_signer *out, const json_t *signer) {
    memset(out, 0, sizeof(*out));
    if (signer == NULL || json_is_null(signer)) {
        return CMC_OK;
    }
    const char *slot = json_string_value(json_object_get(signer, "slot"));
    const char *stem = json_string_value(json_object_get(signer, "fixture"));
    if (slot == NULL || stem == NULL) {
        return rc_fail(st, "signer needs 'slot' and 'fixture'");
    }
    const cmc_credential *cred = NULL;
    if (strcmp(slot, "enroll") == 0) {
        cred = st->ctx->enroll;
    } else if (strcmp(slot, "revoke") == 0) {
        cred = st->ctx->revoke;
    } else if (strcmp(slot, "fixed") != 0) {
        return rc_fail(st, "unknown signer slot '%s'", slot);
    }
    out->present = 1;
    if (cred != NULL) {
        out->key = cred->key;
        out->cert = cred->cert;
        out->chain = cred->chain;
        return CMC_OK;
    }
    out->owned = 1;
    json_t *stem_json = json_string(stem);
    cmc_status s = stem_json != NULL ? fixture_key(st, &out->key, stem_json) : CMC_E_NOMEM;
    json_decref(stem_json);
    if (s == CMC_OK) {
        s = fixture_cert(st, &out->cert, stem);
    }
    if (s != CMC_OK) {
        signer_cleanup(out);
    }
    return s;
}

static cmc_status cms_faults(rc_state *st, uint32_t *signer_faults, uint32_t *msg_faults,
                             const char **fault_ct, const json_t *cms) {
    *signer_faults = 0;
    *msg_faults = 0;
    *fault_ct = NULL;
    size_t i;
    const json_t *f;
    json_array_foreach(json_object_get(cms, "faults"), i, f) {
        const char *name = json_string_value(f);
        if (name != NULL && strcmp(name, "digest") == 0) {
            *signer_faults |= CMC_FAULT_WRONG_MESSAGE_DIGEST;
        } else if (name != NULL && strcmp(name, "omit-digest-attr") == 0) {
            *signer_faults |= CMC_FAULT_OMIT_MESSAGE_DIGEST_ATTR;
        } else if (name != NULL && strcmp(name, "signature") == 0) {
            *signer_faults |= CMC_FAULT_FLIP_SIGNATURE;
        } else if (name != NULL && strcmp(name, "content") == 0) {
            *msg_faults |= CMC_SFAULT_MODIFY_CONTENT;
        } else {
            return rc_fail(st, "unknown cms fault '%s'", name != NULL ? name : "?");
        }
    }
    const char *ct = json_string_value(json_object_get(cms, "content_type_attr"));
    if (ct != NULL && strcmp(ct, "absent") == 0) {
        *signer_faults |= CMC_FAULT_OMIT_CONTENT_TYPE_ATTR;
    } else if (ct != NULL) {
        *signer_faults |= CMC_FAULT_CONTENT_TYPE_ATTR_OTHER;
        *fault_ct = ct;
    }
    if (json_is_true(json_object_get(cms, "ber"))) {
        *msg_faults |= CMC_SFAULT_BER;
    }
    if (json_is_true(json_object_get(cms, "detached"))) {
        *msg_faults |= CMC_SFAULT_DETACHED;
    }
    return CMC_OK;
}

/* sign_layer signs |content| as one SignedData; |cms| (may be NULL) adds the faults. */
static cmc_status sign_layer(rc_state *st, uint8_t **out, size_t *out_len, const uint8_t *content,
                             size_t content_len, const rc_signer *signer, const json_t *cms) {
    cmc_signer si;
    memset(&si, 0, sizeof(si));
    cmc_sign_options opt;
    memset(&opt, 0, sizeof(opt));
    CMC_TRY(cms_faults(st, &si.faults, &opt.faults, &si.fault_content_type, cms));
    opt.econtent_type = json_string_value(json_object_get(cms, "econtent_type"));
    opt.signing_time = st->ctx->signing_time;
    opt.certs = signer->chain;
    si.key = signer->key;
    si.cert = signer->cert;
    si.sid = CMC_SID_ISSUER_SERIAL;
    si.include_cert = 1;
    return cmc_signed_data_sign(out, out_len, content, content_len, &si, signer->present ? 1 : 0,
                                &opt);
}

static cmc_status compile_full(rc_state *st, uint8_t **out, size_t *out_len, const json_t *recipe) {
    rc_signer signer;
    CMC_TRY(resolve_signer(st, &signer, json_object_get(recipe, "signer")));
    const json_t *cms = json_object_get(recipe, "cms");
    int64_t nest = int_field(recipe, "nest", 0);
    if (nest < 0 || nest > CMC_RECIPE_MAX_NEST) {
        signer_cleanup(&signer);
        return rc_fail(st, "nest must be 0..%d", CMC_RECIPE_MAX_NEST);
    }
    uint8_t *pki_data = NULL;
    size_t pki_data_len = 0;
    uint8_t *signed_der = NULL;
    size_t signed_len = 0;
    cmc_status s = build_pki_data(st, &pki_data, &pki_data_len, recipe);
    /* The faults of "cms" apply to the outermost SignedData, the one a server checks first;
     * inner layers (nest) are signed correctly by the same signer. */
    if (s == CMC_OK) {
        s = sign_layer(st, &signed_der, &signed_len, pki_data, pki_data_len, &signer,
                       nest == 0 ? cms : NULL);
    }
    for (int64_t layer = 1; s == CMC_OK && layer <= nest; layer++) {
        cmc_pki_data_builder *b = NULL;
        s = cmc_pki_data_builder_new(&b);
        if (s == CMC_OK) {
            s = cmc_pki_data_builder_add_cms_raw(b, NULL, 1, signed_der, signed_len);
        }
        cmc_free(pki_data);
        pki_data = NULL;
        if (s == CMC_OK) {
            s = cmc_pki_data_builder_to_der(b, &pki_data, &pki_data_len);
        }
        cmc_pki_data_builder_free(b);
        cmc_free(signed_der);
        signed_der = NULL;
        if (s == CMC_OK) {
            s = sign_layer(st, &signed_der, &signed_len, pki_data, pki_data_len, &signer,
                           layer == nest ? cms : NULL);
        }
    }
    cmc_free(pki_data);
    signer_cleanup(&signer);
    if (s == CMC_OK) {
        *out = signed_der;
        *out_len = signed_len;
    } else {
        cmc_free(signed_der);
    }
    return s;
}

/* ---------------------------------------------------------------- mutations */

static cmc_status apply_mutations(rc_state *st, uint8_t **buf, size_t *len,
                                  const json_t *mutations) {
    size_t i;
    const json_t *m;
    json_array_foreach(mutations, i, m) {
        const char *op = json_string_value(json_object_get(m, "op"));
        int64_t n = int_field(m, "len", -1);
        if (op == NULL) {
            return rc_fail(st, "mutation without op");
        }
        if (strcmp(op, "truncate") == 0) {
            if (n < 0 || (uint64_t)n > *len) {
                return rc_fail(st, "truncate: len must be 0..%zu", *len);
            }
            *len = (size_t)n;
            continue;
        }
        uint8_t *extra = NULL;
        size_t extra_len = 0;
        if (strcmp(op, "append") == 0) {
            CMC_TRY(bytes_value(st, &extra, &extra_len, json_object_get(m, "hex"), "append"));
        } else if (strcmp(op, "pad") == 0) {
            if (n < 0 || n > (int64_t)CMC_RECIPE_MAX_BYTES || (uint64_t)n < *len) {
                return rc_fail(st, "pad: len must be %zu..%d", *len, CMC_RECIPE_MAX_BYTES);
            }
            extra_len = (size_t)n - *len;
        } else {
            return rc_fail(st, "unknown mutation '%s'", op);
        }
        if (*len + extra_len > (size_t)CMC_RECIPE_MAX_BYTES) {
            free(extra);
            return rc_fail(st, "mutation makes the body larger than %d bytes",
                           CMC_RECIPE_MAX_BYTES);
        }
        uint8_t *nb = OPENSSL_realloc(*buf, *len + extra_len + 1);
        if (nb == NULL) {
            free(extra);
            CMC_RAISE(CMC_E_NOMEM);
        }
        if (extra != NULL) {
            memcpy(nb + *len, extra, extra_len);
        } else {
            memset(nb + *len, 0, extra_len);
        }
        free(extra);
        *buf = nb;
        *len += extra_len;
    }
    return CMC_OK;
}

/* ---------------------------------------------------------------- entry points */

cmc_status cmc_recipe_compile(uint8_t **out, size_t *out_len, const json_t *recipe,
                              const cmc_recipe_context *ctx, char *err, size_t err_len) {
    static const cmc_recipe_context kEmpty;
    rc_state st = {ctx != NULL ? ctx : &kEmpty, err, err_len};
    if (err != NULL && err_len > 0) {
        err[0] = '\0';
    }
    if (out == NULL || out_len == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    const char *type = json_string_value(json_object_get(recipe, "type"));
    if (type == NULL) {
        return rc_fail(&st, "recipe without type");
    }
    uint8_t *buf = NULL;
    size_t len = 0;
    cmc_status s;
    if (strcmp(type, "pkcs10") == 0) {
        s = build_request_der(&st, &buf, &len, recipe, 0, 0);
    } else if (strcmp(type, "full") == 0) {
        s = compile_full(&st, &buf, &len, recipe);
    } else if (strcmp(type, "raw") == 0) {
        uint8_t *raw = NULL;
        s = bytes_value(&st, &raw, &len, json_object_get(recipe, "hex"), "raw");
        if (s == CMC_OK) {
            /* Re-home into cmc_free-able memory. */
            buf = OPENSSL_malloc(len + 1);
            if (buf == NULL) {
                s = CMC_E_NOMEM;
            } else {
                /* bytes_value always returns a buffer on CMC_OK; the analyzer cannot see that
                 * CMC_RAISE never returns CMC_OK. */
                /* NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker) */
                memcpy(buf, raw, len);
            }
        }
        free(raw);
    } else {
        return rc_fail(&st, "unknown recipe type '%s'", type);
    }
    if (s == CMC_OK) {
        s = apply_mutations(&st, &buf, &len, json_object_get(recipe, "mutations"));
    }
    if (s != CMC_OK) {
        cmc_free(buf);
        return s;
    }
    *out = buf;
    *out_len = len;
    return CMC_OK;
}

cmc_status cmc_recipe_request_key(EVP_PKEY **out, const json_t *recipe) {
    const char *type = json_string_value(json_object_get(recipe, "type"));
    const json_t *stem = NULL;
    if (type != NULL && strcmp(type, "pkcs10") == 0) {
        stem = json_object_get(recipe, "key");
    } else {
        stem = json_object_get(json_array_get(json_object_get(recipe, "requests"), 0), "key");
    }
    if (!json_is_string(stem)) {
        CMC_RAISE(CMC_E_NOT_FOUND);
    }
    char name[128];
    if ((size_t)snprintf(name, sizeof(name), "%s.key.pem", json_string_value(stem)) >=
        sizeof(name)) {
        CMC_RAISE(CMC_E_NOT_FOUND);
    }
    return cmc_fixture_key(out, name);
}

X509 *cmc_recipe_find_issued(const json_t *recipe, STACK_OF(X509) *certs) {
    EVP_PKEY *key = NULL;
    if (cmc_recipe_request_key(&key, recipe) != CMC_OK) {
        return NULL;
    }
    X509 *found = NULL;
    for (int i = 0; found == NULL && i < sk_X509_num(certs); i++) {
        X509 *x = sk_X509_value(certs, i);
        if (EVP_PKEY_eq(X509_get0_pubkey(x), key) == 1) {
            found = x;
        }
    }
    EVP_PKEY_free(key);
    return found;
}

static cmc_status hex_encode(char **out, const uint8_t *in, size_t len) {
    static const char kHex[] = "0123456789abcdef";
    char *s = malloc(2 * len + 1);
    if (s == NULL) {
        CMC_RAISE(CMC_E_NOMEM);
    }
    for (size_t i = 0; i < len; i++) {
        s[2 * i] = kHex[in[i] >> 4];
        s[2 * i + 1] = kHex[in[i] & 0xF];
    }
    s[2 * len] = '\0';
    *out = s;
    return CMC_OK;
}

cmc_status cmc_recipe_capture_value(char **out, const char *source, const X509 *issued) {
    if (out == NULL || source == NULL || issued == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    uint8_t *der = NULL;
    int len = -1;
    if (strcmp(source, "issued.serial") == 0) {
        BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(issued), NULL);
        if (bn == NULL) {
            CMC_RAISE(CMC_E_NOMEM);
        }
        len = BN_num_bytes(bn);
        der = OPENSSL_malloc((size_t)len + 1);
        if (der != NULL) {
            BN_bn2bin(bn, der);
        }
        BN_free(bn);
    } else if (strcmp(source, "issued.issuer") == 0) {
        len = i2d_X509_NAME(X509_get_issuer_name(issued), &der);
    } else if (strcmp(source, "issued.cert") == 0) {
        len = i2d_X509(issued, &der);
    } else {
        CMC_RAISE(CMC_E_ARG);
    }
    if (der == NULL || len < 0) {
        OPENSSL_free(der);
        CMC_RAISE(CMC_E_NOMEM);
    }
    cmc_status s = hex_encode(out, der, (size_t)len);
    OPENSSL_free(der);
    return s;
}
