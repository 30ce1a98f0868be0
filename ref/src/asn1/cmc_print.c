/* cmc_print.c: one print function per CMC structure (indented "field: value" lines), with
 * names for CMCStatus, CMCFailInfo, CRLReason, controls and OIDs. Shared by `cmckit dump`,
 * the conformance report and the tests. Every function returns 1, or 0 on a BIO error. */
#include <ctype.h>
#include <openssl/bn.h>
#include <openssl/x509.h>
#include <string.h>

#include "asn1/cmc_local.h"
#include "asn1/cmc_tlv.h"

#define CMC_PRINT_MAX_HEX 64   /* longer byte strings are shown as prefix + "... (N bytes)" */
#define CMC_PRINT_MAX_ITEMS 64 /* list elements shown before "... (N more)" */

#define P(x)                                                                                       \
    do {                                                                                           \
        if (!(x)) {                                                                                \
            return 0;                                                                              \
        }                                                                                          \
    } while (0)

int cmc_print_indent(BIO *out, int indent) {
    return BIO_printf(out, "%*s", indent, "") >= 0;
}

/* Begin a "label: " line at |indent|. */
static int label(BIO *out, int indent, const char *name) {
    return cmc_print_indent(out, indent) && BIO_printf(out, "%s: ", name) >= 0;
}

static int nl(BIO *out) {
    return BIO_puts(out, "\n") >= 0;
}

int cmc_print_oid(BIO *out, const ASN1_OBJECT *oid) {
    char dotted[128];
    if (oid == NULL) {
        return BIO_puts(out, "(none)") >= 0;
    }
    OBJ_obj2txt(dotted, sizeof(dotted), oid, 1);
    /* Register the CMC OIDs (once) so they print by name; if that failed, numbers print. */
    cmc_status init = cmc_init();
    (void)init;
    int nid = OBJ_obj2nid(oid);
    if (nid != NID_undef) {
        return BIO_printf(out, "%s (%s)", OBJ_nid2sn(nid), dotted) >= 0;
    }
    return BIO_puts(out, dotted) >= 0;
}

int cmc_print_integer(BIO *out, const ASN1_INTEGER *a) {
    if (a == NULL) {
        return BIO_puts(out, "(none)") >= 0;
    }
    BIGNUM *bn = ASN1_INTEGER_to_BN(a, NULL);
    if (bn == NULL) {
        return BIO_puts(out, "(bad INTEGER)") >= 0;
    }
    int ok;
    if (BN_num_bits(bn) <= 64) {
        char *dec = BN_bn2dec(bn);
        ok = dec != NULL && BIO_puts(out, dec) >= 0;
        OPENSSL_free(dec);
    } else {
        char *hex = BN_bn2hex(bn);
        ok = hex != NULL && BIO_printf(out, "0x%s", hex) >= 0;
        OPENSSL_free(hex);
    }
    BN_free(bn);
    return ok;
}

int cmc_print_hex(BIO *out, const uint8_t *p, size_t len) {
    size_t n = len < CMC_PRINT_MAX_HEX ? len : CMC_PRINT_MAX_HEX;
    for (size_t i = 0; i < n; i++) {
        P(BIO_printf(out, "%02x", p[i]) >= 0);
    }
    if (len > n) {
        P(BIO_printf(out, "... (%zu bytes)", len) >= 0);
    } else if (len == 0) {
        P(BIO_puts(out, "(empty)") >= 0);
    }
    return 1;
}

static int print_octets(BIO *out, const ASN1_OCTET_STRING *s) {
    if (s == NULL) {
        return BIO_puts(out, "(none)") >= 0;
    }
    return cmc_print_hex(out, ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s));
}

int cmc_print_string(BIO *out, const ASN1_STRING *s) {
    if (s == NULL) {
        return BIO_puts(out, "(none)") >= 0;
    }
    const uint8_t *p = ASN1_STRING_get0_data(s);
    int n = ASN1_STRING_length(s);
    P(BIO_puts(out, "\"") >= 0);
    for (int i = 0; i < n; i++) {
        if (p[i] == '"' || p[i] == '\\') {
            P(BIO_printf(out, "\\%c", p[i]) >= 0);
        } else if (p[i] < 0x20 || p[i] == 0x7F) {
            P(BIO_printf(out, "\\x%02x", p[i]) >= 0);
        } else {
            P(BIO_write(out, &p[i], 1) == 1); /* UTF-8 bytes pass through */
        }
    }
    return BIO_puts(out, "\"") >= 0;
}

int cmc_print_name(BIO *out, const X509_NAME *name) {
    if (name == NULL) {
        return BIO_puts(out, "(none)") >= 0;
    }
    if (X509_NAME_entry_count(name) == 0) {
        return BIO_puts(out, "(empty)") >= 0;
    }
    /* "CN=a, O=b" in encoding order, UTF-8 shown as is. */
    const unsigned long flags = (XN_FLAG_ONELINE & ~XN_FLAG_SPC_EQ & ~ASN1_STRFLGS_ESC_MSB);
    return X509_NAME_print_ex(out, name, 0, flags) >= 0;
}

int cmc_print_time(BIO *out, const ASN1_TIME *t) {
    if (t == NULL) {
        return BIO_puts(out, "(none)") >= 0;
    }
    return ASN1_TIME_print_ex(out, t, ASN1_DTFLGS_ISO8601) > 0 || BIO_puts(out, "(bad time)") >= 0;
}

int cmc_print_algor(BIO *out, const X509_ALGOR *alg) {
    if (alg == NULL) {
        return BIO_puts(out, "(none)") >= 0;
    }
    const ASN1_OBJECT *oid = NULL;
    int ptype = 0;
    const void *pval = NULL;
    X509_ALGOR_get0(&oid, &ptype, &pval, alg);
    P(cmc_print_oid(out, oid));
    if (ptype != V_ASN1_UNDEF && ptype != V_ASN1_NULL && ptype != 0) {
        P(BIO_puts(out, " with parameters") >= 0);
    }
    return 1;
}

