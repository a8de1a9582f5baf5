/*
 * lib/read/read_trx.c: Visual Studio's TRX (dotnet test --logger trx,
 * vstest.console /logger:trx, mstest), streamed through the hardened
 * libxml2 reader of lib/read/read_junit.c.
 *
 * A result (<UnitTestResult>, also <TestResultAggregation>,
 * <WebTestResult>, <GenericTestResult>, <ManualTestResult>) names its
 * test by testId; the class is in the <UnitTest id=> definition, which
 * vstest writes AFTER <Results>.  So results read before the definitions
 * are spooled as stream lines to an unlinked temporary file in $TMPDIR
 * and replayed at the end, when every definition is known;
 * results read after the definitions go out at once.  Memory is bounded
 * by the definitions: one testId, class name and assembly index per
 * <UnitTest>, plus one result at a time.
 *
 *   outcome=                                   status   rawStatus
 *   -----------------------------------------  -------  ---------
 *   Passed                                     passed   (none)
 *   Completed, PassedButRunAborted             passed   the word
 *   Failed, Error, Timeout, Aborted,
 *     Disconnected, NotRunnable                failed   the word
 *   NotExecuted                                skipped  the word
 *   Pending                                    pending  the word
 *   Inconclusive, Warning, InProgress, other   other    the word
 *
 * - classname is TestMethod className= (up to a comma: an assembly
 *   qualified name), name is testName= without "CLASS." in front; suite
 *   is the file name of UnitTest storage= (the test assembly); duration
 *   duration= ([d.]hh:mm:ss.fffffff); message, trace, stdout and stderr
 *   Output/ErrorInfo/Message, Output/ErrorInfo/StackTrace,
 *   Output/StdOut, Output/StdErr.
 * - Data-driven rows (<InnerResults>) are tests of their own, named by
 *   their testName=; the parent result is not, unless it failed while
 *   no row did.  dorny/test-reporter reads the parents only and so loses
 *   the rows; publish-unit-test-result-action counts parents and rows.
 * - Failures outside any test are never lost: a run whose ResultSummary
 *   outcome= is Failed, Error, Aborted, Timeout or Disconnected, or that
 *   has a <RunInfo outcome="Error">, while no test failed, is one failed
 *   test "(test run)" with rawStatus "run:OUTCOME" and the RunInfo texts
 *   as message.  The run's name, user, times and outcome, and its
 *   RunInfo texts (runError: those of outcome Error, runInfo: the others,
 *   one a line) are one "meta" record at the end.
 * - ResultSummary/Counters total= and the failing counters (failed=,
 *   error=, timeout=, aborted=, disconnected=, notRunnable=) are checked
 *   against every result read, rows and parents, as vstest counts them
 *   (lib/read/declared.c).
 * - Text fields are capped at TALLY_MAX_FIELD with "[truncated N bytes]".
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libxml/xmlreader.h>

#include "internal.h"

#define MAX_NEST	8	/* results inside results (InnerResults) */
#define ID_KEY		"tally.trxTestId"	/* in spooled lines only */

enum leaf { L_MSG, L_TRACE, L_OUT, L_ERR, NLEAF };

struct field {
	struct tally_buf b;
	size_t		 dropped;
};

/* One result being read. */
struct res {
	int		 depth;
	long		 line;
	struct tally_buf id, name, outcome, time;
	struct field	 f[NLEAF];
	int		 rows, row_failed;
	const char	*e[3];		/* open elements below it */
};

/* A test definition: testId to class and assembly. */
struct def {
	char		*id;
	char		*cls;
	size_t		 store;		/* index into stores, +1; 0: none */
};

