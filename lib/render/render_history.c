/*
 * lib/render/render_history.c: the part of a report that a history stream
 * (tally-history(1)) makes, shared by the text and Markdown renderers.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <tally/history.h>

#include "escape.h"
#include "render_history.h"

/* The "s" of a plural: "1 run", "2 runs". */
static const char *
plural_s(double n)
{
	return n == 1 ? "" : "s";
}

static double
num(const struct tally_record *r, const char *key)
{
	const struct tally_field *f = tally_field_get(&r->u.fields, key);

	return f != NULL && f->str == NULL && f->strv == NULL ? f->num : 0;
}

static const char *
str(const struct tally_record *r, const char *key)
{
	const struct tally_field *f = tally_field_get(&r->u.fields, key);

	return f != NULL ? f->str : NULL;
}

/* Most flaky: flaky rate, then flips; ties keep stream order. */
static int
flakier(const struct tally_record *a, const struct tally_record *b)
{
	if (num(a, "flakyRate") != num(b, "flakyRate"))
		return num(a, "flakyRate") > num(b, "flakyRate");
	return num(a, "flips") > num(b, "flips");
}

static int
longer(const struct tally_record *a, const struct tally_record *b)
{
	return num(a, "failingRuns") > num(b, "failingRuns");
}

/* Insert rec into a sorted top list of TALLY_HIST_TOP. */
static int
top_add(struct tally_record **v, size_t *n, const struct tally_record *rec,
    int (*before)(const struct tally_record *, const struct tally_record *))
{
	struct tally_record *dup;
	size_t i = *n;

	while (i > 0 && before(rec, v[i - 1]))
		i--;
	if (i >= TALLY_HIST_TOP)
		return TALLY_OK;
	if (tally_record_dup(rec, &dup) != TALLY_OK)
		return TALLY_ENOMEM;
	if (*n == TALLY_HIST_TOP)
		tally_record_free(v[--*n]);
	memmove(&v[i + 1], &v[i], (*n - i) * sizeof(*v));
	v[i] = dup;
	(*n)++;
	return TALLY_OK;
}

int
tally_histview_add(struct tally_histview **vp, const struct tally_record *rec)
{
	struct tally_histview *v = *vp;
	struct tally_record **p, *dup;

	if (v == NULL && (v = *vp = calloc(1, sizeof(*v))) == NULL)
		return TALLY_ENOMEM;
	if (rec->type == TALLY_REC_RUN) {
		if ((p = realloc(v->runs, (v->nruns + 1) * sizeof(*p))) ==
		    NULL)
			return TALLY_ENOMEM;
		v->runs = p;
		if (tally_record_dup(rec, &dup) != TALLY_OK)
			return TALLY_ENOMEM;
		/* Merged streams order runs by line: put them by number. */
		size_t i = v->nruns;
		while (i > 0 && num(v->runs[i - 1], "run") > num(dup, "run"))
			i--;
		memmove(&v->runs[i + 1], &v->runs[i],
		    (v->nruns - i) * sizeof(*p));
		v->runs[i] = dup;
		v->nruns++;
		return TALLY_OK;
	}
	v->tests++;
	if (num(rec, "flakyRate") > 0) {
		v->allflaky++;
		if (top_add(v->flaky, &v->nflaky, rec, flakier) != TALLY_OK)
			return TALLY_ENOMEM;
	}
	if (num(rec, "failingRuns") > 0) {
		v->allfailing++;
		if (top_add(v->failing, &v->nfailing, rec, longer) !=
		    TALLY_OK)
			return TALLY_ENOMEM;
	}
	return TALLY_OK;
}

void
tally_histview_free(struct tally_histview *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->nruns; i++)
		tally_record_free(v->runs[i]);
	free(v->runs);
	for (i = 0; i < v->nflaky; i++)
		tally_record_free(v->flaky[i]);
	for (i = 0; i < v->nfailing; i++)
		tally_record_free(v->failing[i]);
	free(v);
}

double
tally_hist_num(const struct tally_record *r, const char *key)
{
	return num(r, key);
}

const char *
tally_hist_str(const struct tally_record *r, const char *key)
{
	return str(r, key);
}

