/* engine.c: the conformance runner's engine (engine.h). */
#include "engine.h"

#include <stdarg.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cmc/asn1.h"
#include "cmc/media_type.h"
#include "cmc/msg.h"
#include "cmc/transport.h"
#include "embedded.h"
#include "expect.h"
#include "fixtures.h"
#include "http_raw.h"
#include "internal.h"
#include "recipe.h"
#include "report.h"
#include "suite.h"
#include "transcript.h"

/* Most checks one outcome evaluation records (http, media, status, fail info, body list,
 * status string, issued, chain, plus one per body part ID). */
#define ENGINE_MAX_OUTCOME_CHECKS 32
/* The reference server's default revocation policy (DESIGN.md answer table): 0, 1, 3, 4, 5. */
#define REFERENCE_ALLOWED_REASONS 0x3Bu

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static char *iso_now(void) {
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    char buf[32];
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return cmc_conform_strdup(buf);
}

/* ------------------------------------------------------------------ the run's context */

typedef struct {
    const cmc_conform_engine_options *opt;
    const cmc_conform_target *target;
    cmc_transport *remote; /* non-embedded targets: one client for the run */
    X509_STORE *trust;     /* the CA responses must chain to; NULL = chain not checked */
    X509 *ca;              /* the CA "$ca" stands for in recipes (target's or fixture's) */
    cmc_credential enroll; /* the target's officer credentials (vendor targets) */
    cmc_credential revoke;
    unsigned allowed_reasons;   /* the target's revocation policy */
    int64_t signing_time;       /* signingTime of compiled requests */
    const char *scheme;         /* "embedded", "http", "https", "tcp", "file", "exec" */
    const char *suite_seed;     /* the manifest's seed (hex): per-case server seeds */
    cmc_transport_options topt; /* the remote target's transport options */
    size_t exchanges;           /* requests sent to the target */
    size_t unreachable;         /* of which no connection could be made */
} engine;

static cmc_status new_server(engine *e, cmc_server **out, const cmc_case *c) {
    uint8_t seed[CMC_CASE_SEED_LEN];
    CMC_TRY(cmc_case_seed(seed, e->suite_seed, c != NULL ? c->id : "sanity"));
    const char *const *requires = c != NULL ? c->requires : NULL;
    size_t num_requires = c != NULL ? c->num_requires : 0;
    if (e->opt->server_factory != NULL) {
        return e->opt->server_factory(e->opt->server_ctx, out, requires, num_requires, seed,
                                      sizeof(seed));
    }
    return cmc_embedded_server_new(out, requires, num_requires, seed, sizeof(seed));
}

/* A transport for one case: the run's client, or a fresh in-process server (every case
 * starts from an empty store, as when the vectors were generated). */
typedef struct {
    cmc_transport *t; /* the run's client (lent), or NULL for the embedded core */
    cmc_server *srv;  /* the case's embedded server (owned) */
} case_link;

static cmc_status link_open(engine *e, case_link *l, const cmc_case *c) {
    memset(l, 0, sizeof(*l));
    if (!e->target->embedded) {
        l->t = e->remote;
        return CMC_OK;
    }
    /* In-process: the core is called directly, as the vector generator does, so requests of
     * any size reach it (an oversize case expects the core's 413). */
    return new_server(e, &l->srv, c);
}

static void link_close(case_link *l) {
    cmc_server_free(l->srv);
    memset(l, 0, sizeof(*l));
}

/* ------------------------------------------------------------------ request facts */

/* What the runner needs to know about the request it sent, read from the bytes. */
typedef struct {
    ASN1_INTEGER *transaction_id;
    uint8_t *sender_nonce;
    size_t sender_nonce_len;
} request_facts;

static void request_facts_cleanup(request_facts *f) {
    ASN1_INTEGER_free(f->transaction_id);
    free(f->sender_nonce);
    memset(f, 0, sizeof(*f));
}

/* Reads transactionId and senderNonce from a Full PKI Request without verifying it (the
 * request may be a deliberately broken one). */
static void request_facts_read(request_facts *f, const uint8_t *der, size_t len) {
    memset(f, 0, sizeof(*f));
    if (der == NULL || len == 0 || len > CMC_MAX_MESSAGE_BYTES) {
        return;
    }
    const uint8_t *p = der;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
    if (cms == NULL) {
        ERR_clear_error();
        return;
    }
    ASN1_OCTET_STRING **content = CMS_get0_content(cms);
    if (content != NULL && *content != NULL) {
        const uint8_t *q = ASN1_STRING_get0_data(*content);
        CMC_PKI_DATA *pd = d2i_CMC_PKI_DATA(NULL, &q, ASN1_STRING_length(*content));
        ASN1_OBJECT *tx_oid = OBJ_txt2obj(CMC_OID_ID_CMC ".5", 1);
        ASN1_OBJECT *nonce_oid = OBJ_txt2obj(CMC_OID_ID_CMC ".6", 1);
        for (int i = 0; pd != NULL && i < sk_CMC_TAGGED_ATTRIBUTE_num(pd->controlSequence); i++) {
            CMC_TAGGED_ATTRIBUTE *a = sk_CMC_TAGGED_ATTRIBUTE_value(pd->controlSequence, i);
            ASN1_TYPE *v =
                sk_ASN1_TYPE_num(a->attrValues) > 0 ? sk_ASN1_TYPE_value(a->attrValues, 0) : NULL;
            if (v == NULL) {
                continue;
            }
            if (OBJ_cmp(a->attrType, tx_oid) == 0 && v->type == V_ASN1_INTEGER &&
                f->transaction_id == NULL) {
                f->transaction_id = ASN1_INTEGER_dup(v->value.integer);
            } else if (OBJ_cmp(a->attrType, nonce_oid) == 0 && v->type == V_ASN1_OCTET_STRING &&
                       f->sender_nonce == NULL) {
                int n = ASN1_STRING_length(v->value.octet_string);
                f->sender_nonce = malloc(n > 0 ? (size_t)n : 1);
                if (f->sender_nonce != NULL) {
                    memcpy(f->sender_nonce, ASN1_STRING_get0_data(v->value.octet_string),
                           (size_t)n);
                    f->sender_nonce_len = (size_t)n;
                }
            }
        }
        ASN1_OBJECT_free(tx_oid);
        ASN1_OBJECT_free(nonce_oid);
        CMC_PKI_DATA_free(pd);
    }
    CMS_ContentInfo_free(cms);
    ERR_clear_error();
}

/* ------------------------------------------------------------------ response facts */

typedef struct {
    int have_answer; /* a response (any HTTP status) arrived */
    int http_status;
    const char *media_type; /* as received; NULL if none */
    const uint8_t *body;
    size_t body_len;
    int media;  /* cmc_expect_media, or -1 for an unknown type */
    int parsed; /* cmc_response_read succeeded */
    cmc_status parse_status;
    cmc_response r;
    size_t num_issued; /* end-entity certificates in the answer */
    int has_chain;     /* a CA certificate is in the answer */
} response_facts;

