/*
 * lib/read/read_nunit.c: NUnit 2.5 (<test-results>) and NUnit 3 (<test-run>)
 * result XML, streamed through the hardened libxml2 reader of
 * lib/read/read_junit.c.  Each <test-case> is one "test" record as soon as it
 * closes, each <test-suite> one "suite" record when it closes, the root
 * one "meta" record (its attributes).
 *
 * Status of a <test-case> from result= (and NUnit 3's label=):
 *
 *   result=                          status   rawStatus
 *   -------------------------------  -------  ----------------------
 *   Passed, Success                  passed   label if any
 *   Failed, Failure, Error,          failed   RESULT or RESULT:LABEL
 *     NotRunnable, Invalid,                   (Failed:Error,
 *     Cancelled                               Failed:Invalid, ...)
 *   Skipped, Ignored, Explicit,      skipped  RESULT or RESULT:LABEL
 *     NotRun; executed="False"                (Skipped:Ignored, ...)
 *     with no result=
 *   Inconclusive, Warning            other    RESULT[:LABEL]
 *   any other word                   through tally_status_from_word
 *
 * - name: NUnit 3's name=, classname its classname=; NUnit 2's name= is
 *   the full name "Ns.Fixture.Method(args)": it is split at the last '.'
 *   before any '(' into classname and name.
 * - suite: the names of the enclosing <test-suite>s, outermost first.
 * - duration: duration= (NUnit 3) or time= (NUnit 2), in seconds.
 * - message: failure/message, else reason/message; trace:
 *   failure/stack-trace; stdout: output.  properties/property keep their
 *   name and value, categories/category (NUnit 2) are "category",
 *   attachments/attachment/filePath are "attachment"; every other
 *   attribute of the test-case is a property "@NAME".
 * - Out-of-test failures are never lost: a <test-suite> whose result= is
 *   failed (as above) with nothing failed below it (a OneTimeSetUp or
 *   OneTimeTearDown failure, an assembly that does not load) becomes a
 *   failed test record named "(OneTimeSetUp) NAME" (site="SetUp"),
 *   "(OneTimeTearDown) NAME" (site="TearDown") or "(test-suite) NAME",
 *   classname the suite's full name, message (else "the suite failed
 *   with no failed test case in it", as NUnit 2.6 says nothing of a
 *   TestFixtureTearDown failure), trace and output the suite's, rawStatus "suite RESULT[:LABEL][ site=SITE]".  A root whose
 *   counts say failed= (NUnit 3) or errors=/failures= (NUnit 2) while no
 *   failed record came becomes "(test-run)" with rawStatus "counts".
 * - Memory: one test case, plus the open suites' names and messages
 *   (nesting is capped at TALLY_MAX_DEPTH); text fields are capped at
 *   TALLY_MAX_FIELD with "[truncated N bytes]".
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/xmlreader.h>

#include "internal.h"

enum leaf { L_MSG, L_REASON, L_TRACE, L_OUT, NLEAF };

/* A test-case, a test-suite or the root, while it is open. */
struct node {
	int		 depth;
	struct tally_buf name, classname, result, label, site, dur;
	struct tally_buf f[NLEAF];
	size_t		 dropped[NLEAF];
	struct tally_buf props;		/* "key\0value\0" pairs */
	size_t		 nprops;
	long		 line;
	long		 total, failed, skipped, errors;
	int		 bad;		/* a failed record came from below */
};

struct nu {
	struct tally_xml	*x;
	xmlTextReaderPtr	 r;
	struct tally_src	*src;
	struct tally_sink	*sink;
	struct tally_error	*err;
	int			 v2;	/* <test-results> */
	int			 depth;
	struct node		 st[TALLY_MAX_DEPTH + 2]; /* [0] the root */
	size_t			 nst;
	struct node		 tc;
	int			 in_test;
	char			 e1[32], e2[32]; /* elements below the owner */
	int			 leaf;	/* an enum leaf, or -1 */
	int			 leaf_depth;
	struct tally_kv		*kv;
	size_t			 nkv;
	const char		**path;
	struct tally_buf	 tmp;
	size_t			 nfailed;	/* failed records sent */
};

