/* target.c: the target configuration reader (see target.h for the format). */
#include "target.h"

#include <openssl/conf.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "result.h"

/* Seconds: the longest per-exchange timeout a configuration may ask for (an hour is far
 * beyond any server's answer time; larger values are typos). */
#define TARGET_MAX_TIMEOUT_S 3600

static cmc_conform_target *target_new(void) {
    cmc_conform_target *t = calloc(1, sizeof(*t));
    if (t == NULL) {
        abort();
    }
    return t;
}

cmc_conform_target *cmc_conform_target_embedded(void) {
    cmc_conform_target *t = target_new();
    t->url = cmc_conform_strdup("embedded");
    t->embedded = 1;
    t->fixture_officers = 1;
    return t;
}

cmc_conform_target *cmc_conform_target_url(const char *url, int fixture_officers) {
    cmc_conform_target *t = target_new();
    t->url = cmc_conform_strdup(url);
    t->embedded = strcmp(url, "embedded") == 0;
    t->fixture_officers = fixture_officers || t->embedded;
    return t;
}

static void credential_cleanup(cmc_conform_credential *c) {
    X509_free(c->cert);
    EVP_PKEY_free(c->key);
    sk_X509_pop_free(c->chain, X509_free);
    memset(c, 0, sizeof(*c));
}

void cmc_conform_target_free(cmc_conform_target *t) {
    if (t == NULL) {
        return;
    }
    free(t->url);
    X509_free(t->ca_cert);
    sk_X509_pop_free(t->untrusted, X509_free);
    free(t->tls_ca);
    free(t->tls_cert);
    free(t->tls_key);
    free(t->profile);
    credential_cleanup(&t->enroll);
    credential_cleanup(&t->revoke);
    free(t);
}

void cmc_conform_target_describe(const cmc_conform_target *t, char *buf, size_t buf_len) {
    const char *url = t->url != NULL ? t->url : "?";
    const char *scheme_end = strstr(url, "://");
    if (scheme_end != NULL) {
        const char *host = scheme_end + 3;
        const char *slash = strchr(host, '/');
        const char *at = strchr(host, '@');
        if (at != NULL && (slash == NULL || at < slash)) {
            /* Drop user:password@: a URL may carry credentials. */
            snprintf(buf, buf_len, "%.*s%s", (int)(host - url), url, at + 1);
            return;
        }
    }
    snprintf(buf, buf_len, "%s", url);
}

int cmc_conform_parse_reason_list(const char *s, unsigned *out) {
    unsigned set = 0;
    const char *p = s;
    while (*p != '\0') {
        while (*p == ' ' || *p == '\t' || *p == ',') {
            p++;
        }
        if (*p == '\0') {
            break;
        }
        char *end = NULL;
        long v = strtol(p, &end, 10);
        if (end == p || v < 0 || v > 10) {
            return -1;
        }
        set |= 1u << v;
        p = end;
        if (*p != '\0' && *p != ',' && *p != ' ' && *p != '\t') {
            return -1;
        }
    }
    *out = set;
    return 0;
}

int cmc_conform_parse_response_types(const char *s, unsigned *out) {
    static const struct {
        const char *name;
        unsigned bit;
    } kTypes[] = {
        {"certs-only", CMC_CONFORM_RESP_CERTS_ONLY},
        {"certs-only-chain", CMC_CONFORM_RESP_CERTS_ONLY_CHAIN},
        {"pkix-cert", CMC_CONFORM_RESP_PKIX_CERT},
        {"cmc-response", CMC_CONFORM_RESP_CMC_RESPONSE},
    };
    unsigned set = 0;
    const char *p = s;
    while (*p != '\0') {
        while (*p == ' ' || *p == '\t' || *p == ',') {
            p++;
        }
        size_t n = strcspn(p, " \t,");
        if (n == 0) {
            break;
        }
        size_t i = 0;
        while (i < sizeof(kTypes) / sizeof(kTypes[0]) &&
               !(strlen(kTypes[i].name) == n && strncasecmp(kTypes[i].name, p, n) == 0)) {
            i++;
        }
        if (i == sizeof(kTypes) / sizeof(kTypes[0])) {
            return -1;
        }
        set |= kTypes[i].bit;
        p += n;
    }
    *out = set;
    return 0;
}

