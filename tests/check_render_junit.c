/*
 * tests/check_render_junit.c: the JUnit XML renderer.  Output is parsed
 * back with libxml2 and validated with libxml2's XSD validator (what
 * xmllint --schema runs) against the real schemas in tests/data/schema/.
 * No schema knows every JUnit feature tally writes; each check removes,
 * by XPath, exactly what that schema does not declare (see
 * tests/data/schema/PROVENANCE.md), and the rest must validate.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <libxml/xpath.h>

#include <tally/merge.h>
#include <tally/report.h>

#include "render.h"
#include "render_fixture.h"

#define SCHEMA_DIR "tests/data/schema/"

/* What each schema lacks, relative to tally's output. */
static const char *const strip_xunit[] = {	/* junit-10.xsd */
	"/testsuites/@skipped", "//testcase/@file", "//testcase/@line",
	"//testcase/properties", NULL
};
static const char *const strip_surefire[] = {	/* per top-level suite */
	"//testcase/@file", "//testcase/@line", "//testcase/properties",
	"/testsuite/@timestamp", "/testsuite/@hostname",
	"/testsuite/system-out", "/testsuite/system-err", NULL
};
static const char *const strip_jenkins[] = {	/* jenkins-junit.xsd */
	"/testsuites/@skipped", "//testcase/@file", "//testcase/@line",
	"//testcase/properties", "//skipped/@message", "//flakyFailure",
	"//flakyError", "//rerunFailure", "//rerunError", NULL
};

static xmlDocPtr
parse(const char *s, size_t n)
{
	return xmlReadMemory(s, (int)n, "out.xml", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

static void
strip(xmlDocPtr d, const char *const *paths)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(d);
	xmlXPathObjectPtr o;
	xmlNodePtr node;
	int i;

	for (; *paths != NULL; paths++) {
		o = xmlXPathEvalExpression(BAD_CAST *paths, ctx);
		ck_assert_msg(o != NULL, "bad xpath %s", *paths);
		for (i = o->nodesetval ? o->nodesetval->nodeNr - 1 : -1; i >= 0;
		    i--) {
			node = o->nodesetval->nodeTab[i];
			if (node->type == XML_ATTRIBUTE_NODE)
				xmlRemoveProp((xmlAttrPtr)node);
			else {
				xmlUnlinkNode(node);
				xmlFreeNode(node);
			}
			o->nodesetval->nodeTab[i] = NULL;
		}
		xmlXPathFreeObject(o);
	}
	xmlXPathFreeContext(ctx);
}

static char schema_errors[4096];

static void
collect_error(void *ctx, const xmlError *e)
{
	size_t n = strlen(schema_errors);

	(void)ctx;
	snprintf(schema_errors + n, sizeof(schema_errors) - n, "line %d: %s",
	    e->line, e->message);
}

/* 0 when d is valid against xsd; the errors are in schema_errors. */
static int
validate(xmlDocPtr d, const char *xsd)
{
	xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(xsd);
	xmlSchemaPtr schema;
	xmlSchemaValidCtxtPtr vc;
	int rc;

	schema = xmlSchemaParse(pc);
	xmlSchemaFreeParserCtxt(pc);
	ck_assert_msg(schema != NULL, "cannot load %s", xsd);
	vc = xmlSchemaNewValidCtxt(schema);
	schema_errors[0] = '\0';
	xmlSchemaSetValidStructuredErrors(vc,
	    (xmlStructuredErrorFunc)collect_error, NULL);
	rc = xmlSchemaValidateDoc(vc, d);
	xmlSchemaFreeValidCtxt(vc);
	xmlSchemaFree(schema);
	return rc;
}

static double
xnum_at(xmlDocPtr d, xmlNodePtr at, const char *fmt, ...)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(d);
	xmlXPathObjectPtr o;
	char expr[512];
	double v;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(expr, sizeof(expr), fmt, ap);
	va_end(ap);
	if (at != NULL)
		ctx->node = at;
	o = xmlXPathEvalExpression(BAD_CAST expr, ctx);
	ck_assert_msg(o != NULL, "bad xpath %s", expr);
	v = xmlXPathCastToNumber(o);
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	return v;
}

