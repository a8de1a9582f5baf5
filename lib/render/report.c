/*
 * lib/render/report.c: from a finished merge table to the struct tally_report
 * every renderer reads: records by kind, totals, run metadata and gates;
 * and the table of renderers by format name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tally/merge.h>
#include <tally/report.h>

#include "internal.h"
#include "render.h"
#include "render_history.h"

/* Add a row here when a renderer lands: { "name", tally_render_name }. */
/* streams: the renderer reads tests only through tally_report_next_test. */
static const struct {
	const char	*name;
	tally_render_fn	 fn;
	int		 streams;
} renderers[] = {
	{ "github",	tally_render_github,	1 },
	{ "html",	tally_render_html,	1 },
	{ "json",	tally_render_json,	1 },
	{ "junit",	tally_render_junit,	1 },
	{ "markdown",	tally_render_markdown,	1 },
	{ "text",	tally_render_text,	1 },
	{ NULL, NULL, 0 }
};

tally_render_fn
tally_renderer(const char *format)
{
	size_t i;

	for (i = 0; format != NULL && renderers[i].name != NULL; i++)
		if (strcmp(format, renderers[i].name) == 0)
			return renderers[i].fn;
	return NULL;
}

int
tally_renderer_streams(const char *format)
{
	size_t i;

	for (i = 0; format != NULL && renderers[i].name != NULL; i++)
		if (strcmp(format, renderers[i].name) == 0)
			return renderers[i].streams;
	return 0;
}

const char *
tally_renderer_name(size_t i)
{
	size_t n = sizeof(renderers) / sizeof(renderers[0]) - 1;

	return i < n ? renderers[i].name : NULL;
}

static const struct {
	const char	*name;
	unsigned	 bit;
} gates[] = {
	{ "failed",	TALLY_GATE_FAILED },
	{ "error",	TALLY_GATE_ERROR },
	{ "flaky",	TALLY_GATE_FLAKY },
	{ "empty",	TALLY_GATE_EMPTY },
	{ "new-failure", TALLY_GATE_NEW_FAILURE },
	{ "removed",	TALLY_GATE_REMOVED },
	{ "threshold",	TALLY_GATE_THRESHOLD },
};

int
tally_gate_parse(const char *name, unsigned *out)
{
	size_t i;

	for (i = 0; name != NULL && i < sizeof(gates) / sizeof(gates[0]); i++)
		if (strcmp(name, gates[i].name) == 0) {
			*out = gates[i].bit;
			return TALLY_OK;
		}
	return TALLY_EINVAL;
}

const char *
tally_gate_name(size_t i)
{
	return i < sizeof(gates) / sizeof(gates[0]) ? gates[i].name : NULL;
}

/* What the report owns besides its arrays. */
struct priv {
	struct tally_merge	*m;	/* tests come from here when streamed */
	size_t			 cmeta;
	int			 streamed;
};

/*
 * Counts a producer wrote about itself (a root <testsuites tests=...>, a
 * CTRF summary) only repeat, often wrongly, what the totals say; reports
 * leave them out of the run metadata.  The stream keeps them.
 */
static int
is_count_key(const char *k)
{
	static const char *const keys[] = { "tests", "failures", "errors",
	    "skipped", "disabled", "assertions", "time", "passed", "failed",
	    "pending", "other", "flaky" };
	size_t i;

	if (k == NULL || strncmp(k, "summary.", 8) == 0)
		return 1;
	/* Jest's numTotalTests, numFailedTestSuites, ... */
	if (strncmp(k, "num", 3) == 0 && k[3] >= 'A' && k[3] <= 'Z')
		return 1;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(k, keys[i]) == 0)
			return 1;
	return 0;
}

