/* cmd_conform.c: `cmckit conform` - the conformance runner (conformance/engine.h). Without
 * --suite it reads the vector set of the source tree this binary was built from. */
#include "cmckit.h"
#include "engine.h"

int cmd_conform(int argc, char **argv) {
    return cmc_conform_main(argc, argv, CMC_SOURCE_DIR "/vectors");
}
