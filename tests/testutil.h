/*
 * tests/testutil.h: helpers for the Check suites: a sink that keeps
 * what it receives as stream lines, and reading a fixture through a
 * reader.  Fixture paths are relative to the repository root.
 */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <sys/resource.h>

#include <limits.h>
#include <stddef.h>
#include <time.h>

#include <tally/reader.h>
#include <tally/report.h>
#include <tally/sink.h>

/* A sink that formats every record as a stream line and keeps them. */
struct capture {
	struct tally_sink sink;
	char	**lines;
	size_t	  n;
	size_t	  cap;
	size_t	  ntests;
	size_t	  nstatus[5];	/* tests per status */
	size_t	  nerrors;	/* error records */
	size_t	  nsuites;
	int	  ended;
};

void	capture_init(struct capture *c);
void	capture_fini(struct capture *c);
/* Everything captured as one string (caller frees). */
char	*capture_join(const struct capture *c);
/* Number of captured lines containing needle. */
size_t	capture_count(const struct capture *c, const char *needle);

/*
 * The only captured line with n1 (and n2 unless NULL) in it; fails the
 * test unless there is exactly one.
 */
const char *capture_one(const struct capture *c, const char *n1,
	    const char *n2);

/*
 * A line has, or has not, s in it (check.h included first).  Check can
 * pass only short messages back from the forked test: both are cut.
 */
#define HAS(line, s) ck_assert_msg(strstr((line), (s)) != NULL, \
	"'%.300s' not in %.1500s", (s), (line))
#define HASNT(line, s) ck_assert_msg(strstr((line), (s)) == NULL, \
	"'%.300s' in %.1500s", (s), (line))

/* Read path with tally_read_fd into c; returns the reader's status. */
int	read_file(const char *path, enum tally_format fmt, struct capture *c,
	    struct tally_error *err);
/*
 * Read the fixture at path (format detected) into c, which it
 * initialises; fails the test unless the reader returns TALLY_OK.
 */
void	read_fixture(const char *path, struct capture *c);
/* Read a string as an input named name. */
int	read_string(const char *s, const char *name, enum tally_format fmt,
	    struct capture *c, struct tally_error *err);

/*
 * Make edits small random edits of b (a fixed sequence from *r): insert
 * one of the ntok tokens, delete a few bytes, or replace one byte (never
 * by NUL).  For reading real records broken in many ways, both ways.
 */
struct tally_buf;
void	mutate(struct tally_buf *b, unsigned long *r, const char *const *tok,
	    size_t ntok, int edits);

/*
 * Fill rep->totals from rep->tests and rep->nerrors as
 * include/tally/report.h defines them, for reports built by hand.
 */
void	report_totals(struct tally_report *rep);

/* A run of tally-collect whose output is counted, not kept. */
struct collect_run {
	char		 exe[PATH_MAX];	/* the tally-collect that ran */
	int		 status;	/* as wait4() gives it */
	size_t		 lines;		/* lines it wrote on stdout */
	struct rusage	 ru;		/* ru.ru_maxrss: peak RSS in KiB */
	struct timespec	 t0, t1;	/* CLOCK_MONOTONIC at fork, after wait */
};

/*
 * Run the tally-collect next to the runner (B/tests/runner -> B/bin/,
 * else build/bin/) with one argument, stdin from infd unless it is -1,
 * and no sanitizer quarantine; count the lines it writes as they stream
 * by and wait for it.
 */
void	collect_run(const char *arg, int infd, struct collect_run *r);
/* The same for tool (tally-merge, ...) with NULL-terminated args. */
void	tool_run(const char *tool, const char *const *args, int infd,
	    struct collect_run *r);

/*
 * An unlinked temporary file, at offset 0, holding a record stream of
 * the given number of tests in suites of 100 (about 12% failed, with a
 * trace on 2%), then a rerun shard where every tenth test passed: not
 * in canonical order, and with reruns to merge.
 */
int	big_stream(size_t tests);
/* Write text to dir/name (fails the test if it cannot). */
void	write_file(const char *dir, const char *name, const char *text);

#endif
