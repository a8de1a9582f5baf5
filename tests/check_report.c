/*
 * tests/check_report.c: building a report from a merge table: records by
 * kind, totals, metadata (meta records, CI variables, --meta) and every
 * gate, both ways.
 */
#include <sys/wait.h>

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include <tally/merge.h>
#include <tally/report.h>

#include "internal.h"
#include "testutil.h"

#define D "tests/data/merge/"

static const char *civars[] = {
	"GITHUB_SHA", "GITHUB_REF", "GITHUB_RUN_ID", "GITHUB_REPOSITORY",
	"GITHUB_SERVER_URL", "GITHUB_WORKFLOW", "CI_COMMIT_SHA",
	"CI_COMMIT_REF_NAME", "CI_PIPELINE_URL", "CI_JOB_URL",
	"BUILDKITE_PIPELINE_SLUG", "BUILDKITE_COMMIT", "BUILDKITE_BRANCH",
	"BUILDKITE_BUILD_NUMBER", "BUILDKITE_BUILD_URL", "GIT_COMMIT",
	"BUILD_URL", "DEPLOYMENT_ENV", "DEPLOYMENT_VERSION",
};

static void
clear_env(void)
{
	size_t i;

	for (i = 0; i < sizeof(civars) / sizeof(civars[0]); i++)
		unsetenv(civars[i]);
}

/* Read fixture files into a merge table and build a report. */
static struct tally_report *
build(const struct tally_report_opts *o, const char *first, ...)
{
	struct tally_merge *m;
	struct tally_sink *in;
	struct tally_error err;
	struct tally_report *r;
	const char *p;
	va_list ap;
	int fd;

	ck_assert_int_eq(tally_merge_new(&m), TALLY_OK);
	ck_assert_int_eq(tally_merge_input_new(&in, m), TALLY_OK);
	va_start(ap, first);
	for (p = first; p != NULL; p = va_arg(ap, const char *)) {
		ck_assert_int_ge(fd = open(p, O_RDONLY), 0);
		ck_assert_int_eq(tally_read_fd(fd, p, TALLY_FMT_STREAM, in,
		    &err), TALLY_OK);
		close(fd);
	}
	va_end(ap);
	tally_sink_free(in);
	ck_assert_int_eq(tally_merge_finish(m, &err), TALLY_OK);
	ck_assert_int_eq(tally_report_build(&r, m, o, &err), TALLY_OK);
	return r;
}

static const struct tally_gate *
gate(const struct tally_report *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->ngates; i++)
		if (strcmp(r->gates[i].name, name) == 0)
			return &r->gates[i];
	ck_abort_msg("no gate '%s'", name);
	return NULL;
}

START_TEST(totals_of_reruns)
{
	struct tally_report *r = build(NULL, D "gotestsum-rerun.jsonl",
	    D "ctest-run1.jsonl", D "ctest-run2.jsonl",
	    D "surefire-alwaysfail.jsonl", NULL);
	const struct tally_totals *t = &r->totals;

	ck_assert_uint_eq(r->ntests, 7);
	ck_assert_uint_eq(t->tests, 7);
	ck_assert_uint_eq(t->status[TALLY_PASSED], 4);
	ck_assert_uint_eq(t->status[TALLY_FAILED], 1);
	ck_assert_uint_eq(t->status[TALLY_SKIPPED], 2);
	ck_assert_uint_eq(t->flaky, 2);
	ck_assert_uint_eq(t->retried, 3);
	ck_assert_uint_eq(t->errors, 0);
	/* Final attempts only: 7780+0+2170 + 431+12+0 + 1 ms. */
	ck_assert(t->duration > 10393.9 && t->duration < 10394.1);
	/* 4 passed of 5 that ran. */
	ck_assert(t->pass_rate > 79.99 && t->pass_rate < 80.01);
	ck_assert_uint_eq(r->nsuites, 4);
	ck_assert_uint_eq(r->ngates, 0);
	ck_assert_int_eq(r->verdict_failed, 0);
	tally_report_free(r);
}
END_TEST

