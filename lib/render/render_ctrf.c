/*
 * lib/render/render_ctrf.c: the report as one CTRF JSON document (the schema of
 * ctrf-io/ctrf, specVersion 0.0.0), written as it goes.  What CTRF has a
 * field for goes there; tally's own facts (labels, classname, properties,
 * suite records, input errors, perf rows, gates) go under "extra".
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <tally/perf.h>

#include "escape.h"
#include "render.h"
#include "render_history.h"
#include "render_util.h"
#include "sha256.h"

#define CTRF_SPEC_VERSION	"0.0.0"
#define JSON_MAX_DEPTH		32

/*
 * A pretty-printing JSON writer.  It writes into out and hands out to fp
 * in pieces of JW_FLUSH bytes or more: a stdio call for each comma,
 * indent and quote was half of writing a million tests.
 */
#define JW_FLUSH	(64u << 10)

struct jw {
	FILE		*fp;
	struct tally_buf out;
	int		 rc;
	int		 depth;
	int		 first[JSON_MAX_DEPTH];
};

/* A write error stays on fp, for tally_render_status() to say. */
static void
jw_flush(struct jw *w)
{
	if (w->out.len > 0 && !ferror(w->fp))
		(void)fwrite(w->out.data, 1, w->out.len, w->fp);
	tally_buf_reset(&w->out);
}

static inline void
jw_put(struct jw *w, const char *s, size_t n)
{
	if (n < w->out.cap - w->out.len) {
		memcpy(w->out.data + w->out.len, s, n);
		w->out.len += n;
	} else if (tally_buf_add(&w->out, s, n) != TALLY_OK)
		w->rc = TALLY_ENOMEM;
}

static inline void
jw_putc(struct jw *w, char c)
{
	jw_put(w, &c, 1);
}

/* s (n bytes, or TALLY_NTS) escaped and quoted. */
static void
jw_quoted(struct jw *w, const char *s, size_t n)
{
	jw_putc(w, '"');
	if (w->rc == TALLY_OK &&
	    (w->rc = tally_esc_json(&w->out, s, n)) == TALLY_OK)
		jw_putc(w, '"');
}

static void
jw_indent(struct jw *w)
{
	static const char spaces[2 * JSON_MAX_DEPTH + 1] =
	    "                                "
	    "                                ";

	jw_putc(w, '\n');
	jw_put(w, spaces, 2 * (size_t)w->depth);
}

static void
jw_sep(struct jw *w, const char *key)
{
	if (w->rc != TALLY_OK)
		return;
	if (w->out.len >= JW_FLUSH)
		jw_flush(w);
	if (w->depth > 0) {
		if (!w->first[w->depth - 1])
			jw_putc(w, ',');
		w->first[w->depth - 1] = 0;
		jw_indent(w);
	}
	if (key != NULL) {
		jw_quoted(w, key, TALLY_NTS);
		jw_put(w, ": ", 2);
	}
}

static void
jw_open(struct jw *w, const char *key, char c)
{
	jw_sep(w, key);
	if (w->rc != TALLY_OK)
		return;
	if (w->depth >= JSON_MAX_DEPTH) {
		w->rc = TALLY_ELIMIT;
		return;
	}
	jw_putc(w, c);
	w->first[w->depth++] = 1;
}

static void
jw_close(struct jw *w, char c)
{
	int empty;

	if (w->rc != TALLY_OK)
		return;
	empty = w->first[--w->depth];
	if (!empty)
		jw_indent(w);
	jw_putc(w, c);
}

/* A string member; nothing when s is NULL. */
static void
jw_str(struct jw *w, const char *key, const char *s)
{
	if (s == NULL)
		return;
	jw_sep(w, key);
	if (w->rc == TALLY_OK)
		jw_quoted(w, s, TALLY_NTS);
}

static void
jw_long(struct jw *w, const char *key, long long v)
{
	char b[24];
	int n;

	jw_sep(w, key);
	n = snprintf(b, sizeof(b), "%lld", v);
	if (w->rc == TALLY_OK)
		jw_put(w, b, (size_t)n);
}

static void
jw_bool(struct jw *w, const char *key, int v)
{
	jw_sep(w, key);
	if (w->rc == TALLY_OK)
		jw_put(w, v ? "true" : "false", v ? 4 : 5);
}

