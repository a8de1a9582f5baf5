/*
 * lib/merge.c: the merge table.  Shards are a union, reruns of the same
 * test become one record, exact duplicates collapse, and the result does
 * not depend on the order records arrive in.
 *
 * Records carry no reliable timestamp, so "the last attempt" cannot be
 * read from the input.  Instead every test identity (tally_test_key)
 * collects the multiset of its attempts, and the merged record is a pure
 * function of that multiset:
 *
 * - A record contributes its own result (status, rawStatus, duration,
 *   message, errorType, trace, stdout, stderr) plus each of its
 *   retryAttempts.  CTRF lists the final attempt inside retryAttempts
 *   too; when retries == nattempts - 1 and the last attempt has the
 *   record's status (and is not marked as an earlier run, see below),
 *   that attempt is the record itself and is dropped.
 * - Attempts with equal content are the same attempt.  Within one record
 *   each is counted (three identical Surefire rerunFailures are three
 *   attempts); across records the larger count wins, so a file collected
 *   twice counts once.  The price: two separate reruns whose results are
 *   identical in every field, duration included, count as one.
 * - The final status is the best one seen: passed, else failed, else
 *   other, else pending, else skipped.  A rerun tool stops at the first
 *   pass, so a pass is always the last attempt.  Among attempts of that
 *   status, one the producer marked as an earlier run (rawStatus
 *   rerunFailure, flakyError, ...) is not the final one.
 * - retryAttempts lists the other attempts in a canonical order (worse
 *   status first, then by content); retries counts them plus attempts a
 *   producer counted but did not list; flaky is set when the final status
 *   is passed and some attempt failed (or a producer said flaky).
 * - Fields that describe the test rather than a run are joined: source,
 *   category, filePath/line and the shard label (not part of the
 *   identity, see record.h) take the smallest value given; properties
 *   stay as they are when every record has the same list, else become
 *   the sorted union.
 *
 * Suite, error and perf records pass through; identical ones (same
 * stream line, labels sorted) collapse.  Meta records are split into
 * their items, equal items collapse, and items are regrouped per label
 * set.  Output order: meta, suites, tests by key, errors, perf.
 *
 * Because every rule is a union, a maximum or a minimum, merging is
 * associative, commutative and idempotent.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <tally/merge.h>

#include "internal.h"

/* One distinct attempt of a test and how often it was seen. */
struct att {
	struct tally_attempt	 a;	/* owns its strings */
	size_t			 count;
	uint64_t		 h;	/* att_hash */
};

/* One test identity; the key is stored inline (one allocation). */
struct tentry {
	struct tally_record	*rec;	/* identity and test-level fields */
	struct att		*att;
	size_t			 natt, catt;
	size_t			*idx;	/* att index + 1, 0 empty; or NULL */
	size_t			 idxcap;
	long			 extra;	/* counted but unlisted attempts */
	int			 flaky;	/* a producer said flaky */
	int			 mixed;	/* properties became a union */
	char			 key[];	/* tally_test_key */
};

/* Any other record, or one meta item, under its stream line. */
struct oentry {
	struct tally_record	*rec;
	char			 line[];
};

/* An empty slot has val NULL; the key is inside val, at keyoff. */
struct slot {
	uint64_t	 h;
	void		*val;
};

struct htab {
	struct slot	*s;
	size_t		 cap, n;
	size_t		 keyoff;
};

#define SLOT_KEY(t, sl) ((const char *)(sl)->val + (t)->keyoff)

struct tally_merge {
	struct htab		 tests;	/* key -> struct tentry */
	struct htab		 other;	/* line -> struct oentry */
	struct tally_record	**out;
	size_t			 nout;
	struct tentry		**tv;	/* after finish: entries, by key */
	size_t			 ntv;
	int			 finished;
	struct tally_buf	 b;
	struct tally_kv		*lab;	/* scratch: canonical labels */
	size_t			 caplab;
};

/* ---- small helpers ---- */

static uint64_t
hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static struct slot *
ht_find(struct htab *t, const char *key, uint64_t h)
{
	size_t i;

	if (t->cap == 0)
		return NULL;
	for (i = h & (t->cap - 1); t->s[i].val != NULL; i = (i + 1) &
	    (t->cap - 1))
		if (t->s[i].h == h && strcmp(SLOT_KEY(t, &t->s[i]), key) == 0)
			return &t->s[i];
	return &t->s[i];
}

