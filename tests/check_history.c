/*
 * tests/check_history.c: tally history's figures on constructed runs:
 * percentiles, flips over absent and skipped runs, flaky runs, failing
 * streaks, run order by metadata, bounded output per run.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include <tally/history.h>
#include <tally/merge.h>

#include "internal.h"
#include "testutil.h"

START_TEST(percentiles)
{
	double v[] = { 5, 1, 4, 2, 3 }, w[] = { 10, 40, 20, 30 };
	double one[] = { 7 }, twenty[20];
	int i;

	ck_assert(tally_median(v, 5) == 3);
	ck_assert(tally_median(w, 4) == 25);
	ck_assert(tally_percentile(w, 4, 95) == 40);
	ck_assert(tally_percentile(one, 1, 95) == 7);
	for (i = 0; i < 20; i++)
		twenty[i] = 20 - i;
	/* Nearest rank: the 19th of 20. */
	ck_assert(tally_percentile(twenty, 20, 95) == 19);
	ck_assert(tally_median(NULL, 0) == -1);
}
END_TEST

static void
add_test(struct tally_merge *m, const char *name, enum tally_status st,
    double ms, int flaky)
{
	struct tally_record r;
	struct tally_error err;

	tally_record_init(&r, TALLY_REC_TEST);
	r.u.test.name = name;
	r.u.test.status = st;
	r.u.test.duration = ms;
	if (flaky) {
		/* A failed attempt, then this pass. */
		struct tally_attempt a = { TALLY_FAILED, NULL, 1, NULL, NULL,
		    NULL, NULL, NULL };

		r.u.test.attempts = &a;
		r.u.test.nattempts = 1;
		r.u.test.retries = 1;
		ck_assert_int_eq(tally_merge_add(m, &r, &err), TALLY_OK);
		return;
	}
	ck_assert_int_eq(tally_merge_add(m, &r, &err), TALLY_OK);
}

static void
add_meta(struct tally_merge *m, const char *key, const char *value)
{
	struct tally_record r;
	struct tally_kv kv = { key, value };
	struct tally_error err;

	tally_record_init(&r, TALLY_REC_META);
	r.u.meta.items = &kv;
	r.u.meta.nitems = 1;
	ck_assert_int_eq(tally_merge_add(m, &r, &err), TALLY_OK);
}

/*
 * Runs, given out of order with ids 3, 1, 2, 4 (statuses of t in run
 * order: passed, failed, absent, skipped, failed); u: passed, passed
 * with a rerun, passed, passed, passed.
 */