static void response_facts_read(response_facts *f, engine *e, const cmc_http_response *resp,
                                int have_answer) {
    memset(f, 0, sizeof(*f));
    cmc_response_init(&f->r);
    f->media = -1;
    f->have_answer = have_answer;
    if (!have_answer) {
        return;
    }
    f->http_status = resp->http_status;
    f->media_type = resp->media_type[0] != '\0' ? resp->media_type : NULL;
    f->body = resp->body;
    f->body_len = resp->body_len;
    f->media = cmc_expect_classify(f->media_type, f->body_len);
    if (f->body_len == 0 || f->media == CMC_EXPECT_MEDIA_TEXT) {
        return;
    }
    cmc_verify_options vopt;
    memset(&vopt, 0, sizeof(vopt));
    vopt.expected_content_type = CMC_OID_CCT_PKI_RESPONSE;
    vopt.trust = e->trust;
    vopt.untrusted = e->target->untrusted;
    vopt.flags = e->trust == NULL ? CMC_VERIFY_NO_CHAIN : 0;
    f->parse_status = cmc_response_read(&f->r, f->body, f->body_len, f->media_type, &vopt);
    f->parsed = f->parse_status == CMC_OK;
    ERR_clear_error();
    for (int i = 0; f->parsed && i < sk_X509_num(f->r.certs); i++) {
        X509 *x = sk_X509_value(f->r.certs, i);
        if (X509_check_ca(x) != 0) {
            f->has_chain = 1;
        } else if (f->r.signer_cert == NULL || X509_cmp(x, f->r.signer_cert) != 0) {
            f->num_issued++;
        }
    }
}

static void response_facts_cleanup(response_facts *f) {
    cmc_response_cleanup(&f->r);
}

/* ------------------------------------------------------------------ outcome checks */

typedef struct {
    const char *name;
    cmc_verdict v;
    char reason[CMC_CONFORM_MAX_REASON];
} pending_check;

typedef struct {
    pending_check c[ENGINE_MAX_OUTCOME_CHECKS];
    size_t n;
    size_t failures;
} check_list;

static void add(check_list *l, const char *name, cmc_verdict v, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void add(check_list *l, const char *name, cmc_verdict v, const char *fmt, ...) {
    if (l->n == ENGINE_MAX_OUTCOME_CHECKS) {
        return;
    }
    pending_check *c = &l->c[l->n++];
    c->name = name;
    c->v = v;
    c->reason[0] = '\0';
    if (fmt != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
        va_end(ap);
    }
    if (v == CMC_VERDICT_FAIL) {
        l->failures++;
    }
}

static const char *status_name(long s) {
    const char *n = cmc_cmc_status_name(s);
    return n != NULL ? n : "?";
}

static const char *fail_name(long f) {
    if (f < 0) {
        return "(none)";
    }
    const char *n = cmc_fail_info_name(f);
    return n != NULL ? n : "?";
}

static void fail_list_text(char *buf, size_t len, const long *v, size_t n) {
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s%s", i > 0 ? "|" : "", fail_name(v[i]));
    }
}

static int contains_ci(const char *hay, const char *needle) {
    size_t n = strlen(needle);
    for (const char *p = hay; *p != '\0'; p++) {
        if (strncasecmp(p, needle, n) == 0) {
            return 1;
        }
    }
    return n == 0;
}

/* One status entry against the expected status and failInfo values. */
static void check_status_entry(check_list *l, const cmc_outcome *o, const cmc_response_status *s,
                               const char *what) {
    if (s->status != o->cmc_status) {
        add(l, "cmc-status", CMC_VERDICT_FAIL, "%s: expected %s, got %s%s%s", what,
            status_name(o->cmc_status), status_name(s->status), s->fail_info >= 0 ? "/" : "",
            s->fail_info >= 0 ? fail_name(s->fail_info) : "");
        return;
    }
    add(l, "cmc-status", CMC_VERDICT_PASS, "%s: %s", what, status_name(s->status));
    if (o->num_fail_info > 0) {
        size_t i = 0;
        while (i < o->num_fail_info && o->fail_info[i] != s->fail_info) {
            i++;
        }
        char allowed[160];
        fail_list_text(allowed, sizeof(allowed), o->fail_info, o->num_fail_info);
        if (i == o->num_fail_info) {
            add(l, "fail-info", CMC_VERDICT_FAIL, "%s: expected %s, got %s", what, allowed,
                fail_name(s->fail_info));
        } else {
            add(l, "fail-info", CMC_VERDICT_PASS, "%s: %s", what, fail_name(s->fail_info));
        }
    }
    if (o->status_string_contains != NULL) {
        if (s->status_string == NULL || !contains_ci(s->status_string, o->status_string_contains)) {
            add(l, "status-string", CMC_VERDICT_FAIL, "%s: statusString %s%s%s lacks \"%s\"", what,
                s->status_string ? "\"" : "", s->status_string ? s->status_string : "absent",
                s->status_string ? "\"" : "", o->status_string_contains);
        } else {
            add(l, "status-string", CMC_VERDICT_PASS, NULL);
        }
    }
}

static void eval_outcome(check_list *l, const cmc_outcome *o, const response_facts *f,
                         int http_meaningful) {
    memset(l, 0, sizeof(*l));
    if (http_meaningful) {
        if (f->http_status != o->http_status) {
            add(l, "http-status", CMC_VERDICT_FAIL, "expected HTTP %d, got %d", o->http_status,
                f->http_status);
        } else {
            add(l, "http-status", CMC_VERDICT_PASS, "%d", f->http_status);
        }
    }
    if ((int)o->media == f->media) {
        add(l, "media-type", CMC_VERDICT_PASS, "%s", cmc_expect_media_name(o->media));
    } else {
        add(l, "media-type", CMC_VERDICT_FAIL, "expected %s, got %s",
            cmc_expect_media_name(o->media), f->media_type != NULL ? f->media_type : "none");
    }
    int needs_body = o->cmc_status >= 0 || o->issued >= 0 || o->chain >= 0;
    if (needs_body && !f->parsed) {
        add(l, "response", CMC_VERDICT_FAIL, "the answer does not decode as a CMC response: %s",
            f->body_len == 0 ? "no body" : cmc_status_str(f->parse_status));
        return;
    }
    if (o->cmc_status >= 0) {
        if (f->r.kind != CMC_RESPONSE_FULL) {
            add(l, "cmc-status", CMC_VERDICT_FAIL, "expected a Full PKI Response with %s",
                status_name(o->cmc_status));
        } else if (o->num_body_list > 0) {
            for (size_t i = 0; i < o->num_body_list; i++) {
                char what[48];
                snprintf(what, sizeof(what), "body part %lld", (long long)o->body_list[i]);
                const cmc_response_status *s = cmc_response_find_status(&f->r, o->body_list[i]);
                if (s == NULL) {
                    /* Say what the answer held instead: "success for 10". */
                    char got[160] = "";
                    for (size_t k = 0; k < f->r.num_statuses && k < 3; k++) {
                        const cmc_response_status *o2 = &f->r.statuses[k];
                        size_t used = strlen(got);
                        snprintf(got + used, sizeof(got) - used, "%s%s for %lld", k ? ", " : "",
                                 status_name(o2->status),
                                 o2->num_body_list > 0 ? (long long)o2->body_list[0] : -1LL);
                    }
                    add(l, "body-list", CMC_VERDICT_FAIL, "no status names %s (got %s)", what,
                        got[0] != '\0' ? got : "no status control");
                } else {
                    add(l, "body-list", CMC_VERDICT_PASS, "%s", what);
                    check_status_entry(l, o, s, what);
                }
            }
        } else if (f->r.num_statuses == 0) {
            /* RFC 5272 §6.1: no status control at all means success. */
            if (o->cmc_status == CMC_STATUS_SUCCESS) {
                add(l, "cmc-status", CMC_VERDICT_PASS, "no status control (= success)");
            } else {
                add(l, "cmc-status", CMC_VERDICT_FAIL, "expected %s, got no status control",
                    status_name(o->cmc_status));
            }
        } else if (o->cmc_status == CMC_STATUS_SUCCESS) {
            size_t i = 0;
            while (i < f->r.num_statuses && f->r.statuses[i].status == CMC_STATUS_SUCCESS) {
                i++;
            }
            if (i < f->r.num_statuses) {
                check_status_entry(l, o, &f->r.statuses[i], "status");
            } else {
                add(l, "cmc-status", CMC_VERDICT_PASS, "success");
            }
        } else {
            /* The first status that is not success carries the answer. */
            size_t i = 0;
            while (i + 1 < f->r.num_statuses && f->r.statuses[i].status == CMC_STATUS_SUCCESS) {
                i++;
            }
            check_status_entry(l, o, &f->r.statuses[i], "status");
        }
    }
    if (o->issued >= 0) {
        if ((long)f->num_issued != o->issued) {
            add(l, "issued", CMC_VERDICT_FAIL, "expected %ld issued certificate(s), got %zu",
                o->issued, f->num_issued);
        } else {
            add(l, "issued", CMC_VERDICT_PASS, "%zu", f->num_issued);
        }
    }
    if (o->chain >= 0) {
        if (o->chain && !f->has_chain) {
            add(l, "chain", CMC_VERDICT_FAIL, "the issuer chain was promised but is missing");
        } else if (!o->chain && f->has_chain) {
            add(l, "chain", CMC_VERDICT_FAIL, "a CA certificate is present where none was asked");
        } else {
            add(l, "chain", CMC_VERDICT_PASS, o->chain ? "present" : "absent");
        }
    }
}

