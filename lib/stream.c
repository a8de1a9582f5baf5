/*
 * lib/stream.c: the record stream (tally-stream(5)): one JSON object per
 * line.  The writer is a sink; the reader turns each line back into a
 * record, so collect, merge and render all speak the same format.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <tally/stream.h>

#include "escape.h"
#include "jsonline.h"

/* ---- writer ---- */

struct writer {
	struct tally_sink	 sink;
	FILE			*fp;
	struct tally_buf	 b;
};

/*
 * Keys are this file's own constants, plain ASCII names: no escaping.
 * Inlined, so that their lengths are known when compiled.
 */
static inline __attribute__((always_inline)) void
w_key(struct tally_buf *b, const char *key)
{
	size_t n = strlen(key);

	if (n + 4 >= b->cap - b->len && tally_buf_reserve(b, n + 4) !=
	    TALLY_OK)
		return;
	b->data[b->len] = ',';
	b->data[b->len + 1] = '"';
	memcpy(b->data + b->len + 2, key, n);
	b->data[b->len + n + 2] = '"';
	b->data[b->len + n + 3] = ':';
	b->len += n + 4;
	b->data[b->len] = '\0';
}

/*
 * A word of tally's own (a type or status name, plain ASCII): quoted,
 * not escaped; none is null, as tally_esc_json_str writes it.
 */
static inline __attribute__((always_inline)) void
w_word(struct tally_buf *b, const char *w)
{
	size_t n;

	if (w == NULL) {
		tally_buf_add(b, "null", 4);
		return;
	}
	n = strlen(w);

	if (n + 2 >= b->cap - b->len && tally_buf_reserve(b, n + 2) !=
	    TALLY_OK)
		return;
	b->data[b->len] = '"';
	memcpy(b->data + b->len + 1, w, n);
	b->data[b->len + n + 1] = '"';
	b->len += n + 2;
	b->data[b->len] = '\0';
}

static inline __attribute__((always_inline)) void
w_str(struct tally_buf *b, const char *key, const char *v)
{
	if (v == NULL)
		return;
	w_key(b, key);
	tally_esc_json_str(b, v);
}

static void
w_int(struct tally_buf *b, long long v)
{
	(void)tally_buf_addll(b, v);
}

static void
w_num(struct tally_buf *b, const char *key, double v)
{
	if (v < 0 || !isfinite(v))
		return;
	w_key(b, key);
	if (v == floor(v) && v < 1e15 && !signbit(v))
		w_int(b, (long long)v);		/* the same as %.0f */
	else if (v == floor(v) && v < 1e15)
		tally_buf_printf(b, "%.0f", v);
	else
		tally_buf_printf(b, "%.15g", v);
}

static void
w_long(struct tally_buf *b, const char *key, long v, long absent)
{
	if (v == absent)
		return;
	w_key(b, key);
	w_int(b, v);
}

static void
w_strv(struct tally_buf *b, const char *key, const char **v, size_t n)
{
	size_t i;

	if (n == 0)
		return;
	w_key(b, key);
	tally_buf_addc(b, '[');
	for (i = 0; i < n; i++) {
		if (i > 0)
			tally_buf_addc(b, ',');
		tally_esc_json_str(b, v[i] ? v[i] : "");
	}
	tally_buf_addc(b, ']');
}

/* Ordered pairs with possible repeats: [{"name":..,"value":..},...]. */
static void
w_pairs(struct tally_buf *b, const char *key, const struct tally_kv *kv,
    size_t n)
{
	size_t i;

	if (n == 0)
		return;
	w_key(b, key);
	tally_buf_addc(b, '[');
	for (i = 0; i < n; i++) {
		tally_buf_adds(b, i > 0 ? ",{\"name\":" : "{\"name\":");
		tally_esc_json_str(b, kv[i].key ? kv[i].key : "");
		tally_buf_adds(b, ",\"value\":");
		tally_esc_json_str(b, kv[i].value ? kv[i].value : "");
		tally_buf_addc(b, '}');
	}
	tally_buf_addc(b, ']');
}

/* Unique keys: {"k":"v",...}; a repeated key keeps its last value. */
static void
w_map(struct tally_buf *b, const char *key, const struct tally_kv *kv,
    size_t n)
{
	size_t i, j;

	if (n == 0)
		return;
	w_key(b, key);
	tally_buf_addc(b, '{');
	for (i = 0; i < n; i++) {
		for (j = i + 1; j < n; j++)
			if (strcmp(kv[i].key ? kv[i].key : "",
			    kv[j].key ? kv[j].key : "") == 0)
				break;
		if (j < n)
			continue;
		if (b->data[b->len - 1] != '{')
			tally_buf_addc(b, ',');
		tally_esc_json_str(b, kv[i].key ? kv[i].key : "");
		tally_buf_addc(b, ':');
		tally_esc_json_str(b, kv[i].value ? kv[i].value : "");
	}
	tally_buf_addc(b, '}');
}

