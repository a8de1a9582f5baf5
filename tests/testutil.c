/*
 * tests/testutil.c: capture sink, fixture readers and a measured run of
 * tally-collect for the suites.
 */
#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "internal.h"
#include "testutil.h"

static int
capture_record(struct tally_sink *s, const struct tally_record *r,
    struct tally_error *err)
{
	struct capture *c = (struct capture *)s;
	struct tally_buf b;
	char **p;

	tally_buf_init(&b);
	if (tally_stream_format(&b, r) != TALLY_OK)
		return TALLY_ENOMEM;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		if ((p = realloc(c->lines, c->cap * sizeof(*p))) == NULL)
			return TALLY_ENOMEM;
		c->lines = p;
	}
	c->lines[c->n++] = tally_buf_detach(&b);
	if (r->type == TALLY_REC_TEST) {
		c->ntests++;
		c->nstatus[r->u.test.status]++;
	} else if (r->type == TALLY_REC_ERROR)
		c->nerrors++;
	else if (r->type == TALLY_REC_SUITE)
		c->nsuites++;
	(void)err;
	return TALLY_OK;
}

static int
capture_end(struct tally_sink *s, struct tally_error *err)
{
	((struct capture *)s)->ended = 1;
	(void)err;
	return TALLY_OK;
}

void
capture_init(struct capture *c)
{
	memset(c, 0, sizeof(*c));
	c->sink.record = capture_record;
	c->sink.end = capture_end;
}

void
capture_fini(struct capture *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->lines[i]);
	free(c->lines);
	memset(c, 0, sizeof(*c));
}

char *
capture_join(const struct capture *c)
{
	struct tally_buf b;
	size_t i;

	tally_buf_init(&b);
	for (i = 0; i < c->n; i++)
		tally_buf_adds(&b, c->lines[i]);
	return tally_buf_detach(&b);
}

size_t
capture_count(const struct capture *c, const char *needle)
{
	size_t i, k = 0;

	for (i = 0; i < c->n; i++)
		if (strstr(c->lines[i], needle) != NULL)
			k++;
	return k;
}

const char *
capture_one(const struct capture *c, const char *n1, const char *n2)
{
	const char *hit = NULL;
	size_t i, k = 0;

	for (i = 0; i < c->n; i++)
		if (strstr(c->lines[i], n1) != NULL &&
		    (n2 == NULL || strstr(c->lines[i], n2) != NULL)) {
			hit = c->lines[i];
			k++;
		}
	ck_assert_msg(k == 1, "%zu lines with '%s' '%s'", k, n1,
	    n2 != NULL ? n2 : "");
	return hit;
}

int
read_file(const char *path, enum tally_format fmt, struct capture *c,
    struct tally_error *err)
{
	int fd, rc;

	if ((fd = open(path, O_RDONLY)) < 0) {
		tally_error_init(err, path);
		return tally_error_set(err, TALLY_EIO, 0, 0, "cannot open");
	}
	rc = tally_read_fd(fd, path, fmt, &c->sink, err);
	close(fd);
	return rc;
}

void
read_fixture(const char *path, struct capture *c)
{
	struct tally_error err;
	int rc;

	capture_init(c);
	rc = read_file(path, TALLY_FMT_AUTO, c, &err);
	ck_assert_msg(rc == TALLY_OK, "%s: %d %s:%ld:%ld: %s", path, rc,
	    err.file, err.line, err.column, err.message);
}

int
read_string(const char *s, const char *name, enum tally_format fmt,
    struct capture *c, struct tally_error *err)
{
	char path[] = "/tmp/tally-check-XXXXXX";
	int fd, rc;
	size_t n = strlen(s);

	if ((fd = mkstemp(path)) < 0)
		return TALLY_EIO;
	if (write(fd, s, n) != (ssize_t)n || lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		unlink(path);
		return TALLY_EIO;
	}
	unlink(path);
	rc = tally_read_fd(fd, name, fmt, &c->sink, err);
	close(fd);
	return rc;
}

