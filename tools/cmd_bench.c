/* cmd_bench.c: `cmckit bench`: throughput of the reference core (in process, store in memory
 * and on disk) for enroll (Simple and Full PKI Request) and revoke with RSA-2048, ECDSA
 * P-256 and Ed25519 fixture keys; in the same run the crypto-only bound (bench_crypto.c) and
 * ratio = requests/s / bound; with --transport http|tcp the same against `cmckit serve` with
 * N concurrent clients and p50/p99 latency (issue 8). Not a test: numbers vary per machine.
 *
 * Timing: the in-process rows and the bound are measured in thread CPU time, interleaved in
 * rounds, so other processes on a shared machine distort the ratio as little as possible;
 * wall-clock requests/s is printed next to it (for the disk store it includes fsync). */
#include "cmc/server.h"
#if defined(CMC_ROLE_ENROLL) && __has_include("cmc/transport.h") /* until both are on main */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include "bench.h"
#include "cmc/msg.h"
#include "cmc/server.h"
#include "cmc/transport.h"
#include "cmckit.h"
#include "fixtures.h"
#include "tool_io.h"

/* Requests per row unless --requests: enough for a stable rate at ~1 ms per request, small
 * enough that the default run (18 rows plus setup) stays around a minute on a loaded box. */
#define BENCH_DEFAULT_REQUESTS 200
#define BENCH_MAX_REQUESTS 1000000
/* Measurement rounds: server and bound alternate this many times per row. */
#define BENCH_DEFAULT_ROUNDS 6
#define BENCH_MAX_CLIENTS 256
#define BENCH_MAX_THREADS 64 /* in-process worker threads (--threads) */
#define BENCH_NONCE_BYTES 16

static const char *const kProg = "cmckit bench";

typedef struct {
    const char *name;
    const char *ee_key;
    const char *officer;
} bench_keyset;

static const bench_keyset kKeysets[] = {
    {"rsa2048", "ee-rsa2048.key.pem", "officer-both"},
    {"p256", "ee-p256.key.pem", "officer-both-p256"},
    {"ed25519", "ee-ed25519.key.pem", "officer-both-ed25519"},
};
#define BENCH_NUM_KEYSETS (sizeof(kKeysets) / sizeof(kKeysets[0]))

typedef enum { OP_ENROLL_SIMPLE = 0, OP_ENROLL_FULL, OP_ENROLL_CRM, OP_REVOKE, OP_COUNT } bench_op;
static const char *const kOpNames[OP_COUNT] = {"enroll-simple", "enroll-full", "enroll-crm",
                                               "revoke"};

static const tool_opt kBenchOpts[] = {
    {"ops", 1, "LIST   enroll-simple,enroll-full,enroll-crm,revoke (default: all but crm)"},
    {"keys", 1, "LIST   rsa2048,p256,ed25519 (default: all)"},
    {"stores", 1, "LIST   memory,disk (default: both; in-process only)"},
    {"requests", 1, "N   requests per row (default 200)"},
    {"rounds", 1, "N   alternate core and bound measurement N times per row (default 6)"},
    {"dir", 1, "DIR   directory for the disk store (default: a new one under $TMPDIR)"},
    {"transport", 1, "http|tcp   measure against `cmckit serve` instead of in process"},
    {"url", 1, "URL   with --transport: an already running server (default: start one)"},
    {"clients", 1, "N   with --transport: concurrent clients (default 8)"},
    {"threads", 1,
     "N   in-process rows: N threads share one server (default 1; shows group "
     "commit on disk)"},
    {"json", 0, "  print JSON instead of the table"},
    {"help", 0, "  this help"},
};
#define BENCH_NUM_OPTS (sizeof(kBenchOpts) / sizeof(kBenchOpts[0]))

/* One result row. */
typedef struct {
    bench_op op;
    const bench_keyset *ks;
    const char *store; /* "memory", "disk", or the transport name */
    size_t n, errors;
    double wall_s, cpu_s; /* core: wall and thread CPU seconds for |n| requests */
    size_t bound_n;
    double bound_cpu_s;    /* crypto-only bound */
    double best_cpu_req;   /* lowest core CPU seconds per request over the rounds */
    double best_bound_req; /* lowest bound CPU seconds per request over the rounds */
    double best_dec_req;   /* the same for the bound with the key import */
    unsigned steps;
    int clients; /* transport rows */
    double p50_ms, p99_ms;
    long server_rss_kib; /* transport rows with a spawned server: VmHWM */
    double server_cpu_s; /* transport rows with a spawned server: its CPU time in the row */
    char error[160];
} bench_row;

typedef struct {
    size_t n_req;
    int rounds;
    const char *dir;
    int clients;
    int threads; /* in-process worker threads */
} bench_cfg;