static void
w_attempts(struct tally_buf *b, const struct tally_attempt *a, size_t n)
{
	size_t i;

	if (n == 0)
		return;
	w_key(b, "retryAttempts");
	tally_buf_addc(b, '[');
	for (i = 0; i < n; i++) {
		tally_buf_adds(b, i > 0 ? ",{\"status\":" : "{\"status\":");
		tally_esc_json_str(b, tally_status_name(a[i].status));
		w_str(b, "rawStatus", a[i].raw_status);
		w_num(b, "duration", a[i].duration);
		w_str(b, "message", a[i].message);
		w_str(b, "errorType", a[i].type);
		w_str(b, "trace", a[i].trace);
		w_str(b, "stdout", a[i].stdout_text);
		w_str(b, "stderr", a[i].stderr_text);
		tally_buf_addc(b, '}');
	}
	tally_buf_addc(b, ']');
}

/* A summary record's members; their keys may be anyone's words. */
static void
w_fields(struct tally_buf *b, const struct tally_fields *f)
{
	const struct tally_field *x;
	size_t i, k;

	for (i = 0; i < f->nitems; i++) {
		x = &f->items[i];
		if (x->key == NULL || (x->str == NULL && x->strv == NULL &&
		    !isfinite(x->num)))
			continue;
		tally_buf_addc(b, ',');
		tally_esc_json_str(b, x->key);
		tally_buf_addc(b, ':');
		if (x->strv != NULL) {
			tally_buf_addc(b, '[');
			for (k = 0; k < x->nstrv; k++) {
				if (k > 0)
					tally_buf_addc(b, ',');
				tally_esc_json_str(b, x->strv[k] ?
				    x->strv[k] : "");
			}
			tally_buf_addc(b, ']');
		} else if (x->str != NULL)
			tally_esc_json_str(b, x->str);
		else if (x->num == floor(x->num) && fabs(x->num) < 1e15)
			w_int(b, (long long)x->num);
		else
			tally_buf_printf(b, "%.15g", x->num);
	}
}

int
tally_stream_format(struct tally_buf *b, const struct tally_record *r)
{
	tally_buf_add(b, "{\"v\":", 5);
	w_int(b, TALLY_STREAM_VERSION);
	tally_buf_add(b, ",\"type\":", 8);
	w_word(b, tally_type_name(r->type));
	switch (r->type) {
	case TALLY_REC_TEST: {
		const struct tally_test *t = &r->u.test;

		w_str(b, "name", t->name ? t->name : "");
		if (tally_status_name(t->status) != NULL) {
			w_key(b, "status");
			w_word(b, tally_status_name(t->status));
		}
		w_str(b, "rawStatus", t->raw_status);
		w_num(b, "duration", t->duration);
		w_strv(b, "suite", t->suite, t->nsuite);
		w_str(b, "classname", t->classname);
		w_str(b, "filePath", t->file_path);
		w_long(b, "line", t->line, 0);
		w_str(b, "category", t->category);
		w_str(b, "message", t->message);
		w_str(b, "errorType", t->type);
		w_str(b, "trace", t->trace);
		w_str(b, "stdout", t->stdout_text);
		w_str(b, "stderr", t->stderr_text);
		w_long(b, "retries", t->retries, 0);
		if (t->flaky)
			tally_buf_adds(b, ",\"flaky\":true");
		w_attempts(b, t->attempts, t->nattempts);
		w_pairs(b, "properties", t->properties, t->nproperties);
		w_str(b, "change", t->change);
		w_str(b, "durationChange", t->duration_change);
		w_num(b, "baseDuration", t->base_duration);
		break;
	}
	case TALLY_REC_SUITE: {
		const struct tally_suite *s = &r->u.suite;

		w_strv(b, "suite", s->path, s->npath);
		w_str(b, "timestamp", s->timestamp);
		w_str(b, "hostname", s->hostname);
		w_num(b, "duration", s->duration);
		w_long(b, "tests", s->tests, -1);
		w_long(b, "failures", s->failures, -1);
		w_long(b, "errors", s->errors, -1);
		w_long(b, "skipped", s->skipped, -1);
		w_str(b, "stdout", s->stdout_text);
		w_str(b, "stderr", s->stderr_text);
		w_pairs(b, "properties", s->properties, s->nproperties);
		break;
	}
	case TALLY_REC_META:
		w_map(b, "meta", r->u.meta.items, r->u.meta.nitems);
		break;
	case TALLY_REC_ERROR:
		w_long(b, "line", r->u.error.line, 0);
		w_long(b, "column", r->u.error.column, 0);
		w_str(b, "message", r->u.error.message ? r->u.error.message :
		    "");
		break;
	case TALLY_REC_PERF: {
		const struct tally_perf *p = &r->u.perf;

		w_str(b, "name", p->name ? p->name : "");
		w_str(b, "method", p->method);
		w_long(b, "requests", p->requests, -1);
		w_long(b, "failures", p->failures, -1);
		w_num(b, "mean", p->mean);
		w_num(b, "min", p->min);
		w_num(b, "max", p->max);
		w_num(b, "median", p->median);
		w_num(b, "p90", p->p90);
		w_num(b, "p95", p->p95);
		w_num(b, "p99", p->p99);
		w_num(b, "rps", p->rps);
		w_pairs(b, "properties", p->properties, p->nproperties);
		break;
	}
	case TALLY_REC_DIFF:
	case TALLY_REC_HISTORY:
	case TALLY_REC_RUN:
		w_fields(b, &r->u.fields);
		break;
	}
	w_str(b, "source", r->source);
	w_map(b, "labels", r->labels, r->nlabels);
	return tally_buf_add(b, "}\n", 2);
}

