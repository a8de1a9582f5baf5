/*
 * lib/render/render_history.h: how the renderers show a history stream
 * (tally-history(1)): the most flaky tests, the tests failing longest,
 * and the runs as a trend.  The report keeps a view of the stream while
 * it is built: every run record, and the top tests of each list.
 *
 * Ownership: a view owns copies of what it keeps.
 */
#ifndef TALLY_RENDER_HISTORY_H
#define TALLY_RENDER_HISTORY_H

#ifndef TALLY_BUILDING_LIB
#error "lib/render/render_history.h is private to libtally"
#endif

#include "render_util.h"

#define TALLY_HIST_TOP	10	/* tests in each list */
#define TALLY_HIST_RUNS	30	/* the latest runs shown */

struct tally_histview {
	struct tally_record **runs;	/* in the order of their "run" */
	size_t		 nruns;
	struct tally_record *flaky[TALLY_HIST_TOP];	/* most flaky first */
	size_t		 nflaky, allflaky;
	struct tally_record *failing[TALLY_HIST_TOP];	/* longest first */
	size_t		 nfailing, allfailing;
	size_t		 tests;		/* history records */
};

/* Take one history or run record into *v (made on first use). */
int	tally_histview_add(struct tally_histview **v,
	    const struct tally_record *rec);
void	tally_histview_free(struct tally_histview *v);

/*
 * A report of a history stream alone: its totals are counted from the
 * history and run records, not from test records (there are none).
 */
int	tally_history_only(const struct tally_report *rep);
/*
 * Its totals in one line: "13 tests over 4 runs: 2 failing, 3 flaky;
 * latest run: 12 tests, 2 failed, pass rate 83.3%, time 438ms".
 */
int	tally_history_summary(struct tally_buf *b,
	    const struct tally_histview *v);

/*
 * CTRF's run insights over the first n runs of a history (0 < n <=
 * nruns): rates are fractions of the tests that ran (passed or failed)
 * summed over the runs, 1 for passRate when none ran; durations are
 * milliseconds: the mean and nearest-rank 95th percentile of the runs'
 * durations, and the summed durations over the summed tests.
 */
struct tally_hist_insights {
	size_t	 runs;
	double	 pass_rate, fail_rate, flaky_rate;
	double	 avg_run, p95_run, avg_test;
};

int	tally_history_insights(const struct tally_histview *v, size_t n,
	    struct tally_hist_insights *out);

/* A run record's figure or string member. */
double	tally_hist_num(const struct tally_record *r, const char *key);
const char *tally_hist_str(const struct tally_record *r, const char *key);

void	tally_history_text(struct tally_out *o, const struct tally_histview *v,
	    int color);
void	tally_history_md(struct tally_out *o, const struct tally_histview *v);

#endif /* TALLY_RENDER_HISTORY_H */