static double now_s(clockid_t clk) {
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- exchanges: in process or over a transport ---- */

typedef cmc_status (*bench_xchg_fn)(void *ctx, const cmc_http_request *req,
                                    cmc_http_response *resp);

static cmc_status xchg_server(void *ctx, const cmc_http_request *req, cmc_http_response *resp) {
    return cmc_server_handle((cmc_server *)ctx, req, resp);
}

static cmc_status xchg_transport(void *ctx, const cmc_http_request *req, cmc_http_response *resp) {
    return cmc_transport_exchange((cmc_transport *)ctx, resp, req);
}

/* A prepared request. */
typedef struct {
    uint8_t *der;
    size_t len;
    const char *media_type;
} bench_req;

static void free_reqs(bench_req *r, size_t n) {
    for (size_t i = 0; r != NULL && i < n; i++) {
        cmc_free(r[i].der);
    }
    free(r);
}

/* Signing material of one key set. */
typedef struct {
    EVP_PKEY *ee_key, *officer_key;
    X509 *officer_cert, *ca_cert;
    uint8_t *p10;
    size_t p10_len;
    X509_REQ *p10_obj;
} bench_keys;

static void keys_cleanup(bench_keys *k) {
    EVP_PKEY_free(k->ee_key);
    EVP_PKEY_free(k->officer_key);
    X509_free(k->officer_cert);
    X509_free(k->ca_cert);
    cmc_free(k->p10);
    X509_REQ_free(k->p10_obj);
    memset(k, 0, sizeof(*k));
}

static int keys_init(bench_keys *k, const bench_keyset *ks) {
    memset(k, 0, sizeof(*k));
    char kf[96], cf[96];
    snprintf(kf, sizeof(kf), "%s.key.pem", ks->officer);
    snprintf(cf, sizeof(cf), "%s.cert.pem", ks->officer);
    cmc_req_options ro;
    memset(&ro, 0, sizeof(ro));
    ro.subject = "/CN=cmckit bench/O=cmckit test";
    if (cmc_fixture_key(&k->ee_key, ks->ee_key) != CMC_OK ||
        cmc_fixture_key(&k->officer_key, kf) != CMC_OK ||
        cmc_fixture_cert(&k->officer_cert, cf) != CMC_OK ||
        cmc_fixture_cert(&k->ca_cert, "ca.cert.pem") != CMC_OK ||
        cmc_p10_build(&k->p10_obj, k->ee_key, &ro) != CMC_OK) {
        keys_cleanup(k);
        return -1;
    }
    int n = i2d_X509_REQ(k->p10_obj, &k->p10);
    if (n <= 0) {
        keys_cleanup(k);
        return -1;
    }
    k->p10_len = (size_t)n;
    return 0;
}

/* sign_pki_data wraps |pd| in a SignedData by the key set's officer. */
static int sign_pd(bench_keys *k, cmc_pki_data_builder *pd, bench_req *out) {
    uint8_t *der = NULL;
    size_t len = 0;
    cmc_signer signer;
    memset(&signer, 0, sizeof(signer));
    signer.key = k->officer_key;
    signer.cert = k->officer_cert;
    signer.sid = CMC_SID_ISSUER_SERIAL;
    signer.include_cert = 1;
    if (cmc_pki_data_builder_to_der(pd, &der, &len) != CMC_OK) {
        return -1;
    }
    cmc_status st = cmc_signed_data_sign(&out->der, &out->len, der, len, &signer, 1, NULL);
    cmc_free(der);
    out->media_type = cmc_media_type_str(CMC_MEDIA_CMC_REQUEST);
    return st == CMC_OK ? 0 : -1;
}

static int add_nonce(cmc_pki_data_builder *pd) {
    uint8_t nonce[BENCH_NONCE_BYTES];
    return RAND_bytes(nonce, sizeof(nonce)) == 1 &&
                   cmc_pki_data_builder_add_sender_nonce(pd, NULL, CMC_BPID_AUTO, nonce,
                                                         sizeof(nonce)) == CMC_OK
               ? 0
               : -1;
}

static int build_enroll(bench_keys *k, bench_op op, bench_req *out) {
    if (op == OP_ENROLL_SIMPLE) {
        out->der = OPENSSL_memdup(k->p10, k->p10_len);
        out->len = k->p10_len;
        out->media_type = cmc_media_type_str(CMC_MEDIA_PKCS10);
        return out->der != NULL ? 0 : -1;
    }
    cmc_pki_data_builder *pd = NULL;
    OSSL_CRMF_MSG *crm = NULL;
    cmc_req_options ro;
    memset(&ro, 0, sizeof(ro));
    ro.subject = "/CN=cmckit bench/O=cmckit test";
    int rc = -1;
    if (cmc_pki_data_builder_new(&pd) == CMC_OK && add_nonce(pd) == 0) {
        if (op == OP_ENROLL_CRM) {
            rc = cmc_crmf_build(&crm, k->ee_key, 2, &ro) == CMC_OK &&
                         cmc_pki_data_builder_add_crm(pd, NULL, crm) == CMC_OK
                     ? 0
                     : -1;
        } else {
            rc = cmc_pki_data_builder_add_tcr(pd, NULL, CMC_BPID_AUTO, k->p10_obj) == CMC_OK ? 0
                                                                                             : -1;
        }
        if (rc == 0) {
            rc = sign_pd(k, pd, out);
        }
    }
    OSSL_CRMF_MSG_free(crm);
    cmc_pki_data_builder_free(pd);
    return rc;
}

static int build_revoke(bench_keys *k, const ASN1_INTEGER *serial, bench_req *out) {
    cmc_pki_data_builder *pd = NULL;
    cmc_revoke_spec spec;
    memset(&spec, 0, sizeof(spec));
    spec.issuer = X509_get_subject_name(k->ca_cert);
    spec.serial = serial;
    spec.reason = 1; /* keyCompromise: allowed by the default policy */
    int rc =
        cmc_pki_data_builder_new(&pd) == CMC_OK && add_nonce(pd) == 0 &&
                cmc_pki_data_builder_add_revoke_request(pd, NULL, CMC_BPID_AUTO, &spec) == CMC_OK
            ? sign_pd(k, pd, out)
            : -1;
    cmc_pki_data_builder_free(pd);
    return rc;
}

/* check_answer: 0 if |resp| is a success answer; for a Full PKI Response the statuses are
 * read (the transports do not fill cmc_status). |*out_serial| (optional) receives the
 * serial of the first issued certificate. |*out_full| (optional): 1 if a CMC response. */
static int check_answer(const cmc_http_response *resp, ASN1_INTEGER **out_serial, int *out_full) {
    if (resp->http_status != 200) {
        return -1;
    }
    if (out_serial == NULL && out_full == NULL && resp->cmc_status >= 0) {
        return resp->cmc_status == CMC_STATUS_SUCCESS ? 0 : -1; /* in process: cheap path */
    }
    cmc_response r;
    cmc_response_init(&r);
    if (cmc_response_read(&r, resp->body, resp->body_len, resp->media_type, NULL) != CMC_OK) {
        cmc_error_clear();
        return -1;
    }
    int ok = r.kind != CMC_RESPONSE_UNKNOWN;
    for (size_t i = 0; i < r.num_statuses; i++) {
        ok = ok && r.statuses[i].status == CMC_STATUS_SUCCESS;
    }
    if (out_full != NULL) {
        *out_full = r.kind == CMC_RESPONSE_FULL;
    }
    if (ok && out_serial != NULL) {
        ok = 0;
        for (int i = 0; i < sk_X509_num(r.certs); i++) {
            X509 *x = sk_X509_value(r.certs, i);
            if (X509_check_ca(x) == 0 &&
                (r.signer_cert == NULL || X509_cmp(x, r.signer_cert) != 0)) {
                *out_serial = ASN1_INTEGER_dup(X509_get0_serialNumber(x));
                ok = *out_serial != NULL;
                break;
            }
        }
    }
    cmc_response_cleanup(&r);
    return ok ? 0 : -1;
}

/* prepare builds |n| requests for |op|; revoke first enrolls |n| certificates through
 * |xchg| (not timed). |*out_full| tells whether the answers are Full PKI Responses. */
static int prepare(bench_op op, bench_keys *k, size_t n, bench_xchg_fn xchg, void *ctx,
                   bench_req **out, int *out_full, char *err, size_t err_len) {
    bench_req *reqs = calloc(n, sizeof(*reqs));
    if (reqs == NULL) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (op != OP_REVOKE) {
            if (build_enroll(k, op, &reqs[i]) != 0) {
                snprintf(err, err_len, "cannot build request %zu", i);
                goto fail;
            }
            continue;
        }
        bench_req enr = {0};
        ASN1_INTEGER *serial = NULL;
        cmc_http_response resp;
        memset(&resp, 0, sizeof(resp));
        int ok = build_enroll(k, OP_ENROLL_FULL, &enr) == 0;
        cmc_http_request hr = {enr.der, enr.len, enr.media_type, NULL};
        ok = ok && xchg(ctx, &hr, &resp) == CMC_OK && check_answer(&resp, &serial, NULL) == 0 &&
             build_revoke(k, serial, &reqs[i]) == 0;
        cmc_free(enr.der);
        cmc_http_response_cleanup(&resp);
        ASN1_INTEGER_free(serial);
        if (!ok) {
            snprintf(err, err_len, "setup: enrolling certificate %zu to revoke failed", i);
            cmc_error_clear();
            goto fail;
        }
    }
    /* One probe (not counted) tells the response type, hence the crypto steps. */
    *out_full = 0;
    if (op != OP_REVOKE) {
        bench_req probe = {0};
        cmc_http_response resp;
        memset(&resp, 0, sizeof(resp));
        int ok = build_enroll(k, op, &probe) == 0;
        cmc_http_request hr = {probe.der, probe.len, probe.media_type, NULL};
        ok = ok && xchg(ctx, &hr, &resp) == CMC_OK && check_answer(&resp, NULL, out_full) == 0;
        cmc_free(probe.der);
        cmc_http_response_cleanup(&resp);
        if (!ok) {
            snprintf(err, err_len, "the server refused a %s request", kOpNames[op]);
            cmc_error_clear();
            goto fail;
        }
    } else {
        *out_full = 1;
    }
    *out = reqs;
    return 0;
fail:
    free_reqs(reqs, n);
    return -1;
}