static int
oom(struct nu *c)
{
	return tally_error_set(c->err, TALLY_ENOMEM, 0, 0, "out of memory");
}

static void
node_reset(struct node *n)
{
	int i;

	tally_buf_reset(&n->name);
	tally_buf_reset(&n->classname);
	tally_buf_reset(&n->result);
	tally_buf_reset(&n->label);
	tally_buf_reset(&n->site);
	tally_buf_reset(&n->dur);
	for (i = 0; i < NLEAF; i++) {
		tally_buf_reset(&n->f[i]);
		n->dropped[i] = 0;
	}
	tally_buf_reset(&n->props);
	n->nprops = 0;
	n->total = n->failed = n->skipped = n->errors = -1;
	n->bad = 0;
	n->line = 0;
}

static void
node_free(struct node *n)
{
	int i;

	tally_buf_free(&n->name);
	tally_buf_free(&n->classname);
	tally_buf_free(&n->result);
	tally_buf_free(&n->label);
	tally_buf_free(&n->site);
	tally_buf_free(&n->dur);
	for (i = 0; i < NLEAF; i++)
		tally_buf_free(&n->f[i]);
	tally_buf_free(&n->props);
}

static int
prop_add(struct node *n, const char *k, const char *v)
{
	return tally_pairs_add(&n->props, &n->nprops, k, v);
}

/* The properties of n as key/value pairs in c->kv (extra slots free). */
static int
props(struct nu *c, struct node *n, size_t extra)
{
	return tally_pairs_kv(&n->props, n->nprops, extra, &c->kv, &c->nkv);
}

static int
is(const char *s, const char *w)
{
	return s != NULL && strcasecmp(s, w) == 0;
}

/* The table above; raw gets RESULT[:LABEL] or NULL. */
static enum tally_status
status_of(struct nu *c, struct node *n, int *rawp)
{
	const char *res = tally_buf_str(&n->result);

	*rawp = 1;
	if (res == NULL || *res == '\0') {
		*rawp = 0;
		return TALLY_OTHER;
	}
	if (is(res, "Passed") || is(res, "Success")) {
		*rawp = tally_buf_str(&n->label) != NULL;
		return TALLY_PASSED;
	}
	if (is(res, "Failed") || is(res, "Failure") || is(res, "Error") ||
	    is(res, "NotRunnable") || is(res, "Invalid") ||
	    is(res, "Cancelled"))
		return TALLY_FAILED;
	if (is(res, "Skipped") || is(res, "Ignored") || is(res, "Explicit") ||
	    is(res, "NotRun"))
		return TALLY_SKIPPED;
	if (is(res, "Inconclusive") || is(res, "Warning"))
		return TALLY_OTHER;
	(void)c;
	return tally_status_from_word(res);
}

static const char *
raw_word(struct nu *c, struct node *n, const char *prefix)
{
	tally_buf_reset(&c->tmp);
	if (tally_buf_printf(&c->tmp, "%s%s", prefix, n->result.data ?
	    n->result.data : "") ||
	    (tally_buf_str(&n->label) && tally_buf_printf(&c->tmp, ":%s",
	    n->label.data)))
		return NULL;
	return c->tmp.data;
}

/* Suite path of the open suites (the root is not part of it). */
static size_t
suite_path(struct nu *c)
{
	size_t i;

	for (i = 1; i < c->nst; i++)
		c->path[i - 1] = c->st[i].name.data ? c->st[i].name.data : "";
	return c->nst > 0 ? c->nst - 1 : 0;
}

static void
mark_failed(struct nu *c)
{
	size_t i;

	for (i = 0; i < c->nst; i++)
		c->st[i].bad = 1;
	c->nfailed++;
}

