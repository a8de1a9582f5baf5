/*
 * tests/check_render_ctrf.c: the CTRF JSON renderer.  Output is parsed
 * back with tally's strict cJSON front end (duplicate keys refused) and
 * validated against tests/data/schema/ctrf.schema.json with Debian's
 * python3-jsonschema ("make test-deps", run by "make check", installs it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <check.h>
#include <cJSON.h>

#include "escape.h"
#include "render.h"
#include "render_fixture.h"

#define SCHEMA "tests/data/schema/ctrf.schema.json"
#define VALIDATOR "tests/data/schema/validate_json.py"

static char *
render_fx(const struct fixture *f, const struct tally_render_opts *opts,
    size_t *n)
{
	int rc;
	char *s = fx_render(tally_render_json, &f->rep, opts, n, &rc);

	ck_assert_int_eq(rc, TALLY_OK);
	return s;
}

static cJSON *
parse(const char *s, size_t n)
{
	struct tally_error err;
	cJSON *j = NULL;

	tally_error_init(&err, "out.json");
	ck_assert_msg(tally_json_parse(s, n, 1, &j, &err) == TALLY_OK,
	    "not JSON: %ld:%ld: %s", err.line, err.column, err.message);
	return j;
}

/* Exit status of the schema validator on document s; quiet hides what
 * it says. */
static int
schema_check_q(const char *s, size_t n, int quiet)
{
	const char *path = fx_tmpfile(s, n, ".json");
	const char *py = access("/usr/bin/python3", X_OK) == 0 ?
	    "/usr/bin/python3" : "python3";
	char cmd[512];
	int st;

	ck_assert_ptr_nonnull(path);
	snprintf(cmd, sizeof(cmd), "%s %s %s %s%s", py, VALIDATOR, SCHEMA, path,
	    quiet ? " 2>/dev/null" : "");
	st = system(cmd);
	unlink(path);
	ck_assert_msg(st != -1 && WIFEXITED(st), "cannot run %s", cmd);
	ck_assert_msg(WEXITSTATUS(st) != 2,
	    "python3-jsonschema is missing: run make test-deps");
	return WEXITSTATUS(st);
}

static int
schema_check(const char *s, size_t n)
{
	return schema_check_q(s, n, 0);
}

/* Member by path "a.b.0.c"; numbers index arrays. */
static const cJSON *
at(const cJSON *j, const char *path)
{
	char buf[256], *p, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = strtok_r(buf, ".", &save); p != NULL && j != NULL;
	    p = strtok_r(NULL, ".", &save)) {
		if (cJSON_IsArray(j))
			j = cJSON_GetArrayItem(j, atoi(p));
		else
			j = cJSON_GetObjectItemCaseSensitive(j, p);
	}
	return j;
}

static void
want_str(const cJSON *j, const char *path, const char *want)
{
	const cJSON *v = at(j, path);

	ck_assert_msg(cJSON_IsString(v), "%s: not a string", path);
	ck_assert_msg(strcmp(v->valuestring, want) == 0,
	    "%s: got '%s', want '%s'", path, v->valuestring, want);
}

static void
want_int(const cJSON *j, const char *path, double want)
{
	const cJSON *v = at(j, path);

	ck_assert_msg(cJSON_IsNumber(v), "%s: not a number", path);
	ck_assert_msg(v->valuedouble == want, "%s: got %g, want %g", path,
	    v->valuedouble, want);
}

static void
want_absent(const cJSON *j, const char *path)
{
	ck_assert_msg(at(j, path) == NULL, "%s: present", path);
}

/* The test named name (first one). */
static const cJSON *
test_named(const cJSON *j, const char *name)
{
	const cJSON *t;

	cJSON_ArrayForEach(t, at(j, "results.tests")) {
		const cJSON *nm = cJSON_GetObjectItemCaseSensitive(t, "name");

		if (cJSON_IsString(nm) && strcmp(nm->valuestring, name) == 0)
			return t;
	}
	ck_abort_msg("no test '%s'", name);
	return NULL;
}