static int
meta_set(struct tally_report *r, const char *key, const char *value)
{
	struct priv *p = r->priv;
	char *v;
	size_t i;

	if (key == NULL || value == NULL)
		return TALLY_OK;
	if ((v = strdup(value)) == NULL)
		return TALLY_ENOMEM;
	for (i = 0; i < r->nmeta; i++)
		if (strcmp(r->meta[i].key, key) == 0) {
			free((char *)r->meta[i].value);
			r->meta[i].value = v;
			return TALLY_OK;
		}
	if (r->nmeta == p->cmeta) {
		size_t nc = p->cmeta ? p->cmeta * 2 : 16;
		struct tally_kv *q = realloc(r->meta, nc * sizeof(*q));

		if (q == NULL) {
			free(v);
			return TALLY_ENOMEM;
		}
		r->meta = q;
		p->cmeta = nc;
	}
	if ((r->meta[r->nmeta].key = strdup(key)) == NULL) {
		free(v);
		return TALLY_ENOMEM;
	}
	r->meta[r->nmeta++].value = v;
	return TALLY_OK;
}

/*
 * CI variables and the metadata key each fills, in the order they are
 * looked at; a later variable for the same key wins.  Empty values are
 * ignored.
 */
static const struct {
	const char	*var;
	const char	*key;
} civars[] = {
	{ "GITHUB_REPOSITORY",		"repository" },
	{ "GITHUB_SHA",			"commit" },
	{ "GITHUB_REF",			"ref" },
	{ "GITHUB_WORKFLOW",		"workflow" },
	{ "GITHUB_RUN_ID",		"run_id" },
	{ "CI_COMMIT_SHA",		"commit" },
	{ "CI_COMMIT_REF_NAME",		"ref" },
	{ "CI_PIPELINE_URL",		"run_url" },
	{ "CI_JOB_URL",			"job_url" },
	{ "BUILDKITE_PIPELINE_SLUG",	"workflow" },
	{ "BUILDKITE_COMMIT",		"commit" },
	{ "BUILDKITE_BRANCH",		"ref" },
	{ "BUILDKITE_BUILD_NUMBER",	"run_id" },
	{ "BUILDKITE_BUILD_URL",	"run_url" },
	{ "GIT_COMMIT",			"commit" },
	{ "BUILD_URL",			"run_url" },
	{ "DEPLOYMENT_ENV",		"environment" },
	{ "DEPLOYMENT_VERSION",		"version" },
};

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

static int
meta_env(struct tally_report *r)
{
	const char *srv, *repo, *run;
	char *url;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(civars) / sizeof(civars[0]); i++)
		if ((rc = meta_set(r, civars[i].key, env(civars[i].var))) !=
		    TALLY_OK)
			return rc;
	srv = env("GITHUB_SERVER_URL");
	repo = env("GITHUB_REPOSITORY");
	run = env("GITHUB_RUN_ID");
	if (srv == NULL || repo == NULL || run == NULL)
		return TALLY_OK;
	if (asprintf(&url, "%s/%s/actions/runs/%s", srv, repo, run) < 0)
		return TALLY_ENOMEM;
	rc = meta_set(r, "run_url", url);
	free(url);
	return rc;
}

static int
push(const struct tally_record ***v, size_t *n, size_t *cap,
    const struct tally_record *rec)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		const struct tally_record **p = realloc(*v, nc * sizeof(*p));

		if (p == NULL)
			return TALLY_ENOMEM;
		*v = p;
		*cap = nc;
	}
	(*v)[(*n)++] = rec;
	return TALLY_OK;
}

static void count_test(struct tally_totals *t, const struct tally_test *x);

void
tally_test_counts_add(struct tally_test_counts *c,
    const struct tally_record *test)
{
	enum tally_change chg = TALLY_CHANGE_UNCHANGED;

	if (tally_change_parse(test->u.test.change, &chg) == TALLY_OK)
		c->changes[chg]++;
	if (test->u.test.change == NULL || chg != TALLY_CHANGE_REMOVED)
		count_test(&c->totals, &test->u.test);
}

