/*
 * tally/reader.h: reading result files into records.
 *
 * Every reader streams: memory stays bounded by the largest single test
 * case, never by the size of the input.
 *
 * Ownership: the caller owns the sink and the error; nothing returned here
 * needs freeing.
 */
#ifndef TALLY_READER_H
#define TALLY_READER_H

#include <sys/types.h>

#include <stdio.h>

#include <tally/error.h>
#include <tally/sink.h>

enum tally_format {
	TALLY_FMT_AUTO = 0,	/* detect from the content */
	TALLY_FMT_JUNIT,	/* JUnit XML, every common dialect */
	TALLY_FMT_CHECKXML,	/* the Check framework's XML log */
	TALLY_FMT_CTRF,		/* CTRF JSON report */
	TALLY_FMT_PYTEST_JSON,	/* pytest-json-report */
	TALLY_FMT_JEST,		/* jest --json */
	TALLY_FMT_MOCHA,	/* mocha --reporter json */
	TALLY_FMT_GOTEST,	/* go test -json (test2json) */
	TALLY_FMT_STREAM,	/* tally's own record stream */
	TALLY_FMT_LOCUST,	/* Locust --csv *_stats.csv */
	TALLY_FMT_BENCHMARK,	/* pytest-benchmark --benchmark-json */
	TALLY_FMT_K6,		/* k6 --summary-export / handleSummary JSON */
	TALLY_FMT_NUNIT,	/* NUnit 2.5 and 3 result XML */
	TALLY_FMT_XUNIT,	/* xUnit.net v1/v2/v3 XML */
	TALLY_FMT_TAP,		/* Test Anything Protocol 12, 13, 14 */
	TALLY_FMT_RSPEC,	/* rspec --format json */
	TALLY_FMT_TRX,		/* Visual Studio TRX (dotnet test) */
	TALLY_FMT_PLAYWRIGHT,	/* Playwright --reporter=json */
	TALLY_FMT_CUCUMBER,	/* Cucumber JSON (cucumber-js, -jvm, -ruby) */
	TALLY_FMT_JMETER,	/* JMeter .jtl, CSV or XML */
	TALLY_FMT_COUNT
};

/* "junit", "ctrf", ...: the names --format takes. */
const char	*tally_format_name(enum tally_format fmt);
int		 tally_format_parse(const char *name, enum tally_format *out);

/*
 * Guess the format from the first bytes of an input; TALLY_FMT_AUTO when
 * nothing matches.
 */
enum tally_format tally_format_detect(const unsigned char *head, size_t len);

/*
 * Read one input from fd (not closed here), named name in records and
 * messages.  On malformed input the records read before the fault have
 * already gone to sink; then an "error" record follows, err says where and
 * what, and TALLY_EPARSE is returned.  TALLY_EIO: the input could not be
 * read (also reported with an "error" record).  Other negative statuses
 * come from the sink and stop everything.
 */
int		 tally_read_fd(int fd, const char *name, enum tally_format fmt,
		    struct tally_sink *sink, struct tally_error *err);

/*
 * Read a file or, recursively and in sorted order, a directory; "-" is
 * standard input.  In a directory only regular files whose names end in
 * .xml, .json, .jsonl, .ndjson, .csv, .tap or .trx are read; hidden entries are
 * skipped, symbolic links are not followed and FIFOs, sockets and devices
 * are not opened.  For each input that fails, report(arg, status, err) is
 * called, an "error" record goes into sink and reading goes on; the worst
 * status is returned.  Warnings come as report(arg, TALLY_OK, err): a
 * skipped link or special file whose name is a result file's (or a link
 * to a directory), and a value left out of an input that is still read.
 */
int		 tally_read_path(const char *path, enum tally_format fmt,
		    struct tally_sink *sink,
		    void (*report)(void *arg, int status,
			const struct tally_error *err),
		    void *arg);