int cmc_print_any(BIO *out, const ASN1_TYPE *t) {
    if (t == NULL) {
        return BIO_puts(out, "(none)") >= 0;
    }
    switch (t->type) {
    case V_ASN1_NULL:
        return BIO_puts(out, "NULL") >= 0;
    case V_ASN1_BOOLEAN:
        return BIO_puts(out, t->value.boolean ? "TRUE" : "FALSE") >= 0;
    case V_ASN1_INTEGER:
    case V_ASN1_NEG_INTEGER:
        return BIO_puts(out, "INTEGER ") >= 0 && cmc_print_integer(out, t->value.integer);
    case V_ASN1_OBJECT:
        return BIO_puts(out, "OID ") >= 0 && cmc_print_oid(out, t->value.object);
    case V_ASN1_OCTET_STRING:
        return BIO_puts(out, "OCTET STRING ") >= 0 && print_octets(out, t->value.octet_string);
    case V_ASN1_UTF8STRING:
    case V_ASN1_PRINTABLESTRING:
    case V_ASN1_IA5STRING:
        return cmc_print_string(out, t->value.asn1_string);
    default: {
        uint8_t *der = NULL;
        int len = i2d_ASN1_TYPE(t, &der);
        int ok = len > 0 && BIO_puts(out, "DER ") >= 0 && cmc_print_hex(out, der, (size_t)len);
        OPENSSL_free(der);
        return ok;
    }
    }
}

static int print_id_list(BIO *out, const STACK_OF(ASN1_INTEGER) *ids) {
    int n = sk_ASN1_INTEGER_num(ids);
    if (n <= 0) {
        return BIO_puts(out, "(empty)") >= 0;
    }
    for (int i = 0; i < n && i < CMC_PRINT_MAX_ITEMS; i++) {
        P(BIO_puts(out, i ? ", " : "") >= 0);
        P(cmc_print_integer(out, sk_ASN1_INTEGER_value(ids, i)));
    }
    if (n > CMC_PRINT_MAX_ITEMS) {
        P(BIO_printf(out, ", ... (%d more)", n - CMC_PRINT_MAX_ITEMS) >= 0);
    }
    return 1;
}

static int print_path(BIO *out, const STACK_OF(ASN1_INTEGER) *ids) {
    int n = sk_ASN1_INTEGER_num(ids);
    if (n <= 0) {
        return BIO_puts(out, "path (empty)") >= 0;
    }
    P(BIO_puts(out, "path ") >= 0);
    for (int i = 0; i < n && i < CMC_PRINT_MAX_ITEMS; i++) {
        P(BIO_puts(out, i ? "/" : "") >= 0);
        P(cmc_print_integer(out, sk_ASN1_INTEGER_value(ids, i)));
    }
    return 1;
}

static int print_named(BIO *out, const ASN1_INTEGER *a, const char *(*namer)(long)) {
    int64_t v = 0;
    const char *name = NULL;
    if (a != NULL && ASN1_INTEGER_get_int64(&v, a) && v >= 0 && v <= 0xFFFF) {
        name = namer((long)v);
    }
    if (name != NULL) {
        return BIO_printf(out, "%s (%lld)", name, (long long)v) >= 0;
    }
    return BIO_puts(out, "unknown (") >= 0 && cmc_print_integer(out, a) && BIO_puts(out, ")") >= 0;
}

static const char *fail_info_namer(long v) {
    if (v >= 1000 && v <= 1999) {
        return "private"; /* RFC 5272 §6.1.4: closed-environment codes */
    }
    return cmc_fail_info_name(v);
}

static int print_enum_reason(BIO *out, const ASN1_ENUMERATED *e) {
    int64_t v = 0;
    const char *name = NULL;
    if (e != NULL && ASN1_ENUMERATED_get_int64(&v, e) && v >= 0 && v <= CMC_CRL_REASON_MAX) {
        name = cmc_crl_reason_name((long)v);
    }
    if (name != NULL) {
        return BIO_printf(out, "%s (%lld)", name, (long long)v) >= 0;
    }
    return BIO_printf(out, "unknown (%lld)", (long long)v) >= 0;
}

static int print_general_name(BIO *out, const GENERAL_NAME *gn) {
    if (gn == NULL) {
        return BIO_puts(out, "(none)") >= 0;
    }
    if (gn->type == GEN_DIRNAME) {
        return BIO_puts(out, "DirName:") >= 0 && cmc_print_name(out, gn->d.directoryName);
    }
    return GENERAL_NAME_print(out, (GENERAL_NAME *)gn) > 0;
}

/* ---- one print function per structure, RFC order ---- */

int CMC_BODY_PART_REFERENCE_print(BIO *out, const CMC_BODY_PART_REFERENCE *x, int indent) {
    (void)indent;
    if (x->type == CMC_BODY_PART_REFERENCE_ID) {
        return cmc_print_integer(out, x->value.bodyPartID);
    }
    return print_path(out, x->value.bodyPartPath);
}

int CMC_BODY_PART_LIST_print(BIO *out, const CMC_BODY_PART_LIST *x, int indent) {
    return label(out, indent, "bodyPartList") && print_id_list(out, x) && nl(out);
}

int CMC_BODY_PART_PATH_print(BIO *out, const CMC_BODY_PART_PATH *x, int indent) {
    return label(out, indent, "bodyPartPath") && print_path(out, x) && nl(out);
}

int CMC_AUTH_PUBLISH_print(BIO *out, const CMC_AUTH_PUBLISH *x, int indent) {
    return label(out, indent, "bodyPartID") && cmc_print_integer(out, x) && nl(out);
}

int CMC_UNSIGNED_DATA_print(BIO *out, const CMC_UNSIGNED_DATA *x, int indent) {
    P(label(out, indent, "bodyPartPath") && print_path(out, x->bodyPartPath) && nl(out));
    P(label(out, indent, "identifier") && cmc_print_oid(out, x->identifier) && nl(out));
    return label(out, indent, "content") && cmc_print_any(out, x->content) && nl(out);
}

int CMC_PEND_INFO_print(BIO *out, const CMC_PEND_INFO *x, int indent) {
    P(label(out, indent, "pendToken") && print_octets(out, x->pendToken) && nl(out));
    return label(out, indent, "pendTime") && cmc_print_time(out, x->pendTime) && nl(out);
}

