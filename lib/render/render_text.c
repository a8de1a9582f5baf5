/*
 * lib/render/render_text.c: the terminal summary.  The most useful lines come
 * last, where a CI log is read from: slowest tests and breakdowns first,
 * then flaky tests, failures, input errors, the totals and the verdict.
 * Everything from the input goes through tally_strip_ansi() and
 * tally_esc_term(); the only escape sequences written are our colours.
 * The text is often a CI log: no line issues a GitHub Actions workflow
 * command (tally_esc_wfc_guard()), and with opts->stop_token the whole
 * report is inside ::stop-commands::TOKEN ... ::TOKEN::.
 */
#include <stdlib.h>
#include <string.h>

#include <tally/history.h>

#include "escape.h"
#include "render.h"
#include "render_diff.h"
#include "render_history.h"
#include "render_perf.h"
#include "render_util.h"

#define DEFAULT_TOP	10
#define DETAILED	10	/* failures shown with message and trace */
#define LISTED		100	/* failures listed at all */
#define MSG_LINES	5
#define TRACE_LINES	10
#define TRACE_BYTES	2048
#define GROUP_ROWS	20
#define META_BYTES	300	/* of a run metadata value in the header */
#define CAUSES		10	/* groups of failures shown */
#define CAUSE_TESTS	5	/* tests listed per group */
#define CAUSES_KEPT	1000	/* groups counted apart */

#define C_BOLD		"\033[1m"
#define C_RED		"\033[31m"
#define C_GREEN		"\033[32m"
#define C_YELLOW	"\033[33m"
#define C_OFF		"\033[0m"

struct text {
	struct tally_out o;
	const struct tally_render_opts *opts;
	const struct tally_report *rep;
	struct tally_buf title;
	struct tally_buf clean;		/* input with ANSI removed */
	struct tally_error *err;	/* a triage pattern's failure */
	int		 said;		/* ... is in it */
	/* From one pass (tally_overview()), each section takes its own. */
	struct tally_picks slow;
	struct tally_groups suites, cats;
	const char	**varying;
	size_t		 nvarying;
};

static void
color(struct text *t, const char *c)
{
	if (t->opts->color)
		tally_out_puts(&t->o, c);
}

/* Input text with escape sequences removed, then escaped for a tty. */
static void
put_clean(struct text *t, const char *s, size_t n, int one_line)
{
	if (s == NULL || t->o.status != TALLY_OK)
		return;
	tally_buf_reset(&t->clean);
	if (tally_strip_ansi(&t->clean, s, n) != TALLY_OK) {
		t->o.status = TALLY_ENOMEM;
		return;
	}
	tally_out_esc(&t->o, one_line ? tally_esc_term_line : tally_esc_term,
	    t->clean.data != NULL ? t->clean.data : "", t->clean.len);
}

static void
put_title(struct text *t, const struct tally_record *rec)
{
	tally_buf_reset(&t->title);
	if (tally_test_title(&t->title, rec) != TALLY_OK) {
		t->o.status = TALLY_ENOMEM;
		return;
	}
	put_clean(t, t->title.data, t->title.len, 1);
}

static void
header(struct text *t, const char *what, size_t n)
{
	char num[TALLY_FMTBUF];

	if (t->o.n > 0)
		tally_out_puts(&t->o, "\n");
	color(t, C_BOLD);
	tally_out_printf(&t->o, "=== %s", what);
	if (n != (size_t)-1)
		tally_out_printf(&t->o, " (%s)", tally_fmt_count(num, n));
	color(t, C_OFF);
	tally_out_puts(&t->o, "\n");
}

/* Each line of s (at most maxlines), indented, with a count of the rest. */
static void
put_lines(struct text *t, const char *s, const char *first,
    const char *indent, size_t maxlines, size_t maxbytes)
{
	size_t len, more, i, e;
	char num[TALLY_FMTBUF];

	len = tally_first_lines(s, maxlines, maxbytes, &more);
	for (i = 0; i < len; i = e + 1) {
		const char *nl = memchr(s + i, '\n', len - i);

		e = nl != NULL ? (size_t)(nl - s) : len;
		tally_out_puts(&t->o, i == 0 ? first : indent);
		put_clean(t, s + i, e - i, 1);
		tally_out_puts(&t->o, "\n");
	}
	if (more > 0) {
		tally_out_puts(&t->o, len == 0 ? first : indent);
		tally_out_printf(&t->o, "\xe2\x80\xa6 %s more line%s\n",
		    tally_fmt_count(num, more), more == 1 ? "" : "s");
	}
}

