/* cmd_req.c: `cmckit req`: build any request the vector set uses (enroll as a Simple PKI
 * Request or in a Full PKI Request with tcr or crm; revoke; getcert), sign it, write it DER
 * or PEM, and optionally send it over a client transport and report the answer as
 * `cmckit resp` does (issue 8). Options may come from a config file (OpenSSL syntax, section
 * [req]) for repeatable runs; the command line wins. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "cmc/asn1.h"
#include "cmc/msg.h"
#if __has_include("cmc/transport.h")
#include "cmc/transport.h"
#define REQ_HAVE_TRANSPORT 1 /* until the transport module is on main */
#endif
#include "cmckit.h"
#include "resp.h"
#include "tool_io.h"

/* A generated senderNonce: 16 bytes, the size RFC 5272 §6.6's examples and most CMC
 * clients use; enough that a server's replay cache never sees a collision. */
#define REQ_NONCE_BYTES 16
/* Generated RSA keys: 2048 bits by default, at most 8192 (keygen time grows as bits^4). */
#define REQ_RSA_DEFAULT_BITS 2048
#define REQ_RSA_MAX_BITS 8192
#define REQ_RSA_MIN_BITS 1024

static const tool_opt kReqOpts[] = {
    {"config", 1, "FILE   read options from FILE (OpenSSL config syntax, section [req])"},
    {"section", 1, "NAME   config section to read instead of [req]"},
    /* enroll */
    {"p10", 1, "FILE   enroll: existing PKCS#10 request (PEM or DER)"},
    {"key", 1, "FILE   enroll: existing end-entity private key to request a certificate for"},
    {"newkey", 1,
     "ALG   enroll: generate a key: rsa[:BITS], ec[:CURVE] (P-256), p256, p384, "
     "ed25519"},
    {"keyout", 1, "FILE   enroll: write the generated private key (PEM, mode 0600)"},
    {"subject", 1, "DN   enroll: subject as /CN=name/O=org (default: empty Name)"},
    {"format", 1,
     "simple|full   enroll: Simple PKI Request (bare PKCS#10) or Full PKI Request "
     "(default: full if --sign-key, else simple)"},
    {"request", 1, "tcr|crm   enroll, Full PKI Request: PKCS#10 (tcr, default) or CRMF (crm)"},
    /* revoke / getcert */
    {"cert", 1, "FILE   revoke/getcert: the certificate in question (gives issuer and serial)"},
    {"issuer-cert", 1, "FILE   revoke/getcert: issuer name = subject of this CA certificate"},
    {"issuer", 1, "DN   revoke/getcert: issuer name as /CN=..."},
    {"serial", 1, "N   revoke/getcert: serial number, decimal or 0x-hex"},
    {"reason", 1, "R   revoke: CRLReason by name (keyCompromise) or number 0..10"},
    {"invalidity-date", 1, "TIME   revoke: YYYYMMDDHHMMSSZ or Unix seconds"},
    {"passphrase", 1, "TEXT   revoke: passphrase (sharedSecret)"},
    {"comment", 1, "TEXT   revoke: comment"},
    /* signing */
    {"sign-key", 1, "FILE   key that signs the Full PKI Request (PEM or DER)"},
    {"sign-cert", 1, "FILE   its certificate (PEM or DER), included in the SignedData"},
    {"pass-file", 1, "FILE   pass phrase (first line) for encrypted keys; else a prompt"},
    {"chain", 1, "FILE   extra certificates to include in the SignedData"},
    {"md", 1, "NAME   signature digest (sha256, sha384, sha512; default per key)"},
    {"pss", 0, "  RSA keys: sign with RSASSA-PSS"},
    {"transaction-id", 1, "N   transactionId control"},
    {"sender-nonce", 1, "HEX|random|none   senderNonce (default: 16 random bytes)"},
    /* output */
    {"out", 1, "FILE   write the request to FILE (default stdout)"},
    {"outform", 1, "der|pem   request encoding (default der)"},
    /* sending */
    {"send", 1,
     "URL   post the request (http(s)://, tcp://, file:IN,OUT, exec:CMD) and report "
     "the answer as `cmckit resp`"},
    {"timeout", 1, "SEC   --send: whole exchange timeout (default 30)"},
    {"accept", 1, "TYPE   --send: Accept header (http)"},
    {"ca", 1, "FILE   --send: trust anchor(s) for the response signature"},
    {"resp-out", 1, "FILE   --send: write the issued certificates (PEM) to FILE"},
    {"save-response", 1, "FILE   --send: save the raw response bytes to FILE"},
    {"quiet", 0, "  less output"},
    {"help", 0, "  this help"},
};
#define REQ_NUM_OPTS (sizeof(kReqOpts) / sizeof(kReqOpts[0]))

