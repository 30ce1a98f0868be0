/* jschema.c: subset JSON Schema validator (jschema.h). */
#include "jschema.h"

#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define JS_PATH_MAX 512 /* JSON pointer text; deeper paths are cut, the checks still run */

typedef struct {
    const json_t *root;
    cmc_jschema_report_fn report;
    void *ctx;
    size_t errors;
} js_state;

static void js_error(js_state *st, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void js_error(js_state *st, const char *path, const char *fmt, ...) {
    st->errors++;
    if (st->report != NULL) {
        char msg[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        st->report(st->ctx, path, msg);
    }
}

static const char *js_type_name(const json_t *v) {
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
        return "integer";
    case JSON_REAL:
        return "number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "boolean";
    case JSON_NULL:
        return "null";
    }
    return "?";
}

static int js_type_is(const json_t *v, const char *type) {
    if (strcmp(type, "number") == 0) {
        return json_is_number(v);
    }
    return strcmp(js_type_name(v), type) == 0;
}

static size_t js_utf8_len(const char *s) {
    size_t n = 0;
    for (; *s != '\0'; s++) {
        if (((unsigned char)*s & 0xC0) != 0x80) {
            n++;
        }
    }
    return n;
}

static void js_child_path(char *out, const char *path, const char *key) {
    snprintf(out, JS_PATH_MAX, "%s/%s", path, key);
}

static void js_index_path(char *out, const char *path, size_t i) {
    snprintf(out, JS_PATH_MAX, "%s/%zu", path, i);
}

static void js_validate(js_state *st, const json_t *schema, const json_t *inst, const char *path,
                        int depth);

static const json_t *js_resolve(js_state *st, const char *ref, const char *path) {
    static const char kPrefix[] = "#/$defs/";
    if (strncmp(ref, kPrefix, sizeof(kPrefix) - 1) != 0) {
        js_error(st, path, "schema: unsupported $ref '%s'", ref);
        return NULL;
    }
    const json_t *target =
        json_object_get(json_object_get(st->root, "$defs"), ref + sizeof(kPrefix) - 1);
    if (target == NULL) {
        js_error(st, path, "schema: unresolved $ref '%s'", ref);
    }
    return target;
}

static void js_check_object(js_state *st, const json_t *schema, const json_t *inst,
                            const char *path, int depth) {
    const json_t *props = json_object_get(schema, "properties");
    const json_t *addl = json_object_get(schema, "additionalProperties");
    const json_t *req = json_object_get(schema, "required");
    char child[JS_PATH_MAX];
    size_t i;
    const json_t *name;
    json_array_foreach(req, i, name) {
        if (json_is_string(name) && json_object_get(inst, json_string_value(name)) == NULL) {
            js_error(st, path, "missing required key '%s'", json_string_value(name));
        }
    }
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)inst, key, value) {
        js_child_path(child, path, key);
        const json_t *sub = json_object_get(props, key);
        if (sub != NULL) {
            js_validate(st, sub, value, child, depth + 1);
        } else if (json_is_false(addl)) {
            js_error(st, path, "unknown key '%s'", key);
        } else if (json_is_object(addl)) {
            js_validate(st, addl, value, child, depth + 1);
        }
    }
}

static void js_check_array(js_state *st, const json_t *schema, const json_t *inst, const char *path,
                           int depth) {
    const json_t *items = json_object_get(schema, "items");
    const json_t *min = json_object_get(schema, "minItems");
    const json_t *max = json_object_get(schema, "maxItems");
    size_t n = json_array_size(inst);
    char num[32];
    if (json_is_integer(min) && (json_int_t)n < json_integer_value(min)) {
        snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(min));
        js_error(st, path, "array needs at least %s items", num);
    }
    if (json_is_integer(max) && (json_int_t)n > json_integer_value(max)) {
        snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(max));
        js_error(st, path, "array allows at most %s items", num);
    }
    if (json_is_true(json_object_get(schema, "uniqueItems"))) {
        for (size_t i = 0; i < n; i++) {
            for (size_t j = i + 1; j < n; j++) {
                if (json_equal(json_array_get(inst, i), json_array_get(inst, j))) {
                    snprintf(num, sizeof(num), "%zu", j);
                    js_error(st, path, "item %s repeats an earlier item", num);
                }
            }
        }
    }
    if (items != NULL) {
        char child[JS_PATH_MAX];
        for (size_t i = 0; i < n; i++) {
            js_index_path(child, path, i);
            js_validate(st, items, json_array_get(inst, i), child, depth + 1);
        }
    }
}

static void js_check_string(js_state *st, const json_t *schema, const json_t *inst,
                            const char *path) {
    const char *s = json_string_value(inst);
    const json_t *min = json_object_get(schema, "minLength");
    if (json_is_integer(min) && (json_int_t)js_utf8_len(s) < json_integer_value(min)) {
        js_error(st, path, "string too short");
    }
    const json_t *pattern = json_object_get(schema, "pattern");
    if (json_is_string(pattern)) {
        regex_t re;
        if (regcomp(&re, json_string_value(pattern), REG_EXTENDED | REG_NOSUB) != 0) {
            js_error(st, path, "schema: bad pattern '%s'", json_string_value(pattern));
            return;
        }
        if (strlen(s) != json_string_length(inst) || regexec(&re, s, 0, NULL, 0) != 0) {
            js_error(st, path, "'%s' does not match %s", s, json_string_value(pattern));
        }
        regfree(&re);
    }
}

