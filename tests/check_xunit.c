/*
 * tests/check_xunit.c: the xUnit.net XML reader on the producers' files
 * in tests/data/xunit (their own counts in PROVENANCE.md), on every
 * result word and on errors outside any test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "internal.h"
#include "testutil.h"

#define DATA "tests/data/xunit/"

static void
counts(const char *name, size_t passed, size_t failed, size_t skipped)
{
	struct capture c;
	char path[256];

	snprintf(path, sizeof(path), DATA "%s", name);
	read_fixture(path, &c);
	ck_assert_uint_eq(c.nstatus[TALLY_PASSED], passed);
	ck_assert_uint_eq(c.nstatus[TALLY_FAILED], failed);
	ck_assert_uint_eq(c.nstatus[TALLY_SKIPPED], skipped);
	ck_assert_uint_eq(c.ntests, passed + failed + skipped);
	capture_fini(&c);
}

static void
read_str(const char *s, struct capture *c)
{
	struct tally_error err;

	capture_init(c);
	ck_assert_int_eq(read_string(s, "x.xml", TALLY_FMT_AUTO, c, &err),
	    TALLY_OK);
}

/* Each file's <assembly> totals: passed, failed, skipped. */
START_TEST(counts_agree_with_the_files)
{
	struct capture c;
	const char *l;

	counts("fixie-xunit-format.xml", 3, 3, 1);
	counts("xunit1.9-pickles.xml", 3, 1, 0);
	counts("xunit2-jenkins-testcase1.xml", 1, 1, 1);
	counts("xunit3-v3-native-fail.xml", 0, 1, 0);

	read_fixture(DATA "xunit2-jenkins-testcase1.xml", &c);
	l = capture_one(&c, "\"name\":\"FailedTest\"", NULL);
	HAS(l, "\"status\":\"failed\",\"rawStatus\":\"Fail\",\"duration\":14");
	HAS(l, "\"classname\":\"MyProject.Tests.SampleFact\"");
	HAS(l, "\"message\":\"Assert.True() Failure\","
	    "\"errorType\":\"Xunit.Sdk.TrueException\"");
	HAS(capture_one(&c, "\"name\":\"SkippedTest\"", NULL),
	    "\"message\":\"On Purpose\"");
	capture_fini(&c);

	read_fixture(DATA "xunit1.9-pickles.xml", &c);
	l = capture_one(&c, "\"name\":\"AddTwoNumbers\"", NULL);
	HAS(l, "\"suite\":[\"c:\\\\dev\\\\pickles-results-harness\\\\");
	HAS(l, "{\"name\":\"FeatureTitle\",\"value\":\"Addition\"}");
	HAS(l, "\"stdout\":\"\\n        Given I have entered 50");
	capture_fini(&c);

	read_fixture(DATA "xunit3-v3-native-fail.xml", &c);
	HAS(capture_one(&c, "\"type\":\"test\"", NULL),
	    "\"filePath\":\"C:\\\\dev\\\\code\\\\_Experiments\\\\NUnitSample"
	    "\\\\XUnit3Example2\\\\UnitTest2.cs\",\"line\":5");
	capture_fini(&c);
}
END_TEST

START_TEST(every_result_word)
{
	static const struct {
		const char *result, *want;
	} t[] = {
		{ "Pass", "\"status\":\"passed\"," },
		{ "Fail", "\"status\":\"failed\",\"rawStatus\":\"Fail\"" },
		{ "Skip", "\"status\":\"skipped\",\"rawStatus\":\"Skip\"" },
		{ "NotRun", "\"status\":\"skipped\",\"rawStatus\":\"NotRun\"" },
		{ "Odd", "\"status\":\"other\",\"rawStatus\":\"Odd\"" },
	};
	struct tally_buf b;
	struct capture c;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		tally_buf_init(&b);
		tally_buf_printf(&b, "<assemblies><assembly name=\"a.dll\">"
		    "<collection name=\"C\"><test name=\"N.T.m\" type=\"N.T\" "
		    "result=\"%s\"/></collection></assembly></assemblies>",
		    t[i].result);
		read_str(b.data, &c);
		ck_assert_uint_eq(c.ntests, 1);
		HAS(capture_one(&c, "\"name\":\"m\"", NULL), t[i].want);
		capture_fini(&c);
		tally_buf_free(&b);
	}
}
END_TEST