static unsigned steps_for(bench_op op, int full_response) {
    unsigned s = 0;
    if (op != OP_ENROLL_SIMPLE) {
        s |= BENCH_STEP_CMS_VERIFY | BENCH_STEP_CHAIN_VERIFY;
    }
    if (op != OP_REVOKE) {
        s |= BENCH_STEP_POP_VERIFY | BENCH_STEP_CERT_SIGN;
    }
    if (full_response) {
        s |= BENCH_STEP_RESP_SIGN;
    }
    return s;
}

/* ---- in process ---- */

static int make_server(cmc_server **out, const char *store_path, char *err, size_t err_len) {
    cmc_server_config *cfg = NULL;
    cmc_status st = cmc_server_config_embedded(&cfg);
    if (st == CMC_OK && store_path != NULL) {
        st = cmc_server_config_set_store(cfg, store_path);
    }
    if (st == CMC_OK) {
        /* Simple PKI Requests carry no officer signature; let them in. */
        cmc_server_config_set_require_officer(cfg, 0);
        st = cmc_server_new(out, cfg);
    }
    cmc_server_config_free(cfg);
    if (st != CMC_OK) {
        snprintf(err, err_len, "cannot make the server: %s", cmc_status_str(st));
        cmc_error_clear();
        return -1;
    }
    return 0;
}

/* One in-process worker: requests [first, first+count) through cmc_server_handle. */
typedef struct {
    cmc_server *srv;
    bench_req *reqs;
    size_t first, count, errors;
} inproc_worker;

