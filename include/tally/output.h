/*
 * tally/output.h: writing a tool's output to stdout or atomically to a
 * file (temporary file beside the target, fsync, rename).
 *
 * Ownership: tally_output_open() gives the caller a handle that must end
 * in exactly one of tally_output_commit() or tally_output_abort(); both
 * free it.
 */
#ifndef TALLY_OUTPUT_H
#define TALLY_OUTPUT_H

#include <stdio.h>

#include <tally/error.h>

struct tally_output;

/*
 * Open path for writing; NULL or "-" is standard output, which is written
 * directly.  A regular file target is written to a temporary file in the
 * same directory and only renamed over the target on commit.
 */
int	 tally_output_open(struct tally_output **out, const char *path,
	    struct tally_error *err);
FILE	*tally_output_file(struct tally_output *o);

/* Flush, check for write errors, fsync and rename into place. */
int	 tally_output_commit(struct tally_output *o, struct tally_error *err);

/* Throw the output away: the temporary file is removed, the target kept. */
void	 tally_output_abort(struct tally_output *o);

#endif /* TALLY_OUTPUT_H */