#define xcount(d, ...) ((long)xnum_at((d), NULL, __VA_ARGS__))

/* string(expr), caller frees. */
static char *
xstr(xmlDocPtr d, const char *expr)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(d);
	xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, ctx);
	xmlChar *s;
	char *r;

	ck_assert_msg(o != NULL, "bad xpath %s", expr);
	s = xmlXPathCastToString(o);
	r = strdup((const char *)s);
	xmlFree(s);
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	return r;
}

static void
assert_xstr(xmlDocPtr d, const char *expr, const char *want)
{
	char *got = xstr(d, expr);

	ck_assert_msg(strcmp(got, want) == 0, "%s: got '%s', want '%s'",
	    expr, got, want);
	free(got);
}

static char *
render_fx(const struct fixture *f, size_t *n)
{
	int rc;
	char *s = fx_render(tally_render_junit, &f->rep, NULL, n, &rc);

	ck_assert_int_eq(rc, TALLY_OK);
	return s;
}

START_TEST(valid_against_xunit_junit10)
{
	struct fixture f;
	size_t n;
	char *s;
	xmlDocPtr d;

	fx_rich(&f, 0);
	s = render_fx(&f, &n);
	ck_assert_ptr_nonnull(d = parse(s, n));
	strip(d, strip_xunit);
	ck_assert_msg(validate(d, SCHEMA_DIR "junit-10.xsd") == 0,
	    "junit-10.xsd: %s", schema_errors);
	/* What was validated still has nesting, reruns and labels. */
	ck_assert_int_eq(xcount(d, "count(//testsuite/testsuite)"),
	    3);
	ck_assert_int_eq(xcount(d, "count(//flakyFailure)"), 1);
	ck_assert_int_eq(xcount(d, "count(//flakyError)"), 1);
	ck_assert_int_eq(xcount(d, "count(//rerunFailure)"), 1);
	xmlFreeDoc(d);
	free(s);
}
END_TEST

START_TEST(valid_against_surefire30)
{
	struct fixture f;
	xmlDocPtr d, one;
	xmlNodePtr node;
	size_t n, checked = 0;
	char *s;

	fx_rich(&f, 1);
	s = render_fx(&f, &n);
	ck_assert_ptr_nonnull(d = parse(s, n));
	/* Surefire's root is one <testsuite>: validate each. */
	for (node = xmlDocGetRootElement(d)->children; node != NULL;
	    node = node->next) {
		if (node->type != XML_ELEMENT_NODE)
			continue;
		one = xmlNewDoc(BAD_CAST "1.0");
		xmlDocSetRootElement(one, xmlDocCopyNode(node, one, 1));
		strip(one, strip_surefire);
		ck_assert_msg(validate(one, SCHEMA_DIR
		    "surefire-test-report-3.0.xsd") == 0,
		    "suite '%s': %s", xmlGetProp(node, BAD_CAST "name"),
		    schema_errors);
		xmlFreeDoc(one);
		checked++;
	}
	ck_assert_uint_eq(checked, 3);	/* (root), Outer, tally */
	ck_assert_int_eq(xcount(d, "count(//flakyFailure/stackTrace)"), 1);
	ck_assert_int_eq(xcount(d, "count(//rerunFailure/stackTrace)"), 1);
	xmlFreeDoc(d);
	free(s);
}
END_TEST

START_TEST(valid_against_jenkins_junit)
{
	struct fixture f;
	size_t n;
	char *s;
	xmlDocPtr d;

	fx_rich(&f, 1);
	s = render_fx(&f, &n);
	ck_assert_ptr_nonnull(d = parse(s, n));
	strip(d, strip_jenkins);
	ck_assert_msg(validate(d, SCHEMA_DIR "jenkins-junit.xsd") == 0,
	    "jenkins-junit.xsd: %s", schema_errors);
	xmlFreeDoc(d);
	free(s);
}
END_TEST