static void
put_where(struct text *t, const struct tally_record *rec)
{
	const struct tally_test *tt = &rec->u.test;
	char dur[TALLY_FMTBUF];
	struct tally_buf file;
	long line;

	if (tt->duration >= 0)
		tally_out_printf(&t->o, " (%s)", tally_fmt_duration(dur,
		    tt->duration));
	tally_buf_init(&file);
	if (tally_test_where(&file, &line, rec, t->opts) != TALLY_OK)
		t->o.status = TALLY_ENOMEM;
	else if (file.len > 0) {
		tally_out_puts(&t->o, " ");
		put_clean(t, file.data, file.len, 1);
		if (line > 0)
			tally_out_printf(&t->o, ":%ld", line);
	}
	tally_buf_free(&file);
}

/* --history: "  [new failure]", "  [flaky: 25.0% of 4 runs]", ... */
static void
put_mark(struct text *t, const struct tally_record *rec)
{
	char note[256];
	enum tally_mark k;

	if ((k = tally_marks_note(t->opts->marks, rec, note, sizeof(note))) ==
	    TALLY_MARK_NONE)
		return;
	tally_out_puts(&t->o, "  [");
	color(t, k == TALLY_MARK_NEW ? C_RED : C_YELLOW);
	put_clean(t, note, TALLY_NTS, 1);
	color(t, C_OFF);
	tally_out_puts(&t->o, "]");
}

static void
failures(struct text *t)
{
	struct tally_picks p;
	const struct tally_record **v;
	size_t n, i, shown;
	char num[TALLY_FMTBUF];
	int rc;

	if ((rc = tally_pick_failed(t->rep, LISTED, &p)) != TALLY_OK) {
		t->o.status = rc;
		return;
	}
	v = p.v;
	n = p.total;
	if (n > 0)
		header(t, "Failures", n);
	shown = p.n;
	for (i = 0; i < shown && !tally_out_stop(&t->o); i++) {
		const struct tally_test *tt = &v[i]->u.test;

		color(t, C_RED);
		tally_out_puts(&t->o, "FAIL");
		color(t, C_OFF);
		tally_out_puts(&t->o, " ");
		put_title(t, v[i]);
		put_where(t, v[i]);
		put_mark(t, v[i]);
		tally_out_puts(&t->o, "\n");
		if (tt->type != NULL && (tt->message == NULL ||
		    strncmp(tt->message, tt->type, strlen(tt->type)) != 0)) {
			tally_out_puts(&t->o, "     ");
			put_clean(t, tt->type, TALLY_NTS, 1);
			tally_out_puts(&t->o, tt->message != NULL ? ": " : "\n");
			if (tt->message != NULL)
				put_lines(t, tt->message, "", "     ",
				    i < DETAILED ? MSG_LINES : 1, TRACE_BYTES);
		} else if (tt->message != NULL)
			put_lines(t, tt->message, "     ", "     ",
			    i < DETAILED ? MSG_LINES : 1, TRACE_BYTES);
		if (i < DETAILED && tt->trace != NULL)
			put_lines(t, tt->trace, "     | ", "     | ",
			    TRACE_LINES, TRACE_BYTES);
	}
	if (shown < n)
		tally_out_printf(&t->o, "\xe2\x80\xa6 %s more failed tests "
		    "not listed\n", tally_fmt_count(num, n - shown));
	tally_picks_free(&p);
}

/*
 * Failures grouped by error signature or triage category, largest
 * first: what went wrong, how often, an example and which tests.
 */