/* The shortest of %.15g and %.17g that reads back as v. */
static void
jw_num(struct jw *w, const char *key, double v)
{
	char b[40];

	if (!isfinite(v))
		return;
	snprintf(b, sizeof(b), "%.15g", v);
	if (strtod(b, NULL) != v)
		snprintf(b, sizeof(b), "%.17g", v);
	jw_sep(w, key);
	if (w->rc == TALLY_OK)
		jw_put(w, b, strlen(b));
}

/* Milliseconds as CTRF's integer; unknown durations are 0. */
static long long
ms_int(double ms)
{
	if (!(ms >= 0) || !isfinite(ms) || ms > 9e15)
		return 0;
	return llround(ms);
}

/*
 * CTRF's stdout and stderr are arrays of lines: s split at each LF, a
 * final LF ending the last line rather than starting an empty one.
 */
static void
jw_lines(struct jw *w, const char *key, const char *s)
{
	const char *p, *nl;
	size_t len;

	if (s == NULL)
		return;
	jw_open(w, key, '[');
	for (p = s; *p != '\0' && w->rc == TALLY_OK; p = nl + 1) {
		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		jw_sep(w, NULL);
		if (w->rc != TALLY_OK)
			break;
		jw_quoted(w, p, len);
		if (nl == NULL)
			break;
	}
	jw_close(w, ']');
}