static int
writer_record(struct tally_sink *s, const struct tally_record *r,
    struct tally_error *err)
{
	struct writer *w = (struct writer *)s;

	tally_buf_reset(&w->b);
	if (tally_stream_format(&w->b, r) != TALLY_OK || w->b.data == NULL)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	/* Never a line the stream reader would refuse (a failure lost). */
	if (w->b.len - 1 > TALLY_MAX_LINE)
		return tally_error_set(err, TALLY_ELIMIT, 0, 0,
		    "record longer than %u bytes", TALLY_MAX_LINE);
	if (fwrite(w->b.data, 1, w->b.len, w->fp) != w->b.len)
		return tally_error_set(err, TALLY_EIO, 0, 0, "write error");
	return TALLY_OK;
}

static int
writer_end(struct tally_sink *s, struct tally_error *err)
{
	struct writer *w = (struct writer *)s;

	if (fflush(w->fp) != 0 || ferror(w->fp))
		return tally_error_set(err, TALLY_EIO, 0, 0, "write error");
	return TALLY_OK;
}

static void
writer_free(struct tally_sink *s)
{
	struct writer *w = (struct writer *)s;

	tally_buf_free(&w->b);
	free(w);
}

int
tally_stream_writer_new(struct tally_sink **out, FILE *fp)
{
	struct writer *w;

	*out = NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return TALLY_ENOMEM;
	w->sink.record = writer_record;
	w->sink.end = writer_end;
	w->sink.free = writer_free;
	w->fp = fp;
	tally_buf_init(&w->b);
	*out = &w->sink;
	return TALLY_OK;
}

/* ---- reader ---- */

/*
 * Each line is parsed by tally_jline_parse() (lib/json.c) into a flat
 * array of nodes whose strings the record borrows; the parser and the
 * arrays below are reused from line to line.
 */
struct rd {
	struct tally_jline jl;
	const char	**strv[2];
	size_t		  nstrv[2];
	struct tally_kv	 *kv[3];
	size_t		  nkv[3];
	struct tally_attempt *att;
	size_t		  natt;
	struct tally_field *fld;
	size_t		  nfld;
	const char	**fsv;
	size_t		  nfsv;
};

/*
 * The members of one object by name, found in one pass: a record has
 * some twenty fields to read.  The parser has refused duplicate keys,
 * so the order does not matter.  field_name is sorted (strcmp) for
 * bsearch.
 */
enum field {
	F_BASE_DURATION,
	F_CATEGORY,
	F_CHANGE,
	F_CLASSNAME,
	F_COLUMN,
	F_DURATION,
	F_DURATION_CHANGE,
	F_ERROR_TYPE,
	F_ERRORS,
	F_FAILURES,
	F_FILE_PATH,
	F_FLAKY,
	F_HOSTNAME,
	F_LABELS,
	F_LINE,
	F_MAX,
	F_MEAN,
	F_MEDIAN,
	F_MESSAGE,
	F_META,
	F_METHOD,
	F_MIN,
	F_NAME,
	F_P90,
	F_P95,
	F_P99,
	F_PROPERTIES,
	F_RAW_STATUS,
	F_REQUESTS,
	F_RETRIES,
	F_RETRY_ATTEMPTS,
	F_RPS,
	F_SKIPPED,
	F_SOURCE,
	F_STATUS,
	F_STDERR,
	F_STDOUT,
	F_SUITE,
	F_TESTS,
	F_TIMESTAMP,
	F_TRACE,
	F_TYPE,
	F_V,
	NFIELD
};

static const char *const field_name[NFIELD] = {
	"baseDuration", "category", "change", "classname", "column",
	"duration", "durationChange", "errorType",
	"errors", "failures", "filePath", "flaky", "hostname", "labels",
	"line", "max", "mean", "median", "message", "meta", "method",
	"min", "name", "p90", "p95", "p99", "properties", "rawStatus",
	"requests", "retries", "retryAttempts", "rps", "skipped", "source",
	"status", "stderr", "stdout", "suite", "tests", "timestamp",
	"trace", "type", "v",
};

/* strlen(field_name[i]) */
static const unsigned char field_len[NFIELD] = {
	12, 8, 6, 9, 6, 8, 14, 9, 6, 8, 8, 5, 8, 6, 4, 3, 4, 6, 7, 4, 6,
	3, 4, 3, 3, 3, 10, 9, 8, 7, 13, 3, 7, 6, 6, 6, 6, 5, 5, 9, 5, 4, 1,
};

struct fields {
	const struct tally_jnode *f[NFIELD];
};

/* The children of node o: for (c = FIRST(jl, o); c < END(jl, o); c = NEXT). */
#define J_FIRST(jl, o)	((o) + 1)
#define J_END(jl, o)	((size_t)(jl)->node[o].end)
#define J_NEXT(jl, c)	((size_t)(jl)->node[c].end)

/*
 * Where each name is in field_name, + 1, by FIELD_HASH: a perfect hash
 * of the 43 names (tests/check_stream.c field_names_hash checks it).
 */
#define FIELD_HASH(k, kl) (((unsigned char)(k)[0] * 31u + \
	(unsigned)(kl) * 47u + (unsigned char)(k)[(kl) - 1]) & 127u)

