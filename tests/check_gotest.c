/*
 * tests/check_gotest.c: the go test -json reader.  Expected counts were
 * taken from the fixtures with jq (final pass/fail/skip events with and
 * without a Test field), not from the reader.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "internal.h"
#include "testutil.h"

#define D "tests/data/gotest/"

static void
read_ok(const char *path, struct capture *c)
{
	read_fixture(path, c);
	ck_assert_uint_eq(c->nerrors, 0);
}

START_TEST(subtests_keep_full_names)
{
	struct capture c;
	const char *l;

	read_ok(D "go-test-json-103-subtests.ndjson", &c);
	ck_assert_uint_eq(c.ntests, 4);
	ck_assert_uint_eq(c.nstatus[TALLY_PASSED], 2);
	ck_assert_uint_eq(c.nstatus[TALLY_FAILED], 2);
	ck_assert_uint_eq(c.nsuites, 1);
	l = capture_one(&c, "\"name\":\"TestMultiple/Single\"", NULL);
	HAS(l, "\"status\":\"failed\"");
	HAS(l, "\"rawStatus\":\"fail\"");
	HAS(l, "\"suite\":[\"package/name/subtest\"]");
	HAS(l, "\"classname\":\"package/name/subtest\"");
	HAS(l, "\"filePath\":\"pkg_test.go\",\"line\":20");
	HAS(l, "\"message\":\"pkg_test.go:20: Do(\\\"a\\\"): got aaaaaaaaaa, "
	    "want a\"");
	HAS(l, "\"stdout\":\"=== RUN   TestMultiple/Single\\n");
	l = capture_one(&c, "\"name\":\"TestMultiple\"", NULL);
	HAS(l, "\"status\":\"failed\"");
	HASNT(l, "\"message\"");
	l = capture_one(&c, "\"type\":\"suite\"", NULL);
	HAS(l, "\"duration\":1,");
	HAS(l, "{\"name\":\"result\",\"value\":\"fail\"}");
	HAS(l, "FAIL\\tpackage/name/subtest\\t0.001s\\n");
	/* A package with failing tests gets no "(package)" record. */
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"(package)"), 0);
	capture_fini(&c);
}
END_TEST

START_TEST(race_report_is_kept)
{
	struct capture c;
	const char *l;

	read_ok(D "go-test-json-104-race.ndjson", &c);
	ck_assert_uint_eq(c.ntests, 1);
	ck_assert_uint_eq(c.nstatus[TALLY_FAILED], 1);
	l = capture_one(&c, "\"name\":\"TestRace\"", NULL);
	HAS(l, "\"message\":\"testing.go:1312: race detected during "
	    "execution of test\"");
	HAS(l, "WARNING: DATA RACE\\n");
	HAS(l, "_testmain.go:47 +0x2e4\\n");
	/* testing.go is not the test's file. */
	HASNT(l, "\"filePath\"");
	l = capture_one(&c, "\"type\":\"suite\"", NULL);
	HAS(l, "=== CONT  \\n");
	capture_fini(&c);
}
END_TEST

START_TEST(package_panic_becomes_testmain)
{
	struct capture c;
	const char *l;

	read_ok(D "go-test-json-105-panic.ndjson", &c);
	ck_assert_uint_eq(c.ntests, 1);
	ck_assert_uint_eq(c.nstatus[TALLY_FAILED], 1);
	l = capture_one(&c, "\"name\":\"(package) package/name/panic\","
	    "\"status\":\"failed\",\"rawStatus\":\"package-failed\"", NULL);
	HAS(l, "\"classname\":\"package/name/panic\"");
	HAS(l, "\"message\":\"panic: init\"");
	HAS(l, "\"errorType\":\"panic\"");
	HAS(l, "\"trace\":\"panic: init\\n\\ngoroutine 1 [running]:");
	HASNT(l, "\"duration\"");
	l = capture_one(&c, "\"type\":\"suite\"", NULL);
	HAS(l, "\"duration\":3,");
	capture_fini(&c);
}
END_TEST

