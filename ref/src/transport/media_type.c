/* media_type.c: Content-Type / Accept parsing for the CMC media types (spec/CMC.md §10).
 *
 * Grammar (RFC 9110 §5.6.2, §5.6.4, §5.6.6, §8.3.1, §12.4.2, §12.5.1):
 *   media-type = type "/" subtype parameters
 *   parameters = *( OWS ";" OWS [ parameter ] )
 *   parameter  = token "=" ( token / quoted-string )
 *   Accept     = #( media-range [ weight ] )      weight = OWS ";" OWS "q=" qvalue
 * A hand-written bounded reader: one pass, every index checked against the length. */
#include <string.h>
#include <strings.h>

#include "cmc/media_type.h"

typedef struct {
    const char *p;
    size_t len;
    size_t i;
} mt_cursor;

/* What one media type or media range says, classified against our types. */
typedef enum { MT_SUB_OTHER, MT_SUB_PKCS10, MT_SUB_PKCS7_MIME, MT_SUB_PKIX_CERT } mt_subtype;

typedef struct {
    int wild;        /* 0: type/subtype, 1: application/star, 2: star/star, 3: other/star */
    int application; /* type is "application" */
    mt_subtype subtype;
    int has_smime;        /* an smime-type parameter was present */
    cmc_media_type smime; /* its classification (CMC_MEDIA_OTHER if unknown value) */
    uint16_t q;           /* weight, CMC_MEDIA_Q_MAX unless q= given */
} mt_range;

static const char *const kSpelling[CMC_MEDIA_COUNT] = {
    [CMC_MEDIA_OTHER] = NULL,
    [CMC_MEDIA_PKCS10] = "application/pkcs10",
    [CMC_MEDIA_CMC_REQUEST] = "application/pkcs7-mime; smime-type=CMC-request",
    [CMC_MEDIA_CMC_RESPONSE] = "application/pkcs7-mime; smime-type=CMC-response",
    [CMC_MEDIA_CERTS_ONLY] = "application/pkcs7-mime; smime-type=certs-only",
    [CMC_MEDIA_PKIX_CERT] = "application/pkix-cert",
    [CMC_MEDIA_PKCS7_MIME] = "application/pkcs7-mime",
};

const char *cmc_media_type_str(cmc_media_type t) {
    if ((unsigned)t >= CMC_MEDIA_COUNT) {
        return NULL;
    }
    return kSpelling[t];
}

/* tchar (RFC 9110 §5.6.2). */
static int is_tchar(unsigned char c) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        return 1;
    }
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int at_end(const mt_cursor *c) {
    return c->i >= c->len;
}

static unsigned char peek(const mt_cursor *c) {
    return (unsigned char)c->p[c->i];
}

static void skip_ows(mt_cursor *c) {
    while (!at_end(c) && (peek(c) == ' ' || peek(c) == '\t')) {
        c->i++;
    }
}

/* read_token: one or more tchar; lends [*start, *start + *n). */
static int read_token(mt_cursor *c, const char **start, size_t *n) {
    size_t b = c->i;
    while (!at_end(c) && is_tchar(peek(c))) {
        c->i++;
    }
    if (c->i == b) {
        return 0;
    }
    *start = c->p + b;
    *n = c->i - b;
    return 1;
}

/* read_value: token or quoted-string, unquoted into |buf| (NUL-terminated). Values longer
 * than |buf_len| - 1 are truncated for comparison only (no value we match is that long). */
static int read_value(mt_cursor *c, char *buf, size_t buf_len, int *quoted) {
    size_t n = 0;
    *quoted = 0;
    if (!at_end(c) && peek(c) == '"') {
        *quoted = 1;
        c->i++;
        for (;;) {
            if (at_end(c)) {
                return 0; /* unterminated */
            }
            unsigned char ch = peek(c);
            c->i++;
            if (ch == '"') {
                break;
            }
            if (ch == '\\') {
                if (at_end(c)) {
                    return 0;
                }
                ch = peek(c);
                c->i++;
                if (ch != '\t' && (ch < 0x20 || ch == 0x7f)) {
                    return 0;
                }
            } else if (ch != '\t' && (ch < 0x20 || ch == 0x7f)) {
                return 0; /* qdtext excludes CTLs */
            }
            if (n + 1 < buf_len) {
                buf[n++] = (char)ch;
            }
        }
    } else {
        const char *s;
        size_t len;
        if (!read_token(c, &s, &len)) {
            return 0;
        }
        n = len < buf_len - 1 ? len : buf_len - 1;
        memcpy(buf, s, n);
    }
    buf[n] = '\0';
    return 1;
}