static void js_check_number(js_state *st, const json_t *schema, const json_t *inst,
                            const char *path) {
    double v = json_number_value(inst);
    const json_t *min = json_object_get(schema, "minimum");
    const json_t *max = json_object_get(schema, "maximum");
    if (json_is_integer(inst)) {
        json_int_t iv = json_integer_value(inst);
        if (json_is_integer(min) && iv < json_integer_value(min)) {
            js_error(st, path, "number below the minimum");
        }
        if (json_is_integer(max) && iv > json_integer_value(max)) {
            js_error(st, path, "number above the maximum");
        }
        return;
    }
    if (json_is_number(min) && v < json_number_value(min)) {
        js_error(st, path, "number below the minimum");
    }
    if (json_is_number(max) && v > json_number_value(max)) {
        js_error(st, path, "number above the maximum");
    }
}

static void js_count_report(void *ctx, const char *path, const char *msg) {
    (void)ctx;
    (void)path;
    (void)msg;
}

static int js_type_matches(const json_t *type, const json_t *inst) {
    if (json_is_string(type)) {
        return js_type_is(inst, json_string_value(type));
    }
    size_t i;
    const json_t *t;
    json_array_foreach(type, i, t) {
        if (json_is_string(t) && js_type_is(inst, json_string_value(t))) {
            return 1;
        }
    }
    return 0;
}

static const char *const kKnownKeywords[] = {
    "$schema",
    "$id",
    "title",
    "description",
    "$defs",
    "default",
    "type",
    "const",
    "enum",
    "pattern",
    "minLength",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
    "uniqueItems",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "$ref",
    "oneOf",
};

static void js_validate(js_state *st, const json_t *schema, const json_t *inst, const char *path,
                        int depth) {
    if (depth > CMC_JSCHEMA_MAX_DEPTH) {
        js_error(st, path, "nesting deeper than the validator's limit");
        return;
    }
    if (json_is_true(schema)) {
        return;
    }
    if (!json_is_object(schema)) {
        js_error(st, path, "schema: not an object");
        return;
    }
    const char *kw;
    json_t *kv;
    json_object_foreach((json_t *)schema, kw, kv) {
        size_t k = 0;
        while (k < sizeof(kKnownKeywords) / sizeof(kKnownKeywords[0]) &&
               strcmp(kKnownKeywords[k], kw) != 0) {
            k++;
        }
        if (k == sizeof(kKnownKeywords) / sizeof(kKnownKeywords[0])) {
            js_error(st, path, "schema: unsupported keyword '%s'", kw);
        }
    }
    const json_t *ref = json_object_get(schema, "$ref");
    if (json_is_string(ref)) {
        const json_t *target = js_resolve(st, json_string_value(ref), path);
        if (target != NULL) {
            js_validate(st, target, inst, path, depth + 1);
        }
    }
    const json_t *type = json_object_get(schema, "type");
    if (type != NULL && !js_type_matches(type, inst)) {
        char want[128] = "";
        if (json_is_string(type)) {
            snprintf(want, sizeof(want), "%s", json_string_value(type));
        } else {
            size_t i;
            const json_t *t;
            json_array_foreach(type, i, t) {
                size_t used = strlen(want);
                snprintf(want + used, sizeof(want) - used, "%s%s", i ? " or " : "",
                         json_string_value(t));
            }
        }
        js_error(st, path, "expected %s, found %s", want, js_type_name(inst));
        return;
    }
    const json_t *cst = json_object_get(schema, "const");
    if (cst != NULL && !json_equal(cst, inst)) {
        js_error(st, path, "value differs from the required constant");
    }
    const json_t *en = json_object_get(schema, "enum");
    if (en != NULL) {
        int found = 0;
        size_t i;
        const json_t *e;
        json_array_foreach(en, i, e) {
            found |= json_equal(e, inst);
        }
        if (!found) {
            js_error(st, path, "value %s is not one of the allowed values",
                     json_is_string(inst) ? json_string_value(inst) : js_type_name(inst));
        }
    }
    const json_t *one_of = json_object_get(schema, "oneOf");
    if (one_of != NULL) {
        size_t matches = 0;
        size_t i;
        const json_t *alt;
        json_array_foreach(one_of, i, alt) {
            js_state sub = {st->root, js_count_report, NULL, 0};
            js_validate(&sub, alt, inst, path, depth + 1);
            matches += sub.errors == 0;
        }
        if (matches != 1) {
            js_error(st, path, "value matches %s of the oneOf alternatives (needs exactly one)",
                     matches == 0 ? "none" : "several");
        }
    }
    if (json_is_object(inst)) {
        js_check_object(st, schema, inst, path, depth);
    } else if (json_is_array(inst)) {
        js_check_array(st, schema, inst, path, depth);
    } else if (json_is_string(inst)) {
        js_check_string(st, schema, inst, path);
    } else if (json_is_number(inst)) {
        js_check_number(st, schema, inst, path);
    }
}

size_t cmc_jschema_validate(const json_t *schema, const json_t *doc, cmc_jschema_report_fn report,
                            void *ctx) {
    js_state st = {schema, report, ctx, 0};
    js_validate(&st, schema, doc, "", 0);
    return st.errors;
}