START_TEST(late_panic_after_passing_tests)
{
	struct capture c;

	read_ok(D "go-test-json-108-paniclate.ndjson", &c);
	ck_assert_uint_eq(c.ntests, 2);
	ck_assert_uint_eq(c.nstatus[TALLY_PASSED], 1);
	ck_assert_uint_eq(c.nstatus[TALLY_FAILED], 1);
	HAS(capture_one(&c, "\"name\":\"(package) ", NULL),
	    "\"message\":\"panic: panic\"");
	capture_fini(&c);
}
END_TEST

START_TEST(attr_events_become_properties)
{
	struct capture c;
	const char *l;

	read_ok(D "go-test-json-attr-action.ndjson", &c);
	ck_assert_uint_eq(c.ntests, 1);
	ck_assert_uint_eq(c.nstatus[TALLY_PASSED], 1);
	l = capture_one(&c, "\"name\":\"TestSomeAttributes\"", NULL);
	HAS(l, "\"properties\":[{\"name\":\"hello\",\"value\":\"world\"},"
	    "{\"name\":\"other\",\"value\":\"side\"}]");
	HAS(l, "=== ATTR  TestSomeAttributes hello world\\n");
	HAS(capture_one(&c, "\"type\":\"suite\"", NULL), "\"duration\":183,");
	capture_fini(&c);
}
END_TEST

START_TEST(dorny_statuses_and_skip_reason)
{
	struct capture c;
	const char *l;

	read_ok(D "go-test-json-dorny.ndjson", &c);
	ck_assert_uint_eq(c.ntests, 12);
	ck_assert_uint_eq(c.nstatus[TALLY_PASSED], 5);
	ck_assert_uint_eq(c.nstatus[TALLY_FAILED], 6);
	ck_assert_uint_eq(c.nstatus[TALLY_SKIPPED], 1);
	l = capture_one(&c, "\"name\":\"TestSkipped\"", NULL);
	HAS(l, "\"duration\":940,");
	HAS(l, "\"message\":\"calculator_test.go:45: skipping test\"");
	l = capture_one(&c, "\"name\":\"TestCases/1_/_2_=_1\"", NULL);
	HAS(l, "\"line\":67");
	HAS(l, "\"duration\":920,");
	l = capture_one(&c, "\"name\":\"TestPassing\"", NULL);
	HASNT(l, "\"message\"");
	HAS(l, "calculator_test.go:11: pass!\\n");
	capture_fini(&c);
}
END_TEST

START_TEST(parallel_failures_in_old_format)
{
	struct capture c;
	const char *l;

	read_ok(D "go-test-json-parallel-fails.ndjson", &c);
	ck_assert_uint_eq(c.ntests, 12);
	ck_assert_uint_eq(c.nstatus[TALLY_PASSED], 4);
	ck_assert_uint_eq(c.nstatus[TALLY_FAILED], 8);
	/* Go < 1.14 put the test's name before the position. */
	l = capture_one(&c, "\"name\":\"TestNestedParallelFailures/c\"", NULL);
	HAS(l, "\"filePath\":\"fails_test.go\",\"line\":50");
	HAS(l, "\"message\":\"fails_test.go:50: failed sub c\"");
	HAS(l, "=== PAUSE TestNestedParallelFailures/c\\n=== CONT  "
	    "TestNestedParallelFailures/c\\n");
	capture_fini(&c);
}
END_TEST

START_TEST(nonjson_line_is_package_stderr)
{
	struct capture c;
	const char *l;

	read_ok(D "go-test-json-nonjson-line-mixed.ndjson", &c);
	ck_assert_uint_eq(c.ntests, 1);
	ck_assert_uint_eq(c.nstatus[TALLY_PASSED], 1);
	l = capture_one(&c, "\"type\":\"suite\"", NULL);
	HAS(l, "\"stderr\":\"|||This line is not valid test2json "
	    "output.|||\\n\"");
	capture_fini(&c);
}
END_TEST