/* The validators do reject: the stripping is what makes them pass. */
START_TEST(schemas_reject_unstripped)
{
	struct fixture f;
	size_t n;
	char *s;
	xmlDocPtr d;

	fx_rich(&f, 0);
	s = render_fx(&f, &n);
	ck_assert_ptr_nonnull(d = parse(s, n));
	ck_assert_int_ne(validate(d, SCHEMA_DIR "junit-10.xsd"), 0);
	ck_assert_ptr_nonnull(strstr(schema_errors, "skipped"));
	ck_assert_int_ne(validate(d, SCHEMA_DIR "jenkins-junit.xsd"), 0);
	xmlFreeDoc(d);
	free(s);
}
END_TEST

/* Every suite's counts are those of the test cases below it. */
START_TEST(counts_match_children)
{
	struct fixture f;
	xmlDocPtr d;
	xmlXPathContextPtr ctx;
	xmlXPathObjectPtr o;
	xmlNodePtr node;
	size_t n;
	char *s;
	int i;

	fx_rich(&f, 0);
	s = render_fx(&f, &n);
	ck_assert_ptr_nonnull(d = parse(s, n));
	ck_assert_int_eq(xcount(d, "number(/testsuites/@tests)"),
	    (long)(f.rep.ntests + f.rep.nerrors));
	ck_assert_int_eq(xcount(d, "count(//testcase)"),
	    (long)(f.rep.ntests + f.rep.nerrors));
	ck_assert_int_eq(xcount(d, "number(/testsuites/@failures)"), 4);
	ck_assert_int_eq(xcount(d, "number(/testsuites/@errors)"), 2);
	ck_assert_int_eq(xcount(d, "number(/testsuites/@skipped)"), 3);
	ctx = xmlXPathNewContext(d);
	o = xmlXPathEvalExpression(BAD_CAST "//testsuites|//testsuite", ctx);
	ck_assert_int_eq(o->nodesetval->nodeNr, 9);
	for (i = 0; i < o->nodesetval->nodeNr; i++) {
		node = o->nodesetval->nodeTab[i];
		ck_assert_int_eq(xnum_at(d, node, "number(@tests)"),
		    xnum_at(d, node, "count(.//testcase)"));
		ck_assert_int_eq(xnum_at(d, node, "number(@failures)"),
		    xnum_at(d, node, "count(.//testcase[failure])"));
		ck_assert_int_eq(xnum_at(d, node, "number(@errors)"),
		    xnum_at(d, node, "count(.//testcase[error])"));
		ck_assert_int_eq(xnum_at(d, node, "number(@skipped)"),
		    xnum_at(d, node, "count(.//testcase[skipped])"));
	}
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(d);
	free(s);
}
END_TEST

