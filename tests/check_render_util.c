/*
 * tests/check_render_util.c: the renderers' shared helpers, and the
 * escapers added for them (tally_esc_html_line, tally_esc_term_line,
 * tally_esc_url).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include <tally/rules.h>

#include "escape.h"
#include "internal.h"
#include "report_fixture.h"
#include "render_util.h"

START_TEST(durations)
{
	static const struct {
		double	 ms;
		const char *want;
	} c[] = {
		{ -1, "-" }, { 0, "0ms" }, { 0.4, "<1ms" }, { 450, "450ms" },
		{ 999.4, "999ms" }, { 999.6, "1.0s" }, { 2345, "2.3s" },
		{ 59940, "59.9s" }, { 59960, "1m 0.0s" }, { 62300, "1m 2.3s" },
		{ 3599960, "1h 0m 0s" }, { 7503000, "2h 5m 3s" },
	};
	char buf[TALLY_FMTBUF];
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		ck_assert_str_eq(tally_fmt_duration(buf, c[i].ms), c[i].want);
	ck_assert_str_eq(tally_fmt_duration(buf, NAN), "-");
	ck_assert_str_eq(tally_fmt_duration(buf, INFINITY), "-");
	ck_assert_str_eq(tally_fmt_duration(buf, 1e300), "2.78e+293h");
}
END_TEST

START_TEST(counts_and_rates)
{
	char buf[TALLY_FMTBUF];
	size_t st[TALLY_NSTATUS] = { 3, 2, 1, 0, 0 };
	size_t skipped[TALLY_NSTATUS] = { 0, 0, 4, 1, 0 };

	ck_assert_str_eq(tally_fmt_count(buf, 0), "0");
	ck_assert_str_eq(tally_fmt_count(buf, 999), "999");
	ck_assert_str_eq(tally_fmt_count(buf, 1000), "1,000");
	ck_assert_str_eq(tally_fmt_count(buf, 1234567), "1,234,567");
	ck_assert_str_eq(tally_fmt_rate(buf, 100), "100%");
	ck_assert_str_eq(tally_fmt_rate(buf, 99.96), "99.9%");
	ck_assert_str_eq(tally_fmt_rate(buf, 66.666), "66.7%");
	ck_assert_str_eq(tally_fmt_rate(buf, 0.01), "<0.1%");
	ck_assert_str_eq(tally_fmt_rate(buf, 0), "0%");
	ck_assert_str_eq(tally_fmt_rate(buf, NAN), "0%");
	ck_assert(fabs(tally_pass_rate(st) - 60) < 1e-9);
	ck_assert(tally_pass_rate(skipped) == 100);
}
END_TEST

START_TEST(first_lines)
{
	size_t more;

	ck_assert_uint_eq(tally_first_lines("a\nb\nc\n", 2, 100, &more), 4);
	ck_assert_uint_eq(more, 1);
	ck_assert_uint_eq(tally_first_lines("a\nb\nc", 5, 100, &more), 5);
	ck_assert_uint_eq(more, 0);
	ck_assert_uint_eq(tally_first_lines("a\nb\nc\n", 0, 100, &more), 0);
	ck_assert_uint_eq(more, 3);
	/* A byte limit stops at a line end, or inside the first line at a
	 * character boundary. */
	ck_assert_uint_eq(tally_first_lines("ab\ncd\n", 9, 4, &more), 3);
	ck_assert_uint_eq(more, 1);
	ck_assert_uint_eq(tally_first_lines("\xc3\xa9\xc3\xa9\xc3\xa9", 9, 3,
	    &more), 2);
	ck_assert_uint_eq(more, 1);
	ck_assert_uint_eq(tally_first_lines(NULL, 9, 3, &more), 0);
	ck_assert_uint_eq(more, 0);
	ck_assert_uint_eq(tally_longest_run("a`b``c```", TALLY_NTS, '`'), 3);
	ck_assert_uint_eq(tally_longest_run("abc", TALLY_NTS, '`'), 0);
}
END_TEST