static int
ht_put(struct htab *t, uint64_t h, void *val)
{
	struct slot *s;
	size_t i, ncap;

	if (2 * (t->n + 1) > t->cap) {
		struct htab nt;

		ncap = t->cap ? t->cap * 2 : 64;
		if ((nt.s = calloc(ncap, sizeof(*nt.s))) == NULL)
			return TALLY_ENOMEM;
		nt.cap = ncap;
		nt.n = 0;
		nt.keyoff = t->keyoff;
		for (i = 0; i < t->cap; i++)
			if (t->s[i].val != NULL)
				*ht_find(&nt, SLOT_KEY(t, &t->s[i]),
				    t->s[i].h) = t->s[i];
		nt.n = t->n;
		free(t->s);
		*t = nt;
	}
	s = ht_find(t, (const char *)val + t->keyoff, h);
	s->h = h;
	s->val = val;
	t->n++;
	return TALLY_OK;
}

static int
strcmp0(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

/* Replace *dst by a copy of src. */
static int
set_str(const char **dst, const char *src)
{
	char *p = NULL;

	if (src != NULL && (p = strdup(src)) == NULL)
		return TALLY_ENOMEM;
	free((char *)*dst);
	*dst = p;
	return TALLY_OK;
}

static int
kv_cmp(const void *a, const void *b)
{
	const struct tally_kv *x = a, *y = b;
	int c = strcmp0(x->key, y->key);

	return c != 0 ? c : strcmp0(x->value, y->value);
}

static void
kv_free(struct tally_kv *kv, size_t n)
{
	size_t i;

	for (i = 0; kv != NULL && i < n; i++) {
		free((char *)kv[i].key);
		free((char *)kv[i].value);
	}
	free(kv);
}

/*
 * Labels as the stream keeps them (a repeated key keeps its last value),
 * sorted by key, into m->lab (borrowed strings).
 */
static int
canon_labels(struct tally_merge *m, const struct tally_record *rec)
{
	size_t i, j, n = 0;

	if (rec->nlabels > m->caplab) {
		struct tally_kv *p = realloc(m->lab, rec->nlabels * sizeof(*p));

		if (p == NULL)
			return TALLY_ENOMEM;
		m->lab = p;
		m->caplab = rec->nlabels;
	}
	for (i = 0; i < rec->nlabels; i++) {
		for (j = i + 1; j < rec->nlabels; j++)
			if (strcmp0(rec->labels[i].key, rec->labels[j].key) == 0)
				break;
		if (j == rec->nlabels)
			m->lab[n++] = rec->labels[i];
	}
	if (n > 0)
		qsort(m->lab, n, sizeof(*m->lab), kv_cmp);
	return (int)n;
}

/* ---- attempts ---- */

static int
prio(enum tally_status st)
{
	switch (st) {
	case TALLY_PASSED:	return 4;
	case TALLY_FAILED:	return 3;
	case TALLY_OTHER:	return 2;
	case TALLY_PENDING:	return 1;
	default:		return 0;
	}
}

/* Surefire's and nextest's words for runs before the last one. */
static int
marked_earlier(const struct tally_attempt *a)
{
	return a->raw_status != NULL &&
	    (strncmp(a->raw_status, "rerun", 5) == 0 ||
	    strncmp(a->raw_status, "flaky", 5) == 0);
}

/*
 * Canonical order: worse status first, then attempts the producer marked
 * as earlier runs, then content.
 */
static int
att_cmp(const struct tally_attempt *a, const struct tally_attempt *b)
{
	int c;

	if ((c = prio(a->status) - prio(b->status)) != 0)
		return c;
	if ((c = marked_earlier(b) - marked_earlier(a)) != 0)
		return c;
	if ((c = strcmp0(a->raw_status, b->raw_status)) != 0 ||
	    (c = strcmp0(a->message, b->message)) != 0 ||
	    (c = strcmp0(a->type, b->type)) != 0 ||
	    (c = strcmp0(a->trace, b->trace)) != 0 ||
	    (c = strcmp0(a->stdout_text, b->stdout_text)) != 0 ||
	    (c = strcmp0(a->stderr_text, b->stderr_text)) != 0)
		return c;
	return (a->duration > b->duration) - (a->duration < b->duration);
}

static int
att_qcmp(const void *a, const void *b)
{
	return att_cmp(&((const struct att *)a)->a,
	    &((const struct att *)b)->a);
}

static void
att_clear(struct tally_attempt *a)
{
	free((char *)a->raw_status);
	free((char *)a->message);
	free((char *)a->type);
	free((char *)a->trace);
	free((char *)a->stdout_text);
	free((char *)a->stderr_text);
	memset(a, 0, sizeof(*a));
}

static int
att_dup(struct tally_attempt *d, const struct tally_attempt *s)
{
	memset(d, 0, sizeof(*d));
	d->status = s->status;
	d->duration = s->duration;
	if (set_str(&d->raw_status, s->raw_status) ||
	    set_str(&d->message, s->message) ||
	    set_str(&d->type, s->type) ||
	    set_str(&d->trace, s->trace) ||
	    set_str(&d->stdout_text, s->stdout_text) ||
	    set_str(&d->stderr_text, s->stderr_text)) {
		att_clear(d);
		return TALLY_ENOMEM;
	}
	return TALLY_OK;
}

static uint64_t
hash_add(uint64_t h, const char *s)
{
	if (s == NULL)
		return (h ^ 0x100) * 1099511628211ULL;
	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (h ^ 0x101) * 1099511628211ULL;
}

/* A hash that agrees with att_cmp: equal attempts hash equal. */
static uint64_t
att_hash(const struct tally_attempt *a)
{
	uint64_t h = 14695981039346656037ULL, bits;
	double d = a->duration == 0 ? 0.0 : a->duration;

	h = (h ^ (unsigned)a->status) * 1099511628211ULL;
	h = hash_add(h, a->raw_status);
	h = hash_add(h, a->message);
	h = hash_add(h, a->type);
	h = hash_add(h, a->trace);
	h = hash_add(h, a->stdout_text);
	h = hash_add(h, a->stderr_text);
	memcpy(&bits, &d, sizeof(bits));
	return (h ^ bits) * 1099511628211ULL;
}

/*
 * The index of an attempt equal to a in e, or e->natt.  Past a few
 * attempts (go test -count=N lists a test N times) an open-addressing
 * index keeps this constant time.
 */
#define ATT_INDEX_MIN 8

static size_t
att_find(const struct tentry *e, const struct tally_attempt *a, uint64_t h)
{
	size_t i, k;

	if (e->idx == NULL) {
		for (i = 0; i < e->natt; i++)
			if (e->att[i].h == h && att_cmp(&e->att[i].a, a) == 0)
				return i;
		return e->natt;
	}
	for (i = h & (e->idxcap - 1); (k = e->idx[i]) != 0;
	    i = (i + 1) & (e->idxcap - 1))
		if (e->att[k - 1].h == h && att_cmp(&e->att[k - 1].a, a) == 0)
			return k - 1;
	return e->natt;
}

static int
att_index(struct tentry *e)
{
	size_t i, j, cap;

	if (e->natt < ATT_INDEX_MIN || 2 * e->natt <= e->idxcap)
		return TALLY_OK;
	for (cap = 16; cap < 4 * e->natt; cap *= 2)
		;
	free(e->idx);
	if ((e->idx = calloc(cap, sizeof(*e->idx))) == NULL) {
		e->idxcap = 0;
		return TALLY_ENOMEM;
	}
	e->idxcap = cap;
	for (i = 0; i < e->natt; i++) {
		for (j = e->att[i].h & (cap - 1); e->idx[j] != 0;
		    j = (j + 1) & (cap - 1))
			;
		e->idx[j] = i + 1;
	}
	return TALLY_OK;
}

static int
att_vcmp(const void *a, const void *b)
{
	return att_cmp(a, b);
}

/*
 * Fold one record's attempts (n of them in v, reordered here) into e:
 * equal attempts within the record are counted, and the larger of that
 * count and the one e holds wins.
 */
static int
add_attempts(struct tentry *e, struct tally_attempt *v, size_t n)
{
	size_t i, j, k;
	uint64_t h;

	qsort(v, n, sizeof(*v), att_vcmp);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && att_cmp(&v[i], &v[j]) == 0; j++)
			;
		h = att_hash(&v[i]);
		if ((k = att_find(e, &v[i], h)) < e->natt) {
			if (j - i > e->att[k].count)
				e->att[k].count = j - i;
			continue;
		}
		if (e->natt == e->catt) {
			size_t nc = e->catt ? e->catt * 2 : 1;
			struct att *p = realloc(e->att, nc * sizeof(*p));

			if (p == NULL)
				return TALLY_ENOMEM;
			e->att = p;
			e->catt = nc;
		}
		if (att_dup(&e->att[e->natt].a, &v[i]) != TALLY_OK)
			return TALLY_ENOMEM;
		e->att[e->natt].count = j - i;
		e->att[e->natt++].h = h;
		if (e->idx != NULL && 2 * e->natt <= e->idxcap) {
			for (k = h & (e->idxcap - 1); e->idx[k] != 0;
			    k = (k + 1) & (e->idxcap - 1))
				;
			e->idx[k] = e->natt;
		} else if (att_index(e) != TALLY_OK)
			return TALLY_ENOMEM;
	}
	return TALLY_OK;
}

