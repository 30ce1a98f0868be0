/* file_listener.c: the RFC 5273 §2 / RFC 10003 file transport (spec/CMC.md §10): one
 * request or response per file, extensions .p10/.crq in and .p7c/.crp out. The directory
 * protocol (claim by rename, answer by rename, move aside) is documented at cmc_file_scan in
 * cmc/listener.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "transport/transport_local.h"

#define FILE_PROCESSING "processing"
#define FILE_DONE "done"
#define FILE_REJECTED "rejected"
/* Longest file name we handle (NAME_MAX on Linux); longer paths are refused. */
#define FILE_MAX_PATH 4096

/* The answer extensions the client looks for (cmc/transport.h, file:). */
static const char *const kAnswerExt[] = {".crp", ".p7c", ".cer", ".err"};

static int file_path(char *buf, size_t len, const char *dir, const char *sub, const char *name) {
    int n = sub != NULL ? snprintf(buf, len, "%s/%s/%s", dir, sub, name)
                        : snprintf(buf, len, "%s/%s", dir, name);
    return n > 0 && (size_t)n < len ? 0 : -1;
}

/* file_read reads a regular file of at most |max| bytes (not following symlinks). */
static cmc_status file_read(cmc_tp_buf *out, const char *path, size_t max) {
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        CMC_RAISE(errno == ENOENT ? CMC_E_NOT_FOUND : CMC_E_IO);
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        CMC_RAISE(CMC_E_IO);
    }
    uint8_t chunk[16384];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            close(fd);
            cmc_tp_buf_cleanup(out);
            CMC_RAISE(CMC_E_IO);
        }
        if (n == 0) {
            break;
        }
        cmc_status st = cmc_tp_buf_append(out, chunk, (size_t)n, max);
        if (st != CMC_OK) {
            close(fd);
            cmc_tp_buf_cleanup(out);
            return st;
        }
    }
    close(fd);
    return CMC_OK;
}

/* file_write_atomic writes |dir|/.|name|.tmp, fsyncs it and renames it to |dir|/|name|. */
static cmc_status file_write_atomic(const char *dir, const char *name, const uint8_t *head,
                                    size_t head_len, const uint8_t *body, size_t body_len) {
    char tmp[FILE_MAX_PATH], dst[FILE_MAX_PATH], tmp_name[FILE_MAX_PATH];
    int tn = snprintf(tmp_name, sizeof(tmp_name), ".%s.tmp", name);
    if (tn < 0 || (size_t)tn >= sizeof(tmp_name) ||
        file_path(tmp, sizeof(tmp), dir, NULL, tmp_name) != 0 ||
        file_path(dst, sizeof(dst), dir, NULL, name) != 0) {
        CMC_RAISE(CMC_E_LIMIT);
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) {
        TP_FAIL(CMC_E_IO, "cannot create %s: %s", tmp, strerror(errno));
    }
    const uint8_t *parts[2] = {head, body};
    size_t lens[2] = {head_len, body_len};
    for (int i = 0; i < 2; i++) {
        size_t off = 0;
        while (off < lens[i]) {
            ssize_t n = write(fd, parts[i] + off, lens[i] - off);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                close(fd);
                unlink(tmp);
                CMC_RAISE(CMC_E_IO);
            }
            off += (size_t)n;
        }
    }
    if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, dst) != 0) {
        unlink(tmp);
        CMC_RAISE(CMC_E_IO);
    }
    return CMC_OK;
}

/* file_stem copies |name| without its 4-character extension. */
static void file_stem(char *out, size_t out_len, const char *name) {
    size_t n = strlen(name);
    n = n >= 4 ? n - 4 : 0;
    snprintf(out, out_len, "%.*s", (int)n, name);
}

static int file_answer_exists(const char *outbox, const char *stem) {
    char path[FILE_MAX_PATH], name[FILE_MAX_PATH];
    for (size_t i = 0; i < sizeof(kAnswerExt) / sizeof(kAnswerExt[0]); i++) {
        snprintf(name, sizeof(name), "%s%s", stem, kAnswerExt[i]);
        struct stat sb;
        if (file_path(path, sizeof(path), outbox, NULL, name) == 0 && stat(path, &sb) == 0) {
            return 1;
        }
    }
    return 0;
}

