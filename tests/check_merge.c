/*
 * tests/check_merge.c: the merge rules on streams modelled on real files
 * (tests/data/merge, see PROVENANCE.md), and the algebra: associative,
 * order-independent, idempotent.
 */
#include <sys/wait.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include <tally/merge.h>

#include "internal.h"
#include "testutil.h"

#define D "tests/data/merge/"

static const char *fixtures[] = {
	D "surefire-flaky.jsonl", D "surefire-alwaysfail.jsonl",
	D "surefire-flaky-stacktrace.jsonl", D "pytest-rerun.jsonl",
	D "pytest-rerun-py3.10.jsonl", D "pytest-rerun-py3.11.jsonl",
	D "gotestsum-rerun.jsonl", D "ctrf-retries.jsonl",
	D "jest-retried.jsonl", D "truncated.jsonl", D "ctest-run1.jsonl",
	D "ctest-run2.jsonl", D "meta.jsonl",
};
#define NFIX (sizeof(fixtures) / sizeof(fixtures[0]))

static char *
slurp(const char *path)
{
	struct tally_buf b;
	char chunk[4096];
	size_t n;
	FILE *fp = fopen(path, "r");

	ck_assert_msg(fp != NULL, "cannot open %s", path);
	tally_buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		tally_buf_add(&b, chunk, n);
	fclose(fp);
	return tally_buf_detach(&b);
}

/* Concatenate fixture files (NULL-terminated list). */
static char *
cat(const char *first, ...)
{
	struct tally_buf b;
	const char *p;
	char *s;
	va_list ap;

	tally_buf_init(&b);
	va_start(ap, first);
	for (p = first; p != NULL; p = va_arg(ap, const char *)) {
		s = slurp(p);
		tally_buf_adds(&b, s);
		free(s);
	}
	va_end(ap);
	return tally_buf_detach(&b);
}

/* Feed stream text to sink as one input named "in". */
static void
feed(const char *text, struct tally_sink *sink)
{
	struct tally_error err;
	char path[] = "/tmp/tally-merge-XXXXXX";
	size_t n = strlen(text);
	int fd;

	ck_assert_int_ge(fd = mkstemp(path), 0);
	unlink(path);
	ck_assert_int_eq(write(fd, text, n), (ssize_t)n);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	ck_assert_int_eq(tally_read_fd(fd, "in", TALLY_FMT_STREAM, sink, &err),
	    TALLY_OK);
	close(fd);
	ck_assert_int_eq(tally_sink_end(sink, &err), TALLY_OK);
}

/* A finished merge table of the stream text. */
static struct tally_merge *
table(const char *text)
{
	struct tally_merge *m;
	struct tally_sink *in;
	struct tally_error err;

	ck_assert_int_eq(tally_merge_new(&m), TALLY_OK);
	ck_assert_int_eq(tally_merge_input_new(&in, m), TALLY_OK);
	feed(text, in);
	tally_sink_free(in);
	tally_error_init(&err, NULL);
	ck_assert_int_eq(tally_merge_finish(m, &err), TALLY_OK);
	return m;
}

/* The merged stream of the stream text, through the merge sink. */
static char *
merged(const char *text)
{
	struct tally_sink *ms;
	struct capture c;
	char *out;

	capture_init(&c);
	ck_assert_int_eq(tally_merge_sink_new(&ms, &c.sink), TALLY_OK);
	feed(text, ms);
	ck_assert(c.ended);
	out = capture_join(&c);
	tally_sink_free(ms);
	capture_fini(&c);
	return out;
}

/*
 * The i-th merged record, through the cursor.  Small inputs stay in
 * memory, where records live as long as the merge.
 */
static const struct tally_record *
mget(struct tally_merge *m, size_t i)
{
	const struct tally_record *r = NULL;
	struct tally_error err;
	size_t k;

	tally_error_init(&err, NULL);
	tally_merge_rewind(m);
	for (k = 0; k <= i; k++)
		if (tally_merge_next(m, &r, &err) != 1)
			return NULL;
	return r;
}

static size_t
mcount(struct tally_merge *m)
{
	const struct tally_record *r;
	struct tally_error err;
	size_t n = 0;

	tally_error_init(&err, NULL);
	tally_merge_rewind(m);
	while (tally_merge_next(m, &r, &err) == 1)
		n++;
	return n;
}

/* As merged(), with a run size (0: default) and a temporary directory. */
static char *
merged_runs(const char *text, size_t run_bytes, const char *tmpdir)
{
	struct tally_sink *ms;
	struct capture c;
	char *out;

	capture_init(&c);
	ck_assert_int_eq(tally_merge_sink_new(&ms, &c.sink), TALLY_OK);
	tally_merge_set_run_bytes(tally_merge_sink_table(ms), run_bytes);
	ck_assert_int_eq(tally_merge_set_tmpdir(tally_merge_sink_table(ms),
	    tmpdir), TALLY_OK);
	feed(text, ms);
	ck_assert(c.ended);
	out = capture_join(&c);
	tally_sink_free(ms);
	capture_fini(&c);
	return out;
}

static const struct tally_test *
find(struct tally_merge *m, const char *name, const char *label)
{
	const struct tally_record *r;
	size_t i;

	for (i = 0; i < mcount(m); i++) {
		r = mget(m, i);
		if (r->type == TALLY_REC_TEST && strcmp(r->u.test.name,
		    name) == 0 && (label == NULL || (r->nlabels > 0 &&
		    strcmp(r->labels[0].value, label) == 0)))
			return &r->u.test;
	}
	ck_abort_msg("no test '%s'", name);
	return NULL;
}

static size_t
count_type(struct tally_merge *m, enum tally_type t)
{
	size_t i, n = 0;

	for (i = 0; i < mcount(m); i++)
		n += mget(m, i)->type == t;
	return n;
}

