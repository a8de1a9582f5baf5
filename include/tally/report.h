/*
 * tally/report.h: what a report is made of.  tally-render reads a stream,
 * merges it, and builds one struct tally_report that every renderer
 * (text, markdown, junit, json, github, html) turns into bytes.
 *
 * Tests are either kept in the report (tests[]), or, when asked for
 * (stream_tests), read again from the merge each time a renderer walks
 * them with tally_report_next_test(), so that memory stays bounded.
 *
 * Ownership: a report owns copies of its records and, when tests are
 * streamed, the merge they come from.  tally_report_free() releases
 * everything and accepts NULL.
 */
#ifndef TALLY_REPORT_H
#define TALLY_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include <tally/diff.h>
#include <tally/error.h>
#include <tally/perf.h>
#include <tally/record.h>

/* Gates: --fail-on failed|error|flaky|empty|new-failure|removed|threshold
 * and --min-pass-rate. */
#define TALLY_GATE_FAILED	0x01
#define TALLY_GATE_ERROR	0x02
#define TALLY_GATE_FLAKY	0x04
#define TALLY_GATE_EMPTY	0x08
/* The error gate only when it fails: lost inputs fail a report that asked
 * for no gate about them (tally-render's default; not a --fail-on word). */
#define TALLY_GATE_LOST		0x10
#define TALLY_GATE_NEW_FAILURE	0x20	/* diff streams only */
#define TALLY_GATE_REMOVED	0x40	/* diff streams only */
#define TALLY_GATE_THRESHOLD	0x80	/* k6 thresholds crossed */

/* "failed", "error", ... to its TALLY_GATE_* bit. */
int	tally_gate_parse(const char *name, unsigned *out);
/* The i-th --fail-on word tally_gate_parse() knows; NULL past the last. */
const char *tally_gate_name(size_t i);

struct tally_totals {
	size_t	tests;			/* merged test records */
	size_t	status[TALLY_NSTATUS];	/* by final status */
	size_t	flaky;
	size_t	retried;		/* tests with retries > 0 */
	size_t	errors;			/* "error" records: unreadable input */
	size_t	thresholds;		/* k6 thresholds (category
					   "threshold" tests) */
	size_t	thresholds_crossed;
	double	duration;		/* sum of the final attempts'
					   durations, ms */
	double	pass_rate;		/* passed / (tests - skipped - pending),
					   percent; 100 when nothing ran */
};

/* One gate's outcome, for the report to say which gate failed. */
struct tally_gate {
	const char	*name;		/* "failed", "min-pass-rate", ... */
	int		 failed;
	char		 detail[128];	/* "3 tests failed", ... */
};

struct tally_report {
	/* Merged records by kind, in the merge's canonical order.  tests
	 * is NULL when tests are streamed; ntests counts them anyway. */
	const struct tally_record **tests;
	size_t		 ntests;
	const struct tally_record **suites;
	size_t		 nsuites;
	const struct tally_record **errors;
	size_t		 nerrors;
	const struct tally_record **perf;
	size_t		 nperf;
	/* Run metadata: meta records, then CI variables, then --meta. */
	struct tally_kv	*meta;
	size_t		 nmeta;
	struct tally_totals totals;
	struct tally_gate *gates;	/* the gates asked for, in order */
	size_t		 ngates;
	int		 verdict_failed; /* some gate failed */
	void		*priv;		/* owned internals */
	/* A diff stream (tally-diff(1)): its summary record, NULL when the
	 * input is not one, and its tests by change.  Totals leave out the
	 * tests marked removed: they are BASE's. */
	const struct tally_record *diff;
	size_t		 changes[TALLY_NCHANGE];
	/* A history stream (tally-history(1)): what the renderers show of
	 * it, NULL when the input is not one. */
	struct tally_histview *history;
};

/*
 * What tally_report_build() counts of the tests: totals and, for a diff
 * stream, tests by change.  Counted as the merge takes them in
 * (tally_merge_set_watch()), it spares the build a pass over them.
 */
struct tally_test_counts {
	struct tally_totals totals;
	size_t		 changes[TALLY_NCHANGE];
};
void	tally_test_counts_add(struct tally_test_counts *c,
	    const struct tally_record *test);

