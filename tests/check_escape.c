/* tests/check_escape.c: every escaper on hostile strings. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "escape.h"

typedef int (*esc_fn)(struct tally_buf *, const char *, size_t);

static char *
esc(esc_fn f, const char *s)
{
	struct tally_buf b;

	tally_buf_init(&b);
	ck_assert_int_eq(f(&b, s, TALLY_NTS), TALLY_OK);
	return tally_buf_detach(&b);
}

#define CHECK_ESC(f, in, want) do {			\
	char *got_ = esc(f, in);			\
	ck_assert_str_eq(got_, want);			\
	free(got_);					\
} while (0)

START_TEST(json)
{
	CHECK_ESC(tally_esc_json, "a\"b\\c\n\x01\x7f", "a\\\"b\\\\c\\n\\u0001\\u007f");
	CHECK_ESC(tally_esc_json, "</script>", "</script>");
	CHECK_ESC(tally_esc_json_script, "</script><!--&\xe2\x80\xa8",
	    "\\u003c/script\\u003e\\u003c!--\\u0026\\u2028");
	CHECK_ESC(tally_esc_json, "\xff\xc3(", "\xef\xbf\xbd\xef\xbf\xbd(");
	CHECK_ESC(tally_esc_json, "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	CHECK_ESC(tally_esc_json, "caf\xc3\xa9 \xf0\x9f\x98\x8b", "caf\xc3\xa9 \xf0\x9f\x98\x8b");
}
END_TEST

START_TEST(xml)
{
	CHECK_ESC(tally_esc_xml, "<a href=\"x\">&'", "&lt;a href=&quot;x&quot;&gt;&amp;&apos;");
	CHECK_ESC(tally_esc_xml, "\x1b[31m]]>", "\xe2\x90\x9b[31m]]&gt;");
	CHECK_ESC(tally_esc_xml, "a\nb\tc", "a&#10;b&#9;c");
}
END_TEST

START_TEST(html)
{
	CHECK_ESC(tally_esc_html, "<img src=x onerror=alert(1)>",
	    "&lt;img src=x onerror=alert(1)&gt;");
	CHECK_ESC(tally_esc_html, "'\"&", "&#39;&quot;&amp;");
	CHECK_ESC(tally_esc_html, "a\x1b" "b\xc2\x85", "a\xe2\x90\x9b" "b\xef\xbf\xbd");
}
END_TEST

START_TEST(markdown)
{
	CHECK_ESC(tally_esc_md, "[x](javascript:y) *b* |c|\n<!--",
	    "\\[x\\]\\(javascript\\:y\\) \\*b\\* \\|c\\| &lt;\\!\\-\\-");
	CHECK_ESC(tally_esc_md, "`code`", "\\`code\\`");
}
END_TEST

START_TEST(terminal)
{
	CHECK_ESC(tally_esc_term, "ok\x1b]0;pwned\x07\n\tx",
	    "ok\xe2\x90\x9b]0;pwned\xe2\x90\x87\n\tx");
	CHECK_ESC(tally_esc_term, "\xe2\x80\xae" "abc", "<U+202E>abc");
	CHECK_ESC(tally_esc_term, "\r", "\xe2\x90\x8d");
}
END_TEST

START_TEST(github)
{
	CHECK_ESC(tally_esc_gh_data, "50%\r\n::error::x", "50%25%0D%0A::error::x");
	CHECK_ESC(tally_esc_gh_prop, "a:b,c%\n", "a%3Ab%2Cc%25%0A");
}
END_TEST

START_TEST(strip_ansi)
{
	struct tally_buf b;

	tally_buf_init(&b);
	ck_assert_int_eq(tally_strip_ansi(&b, "\x1b[1;31mred\x1b[0m \x1b]8;;http://x\x1b\\link\x1b]8;;\x07 end\x1b",
	    TALLY_NTS), TALLY_OK);
	ck_assert_str_eq(b.data, "red link end");
	tally_buf_free(&b);
}
END_TEST

START_TEST(utf8_decode)
{
	unsigned cp;

	ck_assert_uint_eq(tally_utf8_decode((const unsigned char *)"\xc3\xa9", 2, &cp), 2);
	ck_assert_uint_eq(cp, 0xE9);
	ck_assert_uint_eq(tally_utf8_decode((const unsigned char *)"\xc0\x80", 2, &cp), 1);
	ck_assert_uint_eq(cp, 0xFFFD);
	ck_assert_uint_eq(tally_utf8_decode((const unsigned char *)"\xf4\x90\x80\x80", 4, &cp), 1);
	ck_assert_uint_eq(tally_utf8_decode((const unsigned char *)"\xe2\x82", 2, &cp), 1);
}
END_TEST

/*
 * Differential test: every escaper's fast path (runs of plain ASCII
 * copied at once) against its per-code-point path, on random input with
 * invalid UTF-8, controls, NULs, C1 and bidi controls and each target's
 * punctuation.  Fixed seed, so a failure repeats.
 */
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 32);
}