/* Lines of text in a fixed pseudo-random order. */
static char *
shuffle(const char *text, unsigned seed)
{
	char *dup = strdup(text), **v = NULL, *line, *save = NULL, *t;
	struct tally_buf b;
	size_t n = 0, i, j;

	for (line = strtok_r(dup, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		v = realloc(v, (n + 1) * sizeof(*v));
		v[n++] = line;
	}
	for (i = n; i > 1; i--) {
		seed = seed * 1103515245u + 12345u;
		j = (seed >> 8) % i;
		t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
	tally_buf_init(&b);
	for (i = 0; i < n; i++) {
		tally_buf_adds(&b, v[i]);
		tally_buf_addc(&b, '\n');
	}
	free(v);
	free(dup);
	return tally_buf_detach(&b);
}

START_TEST(surefire_flaky_is_one_flaky_pass)
{
	char *s = slurp(D "surefire-flaky.jsonl");
	struct tally_merge *m = table(s);
	const struct tally_test *t = find(m, "testApp", NULL);

	ck_assert_int_eq(t->status, TALLY_PASSED);
	ck_assert_int_eq(t->flaky, 1);
	ck_assert_int_eq(t->retries, 2);
	ck_assert_uint_eq(t->nattempts, 2);
	ck_assert_str_eq(t->attempts[0].message, "obvious fail");
	ck_assert_str_eq(t->attempts[1].message, "try one more time maybe");
	ck_assert_str_eq(t->attempts[0].raw_status, "flakyFailure");
	ck_assert_str_eq(t->attempts[0].stdout_text, "this will fail maybe\n");
	ck_assert_ptr_nonnull(strstr(t->attempts[1].trace,
	    "FlakyTest.java:32"));
	ck_assert_uint_eq(count_type(m, TALLY_REC_SUITE), 1);
	tally_merge_free(m);
	free(s);
}
END_TEST

/* The three rerunFailures are byte-identical: still three attempts. */
START_TEST(surefire_identical_reruns_all_count)
{
	char *s = slurp(D "surefire-alwaysfail.jsonl");
	struct tally_merge *m = table(s);
	const struct tally_test *t = find(m, "testApp", NULL);

	ck_assert_int_eq(t->status, TALLY_FAILED);
	ck_assert_int_eq(t->flaky, 0);
	ck_assert_int_eq(t->retries, 3);
	ck_assert_uint_eq(t->nattempts, 3);
	ck_assert_str_eq(t->attempts[2].raw_status, "rerunFailure");
	ck_assert_str_eq(t->message, "built to fail");
	ck_assert_str_eq(t->raw_status, "failure");
	tally_merge_free(m);
	free(s);
}
END_TEST

START_TEST(pytest_duplicate_testcases_are_reruns)
{
	char *s = slurp(D "pytest-rerun.jsonl");
	struct tally_merge *m = table(s);
	const struct tally_test *t = find(m, "test_always_fails", NULL);

	ck_assert_uint_eq(count_type(m, TALLY_REC_TEST), 1);
	ck_assert_int_eq(t->status, TALLY_FAILED);
	ck_assert_int_eq(t->flaky, 0);
	ck_assert_int_eq(t->retries, 2);
	ck_assert_uint_eq(t->nattempts, 2);
	ck_assert_str_eq(t->file_path,
	    "/home/runner/work/tests/test_always_fails.py");
	ck_assert_int_eq(t->line, 10);
	tally_merge_free(m);
	free(s);
}
END_TEST

START_TEST(gotestsum_rerun_fails_then_passes)
{
	char *s = slurp(D "gotestsum-rerun.jsonl");
	struct tally_merge *m = table(s);
	const struct tally_test *t = find(m, "TestWebSocketReconnectRace", NULL);

	ck_assert_uint_eq(count_type(m, TALLY_REC_TEST), 3);
	ck_assert_int_eq(t->status, TALLY_PASSED);
	ck_assert_int_eq(t->flaky, 1);
	ck_assert_int_eq(t->retries, 1);
	ck_assert_uint_eq(t->nattempts, 1);
	ck_assert_int_eq(t->attempts[0].status, TALLY_FAILED);
	ck_assert_str_eq(t->attempts[0].message, "Failed");
	ck_assert(t->attempts[0].duration == 3320);
	ck_assert(t->duration == 7780);
	ck_assert_ptr_null(t->message);
	ck_assert_int_eq(find(m, "TestCreateChannelBookmark", NULL)->status,
	    TALLY_SKIPPED);
	tally_merge_free(m);
	free(s);
}
END_TEST

/* CTRF lists the final attempt inside retryAttempts too. */
START_TEST(ctrf_final_attempt_not_counted_twice)
{
	char *s = slurp(D "ctrf-retries.jsonl");
	struct tally_merge *m = table(s);
	const struct tally_test *t = find(m, "flaky test", NULL);

	ck_assert_int_eq(t->status, TALLY_PASSED);
	ck_assert_int_eq(t->flaky, 1);
	ck_assert_int_eq(t->retries, 2);
	ck_assert_uint_eq(t->nattempts, 2);
	ck_assert(t->attempts[0].duration == 120);
	ck_assert(t->attempts[1].duration == 130);
	ck_assert(t->duration == 300);
	t = find(m, "stable test", NULL);
	ck_assert_int_eq(t->retries, 0);
	ck_assert_int_eq(t->flaky, 0);
	tally_merge_free(m);
	free(s);
}
END_TEST

/* The CTRF rule never drops an attempt marked as an earlier run. */
START_TEST(ctrf_rule_spares_surefire_reruns)
{
	const char *in =
	    "{\"v\":1,\"type\":\"test\",\"name\":\"t\",\"status\":\"failed\","
	    "\"rawStatus\":\"failure\",\"retries\":1,\"retryAttempts\":["
	    "{\"status\":\"failed\",\"rawStatus\":\"rerunFailure\"},"
	    "{\"status\":\"failed\",\"rawStatus\":\"rerunFailure\"}]}\n";
	struct tally_merge *m = table(in);
	const struct tally_test *t = find(m, "t", NULL);

	ck_assert_int_eq(t->retries, 2);
	ck_assert_str_eq(t->raw_status, "failure");
	tally_merge_free(m);
}
END_TEST

/* Jest says invocations: 2 and nothing about the failed attempt. */
START_TEST(jest_counted_retries_kept)
{
	char *s = slurp(D "jest-retried.jsonl");
	struct tally_merge *m = table(s);
	const struct tally_test *t = find(m, "should bar", NULL);
	char *once = merged(s), *twice = merged(once);

	ck_assert_int_eq(t->retries, 1);
	ck_assert_int_eq(t->flaky, 1);
	ck_assert_uint_eq(t->nattempts, 0);
	ck_assert_str_eq(once, twice);
	ck_assert_str_eq(once, s);
	tally_merge_free(m);
	free(s);
	free(once);
	free(twice);
}
END_TEST

/* ctest --rerun-failed / --repeat until-pass in a second file. */
START_TEST(rerun_in_second_file)
{
	char *s = cat(D "ctest-run1.jsonl", D "ctest-run2.jsonl", NULL);
	struct tally_merge *m = table(s);
	const struct tally_test *t = find(m, "net_timeout", NULL);

	ck_assert_uint_eq(count_type(m, TALLY_REC_TEST), 3);
	ck_assert_uint_eq(count_type(m, TALLY_REC_SUITE), 2);
	ck_assert_int_eq(t->status, TALLY_PASSED);
	ck_assert_int_eq(t->flaky, 1);
	ck_assert_int_eq(t->retries, 1);
	ck_assert_ptr_nonnull(strstr(t->attempts[0].stdout_text,
	    "timed out"));
	tally_merge_free(m);
	free(s);
}
END_TEST

START_TEST(matrix_labels_stay_apart)
{
	char *s = cat(D "pytest-rerun-py3.10.jsonl", D "pytest-rerun-py3.11.jsonl",
	    NULL);
	struct tally_merge *m = table(s);

	ck_assert_uint_eq(count_type(m, TALLY_REC_TEST), 2);
	ck_assert_int_eq(find(m, "test_always_fails", "3.10")->retries, 2);
	ck_assert_int_eq(find(m, "test_always_fails", "3.11")->retries, 2);
	/* Same suite, different labels: two suite records. */
	ck_assert_uint_eq(count_type(m, TALLY_REC_SUITE), 2);
	tally_merge_free(m);
	free(s);
}
END_TEST

START_TEST(shards_are_a_union)
{
	char *a = cat(D "surefire-flaky.jsonl", NULL);
	char *b = cat(D "gotestsum-rerun.jsonl", NULL);
	char *ab = cat(D "surefire-flaky.jsonl", D "gotestsum-rerun.jsonl",
	    NULL);
	struct tally_merge *m = table(ab);

	ck_assert_uint_eq(count_type(m, TALLY_REC_TEST), 4);
	ck_assert_uint_eq(count_type(m, TALLY_REC_SUITE), 2);
	tally_merge_free(m);
	free(a);
	free(b);
	free(ab);
}
END_TEST

/* The same file collected twice counts once. */
START_TEST(same_file_twice_counts_once)
{
	size_t i;

	for (i = 0; i < NFIX; i++) {
		char *one = cat(fixtures[i], NULL);
		char *two = cat(fixtures[i], fixtures[i], NULL);
		char *m1 = merged(one), *m2 = merged(two);

		ck_assert_msg(strcmp(m1, m2) == 0, "%s", fixtures[i]);
		free(one);
		free(two);
		free(m1);
		free(m2);
	}
}
END_TEST

START_TEST(merge_of_merged_changes_nothing)
{
	size_t i;

	for (i = 0; i < NFIX; i++) {
		char *s = cat(fixtures[i], NULL);
		char *m1 = merged(s), *m2 = merged(m1);

		ck_assert_msg(strcmp(m1, m2) == 0, "%s", fixtures[i]);
		free(s);
		free(m1);
		free(m2);
	}
}
END_TEST

START_TEST(order_does_not_matter)
{
	char *all = cat(D "surefire-flaky.jsonl", D "surefire-alwaysfail.jsonl",
	    D "surefire-flaky-stacktrace.jsonl", D "pytest-rerun.jsonl",
	    D "pytest-rerun-py3.10.jsonl", D "pytest-rerun-py3.11.jsonl",
	    D "gotestsum-rerun.jsonl", D "ctrf-retries.jsonl",
	    D "jest-retried.jsonl", D "truncated.jsonl", D "ctest-run1.jsonl",
	    D "ctest-run2.jsonl", D "meta.jsonl", NULL);
	char *want = merged(all);
	unsigned seed;

	for (seed = 1; seed <= 20; seed++) {
		char *sh = shuffle(all, seed), *got = merged(sh);

		ck_assert_msg(strcmp(want, got) == 0, "seed %u", seed);
		free(sh);
		free(got);
	}
	free(want);
	free(all);
}
END_TEST

/* merge(merge(a,b),c) == merge(a,merge(b,c)) == merge(a,b,c). */
START_TEST(merge_is_associative)
{
	size_t i, j, k;

	for (i = 0; i < NFIX; i += 2)
		for (j = 1; j < NFIX; j += 3)
			for (k = 0; k < NFIX; k += 4) {
				char *a = cat(fixtures[i], NULL);
				char *b = cat(fixtures[j], NULL);
				char *c = cat(fixtures[k], NULL);
				char *abc = cat(fixtures[i], fixtures[j],
				    fixtures[k], NULL);
				char *flat = merged(abc), *ab, *bc, *x, *y;
				struct tally_buf t;

				tally_buf_init(&t);
				tally_buf_adds(&t, a);
				tally_buf_adds(&t, b);
				ab = merged(t.data);
				tally_buf_reset(&t);
				tally_buf_adds(&t, ab);
				tally_buf_adds(&t, c);
				x = merged(t.data);
				tally_buf_reset(&t);
				tally_buf_adds(&t, b);
				tally_buf_adds(&t, c);
				bc = merged(t.data);
				tally_buf_reset(&t);
				tally_buf_adds(&t, a);
				tally_buf_adds(&t, bc);
				y = merged(t.data);
				ck_assert_msg(strcmp(flat, x) == 0,
				    "(%zu %zu) %zu", i, j, k);
				ck_assert_msg(strcmp(flat, y) == 0,
				    "%zu (%zu %zu)", i, j, k);
				tally_buf_free(&t);
				free(a);
				free(b);
				free(c);
				free(abc);
				free(flat);
				free(ab);
				free(bc);
				free(x);
				free(y);
			}
}
END_TEST

START_TEST(output_order_meta_suites_tests_errors)
{
	char *all = cat(D "truncated.jsonl", D "meta.jsonl",
	    D "gotestsum-rerun.jsonl", NULL);
	struct tally_merge *m = table(all);
	size_t i;
	int last = 0, rank;

	for (i = 0; i < mcount(m); i++) {
		switch (mget(m, i)->type) {
		case TALLY_REC_META:	rank = 0; break;
		case TALLY_REC_SUITE:	rank = 1; break;
		case TALLY_REC_TEST:	rank = 2; break;
		case TALLY_REC_ERROR:	rank = 3; break;
		default:		rank = 4; break;
		}
		ck_assert_int_ge(rank, last);
		last = rank;
	}
	ck_assert_uint_eq(count_type(m, TALLY_REC_ERROR), 1);
	tally_merge_free(m);
	free(all);
}
END_TEST

START_TEST(meta_items_collapse_and_regroup)
{
	char *s = slurp(D "meta.jsonl");
	char *got = merged(s);

	ck_assert_str_eq(got,
	    "{\"v\":1,\"type\":\"meta\",\"meta\":{\"tool\":\"pytest\","
	    "\"tool.version\":\"8.3.2\"},\"labels\":{\"shard\":\"1\"}}\n"
	    "{\"v\":1,\"type\":\"meta\",\"meta\":{\"tool.version\":\"8.3.3\"},"
	    "\"labels\":{\"shard\":\"1\"}}\n"
	    "{\"v\":1,\"type\":\"meta\",\"meta\":{\"tool\":\"pytest\"},"
	    "\"labels\":{\"shard\":\"2\"}}\n");
	free(s);
	free(got);
}
END_TEST

START_TEST(error_record_stays_visible)
{
	char *s = slurp(D "truncated.jsonl");
	struct tally_merge *m = table(s);
	const struct tally_record *r = mget(m,
	    mcount(m) - 1);

	ck_assert_int_eq(r->type, TALLY_REC_ERROR);
	ck_assert_str_eq(r->source, "test-results/corrupt-xml.xml");
	ck_assert_int_eq(r->u.error.line, 11);
	tally_merge_free(m);
	free(s);
}
END_TEST

/* Perf rows pass through after the errors; equal rows collapse. */
START_TEST(perf_rows_pass_through)
{
	const char *row =
	    "{\"v\":1,\"type\":\"perf\",\"name\":\"/api/items\","
	    "\"method\":\"GET\",\"requests\":1200,\"failures\":3,"
	    "\"mean\":41.5,\"p95\":120,\"rps\":19.9,\"source\":\"%s\"}\n";
	char in[2048], a[512], b[512];
	struct tally_merge *m;

	snprintf(a, sizeof(a), row, "locust-1_stats.csv");
	snprintf(b, sizeof(b), row, "locust-2_stats.csv");
	snprintf(in, sizeof(in), "%s%s%s%s", b, a, b,
	    "{\"v\":1,\"type\":\"error\",\"message\":\"x\"}\n");
	m = table(in);
	ck_assert_uint_eq(mcount(m), 3);
	ck_assert_int_eq(mget(m, 0)->type, TALLY_REC_ERROR);
	ck_assert_str_eq(mget(m, 1)->source, "locust-1_stats.csv");
	ck_assert_str_eq(mget(m, 2)->source, "locust-2_stats.csv");
	ck_assert_int_eq(mget(m, 2)->u.perf.requests, 1200);
	tally_merge_free(m);
}
END_TEST

/* A label key holding '=' must not make two tests one. */
START_TEST(identity_label_with_equals)
{
	const char *in =
	    "{\"v\":1,\"type\":\"test\",\"name\":\"t\",\"status\":\"failed\","
	    "\"labels\":{\"a=b\":\"c\"}}\n"
	    "{\"v\":1,\"type\":\"test\",\"name\":\"t\",\"status\":\"passed\","
	    "\"labels\":{\"a\":\"b=c\"}}\n";
	struct tally_merge *m = table(in);

	ck_assert_uint_eq(count_type(m, TALLY_REC_TEST), 2);
	tally_merge_free(m);
}
END_TEST

START_TEST(identity_ignores_label_order)
{
	const char *in =
	    "{\"v\":1,\"type\":\"test\",\"name\":\"t\",\"status\":\"failed\","
	    "\"labels\":{\"y\":\"2\",\"x\":\"1\"}}\n"
	    "{\"v\":1,\"type\":\"test\",\"name\":\"t\",\"status\":\"passed\","
	    "\"labels\":{\"x\":\"1\",\"y\":\"2\"}}\n";
	char *got = merged(in);

	ck_assert_str_eq(got,
	    "{\"v\":1,\"type\":\"test\",\"name\":\"t\",\"status\":\"passed\","
	    "\"retries\":1,\"flaky\":true,\"retryAttempts\":[{\"status\":"
	    "\"failed\"}],\"labels\":{\"x\":\"1\",\"y\":\"2\"}}\n");
	free(got);
}
END_TEST

/*
 * A rerun balanced onto another shard (CircleCI timing splits, Cypress
 * Cloud) is the same test; a matrix label is not.  The smallest shard
 * value stays.
 */
START_TEST(shard_label_is_not_identity)
{
	const char *in =
	    "{\"v\":1,\"type\":\"test\",\"name\":\"t\",\"status\":\"failed\","
	    "\"labels\":{\"shard\":\"2\",\"py\":\"3.11\"}}\n"
	    "{\"v\":1,\"type\":\"test\",\"name\":\"t\",\"status\":\"passed\","
	    "\"labels\":{\"py\":\"3.11\",\"shard\":\"3\"}}\n"
	    "{\"v\":1,\"type\":\"test\",\"name\":\"t\",\"status\":\"passed\","
	    "\"labels\":{\"py\":\"3.10\",\"shard\":\"3\"}}\n"
	    "{\"v\":1,\"type\":\"test\",\"name\":\"u\",\"status\":\"passed\"}\n"
	    "{\"v\":1,\"type\":\"test\",\"name\":\"u\",\"status\":\"failed\","
	    "\"labels\":{\"shard\":\"1\"}}\n";
	char *got = merged(in), *sh = shuffle(in, 7), *got2 = merged(sh);

	ck_assert_str_eq(got,
	    "{\"v\":1,\"type\":\"test\",\"name\":\"t\",\"status\":\"passed\","
	    "\"labels\":{\"py\":\"3.10\",\"shard\":\"3\"}}\n"
	    "{\"v\":1,\"type\":\"test\",\"name\":\"t\",\"status\":\"passed\","
	    "\"retries\":1,\"flaky\":true,\"retryAttempts\":[{\"status\":"
	    "\"failed\"}],\"labels\":{\"py\":\"3.11\",\"shard\":\"2\"}}\n"
	    "{\"v\":1,\"type\":\"test\",\"name\":\"u\",\"status\":\"passed\","
	    "\"retries\":1,\"flaky\":true,\"retryAttempts\":[{\"status\":"
	    "\"failed\"}],\"labels\":{\"shard\":\"1\"}}\n");
	ck_assert_str_eq(got, got2);
	free(got);
	free(got2);
	free(sh);
}
END_TEST

/* Suite path and classname are part of the identity, source is not. */
START_TEST(identity_suite_and_class)
{
	const char *in =
	    "{\"v\":1,\"type\":\"test\",\"name\":\"t\",\"status\":\"passed\","
	    "\"suite\":[\"a\"],\"source\":\"x.xml\"}\n"
	    "{\"v\":1,\"type\":\"test\",\"name\":\"t\",\"status\":\"passed\","
	    "\"suite\":[\"b\"],\"source\":\"x.xml\"}\n"
	    "{\"v\":1,\"type\":\"test\",\"name\":\"t\",\"status\":\"passed\","
	    "\"suite\":[\"a\"],\"classname\":\"C\"}\n"
	    "{\"v\":1,\"type\":\"test\",\"name\":\"t\",\"status\":\"failed\","
	    "\"suite\":[\"a\"],\"source\":\"y.xml\"}\n";
	struct tally_merge *m = table(in);

	ck_assert_uint_eq(count_type(m, TALLY_REC_TEST), 3);
	tally_merge_free(m);
}
END_TEST

/* Best status wins: passed > failed > other > pending > skipped. */
START_TEST(final_status_rule)
{
	static const struct {
		const char *a, *b, *want;
	} cases[] = {
		{ "failed", "passed", "passed" },
		{ "skipped", "failed", "failed" },
		{ "other", "failed", "failed" },
		{ "pending", "other", "other" },
		{ "skipped", "pending", "pending" },
		{ "skipped", "skipped", "skipped" },
	};
	char in[512];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tally_merge *m;
		const struct tally_test *t;
		enum tally_status want;

		snprintf(in, sizeof(in),
		    "{\"v\":1,\"type\":\"test\",\"name\":\"t\",\"status\":\"%s\","
		    "\"message\":\"1\"}\n"
		    "{\"v\":1,\"type\":\"test\",\"name\":\"t\",\"status\":\"%s\","
		    "\"message\":\"2\"}\n", cases[i].a, cases[i].b);
		m = table(in);
		t = find(m, "t", NULL);
		tally_status_parse(cases[i].want, &want);
		ck_assert_int_eq(t->status, want);
		ck_assert_int_eq(t->retries, 1);
		ck_assert_int_eq(t->flaky, i == 0);
		tally_merge_free(m);
	}
}
END_TEST

/* Identical results from two files: one attempt (documented limit). */
START_TEST(identical_content_other_source_collapses)
{
	const char *in =
	    "{\"v\":1,\"type\":\"test\",\"name\":\"t\",\"status\":\"passed\","
	    "\"duration\":5,\"source\":\"b/r.xml\"}\n"
	    "{\"v\":1,\"type\":\"test\",\"name\":\"t\",\"status\":\"passed\","
	    "\"duration\":5,\"source\":\"a/r.xml\"}\n";
	char *got = merged(in);

	ck_assert_str_eq(got,
	    "{\"v\":1,\"type\":\"test\",\"name\":\"t\",\"status\":\"passed\","
	    "\"duration\":5,\"source\":\"a/r.xml\"}\n");
	free(got);
}
END_TEST

START_TEST(properties_kept_or_united)
{
	const char *same =
	    "{\"v\":1,\"type\":\"test\",\"name\":\"t\",\"status\":\"passed\","
	    "\"properties\":[{\"name\":\"z\",\"value\":\"1\"},{\"name\":\"a\","
	    "\"value\":\"2\"}]}\n"
	    "{\"v\":1,\"type\":\"test\",\"name\":\"t\",\"status\":\"failed\","
	    "\"properties\":[{\"name\":\"z\",\"value\":\"1\"},{\"name\":\"a\","
	    "\"value\":\"2\"}]}\n";
	const char *differ =
	    "{\"v\":1,\"type\":\"test\",\"name\":\"t\",\"status\":\"passed\","
	    "\"properties\":[{\"name\":\"z\",\"value\":\"1\"}]}\n"
	    "{\"v\":1,\"type\":\"test\",\"name\":\"t\",\"status\":\"failed\","
	    "\"properties\":[{\"name\":\"z\",\"value\":\"1\"},{\"name\":\"a\","
	    "\"value\":\"2\"}]}\n";
	struct tally_merge *m = table(same);
	const struct tally_test *t = find(m, "t", NULL);

	ck_assert_uint_eq(t->nproperties, 2);
	ck_assert_str_eq(t->properties[0].key, "z");
	tally_merge_free(m);
	m = table(differ);
	t = find(m, "t", NULL);
	ck_assert_uint_eq(t->nproperties, 2);
	ck_assert_str_eq(t->properties[0].key, "a");
	ck_assert_str_eq(t->properties[1].key, "z");
	tally_merge_free(m);
}
END_TEST

/* go test -count=N: many attempts of one test, indexed past a few. */
START_TEST(many_attempts_of_one_test)
{
	struct tally_buf b;
	struct tally_merge *m;
	const struct tally_test *t;
	char *once, *sh, *got;
	int i;

	tally_buf_init(&b);
	for (i = 0; i < 40; i++)
		tally_buf_printf(&b, "{\"v\":1,\"type\":\"test\",\"name\":\"Hot\","
		    "\"status\":\"%s\",\"duration\":%d}\n",
		    i % 7 == 0 ? "failed" : "passed", i);
	/* One record listing the same failed attempt 12 times. */
	tally_buf_adds(&b, "{\"v\":1,\"type\":\"test\",\"name\":\"Hot\","
	    "\"status\":\"passed\",\"duration\":0,\"retryAttempts\":[");
	for (i = 0; i < 12; i++)
		tally_buf_adds(&b, i ? ",{\"status\":\"failed\",\"message\":\"x\"}" :
		    "{\"status\":\"failed\",\"message\":\"x\"}");
	tally_buf_adds(&b, "]}\n");
	m = table(b.data);
	t = find(m, "Hot", NULL);
	ck_assert_uint_eq(count_type(m, TALLY_REC_TEST), 1);
	ck_assert_int_eq(t->retries, 40 + 1 + 12 - 1);
	ck_assert_int_eq(t->flaky, 1);
	tally_merge_free(m);
	once = merged(b.data);
	sh = shuffle(b.data, 3);
	tally_buf_adds(&b, sh);		/* everything twice, reordered */
	got = merged(b.data);
	ck_assert_str_eq(once, got);
	free(got);
	got = merged(once);
	ck_assert_str_eq(once, got);
	free(got);
	free(once);
	free(sh);
	tally_buf_free(&b);
}
END_TEST

START_TEST(finish_once_add_before)
{
	struct tally_merge *m;
	struct tally_record r;
	const struct tally_record *rp;
	struct tally_error err;

	tally_error_init(&err, NULL);
	ck_assert_int_eq(tally_merge_new(&m), TALLY_OK);
	ck_assert_int_eq(tally_merge_next(m, &rp, &err), TALLY_EINVAL);
	ck_assert_ptr_null(rp);
	tally_record_init(&r, TALLY_REC_TEST);
	r.u.test.name = "x";
	tally_error_init(&err, NULL);
	ck_assert_int_eq(tally_merge_add(m, &r, &err), TALLY_OK);
	ck_assert_int_eq(tally_merge_finish(m, &err), TALLY_OK);
	ck_assert_uint_eq(mcount(m), 1);
	ck_assert_ptr_null(mget(m, 1));
	ck_assert_int_eq(tally_merge_finish(m, &err), TALLY_EINVAL);
	ck_assert_int_eq(tally_merge_add(m, &r, &err), TALLY_EINVAL);
	ck_assert_str_eq(err.message, "merge table already finished");
	r.type = (enum tally_type)42;
	tally_merge_free(m);
	ck_assert_int_eq(tally_merge_new(&m), TALLY_OK);
	ck_assert_int_eq(tally_merge_add(m, &r, &err), TALLY_EINVAL);
	tally_merge_free(m);
	tally_merge_free(NULL);
}
END_TEST

START_TEST(empty_input_merges_to_nothing)
{
	char *got = merged("");

	ck_assert_str_eq(got, "");
	free(got);
}
END_TEST


/* ---- bounded memory: runs spilled to a temporary file ---- */

/* Every fixture, shuffled, merged in runs of about one record. */
/*
 * A test spilled to a run and read back keeps every member it has and
 * gains none: a test with all of them, one with none, one with only
 * numbers at their edge (line and base duration 0, retries absent).
 */
START_TEST(spilled_test_keeps_every_member)
{
	static const char in[] =
	    "{\"v\":1,\"type\":\"test\",\"name\":\"z\",\"status\":\"passed\","
	    "\"rawStatus\":\"ok\",\"duration\":5,\"suite\":[\"s\",\"t\"],"
	    "\"classname\":\"C\",\"filePath\":\"a.py\",\"line\":7,"
	    "\"message\":\"m\",\"errorType\":\"E\",\"trace\":\"tr\","
	    "\"stdout\":\"o\",\"stderr\":\"e\",\"retries\":1,\"flaky\":true,"
	    "\"retryAttempts\":[{\"status\":\"failed\",\"duration\":3,"
	    "\"message\":\"first\"}],\"properties\":[{\"name\":\"k\","
	    "\"value\":\"v\"}],\"category\":\"unit\",\"change\":\"fixed\","
	    "\"durationChange\":\"slower\",\"baseDuration\":2.5,"
	    "\"labels\":{\"py\":\"3.11\"}}\n"
	    "{\"v\":1,\"type\":\"test\",\"name\":\"a\",\"status\":\"skipped\"}\n"
	    "{\"v\":1,\"type\":\"test\",\"name\":\"b\",\"status\":\"failed\","
	    "\"line\":0,\"baseDuration\":0}\n";
	static const char *const has[] = { "\"rawStatus\":\"ok\"",
	    "\"duration\":5", "\"suite\":[\"s\",\"t\"]", "\"classname\":\"C\"",
	    "\"filePath\":\"a.py\"", "\"line\":7", "\"message\":\"m\"",
	    "\"errorType\":\"E\"", "\"trace\":\"tr\"", "\"stdout\":\"o\"",
	    "\"stderr\":\"e\"", "\"retries\":1", "\"flaky\":true",
	    "\"message\":\"first\"", "{\"name\":\"k\",\"value\":\"v\"}",
	    "\"category\":\"unit\"", "\"change\":\"fixed\"",
	    "\"durationChange\":\"slower\"", "\"baseDuration\":2.5",
	    "\"baseDuration\":0", "\"py\":\"3.11\"" };
	char *mem, *spilled;
	size_t i;

	mem = merged(in);
	spilled = merged_runs(in, 1, NULL);
	ck_assert_str_eq(spilled, mem);
	for (i = 0; i < sizeof(has) / sizeof(has[0]); i++)
		HAS(spilled, has[i]);
	/* The bare test is as bare as it came. */
	HAS(spilled, "{\"v\":1,\"type\":\"test\",\"name\":\"a\","
	    "\"status\":\"skipped\"}");
	free(mem);
	free(spilled);
}
END_TEST

START_TEST(spilled_runs_give_the_same_bytes)
{
	static const size_t sizes[] = { 1, 600, 5000 };
	struct tally_buf b;
	char *all, *sh, *mem, *got, *s;
	size_t i;

	tally_buf_init(&b);
	for (i = 0; i < NFIX; i++) {
		s = slurp(fixtures[i]);
		tally_buf_adds(&b, s);
		free(s);
	}
	all = tally_buf_detach(&b);
	sh = shuffle(all, 7);
	mem = merged(sh);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		got = merged_runs(sh, sizes[i], NULL);
		ck_assert_str_eq(got, mem);
		free(got);
		/* The same stream twice: every test in several runs. */
		tally_buf_init(&b);
		tally_buf_adds(&b, sh);
		tally_buf_adds(&b, all);
		s = tally_buf_detach(&b);
		got = merged_runs(s, sizes[i], NULL);
		ck_assert_str_eq(got, mem);
		free(got);
		free(s);
	}
	free(mem);
	free(sh);
	free(all);
}
END_TEST

