/* asn1_element_test.c: the elements of PKIData/PKIResponse and of CMCStatusInfoV2 decoded on
 * their own (RFC 5272 §3.2, §6.1.1): TaggedAttribute, TaggedCertificationRequest,
 * TaggedRequest (tcr, crm, orm), TaggedContentInfo, OtherMsg, BodyPartReference (both arms),
 * PendInfo and ExtendedFailInfo. Known-answer bytes from ref/tests/kat/ (openssl -genconf);
 * byte-exact re-encoding; every truncation, a trailing byte and a wrong outer tag rejected
 * with the exact status. (Their BodyPartID rules are enforced where they sit, in PKIData /
 * PKIResponse and the control values: asn1_pki_data_test, asn1_value_test.) */
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
    const char *kat;
    const ASN1_ITEM *(*item)(void);
    uint8_t outer_id;
    int (*print)(BIO *out, const void *x, int indent);
    const char *text; /* substring the print function must write */
} element_case;

#define PRINTER(t) ((int (*)(BIO *, const void *, int))t##_print)

static void run_case(const element_case *c) {
    size_t len = 0;
    uint8_t *in = kat_require(c->kat, &len);
    const ASN1_ITEM *it = c->item();
    void *v = NULL;
    cmc_status st = cmc_item_parse(&v, it, in, len, c->outer_id, 0);
    if (st != CMC_OK) {
        fail_msg("%s: got %s", c->kat, cmc_status_name(st));
    }
    uint8_t *der = NULL;
    size_t der_len = 0;
    assert_int_equal(cmc_item_to_der(&der, &der_len, v, it), CMC_OK);
    if (der_len != len || memcmp(der, in, len) != 0) {
        fail_msg("%s: re-encoding differs", c->kat);
    }
    cmc_free(der);
    BIO *b = BIO_new(BIO_s_mem());
    assert_int_equal(c->print(b, v, 0), 1);
    assert_int_equal(BIO_write(b, "", 1), 1);
    char *text = NULL;
    BIO_get_mem_data(b, &text);
    if (strstr(text, c->text) == NULL) {
        fail_msg("%s: output lacks \"%s\":\n%s", c->kat, c->text, text);
    }
    BIO_free(b);
    ASN1_item_free(v, it);
    for (size_t n = 0; n < len; n++) {
        size_t cut_len = 0;
        uint8_t *cut = kat_mutate(in, len, -(long)(len - n), -1, &cut_len);
        v = NULL;
        st = cmc_item_parse(&v, it, cut, cut_len, c->outer_id, 0);
        if (st != CMC_E_TRUNCATED) {
            fail_msg("%s cut to %zu bytes: got %s", c->kat, n, cmc_status_name(st));
        }
        free(cut);
    }
    size_t m_len = 0;
    uint8_t *m = kat_mutate(in, len, 1, -1, &m_len);
    assert_int_equal(cmc_item_parse(&v, it, m, m_len, c->outer_id, 0), CMC_E_TRAILING);
    free(m);
    m = kat_mutate(in, len, 0, in[0] ^ 0x01, &m_len);
    assert_int_equal(cmc_item_parse(&v, it, m, m_len, c->outer_id, 0), CMC_E_TAG);
    free(m);
    assert_null(v);
    free(in);
}

static int print_ref(BIO *out, const void *x, int indent) {
    /* BodyPartReference prints inline; end the line for the check. */
    return CMC_BODY_PART_REFERENCE_print(out, x, indent) && BIO_puts(out, "\n") > 0;
}

static const element_case kCases[] = {
    {"element_tagged_attribute", CMC_TAGGED_ATTRIBUTE_it, 0x30, PRINTER(CMC_TAGGED_ATTRIBUTE),
     "transactionId (id-cmc-5), bodyPartID 1:\n  7"},
    {"element_tagged_cert_request", CMC_TAGGED_CERT_REQUEST_it, 0x30,
     PRINTER(CMC_TAGGED_CERT_REQUEST), "subject: CN=kat client"},
    {"element_tagged_request_tcr", CMC_TAGGED_REQUEST_it, 0xA0, PRINTER(CMC_TAGGED_REQUEST),
     "tcr (PKCS #10):\n  bodyPartID: 3"},
    {"element_tagged_request_crm", CMC_TAGGED_REQUEST_it, 0xA1, PRINTER(CMC_TAGGED_REQUEST),
     "certReqId: 4"},
    {"element_tagged_request_crm_controls", CMC_TAGGED_REQUEST_it, 0xA1,
     PRINTER(CMC_TAGGED_REQUEST),
     "controls:\n    popLinkWitnessV2 (id-cmc-33):\n      keyGenAlgorithm: SHA256"},
    {"element_tagged_cert_request_attrs", CMC_TAGGED_CERT_REQUEST_it, 0x30,
     PRINTER(CMC_TAGGED_CERT_REQUEST),
     "attributes: 1\n  id-cmc-changeSubjectName (1.3.6.1.5.5.7.7.36)\n    subjectAlt: "
     "DNS:new.example"},
    {"element_tagged_request_orm", CMC_TAGGED_REQUEST_it, 0xA2, PRINTER(CMC_TAGGED_REQUEST),
     "requestMessageType: 1.2.3.4"},
    {"element_tagged_content_info", CMC_TAGGED_CONTENT_INFO_it, 0x30,
     PRINTER(CMC_TAGGED_CONTENT_INFO), "contentType: pkcs7-data"},
    {"element_other_msg", CMC_OTHER_MSG_it, 0x30, PRINTER(CMC_OTHER_MSG),
     "otherMsgValue: \"other\""},
    {"element_body_part_reference_id", CMC_BODY_PART_REFERENCE_it, 0x02, print_ref, "9\n"},
    {"element_body_part_reference_path", CMC_BODY_PART_REFERENCE_it, 0x30, print_ref, "path 2/9\n"},
    {"element_pend_info", CMC_PEND_INFO_it, 0x30, PRINTER(CMC_PEND_INFO),
     "pendTime: 2026-07-01 00:00:00Z"},
    {"element_extended_fail_info", CMC_EXTENDED_FAIL_INFO_it, 0x30, PRINTER(CMC_EXTENDED_FAIL_INFO),
     "failInfoOID: 1.2.3.99"},
};

static void test_element_decode_every_kat(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof(kCases) / sizeof(kCases[0]); i++) {
        run_case(&kCases[i]);
    }
}

/* A TaggedRequest is read by its IMPLICIT tag: a tcr KAT relabelled [2] is not an orm. */
static void test_tagged_request_rejects_tcr_under_orm_tag(void **state) {
    (void)state;
    size_t len = 0;
    uint8_t *in = kat_load("element_tagged_request_tcr.der", &len);
    in[0] = 0xA2;
    void *v = NULL;
    assert_int_equal(cmc_item_parse(&v, CMC_TAGGED_REQUEST_it(), in, len, 0xA2, 0), CMC_E_TAG);
    assert_null(v);
    free(in);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_element_decode_every_kat),
        cmocka_unit_test(test_tagged_request_rejects_tcr_under_orm_tag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
