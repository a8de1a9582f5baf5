/* lib/render_util.c: helpers shared by the renderers. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	return rc ? TALLY_ENOMEM : TALLY_OK;
}

static int
pick(const struct tally_report *rep, int flaky,
    const struct tally_record ***out, size_t *n)
{
	const struct tally_record **v;
	size_t i, k = 0;

	*out = NULL;
	*n = 0;
	if (rep->ntests == 0)
		return TALLY_OK;
	if ((v = calloc(rep->ntests, sizeof(*v))) == NULL)
		return TALLY_ENOMEM;
	for (i = 0; i < rep->ntests; i++) {
		const struct tally_test *t = &rep->tests[i]->u.test;

		if (flaky ? t->flaky != 0 : t->status == TALLY_FAILED)
			v[k++] = rep->tests[i];
	}
	*out = v;
	*n = k;
	return TALLY_OK;
}

int
tally_pick_failed(const struct tally_report *rep,
    const struct tally_record ***out, size_t *n)
{
	return pick(rep, 0, out, n);
}

int
tally_pick_flaky(const struct tally_report *rep,
    const struct tally_record ***out, size_t *n)
{
	return pick(rep, 1, out, n);
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

struct timed {
	const struct tally_record *rec;
	size_t	 idx;
};

static int
slower_first(const void *a, const void *b)
{
	const struct timed *x = a, *y = b;
	double dx = x->rec->u.test.duration, dy = y->rec->u.test.duration;

	if (dx != dy)
		return dx > dy ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

int
tally_pick_slowest(const struct tally_report *rep, size_t top,
    const struct tally_record ***out, size_t *n)
{
	struct timed *t;
	const struct tally_record **v;
	size_t i, k = 0;

	*out = NULL;
	*n = 0;
	if (rep->ntests == 0 || top == 0)
		return TALLY_OK;
	if ((t = calloc(rep->ntests, sizeof(*t))) == NULL)
		return TALLY_ENOMEM;
	for (i = 0; i < rep->ntests; i++) {
		double d = rep->tests[i]->u.test.duration;

		if (d > 0 && !isinf(d)) {
			t[k].rec = rep->tests[i];
			t[k].idx = i;
			k++;
		}
	}
	qsort(t, k, sizeof(*t), slower_first);
	if (k > top)
		k = top;
	if ((v = calloc(k ? k : 1, sizeof(*v))) == NULL) {
		free(t);
		return TALLY_ENOMEM;
	}
	for (i = 0; i < k; i++)
		v[i] = t[i].rec;
	free(t);
	*out = v;
	*n = k;
	return TALLY_OK;
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

struct keyed {
	const char *const *key;
	size_t	 nkey;
	size_t	 idx;
};

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
keyed_cmp(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c;

	if ((c = key_cmp(x->key, x->nkey, y->key, y->nkey)) != 0)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

int
tally_groups_build(struct tally_groups *g, const struct tally_report *rep,
    enum tally_group_by by, const char *const *labels, size_t nlabels)
{
	struct keyed *k = NULL;
	struct tally_group *grp;
	size_t i, j;

	memset(g, 0, sizeof(*g));
	if (rep->ntests == 0)
		return TALLY_OK;
	if ((k = calloc(rep->ntests, sizeof(*k))) == NULL)
		goto nomem;
	if (by == TALLY_GROUP_LABELS) {
		if (nlabels == 0 ||
		    (g->keys = calloc(rep->ntests, nlabels * sizeof(char *)))
		    == NULL)
			goto nomem;
	}
	for (i = 0; i < rep->ntests; i++) {
		const struct tally_record *rec = rep->tests[i];

		k[i].idx = i;
		switch (by) {
		case TALLY_GROUP_SUITE:
			k[i].key = rec->u.test.suite;
			k[i].nkey = rec->u.test.nsuite;
			break;
		case TALLY_GROUP_CATEGORY:
			k[i].key = &rec->u.test.category;
			k[i].nkey = 1;
			break;
		case TALLY_GROUP_LABELS:
			for (j = 0; j < nlabels; j++)
				g->keys[i * nlabels + j] = tally_kv_get(
				    rec->labels, rec->nlabels, labels[j]);
			k[i].key = g->keys + i * nlabels;
			k[i].nkey = nlabels;
			break;
		}
	}
	qsort(k, rep->ntests, sizeof(*k), keyed_cmp);
	if ((g->v = calloc(rep->ntests, sizeof(*g->v))) == NULL)
		goto nomem;
	for (i = 0; i < rep->ntests; i++) {
		const struct tally_test *t = &rep->tests[k[i].idx]->u.test;

		if (g->n == 0 || key_cmp(g->v[g->n - 1].key,
		    g->v[g->n - 1].nkey, k[i].key, k[i].nkey) != 0) {
			grp = &g->v[g->n++];
			grp->key = (const char **)k[i].key;
			grp->nkey = k[i].nkey;
		}
		grp = &g->v[g->n - 1];
		grp->tests++;
		if ((unsigned)t->status < TALLY_NSTATUS)
			grp->status[t->status]++;
		if (t->flaky)
			grp->flaky++;
		if (t->duration > 0 && !isinf(t->duration))
			grp->duration += t->duration;
	}
	free(k);
	return TALLY_OK;
nomem:
	free(k);
	tally_groups_free(g);
	return TALLY_ENOMEM;
}

void
tally_groups_free(struct tally_groups *g)
{
	if (g == NULL)
		return;
	free(g->v);
	free(g->keys);
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

struct pair {
	const char *key;
	const char *value;
};

static int
pair_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int c;

	if ((c = strcmp_null(x->key, y->key)) != 0)
		return c;
	return strcmp_null(x->value, y->value);
}

int
tally_varying_labels(const struct tally_report *rep, const char ***out,
    size_t *n)
{
	struct pair *p;
	const char **keys;
	size_t i, j, np = 0, nk = 0, run, values, start;

	*out = NULL;
	*n = 0;
	for (i = 0; i < rep->ntests; i++)
		np += rep->tests[i]->nlabels;
	if (np == 0)
		return TALLY_OK;
	if ((p = calloc(np, sizeof(*p))) == NULL)
		return TALLY_ENOMEM;
	if ((keys = calloc(np, sizeof(*keys))) == NULL) {
		free(p);
		return TALLY_ENOMEM;
	}
	np = 0;
	for (i = 0; i < rep->ntests; i++)
		for (j = 0; j < rep->tests[i]->nlabels; j++) {
			if (rep->tests[i]->labels[j].key == NULL)
				continue;
			p[np].key = rep->tests[i]->labels[j].key;
			p[np].value = rep->tests[i]->labels[j].value;
			np++;
		}
	qsort(p, np, sizeof(*p), pair_cmp);
	for (start = 0; start < np; start = i) {
		values = 1;
		for (i = start + 1; i < np &&
		    strcmp(p[i].key, p[start].key) == 0; i++)
			if (strcmp_null(p[i].value, p[i - 1].value) != 0)
				values++;
		run = i - start;
		if (values > 1 || run < rep->ntests)
			keys[nk++] = p[start].key;
	}
	free(p);
	*out = keys;
	*n = nk;
	return TALLY_OK;
}