/*
 * A merged stream is kept as it comes; past the run size it goes to the
 * spill file as the first run.  One record out of order later (a second
 * merged stream after the first) and merging goes on from there.
 */
START_TEST(sorted_input_kept_then_merged)
{
	struct tally_buf b;
	char *all, *mem, *got, *twice, *s;
	size_t i;

	tally_buf_init(&b);
	for (i = 0; i < NFIX; i++) {
		s = slurp(fixtures[i]);
		tally_buf_adds(&b, s);
		free(s);
	}
	all = tally_buf_detach(&b);
	mem = merged(all);
	got = merged_runs(mem, 1, NULL);
	ck_assert_str_eq(got, mem);
	free(got);
	tally_buf_init(&b);
	tally_buf_adds(&b, mem);
	tally_buf_adds(&b, mem);
	twice = tally_buf_detach(&b);
	got = merged_runs(twice, 1, NULL);
	ck_assert_str_eq(got, mem);
	free(got);
	got = merged_runs(twice, 0, NULL);
	ck_assert_str_eq(got, mem);
	free(got);
	free(twice);
	free(mem);
	free(all);
}
END_TEST

/* Canonical order: suite path name by name, shorter first, then class,
 * name, labels; not the bytes of the identity key. */
START_TEST(canonical_order)
{
	const char *in =
	    "{\"v\":1,\"type\":\"test\",\"name\":\"t\",\"status\":\"passed\","
	    "\"suite\":[\"a\",\"b\"]}\n"
	    "{\"v\":1,\"type\":\"test\",\"name\":\"t\",\"status\":\"passed\","
	    "\"suite\":[\"a b\"]}\n"
	    "{\"v\":1,\"type\":\"test\",\"name\":\"t\",\"status\":\"passed\","
	    "\"suite\":[\"a\"],\"labels\":{\"os\":\"mac\"}}\n"
	    "{\"v\":1,\"type\":\"test\",\"name\":\"t\",\"status\":\"passed\","
	    "\"suite\":[\"a\"],\"labels\":{\"os\":\"linux\",\"shard\":\"9\"}}\n"
	    "{\"v\":1,\"type\":\"test\",\"name\":\"s\",\"status\":\"passed\","
	    "\"suite\":[\"a\"],\"classname\":\"z\"}\n"
	    "{\"v\":1,\"type\":\"test\",\"name\":\"u\",\"status\":\"passed\","
	    "\"suite\":[\"a\"]}\n";
	static const char *const want[] = {
	    "\"name\":\"t\",\"status\":\"passed\",\"suite\":[\"a\"],"
	    "\"labels\":{\"os\":\"linux\",\"shard\":\"9\"}",
	    "\"name\":\"t\",\"status\":\"passed\",\"suite\":[\"a\"],"
	    "\"labels\":{\"os\":\"mac\"}",
	    "\"name\":\"u\"",
	    "\"name\":\"s\",\"status\":\"passed\",\"suite\":[\"a\"],"
	    "\"classname\":\"z\"",
	    "\"suite\":[\"a\",\"b\"]",
	    "\"suite\":[\"a b\"]",
	};
	size_t sizes[] = { 0, 1 }, k, i;
	char *got, *p, *line;

	for (k = 0; k < 2; k++) {
		got = merged_runs(in, sizes[k], NULL);
		for (i = 0, line = strtok_r(got, "\n", &p); line != NULL;
		    line = strtok_r(NULL, "\n", &p), i++) {
			ck_assert_uint_lt(i, 6);
			HAS(line, want[i]);
		}
		ck_assert_uint_eq(i, 6);
		free(got);
	}
}
END_TEST