static void
count_test(struct tally_totals *t, const struct tally_test *x)
{
	t->tests++;
	if ((unsigned)x->status < TALLY_NSTATUS)
		t->status[x->status]++;
	t->flaky += x->flaky != 0;
	t->retried += x->retries > 0;
	if (x->duration > 0)
		t->duration += x->duration;
	if (x->category != NULL && strcmp(x->category, "threshold") == 0) {
		t->thresholds++;
		t->thresholds_crossed += x->status == TALLY_FAILED;
	}
}

static void
totals_end(struct tally_report *r)
{
	struct tally_totals *t = &r->totals;
	size_t ran;

	t->errors = r->nerrors;
	ran = t->tests - t->status[TALLY_SKIPPED] - t->status[TALLY_PENDING];
	t->pass_rate = ran == 0 ? 100.0 :
	    100.0 * (double)t->status[TALLY_PASSED] / (double)ran;
}

static const char *
plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static int
add_gate(struct tally_report *r, const char *name, int failed)
{
	struct tally_gate *g = realloc(r->gates, (r->ngates + 1) * sizeof(*g));

	if (g == NULL)
		return TALLY_ENOMEM;
	r->gates = g;
	g = &r->gates[r->ngates++];
	memset(g, 0, sizeof(*g));
	g->name = name;
	g->failed = failed;
	r->verdict_failed |= failed;
	return TALLY_OK;
}

/* A gate on a diff stream's changes; any other stream fails it. */
static int
diff_gate(struct tally_report *r, const char *name, enum tally_change c,
    const char *one, const char *many)
{
	struct tally_gate *g;
	size_t n = r->changes[c];

	if (add_gate(r, name, r->diff == NULL || n > 0) != TALLY_OK)
		return TALLY_ENOMEM;
	g = &r->gates[r->ngates - 1];
	if (r->diff == NULL)
		snprintf(g->detail, sizeof(g->detail),
		    "not a diff stream: see tally-diff(1)");
	else if (n == 0)
		snprintf(g->detail, sizeof(g->detail), "no %s", many);
	else
		snprintf(g->detail, sizeof(g->detail), "%zu %s", n,
		    plural(n, one, many));
	return TALLY_OK;
}

static const char *const perf_gate_names[] = {
	"max", "min", "max-regression"
};

/* The baseline row of p: --baseline's, or a diff stream's base.FIGURE
 * properties (see tally-diff(1)), put into *tmp. */
static const struct tally_perf *
perf_base(const struct tally_report_opts *o, const struct tally_perf *p,
    struct tally_perf *tmp)
{
	const char *v;
	char key[32];
	size_t i;
	int any = 0;
	double d;

	for (i = 0; i < o->nbaseline; i++)
		if (o->baseline[i]->type == TALLY_REC_PERF &&
		    tally_perf_same_row(&o->baseline[i]->u.perf, p))
			return &o->baseline[i]->u.perf;
	memset(tmp, 0, sizeof(*tmp));
	tmp->requests = tmp->failures = -1;
	tmp->mean = tmp->min = tmp->max = tmp->median = -1;
	tmp->p90 = tmp->p95 = tmp->p99 = tmp->rps = -1;
	for (i = 0; i < TALLY_NPERF_FIG; i++) {
		snprintf(key, sizeof(key), "base.%s",
		    tally_perf_fig_name((enum tally_perf_fig)i));
		if ((v = tally_kv_get(p->properties, p->nproperties, key)) ==
		    NULL || sscanf(v, "%lf", &d) != 1 || !(d >= 0))
			continue;
		any = 1;
		switch ((enum tally_perf_fig)i) {
		case TALLY_PF_REQUESTS: tmp->requests = (long)d; break;
		case TALLY_PF_FAILURES: tmp->failures = (long)d; break;
		case TALLY_PF_RPS: tmp->rps = d; break;
		case TALLY_PF_MIN: tmp->min = d; break;
		case TALLY_PF_AVG: tmp->mean = d; break;
		case TALLY_PF_MEDIAN: tmp->median = d; break;
		case TALLY_PF_P90: tmp->p90 = d; break;
		case TALLY_PF_P95: tmp->p95 = d; break;
		case TALLY_PF_P99: tmp->p99 = d; break;
		case TALLY_PF_MAX: tmp->max = d; break;
		default: break;
		}
	}
	return any ? tmp : NULL;
}

