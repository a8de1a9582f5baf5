/*
 * tests/check_diff.c: tally diff's rules on constructed records: the
 * change of each pair of statuses, the duration thresholds, and the
 * merge-join of two runs (identity, order, spilled runs, the summary).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include <tally/diff.h>
#include <tally/merge.h>

#include "internal.h"
#include "testutil.h"

static const struct tally_diff_opts defaults = {
	TALLY_DIFF_THRESHOLD, TALLY_DIFF_MIN_MS
};

static struct tally_test
t_of(enum tally_status st)
{
	struct tally_record r;

	tally_record_init(&r, TALLY_REC_TEST);
	r.u.test.name = "t";
	r.u.test.status = st;
	return r.u.test;
}

START_TEST(change_of_every_pair)
{
	/* Rows: BASE absent, passed, failed, skipped, pending, other. */
	static const enum tally_change want[6][TALLY_NSTATUS] = {
		/* NEW: passed, failed, skipped, pending, other */
		{ TALLY_CHANGE_NEW, TALLY_CHANGE_NEW_FAILURE,
		    TALLY_CHANGE_NEW, TALLY_CHANGE_NEW, TALLY_CHANGE_NEW },
		{ TALLY_CHANGE_UNCHANGED, TALLY_CHANGE_NEW_FAILURE,
		    TALLY_CHANGE_NEWLY_SKIPPED, TALLY_CHANGE_NEWLY_SKIPPED,
		    TALLY_CHANGE_NEWLY_SKIPPED },
		{ TALLY_CHANGE_FIXED, TALLY_CHANGE_STILL_FAILING,
		    TALLY_CHANGE_NEWLY_SKIPPED, TALLY_CHANGE_NEWLY_SKIPPED,
		    TALLY_CHANGE_NEWLY_SKIPPED },
		{ TALLY_CHANGE_UNCHANGED, TALLY_CHANGE_NEW_FAILURE,
		    TALLY_CHANGE_UNCHANGED, TALLY_CHANGE_UNCHANGED,
		    TALLY_CHANGE_UNCHANGED },
		{ TALLY_CHANGE_UNCHANGED, TALLY_CHANGE_NEW_FAILURE,
		    TALLY_CHANGE_UNCHANGED, TALLY_CHANGE_UNCHANGED,
		    TALLY_CHANGE_UNCHANGED },
		{ TALLY_CHANGE_UNCHANGED, TALLY_CHANGE_NEW_FAILURE,
		    TALLY_CHANGE_UNCHANGED, TALLY_CHANGE_UNCHANGED,
		    TALLY_CHANGE_UNCHANGED },
	};
	struct tally_test b, n;
	int i, j;

	for (i = 0; i < 6; i++)
		for (j = 0; j < TALLY_NSTATUS; j++) {
			b = t_of((enum tally_status)(i > 0 ? i - 1 : 0));
			n = t_of((enum tally_status)j);
			ck_assert_msg(tally_change_of(i > 0 ? &b : NULL, &n) ==
			    want[i][j], "base %d new %d: %s", i - 1, j,
			    tally_change_name(tally_change_of(i > 0 ? &b :
			    NULL, &n)));
		}
	b = t_of(TALLY_FAILED);
	ck_assert_int_eq(tally_change_of(&b, NULL), TALLY_CHANGE_REMOVED);
}
END_TEST

START_TEST(change_names_parse_back)
{
	enum tally_change c;
	int i;

	for (i = 0; i < TALLY_NCHANGE; i++) {
		ck_assert_int_eq(tally_change_parse(tally_change_name(
		    (enum tally_change)i), &c), TALLY_OK);
		ck_assert_int_eq(c, i);
	}
	ck_assert_ptr_null(tally_change_name(TALLY_NCHANGE));
	ck_assert_int_eq(tally_change_parse("slower", &c), TALLY_EINVAL);
	ck_assert_int_eq(tally_change_parse(NULL, &c), TALLY_EINVAL);
}
END_TEST

