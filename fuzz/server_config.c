/* Targets: the reference server configuration reader cmc_server_config_load (NCONF syntax,
 * every section and key of ref/include/cmc/server.h), from bytes: each input is written to
 * server.cnf in a private temporary directory that also holds the fixture PKI files
 * (vectors/pki names, from the embedded fixtures), so relative file names in the input
 * resolve and the reader gets past its certificate and key loading.
 * Inputs that could make NCONF or the PEM reader touch the rest of the machine are skipped
 * (.include / .pragma includedir, /dev, /proc, /sys, $ENV expansion): the harness must not
 * read devices that never end.
 * Oracles: on error the message is a non-empty NUL-terminated line within the buffer and
 * |*out| is untouched; on success the configuration makes a working server.
 * Seeds: fuzz/corpus/server_config/ (named by content hash). max_len: 8192.
 * Dictionary: fuzz/dict/server_config.dict. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "cmc/cmc.h"
#include "fixtures.h"
#include "fuzz_common.h"

#define FUZZ_ERR_LEN 256

static char g_dir[64];
static char g_path[128];

static void remove_dir(void) {
    for (size_t i = 0; i < cmc_fixture_count(); i++) {
        char p[256];
        snprintf(p, sizeof(p), "%s/%s", g_dir, cmc_fixture_at(i)->name);
        unlink(p);
    }
    unlink(g_path);
    rmdir(g_dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    fuzz_init();
    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof(g_dir), "%s/cmcfuzz-cfg-XXXXXX",
             tmp != NULL && strlen(tmp) < 32 ? tmp : "/tmp");
    fuzz_check(mkdtemp(g_dir) != NULL, "mkdtemp");
    snprintf(g_path, sizeof(g_path), "%s/server.cnf", g_dir);
    for (size_t i = 0; i < cmc_fixture_count(); i++) {
        const cmc_fixture *f = cmc_fixture_at(i);
        char p[256];
        snprintf(p, sizeof(p), "%s/%s", g_dir, f->name);
        FILE *fp = fopen(p, "wb");
        fuzz_check(fp != NULL && fwrite(f->data, 1, f->len, fp) == f->len && fclose(fp) == 0,
                   "writing a fixture file");
    }
    atexit(remove_dir);
    fuzz_warm_up("server_config", LLVMFuzzerTestOneInput, NULL, 0);
    return 0;
}

static int contains(const uint8_t *data, size_t size, const char *needle) {
    size_t n = strlen(needle);
    for (size_t i = 0; size >= n && i <= size - n; i++) {
        size_t k = 0;
        while (k < n && (data[i + k] | 0x20) == (needle[k] | 0x20)) {
            k++;
        }
        if (k == n) {
            return 1;
        }
    }
    return 0;
}

static int one_input(const uint8_t *data, size_t size) {
    fuzz_init();
    if (contains(data, size, "include") || contains(data, size, "/dev") ||
        contains(data, size, "/proc") || contains(data, size, "/sys") ||
        contains(data, size, "env::") || contains(data, size, "..")) {
        return 0;
    }
    FILE *fp = fopen(g_path, "wb");
    fuzz_check(fp != NULL, "fopen server.cnf");
    fuzz_check(fwrite(data, 1, size, fp) == size && fclose(fp) == 0, "write server.cnf");

    cmc_server_config *cfg = (cmc_server_config *)&g_dir; /* sentinel: must stay untouched */
    char err[FUZZ_ERR_LEN];
    memset(err, 'x', sizeof(err));
    cmc_status st = cmc_server_config_load(&cfg, g_path, err, sizeof(err));
    if (st != CMC_OK) {
        fuzz_check(cfg == (cmc_server_config *)&g_dir, "|*out| changed on error");
        fuzz_check(memchr(err, '\0', sizeof(err)) != NULL, "error text not terminated");
        if (st == CMC_E_CONFIG) {
            fuzz_check(err[0] != '\0', "CMC_E_CONFIG without an error line");
        }
    } else {
        fuzz_check(cfg != NULL && cfg != (cmc_server_config *)&g_dir, "no configuration");
        /* A loaded configuration must make a server; keep the store in memory. */
        fuzz_check(cmc_server_config_set_store(cfg, ":memory:") == CMC_OK, "set_store");
        cmc_server *srv = NULL;
        cmc_status sst = cmc_server_new(&srv, cfg);
        if (sst != CMC_OK) {
            fprintf(stderr, "cmc_server_new: %s\n", cmc_status_name(sst));
        }
        fuzz_check(sst == CMC_OK, "a loaded configuration does not make a server");
        cmc_server_free(srv);
        cmc_server_config_free(cfg);
    }
    ERR_clear_error();
    cmc_error_clear();
    return 0;
}

FUZZ_ISOLATED_ENTRY(one_input)
