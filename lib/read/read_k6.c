/*
 * lib/read_k6.c: k6 end-of-test summaries, the handleSummary() data
 * object and the older --summary-export file.
 *
 * Every trend metric (http_req_duration, ...) becomes a "perf" record
 * with the percentiles k6 wrote; every check becomes a "test" (category
 * "check", suite the group path, failed when any run of it failed);
 * every threshold becomes a "test" (category "threshold", classname the
 * metric, failed when k6 says it was crossed); state becomes "meta".
 * http_req_duration is the run's aggregate row (property
 * aggregated=true): it gets the request count and rate of http_reqs and
 * the failed requests of http_req_failed, so it is sent last.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "jsonscan.h"

static const char *const paths[] = {
	"metrics.*", "root_group", "state", NULL
};

struct k6 {
	struct tally_sink	*sink;
	const char		*source;
	struct tally_jtmp	 t;
	struct tally_jtmp	 meta;
	const char		*group[TALLY_MAX_DEPTH];
	size_t			 ngroup;
	int			 has_agg;
	struct tally_perf	 agg;	/* http_req_duration, numbers only */
	char			 contains[16];	/* and its unit */
	double			 reqs, rate, failed;	/* -1 when absent */
};

static int
emit_test(struct k6 *k, struct tally_record *rec, struct tally_error *err)
{
	rec->source = k->source;
	rec->u.test.properties = k->t.kv;
	rec->u.test.nproperties = k->t.nkv;
	return tally_jtmp_send(&k->t, k->sink, rec, err);
}

static int
check(struct k6 *k, const cJSON *c, const char *name, struct tally_error *err)
{
	struct tally_record rec;
	struct tally_test *r = &rec.u.test;
	double pass = 0, fail = 0;
	char *msg;

	tally_record_init(&rec, TALLY_REC_TEST);
	if (tally_json_str(c, "name") != NULL)
		name = tally_json_str(c, "name");
	r->name = name;
	r->category = "check";
	r->suite = k->group;
	r->nsuite = k->ngroup;
	tally_json_num(c, "passes", &pass);
	tally_json_num(c, "fails", &fail);
	r->status = fail > 0 ? TALLY_FAILED : TALLY_PASSED;
	if (fail > 0) {
		if (asprintf(&msg, "%.0f of %.0f checks failed", fail,
		    pass + fail) < 0)
			msg = NULL;
		r->message = tally_jtmp_own(&k->t, msg);
	}
	tally_jtmp_kv(&k->t, "passes", tally_jtmp_num(&k->t, pass));
	tally_jtmp_kv(&k->t, "fails", tally_jtmp_num(&k->t, fail));
	return emit_test(k, &rec, err);
}

/* A group: its checks (an array, or an object keyed by name), then its
 * child groups (likewise). */
static int
group(struct k6 *k, const cJSON *g, struct tally_error *err)
{
	const cJSON *c;
	const char *name = tally_json_nstr(g, "name");
	int rc = TALLY_OK;

	if (name != NULL && k->ngroup < TALLY_MAX_DEPTH)
		k->group[k->ngroup++] = name;
	c = tally_json_get(g, "checks");
	for (c = c ? c->child : NULL; c != NULL && rc == TALLY_OK; c = c->next)
		if (cJSON_IsObject(c))
			rc = check(k, c, c->string, err);
	c = tally_json_get(g, "groups");
	for (c = c ? c->child : NULL; c != NULL && rc == TALLY_OK; c = c->next)
		if (cJSON_IsObject(c))
			rc = group(k, c, err);
	if (name != NULL && k->ngroup > 0)
		k->ngroup--;
	return rc;
}

static int
thresholds(struct k6 *k, const char *metric, const cJSON *th,
    struct tally_error *err)
{
	struct tally_record rec;
	const cJSON *c;
	int ok, rc;

	for (c = cJSON_IsObject(th) ? th->child : NULL; c; c = c->next) {
		/* {"ok": false} in summaries, a bare boolean when exported
		 * (there true means the threshold was crossed). */
		if (cJSON_IsBool(c))
			ok = !cJSON_IsTrue(c);
		else if ((ok = tally_json_bool(c, "ok")) < 0)
			continue;
		tally_record_init(&rec, TALLY_REC_TEST);
		rec.u.test.name = c->string;
		rec.u.test.classname = metric;
		rec.u.test.category = "threshold";
		rec.u.test.status = ok ? TALLY_PASSED : TALLY_FAILED;
		if (!ok)
			rec.u.test.message = "threshold crossed";
		if ((rc = emit_test(k, &rec, err)) != TALLY_OK)
			return rc;
	}
	return TALLY_OK;
}