static const char *const kProg = "cmckit req";

static void req_usage(FILE *f) {
    fprintf(f, "usage: cmckit req enroll|revoke|getcert [options]\n"
               "Build a CMC request; write it (DER or PEM) or --send it and report the answer.\n"
               "Examples:\n"
               "  cmckit req enroll --newkey p256 --keyout ee.key --subject /CN=dev1 --out r.p10\n"
               "  cmckit req enroll --newkey rsa --subject /CN=dev2 --request crm \\\n"
               "      --sign-key officer.key.pem --sign-cert officer.cert.pem --out r.crq\n"
               "  cmckit req revoke --cert ee.pem --reason keyCompromise --sign-key off.key \\\n"
               "      --sign-cert off.pem --send http://127.0.0.1:8080/cmc --ca ca.cert.pem\n\n");
    tool_opts_usage(f, kReqOpts, REQ_NUM_OPTS);
}

/* Everything loaded for one run; freed by req_cleanup. */
typedef struct {
    EVP_PKEY *ee_key, *sign_key;
    X509 *sign_cert, *issuer_cert, *cert;
    STACK_OF(X509) *chain;
    X509_REQ *p10;
    X509_NAME *issuer;
    ASN1_INTEGER *serial;
    uint8_t *nonce, *out;
    size_t nonce_len, out_len;
    cmc_pki_data_builder *pd;
    OSSL_CRMF_MSG *crm;
} req_state;

static void req_cleanup(req_state *s) {
    EVP_PKEY_free(s->ee_key);
    EVP_PKEY_free(s->sign_key);
    X509_free(s->sign_cert);
    X509_free(s->issuer_cert);
    X509_free(s->cert);
    sk_X509_pop_free(s->chain, X509_free);
    X509_REQ_free(s->p10);
    X509_NAME_free(s->issuer);
    ASN1_INTEGER_free(s->serial);
    free(s->nonce);
    cmc_free(s->out);
    cmc_pki_data_builder_free(s->pd);
    OSSL_CRMF_MSG_free(s->crm);
}

#define REQ_FAIL(...)                                                                              \
    do {                                                                                           \
        fprintf(stderr, "cmckit req: " __VA_ARGS__);                                               \
        fputc('\n', stderr);                                                                       \
        return -1;                                                                                 \
    } while (0)

static const char *cmc_err(cmc_status st) {
    static char buf[320];
    const cmc_error_record *r = cmc_error_last();
    if (r != NULL && r->code == st && r->detail[0] != '\0') {
        snprintf(buf, sizeof(buf), "%s (%s)", cmc_status_str(st), r->detail);
    } else {
        snprintf(buf, sizeof(buf), "%s", cmc_status_str(st));
    }
    cmc_error_clear();
    return buf;
}

static int generate_key(EVP_PKEY **out, const char *spec) {
    EVP_PKEY *k = NULL;
    if (strncasecmp(spec, "rsa", 3) == 0 && (spec[3] == '\0' || spec[3] == ':')) {
        uint64_t bits = REQ_RSA_DEFAULT_BITS;
        if (spec[3] == ':' && (tool_parse_u64(spec + 4, &bits) != 0 || bits < REQ_RSA_MIN_BITS ||
                               bits > REQ_RSA_MAX_BITS)) {
            REQ_FAIL("--newkey rsa:BITS needs %d..%d bits", REQ_RSA_MIN_BITS, REQ_RSA_MAX_BITS);
        }
        k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
    } else if (strcasecmp(spec, "p256") == 0 || strcasecmp(spec, "ec") == 0) {
        k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    } else if (strcasecmp(spec, "p384") == 0) {
        k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    } else if (strncasecmp(spec, "ec:", 3) == 0) {
        k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", spec + 3);
    } else if (strcasecmp(spec, "ed25519") == 0) {
        k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    } else {
        REQ_FAIL("--newkey: unknown algorithm '%s' (rsa[:BITS], ec[:CURVE], p256, p384, "
                 "ed25519)",
                 spec);
    }
    if (k == NULL) {
        REQ_FAIL("--newkey %s: key generation failed%s", spec, tool_openssl_reason());
    }
    *out = k;
    return 0;
}