static void
causes(struct text *t)
{
	struct tally_triage tr;
	char num[TALLY_FMTBUF], num2[TALLY_FMTBUF];
	size_t i, j, w = 0, rest = 0;
	int rc;

	if ((rc = tally_triage_build(&tr, t->rep, t->opts, CAUSES_KEPT,
	    CAUSE_TESTS, t->err)) != TALLY_OK) {
		t->o.status = rc;
		t->said = rc == TALLY_ELIMIT;
		return;
	}
	if (tr.failures < 2) {
		tally_triage_free(&tr);
		return;
	}
	if (t->o.n > 0)
		tally_out_puts(&t->o, "\n");
	color(t, C_BOLD);
	tally_out_printf(&t->o, "=== Failures by cause (%s failures in %s%s "
	    "group%s)", tally_fmt_count(num, tr.failures),
	    tr.ungrouped > 0 ? "over " : "", tally_fmt_count(num2, tr.n),
	    tr.n == 1 ? "" : "s");
	color(t, C_OFF);
	tally_out_puts(&t->o, "\n");
	for (i = 0; i < tr.n && i < CAUSES; i++)
		if (strlen(tally_fmt_count(num, tr.v[i].count)) > w)
			w = strlen(num);
	for (i = 0; i < tr.n && !tally_out_stop(&t->o); i++) {
		const struct tally_tgroup *g = &tr.v[i];

		if (i >= CAUSES) {
			rest += g->count;
			continue;
		}
		tally_out_printf(&t->o, "%*s  ", (int)w,
		    tally_fmt_count(num, g->count));
		if (g->name != NULL) {
			/* "Timeouts: 12 failures" */
			color(t, C_BOLD);
			put_clean(t, g->name, TALLY_NTS, 1);
			color(t, C_OFF);
			tally_out_printf(&t->o, ": %s failure%s", num,
			    g->count == 1 ? "" : "s");
		} else {
			color(t, C_RED);
			put_clean(t, g->signature, TALLY_NTS, 1);
			color(t, C_OFF);
		}
		tally_out_printf(&t->o, "\n%*s  e.g. ", (int)w, "");
		put_clean(t, g->example, TALLY_NTS, 1);
		if (g->where != NULL) {
			tally_out_puts(&t->o, " ");
			put_clean(t, g->where, TALLY_NTS, 1);
		}
		tally_out_puts(&t->o, "\n");
		for (j = 0; j < g->ntests; j++) {
			tally_out_printf(&t->o, "%*s  also ", (int)w, "");
			put_clean(t, g->tests[j], TALLY_NTS, 1);
			tally_out_puts(&t->o, "\n");
		}
		if (g->count > g->ntests + 1)
			tally_out_printf(&t->o, "%*s  \xe2\x80\xa6 %s more\n",
			    (int)w, "", tally_fmt_count(num, g->count -
			    g->ntests - 1));
	}
	if (i > CAUSES)
		tally_out_printf(&t->o, "\xe2\x80\xa6 %s more groups (%s "
		    "failures)\n", tally_fmt_count(num, tr.n - CAUSES),
		    tally_fmt_count(num2, rest));
	if (tr.ungrouped > 0)
		tally_out_printf(&t->o, "\xe2\x80\xa6 %s failures of other "
		    "causes not grouped\n", tally_fmt_count(num,
		    tr.ungrouped));
	tally_triage_free(&tr);
}

static void
flaky(struct text *t)
{
	struct tally_picks p;
	const struct tally_record **v;
	size_t n, i, shown;
	char num[TALLY_FMTBUF];
	int rc;

	if ((rc = tally_pick_flaky(t->rep, LISTED, &p)) != TALLY_OK) {
		t->o.status = rc;
		return;
	}
	v = p.v;
	n = p.total;
	if (n > 0)
		header(t, "Flaky", n);
	shown = p.n;
	for (i = 0; i < shown && !tally_out_stop(&t->o); i++) {
		const struct tally_test *tt = &v[i]->u.test;

		color(t, C_YELLOW);
		tally_out_puts(&t->o, "FLAKY");
		color(t, C_OFF);
		tally_out_puts(&t->o, " ");
		put_title(t, v[i]);
		if (tt->retries > 0)
			tally_out_printf(&t->o, " (passed after %ld "
			    "%s)", tt->retries, tt->retries == 1 ? "retry" :
			    "retries");
		tally_out_puts(&t->o, "\n");
		if (tally_flaky_message(v[i]) != NULL)
			put_lines(t, tally_flaky_message(v[i]),
			    "      failed first with: ", "      ", 1,
			    TRACE_BYTES);
	}
	if (shown < n)
		tally_out_printf(&t->o, "\xe2\x80\xa6 %s more flaky tests "
		    "not listed\n", tally_fmt_count(num, n - shown));
	tally_picks_free(&p);
}

