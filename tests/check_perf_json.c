/* tests/check_perf_json.c: pytest-benchmark and k6 summaries. */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "internal.h"
#include "testutil.h"

#define D "tests/data/json/"

/* Benchmarks per file, counted with python3's json module. */
static const struct {
	const char	*file;
	size_t		 nbench;
	const char	*first;	/* the start of its first perf record */
} benches[] = {
	{ D "pytest-benchmark-2.5.0-storage-0001.json", 1,
	    "{\"v\":1,\"type\":\"perf\",\"name\":\"tests/test_normal.py::"
	    "test_xfast_parametrized[0]\",\"requests\":9987,\"mean\":"
	    "0.000262240813265495," },
	{ D "pytest-benchmark-2.5.0-storage-0030.json", 1,
	    "{\"v\":1,\"type\":\"perf\",\"name\":\"tests/test_normal.py::"
	    "test_xfast_parametrized[0]\",\"requests\":9710," },
	{ D "pytest-benchmark-3.2.2-macos.json", 2,
	    "{\"v\":1,\"type\":\"perf\",\"name\":\"bench.py::test_fib_10\","
	    "\"requests\":38523,\"mean\":0.0240886813332294,\"min\":"
	    "0.022067000000181,\"max\":0.312599999999996,\"median\":"
	    "0.0223000000003637,\"rps\":41513.2728174929," },
	{ D "pytest-benchmark-3.2.2-several-units.json", 4,
	    "{\"v\":1,\"type\":\"perf\",\"name\":\"bench.py::test_fib_1\","
	    "\"requests\":68536," },
};

START_TEST(benchmark_corpus)
{
	struct capture c;

	read_fixture(benches[_i].file, &c);
	ck_assert_uint_eq(capture_count(&c, "\"type\":\"perf\""),
	    benches[_i].nbench);
	ck_assert_uint_eq(c.n, benches[_i].nbench + 1);
	ck_assert_int_eq(strncmp(c.lines[0], benches[_i].first,
	    strlen(benches[_i].first)), 0);
	ck_assert_ptr_nonnull(strstr(c.lines[c.n - 1], "\"type\":\"meta\""));
	ck_assert_ptr_nonnull(strstr(c.lines[c.n - 1], "\"commit_info.id\":"));
	ck_assert_uint_eq(c.ntests, 0);
	capture_fini(&c);
}
END_TEST

START_TEST(benchmark_seconds_become_ms)
{
	struct capture c;
	struct tally_error err;

	capture_init(&c);
	ck_assert_int_eq(read_file(D "pytest-benchmark-3.2.2-several-units.json",
	    TALLY_FMT_BENCHMARK, &c, &err), TALLY_OK);
	/* test_sleep_2 sleeps 2 s: mean 2.0038430469999997 s. */
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"bench.py::test_sleep_2\""
	    ",\"requests\":5,\"mean\":2003.843047,"), 1);
	capture_fini(&c);
	capture_init(&c);
	ck_assert_int_eq(read_string("{\"machine_info\":{},\"benchmarks\":[{"
	    "\"name\":\"t\",\"group\":\"g\",\"stats\":{\"mean\":0.5,\"rounds\":"
	    "3}}]}", "b.json", TALLY_FMT_AUTO, &c, &err), TALLY_OK);
	ck_assert_str_eq(c.lines[0], "{\"v\":1,\"type\":\"perf\",\"name\":\"t\","
	    "\"method\":\"g\",\"requests\":3,\"mean\":500,\"rps\":2,\"source\":"
	    "\"b.json\"}\n");
	capture_fini(&c);
}
END_TEST

START_TEST(k6_http_summary)
{
	struct capture c;

	read_fixture(D "k6-handleSummary-http-simple.json", &c);
	/* 10 trend metrics; 2 thresholds and 2 checks as tests. */
	ck_assert_uint_eq(capture_count(&c, "\"type\":\"perf\""), 10);
	ck_assert_uint_eq(c.ntests, 4);
	/* The aggregate row: http_reqs' count and rate, http_req_failed's
	 * failed requests (its "passes"). */
	ck_assert_uint_eq(capture_count(&c, "{\"v\":1,\"type\":\"perf\","
	    "\"name\":\"http_req_duration\",\"requests\":878,\"failures\":349,"
	    "\"mean\":21.3751312710706,\"min\":"
	    "0.259855,\"max\":143.326605,\"median\":20.090773,\"p90\":"
	    "26.3586512,\"p95\":30.0256841,\"p99\":39.5771363800001,"
	    "\"rps\":35.9463492241717,\"properties\":[{\"name\":\"contains\","
	    "\"value\":\"time\"},{\"name\":\"aggregated\",\"value\":"
	    "\"true\"}],"), 1);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"p(95)<1000\",\"status\":"
	    "\"passed\",\"classname\":\"http_req_duration\",\"category\":"
	    "\"threshold\""), 1);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"Status is ok\","
	    "\"status\":\"failed\",\"category\":\"check\",\"message\":\"349 of "
	    "439 checks failed\""), 1);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"NOT 500\",\"status\":"
	    "\"passed\",\"suite\":[\"Example group\"],\"category\":\"check\""),
	    1);
	ck_assert_uint_eq(capture_count(&c, "\"state.testRunDurationMs\":"
	    "\"24425.289882\""), 1);
	capture_fini(&c);
}
END_TEST

