/*
 * lib/read/read_gotest.c: `go test -json` (test2json) event streams.
 *
 * Events arrive interleaved: parallel tests and several packages share
 * one stream.  Every test that has started is kept (its output so far,
 * its attributes) until its final pass, fail, skip or bench event, then
 * goes out as one "test" record and is forgotten, so memory is bounded by
 * the tests running at once.  A package's own pass, fail or skip becomes
 * a "suite" record.  Nothing is dropped:
 *
 *   - a package that fails with no failing test gets a failed test named
 *     "(package) PKG" (suite and classname PKG): rawStatus
 *     "build-failed" when the event names a FailedBuild (Go 1.24 and
 *     later) or the package's output says "[build failed]",
 *     "setup-failed" for "[setup failed]", else "package-failed" (a
 *     panic outside a test, a failing TestMain or init); the build
 *     output (build events, or a "# PKG" block of plain lines), then the
 *     package's output, is its trace;
 *   - before Go 1.24 a package that does not build has no event at all:
 *     the go command prints "FAIL\tPKG [build failed]" (or "[setup
 *     failed]") as a plain line and the compiler's errors, under a line
 *     "# PKG ...", on stderr.  Such a FAIL line becomes the same
 *     "(package) PKG" record, rawStatus "build-failed" or
 *     "setup-failed", at the end of the input (the errors may come after
 *     it), with the "# PKG" block of the non-JSON lines as its trace;
 *   - tests still running when their package ends or the input stops (a
 *     panic or a timeout killed the binary) become failed tests with
 *     rawStatus "incomplete";
 *   - lines that are not JSON objects (stderr of the go command mixed in
 *     with 2>&1) are kept, like gotestsum does, as output of the next
 *     package to end (its suite record's stderr); only a line that starts
 *     like JSON and does not parse is an error.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "internal.h"

#define GT_BUCKETS	256	/* initial hash size; grows with open tests */
#define GT_BUILD_MAX	(1u << 20)	/* build output kept per import path */
#define GT_TRUNC	"\n[tally: output truncated]\n"
#define GT_MSG_MAX	65536	/* a message is a digest, not the output */

/* Text capped at a limit; what goes over is dropped and noted. */
struct text {
	struct tally_buf b;
	size_t		 max;
	int		 truncated;
};

struct gt_pkg;

struct gt_test {
	struct gt_pkg	*p;
	char		*name;
	uint32_t	 hash;
	int		 started;	/* saw "run", "pause" or "cont" */
	struct text	 out;
	struct tally_kv	*attrs;		/* "attr" events, in order */
	size_t		 nattrs;
	struct gt_test	*hnext;		/* hash chain */
	struct gt_test	*prev, *next;	/* its package's, oldest first */
};

struct gt_pkg {
	char		*name;
	uint32_t	 hash;
	struct text	 out;		/* output events without Test */
	struct text	 err;		/* non-JSON lines */
	long		 failed;	/* failed test records sent */
	struct gt_test	*first, *last;	/* open tests */
	struct gt_pkg	*hnext;
	struct gt_pkg	*prev, *next;	/* open packages, oldest first */
};

struct gt_build {
	char		*path;		/* ImportPath */
	struct text	 out;
	struct gt_build	*next;
};

struct gt {
	struct tally_sink *sink;
	struct tally_error *err;
	const char	*source;
	struct tally_src *src;
	long		 line;		/* of the event read */
	struct gt_test	**hash;		/* open tests by package and name */
	size_t		 nbuckets, ntests;
	struct gt_pkg	**phash;	/* open packages by name */
	size_t		 npbuckets, npkgs;
	struct gt_pkg	*first, *last;
	struct gt_build	*builds;
	struct text	 stray;		/* non-JSON lines not yet placed */
	struct gt_build	*fails;		/* "FAIL\tPKG [build failed]" lines */
	struct gt_build	*block;		/* "# PKG" block of non-JSON lines */
	struct gt_build	*done;		/* packages given a (package) test */
	long		 nevents;
	struct tally_buf msg, trace;	/* scratch for a record */
};

static void
text_init(struct text *t, size_t max)
{
	tally_buf_init(&t->b);
	t->max = max;
	t->truncated = 0;
}

