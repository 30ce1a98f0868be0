/* config.c: the reference server configuration (format documented in cmc/server.h).
 *
 * Read with NCONF (OpenSSL config syntax, DESIGN.md "Dependencies"). Every problem yields one
 * line "FILE: [SECTION] KEY: what is wrong" and CMC_E_CONFIG, before anything is served. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <openssl/conf.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "fixtures.h"
#include "server/server_local.h"

/* Largest configuration file we read: real ones are < 4 KiB; bounds NCONF's work. */
#define CMC_MAX_CONFIG_BYTES (256 * 1024)
/* Largest PEM file a configuration may name: a certificate chain or a key is < 64 KiB. */
#define CMC_MAX_PEM_BYTES (1024 * 1024)
/* Default validity of issued certificates. */
#define CMC_DEFAULT_VALIDITY_DAYS 365

static const char *const kFaultNames[] = {
    "accept-reason-2",
    "skip-digest-check",
    "skip-content-type-check",
    "enroll-officer-can-revoke",
    "drop-recipient-nonce",
    "certs-only-without-chain",
    NULL,
};

const char *const *cmc_server_fault_names(void) {
    return kFaultNames;
}

static const struct {
    const char *name;
    unsigned bit;
} kSigAlgs[] = {
    {"rsa-sha256", CMC_SIG_RSA_SHA256},
    {"rsa-sha384", CMC_SIG_RSA_SHA384},
    {"rsa-sha512", CMC_SIG_RSA_SHA512},
    {"rsa-pss-sha256", CMC_SIG_RSA_PSS_SHA256},
    {"rsa-pss-sha384", CMC_SIG_RSA_PSS_SHA384},
    {"rsa-pss-sha512", CMC_SIG_RSA_PSS_SHA512},
    {"ecdsa-p256", CMC_SIG_ECDSA_P256},
    {"ecdsa-p384", CMC_SIG_ECDSA_P384},
    {"ed25519", CMC_SIG_ED25519},
};

static cmc_server_config *config_new_defaults(void) {
    cmc_server_config *cfg = OPENSSL_zalloc(sizeof(*cfg));
    if (cfg == NULL) {
        return NULL;
    }
    cfg->anchors = sk_X509_new_null();
    if (cfg->anchors == NULL) {
        OPENSSL_free(cfg);
        return NULL;
    }
    cfg->require_officer_for_enrollment = 1;
    cfg->revocation_reasons = CMC_DEFAULT_REVOCATION_REASONS;
    cfg->include_chain = 1;
    cfg->validity_days = CMC_DEFAULT_VALIDITY_DAYS;
    cfg->sig_algs = CMC_SIG_ALL;
    cfg->max_body_bytes = (size_t)CMC_MAX_MESSAGE_BYTES;
    strcpy(cfg->store_path, ":memory:");
    return cfg;
}

void cmc_server_config_free(cmc_server_config *cfg) {
    if (cfg == NULL) {
        return;
    }
    X509_free(cfg->ca_cert);
    EVP_PKEY_free(cfg->ca_key);
    X509_free(cfg->signer_cert);
    EVP_PKEY_free(cfg->signer_key);
    sk_X509_pop_free(cfg->anchors, X509_free);
    for (size_t i = 0; i < cfg->num_officers; i++) {
        X509_free(cfg->officers[i].cert);
    }
    OPENSSL_free(cfg->officers);
    OPENSSL_cleanse(cfg->seed, sizeof(cfg->seed));
    OPENSSL_free(cfg);
}

