/*
 * lib/read/read_pytest_json.c: pytest-json-report (--json-report).  Each
 * tests[] entry becomes a "test": the node id "path::Class::name" gives
 * filePath, classname and name; the setup, call and teardown phases give
 * the duration (summed), the output (concatenated) and the failure (the
 * first phase with a crash or longrepr).  created, exitcode, root,
 * environment and summary become the "meta" record.
 *
 * What pytest reports outside a test is never dropped:
 *   - a collector that failed (an import or syntax error in a test
 *     module: pytest exits 2 and runs nothing from it) becomes a failed
 *     test named "(collection) NODEID", rawStatus "collection-error",
 *     its longrepr as trace and that text's last line as message;
 *   - an exitcode other than 0, 1 and 5 (2 interrupted or collection
 *     errors, 3 internal error, 4 usage error, others from plugins) with
 *     no failed record sent becomes a failed test named "(session)",
 *     rawStatus "exitcode"; so does exitcode 1 (tests failed) when no
 *     test failed.  5 (no tests collected) is an empty run, not a
 *     failure: the report shows zero tests;
 *   - summary's total, failed + error and skipped + xfailed are the
 *     declared counts (lib/read/declared.c).
 */
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "jsonscan.h"

static const char *const paths[] = {
	"tests[*]", "created", "duration", "exitcode", "root", "environment",
	"summary", "collectors[*]", NULL
};

static const char *const phases[] = { "setup", "call", "teardown", NULL };

struct pyj {
	struct tally_sink	*sink;
	const char		*source;
	struct tally_src	*src;
	long			 line;	/* where the value read starts */
	struct tally_jtmp	 t;
	struct tally_jtmp	 meta;
	struct tally_declared	 d;
	long			 nfailed;	/* failed records sent */
	double			 exitcode;	/* -1: none */
};

static enum tally_status
status_of(const char *word, const char **raw)
{
	static const struct {
		const char *word;
		enum tally_status st;
	} map[] = {
		{ "passed", TALLY_PASSED }, { "failed", TALLY_FAILED },
		{ "skipped", TALLY_SKIPPED }, { "xfailed", TALLY_SKIPPED },
		{ "xpassed", TALLY_PASSED }, { "error", TALLY_FAILED },
	};
	size_t i;

	*raw = word;
	for (i = 0; word != NULL && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(word, map[i].word) == 0) {
			if (strcmp(word, tally_status_name(map[i].st)) == 0)
				*raw = NULL;
			return map[i].st;
		}
	return tally_status_from_word(word);
}

/* "a/b.py::C::D::test[x::y]" -> file, "C::D", "test[x::y]". */
static void
split_nodeid(struct tally_jtmp *t, const char *id, struct tally_test *r)
{
	char *s, *params, *first, *last;

	if (id == NULL || (s = (char *)tally_jtmp_own(t, strdup(id))) == NULL)
		return;
	if ((params = strchr(s, '[')) != NULL)
		*params = '\0';
	first = strstr(s, "::");
	for (last = first; last != NULL && strstr(last + 2, "::") != NULL;)
		last = strstr(last + 2, "::");
	if (params != NULL)
		*params = '[';
	if (first == NULL) {
		r->name = s;
		return;
	}
	*first = '\0';
	r->file_path = s;
	r->name = last + 2;
	if (last != first) {
		*last = '\0';
		r->classname = first + 2;
	}
}

static void
add_text(struct tally_jtmp *t, const char **dst, const char *s)
{
	char *j;

	if (s == NULL || *s == '\0')
		return;
	if (*dst == NULL) {
		*dst = s;
		return;
	}
	if (asprintf(&j, "%s%s", *dst, s) < 0) {
		t->oom = 1;
		return;
	}
	*dst = tally_jtmp_own(t, j);
}

