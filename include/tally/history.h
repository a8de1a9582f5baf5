/*
 * tally/history.h: per-test history over many runs (tally-history(1)).
 *
 * Each run is a finished merge table, so its tests come in canonical
 * order; the runs are joined like N sorted files, one test at a time, so
 * memory grows with the number of runs, not with the number of tests.
 *
 * Ownership: a history owns the merges handed to it; free it with
 * tally_history_free().  Records handed to the output sink are valid
 * only for the call.
 */
#ifndef TALLY_HISTORY_H
#define TALLY_HISTORY_H

#include <stddef.h>

#include <tally/error.h>
#include <tally/record.h>
#include <tally/sink.h>

struct tally_history;
struct tally_marks;
struct tally_merge;
struct tally_report;

int	tally_history_new(struct tally_history **out);
void	tally_history_free(struct tally_history *h);

/* Add one run: m is finished and owned by h from now on, also on
 * failure; name (copied) says where it came from. */
int	tally_history_add(struct tally_history *h, struct tally_merge *m,
	    const char *name);

/*
 * Read the runs at paths[0..n) into h: each path a stream, or a
 * directory whose streams (names ending in .jsonl, .json or .ndjson in
 * any case; hidden files skipped; not recursive) are runs in name order.
 * The merge tables share 64 MiB (1 MiB each at least) and spill to
 * tmpdir (NULL: $TMPDIR).  A run or directory that cannot be read
 * completely is reported through report, as tally_read_path() does, and
 * what was read of it counts.  Returns TALLY_OK when every fault was
 * reported so; out of memory or a failed merge table stops it with err.
 */
int	tally_history_read(struct tally_history *h, char *const *paths,
	    size_t n, const char *tmpdir,
	    void (*report)(void *arg, int status,
		const struct tally_error *err),
	    void *arg, struct tally_error *err);

/* Leave out of the history the runs whose run id is run_id (the run
 * being compared with its history, when it is among them). */
int	tally_history_skip(struct tally_history *h, const char *run_id);

/*
 * Order the runs (by the time, then the run id of their meta records
 * when every run has a time or every run has a run id; else as added)
 * and write one "history" record per test, then one "run" record per
 * run, to out; then out's end.
 */
int	tally_history_write(struct tally_history *h, struct tally_sink *out,
	    struct tally_error *err);

/*
 * Mark each failed test of rep against the earlier runs in h (written
 * here, so h is used up): failing since an earlier run when it failed
 * in its latest run there, else flaky when it flipped or passed on a
 * retry there, else a new failure.  Memory grows with rep's failures.
 */
int	tally_marks_build(struct tally_marks **out, struct tally_history *h,
	    const struct tally_report *rep, struct tally_error *err);
void	tally_marks_free(struct tally_marks *mk);

enum tally_mark {
	TALLY_MARK_NONE = 0,	/* not a failed test of the report */
	TALLY_MARK_NEW,		/* failed now, not before */
	TALLY_MARK_FLAKY,	/* failed now, flaky before */
	TALLY_MARK_FAILING	/* failing since an earlier run */
};

/*
 * The mark of a test record, and in buf (size > 0, always terminated,
 * cut to fit) a phrase for it: "new failure", "flaky: 25% of 4 runs",
 * "failing since run 3 (c3), 3 runs".  mk may be NULL.
 */
enum tally_mark tally_marks_note(const struct tally_marks *mk,
	    const struct tally_record *rec, char *buf, size_t size);

/* Nearest-rank percentile p (0 < p <= 100) of n values, sorted in place;
 * the median is the mean of the middle two of an even n.  -1 when n is
 * 0. */
double	tally_percentile(double *v, size_t n, double p);
double	tally_median(double *v, size_t n);

#endif /* TALLY_HISTORY_H */
