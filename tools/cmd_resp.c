/* cmd_resp.c: `cmckit resp`: read a CMC response (certs-only, pkix-cert or Full PKI
 * Response; DER or PEM), verify its signature against a given CA, print the status of every
 * body part, transactionId, nonces and certificates, and write the issued certificates.
 * Exit 0 on success, 1 on a failed or other status, 2 on unreadable input (issue 8). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "cmc/asn1.h"
#include "cmc/msg.h"
#include "cmckit.h"
#include "resp.h"
#include "tool_io.h"

static const tool_opt kRespOpts[] = {
    {"in", 1, "FILE   response to read (or the first argument; - = stdin)"},
    {"inform", 1, "der|pem   input encoding (default: detected)"},
    {"media-type", 1, "TYPE   Content-Type the response came with (a hint)"},
    {"ca", 1, "FILE   trust anchor(s) the response signer must chain to"},
    {"untrusted", 1, "FILE   intermediate certificates for that path"},
    {"at", 1, "TIME   verify the signer path at TIME (YYYYMMDDHHMMSSZ or Unix seconds)"},
    {"check-nonce", 1, "HEX   the senderNonce you sent: recipientNonce must equal it"},
    {"out", 1, "FILE   write the issued certificates to FILE"},
    {"outform", 1, "pem|der   encoding for --out (default pem; der needs one cert)"},
    {"quiet", 0, "  print only the result line"},
    {"help", 0, "  this help"},
};
#define RESP_NUM_OPTS (sizeof(kRespOpts) / sizeof(kRespOpts[0]))

static void resp_usage(FILE *f) {
    fprintf(f, "usage: cmckit resp [FILE|-] [options]\n"
               "Read and check a CMC response; exit 0 success, 1 failed or other status,\n"
               "2 unreadable input.\n\n");
    tool_opts_usage(f, kRespOpts, RESP_NUM_OPTS);
}

/* ---- printing helpers ---- */

static void print_name(FILE *f, const X509_NAME *name) {
    char *s = X509_NAME_oneline(name, NULL, 0);
    fprintf(f, "%s", s != NULL ? s : "?");
    OPENSSL_free(s);
}

static void print_time(FILE *f, const ASN1_TIME *t) {
    struct tm tm;
    char buf[32];
    if (t != NULL && ASN1_TIME_to_tm(t, &tm) &&
        strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) > 0) {
        fprintf(f, "%s", buf);
    } else {
        fprintf(f, "?");
    }
}

static void print_integer_hex(FILE *f, const ASN1_INTEGER *a) {
    BIGNUM *bn = ASN1_INTEGER_to_BN(a, NULL);
    char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;
    if (hex != NULL) {
        /* BN_bn2hex writes "-..." for negatives and upper case; print 0x + lower case. */
        const char *h = hex[0] == '-' ? hex + 1 : hex;
        fprintf(f, "%s0x", hex[0] == '-' ? "-" : "");
        for (const char *q = h; *q != '\0'; q++) {
            fputc(*q >= 'A' && *q <= 'F' ? *q - 'A' + 'a' : *q, f);
        }
    } else {
        fprintf(f, "?");
    }
    OPENSSL_free(hex);
    BN_free(bn);
}

static void print_integer_dec(FILE *f, const ASN1_INTEGER *a) {
    BIGNUM *bn = ASN1_INTEGER_to_BN(a, NULL);
    char *dec = bn != NULL ? BN_bn2dec(bn) : NULL;
    fprintf(f, "%s", dec != NULL ? dec : "?");
    OPENSSL_free(dec);
    BN_free(bn);
}

static void print_utf8_quoted(FILE *f, const char *s) {
    fputc('"', f);
    for (const unsigned char *q = (const unsigned char *)s; *q != '\0'; q++) {
        if (*q == '"' || *q == '\\') {
            fprintf(f, "\\%c", *q);
        } else if (*q < 0x20 || *q == 0x7f) {
            fprintf(f, "\\x%02x", *q);
        } else {
            fputc(*q, f);
        }
    }
    fputc('"', f);
}

static const char *kind_name(cmc_response_kind k) {
    switch (k) {
    case CMC_RESPONSE_CERTS_ONLY:
        return "Simple PKI Response (certs-only)";
    case CMC_RESPONSE_PKIX_CERT:
        return "certificate (application/pkix-cert)";
    case CMC_RESPONSE_FULL:
        return "Full PKI Response (CMC-response)";
    default:
        return "unknown";
    }
}

