/* jschema.h: a small JSON Schema (draft 2020-12) validator for the keyword subset the vector
 * schemas use (vectors/schema/<name>.schema.json), so the schema files are the single source of
 * truth for the vector format and `cmckit vectors validate` needs no extra dependency.
 *
 * Supported: type, const, enum, pattern (POSIX extended regex), minLength, minimum, maximum,
 * minItems, maxItems, uniqueItems, properties, required, additionalProperties (boolean or
 * schema), items, $ref ("#/$defs/<name>" only), oneOf. Annotations ($schema, $id, title,
 * description, $defs, default) are ignored. Any other keyword in a schema is reported as an
 * error, so a schema cannot silently rely on a keyword this interpreter skips. */
#ifndef CMC_JSCHEMA_H
#define CMC_JSCHEMA_H

#include <stddef.h>

#include <jansson.h>

/* Deepest schema/instance recursion; the vector schemas nest < 12 levels. Bounds the stack
 * on hostile input (a case file is untrusted input for a vendor running the validator). */
#define CMC_JSCHEMA_MAX_DEPTH 64

/* Called once per violation: |path| is a JSON pointer into the instance ("" for the root,
 * "/steps/0/request"), |msg| one English line. Both are valid during the call only. */
typedef void (*cmc_jschema_report_fn)(void *ctx, const char *path, const char *msg);

/* cmc_jschema_validate checks |doc| against |schema| (whose "$defs" resolve "$ref") and
 * returns the number of violations (0 = valid). |report| may be NULL. */
size_t cmc_jschema_validate(const json_t *schema, const json_t *doc, cmc_jschema_report_fn report,
                            void *ctx);

#endif /* CMC_JSCHEMA_H */
