/*
 * lib/render/render_junit.c: the report as one JUnit XML document, written as
 * it goes.  The shape (documented in tally-render(1)):
 *
 *   <testsuites name tests failures errors skipped time>
 *     <testsuite> per suite path component, nested outer to inner, with
 *       counts over its subtree, and properties, timestamp, hostname,
 *       system-out and system-err from the matching "suite" record;
 *     tests with labels sit in one outer <testsuite> per label
 *       combination ("os=linux,python=3.11", labels as properties
 *       "tally.label.KEY") and carry " [os=linux,python=3.11]" after their
 *       name, so matrix cells never share a classname and name;
 *     tests without labels and without a suite sit in <testsuite
 *       name="(root)">;
 *     input errors are errored test cases in a last <testsuite
 *       name="tally">;
 *     a test's category (CTRF's type) is its property "tally.category".
 *
 * The label "shard" is in no name and no combination: it is not part of
 * a test's identity.  The flat layout (opts->junit_flat) makes each
 * combination and suite path one top-level <testsuite>, named by the
 * path joined with " › " and " [combination]", for readers that look at
 * no deeper level.  opts->junit_strict leaves out what Jenkins'
 * junit-10.xsd does not declare: testcase file, line and properties,
 * and the root's skipped count.
 *
 * Reruns are written the Surefire way: a test that finally passed gets a
 * <flakyFailure> or <flakyError> per earlier failed attempt, any other
 * test a <rerunFailure> or <rerunError>.  Children of <testcase> follow
 * the order of Surefire's surefire-test-report-3.0.xsd.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "escape.h"
#include "render.h"
#include "render_util.h"

#define ROOT_SUITE	"(root)"
#define TALLY_SUITE	"tally"
#define LABEL_PREFIX	"tally.label."
#define META_PREFIX	"tally.meta."
#define CATEGORY_PROP	"tally.category"

/* A test or suite record in the order the document needs. */
struct item {
	const struct tally_record *rec;
	char		*combo;	/* sorted labels "k=v,k=v", "" when none */
	char		*flat;	/* its <testsuite> in the flat layout, or NULL */
	size_t		 idx;	/* position in the report: keeps ties stable */
};

struct writer {
	FILE		*fp;
	struct tally_buf out;		/* not yet written to fp */
	struct tally_buf tmp;
	int		 rc;
	const struct tally_kv *meta;	/* run metadata, on top-level suites */
	size_t		 nmeta;
	int		 flat;		/* one level of <testsuite> */
	int		 strict;	/* only what junit-10.xsd declares */
};

struct counts {
	size_t	tests, failures, errors, skipped;
	double	ms;
	int	have_ms;
};

enum outcome { OUT_PASS, OUT_FAIL, OUT_ERROR, OUT_SKIP };

/* JUnit's <error> is for unexpected exceptions; these raw words say so. */
static int
is_error_word(const char *raw)
{
	static const char *const words[] = {
		"error", "errored", "broken", "crashed"
	};
	size_t i;

	if (raw == NULL)
		return 0;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasecmp(raw, words[i]) == 0)
			return 1;
	return 0;
}

static enum outcome
outcome_of(enum tally_status st, const char *raw)
{
	switch (st) {
	case TALLY_PASSED:
		return OUT_PASS;
	case TALLY_FAILED:
		return is_error_word(raw) ? OUT_ERROR : OUT_FAIL;
	default:
		return OUT_SKIP;	/* skipped, pending and other */
	}
}

static const char *
nz(const char *s)
{
	return s != NULL ? s : "";
}

/*
 * Output goes through w->out, written to w->fp in pieces of about
 * OUT_CHUNK bytes (and before w->fp changes, see set_fp): no stdio call
 * per attribute, and escaping appends whole runs to the buffer.  Write
 * errors stay on w->fp, for tally_render_status() and spool_copy().
 */
#define OUT_CHUNK	65536

static void
out_flush(struct writer *w)
{
	if (w->out.len > 0 && w->fp != NULL)
		fwrite(w->out.data, 1, w->out.len, w->fp);
	tally_buf_reset(&w->out);
}

/* What follows goes to fp. */
static void
set_fp(struct writer *w, FILE *fp)
{
	if (fp != w->fp) {
		out_flush(w);
		w->fp = fp;
	}
}

static void
out_room(struct writer *w)
{
	if (w->out.len >= OUT_CHUNK)
		out_flush(w);
}

static inline void
add(struct writer *w, const char *s, size_t n)
{
	if (w->rc != TALLY_OK)
		return;
	if (n < w->out.cap - w->out.len) {
		memcpy(w->out.data + w->out.len, s, n);
		w->out.len += n;
		w->out.data[w->out.len] = '\0';
	} else
		w->rc = tally_buf_add(&w->out, s, n);
}

static void
put(struct writer *w, const char *s)
{
	add(w, s, strlen(s));
	out_room(w);
}

static void
indent(struct writer *w, size_t depth)
{
	static const char sp[] = "                                ";
	size_t n;

	for (depth *= 2; depth > 0 && w->rc == TALLY_OK; depth -= n) {
		n = depth < sizeof(sp) - 1 ? depth : sizeof(sp) - 1;
		add(w, sp, n);
	}
}

/* ' name="' */
static void
attr_open(struct writer *w, const char *name)
{
	add(w, " ", 1);
	add(w, name, strlen(name));
	add(w, "=\"", 2);
}

/* ' name="value"', nothing when value is NULL. */
static void
attr(struct writer *w, const char *name, const char *value)
{
	if (value == NULL || w->rc != TALLY_OK)
		return;
	attr_open(w, name);
	if (w->rc != TALLY_OK ||
	    (w->rc = tally_esc_xml(&w->out, value, TALLY_NTS)) != TALLY_OK)
		return;
	add(w, "\"", 1);
	out_room(w);
}

/* v in decimal, as printf's %zu or %ld write it. */
static void
number(struct writer *w, size_t v, int neg)
{
	char d[24], *p = d + sizeof(d);

	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	if (neg)
		*--p = '-';
	add(w, p, (size_t)(d + sizeof(d) - p));
}

