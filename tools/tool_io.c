/* tool_io.c: file, PEM/DER, key and option helpers for `cmckit req`, `resp` and `bench`. */
#include "tool_io.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ui.h>

const char *tool_openssl_reason(void) {
    static _Thread_local char buf[160];
    unsigned long e = ERR_get_error();
    buf[0] = '\0';
    if (e != 0) {
        const char *r = ERR_reason_error_string(e);
        if (r != NULL) {
            snprintf(buf, sizeof(buf), ": %s", r);
        }
    }
    ERR_clear_error();
    return buf;
}

int tool_form_parse(const char *s, tool_form *out) {
    if (strcasecmp(s, "der") == 0) {
        *out = TOOL_FORM_DER;
    } else if (strcasecmp(s, "pem") == 0) {
        *out = TOOL_FORM_PEM;
    } else {
        return -1;
    }
    return 0;
}

int tool_read_file(const char *path, uint8_t **out, size_t *out_len, char *err, size_t err_len) {
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, err_len, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap + 1);
    int rc = -1;
    if (buf == NULL) {
        snprintf(err, err_len, "%s: out of memory", path);
        goto done;
    }
    for (;;) {
        if (len == cap) {
            if (cap >= TOOL_MAX_FILE_BYTES) {
                snprintf(err, err_len, "%s: larger than %d bytes", path, TOOL_MAX_FILE_BYTES);
                goto done;
            }
            cap *= 2;
            uint8_t *nb = realloc(buf, cap + 1);
            if (nb == NULL) {
                snprintf(err, err_len, "%s: out of memory", path);
                goto done;
            }
            buf = nb;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) {
            break;
        }
    }
    if (ferror(f)) {
        snprintf(err, err_len, "%s: read error: %s", path, strerror(errno));
        goto done;
    }
    if (len == 0) {
        snprintf(err, err_len, "%s: empty file", path);
        goto done;
    }
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    buf = NULL;
    rc = 0;
done:
    free(buf);
    if (f != stdin) {
        fclose(f);
    }
    return rc;
}

