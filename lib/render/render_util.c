/* lib/render/render_util.c: helpers shared by the renderers. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tally/perf.h>
#include <tally/rules.h>

#include "escape.h"
#include "render_util.h"

void
tally_out_init(struct tally_out *o, FILE *fp, size_t limit)
{
	o->fp = fp;
	o->n = 0;
	o->limit = limit;
	o->over = 0;
	o->status = TALLY_OK;
	o->sys_errno = 0;
	tally_buf_init(&o->tmp);
	o->guard = 0;
	o->gstate = 0;
	tally_buf_init(&o->gtmp);
}

void
tally_out_fini(struct tally_out *o)
{
	tally_buf_free(&o->tmp);
	tally_buf_free(&o->gtmp);
}

void
tally_out_put(struct tally_out *o, const char *s, size_t n)
{
	if (o->status != TALLY_OK || n == 0)
		return;
	if (o->guard) {
		tally_buf_reset(&o->gtmp);
		if (tally_esc_wfc_guard(&o->gtmp, s, n, &o->gstate) !=
		    TALLY_OK) {
			o->status = TALLY_ENOMEM;
			return;
		}
		s = o->gtmp.data;
		n = o->gtmp.len;
	}
	if (o->fp != NULL && fwrite(s, 1, n, o->fp) != n) {
		o->status = TALLY_EIO;
		o->sys_errno = errno;
		return;
	}
	o->n += n;
	if (o->limit != 0 && o->n > o->limit)
		o->over = 1;
}

void
tally_out_puts(struct tally_out *o, const char *s)
{
	tally_out_put(o, s, strlen(s));
}

void
tally_out_printf(struct tally_out *o, const char *fmt, ...)
{
	char small[256], *p = small;
	va_list ap;
	int len;

	if (o->status != TALLY_OK)
		return;
	va_start(ap, fmt);
	len = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (len < 0) {
		o->status = TALLY_EIO;
		return;
	}
	if ((size_t)len >= sizeof(small)) {
		if ((p = malloc((size_t)len + 1)) == NULL) {
			o->status = TALLY_ENOMEM;
			return;
		}
		va_start(ap, fmt);
		vsnprintf(p, (size_t)len + 1, fmt, ap);
		va_end(ap);
	}
	tally_out_put(o, p, (size_t)len);
	if (p != small)
		free(p);
}

void
tally_out_esc(struct tally_out *o, tally_esc_fn esc, const char *s, size_t n)
{
	if (o->status != TALLY_OK || s == NULL)
		return;
	tally_buf_reset(&o->tmp);
	if (esc(&o->tmp, s, n) != TALLY_OK) {
		o->status = TALLY_ENOMEM;
		return;
	}
	tally_out_put(o, o->tmp.data, o->tmp.len);
}

int
tally_out_stop(const struct tally_out *o)
{
	return o->status != TALLY_OK || o->over;
}

int
tally_out_status(struct tally_out *o, struct tally_error *err)
{
	if (o->status == TALLY_OK && o->fp != NULL &&
	    (fflush(o->fp) != 0 || ferror(o->fp))) {
		o->status = TALLY_EIO;
		o->sys_errno = errno;
	}
	if (o->status == TALLY_EIO) {
		if (err != NULL)
			err->sys_errno = o->sys_errno;
		return tally_error_set(err, TALLY_EIO, 0, 0, "write error: %s",
		    o->sys_errno != 0 ? strerror(o->sys_errno) :
		    "output stream failed");
	}
	if (o->status != TALLY_OK)
		return tally_error_set(err, o->status, 0, 0, "%s",
		    tally_strerror(o->status));
	return TALLY_OK;
}

int
tally_render_status(FILE *fp, int rc, struct tally_error *err)
{
	int e;

	if (rc != TALLY_OK)
		return tally_error_set(err, rc, 0, 0, "%s", tally_strerror(rc));
	if (fflush(fp) != 0 || ferror(fp)) {
		e = errno;
		if (err != NULL)
			err->sys_errno = e;
		return tally_error_set(err, TALLY_EIO, 0, 0, "write error: %s",
		    strerror(e));
	}
	return TALLY_OK;
}

char *
tally_fmt_count(char *buf, size_t n)
{
	char digits[32];
	size_t len, i, j = 0;

	len = (size_t)snprintf(digits, sizeof(digits), "%zu", n);
	for (i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[j++] = ',';
		buf[j++] = digits[i];
	}
	buf[j] = '\0';
	return buf;
}

char *
tally_fmt_duration(char *buf, double ms)
{
	double s, rest;
	long long total, m;

	if (!(ms >= 0) || isinf(ms))
		snprintf(buf, TALLY_FMTBUF, "-");
	else if (ms == 0)
		snprintf(buf, TALLY_FMTBUF, "0ms");
	else if (ms < 1)
		snprintf(buf, TALLY_FMTBUF, "<1ms");
	else if (ms < 999.5)
		snprintf(buf, TALLY_FMTBUF, "%.0fms", ms);
	else if ((s = ms / 1000) < 59.95)
		snprintf(buf, TALLY_FMTBUF, "%.1fs", s);
	else if (s < 3599.95) {
		m = (long long)(s / 60);
		rest = s - (double)m * 60;
		if (rest >= 59.95) {
			m++;
			rest = 0;
		}
		snprintf(buf, TALLY_FMTBUF, "%lldm %.1fs", m, rest);
	} else if (s < 1e15) {
		total = (long long)(s + 0.5);
		snprintf(buf, TALLY_FMTBUF, "%lldh %lldm %llds", total / 3600,
		    total / 60 % 60, total % 60);
	} else
		snprintf(buf, TALLY_FMTBUF, "%.3gh", s / 3600);
	return buf;
}

char *
tally_fmt_rate(char *buf, double pct)
{
	double f;

	if (!(pct > 0))
		snprintf(buf, TALLY_FMTBUF, "0%%");
	else if (pct >= 100)
		snprintf(buf, TALLY_FMTBUF, "100%%");
	else if ((f = round(pct * 10) / 10) < 0.1)
		snprintf(buf, TALLY_FMTBUF, "<0.1%%");
	else
		snprintf(buf, TALLY_FMTBUF, "%.1f%%", f > 99.9 ? 99.9 : f);
	return buf;
}

double
tally_pass_rate(const size_t status[TALLY_NSTATUS])
{
	size_t all = 0, ran;
	int i;

	for (i = 0; i < TALLY_NSTATUS; i++)
		all += status[i];
	ran = all - status[TALLY_SKIPPED] - status[TALLY_PENDING];
	if (ran == 0)
		return 100;
	return (double)status[TALLY_PASSED] * 100 / (double)ran;
}

int
tally_test_title(struct tally_buf *b, const struct tally_record *rec)
{
	const struct tally_test *t = &rec->u.test;
	const char *sep = "";
	size_t i;
	int rc = TALLY_OK;

	for (i = 0; i < t->nsuite; i++) {
		if (t->suite[i] == NULL || *t->suite[i] == '\0')
			continue;
		rc |= tally_buf_adds(b, sep);
		rc |= tally_buf_adds(b, t->suite[i]);
		sep = TALLY_TITLE_SEP;
	}
	if (t->classname != NULL && *t->classname != '\0' &&
	    (t->nsuite == 0 || t->suite[t->nsuite - 1] == NULL ||
	    strcmp(t->classname, t->suite[t->nsuite - 1]) != 0)) {
		rc |= tally_buf_adds(b, sep);
		rc |= tally_buf_adds(b, t->classname);
		sep = TALLY_TITLE_SEP;
	}
	rc |= tally_buf_adds(b, sep);
	rc |= tally_buf_adds(b, t->name != NULL ? t->name : "(unnamed)");
	if (rc == TALLY_OK)
		rc = tally_test_labels(b, rec);
	return rc ? TALLY_ENOMEM : TALLY_OK;
}

int
tally_test_labels(struct tally_buf *b, const struct tally_record *rec)
{
	const char *sep = " [";
	size_t i;
	int rc = TALLY_OK;

	for (i = 0; i < rec->nlabels; i++) {
		const struct tally_kv *kv = &rec->labels[i];

		if (kv->key == NULL || strcmp(kv->key, TALLY_LABEL_SHARD) == 0)
			continue;
		rc |= tally_buf_printf(b, "%s%s=%s", sep, kv->key,
		    kv->value != NULL ? kv->value : "");
		sep = ",";
	}
	if (*sep == ',')
		rc |= tally_buf_adds(b, "]");
	return rc ? TALLY_ENOMEM : TALLY_OK;
}

/*
 * Picked tests are the report's own records when it keeps its tests,
 * else copies: a streamed record lasts only until the next one.
 */