static int
on_test(struct pyj *p, const cJSON *j, struct tally_error *err)
{
	struct tally_record rec;
	struct tally_test *r = &rec.u.test;
	const cJSON *ph, *c;
	const char *id = tally_json_str(j, "nodeid");
	double v, total = 0;
	int i, timed = 0;

	tally_record_init(&rec, TALLY_REC_TEST);
	rec.source = p->source;
	split_nodeid(&p->t, id, r);
	r->status = status_of(tally_json_str(j, "outcome"), &r->raw_status);
	/* pytest's lineno is 0-based. */
	if (tally_json_num(j, "lineno", &v) == 0 && v >= 0 && v < 1e9)
		r->line = (long)v + 1;
	for (i = 0; phases[i] != NULL; i++) {
		if (!cJSON_IsObject(ph = tally_json_get(j, phases[i])))
			continue;
		if (tally_json_num(ph, "duration", &v) == 0 && v >= 0) {
			total += v;
			timed = 1;
		}
		add_text(&p->t, &r->stdout_text, tally_json_str(ph, "stdout"));
		add_text(&p->t, &r->stderr_text, tally_json_str(ph, "stderr"));
		if (r->message == NULL)
			r->message = tally_json_nstr(tally_json_get(ph,
			    "crash"), "message");
		if (r->trace == NULL)
			r->trace = tally_jtmp_text(&p->t,
			    tally_json_get(ph, "longrepr"));
	}
	if (timed)
		r->duration = tally_jduration(p->src, p->line, &p->t, total,
		    1000.0);
	c = tally_json_get(j, "keywords");
	for (c = cJSON_IsArray(c) ? c->child : NULL; c != NULL; c = c->next)
		if (cJSON_IsString(c) && (id == NULL ||
		    strstr(id, c->valuestring) == NULL))
			tally_jtmp_kv(&p->t, "keyword", c->valuestring);
	tally_jtmp_flatten(&p->t, "metadata", tally_json_get(j, "metadata"));
	r->properties = p->t.kv;
	r->nproperties = p->t.nkv;
	tally_declared_saw(&p->d, r->status, 1);
	if (r->status == TALLY_FAILED)
		p->nfailed++;
	return tally_jtmp_send(&p->t, p->sink, &rec, err);
}

/* The last non-blank line of a longrepr: "E   ModuleNotFoundError: ...". */
static const char *
last_line(struct tally_jtmp *t, const char *s)
{
	const char *e, *b;
	char *m;

	if (s == NULL)
		return NULL;
	e = s + strlen(s);
	while (e > s && (e[-1] == '\n' || e[-1] == ' ' || e[-1] == '\r'))
		e--;
	for (b = e; b > s && b[-1] != '\n'; b--)
		;
	if (b == e)
		return NULL;
	if ((m = strndup(b, (size_t)(e - b))) == NULL)
		t->oom = 1;
	return tally_jtmp_own(t, m);
}

/* A collector that failed: the module's tests never ran. */
static int
on_collector(struct pyj *p, const cJSON *j, struct tally_error *err)
{
	struct tally_record rec;
	struct tally_test *r = &rec.u.test;
	const char *id = tally_json_str(j, "nodeid"), *outcome;
	char *name;

	outcome = tally_json_str(j, "outcome");
	if (outcome == NULL || strcmp(outcome, "failed") != 0)
		return TALLY_OK;
	tally_record_init(&rec, TALLY_REC_TEST);
	rec.source = p->source;
	if (id != NULL && *id != '\0') {
		if (asprintf(&name, "(collection) %s", id) < 0)
			p->t.oom = 1;
		else
			r->name = tally_jtmp_own(&p->t, name);
		if (strstr(id, "::") == NULL)
			r->file_path = id;
	} else
		r->name = "(collection)";
	r->status = TALLY_FAILED;
	r->raw_status = "collection-error";
	r->trace = tally_json_nstr(j, "longrepr");
	r->message = last_line(&p->t, r->trace);
	p->nfailed++;
	return tally_jtmp_send(&p->t, p->sink, &rec, err);
}

