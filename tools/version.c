/* version.c: the cmckit version string, shared by the tool and the report writers. */
#include "cmckit.h"

const char *cmckit_version(void) {
    return "0.1.0";
}