static int write_key(const char *path, EVP_PKEY *key) {
    BIO *b = BIO_new(BIO_s_mem());
    if (b == NULL || !PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL)) {
        BIO_free(b);
        REQ_FAIL("cannot encode the new key");
    }
    char *data = NULL;
    long len = BIO_get_mem_data(b, &data);
    char err[TOOL_ERR_LEN];
    mode_t old = umask(077);
    int rc = tool_write_file(path, (const uint8_t *)data, (size_t)len, err, sizeof(err));
    umask(old);
    BIO_free(b);
    if (rc != 0) {
        REQ_FAIL("%s", err);
    }
    return 0;
}

static int load_p10(const char *path, X509_REQ **out) {
    uint8_t *der = NULL;
    size_t der_len = 0;
    char err[TOOL_ERR_LEN];
    if (tool_load_der(path, &der, &der_len, err, sizeof(err)) != 0) {
        REQ_FAIL("%s", err);
    }
    const unsigned char *p = der;
    X509_REQ *r = d2i_X509_REQ(NULL, &p, (long)der_len);
    int trailing = r != NULL && p != der + der_len;
    free(der);
    if (r == NULL || trailing) {
        X509_REQ_free(r);
        ERR_clear_error();
        REQ_FAIL("%s: not a PKCS#10 request%s", path, trailing ? " (bytes after it)" : "");
    }
    *out = r;
    return 0;
}

/* parse_serial: decimal, or hex with a 0x prefix (optionally with ':' separators, as
 * `cmckit resp` and `openssl x509 -serial` print them). */
static int parse_serial(const char *s, ASN1_INTEGER **out) {
    BIGNUM *bn = NULL;
    int ok;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        char buf[256];
        size_t k = 0;
        for (const char *q = s + 2; *q != '\0' && k + 1 < sizeof(buf); q++) {
            if (*q != ':') {
                buf[k++] = *q;
            }
        }
        buf[k] = '\0';
        ok = k > 0 && strspn(buf, "0123456789abcdefABCDEF") == k && BN_hex2bn(&bn, buf) == (int)k;
    } else {
        size_t n = strlen(s);
        ok = n > 0 && strspn(s, "0123456789") == n && BN_dec2bn(&bn, s) == (int)n;
    }
    ASN1_INTEGER *a = ok ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
    BN_free(bn);
    if (a == NULL) {
        ERR_clear_error();
        REQ_FAIL("--serial: '%s' is not a decimal or 0x-hex number", s);
    }
    *out = a;
    return 0;
}

static int parse_reason(const char *s, long *out) {
    uint64_t n;
    if (tool_parse_u64(s, &n) == 0) {
        if (n > 1000) { /* sent as given (negative vectors use 7 and 11), but bounded */
            REQ_FAIL("--reason %s: out of range", s);
        }
        *out = (long)n;
        return 0;
    }
    long r = cmc_crl_reason_from_name(s);
    if (r < 0) {
        REQ_FAIL("--reason: unknown CRLReason '%s' (unspecified, keyCompromise, cACompromise, "
                 "affiliationChanged, superseded, cessationOfOperation, certificateHold, "
                 "removeFromCRL, privilegeWithdrawn, aACompromise, or 0..10)",
                 s);
    }
    *out = r;
    return 0;
}

static int load_signing(const tool_opts *o, req_state *s) {
    char err[TOOL_ERR_LEN];
    const char *kf = tool_opt_get(o, "sign-key"), *cf = tool_opt_get(o, "sign-cert");
    const char *pass = tool_opt_get(o, "pass-file"), *chain = tool_opt_get(o, "chain");
    if (kf == NULL && cf != NULL) {
        REQ_FAIL("--sign-cert needs --sign-key");
    }
    if (kf != NULL && tool_load_key(kf, pass, &s->sign_key, err, sizeof(err)) != 0) {
        REQ_FAIL("%s", err);
    }
    if (cf != NULL && tool_load_cert(cf, &s->sign_cert, err, sizeof(err)) != 0) {
        REQ_FAIL("%s", err);
    }
    if (s->sign_cert != NULL && X509_check_private_key(s->sign_cert, s->sign_key) != 1) {
        ERR_clear_error();
        REQ_FAIL("--sign-key %s does not belong to --sign-cert %s", kf, cf);
    }
    if (chain != NULL && tool_load_certs(chain, &s->chain, err, sizeof(err)) != 0) {
        REQ_FAIL("%s", err);
    }
    return 0;
}

