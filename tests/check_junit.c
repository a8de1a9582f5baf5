/*
 * tests/check_junit.c: the JUnit XML reader on real files of every
 * dialect, on broken and hostile inputs, and on a large file for the
 * memory bound.  Expected counts come from the fixtures themselves
 * (XPath counts with xmllint, see the table), never from the reader.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "internal.h"
#include "testutil.h"

#define DATA "tests/data/junit/"

/* Read a fixture; the read must succeed. */
static void
read_ok(const char *name, struct capture *c)
{
	char path[256];

	snprintf(path, sizeof(path), DATA "%s", name);
	read_fixture(path, c);
	ck_assert_uint_eq(c->nerrors, 0);
}

/*
 * Per file: testcases, failed, skipped and flaky, counted with xmllint:
 *   count(//testcase)
 *   count(//testcase[failure or error or rerunFailure or rerunError or
 *       ((@status="failed" or @status="errored") and not(skipped))])
 *   count(//testcase[not(failure or error or rerunFailure or rerunError)
 *       and (skipped or @status="notrun" or @status="disabled" or
 *       @result="skipped" or @result="suppressed")])
 *   count(//testcase[(flakyFailure or flakyError) and not(failure or
 *       error or rerunFailure or rerunError)])
 */
static const struct {
	const char	*file;
	const char	*dialect;
	size_t		 tests, failed, skipped, flaky;
} counts[] = {
	{ "TEST-CalculatorTest-gradle-junit5-kotlin.xml", "gradle", 24, 0, 0, 0 },
	{ "TEST-ExampleTests-rerunError-rerunFailure-flaky.xml", "surefire", 4, 2, 0, 2 },
	{ "TEST-FailingTest-properties.xml", "surefire", 2, 2, 0, 0 },
	{ "TEST-io.olamy.AlwaysFailTest-rerunFailure-3.0.2.xml", "surefire", 1, 1, 0, 0 },
	{ "TEST-surefire3.FlakyTest-flaky-sysout.xml", "surefire", 3, 1, 0, 1 },
	{ "ant-1.9.16-junit-java17.xml", "ant", 10, 4, 2, 0 },
	{ "antunit-child-element-counts.xml", "antunit", 1, 0, 0, 0 },
	{ "bazel-generated-two-targets.xml", "bazel", 2, 1, 0, 0 },
	{ "catch2-junit-futures.xml", "catch2", 1, 1, 0, 0 },
	{ "ctest-output-junit.xml", "ctest", 4, 1, 2, 0 },
	{ "cypress-mocha-junit-reporter-testcase-properties.xml", "cypress", 3, 0, 0, 0 },
	{ "eclipse-testrun-root.xml", "eclipse", 7, 0, 0, 0 },
	{ "error-directly-in-testsuite.xml", "edge", 0, 0, 0, 0 },
	{ "go-junit-report-001-pass-fail-skip.xml", "go-junit-report", 5, 1, 2, 0 },
	{ "gotestsum-junitxml-report.xml", "gotestsum", 60, 13, 5, 0 },
	{ "gtest-1.8-golden-result-completed.xml", "gtest", 24, 4, 3, 0 },
	{ "gtest-notrun-disabled.xml", "gtest", 4, 2, 1, 0 },
	{ "horovod-spark-fail-xunit1.xml", "pytest xunit1", 5, 1, 1, 0 },
	{ "jest-junit-windows-failures.xml", "jest-junit", 6, 4, 1, 0 },
	{ "mocha-junit-reporter-failures-stack.xml", "mocha", 51, 2, 0, 0 },
	{ "multiple-failures-per-testcase.xml", "edge", 4, 2, 1, 0 },
	{ "multiple-results-per-testcase.xml", "edge", 4, 2, 1, 0 },
	{ "nested-testsuites-3-levels.xml", "edge", 2, 0, 0, 0 },
	{ "nextest-fixture-project-rerunFailure.xml", "nextest", 3, 1, 0, 1 },
	{ "no-attributes.xml", "edge", 4, 2, 1, 0 },
	{ "perl-tap-formatter-junit.xml", "TAP::Formatter::JUnit", 1, 0, 0, 0 },
	{ "phpunit-nested-phpcheckstyle.xml", "phpunit", 30, 2, 0, 0 },
	{ "phpunit-selenium-nested-datasets.xml", "phpunit", 32, 1, 0, 0 },
	{ "playwright-junit-failures.xml", "playwright", 16, 2, 0, 0 },
	{ "properties-multiline-and-testcase-level.xml", "edge", 2, 1, 0, 0 },
	{ "pytest-xunit2-properties.xml", "pytest xunit2", 10, 2, 2, 0 },
	{ "quick-junit-basic-report-rerun-flaky.xml", "quick-junit", 8, 4, 1, 1 },
	{ "rspec_junit_formatter-jekyll-polyglot.xml", "rspec", 31, 0, 0, 0 },
	{ "status-disabled-with-failure.xml", "edge", 1, 1, 0, 0 },
	{ "testcafe-junit.xml", "testcafe", 2, 0, 0, 0 },
	{ "time-with-thousands-comma.xml", "edge", 8, 0, 0, 0 },
	{ "tst-cpp-disabled.xml", "tst", 31, 20, 5, 0 },
};

START_TEST(counts_match_the_files)
{
	struct capture c;
	size_t nflaky, nsynth;

	read_ok(counts[_i].file, &c);
	/* <error> straight in a testsuite is a test record too. */
	nsynth = capture_count(&c, "\"name\":\"(testsuite)\"");
	c.ntests -= nsynth;
	c.nstatus[TALLY_FAILED] -= nsynth;
	ck_assert_msg(c.ntests == counts[_i].tests, "%s: %zu tests, want %zu",
	    counts[_i].file, c.ntests, counts[_i].tests);
	ck_assert_msg(c.nstatus[TALLY_FAILED] == counts[_i].failed,
	    "%s: %zu failed, want %zu", counts[_i].file,
	    c.nstatus[TALLY_FAILED], counts[_i].failed);
	ck_assert_msg(c.nstatus[TALLY_SKIPPED] == counts[_i].skipped,
	    "%s: %zu skipped, want %zu", counts[_i].file,
	    c.nstatus[TALLY_SKIPPED], counts[_i].skipped);
	nflaky = capture_count(&c, "\"flaky\":true");
	ck_assert_msg(nflaky == counts[_i].flaky, "%s: %zu flaky, want %zu",
	    counts[_i].file, nflaky, counts[_i].flaky);
	ck_assert_uint_eq(c.nstatus[TALLY_PASSED] + c.nstatus[TALLY_FAILED] +
	    c.nstatus[TALLY_SKIPPED], c.ntests);
	capture_fini(&c);
}
END_TEST

START_TEST(surefire_reruns_and_flaky)
{
	struct capture c;
	const char *l;

	read_ok("TEST-ExampleTests-rerunError-rerunFailure-flaky.xml", &c);
	/* <error> then 3 <rerunError>: failed, three attempts. */
	l = capture_one(&c, "\"name\":\"throwsAlways\"", NULL);
	HAS(l, "\"status\":\"failed\",\"rawStatus\":\"error\"");
	HAS(l, "\"retries\":3");
	HAS(l, "\"message\":\"Always throws exception\"");
	HAS(l, "\"errorType\":\"java.lang.RuntimeException\"");
	ck_assert_uint_eq(capture_count(&c, "\"rawStatus\":\"rerunError\""), 1);
	/* <failure> then <rerunFailure>s. */
	l = capture_one(&c, "\"name\":\"failsAssertionAlways\"", NULL);
	HAS(l, "\"rawStatus\":\"failure\"");
	HAS(l, "\"retryAttempts\":[{\"status\":\"failed\",\"rawStatus\":"
	    "\"rerunFailure\"");
	/* flakyFailure only: passed in the end. */
	l = capture_one(&c, "\"name\":\"failsAssertionOnlyFirstAttempt\"",
	    NULL);
	HAS(l, "\"status\":\"passed\"");
	HAS(l, "\"flaky\":true");
	HAS(l, "\"retries\":1");
	HAS(l, "\"rawStatus\":\"flakyFailure\",\"message\":\"First attempt "
	    "fails assertion ==> expected: <1> but was: <2>\","
	    "\"errorType\":\"org.opentest4j.AssertionFailedError\"");
	HAS(l, "\"trace\":\"org.opentest4j.AssertionFailedError: First attempt");
	l = capture_one(&c, "\"name\":\"throwsOnlyFirstAttempt\"", NULL);
	HAS(l, "\"rawStatus\":\"flakyError\"");
	HAS(l, "\"flaky\":true");
	capture_fini(&c);

	/* Surefire 3: <stackTrace>, <system-out>, <system-err> per attempt. */
	read_ok("TEST-io.olamy.AlwaysFailTest-rerunFailure-3.0.2.xml", &c);
	l = capture_one(&c, "\"type\":\"test\"", NULL);
	HAS(l, "\"status\":\"failed\"");
	HAS(l, "\"retries\":3");
	HAS(l, "{\"status\":\"failed\",\"rawStatus\":\"rerunFailure\","
	    "\"message\":\"built to fail\",\"errorType\":\"junit.framework."
	    "AssertionFailedError\",\"trace\":\"junit.framework.");
	HAS(l, "\"stdout\":\"");
	capture_fini(&c);

	read_ok("TEST-surefire3.FlakyTest-flaky-sysout.xml", &c);
	l = capture_one(&c, "\"flaky\":true", NULL);
	HAS(l, "\"stderr\":\"");
	capture_fini(&c);
}
END_TEST