static const unsigned char field_slot[128] = {
	[0] = F_BASE_DURATION + 1, [2] = F_DURATION + 1,
	[5] = F_COLUMN + 1, [9] = F_CLASSNAME + 1,
	[10] = F_RETRIES + 1, [19] = F_DURATION_CHANGE + 1,
	[26] = F_SKIPPED + 1, [33] = F_LABELS + 1,
	[35] = F_TIMESTAMP + 1, [36] = F_RETRY_ATTEMPTS + 1,
	[45] = F_TYPE + 1, [46] = F_MIN + 1,
	[49] = F_METHOD + 1, [53] = F_LINE + 1,
	[56] = F_MAX + 1, [57] = F_REQUESTS + 1,
	[58] = F_FILE_PATH + 1, [59] = F_MEDIAN + 1,
	[61] = F_SUITE + 1, [62] = F_FLAKY + 1,
	[69] = F_FAILURES + 1, [71] = F_ERROR_TYPE + 1,
	[72] = F_ERRORS + 1, [77] = F_P90 + 1,
	[78] = F_RPS + 1, [80] = F_META + 1,
	[82] = F_P95 + 1, [86] = F_P99 + 1,
	[89] = F_PROPERTIES + 1, [92] = F_TRACE + 1,
	[93] = F_MEAN + 1, [97] = F_MESSAGE + 1,
	[104] = F_RAW_STATUS + 1, [106] = F_TESTS + 1,
	[108] = F_SOURCE + 1, [110] = F_CATEGORY + 1,
	[111] = F_V + 1, [115] = F_NAME + 1,
	[117] = F_HOSTNAME + 1, [121] = F_STDERR + 1,
	[122] = F_STATUS + 1, [123] = F_STDOUT + 1,
	[124] = F_CHANGE + 1,
};

/* The field named key (kl bytes), else -1. */
static inline int
field_of_n(const char *key, size_t kl)
{
	int i;

	if (kl == 0 || kl > 14)
		return -1;
	i = field_slot[FIELD_HASH(key, kl)] - 1;
	if (i < 0 || field_len[i] != kl ||
	    memcmp(key, field_name[i], kl) != 0)
		return -1;
	return i;
}

static int
field_of(const char *key)
{
	return field_of_n(key, strlen(key));
}

int
tally_stream_field(const char *key, const char **name)
{
	int i = field_of(key);

	*name = i >= 0 ? field_name[i] : NULL;
	return i;
}

static void
fields_of(const struct tally_jline *jl, size_t o, struct fields *x)
{
	size_t c;
	int k;

	memset(x, 0, sizeof(*x));
	for (c = J_FIRST(jl, o); c < J_END(jl, o); c = J_NEXT(jl, c))
		if ((k = field_of(jl->node[c].key)) >= 0)
			x->f[k] = &jl->node[c];
}

static const char *
j_str(const struct tally_jnode *x)
{
	return x != NULL && x->type == TALLY_JSTRING ? x->str : NULL;
}

/* The string, or NULL when absent or not a string. */
static const char *
f_str(const struct fields *x, enum field i)
{
	return j_str(x->f[i]);
}

/* A finite number (the parser refuses others), else -1. */
static int
f_num(const struct fields *x, enum field i, double *out)
{
	const struct tally_jnode *c = x->f[i];

	if (c == NULL || c->type != TALLY_JNUMBER || !isfinite(c->num))
		return -1;
	*out = c->num;
	return 0;
}

/* A string member of object node o, else NULL. */
static const char *
member_str(const struct tally_jline *jl, size_t o, const char *key)
{
	size_t c;

	if (jl->node[o].type != TALLY_JOBJECT)
		return NULL;
	for (c = J_FIRST(jl, o); c < J_END(jl, o); c = J_NEXT(jl, c))
		if (strcmp(jl->node[c].key, key) == 0)
			return j_str(&jl->node[c]);
	return NULL;
}

static int
grow(void **p, size_t *cap, size_t want, size_t elem)
{
	void *q;

	if (want <= *cap)
		return 0;
	if ((q = realloc(*p, want * elem)) == NULL)
		return -1;
	*p = q;
	*cap = want;
	return 0;
}

static int
r_strv(struct rd *rd, int slot, const struct tally_jnode *a,
    const char ***out, size_t *n)
{
	const struct tally_jline *jl = &rd->jl;
	size_t i = 0, o, c;

	*out = NULL;
	*n = 0;
	if (a == NULL)
		return 0;
	if (a->type == TALLY_JSTRING) {		/* a lone suite name */
		if (grow((void **)&rd->strv[slot], &rd->nstrv[slot], 1,
		    sizeof(char *)))
			return TALLY_ENOMEM;
		rd->strv[slot][0] = a->str;
		*out = rd->strv[slot];
		*n = 1;
		return 0;
	}
	if (a->type != TALLY_JARRAY)
		return TALLY_EPARSE;
	if (grow((void **)&rd->strv[slot], &rd->nstrv[slot], a->n + 1,
	    sizeof(char *)))
		return TALLY_ENOMEM;
	o = (size_t)(a - jl->node);
	for (c = J_FIRST(jl, o); c < J_END(jl, o); c = J_NEXT(jl, c)) {
		if (jl->node[c].type != TALLY_JSTRING)
			return TALLY_EPARSE;
		rd->strv[slot][i++] = jl->node[c].str;
	}
	*out = rd->strv[slot];
	*n = i;
	return 0;
}

