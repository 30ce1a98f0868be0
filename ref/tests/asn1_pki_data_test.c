/* asn1_pki_data_test.c: PKIData / PKIResponse decoding (RFC 5272 §3.2, §4.2) and the body
 * part rules of §3.2.2, on known-answer bytes from ref/tests/kat/ (openssl -genconf). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "kat/kat.h"

typedef cmc_status (*parse_fn)(void **out, const uint8_t *in, size_t in_len);

static cmc_status parse_pd(void **out, const uint8_t *in, size_t in_len) {
    return cmc_pki_data_parse((cmc_pki_data **)out, in, in_len);
}

static cmc_status parse_pr(void **out, const uint8_t *in, size_t in_len) {
    return cmc_pki_response_parse((cmc_pki_response **)out, in, in_len);
}

/* Parse the KAT file |name| and expect |want|; on CMC_OK return the object. */
static void *expect_kat(const char *name, parse_fn fn, cmc_status want) {
    size_t len = 0;
    uint8_t *der = kat_load(name, &len);
    assert_non_null(der);
    void *obj = NULL;
    assert_int_equal(fn(&obj, der, len), want);
    if (want != CMC_OK) {
        assert_null(obj);
    }
    free(der);
    return obj;
}

static void test_pki_data_parse_full_kat_reads_every_element(void **state) {
    (void)state;
    size_t len = 0;
    uint8_t *in = kat_load("pki_data_full.der", &len);
    assert_non_null(in);
    cmc_pki_data *pd = NULL;
    assert_int_equal(cmc_pki_data_parse(&pd, in, len), CMC_OK);
    assert_int_equal(sk_CMC_TAGGED_ATTRIBUTE_num(pd->controlSequence), 2);
    assert_int_equal(sk_CMC_TAGGED_REQUEST_num(pd->reqSequence), 3);
    assert_int_equal(sk_CMC_TAGGED_CONTENT_INFO_num(pd->cmsSequence), 1);
    assert_int_equal(sk_CMC_OTHER_MSG_num(pd->otherMsgSequence), 1);
    const CMC_TAGGED_ATTRIBUTE *c0 = sk_CMC_TAGGED_ATTRIBUTE_value(pd->controlSequence, 0);
    assert_int_equal(cmc_control_number(c0->attrType), CMC_CTRL_TRANSACTION_ID);
    int64_t txid = 0;
    const ASN1_TYPE *v = sk_ASN1_TYPE_value(c0->attrValues, 0);
    assert_int_equal(ASN1_TYPE_get(v), V_ASN1_INTEGER);
    assert_true(ASN1_INTEGER_get_int64(&txid, v->value.integer));
    assert_true(txid == 0x0102030405LL);
    const int want_type[] = {CMC_TAGGED_REQUEST_TCR, CMC_TAGGED_REQUEST_CRM,
                             CMC_TAGGED_REQUEST_ORM};
    for (int i = 0; i < 3; i++) {
        const CMC_TAGGED_REQUEST *tr = sk_CMC_TAGGED_REQUEST_value(pd->reqSequence, i);
        assert_int_equal(tr->type, want_type[i]);
        uint32_t id = 0;
        assert_int_equal(cmc_tagged_request_body_part_id(&id, tr), CMC_OK);
        assert_int_equal(id, 3 + i);
    }
    const CMC_TAGGED_REQUEST *tcr = sk_CMC_TAGGED_REQUEST_value(pd->reqSequence, 0);
    X509_NAME *subj = X509_REQ_get_subject_name(tcr->value.tcr->certificationRequest);
    char cn[64];
    assert_int_equal(X509_NAME_get_text_by_NID(subj, NID_commonName, cn, sizeof(cn)), 10);
    assert_string_equal(cn, "kat client");
    const CMC_TAGGED_CONTENT_INFO *tci = sk_CMC_TAGGED_CONTENT_INFO_value(pd->cmsSequence, 0);
    assert_int_equal(OBJ_obj2nid(CMS_get0_type(tci->contentInfo)), NID_pkcs7_data);

    uint8_t *out = NULL;
    size_t out_len = 0;
    assert_int_equal(cmc_pki_data_to_der(pd, &out, &out_len), CMC_OK);
    assert_int_equal(out_len, len);
    assert_memory_equal(out, in, len);
    cmc_free(out);
    cmc_pki_data_free(pd);
    free(in);
}

