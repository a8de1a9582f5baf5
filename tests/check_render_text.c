/* tests/check_render_text.c: the terminal summary renderer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "internal.h"
#include "report_fixture.h"

/* Every ESC in s starts one of the renderer's own colour codes. */
static void
only_our_escapes(const char *s)
{
	static const char *const ok[] = { "\033[0m", "\033[1m", "\033[31m",
	    "\033[32m", "\033[33m", NULL };
	const char *p;
	size_t i;

	for (p = strchr(s, '\033'); p != NULL; p = strchr(p + 1, '\033')) {
		for (i = 0; ok[i] != NULL; i++)
			if (strncmp(p, ok[i], strlen(ok[i])) == 0)
				break;
		ck_assert_msg(ok[i] != NULL, "foreign escape at '%.12s'", p);
	}
}

static char *
render(struct fx *f, const struct tally_render_opts *o)
{
	return fx_render(f, tally_render_text, o, NULL);
}

START_TEST(sample_counts_failures_flaky_slowest)
{
	struct fx f;
	struct tally_render_opts o;
	char *s;
	size_t slow;

	memset(&o, 0, sizeof(o));
	fx_sample(&f);
	s = render(&f, &o);
	ck_assert_ptr_null(strchr(s, '\033'));
	at(s, "6 tests, 3 passed, 2 failed, 1 skipped, 1 flaky, 1 retried, "
	    "1 input error; pass rate 60.0%; time 1m 9.8s\n");
	/* Failures with location, message and the trace's lines. */
	at(s, "=== Failures (2)\n"
	    "FAIL tests/test_math.py \xe2\x80\xba test_div [python=3.10] (1.5s) "
	    "tests/test_math.py:9\n"
	    "     ZeroDivisionError: division by zero\n"
	    "     | Traceback (most recent call last):\n");
	at(s, "     |     1 / 0\n");
	at(s, "FAIL tests/test_io.py \xe2\x80\xba test_read [python=3.11] (250ms)\n"
	    "     AssertionError: assert b'' == b'x'\n");
	at(s, "=== Flaky (1)\nFLAKY tests/test_io.py \xe2\x80\xba test_net "
	    "[python=3.11] (passed after 1 retry)\n"
	    "      failed first with: ConnectionResetError: peer reset\n");
	at(s, "=== Input errors (1)\n"
	    "ERROR results/broken.xml:12:3: unexpected end of file\n");
	/* Slowest first; a test with no time is not among them. */
	slow = at(s, "=== Slowest\n");
	ck_assert_uint_lt(slow, at(s, "1m 5.0s  tests/test_math.py \xe2\x80\xba "
	    "test_mul [python=3.11]\n"));
	ck_assert_uint_lt(at(s, "test_mul [python=3.11]\n"), at(s, "3.0s  tests/test_io.py"));
	ck_assert_uint_lt(at(s, "3.0s  tests/test_io.py"),
	    at(s, "1.5s  tests/test_math.py"));
	ck_assert_uint_lt(at(s, "1.5s  tests/test_math.py"),
	    at(s, "250ms  tests/test_io.py"));
	ck_assert_ptr_null(strstr(s, "0ms  tests/test_io.py \xe2\x80\xba "
	    "test_win"));
	/* Breakdowns: two suites, and python takes two values. */
	at(s, "=== By suite\n");
	at(s, "      1       1       1       1      3.2s  50.0%  "
	    "tests/test_io.py\n");
	at(s, "=== By label python\n");
	at(s, "      1       1       0       0      1.5s  50.0%  3.10\n");
	at(s, "      2       1       1       1   1m 8.2s  66.7%  3.11\n");
	ck_assert_ptr_null(strstr(s, "By category"));
	/* The verdict is the last line. */
	ck_assert_str_eq(s + strlen(s) - strlen("FAIL: gate 'failed' failed "
	    "(2 tests failed)\n"), "FAIL: gate 'failed' failed "
	    "(2 tests failed)\n");
	free(s);
	fx_free(&f);
}
END_TEST

START_TEST(colour_only_when_asked)
{
	struct fx f;
	struct tally_render_opts o;
	char *s;

	memset(&o, 0, sizeof(o));
	o.color = 1;
	fx_sample(&f);
	s = render(&f, &o);
	at(s, "\033[31mFAIL\033[0m tests/test_math.py");
	at(s, "\033[32m3 passed\033[0m");
	at(s, "\033[31m2 failed\033[0m");
	at(s, "\033[33m1 flaky\033[0m");
	at(s, "\033[1m\033[31mFAIL:\033[0m gate 'failed'");
	only_our_escapes(s);
	free(s);
	o.color = 0;
	s = render(&f, &o);
	ck_assert_ptr_null(strchr(s, '\033'));
	free(s);
	fx_free(&f);
}
END_TEST