static void
attr_size(struct writer *w, const char *name, size_t v)
{
	if (w->rc != TALLY_OK)
		return;
	attr_open(w, name);
	number(w, v, 0);
	add(w, "\"", 1);
}

static void
attr_long(struct writer *w, const char *name, long v)
{
	if (w->rc != TALLY_OK)
		return;
	attr_open(w, name);
	number(w, v < 0 ? 0 - (size_t)v : (size_t)v, v < 0);
	add(w, "\"", 1);
}

/*
 * Milliseconds as seconds with three decimals, as printf's "%.3f" of
 * ms / 1000.0 writes them; nothing when unknown.
 */
static void
attr_time(struct writer *w, const char *name, double ms)
{
	char num[4];
	double v, x, k;

	if (w->rc != TALLY_OK || !(ms >= 0 && isfinite(ms)))
		return;
	v = ms / 1000.0;
	x = v * 1000.0;
	k = floor(x + 0.5);
	attr_open(w, name);
	/*
	 * x is v * 1000 within 2^-13 below 2^40, so when it is not near a
	 * half, k is how printf rounds v; -0 and halves go to printf.
	 */
	if (x < 1099511627776.0 && fabs(x - k) < 0.49 && !signbit(v)) {
		uint64_t ki = (uint64_t)k;

		number(w, (size_t)(ki / 1000), 0);
		num[0] = '.';
		num[1] = (char)('0' + ki / 100 % 10);
		num[2] = (char)('0' + ki / 10 % 10);
		num[3] = (char)('0' + ki % 10);
		add(w, num, 4);
	} else if (w->rc == TALLY_OK)
		w->rc = tally_buf_printf(&w->out, "%.3f", v);
	add(w, "\"", 1);
}

/*
 * Display text (messages, traces, output): ANSI sequences are removed,
 * what XML cannot carry becomes visible, newlines stay.
 */
static void
text(struct writer *w, const char *s)
{
	if (s == NULL || w->rc != TALLY_OK)
		return;
	tally_buf_reset(&w->tmp);
	if ((w->rc = tally_strip_ansi(&w->tmp, s, TALLY_NTS)) != TALLY_OK)
		return;
	if (w->tmp.len == 0)
		return;
	if ((w->rc = tally_esc_xml_text(&w->out, w->tmp.data, w->tmp.len))
	    != TALLY_OK)
		return;
	out_room(w);
}

/* The same for an attribute value. */
static void
attr_text(struct writer *w, const char *name, const char *value)
{
	if (value == NULL || w->rc != TALLY_OK)
		return;
	tally_buf_reset(&w->tmp);
	if ((w->rc = tally_strip_ansi(&w->tmp, value, TALLY_NTS)) != TALLY_OK)
		return;
	attr_open(w, name);
	if (w->rc == TALLY_OK && w->tmp.len > 0 &&
	    (w->rc = tally_esc_xml(&w->out, w->tmp.data, w->tmp.len)) !=
	    TALLY_OK)
		return;
	add(w, "\"", 1);
	out_room(w);
}

/* <name> and </name>\n */
static void
tag_open(struct writer *w, const char *name)
{
	add(w, "<", 1);
	add(w, name, strlen(name));
}

static void
tag_close(struct writer *w, const char *name)
{
	add(w, "</", 2);
	add(w, name, strlen(name));
	add(w, ">\n", 2);
	out_room(w);
}

/* <name>text</name> on its own line; nothing when s is NULL. */
static void
element_text(struct writer *w, size_t depth, const char *name, const char *s)
{
	if (s == NULL)
		return;
	indent(w, depth);
	tag_open(w, name);
	add(w, ">", 1);
	text(w, s);
	tag_close(w, name);
}

/* One <property> per pair of kv[0..n), names prefixed when asked. */
static void
property_group(struct writer *w, size_t depth, const struct tally_kv *kv,
    size_t n, const char *prefix)
{
	size_t i;

	for (i = 0; i < n; i++) {
		indent(w, depth);
		put(w, "<property");
		if (prefix != NULL) {
			tally_buf_reset(&w->tmp);
			if (w->rc == TALLY_OK)
				w->rc = tally_buf_printf(&w->tmp, "%s%s",
				    prefix, nz(kv[i].key));
			attr(w, "name", w->tmp.data);
		} else
			attr(w, "name", nz(kv[i].key));
		attr(w, "value", nz(kv[i].value));
		put(w, "/>\n");
	}
}

/* kv[0..n) and then extra, when not NULL, as one <properties>. */
static void
properties_and(struct writer *w, size_t depth, const struct tally_kv *kv,
    size_t n, const char *prefix, const struct tally_kv *extra)
{
	if (n == 0 && extra == NULL)
		return;
	indent(w, depth);
	put(w, "<properties>\n");
	property_group(w, depth + 1, kv, n, prefix);
	if (extra != NULL)
		property_group(w, depth + 1, extra, 1, NULL);
	indent(w, depth);
	put(w, "</properties>\n");
}

/* Labels and ordering. */

static int
kv_cmp(const void *a, const void *b)
{
	const struct tally_kv *x = *(const struct tally_kv *const *)a;
	const struct tally_kv *y = *(const struct tally_kv *const *)b;
	int c;

	if ((c = strcmp(nz(x->key), nz(y->key))) != 0)
		return c;
	return strcmp(nz(x->value), nz(y->value));
}

/*
 * The label naming a shard is no part of a test's identity: a test that
 * moves shard stays the same test in Jenkins' and GitLab's history.
 */
static int
is_shard(const struct tally_kv *kv)
{
	return kv->key != NULL && strcmp(kv->key, TALLY_LABEL_SHARD) == 0;
}

/* The record's labels but shard sorted by key, *n of them, as pairs the
 * caller frees. */
static int
sorted_labels(const struct tally_record *r, struct tally_kv **out, size_t *n)
{
	const struct tally_kv **p;
	size_t i;

	*out = NULL;
	*n = 0;
	if (r->nlabels == 0)
		return TALLY_OK;
	if ((p = calloc(r->nlabels, sizeof(*p))) == NULL)
		return TALLY_ENOMEM;
	for (i = 0; i < r->nlabels; i++)
		if (!is_shard(&r->labels[i]))
			p[(*n)++] = &r->labels[i];
	qsort(p, *n, sizeof(*p), kv_cmp);
	if (*n > 0 && (*out = calloc(*n, sizeof(**out))) == NULL) {
		free(p);
		return TALLY_ENOMEM;
	}
	for (i = 0; i < *n; i++)
		(*out)[i] = *p[i];
	free(p);
	return TALLY_OK;
}

