/*
 * tests/render_fixture.h: reports built by hand for the renderer suites,
 * with totals computed as include/tally/report.h defines them.
 */
#ifndef RENDER_FIXTURE_H
#define RENDER_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tally/report.h>

#include "testutil.h"

#define FX_MAX 32

struct fixture {
	struct tally_report	 rep;
	struct tally_record	 rec[FX_MAX];
	const struct tally_record *tests[FX_MAX];
	const struct tally_record *suites[FX_MAX];
	const struct tally_record *errors[FX_MAX];
	const struct tally_record *perf[FX_MAX];
	size_t			 nrec;
};

/* A name no well-behaved producer would write. */
#define FX_HOSTILE "</testcase>]]>\"&'<x>\x1b[31mred\x1b[0m\x01\x7f\xff\xfe end"

static inline void
fx_init(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->rep.tests = f->tests;
	f->rep.suites = f->suites;
	f->rep.errors = f->errors;
	f->rep.perf = f->perf;
}

static inline struct tally_record *
fx_new(struct fixture *f, enum tally_type type)
{
	struct tally_record *r = &f->rec[f->nrec++];

	tally_record_init(r, type);
	switch (type) {
	case TALLY_REC_TEST:	f->tests[f->rep.ntests++] = r; break;
	case TALLY_REC_SUITE:	f->suites[f->rep.nsuites++] = r; break;
	case TALLY_REC_ERROR:	f->errors[f->rep.nerrors++] = r; break;
	case TALLY_REC_PERF:	f->perf[f->rep.nperf++] = r; break;
	default:		break;
	}
	return r;
}

static inline struct tally_test *
fx_test(struct fixture *f, const char **suite, size_t nsuite,
    const char *classname, const char *name, enum tally_status st,
    const char *raw, double ms)
{
	struct tally_record *r = fx_new(f, TALLY_REC_TEST);
	struct tally_test *t = &r->u.test;

	t->suite = suite;
	t->nsuite = nsuite;
	t->classname = classname;
	t->name = name;
	t->status = st;
	t->raw_status = raw;
	t->duration = ms;
	r->source = "results/r.xml";
	return t;
}

/* The record holding test t, to set its labels. */
static inline struct tally_record *
fx_rec_of(struct fixture *f, struct tally_test *t)
{
	size_t i;

	for (i = 0; i < f->nrec; i++)
		if (&f->rec[i].u.test == t)
			return &f->rec[i];
	return NULL;
}

/* Totals as report.h defines them. */
static inline void
fx_totals(struct fixture *f)
{
	report_totals(&f->rep);
}

static const char *fx_outer[] = { "Outer" };
static const char *fx_inner[] = { "Outer", "Inner" };
static const char *fx_matrix[] = { "Matrix" };
static struct tally_kv fx_py311[] = { { "python", "3.11" },
    { "os", "linux" } };
static struct tally_kv fx_py312[] = { { "os", "linux" },
    { "python", "3.12" } };
static struct tally_kv fx_props[] = { { "owner", "team-a" },
    { "owner", "team-b" } };
static struct tally_kv fx_suite_props[] = { { "java.version", "17" } };

/*
 * Every feature at once: nested suites with suite records, failures and
 * errors, skips, a flaky test and a rerun one, matrix cells, hostile
 * strings, an input error, a perf row and metadata.  With flat set, only
 * one level of suites, no labels and no suite output (what Surefire's
 * and the Jenkins schema can hold).
 */
