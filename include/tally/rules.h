/*
 * tally/rules.h: the organize rules (tally-rules(5)): which files are
 * tests, which stay where they are, and which category each test file
 * belongs to.  Rules come from a YAML file or from the built-in
 * defaults; their regexes are PCRE2 patterns run with match, depth and
 * heap limits.
 *
 * Ownership: tally_rules_load() and tally_rules_parse() give the caller a
 * struct tally_rules to release with tally_rules_free().  Every string and
 * struct tally_category returned by a getter is borrowed and valid while
 * the rules live.  A struct tally_rules holds one match buffer, so it must
 * not be used by two threads at once.
 */
#ifndef TALLY_RULES_H
#define TALLY_RULES_H

#include <stddef.h>

#include <tally/error.h>

struct tally_rules;

/* One category: where its tests live and what they are for. */
struct tally_category {
	const char	*name;		/* "integration" */
	const char	*dir;		/* below the tests directory */
	const char	*purpose;	/* one line */
	const char	*marker;	/* file to create in dir, or NULL */
	const char	*command;	/* the command that runs the category */
	long		 line;		/* of the command in the rules file */
};

/* What tally_rules_select() says about a path. */
#define TALLY_RULES_OTHER	0	/* not a test file: left alone */
#define TALLY_RULES_TEST	1	/* a test file: to classify */
#define TALLY_RULES_EXCLUDED	2	/* excluded: left alone */

/* Content longer than this is matched on its first bytes only. */
#define TALLY_RULES_MAX_CONTENT	(1u << 20)

/*
 * Read rules from the YAML file at path, or the built-in defaults when
 * path is NULL.  Errors name the file, line and column.
 */
int	 tally_rules_load(struct tally_rules **out, const char *path,
	    struct tally_error *err);

/* The same from len bytes of YAML text; name is used in messages. */
int	 tally_rules_parse(struct tally_rules **out, const char *name,
	    const char *text, size_t len, struct tally_error *err);

void	 tally_rules_free(struct tally_rules *r);

/* The built-in defaults as YAML text (what --print-rules writes). */
const char *tally_rules_default_text(void);

/* The tests directory, relative to the project root ("tests"). */
const char *tally_rules_tests_dir(const struct tally_rules *r);

/* The rules file's name as given, or "built-in rules". */
const char *tally_rules_name(const struct tally_rules *r);

/* The files of the references: key, relative to the project root. */
size_t	 tally_rules_nreferences(const struct tally_rules *r);
const char *tally_rules_reference(const struct tally_rules *r, size_t i);

size_t	 tally_rules_ncategories(const struct tally_rules *r);
const struct tally_category *tally_rules_category(const struct tally_rules *r,
	    size_t i);

/*
 * Whether relpath (below the tests directory) is a test file, excluded,
 * or something else.  A directory is passed with isdir set; it is either
 * excluded (not walked) or TALLY_RULES_OTHER.
 */
int	 tally_rules_select(const struct tally_rules *r, const char *relpath,
	    int isdir, int *what, struct tally_error *err);

/*
 * The category of the test file at relpath (below the tests directory):
 * the first rule whose patterns all match, else the default category,
 * else NULL.  A file already inside a category's directory (the deepest
 * one) is more specific than a name: there only rules with a path or
 * content pattern, or for that category, are tried, and with none
 * matching it keeps that category instead of the default.  content is called at most once, when the first rule with a
 * content pattern is reached; it sets *data and *len (borrowed until the
 * call returns) or fails with a status that is passed through.  With
 * content NULL, rules with a content pattern never match.
 */
int	 tally_rules_match(const struct tally_rules *r, const char *relpath,
	    int (*content)(void *arg, const char **data, size_t *len,
	    struct tally_error *err), void *arg,
	    const struct tally_category **cat, struct tally_error *err);

/*
 * The same, with *stay set when a pattern of keep: matches relpath (the
 * file is classified where it is, never moved).
 */
int	 tally_rules_match_stay(const struct tally_rules *r,
	    const char *relpath, int (*content)(void *arg, const char **data,
	    size_t *len, struct tally_error *err), void *arg,
	    const struct tally_category **cat, int *stay,
	    struct tally_error *err);

/*
 * The category name for a test known by its file path or its dotted
 * classname, for collect and render (NULL when none applies).  A path
 * ("tests/integration/test_api.py") loses a leading tests directory; a
 * classname ("tests.test_api_integration.TestApi") is read as the path of
 * its module: the components up to the last one that looks like a test
 * module ("test_*" or "*_test"), joined with '/', plus ".py"; with no
 * such component, the components joined with '/'.  Only path and name
 * patterns are tried; content rules never match here.
 */
int	 tally_rules_classify(const struct tally_rules *r,
	    const char *path_or_classname, const char **category,
	    struct tally_error *err);

/*
 * Triage categories (the triage: key): how many there are, and the name
 * of the first whose patterns all match a failure's exception type,
 * message and trace (a pattern on one that is NULL does not match), or
 * NULL when none does.  A pattern that hits a PCRE2 limit fails with
 * TALLY_ELIMIT, the pattern and its line named in err.
 */
size_t	 tally_rules_ntriage(const struct tally_rules *r);
int	 tally_rules_triage(const struct tally_rules *r, const char *type,
	    const char *message, const char *trace, const char **name,
	    struct tally_error *err);

#endif /* TALLY_RULES_H */
