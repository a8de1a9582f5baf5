/*
 * tests/check_trx.c: the TRX reader on the producers' files in
 * tests/data/trx (their own ResultSummary in PROVENANCE.md), on every
 * outcome word, data-driven rows and failures outside any test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "internal.h"
#include "testutil.h"

#define DATA "tests/data/trx/"
#define NS "xmlns=\"http://microsoft.com/schemas/VisualStudio/TeamTest/2010\""

static void
counts(const char *name, size_t passed, size_t failed, size_t skipped,
    size_t run)
{
	struct capture c;
	char path[256];

	snprintf(path, sizeof(path), DATA "%s", name);
	read_fixture(path, &c);
	ck_assert_uint_eq(c.nstatus[TALLY_PASSED], passed);
	ck_assert_uint_eq(c.nstatus[TALLY_FAILED], failed + run);
	ck_assert_uint_eq(c.nstatus[TALLY_SKIPPED], skipped);
	ck_assert_uint_eq(c.ntests, passed + failed + skipped + run);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"(test run)\""), run);
	/* Every count agrees with the file's own Counters. */
	ck_assert_uint_eq(capture_count(&c, "tally.declared"), 0);
	capture_fini(&c);
}

static void
read_str(const char *s, struct capture *c)
{
	struct tally_error err;

	capture_init(c);
	ck_assert_int_eq(read_string(s, "x.trx", TALLY_FMT_AUTO, c, &err),
	    TALLY_OK);
}

/* A run of one result: outcome, duration and output given. */
static void
one(struct capture *c, const char *outcome, const char *dur,
    const char *output, int defs_first)
{
	struct tally_buf b, r;

	tally_buf_init(&b);
	tally_buf_init(&r);
	tally_buf_printf(&r, "<Results><UnitTestResult testId=\"id1\" "
	    "testName=\"N.K.m\" outcome=\"%s\" duration=\"%s\">%s"
	    "</UnitTestResult></Results>", outcome, dur, output);
	tally_buf_printf(&b, "<TestRun " NS ">%s<TestDefinitions><UnitTest "
	    "id=\"id1\" storage=\"C:\\b\\k.dll\"><TestMethod className=\"N.K, "
	    "K, Version=1.0.0.0\" name=\"m\"/></UnitTest></TestDefinitions>%s"
	    "</TestRun>", defs_first ? "" : r.data, defs_first ? r.data : "");
	read_str(b.data, c);
	tally_buf_free(&b);
	tally_buf_free(&r);
}

START_TEST(counts_agree_with_the_files)
{
	counts("dotnet-xunit-dorny.trx", 5, 5, 1, 0);
	counts("dotnet-xunitv3.trx", 1, 3, 0, 0);
	counts("nunit-netcoreapp3.1-sample.trx", 2, 3, 1, 0);
	counts("mstest-vs2010-host-crash.trx", 2, 4, 19, 0);
	counts("mstest-warning.trx", 1, 0, 0, 0);
	counts("mstest-datadriven.trx", 3, 2, 0, 0);
	counts("nunit-with-stderr.trx", 1, 0, 0, 1);
	counts("dotnet-no-tests.trx", 0, 0, 0, 0);
}
END_TEST

