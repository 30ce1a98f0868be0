/* result.c: the conformance runner's result model. */
#include "result.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kVerdictName[CMC_VERDICT_COUNT] = {"pass", "fail", "skip", "xfail",
                                                            "xpass"};

const char *cmc_verdict_name(cmc_verdict v) {
    if ((unsigned)v >= CMC_VERDICT_COUNT) {
        return "?";
    }
    return kVerdictName[v];
}

static void oom(void) {
    fputs("cmckit conform: out of memory\n", stderr);
    abort();
}

static void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n == 0 ? 1 : n);
    if (q == NULL) {
        oom();
    }
    return q;
}

static void *xcalloc(size_t n, size_t size) {
    void *p = calloc(n == 0 ? 1 : n, size);
    if (p == NULL) {
        oom();
    }
    return p;
}

char *cmc_conform_strdup(const char *s) {
    if (s == NULL) {
        return NULL;
    }
    char *d = strdup(s);
    if (d == NULL) {
        oom();
    }
    return d;
}

__attribute__((format(printf, 1, 0))) static char *vprintf_alloc(const char *fmt, va_list ap) {
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        return cmc_conform_strdup("");
    }
    char *s = xcalloc((size_t)n + 1, 1);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

char *cmc_conform_printf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *s = vprintf_alloc(fmt, ap);
    va_end(ap);
    return s;
}

char *cmc_conform_oneline(const char *s) {
    if (s == NULL) {
        return NULL;
    }
    size_t n = strlen(s);
    if (n > CMC_CONFORM_MAX_REASON) {
        n = CMC_CONFORM_MAX_REASON;
        /* Do not cut a UTF-8 sequence: back up over continuation bytes. */
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) {
            n--;
        }
    }
    char *d = xcalloc(n + 1, 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        d[i] = (ch < 0x20 || ch == 0x7F) ? ' ' : (char)ch;
    }
    return d;
}

cmc_conform_run *cmc_conform_run_new(const char *target, const char *profile, const char *suite) {
    cmc_conform_run *run = xcalloc(1, sizeof(*run));
    run->target = cmc_conform_strdup(target);
    run->profile = cmc_conform_strdup(profile);
    run->suite = cmc_conform_strdup(suite);
    return run;
}

static void step_cleanup(cmc_conform_step *s) {
    free(s->label);
    free(s->request_source);
    free(s->request_type);
    free(s->request);
    free(s->response_type);
    free(s->response);
    free(s->transport_error);
    for (size_t i = 0; i < s->num_checks; i++) {
        free(s->checks[i].name);
        free(s->checks[i].reason);
    }
    free(s->checks);
    free(s->reason);
}

static void case_cleanup(cmc_conform_case *c) {
    free(c->id);
    free(c->title);
    free(c->level);
    for (size_t i = 0; i < c->num_tags; i++) {
        free(c->tags[i]);
    }
    free(c->tags);
    for (size_t i = 0; i < c->num_refs; i++) {
        free(c->refs[i]);
    }
    free(c->refs);
    free(c->family.group);
    free(c->family.content_type);
    free(c->family.stage);
    free(c->family.transport);
    for (size_t i = 0; i < c->num_steps; i++) {
        step_cleanup(&c->steps[i]);
    }
    free(c->steps);
    free(c->reason);
    free(c->deviation);
}

void cmc_conform_run_free(cmc_conform_run *run) {
    if (run == NULL) {
        return;
    }
    free(run->target);
    free(run->profile);
    free(run->suite);
    free(run->started);
    free(run->sanity_before.reason);
    free(run->sanity_after.reason);
    for (size_t i = 0; i < run->num_cases; i++) {
        case_cleanup(&run->cases[i]);
    }
    free(run->cases);
    free(run);
}