START_TEST(duration_thresholds)
{
	const struct tally_diff_opts *o = &defaults;

	ck_assert_str_eq(tally_duration_change(200, 400, o), "slower");
	ck_assert_str_eq(tally_duration_change(400, 150, o), "faster");
	ck_assert_ptr_null(tally_duration_change(400, 200, o));
	/* Exactly 50 % is not more than 50 %. */
	ck_assert_ptr_null(tally_duration_change(400, 600, o));
	ck_assert_str_eq(tally_duration_change(400, 601, o), "slower");
	/* 100 ms is enough, 99 ms is not, whatever the ratio. */
	ck_assert_str_eq(tally_duration_change(1, 101, o), "slower");
	ck_assert_ptr_null(tally_duration_change(1, 100, o));
	ck_assert_str_eq(tally_duration_change(0, 100, o), "slower");
	/* Unknown on either side: no change. */
	ck_assert_ptr_null(tally_duration_change(-1, 5000, o));
	ck_assert_ptr_null(tally_duration_change(5000, -1, o));
}
END_TEST

/* A test record with a name, status, duration, and labels "k=v,...". */
static int
add(struct tally_merge *m, const char *name, enum tally_status st,
    double ms, const char *labels)
{
	struct tally_record r;
	struct tally_kv kv[4];
	char buf[128], *p, *save = NULL, *eq;
	const char *suite[] = { "s" };
	struct tally_error err;
	size_t n = 0;

	tally_record_init(&r, TALLY_REC_TEST);
	r.u.test.name = name;
	r.u.test.classname = "c";
	r.u.test.suite = suite;
	r.u.test.nsuite = 1;
	r.u.test.status = st;
	r.u.test.duration = ms;
	if (labels != NULL) {
		snprintf(buf, sizeof(buf), "%s", labels);
		for (p = strtok_r(buf, ",", &save); p != NULL && n < 4;
		    p = strtok_r(NULL, ",", &save)) {
			eq = strchr(p, '=');
			*eq = '\0';
			kv[n].key = p;
			kv[n++].value = eq + 1;
		}
		r.labels = kv;
		r.nlabels = n;
	}
	tally_error_init(&err, NULL);
	return tally_merge_add(m, &r, &err);
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

static struct tally_merge *
run_new(size_t run_bytes)
{
	struct tally_merge *m;

	ck_assert_int_eq(tally_merge_new(&m), TALLY_OK);
	tally_merge_set_run_bytes(m, run_bytes);
	return m;
}

static void
finish(struct tally_merge *m)
{
	struct tally_error err;

	tally_error_init(&err, NULL);
	ck_assert_int_eq(tally_merge_finish(m, &err), TALLY_OK);
}

/* BASE and NEW of the join tests, added out of order. */
static void
two_runs(struct tally_merge **b, struct tally_merge **n, size_t run_bytes)
{
	*b = run_new(run_bytes);
	*n = run_new(run_bytes);
	ck_assert_int_eq(add(*b, "d", TALLY_PASSED, 10, NULL), TALLY_OK);
	ck_assert_int_eq(add(*b, "a", TALLY_PASSED, 100, NULL), TALLY_OK);
	ck_assert_int_eq(add(*b, "c", TALLY_PASSED, 10, NULL), TALLY_OK);
	ck_assert_int_eq(add(*b, "b", TALLY_FAILED, 10, NULL), TALLY_OK);
	ck_assert_int_eq(add(*b, "m", TALLY_PASSED, 10, "py=3.10"),
	    TALLY_OK);
	ck_assert_int_eq(add(*b, "s", TALLY_PASSED, 10, "shard=1"),
	    TALLY_OK);
	ck_assert_int_eq(add(*b, "k", TALLY_PASSED, 10, NULL), TALLY_OK);
	add_meta(*b, "commit", "aaa");
	ck_assert_int_eq(add(*n, "e", TALLY_PASSED, 10, NULL), TALLY_OK);
	ck_assert_int_eq(add(*n, "c", TALLY_FAILED, 10, NULL), TALLY_OK);
	ck_assert_int_eq(add(*n, "b", TALLY_PASSED, 10, NULL), TALLY_OK);
	ck_assert_int_eq(add(*n, "a", TALLY_PASSED, 400, NULL), TALLY_OK);
	ck_assert_int_eq(add(*n, "m", TALLY_PASSED, 10, "py=3.11"),
	    TALLY_OK);
	/* Another shard is the same test. */
	ck_assert_int_eq(add(*n, "s", TALLY_PASSED, 10, "shard=2"),
	    TALLY_OK);
	ck_assert_int_eq(add(*n, "k", TALLY_SKIPPED, 0, NULL), TALLY_OK);
	add_meta(*n, "commit", "bbb");
	finish(*b);
	finish(*n);
}

static void
diff_into(struct tally_merge *b, struct tally_merge *n, struct capture *c)
{
	struct tally_error err;

	capture_init(c);
	tally_error_init(&err, NULL);
	ck_assert_int_eq(tally_diff(b, n, NULL, &c->sink, &err), TALLY_OK);
	ck_assert(c->ended);
}

START_TEST(join_marks_every_test_once)
{
	struct tally_merge *b, *n;
	struct capture c;
	const char *l;

	two_runs(&b, &n, 0);
	diff_into(b, n, &c);
	ck_assert_uint_eq(c.ntests, 9);
	l = capture_one(&c, "\"name\":\"a\"", NULL);
	HAS(l, "\"change\":\"unchanged\",\"durationChange\":\"slower\","
	    "\"baseDuration\":100");
	HAS(capture_one(&c, "\"name\":\"b\"", NULL), "\"change\":\"fixed\"");
	HAS(capture_one(&c, "\"name\":\"c\"", NULL),
	    "\"change\":\"new-failure\"");
	l = capture_one(&c, "\"name\":\"d\"", NULL);
	HAS(l, "\"change\":\"removed\"");
	HASNT(l, "baseDuration");
	HAS(capture_one(&c, "\"name\":\"e\"", NULL), "\"change\":\"new\"");
	HAS(capture_one(&c, "\"name\":\"k\"", NULL),
	    "\"change\":\"newly-skipped\"");
	/* A matrix label is identity: 3.10 removed, 3.11 new. */
	HAS(capture_one(&c, "\"name\":\"m\"", "3.10"),
	    "\"change\":\"removed\"");
	HAS(capture_one(&c, "\"name\":\"m\"", "3.11"), "\"change\":\"new\"");
	HAS(capture_one(&c, "\"name\":\"s\"", NULL),
	    "\"change\":\"unchanged\"");
	l = capture_one(&c, "\"type\":\"diff\"", NULL);
	HAS(l, "\"new-failure\":1,\"still-failing\":0,\"fixed\":1,\"new\":2,"
	    "\"removed\":2,\"newly-skipped\":1,\"unchanged\":2,\"slower\":1,"
	    "\"faster\":0");
	HAS(l, "\"baseTests\":7,\"basePassed\":6,\"baseFailed\":1,"
	    "\"baseSkipped\":0,\"basePassRate\":85.71,\"baseDuration\":160");
	HAS(l, "\"newTests\":7,\"newPassed\":5,\"newFailed\":1,"
	    "\"newSkipped\":1,\"newPassRate\":83.33,\"newDuration\":450");
	HAS(l, "\"base.commit\":\"aaa\",\"new.commit\":\"bbb\"");
	/* Only NEW's meta record goes out. */
	ck_assert_uint_eq(capture_count(&c, "\"type\":\"meta\""), 1);
	HAS(capture_one(&c, "\"type\":\"meta\"", NULL), "bbb");
	capture_fini(&c);
	tally_merge_free(b);
	tally_merge_free(n);
}
END_TEST

/* Text through the stream reader into sink; then sink's end. */
static void
feed(const char *text, struct tally_sink *sink)
{
	struct tally_error err;
	FILE *fp = tmpfile();

	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(text, 1, strlen(text), fp), strlen(text));
	ck_assert_int_eq(fflush(fp), 0);
	rewind(fp);
	tally_error_init(&err, "in");
	ck_assert_int_eq(tally_read_fd(fileno(fp), "in", TALLY_FMT_STREAM,
	    sink, &err), TALLY_OK);
	ck_assert_int_eq(tally_sink_end(sink, &err), TALLY_OK);
	fclose(fp);
}

