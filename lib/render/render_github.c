/*
 * lib/render/render_github.c: GitHub Actions workflow commands.
 *
 *	::error file=PATH,line=N,title=TITLE::MESSAGE
 *
 * for input errors and failed tests, ::warning for flaky tests, then
 * one ::notice with the full counts.  GitHub shows 10 annotations of each
 * kind per step and 50 per job (actions/toolkit docs/problem-matchers.md),
 * so each kind is capped, 10 by default, and the ten errors are chosen to
 * be worth reading: input errors, then new failures (of a diff), then one
 * failure per error signature (tally_error_signature()), then the rest in
 * report order.  The notice always comes and says how many were shown and
 * where the others are: no cap hides the counts.
 *
 * Escaping is GitHub's (actions/toolkit command.ts): data escapes % CR
 * LF, properties also : and ,; on top of that ANSI sequences are removed
 * and other control characters shown as pictures (lib/escape.c).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <tally/history.h>

#include "escape.h"
#include "render.h"
#include "render_diff.h"
#include "render_history.h"
#include "render_util.h"

#define META_LINES	20	/* metadata lines in the notice */
#define DEFAULT_CAP	10		/* annotations of a kind per step */
#define CANDIDATES	1000		/* failures the ten are chosen from */
#define TITLE_BYTES	255		/* Checks API: annotation title */
#define MSG_BYTES	4096
#define TRACE_LINES	20

struct gh {
	struct tally_out o;
	const struct tally_report *rep;
	const struct tally_render_opts *opts;
	struct tally_buf a;		/* scratch: input without ANSI */
	struct tally_buf msg;		/* the message being built */
	struct tally_buf where;		/* a test's file */
	size_t	 cap;			/* annotations of each kind */
	size_t	 left;			/* of the kind being written */
	size_t	 written[3];		/* errors, failures, flaky */
};

static void
nomem(struct gh *g)
{
	if (g->o.status == TALLY_OK)
		g->o.status = TALLY_ENOMEM;
}

/* Write s (n bytes) without ANSI sequences, escaped with esc. */
static void
put_esc(struct gh *g, tally_esc_fn esc, const char *s, size_t n)
{
	if (s == NULL)
		return;
	tally_buf_reset(&g->a);
	if (tally_strip_ansi(&g->a, s, n) != TALLY_OK) {
		nomem(g);
		return;
	}
	tally_out_esc(&g->o, esc, g->a.data != NULL ? g->a.data : "",
	    g->a.len);
}

