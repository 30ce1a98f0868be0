/* asn1_oid_test.c: OID registration (spec/CMC.md §3, §13 item 8), the control registry
 * (§3.2) and the names of CMCStatus, CMCFailInfo and CRLReason (§4, §5, §8). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <openssl/objects.h>
#include <pthread.h>
#include <string.h>

#include "internal.h"

static void *init_thread(void *arg) {
    (void)arg;
    return cmc_init() == CMC_OK ? (void *)1 : NULL;
}

static void test_cmc_init_is_thread_safe_and_idempotent(void **state) {
    (void)state;
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_create(&t[i], NULL, init_thread, NULL), 0);
    }
    for (int i = 0; i < 4; i++) {
        void *r = NULL;
        assert_int_equal(pthread_join(t[i], &r), 0);
        assert_non_null(r);
    }
    int nid = cmc_nid_control(CMC_CTRL_STATUS_INFO_V2);
    assert_int_equal(cmc_init(), CMC_OK);
    assert_int_equal(cmc_nid_control(CMC_CTRL_STATUS_INFO_V2), nid);
    /* Registered exactly once: the OID text maps back to the same NID. */
    assert_int_equal(OBJ_txt2nid("1.3.6.1.5.5.7.7.25"), nid);
}

static void test_cmc_nid_control_reuses_openssl_nids(void **state) {
    (void)state;
    assert_int_equal(cmc_init(), CMC_OK);
    assert_int_equal(cmc_nid_control(CMC_CTRL_STATUS_INFO), NID_id_cmc_statusInfo);
    assert_int_equal(cmc_nid_control(CMC_CTRL_REVOKE_REQUEST), NID_id_cmc_revokeRequest);
    assert_int_equal(cmc_nid_control(CMC_CTRL_CONFIRM_CERT_ACCEPTANCE),
                     NID_id_cmc_confirmCertAcceptance);
    assert_int_equal(cmc_nid_cct_pki_data(), NID_id_cct_PKIData);
    assert_int_equal(cmc_nid_cct_pki_response(), NID_id_cct_PKIResponse);
    assert_int_equal(cmc_nid_kp_cmc_ca(), NID_cmcCA);
    assert_int_equal(cmc_nid_kp_cmc_ra(), NID_cmcRA);
    assert_int_equal(cmc_nid_kp_cmc_archive(), NID_cmcArchive);
    assert_int_equal(cmc_nid_control((cmc_control_id)12), NID_undef);
    assert_int_equal(cmc_nid_control((cmc_control_id)38), NID_undef);
}

/* spec/CMC.md §14: we emit identityProofV2 = 34 and popLinkWitnessV2 = 33 (RFC 5272). */
static void test_cmc_init_registers_new_oids_with_names(void **state) {
    (void)state;
    assert_int_equal(cmc_init(), CMC_OK);
    struct {
        int nid;
        const char *oid;
        const char *sn;
    } want[] = {
        {cmc_nid_control(CMC_CTRL_STATUS_INFO_V2), "1.3.6.1.5.5.7.7.25", "id-cmc-statusInfoV2"},
        {cmc_nid_control(CMC_CTRL_POP_LINK_WITNESS_V2), "1.3.6.1.5.5.7.7.33",
         "id-cmc-popLinkWitnessV2"},
        {cmc_nid_control(CMC_CTRL_IDENTITY_PROOF_V2), "1.3.6.1.5.5.7.7.34",
         "id-cmc-identityProofV2"},
        {cmc_nid_control(CMC_CTRL_RESPONSE_BODY), "1.3.6.1.5.5.7.7.37", "id-cmc-responseBody"},
        {cmc_nid_aa_cmc_unsigned_data(), "1.2.840.113549.1.9.16.2.34", "id-aa-cmc-unsignedData"},
        {cmc_nid_ad_cmc(), "1.3.6.1.5.5.7.48.12", "id-ad-cmc"},
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        assert_int_not_equal(want[i].nid, NID_undef);
        assert_string_equal(OBJ_nid2sn(want[i].nid), want[i].sn);
        assert_non_null(OBJ_nid2ln(want[i].nid));
        char buf[64];
        assert_true(OBJ_obj2txt(buf, sizeof(buf), OBJ_nid2obj(want[i].nid), 1) > 0);
        assert_string_equal(buf, want[i].oid);
        assert_int_equal(OBJ_sn2nid(want[i].sn), want[i].nid);
    }
}

static void test_cmc_control_number_reads_id_cmc_arc(void **state) {
    (void)state;
    ASN1_OBJECT *o = OBJ_txt2obj("1.3.6.1.5.5.7.7.17", 1);
    assert_int_equal(cmc_control_number(o), 17);
    ASN1_OBJECT_free(o);
    o = OBJ_txt2obj("1.3.6.1.5.5.7.12.2", 1);
    assert_int_equal(cmc_control_number(o), -1);
    ASN1_OBJECT_free(o);
    o = OBJ_txt2obj("1.3.6.1.5.5.7.7.200", 1);
    assert_int_equal(cmc_control_number(o), -1);
    ASN1_OBJECT_free(o);
    assert_int_equal(cmc_control_number(NULL), -1);
}

