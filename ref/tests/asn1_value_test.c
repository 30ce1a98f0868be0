/* asn1_value_test.c: every CMC control value type (spec/CMC.md §4) on known-answer bytes
 * from ref/tests/kat/ (openssl asn1parse -genconf): decode, byte-exact re-encoding, the
 * printed names, and rejection of truncated input, trailing bytes, a wrong outer tag,
 * out-of-range BodyPartIDs and empty SIZE (1..MAX) lists, each with its exact status. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "kat/kat.h"

typedef struct {
    const char *kat; /* ref/tests/kat/<kat>.der */
    cmc_value_type type;
    cmc_status want;
    const char *text[3]; /* substrings the printer must write (positive cases) */
} value_case;

static const value_case kCases[] = {
    /* CMCStatusInfo (id-cmc 1) */
    {"value_status_info",
     CMC_VT_CMC_STATUS_INFO,
     CMC_OK,
     {"cMCStatus: failed (2)", "bodyList: 3, 4", "failInfo: badRequest (2)"}},
    {"value_status_info_pend",
     CMC_VT_CMC_STATUS_INFO,
     CMC_OK,
     {"pendInfo:", "pendToken: 0a0b0c", "pendTime: 2026-07-01"}},
    {"value_status_info_empty_body_list", CMC_VT_CMC_STATUS_INFO, CMC_E_EMPTY_LIST, {0}},
    {"value_status_info_bpid_2p32", CMC_VT_CMC_STATUS_INFO, CMC_E_BODY_PART_RANGE, {0}},
    /* CMCStatusInfoV2 (id-cmc 25) with OtherStatusInfo, PendInfo, ExtendedFailInfo */
    {"value_status_info_v2",
     CMC_VT_CMC_STATUS_INFO_V2,
     CMC_OK,
     {"bodyList: 7, path 1/2", "statusString: \"bad request\"", "failInfo: badRequest (2)"}},
    {"value_status_info_v2_pend",
     CMC_VT_CMC_STATUS_INFO_V2,
     CMC_OK,
     {"cMCStatus: pending (3)", "pendToken: 0a0b0c", NULL}},
    {"value_status_info_v2_ext_tagged",
     CMC_VT_CMC_STATUS_INFO_V2,
     CMC_OK,
     {"extendedFailInfo:\n", "failInfoOID: 1.2.3.99", "failInfoValue: \"vendor detail\""}},
    {"value_status_info_v2_ext_untagged",
     CMC_VT_CMC_STATUS_INFO_V2,
     CMC_OK,
     {"extendedFailInfo (untagged 1988 form):", "failInfoOID: 1.2.3.99", NULL}},
    {"value_status_info_v2_empty_body_list", CMC_VT_CMC_STATUS_INFO_V2, CMC_E_EMPTY_LIST, {0}},
    {"value_status_info_v2_empty_path", CMC_VT_CMC_STATUS_INFO_V2, CMC_E_EMPTY_LIST, {0}},
    {"value_status_info_v2_bpid_negative", CMC_VT_CMC_STATUS_INFO_V2, CMC_E_BODY_PART_RANGE, {0}},
    {"value_status_info_v2_other_bad_tag", CMC_VT_CMC_STATUS_INFO_V2, CMC_E_TAG, {0}},
    /* AddExtensions (id-cmc 8) */
    {"value_add_extensions",
     CMC_VT_ADD_EXTENSIONS,
     CMC_OK,
     {"pkiDataReference: 0", "certReferences: 3", "basicConstraints (2.5.29.19) (critical)"}},
    {"value_add_extensions_bpid_2p32", CMC_VT_ADD_EXTENSIONS, CMC_E_BODY_PART_RANGE, {0}},
    /* EncryptedPOP (id-cmc 9), DecryptedPOP (10), LraPopWitness (11) */
    {"value_encrypted_pop",
     CMC_VT_ENCRYPTED_POP,
     CMC_OK,
     {"orm (other request):", "cms: pkcs7-data", "witness: cafe"}},
    {"value_encrypted_pop_bpid_negative", CMC_VT_ENCRYPTED_POP, CMC_E_BODY_PART_RANGE, {0}},
    {"value_decrypted_pop",
     CMC_VT_DECRYPTED_POP,
     CMC_OK,
     {"bodyPartID: 3", "thePOPAlgID: hmacWithSHA256", "thePOP: beef"}},
    {"value_decrypted_pop_bpid_negative", CMC_VT_DECRYPTED_POP, CMC_E_BODY_PART_RANGE, {0}},
    {"value_lra_pop_witness",
     CMC_VT_LRA_POP_WITNESS,
     CMC_OK,
     {"pkiDataBodyid: 0", "bodyIds: 3, 4", NULL}},
    {"value_lra_pop_witness_bpid_2p32", CMC_VT_LRA_POP_WITNESS, CMC_E_BODY_PART_RANGE, {0}},
    /* GetCert (15), GetCRL (16), RevokeRequest (17), CMCCertId (24) */
    {"value_get_cert",
     CMC_VT_GET_CERT,
     CMC_OK,
     {"issuerName: DirName:CN=kat ca", "serialNumber: 4660", NULL}},
    {"value_get_crl",
     CMC_VT_GET_CRL,
     CMC_OK,
     {"cRLName: URI:http://crl.invalid/ca.crl", "time: 2026-07-01", "reasons: keyCompromise"}},
    {"value_revoke_request",
     CMC_VT_REVOKE_REQUEST,
     CMC_OK,
     {"reason: keyCompromise (1)", "passphrase (sharedSecret): (7 bytes)",
      "comment: \"lost laptop\""}},
    {"value_revoke_request_reason_integer", CMC_VT_REVOKE_REQUEST, CMC_E_TAG, {0}},
    {"value_cert_id",
     CMC_VT_CMC_CERT_ID,
     CMC_OK,
     {"issuer: CN=kat ca", "serialNumber: 4660", NULL}},
    /* PublishTrustAnchors (26), AuthPublish (27), BodyPartList (28/29), BodyPartPath */
    {"value_publish_trust_anchors",
     CMC_VT_PUBLISH_TRUST_ANCHORS,
     CMC_OK,
     {"seqNumber: 5", "hashAlgorithm: SHA256", "00112233"}},
    {"value_auth_publish", CMC_VT_BODY_PART_ID, CMC_OK, {"bodyPartID: 5", NULL, NULL}},
    {"value_auth_publish_negative", CMC_VT_BODY_PART_ID, CMC_E_BODY_PART_RANGE, {0}},
    {"value_auth_publish_2p32", CMC_VT_BODY_PART_ID, CMC_E_BODY_PART_RANGE, {0}},
    {"value_body_part_list", CMC_VT_BODY_PART_LIST, CMC_OK, {"bodyPartList: 1, 2", NULL, NULL}},
    {"value_body_part_list_empty", CMC_VT_BODY_PART_LIST, CMC_E_EMPTY_LIST, {0}},
    {"value_body_part_list_negative", CMC_VT_BODY_PART_LIST, CMC_E_BODY_PART_RANGE, {0}},
    {"value_body_part_path", CMC_VT_BODY_PART_PATH, CMC_OK, {"bodyPartPath: path 1/2", NULL, NULL}},
    {"value_body_part_path_empty", CMC_VT_BODY_PART_PATH, CMC_E_EMPTY_LIST, {0}},
    {"value_body_part_path_too_long", CMC_VT_BODY_PART_PATH, CMC_E_LIMIT, {0}},
    {"value_body_part_path_2p32", CMC_VT_BODY_PART_PATH, CMC_E_BODY_PART_RANGE, {0}},
    /* CMCPublicationInfo (30), ModCertTemplate (31), ControlsProcessed (32) */
    {"value_publication_info",
     CMC_VT_CMC_PUBLICATION_INFO,
     CMC_OK,
     {"hashAlg: SHA256", "certHashes: 1", "pubInfo: 301f020101"}},
    {"value_mod_cert_template",
     CMC_VT_MOD_CERT_TEMPLATE,
     CMC_OK,
     {"pkiDataReference: path 1", "replace: TRUE", "subject: CN=kat ca"}},
    {"value_mod_cert_template_false",
     CMC_VT_MOD_CERT_TEMPLATE,
     CMC_OK,
     {"replace: FALSE", NULL, NULL}},
    {"value_mod_cert_template_explicit_true", CMC_VT_MOD_CERT_TEMPLATE, CMC_E_NOT_DER, {0}},
    {"value_mod_cert_template_empty_refs", CMC_VT_MOD_CERT_TEMPLATE, CMC_E_EMPTY_LIST, {0}},
    {"value_controls_processed",
     CMC_VT_CONTROLS_PROCESSED,
     CMC_OK,
     {"bodyList: 9, path 2/9", NULL, NULL}},
    {"value_controls_processed_empty", CMC_VT_CONTROLS_PROCESSED, CMC_E_EMPTY_LIST, {0}},
    /* IdentifyProofV2 (34), PopLinkWitnessV2 (33) */
    {"value_identity_proof_v2",
     CMC_VT_IDENTITY_PROOF_V2,
     CMC_OK,
     {"proofAlgID: SHA256", "macAlgId: hmacWithSHA256", "witness: 0102"}},
    {"value_pop_link_witness_v2",
     CMC_VT_POP_LINK_WITNESS_V2,
     CMC_OK,
     {"keyGenAlgorithm: SHA256", "macAlgorithm: hmacWithSHA256", "witness: 0304"}},
    /* ChangeSubjectName (36, RFC 6402) */
    {"value_change_subject_name",
     CMC_VT_CHANGE_SUBJECT_NAME,
     CMC_OK,
     {"subject: CN=kat ca", "subjectAlt: DNS:new.example", NULL}},
    {"value_change_subject_name_subject_only",
     CMC_VT_CHANGE_SUBJECT_NAME,
     CMC_OK,
     {"subject: CN=kat ca", NULL, NULL}},
    {"value_change_subject_name_empty", CMC_VT_CHANGE_SUBJECT_NAME, CMC_E_BAD_VALUE, {0}},
    /* primitive control values */
    {"value_identification", CMC_VT_UTF8_STRING, CMC_OK, {"\"officer-1\"", NULL, NULL}},
    {"value_identification_printable", CMC_VT_UTF8_STRING, CMC_E_TAG, {0}},
    {"value_sender_nonce", CMC_VT_OCTET_STRING, CMC_OK, {"00112233", NULL, NULL}},
    {"value_transaction_id", CMC_VT_INTEGER, CMC_OK, {"4242", NULL, NULL}},
};