cmc_status cmc_server_config_dup(cmc_server_config **out, const cmc_server_config *cfg) {
    if (out == NULL || cfg == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    cmc_server_config *c = OPENSSL_malloc(sizeof(*c));
    if (c == NULL) {
        CMC_RAISE(CMC_E_NOMEM);
    }
    *c = *cfg;
    c->anchors = NULL;
    c->officers = NULL;
    c->num_officers = 0;
    /* Up-reference the shared objects; from here cmc_server_config_free is safe. */
    if (c->ca_cert != NULL) {
        X509_up_ref(c->ca_cert);
    }
    if (c->ca_key != NULL) {
        EVP_PKEY_up_ref(c->ca_key);
    }
    if (c->signer_cert != NULL) {
        X509_up_ref(c->signer_cert);
    }
    if (c->signer_key != NULL) {
        EVP_PKEY_up_ref(c->signer_key);
    }
    c->anchors = X509_chain_up_ref(cfg->anchors);
    if (c->anchors == NULL) {
        cmc_server_config_free(c);
        CMC_RAISE(CMC_E_NOMEM);
    }
    if (cfg->num_officers > 0) {
        c->officers = OPENSSL_zalloc(cfg->num_officers * sizeof(*c->officers));
        if (c->officers == NULL) {
            cmc_server_config_free(c);
            CMC_RAISE(CMC_E_NOMEM);
        }
        for (size_t i = 0; i < cfg->num_officers; i++) {
            c->officers[i] = cfg->officers[i];
            X509_up_ref(c->officers[i].cert);
            c->num_officers = i + 1;
        }
    }
    *out = c;
    return CMC_OK;
}

/* ---- Setters ---- */

cmc_status cmc_server_config_set_clock(cmc_server_config *cfg, time_t t) {
    if (cfg == NULL || t < 0) {
        CMC_RAISE(CMC_E_ARG);
    }
    cfg->has_clock = 1;
    cfg->clock = t;
    return CMC_OK;
}

cmc_status cmc_server_config_set_seed(cmc_server_config *cfg, const uint8_t *seed,
                                      size_t seed_len) {
    if (cfg == NULL || seed == NULL || seed_len == 0 || seed_len > CMC_MAX_SEED_BYTES) {
        CMC_RAISE(CMC_E_ARG);
    }
    memcpy(cfg->seed, seed, seed_len);
    cfg->seed_len = seed_len;
    return CMC_OK;
}

cmc_status cmc_server_config_set_store(cmc_server_config *cfg, const char *path) {
    if (cfg == NULL || path == NULL || path[0] == '\0' || strlen(path) >= CMC_MAX_STORE_PATH) {
        CMC_RAISE(CMC_E_ARG);
    }
    memcpy(cfg->store_path, path, strlen(path) + 1); /* length checked above */
    return CMC_OK;
}

void cmc_server_config_set_include_chain(cmc_server_config *cfg, int on) {
    if (cfg != NULL) {
        cfg->include_chain = on != 0;
    }
}

void cmc_server_config_set_require_officer(cmc_server_config *cfg, int on) {
    if (cfg != NULL) {
        cfg->require_officer_for_enrollment = on != 0;
    }
}

cmc_status cmc_server_config_set_revocation_reasons(cmc_server_config *cfg, unsigned mask) {
    if (cfg == NULL || (mask & ~0x7FFu) != 0 || (mask & (1u << 7)) != 0) {
        CMC_RAISE(CMC_E_ARG);
    }
    cfg->revocation_reasons = mask;
    return CMC_OK;
}

cmc_status cmc_server_config_set_max_body(cmc_server_config *cfg, size_t max_body_bytes) {
    if (cfg == NULL || max_body_bytes == 0 || max_body_bytes > (size_t)CMC_MAX_MESSAGE_BYTES) {
        CMC_RAISE(CMC_E_ARG);
    }
    cfg->max_body_bytes = max_body_bytes;
    return CMC_OK;
}

static int fault_bit(const char *name, unsigned *bit) {
    for (unsigned i = 0; kFaultNames[i] != NULL; i++) {
        if (strcmp(name, kFaultNames[i]) == 0) {
            *bit = 1u << i;
            return 1;
        }
    }
    return 0;
}

cmc_status cmc_server_config_set_fault(cmc_server_config *cfg, const char *name) {
    unsigned bit;
    if (cfg == NULL || name == NULL || !fault_bit(name, &bit)) {
        CMC_RAISE(CMC_E_ARG);
    }
    cfg->faults |= bit;
    return CMC_OK;
}

/* Internal: append an officer (takes a reference to |cert|). */
cmc_status cmc_server_config_add_officer(cmc_server_config *cfg, X509 *cert, unsigned roles,
                                         const char *name) {
    if (cfg->num_officers >= CMC_MAX_OFFICERS) {
        CMC_RAISE(CMC_E_LIMIT);
    }
    cmc_officer *n = OPENSSL_realloc(cfg->officers, (cfg->num_officers + 1) * sizeof(*n));
    if (n == NULL) {
        CMC_RAISE(CMC_E_NOMEM);
    }
    cfg->officers = n;
    cmc_officer *o = &n[cfg->num_officers];
    memset(o, 0, sizeof(*o));
    X509_up_ref(cert);
    o->cert = cert;
    o->roles = roles;
    snprintf(o->name, sizeof(o->name), "%s", name);
    cfg->num_officers++;
    return CMC_OK;
}

/* ---- File loading ---- */

typedef struct {
    const char *file;
    char dir[PATH_MAX];
    CONF *conf;
    char *err;
    size_t err_len;
} loader;

static cmc_status fail(loader *ld, const char *section, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static cmc_status fail(loader *ld, const char *section, const char *key, const char *fmt, ...) {
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    if (ld->err != NULL && ld->err_len > 0) {
        if (section != NULL && key != NULL) {
            snprintf(ld->err, ld->err_len, "%s: [%s] %s: %s", ld->file, section, key, what);
        } else if (section != NULL) {
            snprintf(ld->err, ld->err_len, "%s: [%s]: %s", ld->file, section, what);
        } else {
            snprintf(ld->err, ld->err_len, "%s: %s", ld->file, what);
        }
    }
    cmc_error_set_detail("%s", what);
    CMC_RAISE(CMC_E_CONFIG);
}

static const char *get(loader *ld, const char *section, const char *key) {
    const char *v = NCONF_get_string(ld->conf, section, key);
    if (v == NULL) {
        ERR_clear_error(); /* absence is not an error here */
    }
    return v;
}

static void resolve(loader *ld, const char *name, char *out, size_t out_len) {
    if (name == NULL) {
        out[0] = '\0'; /* callers pass require()'d values; defensive */
        return;
    }
    if (name[0] == '/' || ld->dir[0] == '\0') {
        snprintf(out, out_len, "%s", name);
    } else {
        snprintf(out, out_len, "%s/%s", ld->dir, name);
    }
}

static cmc_status check_keys(loader *ld, const char *section, const char *const *allowed) {
    STACK_OF(CONF_VALUE) *vals = NCONF_get_section(ld->conf, section);
    if (vals == NULL) {
        ERR_clear_error();
        return CMC_OK;
    }
    for (int i = 0; i < sk_CONF_VALUE_num(vals); i++) {
        const CONF_VALUE *v = sk_CONF_VALUE_value(vals, i);
        int ok = allowed == NULL;
        for (size_t k = 0; allowed != NULL && allowed[k] != NULL; k++) {
            if (strcmp(v->name, allowed[k]) == 0) {
                ok = 1;
            }
        }
        if (!ok) {
            return fail(ld, section, v->name, "unknown key");
        }
    }
    return CMC_OK;
}

static BIO *open_pem(loader *ld, const char *section, const char *key, const char *name,
                     cmc_status *st) {
    char path[PATH_MAX + 256];
    resolve(ld, name, path, sizeof(path));
    struct stat sb;
    if (stat(path, &sb) != 0) {
        *st = fail(ld, section, key, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    if (sb.st_size > (off_t)CMC_MAX_PEM_BYTES) {
        *st = fail(ld, section, key, "%s is larger than %d bytes", path, CMC_MAX_PEM_BYTES);
        return NULL;
    }
    BIO *b = BIO_new_file(path, "r");
    if (b == NULL) {
        *st = fail(ld, section, key, "cannot open %s", path);
    }
    return b;
}

static cmc_status load_cert(loader *ld, const char *section, const char *key, const char *name,
                            X509 **out) {
    cmc_status st = CMC_OK;
    BIO *b = open_pem(ld, section, key, name, &st);
    if (b == NULL) {
        return st;
    }
    X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
    BIO_free(b);
    if (x == NULL) {
        ERR_clear_error();
        return fail(ld, section, key, "%s holds no PEM certificate", name);
    }
    *out = x;
    return CMC_OK;
}

static cmc_status load_key(loader *ld, const char *section, const char *key, const char *name,
                           EVP_PKEY **out) {
    cmc_status st = CMC_OK;
    BIO *b = open_pem(ld, section, key, name, &st);
    if (b == NULL) {
        return st;
    }
    /* Empty passphrase: encrypted keys are refused rather than prompting on a tty. */
    EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, NULL, (void *)"");
    BIO_free(b);
    if (k == NULL) {
        ERR_clear_error();
        return fail(ld, section, key, "%s holds no unencrypted PEM private key", name);
    }
    *out = k;
    return CMC_OK;
}

static cmc_status require(loader *ld, const char *section, const char *key, const char **out) {
    const char *v = get(ld, section, key);
    if (v == NULL || v[0] == '\0') {
        return fail(ld, section, key, "missing (required)");
    }
    *out = v;
    return CMC_OK;
}

static cmc_status get_bool(loader *ld, const char *section, const char *key, int *out) {
    const char *v = get(ld, section, key);
    if (v == NULL) {
        return CMC_OK; /* keep default */
    }
    if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcasecmp(v, "on") ||
        !strcmp(v, "1")) {
        *out = 1;
    } else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcasecmp(v, "off") ||
               !strcmp(v, "0")) {
        *out = 0;
    } else {
        return fail(ld, section, key, "'%s' is not yes or no", v);
    }
    return CMC_OK;
}

static cmc_status get_long(loader *ld, const char *section, const char *key, long lo, long hi,
                           long *out) {
    const char *v = get(ld, section, key);
    if (v == NULL) {
        return CMC_OK;
    }
    char *end = NULL;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (v[0] == '\0' || *end != '\0' || errno != 0 || n < lo || n > hi) {
        return fail(ld, section, key, "'%s' is not a number in %ld..%ld", v, lo, hi);
    }
    *out = n;
    return CMC_OK;
}

/* next_item splits a comma-separated list: copies the next trimmed item into |item| and
 * advances |*p|; returns 0 at the end. Items longer than |item_len| - 1 are truncated and
 * then fail to match anything. */
static int next_item(const char **p, char *item, size_t item_len) {
    const char *s = *p;
    while (*s == ' ' || *s == '\t' || *s == ',') {
        s++;
    }
    if (*s == '\0') {
        *p = s;
        return 0;
    }
    const char *e = s;
    while (*e != '\0' && *e != ',') {
        e++;
    }
    const char *t = e;
    while (t > s && (t[-1] == ' ' || t[-1] == '\t')) {
        t--;
    }
    size_t n = (size_t)(t - s);
    if (n >= item_len) {
        n = item_len - 1;
    }
    memcpy(item, s, n);
    item[n] = '\0';
    *p = e;
    return 1;
}

static cmc_status parse_reasons(loader *ld, const char *section, const char *key, unsigned *out) {
    const char *v = get(ld, section, key);
    if (v == NULL) {
        return CMC_OK;
    }
    unsigned mask = 0;
    char item[32];
    while (next_item(&v, item, sizeof(item))) {
        char *end = NULL;
        long r = strtol(item, &end, 10);
        if (item[0] == '\0' || *end != '\0' || r < 0 || r > CMC_CRL_REASON_MAX || r == 7) {
            return fail(ld, section, key,
                        "'%s' is not a CRLReason code (0..10, 7 is unused; RFC 5280 §5.3.1)", item);
        }
        mask |= 1u << r;
    }
    *out = mask;
    return CMC_OK;
}

static cmc_status parse_sig_algs(loader *ld, const char *section, const char *key, unsigned *out) {
    const char *v = get(ld, section, key);
    if (v == NULL) {
        return CMC_OK;
    }
    unsigned mask = 0;
    char item[32];
    while (next_item(&v, item, sizeof(item))) {
        unsigned bit = 0;
        for (size_t k = 0; k < sizeof(kSigAlgs) / sizeof(kSigAlgs[0]); k++) {
            if (strcasecmp(item, kSigAlgs[k].name) == 0) {
                bit = kSigAlgs[k].bit;
            }
        }
        if (bit == 0) {
            return fail(ld, section, key, "unknown signature algorithm '%s'", item);
        }
        mask |= bit;
    }
    if (mask == 0) {
        return fail(ld, section, key, "empty list");
    }
    *out = mask;
    return CMC_OK;
}

static cmc_status parse_roles(loader *ld, const char *section, const char *key, unsigned *out) {
    const char *v = get(ld, section, key);
    unsigned mask = 0;
    char item[32];
    while (v != NULL && next_item(&v, item, sizeof(item))) {
        if (strcasecmp(item, "enroll") == 0) {
            mask |= CMC_ROLE_ENROLL;
        } else if (strcasecmp(item, "revoke") == 0) {
            mask |= CMC_ROLE_REVOKE;
        } else {
            return fail(ld, section, key, "unknown role '%s' (enroll, revoke)", item);
        }
    }
    *out = mask;
    return CMC_OK;
}

static int hexval(int c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = tolower(c);
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

static cmc_status load_test(loader *ld, cmc_server_config *cfg) {
    static const char *const kKeys[] = {"clock", "seed", NULL};
    CMC_TRY(check_keys(ld, "test", kKeys));
    const char *v = get(ld, "test", "clock");
    if (v != NULL) {
        ASN1_GENERALIZEDTIME *g = ASN1_GENERALIZEDTIME_new();
        struct tm tm;
        int ok = g != NULL && strlen(v) == 15 && v[14] == 'Z' &&
                 ASN1_GENERALIZEDTIME_set_string(g, v) && ASN1_TIME_to_tm(g, &tm);
        ASN1_GENERALIZEDTIME_free(g);
        ERR_clear_error();
        if (!ok) {
            return fail(ld, "test", "clock", "'%s' is not YYYYMMDDHHMMSSZ", v);
        }
        time_t t = timegm(&tm);
        cfg->has_clock = 1;
        cfg->clock = t;
    }
    v = get(ld, "test", "seed");
    if (v != NULL) {
        size_t n = strlen(v);
        if (n == 0 || n % 2 != 0 || n / 2 > CMC_MAX_SEED_BYTES) {
            return fail(ld, "test", "seed", "not 1..%d bytes of hex", CMC_MAX_SEED_BYTES);
        }
        for (size_t i = 0; i < n / 2; i++) {
            int hi = hexval((unsigned char)v[2 * i]), lo = hexval((unsigned char)v[2 * i + 1]);
            if (hi < 0 || lo < 0) {
                return fail(ld, "test", "seed", "not hex");
            }
            cfg->seed[i] = (uint8_t)(hi << 4 | lo);
        }
        cfg->seed_len = n / 2;
    }
    return CMC_OK;
}

static cmc_status load_faults(loader *ld, cmc_server_config *cfg) {
    STACK_OF(CONF_VALUE) *vals = NCONF_get_section(ld->conf, "test_faults");
    if (vals == NULL) {
        ERR_clear_error();
        return CMC_OK;
    }
    for (int i = 0; i < sk_CONF_VALUE_num(vals); i++) {
        const CONF_VALUE *v = sk_CONF_VALUE_value(vals, i);
        unsigned bit;
        int on = 0;
        if (!fault_bit(v->name, &bit)) {
            return fail(ld, "test_faults", v->name, "unknown fault");
        }
        CMC_TRY(get_bool(ld, "test_faults", v->name, &on));
        if (on) {
            cfg->faults |= bit;
        }
    }
    return CMC_OK;
}

static cmc_status load_officers(loader *ld, cmc_server_config *cfg, const char *section) {
    STACK_OF(CONF_VALUE) *vals = NCONF_get_section(ld->conf, section);
    if (vals == NULL) {
        ERR_clear_error();
        return fail(ld, "server", "officers", "section [%s] does not exist", section);
    }
    static const char *const kKeys[] = {"certificate", "roles", NULL};
    for (int i = 0; i < sk_CONF_VALUE_num(vals); i++) {
        const CONF_VALUE *v = sk_CONF_VALUE_value(vals, i);
        const char *osec = v->value;
        if (NCONF_get_section(ld->conf, osec) == NULL) {
            ERR_clear_error();
            return fail(ld, section, v->name, "section [%s] does not exist", osec);
        }
        CMC_TRY(check_keys(ld, osec, kKeys));
        const char *file = NULL;
        CMC_TRY(require(ld, osec, "certificate", &file));
        unsigned roles = 0;
        CMC_TRY(parse_roles(ld, osec, "roles", &roles));
        X509 *x = NULL;
        CMC_TRY(load_cert(ld, osec, "certificate", file, &x));
        cmc_status st = cmc_server_config_add_officer(cfg, x, roles, v->name);
        X509_free(x);
        if (st != CMC_OK) {
            return fail(ld, section, v->name, "too many officers (at most %d)", CMC_MAX_OFFICERS);
        }
    }
    return CMC_OK;
}

static int key_matches(X509 *cert, EVP_PKEY *key) {
    int ok = X509_check_private_key(cert, key);
    ERR_clear_error();
    return ok == 1;
}

static cmc_status load_all(loader *ld, cmc_server_config *cfg) {
    static const char *const kServer[] = {"ca_certificate",
                                          "ca_key",
                                          "signer_certificate",
                                          "signer_key",
                                          "officer_trust_anchors",
                                          "officers",
                                          "store",
                                          NULL};
    static const char *const kPolicy[] = {"require_officer_for_enrollment",
                                          "revocation_reasons",
                                          "include_chain",
                                          "validity_days",
                                          "signature_algorithms",
                                          NULL};
    static const char *const kLimits[] = {"max_body_bytes", NULL};
    if (NCONF_get_section(ld->conf, "server") == NULL) {
        ERR_clear_error();
        return fail(ld, "server", NULL, "section missing (required)");
    }
    CMC_TRY(check_keys(ld, "server", kServer));
    CMC_TRY(check_keys(ld, "policy", kPolicy));
    CMC_TRY(check_keys(ld, "limits", kLimits));
    const char *v = NULL;
    CMC_TRY(require(ld, "server", "ca_certificate", &v));
    CMC_TRY(load_cert(ld, "server", "ca_certificate", v, &cfg->ca_cert));
    CMC_TRY(require(ld, "server", "ca_key", &v));
    CMC_TRY(load_key(ld, "server", "ca_key", v, &cfg->ca_key));
    if (!key_matches(cfg->ca_cert, cfg->ca_key)) {
        return fail(ld, "server", "ca_key", "does not match ca_certificate");
    }
    CMC_TRY(require(ld, "server", "signer_certificate", &v));
    CMC_TRY(load_cert(ld, "server", "signer_certificate", v, &cfg->signer_cert));
    CMC_TRY(require(ld, "server", "signer_key", &v));
    CMC_TRY(load_key(ld, "server", "signer_key", v, &cfg->signer_key));
    if (!key_matches(cfg->signer_cert, cfg->signer_key)) {
        return fail(ld, "server", "signer_key", "does not match signer_certificate");
    }
    CMC_TRY(require(ld, "server", "officer_trust_anchors", &v));
    char item[PATH_MAX];
    while (next_item(&v, item, sizeof(item))) {
        X509 *x = NULL;
        if (sk_X509_num(cfg->anchors) >= CMC_MAX_TRUST_ANCHORS) {
            return fail(ld, "server", "officer_trust_anchors", "more than %d anchors",
                        CMC_MAX_TRUST_ANCHORS);
        }
        CMC_TRY(load_cert(ld, "server", "officer_trust_anchors", item, &x));
        if (!sk_X509_push(cfg->anchors, x)) {
            X509_free(x);
            CMC_RAISE(CMC_E_NOMEM);
        }
    }
    const char *osec = get(ld, "server", "officers");
    if (osec != NULL) {
        CMC_TRY(load_officers(ld, cfg, osec));
    }
    v = get(ld, "server", "store");
    if (v != NULL) {
        if (v[0] == '\0') {
            return fail(ld, "server", "store", "empty (use :memory: for no file)");
        }
        char path[PATH_MAX + 256];
        if (strcmp(v, ":memory:") == 0) {
            snprintf(path, sizeof(path), "%s", v);
        } else {
            resolve(ld, v, path, sizeof(path));
        }
        if (cmc_server_config_set_store(cfg, path) != CMC_OK) {
            return fail(ld, "server", "store", "path longer than %d bytes", CMC_MAX_STORE_PATH - 1);
        }
    }
    CMC_TRY(get_bool(ld, "policy", "require_officer_for_enrollment",
                     &cfg->require_officer_for_enrollment));
    CMC_TRY(parse_reasons(ld, "policy", "revocation_reasons", &cfg->revocation_reasons));
    CMC_TRY(get_bool(ld, "policy", "include_chain", &cfg->include_chain));
    CMC_TRY(get_long(ld, "policy", "validity_days", 1, CMC_MAX_VALIDITY_DAYS, &cfg->validity_days));
    CMC_TRY(parse_sig_algs(ld, "policy", "signature_algorithms", &cfg->sig_algs));
    long max_body = (long)cfg->max_body_bytes;
    CMC_TRY(get_long(ld, "limits", "max_body_bytes", 1, (long)CMC_MAX_MESSAGE_BYTES, &max_body));
    cfg->max_body_bytes = (size_t)max_body;
    CMC_TRY(load_test(ld, cfg));
    CMC_TRY(load_faults(ld, cfg));
    return CMC_OK;
}

cmc_status cmc_server_config_load(cmc_server_config **out, const char *path, char *err,
                                  size_t err_len) {
    if (err != NULL && err_len > 0) {
        err[0] = '\0';
    }
    if (out == NULL || path == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    loader ld = {.file = path, .err = err, .err_len = err_len};
    const char *slash = strrchr(path, '/');
    if (slash != NULL) {
        size_t n = (size_t)(slash - path);
        if (n >= sizeof(ld.dir)) {
            return fail(&ld, NULL, NULL, "path too long");
        }
        memcpy(ld.dir, path, n);
        ld.dir[n] = '\0';
        if (n == 0) {
            strcpy(ld.dir, "/");
        }
    }
    struct stat sb;
    if (stat(path, &sb) != 0) {
        return fail(&ld, NULL, NULL, "cannot open: %s", strerror(errno));
    }
    if (sb.st_size > (off_t)CMC_MAX_CONFIG_BYTES) {
        return fail(&ld, NULL, NULL, "larger than %d bytes", CMC_MAX_CONFIG_BYTES);
    }
    ld.conf = NCONF_new(NULL);
    if (ld.conf == NULL) {
        CMC_RAISE(CMC_E_NOMEM);
    }
    long errline = -1;
    if (NCONF_load(ld.conf, path, &errline) <= 0) {
        NCONF_free(ld.conf);
        ERR_clear_error();
        if (errline > 0) {
            return fail(&ld, NULL, NULL, "line %ld: syntax error", errline);
        }
        return fail(&ld, NULL, NULL, "cannot be read as an OpenSSL config file");
    }
    cmc_server_config *cfg = config_new_defaults();
    if (cfg == NULL) {
        NCONF_free(ld.conf);
        CMC_RAISE(CMC_E_NOMEM);
    }
    cmc_status st = load_all(&ld, cfg);
    NCONF_free(ld.conf);
    if (st != CMC_OK) {
        cmc_server_config_free(cfg);
        return st;
    }
    *out = cfg;
    return CMC_OK;
}

/* ---- Certificate state strings (getCert statusString) ---- */

void cmc_cert_state_format(char out[CMC_CERT_STATE_STR_MAX], const cmc_cert_state *st) {
    if (st == NULL || !st->revoked) {
        snprintf(out, CMC_CERT_STATE_STR_MAX, "status=good");
        return;
    }
    struct tm tm;
    time_t t = st->revoked_at;
    gmtime_r(&t, &tm);
    snprintf(out, CMC_CERT_STATE_STR_MAX,
             "status=revoked; reason=%d; time=%04d%02d%02d%02d%02d%02dZ", st->reason,
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

cmc_status cmc_cert_state_parse(cmc_cert_state *out, const char *s) {
    if (out == NULL || s == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    if (strcmp(s, "status=good") == 0) {
        out->revoked = 0;
        out->reason = -1;
        out->revoked_at = 0;
        return CMC_OK;
    }
    /* Exactly the cmc_cert_state_format text, read by hand: the string may come from another
     * server (the runner parses statusStrings), and sscanf's %d has undefined behaviour on
     * overflow and accepts signs and spaces. */
    static const char kPrefix[] = "status=revoked; reason=";
    static const char kTime[] = "; time=";
    if (strncmp(s, kPrefix, sizeof(kPrefix) - 1) != 0) {
        CMC_RAISE(CMC_E_BAD_VALUE);
    }
    const char *p = s + sizeof(kPrefix) - 1;
    int reason = 0;
    size_t digits = 0;
    for (; *p >= '0' && *p <= '9' && digits < 3; p++, digits++) {
        reason = reason * 10 + (*p - '0');
    }
    if (digits == 0 || digits > 2 || reason > CMC_CRL_REASON_MAX ||
        strncmp(p, kTime, sizeof(kTime) - 1) != 0) {
        CMC_RAISE(CMC_E_BAD_VALUE);
    }
    p += sizeof(kTime) - 1;
    /* YYYYMMDDHHMMSSZ */
    static const int kWidth[6] = {4, 2, 2, 2, 2, 2};
    int field[6];
    for (size_t f = 0; f < 6; f++) {
        field[f] = 0;
        for (int i = 0; i < kWidth[f]; i++, p++) {
            if (*p < '0' || *p > '9') {
                CMC_RAISE(CMC_E_BAD_VALUE);
            }
            field[f] = field[f] * 10 + (*p - '0');
        }
    }
    if (p[0] != 'Z' || p[1] != '\0' || field[1] < 1 || field[1] > 12 || field[2] < 1 ||
        field[2] > 31 || field[3] > 23 || field[4] > 59 || field[5] > 60) {
        CMC_RAISE(CMC_E_BAD_VALUE);
    }
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = field[0] - 1900;
    tm.tm_mon = field[1] - 1;
    tm.tm_mday = field[2];
    tm.tm_hour = field[3];
    tm.tm_min = field[4];
    tm.tm_sec = field[5];
    out->revoked = 1;
    out->reason = reason;
    out->revoked_at = timegm(&tm);
    return CMC_OK;
}

/* ---- The embedded default (fixture PKI compiled into libcmc; test material only) ---- */

cmc_status cmc_server_config_embedded(cmc_server_config **out) {
    if (out == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    cmc_server_config *cfg = config_new_defaults();
    if (cfg == NULL) {
        CMC_RAISE(CMC_E_NOMEM);
    }
    X509 *anchor = NULL;
    cmc_status st = cmc_fixture_cert(&cfg->ca_cert, "ca.cert.pem");
    if (st == CMC_OK) {
        st = cmc_fixture_key(&cfg->ca_key, "ca.key.pem");
    }
    if (st == CMC_OK) {
        st = cmc_fixture_cert(&cfg->signer_cert, "signer.cert.pem");
    }
    if (st == CMC_OK) {
        st = cmc_fixture_key(&cfg->signer_key, "signer.key.pem");
    }
    if (st == CMC_OK) {
        st = cmc_fixture_cert(&anchor, "ca.cert.pem");
    }
    if (st == CMC_OK && !sk_X509_push(cfg->anchors, anchor)) {
        X509_free(anchor);
        st = cmc_error_raise(CMC_E_NOMEM, __FILE__, __LINE__);
    }
    size_t num = 0;
    const cmc_fixture_officer *officers = cmc_fixture_officers(&num);
    for (size_t i = 0; st == CMC_OK && i < num; i++) {
        char file[96];
        X509 *x = NULL;
        snprintf(file, sizeof(file), "%s.cert.pem", officers[i].stem);
        st = cmc_fixture_cert(&x, file);
        if (st == CMC_OK) {
            unsigned roles = 0;
            roles |= (officers[i].roles & CMC_FIXTURE_ROLE_ENROLL) ? CMC_ROLE_ENROLL : 0;
            roles |= (officers[i].roles & CMC_FIXTURE_ROLE_REVOKE) ? CMC_ROLE_REVOKE : 0;
            st = cmc_server_config_add_officer(cfg, x, roles, officers[i].stem);
            X509_free(x);
        }
    }
    if (st != CMC_OK) {
        cmc_server_config_free(cfg);
        return st;
    }
    *out = cfg;
    return CMC_OK;
}