START_TEST(figures_of_one_test)
{
	static const struct {
		const char *id;
		int t;		/* status of t, -1 absent */
		int uflaky;
	} runs[] = {
		{ "3", TALLY_SKIPPED, 0 }, { "1", TALLY_PASSED, 0 },
		{ "2", TALLY_FAILED, 1 }, { "5", TALLY_FAILED, 0 },
		{ "4", -1, 0 },
	};
	struct tally_history *h;
	struct tally_merge *m;
	struct tally_error err;
	struct capture c;
	const char *l;
	size_t i;

	ck_assert_int_eq(tally_history_new(&h), TALLY_OK);
	for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		ck_assert_int_eq(tally_merge_new(&m), TALLY_OK);
		add_meta(m, "run_id", runs[i].id);
		if (runs[i].t >= 0)
			add_test(m, "t", runs[i].t, 10.0 * (double)(i + 1),
			    0);
		add_test(m, "u", TALLY_PASSED, 1, runs[i].uflaky);
		tally_error_init(&err, NULL);
		ck_assert_int_eq(tally_merge_finish(m, &err), TALLY_OK);
		ck_assert_int_eq(tally_history_add(h, m, runs[i].id),
		    TALLY_OK);
	}
	capture_init(&c);
	ck_assert_int_eq(tally_history_write(h, &c.sink, &err), TALLY_OK);
	ck_assert(c.ended);
	/* In run order t is passed, failed, skipped, absent, failed: one
	 * flip (the skipped and absent runs are passed over), failing
	 * since run 2 for two runs in which it ran. */
	l = capture_one(&c, "\"type\":\"history\"", "\"name\":\"t\"");
	HAS(l, "\"lastStatus\":\"failed\",\"runs\":4,\"passed\":1,"
	    "\"failed\":2,\"skipped\":1,\"flakyRuns\":0,\"flips\":1,"
	    "\"flakyRate\":0.25,\"failureRate\":0.6667,"
	    "\"failingSince\":\"2\",\"failingSinceRun\":2,"
	    "\"failingRuns\":2");
	/* Durations 20, 40, 30, 10 ms by run as added (run 3 gave 10). */
	HAS(l, "\"medianDuration\":25,\"p95Duration\":40");
	l = capture_one(&c, "\"type\":\"history\"", "\"name\":\"u\"");
	HAS(l, "\"runs\":5,\"passed\":5,\"failed\":0,\"skipped\":0,"
	    "\"flakyRuns\":1,\"flips\":0,\"flakyRate\":0.2,"
	    "\"failureRate\":0");
	HASNT(l, "failingSince");
	ck_assert_uint_eq(capture_count(&c, "\"type\":\"run\""), 5);
	HAS(capture_one(&c, "\"run\":1,", NULL), "\"runId\":\"1\"");
	HAS(capture_one(&c, "\"run\":4,", NULL), "\"runId\":\"4\"");
	l = capture_one(&c, "\"run\":5,", NULL);
	HAS(l, "\"runId\":\"5\"");
	/* Absent from the run before: a new failure again. */
	HAS(l, "\"newFailures\":1");
	HAS(capture_one(&c, "\"run\":2,", NULL), "\"newFailures\":1");
	HASNT(capture_one(&c, "\"run\":1,", NULL), "newFailures");
	capture_fini(&c);
	tally_history_free(h);
}
END_TEST

/* A JUnit root's time="0.5" is a duration: runs go by run id. */
START_TEST(durations_are_no_times)
{
	static const char *const ids[] = { "1", "2" };
	static const char *const times[] = { "0.5", "0.02" };
	struct tally_history *h;
	struct tally_merge *m;
	struct tally_error err;
	struct capture c;
	size_t i;

	ck_assert_int_eq(tally_history_new(&h), TALLY_OK);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(tally_merge_new(&m), TALLY_OK);
		add_meta(m, "run_id", ids[i]);
		add_meta(m, "time", times[i]);
		add_meta(m, "run_url", "https://ci.example/1");
		add_test(m, "t", TALLY_PASSED, 1, 0);
		tally_error_init(&err, NULL);
		ck_assert_int_eq(tally_merge_finish(m, &err), TALLY_OK);
		ck_assert_int_eq(tally_history_add(h, m, ids[i]), TALLY_OK);
	}
	capture_init(&c);
	ck_assert_int_eq(tally_history_write(h, &c.sink, &err), TALLY_OK);
	HAS(capture_one(&c, "\"run\":1,", NULL), "\"runId\":\"1\"");
	HAS(capture_one(&c, "\"run\":2,", NULL), "\"runId\":\"2\"");
	HASNT(capture_one(&c, "\"run\":2,", NULL), "\"time\"");
	HAS(capture_one(&c, "\"run\":2,", NULL),
	    "\"runUrl\":\"https://ci.example/1\"");
	capture_fini(&c);
	tally_history_free(h);
}
END_TEST

Suite *suite_history(void);
Suite *
suite_history(void)
{
	Suite *s = suite_create("history");
	TCase *tc = tcase_create("figures");

	tcase_add_test(tc, percentiles);
	tcase_add_test(tc, figures_of_one_test);
	tcase_add_test(tc, durations_are_no_times);
	suite_add_tcase(s, tc);
	return s;
}
