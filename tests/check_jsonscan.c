/* tests/check_jsonscan.c: the streaming JSON scanner on its own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <cJSON.h>

#include "jsonscan.h"
#include "testutil.h"

/* What a scan saw: "which:key:index=json;" per captured value. */
struct seen {
	struct tally_buf log;
	int		 n;
	int		 stop_after;	/* return TALLY_ESTOP after n values */
	unsigned	 reached;
};

static int
on_value(void *arg, const struct tally_jvalue *v, struct tally_error *err)
{
	struct seen *s = arg;
	char *text = cJSON_PrintUnformatted(v->json);

	tally_buf_printf(&s->log, "%d:%s:%ld=%s;", v->which,
	    v->key ? v->key : "-", v->index, text);
	free(text);
	if (++s->n == s->stop_after)
		return TALLY_ESTOP;
	(void)err;
	return TALLY_OK;
}

/* Scan n bytes of doc for paths; the log is left in s. */
static int
scan_n(const char *doc, size_t n, const char *const *paths, struct seen *s,
    struct tally_error *err)
{
	char path[] = "/tmp/tally-jscan-XXXXXX";
	struct tally_src src;
	int fd, rc;

	tally_buf_init(&s->log);
	tally_buf_adds(&s->log, "");
	s->n = 0;
	tally_error_init(err, "doc");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	unlink(path);
	ck_assert_int_eq(write(fd, doc, n), (ssize_t)n);
	lseek(fd, 0, SEEK_SET);
	ck_assert_int_eq(tally_src_init(&src, fd, "doc"), TALLY_OK);
	rc = tally_jscan(&src, paths, on_value, s, &s->reached, err);
	tally_src_fini(&src);
	close(fd);
	return rc;
}

static int
scan(const char *doc, const char *const *paths, struct seen *s,
    struct tally_error *err)
{
	return scan_n(doc, strlen(doc), paths, s, err);
}

static const char *const no_paths[] = { NULL };

START_TEST(captures_values_at_paths)
{
	static const char *const paths[] = { "a.b[*]", "z[*].k", "a.x", NULL };
	struct tally_error err;
	struct seen s = { .stop_after = -1 };

	ck_assert_int_eq(scan("{\"a\":{\"b\":[1,{\"c\":2}],\"x\":\"y\"},"
	    "\"q\":{\"b\":[9]},\"z\":[{\"k\":1},{\"j\":0},{\"k\":[true]}]}",
	    paths, &s, &err), TALLY_OK);
	ck_assert_str_eq(s.log.data, "0:-:0=1;0:-:1={\"c\":2};2:x:-1=\"y\";"
	    "1:k:-1=1;1:k:-1=[true];");
	tally_buf_free(&s.log);
}
END_TEST

START_TEST(wildcard_member_names_and_escaped_keys)
{
	static const char *const paths[] = { "m.*", "t\xc3\xa9sts[*]", NULL };
	struct tally_error err;
	struct seen s = { .stop_after = -1 };

	ck_assert_int_eq(scan("\xEF\xBB\xBF {\"m\":{\"a b\":1,\"\\u0063\":"
	    "{\"x\":null}},\"t\\u00e9sts\":[\"\\ud83d\\ude00\"]}",
	    paths, &s, &err), TALLY_OK);
	ck_assert_str_eq(s.log.data, "0:a b:-1=1;0:c:-1={\"x\":null};"
	    "1:-:0=\"\xf0\x9f\x98\x80\";");
	tally_buf_free(&s.log);
}
END_TEST

START_TEST(valid_documents_of_every_kind)
{
	static const char *docs[] = {
		"0", "-0.5e+10", "1E-2", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
		"[]", "{}", " [ [ ] , { } , null , true , false ] \n",
		"{\"a\":[-1,2.5,\"\\u00e9\"]}\r\n",
		"\"\\ud800\\n lone surrogate then an escape\"",
		"\"\xff\xfe invalid UTF-8 is left to the writer\"",
	};
	struct tally_error err;
	struct seen s = { .stop_after = -1 };
	size_t i;

	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		ck_assert_msg(scan(docs[i], no_paths, &s, &err) == TALLY_OK,
		    "'%s': %s", docs[i], err.message);
		tally_buf_free(&s.log);
	}
}
END_TEST