START_TEST(valid_against_ctrf_schema)
{
	struct fixture f;
	size_t n;
	char *s, *bad;

	fx_rich(&f, 0);
	s = render_fx(&f, NULL, &n);
	ck_assert_int_eq(schema_check(s, n), 0);
	/* The validator does say no. */
	bad = strdup(s);
	memcpy(strstr(bad, "\"status\": \"passed\""), "\"status\": \"passes\"",
	    18);
	ck_assert_int_eq(schema_check_q(bad, n, 1), 1);
	free(bad);
	free(s);
}
END_TEST

START_TEST(empty_report_is_valid)
{
	struct fixture f;
	size_t n;
	char *s;
	cJSON *j;

	fx_init(&f);
	fx_totals(&f);
	s = render_fx(&f, NULL, &n);
	ck_assert_int_eq(schema_check(s, n), 0);
	j = parse(s, n);
	ck_assert_int_eq(cJSON_GetArraySize(at(j, "results.tests")), 0);
	want_int(j, "results.summary.tests", 0);
	want_int(j, "results.summary.extra.passRate", 100);
	want_absent(j, "results.environment");
	want_absent(j, "results.extra");
	cJSON_Delete(j);
	free(s);
}
END_TEST

/* Required fields and types by hand, and a summary that adds up. */
START_TEST(summary_adds_up)
{
	static const char *const st[] = {
		"passed", "failed", "skipped", "pending", "other"
	};
	struct fixture f;
	const cJSON *t;
	size_t n, i, by[5] = { 0 }, flaky = 0;
	char *s;
	cJSON *j;

	fx_rich(&f, 0);
	s = render_fx(&f, NULL, &n);
	j = parse(s, n);
	want_str(j, "reportFormat", "CTRF");
	want_str(j, "specVersion", "0.0.0");
	want_str(j, "results.tool.name", "tally");
	cJSON_ArrayForEach(t, at(j, "results.tests")) {
		const cJSON *status = at(t, "status");

		ck_assert(cJSON_IsString(at(t, "name")));
		ck_assert(strlen(at(t, "name")->valuestring) > 0);
		ck_assert(cJSON_IsNumber(at(t, "duration")));
		ck_assert(at(t, "duration")->valuedouble ==
		    (double)(long long)at(t, "duration")->valuedouble);
		for (i = 0; i < 5; i++)
			if (strcmp(status->valuestring, st[i]) == 0)
				break;
		ck_assert_uint_lt(i, 5);
		by[i]++;
		flaky += cJSON_IsTrue(at(t, "flaky"));
	}
	want_int(j, "results.summary.tests", (double)f.rep.ntests);
	ck_assert_int_eq(cJSON_GetArraySize(at(j, "results.tests")),
	    (int)f.rep.ntests);
	for (i = 0; i < 5; i++) {
		char path[64];

		snprintf(path, sizeof(path), "results.summary.%s", st[i]);
		want_int(j, path, (double)by[i]);
		ck_assert_uint_eq(by[i], f.rep.totals.status[i]);
	}
	want_int(j, "results.summary.flaky", (double)flaky);
	want_int(j, "results.summary.duration", 1559);
	want_int(j, "results.summary.start", 0);
	want_int(j, "results.summary.stop", 1559);
	want_int(j, "results.summary.extra.inputErrors", 1);
	want_int(j, "results.summary.extra.retried", 2);
	want_int(j, "results.summary.extra.passRate", 40);
	cJSON_Delete(j);
	free(s);
}
END_TEST

