/*
 * lib/read/read_xunit.c: xUnit.net's own result XML: v2 and v3
 * (<assemblies><assembly><collection><test>) and v1
 * (<assembly><class><test>), streamed through the hardened libxml2
 * reader of lib/read/read_junit.c.  Each <test> is one "test" record when it
 * closes, each <collection> or <class> and each <assembly> one "suite"
 * record, the root <assemblies> one "meta" record (its attributes).
 *
 *   result=   status   rawStatus
 *   --------  -------  ---------
 *   Pass      passed   (none)
 *   Fail      failed   Fail
 *   Skip      skipped  Skip
 *   NotRun    skipped  NotRun
 *   other     through tally_status_from_word, the word kept
 *
 * - classname is type=, name is name= without the "TYPE." in front;
 *   suite is [assembly name, collection or class name]; duration time=
 *   (seconds); file and line source-file= and source-line= (v3).
 * - errorType failure/@exception-type, message failure/message (else
 *   <reason>, a skip's), trace failure/stack-trace, stdout <output>;
 *   traits/trait are properties by name; every other attribute of the
 *   test is a property "@NAME".
 * - Out-of-test failures are never lost: each <errors>/<error> (an
 *   assembly or class fixture, a collection fixture or a cleanup that
 *   threw, a fatal runner error) is a failed test record named
 *   "(TYPE error) NAME" (TYPE from type=, such as assembly-cleanup or
 *   fatal; NAME from name=), rawStatus "error:TYPE", with its failure's
 *   message, errorType and trace, in the assembly's suite.  An assembly
 *   whose failed= or errors= count is not 0 while no failed record came
 *   from it is "(assembly) NAME", rawStatus "counts".
 * - Memory: one test (or one error) at a time; text fields are capped
 *   at TALLY_MAX_FIELD with "[truncated N bytes]".
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/xmlreader.h>

#include "internal.h"

enum leaf { L_MSG, L_TRACE, L_REASON, L_OUT, NLEAF };
enum { O_NONE, O_TEST, O_ERROR };

struct xu {
	struct tally_xml	*x;
	xmlTextReaderPtr	 r;
	struct tally_src	*src;
	struct tally_sink	*sink;
	struct tally_error	*err;
	int			 depth;
	int			 asm_depth, coll_depth, own_depth; /* -1: none */
	struct tally_buf	 asm_name, coll_name;
	long			 asm_total, asm_failed, asm_skipped, asm_errors;
	long			 coll_total, coll_failed, coll_skipped;
	struct tally_buf	 asm_time, coll_time;
	size_t			 asm_nfailed;	/* failed records in it */
	int			 own;		/* O_TEST, O_ERROR */
	struct tally_buf	 name, type, result, time, file, line, etype;
	struct tally_buf	 f[NLEAF];
	size_t			 dropped[NLEAF];
	struct tally_buf	 props;
	size_t			 nprops;
	long			 own_line;
	char			 e1[32];
	int			 leaf, leaf_depth;
	struct tally_kv		*kv;
	size_t			 nkv;
	struct tally_buf	 tmp;
};

static int
oom(struct xu *c)
{
	return tally_error_set(c->err, TALLY_ENOMEM, 0, 0, "out of memory");
}

static int
prop_add(struct xu *c, const char *k, const char *v)
{
	return tally_pairs_add(&c->props, &c->nprops, k, v);
}

/* The properties as items in c->kv, with room for extra more. */
static int
props(struct xu *c, size_t extra)
{
	return tally_pairs_kv(&c->props, c->nprops, extra, &c->kv, &c->nkv);
}

static void
own_reset(struct xu *c)
{
	int i;

	tally_buf_reset(&c->name);
	tally_buf_reset(&c->type);
	tally_buf_reset(&c->result);
	tally_buf_reset(&c->time);
	tally_buf_reset(&c->file);
	tally_buf_reset(&c->line);
	tally_buf_reset(&c->etype);
	for (i = 0; i < NLEAF; i++) {
		tally_buf_reset(&c->f[i]);
		c->dropped[i] = 0;
	}
	tally_buf_reset(&c->props);
	c->nprops = 0;
}

