/* der.c: the message layer's DER writer and bounded BER header reader (msg_local.h).
 * Builders write DER directly so that negative vectors (BodyPartID 0, -1 and 2^32, reason
 * 7, wrong attributes) can be encoded: OpenSSL's templates refuse some of them. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/objects.h>

#include "msg/msg_local.h"

#define MSG_BUF_MAX ((size_t)64 * 1024 * 1024) /* far above CMC_MAX_MESSAGE_BYTES: writer guard */

void msg_buf_init(msg_buf *b) {
    memset(b, 0, sizeof(*b));
}

void msg_buf_cleanup(msg_buf *b) {
    if (b == NULL) {
        return;
    }
    OPENSSL_free(b->p);
    memset(b, 0, sizeof(*b));
}

int msg_buf_ok(const msg_buf *b) {
    return !b->err;
}

cmc_status msg_buf_finish(msg_buf *b, uint8_t **out, size_t *out_len) {
    if (b->err) {
        msg_buf_cleanup(b);
        CMC_RAISE(CMC_E_NOMEM);
    }
    if (b->p == NULL) { /* empty output still gets a valid pointer */
        b->p = OPENSSL_malloc(1);
        if (b->p == NULL) {
            CMC_RAISE(CMC_E_NOMEM);
        }
    }
    *out = b->p;
    *out_len = b->len;
    memset(b, 0, sizeof(*b));
    return CMC_OK;
}

static int msg_buf_reserve(msg_buf *b, size_t extra) {
    if (b->err) {
        return 0;
    }
    if (extra > MSG_BUF_MAX || b->len > MSG_BUF_MAX - extra) {
        b->err = 1;
        return 0;
    }
    if (b->len + extra <= b->cap) {
        return 1;
    }
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra) {
        cap *= 2;
    }
    uint8_t *p = OPENSSL_realloc(b->p, cap);
    if (p == NULL) {
        b->err = 1;
        return 0;
    }
    b->p = p;
    b->cap = cap;
    return 1;
}

void msg_buf_put(msg_buf *b, const void *data, size_t len) {
    if (len == 0 || !msg_buf_reserve(b, len)) {
        return;
    }
    memcpy(b->p + b->len, data, len);
    b->len += len;
}

void msg_buf_put_u8(msg_buf *b, uint8_t v) {
    msg_buf_put(b, &v, 1);
}

static size_t msg_len_octets(uint8_t out[9], size_t len) {
    if (len < 0x80) {
        out[0] = (uint8_t)len;
        return 1;
    }
    size_t n = 0;
    for (size_t l = len; l > 0; l >>= 8) {
        n++;
    }
    out[0] = (uint8_t)(0x80 | n);
    for (size_t i = 0; i < n; i++) {
        out[n - i] = (uint8_t)(len >> (8 * i));
    }
    return n + 1;
}

void msg_buf_put_tlv(msg_buf *b, uint8_t tag, const void *content, size_t len) {
    uint8_t hdr[10];
    hdr[0] = tag;
    size_t n = msg_len_octets(hdr + 1, len);
    msg_buf_put(b, hdr, n + 1);
    msg_buf_put(b, content, len);
}

void msg_buf_put_indef(msg_buf *b, uint8_t tag, const void *content, size_t len) {
    const uint8_t hdr[2] = {tag, 0x80};
    const uint8_t eoc[2] = {0, 0};
    msg_buf_put(b, hdr, 2);
    msg_buf_put(b, content, len);
    msg_buf_put(b, eoc, 2);
}

void msg_buf_wrap(msg_buf *b, uint8_t tag) {
    msg_buf w;
    msg_buf_init(&w);
    msg_buf_put_tlv(&w, tag, b->p, b->len);
    w.err |= b->err;
    msg_buf_cleanup(b);
    *b = w;
}

void msg_buf_put_int64(msg_buf *b, uint8_t tag, int64_t v) {
    /* Two's complement, minimal length (X.690 §8.3.2). */
    uint8_t be[8];
    uint64_t u = (uint64_t)v;
    for (int i = 0; i < 8; i++) {
        be[7 - i] = (uint8_t)(u >> (8 * i));
    }
    size_t off = 0;
    while (off < 7 && ((be[off] == 0x00 && !(be[off + 1] & 0x80)) ||
                       (be[off] == 0xFF && (be[off + 1] & 0x80)))) {
        off++;
    }
    msg_buf_put_tlv(b, tag, be + off, 8 - off);
}