static void test_pki_data_parse_empty_kat_matches_cheat_sheet(void **state) {
    (void)state;
    static const uint8_t kEmpty[] = {0x30, 0x08, 0x30, 0x00, 0x30, 0x00, 0x30, 0x00, 0x30, 0x00};
    size_t len = 0;
    uint8_t *in = kat_load("pki_data_empty.der", &len);
    assert_non_null(in);
    assert_int_equal(len, sizeof(kEmpty));
    assert_memory_equal(in, kEmpty, len);
    cmc_pki_data *pd = NULL;
    assert_int_equal(cmc_pki_data_parse(&pd, in, len), CMC_OK);
    uint8_t *out = NULL;
    size_t out_len = 0;
    assert_int_equal(cmc_pki_data_to_der(pd, &out, &out_len), CMC_OK);
    assert_int_equal(out_len, len);
    assert_memory_equal(out, kEmpty, len);
    cmc_free(out);
    cmc_pki_data_free(pd);
    free(in);
}

/* Every strict prefix of the full KAT is rejected as truncated, and never crashes. */
static void test_pki_data_parse_rejects_every_truncation(void **state) {
    (void)state;
    size_t len = 0;
    uint8_t *in = kat_load("pki_data_full.der", &len);
    assert_non_null(in);
    for (size_t n = 1; n < len; n++) {
        uint8_t *cut = kat_mutate(in, len, -(long)(len - n), -1, &n);
        cmc_pki_data *pd = NULL;
        assert_int_equal(cmc_pki_data_parse(&pd, cut, n), CMC_E_TRUNCATED);
        assert_null(pd);
        free(cut);
    }
    cmc_pki_data *pd = NULL;
    assert_int_equal(cmc_pki_data_parse(&pd, in, 0), CMC_E_TRUNCATED);
    free(in);
}

static void test_pki_data_parse_rejects_trailing_byte(void **state) {
    (void)state;
    size_t len = 0;
    uint8_t *in = kat_load("pki_data_full.der", &len);
    assert_non_null(in);
    size_t n = 0;
    uint8_t *more = kat_mutate(in, len, 1, -1, &n);
    cmc_pki_data *pd = NULL;
    assert_int_equal(cmc_pki_data_parse(&pd, more, n), CMC_E_TRAILING);
    assert_null(pd);
    free(more);
    free(in);
}

static void test_pki_data_parse_rejects_wrong_outer_tag(void **state) {
    (void)state;
    size_t len = 0;
    uint8_t *in = kat_load("pki_data_full.der", &len);
    assert_non_null(in);
    size_t n = 0;
    uint8_t *set = kat_mutate(in, len, 0, 0x31, &n);
    cmc_pki_data *pd = NULL;
    assert_int_equal(cmc_pki_data_parse(&pd, set, n), CMC_E_TAG);
    assert_null(pd);
    free(set);
    free(in);
}

static void test_pki_data_parse_rejects_unknown_request_choice(void **state) {
    (void)state;
    expect_kat("pki_data_wrong_choice.der", parse_pd, CMC_E_TAG);
}

static void test_pki_data_parse_rejects_negative_body_part_id(void **state) {
    (void)state;
    expect_kat("pki_data_bpid_negative.der", parse_pd, CMC_E_BODY_PART_RANGE);
}

static void test_pki_data_parse_rejects_body_part_id_2p32(void **state) {
    (void)state;
    expect_kat("pki_data_bpid_2p32.der", parse_pd, CMC_E_BODY_PART_RANGE);
}

static void test_pki_data_parse_rejects_crm_cert_req_id_2p32(void **state) {
    (void)state;
    expect_kat("pki_data_crm_2p32.der", parse_pd, CMC_E_BODY_PART_RANGE);
}