/* Results before their definitions (vstest) and after them (VS 2010). */
START_TEST(fields_of_a_result)
{
	struct capture c;
	const char *l;
	char *all;

	read_fixture(DATA "dotnet-xunit-dorny.trx", &c);
	l = capture_one(&c, "\"name\":\"Exception_In_TargetTest\"", NULL);
	HAS(l, "\"status\":\"failed\",\"rawStatus\":\"Failed\","
	    "\"duration\":0.8377,\"suite\":[\"dotnettests.xunittests.dll\"],"
	    "\"classname\":\"DotnetTests.XUnitTests.CalculatorTests\"");
	HAS(l, "\"message\":\"System.DivideByZeroException : Attempted to "
	    "divide by zero.\",\"trace\":\"   at DotnetTests.Unit.Calculator."
	    "Div(Int32 a, Int32 b) in ");
	HAS(capture_one(&c, "\"name\":\"Skipped_Test\"", NULL),
	    "\"rawStatus\":\"NotExecuted\"");
	HAS(capture_one(&c, "\"name\":\"Skipped_Test\"", NULL),
	    "\"stdout\":\"Skipped test\"");
	/* A display name that does not start with the class stays whole. */
	capture_one(&c, "\"name\":\"Should be even number(i: 3)\"",
	    "\"classname\":\"DotnetTests.XUnitTests.CalculatorTests\"");
	all = capture_join(&c);
	HASNT(all, "tally.trxTestId");
	free(all);
	capture_fini(&c);

	read_fixture(DATA "mstest-vs2010-host-crash.trx", &c);
	l = capture_one(&c, "\"name\":\"EST_SEG_TEMPTest\"", NULL);
	HAS(l, "\"status\":\"failed\",\"rawStatus\":\"Aborted\"");
	HAS(l, "\"classname\":\"Prueba_Sistema.SIARAlgorithmTest\"");
	HAS(capture_one(&c, "\"name\":\"CompareTest\"", NULL),
	    "\"status\":\"failed\",\"rawStatus\":\"NotRunnable\"");
	l = capture_one(&c, "\"type\":\"meta\"", NULL);
	HAS(l, "\"outcome\":\"Error\",\"runError\":\"El proceso del host de "
	    "pruebas terminó inesperadamente.\"");
	capture_fini(&c);

	read_fixture(DATA "nunit-with-stderr.trx", &c);
	HAS(capture_one(&c, "\"name\":\"Passing_test\"", NULL),
	    "\"stderr\":\"message written to stderr\"");
	capture_fini(&c);
}
END_TEST

START_TEST(every_outcome)
{
	static const struct {
		const char *outcome, *want;
	} t[] = {
		{ "Passed", "\"status\":\"passed\",\"duration\"" },
		{ "Completed", "\"status\":\"passed\",\"rawStatus\":\"Completed\"" },
		{ "PassedButRunAborted", "\"status\":\"passed\",\"rawStatus\":"
		    "\"PassedButRunAborted\"" },
		{ "Failed", "\"status\":\"failed\",\"rawStatus\":\"Failed\"" },
		{ "Error", "\"status\":\"failed\",\"rawStatus\":\"Error\"" },
		{ "Timeout", "\"status\":\"failed\",\"rawStatus\":\"Timeout\"" },
		{ "Aborted", "\"status\":\"failed\",\"rawStatus\":\"Aborted\"" },
		{ "Disconnected", "\"status\":\"failed\",\"rawStatus\":"
		    "\"Disconnected\"" },
		{ "NotRunnable", "\"status\":\"failed\",\"rawStatus\":"
		    "\"NotRunnable\"" },
		{ "NotExecuted", "\"status\":\"skipped\",\"rawStatus\":"
		    "\"NotExecuted\"" },
		{ "Pending", "\"status\":\"pending\",\"rawStatus\":\"Pending\"" },
		{ "Inconclusive", "\"status\":\"other\",\"rawStatus\":"
		    "\"Inconclusive\"" },
		{ "Warning", "\"status\":\"other\",\"rawStatus\":\"Warning\"" },
		{ "InProgress", "\"status\":\"other\",\"rawStatus\":"
		    "\"InProgress\"" },
		{ "Odd", "\"status\":\"other\",\"rawStatus\":\"Odd\"" },
	};
	struct capture c;
	const char *l;
	size_t i;
	int first;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		for (first = 0; first < 2; first++) {
			one(&c, t[i].outcome, "00:00:01.5000000", "", first);
			ck_assert_uint_eq(c.ntests, 1);
			l = capture_one(&c, "\"name\":\"m\"", NULL);
			HAS(l, t[i].want);
			HAS(l, "\"duration\":1500,\"suite\":[\"k.dll\"],"
			    "\"classname\":\"N.K\"");
			capture_fini(&c);
		}
}
END_TEST

START_TEST(output_and_durations)
{
	struct capture c;
	const char *l;

	one(&c, "Failed", "1.02:03:04.25", "<Output><StdOut>out</StdOut>"
	    "<StdErr>err</StdErr><ErrorInfo><Message>boom</Message>"
	    "<StackTrace>at K.m()</StackTrace></ErrorInfo></Output>", 0);
	l = capture_one(&c, "\"name\":\"m\"", NULL);
	HAS(l, "\"duration\":93784250,");
	HAS(l, "\"message\":\"boom\",\"trace\":\"at K.m()\",\"stdout\":\"out\","
	    "\"stderr\":\"err\"");
	capture_fini(&c);

	one(&c, "Passed", "1.5", "", 0);
	l = capture_one(&c, "\"name\":\"m\"", NULL);
	HASNT(l, "\"duration\"");
	HAS(l, "{\"name\":\"tally.badDuration\",\"value\":\"1.5\"}");
	capture_fini(&c);

	one(&c, "Passed", "00:61:00", "", 1);
	HAS(capture_one(&c, "\"name\":\"m\"", NULL), "tally.badDuration");
	capture_fini(&c);
}
END_TEST