/* Pairs as an array of {"name", "value"}: keys may repeat. */
static void
jw_pairs(struct jw *w, const char *key, const struct tally_kv *kv, size_t n)
{
	size_t i;

	if (n == 0)
		return;
	jw_open(w, key, '[');
	for (i = 0; i < n; i++) {
		jw_open(w, NULL, '{');
		jw_str(w, "name", kv[i].key != NULL ? kv[i].key : "");
		jw_str(w, "value", kv[i].value != NULL ? kv[i].value : "");
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

/* Was key given again later in kv?  Then that later value wins. */
static int
overridden(const struct tally_kv *kv, size_t n, size_t i)
{
	size_t j;

	for (j = i + 1; j < n; j++)
		if (kv[j].key != NULL && kv[i].key != NULL &&
		    strcmp(kv[j].key, kv[i].key) == 0)
			return 1;
	return 0;
}

/* Labels as an object; a repeated key keeps its last value. */
static void
jw_labels(struct jw *w, const char *key, const struct tally_kv *kv, size_t n)
{
	size_t i;

	if (n == 0)
		return;
	jw_open(w, key, '{');
	for (i = 0; i < n; i++)
		if (!overridden(kv, n, i))
			jw_str(w, kv[i].key != NULL ? kv[i].key : "",
			    kv[i].value != NULL ? kv[i].value : "");
	jw_close(w, '}');
}

static void
jw_strv(struct jw *w, const char *key, const char *const *v, size_t n)
{
	size_t i;

	jw_open(w, key, '[');
	for (i = 0; i < n; i++)
		jw_str(w, NULL, v[i] != NULL ? v[i] : "");
	jw_close(w, ']');
}

/* Environment: run metadata that CTRF names, the rest in its extra. */

static const struct envfield {
	const char	*field;
	const char	*aliases[4];
	int		 integer;	/* CTRF wants an integer */
} envfields[] = {
	{ "reportName",		{ "reportName", "report_name" }, 0 },
	{ "appName",		{ "appName", "app_name" }, 0 },
	{ "appVersion",		{ "appVersion", "app_version" }, 0 },
	{ "buildId",		{ "buildId", "build_id", "run_id" }, 0 },
	{ "buildName",		{ "buildName", "build_name" }, 0 },
	{ "buildNumber",	{ "buildNumber", "build_number" }, 1 },
	{ "buildUrl",		{ "buildUrl", "build_url", "run_url",
				  "runUrl" }, 0 },
	{ "repositoryName",	{ "repositoryName", "repository", "repo" }, 0 },
	{ "repositoryUrl",	{ "repositoryUrl", "repository_url",
				  "repo_url" }, 0 },
	{ "commit",		{ "commit", "sha", "revision", "git.commit" },
				  0 },
	{ "branchName",		{ "branchName", "branch", "ref_name",
				  "git.branch" }, 0 },
	{ "osPlatform",		{ "osPlatform", "os_platform", "os" }, 0 },
	{ "osRelease",		{ "osRelease", "os_release" }, 0 },
	{ "osVersion",		{ "osVersion", "os_version" }, 0 },
	{ "testEnvironment",	{ "testEnvironment", "test_environment",
				  "environment" }, 0 },
};

/* A decimal integer CTRF can carry ("buildNumber"). */
static int
integer(const char *s, long long *out)
{
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return 0;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno == 0 && *end == '\0';
}

/*
 * The CTRF field meta item kv fills, or NULL: an integer field only takes
 * an integer, other values stay in the environment's extra.
 */
static const struct envfield *
envfield_of(const struct tally_kv *kv, long long *v)
{
	size_t i, j;

	if (kv->key == NULL)
		return NULL;
	for (i = 0; i < sizeof(envfields) / sizeof(envfields[0]); i++)
		for (j = 0; j < 4 && envfields[i].aliases[j] != NULL; j++)
			if (strcmp(kv->key, envfields[i].aliases[j]) == 0)
				return !envfields[i].integer ||
				    integer(kv->value, v) ? &envfields[i] :
				    NULL;
	return NULL;
}

/*
 * Metadata comes as meta records, then CI variables, then --meta: a later
 * item for the same field or key wins.  The title (--title) is the
 * report's name.
 */
static void
environment(struct jw *w, const struct tally_report *rep, const char *title)
{
	const struct tally_kv *kv = rep->meta;
	const struct envfield *f;
	size_t i, j, n = rep->nmeta, nextra = 0;
	long long v, v2;
	int later;

	if (n == 0 && title == NULL)
		return;
	jw_open(w, "environment", '{');
	jw_str(w, "reportName", title);
	for (i = 0; i < n; i++) {
		if ((f = envfield_of(&kv[i], &v)) == NULL) {
			nextra++;
			continue;
		}
		if (title != NULL && strcmp(f->field, "reportName") == 0)
			continue;
		for (later = 0, j = i + 1; j < n && !later; j++)
			later = envfield_of(&kv[j], &v2) == f;
		if (later)
			continue;
		if (f->integer)
			jw_long(w, f->field, v);
		else
			jw_str(w, f->field, kv[i].value != NULL ?
			    kv[i].value : "");
	}
	if (nextra > 0) {
		jw_open(w, "extra", '{');
		for (i = 0; i < n; i++)
			if (envfield_of(&kv[i], &v) == NULL &&
			    !overridden(kv, n, i))
				jw_str(w, kv[i].key != NULL ? kv[i].key : "",
				    kv[i].value != NULL ? kv[i].value : "");
		jw_close(w, '}');
	}
	jw_close(w, '}');
}

/* Tests. */

static void
attempt(struct jw *w, const struct tally_attempt *a, size_t n)
{
	jw_open(w, NULL, '{');
	jw_long(w, "attempt", (long long)n);
	jw_str(w, "status", tally_status_name(a->status));
	jw_long(w, "duration", ms_int(a->duration));
	jw_str(w, "message", a->message);
	jw_str(w, "trace", a->trace);
	jw_lines(w, "stdout", a->stdout_text);
	jw_lines(w, "stderr", a->stderr_text);
	if (a->raw_status != NULL || a->type != NULL) {
		jw_open(w, "extra", '{');
		jw_str(w, "rawStatus", a->raw_status);
		jw_str(w, "errorType", a->type);
		jw_close(w, '}');
	}
	jw_close(w, '}');
}

static void
test(struct jw *w, const struct tally_record *r)
{
	const struct tally_test *t = &r->u.test;
	size_t i;

	jw_open(w, NULL, '{');
	/* CTRF wants a non-empty name. */
	jw_str(w, "name", t->name != NULL && t->name[0] != '\0' ?
	    t->name : "(unnamed)");
	jw_str(w, "status", tally_status_name(t->status));
	jw_long(w, "duration", ms_int(t->duration));
	if (t->nsuite > 0)
		jw_strv(w, "suite", t->suite, t->nsuite);
	jw_str(w, "message", t->message);
	jw_str(w, "trace", t->trace);
	if (t->line > 0)
		jw_long(w, "line", t->line);
	jw_str(w, "rawStatus", t->raw_status);
	jw_str(w, "type", t->category);
	jw_str(w, "filePath", t->file_path);
	if (t->retries > 0 || t->nattempts > 0)
		jw_long(w, "retries", t->retries > (long)t->nattempts ?
		    t->retries : (long)t->nattempts);
	if (t->nattempts > 0) {
		jw_open(w, "retryAttempts", '[');
		for (i = 0; i < t->nattempts; i++)
			attempt(w, &t->attempts[i], i + 1);
		jw_close(w, ']');
	}
	if (t->flaky || t->retries > 0 || t->nattempts > 0)
		jw_bool(w, "flaky", t->flaky);
	jw_lines(w, "stdout", t->stdout_text);
	jw_lines(w, "stderr", t->stderr_text);
	if (t->classname != NULL || r->nlabels > 0 || t->nproperties > 0 ||
	    t->type != NULL || r->source != NULL || t->change != NULL) {
		jw_open(w, "extra", '{');
		jw_str(w, "classname", t->classname);
		jw_str(w, "errorType", t->type);
		jw_labels(w, "labels", r->labels, r->nlabels);
		jw_pairs(w, "properties", t->properties, t->nproperties);
		jw_str(w, "source", r->source);
		/* A diff stream's (tally-diff(1)). */
		jw_str(w, "change", t->change);
		jw_str(w, "durationChange", t->duration_change);
		if (t->base_duration >= 0)
			jw_num(w, "baseDuration", t->base_duration);
		jw_close(w, '}');
	}
	jw_close(w, '}');
}

/* Extras: what tally knows and CTRF has no field for. */

static void
suite_record(struct jw *w, const struct tally_record *r)
{
	const struct tally_suite *s = &r->u.suite;

	jw_open(w, NULL, '{');
	jw_strv(w, "suite", s->path, s->npath);
	jw_str(w, "timestamp", s->timestamp);
	jw_str(w, "hostname", s->hostname);
	if (s->duration >= 0)
		jw_num(w, "duration", s->duration);
	if (s->tests >= 0)
		jw_long(w, "tests", s->tests);
	if (s->failures >= 0)
		jw_long(w, "failures", s->failures);
	if (s->errors >= 0)
		jw_long(w, "errors", s->errors);
	if (s->skipped >= 0)
		jw_long(w, "skipped", s->skipped);
	jw_lines(w, "stdout", s->stdout_text);
	jw_lines(w, "stderr", s->stderr_text);
	jw_pairs(w, "properties", s->properties, s->nproperties);
	jw_labels(w, "labels", r->labels, r->nlabels);
	jw_str(w, "source", r->source);
	jw_close(w, '}');
}

static void
perf_record(struct jw *w, const struct tally_record *r)
{
	const struct tally_perf *p = &r->u.perf;
	const struct {
		const char *key;
		double v;
	} stats[] = {
		{ "mean", p->mean }, { "min", p->min }, { "max", p->max },
		{ "median", p->median }, { "p90", p->p90 }, { "p95", p->p95 },
		{ "p99", p->p99 }, { "rps", p->rps },
	};
	size_t i;
	double v;

	jw_open(w, NULL, '{');
	jw_str(w, "name", p->name != NULL ? p->name : "");
	jw_str(w, "method", p->method);
	if (p->requests >= 0)
		jw_long(w, "requests", p->requests);
	if (p->failures >= 0)
		jw_long(w, "failures", p->failures);
	for (i = 0; i < sizeof(stats) / sizeof(stats[0]); i++)
		if (stats[i].v >= 0)
			jw_num(w, stats[i].key, stats[i].v);
	if ((v = tally_perf_fig_get(p, TALLY_PF_ERROR_RATE)) >= 0)
		jw_num(w, "errorRate", v);
	if ((v = tally_perf_fig_get(p, TALLY_PF_STDDEV)) >= 0)
		jw_num(w, "stddev", v);
	jw_pairs(w, "properties", p->properties, p->nproperties);
	jw_labels(w, "labels", r->labels, r->nlabels);
	jw_str(w, "source", r->source);
	jw_close(w, '}');
}

static void
results_extra(struct jw *w, const struct tally_report *rep)
{
	size_t i;

	if (rep->nerrors == 0 && rep->nsuites == 0 && rep->nperf == 0)
		return;
	jw_open(w, "extra", '{');
	if (rep->nerrors > 0) {
		jw_open(w, "inputErrors", '[');
		for (i = 0; i < rep->nerrors; i++) {
			const struct tally_record *r = rep->errors[i];

			jw_open(w, NULL, '{');
			jw_str(w, "source", r->source != NULL ? r->source : "-");
			if (r->u.error.line > 0)
				jw_long(w, "line", r->u.error.line);
			if (r->u.error.column > 0)
				jw_long(w, "column", r->u.error.column);
			jw_str(w, "message", r->u.error.message != NULL ?
			    r->u.error.message : "");
			jw_close(w, '}');
		}
		jw_close(w, ']');
	}
	if (rep->nsuites > 0) {
		jw_open(w, "suites", '[');
		for (i = 0; i < rep->nsuites; i++)
			suite_record(w, rep->suites[i]);
		jw_close(w, ']');
	}
	if (rep->nperf > 0) {
		jw_open(w, "perf", '[');
		for (i = 0; i < rep->nperf; i++)
			perf_record(w, rep->perf[i]);
		jw_close(w, ']');
	}
	jw_close(w, '}');
}

static void
summary(struct jw *w, const struct tally_report *rep)
{
	const struct tally_totals *t = &rep->totals;
	size_t i;

	jw_open(w, "summary", '{');
	jw_long(w, "tests", (long long)t->tests);
	jw_long(w, "passed", (long long)t->status[TALLY_PASSED]);
	jw_long(w, "failed", (long long)t->status[TALLY_FAILED]);
	jw_long(w, "skipped", (long long)t->status[TALLY_SKIPPED]);
	jw_long(w, "pending", (long long)t->status[TALLY_PENDING]);
	jw_long(w, "other", (long long)t->status[TALLY_OTHER]);
	jw_long(w, "flaky", (long long)t->flaky);
	/* No clock is read: the run is placed at the epoch. */
	jw_long(w, "start", 0);
	jw_long(w, "stop", ms_int(t->duration));
	jw_long(w, "duration", ms_int(t->duration));
	jw_open(w, "extra", '{');
	jw_long(w, "retried", (long long)t->retried);
	jw_long(w, "inputErrors", (long long)t->errors);
	jw_num(w, "passRate", t->pass_rate);
	jw_bool(w, "verdictFailed", rep->verdict_failed);
	if (rep->ngates > 0) {
		jw_open(w, "gates", '[');
		for (i = 0; i < rep->ngates; i++) {
			jw_open(w, NULL, '{');
			jw_str(w, "name", rep->gates[i].name != NULL ?
			    rep->gates[i].name : "");
			jw_bool(w, "failed", rep->gates[i].failed);
			jw_str(w, "detail", rep->gates[i].detail);
			jw_close(w, '}');
		}
		jw_close(w, ']');
	}
	jw_close(w, '}');
	jw_close(w, '}');
}

/* One CTRF metricDelta: current, and against the baseline when there
 * is one. */
static void
delta(struct jw *w, const char *key, double cur, const double *base)
{
	jw_open(w, key, '{');
	jw_num(w, "current", cur);
	if (base != NULL) {
		jw_num(w, "baseline", *base);
		jw_num(w, "change", round((cur - *base) * 10000) / 10000);
	}
	jw_close(w, '}');
}

/*
 * A history stream's insights: current over every run, baseline over the
 * runs before the latest (the insights as the previous run saw them).
 */
static int
insights(struct jw *w, const struct tally_histview *v)
{
	struct tally_hist_insights c, b;
	int rc, hasb = v->nruns > 1;

	if ((rc = tally_history_insights(v, v->nruns, &c)) != TALLY_OK ||
	    (hasb && (rc = tally_history_insights(v, v->nruns - 1, &b)) !=
	    TALLY_OK))
		return rc;
	jw_open(w, "insights", '{');
	delta(w, "passRate", c.pass_rate, hasb ? &b.pass_rate : NULL);
	delta(w, "failRate", c.fail_rate, hasb ? &b.fail_rate : NULL);
	delta(w, "flakyRate", c.flaky_rate, hasb ? &b.flaky_rate : NULL);
	delta(w, "averageRunDuration", c.avg_run, hasb ? &b.avg_run : NULL);
	delta(w, "p95RunDuration", c.p95_run, hasb ? &b.p95_run : NULL);
	delta(w, "averageTestDuration", c.avg_test, hasb ? &b.avg_test :
	    NULL);
	jw_long(w, "runsAnalyzed", (long long)c.runs);
	jw_close(w, '}');
	return TALLY_OK;
}

static int
digits(const char *s, size_t max)
{
	size_t n = 0;

	for (; s != NULL && *s >= '0' && *s <= '9'; s++)
		n++;
	return s != NULL && *s == '\0' && n > 0 && n <= max;
}

/*
 * The run before the latest as CTRF's baseline.  Its reportId is a UUID
 * (version 8, RFC 9562) made from the SHA-256 of what names the run, so
 * the same run gets the same id in every report.
 */
static void
baseline(struct jw *w, const struct tally_record *r)
{
	static const char *const keys[] = { "path", "runId", "time",
	    "commit" };
	unsigned char h[TALLY_SHA256_LEN];
	struct tally_buf b;
	const char *t = tally_hist_str(r, "time"), *id = tally_hist_str(r,
	    "runId");
	char uuid[37];
	size_t i, k;

	tally_buf_init(&b);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (tally_buf_printf(&b, "%s%c", tally_hist_str(r, keys[i]) ?
		    tally_hist_str(r, keys[i]) : "", 0) != TALLY_OK) {
			w->rc = TALLY_ENOMEM;
			tally_buf_free(&b);
			return;
		}
	tally_sha256(b.data, b.len, h);
	tally_buf_free(&b);
	h[6] = (h[6] & 0x0f) | 0x80;
	h[8] = (h[8] & 0x3f) | 0x80;
	for (i = 0, k = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			uuid[k++] = '-';
		k += (size_t)snprintf(uuid + k, sizeof(uuid) - k, "%02x",
		    h[i]);
	}
	jw_open(w, "baseline", '{');
	jw_str(w, "reportId", uuid);
	/* RFC 3339 date-times only: 2026-12-01T08:00:00Z. */
	if (t != NULL && strlen(t) >= 20 && t[4] == '-' && t[10] == 'T')
		jw_str(w, "timestamp", t);
	jw_str(w, "source", tally_hist_str(r, "path"));
	if (digits(id, 15))
		jw_long(w, "buildNumber", strtoll(id, NULL, 10));
	jw_str(w, "buildName", id);
	jw_str(w, "buildUrl", tally_hist_str(r, "runUrl"));
	jw_str(w, "commit", tally_hist_str(r, "commit"));
	jw_open(w, "extra", '{');
	jw_num(w, "run", tally_hist_num(r, "run"));
	jw_num(w, "passRate", tally_hist_num(r, "passRate"));
	jw_close(w, '}');
	jw_close(w, '}');
}

int
tally_render_json(const struct tally_report *rep,
    const struct tally_render_opts *opts, FILE *fp, struct tally_error *err)
{
	const struct tally_record *r;
	struct jw w;
	size_t pos = 0;
	int more = 0;

	memset(&w, 0, sizeof(w));
	w.fp = fp;
	tally_buf_init(&w.out);

	jw_open(&w, NULL, '{');
	jw_str(&w, "reportFormat", "CTRF");
	jw_str(&w, "specVersion", CTRF_SPEC_VERSION);
	jw_str(&w, "generatedBy", "tally " TALLY_VERSION);
	jw_open(&w, "results", '{');
	jw_open(&w, "tool", '{');
	jw_str(&w, "name", "tally");
	jw_str(&w, "version", TALLY_VERSION);
	jw_close(&w, '}');
	summary(&w, rep);
	jw_open(&w, "tests", '[');
	while (w.rc == TALLY_OK &&
	    (more = tally_report_next_test(rep, &pos, &r, err)) == 1)
		test(&w, r);
	if (more < 0) {
		tally_buf_free(&w.out);
		return more;
	}
	jw_close(&w, ']');
	environment(&w, rep, opts != NULL ? opts->title : NULL);
	results_extra(&w, rep);
	jw_close(&w, '}');
	if (rep->history != NULL && rep->history->nruns > 0) {
		int rc = insights(&w, rep->history);

		if (rc != TALLY_OK && w.rc == TALLY_OK)
			w.rc = rc;
		if (rep->history->nruns > 1)
			baseline(&w, rep->history->runs[
			    rep->history->nruns - 2]);
	}
	jw_close(&w, '}');
	if (w.rc == TALLY_OK) {
		jw_putc(&w, '\n');
		jw_flush(&w);
	}
	tally_buf_free(&w.out);
	return tally_render_status(fp, w.rc, err);
}
