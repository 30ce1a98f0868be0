/* cmd_serve.c: `cmckit serve`: the reference CMC server over the RFC 5273 / RFC 10003
 * transports (HTTP(S), TCP, file). See `cmckit serve --help` and README.md. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/conf.h>

#include "cmc/asn1.h"
#include "cmc/listener.h"
#include "cmc/server.h"
#include "cmc/transport.h"
#include "cmckit.h"

/* Longest ADDR:PORT we accept (an IPv6 address in brackets plus a port). */
#define SERVE_MAX_ADDR 80

static const char kUsage[] =
    "usage: cmckit serve [--config FILE] [--http ADDR:PORT] [--tcp ADDR:PORT]\n"
    "                    [--inbox DIR --outbox DIR] [--path /cmc] [--tls-cert F --tls-key F]\n"
    "                    [--store FILE] [--threads N] [--max-connections N]\n"
    "                    [--idle-timeout S] [--request-timeout S] [--quiet]\n"
    "\n"
    "Serves the reference CMC server over the RFC 5273 / RFC 10003 transports:\n"
    "  --http ADDR:PORT     HTTP POST to --path (default /cmc); HTTPS with --tls-cert/--tls-key\n"
    "  --tcp ADDR:PORT      raw CMC over TCP (RFC 6402; the IANA port is 5318)\n"
    "  --inbox/--outbox     file transport: .p10/.crq in, .crp/.p7c/.cer/.err out\n"
    "Port 0 picks a free port. With no transport flag: --http 127.0.0.1:8080.\n"
    "Each listener prints one line on stdout when ready, e.g.\n"
    "  listening on http://127.0.0.1:8080/cmc\n"
    "and every request one access-log line on stderr. SIGTERM/SIGINT stop accepting,\n"
    "let requests in progress finish, and exit 0.\n"
    "\n"
    "  --config FILE        reference server configuration (OpenSSL config syntax; see\n"
    "                       tools/ref.cnf). Its optional [serve] section may set http, tcp,\n"
    "                       path, inbox, outbox, tls_certificate, tls_key (relative to the\n"
    "                       file), threads, max_connections, idle_timeout, request_timeout;\n"
    "                       flags win. Without --config: the embedded TEST-ONLY fixture PKI.\n"
    "  --store FILE         SQLite store (overrides the configuration; default :memory:)\n"
    "  --threads N          worker threads (default: CPU count, 2..32)\n"
    "  --quiet              no access log\n";

typedef struct {
    const char *config;
    char http[SERVE_MAX_ADDR];
    char tcp[SERVE_MAX_ADDR];
    char path[256];
    char inbox[1024];
    char outbox[1024];
    char tls_cert[1024];
    char tls_key[1024];
    const char *store;
    unsigned threads;
    unsigned max_connections;
    unsigned idle_timeout_s;
    unsigned request_timeout_s;
    int quiet;
} serve_args;

static void access_log(void *ctx, const cmc_access_entry *e) {
    (void)ctx;
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    const char *cmc = e->cmc_status >= 0 ? cmc_cmc_status_name(e->cmc_status) : "-";
    const char *fail = e->fail_info >= 0 ? cmc_fail_info_name(e->fail_info) : "-";
    /* One fprintf per line: stdio locks the stream, so lines from workers never interleave. */
    fprintf(stderr, "%s %s %s %s %s \"%s\" %d cmc=%s fail=%s %.1fms\n", when, e->transport, e->peer,
            e->method, e->path, e->media_type, e->http_status, cmc != NULL ? cmc : "?",
            fail != NULL ? fail : "?", e->ms);
}