START_TEST(nextest_rerun_keeps_attempt_output)
{
	struct capture c;
	const char *l;

	read_ok("nextest-fixture-project-rerunFailure.xml", &c);
	ck_assert_uint_eq(capture_count(&c, "\"rawStatus\":\"rerunFailure\""),
	    1);
	l = capture_one(&c, "\"rawStatus\":\"rerunFailure\"", NULL);
	HAS(l, "\"status\":\"failed\"");
	HAS(l, "\"stdout\":\"");
	l = capture_one(&c, "\"flaky\":true", NULL);
	HAS(l, "\"rawStatus\":\"flakyFailure\"");
	capture_fini(&c);

	/* quick-junit: testcase-level properties. */
	read_ok("quick-junit-basic-report-rerun-flaky.xml", &c);
	ck_assert_uint_eq(capture_count(&c, "\"rawStatus\":\"flakyError\""),
	    2);
	ck_assert_uint_eq(capture_count(&c, "\"rawStatus\":\"rerunError\""),
	    1);
	capture_fini(&c);
}
END_TEST

START_TEST(pytest_file_line_and_properties)
{
	struct capture c;
	const char *l;

	read_ok("horovod-spark-fail-xunit1.xml", &c);
	l = capture_one(&c, "\"name\":\"test_rsh_events\"", NULL);
	/* pytest xunit1 writes the 0-based line of the def: 819 is 820. */
	HAS(l, "\"filePath\":\"test/test_spark.py\",\"line\":820");
	HAS(l, "\"duration\":7541");
	HAS(l, "\"classname\":\"test.test_spark.SparkTests\"");
	HAS(l, "\"suite\":[\"pytest\"]");
	/* Newlines in attribute values are blanks in XML. */
	HAS(l, "\"message\":\"self = <test_spark.SparkTests testMethod="
	    "test_rsh_events>      def test_rsh_events(self): >");
	l = capture_one(&c, "\"name\":\"test_get_available_devices\"", NULL);
	HAS(l, "\"status\":\"skipped\",\"rawStatus\":\"skipped\"");
	HAS(l, "\"message\":\"get_available_devices only supported in Spark "
	    "3.0 and above\",\"errorType\":\"pytest.skip\",\"trace\":"
	    "\"/horovod/test/test_spark.py:1642:");
	l = capture_one(&c, "\"type\":\"suite\"", NULL);
	HAS(l, "\"timestamp\":\"2020-09-04T16:18:04.966371\","
	    "\"hostname\":\"3f909e363d82\",\"duration\":2481,\"tests\":5,"
	    "\"failures\":1,\"errors\":0,\"skipped\":1");
	capture_fini(&c);

	read_ok("pytest-xunit2-properties.xml", &c);
	l = capture_one(&c, "\"type\":\"suite\"", NULL);
	HAS(l, "{\"name\":\"custom_prop\",\"value\":\"custom_val\"}");
	l = capture_one(&c, "\"name\":\"test_with_record_property\"", NULL);
	HAS(l, "\"properties\":[{\"name\":\"example_key\",\"value\":\"1\"}");
	l = capture_one(&c, "\"type\":\"meta\"", "pytest tests");
	HAS(l, "\"name\":\"pytest tests\"");
	/* tests="15" (subtests counted) and ten testcases: not compared. */
	ck_assert_uint_eq(capture_count(&c, "tally.declared"), 0);
	capture_fini(&c);

	read_ok("cypress-mocha-junit-reporter-testcase-properties.xml", &c);
	ck_assert_uint_eq(capture_count(&c, "{\"name\":\"test_key\","
	    "\"value\":\"XTP-71407\"}"), 3);
	capture_fini(&c);

	read_ok("properties-multiline-and-testcase-level.xml", &c);
	l = capture_one(&c, "\"name\":\"testCaseA\"", NULL);
	HAS(l, "{\"name\":\"description\",\"value\":\"description of test "
	    "testCaseA\"}");
	l = capture_one(&c, "\"type\":\"suite\"", NULL);
	HAS(l, "{\"name\":\"multiline\",\"value\":\"\\n          Config line 1"
	    "\\n");
	capture_fini(&c);
}
END_TEST

START_TEST(nested_suites_keep_every_test)
{
	struct capture c;
	const char *l;

	read_ok("phpunit-nested-phpcheckstyle.xml", &c);
	ck_assert_uint_eq(capture_count(&c, "\"suite\":[\"/workspace/"
	    "phpcheckstyle/phpunit.xml\",\"PHPUnitTestSuite\",\"CommentsTest\"]"),
	    3 + 1);
	ck_assert_uint_eq(capture_count(&c, "\"suite\":[\"/workspace/"
	    "phpcheckstyle/phpunit.xml\",\"PHPUnitTestSuite\","), 30 +
	    c.nsuites - 2);
	l = capture_one(&c, "\"type\":\"suite\"", "\"suite\":[\"/workspace/"
	    "phpcheckstyle/phpunit.xml\",\"PHPUnitTestSuite\",\"CommentsTest\"]");
	HAS(l, "{\"name\":\"@file\",\"value\":\"/workspace/phpcheckstyle/test/"
	    "CommentsTest.php\"}");
	HAS(l, "\"tests\":3");
	capture_fini(&c);

	/* Root <testsuite>, data-set suites two levels down. */
	read_ok("phpunit-selenium-nested-datasets.xml", &c);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"testFilterByNull with "
	    "data set #0\""), 2);
	HAS(capture_one(&c, "\"name\":\"testFilterByNull with data set #0\"",
	    "FiltersTest: chrome"), "\"suite\":[\"FiltersTest\","
	    "\"FiltersTest: chrome\",\"FiltersTest::testFilterByNull\"]");
	ck_assert_uint_eq(c.nsuites, 9);
	capture_fini(&c);

	/* Suite-level <error> in the third level, sibling testcase after. */
	read_ok("nested-testsuites-3-levels.xml", &c);
	l = capture_one(&c, "\"name\":\"(testsuite)\"", NULL);
	HAS(l, "\"rawStatus\":\"error\"");
	HAS(l, "\"suite\":[\"test.AutomatedTests\",\"test.db.DatabaseTest\","
	    "\"test.3rdlevel\"]");
	HAS(l, "\"message\":\"bla bla\"");
	l = capture_one(&c, "\"name\":\"testTable\"", NULL);
	HAS(l, "\"suite\":[\"test.AutomatedTests\",\"test.db.DatabaseTest\"]");
	capture_fini(&c);
}
END_TEST