/* The suite path: assembly, then collection or class when open. */
static size_t
path(struct xu *c, const char **p, int with_coll)
{
	size_t n = 0;

	if (c->asm_depth >= 0)
		p[n++] = c->asm_name.data ? c->asm_name.data : "";
	if (with_coll && c->coll_depth >= 0)
		p[n++] = c->coll_name.data ? c->coll_name.data : "";
	return n;
}

static int
emit_test(struct xu *c)
{
	struct tally_record rec;
	struct tally_test *t = &rec.u.test;
	const char *suite[2], *name = c->name.data ? c->name.data : "";
	const char *type = tally_buf_str(&c->type);
	const char *res = tally_buf_str(&c->result);
	size_t tl;
	int bad = 0;

	tally_record_init(&rec, TALLY_REC_TEST);
	rec.source = c->src->name;
	t->suite = suite;
	t->nsuite = path(c, suite, 1);
	t->classname = type;
	if (type != NULL && (tl = strlen(type)) < strlen(name) &&
	    strncmp(name, type, tl) == 0 && name[tl] == '.')
		name += tl + 1;
	t->name = name;
	t->raw_status = res;
	if (res == NULL)
		t->status = TALLY_OTHER;
	else if (strcasecmp(res, "Pass") == 0) {
		t->status = TALLY_PASSED;
		t->raw_status = NULL;
	} else if (strcasecmp(res, "Fail") == 0)
		t->status = TALLY_FAILED;
	else if (strcasecmp(res, "Skip") == 0 || strcasecmp(res, "NotRun") == 0)
		t->status = TALLY_SKIPPED;
	else
		t->status = tally_status_from_word(res);
	t->duration = tally_parse_seconds(c->src, c->own_line,
	    tally_buf_str(&c->time), &bad);
	t->message = tally_buf_str(&c->f[L_MSG]) ? c->f[L_MSG].data :
	    tally_buf_str(&c->f[L_REASON]);
	t->type = tally_buf_str(&c->etype);
	t->trace = tally_buf_str(&c->f[L_TRACE]);
	t->stdout_text = tally_buf_str(&c->f[L_OUT]);
	t->file_path = tally_buf_str(&c->file);
	t->line = tally_parse_count(c->line.data) > 0 ?
	    tally_parse_count(c->line.data) : 0;
	if (props(c, 1) != TALLY_OK)
		return oom(c);
	t->properties = c->kv;
	t->nproperties = c->nprops;
	if (bad) {
		c->kv[t->nproperties].key = TALLY_BAD_DURATION;
		c->kv[t->nproperties++].value = tally_buf_str(&c->time);
	}
	if (t->nproperties == 0)
		t->properties = NULL;
	if (t->status == TALLY_FAILED)
		c->asm_nfailed++;
	return tally_sink_record(c->sink, &rec, c->err);
}

/* An <error>, or counts that say failed with nothing failed listed. */
static int
emit_failure(struct xu *c, const char *name, const char *raw,
    const char *msg)
{
	struct tally_record rec;
	struct tally_test *t = &rec.u.test;
	const char *suite[2];

	tally_record_init(&rec, TALLY_REC_TEST);
	rec.source = c->src->name;
	t->suite = suite;
	t->nsuite = path(c, suite, 0);
	t->name = name;
	t->classname = tally_buf_str(&c->asm_name);
	t->status = TALLY_FAILED;
	t->raw_status = raw;
	t->message = msg;
	t->type = tally_buf_str(&c->etype);
	t->trace = tally_buf_str(&c->f[L_TRACE]);
	c->asm_nfailed++;
	return tally_sink_record(c->sink, &rec, c->err);
}

