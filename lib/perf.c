/*
 * lib/perf.c: the figures of a perf record by name, and the gates on them
 * (see tally/perf.h).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tally/perf.h>

#include "internal.h"

static const struct {
	const char		*name;
	enum tally_perf_fig	 fig;
} names[] = {
	/* The first of each figure is its name; the rest are aliases. */
	{ "requests",	TALLY_PF_REQUESTS },
	{ "failures",	TALLY_PF_FAILURES },
	{ "error-rate",	TALLY_PF_ERROR_RATE },
	{ "rps",	TALLY_PF_RPS },
	{ "min",	TALLY_PF_MIN },
	{ "avg",	TALLY_PF_AVG },
	{ "median",	TALLY_PF_MEDIAN },
	{ "p90",	TALLY_PF_P90 },
	{ "p95",	TALLY_PF_P95 },
	{ "p99",	TALLY_PF_P99 },
	{ "max",	TALLY_PF_MAX },
	{ "stddev",	TALLY_PF_STDDEV },
	{ "mean",	TALLY_PF_AVG },
	{ "p50",	TALLY_PF_MEDIAN },
	{ "throughput",	TALLY_PF_RPS },
	{ "ops",	TALLY_PF_RPS },
};
#define NNAMES (sizeof(names) / sizeof(names[0]))

const char *
tally_perf_fig_name(enum tally_perf_fig f)
{
	size_t i;

	for (i = 0; i < NNAMES; i++)
		if (names[i].fig == f)
			return names[i].name;
	return NULL;
}

int
tally_perf_fig_parse(const char *s, size_t n, enum tally_perf_fig *out)
{
	size_t i;

	for (i = 0; i < NNAMES; i++)
		if (strlen(names[i].name) == n &&
		    strncmp(s, names[i].name, n) == 0) {
			*out = names[i].fig;
			return TALLY_OK;
		}
	return TALLY_EINVAL;
}

enum tally_perf_unit
tally_perf_fig_unit(enum tally_perf_fig f)
{
	switch (f) {
	case TALLY_PF_REQUESTS:
	case TALLY_PF_FAILURES:
		return TALLY_PU_COUNT;
	case TALLY_PF_ERROR_RATE:
		return TALLY_PU_PERCENT;
	case TALLY_PF_RPS:
		return TALLY_PU_RATE;
	default:
		return TALLY_PU_MS;
	}
}

double
tally_perf_fig_get(const struct tally_perf *p, enum tally_perf_fig f)
{
	const char *s;
	char *end;
	double v;

	switch (f) {
	case TALLY_PF_REQUESTS:
		return p->requests >= 0 ? (double)p->requests : -1;
	case TALLY_PF_FAILURES:
		return p->failures >= 0 ? (double)p->failures : -1;
	case TALLY_PF_ERROR_RATE:
		if (p->requests < 0 || p->failures < 0)
			return -1;
		return p->requests == 0 ? 0 :
		    100.0 * (double)p->failures / (double)p->requests;
	case TALLY_PF_RPS:
		return p->rps;
	case TALLY_PF_MIN:
		return p->min;
	case TALLY_PF_AVG:
		return p->mean;
	case TALLY_PF_MEDIAN:
		return p->median;
	case TALLY_PF_P90:
		return p->p90;
	case TALLY_PF_P95:
		return p->p95;
	case TALLY_PF_P99:
		return p->p99;
	case TALLY_PF_MAX:
		return p->max;
	case TALLY_PF_STDDEV:
		s = tally_kv_get(p->properties, p->nproperties, "stddev");
		if (s == NULL)
			return -1;
		errno = 0;
		v = strtod(s, &end);
		return end != s && *end == '\0' && errno == 0 &&
		    isfinite(v) && v >= 0 ? v : -1;
	}
	return -1;
}

char *
tally_perf_fig_fmt(char *buf, size_t n, enum tally_perf_fig f, double v)
{
	if (v < 0 || !isfinite(v)) {
		snprintf(buf, n, v > 0 ? "infinite" : "-");
		return buf;
	}
	switch (tally_perf_fig_unit(f)) {
	case TALLY_PU_COUNT:
		snprintf(buf, n, "%.0f", v);
		break;
	case TALLY_PU_PERCENT:
		snprintf(buf, n, "%.2f%%", v);
		break;
	case TALLY_PU_RATE:
		snprintf(buf, n, "%.2f/s", v);
		break;
	case TALLY_PU_MS:
		if (v >= 1000)
			snprintf(buf, n, "%.0f ms", v);
		else if (v >= 0.1)
			snprintf(buf, n, "%.2f ms", v);
		else
			snprintf(buf, n, "%.3g us", v * 1000);
		break;
	}
	return buf;
}

int
tally_perf_is_series(const struct tally_perf *p)
{
	return tally_kv_get(p->properties, p->nproperties, "series") != NULL;
}

int
tally_perf_is_aggregate(const struct tally_perf *p)
{
	const char *v = tally_kv_get(p->properties, p->nproperties,
	    "aggregated");

	return v != NULL && strcmp(v, "true") == 0;
}

static int
bad(struct tally_error *err, const char *text, const char *what,
    const char *part, size_t n)
{
	return tally_error_set(err, TALLY_EINVAL, 0, 0,
	    "gate '%s': %s '%.*s'", text, what, (int)n, part);
}