void msg_buf_put_uint64(msg_buf *b, uint8_t tag, uint64_t v) {
    uint8_t be[9];
    be[0] = 0;
    for (int i = 0; i < 8; i++) {
        be[8 - i] = (uint8_t)(v >> (8 * i));
    }
    size_t off = 0;
    while (off < 8 && be[off] == 0x00 && !(be[off + 1] & 0x80)) {
        off++;
    }
    msg_buf_put_tlv(b, tag, be + off, 9 - off);
}

void msg_buf_put_obj(msg_buf *b, const ASN1_OBJECT *obj) {
    if (obj == NULL) {
        b->err = 1;
        return;
    }
    MSG_BUF_PUT_I2D(b, i2d_ASN1_OBJECT, obj);
}

/* Longest OID content we encode without OpenSSL (CMC and PKIX OIDs are under 20 octets). */
#define MSG_MAX_FAST_OID 64

/* oid_content encodes the dotted |oid| as OBJECT IDENTIFIER content octets (X.690 §8.19)
 * into |out|; 0 when it is not plainly well-formed (then OpenSSL decides). The response
 * builder writes a dozen OIDs per answer, and OBJ_txt2obj parsed each one again (about
 * 0.5% of an enrollment, issue 8). */
static size_t oid_content(const char *oid, uint8_t out[MSG_MAX_FAST_OID]) {
    uint64_t arcs[MSG_MAX_FAST_OID / 2];
    size_t n = 0;
    const char *p = oid;
    for (;;) {
        if (*p < '0' || *p > '9' || n == sizeof(arcs) / sizeof(arcs[0]) ||
            (*p == '0' && p[1] >= '0' && p[1] <= '9')) {
            return 0; /* empty arc, leading zero or too many arcs */
        }
        uint64_t v = 0;
        for (; *p >= '0' && *p <= '9'; p++) {
            if (v > (UINT64_MAX >> 8)) {
                return 0;
            }
            v = v * 10 + (uint64_t)(*p - '0');
        }
        arcs[n++] = v;
        if (*p == '\0') {
            break;
        }
        if (*p++ != '.') {
            return 0;
        }
    }
    if (n < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] >= 40)) {
        return 0;
    }
    size_t len = 0;
    for (size_t i = 1; i < n; i++) {
        uint64_t v = i == 1 ? arcs[0] * 40 + arcs[1] : arcs[i];
        uint8_t tmp[10];
        size_t k = 0;
        do {
            tmp[k++] = (uint8_t)(v & 0x7F);
            v >>= 7;
        } while (v != 0);
        if (len + k > MSG_MAX_FAST_OID) {
            return 0;
        }
        while (k > 0) {
            k--;
            out[len++] = (uint8_t)(tmp[k] | (k > 0 ? 0x80 : 0x00));
        }
    }
    return len;
}

void msg_buf_put_oid(msg_buf *b, const char *oid) {
    uint8_t content[MSG_MAX_FAST_OID];
    size_t len = oid != NULL ? oid_content(oid, content) : 0;
    if (len > 0) {
        msg_buf_put_tlv(b, 0x06, content, len);
        return;
    }
    ASN1_OBJECT *obj = oid != NULL ? OBJ_txt2obj(oid, 1) : NULL;
    msg_buf_put_obj(b, obj);
    ASN1_OBJECT_free(obj);
}

