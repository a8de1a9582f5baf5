/*
 * lib/read/read_ctrf.c: CTRF JSON reports (https://ctrf.io), every spec
 * version seen in the wild: results.tests[] become "test" records one at
 * a time; results.tool, summary, environment, extra and the report's own
 * identifiers become one "meta" record at the end.
 *
 * CTRF has no place for a failure outside a test: results.summary's
 * tests, failed and skipped + pending are the declared counts
 * (lib/read/declared.c), so a summary that counts a failure no test carries
 * gives a "(declared) FILE" failed test.
 */
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "jsonscan.h"

static const char *const paths[] = {
	"results.tests[*]",
	"results.tool", "results.summary", "results.environment",
	"results.extra",
	"reportFormat", "specVersion", "reportId", "runId", "timestamp",
	"generatedBy",
	NULL
};

/* Test properties copied as they are, besides tags/labels/... */
static const char *const plain_props[] = {
	"browser", "device", "threadId", "ai", NULL
};

struct ctrf {
	struct tally_sink	*sink;
	const char		*source;
	struct tally_src	*src;
	long			 line;	/* where the test starts */
	struct tally_jtmp	 t;	/* one test */
	struct tally_jtmp	 meta;	/* the whole report */
	struct tally_declared	 d;
};

/* CTRF's own word, or the closest one with the producer's word kept. */
static enum tally_status
status_of(const char *word, const char **raw)
{
	enum tally_status st;

	*raw = NULL;
	if (word == NULL)
		return TALLY_OTHER;
	if (tally_status_parse(word, &st) == TALLY_OK)
		return st;
	*raw = word;
	return tally_status_from_word(word);
}

/* "a > b > c", the legacy suite string, or an array of names. */
static void
suite_path(struct tally_jtmp *t, const cJSON *s)
{
	const cJSON *c;
	char *p, *q;

	if (cJSON_IsArray(s)) {
		for (c = s->child; c != NULL; c = c->next)
			if (cJSON_IsString(c))
				tally_jtmp_suite(t, c->valuestring);
		return;
	}
	if (!cJSON_IsString(s) || *s->valuestring == '\0')
		return;
	if ((p = (char *)tally_jtmp_own(t, strdup(s->valuestring))) == NULL) {
		t->oom = 1;
		return;
	}
	for (;;) {
		q = strstr(p, " > ");
		if (q != NULL)
			*q = '\0';
		tally_jtmp_suite(t, p);
		if (q == NULL)
			break;
		p = q + 3;
	}
}

static void
attempts(struct ctrf *c, struct tally_jtmp *t, const cJSON *test,
    struct tally_test *r)
{
	const cJSON *list = tally_json_get(test, "retryAttempts"), *a;
	struct tally_attempt *at;
	int n = cJSON_GetArraySize(list), i = 0;

	if (!cJSON_IsArray(list))
		return;
	for (a = list->child; a != NULL; a = a->next, i++) {
		const char *word = tally_json_str(a, "status"), *raw;
		enum tally_status st = status_of(word, &raw);

		/*
		 * Newer producers list the final run too; it is the test
		 * itself, not an earlier attempt.
		 */
		if (i == n - 1 && n > 1 && st == r->status &&
		    (r->retries <= 0 || n == r->retries + 1))
			break;
		if ((at = tally_jtmp_attempt(t)) == NULL)
			return;
		at->status = st;
		at->raw_status = raw;
		if (tally_json_num(a, "duration", &at->duration) == 0)
			at->duration = tally_jduration(c->src, c->line, t,
			    at->duration, 1);
		at->message = tally_json_str(a, "message");
		at->trace = tally_json_str(a, "trace");
		at->stdout_text = tally_jtmp_join(t,
		    tally_json_get(a, "stdout"), "\n");
		at->stderr_text = tally_jtmp_join(t,
		    tally_json_get(a, "stderr"), "\n");
	}
}

