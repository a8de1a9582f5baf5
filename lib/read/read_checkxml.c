/*
 * lib/read/read_checkxml.c: the Check unit-test framework's own XML log
 * (CK_XML_LOG_FILE_NAME, srunner_set_xml), streamed through the hardened
 * libxml2 reader of lib/read/read_junit.c:
 *
 *   <testsuites xmlns="http://check.sourceforge.net/ns">
 *     <datetime>..</datetime>
 *     <suite><title>S</title>
 *       <test result="success|failure|error">
 *         <path>.</path><fn>file.c:19</fn><id>test_x</id>
 *         <iteration>0</iteration><duration>0.001</duration>
 *         <description>TCase</description><message>..</message>
 *       </test> ...
 *     </suite> ...
 *     <duration>0.75</duration>
 *   </testsuites>
 *
 * Mapping: each <test> is a "test" record: name <id> (with "[N]" added
 * when <iteration> is not 0, so the runs of a loop test stay apart),
 * suite [<title>], classname <description> (the TCase), filePath <path>/
 * plus the file of <fn> ("./" dropped), line the number after its last
 * ':', duration <duration> seconds, message <message>, property
 * "iteration".  result: success -> passed; failure -> failed, rawStatus
 * "failure"; error -> failed, rawStatus "error"; any other word through
 * tally_status_from_word() with rawStatus kept.  Each <suite> gives a
 * "suite" record (timestamp <datetime>), the root a "meta" record with
 * "datetime" and "duration".
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlreader.h>

#include "internal.h"

#define CHECK_NS "http://check.sourceforge.net/ns"

enum leaf {
	L_NONE = -1, L_PATH, L_FN, L_ID, L_ITER, L_DUR, L_DESC, L_MSG,
	L_TITLE, L_DATETIME, L_TOTAL, NLEAF
};

static const char *leaf_names[] = { "path", "fn", "id", "iteration",
    "duration", "description", "message" };

struct ck {
	struct tally_xml	*x;
	xmlTextReaderPtr	 r;
	struct tally_src	*src;
	struct tally_sink	*sink;
	struct tally_error	*err;
	struct tally_buf	 f[NLEAF];
	int			 set[NLEAF];
	size_t			 dropped[NLEAF];	/* bytes cut off */
	long			 dur_line;	/* where <duration> was */
	struct tally_buf	 result, name, file;
	int			 depth;		/* open elements */
	int			 in_suite, in_test;
	enum leaf		 leaf;
	int			 leaf_depth;
};

static int
oom(struct ck *c)
{
	return tally_error_set(c->err, TALLY_ENOMEM, 0, 0, "out of memory");
}

static const char *
val(struct ck *c, enum leaf l)
{
	return c->set[l] ? (c->f[l].data ? c->f[l].data : "") : NULL;
}

static void
clear(struct ck *c, enum leaf l)
{
	tally_buf_reset(&c->f[l]);
	c->set[l] = 0;
	c->dropped[l] = 0;
}