static int
emit_test(struct nu *c)
{
	struct tally_record rec;
	struct tally_test *t = &rec.u.test;
	struct node *n = &c->tc;
	const char *name = n->name.data ? n->name.data : "", *paren, *dot;
	int raw, bad = 0;

	tally_record_init(&rec, TALLY_REC_TEST);
	rec.source = c->src->name;
	t->suite = c->path;
	t->nsuite = suite_path(c);
	t->name = name;
	t->classname = tally_buf_str(&n->classname);
	if (c->v2 && t->classname == NULL) {
		/* "Ns.Fixture.Method(a.b)": split before "Method". */
		paren = strchr(name, '(');
		for (dot = paren ? paren : name + strlen(name); dot > name &&
		    dot[-1] != '.'; dot--)
			;
		if (dot > name) {
			tally_buf_reset(&c->tmp);
			if (tally_buf_add(&c->tmp, name, (size_t)(dot - name - 1)))
				return oom(c);
			t->classname = c->tmp.data;
			t->name = dot;
		}
	}
	t->status = status_of(c, n, &raw);
	if (t->status == TALLY_OTHER && !raw && !tally_buf_str(&n->result)) {
		/* NUnit 2: executed="False" without a result. */
		const char *ex = NULL;
		size_t i;

		if (props(c, n, 0) != TALLY_OK)
			return oom(c);
		for (i = 0; i < n->nprops; i++)
			if (strcmp(c->kv[i].key, "@executed") == 0)
				ex = c->kv[i].value;
		if (is(ex, "False"))
			t->status = TALLY_SKIPPED;
	}
	t->duration = tally_parse_seconds(c->src, n->line,
	    tally_buf_str(&n->dur), &bad);
	t->message = tally_buf_str(&n->f[L_MSG]) ? n->f[L_MSG].data :
	    tally_buf_str(&n->f[L_REASON]);
	t->trace = tally_buf_str(&n->f[L_TRACE]);
	t->stdout_text = tally_buf_str(&n->f[L_OUT]);
	if (props(c, n, 1) != TALLY_OK)
		return oom(c);
	t->properties = c->kv;
	t->nproperties = n->nprops;
	if (bad) {
		c->kv[t->nproperties].key = TALLY_BAD_DURATION;
		c->kv[t->nproperties++].value = tally_buf_str(&n->dur);
	}
	if (t->nproperties == 0)
		t->properties = NULL;
	if (raw) {
		/* tmp may hold the classname: build the word after it. */
		struct tally_buf w;
		int rc;

		tally_buf_init(&w);
		if (tally_buf_adds(&w, n->result.data) ||
		    (tally_buf_str(&n->label) &&
		    tally_buf_printf(&w, ":%s", n->label.data))) {
			tally_buf_free(&w);
			return oom(c);
		}
		t->raw_status = w.data;
		if (t->status == TALLY_FAILED)
			mark_failed(c);
		rc = tally_sink_record(c->sink, &rec, c->err);
		tally_buf_free(&w);
		return rc;
	}
	if (t->status == TALLY_FAILED)
		mark_failed(c);
	return tally_sink_record(c->sink, &rec, c->err);
}

/* A failed suite with no failed record below it: a record of its own. */
static int
emit_suite_failure(struct nu *c, struct node *n, const char *what,
    const char *why)
{
	struct tally_record rec;
	struct tally_test *t = &rec.u.test;
	struct tally_buf name;
	const char *site = tally_buf_str(&n->site);
	size_t np;
	int rc;

	tally_record_init(&rec, TALLY_REC_TEST);
	rec.source = c->src->name;
	np = suite_path(c);
	/* The suite itself is the last element of the path: its parent's. */
	t->suite = c->path;
	t->nsuite = np > 0 && n != &c->st[0] ? np - 1 : np;
	tally_buf_init(&name);
	if (tally_buf_printf(&name, "%s", what) || (tally_buf_str(&n->name) &&
	    tally_buf_printf(&name, " %s", tally_buf_str(&n->name)))) {
		tally_buf_free(&name);
		return oom(c);
	}
	t->name = name.data;
	t->classname = tally_buf_str(&n->classname) ? n->classname.data :
	    tally_buf_str(&n->name);
	t->status = TALLY_FAILED;
	if (why != NULL)
		t->raw_status = why;
	else {
		t->raw_status = raw_word(c, n, "suite ");
		if (t->raw_status != NULL && site != NULL)
			tally_buf_printf(&c->tmp, " site=%s", site);
		t->raw_status = c->tmp.data;
	}
	t->message = tally_buf_str(&n->f[L_MSG]) ? n->f[L_MSG].data :
	    tally_buf_str(&n->f[L_REASON]) ? n->f[L_REASON].data :
	    "the suite failed with no failed test case in it";
	t->trace = tally_buf_str(&n->f[L_TRACE]);
	t->stdout_text = tally_buf_str(&n->f[L_OUT]);
	if (t->raw_status == NULL)
		rc = oom(c);
	else {
		mark_failed(c);
		rc = tally_sink_record(c->sink, &rec, c->err);
	}
	tally_buf_free(&name);
	return rc;
}

