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
 * set.  Output order: the canonical order of tally-stream(5), meta,
 * suites, tests (test_cmp), errors, perf.
 *
 * Because every rule is a union, a maximum or a minimum, merging is
 * associative, commutative and idempotent.  That is what bounds memory,
 * sort(1)'s way: the table is drained in canonical order into a run of
 * the spill file whenever it holds about the run size, and at the end
 * the runs are merged with a heap, one identity at a time; the records
 * of one test found in several runs are merged records, and merging
 * them again gives what one big table would have.  Input already in
 * canonical order (sorted_add) skips the table: each record is only
 * made canonical on its own and kept.  Meta items stay in memory: there
 * are few.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tally/merge.h>

#include "internal.h"

/* One distinct attempt of a test and how often it was seen. */
struct att {
	struct tally_attempt	 a;	/* owns its strings */
	size_t			 count;
	uint64_t		 h;	/* att_hash */
};

/*
 * One test identity; the key is stored inline (one allocation).  A test
 * seen once that is merged already (test_is_merged) is kept as its
 * spill frame, inline too, and rec is NULL: no copy of each string, and
 * a spill writes the frame as it is.  A second record of the identity
 * turns the frame into rec and attempts (entry_thaw).
 */
struct tentry {
	struct tally_record	*rec;	/* identity and test-level fields */
	const char		*frame;	/* or the merged record's frame */
	size_t			 flen;
	struct att		*att;
	size_t			 natt, catt;
	size_t			*idx;	/* att index + 1, 0 empty; or NULL */
	size_t			 idxcap;
	long			 extra;	/* counted but unlisted attempts */
	int			 flaky;	/* a producer said flaky */
	int			 mixed;	/* properties became a union */
	int			 srcst;	/* final status from rec->source */
	int			 warned; /* conflict reported */
	int			 inchunk; /* in the table's chunks, not malloc'd */
	size_t			 klen;
	char			 key[];	/* id_key, klen bytes and a NUL */
};

/*
 * The table's entries are cut from chunks, all let go together when the
 * table drains, and kept for the next run: no malloc() and free() per
 * test.
 */
#define CHUNK	(64u << 10)

struct chunk {
	struct chunk		*next;
	size_t			 used, cap;
	_Alignas(16) unsigned char data[];
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
	int		 bin;	/* keys are struct tentry's key and klen */
};

#define SLOT_KEY(t, sl) ((const char *)(sl)->val + (t)->keyoff)

/* A run: a stretch of the spill file holding records in canonical order. */
struct span {
	off_t		 start, end;
};

#define TMP_BUF (64u << 10)	/* stdio buffer of the spill file */

/* A frame's first word (see encode()). */
#define FRAME_TYPE	0xFFu
#define FRAME_FAILED	(1u << 8)
#define FRAME_FLAKY	(1u << 9)

struct cursor;

struct tally_merge {
	struct htab		 tests;	/* key -> struct tentry */
	struct htab		 other;	/* line -> struct oentry */
	struct htab		 meta;	/* line -> struct oentry, meta items */
	size_t			 used;	/* what the table holds, roughly */
	size_t			 budget; /* spill the table past this */
	char			*tmpdir;
	FILE			*tmp;	/* spill file, already unlinked */
	char			*tmpbuf; /* its stdio buffer (TMP_BUF) */
	struct span		*runs;
	size_t			 nruns, cruns;
	/* Input in canonical order so far (see sorted_add). */
	int			 sorted;
	tally_merge_watch_fn	 watch;	/* sees each test sorted_add keeps */
	int			 skip_tests; /* TALLY_MERGE_SKIP_*, or 0 */
	void			*watch_arg;
	int			 sorted_disk; /* kept as the open first run */
	int			 haveprev; /* a record was kept */
	int			 prevrank;
	struct tally_buf	 prevline; /* its sort key (see sort_key) */
	struct tally_buf	 key;	/* scratch: a sort key */
	struct dec		*thaw;	/* scratch: a frame decoded */
	/* Records in memory: kept in order, or the merged result. */
	struct tally_record	**out;
	size_t			 nout, cout;
	int			 finished;
	int			 broken;	/* a spill file write failed */
	int			 single_pass; /* read once: no copy of runs */
	struct cursor		*cur;	/* reading the result */
	struct chunk		*chunks; /* the table's entries (CHUNK) */
	struct chunk		*chunk;	/* the one being cut */
	struct tally_buf	 b;
	struct tally_buf	 enc;
	struct tally_kv		*lab;	/* scratch: canonical labels */
	size_t			 caplab;
	/* Conflicting outcomes (see conflict()). */
	tally_merge_warn_fn	 warn;
	void			*warnarg;
	struct srcpair		*pend;	/* conflicts: test, passed, failed */
	size_t			 npend;
	size_t			 nmore;	/* conflicts past the pending ones */
	struct srcpair		*same;	/* sources that passed one test */
	size_t			 nsame;
};

/* Two sources of one test (and, for a conflict, its name). */
struct srcpair {
	char	*a, *b;
	char	*test;
};

/* Conflicts reported one by one; the others are counted at finish. */
#define CONFLICTS_SHOWN	10
#define CONFLICTS_KEPT	1000	/* pending until finish */
#define PAIRS_KEPT	256	/* pairs of sources that ran the same test */

struct dec;
static int	sort_key(struct tally_buf *b, const struct tally_record *r);
static int	test_is_merged(const struct tally_test *t);
static int	encode(struct tally_buf *b, const struct tally_record *r,
		    const char *line, size_t n);
static int	decode(struct dec *x);
static int	dec_frame(struct tally_merge *m, const char *frame,
		    size_t flen, const struct tally_record **out);

/* ---- small helpers ---- */

/* klen counts for binary keys only; the others are strings. */
static size_t
slot_klen(const struct htab *t, const void *val)
{
	return t->bin ? ((const struct tentry *)val)->klen : 0;
}

static struct slot *
ht_find(struct htab *t, const char *key, size_t klen, uint64_t h)
{
	size_t i;

	if (t->cap == 0)
		return NULL;
	for (i = h & (t->cap - 1); t->s[i].val != NULL; i = (i + 1) &
	    (t->cap - 1))
		if (t->s[i].h == h && (t->bin ?
		    slot_klen(t, t->s[i].val) == klen &&
		    memcmp(SLOT_KEY(t, &t->s[i]), key, klen) == 0 :
		    strcmp(SLOT_KEY(t, &t->s[i]), key) == 0))
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
		nt.bin = t->bin;
		for (i = 0; i < t->cap; i++)
			if (t->s[i].val != NULL)
				*ht_find(&nt, SLOT_KEY(t, &t->s[i]),
				    slot_klen(t, t->s[i].val), t->s[i].h) =
				    t->s[i];
		nt.n = t->n;
		free(t->s);
		*t = nt;
	}
	s = ht_find(t, (const char *)val + t->keyoff, slot_klen(t, val), h);
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
	if (!e->inchunk)
		free(e);
}

/* n bytes from m's chunks (16-aligned), or NULL. */
static void *
chunk_alloc(struct tally_merge *m, size_t n)
{
	struct chunk *c = m->chunk, *nc;
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (c != NULL && c->cap - c->used < n && c->next != NULL &&
	    c->next->cap - c->next->used >= n)
		c = m->chunk = c->next;
	if (c == NULL || c->cap - c->used < n) {
		if ((nc = malloc(sizeof(*nc) + (n > CHUNK ? n : CHUNK))) ==
		    NULL)
			return NULL;
		nc->used = 0;
		nc->cap = n > CHUNK ? n : CHUNK;
		if (c == NULL) {
			nc->next = m->chunks;
			m->chunks = nc;
		} else {
			nc->next = c->next;
			c->next = nc;
		}
		c = m->chunk = nc;
	}
	p = c->data + c->used;
	c->used += n;
	return p;
}

/* Every entry cut from the chunks is gone: cut them again. */
static void
chunks_reset(struct tally_merge *m)
{
	struct chunk *c;

	for (c = m->chunks; c != NULL; c = c->next)
		c->used = 0;
	m->chunk = m->chunks;
}

/* e's record: r's identity and test-level fields, no result yet. */
static int
entry_init(struct tentry *e, const struct tally_record *r)
{
	struct tally_record base = *r;

	base.u.test.status = TALLY_PASSED;
	base.u.test.raw_status = base.u.test.message = NULL;
	base.u.test.type = base.u.test.trace = NULL;
	base.u.test.stdout_text = base.u.test.stderr_text = NULL;
	base.u.test.duration = -1;
	base.u.test.retries = 0;
	base.u.test.flaky = 0;
	base.u.test.attempts = NULL;
	base.u.test.nattempts = 0;
	return tally_record_dup(&base, &e->rec) != TALLY_OK ? TALLY_ENOMEM :
	    TALLY_OK;
}

/*
 * A new entry for the test r (labels canonical) with the key given
 * inline (NULL: none, for an entry that lives outside the table), and
 * with frame (flen bytes) inline instead of a record when not NULL.
 */
static int
entry_new(struct tally_merge *m, const struct tally_record *r,
    const char *key, size_t klen, const char *frame, size_t flen,
    struct tentry **out)
{
	struct tentry *e;
	size_t size;

	/* The key inline, at its length: a second block costs its header. */
	if (key == NULL)
		klen = 0;
	if (frame == NULL)
		flen = 0;
	size = sizeof(*e) + klen + 1 + flen;
	if ((*out = e = m != NULL ? chunk_alloc(m, size) : malloc(size)) ==
	    NULL)
		return TALLY_ENOMEM;
	memset(e, 0, sizeof(*e));
	e->inchunk = m != NULL;
	e->key[klen] = '\0';
	e->klen = klen;
	if (key != NULL)
		memcpy(e->key, key, klen);
	if (frame != NULL) {
		memcpy(e->key + klen + 1, frame, flen);
		e->frame = e->key + klen + 1;
		e->flen = flen;
		return TALLY_OK;
	}
	if (entry_init(e, r) != TALLY_OK) {
		tentry_free(e);
		*out = NULL;
		return TALLY_ENOMEM;
	}
	return TALLY_OK;
}

/*
 * Fold the test in (labels canonical) into e; joined is 0 when e was
 * just made from in itself.
 */