static int print_status_head(BIO *out, const ASN1_INTEGER *status, const ASN1_UTF8STRING *text,
                             int indent) {
    P(label(out, indent, "cMCStatus") && print_named(out, status, cmc_cmc_status_name) && nl(out));
    (void)text;
    return 1;
}

int CMC_STATUS_INFO_print(BIO *out, const CMC_STATUS_INFO *x, int indent) {
    P(print_status_head(out, x->cMCStatus, x->statusString, indent));
    P(label(out, indent, "bodyList") && print_id_list(out, x->bodyList) && nl(out));
    if (x->statusString != NULL) {
        P(label(out, indent, "statusString") && cmc_print_string(out, x->statusString) && nl(out));
    }
    if (x->otherInfo != NULL && x->otherInfo->type == CMC_OTHER_INFO_FAIL_INFO) {
        P(label(out, indent, "failInfo") &&
          print_named(out, x->otherInfo->value.failInfo, fail_info_namer) && nl(out));
    } else if (x->otherInfo != NULL) {
        P(cmc_print_indent(out, indent) && BIO_puts(out, "pendInfo:\n") >= 0);
        P(CMC_PEND_INFO_print(out, x->otherInfo->value.pendInfo, indent + 2));
    }
    return 1;
}

int CMC_EXTENDED_FAIL_INFO_print(BIO *out, const CMC_EXTENDED_FAIL_INFO *x, int indent) {
    P(label(out, indent, "failInfoOID") && cmc_print_oid(out, x->failInfoOID) && nl(out));
    return label(out, indent, "failInfoValue") && cmc_print_any(out, x->failInfoValue) && nl(out);
}

int CMC_OTHER_STATUS_INFO_print(BIO *out, const CMC_OTHER_STATUS_INFO *x, int indent) {
    switch (x->type) {
    case CMC_OTHER_INFO_FAIL_INFO:
        return label(out, indent, "failInfo") &&
               print_named(out, x->value.failInfo, fail_info_namer) && nl(out);
    case CMC_OTHER_INFO_PEND_INFO:
        return cmc_print_indent(out, indent) && BIO_puts(out, "pendInfo:\n") >= 0 &&
               CMC_PEND_INFO_print(out, x->value.pendInfo, indent + 2);
    case CMC_OTHER_INFO_EXTENDED_FAIL_INFO:
        return cmc_print_indent(out, indent) &&
               BIO_printf(out, "extendedFailInfo%s:\n",
                          x->legacy_untagged ? " (untagged 1988 form)" : "") >= 0 &&
               CMC_EXTENDED_FAIL_INFO_print(out, x->value.extendedFailInfo, indent + 2);
    default:
        return 1;
    }
}

int CMC_STATUS_INFO_V2_print(BIO *out, const CMC_STATUS_INFO_V2 *x, int indent) {
    P(print_status_head(out, x->cMCStatus, x->statusString, indent));
    P(label(out, indent, "bodyList"));
    int n = sk_CMC_BODY_PART_REFERENCE_num(x->bodyList);
    for (int i = 0; i < n && i < CMC_PRINT_MAX_ITEMS; i++) {
        P(BIO_puts(out, i ? ", " : "") >= 0);
        P(CMC_BODY_PART_REFERENCE_print(out, sk_CMC_BODY_PART_REFERENCE_value(x->bodyList, i), 0));
    }
    P((n > 0 || BIO_puts(out, "(empty)") >= 0) && nl(out));
    if (x->statusString != NULL) {
        P(label(out, indent, "statusString") && cmc_print_string(out, x->statusString) && nl(out));
    }
    if (x->otherInfo != NULL) {
        CMC_OTHER_STATUS_INFO *osi = NULL;
        if (cmc_other_status_info_decode(&osi, x->otherInfo) == CMC_OK) {
            int ok = CMC_OTHER_STATUS_INFO_print(out, osi, indent);
            CMC_OTHER_STATUS_INFO_free(osi);
            P(ok);
        } else {
            P(label(out, indent, "otherInfo (undecodable)") && cmc_print_any(out, x->otherInfo) &&
              nl(out));
        }
    }
    return 1;
}

int CMC_ADD_EXTENSIONS_print(BIO *out, const CMC_ADD_EXTENSIONS *x, int indent) {
    P(label(out, indent, "pkiDataReference") && cmc_print_integer(out, x->pkiDataReference) &&
      nl(out));
    P(label(out, indent, "certReferences") && print_id_list(out, x->certReferences) && nl(out));
    P(cmc_print_indent(out, indent) && BIO_puts(out, "extensions:\n") >= 0);
    for (int i = 0; i < sk_X509_EXTENSION_num(x->extensions); i++) {
        X509_EXTENSION *e = sk_X509_EXTENSION_value(x->extensions, i);
        P(cmc_print_indent(out, indent + 2) && cmc_print_oid(out, X509_EXTENSION_get_object(e)) &&
          BIO_puts(out, X509_EXTENSION_get_critical(e) ? " (critical)\n" : "\n") >= 0);
    }
    return 1;
}

int CMC_ENCRYPTED_POP_print(BIO *out, const CMC_ENCRYPTED_POP *x, int indent) {
    P(cmc_print_indent(out, indent) && BIO_puts(out, "request:\n") >= 0);
    P(CMC_TAGGED_REQUEST_print(out, x->request, indent + 2));
    P(label(out, indent, "cms") && cmc_print_oid(out, CMS_get0_type(x->cms)) && nl(out));
    P(label(out, indent, "thePOPAlgID") && cmc_print_algor(out, x->thePOPAlgID) && nl(out));
    P(label(out, indent, "witnessAlgID") && cmc_print_algor(out, x->witnessAlgID) && nl(out));
    return label(out, indent, "witness") && print_octets(out, x->witness) && nl(out);
}

int CMC_DECRYPTED_POP_print(BIO *out, const CMC_DECRYPTED_POP *x, int indent) {
    P(label(out, indent, "bodyPartID") && cmc_print_integer(out, x->bodyPartID) && nl(out));
    P(label(out, indent, "thePOPAlgID") && cmc_print_algor(out, x->thePOPAlgID) && nl(out));
    return label(out, indent, "thePOP") && print_octets(out, x->thePOP) && nl(out);
}