static int
emit_error(struct xu *c)
{
	struct tally_buf name, raw;
	const char *type = tally_buf_str(&c->type) ? c->type.data : "unknown";
	int rc;

	tally_buf_init(&name);
	tally_buf_init(&raw);
	if (tally_buf_printf(&name, "(%s error)", type) ||
	    (tally_buf_str(&c->name) &&
	    tally_buf_printf(&name, " %s", c->name.data)) ||
	    tally_buf_printf(&raw, "error:%s", type))
		rc = oom(c);
	else
		rc = emit_failure(c, name.data, raw.data,
		    tally_buf_str(&c->f[L_MSG]) ? c->f[L_MSG].data :
		    "an error outside any test");
	tally_buf_free(&name);
	tally_buf_free(&raw);
	return rc;
}

static int
emit_suite(struct xu *c, int coll)
{
	struct tally_record rec;
	struct tally_suite *s = &rec.u.suite;
	const char *p[2];
	int bad = 0;

	tally_record_init(&rec, TALLY_REC_SUITE);
	rec.source = c->src->name;
	s->path = p;
	s->npath = path(c, p, coll);
	s->duration = tally_parse_seconds(c->src, 0,
	    tally_buf_str(coll ? &c->coll_time : &c->asm_time), &bad);
	s->tests = coll ? c->coll_total : c->asm_total;
	s->failures = coll ? c->coll_failed : c->asm_failed;
	s->skipped = coll ? c->coll_skipped : c->asm_skipped;
	s->errors = coll ? -1 : c->asm_errors;
	return tally_sink_record(c->sink, &rec, c->err);
}

static int
end_assembly(struct xu *c)
{
	char msg[128];
	int rc;

	if (c->asm_nfailed == 0 && (c->asm_failed > 0 || c->asm_errors > 0)) {
		tally_buf_reset(&c->etype);
		tally_buf_reset(&c->f[L_TRACE]);
		snprintf(msg, sizeof(msg), "the assembly counts %ld failed and "
		    "%ld error%s but lists none", c->asm_failed > 0 ?
		    c->asm_failed : 0, c->asm_errors > 0 ? c->asm_errors : 0,
		    c->asm_errors == 1 ? "" : "s");
		tally_buf_reset(&c->tmp);
		if (tally_buf_printf(&c->tmp, "(assembly) %s",
		    c->asm_name.data ? c->asm_name.data : ""))
			return oom(c);
		if ((rc = emit_failure(c, c->tmp.data, "counts", msg)) !=
		    TALLY_OK)
			return rc;
	}
	rc = emit_suite(c, 0);
	c->asm_depth = -1;
	return rc;
}

/* Attributes of an assembly, collection or class. */
static int
group_attrs(struct xu *c, int coll)
{
	const char *k, *v;
	int rc = TALLY_OK;

	while (rc == TALLY_OK && tally_xml_next_attr(c->r, &k, &v)) {
		if (strcmp(k, "name") == 0)
			rc = tally_buf_set(coll ? &c->coll_name :
			    &c->asm_name, v);
		else if (strcmp(k, "time") == 0)
			rc = tally_buf_set(coll ? &c->coll_time :
			    &c->asm_time, v);
		else if (strcmp(k, "total") == 0)
			*(coll ? &c->coll_total : &c->asm_total) =
			    tally_parse_count(v);
		else if (strcmp(k, "failed") == 0)
			*(coll ? &c->coll_failed : &c->asm_failed) =
			    tally_parse_count(v);
		else if (strcmp(k, "skipped") == 0)
			*(coll ? &c->coll_skipped : &c->asm_skipped) =
			    tally_parse_count(v);
		else if (strcmp(k, "errors") == 0 && !coll)
			c->asm_errors = tally_parse_count(v);
	}
	xmlTextReaderMoveToElement(c->r);
	return rc == TALLY_OK ? TALLY_OK : oom(c);
}