cmc_conform_case *cmc_conform_run_add_case(cmc_conform_run *run, const char *id) {
    if (run->num_cases == run->cap_cases) {
        run->cap_cases = run->cap_cases == 0 ? 64 : run->cap_cases * 2;
        run->cases = xrealloc(run->cases, run->cap_cases * sizeof(*run->cases));
    }
    cmc_conform_case *c = &run->cases[run->num_cases++];
    memset(c, 0, sizeof(*c));
    c->id = cmc_conform_strdup(id);
    c->family.reason_code = -1;
    c->verdict = CMC_VERDICT_SKIP;
    return c;
}

void cmc_conform_case_add_tag(cmc_conform_case *c, const char *tag) {
    c->tags = xrealloc(c->tags, (c->num_tags + 1) * sizeof(*c->tags));
    c->tags[c->num_tags++] = cmc_conform_strdup(tag);
}

void cmc_conform_case_add_ref(cmc_conform_case *c, const char *ref) {
    c->refs = xrealloc(c->refs, (c->num_refs + 1) * sizeof(*c->refs));
    c->refs[c->num_refs++] = cmc_conform_strdup(ref);
}

int cmc_conform_case_has_tag(const cmc_conform_case *c, const char *tag) {
    for (size_t i = 0; i < c->num_tags; i++) {
        if (strcmp(c->tags[i], tag) == 0) {
            return 1;
        }
    }
    return 0;
}

cmc_conform_step *cmc_conform_case_add_step(cmc_conform_case *c, const char *label) {
    /* Steps are few per case (enroll, revoke, observe); grow one at a time. */
    c->steps = xrealloc(c->steps, (c->num_steps + 1) * sizeof(*c->steps));
    cmc_conform_step *s = &c->steps[c->num_steps++];
    memset(s, 0, sizeof(*s));
    s->label = cmc_conform_strdup(label);
    s->verdict = CMC_VERDICT_SKIP;
    return s;
}

static uint8_t *dup_bytes(const uint8_t *p, size_t n) {
    uint8_t *d = xcalloc(n, 1);
    if (n > 0) {
        memcpy(d, p, n);
    }
    return d;
}

void cmc_conform_step_set_request(cmc_conform_step *s, const char *source, const char *type,
                                  const uint8_t *der, size_t der_len) {
    free(s->request_source);
    free(s->request_type);
    free(s->request);
    s->request_source = cmc_conform_strdup(source);
    s->request_type = cmc_conform_strdup(type);
    s->request = der != NULL ? dup_bytes(der, der_len) : NULL;
    s->request_len = der != NULL ? der_len : 0;
}

void cmc_conform_step_set_response(cmc_conform_step *s, int http_status, const char *type,
                                   const uint8_t *der, size_t der_len) {
    free(s->response_type);
    free(s->response);
    s->http_status = http_status;
    s->response_type = cmc_conform_strdup(type);
    s->response = der != NULL ? dup_bytes(der, der_len) : NULL;
    s->response_len = der != NULL ? der_len : 0;
}

void cmc_conform_step_check(cmc_conform_step *s, const char *name, cmc_verdict v, const char *fmt,
                            ...) {
    s->checks = xrealloc(s->checks, (s->num_checks + 1) * sizeof(*s->checks));
    cmc_conform_check *k = &s->checks[s->num_checks++];
    k->name = cmc_conform_strdup(name);
    k->verdict = v;
    if (fmt != NULL) {
        va_list ap;
        va_start(ap, fmt);
        char *raw = vprintf_alloc(fmt, ap);
        va_end(ap);
        k->reason = cmc_conform_oneline(raw);
        free(raw);
    } else {
        k->reason = cmc_conform_strdup("");
    }
}