static int
pick_keep(const struct tally_report *rep, struct tally_picks *p, size_t at,
    const struct tally_record *rec)
{
	struct tally_record *dup;

	if (rep->tests != NULL) {
		p->v[at] = rec;
		return TALLY_OK;
	}
	if (tally_record_dup(rec, &dup) != TALLY_OK)
		return TALLY_ENOMEM;
	tally_record_free((struct tally_record *)p->v[at]);
	p->v[at] = dup;
	return TALLY_OK;
}

static int
pick(const struct tally_report *rep, int flaky, size_t max,
    struct tally_picks *p)
{
	const struct tally_record *rec;
	struct tally_error err;
	size_t pos = 0, cap = 0;
	int rc = TALLY_OK, more;

	memset(p, 0, sizeof(*p));
	p->owned = rep->tests == NULL;
	tally_error_init(&err, NULL);
	while (rc == TALLY_OK &&
	    (more = tally_report_next_failing(rep, &pos, &rec, &err)) == 1) {
		const struct tally_test *t = &rec->u.test;

		if (!(flaky ? t->flaky != 0 : t->status == TALLY_FAILED))
			continue;
		p->total++;
		if (p->n >= max)
			continue;
		if (p->n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			const struct tally_record **v;

			if (nc > max)
				nc = max;
			if ((v = realloc(p->v, nc * sizeof(*v))) == NULL) {
				rc = TALLY_ENOMEM;
				break;
			}
			p->v = v;
			cap = nc;
		}
		p->v[p->n] = NULL;
		if ((rc = pick_keep(rep, p, p->n, rec)) == TALLY_OK)
			p->n++;
	}
	if (rc == TALLY_OK && more < 0)
		rc = more;
	if (rc != TALLY_OK)
		tally_picks_free(p);
	return rc;
}

int
tally_pick_failed(const struct tally_report *rep, size_t max,
    struct tally_picks *p)
{
	return pick(rep, 0, max, p);
}

int
tally_pick_flaky(const struct tally_report *rep, size_t max,
    struct tally_picks *p)
{
	return pick(rep, 1, max, p);
}

void
tally_picks_free(struct tally_picks *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; p->owned && i < p->n; i++)
		tally_record_free((struct tally_record *)p->v[i]);
	free(p->v);
	memset(p, 0, sizeof(*p));
}

const char *
tally_flaky_message(const struct tally_record *rec)
{
	const struct tally_test *t = &rec->u.test;
	size_t i;

	for (i = 0; i < t->nattempts; i++)
		if (t->attempts[i].status == TALLY_FAILED &&
		    t->attempts[i].message != NULL)
			return t->attempts[i].message;
	return NULL;
}

/*
 * The slowest top tests, slowest first, ties in report order: a sorted
 * array of at most top, where a test enters only when it is slower than
 * the last one kept (a later test never wins a tie).
 */
/* What tally_pick_slowest() keeps while the tests come. */
struct slow {
	const struct tally_report *rep;
	struct tally_picks *p;
	size_t		 top, cap;
};

static void
slow_init(struct slow *s, const struct tally_report *rep, size_t top,
    struct tally_picks *p)
{
	memset(s, 0, sizeof(*s));
	memset(p, 0, sizeof(*p));
	p->owned = rep->tests == NULL;
	s->rep = rep;
	s->p = p;
	s->top = top;
}

