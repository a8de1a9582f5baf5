/*
 * tests/check_nunit.c: the NUnit 2.5 / 3 reader on the producers' files
 * in tests/data/nunit (their own counts beside them in PROVENANCE.md),
 * on every result word and on every failure outside a test case.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "internal.h"
#include "testutil.h"

#define DATA "tests/data/nunit/"

static void
read_ok(const char *name, struct capture *c)
{
	char path[256];

	snprintf(path, sizeof(path), DATA "%s", name);
	read_fixture(path, c);
}

static void
read_str(const char *s, struct capture *c)
{
	struct tally_error err;

	capture_init(c);
	ck_assert_int_eq(read_string(s, "n.xml", TALLY_FMT_AUTO, c, &err),
	    TALLY_OK);
}

/* NUnit 2.5: total=21 executed, errors=1 failures=1 inconclusive=1,
 * not-run=7 of which ignored=4 and invalid=3 (NotRunnable). */
START_TEST(nunit2_counts_agree_with_the_file)
{
	struct capture c;
	const char *l;

	read_ok("nunit2.5-mock-assembly.xml", &c);
	ck_assert_uint_eq(c.ntests, 21 + 7);
	ck_assert_uint_eq(c.nstatus[TALLY_PASSED] + c.nstatus[TALLY_OTHER] +
	    capture_count(&c, "\"rawStatus\":\"Error\"") +
	    capture_count(&c, "\"rawStatus\":\"Failure\""), 21);
	ck_assert_uint_eq(capture_count(&c, "\"rawStatus\":\"Error\""), 1);
	ck_assert_uint_eq(capture_count(&c, "\"rawStatus\":\"Failure\""), 1);
	ck_assert_uint_eq(c.nstatus[TALLY_OTHER], 1);
	ck_assert_uint_eq(c.nstatus[TALLY_SKIPPED], 4);
	ck_assert_uint_eq(capture_count(&c, "\"rawStatus\":\"NotRunnable\""),
	    3);
	ck_assert_uint_eq(c.nstatus[TALLY_FAILED], 1 + 1 + 3);
	l = capture_one(&c, "\"name\":\"FailingTest\"", NULL);
	HAS(l, "\"classname\":\"NUnit.Tests.Assemblies.MockTestFixture\"");
	HAS(l, "\"message\":\"Intentional failure\"");
	HAS(l, "\"trace\":\"at NUnit.Tests.Assemblies.MockTestFixture."
	    "FailingTest ()");
	HAS(l, "\"duration\":13");
	HAS(l, "\"suite\":[\"/home/charlie/Dev/NUnit/nunit-2.5/work/src/bin/"
	    "Debug/tests/mock-assembly.dll\",\"NUnit\",\"Tests\","
	    "\"Assemblies\",\"MockTestFixture\"]");
	l = capture_one(&c, "\"name\":\"MockTest2\"", NULL);
	HAS(l, "{\"name\":\"category\",\"value\":\"MockCategory\"}");
	HAS(l, "{\"name\":\"Severity\",\"value\":\"Critical\"}");
	capture_fini(&c);
}
END_TEST

/*
 * Written here by NUnit 2.6.4 on Mono: total=8 errors=1 failures=3
 * not-run=1 inconclusive=1 ignored=1, and a fixture whose
 * TestFixtureTearDown threw after its one test passed (no message).
 */
START_TEST(nunit26_fixture_teardown_failure_is_a_record)
{
	struct capture c;
	const char *l;

	read_ok("nunit2.6.4-mono-fixture-failures.xml", &c);
	ck_assert_uint_eq(c.ntests, 8 + 1 + 1);
	ck_assert_uint_eq(capture_count(&c, "\"rawStatus\":\"Error\""), 1);
	ck_assert_uint_eq(capture_count(&c, "\"rawStatus\":\"Failure\""), 3);
	ck_assert_uint_eq(c.nstatus[TALLY_OTHER], 1);
	ck_assert_uint_eq(c.nstatus[TALLY_SKIPPED], 1);
	ck_assert_uint_eq(c.nstatus[TALLY_PASSED], 8 - 1 - 3 - 1);
	l = capture_one(&c, "\"name\":\"(test-suite) BrokenTearDown\"", NULL);
	HAS(l, "\"status\":\"failed\",\"rawStatus\":\"suite Failure\"");
	HAS(l, "\"message\":\"the suite failed with no failed test case in "
	    "it\"");
	HAS(capture_one(&c, "\"name\":\"A\"", NULL), "\"message\":"
	    "\"TestFixtureSetUp failed in BrokenSetUp\"");
	capture_fini(&c);
}
END_TEST

