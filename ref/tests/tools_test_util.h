/* tools_test_util.h: run the `cmckit` binary (env CMCKIT, set by ctest) from a cmocka test,
 * capture its exit code, stdout and stderr, and start `cmckit serve` on a free loopback port.
 * Header-only (static functions) so it stays private to the tools_*_test programs. Every
 * child is bounded by a timeout and killed if it overruns. */
#ifndef CMC_TOOLS_TEST_UTIL_H
#define CMC_TOOLS_TEST_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A cmckit run longer than this is a hang: kill it and fail. Generous for the asan build on a
 * loaded machine; a run normally takes well under a second. */
#define TT_RUN_TIMEOUT_MS 60000
/* Output captured per stream; our tools print a few KiB at most. */
#define TT_MAX_OUTPUT (256 * 1024)
#define TT_MAX_ARGV 64

typedef struct {
    int exit_code; /* exit status, or 128+signal, or -1 on timeout */
    char out[TT_MAX_OUTPUT];
    size_t out_len;
    char err[TT_MAX_OUTPUT];
    size_t err_len;
} tt_result;

static inline const char *tt_cmckit(void) {
    const char *p = getenv("CMCKIT");
    return p != NULL ? p : "cmckit";
}

static inline const char *tt_source_dir(void) {
    const char *p = getenv("CMC_SOURCE_DIR");
#ifdef CMC_SOURCE_DIR
    if (p == NULL) {
        p = CMC_SOURCE_DIR;
    }
#endif
    return p != NULL ? p : ".";
}

/* tt_pki returns the path of fixture |name| in vectors/pki (static buffer rotation of 8). */
static inline const char *tt_pki(const char *name) {
    static char bufs[8][1024];
    static int next;
    char *b = bufs[next++ % 8];
    snprintf(b, sizeof(bufs[0]), "%s/vectors/pki/%s", tt_source_dir(), name);
    return b;
}

static inline double tt_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* tt_run runs `cmckit ARGS...` (NULL-terminated |argv|, without the program) with |stdin_data|
 * (may be NULL: empty stdin) and fills |r|. Returns r->exit_code. */
