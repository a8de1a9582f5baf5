/* tests/check_buf.c: growable byte buffers stay strings. */
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

Suite *suite_buf(void);

Suite *
suite_buf(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = tcase_create("buf");

	tcase_add_test(tc, reserve_keeps_a_string);
	suite_add_tcase(s, tc);
	return s;
}