static void test_pki_data_parse_accepts_body_id_max(void **state) {
    (void)state;
    cmc_pki_data *pd = expect_kat("pki_data_bpid_max.der", parse_pd, CMC_OK);
    uint32_t id = 0;
    const CMC_TAGGED_ATTRIBUTE *c0 = sk_CMC_TAGGED_ATTRIBUTE_value(pd->controlSequence, 0);
    assert_int_equal(cmc_body_part_id_get(&id, c0->bodyPartID), CMC_OK);
    assert_true(id == 4294967295u);
    cmc_pki_data_free(pd);
}

static void test_pki_data_parse_rejects_body_part_id_zero(void **state) {
    (void)state;
    expect_kat("pki_data_bpid_zero.der", parse_pd, CMC_E_BODY_PART_ZERO);
}

static void test_pki_data_parse_rejects_duplicate_across_sequences(void **state) {
    (void)state;
    expect_kat("pki_data_bpid_dup.der", parse_pd, CMC_E_BODY_PART_DUP);
}

static void test_pki_data_parse_rejects_crm_id_duplicating_control(void **state) {
    (void)state;
    expect_kat("pki_data_crm_dup.der", parse_pd, CMC_E_BODY_PART_DUP);
}

static void test_pki_data_parse_rejects_oversized_input(void **state) {
    (void)state;
    uint8_t *big = calloc(1, CMC_MAX_MESSAGE_BYTES + 1);
    assert_non_null(big);
    big[0] = 0x30;
    cmc_pki_data *pd = NULL;
    assert_int_equal(cmc_pki_data_parse(&pd, big, CMC_MAX_MESSAGE_BYTES + 1), CMC_E_LIMIT);
    assert_null(pd);
    free(big);
}

/* CMC_MAX_BODY_PARTS + 1 otherMsg elements (IDs 0x101..0x201): CMC_E_LIMIT. */
static void test_pki_data_parse_rejects_too_many_body_parts(void **state) {
    (void)state;
    const size_t n = CMC_MAX_BODY_PARTS + 1;
    const size_t elem = 11; /* 30 09 02 02 hi lo 06 01 2A 05 00 */
    size_t inner = n * elem;
    size_t len = 4 + 6 + 4 + inner;
    uint8_t *buf = malloc(len);
    assert_non_null(buf);
    size_t o = 0;
    buf[o++] = 0x30;
    buf[o++] = 0x82;
    buf[o++] = (uint8_t)((len - 4) >> 8);
    buf[o++] = (uint8_t)(len - 4);
    for (int i = 0; i < 3; i++) {
        buf[o++] = 0x30;
        buf[o++] = 0x00;
    }
    buf[o++] = 0x30;
    buf[o++] = 0x82;
    buf[o++] = (uint8_t)(inner >> 8);
    buf[o++] = (uint8_t)inner;
    for (size_t i = 1; i <= n; i++) {
        const size_t id = 0x100 + i; /* two-octet minimal INTEGER */
        const uint8_t e[] = {0x30, 0x09, 0x02, 0x02, (uint8_t)(id >> 8), (uint8_t)id, 0x06,
                             0x01, 0x2A, 0x05, 0x00};
        memcpy(buf + o, e, sizeof(e));
        o += sizeof(e);
    }
    assert_int_equal(o, len);
    cmc_pki_data *pd = NULL;
    assert_int_equal(cmc_pki_data_parse(&pd, buf, len), CMC_E_LIMIT);
    assert_null(pd);
    free(buf);
}

/* BER indefinite length for the outer SEQUENCE: not DER unless CMC_PARSE_ALLOW_BER. */
static void test_pki_data_parse_rejects_ber_unless_allowed(void **state) {
    (void)state;
    static const uint8_t kBer[] = {0x30, 0x80, 0x30, 0x00, 0x30, 0x00,
                                   0x30, 0x00, 0x30, 0x00, 0x00, 0x00};
    cmc_pki_data *pd = NULL;
    assert_int_equal(cmc_pki_data_parse(&pd, kBer, sizeof(kBer)), CMC_E_NOT_DER);
    assert_null(pd);
    assert_int_equal(cmc_pki_data_parse_ex(&pd, kBer, sizeof(kBer), CMC_PARSE_ALLOW_BER), CMC_OK);
    assert_non_null(pd);
    cmc_pki_data_free(pd);
}