static int
own_attrs(struct xu *c)
{
	const char *k, *v;
	int rc = TALLY_OK;

	while (rc == TALLY_OK && tally_xml_next_attr(c->r, &k, &v)) {
		if (strcmp(k, "name") == 0)
			rc = tally_buf_set(&c->name, v);
		else if (strcmp(k, "type") == 0)
			rc = tally_buf_set(&c->type, v);
		else if (strcmp(k, "result") == 0)
			rc = tally_buf_set(&c->result, v);
		else if (strcmp(k, "time") == 0)
			rc = tally_buf_set(&c->time, v);
		else if (strcmp(k, "source-file") == 0)
			rc = tally_buf_set(&c->file, v);
		else if (strcmp(k, "source-line") == 0)
			rc = tally_buf_set(&c->line, v);
		else if (c->own == O_TEST) {
			tally_buf_reset(&c->tmp);
			rc = tally_buf_printf(&c->tmp, "@%s", k);
			if (rc == TALLY_OK)
				rc = prop_add(c, c->tmp.data, v);
		}
	}
	xmlTextReaderMoveToElement(c->r);
	return rc == TALLY_OK ? TALLY_OK : oom(c);
}

/* Root attributes as the meta record. */
static int
emit_meta(struct xu *c)
{
	struct tally_record rec;
	const char *k, *v;
	int rc = TALLY_OK;

	tally_buf_reset(&c->props);
	c->nprops = 0;
	while (rc == TALLY_OK && tally_xml_next_attr(c->r, &k, &v))
		rc = prop_add(c, k, v);
	xmlTextReaderMoveToElement(c->r);
	if (rc != TALLY_OK || props(c, 0) != TALLY_OK)
		return oom(c);
	if (c->nprops == 0)
		return TALLY_OK;
	tally_record_init(&rec, TALLY_REC_META);
	rec.source = c->src->name;
	rec.u.meta.items = c->kv;
	rec.u.meta.nitems = c->nprops;
	rc = tally_sink_record(c->sink, &rec, c->err);
	tally_buf_reset(&c->props);
	c->nprops = 0;
	return rc;
}

static void
open_assembly(struct xu *c)
{
	c->asm_depth = c->depth;
	tally_buf_reset(&c->asm_name);
	tally_buf_reset(&c->asm_time);
	c->asm_total = c->asm_failed = c->asm_skipped = c->asm_errors = -1;
	c->asm_nfailed = 0;
}

/* The walk's events; blank text beside a CDATA section is indentation. */
static int
start(void *arg, const char *n)
{
	struct xu *c = arg;
	xmlNodePtr node;
	char *k, *v;
	int rel, rc = TALLY_OK;

	c->leaf = -1;
	if (c->depth == 0) {
		if (strcmp(n, "assemblies") == 0)
			return emit_meta(c);
		if (strcmp(n, "assembly") != 0)
			return tally_xml_fail(c->x, c->err, TALLY_EPARSE,
			    "root element '%s' is not xUnit.net XML", n);
		open_assembly(c);
		return group_attrs(c, 0);
	}
	if (c->own != O_NONE) {
		rel = c->depth - c->own_depth;
		if (rel == 1) {
			snprintf(c->e1, sizeof(c->e1), "%s", n);
			if (strcmp(n, "output") == 0)
				c->leaf = L_OUT;
			else if (strcmp(n, "reason") == 0)
				c->leaf = L_REASON;
			else if (strcmp(n, "failure") == 0) {
				v = (char *)xmlTextReaderGetAttribute(c->r,
				    BAD_CAST "exception-type");
				if (v != NULL)
					rc = tally_buf_set(&c->etype, v);
				xmlFree(v);
			}
		} else if (rel == 2 && strcmp(c->e1, "failure") == 0) {
			if (strcmp(n, "message") == 0)
				c->leaf = L_MSG;
			else if (strcmp(n, "stack-trace") == 0)
				c->leaf = L_TRACE;
		} else if (rel == 2 && strcmp(c->e1, "traits") == 0 &&
		    strcmp(n, "trait") == 0) {
			k = (char *)xmlTextReaderGetAttribute(c->r,
			    BAD_CAST "name");
			v = (char *)xmlTextReaderGetAttribute(c->r,
			    BAD_CAST "value");
			if (k != NULL)
				rc = prop_add(c, k, v ? v : "");
			xmlFree(k);
			xmlFree(v);
		}
		if (c->leaf >= 0)
			c->leaf_depth = c->depth;
		return rc == TALLY_OK ? TALLY_OK : oom(c);
	}
	if (strcmp(n, "assembly") == 0 && c->asm_depth < 0) {
		open_assembly(c);
		return group_attrs(c, 0);
	}
	if ((strcmp(n, "test") == 0 && c->asm_depth >= 0) ||
	    strcmp(n, "error") == 0) {
		c->own = n[0] == 't' ? O_TEST : O_ERROR;
		c->own_depth = c->depth;
		own_reset(c);
		node = xmlTextReaderCurrentNode(c->r);
		c->own_line = node != NULL ? xmlGetLineNo(node) : 0;
		return own_attrs(c);
	}
	if (c->asm_depth < 0)
		return TALLY_OK;
	if ((strcmp(n, "collection") == 0 || strcmp(n, "class") == 0) &&
	    c->coll_depth < 0) {
		c->coll_depth = c->depth;
		tally_buf_reset(&c->coll_name);
		tally_buf_reset(&c->coll_time);
		c->coll_total = c->coll_failed = c->coll_skipped = -1;
		return group_attrs(c, 1);
	}
	return TALLY_OK;
}

