/* tests/check_sha256.c: SHA-256 against the FIPS 180-2 test vectors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "sha256.h"

static void
hex(const unsigned char *d, char *out)
{
	size_t i;

	for (i = 0; i < TALLY_SHA256_LEN; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void
expect(const void *data, size_t n, const char *want)
{
	unsigned char d[TALLY_SHA256_LEN];
	char got[2 * TALLY_SHA256_LEN + 1];

	tally_sha256(data, n, d);
	hex(d, got);
	ck_assert_str_eq(got, want);
}

START_TEST(fips_vectors)
{
	const char *two =
	    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	expect("abc", 3, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	expect(two, strlen(two), "248d6a61d20638b8e5c026930c3e6039"
	    "a33ce45964ff2167f6ecedd419db06c1");
	expect("", 0, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
}
END_TEST

START_TEST(million_a)
{
	char *a = malloc(1000000);

	ck_assert_ptr_nonnull(a);
	memset(a, 'a', 1000000);
	expect(a, 1000000, "cdc76e5c9914fb9281a1c7e284d73e67"
	    "f1809a48a497200e046d39ccc7112cd0");
	free(a);
}
END_TEST

/* Lengths around the padding boundaries; values from coreutils sha256sum. */
START_TEST(padding_edges)
{
	char buf[64];

	memset(buf, 'x', sizeof(buf));
	expect(buf, 55, "d5e285683cd4efc02d021a5c62014694"
	    "958901005d6f71e89e0989fac77e4072");
	expect(buf, 56, "04c26261370ee7541549d16dee320c72"
	    "3e3fd14671e66a099afe0a377c16888e");
	expect(buf, 64, "7ce100971f64e7001e8fe5a51973ecdf"
	    "e1ced42befe7ee8d5fd6219506b5393c");
}
END_TEST

Suite *suite_sha256(void);

Suite *
suite_sha256(void)
{
	Suite *s = suite_create("sha256");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, fips_vectors);
	tcase_add_test(tc, million_a);
	tcase_add_test(tc, padding_edges);
	suite_add_tcase(s, tc);
	return s;
}