/* ---- test-level fields ---- */

static int
kv_equal(const struct tally_kv *a, size_t na, const struct tally_kv *b,
    size_t nb)
{
	size_t i;

	if (na != nb)
		return 0;
	for (i = 0; i < na; i++)
		if (strcmp0(a[i].key, b[i].key) != 0 ||
		    strcmp0(a[i].value, b[i].value) != 0)
			return 0;
	return 1;
}

/* e's properties become the sorted union with (kv, n). */
static int
props_union(struct tally_test *t, const struct tally_kv *kv, size_t n)
{
	struct tally_kv *u;
	size_t i, k = 0, total = t->nproperties + n;

	if (total == 0)
		return TALLY_OK;
	if ((u = calloc(total, sizeof(*u))) == NULL)
		return TALLY_ENOMEM;
	for (i = 0; i < t->nproperties; i++)
		u[k++] = t->properties[i];
	for (i = 0; i < n; i++)
		u[k++] = kv[i];
	qsort(u, total, sizeof(*u), kv_cmp);
	for (i = 0, k = 0; i < total; i++)
		if (k == 0 || kv_cmp(&u[k - 1], &u[i]) != 0)
			u[k++] = u[i];
	/* Copy the survivors: they still point into both sources. */
	for (i = 0; i < k; i++) {
		const char *key = u[i].key, *val = u[i].value;

		u[i].key = u[i].value = NULL;
		if (set_str(&u[i].key, key) || set_str(&u[i].value, val)) {
			kv_free(u, k);
			return TALLY_ENOMEM;
		}
	}
	kv_free(t->properties, t->nproperties);
	t->properties = u;
	t->nproperties = k;
	return TALLY_OK;
}