/* Each malformed document, and where and how the scanner complains. */
static const struct {
	const char	*doc;
	long		 line, col;
	const char	*msg;
} faults[] = {
	{ "", 1, 1, "unexpected end of JSON" },
	{ "  \n ", 2, 2, "unexpected end of JSON" },
	{ "{\"a\":1,}", 1, 8, "expected a member name, found '}'" },
	{ "{\"a\" 1}", 1, 6, "expected ':', found '1'" },
	{ "[1 2]", 1, 4, "expected ',' or ']', found '2'" },
	{ "{\"a\":1 \"b\":2}", 1, 8, "expected ',' or '}', found '\"'" },
	{ "{\"a\":tru}", 1, 9, "invalid literal, found '}'" },
	{ "{\"a\":nul", 1, 9, "unexpected end of JSON" },
	{ "{\"a\":01}", 1, 7, "expected ',' or '}', found '1'" },
	{ "{\"a\":-}", 1, 7, "expected a digit, found '}'" },
	{ "{\"a\":1.}", 1, 8, "expected a digit, found '}'" },
	{ "{\"a\":1e}", 1, 8, "expected a digit, found '}'" },
	{ "{\"a\":+1}", 1, 6, "expected a JSON value, found '+'" },
	{ "{\"a\":\"\\x\"}", 1, 8, "invalid escape in string, found 'x'" },
	{ "{\"a\":\"\\u12G4\"}", 1, 11, "expected a hex digit, found 'G'" },
	{ "[\"a\nb\"]", 1, 4, "control character in string, found byte 0x0a" },
	{ "[\"a\tb\"]", 1, 4, "control character in string, found byte 0x09" },
	{ "{}\n  x", 2, 3, "trailing data after the document, found 'x'" },
	{ "{} {}", 1, 4, "trailing data after the document, found '{'" },
	{ "{\"a\":[1,2", 1, 10, "unexpected end of JSON" },
	{ "{\"a\":\"abc", 1, 10, "unexpected end of JSON" },
	{ "[1,\n2,\n\"x\",\n", 4, 1, "unexpected end of JSON" },
	{ "'a'", 1, 1, "expected a JSON value, found '''" },
	{ "{\"a\":NaN}", 1, 6, "expected a JSON value, found 'N'" },
	{ "\xEF\xBB", 1, 3, "unexpected end of JSON" },
};

START_TEST(reports_the_first_fault)
{
	struct tally_error err;
	struct seen s = { .stop_after = -1 };

	ck_assert_int_eq(scan(faults[_i].doc, no_paths, &s, &err),
	    TALLY_EPARSE);
	ck_assert_str_eq(err.message, faults[_i].msg);
	ck_assert_int_eq(err.line, faults[_i].line);
	ck_assert_int_eq(err.column, faults[_i].col);
	ck_assert_str_eq(err.file, "doc");
	tally_buf_free(&s.log);
}
END_TEST

START_TEST(nul_bytes_are_refused)
{
	static const char *const paths[] = { "t[*]", NULL };
	struct tally_error err;
	struct seen s = { .stop_after = -1 };

	ck_assert_int_eq(scan_n("{\"t\":[1,\0]}", 11, paths, &s, &err),
	    TALLY_EPARSE);
	ck_assert_str_eq(err.message,
	    "expected a JSON value, found byte 0x00");
	ck_assert_int_eq(err.column, 9);
	ck_assert_str_eq(s.log.data, "0:-:0=1;");
	tally_buf_free(&s.log);
	ck_assert_int_eq(scan_n("[\"a\0\"]", 6, paths, &s, &err),
	    TALLY_EPARSE);
	ck_assert_str_eq(err.message,
	    "control character in string, found byte 0x00");
	ck_assert_int_eq(err.column, 4);
	tally_buf_free(&s.log);
}
END_TEST

START_TEST(truncated_input_keeps_what_came_before)
{
	static const char *const paths[] = { "t[*]", NULL };
	struct tally_error err;
	struct seen s = { .stop_after = -1 };

	ck_assert_int_eq(scan("{\"t\":[{\"n\":1},\n{\"n\":2},\n{\"n\":", paths,
	    &s, &err), TALLY_EPARSE);
	ck_assert_str_eq(s.log.data, "0:-:0={\"n\":1};0:-:1={\"n\":2};");
	ck_assert_int_eq(err.line, 3);
	ck_assert_int_eq(err.column, 6);
	ck_assert_str_eq(err.message, "unexpected end of JSON");
	tally_buf_free(&s.log);
}
END_TEST

