/* recipe.h: the recipe compiler. A recipe (the "recipe" object of a case step, format in
 * vectors/README.md "Recipes" and vectors/schema/case.schema.json $defs/recipe) says how a
 * request is built; cmc_recipe_compile turns it into request bytes with a set of
 * credentials (the fixture officers by default, a vendor's officer key and certificate
 * when the runner targets a vendor server) and the values captured by earlier steps
 * ($issued_serial). The vector generator and the conformance runner both use this one
 * compiler, on top of the msg layer (cmc/msg.h): there is no second codec.
 *
 * Determinism: the compiler draws randomness only through OpenSSL (ECDSA nonces, RSA-PSS
 * salts), so bytes are reproducible between cmc_rand_deterministic_begin/_end; the CMS
 * signingTime comes from the context. */
#ifndef CMC_CONFORM_RECIPE_H
#define CMC_CONFORM_RECIPE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "cmc/status.h"

/* Largest body a recipe may produce (a "pad" mutation): the message limit plus a margin,
 * enough to exceed any server's limit without letting a case allocate without bound. */
#define CMC_RECIPE_MAX_BYTES (4 * 1024 * 1024)
/* Deepest "nest" a recipe may ask for (each layer is one more signature). */
#define CMC_RECIPE_MAX_NEST 64

/* An officer credential: signing key, its certificate, optional extra certificates
 * (intermediates) to put into the SignedData. All lent. */
typedef struct {
    EVP_PKEY *key;
    X509 *cert;
    STACK_OF(X509) *chain;
} cmc_credential;

/* What a compilation may use besides the recipe. Zero-initialise, then set what you have. */
typedef struct {
    /* Signer slots (recipe "signer": {"slot": ...}). NULL = use the fixture named by the
     * recipe. Slot "fixed" always uses the fixture (cases about one specific certificate). */
    const cmc_credential *enroll;
    const cmc_credential *revoke;
    /* The CA whose subject "$ca" stands for. NULL = the fixture ca.cert.pem. Lent. */
    X509 *ca;
    /* Captured values: object "name" -> lowercase hex string (serial magnitude, DER Name,
     * DER certificate). NULL = none. Lent. */
    const json_t *captures;
    /* signingTime of every CMS signature, Unix seconds; 0 = now. */
    int64_t signing_time;
} cmc_recipe_context;

/* cmc_recipe_compile builds the request bytes of |recipe| (|*out| new, cmc_free).
 * CMC_E_CONFIG if the recipe is malformed or names a missing capture or fixture; then
 * |err| (|err_len| bytes, may be NULL) holds one line saying what. Other errors come from
 * the msg layer. */
CMC_MUST_USE cmc_status cmc_recipe_compile(uint8_t **out, size_t *out_len, const json_t *recipe,
                                           const cmc_recipe_context *ctx, char *err,
                                           size_t err_len);

/* cmc_recipe_request_key loads the end-entity key of the first certification request of
 * |recipe| ("key" of a pkcs10 recipe, else requests[0].key). |*out| new. CMC_E_NOT_FOUND
 * if the recipe requests no certificate. */
CMC_MUST_USE cmc_status cmc_recipe_request_key(EVP_PKEY **out, const json_t *recipe);

/* cmc_recipe_find_issued returns (lent) the first certificate in |certs| whose public key
 * is the recipe's request key (cmc_recipe_request_key), or NULL. */
X509 *cmc_recipe_find_issued(const json_t *recipe, STACK_OF(X509) *certs);

/* cmc_recipe_capture_value writes the hex text of capture |source| ("issued.serial",
 * "issued.issuer", "issued.cert") of |issued| into a new string (free()). */
CMC_MUST_USE cmc_status cmc_recipe_capture_value(char **out, const char *source,
                                                 const X509 *issued);

#endif /* CMC_CONFORM_RECIPE_H */
