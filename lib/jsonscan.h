/*
 * lib/jsonscan.h: a streaming JSON scanner for single-document result
 * files (CTRF, jest, mocha, pytest-json-report, pytest-benchmark, k6).
 *
 * The scanner reads the document once through tally_src_read(), checks
 * its syntax as it goes and never holds more than one chosen value: a
 * reader names the paths it cares about ("results.tests[*]"), and each
 * value found at one of them is captured, parsed with tally_json_parse()
 * and handed to the reader's callback, then freed.  Everything else is
 * only validated and skipped.  Memory is bounded by the largest captured
 * value (TALLY_JSCAN_MAX), not by the file.
 *
 * Path syntax: members joined by '.', "*" for any member name, "[*]" for
 * any array element: "results.tests[*]", "metrics.*", "root_group".
 *
 * Ownership: a struct tally_jvalue and its cJSON tree are borrowed and
 * valid only during the callback.  A struct tally_jtmp owns the strings
 * given to tally_jtmp_own() until tally_jtmp_reset() or _free().
 */
#ifndef TALLY_JSONSCAN_H
#define TALLY_JSONSCAN_H

#ifndef TALLY_BUILDING_LIB
#error "lib/jsonscan.h is private to libtally"
#endif

#include "internal.h"

/* Largest single value the scanner captures. */
#define TALLY_JSCAN_MAX		(TALLY_MAX_FIELD * 4)
/* Most paths one scan may watch. */
#define TALLY_JSCAN_MAXPATHS	16

struct cJSON;

/* One captured value. */
struct tally_jvalue {
	int			 which;	/* index into the paths given */
	const char		*key;	/* member name, NULL for an element */
	long			 index;	/* element index, -1 for a member */
	long			 line;	/* where the value starts */
	long			 column;
	const struct cJSON	*json;
};

typedef int (*tally_jscan_fn)(void *arg, const struct tally_jvalue *v,
    struct tally_error *err);

/*
 * Scan the JSON document in src, calling fn for every value at one of
 * paths (a NULL-terminated list).  With reached, bit i tells that the
 * container holding path i's values was found ("results.tests" is an
 * array, "metrics" an object), even if it was empty: a reader tells "no
 * tests" from "not my format" with it.  Returns TALLY_OK, TALLY_EPARSE with
 * err at the first fault (syntax, a \u0000 escape anywhere, nesting over
 * TALLY_MAX_DEPTH), TALLY_ELIMIT (a value over TALLY_JSCAN_MAX),
 * TALLY_EIO, TALLY_ENOMEM, or the first non-zero status fn returned.
 */
int	tally_jscan(struct tally_src *src, const char *const *paths,
	    tally_jscan_fn fn, void *arg, unsigned *reached,
	    struct tally_error *err);

/* Scratch space for building records out of cJSON values. */
struct tally_jtmp {
	char			**strs;		/* owned strings */
	size_t			  nstrs, capstrs;
	const char		**suite;
	size_t			  nsuite, capsuite;
	struct tally_kv		 *kv;
	size_t			  nkv, capkv;
	struct tally_attempt	 *att;
	size_t			  natt, capatt;
	int			  oom;		/* an allocation failed */
};

void	 tally_jtmp_reset(struct tally_jtmp *t);
void	 tally_jtmp_free(struct tally_jtmp *t);
/* Take ownership of s (may be NULL) and return it. */
const char *tally_jtmp_own(struct tally_jtmp *t, char *s);
/* Append to the suite path, the key/value list or the attempts. */
void	 tally_jtmp_suite(struct tally_jtmp *t, const char *name);
void	 tally_jtmp_kv(struct tally_jtmp *t, const char *key,
	    const char *value);
struct tally_attempt *tally_jtmp_attempt(struct tally_jtmp *t);
/*
 * Any JSON value as text owned by t: strings as they are, numbers in
 * shortest form, true/false, arrays and objects as compact JSON; NULL
 * for null or a missing value.
 */
const char *tally_jtmp_text(struct tally_jtmp *t, const struct cJSON *j);
/* A number as shortest text owned by t. */
const char *tally_jtmp_num(struct tally_jtmp *t, double v);
/* The strings of an array (or a lone string) joined with sep. */
const char *tally_jtmp_join(struct tally_jtmp *t, const struct cJSON *j,
	    const char *sep);
/*
 * Add the members of j as key/value pairs: nested objects become
 * "prefix.key.sub", arrays of scalars one pair per element, null is
 * left out.  A scalar j is one pair named prefix.
 */
void	 tally_jtmp_flatten(struct tally_jtmp *t, const char *prefix,
	    const struct cJSON *j);
/* The same for a map with unique keys (meta): arrays as JSON text. */
void	 tally_jtmp_flatten_map(struct tally_jtmp *t, const char *prefix,
	    const struct cJSON *j);

/*
 * Send rec (its suite, attempts and properties usually borrowed from t)
 * to sink, then reset t.  TALLY_ENOMEM, with t left as it is, when an
 * allocation in t failed.
 */
int	 tally_jtmp_send(struct tally_jtmp *t, struct tally_sink *sink,
	    const struct tally_record *rec, struct tally_error *err);

/*
 * Run metadata: flatten j into t as tally_jtmp_flatten_map() does, copy
 * the pairs into meta (the strings owned by meta), then reset t.
 */
void	 tally_jtmp_keep_map(struct tally_jtmp *meta, struct tally_jtmp *t,
	    const char *prefix, const struct cJSON *j);

/*
 * A reader's whole run: tally_jscan() with paths, fn and arg; when the
 * scan succeeds but none of the containers in the bit mask need was
 * found, a TALLY_EPARSE with the message notmine (and no meta record).
 * Then, after success or a fault in the input, send the pairs gathered
 * in meta as one "meta" record unless there are none, and free t and
 * meta.  Returns the scan's status or the sink's failure; a fault's err
 * is kept.
 */
int	 tally_jscan_read(struct tally_src *src, const char *const *paths,
	    tally_jscan_fn fn, void *arg, unsigned need, const char *notmine,
	    struct tally_jtmp *t, struct tally_jtmp *meta,
	    struct tally_sink *sink, struct tally_error *err);

/* Member of obj by exact name, NULL when absent. */
const struct cJSON *tally_json_get(const struct cJSON *obj, const char *key);
/* Boolean member: 1 true, 0 false, -1 absent or not a boolean. */
int	 tally_json_bool(const struct cJSON *obj, const char *key);
/* Non-empty string member, else NULL. */
const char *tally_json_nstr(const struct cJSON *obj, const char *key);

#endif /* TALLY_JSONSCAN_H */
