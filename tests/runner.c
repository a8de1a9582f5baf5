/* tests/runner.c: runs every Check suite; the list is generated. */
#include <stdlib.h>

#include <check.h>

#include "suites.h"

int
main(void)
{
	SRunner *sr;
	int failed;

	/*
	 * Check's per-test timeout only guards against hangs here: speed is
	 * measured by `make bench`, never asserted, so a loaded machine must
	 * not fail a test.  The environment still wins when set.
	 */
	setenv("CK_DEFAULT_TIMEOUT", "120", 0);
	sr = srunner_create(NULL);

#define X(f) srunner_add_suite(sr, f());
	TALLY_SUITES
#undef X
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
