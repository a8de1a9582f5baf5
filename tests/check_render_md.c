/* tests/check_render_md.c: the Markdown job summary and its byte budget. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "escape.h"
#include "internal.h"
#include "report_fixture.h"
#include "render_util.h"

/* Unescaped pipes in a table line. */
static size_t
pipes(const char *line, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (line[i] == '\\') {
			i++;
			continue;
		}
		if (line[i] == '|')
			n++;
	}
	return n;
}

/* A line "<details><summary>TEXT</summary>" with no '<' in TEXT. */
static int
summary(const char *line, size_t ll)
{
	static const char open[] = "<details><summary>", close[] = "</summary>";
	size_t i;

	if (ll < sizeof(open) - 1 + sizeof(close) - 1 ||
	    strncmp(line, open, sizeof(open) - 1) != 0 ||
	    strncmp(line + ll - (sizeof(close) - 1), close,
	    sizeof(close) - 1) != 0)
		return 0;
	for (i = sizeof(open) - 1; i < ll - (sizeof(close) - 1); i++)
		if (line[i] == '<')
			return 0;
	return 1;
}

/*
 * Check the structure of GitHub Markdown: every code fence closes,
 * <details> open and close in balance outside fences, the rows of a
 * table have as many cells as its header, no raw HTML but ours, and
 * the text is valid UTF-8.
 */
static void
md_valid(const char *s, size_t len)
{
	const char *line = s, *nl;
	size_t ll, fence = 0, run, depth = 0, cells = 0, i, k;
	unsigned cp;

	for (i = 0; i < len; i += k) {
		k = tally_utf8_decode((const unsigned char *)s + i, len - i, &cp);
		ck_assert_msg(!(cp == 0xFFFD && k == 1), "invalid UTF-8 at %zu",
		    i);
		ck_assert_msg(cp >= 0x20 || cp == '\n' || cp == '\t',
		    "control character %#x at %zu", cp, i);
		ck_assert_msg(!(cp >= 0x7F && cp < 0xA0) &&
		    !(cp >= 0x202A && cp <= 0x202E) &&
		    !(cp >= 0x2066 && cp <= 0x2069),
		    "control character %#x at %zu", cp, i);
	}
	while (line < s + len) {
		nl = memchr(line, '\n', (size_t)(s + len - line));
		ck_assert_msg(nl != NULL, "last line has no newline");
		ll = (size_t)(nl - line);
		run = tally_longest_run(line, ll, '`');
		if (fence > 0) {
			if (ll > 0 && run == ll && run >= fence)
				fence = 0;
		} else if (ll >= 3 && strncmp(line, "```", 3) == 0) {
			for (fence = 0; fence < ll && line[fence] == '`'; fence++)
				;
		} else {
			if (ll >= 9 && strncmp(line, "<details>", 9) == 0)
				depth++;
			if (ll >= 10 && strncmp(line, "</details>", 10) == 0) {
				ck_assert_uint_gt(depth, 0);
				depth--;
			}
			ck_assert_msg(memchr(line, '<', ll) == NULL ||
			    summary(line, ll) ||
			    (ll == 10 && strncmp(line, "</details>", 10) == 0),
			    "raw HTML in '%.*s'", (int)ll, line);
			if (ll > 0 && line[0] == '|') {
				if (cells == 0)
					cells = pipes(line, ll);
				ck_assert_msg(pipes(line, ll) == cells,
				    "table row '%.*s'", (int)ll, line);
			} else
				cells = 0;
		}
		line = nl + 1;
	}
	ck_assert_msg(fence == 0, "unclosed code fence");
	ck_assert_uint_eq(depth, 0);
}

static char *
render(struct fx *f, const struct tally_render_opts *o, size_t *len)
{
	char *s;
	size_t n;

	s = fx_render(f, tally_render_markdown, o, &n);
	md_valid(s, n);
	if (len != NULL)
		*len = n;
	return s;
}

