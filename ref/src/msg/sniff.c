/* sniff.c: classify bytes by their leading headers (spec/CMC.md §9.2 step 1) without
 * trusting the media type. Lenient on purpose: a truncated message is still classified by
 * what its headers say, so the caller can answer "malformed CMC" rather than "wrong type". */
#include <string.h>

#include <openssl/objects.h>

#include "msg/msg_local.h"

#define MSG_SNIFF_DEPTH 16 /* indefinite-length nesting the sniffer follows when skipping */

/* A lenient cursor: header read with the content clamped to the bytes available. */
typedef struct {
    const uint8_t *p;
    size_t len;
} msg_span;

/* msg_sniff_next reads the next element of |s|: its id, content span, and advances |s|. */
static int msg_sniff_next(msg_span *s, uint8_t *out_id, msg_span *content) {
    if (s->len < 2 || (s->p[0] & 0x1F) == 0x1F) {
        return 0;
    }
    size_t hdr = 2;
    size_t len;
    int indef = 0;
    uint8_t l0 = s->p[1];
    if (l0 < 0x80) {
        len = l0;
    } else if (l0 == 0x80) {
        indef = 1;
        len = s->len - 2;
    } else {
        size_t n = l0 & 0x7F;
        if (n > sizeof(size_t) || s->len < 2 + n) {
            return 0;
        }
        len = 0;
        for (size_t i = 0; i < n; i++) {
            len = (len << 8) | s->p[2 + i];
        }
        hdr = 2 + n;
    }
    size_t avail = s->len - hdr;
    if (len > avail) {
        len = avail;
    }
    *out_id = s->p[0];
    content->p = s->p + hdr;
    content->len = len;
    size_t total = hdr + len;
    if (indef) {
        size_t elem = 0;
        if (msg_tlv_elem_len(&elem, s->p, s->len, MSG_SNIFF_DEPTH) == CMC_OK) {
            total = elem;
            content->len = elem - 4;
        } else {
            total = s->len;
        }
    }
    s->p += total;
    s->len -= total;
    return 1;
}

static void msg_sniff_oid(char *buf, size_t buf_len, int *nid, const msg_span *oid) {
    uint8_t tmp[2 + 127];
    if (oid->len == 0 || oid->len > 127) {
        return;
    }
    tmp[0] = MSG_TAG_OID;
    tmp[1] = (uint8_t)oid->len;
    memcpy(tmp + 2, oid->p, oid->len);
    const unsigned char *p = tmp;
    ASN1_OBJECT *obj = d2i_ASN1_OBJECT(NULL, &p, (long)(oid->len + 2));
    if (obj == NULL) {
        return;
    }
    msg_obj_to_txt(buf, buf_len, obj);
    if (nid != NULL) {
        *nid = OBJ_obj2nid(obj);
    }
    ASN1_OBJECT_free(obj);
}

/* msg_sniff_signed_data fills the eContentType fields from ContentInfo's [0] content. */
static void msg_sniff_signed_data(cmc_sniff_result *out, msg_span explicit0) {
    uint8_t id;
    msg_span sd;
    msg_span e;
    if (!msg_sniff_next(&explicit0, &id, &sd) || id != MSG_TAG_SEQUENCE) {
        return;
    }
    if (!msg_sniff_next(&sd, &id, &e) || id != MSG_TAG_INTEGER) { /* version */
        return;
    }
    if (!msg_sniff_next(&sd, &id, &e) || id != MSG_TAG_SET) { /* digestAlgorithms */
        return;
    }
    msg_span encap;
    if (!msg_sniff_next(&sd, &id, &encap) || id != MSG_TAG_SEQUENCE) {
        return;
    }
    if (!msg_sniff_next(&encap, &id, &e) || id != MSG_TAG_OID) {
        return;
    }
    msg_sniff_oid(out->econtent_type_oid, sizeof(out->econtent_type_oid), NULL, &e);
    out->has_econtent = msg_sniff_next(&encap, &id, &e) && id == MSG_TAG_CTX_CONS(0);
}

cmc_status cmc_sniff(cmc_sniff_result *out, const uint8_t *in, size_t in_len) {
    if (out == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    memset(out, 0, sizeof(*out));
    out->kind = CMC_SNIFF_UNKNOWN;
    out->content_type_nid = NID_undef;
    out->has_econtent = -1;
    if (in == NULL) {
        return CMC_OK;
    }
    msg_span s = {in, in_len};
    msg_span outer;
    msg_span first;
    uint8_t id;
    if (!msg_sniff_next(&s, &id, &outer) || id != MSG_TAG_SEQUENCE) {
        return CMC_OK;
    }
    msg_span rest = outer;
    if (!msg_sniff_next(&rest, &id, &first)) {
        return CMC_OK;
    }
    if (id == MSG_TAG_OID) {
        /* ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT ANY } */
        out->kind = CMC_SNIFF_CONTENT_INFO;
        msg_sniff_oid(out->content_type_oid, sizeof(out->content_type_oid), &out->content_type_nid,
                      &first);
        msg_span content;
        if (out->content_type_nid == NID_pkcs7_signed && msg_sniff_next(&rest, &id, &content) &&
            id == MSG_TAG_CTX_CONS(0)) {
            msg_sniff_signed_data(out, content);
        }
        return CMC_OK;
    }
    if (id != MSG_TAG_SEQUENCE) {
        return CMC_OK;
    }
    /* Certificate (TBSCertificate) or CertificationRequest (CertificationRequestInfo). */
    msg_span inner = first;
    msg_span e1;
    msg_span e2;
    uint8_t id2;
    if (!msg_sniff_next(&inner, &id, &e1)) {
        return CMC_OK;
    }
    if (id == MSG_TAG_CTX_CONS(0)) { /* TBSCertificate version [0] EXPLICIT: v2/v3 */
        if (e1.len == 3 && e1.p[0] == MSG_TAG_INTEGER && e1.p[1] == 1) {
            out->kind = CMC_SNIFF_CERTIFICATE;
        }
        return CMC_OK;
    }
    if (id != MSG_TAG_INTEGER || !msg_sniff_next(&inner, &id2, &e2) || id2 != MSG_TAG_SEQUENCE) {
        return CMC_OK;
    }
    if (e2.len > 0 && e2.p[0] == MSG_TAG_OID) {
        out->kind = CMC_SNIFF_CERTIFICATE; /* v1: serialNumber, then signature AlgId */
    } else if (e1.len == 1 && e1.p[0] == 0x00) {
        out->kind = CMC_SNIFF_PKCS10; /* version 0, subject Name (SET or empty) */
    }
    return CMC_OK;
}

const char *cmc_sniff_kind_name(cmc_sniff_kind kind) {
    switch (kind) {
    case CMC_SNIFF_PKCS10:
        return "pkcs10";
    case CMC_SNIFF_CONTENT_INFO:
        return "content-info";
    case CMC_SNIFF_CERTIFICATE:
        return "certificate";
    default:
        return "unknown";
    }
}