START_TEST(titles)
{
	struct tally_record rec;
	struct tally_buf b;
	const char *suite[] = { "outer", "inner" };

	tally_record_init(&rec, TALLY_REC_TEST);
	tally_buf_init(&b);
	ck_assert_int_eq(tally_test_title(&b, &rec), TALLY_OK);
	ck_assert_str_eq(b.data, "(unnamed)");
	rec.u.test.suite = suite;
	rec.u.test.nsuite = 2;
	rec.u.test.name = "t";
	rec.u.test.classname = "inner";
	tally_buf_reset(&b);
	ck_assert_int_eq(tally_test_title(&b, &rec), TALLY_OK);
	ck_assert_str_eq(b.data, "outer \xe2\x80\xba inner \xe2\x80\xba t");
	rec.u.test.classname = "pkg.C";
	tally_buf_reset(&b);
	ck_assert_int_eq(tally_test_title(&b, &rec), TALLY_OK);
	ck_assert_str_eq(b.data, "outer \xe2\x80\xba inner \xe2\x80\xba "
	    "pkg.C \xe2\x80\xba t");
	tally_buf_free(&b);
}
END_TEST

START_TEST(picks)
{
	struct fx f;
	struct tally_picks p;

	fx_init(&f, 8);
	fx_test(&f, "s", "a", TALLY_PASSED, 5);
	fx_test(&f, "s", "b", TALLY_FAILED, 9);
	fx_test(&f, "s", "c", TALLY_PASSED, -1);
	fx_test(&f, "s", "d", TALLY_FAILED, 5);
	fx_test(&f, "s", "e", TALLY_PASSED, 0);
	fx_flaky(&f, "x");
	fx_finish(&f);
	ck_assert_int_eq(tally_pick_slowest(&f.rep, 10, &p), TALLY_OK);
	ck_assert_uint_eq(p.n, 3);
	ck_assert_str_eq(p.v[0]->u.test.name, "b");
	ck_assert_str_eq(p.v[1]->u.test.name, "a");	/* tie: report order */
	ck_assert_str_eq(p.v[2]->u.test.name, "d");
	tally_picks_free(&p);
	ck_assert_int_eq(tally_pick_slowest(&f.rep, 2, &p), TALLY_OK);
	ck_assert_uint_eq(p.n, 2);
	ck_assert_uint_eq(p.total, 3);
	ck_assert_str_eq(p.v[1]->u.test.name, "a");	/* not d: a tie */
	tally_picks_free(&p);
	ck_assert_int_eq(tally_pick_slowest(&f.rep, 1, &p), TALLY_OK);
	ck_assert_uint_eq(p.n, 1);
	ck_assert_str_eq(p.v[0]->u.test.name, "b");
	tally_picks_free(&p);
	ck_assert_int_eq(tally_pick_failed(&f.rep, 10, &p), TALLY_OK);
	ck_assert_uint_eq(p.n, 2);
	ck_assert_uint_eq(p.total, 2);
	ck_assert_str_eq(p.v[1]->u.test.name, "d");
	tally_picks_free(&p);
	/* A cap keeps the first ones and still counts them all. */
	ck_assert_int_eq(tally_pick_failed(&f.rep, 1, &p), TALLY_OK);
	ck_assert_uint_eq(p.n, 1);
	ck_assert_uint_eq(p.total, 2);
	ck_assert_str_eq(p.v[0]->u.test.name, "b");
	tally_picks_free(&p);
	ck_assert_int_eq(tally_pick_flaky(&f.rep, 10, &p), TALLY_OK);
	ck_assert_uint_eq(p.n, 1);
	ck_assert_str_eq(p.v[0]->u.test.name, "e");
	tally_picks_free(&p);
	fx_free(&f);
}
END_TEST

