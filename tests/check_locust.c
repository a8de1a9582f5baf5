/*
 * tests/check_locust.c: the Locust CSV reader.  Expected figures were
 * taken from the fixtures with Python's csv module, not from the reader.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "internal.h"
#include "testutil.h"

#define D "tests/data/locust/"

/* Read a string that must fail; err is filled. */
static void
read_bad(const char *in, struct capture *c, struct tally_error *err)
{
	capture_init(c);
	ck_assert_int_eq(read_string(in, "bad.csv", TALLY_FMT_AUTO, c, err),
	    TALLY_EPARSE);
	ck_assert_uint_eq(c->nerrors, 1);
	ck_assert_str_eq(err->file, "bad.csv");
}

START_TEST(stats_rows_become_perf_records)
{
	struct capture c;
	const char *l;

	read_fixture(D "bitcoin-api_stats.csv", &c);
	/* 8 endpoints and the Aggregated row. */
	ck_assert_uint_eq(c.n, 9);
	ck_assert_uint_eq(capture_count(&c, "\"type\":\"perf\""), 9);
	ck_assert_uint_eq(c.ntests, 0);
	l = capture_one(&c, "\"name\":\"/api/v1/fees/6\"", NULL);
	HAS(l, "\"method\":\"GET\",\"requests\":104,\"failures\":104,");
	HAS(l, "\"mean\":22.7888413490011,");
	HAS(l, "\"median\":3,\"p90\":5,\"p95\":7,\"p99\":11,");
	HAS(l, "\"rps\":1.7555239855626,");
	HAS(l, "{\"name\":\"Average Content Size\",\"value\":\"154.0\"}");
	HAS(l, "{\"name\":\"99.99%\",\"value\":\"2000\"}");
	/* Mapped columns are not repeated, and no stray CR survives. */
	HASNT(l, "\"Request Count\"");
	HASNT(l, "\\r");
	l = capture_one(&c, "\"name\":\"Aggregated\"", NULL);
	HAS(l, "\"requests\":2210,\"failures\":1607,");
	HAS(l, "{\"name\":\"aggregated\",\"value\":\"true\"}");
	HASNT(l, "\"method\"");
	capture_fini(&c);
}
END_TEST

START_TEST(custom_percentiles)
{
	struct capture c;
	struct tally_error err;
	const char *l;

	capture_init(&c);
	ck_assert_int_eq(read_file(D "grpc_stats.csv", TALLY_FMT_LOCUST, &c,
	    &err), TALLY_OK);
	ck_assert_uint_eq(c.n, 2);
	l = capture_one(&c, "\"method\":\"grpc\"", NULL);
	HAS(l, "\"requests\":11779,\"failures\":0,");
	HAS(l, "\"median\":5100,\"p90\":7600,\"p95\":7800,\"p99\":8200,");
	HAS(l, "{\"name\":\"60%\",\"value\":\"5500\"}");
	HAS(l, "{\"name\":\"70%\",\"value\":\"6000\"}");
	capture_fini(&c);
}
END_TEST

START_TEST(failures_become_failed_tests)
{
	struct capture c;
	const char *l;

	read_fixture(D "bitcoin-api_failures.csv", &c);
	ck_assert_uint_eq(c.ntests, 7);
	ck_assert_uint_eq(c.nstatus[TALLY_FAILED], 7);
	l = capture_one(&c, "\"name\":\"GET /api/v1/fees/6: ", NULL);
	HAS(l, "\"name\":\"GET /api/v1/fees/6: HTTPError('429 Client Error: "
	    "Too Many Requests for url: /api/v1/fees/6')\"");
	HAS(l, "\"rawStatus\":\"failure\"");
	HAS(l, "\"message\":\"HTTPError('429 Client Error: Too Many Requests "
	    "for url: /api/v1/fees/6')\"");
	HAS(l, "\"properties\":[{\"name\":\"occurrences\",\"value\":\"104\"}]");
	capture_fini(&c);
}
END_TEST

/* A time series per endpoint; N/A percentiles of the first rows as "-". */
START_TEST(history_becomes_series)
{
	struct capture c;
	struct tally_error err;
	const char *l;

	read_fixture(D "bitcoin-api_stats_history.csv", &c);
	ck_assert_uint_eq(c.n, 1);
	l = capture_one(&c, "\"name\":\"Aggregated\"", NULL);
	/* The last snapshot's totals: _stats.csv's 2210 came after it. */
	HAS(l, "\"requests\":2050,\"failures\":1496,");
	HAS(l, "{\"name\":\"series\",\"value\":\"locust-history\"}");
	HAS(l, "{\"name\":\"series.t\",\"value\":\"0,1,2,");
	HAS(l, "{\"name\":\"series.p95\",\"value\":\"-,-,-,2200,2100,");
	HASNT(l, "\"method\"");
	capture_fini(&c);
	read_fixture(D "grpc_stats_history.csv", &c);
	ck_assert_uint_eq(c.n, 2);
	l = capture_one(&c, "\"method\":\"grpc\"", NULL);
	HAS(l, "\"requests\":11779,\"failures\":0,");
	/* The endpoint's first row is 5 s after the file's first. */
	HAS(l, "{\"name\":\"series.t\",\"value\":\"5,10,15,");
	HAS(l, "{\"name\":\"series.rps\",\"value\":\"10,29.25,50.7,");
	HAS(l, "{\"name\":\"series.p95\",\"value\":\"530,");
	capture_fini(&c);
	ck_assert_int_eq(read_file(D "grpc_exceptions-header-only.csv",
	    TALLY_FMT_AUTO, &c, &err), TALLY_OK);
	ck_assert_uint_eq(c.n, 0);
	capture_fini(&c);
}
END_TEST