START_TEST(test_fields)
{
	struct fixture f;
	const cJSON *t;
	size_t n;
	char *s;
	cJSON *j;

	fx_rich(&f, 0);
	s = render_fx(&f, NULL, &n);
	j = parse(s, n);
	t = test_named(j, "passes");
	want_str(t, "suite.0", "Outer");
	want_str(t, "suite.1", "Inner");
	want_int(t, "line", 10);
	want_str(t, "filePath", "t/a.py");
	want_str(t, "extra.classname", "pkg.A");
	want_str(t, "extra.properties.0.value", "team-a");
	want_str(t, "extra.properties.1.value", "team-b");
	want_str(t, "extra.source", "results/r.xml");
	want_absent(t, "flaky");
	want_absent(t, "message");

	t = test_named(j, "fails");
	want_str(t, "status", "failed");
	want_int(t, "duration", 1500);
	want_str(t, "message", "expected 1, got 2");
	want_str(t, "trace", "Traceback:\n  at b.py:3\n\tdeep ]]> end");
	want_str(t, "rawStatus", "failure");
	want_str(t, "stdout.0", "out one");
	want_str(t, "stdout.1", "out two");
	ck_assert_int_eq(cJSON_GetArraySize(at(t, "stdout")), 2);
	want_str(t, "stderr.0", "err \x1b[1mbold\x1b[0m");
	want_str(t, "extra.errorType", "AssertionError");

	t = test_named(j, "pends");
	want_str(t, "status", "pending");
	want_int(t, "duration", 0);		/* unknown */
	want_absent(t, "suite");

	t = test_named(j, "flaky");
	ck_assert(cJSON_IsTrue(at(t, "flaky")));
	want_int(t, "retries", 2);
	want_int(t, "retryAttempts.0.attempt", 1);
	want_str(t, "retryAttempts.0.status", "failed");
	want_int(t, "retryAttempts.0.duration", 18);
	want_str(t, "retryAttempts.0.message", "first try");
	want_str(t, "retryAttempts.0.trace", "trace one\nline two");
	want_str(t, "retryAttempts.0.stdout.0", "attempt out");
	want_str(t, "retryAttempts.0.extra.rawStatus", "failure");
	want_str(t, "retryAttempts.0.extra.errorType", "AssertionError");
	want_int(t, "retryAttempts.1.attempt", 2);
	want_str(t, "retryAttempts.1.extra.rawStatus", "error");

	t = test_named(j, "broken");
	ck_assert(cJSON_IsFalse(at(t, "flaky")));
	want_int(t, "retries", 1);

	/* Matrix cells keep their labels under extra. */
	t = at(j, "results.tests.9");
	want_str(t, "name", "cell");
	want_str(t, "extra.labels.python", "3.11");
	want_str(t, "extra.labels.os", "linux");
	t = at(j, "results.tests.10");
	want_str(t, "extra.labels.python", "3.12");
	cJSON_Delete(j);
	free(s);
}
END_TEST

START_TEST(environment_and_extras)
{
	struct fixture f;
	struct tally_render_opts opts;
	size_t n;
	char *s;
	cJSON *j;

	fx_rich(&f, 0);
	memset(&opts, 0, sizeof(opts));
	opts.title = "Nightly";
	s = render_fx(&f, &opts, &n);
	ck_assert_int_eq(schema_check(s, n), 0);
	j = parse(s, n);
	want_str(j, "results.environment.reportName", "Nightly");
	want_str(j, "results.environment.branchName", "main");	/* later */
	want_str(j, "results.environment.commit", "abc123");
	want_int(j, "results.environment.buildNumber", 42);
	want_str(j, "results.environment.extra.custom", "z");	/* later */
	want_str(j, "results.environment.extra.build_number", "not-a-number");
	want_str(j, "results.extra.inputErrors.0.source", "results/bad.xml");
	want_int(j, "results.extra.inputErrors.0.line", 3);
	want_int(j, "results.extra.inputErrors.0.column", 4);
	want_str(j, "results.extra.inputErrors.0.message",
	    "unexpected end of file");
	want_str(j, "results.extra.suites.0.hostname", "ci-runner-7");
	want_str(j, "results.extra.suites.0.properties.0.name", "java.version");
	want_str(j, "results.extra.suites.0.stdout.0", "suite out");
	want_str(j, "results.extra.perf.0.name", "/api");
	want_int(j, "results.extra.perf.0.requests", 100);
	want_int(j, "results.extra.perf.0.mean", 12.5);
	want_int(j, "results.extra.perf.0.rps", 0.1);
	want_absent(j, "results.extra.perf.0.p99");
	cJSON_Delete(j);
	free(s);
}
END_TEST