#define NUM_CASES (sizeof(kCases) / sizeof(kCases[0]))

/* bytes_contain: |needle| occurs in the |n| bytes at |hay| (not NUL-terminated). */
static int bytes_contain(const char *hay, long n, const char *needle) {
    size_t k = strlen(needle);
    for (long i = 0; i + (long)k <= n; i++) {
        if (memcmp(hay + i, needle, k) == 0) {
            return 1;
        }
    }
    return 0;
}

static char *print_to_string(const cmc_control_value *v) {
    BIO *b = BIO_new(BIO_s_mem());
    assert_non_null(b);
    assert_int_equal(cmc_control_value_print(b, v, 2), 1);
    char *data = NULL;
    long n = BIO_get_mem_data(b, &data);
    char *s = calloc(1, (size_t)n + 1);
    memcpy(s, data, (size_t)n);
    BIO_free(b);
    return s;
}

static void run_case(const value_case *c) {
    size_t len = 0;
    uint8_t *in = kat_require(c->kat, &len);
    cmc_control_value *v = NULL;
    cmc_status st = cmc_control_value_decode_der(&v, c->type, in, len);
    if (st != c->want) {
        fail_msg("%s: got %s, want %s", c->kat, cmc_status_name(st), cmc_status_name(c->want));
    }
    if (c->want != CMC_OK) {
        assert_null(v);
        free(in);
        return;
    }
    /* Byte-exact re-encoding. */
    uint8_t *der = NULL;
    size_t der_len = 0;
    assert_int_equal(cmc_control_value_to_der(v, &der, &der_len), CMC_OK);
    if (der_len != len || memcmp(der, in, len) != 0) {
        fail_msg("%s: re-encoding differs", c->kat);
    }
    cmc_free(der);
    /* The printer names the values. */
    char *text = print_to_string(v);
    for (size_t i = 0; i < 3; i++) {
        if (c->text[i] != NULL && strstr(text, c->text[i]) == NULL) {
            fail_msg("%s: output lacks \"%s\":\n%s", c->kat, c->text[i], text);
        }
    }
    free(text);
    cmc_control_value_free(v);

    /* Mutations of an accepted KAT: every truncation, a trailing byte, a wrong outer tag. */
    for (size_t n = 0; n < len; n++) {
        size_t cut_len = 0;
        uint8_t *cut = kat_mutate(in, len, -(long)(len - n), -1, &cut_len);
        v = NULL;
        st = cmc_control_value_decode_der(&v, c->type, cut, cut_len);
        if (st != CMC_E_TRUNCATED) {
            fail_msg("%s cut to %zu bytes: got %s", c->kat, n, cmc_status_name(st));
        }
        free(cut);
    }
    size_t m_len = 0;
    uint8_t *m = kat_mutate(in, len, 1, -1, &m_len);
    assert_int_equal(cmc_control_value_decode_der(&v, c->type, m, m_len), CMC_E_TRAILING);
    free(m);
    m = kat_mutate(in, len, 0, in[0] == 0x30 ? 0x31 : 0x30, &m_len);
    assert_int_equal(cmc_control_value_decode_der(&v, c->type, m, m_len), CMC_E_TAG);
    free(m);
    assert_null(v);
    free(in);
}