/* Issuer name and serial for revoke/getcert: --cert gives both; --issuer-cert or --issuer
 * and --serial override. */
static int load_cert_id(const tool_opts *o, req_state *s) {
    char err[TOOL_ERR_LEN];
    const char *v;
    if ((v = tool_opt_get(o, "cert")) != NULL) {
        if (tool_load_cert(v, &s->cert, err, sizeof(err)) != 0) {
            REQ_FAIL("%s", err);
        }
        s->issuer = X509_NAME_dup(X509_get_issuer_name(s->cert));
        s->serial = ASN1_INTEGER_dup(X509_get0_serialNumber(s->cert));
        if (s->issuer == NULL || s->serial == NULL) {
            REQ_FAIL("out of memory");
        }
    }
    if ((v = tool_opt_get(o, "issuer-cert")) != NULL) {
        if (tool_load_cert(v, &s->issuer_cert, err, sizeof(err)) != 0) {
            REQ_FAIL("%s", err);
        }
        X509_NAME_free(s->issuer);
        s->issuer = X509_NAME_dup(X509_get_subject_name(s->issuer_cert));
    } else if ((v = tool_opt_get(o, "issuer")) != NULL) {
        X509_NAME_free(s->issuer);
        s->issuer = NULL;
        if (cmc_name_parse(&s->issuer, v) != CMC_OK) {
            cmc_error_clear();
            REQ_FAIL("--issuer: '%s' is not a name like /CN=CA/O=org", v);
        }
    }
    if ((v = tool_opt_get(o, "serial")) != NULL) {
        ASN1_INTEGER_free(s->serial);
        s->serial = NULL;
        if (parse_serial(v, &s->serial) != 0) {
            return -1;
        }
    }
    if (s->issuer == NULL) {
        REQ_FAIL("give the issuer: --cert, --issuer-cert or --issuer");
    }
    if (s->serial == NULL) {
        REQ_FAIL("give the serial: --cert or --serial");
    }
    return 0;
}

/* Controls every Full PKI Request gets: transactionId, senderNonce. */
static int add_common_controls(const tool_opts *o, req_state *s) {
    const char *v = tool_opt_get(o, "transaction-id");
    cmc_status st;
    if (v != NULL) {
        uint64_t tid;
        if (tool_parse_u64(v, &tid) != 0) {
            REQ_FAIL("--transaction-id: '%s' is not a number", v);
        }
        if ((st = cmc_pki_data_builder_add_transaction_id(s->pd, NULL, CMC_BPID_AUTO, tid)) !=
            CMC_OK) {
            REQ_FAIL("transactionId: %s", cmc_err(st));
        }
    }
    v = tool_opt_get(o, "sender-nonce");
    if (v != NULL && strcasecmp(v, "none") == 0) {
        return 0;
    }
    if (v == NULL || strcasecmp(v, "random") == 0) {
        s->nonce = malloc(REQ_NONCE_BYTES);
        s->nonce_len = REQ_NONCE_BYTES;
        if (s->nonce == NULL || RAND_bytes(s->nonce, REQ_NONCE_BYTES) != 1) {
            REQ_FAIL("cannot make a random senderNonce");
        }
    } else if (tool_hex_decode(v, &s->nonce, &s->nonce_len) != 0) {
        REQ_FAIL("--sender-nonce: '%s' is not hex (or random, none)", v);
    }
    if ((st = cmc_pki_data_builder_add_sender_nonce(s->pd, NULL, CMC_BPID_AUTO, s->nonce,
                                                    s->nonce_len)) != CMC_OK) {
        REQ_FAIL("senderNonce: %s", cmc_err(st));
    }
    return 0;
}

static int parse_md(const tool_opts *o, const EVP_MD **out) {
    const char *v = tool_opt_get(o, "md");
    *out = NULL;
    if (v != NULL && (*out = EVP_get_digestbyname(v)) == NULL) {
        REQ_FAIL("--md: unknown digest '%s'", v);
    }
    return 0;
}

