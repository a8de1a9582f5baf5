/*
 * lib/render_junit.c: the report as one JUnit XML document, written as
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
 * Reruns are written the Surefire way: a test that finally passed gets a
 * <flakyFailure> or <flakyError> per earlier failed attempt, any other
 * test a <rerunFailure> or <rerunError>.  Children of <testcase> follow
 * the order of Surefire's surefire-test-report-3.0.xsd.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
	size_t		 idx;	/* position in the report: keeps ties stable */
};

struct writer {
	FILE		*fp;
	struct tally_buf esc;
	struct tally_buf tmp;
	int		 rc;
	const struct tally_kv *meta;	/* run metadata, on top-level suites */
	size_t		 nmeta;
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

/* Output. */

static void
put(struct writer *w, const char *s)
{
	if (w->rc == TALLY_OK)
		fputs(s, w->fp);
}

static void
indent(struct writer *w, size_t depth)
{
	size_t i;

	for (i = 0; i < depth && w->rc == TALLY_OK; i++)
		fputs("  ", w->fp);
}

static void
flush_esc(struct writer *w)
{
	if (w->rc == TALLY_OK && w->esc.len > 0)
		fwrite(w->esc.data, 1, w->esc.len, w->fp);
	tally_buf_reset(&w->esc);
}

/* ' name="value"', nothing when value is NULL. */
static void
attr(struct writer *w, const char *name, const char *value)
{
	if (value == NULL || w->rc != TALLY_OK)
		return;
	fprintf(w->fp, " %s=\"", name);
	if ((w->rc = tally_esc_xml(&w->esc, value, TALLY_NTS)) != TALLY_OK)
		return;
	flush_esc(w);
	fputc('"', w->fp);
}

static void
attr_size(struct writer *w, const char *name, size_t v)
{
	if (w->rc == TALLY_OK)
		fprintf(w->fp, " %s=\"%zu\"", name, v);
}

/* Milliseconds as seconds with three decimals; nothing when unknown. */
static void
attr_time(struct writer *w, const char *name, double ms)
{
	if (w->rc == TALLY_OK && ms >= 0 && isfinite(ms))
		fprintf(w->fp, " %s=\"%.3f\"", name, ms / 1000.0);
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
	if ((w->rc = tally_esc_xml_text(&w->esc, w->tmp.data, w->tmp.len))
	    != TALLY_OK)
		return;
	flush_esc(w);
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
	fprintf(w->fp, " %s=\"", name);
	if (w->tmp.len > 0 && (w->rc = tally_esc_xml(&w->esc, w->tmp.data,
	    w->tmp.len)) != TALLY_OK)
		return;
	flush_esc(w);
	fputc('"', w->fp);
}

/* <name>text</name> on its own line; nothing when s is NULL. */
static void
element_text(struct writer *w, size_t depth, const char *name, const char *s)
{
	if (s == NULL)
		return;
	indent(w, depth);
	if (w->rc == TALLY_OK)
		fprintf(w->fp, "<%s>", name);
	text(w, s);
	if (w->rc == TALLY_OK)
		fprintf(w->fp, "</%s>\n", name);
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

/* The record's labels sorted by key, as pairs the caller frees. */
static int
sorted_labels(const struct tally_record *r, struct tally_kv **out)
{
	const struct tally_kv **p;
	size_t i;

	*out = NULL;
	if (r->nlabels == 0)
		return TALLY_OK;
	if ((p = calloc(r->nlabels, sizeof(*p))) == NULL)
		return TALLY_ENOMEM;
	for (i = 0; i < r->nlabels; i++)
		p[i] = &r->labels[i];
	qsort(p, r->nlabels, sizeof(*p), kv_cmp);
	if ((*out = calloc(r->nlabels, sizeof(**out))) == NULL) {
		free(p);
		return TALLY_ENOMEM;
	}
	for (i = 0; i < r->nlabels; i++)
		(*out)[i] = *p[i];
	free(p);
	return TALLY_OK;
}

static int
make_combo(const struct tally_record *r, char **out)
{
	struct tally_buf b;
	struct tally_kv *kv;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = sorted_labels(r, &kv)) != TALLY_OK)
		return rc;
	tally_buf_init(&b);
	rc = tally_buf_adds(&b, "");
	for (i = 0; i < r->nlabels && rc == TALLY_OK; i++)
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

/* Does item it sit under the first len names of the path of base? */
static int
under(const struct item *it, const struct item *base, size_t len)
{
	size_t k;

	if (strcmp(it->combo, base->combo) != 0 || eff_len(it) < len)
		return 0;
	for (k = 0; k < len; k++)
		if (strcmp(eff_at(it, k), eff_at(base, k)) != 0)
			return 0;
	return 1;
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
	if (w->rc == TALLY_OK)
		fprintf(w->fp, "<%s", elem);
	attr_text(w, "message", message);
	attr(w, "type", type);
	if (!nested) {
		if (trace == NULL) {
			put(w, "/>\n");
			return;
		}
		put(w, ">");
		text(w, trace);
		if (w->rc == TALLY_OK)
			fprintf(w->fp, "</%s>\n", elem);
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
	if (w->rc == TALLY_OK)
		fprintf(w->fp, "</%s>\n", elem);
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
	attr(w, "file", t->file_path);
	if (t->line > 0 && w->rc == TALLY_OK)
		fprintf(w->fp, " line=\"%ld\"", t->line);
	if (o == OUT_PASS && t->nproperties == 0 && cat.value == NULL &&
	    !has_failed_attempt(t) && t->stdout_text == NULL &&
	    t->stderr_text == NULL) {
		put(w, "/>\n");
		return;
	}
	put(w, ">\n");
	properties_and(w, depth + 1, t->properties, t->nproperties, NULL,
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
	size_t nmeta;

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
		w->rc = sorted_labels(labels_of, &kv);
	nmeta = depth == 1 ? w->nmeta : 0;
	if ((kv != NULL || nmeta > 0 || (s != NULL && s->nproperties > 0)) &&
	    w->rc == TALLY_OK) {
		indent(w, depth + 1);
		put(w, "<properties>\n");
		if (kv != NULL)
			property_group(w, depth + 2, kv, labels_of->nlabels,
			    LABEL_PREFIX);
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

/* The suite tree of every test, then the input errors. */
static void
body(struct writer *w, const struct item *items, size_t n, size_t maxdepth)
{
	const struct item **open = NULL;	/* item that opened depth d */
	const struct tally_suite **srec = NULL;
	size_t depth = 0, i, j, k, len, d;
	struct counts c;

	if (maxdepth == 0)
		return;
	open = calloc(maxdepth, sizeof(*open));
	srec = calloc(maxdepth, sizeof(*srec));
	if (open == NULL || srec == NULL) {
		w->rc = TALLY_ENOMEM;
		goto out;
	}
	for (i = 0; i < n && w->rc == TALLY_OK; i++) {
		const struct item *it = &items[i];

		len = eff_len(it);
		for (k = 0; k < depth && k < len; k++)
			if (!under(it, open[k], k + 1))
				break;
		if (it->rec->type == TALLY_REC_SUITE && k == len)
			continue;	/* a second record for an open suite */
		while (depth > k) {
			depth--;
			close_suite(w, depth + 1, srec[depth]);
		}
		for (d = depth; d < len; d++) {
			memset(&c, 0, sizeof(c));
			for (j = i; j < n && under(&items[j], it, d + 1); j++)
				if (items[j].rec->type == TALLY_REC_TEST)
					count_test(&c, &items[j].rec->u.test);
			open[d] = it;
			srec[d] = it->rec->type == TALLY_REC_SUITE &&
			    d + 1 == len ? &it->rec->u.suite : NULL;
			open_suite(w, d + 1, eff_at(it, d), &c, srec[d],
			    d == 0 && it->combo[0] != '\0' ? it->rec : NULL);
		}
		depth = len;
		if (it->rec->type == TALLY_REC_TEST)
			testcase(w, depth + 1, it);
	}
	while (depth > 0 && w->rc == TALLY_OK) {
		depth--;
		close_suite(w, depth + 1, srec[depth]);
	}
out:
	free(open);
	free(srec);
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
		indent(w, 3);
		put(w, "<properties>\n");
		indent(w, 4);
		put(w, "<property name=\"tally.kind\" value=\"input-error\"/>\n");
		indent(w, 3);
		put(w, "</properties>\n");
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

static int
collect_items(const struct tally_report *rep, struct item **out, size_t *n,
    size_t *maxdepth)
{
	struct item *items;
	size_t i, m = 0, total = rep->ntests + rep->nsuites, len;
	int rc = TALLY_OK;

	*out = NULL;
	*n = *maxdepth = 0;
	if (total == 0)
		return TALLY_OK;
	if ((items = calloc(total, sizeof(*items))) == NULL)
		return TALLY_ENOMEM;
	for (i = 0; i < total && rc == TALLY_OK; i++) {
		const struct tally_record *r = i < rep->ntests ?
		    rep->tests[i] : rep->suites[i - rep->ntests];

		if (r->type == TALLY_REC_SUITE && r->u.suite.npath == 0)
			continue;	/* nowhere to put it */
		items[m].rec = r;
		items[m].idx = i;
		if ((rc = make_combo(r, &items[m].combo)) == TALLY_OK) {
			len = eff_len(&items[m]);
			if (len > *maxdepth)
				*maxdepth = len;
			m++;
		}
	}
	if (rc != TALLY_OK) {
		for (i = 0; i < m; i++)
			free(items[i].combo);
		free(items);
		return rc;
	}
	qsort(items, m, sizeof(*items), item_cmp);
	*out = items;
	*n = m;
	return TALLY_OK;
}

int
tally_render_junit(const struct tally_report *rep,
    const struct tally_render_opts *opts, FILE *fp, struct tally_error *err)
{
	struct writer w;
	struct item *items = NULL;
	struct counts all;
	size_t n = 0, maxdepth = 0, i;
	const char *title = opts != NULL && opts->title != NULL ?
	    opts->title : "tally";

	memset(&w, 0, sizeof(w));
	w.fp = fp;
	w.meta = rep->meta;
	w.nmeta = rep->nmeta;
	tally_buf_init(&w.esc);
	tally_buf_init(&w.tmp);
	w.rc = collect_items(rep, &items, &n, &maxdepth);

	memset(&all, 0, sizeof(all));
	for (i = 0; i < rep->ntests; i++)
		count_test(&all, &rep->tests[i]->u.test);
	all.tests += rep->nerrors;
	all.errors += rep->nerrors;

	put(&w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites");
	attr(&w, "name", title);
	attr_size(&w, "tests", all.tests);
	attr_size(&w, "failures", all.failures);
	attr_size(&w, "errors", all.errors);
	attr_size(&w, "skipped", all.skipped);
	if (all.have_ms)
		attr_time(&w, "time", all.ms);
	put(&w, ">\n");
	body(&w, items, n, maxdepth);
	input_errors(&w, rep);
	put(&w, "</testsuites>\n");

	for (i = 0; i < n; i++)
		free(items[i].combo);
	free(items);
	tally_buf_free(&w.esc);
	tally_buf_free(&w.tmp);
	return tally_render_status(fp, w.rc, err);
}