static double
round4(double x)
{
	return round(x * 10000) / 10000;
}

int
tally_history_insights(const struct tally_histview *v, size_t n,
    struct tally_hist_insights *out)
{
	double passed = 0, failed = 0, flaky = 0, tests = 0, dur = 0, *d;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (n == 0 || n > v->nruns)
		return TALLY_EINVAL;
	if ((d = calloc(n, sizeof(*d))) == NULL)
		return TALLY_ENOMEM;
	for (i = 0; i < n; i++) {
		const struct tally_record *r = v->runs[i];

		passed += num(r, "passed");
		failed += num(r, "failed");
		flaky += num(r, "flaky");
		tests += num(r, "tests");
		d[i] = num(r, "duration");
		dur += d[i];
	}
	out->runs = n;
	out->pass_rate = passed + failed > 0 ?
	    round4(passed / (passed + failed)) : 1;
	out->fail_rate = passed + failed > 0 ?
	    round4(failed / (passed + failed)) : 0;
	out->flaky_rate = passed + failed > 0 ?
	    round4(flaky / (passed + failed)) : 0;
	out->avg_run = round4(dur / (double)n);
	out->p95_run = round4(tally_percentile(d, n, 95));
	out->avg_test = tests > 0 ? round4(dur / tests) : 0;
	free(d);
	return TALLY_OK;
}

int
tally_history_only(const struct tally_report *rep)
{
	return rep->history != NULL && rep->totals.tests == 0;
}

int
tally_history_summary(struct tally_buf *b, const struct tally_histview *v)
{
	char a[TALLY_FMTBUF], c[TALLY_FMTBUF];
	const struct tally_record *r;
	int rc;

	rc = tally_buf_printf(b, "%s test%s over %zu run%s: %zu failing, "
	    "%zu flaky", tally_fmt_count(a, v->tests), v->tests == 1 ? "" :
	    "s", v->nruns, v->nruns == 1 ? "" : "s", v->allfailing,
	    v->allflaky);
	if (rc != TALLY_OK || v->nruns == 0)
		return rc;
	r = v->runs[v->nruns - 1];
	return tally_buf_printf(b, "; latest run: %.0f test%s, %.0f failed, "
	    "pass rate %s, time %s", num(r, "tests"),
	    plural_s(num(r, "tests")), num(r, "failed"),
	    tally_fmt_rate(a, num(r, "passRate")),
	    tally_fmt_duration(c, num(r, "duration")));
}

/* The title of a history record's test, escaped with esc. */
/* The test a history record stands for; t borrows from h. */
static void
as_test(struct tally_record *t, const struct tally_record *h)
{
	const struct tally_field *s = tally_field_get(&h->u.fields, "suite");

	tally_record_init(t, TALLY_REC_TEST);
	t->u.test.name = str(h, "name") ? str(h, "name") : "";
	t->u.test.classname = str(h, "classname");
	if (s != NULL && s->strv != NULL) {
		t->u.test.suite = s->strv;
		t->u.test.nsuite = s->nstrv;
	}
	t->labels = h->labels;
	t->nlabels = h->nlabels;
}

static void
put_title(struct tally_out *o, tally_esc_fn esc, const struct tally_record *h)
{
	struct tally_record t;
	struct tally_buf a, b;

	as_test(&t, h);
	tally_buf_init(&a);
	tally_buf_init(&b);
	if (tally_test_title(&a, &t) != TALLY_OK ||
	    tally_strip_ansi(&b, a.data ? a.data : "", a.len) != TALLY_OK)
		o->status = o->status ? o->status : TALLY_ENOMEM;
	else
		tally_out_esc(o, esc, b.data ? b.data : "", b.len);
	tally_buf_free(&a);
	tally_buf_free(&b);
}

static void
put_str(struct tally_out *o, tally_esc_fn esc, const char *s)
{
	struct tally_buf b;

	tally_buf_init(&b);
	if (tally_strip_ansi(&b, s ? s : "-", strlen(s ? s : "-")) != TALLY_OK)
		o->status = o->status ? o->status : TALLY_ENOMEM;
	else
		tally_out_esc(o, esc, b.data ? b.data : "", b.len);
	tally_buf_free(&b);
}