/* Sign the PKIData into s->out. Without --sign-key an enrollment is signed by the
 * requested key itself (SKI signer, RFC 5272 §3.2); a revoke/getcert goes unsigned (zero
 * SignerInfos, RFC 5272 §6.11: the passphrase authenticates it). */
static int sign_pki_data(const tool_opts *o, req_state *s, EVP_PKEY *self_key) {
    uint8_t *pd_der = NULL;
    size_t pd_len = 0;
    cmc_status st = cmc_pki_data_builder_to_der(s->pd, &pd_der, &pd_len);
    if (st != CMC_OK) {
        REQ_FAIL("PKIData: %s", cmc_err(st));
    }
    cmc_signer signer;
    memset(&signer, 0, sizeof(signer));
    size_t num_signers = 0;
    if (parse_md(o, &signer.md) != 0) {
        cmc_free(pd_der);
        return -1;
    }
    signer.rsa_pss = tool_opt_get(o, "pss") != NULL;
    if (s->sign_key != NULL) {
        signer.key = s->sign_key;
        signer.cert = s->sign_cert;
        signer.sid = s->sign_cert != NULL ? CMC_SID_ISSUER_SERIAL : CMC_SID_SKI;
        signer.include_cert = s->sign_cert != NULL;
        num_signers = 1;
    } else if (self_key != NULL) {
        signer.key = self_key;
        signer.sid = CMC_SID_SKI;
        num_signers = 1;
    }
    cmc_sign_options sopt;
    memset(&sopt, 0, sizeof(sopt));
    sopt.certs = s->chain;
    st = cmc_signed_data_sign(&s->out, &s->out_len, pd_der, pd_len, &signer, num_signers, &sopt);
    cmc_free(pd_der);
    if (st != CMC_OK) {
        REQ_FAIL("signing the Full PKI Request: %s", cmc_err(st));
    }
    return 0;
}

static int build_enroll(const tool_opts *o, req_state *s, int *out_full) {
    char err[TOOL_ERR_LEN];
    const char *p10 = tool_opt_get(o, "p10"), *key = tool_opt_get(o, "key");
    const char *newkey = tool_opt_get(o, "newkey"), *v;
    if ((p10 != NULL) + (key != NULL) + (newkey != NULL) != 1) {
        REQ_FAIL("enroll needs exactly one of --p10 FILE, --key FILE, --newkey ALG");
    }
    if (tool_opt_get(o, "keyout") != NULL && newkey == NULL) {
        REQ_FAIL("--keyout goes with --newkey");
    }
    int full = s->sign_key != NULL;
    if ((v = tool_opt_get(o, "format")) != NULL) {
        if (strcasecmp(v, "simple") == 0) {
            full = 0;
        } else if (strcasecmp(v, "full") == 0) {
            full = 1;
        } else {
            REQ_FAIL("--format must be simple or full, not '%s'", v);
        }
    }
    int crm = 0;
    if ((v = tool_opt_get(o, "request")) != NULL) {
        if (strcasecmp(v, "crm") == 0) {
            crm = 1;
        } else if (strcasecmp(v, "tcr") != 0) {
            REQ_FAIL("--request must be tcr or crm, not '%s'", v);
        }
        if (!full) {
            REQ_FAIL("--request %s needs a Full PKI Request (--format full)", v);
        }
    }
    if (!full && s->sign_key != NULL) {
        REQ_FAIL("a Simple PKI Request is not signed: drop --sign-key or use --format full");
    }
    if (newkey != NULL) {
        if (generate_key(&s->ee_key, newkey) != 0) {
            return -1;
        }
        if ((v = tool_opt_get(o, "keyout")) != NULL && write_key(v, s->ee_key) != 0) {
            return -1;
        }
    } else if (key != NULL && tool_load_key(key, tool_opt_get(o, "pass-file"), &s->ee_key, err,
                                            sizeof(err)) != 0) {
        REQ_FAIL("%s", err);
    }
    if (p10 != NULL) {
        if (crm) {
            REQ_FAIL("--request crm needs the private key (--key or --newkey), not --p10");
        }
        if (full && s->sign_key == NULL) {
            REQ_FAIL("a self-signed Full PKI Request needs the private key: use --key, or "
                     "give --sign-key");
        }
        if (tool_opt_get(o, "subject") != NULL) {
            REQ_FAIL("--subject cannot change an existing --p10 request");
        }
        if (load_p10(p10, &s->p10) != 0) {
            return -1;
        }
    }
    cmc_req_options ropt;
    memset(&ropt, 0, sizeof(ropt));
    ropt.subject = tool_opt_get(o, "subject");
    /* A self-signed Full PKI Request must carry the SKI its SignerInfo names (§3.2). */
    ropt.add_ski = full && s->sign_key == NULL;
    if (parse_md(o, &ropt.md) != 0) {
        return -1;
    }
    cmc_status st;
    if (s->p10 == NULL && !crm) {
        if ((st = cmc_p10_build(&s->p10, s->ee_key, &ropt)) != CMC_OK) {
            REQ_FAIL("building the PKCS#10 request: %s", cmc_err(st));
        }
    }
    *out_full = full;
    if (!full) {
        int n = i2d_X509_REQ(s->p10, &s->out);
        if (n <= 0) {
            REQ_FAIL("cannot encode the PKCS#10 request");
        }
        s->out_len = (size_t)n;
        return 0;
    }
    if ((st = cmc_pki_data_builder_new(&s->pd)) != CMC_OK) {
        REQ_FAIL("%s", cmc_err(st));
    }
    if (add_common_controls(o, s) != 0) {
        return -1;
    }
    if (crm) {
        /* certReqId is the body part ID (RFC 5272 §3.2.1.2.2): after the controls. */
        if ((st = cmc_crmf_build(&s->crm, s->ee_key, 3, &ropt)) != CMC_OK ||
            (st = cmc_pki_data_builder_add_crm(s->pd, NULL, s->crm)) != CMC_OK) {
            REQ_FAIL("building the CRMF request: %s", cmc_err(st));
        }
    } else if ((st = cmc_pki_data_builder_add_tcr(s->pd, NULL, CMC_BPID_AUTO, s->p10)) != CMC_OK) {
        REQ_FAIL("adding the PKCS#10 request: %s", cmc_err(st));
    }
    return sign_pki_data(o, s, s->ee_key);
}

