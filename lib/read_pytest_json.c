/*
 * lib/read_pytest_json.c: pytest-json-report (--json-report).  Each
 * tests[] entry becomes a "test": the node id "path::Class::name" gives
 * filePath, classname and name; the setup, call and teardown phases give
 * the duration (summed), the output (concatenated) and the failure (the
 * first phase with a crash or longrepr).  created, exitcode, root,
 * environment and summary become the "meta" record.
 */
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "jsonscan.h"

static const char *const paths[] = {
	"tests[*]", "created", "duration", "exitcode", "root", "environment",
	"summary", NULL
};

static const char *const phases[] = { "setup", "call", "teardown", NULL };

struct pyj {
	struct tally_sink	*sink;
	const char		*source;
	struct tally_src	*src;
	long			 line;	/* where the value read starts */
	struct tally_jtmp	 t;
	struct tally_jtmp	 meta;
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
	return tally_jtmp_send(&p->t, p->sink, &rec, err);
}

static int
on_value(void *arg, const struct tally_jvalue *v, struct tally_error *err)
{
	struct pyj *p = arg;

	p->line = v->line;
	if (v->which == 0)
		return cJSON_IsObject(v->json) ? on_test(p, v->json, err) :
		    TALLY_OK;
	tally_jtmp_keep_map(&p->meta, &p->t, v->key, v->json);
	return TALLY_OK;
}

int
tally_read_pytest_json(struct tally_src *src, struct tally_sink *sink,
    struct tally_error *err)
{
	struct pyj p;

	memset(&p, 0, sizeof(p));
	p.sink = sink;
	p.source = src->name;
	p.src = src;
	return tally_jscan_read(src, paths, on_value, &p, 1u,
	    "not a pytest-json-report file: no tests array",
	    &p.t, &p.meta, sink, err);
}