/* ------------------------------------------------------------------ per-case work */

static int recipe_uses(const json_t *recipe, const char *needle) {
    char *text = json_dumps(recipe, JSON_COMPACT);
    int hit = text != NULL && strstr(text, needle) != NULL;
    free(text);
    return hit;
}

static const char *recipe_signer_slot(const json_t *recipe) {
    const json_t *signer = json_object_get(recipe, "signer");
    return json_string_value(json_object_get(signer, "slot"));
}

/* The CRLReason of the first revokeRequest control of the case, or -1. */
static int case_reason_code(const cmc_case *c) {
    for (size_t i = 0; i < c->num_steps; i++) {
        const json_t *controls = json_object_get(c->steps[i].recipe, "controls");
        size_t k;
        json_t *ctl;
        json_array_foreach(controls, k, ctl) {
            const char *type = json_string_value(json_object_get(ctl, "type"));
            json_t *reason = json_object_get(ctl, "reason");
            if (type != NULL && strcmp(type, "revokeRequest") == 0 && json_is_integer(reason)) {
                return (int)json_integer_value(reason);
            }
        }
    }
    return -1;
}

/* "pkcs10", "full/tcr", "full/crm", "full/tcr+crm", "full/revokeRequest", "raw" → media. */
static char *case_content_type(const cmc_case *c) {
    const cmc_step *s = &c->steps[0];
    const char *type = json_string_value(json_object_get(s->recipe, "type"));
    char req[64] = "raw";
    if (type != NULL && strcmp(type, "pkcs10") == 0) {
        snprintf(req, sizeof(req), "pkcs10");
    } else if (type != NULL && strcmp(type, "full") == 0) {
        int tcr = 0, crm = 0;
        size_t i;
        json_t *r;
        json_array_foreach(json_object_get(s->recipe, "requests"), i, r) {
            const char *rt = json_string_value(json_object_get(r, "type"));
            tcr += rt != NULL && strcmp(rt, "tcr") == 0;
            crm += rt != NULL && strcmp(rt, "crm") == 0;
        }
        if (tcr + crm == 0) {
            snprintf(req, sizeof(req), "full/%s",
                     case_reason_code(c) >= 0 ? "revokeRequest" : "controls");
        } else {
            snprintf(req, sizeof(req), "full/%s%s%s%s", tcr ? "tcr" : "",
                     tcr > 1 || crm > 1 ? "s" : "", tcr && crm ? "+" : "", crm ? "crm" : "");
        }
    }
    return cmc_conform_printf("%s -> %s", req, cmc_expect_media_name(s->outcomes[0].media));
}

static const char *first_other_tag(const cmc_case *c, const char *skip1, const char *skip2) {
    for (size_t i = 0; i < c->num_tags; i++) {
        if ((skip1 == NULL || strcmp(c->tags[i], skip1) != 0) &&
            (skip2 == NULL || strcmp(c->tags[i], skip2) != 0)) {
            return c->tags[i];
        }
    }
    return NULL;
}

static void classify(cmc_conform_case *rc, const cmc_case *c) {
    rc->family.group = cmc_conform_strdup(c->family);
    if (strcmp(c->family, "content-type") == 0) {
        rc->family.content_type = case_content_type(c);
    }
    if (strcmp(c->family, "revocation") == 0) {
        rc->family.reason_code = case_reason_code(c);
    }
    if (strcmp(c->family, "verification") == 0) {
        static const struct {
            const char *tag;
            const char *key;
        } kStages[] = {{"stage1", "1 message digest"},
                       {"stage2", "2 content type"},
                       {"stage3", "3 signer and officer"},
                       {"stages", "several (lowest reported)"}};
        const char *key = "other";
        for (size_t i = 0; i < sizeof(kStages) / sizeof(kStages[0]); i++) {
            if (cmc_case_has_tag(c, kStages[i].tag)) {
                key = kStages[i].key;
            }
        }
        rc->family.stage = cmc_conform_strdup(key);
    }
    if (strcmp(c->family, "transport") == 0) {
        const char *t = first_other_tag(c, "transport", "negative");
        rc->family.transport = cmc_conform_strdup(t != NULL ? t : "other");
    }
}

/* Why the target lacks |feature| (a case's "requires" entry), from its configuration, or
 * NULL. The embedded server is configured per case, so it has every feature but HTTP. */
static const char *target_lacks(const engine *e, const char *feature) {
    const cmc_conform_target *t = e->target;
    int http = strcmp(e->scheme, "http") == 0 || strcmp(e->scheme, "https") == 0;
    if (strcmp(feature, "http-transport") == 0 && !http) {
        return "the target is not reached over HTTP";
    }
    if (t->embedded) {
        return NULL;
    }
    /* Without a [policy] line the reference defaults apply: enrollment needs an officer, and
     * certs-only answers carry the chain. */
    int officer = t->has_enroll_needs_officer ? t->enroll_needs_officer : 1;
    if (strcmp(feature, "open-enrollment") == 0 && officer) {
        return "the target's enrollment needs an officer ([policy] enroll_needs_officer)";
    }
    if (strcmp(feature, "enrollment-requires-officer") == 0 && !officer) {
        return "the target enrolls without an officer ([policy] enroll_needs_officer)";
    }
    if (strcmp(feature, "chainless-certs-only") == 0 &&
        !(t->has_response_types && (t->response_types & CMC_CONFORM_RESP_CERTS_ONLY))) {
        return "the target does not offer certs-only without the chain ([policy] "
               "response_types)";
    }
    if (strcmp(feature, "pkix-cert-response") == 0 && t->has_response_types &&
        !(t->response_types & CMC_CONFORM_RESP_PKIX_CERT)) {
        return "the target does not offer application/pkix-cert ([policy] response_types)";
    }
    return NULL;
}

