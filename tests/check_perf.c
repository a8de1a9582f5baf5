/*
 * tests/check_perf.c: perf figures by name and the gates on them
 * (lib/perf.c): parsing with units, matching rows, checking limits and
 * regressions.
 */
#include <math.h>
#include <string.h>

#include <check.h>

#include <tally/perf.h>

#include "testutil.h"

/* Locust's "GET /api/v1/fees/6" row of bitcoin-api_stats.csv. */
static struct tally_perf
row(void)
{
	static struct tally_kv kv[] = { { "stddev", "1.5" } };
	struct tally_perf p;

	memset(&p, 0, sizeof(p));
	p.name = "/api/v1/fees/6";
	p.method = "GET";
	p.requests = 104;
	p.failures = 104;
	p.mean = 22.7888413490011;
	p.min = 2.6325001381337643;
	p.max = 2021.1833000648767;
	p.median = 3;
	p.p90 = 5;
	p.p95 = 7;
	p.p99 = 11;
	p.rps = 1.7555239855626;
	p.properties = kv;
	p.nproperties = 1;
	return p;
}

START_TEST(figures_by_name)
{
	struct tally_perf p = row();
	enum tally_perf_fig f;

	ck_assert_int_eq(tally_perf_fig_parse("p95", 3, &f), TALLY_OK);
	ck_assert_int_eq(f, TALLY_PF_P95);
	ck_assert_int_eq(tally_perf_fig_parse("mean", 4, &f), TALLY_OK);
	ck_assert_int_eq(f, TALLY_PF_AVG);
	ck_assert_int_eq(tally_perf_fig_parse("p50", 3, &f), TALLY_OK);
	ck_assert_int_eq(f, TALLY_PF_MEDIAN);
	ck_assert_int_eq(tally_perf_fig_parse("p9", 2, &f), TALLY_EINVAL);
	ck_assert_int_eq(tally_perf_fig_parse("p95x", 4, &f), TALLY_EINVAL);
	ck_assert_str_eq(tally_perf_fig_name(TALLY_PF_ERROR_RATE),
	    "error-rate");
	ck_assert(tally_perf_fig_get(&p, TALLY_PF_ERROR_RATE) == 100);
	ck_assert(tally_perf_fig_get(&p, TALLY_PF_STDDEV) == 1.5);
	ck_assert(tally_perf_fig_get(&p, TALLY_PF_P99) == 11);
	p.failures = -1;
	ck_assert(tally_perf_fig_get(&p, TALLY_PF_ERROR_RATE) == -1);
	p.nproperties = 0;
	ck_assert(tally_perf_fig_get(&p, TALLY_PF_STDDEV) == -1);
}
END_TEST

START_TEST(gates_parse_with_units)
{
	struct tally_perf_gate g;
	struct tally_error err;

	tally_error_init(&err, NULL);
	ck_assert_int_eq(tally_perf_gate_parse(&g, TALLY_PG_MAX, "p95=300ms",
	    &err), TALLY_OK);
	ck_assert(g.target == NULL && g.fig == TALLY_PF_P95 && g.limit == 300);
	ck_assert_int_eq(tally_perf_gate_parse(&g, TALLY_PG_MAX, "p99=1.5s",
	    &err), TALLY_OK);
	ck_assert(g.limit == 1500);
	ck_assert_int_eq(tally_perf_gate_parse(&g, TALLY_PG_MIN, "rps=50/s",
	    &err), TALLY_OK);
	ck_assert(g.limit == 50);
	/* The endpoint is everything before the last ':' ahead of '='. */
	ck_assert_int_eq(tally_perf_gate_parse(&g, TALLY_PG_MAX,
	    "GET http://h:8080/x:error-rate=1%", &err), TALLY_OK);
	ck_assert_uint_eq(g.ntarget, strlen("GET http://h:8080/x"));
	ck_assert(g.fig == TALLY_PF_ERROR_RATE && g.limit == 1);
	ck_assert_int_eq(tally_perf_gate_parse(&g, TALLY_PG_REGRESSION,
	    "*:p95=10%", &err), TALLY_OK);
	ck_assert(g.ntarget == 1 && g.limit == 10);

	ck_assert_int_eq(tally_perf_gate_parse(&g, TALLY_PG_MAX, "p95=1h",
	    &err), TALLY_EINVAL);
	ck_assert_str_eq(err.message,
	    "gate 'p95=1h': not a unit of time: 'h'");
	ck_assert_int_eq(tally_perf_gate_parse(&g, TALLY_PG_MAX,
	    "error-rate=5ms", &err), TALLY_EINVAL);
	ck_assert_str_eq(err.message,
	    "gate 'error-rate=5ms': a rate needs '%': 'ms'");
	ck_assert_int_eq(tally_perf_gate_parse(&g, TALLY_PG_MAX, "p95=",
	    &err), TALLY_EINVAL);
	ck_assert_str_eq(err.message, "gate 'p95=': no value after '='");
	ck_assert_int_eq(tally_perf_gate_parse(&g, TALLY_PG_MAX, "x:fast=1",
	    &err), TALLY_EINVAL);
	ck_assert_str_eq(err.message, "gate 'x:fast=1': unknown figure 'fast'");
	ck_assert_int_eq(tally_perf_gate_parse(&g, TALLY_PG_MAX,
	    "requests=-1", &err), TALLY_EINVAL);
	ck_assert_str_eq(err.message,
	    "gate 'requests=-1': not a number: '-1'");
}
END_TEST

