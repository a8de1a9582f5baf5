/*
 * tally/diff.h: what changed between two runs (tally-diff(1)).
 *
 * Both runs come from finished merge tables, so their tests arrive in
 * the canonical order of tally-stream(5) and the two are joined the way
 * join(1) joins sorted files: memory holds one test of each run.
 *
 * Ownership: everything is borrowed; records handed to the output sink
 * are valid only for the call.
 */
#ifndef TALLY_DIFF_H
#define TALLY_DIFF_H

#include <tally/error.h>
#include <tally/record.h>
#include <tally/sink.h>

/* The "change" member of a test in a diff stream. */
enum tally_change {
	TALLY_CHANGE_NEW_FAILURE = 0,	/* failed now, did not fail in BASE */
	TALLY_CHANGE_STILL_FAILING,	/* failed in both */
	TALLY_CHANGE_FIXED,		/* failed in BASE, passed now */
	TALLY_CHANGE_NEW,		/* not in BASE, not failing now */
	TALLY_CHANGE_REMOVED,		/* in BASE only: BASE's record */
	TALLY_CHANGE_NEWLY_SKIPPED,	/* not run now, ran in BASE */
	TALLY_CHANGE_UNCHANGED,
	TALLY_NCHANGE
};

/* "new-failure", ...; NULL when out of range. */
const char	*tally_change_name(enum tally_change c);
int		 tally_change_parse(const char *s, enum tally_change *out);

/* How a test's statuses in BASE (NULL: absent) and NEW (NULL: absent)
 * make its change. */
enum tally_change tally_change_of(const struct tally_test *base,
		    const struct tally_test *now);

/* Duration changes count when both hold: defaults 50 % and 100 ms. */
#define TALLY_DIFF_THRESHOLD	50.0
#define TALLY_DIFF_MIN_MS	100.0

struct tally_diff_opts {
	double	threshold;	/* percent of BASE's duration, >= 0 */
	double	min_ms;		/* milliseconds, >= 0 */
};

/* "slower", "faster" or NULL for durations in BASE and NEW (ms, -1). */
const char	*tally_duration_change(double base, double now,
		    const struct tally_diff_opts *o);

/*
 * Join the merged runs base and now (finished, borrowed; rewound here)
 * into out: NEW's meta and suite records, every test of either run with
 * its change, the error records of both, one "diff" summary record and
 * NEW's perf records; then out's end.  opts NULL: the defaults.
 */
struct tally_merge;
int	tally_diff(struct tally_merge *base, struct tally_merge *now,
	    const struct tally_diff_opts *opts, struct tally_sink *out,
	    struct tally_error *err);

#endif /* TALLY_DIFF_H */