struct trx {
	struct tally_xml	*x;
	xmlTextReaderPtr	 r;
	struct tally_src	*src;
	struct tally_sink	*sink;
	struct tally_error	*err;
	int			 depth;
	struct res		 st[MAX_NEST];
	int			 nres;
	/* Definitions. */
	struct def		*defs;
	size_t			 ndefs, cap;
	char			**stores;
	size_t			 nstores;
	int			 in_defs, defs_done, def_depth;
	struct tally_buf	 def_id, def_cls, def_store;
	/* The spool of results read before the definitions. */
	FILE			*spool;
	struct tally_buf	 line;
	/* Run level. */
	struct tally_declared	 decl;
	struct tally_buf	 meta;		/* key\0value\0 pairs */
	size_t			 nmeta;
	struct tally_buf	 errors, infos;	/* RunInfo texts: Error, other */
	size_t			 nerrors, ninfos;
	struct tally_buf	 outcome;	/* ResultSummary outcome= */
	int			 runinfo_depth, runinfo_error, text_depth;
	struct field		 text;
	struct field		*leaf;
	int			 leaf_depth;
	struct tally_kv		*kv;
	size_t			 nkv;
	struct tally_buf	 tmp, tmp2;
};

static int
oom(struct trx *c)
{
	return tally_error_set(c->err, TALLY_ENOMEM, 0, 0, "out of memory");
}

static int
is(const char *s, const char *w)
{
	return s != NULL && strcmp(s, w) == 0;
}

/* ---- definitions: an open-addressing table keyed by testId ---- */