START_TEST(structure)
{
	struct fixture f;
	size_t n;
	char *s;
	xmlDocPtr d;

	fx_rich(&f, 0);
	s = render_fx(&f, &n);
	ck_assert_ptr_nonnull(d = parse(s, n));
	/* Nested suites with their suite records. */
	ck_assert_int_eq(xcount(d, "count(/testsuites/testsuite[@name='Outer']"
	    "[@timestamp='2026-11-25T10:00:00'][@hostname='ci-runner-7']"
	    "[@time='2.000']/properties/property[@name='java.version']"
	    "[@value='17'])"), 1);
	ck_assert_int_eq(xcount(d, "count(/testsuites/testsuite[@name='Outer']"
	    "/testsuite[@name='Inner'][@hostname='inner-host'][@time='0.012']"
	    "/testcase[@name='passes'][@classname='pkg.A'][@time='0.012']"
	    "[@file='t/a.py'][@line='10'])"), 1);
	assert_xstr(d, "/testsuites/testsuite[@name='Outer']/system-out",
	    "suite out\n");
	assert_xstr(d, "/testsuites/testsuite[@name='Outer']/system-err",
	    "suite err\n");
	assert_xstr(d, "//testcase[@name='passes']/properties/property[1]"
	    "/@value", "team-a");
	assert_xstr(d, "//testcase[@name='passes']/properties/property[2]"
	    "/@value", "team-b");
	/* Failure and error by raw status; ANSI codes gone from output. */
	ck_assert_int_eq(xcount(d, "count(//testcase[@name='fails']/failure"
	    "[@type='AssertionError'][@message='expected 1, got 2'])"), 1);
	assert_xstr(d, "//testcase[@name='fails']/failure",
	    "Traceback:\n  at b.py:3\n\tdeep ]]> end");
	assert_xstr(d, "//testcase[@name='fails']/system-out",
	    "out one\nout two\n");
	assert_xstr(d, "//testcase[@name='fails']/system-err", "err bold");
	ck_assert_int_eq(xcount(d, "count(//testcase[@name='errors']/error"
	    "[@type='RuntimeError'][@message='boom'])"), 1);
	ck_assert_int_eq(xcount(d, "count(//testcase[@name='errors']/failure)"),
	    0);
	/* Skipped, pending and other. */
	ck_assert_int_eq(xcount(d, "count(//testcase[@name='skips']/skipped"
	    "[@message='not today'])"), 1);
	ck_assert_int_eq(xcount(d, "count(/testsuites/testsuite[@name='(root)']"
	    "/testcase[@name='pends']/skipped[@message='pending'])"), 1);
	ck_assert_int_eq(xcount(d, "count(//testcase[@name='other']/skipped"
	    "[@message='weird'])"), 1);
	/* Unknown times are left out. */
	ck_assert_int_eq(xcount(d, "count(//testcase[@name='pends']/@time)"), 0);
	/* Reruns, the Surefire way. */
	ck_assert_int_eq(xcount(d, "count(//testcase[@name='flaky'][not(failure)]"
	    "[not(error)]/flakyFailure[@message='first try']"
	    "[@type='AssertionError'])"), 1);
	assert_xstr(d, "//testcase[@name='flaky']/flakyFailure/stackTrace",
	    "trace one\nline two");
	assert_xstr(d, "//testcase[@name='flaky']/flakyFailure/system-out",
	    "attempt out\n");
	assert_xstr(d, "//testcase[@name='flaky']/flakyFailure/system-err",
	    "attempt err\n");
	ck_assert_int_eq(xcount(d, "count(//testcase[@name='flaky']/flakyError"
	    "[@message='second try'][@type='IOError'])"), 1);
	ck_assert_int_eq(xcount(d, "count(//testcase[@name='broken']/failure)"),
	    1);
	ck_assert_int_eq(xcount(d, "count(//testcase[@name='broken']"
	    "/rerunFailure[@message='broken before'])"), 1);
	ck_assert_int_eq(xcount(d, "count(//testcase[@name='broken']"
	    "/*[starts-with(name(), 'flaky')])"), 0);
	/* Matrix cells: one suite per label combination, names apart. */
	ck_assert_int_eq(xcount(d, "count(/testsuites/testsuite"
	    "[@name='os=linux,python=3.11']/properties/property"
	    "[@name='tally.label.python'][@value='3.11'])"), 1);
	ck_assert_int_eq(xcount(d, "count(/testsuites/testsuite"
	    "[@name='os=linux,python=3.11']/testsuite[@name='Matrix']"
	    "/testcase[@name='cell [os=linux,python=3.11]'])"), 1);
	ck_assert_int_eq(xcount(d, "count(/testsuites/testsuite"
	    "[@name='os=linux,python=3.12']/testsuite[@name='Matrix']"
	    "/testcase[@name='cell [os=linux,python=3.12]']/failure)"), 1);
	ck_assert_int_eq(xcount(d, "count(/testsuites/testsuite"
	    "[@name='os=linux,python=3.12']/testcase"
	    "[@name='loose [os=linux,python=3.12]'])"), 1);
	ck_assert_int_eq(xcount(d, "count(//testcase[@name='cell'])"), 0);
	/* Input errors are errored cases of a last "tally" suite. */
	ck_assert_int_eq(xcount(d, "count(/testsuites/testsuite[last()]"
	    "[@name='tally'][@tests='1'][@errors='1']/testcase"
	    "[@name='results/bad.xml:3:4'][@classname='tally']/error"
	    "[@type='tally.InputError'][@message='unexpected end of file'])"),
	    1);
	assert_xstr(d, "//testsuite[@name='tally']/testcase/properties"
	    "/property[@name='tally.kind']/@value", "input-error");
	xmlFreeDoc(d);
	free(s);
}
END_TEST

