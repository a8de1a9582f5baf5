/* tests/check_ctrf.c: the CTRF reader on real reports and hostile ones. */
#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "internal.h"
#include "testutil.h"

#define D "tests/data/json/"

/* Counts taken from the files with python3's json module. */
static const struct {
	const char	*file;
	size_t		 tests, passed, failed, skipped, pending, other;
	size_t		 flaky;
} corpus[] = {
	{ D "ctrf-legacy-jest-ansi-ai.json", 10, 5, 2, 1, 1, 1, 3 },
	{ D "ctrf-spec-comprehensive.json", 3, 2, 1, 0, 0, 0, 1 },
	{ D "ctrf-spec-minimal.json", 1, 1, 0, 0, 0, 0, 0 },
	{ D "ctrf-spec-with-retries.json", 2, 2, 0, 0, 0, 0, 1 },
	{ D "cypress-ctrf-json-reporter-failure.json", 1, 0, 1, 0, 0, 0, 0 },
	{ D "cypress-ctrf-specversion-0.0.0-339-tests.json", 339, 338, 1, 0, 0,
	    0, 0 },
	{ D "jest-ctrf-json-reporter-2023.json", 21, 21, 0, 0, 0, 0, 0 },
};

START_TEST(corpus_counts)
{
	struct capture c;

	read_fixture(corpus[_i].file, &c);
	ck_assert_uint_eq(c.ntests, corpus[_i].tests);
	ck_assert_uint_eq(c.nstatus[TALLY_PASSED], corpus[_i].passed);
	ck_assert_uint_eq(c.nstatus[TALLY_FAILED], corpus[_i].failed);
	ck_assert_uint_eq(c.nstatus[TALLY_SKIPPED], corpus[_i].skipped);
	ck_assert_uint_eq(c.nstatus[TALLY_PENDING], corpus[_i].pending);
	ck_assert_uint_eq(c.nstatus[TALLY_OTHER], corpus[_i].other);
	ck_assert_uint_eq(capture_count(&c, "\"flaky\":true"),
	    corpus[_i].flaky);
	ck_assert_uint_eq(c.nerrors, 0);
	ck_assert_uint_eq(capture_count(&c, "\"type\":\"meta\""), 1);
	/* The meta record comes last. */
	ck_assert_ptr_nonnull(strstr(c.lines[c.n - 1], "\"tool.name\":"));
	capture_fini(&c);
}
END_TEST

START_TEST(legacy_suite_strings_are_split)
{
	struct capture c;
	struct tally_error err;

	capture_init(&c);
	ck_assert_int_eq(read_file(D "ctrf-legacy-jest-ansi-ai.json",
	    TALLY_FMT_CTRF, &c, &err), TALLY_OK);
	ck_assert_uint_eq(capture_count(&c,
	    "\"suite\":[\"login.test.ts\",\"profile\"]"), 2);
	ck_assert_uint_eq(capture_count(&c,
	    "\"name\":\"should allow user to change password\",\"status\":"
	    "\"passed\",\"duration\":1300,\"suite\":[\"network.test.ts\","
	    "\"network\"],\"filePath\":\"tests/network.test.ts\",\"retries\":3,"
	    "\"flaky\":true"), 1);
	/* ANSI escapes survive as JSON escapes; renderers deal with them. */
	ck_assert_uint_eq(capture_count(&c,
	    "\"message\":\"\\u001b[31mTimed out 5000ms"), 1);
	ck_assert_uint_eq(capture_count(&c, "{\"name\":\"ai\",\"value\":"
	    "\"The test failed because of a \\\"Network Timeout\\\""), 1);
	capture_fini(&c);
}
END_TEST

START_TEST(retry_attempts_leave_out_the_final_run)
{
	struct capture c;
	struct tally_error err;

	capture_init(&c);
	ck_assert_int_eq(read_file(D "ctrf-spec-with-retries.json",
	    TALLY_FMT_CTRF, &c, &err), TALLY_OK);
	ck_assert_str_eq(c.lines[1], "{\"v\":1,\"type\":\"test\",\"name\":"
	    "\"flaky test\",\"status\":\"passed\",\"duration\":300,"
	    "\"retries\":2,\"flaky\":true,\"retryAttempts\":[{\"status\":"
	    "\"failed\",\"duration\":120,\"message\":\"Connection timeout\"},"
	    "{\"status\":\"failed\",\"duration\":130,\"message\":"
	    "\"Connection timeout\"}],\"source\":\"" D
	    "ctrf-spec-with-retries.json\"}\n");
	capture_fini(&c);
}
END_TEST

