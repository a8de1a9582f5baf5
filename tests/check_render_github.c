/* tests/check_render_github.c: GitHub Actions workflow commands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "internal.h"
#include "report_fixture.h"

/*
 * Every line is one workflow command whose properties cannot be split:
 * "::error file=..,line=..,title=..::data", with no ':' or ',' inside a
 * property value and no CR anywhere.  Returns the number of lines.
 */
static size_t
commands(const char *s)
{
	const char *line = s, *nl, *props, *end, *p;
	size_t n = 0;

	ck_assert_ptr_null(strchr(s, '\r'));
	ck_assert_ptr_null(strchr(s, '\033'));
	while (*line != '\0') {
		nl = strchr(line, '\n');
		ck_assert_ptr_nonnull(nl);
		ck_assert_msg(strncmp(line, "::error ", 8) == 0 ||
		    strncmp(line, "::warning ", 10) == 0 ||
		    strncmp(line, "::notice ", 9) == 0, "line '%.*s'",
		    (int)(nl - line), line);
		props = strchr(line, ' ') + 1;
		end = strstr(props, "::");
		ck_assert(end != NULL && end < nl);
		/* name=value pairs separated by commas, values clean. */
		for (p = props; p < end; p++) {
			const char *eq = memchr(p, '=', (size_t)(end - p));
			const char *comma;

			ck_assert_ptr_nonnull(eq);
			ck_assert(strncmp(p, "file=", 5) == 0 ||
			    strncmp(p, "line=", 5) == 0 ||
			    strncmp(p, "col=", 4) == 0 ||
			    strncmp(p, "title=", 6) == 0);
			comma = memchr(eq, ',', (size_t)(end - eq));
			p = comma != NULL ? comma : end;
			ck_assert(memchr(eq, ':', (size_t)(p - eq)) == NULL);
		}
		n++;
		line = nl + 1;
	}
	return n;
}

START_TEST(sample_annotations)
{
	struct fx f;
	char *s;

	fx_sample(&f);
	s = fx_render(&f, tally_render_github, NULL, NULL);
	ck_assert_uint_eq(commands(s), 5);
	ck_assert_uint_eq(at(s, "::error file=results/broken.xml,line=12,col=3,"
	    "title=Unreadable test results::unexpected end of file\n"), 0);
	at(s, "::error file=tests/test_math.py,line=9,title=tests/test_math.py "
	    "\xe2\x80\xba test_div [python=3.10]::ZeroDivisionError: division by zero%0A%0A"
	    "Traceback (most recent call last):%0A  File \"tests/test_math.py\""
	    ", line 9, in test_div%0A    1 / 0%0AZeroDivisionError: division "
	    "by zero\n");
	at(s, "::error title=tests/test_io.py \xe2\x80\xba test_read [python=3.11]::"
	    "AssertionError: assert b'' == b'x'\n");
	at(s, "::warning title=Flaky%3A tests/test_io.py \xe2\x80\xba test_net [python=3.11]::"
	    "Flaky: passed after 1 retry; it failed with: ConnectionResetError:"
	    " peer reset\n");
	/* The notice comes last, states every count, then the run. */
	ck_assert_str_eq(s + at(s, "::notice"), "::notice title=Test results::"
	    "6 tests: 3 passed, 2 failed, 1 skipped, 1 flaky, 1 input error; "
	    "pass rate 60.0%25; time 1m 9.8s. Failed gates: failed (2 tests "
	    "failed).%0Acommit: 0123abcd%0Abranch: main%0Arun_url: "
	    "https://github.com/o/r/actions/runs/1\n");
	free(s);
	fx_free(&f);
}
END_TEST

START_TEST(hostile_names_stay_in_their_command)
{
	struct fx f;
	struct tally_test *t;
	char *s;

	fx_init(&f, 4);
	t = fx_test(&f, "a,b:c", "n\n::error::injected%0A\033[31m", TALLY_FAILED,
	    1);
	t->message = "line1\r\n::error file=x::y 100% \033]0;t\a\x01 \xff";
	t->file_path = "./x,y:z.py\n::warning::w";
	t->line = 7;
	fx_error(&f, "in,1:2.xml\r\n::notice::n", 0, 0, "msg\n::error::e");
	fx_finish(&f);
	s = fx_render(&f, tally_render_github, NULL, NULL);
	ck_assert_uint_eq(commands(s), 3);
	at(s, "::error file=in%2C1%3A2.xml%0D%0A%3A%3Anotice%3A%3An,"
	    "title=Unreadable test results::msg%0A::error::e\n");
	at(s, "::error file=x%2Cy%3Az.py%0A%3A%3Awarning%3A%3Aw,line=7,"
	    "title=a%2Cb%3Ac \xe2\x80\xba n%0A%3A%3Aerror%3A%3Ainjected%250A::"
	    "line1%0D%0A::error file=x::y 100%25 \xe2\x90\x81 \xef\xbf\xbd\n");
	free(s);
	fx_free(&f);
}
END_TEST

START_TEST(random_hostile_input_stays_in_commands)
{
	struct tally_render_opts o;
	struct fx f;
	char *strs[400], *s;
	size_t k, len;
	unsigned seed;

	for (seed = 1; seed < 6; seed++) {
		fx_hostile(&f, strs, &k, seed);
		memset(&o, 0, sizeof(o));
		o.max_annotations = 1000;
		o.title = strs[7];
		s = fx_render(&f, tally_render_github, &o, &len);
		fx_clean_chars(s, len, 1);
		/* One error per input error and failure, one warning per
		 * flaky test, one notice. */
		ck_assert_uint_eq(commands(s), f.rep.nerrors +
		    f.rep.totals.status[TALLY_FAILED] + f.rep.totals.flaky + 1);
		free(s);
		fx_hostile_free(&f, strs, k);
	}
}
END_TEST