static int
text_add(struct text *t, const char *s, size_t n)
{
	if (t->truncated)
		return TALLY_OK;
	if (n > t->max - t->b.len) {
		n = t->max - t->b.len;
		t->truncated = 1;
	}
	if (tally_buf_add(&t->b, s, n) != TALLY_OK)
		return TALLY_ENOMEM;
	if (t->truncated && tally_buf_adds(&t->b, GT_TRUNC) != TALLY_OK)
		return TALLY_ENOMEM;
	return TALLY_OK;
}

/* The text, or NULL when nothing was kept. */
static const char *
text_get(const struct text *t)
{
	return t->b.len > 0 ? t->b.data : NULL;
}

static uint32_t
hash2(const char *a, const char *b)
{
	uint32_t h = 2166136261u;

	for (; *a; a++)
		h = (h ^ (unsigned char)*a) * 16777619u;
	h = (h ^ 0xffu) * 16777619u;
	for (; *b; b++)
		h = (h ^ (unsigned char)*b) * 16777619u;
	return h;
}

/*
 * Both tables grow by four when they hold twice as many entries as
 * buckets, so a hostile input with many packages or tests open at once
 * costs memory in proportion, not time in its square.
 */
static struct gt_test *
test_find(struct gt *g, struct gt_pkg *p, const char *name, uint32_t h)
{
	struct gt_test *t;

	for (t = g->hash[h % g->nbuckets]; t != NULL; t = t->hnext)
		if (t->hash == h && t->p == p && strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

static int
test_hash_grow(struct gt *g)
{
	struct gt_test **nh, *t;
	struct gt_pkg *p;
	size_t n = g->nbuckets * 4;

	if ((nh = calloc(n, sizeof(*nh))) == NULL)
		return TALLY_ENOMEM;
	for (p = g->first; p != NULL; p = p->next)
		for (t = p->first; t != NULL; t = t->next) {
			t->hnext = nh[t->hash % n];
			nh[t->hash % n] = t;
		}
	free(g->hash);
	g->hash = nh;
	g->nbuckets = n;
	return TALLY_OK;
}

static struct gt_test *
test_open(struct gt *g, struct gt_pkg *p, const char *name)
{
	uint32_t h = hash2(p->name, name);
	struct gt_test *t;

	if ((t = test_find(g, p, name, h)) != NULL)
		return t;
	if (g->ntests >= g->nbuckets * 2 && test_hash_grow(g) != TALLY_OK)
		return NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	if ((t->name = strdup(name)) == NULL) {
		free(t);
		return NULL;
	}
	t->p = p;
	t->hash = h;
	text_init(&t->out, TALLY_MAX_FIELD);
	t->hnext = g->hash[h % g->nbuckets];
	g->hash[h % g->nbuckets] = t;
	t->prev = p->last;
	if (p->last != NULL)
		p->last->next = t;
	else
		p->first = t;
	p->last = t;
	g->ntests++;
	return t;
}

static void
test_close(struct gt *g, struct gt_test *t)
{
	struct gt_test **pp;
	struct gt_pkg *p = t->p;
	size_t i;

	for (pp = &g->hash[t->hash % g->nbuckets]; *pp != t; pp = &(*pp)->hnext)
		;
	*pp = t->hnext;
	if (t->prev != NULL)
		t->prev->next = t->next;
	else
		p->first = t->next;
	if (t->next != NULL)
		t->next->prev = t->prev;
	else
		p->last = t->prev;
	g->ntests--;
	for (i = 0; i < t->nattrs; i++) {
		free((char *)t->attrs[i].key);
		free((char *)t->attrs[i].value);
	}
	free(t->attrs);
	tally_buf_free(&t->out.b);
	free(t->name);
	free(t);
}

static struct gt_pkg *
pkg_find(struct gt *g, const char *name, uint32_t h)
{
	struct gt_pkg *p;

	for (p = g->phash[h % g->npbuckets]; p != NULL; p = p->hnext)
		if (p->hash == h && strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

static int
pkg_hash_grow(struct gt *g)
{
	struct gt_pkg **nh, *p;
	size_t n = g->npbuckets * 4;

	if ((nh = calloc(n, sizeof(*nh))) == NULL)
		return TALLY_ENOMEM;
	for (p = g->first; p != NULL; p = p->next) {
		p->hnext = nh[p->hash % n];
		nh[p->hash % n] = p;
	}
	free(g->phash);
	g->phash = nh;
	g->npbuckets = n;
	return TALLY_OK;
}

static struct gt_pkg *
pkg_open(struct gt *g, const char *name)
{
	uint32_t h = hash2(name, "");
	struct gt_pkg *p;

	if ((p = pkg_find(g, name, h)) != NULL)
		return p;
	if (g->npkgs >= g->npbuckets * 2 && pkg_hash_grow(g) != TALLY_OK)
		return NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	if ((p->name = strdup(name)) == NULL) {
		free(p);
		return NULL;
	}
	p->hash = h;
	text_init(&p->out, TALLY_MAX_FIELD);
	text_init(&p->err, TALLY_MAX_FIELD);
	p->hnext = g->phash[h % g->npbuckets];
	g->phash[h % g->npbuckets] = p;
	p->prev = g->last;
	if (g->last != NULL)
		g->last->next = p;
	else
		g->first = p;
	g->last = p;
	g->npkgs++;
	return p;
}

/* Forget p and any test of it still open. */
static void
pkg_close(struct gt *g, struct gt_pkg *p)
{
	struct gt_pkg **pp;

	while (p->first != NULL)
		test_close(g, p->first);
	for (pp = &g->phash[p->hash % g->npbuckets]; *pp != p;
	    pp = &(*pp)->hnext)
		;
	*pp = p->hnext;
	if (p->prev != NULL)
		p->prev->next = p->next;
	else
		g->first = p->next;
	if (p->next != NULL)
		p->next->prev = p->prev;
	else
		g->last = p->prev;
	g->npkgs--;
	tally_buf_free(&p->out.b);
	tally_buf_free(&p->err.b);
	free(p->name);
	free(p);
}

/* ---- what the output says ---- */

/*
 * A line the testing package decorates with its source position:
 * "<indent>name.go:NN: text", before Go 1.14 "<indent>TestX: name.go:NN:
 * text".  Sets *file and *flen to the file name, *lineno to NN.
 */
static int
is_located(const char *s, size_t n, const char **file, size_t *flen,
    long *lineno)
{
	size_t i = 0, f, fe;
	long v = 0;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	f = i;
	while (i < n && s[i] != ' ' && s[i] != '\t')
		i++;
	if (i > f + 1 && i < n && s[i - 1] == ':' && s[i] == ' ' &&
	    memchr(s + f, ':', i - f - 1) == NULL &&
	    (i - f < 4 || memcmp(s + i - 4, ".go:", 4) != 0))
		f = ++i;	/* the test's name */
	else
		i = f;
	while (i < n && s[i] != ':' && s[i] != ' ' && s[i] != '\t')
		i++;
	fe = i;
	if (fe - f < 4 || memcmp(s + fe - 3, ".go", 3) != 0 || i >= n ||
	    s[i] != ':')
		return 0;
	if (++i >= n || !isdigit((unsigned char)s[i]))
		return 0;
	while (i < n && isdigit((unsigned char)s[i]) && v < 100000000)
		v = v * 10 + (s[i++] - '0');
	if (i >= n || s[i] != ':')
		return 0;
	*file = s + f;
	*flen = fe - f;
	*lineno = v;
	return 1;
}

static size_t
indent_of(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

/*
 * Fill g->msg with the located lines of out (and the lines indented
 * under them), *file and *line with the first _test.go position, and
 * g->trace with a panic from its first line on.  Returns the kind of
 * trouble seen: "panic" or NULL.
 */
static const char *
digest(struct gt *g, const char *out, const char **file, size_t *flen,
    long *line)
{
	const char *p = out, *nl, *f, *panic = NULL, *race = NULL, *kind;
	size_t n, fl, block = SIZE_MAX, ind;
	long ln;

	tally_buf_reset(&g->msg);
	tally_buf_reset(&g->trace);
	*file = NULL;
	*flen = 0;
	*line = 0;
	if (out == NULL)
		return NULL;
	for (; *p != '\0'; p = nl ? nl + 1 : p + n) {
		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) : strlen(p);
		ind = indent_of(p, n);
		if (block != SIZE_MAX && ind > block && ind < n) {
			/* A continuation line of a located message. */
			size_t cut = ind < block + 4 ? ind : block + 4;

			if (g->msg.len < GT_MSG_MAX) {
				tally_buf_addc(&g->msg, '\n');
				tally_buf_add(&g->msg, p + cut, n - cut);
			}
			if (nl == NULL)
				break;
			continue;
		}
		block = SIZE_MAX;
		if (g->msg.len >= GT_MSG_MAX)
			;	/* enough said; look for a panic only */
		else if (is_located(p, n, &f, &fl, &ln)) {
			if (g->msg.len > 0)
				tally_buf_addc(&g->msg, '\n');
			tally_buf_add(&g->msg, f, n - (size_t)(f - p));
			block = ind;
			if (*file == NULL && fl > 8 &&
			    memcmp(f + fl - 8, "_test.go", 8) == 0) {
				*file = f;
				*flen = fl;
				*line = ln;
			}
		}
		if (panic == NULL && ((n >= 7 && memcmp(p, "panic: ", 7) == 0) ||
		    (n >= 13 && memcmp(p, "fatal error: ", 13) == 0)))
			panic = p;
		else if (race == NULL && n == 18 &&
		    memcmp(p, "WARNING: DATA RACE", 18) == 0)
			race = p;
		if (nl == NULL)
			break;
	}
	if (panic != NULL) {
		tally_buf_adds(&g->trace, panic);
		if (g->msg.len == 0)
			tally_buf_add(&g->msg, panic, strcspn(panic, "\n"));
	}
	if (race != NULL && g->msg.len == 0)
		tally_buf_add(&g->msg, race, 18);
	kind = panic == NULL ? NULL : *panic == 'p' ? "panic" : "fatal error";
	return kind;
}

/* ---- records ---- */

static int
nomem(struct gt *g)
{
	return tally_error_set(g->err, TALLY_ENOMEM, 0, 0, "out of memory");
}

static int
send_test(struct gt *g, const char *pkg, const char *name,
    enum tally_status st, const char *raw, double elapsed, const char *out,
    const struct tally_kv *props, size_t nprops, const char *fallback)
{
	struct tally_record rec;
	struct tally_test *t = &rec.u.test;
	const char *file, *kind;
	char *fpath = NULL;
	size_t flen;
	int rc;

	tally_record_init(&rec, TALLY_REC_TEST);
	rec.source = g->source;
	t->name = name;
	if (pkg[0] != '\0') {
		t->classname = pkg;
		t->suite = &t->classname;
		t->nsuite = 1;
	}
	t->status = st;
	t->raw_status = raw;
	t->duration = elapsed >= 0 ? elapsed * 1000.0 : -1;
	t->stdout_text = out;
	t->properties = (struct tally_kv *)props;
	t->nproperties = nprops;
	if (st == TALLY_FAILED || st == TALLY_SKIPPED) {
		kind = digest(g, out, &file, &flen, &t->line);
		if (fallback != NULL && raw != NULL &&
		    strcmp(raw, "incomplete") == 0) {
			/* First that it did not finish, then what it said. */
			struct tally_buf m;

			tally_buf_init(&m);
			tally_buf_adds(&m, fallback);
			if (g->msg.len > 0) {
				tally_buf_addc(&m, '\n');
				tally_buf_add(&m, g->msg.data, g->msg.len);
			}
			if (m.data == NULL)
				return nomem(g);
			tally_buf_free(&g->msg);
			g->msg = m;
		}
		if (g->msg.len > 0)
			t->message = g->msg.data;
		else if (fallback != NULL)
			t->message = fallback;
		if (st == TALLY_FAILED && g->trace.len > 0) {
			t->trace = g->trace.data;
			t->type = kind;
		}
		if (file != NULL && (fpath = strndup(file, flen)) == NULL)
			return tally_error_set(g->err, TALLY_ENOMEM, 0, 0,
			    "out of memory");
		t->file_path = fpath;
	}
	rc = tally_sink_record(g->sink, &rec, g->err);
	free(fpath);
	return rc;
}

/* A test's final event (or the end of its package or of the input). */
static int
finish_test(struct gt *g, struct gt_test *t, enum tally_status st,
    const char *raw, double elapsed, const char *fallback)
{
	int rc;

	if (st == TALLY_FAILED)
		t->p->failed++;
	rc = send_test(g, t->p->name, t->name, st, raw, elapsed, text_get(&t->out),
	    t->attrs, t->nattrs, fallback);
	test_close(g, t);
	return rc;
}

static const char *
build_output(struct gt *g, const char *path)
{
	struct gt_build *b;

	size_t n = strlen(path);

	for (b = g->builds; b != NULL; b = b->next)
		if (strcmp(b->path, path) == 0 ||
		    (strncmp(b->path, path, n) == 0 && b->path[n] == ' '))
			return text_get(&b->out);
	return NULL;
}

/* A build (or list entry) for path, made when missing; NULL: no memory. */
static struct gt_build *
build_get(struct gt_build **list, const char *path, size_t n)
{
	struct gt_build *b;

	for (b = *list; b != NULL; b = b->next)
		if (strlen(b->path) == n && strncmp(b->path, path, n) == 0)
			return b;
	if ((b = calloc(1, sizeof(*b))) == NULL ||
	    (b->path = strndup(path, n)) == NULL) {
		free(b);
		return NULL;
	}
	text_init(&b->out, GT_BUILD_MAX);
	b->next = *list;
	*list = b;
	return b;
}

static int
pkg_done(struct gt *g, const char *pkg)
{
	struct gt_build *b;

	for (b = g->done; b != NULL; b = b->next)
		if (strcmp(b->path, pkg) == 0)
			return 1;
	return 0;
}

/* "(package) PKG", failed, with out as output; remembered as done. */
static int
send_pkg_fail(struct gt *g, const char *pkg, const char *raw,
    const char *out, const struct tally_kv *props, size_t nprops,
    const char *fallback)
{
	char *name;
	int rc;

	if (build_get(&g->done, pkg, strlen(pkg)) == NULL ||
	    asprintf(&name, "(package) %s", pkg) < 0)
		return nomem(g);
	rc = send_test(g, pkg, name, TALLY_FAILED, raw, -1, out, props,
	    nprops, fallback);
	free(name);
	return rc;
}

/*
 * A line of the go command's own output: "# PKG" opens a block of build
 * errors, "FAIL\tPKG [build failed]" says PKG never ran.
 */
static int
stray_line(struct gt *g, const char *s, size_t n)
{
	static const char *const kinds[] = { " [build failed]",
	    " [setup failed]" };
	struct gt_build *b;
	size_t i, k;

	if (n > 2 && s[0] == '#' && s[1] == ' ') {
		if ((g->block = build_get(&g->builds, s + 2, n - 2)) == NULL)
			return nomem(g);
		return TALLY_OK;
	}
	for (i = 0; i < 2; i++) {
		k = strlen(kinds[i]);
		if (n > 5 + k && memcmp(s, "FAIL\t", 5) == 0 &&
		    memcmp(s + n - k, kinds[i], k) == 0 &&
		    memchr(s + 5, ' ', n - 5 - k) == NULL) {
			g->block = NULL;
			if ((b = build_get(&g->fails, s + 5, n - 5 - k)) ==
			    NULL)
				return nomem(g);
			/* out holds the kind: "build-failed", ... */
			if (b->out.b.len == 0 && text_add(&b->out, i == 0 ?
			    "build-failed" : "setup-failed", 12) != TALLY_OK)
				return nomem(g);
			return TALLY_OK;
		}
	}
	if (g->block != NULL && (text_add(&g->block->out, s, n) != TALLY_OK ||
	    text_add(&g->block->out, "\n", 1) != TALLY_OK))
		return nomem(g);
	return TALLY_OK;
}

/* Packages whose FAIL line no event accounted for. */
static int
stray_fails(struct gt *g)
{
	struct gt_build *b;
	const char *out;
	char *line;
	int rc = TALLY_OK;

	for (b = g->fails; b != NULL && rc == TALLY_OK; b = b->next) {
		if (pkg_done(g, b->path))
			continue;
		out = build_output(g, b->path);
		if (out == NULL) {
			if (asprintf(&line, "FAIL\t%s [%s]\n", b->path,
			    strcmp(b->out.b.data, "build-failed") == 0 ?
			    "build failed" : "setup failed") < 0)
				return nomem(g);
			rc = send_pkg_fail(g, b->path, b->out.b.data, line,
			    NULL, 0, b->out.b.data[0] == 'b' ? "build failed" :
			    "setup failed");
			free(line);
		} else
			rc = send_pkg_fail(g, b->path, b->out.b.data, out,
			    NULL, 0, b->out.b.data[0] == 'b' ? "build failed" :
			    "setup failed");
	}
	return rc;
}

/*
 * Tests of p still open when it ends did not finish; a package that
 * failed with no failing test gets a "TestMain" failure.  Then p's suite
 * record.  result is the package's action, or NULL at end of input.
 */
static int
finish_pkg(struct gt *g, struct gt_pkg *p, const char *result,
    double elapsed, const char *failed_build)
{
	struct gt_test *t, *next;
	struct tally_record rec;
	struct tally_suite *s = &rec.u.suite;
	struct tally_kv props[2];
	struct tally_buf why;
	const char *bout = NULL, *file;
	size_t np = 0, flen;
	long line;
	int rc = TALLY_OK;

	tally_buf_init(&why);
	/* The package's own panic line explains why its tests stopped. */
	digest(g, text_get(&p->out), &file, &flen, &line);
	tally_buf_adds(&why, "test did not finish");
	if (g->trace.len > 0) {
		tally_buf_adds(&why, ": ");
		tally_buf_add(&why, g->trace.data, strcspn(g->trace.data, "\n"));
	}
	if (why.data == NULL)
		return nomem(g);
	for (t = p->first; t != NULL && rc == TALLY_OK; t = next) {
		next = t->next;
		if (t->started)
			rc = finish_test(g, t, TALLY_FAILED, "incomplete", -1,
			    why.data);
		else {
			/* Output of a test that never ran: package output. */
			rc = text_add(&p->out, t->out.b.data ? t->out.b.data :
			    "", t->out.b.len);
			test_close(g, t);
		}
	}
	tally_buf_free(&why);
	if (rc != TALLY_OK)
		return rc == TALLY_ENOMEM ? tally_error_set(g->err, rc, 0, 0,
		    "out of memory") : rc;
	if (g->stray.b.len > 0) {
		if ((rc = text_add(&p->err, g->stray.b.data,
		    g->stray.b.len)) != TALLY_OK)
			return tally_error_set(g->err, rc, 0, 0, "out of memory");
		tally_buf_reset(&g->stray.b);
	}
	if (result != NULL && strcmp(result, "fail") == 0 && p->failed == 0) {
		struct tally_buf both;
		const char *fb = "package failed", *raw = "package-failed";
		const char *own = text_get(&p->out);

		if (failed_build != NULL || (own != NULL &&
		    strstr(own, " [build failed]\n") != NULL)) {
			fb = "build failed";
			raw = "build-failed";
		} else if (own != NULL &&
		    strstr(own, " [setup failed]\n") != NULL) {
			fb = "setup failed";
			raw = "setup-failed";
		}
		tally_buf_init(&both);
		/* Go 1.24 build events, else a "# PKG" block of plain lines. */
		bout = build_output(g, failed_build != NULL ? failed_build :
		    p->name);
		/* The build errors say more than "FAIL pkg [build failed]". */
		if (bout != NULL)
			tally_buf_adds(&both, bout);
		if (text_get(&p->out) != NULL)
			tally_buf_adds(&both, p->out.b.data);
		/*
		 * The go command's own lines may be any package's: only when
		 * the package said nothing itself.
		 */
		if (both.len == 0 && text_get(&p->err) != NULL)
			tally_buf_adds(&both, p->err.b.data);
		if (failed_build != NULL) {
			props[np].key = "failedBuild";
			props[np++].value = failed_build;
		}
		rc = send_pkg_fail(g, p->name, raw, both.data, props, np, fb);
		tally_buf_free(&both);
		if (rc != TALLY_OK)
			return rc;
	}
	tally_record_init(&rec, TALLY_REC_SUITE);
	rec.source = g->source;
	if (p->name[0] != '\0') {
		s->path = (const char **)&p->name;
		s->npath = 1;
	}
	s->duration = elapsed >= 0 ? elapsed * 1000.0 : -1;
	s->stdout_text = text_get(&p->out);
	s->stderr_text = text_get(&p->err);
	np = 0;
	props[np].key = "result";
	props[np++].value = result ? result : "incomplete";
	if (failed_build != NULL) {
		props[np].key = "failedBuild";
		props[np++].value = failed_build;
	}
	s->properties = props;
	s->nproperties = np;
	rc = tally_sink_record(g->sink, &rec, g->err);
	pkg_close(g, p);
	return rc;
}

/* ---- events ---- */

static int
on_build(struct gt *g, const char *action, const cJSON *ev)
{
	const char *path = tally_json_str(ev, "ImportPath");
	const char *out = tally_json_str(ev, "Output");
	struct gt_build *b;

	if (path == NULL || strcmp(action, "build-output") != 0 || out == NULL)
		return TALLY_OK;
	for (b = g->builds; b != NULL; b = b->next)
		if (strcmp(b->path, path) == 0)
			break;
	if (b == NULL) {
		if ((b = calloc(1, sizeof(*b))) == NULL ||
		    (b->path = strdup(path)) == NULL) {
			free(b);
			return nomem(g);
		}
		text_init(&b->out, GT_BUILD_MAX);
		b->next = g->builds;
		g->builds = b;
	}
	return text_add(&b->out, out, strlen(out)) == TALLY_OK ? TALLY_OK :
	    nomem(g);
}

static int
on_event(struct gt *g, const cJSON *ev)
{
	const char *action = tally_json_str(ev, "Action");
	const char *pkg = tally_json_str(ev, "Package");
	const char *test = tally_json_str(ev, "Test");
	const char *out = tally_json_str(ev, "Output");
	struct gt_test *t;
	struct gt_pkg *p;
	enum tally_status st;
	double elapsed = -1;
	int final;

	if (strncmp(action, "build-", 6) == 0)
		return on_build(g, action, ev);
	if (pkg == NULL)
		pkg = "";
	if ((p = pkg_open(g, pkg)) == NULL)
		return nomem(g);
	if (tally_json_num(ev, "Elapsed", &elapsed) != 0)
		elapsed = -1;
	else if (elapsed < 0 || elapsed > TALLY_MAX_SECONDS) {
		tally_bound_ms(g->src, g->line, elapsed * 1000.0);
		elapsed = -1;
	}
	final = strcmp(action, "pass") == 0 || strcmp(action, "fail") == 0 ||
	    strcmp(action, "skip") == 0 || strcmp(action, "bench") == 0;
	st = strcmp(action, "fail") == 0 ? TALLY_FAILED :
	    strcmp(action, "skip") == 0 ? TALLY_SKIPPED : TALLY_PASSED;
	if (test == NULL || test[0] == '\0') {
		if (strcmp(action, "output") == 0 && out != NULL)
			return text_add(&p->out, out, strlen(out)) == TALLY_OK ?
			    TALLY_OK : nomem(g);
		if (final && strcmp(action, "bench") != 0)
			return finish_pkg(g, p, action, elapsed,
			    tally_json_str(ev, "FailedBuild"));
		return TALLY_OK;	/* start, cont, pause, unknown */
	}
	if (strcmp(action, "run") == 0 && (t = test_find(g, p, test,
	    hash2(pkg, test))) != NULL && t->started) {
		/* Started again before it ended: the first run is lost. */
		int rc = finish_test(g, t, TALLY_FAILED, "incomplete", -1,
		    "test did not finish");

		if (rc != TALLY_OK)
			return rc;
	}
	if ((t = test_open(g, p, test)) == NULL)
		return nomem(g);
	if (strcmp(action, "run") == 0 || strcmp(action, "pause") == 0 ||
	    strcmp(action, "cont") == 0)
		t->started = 1;
	else if (strcmp(action, "output") == 0 && out != NULL) {
		if (text_add(&t->out, out, strlen(out)) != TALLY_OK)
			return nomem(g);
	} else if (strcmp(action, "attr") == 0) {
		const char *k = tally_json_str(ev, "Key");
		const char *v = tally_json_str(ev, "Value");
		struct tally_kv *a;

		if (k == NULL)
			return TALLY_OK;
		if (t->nattrs >= 1024)
			return TALLY_OK;
		if ((a = realloc(t->attrs, (t->nattrs + 1) *
		    sizeof(*a))) == NULL)
			return nomem(g);
		t->attrs = a;
		a[t->nattrs].key = strdup(k);
		a[t->nattrs].value = strdup(v ? v : "");
		if (a[t->nattrs].key == NULL || a[t->nattrs].value == NULL) {
			free((char *)a[t->nattrs].key);
			free((char *)a[t->nattrs].value);
			return nomem(g);
		}
		t->nattrs++;
	} else if (final)
		return finish_test(g, t, st, action, elapsed, NULL);
	return TALLY_OK;
}

/* Everything still open at the end of the input, oldest package first. */
static int
finish_all(struct gt *g)
{
	struct gt_pkg *p;
	struct tally_record rec;
	int rc;

	while ((p = g->first) != NULL)
		if ((rc = finish_pkg(g, p, NULL, -1, NULL)) != TALLY_OK)
			return rc;
	if ((rc = stray_fails(g)) != TALLY_OK)
		return rc;
	if (g->stray.b.len == 0)
		return TALLY_OK;
	/* Non-JSON lines after the last package: a suite of no package. */
	tally_record_init(&rec, TALLY_REC_SUITE);
	rec.source = g->source;
	rec.u.suite.stderr_text = g->stray.b.data;
	return tally_sink_record(g->sink, &rec, g->err);
}

static void
gt_free(struct gt *g)
{
	struct gt_build *b, **lists[3];
	int i;

	while (g->first != NULL)
		pkg_close(g, g->first);
	lists[0] = &g->builds;
	lists[1] = &g->fails;
	lists[2] = &g->done;
	for (i = 0; i < 3; i++)
		while ((b = *lists[i]) != NULL) {
			*lists[i] = b->next;
			tally_buf_free(&b->out.b);
			free(b->path);
			free(b);
		}
	tally_buf_free(&g->stray.b);
	tally_buf_free(&g->msg);
	tally_buf_free(&g->trace);
	free(g->hash);
	free(g->phash);
}

int
tally_read_gotest(struct tally_src *src, struct tally_sink *sink,
    struct tally_error *err)
{
	struct tally_buf line;
	struct gt g;
	cJSON *ev;
	long lineno;
	size_t i;
	int rc, st = TALLY_OK, fin;

	memset(&g, 0, sizeof(g));
	g.sink = sink;
	g.err = err;
	g.source = src->name;
	g.src = src;
	text_init(&g.stray, TALLY_MAX_FIELD);
	tally_buf_init(&g.msg);
	tally_buf_init(&g.trace);
	tally_buf_init(&line);
	g.nbuckets = g.npbuckets = GT_BUCKETS;
	g.hash = calloc(g.nbuckets, sizeof(*g.hash));
	g.phash = calloc(g.npbuckets, sizeof(*g.phash));
	if (g.hash == NULL || g.phash == NULL) {
		gt_free(&g);
		return tally_error_set(err, TALLY_ENOMEM, 0, 0, "out of memory");
	}
	while ((rc = tally_src_getline(src, &line, TALLY_MAX_LINE)) == 1) {
		lineno = src->line;
		g.line = lineno;
		for (i = 0; i < line.len && isspace((unsigned char)line.data[i]);
		    i++)
			;
		if (i == line.len)
			continue;
		if (line.data[i] != '{') {
			/* Not an event: the go command's own output. */
			if (text_add(&g.stray, line.data + i, line.len - i) !=
			    TALLY_OK || text_add(&g.stray, "\n", 1) != TALLY_OK) {
				st = nomem(&g);
				break;
			}
			if ((st = stray_line(&g, line.data + i, line.len - i)) !=
			    TALLY_OK)
				break;
			continue;
		}
		if ((st = tally_json_parse(line.data, line.len, lineno, &ev,
		    err)) != TALLY_OK)
			break;
		if (tally_json_str(ev, "Action") == NULL) {
			/* JSON, but not test2json's: keep it as text too. */
			if (text_add(&g.stray, line.data + i, line.len - i) !=
			    TALLY_OK || text_add(&g.stray, "\n", 1) != TALLY_OK)
				st = nomem(&g);
		} else {
			g.nevents++;
			st = on_event(&g, ev);
		}
		cJSON_Delete(ev);
		if (st != TALLY_OK)
			break;
	}
	/* Text with no event in it is not go test output. */
	if (st == TALLY_OK && rc == 0 && g.nevents == 0)
		st = tally_error_set(err, TALLY_EPARSE, src->line > 0 ? 1 : 0,
		    0, "no go test -json event in the input");
	else if (st == TALLY_OK && rc == TALLY_ELIMIT)
		st = tally_error_set(err, TALLY_ELIMIT, src->line + 1, 0,
		    "line longer than %u bytes", TALLY_MAX_LINE);
	else if (st == TALLY_OK && rc < 0)
		st = tally_error_set(err, rc, src->line + 1, 0, "read error");
	/*
	 * Whatever stopped the input, the tests it left open are reported
	 * before the error record; a sink that failed gets nothing more.
	 */
	if (g.nevents > 0 && (st == TALLY_OK || st == TALLY_EPARSE ||
	    st == TALLY_ELIMIT || st == TALLY_EIO)) {
		struct tally_error keep = *err;

		fin = finish_all(&g);
		if (fin != TALLY_OK)
			st = fin;
		else if (st != TALLY_OK)
			*err = keep;
	}
	tally_buf_free(&line);
	gt_free(&g);
	return st;
}
