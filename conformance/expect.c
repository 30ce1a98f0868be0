/* expect.c: semantic answer checks (expect.h). */
#include "expect.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/x509v3.h>

#include "cmc/asn1.h"
#include "cmc/media_type.h"
#include "fixtures.h"
#include "recipe.h"

/* Most request keys one recipe may name that the checks load. */
#define EXPECT_MAX_KEYS 64

void cmc_expectation_of_step(cmc_expectation *out, const cmc_step *step) {
    memset(out, 0, sizeof(*out));
    out->outcomes = step->outcomes;
    out->num_outcomes = step->num_outcomes;
    out->echo_transaction_id = step->echo_transaction_id;
    out->echo_sender_nonce = step->echo_sender_nonce;
    out->echo_data_return = step->echo_data_return;
    out->issued_matches_request = step->issued_matches_request;
    out->recipe = step->recipe;
}

int cmc_expect_classify(const char *media_type, size_t body_len) {
    if (media_type == NULL || media_type[0] == '\0') {
        return body_len == 0 ? CMC_EXPECT_MEDIA_NONE : -1;
    }
    if (strncasecmp(media_type, "text/", 5) == 0) {
        return CMC_EXPECT_MEDIA_TEXT;
    }
    cmc_media_type t = CMC_MEDIA_OTHER;
    if (cmc_media_type_parse(&t, media_type, strlen(media_type)) != CMC_OK) {
        return -1;
    }
    switch (t) {
    case CMC_MEDIA_CMC_RESPONSE:
        return CMC_EXPECT_MEDIA_CMC_RESPONSE;
    case CMC_MEDIA_CERTS_ONLY:
        return CMC_EXPECT_MEDIA_CERTS_ONLY;
    case CMC_MEDIA_PKIX_CERT:
        return CMC_EXPECT_MEDIA_PKIX_CERT;
    default:
        return -1;
    }
}

static void say(char *why, size_t why_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void say(char *why, size_t why_len, const char *fmt, ...) {
    if (why == NULL || why_len == 0) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, why_len, fmt, ap);
    va_end(ap);
}

/* The end-entity keys the recipe asks certificates for. */
typedef struct {
    EVP_PKEY *keys[EXPECT_MAX_KEYS];
    size_t num;
} key_set;