static void
slowest(struct text *t)
{
	struct tally_picks p = t->slow;
	const struct tally_record **v;
	size_t n, i, w = 0;
	char dur[TALLY_FMTBUF];

	memset(&t->slow, 0, sizeof(t->slow));
	v = p.v;
	n = p.n;
	if (n > 0)
		header(t, "Slowest", (size_t)-1);
	for (i = 0; i < n; i++)
		if (strlen(tally_fmt_duration(dur, v[i]->u.test.duration)) > w)
			w = strlen(dur);
	for (i = 0; i < n && !tally_out_stop(&t->o); i++) {
		tally_out_printf(&t->o, "%*s  ", (int)w,
		    tally_fmt_duration(dur, v[i]->u.test.duration));
		put_title(t, v[i]);
		tally_out_puts(&t->o, "\n");
	}
	tally_picks_free(&p);
}

static void
group_key(struct text *t, const struct tally_group *g,
    const char *const *names)
{
	size_t i;

	for (i = 0; i < g->nkey; i++) {
		if (i > 0)
			tally_out_puts(&t->o, names != NULL ? ", " :
			    TALLY_TITLE_SEP);
		if (names != NULL && g->nkey > 1) {
			put_clean(t, names[i], TALLY_NTS, 1);
			tally_out_puts(&t->o, "=");
		}
		if (g->key[i] != NULL)
			put_clean(t, g->key[i], TALLY_NTS, 1);
		else
			tally_out_puts(&t->o, "(none)");
	}
	if (g->nkey == 0)
		tally_out_puts(&t->o, "(none)");
}

static void
count_cell(struct text *t, size_t n, const char *c)
{
	char num[TALLY_FMTBUF];

	tally_out_puts(&t->o, " ");
	if (n > 0)
		color(t, c);
	tally_out_printf(&t->o, "%7s", tally_fmt_count(num, n));
	if (n > 0)
		color(t, C_OFF);
}

/* The groups by, built here or given (pre, taken over). */
static void
breakdown(struct text *t, const char *what, enum tally_group_by by,
    const char *const *labels, size_t nlabels, int force,
    struct tally_groups *pre)
{
	struct tally_groups g;
	size_t i, rows;
	char buf[TALLY_FMTBUF], num[TALLY_FMTBUF];
	int rc;

	if (pre != NULL) {
		g = *pre;
		memset(pre, 0, sizeof(*pre));
	} else if ((rc = tally_groups_build(&g, t->rep, by, labels,
	    nlabels)) != TALLY_OK) {
		t->o.status = rc;
		return;
	}
	if (g.n < 2 && !(force && g.n > 0)) {
		tally_groups_free(&g);
		return;
	}
	tally_groups_sort_failing(&g);
	header(t, what, (size_t)-1);
	tally_out_printf(&t->o, " %7s %7s %7s %7s %9s %6s  %s\n", "passed",
	    "failed", "skipped", "flaky", "time", "rate",
	    by == TALLY_GROUP_SUITE ? "suite" : by == TALLY_GROUP_CATEGORY ?
	    "category" : "value");
	rows = g.n < GROUP_ROWS ? g.n : GROUP_ROWS;
	for (i = 0; i < rows && !tally_out_stop(&t->o); i++) {
		const struct tally_group *gr = &g.v[i];

		count_cell(t, gr->status[TALLY_PASSED], C_GREEN);
		count_cell(t, gr->status[TALLY_FAILED], C_RED);
		count_cell(t, gr->status[TALLY_SKIPPED] +
		    gr->status[TALLY_PENDING], C_YELLOW);
		count_cell(t, gr->flaky, C_YELLOW);
		tally_out_printf(&t->o, " %9s", tally_fmt_duration(buf,
		    gr->duration));
		tally_out_printf(&t->o, " %6s  ",
		    tally_fmt_rate(num, tally_pass_rate(gr->status)));
		group_key(t, gr, by == TALLY_GROUP_LABELS ? labels : NULL);
		tally_out_puts(&t->o, "\n");
	}
	if (rows < g.n)
		tally_out_printf(&t->o, "\xe2\x80\xa6 %s more\n",
		    tally_fmt_count(num, g.n - rows));
	tally_groups_free(&g);
}

