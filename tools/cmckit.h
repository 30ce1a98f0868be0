/* cmckit.h: subcommand entry points of the `cmckit` tool. Each lives in tools/cmd_<verb>.c
 * and returns the process exit code. */
#ifndef CMCKIT_TOOL_H
#define CMCKIT_TOOL_H

const char *cmckit_version(void);

/* Weak so that the tool links while a subcommand is being written in its own file. */
#define CMCKIT_SUBCOMMAND(name) int cmd_##name(int argc, char **argv) __attribute__((weak))
CMCKIT_SUBCOMMAND(serve);
CMCKIT_SUBCOMMAND(conform);
CMCKIT_SUBCOMMAND(vectors);
CMCKIT_SUBCOMMAND(req);
CMCKIT_SUBCOMMAND(resp);
CMCKIT_SUBCOMMAND(dump);
CMCKIT_SUBCOMMAND(bench);

#endif /* CMCKIT_TOOL_H */