START_TEST(pass_rate_when_nothing_ran)
{
	struct tally_report_opts o = { TALLY_GATE_EMPTY, 100, NULL, 0, 0, 0, NULL, 0, NULL, 0, NULL };
	struct tally_report *r = build(&o, D "meta.jsonl", NULL);

	ck_assert_uint_eq(r->totals.tests, 0);
	ck_assert(r->totals.pass_rate == 100.0);
	ck_assert_int_eq(gate(r, "min-pass-rate")->failed, 0);
	ck_assert_int_eq(gate(r, "empty")->failed, 1);
	ck_assert_str_eq(gate(r, "empty")->detail, "no test results");
	ck_assert_int_eq(r->verdict_failed, 1);
	tally_report_free(r);
}
END_TEST

START_TEST(gate_failed)
{
	struct tally_report_opts o = { TALLY_GATE_FAILED, -1, NULL, 0, 0, 0, NULL, 0, NULL, 0, NULL };
	struct tally_report *r = build(&o, D "pytest-rerun-py3.10.jsonl",
	    D "pytest-rerun-py3.11.jsonl", NULL);

	ck_assert_uint_eq(r->ngates, 1);
	ck_assert_int_eq(r->gates[0].failed, 1);
	ck_assert_str_eq(r->gates[0].detail, "2 tests failed");
	ck_assert_int_eq(r->verdict_failed, 1);
	tally_report_free(r);
	r = build(&o, D "surefire-alwaysfail.jsonl", NULL);
	ck_assert_str_eq(r->gates[0].detail, "1 test failed");
	tally_report_free(r);
	r = build(&o, D "surefire-flaky.jsonl", NULL);
	ck_assert_int_eq(r->gates[0].failed, 0);
	ck_assert_str_eq(r->gates[0].detail, "no test failed");
	ck_assert_int_eq(r->verdict_failed, 0);
	tally_report_free(r);
}
END_TEST

START_TEST(gate_error)
{
	struct tally_report_opts o = { TALLY_GATE_ERROR, -1, NULL, 0, 0, 0, NULL, 0, NULL, 0, NULL };
	struct tally_report *r = build(&o, D "truncated.jsonl",
	    D "surefire-flaky.jsonl", NULL);

	ck_assert_uint_eq(r->nerrors, 1);
	ck_assert_uint_eq(r->totals.errors, 1);
	ck_assert_int_eq(gate(r, "error")->failed, 1);
	ck_assert_str_eq(gate(r, "error")->detail,
	    "1 input could not be read completely");
	ck_assert_int_eq(r->verdict_failed, 1);
	tally_report_free(r);
	r = build(&o, D "surefire-flaky.jsonl", NULL);
	ck_assert_int_eq(gate(r, "error")->failed, 0);
	ck_assert_int_eq(r->verdict_failed, 0);
	tally_report_free(r);
}
END_TEST

/* TALLY_GATE_LOST: the error gate, listed only when an input was lost. */
START_TEST(gate_lost)
{
	struct tally_report_opts o = { TALLY_GATE_LOST | TALLY_GATE_FAILED,
	    -1, NULL, 0, 0, 0, NULL, 0, NULL, 0, NULL };
	struct tally_report *r = build(&o, D "truncated.jsonl",
	    D "surefire-flaky.jsonl", NULL);

	ck_assert_uint_eq(r->ngates, 2);
	ck_assert_int_eq(gate(r, "error")->failed, 1);
	ck_assert_str_eq(gate(r, "error")->detail,
	    "1 input could not be read completely");
	ck_assert_int_eq(r->verdict_failed, 1);
	tally_report_free(r);
	r = build(&o, D "surefire-flaky.jsonl", NULL);
	ck_assert_uint_eq(r->ngates, 1);
	ck_assert_str_eq(r->gates[0].name, "failed");
	ck_assert_int_eq(r->verdict_failed, 0);
	tally_report_free(r);
	/* Not a word --fail-on takes. */
	ck_assert_int_ne(tally_gate_parse("lost", &o.fail_on), TALLY_OK);
}
END_TEST