/* The combination of a record with no labels: shared, never freed. */
static char no_combo[1];

static int
make_combo(const struct tally_record *r, char **out)
{
	struct tally_buf b;
	struct tally_kv *kv;
	size_t i, n;
	int rc;

	*out = NULL;
	if ((rc = sorted_labels(r, &kv, &n)) != TALLY_OK)
		return rc;
	if (n == 0) {
		*out = no_combo;
		return TALLY_OK;
	}
	tally_buf_init(&b);
	rc = tally_buf_adds(&b, "");
	for (i = 0; i < n && rc == TALLY_OK; i++)
		rc = tally_buf_printf(&b, "%s%s=%s", i > 0 ? "," : "",
		    nz(kv[i].key), nz(kv[i].value));
	free(kv);
	if (rc != TALLY_OK) {
		tally_buf_free(&b);
		return rc;
	}
	*out = tally_buf_detach(&b);
	return *out != NULL ? TALLY_OK : TALLY_ENOMEM;
}

static const char *const *raw_path(const struct tally_record *r, size_t *n);

/*
 * The flat layout's one <testsuite> name for it: its suite path joined
 * by " › " ("(root)" when it has none), then " [k=v,...]" when it has
 * labels.
 */
static int
make_flat(struct item *it)
{
	const char *const *p;
	struct tally_buf b;
	size_t n, i;
	int rc = TALLY_OK;

	p = raw_path(it->rec, &n);
	tally_buf_init(&b);
	for (i = 0; i < n; i++)
		rc |= tally_buf_printf(&b, "%s%s", i > 0 ? TALLY_TITLE_SEP :
		    "", nz(p[i]));
	if (n == 0)
		rc |= tally_buf_adds(&b, ROOT_SUITE);
	if (it->combo[0] != '\0')
		rc |= tally_buf_printf(&b, " [%s]", it->combo);
	if (rc != TALLY_OK || (it->flat = tally_buf_detach(&b)) == NULL) {
		tally_buf_free(&b);
		return TALLY_ENOMEM;
	}
	return TALLY_OK;
}

/* The combination of it's record, and its flat name when flat. */
static int
make_names(struct item *it, int flat)
{
	int rc;

	it->combo = it->flat = NULL;
	if ((rc = make_combo(it->rec, &it->combo)) != TALLY_OK || !flat)
		return rc;
	return make_flat(it);
}

static void
item_names_free(struct item *it)
{
	if (it->combo != no_combo)
		free(it->combo);
	free(it->flat);
	it->combo = it->flat = NULL;
}

static const char *const *
raw_path(const struct tally_record *r, size_t *n)
{
	if (r->type == TALLY_REC_SUITE) {
		*n = r->u.suite.npath;
		return r->u.suite.path;
	}
	*n = r->u.test.nsuite;
	return r->u.test.suite;
}

/*
 * The path of <testsuite> names an item sits in: its label combination
 * first when it has labels, then its suite path; "(root)" for a test with
 * neither.
 */
static size_t
eff_len(const struct item *it)
{
	size_t n;

	raw_path(it->rec, &n);
	if (it->flat != NULL)
		return 1;
	if (it->combo[0] != '\0')
		return n + 1;
	return n > 0 ? n : 1;
}

static const char *
eff_at(const struct item *it, size_t k)
{
	const char *const *p;
	size_t n;

	p = raw_path(it->rec, &n);
	if (it->flat != NULL)
		return it->flat;
	if (it->combo[0] != '\0') {
		if (k == 0)
			return it->combo;
		return nz(p[k - 1]);
	}
	return n > 0 ? nz(p[k]) : ROOT_SUITE;
}

static int
item_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	const char *const *px, *const *py;
	size_t nx, ny, i;
	int c;

	if ((c = strcmp(x->combo, y->combo)) != 0)
		return c;
	px = raw_path(x->rec, &nx);
	py = raw_path(y->rec, &ny);
	for (i = 0; i < nx && i < ny; i++)
		if ((c = strcmp(nz(px[i]), nz(py[i]))) != 0)
			return c;
	if (nx != ny)
		return nx < ny ? -1 : 1;
	/* A suite's own record comes before its tests. */
	if (x->rec->type != y->rec->type)
		return x->rec->type == TALLY_REC_SUITE ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void
count_test(struct counts *c, const struct tally_test *t)
{
	c->tests++;
	switch (outcome_of(t->status, t->raw_status)) {
	case OUT_FAIL:	c->failures++; break;
	case OUT_ERROR:	c->errors++; break;
	case OUT_SKIP:	c->skipped++; break;
	case OUT_PASS:	break;
	}
	if (t->duration >= 0 && isfinite(t->duration)) {
		c->ms += t->duration;
		c->have_ms = 1;
	}
}

/* Test case. */

/* <failure>, <error>, <rerunFailure>, ... for one failed execution. */
static void
problem(struct writer *w, size_t depth, const char *elem, const char *message,
    const char *type, const char *trace, const char *out, const char *err,
    int nested)
{
	indent(w, depth);
	tag_open(w, elem);
	attr_text(w, "message", message);
	/* Surefire's rerun elements require a type, known or not. */
	attr(w, "type", type != NULL || !nested ? type : "");
	if (!nested) {
		if (trace == NULL) {
			put(w, "/>\n");
			return;
		}
		put(w, ">");
		text(w, trace);
		tag_close(w, elem);
		return;
	}
	if (trace == NULL && out == NULL && err == NULL) {
		put(w, "/>\n");
		return;
	}
	put(w, ">\n");
	element_text(w, depth + 1, "stackTrace", trace);
	element_text(w, depth + 1, "system-out", out);
	element_text(w, depth + 1, "system-err", err);
	indent(w, depth);
	tag_close(w, elem);
}