START_TEST(status_attributes_and_skips)
{
	struct capture c;
	const char *l;

	read_ok("gtest-notrun-disabled.xml", &c);
	l = capture_one(&c, "\"name\":\"DISABLED_Testcase\"", NULL);
	HAS(l, "\"status\":\"skipped\",\"rawStatus\":\"notrun\"");
	l = capture_one(&c, "\"name\":\"Failing_Testcase\"", NULL);
	HAS(l, "\"message\":\"Value of: false\\n  Actual: false\\nExpected: "
	    "true\",\"errorType\":\"\",\"trace\":\"Test_moca_bl.cpp:271\\n");
	capture_fini(&c);

	read_ok("gtest-1.8-golden-result-completed.xml", &c);
	l = capture_one(&c, "\"name\":\"Skipped\"", NULL);
	HAS(l, "\"status\":\"skipped\",\"rawStatus\":\"skipped\"");
	HAS(l, "{\"name\":\"@result\",\"value\":\"skipped\"}");
	ck_assert_uint_eq(capture_count(&c, "\"rawStatus\":\"notrun\""), 2);
	/* Two <failure>s in one testcase: one record, both kept. */
	l = capture_one(&c, "\"name\":\"Fails\"", "MixedResultTest");
	HAS(l, "\\n  2\",\"errorType\":\"\",\"trace\":");
	HAS(l, "\\n\\n[failure] gtest_xml_output_unittest_.cc:*\\nExpected "
	    "equality of these values:\\n  2\\n  3\\n");
	ck_assert_uint_eq(capture_count(&c, "\"ad_hoc_property\":\"42\""), 1);
	capture_fini(&c);

	read_ok("ctest-output-junit.xml", &c);
	HAS(capture_one(&c, "\"name\":\"skips\"", NULL),
	    "\"status\":\"skipped\","
	    "\"rawStatus\":\"skipped\"");
	HAS(capture_one(&c, "\"name\":\"skips\"", NULL), "\"message\":"
	    "\"SKIP_RETURN_CODE=77\"");
	HAS(capture_one(&c, "\"name\":\"off\"", NULL), "\"status\":\"skipped\","
	    "\"rawStatus\":\"disabled\"");
	HAS(capture_one(&c, "\"name\":\"off\"", NULL),
	    "\"stdout\":\"Disabled\"");
	HAS(capture_one(&c, "\"name\":\"fails\"", NULL),
	    "\"stdout\":\"expected 1 got "
	    "2\\n\"");
	HAS(capture_one(&c, "\"type\":\"suite\"", NULL),
	    "\"tests\":4,\"failures\":1,"
	    "\"skipped\":1");
	capture_fini(&c);

	/* status="disabled" with a <failure>: the failure wins. */
	read_ok("status-disabled-with-failure.xml", &c);
	l = capture_one(&c, "\"type\":\"test\"", NULL);
	HAS(l, "\"status\":\"failed\",\"rawStatus\":\"failure\"");
	HAS(l, "\"errorType\":\"Test Failure\",\"trace\":\"Assert: Boolean "
	    "true check failed.\"");
	capture_fini(&c);

	/* skipped + failure + error: failed, the rest appended. */
	read_ok("multiple-results-per-testcase.xml", &c);
	l = capture_one(&c, "\"name\":\"test that errors\"", NULL);
	HAS(l, "\"status\":\"failed\",\"rawStatus\":\"failure\"");
	HAS(l, "[skipped]");
	HAS(l, "[error] test teardown failure");
	capture_fini(&c);

	read_ok("tst-cpp-disabled.xml", &c);
	ck_assert_uint_eq(capture_count(&c, "\"rawStatus\":\"disabled\""), 5);
	capture_fini(&c);
}
END_TEST

START_TEST(antunit_bazel_catch2_times)
{
	struct capture c;
	const char *l;

	read_ok("antunit-child-element-counts.xml", &c);
	HAS(capture_one(&c, "\"type\":\"test\"", NULL), "\"duration\":378");
	l = capture_one(&c, "\"type\":\"suite\"", NULL);
	HAS(l, "\"duration\":378,\"tests\":1,\"failures\":0,\"errors\":0");
	HAS(l, "\"hostname\":\"merope\"");
	capture_fini(&c);

	read_ok("time-with-thousands-comma.xml", &c);
	HAS(capture_one(&c, "\"type\":\"suite\"", "test.fs.FileSystemTests\"]"),
	    "\"duration\":2503100");
	capture_fini(&c);

	read_ok("catch2-junit-futures.xml", &c);
	l = capture_one(&c, "\"type\":\"test\"", NULL);
	HAS(l, "\"filePath\":\"test/unit/detail/utility/is_constant_"
	    "evaluated.cpp\",\"line\":19");
	HAS(l, "\"errorType\":\"REQUIRE\"");
	capture_fini(&c);

	read_ok("bazel-generated-two-targets.xml", &c);
	ck_assert_uint_eq(capture_count(&c, "\"stdout\":\"\\nGenerated "
	    "test.log"), 2);
	capture_fini(&c);

	read_ok("no-attributes.xml", &c);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"\",\"status\""), 4);
	ck_assert_uint_eq(capture_count(&c, "\"duration\""), 0);
	capture_fini(&c);

	/* <system-out><![CDATA[]]></system-out> says nothing: no field. */
	read_ok("TEST-CalculatorTest-gradle-junit5-kotlin.xml", &c);
	ck_assert_uint_eq(capture_count(&c, "\"stdout\""), 0);
	/* time="0.012" */
	HAS(capture_one(&c, "\"name\":\"[1] 1, 2, 3\"", NULL),
	    "\"duration\":12,");
	capture_fini(&c);

	/* A class that failed to load: <error> in the suite itself. */
	read_ok("error-directly-in-testsuite.xml", &c);
	HAS(capture_one(&c, "\"name\":\"(testsuite)\"", NULL), "\"errorType\":"
	    "\"java.lang.NoClassDefFoundError\"");
	capture_fini(&c);

	read_ok("eclipse-testrun-root.xml", &c);
	ck_assert_uint_eq(c.ntests, 7);
	capture_fini(&c);
}
END_TEST

/* <testsuites> nested in the root: its suites are read all the same. */
START_TEST(nested_testsuites_group)
{
	const char *in = "<testsuites name=\"all\"><testsuites>"
	    "<testsuite name=\"a\"><testcase name=\"t1\"/></testsuite>"
	    "<testcase name=\"t2\"/></testsuites>"
	    "<testsuite name=\"b\"><testsuites><testsuite name=\"c\">"
	    "<testcase name=\"t3\"/></testsuite></testsuites></testsuite>"
	    "</testsuites>";
	struct capture c;
	struct tally_error err;

	capture_init(&c);
	ck_assert_int_eq(read_string(in, "g.xml", TALLY_FMT_AUTO, &c, &err),
	    TALLY_OK);
	ck_assert_uint_eq(c.ntests, 3);
	HAS(capture_one(&c, "\"name\":\"t1\"", NULL), "\"suite\":[\"a\"]");
	HASNT(capture_one(&c, "\"name\":\"t2\"", NULL), "\"suite\"");
	HAS(capture_one(&c, "\"name\":\"t3\"", NULL),
	    "\"suite\":[\"b\",\"c\"]");
	ck_assert_uint_eq(capture_count(&c, "\"type\":\"meta\",\"meta\":"
	    "{\"name\":\"all\"}"), 1);
	capture_fini(&c);
}
END_TEST

START_TEST(js_go_ruby_perl_dialects)
{
	struct capture c;
	const char *l;

	/* jest-junit: <failure> with only a body, backslash suite name. */
	read_ok("jest-junit-windows-failures.xml", &c);
	ck_assert_uint_eq(capture_count(&c, "\"suite\":[\"__tests__\\\\main."
	    "test.js\"]"), 5);
	l = capture_one(&c, "\"trace\":\"Error: expect(received).toBeTruthy()",
	    NULL);
	HAS(l, "\"rawStatus\":\"failure\"");
	ck_assert_ptr_null(strstr(l, "\"message\""));
	capture_fini(&c);

	/* mocha-junit-reporter: file= on the suite is kept. */
	read_ok("mocha-junit-reporter-failures-stack.xml", &c);
	HAS(capture_one(&c, "\"type\":\"suite\"", "\"suite\":[\"Health\"]"),
	    "{\"name\":\"@file\",\"value\":\"/Users/anudeep/Documents/repos/"
	    "testbeats/beats-core-api/test/component/health.spec.js\"}");
	capture_fini(&c);

	/* go-junit-report: suite property, skip message and CDATA body. */
	read_ok("go-junit-report-001-pass-fail-skip.xml", &c);
	ck_assert_uint_eq(capture_count(&c, "{\"name\":\"go.version\","
	    "\"value\":\"1.0\"}"), c.nsuites);
	l = capture_one(&c, "\"trace\":\"    skip_test.go:6: skip message\"",
	    NULL);
	HAS(l, "\"status\":\"skipped\",\"rawStatus\":\"skipped\"");
	HAS(l, "\"message\":\"Skipped\"");
	capture_fini(&c);

	/* gotestsum: &#xA; in message= becomes a newline. */
	read_ok("gotestsum-junitxml-report.xml", &c);
	HAS(capture_one(&c, "\"name\":\"TestSkippedWitLog\"",
	    "internal/good\""),
	    "\"message\":\"=== RUN   TestSkippedWitLog\\n    good_test.go:27: "
	    "the skip message\\n");
	capture_fini(&c);

	/* rspec_junit_formatter: file= on every testcase. */
	read_ok("rspec_junit_formatter-jekyll-polyglot.xml", &c);
	ck_assert_uint_eq(capture_count(&c, "\"filePath\":\"./spec/"), 31);
	capture_fini(&c);

	/* Playwright: one spec per project, the project as hostname. */
	read_ok("playwright-junit-failures.xml", &c);
	capture_one(&c, "\"suite\":[\"demo-todo-app.spec.ts\"]",
	    "\"hostname\":\"chromium\"");
	capture_one(&c, "\"suite\":[\"demo-todo-app.spec.ts\"]",
	    "\"hostname\":\"firefox\"");
	capture_fini(&c);
	/* TestCafe: file= on the testcases. */
	read_ok("testcafe-junit.xml", &c);
	ck_assert_uint_eq(capture_count(&c, "\"filePath\":\"/home/vsts/work/1/"
	    "s/testcafe/tests/test1.js\""), 2);
	capture_fini(&c);

	/* TAP::Formatter::JUnit: time="4.50611114501953e-05". */
	read_ok("perl-tap-formatter-junit.xml", &c);
	HAS(capture_one(&c, "\"type\":\"test\"", NULL), "\"duration\":"
	    "0.0450611114501953,");
	capture_fini(&c);
}
END_TEST