static int
emit_suite(struct nu *c, struct node *n)
{
	struct tally_record rec;
	struct tally_suite *s = &rec.u.suite;
	int bad = 0;

	tally_record_init(&rec, TALLY_REC_SUITE);
	rec.source = c->src->name;
	s->path = c->path;
	s->npath = suite_path(c);
	s->duration = tally_parse_seconds(c->src, n->line,
	    tally_buf_str(&n->dur), &bad);
	s->tests = n->total;
	s->failures = n->failed;
	s->skipped = n->skipped;
	s->stdout_text = tally_buf_str(&n->f[L_OUT]);
	return tally_sink_record(c->sink, &rec, c->err);
}

static int
emit_meta(struct nu *c, struct node *n)
{
	struct tally_record rec;

	if (n->nprops == 0)
		return TALLY_OK;
	if (props(c, n, 0) != TALLY_OK)
		return oom(c);
	tally_record_init(&rec, TALLY_REC_META);
	rec.source = c->src->name;
	rec.u.meta.items = c->kv;
	rec.u.meta.nitems = n->nprops;
	return tally_sink_record(c->sink, &rec, c->err);
}

/* Attributes of a test-case, test-suite or the root into n. */
static int
attrs(struct nu *c, struct node *n, int root)
{
	const char *k, *v;
	int rc = TALLY_OK;

	while (rc == TALLY_OK && tally_xml_next_attr(c->r, &k, &v)) {
		if (root) {
			if (strcmp(k, "total") == 0)
				n->total = tally_parse_count(v);
			else if (strcmp(k, "failed") == 0)
				n->failed = tally_parse_count(v);
			else if ((strcmp(k, "failures") == 0 ||
			    strcmp(k, "errors") == 0) &&
			    tally_parse_count(v) >= 0)
				n->failed = tally_parse_count(v) +
				    (n->failed > 0 ? n->failed : 0);
			rc = prop_add(n, k, v);
			continue;
		}
		if (strcmp(k, "name") == 0)
			rc = tally_buf_set(&n->name, v);
		else if (strcmp(k, "classname") == 0)
			rc = tally_buf_set(&n->classname, v);
		else if (strcmp(k, "fullname") == 0 && n != &c->tc) {
			if (n->classname.data == NULL)
				rc = tally_buf_set(&n->classname, v);
		} else if (strcmp(k, "result") == 0)
			rc = tally_buf_set(&n->result, v);
		else if (strcmp(k, "label") == 0)
			rc = tally_buf_set(&n->label, v);
		else if (strcmp(k, "site") == 0)
			rc = tally_buf_set(&n->site, v);
		else if (strcmp(k, "duration") == 0 || strcmp(k, "time") == 0)
			rc = tally_buf_set(&n->dur, v);
		else if (n != &c->tc) {
			if (strcmp(k, "total") == 0)
				n->total = tally_parse_count(v);
			else if (strcmp(k, "failed") == 0)
				n->failed = tally_parse_count(v);
			else if (strcmp(k, "skipped") == 0)
				n->skipped = tally_parse_count(v);
		} else {
			tally_buf_reset(&c->tmp);
			rc = tally_buf_printf(&c->tmp, "@%s", k);
			if (rc == TALLY_OK)
				rc = prop_add(n, c->tmp.data, v);
		}
	}
	xmlTextReaderMoveToElement(c->r);
	return rc == TALLY_OK ? TALLY_OK : oom(c);
}