static void test_pki_data_parse_rejects_null_arguments(void **state) {
    (void)state;
    static const uint8_t kEmpty[] = {0x30, 0x08, 0x30, 0x00, 0x30, 0x00, 0x30, 0x00, 0x30, 0x00};
    assert_int_equal(cmc_pki_data_parse(NULL, kEmpty, sizeof(kEmpty)), CMC_E_ARG);
    cmc_pki_data *pd = NULL;
    assert_int_equal(cmc_pki_data_parse(&pd, NULL, 10), CMC_E_ARG);
    cmc_pki_data_free(NULL);
    cmc_pki_response_free(NULL);
}

static void test_pki_response_parse_full_kat_reencodes_exactly(void **state) {
    (void)state;
    size_t len = 0;
    uint8_t *in = kat_load("pki_response_full.der", &len);
    assert_non_null(in);
    cmc_pki_response *pr = NULL;
    assert_int_equal(cmc_pki_response_parse(&pr, in, len), CMC_OK);
    assert_int_equal(sk_CMC_TAGGED_ATTRIBUTE_num(pr->controlSequence), 3);
    const CMC_TAGGED_ATTRIBUTE *c0 = sk_CMC_TAGGED_ATTRIBUTE_value(pr->controlSequence, 0);
    assert_int_equal(cmc_control_number(c0->attrType), CMC_CTRL_STATUS_INFO_V2);
    uint8_t *out = NULL;
    size_t out_len = 0;
    assert_int_equal(cmc_pki_response_to_der(pr, &out, &out_len), CMC_OK);
    assert_int_equal(out_len, len);
    assert_memory_equal(out, in, len);
    cmc_free(out);
    cmc_pki_response_free(pr);
    free(in);
}

static void test_pki_response_parse_rejects_truncation_trailing_and_tag(void **state) {
    (void)state;
    size_t len = 0;
    uint8_t *in = kat_load("pki_response_full.der", &len);
    assert_non_null(in);
    size_t n = 0;
    cmc_pki_response *pr = NULL;
    uint8_t *m = kat_mutate(in, len, -1, -1, &n);
    assert_int_equal(cmc_pki_response_parse(&pr, m, n), CMC_E_TRUNCATED);
    free(m);
    m = kat_mutate(in, len, 2, -1, &n);
    assert_int_equal(cmc_pki_response_parse(&pr, m, n), CMC_E_TRAILING);
    free(m);
    m = kat_mutate(in, len, 0, 0xA0, &n);
    assert_int_equal(cmc_pki_response_parse(&pr, m, n), CMC_E_TAG);
    free(m);
    assert_null(pr);
    /* A PKIData is not a PKIResponse (four SEQUENCEs where three are expected). */
    m = kat_load("pki_data_empty.der", &n);
    assert_int_not_equal(cmc_pki_response_parse(&pr, m, n), CMC_OK);
    assert_null(pr);
    free(m);
    free(in);
}

static void test_pki_response_parse_rejects_duplicate_body_part_id(void **state) {
    (void)state;
    expect_kat("pki_response_bpid_dup.der", parse_pr, CMC_E_BODY_PART_DUP);
}

static void test_pki_response_parse_rejects_bad_body_part_ids(void **state) {
    (void)state;
    expect_kat("pki_response_bpid_negative.der", parse_pr, CMC_E_BODY_PART_RANGE);
    expect_kat("pki_response_bpid_2p32.der", parse_pr, CMC_E_BODY_PART_RANGE);
    expect_kat("pki_response_bpid_zero.der", parse_pr, CMC_E_BODY_PART_ZERO);
}

/* Every single-byte corruption of the full KATs fails with a status or parses into a
 * structure that prints and re-encodes byte for byte (DER-strict parse). */
