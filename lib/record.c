/* lib/record.c: record names, deep copies and test identity. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *status_names[TALLY_NSTATUS] = {
	"passed", "failed", "skipped", "pending", "other"
};

static const char *type_names[] = {
	NULL, "test", "suite", "meta", "error", "perf", "diff",
	"history", "run"
};

const char *
tally_status_name(enum tally_status st)
{
	return (unsigned)st < TALLY_NSTATUS ? status_names[st] : NULL;
}

int
tally_status_parse(const char *s, enum tally_status *out)
{
	int i;

	for (i = 0; s != NULL && i < TALLY_NSTATUS; i++)
		if (strcmp(s, status_names[i]) == 0) {
			*out = (enum tally_status)i;
			return TALLY_OK;
		}
	return TALLY_EINVAL;
}

const char *
tally_type_name(enum tally_type t)
{
	return t >= TALLY_REC_TEST && t <= TALLY_REC_RUN ? type_names[t] : NULL;
}

int
tally_type_parse(const char *s, enum tally_type *out)
{
	int i;

	for (i = TALLY_REC_TEST; s != NULL && i <= TALLY_REC_RUN; i++)
		if (strcmp(s, type_names[i]) == 0) {
			*out = (enum tally_type)i;
			return TALLY_OK;
		}
	return TALLY_EINVAL;
}

void
tally_record_init(struct tally_record *rec, enum tally_type type)
{
	memset(rec, 0, sizeof(*rec));
	rec->type = type;
	switch (type) {
	case TALLY_REC_TEST:
		rec->u.test.duration = -1;
		rec->u.test.base_duration = -1;
		break;
	case TALLY_REC_SUITE:
		rec->u.suite.duration = -1;
		rec->u.suite.tests = rec->u.suite.failures = -1;
		rec->u.suite.errors = rec->u.suite.skipped = -1;
		break;
	case TALLY_REC_PERF:
		rec->u.perf.requests = rec->u.perf.failures = -1;
		rec->u.perf.mean = rec->u.perf.min = rec->u.perf.max = -1;
		rec->u.perf.median = rec->u.perf.p90 = rec->u.perf.p95 = -1;
		rec->u.perf.p99 = rec->u.perf.rps = -1;
		break;
	default:
		break;
	}
}

const struct tally_field *
tally_field_get(const struct tally_fields *f, const char *key)
{
	size_t i;

	for (i = 0; i < f->nitems; i++)
		if (f->items[i].key != NULL && strcmp(f->items[i].key, key) == 0)
			return &f->items[i];
	return NULL;
}

const char *
tally_kv_get(const struct tally_kv *kv, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (kv[i].key != NULL && strcmp(kv[i].key, key) == 0)
			return kv[i].value;
	return NULL;
}

/* Deep copies: each helper records a failure in *bad and keeps going. */
static const char *
dup_str(const char *s, int *bad)
{
	char *p;

	if (s == NULL)
		return NULL;
	if ((p = strdup(s)) == NULL)
		*bad = 1;
	return p;
}

static struct tally_kv *
dup_kv(const struct tally_kv *kv, size_t n, int *bad)
{
	struct tally_kv *p;
	size_t i;

	if (n == 0)
		return NULL;
	if ((p = calloc(n, sizeof(*p))) == NULL) {
		*bad = 1;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		p[i].key = dup_str(kv[i].key, bad);
		p[i].value = dup_str(kv[i].value, bad);
	}
	return p;
}

static const char **
dup_strv(const char **v, size_t n, int *bad)
{
	const char **p;
	size_t i;

	if (n == 0)
		return NULL;
	if ((p = calloc(n, sizeof(*p))) == NULL) {
		*bad = 1;
		return NULL;
	}
	for (i = 0; i < n; i++)
		p[i] = dup_str(v[i], bad);
	return p;
}

static void
free_kv(struct tally_kv *kv, size_t n)
{
	size_t i;

	if (kv == NULL)
		return;
	for (i = 0; i < n; i++) {
		free((char *)kv[i].key);
		free((char *)kv[i].value);
	}
	free(kv);
}

static void
free_strv(const char **v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free((char *)v[i]);
	free(v);
}

static void
dup_attempt(struct tally_attempt *d, const struct tally_attempt *s, int *bad)
{
	*d = *s;
	d->raw_status = dup_str(s->raw_status, bad);
	d->message = dup_str(s->message, bad);
	d->type = dup_str(s->type, bad);
	d->trace = dup_str(s->trace, bad);
	d->stdout_text = dup_str(s->stdout_text, bad);
	d->stderr_text = dup_str(s->stderr_text, bad);
}