static void key_set_load(key_set *ks, const json_t *recipe) {
    memset(ks, 0, sizeof(*ks));
    const char *type = json_string_value(json_object_get(recipe, "type"));
    const json_t *stems[EXPECT_MAX_KEYS];
    size_t n = 0;
    if (type != NULL && strcmp(type, "pkcs10") == 0) {
        stems[n++] = json_object_get(recipe, "key");
    } else {
        size_t i;
        const json_t *r;
        json_array_foreach(json_object_get(recipe, "requests"), i, r) {
            if (n < EXPECT_MAX_KEYS) {
                stems[n++] = json_object_get(r, "key");
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        char name[128];
        const char *s = json_string_value(stems[i]);
        if (s != NULL && (size_t)snprintf(name, sizeof(name), "%s.key.pem", s) < sizeof(name) &&
            cmc_fixture_key(&ks->keys[ks->num], name) == CMC_OK) {
            ks->num++;
        }
    }
}

static void key_set_cleanup(key_set *ks) {
    for (size_t i = 0; i < ks->num; i++) {
        EVP_PKEY_free(ks->keys[i]);
    }
    ks->num = 0;
}

static int key_set_has(const key_set *ks, const EVP_PKEY *k) {
    for (size_t i = 0; i < ks->num; i++) {
        if (EVP_PKEY_eq(ks->keys[i], k) == 1) {
            return 1;
        }
    }
    return 0;
}

static long count_issued(const key_set *ks, STACK_OF(X509) *certs) {
    long n = 0;
    for (int i = 0; i < sk_X509_num(certs); i++) {
        n += key_set_has(ks, X509_get0_pubkey(sk_X509_value(certs, i)));
    }
    return n;
}

static int has_ca_cert(STACK_OF(X509) *certs) {
    for (int i = 0; i < sk_X509_num(certs); i++) {
        if (X509_check_ca(sk_X509_value(certs, i)) > 0) {
            return 1;
        }
    }
    return 0;
}

static int in_list(long v, const long *list, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (list[i] == v) {
            return 1;
        }
    }
    return 0;
}

static const char *status_name(long s) {
    const char *n = cmc_cmc_status_name(s);
    return n != NULL ? n : "?";
}

static const char *fail_name(long f) {
    const char *n = f < 0 ? "none" : cmc_fail_info_name(f);
    return n != NULL ? n : "?";
}

/* check_status checks one status entry (NULL = no status control = success). */
static int check_status(const cmc_outcome *o, const cmc_response_status *st, char *why,
                        size_t why_len) {
    long status = st != NULL ? st->status : CMC_STATUS_SUCCESS;
    if (o->cmc_status >= 0 && status != o->cmc_status) {
        say(why, why_len, "CMC status %s, expected %s", status_name(status),
            status_name(o->cmc_status));
        return 0;
    }
    if (o->num_fail_info > 0) {
        long fi = st != NULL ? st->fail_info : -1;
        if (!in_list(fi, o->fail_info, o->num_fail_info)) {
            say(why, why_len, "failInfo %s, expected %s%s", fail_name(fi),
                fail_name(o->fail_info[0]), o->num_fail_info > 1 ? " (or an alternative)" : "");
            return 0;
        }
    }
    if (o->status_string_contains != NULL &&
        (st == NULL || st->status_string == NULL ||
         strstr(st->status_string, o->status_string_contains) == NULL)) {
        say(why, why_len, "statusString \"%s\" does not contain \"%s\"",
            st != NULL && st->status_string != NULL ? st->status_string : "",
            o->status_string_contains);
        return 0;
    }
    return 1;
}

static int match_outcome(const cmc_outcome *o, const cmc_answer *a, int media,
                         const cmc_response *r, int parsed, const key_set *ks, char *why,
                         size_t why_len) {
    if (a->http_status != o->http_status) {
        say(why, why_len, "HTTP status %d, expected %d", a->http_status, o->http_status);
        return 0;
    }
    if (media != (int)o->media) {
        say(why, why_len, "media type '%s', expected %s", a->media_type ? a->media_type : "",
            cmc_expect_media_name(o->media));
        return 0;
    }
    int cmc_kind = o->media == CMC_EXPECT_MEDIA_CMC_RESPONSE ||
                   o->media == CMC_EXPECT_MEDIA_CERTS_ONLY ||
                   o->media == CMC_EXPECT_MEDIA_PKIX_CERT;
    if (cmc_kind && !parsed) {
        say(why, why_len, "response body does not parse as %s", cmc_expect_media_name(o->media));
        return 0;
    }
    if (o->media == CMC_EXPECT_MEDIA_CMC_RESPONSE) {
        if (o->num_body_list > 0) {
            for (size_t i = 0; i < o->num_body_list; i++) {
                const cmc_response_status *st = cmc_response_find_status(r, o->body_list[i]);
                if (st == NULL) {
                    say(why, why_len, "no status names body part %lld", (long long)o->body_list[i]);
                    return 0;
                }
                if (!check_status(o, st, why, why_len)) {
                    return 0;
                }
            }
        } else if (!check_status(o, r->num_statuses > 0 ? &r->statuses[0] : NULL, why, why_len)) {
            return 0;
        }
    }
    if (o->issued >= 0 && cmc_kind && count_issued(ks, r->certs) != o->issued) {
        say(why, why_len, "%ld issued certificate(s), expected %ld", count_issued(ks, r->certs),
            o->issued);
        return 0;
    }
    if (o->chain >= 0 && has_ca_cert(r->certs) != o->chain) {
        say(why, why_len, o->chain ? "issuer chain missing" : "unexpected issuer chain");
        return 0;
    }
    return 1;
}

/* hex_equals: |hex| (lower-case hex text) spells exactly |data|; NULL |data| never matches. */
static int hex_equals(const char *hex, const uint8_t *data, size_t len) {
    size_t n = hex != NULL ? strlen(hex) / 2 : 0;
    int ok = data != NULL && len == n;
    for (size_t k = 0; ok && k < n; k++) {
        int hi = OPENSSL_hexchar2int((unsigned char)hex[2 * k]);
        int lo = OPENSSL_hexchar2int((unsigned char)hex[2 * k + 1]);
        ok = hi >= 0 && lo >= 0 && data[k] == (unsigned)(hi * 16 + lo);
    }
    return ok;
}

/* Step-level checks on a CMC response. */
static int check_echo(const cmc_expectation *e, const cmc_response *r, char *why, size_t why_len) {
    size_t i;
    const json_t *c;
    json_array_foreach(json_object_get(e->recipe, "controls"), i, c) {
        const char *type = json_string_value(json_object_get(c, "type"));
        const json_t *v = json_object_get(c, "value");
        if (type == NULL) {
            continue;
        }
        if (e->echo_transaction_id && strcmp(type, "transactionId") == 0) {
            int64_t got = -1;
            if (r->transaction_id == NULL || !ASN1_INTEGER_get_int64(&got, r->transaction_id) ||
                got != (int64_t)json_integer_value(v)) {
                say(why, why_len, "transactionId not echoed");
                return 0;
            }
        }
        if (e->echo_sender_nonce && strcmp(type, "senderNonce") == 0 &&
            !hex_equals(json_string_value(v), r->recipient_nonce, r->recipient_nonce_len)) {
            say(why, why_len, "recipientNonce is not our senderNonce");
            return 0;
        }
        if (e->echo_data_return && strcmp(type, "dataReturn") == 0 &&
            !hex_equals(json_string_value(v), r->data_return, r->data_return_len)) {
            say(why, why_len, "dataReturn not returned unchanged");
            return 0;
        }
    }
    return 1;
}

static const char *first_subject(const json_t *recipe) {
    const char *type = json_string_value(json_object_get(recipe, "type"));
    if (type != NULL && strcmp(type, "pkcs10") == 0) {
        return json_string_value(json_object_get(recipe, "subject"));
    }
    return json_string_value(
        json_object_get(json_array_get(json_object_get(recipe, "requests"), 0), "subject"));
}

int cmc_expect_check(const cmc_expectation *e, const cmc_answer *a, const cmc_verify_options *vopt,
                     X509 **out_issued, char *why, size_t why_len) {
    if (out_issued != NULL) {
        *out_issued = NULL;
    }
    say(why, why_len, "no outcome");
    int media = cmc_expect_classify(a->media_type, a->body_len);
    cmc_response r;
    cmc_response_init(&r);
    int parsed = 0;
    if (media == CMC_EXPECT_MEDIA_CMC_RESPONSE || media == CMC_EXPECT_MEDIA_CERTS_ONLY ||
        media == CMC_EXPECT_MEDIA_PKIX_CERT) {
        parsed = cmc_response_read(&r, a->body, a->body_len, a->media_type, vopt) == CMC_OK;
    }
    key_set ks;
    key_set_load(&ks, e->recipe);
    int match = -1;
    char first_why[256] = "";
    for (size_t i = 0; match < 0 && i < e->num_outcomes; i++) {
        char w[256];
        if (match_outcome(&e->outcomes[i], a, media, &r, parsed, &ks, w, sizeof(w))) {
            match = (int)i;
        } else if (i == 0) {
            snprintf(first_why, sizeof(first_why), "%s", w);
        }
    }
    if (match < 0) {
        say(why, why_len, "%s", first_why);
    }
    if (match >= 0 && parsed && media == CMC_EXPECT_MEDIA_CMC_RESPONSE) {
        if (vopt != NULL && r.verify_status != CMC_OK) {
            say(why, why_len, "response signature: %s", cmc_status_str(r.verify_status));
            match = -1;
        } else if (!check_echo(e, &r, why, why_len)) {
            match = -1;
        }
    }
    X509 *issued = parsed ? cmc_recipe_find_issued(e->recipe, r.certs) : NULL;
    if (match >= 0 && e->issued_matches_request && parsed) {
        const char *subject = first_subject(e->recipe);
        X509_NAME *want = NULL;
        if (issued == NULL) {
            say(why, why_len, "no certificate for the requested key");
            match = -1;
        } else if (cmc_name_parse(&want, subject != NULL ? subject : "") != CMC_OK ||
                   X509_NAME_cmp(want, X509_get_subject_name(issued)) != 0) {
            say(why, why_len, "issued subject differs from the requested subject");
            match = -1;
        }
        X509_NAME_free(want);
    }
    if (out_issued != NULL && issued != NULL && X509_up_ref(issued)) {
        *out_issued = issued;
    }
    key_set_cleanup(&ks);
    cmc_response_cleanup(&r);
    return match;
}
