/* tests/check_record.c: record copies, test identity, label stamping,
 * and the shared parsing helpers. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "internal.h"
#include "testutil.h"

START_TEST(dup_is_deep)
{
	struct tally_kv props[] = { { "k", "v" } }, labels[] = { { "py", "3" } };
	struct tally_attempt att[] = { { TALLY_FAILED, "failure", 3, "m",
	    "T", "tr", NULL, NULL } };
	const char *suite[] = { "a", "b" };
	struct tally_record r, *d;
	char name[] = "name";
	struct tally_buf b1, b2;

	tally_record_init(&r, TALLY_REC_TEST);
	r.labels = labels;
	r.nlabels = 1;
	r.u.test.name = name;
	r.u.test.suite = suite;
	r.u.test.nsuite = 2;
	r.u.test.properties = props;
	r.u.test.nproperties = 1;
	r.u.test.attempts = att;
	r.u.test.nattempts = 1;
	r.u.test.retries = 1;
	ck_assert_int_eq(tally_record_dup(&r, &d), TALLY_OK);
	name[0] = 'X';
	r.u.test.name = "name";
	tally_buf_init(&b1);
	tally_buf_init(&b2);
	tally_stream_format(&b1, &r);
	tally_stream_format(&b2, d);
	ck_assert_str_eq(b1.data, b2.data);
	ck_assert_ptr_ne(d->u.test.attempts, att);
	tally_buf_free(&b1);
	tally_buf_free(&b2);
	tally_record_free(d);
	tally_record_free(NULL);
}
END_TEST

static char *
key(const char *name, const char *cls, const char **suite, size_t ns,
    struct tally_kv *labels, size_t nl)
{
	struct tally_record r;
	char *k;

	tally_record_init(&r, TALLY_REC_TEST);
	r.u.test.name = name;
	r.u.test.classname = cls;
	r.u.test.suite = suite;
	r.u.test.nsuite = ns;
	r.labels = labels;
	r.nlabels = nl;
	ck_assert_int_eq(tally_test_key(&r, &k), TALLY_OK);
	return k;
}

START_TEST(identity)
{
	struct tally_kv l1[] = { { "py", "3.10" }, { "os", "linux" } };
	struct tally_kv l2[] = { { "os", "linux" }, { "py", "3.10" } };
	struct tally_kv l3[] = { { "os", "linux" }, { "py", "3.11" } };
	const char *s1[] = { "a", "b" }, *s2[] = { "a b" };
	char *a, *b;

	/* Label order does not matter, label values do. */
	a = key("t", "c", s1, 2, l1, 2);
	b = key("t", "c", s1, 2, l2, 2);
	ck_assert_str_eq(a, b);
	free(b);
	b = key("t", "c", s1, 2, l3, 2);
	ck_assert_str_ne(a, b);
	free(b);
	/* Suite paths are compared element by element. */
	b = key("t", "c", s2, 1, l1, 2);
	ck_assert_str_ne(a, b);
	free(a);
	free(b);
	/* Parts cannot run into each other. */
	a = key("b", "a", NULL, 0, NULL, 0);
	b = key("", "ab", NULL, 0, NULL, 0);
	ck_assert_str_ne(a, b);
	free(a);
	free(b);
}
END_TEST

START_TEST(label_sink_stamps_and_overrides)
{
	struct tally_kv add[] = { { "py", "3.11" }, { "shard", "2" } };
	const char *in =
	    "{\"v\":1,\"type\":\"test\",\"name\":\"a\",\"status\":\"passed\","
	    "\"labels\":{\"py\":\"3.9\",\"os\":\"linux\"}}\n";
	struct tally_sink *ls;
	struct capture c;
	struct tally_error err;

	capture_init(&c);
	ck_assert_int_eq(tally_label_sink_new(&ls, &c.sink, add, 2), TALLY_OK);
	ck_assert_int_eq(read_string(in, "in", TALLY_FMT_STREAM,
	    (struct capture *)(void *)ls, &err), TALLY_OK);
	ck_assert_uint_eq(c.n, 1);
	ck_assert_ptr_nonnull(strstr(c.lines[0],
	    "\"labels\":{\"os\":\"linux\",\"py\":\"3.11\",\"shard\":\"2\"}"));
	tally_sink_free(ls);
	capture_fini(&c);
}
END_TEST

static int nwarn;
static struct tally_error lastwarn;

static void
on_warn(void *arg, int status, const struct tally_error *e)
{
	(void)arg;
	ck_assert_int_eq(status, TALLY_OK);
	nwarn++;
	lastwarn = *e;
}

/* tally_parse_seconds on an input named in.xml, line 7. */
static double
secs(const char *s, int *bad)
{
	struct tally_src src;

	memset(&src, 0, sizeof(src));
	src.name = "in.xml";
	src.warn = on_warn;
	*bad = 0;
	return tally_parse_seconds(&src, 7, s, bad);
}