static void msg_put_time_fmt(msg_buf *b, int64_t t, int generalized) {
    struct tm tm;
    time_t tt = (time_t)t;
    if (gmtime_r(&tt, &tm) == NULL) {
        b->err = 1;
        return;
    }
    char s[32];
    int n;
    if (generalized) {
        n = snprintf(s, sizeof(s), "%04d%02d%02d%02d%02d%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    } else {
        n = snprintf(s, sizeof(s), "%02d%02d%02d%02d%02d%02dZ", tm.tm_year % 100, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    }
    if (n <= 0 || (size_t)n >= sizeof(s)) {
        b->err = 1;
        return;
    }
    msg_buf_put_tlv(b, generalized ? MSG_TAG_GENERALIZEDTIME : MSG_TAG_UTCTIME, s, (size_t)n);
}

void msg_buf_put_time(msg_buf *b, int64_t t) {
    /* 1950-01-01 = -631152000, 2050-01-01 = 2524608000 */
    int utc = t >= -631152000LL && t < 2524608000LL;
    msg_put_time_fmt(b, t, !utc);
}

void msg_buf_put_gentime(msg_buf *b, int64_t t) {
    msg_put_time_fmt(b, t, 1);
}

static int msg_der_cmp(const void *a, const void *b) {
    const msg_buf *x = a;
    const msg_buf *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = n ? memcmp(x->p, y->p, n) : 0;
    if (c != 0) {
        return c;
    }
    return (x->len > y->len) - (x->len < y->len);
}

void msg_der_put_sorted(msg_buf *b, msg_buf *items, size_t num) {
    if (num > 1) {
        qsort(items, num, sizeof(*items), msg_der_cmp);
    }
    for (size_t i = 0; i < num; i++) {
        b->err |= items[i].err;
        msg_buf_put(b, items[i].p, items[i].len);
    }
}

/* ---- reader ---- */

cmc_status msg_tlv_read(msg_tlv *out, const uint8_t *in, size_t in_len) {
    if (in_len < 2) {
        CMC_RAISE(CMC_E_TRUNCATED);
    }
    if ((in[0] & 0x1F) == 0x1F) {
        CMC_RAISE(CMC_E_DER); /* high tag numbers do not occur in CMC */
    }
    out->id = in[0];
    uint8_t l0 = in[1];
    out->indefinite = 0;
    if (l0 < 0x80) {
        out->hdr_len = 2;
        out->len = l0;
    } else if (l0 == 0x80) {
        if (!(in[0] & 0x20)) {
            CMC_RAISE(CMC_E_DER); /* indefinite length only for constructed forms */
        }
        out->hdr_len = 2;
        out->len = 0;
        out->indefinite = 1;
        return CMC_OK;
    } else {
        size_t n = l0 & 0x7F;
        if (n > sizeof(size_t)) {
            CMC_RAISE(CMC_E_TRUNCATED); /* a length no input can hold */
        }
        if (in_len < 2 + n) {
            CMC_RAISE(CMC_E_TRUNCATED);
        }
        size_t len = 0;
        for (size_t i = 0; i < n; i++) {
            len = (len << 8) | in[2 + i];
        }
        out->hdr_len = 2 + n;
        out->len = len;
    }
    if (out->len > in_len - out->hdr_len) {
        CMC_RAISE(CMC_E_TRUNCATED);
    }
    return CMC_OK;
}

cmc_status msg_tlv_elem_len(size_t *out_len, const uint8_t *in, size_t in_len, int depth) {
    msg_tlv t = {0}; /* clang-analyzer cannot see that CMC_RAISE never returns CMC_OK */
    if (depth <= 0) {
        CMC_RAISE(CMC_E_LIMIT);
    }
    CMC_TRY(msg_tlv_read(&t, in, in_len));
    if (!t.indefinite) {
        *out_len = t.hdr_len + t.len;
        return CMC_OK;
    }
    size_t off = t.hdr_len;
    for (;;) {
        if (in_len - off >= 2 && in[off] == 0 && in[off + 1] == 0) {
            *out_len = off + 2;
            return CMC_OK;
        }
        size_t child = 0;
        CMC_TRY(msg_tlv_elem_len(&child, in + off, in_len - off, depth - 1));
        off += child;
    }
}

cmc_status msg_check_outer(const uint8_t *in, size_t in_len) {
    if (in_len > (size_t)CMC_MAX_MESSAGE_BYTES) {
        CMC_RAISE(CMC_E_LIMIT);
    }
    if (in == NULL || in_len == 0) {
        CMC_RAISE(CMC_E_TRUNCATED);
    }
    size_t n = 0;
    CMC_TRY(msg_tlv_elem_len(&n, in, in_len, CMC_MAX_NESTING * 8));
    if (n != in_len) {
        CMC_RAISE(CMC_E_TRAILING);
    }
    return CMC_OK;
}

/* ---- OpenSSL glue ---- */

cmc_status msg_raise_detail(cmc_status code, const char *file, int line, const char *fmt, ...) {
    cmc_status r = cmc_error_raise(code, file, line);
    char text[sizeof(((cmc_error_record *)0)->detail)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    cmc_error_set_detail("%s", text);
    return r;
}

void msg_obj_to_txt(char *buf, size_t buf_len, const ASN1_OBJECT *obj) {
    if (buf_len == 0) {
        return;
    }
    buf[0] = '\0';
    if (obj == NULL) {
        return;
    }
    int n = OBJ_obj2txt(buf, (int)(buf_len > INT_MAX ? INT_MAX : buf_len), obj, 1);
    if (n < 0 || (size_t)n >= buf_len) {
        buf[0] = '\0';
    }
}

int64_t msg_time_now(void) {
    return (int64_t)time(NULL);
}

int msg_asn1_time_to_unix(int64_t *out, const ASN1_TIME *t) {
    struct tm tm;
    if (t == NULL || !ASN1_TIME_to_tm(t, &tm)) {
        return 0;
    }
    *out = (int64_t)timegm(&tm);
    return 1;
}