START_TEST(cap_keeps_the_counts)
{
	static const char *const types[] = {
		"KeyError", "OSError", "TimeoutError"
	};
	struct tally_render_opts o;
	struct fx f;
	struct tally_test *t;
	char *s, msg[100][32];
	size_t i;

	fx_init(&f, 120);
	for (i = 0; i < 100; i++) {
		t = fx_test(&f, "s", "failing", TALLY_FAILED, 1);
		snprintf(msg[i], sizeof(msg[i]), "boom %zu", i);
		t->message = msg[i];
		/* Three other causes, late in the report. */
		if (i == 50 || i == 70 || i == 90)
			t->type = types[(i - 50) / 20];
	}
	for (i = 0; i < 5; i++) {
		fx_test(&f, "s", "flaky", TALLY_PASSED, 1);
		fx_flaky(&f, "once");
	}
	fx_error(&f, "a.xml", 1, 1, "bad");
	fx_error(&f, "b.xml", 2, 1, "bad");
	fx_gate(&f, "failed", 1, "100 tests failed");
	fx_finish(&f);
	/* Default: 10 errors and 10 warnings a step, then the notice. */
	s = fx_render(&f, tally_render_github, NULL, NULL);
	ck_assert_uint_eq(commands(s), 2 + 8 + 5 + 1);
	ck_assert_uint_eq(fx_count(s, "::error file=a.xml"), 1);
	ck_assert_uint_eq(fx_count(s, "::error title=s"), 8);
	ck_assert_uint_eq(fx_count(s, "::warning"), 5);
	/* One per error signature first, then the rest in report order. */
	ck_assert_uint_lt(at(s, "::boom 0\n"), at(s, "::KeyError: boom 50\n"));
	ck_assert_uint_lt(at(s, "::KeyError: boom 50\n"),
	    at(s, "::OSError: boom 70\n"));
	ck_assert_uint_lt(at(s, "::OSError: boom 70\n"),
	    at(s, "::TimeoutError: boom 90\n"));
	ck_assert_uint_lt(at(s, "::TimeoutError: boom 90\n"),
	    at(s, "::boom 1\n"));
	at(s, "::boom 4\n");
	absent(s, "::boom 5\n");
	at(s, "::notice title=Test results::105 tests: 5 passed, 100 failed, "
	    "0 skipped, 5 flaky, 2 input errors; pass rate 4.8%25; time 105ms. "
	    "Annotated 15 of 107 (2 input errors, 8 failures, 5 flaky; new "
	    "failures first, then one per error signature); 92 not annotated "
	    "(GitHub shows 10 of each kind): every one is in the job summary "
	    "and the full report. Failed gates: failed (100 tests failed).\n");
	free(s);
	memset(&o, 0, sizeof(o));
	o.max_annotations = 1;
	o.title = "unit, py3.11";
	s = fx_render(&f, tally_render_github, &o, NULL);
	ck_assert_uint_eq(commands(s), 3);
	at(s, "\n::notice title=unit%2C py3.11::105 tests: ");
	at(s, "Annotated 2 of 107 (1 input error, 0 failures, 1 flaky; ");
	free(s);
	o.max_annotations = 500;
	s = fx_render(&f, tally_render_github, &o, NULL);
	ck_assert_uint_eq(commands(s), 108);
	ck_assert_uint_eq(fx_count(s, "::warning title=Flaky%3A s \xe2\x80\xba "
	    "flaky::Flaky: passed after 1 retry; it failed with: once\n"), 5);
	ck_assert_ptr_null(strstr(s, "Annotated"));
	free(s);
	fx_free(&f);
}
END_TEST

START_TEST(long_message_is_cut)
{
	struct fx f;
	struct tally_test *t;
	struct tally_buf b;
	char *s;
	size_t i;

	tally_buf_init(&b);
	for (i = 0; i < 3000; i++)
		ck_assert_int_eq(tally_buf_adds(&b, "\xc3\xa9"), TALLY_OK);
	fx_init(&f, 2);
	t = fx_test(&f, NULL, "t", TALLY_FAILED, -1);
	t->message = b.data;
	fx_finish(&f);
	s = fx_render(&f, tally_render_github, NULL, NULL);
	ck_assert_uint_eq(commands(s), 2);
	/* 4096 bytes at most, cut between characters. */
	ck_assert_uint_eq(strchr(s, '\n') - s, strlen("::error title=t::") +
	    4096);
	at(s, "\xc3\xa9\n::notice");
	free(s);
	tally_buf_free(&b);
	fx_free(&f);
}
END_TEST

START_TEST(write_error_is_reported)
{
	fx_write_error(tally_render_github);
}
END_TEST

Suite *suite_render_github(void);

Suite *
suite_render_github(void)
{
	Suite *s = suite_create("render_github");
	TCase *tc = tcase_create("render_github");

	tcase_add_test(tc, sample_annotations);
	tcase_add_test(tc, hostile_names_stay_in_their_command);
	tcase_add_test(tc, random_hostile_input_stays_in_commands);
	tcase_add_test(tc, cap_keeps_the_counts);
	tcase_add_test(tc, long_message_is_cut);
	tcase_add_test(tc, write_error_is_reported);
	suite_add_tcase(s, tc);
	return s;
}
