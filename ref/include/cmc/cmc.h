/* cmc/cmc.h: umbrella header of libcmc, the cmckit reference implementation. */
#ifndef CMC_CMC_H
#define CMC_CMC_H

#include "cmc/asn1.h"
#include "cmc/dump.h"
#include "cmc/media_type.h"
#include "cmc/msg.h"
#include "cmc/server.h"
#include "cmc/status.h"

#endif /* CMC_CMC_H */
