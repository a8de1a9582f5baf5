/*
 * lib/read/read_locust.c: the CSV files `locust --csv PREFIX` writes.  The
 * header row says which one:
 *
 *   PREFIX_stats.csv       one "perf" record per row, the "Aggregated"
 *                          row too (with the property aggregated=true);
 *   PREFIX_failures.csv    one failed "test" per row, named
 *                          "METHOD NAME: ERROR", Occurrences kept;
 *   PREFIX_exceptions.csv  one failed "test" per row, named after the
 *                          exception message, its traceback kept;
 *   PREFIX_stats_history.csv  the time series behind the totals in
 *                          _stats.csv: one "perf" record per endpoint
 *                          with the property series=locust-history and
 *                          its points as comma-separated properties
 *                          series.t (seconds from the first row),
 *                          series.rps, series.fail (failures per
 *                          second) and series.p95 ("-" where Locust
 *                          wrote N/A); requests and failures are the
 *                          last totals.  At most SERIES_MAX points are
 *                          kept per endpoint, every k-th when more.
 *
 * Rows are read one at a time by lib/read/csv.c.  Column names from every
 * Locust release since 0.x are understood.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv.h"
#include "internal.h"

/* ---- columns ---- */

enum role {
	R_NAME, R_METHOD, R_REQUESTS, R_FAILURES, R_MEDIAN, R_MEAN, R_MIN,
	R_MAX, R_RPS, R_P90, R_P95, R_P99,
	R_ERROR, R_OCCURRENCES, R_MESSAGE, R_TRACEBACK, R_COUNT, R_NODES,
	R_TIMESTAMP, R_TOTAL_REQUESTS, R_FAILRATE, R_TOTAL_FAILURES, R_NROLES
};

/* Column names, the first of each role as Locust 2 writes it. */
static const struct {
	enum role	 role;
	const char	*name;
} columns[] = {
	{ R_NAME, "Name" },
	{ R_METHOD, "Type" }, { R_METHOD, "Method" },
	{ R_REQUESTS, "Request Count" }, { R_REQUESTS, "# requests" },
	{ R_FAILURES, "Failure Count" }, { R_FAILURES, "# failures" },
	{ R_MEDIAN, "Median Response Time" },
	{ R_MEAN, "Average Response Time" },
	{ R_MIN, "Min Response Time" },
	{ R_MAX, "Max Response Time" },
	{ R_RPS, "Requests/s" },
	{ R_P90, "90%" }, { R_P95, "95%" }, { R_P99, "99%" },
	{ R_ERROR, "Error" },
	{ R_OCCURRENCES, "Occurrences" },
	{ R_MESSAGE, "Message" },
	{ R_TRACEBACK, "Traceback" },
	{ R_COUNT, "Count" },
	{ R_NODES, "Nodes" },
	{ R_TIMESTAMP, "Timestamp" },
	{ R_TOTAL_REQUESTS, "Total Request Count" },
	{ R_FAILRATE, "Failures/s" },
	{ R_TOTAL_FAILURES, "Total Failure Count" },
};

#define SERIES_MAX	2000

/* One endpoint's time series (_stats_history.csv). */
struct series {
	char		*name, *method;
	double		*v;		/* 4 per point: t, rps, fail, p95 */
	size_t		 n, cap;
	long		 seen;		/* rows, kept or not */
	long		 stride;	/* every stride-th row is kept */
	long		 requests, failures;
};

enum kind { K_STATS, K_HISTORY, K_FAILURES, K_EXCEPTIONS };

struct locust {
	struct tally_csv	 csv;
	struct tally_sink *sink;
	struct tally_error *err;
	const char	*source;
	enum kind	 kind;
	size_t		 ncols;
	char		*header;	/* copy of the header row's fields */
	const char	**col;		/* column names, into header */
	int		 role[R_NROLES];	/* column of each role, -1 */
	int		*rolecol;	/* role of each column, -1 */
	unsigned	 used;		/* roles the records hold */
	struct tally_kv	*props;
	struct tally_buf name;
	struct series	*ser;
	size_t		 nser;
	double		 t0;		/* first time stamp, -1 */
};