START_TEST(groups)
{
	struct fx f;
	struct tally_groups g;
	struct tally_test *t;
	const char **keys;
	const char *const py[] = { "python", "os" };
	size_t n;

	fx_init(&f, 8);
	t = fx_test(&f, "b", "1", TALLY_PASSED, 10);
	fx_label(&f, "python", "3.11");
	fx_label(&f, "os", "linux");
	t->category = "unit";
	fx_test(&f, "a", "2", TALLY_FAILED, 20);
	fx_label(&f, "python", "3.10");
	fx_label(&f, "os", "linux");
	fx_test(&f, "b", "3", TALLY_FAILED, -1);
	fx_label(&f, "python", "3.11");
	fx_label(&f, "os", "linux");
	fx_test(&f, NULL, "4", TALLY_SKIPPED, 1);
	fx_label(&f, "os", "linux");
	fx_finish(&f);

	ck_assert_int_eq(tally_groups_build(&g, &f.rep, TALLY_GROUP_SUITE, NULL,
	    0), TALLY_OK);
	ck_assert_uint_eq(g.n, 3);
	ck_assert_uint_eq(g.v[0].nkey, 0);		/* no suite sorts first */
	ck_assert_str_eq(g.v[1].key[0], "a");
	ck_assert_str_eq(g.v[2].key[0], "b");
	ck_assert_uint_eq(g.v[2].tests, 2);
	ck_assert_uint_eq(g.v[2].status[TALLY_FAILED], 1);
	ck_assert(g.v[2].duration == 10);
	tally_groups_sort_failing(&g);
	ck_assert_str_eq(g.v[0].key[0], "a");
	ck_assert_str_eq(g.v[1].key[0], "b");
	tally_groups_free(&g);

	ck_assert_int_eq(tally_groups_build(&g, &f.rep, TALLY_GROUP_CATEGORY,
	    NULL, 0), TALLY_OK);
	ck_assert_uint_eq(g.n, 2);
	ck_assert_ptr_null(g.v[0].key[0]);
	ck_assert_uint_eq(g.v[0].tests, 3);
	ck_assert_str_eq(g.v[1].key[0], "unit");
	tally_groups_free(&g);

	ck_assert_int_eq(tally_groups_build(&g, &f.rep, TALLY_GROUP_LABELS, py,
	    2), TALLY_OK);
	ck_assert_uint_eq(g.n, 3);
	ck_assert_ptr_null(g.v[0].key[0]);
	ck_assert_str_eq(g.v[0].key[1], "linux");
	ck_assert_str_eq(g.v[1].key[0], "3.10");
	ck_assert_str_eq(g.v[2].key[0], "3.11");
	ck_assert_uint_eq(g.v[2].tests, 2);
	tally_groups_free(&g);

	/* os is the same everywhere; python is missing from one test. */
	ck_assert_int_eq(tally_varying_labels(&f.rep, &keys, &n), TALLY_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(keys[0], "python");
	free(keys);
	fx_free(&f);
}
END_TEST

static char *
esc(tally_esc_fn fn, const char *s)
{
	struct tally_buf b;

	tally_buf_init(&b);
	ck_assert_int_eq(fn(&b, s, TALLY_NTS), TALLY_OK);
	return tally_buf_detach(&b);
}

START_TEST(new_escapers)
{
	char *s;

	s = esc(tally_esc_html_line, "a<b>&\"'\n\n# [x](y) *_`~!|\\@: \xff");
	ck_assert_str_eq(s, "a&lt;b&gt;&amp;&quot;&#39;  &#35; &#91;x&#93;"
	    "&#40;y&#41; &#42;&#95;&#96;&#126;&#33;&#124;&#92;&#64;&#58; "
	    "\xef\xbf\xbd");
	free(s);
	s = esc(tally_esc_term_line, "a\nb\tc\033[1m\r\xc2\x9b");
	ck_assert_str_eq(s, "a\xe2\x90\xa4" "b c\xe2\x90\x9b[1m\xe2\x90\x8d"
	    "<U+009B>");
	free(s);
	/* Bidi and C1 controls, in every target these renderers use. */
	s = esc(tally_esc_md, "a\xe2\x80\xae" "b\xc2\x9b");
	ck_assert_str_eq(s, "a&lt;U+202E&gt;b\xef\xbf\xbd");
	free(s);
	s = esc(tally_esc_html_line, "\xe2\x81\xa6");
	ck_assert_str_eq(s, "&lt;U+2066&gt;");
	free(s);
	s = esc(tally_esc_gh_data, "a\xe2\x80\xae" "b\xc2\x9b%\r\n\x01");
	ck_assert_str_eq(s, "a<U+202E>b\xef\xbf\xbd%25%0D%0A\xe2\x90\x81");
	free(s);
	s = esc(tally_esc_gh_prop, "a:b,c\xe2\x81\xa9");
	ck_assert_str_eq(s, "a%3Ab%2Cc<U+2069>");
	free(s);
	s = esc(tally_esc_url, "https://h/p?q=a b&c=(x)<y>\"'`|^{}[]\\%41\xc3\xa9\n");
	ck_assert_str_eq(s, "https://h/p?q=a%20b&c=%28x%29%3Cy%3E%22%27%60%7C%5E"
	    "%7B%7D%5B%5D%5C%41%C3%A9%0A");
	free(s);
}
END_TEST

START_TEST(counting_output_stops_at_limit)
{
	struct tally_out o;
	struct tally_error err;

	tally_out_init(&o, NULL, 10);
	tally_out_puts(&o, "12345");
	ck_assert(!tally_out_stop(&o));
	tally_out_printf(&o, "%s", "67890");
	ck_assert(!tally_out_stop(&o));
	tally_out_esc(&o, tally_esc_md, "*", TALLY_NTS);
	ck_assert(tally_out_stop(&o));
	ck_assert_uint_eq(o.n, 12);
	ck_assert_int_eq(tally_out_status(&o, &err), TALLY_OK);
	tally_out_fini(&o);
}
END_TEST

START_TEST(error_signatures)
{
	static const struct {
		const char *type, *message, *trace, *want;
	} c[] = {
		{ "AssertionError", "assert 143 == 0", NULL,
		    "AssertionError: assert <n> == <n>" },
		{ "ValueError", "ValueError: user 42 not found\nmore", NULL,
		    "ValueError: user <n> not found" },
		{ NULL, "object at 0x7f3a2c1d0e80 and deadbeef12 took 1,234.5s",
		    NULL, "object at <hex> and <hex> took <n>s" },
		{ "KeyError", "'6f1c2b1e-3f4a-4c5d-9e8f-0a1b2c3d4e5f'", NULL,
		    "KeyError: '<uuid>'" },
		{ "FileNotFoundError", "[Errno 2] No such file:  "
		    "'/tmp/pytest-7/x.txt'", NULL,
		    "FileNotFoundError: [Errno <n>] No such file: '<path>'" },
		{ NULL, NULL, "\n  panic: runtime error\n  goroutine 7",
		    "panic: runtime error" },
		{ NULL, NULL, NULL, "(no message)" },
		/* pytest xunit1: the message is the code, then E lines. */
		{ NULL, "self = <test_spark.SparkTests testMethod=t>      def "
		    "t(self): >       self.do(3)  test_spark.py:821:  _ _ _ "
		    "E   AssertionError: 143 != 0", NULL,
		    "AssertionError: <n> != <n>" },
		{ "E", NULL, NULL, "E" },
	};
	struct tally_buf b;
	size_t i;

	tally_buf_init(&b);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		tally_buf_reset(&b);
		ck_assert_int_eq(tally_error_signature(&b, c[i].type,
		    c[i].message, c[i].trace), TALLY_OK);
		ck_assert_str_eq(b.data, c[i].want);
	}
	tally_buf_free(&b);
}
END_TEST