static int
slow_add(struct slow *s, const struct tally_record *rec)
{
	struct tally_picks *p = s->p;
	size_t lo, hi, mid, top = s->top;
	double d = rec->u.test.duration;

	if (top == 0 || !(d > 0) || isinf(d))
		return TALLY_OK;
	p->total++;
	if (p->n == top && d <= p->v[p->n - 1]->u.test.duration)
		return TALLY_OK;
	/* Where it goes: after every test at least as slow. */
	for (lo = 0, hi = p->n; lo < hi; ) {
		mid = (lo + hi) / 2;
		if (p->v[mid]->u.test.duration >= d)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (p->n == top) {
		if (p->owned)
			tally_record_free((struct tally_record *)
			    p->v[p->n - 1]);
		p->n--;
	} else if (p->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 16;
		const struct tally_record **v;

		if (nc > top)
			nc = top;
		if ((v = realloc(p->v, nc * sizeof(*v))) == NULL)
			return TALLY_ENOMEM;
		p->v = v;
		s->cap = nc;
	}
	memmove(&p->v[lo + 1], &p->v[lo], (p->n - lo) * sizeof(*p->v));
	p->v[lo] = NULL;
	p->n++;
	return pick_keep(s->rep, p, lo, rec);
}

static int
slow_finish(struct slow *s, int rc)
{
	if (rc != TALLY_OK)
		tally_picks_free(s->p);
	return rc;
}

int
tally_pick_slowest(const struct tally_report *rep, size_t top,
    struct tally_picks *p)
{
	return tally_overview(rep, top, p, NULL, NULL, NULL, NULL);
}

static size_t
count_lines(const char *s, size_t len)
{
	size_t n = 0, i;

	for (i = 0; i < len; i++)
		if (s[i] == '\n')
			n++;
	if (len > 0 && s[len - 1] != '\n')
		n++;
	return n;
}

size_t
tally_first_lines(const char *s, size_t maxlines, size_t maxbytes,
    size_t *more)
{
	size_t len, i = 0, lines = 0, end;
	const char *nl;

	if (s == NULL) {
		*more = 0;
		return 0;
	}
	len = strlen(s);
	while (i < len && lines < maxlines) {
		nl = memchr(s + i, '\n', len - i);
		end = nl != NULL ? (size_t)(nl - s) + 1 : len;
		if (end > maxbytes) {
			if (lines == 0) {
				i = maxbytes;
				while (i > 0 &&
				    ((unsigned char)s[i] & 0xC0) == 0x80)
					i--;
			}
			break;
		}
		i = end;
		lines++;
	}
	*more = count_lines(s + i, len - i);
	return i;
}

size_t
tally_longest_run(const char *s, size_t n, char c)
{
	size_t i, run = 0, best = 0;

	if (s == NULL)
		return 0;
	if (n == TALLY_NTS)
		n = strlen(s);
	for (i = 0; i < n; i++) {
		run = s[i] == c ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best;
}

static int
strcmp_null(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int
key_cmp(const char *const *a, size_t na, const char *const *b, size_t nb)
{
	size_t i;
	int c;

	for (i = 0; i < na && i < nb; i++)
		if ((c = strcmp_null(a[i], b[i])) != 0)
			return c;
	return na < nb ? -1 : na > nb;
}

static int
group_cmp(const void *a, const void *b)
{
	const struct tally_group *x = a, *y = b;

	return key_cmp(x->key, x->nkey, y->key, y->nkey);
}

static uint64_t
key_hash(const char *const *key, size_t n)
{
	uint64_t h = 14695981039346656037ULL;
	const char *s;
	size_t i;

	for (i = 0; i < n; i++) {
		for (s = key[i]; s != NULL && *s != '\0'; s++)
			h = (h ^ (unsigned char)*s) * 1099511628211ULL;
		h = (h ^ (key[i] == NULL ? 0x100u : 0x101u)) *
		    1099511628211ULL;
	}
	return h;
}

/* The group of key in g, made (with copies of the key) when new. */
static struct tally_group *
group_of(struct tally_groups *g, size_t **idx, size_t *cap,
    const char *const *key, size_t nkey)
{
	struct tally_group *grp;
	size_t i, j, k;

	if (2 * (g->n + 1) > *cap) {
		size_t nc = *cap ? *cap * 2 : 64, *ni;

		if ((ni = calloc(nc, sizeof(*ni))) == NULL)
			return NULL;
		for (i = 0; i < g->n; i++) {
			for (j = key_hash(g->v[i].key, g->v[i].nkey) &
			    (nc - 1); ni[j] != 0; j = (j + 1) & (nc - 1))
				;
			ni[j] = i + 1;
		}
		free(*idx);
		*idx = ni;
		*cap = nc;
		if ((grp = realloc(g->v, (nc / 2) * sizeof(*grp))) == NULL)
			return NULL;
		g->v = grp;
	}
	for (j = key_hash(key, nkey) & (*cap - 1); (k = (*idx)[j]) != 0;
	    j = (j + 1) & (*cap - 1))
		if (key_cmp(g->v[k - 1].key, g->v[k - 1].nkey, key, nkey) == 0)
			return &g->v[k - 1];
	grp = &g->v[g->n];
	memset(grp, 0, sizeof(*grp));
	if (nkey > 0 && (grp->key = calloc(nkey, sizeof(char *))) == NULL)
		return NULL;
	grp->nkey = nkey;
	for (i = 0; i < nkey; i++)
		if (key[i] != NULL && (grp->key[i] = strdup(key[i])) ==
		    NULL) {
			while (i-- > 0)
				free((char *)grp->key[i]);
			free(grp->key);
			return NULL;
		}
	(*idx)[j] = ++g->n;
	return grp;
}

/*
 * Counters per group in one pass over the tests: memory goes with the
 * number of groups (suites, categories, label values), not of tests.
 */
/*
 * Load-test and benchmark rows with a category (tally-collect --rules)
 * count in their category as one result each: failed when some request
 * failed, else passed.
 */
static int
perf_groups(struct tally_groups *g, const struct tally_report *rep,
    size_t **idx, size_t *cap)
{
	const struct tally_perf *p;
	struct tally_group *grp;
	const char *c;
	size_t i;

	for (i = 0; i < rep->nperf; i++) {
		p = &rep->perf[i]->u.perf;
		c = tally_kv_get(p->properties, p->nproperties, "category");
		if (c == NULL || *c == '\0' || tally_perf_is_series(p))
			continue;
		if ((grp = group_of(g, idx, cap, &c, 1)) == NULL)
			return TALLY_ENOMEM;
		grp->tests++;
		grp->status[p->failures > 0 ? TALLY_FAILED : TALLY_PASSED]++;
	}
	return TALLY_OK;
}

/* What tally_groups_build() keeps while the tests come. */
struct gbuild {
	struct tally_groups *g;
	enum tally_group_by by;
	const char *const *labels;
	size_t		 nlabels;
	const char	**lv;		/* scratch: the labels' values */
	size_t		*idx, cap;	/* the groups by key */
};

static int
gb_init(struct gbuild *b, struct tally_groups *g, enum tally_group_by by,
    const char *const *labels, size_t nlabels)
{
	memset(b, 0, sizeof(*b));
	memset(g, 0, sizeof(*g));
	b->g = g;
	b->by = by;
	b->labels = labels;
	b->nlabels = nlabels;
	if (by == TALLY_GROUP_LABELS && nlabels > 0 &&
	    (b->lv = calloc(nlabels, sizeof(*b->lv))) == NULL)
		return TALLY_ENOMEM;
	return TALLY_OK;
}

static int
gb_add(struct gbuild *b, const struct tally_record *rec)
{
	const struct tally_test *t = &rec->u.test;
	const char *const *key = NULL;
	struct tally_group *grp;
	size_t j, nkey = 0;

	switch (b->by) {
	case TALLY_GROUP_SUITE:
		key = t->suite;
		nkey = t->nsuite;
		break;
	case TALLY_GROUP_CATEGORY:
		key = &t->category;
		nkey = 1;
		break;
	case TALLY_GROUP_LABELS:
		if (b->nlabels == 0)
			return TALLY_OK;	/* no groups */
		for (j = 0; j < b->nlabels; j++)
			b->lv[j] = tally_kv_get(rec->labels, rec->nlabels,
			    b->labels[j]);
		key = b->lv;
		nkey = b->nlabels;
		break;
	}
	if ((grp = group_of(b->g, &b->idx, &b->cap, key, nkey)) == NULL)
		return TALLY_ENOMEM;
	grp->tests++;
	if ((unsigned)t->status < TALLY_NSTATUS)
		grp->status[t->status]++;
	if (t->flaky)
		grp->flaky++;
	if (t->duration > 0 && !isinf(t->duration))
		grp->duration += t->duration;
	return TALLY_OK;
}

static int
gb_finish(struct gbuild *b, const struct tally_report *rep, int rc)
{
	struct tally_groups *g = b->g;

	if (rc == TALLY_OK && b->by == TALLY_GROUP_CATEGORY)
		rc = perf_groups(g, rep, &b->idx, &b->cap);
	free(b->idx);
	free(b->lv);
	if (rc != TALLY_OK) {
		tally_groups_free(g);
		return rc;
	}
	if (g->n > 1)
		qsort(g->v, g->n, sizeof(*g->v), group_cmp);
	return TALLY_OK;
}

int
tally_groups_build(struct tally_groups *g, const struct tally_report *rep,
    enum tally_group_by by, const char *const *labels, size_t nlabels)
{
	const struct tally_record *rec;
	struct tally_error err;
	struct gbuild b;
	size_t pos = 0;
	int rc, more = 0;

	if ((rc = gb_init(&b, g, by, labels, nlabels)) != TALLY_OK)
		return gb_finish(&b, rep, rc);
	if (by == TALLY_GROUP_LABELS && nlabels == 0)
		return gb_finish(&b, rep, TALLY_OK);
	tally_error_init(&err, NULL);
	while (rc == TALLY_OK &&
	    (more = tally_report_next_test(rep, &pos, &rec, &err)) == 1)
		rc = gb_add(&b, rec);
	if (rc == TALLY_OK && more < 0)
		rc = more;
	return gb_finish(&b, rep, rc);
}

void
tally_groups_free(struct tally_groups *g)
{
	size_t i, k;

	if (g == NULL)
		return;
	for (i = 0; i < g->n; i++) {
		for (k = 0; k < g->v[i].nkey; k++)
			free((char *)g->v[i].key[k]);
		free(g->v[i].key);
	}
	free(g->v);
	memset(g, 0, sizeof(*g));
}

static int
failing_first(const void *a, const void *b)
{
	const struct tally_group *x = a, *y = b;
	size_t fx = x->status[TALLY_FAILED], fy = y->status[TALLY_FAILED];

	if (fx != fy)
		return fx > fy ? -1 : 1;
	return key_cmp(x->key, x->nkey, y->key, y->nkey);
}

void
tally_groups_sort_failing(struct tally_groups *g)
{
	if (g->n > 1)
		qsort(g->v, g->n, sizeof(*g->v), failing_first);
}

/* A label key seen on tests: its first value, whether that varies. */
struct lkey {
	char	*key;
	char	*value;
	size_t	 tests;		/* tests that have the key */
	int	 varies;
};

static int
lkey_cmp(const void *a, const void *b)
{
	return strcmp(((const struct lkey *)a)->key,
	    ((const struct lkey *)b)->key);
}

/* What tally_varying_labels() keeps while the tests come: memory goes
 * with the number of label keys. */
struct vary {
	struct lkey	*lk;
	size_t		 nlk, clk, ntests;
};

static int
vary_add(struct vary *v, const struct tally_record *rec)
{
	size_t i, j;

	v->ntests++;
	for (j = 0; j < rec->nlabels; j++) {
		const struct tally_kv *kv = &rec->labels[j];

		if (kv->key == NULL)
			continue;
		for (i = 0; i < v->nlk && strcmp(v->lk[i].key, kv->key) != 0;
		    i++)
			;
		if (i < v->nlk) {
			v->lk[i].tests++;
			if (strcmp_null(v->lk[i].value, kv->value) != 0)
				v->lk[i].varies = 1;
			continue;
		}
		if (v->nlk == v->clk) {
			size_t nc = v->clk ? v->clk * 2 : 8;
			struct lkey *q = realloc(v->lk, nc * sizeof(*q));

			if (q == NULL)
				return TALLY_ENOMEM;
			v->lk = q;
			v->clk = nc;
		}
		memset(&v->lk[v->nlk], 0, sizeof(v->lk[v->nlk]));
		v->lk[v->nlk].tests = 1;
		if ((v->lk[v->nlk].key = strdup(kv->key)) == NULL ||
		    (kv->value != NULL && (v->lk[v->nlk].value =
		    strdup(kv->value)) == NULL)) {
			free(v->lk[v->nlk].key);
			return TALLY_ENOMEM;
		}
		v->nlk++;
	}
	return TALLY_OK;
}

/* The keys come back in one allocation, strings included. */
static int
vary_finish(struct vary *v, int rc, const char ***out, size_t *n)
{
	struct lkey *lk = v->lk;
	size_t i, nk = 0, bytes = 0;
	const char **keys;
	char *store;

	if (rc == TALLY_OK && v->nlk > 0) {
		qsort(lk, v->nlk, sizeof(*lk), lkey_cmp);
		for (i = 0; i < v->nlk; i++)
			if (lk[i].varies || lk[i].tests < v->ntests)
				bytes += strlen(lk[i].key) + 1;
		keys = malloc((v->nlk + 1) * sizeof(*keys) + bytes);
		if (keys == NULL)
			rc = TALLY_ENOMEM;
		else {
			store = (char *)(keys + v->nlk + 1);
			for (i = 0; i < v->nlk; i++)
				if (lk[i].varies || lk[i].tests < v->ntests) {
					keys[nk++] = strcpy(store, lk[i].key);
					store += strlen(store) + 1;
				}
			*out = keys;
			*n = nk;
		}
	}
	for (i = 0; i < v->nlk; i++) {
		free(lk[i].key);
		free(lk[i].value);
	}
	free(lk);
	return rc;
}

int
tally_varying_labels(const struct tally_report *rep, const char ***out,
    size_t *n)
{
	return tally_overview(rep, 0, NULL, NULL, NULL, out, n);
}

/*
 * One pass for several summaries, each wanted when its pointer is not
 * NULL: the top slowest tests (tally_pick_slowest()), the groups by
 * suite and by category (tally_groups_build()) and the label keys that
 * vary (tally_varying_labels()).  What each gives is what its own pass
 * would; on failure nothing is left to free.
 */
int
tally_overview(const struct tally_report *rep, size_t top,
    struct tally_picks *slowest, struct tally_groups *suites,
    struct tally_groups *cats, const char ***varying, size_t *nvarying)
{
	const struct tally_record *rec;
	struct tally_error err;
	struct tally_groups none_s, none_c;
	struct tally_picks none_p;
	const char **none_v = NULL;
	size_t none_n = 0, pos = 0;
	struct gbuild bs, bc;
	struct slow sl;
	struct vary v;
	int rc, more = 0;

	/* What is not wanted is made aside and dropped. */
	if (slowest == NULL) {
		slowest = &none_p;
		top = 0;
	}
	if (varying == NULL) {
		varying = &none_v;
		nvarying = &none_n;
	}
	*varying = NULL;
	*nvarying = 0;
	slow_init(&sl, rep, top, slowest);
	if (top == 0 && suites == NULL && cats == NULL && varying == &none_v)
		return TALLY_OK;	/* nothing to read the tests for */
	memset(&v, 0, sizeof(v));
	rc = gb_init(&bs, suites != NULL ? suites : &none_s,
	    TALLY_GROUP_SUITE, NULL, 0);
	if (gb_init(&bc, cats != NULL ? cats : &none_c, TALLY_GROUP_CATEGORY,
	    NULL, 0) != TALLY_OK)
		rc = TALLY_ENOMEM;
	tally_error_init(&err, NULL);
	while (rc == TALLY_OK &&
	    (more = tally_report_next_test(rep, &pos, &rec, &err)) == 1) {
		rc = slow_add(&sl, rec);
		if (rc == TALLY_OK && suites != NULL)
			rc = gb_add(&bs, rec);
		if (rc == TALLY_OK && cats != NULL)
			rc = gb_add(&bc, rec);
		if (rc == TALLY_OK && varying != &none_v)
			rc = vary_add(&v, rec);
	}
	if (rc == TALLY_OK && more < 0)
		rc = more;
	/* Each finish frees its own on failure, and passes it on. */
	rc = slow_finish(&sl, rc);
	rc = gb_finish(&bs, rep, rc);
	rc = gb_finish(&bc, rep, rc);
	rc = vary_finish(&v, rc, varying, nvarying);
	if (rc != TALLY_OK || slowest == &none_p)
		tally_picks_free(slowest);
	if (rc != TALLY_OK || suites == NULL)
		tally_groups_free(bs.g);
	if (rc != TALLY_OK || cats == NULL)
		tally_groups_free(bc.g);
	if (varying == &none_v)
		free(none_v);
	return rc;
}

/* Signatures. */

#define SIG_BYTES	200	/* of the message line that is looked at */

static int
is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_uuid(const char *s, size_t n)
{
	size_t i;

	if (n != 36)
		return 0;
	for (i = 0; i < n; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23 ? s[i] != '-' :
		    !is_hex((unsigned char)s[i]))
			return 0;
	return 1;
}

/* A word that is a hex number: 0x..., or 8+ hex digits with a digit. */
static int
is_hexword(const char *s, size_t n)
{
	size_t i, digits = 0;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		for (i = 2; i < n && is_hex((unsigned char)s[i]); i++)
			;
		return i == n;
	}
	if (n < 8)
		return 0;
	for (i = 0; i < n; i++) {
		if (!is_hex((unsigned char)s[i]))
			return 0;
		digits += s[i] >= '0' && s[i] <= '9';
	}
	return digits > 0;
}

/* One word of a message, normalized. */
static int
sig_word(struct tally_buf *b, const char *s, size_t n)
{
	size_t i, j;
	int rc = TALLY_OK;

	if (n > 1 && (memchr(s, '/', n) != NULL || memchr(s, '\\', n) != NULL))
		return tally_buf_adds(b, "<path>");
	if (is_uuid(s, n))
		return tally_buf_adds(b, "<uuid>");
	if (is_hexword(s, n))
		return tally_buf_adds(b, "<hex>");
	for (i = 0; i < n && rc == TALLY_OK; i = j) {
		if (s[i] >= '0' && s[i] <= '9') {
			for (j = i; j < n && ((s[j] >= '0' && s[j] <= '9') ||
			    ((s[j] == '.' || s[j] == ',') && j + 1 < n &&
			    s[j + 1] >= '0' && s[j + 1] <= '9')); j++)
				;
			rc = tally_buf_adds(b, "<n>");
		} else {
			for (j = i; j < n && !(s[j] >= '0' && s[j] <= '9'); j++)
				;
			rc = tally_buf_add(b, s + i, j - i);
		}
	}
	return rc;
}

/*
 * pytest's own summary of a failure, its last "E   " line, which its
 * xunit1 message carries flattened into one line after the code.
 */
static const char *
pytest_e_line(const char *s)
{
	const char *p, *last = NULL;

	if (s == NULL)
		return NULL;
	for (p = s; (p = strstr(p, "E   ")) != NULL; p++)
		if (p == s || p[-1] == '\n' || p[-1] == ' ')
			last = p + 4;
	return last;
}

int
tally_error_signature(struct tally_buf *b, const char *type,
    const char *message, const char *trace)
{
	static const char delim[] = " \t\r'\"`()[]{}<>,;=";
	const char *s = message != NULL && *message != '\0' ? message : trace;
	size_t len = 0, i, j, skip;
	int rc = TALLY_OK, space = 0;

	if (s != NULL) {
		const char *e = pytest_e_line(message);

		if (e == NULL && (message == NULL || *message == '\0'))
			e = pytest_e_line(trace);
		if (e != NULL)
			s = e;
		while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			s++;
		len = strcspn(s, "\n");
		if (len > SIG_BYTES) {
			len = SIG_BYTES;
			while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
				len--;
		}
	}
	if (type != NULL && *type != '\0') {
		rc |= tally_buf_adds(b, type);
		skip = strlen(type);
		/* "ValueError: x" already says its type. */
		if (s != NULL && strncmp(s, type, skip) == 0 && skip <= len) {
			s += skip;
			len -= skip;
			while (len > 0 && (*s == ':' || *s == ' ')) {
				s++;
				len--;
			}
		}
		if (len > 0)
			rc |= tally_buf_adds(b, ": ");
	}
	for (i = 0; i < len && rc == TALLY_OK; i = j) {
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r') {
			if (!space)
				rc = tally_buf_addc(b, ' ');
			space = 1;
			j = i + 1;
			continue;
		}
		space = 0;
		if (strchr(delim, s[i]) != NULL) {
			rc = tally_buf_addc(b, s[i]);
			j = i + 1;
			continue;
		}
		/* A word; "1,234" is one. */
		for (j = i; j < len && (strchr(delim, s[j]) == NULL ||
		    (s[j] == ',' && j > i && is_digit(s[j - 1]) &&
		    j + 1 < len && is_digit(s[j + 1]))); j++)
			;
		rc = sig_word(b, s + i, j - i);
	}
	while (rc == TALLY_OK && b->len > 0 && b->data[b->len - 1] == ' ')
		b->data[--b->len] = '\0';
	if (rc == TALLY_OK && b->len == 0)
		rc = tally_buf_adds(b, "(no message)");
	return rc ? TALLY_ENOMEM : TALLY_OK;
}

/* Locations. */

/* Frames of code that is not the project's: runtimes, libraries. */
static int
foreign_path(const char *s, size_t n)
{
	static const char *const marks[] = {
		"node_modules/", "site-packages/", "dist-packages/",
		"/lib/python", "<frozen", "<string>", "node:internal",
		"/usr/", "/opt/hostedtoolcache/", "/go/src/",
		"/rustc/", ".cargo/registry/"
	};
	size_t i, k;

	for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
		k = strlen(marks[i]);
		if (n >= k && memmem(s, n, marks[i], k) != NULL)
			return 1;
	}
	return n >= 2 && s[0] == '<';
}