/* The earlier attempts that failed in one way (failure or error). */
static void
attempts(struct writer *w, size_t depth, const struct tally_test *t,
    int errors, int flaky)
{
	const struct tally_attempt *a;
	const char *elem;
	size_t i;

	if (errors)
		elem = flaky ? "flakyError" : "rerunError";
	else
		elem = flaky ? "flakyFailure" : "rerunFailure";
	for (i = 0; i < t->nattempts; i++) {
		a = &t->attempts[i];
		if (a->status != TALLY_FAILED ||
		    is_error_word(a->raw_status) != errors)
			continue;
		problem(w, depth, elem, a->message, a->type, a->trace,
		    a->stdout_text, a->stderr_text, 1);
	}
}

static int
has_failed_attempt(const struct tally_test *t)
{
	size_t i;

	for (i = 0; i < t->nattempts; i++)
		if (t->attempts[i].status == TALLY_FAILED)
			return 1;
	return 0;
}

static void
testcase(struct writer *w, size_t depth, const struct item *it)
{
	const struct tally_test *t = &it->rec->u.test;
	enum outcome o = outcome_of(t->status, t->raw_status);
	struct tally_kv cat = { CATEGORY_PROP, NULL };
	int flaky = t->status == TALLY_PASSED;
	size_t t_nprop = t->nproperties;

	if (t->category != NULL && t->category[0] != '\0')
		cat.value = t->category;
	indent(w, depth);
	put(w, "<testcase");
	if (it->combo[0] != '\0') {
		tally_buf_reset(&w->tmp);
		if (w->rc == TALLY_OK)
			w->rc = tally_buf_printf(&w->tmp, "%s [%s]",
			    nz(t->name), it->combo);
		attr(w, "name", w->tmp.data);
	} else
		attr(w, "name", nz(t->name));
	attr(w, "classname", t->classname);
	attr_time(w, "time", t->duration);
	if (w->strict) {
		/* Jenkins' schema has no file, line or test properties. */
		cat.value = NULL;
		t_nprop = 0;
	} else {
		attr(w, "file", t->file_path);
		if (t->line > 0)
			attr_long(w, "line", t->line);
	}
	if (o == OUT_PASS && t_nprop == 0 && cat.value == NULL &&
	    !has_failed_attempt(t) && t->stdout_text == NULL &&
	    t->stderr_text == NULL) {
		put(w, "/>\n");
		return;
	}
	put(w, ">\n");
	properties_and(w, depth + 1, t->properties, t_nprop, NULL,
	    cat.value != NULL ? &cat : NULL);
	if (o == OUT_FAIL)
		problem(w, depth + 1, "failure", t->message, t->type, t->trace,
		    NULL, NULL, 0);
	attempts(w, depth + 1, t, 0, flaky);
	if (o == OUT_SKIP) {
		/* Pending and other become skipped; their word stays visible. */
		indent(w, depth + 1);
		put(w, "<skipped");
		if (t->message == NULL && t->status != TALLY_SKIPPED)
			attr_text(w, "message", t->raw_status != NULL ?
			    t->raw_status : tally_status_name(t->status));
		else
			attr_text(w, "message", t->message);
		put(w, "/>\n");
	}
	if (o == OUT_ERROR)
		problem(w, depth + 1, "error", t->message, t->type, t->trace,
		    NULL, NULL, 0);
	attempts(w, depth + 1, t, 1, flaky);
	element_text(w, depth + 1, "system-out", t->stdout_text);
	element_text(w, depth + 1, "system-err", t->stderr_text);
	indent(w, depth);
	put(w, "</testcase>\n");
}

/* Suites. */

static void
open_suite(struct writer *w, size_t depth, const char *name,
    const struct counts *c, const struct tally_suite *s,
    const struct tally_record *labels_of)
{
	struct tally_kv *kv = NULL;
	size_t nmeta, nkv = 0;

	indent(w, depth);
	put(w, "<testsuite");
	attr(w, "name", name);
	attr_size(w, "tests", c->tests);
	attr_size(w, "failures", c->failures);
	attr_size(w, "errors", c->errors);
	attr_size(w, "skipped", c->skipped);
	if (s != NULL && s->duration >= 0)
		attr_time(w, "time", s->duration);
	else if (c->have_ms)
		attr_time(w, "time", c->ms);
	if (s != NULL) {
		attr(w, "timestamp", s->timestamp);
		attr(w, "hostname", s->hostname);
	}
	put(w, ">\n");
	/*
	 * One <properties>: the cell's labels, the run metadata on top-level
	 * suites (as Surefire records its environment), the suite's own.
	 */
	if (labels_of != NULL && w->rc == TALLY_OK)
		w->rc = sorted_labels(labels_of, &kv, &nkv);
	nmeta = depth == 1 ? w->nmeta : 0;
	if ((kv != NULL || nmeta > 0 || (s != NULL && s->nproperties > 0)) &&
	    w->rc == TALLY_OK) {
		indent(w, depth + 1);
		put(w, "<properties>\n");
		if (kv != NULL)
			property_group(w, depth + 2, kv, nkv, LABEL_PREFIX);
		property_group(w, depth + 2, w->meta, nmeta, META_PREFIX);
		if (s != NULL)
			property_group(w, depth + 2, s->properties,
			    s->nproperties, NULL);
		indent(w, depth + 1);
		put(w, "</properties>\n");
	}
	free(kv);
}

static void
close_suite(struct writer *w, size_t depth, const struct tally_suite *s)
{
	if (s != NULL) {
		element_text(w, depth + 1, "system-out", s->stdout_text);
		element_text(w, depth + 1, "system-err", s->stderr_text);
	}
	indent(w, depth);
	put(w, "</testsuite>\n");
}

/*
 * Counts per <testsuite>, keyed by its label combination and the names
 * on its path, found in a first pass over the tests so that the second
 * can write each <testsuite> before its contents.  Bounded by the
 * number of suites, not of tests.
 */
struct node {
	char		*key;
	struct counts	 c;
};