static int
emit_test(struct ck *c)
{
	struct tally_record rec;
	struct tally_test *t = &rec.u.test;
	struct tally_kv prop[2];
	const char *dur;
	int bad = 0;
	const char *path = val(c, L_PATH), *fn = val(c, L_FN);
	const char *iter = val(c, L_ITER), *res = c->result.data;
	const char *suite[1];
	char *colon, *end;
	long line = 0;

	tally_record_init(&rec, TALLY_REC_TEST);
	rec.source = c->src->name;
	suite[0] = val(c, L_TITLE) ? val(c, L_TITLE) : "";
	t->suite = suite;
	t->nsuite = c->in_suite ? 1 : 0;
	tally_buf_reset(&c->name);
	if (tally_buf_adds(&c->name, val(c, L_ID) ? val(c, L_ID) : "") ||
	    (iter != NULL && strcmp(iter, "0") != 0 && iter[0] != '\0' &&
	    tally_buf_printf(&c->name, "[%s]", iter)))
		return oom(c);
	t->name = c->name.data;
	t->classname = val(c, L_DESC);
	tally_buf_reset(&c->file);
	if (fn != NULL && fn[0] != '\0') {
		colon = strrchr(fn, ':');
		if (colon != NULL) {
			line = strtol(colon + 1, &end, 10);
			if (*end != '\0' || end == colon + 1 || line < 0)
				line = 0;
		}
		if (path != NULL && path[0] != '\0' && strcmp(path, ".") != 0)
			tally_buf_printf(&c->file, "%s/", path);
		tally_buf_add(&c->file, fn, line > 0 ? (size_t)(colon - fn) :
		    strlen(fn));
		if (c->file.data == NULL)
			return oom(c);
		t->file_path = c->file.data;
	}
	t->line = line;
	/* Check writes -1 for a duration it did not measure. */
	dur = val(c, L_DUR);
	if (dur != NULL && strtod(dur, &end) == -1.0 &&
	    end[strspn(end, " \t\r\n")] == '\0')
		dur = NULL;
	t->duration = tally_parse_seconds(c->src, c->dur_line, dur, &bad);
	t->message = val(c, L_MSG);
	t->raw_status = res;
	if (res == NULL)
		t->status = TALLY_OTHER;
	else if (strcmp(res, "success") == 0) {
		t->status = TALLY_PASSED;
		t->raw_status = NULL;
	} else
		t->status = tally_status_from_word(res);
	t->properties = prop;
	if (iter != NULL) {
		prop[t->nproperties].key = "iteration";
		prop[t->nproperties++].value = iter;
	}
	if (bad) {
		prop[t->nproperties].key = TALLY_BAD_DURATION;
		prop[t->nproperties++].value = val(c, L_DUR);
	}
	if (t->nproperties == 0)
		t->properties = NULL;
	return tally_sink_record(c->sink, &rec, c->err);
}

static int
emit_suite(struct ck *c)
{
	struct tally_record rec;
	const char *path[1];

	tally_record_init(&rec, TALLY_REC_SUITE);
	rec.source = c->src->name;
	path[0] = val(c, L_TITLE) ? val(c, L_TITLE) : "";
	rec.u.suite.path = path;
	rec.u.suite.npath = 1;
	rec.u.suite.timestamp = val(c, L_DATETIME);
	return tally_sink_record(c->sink, &rec, c->err);
}

static int
emit_meta(struct ck *c)
{
	struct tally_record rec;
	struct tally_kv kv[2];
	size_t n = 0;

	if (val(c, L_DATETIME) != NULL) {
		kv[n].key = "datetime";
		kv[n++].value = val(c, L_DATETIME);
	}
	if (val(c, L_TOTAL) != NULL) {
		kv[n].key = "duration";
		kv[n++].value = val(c, L_TOTAL);
	}
	if (n == 0)
		return TALLY_OK;
	tally_record_init(&rec, TALLY_REC_META);
	rec.source = c->src->name;
	rec.u.meta.items = kv;
	rec.u.meta.nitems = n;
	return tally_sink_record(c->sink, &rec, c->err);
}