static int
entry_add(struct tentry *e, const struct tally_record *in, int joined)
{
	struct tally_attempt *v = NULL;
	const struct tally_test *t = &in->u.test;
	size_t n, i;
	long extra;
	int rc;

	if (joined && (rc = join_test(e, in, tally_kv_get(in->labels,
	    in->nlabels, TALLY_LABEL_SHARD))) != TALLY_OK)
		return rc;

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

/* The record with its labels made canonical in m->lab (borrowed). */
static int
canon(struct tally_merge *m, const struct tally_record *in,
    struct tally_record *r)
{
	int nl;

	*r = *in;
	if ((nl = canon_labels(m, in)) < 0)
		return TALLY_ENOMEM;
	r->labels = nl > 0 ? m->lab : NULL;
	r->nlabels = (size_t)nl;
	return TALLY_OK;
}

static int
pair_is(const struct srcpair *p, const char *a, const char *b)
{
	return (strcmp(p->a, a) == 0 && strcmp(p->b, b) == 0) ||
	    (strcmp(p->a, b) == 0 && strcmp(p->b, a) == 0);
}

static int
pair_push(struct srcpair **v, size_t *n, const char *a, const char *b,
    const char *test)
{
	struct srcpair *q = realloc(*v, (*n + 1) * sizeof(*q));

	if (q == NULL)
		return TALLY_ENOMEM;
	*v = q;
	q = &q[*n];
	q->a = strdup(a);
	q->b = strdup(b);
	q->test = test != NULL ? strdup(test) : NULL;
	if (q->a == NULL || q->b == NULL || (test != NULL && q->test == NULL)) {
		free(q->a);
		free(q->b);
		free(q->test);
		return TALLY_ENOMEM;
	}
	(*n)++;
	return TALLY_OK;
}

static void
pairs_free(struct srcpair *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].a);
		free(v[i].b);
		free(v[i].test);
	}
	free(v);
}

/*
 * One test passed in one source and failed in another, and no label
 * (shard aside) tells the two apart.  A rerun written to a second file
 * looks like that, and is right to merge into one flaky test; so do the
 * cells of a matrix collected without -l, which hides a failure behind
 * a pass.  The tell: a rerun runs again what failed, a matrix cell runs
 * everything, so its source also passed tests the other source passed.
 * Conflicts wait until finish, where those between two such sources are
 * reported.  Only the table sees records meet: records of one test that
 * meet only when spilled runs are merged are not compared.
 */
static int
conflict(struct tally_merge *m, struct tentry *e, const struct tally_record *in)
{
	const struct tally_test *t = &in->u.test;
	const char *a = e->rec->source, *b = in->source, *c;
	int x = e->srcst, y = t->status, rc = TALLY_OK;
	struct tally_buf name;
	size_t i;

	if (smaller(b, a))
		e->srcst = y;
	if (m->warn == NULL || a == NULL || b == NULL || strcmp(a, b) == 0)
		return TALLY_OK;
	if (x == TALLY_PASSED && y == TALLY_PASSED) {
		for (i = 0; i < m->nsame && !pair_is(&m->same[i], a, b); i++)
			;
		if (i == m->nsame && m->nsame < PAIRS_KEPT)
			rc = pair_push(&m->same, &m->nsame, a, b, NULL);
		return rc;
	}
	if (e->warned || x == y || (x != TALLY_PASSED && x != TALLY_FAILED) ||
	    (y != TALLY_PASSED && y != TALLY_FAILED))
		return TALLY_OK;
	e->warned = 1;
	if (m->npend == CONFLICTS_KEPT) {
		m->nmore++;
		return TALLY_OK;
	}
	if (x == TALLY_FAILED) {
		c = a;
		a = b;
		b = c;
	}
	tally_buf_init(&name);
	if (tally_buf_printf(&name, "%s%s%s", t->classname != NULL ?
	    t->classname : "", t->classname != NULL ? "." : "",
	    t->name != NULL ? t->name : "") != TALLY_OK)
		rc = TALLY_ENOMEM;
	else
		rc = pair_push(&m->pend, &m->npend, a, b, name.data);
	tally_buf_free(&name);
	return rc;
}

/* The conflicts between sources that also agree on a passed test. */
static void
conflicts_report(struct tally_merge *m)
{
	struct tally_error w;
	size_t i, j, shown = 0, more = m->nmore;

	for (i = 0; i < m->npend; i++) {
		const struct srcpair *p = &m->pend[i];

		for (j = 0; j < m->nsame && !pair_is(&m->same[j], p->a, p->b);
		    j++)
			;
		if (j == m->nsame)
			continue;
		if (shown == CONFLICTS_SHOWN) {
			more++;
			continue;
		}
		shown++;
		tally_error_init(&w, NULL);
		tally_error_set(&w, TALLY_OK, 0, 0, "'%s' passed in '%s' and "
		    "failed in '%s', and no label tells them apart: merged as "
		    "one flaky test; if they are matrix cells, collect each "
		    "with -l KEY=VALUE", p->test, p->a, p->b);
		m->warn(m->warnarg, &w);
	}
	if (more > 0) {
		tally_error_init(&w, NULL);
		tally_error_set(&w, TALLY_OK, 0, 0, "%zu more tests passed in "
		    "one source and failed in another with no label to tell "
		    "them apart", more);
		m->warn(m->warnarg, &w);
	}
}

/* An entry kept as a frame becomes a record and its attempts. */
static int
entry_thaw(struct tally_merge *m, struct tentry *e)
{
	const struct tally_record *r;
	int rc;

	if (e->frame == NULL)
		return TALLY_OK;
	if ((rc = dec_frame(m, e->frame, e->flen, &r)) != TALLY_OK ||
	    (rc = entry_init(e, r)) != TALLY_OK ||
	    (rc = entry_add(e, r, 0)) != TALLY_OK)
		return rc;
	e->frame = NULL;
	e->flen = 0;
	return TALLY_OK;
}

/*
 * Add the test in; *counted is set when what it takes was added to
 * m->used here (a new entry kept as its frame: its size is known).
 */
static int
add_test(struct tally_merge *m, const struct tally_record *in,
    int *counted)
{
	struct tally_record r;
	struct tentry *e;
	struct slot *s;
	uint64_t h;
	int rc;

	if ((rc = canon(m, in, &r)) != TALLY_OK ||
	    (rc = sort_key(&m->key, &r)) != TALLY_OK)
		return rc;
	h = tally_hash(m->key.data, m->key.len);
	s = ht_find(&m->tests, m->key.data, m->key.len, h);
	if (s != NULL && s->val != NULL) {
		if ((rc = entry_thaw(m, s->val)) != TALLY_OK ||
		    (rc = conflict(m, s->val, &r)) != TALLY_OK)
			return rc;
		return entry_add(s->val, &r, 1);
	}
	if (test_is_merged(&r.u.test)) {
		/* Merged already: kept as its frame (see struct tentry). */
		tally_buf_reset(&m->enc);
		if (encode(&m->enc, &r, m->key.data, m->key.len) != TALLY_OK)
			return TALLY_ENOMEM;
		rc = entry_new(m, &r, m->key.data, m->key.len, m->enc.data,
		    m->enc.len, &e);
	} else
		rc = entry_new(m, &r, m->key.data, m->key.len, NULL, 0, &e);
	if (rc != TALLY_OK)
		return rc;
	e->srcst = r.u.test.status;
	if (ht_put(&m->tests, h, e) != TALLY_OK) {
		tentry_free(e);
		return TALLY_ENOMEM;
	}
	if (e->frame == NULL)
		return entry_add(e, &r, 0);
	/* The entry, key and frame, and two slots (the table is at most
	 * half full). */
	m->used += sizeof(*e) + e->klen + 1 + e->flen + 16 +
	    2 * sizeof(struct slot);
	*counted = 1;
	return TALLY_OK;
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

/*
 * Keep rec (labels already canonical) in t unless an equal one is kept.
 * m->b holds rec's stream line afterwards.
 */
static int
add_other1(struct tally_merge *m, struct htab *t,
    const struct tally_record *rec)
{
	struct oentry *o;
	struct slot *s;
	uint64_t h;

	tally_buf_reset(&m->b);
	if (tally_stream_format(&m->b, rec) != TALLY_OK || m->b.data == NULL)
		return TALLY_ENOMEM;
	h = tally_hash(m->b.data, m->b.len);
	s = ht_find(t, m->b.data, 0, h);
	if (s != NULL && s->val != NULL)
		return TALLY_OK;
	if ((o = calloc(1, sizeof(*o) + m->b.len + 1)) == NULL)
		return TALLY_ENOMEM;
	memcpy(o->line, m->b.data, m->b.len + 1);
	if (tally_record_dup(rec, &o->rec) != TALLY_OK ||
	    ht_put(t, h, o) != TALLY_OK) {
		oentry_free(o);
		return TALLY_ENOMEM;
	}
	return TALLY_OK;
}

/* Meta records become one entry per item, kept for the whole merge. */
static int
add_meta(struct tally_merge *m, const struct tally_record *in)
{
	struct tally_record r;
	const struct tally_meta *mt = &in->u.meta;
	size_t i, j;
	int rc;

	if ((rc = canon(m, in, &r)) != TALLY_OK)
		return rc;
	/* A repeated key keeps its last value. */
	r.source = NULL;
	for (i = 0; i < mt->nitems; i++) {
		for (j = i + 1; j < mt->nitems; j++)
			if (strcmp0(mt->items[i].key, mt->items[j].key) == 0)
				break;
		if (j < mt->nitems || mt->items[i].key == NULL)
			continue;
		r.u.meta.items = &mt->items[i];
		r.u.meta.nitems = 1;
		if ((rc = add_other1(m, &m->meta, &r)) != TALLY_OK)
			return rc;
	}
	return TALLY_OK;
}

/* ---- canonical order ---- */

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

#define RANK_TEST 2

static const char *
nz(const char *s)
{
	return s != NULL ? s : "";
}

/* The next label of r at or after *i that is part of the identity. */
static const struct tally_kv *
id_label(const struct tally_record *r, size_t *i)
{
	for (; *i < r->nlabels; (*i)++)
		if (strcmp(nz(r->labels[*i].key), TALLY_LABEL_SHARD) != 0)
			return &r->labels[(*i)++];
	return NULL;
}

/*
 * The canonical order of tests (labels canonical, see canon_labels):
 * suite path component by component (a path sorts before the paths it
 * is a prefix of), classname, name, then the labels but the shard label
 * pair by pair (key, then value; a list sorts before its extensions).
 * Strings compare as bytes (strcmp), absent as "".  It is 0 exactly
 * when tally_test_key() agrees.
 */
static int
test_cmp(const struct tally_record *a, const struct tally_record *b)
{
	const struct tally_test *x = &a->u.test, *y = &b->u.test;
	const struct tally_kv *ka, *kb;
	size_t i, ia = 0, ib = 0;
	int c;

	for (i = 0; i < x->nsuite && i < y->nsuite; i++)
		if ((c = strcmp(nz(x->suite[i]), nz(y->suite[i]))) != 0)
			return c;
	if (x->nsuite != y->nsuite)
		return x->nsuite < y->nsuite ? -1 : 1;
	if ((c = strcmp(nz(x->classname), nz(y->classname))) != 0 ||
	    (c = strcmp(nz(x->name), nz(y->name))) != 0)
		return c;
	for (;;) {
		ka = id_label(a, &ia);
		kb = id_label(b, &ib);
		if (ka == NULL || kb == NULL)
			return (ka != NULL) - (kb != NULL);
		if ((c = strcmp(nz(ka->key), nz(kb->key))) != 0 ||
		    (c = strcmp(nz(ka->value), nz(kb->value))) != 0)
			return c;
	}
}

int
tally_merge_test_cmp(const struct tally_record *a,
    const struct tally_record *b)
{
	return test_cmp(a, b);
}

/*
 * n bytes onto a sort key or a frame, which are not strings: no NUL kept
 * after them, and no call while the buffer (reused from one to the next)
 * has room.
 */
static inline int
put(struct tally_buf *b, const void *p, size_t n)
{
	if (n < b->cap - b->len) {
		memcpy(b->data + b->len, p, n);
		b->len += n;
		return TALLY_OK;
	}
	return tally_buf_add(b, p, n);
}

static inline int
key_str(struct tally_buf *b, const char *s)
{
	s = nz(s);
	return put(b, s, strlen(s) + 1);
}

/*
 * The sort key of a test (labels canonical): bytes that memcmp puts in
 * test_cmp's order, equal exactly when test_cmp says 0, so sorting and
 * merging runs compare keys made once, not records field by field.
 * A string is its bytes and a NUL, which sorts below every byte of a
 * string (strcmp's order); an item of a list starts with 1 and the
 * list ends with 0, so a list sorts before its extensions:
 *
 *	(1 suite NUL)... 0 classname NUL name NUL (1 key NUL value NUL)... 0
 *
 * leaving the shard label out.  No key is a prefix of another.
 */
static int
sort_key(struct tally_buf *b, const struct tally_record *r)
{
	const struct tally_test *t = &r->u.test;
	const struct tally_kv *kv;
	size_t i, k = 0;
	int rc = TALLY_OK;

	tally_buf_reset(b);
	for (i = 0; i < t->nsuite; i++)
		rc |= put(b, "\1", 1) | key_str(b, t->suite[i]);
	rc |= put(b, "", 1);
	rc |= key_str(b, t->classname) | key_str(b, t->name);
	while ((kv = id_label(r, &k)) != NULL)
		rc |= put(b, "\1", 1) | key_str(b, kv->key) |
		    key_str(b, kv->value);
	rc |= put(b, "", 1);
	return rc != TALLY_OK ? TALLY_ENOMEM : TALLY_OK;
}

/* Sort keys (or stream lines) in order; NULL is "". */
static int
key_cmp(const char *a, size_t na, const char *b, size_t nb)
{
	size_t n = na < nb ? na : nb, i = 0;
	uint64_t x, y;

	/*
	 * memcmp()'s order, eight bytes a turn and inline: keys of one
	 * suite share their first tens of bytes, and sorting compares keys
	 * more than anything else (a libc call each was a fifth of merge).
	 */
	for (; i + 8 <= n; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			x = __builtin_bswap64(x);
			y = __builtin_bswap64(y);
#endif
			return x < y ? -1 : 1;
		}
	}
	for (; i < n; i++)
		if (a[i] != b[i])
			return (unsigned char)a[i] < (unsigned char)b[i] ?
			    -1 : 1;
	return (na > nb) - (na < nb);
}