static size_t
hash(const char *s)
{
	size_t h = 5381;

	while (*s != '\0')
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static struct def *
def_find(struct trx *c, const char *id)
{
	size_t i;

	if (c->cap == 0 || id == NULL)
		return NULL;
	for (i = hash(id) & (c->cap - 1); c->defs[i].id != NULL;
	    i = (i + 1) & (c->cap - 1))
		if (strcmp(c->defs[i].id, id) == 0)
			return &c->defs[i];
	return NULL;
}

static int
def_grow(struct trx *c)
{
	struct def *old = c->defs, *d;
	size_t i, j, ocap = c->cap, ncap = ocap ? ocap * 2 : 64;

	if ((d = calloc(ncap, sizeof(*d))) == NULL)
		return TALLY_ENOMEM;
	for (i = 0; i < ocap; i++) {
		if (old[i].id == NULL)
			continue;
		for (j = hash(old[i].id) & (ncap - 1); d[j].id != NULL;
		    j = (j + 1) & (ncap - 1))
			;
		d[j] = old[i];
	}
	free(old);
	c->defs = d;
	c->cap = ncap;
	return TALLY_OK;
}

/* The assembly's file name, kept once for all its tests. */
static int
store_index(struct trx *c, const char *path, size_t *out)
{
	const char *b = path, *p;
	char **s;
	size_t i;

	*out = 0;
	if (path == NULL)
		return TALLY_OK;
	for (p = path; *p != '\0'; p++)
		if (*p == '/' || *p == '\\')
			b = p + 1;
	if (*b == '\0')
		return TALLY_OK;
	for (i = c->nstores; i > 0; i--)
		if (strcmp(c->stores[i - 1], b) == 0) {
			*out = i;
			return TALLY_OK;
		}
	if ((s = realloc(c->stores, (c->nstores + 1) * sizeof(*s))) == NULL)
		return TALLY_ENOMEM;
	c->stores = s;
	if ((s[c->nstores] = strdup(b)) == NULL)
		return TALLY_ENOMEM;
	*out = ++c->nstores;
	return TALLY_OK;
}

static int
def_add(struct trx *c)
{
	const char *id = tally_buf_str(&c->def_id);
	const char *cls = tally_buf_str(&c->def_cls);
	struct def *d;
	size_t i, k, n;

	if (id == NULL || def_find(c, id) != NULL)
		return TALLY_OK;
	if ((c->ndefs + 1) * 2 > c->cap && def_grow(c) != TALLY_OK)
		return oom(c);
	for (i = hash(id) & (c->cap - 1); c->defs[i].id != NULL;
	    i = (i + 1) & (c->cap - 1))
		;
	d = &c->defs[i];
	if (store_index(c, tally_buf_str(&c->def_store), &k) != TALLY_OK)
		return oom(c);
	n = cls != NULL ? strcspn(cls, ",") : 0;
	while (n > 0 && cls[n - 1] == ' ')
		n--;
	if ((d->id = strdup(id)) == NULL ||
	    (n > 0 && (d->cls = strndup(cls, n)) == NULL)) {
		free(d->id);
		d->id = NULL;
		return oom(c);
	}
	d->store = k;
	c->ndefs++;
	return TALLY_OK;
}

/* ---- results ---- */

static enum tally_status
status_of(const char *o, const char **raw)
{
	static const char *const failed[] = { "Failed", "Error", "Timeout",
	    "Aborted", "Disconnected", "NotRunnable" };
	size_t i;

	*raw = o;
	if (o == NULL)
		return TALLY_OTHER;
	if (strcmp(o, "Passed") == 0) {
		*raw = NULL;
		return TALLY_PASSED;
	}
	if (strcmp(o, "Completed") == 0 ||
	    strcmp(o, "PassedButRunAborted") == 0)
		return TALLY_PASSED;
	for (i = 0; i < sizeof(failed) / sizeof(failed[0]); i++)
		if (strcmp(o, failed[i]) == 0)
			return TALLY_FAILED;
	if (strcmp(o, "NotExecuted") == 0)
		return TALLY_SKIPPED;
	if (strcmp(o, "Pending") == 0)
		return TALLY_PENDING;
	return TALLY_OTHER;
}

/*
 * A .NET TimeSpan, [d.]hh:mm:ss[.fffffff], in milliseconds; -1 when s is
 * not one.
 */
static double
timespan(const char *s)
{
	unsigned long d = 0, h, m, sec;
	double frac = 0, p = 0.1;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	h = strtoul(s, &end, 10);
	if (*end == '.') {
		d = h;
		if (end[1] < '0' || end[1] > '9')
			return -1;
		h = strtoul(end + 1, &end, 10);
	}
	if (*end != ':' || end[1] < '0' || end[1] > '9')
		return -1;
	m = strtoul(end + 1, &end, 10);
	if (*end != ':' || end[1] < '0' || end[1] > '9')
		return -1;
	sec = strtoul(end + 1, &end, 10);
	if (*end == '.')
		for (end++; *end >= '0' && *end <= '9'; end++, p /= 10)
			frac += (*end - '0') * p;
	if (*end != '\0' || h > 23 || m > 59 || sec > 59 || d > 30)
		return -1;
	return (((d * 24.0 + h) * 60.0 + m) * 60.0 + sec + frac) * 1000.0;
}

static int
props(struct trx *c, size_t n)
{
	struct tally_kv *kv;

	if (n <= c->nkv)
		return TALLY_OK;
	if ((kv = realloc(c->kv, n * sizeof(*kv))) == NULL)
		return TALLY_ENOMEM;
	c->kv = kv;
	c->nkv = n;
	return TALLY_OK;
}

/*
 * Fill in what the definition of the test says (class, assembly) and drop
 * the testId property; then pass rec on.
 */
static int
send(struct trx *c, struct tally_record *rec)
{
	struct tally_test *t = &rec->u.test;
	const struct def *d = NULL;
	struct tally_kv *kv = t->properties;
	const char *suite[1], *id = NULL;
	size_t i, n = 0, cl;

	for (i = 0; i < t->nproperties; i++)
		if (strcmp(kv[i].key, ID_KEY) == 0)
			id = kv[i].value;
		else
			kv[n++] = kv[i];
	t->nproperties = n;
	if (n == 0)
		t->properties = NULL;
	if (id != NULL && (d = def_find(c, id)) != NULL) {
		t->classname = d->cls;
		if (d->store > 0) {
			suite[0] = c->stores[d->store - 1];
			t->suite = suite;
			t->nsuite = 1;
		}
	}
	if (t->classname != NULL && t->name != NULL &&
	    (cl = strlen(t->classname)) < strlen(t->name) &&
	    strncmp(t->name, t->classname, cl) == 0 && t->name[cl] == '.')
		t->name += cl + 1;
	return tally_sink_record(c->sink, rec, c->err);
}

/* Replay the spool through send(). */
struct replay {
	struct tally_sink	 base;
	struct trx		*c;
};

static int
replay_record(struct tally_sink *s, const struct tally_record *rec,
    struct tally_error *err)
{
	struct replay *rp = (struct replay *)s;
	struct tally_record r = *rec;
	int rc;

	(void)err;
	if (r.type != TALLY_REC_TEST)
		return tally_sink_record(rp->c->sink, &r, rp->c->err);
	if (props(rp->c, r.u.test.nproperties) != TALLY_OK)
		return oom(rp->c);
	if (r.u.test.nproperties > 0)
		memcpy(rp->c->kv, r.u.test.properties,
		    r.u.test.nproperties * sizeof(*rp->c->kv));
	r.u.test.properties = rp->c->kv;
	rc = send(rp->c, &r);
	return rc;
}

/*
 * The spool failed: the input cannot be read completely, which the
 * caller reports with an "error" record, as for an input read error.
 */
static int	 spool_fail(struct trx *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static int
spool_fail(struct trx *c, int e, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	if (e == 0)
		e = EIO;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	c->src->err = e;
	c->err->sys_errno = e;
	return tally_error_set(c->err, TALLY_EIO, 0, 0, "%s: %s", what,
	    strerror(e));
}

static int
replay(struct trx *c)
{
	struct replay rp;
	struct tally_src s;
	struct tally_error e;
	int rc;

	if (c->spool == NULL)
		return TALLY_OK;
	if (fflush(c->spool) != 0 || ferror(c->spool) ||
	    fseek(c->spool, 0, SEEK_SET) != 0)
		return spool_fail(c, errno, "a temporary file for results");
	memset(&rp, 0, sizeof(rp));
	rp.base.record = replay_record;
	rp.c = c;
	if (tally_src_init(&s, fileno(c->spool), c->src->name) != TALLY_OK)
		return oom(c);
	tally_error_init(&e, c->src->name);
	rc = tally_read_stream(&s, &rp.base, &e);
	tally_src_fini(&s);
	if (rc != TALLY_OK && c->err->message[0] == '\0')
		tally_error_set(c->err, rc, 0, 0, "temporary file for results: "
		    "%s", e.message);
	return rc;
}

/* An unlinked file in $TMPDIR: nothing is left behind on any exit. */
static int
spool_open(struct trx *c)
{
	const char *dir = getenv("TMPDIR");
	char *path;
	int fd, e;

	if (dir == NULL || dir[0] == '\0')
		dir = "/tmp";
	if (asprintf(&path, "%s/tally-trx.XXXXXX", dir) < 0)
		return oom(c);
	if ((fd = mkstemp(path)) < 0) {
		e = errno;
		free(path);
		return spool_fail(c, e, "cannot create a temporary file in "
		    "'%s'", dir);
	}
	unlink(path);
	free(path);
	if ((c->spool = fdopen(fd, "w+")) == NULL) {
		close(fd);
		return oom(c);
	}
	return TALLY_OK;
}

static int
spool(struct trx *c, const struct tally_record *rec)
{
	int rc;

	if (c->spool == NULL && (rc = spool_open(c)) != TALLY_OK)
		return rc;
	tally_buf_reset(&c->line);
	if (tally_stream_format(&c->line, rec) != TALLY_OK)
		return oom(c);
	if (fwrite(c->line.data, 1, c->line.len, c->spool) != c->line.len)
		return spool_fail(c, errno, "a temporary file for results");
	return TALLY_OK;
}

static const char *
field(struct res *r, int i)
{
	return tally_buf_str(&r->f[i].b);
}

static int
emit_result(struct trx *c, struct res *r, enum tally_status st,
    const char *raw)
{
	struct tally_record rec;
	struct tally_test *t = &rec.u.test;
	const char *dur = tally_buf_str(&r->time);
	size_t n = 0;
	double ms = -1;

	tally_record_init(&rec, TALLY_REC_TEST);
	rec.source = c->src->name;
	t->name = r->name.data ? r->name.data : "";
	t->status = st;
	t->raw_status = raw;
	t->message = field(r, L_MSG);
	t->trace = field(r, L_TRACE);
	t->stdout_text = field(r, L_OUT);
	t->stderr_text = field(r, L_ERR);
	if (props(c, 2) != TALLY_OK)
		return oom(c);
	if (tally_buf_str(&r->id) != NULL) {
		c->kv[n].key = ID_KEY;
		c->kv[n++].value = tally_buf_str(&r->id);
	}
	if (dur != NULL && (ms = timespan(dur)) < 0) {
		tally_src_warn(c->src, r->line, "duration '%.40s' is not a "
		    "time span of 0 to 30 days; duration left unknown", dur);
		c->kv[n].key = TALLY_BAD_DURATION;
		c->kv[n++].value = dur;
	}
	t->duration = ms;
	t->properties = c->kv;
	t->nproperties = n;
	return c->defs_done ? send(c, &rec) : spool(c, &rec);
}

static void
res_reset(struct res *r)
{
	int i;

	tally_buf_reset(&r->id);
	tally_buf_reset(&r->name);
	tally_buf_reset(&r->outcome);
	tally_buf_reset(&r->time);
	for (i = 0; i < NLEAF; i++) {
		tally_buf_reset(&r->f[i].b);
		r->f[i].dropped = 0;
	}
	r->rows = r->row_failed = 0;
	r->e[0] = r->e[1] = r->e[2] = NULL;
}

static int
res_start(struct trx *c)
{
	struct res *r;
	xmlNodePtr node;
	const char *k, *v;
	int rc = TALLY_OK;

	if (c->nres == MAX_NEST)
		return tally_xml_fail(c->x, c->err, TALLY_EPARSE,
		    "results nested more than %d deep", MAX_NEST);
	if (c->nres > 0)
		c->st[c->nres - 1].rows++;
	r = &c->st[c->nres++];
	res_reset(r);
	r->depth = c->depth;
	node = xmlTextReaderCurrentNode(c->r);
	r->line = node != NULL ? xmlGetLineNo(node) : 0;
	while (rc == TALLY_OK && tally_xml_next_attr(c->r, &k, &v)) {
		if (strcmp(k, "testId") == 0)
			rc = tally_buf_set(&r->id, v);
		else if (strcmp(k, "testName") == 0)
			rc = tally_buf_set(&r->name, v);
		else if (strcmp(k, "outcome") == 0)
			rc = tally_buf_set(&r->outcome, v);
		else if (strcmp(k, "duration") == 0)
			rc = tally_buf_set(&r->time, v);
	}
	xmlTextReaderMoveToElement(c->r);
	return rc == TALLY_OK ? TALLY_OK : oom(c);
}

static int
res_end(struct trx *c)
{
	struct res *r = &c->st[c->nres - 1];
	const char *raw;
	enum tally_status st = status_of(tally_buf_str(&r->outcome), &raw);
	int rc = TALLY_OK, i;

	tally_declared_saw(&c->decl, st, 1);
	for (i = 0; i < NLEAF; i++)
		if (tally_buf_add_dropped(&r->f[i].b, r->f[i].dropped) !=
		    TALLY_OK)
			return oom(c);
	if (r->rows == 0 || (st == TALLY_FAILED && !r->row_failed))
		rc = emit_result(c, r, st, raw);
	c->nres--;
	if (c->nres > 0 && st == TALLY_FAILED)
		c->st[c->nres - 1].row_failed = 1;
	return rc;
}

/* ---- run level ---- */

static int
meta_add(struct trx *c, const char *k, const char *v)
{
	if (v == NULL)
		return TALLY_OK;
	return tally_pairs_add(&c->meta, &c->nmeta, k, v) != TALLY_OK ?
	    oom(c) : TALLY_OK;
}

static int
attrs_to_meta(struct trx *c, const char *const *keys)
{
	const char *const *k;
	char *v;
	int rc = TALLY_OK;

	for (k = keys; *k != NULL && rc == TALLY_OK; k++) {
		v = (char *)xmlTextReaderGetAttribute(c->r, BAD_CAST *k);
		if (v != NULL)
			rc = meta_add(c, *k, v);
		xmlFree(v);
	}
	return rc;
}

static int
counters(struct trx *c)
{
	static const char *const failing[] = { "failed", "error", "timeout",
	    "aborted", "disconnected", "notRunnable" };
	xmlNodePtr node = xmlTextReaderCurrentNode(c->r);
	char *v, *end;
	long n, f = -1;
	size_t i;

	c->decl.line = node != NULL ? xmlGetLineNo(node) : 0;
	if ((v = (char *)xmlTextReaderGetAttribute(c->r, BAD_CAST "total")) !=
	    NULL) {
		n = strtol(v, &end, 10);
		if (*end == '\0' && end != v && n >= 0)
			c->decl.tests = n;
		xmlFree(v);
	}
	for (i = 0; i < sizeof(failing) / sizeof(failing[0]); i++) {
		v = (char *)xmlTextReaderGetAttribute(c->r, BAD_CAST failing[i]);
		if (v == NULL)
			continue;
		n = strtol(v, &end, 10);
		if (*end == '\0' && end != v && n >= 0)
			f = (f < 0 ? 0 : f) + n;
		xmlFree(v);
	}
	c->decl.failed = f;
	return TALLY_OK;
}

static int
emit_meta(struct trx *c)
{
	struct tally_record rec;

	if ((c->ninfos > 0 && meta_add(c, "runInfo", c->infos.data)) ||
	    (c->nerrors > 0 && meta_add(c, "runError", c->errors.data)))
		return oom(c);
	if (c->nmeta == 0)
		return TALLY_OK;
	if (tally_pairs_kv(&c->meta, c->nmeta, 0, &c->kv, &c->nkv) !=
	    TALLY_OK)
		return oom(c);
	tally_record_init(&rec, TALLY_REC_META);
	rec.source = c->src->name;
	rec.u.meta.items = c->kv;
	rec.u.meta.nitems = c->nmeta;
	return tally_sink_record(c->sink, &rec, c->err);
}

/* The run failed, or a RunInfo says Error, and no test failed. */
static int
emit_run(struct trx *c)
{
	static const char *const bad[] = { "Failed", "Error", "Aborted",
	    "Timeout", "Disconnected" };
	struct tally_record rec;
	struct tally_test *t = &rec.u.test;
	const char *o = tally_buf_str(&c->outcome);
	size_t i;
	int failing = 0;

	for (i = 0; o != NULL && i < sizeof(bad) / sizeof(bad[0]); i++)
		if (strcmp(o, bad[i]) == 0)
			failing = 1;
	if (c->decl.nfailed > 0 || (!failing && c->nerrors == 0))
		return TALLY_OK;
	tally_buf_reset(&c->tmp);
	tally_buf_reset(&c->tmp2);
	if (tally_buf_printf(&c->tmp, "run:%s", o != NULL ? o : "") ||
	    (c->nerrors == 0 && tally_buf_printf(&c->tmp2, "the run's outcome "
	    "is %s but no test failed", o)))
		return oom(c);
	tally_record_init(&rec, TALLY_REC_TEST);
	rec.source = c->src->name;
	t->name = "(test run)";
	t->status = TALLY_FAILED;
	t->raw_status = c->tmp.data;
	t->message = c->nerrors > 0 ? c->errors.data : c->tmp2.data;
	return tally_sink_record(c->sink, &rec, c->err);
}

/* ---- the walk ---- */

static int
text(void *arg, const char *s)
{
	struct trx *c = arg;

	if (c->leaf == NULL || c->depth != c->leaf_depth + 1)
		return TALLY_OK;
	return tally_buf_add_capped(&c->leaf->b, s, &c->leaf->dropped) !=
	    TALLY_OK ? oom(c) : TALLY_OK;
}

static int
is_result(const char *n)
{
	return is(n, "UnitTestResult") || is(n, "TestResultAggregation") ||
	    is(n, "WebTestResult") || is(n, "GenericTestResult") ||
	    is(n, "ManualTestResult");
}

static int
start(void *arg, const char *n)
{
	struct trx *c = arg;
	static const char *const run[] = { "name", "runUser", NULL };
	static const char *const times[] = { "start", "finish", NULL };
	struct res *r;
	char *v;
	int rel, rc = TALLY_OK;

	if (c->depth == 0) {
		if (!is(n, "TestRun"))
			return tally_xml_fail(c->x, c->err, TALLY_EPARSE,
			    "root element '%s' is not TRX", n);
		return attrs_to_meta(c, run);
	}
	if (c->nres > 0) {
		r = &c->st[c->nres - 1];
		rel = c->depth - r->depth;
		if (rel == 2 && is(r->e[0], "InnerResults") && is_result(n))
			return res_start(c);
		if (rel <= 3)
			r->e[rel - 1] = NULL;
		if (rel == 1)
			r->e[0] = is(n, "Output") ? "Output" :
			    is(n, "InnerResults") ? "InnerResults" : NULL;
		else if (rel == 2 && is(r->e[0], "Output")) {
			if (is(n, "StdOut"))
				c->leaf = &r->f[L_OUT];
			else if (is(n, "StdErr"))
				c->leaf = &r->f[L_ERR];
			else if (is(n, "ErrorInfo"))
				r->e[1] = "ErrorInfo";
		} else if (rel == 3 && is(r->e[1], "ErrorInfo")) {
			if (is(n, "Message"))
				c->leaf = &r->f[L_MSG];
			else if (is(n, "StackTrace"))
				c->leaf = &r->f[L_TRACE];
		}
		if (c->leaf != NULL)
			c->leaf_depth = c->depth;
		return TALLY_OK;
	}
	if (c->in_defs) {
		if (is(n, "UnitTest") && c->def_depth < 0) {
			c->def_depth = c->depth;
			tally_buf_reset(&c->def_id);
			tally_buf_reset(&c->def_cls);
			tally_buf_reset(&c->def_store);
			if ((v = (char *)xmlTextReaderGetAttribute(c->r,
			    BAD_CAST "id")) != NULL)
				rc = tally_buf_set(&c->def_id, v);
			xmlFree(v);
			if ((v = (char *)xmlTextReaderGetAttribute(c->r,
			    BAD_CAST "storage")) != NULL && rc == TALLY_OK)
				rc = tally_buf_set(&c->def_store, v);
			xmlFree(v);
		} else if (is(n, "TestMethod") && c->def_depth >= 0 &&
		    c->depth == c->def_depth + 1) {
			if ((v = (char *)xmlTextReaderGetAttribute(c->r,
			    BAD_CAST "className")) != NULL)
				rc = tally_buf_set(&c->def_cls, v);
			xmlFree(v);
		}
		return rc == TALLY_OK ? TALLY_OK : oom(c);
	}
	if (c->depth == 1 && is(n, "TestDefinitions")) {
		c->in_defs = 1;
		c->def_depth = -1;
		return TALLY_OK;
	}
	if (c->depth == 1 && is(n, "Times"))
		return attrs_to_meta(c, times);
	if (c->depth == 1 && is(n, "ResultSummary")) {
		if ((v = (char *)xmlTextReaderGetAttribute(c->r,
		    BAD_CAST "outcome")) != NULL)
			rc = tally_buf_set(&c->outcome, v);
		xmlFree(v);
		if (rc == TALLY_OK)
			rc = meta_add(c, "outcome", tally_buf_str(&c->outcome));
		return rc == TALLY_OK ? TALLY_OK : oom(c);
	}
	if (c->depth == 2 && is(n, "Counters"))
		return counters(c);
	if (is(n, "RunInfo") && c->runinfo_depth < 0) {
		c->runinfo_depth = c->depth;
		v = (char *)xmlTextReaderGetAttribute(c->r, BAD_CAST "outcome");
		c->runinfo_error = v != NULL && strcmp(v, "Error") == 0;
		xmlFree(v);
		tally_buf_reset(&c->text.b);
		c->text.dropped = 0;
		return TALLY_OK;
	}
	if (c->runinfo_depth >= 0 && c->depth == c->runinfo_depth + 1 &&
	    is(n, "Text")) {
		c->leaf = &c->text;
		c->leaf_depth = c->depth;
		return TALLY_OK;
	}
	if (c->depth == 2 && is_result(n))
		return res_start(c);
	return TALLY_OK;
}

/* RunInfo texts joined, one a line, capped at TALLY_MAX_FIELD. */
static int
runinfo_end(struct trx *c)
{
	struct tally_buf *b = c->runinfo_error ? &c->errors : &c->infos;
	size_t *n = c->runinfo_error ? &c->nerrors : &c->ninfos;
	const char *t = c->text.b.data ? c->text.b.data : "";

	c->runinfo_depth = -1;
	if (b->len >= TALLY_MAX_FIELD)
		return TALLY_OK;
	if ((*n > 0 && tally_buf_addc(b, '\n')) || tally_buf_adds(b, t))
		return oom(c);
	(*n)++;
	return TALLY_OK;
}

static int
end(void *arg)
{
	struct trx *c = arg;

	if (c->leaf != NULL && c->depth == c->leaf_depth) {
		c->leaf = NULL;
		return TALLY_OK;
	}
	if (c->nres > 0 && c->depth == c->st[c->nres - 1].depth)
		return res_end(c);
	if (c->in_defs && c->def_depth >= 0 && c->depth == c->def_depth) {
		c->def_depth = -1;
		return def_add(c);
	}
	if (c->in_defs && c->depth == 1) {
		c->in_defs = 0;
		c->defs_done = 1;
		return TALLY_OK;
	}
	if (c->runinfo_depth >= 0 && c->depth == c->runinfo_depth)
		return runinfo_end(c);
	return TALLY_OK;
}

static const struct tally_xml_events events = { start, end, text };

static void
trx_free(struct trx *c)
{
	size_t i;
	int j, k;

	for (j = 0; j < MAX_NEST; j++) {
		tally_buf_free(&c->st[j].id);
		tally_buf_free(&c->st[j].name);
		tally_buf_free(&c->st[j].outcome);
		tally_buf_free(&c->st[j].time);
		for (k = 0; k < NLEAF; k++)
			tally_buf_free(&c->st[j].f[k].b);
	}
	for (i = 0; i < c->cap; i++) {
		free(c->defs[i].id);
		free(c->defs[i].cls);
	}
	free(c->defs);
	for (i = 0; i < c->nstores; i++)
		free(c->stores[i]);
	free(c->stores);
	tally_buf_free(&c->def_id);
	tally_buf_free(&c->def_cls);
	tally_buf_free(&c->def_store);
	if (c->spool != NULL)
		fclose(c->spool);
	tally_buf_free(&c->line);
	tally_buf_free(&c->meta);
	tally_buf_free(&c->errors);
	tally_buf_free(&c->infos);
	tally_buf_free(&c->outcome);
	tally_buf_free(&c->text.b);
	tally_buf_free(&c->tmp);
	tally_buf_free(&c->tmp2);
	free(c->kv);
	free(c);
}

int
tally_read_trx(struct tally_src *src, struct tally_sink *sink,
    struct tally_error *err)
{
	struct trx *c;
	int rc;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	c->src = src;
	c->sink = sink;
	c->err = err;
	c->def_depth = c->runinfo_depth = -1;
	tally_declared_init(&c->decl);
	if ((rc = tally_xml_open(&c->x, src, 0, err)) == TALLY_OK) {
		c->r = tally_xml_reader(c->x);
		rc = tally_xml_walk(c->x, &events, c, &c->depth, err);
		/* What was read goes out even when the file is cut short;
		 * not into a sink that failed. */
		c->defs_done = 1;
		if (rc == TALLY_OK)
			rc = replay(c);
		else if (rc == TALLY_EPARSE)
			(void)replay(c);
		tally_xml_close(c->x);
	}
	if (rc == TALLY_OK)
		rc = emit_meta(c);
	if (rc == TALLY_OK)
		rc = emit_run(c);
	if (rc == TALLY_OK)
		rc = tally_declared_check(&c->decl, src, NULL, NULL, 0, sink,
		    err);
	trx_free(c);
	return rc;
}