struct nodes {
	struct node	*v;		/* dense, in the order first seen */
	size_t		 n, cv;
	size_t		*slot;		/* open addressing: index + 1, 0 empty */
	size_t		 cap;
	char		**combo;	/* distinct label combinations */
	size_t		 ncombo, ccombo;
	struct tally_buf key;		/* scratch */
	/* The last test's nodes, outermost first, and what named them
	 * (combination and path, each length first): the tests of a suite
	 * come together, so most tests count in the same nodes again. */
	size_t		*last;
	size_t		 nlast, clast;
	struct tally_buf lastid, id;
};

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* The key of the suite of it at depth d: combo, then the names. */
static int
node_key(struct nodes *ns, const struct item *it, size_t d)
{
	size_t k;
	int rc;

	tally_buf_reset(&ns->key);
	rc = tally_buf_adds(&ns->key, it->combo);
	for (k = 0; k <= d && rc == TALLY_OK; k++) {
		rc = tally_buf_addc(&ns->key, (char)0xFF);
		if (rc == TALLY_OK)
			rc = tally_buf_adds(&ns->key, eff_at(it, k));
	}
	return rc;
}

/* The slot of key: holding its node, or empty. */
static size_t *
node_slot(const struct nodes *ns, const char *key)
{
	size_t i;

	for (i = hash_str(key) & (ns->cap - 1); ns->slot[i] != 0;
	    i = (i + 1) & (ns->cap - 1))
		if (strcmp(ns->v[ns->slot[i] - 1].key, key) == 0)
			break;
	return &ns->slot[i];
}

static struct node *
node_find(const struct nodes *ns, const char *key)
{
	size_t *sl;

	if (ns->cap == 0)
		return NULL;
	sl = node_slot(ns, key);
	return *sl != 0 ? &ns->v[*sl - 1] : NULL;
}

static int
node_grow(struct nodes *ns)
{
	size_t *old = ns->slot, i, ocap = ns->cap;

	ns->cap = ocap ? ocap * 2 : 64;
	if ((ns->slot = calloc(ns->cap, sizeof(*ns->slot))) == NULL) {
		ns->slot = old;
		ns->cap = ocap;
		return TALLY_ENOMEM;
	}
	for (i = 0; i < ns->n; i++)
		*node_slot(ns, ns->v[i].key) = i + 1;
	free(old);
	return TALLY_OK;
}

/* Count test t under the suite of it at depth d; *at: its node. */
static int
node_count(struct nodes *ns, const struct item *it, size_t d,
    const struct tally_test *t, size_t *at)
{
	struct node *nd;
	size_t *sl;
	int rc;

	if ((rc = node_key(ns, it, d)) != TALLY_OK)
		return rc;
	if ((nd = node_find(ns, ns->key.data)) == NULL) {
		if (2 * (ns->n + 1) > ns->cap && node_grow(ns) != TALLY_OK)
			return TALLY_ENOMEM;
		if (ns->n == ns->cv) {
			size_t nc = ns->cv ? ns->cv * 2 : 64;
			struct node *v = realloc(ns->v, nc * sizeof(*v));

			if (v == NULL)
				return TALLY_ENOMEM;
			ns->v = v;
			ns->cv = nc;
		}
		sl = node_slot(ns, ns->key.data);
		nd = &ns->v[ns->n];
		memset(nd, 0, sizeof(*nd));
		if ((nd->key = strdup(ns->key.data)) == NULL)
			return TALLY_ENOMEM;
		*sl = ++ns->n;
	}
	count_test(&nd->c, t);
	*at = (size_t)(nd - ns->v);
	return TALLY_OK;
}

static int
combo_add(struct nodes *ns, const char *combo)
{
	size_t i;

	/* Few combinations: a matrix has cells, not thousands of them. */
	for (i = 0; i < ns->ncombo; i++)
		if (strcmp(ns->combo[i], combo) == 0)
			return TALLY_OK;
	if (ns->ncombo == ns->ccombo) {
		size_t nc = ns->ccombo ? ns->ccombo * 2 : 8;
		char **p = realloc(ns->combo, nc * sizeof(*p));

		if (p == NULL)
			return TALLY_ENOMEM;
		ns->combo = p;
		ns->ccombo = nc;
	}
	if ((ns->combo[ns->ncombo] = strdup(combo)) == NULL)
		return TALLY_ENOMEM;
	ns->ncombo++;
	return TALLY_OK;
}

static int
str_qcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
nodes_free(struct nodes *ns)
{
	size_t i;

	for (i = 0; i < ns->n; i++)
		free(ns->v[i].key);
	free(ns->v);
	free(ns->slot);
	for (i = 0; i < ns->ncombo; i++)
		free(ns->combo[i]);
	free(ns->combo);
	tally_buf_free(&ns->key);
	free(ns->last);
	tally_buf_free(&ns->lastid);
	tally_buf_free(&ns->id);
}

/* The <testsuite> elements open while writing, outermost first. */
struct tree {
	char			**name;
	const struct tally_suite **srec;
	size_t			 depth, cap;
};

static void
tree_close(struct writer *w, struct tree *t, size_t to)
{
	while (t->depth > to) {
		t->depth--;
		close_suite(w, t->depth + 1, t->srec[t->depth]);
		free(t->name[t->depth]);
		t->name[t->depth] = NULL;
	}
}