/* The stream reads back member for member, and merging it changes
 * nothing: it is in canonical order with each test once. */
START_TEST(output_reads_back_and_is_canonical)
{
	struct tally_merge *b, *n;
	struct tally_sink *ms;
	struct capture c, back, merged;
	char *x, *y, *z;

	two_runs(&b, &n, 0);
	diff_into(b, n, &c);
	x = capture_join(&c);
	capture_init(&back);
	feed(x, &back.sink);
	y = capture_join(&back);
	ck_assert_str_eq(y, x);
	capture_init(&merged);
	ck_assert_int_eq(tally_merge_sink_new(&ms, &merged.sink), TALLY_OK);
	feed(x, ms);
	z = capture_join(&merged);
	ck_assert_str_eq(z, x);
	tally_sink_free(ms);
	free(x);
	free(y);
	free(z);
	capture_fini(&c);
	capture_fini(&back);
	capture_fini(&merged);
	tally_merge_free(b);
	tally_merge_free(n);
}
END_TEST

/* Runs spilled to disk one record at a time join the same. */
START_TEST(spilled_runs_join_the_same)
{
	struct tally_merge *b, *n;
	struct capture c, d;
	char *x, *y;

	two_runs(&b, &n, 0);
	diff_into(b, n, &c);
	tally_merge_free(b);
	tally_merge_free(n);
	two_runs(&b, &n, 1);
	diff_into(b, n, &d);
	x = capture_join(&c);
	y = capture_join(&d);
	ck_assert_str_eq(y, x);
	free(x);
	free(y);
	capture_fini(&c);
	capture_fini(&d);
	tally_merge_free(b);
	tally_merge_free(n);
}
END_TEST

