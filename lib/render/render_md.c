/*
 * lib/render/render_md.c: a Markdown job summary for GitHub and GitLab.
 *
 * The summary must fit a byte budget (GitHub's step summary takes 1 MiB,
 * a check run 65,535 bytes).  A plan says how much of each part to show;
 * the renderer measures a plan by rendering it into a counting output
 * that stops at the budget, and cuts detail in a fixed order until the
 * plan fits: suite breakdown, slowest tests, metadata table, category
 * breakdown, failures beyond the first 100, traces, failures beyond 10, messages, the label
 * table, flaky tests, the other failures, input errors, and at last the
 * summary.  Every part is whole or absent, so fences and <details>
 * always close, and every cut is said.
 *
 * Escaping: inline text with tally_esc_md(), text inside HTML elements
 * with tally_esc_html_line(), code blocks with tally_strip_ansi() and
 * tally_esc_term() inside a fence longer than any backtick run in them,
 * links with tally_esc_url() and only for http(s).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <tally/history.h>

#include "escape.h"
#include "render.h"
#include "render_diff.h"
#include "render_history.h"
#include "render_perf.h"
#include "render_util.h"

#define DEFAULT_BUDGET	(1024 * 1024)	/* GitHub's step summary limit */
#define DEFAULT_TOP	10
#define MATRIX_KEYS	4		/* label columns at most */
#define MATRIX_ROWS	30
#define GRID_COLUMNS	6
#define SUITE_ROWS	50
#define CATEGORY_ROWS	50
#define META_ROWS	20
#define META_BYTES	200		/* of one metadata value */
#define MSG_LINES	20		/* of a message in a <details> */
#define MSG_BYTES	4096
#define LINE_BYTES	300		/* of a one-line message */
#define TRACE_LINES	50
#define TRACE_BYTES	8192
#define CAUSES		10	/* groups of failures shown */
#define CAUSE_TESTS	10	/* tests listed per group */
#define CAUSES_KEPT	1000	/* groups counted apart */

#define ELLIPSIS	"\xe2\x80\xa6"

struct plan {
	size_t	 core;		/* 4: summary table, 3: summary line and the
				   sections' counts, 2: headline, verdict and
				   summary line, 1: headline, 0: nothing */
	size_t	 nerrors;	/* input errors listed */
	size_t	 nfail;		/* failures listed */
	size_t	 nmsg;		/* of those, with their message */
	size_t	 ntrace;	/* of those, with message and trace */
	size_t	 nflaky;
	size_t	 nslow;
	size_t	 matrix;	/* label table */
	size_t	 meta;		/* metadata table */
	size_t	 suites;	/* per-suite table */
	size_t	 cats;		/* per-category table */
	size_t	 ndiff;		/* a diff's tests listed per change */
	size_t	 causes;	/* groups of failures by cause */
	size_t	 history;	/* a history's lists and runs */
	size_t	 nperf;		/* load-test and benchmark rows */
};

struct md {
	struct tally_out o;
	struct tally_error *err;	/* a triage pattern's failure */
	const struct tally_report *rep;
	const struct tally_render_opts *opts;
	const struct tally_record **failed, **flaky, **slow;
	size_t	 nfailed, nflaky, nslow;	/* all there are */
	struct tally_picks pfailed, pflaky, pslow; /* those kept */
	struct tally_groups suites;
	struct tally_groups cats;
	struct tally_groups matrix;
	const char *const *mkeys;
	size_t	 nmkeys;
	const char **varying;
	/* With two label keys and few values: a grid, one key's values as
	 * rows and the other's as columns. */
	const char **rowv, **colv;
	size_t	 nrow, ncol, rk, ck;
	struct tally_buf a, b;		/* scratch */
	struct tally_diffview diff;
	struct tally_triage triage;
};