START_TEST(test_listed_twice_gives_two_records)
{
	const char *in = "<testsuite name=\"s\"><testcase name=\"t\"/>"
	    "<testcase name=\"t\"><failure message=\"m\"/></testcase>"
	    "</testsuite>";
	struct capture c;
	struct tally_error err;

	capture_init(&c);
	ck_assert_int_eq(read_string(in, "dup.xml", TALLY_FMT_AUTO, &c, &err),
	    TALLY_OK);
	ck_assert_uint_eq(c.ntests, 2);
	ck_assert_uint_eq(c.nstatus[TALLY_FAILED], 1);
	HAS(c.lines[0], "\"source\":\"dup.xml\"");
	capture_fini(&c);
}
END_TEST

/* ---- broken and hostile input ---- */

/* Read s (n bytes) as junit; returns the status, fills c and err. */
static int
read_bytes(const char *s, size_t n, enum tally_format fmt,
    struct capture *c, struct tally_error *err)
{
	char path[] = "/tmp/tally-junit-XXXXXX";
	int fd, rc;

	capture_init(c);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	unlink(path);
	ck_assert_int_eq(write(fd, s, n), (ssize_t)n);
	lseek(fd, 0, SEEK_SET);
	rc = tally_read_fd(fd, "in.xml", fmt, &c->sink, err);
	close(fd);
	return rc;
}

START_TEST(truncated_file_keeps_earlier_tests)
{
	static const char cutoff[] = "<testsuite name=\"s\"><testcase "
	    "name=\"t\" classname=\"c\"><system-out>half of the output "
	    "that was being written when the runner died";
	struct capture c;
	struct tally_error err;
	int rc;

	capture_init(&c);
	rc = read_file(DATA "pytest-truncated-corrupt.xml", TALLY_FMT_AUTO,
	    &c, &err);
	ck_assert_int_eq(rc, TALLY_EPARSE);
	/* The file is cut on line 11, inside the second testcase. */
	ck_assert_int_eq(err.line, 11);
	ck_assert_str_eq(err.message, "unexpected end of file");
	ck_assert_uint_eq(c.ntests, 2);
	HAS(c.lines[0], "\"name\":\"test_check_shape_compatibility\"");
	/* The cut-off case is kept with what was read of it, and marked. */
	HAS(capture_one(&c, "test_get_available_devices", NULL),
	    "\"status\":\"skipped\"");
	HAS(capture_one(&c, "test_get_available_devices", NULL),
	    "{\"name\":\"tally.incomplete\",\"value\":\"true\"}");
	ck_assert_uint_eq(c.nerrors, 1);
	HAS(c.lines[c.n - 1], "{\"v\":1,\"type\":\"error\",\"line\":11,");
	capture_fini(&c);

	/* Surefire killed inside a CDATA section on line 18. */
	capture_init(&c);
	rc = read_file(DATA "surefire3-truncated-inside-cdata.xml",
	    TALLY_FMT_AUTO, &c, &err);
	ck_assert_int_eq(rc, TALLY_EPARSE);
	ck_assert_int_eq(err.line, 18);
	ck_assert_uint_eq(c.nerrors, 1);
	/* Its failure was read in full before the cut: the test is kept. */
	ck_assert_uint_eq(c.ntests, 1);
	HAS(capture_one(&c, "\"name\":\"testEM\"", NULL),
	    "\"status\":\"failed\",\"rawStatus\":\"failure\"");
	capture_fini(&c);

	/* Cut before any outcome: kept as other/incomplete, never passed. */
	capture_init(&c);
	rc = read_bytes(cutoff, strlen(cutoff), TALLY_FMT_JUNIT, &c, &err);
	ck_assert_int_eq(rc, TALLY_EPARSE);
	ck_assert_uint_eq(c.ntests, 1);
	HAS(capture_one(&c, "\"name\":\"t\"", NULL),
	    "\"status\":\"other\",\"rawStatus\":\"incomplete\"");
	capture_fini(&c);
}
END_TEST

/*
 * A long real file cut in the middle of a testcase: every test that
 * closed before the cut is kept, however close to it, and none after it
 * is invented.
 */
START_TEST(truncated_long_file)
{
	FILE *fp = fopen(DATA "gotestsum-junitxml-report.xml", "rb");
	char *buf, *cut, *p;
	struct capture c;
	struct tally_error err;
	size_t n, before = 0;
	long line = 1;
	int rc;

	ck_assert_ptr_nonnull(fp);
	buf = malloc(1 << 20);
	n = fread(buf, 1, (1 << 20) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	/* Cut after the 40th "<testcase". */
	for (cut = buf, rc = 0; rc < 40; rc++)
		cut = strstr(cut, "<testcase") + 1;
	cut += 20;
	/* Tests closed before the cut: "</testcase>" or "<testcase .../>". */
	for (p = buf; p < cut; p++) {
		const char *gt;

		if (*p == '\n')
			line++;
		if (strncmp(p, "</testcase>", 11) == 0)
			gt = p + 10;
		else if (strncmp(p, "<testcase", 9) == 0 &&
		    (gt = strchr(p, '>')) != NULL && gt[-1] == '/')
			;
		else
			continue;
		if (gt >= cut)
			continue;
		before++;
	}
	rc = read_bytes(buf, (size_t)(cut - buf), TALLY_FMT_JUNIT, &c, &err);
	ck_assert_int_eq(rc, TALLY_EPARSE);
	/* Cut inside an attribute. */
	ck_assert_int_eq(err.line, line);
	ck_assert_str_eq(err.message, "unexpected end of file");
	ck_assert_uint_eq(c.ntests, before);
	ck_assert_uint_eq(c.nerrors, 1);
	capture_fini(&c);
	free(buf);
}
END_TEST

START_TEST(doctype_and_entities_refused)
{
	static const char *bombs[] = {
	    /* billion laughs */
	    "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n"
	    " <!ENTITY lol \"lol\">\n"
	    " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
	    " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
	    " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
	    "]>\n<testsuite name=\"&lol3;\"><testcase name=\"&lol3;\"/>"
	    "</testsuite>\n",
	    /* XXE */
	    "<?xml version=\"1.0\"?>\n<!DOCTYPE t [\n"
	    " <!ENTITY x SYSTEM \"file:///etc/passwd\">\n]>\n"
	    "<testsuite><testcase name=\"&x;\"/></testsuite>\n",
	    /* external DTD over the network */
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE testsuite SYSTEM \"http://127.0.0.1:9/x.dtd\">\n"
	    "<testsuite><testcase name=\"a\"/></testsuite>\n",
	};
	struct capture c;
	struct tally_error err;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(bombs) / sizeof(bombs[0]); i++) {
		rc = read_bytes(bombs[i], strlen(bombs[i]), TALLY_FMT_AUTO, &c,
		    &err);
		ck_assert_int_eq(rc, TALLY_EPARSE);
		ck_assert_str_eq(err.message,
		    "DOCTYPE not supported: DTDs are refused");
		ck_assert_int_gt(err.line, 1);
		ck_assert_uint_eq(c.ntests, 0);
		ck_assert_uint_eq(c.nerrors, 1);
		ck_assert_uint_eq(capture_count(&c, "lollol"), 0);
		ck_assert_uint_eq(capture_count(&c, "root:"), 0);
		capture_fini(&c);
	}
}
END_TEST

/*
 * A DOCTYPE the 64 KiB prolog check cannot see: after a long comment,
 * or with an internal subset longer than the detector's window.  Both
 * are found and refused as DTDs, at the DOCTYPE's line, not as an
 * unrecognized format; libxml2 parses nothing of the first one's subset.
 */