static size_t
random_input(unsigned char *p, size_t max)
{
	static const char *const pieces[] = {
		"\xc2\x85", "\xc2\x9f", "\xc2\xa0", "\xe2\x80\xae",
		"\xe2\x81\xa6", "\xe2\x80\xa8", "\xe2\x80\xa9",
		"\xef\xbf\xbe", "\xef\xbf\xbf", "\xf0\x9f\x98\x8b",
		"\xc3\xa9", "\xed\xa0\x80", "\xc0\x80", "\xf4\x90\x80\x80",
		"\xe2\x82", "\xf0\x9f", "\x1b[31m", "\r\n", "%0A", "]]>",
		"</script>", "&amp;", "\\u2028",
	};
	size_t n = rng() % (max + 1), i = 0, k;
	const char *pc;

	while (i < n) {
		switch (rng() % 6) {
		case 0:			/* any byte */
			p[i++] = (unsigned char)rng();
			break;
		case 1:			/* a control, DEL or NUL */
			k = rng() % 34;
			p[i++] = (unsigned char)(k == 32 ? 0x7F : k == 33 ? 0 :
			    k);
			break;
		case 2:			/* a UTF-8 piece, maybe cut short */
			k = rng() % (sizeof(pieces) / sizeof(pieces[0]));
			pc = pieces[k];
			for (k = 0; pc[k] != '\0' && i < n; k++)
				p[i++] = (unsigned char)pc[k];
			break;
		default:		/* a run of printable ASCII */
			for (k = rng() % 12; k > 0 && i < n; k--)
				p[i++] = (unsigned char)(0x20 + rng() % 95);
			break;
		}
	}
	return n;
}

/* Every escaper, for the tests that go through them all. */
static const struct {
	const char	*name;
	tally_esc_fn	 f;
} t[] = {
	{ "json", tally_esc_json },
	{ "json_script", tally_esc_json_script },
	{ "xml", tally_esc_xml },
	{ "xml_text", tally_esc_xml_text },
	{ "html", tally_esc_html },
	{ "html_line", tally_esc_html_line },
	{ "md", tally_esc_md },
	{ "term", tally_esc_term },
	{ "term_line", tally_esc_term_line },
	{ "gh_data", tally_esc_gh_data },
	{ "gh_prop", tally_esc_gh_prop },
	{ "url", tally_esc_url },
};

/*
 * An empty input into a new buffer gives an empty string: the escapers
 * reserve room first, and an escaped empty JSON key was once read past
 * its allocation (issue 15).  Both by length and up to the NUL.
 */
START_TEST(empty_input_gives_empty_string)
{
	struct tally_buf b;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		tally_buf_init(&b);
		ck_assert_int_eq(t[i].f(&b, "", 0), TALLY_OK);
		ck_assert_msg(b.len == 0 && (b.data == NULL ||
		    b.data[0] == '\0'), "%s: not an empty string", t[i].name);
		tally_buf_free(&b);
		tally_buf_init(&b);
		ck_assert_int_eq(t[i].f(&b, "", TALLY_NTS), TALLY_OK);
		ck_assert_msg(b.len == 0 && (b.data == NULL ||
		    b.data[0] == '\0'), "%s: not an empty string", t[i].name);
		tally_buf_free(&b);
	}
}
END_TEST