/* A certificate is "issued" (written by --out) unless it is a CA certificate or the
 * response signer's own certificate. */
static int is_issued_cert(X509 *x, const X509 *signer) {
    if (signer != NULL && X509_cmp(x, signer) == 0) {
        return 0;
    }
    return X509_check_ca(x) == 0;
}

static int write_certs(const resp_params *p, const cmc_response *r) {
    BIO *b = BIO_new(BIO_s_mem());
    int n = 0;
    uint8_t *der = NULL;
    int der_len = 0;
    for (int i = 0; b != NULL && i < sk_X509_num(r->certs); i++) {
        X509 *x = sk_X509_value(r->certs, i);
        if (!is_issued_cert(x, r->signer_cert)) {
            continue;
        }
        n++;
        if (p->out_form == TOOL_FORM_DER) {
            OPENSSL_free(der);
            der = NULL;
            der_len = i2d_X509(x, &der);
        } else {
            PEM_write_bio_X509(b, x);
        }
    }
    char err[TOOL_ERR_LEN];
    int rc = -1;
    if (b == NULL) {
        fprintf(stderr, "%s: out of memory\n", p->prog);
    } else if (n == 0) {
        fprintf(stderr, "%s: no issued certificate in the response to write to %s\n", p->prog,
                p->out_file);
    } else if (p->out_form == TOOL_FORM_DER && n != 1) {
        fprintf(stderr, "%s: --outform der needs exactly one certificate, the response has %d\n",
                p->prog, n);
    } else if (p->out_form == TOOL_FORM_DER) {
        if (der_len <= 0 ||
            tool_write_file(p->out_file, der, (size_t)der_len, err, sizeof(err)) != 0) {
            fprintf(stderr, "%s: %s\n", p->prog, der_len <= 0 ? "cannot encode" : err);
        } else {
            rc = 0;
        }
    } else {
        char *data = NULL;
        long len = BIO_get_mem_data(b, &data);
        if (tool_write_file(p->out_file, (const uint8_t *)data, (size_t)len, err, sizeof(err)) !=
            0) {
            fprintf(stderr, "%s: %s\n", p->prog, err);
        } else {
            rc = 0;
        }
    }
    OPENSSL_free(der);
    BIO_free(b);
    return rc;
}