int CMC_LRA_POP_WITNESS_print(BIO *out, const CMC_LRA_POP_WITNESS *x, int indent) {
    P(label(out, indent, "pkiDataBodyid") && cmc_print_integer(out, x->pkiDataBodyid) && nl(out));
    return label(out, indent, "bodyIds") && print_id_list(out, x->bodyIds) && nl(out);
}

int CMC_GET_CERT_print(BIO *out, const CMC_GET_CERT *x, int indent) {
    P(label(out, indent, "issuerName") && print_general_name(out, x->issuerName) && nl(out));
    return label(out, indent, "serialNumber") && cmc_print_integer(out, x->serialNumber) && nl(out);
}

int CMC_GET_CRL_print(BIO *out, const CMC_GET_CRL *x, int indent) {
    P(label(out, indent, "issuerName") && cmc_print_name(out, x->issuerName) && nl(out));
    if (x->cRLName != NULL) {
        P(label(out, indent, "cRLName") && print_general_name(out, x->cRLName) && nl(out));
    }
    if (x->time != NULL) {
        P(label(out, indent, "time") && cmc_print_time(out, x->time) && nl(out));
    }
    if (x->reasons != NULL) {
        P(label(out, indent, "reasons"));
        int any = 0;
        for (int r = 0; r <= 8; r++) { /* ReasonFlags bits 0..8 (RFC 5280 §4.2.1.13) */
            static const char *const kFlags[] = {
                "unused",      "keyCompromise",        "cACompromise",    "affiliationChanged",
                "superseded",  "cessationOfOperation", "certificateHold", "privilegeWithdrawn",
                "aACompromise"};
            if (ASN1_BIT_STRING_get_bit(x->reasons, r)) {
                P(BIO_printf(out, "%s%s", any ? ", " : "", kFlags[r]) >= 0);
                any = 1;
            }
        }
        P((any || BIO_puts(out, "(none)") >= 0) && nl(out));
    }
    return 1;
}

int CMC_REVOKE_REQUEST_print(BIO *out, const CMC_REVOKE_REQUEST *x, int indent) {
    P(label(out, indent, "issuerName") && cmc_print_name(out, x->issuerName) && nl(out));
    P(label(out, indent, "serialNumber") && cmc_print_integer(out, x->serialNumber) && nl(out));
    P(label(out, indent, "reason") && print_enum_reason(out, x->reason) && nl(out));
    if (x->invalidityDate != NULL) {
        P(label(out, indent, "invalidityDate") && cmc_print_time(out, x->invalidityDate) &&
          nl(out));
    }
    if (x->passphrase != NULL) {
        /* "passphrase" in the ASN.1 modules, "sharedSecret" in RFC 2797 / the bis prose. */
        P(label(out, indent, "passphrase (sharedSecret)") &&
          BIO_printf(out, "(%d bytes)", ASN1_STRING_length(x->passphrase)) >= 0 && nl(out));
    }
    if (x->comment != NULL) {
        P(label(out, indent, "comment") && cmc_print_string(out, x->comment) && nl(out));
    }
    return 1;
}

int CMC_CERT_ID_print(BIO *out, const CMC_CERT_ID *x, int indent) {
    P(label(out, indent, "issuer") && cmc_print_name(out, x->issuer) && nl(out));
    return label(out, indent, "serialNumber") && cmc_print_integer(out, x->serialNumber) && nl(out);
}

static int print_hash_list(BIO *out, const STACK_OF(ASN1_OCTET_STRING) *l, int indent,
                           const char *name) {
    P(cmc_print_indent(out, indent) &&
      BIO_printf(out, "%s: %d\n", name, sk_ASN1_OCTET_STRING_num(l)) >= 0);
    for (int i = 0; i < sk_ASN1_OCTET_STRING_num(l) && i < CMC_PRINT_MAX_ITEMS; i++) {
        P(cmc_print_indent(out, indent + 2) &&
          print_octets(out, sk_ASN1_OCTET_STRING_value(l, i)) && nl(out));
    }
    return 1;
}

int CMC_PUBLISH_TRUST_ANCHORS_print(BIO *out, const CMC_PUBLISH_TRUST_ANCHORS *x, int indent) {
    P(label(out, indent, "seqNumber") && cmc_print_integer(out, x->seqNumber) && nl(out));
    P(label(out, indent, "hashAlgorithm") && cmc_print_algor(out, x->hashAlgorithm) && nl(out));
    return print_hash_list(out, x->anchorHashes, indent, "anchorHashes");
}

int CMC_PUBLICATION_INFO_print(BIO *out, const CMC_PUBLICATION_INFO *x, int indent) {
    P(label(out, indent, "hashAlg") && cmc_print_algor(out, x->hashAlg) && nl(out));
    P(print_hash_list(out, x->certHashes, indent, "certHashes"));
    uint8_t *der = NULL;
    int len = i2d_OSSL_CRMF_PKIPUBLICATIONINFO(x->pubInfo, &der);
    int ok =
        len > 0 && label(out, indent, "pubInfo") && cmc_print_hex(out, der, (size_t)len) && nl(out);
    OPENSSL_free(der);
    return ok;
}

static int print_cert_template(BIO *out, const OSSL_CRMF_CERTTEMPLATE *t, int indent) {
    const X509_NAME *subj = OSSL_CRMF_CERTTEMPLATE_get0_subject(t);
    const X509_NAME *iss = OSSL_CRMF_CERTTEMPLATE_get0_issuer(t);
    const ASN1_INTEGER *serial = OSSL_CRMF_CERTTEMPLATE_get0_serialNumber(t);
    if (subj != NULL) {
        P(label(out, indent, "subject") && cmc_print_name(out, subj) && nl(out));
    }
    if (iss != NULL) {
        P(label(out, indent, "issuer") && cmc_print_name(out, iss) && nl(out));
    }
    if (serial != NULL) {
        P(label(out, indent, "serialNumber") && cmc_print_integer(out, serial) && nl(out));
    }
    return 1;
}