static int
tentry_cmp(const void *a, const void *b)
{
	const struct tentry *x = *(struct tentry *const *)a;
	const struct tentry *y = *(struct tentry *const *)b;

	return key_cmp(x->key, x->klen, y->key, y->klen);
}

/*
 * Sorting the tests of a run by key.  Keys of one suite share their
 * first tens of bytes, which a comparison sort reads again at every one
 * of its n log n comparisons, each on two entries far apart in memory.
 * Instead (a multikey sort, MSD radix's way): the entries get the next
 * eight bytes of their key inline, are sorted on those, and each group
 * that is still equal goes on eight bytes further; an entry is read once
 * a level.  Bytes past a key's end read as 0: no key is a prefix of
 * another, so two keys differ before either ends, and the order is
 * memcmp's.  Past SORT_DEEP bytes a group is sorted the usual way.
 */
struct skey {
	uint64_t	 k;
	struct tentry	*e;
};

#define SORT_DEEP	256
#define SORT_SMALL	12

unsigned tally_merge_sort_depth = 128;

static inline uint64_t
key_chunk(const struct tentry *e, size_t off)
{
	uint64_t v = 0;

	if (off + 8 <= e->klen)
		memcpy(&v, e->key + off, 8);
	else if (off < e->klen)
		memcpy(&v, e->key + off, e->klen - off);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/* a and b from byte off on (their bytes before it are equal). */
static inline int
skey_rest(const struct skey *a, const struct skey *b, size_t off)
{
	if (a->k != b->k)
		return a->k < b->k ? -1 : 1;
	off += 8;
	return key_cmp(a->e->key + off, a->e->klen > off ? a->e->klen - off :
	    0, b->e->key + off, b->e->klen > off ? b->e->klen - off : 0);
}

static int
skey_cmp(const void *pa, const void *pb)
{
	const struct skey *a = pa, *b = pb;

	return a->k < b->k ? -1 : a->k > b->k;
}

static int
skey_full(const void *pa, const void *pb)
{
	const struct skey *a = pa, *b = pb;

	return key_cmp(a->e->key, a->e->klen, b->e->key, b->e->klen);
}

static inline void
skey_swap(struct skey *a, size_t i, size_t j)
{
	struct skey t = a[i];

	a[i] = a[j];
	a[j] = t;
}

/*
 * a[0..n) by k: quicksort, inline, three ways (groups of equal k are the
 * rule), the smaller side first; past depth levels (input that defeats
 * the median of three) qsort's merge sort, n log n whatever the keys.
 */
static void
skey_qsort(struct skey *a, size_t n, unsigned depth)
{
	struct skey t;
	uint64_t p, x, y, z;
	size_t lt, i, gt, j;

	while (n > SORT_SMALL) {
		if (depth-- == 0) {
			qsort(a, n, sizeof(*a), skey_cmp);
			return;
		}
		x = a[0].k;
		y = a[n / 2].k;
		z = a[n - 1].k;
		p = x < y ? (y < z ? y : x < z ? z : x) :
		    (x < z ? x : y < z ? z : y);
		for (lt = 0, i = 0, gt = n; i < gt; )
			if (a[i].k < p)
				skey_swap(a, lt++, i++);
			else if (a[i].k > p)
				skey_swap(a, i, --gt);
			else
				i++;
		if (lt < n - gt) {
			skey_qsort(a, lt, depth);
			a += gt;
			n -= gt;
		} else {
			skey_qsort(a + gt, n - gt, depth);
			n = lt;
		}
	}
	for (i = 1; i < n; i++) {
		t = a[i];
		for (j = i; j > 0 && t.k < a[j - 1].k; j--)
			a[j] = a[j - 1];
		a[j] = t;
	}
}

static void
skey_sort(struct skey *a, size_t n, size_t off)
{
	struct skey t;
	size_t i, j;

	while (n > 1) {
		if (off >= SORT_DEEP) {
			qsort(a, n, sizeof(*a), skey_full);
			return;
		}
		for (i = 0; i < n; i++)
			a[i].k = key_chunk(a[i].e, off);
		if (n <= SORT_SMALL) {
			for (i = 1; i < n; i++) {
				t = a[i];
				for (j = i; j > 0 && skey_rest(&t, &a[j - 1],
				    off) < 0; j--)
					a[j] = a[j - 1];
				a[j] = t;
			}
			return;
		}
		for (i = 1; i < n && a[i].k == a[0].k; i++)
			;
		if (i < n) {
			skey_qsort(a, n, tally_merge_sort_depth);
			/* Each group of equal bytes on its own; the last one
			 * in this loop. */
			for (i = 0; ; i = j) {
				for (j = i + 1; j < n && a[j].k == a[i].k; j++)
					;
				if (j == n)
					break;
				skey_sort(a + i, j - i, off + 8);
			}
			a += i;
			n -= i;
		}
		off += 8;
	}
}

/* The entries tv[0..n) in key order. */
static void
sort_tests(struct tentry **tv, size_t n)
{
	struct skey *a;
	size_t i;

	if ((a = malloc(n * sizeof(*a))) == NULL) {
		qsort(tv, n, sizeof(*tv), tentry_cmp);
		return;
	}
	for (i = 0; i < n; i++)
		a[i].e = tv[i];
	skey_sort(a, n, 0);
	for (i = 0; i < n; i++)
		tv[i] = a[i].e;
	free(a);
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

/* ---- spill files: records in a compact binary form ---- */

/*
 * A frame is a 4-byte length and that many bytes: the record's type (the
 * low byte of a word whose other bits say, of a test, what a skim asks:
 * FRAME_FAILED, FRAME_FLAKY), its sort key (a test's sort_key, any other
 * record's stream line) and the record.
 * Strings are a 4-byte length + 1 (0 for NULL) and the bytes with their
 * NUL, so that decoding can point into the frame.  Numbers are copied as
 * they are in memory: a spill file never leaves this process.
 */
static inline int
put_u32(struct tally_buf *b, size_t v)
{
	uint32_t u = (uint32_t)v;

	return put(b, &u, sizeof(u));
}

static inline int
put_long(struct tally_buf *b, long v)
{
	return put(b, &v, sizeof(v));
}

static inline int
put_dbl(struct tally_buf *b, double v)
{
	return put(b, &v, sizeof(v));
}

static inline int
put_str(struct tally_buf *b, const char *s)
{
	size_t n;

	if (s == NULL)
		return put_u32(b, 0);
	n = strlen(s);
	return put_u32(b, n + 1) | put(b, s, n + 1);
}

/* n bytes as a string that may hold NULs (decoded by get_bytes). */
static int
put_bytes(struct tally_buf *b, const char *s, size_t n)
{
	if (s == NULL)
		return put_u32(b, 0);
	return put_u32(b, n + 1) | put(b, s, n) | put(b, "", 1);
}

static int
put_kv(struct tally_buf *b, const struct tally_kv *kv, size_t n)
{
	size_t i;
	int rc = put_u32(b, n);

	for (i = 0; i < n; i++)
		rc |= put_str(b, kv[i].key) | put_str(b, kv[i].value);
	return rc;
}

static int
put_att(struct tally_buf *b, const struct tally_attempt *a)
{
	return put_u32(b, (size_t)a->status) | put_str(b, a->raw_status) |
	    put_dbl(b, a->duration) | put_str(b, a->message) |
	    put_str(b, a->type) | put_str(b, a->trace) |
	    put_str(b, a->stdout_text) | put_str(b, a->stderr_text);
}

/*
 * What a test frame holds beyond name, classname, suite, status and
 * duration: a bit for each member that is set (a string, a number other
 * than its default, a list that is not empty), and only those follow.
 */
#define TM_RAW		(1u << 0)
#define TM_MESSAGE	(1u << 1)
#define TM_TYPE		(1u << 2)
#define TM_TRACE	(1u << 3)
#define TM_STDOUT	(1u << 4)
#define TM_STDERR	(1u << 5)
#define TM_FILE		(1u << 6)
#define TM_LINE		(1u << 7)
#define TM_CATEGORY	(1u << 8)
#define TM_RETRIES	(1u << 9)
#define TM_FLAKY	(1u << 10)
#define TM_ATTEMPTS	(1u << 11)
#define TM_PROPERTIES	(1u << 12)
#define TM_CHANGE	(1u << 13)
#define TM_DCHANGE	(1u << 14)
#define TM_BASE		(1u << 15)

static unsigned
test_mask(const struct tally_test *t)
{
	return (t->raw_status != NULL ? TM_RAW : 0) |
	    (t->message != NULL ? TM_MESSAGE : 0) |
	    (t->type != NULL ? TM_TYPE : 0) |
	    (t->trace != NULL ? TM_TRACE : 0) |
	    (t->stdout_text != NULL ? TM_STDOUT : 0) |
	    (t->stderr_text != NULL ? TM_STDERR : 0) |
	    (t->file_path != NULL ? TM_FILE : 0) |
	    (t->line != 0 ? TM_LINE : 0) |
	    (t->category != NULL ? TM_CATEGORY : 0) |
	    (t->retries != 0 ? TM_RETRIES : 0) |
	    (t->flaky != 0 ? TM_FLAKY : 0) |
	    (t->nattempts > 0 ? TM_ATTEMPTS : 0) |
	    (t->nproperties > 0 ? TM_PROPERTIES : 0) |
	    (t->change != NULL ? TM_CHANGE : 0) |
	    (t->duration_change != NULL ? TM_DCHANGE : 0) |
	    (memcmp(&t->base_duration, &(double){ -1 },
	    sizeof(double)) != 0 ? TM_BASE : 0);
}

/* Append rec's frame to b, with its sort key (line, n bytes). */
static int
encode(struct tally_buf *b, const struct tally_record *r, const char *line,
    size_t n)
{
	size_t start = b->len, i, len;
	int rc;

	rc = put_u32(b, 0);
	rc |= put_u32(b, (size_t)r->type | (r->type != TALLY_REC_TEST ? 0 :
	    (r->u.test.status == TALLY_FAILED ? FRAME_FAILED : 0) |
	    (r->u.test.flaky != 0 ? FRAME_FLAKY : 0)));
	rc |= put_bytes(b, line, n);
	rc |= put_str(b, r->source);
	rc |= put_kv(b, r->labels, r->nlabels);
	switch (r->type) {
	case TALLY_REC_TEST: {
		const struct tally_test *t = &r->u.test;
		unsigned mask = test_mask(t);

		rc |= put_str(b, t->name) | put_str(b, t->classname);
		rc |= put_u32(b, t->nsuite);
		for (i = 0; i < t->nsuite; i++)
			rc |= put_str(b, t->suite[i]);
		rc |= put_u32(b, (size_t)t->status | mask << 8);
		rc |= put_dbl(b, t->duration);
		if (mask & TM_RAW)
			rc |= put_str(b, t->raw_status);
		if (mask & TM_MESSAGE)
			rc |= put_str(b, t->message);
		if (mask & TM_TYPE)
			rc |= put_str(b, t->type);
		if (mask & TM_TRACE)
			rc |= put_str(b, t->trace);
		if (mask & TM_STDOUT)
			rc |= put_str(b, t->stdout_text);
		if (mask & TM_STDERR)
			rc |= put_str(b, t->stderr_text);
		if (mask & TM_FILE)
			rc |= put_str(b, t->file_path);
		if (mask & TM_LINE)
			rc |= put_long(b, t->line);
		if (mask & TM_CATEGORY)
			rc |= put_str(b, t->category);
		if (mask & TM_RETRIES)
			rc |= put_long(b, t->retries);
		if (mask & TM_FLAKY)
			rc |= put_long(b, t->flaky);
		if (mask & TM_ATTEMPTS) {
			rc |= put_u32(b, t->nattempts);
			for (i = 0; i < t->nattempts; i++)
				rc |= put_att(b, &t->attempts[i]);
		}
		if (mask & TM_PROPERTIES)
			rc |= put_kv(b, t->properties, t->nproperties);
		if (mask & TM_CHANGE)
			rc |= put_str(b, t->change);
		if (mask & TM_DCHANGE)
			rc |= put_str(b, t->duration_change);
		if (mask & TM_BASE)
			rc |= put_dbl(b, t->base_duration);
		break;
	}
	case TALLY_REC_SUITE: {
		const struct tally_suite *s = &r->u.suite;

		rc |= put_u32(b, s->npath);
		for (i = 0; i < s->npath; i++)
			rc |= put_str(b, s->path[i]);
		rc |= put_str(b, s->timestamp) | put_str(b, s->hostname);
		rc |= put_dbl(b, s->duration) | put_long(b, s->tests);
		rc |= put_long(b, s->failures) | put_long(b, s->errors);
		rc |= put_long(b, s->skipped);
		rc |= put_str(b, s->stdout_text) | put_str(b, s->stderr_text);
		rc |= put_kv(b, s->properties, s->nproperties);
		break;
	}
	case TALLY_REC_META:
		rc |= put_kv(b, r->u.meta.items, r->u.meta.nitems);
		break;
	case TALLY_REC_ERROR:
		rc |= put_long(b, r->u.error.line);
		rc |= put_long(b, r->u.error.column);
		rc |= put_str(b, r->u.error.message);
		break;
	case TALLY_REC_PERF: {
		const struct tally_perf *p = &r->u.perf;

		rc |= put_str(b, p->name) | put_str(b, p->method);
		rc |= put_long(b, p->requests) | put_long(b, p->failures);
		rc |= put_dbl(b, p->mean) | put_dbl(b, p->min);
		rc |= put_dbl(b, p->max) | put_dbl(b, p->median);
		rc |= put_dbl(b, p->p90) | put_dbl(b, p->p95);
		rc |= put_dbl(b, p->p99) | put_dbl(b, p->rps);
		rc |= put_kv(b, p->properties, p->nproperties);
		break;
	}
	case TALLY_REC_DIFF:
	case TALLY_REC_HISTORY:
	case TALLY_REC_RUN:
		rc |= put_u32(b, r->u.fields.nitems);
		for (i = 0; i < r->u.fields.nitems; i++) {
			const struct tally_field *x = &r->u.fields.items[i];

			rc |= put_str(b, x->key) | put_str(b, x->str) |
			    put_dbl(b, x->num);
			/* An array: its length + 1, 0 for none. */
			rc |= put_u32(b, x->strv != NULL ? x->nstrv + 1 : 0);
			for (len = 0; x->strv != NULL && len < x->nstrv; len++)
				rc |= put_str(b, x->strv[len]);
		}
		break;
	}
	if (rc != TALLY_OK || b->len - start - 4 > UINT32_MAX)
		return TALLY_ENOMEM;
	len = b->len - start - 4;
	memcpy(b->data + start, &(uint32_t){ (uint32_t)len }, 4);
	return TALLY_OK;
}

/* A decoded frame: the record points into frame and the arrays here. */
struct dec {
	struct tally_record	 rec;
	const char		*line;	/* the sort key, linelen bytes */
	size_t			 linelen;
	int			 rank;
	struct tally_buf	 frame;
	const char		**sv;
	size_t			 csv;
	struct tally_kv		*kv[2];
	size_t			 ckv[2];
	struct tally_attempt	*att;
	size_t			 catt;
	struct tally_field	*fld;
	size_t			 cfld;
	const char		**fsv;
	size_t			 cfsv;
};

struct rd {
	const char	*p, *end;
	int		 bad;
};

static inline void
get(struct rd *d, void *dst, size_t n)
{
	if (d->bad || (size_t)(d->end - d->p) < n) {
		d->bad = 1;
		memset(dst, 0, n);
		return;
	}
	memcpy(dst, d->p, n);
	d->p += n;
}

static inline size_t
get_u32(struct rd *d)
{
	uint32_t u;

	get(d, &u, sizeof(u));
	return u;
}

static inline long
get_long(struct rd *d)
{
	long v;

	get(d, &v, sizeof(v));
	return v;
}

static inline double
get_dbl(struct rd *d)
{
	double v;

	get(d, &v, sizeof(v));
	return v;
}

static inline const char *
get_str(struct rd *d)
{
	size_t n = get_u32(d);
	const char *s = d->p;

	if (n == 0 || d->bad)
		return NULL;
	if ((size_t)(d->end - d->p) < n || s[n - 1] != '\0') {
		d->bad = 1;
		return NULL;
	}
	d->p += n;
	return s;
}

/* A string from put_bytes and its length. */
static const char *
get_bytes(struct rd *d, size_t *len)
{
	const char *s;
	size_t n = get_u32(d);

	*len = 0;
	if (n == 0 || d->bad)
		return NULL;
	s = d->p;
	if ((size_t)(d->end - d->p) < n || s[n - 1] != '\0') {
		d->bad = 1;
		return NULL;
	}
	d->p += n;
	*len = n - 1;
	return s;
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
get_kv(struct rd *d, struct dec *x, int slot, struct tally_kv **out,
    size_t *n)
{
	size_t i, k = get_u32(d);

	if (k > (size_t)(d->end - d->p) || grow((void **)&x->kv[slot],
	    &x->ckv[slot], k + 1, sizeof(struct tally_kv)))
		return d->bad = 1;
	for (i = 0; i < k; i++) {
		x->kv[slot][i].key = get_str(d);
		x->kv[slot][i].value = get_str(d);
	}
	*out = x->kv[slot];
	*n = k;
	return d->bad;
}

static void
get_att(struct rd *d, struct tally_attempt *a)
{
	a->status = (enum tally_status)get_u32(d);
	a->raw_status = get_str(d);
	a->duration = get_dbl(d);
	a->message = get_str(d);
	a->type = get_str(d);
	a->trace = get_str(d);
	a->stdout_text = get_str(d);
	a->stderr_text = get_str(d);
}

static int
get_strv(struct rd *d, struct dec *x, const char ***out, size_t *n)
{
	size_t i, k = get_u32(d);

	if (k > (size_t)(d->end - d->p) ||
	    grow((void **)&x->sv, &x->csv, k + 1, sizeof(char *)))
		return d->bad = 1;
	for (i = 0; i < k; i++)
		x->sv[i] = get_str(d);
	*out = x->sv;
	*n = k;
	return d->bad;
}

/* Decode the frame in x->frame (without its length) into x->rec. */
static int
decode(struct dec *x)
{
	struct tally_record *r = &x->rec;
	struct rd d = { x->frame.data, x->frame.data + x->frame.len, 0 };
	size_t i, n;

	tally_record_init(r, (enum tally_type)(get_u32(&d) & FRAME_TYPE));
	x->rank = type_rank(r->type);
	x->line = get_bytes(&d, &x->linelen);
	r->source = get_str(&d);
	if (get_kv(&d, x, 0, &r->labels, &r->nlabels))
		return TALLY_EPARSE;
	switch (r->type) {
	case TALLY_REC_TEST: {
		struct tally_test *t = &r->u.test;
		unsigned mask;

		t->name = get_str(&d);
		t->classname = get_str(&d);
		if (get_strv(&d, x, &t->suite, &t->nsuite))
			return TALLY_EPARSE;
		mask = (unsigned)get_u32(&d);
		t->status = (enum tally_status)(mask & 0xFFu);
		mask >>= 8;
		t->duration = get_dbl(&d);
		if (mask & TM_RAW)
			t->raw_status = get_str(&d);
		if (mask & TM_MESSAGE)
			t->message = get_str(&d);
		if (mask & TM_TYPE)
			t->type = get_str(&d);
		if (mask & TM_TRACE)
			t->trace = get_str(&d);
		if (mask & TM_STDOUT)
			t->stdout_text = get_str(&d);
		if (mask & TM_STDERR)
			t->stderr_text = get_str(&d);
		if (mask & TM_FILE)
			t->file_path = get_str(&d);
		if (mask & TM_LINE)
			t->line = get_long(&d);
		if (mask & TM_CATEGORY)
			t->category = get_str(&d);
		if (mask & TM_RETRIES)
			t->retries = get_long(&d);
		if (mask & TM_FLAKY)
			t->flaky = (int)get_long(&d);
		if (mask & TM_ATTEMPTS) {
			n = get_u32(&d);
			if (n > (size_t)(d.end - d.p) || grow((void **)&x->att,
			    &x->catt, n + 1, sizeof(*x->att)))
				return TALLY_EPARSE;
			for (i = 0; i < n; i++)
				get_att(&d, &x->att[i]);
			t->attempts = x->att;
			t->nattempts = n;
		}
		if (mask & TM_PROPERTIES)
			get_kv(&d, x, 1, &t->properties, &t->nproperties);
		if (mask & TM_CHANGE)
			t->change = get_str(&d);
		if (mask & TM_DCHANGE)
			t->duration_change = get_str(&d);
		if (mask & TM_BASE)
			t->base_duration = get_dbl(&d);
		break;
	}
	case TALLY_REC_SUITE: {
		struct tally_suite *s = &r->u.suite;

		if (get_strv(&d, x, &s->path, &s->npath))
			return TALLY_EPARSE;
		s->timestamp = get_str(&d);
		s->hostname = get_str(&d);
		s->duration = get_dbl(&d);
		s->tests = get_long(&d);
		s->failures = get_long(&d);
		s->errors = get_long(&d);
		s->skipped = get_long(&d);
		s->stdout_text = get_str(&d);
		s->stderr_text = get_str(&d);
		get_kv(&d, x, 1, &s->properties, &s->nproperties);
		break;
	}
	case TALLY_REC_META:
		get_kv(&d, x, 1, &r->u.meta.items, &r->u.meta.nitems);
		break;
	case TALLY_REC_ERROR:
		r->u.error.line = get_long(&d);
		r->u.error.column = get_long(&d);
		r->u.error.message = get_str(&d);
		break;
	case TALLY_REC_PERF: {
		struct tally_perf *p = &r->u.perf;

		p->name = get_str(&d);
		p->method = get_str(&d);
		p->requests = get_long(&d);
		p->failures = get_long(&d);
		p->mean = get_dbl(&d);
		p->min = get_dbl(&d);
		p->max = get_dbl(&d);
		p->median = get_dbl(&d);
		p->p90 = get_dbl(&d);
		p->p95 = get_dbl(&d);
		p->p99 = get_dbl(&d);
		p->rps = get_dbl(&d);
		get_kv(&d, x, 1, &p->properties, &p->nproperties);
		break;
	}
	case TALLY_REC_DIFF:
	case TALLY_REC_HISTORY:
	case TALLY_REC_RUN: {
		size_t ns = 0, k, m;

		n = get_u32(&d);
		/* No frame holds more strings than bytes. */
		if (n > (size_t)(d.end - d.p) || grow((void **)&x->fld,
		    &x->cfld, n + 1, sizeof(*x->fld)) ||
		    grow((void **)&x->fsv, &x->cfsv,
		    (size_t)(d.end - d.p) / 4 + 1, sizeof(*x->fsv)))
			return TALLY_EPARSE;
		for (i = 0; i < n; i++) {
			memset(&x->fld[i], 0, sizeof(x->fld[i]));
			x->fld[i].key = get_str(&d);
			x->fld[i].str = get_str(&d);
			x->fld[i].num = get_dbl(&d);
			if ((m = get_u32(&d)) == 0)
				continue;
			if (m - 1 > x->cfsv - ns)
				return TALLY_EPARSE;
			x->fld[i].strv = &x->fsv[ns];
			x->fld[i].nstrv = m - 1;
			for (k = 0; k < m - 1; k++)
				x->fsv[ns++] = get_str(&d);
		}
		r->u.fields.items = x->fld;
		r->u.fields.nitems = n;
		break;
	}
	default:
		return TALLY_EPARSE;
	}
	return d.bad || d.p != d.end ? TALLY_EPARSE : TALLY_OK;
}

/* A frame made by encode (with its length) decoded into m->thaw. */
static int
dec_frame(struct tally_merge *m, const char *frame, size_t flen,
    const struct tally_record **out)
{
	*out = NULL;
	if (m->thaw == NULL && (m->thaw = calloc(1, sizeof(*m->thaw))) == NULL)
		return TALLY_ENOMEM;
	tally_buf_reset(&m->thaw->frame);
	if (flen < 4 || tally_buf_add(&m->thaw->frame, frame + 4, flen - 4) !=
	    TALLY_OK)
		return TALLY_ENOMEM;
	if (decode(m->thaw) != TALLY_OK)
		return TALLY_ENOMEM;	/* made here: cannot happen */
	*out = &m->thaw->rec;
	return TALLY_OK;
}

static void
dec_free(struct dec *x)
{
	tally_buf_free(&x->frame);
	free(x->sv);
	free(x->kv[0]);
	free(x->kv[1]);
	free(x->att);
	free(x->fld);
	free(x->fsv);
}

/* ---- the spill file and its runs ---- */

static int
tmp_open(struct tally_merge *m, struct tally_error *err)
{
	const char *dir = m->tmpdir;
	char *path;
	int fd, e;

	if (m->tmp != NULL)
		return TALLY_OK;
	if (dir == NULL || dir[0] == '\0')
		dir = getenv("TMPDIR");
	if (dir == NULL || dir[0] == '\0')
		dir = "/tmp";
	if (asprintf(&path, "%s/tally-merge.XXXXXX", dir) < 0)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	/* Unlinked at once: nothing is left behind on any exit. */
	if ((fd = mkstemp(path)) < 0) {
		e = errno;
		free(path);
		err->sys_errno = e;
		return tally_error_set(err, TALLY_EIO, 0, 0, "cannot create "
		    "a temporary file in '%s': %s", dir, strerror(e));
	}
	unlink(path);
	free(path);
	if ((m->tmp = fdopen(fd, "w+")) == NULL) {
		close(fd);
		return tally_error_set(err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	}
	/* Runs go out in large writes, not stdio's 4 KiB ones. */
	if ((m->tmpbuf = malloc(TMP_BUF)) != NULL)
		(void)setvbuf(m->tmp, m->tmpbuf, _IOFBF, TMP_BUF);
	return TALLY_OK;
}

static int
tmp_error(struct tally_merge *m, struct tally_error *err)
{
	int e = errno;

	(void)m;
	err->sys_errno = e;
	return tally_error_set(err, TALLY_EIO, 0, 0, "write error: temporary "
	    "file: %s", strerror(e));
}

/* Write rec's frame, with its sort key, at the end of the spill file. */
static int
spill_write(struct tally_merge *m, const struct tally_record *rec,
    const char *line, size_t n, struct tally_error *err)
{
	tally_buf_reset(&m->enc);
	if (encode(&m->enc, rec, line, n) != TALLY_OK)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	if (fwrite(m->enc.data, 1, m->enc.len, m->tmp) != m->enc.len)
		return tmp_error(m, err);
	return TALLY_OK;
}

static int
run_begin(struct tally_merge *m, struct tally_error *err)
{
	int rc;

	if ((rc = tmp_open(m, err)) != TALLY_OK)
		return rc;
	if (grow((void **)&m->runs, &m->cruns, m->nruns + 1,
	    sizeof(*m->runs)))
		return tally_error_set(err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	if (fseeko(m->tmp, 0, SEEK_END) != 0)
		return tmp_error(m, err);
	m->runs[m->nruns].start = m->runs[m->nruns].end = ftello(m->tmp);
	return TALLY_OK;
}

static int
run_end(struct tally_merge *m, struct tally_error *err)
{
	if (fflush(m->tmp) != 0)
		return tmp_error(m, err);
	m->runs[m->nruns++].end = ftello(m->tmp);
	return TALLY_OK;
}

/* ---- draining the table in canonical order ---- */

/* Where drained records go, with their sort key; each takes rec. */
typedef int (*emit_fn)(struct tally_merge *m, struct tally_record *rec,
    const char *line, size_t n, struct tally_error *err);

static int
emit_out(struct tally_merge *m, struct tally_record *rec, const char *line,
    size_t n, struct tally_error *err)
{
	(void)line;
	(void)n;
	if (grow((void **)&m->out, &m->cout, m->nout + 1, sizeof(*m->out))) {
		tally_record_free(rec);
		return tally_error_set(err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	}
	m->out[m->nout++] = rec;
	return TALLY_OK;
}

static int
emit_spill(struct tally_merge *m, struct tally_record *rec,
    const char *line, size_t n, struct tally_error *err)
{
	int rc = spill_write(m, rec, line, n, err);

	tally_record_free(rec);
	return rc;
}

/*
 * Regroup the meta items o[0..n) (sorted, same labels) into records with
 * unique keys: the first record takes each key's smallest value, the
 * next the second smallest, and so on.
 */
static int
finish_meta(struct tally_merge *m, struct oentry **o, size_t n)
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
		if ((rc = tally_record_dup(&r, &dup)) == TALLY_OK)
			rc = emit_out(m, dup, NULL, 0, NULL);
	}
	free(r.u.meta.items);
	free(round);
	return rc;
}

static void
ht_clear(struct htab *t)
{
	free(t->s);
	t->s = NULL;
	t->cap = t->n = 0;
}

/* Meta records, regrouped, into m->out. */
static int
drain_meta(struct tally_merge *m, struct tally_error *err)
{
	struct oentry **ov;
	size_t i, j, no = 0;
	int rc = TALLY_OK;

	if (m->meta.n == 0)
		return TALLY_OK;
	if ((ov = malloc(m->meta.n * sizeof(*ov))) == NULL)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	for (i = 0; i < m->meta.cap; i++)
		if (m->meta.s[i].val != NULL)
			ov[no++] = m->meta.s[i].val;
	qsort(ov, no, sizeof(*ov), oentry_cmp);
	for (i = 0; i < no && rc == TALLY_OK; i = j) {
		for (j = i + 1; j < no &&
		    labels_cmp(ov[i]->rec, ov[j]->rec) == 0; j++)
			;
		rc = finish_meta(m, ov + i, j - i);
	}
	for (i = 0; i < no; i++)
		oentry_free(ov[i]);
	free(ov);
	ht_clear(&m->meta);
	if (rc != TALLY_OK)
		return tally_error_set(err, rc, 0, 0, "out of memory");
	return TALLY_OK;
}

/* An entry kept as a frame: the frame to a run, or its record. */
static int
emit_frame(struct tally_merge *m, const struct tentry *e, emit_fn emit,
    struct tally_error *err)
{
	const struct tally_record *r;
	struct tally_record *dup;

	if (emit == emit_spill) {
		if (fwrite(e->frame, 1, e->flen, m->tmp) != e->flen)
			return tmp_error(m, err);
		return TALLY_OK;
	}
	if (dec_frame(m, e->frame, e->flen, &r) != TALLY_OK ||
	    tally_record_dup(r, &dup) != TALLY_OK)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	return emit(m, dup, e->key, e->klen, err);
}

/*
 * Everything in the table but meta, in canonical order, into emit; the
 * table is empty afterwards, also on failure.
 */
static int
drain(struct tally_merge *m, emit_fn emit, struct tally_error *err)
{
	struct tentry **tv = NULL;
	struct oentry **ov = NULL;
	struct tally_record *r;
	size_t i, j, nt = 0, no = 0;
	int rc = TALLY_OK;

	if ((m->tests.n > 0 && (tv = malloc(m->tests.n * sizeof(*tv))) ==
	    NULL) || (m->other.n > 0 && (ov = malloc(m->other.n *
	    sizeof(*ov))) == NULL))
		rc = tally_error_set(err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	for (i = 0; i < m->tests.cap; i++)
		if (m->tests.s[i].val != NULL) {
			if (tv != NULL)
				tv[nt++] = m->tests.s[i].val;
			else
				tentry_free(m->tests.s[i].val);
		}
	for (i = 0; i < m->other.cap; i++)
		if (m->other.s[i].val != NULL) {
			if (ov != NULL)
				ov[no++] = m->other.s[i].val;
			else
				oentry_free(m->other.s[i].val);
		}
	ht_clear(&m->tests);
	ht_clear(&m->other);
	m->used = 0;
	if (nt > 0)
		sort_tests(tv, nt);
	if (no > 0)
		qsort(ov, no, sizeof(*ov), oentry_cmp);
	/* Suites, then tests, then errors and perf; each entry goes once
	 * its record is out. */
	for (i = 0, j = 0; i < no || j < nt; ) {
		if (i < no && (j == nt ||
		    type_rank(ov[i]->rec->type) < RANK_TEST)) {
			if (rc == TALLY_OK) {
				rc = emit(m, ov[i]->rec, ov[i]->line,
				    strlen(ov[i]->line), err);
				ov[i]->rec = NULL;
			}
			oentry_free(ov[i++]);
			continue;
		}
		if (rc == TALLY_OK && tv[j]->frame != NULL)
			rc = emit_frame(m, tv[j], emit, err);
		else if (rc == TALLY_OK) {
			if (finish_test(tv[j], &r) == TALLY_OK)
				rc = emit(m, r, tv[j]->key, tv[j]->klen, err);
			else
				rc = tally_error_set(err, TALLY_ENOMEM, 0, 0,
				    "out of memory");
		}
		tentry_free(tv[j++]);
	}
	chunks_reset(m);
	free(tv);
	free(ov);
	return rc;
}

/* The table as one more run in the spill file. */
static int
spill(struct tally_merge *m, struct tally_error *err)
{
	int rc;

	if ((rc = run_begin(m, err)) != TALLY_OK ||
	    (rc = drain(m, emit_spill, err)) != TALLY_OK)
		return rc;
	return run_end(m, err);
}

/*
 * What a record costs in the table, roughly: its strings with their
 * allocation overhead, plus the entry, its slots and its arrays.
 */
static size_t
str_cost(const char *s)
{
	return s != NULL ? strlen(s) + 1 + 16 : 0;
}

static size_t
kv_cost(const struct tally_kv *kv, size_t n)
{
	size_t i, c = n * sizeof(*kv);

	for (i = 0; i < n; i++)
		c += str_cost(kv[i].key) + str_cost(kv[i].value);
	return c;
}

static size_t
rec_cost(const struct tally_record *r)
{
	size_t i, c = 2 * sizeof(*r) + 128 + str_cost(r->source) +
	    kv_cost(r->labels, r->nlabels);

	switch (r->type) {
	case TALLY_REC_TEST: {
		const struct tally_test *t = &r->u.test;

		c += str_cost(t->name) + str_cost(t->classname) +
		    str_cost(t->raw_status) + str_cost(t->message) +
		    str_cost(t->type) + str_cost(t->trace) +
		    str_cost(t->stdout_text) + str_cost(t->stderr_text) +
		    str_cost(t->file_path) + str_cost(t->category) +
		    kv_cost(t->properties, t->nproperties) +
		    sizeof(struct att) * (t->nattempts + 1);
		for (i = 0; i < t->nsuite; i++)
			c += sizeof(char *) + str_cost(t->suite[i]);
		for (i = 0; i < t->nattempts; i++)
			c += str_cost(t->attempts[i].raw_status) +
			    str_cost(t->attempts[i].message) +
			    str_cost(t->attempts[i].type) +
			    str_cost(t->attempts[i].trace) +
			    str_cost(t->attempts[i].stdout_text) +
			    str_cost(t->attempts[i].stderr_text);
		/* The key and the identity strings twice. */
		c += str_cost(t->name) + str_cost(t->classname);
		break;
	}
	case TALLY_REC_SUITE:
		for (i = 0; i < r->u.suite.npath; i++)
			c += sizeof(char *) + 2 * str_cost(r->u.suite.path[i]);
		c += str_cost(r->u.suite.timestamp) +
		    str_cost(r->u.suite.hostname) +
		    2 * str_cost(r->u.suite.stdout_text) +
		    2 * str_cost(r->u.suite.stderr_text) +
		    2 * kv_cost(r->u.suite.properties,
		    r->u.suite.nproperties);
		break;
	case TALLY_REC_ERROR:
		c += 2 * str_cost(r->u.error.message);
		break;
	case TALLY_REC_PERF:
		c += 2 * str_cost(r->u.perf.name) +
		    2 * str_cost(r->u.perf.method) + 256 +
		    2 * kv_cost(r->u.perf.properties,
		    r->u.perf.nproperties);
		break;
	default:
		break;
	}
	return c;
}

/* Add rec to the table; spill the table when it is over budget. */
static int
table_add(struct tally_merge *m, const struct tally_record *rec,
    struct tally_error *err)
{
	struct tally_record r;
	int rc, counted = 0;

	if (rec->type == TALLY_REC_TEST)
		rc = add_test(m, rec, &counted);
	else if ((rc = canon(m, rec, &r)) == TALLY_OK)
		rc = add_other1(m, &m->other, &r);
	if (rc != TALLY_OK)
		return tally_error_set(err, rc, 0, 0, "out of memory");
	if (!counted)
		m->used += rec_cost(rec);
	return m->used > m->budget ? spill(m, err) : TALLY_OK;
}

/* ---- input that is already in canonical order ---- */

/*
 * While records arrive in strictly increasing canonical order, each is
 * made canonical on its own (its attempts ordered, ...) and kept in
 * order: in memory up to the budget, then as the first run of the spill
 * file.  A merged stream never needs the table.  The first record out of
 * order ends this: what was kept goes into the table (or stays the first
 * run) and merging goes on as usual.
 */
static int
sorted_end(struct tally_merge *m, struct tally_error *err)
{
	size_t i;
	int rc = TALLY_OK;

	m->sorted = 0;
	m->used = 0;
	m->haveprev = 0;
	if (m->sorted_disk) {
		m->sorted_disk = 0;
		return run_end(m, err);
	}
	/* Merged records merge again into themselves. */
	for (i = 0; i < m->nout; i++) {
		if (rc == TALLY_OK)
			rc = table_add(m, m->out[i], err);
		tally_record_free(m->out[i]);
	}
	m->nout = 0;
	return rc;
}

/*
 * A test that merging on its own leaves as it is (labels aside, which
 * canon() sorts): one result and no attempts listed, a retry count
 * that is not negative, flaky only as 1 on a pass.  A merged stream is
 * mostly made of these; they skip the entry that would rebuild them.
 */
static int
test_is_merged(const struct tally_test *t)
{
	return t->nattempts == 0 && t->retries >= 0 && (t->flaky == 0 ||
	    (t->flaky == 1 && t->status == TALLY_PASSED));
}

/* rec made canonical on its own, as a new record (*out) or as r. */
static int
sorted_one(const struct tally_record *r, struct tally_record **out)
{
	struct tentry *e;
	int rc;

	*out = NULL;
	if (r->type != TALLY_REC_TEST || test_is_merged(&r->u.test))
		return TALLY_OK;
	if ((rc = entry_new(NULL, r, NULL, 0, NULL, 0, &e)) != TALLY_OK)
		return rc;
	if ((rc = entry_add(e, r, 0)) == TALLY_OK)
		rc = finish_test(e, out);
	tentry_free(e);
	return rc;
}

static int
sorted_add(struct tally_merge *m, const struct tally_record *in,
    struct tally_error *err)
{
	struct tally_record r, *one = NULL, *x;
	const struct tally_record *cur;
	size_t i;
	int rank = type_rank(in->type), c, rc;

	/* The record's sort key, in m->key (m->b holds a stream line). */
	if (canon(m, in, &r) != TALLY_OK ||
	    sorted_one(&r, &one) != TALLY_OK)
		goto nomem;
	cur = one != NULL ? one : &r;
	if (rank == RANK_TEST)
		rc = sort_key(&m->key, cur);
	else {
		tally_buf_reset(&m->key);
		rc = tally_stream_format(&m->key, cur);
	}
	if (rc != TALLY_OK) {
		tally_record_free(one);
		goto nomem;
	}
	c = !m->haveprev ? 1 : rank - m->prevrank;
	if (c == 0)
		c = key_cmp(m->key.data, m->key.len, m->prevline.data,
		    m->prevline.len);
	if (c <= 0) {
		tally_record_free(one);
		if ((rc = sorted_end(m, err)) != TALLY_OK)
			return rc;
		return table_add(m, in, err);
	}
	m->haveprev = 1;
	m->prevrank = rank;
	tally_buf_reset(&m->prevline);
	if (tally_buf_add(&m->prevline, m->key.data, m->key.len) !=
	    TALLY_OK) {
		tally_record_free(one);
		goto nomem;
	}
	if (rank == RANK_TEST && m->watch != NULL)
		m->watch(m->watch_arg, cur);
	if (m->sorted_disk) {
		/* Straight to the run: no copy. */
		rc = spill_write(m, cur, m->key.data, m->key.len, err);
		tally_record_free(one);
		return rc;
	}
	if (one == NULL && tally_record_dup(&r, &one) != TALLY_OK)
		goto nomem;
	if ((rc = emit_out(m, one, NULL, 0, err)) != TALLY_OK)
		return rc;
	m->used += rec_cost(in);
	if (m->used <= m->budget)
		return TALLY_OK;
	/* Over budget: what is kept becomes the first run, still open. */
	if ((rc = run_begin(m, err)) != TALLY_OK)
		return rc;
	for (i = 0; i < m->nout; i++) {
		x = m->out[i];
		if (rc == TALLY_OK) {
			if (x->type == TALLY_REC_TEST)
				rc = sort_key(&m->key, x);
			else {
				tally_buf_reset(&m->key);
				rc = tally_stream_format(&m->key, x);
			}
			if (rc != TALLY_OK)
				rc = TALLY_ENOMEM;
		}
		if (rc == TALLY_OK)
			rc = spill_write(m, x, m->key.data, m->key.len, err);
		tally_record_free(x);
	}
	m->nout = 0;
	m->used = 0;
	m->sorted_disk = 1;
	return rc == TALLY_ENOMEM ? tally_error_set(err, rc, 0, 0,
	    "out of memory") : rc;
nomem:
	return tally_error_set(err, TALLY_ENOMEM, 0, 0, "out of memory");
}

/* ---- reading the result back ---- */

/* One run being read: a window on the spill file and its head record. */
struct rrun {
	off_t			 pos, end;
	char			*buf;
	size_t			 cap, off, len;
	struct dec		 d;
};

struct cursor {
	size_t			 pos;	/* next of m->out */
	int			 started;
	struct rrun		*rr;
	size_t			 nrr;
	size_t			*heap, nheap;
	size_t			*took, ntook; /* runs whose heads went out */
	struct tally_record	*owned;	/* a record combined from runs */
	int			 tee;	/* first pass: write the result */
	off_t			 teestart;
};

static int
rr_get(struct tally_merge *m, struct rrun *r, void *dst, size_t n,
    struct tally_error *err)
{
	char *d = dst;
	size_t k, want;
	ssize_t got;

	while (n > 0) {
		if (r->off == r->len) {
			want = r->cap;
			if ((off_t)want > r->end - r->pos)
				want = (size_t)(r->end - r->pos);
			if (want == 0)
				return tally_error_set(err, TALLY_EIO, 0, 0,
				    "temporary file cut short");
			got = pread(fileno(m->tmp), r->buf, want, r->pos);
			if (got <= 0) {
				err->sys_errno = got < 0 ? errno : 0;
				return tally_error_set(err, TALLY_EIO, 0, 0,
				    "read error: temporary file: %s",
				    got < 0 ? strerror(errno) : "cut short");
			}
			r->pos += got;
			r->off = 0;
			r->len = (size_t)got;
		}
		k = r->len - r->off < n ? r->len - r->off : n;
		memcpy(d, r->buf + r->off, k);
		r->off += k;
		d += k;
		n -= k;
	}
	return TALLY_OK;
}

/* The run's next record as its head: 1, 0 at its end, or a status. */
static int
rr_next(struct tally_merge *m, struct rrun *r, struct tally_error *err)
{
	uint32_t len, type;
	int rc;

again:
	if (r->off == r->len && r->pos == r->end)
		return 0;
	if ((rc = rr_get(m, r, &len, sizeof(len), err)) != TALLY_OK)
		return rc;
	tally_buf_reset(&r->d.frame);
	if (tally_buf_reserve(&r->d.frame, (size_t)len + 1) != TALLY_OK)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	if ((rc = rr_get(m, r, r->d.frame.data, len, err)) != TALLY_OK)
		return rc;
	/* A frame starts with its type: a test skipped is passed over
	 * undecoded. */
	if (m->skip_tests && len >= sizeof(type)) {
		memcpy(&type, r->d.frame.data, sizeof(type));
		if ((type & FRAME_TYPE) == TALLY_REC_TEST && (m->skip_tests ==
		    TALLY_MERGE_SKIP_ALL || !(type & (FRAME_FAILED |
		    FRAME_FLAKY))))
			goto again;
	}
	r->d.frame.len = len;
	r->d.frame.data[len] = '\0';
	if (decode(&r->d) != TALLY_OK)
		return tally_error_set(err, TALLY_EIO, 0, 0,
		    "temporary file damaged");
	return 1;
}

/* Heads in canonical order; ties is 0 for equal keys. */
static int
head_cmp(const struct cursor *c, size_t a, size_t b, int ties)
{
	const struct dec *x = &c->rr[a].d, *y = &c->rr[b].d;
	int r;

	if (x->rank != y->rank)
		r = x->rank - y->rank;
	else
		r = key_cmp(x->line, x->linelen, y->line, y->linelen);
	if (r == 0 && ties)
		r = (a > b) - (a < b);
	return r;
}

static void
heap_push(struct cursor *c, size_t run)
{
	size_t i = c->nheap++, p;

	c->heap[i] = run;
	for (; i > 0; i = p) {
		p = (i - 1) / 2;
		if (head_cmp(c, c->heap[p], c->heap[i], 1) <= 0)
			break;
		run = c->heap[p];
		c->heap[p] = c->heap[i];
		c->heap[i] = run;
	}
}

static size_t
heap_pop(struct cursor *c)
{
	size_t top = c->heap[0], i = 0, l, s, t;

	c->heap[0] = c->heap[--c->nheap];
	for (;;) {
		l = 2 * i + 1;
		s = i;
		if (l < c->nheap && head_cmp(c, c->heap[l], c->heap[s], 1) < 0)
			s = l;
		if (l + 1 < c->nheap &&
		    head_cmp(c, c->heap[l + 1], c->heap[s], 1) < 0)
			s = l + 1;
		if (s == i)
			break;
		t = c->heap[s];
		c->heap[s] = c->heap[i];
		c->heap[i] = t;
		i = s;
	}
	return top;
}

static void
cursor_free(struct cursor *c)
{
	size_t i;

	for (i = 0; i < c->nrr; i++) {
		free(c->rr[i].buf);
		dec_free(&c->rr[i].d);
	}
	free(c->rr);
	free(c->heap);
	free(c->took);
	tally_record_free(c->owned);
	memset(c, 0, sizeof(*c));
}

static int
cursor_start(struct tally_merge *m, struct tally_error *err)
{
	struct cursor *c = m->cur;
	size_t i, cap = m->budget / m->nruns;
	int rc;

	c->started = 1;
	if (cap < 16384)
		cap = 16384;
	if (cap > (1u << 20))
		cap = 1u << 20;
	if (fflush(m->tmp) != 0)
		return tmp_error(m, err);
	if ((c->rr = calloc(m->nruns, sizeof(*c->rr))) == NULL ||
	    (c->heap = calloc(m->nruns, sizeof(*c->heap))) == NULL ||
	    (c->took = calloc(m->nruns, sizeof(*c->took))) == NULL)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	c->nrr = m->nruns;
	for (i = 0; i < m->nruns; i++) {
		c->rr[i].pos = m->runs[i].start;
		c->rr[i].end = m->runs[i].end;
		c->rr[i].cap = cap;
		if ((c->rr[i].buf = malloc(cap)) == NULL)
			return tally_error_set(err, TALLY_ENOMEM, 0, 0,
			    "out of memory");
		c->took[c->ntook++] = i;
	}
	/* A consumer that reads twice reads one run the second time. */
	if (m->nruns > 1 && !m->single_pass) {
		if ((rc = run_begin(m, err)) != TALLY_OK)
			return rc;
		c->tee = 1;
		c->teestart = m->runs[m->nruns].start;
	}
	return TALLY_OK;
}

/* ---- public interface ---- */

#define TALLY_MERGE_RUN_DEFAULT (4u << 20)

int
tally_merge_new(struct tally_merge **out)
{
	*out = calloc(1, sizeof(**out));
	if (*out == NULL)
		return TALLY_ENOMEM;
	if (((*out)->cur = calloc(1, sizeof(struct cursor))) == NULL) {
		free(*out);
		*out = NULL;
		return TALLY_ENOMEM;
	}
	(*out)->tests.keyoff = offsetof(struct tentry, key);
	(*out)->tests.bin = 1;
	(*out)->other.keyoff = offsetof(struct oentry, line);
	(*out)->meta.keyoff = offsetof(struct oentry, line);
	(*out)->budget = TALLY_MERGE_RUN_DEFAULT;
	(*out)->sorted = 1;
	tally_buf_init(&(*out)->b);
	tally_buf_init(&(*out)->enc);
	tally_buf_init(&(*out)->prevline);
	tally_buf_init(&(*out)->key);
	return TALLY_OK;
}

int
tally_merge_set_tmpdir(struct tally_merge *m, const char *dir)
{
	char *d = NULL;

	if (dir != NULL && (d = strdup(dir)) == NULL)
		return TALLY_ENOMEM;
	free(m->tmpdir);
	m->tmpdir = d;
	return TALLY_OK;
}

void
tally_merge_set_warn(struct tally_merge *m, tally_merge_warn_fn fn,
    void *arg)
{
	m->warn = fn;
	m->warnarg = arg;
}

void
tally_merge_set_run_bytes(struct tally_merge *m, size_t bytes)
{
	m->budget = bytes > 0 ? bytes : TALLY_MERGE_RUN_DEFAULT;
}

static void
ht_free(struct htab *t, int tests)
{
	size_t i;

	for (i = 0; i < t->cap; i++)
		if (t->s[i].val != NULL) {
			if (tests)
				tentry_free(t->s[i].val);
			else
				oentry_free(t->s[i].val);
		}
	ht_clear(t);
}

void
tally_merge_free(struct tally_merge *m)
{
	size_t i;

	if (m == NULL)
		return;
	cursor_free(m->cur);
	free(m->cur);
	pairs_free(m->pend, m->npend);
	pairs_free(m->same, m->nsame);
	ht_free(&m->tests, 1);
	ht_free(&m->other, 0);
	ht_free(&m->meta, 0);
	while (m->chunks != NULL) {
		struct chunk *c = m->chunks;

		m->chunks = c->next;
		free(c);
	}
	for (i = 0; i < m->nout; i++)
		tally_record_free(m->out[i]);
	free(m->out);
	if (m->tmp != NULL)
		fclose(m->tmp);
	free(m->tmpbuf);
	free(m->runs);
	free(m->tmpdir);
	free(m->lab);
	if (m->thaw != NULL)
		dec_free(m->thaw);
	free(m->thaw);
	tally_buf_free(&m->b);
	tally_buf_free(&m->enc);
	tally_buf_free(&m->prevline);
	tally_buf_free(&m->key);
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
	case TALLY_REC_META:
		if ((rc = add_meta(m, rec)) != TALLY_OK)
			return tally_error_set(err, rc, 0, 0, "out of memory");
		return TALLY_OK;
	case TALLY_REC_TEST:
	case TALLY_REC_SUITE:
	case TALLY_REC_ERROR:
	case TALLY_REC_PERF:
	case TALLY_REC_DIFF:
	case TALLY_REC_HISTORY:
	case TALLY_REC_RUN:
		if (m->broken)
			return tally_error_set(err, TALLY_EIO, 0, 0,
			    "merge stopped after a temporary file error");
		rc = m->sorted ? sorted_add(m, rec, err) :
		    table_add(m, rec, err);
		if (rc == TALLY_EIO)
			m->broken = 1;
		return rc;
	default:
		return tally_error_set(err, TALLY_EINVAL, 0, 0,
		    "unknown record type %d", (int)rec->type);
	}
}

int
tally_merge_finish(struct tally_merge *m, struct tally_error *err)
{
	struct tally_record **kept = m->out;
	size_t i, nkept = m->nout;
	int rc;

	if (m->finished)
		return tally_error_set(err, TALLY_EINVAL, 0, 0,
		    "merge table already finished");
	m->finished = 1;
	if (m->broken)
		return tally_error_set(err, TALLY_EIO, 0, 0,
		    "merge stopped after a temporary file error");
	if (m->warn != NULL)
		conflicts_report(m);
	/* Meta first, then what input in order left in memory. */
	m->out = NULL;
	m->nout = m->cout = 0;
	rc = drain_meta(m, err);
	for (i = 0; i < nkept; i++)
		if (rc != TALLY_OK || (rc = emit_out(m, kept[i], NULL, 0, err)) !=
		    TALLY_OK)
			tally_record_free(kept[i]);
	free(kept);
	if (rc != TALLY_OK)
		return rc;
	if (m->sorted_disk) {
		m->sorted_disk = 0;
		return run_end(m, err);
	}
	if (m->nruns == 0)
		return drain(m, emit_out, err);
	if (m->tests.n + m->other.n > 0)
		return spill(m, err);
	return TALLY_OK;
}

void
tally_merge_set_watch(struct tally_merge *m, tally_merge_watch_fn fn,
    void *arg)
{
	m->watch = fn;
	m->watch_arg = arg;
}

void
tally_merge_skip_tests(struct tally_merge *m, int which)
{
	/* Runs merged or copied need every record: only one run here. */
	m->skip_tests = m->nruns <= 1 ? which : 0;
}

int
tally_merge_watched(const struct tally_merge *m)
{
	return m->finished && m->sorted && !m->broken && m->watch != NULL;
}

int
tally_merge_broken(const struct tally_merge *m)
{
	return m->broken;
}

void
tally_merge_rewind(struct tally_merge *m)
{
	cursor_free(m->cur);
}

int
tally_merge_next(struct tally_merge *m, const struct tally_record **out,
    struct tally_error *err)
{
	struct cursor *c = m->cur;
	struct tally_record *first;
	struct tentry *e;
	size_t i, k;
	int rc;

	*out = NULL;
	if (!m->finished)
		return tally_error_set(err, TALLY_EINVAL, 0, 0,
		    "merge table not finished");
	tally_record_free(c->owned);
	c->owned = NULL;
	while (m->skip_tests && c->pos < m->nout &&
	    m->out[c->pos]->type == TALLY_REC_TEST &&
	    (m->skip_tests == TALLY_MERGE_SKIP_ALL ||
	    (m->out[c->pos]->u.test.status != TALLY_FAILED &&
	    m->out[c->pos]->u.test.flaky == 0)))
		c->pos++;
	if (c->pos < m->nout) {
		*out = m->out[c->pos++];
		return 1;
	}
	if (m->nruns == 0)
		return 0;
	if (!c->started && (rc = cursor_start(m, err)) != TALLY_OK)
		return rc;
	/* The runs whose heads went out last time move on. */
	for (k = 0; k < c->ntook; k++) {
		if ((rc = rr_next(m, &c->rr[c->took[k]], err)) < 0)
			return rc;
		if (rc == 1)
			heap_push(c, c->took[k]);
	}
	c->ntook = 0;
	if (c->nheap == 0) {
		if (c->tee) {
			c->tee = 0;
			if (run_end(m, err) == TALLY_OK) {
				m->runs[0] = m->runs[m->nruns - 1];
				m->nruns = 1;
			}
		}
		return 0;
	}
	i = heap_pop(c);
	c->took[c->ntook++] = i;
	while (c->nheap > 0 && head_cmp(c, c->heap[0], i, 0) == 0)
		c->took[c->ntook++] = heap_pop(c);
	first = &c->rr[i].d.rec;
	*out = first;
	if (c->ntook > 1 && first->type == TALLY_REC_TEST) {
		/* One test in several runs: merge its merged records. */
		if ((rc = entry_new(NULL, first, NULL, 0, NULL, 0, &e)) !=
		    TALLY_OK)
			return tally_error_set(err, rc, 0, 0, "out of memory");
		rc = entry_add(e, first, 0);
		for (k = 1; k < c->ntook && rc == TALLY_OK; k++)
			rc = entry_add(e, &c->rr[c->took[k]].d.rec, 1);
		if (rc == TALLY_OK)
			rc = finish_test(e, &c->owned);
		tentry_free(e);
		if (rc != TALLY_OK)
			return tally_error_set(err, rc, 0, 0, "out of memory");
		*out = c->owned;
	}
	if (c->tee && spill_write(m, *out, c->rr[i].d.line,
	    c->rr[i].d.linelen, err) != TALLY_OK)
		c->tee = 0;		/* no room: merge the runs again */
	return 1;
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
	const struct tally_record *rec;
	int rc;

	if (ms->next == NULL)
		return TALLY_OK;
	ms->m->single_pass = 1;
	if ((rc = tally_merge_finish(ms->m, err)) != TALLY_OK)
		return rc;
	while ((rc = tally_merge_next(ms->m, &rec, err)) == 1)
		if ((rc = tally_sink_record(ms->next, rec, err)) != TALLY_OK)
			return rc;
	if (rc != TALLY_OK)
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

struct tally_merge *
tally_merge_sink_table(struct tally_sink *s)
{
	return ((struct merge_sink *)s)->m;
}