START_TEST(hostile_text_is_escaped)
{
	struct fx f;
	struct tally_render_opts o;
	struct tally_test *t;
	char *s;
	int colour;

	fx_init(&f, 8);
	t = fx_test(&f, "suite\033]0;pwned\a", "name\033[2J\n::error::injected",
	    TALLY_FAILED, 5);
	t->message = "bad \033[31mred\033[0m\r\nover\x1b\x9b" "written\xc2\x9b"
	    "1m \xff\xfe end \xe2\x80\xae" "evil";
	t->trace = "line <script>\n\033]8;;http://x\033\\link\033]8;;\033\\\n"
	    "tab\there \x01\x7f\n";
	t->file_path = "a\033[1m.py";
	t = fx_test(&f, "s", "flaky\r\033[Kname", TALLY_PASSED, 7);
	fx_flaky(&f, "boom");
	fx_error(&f, "in\033[5m.xml", 3, 0, "bad\033[0m byte\n\afoo");
	fx_finish(&f);
	for (colour = 0; colour < 2; colour++) {
		memset(&o, 0, sizeof(o));
		o.color = colour;
		o.title = "title \033[41m";
		s = render(&f, &o);
		only_our_escapes(s);
		if (!colour)
			ck_assert_ptr_null(strchr(s, '\033'));
		ck_assert_ptr_null(strchr(s, '\a'));
		ck_assert_ptr_null(strchr(s, '\r'));
		ck_assert_ptr_null(strchr(s, '\x01'));
		ck_assert_ptr_null(strchr(s, '\x7f'));
		ck_assert_ptr_null(strstr(s, "\xc2\x9b"));
		ck_assert_ptr_null(strstr(s, "\xe2\x80\xae"));
		ck_assert_ptr_null(strchr(s, '\xff'));
		ck_assert_ptr_null(strstr(s, "\n::error"));
		/* A name's newline is shown, not obeyed. */
		at(s, "name\xe2\x90\xa4::error::injected");
		at(s, "bad red\xe2\x90\x8d\n");
		at(s, "<U+009B>1m \xef\xbf\xbd\xef\xbf\xbd end <U+202E>evil");
		at(s, "| line <script>\n");
		at(s, "| link\n");
		at(s, "| tab here \xe2\x90\x81\xe2\x90\xa1\n");
		at(s, "a.py");
		at(s, "in.xml:3: bad byte\xe2\x90\xa4\xe2\x90\x87" "foo\n");
		free(s);
	}
	fx_free(&f);
}
END_TEST

START_TEST(random_hostile_input_is_inert)
{
	struct tally_render_opts o;
	struct fx f;
	char *strs[400], *s;
	size_t k, len;
	unsigned seed;

	for (seed = 1; seed < 6; seed++) {
		fx_hostile(&f, strs, &k, seed);
		memset(&o, 0, sizeof(o));
		o.color = seed % 2;
		o.title = strs[7];
		o.group_by = strs[9];
		s = fx_render(&f, tally_render_text, &o, &len);
		only_our_escapes(s);
		if (!o.color)
			fx_clean_chars(s, len, 0);
		ck_assert_ptr_null(strstr(s, "\n::"));
		free(s);
		fx_hostile_free(&f, strs, k);
	}
}
END_TEST

START_TEST(verdict_lines)
{
	struct fx f;
	char *s;

	fx_init(&f, 4);
	fx_test(&f, "s", "a", TALLY_PASSED, 1);
	fx_finish(&f);
	s = render(&f, NULL);
	at(s, "1 test, 1 passed, 0 failed; pass rate 100%; time 1ms\n"
	    "DONE: no gates checked\n");
	free(s);
	fx_gate(&f, "failed", 0, "0 tests failed");
	fx_gate(&f, "min-pass-rate", 0, "100% >= 90%");
	s = render(&f, NULL);
	at(s, "PASS: gates passed: failed, min-pass-rate\n");
	free(s);
	f.gates[1].failed = 1;
	f.rep.verdict_failed = 1;
	s = render(&f, NULL);
	at(s, "FAIL: gate 'min-pass-rate' failed (100% >= 90%)\n");
	ck_assert_ptr_null(strstr(s, "gate 'failed'"));
	free(s);
	fx_free(&f);
}
END_TEST