static int
strcmp_null(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static void
nomem(struct md *m)
{
	if (m->o.status == TALLY_OK)
		m->o.status = TALLY_ENOMEM;
}

static void
put(struct md *m, const char *s)
{
	tally_out_puts(&m->o, s);
}

/* s without its ANSI escapes, escaped with esc. */
static void
esc_plain(struct md *m, tally_esc_fn esc, const char *s, size_t n)
{
	if (s == NULL)
		return;
	tally_buf_reset(&m->a);
	if (tally_strip_ansi(&m->a, s, n) != TALLY_OK) {
		nomem(m);
		return;
	}
	tally_out_esc(&m->o, esc, m->a.data != NULL ? m->a.data : "",
	    m->a.len);
}

/* Inline Markdown text. */
static void
text(struct md *m, const char *s, size_t n)
{
	esc_plain(m, tally_esc_md, s, n);
}

/* Text inside an HTML element, on one line. */
static void
html(struct md *m, const char *s, size_t n)
{
	esc_plain(m, tally_esc_html_line, s, n);
}

static void
title(struct md *m, const struct tally_record *rec, int in_html)
{
	struct tally_buf t;

	tally_buf_init(&t);
	if (tally_test_title(&t, rec) != TALLY_OK)
		nomem(m);
	else if (in_html)
		html(m, t.data, t.len);
	else
		text(m, t.data, t.len);
	tally_buf_free(&t);
}

/* The first line of s, at most max bytes, as inline text. */
static void
first_line(struct md *m, const char *s, size_t max)
{
	size_t len, more;

	len = tally_first_lines(s, 1, max, &more);
	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	text(m, s, len);
	if (more > 0)
		put(m, " " ELLIPSIS);
}

static void
one_line(struct md *m, const char *s)
{
	first_line(m, s, LINE_BYTES);
}

/* A fenced code block with the first lines of s. */
static void
code(struct md *m, const char *s, size_t maxlines, size_t maxbytes)
{
	size_t len, more, fence, i;
	char num[TALLY_FMTBUF];

	len = tally_first_lines(s, maxlines, maxbytes, &more);
	tally_buf_reset(&m->a);
	tally_buf_reset(&m->b);
	if (tally_strip_ansi(&m->a, s, len) != TALLY_OK ||
	    tally_esc_term(&m->b, m->a.data != NULL ? m->a.data : "",
	    m->a.len) != TALLY_OK) {
		nomem(m);
		return;
	}
	if (more > 0 && tally_buf_printf(&m->b, "%s%s %s more line%s\n",
	    m->b.len > 0 && m->b.data[m->b.len - 1] != '\n' ? "\n" : "",
	    ELLIPSIS, tally_fmt_count(num, more), more == 1 ? "" : "s") !=
	    TALLY_OK) {
		nomem(m);
		return;
	}
	fence = tally_longest_run(m->b.data, m->b.len, '`') + 1;
	if (fence < 3)
		fence = 3;
	for (i = 0; i < fence; i++)
		put(m, "`");
	put(m, "text\n");
	tally_out_put(&m->o, m->b.data != NULL ? m->b.data : "", m->b.len);
	if (m->b.len > 0 && m->b.data[m->b.len - 1] != '\n')
		put(m, "\n");
	for (i = 0; i < fence; i++)
		put(m, "`");
	put(m, "\n");
}

/* A rate as table text ("<0.1%" must not look like a tag). */
static void
rate(struct md *m, const char *before, double pct, const char *after)
{
	char buf[TALLY_FMTBUF];

	put(m, before);
	tally_out_esc(&m->o, tally_esc_html, tally_fmt_rate(buf, pct),
	    TALLY_NTS);
	put(m, after);
}

static const char *
verdict_icon(const struct tally_report *rep)
{
	if (rep->verdict_failed)
		return "\xe2\x9d\x8c";			/* ❌ */
	if (rep->totals.status[TALLY_FAILED] > 0 || rep->totals.errors > 0 ||
	    (tally_history_only(rep) && rep->history->allfailing > 0))
		return "\xe2\x9a\xa0\xef\xb8\x8f";	/* ⚠️ */
	return "\xe2\x9c\x85";				/* ✅ */
}

static void
headline(struct md *m)
{
	tally_out_printf(&m->o, "## %s ", verdict_icon(m->rep));
	if (m->opts->title != NULL)
		text(m, m->opts->title, TALLY_NTS);
	else
		put(m, "Test results");
	put(m, "\n\n");
}

static void
gates(struct md *m)
{
	const struct tally_report *rep = m->rep;
	size_t i;

	if (rep->ngates == 0)
		return;
	put(m, rep->verdict_failed ? "**Verdict: failed**" :
	    "**Verdict: passed**");
	for (i = 0; i < rep->ngates; i++) {
		put(m, i == 0 ? " \xe2\x80\x94 " : " \xc2\xb7 ");
		put(m, rep->gates[i].failed ? "\xe2\x9d\x8c " : "\xe2\x9c\x85 ");
		text(m, rep->gates[i].name, TALLY_NTS);
		if (rep->gates[i].detail[0] != '\0') {
			put(m, ": ");
			text(m, rep->gates[i].detail, TALLY_NTS);
		}
	}
	put(m, "\n\n");
}

/* A history stream's totals instead of its zero tests; 0 if not one. */
static int
history_line(struct md *m)
{
	struct tally_buf b;

	if (!tally_history_only(m->rep))
		return 0;
	tally_buf_init(&b);
	if (tally_history_summary(&b, m->rep->history) != TALLY_OK)
		m->o.status = m->o.status ? m->o.status : TALLY_ENOMEM;
	else
		tally_out_printf(&m->o, "%s\n\n", b.data);
	tally_buf_free(&b);
	return 1;
}

static void
summary_line(struct md *m)
{
	const struct tally_totals *t = &m->rep->totals;
	char a[TALLY_FMTBUF], b[TALLY_FMTBUF], c[TALLY_FMTBUF];

	if (history_line(m))
		return;
	tally_out_printf(&m->o, "%s test%s: %s passed, ",
	    tally_fmt_count(a, t->tests), t->tests == 1 ? "" : "s",
	    tally_fmt_count(b, t->status[TALLY_PASSED]));
	tally_out_printf(&m->o, "%s failed, %s skipped",
	    tally_fmt_count(a, t->status[TALLY_FAILED]),
	    tally_fmt_count(b, t->status[TALLY_SKIPPED] +
	    t->status[TALLY_PENDING]));
	tally_out_printf(&m->o, ", %s flaky", tally_fmt_count(a, t->flaky));
	rate(m, "; pass rate ", t->pass_rate, "; ");
	tally_out_printf(&m->o, "%s\n\n", tally_fmt_duration(c, t->duration));
}

static void
summary_table(struct md *m)
{
	const struct tally_totals *t = &m->rep->totals;
	char a[TALLY_FMTBUF];

	if (history_line(m))
		return;
	put(m, "| Tests | \xe2\x9c\x85 Passed | \xe2\x9d\x8c Failed | "
	    "\xe2\x8f\xad\xef\xb8\x8f Skipped | \xf0\x9f\x8d\x82 Flaky | "
	    "\xe2\x8f\xb1\xef\xb8\x8f Duration | Pass rate |\n");
	put(m, "|---:|---:|---:|---:|---:|---:|---:|\n");
	tally_out_printf(&m->o, "| %s ", tally_fmt_count(a, t->tests));
	tally_out_printf(&m->o, "| %s ",
	    tally_fmt_count(a, t->status[TALLY_PASSED]));
	tally_out_printf(&m->o, "| %s ",
	    tally_fmt_count(a, t->status[TALLY_FAILED]));
	tally_out_printf(&m->o, "| %s ", tally_fmt_count(a,
	    t->status[TALLY_SKIPPED] + t->status[TALLY_PENDING]));
	tally_out_printf(&m->o, "| %s ", tally_fmt_count(a, t->flaky));
	tally_out_printf(&m->o, "| %s ", tally_fmt_duration(a, t->duration));
	rate(m, "| ", t->pass_rate, " |\n");
	/* Only the counts that are not zero. */
	if (t->status[TALLY_OTHER] > 0 || t->retried > 0 || t->errors > 0) {
		const char *sep = "\nAlso: ";

		if (t->status[TALLY_OTHER] > 0) {
			tally_out_printf(&m->o, "%s%s other", sep,
			    tally_fmt_count(a, t->status[TALLY_OTHER]));
			sep = ", ";
		}
		if (t->retried > 0) {
			tally_out_printf(&m->o, "%s%s retried", sep,
			    tally_fmt_count(a, t->retried));
			sep = ", ";
		}
		if (t->errors > 0)
			tally_out_printf(&m->o, "%s%s input error%s", sep,
			    tally_fmt_count(a, t->errors),
			    t->errors == 1 ? "" : "s");
		put(m, ".\n");
	}
	put(m, "\n");
}

static void
count_cells(struct md *m, const struct tally_group *g)
{
	char a[TALLY_FMTBUF];

	tally_out_printf(&m->o, " %s |",
	    tally_fmt_count(a, g->status[TALLY_PASSED]));
	tally_out_printf(&m->o, " %s |",
	    tally_fmt_count(a, g->status[TALLY_FAILED]));
	tally_out_printf(&m->o, " %s |", tally_fmt_count(a,
	    g->status[TALLY_SKIPPED] + g->status[TALLY_PENDING]));
	tally_out_printf(&m->o, " %s |", tally_fmt_count(a, g->flaky));
	tally_out_printf(&m->o, " %s |", tally_fmt_duration(a, g->duration));
	rate(m, " ", tally_pass_rate(g->status), " |\n");
}

static void
grid_cell(struct md *m, const char *row, const char *col)
{
	char a[TALLY_FMTBUF], b[TALLY_FMTBUF];
	size_t i, skipped;

	for (i = 0; i < m->matrix.n; i++) {
		const struct tally_group *g = &m->matrix.v[i];

		if (strcmp_null(g->key[m->rk], row) != 0 ||
		    strcmp_null(g->key[m->ck], col) != 0)
			continue;
		skipped = g->status[TALLY_SKIPPED] + g->status[TALLY_PENDING];
		if (g->status[TALLY_FAILED] > 0)
			tally_out_printf(&m->o, " \xe2\x9d\x8c %s of %s failed",
			    tally_fmt_count(a, g->status[TALLY_FAILED]),
			    tally_fmt_count(b, g->tests));
		else
			tally_out_printf(&m->o, " \xe2\x9c\x85 %s passed",
			    tally_fmt_count(a, g->status[TALLY_PASSED]));
		if (skipped > 0)
			tally_out_printf(&m->o, ", %s skipped",
			    tally_fmt_count(a, skipped));
		if (g->flaky > 0)
			tally_out_printf(&m->o, ", %s flaky",
			    tally_fmt_count(a, g->flaky));
		put(m, " |");
		return;
	}
	put(m, " \xe2\x80\x94 |");
}

static void
label_value(struct md *m, const char *v)
{
	if (v != NULL)
		text(m, v, TALLY_NTS);
	else
		put(m, "\xe2\x80\x94");
}

static void
grid(struct md *m)
{
	size_t i, j;

	put(m, "### By label\n\n| ");
	text(m, m->mkeys[m->rk], TALLY_NTS);
	put(m, " |");
	for (j = 0; j < m->ncol; j++) {
		put(m, " ");
		text(m, m->mkeys[m->ck], TALLY_NTS);
		put(m, "=");
		label_value(m, m->colv[j]);
		put(m, " |");
	}
	put(m, "\n|---|");
	for (j = 0; j < m->ncol; j++)
		put(m, ":---:|");
	put(m, "\n");
	for (i = 0; i < m->nrow && !tally_out_stop(&m->o); i++) {
		put(m, "| ");
		label_value(m, m->rowv[i]);
		put(m, " |");
		for (j = 0; j < m->ncol; j++)
			grid_cell(m, m->rowv[i], m->colv[j]);
		put(m, "\n");
	}
	put(m, "\n");
}

static void
matrix(struct md *m)
{
	size_t i, j, rows;
	char num[TALLY_FMTBUF];

	if (m->matrix.n < 2 && !(m->opts->group_by != NULL &&
	    m->matrix.n > 0))
		return;
	if (m->rowv != NULL) {
		grid(m);
		return;
	}
	put(m, "### By label\n\n|");
	for (j = 0; j < m->nmkeys; j++) {
		put(m, " ");
		text(m, m->mkeys[j], TALLY_NTS);
		put(m, " |");
	}
	put(m, " Passed | Failed | Skipped | Flaky | Duration | Pass rate |\n|");
	for (j = 0; j < m->nmkeys; j++)
		put(m, "---|");
	put(m, "---:|---:|---:|---:|---:|---:|\n");
	rows = m->matrix.n < MATRIX_ROWS ? m->matrix.n : MATRIX_ROWS;
	for (i = 0; i < rows && !tally_out_stop(&m->o); i++) {
		const struct tally_group *g = &m->matrix.v[i];

		put(m, "|");
		for (j = 0; j < g->nkey; j++) {
			put(m, " ");
			if (g->key[j] != NULL)
				text(m, g->key[j], TALLY_NTS);
			else
				put(m, "\xe2\x80\x94");
			put(m, " |");
		}
		count_cells(m, g);
	}
	if (rows < m->matrix.n)
		tally_out_printf(&m->o, "\n" ELLIPSIS " %s more label "
		    "combinations not shown.\n",
		    tally_fmt_count(num, m->matrix.n - rows));
	put(m, "\n");
}

static void
input_errors(struct md *m, const struct plan *p)
{
	size_t i;
	char num[TALLY_FMTBUF];

	if (m->rep->nerrors == 0)
		return;
	tally_out_printf(&m->o, "### \xe2\x9a\xa0\xef\xb8\x8f Input errors "
	    "(%s)\n\n", tally_fmt_count(num, m->rep->nerrors));
	for (i = 0; i < p->nerrors && !tally_out_stop(&m->o); i++) {
		const struct tally_record *r = m->rep->errors[i];

		put(m, "- ");
		text(m, r->source != NULL ? r->source : "-", TALLY_NTS);
		if (r->u.error.line > 0)
			tally_out_printf(&m->o, "\\:%ld", r->u.error.line);
		if (r->u.error.line > 0 && r->u.error.column > 0)
			tally_out_printf(&m->o, "\\:%ld", r->u.error.column);
		put(m, ": ");
		if (r->u.error.message != NULL)
			one_line(m, r->u.error.message);
		else
			put(m, "unreadable input");
		put(m, "\n");
	}
	if (p->nerrors < m->rep->nerrors)
		tally_out_printf(&m->o, "%s" ELLIPSIS " %s %sinput error%s "
		    "not shown.\n", p->nerrors > 0 ? "\n" : "",
		    tally_fmt_count(num, m->rep->nerrors - p->nerrors),
		    p->nerrors > 0 ? "more " : "",
		    m->rep->nerrors - p->nerrors == 1 ? "" : "s");
	put(m, "\n");
}

/* --history: " — **new failure**", " — **flaky: 25.0% of 4 runs**". */
static void
mark(struct md *m, const struct tally_record *rec)
{
	char note[256];

	if (tally_marks_note(m->opts->marks, rec, note, sizeof(note)) ==
	    TALLY_MARK_NONE)
		return;
	put(m, " \xe2\x80\x94 **");
	text(m, note, TALLY_NTS);
	put(m, "**");
}

/* "File: path:line", a link to the line when the CI says where. */
static void
where(struct md *m, const struct tally_record *rec)
{
	struct tally_buf file, url;
	long line;
	int link;

	tally_buf_init(&file);
	tally_buf_init(&url);
	if (tally_test_where(&file, &line, rec, m->opts) != TALLY_OK ||
	    (link = tally_source_url(&url, file.data, line)) < 0)
		nomem(m);
	else if (file.len > 0) {
		put(m, "File: ");
		if (link)
			put(m, "[");
		text(m, file.data, file.len);
		if (line > 0)
			tally_out_printf(&m->o, "\\:%ld", line);
		if (link) {
			put(m, "](");
			tally_out_esc(&m->o, tally_esc_url, url.data, url.len);
			put(m, ")");
		}
		put(m, "\n\n");
	}
	tally_buf_free(&file);
	tally_buf_free(&url);
}

static void
failure_detail(struct md *m, const struct tally_record *rec)
{
	const struct tally_test *t = &rec->u.test;
	char dur[TALLY_FMTBUF];
	size_t more;

	put(m, "<details><summary>\xe2\x9d\x8c ");
	title(m, rec, 1);
	if (t->duration >= 0)
		tally_out_printf(&m->o, " (%s)",
		    tally_fmt_duration(dur, t->duration));
	mark(m, rec);
	put(m, "</summary>\n\n");
	where(m, rec);
	if (t->type != NULL && (t->message == NULL ||
	    strncmp(t->message, t->type, strlen(t->type)) != 0)) {
		put(m, "**");
		text(m, t->type, TALLY_NTS);
		put(m, "**\n\n");
	}
	if (t->message != NULL) {
		tally_first_lines(t->message, 1, MSG_BYTES, &more);
		if (more == 0 && strchr(t->message, '\n') == NULL) {
			text(m, t->message, TALLY_NTS);
			put(m, "\n\n");
		} else {
			code(m, t->message, MSG_LINES, MSG_BYTES);
			put(m, "\n");
		}
	}
	if (t->trace != NULL) {
		code(m, t->trace, TRACE_LINES, TRACE_BYTES);
		put(m, "\n");
	}
	put(m, "</details>\n\n");
}

static void
failures(struct md *m, const struct plan *p)
{
	size_t i, nmsg, ntrace;
	char num[TALLY_FMTBUF];
	int list = 0;

	nmsg = p->nmsg < p->nfail ? p->nmsg : p->nfail;
	ntrace = p->ntrace < nmsg ? p->ntrace : nmsg;

	if (m->nfailed == 0)
		return;
	tally_out_printf(&m->o, "### \xe2\x9d\x8c Failures (%s)\n\n",
	    tally_fmt_count(num, m->nfailed));
	for (i = 0; i < p->nfail && !tally_out_stop(&m->o); i++) {
		const struct tally_record *rec = m->failed[i];

		if (i < ntrace) {
			failure_detail(m, rec);
			continue;
		}
		list = 1;
		put(m, "- \xe2\x9d\x8c ");
		title(m, rec, 0);
		mark(m, rec);
		if (i < nmsg && rec->u.test.message != NULL) {
			put(m, ": ");
			one_line(m, rec->u.test.message);
		}
		put(m, "\n");
	}
	if (list)
		put(m, "\n");
	if (p->nfail < m->nfailed)
		tally_out_printf(&m->o, ELLIPSIS " %s %sfailures not "
		    "shown.\n\n", tally_fmt_count(num, m->nfailed - p->nfail),
		    p->nfail > 0 ? "more " : "");
	if (ntrace < nmsg)
		tally_out_printf(&m->o, "_Traces left out for %s failures "
		    "to fit the size limit._\n\n",
		    tally_fmt_count(num, nmsg - ntrace));
	if (nmsg < p->nfail)
		tally_out_printf(&m->o, "_Messages and traces left out for %s "
		    "failures to fit the size limit._\n\n",
		    tally_fmt_count(num, p->nfail - nmsg));
}

/*
 * Failures grouped by error signature or triage category (its name and
 * count in bold), largest first, each a <details>
 * with its example, where it is, its message and its other tests.
 */
static void
causes(struct md *m, const struct plan *p)
{
	const struct tally_triage *tr = &m->triage;
	char num[TALLY_FMTBUF], num2[TALLY_FMTBUF];
	size_t i, j, rest = 0;

	if (tr->failures < 2 || p->causes == 0)
		return;
	tally_out_printf(&m->o, "### \xf0\x9f\x94\x8e Failures by cause\n\n"
	    "%s failures in %s%s group%s.\n\n", tally_fmt_count(num,
	    tr->failures), tr->ungrouped > 0 ? "over " : "",
	    tally_fmt_count(num2, tr->n), tr->n == 1 ? "" : "s");
	for (i = 0; i < tr->n && !tally_out_stop(&m->o); i++) {
		const struct tally_tgroup *g = &tr->v[i];

		if (i >= p->causes) {
			rest += g->count;
			continue;
		}
		if (g->name != NULL) {
			put(m, "<details><summary><b>");
			html(m, g->name, TALLY_NTS);
			tally_out_printf(&m->o, "</b>: %s failure%s",
			    tally_fmt_count(num, g->count),
			    g->count == 1 ? "" : "s");
		} else {
			tally_out_printf(&m->o, "<details><summary>%s "
			    "\xc3\x97 ", tally_fmt_count(num, g->count));
			html(m, g->signature, TALLY_NTS);
		}
		put(m, "</summary>\n\nExample: ");
		text(m, g->example, TALLY_NTS);
		if (g->where != NULL) {
			put(m, " (");
			text(m, g->where, TALLY_NTS);
			put(m, ")");
		}
		put(m, "\n\n");
		if (g->message != NULL) {
			code(m, g->message, TALLY_TRIAGE_LINES,
			    TALLY_TRIAGE_BYTES);
			put(m, "\n");
		}
		for (j = 0; j < g->ntests; j++) {
			put(m, "- ");
			text(m, g->tests[j], TALLY_NTS);
			put(m, "\n");
		}
		if (g->count > g->ntests + 1)
			tally_out_printf(&m->o, "- " ELLIPSIS " %s more\n",
			    tally_fmt_count(num, g->count - g->ntests - 1));
		if (g->ntests > 0 || g->count > 1)
			put(m, "\n");
		put(m, "</details>\n\n");
	}
	if (i > p->causes && rest > 0)
		tally_out_printf(&m->o, ELLIPSIS " %s more groups (%s "
		    "failures).\n\n", tally_fmt_count(num, tr->n - p->causes),
		    tally_fmt_count(num2, rest));
}

static void
flaky(struct md *m, const struct plan *p)
{
	size_t i;
	char num[TALLY_FMTBUF];

	if (m->nflaky == 0)
		return;
	tally_out_printf(&m->o, "### \xf0\x9f\x8d\x82 Flaky tests (%s)\n\n",
	    tally_fmt_count(num, m->nflaky));
	for (i = 0; i < p->nflaky && !tally_out_stop(&m->o); i++) {
		const struct tally_test *t = &m->flaky[i]->u.test;

		put(m, "- ");
		title(m, m->flaky[i], 0);
		if (t->retries > 0)
			tally_out_printf(&m->o, " (passed after %ld %s)",
			    t->retries, t->retries == 1 ? "retry" : "retries");
		if (tally_flaky_message(m->flaky[i]) != NULL) {
			put(m, "; failed first with: ");
			one_line(m, tally_flaky_message(m->flaky[i]));
		}
		put(m, "\n");
	}
	if (p->nflaky < m->nflaky)
		tally_out_printf(&m->o, "%s" ELLIPSIS " %s %sflaky tests "
		    "not shown.\n", p->nflaky > 0 ? "\n" : "",
		    tally_fmt_count(num, m->nflaky - p->nflaky),
		    p->nflaky > 0 ? "more " : "");
	put(m, "\n");
}

static void
slowest(struct md *m, const struct plan *p)
{
	size_t i;
	char dur[TALLY_FMTBUF];

	if (p->nslow == 0)
		return;
	put(m, "### \xf0\x9f\x90\xa2 Slowest tests\n\n"
	    "| Duration | Test |\n|---:|---|\n");
	for (i = 0; i < p->nslow && !tally_out_stop(&m->o); i++) {
		tally_out_printf(&m->o, "| %s | ",
		    tally_fmt_duration(dur, m->slow[i]->u.test.duration));
		title(m, m->slow[i], 0);
		put(m, " |\n");
	}
	put(m, "\n");
}

static void
suites(struct md *m)
{
	size_t i, j, rows;
	char num[TALLY_FMTBUF];

	if (m->suites.n < 2)
		return;
	put(m, "### Suites\n\n| Suite | Passed | Failed | Skipped | Flaky | "
	    "Duration | Pass rate |\n|---|---:|---:|---:|---:|---:|---:|\n");
	rows = m->suites.n < SUITE_ROWS ? m->suites.n : SUITE_ROWS;
	for (i = 0; i < rows && !tally_out_stop(&m->o); i++) {
		const struct tally_group *g = &m->suites.v[i];

		put(m, "| ");
		for (j = 0; j < g->nkey; j++) {
			if (j > 0)
				put(m, TALLY_TITLE_SEP);
			text(m, g->key[j], TALLY_NTS);
		}
		if (g->nkey == 0)
			put(m, "\xe2\x80\x94");
		put(m, " |");
		count_cells(m, g);
	}
	if (rows < m->suites.n)
		tally_out_printf(&m->o, "\n" ELLIPSIS " %s more suites not "
		    "shown.\n", tally_fmt_count(num, m->suites.n - rows));
	put(m, "\n");
}

/* Tests by category (CTRF's type), when they fall in more than one. */
static void
categories(struct md *m)
{
	size_t i, rows;
	char num[TALLY_FMTBUF];

	if (m->cats.n < 2)
		return;
	put(m, "### Categories\n\n| Category | Passed | Failed | Skipped | "
	    "Flaky | Duration | Pass rate |\n"
	    "|---|---:|---:|---:|---:|---:|---:|\n");
	rows = m->cats.n < CATEGORY_ROWS ? m->cats.n : CATEGORY_ROWS;
	for (i = 0; i < rows && !tally_out_stop(&m->o); i++) {
		const struct tally_group *g = &m->cats.v[i];

		put(m, "| ");
		if (g->nkey > 0 && g->key[0] != NULL && g->key[0][0] != '\0')
			text(m, g->key[0], TALLY_NTS);
		else
			put(m, "_(none)_");
		put(m, " |");
		count_cells(m, g);
	}
	if (rows < m->cats.n)
		tally_out_printf(&m->o, "\n" ELLIPSIS " %s more categories not "
		    "shown.\n", tally_fmt_count(num, m->cats.n - rows));
	put(m, "\n");
}

static void
left_out(struct md *m, const struct plan *p)
{
	const char *what[5], *sep = "";
	size_t n = 0, i;

	if (p->nslow < m->nslow)
		what[n++] = "slowest tests";
	if (!p->suites && m->suites.n > 1)
		what[n++] = "suite breakdown";
	if (!p->meta && m->rep->nmeta > 0)
		what[n++] = "metadata table";
	if (!p->cats && m->cats.n > 1)
		what[n++] = "category breakdown";
	if (!p->matrix && (m->matrix.n > 1 || (m->matrix.n > 0 &&
	    m->opts->group_by != NULL)))
		what[n++] = "label table";
	if (n == 0)
		return;
	put(m, "_Left out to fit the size limit: ");
	for (i = 0; i < n; i++, sep = ", ") {
		put(m, sep);
		put(m, what[i]);
	}
	put(m, "._\n\n");
}

static const char *
meta_get(const struct tally_report *rep, const char *const *names)
{
	size_t i, j;

	for (j = 0; names[j] != NULL; j++)
		for (i = 0; i < rep->nmeta; i++)
			if (rep->meta[i].key != NULL &&
			    rep->meta[i].value != NULL &&
			    *rep->meta[i].value != '\0' &&
			    strcasecmp(rep->meta[i].key, names[j]) == 0)
				return rep->meta[i].value;
	return NULL;
}

static int
is_http(const char *s)
{
	return strncasecmp(s, "http://", 7) == 0 ||
	    strncasecmp(s, "https://", 8) == 0;
}

static void
meta_value(struct md *m, const char *v)
{
	first_line(m, v, META_BYTES);
}

static void
metadata(struct md *m, const struct plan *p)
{
	static const char *const commit[] = { "commit", "sha", "git.commit",
	    "GITHUB_SHA", "CI_COMMIT_SHA", "GIT_COMMIT", NULL };
	static const char *const branch[] = { "branch", "git.branch",
	    "GITHUB_HEAD_REF", "GITHUB_REF_NAME", "CI_COMMIT_REF_NAME",
	    "GIT_BRANCH", "ref", NULL };
	static const char *const run[] = { "run_url", "runUrl", "url",
	    "build_url", "buildUrl", "CI_JOB_URL", "CI_PIPELINE_URL",
	    "BUILD_URL", NULL };
	const char *c, *b, *r;
	const char *sep = "";
	size_t i, rows;

	c = meta_get(m->rep, commit);
	b = meta_get(m->rep, branch);
	r = meta_get(m->rep, run);
	if (r != NULL && !is_http(r))
		r = NULL;
	if (c != NULL) {
		int link = tally_commit_url(&m->b, c);

		put(m, "Commit: ");
		if (link < 0)
			nomem(m);
		if (link > 0) {
			/* A link text of 12 digits, as forges show it. */
			put(m, "[");
			tally_out_put(&m->o, c, strlen(c) < 12 ? strlen(c) : 12);
			put(m, "](");
			tally_out_esc(&m->o, tally_esc_url, m->b.data, m->b.len);
			put(m, ")");
		} else
			meta_value(m, c);
		sep = " \xc2\xb7 ";
	}
	if (b != NULL) {
		put(m, sep);
		put(m, "Branch: ");
		meta_value(m, tally_branch_name(b));
		sep = " \xc2\xb7 ";
	}
	if (r != NULL && strlen(r) <= 2048) {
		put(m, sep);
		put(m, "[Run](");
		tally_out_esc(&m->o, tally_esc_url, r, TALLY_NTS);
		put(m, ")");
		sep = " ";
	}
	if (*sep != '\0')
		put(m, "\n\n");
	if (!p->meta || m->rep->nmeta == 0)
		return;
	put(m, "<details><summary>Run metadata</summary>\n\n"
	    "| Key | Value |\n|---|---|\n");
	rows = m->rep->nmeta < META_ROWS ? m->rep->nmeta : META_ROWS;
	for (i = 0; i < rows; i++) {
		put(m, "| ");
		if (m->rep->meta[i].key != NULL)
			meta_value(m, m->rep->meta[i].key);
		put(m, " | ");
		if (m->rep->meta[i].value != NULL)
			meta_value(m, m->rep->meta[i].value);
		put(m, " |\n");
	}
	if (rows < m->rep->nmeta)
		tally_out_printf(&m->o, "\n" ELLIPSIS " %zu more entries not "
		    "shown.\n", m->rep->nmeta - rows);
	put(m, "\n</details>\n\n");
}

static void
render(struct md *m, const struct plan *p)
{
	if (p->core < 1)
		return;
	headline(m);
	if (p->core < 2)
		return;
	gates(m);
	if (p->core >= 4)
		summary_table(m);
	else
		summary_line(m);
	if (p->core < 3)
		return;
	tally_diff_md(&m->o, &m->diff, p->ndiff);
	if (p->history)
		tally_history_md(&m->o, m->rep->history);
	if (p->matrix)
		matrix(m);
	if (p->cats)
		categories(m);
	tally_perf_md(&m->o, m->rep, p->nperf);
	input_errors(m, p);
	causes(m, p);
	failures(m, p);
	flaky(m, p);
	slowest(m, p);
	if (p->suites)
		suites(m);
	left_out(m, p);
	metadata(m, p);
}

/*
 * Markdown on standard output may be a CI log: there no line may issue a
 * workflow command (tally_esc_wfc_guard()).  A file (the step summary, a
 * comment) keeps its bytes.
 */
static int
to_log(const struct tally_render_opts *opts)
{
	return opts->output_path == NULL || strcmp(opts->output_path, "-") == 0;
}

/* 1 when plan p fits budget, 0 when not, an error status below 0. */
static int
fits(struct md *m, const struct plan *p, size_t budget)
{
	int over, rc;

	tally_out_init(&m->o, NULL, budget);
	m->o.guard = to_log(m->opts);
	render(m, p);
	over = m->o.over;
	rc = m->o.status;
	tally_out_fini(&m->o);
	if (rc != TALLY_OK)
		return rc;
	return !over;
}

/*
 * Grow *field from lo (which fits) towards max, by bisection, to the
 * largest value that fits with everything else in p fixed.  Returns
 * fits()'s error, or TALLY_OK.
 */
static int
shrink(struct md *m, struct plan *p, size_t *field, size_t lo, size_t max,
    size_t budget)
{
	size_t hi = max + 1, mid;
	int rc;

	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		*field = mid;
		if ((rc = fits(m, p, budget)) < 0)
			return rc;
		if (rc)
			lo = mid;
		else
			hi = mid;
	}
	*field = lo;
	return TALLY_OK;
}