/*
 * The sort keys merge compares (one byte string per test) give exactly
 * tally_merge_test_cmp()'s order and identity, whichever way records
 * meet (the table, runs merged, input already in order): names that are
 * prefixes of others, bytes 0x01 and 0xFF, NULL and "", the shard label.
 */
/* 300 bytes of 'p', then a tail: keys alike past the quicksort's depth. */
static char long_a[302], long_b[302], long_ff[302];

static void
odd_test(struct tally_record *r, unsigned *seed, const char **sv,
    struct tally_kv *kv)
{
	/* Also strings that end at, before and after eight bytes. */
	static const char *const v[] = { NULL, "", "a", "a\001", "a b", "ab",
	    "\377", "a\377", "b", "abcdefg", "abcdefgh", "abcdefghi",
	    "abcdefgh\377", long_a, long_b, long_ff };
	static const char *const keys[] = { "os", "shard", "a", "a\001" };
	size_t i, n = sizeof(v) / sizeof(v[0]);

	memset(long_a, 'p', 300);
	memcpy(long_b, long_a, 300);
	memcpy(long_ff, long_a, 300);
	long_a[300] = 'a';
	long_b[300] = 'b';
	long_ff[300] = '\377';

#define PICK(k) (*seed = *seed * 1103515245u + 12345u, (*seed >> 8) % (k))
	tally_record_init(r, TALLY_REC_TEST);
	r->u.test.nsuite = PICK(3);
	for (i = 0; i < r->u.test.nsuite; i++)
		sv[i] = v[PICK(n)];
	r->u.test.suite = sv;
	r->u.test.classname = v[PICK(n)];
	r->u.test.name = v[PICK(n)];
	r->nlabels = PICK(3);
	for (i = 0; i < r->nlabels; i++) {
		kv[i].key = keys[PICK(4)];
		kv[i].value = v[1 + PICK(n - 1)];
	}
	r->labels = kv;
#undef PICK
}