static void
breakdowns(struct text *t)
{
	const char *const *keys;
	const char **varying = NULL;
	size_t nkeys, i;
	struct tally_buf what;

	breakdown(t, "By suite", TALLY_GROUP_SUITE, NULL, 0, 0, &t->suites);
	breakdown(t, "By category", TALLY_GROUP_CATEGORY, NULL, 0, 0,
	    &t->cats);
	if (t->opts->group_by != NULL) {
		keys = &t->opts->group_by;
		nkeys = 1;
	} else {
		varying = t->varying;
		nkeys = t->nvarying;
		t->varying = NULL;
		keys = varying;
	}
	tally_buf_init(&what);
	for (i = 0; i < nkeys && !tally_out_stop(&t->o); i++) {
		tally_buf_reset(&what);
		if (tally_buf_adds(&what, "By label ") != TALLY_OK ||
		    tally_esc_term_line(&what, keys[i], TALLY_NTS) !=
		    TALLY_OK) {
			t->o.status = TALLY_ENOMEM;
			break;
		}
		breakdown(t, what.data, TALLY_GROUP_LABELS, &keys[i], 1,
		    t->opts->group_by != NULL, NULL);
	}
	tally_buf_free(&what);
	free(varying);
}

static void
input_errors(struct text *t)
{
	size_t i, shown;
	char num[TALLY_FMTBUF];

	if (t->rep->nerrors > 0)
		header(t, "Input errors", t->rep->nerrors);
	shown = t->rep->nerrors < LISTED ? t->rep->nerrors : LISTED;
	for (i = 0; i < shown && !tally_out_stop(&t->o); i++) {
		const struct tally_record *r = t->rep->errors[i];

		color(t, C_RED);
		tally_out_puts(&t->o, "ERROR");
		color(t, C_OFF);
		tally_out_puts(&t->o, " ");
		put_clean(t, r->source != NULL ? r->source : "-", TALLY_NTS,
		    1);
		if (r->u.error.line > 0)
			tally_out_printf(&t->o, ":%ld", r->u.error.line);
		if (r->u.error.line > 0 && r->u.error.column > 0)
			tally_out_printf(&t->o, ":%ld", r->u.error.column);
		tally_out_puts(&t->o, ": ");
		put_clean(t, r->u.error.message != NULL ?
		    r->u.error.message : "unreadable input", TALLY_NTS, 1);
		tally_out_puts(&t->o, "\n");
	}
	if (shown < t->rep->nerrors)
		tally_out_printf(&t->o, "\xe2\x80\xa6 %s more input error%s\n",
		    tally_fmt_count(num, t->rep->nerrors - shown),
		    t->rep->nerrors - shown == 1 ? "" : "s");
}

/*
 * A run metadata value on one line: the first line, at most META_BYTES,
 * with a count of the lines left out (a TRX runError lists every failure
 * again, or is the message of the "(test run)" failure shown below).
 */
static void
put_meta_value(struct text *t, const char *v)
{
	char num[TALLY_FMTBUF];
	size_t len, n, vlen, lines = 1, i;

	len = tally_first_lines(v, 1, META_BYTES, &n);
	vlen = strlen(v);
	for (i = 0; i + 1 < vlen; i++)
		if (v[i] == '\n')
			lines++;
	for (n = len; n > 0 && (v[n - 1] == '\n' || v[n - 1] == '\r'); n--)
		;
	put_clean(t, v, n, 1);
	if (len < strcspn(v, "\n"))		/* the first line cut */
		tally_out_puts(&t->o, "\xe2\x80\xa6");
	else if (lines > 1)
		tally_out_puts(&t->o, " \xe2\x80\xa6");
	if (lines > 1)
		tally_out_printf(&t->o, " %s more line%s",
		    tally_fmt_count(num, lines - 1), lines == 2 ? "" : "s");
}

/* Run metadata (commit, branch, CI run, --meta) on one line each. */
static void
run_info(struct text *t)
{
	size_t i;

	if (t->rep->nmeta == 0)
		return;
	header(t, "Run", (size_t)-1);
	for (i = 0; i < t->rep->nmeta && !tally_out_stop(&t->o); i++) {
		if (i == GROUP_ROWS) {
			tally_out_puts(&t->o, "  \xe2\x80\xa6\n");
			break;
		}
		tally_out_puts(&t->o, "  ");
		put_clean(t, t->rep->meta[i].key, TALLY_NTS, 1);
		tally_out_puts(&t->o, ": ");
		put_meta_value(t, t->rep->meta[i].value);
		tally_out_puts(&t->o, "\n");
	}
}

/*
 * Load-test and benchmark rows: every figure some row has (requests,
 * failures, error rate, throughput, min/avg/median/p90/p95/p99/max,
 * stddev), one column each.
 */