/* Why the case cannot run against this target, or NULL. |buf| holds composed reasons. */
static const char *not_applicable(engine *e, const cmc_case *c, char *buf, size_t len) {
    if (c->disabled_reason != NULL) {
        snprintf(buf, len, "disabled in the vector set: %s", c->disabled_reason);
        return buf;
    }
    for (size_t i = 0; i < c->num_requires; i++) {
        const char *why = cmc_conform_profile_absent(e->opt->profile, c->requires[i]);
        if (why != NULL) {
            snprintf(buf, len, "feature %s absent (profile): %s", c->requires[i], why);
            return buf;
        }
        why = target_lacks(e, c->requires[i]);
        if (why != NULL) {
            snprintf(buf, len, "needs %s: %s", c->requires[i], why);
            return buf;
        }
    }
    int http = strcmp(e->scheme, "http") == 0 || strcmp(e->scheme, "https") == 0;
    for (size_t i = 0; i < c->num_steps; i++) {
        const cmc_step *s = &c->steps[i];
        if (s->method != NULL && strcmp(s->method, "POST") != 0 && !http) {
            snprintf(buf, len, "sends HTTP %s: needs an http(s) target", s->method);
            return buf;
        }
        if ((strcmp(e->scheme, "tcp") == 0 || strcmp(e->scheme, "file") == 0) &&
            strcmp(c->family, "transport") == 0) {
            snprintf(buf, len, "an HTTP media-type case; the %s transport carries no media type",
                     e->scheme);
            return buf;
        }
        if (!e->target->fixture_officers && e->opt->replay_dir == NULL) {
            const char *slot = recipe_signer_slot(s->recipe);
            if (slot != NULL && strcmp(slot, "enroll") == 0 && e->enroll.key == NULL) {
                snprintf(buf, len,
                         "needs an enrollment officer ([enroll_officer] in the target "
                         "configuration)");
                return buf;
            }
            if (slot != NULL && strcmp(slot, "revoke") == 0 && e->revoke.key == NULL) {
                snprintf(buf, len,
                         "needs a revocation officer ([revoke_officer] in the target "
                         "configuration)");
                return buf;
            }
            if (e->target->ca_cert == NULL && recipe_uses(s->recipe, "\"$ca\"")) {
                snprintf(buf, len, "names the target's CA: set [target] ca_cert");
                return buf;
            }
        }
    }
    int reason = case_reason_code(c);
    if (reason >= 0 && reason <= 10 && reason != 7 &&
        ((e->allowed_reasons >> reason) & 1u) != ((REFERENCE_ALLOWED_REASONS >> reason) & 1u)) {
        snprintf(buf, len, "the target's policy %s reason %d (the case assumes it %s)",
                 ((e->allowed_reasons >> reason) & 1u) ? "allows" : "refuses", reason,
                 ((REFERENCE_ALLOWED_REASONS >> reason) & 1u) ? "allowed" : "refused");
        return buf;
    }
    return NULL;
}

/* Obtains the request bytes of step |k|. Returns 0, or -1 with the step marked. */
static int step_request(engine *e, const cmc_case *c, size_t k, const json_t *captures,
                        int diverged, cmc_conform_step *rs, uint8_t **out, size_t *out_len,
                        char **out_type) {
    const cmc_step *s = &c->steps[k];
    *out = NULL;
    *out_len = 0;
    *out_type = NULL;
    if (e->opt->replay_dir != NULL) {
        if (cmc_conform_transcript_load(e->opt->replay_dir, c->id, k, out, out_len, out_type) !=
            0) {
            cmc_conform_step_check(rs, "request", CMC_VERDICT_SKIP, "step not recorded in %s",
                                   e->opt->replay_dir);
            return -1;
        }
        cmc_conform_step_set_request(rs, "recorded", *out_type, *out, *out_len);
        return 0;
    }
    *out_type = cmc_conform_strdup(s->media_type);
    if (e->target->fixture_officers && s->request != NULL && !diverged) {
        *out = malloc(s->request_len > 0 ? s->request_len : 1);
        if (*out == NULL) {
            abort();
        }
        memcpy(*out, s->request, s->request_len);
        *out_len = s->request_len;
        cmc_conform_step_set_request(rs, "replayed", s->media_type, *out, *out_len);
        return 0;
    }
    cmc_recipe_context ctx;
    memset(&ctx, 0, sizeof(ctx));
    if (!e->target->fixture_officers) {
        ctx.enroll = e->enroll.key != NULL ? &e->enroll : NULL;
        ctx.revoke = e->revoke.key != NULL ? &e->revoke : NULL;
    }
    ctx.ca = e->ca;
    ctx.captures = captures;
    ctx.signing_time = e->signing_time;
    char err[256] = "";
    uint8_t *der = NULL;
    size_t der_len = 0;
    cmc_status st = cmc_recipe_compile(&der, &der_len, s->recipe, &ctx, err, sizeof(err));
    if (st != CMC_OK) {
        cmc_conform_step_check(rs, "request", CMC_VERDICT_FAIL, "recipe does not compile: %s",
                               err[0] != '\0' ? err : cmc_status_str(st));
        free(*out_type);
        *out_type = NULL;
        return -1;
    }
    *out = malloc(der_len > 0 ? der_len : 1);
    if (*out == NULL) {
        abort();
    }
    memcpy(*out, der, der_len);
    *out_len = der_len;
    cmc_free(der);
    cmc_conform_step_set_request(rs, "compiled", s->media_type, *out, *out_len);
    return 0;
}

static int http_like(const engine *e) {
    return e->target->embedded || strcmp(e->scheme, "http") == 0 ||
           strcmp(e->scheme, "https") == 0 || strcmp(e->scheme, "file") == 0;
}

/* Runs the semantic checks of step |k| on the answer. Captured values go into |captures|;
 * |*diverged| is set when a captured value differs from the reference run's. */
