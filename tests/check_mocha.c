/* tests/check_mocha.c: mocha's JSON reporter and mochawesome. */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "internal.h"
#include "testutil.h"

#define D "tests/data/json/"

START_TEST(json_reporter_without_state)
{
	struct capture c;

	read_fixture(D "mocha-json-reporter-nested.json", &c);
	/* stats: tests 5, passes 2, pending 1, failures 2. */
	ck_assert_uint_eq(c.ntests, 5);
	ck_assert_uint_eq(c.nstatus[TALLY_PASSED], 2);
	ck_assert_uint_eq(c.nstatus[TALLY_PENDING], 1);
	ck_assert_uint_eq(c.nstatus[TALLY_FAILED], 2);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"should initialize the "
	    "stats collector\",\"status\":\"pending\",\"suite\":[\"Mocha "
	    "instance method run()\"],\"filePath\":\"/home/runner/work/mocha/"
	    "mocha/test/unit/mocha.spec.js\""), 1);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"should update the "
	    "runner.total with number of matched tests\",\"status\":\"failed\","
	    "\"duration\":0,\"suite\":[\"Runner instance method grep()\"],"
	    "\"filePath\":\"/home/runner/work/mocha/mocha/test/unit/"
	    "runner.spec.js\",\"message\":\"Required\",\"trace\":\"Error: "
	    "Required\\n    at Context.<anonymous>"), 1);
	ck_assert_uint_eq(capture_count(&c, "\"errorType\":\"UnexpectedError\""),
	    1);
	ck_assert_uint_eq(capture_count(&c, "\"stats.tests\":\"5\""), 1);
	capture_fini(&c);
}
END_TEST

START_TEST(json_reporter_simple)
{
	struct capture c;

	read_fixture(D "mocha-json-reporter-simple.json", &c);
	/*
	 * A hand-edited file: failures[] names "Suite2 test case", which
	 * tests[] does not list; it is a failure all the same.
	 */
	ck_assert_uint_eq(c.ntests, 4);
	ck_assert_uint_eq(c.nstatus[TALLY_PASSED], 2);
	ck_assert_uint_eq(c.nstatus[TALLY_FAILED], 2);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"Suite2 test case\","
	    "\"status\":\"failed\""), 1);
	ck_assert_uint_eq(capture_count(&c, "\"tally.declared\":\"the file "
	    "declares 3 tests (4 found), 1 failed (2 found)\""), 1);
	ck_assert_uint_eq(capture_count(&c, "\"suite\":[\"Example Suite 1\"]"),
	    2);
	/* file is "": no filePath. */
	ck_assert_uint_eq(capture_count(&c, "filePath"), 0);
	capture_fini(&c);
}
END_TEST

START_TEST(mochawesome_suite_tree)
{
	struct capture c;

	read_fixture(D "mochawesome-nested-suites.json", &c);
	ck_assert_uint_eq(c.ntests, 3);
	ck_assert_uint_eq(c.nstatus[TALLY_PASSED], 2);
	ck_assert_uint_eq(c.nstatus[TALLY_FAILED], 1);
	ck_assert_uint_eq(capture_count(&c, "\"suite\":[\"Example Suite 1\","
	    "\"Example Suite 1.1\"]"), 2);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"sample test case\","
	    "\"status\":\"failed\",\"duration\":1,\"suite\":[\"Example Suite 2\"]"
	    ",\"message\":\"Dummy reason\""), 1);
	capture_fini(&c);
}
END_TEST

START_TEST(states_and_retries)
{
	struct capture c;
	struct tally_error err;

	capture_init(&c);
	ck_assert_int_eq(read_string("{\"stats\":{\"tests\":4},\"tests\":[\n"
	    "{\"title\":\"a\",\"fullTitle\":\"S a\",\"duration\":1,"
	    "\"currentRetry\":2,\"err\":{}},\n"
	    "{\"title\":\"b\",\"fullTitle\":\"b\",\"state\":\"pending\","
	    "\"err\":{}},\n"
	    "{\"title\":\"c\",\"fullTitle\":\"S c\",\"duration\":5,"
	    "\"currentRetry\":1,\"err\":{\"message\":\"boom\"}},\n"
	    "{\"title\":\"d\",\"fullTitle\":\"S d\",\"err\":{}}],\n"
	    "\"pending\":[],\"failures\":[],\"passes\":[]}", "m.json",
	    TALLY_FMT_AUTO, &c, &err), TALLY_OK);
	ck_assert_uint_eq(c.ntests, 4);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"a\",\"status\":"
	    "\"passed\",\"duration\":1,\"suite\":[\"S\"],\"retries\":2,"
	    "\"flaky\":true"), 1);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"b\",\"status\":"
	    "\"pending\",\"source\""), 1);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"c\",\"status\":"
	    "\"failed\",\"duration\":5,\"suite\":[\"S\"],\"message\":\"boom\","
	    "\"retries\":1,\"source\""), 1);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"d\",\"status\":"
	    "\"pending\""), 1);
	capture_fini(&c);
}
END_TEST