/* Write item it (items come sorted by item_cmp), opening suites. */
static void
tree_item(struct writer *w, struct tree *t, struct nodes *ns,
    const struct item *it)
{
	struct node *nd;
	size_t k, d, len = eff_len(it);

	for (k = 0; k < t->depth && k < len; k++)
		if (strcmp(eff_at(it, k), t->name[k]) != 0)
			break;
	if (it->rec->type == TALLY_REC_SUITE && k == len)
		return;		/* a second record for an open suite */
	/* Flat: a suite with no tests of its own has no <testsuite>. */
	if (it->flat != NULL && it->rec->type == TALLY_REC_SUITE &&
	    (w->rc = node_key(ns, it, 0)) == TALLY_OK &&
	    node_find(ns, ns->key.data) == NULL)
		return;
	tree_close(w, t, k);
	if (len > t->cap) {
		char **n = realloc(t->name, len * sizeof(*n));
		const struct tally_suite **sr;

		if (n != NULL)
			t->name = n;
		sr = n != NULL ? realloc(t->srec, len * sizeof(*sr)) : NULL;
		if (sr == NULL) {
			w->rc = TALLY_ENOMEM;
			return;
		}
		t->srec = sr;
		t->cap = len;
	}
	for (d = t->depth; d < len && w->rc == TALLY_OK; d++) {
		struct counts zero;

		memset(&zero, 0, sizeof(zero));
		if ((w->rc = node_key(ns, it, d)) != TALLY_OK ||
		    (t->name[d] = strdup(eff_at(it, d))) == NULL) {
			w->rc = TALLY_ENOMEM;
			return;
		}
		nd = node_find(ns, ns->key.data);
		t->srec[d] = it->rec->type == TALLY_REC_SUITE &&
		    d + 1 == len ? &it->rec->u.suite : NULL;
		t->depth = d + 1;
		open_suite(w, d + 1, eff_at(it, d), nd != NULL ? &nd->c : &zero,
		    t->srec[d],
		    d == 0 && it->combo[0] != '\0' ? it->rec : NULL);
	}
	if (it->rec->type == TALLY_REC_TEST && w->rc == TALLY_OK)
		testcase(w, t->depth + 1, it);
}

/* Label combinations written in one pass; the others wait for the next. */
#define BATCH	256

/* One label combination while it is written. */
struct cstate {
	FILE		*fp;		/* the output, or a spool file */
	struct tree	 t;
	size_t		 si, se;	/* its suite records */
};

/* An unlinked temporary file for a combination's part of the document. */
static FILE *
spool_open(const char *dir)
{
	char *path;
	FILE *fp = NULL;
	int fd;

	if (asprintf(&path, "%s/tally-junit.XXXXXX", dir) < 0)
		return NULL;
	if ((fd = mkstemp(path)) >= 0) {
		unlink(path);
		if ((fp = fdopen(fd, "w+")) == NULL)
			close(fd);
	}
	free(path);
	return fp;
}