START_TEST(sample_summary)
{
	struct fx f;
	char *s;
	size_t slow;

	fx_sample(&f);
	s = render(&f, NULL, NULL);
	ck_assert_uint_eq(at(s, "## \xe2\x9d\x8c Test results\n\n"), 0);
	at(s, "**Verdict: failed** \xe2\x80\x94 \xe2\x9d\x8c failed: 2 tests "
	    "failed \xc2\xb7 \xe2\x9c\x85 min\\-pass\\-rate: pass rate 60\\.0% "
	    "&gt;= 50%\n");
	at(s, "|---:|---:|---:|---:|---:|---:|---:|\n"
	    "| 6 | 3 | 2 | 1 | 1 | 1m 9.8s | 60.0% |\n");
	/* python differs between tests: a label table. */
	at(s, "| python | Passed | Failed | Skipped | Flaky | Duration | "
	    "Pass rate |\n");
	at(s, "| 3\\.10 | 1 | 1 | 0 | 0 | 1.5s | 50.0% |\n"
	    "| 3\\.11 | 2 | 1 | 1 | 1 | 1m 8.2s | 66.7% |\n");
	at(s, "### \xe2\x9a\xa0\xef\xb8\x8f Input errors (1)\n\n"
	    "- results/broken\\.xml\\:12\\:3: unexpected end of file\n");
	at(s, "### \xe2\x9d\x8c Failures (2)\n\n<details><summary>\xe2\x9d\x8c "
	    "tests/test&#95;math.py \xe2\x80\xba test&#95;div &#91;python=3.10&#93; "
	    "(1.5s)"
	    "</summary>\n\n"
	    "File: tests/test\\_math\\.py\\:9\n\n"
	    "ZeroDivisionError\\: division by zero\n\n"
	    "```text\nTraceback (most recent call last):\n");
	at(s, "ZeroDivisionError: division by zero\n```\n\n</details>\n");
	at(s, "AssertionError\\: assert b'' == b'x'\n");
	at(s, "### \xf0\x9f\x8d\x82 Flaky tests (1)\n\n"
	    "- tests/test\\_io\\.py \xe2\x80\xba test\\_net "
	    "\\[python=3\\.11\\] (passed after 1 "
	    "retry); failed first with: ConnectionResetError\\: peer reset\n");
	slow = at(s, "### \xf0\x9f\x90\xa2 Slowest tests\n");
	ck_assert_uint_lt(slow, at(s, "| 1m 5.0s | tests/test\\_math\\.py"));
	ck_assert_uint_lt(at(s, "| 1m 5.0s |"), at(s, "| 3.0s |"));
	ck_assert_uint_lt(at(s, "| 3.0s |"), at(s, "| 1.5s | tests/"));
	ck_assert_uint_lt(at(s, "| 1.5s | tests/"), at(s, "| 250ms |"));
	at(s, "| tests/test\\_io\\.py | 1 | 1 | 1 | 1 | 3.2s | 50.0% |\n");
	at(s, "Commit: 0123abcd \xc2\xb7 Branch: main \xc2\xb7 "
	    "[Run](https://github.com/o/r/actions/runs/1)\n");
	absent(s, "size limit");
	absent(s, "not shown");
	free(s);
	fx_free(&f);
}
END_TEST

START_TEST(headline_icons)
{
	struct fx f;
	struct tally_render_opts o;
	char *s;

	memset(&o, 0, sizeof(o));
	fx_init(&f, 4);
	fx_test(&f, "s", "a", TALLY_PASSED, 1);
	fx_finish(&f);
	o.title = "Nightly *build* <b>";
	s = render(&f, &o, NULL);
	ck_assert_uint_eq(at(s, "## \xe2\x9c\x85 Nightly \\*build\\* &lt;b&gt;\n"),
	    0);
	absent(s, "Verdict");
	absent(s, "Failures");
	free(s);
	/* A failure no gate asked about is a warning, not a pass. */
	fx_test(&f, "s", "b", TALLY_FAILED, 1);
	fx_finish(&f);
	s = render(&f, NULL, NULL);
	ck_assert_uint_eq(at(s, "## \xe2\x9a\xa0\xef\xb8\x8f Test results\n"), 0);
	free(s);
	fx_gate(&f, "failed", 1, "1 test failed");
	s = render(&f, NULL, NULL);
	ck_assert_uint_eq(at(s, "## \xe2\x9d\x8c Test results\n"), 0);
	free(s);
	fx_free(&f);
}
END_TEST