static int
start(struct ck *c, const char *n)
{
	xmlChar *v;
	int i;

	c->leaf = L_NONE;
	if (c->depth == 0) {
		const xmlChar *ns = xmlTextReaderConstNamespaceUri(c->r);

		if (strcmp(n, "testsuites") != 0 || ns == NULL ||
		    strcmp((const char *)ns, CHECK_NS) != 0)
			return tally_xml_fail(c->x, c->err, TALLY_EPARSE,
			    "root element '%s' is not a Check XML log", n);
		return TALLY_OK;
	}
	if (c->depth == 1) {
		if (strcmp(n, "suite") == 0) {
			c->in_suite = 1;
			clear(c, L_TITLE);
		} else if (strcmp(n, "datetime") == 0)
			c->leaf = L_DATETIME;
		else if (strcmp(n, "duration") == 0)
			c->leaf = L_TOTAL;
	} else if (c->depth == 2 && c->in_suite) {
		if (strcmp(n, "title") == 0)
			c->leaf = L_TITLE;
		else if (strcmp(n, "test") == 0) {
			c->in_test = 1;
			for (i = 0; i < L_TITLE; i++)
				clear(c, (enum leaf)i);
			tally_buf_reset(&c->result);
			v = xmlTextReaderGetAttribute(c->r, BAD_CAST "result");
			if (v != NULL) {
				i = tally_buf_adds(&c->result,
				    (const char *)v);
				xmlFree(v);
				if (i != TALLY_OK)
					return oom(c);
			}
		}
	} else if (c->depth == 3 && c->in_test) {
		for (i = 0; i < L_TITLE; i++)
			if (strcmp(n, leaf_names[i]) == 0)
				c->leaf = (enum leaf)i;
	}
	if (c->leaf == L_DUR) {
		xmlNodePtr node = xmlTextReaderCurrentNode(c->r);

		c->dur_line = node != NULL ? xmlGetLineNo(node) : 0;
	}
	if (c->leaf != L_NONE) {
		clear(c, c->leaf);
		c->set[c->leaf] = 1;
		c->leaf_depth = c->depth;
	}
	return TALLY_OK;
}

static int
end(struct ck *c)
{
	int rc = TALLY_OK;

	if (c->leaf != L_NONE && c->depth == c->leaf_depth) {
		if (tally_buf_add_dropped(&c->f[c->leaf],
		    c->dropped[c->leaf]) != TALLY_OK)
			return oom(c);
		c->leaf = L_NONE;
		return TALLY_OK;
	}
	if (c->depth == 2 && c->in_test) {
		c->in_test = 0;
		rc = emit_test(c);
	} else if (c->depth == 1 && c->in_suite) {
		c->in_suite = 0;
		rc = emit_suite(c);
	} else if (c->depth == 0)
		rc = emit_meta(c);
	return rc;
}

static int
walk(struct ck *c)
{
	const xmlChar *v;
	int rc, empty;

	while ((rc = tally_xml_next(c->x, c->err)) == 1) {
		switch (xmlTextReaderNodeType(c->r)) {
		case XML_READER_TYPE_ELEMENT:
			empty = xmlTextReaderIsEmptyElement(c->r) == 1;
			if ((rc = start(c, (const char *)
			    xmlTextReaderConstLocalName(c->r))) != TALLY_OK)
				return rc;
			if (empty) {
				if ((rc = end(c)) != TALLY_OK)
					return rc;
			} else
				c->depth++;
			break;
		case XML_READER_TYPE_END_ELEMENT:
			if (c->depth > 0)
				c->depth--;
			if ((rc = end(c)) != TALLY_OK)
				return rc;
			break;
		case XML_READER_TYPE_TEXT:
		case XML_READER_TYPE_CDATA:
		case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
			if (c->leaf == L_NONE || c->depth != c->leaf_depth + 1)
				break;
			v = xmlTextReaderConstValue(c->r);
			if (v == NULL)
				break;
			if (tally_buf_add_capped(&c->f[c->leaf],
			    (const char *)v, &c->dropped[c->leaf]) != TALLY_OK)
				return oom(c);
			break;
		default:
			break;
		}
	}
	return rc;
}

int
tally_read_checkxml(struct tally_src *src, struct tally_sink *sink,
    struct tally_error *err)
{
	struct ck c;
	int i, rc;

	memset(&c, 0, sizeof(c));
	c.src = src;
	c.sink = sink;
	c.err = err;
	c.leaf = L_NONE;
	if ((rc = tally_xml_open(&c.x, src, 0, err)) != TALLY_OK)
		return rc;
	c.r = tally_xml_reader(c.x);
	rc = walk(&c);
	tally_xml_close(c.x);
	for (i = 0; i < NLEAF; i++)
		tally_buf_free(&c.f[i]);
	tally_buf_free(&c.result);
	tally_buf_free(&c.name);
	tally_buf_free(&c.file);
	return rc;
}