static char *
nested(int depth)
{
	char *d = malloc((size_t)depth * 2 + 1);
	int i;

	for (i = 0; i < depth; i++) {
		d[i] = '[';
		d[depth * 2 - 1 - i] = ']';
	}
	d[depth * 2] = '\0';
	return d;
}

START_TEST(nesting_is_limited)
{
	struct tally_error err;
	struct seen s = { .stop_after = -1 };
	char *ok = nested(TALLY_MAX_DEPTH), *deep = nested(TALLY_MAX_DEPTH + 1);

	ck_assert_int_eq(scan(ok, no_paths, &s, &err), TALLY_OK);
	tally_buf_free(&s.log);
	ck_assert_int_eq(scan(deep, no_paths, &s, &err), TALLY_EPARSE);
	ck_assert_str_eq(err.message, "nesting too deep: more than 64 levels");
	ck_assert_int_eq(err.column, TALLY_MAX_DEPTH + 1);
	tally_buf_free(&s.log);
	free(deep);
	/* Far deeper (issue 15): the same message at the same place. */
	deep = nested(5000);
	ck_assert_int_eq(scan(deep, no_paths, &s, &err), TALLY_EPARSE);
	ck_assert_str_eq(err.message, "nesting too deep: more than 64 levels");
	ck_assert_int_eq(err.line, 1);
	ck_assert_int_eq(err.column, TALLY_MAX_DEPTH + 1);
	tally_buf_free(&s.log);
	free(ok);
	free(deep);
}
END_TEST

START_TEST(duplicate_keys)
{
	static const char *const paths[] = { "tests[*]", NULL };
	static const char *const star[] = { "m.*", NULL };
	struct tally_error err;
	struct seen s = { .stop_after = -1 };

	/* Twice the member a reader follows: refused where it repeats. */
	ck_assert_int_eq(scan("{\"tests\":[1],\n \"tests\":[2]}", paths, &s,
	    &err), TALLY_EPARSE);
	ck_assert_str_eq(err.message, "duplicate key 'tests'");
	ck_assert_int_eq(err.line, 2);
	ck_assert_int_eq(err.column, 2);
	tally_buf_free(&s.log);
	/* Inside a captured value: cJSON's checks refuse it. */
	ck_assert_int_eq(scan("{\"tests\":[{\"a\":1},\n{\"a\":1,\"a\":2}]}",
	    paths, &s, &err), TALLY_EPARSE);
	ck_assert_str_eq(err.message, "duplicate key 'a'");
	ck_assert_int_eq(err.line, 2);
	ck_assert_str_eq(s.log.data, "0:-:0={\"a\":1};");
	tally_buf_free(&s.log);
	/* Repeats among members nobody reads do not matter. */
	ck_assert_int_eq(scan("{\"x\":1,\"x\":2,\"tests\":[3]}", paths, &s,
	    &err), TALLY_OK);
	ck_assert_str_eq(s.log.data, "0:-:0=3;");
	tally_buf_free(&s.log);
	/* Members a "*" step matches are each handed over, repeats too:
	 * remembering every name would cost memory and time. */
	ck_assert_int_eq(scan("{\"m\":{\"a\":1,\"a\":2}}", star, &s, &err),
	    TALLY_OK);
	ck_assert_str_eq(s.log.data, "0:a:-1=1;0:a:-1=2;");
	tally_buf_free(&s.log);
}
END_TEST

/*
 * A captured value with many members: the duplicate-key check must not
 * cost quadratic time (200 000 members took minutes), and it names the
 * repeated key with its control characters shown, never raw.
 */