static void test_pki_parse_survives_byte_flips(void **state) {
    (void)state;
    const char *kats[] = {"pki_data_full.der", "pki_response_full.der"};
    BIO *b = BIO_new(BIO_s_mem());
    for (int r = 0; r < 2; r++) {
        size_t len = 0;
        uint8_t *in = kat_load(kats[r], &len);
        assert_non_null(in);
        for (size_t k = 0; k < len; k++) {
            uint8_t saved = in[k];
            in[k] ^= 0x01;
            void *v = NULL;
            uint8_t *der = NULL;
            size_t der_len = 0;
            if (r == 0 && cmc_pki_data_parse((cmc_pki_data **)&v, in, len) == CMC_OK) {
                assert_int_equal(CMC_PKI_DATA_print(b, v, 0), 1);
                assert_int_equal(cmc_pki_data_to_der(v, &der, &der_len), CMC_OK);
                cmc_pki_data_free(v);
            } else if (r == 1 &&
                       cmc_pki_response_parse((cmc_pki_response **)&v, in, len) == CMC_OK) {
                assert_int_equal(CMC_PKI_RESPONSE_print(b, v, 0), 1);
                assert_int_equal(cmc_pki_response_to_der(v, &der, &der_len), CMC_OK);
                cmc_pki_response_free(v);
            }
            if (der != NULL) {
                assert_int_equal(der_len, len);
                assert_memory_equal(der, in, len);
                cmc_free(der);
            }
            (void)BIO_reset(b);
            in[k] = saved;
        }
        free(in);
    }
    BIO_free(b);
}

static void test_body_part_id_get_checks_range(void **state) {
    (void)state;
    ASN1_INTEGER *a = ASN1_INTEGER_new();
    uint32_t v = 7;
    assert_true(ASN1_INTEGER_set_int64(a, -1));
    assert_int_equal(cmc_body_part_id_get(&v, a), CMC_E_BODY_PART_RANGE);
    assert_true(ASN1_INTEGER_set_uint64(a, 4294967296ULL));
    assert_int_equal(cmc_body_part_id_get(&v, a), CMC_E_BODY_PART_RANGE);
    assert_true(ASN1_INTEGER_set_uint64(a, 4294967295ULL));
    assert_int_equal(cmc_body_part_id_get(&v, a), CMC_OK);
    assert_true(v == 4294967295u);
    assert_true(ASN1_INTEGER_set_uint64(a, 0));
    assert_int_equal(cmc_body_part_id_get(&v, a), CMC_OK);
    assert_int_equal(v, 0);
    assert_int_equal(cmc_body_part_id_get(NULL, a), CMC_E_ARG);
    ASN1_INTEGER_free(a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pki_data_parse_full_kat_reads_every_element),
        cmocka_unit_test(test_pki_data_parse_empty_kat_matches_cheat_sheet),
        cmocka_unit_test(test_pki_data_parse_rejects_every_truncation),
        cmocka_unit_test(test_pki_data_parse_rejects_trailing_byte),
        cmocka_unit_test(test_pki_data_parse_rejects_wrong_outer_tag),
        cmocka_unit_test(test_pki_data_parse_rejects_unknown_request_choice),
        cmocka_unit_test(test_pki_data_parse_rejects_negative_body_part_id),
        cmocka_unit_test(test_pki_data_parse_rejects_body_part_id_2p32),
        cmocka_unit_test(test_pki_data_parse_rejects_crm_cert_req_id_2p32),
        cmocka_unit_test(test_pki_data_parse_accepts_body_id_max),
        cmocka_unit_test(test_pki_data_parse_rejects_body_part_id_zero),
        cmocka_unit_test(test_pki_data_parse_rejects_duplicate_across_sequences),
        cmocka_unit_test(test_pki_data_parse_rejects_crm_id_duplicating_control),
        cmocka_unit_test(test_pki_data_parse_rejects_oversized_input),
        cmocka_unit_test(test_pki_data_parse_rejects_too_many_body_parts),
        cmocka_unit_test(test_pki_data_parse_rejects_ber_unless_allowed),
        cmocka_unit_test(test_pki_data_parse_rejects_null_arguments),
        cmocka_unit_test(test_pki_response_parse_full_kat_reencodes_exactly),
        cmocka_unit_test(test_pki_response_parse_rejects_truncation_trailing_and_tag),
        cmocka_unit_test(test_pki_response_parse_rejects_duplicate_body_part_id),
        cmocka_unit_test(test_pki_response_parse_rejects_bad_body_part_ids),
        cmocka_unit_test(test_pki_parse_survives_byte_flips),
        cmocka_unit_test(test_body_part_id_get_checks_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