static void
perf(struct text *t)
{
	char num[TALLY_FMTBUF], cell[32];
	unsigned cols;
	size_t i, f, shown = 0, nrows;
	double v;
	int diff;

	if ((nrows = tally_perf_rows(t->rep)) == 0)
		return;
	header(t, "Load and benchmarks", nrows);
	cols = tally_perf_columns(t->rep);
	diff = tally_perf_has_change(t->rep);
	for (f = 0; f < TALLY_NPERF_FIG; f++)
		if (cols & (1u << f))
			tally_out_printf(&t->o, "%8s ",
			    tally_perf_heading((enum tally_perf_fig)f));
	if (diff)
		tally_out_printf(&t->o, "%8s ", "p95 vs");
	tally_out_puts(&t->o, " name\n");
	for (i = 0; i < t->rep->nperf && shown < LISTED &&
	    !tally_out_stop(&t->o); i++) {
		const struct tally_perf *p = &t->rep->perf[i]->u.perf;

		if (tally_perf_is_series(p))
			continue;
		shown++;
		for (f = 0; f < TALLY_NPERF_FIG; f++) {
			if (!(cols & (1u << f)))
				continue;
			v = tally_perf_fig_get(p, (enum tally_perf_fig)f);
			if (f == TALLY_PF_FAILURES && v > 0)
				color(t, C_RED);
			if (tally_perf_fig_unit((enum tally_perf_fig)f) ==
			    TALLY_PU_COUNT && v >= 0)
				tally_out_printf(&t->o, "%8s ",
				    tally_fmt_count(num, (size_t)v));
			else
				tally_out_printf(&t->o, "%8s ", tally_perf_cell(
				    cell, sizeof(cell), (enum tally_perf_fig)f,
				    v));
			if (f == TALLY_PF_FAILURES && v > 0)
				color(t, C_OFF);
		}
		if (diff)
			tally_out_printf(&t->o, "%8s ", tally_perf_change(cell,
			    sizeof(cell), p));
		tally_out_puts(&t->o, " ");
		if (p->method != NULL) {
			put_clean(t, p->method, TALLY_NTS, 1);
			tally_out_puts(&t->o, " ");
		}
		put_clean(t, p->name, TALLY_NTS, 1);
		tally_out_puts(&t->o, "\n");
	}
	if (shown < nrows)
		tally_out_printf(&t->o, "\xe2\x80\xa6 %s more rows\n",
		    tally_fmt_count(num, nrows - shown));
}

/* ", 3 skipped" in colour c, or nothing for 0 unless always. */
static void
total_item(struct text *t, size_t n, const char *word, const char *c,
    int always)
{
	char num[TALLY_FMTBUF];

	if (n == 0 && !always)
		return;
	tally_out_puts(&t->o, ", ");
	if (n > 0)
		color(t, c);
	tally_out_printf(&t->o, "%s %s", tally_fmt_count(num, n), word);
	if (n > 0)
		color(t, C_OFF);
}

static void
totals(struct text *t)
{
	const struct tally_totals *tt = &t->rep->totals;
	char num[TALLY_FMTBUF], dur[TALLY_FMTBUF];

	if (t->o.n > 0)
		tally_out_puts(&t->o, "\n");
	if (tally_history_only(t->rep)) {
		struct tally_buf b;

		tally_buf_init(&b);
		if (tally_history_summary(&b, t->rep->history) != TALLY_OK)
			t->o.status = t->o.status ? t->o.status : TALLY_ENOMEM;
		else
			tally_out_printf(&t->o, "%s\n", b.data);
		tally_buf_free(&b);
		return;
	}
	color(t, C_BOLD);
	tally_out_printf(&t->o, "%s test%s", tally_fmt_count(num, tt->tests),
	    tt->tests == 1 ? "" : "s");
	color(t, C_OFF);
	total_item(t, tt->status[TALLY_PASSED], "passed", C_GREEN, 1);
	total_item(t, tt->status[TALLY_FAILED], "failed", C_RED, 1);
	total_item(t, tt->status[TALLY_SKIPPED], "skipped", C_YELLOW, 0);
	total_item(t, tt->status[TALLY_PENDING], "pending", C_YELLOW, 0);
	total_item(t, tt->status[TALLY_OTHER], "other", C_YELLOW, 0);
	total_item(t, tt->flaky, "flaky", C_YELLOW, 0);
	total_item(t, tt->retried, "retried", C_YELLOW, 0);
	total_item(t, tt->errors, tt->errors == 1 ? "input error" :
	    "input errors", C_RED, 0);
	tally_out_printf(&t->o, "; pass rate %s; time %s\n",
	    tally_fmt_rate(num, tt->pass_rate),
	    tally_fmt_duration(dur, tt->duration));
}

