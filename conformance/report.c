/* report.c: family matrices, the progress line and the terminal report. */
#include "report.h"

#include <string.h>

/* CRLReason names (RFC 5280 §5.3.1); 7 is not used. Kept here so the reporters need only
 * the result model. */
static const char *const kReasonName[] = {
    "unspecified",   "keyCompromise",        "cACompromise",    "affiliationChanged",
    "superseded",    "cessationOfOperation", "certificateHold", NULL,
    "removeFromCRL", "privilegeWithdrawn",   "aACompromise",
};

static const char *reason_name(int r) {
    if (r < 0 || (size_t)r >= sizeof(kReasonName) / sizeof(kReasonName[0])) {
        return NULL;
    }
    return kReasonName[r];
}

static const char *const kFamilyTitle[CMC_FAMILY_COUNT] = {"content type", "reason code", "stage",
                                                           "transport"};

const char *cmc_conform_family_title(cmc_conform_family_kind k) {
    if ((unsigned)k >= CMC_FAMILY_COUNT) {
        return "?";
    }
    return kFamilyTitle[k];
}

int cmc_conform_family_key(const cmc_conform_case *c, cmc_conform_family_kind k, char *buf,
                           size_t buf_len) {
    const char *s = NULL;
    switch (k) {
    case CMC_FAMILY_CONTENT_TYPE:
        s = c->family.content_type;
        break;
    case CMC_FAMILY_STAGE:
        s = c->family.stage;
        break;
    case CMC_FAMILY_TRANSPORT:
        s = c->family.transport;
        break;
    case CMC_FAMILY_REASON_CODE:
        if (c->family.reason_code < 0) {
            return 0;
        }
        {
            const char *name = reason_name(c->family.reason_code);
            snprintf(buf, buf_len, "%2d %s", c->family.reason_code,
                     name != NULL ? name : "(invalid)");
        }
        return 1;
    default:
        return 0;
    }
    if (s == NULL || s[0] == '\0') {
        return 0;
    }
    snprintf(buf, buf_len, "%s", s);
    return 1;
}

size_t cmc_conform_matrix(const cmc_conform_run *run, cmc_conform_family_kind k,
                          cmc_conform_matrix_row *rows, size_t max_rows) {
    size_t n = 0;
    for (size_t i = 0; i < run->num_cases; i++) {
        char key[sizeof(rows[0].key)];
        if (!cmc_conform_family_key(&run->cases[i], k, key, sizeof(key))) {
            continue;
        }
        size_t r = 0;
        while (r < n && strcmp(rows[r].key, key) != 0) {
            r++;
        }
        if (r == n) {
            if (n == max_rows) {
                continue; /* more keys than rows: the surplus is left out of the matrix */
            }
            memset(&rows[n], 0, sizeof(rows[n]));
            snprintf(rows[n].key, sizeof(rows[n].key), "%s", key);
            n++;
        }
        cmc_verdict v = run->cases[i].verdict;
        if ((unsigned)v < CMC_VERDICT_COUNT) {
            rows[r].counts[v]++;
        }
    }
    /* Reason codes read best in numeric order; the keys start with the padded number. */
    if (k == CMC_FAMILY_REASON_CODE) {
        for (size_t a = 1; a < n; a++) {
            for (size_t b = a; b > 0 && strcmp(rows[b - 1].key, rows[b].key) > 0; b--) {
                cmc_conform_matrix_row t = rows[b];
                rows[b] = rows[b - 1];
                rows[b - 1] = t;
            }
        }
    }
    return n;
}

void cmc_conform_progress(FILE *out, int tty, size_t n, size_t total, const char *id) {
    if (!tty) {
        return;
    }
    fprintf(out, "\r\033[K[%3zu/%zu] %.60s", n, total, id);
    fflush(out);
}

void cmc_conform_progress_done(FILE *out, int tty) {
    if (!tty) {
        return;
    }
    fputs("\r\033[K", out);
    fflush(out);
}

static const char *verdict_color(cmc_verdict v) {
    switch (v) {
    case CMC_VERDICT_PASS:
        return "\033[32m";
    case CMC_VERDICT_FAIL:
        return "\033[1;31m";
    case CMC_VERDICT_SKIP:
        return "\033[2m";
    case CMC_VERDICT_XFAIL:
        return "\033[33m";
    case CMC_VERDICT_XPASS:
        return "\033[1;35m";
    default:
        return "";
    }
}

static void print_verdict(FILE *out, cmc_verdict v, int color, int width) {
    if (color) {
        fprintf(out, "%s%-*s\033[0m", verdict_color(v), width, cmc_verdict_name(v));
    } else {
        fprintf(out, "%-*s", width, cmc_verdict_name(v));
    }
}