START_TEST(doctype_past_the_window_refused)
{
	struct tally_buf b;
	struct capture c;
	struct tally_error err;
	int i, k;

	for (k = 0; k < 2; k++) {
		tally_buf_init(&b);
		tally_buf_adds(&b, "<?xml version=\"1.0\"?>\n");
		if (k == 0) {
			tally_buf_adds(&b, "<!--");
			for (i = 0; i < 70000; i++)
				tally_buf_adds(&b, "c");
			tally_buf_adds(&b, "-->\n<!DOCTYPE t [<!ENTITY x "
			    "SYSTEM \"file:///etc/passwd\">]>\n");
		} else {
			tally_buf_adds(&b, "<!DOCTYPE t [<!--");
			for (i = 0; i < 70000; i++)
				tally_buf_adds(&b, "c");
			tally_buf_adds(&b, "--><!ENTITY x \"y\">]>\n");
		}
		tally_buf_adds(&b, "<testsuite><testcase name=\"&x;\"/>"
		    "</testsuite>\n");
		ck_assert_int_eq(read_bytes(b.data, b.len, TALLY_FMT_AUTO, &c,
		    &err), TALLY_EPARSE);
		ck_assert_str_eq(err.message,
		    "DOCTYPE not supported: DTDs are refused");
		ck_assert_int_eq(err.line, k == 0 ? 3 : 2);
		ck_assert_int_eq(err.column, 1);
		ck_assert_uint_eq(c.ntests, 0);
		ck_assert_uint_eq(c.nerrors, 1);
		capture_fini(&c);
		tally_buf_free(&b);
	}
}
END_TEST

/* A root with a namespace prefix is JUnit, read by local names. */
START_TEST(namespaced_root_is_junit)
{
	static const char in[] = "<?xml version=\"1.0\"?>\n"
	    "<j:testsuites xmlns:j=\"urn:example:junit\"><j:testsuite "
	    "name=\"s\"><j:testcase name=\"t\" classname=\"C\"><j:failure "
	    "message=\"m\">boom</j:failure></j:testcase><j:testcase "
	    "name=\"u\"/></j:testsuite></j:testsuites>\n";
	static const char solo[] = "<x:testsuite xmlns:x=\"urn:x\" name=\"s\">"
	    "<x:testcase name=\"t\"/></x:testsuite>";
	struct capture c;
	struct tally_error err;

	ck_assert_int_eq(tally_format_detect((const unsigned char *)in,
	    strlen(in)), TALLY_FMT_JUNIT);
	ck_assert_int_eq(tally_format_detect((const unsigned char *)solo,
	    strlen(solo)), TALLY_FMT_JUNIT);
	ck_assert_int_eq(read_bytes(in, strlen(in), TALLY_FMT_AUTO, &c, &err),
	    TALLY_OK);
	ck_assert_uint_eq(c.ntests, 2);
	ck_assert_uint_eq(c.nstatus[TALLY_FAILED], 1);
	HAS(capture_one(&c, "\"name\":\"t\"", NULL),
	    "\"message\":\"m\",\"trace\":\"boom\"");
	capture_fini(&c);
}
END_TEST

START_TEST(broken_inputs)
{
	static const struct {
		const char	*in;
		size_t		 len;
		const char	*msg;
		long		 line;
		size_t		 passed;	/* tests closed before it */
	} cases[] = {
		{ "", 0, "document is empty", 1, 0 },
		{ "   \n", 4, "document is empty", 2, 0 },
		{ "not xml at all\n", 15, "document is empty", 1, 0 },
		{ "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10,
		    "document is empty", 1, 0 },
		{ "<testsuite><testcase name=\"a\">x & y</testcase>"
		    "</testsuite>", 58, "xmlParseEntityRef: no name", 1, 0 },
		{ "<testsuite><testcase name=\"a\"></x></testcase>"
		    "</testsuite>", 57, "opening and ending tag mismatch: "
		    "testcase line 1 and x", 1, 0 },
		{ "<testsuite><testcase name=\"a\"><failure>a < b</failure>"
		    "</testcase></testsuite>", 77,
		    "startTag: invalid element name", 1, 0 },
		{ "<testsuite><testcase name=\"a\"/></testsuite><x/>", 47,
		    "extra content at the end of the document", 1, 1 },
		{ "<suites><suite/></suites>", 25,
		    "root element 'suites' is not JUnit XML", 1, 0 },
		/* Control characters outside text and attributes. */
		{ "<testsuite>\n<testcase\x1b name=\"a\"/></testsuite>", 45,
		    "couldn't find end of Start Tag testcase", 2, 0 },
	};
	struct capture c;
	struct tally_error err;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = read_bytes(cases[i].in, cases[i].len, TALLY_FMT_JUNIT, &c,
		    &err);
		ck_assert_msg(rc == TALLY_EPARSE, "case %zu: rc %d", i, rc);
		ck_assert_msg(strcmp(err.message, cases[i].msg) == 0,
		    "case %zu: '%s'", i, err.message);
		ck_assert_msg(err.line == cases[i].line, "case %zu: line %ld",
		    i, err.line);
		ck_assert_str_eq(err.file, "in.xml");
		/*
		 * The tests closed before the fault, and at most the open
		 * one, cut off.
		 */
		ck_assert_uint_le(c.ntests, cases[i].passed + 1);
		ck_assert_uint_eq(c.nstatus[TALLY_PASSED], cases[i].passed);
		ck_assert_uint_eq(c.nerrors, 1);
		capture_fini(&c);
	}

	/* The corpus' own broken files. */
	capture_init(&c);
	ck_assert_int_eq(read_file(DATA "web-test-runner-template-lt-in-attr."
	    "xml", TALLY_FMT_AUTO, &c, &err), TALLY_EPARSE);
	ck_assert_str_eq(err.message, "unescaped '<' not allowed in "
	    "attributes values");
	ck_assert_int_eq(err.line, 9);
	capture_fini(&c);
	capture_init(&c);
	ck_assert_int_eq(read_file(DATA "empty-file.xml", TALLY_FMT_AUTO, &c,
	    &err), TALLY_EPARSE);
	ck_assert_str_eq(err.message, "empty input");
	capture_fini(&c);
	capture_init(&c);
	ck_assert_int_eq(read_file(DATA "non-xml.xml", TALLY_FMT_JUNIT, &c,
	    &err), TALLY_EPARSE);
	ck_assert_uint_eq(c.nerrors, 1);
	capture_fini(&c);
	capture_init(&c);
	ck_assert_int_eq(read_file(DATA "non-junit-suites-root.xml",
	    TALLY_FMT_JUNIT, &c, &err), TALLY_EPARSE);
	ck_assert_str_eq(err.message, "root element 'suites' is not JUnit XML");
	capture_fini(&c);
}
END_TEST

/* UTF-16 with a BOM (detected), Latin-1 declared: converted to UTF-8. */
START_TEST(encodings)
{
	const char *u8 = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n"
	    "<testsuite name=\"s\"><testcase name=\"\xC3\xA9t\xC3\xA9\"/>"
	    "</testsuite>\n";
	const char *dt = "<!DOCTYPE x [<!ENTITY a \"b\">]>\n"
	    "<testsuite><testcase name=\"&a;\"/></testsuite>";
	const char *l1 = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
	    "<testsuite name=\"s\"><testcase name=\"\xE9t\xE9\"/>"
	    "</testsuite>\n";
	char buf[512];
	struct capture c;
	struct tally_error err;
	size_t i, n;

	/* ASCII plus one U+00E9, written out as UTF-16LE by hand. */
	n = 0;
	buf[n++] = '\xFF';
	buf[n++] = '\xFE';
	for (i = 0; u8[i] != '\0'; i++) {
		if ((unsigned char)u8[i] == 0xC3) {
			buf[n++] = '\xE9';
			buf[n++] = 0;
			i++;
			continue;
		}
		buf[n++] = u8[i];
		buf[n++] = 0;
	}
	ck_assert_int_eq(read_bytes(buf, n, TALLY_FMT_AUTO, &c, &err),
	    TALLY_OK);
	HAS(capture_one(&c, "\"type\":\"test\"", NULL),
	    "\"name\":\"\xC3\xA9t\xC3\xA9\"");
	capture_fini(&c);

	/* A DOCTYPE in UTF-16 gets past the byte scan; the node is refused. */
	n = 0;
	buf[n++] = '\xFF';
	buf[n++] = '\xFE';
	for (i = 0; dt[i] != '\0'; i++) {
		buf[n++] = dt[i];
		buf[n++] = 0;
	}
	ck_assert_int_eq(read_bytes(buf, n, TALLY_FMT_JUNIT, &c, &err),
	    TALLY_EPARSE);
	ck_assert_str_eq(err.message,
	    "DOCTYPE not supported: DTDs are refused");
	ck_assert_uint_eq(c.ntests, 0);
	capture_fini(&c);

	ck_assert_int_eq(read_bytes(l1, strlen(l1), TALLY_FMT_AUTO, &c, &err),
	    TALLY_OK);
	HAS(capture_one(&c, "\"type\":\"test\"", NULL),
	    "\"name\":\"\xC3\xA9t\xC3\xA9\"");
	capture_fini(&c);
}
END_TEST

