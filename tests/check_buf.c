/* tests/check_buf.c: growable byte buffers stay strings. */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "internal.h"

/*
 * Reserving room in a new buffer and adding nothing (an empty input)
 * leaves an empty string, not uninitialised bytes: an escaped empty JSON
 * key was read past its allocation (issue 15).
 */
START_TEST(reserve_keeps_a_string)
{
	struct tally_buf b;

	tally_buf_init(&b);
	ck_assert_int_eq(tally_buf_reserve(&b, 0), TALLY_OK);
	ck_assert_ptr_nonnull(b.data);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(b.data, "");
	tally_buf_free(&b);
	tally_buf_init(&b);
	ck_assert_int_eq(tally_buf_reserve(&b, 1000), TALLY_OK);
	ck_assert_str_eq(b.data, "");
	/* Growing what is there keeps it. */
	ck_assert_int_eq(tally_buf_adds(&b, "abc"), TALLY_OK);
	ck_assert_int_eq(tally_buf_reserve(&b, 100000), TALLY_OK);
	ck_assert_uint_eq(b.len, 3);
	ck_assert_str_eq(b.data, "abc");
	tally_buf_free(&b);
}
END_TEST

/*
 * A reader's text field stops at TALLY_MAX_FIELD on a character
 * boundary and counts what it left out; the count is noted at the end.
 */
START_TEST(capped_field_cuts_between_characters)
{
	struct tally_buf b;
	size_t dropped = 0;
	const char *end;

	tally_buf_init(&b);
	ck_assert_int_eq(tally_buf_add_capped(&b, "ab", &dropped), TALLY_OK);
	ck_assert_int_eq(tally_buf_add_dropped(&b, dropped), TALLY_OK);
	ck_assert_str_eq(b.data, "ab");
	tally_buf_reset(&b);
	ck_assert_int_eq(tally_buf_reserve(&b, TALLY_MAX_FIELD), TALLY_OK);
	memset(b.data, 'a', TALLY_MAX_FIELD - 2);
	b.len = TALLY_MAX_FIELD - 2;
	b.data[b.len] = '\0';
	/* Room for "x" and half of the two bytes of U+00E9. */
	ck_assert_int_eq(tally_buf_add_capped(&b, "x\xc3\xa9\xe2\x82\xac",
	    &dropped), TALLY_OK);
	ck_assert_uint_eq(b.len, TALLY_MAX_FIELD - 1);
	ck_assert_uint_eq(dropped, 5);
	ck_assert_int_eq(tally_buf_add_capped(&b, "more", &dropped), TALLY_OK);
	ck_assert_uint_eq(b.len, TALLY_MAX_FIELD);
	ck_assert_uint_eq(dropped, 8);
	ck_assert_int_eq(tally_buf_add_capped(&b, "z", &dropped), TALLY_OK);
	ck_assert_uint_eq(b.len, TALLY_MAX_FIELD);
	ck_assert_uint_eq(dropped, 9);
	ck_assert_int_eq(tally_buf_add_dropped(&b, dropped), TALLY_OK);
	end = b.data + TALLY_MAX_FIELD - 2;
	ck_assert_str_eq(end, "xm\n[truncated 9 bytes]");
	tally_buf_free(&b);
}
END_TEST

/* An empty buffer is an absent field; set replaces what was there. */
START_TEST(str_and_set)
{
	struct tally_buf b;

	tally_buf_init(&b);
	ck_assert_ptr_null(tally_buf_str(&b));
	ck_assert_int_eq(tally_buf_set(&b, "one"), TALLY_OK);
	ck_assert_str_eq(tally_buf_str(&b), "one");
	ck_assert_int_eq(tally_buf_set(&b, "two"), TALLY_OK);
	ck_assert_str_eq(tally_buf_str(&b), "two");
	ck_assert_int_eq(tally_buf_set(&b, ""), TALLY_OK);
	ck_assert_ptr_null(tally_buf_str(&b));
	tally_buf_free(&b);
}
END_TEST

/* Pairs kept as "key\0value\0" come back as items, with room to spare. */
START_TEST(pairs)
{
	struct tally_buf b;
	struct tally_kv *kv = NULL;
	size_t n = 0, cap = 0;

	tally_buf_init(&b);
	ck_assert_int_eq(tally_pairs_kv(&b, n, 0, &kv, &cap), TALLY_OK);
	ck_assert_uint_eq(cap, 0);
	ck_assert_int_eq(tally_pairs_add(&b, &n, "a", "1"), TALLY_OK);
	ck_assert_int_eq(tally_pairs_add(&b, &n, "empty", ""), TALLY_OK);
	ck_assert_int_eq(tally_pairs_add(&b, &n, "c", "3"), TALLY_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(tally_pairs_kv(&b, n, 1, &kv, &cap), TALLY_OK);
	ck_assert_uint_eq(cap, 4);
	ck_assert_str_eq(kv[0].key, "a");
	ck_assert_str_eq(kv[0].value, "1");
	ck_assert_str_eq(kv[1].key, "empty");
	ck_assert_str_eq(kv[1].value, "");
	ck_assert_str_eq(kv[2].key, "c");
	ck_assert_str_eq(kv[2].value, "3");
	/* Enough room already: no smaller array. */
	ck_assert_int_eq(tally_pairs_kv(&b, 1, 0, &kv, &cap), TALLY_OK);
	ck_assert_uint_eq(cap, 4);
	ck_assert_str_eq(kv[0].key, "a");
	free(kv);
	tally_buf_free(&b);
}
END_TEST

Suite *suite_buf(void);

Suite *
suite_buf(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = tcase_create("buf");

	tcase_add_test(tc, reserve_keeps_a_string);
	tcase_add_test(tc, capped_field_cuts_between_characters);
	tcase_add_test(tc, str_and_set);
	tcase_add_test(tc, pairs);
	suite_add_tcase(s, tc);
	return s;
}