START_TEST(every_field_of_the_spec)
{
	struct capture c;
	struct tally_error err;
	const char *t;

	capture_init(&c);
	ck_assert_int_eq(read_file(D "ctrf-spec-comprehensive.json",
	    TALLY_FMT_CTRF, &c, &err), TALLY_OK);
	t = c.lines[2];
	ck_assert_ptr_nonnull(strstr(t, "\"name\":\"admin dashboard loads\","
	    "\"status\":\"failed\",\"duration\":8000,\"suite\":[\"Admin\","
	    "\"Dashboard\"],\"filePath\":\"tests/admin/dashboard.test.js\","
	    "\"line\":42,\"category\":\"e2e\",\"message\":\"Element not "
	    "found: .dashboard-metrics\",\"trace\":\"Error: Element not found"));
	ck_assert_ptr_nonnull(strstr(t, "\"stdout\":\"Loading admin dashboard"
	    "\\nChecking authentication\",\"stderr\":\"Warning: Slow network "
	    "detected\\nError: Timeout waiting for .dashboard-metrics\""));
	ck_assert_ptr_nonnull(strstr(t, "{\"name\":\"tag\",\"value\":"
	    "\"regression\"},{\"name\":\"labels.priority\",\"value\":\"P3\"}"));
	ck_assert_ptr_nonnull(strstr(t, "{\"name\":\"parameters.userRole\","
	    "\"value\":\"admin\"}"));
	ck_assert_ptr_nonnull(strstr(c.lines[0], "{\"name\":\"labels.owners\","
	    "\"value\":\"qa\"},{\"name\":\"labels.owners\",\"value\":"
	    "\"platform\"}"));
	/* The second test retried once: one earlier attempt. */
	ck_assert_ptr_nonnull(strstr(c.lines[1], "\"retries\":1,\"flaky\":true,"
	    "\"retryAttempts\":[{\"status\":\"failed\",\"duration\":5100,"
	    "\"message\":\"Payment gateway timeout\""));
	ck_assert_ptr_nonnull(strstr(c.lines[3], "\"environment.branchName\":"
	    "\"feature/new-dashboard\""));
	ck_assert_ptr_nonnull(strstr(c.lines[3], "\"reportId\":"
	    "\"9d2c6a10-3f7a-4e22-9a8f-1a2b3c4d5e6f\""));
	ck_assert_ptr_nonnull(strstr(c.lines[3], "\"tool.extra.myorg.ci."
	    "plugins\":\"[\\\"retry\\\",\\\"screenshots\\\",\\\"video\\\"]\""));
	ck_assert_ptr_nonnull(strstr(c.lines[3], "\"summary.flaky\":\"1\""));
	capture_fini(&c);
}
END_TEST

START_TEST(raw_status_only_when_it_differs)
{
	struct capture c;
	struct tally_error err;

	capture_init(&c);
	ck_assert_int_eq(read_file(D
	    "cypress-ctrf-specversion-0.0.0-339-tests.json", TALLY_FMT_CTRF,
	    &c, &err), TALLY_OK);
	ck_assert_uint_eq(capture_count(&c, "rawStatus"), 0);
	ck_assert_uint_eq(capture_count(&c, "\"category\":\"e2e\""), 339);
	ck_assert_uint_eq(capture_count(&c, "\"retries\":2"), 1);
	capture_fini(&c);
	capture_init(&c);
	ck_assert_int_eq(read_string("{\"results\":{\"tool\":{\"name\":\"x\"},"
	    "\"tests\":[{\"name\":\"a\",\"status\":\"broken\"},"
	    "{\"name\":\"b\",\"status\":\"weird\"},"
	    "{\"name\":\"c\",\"status\":\"failed\",\"rawStatus\":\"timedOut\"},"
	    "{\"name\":\"d\"}]}}", "r.json", TALLY_FMT_AUTO, &c, &err),
	    TALLY_OK);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"a\",\"status\":"
	    "\"failed\",\"rawStatus\":\"broken\""), 1);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"b\",\"status\":"
	    "\"other\",\"rawStatus\":\"weird\""), 1);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"c\",\"status\":"
	    "\"failed\",\"rawStatus\":\"timedOut\""), 1);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"d\",\"status\":"
	    "\"other\""), 1);
	capture_fini(&c);
}
END_TEST