START_TEST(gate_flaky)
{
	struct tally_report_opts o = { TALLY_GATE_FLAKY | TALLY_GATE_FAILED,
	    -1, NULL, 0, 0, 0, NULL, 0, NULL, 0, NULL };
	struct tally_report *r = build(&o, D "ctrf-retries.jsonl",
	    D "jest-retried.jsonl", NULL);

	ck_assert_uint_eq(r->ngates, 2);
	ck_assert_str_eq(r->gates[0].name, "failed");
	ck_assert_int_eq(r->gates[0].failed, 0);
	ck_assert_int_eq(gate(r, "flaky")->failed, 1);
	ck_assert_str_eq(gate(r, "flaky")->detail, "2 tests were flaky");
	ck_assert_int_eq(r->verdict_failed, 1);
	tally_report_free(r);
	r = build(&o, D "surefire-alwaysfail.jsonl", NULL);
	ck_assert_int_eq(gate(r, "flaky")->failed, 0);
	ck_assert_str_eq(gate(r, "flaky")->detail, "no test was flaky");
	tally_report_free(r);
}
END_TEST

START_TEST(gate_empty_with_tests)
{
	struct tally_report_opts o = { TALLY_GATE_EMPTY, -1, NULL, 0, 0, 0, NULL, 0, NULL, 0, NULL };
	struct tally_report *r = build(&o, D "jest-retried.jsonl", NULL);

	ck_assert_int_eq(gate(r, "empty")->failed, 0);
	ck_assert_str_eq(gate(r, "empty")->detail, "1 test result");
	ck_assert_int_eq(r->verdict_failed, 0);
	tally_report_free(r);
}
END_TEST

START_TEST(gate_min_pass_rate)
{
	struct tally_report_opts o = { 0, 80, NULL, 0, 0, 0, NULL, 0, NULL, 0, NULL };
	struct tally_report *r = build(&o, D "gotestsum-rerun.jsonl",
	    D "ctest-run1.jsonl", D "ctest-run2.jsonl",
	    D "surefire-alwaysfail.jsonl", NULL);

	/* 80% exactly meets 80. */
	ck_assert_int_eq(gate(r, "min-pass-rate")->failed, 0);
	ck_assert_str_eq(gate(r, "min-pass-rate")->detail,
	    "pass rate 80.00% is at least 80%");
	tally_report_free(r);
	o.min_pass_rate = 80.5;
	r = build(&o, D "gotestsum-rerun.jsonl", D "ctest-run1.jsonl",
	    D "ctest-run2.jsonl", D "surefire-alwaysfail.jsonl", NULL);
	ck_assert_int_eq(gate(r, "min-pass-rate")->failed, 1);
	ck_assert_str_eq(gate(r, "min-pass-rate")->detail,
	    "pass rate 80.00% is below 80.5%");
	ck_assert_int_eq(r->verdict_failed, 1);
	tally_report_free(r);
}
END_TEST

