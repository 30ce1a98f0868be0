/* cli.c: `cmckit conform` - options, target and profile set-up, reports, exit code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "report.h"

static void usage(FILE *f) {
    fputs("usage: cmckit conform [OPTIONS]\n"
          "Runs the CMC conformance suite. Without --target or --url: against the embedded\n"
          "reference server, in-process (every case passes there).\n\n"
          "target\n"
          "  --target FILE         target configuration (OpenSSL config syntax: url, TLS trust,\n"
          "                        officer credentials per role, CA certificate, policy)\n"
          "  --url URL             a target without credentials: http(s)://, tcp://HOST[:PORT],\n"
          "                        file:INBOX,OUTBOX, exec:COMMAND; cases needing officer\n"
          "                        credentials are skipped\n"
          "  --fixture-officers    the --url target trusts the vectors/pki officers (e.g. a\n"
          "                        `cmckit serve` with the embedded default)\n"
          "  --profile NAME|FILE   rfc (default), documented-vendor, or a JSON profile\n"
          "  --suite DIR           the vector set (default: the source tree's vectors/)\n"
          "selection\n"
          "  --only GLOB           run cases whose id matches (repeatable)\n"
          "  --skip GLOB           leave out cases whose id matches (repeatable)\n"
          "  --tag TAG             run cases with this tag (repeatable)\n"
          "  --level must|should|all   MUST only, MUST+SHOULD, or everything (default all)\n"
          "  --list                list the selected cases and exit\n"
          "  --replay DIR          send again the requests recorded by --transcripts DIR\n"
          "  --no-sanity           skip the sanity enrollments before and after the run\n"
          "reports\n"
          "  --report-json FILE    versioned JSON (conformance/schema/report.schema.json)\n"
          "  --report-junit FILE   JUnit XML\n"
          "  --report-html FILE    one self-contained HTML file with every transcript\n"
          "  --transcripts DIR     request/response DER of every step, DIR/<case>/step-N.*\n"
          "  -q, --quiet           terminal table lists only cases that did not pass\n"
          "  --color, --no-color   force or suppress colour (default: only on a terminal)\n\n"
          "exit status: 0 conformant, 1 not conformant, 2 usage or configuration error,\n"
          "3 target unreachable or first sanity enrollment failed, 4 internal error\n",
          f);
}

typedef struct {
    const char *target_file;
    const char *url;
    int fixture_officers;
    const char *profile;
    const char *suite;
    cmc_conform_selection sel;
    int list;
    const char *replay;
    int no_sanity;
    const char *json, *junit, *html, *transcripts;
    int quiet;
    int color; /* -1 auto */
} cli_opts;

/* Returns 0, 1 for --help, -1 on a usage error (message printed). */
static int parse(cli_opts *o, int argc, char **argv) {
    memset(o, 0, sizeof(*o));
    o->sel.level = CMC_LEVEL_ALL;
    o->color = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *const with_value[] = {
            "--target",       "--url",         "--profile",    "--suite",  "--only",
            "--skip",         "--tag",         "--level",      "--replay", "--report-json",
            "--report-junit", "--report-html", "--transcripts"};
        const char *v = NULL;
        const char *name = a;
        char namebuf[32];
        const char *eq = strchr(a, '=');
        if (strncmp(a, "--", 2) == 0 && eq != NULL && (size_t)(eq - a) < sizeof(namebuf)) {
            memcpy(namebuf, a, (size_t)(eq - a));
            namebuf[eq - a] = '\0';
            name = namebuf;
            v = eq + 1;
        }
        int needs = 0;
        for (size_t k = 0; k < sizeof(with_value) / sizeof(with_value[0]); k++) {
            needs |= strcmp(name, with_value[k]) == 0;
        }
        if (needs && v == NULL) {
            if (i + 1 >= argc) {
                fprintf(stderr, "cmckit conform: %s needs a value\n", name);
                return -1;
            }
            v = argv[++i];
        } else if (!needs && v != NULL) {
            fprintf(stderr, "cmckit conform: %s takes no value\n", name);
            return -1;
        }
        if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0) {
            return 1;
        } else if (strcmp(name, "--target") == 0) {
            o->target_file = v;
        } else if (strcmp(name, "--url") == 0) {
            o->url = v;
        } else if (strcmp(name, "--fixture-officers") == 0) {
            o->fixture_officers = 1;
        } else if (strcmp(name, "--profile") == 0) {
            o->profile = v;
        } else if (strcmp(name, "--suite") == 0) {
            o->suite = v;
        } else if (strcmp(name, "--only") == 0 || strcmp(name, "--skip") == 0 ||
                   strcmp(name, "--tag") == 0) {
            const char **arr = name[2] == 'o'   ? o->sel.only
                               : name[2] == 's' ? o->sel.skip
                                                : o->sel.tags;
            size_t *n = name[2] == 'o'   ? &o->sel.num_only
                        : name[2] == 's' ? &o->sel.num_skip
                                         : &o->sel.num_tags;
            if (*n == CMC_CONFORM_MAX_PATTERNS) {
                fprintf(stderr, "cmckit conform: more than %d %s options\n",
                        CMC_CONFORM_MAX_PATTERNS, name);
                return -1;
            }
            arr[(*n)++] = v;
        } else if (strcmp(name, "--level") == 0) {
            if (cmc_conform_level_parse(v, &o->sel.level) != 0) {
                fprintf(stderr, "cmckit conform: --level must, should or all\n");
                return -1;
            }
        } else if (strcmp(name, "--list") == 0) {
            o->list = 1;
        } else if (strcmp(name, "--replay") == 0) {
            o->replay = v;
        } else if (strcmp(name, "--no-sanity") == 0) {
            o->no_sanity = 1;
        } else if (strcmp(name, "--report-json") == 0) {
            o->json = v;
        } else if (strcmp(name, "--report-junit") == 0) {
            o->junit = v;
        } else if (strcmp(name, "--report-html") == 0) {
            o->html = v;
        } else if (strcmp(name, "--transcripts") == 0) {
            o->transcripts = v;
        } else if (strcmp(name, "-q") == 0 || strcmp(name, "--quiet") == 0) {
            o->quiet = 1;
        } else if (strcmp(name, "--color") == 0) {
            o->color = 1;
        } else if (strcmp(name, "--no-color") == 0) {
            o->color = 0;
        } else {
            fprintf(stderr, "cmckit conform: unknown option '%s'\n", a);
            return -1;
        }
    }
    if (o->target_file != NULL && o->url != NULL) {
        fprintf(stderr, "cmckit conform: give --target or --url, not both\n");
        return -1;
    }
    if (o->fixture_officers && o->url == NULL) {
        fprintf(stderr, "cmckit conform: --fixture-officers goes with --url\n");
        return -1;
    }
    return 0;
}