/* file_handle_claimed answers INBOX/processing/|name| and moves it to INBOX/done/. */
static cmc_status file_handle_claimed(const cmc_listener *l, const char *name) {
    char path[FILE_MAX_PATH], done[FILE_MAX_PATH], stem[FILE_MAX_PATH], out_name[FILE_MAX_PATH];
    if (file_path(path, sizeof(path), l->inbox, FILE_PROCESSING, name) != 0 ||
        file_path(done, sizeof(done), l->inbox, FILE_DONE, name) != 0) {
        CMC_RAISE(CMC_E_LIMIT);
    }
    file_stem(stem, sizeof(stem), name);
    uint64_t start_us = cmc_tp_now_us();
    cmc_tp_buf body = {0};
    cmc_status st = file_read(&body, path, l->max_body);
    cmc_http_response resp;
    memset(&resp, 0, sizeof(resp));
    const char *mt = cmc_media_type_str(cmc_tp_extension_media_type(name));
    if (st == CMC_E_LIMIT) {
        cmc_tp_fail_response(&resp, 413, "request file larger than the server's limit");
    } else if (st != CMC_OK) {
        return st;
    } else {
        cmc_http_request req = {.body = body.p, .body_len = body.len, .media_type = mt};
        cmc_tp_call_handler(l->fn, l->ctx, &req, &resp);
    }
    cmc_tp_buf_cleanup(&body);
    const char *ext = ".err";
    cmc_media_type rt = CMC_MEDIA_OTHER;
    if (resp.http_status == 200 &&
        cmc_media_type_parse(&rt, resp.media_type, strlen(resp.media_type)) == CMC_OK) {
        ext = rt == CMC_MEDIA_CMC_RESPONSE ? ".crp"
              : rt == CMC_MEDIA_CERTS_ONLY ? ".p7c"
              : rt == CMC_MEDIA_PKIX_CERT  ? ".cer"
                                           : ".err";
    }
    char head[64] = "";
    if (strcmp(ext, ".err") == 0) {
        snprintf(head, sizeof(head), "HTTP %d\n", resp.http_status);
    }
    int n = snprintf(out_name, sizeof(out_name), "%s%s", stem, ext);
    if (n < 0 || (size_t)n >= sizeof(out_name)) {
        cmc_http_response_cleanup(&resp);
        CMC_RAISE(CMC_E_LIMIT);
    }
    st = file_write_atomic(l->outbox, out_name, (const uint8_t *)head, strlen(head), resp.body,
                           resp.body_len);
    if (st == CMC_OK && rename(path, done) != 0) {
        st = cmc_error_raise(CMC_E_IO, __FILE__, __LINE__);
    }
    cmc_tp_log(l, "-", name, mt, "-", &resp, start_us);
    cmc_http_response_cleanup(&resp);
    return st;
}

static int file_is_request_name(const char *name) {
    return name[0] != '.' && cmc_tp_extension_media_type(name) != CMC_MEDIA_OTHER;
}

/* file_ready says whether INBOX/|name| is one complete BER element (1), should be rejected
 * (-1: settled but incomplete or oversized), or must be left alone for now (0). */
static int file_ready(const cmc_listener *l, const char *path) {
    struct stat sb;
    if (lstat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        return 0;
    }
    int settled = time(NULL) - sb.st_mtime >= CMC_LISTENER_FILE_SETTLE_S;
    if ((size_t)sb.st_size > l->max_body) {
        return settled ? -1 : 0;
    }
    cmc_tp_buf b = {0};
    if (file_read(&b, path, l->max_body) != CMC_OK) {
        return 0;
    }
    size_t total = 0;
    cmc_status st = cmc_ber_frame_length(&total, b.p, b.len, l->max_body);
    cmc_tp_buf_cleanup(&b);
    if (st == CMC_OK && total == (size_t)sb.st_size) {
        return 1;
    }
    return settled ? -1 : 0;
}