START_TEST(hostile_strings_stay_data)
{
	struct fixture f;
	size_t n, i;
	char *s;
	xmlDocPtr d;

	fx_rich(&f, 0);
	s = render_fx(&f, &n);
	/* No raw control byte but newline and tab, no raw ESC. */
	for (i = 0; i < n; i++)
		ck_assert_msg((unsigned char)s[i] >= 0x20 || s[i] == '\n' ||
		    s[i] == '\t', "control byte 0x%02x at %zu",
		    (unsigned char)s[i], i);
	ck_assert_ptr_nonnull(d = parse(s, n));
	ck_assert_int_eq(xcount(d, "count(//testcase)"),
	    (long)(f.rep.ntests + f.rep.nerrors));
	/* Names keep ANSI visibly; controls become pictures, bad UTF-8 and
	 * DEL become U+FFFD. */
	assert_xstr(d, "//testcase[@classname='pkg.H\"q']/@name",
	    "</testcase>]]>\"&'<x>\xe2\x90\x9b[31mred\xe2\x90\x9b[0m"
	    "\xe2\x90\x81\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd end");
	assert_xstr(d, "//testcase[@classname='pkg.H\"q']/failure/@message",
	    "msg </testcase>]]>\"&'<x>red\xe2\x90\x81\xef\xbf\xbd"
	    "\xef\xbf\xbd\xef\xbf\xbd end");
	assert_xstr(d, "//testcase[@classname='pkg.H\"q']/failure/@type",
	    "T<&>");
	assert_xstr(d, "//testcase[@classname='pkg.H\"q']/failure",
	    "trace </testcase>]]>\"&'<x>red\xe2\x90\x81\xef\xbf\xbd"
	    "\xef\xbf\xbd\xef\xbf\xbd end\r\nnext");
	xmlFreeDoc(d);
	free(s);
}
END_TEST

START_TEST(deterministic)
{
	struct fixture f;
	size_t n1, n2;
	char *a, *b;

	fx_rich(&f, 0);
	a = render_fx(&f, &n1);
	b = render_fx(&f, &n2);
	ck_assert_uint_eq(n1, n2);
	ck_assert_int_eq(memcmp(a, b, n1), 0);
	free(a);
	free(b);
}
END_TEST

START_TEST(empty_report)
{
	struct fixture f;
	size_t n;
	char *s;
	xmlDocPtr d;

	fx_init(&f);
	fx_totals(&f);
	s = render_fx(&f, &n);
	ck_assert_str_eq(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<testsuites name=\"tally\" tests=\"0\" failures=\"0\" errors=\"0\""
	    " skipped=\"0\">\n</testsuites>\n");
	ck_assert_ptr_nonnull(d = parse(s, n));
	strip(d, strip_xunit);
	ck_assert_msg(validate(d, SCHEMA_DIR "junit-10.xsd") == 0, "%s",
	    schema_errors);
	xmlFreeDoc(d);
	free(s);
}
END_TEST