/* The HTML transcript printer: the dump printer when the library has one, else hex. */
extern int cmc_conform_dump_message(FILE *out, const uint8_t *der, size_t der_len);

static int write_report(const char *path, const char *what, const cmc_conform_run *run) {
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "cmckit conform: cannot write %s report %s\n", what, path);
        return -1;
    }
    int rc;
    if (strcmp(what, "JSON") == 0) {
        rc = cmc_conform_report_json(f, run);
    } else if (strcmp(what, "JUnit") == 0) {
        rc = cmc_conform_report_junit(f, run);
    } else {
        rc = cmc_conform_report_html(f, run, cmc_conform_dump_message);
    }
    if (fclose(f) != 0 || rc != 0) {
        fprintf(stderr, "cmckit conform: error writing %s report %s\n", what, path);
        return -1;
    }
    return 0;
}

int cmc_conform_main(int argc, char **argv, const char *default_vectors_dir) {
    cli_opts o;
    int p = parse(&o, argc, argv);
    if (p > 0) {
        usage(stdout);
        return CMC_CONFORM_EXIT_CONFORMANT;
    }
    if (p < 0) {
        fprintf(stderr, "(cmckit conform --help lists the options)\n");
        return CMC_CONFORM_EXIT_USAGE;
    }
    const char *suite = o.suite != NULL ? o.suite : default_vectors_dir;
    char err[512] = "";
    if (o.list) {
        cmc_conform_exit rc = cmc_conform_engine_list(stdout, suite, &o.sel, err, sizeof(err));
        if (rc != CMC_CONFORM_EXIT_CONFORMANT) {
            fprintf(stderr, "cmckit conform: %s\n", err);
        }
        return rc;
    }

    cmc_conform_target *target = NULL;
    if (o.target_file != NULL) {
        target = cmc_conform_target_load(o.target_file, err, sizeof(err));
    } else if (o.url != NULL) {
        target = cmc_conform_target_url(o.url, o.fixture_officers);
    } else {
        target = cmc_conform_target_embedded();
    }
    if (target == NULL) {
        fprintf(stderr, "cmckit conform: %s\n", err);
        return CMC_CONFORM_EXIT_USAGE;
    }
    const char *profile_name = o.profile != NULL         ? o.profile
                               : target->profile != NULL ? target->profile
                                                         : "rfc";
    cmc_conform_profile *profile = cmc_conform_profile_load(profile_name, err, sizeof(err));
    if (profile == NULL) {
        fprintf(stderr, "cmckit conform: %s\n", err);
        cmc_conform_target_free(target);
        return CMC_CONFORM_EXIT_USAGE;
    }

    int tty = isatty(STDERR_FILENO);
    cmc_conform_engine_options eo;
    memset(&eo, 0, sizeof(eo));
    eo.vectors_dir = suite;
    eo.target = target;
    eo.profile = profile;
    eo.selection = &o.sel;
    eo.replay_dir = o.replay;
    eo.no_sanity = o.no_sanity;
    eo.progress = stderr;
    eo.progress_tty = tty;
    cmc_conform_run *run = NULL;
    cmc_conform_exit rc = cmc_conform_engine_run(&run, &eo, err, sizeof(err));
    if (run == NULL) {
        fprintf(stderr, "cmckit conform: %s\n", err);
        cmc_conform_profile_free(profile);
        cmc_conform_target_free(target);
        return rc;
    }
    int color = o.color >= 0 ? o.color : (isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL);
    cmc_conform_report_terminal(stdout, run, color, !o.quiet);
    if (rc == CMC_CONFORM_EXIT_UNREACHABLE) {
        fprintf(stderr, "cmckit conform: %s\n", err[0] != '\0' ? err : "target unreachable");
    }
    int write_failed = 0;
    if (o.json != NULL) {
        write_failed |= write_report(o.json, "JSON", run) != 0;
    }
    if (o.junit != NULL) {
        write_failed |= write_report(o.junit, "JUnit", run) != 0;
    }
    if (o.html != NULL) {
        write_failed |= write_report(o.html, "HTML", run) != 0;
    }
    if (o.transcripts != NULL &&
        cmc_conform_write_transcripts(o.transcripts, run, err, sizeof(err)) != 0) {
        fprintf(stderr, "cmckit conform: transcripts: %s\n", err);
        write_failed = 1;
    }
    cmc_conform_run_free(run);
    cmc_conform_profile_free(profile);
    cmc_conform_target_free(target);
    if (write_failed && rc == CMC_CONFORM_EXIT_CONFORMANT) {
        return CMC_CONFORM_EXIT_USAGE; /* a report path the user gave could not be written */
    }
    return rc;
}