START_TEST(hostile_titles_cannot_inject)
{
	struct fx f;
	struct tally_test *t;
	char *s;

	fx_init(&f, 8);
	t = fx_test(&f, "s|uite</summary></details><script>", "[x](javascript:"
	    "alert(1)) \n\n## injected\n<!-- @team #1 ![i](http://e/i.png)",
	    TALLY_FAILED, 5);
	t->message = "msg ``` | <img src=x onerror=alert(1)>\n"
	    "```\n</details>\n\033[31mred\033[0m \xff";
	t->trace = "````` five\n``````\n</details>\n<script>x</script>\n"
	    "\033]8;;http://evil\aclick\033]8;;\a \x01";
	t->type = "Err<or>";
	t->file_path = "a|b.py";
	fx_test(&f, "s2", "slow|test\n| 1 | 2 |", TALLY_PASSED, 99);
	fx_label(&f, "py|thon", "3.1|0\n");
	fx_error(&f, "x<y>.xml", 1, 2, "bad | <b>\n## h");
	fx_meta(&f, "commit", "abc\n\n# h <b>");
	fx_meta(&f, "run_url", "javascript:alert(1)");
	fx_finish(&f);
	s = render(&f, NULL, NULL);
	absent(s, "](javascript");
	absent(s, "](http");
	absent(s, "\n## injected");
	absent(s, "\n# h");
	absent(s, "\033");
	/* The six-backtick line needs a seven-backtick fence. */
	at(s, "```````text\n````` five\n``````\n</details>\n"
	    "<script>x</script>\nclick \xe2\x90\x81\n```````\n");
	at(s, "<summary>\xe2\x9d\x8c s&#124;uite&lt;/summary&gt;&lt;/details"
	    "&gt;&lt;script&gt; \xe2\x80\xba &#91;x&#93;&#40;javascript&#58;"
	    "alert&#40;1&#41;&#41;   &#35;&#35; injected &lt;&#33;-- &#64;team "
	    "&#35;1 &#33;&#91;i&#93;&#40;http&#58;//e/i.png&#41; (5ms)"
	    "</summary>");
	at(s, "\\[x\\]\\(javascript\\:alert\\(1\\)\\)");
	at(s, "| 99ms | s2 \xe2\x80\xba slow\\|test \\| 1 \\| 2 \\| "
	    "\\[py\\|thon=3\\.1\\|0 \\] |\n");
	at(s, "File: a\\|b\\.py");
	at(s, "**Err&lt;or&gt;**");
	at(s, "Commit: abc \xe2\x80\xa6");
	absent(s, "[Run]");
	free(s);
	fx_free(&f);
}
END_TEST

START_TEST(two_labels_make_a_grid)
{
	static const char *const os[] = { "linux", "macos", "windows" };
	struct fx f;
	char *s;
	size_t i, j;

	fx_init(&f, 16);
	for (i = 0; i < 3; i++)
		for (j = 0; j < 2; j++) {
			fx_test(&f, "s", "t", i == 2 && j == 1 ? TALLY_FAILED :
			    TALLY_PASSED, 1);
			fx_label(&f, "os", os[i]);
			fx_label(&f, "python", j ? "3.11" : "3.10");
			if (i == 1) {
				fx_test(&f, "s", "u", TALLY_SKIPPED, 1);
				fx_label(&f, "os", os[i]);
				fx_label(&f, "python", j ? "3.11" : "3.10");
			}
		}
	fx_test(&f, "s", "v", TALLY_PASSED, 1);
	fx_label(&f, "os", "linux");
	fx_finish(&f);
	s = render(&f, NULL, NULL);
	/* Three os values against two python ones (and none). */
	at(s, "### By label\n\n"
	    "| os | python=\xe2\x80\x94 | python=3\\.10 | python=3\\.11 |\n"
	    "|---|:---:|:---:|:---:|\n"
	    "| linux | \xe2\x9c\x85 1 passed | \xe2\x9c\x85 1 passed | "
	    "\xe2\x9c\x85 1 passed |\n"
	    "| macos | \xe2\x80\x94 | \xe2\x9c\x85 1 passed, 1 skipped | "
	    "\xe2\x9c\x85 1 passed, 1 skipped |\n"
	    "| windows | \xe2\x80\x94 | \xe2\x9c\x85 1 passed | "
	    "\xe2\x9d\x8c 1 of 1 failed |\n\n");
	free(s);
	fx_free(&f);
}
END_TEST

