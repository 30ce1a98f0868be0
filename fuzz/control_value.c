/* Targets: every control value type through the control registry: cmc_control_at,
 * cmc_control_value_decode_der, cmc_control_value_to_der, cmc_control_value_print,
 * cmc_print_control (a TaggedAttribute built around the value), and the CMCUnsignedData
 * attribute reader cmc_unsigned_data_decode_der.
 * Input: byte 0 picks the registry entry (byte % cmc_control_count(); the entry's value
 * type is the decoder), the rest is the DER value.
 * Oracles: an accepted value re-encodes byte for byte, except a tolerated legacy form
 * (legacy_form = 1), whose preferred re-encoding must decode again, non-legacy, to itself;
 * printing never fails on a decoded value.
 * Seeds: fuzz/corpus/control_value/ (named by content hash). max_len: 4096.
 * Dictionary: fuzz/dict/cmc.dict. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "cmc/cmc.h"
#include "fuzz_common.h"
#include "internal.h"

/* transactionId (id-cmc-5) = INTEGER 1, with the registry index found at start-up. */
static uint8_t kSeed[] = {0x00, 0x02, 0x01, 0x01};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    fuzz_init();
    for (size_t i = 0; i < cmc_control_count(); i++) {
        if (cmc_control_at(i)->id == CMC_CTRL_TRANSACTION_ID) {
            kSeed[0] = (uint8_t)i;
        }
    }
    fuzz_warm_up("control_value", LLVMFuzzerTestOneInput, kSeed, sizeof(kSeed));
    return 0;
}

static void print_as_control(const cmc_control_info *info, const uint8_t *der, size_t len) {
    CMC_TAGGED_ATTRIBUTE *ta = CMC_TAGGED_ATTRIBUTE_new();
    const uint8_t *p = der;
    ASN1_TYPE *any = d2i_ASN1_TYPE(NULL, &p, (long)len);
    int nid = cmc_nid_control(info->id);
    if (ta != NULL && any != NULL && nid != NID_undef && ASN1_INTEGER_set(ta->bodyPartID, 1) &&
        sk_ASN1_TYPE_push(ta->attrValues, any)) {
        any = NULL;
        ASN1_OBJECT_free(ta->attrType);
        ta->attrType = OBJ_dup(OBJ_nid2obj(nid));
        if (ta->attrType != NULL) {
            fuzz_check(cmc_print_control(fuzz_null_bio(), ta, 2) == 1, "cmc_print_control");
        }
    }
    ASN1_TYPE_free(any);
    CMC_TAGGED_ATTRIBUTE_free(ta);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_init();
    if (size < 1 || cmc_control_count() == 0) {
        return 0;
    }
    const cmc_control_info *info = cmc_control_at(data[0] % cmc_control_count());
    const uint8_t *in = data + 1;
    size_t in_len = size - 1;

    cmc_control_value *v = NULL;
    if (cmc_control_value_decode_der(&v, info->type, in, in_len) == CMC_OK) {
        uint8_t *der = NULL;
        size_t der_len = 0;
        fuzz_check(cmc_control_value_to_der(v, &der, &der_len) == CMC_OK, "value to_der");
        if (!v->legacy_form) {
            fuzz_check(der_len == in_len && memcmp(der, in, in_len) == 0,
                       "accepted control value does not re-encode byte for byte");
        } else {
            cmc_control_value *v2 = NULL;
            uint8_t *der2 = NULL;
            size_t der2_len = 0;
            fuzz_check(cmc_control_value_decode_der(&v2, info->type, der, der_len) == CMC_OK,
                       "preferred form of a legacy value does not decode");
            fuzz_check(!v2->legacy_form, "preferred form decodes as legacy");
            fuzz_check(cmc_control_value_to_der(v2, &der2, &der2_len) == CMC_OK &&
                           der2_len == der_len && memcmp(der, der2, der_len) == 0,
                       "preferred form does not re-encode to itself");
            cmc_free(der2);
            cmc_control_value_free(v2);
        }
        fuzz_check(cmc_control_value_print(fuzz_null_bio(), v, 4) == 1, "value print");
        cmc_free(der);
        cmc_control_value_free(v);
    }
    /* The registry printer also handles values that do not decode (status + hex). */
    print_as_control(info, in, in_len);

    CMC_UNSIGNED_DATA *ud = NULL;
    if (cmc_unsigned_data_decode_der(&ud, in, in_len) == CMC_OK) {
        fuzz_check(CMC_UNSIGNED_DATA_print(fuzz_null_bio(), ud, 0) == 1, "unsigned data print");
        CMC_UNSIGNED_DATA_free(ud);
    }
    ERR_clear_error();
    cmc_error_clear();
    return 0;
}