static int
smaller(const char *cand, const char *cur)
{
	return cand != NULL && (cur == NULL || strcmp(cand, cur) < 0);
}

/*
 * The shard label is not part of the identity; the merged record keeps
 * the smallest shard value given.
 */
static int
join_shard(struct tally_record *r, const char *v)
{
	struct tally_kv *kv;
	size_t i;

	if (v == NULL)
		return TALLY_OK;
	for (i = 0; i < r->nlabels; i++)
		if (strcmp0(r->labels[i].key, TALLY_LABEL_SHARD) == 0)
			return strcmp0(v, r->labels[i].value) < 0 ?
			    set_str(&r->labels[i].value, v) : TALLY_OK;
	if ((kv = realloc(r->labels, (r->nlabels + 1) * sizeof(*kv))) == NULL)
		return TALLY_ENOMEM;
	r->labels = kv;
	kv[r->nlabels].key = kv[r->nlabels].value = NULL;
	r->nlabels++;
	if (set_str(&kv[r->nlabels - 1].key, TALLY_LABEL_SHARD) ||
	    set_str(&kv[r->nlabels - 1].value, v))
		return TALLY_ENOMEM;
	qsort(kv, r->nlabels, sizeof(*kv), kv_cmp);
	return TALLY_OK;
}

static int
join_test(struct tentry *e, const struct tally_record *in,
    const char *shard)
{
	struct tally_test *t = &e->rec->u.test;
	const struct tally_test *s = &in->u.test;
	const char *source = in->source;

	if (join_shard(e->rec, shard) != TALLY_OK)
		return TALLY_ENOMEM;

	if (smaller(source, e->rec->source) &&
	    set_str(&e->rec->source, source))
		return TALLY_ENOMEM;
	if (smaller(s->category, t->category) &&
	    set_str(&t->category, s->category))
		return TALLY_ENOMEM;
	/* filePath and line go together: smallest path, then line. */
	if (s->file_path != NULL && (t->file_path == NULL ||
	    strcmp(s->file_path, t->file_path) < 0 ||
	    (strcmp(s->file_path, t->file_path) == 0 && s->line > 0 &&
	    (t->line <= 0 || s->line < t->line)))) {
		if (set_str(&t->file_path, s->file_path))
			return TALLY_ENOMEM;
		t->line = s->line;
	} else if (s->file_path == NULL && t->file_path == NULL &&
	    s->line > 0 && (t->line <= 0 || s->line < t->line))
		t->line = s->line;
	if (!e->mixed && kv_equal(t->properties, t->nproperties,
	    s->properties, s->nproperties))
		return TALLY_OK;
	e->mixed = 1;
	return props_union(t, s->properties, s->nproperties);
}

static void
tentry_free(struct tentry *e)
{
	size_t i;

	if (e == NULL)
		return;
	for (i = 0; i < e->natt; i++)
		att_clear(&e->att[i].a);
	free(e->att);
	free(e->idx);
	tally_record_free(e->rec);
	free(e);
}

