/* transport_load_test: the HTTP listener in front of the real reference core under load
 * (issue 4): 2,000 Full PKI Requests (enrollments) from 8 concurrent connections, every
 * answer checked to be the certificate for exactly the request that was sent, none lost,
 * and the store holding every acknowledged certificate afterwards.
 * Loopback only, bounded: LOAD_CLIENTS x LOAD_PER_CLIENT requests, each with the client's
 * timeout. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmc/listener.h"
#include "cmc/msg.h"
#include "cmc/transport.h"
#include "server_test_util.h"

#define LOAD_CLIENTS 8
#define LOAD_PER_CLIENT 250 /* 8 x 250 = 2,000 requests */
#define LOAD_TOTAL (LOAD_CLIENTS * LOAD_PER_CLIENT)
#define LOAD_STATE_SAMPLE 25 /* every 25th issued certificate is looked up in the store */

typedef struct {
    uint8_t *body;
    size_t len;
    char cn[32];
} load_request;

typedef struct {
    const char *url;
    load_request *reqs; /* this client's LOAD_PER_CLIENT requests */
    X509 **issued;      /* out: the certificate answered for each request (new) */
    unsigned ok;
    char first_error[160];
} load_client_arg;

/* The one certificate in |r| whose subject CN is |cn|, or NULL. */
static X509 *find_issued(const cmc_response *r, const char *cn) {
    X509 *found = NULL;
    for (int i = 0; i < sk_X509_num(r->certs); i++) {
        X509 *x = sk_X509_value(r->certs, i);
        char buf[64];
        if (X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, buf, sizeof(buf)) >
                0 &&
            strcmp(buf, cn) == 0) {
            if (found != NULL) {
                return NULL; /* two certificates for one request */
            }
            found = x;
        }
    }
    return found;
}

static void note_error(load_client_arg *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void note_error(load_client_arg *a, const char *fmt, ...) {
    if (a->first_error[0] != '\0') {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->first_error, sizeof(a->first_error), fmt, ap);
    va_end(ap);
}

static void *load_client(void *p) {
    load_client_arg *a = p;
    cmc_transport *t = NULL;
    if (cmc_transport_open(&t, a->url, NULL) != CMC_OK) {
        note_error(a, "cannot open %s", a->url);
        return NULL;
    }
    for (unsigned i = 0; i < LOAD_PER_CLIENT; i++) {
        load_request *q = &a->reqs[i];
        cmc_http_request req = {q->body, q->len, SU_CMC_REQUEST, NULL};
        cmc_http_response resp;
        memset(&resp, 0, sizeof(resp));
        cmc_status st = cmc_transport_exchange(t, &resp, &req);
        if (st != CMC_OK || resp.http_status != 200) {
            note_error(a, "%s: %s, HTTP %d", q->cn, cmc_status_name(st), resp.http_status);
            cmc_http_response_cleanup(&resp);
            continue;
        }
        cmc_response r;
        cmc_response_init(&r);
        if (cmc_response_read(&r, resp.body, resp.body_len, resp.media_type, NULL) != CMC_OK ||
            r.kind != CMC_RESPONSE_CERTS_ONLY) {
            note_error(a, "%s: not a certs-only answer (%s)", q->cn, resp.media_type);
        } else {
            X509 *x = find_issued(&r, q->cn);
            if (x == NULL) {
                note_error(a, "%s: no single certificate for this request", q->cn);
            } else {
                X509_up_ref(x);
                a->issued[i] = x;
                a->ok++;
            }
        }
        cmc_response_cleanup(&r);
        cmc_http_response_cleanup(&resp);
    }
    cmc_transport_free(t);
    return NULL;
}

static void build_request(load_request *q, unsigned n) {
    snprintf(q->cn, sizeof(q->cn), "load-%04u", n);
    char subject[64];
    snprintf(subject, sizeof(subject), "/O=cmckit load test/CN=%s", q->cn);
    cmc_pki_data_builder *b = NULL;
    assert_int_equal(cmc_pki_data_builder_new(&b), CMC_OK);
    X509_REQ *req = su_p10("ee-p256.key.pem", subject);
    assert_int_equal(cmc_pki_data_builder_add_tcr(b, NULL, 1, req), CMC_OK);
    su_sign_builder(&q->body, &q->len, b, "officer-both-p256");
    X509_REQ_free(req);
    cmc_pki_data_builder_free(b);
}

static void test_http_load_2000_enrollments_8_connections_real_core(void **state) {
    (void)state;
    cmc_server *srv = su_server();
    cmc_listener_options o;
    memset(&o, 0, sizeof(o));
    cmc_listener *l = NULL;
    assert_int_equal(cmc_listener_start_http(&l, &o, cmc_server_handler, srv), CMC_OK);
    char url[128];
    assert_non_null(cmc_listener_url(l, url, sizeof(url)));

    load_request *reqs = calloc(LOAD_TOTAL, sizeof(*reqs));
    X509 **issued = calloc(LOAD_TOTAL, sizeof(*issued));
    assert_non_null(reqs);
    assert_non_null(issued);
    for (unsigned n = 0; n < LOAD_TOTAL; n++) {
        build_request(&reqs[n], n);
    }

    pthread_t th[LOAD_CLIENTS];
    load_client_arg args[LOAD_CLIENTS];
    memset(args, 0, sizeof(args));
    for (unsigned c = 0; c < LOAD_CLIENTS; c++) {
        args[c].url = url;
        args[c].reqs = &reqs[c * LOAD_PER_CLIENT];
        args[c].issued = &issued[c * LOAD_PER_CLIENT];
        assert_int_equal(pthread_create(&th[c], NULL, load_client, &args[c]), 0);
    }
    unsigned ok = 0;
    for (unsigned c = 0; c < LOAD_CLIENTS; c++) {
        assert_int_equal(pthread_join(th[c], NULL), 0);
        if (args[c].first_error[0] != '\0') {
            fail_msg("client %u: %s", c, args[c].first_error);
        }
        ok += args[c].ok;
    }
    cmc_listener_free(l);
    assert_int_equal(ok, LOAD_TOTAL);

    /* Every answer is a distinct certificate: 2,000 different serial numbers. */
    for (unsigned n = 0; n < LOAD_TOTAL; n++) {
        for (unsigned m = n + 1; m < LOAD_TOTAL; m++) {
            assert_int_not_equal(ASN1_INTEGER_cmp(X509_get0_serialNumber(issued[n]),
                                                  X509_get0_serialNumber(issued[m])),
                                 0);
        }
    }
    /* Acknowledged means stored: the core reports a sample of them as good by getCert. */
    for (unsigned n = 0; n < LOAD_TOTAL; n += LOAD_STATE_SAMPLE) {
        cmc_cert_state s = su_state(srv, issued[n]);
        assert_false(s.revoked);
    }

    for (unsigned n = 0; n < LOAD_TOTAL; n++) {
        X509_free(issued[n]);
        cmc_free(reqs[n].body);
    }
    free(issued);
    free(reqs);
    cmc_server_free(srv);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_http_load_2000_enrollments_8_connections_real_core),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