static inline void
fx_rich(struct fixture *f, int flat)
{
	static struct tally_attempt flaky_att[2], rerun_att[1];
	static struct tally_kv meta[] = {
		{ "branch", "feature" }, { "commit", "abc123" },
		{ "buildNumber", "42" }, { "custom", "x\"y" },
		{ "branchName", "main" }, { "custom", "z" },
		{ "build_number", "not-a-number" },
	};
	struct tally_test *t;
	struct tally_record *r;

	fx_init(f);
	t = fx_test(f, flat ? fx_outer : fx_inner, flat ? 1 : 2, "pkg.A",
	    "passes", TALLY_PASSED, NULL, 12);
	t->file_path = "t/a.py";
	t->line = 10;
	t->properties = fx_props;
	t->nproperties = 2;
	t = fx_test(f, fx_outer, 1, "pkg.B", "fails", TALLY_FAILED, "failure",
	    1500);
	t->message = "expected 1, got 2";
	t->type = "AssertionError";
	t->trace = "Traceback:\n  at b.py:3\n\tdeep ]]> end";
	t->stdout_text = "out one\nout two\n";
	t->stderr_text = "err \x1b[1mbold\x1b[0m";
	t = fx_test(f, fx_outer, 1, "pkg.B", "errors", TALLY_FAILED, "error", 3);
	t->message = "boom";
	t->type = "RuntimeError";
	t->trace = "RuntimeError: boom";
	t = fx_test(f, flat ? fx_outer : fx_inner, flat ? 1 : 2, "pkg.A",
	    "skips", TALLY_SKIPPED, "skipped", 0);
	t->message = "not today";
	/* Surefire needs every time: the flat report knows them all. */
	t = fx_test(f, NULL, 0, "pkg.C", "pends", TALLY_PENDING, "pending",
	    flat ? 0 : -1);
	t = fx_test(f, fx_outer, 1, "pkg.B", "other", TALLY_OTHER, "weird", 1);

	/* Flaky: failed, errored, then passed. */
	t = fx_test(f, fx_outer, 1, "pkg.F", "flaky", TALLY_PASSED, "passed",
	    20);
	t->flaky = 1;
	t->retries = 2;
	memset(flaky_att, 0, sizeof(flaky_att));
	flaky_att[0].status = TALLY_FAILED;
	flaky_att[0].raw_status = "failure";
	flaky_att[0].duration = 18;
	flaky_att[0].message = "first try";
	flaky_att[0].type = "AssertionError";
	flaky_att[0].trace = "trace one\nline two";
	flaky_att[0].stdout_text = "attempt out\n";
	flaky_att[0].stderr_text = "attempt err\n";
	flaky_att[1].status = TALLY_FAILED;
	flaky_att[1].raw_status = "error";
	flaky_att[1].duration = 19;
	flaky_att[1].message = "second try";
	flaky_att[1].type = "IOError";
	flaky_att[1].trace = "trace two";
	t->attempts = flaky_att;
	t->nattempts = 2;

	/* Failed twice. */
	t = fx_test(f, fx_outer, 1, "pkg.F", "broken", TALLY_FAILED, "failure",
	    5);
	t->message = "still broken";
	t->type = "AssertionError";
	t->trace = "trace final";
	t->retries = 1;
	memset(rerun_att, 0, sizeof(rerun_att));
	rerun_att[0].status = TALLY_FAILED;
	rerun_att[0].raw_status = "failure";
	rerun_att[0].duration = 4;
	rerun_att[0].message = "broken before";
	rerun_att[0].type = "AssertionError";
	rerun_att[0].trace = "trace earlier";
	t->attempts = rerun_att;
	t->nattempts = 1;

	t = fx_test(f, fx_outer, 1, "pkg.H\"q", FX_HOSTILE, TALLY_FAILED,
	    "failure", 2);
	t->message = "msg " FX_HOSTILE;
	t->type = "T<&>";
	t->trace = "trace " FX_HOSTILE "\r\nnext";
	t->stdout_text = FX_HOSTILE;

	if (!flat) {
		t = fx_test(f, fx_matrix, 1, "pkg.M", "cell", TALLY_PASSED, NULL,
		    7);
		r = fx_rec_of(f, t);
		r->labels = fx_py311;
		r->nlabels = 2;
		t = fx_test(f, fx_matrix, 1, "pkg.M", "cell", TALLY_FAILED,
		    "failure", 8);
		t->message = "3.12 only";
		t->type = "AssertionError";
		r = fx_rec_of(f, t);
		r->labels = fx_py312;
		r->nlabels = 2;
		t = fx_test(f, NULL, 0, "pkg.M", "loose", TALLY_PASSED, NULL, 1);
		r = fx_rec_of(f, t);
		r->labels = fx_py312;
		r->nlabels = 2;
	}

	r = fx_new(f, TALLY_REC_SUITE);
	r->u.suite.path = fx_outer;
	r->u.suite.npath = 1;
	r->u.suite.timestamp = "2026-11-25T10:00:00";
	r->u.suite.hostname = "ci-runner-7";
	r->u.suite.duration = 2000;
	r->u.suite.properties = fx_suite_props;
	r->u.suite.nproperties = 1;
	if (!flat) {
		r->u.suite.stdout_text = "suite out\n";
		r->u.suite.stderr_text = "suite err\n";
		r = fx_new(f, TALLY_REC_SUITE);
		r->u.suite.path = fx_inner;
		r->u.suite.npath = 2;
		r->u.suite.hostname = "inner-host";
	}

	r = fx_new(f, TALLY_REC_ERROR);
	r->source = "results/bad.xml";
	r->u.error.line = 3;
	r->u.error.column = 4;
	r->u.error.message = "unexpected end of file";

	r = fx_new(f, TALLY_REC_PERF);
	r->source = "locust.csv";
	r->u.perf.name = "/api";
	r->u.perf.method = "GET";
	r->u.perf.requests = 100;
	r->u.perf.failures = 2;
	r->u.perf.mean = 12.5;
	r->u.perf.p95 = 30;
	r->u.perf.rps = 0.1;

	f->rep.meta = meta;
	f->rep.nmeta = sizeof(meta) / sizeof(meta[0]);
	fx_totals(f);
}

/* Render into a malloc'd NUL-terminated string; *len gets its length. */
static inline char *
fx_render(tally_render_fn fn, const struct tally_report *rep,
    const struct tally_render_opts *opts, size_t *len, int *rc)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&buf, &n);
	struct tally_error err;

	tally_error_init(&err, NULL);
	*rc = fn(rep, opts, fp, &err);
	fclose(fp);
	if (len != NULL)
		*len = n;
	return buf;
}

/* Write s to a fresh temporary file; returns its path (static). */
static inline const char *
fx_tmpfile(const char *s, size_t n, const char *suffix)
{
	static char path[64];
	FILE *fp;
	int fd;

	snprintf(path, sizeof(path), "/tmp/tally-render-XXXXXX%s", suffix);
	fd = mkstemps(path, (int)strlen(suffix));
	if (fd < 0 || (fp = fdopen(fd, "w")) == NULL)
		return NULL;
	fwrite(s, 1, n, fp);
	fclose(fp);
	return path;
}

#endif /* RENDER_FIXTURE_H */