/*
 * Find a plan that fits: take detail away in a fixed order, least useful
 * first, each step down to a floor; at the first step whose floor fits,
 * give back as much as fits.  The long tail of failures goes before
 * traces so that the first failures keep theirs.
 */
static int
plan_budget(struct md *m, struct plan *p, size_t budget)
{
	const struct {
		size_t	*field;
		size_t	 floor;
	} steps[] = {
		{ &p->suites, 0 }, { &p->nslow, 0 }, { &p->meta, 0 },
		{ &p->cats, 0 }, { &p->ndiff, 100 }, { &p->nfail, 100 }, { &p->ntrace, 0 }, { &p->nfail, 10 },
		{ &p->causes, 3 }, { &p->nmsg, 0 }, { &p->matrix, 0 },
		{ &p->nflaky, 0 }, { &p->causes, 0 },
		{ &p->nfail, 0 }, { &p->ndiff, 0 }, { &p->history, 0 },
		{ &p->nperf, 10 }, { &p->nerrors, 0 }, { &p->nperf, 0 },
		{ &p->core, 0 },
	};
	size_t i, max;
	int rc;

	if ((rc = fits(m, p, budget)) != 0)
		return rc < 0 ? rc : TALLY_OK;
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if ((max = *steps[i].field) <= steps[i].floor)
			continue;
		*steps[i].field = steps[i].floor;
		if ((rc = fits(m, p, budget)) < 0)
			return rc;
		if (rc)
			return shrink(m, p, steps[i].field, steps[i].floor,
			    max, budget);
	}
	return TALLY_OK;
}