static int parse_bool(const char *v, int *out) {
    if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0 ||
        strcasecmp(v, "on") == 0) {
        *out = 1;
        return 0;
    }
    if (strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0 || strcmp(v, "0") == 0 ||
        strcasecmp(v, "off") == 0) {
        *out = 0;
        return 0;
    }
    return -1;
}

/* Resolves |rel| against the directory of |cfg_path|. */
static char *resolve(const char *cfg_path, const char *rel) {
    if (rel[0] == '/' || strchr(cfg_path, '/') == NULL) {
        return cmc_conform_strdup(rel);
    }
    const char *slash = strrchr(cfg_path, '/');
    return cmc_conform_printf("%.*s/%s", (int)(slash - cfg_path), cfg_path, rel);
}

static STACK_OF(X509) *read_certs(const char *path) {
    BIO *bio = BIO_new_file(path, "r");
    if (bio == NULL) {
        return NULL;
    }
    STACK_OF(X509) *sk = sk_X509_new_null();
    X509 *x;
    while (sk != NULL && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        if (!sk_X509_push(sk, x)) {
            X509_free(x);
            break;
        }
    }
    ERR_clear_error(); /* the loop ends on "no start line" */
    BIO_free(bio);
    if (sk != NULL && sk_X509_num(sk) == 0) {
        sk_X509_free(sk);
        return NULL;
    }
    return sk;
}

static int load_credential(const CONF *conf, const char *cfg_path, const char *section,
                           cmc_conform_credential *out, char *err, size_t err_len) {
    const char *cert = NCONF_get_string(conf, section, "cert");
    const char *key = NCONF_get_string(conf, section, "key");
    ERR_clear_error();
    if (cert == NULL && key == NULL) {
        return 0; /* no credential for this role: cases needing it are skipped */
    }
    if (cert == NULL || key == NULL) {
        snprintf(err, err_len, "%s: [%s] needs both cert and key", cfg_path, section);
        return -1;
    }
    char *cert_path = resolve(cfg_path, cert);
    char *key_path = resolve(cfg_path, key);
    int rc = -1;
    STACK_OF(X509) *certs = read_certs(cert_path);
    if (certs == NULL) {
        snprintf(err, err_len, "%s: [%s] cert: cannot read a PEM certificate from %s", cfg_path,
                 section, cert_path);
        goto done;
    }
    BIO *bio = BIO_new_file(key_path, "r");
    EVP_PKEY *pkey = bio != NULL ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    ERR_clear_error();
    if (pkey == NULL) {
        sk_X509_pop_free(certs, X509_free);
        /* The path only: never a byte of the key file. */
        snprintf(err, err_len, "%s: [%s] key: cannot read an unencrypted PEM private key from %s",
                 cfg_path, section, key_path);
        goto done;
    }
    X509 *leaf = sk_X509_shift(certs);
    if (X509_check_private_key(leaf, pkey) != 1) {
        ERR_clear_error();
        X509_free(leaf);
        EVP_PKEY_free(pkey);
        sk_X509_pop_free(certs, X509_free);
        snprintf(err, err_len, "%s: [%s] the key does not belong to the certificate", cfg_path,
                 section);
        goto done;
    }
    out->cert = leaf;
    out->key = pkey;
    out->chain = certs;
    rc = 0;
done:
    free(cert_path);
    free(key_path);
    return rc;
}

static const char *get(const CONF *conf, const char *section, const char *key) {
    const char *v = NCONF_get_string(conf, section, key);
    if (v == NULL) {
        ERR_clear_error(); /* absent keys are normal */
    }
    return v;
}