/* "'GET /items'" or "the aggregate row" into buf. */
static const char *
perf_row_name(char *buf, size_t n, const struct tally_perf *p)
{
	if (tally_perf_is_aggregate(p))
		snprintf(buf, n, "aggregate");
	else if (p->method != NULL)
		snprintf(buf, n, "'%s %s'", p->method, p->name ? p->name : "");
	else
		snprintf(buf, n, "'%s'", p->name ? p->name : "");
	return buf;
}

/*
 * One --max/--min/--max-regression gate: a failed entry for each row it
 * finds breached or cannot check, else one passed entry for all of them.
 */
static int
perf_gate_eval(struct tally_report *r, const struct tally_report_opts *o,
    const struct tally_perf_gate *pg)
{
	const char *name = perf_gate_names[pg->kind], *fig;
	const struct tally_perf *p, *base;
	struct tally_perf tmp;
	struct tally_gate *g;
	char row[64], val[32], lim[32], bval[32];
	size_t i, seen = 0, bad = 0;
	double v;
	int c;

	fig = tally_perf_fig_name(pg->fig);
	if (pg->kind == TALLY_PG_REGRESSION)
		snprintf(lim, sizeof(lim), "%g%%", pg->limit);
	else
		tally_perf_fig_fmt(lim, sizeof(lim), pg->fig, pg->limit);
	for (i = 0; i < r->nperf; i++) {
		p = &r->perf[i]->u.perf;
		if (!tally_perf_gate_matches(pg, p))
			continue;
		seen++;
		base = pg->kind == TALLY_PG_REGRESSION ?
		    perf_base(o, p, &tmp) : NULL;
		if ((c = tally_perf_gate_check(pg, p, base, &v)) == 0)
			continue;
		bad++;
		if (add_gate(r, name, 1) != TALLY_OK)
			return TALLY_ENOMEM;
		g = &r->gates[r->ngates - 1];
		perf_row_name(row, sizeof(row), p);
		if (c < 0 && pg->kind == TALLY_PG_REGRESSION && v >= 0)
			snprintf(g->detail, sizeof(g->detail),
			    "%s %s: no baseline figure", row, fig);
		else if (c < 0)
			snprintf(g->detail, sizeof(g->detail),
			    "%s %s: not measured", row, fig);
		else if (pg->kind == TALLY_PG_REGRESSION)
			snprintf(g->detail, sizeof(g->detail),
			    "%s %s %s, was %s: %+.1f%%, limit %s", row, fig,
			    tally_perf_fig_fmt(val, sizeof(val), pg->fig,
			    tally_perf_fig_get(p, pg->fig)),
			    tally_perf_fig_fmt(bval, sizeof(bval), pg->fig,
			    tally_perf_fig_get(base, pg->fig)), v, lim);
		else
			snprintf(g->detail, sizeof(g->detail),
			    "%s %s %s, %s %s", row, fig,
			    tally_perf_fig_fmt(val, sizeof(val), pg->fig, v),
			    pg->kind == TALLY_PG_MAX ? "above the limit" :
			    "below the limit", lim);
	}
	if (bad > 0)
		return TALLY_OK;
	if (add_gate(r, name, seen == 0) != TALLY_OK)
		return TALLY_ENOMEM;
	g = &r->gates[r->ngates - 1];
	if (seen == 0 && pg->target == NULL)
		snprintf(g->detail, sizeof(g->detail),
		    "%s: no aggregate row to check", fig);
	else if (seen == 0)
		snprintf(g->detail, sizeof(g->detail), "%s: no row '%.*s'",
		    fig, (int)pg->ntarget, pg->target);
	else if (pg->kind == TALLY_PG_REGRESSION)
		snprintf(g->detail, sizeof(g->detail),
		    "%s regressed at most %s (%zu %s)", fig, lim, seen,
		    plural(seen, "row", "rows"));
	else
		snprintf(g->detail, sizeof(g->detail), "%s %s %s (%zu %s)",
		    fig, pg->kind == TALLY_PG_MAX ? "at most" : "at least",
		    lim, seen, plural(seen, "row", "rows"));
	return TALLY_OK;
}

