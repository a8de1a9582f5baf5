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
	ck_assert_uint_eq(c.ntests, 3);
	ck_assert_uint_eq(c.nstatus[TALLY_PASSED], 2);
	ck_assert_uint_eq(c.nstatus[TALLY_FAILED], 1);
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
	suite_add_tcase(s, tc);
	return s;
}
