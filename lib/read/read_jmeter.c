/*
 * lib/read/read_jmeter.c: JMeter results (.jtl), CSV or XML, aggregated
 * per label into "perf" records as JMeter's Aggregate Report shows them,
 * then a "TOTAL" row of every sample (property aggregated=true).
 *
 *   CSV   a header row naming the columns (jmeter.save.saveservice.
 *         print_field_names, the default since JMeter 3): any subset of
 *         timeStamp, elapsed, label, responseCode, success, SampleCount,
 *         ErrorCount, ... in any order, label required; or no header and
 *         the default columns of JMeter 2.13 or 3.1 and later.  Every row is a sample,
 *         sub-samples (a redirect's "NAME-0") too, as JMeter's listeners
 *         count a CSV file.
 *   XML   <testResults> with <httpSample> and <sample> elements: t
 *         (elapsed), ts, s (success), lb, rc, sc, ec.  Samples nested in
 *         a sample are its parts and not counted again, as JMeter's
 *         listeners count an XML file.
 *
 * Percentiles are exact, with JMeter's own rule (StatCalculator's
 * getPercentPoint): the smallest elapsed time whose cumulative count
 * reaches round(count * p).  They come from a count of each distinct
 * elapsed time per label, so memory grows with the distinct times
 * (JMeter writes whole milliseconds: a few thousand per label at most),
 * not with the samples.  Throughput is samples divided by the time from
 * the first sample's start to the last one's end (timeStamp is the
 * start, JMeter's default).  Response codes are counted per label as
 * properties "responseCode.CODE".
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/xmlreader.h>

#include "csv.h"
#include "internal.h"

#define MAX_CODES	64	/* distinct response codes kept per label */

/* Distinct elapsed times and how often each came. */
struct hist {
	double		*v;
	long		*n;
	size_t		 used, cap;	/* cap a power of two, or 0 */
};

struct code {
	char		*code;
	long		 n;
};

struct label {
	char		*name;
	long		 n, fail;
	double		 sum, min, max;
	double		 first, last;	/* ms since the epoch, -1 */
	struct hist	 h;
	struct code	 codes[MAX_CODES];
	size_t		 ncodes;
	long		 other_codes;
};

struct jm {
	struct tally_sink	*sink;
	struct tally_error	*err;
	const char		*source;
	struct label		**v;	/* in the order first seen */
	size_t			 n, cap;
	size_t			*slot;	/* hash of names: index + 1, or 0 */
	size_t			 nslot;
	struct label		 total;
	int			 timed;	/* some sample had an elapsed time */
};

/* One sample as a row or element gives it. */
struct sample {
	const char	*label;
	double		 elapsed;	/* ms, -1 when not given */
	double		 ts;		/* ms since the epoch, -1 */
	int		 ok;
	const char	*code;
	long		 count, errors;	/* SampleCount, ErrorCount */
};

static uint64_t
hash_bytes(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 1469598103934665603ull;

	while (n-- > 0)
		h = (h ^ *s++) * 1099511628211ull;
	return h;
}

static int
hist_add(struct hist *h, double v, long n)
{
	size_t i, cap;
	uint64_t k;

	if (v == 0)
		v = 0;		/* -0 and 0 are one time */
	if (h->used * 2 >= h->cap) {
		struct hist g;

		cap = h->cap ? h->cap * 2 : 64;
		memset(&g, 0, sizeof(g));
		if ((g.v = malloc(cap * sizeof(*g.v))) == NULL ||
		    (g.n = calloc(cap, sizeof(*g.n))) == NULL) {
			free(g.v);
			return TALLY_ENOMEM;
		}
		g.cap = cap;
		for (i = 0; i < h->cap; i++)
			if (h->n[i] > 0 && hist_add(&g, h->v[i], h->n[i]) !=
			    TALLY_OK)
				return TALLY_ENOMEM;	/* cannot happen */
		free(h->v);
		free(h->n);
		*h = g;
	}
	k = hash_bytes(&v, sizeof(v));
	for (i = (size_t)k & (h->cap - 1);; i = (i + 1) & (h->cap - 1)) {
		if (h->n[i] == 0) {
			h->v[i] = v;
			h->n[i] = n;
			h->used++;
			return TALLY_OK;
		}
		if (h->v[i] == v) {
			h->n[i] += n;
			return TALLY_OK;
		}
	}
}

