/*
 * lib/read/read_cucumber.c: Cucumber JSON (cucumber-js --format json,
 * cucumber-jvm's json plugin, cucumber-ruby's json formatter).
 *
 * The document is an array of features, each with elements[]: scenarios
 * (one per Examples row of an outline) and backgrounds, each with
 * steps[].  Producers write a feature's name and uri after its
 * elements, so one feature is held in memory at a time.  A record is
 * one scenario: its name as name (with " (line N)" when a neighbouring
 * scenario has the same name, as outline rows do in cucumber-jvm), the
 * feature's name as suite, uri and line as file and line, its tags and
 * the feature's as "tag" properties.
 *
 * Its status comes from everything that ran for it, in order: before
 * hooks, the background's steps, its steps (with their step hooks),
 * after hooks.  cucumber-js lists hooks among the steps (keyword Before
 * or After, hidden), cucumber-jvm in before[] and after[]; a background
 * is an element of its own in cucumber-jvm and ruby and belongs to the
 * scenario after it.  The worst status wins, in Cucumber's order:
 * failed, ambiguous (failed), undefined and pending (pending), skipped,
 * passed.  The first step with that status gives the message (the
 * first line of its error_message, or what it was when it has none),
 * the trace (the whole error_message) and the property "step".  A
 * failed hook fails the scenario even when it has no steps.  Step
 * durations (nanoseconds) add up to the scenario's.  The steps as
 * Cucumber prints them, with doc strings, data tables and text they
 * logged (output, text embeddings), are the record's standard output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "jsonscan.h"

static const char *const paths[] = { "[*]", NULL };

/* Step statuses from best to worst, as Cucumber ranks them. */
enum rank { R_NONE, R_PASSED, R_SKIPPED, R_PENDING, R_UNDEFINED, R_OTHER,
    R_AMBIGUOUS, R_FAILED };

struct cuke {
	struct tally_sink	*sink;
	const char		*source;
	struct tally_src	*src;
	long			 line;
	struct tally_jtmp	 t;
};

/* What the steps of one scenario add up to. */
struct sum {
	enum rank		 worst;
	const cJSON		*culprit;	/* first step of the worst rank */
	const char		*hook;		/* "Before", "After" or NULL */
	double			 ns;		/* durations, nanoseconds */
	int			 timed;
	struct tally_buf	 out;		/* the steps as printed */
};

static enum rank
rank_of(const char *w)
{
	static const struct {
		const char *word;
		enum rank r;
	} map[] = {
		{ "passed", R_PASSED }, { "skipped", R_SKIPPED },
		{ "pending", R_PENDING }, { "undefined", R_UNDEFINED },
		{ "ambiguous", R_AMBIGUOUS }, { "failed", R_FAILED },
	};
	size_t i;

	if (w == NULL)
		return R_OTHER;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(w, map[i].word) == 0)
			return map[i].r;
	return R_OTHER;
}

/* A doc string or data table of a step, indented, into b. */
static void
arguments(struct tally_buf *b, const cJSON *list)
{
	const cJSON *a, *rows, *r, *cells, *c;
	const char *s, *p, *e;

	for (a = cJSON_IsArray(list) ? list->child : NULL; a; a = a->next) {
		if ((s = tally_json_str(a, "content")) == NULL &&
		    (s = tally_json_str(a, "val")) == NULL)
			s = tally_json_str(tally_json_get(a, "doc_string"),
			    "value");
		if (s != NULL) {
			tally_buf_adds(b, "      \"\"\"\n");
			for (p = s; *p != '\0'; p = *e ? e + 1 : e) {
				e = p + strcspn(p, "\n");
				tally_buf_printf(b, "      %.*s\n",
				    (int)(e - p), p);
			}
			tally_buf_adds(b, "      \"\"\"\n");
		}
		rows = tally_json_get(a, "rows");
		for (r = cJSON_IsArray(rows) ? rows->child : NULL; r;
		    r = r->next) {
			tally_buf_adds(b, "      |");
			cells = tally_json_get(r, "cells");
			for (c = cJSON_IsArray(cells) ? cells->child : NULL;
			    c; c = c->next)
				if (cJSON_IsString(c))
					tally_buf_printf(b, " %s |",
					    c->valuestring);
			tally_buf_addc(b, '\n');
		}
	}
}

