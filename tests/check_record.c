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

START_TEST(seconds)
{
	ck_assert(fabs(tally_parse_seconds("1.5") - 1500) < 1e-9);
	ck_assert(fabs(tally_parse_seconds("1,234.5") - 1234500) < 1e-6);
	ck_assert(fabs(tally_parse_seconds(" 2 ") - 2000) < 1e-9);
	ck_assert(fabs(tally_parse_seconds("0.000000123") - 0.000123) < 1e-12);
	ck_assert(tally_parse_seconds(NULL) == -1);
	ck_assert(tally_parse_seconds("") == -1);
	ck_assert(tally_parse_seconds("abc") == -1);
	ck_assert(tally_parse_seconds("-1") == -1);
	ck_assert(tally_parse_seconds("NaN") == -1);
	ck_assert(tally_parse_seconds("inf") == -1);
	ck_assert(tally_parse_seconds("1e309") == -1);
	ck_assert(tally_parse_seconds("0x10") == -1);
	ck_assert(tally_parse_seconds("1.5s") == -1);
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
	tcase_add_test(tc, seconds);
	tcase_add_test(tc, status_words);
	suite_add_tcase(s, tc);
	return s;
}
