/*
 * lib/read/read_playwright.c: Playwright's JSON reporter
 * (`--reporter=json`).
 *
 * suites[] holds one suite per test file, its describe() blocks as
 * nested suites[]; each suite's specs[] are its tests, and a spec's
 * tests[] hold one entry per project that ran it, with results[], one
 * per attempt (retries).  A record is one spec in one project: the
 * spec's title as name, the suite titles around it (the file's first)
 * as suite, projectName as the label "project", spec file and line.
 * The last result is the test's own run, earlier ones its attempts.
 *
 * Status follows the test's outcome, as Playwright's own stats count
 * it: expected is passed (also a test.fail() that failed), flaky is
 * passed and flaky, unexpected is failed, skipped (test.skip, fixme,
 * and runs that were interrupted) is skipped.  The last result's status
 * word (timedOut, interrupted, ...) is kept as rawStatus when it is not
 * tally's own.  Messages and stacks lose their ANSI colours.
 *
 * The document is not held: the scanner hands over one suite's title
 * and then one spec at a time, down to DEPTH levels of suites; a suite
 * nested deeper is taken whole.  Playwright writes a suite's title
 * before its specs, which the suite path relies on.
 *
 * Top-level errors[] (a global setup that threw, a test file that does
 * not load) belong to no test: each is a failed test "(outside tests)
 * FILE" with rawStatus "error outside tests", its stack and the code
 * snippet Playwright shows as trace.  stats are the declared
 * counts (lib/read/declared.c), which do not count errors[], and go
 * into the meta record with config's version, shard and project names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "escape.h"
#include "jsonscan.h"

#define DEPTH		6	/* levels of suites scanned title by title */
#define PW_OUTSIDE	"(outside tests)"
#define PW_RAW		"error outside tests"

static const char *const paths[] = {
	"config", "errors[*]", "stats",
	"suites[*].title", "suites[*].specs[*]",
	"suites[*].suites[*].title", "suites[*].suites[*].specs[*]",
	"suites[*].suites[*].suites[*].title",
	"suites[*].suites[*].suites[*].specs[*]",
	"suites[*].suites[*].suites[*].suites[*].title",
	"suites[*].suites[*].suites[*].suites[*].specs[*]",
	"suites[*].suites[*].suites[*].suites[*].suites[*].title",
	"suites[*].suites[*].suites[*].suites[*].suites[*].specs[*]",
	"suites[*].suites[*].suites[*].suites[*].suites[*].suites[*].title",
	"suites[*].suites[*].suites[*].suites[*].suites[*].suites[*].specs[*]",
	"suites[*].suites[*].suites[*].suites[*].suites[*].suites[*]."
	    "suites[*]",
	NULL
};

enum { P_CONFIG, P_ERRORS, P_STATS, P_LEVELS, P_DEEP = P_LEVELS + 2 * DEPTH };

/* The containers that make a file Playwright's: errors, a file suite. */
#define PW_NEED		((1u << P_ERRORS) | (1u << P_LEVELS))

struct pw {
	struct tally_sink	*sink;
	const char		*source;
	struct tally_src	*src;
	long			 line;
	struct tally_jtmp	 t;
	struct tally_jtmp	 meta;
	char			*title[DEPTH];	/* suite titles, outermost first */
	size_t			 ntitle;
	const char		*deep[TALLY_MAX_DEPTH];	/* below DEPTH */
	size_t			 ndeep;
	struct tally_declared	 d;
};

/* s without ANSI escape sequences, owned by t; NULL stays NULL. */
static const char *
plain(struct tally_jtmp *t, const char *s)
{
	struct tally_buf b;

	if (s == NULL || strchr(s, '\x1b') == NULL)
		return s;
	tally_buf_init(&b);
	if (tally_strip_ansi(&b, s, strlen(s)) != TALLY_OK) {
		tally_buf_free(&b);
		t->oom = 1;
		return s;
	}
	return tally_jtmp_own(t, tally_buf_detach(&b));
}