static int
gates_eval(struct tally_report *r, const struct tally_report_opts *o)
{
	const struct tally_totals *t = &r->totals;
	struct tally_gate *g;
	size_t n;

	if (o->fail_on & TALLY_GATE_FAILED) {
		n = t->status[TALLY_FAILED];
		if (add_gate(r, "failed", n > 0) != TALLY_OK)
			return TALLY_ENOMEM;
		g = &r->gates[r->ngates - 1];
		if (n == 0)
			snprintf(g->detail, sizeof(g->detail), "no test failed");
		else
			snprintf(g->detail, sizeof(g->detail), "%zu %s failed",
			    n, plural(n, "test", "tests"));
	}
	if ((o->fail_on & TALLY_GATE_ERROR) ||
	    ((o->fail_on & TALLY_GATE_LOST) && t->errors > 0)) {
		n = t->errors;
		if (add_gate(r, "error", n > 0) != TALLY_OK)
			return TALLY_ENOMEM;
		g = &r->gates[r->ngates - 1];
		if (n == 0)
			snprintf(g->detail, sizeof(g->detail),
			    "every input was read completely");
		else
			snprintf(g->detail, sizeof(g->detail),
			    "%zu %s could not be read completely", n,
			    plural(n, "input", "inputs"));
	}
	if (o->fail_on & TALLY_GATE_FLAKY) {
		n = t->flaky;
		if (add_gate(r, "flaky", n > 0) != TALLY_OK)
			return TALLY_ENOMEM;
		g = &r->gates[r->ngates - 1];
		if (n == 0)
			snprintf(g->detail, sizeof(g->detail), "no test was flaky");
		else
			snprintf(g->detail, sizeof(g->detail), "%zu %s flaky",
			    n, plural(n, "test was", "tests were"));
	}
	if (o->fail_on & TALLY_GATE_EMPTY) {
		n = t->tests;
		if (add_gate(r, "empty", n == 0) != TALLY_OK)
			return TALLY_ENOMEM;
		g = &r->gates[r->ngates - 1];
		if (n == 0)
			snprintf(g->detail, sizeof(g->detail), "no test results");
		else
			snprintf(g->detail, sizeof(g->detail), "%zu test %s", n,
			    plural(n, "result", "results"));
	}
	if (o->fail_on & TALLY_GATE_NEW_FAILURE)
		if (diff_gate(r, "new-failure", TALLY_CHANGE_NEW_FAILURE,
		    "new failure", "new failures") != TALLY_OK)
			return TALLY_ENOMEM;
	if (o->fail_on & TALLY_GATE_REMOVED)
		if (diff_gate(r, "removed", TALLY_CHANGE_REMOVED,
		    "test removed", "tests removed") != TALLY_OK)
			return TALLY_ENOMEM;
	/* Gates on load figures check k6's own thresholds too. */
	if ((o->fail_on & TALLY_GATE_THRESHOLD) ||
	    (o->nperf_gates > 0 && t->thresholds > 0)) {
		n = t->thresholds_crossed;
		if (add_gate(r, "threshold", n > 0) != TALLY_OK)
			return TALLY_ENOMEM;
		g = &r->gates[r->ngates - 1];
		if (n > 0)
			snprintf(g->detail, sizeof(g->detail),
			    "%zu of %zu k6 %s crossed", n, t->thresholds,
			    plural(t->thresholds, "threshold", "thresholds"));
		else
			snprintf(g->detail, sizeof(g->detail),
			    "no k6 threshold crossed (%zu checked)",
			    t->thresholds);
	}
	for (n = 0; n < o->nperf_gates; n++)
		if (perf_gate_eval(r, o, &o->perf_gates[n]) != TALLY_OK)
			return TALLY_ENOMEM;
	if (o->min_pass_rate >= 0) {
		int bad = t->pass_rate < o->min_pass_rate;

		if (add_gate(r, "min-pass-rate", bad) != TALLY_OK)
			return TALLY_ENOMEM;
		g = &r->gates[r->ngates - 1];
		snprintf(g->detail, sizeof(g->detail),
		    "pass rate %.2f%% is %s %g%%", t->pass_rate,
		    bad ? "below" : "at least", o->min_pass_rate);
	}
	return TALLY_OK;
}

