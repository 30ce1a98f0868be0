/* Targets: TaggedRequest (RFC 5272 §3.2.1.2): tcr [0] (PKCS #10), crm [1] (CRMF CertReqMsg,
 * RFC 4211) and orm [2], decoded with the PKIData templates: cmc_item_parse
 * (CMC_TAGGED_REQUEST, strict DER), cmc_tagged_request_body_part_id (certReqId read from
 * the DER, full 0..2^32-1 range), cmc_crm_cert_req_id, CMC_TAGGED_REQUEST_print,
 * cmc_print_crmf_msg, and the POP checks of both request kinds.
 * Oracles: an accepted input re-encodes byte for byte; the body part ID of a crm equals its
 * certReqId; print never fails on a decoded request.
 * Seeds: fuzz/corpus/tagged_request/ (named by content hash). max_len: 8192.
 * Dictionary: fuzz/dict/cmc.dict. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crmf.h>
#include <openssl/err.h>

#include "cmc/cmc.h"
#include "fuzz_common.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    fuzz_warm_up("tagged_request", LLVMFuzzerTestOneInput, NULL, 0);
    return 0;
}

static void check_crm(const OSSL_CRMF_MSG *crm, uint32_t bpid, cmc_status bpid_st) {
    ASN1_INTEGER *id = NULL;
    if (cmc_crm_cert_req_id(&id, crm) == CMC_OK) {
        uint32_t v = 0;
        cmc_status st = cmc_body_part_id_get(&v, id);
        fuzz_check(st == bpid_st && (st != CMC_OK || v == bpid),
                   "crm body part ID differs from its certReqId");
        ASN1_INTEGER_free(id);
    }
    fuzz_check(cmc_print_crmf_msg(fuzz_null_bio(), crm, 2) == 1, "cmc_print_crmf_msg");
    /* POP (spec/CMC.md §13 item 18): OSSL_CRMF_MSGS_verify_popo takes a stack + index. */
    OSSL_CRMF_MSGS *msgs = sk_OSSL_CRMF_MSG_new_null();
    OSSL_CRMF_MSG *copy = OSSL_CRMF_MSG_dup(crm);
    if (msgs != NULL && copy != NULL && sk_OSSL_CRMF_MSG_push(msgs, copy)) {
        copy = NULL;
        (void)OSSL_CRMF_MSGS_verify_popo(msgs, OSSL_CRMF_MSG_get_certReqId(crm), 0, NULL, NULL);
    }
    OSSL_CRMF_MSG_free(copy);
    sk_OSSL_CRMF_MSG_pop_free(msgs, OSSL_CRMF_MSG_free);
}

static int one_input(const uint8_t *data, size_t size) {
    fuzz_init();
    if (size < 1 || (data[0] != 0xA0 && data[0] != 0xA1 && data[0] != 0xA2)) {
        return 0;
    }
    void *v = NULL;
    if (cmc_item_parse(&v, ASN1_ITEM_rptr(CMC_TAGGED_REQUEST), data, size, data[0], 0) != CMC_OK) {
        ERR_clear_error();
        cmc_error_clear();
        return 0;
    }
    CMC_TAGGED_REQUEST *tr = v;
    uint8_t *der = NULL;
    size_t der_len = 0;
    fuzz_check(cmc_item_to_der(&der, &der_len, tr, ASN1_ITEM_rptr(CMC_TAGGED_REQUEST)) == CMC_OK,
               "to_der of a parsed TaggedRequest");
    fuzz_check(der_len == size && memcmp(der, data, size) == 0,
               "accepted TaggedRequest does not re-encode byte for byte");
    cmc_free(der);
    fuzz_check(CMC_TAGGED_REQUEST_print(fuzz_null_bio(), tr, 0) == 1, "TaggedRequest print");
    uint32_t bpid = 0;
    cmc_status bpid_st = cmc_tagged_request_body_part_id(&bpid, tr);
    if (tr->type == CMC_TAGGED_REQUEST_CRM) {
        check_crm(tr->value.crm, bpid, bpid_st);
    } else if (tr->type == CMC_TAGGED_REQUEST_TCR) {
        X509_REQ *req = tr->value.tcr->certificationRequest;
        EVP_PKEY *key = X509_REQ_get0_pubkey(req);
        if (key != NULL) {
            (void)X509_REQ_verify(req, key);
        }
    }
    CMC_TAGGED_REQUEST_free(tr);
    ERR_clear_error();
    cmc_error_clear();
    return 0;
}

FUZZ_ISOLATED_ENTRY(one_input)
