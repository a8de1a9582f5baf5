/*
 * tally/record.h: the records every tally tool exchanges.
 *
 * Ownership: a record handed to a sink borrows every string and array it
 * points to; they stay valid only until the sink's callback returns.  A
 * sink that keeps a record copies it with tally_record_dup() and releases
 * the copy with tally_record_free().  All strings are NUL-terminated UTF-8
 * (readers repair invalid sequences); NULL means "absent".
 */
#ifndef TALLY_RECORD_H
#define TALLY_RECORD_H

#include <stddef.h>

/* Version of the record stream written in every record's "v" field. */
#define TALLY_STREAM_VERSION 1

enum tally_type {
	TALLY_REC_TEST = 1,
	TALLY_REC_SUITE,
	TALLY_REC_META,
	TALLY_REC_ERROR,
	TALLY_REC_PERF,
	TALLY_REC_DIFF,
	TALLY_REC_HISTORY,
	TALLY_REC_RUN
};

/* CTRF's status vocabulary. */
enum tally_status {
	TALLY_PASSED = 0,
	TALLY_FAILED,
	TALLY_SKIPPED,
	TALLY_PENDING,
	TALLY_OTHER
};
#define TALLY_NSTATUS 5

/* An ordered key/value pair: properties, labels, metadata. */
struct tally_kv {
	const char	*key;
	const char	*value;
};

/* One execution of a test that a file reports with reruns inside it. */
struct tally_attempt {
	enum tally_status status;
	const char	*raw_status;	/* producer's word: failure, error, ... */
	double		 duration;	/* milliseconds, -1 when unknown */
	const char	*message;
	const char	*type;		/* exception type */
	const char	*trace;
	const char	*stdout_text;
	const char	*stderr_text;
};

/* One test case result (stream type "test"). */
struct tally_test {
	const char	*name;
	const char	*classname;
	const char	**suite;	/* outermost first; nsuite entries */
	size_t		 nsuite;
	enum tally_status status;
	const char	*raw_status;	/* producer's own word, NULL if none */
	double		 duration;	/* milliseconds, -1 when unknown */
	const char	*message;
	const char	*type;		/* exception type */
	const char	*trace;
	const char	*stdout_text;
	const char	*stderr_text;
	const char	*file_path;	/* filePath: the test's source file */
	long		 line;		/* 0 when unknown */
	const char	*category;	/* CTRF "type": unit, e2e, ... */
	long		 retries;	/* attempts beyond the first */
	int		 flaky;		/* failed, then finally passed */
	struct tally_attempt *attempts;	/* earlier attempts, oldest first */
	size_t		 nattempts;
	struct tally_kv	*properties;
	size_t		 nproperties;
	/* Set by tally diff (see tally/diff.h), NULL and -1 otherwise. */
	const char	*change;	/* "new-failure", "fixed", ... */
	const char	*duration_change; /* "slower", "faster" */
	double		 base_duration;	/* BASE's duration, ms, -1 */
};

/* Suite-level facts (stream type "suite"). */
struct tally_suite {
	const char	**path;		/* outermost first, last is this suite */
	size_t		 npath;
	const char	*timestamp;
	const char	*hostname;
	double		 duration;	/* milliseconds, -1 when unknown */
	long		 tests, failures, errors, skipped; /* declared, -1 if not */
	const char	*stdout_text;
	const char	*stderr_text;
	struct tally_kv	*properties;
	size_t		 nproperties;
};

/* Run metadata (stream type "meta"). */
struct tally_meta {
	struct tally_kv	*items;
	size_t		 nitems;
};

/* An input that could not be read completely (stream type "error"). */
struct tally_errrec {
	long		 line;		/* 0 when unknown */
	long		 column;
	const char	*message;
};

/* One load- or benchmark-result row (stream type "perf"). */
struct tally_perf {
	const char	*name;
	const char	*method;	/* HTTP method or group, may be NULL */
	long		 requests;	/* -1 when unknown */
	long		 failures;
	double		 mean, min, max, median, p90, p95, p99; /* ms, -1 */
	double		 rps;		/* requests per second, -1 */
	struct tally_kv	*properties;
	size_t		 nproperties;
};

/*
 * Flat named members, each a string, an array of strings (strv) or, with
 * both NULL, a number: the body of the summary records (stream types
 * "diff", "history" and "run"), written in this order.
 */
struct tally_field {
	const char	*key;
	const char	*str;
	double		 num;
	const char	**strv;
	size_t		 nstrv;
};

struct tally_fields {
	struct tally_field *items;
	size_t		 nitems;
};

struct tally_record {
	enum tally_type	 type;
	const char	*source;	/* input file the record came from */
	struct tally_kv	*labels;	/* free labels, e.g. python=3.11 */
	size_t		 nlabels;
	union {
		struct tally_test	test;
		struct tally_suite	suite;
		struct tally_meta	meta;
		struct tally_errrec	error;
		struct tally_perf	perf;
		struct tally_fields	fields;	/* diff, history, run */
	} u;
};

/* Zero a record and set its type; numeric "unknown" fields become -1. */
void		 tally_record_init(struct tally_record *rec, enum tally_type type);

/* Deep-copy rec into a new allocation; *out is NULL on failure. */
int		 tally_record_dup(const struct tally_record *rec,
		    struct tally_record **out);

/* Release a record made by tally_record_dup(); NULL is fine. */
void		 tally_record_free(struct tally_record *rec);

/* Names used in the stream: "passed", "test", ... NULL when unknown. */
const char	*tally_status_name(enum tally_status st);
int		 tally_status_parse(const char *s, enum tally_status *out);
const char	*tally_type_name(enum tally_type t);
int		 tally_type_parse(const char *s, enum tally_type *out);

/* A member of a summary record by key; NULL when absent. */
const struct tally_field *tally_field_get(const struct tally_fields *f,
		    const char *key);

/* Look up a label or property by key; NULL when absent. */
const char	*tally_kv_get(const struct tally_kv *kv, size_t n,
		    const char *key);

/*
 * The label naming a partition of one run (collect --label shard=N).  It
 * is not part of a test's identity: a test rerun on another shard (test
 * splitting by timings, Cypress Cloud or Knapsack balancing) is the same
 * test, unlike a matrix label such as python=3.11.
 */
#define TALLY_LABEL_SHARD "shard"

/*
 * The identity of "the same test": its labels but TALLY_LABEL_SHARD
 * (sorted by key), suite path, classname and name, joined with
 * separators that cannot occur in UTF-8 text.  Two records are the same
 * test exactly when their keys compare equal.  The caller frees *out.
 */
int		 tally_test_key(const struct tally_record *rec, char **out);

#endif /* TALLY_RECORD_H */