START_TEST(run_link_is_encoded)
{
	struct fx f;
	char *s;

	fx_init(&f, 2);
	fx_test(&f, "s", "a", TALLY_PASSED, 1);
	fx_meta(&f, "run_url", "https://ci.example/run?a=1&b=(x) \"y\"<z>");
	fx_finish(&f);
	s = render(&f, NULL, NULL);
	at(s, "[Run](https://ci.example/run?a=1&b=%28x%29%20%22y%22%3Cz%3E)\n");
	free(s);
	fx_free(&f);
}
END_TEST

/* A report with n failures, each with a long message and trace. */
static void
huge(struct fx *f, size_t n, char **names, char **trace)
{
	struct tally_buf b;
	struct tally_test *t;
	size_t i;

	tally_buf_init(&b);
	for (i = 0; i < 120; i++)
		ck_assert_int_eq(tally_buf_printf(&b, "  at frame%zu (src/"
		    "module/file%zu.js:%zu:7) ``` `` |\n", i, i, i), TALLY_OK);
	*trace = tally_buf_detach(&b);
	*names = malloc(n * 16);
	ck_assert_ptr_nonnull(*names);
	fx_init(f, n + 20);
	for (i = 0; i < n; i++) {
		snprintf(*names + i * 16, 16, "test_%zu", i);
		t = fx_test(f, i % 2 ? "suite/a" : "suite/b", *names + i * 16,
		    TALLY_FAILED, (double)(i % 1000));
		t->message = "expected value to equal\n  Expected: 1\n"
		    "  Received: 2 <b>|</b> ````";
		t->trace = *trace;
		t->file_path = "src/module/file.test.js";
		t->line = (long)i;
		fx_label(f, "node", i % 3 ? "20" : "22");
	}
	for (i = 0; i < 15; i++) {
		fx_test(f, "suite/c", "flaky_one", TALLY_PASSED, 5);
		fx_flaky(f, "timeout");
	}
	for (i = 0; i < 5; i++)
		fx_error(f, "results/part.xml", (long)i + 1, 1, "truncated");
	fx_gate(f, "failed", 1, "50000 tests failed");
	fx_meta(f, "commit", "deadbeef");
	fx_finish(f);
}

START_TEST(budget_holds_on_huge_report)
{
	static const size_t budgets[] = { 0, 65535, 20000, 4096, 1000, 300,
	    100, 21, 20, 1 };
	struct tally_render_opts o;
	struct fx f;
	char *names, *trace, *s;
	size_t i, len, budget;

	huge(&f, 50000, &names, &trace);
	for (i = 0; i < sizeof(budgets) / sizeof(budgets[0]); i++) {
		memset(&o, 0, sizeof(o));
		o.max_bytes = budgets[i];
		budget = budgets[i] ? budgets[i] : 1024 * 1024;
		s = render(&f, &o, &len);
		ck_assert_msg(len <= budget, "%zu bytes for a budget of %zu",
		    len, budget);
		if (budget >= 4096) {
			/* The counts are whole, and the cut is said. */
			at(s, "| 50,015 | 15 | 50,000 | 0 | 15 |");
			at(s, " more failures not shown.\n");
			at(s, "_Left out to fit the size limit: slowest tests, "
			    "suite breakdown, metadata table._");
		}
		if (budget >= 300)
			at(s, "50,015");
		if (budget >= 21)
			ck_assert_uint_eq(at(s, "## \xe2\x9d\x8c Test results\n"),
			    0);
		else
			ck_assert_uint_eq(len, 0);
		if (budget == 1024 * 1024) {
			/* Room for the traces of the first hundreds. */
			ck_assert_uint_gt(len, budget - 16384);
			ck_assert_uint_gt(fx_count(s, "<details><summary>"), 100);
			absent(s, "_Traces left out");
		}
		if (budget == 65535) {
			/* The first failures keep their traces, the next
			 * ones their messages. */
			ck_assert_uint_gt(fx_count(s, "<details><summary>"), 10);
			at(s, "_Traces left out for ");
			at(s, ": expected value to equal");
			absent(s, "_Messages and traces left out");
		}
		free(s);
	}
	free(names);
	free(trace);
	fx_free(&f);
}
END_TEST