/* Pairs from [{"name":..,"value":..}] or from {"k":"v"}. */
static int
r_kv(struct rd *rd, int slot, const struct tally_jnode *a,
    struct tally_kv **out, size_t *n)
{
	const struct tally_jline *jl = &rd->jl;
	size_t i = 0, o, c;

	*out = NULL;
	*n = 0;
	if (a == NULL)
		return 0;
	if (a->type != TALLY_JARRAY && a->type != TALLY_JOBJECT)
		return TALLY_EPARSE;
	if (grow((void **)&rd->kv[slot], &rd->nkv[slot], a->n + 1,
	    sizeof(struct tally_kv)))
		return TALLY_ENOMEM;
	o = (size_t)(a - jl->node);
	for (c = J_FIRST(jl, o); c < J_END(jl, o); c = J_NEXT(jl, c)) {
		struct tally_kv *kv = &rd->kv[slot][i++];

		if (a->type == TALLY_JOBJECT) {
			if (jl->node[c].type != TALLY_JSTRING)
				return TALLY_EPARSE;
			kv->key = jl->node[c].key;
			kv->value = jl->node[c].str;
		} else {
			kv->key = member_str(jl, c, "name");
			kv->value = member_str(jl, c, "value");
			if (kv->key == NULL)
				return TALLY_EPARSE;
			if (kv->value == NULL)
				kv->value = "";
		}
	}
	*out = rd->kv[slot];
	*n = i;
	return 0;
}

static double
r_num(const struct fields *o, enum field key, double absent)
{
	double v;

	return f_num(o, key, &v) == 0 && v >= 0 ? v : absent;
}

/*
 * A line number or a count: absent unless below 1e15, so that it fits a
 * long and sums and "+ 1" on it cannot overflow either.
 */
static long
r_long(const struct fields *o, enum field key, long absent)
{
	double v = r_num(o, key, -1);

	return v >= 0 && v < 1e15 ? (long)v : absent;
}

static int
r_status(const struct fields *o, enum tally_status *st)
{
	const char *s = f_str(o, F_STATUS);

	if (s == NULL || tally_status_parse(s, st) != TALLY_OK)
		return TALLY_EPARSE;
	return 0;
}

static int
r_test(struct rd *rd, const struct fields *o, struct tally_test *t)
{
	const struct tally_jline *jl = &rd->jl;
	const struct tally_jnode *a;
	struct fields ca;
	size_t i = 0, ao, c;
	int rc;

	t->name = f_str(o, F_NAME);
	if (t->name == NULL || r_status(o, &t->status))
		return TALLY_EPARSE;
	t->raw_status = f_str(o, F_RAW_STATUS);
	t->duration = r_num(o, F_DURATION, -1);
	t->classname = f_str(o, F_CLASSNAME);
	t->file_path = f_str(o, F_FILE_PATH);
	t->line = r_long(o, F_LINE, 0);
	t->category = f_str(o, F_CATEGORY);
	t->message = f_str(o, F_MESSAGE);
	t->type = f_str(o, F_ERROR_TYPE);
	t->trace = f_str(o, F_TRACE);
	t->stdout_text = f_str(o, F_STDOUT);
	t->stderr_text = f_str(o, F_STDERR);
	t->retries = r_long(o, F_RETRIES, 0);
	t->flaky = o->f[F_FLAKY] != NULL && o->f[F_FLAKY]->type == TALLY_JTRUE;
	t->change = f_str(o, F_CHANGE);
	t->duration_change = f_str(o, F_DURATION_CHANGE);
	t->base_duration = r_num(o, F_BASE_DURATION, -1);
	if ((rc = r_strv(rd, 0, o->f[F_SUITE], &t->suite, &t->nsuite)) != 0)
		return rc;
	if ((rc = r_kv(rd, 1, o->f[F_PROPERTIES], &t->properties,
	    &t->nproperties)) != 0)
		return rc;
	a = o->f[F_RETRY_ATTEMPTS];
	if (a == NULL)
		return 0;
	if (a->type != TALLY_JARRAY)
		return TALLY_EPARSE;
	if (grow((void **)&rd->att, &rd->natt, a->n + 1, sizeof(*rd->att)))
		return TALLY_ENOMEM;
	ao = (size_t)(a - jl->node);
	for (c = J_FIRST(jl, ao); c < J_END(jl, ao); c = J_NEXT(jl, c)) {
		struct tally_attempt *at = &rd->att[i++];

		memset(at, 0, sizeof(*at));
		if (jl->node[c].type != TALLY_JOBJECT)
			return TALLY_EPARSE;
		fields_of(jl, c, &ca);
		if (r_status(&ca, &at->status))
			return TALLY_EPARSE;
		at->raw_status = f_str(&ca, F_RAW_STATUS);
		at->duration = r_num(&ca, F_DURATION, -1);
		at->message = f_str(&ca, F_MESSAGE);
		at->type = f_str(&ca, F_ERROR_TYPE);
		at->trace = f_str(&ca, F_TRACE);
		at->stdout_text = f_str(&ca, F_STDOUT);
		at->stderr_text = f_str(&ca, F_STDERR);
	}
	t->attempts = rd->att;
	t->nattempts = i;
	return 0;
}

/*
 * A summary record: every string, array of strings or finite number but
 * the envelope.
 */