void
report_totals(struct tally_report *rep)
{
	struct tally_totals *to = &rep->totals;
	size_t i, ran;

	memset(to, 0, sizeof(*to));
	for (i = 0; i < rep->ntests; i++) {
		const struct tally_test *t = &rep->tests[i]->u.test;

		to->tests++;
		to->status[t->status]++;
		to->flaky += t->flaky != 0;
		to->retried += t->retries > 0;
		if (t->duration > 0)
			to->duration += t->duration;
	}
	to->errors = rep->nerrors;
	ran = to->tests - to->status[TALLY_SKIPPED] - to->status[TALLY_PENDING];
	to->pass_rate = ran == 0 ? 100.0 :
	    100.0 * (double)to->status[TALLY_PASSED] / (double)ran;
}

/* The tool next to the runner: B/tests/runner -> B/bin/TOOL. */
static void
tool_path(char *out, size_t n, const char *tool)
{
	char self[PATH_MAX - 32];
	ssize_t k = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	snprintf(out, n, "build/bin/%s", tool);
	if (k <= 0)
		return;
	self[k] = '\0';
	if ((slash = strrchr(self, '/')) != NULL)
		*slash = '\0';
	if ((slash = strrchr(self, '/')) != NULL)
		*slash = '\0';
	if (snprintf(out, n, "%s/bin/%s", self, tool) >= (int)n)
		snprintf(out, n, "build/bin/%s", tool);
}

static void
collect_path(char *out, size_t n)
{
	tool_path(out, n, "tally-collect");
}