START_TEST(quoted_fields)
{
	/* Locust 0.x quoted every field and named columns differently. */
	const char *in =
	    "\"Method\",\"Name\",\"# requests\",\"# failures\","
	    "\"Median response time\",\"Average response time\","
	    "\"Min response time\",\"Max response time\","
	    "\"Average Content Size\",\"Requests/s\"\r\n"
	    "\"POST\",\"/a,b \"\"c\"\"\",\"3\",\"1\",\"20\",\"21.5\",\"4\","
	    "\"50\",\"10\",\"0.5\"\r\n"
	    "\"GET\",\"/multi\nline\",\"1\",\"0\",\"\",\"N/A\",\"\",\"\",\"\","
	    "\"\"\r\n"
	    "\"None\",\"Total\",\"4\",\"1\",\"20\",\"21\",\"4\",\"50\",\"10\","
	    "\"0.7\"\r\n";
	struct capture c;
	struct tally_error err;
	const char *l;

	capture_init(&c);
	ck_assert_int_eq(read_string(in, "old.csv", TALLY_FMT_AUTO, &c, &err),
	    TALLY_OK);
	ck_assert_uint_eq(c.n, 3);
	l = capture_one(&c, "\"method\":\"POST\"", NULL);
	HAS(l, "\"name\":\"/a,b \\\"c\\\"\"");
	HAS(l, "\"requests\":3,\"failures\":1,\"mean\":21.5,\"min\":4,"
	    "\"max\":50,\"median\":20,\"rps\":0.5,");
	l = capture_one(&c, "\"name\":\"/multi\\nline\"", NULL);
	HAS(l, "\"requests\":1,\"failures\":0,\"properties\":[{\"name\":"
	    "\"testFile\",\"value\":\"locustfile.py\"}],\"source\"");
	HASNT(l, "\"mean\"");
	HAS(capture_one(&c, "\"name\":\"Total\"", NULL), "\"aggregated\"");
	capture_fini(&c);
}
END_TEST

START_TEST(byte_order_mark)
{
	const char *in = "\xEF\xBB\xBFType,Name,Request Count\r\nPUT,/x,7\r\n";
	struct capture c;
	struct tally_error err;

	capture_init(&c);
	ck_assert_int_eq(read_string(in, "bom.csv", TALLY_FMT_AUTO, &c, &err),
	    TALLY_OK);
	ck_assert_uint_eq(c.n, 1);
	HAS(c.lines[0], "\"name\":\"/x\",\"method\":\"PUT\",\"requests\":7,");
	/* No column is left over as a property: the mark is not a name. */
	HAS(c.lines[0], "\"properties\":[{\"name\":\"testFile\",\"value\":"
	    "\"locustfile.py\"}],");
	capture_fini(&c);
}
END_TEST

START_TEST(exceptions_keep_tracebacks)
{
	const char *in =
	    "Count,Message,Traceback,Nodes\n"
	    "3,ZeroDivisionError('division by zero'),\"  File \"\"x.py\"\", "
	    "line 2\n    1/0\n\",local\n";
	struct capture c;
	struct tally_error err;
	const char *l;

	capture_init(&c);
	ck_assert_int_eq(read_string(in, "e.csv", TALLY_FMT_AUTO, &c, &err),
	    TALLY_OK);
	ck_assert_uint_eq(c.ntests, 1);
	l = c.lines[0];
	HAS(l, "\"name\":\"ZeroDivisionError('division by zero')\"");
	HAS(l, "\"rawStatus\":\"exception\"");
	HAS(l, "\"trace\":\"  File \\\"x.py\\\", line 2\\n    1/0\\n\"");
	HAS(l, "[{\"name\":\"Nodes\",\"value\":\"local\"},{\"name\":"
	    "\"occurrences\",\"value\":\"3\"}]");
	capture_fini(&c);
}
END_TEST

START_TEST(rows_before_a_fault_are_kept)
{
	const char *in =
	    "Type,Name,Request Count,Failure Count\n"
	    "GET,/a,1,0\n"
	    "\n"
	    "GET,/b,x2,0\n"
	    "GET,/c,1,0\n";
	struct capture c;
	struct tally_error err;

	read_bad(in, &c, &err);
	ck_assert_uint_eq(c.n, 2);
	HAS(c.lines[0], "\"name\":\"/a\"");
	ck_assert_int_eq(err.line, 4);
	ck_assert_int_eq(err.column, 3);
	ck_assert_str_eq(err.message, "'Request Count' is not a number");
	HAS(c.lines[1], "\"type\":\"error\",\"line\":4,\"column\":3,");
	capture_fini(&c);
}
END_TEST