START_TEST(empty_report)
{
	struct fx f;
	char *s;

	fx_init(&f, 1);
	fx_finish(&f);
	s = render(&f, NULL);
	ck_assert_str_eq(s, "0 tests, 0 passed, 0 failed; pass rate 100%; "
	    "time 0ms\nDONE: no gates checked\n");
	free(s);
	fx_free(&f);
}
END_TEST

START_TEST(top_and_group_by)
{
	struct fx f;
	struct tally_render_opts o;
	char *s;

	memset(&o, 0, sizeof(o));
	fx_init(&f, 8);
	fx_test(&f, "s", "a", TALLY_PASSED, 10);
	fx_label(&f, "os", "linux");
	fx_test(&f, "s", "b", TALLY_PASSED, 30);
	fx_label(&f, "os", "linux");
	fx_test(&f, "s", "c", TALLY_FAILED, 20);
	fx_label(&f, "os", "linux");
	fx_finish(&f);
	o.top = 2;
	s = render(&f, &o);
	at(s, "=== Slowest\n30ms  s \xe2\x80\xba b [os=linux]\n"
	    "20ms  s \xe2\x80\xba c [os=linux]\n\n");
	/* One suite and one os: no breakdown unless asked. */
	ck_assert_ptr_null(strstr(s, "By suite"));
	ck_assert_ptr_null(strstr(s, "By label"));
	free(s);
	o.group_by = "os";
	s = render(&f, &o);
	at(s, "=== By label os\n");
	at(s, "      2       1       0       0      60ms  66.7%  linux\n");
	free(s);
	fx_free(&f);
}
END_TEST

START_TEST(category_breakdown)
{
	struct fx f;
	struct tally_test *t;
	char *s;

	fx_init(&f, 4);
	t = fx_test(&f, "s", "a", TALLY_PASSED, 1000);
	t->category = "unit";
	t = fx_test(&f, "s", "b", TALLY_FAILED, 2000);
	t->category = "e2e";
	fx_test(&f, "s", "c", TALLY_PASSED, 1);
	fx_finish(&f);
	s = render(&f, NULL);
	/* Failing groups first, then by name; no category is "(none)". */
	at(s, "=== By category\n"
	    "  passed  failed skipped   flaky      time   rate  category\n"
	    "       0       1       0       0      2.0s     0%  e2e\n"
	    "       1       0       0       0       1ms   100%  (none)\n"
	    "       1       0       0       0      1.0s   100%  unit\n");
	free(s);
	fx_free(&f);
}
END_TEST

START_TEST(many_failures_are_capped)
{
	struct fx f;
	struct tally_test *t;
	char *s;
	size_t i;

	fx_init(&f, 150);
	for (i = 0; i < 150; i++) {
		t = fx_test(&f, "s", "t", TALLY_FAILED, 1);
		t->message = "m";
		t->trace = "tr1\ntr2\ntr3\ntr4\ntr5\ntr6\ntr7\ntr8\ntr9\ntr10\n"
		    "tr11\ntr12\n";
	}
	fx_finish(&f);
	s = render(&f, NULL);
	at(s, "=== Failures (150)\n");
	ck_assert_uint_eq(fx_count(s, "\nFAIL s"), 100);
	at(s, "\xe2\x80\xa6 50 more failed tests not listed\n");
	/* Traces only for the first ten, cut to ten lines each. */
	ck_assert_uint_eq(fx_count(s, "| tr1\n"), 10);
	ck_assert_uint_eq(fx_count(s, "| tr10\n"), 10);
	ck_assert_uint_eq(fx_count(s, "| tr11\n"), 0);
	ck_assert_uint_eq(fx_count(s, "| \xe2\x80\xa6 2 more lines\n"), 10);
	at(s, "150 tests, 0 passed, 150 failed; pass rate 0%");
	free(s);
	fx_free(&f);
}
END_TEST

START_TEST(write_error_is_reported)
{
	fx_write_error(tally_render_text);
}
END_TEST

Suite *suite_render_text(void);

Suite *
suite_render_text(void)
{
	Suite *s = suite_create("render_text");
	TCase *tc = tcase_create("render_text");

	tcase_add_test(tc, sample_counts_failures_flaky_slowest);
	tcase_add_test(tc, colour_only_when_asked);
	tcase_add_test(tc, hostile_text_is_escaped);
	tcase_add_test(tc, random_hostile_input_is_inert);
	tcase_add_test(tc, verdict_lines);
	tcase_add_test(tc, empty_report);
	tcase_add_test(tc, top_and_group_by);
	tcase_add_test(tc, category_breakdown);
	tcase_add_test(tc, many_failures_are_capped);
	tcase_add_test(tc, write_error_is_reported);
	suite_add_tcase(s, tc);
	return s;
}