static void
v3_counts(const char *name, size_t passed, size_t failed, size_t other,
    size_t skipped)
{
	struct capture c;

	read_ok(name, &c);
	ck_assert_uint_eq(c.nstatus[TALLY_PASSED], passed);
	ck_assert_uint_eq(c.nstatus[TALLY_FAILED], failed);
	ck_assert_uint_eq(c.nstatus[TALLY_OTHER], other);
	ck_assert_uint_eq(c.nstatus[TALLY_SKIPPED], skipped);
	ck_assert_uint_eq(c.ntests, passed + failed + other + skipped);
	capture_fini(&c);
}

/* The <test-run> counts: passed, failed, inconclusive, skipped. */
START_TEST(nunit3_counts_agree_with_the_files)
{
	struct capture c;
	const char *l;

	v3_counts("nunit3-console-jenkins-issue50162.xml", 3, 3, 0, 0);
	v3_counts("nunit3-console-netcore-dorny.xml", 3, 5, 0, 1);
	v3_counts("nunit3-timewarpinc-failed-child.xml", 0, 1, 0, 0);
	read_ok("nunit3-console-netcore-dorny.xml", &c);
	l = capture_one(&c, "\"rawStatus\":\"Skipped:Ignored\"", NULL);
	HAS(l, "\"classname\":\"DotnetTests.XUnitTests.CalculatorTests\"");
	l = capture_one(&c, "\"type\":\"suite\"", "\"suite\":[\"DotnetTests."
	    "NUnitV3Tests.dll\"]");
	HAS(l, "\"tests\":9,\"failures\":5,\"skipped\":1");
	HAS(capture_one(&c, "\"type\":\"meta\"", NULL), "\"failed\":\"5\"");
	capture_fini(&c);
}
END_TEST

START_TEST(every_result_word)
{
	static const struct {
		const char *attrs, *status, *raw;
	} t[] = {
		{ "result=\"Passed\"", "passed\"", NULL },
		{ "result=\"Failed\"", "failed", "Failed" },
		{ "result=\"Failed\" label=\"Error\"", "failed", "Failed:Error" },
		{ "result=\"Failed\" label=\"Invalid\"", "failed",
		    "Failed:Invalid" },
		{ "result=\"Failed\" label=\"Cancelled\"", "failed",
		    "Failed:Cancelled" },
		{ "result=\"Skipped\" label=\"Ignored\"", "skipped",
		    "Skipped:Ignored" },
		{ "result=\"Skipped\" label=\"Explicit\"", "skipped",
		    "Skipped:Explicit" },
		{ "result=\"Skipped\"", "skipped", "Skipped" },
		{ "result=\"Inconclusive\"", "other", "Inconclusive" },
		{ "result=\"Warning\"", "other", "Warning" },
		{ "result=\"Success\"", "passed\"", NULL },
		{ "result=\"Failure\"", "failed", "Failure" },
		{ "result=\"Error\"", "failed", "Error" },
		{ "result=\"NotRunnable\"", "failed", "NotRunnable" },
		{ "result=\"Invalid\"", "failed", "Invalid" },
		{ "result=\"Cancelled\"", "failed", "Cancelled" },
		{ "result=\"Ignored\"", "skipped", "Ignored" },
		{ "result=\"Explicit\"", "skipped", "Explicit" },
		{ "result=\"NotRun\"", "skipped", "NotRun" },
		{ "executed=\"False\"", "skipped\"", NULL },
	};
	struct tally_buf b, want;
	struct capture c;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		tally_buf_init(&b);
		tally_buf_init(&want);
		tally_buf_printf(&b, "<test-run><test-suite name=\"S\">"
		    "<test-case name=\"t\" %s/></test-suite></test-run>",
		    t[i].attrs);
		read_str(b.data, &c);
		ck_assert_uint_eq(c.ntests, 1);
		tally_buf_printf(&want, "\"status\":\"%s", t[i].status);
		if (t[i].raw != NULL)
			tally_buf_printf(&want, "\",\"rawStatus\":\"%s\"",
			    t[i].raw);
		HAS(capture_one(&c, "\"type\":\"test\"", NULL), want.data);
		capture_fini(&c);
		tally_buf_free(&b);
		tally_buf_free(&want);
	}
}
END_TEST