static double
val(const cJSON *v, const char *key)
{
	double d;

	return tally_json_num(v, key, &d) == 0 ? d : -1;
}

static int
metric(struct k6 *k, const char *name, const cJSON *m, struct tally_error *err)
{
	struct tally_record rec;
	struct tally_perf *p = &rec.u.perf;
	const cJSON *v = tally_json_get(m, "values");
	const char *type = tally_json_str(m, "type");
	int rc;

	if ((rc = thresholds(k, name, tally_json_get(m, "thresholds"),
	    err)) != TALLY_OK)
		return rc;
	if (v == NULL)
		v = m;		/* --summary-export keeps values flat */
	if (strcmp(name, "http_reqs") == 0) {
		k->reqs = val(v, "count");
		k->rate = val(v, "rate");
	} else if (strcmp(name, "http_req_failed") == 0)
		k->failed = val(v, "passes");	/* true: the request failed */
	if (type != NULL ? strcmp(type, "trend") != 0 :
	    tally_json_get(v, "avg") == NULL || tally_json_get(v, "med") == NULL)
		return TALLY_OK;
	tally_record_init(&rec, TALLY_REC_PERF);
	rec.source = k->source;
	p->name = name;
	p->mean = val(v, "avg");
	p->min = val(v, "min");
	p->max = val(v, "max");
	p->median = val(v, "med");
	p->p90 = val(v, "p(90)");
	p->p95 = val(v, "p(95)");
	p->p99 = val(v, "p(99)");
	if (strcmp(name, "http_req_duration") == 0) {
		k->has_agg = 1;
		k->agg = *p;
		k->agg.name = "http_req_duration";
		snprintf(k->contains, sizeof(k->contains), "%s",
		    tally_json_nstr(m, "contains") != NULL ?
		    tally_json_nstr(m, "contains") : "");
		return TALLY_OK;
	}
	tally_jtmp_kv(&k->t, "contains", tally_json_nstr(m, "contains"));
	p->properties = k->t.kv;
	p->nproperties = k->t.nkv;
	return tally_jtmp_send(&k->t, k->sink, &rec, err);
}

static int
on_value(void *arg, const struct tally_jvalue *v, struct tally_error *err)
{
	struct k6 *k = arg;

	switch (v->which) {
	case 0:
		return cJSON_IsObject(v->json) ?
		    metric(k, v->key, v->json, err) : TALLY_OK;
	case 1:
		k->ngroup = 0;
		return group(k, v->json, err);
	default:
		tally_jtmp_keep_map(&k->meta, &k->t, v->key, v->json);
		return TALLY_OK;
	}
}

int
tally_read_k6(struct tally_src *src, struct tally_sink *sink,
    struct tally_error *err)
{
	struct tally_kv props[2];
	struct tally_record rec;
	struct k6 k;
	size_t n;
	int rc;

	memset(&k, 0, sizeof(k));
	k.sink = sink;
	k.source = src->name;
	k.reqs = k.rate = k.failed = -1;
	rc = tally_jscan_read(src, paths, on_value, &k, 1u,
	    "not a k6 summary: no metrics object",
	    &k.t, &k.meta, sink, err);
	if (rc != TALLY_OK || !k.has_agg)
		return rc;
	tally_record_init(&rec, TALLY_REC_PERF);
	rec.source = k.source;
	rec.u.perf = k.agg;
	if (k.reqs >= 0 && k.reqs < 1e15)
		rec.u.perf.requests = (long)k.reqs;
	if (k.failed >= 0 && k.failed < 1e15)
		rec.u.perf.failures = (long)k.failed;
	rec.u.perf.rps = k.rate;
	n = 0;
	if (k.contains[0] != '\0') {
		props[n].key = "contains";
		props[n++].value = k.contains;
	}
	props[n].key = "aggregated";
	props[n++].value = "true";
	rec.u.perf.properties = props;
	rec.u.perf.nproperties = n;
	return tally_sink_record(sink, &rec, err);
}