static void print_matrix(FILE *out, const cmc_conform_run *run, cmc_conform_family_kind k) {
    cmc_conform_matrix_row rows[CMC_CONFORM_MAX_MATRIX_ROWS];
    size_t n = cmc_conform_matrix(run, k, rows, CMC_CONFORM_MAX_MATRIX_ROWS);
    if (n == 0) {
        return;
    }
    fprintf(out, "\n  by %-32s", cmc_conform_family_title(k));
    for (int v = 0; v < CMC_VERDICT_COUNT; v++) {
        fprintf(out, " %6s", cmc_verdict_name((cmc_verdict)v));
    }
    fputc('\n', out);
    for (size_t r = 0; r < n; r++) {
        fprintf(out, "    %-33.33s", rows[r].key);
        for (int v = 0; v < CMC_VERDICT_COUNT; v++) {
            if (rows[r].counts[v] == 0) {
                fprintf(out, " %6s", ".");
            } else {
                fprintf(out, " %6zu", rows[r].counts[v]);
            }
        }
        fputc('\n', out);
    }
}

static void print_sanity(FILE *out, const char *when, const cmc_conform_sanity *s, int color) {
    if (!s->ran) {
        fprintf(out, "sanity %-6s: not run\n", when);
        return;
    }
    fprintf(out, "sanity %-6s: ", when);
    print_verdict(out, s->ok ? CMC_VERDICT_PASS : CMC_VERDICT_FAIL, color, 4);
    if (s->reason != NULL && s->reason[0] != '\0') {
        fprintf(out, "  %s", s->reason);
    }
    fputc('\n', out);
}

void cmc_conform_report_terminal(FILE *out, const cmc_conform_run *run, int color, int verbose) {
    size_t id_width = 4;
    for (size_t i = 0; i < run->num_cases; i++) {
        size_t l = strlen(run->cases[i].id);
        if (l > id_width) {
            id_width = l;
        }
    }
    if (id_width > 56) {
        id_width = 56;
    }
    fprintf(out, "%-*s  %-6s  %-6s  %s\n", (int)id_width, "case", "level", "result", "reason");
    size_t listed = 0;
    for (size_t i = 0; i < run->num_cases; i++) {
        const cmc_conform_case *c = &run->cases[i];
        if (!verbose && (c->verdict == CMC_VERDICT_PASS || c->verdict == CMC_VERDICT_SKIP)) {
            continue;
        }
        listed++;
        fprintf(out, "%-*.*s  %-6s  ", (int)id_width, (int)id_width, c->id,
                c->level != NULL ? c->level : "-");
        print_verdict(out, c->verdict, color, 6);
        fprintf(out, "  %s\n", c->reason != NULL ? c->reason : "");
    }
    if (!verbose && listed == 0) {
        fprintf(out, "(every case passed or was skipped; without -q every case is listed)\n");
    }

    cmc_conform_summary sum;
    cmc_conform_run_summary(run, &sum);
    fprintf(out, "\nsummary per family (cases)");
    for (int k = 0; k < CMC_FAMILY_COUNT; k++) {
        print_matrix(out, run, (cmc_conform_family_kind)k);
    }
    fputc('\n', out);
    fprintf(out, "target %s, profile %s, suite %s\n", run->target ? run->target : "?",
            run->profile ? run->profile : "?", run->suite ? run->suite : "?");
    print_sanity(out, "before", &run->sanity_before, color);
    print_sanity(out, "after", &run->sanity_after, color);
    fprintf(out, "%zu cases:", sum.total);
    for (int v = 0; v < CMC_VERDICT_COUNT; v++) {
        fprintf(out, " %zu %s%s", sum.counts[v], cmc_verdict_name((cmc_verdict)v),
                v + 1 < CMC_VERDICT_COUNT ? "," : "");
    }
    fprintf(out, " in %.1f s\n", run->elapsed_ms / 1000.0);
    int ok = cmc_conform_run_conformant(run);
    if (color) {
        fprintf(out, "%s%s\033[0m\n", ok ? "\033[1;32m" : "\033[1;31m",
                ok ? "CONFORMANT" : "NOT CONFORMANT");
    } else {
        fprintf(out, "%s\n", ok ? "CONFORMANT" : "NOT CONFORMANT");
    }
    if (run->sanity_after.ran && !run->sanity_after.ok) {
        fprintf(out, "the server degraded during the run: the final sanity enrollment failed\n");
    }
}