void
collect_run(const char *arg, int infd, struct collect_run *r)
{
	char buf[65536], *q;
	ssize_t k;
	pid_t pid;
	int p[2];

	memset(r, 0, sizeof(*r));
	collect_path(r->exe, sizeof(r->exe));
	ck_assert_int_eq(pipe(p), 0);
	clock_gettime(CLOCK_MONOTONIC, &r->t0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		setenv("ASAN_OPTIONS", "quarantine_size_mb=0", 1);
		if (infd >= 0)
			dup2(infd, STDIN_FILENO);
		dup2(p[1], STDOUT_FILENO);
		close(p[0]);
		close(p[1]);
		execl(r->exe, "tally-collect", arg, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while ((k = read(p[0], buf, sizeof(buf))) > 0)
		for (q = buf; (q = memchr(q, '\n', (size_t)(buf + k - q))) !=
		    NULL; q++)
			r->lines++;
	close(p[0]);
	ck_assert_int_eq(wait4(pid, &r->status, 0, &r->ru), pid);
	clock_gettime(CLOCK_MONOTONIC, &r->t1);
}

void
tool_run(const char *tool, const char *const *args, int infd,
    struct collect_run *r)
{
	char buf[65536], *q, *argv[16];
	ssize_t k;
	pid_t pid;
	size_t i;
	int p[2];

	memset(r, 0, sizeof(*r));
	tool_path(r->exe, sizeof(r->exe), tool);
	argv[0] = (char *)tool;
	for (i = 0; args[i] != NULL && i + 2 < sizeof(argv) / sizeof(*argv);
	    i++)
		argv[i + 1] = (char *)args[i];
	argv[i + 1] = NULL;
	ck_assert_int_eq(pipe(p), 0);
	clock_gettime(CLOCK_MONOTONIC, &r->t0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		setenv("ASAN_OPTIONS", "quarantine_size_mb=0", 1);
		if (infd >= 0)
			dup2(infd, STDIN_FILENO);
		dup2(p[1], STDOUT_FILENO);
		close(p[0]);
		close(p[1]);
		execv(r->exe, argv);
		_exit(127);
	}
	close(p[1]);
	while ((k = read(p[0], buf, sizeof(buf))) > 0)
		for (q = buf; (q = memchr(q, '\n', (size_t)(buf + k - q))) !=
		    NULL; q++)
			r->lines++;
	close(p[0]);
	ck_assert_int_eq(wait4(pid, &r->status, 0, &r->ru), pid);
	clock_gettime(CLOCK_MONOTONIC, &r->t1);
}

int
big_stream(size_t tests)
{
	char path[PATH_MAX];
	const char *tmp = getenv("TMPDIR");
	size_t i;
	FILE *fp;
	int fd;

	snprintf(path, sizeof(path), "%s/tally-big-XXXXXX",
	    tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	/* Unlinked at once: nothing is left behind, even on a timeout. */
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	unlink(path);
	ck_assert_ptr_nonnull(fp = fdopen(dup(fd), "w"));
	for (i = 0; i < tests; i++) {
		if (i % 100 == 0)
			fprintf(fp, "{\"v\":1,\"type\":\"suite\",\"suite\":"
			    "[\"pkg\",\"Suite%zu\"],\"tests\":100,"
			    "\"labels\":{\"shard\":\"1\"}}\n", i / 100);
		fprintf(fp, "{\"v\":1,\"type\":\"test\",\"name\":"
		    "\"test_case_%zu\",\"status\":\"%s\",\"duration\":%zu,"
		    "\"suite\":[\"pkg\",\"Suite%zu\"],\"classname\":"
		    "\"pkg.Suite%zu\",%s\"source\":\"shard-1.xml\","
		    "\"labels\":{\"shard\":\"1\"}}\n", i,
		    i % 50 == 7 || i % 10 == 3 ? "failed" : "passed", i % 977,
		    i / 100, i / 100, i % 50 == 7 ? "\"message\":\"assert 1 "
		    "== 2\",\"trace\":\"Traceback (most recent call last):"
		    "\\n  File \\\"tests/test_x.py\\\", line 7\\nAssertion"
		    "Error\",\"stdout\":\"captured output line one\\n\","
		    : "");
	}
	/* Every tenth test failed on shard 1 and passed on a rerun. */
	for (i = 3; i < tests; i += 10)
		fprintf(fp, "{\"v\":1,\"type\":\"test\",\"name\":"
		    "\"test_case_%zu\",\"status\":\"passed\",\"duration\":"
		    "%zu,\"suite\":[\"pkg\",\"Suite%zu\"],\"classname\":"
		    "\"pkg.Suite%zu\",\"source\":\"shard-2.xml\","
		    "\"labels\":{\"shard\":\"2\"}}\n", i, i % 311, i / 100,
		    i / 100);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

void
mutate(struct tally_buf *b, unsigned long *r, const char *const *tok,
    size_t ntok, int edits)
{
	size_t at, n, tl;
	const char *t;
	int e;

	for (e = 0; e < edits; e++) {
		*r = *r * 6364136223846793005UL + 1442695040888963407UL;
		at = (size_t)(*r >> 33) % (b->len + 1);
		n = (size_t)(*r >> 13) % 7;
		switch ((*r >> 20) % 4) {
		case 0:		/* insert a token */
		case 1:
			t = tok[(*r >> 40) % ntok];
			tl = strlen(t);
			tally_buf_reserve(b, tl);
			memmove(b->data + at + tl, b->data + at, b->len - at + 1);
			memcpy(b->data + at, t, tl);
			b->len += tl;
			break;
		case 2:		/* delete a few bytes */
			if (at + n > b->len)
				n = b->len - at;
			memmove(b->data + at, b->data + at + n,
			    b->len - at - n + 1);
			b->len -= n;
			break;
		default:	/* replace one byte (not by NUL) */
			if (at < b->len)
				b->data[at] = (char)(1 + (*r >> 44) % 255);
		}
	}
}

void
write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_ptr_nonnull(fp = fopen(path, "w"));
	fputs(text, fp);
	ck_assert_int_eq(fclose(fp), 0);
}