static void
free_attempt(struct tally_attempt *a)
{
	free((char *)a->raw_status);
	free((char *)a->message);
	free((char *)a->type);
	free((char *)a->trace);
	free((char *)a->stdout_text);
	free((char *)a->stderr_text);
}

int
tally_record_dup(const struct tally_record *rec, struct tally_record **out)
{
	struct tally_record *r;
	int bad = 0;
	size_t i;

	*out = NULL;
	if ((r = malloc(sizeof(*r))) == NULL)
		return TALLY_ENOMEM;
	*r = *rec;
	r->source = dup_str(rec->source, &bad);
	r->labels = dup_kv(rec->labels, rec->nlabels, &bad);
	switch (rec->type) {
	case TALLY_REC_TEST: {
		const struct tally_test *s = &rec->u.test;
		struct tally_test *d = &r->u.test;

		d->name = dup_str(s->name, &bad);
		d->classname = dup_str(s->classname, &bad);
		d->suite = dup_strv(s->suite, s->nsuite, &bad);
		d->raw_status = dup_str(s->raw_status, &bad);
		d->message = dup_str(s->message, &bad);
		d->type = dup_str(s->type, &bad);
		d->trace = dup_str(s->trace, &bad);
		d->stdout_text = dup_str(s->stdout_text, &bad);
		d->stderr_text = dup_str(s->stderr_text, &bad);
		d->file_path = dup_str(s->file_path, &bad);
		d->category = dup_str(s->category, &bad);
		d->properties = dup_kv(s->properties, s->nproperties, &bad);
		d->change = dup_str(s->change, &bad);
		d->duration_change = dup_str(s->duration_change, &bad);
		d->attempts = NULL;
		if (s->nattempts > 0) {
			d->attempts = calloc(s->nattempts, sizeof(*d->attempts));
			if (d->attempts == NULL)
				bad = 1;
			for (i = 0; d->attempts && i < s->nattempts; i++)
				dup_attempt(&d->attempts[i], &s->attempts[i],
				    &bad);
		}
		break;
	}
	case TALLY_REC_SUITE: {
		const struct tally_suite *s = &rec->u.suite;
		struct tally_suite *d = &r->u.suite;

		d->path = dup_strv(s->path, s->npath, &bad);
		d->timestamp = dup_str(s->timestamp, &bad);
		d->hostname = dup_str(s->hostname, &bad);
		d->stdout_text = dup_str(s->stdout_text, &bad);
		d->stderr_text = dup_str(s->stderr_text, &bad);
		d->properties = dup_kv(s->properties, s->nproperties, &bad);
		break;
	}
	case TALLY_REC_META:
		r->u.meta.items = dup_kv(rec->u.meta.items, rec->u.meta.nitems,
		    &bad);
		break;
	case TALLY_REC_ERROR:
		r->u.error.message = dup_str(rec->u.error.message, &bad);
		break;
	case TALLY_REC_PERF:
		r->u.perf.name = dup_str(rec->u.perf.name, &bad);
		r->u.perf.method = dup_str(rec->u.perf.method, &bad);
		r->u.perf.properties = dup_kv(rec->u.perf.properties,
		    rec->u.perf.nproperties, &bad);
		break;
	case TALLY_REC_DIFF:
	case TALLY_REC_HISTORY:
	case TALLY_REC_RUN: {
		const struct tally_fields *s = &rec->u.fields;
		struct tally_fields *d = &r->u.fields;

		d->items = NULL;
		if (s->nitems > 0 && (d->items = calloc(s->nitems,
		    sizeof(*d->items))) == NULL)
			bad = 1;
		for (i = 0; d->items != NULL && i < s->nitems; i++) {
			d->items[i] = s->items[i];
			d->items[i].key = dup_str(s->items[i].key, &bad);
			d->items[i].str = dup_str(s->items[i].str, &bad);
			d->items[i].strv = s->items[i].strv == NULL ? NULL :
			    dup_strv(s->items[i].strv, s->items[i].nstrv,
			    &bad);
			if (s->items[i].strv != NULL &&
			    d->items[i].strv == NULL)
				d->items[i].strv = calloc(1, sizeof(char *));
			if (s->items[i].strv != NULL &&
			    d->items[i].strv == NULL)
				bad = 1;
		}
		break;
	}
	}
	if (bad) {
		tally_record_free(r);
		return TALLY_ENOMEM;
	}
	*out = r;
	return TALLY_OK;
}