START_TEST(tests_running_at_end_are_incomplete)
{
	/* The binary died: TestB and its subtest never ended. */
	const char *in =
	    "{\"Action\":\"run\",\"Package\":\"p\",\"Test\":\"TestA\"}\n"
	    "{\"Action\":\"pass\",\"Package\":\"p\",\"Test\":\"TestA\","
	    "\"Elapsed\":0.5}\n"
	    "{\"Action\":\"run\",\"Package\":\"p\",\"Test\":\"TestB\"}\n"
	    "{\"Action\":\"run\",\"Package\":\"p\",\"Test\":\"TestB/x\"}\n"
	    "{\"Action\":\"output\",\"Package\":\"p\",\"Test\":\"TestB/x\","
	    "\"Output\":\"panic: boom\\n\"}\n"
	    "{\"Action\":\"output\",\"Package\":\"p\",\"Test\":\"TestB/x\","
	    "\"Output\":\"goroutine 7 [running]:\\n\"}\n";
	struct capture c;
	struct tally_error err;
	const char *l;

	capture_init(&c);
	ck_assert_int_eq(read_string(in, "killed.json", TALLY_FMT_AUTO, &c,
	    &err), TALLY_OK);
	ck_assert_uint_eq(c.ntests, 3);
	ck_assert_uint_eq(c.nstatus[TALLY_PASSED], 1);
	ck_assert_uint_eq(c.nstatus[TALLY_FAILED], 2);
	ck_assert_uint_eq(capture_count(&c, "\"rawStatus\":\"incomplete\""),
	    2);
	HAS(capture_one(&c, "\"name\":\"TestA\"", NULL), "\"duration\":500,");
	l = capture_one(&c, "\"name\":\"TestB/x\"", NULL);
	HAS(l, "\"message\":\"test did not finish\\npanic: boom\"");
	HAS(l, "\"trace\":\"panic: boom\\ngoroutine 7 [running]:\\n\"");
	l = capture_one(&c, "\"name\":\"TestB\"", NULL);
	HAS(l, "\"message\":\"test did not finish\"");
	/* Oldest first, then the package that never ended. */
	ck_assert_ptr_nonnull(strstr(c.lines[1], "\"name\":\"TestB\""));
	HAS(c.lines[3], "\"value\":\"incomplete\"");
	capture_fini(&c);
}
END_TEST

START_TEST(timeout_panic_explains_open_tests)
{
	const char *in =
	    "{\"Action\":\"run\",\"Package\":\"p\",\"Test\":\"TestSlow\"}\n"
	    "{\"Action\":\"output\",\"Package\":\"p\",\"Output\":\"panic: test "
	    "timed out after 1s\\n\"}\n"
	    "{\"Action\":\"fail\",\"Package\":\"p\",\"Elapsed\":1.2}\n";
	struct capture c;
	struct tally_error err;
	const char *l;

	capture_init(&c);
	ck_assert_int_eq(read_string(in, "t.json", TALLY_FMT_GOTEST, &c,
	    &err), TALLY_OK);
	ck_assert_uint_eq(c.ntests, 1);
	l = capture_one(&c, "\"name\":\"TestSlow\"", NULL);
	HAS(l, "\"rawStatus\":\"incomplete\"");
	HAS(l, "\"message\":\"test did not finish: panic: test timed out "
	    "after 1s\"");
	/* The incomplete test is the failure: no "(package)" record. */
	ck_assert_uint_eq(capture_count(&c, "(package)"), 0);
	capture_fini(&c);
}
END_TEST

START_TEST(torn_line_is_an_error_with_its_line)
{
	const char *in =
	    "{\"Action\":\"run\",\"Package\":\"p\",\"Test\":\"TestA\"}\n"
	    "{\"Action\":\"pass\",\"Package\":\"p\",\"Test\":\"TestA\"}\n"
	    "{\"Action\":\"run\",\"Package\":\"p\",\"Test\":\"TestB\"}\n"
	    "{\"Action\":\"output\",\"Package\":\"p\",\"Te\n"
	    "{\"Action\":\"pass\",\"Package\":\"p\",\"Test\":\"TestB\"}\n";
	struct capture c;
	struct tally_error err;

	capture_init(&c);
	ck_assert_int_eq(read_string(in, "torn.json", TALLY_FMT_AUTO, &c,
	    &err), TALLY_EPARSE);
	ck_assert_int_eq(err.line, 4);
	ck_assert_str_eq(err.file, "torn.json");
	ck_assert_int_gt(err.column, 0);
	/* TestA kept, TestB reported as incomplete before the error. */
	ck_assert_uint_eq(c.ntests, 2);
	ck_assert_uint_eq(c.nerrors, 1);
	HAS(capture_one(&c, "\"name\":\"TestB\"", NULL),
	    "\"rawStatus\":\"incomplete\"");
	HAS(c.lines[c.n - 1], "\"type\":\"error\",\"line\":4,");
	capture_fini(&c);
}
END_TEST

