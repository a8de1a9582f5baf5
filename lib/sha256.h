/*
 * lib/sha256.h: SHA-256 (FIPS 180-4), for the Content-Security-Policy
 * hashes of the HTML report's inline script and style.  Not a general
 * cryptographic library: one-shot over a buffer in memory.
 */
#ifndef TALLY_SHA256_H
#define TALLY_SHA256_H

#ifndef TALLY_BUILDING_LIB
#error "lib/sha256.h is private to libtally"
#endif

#include <stddef.h>

#define TALLY_SHA256_LEN 32

void	tally_sha256(const void *data, size_t n,
	    unsigned char out[TALLY_SHA256_LEN]);

#endif /* TALLY_SHA256_H */
