/*
 * lib/read/csv.h: RFC 4180 rows for the CSV readers (Locust, JMeter):
 * quoted fields with commas, doubled quotes and line breaks; CRLF, LF
 * or Windows' CR CR LF; blank lines skipped.
 *
 * Ownership: a struct tally_csv borrows its source and owns its buffers
 * (tally_csv_free); fields point into the row buffer until the next row.
 */
#ifndef TALLY_CSV_H
#define TALLY_CSV_H

#ifndef TALLY_BUILDING_LIB
#error "lib/read/csv.h is private to libtally"
#endif

#include "internal.h"

#define CSV_MAX_FIELDS	1024

/* One parsed row: fields point into the row buffer. */
struct tally_csv {
	struct tally_src *src;
	struct tally_buf line;	/* physical line */
	struct tally_buf row;	/* unquoted fields, each NUL-terminated */
	size_t		*off;	/* field offsets in row */
	size_t		 noff, capoff;
	long		 first;	/* line the row started on */
};

void		 tally_csv_init(struct tally_csv *c, struct tally_src *src);
void		 tally_csv_free(struct tally_csv *c);

/*
 * Next row.  Returns 1 with c->noff fields, 0 at end of input, or a
 * negative status with err filled.
 */
int		 tally_csv_next(struct tally_csv *c, struct tally_error *err);

/* Field i of the row, NULL past the last. */
const char	*tally_csv_get(const struct tally_csv *c, size_t i);

#endif /* TALLY_CSV_H */