START_TEST(hostile_strings_stay_data)
{
	struct fixture f;
	const cJSON *t;
	size_t n, i, k;
	unsigned cp;
	char *s;
	cJSON *j;

	fx_rich(&f, 0);
	s = render_fx(&f, NULL, &n);
	/* Valid UTF-8, no raw control byte but newline. */
	for (i = 0; i < n; i += k) {
		k = tally_utf8_decode((const unsigned char *)s + i, n - i, &cp);
		ck_assert_msg(!(cp == 0xFFFD && k == 1), "bad UTF-8 at %zu", i);
		ck_assert_msg(cp >= 0x20 || cp == '\n', "control at %zu", i);
	}
	j = parse(s, n);
	t = at(j, "results.tests.8");
	/* Exactly the input, invalid bytes repaired to U+FFFD. */
	want_str(t, "name", "</testcase>]]>\"&'<x>\x1b[31mred\x1b[0m\x01\x7f"
	    "\xef\xbf\xbd\xef\xbf\xbd end");
	want_str(t, "extra.classname", "pkg.H\"q");
	want_str(t, "extra.errorType", "T<&>");
	want_str(t, "trace", "trace </testcase>]]>\"&'<x>\x1b[31mred\x1b[0m"
	    "\x01\x7f\xef\xbf\xbd\xef\xbf\xbd end\r\nnext");
	cJSON_Delete(j);
	free(s);
}
END_TEST

START_TEST(lines_and_unknowns)
{
	struct fixture f;
	struct tally_test *t;
	size_t n;
	char *s;
	cJSON *j;

	fx_init(&f);
	t = fx_test(&f, NULL, 0, NULL, NULL, TALLY_OTHER, NULL, -1);
	t->stdout_text = "a\n\nb";
	t->stderr_text = "\n";
	t = fx_test(&f, NULL, 0, NULL, "", TALLY_PASSED, NULL, 2.5);
	t->stdout_text = "";
	fx_totals(&f);
	s = render_fx(&f, NULL, &n);
	ck_assert_int_eq(schema_check(s, n), 0);
	j = parse(s, n);
	want_str(j, "results.tests.0.name", "(unnamed)");
	want_int(j, "results.tests.0.duration", 0);
	ck_assert_int_eq(cJSON_GetArraySize(at(j, "results.tests.0.stdout")),
	    3);
	want_str(j, "results.tests.0.stdout.1", "");
	want_str(j, "results.tests.0.stdout.2", "b");
	ck_assert_int_eq(cJSON_GetArraySize(at(j, "results.tests.0.stderr")),
	    1);
	want_str(j, "results.tests.0.stderr.0", "");
	want_str(j, "results.tests.1.name", "(unnamed)");
	want_int(j, "results.tests.1.duration", 3);	/* rounded */
	ck_assert_int_eq(cJSON_GetArraySize(at(j, "results.tests.1.stdout")),
	    0);
	cJSON_Delete(j);
	free(s);
}
END_TEST

START_TEST(deterministic)
{
	struct fixture f;
	size_t n1, n2;
	char *a, *b;

	fx_rich(&f, 0);
	a = render_fx(&f, NULL, &n1);
	b = render_fx(&f, NULL, &n2);
	ck_assert_uint_eq(n1, n2);
	ck_assert_int_eq(memcmp(a, b, n1), 0);
	free(a);
	free(b);
}
END_TEST