START_TEST(duplicate_keys_among_many)
{
	static const char *const paths[] = { "tests[*]", NULL };
	struct tally_error err;
	struct seen s = { .stop_after = -1 };
	struct tally_buf doc;
	clock_t t0;
	int i;

	tally_buf_init(&doc);
	tally_buf_adds(&doc, "{\"tests\":[{");
	for (i = 0; i < 200000; i++)
		tally_buf_printf(&doc, "\"k%d\":%d,", i, i);
	tally_buf_adds(&doc, "\"\\u001b[31m\":0,\"\\u001b[31m\":1}]}");
	t0 = clock();
	ck_assert_int_eq(scan(doc.data, paths, &s, &err), TALLY_EPARSE);
	ck_assert_double_lt((double)(clock() - t0) / CLOCKS_PER_SEC, 2.0);
	ck_assert_str_eq(err.message, "duplicate key '\xe2\x90\x9b[31m'");
	ck_assert_int_eq(s.n, 0);
	tally_buf_free(&s.log);
	tally_buf_free(&doc);
}
END_TEST

/*
 * \u0000 is refused wherever it is, at its backslash: in a C string
 * "a\u0000b" would read as "a" (issue 15).  An escaped backslash before
 * "u0000" is text, and stays.
 */
START_TEST(nul_escape_is_refused)
{
	static const char *const paths[] = { "t[*]", NULL };
	static const struct {
		const char	*doc;
		long		 line, col;
	} bad[] = {
		{ "{\"t\":[\"a\\u0000b\"]}", 1, 9 },
		{ "{\"t\":[\n {\"x\\u0000\":1}]}", 2, 5 },
		{ "{\"skipped\":\"\\u0000\",\"t\":[1]}", 1, 13 },
		{ "{\"t\":[\"\\ud800\\u0000\"]}", 1, 14 },
		{ "{\"t\":[\"\\\\\\u0000\"]}", 1, 10 },
	};
	struct tally_error err;
	struct seen s = { .stop_after = -1 };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(scan(bad[i].doc, paths, &s, &err),
		    TALLY_EPARSE);
		ck_assert_str_eq(err.message,
		    "NUL character (\\u0000) in a string");
		ck_assert_msg(err.line == bad[i].line &&
		    err.column == bad[i].col, "case %zu: at %ld:%ld", i,
		    err.line, err.column);
		ck_assert_int_eq(s.n, 0);
		tally_buf_free(&s.log);
	}
	ck_assert_int_eq(scan("{\"t\":[\"c\\\\u0000d\"]}", paths, &s, &err),
	    TALLY_OK);
	ck_assert_str_eq(s.log.data, "0:-:0=\"c\\\\u0000d\";");
	tally_buf_free(&s.log);
}
END_TEST

START_TEST(lone_surrogates_are_repaired)
{
	static const char *const paths[] = { "t[*]", NULL };
	struct tally_error err;
	struct seen s = { .stop_after = -1 };

	/* Lone surrogates, which cJSON refuses, become U+FFFD; pairs stay. */
	ck_assert_int_eq(scan("{\"t\":[\"\\ud800x\\udc00\\ud83d\\ude00"
	    "\\ud800\\n\"]}", paths, &s, &err), TALLY_OK);
	ck_assert_str_eq(s.log.data, "0:-:0=\"\xef\xbf\xbdx\xef\xbf\xbd"
	    "\xf0\x9f\x98\x80\xef\xbf\xbd\\n\";");
	tally_buf_free(&s.log);
}
END_TEST

START_TEST(huge_numbers)
{
	static const char *const paths[] = { "t[*]", NULL };
	struct tally_error err;
	struct seen s = { .stop_after = -1 };

	/* Skipped: only syntax matters. */
	ck_assert_int_eq(scan("{\"x\":1e999,\"t\":[]}", paths, &s, &err),
	    TALLY_OK);
	tally_buf_free(&s.log);
	/* Captured: refused like any non-finite number. */
	ck_assert_int_eq(scan("{\"t\":[2,{\"d\":-1e999}]}", paths, &s, &err),
	    TALLY_EPARSE);
	ck_assert_str_eq(err.message, "number out of range");
	ck_assert_str_eq(s.log.data, "0:-:0=2;");
	tally_buf_free(&s.log);
}
END_TEST

START_TEST(callback_status_stops_the_scan)
{
	static const char *const paths[] = { "[*]", NULL };
	struct tally_error err;
	struct seen s = { .stop_after = 2 };

	ck_assert_int_eq(scan("[1,2,3,oops", paths, &s, &err), TALLY_ESTOP);
	ck_assert_str_eq(s.log.data, "0:-:0=1;0:-:1=2;");
	tally_buf_free(&s.log);
}
END_TEST