static void *inproc_main(void *arg) {
    inproc_worker *w = arg;
    for (size_t i = w->first; i < w->first + w->count; i++) {
        cmc_http_request hr = {w->reqs[i].der, w->reqs[i].len, w->reqs[i].media_type, NULL};
        cmc_http_response resp;
        memset(&resp, 0, sizeof(resp));
        if (cmc_server_handle(w->srv, &hr, &resp) != CMC_OK ||
            check_answer(&resp, NULL, NULL) != 0) {
            w->errors++;
        }
        cmc_http_response_cleanup(&resp);
    }
    cmc_error_clear();
    return NULL;
}

/* run_chunk handles requests [first, end) with |threads| threads (1 = this thread) and adds
 * the errors to |row|. */
static void run_chunk(bench_row *row, cmc_server *srv, bench_req *reqs, size_t first, size_t end,
                      int threads) {
    if (threads <= 1) {
        inproc_worker w = {srv, reqs, first, end - first, 0};
        inproc_main(&w);
        row->errors += w.errors;
        return;
    }
    inproc_worker ws[BENCH_MAX_THREADS];
    pthread_t th[BENCH_MAX_THREADS];
    size_t n = end - first, per = n / (size_t)threads, extra = n % (size_t)threads;
    int started = 0;
    for (int t = 0; t < threads; t++) {
        ws[t] = (inproc_worker){srv, reqs, first, per + ((size_t)t < extra), 0};
        first += ws[t].count;
        if (pthread_create(&th[t], NULL, inproc_main, &ws[t]) != 0) {
            row->errors += ws[t].count;
            continue;
        }
        started++;
    }
    for (int t = 0; t < threads; t++) {
        if (t < started) {
            pthread_join(th[t], NULL);
        }
        row->errors += ws[t].errors;
    }
}

static void run_inproc_row(bench_row *row, const bench_cfg *bc, const char *store_path) {
    bench_keys k;
    bench_crypto cr;
    cmc_server *srv = NULL;
    bench_req *reqs = NULL;
    size_t n = bc->n_req;
    int full = 0;
    /* With threads the core's CPU time is the process's (all threads); the bound stays on
     * this thread. */
    clockid_t cpu_clock = bc->threads > 1 ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_THREAD_CPUTIME_ID;
    if (keys_init(&k, row->ks) != 0) {
        snprintf(row->error, sizeof(row->error), "fixture keys missing");
        return;
    }
    if (bench_crypto_init(&cr, row->ks->ee_key, row->ks->officer, row->error, sizeof(row->error)) !=
        0) {
        keys_cleanup(&k);
        return;
    }
    if (make_server(&srv, store_path, row->error, sizeof(row->error)) != 0 ||
        prepare(row->op, &k, n, xchg_server, srv, &reqs, &full, row->error, sizeof(row->error)) !=
            0) {
        goto done;
    }
    row->steps = steps_for(row->op, full);
    row->n = n;
    row->clients = bc->threads;
    /* Warm the bound once (lazy OpenSSL setup), then alternate. */
    if (bench_crypto_once(&cr, row->steps) != 0) {
        snprintf(row->error, sizeof(row->error), "crypto bound operation failed");
        goto done;
    }
    size_t per = (n + (size_t)bc->rounds - 1) / (size_t)bc->rounds, next = 0;
    for (int r = 0; r < bc->rounds && next < n; r++) {
        size_t end = next + per < n ? next + per : n;
        double w0 = now_s(CLOCK_MONOTONIC), c0 = now_s(cpu_clock);
        run_chunk(row, srv, reqs, next, end, bc->threads);
        double core = now_s(cpu_clock) - c0;
        row->cpu_s += core;
        row->wall_s += now_s(CLOCK_MONOTONIC) - w0;
        c0 = now_s(CLOCK_THREAD_CPUTIME_ID);
        for (size_t i = next; i < end; i++) {
            if (bench_crypto_once(&cr, row->steps) != 0) {
                row->errors++;
            }
        }
        double bound = now_s(CLOCK_THREAD_CPUTIME_ID) - c0;
        c0 = now_s(CLOCK_THREAD_CPUTIME_ID);
        for (size_t i = next; i < end; i++) {
            if (bench_crypto_once(&cr, row->steps | BENCH_STEP_KEY_IMPORT) != 0) {
                row->errors++;
            }
        }
        double dec = now_s(CLOCK_THREAD_CPUTIME_ID) - c0;
        row->bound_cpu_s += bound;
        double cnt = (double)(end - next);
        if (row->best_cpu_req == 0 || core / cnt < row->best_cpu_req) {
            row->best_cpu_req = core / cnt;
        }
        if (row->best_bound_req == 0 || bound / cnt < row->best_bound_req) {
            row->best_bound_req = bound / cnt;
        }
        if (row->best_dec_req == 0 || dec / cnt < row->best_dec_req) {
            row->best_dec_req = dec / cnt;
        }
        row->bound_n += end - next;
        next = end;
    }
    cmc_error_clear();
done:
    free_reqs(reqs, n);
    cmc_server_free(srv);
    bench_crypto_cleanup(&cr);
    keys_cleanup(&k);
}

/* ---- over a transport, against `cmckit serve` ---- */

typedef struct {
    const char *url;
    bench_req *reqs;
    size_t first, count;
    double *lat_ms; /* per request */
    size_t errors;
    char error[160];
} bench_client;