static int build_revoke(const tool_opts *o, req_state *s) {
    if (load_cert_id(o, s) != 0) {
        return -1;
    }
    const char *v = tool_opt_get(o, "reason");
    cmc_revoke_spec spec;
    memset(&spec, 0, sizeof(spec));
    if (v == NULL) {
        REQ_FAIL("revoke needs --reason (name or number)");
    }
    if (parse_reason(v, &spec.reason) != 0) {
        return -1;
    }
    spec.issuer = s->issuer;
    spec.serial = s->serial;
    if ((v = tool_opt_get(o, "invalidity-date")) != NULL) {
        if (tool_parse_time(v, &spec.invalidity_date) != 0) {
            REQ_FAIL("--invalidity-date needs YYYYMMDDHHMMSSZ or Unix seconds, not '%s'", v);
        }
        spec.has_invalidity_date = 1;
    }
    if ((v = tool_opt_get(o, "passphrase")) != NULL) {
        spec.passphrase = (const uint8_t *)v;
        spec.passphrase_len = strlen(v);
    }
    spec.comment = tool_opt_get(o, "comment");
    cmc_status st;
    if ((st = cmc_pki_data_builder_new(&s->pd)) != CMC_OK) {
        REQ_FAIL("%s", cmc_err(st));
    }
    if (add_common_controls(o, s) != 0) {
        return -1;
    }
    if ((st = cmc_pki_data_builder_add_revoke_request(s->pd, NULL, CMC_BPID_AUTO, &spec)) !=
        CMC_OK) {
        REQ_FAIL("revokeRequest: %s", cmc_err(st));
    }
    return sign_pki_data(o, s, NULL);
}

static int build_getcert(const tool_opts *o, req_state *s) {
    if (load_cert_id(o, s) != 0) {
        return -1;
    }
    cmc_status st;
    if ((st = cmc_pki_data_builder_new(&s->pd)) != CMC_OK) {
        REQ_FAIL("%s", cmc_err(st));
    }
    if (add_common_controls(o, s) != 0) {
        return -1;
    }
    if ((st = cmc_pki_data_builder_add_get_cert(s->pd, NULL, CMC_BPID_AUTO, s->issuer,
                                                s->serial)) != CMC_OK) {
        REQ_FAIL("getCert: %s", cmc_err(st));
    }
    return sign_pki_data(o, s, NULL);
}