START_TEST(values_across_buffer_boundaries)
{
	static const char *const paths[] = { "t[*]", NULL };
	struct tally_error err;
	struct seen s = { .stop_after = -1 };
	struct tally_buf doc;
	cJSON *j;
	int i;

	/* 300 KiB of strings with escapes, read in 64 KiB chunks. */
	tally_buf_init(&doc);
	tally_buf_adds(&doc, "{\"skip\":\"");
	for (i = 0; i < 20000; i++)
		tally_buf_adds(&doc, "ab\\u00e9\\n");
	tally_buf_adds(&doc, "\",\"t\":[\"");
	for (i = 0; i < 20000; i++)
		tally_buf_adds(&doc, "xy\\u0041\\t");
	tally_buf_adds(&doc, "\"]}");
	ck_assert_int_eq(scan(doc.data, paths, &s, &err), TALLY_OK);
	ck_assert_int_eq(s.n, 1);
	/* The log is "0:-:0=" + the value + ";". */
	j = cJSON_Parse(s.log.data + 6);
	ck_assert_ptr_nonnull(j);
	ck_assert_uint_eq(strlen(j->valuestring), 20000 * 4);
	ck_assert_int_eq(strncmp(j->valuestring, "xyA\txyA\t", 8), 0);
	cJSON_Delete(j);
	tally_buf_free(&s.log);
	tally_buf_free(&doc);
}
END_TEST

START_TEST(containers_reached)
{
	static const char *const paths[] = { "r.tests[*]", "m.*", "top",
	    "r.x[*]", NULL };
	struct tally_error err;
	struct seen s = { .stop_after = -1 };

	/* Empty containers count; a container of the wrong kind does not. */
	ck_assert_int_eq(scan("{\"r\":{\"tests\":[],\"x\":{}},\"m\":{}}",
	    paths, &s, &err), TALLY_OK);
	ck_assert_uint_eq(s.reached, 1u | 2u | 4u);
	ck_assert_uint_eq(s.n, 0);
	tally_buf_free(&s.log);
	ck_assert_int_eq(scan("{\"r\":{\"tests\":{}},\"m\":[]}", paths, &s,
	    &err), TALLY_OK);
	ck_assert_uint_eq(s.reached, 4u);
	tally_buf_free(&s.log);
	ck_assert_int_eq(scan("[{\"r\":{\"tests\":[]}}]", paths, &s, &err),
	    TALLY_OK);
	ck_assert_uint_eq(s.reached, 0);
	tally_buf_free(&s.log);
}
END_TEST

START_TEST(values_over_the_limit)
{
	static const char *const paths[] = { "[*]", NULL };
	struct tally_error err;
	struct seen s = { .stop_after = -1 };
	size_t n = TALLY_JSCAN_MAX + 16;
	char *doc = malloc(n + 8);

	memset(doc, 'a', n + 8);
	memcpy(doc, "[1,\"", 4);
	memcpy(doc + n + 4, "\"]", 3);
	ck_assert_int_eq(scan(doc, paths, &s, &err), TALLY_ELIMIT);
	ck_assert_str_eq(err.message, "value larger than the 64 MiB limit");
	ck_assert_str_eq(s.log.data, "0:-:0=1;");
	tally_buf_free(&s.log);
	free(doc);
}
END_TEST

START_TEST(bad_paths_are_refused)
{
	static const char *const paths[] = { "", NULL };
	struct tally_error err;
	struct seen s = { .stop_after = -1 };

	ck_assert_int_eq(scan("{}", paths, &s, &err), TALLY_EINVAL);
	tally_buf_free(&s.log);
}
END_TEST