/* "run 3 (c3)": where a failing streak began. */
static void
put_since(struct tally_out *o, tally_esc_fn esc, const struct tally_record *h)
{
	tally_out_puts(o, "since run ");
	put_str(o, esc, str(h, "failingSince"));
	if (str(h, "failingSinceCommit") != NULL) {
		tally_out_puts(o, " (");
		put_str(o, esc, str(h, "failingSinceCommit"));
		tally_out_puts(o, ")");
	}
}

void
tally_history_text(struct tally_out *o, const struct tally_histview *v,
    int color)
{
	char a[TALLY_FMTBUF], b[TALLY_FMTBUF];
	const struct tally_record *r;
	size_t i;

	if (v == NULL)
		return;
	tally_out_printf(o, "%s%s=== History: %zu run%s, %zu test%s%s\n",
	    o->n > 0 ? "\n" : "", color ? "\033[1m" : "", v->nruns,
	    v->nruns == 1 ? "" : "s", v->tests, v->tests == 1 ? "" : "s",
	    color ? "\033[0m" : "");
	if (v->allflaky > 0) {
		tally_out_printf(o, "\n=== Most flaky (%zu)\n", v->allflaky);
		for (i = 0; i < v->nflaky; i++) {
			r = v->flaky[i];
			tally_out_printf(o, "  %5s  %.0f flip%s, %.0f retried "
			    "pass%s in %.0f run%s  ", tally_fmt_rate(a,
			    100 * num(r, "flakyRate")), num(r, "flips"),
			    plural_s(num(r, "flips")), num(r, "flakyRuns"),
			    num(r, "flakyRuns") == 1 ? "" : "es",
			    num(r, "runs"), plural_s(num(r, "runs")));
			put_title(o, tally_esc_term_line, r);
			tally_out_puts(o, "\n");
		}
	}
	if (v->allfailing > 0) {
		tally_out_printf(o, "\n=== Failing longest (%zu)\n",
		    v->allfailing);
		for (i = 0; i < v->nfailing; i++) {
			r = v->failing[i];
			tally_out_printf(o, "  %.0f run%s, ",
			    num(r, "failingRuns"),
			    plural_s(num(r, "failingRuns")));
			put_since(o, tally_esc_term_line, r);
			tally_out_puts(o, "  ");
			put_title(o, tally_esc_term_line, r);
			tally_out_puts(o, "\n");
		}
	}
	if (v->nruns == 0)
		return;
	tally_out_puts(o, "\n=== Runs\n");
	for (i = v->nruns > TALLY_HIST_RUNS ? v->nruns - TALLY_HIST_RUNS : 0;
	    i < v->nruns; i++) {
		r = v->runs[i];
		tally_out_printf(o, "  %3.0f  ", num(r, "run"));
		put_str(o, tally_esc_term_line, str(r, "runId") ?
		    str(r, "runId") : str(r, "path"));
		tally_out_puts(o, "  ");
		put_str(o, tally_esc_term_line, str(r, "commit"));
		tally_out_printf(o, "  %.0f test%s, %.0f failed, pass rate %s, "
		    "time %s", num(r, "tests"), plural_s(num(r, "tests")),
		    num(r, "failed"),
		    tally_fmt_rate(a, num(r, "passRate")),
		    tally_fmt_duration(b, num(r, "duration")));
		if (tally_field_get(&r->u.fields, "newFailures") != NULL)
			tally_out_printf(o, ", %.0f new failures",
			    num(r, "newFailures"));
		tally_out_puts(o, "\n");
	}
}