/*
 * A report far larger than the writer's buffer: one document, ending in
 * a newline, every test in it as given (a byte lost or doubled where
 * the buffer is handed on would show).
 */
START_TEST(large_report_whole)
{
	enum { N = 3000 };
	static const char *suite[] = { "Big" };
	struct tally_record *rec;
	const struct tally_record **tv;
	struct tally_report rep;
	char (*names)[80], (*traces)[300], path[64];
	const cJSON *t;
	size_t i, n;
	char *s;
	cJSON *j;

	ck_assert_ptr_nonnull(rec = calloc(N, sizeof(*rec)));
	ck_assert_ptr_nonnull(tv = calloc(N, sizeof(*tv)));
	ck_assert_ptr_nonnull(names = calloc(N, sizeof(*names)));
	ck_assert_ptr_nonnull(traces = calloc(N, sizeof(*traces)));
	memset(&rep, 0, sizeof(rep));
	for (i = 0; i < N; i++) {
		tally_record_init(&rec[i], TALLY_REC_TEST);
		snprintf(names[i], sizeof(names[i]), "test \"%zu\" of a "
		    "report far larger than one buffer", i);
		memset(traces[i], 'a' + (int)(i % 26), sizeof(traces[i]) - 2);
		traces[i][i % 250] = '\n';
		rec[i].u.test.suite = suite;
		rec[i].u.test.nsuite = 1;
		rec[i].u.test.name = names[i];
		rec[i].u.test.status = i % 7 ? TALLY_PASSED : TALLY_FAILED;
		rec[i].u.test.trace = i % 7 ? NULL : traces[i];
		rec[i].u.test.duration = (double)i;
		tv[i] = &rec[i];
	}
	rep.tests = tv;
	rep.ntests = N;
	report_totals(&rep);
	s = fx_render(tally_render_json, &rep, NULL, &n, &(int){ 0 });
	ck_assert_uint_gt(n, 4 * 65536);
	ck_assert_int_eq(s[n - 1], '\n');
	ck_assert_int_eq(s[n - 2], '}');
	j = parse(s, n);
	ck_assert_int_eq(cJSON_GetArraySize(at(j, "results.tests")), N);
	for (i = 0; i < N; i++) {
		snprintf(path, sizeof(path), "results.tests.%zu", i);
		t = at(j, path);
		want_str(t, "name", names[i]);
		if (i % 7 == 0)
			want_str(t, "trace", traces[i]);
		else
			want_absent(t, "trace");
	}
	cJSON_Delete(j);
	free(s);
	free(rec);
	free(tv);
	free(names);
	free(traces);
}
END_TEST

START_TEST(write_error_is_eio)
{
	struct fixture f;
	struct tally_error err;
	FILE *fp;

	fx_rich(&f, 0);
	ck_assert_ptr_nonnull(fp = fopen("/dev/full", "w"));
	tally_error_init(&err, NULL);
	ck_assert_int_eq(tally_render_json(&f.rep, NULL, fp, &err), TALLY_EIO);
	ck_assert_ptr_nonnull(strstr(err.message, "write error"));
	fclose(fp);
}
END_TEST

Suite *suite_render_ctrf(void);

Suite *
suite_render_ctrf(void)
{
	Suite *s = suite_create("render_ctrf");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, valid_against_ctrf_schema);
	tcase_add_test(tc, empty_report_is_valid);
	tcase_add_test(tc, summary_adds_up);
	tcase_add_test(tc, test_fields);
	tcase_add_test(tc, environment_and_extras);
	tcase_add_test(tc, hostile_strings_stay_data);
	tcase_add_test(tc, lines_and_unknowns);
	tcase_add_test(tc, deterministic);
	tcase_add_test(tc, large_report_whole);
	tcase_add_test(tc, write_error_is_eio);
	suite_add_tcase(s, tc);
	return s;
}
