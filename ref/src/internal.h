/* internal.h: the one private header of libcmc (BearSSL style). Modules inside ref/src
 * include it for the ASN.1 structures and shared helpers. */
#ifndef CMC_INTERNAL_H
#define CMC_INTERNAL_H

#include "asn1/cmc_local.h"
#include "cmc/cmc.h"

#endif /* CMC_INTERNAL_H */