START_TEST(fast_path_matches_slow_path)
{
	unsigned char in[300];
	struct tally_buf fast, slow;
	size_t i, k, n, iter, checked = 0;

	tally_buf_init(&fast);
	tally_buf_init(&slow);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		/* Every single byte and every printable pair on its own. */
		for (iter = 0; iter < 256 + 95 * 95; iter++) {
			if (iter < 256) {
				in[0] = (unsigned char)iter;
				n = 1;
			} else {
				k = iter - 256;
				in[0] = (unsigned char)(0x20 + k / 95);
				in[1] = (unsigned char)(0x20 + k % 95);
				n = 2;
			}
			tally_buf_reset(&fast);
			tally_buf_reset(&slow);
			/* Plain ifs: each ck_assert costs a system call. */
			if (t[i].f(&fast, (char *)in, n) != TALLY_OK ||
			    tally_esc_slow(t[i].f, &slow, (char *)in,
			    n) != TALLY_OK || fast.len != slow.len ||
			    memcmp(fast.data, slow.data, fast.len) != 0)
				ck_abort_msg("%s differs on byte(s) %02x (%zu)",
				    t[i].name, in[0], n);
		}
		for (iter = 0; iter < 4000; iter++) {
			n = random_input(in, sizeof(in));
			/* Appending to what the buffer holds already. */
			tally_buf_reset(&fast);
			tally_buf_reset(&slow);
			tally_buf_adds(&fast, "prefix<&>");
			tally_buf_adds(&slow, "prefix<&>");
			if (t[i].f(&fast, (char *)in, n) != TALLY_OK ||
			    tally_esc_slow(t[i].f, &slow, (char *)in,
			    n) != TALLY_OK || fast.len != slow.len ||
			    memcmp(fast.data, slow.data, fast.len) != 0 ||
			    fast.data[fast.len] != '\0')
				ck_abort_msg("%s: fast and slow paths differ "
				    "(iteration %zu)", t[i].name, iter);
			checked++;
		}
	}
	ck_assert_uint_eq(checked, 4000 * (sizeof(t) / sizeof(t[0])));
	/* The slow path really is another path: it refuses a non-escaper. */
	ck_assert_int_eq(tally_esc_slow(tally_strip_ansi, &slow, "x", 1),
	    TALLY_EINVAL);
	tally_buf_free(&fast);
	tally_buf_free(&slow);
}
END_TEST

/*
 * tally_esc_json_str's word-at-a-time scan: every byte value at every
 * place in strings of 1 to 24 bytes (three words and a tail) gives what
 * the byte-by-byte escaper gives between quotes.
 */
START_TEST(json_str_fast_scan_matches_escaper)
{
	char in[32];
	struct tally_buf got, want;
	size_t n, at;
	int c, bad = 0;

	tally_buf_init(&got);
	tally_buf_init(&want);
	for (n = 1; n <= 24; n++)
		for (at = 0; at < n; at++)
			for (c = 1; c < 256; c++) {
				memset(in, 'a', n);
				in[n] = '\0';
				in[at] = (char)c;
				tally_buf_reset(&got);
				tally_buf_reset(&want);
				tally_esc_json_str(&got, in);
				tally_buf_addc(&want, '"');
				tally_esc_json(&want, in, n);
				tally_buf_addc(&want, '"');
				/* Plain ifs: each ck_assert costs a system call. */
				if (got.len != want.len || memcmp(got.data,
				    want.data, got.len) != 0)
					bad++;
			}
	ck_assert_int_eq(bad, 0);
	tally_buf_reset(&got);
	tally_esc_json_str(&got, "0123456789abcdef\"x\\y\x01\xc3\xa9z");
	ck_assert_str_eq(got.data,
	    "\"0123456789abcdef\\\"x\\\\y\\u0001\xc3\xa9z\"");
	tally_buf_free(&got);
	tally_buf_free(&want);
}
END_TEST

