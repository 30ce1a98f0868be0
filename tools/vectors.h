/* vectors.h: internals of `cmckit vectors` (tools/cmd_vectors.c and tools/vectors_*.c). */
#ifndef CMCKIT_VECTORS_H
#define CMCKIT_VECTORS_H

/* cmckit_vectors_pki writes the fixture PKI into |out_dir| (created if missing). It refuses
 * to overwrite an existing fixture PKI unless |force|. Returns a process exit code. */
int cmckit_vectors_pki(const char *out_dir, int force);

/* cmckit_vectors_validate loads the vector set in |dir| and prints every problem to stderr
 * (and, unless |quiet|, a summary line). Returns a process exit code. */
int cmckit_vectors_validate(const char *dir, int quiet);

#endif /* CMCKIT_VECTORS_H */