/* A file by identity, such as a tool's own output. */
struct tally_file_id {
	dev_t		 dev;
	ino_t		 ino;
	int		 named_ok;	/* may be read when named as an operand
					   (an -o target, replaced at the end) */
};

/* What a directory walk passes over; every member may be zero. */
struct tally_walk {
	const char *const *include;	/* fnmatch(3) patterns: with any, only
					   files matching one are read */
	size_t		 ninclude;
	const char *const *exclude;	/* files and directories not read */
	size_t		 nexclude;
	const struct tally_file_id *own; /* the tool's output: never read */
	size_t		 nown;
	struct tally_jobs *jobs;	/* read files on these threads (NULL:
					   one after another) */
};

/*
 * tally_read_path() with a walk's options (opts may be NULL).  Patterns
 * are matched, without flags, against the path below the operand and
 * against the entry's own name; an excluded directory is not entered;
 * operands themselves are never filtered.  A file in own is skipped with
 * a warning in a walk and refused as an operand (unless named_ok).
 *
 * In a walk without a forced format, a file in which no format is
 * detected is skipped with a warning and no record, unless it may be a
 * result file cut short: an empty file, or XML that ends before its root
 * element's name (those are errors).  A file whose format is detected and
 * that fails to parse is always an error.  A directory operand in which no
 * result file is read is said as a warning.
 */
int		 tally_read_walk(const char *path, enum tally_format fmt,
		    const struct tally_walk *opts, struct tally_sink *sink,
		    void (*report)(void *arg, int status,
			const struct tally_error *err),
		    void *arg);

/*
 * tally_read_walk(path, TALLY_FMT_STREAM, opts, ...) without jobs
 * (opts->jobs is not used), in a program that names no other reader: it
 * links only the stream reader, so a tool that reads only tally streams
 * (merge, render, diff, history) starts without libxml2.
 */
int		 tally_stream_walk(const char *path,
		    const struct tally_walk *opts, struct tally_sink *sink,
		    void (*report)(void *arg, int status,
			const struct tally_error *err),
		    void *arg);

/*
 * Reading files in parallel.  With jobs in its tally_walk,
 * tally_read_walk() hands each file to one of the jobs' threads; the sink
 * and report it is given are not used, and it returns the status of the
 * walk itself (a directory that cannot be read), not of the files.  Each
 * thread, and the walk, writes its records through a chain of sinks of its
 * own, made by io->make(io->arg, i, fp, &sink) for i from 0 to threads
 * (no two chains are used at once) and ending in a writer on fp.  The
 * bytes of each input's records, kept in memory up to a bound and then in
 * an unlinked temporary file in $TMPDIR, go to io->write(io->arg, p, n)
 * and its diagnostics to io->report(io->arg, status, err), on the
 * caller's thread, input by input in the order of the walk: the output is
 * what reading the files one after another gives.  The input first in
 * order, once all before it is written, writes through: its thread calls
 * io->write itself, while the caller's thread writes nothing (one call
 * at a time, in order, always), so io->write must share no unguarded
 * state with the chains, which go on working meanwhile.  io->write returns
 * TALLY_OK, or an error status: reading goes on, and
 * tally_jobs_finish() returns the worst one.  At most two files
 * per thread are held at once, so memory does not grow with the number
 * of files.
 */
struct tally_jobs;

struct tally_jobs_io {
	int	(*make)(void *arg, unsigned i, FILE *fp,
		    struct tally_sink **out);
	int	(*write)(void *arg, const void *p, size_t n);
	void	(*report)(void *arg, int status,
		    const struct tally_error *err);
	void	*arg;
};

int		 tally_jobs_new(struct tally_jobs **out, unsigned threads,
		    const struct tally_jobs_io *io);
/* Wait for every file handed over and write what is left; the worst
 * status of the files and of io->write. */
int		 tally_jobs_finish(struct tally_jobs *j);
/* Stops the threads; the chains made by io->make are freed here. */
void		 tally_jobs_free(struct tally_jobs *j);

#endif /* TALLY_READER_H */