/* Traces as real runners write them (tests/data: provenance there). */
START_TEST(failure_locations)
{
	static const struct {
		const char *classname, *file, *trace, *strip, *prefix;
		long line;
		const char *want;
		long wline;
	} c[] = {
		/* xmlrunner: Python traceback, absolute path. */
		{ "TestAcme", NULL, "Traceback (most recent call last):\n"
		    "  File \"/Users/foo/Projects/python-test/tests/test_lib.py"
		    "\", line 24, in test_always_fail\n    self.fail(\"failed\")"
		    "\nAssertionError: failed\n", "/Users/foo/Projects/"
		    "python-test/", NULL, 0, "tests/test_lib.py", 24 },
		/* The same without --path-strip: not the repository's. */
		{ "TestAcme", NULL, "  File \"/Users/foo/p/tests/test_lib.py\""
		    ", line 24, in t\n", NULL, NULL, 0, "", 0 },
		/* Surefire: frames of JUnit skipped, the package's path. */
		{ "org.apache.maven.surefire.test.FailingTest", NULL,
		    "java.lang.AssertionError: \n\tat org.junit.Assert."
		    "assertThat(Assert.java:778)\n\tat org.apache.maven.surefire"
		    ".test.FailingTest.defaultTestValueIs_Value(FailingTest.java"
		    ":23)\n\tat sun.reflect.NativeMethodAccessorImpl.invoke0("
		    "Native Method)\n", NULL, "src/test/java/", 0,
		    "src/test/java/org/apache/maven/surefire/test/"
		    "FailingTest.java", 23 },
		/* gotestsum: a file relative to its package. */
		{ "gotest.tools/gotestsum/testjson/internal/parallelfails", NULL,
		    "=== RUN   TestNestedParallelFailures/a\n    fails_test.go:50"
		    ": failed sub a\n", "gotest.tools/gotestsum/", NULL, 0,
		    "testjson/internal/parallelfails/fails_test.go", 50 },
		/* Jest on Windows: node_modules skipped. */
		{ "Test 1", NULL, "Error: x\n    at Object.<anonymous> (C:\\w\\"
		    "node_modules\\expect\\build\\index.js:1:2)\n    at Object."
		    "<anonymous> (C:\\w\\__tests__\\main.test.js:10:21)\n",
		    "C:\\w\\", NULL, 0, "__tests__/main.test.js", 10 },
		/* cargo-nextest: a Rust panic. */
		{ "fixture-project::basic", NULL, "thread 'test_failure_assert' "
		    "panicked at tests/basic.rs:19:5:\nassertion failed\n", NULL,
		    NULL, 0, "tests/basic.rs", 19 },
		/* pytest xunit1: the file attribute wins; the line as given. */
		{ "test.test_spark.SparkTests", "test/test_spark.py",
		    "test_spark.py:821: \n", NULL, NULL, 820,
		    "test/test_spark.py", 820 },
		/* pytest xunit2: the classname's module, a frame's line. */
		{ "tests.test_lib", NULL, "def test_always_fail():\n> assert "
		    "False\nE assert False\n\ntests/test_lib.py:25: "
		    "AssertionError\n", NULL, NULL, 0, "tests/test_lib.py", 25 },
		{ "tests.test_cart.TestRefund", NULL, NULL, NULL, NULL, 0,
		    "tests/test_cart.py", 0 },
	};
	struct tally_render_opts o;
	struct tally_record rec;
	struct tally_buf b;
	size_t i;
	long line;

	tally_buf_init(&b);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		tally_record_init(&rec, TALLY_REC_TEST);
		rec.u.test.name = "t";
		rec.u.test.classname = c[i].classname;
		rec.u.test.file_path = c[i].file;
		rec.u.test.line = c[i].line;
		rec.u.test.trace = c[i].trace;
		memset(&o, 0, sizeof(o));
		o.path_strip = c[i].strip;
		o.path_prefix = c[i].prefix;
		ck_assert_int_eq(tally_test_where(&b, &line, &rec, &o),
		    TALLY_OK);
		ck_assert_msg(strcmp(b.len > 0 ? b.data : "", c[i].want) == 0,
		    "case %zu: '%s', wanted '%s'", i, b.len > 0 ? b.data : "",
		    c[i].want);
		ck_assert_int_eq(line, c[i].wline);
	}
	tally_buf_free(&b);
}
END_TEST

