/*
 * tests/check_checkxml.c: the reader of the Check framework's XML log on
 * two logs from the corpus and one written by Check 0.15.2 itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "internal.h"
#include "testutil.h"

#define DATA "tests/data/junit/"

static void
read_ok(const char *name, struct capture *c)
{
	char path[256];

	snprintf(path, sizeof(path), DATA "%s", name);
	read_fixture(path, c);
}

START_TEST(jenkins_fixture_with_failures)
{
	struct capture c;
	const char *l;

	/* 5 <test> elements: 3 result="failure", 2 result="success". */
	read_ok("check-xml-log-failures.xml", &c);
	ck_assert_uint_eq(c.ntests, 5);
	ck_assert_uint_eq(c.nstatus[TALLY_FAILED], 3);
	ck_assert_uint_eq(c.nstatus[TALLY_PASSED], 2);
	ck_assert_uint_eq(c.nsuites, 1);
	l = capture_one(&c, "\"name\":\"test_only_first_entries\"", NULL);
	HAS(l, "\"status\":\"failed\",\"rawStatus\":\"failure\"");
	HAS(l, "\"suite\":[\"test_check1.c\"],\"classname\":\"Core\","
	    "\"filePath\":\"test_check1.c\",\"line\":58");
	HAS(l, "\"message\":\"Assertion 'strcmp(\\\"bbb\\\", mylist[1]) == 0' "
	    "failed\"");
	l = capture_one(&c, "\"type\":\"meta\"", NULL);
	HAS(l, "{\"datetime\":\"2011-09-08 09:43:11\",\"duration\":"
	    "\"0.759352\"}");
	l = capture_one(&c, "\"type\":\"suite\"", NULL);
	HAS(l, "\"suite\":[\"test_check1.c\"],\"timestamp\":\"2011-09-08 "
	    "09:43:11\"");
	capture_fini(&c);

	read_ok("check-xml-log-money-no-decl.xml", &c);
	ck_assert_uint_eq(c.ntests, 1);
	HAS(capture_one(&c, "\"type\":\"test\"", NULL), "\"name\":"
	    "\"test_money_create\",\"status\":\"passed\"");
	capture_fini(&c);
}
END_TEST

START_TEST(check_0_15_log)
{
	struct capture c;
	const char *l;

	/* 6 <test>: success x3, failure x2, error x1; loop test 0..2. */
	read_ok("check-xml-check-0.15.2-generated.xml", &c);
	ck_assert_uint_eq(c.ntests, 6);
	ck_assert_uint_eq(c.nstatus[TALLY_PASSED], 3);
	ck_assert_uint_eq(c.nstatus[TALLY_FAILED], 3);
	ck_assert_uint_eq(c.nsuites, 2);
	l = capture_one(&c, "\"name\":\"crashes\"", NULL);
	HAS(l, "\"status\":\"failed\",\"rawStatus\":\"error\"");
	HAS(l, "\"classname\":\"Limits\"");
	HAS(l, "\"message\":\"Received signal 11 (Segmentation fault)\"");
	l = capture_one(&c, "\"name\":\"passes\"", NULL);
	HAS(l, "\"duration\":0.012");
	HAS(l, "\"filePath\":\"t.c\",\"line\":4");
	/* duration -1.000000 is Check's "not measured". */
	l = capture_one(&c, "\"name\":\"fails\"", NULL);
	ck_assert_ptr_null(strstr(l, "\"duration\""));
	HAS(l, "\"message\":\"arithmetic <is> & \\\"hard\\\"\"");
	/* Loop iterations stay apart. */
	capture_one(&c, "\"name\":\"loops\",", NULL);
	capture_one(&c, "\"name\":\"loops[1]\"", NULL);
	l = capture_one(&c, "\"name\":\"loops[2]\"", NULL);
	HAS(l, "\"status\":\"failed\"");
	HAS(l, "{\"name\":\"iteration\",\"value\":\"2\"}");
	capture_one(&c, "\"suite\":[\"Empty\"]", NULL);
	capture_fini(&c);
}
END_TEST

START_TEST(errors)
{
	struct capture c;
	struct tally_error err;
	const char *trunc =
	    "<testsuites xmlns=\"http://check.sourceforge.net/ns\">\n"
	    "<suite><title>S</title>\n"
	    "<test result=\"success\"><id>a</id><fn>x.c:1</fn></test>\n"
	    "<test result=\"failure\"><id>b</id><message>m";
	const char *doctype = "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE t [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
	    "<testsuites xmlns=\"http://check.sourceforge.net/ns\">"
	    "<suite><title>&x;</title></suite></testsuites>\n";

	capture_init(&c);
	ck_assert_int_eq(read_string(trunc, "t.xml", TALLY_FMT_AUTO, &c, &err),
	    TALLY_EPARSE);
	ck_assert_int_eq(err.line, 4);
	ck_assert_uint_eq(c.nerrors, 1);
	ck_assert_uint_le(c.ntests, 1);
	capture_fini(&c);

	capture_init(&c);
	ck_assert_int_eq(read_string(doctype, "d.xml", TALLY_FMT_AUTO, &c,
	    &err), TALLY_EPARSE);
	ck_assert_str_eq(err.message, "DOCTYPE not supported: DTDs are refused");
	ck_assert_int_eq(err.line, 2);
	ck_assert_uint_eq(c.ntests, 0);
	capture_fini(&c);

	/* A JUnit file forced through this reader is refused, not empty. */
	capture_init(&c);
	ck_assert_int_eq(read_file(DATA "ctest-output-junit.xml",
	    TALLY_FMT_CHECKXML, &c, &err), TALLY_EPARSE);
	ck_assert_str_eq(err.message, "root element 'testsuite' is not a Check "
	    "XML log");
	capture_fini(&c);
	capture_init(&c);
	ck_assert_int_eq(read_string("<testsuites><suite/></testsuites>",
	    "n.xml", TALLY_FMT_CHECKXML, &c, &err), TALLY_EPARSE);
	capture_fini(&c);
}
END_TEST