static int
foreign_class(const char *s, size_t n)
{
	static const char *const pkgs[] = {
		"java.", "javax.", "jdk.", "sun.", "com.sun.", "org.junit.",
		"junit.", "org.apache.maven.surefire.booter.",
		"org.apache.maven.surefire.junit", "org.gradle.", "worker.org.",
		"kotlin.", "kotlinx.", "org.testng.", "org.opentest4j.",
		"org.assertj.", "org.hamcrest.", "scala.", "org.scalatest."
	};
	size_t i, k;

	for (i = 0; i < sizeof(pkgs) / sizeof(pkgs[0]); i++) {
		k = strlen(pkgs[i]);
		if (n >= k && strncmp(s, pkgs[i], k) == 0)
			return 1;
	}
	return 0;
}

static long
digits_at(const char *s, size_t *len)
{
	long v = 0;
	size_t i;

	for (i = 0; is_digit(s[i]) && v < 100000000; i++)
		v = v * 10 + (s[i] - '0');
	*len = i;
	return i > 0 ? v : -1;
}

/* A frame found in a trace line: file (n bytes at s) and line. */
struct frame {
	const char	*s;
	size_t		 n;
	long		 line;
	const char	*cls;		/* Java: qualified method, or NULL */
	size_t		 ncls;
};

