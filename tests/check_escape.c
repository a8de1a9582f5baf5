/* tests/check_escape.c: every escaper on hostile strings. */
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

Suite *suite_escape(void);

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
	suite_add_tcase(s, tc);
	return s;
}