/* split_addr turns "ADDR:PORT" or "[V6]:PORT" into its parts. */
static int split_addr(const char *s, char *addr, size_t addr_len, uint16_t *port) {
    const char *colon = strrchr(s, ':');
    if (colon == NULL || colon == s) {
        return -1;
    }
    const char *a = s;
    size_t n = (size_t)(colon - s);
    if (s[0] == '[') {
        if (n < 2 || s[n - 1] != ']') {
            return -1;
        }
        a = s + 1;
        n -= 2;
    }
    char *end = NULL;
    errno = 0;
    unsigned long p = strtoul(colon + 1, &end, 10);
    if (n == 0 || n >= addr_len || errno != 0 || end == colon + 1 || *end != '\0' || p > 65535) {
        return -1;
    }
    memcpy(addr, a, n);
    addr[n] = '\0';
    *port = (uint16_t)p;
    return 0;
}

static int parse_uint(const char *s, unsigned *out) {
    char *end = NULL;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v > 1000000) {
        return -1;
    }
    *out = (unsigned)v;
    return 0;
}

/* copy_rel copies |value| into |out|, relative to the directory of |config| if relative. */
static void copy_rel(char *out, size_t out_len, const char *config, const char *value) {
    const char *slash = strrchr(config, '/');
    if (value[0] == '/' || slash == NULL) {
        snprintf(out, out_len, "%s", value);
    } else {
        snprintf(out, out_len, "%.*s/%s", (int)(slash - config), config, value);
    }
}

/* read_serve_section fills unset fields of |a| from the [serve] section of the config. */
static int read_serve_section(serve_args *a) {
    CONF *conf = NCONF_new(NULL);
    long line = -1;
    if (conf == NULL || NCONF_load(conf, a->config, &line) <= 0) {
        NCONF_free(conf);
        fprintf(stderr, "cmckit serve: %s: cannot read (line %ld)\n", a->config, line);
        return -1;
    }
    static const char *const kKeys[] = {"http",
                                        "tcp",
                                        "path",
                                        "inbox",
                                        "outbox",
                                        "tls_certificate",
                                        "tls_key",
                                        "threads",
                                        "max_connections",
                                        "idle_timeout",
                                        "request_timeout"};
    int rc = 0;
    for (size_t i = 0; i < sizeof(kKeys) / sizeof(kKeys[0]) && rc == 0; i++) {
        const char *v = NCONF_get_string(conf, "serve", kKeys[i]);
        if (v == NULL) {
            continue;
        }
        unsigned *num = NULL;
        switch (i) {
        case 0:
            if (a->http[0] == '\0') {
                snprintf(a->http, sizeof(a->http), "%s", v);
            }
            break;
        case 1:
            if (a->tcp[0] == '\0') {
                snprintf(a->tcp, sizeof(a->tcp), "%s", v);
            }
            break;
        case 2:
            if (a->path[0] == '\0') {
                snprintf(a->path, sizeof(a->path), "%s", v);
            }
            break;
        case 3:
            if (a->inbox[0] == '\0') {
                copy_rel(a->inbox, sizeof(a->inbox), a->config, v);
            }
            break;
        case 4:
            if (a->outbox[0] == '\0') {
                copy_rel(a->outbox, sizeof(a->outbox), a->config, v);
            }
            break;
        case 5:
            if (a->tls_cert[0] == '\0') {
                copy_rel(a->tls_cert, sizeof(a->tls_cert), a->config, v);
            }
            break;
        case 6:
            if (a->tls_key[0] == '\0') {
                copy_rel(a->tls_key, sizeof(a->tls_key), a->config, v);
            }
            break;
        case 7:
            num = a->threads == 0 ? &a->threads : NULL;
            break;
        case 8:
            num = a->max_connections == 0 ? &a->max_connections : NULL;
            break;
        case 9:
            num = a->idle_timeout_s == 0 ? &a->idle_timeout_s : NULL;
            break;
        default:
            num = a->request_timeout_s == 0 ? &a->request_timeout_s : NULL;
            break;
        }
        if (num != NULL && parse_uint(v, num) != 0) {
            fprintf(stderr, "cmckit serve: %s: [serve] %s: not a number: %s\n", a->config, kKeys[i],
                    v);
            rc = -1;
        }
    }
    NCONF_free(conf);
    return rc;
}

