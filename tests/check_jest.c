/* tests/check_jest.c: the jest --json reader. */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "internal.h"
#include "testutil.h"

#define D "tests/data/json/"

START_TEST(failure_details_and_nesting)
{
	struct capture c;

	read_fixture(D "jest-aggregated-failure-details.json", &c);
	ck_assert_uint_eq(c.ntests, 1);
	ck_assert_uint_eq(c.nstatus[TALLY_FAILED], 1);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"Should fail\","
	    "\"status\":\"failed\",\"duration\":3930,\"suite\":[\"Sample "
	    "Failing Test\",\"Inner\",\"Inner Inner\"],\"filePath\":"
	    "\"/path/to/failing.test.js\",\"message\":"), 1);
	ck_assert_uint_eq(capture_count(&c, "\"trace\":\"\\u001b[1m"), 1);
	capture_fini(&c);
}
END_TEST

START_TEST(ansi_escapes_are_kept_escaped)
{
	struct capture c;

	read_fixture(D "jest-aggregated-ansi-escapes.json", &c);
	ck_assert_uint_eq(c.ntests, 1);
	/* A bare ESC in "foo\u001bbar" stays a JSON escape in the stream. */
	ck_assert_uint_eq(capture_count(&c, "foo\\u001bbar"), 1);
	ck_assert_uint_eq(capture_count(&c, "\x1b"), 0);
	capture_fini(&c);
}
END_TEST

START_TEST(retries_from_invocations)
{
	struct capture c;

	read_fixture(D "jest-aggregated-retried.json", &c);
	ck_assert_uint_eq(c.ntests, 1);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"should bar\","
	    "\"status\":\"passed\",\"duration\":1,\"suite\":[\"foo\",\"baz\"],"
	    "\"filePath\":\"/path/to/test/__tests__/foo.test.js\",\"retries\":1,"
	    "\"flaky\":true,\"retryAttempts\":[{\"status\":\"failed\","
	    "\"message\":\"error\"}]"), 1);
	capture_fini(&c);
}
END_TEST

START_TEST(suite_that_failed_to_run_is_a_failed_test)
{
	struct capture c;

	read_fixture(D "jest-aggregated-suite-compile-failure.json", &c);
	/* One file failed to compile, one ran a passing test. */
	ck_assert_uint_eq(c.ntests, 2);
	ck_assert_uint_eq(c.nstatus[TALLY_FAILED], 1);
	ck_assert_uint_eq(c.nstatus[TALLY_PASSED], 1);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"(test suite) "
	    "/path/to/spec/test.spec.ts\",\"status\":\"failed\",\"rawStatus\":\"suite-failed\",\"classname\":"
	    "\"/path/to/spec/test.spec.ts\",\"filePath\":\"/path/to/spec/"
	    "test.spec.ts\",\"message\":\"spec/test.spec.ts:10:35 - error "
	    "TS2339:"), 1);
	ck_assert_uint_eq(capture_count(&c, "Test suite failed to run"), 1);
	capture_fini(&c);
}
END_TEST

/* jest 29.7.0 --json: a syntax error and a failing afterAll. */
START_TEST(suites_that_failed_outside_tests)
{
	struct capture c;

	read_fixture(D "jest-29.7.0-suite-failures.json", &c);
	/* queries, adds, divides (todo), multiplies (skip), two suites. */
	ck_assert_uint_eq(c.ntests, 6);
	ck_assert_uint_eq(c.nstatus[TALLY_FAILED], 2);
	ck_assert_uint_eq(c.nstatus[TALLY_PASSED], 2);
	ck_assert_uint_eq(c.nstatus[TALLY_PENDING], 2);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"(test suite) /tmp/jjs/"
	    "__tests__/syntax.test.js\",\"status\":\"failed\",\"rawStatus\":"
	    "\"suite-failed\",\"classname\":\"/tmp/jjs/__tests__/syntax.test.js"
	    "\",\"filePath\":\"/tmp/jjs/__tests__/syntax.test.js\",\"message\":"
	    "\"  \xe2\x97\x8f Test suite failed to run\\n\\n    Jest encountered "
	    "an unexpected token"), 1);
	/* Its assertion passed; the afterAll hook failed the file. */
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"(test suite) /tmp/jjs/"
	    "__tests__/afterall.test.js\",\"status\":\"failed\",\"rawStatus\":"
	    "\"suite-failed\""), 1);
	ck_assert_uint_eq(capture_count(&c, "\"message\":\"  \xe2\x97\x8f Test "
	    "suite failed to run\\n\\n    could not close the pool"), 1);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"queries\",\"status\":"
	    "\"passed\""), 1);
	/* numFailedTests 0 + numRuntimeErrorTestSuites 2: they agree. */
	ck_assert_uint_eq(capture_count(&c, "tally.declared"), 0);
	capture_fini(&c);
}
END_TEST

START_TEST(declared_failures_without_records)
{
	struct capture c;
	struct tally_error err;

	capture_init(&c);
	ck_assert_int_eq(read_string("{\"numTotalTests\":2,\"numFailedTests\":1,"
	    "\"numPendingTests\":0,\"testResults\":[{\"name\":\"/a.test.js\","
	    "\"status\":\"passed\",\"assertionResults\":[{\"title\":\"x\","
	    "\"status\":\"passed\"}]}]}", "j.json", TALLY_FMT_JEST, &c, &err),
	    TALLY_OK);
	ck_assert_uint_eq(c.ntests, 2);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"(declared) j.json\","
	    "\"status\":\"failed\",\"rawStatus\":\"declared\",\"message\":"
	    "\"declares 1 failure, 0 found\""), 1);
	ck_assert_uint_eq(capture_count(&c, "\"tally.declared\":\"the file "
	    "declares 2 tests (1 found), 1 failed (0 found)\""), 1);
	capture_fini(&c);
}
END_TEST