static char *
attr(struct nu *c, const char *name)
{
	return (char *)xmlTextReaderGetAttribute(c->r, BAD_CAST name);
}

static struct node *
owner(struct nu *c)
{
	if (c->in_test)
		return &c->tc;
	return c->nst > 0 ? &c->st[c->nst - 1] : NULL;
}

/* An element below a test-case or suite: leaves and properties. */
static int
inner(struct nu *c, struct node *o, int rel, const char *n)
{
	char *k, *v;
	int rc = TALLY_OK;

	if (rel == 1) {
		snprintf(c->e1, sizeof(c->e1), "%s", n);
		c->e2[0] = '\0';
		if (strcmp(n, "output") == 0)
			c->leaf = L_OUT;
		return TALLY_OK;
	}
	if (rel == 2) {
		snprintf(c->e2, sizeof(c->e2), "%s", n);
		if (strcmp(c->e1, "failure") == 0 && strcmp(n, "message") == 0)
			c->leaf = L_MSG;
		else if (strcmp(c->e1, "failure") == 0 &&
		    strcmp(n, "stack-trace") == 0)
			c->leaf = L_TRACE;
		else if (strcmp(c->e1, "reason") == 0 &&
		    strcmp(n, "message") == 0)
			c->leaf = L_REASON;
		else if (o == &c->tc && strcmp(c->e1, "properties") == 0 &&
		    strcmp(n, "property") == 0) {
			k = attr(c, "name");
			v = attr(c, "value");
			if (k != NULL)
				rc = prop_add(o, k, v ? v : "");
			xmlFree(k);
			xmlFree(v);
		} else if (o == &c->tc && strcmp(c->e1, "categories") == 0 &&
		    strcmp(n, "category") == 0) {
			k = attr(c, "name");
			if (k != NULL)
				rc = prop_add(o, "category", k);
			xmlFree(k);
		}
		return rc == TALLY_OK ? TALLY_OK : oom(c);
	}
	if (rel == 3 && o == &c->tc && strcmp(c->e1, "attachments") == 0 &&
	    strcmp(c->e2, "attachment") == 0 && strcmp(n, "filePath") == 0)
{
		c->leaf = L_OUT + 1;	/* an attachment path, see text() */
		tally_buf_reset(&c->tmp);
	}
	return TALLY_OK;
}

/* The walk's events; blank text beside a CDATA section is indentation. */
static int
start(void *arg, const char *n)
{
	struct nu *c = arg;
	struct node *o;
	xmlNodePtr node;
	int rc;

	c->leaf = -1;
	if (c->depth == 0) {
		if (strcmp(n, "test-results") == 0)
			c->v2 = 1;
		else if (strcmp(n, "test-run") != 0)
			return tally_xml_fail(c->x, c->err, TALLY_EPARSE,
			    "root element '%s' is not NUnit XML", n);
		node_reset(&c->st[0]);
		c->st[0].depth = 0;
		c->nst = 1;
		return attrs(c, &c->st[0], 1);
	}
	if (c->in_test) {
		o = &c->tc;
	} else if (strcmp(n, "test-suite") == 0) {
		if (c->nst >= TALLY_MAX_DEPTH + 1)
			return tally_xml_fail(c->x, c->err, TALLY_EPARSE,
			    "test-suite nested too deep");
		o = &c->st[c->nst++];
		node_reset(o);
		o->depth = c->depth;
		node = xmlTextReaderCurrentNode(c->r);
		o->line = node != NULL ? xmlGetLineNo(node) : 0;
		return attrs(c, o, 0);
	} else if (strcmp(n, "test-case") == 0) {
		o = &c->tc;
		node_reset(o);
		c->in_test = 1;
		o->depth = c->depth;
		node = xmlTextReaderCurrentNode(c->r);
		o->line = node != NULL ? xmlGetLineNo(node) : 0;
		return attrs(c, o, 0);
	} else
		o = owner(c);
	if (o == NULL)
		return TALLY_OK;
	rc = inner(c, o, c->depth - o->depth, n);
	if (c->leaf >= 0)
		c->leaf_depth = c->depth;
	return rc;
}