/* Failures outside any test case each become a failed record. */
START_TEST(out_of_test_failures_are_records)
{
	struct capture c;
	const char *l;

	/* OneTimeSetUp: the fixture failed, no test case under it. */
	read_str("<test-run><test-suite type=\"Assembly\" name=\"a.dll\" "
	    "result=\"Failed\" site=\"Child\"><failure><message>child"
	    "</message></failure><test-suite type=\"TestFixture\" name=\"Fx\" "
	    "fullname=\"N.Fx\" result=\"Failed\" label=\"Error\" "
	    "site=\"SetUp\"><failure><message>SetUp boom</message>"
	    "<stack-trace>at N.Fx.Init()</stack-trace></failure>"
	    "</test-suite></test-suite></test-run>", &c);
	ck_assert_uint_eq(c.ntests, 1);
	l = capture_one(&c, "\"name\":\"(OneTimeSetUp) Fx\"", NULL);
	HAS(l, "\"status\":\"failed\",\"rawStatus\":\"suite Failed:Error "
	    "site=SetUp\"");
	HAS(l, "\"suite\":[\"a.dll\"],\"classname\":\"N.Fx\","
	    "\"message\":\"SetUp boom\",\"trace\":\"at N.Fx.Init()\"");
	capture_fini(&c);

	/* OneTimeTearDown: every test passed, the fixture failed after. */
	read_str("<test-run><test-suite name=\"Fx\" result=\"Failed\" "
	    "site=\"TearDown\"><failure><message>TearDown : x</message>"
	    "</failure><test-case name=\"t\" result=\"Passed\"/>"
	    "</test-suite></test-run>", &c);
	ck_assert_uint_eq(c.nstatus[TALLY_FAILED], 1);
	HAS(capture_one(&c, "\"name\":\"(OneTimeTearDown) Fx\"", NULL),
	    "\"message\":\"TearDown : x\"");
	capture_fini(&c);

	/* An assembly that is not runnable: a reason, no test cases. */
	read_str("<test-run><test-suite type=\"Assembly\" name=\"b.dll\" "
	    "runstate=\"NotRunnable\" result=\"Failed\" label=\"Invalid\">"
	    "<reason><message>File not found: b.dll</message></reason>"
	    "</test-suite></test-run>", &c);
	HAS(capture_one(&c, "\"name\":\"(test-suite) b.dll\"", NULL),
	    "\"rawStatus\":\"suite Failed:Invalid\"");
	capture_fini(&c);

	/* NUnit 2: a fixture whose TestFixtureSetUp failed. */
	read_str("<test-results total=\"0\" errors=\"0\" failures=\"1\">"
	    "<test-suite name=\"Fx\" result=\"Failure\" success=\"False\">"
	    "<reason><message>TestFixtureSetUp failed in Fx</message></reason>"
	    "<results/></test-suite></test-results>", &c);
	ck_assert_uint_eq(c.nstatus[TALLY_FAILED], 1);
	HAS(capture_one(&c, "\"name\":\"(test-suite) Fx\"", NULL),
	    "\"message\":\"TestFixtureSetUp failed in Fx\"");
	capture_fini(&c);

	/* A failed suite with a failed test below: no extra record. */
	read_str("<test-run><test-suite name=\"Fx\" result=\"Failed\" "
	    "site=\"Child\"><failure><message>One or more child tests had "
	    "errors</message></failure><test-case name=\"t\" "
	    "result=\"Failed\"/></test-suite></test-run>", &c);
	ck_assert_uint_eq(c.ntests, 1);
	capture_fini(&c);

	/* Counts that say failed, with nothing failed listed. */
	read_str("<test-run total=\"2\" passed=\"1\" failed=\"1\">"
	    "<test-suite name=\"S\" result=\"Passed\"><test-case name=\"t\" "
	    "result=\"Passed\"/></test-suite></test-run>", &c);
	l = capture_one(&c, "\"name\":\"(test-run)\"", NULL);
	HAS(l, "\"status\":\"failed\",\"rawStatus\":\"counts\"");
	HAS(l, "\"message\":\"the file counts 1 failed test but lists none\"");
	capture_fini(&c);
}
END_TEST