static int tt_runv(tt_result *r, const char *stdin_data, size_t stdin_len,
                   const char *const *args) {
    memset(r, 0, sizeof(*r));
    r->exit_code = -1;
    const char *argv[TT_MAX_ARGV + 2];
    size_t n = 0;
    argv[n++] = tt_cmckit();
    while (args[n - 1] != NULL && n < TT_MAX_ARGV + 1) {
        argv[n] = args[n - 1];
        n++;
    }
    argv[n] = NULL;
    int pin[2], pout[2], perr[2];
    if (pipe(pin) != 0 || pipe(pout) != 0 || pipe(perr) != 0) {
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pin[0], 0);
        dup2(pout[1], 1);
        dup2(perr[1], 2);
        close(pin[0]), close(pin[1]), close(pout[0]), close(pout[1]), close(perr[0]),
            close(perr[1]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(pin[0]);
    close(pout[1]);
    close(perr[1]);
    if (stdin_data != NULL) {
        size_t off = 0;
        signal(SIGPIPE, SIG_IGN);
        while (off < stdin_len) {
            ssize_t w = write(pin[1], stdin_data + off, stdin_len - off);
            if (w <= 0) {
                break;
            }
            off += (size_t)w;
        }
    }
    close(pin[1]);
    double deadline = tt_now_ms() + TT_RUN_TIMEOUT_MS;
    int open_out = 1, open_err = 1, timed_out = 0;
    while (open_out || open_err) {
        struct pollfd fds[2] = {{open_out ? pout[0] : -1, POLLIN, 0},
                                {open_err ? perr[0] : -1, POLLIN, 0}};
        int left = (int)(deadline - tt_now_ms());
        if (left <= 0) {
            timed_out = 1;
            break;
        }
        if (poll(fds, 2, left) < 0 && errno != EINTR) {
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (fds[i].revents == 0) {
                continue;
            }
            char *buf = i == 0 ? r->out : r->err;
            size_t *len = i == 0 ? &r->out_len : &r->err_len;
            char tmp[4096];
            ssize_t got = read(fds[i].fd, tmp, sizeof(tmp));
            if (got <= 0) {
                *(i == 0 ? &open_out : &open_err) = 0;
                continue;
            }
            size_t room = TT_MAX_OUTPUT - 1 - *len;
            size_t take = (size_t)got < room ? (size_t)got : room;
            memcpy(buf + *len, tmp, take);
            *len += take;
        }
    }
    if (timed_out) {
        kill(pid, SIGKILL);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    close(pout[0]);
    close(perr[0]);
    r->out[r->out_len] = '\0';
    r->err[r->err_len] = '\0';
    if (timed_out) {
        r->exit_code = -1;
    } else if (WIFEXITED(status)) {
        r->exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        r->exit_code = 128 + WTERMSIG(status);
    }
    return r->exit_code;
}

#define TT_RUN(r, ...) tt_runv((r), NULL, 0, (const char *const[]){__VA_ARGS__, NULL})

/* tt_lines counts newline-terminated lines in |s|. */
static inline int tt_lines(const char *s) {
    int n = 0;
    for (; *s != '\0'; s++) {
        n += *s == '\n';
    }
    return n;
}

/* A temporary directory per test program, removed (files first) at the end. */
static char tt_dir[256];

static inline int tt_tmp_setup(void) {
    const char *t = getenv("TMPDIR");
    snprintf(tt_dir, sizeof(tt_dir), "%s/cmckit-tools-test-XXXXXX", t != NULL ? t : "/tmp");
    return mkdtemp(tt_dir) != NULL ? 0 : -1;
}

static inline void tt_tmp_teardown(void) {
    char cmd[512];
    if (tt_dir[0] != '\0' && strstr(tt_dir, "cmckit-tools-test-") != NULL) {
        snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", tt_dir);
        if (system(cmd) != 0) {
            fprintf(stderr, "warning: could not remove %s\n", tt_dir);
        }
    }
}

/* tt_path returns |tt_dir|/|name| (static buffer rotation of 8). */
static inline const char *tt_path(const char *name) {
    static char bufs[8][512];
    static int next;
    char *b = bufs[next++ % 8];
    snprintf(b, sizeof(bufs[0]), "%s/%s", tt_dir, name);
    return b;
}

static inline int tt_write(const char *path, const void *data, size_t len) {
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        return -1;
    }
    int ok = fwrite(data, 1, len, f) == len;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

/* tt_read reads a whole file into a malloc'd buffer (NUL terminated). */
static inline unsigned char *tt_read(const char *path, size_t *out_len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    size_t cap = 1 << 16, len = 0;
    unsigned char *b = malloc(cap + 1);
    size_t got;
    while (b != NULL && (got = fread(b + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            unsigned char *nb = realloc(b, cap * 2 + 1);
            if (nb == NULL) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (b != NULL) {
        b[len] = '\0';
        *out_len = len;
    }
    return b;
}

/* A `cmckit serve` child listening on a free loopback port. */
typedef struct {
    pid_t pid;
    char url[256];
} tt_server;

/* tt_serve_start runs `cmckit serve ARGS...` with stdout and stderr going to files in the
 * temporary directory (so a chatty access log can never block it) and waits (bounded) for
 * its readiness line "listening on <scheme>://..." for |scheme| ("http" or "tcp"). */
static inline int tt_serve_startv(tt_server *s, const char *scheme, const char *const *args) {
    static int serial;
    memset(s, 0, sizeof(*s));
    const char *argv[TT_MAX_ARGV + 3];
    size_t n = 0;
    argv[n++] = tt_cmckit();
    argv[n++] = "serve";
    for (size_t i = 0; args[i] != NULL && n < TT_MAX_ARGV + 2; i++) {
        argv[n++] = args[i];
    }
    argv[n] = NULL;
    char out_path[512], err_path[512];
    snprintf(out_path, sizeof(out_path), "%s/serve%d.out", tt_dir, serial);
    snprintf(err_path, sizeof(err_path), "%s/serve%d.err", tt_dir, serial++);
    pid_t pid = fork();
    if (pid == 0) {
        int fo = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int fe = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fo < 0 || fe < 0) {
            _exit(126);
        }
        dup2(fo, 1);
        dup2(fe, 2);
        close(fo);
        close(fe);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    if (pid < 0) {
        return -1;
    }
    s->pid = pid;
    char want[32];
    snprintf(want, sizeof(want), "%s://", scheme);
    double deadline = tt_now_ms() + TT_RUN_TIMEOUT_MS;
    while (tt_now_ms() < deadline) {
        size_t len = 0;
        unsigned char *text = tt_read(out_path, &len);
        char *line = text != NULL ? strtok((char *)text, "\n") : NULL;
        for (; line != NULL; line = strtok(NULL, "\n")) {
            char *u = strstr(line, want);
            if (strstr(line, "listening on") != NULL && u != NULL) {
                u[strcspn(u, " \r")] = '\0';
                snprintf(s->url, sizeof(s->url), "%s", u);
                free(text);
                return 0;
            }
        }
        free(text);
        if (waitpid(pid, NULL, WNOHANG) == pid) {
            s->pid = 0;
            return -1;
        }
        usleep(20000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    s->pid = 0;
    return -1;
}

#define TT_SERVE_START(s, scheme, ...)                                                             \
    tt_serve_startv((s), (scheme), (const char *const[]){__VA_ARGS__, NULL})

/* tt_serve_stop sends SIGTERM, waits (bounded), and returns the exit code (or -1). */
static inline int tt_serve_stop(tt_server *s) {
    if (s->pid <= 0) {
        return -1;
    }
    kill(s->pid, SIGTERM);
    double deadline = tt_now_ms() + TT_RUN_TIMEOUT_MS;
    int status = 0;
    pid_t w = 0;
    while ((w = waitpid(s->pid, &status, WNOHANG)) == 0 && tt_now_ms() < deadline) {
        usleep(10000);
    }
    if (w == 0) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, &status, 0);
        s->pid = 0;
        return -1;
    }
    s->pid = 0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#endif /* CMC_TOOLS_TEST_UTIL_H */