START_TEST(build_failure_new_style)
{
	/* Go 1.24: build output as events, FailedBuild on the package. */
	const char *in =
	    "{\"ImportPath\":\"ex/b [ex/b.test]\",\"Action\":\"build-output\","
	    "\"Output\":\"# ex/b [ex/b.test]\\n\"}\n"
	    "{\"ImportPath\":\"ex/b [ex/b.test]\",\"Action\":\"build-output\","
	    "\"Output\":\"./b_test.go:7:2: undefined: nope\\n\"}\n"
	    "{\"ImportPath\":\"ex/b [ex/b.test]\",\"Action\":\"build-fail\"}\n"
	    "{\"Action\":\"start\",\"Package\":\"ex/b\"}\n"
	    "{\"Action\":\"output\",\"Package\":\"ex/b\",\"Output\":\"FAIL\\tex/b"
	    " [build failed]\\n\"}\n"
	    "{\"Action\":\"fail\",\"Package\":\"ex/b\",\"Elapsed\":0,"
	    "\"FailedBuild\":\"ex/b [ex/b.test]\"}\n";
	struct capture c;
	struct tally_error err;
	const char *l;

	capture_init(&c);
	ck_assert_int_eq(read_string(in, "b.json", TALLY_FMT_AUTO, &c, &err),
	    TALLY_OK);
	ck_assert_uint_eq(c.ntests, 1);
	l = capture_one(&c, "\"name\":\"(package) ex/b\",\"status\":"
	    "\"failed\",\"rawStatus\":\"build-failed\"", NULL);
	HAS(l, "\"message\":\"./b_test.go:7:2: undefined: nope\"");
	HAS(l, "\"filePath\":\"./b_test.go\",\"line\":7");
	HAS(l, "\"stdout\":\"# ex/b [ex/b.test]\\n./b_test.go:7:2: undefined: "
	    "nope\\nFAIL\\tex/b [build failed]\\n\"");
	HAS(l, "{\"name\":\"failedBuild\",\"value\":\"ex/b [ex/b.test]\"}");
	capture_fini(&c);
}
END_TEST

START_TEST(old_build_failure_from_stderr_lines)
{
	/* go test -json 2>&1 before Go 1.24: compiler errors as text. */
	const char *in =
	    "# ex/c\n"
	    "./c_test.go:3:8: syntax error\n"
	    "{\"Action\":\"output\",\"Package\":\"ex/c\",\"Output\":\"FAIL\\tex/c"
	    " [build failed]\\n\"}\n"
	    "{\"Action\":\"fail\",\"Package\":\"ex/c\",\"Elapsed\":0}\n";
	struct capture c;
	struct tally_error err;
	const char *l;

	capture_init(&c);
	ck_assert_int_eq(read_string(in, "c.json", TALLY_FMT_AUTO, &c, &err),
	    TALLY_OK);
	ck_assert_uint_eq(c.ntests, 1);
	l = capture_one(&c, "\"name\":\"(package) ex/c\"", NULL);
	HAS(l, "\"message\":\"./c_test.go:3:8: syntax error\"");
	HAS(capture_one(&c, "\"type\":\"suite\"", NULL),
	    "\"stderr\":\"# ex/c\\n./c_test.go:3:8: syntax error\\n\"");
	capture_fini(&c);
}
END_TEST