static int load_store(const resp_params *p, X509_STORE **out_store, STACK_OF(X509) **out_untr) {
    char err[TOOL_ERR_LEN];
    STACK_OF(X509) *cas = NULL;
    if (tool_load_certs(p->ca_file, &cas, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s: %s\n", p->prog, err);
        return -1;
    }
    X509_STORE *store = X509_STORE_new();
    for (int i = 0; store != NULL && i < sk_X509_num(cas); i++) {
        X509_STORE_add_cert(store, sk_X509_value(cas, i));
    }
    sk_X509_pop_free(cas, X509_free);
    if (store == NULL) {
        fprintf(stderr, "%s: out of memory\n", p->prog);
        return -1;
    }
    if (p->untrusted_file != NULL &&
        tool_load_certs(p->untrusted_file, out_untr, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s: %s\n", p->prog, err);
        X509_STORE_free(store);
        return -1;
    }
    *out_store = store;
    return 0;
}

int resp_report(const resp_params *p, const uint8_t *in, size_t in_len, const char *media_type) {
    int rc = RESP_EXIT_UNREADABLE;
    uint8_t *pem_der = NULL;
    size_t pem_der_len = 0;
    char *pem_name = NULL;
    X509_STORE *store = NULL;
    STACK_OF(X509) *untrusted = NULL;
    cmc_response r;
    cmc_response_init(&r);
    char err[TOOL_ERR_LEN];

    if (tool_is_pem(in, in_len)) {
        if (tool_pem_decode(in, in_len, &pem_name, &pem_der, &pem_der_len, err, sizeof(err)) != 0) {
            fprintf(stderr, "%s: unreadable response: %s\n", p->prog, err);
            goto done;
        }
        in = pem_der;
        in_len = pem_der_len;
        if (media_type == NULL && strcmp(pem_name, "CERTIFICATE") == 0) {
            media_type = "application/pkix-cert";
        }
    }
    if (p->ca_file != NULL && load_store(p, &store, &untrusted) != 0) {
        goto done;
    }
    cmc_verify_options vopt;
    memset(&vopt, 0, sizeof(vopt));
    vopt.trust = store;
    vopt.untrusted = untrusted;
    vopt.verify_time = p->verify_time;
    vopt.flags = store == NULL ? CMC_VERIFY_NO_CHAIN : 0;
    cmc_status st = cmc_response_read(&r, in, in_len, media_type, &vopt);
    if (st != CMC_OK) {
        fprintf(stderr, "%s: unreadable response: %s\n", p->prog, cmc_status_str(st));
        cmc_error_clear();
        goto done;
    }

    FILE *f = stdout;
    int ok = 1;
    const char *why = NULL;
    if (!p->quiet) {
        fprintf(f, "response: %s\n", kind_name(r.kind));
    }
    if (r.kind == CMC_RESPONSE_FULL) {
        int sig_ok = r.verify_status == CMC_OK;
        if (!p->quiet) {
            fprintf(f, "signature: %s", sig_ok ? "valid" : "NOT VALID");
            if (!sig_ok) {
                fprintf(f, " (%s)", cmc_status_str(r.verify_status));
            }
            fprintf(f, "%s",
                    store != NULL ? (sig_ok ? ", chains to --ca" : "")
                                  : ", path not checked (no --ca)");
            if (r.signer_cert != NULL) {
                fprintf(f, ", signer ");
                print_name(f, X509_get_subject_name(r.signer_cert));
            }
            fprintf(f, "\n");
        }
        if (!sig_ok) {
            ok = 0;
            why = "signature not valid";
        }
        if (!p->quiet) {
            if (r.transaction_id != NULL) {
                fprintf(f, "transactionId: ");
                print_integer_dec(f, r.transaction_id);
                fprintf(f, "\n");
            }
            if (r.sender_nonce != NULL) {
                fprintf(f, "senderNonce: ");
                tool_hex_print(f, r.sender_nonce, r.sender_nonce_len);
                fprintf(f, "\n");
            }
            if (r.recipient_nonce != NULL) {
                fprintf(f, "recipientNonce: ");
                tool_hex_print(f, r.recipient_nonce, r.recipient_nonce_len);
                fprintf(f, "\n");
            }
            if (r.data_return != NULL) {
                fprintf(f, "dataReturn: ");
                tool_hex_print(f, r.data_return, r.data_return_len);
                fprintf(f, "\n");
            }
        }
        for (size_t i = 0; i < r.num_statuses; i++) {
            const cmc_response_status *s = &r.statuses[i];
            if (!p->quiet) {
                fprintf(f, "status: bodyList {");
                for (size_t k = 0; k < s->num_body_list; k++) {
                    fprintf(f, "%s%lld", k ? ", " : "", (long long)s->body_list[k]);
                }
                const char *sn = cmc_cmc_status_name(s->status);
                fprintf(f, "} %s (%ld)", sn != NULL ? sn : "unknown", s->status);
                if (s->fail_info >= 0) {
                    const char *fn = cmc_fail_info_name(s->fail_info);
                    fprintf(f, ", failInfo %s (%ld)", fn != NULL ? fn : "unknown", s->fail_info);
                }
                if (s->status_string != NULL) {
                    fprintf(f, ", statusString ");
                    print_utf8_quoted(f, s->status_string);
                }
                fprintf(f, "%s\n", s->v2 ? "" : " [statusInfo v1]");
            }
            if (s->status != CMC_STATUS_SUCCESS && ok) {
                ok = 0;
                why = "a body part did not succeed";
            }
        }
    }
    if (p->check_nonce != NULL) {
        int match = r.recipient_nonce != NULL && r.recipient_nonce_len == p->check_nonce_len &&
                    memcmp(r.recipient_nonce, p->check_nonce, p->check_nonce_len) == 0;
        if (!p->quiet) {
            fprintf(f, "nonce check: recipientNonce %s the senderNonce sent\n",
                    r.recipient_nonce == NULL ? "absent, expected"
                    : match                   ? "matches"
                                              : "DIFFERS from");
        }
        if (!match && ok) {
            ok = 0;
            why = "recipientNonce does not match";
        }
    }
    for (int i = 0; !p->quiet && i < sk_X509_num(r.certs); i++) {
        X509 *x = sk_X509_value(r.certs, i);
        fprintf(f, "certificate: subject ");
        print_name(f, X509_get_subject_name(x));
        fprintf(f, ", serial ");
        print_integer_hex(f, X509_get0_serialNumber(x));
        fprintf(f, ", notBefore ");
        print_time(f, X509_get0_notBefore(x));
        fprintf(f, ", notAfter ");
        print_time(f, X509_get0_notAfter(x));
        fprintf(f, ", issuer ");
        print_name(f, X509_get_issuer_name(x));
        fprintf(f, "%s\n", is_issued_cert(x, r.signer_cert) ? "" : " [CA or signer]");
    }
    if (r.kind != CMC_RESPONSE_FULL && sk_X509_num(r.certs) == 0 && ok) {
        ok = 0;
        why = "no certificate in the response";
    }
    if (p->out_file != NULL && ok && write_certs(p, &r) != 0) {
        rc = RESP_EXIT_UNREADABLE;
        goto done;
    }
    fprintf(f, "result: %s%s%s\n", ok ? "success" : "failed", ok ? "" : ": ", ok ? "" : why);
    fflush(f);
    rc = ok ? RESP_EXIT_SUCCESS : RESP_EXIT_FAILED;
done:
    cmc_response_cleanup(&r);
    X509_STORE_free(store);
    sk_X509_pop_free(untrusted, X509_free);
    OPENSSL_free(pem_der);
    OPENSSL_free(pem_name);
    return rc;
}

int cmd_resp(int argc, char **argv) {
    tool_opts o;
    char err[TOOL_ERR_LEN];
    const char *prog = "cmckit resp";
    int rc = RESP_EXIT_UNREADABLE;
    uint8_t *in = NULL, *nonce = NULL;
    size_t in_len = 0, nonce_len = 0;
    if (tool_opts_parse(&o, kRespOpts, RESP_NUM_OPTS, argc, argv, 1, NULL, NULL, err,
                        sizeof(err)) != 0) {
        fprintf(stderr, "%s: %s\n", prog, err);
        tool_opts_cleanup(&o);
        return RESP_EXIT_UNREADABLE;
    }
    if (tool_opt_get(&o, "help") != NULL) {
        resp_usage(stdout);
        tool_opts_cleanup(&o);
        return 0;
    }
    resp_params p;
    memset(&p, 0, sizeof(p));
    p.prog = prog;
    p.ca_file = tool_opt_get(&o, "ca");
    p.untrusted_file = tool_opt_get(&o, "untrusted");
    p.out_file = tool_opt_get(&o, "out");
    p.out_form = TOOL_FORM_PEM;
    p.quiet = tool_opt_get(&o, "quiet") != NULL;
    const char *path = tool_opt_get(&o, "in");
    if (path == NULL && o.num_args == 1) {
        path = o.args[0];
    }
    const char *v;
    if (path == NULL || o.num_args > (tool_opt_get(&o, "in") != NULL ? 0u : 1u)) {
        fprintf(stderr, "%s: give exactly one response file (or - for stdin)\n", prog);
        goto done;
    }
    if ((v = tool_opt_get(&o, "outform")) != NULL && tool_form_parse(v, &p.out_form) != 0) {
        fprintf(stderr, "%s: --outform must be pem or der, not '%s'\n", prog, v);
        goto done;
    }
    if ((v = tool_opt_get(&o, "check-nonce")) != NULL) {
        if (tool_hex_decode(v, &nonce, &nonce_len) != 0) {
            fprintf(stderr, "%s: --check-nonce needs an even number of hex digits\n", prog);
            goto done;
        }
        p.check_nonce = nonce;
        p.check_nonce_len = nonce_len;
    }
    if ((v = tool_opt_get(&o, "at")) != NULL && tool_parse_time(v, &p.verify_time) != 0) {
        fprintf(stderr, "%s: --at needs YYYYMMDDHHMMSSZ or Unix seconds, not '%s'\n", prog, v);
        goto done;
    }
    if (tool_read_file(path, &in, &in_len, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s: %s\n", prog, err);
        goto done;
    }
    tool_form inform = TOOL_FORM_AUTO;
    if ((v = tool_opt_get(&o, "inform")) != NULL) {
        if (tool_form_parse(v, &inform) != 0) {
            fprintf(stderr, "%s: --inform must be pem or der, not '%s'\n", prog, v);
            goto done;
        }
        if ((inform == TOOL_FORM_PEM) != (tool_is_pem(in, in_len) != 0)) {
            fprintf(stderr, "%s: %s: not %s\n", prog, path,
                    inform == TOOL_FORM_PEM ? "PEM" : "DER");
            goto done;
        }
    }
    rc = resp_report(&p, in, in_len, tool_opt_get(&o, "media-type"));
done:
    free(in);
    free(nonce);
    tool_opts_cleanup(&o);
    return rc;
}