/* Empty runs: only the summary, every count 0, pass rates 100. */
START_TEST(empty_runs)
{
	struct tally_merge *b = run_new(0), *n = run_new(0);
	struct capture c;
	const char *l;

	finish(b);
	finish(n);
	diff_into(b, n, &c);
	ck_assert_uint_eq(c.n, 1);
	l = capture_one(&c, "\"type\":\"diff\"", NULL);
	HAS(l, "\"new-failure\":0,");
	HAS(l, "\"basePassRate\":100,");
	HAS(l, "\"newPassRate\":100,");
	capture_fini(&c);
	tally_merge_free(b);
	tally_merge_free(n);
}
END_TEST

static int
refuse(struct tally_sink *s, const struct tally_record *r,
    struct tally_error *err)
{
	(void)s;
	return r->type == TALLY_REC_TEST ? tally_error_set(err, TALLY_EIO, 0,
	    0, "write error") : TALLY_OK;
}

/* A failing output stops the join with its status. */
START_TEST(output_error_stops)
{
	struct tally_merge *b, *n;
	struct tally_sink s = { refuse, NULL, NULL };
	struct tally_error err;

	two_runs(&b, &n, 0);
	tally_error_init(&err, NULL);
	ck_assert_int_eq(tally_diff(b, n, NULL, &s, &err), TALLY_EIO);
	ck_assert_str_eq(err.message, "write error");
	tally_merge_free(b);
	tally_merge_free(n);
}
END_TEST

Suite *suite_diff(void);
Suite *
suite_diff(void)
{
	Suite *s = suite_create("diff");
	TCase *tc = tcase_create("rules");

	tcase_add_test(tc, change_of_every_pair);
	tcase_add_test(tc, change_names_parse_back);
	tcase_add_test(tc, duration_thresholds);
	tcase_add_test(tc, join_marks_every_test_once);
	tcase_add_test(tc, output_reads_back_and_is_canonical);
	tcase_add_test(tc, spilled_runs_join_the_same);
	tcase_add_test(tc, empty_runs);
	tcase_add_test(tc, output_error_stops);
	suite_add_tcase(s, tc);
	return s;
}