static int
add_test(struct tally_merge *m, const struct tally_record *in)
{
	struct tally_record r = *in, base;
	struct tally_attempt *v = NULL;
	const struct tally_test *t = &in->u.test;
	struct tentry *e;
	struct slot *s;
	char *key;
	size_t n, i, klen;
	uint64_t h;
	long extra;
	int rc, nl;

	if ((nl = canon_labels(m, in)) < 0)
		return TALLY_ENOMEM;
	r.labels = nl > 0 ? m->lab : NULL;
	r.nlabels = (size_t)nl;
	if ((rc = tally_test_key(&r, &key)) != TALLY_OK)
		return rc;
	h = hash(key);
	s = ht_find(&m->tests, key, h);
	if (s != NULL && s->val != NULL) {
		e = s->val;
		free(key);
		if ((rc = join_test(e, in, tally_kv_get(r.labels, r.nlabels,
		    TALLY_LABEL_SHARD))) != TALLY_OK)
			return rc;
	} else {
		/* The key inline, at its length: tally_test_key's buffer
		 * has room to spare, and a second block costs its header. */
		klen = strlen(key);
		e = calloc(1, sizeof(*e) + klen + 1);
		if (e != NULL)
			memcpy(e->key, key, klen + 1);
		free(key);
		if (e == NULL)
			return TALLY_ENOMEM;
		base = r;
		base.u.test.status = TALLY_PASSED;
		base.u.test.raw_status = base.u.test.message = NULL;
		base.u.test.type = base.u.test.trace = NULL;
		base.u.test.stdout_text = base.u.test.stderr_text = NULL;
		base.u.test.duration = -1;
		base.u.test.retries = 0;
		base.u.test.flaky = 0;
		base.u.test.attempts = NULL;
		base.u.test.nattempts = 0;
		if (tally_record_dup(&base, &e->rec) != TALLY_OK ||
		    ht_put(&m->tests, h, e) != TALLY_OK) {
			tentry_free(e);
			return TALLY_ENOMEM;
		}
	}

	/* The record's own result plus the attempts it lists. */
	n = t->nattempts;
	if (n > 0 && t->retries == (long)n - 1 &&
	    t->attempts[n - 1].status == t->status &&
	    !marked_earlier(&t->attempts[n - 1]))
		n--;			/* CTRF: the last attempt is this one */
	if ((v = malloc((n + 1) * sizeof(*v))) == NULL)
		return TALLY_ENOMEM;
	for (i = 0; i < n; i++)
		v[i] = t->attempts[i];
	memset(&v[n], 0, sizeof(v[n]));
	v[n].status = t->status;
	v[n].raw_status = t->raw_status;
	v[n].duration = t->duration;
	v[n].message = t->message;
	v[n].type = t->type;
	v[n].trace = t->trace;
	v[n].stdout_text = t->stdout_text;
	v[n].stderr_text = t->stderr_text;
	rc = add_attempts(e, v, n + 1);
	free(v);
	extra = t->retries - (long)n;
	if (extra > e->extra)
		e->extra = extra;
	if (t->flaky && t->status == TALLY_PASSED)
		e->flaky = 1;
	return rc;
}

/* ---- other records ---- */

static void
oentry_free(struct oentry *o)
{
	if (o == NULL)
		return;
	tally_record_free(o->rec);
	free(o);
}

/* Keep rec (labels already canonical) unless an equal one is kept. */
static int
add_other1(struct tally_merge *m, const struct tally_record *rec)
{
	struct oentry *o;
	struct slot *s;
	uint64_t h;

	tally_buf_reset(&m->b);
	if (tally_stream_format(&m->b, rec) != TALLY_OK || m->b.data == NULL)
		return TALLY_ENOMEM;
	h = hash(m->b.data);
	s = ht_find(&m->other, m->b.data, h);
	if (s != NULL && s->val != NULL)
		return TALLY_OK;
	if ((o = calloc(1, sizeof(*o) + m->b.len + 1)) == NULL)
		return TALLY_ENOMEM;
	memcpy(o->line, m->b.data, m->b.len + 1);
	if (tally_record_dup(rec, &o->rec) != TALLY_OK ||
	    ht_put(&m->other, h, o) != TALLY_OK) {
		oentry_free(o);
		return TALLY_ENOMEM;
	}
	return TALLY_OK;
}