static void *client_main(void *arg) {
    bench_client *c = arg;
    cmc_transport *t = NULL;
    if (cmc_transport_open(&t, c->url, NULL) != CMC_OK) {
        snprintf(c->error, sizeof(c->error), "cannot open %s", c->url);
        c->errors = c->count;
        return NULL;
    }
    for (size_t i = 0; i < c->count; i++) {
        bench_req *r = &c->reqs[c->first + i];
        cmc_http_request hr = {r->der, r->len, r->media_type, NULL};
        cmc_http_response resp;
        memset(&resp, 0, sizeof(resp));
        double t0 = now_s(CLOCK_MONOTONIC);
        cmc_status st = cmc_transport_exchange(t, &resp, &hr);
        c->lat_ms[c->first + i] = (now_s(CLOCK_MONOTONIC) - t0) * 1e3;
        if (st != CMC_OK || check_answer(&resp, NULL, NULL) != 0) {
            c->errors++;
        }
        cmc_http_response_cleanup(&resp);
    }
    cmc_transport_free(t);
    cmc_error_clear();
    return NULL;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double percentile(const double *sorted, size_t n, double p) {
    if (n == 0) {
        return 0;
    }
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return sorted[i < n ? i : n - 1];
}

/* A spawned `cmckit serve`. */
typedef struct {
    pid_t pid;
    char url[256];
} bench_serve;

/* spawn_serve starts `cmckit serve` on a free loopback port and reads its readiness line
 * ("listening on URL"). */
static int spawn_serve(bench_serve *s, const char *transport, char *err, size_t err_len) {
    int fds[2];
    if (pipe(fds) != 0) {
        snprintf(err, err_len, "pipe: %s", strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, err_len, "fork: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        FILE *devnull = freopen("/dev/null", "w", stderr);
        (void)devnull;
        /* Loopback only, a free port, no access log (it would cost the server time). */
        execl("/proc/self/exe", "cmckit", "serve",
              strcmp(transport, "tcp") == 0 ? "--tcp" : "--http", "127.0.0.1:0", "--quiet",
              (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    FILE *f = fdopen(fds[0], "r");
    char line[512];
    int found = 0;
    const char *want = strcmp(transport, "tcp") == 0 ? "tcp://" : "http://";
    while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
        char *u = strstr(line, want);
        if (strstr(line, "listening on") != NULL && u != NULL) {
            u[strcspn(u, " \r\n")] = '\0';
            snprintf(s->url, sizeof(s->url), "%s", u);
            found = 1;
            break;
        }
    }
    if (f != NULL) {
        fclose(f);
    }
    s->pid = pid;
    if (!found) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
        snprintf(err, err_len, "`cmckit serve` did not print a %s readiness line", want);
        return -1;
    }
    return 0;
}

/* serve_cpu_s reads the user+system CPU seconds of |pid| from /proc; -1 if unavailable. */
static double serve_cpu_s(pid_t pid) {
    char path[64];
    snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return -1;
    }
    char buf[1024];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* Fields after the ")" that ends the command name: state is field 3; utime 14, stime 15. */
    char *p = strrchr(buf, ')');
    unsigned long long ut = 0, stt = 0;
    if (p == NULL ||
        /* NOLINTNEXTLINE(cert-err34-c): /proc/PID/stat fields are kernel-written decimals */
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &stt) != 2) {
        return -1;
    }
    long hz = sysconf(_SC_CLK_TCK);
    return hz > 0 ? (double)(ut + stt) / (double)hz : -1;
}

/* serve_peak_rss_kib reads VmHWM (peak resident set) of |pid| from /proc, in KiB; -1 if
 * unavailable. */
static long serve_peak_rss_kib(pid_t pid) {
    char path[64], line[256];
    snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
    FILE *f = fopen(path, "r");
    long kib = -1;
    while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, "VmHWM:", 6) == 0) {
            kib = strtol(line + 6, NULL, 10);
            break;
        }
    }
    if (f != NULL) {
        fclose(f);
    }
    return kib;
}

static void stop_serve(bench_serve *s) {
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        waitpid(s->pid, NULL, 0);
        s->pid = 0;
    }
}

static void run_transport_row(bench_row *row, const bench_cfg *bc, const char *url,
                              pid_t serve_pid) {
    bench_keys k;
    bench_req *reqs = NULL;
    cmc_transport *setup = NULL;
    size_t n = bc->n_req;
    int full = 0, nc = bc->clients;
    double *lat = NULL;
    bench_client *cl = NULL;
    pthread_t *th = NULL;
    if (keys_init(&k, row->ks) != 0) {
        snprintf(row->error, sizeof(row->error), "fixture keys missing");
        return;
    }
    if (cmc_transport_open(&setup, url, NULL) != CMC_OK) {
        snprintf(row->error, sizeof(row->error), "cannot open %s", url);
        cmc_error_clear();
        goto done;
    }
    if (prepare(row->op, &k, n, xchg_transport, setup, &reqs, &full, row->error,
                sizeof(row->error)) != 0) {
        goto done;
    }
    row->steps = steps_for(row->op, full);
    lat = calloc(n, sizeof(*lat));
    cl = calloc((size_t)nc, sizeof(*cl));
    th = calloc((size_t)nc, sizeof(*th));
    if (lat == NULL || cl == NULL || th == NULL) {
        snprintf(row->error, sizeof(row->error), "out of memory");
        goto done;
    }
    size_t per = n / (size_t)nc, extra = n % (size_t)nc, first = 0;
    double cpu0 = serve_pid > 0 ? serve_cpu_s(serve_pid) : -1;
    double w0 = now_s(CLOCK_MONOTONIC);
    int started = 0;
    for (int i = 0; i < nc; i++) {
        cl[i].url = url;
        cl[i].reqs = reqs;
        cl[i].lat_ms = lat;
        cl[i].first = first;
        cl[i].count = per + ((size_t)i < extra);
        first += cl[i].count;
        if (pthread_create(&th[i], NULL, client_main, &cl[i]) != 0) {
            break;
        }
        started++;
    }
    for (int i = 0; i < started; i++) {
        pthread_join(th[i], NULL);
        row->errors += cl[i].errors;
        if (cl[i].error[0] != '\0' && row->error[0] == '\0') {
            snprintf(row->error, sizeof(row->error), "%s", cl[i].error);
        }
    }
    row->wall_s = now_s(CLOCK_MONOTONIC) - w0;
    row->n = first;
    row->clients = nc;
    qsort(lat, n, sizeof(*lat), cmp_double);
    row->p50_ms = percentile(lat, n, 0.50);
    row->p99_ms = percentile(lat, n, 0.99);
    if (serve_pid > 0) {
        row->server_rss_kib = serve_peak_rss_kib(serve_pid);
        double cpu1 = serve_cpu_s(serve_pid);
        row->server_cpu_s = cpu0 >= 0 && cpu1 >= 0 ? cpu1 - cpu0 : -1;
    }
done:
    free(lat);
    free(cl);
    free(th);
    free_reqs(reqs, n);
    cmc_transport_free(setup);
    keys_cleanup(&k);
}

