/*
 * lib/render/render_diff.h: how the renderers show a diff stream
 * (tally-diff(1)): a "compared with" line, then the tests by change, new
 * failures first, then still failing, fixed, newly skipped, new and
 * removed tests, and the tests that got slower.
 *
 * Ownership: a view owns its picks; free it with tally_diffview_free().
 */
#ifndef TALLY_RENDER_DIFF_H
#define TALLY_RENDER_DIFF_H

#ifndef TALLY_BUILDING_LIB
#error "lib/render/render_diff.h is private to libtally"
#endif

#include "render_util.h"

/* The sections, in the order they are shown. */
enum tally_diffsec {
	TALLY_DS_NEW_FAILURE,
	TALLY_DS_STILL_FAILING,
	TALLY_DS_FIXED,
	TALLY_DS_NEWLY_SKIPPED,
	TALLY_DS_NEW,
	TALLY_DS_REMOVED,
	TALLY_DS_SLOWER,
	TALLY_NDS
};

/* The tests of each section, up to a cap each, picked in one pass. */
struct tally_diffview {
	const struct tally_report *rep;
	struct tally_picks sec[TALLY_NDS];
};

/* Pick up to max tests per section; a report that is not a diff gives an
 * empty view (rep NULL in it). */
int	tally_diffview_build(struct tally_diffview *v,
	    const struct tally_report *rep, size_t max);
void	tally_diffview_free(struct tally_diffview *v);

/*
 * The failing tests of a diff, new failures first, then still failing
 * (BASE's failures of removed tests are not NEW's): *out is an array
 * the caller frees, of the view's records; *total counts all of them.
 */
int	tally_diff_failures(const struct tally_diffview *v,
	    const struct tally_record ***out, size_t *n, size_t *total);

/* The section's heading, "New failures", ... */
const char *tally_diffsec_title(enum tally_diffsec s);

/* "abc1234 (main, run 42, 2026-12-03T08:00Z)": what BASE was, from the
 * diff record's base.* members, into b; "" when it has none. */
int	tally_diff_base_name(struct tally_buf *b, const struct tally_report *rep);

/* The text section: nothing for a report that is not a diff. */
void	tally_diff_text(struct tally_out *o, const struct tally_diffview *v,
	    int color);
/* The Markdown section, up to n tests per section listed. */
void	tally_diff_md(struct tally_out *o, const struct tally_diffview *v,
	    size_t n);

#endif /* TALLY_RENDER_DIFF_H */