static int
cmp_value(const void *a, const void *b)
{
	return strcmp_null(*(const char *const *)a, *(const char *const *)b);
}

/* The distinct values of key k among the label groups, sorted. */
static const char **
values(const struct tally_groups *g, size_t k, size_t *n)
{
	const char **v;
	size_t i, j = 0;

	if ((v = calloc(g->n, sizeof(*v))) == NULL)
		return NULL;
	for (i = 0; i < g->n; i++)
		v[i] = g->v[i].key[k];
	qsort(v, g->n, sizeof(*v), cmp_value);
	for (i = 0; i < g->n; i++)
		if (j == 0 || strcmp_null(v[j - 1], v[i]) != 0)
			v[j++] = v[i];
	*n = j;
	return v;
}

/* Lay two label keys out as a grid when their values are few. */
static int
prepare_grid(struct md *m)
{
	const char **a, **b;
	size_t na, nb;

	if (m->nmkeys != 2 || m->matrix.n < 2)
		return TALLY_OK;
	a = values(&m->matrix, 0, &na);
	b = values(&m->matrix, 1, &nb);
	if (a == NULL || b == NULL) {
		free(a);
		free(b);
		return TALLY_ENOMEM;
	}
	m->rk = nb <= na ? 0 : 1;
	m->ck = 1 - m->rk;
	m->rowv = m->rk == 0 ? a : b;
	m->nrow = m->rk == 0 ? na : nb;
	m->colv = m->rk == 0 ? b : a;
	m->ncol = m->rk == 0 ? nb : na;
	if (m->ncol > GRID_COLUMNS || m->nrow > MATRIX_ROWS) {
		free(a);
		free(b);
		m->rowv = m->colv = NULL;
	}
	return TALLY_OK;
}