START_TEST(truncated_mocha)
{
	struct capture c;
	struct tally_error err;

	capture_init(&c);
	ck_assert_int_eq(read_string("{\"stats\":{\"tests\":2,\"passes\":2},"
	    "\"tests\":[\n{\"title\":\"a\",\"duration\":1,\"err\":{}},\n"
	    "{\"title\":\"b\",\"duration\":1,\"err\":{}", "m.json",
	    TALLY_FMT_MOCHA, &c, &err), TALLY_EPARSE);
	ck_assert_uint_eq(c.ntests, 1);
	ck_assert_int_eq(err.line, 3);
	ck_assert_int_eq(err.column, 35);
	capture_fini(&c);
}
END_TEST

/* mocha 10.8.2: failing hooks and this.skip() (tests/data/json). */
START_TEST(hooks_and_runtime_skip)
{
	struct capture c;

	read_fixture(D "mocha-10.8.2-hooks-runtime-skip.json", &c);
	/* tests[] 5, plus the two hooks failures[] alone holds. */
	ck_assert_uint_eq(c.ntests, 7);
	ck_assert_uint_eq(c.nstatus[TALLY_PASSED], 2);
	ck_assert_uint_eq(c.nstatus[TALLY_PENDING], 2);
	ck_assert_uint_eq(c.nstatus[TALLY_FAILED], 3);
	/* this.skip(): a duration and no err in tests[], but in pending[]. */
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"needs a feature\","
	    "\"status\":\"pending\""), 1);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"is not written yet\","
	    "\"status\":\"pending\""), 1);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"(before all hook) "
	    "\\\"before all\\\" hook for \\\"reads\\\"\",\"status\":"
	    "\"failed\",\"rawStatus\":\"hook\",\"duration\":0,\"suite\":"
	    "[\"db\"],\"filePath\":\"/tmp/mjs/spec/hooks.spec.js\","
	    "\"message\":\"cannot connect to db\",\"trace\":\"Error: cannot "
	    "connect to db\\n"), 1);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"(after each hook) "
	    "\\\"after each\\\" hook for \\\"first\\\"\",\"status\":"
	    "\"failed\",\"rawStatus\":\"hook\""), 1);
	ck_assert_uint_eq(capture_count(&c, "\"message\":\"teardown broke\""),
	    1);
	/* Listed in tests[] and in failures[]: one record. */
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"subtracts\""), 1);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"adds\",\"status\":"
	    "\"passed\""), 1);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"first\",\"status\":"
	    "\"passed\""), 1);
	/* stats agree: failures 3 counts the hooks. */
	ck_assert_uint_eq(capture_count(&c, "tally.declared"), 0);
	capture_fini(&c);
}
END_TEST

START_TEST(outcome_arrays_settle)
{
	struct capture c;
	struct tally_error err;

	capture_init(&c);
	/*
	 * Same title twice (two tests), one passing twice over; a test
	 * in failures[] and passes[] (failed after it passed) counts once,
	 * as failed; stats declare a failure no record carries.
	 */
	ck_assert_int_eq(read_string("{\"stats\":{\"tests\":3,"
	    "\"failures\":2,\"pending\":0},\"tests\":[\n"
	    "{\"title\":\"t\",\"fullTitle\":\"S t\",\"duration\":1,"
	    "\"err\":{}},\n"
	    "{\"title\":\"t\",\"fullTitle\":\"S t\",\"duration\":2,"
	    "\"err\":{}},\n"
	    "{\"title\":\"u\",\"fullTitle\":\"S u\",\"duration\":3,"
	    "\"err\":{}}],\n"
	    "\"pending\":[],\"failures\":[{\"title\":\"u\",\"fullTitle\":"
	    "\"S u\",\"duration\":3,\"err\":{\"message\":\"done() called "
	    "multiple times\"}}],\n\"passes\":["
	    "{\"title\":\"t\",\"fullTitle\":\"S t\",\"duration\":1,"
	    "\"err\":{}},"
	    "{\"title\":\"t\",\"fullTitle\":\"S t\",\"duration\":2,"
	    "\"err\":{}},"
	    "{\"title\":\"u\",\"fullTitle\":\"S u\",\"duration\":3,"
	    "\"err\":{}}]}", "m.json", TALLY_FMT_MOCHA, &c, &err), TALLY_OK);
	ck_assert_uint_eq(c.ntests, 4);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"t\",\"status\":"
	    "\"passed\",\"duration\":1"), 1);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"t\",\"status\":"
	    "\"passed\",\"duration\":2"), 1);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"u\",\"status\":"
	    "\"failed\",\"duration\":3,\"suite\":[\"S\"],\"message\":"
	    "\"done() called multiple times\""), 1);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"u\""), 1);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"(declared) m.json\","
	    "\"status\":\"failed\",\"rawStatus\":\"declared\",\"message\":"
	    "\"declares 2 failures, 1 found\""), 1);
	ck_assert_uint_eq(capture_count(&c, "\"tally.declared\":\"the file "
	    "declares 2 failed (1 found)\""), 1);
	capture_fini(&c);
}
END_TEST

Suite *suite_mocha(void);

Suite *
suite_mocha(void)
{
	Suite *s = suite_create("mocha");
	TCase *tc = tcase_create("read");

	tcase_add_test(tc, json_reporter_without_state);
	tcase_add_test(tc, json_reporter_simple);
	tcase_add_test(tc, mochawesome_suite_tree);
	tcase_add_test(tc, states_and_retries);
	tcase_add_test(tc, truncated_mocha);
	tcase_add_test(tc, hooks_and_runtime_skip);
	tcase_add_test(tc, outcome_arrays_settle);
	suite_add_tcase(s, tc);
	return s;
}