/* How a report is built. */
struct tally_report_opts {
	unsigned	 fail_on;	/* TALLY_GATE_* bits */
	double		 min_pass_rate;	/* percent, < 0 when not asked */
	const struct tally_kv *meta;	/* --meta KEY=VALUE */
	size_t		 nmeta;
	int		 use_env;	/* read CI variables from environ
					   (keys: see tally-render(1)) */
	int		 stream_tests;	/* keep no tests in memory */
	/* Gates on perf figures (--max, --min, --max-regression), each
	 * checked in order; the report's gates borrow nothing from them. */
	const struct tally_perf_gate *perf_gates;
	size_t		 nperf_gates;
	/* The baseline's perf rows (--baseline) for regression gates; a
	 * diff stream's perf rows carry their own (base.FIGURE). */
	const struct tally_record *const *baseline;
	size_t		 nbaseline;
	/* Every test of the merge, counted as it came in; used only when
	 * tests are streamed and tally_merge_watched() said so.  NULL:
	 * the build counts them itself. */
	const struct tally_test_counts *counted;
};

/*
 * Read the merged records of a finished merge table m (ownership moves to
 * the report, also on failure) and compute totals, metadata and gates.
 * Spill-file errors are TALLY_EIO with err filled.
 * opts may be NULL (no gates, no metadata beyond meta records).  The
 * report copies the metadata strings it keeps.
 */
struct tally_merge;
int	tally_report_build(struct tally_report **out, struct tally_merge *m,
	    const struct tally_report_opts *opts, struct tally_error *err);
void	tally_report_free(struct tally_report *r);

/*
 * The tests in report order, whether kept or streamed: set *pos to 0 to
 * start; each call gives 1 and the next test in *rec (borrowed until the
 * next call), 0 after the last, or a status with err filled.
 */
int	tally_report_next_test(const struct tally_report *rep, size_t *pos,
	    const struct tally_record **rec, struct tally_error *err);
/*
 * The same for a pass that wants only the tests that failed or are
 * flaky: it gets those and may get others (a streamed report's other
 * tests are passed over undecoded); *pos is a place, not a count.
 */
int	tally_report_next_failing(const struct tally_report *rep,
	    size_t *pos, const struct tally_record **rec,
	    struct tally_error *err);

/* Options every renderer understands; each ignores what it does not use. */
struct tally_render_opts {
	int		 color;		/* text: ANSI colour allowed */
	size_t		 max_bytes;	/* markdown: byte budget, 0 = default */
	size_t		 max_annotations; /* github: cap, 0 = default */
	size_t		 top;		/* slowest tests to list, 0 = default */
	const char	*title;		/* report title, NULL = default */
	const char	*group_by;	/* label key to break down by, or NULL */
	const char	*assets_dir;	/* html --split-assets: where CSS/JS go */
	const char	*output_path;	/* -o FILE, NULL for stdout */
	const char	*stop_token;	/* text: wrap in ::stop-commands::
					   (GitHub Actions), or NULL */
	const char	*tmpdir;	/* temporary files, NULL: $TMPDIR */
	const struct tally_marks *marks; /* --history: failures marked
					   (tally/history.h), or NULL */
	int		 junit_flat;	/* junit: one level of <testsuite>,
					   each with its test cases */
	int		 junit_strict;	/* junit: only what Jenkins'
					   junit-10.xsd declares */
	const char	*path_strip;	/* removed from the front of paths */
	const char	*path_prefix;	/* added in front of paths */
	const struct tally_rules *rules; /* triage categories (tally/rules.h)
					   failures are grouped by, or NULL */
	struct tally_junit_pass *junit_pass; /* junit: its first pass over
					   the tests, already made, or NULL */
};

/*
 * The junit renderer's first pass over the tests (counts per
 * <testsuite>), made while the merge takes them in: call
 * tally_junit_pass_test() with each test a tally_merge_set_watch()
 * function sees, and give the pass to the renderer (junit_pass) only
 * when tally_merge_watched() says that was every test.  A pass made for
 * the other layout (junit_flat) is not used.  The renderer takes over
 * what the pass gathered, once.
 */
struct tally_junit_pass;
int	tally_junit_pass_new(struct tally_junit_pass **out, int flat);
void	tally_junit_pass_test(struct tally_junit_pass *p,
	    const struct tally_record *test);
void	tally_junit_pass_free(struct tally_junit_pass *p);

struct tally_marks;
struct tally_rules;

/* The renderers: each writes one report to fp. */
typedef int (*tally_render_fn)(const struct tally_report *rep,
    const struct tally_render_opts *opts, FILE *fp, struct tally_error *err);

/* Renderer by format name ("text", "markdown", "junit", "json", "github",
 * "html"); NULL when unknown. */
tally_render_fn	tally_renderer(const char *format);

/* Nonzero when the renderer of format walks tests with
 * tally_report_next_test() only, so they can be streamed. */
int		 tally_renderer_streams(const char *format);

/* The i-th format name tally_renderer() knows; NULL past the last. */
const char	*tally_renderer_name(size_t i);

#endif /* TALLY_REPORT_H */