/* stdout or stderr: [{"text": ...} or {"buffer": base64}, ...] joined. */
static const char *
output(struct tally_jtmp *t, const cJSON *list)
{
	struct tally_buf b;
	const cJSON *c;
	const char *s;

	if (!cJSON_IsArray(list) || list->child == NULL)
		return NULL;
	tally_buf_init(&b);
	for (c = list->child; c != NULL; c = c->next) {
		if (cJSON_IsString(c))
			s = c->valuestring;
		else if ((s = tally_json_str(c, "text")) == NULL &&
		    tally_json_str(c, "buffer") != NULL)
			s = "[binary output]\n";
		if (s != NULL && tally_buf_adds(&b, s) != TALLY_OK)
			t->oom = 1;
	}
	if (b.data == NULL)
		return NULL;
	return plain(t, tally_jtmp_own(t, tally_buf_detach(&b)));
}

/* A result's error: "error", else the first of "errors". */
static const cJSON *
error_of(const cJSON *res)
{
	const cJSON *e = tally_json_get(res, "error"), *list;

	if (cJSON_IsObject(e))
		return e;
	list = tally_json_get(res, "errors");
	return cJSON_IsArray(list) && cJSON_IsObject(list->child) ?
	    list->child : NULL;
}

/*
 * The trace of a result: the error's stack (its message when it has
 * none), then the messages of any further errors[].
 */
static const char *
trace_of(struct tally_jtmp *t, const cJSON *res, const cJSON *e)
{
	const cJSON *list = tally_json_get(res, "errors"), *c;
	const char *stack = tally_json_nstr(e, "stack");
	struct tally_buf b;
	int n = 0;

	if (stack == NULL)
		stack = tally_json_nstr(e, "message");
	if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) < 2)
		return plain(t, stack);
	tally_buf_init(&b);
	if (stack != NULL)
		tally_buf_adds(&b, stack);
	for (c = list->child; c != NULL; c = c->next)
		if (n++ > 0 && tally_json_nstr(c, "message") != NULL)
			tally_buf_printf(&b, "%s%s", b.len ? "\n\n" : "",
			    tally_json_nstr(c, "message"));
	if (b.data == NULL)
		return NULL;
	return plain(t, tally_jtmp_own(t, tally_buf_detach(&b)));
}

/* A result's status word as tally's status, its own word in *raw. */
static enum tally_status
result_status(const cJSON *res, const char **raw)
{
	const char *w = tally_json_nstr(res, "status");
	enum tally_status st = w != NULL ? tally_status_from_word(w) :
	    TALLY_OTHER;

	*raw = w != NULL && strcmp(w, tally_status_name(st)) != 0 ? w : NULL;
	return st;
}

static double
duration_of(struct pw *p, const cJSON *res)
{
	double v;

	if (tally_json_num(res, "duration", &v) != 0 || v < 0)
		return -1;
	return tally_jduration(p->src, p->line, &p->t, v, 1);
}

/* Results before the last: the attempts. */
static void
attempts(struct pw *p, const cJSON *results, const cJSON *last)
{
	struct tally_attempt *at;
	const cJSON *r, *e;

	for (r = results->child; r != NULL && r != last; r = r->next) {
		if (!cJSON_IsObject(r) || (at = tally_jtmp_attempt(&p->t)) ==
		    NULL)
			continue;
		at->status = result_status(r, &at->raw_status);
		at->duration = duration_of(p, r);
		e = error_of(r);
		at->message = plain(&p->t, tally_json_nstr(e, "message"));
		at->trace = trace_of(&p->t, r, e);
		at->stdout_text = output(&p->t, tally_json_get(r, "stdout"));
		at->stderr_text = output(&p->t, tally_json_get(r, "stderr"));
	}
}