/* ---- output ---- */

static double rate(size_t n, double s) {
    return s > 0 ? (double)n / s : 0;
}

static void print_table(const bench_row *rows, size_t num, int transport, const bench_cfg *bc) {
    char steps[64];
    if (!transport) {
        printf("# in process, %d thread%s per row; req/s (cpu) and bound/s: CPU time, best of "
               "%d interleaved rounds; ratio = req/s (cpu) / bound/s; +import: bound including the "
               "import of the request's new key\n",
               bc->threads, bc->threads == 1 ? "" : "s", bc->rounds);
        printf("%-13s %-8s %-6s %6s %9s %9s %9s %6s %7s %6s  %s\n", "op", "key", "store", "n",
               "req/s", "req/s", "bound/s", "ratio", "ratio", "ratio", "bound steps");
        printf("%-13s %-8s %-6s %6s %9s %9s %9s %6s %7s %6s\n", "", "", "", "", "(wall)", "(cpu)",
               "(cpu)", "(cpu)", "+import", "(wall)");
    } else {
        printf("%-13s %-8s %-6s %6s %7s %9s %8s %8s %10s %12s\n", "op", "key", "via", "n",
               "clients", "req/s", "p50 ms", "p99 ms", "serve RSS", "serve us/req");
    }
    for (size_t i = 0; i < num; i++) {
        const bench_row *r = &rows[i];
        if (r->error[0] != '\0' && r->n == 0) {
            printf("%-13s %-8s %-6s %s%s\n", kOpNames[r->op], r->ks->name, r->store,
                   strncmp(r->error, "skipped", 7) == 0 ? "" : "error: ", r->error);
            continue;
        }
        if (!transport) {
            double core_cpu = r->best_cpu_req > 0 ? 1.0 / r->best_cpu_req : 0;
            double bound = r->best_bound_req > 0 ? 1.0 / r->best_bound_req : 0;
            double dec = r->best_dec_req > 0 ? 1.0 / r->best_dec_req : 0;
            printf("%-13s %-8s %-6s %6zu %9.1f %9.1f %9.1f %6.3f %7.3f %6.3f  %s", kOpNames[r->op],
                   r->ks->name, r->store, r->n, rate(r->n, r->wall_s), core_cpu, bound,
                   bound > 0 ? core_cpu / bound : 0, dec > 0 ? core_cpu / dec : 0,
                   bound > 0 ? rate(r->n, r->wall_s) / bound : 0,
                   bench_steps_str(r->steps, steps, sizeof(steps)));
        } else {
            if (strcmp(r->store, "inproc") == 0) {
                printf("%-13s %-8s %-6s %6zu %7d %9.1f %8s %8s", kOpNames[r->op], r->ks->name,
                       r->store, r->n, r->clients, rate(r->n, r->wall_s), "-", "-");
            } else {
                printf("%-13s %-8s %-6s %6zu %7d %9.1f %8.2f %8.2f", kOpNames[r->op], r->ks->name,
                       r->store, r->n, r->clients, rate(r->n, r->wall_s), r->p50_ms, r->p99_ms);
            }
            if (r->server_rss_kib >= 0) {
                printf(" %6.1f MiB", (double)r->server_rss_kib / 1024.0);
            }
            if (r->server_cpu_s > 0 && r->n > 0) {
                printf(" %12.0f", r->server_cpu_s * 1e6 / (double)r->n);
            }
        }
        if (r->errors != 0) {
            printf("  (%zu errors%s%s)", r->errors, r->error[0] ? ": " : "", r->error);
        }
        printf("\n");
    }
}