static void test_control_value_decode_der_every_kat(void **state) {
    (void)state;
    for (size_t i = 0; i < NUM_CASES; i++) {
        run_case(&kCases[i]);
    }
}

/* Every single-byte corruption of every accepted KAT either fails with a status or decodes
 * into a value that prints and re-encodes (never a crash or leak; ASan runs this too). */
static void test_control_value_decode_survives_byte_flips(void **state) {
    (void)state;
    BIO *b = BIO_new(BIO_s_mem());
    for (size_t i = 0; i < NUM_CASES; i++) {
        if (kCases[i].want != CMC_OK) {
            continue;
        }
        char name[256];
        snprintf(name, sizeof(name), "%s.der", kCases[i].kat);
        size_t len = 0;
        uint8_t *in = kat_load(name, &len);
        assert_non_null(in);
        for (size_t k = 0; k < len; k++) {
            for (int flip = 0; flip < 2; flip++) {
                uint8_t saved = in[k];
                in[k] ^= flip ? 0x80 : 0x01;
                cmc_control_value *v = NULL;
                if (cmc_control_value_decode_der(&v, kCases[i].type, in, len) == CMC_OK) {
                    assert_int_equal(cmc_control_value_print(b, v, 0), 1);
                    uint8_t *der = NULL;
                    size_t der_len = 0;
                    assert_int_equal(cmc_control_value_to_der(v, &der, &der_len), CMC_OK);
                    cmc_free(der);
                    cmc_control_value_free(v);
                    (void)BIO_reset(b);
                }
                in[k] = saved;
            }
        }
        free(in);
    }
    BIO_free(b);
}