START_TEST(title_and_null_fields)
{
	struct fixture f;
	struct tally_render_opts opts;
	struct tally_test *t;
	size_t n;
	char *s;
	int rc;
	xmlDocPtr d;

	fx_init(&f);
	t = fx_test(&f, NULL, 0, NULL, NULL, TALLY_FAILED, NULL, -1);
	fx_totals(&f);
	memset(&opts, 0, sizeof(opts));
	opts.title = "My <run> & \"co\"";
	s = fx_render(tally_render_junit, &f.rep, &opts, &n, &rc);
	ck_assert_int_eq(rc, TALLY_OK);
	ck_assert_ptr_nonnull(d = parse(s, n));
	assert_xstr(d, "/testsuites/@name", "My <run> & \"co\"");
	/* A nameless test still has its required name; no time is made up. */
	ck_assert_int_eq(xcount(d, "count(//testcase[@name=''][not(@time)]"
	    "[not(@classname)]/failure)"), 1);
	ck_assert_int_eq(xcount(d, "count(//testsuite[not(@time)])"), 1);
	(void)t;
	xmlFreeDoc(d);
	free(s);
}
END_TEST

/* Tests of one suite come together, wherever the report has them. */
START_TEST(groups_by_suite_path)
{
	static const char *ab[] = { "A", "B" }, *a[] = { "A" };
	static const char *axb[] = { "A", "X", "B" };
	struct fixture f;
	struct tally_record *r;
	size_t n;
	char *s;
	xmlDocPtr d;

	fx_init(&f);
	fx_test(&f, ab, 2, "c", "t1", TALLY_PASSED, NULL, 1);
	fx_test(&f, a, 1, "c", "t2", TALLY_PASSED, NULL, 1);
	fx_test(&f, axb, 3, "c", "t3", TALLY_PASSED, NULL, 1);
	fx_test(&f, ab, 2, "c", "t4", TALLY_PASSED, NULL, 1);
	r = fx_new(&f, TALLY_REC_SUITE);
	r->u.suite.path = ab;
	r->u.suite.npath = 2;
	r->u.suite.hostname = "first";
	r = fx_new(&f, TALLY_REC_SUITE);
	r->u.suite.path = ab;
	r->u.suite.npath = 2;
	r->u.suite.hostname = "second";
	fx_totals(&f);
	s = render_fx(&f, &n);
	ck_assert_ptr_nonnull(d = parse(s, n));
	ck_assert_int_eq(xcount(d, "count(//testsuite[@name='A'])"), 1);
	ck_assert_int_eq(xcount(d, "count(//testsuite[@name='B'])"), 2);
	ck_assert_int_eq(xcount(d, "count(/testsuites/testsuite[@name='A']"
	    "/testsuite[@name='B'][@hostname='first'][@tests='2'])"), 1);
	assert_xstr(d, "/testsuites/testsuite[@name='A']/testsuite[@name='B']"
	    "/testcase[1]/@name", "t1");
	assert_xstr(d, "/testsuites/testsuite[@name='A']/testsuite[@name='B']"
	    "/testcase[2]/@name", "t4");
	assert_xstr(d, "/testsuites/testsuite[@name='A']/testcase[1]/@name",
	    "t2");
	ck_assert_int_eq(xcount(d, "count(//testsuite[@name='X']/testsuite"
	    "[@name='B']/testcase[@name='t3'])"), 1);
	ck_assert_int_eq(xcount(d, "count(//testsuite[@hostname='second'])"),
	    0);
	xmlFreeDoc(d);
	free(s);
}
END_TEST

START_TEST(write_error_is_eio)
{
	struct fixture f;
	struct tally_error err;
	FILE *fp;

	fx_rich(&f, 0);
	ck_assert_ptr_nonnull(fp = fopen("/dev/full", "w"));
	tally_error_init(&err, NULL);
	ck_assert_int_eq(tally_render_junit(&f.rep, NULL, fp, &err),
	    TALLY_EIO);
	ck_assert_ptr_nonnull(strstr(err.message, "write error"));
	ck_assert_int_ne(err.sys_errno, 0);
	fclose(fp);
}
END_TEST