START_TEST(detector_needs_the_namespace_on_the_root)
{
	const char *junit = "<testsuites><testsuite name=\"s\"><properties>"
	    "<property name=\"u\" value=\"http://check.sourceforge.net/ns\"/>"
	    "</properties><testcase name=\"t\"/></testsuite></testsuites>";
	const char *ck = "<?xml version=\"1.0\"?>\n<testsuites xmlns="
	    "\"http://check.sourceforge.net/ns\"><suite><title>S</title>"
	    "</suite></testsuites>";

	ck_assert_int_eq(tally_format_detect((const unsigned char *)junit,
	    strlen(junit)), TALLY_FMT_JUNIT);
	ck_assert_int_eq(tally_format_detect((const unsigned char *)ck,
	    strlen(ck)), TALLY_FMT_CHECKXML);
}
END_TEST

/*
 * A message over libxml2's 10 MB text node limit and over the 16 MiB
 * field cap: cut with the note, the file read to its end.
 */
START_TEST(long_message_is_cut_and_reading_goes_on)
{
	static const char unit[] = "assertion failed: x == y\n";
	struct tally_buf b;
	struct capture c;
	struct tally_error err;
	char note[64];
	size_t total = 0;

	tally_buf_init(&b);
	tally_buf_adds(&b, "<testsuites xmlns=\"http://check.sourceforge.net/"
	    "ns\">\n<suite><title>S</title>\n<test result=\"failure\"><id>a"
	    "</id><message>");
	while (total < TALLY_MAX_FIELD + 1000000) {
		tally_buf_adds(&b, unit);
		total += sizeof(unit) - 1;
	}
	tally_buf_adds(&b, "</message></test>\n<test result=\"success\"><id>b"
	    "</id></test>\n</suite></testsuites>\n");
	capture_init(&c);
	ck_assert_int_eq(read_string(b.data, "l.xml", TALLY_FMT_AUTO, &c,
	    &err), TALLY_OK);
	ck_assert_uint_eq(c.ntests, 2);
	snprintf(note, sizeof(note), "\\n[truncated %zu bytes]\"",
	    total - TALLY_MAX_FIELD);
	HAS(capture_one(&c, "\"name\":\"a\"", NULL), note);
	capture_one(&c, "\"name\":\"b\"", NULL);
	capture_fini(&c);
	tally_buf_free(&b);
}
END_TEST

/*
 * A duration over 30 days is left unknown and noted; -1, Check's own
 * "not measured", is unknown without a note.
 */
START_TEST(huge_duration_left_unknown)
{
	const char *in = "<testsuites xmlns=\"http://check.sourceforge.net/"
	    "ns\"><suite><title>S</title>\n"
	    "<test result=\"success\"><id>a</id><duration>1e30</duration>"
	    "</test>\n"
	    "<test result=\"success\"><id>b</id><duration>-1.000000</duration>"
	    "</test>\n"
	    "<test result=\"success\"><id>c</id><duration>0.25</duration>"
	    "</test>\n</suite></testsuites>\n";
	struct capture c;
	struct tally_error err;

	capture_init(&c);
	ck_assert_int_eq(read_string(in, "d.xml", TALLY_FMT_AUTO, &c, &err),
	    TALLY_OK);
	ck_assert_uint_eq(c.ntests, 3);
	ck_assert_uint_eq(capture_count(&c, "\"duration\""), 1);
	HAS(capture_one(&c, "\"name\":\"a\"", NULL), "\"properties\":[{\"name\":"
	    "\"tally.badDuration\",\"value\":\"1e30\"}]");
	HASNT(capture_one(&c, "\"name\":\"b\"", NULL), "tally.badDuration");
	HAS(capture_one(&c, "\"name\":\"c\"", NULL), "\"duration\":250");
	capture_fini(&c);
}
END_TEST

Suite *suite_checkxml(void);

Suite *
suite_checkxml(void)
{
	Suite *s = suite_create("checkxml");
	TCase *tc = tcase_create("checkxml");

	tcase_add_test(tc, jenkins_fixture_with_failures);
	tcase_add_test(tc, check_0_15_log);
	tcase_add_test(tc, long_message_is_cut_and_reading_goes_on);
	tcase_add_test(tc, huge_duration_left_unknown);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, detector_needs_the_namespace_on_the_root);
	suite_add_tcase(s, tc);
	return s;
}