/* VALUE[UNIT] for figure f into *out, in the figure's unit. */
static int
parse_value(const char *text, const char *s, enum tally_perf_fig f,
    enum tally_perf_gate_kind kind, double *out, struct tally_error *err)
{
	enum tally_perf_unit u = tally_perf_fig_unit(f);
	const char *unit;
	char *end;
	double v;

	if (!isdigit((unsigned char)*s) && *s != '.')
		return bad(err, text, "not a number:", s, strlen(s));
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || !isfinite(v) || end == s)
		return bad(err, text, "not a number:", s, strlen(s));
	unit = end;
	if (kind == TALLY_PG_REGRESSION) {
		if (strcmp(unit, "%") != 0)
			return bad(err, text, "a regression is a percentage, "
			    "not", *unit ? unit : s, strlen(*unit ? unit : s));
		*out = v;
		return TALLY_OK;
	}
	switch (u) {
	case TALLY_PU_MS:
		if (strcmp(unit, "ms") == 0)
			*out = v;
		else if (strcmp(unit, "s") == 0)
			*out = v * 1000;
		else if (strcmp(unit, "us") == 0)
			*out = v / 1000;
		else if (*unit == '\0')
			return bad(err, text, "a time needs a unit (ms, s):",
			    s, strlen(s));
		else
			return bad(err, text, "not a unit of time:", unit,
			    strlen(unit));
		return TALLY_OK;
	case TALLY_PU_PERCENT:
		if (strcmp(unit, "%") != 0)
			return bad(err, text, "a rate needs '%':",
			    *unit ? unit : s, strlen(*unit ? unit : s));
		*out = v;
		return TALLY_OK;
	case TALLY_PU_RATE:
		if (*unit != '\0' && strcmp(unit, "/s") != 0)
			return bad(err, text, "not a unit of throughput (/s):",
			    unit, strlen(unit));
		*out = v;
		return TALLY_OK;
	case TALLY_PU_COUNT:
		if (*unit != '\0' || v != floor(v))
			return bad(err, text, "not a count:", s, strlen(s));
		*out = v;
		return TALLY_OK;
	}
	return TALLY_EINVAL;
}

int
tally_perf_gate_parse(struct tally_perf_gate *g,
    enum tally_perf_gate_kind kind, const char *text, struct tally_error *err)
{
	const char *eq, *colon, *fig, *p;

	memset(g, 0, sizeof(*g));
	g->kind = kind;
	g->text = text;
	if ((eq = strrchr(text, '=')) == NULL)
		return bad(err, text, "no '=' in", text, strlen(text));
	colon = NULL;
	for (p = text; p < eq; p++)
		if (*p == ':')
			colon = p;
	fig = text;
	if (colon != NULL) {
		if (colon == text)
			return bad(err, text, "no endpoint before ':' in",
			    text, strlen(text));
		g->target = text;
		g->ntarget = (size_t)(colon - text);
		fig = colon + 1;
	}
	if (tally_perf_fig_parse(fig, (size_t)(eq - fig), &g->fig) != TALLY_OK)
		return bad(err, text, "unknown figure", fig,
		    (size_t)(eq - fig));
	if (eq[1] == '\0')
		return bad(err, text, "no value after", "=", 1);
	return parse_value(text, eq + 1, g->fig, kind, &g->limit, err);
}

int
tally_perf_gate_matches(const struct tally_perf_gate *g,
    const struct tally_perf *p)
{
	size_t ml;

	if (tally_perf_is_series(p))
		return 0;
	if (g->target == NULL)
		return tally_perf_is_aggregate(p);
	if (g->ntarget == 1 && g->target[0] == '*')
		return 1;
	if (p->name == NULL)
		return 0;
	if (strlen(p->name) == g->ntarget &&
	    strncmp(p->name, g->target, g->ntarget) == 0)
		return 1;
	/* "METHOD NAME" */
	if (p->method == NULL)
		return 0;
	ml = strlen(p->method);
	return ml + 1 + strlen(p->name) == g->ntarget &&
	    strncmp(g->target, p->method, ml) == 0 &&
	    g->target[ml] == ' ' &&
	    strncmp(g->target + ml + 1, p->name, g->ntarget - ml - 1) == 0;
}

/* For regressions: nonzero when a higher value is better. */
static int
higher_is_better(enum tally_perf_fig f)
{
	return f == TALLY_PF_RPS || f == TALLY_PF_REQUESTS;
}

int
tally_perf_gate_check(const struct tally_perf_gate *g,
    const struct tally_perf *p, const struct tally_perf *base, double *value)
{
	double v = tally_perf_fig_get(p, g->fig), b;

	*value = v;
	if (v < 0)
		return -1;
	switch (g->kind) {
	case TALLY_PG_MAX:
		return v > g->limit;
	case TALLY_PG_MIN:
		return v < g->limit;
	case TALLY_PG_REGRESSION:
		if (base == NULL || (b = tally_perf_fig_get(base, g->fig)) < 0)
			return -1;
		if (b == 0)
			*value = v == 0 ? 0 : higher_is_better(g->fig) ?
			    -INFINITY : INFINITY;
		else
			*value = 100.0 * (v - b) / b;
		if (higher_is_better(g->fig))
			return -*value > g->limit;
		return *value > g->limit;
	}
	return -1;
}

static int
same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

int
tally_perf_same_row(const struct tally_perf *a, const struct tally_perf *b)
{
	return same_str(a->name, b->name) && same_str(a->method, b->method);
}