/* The shape jest --json writes (assertionResults, name, status). */
static const char jest_json[] =
    "{\"numFailedTestSuites\":1,\"numTotalTests\":5,\"success\":false,\n"
    "\"testResults\":[{\"assertionResults\":[\n"
    " {\"ancestorTitles\":[\"math\"],\"fullName\":\"math adds\",\"status\":"
    "\"passed\",\"title\":\"adds\",\"duration\":4,\"failureMessages\":[],"
    "\"location\":{\"column\":3,\"line\":7}},\n"
    " {\"ancestorTitles\":[\"math\"],\"fullName\":\"math subtracts\","
    "\"status\":\"failed\",\"title\":\"subtracts\",\"duration\":2,"
    "\"failureMessages\":[\"Error: expect(received).toBe(expected)\\n\\n"
    "Expected: 1\\nReceived: 2\\n    at Object.<anonymous> (math.test.js:9:5)"
    "\",\"second\"]},\n"
    " {\"ancestorTitles\":[],\"fullName\":\"later\",\"status\":\"todo\","
    "\"title\":\"later\",\"duration\":null,\"failureMessages\":[]},\n"
    " {\"ancestorTitles\":[],\"fullName\":\"off\",\"status\":\"disabled\","
    "\"title\":\"off\",\"failureMessages\":[]},\n"
    " {\"ancestorTitles\":[],\"fullName\":\"p\",\"status\":\"pending\","
    "\"title\":\"p\",\"failureMessages\":[]}],\n"
    " \"endTime\":2,\"message\":\"\",\"name\":\"/src/math.test.js\","
    "\"startTime\":1,\"status\":\"failed\",\"summary\":\"\"},\n"
    " {\"assertionResults\":[],\"message\":\"  \\u25cf Test suite failed to "
    "run\\n\\n    Cannot find module 'x'\",\"name\":\"/src/broken.test.js\","
    "\"status\":\"failed\"},\n"
    " {\"assertionResults\":[],\"message\":\"\",\"name\":\"/src/empty.test.js"
    "\",\"status\":\"passed\"}]}\n";

START_TEST(jest_json_shape)
{
	struct capture c;
	struct tally_error err;

	capture_init(&c);
	ck_assert_int_eq(read_string(jest_json, "jest.json", TALLY_FMT_AUTO, &c,
	    &err), TALLY_OK);
	ck_assert_uint_eq(c.ntests, 6);
	ck_assert_uint_eq(c.nstatus[TALLY_PASSED], 1);
	ck_assert_uint_eq(c.nstatus[TALLY_FAILED], 2);
	ck_assert_uint_eq(c.nstatus[TALLY_PENDING], 2);
	ck_assert_uint_eq(c.nstatus[TALLY_SKIPPED], 1);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"adds\",\"status\":"
	    "\"passed\",\"duration\":4,\"suite\":[\"math\"],\"filePath\":"
	    "\"/src/math.test.js\",\"line\":7,"), 1);
	ck_assert_uint_eq(capture_count(&c, "\"message\":\"Error: expect("
	    "received).toBe(expected)\\n\\nExpected: 1\\nReceived: 2\","
	    "\"trace\":\"Error: expect(received).toBe(expected)\\n\\nExpected: "
	    "1\\nReceived: 2\\n    at Object.<anonymous> (math.test.js:9:5)"
	    "\\n\\nsecond\""), 1);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"later\",\"status\":"
	    "\"pending\",\"rawStatus\":\"todo\""), 1);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"off\",\"status\":"
	    "\"skipped\",\"rawStatus\":\"disabled\""), 1);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"p\",\"status\":"
	    "\"pending\",\"filePath\""), 1);
	ck_assert_uint_eq(capture_count(&c, "\"classname\":\"/src/broken.test.js"
	    "\",\"filePath\":\"/src/broken.test.js\",\"message\":\"  \xe2\x97\x8f"
	    " Test suite failed to run\\n\\n    Cannot find module 'x'\""), 1);
	ck_assert_uint_eq(capture_count(&c, "empty.test.js"), 0);
	ck_assert_uint_eq(capture_count(&c, "\"numTotalTests\":\"5\""), 1);
	capture_fini(&c);
}
END_TEST

START_TEST(truncated_jest_keeps_complete_files)
{
	struct capture c;
	struct tally_error err;
	char *cut = strdup(jest_json);

	/* Cut inside the second file's entry. */
	*strstr(cut, "Cannot find") = '\0';
	capture_init(&c);
	ck_assert_int_eq(read_string(cut, "cut.json", TALLY_FMT_JEST, &c,
	    &err), TALLY_EPARSE);
	ck_assert_uint_eq(c.ntests, 5);
	ck_assert_uint_eq(c.nerrors, 1);
	ck_assert_int_eq(err.line, 9);
	ck_assert_str_eq(err.message, "unexpected end of JSON");
	capture_fini(&c);
	free(cut);
}
END_TEST

Suite *suite_jest(void);

Suite *
suite_jest(void)
{
	Suite *s = suite_create("jest");
	TCase *tc = tcase_create("read");

	tcase_add_test(tc, failure_details_and_nesting);
	tcase_add_test(tc, ansi_escapes_are_kept_escaped);
	tcase_add_test(tc, retries_from_invocations);
	tcase_add_test(tc, suite_that_failed_to_run_is_a_failed_test);
	tcase_add_test(tc, jest_json_shape);
	tcase_add_test(tc, truncated_jest_keeps_complete_files);
	tcase_add_test(tc, suites_that_failed_outside_tests);
	tcase_add_test(tc, declared_failures_without_records);
	suite_add_tcase(s, tc);
	return s;
}