static int
cmp_pair(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * The percentiles of a label: its distinct times sorted, then JMeter's
 * rule.  Fills p->median, p90, p95, p99.
 */
static int
percentiles(const struct label *l, struct tally_perf *p)
{
	static const double pct[] = { 0.5, 0.9, 0.95, 0.99 };
	double *out[] = { &p->median, &p->p90, &p->p95, &p->p99 };
	double (*pairs)[2];
	size_t i, k, m = 0;
	long long target;

	if (l->h.used == 0)
		return TALLY_OK;
	if ((pairs = malloc(l->h.used * sizeof(*pairs))) == NULL)
		return TALLY_ENOMEM;
	for (i = 0; i < l->h.cap; i++)
		if (l->h.n[i] > 0) {
			pairs[m][0] = l->h.v[i];
			pairs[m++][1] = (double)l->h.n[i];
		}
	qsort(pairs, m, sizeof(*pairs), cmp_pair);
	for (k = 0; k < 4; k++) {
		/* Java's Math.round: floor(x + 0.5). */
		target = (long long)floor((double)l->n * pct[k] + 0.5);
		*out[k] = pairs[m - 1][0];
		for (i = 0; i < m; i++) {
			target -= (long long)pairs[i][1];
			if (target <= 0) {
				*out[k] = pairs[i][0];
				break;
			}
		}
	}
	free(pairs);
	return TALLY_OK;
}

static void
label_free(struct label *l)
{
	size_t i;

	free(l->name);
	free(l->h.v);
	free(l->h.n);
	for (i = 0; i < l->ncodes; i++)
		free(l->codes[i].code);
}

static void
label_init(struct label *l)
{
	memset(l, 0, sizeof(*l));
	l->min = l->max = l->first = l->last = -1;
}

static int
grow_slots(struct jm *j)
{
	size_t n = j->nslot ? j->nslot * 2 : 64, i, s;
	size_t *slot;

	if ((slot = calloc(n, sizeof(*slot))) == NULL)
		return TALLY_ENOMEM;
	for (i = 0; i < j->n; i++) {
		s = (size_t)hash_bytes(j->v[i]->name, strlen(j->v[i]->name)) &
		    (n - 1);
		while (slot[s] != 0)
			s = (s + 1) & (n - 1);
		slot[s] = i + 1;
	}
	free(j->slot);
	j->slot = slot;
	j->nslot = n;
	return TALLY_OK;
}

/* The label called name, made when new; NULL when out of memory. */
static struct label *
label_get(struct jm *j, const char *name)
{
	struct label *l, **v;
	size_t s;

	if ((j->n + 1) * 2 > j->nslot && grow_slots(j) != TALLY_OK)
		return NULL;
	s = (size_t)hash_bytes(name, strlen(name)) & (j->nslot - 1);
	for (; j->slot[s] != 0; s = (s + 1) & (j->nslot - 1))
		if (strcmp(j->v[j->slot[s] - 1]->name, name) == 0)
			return j->v[j->slot[s] - 1];
	if (j->n == j->cap) {
		size_t cap = j->cap ? j->cap * 2 : 16;

		if ((v = realloc(j->v, cap * sizeof(*v))) == NULL)
			return NULL;
		j->v = v;
		j->cap = cap;
	}
	if ((l = malloc(sizeof(*l))) == NULL)
		return NULL;
	label_init(l);
	if ((l->name = strdup(name)) == NULL) {
		free(l);
		return NULL;
	}
	j->v[j->n++] = l;
	j->slot[s] = j->n;
	return l;
}

static int
add_code(struct label *l, const char *code, long n)
{
	size_t i;

	if (code == NULL || *code == '\0')
		return TALLY_OK;
	for (i = 0; i < l->ncodes; i++)
		if (strcmp(l->codes[i].code, code) == 0) {
			l->codes[i].n += n;
			return TALLY_OK;
		}
	if (l->ncodes == MAX_CODES) {
		l->other_codes += n;
		return TALLY_OK;
	}
	if ((l->codes[l->ncodes].code = strdup(code)) == NULL)
		return TALLY_ENOMEM;
	l->codes[l->ncodes++].n = n;
	return TALLY_OK;
}

static int
label_add(struct label *l, const struct sample *s)
{
	long n = s->count;
	double v, end;

	l->n += n;
	l->fail += s->errors;
	if (s->elapsed >= 0) {
		/* A batch of samples: each took its share (StatCalculator). */
		v = s->elapsed / (double)n;
		l->sum += v * (double)n;
		if (l->min < 0 || v < l->min)
			l->min = v;
		if (v > l->max)
			l->max = v;
		if (hist_add(&l->h, v, n) != TALLY_OK)
			return TALLY_ENOMEM;
	}
	if (s->ts >= 0) {
		end = s->ts + (s->elapsed > 0 ? s->elapsed : 0);
		if (l->first < 0 || s->ts < l->first)
			l->first = s->ts;
		if (end > l->last)
			l->last = end;
	}
	return add_code(l, s->code, n);
}

static int
sample(struct jm *j, const struct sample *s)
{
	struct label *l;

	if (s->elapsed >= 0)
		j->timed = 1;
	if ((l = label_get(j, s->label)) == NULL ||
	    label_add(l, s) != TALLY_OK || label_add(&j->total, s) != TALLY_OK)
		return tally_error_set(j->err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	return TALLY_OK;
}

static int
emit(struct jm *j, struct label *l, int total)
{
	struct tally_record rec;
	struct tally_perf *p = &rec.u.perf;
	struct tally_kv kv[MAX_CODES + 2];
	char keys[MAX_CODES + 1][80], vals[MAX_CODES + 1][24];
	size_t i, n = 0;

	tally_record_init(&rec, TALLY_REC_PERF);
	rec.source = j->source;
	p->name = l->name;
	p->requests = l->n;
	p->failures = l->fail;
	if (l->h.used > 0) {
		p->mean = l->sum / (double)l->n;
		p->min = l->min;
		p->max = l->max;
		if (percentiles(l, p) != TALLY_OK)
			return tally_error_set(j->err, TALLY_ENOMEM, 0, 0,
			    "out of memory");
	}
	if (l->first >= 0 && l->last > l->first)
		p->rps = (double)l->n * 1000.0 / (l->last - l->first);
	for (i = 0; i < l->ncodes; i++) {
		snprintf(keys[n], sizeof(keys[n]), "responseCode.%.60s",
		    l->codes[i].code);
		snprintf(vals[n], sizeof(vals[n]), "%ld", l->codes[i].n);
		kv[n].key = keys[n];
		kv[n].value = vals[n];
		n++;
	}
	if (l->other_codes > 0) {
		snprintf(keys[n], sizeof(keys[n]), "responseCode.other");
		snprintf(vals[n], sizeof(vals[n]), "%ld", l->other_codes);
		kv[n].key = keys[n];
		kv[n].value = vals[n];
		n++;
	}
	if (total) {
		kv[n].key = "aggregated";
		kv[n++].value = "true";
	}
	p->properties = kv;
	p->nproperties = n;
	return tally_sink_record(j->sink, &rec, j->err);
}

static int
finish(struct jm *j, int rc)
{
	size_t i;

	for (i = 0; rc == TALLY_OK && i < j->n; i++)
		rc = emit(j, j->v[i], 0);
	if (rc == TALLY_OK && j->n > 0) {
		j->total.name = "TOTAL";
		rc = emit(j, &j->total, 1);
	}
	j->total.name = NULL;
	for (i = 0; i < j->n; i++) {
		label_free(j->v[i]);
		free(j->v[i]);
	}
	label_free(&j->total);
	free(j->v);
	free(j->slot);
	return rc;
}

/* ---- values ---- */

/* A non-negative number (integer or not), or -1 with *bad set. */
static double
number(const char *s, int *bad)
{
	char *end;
	double v;

	if (s == NULL)
		return -1;
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	while (isspace((unsigned char)*end))
		end++;
	if (*end != '\0' || errno != 0 || !isfinite(v) || v < 0 ||
	    !(isdigit((unsigned char)*s) || *s == '.')) {
		*bad = 1;
		return -1;
	}
	return v;
}

/* JMeter writes success as true/false. */
static int
success(const char *s)
{
	return s == NULL || *s == '\0' || strcasecmp(s, "true") == 0;
}

/* Fill s from the given strings; a message in why on a bad value. */
static const char *
make_sample(struct sample *s, const char *label, const char *elapsed,
    const char *ts, const char *ok, const char *code, const char *count,
    const char *errors)
{
	int bad = 0;
	double c, e;

	memset(s, 0, sizeof(*s));
	s->label = label != NULL ? label : "";
	s->code = code;
	s->elapsed = number(elapsed, &bad);
	if (bad)
		return "elapsed time is not a number";
	s->ts = number(ts, &bad);
	if (bad)
		return "time stamp is not a number";
	if (s->ts > 1e15)
		s->ts = -1;
	if (s->elapsed > 1e12)
		return "elapsed time out of range";
	c = number(count, &bad);
	if (bad || c > 1e9 || (c >= 0 && c != floor(c)))
		return "sample count is not a count";
	e = number(errors, &bad);
	if (bad || e > 1e9 || (e >= 0 && e != floor(e)))
		return "error count is not a count";
	s->count = c >= 1 ? (long)c : 1;
	s->ok = success(ok);
	s->errors = e >= 0 ? (long)e : !s->ok;
	if (s->errors > s->count)
		return "more errors than samples";
	return NULL;
}

/* ---- CSV ---- */

enum col { C_TS, C_ELAPSED, C_LABEL, C_CODE, C_SUCCESS, C_COUNT, C_ERRORS,
	C_NCOLS };

static const char *const colnames[C_NCOLS] = {
	"timeStamp", "elapsed", "label", "responseCode", "success",
	"SampleCount", "ErrorCount"
};

/*
 * A file without field names (print_field_names=false, JMeter 2's
 * default): the default columns of JMeter 2.13 (12) or of JMeter 3.1 and
 * later (17), recognised by their count and a time stamp first.
 */
static int
default_columns(const struct tally_csv *c, int *col)
{
	const char *f = tally_csv_get(c, 0);

	if (f == NULL || *f == '\0' || strspn(f, "0123456789") != strlen(f) ||
	    (c->noff != 12 && c->noff != 17))
		return 0;
	col[C_TS] = 0;
	col[C_ELAPSED] = 1;
	col[C_LABEL] = 2;
	col[C_CODE] = 3;
	col[C_SUCCESS] = 7;
	return 1;
}

static int
csv_sample(struct jm *j, const struct tally_csv *c, const int *col)
{
	const char *why;
	struct sample s;

#define F(k) (col[k] >= 0 ? tally_csv_get(c, (size_t)col[k]) : NULL)
	why = make_sample(&s, F(C_LABEL), F(C_ELAPSED), F(C_TS),
	    F(C_SUCCESS), F(C_CODE), F(C_COUNT), F(C_ERRORS));
#undef F
	if (why != NULL)
		return tally_error_set(j->err, TALLY_EPARSE, c->first, 0,
		    "%s", why);
	return sample(j, &s);
}

static int
read_csv(struct jm *j, struct tally_src *src)
{
	struct tally_csv c;
	const char *f;
	int col[C_NCOLS];
	size_t i, k, ncols = 0;
	int rc;

	tally_csv_init(&c, src);
	for (k = 0; k < C_NCOLS; k++)
		col[k] = -1;
	if ((rc = tally_csv_next(&c, j->err)) == 0)
		rc = tally_error_set(j->err, TALLY_EPARSE, 1, 0,
		    "empty input");
	if (rc == 1) {
		ncols = c.noff;
		for (i = 0; i < ncols; i++) {
			f = tally_csv_get(&c, i);
			if (i == 0 && strncmp(f, "\xEF\xBB\xBF", 3) == 0)
				f += 3;
			for (k = 0; k < C_NCOLS; k++)
				if (strcmp(f, colnames[k]) == 0 && col[k] < 0)
					col[k] = (int)i;
		}
		rc = TALLY_OK;
		if (col[C_LABEL] >= 0)
			;
		else if (default_columns(&c, col))
			rc = csv_sample(j, &c, col);
		else
			rc = tally_error_set(j->err, TALLY_EPARSE, c.first, 0,
			    "not a JMeter CSV header: no 'label' column, nor "
			    "JMeter's default columns");
	}
	while (rc == TALLY_OK && (rc = tally_csv_next(&c, j->err)) == 1) {
		rc = TALLY_OK;
		if (c.noff != ncols) {
			rc = tally_error_set(j->err, TALLY_EPARSE, c.first, 0,
			    "row has %zu fields, the header %zu", c.noff,
			    ncols);
			break;
		}
		rc = csv_sample(j, &c, col);
	}
	tally_csv_free(&c);
	return rc;
}

/* ---- XML ---- */

struct jx {
	struct jm	*j;
	struct tally_xml *x;
	int		 depth;
	int		 root;		/* saw <testResults> */
	int		 in_sample;	/* depth of the counted sample, 0 */
};

static int
xml_start(void *arg, const char *name)
{
	struct jx *x = arg;
	xmlTextReaderPtr r = tally_xml_reader(x->x);
	char *a[7];
	static const char *const attrs[7] = { "lb", "t", "ts", "s", "rc",
	    "sc", "ec" };
	const char *why;
	struct sample s;
	size_t i;
	int rc;

	if (x->depth == 0) {
		if (strcmp(name, "testResults") != 0)
			return tally_xml_fail(x->x, x->j->err, TALLY_EPARSE,
			    "not a JMeter XML file: root <%s>, not "
			    "<testResults>", name);
		x->root = 1;
		return TALLY_OK;
	}
	if (x->in_sample != 0 ||
	    (strcmp(name, "httpSample") != 0 && strcmp(name, "sample") != 0))
		return TALLY_OK;
	if (xmlTextReaderIsEmptyElement(r) != 1)
		x->in_sample = x->depth + 1;	/* its depth inside it */
	for (i = 0; i < 7; i++)
		a[i] = (char *)xmlTextReaderGetAttribute(r,
		    (const xmlChar *)attrs[i]);
	why = make_sample(&s, a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
	rc = why != NULL ? tally_xml_fail(x->x, x->j->err, TALLY_EPARSE,
	    "<%s>: %s", name, why) : sample(x->j, &s);
	for (i = 0; i < 7; i++)
		xmlFree(a[i]);
	return rc;
}

static int
xml_end(void *arg)
{
	struct jx *x = arg;

	/* Called after depth dropped: the element ending was at depth. */
	if (x->in_sample == x->depth + 1)
		x->in_sample = 0;
	return TALLY_OK;
}

static int
read_xml(struct jm *j, struct tally_src *src)
{
	static const struct tally_xml_events ev = { xml_start, xml_end, NULL };
	struct jx x;
	int rc;

	memset(&x, 0, sizeof(x));
	x.j = j;
	if ((rc = tally_xml_open(&x.x, src, 1, j->err)) != TALLY_OK)
		return rc;
	rc = tally_xml_walk(x.x, &ev, &x, &x.depth, j->err);
	if (rc == TALLY_OK && !x.root)
		rc = tally_error_set(j->err, TALLY_EPARSE, 0, 0,
		    "not a JMeter XML file: no <testResults>");
	tally_xml_close(x.x);
	return rc;
}

int
tally_read_jmeter(struct tally_src *src, struct tally_sink *sink,
    struct tally_error *err)
{
	struct jm j;
	const unsigned char *h;
	size_t n, i = 0;
	int rc;

	memset(&j, 0, sizeof(j));
	j.sink = sink;
	j.err = err;
	j.source = src->name;
	label_init(&j.total);
	if ((rc = tally_src_peek(src, 256, &h, &n)) != TALLY_OK)
		return tally_error_set(err, rc, 0, 0, "read error");
	if (n >= 3 && memcmp(h, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < n && isspace(h[i]))
		i++;
	rc = i < n && h[i] == '<' ? read_xml(&j, src) : read_csv(&j, src);
	return finish(&j, rc);
}
