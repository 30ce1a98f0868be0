/* status.c: the status table's strings and the thread-local error record. */
#include <openssl/err.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmc/status.h"

static const char *const kStatusText[] = {
#define CMC_STATUS_TEXT_(name, text) text,
    CMC_STATUS_TABLE(CMC_STATUS_TEXT_)
#undef CMC_STATUS_TEXT_
};

static const char *const kStatusName[] = {
#define CMC_STATUS_NAME_(name, text) #name,
    CMC_STATUS_TABLE(CMC_STATUS_NAME_)
#undef CMC_STATUS_NAME_
};

static _Thread_local cmc_error_record tls_record;

const char *cmc_status_str(cmc_status s) {
    if ((unsigned)s >= CMC_STATUS_COUNT) {
        return "unknown status";
    }
    return kStatusText[s];
}

const char *cmc_status_name(cmc_status s) {
    if ((unsigned)s >= CMC_STATUS_COUNT) {
        return "CMC_E_?";
    }
    return kStatusName[s];
}

const cmc_error_record *cmc_error_last(void) {
    return &tls_record;
}

cmc_status cmc_error_raise(cmc_status code, const char *file, int line) {
    tls_record.code = code;
    tls_record.file = file;
    tls_record.line = line;
    tls_record.detail[0] = '\0';
    size_t n = 0;
    unsigned long e;
    while ((e = ERR_get_error()) != 0) {
        if (n + 1 < sizeof(tls_record.openssl_errors) / sizeof(tls_record.openssl_errors[0])) {
            tls_record.openssl_errors[n++] = e;
        }
    }
    tls_record.openssl_errors[n] = 0;
    return code;
}

void cmc_error_set_detail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tls_record.detail, sizeof(tls_record.detail), fmt, ap);
    va_end(ap);
}

void cmc_error_clear(void) {
    memset(&tls_record, 0, sizeof(tls_record));
    ERR_clear_error();
}