/*
 * Rows are tests; their parent is not, unless it failed while no row
 * did.  Counters count parents and rows alike.
 */
START_TEST(data_driven_rows)
{
	struct capture c;

	read_fixture(DATA "mstest-datadriven.trx", &c);
	HAS(capture_one(&c, "\"name\":\"Two_pass_one_fails (1)\"", NULL),
	    "\"status\":\"failed\"");
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"Two_pass_one_fails\""),
	    0);
	capture_fini(&c);

	read_str("<TestRun " NS "><Results><UnitTestResult testId=\"p\" "
	    "testName=\"K.dd\" outcome=\"Failed\"><Output><ErrorInfo><Message>"
	    "data source missing</Message></ErrorInfo></Output><InnerResults>"
	    "<UnitTestResult testId=\"p\" testName=\"dd (0)\" outcome="
	    "\"Passed\"/><UnitTestResult testId=\"p\" testName=\"dd (1)\" "
	    "outcome=\"Passed\"><Output><StdOut>r1</StdOut></Output>"
	    "</UnitTestResult></InnerResults></UnitTestResult></Results>"
	    "<TestDefinitions><UnitTest id=\"p\"><TestMethod className=\"K\"/>"
	    "</UnitTest></TestDefinitions><ResultSummary outcome=\"Failed\">"
	    "<Counters total=\"3\" passed=\"2\" failed=\"1\"/></ResultSummary>"
	    "</TestRun>", &c);
	ck_assert_uint_eq(c.ntests, 3);
	HAS(capture_one(&c, "\"name\":\"dd\"", NULL),
	    "\"message\":\"data source missing\"");
	HAS(capture_one(&c, "\"name\":\"dd (1)\"", NULL), "\"stdout\":\"r1\"");
	capture_one(&c, "\"name\":\"dd (0)\"", "\"classname\":\"K\"");
	ck_assert_uint_eq(capture_count(&c, "tally.declared"), 0);
	capture_fini(&c);
}
END_TEST

START_TEST(failures_outside_tests)
{
	struct capture c;
	const char *l;

	/* The run failed and no test did. */
	read_fixture(DATA "nunit-with-stderr.trx", &c);
	l = capture_one(&c, "\"name\":\"(test run)\"", NULL);
	HAS(l, "\"status\":\"failed\",\"rawStatus\":\"run:Failed\"");
	HAS(l, "\"message\":\"the run's outcome is Failed but no test failed\"");
	capture_fini(&c);

	/* A run aborted before any result. */
	read_str("<TestRun " NS "><ResultSummary outcome=\"Aborted\"/>"
	    "</TestRun>", &c);
	HAS(capture_one(&c, "\"name\":\"(test run)\"", NULL),
	    "\"rawStatus\":\"run:Aborted\"");
	capture_fini(&c);

	/* RunInfo errors with an outcome that says nothing of them. */
	read_str("<TestRun " NS "><Results><UnitTestResult testId=\"a\" "
	    "testName=\"t\" outcome=\"Passed\"/></Results><ResultSummary "
	    "outcome=\"Completed\"><RunInfos><RunInfo outcome=\"Warning\">"
	    "<Text>slow</Text></RunInfo><RunInfo outcome=\"Error\"><Text>"
	    "host crashed</Text></RunInfo><RunInfo outcome=\"Error\"><Text>"
	    "exit code 3</Text></RunInfo></RunInfos></ResultSummary>"
	    "</TestRun>", &c);
	l = capture_one(&c, "\"name\":\"(test run)\"", NULL);
	HAS(l, "\"rawStatus\":\"run:Completed\"");
	HAS(l, "\"message\":\"host crashed\\nexit code 3\"");
	HAS(capture_one(&c, "\"type\":\"meta\"", NULL), "\"outcome\":"
	    "\"Completed\",\"runInfo\":\"slow\",\"runError\":\"host crashed"
	    "\\nexit code 3\"");
	capture_fini(&c);

	/* With a failed test, RunInfo errors are the run's meta only. */
	read_fixture(DATA "dotnet-xunitv3.trx", &c);
	ck_assert_uint_eq(capture_count(&c, "(test run)"), 0);
	HAS(capture_one(&c, "\"type\":\"meta\"", NULL),
	    "\"runError\":\"Exit code indicates failure: '2'.");
	capture_fini(&c);
}
END_TEST