static int
keep(const struct tally_record ***v, size_t *n, size_t *cap,
    const struct tally_record *rec)
{
	struct tally_record *dup;

	if (tally_record_dup(rec, &dup) != TALLY_OK)
		return TALLY_ENOMEM;
	if (push(v, n, cap, dup) != TALLY_OK) {
		tally_record_free(dup);
		return TALLY_ENOMEM;
	}
	return TALLY_OK;
}

/* The first diff summary is the report's; a stream has one. */
static int
keep_diff(struct tally_report *r, const struct tally_record *rec)
{
	struct tally_record *dup;

	if (r->diff != NULL)
		return TALLY_OK;
	if (tally_record_dup(rec, &dup) != TALLY_OK)
		return TALLY_ENOMEM;
	r->diff = dup;
	return TALLY_OK;
}

/*
 * One pass over the merged records: totals, metadata, and copies of the
 * records the report keeps (tests only when they are not streamed).
 */
static int
build(struct tally_report *r, struct tally_merge *m,
    const struct tally_report_opts *o, struct tally_error *err)
{
	struct priv *p = r->priv;
	const struct tally_record *rec;
	struct tally_test_counts tc;
	size_t i, j, ct = 0, cs = 0, ce = 0, cp = 0;
	int rc = TALLY_OK, more, counted = p->streamed && o->counted != NULL;

	memset(&tc, 0, sizeof(tc));
	tally_merge_rewind(m);
	/* Streamed tests counted already: this pass is for the rest. */
	if (counted) {
		tc = *o->counted;
		tally_merge_skip_tests(m, TALLY_MERGE_SKIP_ALL);
	}
	while (rc == TALLY_OK && (more = tally_merge_next(m, &rec, err)) == 1) {
		switch (rec->type) {
		case TALLY_REC_TEST:
			tally_test_counts_add(&tc, rec);
			if (!p->streamed)
				rc = keep(&r->tests, &r->ntests, &ct, rec);
			break;
		case TALLY_REC_SUITE:
			rc = keep(&r->suites, &r->nsuites, &cs, rec);
			break;
		case TALLY_REC_ERROR:
			rc = keep(&r->errors, &r->nerrors, &ce, rec);
			break;
		case TALLY_REC_PERF:
			rc = keep(&r->perf, &r->nperf, &cp, rec);
			break;
		case TALLY_REC_DIFF:
			rc = keep_diff(r, rec);
			break;
		case TALLY_REC_HISTORY:
		case TALLY_REC_RUN:
			rc = tally_histview_add(&r->history, rec);
			break;
		case TALLY_REC_META:
			for (j = 0; j < rec->u.meta.nitems && rc == TALLY_OK;
			    j++)
				if (!is_count_key(rec->u.meta.items[j].key))
					rc = meta_set(r,
					    rec->u.meta.items[j].key,
					    rec->u.meta.items[j].value);
			break;
		}
	}
	tally_merge_skip_tests(m, 0);
	if (rc == TALLY_OK && more < 0)
		return more;
	r->totals = tc.totals;
	memcpy(r->changes, tc.changes, sizeof(r->changes));
	if (p->streamed)
		r->ntests = r->totals.tests;
	if (rc == TALLY_OK && o->use_env)
		rc = meta_env(r);
	for (i = 0; i < o->nmeta && rc == TALLY_OK; i++)
		rc = meta_set(r, o->meta[i].key, o->meta[i].value);
	if (rc == TALLY_OK) {
		totals_end(r);
		rc = gates_eval(r, o);
	}
	if (rc != TALLY_OK)
		return tally_error_set(err, rc, 0, 0, "out of memory");
	return TALLY_OK;
}