/* Every value type of the registry has an item, a name and at least one accepted KAT. */
static void test_control_value_types_all_covered(void **state) {
    (void)state;
    for (int t = 0; t < CMC_VT_COUNT; t++) {
        assert_non_null(cmc_value_type_item((cmc_value_type)t));
        assert_string_not_equal(cmc_value_type_name((cmc_value_type)t), "?");
        int ok = 0;
        for (size_t i = 0; i < NUM_CASES; i++) {
            ok |= kCases[i].type == (cmc_value_type)t && kCases[i].want == CMC_OK;
        }
        if (!ok) {
            fail_msg("value type %s has no accepted KAT", cmc_value_type_name((cmc_value_type)t));
        }
    }
    assert_null(cmc_value_type_item(CMC_VT_COUNT));
}

/* An explicit DEFAULT TRUE is not DER, but CMC_PARSE_ALLOW_BER accepts it (and the value
 * still reads TRUE). */
static void test_control_value_decode_der_ex_allows_ber(void **state) {
    (void)state;
    size_t len = 0;
    uint8_t *in = kat_load("value_mod_cert_template_explicit_true.der", &len);
    cmc_control_value *v = NULL;
    assert_int_equal(cmc_control_value_decode_der(&v, CMC_VT_MOD_CERT_TEMPLATE, in, len),
                     CMC_E_NOT_DER);
    assert_int_equal(
        cmc_control_value_decode_der_ex(&v, CMC_VT_MOD_CERT_TEMPLATE, in, len, CMC_PARSE_ALLOW_BER),
        CMC_OK);
    assert_int_not_equal(((CMC_MOD_CERT_TEMPLATE *)v->value)->replace, 0); /* 0xFF as sent */
    cmc_control_value_free(v);
    free(in);
}