static void print_json(const bench_row *rows, size_t num, const bench_cfg *bc, int transport) {
    json_t *root = json_object(), *arr = json_array();
    char steps[64];
    json_object_set_new(root, "format", json_string("cmckit-bench/1"));
    json_object_set_new(root, "mode", json_string(transport ? "transport" : "in-process"));
    json_object_set_new(root, "requests_per_row", json_integer((json_int_t)bc->n_req));
    for (size_t i = 0; i < num; i++) {
        const bench_row *r = &rows[i];
        json_t *o = json_object();
        json_object_set_new(o, "op", json_string(kOpNames[r->op]));
        json_object_set_new(o, "key", json_string(r->ks->name));
        json_object_set_new(o, transport ? "transport" : "store", json_string(r->store));
        json_object_set_new(o, "requests", json_integer((json_int_t)r->n));
        json_object_set_new(o, "errors", json_integer((json_int_t)r->errors));
        json_object_set_new(o, "req_per_s_wall", json_real(rate(r->n, r->wall_s)));
        if (!transport) {
            double core = r->best_cpu_req > 0 ? 1.0 / r->best_cpu_req : 0;
            double bound = r->best_bound_req > 0 ? 1.0 / r->best_bound_req : 0;
            json_object_set_new(o, "req_per_s_cpu", json_real(core));
            json_object_set_new(o, "bound_per_s_cpu", json_real(bound));
            double dec = r->best_dec_req > 0 ? 1.0 / r->best_dec_req : 0;
            json_object_set_new(o, "bound_with_import_per_s_cpu", json_real(dec));
            json_object_set_new(o, "ratio_with_import", json_real(dec > 0 ? core / dec : 0));
            json_object_set_new(o, "req_per_s_cpu_mean", json_real(rate(r->n, r->cpu_s)));
            json_object_set_new(o, "bound_per_s_cpu_mean",
                                json_real(rate(r->bound_n, r->bound_cpu_s)));
            json_object_set_new(o, "ratio", json_real(bound > 0 ? core / bound : 0));
            json_object_set_new(o, "ratio_wall",
                                json_real(bound > 0 ? rate(r->n, r->wall_s) / bound : 0));
            json_object_set_new(o, "bound_steps",
                                json_string(bench_steps_str(r->steps, steps, sizeof(steps))));
        } else {
            json_object_set_new(o, "clients", json_integer(r->clients));
            json_object_set_new(o, "p50_ms", json_real(r->p50_ms));
            json_object_set_new(o, "p99_ms", json_real(r->p99_ms));
            if (r->server_rss_kib >= 0) {
                json_object_set_new(o, "serve_peak_rss_kib", json_integer(r->server_rss_kib));
            }
            if (r->server_cpu_s > 0 && r->n > 0) {
                json_object_set_new(o, "serve_cpu_us_per_req",
                                    json_real(r->server_cpu_s * 1e6 / (double)r->n));
            }
        }
        if (r->error[0] != '\0') {
            json_object_set_new(o, "error", json_string(r->error));
        }
        json_array_append_new(arr, o);
    }
    json_object_set_new(root, "rows", arr);
    char *s = json_dumps(root, JSON_INDENT(2));
    if (s != NULL) {
        printf("%s\n", s);
        free(s);
    }
    json_decref(root);
}

/* ---- options ---- */

/* parse_list sets bit i of |*out| for every comma-separated item equal to names[i]. */
static int parse_list(const char *v, const char *const *names, size_t num, unsigned *out,
                      const char *what) {
    *out = 0;
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", v);
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
        size_t i = 0;
        while (i < num && strcasecmp(t, names[i]) != 0) {
            i++;
        }
        if (i == num) {
            fprintf(stderr, "%s: --%s: unknown item '%s'\n", kProg, what, t);
            return -1;
        }
        *out |= 1u << i;
    }
    if (*out == 0) {
        fprintf(stderr, "%s: --%s: empty list\n", kProg, what);
        return -1;
    }
    return 0;
}

static int parse_count(const char *v, const char *what, uint64_t min, uint64_t max, uint64_t *out) {
    if (v == NULL) {
        return 0;
    }
    if (tool_parse_u64(v, out) != 0 || *out < min || *out > max) {
        fprintf(stderr, "%s: --%s needs a number %llu..%llu\n", kProg, what,
                (unsigned long long)min, (unsigned long long)max);
        return -1;
    }
    return 0;
}