int
tally_report_build(struct tally_report **out, struct tally_merge *m,
    const struct tally_report_opts *opts, struct tally_error *err)
{
	static const struct tally_report_opts defaults = { 0, -1, NULL, 0, 0,
	    0, NULL, 0, NULL, 0, NULL };
	struct tally_report *r;
	struct priv *p;
	int rc;

	*out = NULL;
	if (opts == NULL)
		opts = &defaults;
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (p = calloc(1, sizeof(*p))) == NULL) {
		free(r);
		tally_merge_free(m);
		return tally_error_set(err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	}
	p->m = m;
	p->streamed = opts->stream_tests;
	r->priv = p;
	if ((rc = build(r, m, opts, err)) != TALLY_OK) {
		tally_report_free(r);
		return rc;
	}
	/* Everything is copied unless tests are read from m as needed. */
	if (!p->streamed) {
		tally_merge_free(m);
		p->m = NULL;
	}
	*out = r;
	return TALLY_OK;
}

int
tally_report_next_test(const struct tally_report *rep, size_t *pos,
    const struct tally_record **rec, struct tally_error *err)
{
	struct priv *p = rep->priv;
	int rc;

	*rec = NULL;
	if (p == NULL || !p->streamed) {
		if (*pos >= rep->ntests)
			return 0;
		*rec = rep->tests[(*pos)++];
		return 1;
	}
	if (*pos == 0)
		tally_merge_rewind(p->m);
	while ((rc = tally_merge_next(p->m, rec, err)) == 1)
		if ((*rec)->type == TALLY_REC_TEST) {
			(*pos)++;
			return 1;
		}
	*rec = NULL;
	return rc;
}

int
tally_report_next_failing(const struct tally_report *rep, size_t *pos,
    const struct tally_record **rec, struct tally_error *err)
{
	struct priv *p = rep->priv;
	int rc;

	if (p == NULL || !p->streamed)
		return tally_report_next_test(rep, pos, rec, err);
	if (*pos == 0)
		tally_merge_rewind(p->m);
	*pos = 1;	/* not 0: rewound once */
	tally_merge_skip_tests(p->m, TALLY_MERGE_SKIP_FINE);
	while ((rc = tally_merge_next(p->m, rec, err)) == 1 &&
	    (*rec)->type != TALLY_REC_TEST)
		;
	tally_merge_skip_tests(p->m, 0);
	if (rc != 1)
		*rec = NULL;
	return rc;
}

static void
unkeep(const struct tally_record **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		tally_record_free((struct tally_record *)v[i]);
	free(v);
}

void
tally_report_free(struct tally_report *r)
{
	struct priv *p;
	size_t i;

	if (r == NULL)
		return;
	p = r->priv;
	for (i = 0; i < r->nmeta; i++) {
		free((char *)r->meta[i].key);
		free((char *)r->meta[i].value);
	}
	free(r->meta);
	unkeep(r->tests, r->ntests && p != NULL && !p->streamed ?
	    r->ntests : 0);
	unkeep(r->suites, r->nsuites);
	unkeep(r->errors, r->nerrors);
	unkeep(r->perf, r->nperf);
	free(r->gates);
	tally_record_free((struct tally_record *)r->diff);
	tally_histview_free(r->history);
	if (p != NULL)
		tally_merge_free(p->m);
	free(p);
	free(r);
}