static int token_is(const char *s, size_t n, const char *lit) {
    return strlen(lit) == n && strncasecmp(s, lit, n) == 0;
}

static cmc_media_type classify_smime(const char *v) {
    if (strcasecmp(v, "CMC-request") == 0) {
        return CMC_MEDIA_CMC_REQUEST;
    }
    if (strcasecmp(v, "CMC-response") == 0) {
        return CMC_MEDIA_CMC_RESPONSE;
    }
    if (strcasecmp(v, "certs-only") == 0 || strcasecmp(v, "certsonly") == 0) {
        return CMC_MEDIA_CERTS_ONLY;
    }
    return CMC_MEDIA_OTHER;
}

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) */
static int parse_qvalue(const char *v, uint16_t *out) {
    size_t n = strlen(v);
    if (n == 0 || n > 5 || (v[0] != '0' && v[0] != '1')) {
        return 0;
    }
    unsigned q = (unsigned)(v[0] - '0') * 1000;
    if (n > 1) {
        if (v[1] != '.') {
            return 0;
        }
        unsigned scale = 100;
        for (size_t k = 2; k < n; k++) {
            if (v[k] < '0' || v[k] > '9') {
                return 0;
            }
            q += (unsigned)(v[k] - '0') * scale;
            scale /= 10;
        }
    }
    if (q > CMC_MEDIA_Q_MAX) {
        return 0;
    }
    *out = (uint16_t)q;
    return 1;
}

/* parse_range reads one media type (|accept| 0) or media range with weight (|accept| 1).
 * It stops at the end, or in Accept mode at a ',' outside quotes. */
static cmc_status parse_range(mt_cursor *c, int accept, mt_range *r) {
    const char *type, *sub;
    size_t type_len, sub_len;
    memset(r, 0, sizeof(*r));
    r->q = CMC_MEDIA_Q_MAX;
    skip_ows(c);
    if (!read_token(c, &type, &type_len) || at_end(c) || peek(c) != '/') {
        return CMC_E_MEDIA_TYPE;
    }
    c->i++;
    if (!read_token(c, &sub, &sub_len)) {
        return CMC_E_MEDIA_TYPE;
    }
    int type_star = token_is(type, type_len, "*");
    int sub_star = token_is(sub, sub_len, "*");
    if (type_star && !sub_star) {
        return CMC_E_MEDIA_TYPE; /* "*" + "/" + "subtype" is not a media range */
    }
    if ((type_star || sub_star) && !accept) {
        return CMC_E_MEDIA_TYPE; /* wildcards only in Accept */
    }
    r->application = token_is(type, type_len, "application");
    if (type_star) {
        r->wild = 2;
    } else if (sub_star) {
        r->wild = r->application ? 1 : 3;
    } else if (token_is(sub, sub_len, "pkcs10")) {
        r->subtype = MT_SUB_PKCS10;
    } else if (token_is(sub, sub_len, "pkcs7-mime")) {
        r->subtype = MT_SUB_PKCS7_MIME;
    } else if (token_is(sub, sub_len, "pkix-cert")) {
        r->subtype = MT_SUB_PKIX_CERT;
    }
    int after_q = 0;
    for (;;) {
        skip_ows(c);
        if (at_end(c) || (accept && peek(c) == ',')) {
            return CMC_OK;
        }
        if (peek(c) != ';') {
            return CMC_E_MEDIA_TYPE;
        }
        c->i++;
        skip_ows(c);
        if (at_end(c) || peek(c) == ';' || (accept && peek(c) == ',')) {
            continue; /* empty parameter, allowed by RFC 9110 §5.6.6 */
        }
        const char *name;
        size_t name_len;
        char value[64];
        int quoted;
        if (!read_token(c, &name, &name_len) || at_end(c) || peek(c) != '=') {
            return CMC_E_MEDIA_TYPE;
        }
        c->i++;
        if (!read_value(c, value, sizeof(value), &quoted)) {
            return CMC_E_MEDIA_TYPE;
        }
        if (accept && token_is(name, name_len, "q")) {
            if (quoted || after_q || !parse_qvalue(value, &r->q)) {
                return CMC_E_MEDIA_TYPE;
            }
            after_q = 1; /* later parameters are accept-ext, ignored (RFC 9110 §12.5.1) */
        } else if (!after_q && token_is(name, name_len, "smime-type")) {
            if (r->has_smime) {
                return CMC_E_MEDIA_TYPE; /* two smime-type values: ambiguous */
            }
            r->has_smime = 1;
            r->smime = classify_smime(value);
        }
    }
}

