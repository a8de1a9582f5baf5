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

void	tally_history_text(struct tally_out *o, const struct tally_histview *v,
	    int color);
void	tally_history_md(struct tally_out *o, const struct tally_histview *v);

#endif /* TALLY_RENDER_HISTORY_H */