/* Annotations (fixme, skip, fail, issue, ...) as properties. */
static void
annotations(struct pw *p, const cJSON *list, const char **why)
{
	const cJSON *a;
	const char *type, *desc;
	char *key;

	for (a = cJSON_IsArray(list) ? list->child : NULL; a != NULL;
	    a = a->next) {
		if ((type = tally_json_nstr(a, "type")) == NULL)
			continue;
		desc = tally_json_str(a, "description");
		if (*why == NULL && desc != NULL && (strcmp(type, "skip") == 0 ||
		    strcmp(type, "fixme") == 0 || strcmp(type, "fail") == 0))
			*why = desc;
		if (asprintf(&key, "annotation.%s", type) < 0) {
			p->t.oom = 1;
			continue;
		}
		tally_jtmp_kv(&p->t, tally_jtmp_own(&p->t, key),
		    desc != NULL ? desc : "");
	}
}

/* One entry of a spec's tests[]: one record. */
static int
test(struct pw *p, const cJSON *spec, const cJSON *j,
    const char *const *suite, size_t nsuite, struct tally_error *err)
{
	struct tally_record rec;
	struct tally_test *x = &rec.u.test;
	struct tally_kv label;
	const cJSON *results = tally_json_get(j, "results"), *last = NULL,
	    *e, *c;
	const char *outcome = tally_json_nstr(j, "status"), *expected, *why =
	    NULL;
	size_t i;
	double v;

	tally_record_init(&rec, TALLY_REC_TEST);
	rec.source = p->source;
	x->name = tally_json_str(spec, "title");
	for (i = 0; i < nsuite; i++)
		tally_jtmp_suite(&p->t, suite[i]);
	x->file_path = tally_json_nstr(spec, "file");
	if (tally_json_num(spec, "line", &v) == 0 && v > 0 && v < 1e8)
		x->line = (long)v;
	if (cJSON_IsArray(results))
		for (c = results->child; c != NULL; c = c->next)
			if (cJSON_IsObject(c))
				last = c;
	if (last != NULL) {
		x->status = result_status(last, &x->raw_status);
		x->duration = duration_of(p, last);
		e = error_of(last);
		x->message = plain(&p->t, tally_json_nstr(e, "message"));
		x->trace = trace_of(&p->t, last, e);
		x->stdout_text = output(&p->t, tally_json_get(last, "stdout"));
		x->stderr_text = output(&p->t, tally_json_get(last, "stderr"));
		attempts(p, results, last);
	} else
		x->status = TALLY_SKIPPED;	/* never run */
	x->retries = (long)p->t.natt;
	x->attempts = p->t.att;
	x->nattempts = p->t.natt;
	/* The outcome decides, as in Playwright's stats. */
	if (outcome != NULL && strcmp(outcome, "expected") == 0)
		x->status = TALLY_PASSED;
	else if (outcome != NULL && strcmp(outcome, "flaky") == 0) {
		x->status = TALLY_PASSED;
		x->flaky = 1;
	} else if (outcome != NULL && strcmp(outcome, "unexpected") == 0)
		x->status = TALLY_FAILED;
	else if (outcome != NULL && strcmp(outcome, "skipped") == 0)
		x->status = TALLY_SKIPPED;
	/* The last run's word where it says more: timedOut, a test.fail()
	 * that failed as expected (passed, rawStatus failed). */
	x->raw_status = tally_json_nstr(last, "status");
	if (x->raw_status != NULL &&
	    strcmp(x->raw_status, tally_status_name(x->status)) == 0)
		x->raw_status = NULL;
	/* The test's annotations, else (older versions) its last run's. */
	c = tally_json_get(j, "annotations");
	annotations(p, cJSON_GetArraySize(c) > 0 ? c :
	    tally_json_get(last, "annotations"), &why);
	if (x->message == NULL && x->status == TALLY_SKIPPED)
		x->message = why;
	expected = tally_json_nstr(j, "expectedStatus");
	if (expected != NULL && strcmp(expected, "passed") != 0)
		tally_jtmp_kv(&p->t, "expectedStatus", expected);
	c = tally_json_get(spec, "tags");
	for (c = cJSON_IsArray(c) ? c->child : NULL; c != NULL; c = c->next)
		if (cJSON_IsString(c))
			tally_jtmp_kv(&p->t, "tag", c->valuestring);
	x->suite = p->t.suite;
	x->nsuite = p->t.nsuite;
	x->properties = p->t.kv;
	x->nproperties = p->t.nkv;
	label.key = "project";
	label.value = tally_json_nstr(j, "projectName");
	if (label.value != NULL) {
		rec.labels = &label;
		rec.nlabels = 1;
	}
	tally_declared_saw(&p->d, x->status, 1);
	return tally_jtmp_send(&p->t, p->sink, &rec, err);
}