/* Base64 text decoded into b; 0, or -1 when it is not base64. */
static int
unbase64(struct tally_buf *b, const char *s)
{
	static const char set[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned long acc = 0;
	const char *p;
	int bits = 0;

	for (; *s != '\0' && *s != '='; s++) {
		if (*s == '\n' || *s == '\r')
			continue;
		if ((p = strchr(set, *s)) == NULL)
			return -1;
		acc = (acc << 6 | (unsigned long)(p - set)) & 0xFFFFFF;
		if ((bits += 6) >= 8) {
			bits -= 8;
			tally_buf_addc(b, (char)(acc >> bits & 0xFF));
		}
	}
	return 0;
}

/*
 * Embeddings: text a step logged (cucumber-js this.log(), text/plain) as
 * lines of the transcript, anything else by its type and size.
 */
static void
embeddings(struct tally_buf *b, const cJSON *list)
{
	const cJSON *e;
	const char *mime, *data, *p, *q;
	struct tally_buf t;

	for (e = cJSON_IsArray(list) ? list->child : NULL; e; e = e->next) {
		mime = tally_json_str(e, "mime_type");
		if ((data = tally_json_str(e, "data")) == NULL)
			continue;
		tally_buf_init(&t);
		if (mime != NULL && (strcmp(mime, "text/plain") == 0 ||
		    strcmp(mime, "text/x.cucumber.log+plain") == 0) &&
		    unbase64(&t, data) == 0 && t.data != NULL &&
		    memchr(t.data, '\0', t.len) == NULL) {
			for (p = t.data; *p != '\0'; p = *q ? q + 1 : q) {
				q = p + strcspn(p, "\n");
				tally_buf_printf(b, "      %.*s\n",
				    (int)(q - p), p);
			}
		} else
			tally_buf_printf(b, "      [embedded %s, %zu bytes of "
			    "base64]\n", mime ? mime : "data", strlen(data));
		tally_buf_free(&t);
	}
}

/* One step or hook: its line in the transcript, and into the sum. */
static void
step(struct sum *s, const cJSON *j, const char *hook)
{
	const cJSON *res = tally_json_get(j, "result"), *out, *o;
	const char *status = tally_json_nstr(res, "status");
	const char *kw = tally_json_str(j, "keyword");
	const char *name = tally_json_str(j, "name");
	enum rank r = rank_of(status);
	double v;

	if (hook == NULL && kw != NULL && tally_json_bool(j, "hidden") == 1 &&
	    (strcmp(kw, "Before") == 0 || strcmp(kw, "After") == 0))
		hook = kw;	/* cucumber-js lists hooks as steps */
	if (tally_json_num(res, "duration", &v) == 0 && v >= 0) {
		s->ns += v;
		s->timed = 1;
	}
	if (r > s->worst) {
		s->worst = r;
		s->culprit = j;
		s->hook = hook;
	}
	if (hook != NULL)
		tally_buf_printf(&s->out, "[%s] %s hook\n", status ? status :
		    "?", hook);
	else
		tally_buf_printf(&s->out, "[%s] %s%s\n", status ? status : "?",
		    kw ? kw : "", name ? name : "");
	arguments(&s->out, tally_json_get(j, "arguments"));
	if (tally_json_nstr(j, "doc_string") != NULL ||
	    cJSON_IsObject(tally_json_get(j, "doc_string"))) {
		cJSON *wrap = cJSON_CreateArray();

		if (wrap != NULL && cJSON_AddItemReferenceToArray(wrap,
		    (cJSON *)tally_json_get(j, "doc_string")))
			arguments(&s->out, wrap);
		cJSON_Delete(wrap);
	}
	embeddings(&s->out, tally_json_get(j, "embeddings"));
	out = tally_json_get(j, "output");
	for (o = cJSON_IsArray(out) ? out->child : NULL; o; o = o->next)
		if (cJSON_IsString(o))
			tally_buf_printf(&s->out, "      %s\n", o->valuestring);
}

/* The hooks of before[] or after[] (cucumber-jvm, ruby). */
static void
hooks(struct sum *s, const cJSON *list, const char *which)
{
	const cJSON *h;

	for (h = cJSON_IsArray(list) ? list->child : NULL; h; h = h->next)
		if (cJSON_IsObject(h))
			step(s, h, which);
}

static void
steps(struct sum *s, const cJSON *el)
{
	const cJSON *list = tally_json_get(el, "steps"), *c;

	for (c = cJSON_IsArray(list) ? list->child : NULL; c; c = c->next) {
		if (!cJSON_IsObject(c))
			continue;
		hooks(s, tally_json_get(c, "before"), "BeforeStep");
		step(s, c, NULL);
		hooks(s, tally_json_get(c, "after"), "AfterStep");
	}
}

/* Tags of an element or a feature as "tag" properties, once each. */
static void
tags(struct cuke *k, const cJSON *list)
{
	const cJSON *g;
	const char *name;
	size_t i;

	for (g = cJSON_IsArray(list) ? list->child : NULL; g; g = g->next) {
		name = cJSON_IsString(g) ? g->valuestring :
		    tally_json_nstr(g, "name");
		if (name == NULL)
			continue;
		for (i = 0; i < k->t.nkv; i++)
			if (strcmp(k->t.kv[i].key, "tag") == 0 &&
			    strcmp(k->t.kv[i].value, name) == 0)
				break;
		if (i == k->t.nkv)
			tally_jtmp_kv(&k->t, "tag", name);
	}
}

/* "step 'When x' undefined": what a step without an error_message was. */
static const char *
words(struct cuke *k, const struct sum *s, const char *status)
{
	const char *kw = tally_json_str(s->culprit, "keyword");
	const char *name = tally_json_str(s->culprit, "name");
	char *m;
	int n;

	if (s->hook != NULL)
		n = asprintf(&m, "%s hook %s", s->hook, status);
	else
		n = asprintf(&m, "step '%s%s' %s", kw ? kw : "",
		    name ? name : "", status);
	if (n < 0) {
		k->t.oom = 1;
		return NULL;
	}
	return tally_jtmp_own(&k->t, m);
}

/* One scenario (or a background no scenario followed). */
static int
scenario(struct cuke *k, const cJSON *feature, const cJSON *el,
    const cJSON *bg, int twin, struct tally_error *err)
{
	struct tally_record rec;
	struct tally_test *x = &rec.u.test;
	const cJSON *res;
	const char *name = tally_json_str(el, "name"), *status, *msg, *nl;
	struct sum s;
	char *n;
	double v;
	int rc;

	memset(&s, 0, sizeof(s));
	tally_buf_init(&s.out);
	hooks(&s, tally_json_get(el, "before"), "Before");
	if (bg != NULL) {
		hooks(&s, tally_json_get(bg, "before"), "Before");
		steps(&s, bg);
		hooks(&s, tally_json_get(bg, "after"), "After");
	}
	steps(&s, el);
	hooks(&s, tally_json_get(el, "after"), "After");

	tally_record_init(&rec, TALLY_REC_TEST);
	rec.source = k->source;
	if (tally_json_num(el, "line", &v) == 0 && v > 0 && v < 1e8)
		x->line = (long)v;
	if (name == NULL || *name == '\0')
		name = tally_json_nstr(el, "keyword");
	if (twin && x->line > 0) {
		if (asprintf(&n, "%s (line %ld)", name ? name : "",
		    x->line) < 0)
			k->t.oom = 1;
		else
			name = tally_jtmp_own(&k->t, n);
	}
	x->name = name;
	if (tally_json_str(feature, "name") != NULL)
		tally_jtmp_suite(&k->t, tally_json_str(feature, "name"));
	x->file_path = tally_json_nstr(feature, "uri");
	if (s.timed)
		x->duration = tally_jduration(k->src, k->line, &k->t, s.ns,
		    1e-6);
	res = tally_json_get(s.culprit, "result");
	status = tally_json_nstr(res, "status");
	switch (s.worst) {
	case R_NONE:
	case R_PASSED:
		x->status = TALLY_PASSED;
		break;
	case R_SKIPPED:
		x->status = TALLY_SKIPPED;
		break;
	case R_PENDING:
	case R_UNDEFINED:
		x->status = TALLY_PENDING;
		break;
	case R_AMBIGUOUS:
	case R_FAILED:
		x->status = TALLY_FAILED;
		break;
	default:
		x->status = TALLY_OTHER;
		break;
	}
	if (status != NULL && strcmp(status, tally_status_name(x->status)))
		x->raw_status = status;
	if (s.worst > R_SKIPPED) {
		msg = tally_json_nstr(res, "error_message");
		if (msg != NULL) {
			x->trace = msg;
			nl = msg + strcspn(msg, "\r\n");
			x->message = *nl == '\0' ? msg : tally_jtmp_own(&k->t,
			    strndup(msg, (size_t)(nl - msg)));
		} else
			x->message = words(k, &s, status ? status : "?");
		if (s.hook != NULL) {
			if (asprintf(&n, "%s hook", s.hook) < 0)
				k->t.oom = 1;
			else
				tally_jtmp_kv(&k->t, "step",
				    tally_jtmp_own(&k->t, n));
		} else if (asprintf(&n, "%s%s",
		    tally_json_str(s.culprit, "keyword") ?
		    tally_json_str(s.culprit, "keyword") : "",
		    tally_json_str(s.culprit, "name") ?
		    tally_json_str(s.culprit, "name") : "") < 0)
			k->t.oom = 1;
		else
			tally_jtmp_kv(&k->t, "step", tally_jtmp_own(&k->t, n));
	}
	if (s.out.data != NULL)
		x->stdout_text = tally_jtmp_own(&k->t,
		    tally_buf_detach(&s.out));
	tally_buf_free(&s.out);
	tags(k, tally_json_get(el, "tags"));
	tags(k, tally_json_get(feature, "tags"));
	x->suite = k->t.suite;
	x->nsuite = k->t.nsuite;
	x->properties = k->t.kv;
	x->nproperties = k->t.nkv;
	rc = tally_jtmp_send(&k->t, k->sink, &rec, err);
	return rc;
}

static int
is_background(const cJSON *el)
{
	const char *type = tally_json_str(el, "type");
	const char *kw = tally_json_str(el, "keyword");

	return (type != NULL && strcmp(type, "background") == 0) ||
	    (type == NULL && kw != NULL && strcmp(kw, "Background") == 0);
}

/* Whether el's name is that of the scenario before or after it. */
static int
twin(const cJSON *el)
{
	const char *name = tally_json_str(el, "name"), *o;
	const cJSON *c;

	if (name == NULL)
		return 0;
	/* cJSON's first element has the last as prev; the last has no next. */
	for (c = el->prev; c != NULL && c->next != NULL; c = c->prev)
		if (cJSON_IsObject(c) && !is_background(c)) {
			o = tally_json_str(c, "name");
			if (o != NULL && strcmp(o, name) == 0)
				return 1;
			break;
		}
	for (c = el->next; c != NULL; c = c->next)
		if (cJSON_IsObject(c) && !is_background(c)) {
			o = tally_json_str(c, "name");
			return o != NULL && strcmp(o, name) == 0;
		}
	return 0;
}

static int
feature(struct cuke *k, const cJSON *f, struct tally_error *err)
{
	const cJSON *list = tally_json_get(f, "elements"), *el, *bg = NULL;
	int rc = TALLY_OK;

	for (el = cJSON_IsArray(list) ? list->child : NULL; el && !rc;
	    el = el->next) {
		if (!cJSON_IsObject(el))
			continue;
		if (is_background(el)) {
			if (bg != NULL)
				rc = scenario(k, f, bg, NULL, 0, err);
			bg = el;
			continue;
		}
		rc = scenario(k, f, el, bg, twin(el), err);
		bg = NULL;
	}
	if (rc == TALLY_OK && bg != NULL)
		rc = scenario(k, f, bg, NULL, 0, err);
	return rc;
}

static int
on_value(void *arg, const struct tally_jvalue *v, struct tally_error *err)
{
	struct cuke *k = arg;

	k->line = v->line;
	return cJSON_IsObject(v->json) ? feature(k, v->json, err) : TALLY_OK;
}

int
tally_read_cucumber(struct tally_src *src, struct tally_sink *sink,
    struct tally_error *err)
{
	struct cuke k;
	struct tally_jtmp meta;

	memset(&k, 0, sizeof(k));
	memset(&meta, 0, sizeof(meta));
	k.sink = sink;
	k.source = src->name;
	k.src = src;
	return tally_jscan_read(src, paths, on_value, &k, 1u,
	    "not a cucumber report: no array of features", &k.t, &meta,
	    sink, err);
}