/*
 * Control characters, ANSI colour codes and invalid UTF-8 in text and
 * attribute values would end the file in libxml2: they are repaired, the
 * tests around them kept, and the record holding one says so.
 */
static const char *
prop_of(struct capture *c, const char *name)
{
	return capture_one(c, name, NULL);
}

START_TEST(control_characters_recovered)
{
	const char *in =
	    "<testsuites><testsuite name=\"s\">\n"
	    "<testcase name=\"before\"/>\n"
	    "<testcase name=\"raw\"><failure>\x1b[1;31mred\x1b[0m"
	    " \x01 bell\x07</failure></testcase>\n"
	    "<testcase name=\"ref\"><failure>&#27;[31mx&#x1B;[0m &#1;"
	    " &amp; &#65;</failure></testcase>\n"
	    "<testcase name=\"attr\x02\"><failure message=\"m&#27;[1m\"/>"
	    "</testcase>\n"
	    "<testcase name=\"utf8\"><failure>a\xff" "b\xc3(c\xed\xa0\x80"
	    "d\xef\xbf\xbe" "e\xc3\xa9</failure></testcase>\n"
	    "<testcase name=\"cdata\"><failure><![CDATA[\x1b[32mok\x1b[0m"
	    "\x0b]]></failure></testcase>\n"
	    "<failure message=\"load\">\x1b[31mclass\x1b[0m</failure>\n"
	    "<testcase name=\"after\"/>\n"
	    "</testsuite></testsuites>\n";
	const char *l1 = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
	    "<testsuite name=\"s\"><testcase name=\"\xE9t\xE9\">"
	    "<failure>\x1b[31mno\x1b[0m\x01\xE9</failure></testcase>"
	    "</testsuite>\n";
	const char *sjis = "<?xml version=\"1.0\" encoding=\"ISO-2022-JP\"?>\n"
	    "<testsuite name=\"s\"><testcase name=\"a\"/></testsuite>\n";
	struct capture c;
	struct tally_error err;

	ck_assert_int_eq(read_bytes(in, strlen(in), TALLY_FMT_JUNIT, &c, &err),
	    TALLY_OK);
	ck_assert_uint_eq(c.nerrors, 0);
	ck_assert_uint_eq(c.ntests, 8);
	ck_assert_uint_eq(c.nstatus[TALLY_FAILED], 6);
	ck_assert_ptr_null(strstr(prop_of(&c, "\"name\":\"before\""),
	    "tally.recovered"));
	ck_assert_ptr_null(strstr(prop_of(&c, "\"name\":\"after\""),
	    "tally.recovered"));
	HAS(prop_of(&c, "\"name\":\"raw\""), "\"trace\":\"red \xEF\xBF\xBD "
	    "bell\xEF\xBF\xBD\"");
	HAS(prop_of(&c, "\"name\":\"raw\""), "{\"name\":\"tally.recovered\","
	    "\"value\":\"ansi,control\"}");
	HAS(prop_of(&c, "\"name\":\"ref\""), "\"trace\":\"x \xEF\xBF\xBD "
	    "& A\"");
	HAS(prop_of(&c, "\"name\":\"attr\xEF\xBF\xBD\""),
	    "\"message\":\"m\"");
	HAS(prop_of(&c, "\"name\":\"attr\xEF\xBF\xBD\""),
	    "\"value\":\"ansi,control\"");
	HAS(prop_of(&c, "\"name\":\"utf8\""), "\"trace\":\"a\xEF\xBF\xBD"
	    "b\xEF\xBF\xBD(c\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
	    "d\xEF\xBF\xBD" "e\xC3\xA9\"");
	HAS(prop_of(&c, "\"name\":\"utf8\""), "\"value\":\"utf8\"");
	HAS(prop_of(&c, "\"name\":\"cdata\""), "\"trace\":\"ok\xEF\xBF\xBD\"");
	HAS(prop_of(&c, "\"name\":\"(testsuite)\""), "\"trace\":\"class\"");
	HAS(prop_of(&c, "\"name\":\"(testsuite)\""), "\"value\":\"ansi\"");
	HAS(prop_of(&c, "\"type\":\"suite\""), "\"value\":\"ansi\"");
	capture_fini(&c);

	/* Latin-1: control characters only; a reference stands for U+FFFD. */
	ck_assert_int_eq(read_bytes(l1, strlen(l1), TALLY_FMT_JUNIT, &c, &err),
	    TALLY_OK);
	HAS(prop_of(&c, "\"type\":\"test\""), "\"trace\":\"no\xEF\xBF\xBD"
	    "\xC3\xA9\"");
	capture_fini(&c);

	/* An encoding that uses ESC itself is left alone. */
	ck_assert_int_eq(read_bytes(sjis, strlen(sjis), TALLY_FMT_JUNIT, &c,
	    &err), TALLY_OK);
	ck_assert_ptr_null(strstr(prop_of(&c, "\"type\":\"test\""),
	    "tally.recovered"));
	capture_fini(&c);
}
END_TEST

START_TEST(deep_nesting_refused)
{
	struct tally_buf b;
	struct capture c;
	struct tally_error err;
	int i, rc;

	tally_buf_init(&b);
	tally_buf_adds(&b, "<testsuites>\n");
	for (i = 0; i < 300; i++)
		tally_buf_adds(&b, "<testsuite name=\"s\">");
	rc = read_bytes(b.data, b.len, TALLY_FMT_AUTO, &c, &err);
	ck_assert_int_eq(rc, TALLY_ELIMIT);
	ck_assert_str_eq(err.message, "nesting deeper than 64 elements");
	ck_assert_int_eq(err.line, 2);
	ck_assert_uint_eq(c.nerrors, 1);
	capture_fini(&c);
	tally_buf_free(&b);
}
END_TEST

/*
 * Lines past 65535 are named as they are: libxml2's nodes keep at most
 * 65535 without XML_PARSE_BIG_LINES, the line the reader gave before.
 */
START_TEST(lines_past_65535)
{
	struct tally_buf b;
	struct capture c;
	struct tally_error err;
	int i;

	tally_buf_init(&b);
	tally_buf_adds(&b, "<testsuites>");
	for (i = 0; i < 70000; i++)
		tally_buf_adds(&b, "\n");
	for (i = 0; i < 70; i++)
		tally_buf_adds(&b, "<testsuite name=\"s\">");
	ck_assert_int_eq(read_bytes(b.data, b.len, TALLY_FMT_AUTO, &c, &err),
	    TALLY_ELIMIT);
	ck_assert_str_eq(err.message, "nesting deeper than 64 elements");
	ck_assert_int_eq(err.line, 70001);
	capture_fini(&c);
	tally_buf_free(&b);
}
END_TEST

/*
 * Attribute values as written: references decoded ("&#38;" too, which
 * libxml2 hands on undecoded without entity substitution), prefixed
 * names kept whole, namespace declarations left out.
 */
START_TEST(attribute_references_and_prefixes)
{
	const char *in = "<testsuite name=\"s\" xmlns:q=\"urn:q\">"
	    "<testcase name=\"a&amp;b &#38; &lt;c&gt; &#60;&#x26;\" "
	    "classname=\"x\ty\" q:id=\"7\"><properties><property "
	    "name=\"k&amp;\" value=\"&#38;&#38;v\"/></properties>"
	    "</testcase></testsuite>";
	struct capture c;
	struct tally_error err;
	const char *t;

	ck_assert_int_eq(read_bytes(in, strlen(in), TALLY_FMT_AUTO, &c, &err),
	    TALLY_OK);
	t = capture_one(&c, "\"type\":\"test\"", NULL);
	HAS(t, "\"name\":\"a&b & <c> <&\"");
	HAS(t, "\"classname\":\"x y\"");
	HAS(t, "{\"name\":\"@q:id\",\"value\":\"7\"}");
	HAS(t, "{\"name\":\"k&\",\"value\":\"&&v\"}");
	HASNT(t, "xmlns");
	capture_fini(&c);
}
END_TEST

