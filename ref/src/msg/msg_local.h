/* msg_local.h: private helpers of the message layer (ref/src/msg): a growable DER writer
 * (BoringSSL CBB style, one buffer per nesting level), a bounded BER header reader, and
 * small OpenSSL glue shared by the builders and the verifier. Not installed. */
#ifndef CMC_MSG_LOCAL_H
#define CMC_MSG_LOCAL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/asn1.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "cmc/msg.h"
#include "cmc/status.h"

/* DER identifier octets used by the writers. */
#define MSG_TAG_INTEGER 0x02
#define MSG_TAG_BIT_STRING 0x03
#define MSG_TAG_OCTET_STRING 0x04
#define MSG_TAG_NULL 0x05
#define MSG_TAG_OID 0x06
#define MSG_TAG_ENUMERATED 0x0A
#define MSG_TAG_UTF8STRING 0x0C
#define MSG_TAG_UTCTIME 0x17
#define MSG_TAG_GENERALIZEDTIME 0x18
#define MSG_TAG_SEQUENCE 0x30
#define MSG_TAG_SET 0x31
#define MSG_TAG_CTX_CONS(n) (0xA0 | (n))
#define MSG_TAG_CTX_PRIM(n) (0x80 | (n))

#define MSG_OID_DATA "1.2.840.113549.1.7.1"
#define MSG_OID_SIGNED_DATA "1.2.840.113549.1.7.2"
#define MSG_BER_CHUNK 1024 /* segment size of a constructed BER OCTET STRING */

/* A growable byte buffer. Any failed append sets |err| and later appends do nothing, so a
 * whole encoding is checked once at the end (msg_buf_ok). */
typedef struct {
    uint8_t *p;
    size_t len;
    size_t cap;
    int err;
} msg_buf;

void msg_buf_init(msg_buf *b);
void msg_buf_cleanup(msg_buf *b);
int msg_buf_ok(const msg_buf *b);
/* msg_buf_finish moves the bytes to |*out| (OPENSSL_malloc'ed, cmc_free-able). */
cmc_status msg_buf_finish(msg_buf *b, uint8_t **out, size_t *out_len);
void msg_buf_put(msg_buf *b, const void *data, size_t len);
void msg_buf_put_u8(msg_buf *b, uint8_t v);
/* msg_buf_put_tlv appends |tag| + DER length + |content|. */
void msg_buf_put_tlv(msg_buf *b, uint8_t tag, const void *content, size_t len);
/* msg_buf_put_indef appends |tag| 0x80 |content| 00 00 (BER indefinite length). */
void msg_buf_put_indef(msg_buf *b, uint8_t tag, const void *content, size_t len);
/* msg_buf_wrap replaces the content of |b| with |tag| + length + old content. */
void msg_buf_wrap(msg_buf *b, uint8_t tag);
void msg_buf_put_int64(msg_buf *b, uint8_t tag, int64_t v);
void msg_buf_put_uint64(msg_buf *b, uint8_t tag, uint64_t v);
/* msg_buf_put_oid appends the DER OBJECT IDENTIFIER for dotted |oid|; sets err if bad. */
void msg_buf_put_oid(msg_buf *b, const char *oid);
void msg_buf_put_obj(msg_buf *b, const ASN1_OBJECT *obj);
/* msg_buf_put_time appends UTCTime for 1950..2049, GeneralizedTime otherwise (RFC 5652
 * §11.3 signingTime rule). msg_buf_put_gentime always writes GeneralizedTime. */
void msg_buf_put_time(msg_buf *b, int64_t t);
void msg_buf_put_gentime(msg_buf *b, int64_t t);
/* Appends the i2d encoding of an OpenSSL object (i2d_X509_NAME, i2d_X509, ...). */
#define MSG_BUF_PUT_I2D(b, fn, obj)                                                                \
    do {                                                                                           \
        unsigned char *msg_i2d_ = NULL;                                                            \
        int msg_i2d_len_ = fn((obj), &msg_i2d_);                                                   \
        if (msg_i2d_len_ <= 0) {                                                                   \
            (b)->err = 1;                                                                          \
        } else {                                                                                   \
            msg_buf_put((b), msg_i2d_, (size_t)msg_i2d_len_);                                      \
        }                                                                                          \
        OPENSSL_free(msg_i2d_);                                                                    \
    } while (0)

/* msg_der_sort_set sorts |num| DER encodings in DER SET OF order (X.690 §11.6) and appends
 * them to |b|. */
void msg_der_put_sorted(msg_buf *b, msg_buf *items, size_t num);