START_TEST(errors_outside_tests_are_records)
{
	struct capture c;
	const char *l;

	/* A class fixture that threw, and an assembly cleanup failure. */
	read_str("<assemblies><assembly name=\"a.dll\" total=\"1\" "
	    "passed=\"1\" failed=\"0\" errors=\"2\"><errors>"
	    "<error type=\"class-cleanup\" name=\"N.T\"><failure "
	    "exception-type=\"System.Exception\"><message>dispose boom"
	    "</message><stack-trace>at N.T.Dispose()</stack-trace></failure>"
	    "</error><error type=\"assembly-cleanup\" name=\"a.dll\"><failure>"
	    "<message>fixture boom</message></failure></error></errors>"
	    "<collection name=\"C\"><test name=\"N.T.m\" type=\"N.T\" "
	    "result=\"Pass\"/></collection></assembly></assemblies>", &c);
	ck_assert_uint_eq(c.nstatus[TALLY_FAILED], 2);
	l = capture_one(&c, "\"name\":\"(class-cleanup error) N.T\"", NULL);
	HAS(l, "\"status\":\"failed\",\"rawStatus\":\"error:class-cleanup\"");
	HAS(l, "\"suite\":[\"a.dll\"]");
	HAS(l, "\"message\":\"dispose boom\",\"errorType\":"
	    "\"System.Exception\",\"trace\":\"at N.T.Dispose()\"");
	HAS(capture_one(&c, "\"name\":\"(assembly-cleanup error) a.dll\"",
	    NULL), "\"message\":\"fixture boom\"");
	capture_fini(&c);

	/* A fatal error with no name, outside any assembly. */
	read_str("<assemblies><errors><error type=\"fatal\"><failure>"
	    "<message>runner crashed</message></failure></error></errors>"
	    "</assemblies>", &c);
	HAS(capture_one(&c, "\"name\":\"(fatal error)\"", NULL),
	    "\"message\":\"runner crashed\"");
	capture_fini(&c);

	/* Counts that say failed with no failed test listed. */
	read_str("<assembly name=\"b.dll\" total=\"2\" passed=\"1\" "
	    "failed=\"1\"><class name=\"K\"><test name=\"K.t\" type=\"K\" "
	    "result=\"Pass\"/></class></assembly>", &c);
	l = capture_one(&c, "\"name\":\"(assembly) b.dll\"", NULL);
	HAS(l, "\"rawStatus\":\"counts\"");
	HAS(l, "\"message\":\"the assembly counts 1 failed and 0 errors but "
	    "lists none\"");
	capture_fini(&c);
	/* One error is "1 error". */
	read_str("<assembly name=\"b.dll\" total=\"2\" passed=\"1\" "
	    "errors=\"1\"><class name=\"K\"><test name=\"K.t\" type=\"K\" "
	    "result=\"Pass\"/></class></assembly>", &c);
	l = capture_one(&c, "\"name\":\"(assembly) b.dll\"", NULL);
	HAS(l, "\"message\":\"the assembly counts 0 failed and 1 error but "
	    "lists none\"");
	capture_fini(&c);
}
END_TEST

START_TEST(detection_and_wrong_root)
{
	struct capture c;
	struct tally_error err;
	const char *v1 = "<!-- c -->\n<assembly name=\"a\"><class name=\"K\">"
	    "<test name=\"K.t\" result=\"Pass\"><output>&lt;testsuite&gt;"
	    "</output></test></class></assembly>";

	ck_assert_int_eq(tally_format_detect((const unsigned char *)v1,
	    strlen(v1)), TALLY_FMT_XUNIT);
	capture_init(&c);
	ck_assert_int_eq(read_string("<testsuites/>", "j.xml",
	    TALLY_FMT_XUNIT, &c, &err), TALLY_EPARSE);
	ck_assert_str_eq(err.message, "root element 'testsuites' is not "
	    "xUnit.net XML");
	capture_fini(&c);
}
END_TEST

Suite *suite_xunit(void);

Suite *
suite_xunit(void)
{
	Suite *s = suite_create("xunit");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, counts_agree_with_the_files);
	tcase_add_test(tc, every_result_word);
	tcase_add_test(tc, errors_outside_tests_are_records);
	tcase_add_test(tc, detection_and_wrong_root);
	suite_add_tcase(s, tc);
	return s;
}