START_TEST(truncated_report_keeps_earlier_tests)
{
	struct capture c;
	struct tally_error err;

	capture_init(&c);
	ck_assert_int_eq(read_string("{\"results\":{\"tool\":{\"name\":\"t\"},\n"
	    "\"tests\":[\n{\"name\":\"a\",\"status\":\"passed\"},\n"
	    "{\"name\":\"b\",\"status\":\"failed\"},\n{\"name\":\"c\",\"sta",
	    "cut.json", TALLY_FMT_AUTO, &c, &err), TALLY_EPARSE);
	ck_assert_uint_eq(c.ntests, 2);
	ck_assert_uint_eq(c.nerrors, 1);
	ck_assert_str_eq(err.file, "cut.json");
	ck_assert_int_eq(err.line, 5);
	ck_assert_int_eq(err.column, 17);
	ck_assert_str_eq(err.message, "unexpected end of JSON");
	/* tests, the meta seen so far, then the error record. */
	ck_assert_ptr_nonnull(strstr(c.lines[2], "\"tool.name\":\"t\""));
	ck_assert_str_eq(c.lines[3], "{\"v\":1,\"type\":\"error\",\"line\":5,"
	    "\"column\":17,\"message\":\"unexpected end of JSON\",\"source\":"
	    "\"cut.json\"}\n");
	capture_fini(&c);
}
END_TEST

START_TEST(hostile_reports)
{
	struct capture c;
	struct tally_error err;

	/* Trailing garbage after a complete report. */
	capture_init(&c);
	ck_assert_int_eq(read_string("{\"results\":{\"tool\":{},\"tests\":"
	    "[{\"name\":\"a\",\"status\":\"passed\"}]}}\nxx", "g.json",
	    TALLY_FMT_CTRF, &c, &err), TALLY_EPARSE);
	ck_assert_uint_eq(c.ntests, 1);
	ck_assert_int_eq(err.line, 2);
	ck_assert_int_eq(err.column, 1);
	capture_fini(&c);
	/* Invalid UTF-8 is repaired. */
	capture_init(&c);
	ck_assert_int_eq(read_string("{\"results\":{\"tool\":{},\"tests\":"
	    "[{\"name\":\"n\xff\",\"status\":\"failed\",\"message\":"
	    "\"a\\u0001b\"}]}}", "u.json", TALLY_FMT_CTRF, &c, &err),
	    TALLY_OK);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"n\xef\xbf\xbd\""), 1);
	ck_assert_uint_eq(capture_count(&c, "\"message\":\"a\\u0001b\""), 1);
	capture_fini(&c);
	/* \u0000 is refused, not cut short or replaced (issue 15). */
	capture_init(&c);
	ck_assert_int_eq(read_string("{\"results\":{\"tool\":{},\"tests\":"
	    "[{\"name\":\"a\",\"status\":\"passed\"},\n{\"name\":\"b\","
	    "\"message\":\"a\\u0000b\"}]}}", "u.json", TALLY_FMT_CTRF, &c,
	    &err), TALLY_EPARSE);
	ck_assert_uint_eq(c.ntests, 1);
	ck_assert_str_eq(err.message, "NUL character (\\u0000) in a string");
	ck_assert_int_eq(err.line, 2);
	ck_assert_int_eq(err.column, 25);
	ck_assert_uint_eq(c.nerrors, 1);
	capture_fini(&c);
	/* Duplicate keys inside a test, and an infinite duration. */
	capture_init(&c);
	ck_assert_int_eq(read_string("{\"results\":{\"tool\":{},\"tests\":"
	    "[{\"name\":\"a\",\"status\":\"passed\"},\n{\"name\":\"b\","
	    "\"name\":\"c\"}]}}", "d.json", TALLY_FMT_CTRF, &c, &err),
	    TALLY_EPARSE);
	ck_assert_uint_eq(c.ntests, 1);
	ck_assert_str_eq(err.message, "duplicate key 'name'");
	ck_assert_int_eq(err.line, 2);
	capture_fini(&c);
	/* An empty name twice is named as '', nothing from past a buffer. */
	capture_init(&c);
	ck_assert_int_eq(read_string("{\"results\":{\"tool\":{},\"tests\":"
	    "[{\"name\":\"a\",\"\":1,\"\":2}]}}", "d.json", TALLY_FMT_CTRF, &c,
	    &err), TALLY_EPARSE);
	ck_assert_uint_eq(c.ntests, 0);
	ck_assert_str_eq(err.message, "duplicate key ''");
	ck_assert_uint_eq(capture_count(&c,
	    "\"message\":\"duplicate key ''\""), 1);
	capture_fini(&c);
	capture_init(&c);
	ck_assert_int_eq(read_string("{\"results\":{\"tool\":{},\"tests\":"
	    "[{\"name\":\"a\",\"duration\":1e999}]}}", "e.json",
	    TALLY_FMT_CTRF, &c, &err), TALLY_EPARSE);
	ck_assert_uint_eq(c.ntests, 0);
	ck_assert_str_eq(err.message, "number out of range");
	capture_fini(&c);
	/* Two "results" objects: the second is refused, not merged. */
	capture_init(&c);
	ck_assert_int_eq(read_string("{\"results\":{\"tests\":[]},\n"
	    "\"results\":{\"tests\":[{\"name\":\"x\"}]}}", "r.json",
	    TALLY_FMT_CTRF, &c, &err), TALLY_EPARSE);
	ck_assert_str_eq(err.message, "duplicate key 'results'");
	ck_assert_int_eq(err.line, 2);
	ck_assert_uint_eq(c.ntests, 0);
	capture_fini(&c);
}
END_TEST

