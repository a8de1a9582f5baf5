/*
 * lib/read/walk.h: the walk over the paths a user names (walk.c).  Two
 * walks share it: tally_read_walk() (read.c: every format, detection,
 * collect -j's threads) and tally_stream_walk() (walk.c: tally streams
 * only).  A program that reads only streams (merge, render, diff,
 * history) so links none of the other readers, nor libxml2.  Private to
 * libtally.
 */
#ifndef TALLY_READ_WALK_H
#define TALLY_READ_WALK_H

#ifndef TALLY_BUILDING_LIB
#error "lib/read/walk.h is private to libtally"
#endif

#include "internal.h"

typedef void (*report_fn)(void *, int, const struct tally_error *);

/* How a walk reads the files it finds. */
struct walk_ops {
	/*
	 * Read fd, an input named name, into sink; reader warnings go to
	 * report.  With skip, a file plainly not a result sets *skip (err
	 * says why) and sends nothing.
	 */
	int	(*read)(int fd, const char *name, enum tally_format fmt,
		    struct tally_sink *sink, struct tally_error *err,
		    report_fn report, void *arg, int *skip);
	/* With jobs (collect -j, jobs.h): hand files to its threads. */
	int	(*file)(struct tally_jobs *j, int fd, int close_fd,
		    const char *path, enum tally_format fmt, int explicit);
	int	(*dir_begin)(struct tally_jobs *j);
	int	(*dir_end)(struct tally_jobs *j, const char *path, int warn);
};

/* One operand's walk. */
struct walk {
	const struct walk_ops	*ops;
	enum tally_format	 fmt;
	const struct tally_walk	*opts;
	struct tally_jobs	*jobs;	/* read files there (ops->file) */
	struct tally_sink	*sink;
	report_fn		 report;
	void			*arg;
	const char		*root;	/* the directory operand */
	size_t			 nread;	/* result files read below it */
};

/* Read the operand path as tally_read_walk() says. */
int	 tally_walk_run(struct walk *w, const char *path);

/* Send an "error" record for a failed input so no loss goes unseen. */
int	 tally_emit_error(struct tally_sink *sink, const char *name,
	    const struct tally_error *err);
/*
 * The source over fd, its warnings to report; on failure (no memory) the
 * error is in err and in sink.
 */
int	 tally_src_open(struct tally_src *src, int fd, const char *name,
	    struct tally_sink *sink, struct tally_error *err,
	    report_fn report, void *arg);
/* A status of an input that failed, its "error" record sent if it must be. */
int	 tally_read_failed(struct tally_sink *sink, const char *name,
	    struct tally_error *err, int rc);
/* read over src into sink, and what its failure leaves there. */
int	 tally_src_run(struct tally_src *src, tally_reader_fn read,
	    struct tally_sink *sink, struct tally_error *err);

#endif /* TALLY_READ_WALK_H */
