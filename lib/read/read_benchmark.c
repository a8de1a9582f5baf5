/*
 * lib/read/read_benchmark.c: pytest-benchmark --benchmark-json.  Each
 * benchmarks[] entry becomes a "perf" record (times in seconds turned
 * into milliseconds, rounds as requests, ops as rps); machine_info,
 * commit_info, datetime and version become the "meta" record.
 */
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "jsonscan.h"

static const char *const paths[] = {
	"benchmarks[*]", "machine_info", "commit_info", "datetime", "version",
	NULL
};

struct bench {
	struct tally_sink	*sink;
	const char		*source;
	struct tally_jtmp	 t;
	struct tally_jtmp	 meta;
};

/* A statistic in seconds as milliseconds; -1 when absent. */
static double
ms(const cJSON *stats, const char *key)
{
	double v;

	return tally_json_num(stats, key, &v) == 0 && v >= 0 ? v * 1000 : -1;
}

static int
on_bench(struct bench *b, const cJSON *j, struct tally_error *err)
{
	struct tally_record rec;
	struct tally_perf *p = &rec.u.perf;
	const cJSON *st = tally_json_get(j, "stats");
	double v;

	tally_record_init(&rec, TALLY_REC_PERF);
	rec.source = b->source;
	p->name = tally_json_nstr(j, "fullname");
	if (p->name == NULL)
		p->name = tally_json_str(j, "name");
	p->method = tally_json_nstr(j, "group");
	if (tally_json_num(st, "rounds", &v) == 0 && v >= 0 && v < 1e15)
		p->requests = (long)v;
	p->mean = ms(st, "mean");
	p->min = ms(st, "min");
	p->max = ms(st, "max");
	p->median = ms(st, "median");
	if (tally_json_num(st, "ops", &v) == 0 && v >= 0)
		p->rps = v;
	else if (p->mean > 0)
		p->rps = 1000.0 / p->mean;
	if ((v = ms(st, "stddev")) >= 0)
		tally_jtmp_kv(&b->t, "stddev", tally_jtmp_num(&b->t, v));
	tally_jtmp_flatten(&b->t, "iterations", tally_json_get(st,
	    "iterations"));
	tally_jtmp_flatten(&b->t, "params", tally_json_get(j, "params"));
	tally_jtmp_flatten(&b->t, "extra_info", tally_json_get(j,
	    "extra_info"));
	p->properties = b->t.kv;
	p->nproperties = b->t.nkv;
	return tally_jtmp_send(&b->t, b->sink, &rec, err);
}

static int
on_value(void *arg, const struct tally_jvalue *v, struct tally_error *err)
{
	struct bench *b = arg;

	if (v->which == 0)
		return cJSON_IsObject(v->json) ? on_bench(b, v->json, err) :
		    TALLY_OK;
	tally_jtmp_keep_map(&b->meta, &b->t, v->key, v->json);
	return TALLY_OK;
}

int
tally_read_benchmark(struct tally_src *src, struct tally_sink *sink,
    struct tally_error *err)
{
	struct bench b;

	memset(&b, 0, sizeof(b));
	b.sink = sink;
	b.source = src->name;
	return tally_jscan_read(src, paths, on_value, &b, 1u,
	    "not a pytest-benchmark file: no benchmarks array",
	    &b.t, &b.meta, sink, err);
}