cmc_status cmc_media_type_parse(cmc_media_type *out, const char *value, size_t value_len) {
    if (out == NULL || value == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    if (value_len > CMC_MAX_MEDIA_TYPE_LEN) {
        CMC_RAISE(CMC_E_LIMIT);
    }
    mt_cursor c = {value, value_len, 0};
    mt_range r;
    cmc_status st = parse_range(&c, 0, &r);
    if (st != CMC_OK) {
        CMC_RAISE(st);
    }
    cmc_media_type t = CMC_MEDIA_OTHER;
    if (r.application) {
        switch (r.subtype) {
        case MT_SUB_PKCS10:
            t = CMC_MEDIA_PKCS10;
            break;
        case MT_SUB_PKIX_CERT:
            t = CMC_MEDIA_PKIX_CERT;
            break;
        case MT_SUB_PKCS7_MIME:
            t = r.has_smime ? r.smime : CMC_MEDIA_PKCS7_MIME;
            break;
        case MT_SUB_OTHER:
            break;
        }
    }
    *out = t;
    return CMC_OK;
}

/* specificity of range |r| for type |t|: -1 no match, 0 star/star, 1 application/star,
 * 2 type/subtype, 3 type/subtype;smime-type=x (RFC 9110 §12.5.1). */
static int match(const mt_range *r, cmc_media_type t) {
    if (r->wild == 2) {
        return 0;
    }
    if (!r->application) {
        return -1;
    }
    if (r->wild == 1) {
        return 1;
    }
    switch (r->subtype) {
    case MT_SUB_PKCS10:
        return t == CMC_MEDIA_PKCS10 ? 2 : -1;
    case MT_SUB_PKIX_CERT:
        return t == CMC_MEDIA_PKIX_CERT ? 2 : -1;
    case MT_SUB_PKCS7_MIME:
        if (t != CMC_MEDIA_CMC_REQUEST && t != CMC_MEDIA_CMC_RESPONSE &&
            t != CMC_MEDIA_CERTS_ONLY && t != CMC_MEDIA_PKCS7_MIME) {
            return -1;
        }
        if (!r->has_smime) {
            return 2;
        }
        return r->smime == t ? 3 : -1;
    case MT_SUB_OTHER:
        break;
    }
    return -1;
}

cmc_status cmc_media_accept_parse(cmc_media_accept *out, const char *value, size_t value_len) {
    if (out == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    cmc_media_accept res;
    if (value == NULL) {
        value_len = 0;
    }
    if (value_len > CMC_MAX_MEDIA_TYPE_LEN) {
        CMC_RAISE(CMC_E_LIMIT);
    }
    mt_range ranges[CMC_MAX_ACCEPT_RANGES];
    size_t num = 0;
    mt_cursor c = {value, value_len, 0};
    for (;;) {
        /* #rule: empty list elements (", ,") are allowed (RFC 9110 §5.6.1.2). */
        skip_ows(&c);
        while (!at_end(&c) && peek(&c) == ',') {
            c.i++;
            skip_ows(&c);
        }
        if (at_end(&c)) {
            break;
        }
        if (num == CMC_MAX_ACCEPT_RANGES) {
            CMC_RAISE(CMC_E_LIMIT);
        }
        cmc_status st = parse_range(&c, 1, &ranges[num]);
        if (st != CMC_OK) {
            CMC_RAISE(st);
        }
        num++;
    }
    for (int t = 0; t < CMC_MEDIA_COUNT; t++) {
        if (num == 0) {
            res.q[t] = t == CMC_MEDIA_OTHER ? 0 : CMC_MEDIA_Q_MAX;
            continue;
        }
        int best = -1;
        uint16_t q = 0;
        for (size_t k = 0; t != CMC_MEDIA_OTHER && k < num; k++) {
            int s = match(&ranges[k], (cmc_media_type)t);
            if (s > best || (s == best && s >= 0 && ranges[k].q > q)) {
                best = s;
                q = ranges[k].q;
            }
        }
        res.q[t] = best < 0 ? 0 : q;
    }
    *out = res;
    return CMC_OK;
}