static void step_checks(engine *e, const cmc_case *c, size_t k, cmc_conform_step *rs,
                        const response_facts *f, const uint8_t *req, size_t req_len, int replayed,
                        json_t *captures, int *diverged) {
    const cmc_step *s = &c->steps[k];
    /* 1. the outcome: the first allowed outcome that matches, else the reference one. */
    check_list best = {0}; /* stays empty if a step had no outcome (the loader refuses it) */
    check_list l;
    size_t match = s->num_outcomes;
    for (size_t i = 0; i < s->num_outcomes; i++) {
        eval_outcome(&l, &s->outcomes[i], f, http_like(e));
        if (l.failures == 0) {
            match = i;
            best = l;
            break;
        }
        if (i == 0) {
            best = l;
        }
    }
    for (size_t i = 0; i < best.n; i++) {
        const char *r = best.c[i].reason;
        if (match > 0 && match < s->num_outcomes && i == 0) {
            cmc_conform_step_check(rs, best.c[i].name, best.c[i].v, "%s (alternative %zu of %zu)",
                                   r, match + 1, s->num_outcomes);
        } else if (match == s->num_outcomes && best.c[i].v == CMC_VERDICT_FAIL &&
                   s->num_outcomes > 1) {
            cmc_conform_step_check(rs, best.c[i].name, best.c[i].v,
                                   "%s (no alternative of %zu matched either)", r, s->num_outcomes);
        } else {
            cmc_conform_step_check(rs, best.c[i].name, best.c[i].v, "%s", r);
        }
    }
    int full = f->parsed && f->r.kind == CMC_RESPONSE_FULL;
    /* 2. transactionId echoed and recipientNonce = our senderNonce (RFC 5272 §6.6, §6.8). */
    if (s->echo_transaction_id || s->echo_sender_nonce) {
        request_facts rf;
        request_facts_read(&rf, req, req_len);
        if (s->echo_transaction_id) {
            if (!full) {
                cmc_conform_step_check(rs, "transaction-id", CMC_VERDICT_FAIL,
                                       "no Full PKI Response to carry transactionId");
            } else if (rf.transaction_id == NULL) {
                cmc_conform_step_check(rs, "transaction-id", CMC_VERDICT_SKIP,
                                       "the request carries no transactionId");
            } else if (f->r.transaction_id == NULL) {
                cmc_conform_step_check(rs, "transaction-id", CMC_VERDICT_FAIL,
                                       "transactionId not returned");
            } else if (ASN1_INTEGER_cmp(rf.transaction_id, f->r.transaction_id) != 0) {
                cmc_conform_step_check(rs, "transaction-id", CMC_VERDICT_FAIL,
                                       "transactionId returned with another value");
            } else {
                cmc_conform_step_check(rs, "transaction-id", CMC_VERDICT_PASS, "echoed");
            }
        }
        if (s->echo_sender_nonce) {
            if (!full) {
                cmc_conform_step_check(rs, "recipient-nonce", CMC_VERDICT_FAIL,
                                       "no Full PKI Response to carry recipientNonce");
            } else if (rf.sender_nonce == NULL) {
                cmc_conform_step_check(rs, "recipient-nonce", CMC_VERDICT_SKIP,
                                       "the request carries no senderNonce");
            } else if (f->r.recipient_nonce == NULL) {
                cmc_conform_step_check(rs, "recipient-nonce", CMC_VERDICT_FAIL,
                                       "recipientNonce missing (our senderNonce not returned)");
            } else if (f->r.recipient_nonce_len != rf.sender_nonce_len ||
                       memcmp(f->r.recipient_nonce, rf.sender_nonce, rf.sender_nonce_len) != 0) {
                cmc_conform_step_check(rs, "recipient-nonce", CMC_VERDICT_FAIL,
                                       "recipientNonce differs from our senderNonce");
            } else {
                cmc_conform_step_check(rs, "recipient-nonce", CMC_VERDICT_PASS,
                                       "= our senderNonce");
            }
        }
        request_facts_cleanup(&rf);
    }
    /* 3. Status controls are statusInfoV2 (RFC 5272 §6.1: servers MUST use it; they MAY
     * add statusInfo). A response without any status control is legal (= success). */
    if (full && f->r.num_statuses > 0) {
        size_t v2 = 0;
        for (size_t i = 0; i < f->r.num_statuses; i++) {
            v2 += f->r.statuses[i].v2 != 0;
        }
        if (v2 == 0) {
            cmc_conform_step_check(rs, "status-v2", CMC_VERDICT_FAIL,
                                   "only statusInfo (id-cmc-1) controls; RFC 5272 6.1 requires "
                                   "statusInfoV2 (id-cmc-25)");
        } else {
            cmc_conform_step_check(rs, "status-v2", CMC_VERDICT_PASS, "%zu statusInfoV2", v2);
        }
    }
    /* 4. A Full PKI Response is signed, and the signer chains to the target's CA. */
    if (full) {
        if (f->r.verify_status == CMC_OK) {
            cmc_conform_step_check(rs, "signature", CMC_VERDICT_PASS, "%s",
                                   e->trust != NULL ? "verifies and chains to the CA"
                                                    : "verifies (chain not checked: no ca_cert)");
        } else {
            cmc_conform_step_check(rs, "signature", CMC_VERDICT_FAIL, "response signature: %s",
                                   cmc_status_str(f->r.verify_status));
        }
    }
    /* 5. The issued certificate carries the requested key and subject. */
    X509 *issued = NULL;
    if (f->parsed) {
        issued = cmc_recipe_find_issued(s->recipe, f->r.certs);
    }
    if (s->issued_matches_request) {
        if (issued == NULL) {
            cmc_conform_step_check(rs, "issued-cert", CMC_VERDICT_FAIL,
                                   "no issued certificate carries the requested public key");
        } else {
            const json_t *src = json_object_get(s->recipe, "subject");
            if (src == NULL) {
                src = json_object_get(json_array_get(json_object_get(s->recipe, "requests"), 0),
                                      "subject");
            }
            const char *subject = json_string_value(src);
            X509_NAME *want = NULL;
            if (subject != NULL && cmc_name_parse(&want, subject) == CMC_OK &&
                X509_NAME_cmp(want, X509_get_subject_name(issued)) != 0) {
                cmc_conform_step_check(rs, "issued-cert", CMC_VERDICT_FAIL,
                                       "issued subject differs from the requested %s", subject);
            } else {
                cmc_conform_step_check(rs, "issued-cert", CMC_VERDICT_PASS,
                                       "requested key and subject");
            }
            X509_NAME_free(want);
        }
    }
    /* 6. Captured values for later steps. */
    for (size_t i = 0; i < s->num_captures; i++) {
        static const char *const kSources[] = {"issued.serial", "issued.issuer", "issued.cert"};
        const cmc_capture *cap = &s->captures[i];
        char *value = NULL;
        if (issued == NULL ||
            cmc_recipe_capture_value(&value, kSources[cap->source], issued) != CMC_OK) {
            cmc_conform_step_check(rs, "capture", CMC_VERDICT_FAIL,
                                   "$%s: no issued certificate to take it from", cap->name);
            *diverged = 1;
            continue;
        }
        json_object_set_new(captures, cap->name, json_string(value));
        const char *golden = json_string_value(json_object_get(s->golden_captured, cap->name));
        if (golden == NULL || strcmp(golden, value) != 0) {
            *diverged = 1;
        }
        free(value);
    }
    /* 7. Against the embedded reference: the golden response, byte for byte. */
    if (e->target->embedded && replayed && s->has_golden && e->opt->server_factory == NULL) {
        if (f->http_status != s->golden_http_status || f->body_len != s->golden_len ||
            (f->body_len > 0 && memcmp(f->body, s->golden, s->golden_len) != 0)) {
            cmc_conform_step_check(rs, "golden", CMC_VERDICT_FAIL,
                                   "response differs from %s (HTTP %d, %zu bytes; got HTTP %d, "
                                   "%zu bytes)",
                                   s->golden_file, s->golden_http_status, s->golden_len,
                                   f->http_status, f->body_len);
        } else {
            cmc_conform_step_check(rs, "golden", CMC_VERDICT_PASS, "identical to %s",
                                   s->golden_file);
        }
    }
}

static int transport_reached(cmc_status st) {
    return st == CMC_OK || st == CMC_E_HTTP;
}

/* Sends one request; fills |resp| and records the answer or the transport error in |rs|.
 * Returns 1 if an answer arrived. */