START_TEST(csv_faults_name_their_line)
{
	static const struct {
		const char	*in;
		long		 line;
		const char	*msg;
	} bad[] = {
		{ "Type,Name,Request Count\nGET,/a,1\nGET,/b\n", 3,
		    "row has 2 fields, the header 3" },
		{ "Type,Name,Request Count\nGET,\"/a\nstill open,1\n", 2,
		    "quoted field not closed at end of file" },
		{ "Type,Name,Request Count\nGET,\"/a\"x,1\n", 2,
		    "text after a closing quote" },
		{ "Type,Name,Request Count\nGET,/a\"b,1\n", 2,
		    "quote inside an unquoted field" },
		{ "Type,Name,Request Count\nGET,/a,-1\n", 2,
		    "'Request Count' is not a number" },
		{ "Type,Name,Request Count\nGET,/a,1.5\n", 2,
		    "'Request Count' is not a count" },
		{ "Type,Name,Request Count,Requests/s\nGET,/a,1,inf\n", 2,
		    "'Requests/s' is not a number" },
	};
	struct capture c;
	struct tally_error err;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		read_bad(bad[i].in, &c, &err);
		ck_assert_msg(err.line == bad[i].line, "case %zu: line %ld", i,
		    err.line);
		ck_assert_str_eq(err.message, bad[i].msg);
		capture_fini(&c);
	}
}
END_TEST

START_TEST(not_locust_csv)
{
	struct capture c;
	struct tally_error err;

	capture_init(&c);
	ck_assert_int_eq(read_string("a,b,c\n1,2,3\n", "x.csv",
	    TALLY_FMT_LOCUST, &c, &err), TALLY_EPARSE);
	ck_assert_str_eq(err.message, "not a Locust CSV header");
	ck_assert_int_eq(read_string("", "e.csv", TALLY_FMT_LOCUST, &c, &err),
	    TALLY_EPARSE);
	ck_assert_str_eq(err.message, "empty input");
	/* Unrecognized when detecting. */
	ck_assert_int_eq(read_string("a,b,c\n", "y.csv", TALLY_FMT_AUTO, &c,
	    &err), TALLY_EPARSE);
	ck_assert_str_eq(err.message, "unrecognized format");
	ck_assert_uint_eq(c.nerrors, 3);
	capture_fini(&c);
}
END_TEST

START_TEST(detects_each_header)
{
	static const char *yes[] = {
	    "Type,Name,Request Count,Failure Count\r\n",
	    "\"Method\",\"Name\",\"# requests\",\"# failures\"\n",
	    "Method,Name,Error,Occurrences\r\r\n",
	    "Count,Message,Traceback,Nodes\n",
	    ("Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,"
	    "Total Request Count\n"),
	};
	static const char *no[] = {
	    "Name,Count\n", "Method,Name,Error\n",
	    "Type,Nom,Request Count\n",
	    /* The words on a later line do not count. */
	    "id\nName,Request Count\n",
	};
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		ck_assert_msg(tally_format_detect((const unsigned char *)yes[i],
		    strlen(yes[i])) == TALLY_FMT_LOCUST, "yes %zu", i);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		ck_assert_msg(tally_format_detect((const unsigned char *)no[i],
		    strlen(no[i])) == TALLY_FMT_AUTO, "no %zu", i);
}
END_TEST

START_TEST(too_many_fields)
{
	struct tally_buf b;
	struct capture c;
	struct tally_error err;
	int i;

	tally_buf_init(&b);
	tally_buf_adds(&b, "Type,Name,Request Count\nGET,/a,1");
	for (i = 0; i < 2000; i++)
		tally_buf_adds(&b, ",");
	tally_buf_adds(&b, "\n");
	capture_init(&c);
	ck_assert_int_eq(read_string(b.data, "w.csv", TALLY_FMT_AUTO, &c,
	    &err), TALLY_ELIMIT);
	ck_assert_int_eq(err.line, 2);
	ck_assert_uint_eq(c.nerrors, 1);
	tally_buf_free(&b);
	capture_fini(&c);
}
END_TEST

Suite *suite_locust(void);

Suite *
suite_locust(void)
{
	Suite *s = suite_create("locust");
	TCase *tc = tcase_create("locust");

	tcase_add_test(tc, stats_rows_become_perf_records);
	tcase_add_test(tc, custom_percentiles);
	tcase_add_test(tc, failures_become_failed_tests);
	tcase_add_test(tc, history_becomes_series);
	tcase_add_test(tc, quoted_fields);
	tcase_add_test(tc, byte_order_mark);
	tcase_add_test(tc, exceptions_keep_tracebacks);
	tcase_add_test(tc, rows_before_a_fault_are_kept);
	tcase_add_test(tc, csv_faults_name_their_line);
	tcase_add_test(tc, not_locust_csv);
	tcase_add_test(tc, detects_each_header);
	tcase_add_test(tc, too_many_fields);
	suite_add_tcase(s, tc);
	return s;
}
