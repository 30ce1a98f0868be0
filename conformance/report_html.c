/* report_html.c: one self-contained HTML file (inline CSS, no scripts, no external links):
 * the verdict, the summary matrices (content type, reason code, stage, transport × outcome)
 * and every case with its checks and the transcript of each exchange. */
#include <stdlib.h>
#include <string.h>

#include "report.h"

const char *cmckit_version(void);

/* Limit on the dump of one message in the report: a CMC message with a few certificates is
 * under 64 KiB; an oversize-input case would otherwise bloat the file by megabytes. */
#define HTML_MAX_DUMP_BYTES (64 * 1024)

static void html_text(FILE *out, const char *s, size_t len) {
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        switch (ch) {
        case '&':
            fputs("&amp;", out);
            break;
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        default:
            if ((ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7F) {
                fputc('?', out);
            } else {
                fputc(ch, out);
            }
        }
    }
}

static void html(FILE *out, const char *s) {
    if (s != NULL) {
        html_text(out, s, strlen(s));
    }
}

static void hexdump(FILE *out, const uint8_t *p, size_t n) {
    for (size_t off = 0; off < n; off += 16) {
        fprintf(out, "%06zx ", off);
        for (size_t i = 0; i < 16; i++) {
            if (off + i < n) {
                fprintf(out, " %02x", p[off + i]);
            } else {
                fputs("   ", out);
            }
        }
        fputs("  ", out);
        for (size_t i = 0; i < 16 && off + i < n; i++) {
            uint8_t ch = p[off + i];
            fputc(ch >= 0x20 && ch < 0x7F ? ((ch == '<' || ch == '>' || ch == '&') ? '.' : ch)
                                          : '.',
                  out);
        }
        fputc('\n', out);
    }
}

static void message(FILE *out, const char *what, const char *type, const uint8_t *der, size_t len,
                    cmc_conform_dump_fn dump) {
    fprintf(out, "<div class=msg><div class=mh>%s: ", what);
    html(out, type != NULL ? type : "(no media type)");
    fprintf(out, ", %zu bytes</div>", len);
    if (der == NULL || len == 0) {
        fputs("</div>\n", out);
        return;
    }
    size_t shown = len > HTML_MAX_DUMP_BYTES ? HTML_MAX_DUMP_BYTES : len;
    fputs("<pre>", out);
    int printed = 0;
    if (dump != NULL) {
        char *buf = NULL;
        size_t buf_len = 0;
        FILE *mem = open_memstream(&buf, &buf_len);
        if (mem != NULL) {
            printed = dump(mem, der, shown) == 0;
            fclose(mem);
            if (printed) {
                html_text(out, buf, buf_len);
            }
            free(buf);
        }
    }
    if (!printed) {
        hexdump(out, der, shown);
    }
    if (shown < len) {
        fprintf(out, "... %zu more bytes not shown\n", len - shown);
    }
    fputs("</pre></div>\n", out);
}

static const char kStyle[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse;margin:.5em 0 1.5em}"
    "td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}"
    "td.n{text-align:right}th{background:#f3f3f3}"
    ".pass{color:#176117}.fail{color:#b00020;font-weight:bold}.skip{color:#777}"
    ".xfail{color:#9a6a00}.xpass{color:#8a1a8a;font-weight:bold}"
    "details{border:1px solid #ddd;margin:4px 0;padding:4px 8px}"
    "summary{cursor:pointer}pre{background:#f8f8f8;padding:6px;overflow-x:auto;font-size:12px}"
    ".mh{font-weight:bold;margin-top:6px}.verdict{font-size:1.4em}";

static void matrix(FILE *out, const cmc_conform_run *run, cmc_conform_family_kind k) {
    cmc_conform_matrix_row rows[CMC_CONFORM_MAX_MATRIX_ROWS];
    size_t n = cmc_conform_matrix(run, k, rows, CMC_CONFORM_MAX_MATRIX_ROWS);
    fputs("<h3>", out);
    html(out, cmc_conform_family_title(k));
    fputs(" &times; outcome</h3>\n<table><tr><th>", out);
    html(out, cmc_conform_family_title(k));
    fputs("</th>", out);
    for (int v = 0; v < CMC_VERDICT_COUNT; v++) {
        fprintf(out, "<th class=%s>%s</th>", cmc_verdict_name((cmc_verdict)v),
                cmc_verdict_name((cmc_verdict)v));
    }
    fputs("</tr>\n", out);
    if (n == 0) {
        fprintf(out, "<tr><td colspan=%d>no case in this family was selected</td></tr>\n",
                CMC_VERDICT_COUNT + 1);
    }
    for (size_t r = 0; r < n; r++) {
        fputs("<tr><td>", out);
        html(out, rows[r].key);
        fputs("</td>", out);
        for (int v = 0; v < CMC_VERDICT_COUNT; v++) {
            fprintf(out, "<td class=\"n %s\">%zu</td>",
                    rows[r].counts[v] ? cmc_verdict_name((cmc_verdict)v) : "", rows[r].counts[v]);
        }
        fputs("</tr>\n", out);
    }
    fputs("</table>\n", out);
}

