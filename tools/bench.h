/* bench.h: pieces of `cmckit bench` (tools/cmd_bench.c): the crypto-only bound. */
#ifndef CMCKIT_BENCH_H
#define CMCKIT_BENCH_H

#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/* The public-key operations one request costs the reference server, as flags. */
#define BENCH_STEP_CMS_VERIFY 0x01u   /* officer signature over the signed attributes */
#define BENCH_STEP_CHAIN_VERIFY 0x02u /* officer certificate's signature by the CA */
#define BENCH_STEP_POP_VERIFY 0x04u   /* PKCS#10 self-signature */
#define BENCH_STEP_CERT_SIGN 0x08u    /* issue: X509_sign with the CA key */
#define BENCH_STEP_RESP_SIGN 0x10u    /* Full PKI Response: CMS signature by the signer */
/* Not a public-key operation, but what receiving a new key costs any verifier: the PKCS#10
 * key is imported from its SubjectPublicKeyInfo as the core does (cmc_spki_der_get1_pkey)
 * and the POP verified with that fresh key (so its Montgomery / group set-up counts).
 * Reported as a second, wider bound. The officer key is not imported: the core reuses its
 * configured officer certificates. */
#define BENCH_STEP_KEY_IMPORT 0x20u

/* Objects prepared once so that bench_crypto_once does only the public-key operations and
 * the digests they need, back to back with OpenSSL: the crypto-only bound. */
typedef struct {
    EVP_PKEY *ca_key, *signer_key, *officer_key, *ee_key;
    X509 *ca_cert, *officer_cert, *issued; /* |issued|: template re-signed each time */
    X509_REQ *req;
    const EVP_MD *officer_md; /* NULL for Ed25519 (pure EdDSA) */
    const EVP_MD *content_md; /* SHA-256, SHA-512 for Ed25519 (RFC 8419 §3) */
    unsigned char attrs[160], officer_sig[640], content[1200];
    size_t officer_sig_len;
    unsigned char *ee_spki; /* DER SubjectPublicKeyInfo */
    int ee_spki_len;
} bench_crypto;

/* bench_crypto_init loads the fixture keys: end-entity key |ee_key_file| ("ee-p256.key.pem")
 * and officer |officer_stem| ("officer-both-p256"). Returns 0, or -1 with |err| set. */
int bench_crypto_init(bench_crypto *bc, const char *ee_key_file, const char *officer_stem,
                      char *err, size_t err_len);
void bench_crypto_cleanup(bench_crypto *bc);

/* bench_crypto_once runs the operations in |steps| once; 0 on success, -1 if one failed. */
int bench_crypto_once(bench_crypto *bc, unsigned steps);

/* bench_steps_str names the steps ("cms+chain+pop+sign+resp") into |buf|. */
const char *bench_steps_str(unsigned steps, char *buf, size_t buf_len);

#endif /* CMCKIT_BENCH_H */