cmc_conform_target *cmc_conform_target_load(const char *path, char *err, size_t err_len) {
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, err_len, "%s: cannot read the target configuration", path);
        return NULL;
    }
    if (st.st_size > CMC_CONFORM_MAX_TARGET_CONFIG_BYTES) {
        snprintf(err, err_len, "%s: larger than %d bytes", path,
                 CMC_CONFORM_MAX_TARGET_CONFIG_BYTES);
        return NULL;
    }
    CONF *conf = NCONF_new(NULL);
    long line = -1;
    if (conf == NULL || NCONF_load(conf, path, &line) <= 0) {
        ERR_clear_error();
        snprintf(err, err_len, "%s:%ld: syntax error", path, line);
        NCONF_free(conf);
        return NULL;
    }
    cmc_conform_target *t = target_new();
    const char *v;
    const char *url = get(conf, "target", "url");
    if (url == NULL || url[0] == '\0') {
        snprintf(err, err_len, "%s: [target] url is required", path);
        goto fail;
    }
    t->url = cmc_conform_strdup(url);
    t->embedded = strcmp(url, "embedded") == 0;
    t->fixture_officers = t->embedded;
    if ((v = get(conf, "target", "fixture_officers")) != NULL &&
        parse_bool(v, &t->fixture_officers) != 0) {
        snprintf(err, err_len, "%s: [target] fixture_officers: expected yes or no", path);
        goto fail;
    }
    if ((v = get(conf, "target", "ca_cert")) != NULL) {
        char *p = resolve(path, v);
        STACK_OF(X509) *sk = read_certs(p);
        free(p);
        if (sk == NULL) {
            snprintf(err, err_len, "%s: [target] ca_cert: cannot read a PEM certificate", path);
            goto fail;
        }
        t->ca_cert = sk_X509_shift(sk);
        t->untrusted = sk;
    }
    if ((v = get(conf, "target", "untrusted")) != NULL) {
        char *p = resolve(path, v);
        STACK_OF(X509) *sk = read_certs(p);
        free(p);
        if (sk == NULL) {
            snprintf(err, err_len, "%s: [target] untrusted: cannot read PEM certificates", path);
            goto fail;
        }
        if (t->untrusted == NULL) {
            t->untrusted = sk;
        } else {
            X509 *x;
            while ((x = sk_X509_shift(sk)) != NULL) {
                if (!sk_X509_push(t->untrusted, x)) {
                    X509_free(x);
                }
            }
            sk_X509_free(sk);
        }
    }
    const char *tls_keys[3] = {"tls_ca", "tls_cert", "tls_key"};
    char **tls_out[3] = {&t->tls_ca, &t->tls_cert, &t->tls_key};
    for (int i = 0; i < 3; i++) {
        if ((v = get(conf, "target", tls_keys[i])) != NULL) {
            *tls_out[i] = resolve(path, v);
        }
    }
    if ((v = get(conf, "target", "timeout")) != NULL) {
        char *end = NULL;
        long s = strtol(v, &end, 10);
        if (end == v || *end != '\0' || s <= 0 || s > TARGET_MAX_TIMEOUT_S) {
            snprintf(err, err_len, "%s: [target] timeout: seconds 1..%d", path,
                     TARGET_MAX_TIMEOUT_S);
            goto fail;
        }
        t->timeout_ms = (unsigned)s * 1000u;
    }
    if ((v = get(conf, "target", "profile")) != NULL) {
        t->profile = cmc_conform_strdup(v);
    }
    if (load_credential(conf, path, "enroll_officer", &t->enroll, err, err_len) != 0 ||
        load_credential(conf, path, "revoke_officer", &t->revoke, err, err_len) != 0) {
        goto fail;
    }
    if ((v = get(conf, "policy", "allowed_reasons")) != NULL) {
        if (cmc_conform_parse_reason_list(v, &t->allowed_reasons) != 0) {
            snprintf(err, err_len, "%s: [policy] allowed_reasons: a list of CRLReasons 0..10",
                     path);
            goto fail;
        }
        t->has_allowed_reasons = 1;
    }
    if ((v = get(conf, "policy", "enroll_needs_officer")) != NULL) {
        if (parse_bool(v, &t->enroll_needs_officer) != 0) {
            snprintf(err, err_len, "%s: [policy] enroll_needs_officer: expected yes or no", path);
            goto fail;
        }
        t->has_enroll_needs_officer = 1;
    }
    if ((v = get(conf, "policy", "response_types")) != NULL) {
        if (cmc_conform_parse_response_types(v, &t->response_types) != 0) {
            snprintf(err, err_len,
                     "%s: [policy] response_types: certs-only, certs-only-chain, pkix-cert, "
                     "cmc-response",
                     path);
            goto fail;
        }
        t->has_response_types = 1;
    }
    NCONF_free(conf);
    return t;
fail:
    NCONF_free(conf);
    cmc_conform_target_free(t);
    return NULL;
}