static const char *
exit_meaning(long code)
{
	switch (code) {
	case 1:
		return "tests failed";
	case 2:
		return "interrupted";
	case 3:
		return "internal error";
	case 4:
		return "usage error";
	default:
		return "unknown exit status";
	}
}

/* A non-zero exit status that no failed record accounts for. */
static int
on_exit_status(struct pyj *p, struct tally_src *src, struct tally_error *err)
{
	struct tally_record rec;
	struct tally_test *r = &rec.u.test;
	char msg[96];
	long code = (long)p->exitcode;

	if (p->exitcode < 0 || code == 0 || code == 5 || p->nfailed > 0)
		return TALLY_OK;
	snprintf(msg, sizeof(msg), "pytest exited with status %ld (%s)", code,
	    exit_meaning(code));
	tally_record_init(&rec, TALLY_REC_TEST);
	rec.source = src->name;
	r->name = "(session)";
	r->status = TALLY_FAILED;
	r->raw_status = "exitcode";
	r->message = msg;
	return tally_sink_record(p->sink, &rec, err);
}

/* summary: the counts pytest-json-report declares. */
static void
on_summary(struct pyj *p, const struct tally_jvalue *v)
{
	double n, m;

	p->d.line = v->line;
	if (tally_json_num(v->json, "total", &n) == 0 && n >= 0 && n < 1e15)
		p->d.tests = (long)n;
	n = m = 0;
	if ((tally_json_num(v->json, "failed", &n) == 0) +
	    (tally_json_num(v->json, "error", &m) == 0) > 0 && n >= 0 &&
	    m >= 0 && n + m < 1e15)
		p->d.failed = (long)(n + m);
	else if (p->d.tests >= 0)
		p->d.failed = 0;
	n = m = 0;
	if ((tally_json_num(v->json, "skipped", &n) == 0) +
	    (tally_json_num(v->json, "xfailed", &m) == 0) > 0 && n >= 0 &&
	    m >= 0 && n + m < 1e15)
		p->d.skipped = (long)(n + m);
	else if (p->d.tests >= 0)
		p->d.skipped = 0;
}

static int
on_value(void *arg, const struct tally_jvalue *v, struct tally_error *err)
{
	struct pyj *p = arg;

	p->line = v->line;
	if (v->which == 0)
		return cJSON_IsObject(v->json) ? on_test(p, v->json, err) :
		    TALLY_OK;
	if (v->which == 7)
		return cJSON_IsObject(v->json) ?
		    on_collector(p, v->json, err) : TALLY_OK;
	if (v->which == 3 && cJSON_IsNumber(v->json) &&
	    ((const cJSON *)v->json)->valuedouble >= -1e9 &&
	    ((const cJSON *)v->json)->valuedouble <= 1e9) {
		p->exitcode = ((const cJSON *)v->json)->valuedouble;
	}
	if (v->which == 6)
		on_summary(p, v);
	tally_jtmp_keep_map(&p->meta, &p->t, v->key, v->json);
	return TALLY_OK;
}

int
tally_read_pytest_json(struct tally_src *src, struct tally_sink *sink,
    struct tally_error *err)
{
	struct pyj p;
	int rc;

	memset(&p, 0, sizeof(p));
	p.sink = sink;
	p.source = src->name;
	p.src = src;
	p.exitcode = -1;
	tally_declared_init(&p.d);
	rc = tally_jscan_read(src, paths, on_value, &p, 1u,
	    "not a pytest-json-report file: no tests array",
	    &p.t, &p.meta, sink, err);
	if (rc == TALLY_OK)
		rc = on_exit_status(&p, src, err);
	if (rc == TALLY_OK)
		rc = tally_declared_check(&p.d, src, NULL, NULL, 0, sink, err);
	return rc;
}