/* The detector picks each fixture's reader from its first 64 KiB. */
static const struct {
	const char		*file;
	enum tally_format	 fmt;
} detect[] = {
	{ "ctrf-legacy-jest-ansi-ai.json", TALLY_FMT_CTRF },
	{ "ctrf-spec-comprehensive.json", TALLY_FMT_CTRF },
	{ "ctrf-spec-minimal.json", TALLY_FMT_CTRF },
	{ "ctrf-spec-with-retries.json", TALLY_FMT_CTRF },
	{ "cypress-ctrf-json-reporter-failure.json", TALLY_FMT_CTRF },
	{ "cypress-ctrf-specversion-0.0.0-339-tests.json", TALLY_FMT_CTRF },
	{ "jest-ctrf-json-reporter-2023.json", TALLY_FMT_CTRF },
	{ "jest-aggregated-ansi-escapes.json", TALLY_FMT_JEST },
	{ "jest-aggregated-failure-details.json", TALLY_FMT_JEST },
	{ "jest-aggregated-retried.json", TALLY_FMT_JEST },
	{ "jest-aggregated-suite-compile-failure.json", TALLY_FMT_JEST },
	{ "mocha-json-reporter-nested.json", TALLY_FMT_MOCHA },
	{ "mocha-json-reporter-simple.json", TALLY_FMT_MOCHA },
	{ "mochawesome-nested-suites.json", TALLY_FMT_MOCHA },
	{ "pytest-json-report-0.8-sample.json", TALLY_FMT_PYTEST_JSON },
	{ "pytest-benchmark-2.5.0-storage-0001.json", TALLY_FMT_BENCHMARK },
	{ "pytest-benchmark-2.5.0-storage-0030.json", TALLY_FMT_BENCHMARK },
	{ "pytest-benchmark-3.2.2-macos.json", TALLY_FMT_BENCHMARK },
	{ "pytest-benchmark-3.2.2-several-units.json", TALLY_FMT_BENCHMARK },
	{ "k6-handleSummary-grpc-root-group.json", TALLY_FMT_K6 },
	{ "k6-handleSummary-http-simple.json", TALLY_FMT_K6 },
	{ "playwright-json-wrong-shape.json", TALLY_FMT_AUTO },
};

START_TEST(detects_json_formats)
{
	char path[256], *head = malloc(65536);
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "tests/data/json/%s", detect[_i].file);
	ck_assert_ptr_nonnull(fp = fopen(path, "rb"));
	n = fread(head, 1, 65536, fp);
	fclose(fp);
	ck_assert_int_eq(tally_format_detect((unsigned char *)head, n),
	    detect[_i].fmt);
	free(head);
}
END_TEST

START_TEST(detection_looks_at_member_names)
{
	static const char *jest = "{\"testResults\":[{\"assertionResults\":"
	    "[{\"title\":\"results\",\"status\":\"passed\"},{\"title\":"
	    "\"tool\"}]}]}";
	static const char *ctrf = "{ \"results\" : { \"summary\" :{}}}";

	ck_assert_int_eq(tally_format_detect((const unsigned char *)jest,
	    strlen(jest)), TALLY_FMT_JEST);
	ck_assert_int_eq(tally_format_detect((const unsigned char *)ctrf,
	    strlen(ctrf)), TALLY_FMT_CTRF);
}
END_TEST

Suite *suite_jsonscan(void);

Suite *
suite_jsonscan(void)
{
	Suite *s = suite_create("jsonscan");
	TCase *tc = tcase_create("scan");

	tcase_add_test(tc, captures_values_at_paths);
	tcase_add_test(tc, wildcard_member_names_and_escaped_keys);
	tcase_add_test(tc, valid_documents_of_every_kind);
	tcase_add_loop_test(tc, reports_the_first_fault, 0,
	    sizeof(faults) / sizeof(faults[0]));
	tcase_add_test(tc, nul_bytes_are_refused);
	tcase_add_test(tc, truncated_input_keeps_what_came_before);
	tcase_add_test(tc, nesting_is_limited);
	tcase_add_test(tc, duplicate_keys);
	tcase_add_test(tc, duplicate_keys_among_many);
	tcase_add_test(tc, nul_escape_is_refused);
	tcase_add_test(tc, lone_surrogates_are_repaired);
	tcase_add_test(tc, huge_numbers);
	tcase_add_test(tc, callback_status_stops_the_scan);
	tcase_add_test(tc, values_across_buffer_boundaries);
	tcase_add_test(tc, containers_reached);
	tcase_add_test(tc, values_over_the_limit);
	tcase_add_test(tc, bad_paths_are_refused);
	tcase_add_loop_test(tc, detects_json_formats, 0,
	    sizeof(detect) / sizeof(detect[0]));
	tcase_add_test(tc, detection_looks_at_member_names);
	suite_add_tcase(s, tc);
	return s;
}
