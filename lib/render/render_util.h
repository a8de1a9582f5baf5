/*
 * lib/render/render_util.h: what the renderers share: an output that counts
 * (and can stop at a byte budget), number and duration formatting, test
 * titles, picking failures, flaky and slowest tests, grouping tests by
 * suite, category or labels, and cutting traces to their first lines.
 *
 * Ownership: arrays returned through out parameters are the caller's to
 * free().  Picks and groups own what they keep (see tally_picks); free
 * them with tally_picks_free() and tally_groups_free().  Every helper
 * walks the tests with tally_report_next_test(), so it works on a report
 * whose tests are streamed, with state bounded by its result.
 */
#ifndef TALLY_RENDER_UTIL_H
#define TALLY_RENDER_UTIL_H

#ifndef TALLY_BUILDING_LIB
#error "lib/render/render_util.h is private to libtally"
#endif

#include <stdio.h>

#include <tally/report.h>

#include "internal.h"

/*
 * A sink for a renderer's bytes.  With fp NULL it only counts, which is
 * how a renderer measures a layout before writing it.  Errors are sticky:
 * after one, every call does nothing, and tally_out_status() reports it.
 * With a limit, counting past it sets over (writing continues; callers
 * check over to stop early).
 */
struct tally_out {
	FILE		*fp;
	size_t		 n;		/* bytes written or counted */
	size_t		 limit;		/* 0: none */
	int		 over;		/* n > limit */
	int		 status;	/* first error: TALLY_EIO, ENOMEM */
	int		 sys_errno;	/* errno of a failed write */
	struct tally_buf tmp;		/* scratch for the escapers */
	int		 guard;		/* no workflow commands: see
					   tally_esc_wfc_guard() */
	unsigned	 gstate;	/* its state */
	struct tally_buf gtmp;		/* its scratch */
};

typedef int (*tally_esc_fn)(struct tally_buf *b, const char *s, size_t n);