/* Counters that say more than the results. */
START_TEST(counters_checked)
{
	struct capture c;
	const char *l;

	read_str("<TestRun " NS "><Results><UnitTestResult testId=\"a\" "
	    "testName=\"t\" outcome=\"Passed\"/></Results><ResultSummary "
	    "outcome=\"Failed\"><Counters total=\"3\" passed=\"1\" "
	    "failed=\"1\" timeout=\"1\"/></ResultSummary></TestRun>", &c);
	HAS(capture_one(&c, "tally.declared", NULL), "the file declares "
	    "3 tests (1 found), 2 failed (0 found)");
	l = capture_one(&c, "\"name\":\"(declared) x.trx\"", NULL);
	HAS(l, "\"message\":\"declares 2 failures, 0 found\"");
	capture_fini(&c);
}
END_TEST

START_TEST(detection_and_faults)
{
	static const char *const trx[] = {
		"\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<TestRun id=\"1\" " NS ">",
		"<TestRun id=\"1\"><Results><UnitTestResult/>",
		"<TestRun xmlns=\"urn:x\"><ResultSummary/>",
	};
	const char *cpp = "<TestRun><FailedTests/><SuccessfulTests/>"
	    "<Statistics/></TestRun>";
	struct capture c;
	struct tally_error err;
	size_t i;

	for (i = 0; i < sizeof(trx) / sizeof(trx[0]); i++)
		ck_assert_int_eq(tally_format_detect((const unsigned char *)
		    trx[i], strlen(trx[i])), TALLY_FMT_TRX);
	ck_assert_int_eq(tally_format_detect((const unsigned char *)cpp,
	    strlen(cpp)), TALLY_FMT_AUTO);
	capture_init(&c);
	ck_assert_int_eq(read_string(cpp, "c.xml", TALLY_FMT_AUTO, &c, &err),
	    TALLY_EPARSE);
	ck_assert_str_eq(err.message, "unrecognized format: CppUnit XML is "
	    "not supported (tally reads JUnit, Check, NUnit, xUnit.net, "
	    "TRX and JMeter XML)");
	capture_fini(&c);

	capture_init(&c);
	ck_assert_int_eq(read_string("<testsuites/>", "j.xml", TALLY_FMT_TRX,
	    &c, &err), TALLY_EPARSE);
	ck_assert_str_eq(err.message, "root element 'testsuites' is not TRX");
	capture_fini(&c);

	/* Cut short: the results spooled so far still go out. */
	capture_init(&c);
	ck_assert_int_eq(read_string("<TestRun " NS "><Results>"
	    "<UnitTestResult testId=\"a\" testName=\"t1\" outcome=\"Failed\"/>"
	    "<UnitTestResult testId=\"b\" testName=\"t2\" outcome=", "x.trx",
	    TALLY_FMT_AUTO, &c, &err), TALLY_EPARSE);
	ck_assert_uint_eq(c.ntests, 1);
	ck_assert_uint_eq(c.nerrors, 1);
	HAS(capture_one(&c, "\"name\":\"t1\"", NULL), "\"status\":\"failed\"");
	capture_fini(&c);
}
END_TEST

Suite *suite_trx(void);

Suite *
suite_trx(void)
{
	Suite *s = suite_create("trx");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, counts_agree_with_the_files);
	tcase_add_test(tc, fields_of_a_result);
	tcase_add_test(tc, every_outcome);
	tcase_add_test(tc, output_and_durations);
	tcase_add_test(tc, data_driven_rows);
	tcase_add_test(tc, failures_outside_tests);
	tcase_add_test(tc, counters_checked);
	tcase_add_test(tc, detection_and_faults);
	suite_add_tcase(s, tc);
	return s;
}