/* Reject options that do not belong to the chosen verb, so a typo cannot be ignored. */
static int check_verb_options(const tool_opts *o, const char *verb) {
    static const char *const enroll_only[] = {"p10",     "key",    "newkey", "keyout",
                                              "subject", "format", "request"};
    static const char *const revoke_only[] = {"reason", "invalidity-date", "passphrase", "comment"};
    static const char *const id_only[] = {"cert", "issuer-cert", "issuer", "serial"};
    int enroll = strcmp(verb, "enroll") == 0, revoke = strcmp(verb, "revoke") == 0;
    for (size_t i = 0; i < sizeof(enroll_only) / sizeof(enroll_only[0]); i++) {
        if (!enroll && tool_opt_get(o, enroll_only[i]) != NULL) {
            REQ_FAIL("--%s is for enroll, not %s", enroll_only[i], verb);
        }
    }
    for (size_t i = 0; i < sizeof(revoke_only) / sizeof(revoke_only[0]); i++) {
        if (!revoke && tool_opt_get(o, revoke_only[i]) != NULL) {
            REQ_FAIL("--%s is for revoke, not %s", revoke_only[i], verb);
        }
    }
    for (size_t i = 0; i < sizeof(id_only) / sizeof(id_only[0]); i++) {
        if (enroll && tool_opt_get(o, id_only[i]) != NULL) {
            REQ_FAIL("--%s is for revoke and getcert, not enroll", id_only[i]);
        }
    }
    const char *send_only[] = {"timeout", "accept", "ca", "resp-out", "save-response"};
    for (size_t i = 0; i < sizeof(send_only) / sizeof(send_only[0]); i++) {
        if (tool_opt_get(o, "send") == NULL && tool_opt_get(o, send_only[i]) != NULL) {
            REQ_FAIL("--%s goes with --send", send_only[i]);
        }
    }
    return 0;
}