static int
on_test(struct ctrf *c, const cJSON *j, struct tally_error *err)
{
	struct tally_record rec;
	struct tally_test *r = &rec.u.test;
	const cJSON *tags, *g;
	const char *raw;
	double v;
	int i;

	if (!cJSON_IsObject(j))
		return TALLY_OK;
	tally_jtmp_reset(&c->t);
	tally_record_init(&rec, TALLY_REC_TEST);
	rec.source = c->source;
	r->name = tally_json_str(j, "name");
	r->status = status_of(tally_json_str(j, "status"), &r->raw_status);
	raw = tally_json_nstr(j, "rawStatus");
	if (raw != NULL && strcmp(raw, tally_status_name(r->status)) != 0)
		r->raw_status = raw;
	if (tally_json_num(j, "duration", &r->duration) == 0)
		r->duration = tally_jduration(c->src, c->line, &c->t,
		    r->duration, 1);
	r->message = tally_json_str(j, "message");
	r->trace = tally_json_str(j, "trace");
	suite_path(&c->t, tally_json_get(j, "suite"));
	r->file_path = tally_json_nstr(j, "filePath");
	if (tally_json_num(j, "line", &v) == 0 && v > 0 && v < 1e9)
		r->line = (long)v;
	if (tally_json_num(j, "retries", &v) == 0 && v > 0 && v < 1e9)
		r->retries = (long)v;
	r->flaky = tally_json_bool(j, "flaky") == 1;
	r->stdout_text = tally_jtmp_join(&c->t, tally_json_get(j, "stdout"),
	    "\n");
	r->stderr_text = tally_jtmp_join(&c->t, tally_json_get(j, "stderr"),
	    "\n");
	r->category = tally_json_nstr(j, "type");
	attempts(c, &c->t, j, r);
	if ((long)c->t.natt > r->retries)
		r->retries = (long)c->t.natt;
	tags = tally_json_get(j, "tags");
	if (cJSON_IsArray(tags))
		for (g = tags->child; g != NULL; g = g->next)
			tally_jtmp_kv(&c->t, "tag", tally_jtmp_text(&c->t, g));
	tally_jtmp_flatten(&c->t, "labels", tally_json_get(j, "labels"));
	tally_jtmp_flatten(&c->t, "parameters",
	    tally_json_get(j, "parameters"));
	tally_jtmp_flatten(&c->t, "extra", tally_json_get(j, "extra"));
	for (i = 0; plain_props[i] != NULL; i++)
		tally_jtmp_flatten(&c->t, plain_props[i],
		    tally_json_get(j, plain_props[i]));
	r->suite = c->t.suite;
	r->nsuite = c->t.nsuite;
	r->attempts = c->t.att;
	r->nattempts = c->t.natt;
	r->properties = c->t.kv;
	r->nproperties = c->t.nkv;
	tally_declared_saw(&c->d, r->status, 1);
	return tally_jtmp_send(&c->t, c->sink, &rec, err);
}

/* A count in the summary, -1 when missing or not a count. */
static long
count(const cJSON *j, const char *key)
{
	double v;

	if (tally_json_num(j, key, &v) != 0 || v < 0 || v >= 1e15)
		return -1;
	return (long)v;
}

static void
summary(struct ctrf *c, const struct tally_jvalue *v)
{
	long skipped = count(v->json, "skipped");
	long pending = count(v->json, "pending");

	c->d.line = v->line;
	c->d.tests = count(v->json, "tests");
	c->d.failed = count(v->json, "failed");
	if (skipped >= 0 || pending >= 0)
		c->d.skipped = (skipped > 0 ? skipped : 0) +
		    (pending > 0 ? pending : 0);
}

static int
on_value(void *arg, const struct tally_jvalue *v, struct tally_error *err)
{
	struct ctrf *c = arg;

	c->line = v->line;
	if (v->which == 0)
		return on_test(c, v->json, err);
	if (v->which == 2)
		summary(c, v);
	/* results.tool -> tool.name, ...; top-level scalars by name. */
	tally_jtmp_reset(&c->t);
	tally_jtmp_keep_map(&c->meta, &c->t, v->key, v->json);
	return TALLY_OK;
}

int
tally_read_ctrf(struct tally_src *src, struct tally_sink *sink,
    struct tally_error *err)
{
	struct ctrf c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.sink = sink;
	c.source = src->name;
	c.src = src;
	tally_declared_init(&c.d);
	rc = tally_jscan_read(src, paths, on_value, &c, 1u,
	    "not a CTRF report: no results.tests array",
	    &c.t, &c.meta, sink, err);
	if (rc == TALLY_OK)
		rc = tally_declared_check(&c.d, src, NULL, NULL, 0, sink, err);
	return rc;
}