static int
spec(struct pw *p, const cJSON *j, const char *const *suite, size_t nsuite,
    struct tally_error *err)
{
	const cJSON *list = tally_json_get(j, "tests"), *c;
	int rc = TALLY_OK;

	for (c = cJSON_IsArray(list) ? list->child : NULL; c && !rc;
	    c = c->next)
		if (cJSON_IsObject(c))
			rc = test(p, j, c, suite, nsuite, err);
	return rc;
}

/* A suite nested below DEPTH, held whole: its specs, then its suites. */
static int
walk(struct pw *p, const cJSON *s, struct tally_error *err)
{
	const char *title = tally_json_str(s, "title");
	const cJSON *c, *list;
	int rc = TALLY_OK;

	if (title != NULL && p->ndeep < TALLY_MAX_DEPTH)
		p->deep[p->ndeep++] = title;
	list = tally_json_get(s, "specs");
	for (c = cJSON_IsArray(list) ? list->child : NULL; c && !rc;
	    c = c->next)
		if (cJSON_IsObject(c))
			rc = spec(p, c, p->deep, p->ndeep, err);
	list = tally_json_get(s, "suites");
	for (c = cJSON_IsArray(list) ? list->child : NULL; c && !rc;
	    c = c->next)
		if (cJSON_IsObject(c))
			rc = walk(p, c, err);
	if (title != NULL && p->ndeep > 0)
		p->ndeep--;
	return rc;
}

/* A failed "(outside tests) FILE" record for one of errors[]. */
static int
outside(struct pw *p, const cJSON *j, struct tally_error *err)
{
	struct tally_record rec;
	struct tally_test *x = &rec.u.test;
	const cJSON *loc = tally_json_get(j, "location");
	const char *file = tally_json_nstr(loc, "file"), *snippet;
	char *name;
	double v;

	if (asprintf(&name, "%s%s%s", PW_OUTSIDE, file ? " " : "",
	    file ? file : "") < 0)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	tally_record_init(&rec, TALLY_REC_TEST);
	rec.source = p->source;
	x->name = tally_jtmp_own(&p->t, name);
	x->status = TALLY_FAILED;
	x->raw_status = PW_RAW;
	x->file_path = file;
	if (tally_json_num(loc, "line", &v) == 0 && v > 0 && v < 1e8)
		x->line = (long)v;
	x->message = plain(&p->t, tally_json_nstr(j, "message"));
	x->trace = tally_json_nstr(j, "stack");
	snippet = tally_json_nstr(j, "snippet");
	if (snippet != NULL) {
		if (asprintf(&name, "%s%s%s", x->trace ? x->trace : "",
		    x->trace ? "\n\n" : "", snippet) < 0)
			return tally_error_set(err, TALLY_ENOMEM, 0, 0,
			    "out of memory");
		x->trace = tally_jtmp_own(&p->t, name);
	}
	x->trace = plain(&p->t, x->trace);
	return tally_jtmp_send(&p->t, p->sink, &rec, err);
}

/* stats: expected, unexpected, flaky and skipped tests. */
static void
declared(struct pw *p, const struct tally_jvalue *v)
{
	static const char *const keys[] = { "expected", "unexpected", "flaky",
	    "skipped" };
	double n[4];
	size_t i;

	for (i = 0; i < 4; i++)
		if (tally_json_num(v->json, keys[i], &n[i]) != 0 ||
		    n[i] < 0 || n[i] >= 1e15)
			return;
	p->d.line = v->line;
	p->d.tests = (long)(n[0] + n[1] + n[2] + n[3]);
	p->d.failed = (long)n[1];
	p->d.skipped = (long)n[3];
}