Suite *suite_escape(void);

/* The workflow-command guard over whole output, in pieces. */
static char *
guard(const char *const *parts)
{
	struct tally_buf b;
	unsigned st = 0;
	size_t i;

	tally_buf_init(&b);
	for (i = 0; parts[i] != NULL; i++)
		ck_assert_int_eq(tally_esc_wfc_guard(&b, parts[i], TALLY_NTS,
		    &st), TALLY_OK);
	ck_assert_int_eq(tally_buf_addc(&b, '\0'), TALLY_OK);
	return tally_buf_detach(&b);
}

#define CHECK_GUARD(want, ...) do {				\
	const char *parts_[] = { __VA_ARGS__, NULL };		\
	char *got_ = guard(parts_);				\
	ck_assert_str_eq(got_, want);				\
	free(got_);						\
} while (0)

#define FW_COLON	"\xef\xbc\x9a"		/* U+FF1A */
#define FW_BRACKET	"\xef\xbc\xbb"		/* U+FF3B */

START_TEST(workflow_command_guard)
{
	/* "::" first on a line, also after white space the runner trims. */
	CHECK_GUARD(":" FW_COLON "add-mask::x", "::add-mask::x");
	CHECK_GUARD("ok\n     :" FW_COLON "stop-commands::t\n",
	    "ok\n     ::stop-commands::t\n");
	CHECK_GUARD("a\r:" FW_COLON "x::", "a\r::x::");
	CHECK_GUARD("\t\xe3\x80\x80:" FW_COLON "x::", "\t\xe3\x80\x80::x::");
	/* Ignorables do not hide it from a culture-aware comparison. */
	CHECK_GUARD("\xe2\x80\x8b:\xc2\xad" FW_COLON "x::",
	    "\xe2\x80\x8b:\xc2\xad:x::");
	/* Split over writes. */
	CHECK_GUARD("     :" FW_COLON "add-mask::x", "     ", ":", ":add-mask::x");
	/* Mid-line "::" is C++ and Rust, not a command: kept. */
	CHECK_GUARD("FAIL ns::Suite::test", "FAIL ns::Suite::test");
	CHECK_GUARD("  : :x::", "  : :x::");
	CHECK_GUARD("x", "x");
	/* "##[" anywhere, also split and with ignorables between. */
	CHECK_GUARD("see ##" FW_BRACKET "add-mask]y", "see ##[add-mask]y");
	CHECK_GUARD("###" FW_BRACKET "x]", "###[x]");
	CHECK_GUARD("#\xc2\xad#" FW_BRACKET "x]", "#\xc2\xad#[x]");
	CHECK_GUARD("##" FW_BRACKET "x]", "#", "#", "[x]");
	CHECK_GUARD("# #[x] \\#\\#\\[", "# #[x] \\#\\#\\[");
	/* Our own colours after "##" keep their bracket. */
	CHECK_GUARD("##\033[0m", "##\033[0m");
	/* Invalid UTF-8 passes through as it came. */
	CHECK_GUARD("\xff::", "\xff::");
}
END_TEST

Suite *
suite_escape(void)
{
	Suite *s = suite_create("escape");
	TCase *tc = tcase_create("targets");

	tcase_add_test(tc, json);
	tcase_add_test(tc, xml);
	tcase_add_test(tc, html);
	tcase_add_test(tc, markdown);
	tcase_add_test(tc, terminal);
	tcase_add_test(tc, github);
	tcase_add_test(tc, strip_ansi);
	tcase_add_test(tc, utf8_decode);
	tcase_add_test(tc, empty_input_gives_empty_string);
	tcase_add_test(tc, workflow_command_guard);
	tcase_add_test(tc, json_str_fast_scan_matches_escaper);
	suite_add_tcase(s, tc);
	/* About a second of work; room for a loaded machine. */
	tc = tcase_create("fast path");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, fast_path_matches_slow_path);
	suite_add_tcase(s, tc);
	return s;
}