START_TEST(triage_groups)
{
	struct tally_triage tr;
	struct tally_test *t;
	struct fx f;
	char msg[12][32];
	size_t i;

	fx_init(&f, 20);
	for (i = 0; i < 12; i++) {
		t = fx_test(&f, "s", "t", TALLY_FAILED, 1);
		snprintf(msg[i], sizeof(msg[i]), "timeout after %zu ms", i * 7);
		t->type = i < 9 ? "TimeoutError" : "KeyError";
		t->message = msg[i];
	}
	fx_test(&f, "s", "ok", TALLY_PASSED, 1);
	/* A diff's removed test is BASE's failure, not this run's. */
	t = fx_test(&f, "s", "gone", TALLY_FAILED, 1);
	t->change = "removed";
	t->message = "gone";
	fx_finish(&f);
	ck_assert_int_eq(tally_triage_build(&tr, &f.rep, NULL, 1000, 3, NULL),
	    TALLY_OK);
	ck_assert_uint_eq(tr.failures, 12);
	ck_assert_uint_eq(tr.n, 2);
	ck_assert_str_eq(tr.v[0].signature,
	    "TimeoutError: timeout after <n> ms");
	ck_assert_uint_eq(tr.v[0].count, 9);
	ck_assert_uint_eq(tr.v[0].ntests, 3);	/* the cap */
	ck_assert_str_eq(tr.v[0].message, "timeout after 0 ms");
	ck_assert_uint_eq(tr.v[1].count, 3);
	tally_triage_free(&tr);
	/* One group at most: the other cause is counted, not kept. */
	ck_assert_int_eq(tally_triage_build(&tr, &f.rep, NULL, 1, 3, NULL),
	    TALLY_OK);
	ck_assert_uint_eq(tr.n, 1);
	ck_assert_uint_eq(tr.ungrouped, 3);
	tally_triage_free(&tr);
	fx_free(&f);
}
END_TEST