/*
 * Run k of the test: the run size, and the quicksort's depth (0: every
 * group of keys by qsort(), as input that defeats the quicksort gets).
 */
START_TEST(sort_key_order_is_test_cmp)
{
	static const size_t runs[] = { 0, 1, 4096, 0, 4096 };
	static const unsigned depth[] = { 128, 128, 128, 0, 0 };
	unsigned old_depth = tally_merge_sort_depth;
	struct tally_record r, *prev;
	const struct tally_record *got;
	struct tally_merge *m, *again;
	struct tally_error err;
	const char *sv[3];
	struct tally_kv kv[3];
	size_t k, i, n, n0 = 0;
	unsigned seed;

	tally_error_init(&err, NULL);
	for (k = 0; k < sizeof(runs) / sizeof(runs[0]); k++) {
		tally_merge_sort_depth = depth[k];
		ck_assert_int_eq(tally_merge_new(&m), TALLY_OK);
		tally_merge_set_run_bytes(m, runs[k]);
		for (i = 0, seed = 42; i < 3000; i++) {
			odd_test(&r, &seed, sv, kv);
			ck_assert_int_eq(tally_merge_add(m, &r, &err), TALLY_OK);
		}
		ck_assert_int_eq(tally_merge_finish(m, &err), TALLY_OK);
		/* The output in order, fed again: the in-order path. */
		ck_assert_int_eq(tally_merge_new(&again), TALLY_OK);
		tally_merge_set_run_bytes(again, runs[k]);
		prev = NULL;
		n = 0;
		while (tally_merge_next(m, &got, &err) == 1) {
			if (prev != NULL)
				ck_assert_int_lt(tally_merge_test_cmp(prev, got),
				    0);
			tally_record_free(prev);
			ck_assert_int_eq(tally_record_dup(got, &prev), TALLY_OK);
			ck_assert_int_eq(tally_merge_add(again, got, &err),
			    TALLY_OK);
			n++;
		}
		tally_record_free(prev);
		/* Equal identities became one; the same count every time. */
		ck_assert_uint_lt(n, 3000);
		if (k == 0)
			n0 = n;
		ck_assert_uint_eq(n, n0);
		ck_assert_int_eq(tally_merge_finish(again, &err), TALLY_OK);
		tally_merge_rewind(m);
		for (i = 0; i < n; i++) {
			const struct tally_record *a;

			ck_assert_int_eq(tally_merge_next(m, &a, &err), 1);
			ck_assert_int_eq(tally_record_dup(a, &prev), TALLY_OK);
			ck_assert_int_eq(tally_merge_next(again, &got, &err), 1);
			ck_assert_int_eq(tally_merge_test_cmp(prev, got), 0);
			tally_record_free(prev);
		}
		ck_assert_int_eq(tally_merge_next(again, &got, &err), 0);
		tally_merge_free(again);
		tally_merge_free(m);
	}
	tally_merge_sort_depth = old_depth;
}
END_TEST