static void one_case(FILE *out, const cmc_conform_case *c, cmc_conform_dump_fn dump) {
    const char *v = cmc_verdict_name(c->verdict);
    fprintf(out, "<details id=\"case-");
    html(out, c->id);
    fprintf(out, "\"%s><summary><span class=%s>%s</span> <b>",
            c->verdict == CMC_VERDICT_FAIL || c->verdict == CMC_VERDICT_XPASS ? " open" : "", v, v);
    html(out, c->id);
    fputs("</b> [", out);
    html(out, c->level);
    fputs("] ", out);
    html(out, c->title);
    if (c->reason != NULL && c->reason[0] != '\0') {
        fputs(" &mdash; ", out);
        html(out, c->reason);
    }
    fputs("</summary>\n<p>", out);
    for (size_t r = 0; r < c->num_refs; r++) {
        html(out, c->refs[r]);
        fputs(r + 1 < c->num_refs ? "; " : "", out);
    }
    if (c->num_tags > 0) {
        fputs(" &middot; tags:", out);
        for (size_t t = 0; t < c->num_tags; t++) {
            fputs(" ", out);
            html(out, c->tags[t]);
        }
    }
    if (c->deviation != NULL) {
        fputs(" &middot; expected deviation: ", out);
        html(out, c->deviation);
    }
    fputs("</p>\n", out);
    for (size_t i = 0; i < c->num_steps; i++) {
        const cmc_conform_step *s = &c->steps[i];
        fprintf(out, "<h4>step %zu: ", i + 1);
        html(out, s->label);
        fprintf(out,
                " <span class=%s>%s</span></h4>\n<table><tr><th>check</th><th>result</th>"
                "<th>reason</th></tr>\n",
                cmc_verdict_name(s->verdict), cmc_verdict_name(s->verdict));
        for (size_t k = 0; k < s->num_checks; k++) {
            const char *kv = cmc_verdict_name(s->checks[k].verdict);
            fputs("<tr><td>", out);
            html(out, s->checks[k].name);
            fprintf(out, "</td><td class=%s>%s</td><td>", kv, kv);
            html(out, s->checks[k].reason);
            fputs("</td></tr>\n", out);
        }
        fputs("</table>\n", out);
        if (s->request != NULL) {
            char what[64];
            snprintf(what, sizeof(what), "request (%s)",
                     s->request_source != NULL ? s->request_source : "?");
            message(out, what, s->request_type, s->request, s->request_len, dump);
        }
        if (s->transport_error != NULL) {
            fputs("<p class=fail>transport: ", out);
            html(out, s->transport_error);
            fputs("</p>\n", out);
        } else if (s->response != NULL || s->response_type != NULL) {
            char what[64];
            snprintf(what, sizeof(what), "response (HTTP %d)", s->http_status);
            message(out, what, s->response_type, s->response, s->response_len, dump);
        }
    }
    fputs("</details>\n", out);
}

int cmc_conform_report_html(FILE *out, const cmc_conform_run *run, cmc_conform_dump_fn dump) {
    cmc_conform_summary sum;
    cmc_conform_run_summary(run, &sum);
    int ok = cmc_conform_run_conformant(run);
    fputs("<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
          "<title>cmckit conform report</title><style>",
          out);
    fputs(kStyle, out);
    fputs("</style></head><body>\n<h1>cmckit conform</h1>\n", out);
    fprintf(out, "<p class=\"verdict %s\">%s</p>\n", ok ? "pass" : "fail",
            ok ? "CONFORMANT" : "NOT CONFORMANT");
    fputs("<table>", out);
    const char *rows[][2] = {{"target", run->target},
                             {"profile", run->profile},
                             {"suite", run->suite},
                             {"started", run->started},
                             {"tool", NULL}};
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        fprintf(out, "<tr><th>%s</th><td>", rows[i][0]);
        if (rows[i][1] != NULL) {
            html(out, rows[i][1]);
        } else if (strcmp(rows[i][0], "tool") == 0) {
            fputs("cmckit ", out);
            html(out, cmckit_version());
        }
        fputs("</td></tr>", out);
    }
    const cmc_conform_sanity *gates[2] = {&run->sanity_before, &run->sanity_after};
    const char *gate_names[2] = {"sanity before", "sanity after"};
    for (int g = 0; g < 2; g++) {
        fprintf(out, "<tr><th>%s</th><td class=%s>%s ", gate_names[g],
                !gates[g]->ran ? "skip"
                : gates[g]->ok ? "pass"
                               : "fail",
                !gates[g]->ran ? "not run"
                : gates[g]->ok ? "pass"
                               : "fail");
        html(out, gates[g]->reason);
        fputs("</td></tr>", out);
    }
    fprintf(out, "<tr><th>cases</th><td>%zu:", sum.total);
    for (int v = 0; v < CMC_VERDICT_COUNT; v++) {
        fprintf(out, " <span class=%s>%zu %s</span>", cmc_verdict_name((cmc_verdict)v),
                sum.counts[v], cmc_verdict_name((cmc_verdict)v));
    }
    fprintf(out, " in %.1f s</td></tr></table>\n<h2>Summary</h2>\n", run->elapsed_ms / 1000.0);
    for (int k = 0; k < CMC_FAMILY_COUNT; k++) {
        matrix(out, run, (cmc_conform_family_kind)k);
    }
    fputs("<h2>Cases</h2>\n", out);
    for (size_t i = 0; i < run->num_cases; i++) {
        one_case(out, &run->cases[i], dump);
    }
    fputs("</body></html>\n", out);
    return ferror(out) ? -1 : 0;
}