static int
add_other(struct tally_merge *m, const struct tally_record *in)
{
	struct tally_record r = *in;
	const struct tally_meta *mt = &in->u.meta;
	size_t i, j;
	int rc, nl;

	if ((nl = canon_labels(m, in)) < 0)
		return TALLY_ENOMEM;
	r.labels = nl > 0 ? m->lab : NULL;
	r.nlabels = (size_t)nl;
	if (in->type != TALLY_REC_META)
		return add_other1(m, &r);
	/* One entry per item; a repeated key keeps its last value. */
	r.source = NULL;
	for (i = 0; i < mt->nitems; i++) {
		for (j = i + 1; j < mt->nitems; j++)
			if (strcmp0(mt->items[i].key, mt->items[j].key) == 0)
				break;
		if (j < mt->nitems || mt->items[i].key == NULL)
			continue;
		r.u.meta.items = &mt->items[i];
		r.u.meta.nitems = 1;
		if ((rc = add_other1(m, &r)) != TALLY_OK)
			return rc;
	}
	return TALLY_OK;
}

/* ---- public interface ---- */

int
tally_merge_new(struct tally_merge **out)
{
	*out = calloc(1, sizeof(**out));
	if (*out == NULL)
		return TALLY_ENOMEM;
	(*out)->tests.keyoff = offsetof(struct tentry, key);
	(*out)->other.keyoff = offsetof(struct oentry, line);
	tally_buf_init(&(*out)->b);
	return TALLY_OK;
}

void
tally_merge_free(struct tally_merge *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->tests.cap; i++)
		if (m->tests.s[i].val != NULL)
			tentry_free(m->tests.s[i].val);
	for (i = 0; i < m->ntv; i++)
		tentry_free(m->tv[i]);
	free(m->tv);
	for (i = 0; i < m->other.cap; i++)
		if (m->other.s[i].val != NULL)
			oentry_free(m->other.s[i].val);
	free(m->tests.s);
	free(m->other.s);
	for (i = 0; i < m->nout; i++)
		tally_record_free(m->out[i]);
	free(m->out);
	free(m->lab);
	tally_buf_free(&m->b);
	free(m);
}

int
tally_merge_add(struct tally_merge *m, const struct tally_record *rec,
    struct tally_error *err)
{
	int rc;

	if (m->finished)
		return tally_error_set(err, TALLY_EINVAL, 0, 0,
		    "merge table already finished");
	switch (rec->type) {
	case TALLY_REC_TEST:
		rc = add_test(m, rec);
		break;
	case TALLY_REC_SUITE:
	case TALLY_REC_META:
	case TALLY_REC_ERROR:
	case TALLY_REC_PERF:
		rc = add_other(m, rec);
		break;
	default:
		return tally_error_set(err, TALLY_EINVAL, 0, 0,
		    "unknown record type %d", (int)rec->type);
	}
	if (rc != TALLY_OK)
		return tally_error_set(err, rc, 0, 0, "out of memory");
	return TALLY_OK;
}

/* Turn an entry into its merged record; the entry gives up its parts. */
static int
finish_test(struct tentry *e, struct tally_record **out)
{
	struct tally_record *r = e->rec;
	struct tally_test *t = &r->u.test;
	struct tally_attempt *dst;
	size_t i, k, j = 0, total = 0;
	int failed = 0;

	qsort(e->att, e->natt, sizeof(*e->att), att_qcmp);
	for (i = 0; i < e->natt; i++) {
		total += e->att[i].count;
		failed |= e->att[i].a.status == TALLY_FAILED;
	}
	if (total == 0)			/* only after running out of memory */
		return TALLY_ENOMEM;
	if (total > 1 && (t->attempts = calloc(total - 1,
	    sizeof(*t->attempts))) == NULL)
		return TALLY_ENOMEM;
	t->nattempts = total - 1;
	for (i = 0; i < e->natt; i++)
		for (k = 0; k < e->att[i].count; k++) {
			dst = i == e->natt - 1 && k == e->att[i].count - 1 ?
			    NULL : &t->attempts[j++];
			if (dst == NULL) {
				struct tally_attempt *a = &e->att[i].a;

				/* The final attempt is the record's result. */
				t->status = a->status;
				t->raw_status = a->raw_status;
				t->duration = a->duration;
				t->message = a->message;
				t->type = a->type;
				t->trace = a->trace;
				t->stdout_text = a->stdout_text;
				t->stderr_text = a->stderr_text;
				memset(a, 0, sizeof(*a));
			} else if (k == e->att[i].count - 1) {
				*dst = e->att[i].a;
				memset(&e->att[i].a, 0, sizeof(e->att[i].a));
			} else if (att_dup(dst, &e->att[i].a) != TALLY_OK)
				return TALLY_ENOMEM;
		}
	t->retries = (long)total - 1 + e->extra;
	t->flaky = t->status == TALLY_PASSED && (failed || e->flaky);
	*out = r;
	e->rec = NULL;
	return TALLY_OK;
}