void	tally_out_init(struct tally_out *o, FILE *fp, size_t limit);
void	tally_out_fini(struct tally_out *o);
void	tally_out_put(struct tally_out *o, const char *s, size_t n);
void	tally_out_puts(struct tally_out *o, const char *s);
void	tally_out_printf(struct tally_out *o, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Escape n bytes of s (TALLY_NTS: up to the NUL) with esc and write. */
void	tally_out_esc(struct tally_out *o, tally_esc_fn esc, const char *s,
	    size_t n);
/* Nonzero when the renderer should stop: an error, or over the limit. */
int	tally_out_stop(const struct tally_out *o);
/* Flush fp and return TALLY_OK or the first error, filling err. */
int	tally_out_status(struct tally_out *o, struct tally_error *err);

/*
 * The end of a renderer that writes to fp itself: rc's message when rc
 * is not TALLY_OK, else "write error: ..." (with err->sys_errno) when fp
 * cannot be flushed or has an error, else TALLY_OK.
 */
int	tally_render_status(FILE *fp, int rc, struct tally_error *err);

/* Formatting into a caller's buffer (returned). */
#define TALLY_FMTBUF 48
/* "1,234,567". */
char	*tally_fmt_count(char *buf, size_t n);
/* "0ms", "<1ms", "450ms", "2.3s", "1m 2.3s", "2h 5m 3s"; "-" when < 0. */
char	*tally_fmt_duration(char *buf, double ms);
/* Percent with one decimal; "100%" and "0%" only when exact (99.96 is
 * "99.9%", 0.01 is "<0.1%"). */
char	*tally_fmt_rate(char *buf, double pct);
/* Pass rate of counts: passed / (all - skipped - pending); 100 when
 * nothing ran, as struct tally_totals defines it. */
double	 tally_pass_rate(const size_t status[TALLY_NSTATUS]);

/* What joins suite, class and test names in titles: " › ". */
#define TALLY_TITLE_SEP " \xe2\x80\xba "

/*
 * The title of a test, unescaped: suite path, classname (when not the
 * same as the innermost suite) and name joined by " › ", then its labels
 * (tally_test_labels()).
 */
int	tally_test_title(struct tally_buf *b, const struct tally_record *rec);
/*
 * What tells matrix cells apart, appended to b: " [db=postgres,py=3.12]",
 * the record's labels in their order but TALLY_LABEL_SHARD (not part of
 * a test's identity); nothing when there are none.  tally_test_title()
 * ends with it.
 */
int	tally_test_labels(struct tally_buf *b, const struct tally_record *rec);

/*
 * Tests picked in one pass over the report: at most a cap of them, and
 * how many there were.  They are the report's records when it keeps its
 * tests, else copies; tally_picks_free() releases either.
 */
struct tally_picks {
	const struct tally_record **v;
	size_t		 n;		/* in v */
	size_t		 total;		/* all that qualified */
	int		 owned;		/* v holds copies */
};

/* Tests whose final status is failed, in report order, up to max. */
int	tally_pick_failed(const struct tally_report *rep, size_t max,
	    struct tally_picks *p);
/* Flaky tests (failed, then passed), in report order, up to max. */
int	tally_pick_flaky(const struct tally_report *rep, size_t max,
	    struct tally_picks *p);
/* Up to top tests with a known nonzero duration, slowest first; ties
 * keep report order. */
int	tally_pick_slowest(const struct tally_report *rep, size_t top,
	    struct tally_picks *p);
void	tally_picks_free(struct tally_picks *p);
/* The message of a flaky test's first failed attempt, or NULL. */
const char *tally_flaky_message(const struct tally_record *rec);

/*
 * The first lines of s: returns how many bytes of s make up at most
 * maxlines lines and maxbytes bytes (cut at a line end when possible,
 * else at a UTF-8 boundary), and sets *more to the number of lines left
 * out (a partial line counts as one).  A trailing newline is not a line.
 */
size_t	tally_first_lines(const char *s, size_t maxlines, size_t maxbytes,
	    size_t *more);

/* Length of the longest run of c in s. */
size_t	tally_longest_run(const char *s, size_t n, char c);

/* What tests are grouped by. */
enum tally_group_by {
	TALLY_GROUP_SUITE,		/* full suite path */
	TALLY_GROUP_CATEGORY,		/* CTRF type: unit, e2e, ... */
	TALLY_GROUP_LABELS		/* values of the given label keys */
};

struct tally_group {
	const char	**key;		/* nkey strings, NULL when absent */
	size_t		 nkey;
	size_t		 tests;
	size_t		 status[TALLY_NSTATUS];
	size_t		 flaky;
	double		 duration;	/* sum of known durations, ms */
};

struct tally_groups {
	struct tally_group *v;		/* sorted by key; keys are copies */
	size_t		 n;
};

int	tally_groups_build(struct tally_groups *g,
	    const struct tally_report *rep, enum tally_group_by by,
	    const char *const *labels, size_t nlabels);
void	tally_groups_free(struct tally_groups *g);
/* Failing groups first (most failures first), then key order. */
void	tally_groups_sort_failing(struct tally_groups *g);

/*
 * Label keys of test records that take more than one value (a test
 * without the label counts as one more value), sorted.  One allocation
 * holds the array and the strings: free(*out).
 */
int	tally_varying_labels(const struct tally_report *rep,
	    const char ***out, size_t *n);

/*
 * One pass over the tests for several of the above, each wanted when its
 * pointer is not NULL: tally_pick_slowest(rep, top, slowest), the groups
 * by suite and by category, and tally_varying_labels().
 */
int	tally_overview(const struct tally_report *rep, size_t top,
	    struct tally_picks *slowest, struct tally_groups *suites,
	    struct tally_groups *cats, const char ***varying,
	    size_t *nvarying);

/*
 * The error signature of a failure, appended to b: what makes two
 * failures the same problem.  Its exception type and the first line of
 * its message (of its trace when it has no message), with what changes
 * from run to run normalized: numbers become <n>, hex numbers and
 * addresses <hex>, UUIDs <uuid>, words with a slash <path>; white space
 * collapsed.  "(no message)" when there is nothing to go by.
 */
int	tally_error_signature(struct tally_buf *b, const char *type,
	    const char *message, const char *trace);

/*
 * Where a test failed, as the repository names the file: into file
 * (empty when unknown) and *line (0 when unknown).  In order: the test's
 * file and line (a go test file joined with its package's directory);
 * the first frame of its trace, else of its message, inside the
 * repository (Python File "f", line N; Java at a.b.C.m(C.java:N) as
 * a/b/C.java; JavaScript at f (file:N:M); "file:N:" at a line's start,
 * as pytest and go test write), skipping runtimes and libraries; the
 * module its classname names (tests.test_cart: tests/test_cart.py,
 * a.b.C: a/b/C.java).  A line missing from the first source comes from
 * a frame in the same file.  opts->path_strip is removed from the front
 * of a path and opts->path_prefix added; an absolute path left is not
 * the repository's.
 */
int	tally_test_where(struct tally_buf *file, long *line,
	    const struct tally_record *rec,
	    const struct tally_render_opts *opts);

/*
 * The URL of file (a repository path) at line in the commit the CI job
 * built, into b: $GITHUB_SERVER_URL/$GITHUB_REPOSITORY/blob/$GITHUB_SHA/
 * FILE#LN, or GitLab's $CI_PROJECT_URL/-/blob/$CI_COMMIT_SHA/FILE#LN.
 * Returns 1 with b set, 0 when those are not set or file is empty, -1
 * out of memory.  Not escaped.
 */
int	tally_source_url(struct tally_buf *b, const char *file, long line);

/*
 * Triage: the failed tests grouped by error signature
 * (tally_error_signature()), largest group first (ties: the group seen
 * first).  A failure a triage category of opts->rules matches
 * (tally_rules_triage()) is grouped under the category's name instead.
 * One pass; memory is bounded by the caps: at most maxgroups signature
 * groups besides those of the categories (failures of other signatures are only counted, in
 * ungrouped), each with its first test as the example and the titles of
 * at most maxtests more.  A triage pattern that hits a PCRE2 limit
 * fails with TALLY_ELIMIT, said in err.
 */
#define TALLY_TRIAGE_LINES	5	/* of the example's message */
#define TALLY_TRIAGE_BYTES	1024

struct tally_tgroup {
	char		*signature;	/* or a triage category's name */
	const char	*name;		/* that name, or NULL */
	size_t		 count;		/* failures with it */
	size_t		 first;		/* failures before its first one */
	char		*example;	/* the first one's title */
	char		*message;	/* its first lines, or NULL */
	char		*where;		/* its "file:line", or NULL */
	char		**tests;	/* titles of the next ones */
	size_t		 ntests, ctests;
};

struct tally_triage {
	struct tally_tgroup *v;
	size_t		 n;
	size_t		 failures;	/* all failed tests */
	size_t		 ungrouped;	/* past maxgroups */
	size_t		 nnamed;	/* groups of triage categories */
	size_t		*idx, cap;	/* while building */
};

int	tally_triage_build(struct tally_triage *tr,
	    const struct tally_report *rep,
	    const struct tally_render_opts *opts, size_t maxgroups,
	    size_t maxtests, struct tally_error *err);
void	tally_triage_free(struct tally_triage *tr);

/*
 * The URL of a commit (7 to 64 hex digits) on the CI's forge, into b:
 * $GITHUB_SERVER_URL/$GITHUB_REPOSITORY/commit/SHA or GitLab's
 * $CI_PROJECT_URL/-/commit/SHA.  1 with b set, 0 when not known, -1 out
 * of memory.
 */
int	tally_commit_url(struct tally_buf *b, const char *commit);
/* A git ref as a branch name: "refs/heads/main" is "main". */
const char *tally_branch_name(const char *ref);

#endif /* TALLY_RENDER_UTIL_H */