START_TEST(properties_output_attachments)
{
	struct capture c;
	const char *l;

	read_str("<test-run><test-suite name=\"S\"><test-case name=\"t\" "
	    "classname=\"N.C\" result=\"Passed\" duration=\"0.5\" id=\"1-2\">"
	    "<properties><property name=\"Category\" value=\"Fast\"/>"
	    "</properties><output><![CDATA[hello\n]]></output><attachments>"
	    "<attachment><filePath>/tmp/a.png</filePath><description>d"
	    "</description></attachment></attachments></test-case>"
	    "</test-suite></test-run>", &c);
	l = capture_one(&c, "\"type\":\"test\"", NULL);
	HAS(l, "\"name\":\"t\",\"status\":\"passed\",\"duration\":500");
	HAS(l, "\"classname\":\"N.C\"");
	HAS(l, "\"stdout\":\"hello\\n\"");
	HAS(l, "{\"name\":\"@id\",\"value\":\"1-2\"}");
	HAS(l, "{\"name\":\"Category\",\"value\":\"Fast\"}");
	HAS(l, "{\"name\":\"attachment\",\"value\":\"/tmp/a.png\"}");
	capture_fini(&c);
}
END_TEST

START_TEST(errors_and_detection)
{
	struct capture c;
	struct tally_error err;
	const char *v2 = "<?xml version=\"1.0\"?>\n<!--c-->\n<test-results "
	    "name=\"x\"><test-suite name=\"<testsuite\"/></test-results>";

	/* Raw control bytes: an error record, a position, exit status 2. */
	capture_init(&c);
	ck_assert_int_eq(read_file(DATA "nunit3-testrunner-issue17521.xml",
	    TALLY_FMT_AUTO, &c, &err), TALLY_EPARSE);
	ck_assert_int_eq(err.line, 31);
	ck_assert_uint_eq(c.nerrors, 1);
	capture_fini(&c);
	ck_assert_int_eq(tally_format_detect((const unsigned char *)v2,
	    strlen(v2)), TALLY_FMT_NUNIT);
	capture_init(&c);
	ck_assert_int_eq(read_string("<testsuite/>", "j.xml",
	    TALLY_FMT_NUNIT, &c, &err), TALLY_EPARSE);
	ck_assert_str_eq(err.message, "root element 'testsuite' is not NUnit "
	    "XML");
	capture_fini(&c);
}
END_TEST

Suite *suite_nunit(void);

Suite *
suite_nunit(void)
{
	Suite *s = suite_create("nunit");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, nunit2_counts_agree_with_the_file);
	tcase_add_test(tc, nunit26_fixture_teardown_failure_is_a_record);
	tcase_add_test(tc, nunit3_counts_agree_with_the_files);
	tcase_add_test(tc, every_result_word);
	tcase_add_test(tc, out_of_test_failures_are_records);
	tcase_add_test(tc, properties_output_attachments);
	tcase_add_test(tc, errors_and_detection);
	suite_add_tcase(s, tc);
	return s;
}