void cmc_conform_step_finish(cmc_conform_step *s) {
    free(s->reason);
    s->reason = NULL;
    size_t passed = 0;
    for (size_t i = 0; i < s->num_checks; i++) {
        const cmc_conform_check *k = &s->checks[i];
        if (k->verdict == CMC_VERDICT_FAIL) {
            s->verdict = CMC_VERDICT_FAIL;
            char *r = cmc_conform_printf("%s: %s", k->name, k->reason);
            s->reason = cmc_conform_oneline(r);
            free(r);
            return;
        }
        if (k->verdict == CMC_VERDICT_PASS) {
            passed++;
        }
    }
    if (passed == 0) {
        s->verdict = CMC_VERDICT_SKIP;
        const char *why = s->num_checks > 0 ? s->checks[0].reason : "no checks ran";
        s->reason = cmc_conform_oneline(why);
        return;
    }
    s->verdict = CMC_VERDICT_PASS;
    s->reason = cmc_conform_strdup("");
}

void cmc_conform_case_finish(cmc_conform_case *c, const char *deviation) {
    free(c->reason);
    c->reason = NULL;
    c->verdict = CMC_VERDICT_SKIP;
    size_t passed = 0;
    const cmc_conform_step *failed = NULL;
    size_t failed_at = 0;
    for (size_t i = 0; i < c->num_steps; i++) {
        if (c->steps[i].verdict == CMC_VERDICT_FAIL && failed == NULL) {
            failed = &c->steps[i];
            failed_at = i;
        } else if (c->steps[i].verdict == CMC_VERDICT_PASS) {
            passed++;
        }
    }
    if (failed != NULL) {
        c->verdict = CMC_VERDICT_FAIL;
        char *r = c->num_steps > 1
                      ? cmc_conform_printf("step %zu (%s): %s", failed_at + 1, failed->label,
                                           failed->reason != NULL ? failed->reason : "")
                      : cmc_conform_strdup(failed->reason != NULL ? failed->reason : "");
        c->reason = cmc_conform_oneline(r);
        free(r);
    } else if (passed > 0) {
        c->verdict = CMC_VERDICT_PASS;
        c->reason = cmc_conform_strdup("");
    } else {
        c->verdict = CMC_VERDICT_SKIP;
        c->reason = cmc_conform_oneline(
            c->num_steps > 0 && c->steps[0].reason != NULL ? c->steps[0].reason : "no step ran");
    }
    if (deviation != NULL) {
        free(c->deviation);
        c->deviation = cmc_conform_oneline(deviation);
        if (c->verdict == CMC_VERDICT_FAIL) {
            c->verdict = CMC_VERDICT_XFAIL;
            char *r = cmc_conform_printf("expected deviation (%s): %s", deviation, c->reason);
            free(c->reason);
            c->reason = cmc_conform_oneline(r);
            free(r);
        } else if (c->verdict == CMC_VERDICT_PASS) {
            c->verdict = CMC_VERDICT_XPASS;
            free(c->reason);
            char *r = cmc_conform_printf("passed, but the profile expects a deviation (%s): "
                                         "remove it from the profile",
                                         deviation);
            c->reason = cmc_conform_oneline(r);
            free(r);
        }
    }
}

void cmc_conform_case_skip(cmc_conform_case *c, const char *reason) {
    c->verdict = CMC_VERDICT_SKIP;
    free(c->reason);
    c->reason = cmc_conform_oneline(reason != NULL ? reason : "skipped");
}

void cmc_conform_run_summary(const cmc_conform_run *run, cmc_conform_summary *out) {
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < run->num_cases; i++) {
        cmc_verdict v = run->cases[i].verdict;
        if ((unsigned)v < CMC_VERDICT_COUNT) {
            out->counts[v]++;
        }
        out->total++;
    }
}

int cmc_conform_run_conformant(const cmc_conform_run *run) {
    cmc_conform_summary sum;
    cmc_conform_run_summary(run, &sum);
    if (sum.counts[CMC_VERDICT_FAIL] > 0 || sum.counts[CMC_VERDICT_XPASS] > 0) {
        return 0;
    }
    if (run->sanity_before.ran && !run->sanity_before.ok) {
        return 0;
    }
    if (run->sanity_after.ran && !run->sanity_after.ok) {
        return 0;
    }
    return 1;
}