void
tally_record_free(struct tally_record *r)
{
	size_t i;

	if (r == NULL)
		return;
	free((char *)r->source);
	free_kv(r->labels, r->nlabels);
	switch (r->type) {
	case TALLY_REC_TEST: {
		struct tally_test *t = &r->u.test;

		free((char *)t->name);
		free((char *)t->classname);
		free_strv(t->suite, t->nsuite);
		free((char *)t->raw_status);
		free((char *)t->message);
		free((char *)t->type);
		free((char *)t->trace);
		free((char *)t->stdout_text);
		free((char *)t->stderr_text);
		free((char *)t->file_path);
		free((char *)t->category);
		free_kv(t->properties, t->nproperties);
		free((char *)t->change);
		free((char *)t->duration_change);
		for (i = 0; t->attempts != NULL && i < t->nattempts; i++)
			free_attempt(&t->attempts[i]);
		free(t->attempts);
		break;
	}
	case TALLY_REC_SUITE:
		free_strv(r->u.suite.path, r->u.suite.npath);
		free((char *)r->u.suite.timestamp);
		free((char *)r->u.suite.hostname);
		free((char *)r->u.suite.stdout_text);
		free((char *)r->u.suite.stderr_text);
		free_kv(r->u.suite.properties, r->u.suite.nproperties);
		break;
	case TALLY_REC_META:
		free_kv(r->u.meta.items, r->u.meta.nitems);
		break;
	case TALLY_REC_ERROR:
		free((char *)r->u.error.message);
		break;
	case TALLY_REC_PERF:
		free((char *)r->u.perf.name);
		free((char *)r->u.perf.method);
		free_kv(r->u.perf.properties, r->u.perf.nproperties);
		break;
	case TALLY_REC_DIFF:
	case TALLY_REC_HISTORY:
	case TALLY_REC_RUN:
		for (i = 0; r->u.fields.items != NULL &&
		    i < r->u.fields.nitems; i++) {
			free((char *)r->u.fields.items[i].key);
			free((char *)r->u.fields.items[i].str);
			if (r->u.fields.items[i].nstrv > 0)
				free_strv(r->u.fields.items[i].strv,
				    r->u.fields.items[i].nstrv);
			else
				free(r->u.fields.items[i].strv);
		}
		free(r->u.fields.items);
		break;
	}
	free(r);
}

static int
kv_cmp(const void *a, const void *b)
{
	const struct tally_kv *x = a, *y = b;

	return strcmp(x->key ? x->key : "", y->key ? y->key : "");
}

/*
 * Parts are separated by bytes that never occur in UTF-8 text (0xFD,
 * 0xFE, 0xFF), so no choice of names can make two different tests
 * collide; not even a label key holding '=' ("a=b"="c" and "a"="b=c").
 */
int
tally_test_key(const struct tally_record *rec, char **out)
{
	const struct tally_test *t = &rec->u.test;
	struct tally_kv *sorted = NULL;
	struct tally_buf b;
	size_t i;
	int rc = TALLY_OK;

	*out = NULL;
	tally_buf_init(&b);
	if (rec->nlabels > 0) {
		sorted = malloc(rec->nlabels * sizeof(*sorted));
		if (sorted == NULL)
			return TALLY_ENOMEM;
		memcpy(sorted, rec->labels, rec->nlabels * sizeof(*sorted));
		qsort(sorted, rec->nlabels, sizeof(*sorted), kv_cmp);
	}
	for (i = 0; i < rec->nlabels; i++) {
		if (sorted[i].key != NULL &&
		    strcmp(sorted[i].key, TALLY_LABEL_SHARD) == 0)
			continue;
		rc |= tally_buf_adds(&b, sorted[i].key ? sorted[i].key : "");
		rc |= tally_buf_addc(&b, (char)0xFD);
		rc |= tally_buf_adds(&b, sorted[i].value ? sorted[i].value : "");
		rc |= tally_buf_addc(&b, (char)0xFE);
	}
	rc |= tally_buf_addc(&b, (char)0xFF);
	for (i = 0; i < t->nsuite; i++) {
		rc |= tally_buf_adds(&b, t->suite[i] ? t->suite[i] : "");
		rc |= tally_buf_addc(&b, (char)0xFE);
	}
	rc |= tally_buf_addc(&b, (char)0xFF);
	rc |= tally_buf_adds(&b, t->classname ? t->classname : "");
	rc |= tally_buf_addc(&b, (char)0xFF);
	rc |= tally_buf_adds(&b, t->name ? t->name : "");
	free(sorted);
	if (rc != TALLY_OK) {
		tally_buf_free(&b);
		return TALLY_ENOMEM;
	}
	*out = tally_buf_detach(&b);
	return *out ? TALLY_OK : TALLY_ENOMEM;
}