static const char *
role_name(enum role r)
{
	size_t i;

	for (i = 0; i < sizeof(columns) / sizeof(columns[0]); i++)
		if (columns[i].role == r)
			return columns[i].name;
	return "?";
}

static int
header(struct locust *l)
{
	struct tally_csv *c = &l->csv;
	size_t i, j;

	l->ncols = c->noff;
	if ((l->header = malloc(c->row.len + 1)) == NULL ||
	    (l->col = calloc(l->ncols, sizeof(*l->col))) == NULL ||
	    (l->rolecol = calloc(l->ncols, sizeof(*l->rolecol))) == NULL ||
	    (l->props = calloc(l->ncols + 2, sizeof(*l->props))) == NULL)
		return tally_error_set(l->err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	memcpy(l->header, c->row.data, c->row.len + 1);
	for (i = 0; i < R_NROLES; i++)
		l->role[i] = -1;
	for (i = 0; i < l->ncols; i++) {
		l->col[i] = l->header + c->off[i];
		if (i == 0 && strncmp(l->col[0], "\xEF\xBB\xBF", 3) == 0)
			l->col[0] += 3;		/* a byte order mark */
		l->rolecol[i] = -1;
		for (j = 0; j < sizeof(columns) / sizeof(columns[0]); j++)
			if (strcasecmp(l->col[i], columns[j].name) == 0 &&
			    l->role[columns[j].role] == -1) {
				l->role[columns[j].role] = (int)i;
				l->rolecol[i] = (int)columns[j].role;
				break;
			}
	}
#define HAS(r) (l->role[r] >= 0)
	if (HAS(R_NAME) && HAS(R_TIMESTAMP) && (HAS(R_TOTAL_REQUESTS) ||
	    HAS(R_REQUESTS)))
		l->kind = K_HISTORY;
	else if (HAS(R_NAME) && HAS(R_REQUESTS))
		l->kind = K_STATS;
	else if (HAS(R_NAME) && HAS(R_ERROR) && HAS(R_OCCURRENCES))
		l->kind = K_FAILURES;
	else if (HAS(R_MESSAGE) && HAS(R_TRACEBACK) && HAS(R_COUNT))
		l->kind = K_EXCEPTIONS;
	else
		return tally_error_set(l->err, TALLY_EPARSE, c->first, 0,
		    "not a Locust CSV header");
#undef HAS
	for (i = 0; i < R_NROLES; i++)
		l->used |= 1u << i;
	if (l->kind == K_FAILURES)
		l->used = 1u << R_NAME | 1u << R_METHOD | 1u << R_ERROR |
		    1u << R_OCCURRENCES;
	else if (l->kind == K_EXCEPTIONS)
		l->used = 1u << R_MESSAGE | 1u << R_TRACEBACK | 1u << R_COUNT;
	else
		l->used &= ~(1u << R_ERROR | 1u << R_OCCURRENCES |
		    1u << R_MESSAGE | 1u << R_TRACEBACK | 1u << R_COUNT |
		    1u << R_NODES | 1u << R_TIMESTAMP | 1u << R_TOTAL_REQUESTS |
		    1u << R_FAILRATE | 1u << R_TOTAL_FAILURES);
	return TALLY_OK;
}

static const char *
field(struct locust *l, enum role r)
{
	return l->role[r] >= 0 ? tally_csv_get(&l->csv, (size_t)l->role[r]) : NULL;
}

/* A number of a role into *out; -1 when empty or "N/A". */
static int
number(struct locust *l, enum role r, double *out)
{
	const char *s = field(l, r);
	char *end;
	double v;

	*out = -1;
	if (s == NULL)
		return TALLY_OK;
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0' || strcasecmp(s, "N/A") == 0)
		return TALLY_OK;
	errno = 0;
	v = strtod(s, &end);
	while (isspace((unsigned char)*end))
		end++;
	if (*end != '\0' || errno != 0 || !isfinite(v) || v < 0 ||
	    !(isdigit((unsigned char)*s) || *s == '.'))
		return tally_error_set(l->err, TALLY_EPARSE, l->csv.first,
		    l->role[r] + 1, "'%s' is not a number", role_name(r));
	*out = v;
	return TALLY_OK;
}

static int
count(struct locust *l, enum role r, long *out)
{
	double v;
	int rc;

	if ((rc = number(l, r, &v)) != TALLY_OK)
		return rc;
	if (v >= (double)LONG_MAX || v != floor(v))
		return tally_error_set(l->err, TALLY_EPARSE, l->csv.first,
		    l->role[r] + 1, "'%s' is not a count", role_name(r));
	*out = v < 0 ? -1 : (long)v;
	return TALLY_OK;
}

/* Columns no field of the record holds, as properties. */
static size_t
other_columns(struct locust *l)
{
	size_t i, n = 0;
	const char *v;

	for (i = 0; i < l->ncols; i++) {
		if (l->rolecol[i] >= 0 && (l->used & (1u << l->rolecol[i])))
			continue;
		if ((v = tally_csv_get(&l->csv, i)) == NULL || *v == '\0')
			continue;
		l->props[n].key = l->col[i];
		l->props[n++].value = v;
	}
	return n;
}

static int
stats_row(struct locust *l)
{
	struct tally_record rec;
	struct tally_perf *p = &rec.u.perf;
	const char *type = field(l, R_METHOD);
	size_t n;
	int rc;

	tally_record_init(&rec, TALLY_REC_PERF);
	rec.source = l->source;
	p->name = field(l, R_NAME);
	p->method = type != NULL && *type != '\0' ? type : NULL;
	if ((rc = count(l, R_REQUESTS, &p->requests)) != TALLY_OK ||
	    (rc = count(l, R_FAILURES, &p->failures)) != TALLY_OK ||
	    (rc = number(l, R_MEAN, &p->mean)) != TALLY_OK ||
	    (rc = number(l, R_MIN, &p->min)) != TALLY_OK ||
	    (rc = number(l, R_MAX, &p->max)) != TALLY_OK ||
	    (rc = number(l, R_MEDIAN, &p->median)) != TALLY_OK ||
	    (rc = number(l, R_P90, &p->p90)) != TALLY_OK ||
	    (rc = number(l, R_P95, &p->p95)) != TALLY_OK ||
	    (rc = number(l, R_P99, &p->p99)) != TALLY_OK ||
	    (rc = number(l, R_RPS, &p->rps)) != TALLY_OK)
		return rc;
	n = other_columns(l);
	/* Locust's default test file (-f), for collect --rules. */
	l->props[n].key = "testFile";
	l->props[n++].value = "locustfile.py";
	/* Locust >= 1 names the totals row "Aggregated", 0.x "Total". */
	if ((p->method == NULL || strcmp(p->method, "None") == 0) &&
	    (strcmp(p->name, "Aggregated") == 0 ||
	    strcmp(p->name, "Total") == 0)) {
		p->method = NULL;
		l->props[n].key = "aggregated";
		l->props[n++].value = "true";
	}
	p->properties = l->props;
	p->nproperties = n;
	return tally_sink_record(l->sink, &rec, l->err);
}

static int
failure_row(struct locust *l)
{
	struct tally_record rec;
	struct tally_test *t = &rec.u.test;
	const char *method = field(l, R_METHOD), *name = field(l, R_NAME);
	const char *error, *occ;
	size_t n;
	long k;
	int rc;

	tally_record_init(&rec, TALLY_REC_TEST);
	rec.source = l->source;
	t->status = TALLY_FAILED;
	tally_buf_reset(&l->name);
	if (l->kind == K_FAILURES) {
		error = field(l, R_ERROR);
		if (method != NULL && *method != '\0') {
			tally_buf_adds(&l->name, method);
			tally_buf_addc(&l->name, ' ');
		}
		tally_buf_adds(&l->name, name);
		tally_buf_adds(&l->name, ": ");
		tally_buf_adds(&l->name, error);
		t->raw_status = "failure";
		t->message = error;
		rc = count(l, R_OCCURRENCES, &k);
		occ = field(l, R_OCCURRENCES);
	} else {
		tally_buf_adds(&l->name, field(l, R_MESSAGE));
		t->raw_status = "exception";
		t->message = field(l, R_MESSAGE);
		t->trace = field(l, R_TRACEBACK);
		rc = count(l, R_COUNT, &k);
		occ = field(l, R_COUNT);
	}
	if (rc != TALLY_OK)
		return rc;
	if (l->name.data == NULL)
		return tally_error_set(l->err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	t->name = l->name.data;
	n = other_columns(l);
	if (occ != NULL && *occ != '\0') {
		l->props[n].key = "occurrences";
		l->props[n++].value = occ;
	}
	t->properties = l->props;
	t->nproperties = n;
	return tally_sink_record(l->sink, &rec, l->err);
}

static int
history_row(struct locust *l)
{
	const char *name = field(l, R_NAME), *type = field(l, R_METHOD);
	struct series *sr = NULL;
	double ts, rps, fail, p95, req, nf;
	size_t i;
	int rc;

	if ((rc = number(l, R_TIMESTAMP, &ts)) != TALLY_OK ||
	    (rc = number(l, R_RPS, &rps)) != TALLY_OK ||
	    (rc = number(l, R_FAILRATE, &fail)) != TALLY_OK ||
	    (rc = number(l, R_P95, &p95)) != TALLY_OK ||
	    (rc = number(l, l->role[R_TOTAL_REQUESTS] >= 0 ?
	    R_TOTAL_REQUESTS : R_REQUESTS, &req)) != TALLY_OK ||
	    (rc = number(l, R_TOTAL_FAILURES, &nf)) != TALLY_OK)
		return rc;
	if (type != NULL && (*type == '\0' || strcmp(type, "None") == 0))
		type = NULL;
	for (i = 0; i < l->nser && sr == NULL; i++)
		if (strcmp(l->ser[i].name, name) == 0 &&
		    (l->ser[i].method == NULL ? type == NULL :
		    type != NULL && strcmp(l->ser[i].method, type) == 0))
			sr = &l->ser[i];
	if (sr == NULL) {
		struct series *v = realloc(l->ser, (l->nser + 1) * sizeof(*v));

		if (v == NULL)
			goto nomem;
		l->ser = v;
		sr = &l->ser[l->nser];
		memset(sr, 0, sizeof(*sr));
		if ((sr->name = strdup(name)) == NULL ||
		    (type != NULL && (sr->method = strdup(type)) == NULL)) {
			free(sr->name);
			goto nomem;
		}
		sr->requests = sr->failures = -1;
		sr->stride = 1;
		l->nser++;
	}
	if (l->t0 < 0 && ts >= 0)
		l->t0 = ts;
	/* A count past what a long holds is not a count: keep the last. */
	sr->requests = req >= 0 && req < 9e18 ? (long)req : sr->requests;
	sr->failures = nf >= 0 && nf < 9e18 ? (long)nf : sr->failures;
	/* Past SERIES_MAX points, every other one goes: rows 0, 2k, 4k... */
	if (sr->n == SERIES_MAX) {
		for (i = 0; i < SERIES_MAX / 2; i++)
			memmove(&sr->v[4 * i], &sr->v[8 * i], 4 * sizeof(double));
		sr->n = SERIES_MAX / 2;
		sr->stride *= 2;
	}
	if (sr->seen++ % sr->stride != 0)
		return TALLY_OK;
	if (sr->n == sr->cap) {
		size_t cap = sr->cap ? sr->cap * 2 : 64;
		double *v = realloc(sr->v, cap * 4 * sizeof(*v));

		if (v == NULL)
			goto nomem;
		sr->v = v;
		sr->cap = cap;
	}
	sr->v[4 * sr->n] = ts >= 0 && l->t0 >= 0 ? ts - l->t0 : -1;
	sr->v[4 * sr->n + 1] = rps;
	sr->v[4 * sr->n + 2] = fail;
	sr->v[4 * sr->n + 3] = p95;
	sr->n++;
	return TALLY_OK;
nomem:
	return tally_error_set(l->err, TALLY_ENOMEM, 0, 0, "out of memory");
}

/* One series as a comma-separated list of its k-th numbers. */
static int
series_list(struct tally_buf *b, const struct series *sr, int k)
{
	size_t i;
	double v;
	int rc = TALLY_OK;

	tally_buf_reset(b);
	for (i = 0; i < sr->n && rc == TALLY_OK; i++) {
		v = sr->v[4 * i + k];
		rc = v < 0 ? tally_buf_printf(b, "%s-", i ? "," : "") :
		    tally_buf_printf(b, "%s%.6g", i ? "," : "", v);
	}
	if (rc == TALLY_OK && b->data == NULL)
		rc = tally_buf_adds(b, "");
	return rc;
}

static int
history_end(struct locust *l)
{
	static const char *const keys[4] = { "series.t", "series.rps",
	    "series.fail", "series.p95" };
	struct tally_buf b[4];
	struct tally_kv kv[5];
	struct tally_record rec;
	size_t i;
	int k, rc = TALLY_OK;

	for (k = 0; k < 4; k++)
		tally_buf_init(&b[k]);
	for (i = 0; i < l->nser && rc == TALLY_OK; i++) {
		struct series *sr = &l->ser[i];

		for (k = 0; k < 4 && rc == TALLY_OK; k++)
			rc = series_list(&b[k], sr, k);
		if (rc != TALLY_OK) {
			rc = tally_error_set(l->err, TALLY_ENOMEM, 0, 0,
			    "out of memory");
			break;
		}
		tally_record_init(&rec, TALLY_REC_PERF);
		rec.source = l->source;
		rec.u.perf.name = sr->name;
		rec.u.perf.method = sr->method;
		rec.u.perf.requests = sr->requests;
		rec.u.perf.failures = sr->failures;
		kv[0].key = "series";
		kv[0].value = "locust-history";
		for (k = 0; k < 4; k++) {
			kv[k + 1].key = keys[k];
			kv[k + 1].value = b[k].data;
		}
		rec.u.perf.properties = kv;
		rec.u.perf.nproperties = 5;
		rc = tally_sink_record(l->sink, &rec, l->err);
	}
	for (k = 0; k < 4; k++)
		tally_buf_free(&b[k]);
	return rc;
}

int
tally_read_locust(struct tally_src *src, struct tally_sink *sink,
    struct tally_error *err)
{
	struct locust l;
	int rc;

	memset(&l, 0, sizeof(l));
	l.csv.src = src;
	l.sink = sink;
	l.err = err;
	l.source = src->name;
	l.t0 = -1;
	tally_buf_init(&l.csv.line);
	tally_buf_init(&l.csv.row);
	tally_buf_init(&l.name);
	if ((rc = tally_csv_next(&l.csv, err)) == 0)
		rc = tally_error_set(err, TALLY_EPARSE, 1, 0, "empty input");
	if (rc == 1)
		rc = header(&l);
	while (rc == TALLY_OK) {
		if ((rc = tally_csv_next(&l.csv, err)) <= 0)
			break;
		if (l.csv.noff != l.ncols) {
			rc = tally_error_set(err, TALLY_EPARSE, l.csv.first, 0,
			    "row has %zu fields, the header %zu", l.csv.noff,
			    l.ncols);
			break;
		}
		switch (l.kind) {
		case K_STATS:
			rc = stats_row(&l);
			break;
		case K_FAILURES:
		case K_EXCEPTIONS:
			rc = failure_row(&l);
			break;
		case K_HISTORY:
			rc = history_row(&l);
			break;
		}
	}
	if (rc == TALLY_OK && l.kind == K_HISTORY)
		rc = history_end(&l);
	for (size_t i = 0; i < l.nser; i++) {
		free(l.ser[i].name);
		free(l.ser[i].method);
		free(l.ser[i].v);
	}
	free(l.ser);
	tally_buf_free(&l.csv.line);
	tally_buf_free(&l.csv.row);
	tally_buf_free(&l.name);
	free(l.csv.off);
	free(l.header);
	free(l.col);
	free(l.rolecol);
	free(l.props);
	return rc;
}