/*
 * One trace line's frame: Python's File "f", line N; Java's at
 * a.b.C.m(C.java:N); JavaScript's at f (file:N:M) or at file:N:M; and
 * "file:N:" at the start of a line (pytest, go test, compilers).
 */
static int
frame_of(const char *l, size_t n, struct frame *f)
{
	const char *p, *q, *e = l + n;
	size_t k;
	long v;

	memset(f, 0, sizeof(*f));
	while (l < e && (*l == ' ' || *l == '\t'))
		l++;
	if ((p = memmem(l, (size_t)(e - l), "File \"", 6)) != NULL) {
		p += 6;
		if ((q = memchr(p, '"', (size_t)(e - p))) == NULL ||
		    (size_t)(e - q) < 8 || strncmp(q, "\", line ", 8) != 0 ||
		    (v = digits_at(q + 8, &k)) < 0)
			return 0;
		f->s = p;
		f->n = (size_t)(q - p);
		f->line = v;
		return 1;
	}
	if ((size_t)(e - l) > 3 && strncmp(l, "at ", 3) == 0) {
		const char *open = memchr(l, '(', (size_t)(e - l));
		const char *loc = l + 3, *end = e;

		if (open != NULL && e[-1] == ')') {
			loc = open + 1;
			end = e - 1;
		}
		if (strncmp(loc, "file://", 7) == 0)
			loc += 7;
		/* From the end: ":N)" (Java) or ":N:M" (JavaScript). */
		for (p = end; p > loc && is_digit(p[-1]); p--)
			;
		if (p == end || p <= loc || p[-1] != ':')
			return 0;
		q = p - 1;
		v = digits_at(p, &k);
		for (p = q; p > loc && is_digit(p[-1]); p--)
			;
		if (p < q && p > loc && p[-1] == ':') {
			v = digits_at(p, &k);	/* JavaScript: file:N:M */
			q = p - 1;
		} else if (open != NULL) {
			f->cls = l + 3;		/* Java: a.b.C.m(C.java:N) */
			f->ncls = (size_t)(open - f->cls);
		}
		f->s = loc;
		f->n = (size_t)(q - loc);
		f->line = v;
		return f->n > 0;
	}
	/* Rust: "thread 't' panicked at src/x.rs:19:5:". */
	if ((p = memmem(l, (size_t)(e - l), "panicked at ", 12)) != NULL)
		l = p + 12;
	/* "path:N:" at the start, path with a dot and no space. */
	for (p = l; p < e && *p != ':' && *p != ' ' && *p != '\t'; p++)
		;
	if (p == l || p >= e || *p != ':' || memchr(l, '.', (size_t)(p - l)) ==
	    NULL || (v = digits_at(p + 1, &k)) < 0 || p + 1 + k >= e ||
	    p[1 + k] != ':')
		return 0;
	f->s = l;
	f->n = (size_t)(p - l);
	f->line = v;
	return 1;
}