/* go 1.19: a package that does not build has no event, only text. */
START_TEST(build_failed_line_without_event)
{
	struct capture c;
	const char *l;

	read_ok(D "go-1.19-build-failed-stdout.ndjson", &c);
	ck_assert_uint_eq(c.ntests, 2);
	ck_assert_uint_eq(c.nstatus[TALLY_FAILED], 1);
	l = capture_one(&c, "\"name\":\"(package) example.com/shop/broken\","
	    "\"status\":\"failed\",\"rawStatus\":\"build-failed\","
	    "\"suite\":[\"example.com/shop/broken\"],\"classname\":"
	    "\"example.com/shop/broken\",\"message\":\"build failed\"", NULL);
	HAS(l, "\"stdout\":\"FAIL\\texample.com/shop/broken [build failed]"
	    "\\n\"");
	capture_fini(&c);

	/* 2>&1: the compiler's errors under "# PKG" are the trace. */
	read_ok(D "go-1.19-build-setup-2to1.ndjson", &c);
	ck_assert_uint_eq(c.ntests, 3);
	ck_assert_uint_eq(c.nstatus[TALLY_FAILED], 2);
	l = capture_one(&c, "\"name\":\"(package) example.com/shop/broken\","
	    "\"status\":\"failed\",\"rawStatus\":\"build-failed\"", NULL);
	HAS(l, "\"message\":\"broken/broken.go:4:9: cannot use \\\"free\\\" "
	    "(untyped string constant) as int value in return statement\"");
	/* TestMain's panic is setup's message, not broken's errors. */
	l = capture_one(&c, "\"name\":\"(package) example.com/shop/setup\","
	    "\"status\":\"failed\",\"rawStatus\":\"package-failed\"", NULL);
	HAS(l, "\"message\":\"panic: SHOP_DB not set\"");
	HASNT(l, "cannot use");
	capture_fini(&c);
}
END_TEST

START_TEST(reruns_give_one_record_per_run)
{
	const char *in =
	    "{\"Action\":\"run\",\"Package\":\"p\",\"Test\":\"TestF\"}\n"
	    "{\"Action\":\"fail\",\"Package\":\"p\",\"Test\":\"TestF\"}\n"
	    "{\"Action\":\"fail\",\"Package\":\"p\"}\n"
	    "{\"Action\":\"run\",\"Package\":\"p\",\"Test\":\"TestF\"}\n"
	    "{\"Action\":\"pass\",\"Package\":\"p\",\"Test\":\"TestF\"}\n"
	    "{\"Action\":\"pass\",\"Package\":\"p\"}\n";
	struct capture c;
	struct tally_error err;

	capture_init(&c);
	ck_assert_int_eq(read_string(in, "r.json", TALLY_FMT_AUTO, &c, &err),
	    TALLY_OK);
	ck_assert_uint_eq(c.ntests, 2);
	ck_assert_uint_eq(c.nstatus[TALLY_FAILED], 1);
	ck_assert_uint_eq(c.nstatus[TALLY_PASSED], 1);
	ck_assert_uint_eq(c.nsuites, 2);
	capture_fini(&c);
}
END_TEST

START_TEST(interleaved_packages_and_bench)
{
	const char *in =
	    "{\"Action\":\"run\",\"Package\":\"a\",\"Test\":\"TestX\"}\n"
	    "{\"Action\":\"run\",\"Package\":\"b\",\"Test\":\"TestX\"}\n"
	    "{\"Action\":\"output\",\"Package\":\"b\",\"Test\":\"TestX\","
	    "\"Output\":\"from b\\n\"}\n"
	    "{\"Action\":\"output\",\"Package\":\"a\",\"Test\":\"TestX\","
	    "\"Output\":\"from a\\n\"}\n"
	    "{\"Action\":\"skip\",\"Package\":\"b\",\"Test\":\"TestX\"}\n"
	    "{\"Action\":\"output\",\"Package\":\"a\",\"Test\":\"BenchmarkY\","
	    "\"Output\":\"BenchmarkY-8 \\t 10\\t 5 ns/op\\n\"}\n"
	    "{\"Action\":\"bench\",\"Package\":\"a\",\"Test\":\"BenchmarkY\"}\n"
	    "{\"Action\":\"pass\",\"Package\":\"a\",\"Test\":\"TestX\"}\n"
	    "{\"Action\":\"output\",\"Package\":\"c\",\"Output\":\"?   \\tc\\t"
	    "[no test files]\\n\"}\n"
	    "{\"Action\":\"skip\",\"Package\":\"c\"}\n";
	struct capture c;
	struct tally_error err;

	capture_init(&c);
	ck_assert_int_eq(read_string(in, "i.json", TALLY_FMT_AUTO, &c, &err),
	    TALLY_OK);
	ck_assert_uint_eq(c.ntests, 3);
	HAS(capture_one(&c, "\"stdout\":\"from b\\n\"", NULL),
	    "\"status\":\"skipped\"");
	HAS(capture_one(&c, "\"stdout\":\"from a\\n\"", NULL),
	    "\"status\":\"passed\"");
	HAS(capture_one(&c, "\"name\":\"BenchmarkY\"", NULL),
	    "\"rawStatus\":\"bench\"");
	HAS(capture_one(&c, "\"suite\":[\"c\"]", NULL),
	    "{\"name\":\"result\",\"value\":\"skip\"}");
	capture_fini(&c);
}
END_TEST

