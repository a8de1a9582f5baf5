/*
 * tally/error.h: status codes and parse-error details shared by libtally.
 *
 * Ownership: a struct tally_error is owned by the caller; the library fills
 * its fixed-size fields and never allocates inside it.
 */
#ifndef TALLY_ERROR_H
#define TALLY_ERROR_H

#include <stddef.h>

/* Library status codes: 0 is success, failures are negative. */
#define TALLY_OK	0
#define TALLY_ENOMEM	(-1)	/* out of memory */
#define TALLY_EIO	(-2)	/* read or write error (errno kept in err) */
#define TALLY_EPARSE	(-3)	/* malformed or unrecognized input */
#define TALLY_EINVAL	(-4)	/* invalid argument or option */
#define TALLY_ELIMIT	(-5)	/* a safety limit was hit */
#define TALLY_ESTOP	(-6)	/* a sink asked the reader to stop */

#define TALLY_ERROR_MSG	512
#define TALLY_ERROR_FILE 1024

/* Where and what went wrong while reading one input. */
struct tally_error {
	char	file[TALLY_ERROR_FILE];	/* input name as given, "-" for stdin */
	long	line;			/* 1-based, 0 when unknown */
	long	column;			/* 1-based, 0 when unknown */
	int	sys_errno;		/* errno for TALLY_EIO, else 0 */
	char	message[TALLY_ERROR_MSG]; /* lowercase, no trailing newline */
};

/* Static English text for a status code. */
const char	*tally_strerror(int status);

/* Clear an error and set its file name (may be NULL). */
void		 tally_error_init(struct tally_error *err, const char *file);

/*
 * Fill err with a printf-style message; keeps the file name.  Returns
 * status so callers can write "return tally_error_set(...)".
 */
int		 tally_error_set(struct tally_error *err, int status, long line,
		    long column, const char *fmt, ...)
		    __attribute__((format(printf, 5, 6)));

#endif /* TALLY_ERROR_H */