START_TEST(suite_counts_and_junk_times)
{
	const char *in =
	    "<testsuite name=\"s\" tests=\"x\" errors=\"\" skips=\"2\" "
	    "time=\"NaN\"><testcase name=\"a\" time=\"-3\"/>"
	    "<testcase name=\"b\" time=\"1e309\"/>"
	    "<testcase name=\"c\" time=\" 1,234.5 \"/></testsuite>";
	struct capture c;
	struct tally_error err;

	ck_assert_int_eq(read_bytes(in, strlen(in), TALLY_FMT_AUTO, &c, &err),
	    TALLY_OK);
	ck_assert_uint_eq(capture_count(&c, "\"duration\""), 1);
	HAS(capture_one(&c, "\"name\":\"c\"", NULL), "\"duration\":1234500");
	HAS(capture_one(&c, "\"type\":\"suite\"", NULL),
	    "\"skipped\":2,\"properties\":"
	    "[{\"name\":\"@tests\",\"value\":\"x\"},{\"name\":\"@errors\","
	    "\"value\":\"\"},{\"name\":\"tally.badDuration\",\"value\":"
	    "\"NaN\"}]");
	/* Each time left out is noted in its record. */
	HAS(capture_one(&c, "\"name\":\"a\"", NULL),
	    "{\"name\":\"tally.badDuration\",\"value\":\"-3\"}");
	HAS(capture_one(&c, "\"name\":\"b\"", NULL),
	    "{\"name\":\"tally.badDuration\",\"value\":\"1e309\"}");
	HASNT(capture_one(&c, "\"name\":\"c\"", NULL), "tally.badDuration");
	HASNT(capture_one(&c, "\"type\":\"suite\"", NULL), "\"tests\":");
	capture_fini(&c);
}
END_TEST

/*
 * A time over TALLY_MAX_SECONDS (30 days) is no duration: huge values
 * in a testcase, a rerun attempt and AntUnit's <time> child are left
 * unknown and noted, 30 days exactly is kept.
 */
START_TEST(huge_times_left_unknown)
{
	const char *in =
	    "<testsuite name=\"s\">\n"
	    "<testcase name=\"a\" time=\"99999999999999999999999999999\"/>\n"
	    "<testcase name=\"b\" time=\"2592000\"/>\n"
	    "<testcase name=\"c\"><flakyFailure time=\"2592001\"/></testcase>\n"
	    "<testcase name=\"d\"><time>1e20</time></testcase>\n"
	    "</testsuite>";
	struct capture c;
	struct tally_error err;
	const char *l;

	ck_assert_int_eq(read_bytes(in, strlen(in), TALLY_FMT_AUTO, &c, &err),
	    TALLY_OK);
	ck_assert_uint_eq(c.ntests, 4);
	ck_assert_uint_eq(capture_count(&c, "\"duration\""), 1);
	HAS(capture_one(&c, "\"name\":\"b\"", NULL), "\"duration\":2592000000");
	HAS(capture_one(&c, "\"name\":\"a\"", NULL), "{\"name\":"
	    "\"tally.badDuration\",\"value\":\"99999999999999999999999999999\"}");
	l = capture_one(&c, "\"name\":\"c\"", NULL);
	HAS(l, "\"retryAttempts\":[{\"status\":\"failed\",\"rawStatus\":"
	    "\"flakyFailure\"}]");
	HAS(l, "{\"name\":\"tally.badDuration\",\"value\":\"2592001\"}");
	HAS(capture_one(&c, "\"name\":\"d\"", NULL), "{\"name\":"
	    "\"tally.badDuration\",\"value\":\"1e20\"}");
	capture_fini(&c);
}
END_TEST

START_TEST(huge_field_is_truncated_visibly)
{
	struct tally_buf b;
	struct capture c;
	struct tally_error err;
	size_t i, chunk = 1 << 20;
	char *blk = malloc(chunk + 1);

	/*
	 * 17 CDATA sections of 1 MiB in one system-out, apart so libxml2's
	 * own 10 MB text node limit does not apply: over the 16 MiB cap.
	 */
	memset(blk, 'x', chunk);
	blk[chunk] = '\0';
	tally_buf_init(&b);
	tally_buf_adds(&b, "<testsuite><testcase name=\"big\"><system-out>");
	for (i = 0; i < 17; i++) {
		tally_buf_adds(&b, "<![CDATA[");
		tally_buf_adds(&b, blk);
		tally_buf_adds(&b, "]]><!-- -->");
	}
	tally_buf_adds(&b, "</system-out></testcase></testsuite>");
	ck_assert_int_eq(read_bytes(b.data, b.len, TALLY_FMT_AUTO, &c, &err),
	    TALLY_OK);
	ck_assert_uint_eq(c.ntests, 1);
	HAS(c.lines[0], "xxx\\n[truncated 1048576 bytes]\"");
	capture_fini(&c);
	tally_buf_free(&b);
	free(blk);
}
END_TEST

/*
 * One text run longer than libxml2's 10 000 000-byte text node limit,
 * between two other tests: as text with entities and CRLF line breaks
 * (12 MB, kept whole), and as one CDATA section with no line break at
 * all (over 16 MiB, cut at TALLY_MAX_FIELD with the note).  Every test
 * of the file is kept, and the one after it too.
 */
static void
long_text_case(const char *open, const char *unit, const char *close,
    size_t total, struct tally_buf *b)
{
	size_t i;

	tally_buf_init(b);
	tally_buf_adds(b, "<?xml version=\"1.0\"?>\n<testsuites><testsuite "
	    "name=\"s\">\n<testcase name=\"a\"/>\n<testcase name=\"b\">"
	    "<failure message=\"m\">");
	tally_buf_adds(b, open);
	for (i = 0; i < total; i += strlen(unit))
		tally_buf_adds(b, unit);
	tally_buf_adds(b, close);
	tally_buf_adds(b, "</failure></testcase>\n<testcase name=\"c\"/>\n"
	    "</testsuite></testsuites>\n");
}

START_TEST(text_over_libxml2_limit_is_kept)
{
	/* 36 bytes of input, 31 of text: 12 MB in, 10.3 MB of text. */
	static const char unit[] = "at Foo.bar(Foo.java:42) &amp; more\r\n",
	    json[] = "at Foo.bar(Foo.java:42) & more\\n";
	struct tally_buf b, want;
	struct capture c;
	struct tally_error err;
	size_t i, n = 12000000 / (sizeof(unit) - 1) + 1;
	const char *line;

	long_text_case("", unit, "", n * (sizeof(unit) - 1), &b);
	ck_assert_int_eq(read_bytes(b.data, b.len, TALLY_FMT_AUTO, &c, &err),
	    TALLY_OK);
	ck_assert_uint_eq(c.ntests, 3);
	ck_assert_uint_eq(c.nerrors, 0);
	line = capture_one(&c, "\"name\":\"b\"", NULL);
	/* The whole trace, byte for byte, and nothing else in it. */
	tally_buf_init(&want);
	tally_buf_adds(&want, "\"trace\":\"");
	for (i = 0; i < n; i++)
		tally_buf_adds(&want, json);
	tally_buf_adds(&want, "\"");
	HAS(line, want.data);
	HASNT(line, "[truncated");
	HASNT(line, "tally.incomplete");
	capture_one(&c, "\"name\":\"c\"", NULL);
	capture_fini(&c);
	tally_buf_free(&want);
	tally_buf_free(&b);
}
END_TEST

START_TEST(text_over_field_cap_is_cut_and_reading_goes_on)
{
	static const char unit[] = "0123456789abcdef";
	struct tally_buf b;
	struct capture c;
	struct tally_error err;
	char note[64];
	size_t total = TALLY_MAX_FIELD + 3 * 1000000;

	/* One CDATA section of 19 MiB without a line break. */
	long_text_case("<![CDATA[", unit, "]]>", total, &b);
	ck_assert_int_eq(read_bytes(b.data, b.len, TALLY_FMT_AUTO, &c, &err),
	    TALLY_OK);
	ck_assert_uint_eq(c.ntests, 3);
	ck_assert_uint_eq(c.nerrors, 0);
	total = (total + sizeof(unit) - 2) / (sizeof(unit) - 1) *
	    (sizeof(unit) - 1);
	snprintf(note, sizeof(note), "\\n[truncated %zu bytes]\"",
	    total - TALLY_MAX_FIELD);
	HAS(capture_one(&c, "\"name\":\"b\"", NULL), note);
	capture_one(&c, "\"name\":\"c\"", NULL);
	capture_fini(&c);
	tally_buf_free(&b);
}
END_TEST

/* ---- memory bound ---- */

#define BIG_CASES 1000000

/* Sanitizers are slow and keep freed memory in quarantine. */
#if defined(__SANITIZE_ADDRESS__)
#define TALLY_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TALLY_ASAN 1
#endif
#endif

