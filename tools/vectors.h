/* vectors.h: internals of `cmckit vectors` (tools/cmd_vectors.c and tools/vectors_*.c). */
#ifndef CMCKIT_VECTORS_H
#define CMCKIT_VECTORS_H

/* cmckit_vectors_pki writes the fixture PKI into |out_dir| (created if missing). It refuses
 * to overwrite an existing fixture PKI unless |force|. Returns a process exit code. */
int cmckit_vectors_pki(const char *out_dir, int force);

/* cmckit_vectors_validate loads the vector set in |dir| and prints every problem to stderr
 * (and, unless |quiet|, a summary line). Returns a process exit code. */
int cmckit_vectors_validate(const char *dir, int quiet);

/* cmckit_vectors_generate writes manifest.json and cases/ into |out_dir| (its cases/ folder
 * is replaced), validating each case with |schema_dir|/case.schema.json. |only| (NULL = all)
 * limits generation to one case id, for debugging. Returns a process exit code. */
int cmckit_vectors_generate(const char *out_dir, const char *schema_dir, const char *only,
                            int quiet);

/* cmckit_vectors_check regenerates into a temporary folder and compares every byte with
 * |vectors_dir| (manifest.json and cases/). Returns a process exit code. */
int cmckit_vectors_check(const char *vectors_dir);

#endif /* CMCKIT_VECTORS_H */
