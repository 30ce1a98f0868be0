/* report_junit.c: JUnit XML (the Ant/Jenkins "testsuites" dialect that CI systems read).
 * Every testcase has a name (the case id) and a classname (cmckit.conform.<family>).
 * fail and xpass are <failure>; skip and xfail are <skipped> (as pytest reports xfail). */
#include <string.h>

#include "report.h"

/* Writes |s| escaped for XML 1.0 text and attributes; drops characters XML 1.0 forbids. */
static void xml_text(FILE *out, const char *s) {
    if (s == NULL) {
        return;
    }
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        switch (*p) {
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
        case '\'':
            fputs("&apos;", out);
            break;
        case '\n':
            fputs("&#10;", out);
            break;
        case '\t':
            fputs("&#9;", out);
            break;
        default:
            if (*p < 0x20 || *p == 0x7F) {
                fputc('?', out);
            } else {
                fputc(*p, out);
            }
        }
    }
}

/* The classname groups cases in CI views: the first family that applies, else the first
 * tag, else "general". Only [A-Za-z0-9_.-] so tools that split on dots are not confused. */
static void classname(FILE *out, const cmc_conform_case *c) {
    const char *group = NULL;
    if (c->family.group != NULL && c->family.group[0] != '\0') {
        group = c->family.group;
    } else if (c->family.stage != NULL) {
        group = "stage";
    } else if (c->family.reason_code >= 0) {
        group = "revocation";
    } else if (c->family.transport != NULL) {
        group = "transport";
    } else if (c->family.content_type != NULL) {
        group = c->family.content_type;
    } else if (c->num_tags > 0) {
        group = c->tags[0];
    } else {
        group = "general";
    }
    fputs("cmckit.conform.", out);
    for (const char *p = group; *p != '\0'; p++) {
        char ch = *p;
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                 ch == '_' || ch == '-';
        fputc(ok ? ch : '_', out);
    }
}

static void step_details(FILE *out, const cmc_conform_case *c) {
    for (size_t i = 0; i < c->num_steps; i++) {
        const cmc_conform_step *s = &c->steps[i];
        fprintf(out, "step %zu %s: ", i + 1, s->label != NULL ? s->label : "");
        xml_text(out, cmc_verdict_name(s->verdict));
        fputs("&#10;", out);
        for (size_t k = 0; k < s->num_checks; k++) {
            fputs("  ", out);
            xml_text(out, s->checks[k].name);
            fputs(" ", out);
            xml_text(out, cmc_verdict_name(s->checks[k].verdict));
            if (s->checks[k].reason[0] != '\0') {
                fputs(": ", out);
                xml_text(out, s->checks[k].reason);
            }
            fputs("&#10;", out);
        }
    }
}

static void sanity_case(FILE *out, const char *name, const cmc_conform_sanity *s) {
    fprintf(out, "    <testcase name=\"%s\" classname=\"cmckit.conform.sanity\" time=\"0\">\n",
            name);
    if (!s->ran) {
        fputs("      <skipped message=\"not run\"/>\n", out);
    } else if (!s->ok) {
        fputs("      <failure type=\"sanity\" message=\"", out);
        xml_text(out, s->reason);
        fputs("\"/>\n", out);
    }
    fputs("    </testcase>\n", out);
}

int cmc_conform_report_junit(FILE *out, const cmc_conform_run *run) {
    cmc_conform_summary sum;
    cmc_conform_run_summary(run, &sum);
    size_t failures = sum.counts[CMC_VERDICT_FAIL] + sum.counts[CMC_VERDICT_XPASS];
    size_t skipped = sum.counts[CMC_VERDICT_SKIP] + sum.counts[CMC_VERDICT_XFAIL];
    const cmc_conform_sanity *gates[2] = {&run->sanity_before, &run->sanity_after};
    for (int g = 0; g < 2; g++) {
        if (!gates[g]->ran) {
            skipped++;
        } else if (!gates[g]->ok) {
            failures++;
        }
    }
    size_t tests = sum.total + 2;
    double secs = run->elapsed_ms / 1000.0;
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
    fprintf(out,
            "<testsuites name=\"cmckit conform\" tests=\"%zu\" failures=\"%zu\" "
            "errors=\"0\" skipped=\"%zu\" time=\"%.3f\">\n",
            tests, failures, skipped, secs);
    fputs("  <testsuite name=\"cmckit.conform\" ", out);
    fprintf(out, "tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"%.3f\"", tests,
            failures, skipped, secs);
    if (run->started != NULL) {
        fputs(" timestamp=\"", out);
        xml_text(out, run->started);
        fputs("\"", out);
    }
    fputs(">\n    <properties>\n", out);
    const char *props[][2] = {
        {"target", run->target}, {"profile", run->profile}, {"suite", run->suite}};
    for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++) {
        fprintf(out, "      <property name=\"%s\" value=\"", props[i][0]);
        xml_text(out, props[i][1] != NULL ? props[i][1] : "");
        fputs("\"/>\n", out);
    }
    fputs("    </properties>\n", out);
    sanity_case(out, "sanity-before", &run->sanity_before);
    for (size_t i = 0; i < run->num_cases; i++) {
        const cmc_conform_case *c = &run->cases[i];
        fputs("    <testcase name=\"", out);
        xml_text(out, c->id);
        fputs("\" classname=\"", out);
        classname(out, c);
        fprintf(out, "\" time=\"%.3f\">\n", c->elapsed_ms / 1000.0);
        switch (c->verdict) {
        case CMC_VERDICT_FAIL:
        case CMC_VERDICT_XPASS:
            fprintf(out, "      <failure type=\"%s\" message=\"", cmc_verdict_name(c->verdict));
            xml_text(out, c->reason);
            fputs("\">", out);
            step_details(out, c);
            fputs("</failure>\n", out);
            break;
        case CMC_VERDICT_SKIP:
        case CMC_VERDICT_XFAIL:
            fputs("      <skipped message=\"", out);
            if (c->verdict == CMC_VERDICT_XFAIL) {
                fputs("xfail: ", out);
            }
            xml_text(out, c->reason);
            fputs("\"/>\n", out);
            break;
        default:
            break;
        }
        fputs("      <system-out>", out);
        fputs("level ", out);
        xml_text(out, c->level);
        for (size_t r = 0; r < c->num_refs; r++) {
            fputs("; ", out);
            xml_text(out, c->refs[r]);
        }
        fputs("&#10;", out);
        step_details(out, c);
        fputs("</system-out>\n", out);
        fputs("    </testcase>\n", out);
    }
    sanity_case(out, "sanity-after", &run->sanity_after);
    fputs("  </testsuite>\n</testsuites>\n", out);
    return ferror(out) ? -1 : 0;
}