static int
tentry_cmp(const void *a, const void *b)
{
	return strcmp((*(struct tentry *const *)a)->key,
	    (*(struct tentry *const *)b)->key);
}

static int
type_rank(enum tally_type t)
{
	switch (t) {
	case TALLY_REC_META:	return 0;
	case TALLY_REC_SUITE:	return 1;
	case TALLY_REC_TEST:	return 2;
	case TALLY_REC_ERROR:	return 3;
	default:		return 4;
	}
}

static int
labels_cmp(const struct tally_record *a, const struct tally_record *b)
{
	size_t i;
	int c;

	for (i = 0; i < a->nlabels && i < b->nlabels; i++)
		if ((c = kv_cmp(&a->labels[i], &b->labels[i])) != 0)
			return c;
	return (a->nlabels > b->nlabels) - (a->nlabels < b->nlabels);
}

/* Meta items by labels, key, value; everything else by stream line. */
static int
oentry_cmp(const void *pa, const void *pb)
{
	const struct oentry *a = *(struct oentry *const *)pa;
	const struct oentry *b = *(struct oentry *const *)pb;
	int c;

	if ((c = type_rank(a->rec->type) - type_rank(b->rec->type)) != 0)
		return c;
	if (a->rec->type == TALLY_REC_META) {
		if ((c = labels_cmp(a->rec, b->rec)) != 0)
			return c;
		return kv_cmp(a->rec->u.meta.items, b->rec->u.meta.items);
	}
	return strcmp(a->line, b->line);
}

static int
push_out(struct tally_merge *m, struct tally_record *r, size_t *cap)
{
	if (m->nout == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		struct tally_record **p = realloc(m->out, nc * sizeof(*p));

		if (p == NULL)
			return TALLY_ENOMEM;
		m->out = p;
		*cap = nc;
	}
	m->out[m->nout++] = r;
	return TALLY_OK;
}

/*
 * Regroup the meta items o[0..n) (sorted, same labels) into records with
 * unique keys: the first record takes each key's smallest value, the
 * next the second smallest, and so on.
 */
static int
finish_meta(struct tally_merge *m, struct oentry **o, size_t n, size_t *cap)
{
	struct tally_record r, *dup;
	size_t *round, i, k, maxr = 0;
	int rc = TALLY_OK;

	if ((round = calloc(n, sizeof(*round))) == NULL)
		return TALLY_ENOMEM;
	if ((r.u.meta.items = calloc(n, sizeof(struct tally_kv))) == NULL) {
		free(round);
		return TALLY_ENOMEM;
	}
	for (i = 1; i < n; i++) {
		if (strcmp0(o[i]->rec->u.meta.items[0].key,
		    o[i - 1]->rec->u.meta.items[0].key) == 0)
			round[i] = round[i - 1] + 1;
		if (round[i] > maxr)
			maxr = round[i];
	}
	for (k = 0; k <= maxr && rc == TALLY_OK; k++) {
		struct tally_kv *items = r.u.meta.items;

		r = *o[0]->rec;
		r.u.meta.items = items;
		r.u.meta.nitems = 0;
		for (i = 0; i < n; i++)
			if (round[i] == k)
				items[r.u.meta.nitems++] =
				    o[i]->rec->u.meta.items[0];
		if ((rc = tally_record_dup(&r, &dup)) == TALLY_OK &&
		    (rc = push_out(m, dup, cap)) != TALLY_OK)
			tally_record_free(dup);
	}
	free(r.u.meta.items);
	free(round);
	return rc;
}