static int
text(void *arg, const char *s)
{
	struct xu *c = arg;

	if (c->leaf < 0 || c->depth != c->leaf_depth + 1)
		return TALLY_OK;
	return tally_buf_add_capped(&c->f[c->leaf], s, &c->dropped[c->leaf]) !=
	    TALLY_OK ? oom(c) : TALLY_OK;
}

static int
end(void *arg)
{
	struct xu *c = arg;
	int rc = TALLY_OK, own = c->own;

	if (c->leaf >= 0 && c->depth == c->leaf_depth) {
		if (tally_buf_add_dropped(&c->f[c->leaf],
		    c->dropped[c->leaf]) != TALLY_OK)
			return oom(c);
		c->leaf = -1;
		return TALLY_OK;
	}
	if (own != O_NONE && c->depth == c->own_depth) {
		c->own = O_NONE;
		return own == O_TEST ? emit_test(c) : emit_error(c);
	}
	if (own == O_NONE && c->depth == c->coll_depth) {
		rc = emit_suite(c, 1);
		c->coll_depth = -1;
	} else if (own == O_NONE && c->depth == c->asm_depth)
		rc = end_assembly(c);
	return rc;
}

static const struct tally_xml_events events = { start, end, text };

int
tally_read_xunit(struct tally_src *src, struct tally_sink *sink,
    struct tally_error *err)
{
	struct xu *c;
	int i, rc;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	c->src = src;
	c->sink = sink;
	c->err = err;
	c->leaf = -1;
	c->asm_depth = c->coll_depth = c->own_depth = -1;
	if ((rc = tally_xml_open(&c->x, src, 0, err)) == TALLY_OK) {
		c->r = tally_xml_reader(c->x);
		rc = tally_xml_walk(c->x, &events, c, &c->depth, err);
		tally_xml_close(c->x);
	}
	tally_buf_free(&c->asm_name);
	tally_buf_free(&c->coll_name);
	tally_buf_free(&c->asm_time);
	tally_buf_free(&c->coll_time);
	tally_buf_free(&c->name);
	tally_buf_free(&c->type);
	tally_buf_free(&c->result);
	tally_buf_free(&c->time);
	tally_buf_free(&c->file);
	tally_buf_free(&c->line);
	tally_buf_free(&c->etype);
	for (i = 0; i < NLEAF; i++)
		tally_buf_free(&c->f[i]);
	tally_buf_free(&c->props);
	tally_buf_free(&c->tmp);
	free(c->kv);
	free(c);
	return rc;
}