static cmc_status file_scan_listener(const cmc_listener *l, size_t *out_num) {
    size_t handled = 0;
    char path[FILE_MAX_PATH], claimed[FILE_MAX_PATH];
    const char *subs[] = {FILE_PROCESSING, FILE_DONE, FILE_REJECTED};
    for (size_t i = 0; i < 3; i++) {
        if (file_path(path, sizeof(path), l->inbox, NULL, subs[i]) != 0 ||
            (mkdir(path, 0755) != 0 && errno != EEXIST)) {
            TP_FAIL(CMC_E_IO, "cannot create %s", path);
        }
    }
    /* 1. Requests a previous run claimed but did not finish. */
    if (file_path(path, sizeof(path), l->inbox, NULL, FILE_PROCESSING) != 0) {
        CMC_RAISE(CMC_E_LIMIT);
    }
    DIR *d = opendir(path);
    if (d == NULL) {
        TP_FAIL(CMC_E_IO, "cannot read %s", path);
    }
    struct dirent *de;
    char stem[FILE_MAX_PATH];
    while ((de = readdir(d)) != NULL) {
        if (!file_is_request_name(de->d_name)) {
            continue;
        }
        file_stem(stem, sizeof(stem), de->d_name);
        if (file_answer_exists(l->outbox, stem)) {
            char done[FILE_MAX_PATH];
            if (file_path(claimed, sizeof(claimed), l->inbox, FILE_PROCESSING, de->d_name) == 0 &&
                file_path(done, sizeof(done), l->inbox, FILE_DONE, de->d_name) == 0) {
                (void)rename(claimed, done);
            }
        } else if (file_handle_claimed(l, de->d_name) == CMC_OK) {
            handled++;
        }
    }
    closedir(d);
    /* 2. New requests. */
    d = opendir(l->inbox);
    if (d == NULL) {
        TP_FAIL(CMC_E_IO, "cannot read %s", l->inbox);
    }
    size_t seen = 0;
    while ((de = readdir(d)) != NULL && seen < CMC_LISTENER_FILE_BATCH) {
        if (!file_is_request_name(de->d_name)) {
            continue;
        }
        seen++;
        if (file_path(path, sizeof(path), l->inbox, NULL, de->d_name) != 0) {
            continue;
        }
        int ready = file_ready(l, path);
        if (ready < 0) {
            if (file_path(claimed, sizeof(claimed), l->inbox, FILE_REJECTED, de->d_name) == 0) {
                (void)rename(path, claimed);
            }
            continue;
        }
        if (ready == 0 ||
            file_path(claimed, sizeof(claimed), l->inbox, FILE_PROCESSING, de->d_name) != 0) {
            continue;
        }
        if (rename(path, claimed) != 0) {
            continue; /* another scanner claimed it first */
        }
        if (file_handle_claimed(l, de->d_name) == CMC_OK) {
            handled++;
        }
    }
    closedir(d);
    if (out_num != NULL) {
        *out_num = handled;
    }
    return CMC_OK;
}

cmc_status cmc_file_scan(const cmc_listener_options *opts, cmc_handler_fn fn, void *ctx,
                         size_t *out_num_handled) {
    if (opts == NULL || opts->inbox == NULL || opts->outbox == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    cmc_listener *l = NULL;
    CMC_TRY(cmc_tp_listener_new(&l, CMC_TP_FILE, opts, fn, ctx));
    cmc_status st = file_scan_listener(l, out_num_handled);
    cmc_listener_free(l);
    return st;
}

typedef struct {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
} file_impl;

static void *file_main(void *arg) {
    cmc_listener *l = arg;
    file_impl *f = l->impl;
    pthread_mutex_lock(&f->mu);
    while (!f->stop) {
        pthread_mutex_unlock(&f->mu);
        (void)file_scan_listener(l, NULL);
        pthread_mutex_lock(&f->mu);
        if (f->stop) {
            break;
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += l->poll_ms / 1000u;
        ts.tv_nsec += (long)(l->poll_ms % 1000u) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&f->cv, &f->mu, &ts);
    }
    pthread_mutex_unlock(&f->mu);
    return NULL;
}

static void file_stop(cmc_listener *l) {
    file_impl *f = l->impl;
    if (f == NULL) {
        return;
    }
    pthread_mutex_lock(&f->mu);
    f->stop = 1;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
    pthread_join(f->thread, NULL); /* a scan in progress finishes its current files */
    pthread_mutex_destroy(&f->mu);
    pthread_cond_destroy(&f->cv);
    OPENSSL_free(f);
    l->impl = NULL;
}

cmc_status cmc_listener_start_file(cmc_listener **out, const cmc_listener_options *opts,
                                   cmc_handler_fn fn, void *ctx) {
    if (opts == NULL || opts->inbox == NULL || opts->outbox == NULL) {
        CMC_RAISE(CMC_E_ARG);
    }
    struct stat sb;
    if (stat(opts->inbox, &sb) != 0 || !S_ISDIR(sb.st_mode) || stat(opts->outbox, &sb) != 0 ||
        !S_ISDIR(sb.st_mode)) {
        TP_FAIL(CMC_E_IO, "inbox and outbox must be existing directories");
    }
    cmc_listener *l = NULL;
    CMC_TRY(cmc_tp_listener_new(&l, CMC_TP_FILE, opts, fn, ctx));
    file_impl *f = OPENSSL_zalloc(sizeof(*f));
    if (f == NULL) {
        cmc_listener_free(l);
        CMC_RAISE(CMC_E_NOMEM);
    }
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
    l->impl = f;
    if (pthread_create(&f->thread, NULL, file_main, l) != 0) {
        pthread_mutex_destroy(&f->mu);
        pthread_cond_destroy(&f->cv);
        OPENSSL_free(f);
        l->impl = NULL;
        cmc_listener_free(l);
        CMC_RAISE(CMC_E_INTERNAL);
    }
    l->impl_stop = file_stop;
    *out = l;
    return CMC_OK;
}