START_TEST(memory_bounded_by_largest_test)
{
	char path[PATH_MAX];
	struct collect_run r;
	struct stat st;
	size_t i;
	FILE *fp;
	int fd;
	long cases = BIG_CASES;
	const char *tmp = getenv("TMPDIR");

#ifdef TALLY_ASAN
	cases = BIG_CASES / 20;
#endif
	snprintf(path, sizeof(path), "%s/tally-big-XXXXXX.xml",
	    tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	/* Unlinked at once: nothing is left behind, even on a timeout. */
	fd = mkstemps(path, 4);
	ck_assert_int_ge(fd, 0);
	unlink(path);
	fp = fdopen(dup(fd), "w");
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n", fp);
	for (i = 0; i < (size_t)cases; i++) {
		if (i % 1000 == 0)
			fprintf(fp, "%s<testsuite name=\"pkg.Suite%zu\" "
			    "tests=\"1000\" time=\"1.5\">\n",
			    i ? "</testsuite>\n" : "", i / 1000);
		if (i % 100 == 7)
			fprintf(fp, "  <testcase name=\"test_%zu\" classname="
			    "\"pkg.Suite%zu\" time=\"0.%03zu\"><failure message="
			    "\"expected %zu\" type=\"AssertionError\">trace\n"
			    "  at pkg.Suite.test(Suite.java:%zu)</failure>"
			    "</testcase>\n", i, i / 1000, i % 1000, i, i % 97);
		else
			fprintf(fp, "  <testcase name=\"test_%zu\" classname="
			    "\"pkg.Suite%zu\" file=\"src/pkg/suite_%zu.py\" "
			    "time=\"0.%03zu\"/>\n", i, i / 1000, i / 1000,
			    i % 1000);
	}
	fputs("</testsuite>\n</testsuites>\n", fp);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);

	collect_run("-", fd, &r);
	close(fd);
	ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0,
	    "%s exited with status %d", r.exe, r.status);
	/* Tests and one suite record per 1000 (the root has no meta). */
	ck_assert_uint_eq(r.lines, (size_t)cases + (size_t)cases / 1000);
#ifndef TALLY_ASAN
	ck_assert_msg(r.ru.ru_maxrss < 32 * 1024, "peak RSS %ld KiB",
	    r.ru.ru_maxrss);
#endif
	fprintf(stderr, "junit memory bound: %ld cases, %lld MB file, peak RSS "
	    "%ld KiB, %.1f s\n", cases, (long long)st.st_size / 1000000,
	    r.ru.ru_maxrss, (double)(r.t1.tv_sec - r.t0.tv_sec) +
	    (double)(r.t1.tv_nsec - r.t0.tv_nsec) / 1e9);
}
END_TEST

/*
 * A 56 MB stack trace in one <failure>: the field is cut at 16 MiB and
 * peak RSS stays near what that one field needs, not the file's size.
 */
START_TEST(memory_bounded_by_field_cap)
{
	char path[PATH_MAX];
	struct collect_run r;
	const char *tmp = getenv("TMPDIR");
	size_t i;
	FILE *fp;
	int fd;

	snprintf(path, sizeof(path), "%s/tally-trace-XXXXXX.xml",
	    tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	fd = mkstemps(path, 4);
	ck_assert_int_ge(fd, 0);
	unlink(path);
	fp = fdopen(dup(fd), "w");
	fputs("<testsuite name=\"s\"><testcase name=\"a\"/><testcase "
	    "name=\"b\"><failure>", fp);
	for (i = 0; i < 1200000; i++)
		fputs("\tat pkg.Class.method(Class.java:123) &lt;x&gt;\n", fp);
	fputs("</failure></testcase><testcase name=\"c\"/></testsuite>\n", fp);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	collect_run("-", fd, &r);
	close(fd);
	ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0,
	    "%s exited with status %d", r.exe, r.status);
	ck_assert_uint_eq(r.lines, 4);	/* a, b, c and the suite */
#ifndef TALLY_ASAN
	ck_assert_msg(r.ru.ru_maxrss < 96 * 1024, "peak RSS %ld KiB",
	    r.ru.ru_maxrss);
#endif
	fprintf(stderr, "junit field bound: 56 MB trace, peak RSS %ld KiB\n",
	    r.ru.ru_maxrss);
}
END_TEST

/* Counts a suite declares and no testcase carries (lib/read/declared.c). */
START_TEST(declared_counts)
{
	struct capture c;
	struct tally_error err;

	capture_init(&c);
	ck_assert_int_eq(read_string("<testsuites>\n"
	    "<testsuite name=\"a\" tests=\"3\" failures=\"2\" errors=\"0\">\n"
	    "<testcase name=\"x\"><failure message=\"m\"/></testcase>\n"
	    "</testsuite>\n"
	    /* Surefire reruns: each run counts, as tests and failures. */
	    "<testsuite name=\"b\" tests=\"3\" failures=\"3\">\n"
	    "<testcase name=\"y\"><failure/><rerunFailure/><rerunFailure/>"
	    "</testcase>\n</testsuite>\n"
	    /* An error counted among failures too: proves one. */
	    "<testsuite name=\"c\" tests=\"1\" failures=\"1\" errors=\"1\">\n"
	    "<testcase name=\"z\"><error/></testcase>\n</testsuite>\n"
	    /* Nested suites summed into the outer one; more found is fine. */
	    "<testsuite name=\"d\" tests=\"1\" failures=\"0\">\n"
	    "<testsuite name=\"e\" tests=\"1\">\n"
	    "<testcase name=\"u\"/><testcase name=\"v\"/>\n"
	    "</testsuite>\n</testsuite>\n"
	    "</testsuites>\n", "j.xml", TALLY_FMT_JUNIT, &c, &err), TALLY_OK);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"(declared) a\","
	    "\"status\":\"failed\",\"rawStatus\":\"declared\",\"suite\":"
	    "[\"a\"],\"message\":\"declares 2 failures, 1 found\""), 1);
	ck_assert_uint_eq(capture_count(&c, "\"tally.declared\":\"'a' declares "
	    "2 failed (1 found)\""), 1);
	ck_assert_uint_eq(capture_count(&c, "(declared)"), 1);
	ck_assert_uint_eq(capture_count(&c, "tally.declared"), 2);
	ck_assert_uint_eq(capture_count(&c, "\"tally.declared\":\"'c' declares "
	    "2 failed (1 found)\""), 1);
	capture_fini(&c);
}
END_TEST

Suite *suite_junit(void);

Suite *
suite_junit(void)
{
	Suite *s = suite_create("junit");
	TCase *tc = tcase_create("junit");
	TCase *big = tcase_create("junit-memory");

	tcase_add_loop_test(tc, counts_match_the_files, 0,
	    (int)(sizeof(counts) / sizeof(counts[0])));
	tcase_add_test(tc, surefire_reruns_and_flaky);
	tcase_add_test(tc, nextest_rerun_keeps_attempt_output);
	tcase_add_test(tc, pytest_file_line_and_properties);
	tcase_add_test(tc, nested_suites_keep_every_test);
	tcase_add_test(tc, status_attributes_and_skips);
	tcase_add_test(tc, antunit_bazel_catch2_times);
	tcase_add_test(tc, js_go_ruby_perl_dialects);
	tcase_add_test(tc, nested_testsuites_group);
	tcase_add_test(tc, test_listed_twice_gives_two_records);
	tcase_add_test(tc, truncated_file_keeps_earlier_tests);
	tcase_add_test(tc, truncated_long_file);
	tcase_add_test(tc, doctype_and_entities_refused);
	tcase_add_test(tc, doctype_past_the_window_refused);
	tcase_add_test(tc, namespaced_root_is_junit);
	tcase_add_test(tc, broken_inputs);
	tcase_add_test(tc, encodings);
	tcase_add_test(tc, deep_nesting_refused);
	tcase_add_test(tc, lines_past_65535);
	tcase_add_test(tc, attribute_references_and_prefixes);
	tcase_add_test(tc, suite_counts_and_junk_times);
	tcase_add_test(tc, huge_times_left_unknown);
	tcase_add_test(tc, control_characters_recovered);
	tcase_add_test(tc, huge_field_is_truncated_visibly);
	tcase_add_test(tc, text_over_libxml2_limit_is_kept);
	tcase_add_test(tc, text_over_field_cap_is_cut_and_reading_goes_on);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, declared_counts);
	suite_add_tcase(s, tc);
	tcase_add_test(big, memory_bounded_by_largest_test);
	tcase_add_test(big, memory_bounded_by_field_cap);
	tcase_set_timeout(big, 300);	/* a hang guard, not a speed test */
	suite_add_tcase(s, big);
	return s;
}