START_TEST(k6_grpc_summary)
{
	struct capture c;

	read_fixture(D "k6-handleSummary-grpc-root-group.json", &c);
	ck_assert_uint_eq(capture_count(&c, "\"type\":\"perf\""), 3);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"grpc_req_duration\""),
	    1);
	ck_assert_uint_eq(c.ntests, 3);
	ck_assert_uint_eq(c.nstatus[TALLY_FAILED], 1);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"rate >= 0.8\","
	    "\"status\":\"failed\",\"classname\":\"fake_rate\""), 1);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"status is OK\","
	    "\"status\":\"passed\""), 1);
	capture_fini(&c);
}
END_TEST

START_TEST(k6_summary_export)
{
	struct capture c;
	struct tally_error err;

	/* The older --summary-export layout: flat values, checks keyed by
	 * name, thresholds as booleans (true: crossed). */
	capture_init(&c);
	ck_assert_int_eq(read_string("{\"root_group\":{\"name\":\"\",\"path\":"
	    "\"\",\"groups\":{},\"checks\":{\"is 200\":{\"name\":\"is 200\","
	    "\"passes\":9,\"fails\":1}}},\"metrics\":{\"http_req_duration\":{"
	    "\"avg\":10,\"min\":1,\"med\":9,\"max\":50,\"p(90)\":20,\"p(95)\":"
	    "30,\"thresholds\":{\"p(95)<25\":true}},\"http_reqs\":{\"count\":"
	    "10,\"rate\":2}}}", "k.json", TALLY_FMT_AUTO, &c, &err), TALLY_OK);
	ck_assert_uint_eq(c.n, 3);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"is 200\",\"status\":"
	    "\"failed\",\"category\":\"check\",\"message\":\"1 of 10 checks "
	    "failed\""), 1);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"p(95)<25\",\"status\":"
	    "\"failed\""), 1);
	/* No http_req_failed (k6 before 0.31): failures unknown. */
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"http_req_duration\","
	    "\"requests\":10,\"mean\":10,\"min\":1,\"max\":50,\"median\":9,"
	    "\"p90\":20,\"p95\":30,\"rps\":2,\"properties\":[{\"name\":"
	    "\"aggregated\",\"value\":\"true\"}],\"source\""), 1);
	capture_fini(&c);
}
END_TEST

START_TEST(truncated_perf_files)
{
	struct capture c;
	struct tally_error err;

	capture_init(&c);
	ck_assert_int_eq(read_string("{\"machine_info\":{\"node\":\"n\"},\n"
	    "\"benchmarks\":[{\"name\":\"a\",\"stats\":{\"mean\":1}},\n"
	    "{\"name\":\"b\",\"stats\":{\"mean\":", "b.json", TALLY_FMT_AUTO,
	    &c, &err), TALLY_EPARSE);
	ck_assert_uint_eq(capture_count(&c, "\"type\":\"perf\""), 1);
	ck_assert_uint_eq(capture_count(&c, "\"machine_info.node\":\"n\""), 1);
	ck_assert_uint_eq(c.nerrors, 1);
	ck_assert_int_eq(err.line, 3);
	capture_fini(&c);
	capture_init(&c);
	ck_assert_int_eq(read_string("{\"metrics\":{\"a\":{\"type\":\"trend\","
	    "\"values\":{\"avg\":1,\"med\":1}},\"b\":{\"type\":\"trend\",]}}",
	    "k.json", TALLY_FMT_K6, &c, &err), TALLY_EPARSE);
	ck_assert_uint_eq(capture_count(&c, "\"type\":\"perf\""), 1);
	ck_assert_str_eq(err.message, "expected a member name, found ']'");
	capture_fini(&c);
}
END_TEST

Suite *suite_perf_json(void);

Suite *
suite_perf_json(void)
{
	Suite *s = suite_create("perf_json");
	TCase *tc = tcase_create("read");

	tcase_add_loop_test(tc, benchmark_corpus, 0,
	    sizeof(benches) / sizeof(benches[0]));
	tcase_add_test(tc, benchmark_seconds_become_ms);
	tcase_add_test(tc, k6_http_summary);
	tcase_add_test(tc, k6_grpc_summary);
	tcase_add_test(tc, k6_summary_export);
	tcase_add_test(tc, truncated_perf_files);
	suite_add_tcase(s, tc);
	return s;
}