/*
 * A listed failure takes at least 7 bytes ("- ", an emoji, a space and
 * a newline), a flaky test 3, so no layout within the budget shows more
 * than budget / 7 and budget / 3 of them: only that many are kept in
 * memory, and the output is the same as with all of them.
 */
static int
prepare(struct md *m, size_t budget)
{
	size_t top;
	int rc;

	top = m->opts->top != 0 ? m->opts->top : DEFAULT_TOP;
	if ((rc = tally_pick_failed(m->rep, budget / 7 + 1, &m->pfailed)) !=
	    TALLY_OK ||
	    (rc = tally_pick_flaky(m->rep, budget / 3 + 1, &m->pflaky)) !=
	    TALLY_OK ||
	    (rc = tally_diffview_build(&m->diff, m->rep, budget / 4 + 1)) !=
	    TALLY_OK)
		return rc;
	m->failed = m->pfailed.v;
	m->nfailed = m->pfailed.total;
	m->flaky = m->pflaky.v;
	m->nflaky = m->pflaky.total;
	/* The slowest, the suites, the categories and the labels that
	 * vary: one pass. */
	if ((rc = tally_overview(m->rep, top, &m->pslow, &m->suites,
	    &m->cats, m->opts->group_by == NULL ? &m->varying : NULL,
	    &m->nmkeys)) != TALLY_OK)
		return rc;
	m->slow = m->pslow.v;
	m->nslow = m->pslow.n;
	tally_groups_sort_failing(&m->suites);
	tally_groups_sort_failing(&m->cats);
	if (m->opts->group_by != NULL) {
		m->mkeys = &m->opts->group_by;
		m->nmkeys = 1;
	} else {
		if (m->nmkeys > MATRIX_KEYS)
			m->nmkeys = MATRIX_KEYS;
		m->mkeys = m->varying;
	}
	if (m->nmkeys > 0 && (rc = tally_groups_build(&m->matrix, m->rep,
	    TALLY_GROUP_LABELS, m->mkeys, m->nmkeys)) != TALLY_OK)
		return rc;
	if ((rc = tally_triage_build(&m->triage, m->rep, m->opts, CAUSES_KEPT,
	    CAUSE_TESTS, m->err)) != TALLY_OK)
		return rc;
	return prepare_grid(m);
}