/* What the watch of report_via_merge() counts besides the pass. */
static struct tally_test_counts watched_counts;

static void
watch_pass(void *arg, const struct tally_record *test)
{
	tally_test_counts_add(&watched_counts, test);
	tally_junit_pass_test(arg, test);
}

/*
 * A report read from a merge of f's records in canonical order (as a
 * merged stream comes), tests streamed; with pass set, the merge shows
 * pass every test it keeps.  *watched: what tally_merge_watched() said.
 */
static struct tally_report *
report_via_merge(const struct fixture *f, int reverse,
    struct tally_junit_pass *pass, int *watched)
{
	struct tally_report_opts ro;
	struct tally_merge *m1, *m2;
	struct tally_report *rep;
	struct tally_error err;
	const struct tally_record *r, **v = NULL;
	size_t i, n = 0;

	memset(&ro, 0, sizeof(ro));
	ro.min_pass_rate = -1;
	ro.stream_tests = 1;
	tally_error_init(&err, NULL);
	ck_assert_int_eq(tally_merge_new(&m1), TALLY_OK);
	ck_assert_int_eq(tally_merge_new(&m2), TALLY_OK);
	for (i = 0; i < f->nrec; i++)
		ck_assert_int_eq(tally_merge_add(m1, &f->rec[i], &err),
		    TALLY_OK);
	ck_assert_int_eq(tally_merge_finish(m1, &err), TALLY_OK);
	while (tally_merge_next(m1, &r, &err) == 1) {
		ck_assert_ptr_nonnull(v = realloc(v, (n + 1) * sizeof(*v)));
		ck_assert_int_eq(tally_record_dup(r, (struct tally_record **)
		    &v[n]), TALLY_OK);
		n++;
	}
	memset(&watched_counts, 0, sizeof(watched_counts));
	if (pass != NULL)
		tally_merge_set_watch(m2, watch_pass, pass);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(tally_merge_add(m2, v[reverse ? n - 1 - i :
		    i], &err), TALLY_OK);
	ck_assert_int_eq(tally_merge_finish(m2, &err), TALLY_OK);
	*watched = tally_merge_watched(m2);
	if (*watched)
		ro.counted = &watched_counts;
	for (i = 0; i < n; i++)
		tally_record_free((struct tally_record *)v[i]);
	free(v);
	tally_merge_free(m1);
	ck_assert_int_eq(tally_report_build(&rep, m2, &ro, &err), TALLY_OK);
	return rep;
}

/*
 * The first pass made while a merged stream comes in gives the same
 * document, byte for byte, as the pass the renderer makes itself, in
 * both layouts; input out of order is not watched.  The counts come from
 * the pass: one made from fewer tests shows in the document.
 */