static int
r_fields(struct rd *rd, struct tally_fields *f)
{
	static const char *const envelope[] = { "v", "type", "source",
	    "labels" };
	const struct tally_jline *jl = &rd->jl;
	const struct tally_jnode *x;
	size_t i, n = 0, ns = 0, c, e;

	/* The strings of every array first: fsv must not move later. */
	for (c = J_FIRST(jl, 0); c < J_END(jl, 0); c = J_NEXT(jl, c))
		if (jl->node[c].type == TALLY_JARRAY)
			ns += jl->node[c].n;
	if (grow((void **)&rd->fld, &rd->nfld, jl->node[0].n + 1,
	    sizeof(*rd->fld)) ||
	    grow((void **)&rd->fsv, &rd->nfsv, ns + 1, sizeof(*rd->fsv)))
		return TALLY_ENOMEM;
	ns = 0;
	for (c = J_FIRST(jl, 0); c < J_END(jl, 0); c = J_NEXT(jl, c)) {
		x = &jl->node[c];
		for (i = 0; i < sizeof(envelope) / sizeof(envelope[0]); i++)
			if (strcmp(x->key, envelope[i]) == 0)
				break;
		if (i < sizeof(envelope) / sizeof(envelope[0]))
			continue;
		memset(&rd->fld[n], 0, sizeof(rd->fld[n]));
		rd->fld[n].key = x->key;
		if (x->type == TALLY_JSTRING)
			rd->fld[n].str = x->str;
		else if (x->type == TALLY_JNUMBER && isfinite(x->num))
			rd->fld[n].num = x->num;
		else if (x->type == TALLY_JARRAY) {
			rd->fld[n].strv = &rd->fsv[ns];
			for (e = J_FIRST(jl, c); e < J_END(jl, c);
			    e = J_NEXT(jl, e)) {
				if (jl->node[e].type != TALLY_JSTRING)
					return TALLY_EPARSE;
				rd->fsv[ns++] = jl->node[e].str;
				rd->fld[n].nstrv++;
			}
		} else
			continue;
		n++;
	}
	f->items = rd->fld;
	f->nitems = n;
	return 0;
}

/* The record of the root object, whose members are in o. */
static int
r_record(struct rd *rd, const struct fields *o, struct tally_record *r)
{
	enum tally_type type;
	double v;
	int rc;

	if (f_num(o, F_V, &v) != 0 || v < 1)
		return TALLY_EPARSE;
	if (v > TALLY_STREAM_VERSION)
		return TALLY_EINVAL;
	if (tally_type_parse(f_str(o, F_TYPE), &type) != TALLY_OK)
		return TALLY_EPARSE;
	tally_record_init(r, type);
	r->source = f_str(o, F_SOURCE);
	if ((rc = r_kv(rd, 0, o->f[F_LABELS], &r->labels, &r->nlabels)) != 0)
		return rc;
	switch (type) {
	case TALLY_REC_TEST:
		return r_test(rd, o, &r->u.test);
	case TALLY_REC_SUITE: {
		struct tally_suite *s = &r->u.suite;

		s->timestamp = f_str(o, F_TIMESTAMP);
		s->hostname = f_str(o, F_HOSTNAME);
		s->duration = r_num(o, F_DURATION, -1);
		s->tests = r_long(o, F_TESTS, -1);
		s->failures = r_long(o, F_FAILURES, -1);
		s->errors = r_long(o, F_ERRORS, -1);
		s->skipped = r_long(o, F_SKIPPED, -1);
		s->stdout_text = f_str(o, F_STDOUT);
		s->stderr_text = f_str(o, F_STDERR);
		if ((rc = r_strv(rd, 0, o->f[F_SUITE], &s->path,
		    &s->npath)) != 0)
			return rc;
		return r_kv(rd, 1, o->f[F_PROPERTIES], &s->properties,
		    &s->nproperties);
	}
	case TALLY_REC_META:
		return r_kv(rd, 2, o->f[F_META], &r->u.meta.items,
		    &r->u.meta.nitems);
	case TALLY_REC_ERROR:
		r->u.error.line = r_long(o, F_LINE, 0);
		r->u.error.column = r_long(o, F_COLUMN, 0);
		r->u.error.message = f_str(o, F_MESSAGE);
		return r->u.error.message ? 0 : TALLY_EPARSE;
	case TALLY_REC_PERF: {
		struct tally_perf *p = &r->u.perf;

		p->name = f_str(o, F_NAME);
		p->method = f_str(o, F_METHOD);
		p->requests = r_long(o, F_REQUESTS, -1);
		p->failures = r_long(o, F_FAILURES, -1);
		p->mean = r_num(o, F_MEAN, -1);
		p->min = r_num(o, F_MIN, -1);
		p->max = r_num(o, F_MAX, -1);
		p->median = r_num(o, F_MEDIAN, -1);
		p->p90 = r_num(o, F_P90, -1);
		p->p95 = r_num(o, F_P95, -1);
		p->p99 = r_num(o, F_P99, -1);
		p->rps = r_num(o, F_RPS, -1);
		if (p->name == NULL)
			return TALLY_EPARSE;
		return r_kv(rd, 1, o->f[F_PROPERTIES], &p->properties,
		    &p->nproperties);
	}
	case TALLY_REC_DIFF:
	case TALLY_REC_HISTORY:
	case TALLY_REC_RUN:
		return r_fields(rd, &r->u.fields);
	}
	return TALLY_EPARSE;
}

/* ---- the common line ---- */