START_TEST(meta_records_env_then_options)
{
	struct tally_kv opt[] = { { "commit", "override" }, { "k", "v" } };
	struct tally_report_opts o = { 0, -1, opt, 2, 1, 0, NULL, 0, NULL, 0, NULL };
	struct tally_report *r;

	clear_env();
	setenv("GITHUB_SHA", "0123abc", 1);
	setenv("GITHUB_REPOSITORY", "o/r", 1);
	setenv("GITHUB_RUN_ID", "42", 1);
	setenv("GITHUB_SERVER_URL", "https://github.com", 1);
	setenv("DEPLOYMENT_ENV", "", 1);
	r = build(&o, D "meta.jsonl", NULL);
	/* Meta records first; a repeated key keeps its place. */
	ck_assert_str_eq(r->meta[0].key, "tool");
	ck_assert_str_eq(r->meta[1].key, "tool.version");
	ck_assert_str_eq(tally_kv_get(r->meta, r->nmeta, "run_url"),
	    "https://github.com/o/r/actions/runs/42");
	ck_assert_str_eq(tally_kv_get(r->meta, r->nmeta, "repository"), "o/r");
	ck_assert_str_eq(tally_kv_get(r->meta, r->nmeta, "run_id"), "42");
	/* --meta wins over the environment. */
	ck_assert_str_eq(tally_kv_get(r->meta, r->nmeta, "commit"),
	    "override");
	ck_assert_str_eq(r->meta[r->nmeta - 1].key, "k");
	ck_assert_ptr_null(tally_kv_get(r->meta, r->nmeta, "environment"));
	tally_report_free(r);
	o.use_env = 0;
	o.nmeta = 0;
	r = build(&o, D "meta.jsonl", NULL);
	ck_assert_ptr_null(tally_kv_get(r->meta, r->nmeta, "commit"));
	ck_assert_uint_eq(r->nmeta, 2);
	tally_report_free(r);
	clear_env();
}
END_TEST

START_TEST(meta_gitlab_buildkite_jenkins)
{
	struct tally_report_opts o = { 0, -1, NULL, 0, 1, 0, NULL, 0, NULL, 0, NULL };
	struct tally_report *r;

	clear_env();
	setenv("CI_COMMIT_SHA", "c0ffee", 1);
	setenv("CI_COMMIT_REF_NAME", "main", 1);
	setenv("CI_PIPELINE_URL", "https://gitlab.example/p/-/pipelines/7", 1);
	setenv("CI_JOB_URL", "https://gitlab.example/p/-/jobs/9", 1);
	setenv("DEPLOYMENT_ENV", "staging", 1);
	setenv("DEPLOYMENT_VERSION", "1.2.3", 1);
	r = build(&o, D "jest-retried.jsonl", NULL);
	ck_assert_str_eq(tally_kv_get(r->meta, r->nmeta, "commit"), "c0ffee");
	ck_assert_str_eq(tally_kv_get(r->meta, r->nmeta, "ref"), "main");
	ck_assert_str_eq(tally_kv_get(r->meta, r->nmeta, "run_url"),
	    "https://gitlab.example/p/-/pipelines/7");
	ck_assert_str_eq(tally_kv_get(r->meta, r->nmeta, "job_url"),
	    "https://gitlab.example/p/-/jobs/9");
	ck_assert_str_eq(tally_kv_get(r->meta, r->nmeta, "environment"),
	    "staging");
	ck_assert_str_eq(tally_kv_get(r->meta, r->nmeta, "version"), "1.2.3");
	tally_report_free(r);
	clear_env();
	setenv("BUILDKITE_COMMIT", "b1", 1);
	setenv("BUILDKITE_BUILD_URL", "https://buildkite.com/o/p/builds/3", 1);
	r = build(&o, D "jest-retried.jsonl", NULL);
	ck_assert_str_eq(tally_kv_get(r->meta, r->nmeta, "commit"), "b1");
	ck_assert_str_eq(tally_kv_get(r->meta, r->nmeta, "run_url"),
	    "https://buildkite.com/o/p/builds/3");
	tally_report_free(r);
	clear_env();
	setenv("GIT_COMMIT", "j1", 1);
	setenv("BUILD_URL", "https://jenkins.example/job/x/5/", 1);
	r = build(&o, D "jest-retried.jsonl", NULL);
	ck_assert_str_eq(tally_kv_get(r->meta, r->nmeta, "commit"), "j1");
	ck_assert_str_eq(tally_kv_get(r->meta, r->nmeta, "run_url"),
	    "https://jenkins.example/job/x/5/");
	tally_report_free(r);
	clear_env();
}
END_TEST