/* The path of a frame, as the repository names it, into b. */
static int
frame_path(struct tally_buf *b, const struct frame *f, const char *classname)
{
	const char *dot;
	size_t i;
	int rc = TALLY_OK;

	if (f->cls != NULL && memchr(f->s, '/', f->n) == NULL) {
		/* Java: the package's directories, then the file. */
		for (i = f->ncls; i > 0 && f->cls[i - 1] != '.'; i--)
			;	/* drop the method */
		if (i > 0)
			i--;
		for (; i > 0 && f->cls[i - 1] != '.'; i--)
			;	/* drop the class */
		for (dot = f->cls; dot < f->cls + i && rc == TALLY_OK; dot++)
			rc = tally_buf_addc(b, *dot == '.' ? '/' : *dot);
	} else if (memchr(f->s, '/', f->n) == NULL &&
	    memchr(f->s, '\\', f->n) == NULL && f->n > 3 &&
	    strncmp(f->s + f->n - 3, ".go", 3) == 0 && classname != NULL &&
	    strchr(classname, '/') != NULL && strchr(classname, ' ') == NULL)
		/* go test names a file relative to its package. */
		rc = tally_buf_printf(b, "%s/", classname);
	if (rc == TALLY_OK)
		rc = tally_buf_add(b, f->s, f->n);
	return rc;
}

/* s with prefix strip removed, when it starts with it. */
static const char *
stripped(const char *s, const char *strip)
{
	size_t k;

	if (strip != NULL && (k = strlen(strip)) > 0 &&
	    strncmp(s, strip, k) == 0)
		return s + k;
	return NULL;
}

/*
 * Map a runner's path to the repository's, into out: --path-strip
 * removed, "./" removed, backslashes made slashes, --path-prefix added.
 * Returns 0 for a path outside the repository: absolute, or foreign.
 */
static int
map_path(struct tally_buf *out, const char *path,
    const struct tally_render_opts *opts, int *rc)
{
	const char *s = path, *x;
	size_t start;
	char *p;

	if ((x = stripped(s, opts != NULL ? opts->path_strip : NULL)) != NULL)
		s = x;
	while (s[0] == '.' && (s[1] == '/' || s[1] == '\\'))
		s += 2;
	if (s[0] == '/' || s[0] == '\\' || (s[0] != '\0' && s[1] == ':') ||
	    s[0] == '\0')
		return 0;
	tally_buf_reset(out);
	if (opts != NULL && opts->path_prefix != NULL)
		*rc |= tally_buf_adds(out, opts->path_prefix);
	start = out->len;
	*rc |= tally_buf_adds(out, s);
	if (*rc != TALLY_OK)
		return 0;
	for (p = out->data + start; *p != '\0'; p++)
		if (*p == '\\')
			*p = '/';
	return !foreign_path(out->data + start, out->len - start);
}