/* Tests by category: a table, failing categories first, "(none)". */
START_TEST(by_category)
{
	struct tally_render_opts o;
	struct fx f;
	char *s, *full;
	size_t len, flen;

	fx_init(&f, 8);
	fx_test(&f, "s", "a", TALLY_PASSED, 10)->category = "unit";
	fx_test(&f, "s", "b", TALLY_FAILED, 20)->category = "unit";
	fx_test(&f, "s", "c", TALLY_SKIPPED, -1)->category = "unit";
	fx_test(&f, "s", "d", TALLY_PASSED, 1000)->category = "integration";
	fx_test(&f, "s", "e", TALLY_PASSED, 5)->category = "x|y <b>*z*";
	fx_test(&f, "s", "f", TALLY_PASSED, 5);
	fx_finish(&f);
	memset(&o, 0, sizeof(o));
	full = render(&f, &o, &flen);
	at(full, "### Categories\n\n| Category | Passed | Failed | Skipped | "
	    "Flaky | Duration | Pass rate |\n|---|---:|---:|---:|---:|---:|"
	    "---:|\n| unit | 1 | 1 | 1 | 0 | 30ms | 50.0% |\n");
	at(full, "| integration | 1 | 0 | 0 | 0 | 1.0s | 100% |\n");
	at(full, "| _(none)_ | 1 | 0 | 0 | 0 | 5ms | 100% |\n");
	at(full, "| x\\|y &lt;b&gt;\\*z\\* | 1 | 0 | 0 | 0 | 5ms | 100% |\n");
	ck_assert_uint_lt(at(full, "### Categories"), at(full, "Failures (1)"));
	/* Short of room: the slowest tests go, then the categories. */
	o.max_bytes = flen - 10;
	s = render(&f, &o, &len);
	ck_assert_uint_le(len, o.max_bytes);
	at(s, "### Categories");
	at(s, "_Left out to fit the size limit: slowest tests._");
	free(s);
	o.max_bytes = flen - (at(full, "| x\\|") - at(full, "### Categories"));
	s = render(&f, &o, &len);
	ck_assert_uint_le(len, o.max_bytes);
	absent(s, "### Categories");
	at(s, "_Left out to fit the size limit: slowest tests, category "
	    "breakdown._");
	at(s, "Failures (1)");
	free(s);
	free(full);
	fx_free(&f);
	/* One category only: the summary says it all. */
	fx_init(&f, 2);
	fx_test(&f, "s", "a", TALLY_PASSED, 1)->category = "unit";
	fx_test(&f, "s", "b", TALLY_FAILED, 1)->category = "unit";
	fx_finish(&f);
	s = render(&f, &o, NULL);
	absent(s, "### Categories");
	absent(s, "category breakdown");
	free(s);
	fx_free(&f);
}
END_TEST

/* Failures shown, with a trace (in <details>) or as a list item. */
static void
shown(const char *s, size_t *details, size_t *listed)
{
	*details = fx_count(s, "<details><summary>\xe2\x9d\x8c suite/");
	*listed = fx_count(s, "- \xe2\x9d\x8c suite/");
}