START_TEST(gates_match_and_check)
{
	static struct tally_kv agg[] = { { "aggregated", "true" } };
	static struct tally_kv ser[] = { { "series", "locust-history" } };
	struct tally_perf p = row(), a = row(), s = row(), base = row();
	struct tally_perf_gate g;
	struct tally_error err;
	double v;

	a.name = "Aggregated";
	a.method = NULL;
	a.properties = agg;
	s.properties = ser;
	tally_error_init(&err, NULL);
	tally_perf_gate_parse(&g, TALLY_PG_MAX, "p95=7ms", &err);
	ck_assert(!tally_perf_gate_matches(&g, &p));
	ck_assert(tally_perf_gate_matches(&g, &a));
	ck_assert_int_eq(tally_perf_gate_check(&g, &a, NULL, &v), 0);
	ck_assert(v == 7);
	tally_perf_gate_parse(&g, TALLY_PG_MAX, "GET /api/v1/fees/6:p99=10ms",
	    &err);
	ck_assert(tally_perf_gate_matches(&g, &p));
	ck_assert(!tally_perf_gate_matches(&g, &a));
	ck_assert(!tally_perf_gate_matches(&g, &s));	/* a time series */
	ck_assert_int_eq(tally_perf_gate_check(&g, &p, NULL, &v), 1);
	tally_perf_gate_parse(&g, TALLY_PG_MAX, "/api/v1/fees/6:p99=10ms",
	    &err);
	ck_assert(tally_perf_gate_matches(&g, &p));
	tally_perf_gate_parse(&g, TALLY_PG_MIN, "*:rps=2", &err);
	ck_assert(tally_perf_gate_matches(&g, &p));
	ck_assert_int_eq(tally_perf_gate_check(&g, &p, NULL, &v), 1);
	p.rps = -1;
	ck_assert_int_eq(tally_perf_gate_check(&g, &p, NULL, &v), -1);

	/* Regressions: up is worse for times, down for throughput. */
	p = row();
	base.p95 = 5;
	base.rps = 3.5;
	tally_perf_gate_parse(&g, TALLY_PG_REGRESSION, "*:p95=40%", &err);
	ck_assert_int_eq(tally_perf_gate_check(&g, &p, &base, &v), 0);
	ck_assert(fabs(v - 40) < 1e-9);
	tally_perf_gate_parse(&g, TALLY_PG_REGRESSION, "*:p95=39%", &err);
	ck_assert_int_eq(tally_perf_gate_check(&g, &p, &base, &v), 1);
	tally_perf_gate_parse(&g, TALLY_PG_REGRESSION, "*:rps=49%", &err);
	ck_assert_int_eq(tally_perf_gate_check(&g, &p, &base, &v), 1);
	ck_assert(v < -49.8 && v > -49.9);
	ck_assert_int_eq(tally_perf_gate_check(&g, &p, NULL, &v), -1);
	base.p95 = 0;
	tally_perf_gate_parse(&g, TALLY_PG_REGRESSION, "*:p95=1000%", &err);
	ck_assert_int_eq(tally_perf_gate_check(&g, &p, &base, &v), 1);
	ck_assert(isinf(v));
}
END_TEST

Suite *suite_perf(void);

Suite *
suite_perf(void)
{
	Suite *s = suite_create("perf");
	TCase *tc = tcase_create("perf");

	tcase_add_test(tc, figures_by_name);
	tcase_add_test(tc, gates_parse_with_units);
	tcase_add_test(tc, gates_match_and_check);
	suite_add_tcase(s, tc);
	return s;
}
