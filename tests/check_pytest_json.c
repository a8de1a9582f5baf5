/* tests/check_pytest_json.c: the pytest-json-report reader. */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "internal.h"
#include "testutil.h"

#define D "tests/data/json/"

START_TEST(sample_report)
{
	struct capture c;

	read_fixture(D "pytest-json-report-0.8-sample.json", &c);
	/* summary: passed 2, failed 3, xfailed 1, xpassed 1, error 2,
	 * skipped 1, total 10. */
	ck_assert_uint_eq(c.ntests, 10);
	ck_assert_uint_eq(c.nstatus[TALLY_PASSED], 3);
	ck_assert_uint_eq(c.nstatus[TALLY_FAILED], 5);
	ck_assert_uint_eq(c.nstatus[TALLY_SKIPPED], 2);
	ck_assert_uint_eq(capture_count(&c, "\"rawStatus\":\"xfailed\""), 1);
	ck_assert_uint_eq(capture_count(&c, "\"rawStatus\":\"xpassed\""), 1);
	ck_assert_uint_eq(capture_count(&c, "\"rawStatus\":\"error\""), 2);
	/* Durations: setup + call + teardown seconds, in ms. */
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"test_pass\",\"status\":"
	    "\"passed\",\"duration\":0.741720199584961,\"filePath\":"
	    "\"test_create_report.py\",\"line\":26,"), 1);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"test_fail_with_fixture\""
	    ",\"status\":\"failed\",\"duration\":0.512599945068359,\"filePath\":"
	    "\"test_create_report.py\",\"line\":29,\"message\":\"assert False\","
	    "\"trace\":\"setup_teardown_fixture = None\\n"), 1);
	ck_assert_uint_eq(capture_count(&c, "\"stdout\":\"setup\\ncall\\n"
	    "teardown\\n\",\"stderr\":\"setuperr\\ncallerr\\nteardownerr\\n\""),
	    1);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"test_parametrized[2]\""),
	    1);
	ck_assert_uint_eq(capture_count(&c, "\"exitcode\":\"1\""), 1);
	ck_assert_uint_eq(capture_count(&c, "\"environment.Python\":\"3.7.1\""),
	    1);
	ck_assert_uint_eq(capture_count(&c, "\"environment.Packages.pytest\":"
	    "\"4.1.1\""), 1);
	capture_fini(&c);
}
END_TEST

START_TEST(node_ids_are_split)
{
	struct capture c;
	struct tally_error err;

	capture_init(&c);
	ck_assert_int_eq(read_string("{\"created\":1,\"exitcode\":0,\"tests\":[\n"
	    "{\"nodeid\":\"t/a.py::TestX::TestY::test_b[p::q]\",\"outcome\":"
	    "\"passed\",\"lineno\":0,\"keywords\":[\"slow\",\"test_b[p::q]\"],"
	    "\"metadata\":{\"owner\":\"me\"}},\n"
	    "{\"nodeid\":\"t/b.py::test_c\",\"outcome\":\"rerun\"},\n"
	    "{\"nodeid\":\"plain\",\"outcome\":\"skipped\",\"setup\":"
	    "{\"duration\":0.5,\"longrepr\":[\"f.py\",3,\"Skipped: why\"]}}]}",
	    "p.json", TALLY_FMT_AUTO, &c, &err), TALLY_OK);
	ck_assert_uint_eq(c.ntests, 3);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"test_b[p::q]\","
	    "\"status\":\"passed\",\"classname\":\"TestX::TestY\",\"filePath\":"
	    "\"t/a.py\",\"line\":1,\"properties\":[{\"name\":\"keyword\","
	    "\"value\":\"slow\"},{\"name\":\"metadata.owner\",\"value\":\"me\"}]"),
	    1);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"test_c\",\"status\":"
	    "\"other\",\"rawStatus\":\"rerun\",\"filePath\":\"t/b.py\""), 1);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"plain\",\"status\":"
	    "\"skipped\",\"duration\":500,\"trace\":\"[\\\"f.py\\\",3,"
	    "\\\"Skipped: why\\\"]\""), 1);
	capture_fini(&c);
}
END_TEST

START_TEST(truncated_report)
{
	struct capture c;
	struct tally_error err;

	capture_init(&c);
	ck_assert_int_eq(read_string("{\"created\":1,\"exitcode\":1,\"tests\":[\n"
	    "{\"nodeid\":\"a.py::t1\",\"outcome\":\"passed\"},\n"
	    "{\"nodeid\":\"a.py::t2\",\"outcome\":\"failed\",\"call\":{\"dur",
	    "p.json", TALLY_FMT_PYTEST_JSON, &c, &err), TALLY_EPARSE);
	ck_assert_uint_eq(c.ntests, 1);
	ck_assert_uint_eq(c.nerrors, 1);
	ck_assert_int_eq(err.line, 3);
	ck_assert_int_eq(err.column, 53);
	ck_assert_uint_eq(capture_count(&c, "\"exitcode\":\"1\""), 1);
	capture_fini(&c);
}
END_TEST