static int
text(void *arg, const char *s)
{
	struct nu *c = arg;
	struct node *o = owner(c);
	int l = c->leaf;

	if (l < 0 || c->depth != c->leaf_depth + 1 || o == NULL)
		return TALLY_OK;
	if (l == L_OUT + 1) {
		/* An attachment's file path: one property per text node
		 * would split it, so gather in tmp until the end. */
		return tally_buf_adds(&c->tmp, s) ? oom(c) : TALLY_OK;
	}
	if (tally_buf_add_capped(&o->f[l], s, &o->dropped[l]) != TALLY_OK)
		return oom(c);
	return TALLY_OK;
}

/* What to call a failed suite's own record. */
static const char *
suite_what(struct node *n)
{
	const char *site = tally_buf_str(&n->site);

	if (is(site, "SetUp"))
		return "(OneTimeSetUp)";
	if (is(site, "TearDown"))
		return "(OneTimeTearDown)";
	return "(test-suite)";
}

static int
end(void *arg)
{
	struct nu *c = arg;
	struct node *o;
	int rc = TALLY_OK, raw;

	if (c->leaf >= 0 && c->depth == c->leaf_depth) {
		o = owner(c);
		if (c->leaf == L_OUT + 1) {
			if (c->tmp.len > 0 && prop_add(o, "attachment",
			    c->tmp.data) != TALLY_OK)
				return oom(c);
			tally_buf_reset(&c->tmp);
		} else if (tally_buf_add_dropped(&o->f[c->leaf],
		    o->dropped[c->leaf]) != TALLY_OK)
			return oom(c);
		c->leaf = -1;
		return TALLY_OK;
	}
	if (c->in_test && c->depth == c->tc.depth) {
		c->in_test = 0;
		return emit_test(c);
	}
	if (c->in_test || c->nst == 0)
		return TALLY_OK;
	o = &c->st[c->nst - 1];
	if (c->depth != o->depth)
		return TALLY_OK;
	if (o->depth == 0) {
		/* The root: counts that say failed with no failed record. */
		if (c->nfailed == 0 && o->failed > 0) {
			char why[64];

			snprintf(why, sizeof(why), "counts");
			tally_buf_reset(&o->f[L_MSG]);
			if (tally_buf_printf(&o->f[L_MSG], "the file counts %ld "
			    "failed test%s but lists none", o->failed,
			    o->failed == 1 ? "" : "s") != TALLY_OK)
				return oom(c);
			tally_buf_reset(&o->name);
			if ((rc = emit_suite_failure(c, o, "(test-run)",
			    why)) != TALLY_OK)
				return rc;
		}
		rc = emit_meta(c, o);
		c->nst = 0;
		return rc;
	}
	if (!o->bad && status_of(c, o, &raw) == TALLY_FAILED &&
	    (rc = emit_suite_failure(c, o, suite_what(o), NULL)) != TALLY_OK)
		return rc;
	rc = emit_suite(c, o);
	c->nst--;
	return rc;
}

static const struct tally_xml_events events = { start, end, text };

int
tally_read_nunit(struct tally_src *src, struct tally_sink *sink,
    struct tally_error *err)
{
	struct nu *c;
	size_t i;
	int rc;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->path = calloc(TALLY_MAX_DEPTH + 2, sizeof(*c->path))) == NULL) {
		free(c);
		return tally_error_set(err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	}
	c->src = src;
	c->sink = sink;
	c->err = err;
	c->leaf = -1;
	if ((rc = tally_xml_open(&c->x, src, 0, err)) == TALLY_OK) {
		c->r = tally_xml_reader(c->x);
		rc = tally_xml_walk(c->x, &events, c, &c->depth, err);
		tally_xml_close(c->x);
	}
	for (i = 0; i < sizeof(c->st) / sizeof(c->st[0]); i++)
		node_free(&c->st[i]);
	node_free(&c->tc);
	tally_buf_free(&c->tmp);
	free(c->kv);
	free(c->path);
	free(c);
	return rc;
}