/* config: Playwright's version, the shard, the projects' names. */
static void
config(struct pw *p, const cJSON *j)
{
	const cJSON *shard = tally_json_get(j, "shard"), *list, *c;
	const char *name;
	struct tally_buf b;
	double cur, total;
	char num[64];

	tally_jtmp_keep_map(&p->meta, &p->t, "playwright.version",
	    tally_json_get(j, "version"));
	if (tally_json_num(shard, "current", &cur) == 0 &&
	    tally_json_num(shard, "total", &total) == 0) {
		snprintf(num, sizeof(num), "%.15g/%.15g", cur, total);
		tally_jtmp_kv(&p->meta, "playwright.shard",
		    tally_jtmp_own(&p->meta, strdup(num)));
	}
	tally_buf_init(&b);
	list = tally_json_get(j, "projects");
	for (c = cJSON_IsArray(list) ? list->child : NULL; c; c = c->next)
		if ((name = tally_json_nstr(c, "name")) != NULL &&
		    tally_buf_printf(&b, "%s%s", b.len ? "," : "", name) !=
		    TALLY_OK)
			p->meta.oom = 1;
	if (b.data != NULL)
		tally_jtmp_kv(&p->meta, "playwright.projects",
		    tally_jtmp_own(&p->meta, tally_buf_detach(&b)));
	tally_buf_free(&b);
}

/* A suite's title at level k (0 for the file). */
static void
level_title(struct pw *p, size_t k, const cJSON *j)
{
	while (p->ntitle > k)
		free(p->title[--p->ntitle]);
	if ((p->title[k] = strdup(cJSON_IsString(j) ? j->valuestring : ""))
	    == NULL) {
		p->t.oom = 1;
		return;
	}
	p->ntitle = k + 1;
}

static int
on_value(void *arg, const struct tally_jvalue *v, struct tally_error *err)
{
	struct pw *p = arg;
	size_t k;

	p->line = v->line;
	switch (v->which) {
	case P_CONFIG:
		config(p, v->json);
		return TALLY_OK;
	case P_ERRORS:
		return cJSON_IsObject(v->json) ? outside(p, v->json, err) :
		    TALLY_OK;
	case P_STATS:
		declared(p, v);
		tally_jtmp_keep_map(&p->meta, &p->t, "stats", v->json);
		return TALLY_OK;
	case P_DEEP:
		if (!cJSON_IsObject(v->json))
			return TALLY_OK;
		for (p->ndeep = 0; p->ndeep < p->ntitle; p->ndeep++)
			p->deep[p->ndeep] = p->title[p->ndeep];
		return walk(p, v->json, err);
	}
	k = (size_t)(v->which - P_LEVELS) / 2;
	if ((v->which - P_LEVELS) % 2 == 0) {
		level_title(p, k, v->json);
		return TALLY_OK;
	}
	if (!cJSON_IsObject(v->json))
		return TALLY_OK;
	return spec(p, v->json, (const char *const *)p->title,
	    p->ntitle < k + 1 ? p->ntitle : k + 1, err);
}

int
tally_read_playwright(struct tally_src *src, struct tally_sink *sink,
    struct tally_error *err)
{
	struct pw p;
	int rc;

	memset(&p, 0, sizeof(p));
	p.sink = sink;
	p.source = src->name;
	p.src = src;
	tally_declared_init(&p.d);
	rc = tally_jscan_read(src, paths, on_value, &p, PW_NEED,
	    "not a playwright report: no suites or errors array", &p.t,
	    &p.meta, sink, err);
	while (p.ntitle > 0)
		free(p.title[--p.ntitle]);
	if (rc == TALLY_OK)
		rc = tally_declared_check(&p.d, src, NULL, NULL, 0, sink, err);
	return rc;
}