/*
 * Input in order is kept without rebuilding tests that are merged
 * already; those that are not (a flaky failure, a negative retry count,
 * attempts listed) come out as the table makes them.
 */
START_TEST(sorted_input_made_canonical)
{
	const char *in =
	    "{\"v\":1,\"type\":\"test\",\"name\":\"a\",\"status\":\"failed\","
	    "\"flaky\":true,\"suite\":[\"s\"]}\n"
	    "{\"v\":1,\"type\":\"test\",\"name\":\"b\",\"status\":\"passed\","
	    "\"flaky\":true,\"retries\":2,\"suite\":[\"s\"]}\n"
	    "{\"v\":1,\"type\":\"test\",\"name\":\"c\",\"status\":\"passed\","
	    "\"retries\":-3,\"suite\":[\"s\"]}\n"
	    "{\"v\":1,\"type\":\"test\",\"name\":\"d\",\"status\":\"passed\","
	    "\"retries\":1,\"retryAttempts\":[{\"status\":\"failed\"}],"
	    "\"suite\":[\"s\"]}\n"
	    "{\"v\":1,\"type\":\"test\",\"name\":\"e\",\"status\":\"skipped\","
	    "\"labels\":{\"z\":\"1\",\"a\":\"2\"},\"suite\":[\"s\"]}\n";
	char *sh, *want, *got;

	sh = shuffle(in, 3);
	want = merged_runs(sh, 1, NULL);
	got = merged(in);
	ck_assert_str_eq(got, want);
	free(got);
	got = merged_runs(in, 1, NULL);
	ck_assert_str_eq(got, want);
	free(got);
	free(want);
	free(sh);
}
END_TEST