/* Append the spool to the output. */
static void
spool_copy(struct writer *w, FILE *sp, FILE *out)
{
	char buf[65536];
	size_t n;

	if (fflush(sp) != 0 || ferror(sp) || fseek(sp, 0, SEEK_SET) != 0) {
		w->rc = TALLY_EIO;
		return;
	}
	while ((n = fread(buf, 1, sizeof(buf), sp)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			break;
	if (ferror(sp))
		w->rc = TALLY_EIO;
}

/*
 * The suite tree of every test.  The report's order (canonical, see
 * tally-stream(5)) is by suite path, so the tests of each label
 * combination come in the order the document wants: one pass writes
 * every combination at once, the first to the output and each other
 * one to a spool file appended after the pass (up to BATCH of them a
 * pass).  The suite records, few, are sorted in memory and merged in.
 */
static void
body(struct writer *w, const struct tally_report *rep, struct nodes *ns,
    struct item *suites, size_t nsuites, const char *tmpdir,
    struct tally_error *err)
{
	const struct tally_record *r;
	struct cstate *st;
	struct item it;
	FILE *out = w->fp;
	size_t c0, nb, k, si, pos;
	int more = 0, c;

	if ((st = calloc(BATCH, sizeof(*st))) == NULL) {
		w->rc = TALLY_ENOMEM;
		return;
	}
	if (tmpdir == NULL || tmpdir[0] == '\0')
		tmpdir = getenv("TMPDIR");
	if (tmpdir == NULL || tmpdir[0] == '\0')
		tmpdir = "/tmp";
	for (c0 = 0, si = 0; c0 < ns->ncombo && w->rc == TALLY_OK; c0 += nb) {
		nb = ns->ncombo - c0 < BATCH ? ns->ncombo - c0 : BATCH;
		memset(st, 0, nb * sizeof(*st));
		for (k = 0; k < nb; k++) {
			for (; si < nsuites && strcmp(suites[si].combo,
			    ns->combo[c0 + k]) < 0; si++)
				;
			st[k].si = st[k].se = si;
			for (; st[k].se < nsuites && strcmp(suites[st[k].se].combo,
			    ns->combo[c0 + k]) == 0; st[k].se++)
				;
			st[k].fp = k == 0 ? out : spool_open(tmpdir);
			if (st[k].fp == NULL) {
				err->sys_errno = errno;
				w->rc = tally_error_set(err, TALLY_EIO, 0, 0,
				    "cannot create a temporary file in '%s': %s",
				    tmpdir, strerror(errno));
			}
		}
		pos = 0;
		it.combo = it.flat = NULL;
		while (w->rc == TALLY_OK && (more = tally_report_next_test(rep,
		    &pos, &r, err)) == 1) {
			struct cstate *cs;
			size_t lo = 0, hi = nb, mid;

			item_names_free(&it);
			it.rec = r;
			it.idx = pos - 1;
			if ((w->rc = make_names(&it, w->flat)) != TALLY_OK)
				break;
			for (c = 1; lo < hi && c != 0; ) {
				mid = (lo + hi) / 2;
				c = strcmp(it.combo, ns->combo[c0 + mid]);
				if (c < 0)
					hi = mid;
				else if (c > 0)
					lo = mid + 1;
				else
					lo = mid;
			}
			if (c != 0)
				continue;	/* in another batch */
			cs = &st[lo];
			set_fp(w, cs->fp);
			while (cs->si < cs->se && item_cmp(&suites[cs->si],
			    &it) < 0 && w->rc == TALLY_OK)
				tree_item(w, &cs->t, ns, &suites[cs->si++]);
			tree_item(w, &cs->t, ns, &it);
		}
		item_names_free(&it);
		if (more < 0 && w->rc == TALLY_OK)
			w->rc = more;
		for (k = 0; k < nb; k++) {
			set_fp(w, st[k].fp);
			while (st[k].fp != NULL && st[k].si < st[k].se &&
			    w->rc == TALLY_OK)
				tree_item(w, &st[k].t, ns, &suites[st[k].si++]);
			if (st[k].fp != NULL)
				tree_close(w, &st[k].t, 0);
			set_fp(w, out);
			if (k > 0 && st[k].fp != NULL) {
				if (w->rc == TALLY_OK)
					spool_copy(w, st[k].fp, out);
				fclose(st[k].fp);
			}
			free(st[k].t.name);
			free(st[k].t.srec);
		}
		si = st[nb - 1].se;
	}
	set_fp(w, out);
	free(st);
}

static void
input_errors(struct writer *w, const struct tally_report *rep)
{
	struct counts c;
	size_t i;

	if (rep->nerrors == 0)
		return;
	memset(&c, 0, sizeof(c));
	c.tests = c.errors = rep->nerrors;
	open_suite(w, 1, TALLY_SUITE, &c, NULL, NULL);
	for (i = 0; i < rep->nerrors && w->rc == TALLY_OK; i++) {
		const struct tally_record *r = rep->errors[i];
		const struct tally_errrec *e = &r->u.error;
		struct tally_buf where;

		tally_buf_init(&where);
		w->rc = tally_buf_adds(&where, r->source ? r->source : "-");
		if (w->rc == TALLY_OK && e->line > 0)
			w->rc = tally_buf_printf(&where, ":%ld", e->line);
		if (w->rc == TALLY_OK && e->line > 0 && e->column > 0)
			w->rc = tally_buf_printf(&where, ":%ld", e->column);
		if (w->rc != TALLY_OK) {
			tally_buf_free(&where);
			break;
		}
		indent(w, 2);
		put(w, "<testcase");
		attr(w, "name", where.data);
		attr(w, "classname", TALLY_SUITE);
		attr_time(w, "time", 0);
		put(w, ">\n");
		if (!w->strict) {
			indent(w, 3);
			put(w, "<properties>\n");
			indent(w, 4);
			put(w, "<property name=\"tally.kind\" "
			    "value=\"input-error\"/>\n");
			indent(w, 3);
			put(w, "</properties>\n");
		}
		indent(w, 3);
		put(w, "<error");
		attr_text(w, "message", nz(e->message));
		attr(w, "type", "tally.InputError");
		put(w, ">");
		text(w, where.data);
		put(w, ": ");
		text(w, nz(e->message));
		put(w, "</error>\n");
		indent(w, 2);
		put(w, "</testcase>\n");
		tally_buf_free(&where);
	}
	close_suite(w, 1, NULL);
}

/* Whether it names the nodes of the last test (len of them): compared
 * in place with what named those, as collect_test() writes it. */
static int
same_nodes(const struct nodes *ns, const struct item *it, size_t len)
{
	const char *p = ns->lastid.data, *name;
	size_t left = ns->lastid.len, d, n;

	if (ns->nlast != len)
		return 0;
	for (d = 0; d <= len; d++) {
		name = d == 0 ? it->combo : eff_at(it, d - 1);
		n = strlen(name);
		if (left < sizeof(n) + n || memcmp(p, &n, sizeof(n)) != 0 ||
		    memcmp(p + sizeof(n), name, n) != 0)
			return 0;
		p += sizeof(n) + n;
		left -= sizeof(n) + n;
	}
	return left == 0;
}

/* Count test r in all and in every <testsuite> it sits in. */
static int
collect_test(struct nodes *ns, struct counts *all, int flat,
    const struct tally_record *r)
{
	struct item it;
	const char *name;
	size_t d, len, n;
	int rc;

	count_test(all, &r->u.test);
	it.rec = r;
	if ((rc = make_names(&it, flat)) != TALLY_OK)
		return rc;
	len = eff_len(&it);
	if (same_nodes(ns, &it, len)) {
		for (d = 0; d < len; d++)
			count_test(&ns->v[ns->last[d]].c, &r->u.test);
		item_names_free(&it);
		return TALLY_OK;
	}
	tally_buf_reset(&ns->id);
	for (d = 0; d <= len && rc == TALLY_OK; d++) {
		name = d == 0 ? it.combo : eff_at(&it, d - 1);
		n = strlen(name);
		if ((rc = tally_buf_add(&ns->id, (const char *)&n,
		    sizeof(n))) == TALLY_OK)
			rc = tally_buf_add(&ns->id, name, n);
	}
	ns->nlast = 0;
	if (rc == TALLY_OK && len > ns->clast) {
		size_t *v = realloc(ns->last, len * sizeof(*v));

		if (v == NULL)
			rc = TALLY_ENOMEM;
		else {
			ns->last = v;
			ns->clast = len;
		}
	}
	for (d = 0; d < len && rc == TALLY_OK; d++)
		rc = node_count(ns, &it, d, &r->u.test, &ns->last[d]);
	if (rc == TALLY_OK)
		rc = combo_add(ns, it.combo);
	if (rc == TALLY_OK) {
		tally_buf_reset(&ns->lastid);
		if ((rc = tally_buf_add(&ns->lastid, ns->id.data,
		    ns->id.len)) == TALLY_OK)
			ns->nlast = len;
	}
	item_names_free(&it);
	return rc;
}

/*
 * The tests' part of the first pass, made while the merge takes them in
 * (tally_merge_set_watch): the renderer then reads them once, not twice.
 */
struct tally_junit_pass {
	int		 flat;
	int		 rc;
	struct nodes	 ns;
	struct counts	 all;
};

int
tally_junit_pass_new(struct tally_junit_pass **out, int flat)
{
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return TALLY_ENOMEM;
	(*out)->flat = flat;
	tally_buf_init(&(*out)->ns.key);
	return TALLY_OK;
}

void
tally_junit_pass_test(struct tally_junit_pass *p,
    const struct tally_record *test)
{
	if (p->rc == TALLY_OK)
		p->rc = collect_test(&p->ns, &p->all, p->flat, test);
}

void
tally_junit_pass_free(struct tally_junit_pass *p)
{
	if (p == NULL)
		return;
	nodes_free(&p->ns);
	free(p);
}

/*
 * First pass: totals, the counts of every <testsuite>, the label
 * combinations (taken from pass when it has them); the suite records as
 * items sorted for the document.
 */
static int
collect(const struct tally_report *rep, int flat, struct nodes *ns,
    struct counts *all, struct tally_junit_pass *pass, struct item **out,
    size_t *n, struct tally_error *err)
{
	const struct tally_record *r;
	struct item *items = NULL;
	size_t i, pos = 0, m = 0;
	int rc = TALLY_OK, more = 0;

	*out = NULL;
	*n = 0;
	if (pass != NULL && pass->flat == flat) {
		if (pass->rc != TALLY_OK)
			return pass->rc;
		/* Taken over: pass keeps an empty table. */
		nodes_free(ns);
		*ns = pass->ns;
		*all = pass->all;
		memset(&pass->ns, 0, sizeof(pass->ns));
		tally_buf_init(&pass->ns.key);
	} else
		while (rc == TALLY_OK &&
		    (more = tally_report_next_test(rep, &pos, &r, err)) == 1)
			rc = collect_test(ns, all, flat, r);
	if (rc == TALLY_OK && more < 0)
		return more;
	if (rc == TALLY_OK && rep->nsuites > 0 &&
	    (items = calloc(rep->nsuites, sizeof(*items))) == NULL)
		rc = TALLY_ENOMEM;
	for (i = 0; i < rep->nsuites && rc == TALLY_OK; i++) {
		r = rep->suites[i];
		if (r->u.suite.npath == 0)
			continue;	/* nowhere to put it */
		items[m].rec = r;
		items[m].idx = rep->ntests + i;
		if ((rc = make_names(&items[m], flat)) == TALLY_OK &&
		    (rc = combo_add(ns, items[m].combo)) == TALLY_OK)
			m++;
		else
			item_names_free(&items[m]);
	}
	if (rc != TALLY_OK) {
		for (i = 0; i < m; i++)
			item_names_free(&items[i]);
		free(items);
		return rc;
	}
	if (m > 1)
		qsort(items, m, sizeof(*items), item_cmp);
	if (ns->ncombo > 1)
		qsort(ns->combo, ns->ncombo, sizeof(*ns->combo), str_qcmp);
	*out = items;
	*n = m;
	return TALLY_OK;
}

/* Tests kept in memory in any order: by suite path, stable. */
struct byidx {
	const struct tally_record *rec;
	size_t		 idx;
};

static int
byidx_cmp(const void *a, const void *b)
{
	const struct byidx *x = a, *y = b;
	size_t i;
	int c;

	for (i = 0; i < x->rec->u.test.nsuite && i < y->rec->u.test.nsuite;
	    i++)
		if ((c = strcmp(nz(x->rec->u.test.suite[i]),
		    nz(y->rec->u.test.suite[i]))) != 0)
			return c;
	if (x->rec->u.test.nsuite != y->rec->u.test.nsuite)
		return x->rec->u.test.nsuite < y->rec->u.test.nsuite ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int
sort_kept(const struct tally_report *rep, struct tally_report *copy,
    const struct tally_record ***v)
{
	struct byidx *b;
	size_t i;

	*copy = *rep;
	*v = NULL;
	if (rep->tests == NULL || rep->ntests == 0)
		return TALLY_OK;
	if ((b = calloc(rep->ntests, sizeof(*b))) == NULL ||
	    (*v = calloc(rep->ntests, sizeof(**v))) == NULL) {
		free(b);
		return TALLY_ENOMEM;
	}
	for (i = 0; i < rep->ntests; i++) {
		b[i].rec = rep->tests[i];
		b[i].idx = i;
	}
	qsort(b, rep->ntests, sizeof(*b), byidx_cmp);
	for (i = 0; i < rep->ntests; i++)
		(*v)[i] = b[i].rec;
	free(b);
	copy->tests = *v;
	return TALLY_OK;
}

int
tally_render_junit(const struct tally_report *rep,
    const struct tally_render_opts *opts, FILE *fp, struct tally_error *err)
{
	struct tally_report sorted;
	const struct tally_record **kept;
	struct writer w;
	struct nodes ns;
	struct item *items = NULL;
	struct counts all;
	size_t n = 0, i;
	const char *title = opts != NULL && opts->title != NULL ?
	    opts->title : "tally";

	memset(&w, 0, sizeof(w));
	memset(&ns, 0, sizeof(ns));
	w.fp = fp;
	w.meta = rep->meta;
	w.nmeta = rep->nmeta;
	w.flat = opts != NULL && opts->junit_flat;
	w.strict = opts != NULL && opts->junit_strict;
	tally_buf_init(&w.out);
	tally_buf_init(&w.tmp);
	tally_buf_init(&ns.key);
	memset(&all, 0, sizeof(all));
	/* Streamed tests come in canonical order, by suite path already. */
	if ((w.rc = sort_kept(rep, &sorted, &kept)) == TALLY_OK) {
		rep = &sorted;
		w.rc = collect(rep, w.flat, &ns, &all, opts != NULL ?
		    opts->junit_pass : NULL, &items, &n, err);
	}
	if (w.rc != TALLY_OK) {
		int rc = w.rc;

		free(kept);
		nodes_free(&ns);
		tally_buf_free(&w.out);
		tally_buf_free(&w.tmp);
		return rc == TALLY_ENOMEM ? tally_render_status(fp, rc, err) :
		    rc;
	}
	all.tests += rep->nerrors;
	all.errors += rep->nerrors;

	put(&w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites");
	attr(&w, "name", title);
	attr_size(&w, "tests", all.tests);
	attr_size(&w, "failures", all.failures);
	attr_size(&w, "errors", all.errors);
	if (!w.strict)
		attr_size(&w, "skipped", all.skipped);
	if (all.have_ms)
		attr_time(&w, "time", all.ms);
	put(&w, ">\n");
	body(&w, rep, &ns, items, n, opts != NULL ? opts->tmpdir : NULL, err);
	input_errors(&w, rep);
	put(&w, "</testsuites>\n");

	for (i = 0; i < n; i++)
		item_names_free(&items[i]);
	free(items);
	free(kept);
	nodes_free(&ns);
	out_flush(&w);
	tally_buf_free(&w.out);
	tally_buf_free(&w.tmp);
	if (w.rc != TALLY_OK && ((w.rc != TALLY_ENOMEM && w.rc != TALLY_EIO) ||
	    err->message[0] != '\0'))
		return w.rc;		/* err says what */
	return tally_render_status(fp, w.rc, err);
}