int
tally_render_markdown(const struct tally_report *rep,
    const struct tally_render_opts *opts, FILE *fp, struct tally_error *err)
{
	static const struct tally_render_opts defaults;
	struct md m;
	struct plan p;
	size_t budget;
	int rc;

	memset(&m, 0, sizeof(m));
	m.rep = rep;
	m.opts = opts != NULL ? opts : &defaults;
	m.err = err;
	tally_buf_init(&m.a);
	tally_buf_init(&m.b);
	budget = m.opts->max_bytes != 0 ? m.opts->max_bytes : DEFAULT_BUDGET;
	if ((rc = prepare(&m, budget)) != TALLY_OK)
		goto out;
	memset(&p, 0, sizeof(p));
	p.core = 4;
	p.matrix = p.meta = 1;
	p.nerrors = rep->nerrors;
	p.nfail = p.nmsg = p.ntrace = m.pfailed.n;
	p.nflaky = m.pflaky.n;
	p.nslow = m.nslow;
	p.suites = p.cats = p.history = 1;
	p.nperf = rep->nperf;
	p.causes = m.triage.n < CAUSES ? m.triage.n : CAUSES;
	for (size_t i = 0; i < TALLY_NDS; i++)
		if (m.diff.sec[i].n > p.ndiff)
			p.ndiff = m.diff.sec[i].n;
	if ((rc = plan_budget(&m, &p, budget)) != TALLY_OK)
		goto out;
	tally_out_init(&m.o, fp, 0);
	m.o.guard = to_log(m.opts);
	render(&m, &p);
	rc = tally_out_status(&m.o, err);
	tally_out_fini(&m.o);
out:
	if (rc == TALLY_ENOMEM)
		tally_error_set(err, rc, 0, 0, "%s", tally_strerror(rc));
	tally_picks_free(&m.pfailed);
	tally_picks_free(&m.pflaky);
	tally_picks_free(&m.pslow);
	tally_diffview_free(&m.diff);
	tally_triage_free(&m.triage);
	free(m.varying);
	free(m.rowv);
	free(m.colv);
	tally_groups_free(&m.suites);
	tally_groups_free(&m.cats);
	tally_groups_free(&m.matrix);
	tally_buf_free(&m.a);
	tally_buf_free(&m.b);
	return rc;
}