START_TEST(foreign_json_and_bad_values)
{
	/* JSON without Action is text; wrong types are ignored. */
	const char *in =
	    "{\"reason\":\"compiler-artifact\"}\n"
	    "{\"Action\":\"run\",\"Package\":7,\"Test\":\"T\"}\n"
	    "{\"Action\":\"pass\",\"Package\":7,\"Test\":\"T\","
	    "\"Elapsed\":\"x\"}\n"
	    "   \n"
	    "{\"Action\":\"pass\",\"Package\":\"q\",\"Test\":\"T\","
	    "\"Elapsed\":-3}\n";
	struct capture c;
	struct tally_error err;

	capture_init(&c);
	ck_assert_int_eq(read_string(in, "f.json", TALLY_FMT_GOTEST, &c,
	    &err), TALLY_OK);
	ck_assert_uint_eq(c.ntests, 2);
	ck_assert_uint_eq(capture_count(&c, "\"duration\""), 0);
	ck_assert_uint_eq(capture_count(&c,
	    "\"stderr\":\"{\\\"reason\\\":\\\"compiler-artifact\\\"}\\n\""), 1);
	capture_fini(&c);
}
END_TEST

START_TEST(detects_gotest_after_text)
{
	const char *in = "go: downloading example.com/m v1.0.0\n"
	    "{\"Action\":\"start\",\"Package\":\"m\"}\n"
	    "{\"Action\":\"pass\",\"Package\":\"m\",\"Elapsed\":0.1}\n";

	ck_assert_int_eq(tally_format_detect((const unsigned char *)in,
	    strlen(in)), TALLY_FMT_GOTEST);
	in = "{\"Time\":\"x\",\"Action\":\"run\",\"Package\":\"m\"}\n";
	ck_assert_int_eq(tally_format_detect((const unsigned char *)in,
	    strlen(in)), TALLY_FMT_GOTEST);
}
END_TEST

START_TEST(many_open_tests)
{
	/* Enough parallel tests to grow the table, all closed in reverse. */
	struct tally_buf b;
	struct capture c;
	struct tally_error err;
	int i;

	tally_buf_init(&b);
	for (i = 0; i < 3000; i++)
		tally_buf_printf(&b, "{\"Action\":\"run\",\"Package\":\"p\","
		    "\"Test\":\"T%d\"}\n", i);
	for (i = 2999; i >= 0; i--)
		tally_buf_printf(&b, "{\"Action\":\"%s\",\"Package\":\"p\","
		    "\"Test\":\"T%d\"}\n", i % 3 ? "pass" : "fail", i);
	capture_init(&c);
	ck_assert_int_eq(read_string(b.data, "m.json", TALLY_FMT_GOTEST, &c,
	    &err), TALLY_OK);
	ck_assert_uint_eq(c.ntests, 3000);
	ck_assert_uint_eq(c.nstatus[TALLY_FAILED], 1000);
	ck_assert_uint_eq(capture_count(&c, "incomplete"), 1);	/* suite */
	tally_buf_free(&b);
	capture_fini(&c);
}
END_TEST

START_TEST(many_open_packages)
{
	/* Each package left open with a test running, as a killed run. */
	struct tally_buf b;
	struct capture c;
	struct tally_error err;
	int i;

	tally_buf_init(&b);
	for (i = 0; i < 5000; i++)
		tally_buf_printf(&b, "{\"Action\":\"run\",\"Package\":\"p%d\","
		    "\"Test\":\"T\"}\n", i);
	capture_init(&c);
	ck_assert_int_eq(read_string(b.data, "m.json", TALLY_FMT_GOTEST, &c,
	    &err), TALLY_OK);
	ck_assert_uint_eq(c.ntests, 5000);
	ck_assert_uint_eq(c.nsuites, 5000);
	ck_assert_uint_eq(capture_count(&c, "\"rawStatus\":\"incomplete\""),
	    5000);
	/* Oldest package first, its test before its suite record. */
	HAS(c.lines[0], "\"suite\":[\"p0\"]");
	HAS(c.lines[1], "\"type\":\"suite\",\"suite\":[\"p0\"]");
	HAS(c.lines[9999], "\"suite\":[\"p4999\"]");
	tally_buf_free(&b);
	capture_fini(&c);
}
END_TEST