/* Named triage categories from the rules, the rest by signature. */
START_TEST(triage_categories)
{
	static const char text[] = "triage:\n"
	    "  - {name: 'TimeoutError: timeout after <n> ms', "
	    "message: 'after 0 ms'}\n"
	    "  - {name: Timeouts, message: 'timeout after (1|2)\\d'}\n"
	    "  - {name: Key errors, type: '^KeyError$'}\n";
	struct tally_render_opts o;
	struct tally_rules *r;
	struct tally_triage tr;
	struct tally_error err;
	static const char bad[] = "triage: [{name: T, type: '^(\\w+)+$'}]\n";
	struct tally_test *t[12];
	struct fx f;
	char msg[12][32];
	size_t i;

	tally_error_init(&err, "r.yml");
	ck_assert_int_eq(tally_rules_parse(&r, "r.yml", text,
	    strlen(text), &err), TALLY_OK);
	fx_init(&f, 20);
	for (i = 0; i < 12; i++) {
		t[i] = fx_test(&f, "s", "t", TALLY_FAILED, 1);
		snprintf(msg[i], sizeof(msg[i]), "timeout after %zu ms", i * 7);
		t[i]->type = i < 9 ? "TimeoutError" : "KeyError";
		t[i]->message = msg[i];
	}
	fx_finish(&f);
	memset(&o, 0, sizeof(o));
	o.rules = r;
	/* 14, 21, 28 ms are Timeouts; 7, 35 ... 56 ms stay a signature,
	 * apart from the category of the same name that takes 0 ms; the
	 * KeyErrors are a category also past the cap of one group. */
	ck_assert_int_eq(tally_triage_build(&tr, &f.rep, &o, 1, 3, &err),
	    TALLY_OK);
	ck_assert_uint_eq(tr.failures, 12);
	ck_assert_uint_eq(tr.n, 4);
	ck_assert_ptr_null(tr.v[0].name);
	ck_assert_str_eq(tr.v[0].signature,
	    "TimeoutError: timeout after <n> ms");
	ck_assert_uint_eq(tr.v[0].count, 5);
	ck_assert_str_eq(tr.v[3].name, "TimeoutError: timeout after <n> ms");
	ck_assert_uint_eq(tr.v[3].count, 1);
	ck_assert_str_eq(tr.v[1].name, "Timeouts");
	ck_assert_uint_eq(tr.v[1].count, 3);
	ck_assert_str_eq(tr.v[1].message, "timeout after 14 ms");
	ck_assert_str_eq(tr.v[2].name, "Key errors");
	ck_assert_uint_eq(tr.v[2].count, 3);
	ck_assert_uint_eq(tr.ungrouped, 0);
	tally_triage_free(&tr);
	tally_rules_free(r);

	/* A pattern past PCRE2's match limit fails, named in err. */
	ck_assert_int_eq(tally_rules_parse(&r, "r.yml", bad, strlen(bad),
	    &err), TALLY_OK);
	o.rules = r;
	for (i = 0; i < 12; i++)
		t[i]->type = "TimeoutErrorTimeoutErrorTimeoutError!";
	ck_assert_int_eq(tally_triage_build(&tr, &f.rep, &o, 10, 3, &err),
	    TALLY_ELIMIT);
	ck_assert_msg(strstr(err.message, "rules line 1") != NULL, "%s",
	    err.message);
	tally_rules_free(r);
	fx_free(&f);
}
END_TEST

Suite *suite_render_util(void);

Suite *
suite_render_util(void)
{
	Suite *s = suite_create("render_util");
	TCase *tc = tcase_create("render_util");

	tcase_add_test(tc, durations);
	tcase_add_test(tc, counts_and_rates);
	tcase_add_test(tc, first_lines);
	tcase_add_test(tc, titles);
	tcase_add_test(tc, picks);
	tcase_add_test(tc, groups);
	tcase_add_test(tc, new_escapers);
	tcase_add_test(tc, counting_output_stops_at_limit);
	tcase_add_test(tc, error_signatures);
	tcase_add_test(tc, failure_locations);
	tcase_add_test(tc, triage_groups);
	tcase_add_test(tc, triage_categories);
	suite_add_tcase(s, tc);
	return s;
}
