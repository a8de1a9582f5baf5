/*
 * tally/category.h: giving test records their category (CTRF's "type")
 * from the organize rules (tally-rules(5)), for tally-collect --rules.
 *
 * Ownership: the sink borrows next and the rules; both must outlive it.
 * Release it with tally_sink_free().  Category names are borrowed from
 * the rules.
 */
#ifndef TALLY_CATEGORY_H
#define TALLY_CATEGORY_H

#include <tally/error.h>
#include <tally/record.h>
#include <tally/rules.h>
#include <tally/sink.h>

/*
 * The category the rules give test t, from its file path, else its
 * classname (see tally_rules_classify()); NULL when t has neither or no
 * rule and no default applies.  A path or dotted classname with the
 * tests directory below some prefix ("/ci/proj/tests/unit/x.py",
 * "proj.tests.unit.test_x.TestX") is read from that directory on;
 * backslashes in a file path count as '/'; a file path without a
 * directory is read below a classname that is a path (go test's package
 * and file).  The category t already has is not looked at.  A pattern
 * that hits a PCRE2 limit fails with TALLY_ELIMIT, the pattern named in
 * err.
 */
int	tally_category_of(const struct tally_rules *r,
	    const struct tally_test *t, const char **category,
	    struct tally_error *err);

/*
 * A sink that gives each test record without a category (NULL or "")
 * the one tally_category_of() finds, and passes every record on to
 * next.  A record the rules do not classify goes on without one.  A
 * failure of tally_category_of() is returned and the record dropped.
 */
int	tally_category_sink_new(struct tally_sink **out,
	    struct tally_sink *next, const struct tally_rules *r);

#endif /* TALLY_CATEGORY_H */