int CMC_MOD_CERT_TEMPLATE_print(BIO *out, const CMC_MOD_CERT_TEMPLATE *x, int indent) {
    P(label(out, indent, "pkiDataReference") && print_path(out, x->pkiDataReference) && nl(out));
    P(label(out, indent, "certReferences") && print_id_list(out, x->certReferences) && nl(out));
    P(label(out, indent, "replace") && BIO_puts(out, x->replace ? "TRUE" : "FALSE") >= 0 &&
      nl(out));
    P(cmc_print_indent(out, indent) && BIO_puts(out, "certTemplate:\n") >= 0);
    return print_cert_template(out, x->certTemplate, indent + 2);
}

int CMC_CONTROLS_PROCESSED_print(BIO *out, const CMC_CONTROLS_PROCESSED *x, int indent) {
    P(label(out, indent, "bodyList"));
    for (int i = 0; i < sk_CMC_BODY_PART_REFERENCE_num(x->bodyList); i++) {
        P(BIO_puts(out, i ? ", " : "") >= 0);
        P(CMC_BODY_PART_REFERENCE_print(out, sk_CMC_BODY_PART_REFERENCE_value(x->bodyList, i), 0));
    }
    return nl(out);
}

int CMC_IDENTITY_PROOF_V2_print(BIO *out, const CMC_IDENTITY_PROOF_V2 *x, int indent) {
    P(label(out, indent, "proofAlgID") && cmc_print_algor(out, x->proofAlgID) && nl(out));
    P(label(out, indent, "macAlgId") && cmc_print_algor(out, x->macAlgId) && nl(out));
    return label(out, indent, "witness") && print_octets(out, x->witness) && nl(out);
}

int CMC_POP_LINK_WITNESS_V2_print(BIO *out, const CMC_POP_LINK_WITNESS_V2 *x, int indent) {
    P(label(out, indent, "keyGenAlgorithm") && cmc_print_algor(out, x->keyGenAlgorithm) && nl(out));
    P(label(out, indent, "macAlgorithm") && cmc_print_algor(out, x->macAlgorithm) && nl(out));
    return label(out, indent, "witness") && print_octets(out, x->witness) && nl(out);
}

int CMC_CHANGE_SUBJECT_NAME_print(BIO *out, const CMC_CHANGE_SUBJECT_NAME *x, int indent) {
    if (x->subject != NULL) {
        P(label(out, indent, "subject") && cmc_print_name(out, x->subject) && nl(out));
    }
    if (x->subjectAlt != NULL) {
        P(label(out, indent, "subjectAlt"));
        for (int i = 0; i < sk_GENERAL_NAME_num(x->subjectAlt); i++) {
            P(BIO_puts(out, i ? ", " : "") >= 0);
            P(print_general_name(out, sk_GENERAL_NAME_value(x->subjectAlt, i)));
        }
        P(nl(out));
    }
    return 1;
}

/* ---- requests ---- */

static int print_pubkey(BIO *out, const EVP_PKEY *pk) {
    if (pk == NULL) {
        return BIO_puts(out, "(undecodable)") >= 0;
    }
    const char *name = EVP_PKEY_get0_type_name(pk);
    P(BIO_printf(out, "%s", name != NULL ? name : "?") >= 0);
    if (EVP_PKEY_get_bits(pk) > 0) {
        P(BIO_printf(out, " %d bits", EVP_PKEY_get_bits(pk)) >= 0);
    }
    char group[64];
    size_t glen = 0;
    if (EVP_PKEY_get_utf8_string_param(pk, "group", group, sizeof(group), &glen)) {
        P(BIO_printf(out, " (%s)", group) >= 0);
    }
    return 1;
}

static int print_attribute_value(BIO *out, const ASN1_OBJECT *type, const ASN1_TYPE *v,
                                 int indent) {
    int n = cmc_control_number(type);
    const cmc_control_info *ci = n >= 0 ? cmc_control_lookup(n) : NULL;
    if (ci != NULL) {
        cmc_control_value *cv = NULL;
        if (cmc_control_value_decode(&cv, ci->type, v) == CMC_OK) {
            int ok = cmc_control_value_print(out, cv, indent);
            cmc_control_value_free(cv);
            return ok;
        }
    }
    return cmc_print_indent(out, indent) && cmc_print_any(out, v) && nl(out);
}

int cmc_print_x509_req(BIO *out, const X509_REQ *req, int indent) {
    P(label(out, indent, "version") && BIO_printf(out, "%ld", X509_REQ_get_version(req) + 1) >= 0 &&
      nl(out));
    P(label(out, indent, "subject") && cmc_print_name(out, X509_REQ_get_subject_name(req)) &&
      nl(out));
    P(label(out, indent, "key") && print_pubkey(out, X509_REQ_get0_pubkey((X509_REQ *)req)) &&
      nl(out));
    const X509_ALGOR *sig_alg = NULL;
    X509_REQ_get0_signature(req, NULL, &sig_alg);
    P(label(out, indent, "signatureAlgorithm") && cmc_print_algor(out, sig_alg) && nl(out));
    int na = X509_REQ_get_attr_count(req);
    P(cmc_print_indent(out, indent) && BIO_printf(out, "attributes: %d\n", na) >= 0);
    for (int i = 0; i < na && i < CMC_PRINT_MAX_ITEMS; i++) {
        X509_ATTRIBUTE *a = X509_REQ_get_attr(req, i);
        const ASN1_OBJECT *obj = X509_ATTRIBUTE_get0_object(a);
        P(cmc_print_indent(out, indent + 2) && cmc_print_oid(out, obj) && nl(out));
        if (OBJ_obj2nid(obj) == NID_ext_req) {
            STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions((X509_REQ *)req);
            for (int k = 0; k < sk_X509_EXTENSION_num(exts); k++) {
                X509_EXTENSION *e = sk_X509_EXTENSION_value(exts, k);
                if (!(cmc_print_indent(out, indent + 4) &&
                      cmc_print_oid(out, X509_EXTENSION_get_object(e)) && nl(out))) {
                    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
                    return 0;
                }
            }
            sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
            continue;
        }
        for (int k = 0; k < X509_ATTRIBUTE_count(a); k++) {
            P(print_attribute_value(out, obj, X509_ATTRIBUTE_get0_type(a, k), indent + 4));
        }
    }
    return 1;
}