static void test_cmc_control_lookup_follows_spec_table(void **state) {
    (void)state;
    assert_int_equal(cmc_control_count(), 33);
    int prev = 0;
    for (size_t i = 0; i < cmc_control_count(); i++) {
        const cmc_control_info *c = cmc_control_at(i);
        assert_non_null(c);
        assert_true((int)c->id > prev);
        prev = (int)c->id;
        assert_ptr_equal(cmc_control_lookup((int)c->id), c);
        assert_true(c->type < CMC_VT_COUNT);
        assert_non_null(c->rfc_section);
        assert_true(c->where != 0);
    }
    assert_null(cmc_control_at(cmc_control_count()));
    const int unassigned[] = {0, 12, 13, 14, 20, 38, -1};
    for (size_t i = 0; i < sizeof(unassigned) / sizeof(unassigned[0]); i++) {
        assert_null(cmc_control_lookup(unassigned[i]));
    }
    const cmc_control_info *rr = cmc_control_lookup(CMC_CTRL_REVOKE_REQUEST);
    assert_string_equal(rr->name, "revokeRequest");
    assert_int_equal(rr->type, CMC_VT_REVOKE_REQUEST);
    assert_string_equal(rr->rfc_section, "RFC 5272 §6.11");
    assert_int_equal(cmc_control_lookup(33)->type, CMC_VT_POP_LINK_WITNESS_V2);
    assert_int_equal(cmc_control_lookup(34)->type, CMC_VT_IDENTITY_PROOF_V2);
    assert_int_equal(cmc_control_lookup(27)->type, CMC_VT_BODY_PART_ID);
    assert_int_equal(cmc_control_lookup(35)->type, CMC_VT_BODY_PART_PATH);
    assert_int_equal(cmc_control_lookup(37)->where, CMC_CTRL_IN_PKI_RESPONSE);
    ASN1_OBJECT *o = OBJ_txt2obj("1.3.6.1.5.5.7.7.25", 1);
    assert_ptr_equal(cmc_control_lookup_obj(o), cmc_control_lookup(25));
    ASN1_OBJECT_free(o);
    o = OBJ_txt2obj("1.3.6.1.5.5.7.7.12", 1);
    assert_null(cmc_control_lookup_obj(o));
    ASN1_OBJECT_free(o);
}

static void test_cmc_status_and_fail_info_names(void **state) {
    (void)state;
    assert_string_equal(cmc_cmc_status_name(0), "success");
    assert_null(cmc_cmc_status_name(1));
    assert_string_equal(cmc_cmc_status_name(2), "failed");
    assert_string_equal(cmc_cmc_status_name(7), "partial");
    assert_null(cmc_cmc_status_name(8));
    assert_null(cmc_cmc_status_name(-1));
    assert_int_equal(cmc_cmc_status_from_name("confirmRequired"), 5);
    assert_int_equal(cmc_cmc_status_from_name("reserved"), -1);
    assert_string_equal(cmc_fail_info_name(1), "badMessageCheck");
    assert_string_equal(cmc_fail_info_name(5), "unsupportedExt");
    assert_string_equal(cmc_fail_info_name(13), "authDataFail");
    assert_null(cmc_fail_info_name(14));
    assert_null(cmc_fail_info_name(1000));
    assert_int_equal(cmc_fail_info_from_name("unsuportedExt"), 5);
    assert_int_equal(cmc_fail_info_from_name("unsupportedExt"), 5);
    assert_int_equal(cmc_fail_info_from_name("tryLater"), 12);
    assert_int_equal(cmc_fail_info_from_name(NULL), -1);
}

static void test_cmc_crl_reason_names(void **state) {
    (void)state;
    assert_string_equal(cmc_crl_reason_name(0), "unspecified");
    assert_string_equal(cmc_crl_reason_name(1), "keyCompromise");
    assert_string_equal(cmc_crl_reason_name(6), "certificateHold");
    assert_null(cmc_crl_reason_name(7));
    assert_string_equal(cmc_crl_reason_name(8), "removeFromCRL");
    assert_string_equal(cmc_crl_reason_name(10), "aACompromise");
    assert_null(cmc_crl_reason_name(11));
    assert_null(cmc_crl_reason_name(-1));
    assert_int_equal(cmc_crl_reason_from_name("cessationOfOperation"), 5);
    assert_int_equal(cmc_crl_reason_from_name("bogus"), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cmc_init_is_thread_safe_and_idempotent),
        cmocka_unit_test(test_cmc_nid_control_reuses_openssl_nids),
        cmocka_unit_test(test_cmc_init_registers_new_oids_with_names),
        cmocka_unit_test(test_cmc_control_number_reads_id_cmc_arc),
        cmocka_unit_test(test_cmc_control_lookup_follows_spec_table),
        cmocka_unit_test(test_cmc_status_and_fail_info_names),
        cmocka_unit_test(test_cmc_crl_reason_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
