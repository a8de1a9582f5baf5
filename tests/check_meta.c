/*
 * tests/check_meta.c: a run's metadata from CI variables, --meta and the
 * clock, and the sink that stamps it over the input's items.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include <tally/meta.h>

#include "internal.h"
#include "testutil.h"

static const char *const vars[] = {
	"GITHUB_SHA", "GITHUB_REF_NAME", "GITHUB_HEAD_REF", "GITHUB_RUN_ID",
	"GITHUB_RUN_ATTEMPT", "GITHUB_REPOSITORY", "GITHUB_SERVER_URL",
	"CI_COMMIT_SHA", "CI_COMMIT_REF_NAME", "CI_PIPELINE_ID",
	"CI_PIPELINE_URL", "CI_JOB_URL", "GIT_COMMIT", "BRANCH_NAME",
	"BUILD_NUMBER", "BUILD_URL", "SOURCE_DATE_EPOCH",
};

/* Each test runs in its own process: start from no CI at all. */
static void
clear_env(void)
{
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
}

static const char *
get(const struct tally_kv *v, size_t n, const char *key)
{
	return tally_kv_get(v, n, key);
}

START_TEST(outside_ci_nothing)
{
	struct tally_kv *v;
	size_t n = 99;

	clear_env();
	ck_assert_int_eq(tally_meta_ci(&v, &n, NULL, 0, 0), TALLY_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(v);
	/* An empty variable is no CI. */
	setenv("GITHUB_SHA", "", 1);
	ck_assert_int_eq(tally_meta_ci(&v, &n, NULL, 0, 0), TALLY_OK);
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(github_actions)
{
	struct tally_kv *v;
	size_t n;

	clear_env();
	setenv("GITHUB_SHA", "0123abc", 1);
	setenv("GITHUB_REF_NAME", "17/merge", 1);
	setenv("GITHUB_HEAD_REF", "fix-parser", 1);
	setenv("GITHUB_RUN_ID", "9876", 1);
	setenv("GITHUB_RUN_ATTEMPT", "2", 1);
	setenv("GITHUB_REPOSITORY", "o/r", 1);
	setenv("GITHUB_SERVER_URL", "https://github.com", 1);
	/* 2026-12-01T08:00:00Z */
	ck_assert_int_eq(tally_meta_ci(&v, &n, NULL, 0, 1796112000),
	    TALLY_OK);
	ck_assert_str_eq(get(v, n, "commit"), "0123abc");
	ck_assert_str_eq(get(v, n, "branch"), "fix-parser");
	ck_assert_str_eq(get(v, n, "run_id"), "9876");
	ck_assert_str_eq(get(v, n, "run_attempt"), "2");
	ck_assert_str_eq(get(v, n, "repository"), "o/r");
	ck_assert_str_eq(get(v, n, "run_url"),
	    "https://github.com/o/r/actions/runs/9876");
	ck_assert_str_eq(get(v, n, "time"), "2026-12-01T08:00:00Z");
	ck_assert_uint_eq(n, 7);
	tally_meta_items_free(v, n);
}
END_TEST

START_TEST(gitlab_and_jenkins)
{
	struct tally_kv *v;
	size_t n;

	clear_env();
	setenv("CI_COMMIT_SHA", "feed", 1);
	setenv("CI_COMMIT_REF_NAME", "main", 1);
	setenv("CI_PIPELINE_ID", "555", 1);
	setenv("CI_JOB_URL", "https://gitlab.example/j/1", 1);
	ck_assert_int_eq(tally_meta_ci(&v, &n, NULL, 0, 0), TALLY_OK);
	ck_assert_str_eq(get(v, n, "commit"), "feed");
	ck_assert_str_eq(get(v, n, "branch"), "main");
	ck_assert_str_eq(get(v, n, "run_id"), "555");
	ck_assert_str_eq(get(v, n, "job_url"), "https://gitlab.example/j/1");
	ck_assert_str_eq(get(v, n, "time"), "1970-01-01T00:00:00Z");
	tally_meta_items_free(v, n);

	clear_env();
	setenv("GIT_COMMIT", "beef", 1);
	setenv("BRANCH_NAME", "PR-4", 1);
	setenv("BUILD_NUMBER", "31", 1);
	setenv("BUILD_URL", "https://ci.example/job/x/31/", 1);
	setenv("SOURCE_DATE_EPOCH", "86400", 1);
	ck_assert_int_eq(tally_meta_ci(&v, &n, NULL, 0, 0), TALLY_OK);
	ck_assert_str_eq(get(v, n, "commit"), "beef");
	ck_assert_str_eq(get(v, n, "branch"), "PR-4");
	ck_assert_str_eq(get(v, n, "run_id"), "31");
	ck_assert_str_eq(get(v, n, "run_url"), "https://ci.example/job/x/31/");
	ck_assert_str_eq(get(v, n, "time"), "1970-01-02T00:00:00Z");
	tally_meta_items_free(v, n);
}
END_TEST

START_TEST(extra_replaces)
{
	struct tally_kv extra[] = { { "run_id", "7" }, { "time", "T" },
	    { "run_id", "8" } };
	struct tally_kv *v;
	size_t n;

	clear_env();
	setenv("GITHUB_RUN_ID", "9876", 1);
	ck_assert_int_eq(tally_meta_ci(&v, &n, extra, 3, 0), TALLY_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(get(v, n, "run_id"), "8");
	ck_assert_str_eq(get(v, n, "time"), "T");
	tally_meta_items_free(v, n);
	/* --meta alone stamps outside CI. */
	clear_env();
	ck_assert_int_eq(tally_meta_ci(&v, &n, extra, 1, 0), TALLY_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(get(v, n, "run_id"), "7");
	ck_assert_str_eq(get(v, n, "time"), "1970-01-01T00:00:00Z");
	tally_meta_items_free(v, n);
}
END_TEST

static void
send_meta(struct tally_sink *s, struct tally_kv *items, size_t n)
{
	struct tally_record r;
	struct tally_error err;

	tally_record_init(&r, TALLY_REC_META);
	r.u.meta.items = items;
	r.u.meta.nitems = n;
	ck_assert_int_eq(tally_sink_record(s, &r, &err), TALLY_OK);
}

START_TEST(sink_stamps_first)
{
	struct tally_kv stamp[] = { { "time", "2026-12-01T08:00:00Z" },
	    { "commit", "c1" } };
	struct tally_kv in[] = { { "time", "1.5" }, { "tool", "pytest" } };
	struct tally_kv only[] = { { "commit", "old" } };
	struct tally_record r;
	struct tally_sink *s;
	struct tally_error err;
	struct capture c;

	capture_init(&c);
	ck_assert_int_eq(tally_meta_sink_new(&s, &c.sink, stamp, 2),
	    TALLY_OK);
	tally_record_init(&r, TALLY_REC_TEST);
	r.u.test.name = "t";
	ck_assert_int_eq(tally_sink_record(s, &r, &err), TALLY_OK);
	send_meta(s, in, 2);
	send_meta(s, only, 1);
	ck_assert_int_eq(tally_sink_end(s, &err), TALLY_OK);
	ck_assert(c.ended);
	ck_assert_uint_eq(c.n, 3);
	ck_assert_str_eq(c.lines[0], "{\"v\":1,\"type\":\"meta\",\"meta\":"
	    "{\"time\":\"2026-12-01T08:00:00Z\",\"commit\":\"c1\"}}\n");
	HAS(c.lines[1], "\"type\":\"test\"");
	/* The input's time is a duration: dropped; its tool stays. */
	ck_assert_str_eq(c.lines[2], "{\"v\":1,\"type\":\"meta\",\"meta\":"
	    "{\"tool\":\"pytest\"}}\n");
	tally_sink_free(s);
	capture_fini(&c);
}
END_TEST

START_TEST(sink_empty_input)
{
	struct tally_kv stamp[] = { { "run_id", "3" } };
	struct tally_kv in[] = { { "run_id", "9" } };
	struct tally_sink *s;
	struct tally_error err;
	struct capture c;

	/* No records: the stamp still comes, at the end. */
	capture_init(&c);
	ck_assert_int_eq(tally_meta_sink_new(&s, &c.sink, stamp, 1),
	    TALLY_OK);
	ck_assert_int_eq(tally_sink_end(s, &err), TALLY_OK);
	ck_assert_uint_eq(c.n, 1);
	HAS(c.lines[0], "\"run_id\":\"3\"");
	tally_sink_free(s);
	capture_fini(&c);
	/* Nothing to stamp: records pass unchanged. */
	capture_init(&c);
	ck_assert_int_eq(tally_meta_sink_new(&s, &c.sink, NULL, 0),
	    TALLY_OK);
	send_meta(s, in, 1);
	ck_assert_int_eq(tally_sink_end(s, &err), TALLY_OK);
	ck_assert_uint_eq(c.n, 1);
	HAS(c.lines[0], "\"run_id\":\"9\"");
	tally_sink_free(s);
	capture_fini(&c);
}
END_TEST

Suite *suite_meta(void);
Suite *
suite_meta(void)
{
	Suite *s = suite_create("meta");
	TCase *tc = tcase_create("stamp");

	tcase_add_test(tc, outside_ci_nothing);
	tcase_add_test(tc, github_actions);
	tcase_add_test(tc, gitlab_and_jenkins);
	tcase_add_test(tc, extra_replaces);
	tcase_add_test(tc, sink_stamps_first);
	tcase_add_test(tc, sink_empty_input);
	suite_add_tcase(s, tc);
	return s;
}