/* Length of s cut to at most max bytes at a UTF-8 boundary. */
static size_t
cut(const char *s, size_t max)
{
	size_t len = strlen(s);

	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

static void
start(struct gh *g, const char *cmd, const char *file, long line,
    long col)
{
	tally_out_printf(&g->o, "::%s", cmd);
	if (file != NULL && *file != '\0') {
		while (file[0] == '.' && file[1] == '/')
			file += 2;
		tally_out_puts(&g->o, " file=");
		put_esc(g, tally_esc_gh_prop, file, TALLY_NTS);
		if (line > 0) {
			tally_out_printf(&g->o, ",line=%ld", line);
			if (col > 0)
				tally_out_printf(&g->o, ",col=%ld", col);
		}
		tally_out_puts(&g->o, ",");
	} else
		tally_out_puts(&g->o, " ");
	tally_out_puts(&g->o, "title=");
}

static void
put_title(struct gh *g, const char *prefix, const struct tally_record *rec)
{
	struct tally_buf t;

	tally_buf_init(&t);
	if (tally_buf_adds(&t, prefix) != TALLY_OK ||
	    tally_test_title(&t, rec) != TALLY_OK)
		nomem(g);
	else
		put_esc(g, tally_esc_gh_prop, t.data, cut(t.data,
		    TITLE_BYTES));
	tally_buf_free(&t);
}

/* Build into g->msg: message, a blank line, the first lines of trace. */
static void
message(struct gh *g, const char *first, const char *msg, const char *trace)
{
	size_t more, len;
	int rc = TALLY_OK;

	tally_buf_reset(&g->msg);
	if (first != NULL)
		rc |= tally_buf_adds(&g->msg, first);
	if (msg != NULL)
		rc |= tally_buf_adds(&g->msg, msg);
	if (trace != NULL) {
		len = tally_first_lines(trace, TRACE_LINES, MSG_BYTES, &more);
		if (g->msg.len > 0)
			rc |= tally_buf_adds(&g->msg, "\n\n");
		rc |= tally_buf_add(&g->msg, trace, len);
		if (more > 0)
			rc |= tally_buf_printf(&g->msg, "%s\xe2\x80\xa6 %zu more "
			    "lines", len > 0 && trace[len - 1] != '\n' ? "\n" :
			    "", more);
	}
	if (rc != TALLY_OK) {
		nomem(g);
		return;
	}
	while (g->msg.len > 0 && (g->msg.data[g->msg.len - 1] == '\n' ||
	    g->msg.data[g->msg.len - 1] == '\r'))
		g->msg.data[--g->msg.len] = '\0';
	if (g->msg.len == 0 && tally_buf_adds(&g->msg, "failed") != TALLY_OK)
		nomem(g);
}

static void
finish(struct gh *g)
{
	tally_out_puts(&g->o, "::");
	if (g->msg.data != NULL)
		put_esc(g, tally_esc_gh_data, g->msg.data,
		    cut(g->msg.data, MSG_BYTES));
	tally_out_puts(&g->o, "\n");
	g->left--;
}

static void
input_errors(struct gh *g)
{
	size_t i;

	for (i = 0; i < g->rep->nerrors && g->left > 0; i++) {
		const struct tally_record *r = g->rep->errors[i];

		start(g, "error", r->source, r->u.error.line,
		    r->u.error.column);
		tally_out_puts(&g->o, "Unreadable test results");
		message(g, NULL, r->u.error.message != NULL ?
		    r->u.error.message : "unreadable input", NULL);
		finish(g);
		g->written[0]++;
	}
}

static int
is_new(const struct tally_record *rec)
{
	return rec->u.test.change != NULL &&
	    strcmp(rec->u.test.change, "new-failure") == 0;
}

/*
 * The failures worth the few annotations, in the order written: new
 * failures, then the first failure of each error signature not yet
 * shown, then the others in report order.  *out holds indexes into v.
 */
static int
choose(const struct tally_record **v, size_t n, size_t room, size_t **out,
    size_t *nout)
{
	struct tally_buf *sig = NULL, cur;
	unsigned char *taken = NULL;
	size_t *sel = NULL, ns = 0, i, k, pass;
	int rc = TALLY_OK;

	*out = NULL;
	*nout = 0;
	if (room > n)
		room = n;
	if (room == 0)
		return TALLY_OK;
	sel = calloc(room, sizeof(*sel));
	sig = calloc(room, sizeof(*sig));
	taken = calloc(n, 1);
	tally_buf_init(&cur);
	if (sel == NULL || sig == NULL || taken == NULL)
		rc = TALLY_ENOMEM;
	for (pass = 0; pass < 3 && rc == TALLY_OK; pass++)
		for (i = 0; i < n && ns < room && rc == TALLY_OK; i++) {
			const struct tally_test *t = &v[i]->u.test;

			if (taken[i] || (pass == 0 && !is_new(v[i])))
				continue;
			tally_buf_reset(&cur);
			if (tally_error_signature(&cur, t->type, t->message,
			    t->trace) != TALLY_OK) {
				rc = TALLY_ENOMEM;
				break;
			}
			if (pass == 1) {
				for (k = 0; k < ns && strcmp(sig[k].data,
				    cur.data) != 0; k++)
					;
				if (k < ns)
					continue;
			}
			tally_buf_init(&sig[ns]);
			if (tally_buf_adds(&sig[ns], cur.data) != TALLY_OK) {
				rc = TALLY_ENOMEM;
				break;
			}
			taken[i] = 1;
			sel[ns++] = i;
		}
	for (k = 0; sig != NULL && k < ns; k++)
		tally_buf_free(&sig[k]);
	tally_buf_free(&cur);
	free(sig);
	free(taken);
	if (rc != TALLY_OK) {
		free(sel);
		return rc;
	}
	*out = sel;
	*nout = ns;
	return TALLY_OK;
}

static void
failures(struct gh *g, const struct tally_record **all, size_t nall)
{
	size_t i, n, *sel;

	if (choose(all, nall, g->left, &sel, &n) != TALLY_OK) {
		nomem(g);
		return;
	}
	for (i = 0; i < n && g->left > 0 && !tally_out_stop(&g->o); i++) {
		const struct tally_record *const *v = &all[sel[i]];
		const struct tally_test *t = &v[0]->u.test;
		long line;
		struct tally_buf first;
		char note[256];

		tally_buf_init(&first);
		if (t->type != NULL && (t->message == NULL ||
		    strncmp(t->message, t->type, strlen(t->type)) != 0) &&
		    tally_buf_printf(&first, "%s%s", t->type,
		    t->message != NULL ? ": " : "") != TALLY_OK)
			nomem(g);
		if (tally_test_where(&g->where, &line, v[0], g->opts) !=
		    TALLY_OK)
			nomem(g);
		start(g, "error", g->where.data, line, 0);
		if (tally_marks_note(g->opts->marks, v[0], note,
		    sizeof(note) - 2) != TALLY_MARK_NONE) {
			/* --history: "New failure: ", "Flaky: 25.0% of 4
			 * runs: ", "Failing since run 3 (c3), 3 runs: ". */
			note[0] = (char)toupper((unsigned char)note[0]);
			strcat(note, ": ");
		} else
			snprintf(note, sizeof(note), "%s", is_new(v[0]) ?
			    "New failure: " : "");
		put_title(g, note, v[0]);
		message(g, first.data, t->message, t->trace);
		finish(g);
		tally_buf_free(&first);
		g->written[1]++;
	}
	free(sel);
}

static void
flaky(struct gh *g, const struct tally_record **v, size_t n)
{
	size_t i;

	g->left = g->cap;
	for (i = 0; i < n && g->left > 0 && !tally_out_stop(&g->o); i++) {
		const struct tally_test *t = &v[i]->u.test;
		const char *why = tally_flaky_message(v[i]);
		struct tally_buf first;
		long line;

		tally_buf_init(&first);
		if (tally_buf_printf(&first, "Flaky: passed after %ld %s%s",
		    t->retries, t->retries == 1 ? "retry" : "retries",
		    why != NULL ? "; it failed with: " : "") != TALLY_OK)
			nomem(g);
		if (tally_test_where(&g->where, &line, v[i], g->opts) !=
		    TALLY_OK)
			nomem(g);
		start(g, "warning", g->where.data, line, 0);
		put_title(g, "Flaky: ", v[i]);
		message(g, first.data, why, NULL);
		finish(g);
		tally_buf_free(&first);
		g->written[2]++;
	}
}

static void
notice(struct gh *g, size_t nfailed, size_t nflaky)
{
	const struct tally_totals *t = &g->rep->totals;
	const struct tally_report *rep = g->rep;
	size_t i, want, done;
	int rc = TALLY_OK;
	struct tally_buf *b = &g->msg;
	const char *sep = ": ";

	tally_buf_reset(b);
	if (tally_history_only(rep)) {
		rc |= tally_history_summary(b, rep->history);
		rc |= tally_buf_adds(b, ".");
	} else {
		char rate[TALLY_FMTBUF], dur[TALLY_FMTBUF];

		rc |= tally_buf_printf(b, "%zu test%s: %zu passed, %zu failed, "
		    "%zu skipped", t->tests, t->tests == 1 ? "" : "s",
		    t->status[TALLY_PASSED],
		    t->status[TALLY_FAILED], t->status[TALLY_SKIPPED] +
		    t->status[TALLY_PENDING]);
		if (t->status[TALLY_OTHER] > 0)
			rc |= tally_buf_printf(b, ", %zu other",
			    t->status[TALLY_OTHER]);
		rc |= tally_buf_printf(b, ", %zu flaky, %zu input error%s",
		    t->flaky, t->errors, t->errors == 1 ? "" : "s");
		rc |= tally_buf_printf(b, "; pass rate %s; time %s.",
		    tally_fmt_rate(rate, t->pass_rate),
		    tally_fmt_duration(dur, t->duration));
	}
	want = rep->nerrors + nfailed + nflaky;
	done = g->written[0] + g->written[1] + g->written[2];
	if (done < want) {
		const char *url = tally_kv_get(rep->meta, rep->nmeta,
		    "run_url");

		rc |= tally_buf_printf(b, " Annotated %zu of %zu (%zu input "
		    "error%s, %zu failure%s, %zu flaky; new failures first, "
		    "then one per error signature); %zu not annotated (GitHub "
		    "shows %zu of each kind): every one is in the job summary "
		    "and the full report", done, want, g->written[0],
		    g->written[0] == 1 ? "" : "s", g->written[1],
		    g->written[1] == 1 ? "" : "s", g->written[2], want - done,
		    g->cap);
		if (url != NULL)
			rc |= tally_buf_printf(b, " of %s", url);
		rc |= tally_buf_adds(b, ".");
	}
	if (rep->verdict_failed) {
		rc |= tally_buf_adds(b, " Failed gates");
		for (i = 0; i < rep->ngates; i++) {
			if (!rep->gates[i].failed)
				continue;
			rc |= tally_buf_printf(b, "%s%s%s%s", sep,
			    rep->gates[i].name != NULL ? rep->gates[i].name :
			    "gate", rep->gates[i].detail[0] != '\0' ? " (" :
			    "", rep->gates[i].detail);
			if (rep->gates[i].detail[0] != '\0')
				rc |= tally_buf_adds(b, ")");
			sep = "; ";
		}
		rc |= tally_buf_adds(b, ".");
	} else if (rep->ngates > 0)
		rc |= tally_buf_adds(b, " All gates passed.");
	/* The run metadata, on the annotation's following lines. */
	for (i = 0; i < rep->nmeta && i < META_LINES; i++)
		rc |= tally_buf_printf(b, "\n%s: %s", rep->meta[i].key != NULL ?
		    rep->meta[i].key : "", rep->meta[i].value != NULL ?
		    rep->meta[i].value : "");
	if (rc != TALLY_OK) {
		nomem(g);
		return;
	}
	tally_out_puts(&g->o, "::notice title=");
	put_esc(g, tally_esc_gh_prop, g->opts->title != NULL ?
	    g->opts->title : "Test results", cut(g->opts->title != NULL ?
	    g->opts->title : "Test results", TITLE_BYTES));
	tally_out_puts(&g->o, "::");
	put_esc(g, tally_esc_gh_data, b->data, b->len);
	tally_out_puts(&g->o, "\n");
}

int
tally_render_github(const struct tally_report *rep,
    const struct tally_render_opts *opts, FILE *fp, struct tally_error *err)
{
	static const struct tally_render_opts defaults;
	struct tally_picks failed, fl;
	struct tally_diffview dv;
	struct gh g;
	int rc;

	memset(&g, 0, sizeof(g));
	g.rep = rep;
	g.opts = opts != NULL ? opts : &defaults;
	tally_out_init(&g.o, fp, 0);
	tally_buf_init(&g.a);
	tally_buf_init(&g.msg);
	tally_buf_init(&g.where);
	g.cap = g.left = g.opts->max_annotations != 0 ?
	    g.opts->max_annotations : DEFAULT_CAP;
	memset(&fl, 0, sizeof(fl));
	memset(&failed, 0, sizeof(failed));
	/* A diff: its new failures first, then those still failing.  The
	 * errors are chosen among the first CANDIDATES failures. */
	if ((rc = tally_diffview_build(&dv, rep, CANDIDATES)) == TALLY_OK &&
	    rep->diff != NULL)
		rc = tally_diff_failures(&dv, &failed.v, &failed.n,
		    &failed.total);
	else if (rc == TALLY_OK)
		rc = tally_pick_failed(rep, CANDIDATES, &failed);
	if (rc != TALLY_OK ||
	    (rc = tally_pick_flaky(rep, g.cap, &fl)) != TALLY_OK) {
		if (rc == TALLY_ENOMEM)
			nomem(&g);
		else
			g.o.status = rc;
	} else {
		input_errors(&g);
		failures(&g, failed.v, failed.n);
		flaky(&g, fl.v, fl.n);
		notice(&g, failed.total, fl.total);
	}
	rc = tally_out_status(&g.o, err);
	tally_picks_free(&failed);
	tally_picks_free(&fl);
	tally_diffview_free(&dv);
	tally_buf_free(&g.a);
	tally_buf_free(&g.msg);
	tally_buf_free(&g.where);
	tally_out_fini(&g.o);
	return rc;
}