static int parse_args(serve_args *a, int argc, char **argv) {
    memset(a, 0, sizeof(*a));
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = 1;
        if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) {
            fputs(kUsage, stdout);
            exit(0);
        } else if (strcmp(o, "--quiet") == 0) {
            a->quiet = 1;
            takes = 0;
        } else if (v == NULL) {
            fprintf(stderr, "cmckit serve: %s needs a value (or is unknown)\n%s", o, kUsage);
            return -1;
        } else if (strcmp(o, "--config") == 0) {
            a->config = v;
        } else if (strcmp(o, "--http") == 0) {
            snprintf(a->http, sizeof(a->http), "%s", v);
        } else if (strcmp(o, "--tcp") == 0) {
            snprintf(a->tcp, sizeof(a->tcp), "%s", v);
        } else if (strcmp(o, "--path") == 0) {
            snprintf(a->path, sizeof(a->path), "%s", v);
        } else if (strcmp(o, "--inbox") == 0) {
            snprintf(a->inbox, sizeof(a->inbox), "%s", v);
        } else if (strcmp(o, "--outbox") == 0) {
            snprintf(a->outbox, sizeof(a->outbox), "%s", v);
        } else if (strcmp(o, "--tls-cert") == 0) {
            snprintf(a->tls_cert, sizeof(a->tls_cert), "%s", v);
        } else if (strcmp(o, "--tls-key") == 0) {
            snprintf(a->tls_key, sizeof(a->tls_key), "%s", v);
        } else if (strcmp(o, "--store") == 0) {
            a->store = v;
        } else if (strcmp(o, "--threads") == 0 && parse_uint(v, &a->threads) == 0) {
        } else if (strcmp(o, "--max-connections") == 0 && parse_uint(v, &a->max_connections) == 0) {
        } else if (strcmp(o, "--idle-timeout") == 0 && parse_uint(v, &a->idle_timeout_s) == 0) {
        } else if (strcmp(o, "--request-timeout") == 0 &&
                   parse_uint(v, &a->request_timeout_s) == 0) {
        } else {
            fprintf(stderr, "cmckit serve: bad option or value: %s %s\n%s", o, v, kUsage);
            return -1;
        }
        i += takes;
    }
    return 0;
}

/* finish_args applies the [serve] section (after the configuration loaded) and defaults. */
static int finish_args(serve_args *a) {
    if (a->config != NULL && read_serve_section(a) != 0) {
        return -1;
    }
    if ((a->inbox[0] == '\0') != (a->outbox[0] == '\0')) {
        fprintf(stderr, "cmckit serve: --inbox and --outbox go together\n");
        return -1;
    }
    if ((a->tls_cert[0] == '\0') != (a->tls_key[0] == '\0')) {
        fprintf(stderr, "cmckit serve: --tls-cert and --tls-key go together\n");
        return -1;
    }
    if (a->http[0] == '\0' && a->tcp[0] == '\0' && a->inbox[0] == '\0') {
        snprintf(a->http, sizeof(a->http), "127.0.0.1:8080");
    }
    return 0;
}

static void report_error(const char *what) {
    const cmc_error_record *r = cmc_error_last();
    fprintf(stderr, "cmckit serve: %s: %s%s%s\n", what, cmc_status_str(r->code),
            r->detail[0] != '\0' ? ": " : "", r->detail);
}