static int send_request(const tool_opts *o, req_state *s, int simple) {
#ifndef REQ_HAVE_TRANSPORT
    (void)o, (void)s, (void)simple;
    fprintf(stderr, "%s: --send: no client transport in this build\n", kProg);
    return RESP_EXIT_UNREADABLE;
#else
    const char *url = tool_opt_get(o, "send"), *v;
    cmc_transport_options topt;
    memset(&topt, 0, sizeof(topt));
    if ((v = tool_opt_get(o, "timeout")) != NULL) {
        uint64_t secs;
        if (tool_parse_u64(v, &secs) != 0 || secs == 0 || secs > 3600) {
            fprintf(stderr, "%s: --timeout needs 1..3600 seconds\n", kProg);
            return RESP_EXIT_UNREADABLE;
        }
        topt.timeout_ms = (unsigned)secs * 1000u;
    }
    cmc_transport *t = NULL;
    cmc_status st = cmc_transport_open(&t, url, &topt);
    if (st != CMC_OK) {
        fprintf(stderr, "%s: --send %s: %s\n", kProg, url, cmc_err(st));
        return RESP_EXIT_UNREADABLE;
    }
    cmc_http_request hr = {s->out, s->out_len,
                           cmc_media_type_str(simple ? CMC_MEDIA_PKCS10 : CMC_MEDIA_CMC_REQUEST),
                           tool_opt_get(o, "accept")};
    cmc_http_response resp;
    memset(&resp, 0, sizeof(resp));
    st = cmc_transport_exchange(t, &resp, &hr);
    cmc_transport_free(t);
    if (st != CMC_OK) {
        if (st == CMC_E_HTTP) {
            /* Print the server's short text reason (4xx bodies are text/plain). */
            int n = (int)(resp.body_len < 200 ? resp.body_len : 200);
            while (n > 0 && (resp.body[n - 1] == '\n' || resp.body[n - 1] == '\r')) {
                n--;
            }
            fprintf(stderr, "%s: %s answered HTTP %d: %.*s\n", kProg, url, resp.http_status,
                    strncasecmp(resp.media_type, "text/", 5) == 0 ? n : 0,
                    resp.body != NULL ? (const char *)resp.body : "");
        } else {
            fprintf(stderr, "%s: --send %s: %s\n", kProg, url, cmc_err(st));
        }
        cmc_http_response_cleanup(&resp);
        return RESP_EXIT_UNREADABLE;
    }
    char err[TOOL_ERR_LEN];
    if ((v = tool_opt_get(o, "save-response")) != NULL &&
        tool_write_file(v, resp.body, resp.body_len, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s: %s\n", kProg, err);
        cmc_http_response_cleanup(&resp);
        return RESP_EXIT_UNREADABLE;
    }
    resp_params p;
    memset(&p, 0, sizeof(p));
    p.prog = kProg;
    p.ca_file = tool_opt_get(o, "ca");
    p.out_file = tool_opt_get(o, "resp-out");
    p.out_form = TOOL_FORM_PEM;
    p.quiet = tool_opt_get(o, "quiet") != NULL;
    p.check_nonce = s->nonce;
    p.check_nonce_len = s->nonce_len;
    int rc = resp_report(&p, resp.body, resp.body_len,
                         resp.media_type[0] != '\0' ? resp.media_type : NULL);
    cmc_http_response_cleanup(&resp);
    return rc;
#endif
}

int cmd_req(int argc, char **argv) {
    tool_opts o;
    char err[TOOL_ERR_LEN];
    req_state s;
    memset(&s, 0, sizeof(s));
    int rc = 2;
    if (tool_opts_parse(&o, kReqOpts, REQ_NUM_OPTS, argc, argv, 1, "config", "req", err,
                        sizeof(err)) != 0) {
        fprintf(stderr, "%s: %s\n", kProg, err);
        tool_opts_cleanup(&o);
        return 2;
    }
    if (tool_opt_get(&o, "help") != NULL) {
        req_usage(stdout);
        tool_opts_cleanup(&o);
        return 0;
    }
    if (o.num_args != 1) {
        fprintf(stderr, "%s: give one of enroll, revoke, getcert (see --help)\n", kProg);
        goto done;
    }
    const char *verb = o.args[0];
    if (strcmp(verb, "enroll") != 0 && strcmp(verb, "revoke") != 0 &&
        strcmp(verb, "getcert") != 0) {
        fprintf(stderr, "%s: unknown request kind '%s' (enroll, revoke, getcert)\n", kProg, verb);
        goto done;
    }
    tool_form outform = TOOL_FORM_DER;
    const char *v;
    if ((v = tool_opt_get(&o, "outform")) != NULL && tool_form_parse(v, &outform) != 0) {
        fprintf(stderr, "%s: --outform must be der or pem, not '%s'\n", kProg, v);
        goto done;
    }
    if (check_verb_options(&o, verb) != 0 || load_signing(&o, &s) != 0) {
        goto done;
    }
    int full = 1;
    int built = strcmp(verb, "enroll") == 0   ? build_enroll(&o, &s, &full)
                : strcmp(verb, "revoke") == 0 ? build_revoke(&o, &s)
                                              : build_getcert(&o, &s);
    if (built != 0) {
        goto done;
    }
    if (s.nonce != NULL && tool_opt_get(&o, "sender-nonce") == NULL &&
        tool_opt_get(&o, "quiet") == NULL && tool_opt_get(&o, "send") == NULL) {
        fprintf(stderr, "senderNonce: ");
        tool_hex_print(stderr, s.nonce, s.nonce_len);
        fprintf(stderr, "\n");
    }
    const char *out = tool_opt_get(&o, "out");
    if (out != NULL || tool_opt_get(&o, "send") == NULL) {
        uint8_t *pem = NULL;
        size_t pem_len = 0;
        const uint8_t *data = s.out;
        size_t len = s.out_len;
        if (outform == TOOL_FORM_PEM) {
            if (tool_pem_encode(full ? "CMS" : "CERTIFICATE REQUEST", s.out, s.out_len, &pem,
                                &pem_len) != 0) {
                fprintf(stderr, "%s: cannot encode PEM\n", kProg);
                goto done;
            }
            data = pem;
            len = pem_len;
        }
        int wr = tool_write_file(out, data, len, err, sizeof(err));
        free(pem);
        if (wr != 0) {
            fprintf(stderr, "%s: %s\n", kProg, err);
            goto done;
        }
    }
    rc = tool_opt_get(&o, "send") != NULL ? send_request(&o, &s, !full) : 0;
done:
    req_cleanup(&s);
    tool_opts_cleanup(&o);
    return rc;
}