START_TEST(tests_that_are_not_objects_are_skipped)
{
	struct capture c;
	struct tally_error err;

	capture_init(&c);
	ck_assert_int_eq(read_string("{\"results\":{\"tool\":{},\"tests\":"
	    "[1,\"x\",null,{\"name\":\"a\",\"status\":\"passed\",\"suite\":7,"
	    "\"tags\":{},\"retryAttempts\":3,\"stdout\":[1,\"o\"]}]}}",
	    "s.json", TALLY_FMT_CTRF, &c, &err), TALLY_OK);
	ck_assert_uint_eq(c.ntests, 1);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"a\",\"status\":"
	    "\"passed\",\"stdout\":\"o\",\"source\""), 1);
	capture_fini(&c);
}
END_TEST

/*
 * A 100 MB report streams through tally-collect in a few MB: memory is
 * bounded by one test, not by the file.  Sanitizer builds run 5 times
 * slower and keep freed memory in a quarantine unless told not to.
 */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(UNDER_ASAN)
#define UNDER_ASAN 1
#endif
#ifdef UNDER_ASAN
#define BIG_MB 20u
#else
#define BIG_MB 100u
#endif

START_TEST(large_report_in_small_memory)
{
	char path[] = "/tmp/tally-big-ctrf-XXXXXX";
	struct collect_run r;
	size_t size = 0, ntests = 0;
	FILE *fp;
	int fd;

	ck_assert_int_ge(fd = mkstemp(path), 0);
	ck_assert_ptr_nonnull(fp = fdopen(fd, "w"));
	fputs("{\"reportFormat\":\"CTRF\",\"results\":{\"tool\":{\"name\":"
	    "\"gen\"},\"tests\":[\n", fp);
	while (size < (BIG_MB << 20)) {
		int k = fprintf(fp, "%s{\"name\":\"test %zu\",\"status\":"
		    "\"%s\",\"duration\":%zu,\"suite\":[\"outer\",\"inner "
		    "%zu\"],\"message\":\"%s\",\"tags\":[\"a\",\"b\"]}",
		    ntests ? ",\n" : "", ntests, ntests % 3 ? "passed" :
		    "failed", ntests % 1000, ntests % 50, ntests % 3 ? "" :
		    "boom boom boom boom boom boom boom boom boom boom boom "
		    "boom boom boom boom boom boom boom boom boom boom boom\\n"
		    "at frame\\nat frame\\nat frame\\nat frame\\nat frame");
		size += (size_t)k;
		ntests++;
	}
	fputs("\n]}}\n", fp);
	ck_assert_int_eq(fclose(fp), 0);
	collect_run(path, -1, &r);
	unlink(path);
	ck_assert(WIFEXITED(r.status));
	ck_assert_int_eq(WEXITSTATUS(r.status), 0);
	/* Every test plus one meta record. */
	ck_assert_uint_eq(r.lines, ntests + 1);
	/* ru_maxrss is in KiB: under 32 MiB for a 100 MiB input. */
	ck_assert_msg(r.ru.ru_maxrss < 32 * 1024, "peak RSS %ld KiB",
	    r.ru.ru_maxrss);
}
END_TEST

Suite *suite_ctrf(void);

Suite *
suite_ctrf(void)
{
	Suite *s = suite_create("ctrf");
	TCase *tc = tcase_create("read");

	tcase_add_loop_test(tc, corpus_counts, 0,
	    sizeof(corpus) / sizeof(corpus[0]));
	tcase_add_test(tc, legacy_suite_strings_are_split);
	tcase_add_test(tc, retry_attempts_leave_out_the_final_run);
	tcase_add_test(tc, every_field_of_the_spec);
	tcase_add_test(tc, raw_status_only_when_it_differs);
	tcase_add_test(tc, truncated_report_keeps_earlier_tests);
	tcase_add_test(tc, hostile_reports);
	tcase_add_test(tc, tests_that_are_not_objects_are_skipped);
	suite_add_tcase(s, tc);
	tc = tcase_create("memory");
	tcase_set_timeout(tc, 300);	/* a hang guard, not a speed test */
	tcase_add_test(tc, large_report_in_small_memory);
	suite_add_tcase(s, tc);
	return s;
}