/* OpenSSL 3.0 has no getter for CertTemplate.publicKey: find [6] IMPLICIT
 * SubjectPublicKeyInfo in the DER of CertReqMsg.certReq.certTemplate and decode it. */
static EVP_PKEY *crmf_template_pubkey(const OSSL_CRMF_MSG *crm) {
    uint8_t *der = NULL;
    int len = i2d_OSSL_CRMF_MSG(crm, &der);
    EVP_PKEY *pk = NULL;
    cmc_tlv msg;
    cmc_tlv req;
    cmc_tlv id;
    cmc_tlv tmpl;
    if (len > 0 && cmc_tlv_header(&msg, der, (size_t)len) == CMC_OK &&
        cmc_tlv_header(&req, der + msg.hdr_len, (size_t)len - msg.hdr_len) == CMC_OK) {
        size_t off = msg.hdr_len + req.hdr_len;
        if (cmc_tlv_header(&id, der + off, (size_t)len - off) == CMC_OK) {
            off += id.hdr_len + id.len;
            if (cmc_tlv_header(&tmpl, der + off, (size_t)len - off) == CMC_OK) {
                size_t end = off + tmpl.hdr_len + tmpl.len;
                off += tmpl.hdr_len;
                while (off < end && pk == NULL) {
                    cmc_tlv f;
                    if (cmc_tlv_header(&f, der + off, end - off) != CMC_OK) {
                        break;
                    }
                    if (der[off] == 0xA6) {
                        der[off] = 0x30; /* IMPLICIT [6] -> SEQUENCE */
                        const uint8_t *p = der + off;
                        pk = d2i_PUBKEY(NULL, &p, (long)(f.hdr_len + f.len));
                    }
                    off += f.hdr_len + f.len;
                }
            }
        }
    }
    OPENSSL_free(der);
    return pk;
}

/* Prints a SEQUENCE OF AttributeTypeAndValue { OID, ANY } given its content octets: CMC
 * attributes (popLinkWitnessV2, changeSubjectName...) decoded through the registry. */
static int print_atv_list(BIO *out, const uint8_t *p, size_t len, int indent, const char *name) {
    P(cmc_print_indent(out, indent) && BIO_printf(out, "%s:\n", name) >= 0);
    size_t off = 0;
    while (off < len) {
        cmc_tlv atv;
        cmc_tlv oid;
        if (cmc_tlv_header(&atv, p + off, len - off) != CMC_OK || atv.id != 0x30 ||
            cmc_tlv_header(&oid, p + off + atv.hdr_len, atv.len) != CMC_OK || oid.id != 0x06) {
            return cmc_print_indent(out, indent + 2) && BIO_puts(out, "(malformed)\n") >= 0;
        }
        const uint8_t *q = p + off + atv.hdr_len;
        ASN1_OBJECT *obj = d2i_ASN1_OBJECT(NULL, &q, (long)(oid.hdr_len + oid.len));
        size_t vlen = atv.len - oid.hdr_len - oid.len;
        ASN1_TYPE *v = vlen > 0 ? d2i_ASN1_TYPE(NULL, &q, (long)vlen) : NULL;
        int ok = 1;
        if (obj != NULL) {
            int n = cmc_control_number(obj);
            const cmc_control_info *ci = n >= 0 ? cmc_control_lookup(n) : NULL;
            ok = cmc_print_indent(out, indent + 2) &&
                 (ci != NULL ? BIO_printf(out, "%s (id-cmc-%d)", ci->name, n) >= 0
                             : cmc_print_oid(out, obj)) &&
                 BIO_puts(out, ":\n") >= 0;
            if (ok && v != NULL) {
                ok = print_attribute_value(out, obj, v, indent + 4);
            }
        }
        ASN1_OBJECT_free(obj);
        ASN1_TYPE_free(v);
        P(ok);
        off += atv.hdr_len + atv.len;
    }
    return 1;
}

int cmc_print_crmf_msg(BIO *out, const OSSL_CRMF_MSG *crm, int indent) {
    ASN1_INTEGER *id = NULL;
    if (cmc_crm_cert_req_id(&id, crm) == CMC_OK) {
        int ok = label(out, indent, "certReqId") && cmc_print_integer(out, id) && nl(out);
        ASN1_INTEGER_free(id);
        P(ok);
    }
    OSSL_CRMF_CERTTEMPLATE *t = OSSL_CRMF_MSG_get0_tmpl(crm);
    if (t != NULL) {
        P(cmc_print_indent(out, indent) && BIO_puts(out, "certTemplate:\n") >= 0);
        P(print_cert_template(out, t, indent + 2));
        EVP_PKEY *pub = crmf_template_pubkey(crm);
        if (pub != NULL) {
            int ok = label(out, indent + 2, "publicKey") && print_pubkey(out, pub) && nl(out);
            EVP_PKEY_free(pub);
            P(ok);
        }
    }
    /* OpenSSL 3.0 exposes neither popo nor the generic controls: read them from the DER.
     * CertReqMsg ::= SEQUENCE { certReq CertRequest, popo ProofOfPossession OPTIONAL,
     *     regInfo SEQUENCE SIZE(1..MAX) OF AttributeTypeAndValue OPTIONAL }
     * CertRequest ::= SEQUENCE { certReqId, certTemplate, controls Controls OPTIONAL } */
    uint8_t *der = NULL;
    int len = i2d_OSSL_CRMF_MSG(crm, &der);
    const char *pop = "absent";
    int ok = 1;
    cmc_tlv msg;
    cmc_tlv req;
    if (len > 0 && cmc_tlv_header(&msg, der, (size_t)len) == CMC_OK &&
        cmc_tlv_header(&req, der + msg.hdr_len, (size_t)len - msg.hdr_len) == CMC_OK) {
        size_t req_end = msg.hdr_len + req.hdr_len + req.len;
        size_t off = msg.hdr_len + req.hdr_len;
        for (int field = 0; ok && off < req_end; field++) {
            cmc_tlv f;
            if (cmc_tlv_header(&f, der + off, req_end - off) != CMC_OK) {
                break;
            }
            if (field >= 2 && f.id == 0x30) { /* controls */
                ok = print_atv_list(out, der + off + f.hdr_len, f.len, indent, "controls");
            }
            off += f.hdr_len + f.len;
        }
        size_t msg_end = msg.hdr_len + msg.len;
        off = req_end;
        while (ok && off < msg_end) {
            cmc_tlv f;
            if (cmc_tlv_header(&f, der + off, msg_end - off) != CMC_OK) {
                break;
            }
            if ((f.id & 0xC0u) == CMC_TLV_CONTEXT) {
                static const char *const kPop[] = {"raVerified", "signature", "keyEncipherment",
                                                   "keyAgreement"};
                pop = f.number < 4 ? kPop[f.number] : "unknown";
            } else if (f.id == 0x30) {
                /* RFC 5272 §3.2.1.2.2: CRMF regInfo MUST NOT be used (use the regInfo control). */
                ok = print_atv_list(out, der + off + f.hdr_len, f.len, indent,
                                    "regInfo (not allowed in CMC)");
            }
            off += f.hdr_len + f.len;
        }
    }
    OPENSSL_free(der);
    return ok && label(out, indent, "popo") && BIO_puts(out, pop) >= 0 && nl(out);
}