/*
 * A skim (TALLY_MERGE_SKIP_FINE) passes over the tests neither failed
 * nor flaky, and over nothing a merge of runs still has to join: a test
 * that failed in one run and passed in another is one flaky pass.
 */
START_TEST(skim_keeps_failed_and_flaky)
{
	static const char *suite[] = { "S" };
	static const char *const names[] = { "fine", "fails", "rerun" };
	static const enum tally_status st[][2] = {
	    { TALLY_PASSED, TALLY_PASSED }, { TALLY_FAILED, TALLY_FAILED },
	    { TALLY_FAILED, TALLY_PASSED } };
	static const size_t runs[] = { 1, 0 };
	const struct tally_record *got;
	struct tally_record r;
	struct tally_merge *m;
	struct tally_error err;
	size_t k, pass, i, n;
	int seen[3];

	tally_error_init(&err, NULL);
	for (k = 0; k < 2; k++) {
		ck_assert_int_eq(tally_merge_new(&m), TALLY_OK);
		tally_merge_set_run_bytes(m, runs[k]);
		/* Two shards, each one run when runs are one record. */
		for (pass = 0; pass < 2; pass++)
			for (i = 0; i < 3; i++) {
				tally_record_init(&r, TALLY_REC_TEST);
				r.u.test.suite = suite;
				r.u.test.nsuite = 1;
				r.u.test.name = names[i];
				r.u.test.status = st[i][pass];
				ck_assert_int_eq(tally_merge_add(m, &r, &err),
				    TALLY_OK);
			}
		ck_assert_int_eq(tally_merge_finish(m, &err), TALLY_OK);
		/* The first pass, over runs still to join, then again over
		 * what it joined. */
		for (pass = 0; pass < 2; pass++) {
			tally_merge_rewind(m);
			tally_merge_skip_tests(m, TALLY_MERGE_SKIP_FINE);
			memset(seen, 0, sizeof(seen));
			n = 0;
			while (tally_merge_next(m, &got, &err) == 1) {
				for (i = 0; i < 3; i++)
					if (strcmp(got->u.test.name,
					    names[i]) == 0)
						seen[i]++;
				n++;
				if (strcmp(got->u.test.name, "rerun") == 0) {
					ck_assert_int_eq(got->u.test.status,
					    TALLY_PASSED);
					ck_assert_int_ne(got->u.test.flaky, 0);
				}
			}
			tally_merge_skip_tests(m, 0);
			ck_assert_int_eq(seen[1], 1);
			ck_assert_int_eq(seen[2], 1);
			/* What was passed over, once there was one run. */
			if (pass == 1 || runs[k] == 0)
				ck_assert_int_eq(seen[0], 0);
			ck_assert_uint_le(n, 3);
		}
		/* Without a skim, every test. */
		tally_merge_rewind(m);
		for (n = 0; tally_merge_next(m, &got, &err) == 1; n++)
			;
		ck_assert_uint_eq(n, 3);
		tally_merge_free(m);
	}
}
END_TEST