/* spec/CMC.md §13 item 3: ModCertTemplate.replace absent decodes as TRUE. */
static void test_mod_cert_template_replace_defaults_to_true(void **state) {
    (void)state;
    size_t len = 0;
    uint8_t *in = kat_load("value_mod_cert_template.der", &len);
    cmc_control_value *v = NULL;
    assert_int_equal(cmc_control_value_decode_der(&v, CMC_VT_MOD_CERT_TEMPLATE, in, len), CMC_OK);
    assert_int_equal(((CMC_MOD_CERT_TEMPLATE *)v->value)->replace, 1);
    cmc_control_value_free(v);
    free(in);
    in = kat_load("value_mod_cert_template_false.der", &len);
    assert_int_equal(cmc_control_value_decode_der(&v, CMC_VT_MOD_CERT_TEMPLATE, in, len), CMC_OK);
    assert_int_equal(((CMC_MOD_CERT_TEMPLATE *)v->value)->replace, 0);
    cmc_control_value_free(v);
    free(in);
}

/* spec/CMC.md §13 item 4 / §14: both extendedFailInfo forms decode; we write [1]. */
static void test_other_status_info_reads_both_forms_writes_tagged(void **state) {
    (void)state;
    const char *kats[] = {"value_status_info_v2_ext_tagged.der",
                          "value_status_info_v2_ext_untagged.der"};
    for (int k = 0; k < 2; k++) {
        size_t len = 0;
        uint8_t *in = kat_load(kats[k], &len);
        cmc_control_value *v = NULL;
        assert_int_equal(cmc_control_value_decode_der(&v, CMC_VT_CMC_STATUS_INFO_V2, in, len),
                         CMC_OK);
        CMC_STATUS_INFO_V2 *si = v->value;
        CMC_OTHER_STATUS_INFO *osi = NULL;
        assert_int_equal(cmc_other_status_info_decode(&osi, si->otherInfo), CMC_OK);
        assert_int_equal(osi->type, CMC_OTHER_INFO_EXTENDED_FAIL_INFO);
        assert_int_equal(osi->legacy_untagged, k);
        ASN1_TYPE *any = NULL;
        assert_int_equal(cmc_other_status_info_encode(&any, osi), CMC_OK);
        uint8_t *der = NULL;
        int der_len = i2d_ASN1_TYPE(any, &der);
        assert_true(der_len > 2);
        assert_int_equal(der[0], 0xA1);
        OPENSSL_free(der);
        ASN1_TYPE_free(any);
        CMC_OTHER_STATUS_INFO_free(osi);
        cmc_control_value_free(v);
        free(in);
    }
    /* failInfo and pendInfo round-trip through the dispatcher unchanged. */
    size_t len = 0;
    uint8_t *in = kat_load("value_status_info_v2_pend.der", &len);
    cmc_control_value *v = NULL;
    assert_int_equal(cmc_control_value_decode_der(&v, CMC_VT_CMC_STATUS_INFO_V2, in, len), CMC_OK);
    CMC_OTHER_STATUS_INFO *osi = NULL;
    assert_int_equal(
        cmc_other_status_info_decode(&osi, ((CMC_STATUS_INFO_V2 *)v->value)->otherInfo), CMC_OK);
    assert_int_equal(osi->type, CMC_OTHER_INFO_PEND_INFO);
    CMC_OTHER_STATUS_INFO_free(osi);
    cmc_control_value_free(v);
    free(in);
}