START_TEST(message_is_a_digest)
{
	/* 5000 logged lines: all in stdout, the message stops near 64 KiB. */
	struct tally_buf b;
	struct capture c;
	struct tally_error err;
	const char *l, *m, *e;
	int i;

	tally_buf_init(&b);
	tally_buf_adds(&b, "{\"Action\":\"run\",\"Package\":\"p\","
	    "\"Test\":\"TestLoud\"}\n");
	for (i = 0; i < 5000; i++)
		tally_buf_printf(&b, "{\"Action\":\"output\",\"Package\":"
		    "\"p\",\"Test\":\"TestLoud\",\"Output\":\"    a_test.go:%d: "
		    "line %d of the log\\n\"}\n", i + 1, i);
	tally_buf_adds(&b, "{\"Action\":\"output\",\"Package\":\"p\","
	    "\"Test\":\"TestLoud\",\"Output\":\"fatal error: concurrent "
	    "map writes\\n\"}\n"
	    "{\"Action\":\"fail\",\"Package\":\"p\",\"Test\":\"TestLoud\"}\n");
	capture_init(&c);
	ck_assert_int_eq(read_string(b.data, "l.json", TALLY_FMT_GOTEST, &c,
	    &err), TALLY_OK);
	l = capture_one(&c, "\"name\":\"TestLoud\"", NULL);
	HAS(l, "\"filePath\":\"a_test.go\",\"line\":1,");
	HAS(l, "\"errorType\":\"fatal error\"");
	HAS(l, "\"trace\":\"fatal error: concurrent map writes\\n\"");
	HAS(l, "line 4999 of the log\\n");		/* stdout */
	m = strstr(l, "\"message\":\"");
	e = strstr(l, "\"errorType\"");
	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_gt(e - m, 60000);
	ck_assert_int_lt(e - m, 70000);
	tally_buf_free(&b);
	capture_fini(&c);
}
END_TEST

START_TEST(text_without_events_is_refused)
{
	struct capture c;
	struct tally_error err;

	capture_init(&c);
	ck_assert_int_eq(read_string("Type,Name\nGET,/a\n", "l.csv",
	    TALLY_FMT_GOTEST, &c, &err), TALLY_EPARSE);
	ck_assert_str_eq(err.message, "no go test -json event in the input");
	ck_assert_uint_eq(c.n, 1);
	ck_assert_uint_eq(c.nerrors, 1);
	capture_fini(&c);
}
END_TEST

Suite *suite_gotest(void);

Suite *
suite_gotest(void)
{
	Suite *s = suite_create("gotest");
	TCase *tc = tcase_create("gotest");

	tcase_add_test(tc, subtests_keep_full_names);
	tcase_add_test(tc, race_report_is_kept);
	tcase_add_test(tc, package_panic_becomes_testmain);
	tcase_add_test(tc, late_panic_after_passing_tests);
	tcase_add_test(tc, attr_events_become_properties);
	tcase_add_test(tc, dorny_statuses_and_skip_reason);
	tcase_add_test(tc, parallel_failures_in_old_format);
	tcase_add_test(tc, nonjson_line_is_package_stderr);
	tcase_add_test(tc, tests_running_at_end_are_incomplete);
	tcase_add_test(tc, timeout_panic_explains_open_tests);
	tcase_add_test(tc, torn_line_is_an_error_with_its_line);
	tcase_add_test(tc, build_failure_new_style);
	tcase_add_test(tc, old_build_failure_from_stderr_lines);
	tcase_add_test(tc, reruns_give_one_record_per_run);
	tcase_add_test(tc, build_failed_line_without_event);
	tcase_add_test(tc, interleaved_packages_and_bench);
	tcase_add_test(tc, foreign_json_and_bad_values);
	tcase_add_test(tc, detects_gotest_after_text);
	tcase_add_test(tc, many_open_tests);
	tcase_add_test(tc, many_open_packages);
	tcase_add_test(tc, message_is_a_digest);
	tcase_add_test(tc, text_without_events_is_refused);
	suite_add_tcase(s, tc);
	return s;
}