/* No directory for the spill file: an error that sticks. */
START_TEST(spill_failure_is_reported)
{
	static const char *const names[] = { "z", "y", "x", "w" };
	struct tally_merge *m;
	struct tally_record r;
	struct tally_error err;
	size_t i;
	int rc = TALLY_OK;

	ck_assert_int_eq(tally_merge_new(&m), TALLY_OK);
	ck_assert_int_eq(tally_merge_set_tmpdir(m, "/nonexistent/tally"),
	    TALLY_OK);
	tally_merge_set_run_bytes(m, 1);
	tally_error_init(&err, NULL);
	tally_record_init(&r, TALLY_REC_TEST);
	/* Out of order: the table spills at once. */
	for (i = 0; i < 4 && rc == TALLY_OK; i++) {
		r.u.test.name = names[i];
		rc = tally_merge_add(m, &r, &err);
	}
	ck_assert_int_eq(rc, TALLY_EIO);
	HAS(err.message, "cannot create a temporary file in "
	    "'/nonexistent/tally'");
	ck_assert_int_eq(err.sys_errno, ENOENT);
	tally_error_init(&err, NULL);
	ck_assert_int_eq(tally_merge_add(m, &r, &err), TALLY_EIO);
	tally_error_init(&err, NULL);
	ck_assert_int_eq(tally_merge_finish(m, &err), TALLY_EIO);
	HAS(err.message, "temporary file");
	tally_merge_free(m);
}
END_TEST

/* ---- memory bound ---- */

#if defined(__SANITIZE_ADDRESS__)
#define TALLY_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TALLY_ASAN 1
#endif
#endif

#define BIG_TESTS 300000

START_TEST(merge_memory_bounded)
{
	static const char *const args[] = { "-", NULL };
	struct collect_run r;
	size_t tests = BIG_TESTS;
	int fd;

#ifdef TALLY_ASAN
	tests /= 20;
#endif
	fd = big_stream(tests);
	tool_run("tally-merge", args, fd, &r);
	close(fd);
	ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0,
	    "%s exited with status %d", r.exe, r.status);
	/* Each test once, and a suite record per 100 tests. */
	ck_assert_uint_eq(r.lines, tests + tests / 100);
#ifndef TALLY_ASAN
	ck_assert_msg(r.ru.ru_maxrss < 64 * 1024, "peak RSS %ld KiB",
	    r.ru.ru_maxrss);
#endif
	fprintf(stderr, "merge memory bound: %zu tests, peak RSS %ld KiB\n",
	    tests, r.ru.ru_maxrss);
}
END_TEST

Suite *suite_merge(void);
Suite *
suite_merge(void)
{
	Suite *s = suite_create("merge");
	TCase *tc = tcase_create("rules");

	tcase_add_test(tc, surefire_flaky_is_one_flaky_pass);
	tcase_add_test(tc, surefire_identical_reruns_all_count);
	tcase_add_test(tc, pytest_duplicate_testcases_are_reruns);
	tcase_add_test(tc, gotestsum_rerun_fails_then_passes);
	tcase_add_test(tc, ctrf_final_attempt_not_counted_twice);
	tcase_add_test(tc, ctrf_rule_spares_surefire_reruns);
	tcase_add_test(tc, jest_counted_retries_kept);
	tcase_add_test(tc, rerun_in_second_file);
	tcase_add_test(tc, matrix_labels_stay_apart);
	tcase_add_test(tc, shards_are_a_union);
	tcase_add_test(tc, output_order_meta_suites_tests_errors);
	tcase_add_test(tc, meta_items_collapse_and_regroup);
	tcase_add_test(tc, error_record_stays_visible);
	tcase_add_test(tc, perf_rows_pass_through);
	tcase_add_test(tc, identity_label_with_equals);
	tcase_add_test(tc, identity_ignores_label_order);
	tcase_add_test(tc, identity_suite_and_class);
	tcase_add_test(tc, shard_label_is_not_identity);
	tcase_add_test(tc, final_status_rule);
	tcase_add_test(tc, identical_content_other_source_collapses);
	tcase_add_test(tc, properties_kept_or_united);
	tcase_add_test(tc, many_attempts_of_one_test);
	tcase_add_test(tc, finish_once_add_before);
	tcase_add_test(tc, empty_input_merges_to_nothing);
	suite_add_tcase(s, tc);
	tc = tcase_create("algebra");
	tcase_add_test(tc, same_file_twice_counts_once);
	tcase_add_test(tc, merge_of_merged_changes_nothing);
	tcase_add_test(tc, order_does_not_matter);
	tcase_add_test(tc, merge_is_associative);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	tc = tcase_create("runs");
	tcase_add_test(tc, spilled_runs_give_the_same_bytes);
	tcase_add_test(tc, spilled_test_keeps_every_member);
	tcase_add_test(tc, sorted_input_kept_then_merged);
	tcase_add_test(tc, canonical_order);
	tcase_add_test(tc, sort_key_order_is_test_cmp);
	tcase_add_test(tc, skim_keeps_failed_and_flaky);
	tcase_add_test(tc, sorted_input_made_canonical);
	tcase_add_test(tc, spill_failure_is_reported);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	tc = tcase_create("merge-memory");
	tcase_add_test(tc, merge_memory_bounded);
	/* A hang guard, never a speed assertion. */
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}