/* Where the first frame of s inside the repository points. */
static int
trace_where(const char *s, const char *classname, const char *want,
    const struct tally_render_opts *opts, struct tally_buf *file,
    long *line, int *rc)
{
	struct tally_buf raw;
	struct frame f;
	const char *e;
	size_t n, base;
	int found = 0;

	if (s == NULL)
		return 0;
	tally_buf_init(&raw);
	for (; *s != '\0' && !found && *rc == TALLY_OK; s = *e ? e + 1 : e) {
		e = s + strcspn(s, "\n");
		n = (size_t)(e - s);
		if (!frame_of(s, n, &f) || (f.cls != NULL &&
		    foreign_class(f.cls, f.ncls)))
			continue;
		tally_buf_reset(&raw);
		if ((*rc |= frame_path(&raw, &f, classname)) != TALLY_OK)
			break;
		if (!map_path(file, raw.data, opts, rc))
			continue;
		/* Looking for one file: the frame must be in it. */
		if (want != NULL) {
			base = strlen(want);
			n = file->len;
			if (!(n >= base && strcmp(file->data + n - base,
			    want) == 0) && !(base > n && strcmp(want + base - n,
			    file->data) == 0 && want[base - n - 1] == '/'))
				continue;
		}
		*line = f.line;
		found = 1;
	}
	tally_buf_free(&raw);
	return found;
}

/* A classname that names a source file: tests.test_cart -> .py. */
static int
class_path(struct tally_buf *b, const struct tally_test *t)
{
	const char *c = t->classname, *p, *end = NULL, *comp;
	int py = 0, rc = TALLY_OK;

	if (c == NULL || *c == '\0' || strchr(c, '/') != NULL ||
	    strchr(c, ' ') != NULL || strchr(c, '.') == NULL)
		return 0;
	/* Python: up to the module pytest found, test_*.py or *_test.py. */
	for (comp = c; comp != NULL && *comp != '\0'; comp = p) {
		const char *ce = strchr(comp, '.');

		if (ce == NULL)
			ce = comp + strlen(comp);
		if (strncmp(comp, "test_", 5) == 0 || (ce - comp > 5 &&
		    strncmp(ce - 5, "_test", 5) == 0)) {
			end = ce;
			py = 1;
		}
		p = *ce != '\0' ? ce + 1 : NULL;
	}
	if (!py) {
		/* Java-like: packages, then the class. */
		end = strrchr(c, '.') + 1;
		if (!(*end >= 'A' && *end <= 'Z') || !(*c >= 'a' && *c <= 'z'))
			return 0;
		end += strcspn(end, "$");
	}
	for (p = c; p < end && rc == TALLY_OK; p++)
		rc = tally_buf_addc(b, *p == '.' ? '/' : *p);
	if (rc == TALLY_OK)
		rc = tally_buf_adds(b, py ? ".py" : ".java");
	return rc == TALLY_OK ? 1 : -1;
}

int
tally_test_where(struct tally_buf *file, long *line,
    const struct tally_record *rec, const struct tally_render_opts *opts)
{
	const struct tally_test *t = &rec->u.test;
	struct tally_buf raw;
	int rc = TALLY_OK, have = 0;
	long l = 0;

	tally_buf_reset(file);
	*line = 0;
	tally_buf_init(&raw);
	if (t->file_path != NULL && *t->file_path != '\0') {
		struct frame f;

		memset(&f, 0, sizeof(f));
		f.s = t->file_path;
		f.n = strlen(t->file_path);
		rc |= frame_path(&raw, &f, t->classname);
		if (rc == TALLY_OK && map_path(file, raw.data, opts, &rc)) {
			have = 1;
			l = t->line;
		}
	}
	/* The trace's own frame in the file, else its first in the repo. */
	if (rc == TALLY_OK && (!have || l <= 0)) {
		struct tally_buf tf;
		char *want = NULL;
		long tl = 0;

		tally_buf_init(&tf);
		if (have && (want = strdup(file->data)) == NULL)
			rc = TALLY_ENOMEM;
		if (rc == TALLY_OK && (trace_where(t->trace, t->classname,
		    want, opts, &tf, &tl, &rc) || trace_where(t->message,
		    t->classname, want, opts, &tf, &tl, &rc))) {
			if (!have) {
				tally_buf_reset(file);
				rc |= tally_buf_add(file, tf.data, tf.len);
			}
			have = 1;
			l = tl;
		}
		free(want);
		tally_buf_free(&tf);
	}
	/* The classname's module, and a frame in it for the line. */
	if (rc == TALLY_OK && !have) {
		tally_buf_reset(&raw);
		if (class_path(&raw, t) == 1 && map_path(file, raw.data, opts,
		    &rc)) {
			struct tally_buf tf;
			char *want = strdup(file->data);

			have = 1;
			tally_buf_init(&tf);
			if (want == NULL)
				rc = TALLY_ENOMEM;
			else if (!trace_where(t->trace, t->classname, want,
			    opts, &tf, &l, &rc))
				(void)trace_where(t->message, t->classname,
				    want, opts, &tf, &l, &rc);
			free(want);
			tally_buf_free(&tf);
		}
	}
	tally_buf_free(&raw);
	if (rc != TALLY_OK || !have) {
		tally_buf_reset(file);
		return rc != TALLY_OK ? TALLY_ENOMEM : TALLY_OK;
	}
	*line = l > 0 ? l : 0;
	return TALLY_OK;
}