int tally_stream_fast = 1;

/*
 * A line as tally writes it (no white space, no escape, plain numbers,
 * every member of the record one this reader knows) is read here in one
 * pass, its strings ended in place, into the nodes tally_jline_parse()
 * would make and the record's members: about half the work.  Anything
 * else is declined, the line as it was, for tally_jline_parse(), which
 * reads it or says what is wrong with it.
 */
#define FAST_KEYS	32	/* members of one object it compares */

struct fp {
	struct tally_jline	*d;
	char			*p;
	char			*last;	/* the last quote ended, or NULL */
	/* The root's members: field and node. */
	int			 rootk[FAST_KEYS];
	size_t			 rootx[FAST_KEYS];
	size_t			 nroot;
};

#define FNONE	((size_t)-1)
#define LINE_PAD 16	/* zero bytes after a line's NUL (fstring) */

#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL
/* The high bit of each zero byte of v, and maybe of bytes after one. */
#define ZEROS(v) (((v) - ONES) & ~(v) & HIGHS)

/*
 * A string without escapes at f->p (its quote), ended in place.  Sixteen
 * bytes a turn where SSE2 is (x86-64 always), else eight: the line has
 * sixteen zero bytes after its NUL (see tally_read_stream), and the
 * first quote, backslash or NUL of a block is its lowest flagged byte.
 */
static inline __attribute__((always_inline)) const char *
fstring(struct fp *f, size_t *len)
{
	char *s = f->p + 1, *e = s;
#ifdef __SSE2__
	__m128i blk;
	unsigned m;

	for (;; e += 16) {
		blk = _mm_loadu_si128((const __m128i *)(const void *)e);
		m = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(
		    _mm_cmpeq_epi8(blk, _mm_set1_epi8('"')),
		    _mm_cmpeq_epi8(blk, _mm_set1_epi8('\\'))),
		    _mm_cmpeq_epi8(blk, _mm_setzero_si128())));
		if (m != 0) {
			e += __builtin_ctz(m);
			break;
		}
	}
#else
	uint64_t w, m;

	for (;; e += 8) {
		memcpy(&w, e, 8);
		m = ZEROS(w) | ZEROS(w ^ (ONES * '"')) |
		    ZEROS(w ^ (ONES * '\\'));
		if (m != 0) {
			e += __builtin_ctzll(m) / 8;
			break;
		}
	}
#endif
	if (*e != '"')
		return NULL;
	f->last = e;
	*e = '\0';
	*len = (size_t)(e - s);
	f->p = e + 1;
	return s;
}

/*
 * A number as the general parser reads it (cJSON's strtod() over the run
 * of number characters, plain integers of up to 15 digits exactly), the
 * whole run, finite, and followed by what ends a value.
 */
static int
fnumber(struct fp *f, double *out)
{
	char *s = f->p, *end, c;
	size_t n;
	int plain;
	double v;

	/* The zero padding after the line ends the run. */
	n = tally_jnum_run((const unsigned char *)s, SIZE_MAX, &plain, out);
	if (s[n] != ',' && s[n] != '}' && s[n] != ']')
		return -1;
	if (plain) {
		f->p += n;
		return 0;
	}
	c = s[n];
	s[n] = '\0';
	v = strtod(s, &end);
	s[n] = c;
	if (end != s + n || !isfinite(v))
		return -1;
	*out = v;
	f->p += n;
	return 0;
}

/* The literal w (n bytes) at f->p, passed over; else -1. */
static int
fword(struct fp *f, const char *w, size_t n)
{
	if (strncmp(f->p, w, n) != 0)
		return -1;
	f->p += n;
	return 0;
}

static int fvalue(struct fp *f, const char *key, int level);

/* The object or array at f->p, node x, its values at level. */
static int
fcontainer(struct fp *f, size_t x, int level, int object)
{
	const char *key = NULL, *keys[FAST_KEYS];
	size_t kl, lens[FAST_KEYS], n = 0, nk = 0, i;
	uint64_t seen = 0;
	char close = object ? '}' : ']';
	int k = -1;

	/* Deeper values are checked, not kept: the general parser's. */
	if (level > TALLY_JLINE_KEEP)
		return -1;
	f->p++;
	if (*f->p != close)
		for (;;) {
			if (object) {
				if (*f->p != '"' || n == FAST_KEYS ||
				    (key = fstring(f, &kl)) == NULL ||
				    *f->p++ != ':')
					return -1;
				/* The record's own members, each once. */
				if (level == 1 && (k = field_of_n(key,
				    kl)) >= 0) {
					if (seen >> k & 1)
						return -1;
					seen |= (uint64_t)1 << k;
					f->rootk[f->nroot] = k;
					f->rootx[f->nroot++] = f->d->nnode;
				} else {
					/* A name twice: the general parser
					 * says so. */
					for (i = 0; i < nk; i++)
						if (lens[i] == kl && memcmp(
						    keys[i], key, kl) == 0)
							return -1;
					keys[nk] = key;
					lens[nk++] = kl;
				}
			}
			if (fvalue(f, key, level) != 0)
				return -1;
			n++;
			if (*f->p == close)
				break;
			if (*f->p++ != ',')
				return -1;
		}
	f->p++;
	f->d->node[x].end = (uint32_t)f->d->nnode;
	f->d->node[x].n = (uint32_t)n;
	return 0;
}