/* spec/CMC.md §13 item 5 / §14: the untagged RFC 6402 form is read and re-encoded as the
 * [1] form, byte for byte equal to the tagged KAT. */
static void test_change_subject_name_reads_untagged_writes_tagged(void **state) {
    (void)state;
    size_t ulen = 0;
    size_t tlen = 0;
    uint8_t *untagged = kat_load("value_change_subject_name_untagged.der", &ulen);
    uint8_t *tagged = kat_load("value_change_subject_name.der", &tlen);
    cmc_control_value *v = NULL;
    assert_int_equal(cmc_control_value_decode_der(&v, CMC_VT_CHANGE_SUBJECT_NAME, untagged, ulen),
                     CMC_OK);
    assert_int_equal(v->legacy_form, 1);
    uint8_t *der = NULL;
    size_t der_len = 0;
    assert_int_equal(cmc_control_value_to_der(v, &der, &der_len), CMC_OK);
    assert_int_equal(der_len, tlen);
    assert_memory_equal(der, tagged, tlen);
    cmc_free(der);
    cmc_control_value_free(v);
    assert_int_equal(cmc_control_value_decode_der(&v, CMC_VT_CHANGE_SUBJECT_NAME, tagged, tlen),
                     CMC_OK);
    assert_int_equal(v->legacy_form, 0);
    cmc_control_value_free(v);
    free(untagged);
    free(tagged);

    /* A lone untagged GeneralNames (starts with a context tag) is subjectAlt, not Name. */
    uint8_t *alt = kat_load("value_change_subject_name_alt_only_untagged.der", &ulen);
    CMC_CHANGE_SUBJECT_NAME *csn = NULL;
    int legacy = 0;
    assert_int_equal(cmc_change_subject_name_decode(&csn, &legacy, alt, ulen), CMC_OK);
    assert_int_equal(legacy, 1);
    assert_null(csn->subject);
    assert_int_equal(sk_GENERAL_NAME_num(csn->subjectAlt), 1);
    CMC_CHANGE_SUBJECT_NAME_free(csn);
    free(alt);
}

