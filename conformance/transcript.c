/* transcript.c: `--transcripts DIR` (write the bytes of every exchange) and the reader that
 * `--replay DIR` uses to send recorded requests again byte for byte.
 * Layout: DIR/<case-id>/step-<n>.request.der, step-<n>.response.der, step-<n>.json. */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "report.h"
#include "transcript.h"

static int safe_id(const char *id) {
    if (id == NULL || id[0] == '\0' || id[0] == '.') {
        return 0;
    }
    for (const char *p = id; *p != '\0'; p++) {
        char ch = *p;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_' || ch == '.')) {
            return 0;
        }
    }
    return 1;
}

static int make_dir(const char *path) {
    if (mkdir(path, 0777) == 0 || errno == EEXIST) {
        return 0;
    }
    return -1;
}

static int write_file(const char *path, const uint8_t *p, size_t n) {
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        return -1;
    }
    int ok = (n == 0 || fwrite(p, 1, n, f) == n);
    if (fclose(f) != 0) {
        ok = 0;
    }
    return ok ? 0 : -1;
}

int cmc_conform_write_transcripts(const char *dir, const cmc_conform_run *run, char *err,
                                  size_t err_len) {
    if (make_dir(dir) != 0) {
        snprintf(err, err_len, "cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    for (size_t i = 0; i < run->num_cases; i++) {
        const cmc_conform_case *c = &run->cases[i];
        if (c->num_steps == 0) {
            continue;
        }
        if (!safe_id(c->id)) {
            snprintf(err, err_len, "case id '%s' is not usable as a file name", c->id);
            return -1;
        }
        char *cdir = cmc_conform_printf("%s/%s", dir, c->id);
        if (make_dir(cdir) != 0) {
            snprintf(err, err_len, "cannot create %s: %s", cdir, strerror(errno));
            free(cdir);
            return -1;
        }
        for (size_t k = 0; k < c->num_steps; k++) {
            const cmc_conform_step *s = &c->steps[k];
            char *path = NULL;
            int rc = 0;
            if (s->request != NULL) {
                path = cmc_conform_printf("%s/step-%zu.request.der", cdir, k + 1);
                rc |= write_file(path, s->request, s->request_len);
                free(path);
            }
            if (s->response != NULL) {
                path = cmc_conform_printf("%s/step-%zu.response.der", cdir, k + 1);
                rc |= write_file(path, s->response, s->response_len);
                free(path);
            }
            json_t *meta =
                json_pack("{s:s, s:s?, s:s?, s:i, s:s?, s:s?, s:s, s:s}", "label",
                          s->label != NULL ? s->label : "", "request_source", s->request_source,
                          "request_media_type", s->request_type, "http_status", s->http_status,
                          "response_media_type", s->response_type, "transport_error",
                          s->transport_error, "verdict", cmc_verdict_name(s->verdict), "reason",
                          s->reason != NULL ? s->reason : "");
            path = cmc_conform_printf("%s/step-%zu.json", cdir, k + 1);
            if (meta == NULL || json_dump_file(meta, path, JSON_INDENT(1) | JSON_SORT_KEYS) != 0) {
                rc = -1;
            }
            json_decref(meta);
            if (rc != 0) {
                snprintf(err, err_len, "cannot write %s: %s", path, strerror(errno));
                free(path);
                free(cdir);
                return -1;
            }
            free(path);
        }
        free(cdir);
    }
    return 0;
}

/* Largest recorded request we read back: the suite's oversize case is just above the
 * server's 1 MiB message limit. */
#define TRANSCRIPT_MAX_FILE (4 * 1024 * 1024)

static int read_file(const char *path, uint8_t **out, size_t *out_len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return -1;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    if (buf == NULL) {
        fclose(f);
        return -1;
    }
    for (;;) {
        if (n == cap) {
            if (cap >= TRANSCRIPT_MAX_FILE) {
                free(buf);
                fclose(f);
                return -1;
            }
            cap *= 2;
            uint8_t *nb = realloc(buf, cap);
            if (nb == NULL) {
                free(buf);
                fclose(f);
                return -1;
            }
            buf = nb;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0) {
            break;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return -1;
    }
    *out = buf;
    *out_len = n;
    return 0;
}

int cmc_conform_transcript_load(const char *dir, const char *case_id, size_t step, uint8_t **out,
                                size_t *out_len, char **out_type) {
    *out = NULL;
    *out_len = 0;
    *out_type = NULL;
    if (!safe_id(case_id)) {
        return -1;
    }
    char *der_path = cmc_conform_printf("%s/%s/step-%zu.request.der", dir, case_id, step + 1);
    char *meta_path = cmc_conform_printf("%s/%s/step-%zu.json", dir, case_id, step + 1);
    int rc = read_file(der_path, out, out_len);
    if (rc == 0) {
        json_error_t jerr;
        json_t *meta = json_load_file(meta_path, 0, &jerr);
        const char *type = json_string_value(json_object_get(meta, "request_media_type"));
        *out_type = cmc_conform_strdup(type);
        json_decref(meta);
    }
    free(der_path);
    free(meta_path);
    return rc;
}

int cmc_conform_transcript_has_case(const char *dir, const char *case_id) {
    if (!safe_id(case_id)) {
        return 0;
    }
    char *path = cmc_conform_printf("%s/%s/step-1.request.der", dir, case_id);
    struct stat st;
    int ok = stat(path, &st) == 0;
    free(path);
    return ok;
}