static int exchange(engine *e, case_link *l, cmc_conform_step *rs, const char *method,
                    const uint8_t *req, size_t req_len, const char *type, const char *accept,
                    cmc_http_response *resp, cmc_status *out_st) {
    memset(resp, 0, sizeof(*resp));
    cmc_http_request hr = {req, req_len, type, accept};
    cmc_error_clear();
    cmc_status st;
    int http = strcmp(e->scheme, "http") == 0 || strcmp(e->scheme, "https") == 0;
    int other_method = method != NULL && strcmp(method, "POST") != 0;
    if (l->srv == NULL && http && (other_method || req_len > CMC_TRANSPORT_MAX_BODY_BYTES)) {
        char err[256] = "";
        if (cmc_conform_http_raw(resp, e->target->url, other_method ? method : "POST", &hr,
                                 &e->topt, err, sizeof(err)) != 0) {
            rs->transport_error = cmc_conform_strdup(err);
            *out_st = CMC_E_CONNECT;
            return 0;
        }
        *out_st = CMC_OK;
        cmc_conform_step_set_response(rs, resp->http_status,
                                      resp->media_type[0] != '\0' ? resp->media_type : NULL,
                                      resp->body, resp->body_len);
        return 1;
    }
    if (l->srv != NULL) {
        /* The core answers every request; a non-OK status comes with a 500 answer. */
        cmc_status core = cmc_server_handle(l->srv, &hr, resp);
        (void)core;
        st = CMC_OK;
    } else {
        st = cmc_transport_exchange(l->t, resp, &hr);
    }
    *out_st = st;
    if (!transport_reached(st)) {
        const char *detail = cmc_error_last()->detail;
        rs->transport_error =
            cmc_conform_printf("%s%s%s", cmc_status_str(st), detail[0] != '\0' ? ": " : "", detail);
        memset(resp, 0, sizeof(*resp));
        return 0;
    }
    cmc_conform_step_set_response(rs, resp->http_status,
                                  resp->media_type[0] != '\0' ? resp->media_type : NULL, resp->body,
                                  resp->body_len);
    return 1;
}

/* Records why no answer arrived. RFC 5273 §5 (TCP, as replaced by RFC 6402) has no status
 * line: a server refusing a message can only close the connection, which is how it says what
 * HTTP says with a 4xx. So over TCP a close without an answer passes where the case allows an
 * HTTP error outcome; anything else without an answer is a failure. */
static void transport_failure(const engine *e, const cmc_step *s, cmc_conform_step *rs,
                              cmc_status st) {
    if (strcmp(e->scheme, "tcp") == 0 && st == CMC_E_PROTOCOL) {
        for (size_t i = 0; i < s->num_outcomes; i++) {
            if (s->outcomes[i].http_status >= 400) {
                cmc_conform_step_check(rs, "http-status", CMC_VERDICT_PASS,
                                       "connection closed without an answer: the TCP form of "
                                       "the allowed HTTP %d",
                                       s->outcomes[i].http_status);
                return;
            }
        }
    }
    cmc_conform_step_check(rs, "transport", CMC_VERDICT_FAIL, "%s",
                           rs->transport_error != NULL ? rs->transport_error : "no answer");
}

/* Why |req| cannot go over the target's transport, or NULL. TCP (RFC 5273 §5 / RFC 6402)
 * and the file transport delimit a message by its BER length, so a request that is not one
 * complete BER element (truncated, trailing bytes) cannot be delivered as one message; and
 * the TCP and file clients send at most CMC_TRANSPORT_MAX_BODY_BYTES. */
static const char *unsendable_request(const engine *e, const uint8_t *req, size_t req_len) {
    if (e->target->embedded) {
        return NULL;
    }
    int framed = strcmp(e->scheme, "tcp") == 0 || strcmp(e->scheme, "file") == 0 ||
                 strcmp(e->scheme, "exec") == 0;
    if (!framed) {
        return NULL; /* http(s): any body; see exchange() */
    }
    if (req_len > CMC_TRANSPORT_MAX_BODY_BYTES) {
        return "the request is larger than the tcp/file/exec clients send";
    }
    size_t frame = 0;
    if (strcmp(e->scheme, "exec") != 0 &&
        (cmc_ber_frame_length(&frame, req, req_len, CMC_TRANSPORT_MAX_BODY_BYTES) != CMC_OK ||
         frame != req_len)) {
        return "not one complete BER element: the tcp and file transports delimit messages "
               "by their BER length";
    }
    return NULL;
}

static void run_case(engine *e, const cmc_case *c, cmc_conform_case *rc) {
    double t0 = now_ms();
    /* Embedded: the case runs under its seed, as when the vectors were generated. */
    uint8_t seed[CMC_CASE_SEED_LEN];
    int deterministic = e->target->embedded &&
                        cmc_case_seed(seed, e->suite_seed, c->id) == CMC_OK &&
                        cmc_rand_deterministic_begin(seed, sizeof(seed)) == CMC_OK;
    case_link link;
    cmc_status st = link_open(e, &link, c);
    if (st != CMC_OK) {
        cmc_conform_step *rs = cmc_conform_case_add_step(rc, "setup");
        cmc_conform_step_check(rs, "server", CMC_VERDICT_FAIL, "embedded server: %s",
                               cmc_status_str(st));
        cmc_conform_step_finish(rs);
        cmc_conform_case_finish(rc, NULL);
        if (deterministic) {
            cmc_rand_deterministic_end();
        }
        return;
    }
    json_t *captures = json_object();
    int diverged = 0;
    int stop = 0;
    for (size_t k = 0; k < c->num_steps; k++) {
        const cmc_step *s = &c->steps[k];
        cmc_conform_step *rs = cmc_conform_case_add_step(rc, s->name);
        if (stop) {
            cmc_conform_step_check(rs, "request", CMC_VERDICT_SKIP,
                                   "an earlier step failed; its values are missing");
            cmc_conform_step_finish(rs);
            continue;
        }
        double ts = now_ms();
        uint8_t *req = NULL;
        size_t req_len = 0;
        char *type = NULL;
        if (step_request(e, c, k, captures, diverged, rs, &req, &req_len, &type) != 0) {
            cmc_conform_step_finish(rs);
            stop = 1;
            continue;
        }
        int replayed = strcmp(rs->request_source, "replayed") == 0;
        cmc_http_response resp;
        cmc_status xst;
        int answered = 0;
        const char *unsendable = unsendable_request(e, req, req_len);
        if (unsendable != NULL) {
            cmc_conform_step_check(rs, "transport", CMC_VERDICT_SKIP, "%s", unsendable);
            memset(&resp, 0, sizeof(resp));
            stop = 1;
        } else {
            answered =
                exchange(e, &link, rs, s->method, req, req_len, type, s->accept, &resp, &xst);
            e->exchanges++;
            if (!answered) {
                e->unreachable += xst == CMC_E_CONNECT || xst == CMC_E_TLS;
                transport_failure(e, s, rs, xst);
                stop = 1;
            }
        }
        if (answered) {
            response_facts f;
            response_facts_read(&f, e, &resp, 1);
            step_checks(e, c, k, rs, &f, req, req_len, replayed, captures, &diverged);
            response_facts_cleanup(&f);
        }
        cmc_http_response_cleanup(&resp);
        free(req);
        free(type);
        rs->elapsed_ms = now_ms() - ts;
        cmc_conform_step_finish(rs);
        if (rs->verdict == CMC_VERDICT_FAIL && k + 1 < c->num_steps && s->num_captures > 0) {
            stop = 1;
        }
    }
    json_decref(captures);
    link_close(&link);
    if (deterministic) {
        cmc_rand_deterministic_end();
    }
    rc->elapsed_ms = now_ms() - t0;
    cmc_conform_case_finish(rc, cmc_conform_profile_deviation(e->opt->profile, c->id));
}

/* ------------------------------------------------------------------ sanity gate */

/* A simple enrollment: a Full PKI Request (tcr) signed by the enrollment officer, or a
 * Simple PKI Request when there is no officer and the target does not need one. */
