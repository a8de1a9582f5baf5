/*
 * lib/read_mocha.c: mocha --reporter json and mochawesome JSON.
 *
 * mocha json: tests[] holds every test once (passes, failures and
 * pending repeat them and are skipped).  Older mocha writes no state:
 * a non-empty err means failed, no duration means pending (never run),
 * otherwise passed.  The suite is fullTitle without the title.
 *
 * mochawesome: results[] holds one tree of suites per spec file; one
 * results[i] is held in memory at a time and walked for its tests, the
 * suite path being the titles of the suites around each test.
 */
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "jsonscan.h"

static const char *const paths[] = {
	"tests[*]", "results[*]", "stats", NULL
};

struct mocha {
	struct tally_sink	*sink;
	const char		*source;
	struct tally_src	*src;
	long			 line;	/* where the value read starts */
	struct tally_jtmp	 t;
	struct tally_jtmp	 meta;
	const char		*suite[TALLY_MAX_DEPTH];	/* mochawesome */
	size_t			 nsuite;
};

static int
test(struct mocha *m, const cJSON *j, const char *file,
    struct tally_error *err)
{
	struct tally_record rec;
	struct tally_test *r = &rec.u.test;
	const cJSON *e = tally_json_get(j, "err");
	const char *full, *state;
	size_t i, n, k;
	int has_err;
	double v;

	tally_record_init(&rec, TALLY_REC_TEST);
	rec.source = m->source;
	r->name = tally_json_str(j, "title");
	full = tally_json_str(j, "fullTitle");
	for (i = 0; i < m->nsuite; i++)
		tally_jtmp_suite(&m->t, m->suite[i]);
	if (m->nsuite == 0 && full != NULL && r->name != NULL &&
	    (n = strlen(full)) > (k = strlen(r->name)) + 1 &&
	    strcmp(full + n - k, r->name) == 0 && full[n - k - 1] == ' ')
		tally_jtmp_suite(&m->t, tally_jtmp_own(&m->t,
		    strndup(full, n - k - 1)));
	if (r->name == NULL)
		r->name = full;
	r->file_path = tally_json_nstr(j, "file");
	if (r->file_path == NULL)
		r->file_path = file;
	if (tally_json_num(j, "duration", &r->duration) == 0)
		r->duration = tally_jduration(m->src, m->line, &m->t,
		    r->duration, 1);
	r->message = tally_json_nstr(e, "message");
	r->trace = tally_json_nstr(e, "stack");
	r->type = tally_json_nstr(e, "name");
	if (tally_json_num(j, "currentRetry", &v) == 0 && v > 0 && v < 1e9)
		r->retries = (long)v;
	has_err = cJSON_IsObject(e) && e->child != NULL;
	state = tally_json_nstr(j, "state");
	if (state != NULL) {
		r->status = tally_status_from_word(state);
		if (strcmp(state, tally_status_name(r->status)) != 0)
			r->raw_status = state;
	} else if (has_err)
		r->status = TALLY_FAILED;
	else if (tally_json_get(j, "duration") == NULL)
		r->status = TALLY_PENDING;
	else
		r->status = TALLY_PASSED;
	if (state == NULL && tally_json_bool(j, "pending") == 1)
		r->status = TALLY_PENDING;
	if (state == NULL && tally_json_bool(j, "skipped") == 1)
		r->status = TALLY_SKIPPED;
	if (r->status == TALLY_PASSED && r->retries > 0)
		r->flaky = 1;
	r->suite = m->t.suite;
	r->nsuite = m->t.nsuite;
	r->properties = m->t.kv;	/* tally.badDuration */
	r->nproperties = m->t.nkv;
	return tally_jtmp_send(&m->t, m->sink, &rec, err);
}

/* A mochawesome suite: its tests, then its child suites. */
static int
walk(struct mocha *m, const cJSON *s, const char *file,
    struct tally_error *err)
{
	const cJSON *c, *list;
	const char *title = tally_json_nstr(s, "title");
	int rc = TALLY_OK;

	if (tally_json_nstr(s, "file") != NULL)
		file = tally_json_nstr(s, "file");
	if (title != NULL && m->nsuite < TALLY_MAX_DEPTH)
		m->suite[m->nsuite++] = title;
	list = tally_json_get(s, "tests");
	for (c = cJSON_IsArray(list) ? list->child : NULL; c && !rc;
	    c = c->next)
		if (cJSON_IsObject(c))
			rc = test(m, c, file, err);
	list = tally_json_get(s, "suites");
	for (c = cJSON_IsArray(list) ? list->child : NULL; c && !rc;
	    c = c->next)
		rc = walk(m, c, file, err);
	if (title != NULL && m->nsuite > 0)
		m->nsuite--;
	return rc;
}

static int
on_value(void *arg, const struct tally_jvalue *v, struct tally_error *err)
{
	struct mocha *m = arg;

	m->line = v->line;
	switch (v->which) {
	case 0:
		return cJSON_IsObject(v->json) ? test(m, v->json, NULL, err) :
		    TALLY_OK;
	case 1:
		m->nsuite = 0;
		return walk(m, v->json, NULL, err);
	default:
		tally_jtmp_keep_map(&m->meta, &m->t, "stats", v->json);
		return TALLY_OK;
	}
}

int
tally_read_mocha(struct tally_src *src, struct tally_sink *sink,
    struct tally_error *err)
{
	struct mocha m;

	memset(&m, 0, sizeof(m));
	m.sink = sink;
	m.source = src->name;
	m.src = src;
	return tally_jscan_read(src, paths, on_value, &m, 3u,
	    "not a mocha report: no tests or results array",
	    &m.t, &m.meta, sink, err);
}