/* Counts such as tests="12": whole and not negative, else -1. */
START_TEST(counts)
{
	ck_assert_int_eq(tally_parse_count("12"), 12);
	ck_assert_int_eq(tally_parse_count("0"), 0);
	ck_assert_int_eq(tally_parse_count(NULL), -1);
	ck_assert_int_eq(tally_parse_count(""), -1);
	ck_assert_int_eq(tally_parse_count("-3"), -1);
	ck_assert_int_eq(tally_parse_count("12a"), -1);
	ck_assert_int_eq(tally_parse_count("1.5"), -1);
}
END_TEST

START_TEST(seconds)
{
	static const char *junk[] = { "abc", "-1", "NaN", "inf", "1e309",
	    "0x10", "1.5s", "99999999999999999999999999", "2592000.001" };
	struct tally_src src;
	size_t i;
	int bad;

	nwarn = 0;
	ck_assert(fabs(secs("1.5", &bad) - 1500) < 1e-9);
	ck_assert(fabs(secs("1,234.5", &bad) - 1234500) < 1e-6);
	ck_assert(fabs(secs(" 2 ", &bad) - 2000) < 1e-9);
	ck_assert(fabs(secs("0.000000123", &bad) - 0.000123) < 1e-12);
	/* The bound itself is a duration: 30 days. */
	ck_assert(secs("2592000", &bad) == 2592000000.0);
	ck_assert(secs(NULL, &bad) == -1);
	ck_assert(secs("", &bad) == -1);
	ck_assert(secs(" ", &bad) == -1);
	ck_assert_int_eq(bad, 0);
	ck_assert_int_eq(nwarn, 0);
	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		ck_assert(secs(junk[i], &bad) == -1);
		ck_assert_int_eq(bad, 1);
		ck_assert_int_eq(nwarn, (int)i + 1);
		ck_assert_int_eq(lastwarn.line, 7);
		ck_assert_str_eq(lastwarn.file, "in.xml");
	}
	ck_assert_str_eq(lastwarn.message, "time '2592000.001' is not a "
	    "duration of 0 to 2592000 seconds (30 days); duration left "
	    "unknown");

	/* The fast path for plain decimals gives what strtod() gives. */
	{
		static const char *v[] = { "0", "0.1", "0.001", "1.005",
		    "0.3", "2.675", "123456789.123456", "0.000001", "7.",
		    "2592000.0", "1.1234567", "1234567890" };
		char *end;

		for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
			double want = strtod(v[i], &end) * 1000.0;

			if (want > TALLY_MAX_SECONDS * 1000.0)
				want = -1;
			ck_assert_msg(secs(v[i], &bad) == want, "'%s'", v[i]);
		}
	}

	/* Milliseconds from JSON: unknown stays quiet, too much is not. */
	memset(&src, 0, sizeof(src));
	src.name = "in.json";
	src.warn = on_warn;
	nwarn = 0;
	ck_assert(tally_bound_ms(&src, 0, -1) == -1);
	ck_assert(tally_bound_ms(&src, 0, 2592000000.0) == 2592000000.0);
	ck_assert(tally_bound_ms(&src, 0, 12.5) == 12.5);
	ck_assert_int_eq(nwarn, 0);
	ck_assert(tally_bound_ms(&src, 3, 1e29) == -1);
	ck_assert(tally_bound_ms(&src, 3, -5) == -1);
	ck_assert_int_eq(nwarn, 2);
	ck_assert_str_eq(lastwarn.message, "duration -5 ms is not a duration "
	    "of 0 to 2592000 seconds (30 days); duration left unknown");
}
END_TEST

START_TEST(status_words)
{
	ck_assert_int_eq(tally_status_from_word("failure"), TALLY_FAILED);
	ck_assert_int_eq(tally_status_from_word("ERROR"), TALLY_FAILED);
	ck_assert_int_eq(tally_status_from_word("notrun"), TALLY_SKIPPED);
	ck_assert_int_eq(tally_status_from_word("xfailed"), TALLY_SKIPPED);
	ck_assert_int_eq(tally_status_from_word("todo"), TALLY_PENDING);
	ck_assert_int_eq(tally_status_from_word("pass"), TALLY_PASSED);
	ck_assert_int_eq(tally_status_from_word("weird"), TALLY_OTHER);
	ck_assert_int_eq(tally_status_from_word(NULL), TALLY_OTHER);
}
END_TEST

Suite *suite_record(void);

Suite *
suite_record(void)
{
	Suite *s = suite_create("record");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, dup_is_deep);
	tcase_add_test(tc, identity);
	tcase_add_test(tc, label_sink_stamps_and_overrides);
	tcase_add_test(tc, counts);
	tcase_add_test(tc, seconds);
	tcase_add_test(tc, status_words);
	suite_add_tcase(s, tc);
	return s;
}