static void sanity(engine *e, cmc_conform_sanity *out, const char *label) {
    out->ran = 1;
    out->ok = 0;
    free(out->reason);
    out->reason = NULL;
    int officer = e->target->fixture_officers || e->enroll.key != NULL;
    if (!officer && e->target->has_enroll_needs_officer && e->target->enroll_needs_officer) {
        out->ran = 0;
        out->reason = cmc_conform_strdup("the target needs an enrollment officer; none given");
        return;
    }
    /* A fresh transactionId and senderNonce each time: a server may refuse replays. */
    uint8_t nonce[16];
    if (cmc_random_bytes(NULL, nonce, sizeof(nonce)) != CMC_OK) {
        out->reason = cmc_conform_strdup("no random bytes for the nonce");
        return;
    }
    char hex[2 * sizeof(nonce) + 1];
    for (size_t i = 0; i < sizeof(nonce); i++) {
        snprintf(hex + 2 * i, 3, "%02x", nonce[i]);
    }
    json_t *recipe =
        officer ? json_pack("{s:s, s:{s:s, s:s}, s:[{s:s, s:i, s:I}, {s:s, s:i, s:s}], "
                            "s:[{s:s, s:i, s:s, s:s}]}",
                            "type", "full", "signer", "slot", "enroll", "fixture", "officer-both",
                            "controls", "type", "transactionId", "id", 1, "value",
                            (json_int_t)((nonce[0] << 16) | (nonce[1] << 8) | nonce[2]), "type",
                            "senderNonce", "id", 2, "value", hex, "requests", "type", "tcr", "id",
                            3, "key", "ee-p256", "subject", "/CN=cmckit sanity enrollment")
                : json_pack("{s:s, s:s, s:s}", "type", "pkcs10", "key", "ee-p256", "subject",
                            "/CN=cmckit sanity enrollment");
    cmc_recipe_context ctx;
    memset(&ctx, 0, sizeof(ctx));
    if (!e->target->fixture_officers) {
        ctx.enroll = e->enroll.key != NULL ? &e->enroll : NULL;
    }
    ctx.ca = e->ca;
    ctx.signing_time = e->signing_time;
    uint8_t *der = NULL;
    size_t der_len = 0;
    char err[256] = "";
    cmc_status st = cmc_recipe_compile(&der, &der_len, recipe, &ctx, err, sizeof(err));
    if (st != CMC_OK) {
        out->reason = cmc_conform_printf("%s request does not compile: %s", label,
                                         err[0] ? err : cmc_status_str(st));
        json_decref(recipe);
        return;
    }
    case_link link;
    st = link_open(e, &link, NULL);
    if (st != CMC_OK) {
        out->reason = cmc_conform_printf("embedded server: %s", cmc_status_str(st));
        cmc_free(der);
        json_decref(recipe);
        return;
    }
    cmc_conform_run *scratch = cmc_conform_run_new("", "", "");
    cmc_conform_case *sc = cmc_conform_run_add_case(scratch, "sanity");
    cmc_conform_step *rs = cmc_conform_case_add_step(sc, "enroll");
    cmc_http_response resp;
    cmc_status xst;
    const char *type =
        officer ? cmc_media_type_str(CMC_MEDIA_CMC_REQUEST) : cmc_media_type_str(CMC_MEDIA_PKCS10);
    if (!exchange(e, &link, rs, "POST", der, der_len, type, NULL, &resp, &xst)) {
        out->reason = cmc_conform_printf("target unreachable: %s", rs->transport_error);
    } else {
        response_facts f;
        response_facts_read(&f, e, &resp, 1);
        X509 *issued = f.parsed ? cmc_recipe_find_issued(recipe, f.r.certs) : NULL;
        const cmc_response_status *bad = NULL;
        for (size_t i = 0; f.parsed && i < f.r.num_statuses && bad == NULL; i++) {
            if (f.r.statuses[i].status != CMC_STATUS_SUCCESS) {
                bad = &f.r.statuses[i];
            }
        }
        if (resp.http_status != 200) {
            out->reason = cmc_conform_printf("%s enrollment: HTTP %d", label, resp.http_status);
        } else if (!f.parsed) {
            out->reason = cmc_conform_printf("%s enrollment: the answer is not a CMC response (%s)",
                                             label, cmc_status_str(f.parse_status));
        } else if (bad != NULL) {
            out->reason =
                cmc_conform_printf("%s enrollment: %s/%s%s%s", label, status_name(bad->status),
                                   fail_name(bad->fail_info), bad->status_string ? " " : "",
                                   bad->status_string ? bad->status_string : "");
        } else if (issued == NULL) {
            out->reason =
                cmc_conform_printf("%s enrollment: no certificate for the requested key", label);
        } else {
            out->ok = 1;
            out->reason = cmc_conform_printf("%s enrollment issued a certificate", label);
        }
        response_facts_cleanup(&f);
        cmc_http_response_cleanup(&resp);
    }
    cmc_conform_run_free(scratch);
    link_close(&link);
    cmc_free(der);
    json_decref(recipe);
}

/* ------------------------------------------------------------------ run */

/* Warns about profile entries that no case of the vector set uses: a deviation glob that
 * matches no case id, a feature no case requires. Such entries are stale (the case was
 * renamed or dropped) and would otherwise hide unnoticed. */
static void warn_stale_profile(const cmc_conform_engine_options *opt, const cmc_suite *suite) {
    const cmc_conform_profile *p = opt->profile;
    FILE *out = opt->progress;
    if (out == NULL) {
        return;
    }
    for (size_t d = 0; d < p->num_deviations; d++) {
        size_t i = 0;
        while (i < suite->num_cases &&
               cmc_conform_profile_deviation(p, suite->cases[i].id) != p->deviations[d].reason) {
            i++;
        }
        if (i == suite->num_cases) {
            fprintf(out, "cmckit conform: warning: profile %s: deviation \"%s\" matches no case\n",
                    p->name, p->deviations[d].key);
        }
    }
    for (size_t a = 0; a < p->num_absent; a++) {
        int used = 0;
        for (size_t i = 0; i < suite->num_cases && !used; i++) {
            for (size_t k = 0; k < suite->cases[i].num_requires && !used; k++) {
                used = strcmp(suite->cases[i].requires[k], p -> absent[a].key) == 0;
            }
        }
        if (!used) {
            fprintf(out, "cmckit conform: warning: profile %s: no case requires feature \"%s\"\n",
                    p->name, p->absent[a].key);
        }
    }
}

static void load_fixture_trust(engine *e) {
    X509 *ca = NULL;
    if (cmc_fixture_cert(&ca, "ca.cert.pem") != CMC_OK) {
        return;
    }
    e->trust = X509_STORE_new();
    if (e->trust != NULL) {
        X509_STORE_add_cert(e->trust, ca);
    }
    e->ca = ca;
}

static void engine_cleanup(engine *e) {
    cmc_transport_free(e->remote);
    X509_STORE_free(e->trust);
    if (e->ca != NULL && e->ca != e->target->ca_cert) {
        X509_free(e->ca);
    }
}

static void diag_first(char *err, size_t err_len, const char *dir, cmc_status st,
                       const cmc_diag *d) {
    snprintf(err, err_len, "cannot load the vector set in %s: %s%s%s%s", dir, cmc_status_str(st),
             d->num_lines > 0 ? " (" : "", d->num_lines > 0 ? d->lines[0] : "",
             d->num_lines > 0 ? ")" : "");
}