static int
fvalue(struct fp *f, const char *key, int level)
{
	size_t x, sl;
	const char *str;
	double v;

	if ((x = tally_jline_push(f->d, key, TALLY_JNULL)) == FNONE)
		return -1;
	switch (*f->p) {
	case '"':
		if ((str = fstring(f, &sl)) == NULL)
			return -1;
		f->d->node[x].type = TALLY_JSTRING;
		f->d->node[x].str = str;
		return 0;
	case '{':
	case '[':
		f->d->node[x].type = *f->p == '[' ? TALLY_JARRAY :
		    TALLY_JOBJECT;
		return fcontainer(f, x, level + 1, *f->p == '{');
	case 'n':
		return fword(f, "null", 4);
	case 't':
		f->d->node[x].type = TALLY_JTRUE;
		return fword(f, "true", 4);
	case 'f':
		f->d->node[x].type = TALLY_JFALSE;
		return fword(f, "false", 5);
	}
	if (*f->p != '-' && (*f->p < '0' || *f->p > '9'))
		return -1;
	if (fnumber(f, &v) != 0)
		return -1;
	f->d->node[x].type = TALLY_JNUMBER;
	f->d->node[x].num = v;
	return 0;
}

/* 1 with rd's nodes and the root's members in o, or 0, line as it was. */
static int
fast_line(struct rd *rd, char *buf, size_t len, struct fields *o)
{
	struct fp f;
	size_t i;

	rd->jl.nnode = rd->jl.nstr = rd->jl.nkey = 0;
	if (len < 2 || buf[0] != '{' || buf[len - 1] != '}')
		return 0;
	f.d = &rd->jl;
	f.p = buf;
	f.last = NULL;
	f.nroot = 0;
	if (fvalue(&f, NULL, 0) == 0 && f.p == buf + len) {
		memset(o, 0, sizeof(*o));
		for (i = 0; i < f.nroot; i++)
			o->f[f.rootk[i]] = &rd->jl.node[f.rootx[i]];
		return 1;
	}
	/*
	 * Every byte read before a fault is in a string, or a NUL ends the
	 * string or the value: the NULs up to the last quote ended are
	 * those quotes.
	 */
	for (; f.last != NULL && f.last >= buf; f.last--)
		if (*f.last == '\0')
			*f.last = '"';
	rd->jl.nnode = 0;
	return 0;
}

int
tally_read_stream(struct tally_src *src, struct tally_sink *sink,
    struct tally_error *err)
{
	struct tally_record rec;
	struct tally_buf line;
	struct fields fx;
	struct rd rd;
	long lineno;
	size_t i;
	int rc, st = TALLY_OK;

	memset(&rd, 0, sizeof(rd));
	tally_jline_init(&rd.jl);
	tally_buf_init(&line);
	while ((rc = tally_src_getline(src, &line, TALLY_MAX_LINE)) == 1) {
		lineno = src->line;
		for (i = 0; i < line.len && strchr(" \t", line.data[i]); i++)
			;
		if (i == line.len)
			continue;
		/* The line as tally writes it; anything else in full.  Zero
		 * bytes after it let fast_line() read blocks. */
		if (tally_buf_reserve(&line, LINE_PAD) != TALLY_OK) {
			st = tally_error_set(err, TALLY_ENOMEM, lineno, 0,
			    "out of memory");
			break;
		}
		memset(line.data + line.len, 0, LINE_PAD + 1);
		if (tally_stream_fast == 0 ||
		    !fast_line(&rd, line.data, line.len, &fx)) {
			if (tally_stream_fast < 0) {
				st = tally_error_set(err, TALLY_EPARSE, lineno,
				    0, "not a line as tally writes it");
				break;
			}
			if ((st = tally_jline_parse(&rd.jl, line.data,
			    line.len, lineno, err)) != TALLY_OK)
				break;
			if (rd.jl.node[0].type != TALLY_JOBJECT)
				rc = TALLY_EPARSE;
			else {
				fields_of(&rd.jl, 0, &fx);
				rc = r_record(&rd, &fx, &rec);
			}
		} else
			rc = r_record(&rd, &fx, &rec);
		if (rc == TALLY_EINVAL)
			st = tally_error_set(err, TALLY_EPARSE, lineno, 0,
			    "record version is newer than this tally reads");
		else if (rc == TALLY_ENOMEM)
			st = tally_error_set(err, TALLY_ENOMEM, lineno, 0,
			    "out of memory");
		else if (rc != 0)
			st = tally_error_set(err, TALLY_EPARSE, lineno, 0,
			    "not a tally record");
		else
			st = tally_sink_record(sink, &rec, err);
		if (st != TALLY_OK)
			break;
	}
	if (st == TALLY_OK && rc == TALLY_ELIMIT)
		st = tally_error_set(err, TALLY_ELIMIT, src->line + 1, 0,
		    "line longer than %u bytes", TALLY_MAX_LINE);
	else if (st == TALLY_OK && rc < 0)
		st = tally_error_set(err, rc, src->line + 1, 0, "read error");
	tally_buf_free(&line);
	tally_jline_free(&rd.jl);
	free(rd.strv[0]);
	free(rd.strv[1]);
	free(rd.kv[0]);
	free(rd.kv[1]);
	free(rd.kv[2]);
	free(rd.att);
	free(rd.fld);
	free(rd.fsv);
	return st;
}