int cmd_bench(int argc, char **argv) {
    tool_opts o;
    char err[TOOL_ERR_LEN];
    if (tool_opts_parse(&o, kBenchOpts, BENCH_NUM_OPTS, argc, argv, 1, NULL, NULL, err,
                        sizeof(err)) != 0 ||
        o.num_args != 0) {
        fprintf(stderr, "%s: %s\n", kProg, o.num_args ? "unexpected argument" : err);
        tool_opts_cleanup(&o);
        return 2;
    }
    if (tool_opt_get(&o, "help") != NULL) {
        printf("usage: cmckit bench [options]\n"
               "Throughput of the reference core against the crypto-only bound.\n\n");
        tool_opts_usage(stdout, kBenchOpts, BENCH_NUM_OPTS);
        tool_opts_cleanup(&o);
        return 0;
    }
    static const char *const key_names[] = {"rsa2048", "p256", "ed25519"};
    static const char *const store_names[] = {"memory", "disk"};
    static const char *const transports[] = {"http", "tcp"};
    unsigned ops = (1u << OP_ENROLL_SIMPLE) | (1u << OP_ENROLL_FULL) | (1u << OP_REVOKE);
    unsigned keys = 7, stores = 3, tr = 0;
    uint64_t n_req = BENCH_DEFAULT_REQUESTS, rounds = BENCH_DEFAULT_ROUNDS, clients = 8,
             threads = 1;
    const char *v;
    int rc = 2;
    if (((v = tool_opt_get(&o, "ops")) != NULL &&
         parse_list(v, (const char *const *)kOpNames, OP_COUNT, &ops, "ops") != 0) ||
        ((v = tool_opt_get(&o, "keys")) != NULL &&
         parse_list(v, key_names, 3, &keys, "keys") != 0) ||
        ((v = tool_opt_get(&o, "stores")) != NULL &&
         parse_list(v, store_names, 2, &stores, "stores") != 0) ||
        ((v = tool_opt_get(&o, "transport")) != NULL &&
         parse_list(v, transports, 2, &tr, "transport") != 0) ||
        parse_count(tool_opt_get(&o, "requests"), "requests", 1, BENCH_MAX_REQUESTS, &n_req) != 0 ||
        parse_count(tool_opt_get(&o, "rounds"), "rounds", 1, 1000, &rounds) != 0 ||
        parse_count(tool_opt_get(&o, "clients"), "clients", 1, BENCH_MAX_CLIENTS, &clients) != 0 ||
        parse_count(tool_opt_get(&o, "threads"), "threads", 1, BENCH_MAX_THREADS, &threads) != 0) {
        tool_opts_cleanup(&o);
        return 2;
    }
    if (tr == 3) {
        fprintf(stderr, "%s: --transport takes one of http, tcp\n", kProg);
        tool_opts_cleanup(&o);
        return 2;
    }
    if (tool_opt_get(&o, "url") != NULL && tr == 0) {
        fprintf(stderr, "%s: --url goes with --transport\n", kProg);
        tool_opts_cleanup(&o);
        return 2;
    }
    if (n_req < clients) {
        clients = n_req;
    }
    bench_cfg bc = {(size_t)n_req, (int)rounds, tool_opt_get(&o, "dir"), (int)clients,
                    (int)threads};
    bench_row rows[OP_COUNT * BENCH_NUM_KEYSETS * 2];
    size_t num = 0;
    memset(rows, 0, sizeof(rows));
    char tmpdir[256] = "";
    bench_serve serve = {0, ""};
    const char *transport = tr == 1 ? "http" : tr == 2 ? "tcp" : NULL;
    const char *url = tool_opt_get(&o, "url");

    if (transport == NULL && (stores & 2u) && bc.dir == NULL) {
        const char *t = getenv("TMPDIR");
        snprintf(tmpdir, sizeof(tmpdir), "%s/cmckit-bench-XXXXXX", t != NULL ? t : "/tmp");
        if (mkdtemp(tmpdir) == NULL) {
            fprintf(stderr, "%s: cannot make a temporary directory: %s\n", kProg, strerror(errno));
            goto done;
        }
        bc.dir = tmpdir;
    }
    if (transport != NULL && url == NULL) {
        if (spawn_serve(&serve, transport, err, sizeof(err)) != 0) {
            fprintf(stderr, "%s: %s\n", kProg, err);
            goto done;
        }
        url = serve.url;
    }
    for (unsigned s = 0; s < (transport != NULL ? 1u : 2u); s++) {
        if (transport == NULL && !(stores & (1u << s))) {
            continue;
        }
        for (size_t ki = 0; ki < BENCH_NUM_KEYSETS; ki++) {
            if (!(keys & (1u << ki))) {
                continue;
            }
            for (int op = 0; op < OP_COUNT; op++) {
                if (!(ops & (1u << op))) {
                    continue;
                }
                bench_row *row = &rows[num++];
                row->op = (bench_op)op;
                row->ks = &kKeysets[ki];
                row->server_rss_kib = -1;
                row->server_cpu_s = -1;
                if (transport != NULL) {
                    row->store = transport;
                    if (op == OP_ENROLL_SIMPLE && url == serve.url) {
                        /* The embedded server requires an officer for enrollment. */
                        snprintf(row->error, sizeof(row->error),
                                 "skipped: the embedded server refuses unsigned enrollment");
                        continue;
                    }
                    run_transport_row(row, &bc, url, serve.pid);
                    /* The in-process figure for the same op and key, in the same run, next
                     * to it (memory store, --threads workers). */
                    bench_row *inproc = &rows[num++];
                    inproc->op = (bench_op)op;
                    inproc->ks = &kKeysets[ki];
                    inproc->store = "inproc";
                    inproc->server_rss_kib = -1;
                    inproc->server_cpu_s = -1;
                    run_inproc_row(inproc, &bc, NULL);
                    continue;
                }
                row->store = store_names[s];
                char path[512];
                if (s == 1) {
                    snprintf(path, sizeof(path), "%s/bench-%s-%s.sqlite", bc.dir, kKeysets[ki].name,
                             kOpNames[op]);
                    unlink(path);
                }
                run_inproc_row(row, &bc, s == 1 ? path : NULL);
                if (s == 1) {
                    char side[560];
                    unlink(path);
                    snprintf(side, sizeof(side), "%s-wal", path);
                    unlink(side);
                    snprintf(side, sizeof(side), "%s-shm", path);
                    unlink(side);
                }
                if (!tool_opt_get(&o, "json")) {
                    fprintf(stderr, "%s: %s %s %s done\n", kProg, kOpNames[op], kKeysets[ki].name,
                            store_names[s]);
                }
            }
        }
    }
    if (tool_opt_get(&o, "json") != NULL) {
        print_json(rows, num, &bc, transport != NULL);
    } else {
        print_table(rows, num, transport != NULL, &bc);
    }
    rc = 0;
    for (size_t i = 0; i < num; i++) {
        if (rows[i].errors != 0 || (rows[i].error[0] != '\0' && rows[i].n == 0 &&
                                    strncmp(rows[i].error, "skipped", 7) != 0)) {
            rc = 1;
        }
    }
done:
    stop_serve(&serve);
    if (tmpdir[0] != '\0') {
        rmdir(tmpdir);
    }
    tool_opts_cleanup(&o);
    return rc;
}
#endif
