/*
 * lib/read/declared.c: the counts a file declares against the tests it holds.
 *
 * Many formats state their own totals besides the tests themselves
 * (JUnit tests=, failures=, errors=, skipped=; CTRF results.summary;
 * jest's num* members; pytest-json-report's summary; mocha's stats).
 * A reader counts the records the declaration covers with
 * tally_declared_saw() and calls tally_declared_check() at the end.
 * When the two disagree the file says more than its records: the
 * difference is a warning at the line of the declaration and goes into
 * the stream as a "meta" record (item "tally.declared"), and failures declared but carried by no record
 * become one failed test named "(declared) WHERE" with rawStatus
 * "declared", so the number of failures never goes down.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void
tally_declared_init(struct tally_declared *d)
{
	memset(d, 0, sizeof(*d));
	d->tests = d->failed = d->skipped = d->must_fail = -1;
}

void
tally_declared_saw(struct tally_declared *d, enum tally_status st, int test)
{
	if (test)
		d->ntests++;
	if (st == TALLY_FAILED)
		d->nfailed++;
	else if (test && (st == TALLY_SKIPPED || st == TALLY_PENDING))
		d->nskipped++;
}

static int
differs(const struct tally_declared *d, long declared, long found,
    long extra)
{
	return declared >= 0 && ((declared < found && !d->more_ok) ||
	    declared > found + extra);
}

/* "10 tests (8 found), 3 failed (1 found)". */
static int
describe(const struct tally_declared *d, struct tally_buf *b,
    const char *what, long declared, long found, long extra)
{
	if (!differs(d, declared, found, extra))
		return TALLY_OK;
	return tally_buf_printf(b, "%s%ld %s (%ld found)",
	    b->len > 0 ? ", " : "", declared, what, found);
}

int
tally_declared_check(const struct tally_declared *d, struct tally_src *src,
    const char *where, const char *const *suite, size_t nsuite,
    struct tally_sink *sink, struct tally_error *err)
{
	struct tally_record rec;
	struct tally_test *t = &rec.u.test;
	struct tally_kv kv;
	struct tally_buf b, msg;
	int rc;

	if (!differs(d, d->tests, d->ntests, d->xtests) &&
	    !differs(d, d->failed, d->nfailed, d->xfailed) &&
	    !differs(d, d->skipped, d->nskipped, 0))
		return TALLY_OK;
	tally_buf_init(&b);
	tally_buf_init(&msg);
	rc = describe(d, &b, "tests", d->tests, d->ntests, d->xtests);
	if (rc == TALLY_OK)
		rc = describe(d, &b, "failed", d->failed, d->nfailed,
		    d->xfailed);
	if (rc == TALLY_OK)
		rc = describe(d, &b, "skipped", d->skipped, d->nskipped, 0);
	if (rc == TALLY_OK && where != NULL)
		rc = tally_buf_printf(&msg, "'%s' declares %s", where, b.data);
	else if (rc == TALLY_OK)
		rc = tally_buf_printf(&msg, "the file declares %s", b.data);
	if (rc != TALLY_OK)
		goto out;
	tally_src_warn(src, d->line, "%s", msg.data);
	tally_record_init(&rec, TALLY_REC_META);
	rec.source = src->name;
	kv.key = "tally.declared";
	kv.value = msg.data;
	rec.u.meta.items = &kv;
	rec.u.meta.nitems = 1;
	if ((rc = tally_sink_record(sink, &rec, err)) != TALLY_OK)
		goto out;
	if ((d->must_fail >= 0 ? d->must_fail : d->failed) <=
	    d->nfailed + d->xfailed)
		goto out;
	tally_buf_reset(&b);
	tally_buf_reset(&msg);
	if ((rc = tally_buf_printf(&b, "(declared) %s", where != NULL ? where :
	    src->name)) != TALLY_OK ||
	    (rc = tally_buf_printf(&msg, "declares %ld failure%s, %ld found",
	    d->failed, d->failed == 1 ? "" : "s", d->nfailed)) != TALLY_OK)
		goto out;
	tally_record_init(&rec, TALLY_REC_TEST);
	rec.source = src->name;
	t->name = b.data;
	t->suite = (const char **)suite;
	t->nsuite = nsuite;
	t->status = TALLY_FAILED;
	t->raw_status = "declared";
	t->message = msg.data;
	rc = tally_sink_record(sink, &rec, err);
out:
	if (rc == TALLY_ENOMEM)
		tally_error_set(err, rc, 0, 0, "out of memory");
	tally_buf_free(&b);
	tally_buf_free(&msg);
	return rc;
}