int cmd_serve(int argc, char **argv) {
    serve_args a;
    if (parse_args(&a, argc, argv) != 0) {
        return 2;
    }
    /* SIGTERM/SIGINT go to sigwait below only; every thread started later inherits the
     * mask. SIGPIPE is ignored (a client that hangs up is an EPIPE, not our death). */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    setvbuf(stdout, NULL, _IOLBF, 0);

    cmc_server_config *cfg = NULL;
    if (a.config != NULL) {
        char err[512] = "";
        if (cmc_server_config_load(&cfg, a.config, err, sizeof(err)) != CMC_OK) {
            fprintf(stderr, "cmckit serve: %s\n", err[0] != '\0' ? err : "bad configuration");
            return 2;
        }
        if (finish_args(&a) != 0) {
            cmc_server_config_free(cfg);
            return 2;
        }
    } else {
        if (finish_args(&a) != 0) {
            return 2;
        }
        if (cmc_server_config_embedded(&cfg) != CMC_OK) {
            report_error("embedded configuration");
            return 4;
        }
        fprintf(stderr, "cmckit serve: no --config: serving the embedded fixture PKI of "
                        "vectors/pki. This is TEST MATERIAL ONLY: its private keys are public.\n");
    }
    if (a.store != NULL && cmc_server_config_set_store(cfg, a.store) != CMC_OK) {
        cmc_server_config_free(cfg);
        report_error("--store");
        return 2;
    }
    cmc_server *srv = NULL;
    cmc_status st = cmc_server_new(&srv, cfg);
    cmc_server_config_free(cfg);
    if (st != CMC_OK) {
        report_error("cannot start the server");
        return 2;
    }

    cmc_listener_options base = {
        .path = a.path[0] != '\0' ? a.path : NULL,
        .threads = a.threads,
        .max_connections = a.max_connections,
        .idle_timeout_s = a.idle_timeout_s,
        .request_timeout_s = a.request_timeout_s,
        .access_log = a.quiet ? NULL : access_log,
    };
    cmc_listener *ls[3] = {NULL, NULL, NULL};
    char addr[SERVE_MAX_ADDR], url[2200];
    int rc = 0;
    if (a.http[0] != '\0') {
        cmc_listener_options o = base;
        if (split_addr(a.http, addr, sizeof(addr), &o.port) != 0) {
            fprintf(stderr, "cmckit serve: --http wants ADDR:PORT, got %s\n", a.http);
            rc = 2;
        } else {
            o.address = addr;
            o.tls_cert_file = a.tls_cert[0] != '\0' ? a.tls_cert : NULL;
            o.tls_key_file = a.tls_key[0] != '\0' ? a.tls_key : NULL;
            if (cmc_listener_start_http(&ls[0], &o, cmc_server_handler, srv) != CMC_OK) {
                report_error("HTTP listener");
                rc = 2;
            }
        }
    }
    if (rc == 0 && a.tcp[0] != '\0') {
        cmc_listener_options o = base;
        if (split_addr(a.tcp, addr, sizeof(addr), &o.port) != 0) {
            fprintf(stderr, "cmckit serve: --tcp wants ADDR:PORT, got %s\n", a.tcp);
            rc = 2;
        } else {
            o.address = addr;
            if (cmc_listener_start_tcp(&ls[1], &o, cmc_server_handler, srv) != CMC_OK) {
                report_error("TCP listener");
                rc = 2;
            }
        }
    }
    if (rc == 0 && a.inbox[0] != '\0') {
        cmc_listener_options o = base;
        o.inbox = a.inbox;
        o.outbox = a.outbox;
        if (cmc_listener_start_file(&ls[2], &o, cmc_server_handler, srv) != CMC_OK) {
            report_error("file listener");
            rc = 2;
        }
    }
    if (rc == 0) {
        for (int i = 0; i < 3; i++) {
            if (ls[i] != NULL) {
                printf("listening on %s\n", cmc_listener_url(ls[i], url, sizeof(url)));
            }
        }
        fflush(stdout);
        int sig = 0;
        while (sigwait(&sigs, &sig) != 0) {
        }
        fprintf(stderr, "cmckit serve: %s: stopping, finishing requests in progress\n",
                sig == SIGINT ? "SIGINT" : "SIGTERM");
    }
    /* Stop every listener first (each drains), then the server they share. */
    for (int i = 0; i < 3; i++) {
        cmc_listener_free(ls[i]);
    }
    cmc_server_free(srv);
    if (rc == 0) {
        fprintf(stderr, "cmckit serve: stopped\n");
    }
    return rc;
}