START_TEST(records_by_kind)
{
	struct tally_report *r = build(NULL, D "truncated.jsonl",
	    D "meta.jsonl", D "surefire-flaky.jsonl", NULL);
	size_t i;

	ck_assert_uint_eq(r->ntests, 2);
	ck_assert_uint_eq(r->nsuites, 2);
	ck_assert_uint_eq(r->nerrors, 1);
	ck_assert_uint_eq(r->nperf, 0);
	for (i = 0; i < r->ntests; i++)
		ck_assert_int_eq(r->tests[i]->type, TALLY_REC_TEST);
	ck_assert_int_eq(r->errors[0]->type, TALLY_REC_ERROR);
	tally_report_free(r);
	tally_report_free(NULL);
}
END_TEST

START_TEST(gate_names_and_renderers)
{
	unsigned bit = 0;
	size_t i;

	ck_assert_int_eq(tally_gate_parse("failed", &bit), TALLY_OK);
	ck_assert_uint_eq(bit, TALLY_GATE_FAILED);
	ck_assert_int_eq(tally_gate_parse("empty", &bit), TALLY_OK);
	ck_assert_uint_eq(bit, TALLY_GATE_EMPTY);
	ck_assert_int_eq(tally_gate_parse("Failed", &bit), TALLY_EINVAL);
	ck_assert_int_eq(tally_gate_parse(NULL, &bit), TALLY_EINVAL);
	ck_assert_ptr_null(tally_renderer("no-such-format"));
	ck_assert_ptr_null(tally_renderer(NULL));
	for (i = 0; tally_renderer_name(i) != NULL; i++)
		ck_assert_ptr_nonnull(tally_renderer(tally_renderer_name(i)));
	ck_assert_ptr_null(tally_renderer_name(i + 1));
}
END_TEST


/* ---- streamed tests ---- */

static const char *const all_fixtures[] = {
	D "surefire-flaky.jsonl", D "surefire-alwaysfail.jsonl",
	D "surefire-flaky-stacktrace.jsonl", D "pytest-rerun.jsonl",
	D "pytest-rerun-py3.10.jsonl", D "pytest-rerun-py3.11.jsonl",
	D "gotestsum-rerun.jsonl", D "ctrf-retries.jsonl",
	D "jest-retried.jsonl", D "truncated.jsonl", D "ctest-run1.jsonl",
	D "ctest-run2.jsonl", D "meta.jsonl",
};

/* Every fixture, merged in runs of run_bytes (0: default). */
static struct tally_report *
build_all(int streamed, size_t run_bytes)
{
	struct tally_report_opts o = { TALLY_GATE_FAILED, 50, NULL, 0, 0, 0, NULL, 0, NULL, 0, NULL };
	struct tally_merge *m;
	struct tally_sink *in;
	struct tally_error err;
	struct tally_report *r;
	size_t i;
	int fd;

	o.stream_tests = streamed;
	ck_assert_int_eq(tally_merge_new(&m), TALLY_OK);
	tally_merge_set_run_bytes(m, run_bytes);
	ck_assert_int_eq(tally_merge_input_new(&in, m), TALLY_OK);
	/* Backwards: out of canonical order, so the table is used. */
	for (i = sizeof(all_fixtures) / sizeof(*all_fixtures); i-- > 0; ) {
		ck_assert_int_ge(fd = open(all_fixtures[i], O_RDONLY), 0);
		ck_assert_int_eq(tally_read_fd(fd, all_fixtures[i],
		    TALLY_FMT_STREAM, in, &err), TALLY_OK);
		close(fd);
	}
	tally_sink_free(in);
	ck_assert_int_eq(tally_merge_finish(m, &err), TALLY_OK);
	ck_assert_int_eq(tally_report_build(&r, m, &o, &err), TALLY_OK);
	return r;
}

static char *
render_str(const char *format, const struct tally_report *r)
{
	struct tally_render_opts opts;
	struct tally_error err;
	char *s = NULL;
	size_t n = 0;
	FILE *fp;

	memset(&opts, 0, sizeof(opts));
	opts.group_by = "python";
	ck_assert_ptr_nonnull(fp = open_memstream(&s, &n));
	tally_error_init(&err, NULL);
	ck_assert_int_eq(tally_renderer(format)(r, &opts, fp, &err),
	    TALLY_OK);
	fclose(fp);
	return s;
}