/* A BER header (X.690 §8.1). */
typedef struct {
    uint8_t id;
    size_t hdr_len;
    size_t len; /* content length; 0 when indefinite */
    int indefinite;
} msg_tlv;

/* msg_tlv_read reads one header at |in|: CMC_OK, CMC_E_TRUNCATED (header or definite content
 * beyond |in_len|), CMC_E_DER (bad encoding, high tag numbers unsupported). */
cmc_status msg_tlv_read(msg_tlv *out, const uint8_t *in, size_t in_len);
/* msg_tlv_elem_len: the whole length of the element at |in| (walks indefinite forms,
 * |depth| levels at most). */
cmc_status msg_tlv_elem_len(size_t *out_len, const uint8_t *in, size_t in_len, int depth);
/* msg_check_outer: |in| is exactly one element: CMC_E_TRUNCATED for empty input or a
 * length beyond the input, CMC_E_TRAILING for bytes after it, CMC_E_LIMIT above
 * CMC_MAX_MESSAGE_BYTES. */
cmc_status msg_check_outer(const uint8_t *in, size_t in_len);

/* Fuzzing only (fuzz/verify_stages.c, fuzz/server_handle.c): when a fuzz target sets
 * cmc_fuzz_skip_crypto_checks to 1, stage 1 does not compare the message digest and stage 3
 * does not check the signature (the signer is still looked up and its path checked), so a
 * fuzzer that mutates the PKIData reaches the officer and operation logic. The variable
 * exists only in FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION builds (presets fuzz and afl);
 * everywhere else MSG_FUZZ_SKIP_CRYPTO() is the constant 0. */
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
extern int cmc_fuzz_skip_crypto_checks;
#define MSG_FUZZ_SKIP_CRYPTO() (cmc_fuzz_skip_crypto_checks != 0)
#else
#define MSG_FUZZ_SKIP_CRYPTO() 0
#endif

/* msg_raise_detail raises |code| (cmc_error_raise) and then formats the record's detail:
 * cmc_error_raise clears the detail, so setting it first loses it. Use MSG_RAISE_DETAIL. */
cmc_status msg_raise_detail(cmc_status code, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#define MSG_RAISE_DETAIL(code, ...) return msg_raise_detail((code), __FILE__, __LINE__, __VA_ARGS__)

/* msg_obj_to_txt writes dotted |obj| into |buf| ("" on failure). */
void msg_obj_to_txt(char *buf, size_t buf_len, const ASN1_OBJECT *obj);
/* msg_is_eddsa: 1 for Ed25519/Ed448 keys. */
int msg_is_eddsa(const EVP_PKEY *key);
/* msg_sign_bytes signs |data| with |key| (|md| NULL = pure EdDSA; |pss| = RSASSA-PSS with
 * salt = hash length) into a new buffer; with |tmpl| (cmc_sign_ctx_new for the same key,
 * digest and padding) it copies that context instead of initialising one. */
cmc_status msg_sign_bytes(uint8_t **out, size_t *out_len, EVP_PKEY *key, const EVP_MD *md, int pss,
                          const EVP_MD_CTX *tmpl, const uint8_t *data, size_t data_len);
/* msg_put_sig_alg appends the AlgorithmIdentifier of the signature msg_sign_bytes makes. */
void msg_put_sig_alg(msg_buf *b, const EVP_PKEY *key, const EVP_MD *md, int pss);
/* msg_put_md_alg appends the AlgorithmIdentifier of |md| (parameters absent, RFC 5754). */
void msg_put_md_alg(msg_buf *b, const EVP_MD *md);
/* msg_time_now returns the current Unix time. */
int64_t msg_time_now(void);
/* msg_asn1_time_to_unix converts an ASN1_TIME (UTCTime or GeneralizedTime). */
int msg_asn1_time_to_unix(int64_t *out, const ASN1_TIME *t);

/* msg_parse_cms decodes exactly |in_len| bytes (msg_check_outer) as a CMS ContentInfo:
 * |*out| new. CMC_E_DER if OpenSSL rejects it. */
cmc_status msg_parse_cms(CMS_ContentInfo **out, const uint8_t *in, size_t in_len);
/* msg_parse_cms_ex: |raw_keys| decodes as CMC_PARSE_RAW_KEYS does, so the certificates in
 * SignedData.certificates have no usable key until replaced (verify.c). */
cmc_status msg_parse_cms_ex(CMS_ContentInfo **out, const uint8_t *in, size_t in_len, int raw_keys);

#endif /* CMC_MSG_LOCAL_H */