int CMC_TAGGED_CERT_REQUEST_print(BIO *out, const CMC_TAGGED_CERT_REQUEST *x, int indent) {
    P(label(out, indent, "bodyPartID") && cmc_print_integer(out, x->bodyPartID) && nl(out));
    return cmc_print_x509_req(out, x->certificationRequest, indent);
}

int CMC_OTHER_REQUEST_print(BIO *out, const CMC_OTHER_REQUEST *x, int indent) {
    P(label(out, indent, "bodyPartID") && cmc_print_integer(out, x->bodyPartID) && nl(out));
    P(label(out, indent, "requestMessageType") && cmc_print_oid(out, x->requestMessageType) &&
      nl(out));
    return label(out, indent, "requestMessageValue") &&
           cmc_print_any(out, x->requestMessageValue) && nl(out);
}

int CMC_TAGGED_REQUEST_print(BIO *out, const CMC_TAGGED_REQUEST *x, int indent) {
    switch (x->type) {
    case CMC_TAGGED_REQUEST_TCR:
        P(cmc_print_indent(out, indent) && BIO_puts(out, "tcr (PKCS #10):\n") >= 0);
        return CMC_TAGGED_CERT_REQUEST_print(out, x->value.tcr, indent + 2);
    case CMC_TAGGED_REQUEST_CRM:
        P(cmc_print_indent(out, indent) && BIO_puts(out, "crm (CRMF CertReqMsg):\n") >= 0);
        return cmc_print_crmf_msg(out, x->value.crm, indent + 2);
    case CMC_TAGGED_REQUEST_ORM:
        P(cmc_print_indent(out, indent) && BIO_puts(out, "orm (other request):\n") >= 0);
        return CMC_OTHER_REQUEST_print(out, x->value.orm, indent + 2);
    default:
        return 1;
    }
}

/* ---- controls and top-level structures ---- */

int cmc_control_value_print(BIO *out, const cmc_control_value *v, int indent) {
    switch (v->type) {
    case CMC_VT_UTF8_STRING:
        return cmc_print_indent(out, indent) && cmc_print_string(out, v->value) && nl(out);
    case CMC_VT_OCTET_STRING:
        return cmc_print_indent(out, indent) && print_octets(out, v->value) && nl(out);
    case CMC_VT_INTEGER:
        return cmc_print_indent(out, indent) && cmc_print_integer(out, v->value) && nl(out);
    case CMC_VT_CMC_STATUS_INFO:
        return CMC_STATUS_INFO_print(out, v->value, indent);
    case CMC_VT_ADD_EXTENSIONS:
        return CMC_ADD_EXTENSIONS_print(out, v->value, indent);
    case CMC_VT_ENCRYPTED_POP:
        return CMC_ENCRYPTED_POP_print(out, v->value, indent);
    case CMC_VT_DECRYPTED_POP:
        return CMC_DECRYPTED_POP_print(out, v->value, indent);
    case CMC_VT_LRA_POP_WITNESS:
        return CMC_LRA_POP_WITNESS_print(out, v->value, indent);
    case CMC_VT_GET_CERT:
        return CMC_GET_CERT_print(out, v->value, indent);
    case CMC_VT_GET_CRL:
        return CMC_GET_CRL_print(out, v->value, indent);
    case CMC_VT_REVOKE_REQUEST:
        return CMC_REVOKE_REQUEST_print(out, v->value, indent);
    case CMC_VT_CMC_CERT_ID:
        return CMC_CERT_ID_print(out, v->value, indent);
    case CMC_VT_CMC_STATUS_INFO_V2:
        return CMC_STATUS_INFO_V2_print(out, v->value, indent);
    case CMC_VT_PUBLISH_TRUST_ANCHORS:
        return CMC_PUBLISH_TRUST_ANCHORS_print(out, v->value, indent);
    case CMC_VT_BODY_PART_ID:
        return CMC_AUTH_PUBLISH_print(out, v->value, indent);
    case CMC_VT_BODY_PART_LIST:
        return CMC_BODY_PART_LIST_print(out, v->value, indent);
    case CMC_VT_CMC_PUBLICATION_INFO:
        return CMC_PUBLICATION_INFO_print(out, v->value, indent);
    case CMC_VT_MOD_CERT_TEMPLATE:
        return CMC_MOD_CERT_TEMPLATE_print(out, v->value, indent);
    case CMC_VT_CONTROLS_PROCESSED:
        return CMC_CONTROLS_PROCESSED_print(out, v->value, indent);
    case CMC_VT_POP_LINK_WITNESS_V2:
        return CMC_POP_LINK_WITNESS_V2_print(out, v->value, indent);
    case CMC_VT_IDENTITY_PROOF_V2:
        return CMC_IDENTITY_PROOF_V2_print(out, v->value, indent);
    case CMC_VT_BODY_PART_PATH:
        return CMC_BODY_PART_PATH_print(out, v->value, indent);
    case CMC_VT_CHANGE_SUBJECT_NAME:
        P(CMC_CHANGE_SUBJECT_NAME_print(out, v->value, indent));
        if (v->legacy_form) {
            P(cmc_print_indent(out, indent) &&
              BIO_puts(out, "(untagged subjectAlt: RFC 6402 form, not erratum 3943)\n") >= 0);
        }
        return 1;
    default:
        return 1;
    }
}