static void
verdict(struct text *t)
{
	const struct tally_report *rep = t->rep;
	const char *sep = " ";
	size_t i;

	if (rep->verdict_failed) {
		color(t, C_BOLD C_RED);
		tally_out_puts(&t->o, "FAIL:");
		color(t, C_OFF);
		for (i = 0; i < rep->ngates; i++) {
			if (!rep->gates[i].failed)
				continue;
			tally_out_printf(&t->o, "%sgate '", sep);
			put_clean(t, rep->gates[i].name, TALLY_NTS, 1);
			tally_out_puts(&t->o, "' failed");
			if (rep->gates[i].detail[0] != '\0') {
				tally_out_puts(&t->o, " (");
				put_clean(t, rep->gates[i].detail, TALLY_NTS,
				    1);
				tally_out_puts(&t->o, ")");
			}
			sep = "; ";
		}
		tally_out_puts(&t->o, "\n");
		return;
	}
	if (rep->ngates == 0) {
		tally_out_puts(&t->o, "DONE: no gates checked\n");
		return;
	}
	color(t, C_BOLD C_GREEN);
	tally_out_puts(&t->o, "PASS:");
	color(t, C_OFF);
	tally_out_puts(&t->o, " gates passed:");
	for (i = 0; i < rep->ngates; i++) {
		tally_out_puts(&t->o, i > 0 ? ", " : " ");
		put_clean(t, rep->gates[i].name, TALLY_NTS, 1);
	}
	tally_out_puts(&t->o, "\n");
}

int
tally_render_text(const struct tally_report *rep,
    const struct tally_render_opts *opts, FILE *fp, struct tally_error *err)
{
	static const struct tally_render_opts defaults;
	struct tally_diffview dv;
	struct text t;
	int rc;

	if ((rc = tally_diffview_build(&dv, rep, LISTED)) != TALLY_OK)
		return tally_error_set(err, rc, 0, 0, "%s",
		    tally_strerror(rc));
	memset(&t, 0, sizeof(t));
	t.rep = rep;
	t.opts = opts != NULL ? opts : &defaults;
	t.err = err;
	tally_out_init(&t.o, fp, 0);
	tally_buf_init(&t.title);
	tally_buf_init(&t.clean);
	/* Under GitHub Actions the runner obeys no command until the token
	 * comes back, and no line of ours issues one in any log. */
	if (t.opts->stop_token != NULL)
		tally_out_printf(&t.o, "::stop-commands::%s\n",
		    t.opts->stop_token);
	t.o.guard = 1;
	if (t.opts->title != NULL) {
		color(&t, C_BOLD);
		put_clean(&t, t.opts->title, TALLY_NTS, 1);
		color(&t, C_OFF);
		tally_out_puts(&t.o, "\n");
	}
	run_info(&t);
	perf(&t);
	/* The slowest, the suites, the categories and the labels that
	 * vary: one pass. */
	if ((rc = tally_overview(rep, t.opts->top != 0 ? t.opts->top :
	    DEFAULT_TOP, &t.slow, &t.suites, &t.cats,
	    t.opts->group_by == NULL ? &t.varying : NULL, &t.nvarying)) !=
	    TALLY_OK)
		t.o.status = rc;
	slowest(&t);
	breakdowns(&t);
	flaky(&t);
	failures(&t);
	causes(&t);
	input_errors(&t);
	tally_diff_text(&t.o, &dv, t.opts->color);
	tally_history_text(&t.o, rep->history, t.opts->color);
	totals(&t);
	verdict(&t);
	t.o.guard = 0;
	if (t.opts->stop_token != NULL)
		tally_out_printf(&t.o, "%s::%s::\n", t.o.gstate != 0 ? "\n" :
		    "", t.opts->stop_token);
	rc = t.said ? t.o.status : tally_out_status(&t.o, err);
	tally_buf_free(&t.title);
	tally_buf_free(&t.clean);
	tally_picks_free(&t.slow);
	tally_groups_free(&t.suites);
	tally_groups_free(&t.cats);
	free(t.varying);
	tally_out_fini(&t.o);
	tally_diffview_free(&dv);
	return rc;
}