int
tally_merge_finish(struct tally_merge *m, struct tally_error *err)
{
	struct tentry **tv = NULL;
	struct oentry **ov = NULL;
	struct tally_record *r;
	size_t i, j, nt = 0, no = 0, cap = 0;
	int rc = TALLY_ENOMEM;

	if (m->finished)
		return tally_error_set(err, TALLY_EINVAL, 0, 0,
		    "merge table already finished");
	m->finished = 1;
	if (m->tests.n > 0 && (tv = malloc(m->tests.n * sizeof(*tv))) == NULL)
		goto out;
	if (m->other.n > 0 && (ov = malloc(m->other.n * sizeof(*ov))) ==
	    NULL) {
		free(tv);
		goto out;
	}
	for (i = 0; i < m->tests.cap; i++)
		if (m->tests.s[i].val != NULL)
			tv[nt++] = m->tests.s[i].val;
	for (i = 0; i < m->other.cap; i++)
		if (m->other.s[i].val != NULL)
			ov[no++] = m->other.s[i].val;
	/*
	 * Memory: from here the entries live in tv and the table goes,
	 * each entry goes once its record is built, and the output array
	 * is allocated once (meta items regroup into no more records than
	 * there are items).
	 */
	m->tv = tv;
	m->ntv = nt;
	free(m->tests.s);
	m->tests.s = NULL;
	m->tests.cap = m->tests.n = 0;
	if (nt + no > 0 && (m->out = malloc((nt + no) *
	    sizeof(*m->out))) == NULL)
		goto out;
	cap = nt + no;
	if (nt > 0)
		qsort(tv, nt, sizeof(*tv), tentry_cmp);
	if (no > 0)
		qsort(ov, no, sizeof(*ov), oentry_cmp);
	for (i = 0; i < no && ov[i]->rec->type == TALLY_REC_META; i = j) {
		for (j = i + 1; j < no && ov[j]->rec->type == TALLY_REC_META &&
		    labels_cmp(ov[i]->rec, ov[j]->rec) == 0; j++)
			;
		if (finish_meta(m, ov + i, j - i, &cap) != TALLY_OK)
			goto out;
	}
	for (; i < no && ov[i]->rec->type == TALLY_REC_SUITE; i++) {
		if (push_out(m, ov[i]->rec, &cap) != TALLY_OK)
			goto out;
		ov[i]->rec = NULL;
	}
	for (j = 0; j < nt; j++) {
		if (finish_test(tv[j], &r) != TALLY_OK)
			goto out;
		if (push_out(m, r, &cap) != TALLY_OK) {
			tally_record_free(r);
			goto out;
		}
		tentry_free(tv[j]);
		tv[j] = NULL;
	}
	for (; i < no; i++) {
		if (push_out(m, ov[i]->rec, &cap) != TALLY_OK)
			goto out;
		ov[i]->rec = NULL;
	}
	rc = TALLY_OK;
out:
	free(ov);
	if (rc != TALLY_OK)
		return tally_error_set(err, rc, 0, 0, "out of memory");
	return TALLY_OK;
}

size_t
tally_merge_count(const struct tally_merge *m)
{
	return m->finished ? m->nout : 0;
}

const struct tally_record *
tally_merge_get(const struct tally_merge *m, size_t i)
{
	return m->finished && i < m->nout ? m->out[i] : NULL;
}

/* ---- sinks ---- */

struct merge_sink {
	struct tally_sink	 sink;
	struct tally_merge	*m;
	struct tally_sink	*next;	/* NULL: only collect into m */
	int			 own;	/* m belongs to this sink */
};

static int
ms_record(struct tally_sink *s, const struct tally_record *rec,
    struct tally_error *err)
{
	return tally_merge_add(((struct merge_sink *)s)->m, rec, err);
}

static int
ms_end(struct tally_sink *s, struct tally_error *err)
{
	struct merge_sink *ms = (struct merge_sink *)s;
	size_t i;
	int rc;

	if (ms->next == NULL)
		return TALLY_OK;
	if ((rc = tally_merge_finish(ms->m, err)) != TALLY_OK)
		return rc;
	for (i = 0; i < tally_merge_count(ms->m); i++)
		if ((rc = tally_sink_record(ms->next, tally_merge_get(ms->m, i),
		    err)) != TALLY_OK)
			return rc;
	return tally_sink_end(ms->next, err);
}

static void
ms_free(struct tally_sink *s)
{
	struct merge_sink *ms = (struct merge_sink *)s;

	if (ms->own)
		tally_merge_free(ms->m);
	free(ms);
}

static int
sink_new(struct tally_sink **out, struct tally_merge *m,
    struct tally_sink *next)
{
	struct merge_sink *ms;

	*out = NULL;
	if ((ms = calloc(1, sizeof(*ms))) == NULL)
		return TALLY_ENOMEM;
	ms->sink.record = ms_record;
	ms->sink.end = ms_end;
	ms->sink.free = ms_free;
	ms->next = next;
	ms->m = m;
	if (m == NULL) {
		ms->own = 1;
		if (tally_merge_new(&ms->m) != TALLY_OK) {
			free(ms);
			return TALLY_ENOMEM;
		}
	}
	*out = &ms->sink;
	return TALLY_OK;
}

int
tally_merge_sink_new(struct tally_sink **out, struct tally_sink *next)
{
	return sink_new(out, NULL, next);
}

int
tally_merge_input_new(struct tally_sink **out, struct tally_merge *m)
{
	return sink_new(out, m, NULL);
}