void
tally_history_md(struct tally_out *o, const struct tally_histview *v)
{
	char a[TALLY_FMTBUF], b[TALLY_FMTBUF];
	const struct tally_record *r;
	size_t i;

	if (v == NULL)
		return;
	tally_out_printf(o, "### History: %zu run%s, %zu test%s\n\n",
	    v->nruns, v->nruns == 1 ? "" : "s", v->tests,
	    v->tests == 1 ? "" : "s");
	if (v->allflaky > 0) {
		tally_out_printf(o, "#### Most flaky (%zu)\n\n| Flaky rate | "
		    "Flips | Retried passes | Runs | Test |\n|---:|---:|---:|"
		    "---:|---|\n", v->allflaky);
		for (i = 0; i < v->nflaky; i++) {
			r = v->flaky[i];
			tally_out_printf(o, "| %s | %.0f | %.0f | %.0f | ",
			    tally_fmt_rate(a, 100 * num(r, "flakyRate")),
			    num(r, "flips"), num(r, "flakyRuns"),
			    num(r, "runs"));
			put_title(o, tally_esc_md, r);
			tally_out_puts(o, " |\n");
		}
		tally_out_puts(o, "\n");
	}
	if (v->allfailing > 0) {
		tally_out_printf(o, "#### Failing longest (%zu)\n\n| Runs | "
		    "Since | Test |\n|---:|---|---|\n", v->allfailing);
		for (i = 0; i < v->nfailing; i++) {
			r = v->failing[i];
			tally_out_printf(o, "| %.0f | ", num(r, "failingRuns"));
			put_since(o, tally_esc_md, r);
			tally_out_puts(o, " | ");
			put_title(o, tally_esc_md, r);
			tally_out_puts(o, " |\n");
		}
		tally_out_puts(o, "\n");
	}
	if (v->nruns == 0)
		return;
	tally_out_puts(o, "#### Runs\n\n| Run | Id | Commit | Tests | Failed "
	    "| Pass rate | Time | New failures |\n|---:|---|---|---:|---:|"
	    "---:|---:|---:|\n");
	for (i = v->nruns > TALLY_HIST_RUNS ? v->nruns - TALLY_HIST_RUNS : 0;
	    i < v->nruns; i++) {
		r = v->runs[i];
		tally_out_printf(o, "| %.0f | ", num(r, "run"));
		put_str(o, tally_esc_md, str(r, "runId"));
		tally_out_puts(o, " | ");
		put_str(o, tally_esc_md, str(r, "commit"));
		tally_out_printf(o, " | %.0f | %.0f | %s | %s | ",
		    num(r, "tests"), num(r, "failed"),
		    tally_fmt_rate(a, num(r, "passRate")),
		    tally_fmt_duration(b, num(r, "duration")));
		if (tally_field_get(&r->u.fields, "newFailures") != NULL)
			tally_out_printf(o, "%.0f", num(r, "newFailures"));
		else
			tally_out_puts(o, "-");
		tally_out_puts(o, " |\n");
	}
	tally_out_puts(o, "\n");
}

/* ---- a run's failures marked against its history ---- */

struct mark {
	char		*key;
	enum tally_mark	 kind;
	double		 rate, runs, streak;
	char		*since, *commit;
};

struct tally_marks {
	struct tally_sink sink;
	struct mark	*v;
	size_t		 n;
	int		 bad;
};

static int
mark_cmp(const void *a, const void *b)
{
	return strcmp(((const struct mark *)a)->key,
	    ((const struct mark *)b)->key);
}

/* The identity key of a history record, as of the test it stands for. */
static int
hist_key(const struct tally_record *h, char **out)
{
	struct tally_record t;

	as_test(&t, h);
	return tally_test_key(&t, out);
}

static struct mark *
find(const struct tally_marks *mk, char *key)
{
	struct mark m;

	if (mk->n == 0)
		return NULL;
	m.key = key;
	return bsearch(&m, mk->v, mk->n, sizeof(m), mark_cmp);
}

static int
marks_record(struct tally_sink *s, const struct tally_record *rec,
    struct tally_error *err)
{
	struct tally_marks *mk = (struct tally_marks *)s;
	struct mark *m;
	char *key;