int cmc_print_control(BIO *out, const CMC_TAGGED_ATTRIBUTE *ta, int indent) {
    int n = cmc_control_number(ta->attrType);
    const cmc_control_info *ci = n >= 0 ? cmc_control_lookup(n) : NULL;
    P(cmc_print_indent(out, indent));
    if (ci != NULL) {
        P(BIO_printf(out, "%s (id-cmc-%d)", ci->name, n) >= 0);
    } else {
        P(BIO_puts(out, "unknown control ") >= 0 && cmc_print_oid(out, ta->attrType));
    }
    P(BIO_puts(out, ", bodyPartID ") >= 0 && cmc_print_integer(out, ta->bodyPartID) &&
      BIO_puts(out, ":\n") >= 0);
    int nv = sk_ASN1_TYPE_num(ta->attrValues);
    if (nv == 0) {
        P(cmc_print_indent(out, indent + 2) && BIO_puts(out, "(no values)\n") >= 0);
    }
    for (int i = 0; i < nv && i < CMC_PRINT_MAX_ITEMS; i++) {
        const ASN1_TYPE *v = sk_ASN1_TYPE_value(ta->attrValues, i);
        if (ci == NULL) {
            P(cmc_print_indent(out, indent + 2) && cmc_print_any(out, v) && nl(out));
            continue;
        }
        cmc_control_value *cv = NULL;
        cmc_status st = cmc_control_value_decode(&cv, ci->type, v);
        if (st == CMC_OK) {
            int ok = cmc_control_value_print(out, cv, indent + 2);
            cmc_control_value_free(cv);
            P(ok);
        } else {
            P(cmc_print_indent(out, indent + 2) &&
              BIO_printf(out, "(not a valid %s: %s) ", cmc_value_type_name(ci->type),
                         cmc_status_name(st)) >= 0 &&
              cmc_print_any(out, v) && nl(out));
        }
    }
    return 1;
}

int CMC_TAGGED_ATTRIBUTE_print(BIO *out, const CMC_TAGGED_ATTRIBUTE *x, int indent) {
    return cmc_print_control(out, x, indent);
}

int CMC_TAGGED_CONTENT_INFO_print(BIO *out, const CMC_TAGGED_CONTENT_INFO *x, int indent) {
    P(label(out, indent, "bodyPartID") && cmc_print_integer(out, x->bodyPartID) && nl(out));
    return label(out, indent, "contentType") && cmc_print_oid(out, CMS_get0_type(x->contentInfo)) &&
           nl(out);
}

int CMC_OTHER_MSG_print(BIO *out, const CMC_OTHER_MSG *x, int indent) {
    P(label(out, indent, "bodyPartID") && cmc_print_integer(out, x->bodyPartID) && nl(out));
    P(label(out, indent, "otherMsgType") && cmc_print_oid(out, x->otherMsgType) && nl(out));
    return label(out, indent, "otherMsgValue") && cmc_print_any(out, x->otherMsgValue) && nl(out);
}

static int print_common(BIO *out, const STACK_OF(CMC_TAGGED_ATTRIBUTE) *ctrl,
                        const STACK_OF(CMC_TAGGED_REQUEST) *reqs,
                        const STACK_OF(CMC_TAGGED_CONTENT_INFO) *cms,
                        const STACK_OF(CMC_OTHER_MSG) *other, int indent) {
    P(cmc_print_indent(out, indent) &&
      BIO_printf(out, "controlSequence: %d\n", sk_CMC_TAGGED_ATTRIBUTE_num(ctrl)) >= 0);
    for (int i = 0; i < sk_CMC_TAGGED_ATTRIBUTE_num(ctrl); i++) {
        P(cmc_print_control(out, sk_CMC_TAGGED_ATTRIBUTE_value(ctrl, i), indent + 2));
    }
    if (reqs != NULL) {
        P(cmc_print_indent(out, indent) &&
          BIO_printf(out, "reqSequence: %d\n", sk_CMC_TAGGED_REQUEST_num(reqs)) >= 0);
        for (int i = 0; i < sk_CMC_TAGGED_REQUEST_num(reqs); i++) {
            P(CMC_TAGGED_REQUEST_print(out, sk_CMC_TAGGED_REQUEST_value(reqs, i), indent + 2));
        }
    }
    P(cmc_print_indent(out, indent) &&
      BIO_printf(out, "cmsSequence: %d\n", sk_CMC_TAGGED_CONTENT_INFO_num(cms)) >= 0);
    for (int i = 0; i < sk_CMC_TAGGED_CONTENT_INFO_num(cms); i++) {
        P(CMC_TAGGED_CONTENT_INFO_print(out, sk_CMC_TAGGED_CONTENT_INFO_value(cms, i), indent + 2));
    }
    P(cmc_print_indent(out, indent) &&
      BIO_printf(out, "otherMsgSequence: %d\n", sk_CMC_OTHER_MSG_num(other)) >= 0);
    for (int i = 0; i < sk_CMC_OTHER_MSG_num(other); i++) {
        P(CMC_OTHER_MSG_print(out, sk_CMC_OTHER_MSG_value(other, i), indent + 2));
    }
    return 1;
}

int CMC_PKI_DATA_print(BIO *out, const CMC_PKI_DATA *x, int indent) {
    return print_common(out, x->controlSequence, x->reqSequence, x->cmsSequence,
                        x->otherMsgSequence, indent);
}

int CMC_PKI_RESPONSE_print(BIO *out, const CMC_PKI_RESPONSE *x, int indent) {
    return print_common(out, x->controlSequence, NULL, x->cmsSequence, x->otherMsgSequence, indent);
}