static void test_unsigned_data_decode_der(void **state) {
    (void)state;
    size_t len = 0;
    uint8_t *in = kat_load("value_unsigned_data.der", &len);
    CMC_UNSIGNED_DATA *ud = NULL;
    assert_int_equal(cmc_unsigned_data_decode_der(&ud, in, len), CMC_OK);
    assert_int_equal(sk_ASN1_INTEGER_num(ud->bodyPartPath), 2);
    uint8_t *der = NULL;
    int der_len = i2d_CMC_UNSIGNED_DATA(ud, &der);
    assert_int_equal(der_len, (int)len);
    assert_memory_equal(der, in, len);
    OPENSSL_free(der);
    BIO *b = BIO_new(BIO_s_mem());
    assert_int_equal(CMC_UNSIGNED_DATA_print(b, ud, 0), 1);
    char *data = NULL;
    long n = BIO_get_mem_data(b, &data);
    assert_true(bytes_contain(data, n, "bodyPartPath: path 1/3"));
    BIO_free(b);
    CMC_UNSIGNED_DATA_free(ud);
    size_t cut = 0;
    uint8_t *m = kat_mutate(in, len, -1, -1, &cut);
    assert_int_equal(cmc_unsigned_data_decode_der(&ud, m, cut), CMC_E_TRUNCATED);
    free(m);
    m = kat_mutate(in, len, 1, -1, &cut);
    assert_int_equal(cmc_unsigned_data_decode_der(&ud, m, cut), CMC_E_TRAILING);
    free(m);
    free(in);
    in = kat_load("value_unsigned_data_empty_path.der", &len);
    assert_int_equal(cmc_unsigned_data_decode_der(&ud, in, len), CMC_E_EMPTY_LIST);
    free(in);
}

/* Decoding from the ASN1_TYPE of a parsed control gives the same value as from DER. */
static void test_control_value_decode_from_pki_response_control(void **state) {
    (void)state;
    size_t len = 0;
    uint8_t *in = kat_load("pki_response_full.der", &len);
    cmc_pki_response *pr = NULL;
    assert_int_equal(cmc_pki_response_parse(&pr, in, len), CMC_OK);
    const CMC_TAGGED_ATTRIBUTE *c = sk_CMC_TAGGED_ATTRIBUTE_value(pr->controlSequence, 0);
    const cmc_control_info *ci = cmc_control_lookup_obj(c->attrType);
    assert_non_null(ci);
    cmc_control_value *v = NULL;
    assert_int_equal(cmc_control_value_decode(&v, ci->type, sk_ASN1_TYPE_value(c->attrValues, 0)),
                     CMC_OK);
    CMC_STATUS_INFO_V2 *si = v->value;
    int64_t status = -1;
    assert_true(ASN1_INTEGER_get_int64(&status, si->cMCStatus));
    assert_int_equal(status, CMC_STATUS_FAILED);
    cmc_control_value_free(v);
    BIO *b = BIO_new(BIO_s_mem());
    assert_int_equal(CMC_PKI_RESPONSE_print(b, pr, 0), 1);
    char *data = NULL;
    long n = BIO_get_mem_data(b, &data);
    const char *want[] = {
        "statusInfoV2 (id-cmc-25), bodyPartID 1:", "failInfo: badRequest (2)",
        "transactionId (id-cmc-5), bodyPartID 2:", "recipientNonce (id-cmc-7), bodyPartID 3:"};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        if (!bytes_contain(data, n, want[i])) {
            fail_msg("missing \"%s\" in:\n%.*s", want[i], (int)n, data);
        }
    }
    BIO_free(b);
    cmc_pki_response_free(pr);
    free(in);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_control_value_decode_der_every_kat),
        cmocka_unit_test(test_control_value_types_all_covered),
        cmocka_unit_test(test_control_value_decode_survives_byte_flips),
        cmocka_unit_test(test_mod_cert_template_replace_defaults_to_true),
        cmocka_unit_test(test_control_value_decode_der_ex_allows_ber),
        cmocka_unit_test(test_other_status_info_reads_both_forms_writes_tagged),
        cmocka_unit_test(test_change_subject_name_reads_untagged_writes_tagged),
        cmocka_unit_test(test_unsigned_data_decode_der),
        cmocka_unit_test(test_control_value_decode_from_pki_response_control),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