int tool_write_file(const char *path, const uint8_t *data, size_t len, char *err, size_t err_len) {
    if (path == NULL || strcmp(path, "-") == 0) {
        if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
            snprintf(err, err_len, "stdout: write error: %s", strerror(errno));
            return -1;
        }
        return 0;
    }
    size_t tmp_len = strlen(path) + 16;
    char *tmp = malloc(tmp_len);
    if (tmp == NULL) {
        snprintf(err, err_len, "%s: out of memory", path);
        return -1;
    }
    snprintf(tmp, tmp_len, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (f == NULL) {
        snprintf(err, err_len, "%s: cannot create: %s", path, strerror(errno));
        free(tmp);
        return -1;
    }
    int ok = fwrite(data, 1, len, f) == len;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        snprintf(err, err_len, "%s: write error: %s", path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}

int tool_is_pem(const uint8_t *data, size_t len) {
    /* Fixture files start with comment lines before the BEGIN line; look at line starts. */
    size_t i = 0;
    while (i < len) {
        if (len - i >= 11 && memcmp(data + i, "-----BEGIN ", 11) == 0) {
            return 1;
        }
        /* Only printable text may precede the armour; DER bytes end the search. */
        while (i < len && data[i] != '\n') {
            if (data[i] != '\t' && data[i] != '\r' && (data[i] < 0x20 || data[i] > 0x7e)) {
                return 0;
            }
            i++;
        }
        i++;
    }
    return 0;
}

int tool_pem_decode(const uint8_t *data, size_t len, char **out_name, uint8_t **out_der,
                    size_t *out_len, char *err, size_t err_len) {
    if (len > TOOL_MAX_FILE_BYTES) {
        snprintf(err, err_len, "PEM input larger than %d bytes", TOOL_MAX_FILE_BYTES);
        return -1;
    }
    BIO *b = BIO_new_mem_buf(data, (int)len);
    char *name = NULL, *header = NULL;
    unsigned char *der = NULL;
    long der_len = 0;
    if (b == NULL || !PEM_read_bio(b, &name, &header, &der, &der_len)) {
        snprintf(err, err_len, "not valid PEM%s", tool_openssl_reason());
        BIO_free(b);
        return -1;
    }
    BIO_free(b);
    OPENSSL_free(header);
    if (out_name != NULL) {
        *out_name = name;
    } else {
        OPENSSL_free(name);
    }
    *out_der = der;
    *out_len = (size_t)der_len;
    return 0;
}

int tool_pem_encode(const char *name, const uint8_t *der, size_t der_len, uint8_t **out,
                    size_t *out_len) {
    BIO *b = BIO_new(BIO_s_mem());
    if (b == NULL || der_len > (size_t)TOOL_MAX_FILE_BYTES ||
        !PEM_write_bio(b, name, "", der, (long)der_len)) {
        BIO_free(b);
        return -1;
    }
    char *p = NULL;
    long n = BIO_get_mem_data(b, &p);
    uint8_t *copy = malloc((size_t)n + 1);
    if (copy == NULL) {
        BIO_free(b);
        return -1;
    }
    memcpy(copy, p, (size_t)n);
    copy[n] = '\0';
    BIO_free(b);
    *out = copy;
    *out_len = (size_t)n;
    return 0;
}

int tool_load_der(const char *path, uint8_t **out, size_t *out_len, char *err, size_t err_len) {
    uint8_t *buf = NULL;
    size_t len = 0;
    if (tool_read_file(path, &buf, &len, err, err_len) != 0) {
        return -1;
    }
    if (!tool_is_pem(buf, len)) {
        *out = buf;
        *out_len = len;
        return 0;
    }
    uint8_t *der = NULL;
    size_t der_len = 0;
    char e[TOOL_ERR_LEN];
    if (tool_pem_decode(buf, len, NULL, &der, &der_len, e, sizeof(e)) != 0) {
        snprintf(err, err_len, "%s: %s", path, e);
        free(buf);
        return -1;
    }
    free(buf);
    uint8_t *copy = malloc(der_len + 1);
    if (copy == NULL) {
        OPENSSL_free(der);
        snprintf(err, err_len, "%s: out of memory", path);
        return -1;
    }
    memcpy(copy, der, der_len);
    OPENSSL_free(der);
    *out = copy;
    *out_len = der_len;
    return 0;
}

int tool_load_certs(const char *path, STACK_OF(X509) **out, char *err, size_t err_len) {
    uint8_t *buf = NULL;
    size_t len = 0;
    if (tool_read_file(path, &buf, &len, err, err_len) != 0) {
        return -1;
    }
    STACK_OF(X509) *sk = sk_X509_new_null();
    if (sk == NULL) {
        free(buf);
        snprintf(err, err_len, "%s: out of memory", path);
        return -1;
    }
    if (tool_is_pem(buf, len)) {
        BIO *b = BIO_new_mem_buf(buf, (int)len);
        X509 *x;
        while (b != NULL && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
            if (!sk_X509_push(sk, x)) {
                X509_free(x);
                break;
            }
        }
        BIO_free(b);
        ERR_clear_error(); /* the loop ends on "no start line" */
    } else {
        const unsigned char *p = buf;
        X509 *x = d2i_X509(NULL, &p, (long)len);
        if (x != NULL && p == buf + len) {
            sk_X509_push(sk, x);
        } else {
            X509_free(x);
        }
    }
    free(buf);
    if (sk_X509_num(sk) == 0) {
        snprintf(err, err_len, "%s: no certificate in PEM or DER%s", path, tool_openssl_reason());
        sk_X509_free(sk);
        return -1;
    }
    *out = sk;
    return 0;
}

int tool_load_cert(const char *path, X509 **out, char *err, size_t err_len) {
    STACK_OF(X509) *sk = NULL;
    if (tool_load_certs(path, &sk, err, err_len) != 0) {
        return -1;
    }
    *out = sk_X509_shift(sk);
    sk_X509_pop_free(sk, X509_free);
    return 0;
}

typedef struct {
    const char *pass_file;
    int called;
    int no_terminal;
    int bad_pass_file;
} pass_ctx;

static int pass_cb(char *buf, int size, int rwflag, void *u) {
    (void)rwflag;
    pass_ctx *pc = u;
    pc->called = 1;
    if (pc->pass_file != NULL) {
        uint8_t *data = NULL;
        size_t len = 0;
        char e[TOOL_ERR_LEN];
        if (tool_read_file(pc->pass_file, &data, &len, e, sizeof(e)) != 0 ||
            len > TOOL_MAX_PASS_BYTES) {
            free(data);
            pc->bad_pass_file = 1;
            return -1;
        }
        size_t n = 0;
        while (n < len && data[n] != '\n' && data[n] != '\r') {
            n++;
        }
        if (n >= (size_t)size) {
            free(data);
            pc->bad_pass_file = 1;
            return -1;
        }
        memcpy(buf, data, n);
        OPENSSL_cleanse(data, len);
        free(data);
        return (int)n;
    }
    if (!isatty(STDIN_FILENO)) {
        pc->no_terminal = 1;
        return -1;
    }
    if (EVP_read_pw_string(buf, size, "Enter pass phrase for the signing key:", 0) != 0) {
        return -1;
    }
    return (int)strlen(buf);
}

int tool_load_key(const char *path, const char *pass_file, EVP_PKEY **out, char *err,
                  size_t err_len) {
    uint8_t *buf = NULL;
    size_t len = 0;
    if (tool_read_file(path, &buf, &len, err, err_len) != 0) {
        return -1;
    }
    EVP_PKEY *pkey = NULL;
    pass_ctx pc = {pass_file, 0, 0, 0};
    OSSL_DECODER_CTX *dctx =
        OSSL_DECODER_CTX_new_for_pkey(&pkey, NULL, NULL, NULL, EVP_PKEY_KEYPAIR, NULL, NULL);
    const unsigned char *p = buf;
    size_t left = len;
    int ok = dctx != NULL && OSSL_DECODER_CTX_set_pem_password_cb(dctx, pass_cb, &pc) &&
             OSSL_DECODER_from_data(dctx, &p, &left) && pkey != NULL;
    OSSL_DECODER_CTX_free(dctx);
    OPENSSL_cleanse(buf, len);
    free(buf);
    if (!ok) {
        EVP_PKEY_free(pkey);
        if (pc.no_terminal) {
            snprintf(err, err_len,
                     "%s: key is encrypted; give --pass-file FILE or run on a terminal", path);
        } else if (pc.bad_pass_file) {
            snprintf(err, err_len, "%s: cannot read a pass phrase line from %s", path, pass_file);
        } else if (pc.called) {
            snprintf(err, err_len, "%s: wrong pass phrase or damaged encrypted key", path);
        } else {
            snprintf(err, err_len, "%s: not a private key in PEM or DER", path);
        }
        ERR_clear_error();
        return -1;
    }
    *out = pkey;
    return 0;
}

static int hex_val(int c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = tolower(c);
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

int tool_hex_decode(const char *hex, uint8_t **out, size_t *out_len) {
    if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) {
        hex += 2;
    }
    size_t n = 0;
    for (const char *q = hex; *q != '\0'; q++) {
        if (*q != ':') {
            if (hex_val((unsigned char)*q) < 0) {
                return -1;
            }
            n++;
        }
    }
    if (n == 0 || n % 2 != 0) {
        return -1;
    }
    uint8_t *b = malloc(n / 2);
    if (b == NULL) {
        return -1;
    }
    size_t k = 0;
    int hi = -1;
    for (const char *q = hex; *q != '\0'; q++) {
        if (*q == ':') {
            continue;
        }
        int v = hex_val((unsigned char)*q);
        if (hi < 0) {
            hi = v;
        } else {
            b[k++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    *out = b;
    *out_len = n / 2;
    return 0;
}

void tool_hex_print(FILE *f, const uint8_t *data, size_t len) {
    for (size_t i = 0; i < len; i++) {
        fprintf(f, "%02x", data[i]);
    }
}

int tool_parse_u64(const char *s, uint64_t *out) {
    if (s == NULL || *s == '\0' || *s == '-' || *s == '+' || isspace((unsigned char)*s)) {
        return -1;
    }
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno != 0 || end == s || *end != '\0') {
        return -1;
    }
    *out = (uint64_t)v;
    return 0;
}

int tool_parse_time(const char *s, int64_t *out) {
    uint64_t secs;
    if (strlen(s) != 15 && tool_parse_u64(s, &secs) == 0) {
        if (secs > (uint64_t)INT64_MAX) {
            return -1;
        }
        *out = (int64_t)secs;
        return 0;
    }
    ASN1_GENERALIZEDTIME *t = ASN1_GENERALIZEDTIME_new();
    struct tm tm;
    int ok = t != NULL && ASN1_GENERALIZEDTIME_set_string(t, s) && ASN1_TIME_to_tm(t, &tm);
    ASN1_GENERALIZEDTIME_free(t);
    if (!ok) {
        ERR_clear_error();
        return -1;
    }
    *out = (int64_t)timegm(&tm);
    return 0;
}

/* ---- options ---- */

static long opt_index(const tool_opt *table, size_t n, const char *name, size_t name_len) {
    for (size_t i = 0; i < n; i++) {
        if (strlen(table[i].name) == name_len && strncmp(table[i].name, name, name_len) == 0) {
            return (long)i;
        }
    }
    return -1;
}

static int opts_load_conf(tool_opts *o, const char *path, const char *section, char *err,
                          size_t err_len) {
    o->conf = NCONF_new(NULL);
    long line = -1;
    if (o->conf == NULL || NCONF_load(o->conf, path, &line) <= 0) {
        if (line > 0) {
            snprintf(err, err_len, "%s:%ld: config syntax error%s", path, line,
                     tool_openssl_reason());
        } else {
            snprintf(err, err_len, "%s: cannot read config file%s", path, tool_openssl_reason());
        }
        return -1;
    }
    STACK_OF(CONF_VALUE) *sect = NCONF_get_section(o->conf, section);
    if (sect == NULL) {
        snprintf(err, err_len, "%s: no section [%s]", path, section);
        ERR_clear_error();
        return -1;
    }
    for (int i = 0; i < sk_CONF_VALUE_num(sect); i++) {
        CONF_VALUE *cv = sk_CONF_VALUE_value(sect, i);
        char key[64];
        size_t kl = strlen(cv->name);
        if (kl >= sizeof(key)) {
            snprintf(err, err_len, "%s: [%s] unknown key %s", path, section, cv->name);
            return -1;
        }
        for (size_t k = 0; k <= kl; k++) {
            key[k] = cv->name[k] == '_' ? '-' : cv->name[k];
        }
        long idx = opt_index(o->table, o->num_opts, key, kl);
        if (idx < 0 || strcmp(key, "config") == 0 || strcmp(key, "section") == 0) {
            snprintf(err, err_len, "%s: [%s] unknown key %s", path, section, cv->name);
            return -1;
        }
        if (!o->from_cli[idx]) {
            o->value[idx] = cv->value;
        }
    }
    return 0;
}

int tool_opts_parse(tool_opts *o, const tool_opt *table, size_t num_opts, int argc, char **argv,
                    int first, const char *conf_opt, const char *section, char *err,
                    size_t err_len) {
    memset(o, 0, sizeof(*o));
    o->table = table;
    o->num_opts = num_opts;
    if (num_opts > TOOL_MAX_OPTS) {
        snprintf(err, err_len, "internal: option table too large");
        return -1;
    }
    int only_args = 0;
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (only_args || a[0] != '-' || strcmp(a, "-") == 0) {
            if (o->num_args == TOOL_MAX_ARGS) {
                snprintf(err, err_len, "too many arguments (at '%s')", a);
                return -1;
            }
            o->args[o->num_args++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_args = 1;
            continue;
        }
        const char *name = a + (a[1] == '-' ? 2 : 1);
        const char *eq = strchr(name, '=');
        size_t name_len = eq != NULL ? (size_t)(eq - name) : strlen(name);
        long idx = opt_index(table, num_opts, name, name_len);
        if (idx < 0) {
            snprintf(err, err_len, "unknown option '%s' (see --help)", a);
            return -1;
        }
        if (table[idx].has_arg) {
            if (eq != NULL) {
                o->value[idx] = eq + 1;
            } else if (i + 1 < argc) {
                o->value[idx] = argv[++i];
            } else {
                snprintf(err, err_len, "option --%s needs a value", table[idx].name);
                return -1;
            }
        } else {
            if (eq != NULL) {
                snprintf(err, err_len, "option --%s takes no value", table[idx].name);
                return -1;
            }
            o->value[idx] = "1";
        }
        o->from_cli[idx] = 1;
    }
    if (conf_opt != NULL) {
        long ci = opt_index(table, num_opts, conf_opt, strlen(conf_opt));
        if (ci >= 0 && o->value[ci] != NULL) {
            long si = opt_index(table, num_opts, "section", 7);
            const char *sect = (si >= 0 && o->value[si] != NULL) ? o->value[si] : section;
            if (opts_load_conf(o, o->value[ci], sect, err, err_len) != 0) {
                return -1;
            }
        }
    }
    return 0;
}

void tool_opts_cleanup(tool_opts *o) {
    NCONF_free(o->conf);
    memset(o, 0, sizeof(*o));
}

const char *tool_opt_get(const tool_opts *o, const char *name) {
    long idx = opt_index(o->table, o->num_opts, name, strlen(name));
    if (idx < 0) {
        fprintf(stderr, "cmckit: internal error: option '%s' not in table\n", name);
        abort();
    }
    return o->value[idx];
}

void tool_opts_usage(FILE *f, const tool_opt *table, size_t num_opts) {
    for (size_t i = 0; i < num_opts; i++) {
        char left[48];
        snprintf(left, sizeof(left), "--%s%s", table[i].name, table[i].has_arg ? " VALUE" : "");
        fprintf(f, "  %-28s %s\n", left, table[i].help);
    }
}