static const char *
env_set(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

/*
 * The link base is the one thing renderers take from the CI's
 * environment: the report is read where the job ran.
 */
int
tally_source_url(struct tally_buf *b, const char *file, long line)
{
	const char *srv = env_set("GITHUB_SERVER_URL"),
	    *repo = env_set("GITHUB_REPOSITORY"), *sha = env_set("GITHUB_SHA"),
	    *gl = env_set("CI_PROJECT_URL"), *glsha = env_set("CI_COMMIT_SHA");
	int rc;

	tally_buf_reset(b);
	if (file == NULL || *file == '\0')
		return 0;
	if (srv != NULL && repo != NULL && sha != NULL)
		rc = tally_buf_printf(b, "%s/%s/blob/%s/", srv, repo, sha);
	else if (gl != NULL && glsha != NULL)
		rc = tally_buf_printf(b, "%s/-/blob/%s/", gl, glsha);
	else
		return 0;
	rc |= tally_buf_adds(b, file);
	if (line > 0)
		rc |= tally_buf_printf(b, "#L%ld", line);
	return rc != TALLY_OK ? -1 : 1;
}

/* Triage: failures grouped by error signature. */

static void
tgroup_clear(struct tally_tgroup *g)
{
	size_t i;

	free(g->signature);
	free(g->example);
	free(g->message);
	free(g->where);
	for (i = 0; i < g->ntests; i++)
		free(g->tests[i]);
	free(g->tests);
}

void
tally_triage_free(struct tally_triage *tr)
{
	size_t i;

	if (tr == NULL)
		return;
	for (i = 0; i < tr->n; i++)
		tgroup_clear(&tr->v[i]);
	free(tr->v);
	free(tr->idx);
	memset(tr, 0, sizeof(*tr));
}

static uint64_t
str_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/*
 * The group of sig (a category's name when named), made when new and
 * there is room; NULL else.
 */
static struct tally_tgroup *
tgroup_of(struct tally_triage *tr, const char *sig, int named, size_t max,
    int *rc)
{
	size_t j, k, i, nc;

	if (tr->cap > 0)
		for (j = str_hash(sig) & (tr->cap - 1); (k = tr->idx[j]) != 0;
		    j = (j + 1) & (tr->cap - 1))
			if (strcmp(tr->v[k - 1].signature, sig) == 0 &&
			    (tr->v[k - 1].name != NULL) == named)
				return &tr->v[k - 1];
	if (!named && tr->n - tr->nnamed >= max)
		return NULL;
	if (2 * (tr->n + 1) > tr->cap) {
		size_t *ni;
		struct tally_tgroup *nv;

		nc = tr->cap ? tr->cap * 2 : 64;
		if ((ni = calloc(nc, sizeof(*ni))) == NULL ||
		    (nv = realloc(tr->v, (nc / 2) * sizeof(*nv))) == NULL) {
			free(ni);
			*rc = TALLY_ENOMEM;
			return NULL;
		}
		tr->v = nv;
		for (i = 0; i < tr->n; i++) {
			for (j = str_hash(tr->v[i].signature) & (nc - 1);
			    ni[j] != 0; j = (j + 1) & (nc - 1))
				;
			ni[j] = i + 1;
		}
		free(tr->idx);
		tr->idx = ni;
		tr->cap = nc;
	}
	for (j = str_hash(sig) & (tr->cap - 1); tr->idx[j] != 0;
	    j = (j + 1) & (tr->cap - 1))
		;
	memset(&tr->v[tr->n], 0, sizeof(tr->v[tr->n]));
	if ((tr->v[tr->n].signature = strdup(sig)) == NULL) {
		*rc = TALLY_ENOMEM;
		return NULL;
	}
	tr->v[tr->n].first = tr->failures;
	if (named) {
		tr->v[tr->n].name = tr->v[tr->n].signature;
		tr->nnamed++;
	}
	tr->idx[j] = ++tr->n;
	return &tr->v[tr->n - 1];
}

static int
tgroup_cmp(const void *a, const void *b)
{
	const struct tally_tgroup *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->first < y->first ? -1 : x->first > y->first;
}

static char *
dup_cut(const char *s, size_t maxlines, size_t maxbytes)
{
	size_t more, n;
	char *p;

	if (s == NULL)
		return NULL;
	n = tally_first_lines(s, maxlines, maxbytes, &more);
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	if ((p = malloc(n + 1)) != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

int
tally_triage_build(struct tally_triage *tr, const struct tally_report *rep,
    const struct tally_render_opts *opts, size_t maxgroups, size_t maxtests,
    struct tally_error *rerr)
{
	const struct tally_record *rec;
	const char *cat;
	struct tally_error err;
	struct tally_buf sig, t;
	struct tally_tgroup *g;
	size_t pos = 0;
	long line;
	int rc = TALLY_OK, more;

	memset(tr, 0, sizeof(*tr));
	tally_buf_init(&sig);
	tally_buf_init(&t);
	tally_error_init(&err, NULL);
	while (rc == TALLY_OK &&
	    (more = tally_report_next_failing(rep, &pos, &rec, &err)) == 1) {
		const struct tally_test *x = &rec->u.test;
		enum tally_change chg;

		/* A diff's removed tests are BASE's, not this run's. */
		if (x->status != TALLY_FAILED || (x->change != NULL &&
		    tally_change_parse(x->change, &chg) == TALLY_OK &&
		    chg == TALLY_CHANGE_REMOVED))
			continue;
		tally_buf_reset(&sig);
		cat = NULL;
		if (opts != NULL && opts->rules != NULL &&
		    (rc = tally_rules_triage(opts->rules, x->type, x->message,
		    x->trace, &cat, rerr)) != TALLY_OK)
			break;
		/* A category is always a group of its own, past the cap too. */
		if (cat != NULL)
			rc = tally_buf_adds(&sig, cat);
		else
			rc = tally_error_signature(&sig, x->type, x->message,
			    x->trace);
		if (rc != TALLY_OK)
			break;
		g = tgroup_of(tr, sig.data, cat != NULL, maxgroups, &rc);
		tr->failures++;
		if (g == NULL) {
			tr->ungrouped++;
			continue;
		}
		g->count++;
		tally_buf_reset(&t);
		if ((rc = tally_test_title(&t, rec)) != TALLY_OK)
			break;
		if (g->count == 1) {
			g->example = strdup(t.data);
			g->message = dup_cut(x->message != NULL ? x->message :
			    x->trace, TALLY_TRIAGE_LINES, TALLY_TRIAGE_BYTES);
			tally_buf_reset(&t);
			if ((rc = tally_test_where(&t, &line, rec, opts)) !=
			    TALLY_OK)
				break;
			if (t.len > 0 && line > 0)
				rc = tally_buf_printf(&t, ":%ld", line);
			if (t.len > 0 && (g->where = strdup(t.data)) == NULL)
				rc = TALLY_ENOMEM;
			if (g->example == NULL || ((x->message != NULL ||
			    x->trace != NULL) && g->message == NULL))
				rc = TALLY_ENOMEM;
			continue;
		}
		if (g->ntests >= maxtests)
			continue;
		if (g->ntests == g->ctests) {
			size_t nc = g->ctests ? g->ctests * 2 : 4;
			char **v;

			if (nc > maxtests)
				nc = maxtests;
			if ((v = realloc(g->tests, nc * sizeof(*v))) == NULL) {
				rc = TALLY_ENOMEM;
				break;
			}
			g->tests = v;
			g->ctests = nc;
		}
		if ((g->tests[g->ntests] = strdup(t.data)) == NULL)
			rc = TALLY_ENOMEM;
		else
			g->ntests++;
	}
	if (rc == TALLY_OK && more < 0)
		rc = more;
	tally_buf_free(&sig);
	tally_buf_free(&t);
	free(tr->idx);
	tr->idx = NULL;
	tr->cap = 0;
	if (rc != TALLY_OK) {
		tally_triage_free(tr);
		return rc;
	}
	if (tr->n > 1)
		qsort(tr->v, tr->n, sizeof(*tr->v), tgroup_cmp);
	return TALLY_OK;
}

int
tally_commit_url(struct tally_buf *b, const char *commit)
{
	const char *srv = env_set("GITHUB_SERVER_URL"),
	    *repo = env_set("GITHUB_REPOSITORY"), *gl = env_set("CI_PROJECT_URL");
	size_t i, n;
	int rc;

	tally_buf_reset(b);
	if (commit == NULL || (n = strlen(commit)) < 7 || n > 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!is_hex((unsigned char)commit[i]))
			return 0;
	if (srv != NULL && repo != NULL)
		rc = tally_buf_printf(b, "%s/%s/commit/%s", srv, repo, commit);
	else if (gl != NULL)
		rc = tally_buf_printf(b, "%s/-/commit/%s", gl, commit);
	else
		return 0;
	return rc != TALLY_OK ? -1 : 1;
}

const char *
tally_branch_name(const char *ref)
{
	if (ref != NULL && strncmp(ref, "refs/heads/", 11) == 0)
		return ref + 11;
	if (ref != NULL && strncmp(ref, "refs/tags/", 10) == 0)
		return ref + 10;
	return ref;
}