	if (rec->type != TALLY_REC_HISTORY)
		return TALLY_OK;
	if (hist_key(rec, &key) != TALLY_OK)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	m = find(mk, key);
	free(key);
	if (m == NULL)
		return TALLY_OK;
	m->runs = num(rec, "runs");
	m->rate = num(rec, "flakyRate");
	if (num(rec, "failingRuns") > 0) {
		m->kind = TALLY_MARK_FAILING;
		m->streak = num(rec, "failingRuns");
		m->since = tally_strdup(str(rec, "failingSince"));
		m->commit = tally_strdup(str(rec, "failingSinceCommit"));
		if ((str(rec, "failingSince") && m->since == NULL) ||
		    (str(rec, "failingSinceCommit") && m->commit == NULL))
			return tally_error_set(err, TALLY_ENOMEM, 0, 0,
			    "out of memory");
	} else if (m->rate > 0)
		m->kind = TALLY_MARK_FLAKY;
	return TALLY_OK;
}

void
tally_marks_free(struct tally_marks *mk)
{
	size_t i;

	if (mk == NULL)
		return;
	for (i = 0; i < mk->n; i++) {
		free(mk->v[i].key);
		free(mk->v[i].since);
		free(mk->v[i].commit);
	}
	free(mk->v);
	free(mk);
}

int
tally_marks_build(struct tally_marks **out, struct tally_history *h,
    const struct tally_report *rep, struct tally_error *err)
{
	const struct tally_record *r;
	struct tally_marks *mk;
	struct mark *v;
	size_t pos = 0, cap = 0, i, k;
	int more, rc = TALLY_OK;

	*out = NULL;
	if ((mk = calloc(1, sizeof(*mk))) == NULL)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	mk->sink.record = marks_record;
	while ((more = tally_report_next_test(rep, &pos, &r, err)) == 1) {
		if (r->u.test.status != TALLY_FAILED)
			continue;
		if (mk->n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((v = realloc(mk->v, cap * sizeof(*v))) == NULL) {
				more = TALLY_ENOMEM;
				break;
			}
			mk->v = v;
		}
		memset(&mk->v[mk->n], 0, sizeof(mk->v[mk->n]));
		mk->v[mk->n].kind = TALLY_MARK_NEW;
		if (tally_test_key(r, &mk->v[mk->n].key) != TALLY_OK) {
			more = TALLY_ENOMEM;
			break;
		}
		mk->n++;
	}
	if (more < 0) {
		tally_marks_free(mk);
		return more == TALLY_ENOMEM ? tally_error_set(err, more, 0, 0,
		    "out of memory") : more;
	}
	if (mk->n > 0)
		qsort(mk->v, mk->n, sizeof(*mk->v), mark_cmp);
	/* A test twice (two labels of a matrix merge to one key): once. */
	for (i = k = 0; i < mk->n; i++) {
		if (k > 0 && strcmp(mk->v[k - 1].key, mk->v[i].key) == 0) {
			free(mk->v[i].key);
			continue;
		}
		mk->v[k++] = mk->v[i];
	}
	mk->n = k;
	rc = tally_history_write(h, &mk->sink, err);
	if (rc != TALLY_OK) {
		tally_marks_free(mk);
		return rc;
	}
	*out = mk;
	return TALLY_OK;
}

enum tally_mark
tally_marks_note(const struct tally_marks *mk, const struct tally_record *rec,
    char *buf, size_t size)
{
	char rate[TALLY_FMTBUF];
	struct mark *m;
	char *key;

	buf[0] = '\0';
	if (mk == NULL || rec->type != TALLY_REC_TEST ||
	    rec->u.test.status != TALLY_FAILED ||
	    tally_test_key(rec, &key) != TALLY_OK)
		return TALLY_MARK_NONE;
	m = find(mk, key);
	free(key);
	if (m == NULL)
		return TALLY_MARK_NONE;
	switch (m->kind) {
	case TALLY_MARK_FAILING:
		snprintf(buf, size, "failing since run %s%s%s%s, %.0f run%s",
		    m->since ? m->since : "?", m->commit ? " (" : "",
		    m->commit ? m->commit : "", m->commit ? ")" : "",
		    m->streak + 1, plural_s(m->streak + 1));
		break;
	case TALLY_MARK_FLAKY:
		snprintf(buf, size, "flaky: %s of %.0f run%s",
		    tally_fmt_rate(rate, 100 * m->rate), m->runs,
		    plural_s(m->runs));
		break;
	default:
		snprintf(buf, size, "new failure");
		break;
	}
	return m->kind;
}