cmc_conform_exit cmc_conform_engine_list(FILE *out, const char *vectors_dir,
                                         const cmc_conform_selection *sel, char *err,
                                         size_t err_len) {
    cmc_suite *suite = NULL;
    cmc_diag d;
    cmc_diag_init(&d);
    cmc_status st = cmc_suite_load(&suite, vectors_dir, &d);
    if (st != CMC_OK) {
        diag_first(err, err_len, vectors_dir, st, &d);
        cmc_diag_cleanup(&d);
        return CMC_CONFORM_EXIT_USAGE;
    }
    cmc_diag_cleanup(&d);
    size_t n = 0;
    for (size_t i = 0; i < suite->num_cases; i++) {
        const cmc_case *c = &suite->cases[i];
        char why[128];
        if (!cmc_conform_selected(sel, c->id, c->level, (const char *const *)c->tags, c->num_tags,
                                  why, sizeof(why))) {
            continue;
        }
        fprintf(out, "%-52s %-6s %-12s %zu  %s%s\n", c->id, c->level, c->family, c->num_steps,
                c->title, c->disabled_reason != NULL ? " (disabled)" : "");
        n++;
    }
    fprintf(out, "%zu of %zu cases selected\n", n, suite->num_cases);
    cmc_suite_free(suite);
    return CMC_CONFORM_EXIT_CONFORMANT;
}

cmc_conform_exit cmc_conform_engine_run(cmc_conform_run **out,
                                        const cmc_conform_engine_options *opt, char *err,
                                        size_t err_len) {
    *out = NULL;
    if (cmc_init() != CMC_OK) {
        snprintf(err, err_len, "libcmc initialisation failed");
        return CMC_CONFORM_EXIT_INTERNAL;
    }
    cmc_suite *suite = NULL;
    cmc_diag d;
    cmc_diag_init(&d);
    cmc_status st = cmc_suite_load(&suite, opt->vectors_dir, &d);
    if (st != CMC_OK) {
        diag_first(err, err_len, opt->vectors_dir, st, &d);
        cmc_diag_cleanup(&d);
        return CMC_CONFORM_EXIT_USAGE;
    }
    cmc_diag_cleanup(&d);

    warn_stale_profile(opt, suite);
    engine e;
    memset(&e, 0, sizeof(e));
    e.opt = opt;
    e.target = opt->target;
    const cmc_conform_target *t = opt->target;
    if (t->fixture_officers) {
        load_fixture_trust(&e);
        e.signing_time = CMC_FIXTURE_CLOCK;
    }
    if (t->ca_cert != NULL && !t->fixture_officers) {
        X509_STORE_free(e.trust);
        e.trust = X509_STORE_new();
        if (e.trust != NULL) {
            X509_STORE_add_cert(e.trust, t->ca_cert);
        }
        e.ca = t->ca_cert;
    }
    e.enroll.key = t->enroll.key;
    e.enroll.cert = t->enroll.cert;
    e.enroll.chain = t->enroll.chain;
    e.revoke.key = t->revoke.key;
    e.revoke.cert = t->revoke.cert;
    e.revoke.chain = t->revoke.chain;
    e.allowed_reasons = t->has_allowed_reasons              ? t->allowed_reasons
                        : opt->profile->has_allowed_reasons ? opt->profile->allowed_reasons
                                                            : REFERENCE_ALLOWED_REASONS;
    e.scheme = "embedded";
    e.suite_seed = suite->seed;
    if (!t->embedded) {
        e.topt.timeout_ms = t->timeout_ms;
        e.topt.tls_ca_file = t->tls_ca;
        e.topt.tls_cert_file = t->tls_cert;
        e.topt.tls_key_file = t->tls_key;
        st = cmc_transport_open(&e.remote, t->url, &e.topt);
        if (st != CMC_OK) {
            snprintf(err, err_len, "target URL %s: %s", t->url, cmc_status_str(st));
            engine_cleanup(&e);
            cmc_suite_free(suite);
            return CMC_CONFORM_EXIT_USAGE;
        }
        e.scheme = cmc_transport_scheme(e.remote);
    }

    char desc[512];
    cmc_conform_target_describe(t, desc, sizeof(desc));
    char suite_desc[600];
    snprintf(suite_desc, sizeof(suite_desc), "%s (%zu cases)", opt->vectors_dir, suite->num_cases);
    cmc_conform_run *run = cmc_conform_run_new(desc, opt->profile->name, suite_desc);
    run->started = iso_now();
    double t0 = now_ms();

    if (!opt->no_sanity && opt->replay_dir == NULL) {
        sanity(&e, &run->sanity_before, "first");
        if (run->sanity_before.ran && !run->sanity_before.ok) {
            snprintf(err, err_len, "sanity check failed: %s", run->sanity_before.reason);
            run->elapsed_ms = now_ms() - t0;
            engine_cleanup(&e);
            cmc_suite_free(suite);
            *out = run;
            return CMC_CONFORM_EXIT_UNREACHABLE;
        }
    }

    size_t total = 0;
    for (size_t i = 0; i < suite->num_cases; i++) {
        const cmc_case *c = &suite->cases[i];
        char why[128];
        total += cmc_conform_selected(opt->selection, c->id, c->level, (const char *const *)c->tags,
                                      c->num_tags, why, sizeof(why));
    }
    size_t n = 0;
    for (size_t i = 0; i < suite->num_cases; i++) {
        const cmc_case *c = &suite->cases[i];
        char why[256];
        if (!cmc_conform_selected(opt->selection, c->id, c->level, (const char *const *)c->tags,
                                  c->num_tags, why, sizeof(why))) {
            continue;
        }
        cmc_conform_progress(opt->progress, opt->progress_tty, ++n, total, c->id);
        cmc_conform_case *rc = cmc_conform_run_add_case(run, c->id);
        rc->title = cmc_conform_strdup(c->title);
        rc->level = cmc_conform_strdup(c->level);
        for (size_t k = 0; k < c->num_tags; k++) {
            cmc_conform_case_add_tag(rc, c->tags[k]);
        }
        for (size_t k = 0; k < c->num_refs; k++) {
            char ref[96];
            const char *doc = c->refs[k].doc;
            /* "RFC5272" -> "RFC 5272 §6.11" */
            snprintf(ref, sizeof(ref), "%.3s %s%s%s", doc, doc + 3,
                     c->refs[k].section != NULL ? " §" : "",
                     c->refs[k].section != NULL ? c->refs[k].section : "");
            cmc_conform_case_add_ref(rc, ref);
        }
        classify(rc, c);
        const char *na = not_applicable(&e, c, why, sizeof(why));
        if (na != NULL) {
            cmc_conform_case_skip(rc, na);
            continue;
        }
        run_case(&e, c, rc);
    }
    cmc_conform_progress_done(opt->progress, opt->progress_tty);

    if (!opt->no_sanity && opt->replay_dir == NULL) {
        sanity(&e, &run->sanity_after, "last");
    }
    run->elapsed_ms = now_ms() - t0;
    int unreachable = e.exchanges > 0 && e.unreachable == e.exchanges;
    engine_cleanup(&e);
    cmc_suite_free(suite);
    *out = run;
    if (unreachable) {
        /* Without the sanity gate (--no-sanity, --replay), a target that accepted no
         * connection at all is unreachable, not non-conformant. */
        snprintf(err, err_len, "target unreachable: no connection succeeded");
        return CMC_CONFORM_EXIT_UNREACHABLE;
    }
    return cmc_conform_run_conformant(run) ? CMC_CONFORM_EXIT_CONFORMANT
                                           : CMC_CONFORM_EXIT_NONCONFORMANT;
}
