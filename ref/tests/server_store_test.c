/* server_store_test.c: the SQLite store through the public server API: concurrent issuance
 * and revocation from several threads, durability across a reopen of the database file,
 * and exactly one success among concurrent revocations of one serial. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>

#include "server_test_util.h"

#define NUM_THREADS 4
#define CERTS_PER_THREAD 3

static char g_store_path[1024];

static void tweak_file_store(cmc_server_config *cfg) {
    assert_int_equal(cmc_server_config_set_store(cfg, g_store_path), CMC_OK);
}

static void remove_store(void) {
    char p[1100];
    unlink(g_store_path);
    assert_true((size_t)snprintf(p, sizeof(p), "%s-wal", g_store_path) < sizeof(p));
    unlink(p);
    assert_true((size_t)snprintf(p, sizeof(p), "%s-shm", g_store_path) < sizeof(p));
    unlink(p);
}

typedef struct {
    cmc_server *srv;
    int index;
    X509 *certs[CERTS_PER_THREAD];
    int revoked[CERTS_PER_THREAD]; /* acknowledged revocations */
    long reasons[CERTS_PER_THREAD];
} worker;

static void *work(void *arg) {
    worker *w = arg;
    static const long kReasons[] = {0, 1, 3, 4, 5};
    for (int i = 0; i < CERTS_PER_THREAD; i++) {
        w->certs[i] = su_enroll(w->srv, i % 2 ? "ee-p256.key.pem" : "ee-ed25519.key.pem");
        if (i == CERTS_PER_THREAD - 1) {
            break; /* the last one stays good */
        }
        w->reasons[i] = kReasons[(w->index + i) % 5];
        cmc_http_response resp;
        cmc_response r;
        su_revoke(w->srv, "officer-revoke", w->certs[i], w->reasons[i], &resp, &r);
        const cmc_response_status *s = cmc_response_find_status(&r, 1);
        w->revoked[i] = s != NULL && s->status == CMC_STATUS_SUCCESS;
        cmc_response_cleanup(&r);
        cmc_http_response_cleanup(&resp);
    }
    return NULL;
}

static void test_store_keeps_every_acknowledged_change_across_reopen(void **state) {
    (void)state;
    su_tmp_path(g_store_path, sizeof(g_store_path), "store.sqlite");
    remove_store();
    cmc_server *srv = su_server_ex(tweak_file_store);
    worker w[NUM_THREADS];
    pthread_t t[NUM_THREADS];
    memset(w, 0, sizeof(w));
    for (int i = 0; i < NUM_THREADS; i++) {
        w[i].srv = srv;
        w[i].index = i;
        assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < NUM_THREADS; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
    }
    cmc_server_free(srv);
    /* Reopen the file with a new server object and check every acknowledged change. */
    srv = su_server_ex(tweak_file_store);
    for (int i = 0; i < NUM_THREADS; i++) {
        for (int k = 0; k < CERTS_PER_THREAD; k++) {
            assert_non_null(w[i].certs[k]);
            cmc_cert_state cs = su_state(srv, w[i].certs[k]);
            if (k == CERTS_PER_THREAD - 1) {
                assert_int_equal(cs.revoked, 0);
            } else {
                assert_int_equal(w[i].revoked[k], 1);
                assert_int_equal(cs.revoked, 1);
                assert_int_equal(cs.reason, w[i].reasons[k]);
            }
        }
    }
    /* Serials are unique, also after the reopen (the seeded stream continues). */
    X509 *again = su_enroll(srv, "ee-p256.key.pem");
    for (int i = 0; i < NUM_THREADS; i++) {
        for (int k = 0; k < CERTS_PER_THREAD; k++) {
            assert_int_not_equal(ASN1_INTEGER_cmp(X509_get0_serialNumber(again),
                                                  X509_get0_serialNumber(w[i].certs[k])),
                                 0);
            X509_free(w[i].certs[k]);
        }
    }
    X509_free(again);
    cmc_server_free(srv);
    remove_store();
}

typedef struct {
    cmc_server *srv;
    X509 *cert;
    pthread_barrier_t *go;
    long status;
    long fail_info;
    char text[128];
} racer;

static void *race(void *arg) {
    racer *rc = arg;
    pthread_barrier_wait(rc->go);
    cmc_http_response resp;
    cmc_response r;
    su_revoke(rc->srv, "officer-both", rc->cert, 1, &resp, &r);
    const cmc_response_status *s = cmc_response_find_status(&r, 1);
    rc->status = s ? s->status : -1;
    rc->fail_info = s ? s->fail_info : -1;
    assert_true((size_t)snprintf(rc->text, sizeof(rc->text), "%s",
                                 s && s->status_string ? s->status_string : "") < sizeof(rc->text));
    cmc_response_cleanup(&r);
    cmc_http_response_cleanup(&resp);
    return NULL;
}

static void race_once(cmc_server *srv) {
    enum { N = 6 };
    X509 *cert = su_enroll(srv, "ee-p256.key.pem");
    pthread_barrier_t go;
    assert_int_equal(pthread_barrier_init(&go, NULL, N), 0);
    racer rc[N];
    pthread_t t[N];
    for (int i = 0; i < N; i++) {
        rc[i] = (racer){.srv = srv, .cert = cert, .go = &go};
        assert_int_equal(pthread_create(&t[i], NULL, race, &rc[i]), 0);
    }
    int ok = 0, already = 0;
    for (int i = 0; i < N; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        if (rc[i].status == CMC_STATUS_SUCCESS) {
            ok++;
        } else if (rc[i].status == CMC_STATUS_FAILED && rc[i].fail_info == CMC_FAIL_BAD_REQUEST &&
                   strcmp(rc[i].text, "already revoked") == 0) {
            already++;
        }
    }
    assert_int_equal(ok, 1);
    assert_int_equal(already, N - 1);
    pthread_barrier_destroy(&go);
    X509_free(cert);
}

static void test_store_concurrent_revocations_exactly_one_succeeds(void **state) {
    (void)state;
    cmc_server *srv = su_server(); /* :memory: */
    race_once(srv);
    cmc_server_free(srv);
    su_tmp_path(g_store_path, sizeof(g_store_path), "race.sqlite");
    remove_store();
    srv = su_server_ex(tweak_file_store);
    race_once(srv);
    cmc_server_free(srv);
    remove_store();
}

static void test_store_refuses_unopenable_path(void **state) {
    (void)state;
    cmc_server_config *cfg = NULL;
    assert_int_equal(cmc_server_config_embedded(&cfg), CMC_OK);
    assert_int_equal(cmc_server_config_set_store(cfg, "/nonexistent-dir/x/store.sqlite"), CMC_OK);
    cmc_server *srv = NULL;
    assert_int_equal(cmc_server_new(&srv, cfg), CMC_E_STORE);
    assert_null(srv);
    cmc_server_config_free(cfg);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_keeps_every_acknowledged_change_across_reopen),
        cmocka_unit_test(test_store_concurrent_revocations_exactly_one_succeeds),
        cmocka_unit_test(test_store_refuses_unopenable_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