START_TEST(cut_order)
{
	struct tally_render_opts o;
	struct fx f;
	char *names, *trace, *s;
	size_t len, flen, budget, d, l;
	int suites, slow, nomsg;

	huge(&f, 20, &names, &trace);
	memset(&o, 0, sizeof(o));
	s = render(&f, &o, &flen);
	at(s, "### \xf0\x9f\x90\xa2 Slowest tests");
	at(s, "### Suites");
	shown(s, &d, &l);
	ck_assert_uint_eq(d, 20);
	absent(s, "size limit");
	free(s);
	/* A little less room: the suite breakdown goes first. */
	o.max_bytes = flen - 10;
	s = render(&f, &o, &len);
	ck_assert_uint_le(len, o.max_bytes);
	absent(s, "### Suites");
	at(s, "### \xf0\x9f\x90\xa2 Slowest tests");
	at(s, "_Left out to fit the size limit: suite breakdown._");
	free(s);
	/* Then, budget by budget, each cut only after the ones before. */
	for (budget = flen - 10; budget > 200; budget = budget * 9 / 10) {
		o.max_bytes = budget;
		s = render(&f, &o, &len);
		ck_assert_uint_le(len, budget);
		suites = strstr(s, "### Suites") != NULL;
		slow = strstr(s, "Slowest tests\n") != NULL;
		nomsg = strstr(s, "_Messages and traces left out") != NULL;
		shown(s, &d, &l);
		if (suites)
			ck_assert(slow);
		if (d < 20)
			ck_assert(!slow && !suites);
		if (d + l < 20) {
			/* Failures beyond 10 go after all traces. */
			ck_assert_uint_eq(d, 0);
			if (strstr(s, "Failures (20)") != NULL)
				at(s, "failures not shown.");
		}
		if (nomsg)
			ck_assert_uint_le(d + l, 10);
		if (d + l < 10)
			ck_assert(nomsg || d + l == 0);
		free(s);
	}
	free(names);
	free(trace);
	fx_free(&f);
}
END_TEST

START_TEST(random_hostile_input_stays_valid)
{
	struct tally_render_opts o;
	struct fx f;
	char *strs[400], *s;
	size_t k, len, round;

	fx_hostile(&f, strs, &k, 42);
	for (round = 0; round < 12; round++) {
		memset(&o, 0, sizeof(o));
		o.max_bytes = round == 0 ? 0 : (size_t)500 << round;
		o.title = strs[round];
		s = render(&f, &o, &len);
		ck_assert_uint_le(len, o.max_bytes ? o.max_bytes : 1u << 20);
		free(s);
	}
	fx_hostile_free(&f, strs, k);
}
END_TEST

START_TEST(long_single_trace_is_cut)
{
	struct fx f;
	struct tally_test *t;
	struct tally_buf b;
	char *s;
	size_t i;

	tally_buf_init(&b);
	for (i = 0; i < 200; i++)
		ck_assert_int_eq(tally_buf_printf(&b, "line %zu\n", i), TALLY_OK);
	fx_init(&f, 2);
	t = fx_test(&f, "s", "t", TALLY_FAILED, 1);
	t->trace = b.data;
	fx_finish(&f);
	s = render(&f, NULL, NULL);
	at(s, "line 49\n\xe2\x80\xa6 150 more lines\n```\n");
	absent(s, "line 50\n");
	free(s);
	tally_buf_free(&b);
	fx_free(&f);
}
END_TEST

START_TEST(write_error_is_reported)
{
	fx_write_error(tally_render_markdown);
}
END_TEST

Suite *suite_render_md(void);

Suite *
suite_render_md(void)
{
	Suite *s = suite_create("render_md");
	TCase *tc = tcase_create("render_md");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, sample_summary);
	tcase_add_test(tc, headline_icons);
	tcase_add_test(tc, hostile_titles_cannot_inject);
	tcase_add_test(tc, two_labels_make_a_grid);
	tcase_add_test(tc, run_link_is_encoded);
	tcase_add_test(tc, budget_holds_on_huge_report);
	tcase_add_test(tc, cut_order);
	tcase_add_test(tc, by_category);
	tcase_add_test(tc, random_hostile_input_stays_valid);
	tcase_add_test(tc, long_single_trace_is_cut);
	tcase_add_test(tc, write_error_is_reported);
	suite_add_tcase(s, tc);
	return s;
}