START_TEST(first_pass_while_merging)
{
	struct tally_render_opts o;
	struct tally_junit_pass *pass;
	struct tally_report *with, *without;
	struct fixture f, few;
	char *a, *b;
	size_t na, nb;
	int flat, rc, watched;
	xmlDocPtr d;

	for (flat = 0; flat <= 1; flat++) {
		fx_rich(&f, flat);
		memset(&o, 0, sizeof(o));
		o.junit_flat = flat;
		ck_assert_int_eq(tally_junit_pass_new(&pass, flat), TALLY_OK);
		with = report_via_merge(&f, 0, pass, &watched);
		ck_assert_int_eq(watched, 1);
		without = report_via_merge(&f, 0, NULL, &watched);
		ck_assert_int_eq(watched, 0);
		o.junit_pass = pass;
		a = fx_render(tally_render_junit, with, &o, &na, &rc);
		ck_assert_int_eq(rc, TALLY_OK);
		o.junit_pass = NULL;
		b = fx_render(tally_render_junit, without, &o, &nb, &rc);
		ck_assert_int_eq(rc, TALLY_OK);
		ck_assert_uint_eq(na, nb);
		ck_assert_msg(memcmp(a, b, na) == 0, "flat %d: documents "
		    "differ", flat);
		/* Totals counted on the way in are the build's own. */
		ck_assert_uint_eq(with->totals.tests, without->totals.tests);
		ck_assert_uint_eq(with->ntests, without->ntests);
		ck_assert_int_eq(memcmp(with->totals.status,
		    without->totals.status, sizeof(with->totals.status)), 0);
		ck_assert_uint_eq(with->totals.flaky, without->totals.flaky);
		ck_assert_uint_eq(with->totals.retried,
		    without->totals.retried);
		ck_assert(with->totals.duration == without->totals.duration);
		ck_assert(with->totals.pass_rate == without->totals.pass_rate);
		ck_assert_uint_eq(with->nsuites, without->nsuites);
		ck_assert_uint_eq(with->nerrors, without->nerrors);
		ck_assert_int_eq(with->verdict_failed, without->verdict_failed);
		ck_assert_ptr_nonnull(d = parse(a, na));
		ck_assert_int_gt(xcount(d, "count(//testcase)"), 5);
		xmlFreeDoc(d);
		free(a);
		free(b);
		tally_report_free(with);
		tally_report_free(without);
		tally_junit_pass_free(pass);
	}

	/* Reversed: the merge sorts, the pass saw too little to count. */
	fx_rich(&f, 0);
	ck_assert_int_eq(tally_junit_pass_new(&pass, 0), TALLY_OK);
	with = report_via_merge(&f, 1, pass, &watched);
	ck_assert_int_eq(watched, 0);
	tally_report_free(with);
	tally_junit_pass_free(pass);

	/* A pass over two tests, given for a report of three. */
	fx_init(&few);
	fx_test(&few, NULL, 0, "c", "t1", TALLY_FAILED, NULL, 1);
	fx_test(&few, NULL, 0, "c", "t2", TALLY_PASSED, NULL, 1);
	ck_assert_int_eq(tally_junit_pass_new(&pass, 0), TALLY_OK);
	tally_junit_pass_test(pass, few.tests[0]);
	tally_junit_pass_test(pass, few.tests[1]);
	fx_test(&few, NULL, 0, "c", "t3", TALLY_FAILED, NULL, 1);
	fx_totals(&few);
	memset(&o, 0, sizeof(o));
	o.junit_pass = pass;
	a = fx_render(tally_render_junit, &few.rep, &o, &na, &rc);
	ck_assert_int_eq(rc, TALLY_OK);
	ck_assert_ptr_nonnull(d = parse(a, na));
	ck_assert_int_eq(xcount(d, "number(/testsuites/@tests)"), 2);
	ck_assert_int_eq(xcount(d, "number(/testsuites/@failures)"), 1);
	ck_assert_int_eq(xcount(d, "count(//testcase)"), 3);
	xmlFreeDoc(d);
	free(a);
	tally_junit_pass_free(pass);
}
END_TEST

Suite *suite_render_junit(void);

Suite *
suite_render_junit(void)
{
	Suite *s = suite_create("render_junit");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, valid_against_xunit_junit10);
	tcase_add_test(tc, first_pass_while_merging);
	tcase_add_test(tc, valid_against_surefire30);
	tcase_add_test(tc, valid_against_jenkins_junit);
	tcase_add_test(tc, schemas_reject_unstripped);
	tcase_add_test(tc, counts_match_children);
	tcase_add_test(tc, structure);
	tcase_add_test(tc, hostile_strings_stay_data);
	tcase_add_test(tc, deterministic);
	tcase_add_test(tc, empty_report);
	tcase_add_test(tc, title_and_null_fields);
	tcase_add_test(tc, groups_by_suite_path);
	tcase_add_test(tc, write_error_is_eio);
	suite_add_tcase(s, tc);
	return s;
}