/* pytest 7.2.1, collectors serialised as pytest-json-report does. */
START_TEST(collection_error)
{
	struct capture c;

	read_fixture(D "pytest-7.2.1-json-report-collection-error.json", &c);
	ck_assert_uint_eq(c.ntests, 1);
	ck_assert_uint_eq(c.nstatus[TALLY_FAILED], 1);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"(collection) "
	    "test_broken.py\",\"status\":\"failed\",\"rawStatus\":"
	    "\"collection-error\",\"filePath\":\"test_broken.py\","
	    "\"message\":\"E   ModuleNotFoundError: No module named 'numpyy'\","
	    "\"trace\":\"ImportError while importing test module "), 1);
	/* Exit status 2 is accounted for by the collector. */
	ck_assert_uint_eq(capture_count(&c, "(session)"), 0);
	capture_fini(&c);
}
END_TEST

static void
exit_status(const char *doc, size_t want)
{
	struct capture c;
	struct tally_error err;

	capture_init(&c);
	ck_assert_int_eq(read_string(doc, "p.json", TALLY_FMT_PYTEST_JSON, &c,
	    &err), TALLY_OK);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"(session)\",\"status\""
	    ":\"failed\",\"rawStatus\":\"exitcode\""), want);
	capture_fini(&c);
}

START_TEST(exit_statuses)
{
	/* 1 says tests failed: none did. */
	exit_status("{\"exitcode\":1,\"tests\":[{\"nodeid\":\"t.py::a\","
	    "\"outcome\":\"passed\"}]}", 1);
	/* 1 with a failed test: that test is the failure. */
	exit_status("{\"exitcode\":1,\"tests\":[{\"nodeid\":\"t.py::a\","
	    "\"outcome\":\"failed\"}]}", 0);
	/* 2 interrupted, 3 internal error, 99 a plugin's. */
	exit_status("{\"exitcode\":2,\"tests\":[{\"nodeid\":\"t.py::a\","
	    "\"outcome\":\"passed\"}]}", 1);
	exit_status("{\"tests\":[],\"exitcode\":3}", 1);
	exit_status("{\"tests\":[],\"exitcode\":99}", 1);
	/* 0, and 5 (no tests collected: an empty run, not a failure). */
	exit_status("{\"exitcode\":0,\"tests\":[]}", 0);
	exit_status("{\"exitcode\":5,\"tests\":[]}", 0);
	/* A failed collector accounts for a non-zero status. */
	exit_status("{\"exitcode\":2,\"collectors\":[{\"nodeid\":"
	    "\"t.py::C\",\"outcome\":\"failed\",\"result\":[]}],"
	    "\"tests\":[]}", 0);
}
END_TEST

START_TEST(declared_summary)
{
	struct capture c;
	struct tally_error err;

	capture_init(&c);
	/* summary: 3 failed + error, one test carries a failure. */
	ck_assert_int_eq(read_string("{\"exitcode\":1,\"summary\":{"
	    "\"failed\":2,\"error\":1,\"passed\":1,\"total\":4},"
	    "\"tests\":[{\"nodeid\":\"t.py::a\",\"outcome\":\"failed\"},"
	    "{\"nodeid\":\"t.py::b\",\"outcome\":\"passed\"}]}", "p.json",
	    TALLY_FMT_PYTEST_JSON, &c, &err), TALLY_OK);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"(declared) p.json\","
	    "\"status\":\"failed\",\"rawStatus\":\"declared\",\"message\":"
	    "\"declares 3 failures, 1 found\""), 1);
	ck_assert_uint_eq(capture_count(&c, "\"tally.declared\":\"the file "
	    "declares 4 tests (2 found), 3 failed (1 found), 0 skipped "
	    "(0 found)\""), 0);
	ck_assert_uint_eq(capture_count(&c, "\"tally.declared\":\"the file "
	    "declares 4 tests (2 found), 3 failed (1 found)\""), 1);
	capture_fini(&c);
}
END_TEST

Suite *suite_pytest_json(void);

Suite *
suite_pytest_json(void)
{
	Suite *s = suite_create("pytest_json");
	TCase *tc = tcase_create("read");

	tcase_add_test(tc, sample_report);
	tcase_add_test(tc, node_ids_are_split);
	tcase_add_test(tc, truncated_report);
	tcase_add_test(tc, collection_error);
	tcase_add_test(tc, exit_statuses);
	tcase_add_test(tc, declared_summary);
	suite_add_tcase(s, tc);
	return s;
}