/*
 * Each renderer that can stream gives the same bytes from a report whose
 * tests are streamed (from memory, and from many spilled runs) as from
 * one that keeps them.
 */
START_TEST(streamed_report_same_bytes)
{
	struct tally_report *kept = build_all(0, 0);
	struct tally_report *mem = build_all(1, 0);
	struct tally_report *runs = build_all(1, 1);
	const char *f;
	char *a, *b, *c;
	size_t i;

	ck_assert_ptr_nonnull(kept->tests);
	ck_assert_ptr_null(runs->tests);
	ck_assert_uint_eq(runs->ntests, kept->ntests);
	ck_assert_uint_eq(runs->totals.tests, kept->totals.tests);
	for (i = 0; (f = tally_renderer_name(i)) != NULL; i++) {
		if (!tally_renderer_streams(f))
			continue;
		a = render_str(f, kept);
		b = render_str(f, mem);
		c = render_str(f, runs);
		ck_assert_msg(strcmp(a, b) == 0, "%s: streamed differs", f);
		ck_assert_msg(strcmp(a, c) == 0, "%s: spilled differs", f);
		/* A second rendering reads the tests again. */
		free(c);
		c = render_str(f, runs);
		ck_assert_msg(strcmp(a, c) == 0, "%s: second pass differs", f);
		free(a);
		free(b);
		free(c);
	}
	tally_report_free(kept);
	tally_report_free(mem);
	tally_report_free(runs);
}
END_TEST

/* ---- memory bound ---- */

#if defined(__SANITIZE_ADDRESS__)
#define TALLY_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TALLY_ASAN 1
#endif
#endif

#define BIG_TESTS 300000

/* Render of a large unmerged stream, format by format. */
START_TEST(render_memory_bounded)
{
	const char *f = tally_renderer_name((size_t)_i);
	const char *args[] = { "-f", f, "-", NULL };
	struct collect_run r;
	size_t tests = BIG_TESTS;
	int fd;

	if (!tally_renderer_streams(f))
		return;		/* not bounded yet: see tally-render(1) */
#ifdef TALLY_ASAN
	tests /= 20;
#endif
	fd = big_stream(tests);
	tool_run("tally-render", args, fd, &r);
	close(fd);
	ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0,
	    "%s -f %s exited with status %d", r.exe, f, r.status);
	ck_assert_uint_gt(r.lines, 0);
#ifndef TALLY_ASAN
	ck_assert_msg(r.ru.ru_maxrss < 64 * 1024, "-f %s: peak RSS %ld KiB",
	    f, r.ru.ru_maxrss);
#endif
	fprintf(stderr, "render -f %s memory bound: %zu tests, peak RSS "
	    "%ld KiB\n", f, tests, r.ru.ru_maxrss);
}
END_TEST

Suite *suite_report(void);
Suite *
suite_report(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("report");

	tcase_add_test(tc, totals_of_reruns);
	tcase_add_test(tc, pass_rate_when_nothing_ran);
	tcase_add_test(tc, gate_failed);
	tcase_add_test(tc, gate_error);
	tcase_add_test(tc, gate_lost);
	tcase_add_test(tc, gate_flaky);
	tcase_add_test(tc, gate_empty_with_tests);
	tcase_add_test(tc, gate_min_pass_rate);
	tcase_add_test(tc, meta_records_env_then_options);
	tcase_add_test(tc, meta_gitlab_buildkite_jenkins);
	tcase_add_test(tc, records_by_kind);
	tcase_add_test(tc, gate_names_and_renderers);
	tcase_add_test(tc, streamed_report_same_bytes);
	suite_add_tcase(s, tc);
	tc = tcase_create("render-memory");
	tcase_add_loop_test(tc, render_memory_bounded, 0, 6);
	/* A hang guard, never a speed assertion. */
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}
