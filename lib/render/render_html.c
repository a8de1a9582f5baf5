/*
 * lib/render/render_html.c: the HTML report.  One file with its stylesheet,
 * script and data inside (or, with assets_dir, report.css and report.js
 * beside it), made so that the page reads without JavaScript: verdict,
 * totals, charts, failures, breakdowns and the slowest tests are written
 * here as HTML and inline SVG.  The script only adds the searchable,
 * sortable table of every test, which it draws from a JSON data block
 * (<script type="application/json">, never executed) on demand.
 *
 * Every string from the results goes through tally_esc_html (text and
 * double-quoted attributes) or tally_esc_json_script (the data block), and
 * bidi controls are shown visibly.  Data never becomes an href, except
 * http(s) URLs in the run metadata and a failure's file under the CI's
 * own link base (tally_source_url()).  The Content-Security-Policy allows the
 * exact inline script and style by their SHA-256 hashes.  Output depends
 * only on the report: no clock, no locale, no randomness.
 */
#include <sys/stat.h>

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tally/history.h>
#include <tally/output.h>
#include <tally/report.h>

#include "escape.h"
#include "html_assets.h"
#include "internal.h"
#include "render.h"
#include "render_history.h"
#include "render_perf.h"
#include "render_util.h"
#include "sha256.h"

/* How much of each list the page shows without the script. */
#define FAIL_CAP	200	/* failures written out in full */
#define LIST_CAP	100	/* flaky, skipped, input errors */
#define SUITE_MIN	25	/* rows of the suite breakdown, */
#define SUITE_CAP	100	/* more when they have failures */
#define VALUE_CAP	50	/* columns of one label's matrix */
#define CAT_CHART_CAP	12	/* categories drawn in the chart */
#define TOP_DEFAULT	10	/* slowest tests */
#define FLUSH_AT	65536
#define OUT_CAP		4096	/* trace, output of a test that passed */
#define PART_ROWS	50000	/* --split-assets: rows per data part, */
#define PART_MAX	1000	/* more when there would be more parts */

struct w {
	FILE		*fp;
	struct tally_buf b;
	int		 rc;
	const struct tally_render_opts *opts;
	struct tally_error *err;	/* a triage pattern's failure */
	int		 said;		/* ... is in it */
	int		 jsq;		/* written inside a '...' JS string */
};

/* A set of names with counts: categories, suites, labels, label sets. */
struct group {
	char		*key;
	size_t		 len;
	size_t		 split;		/* labels: offset of the value */
	size_t		 n, status[TALLY_NSTATUS], flaky;
	double		 duration;
};

struct groups {
	struct group	*v;
	size_t		 n, cap;
	size_t		*slot;		/* index + 1, 0 when empty */
	size_t		 nslot;
	size_t		 last;		/* the string found last, + 1 */
};

struct model {
	const struct tally_report *rep;
	const struct tally_marks *marks;	/* --history, or NULL */
	struct groups	 cats, suites, labels, lsets;
	struct groups	 strs;			/* sources and file paths */
	size_t		**lsetlab;		/* label ids of each label set */
	size_t		*nlsetlab;
	size_t		 hist[8], histfail[8];
	size_t		 nproblem;		/* failed or other */
	size_t		 nflaky, nskipped;
	struct tally_buf k;			/* scratch */
	struct tally_error *err;		/* reading streamed tests */
};

/*
 * Where one test sits in the model.  Nothing is kept per test: tests
 * may be streamed, so their ids are looked up again when needed.
 */
struct ids {
	size_t		 cat, suite, lset, src, file, cls;
};

/* Writing. */

static void
wflush(struct w *w)
{
	const char *p, *e, *q;
	char esc[2] = { '\\', 0 };

	if (w->b.len > 0 && !w->jsq && fwrite(w->b.data, 1, w->b.len,
	    w->fp) != w->b.len && w->rc == TALLY_OK)
		w->rc = TALLY_EIO;
	/* Inside a single-quoted JavaScript string: \\, \' and \n. */
	p = e = w->b.data;
	if (w->jsq && w->b.len > 0)
		e = p + w->b.len;
	for (; p < e; p = q + 1) {
		for (q = p; q < e && *q != '\\' && *q != '\'' && *q != '\n'; q++)
			;
		if (q > p && fwrite(p, 1, (size_t)(q - p), w->fp) !=
		    (size_t)(q - p) && w->rc == TALLY_OK)
			w->rc = TALLY_EIO;
		if (q == e)
			break;
		esc[1] = *q == '\n' ? 'n' : *q;
		if (fwrite(esc, 1, 2, w->fp) != 2 && w->rc == TALLY_OK)
			w->rc = TALLY_EIO;
	}
	tally_buf_reset(&w->b);
}

static void
wcheck(struct w *w, int rc)
{
	if (rc != TALLY_OK && w->rc == TALLY_OK)
		w->rc = rc;
	if (w->b.len >= FLUSH_AT)
		wflush(w);
}

static void
put(struct w *w, const char *s)
{
	wcheck(w, tally_buf_adds(&w->b, s));
}

static void putf(struct w *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
putf(struct w *w, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		wcheck(w, TALLY_EINVAL);
		return;
	}
	wcheck(w, tally_buf_add(&w->b, tmp, (size_t)n));
}

/* An integer in decimal, as "%lld" writes it: no printf for each of the
 * numbers of every row. */
static void
put_int(struct w *w, long long v)
{
	wcheck(w, tally_buf_addll(&w->b, v));
}

/* ',' and an integer. */
static void
put_cint(struct w *w, long long v)
{
	wcheck(w, tally_buf_addc(&w->b, ','));
	put_int(w, v);
}

/* Is s[0..] a bidi control (U+202A-202E, U+2066-2069)?  Its length. */
static size_t
bidi_len(const unsigned char *s, size_t n)
{
	if (n >= 3 && s[0] == 0xE2 && ((s[1] == 0x80 && s[2] >= 0xAA &&
	    s[2] <= 0xAE) || (s[1] == 0x81 && s[2] >= 0xA6 && s[2] <= 0xA9)))
		return 3;
	return 0;
}

/* HTML text or attribute value, n bytes; bidi controls shown as <U+XXXX>. */
static void
escn(struct w *w, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, j, k;
	unsigned cp;

	if (s == NULL)
		return;
	while (i < n) {
		for (j = i; j < n && bidi_len(p + j, n - j) == 0; j++)
			;
		wcheck(w, tally_esc_html(&w->b, s + i, j - i));
		if (j >= n)
			break;
		k = bidi_len(p + j, n - j);
		tally_utf8_decode(p + j, k, &cp);
		putf(w, "<span class=\"ctl\">&lt;U+%04X&gt;</span>", cp);
		i = j + k;
	}
}

static void
esc(struct w *w, const char *s)
{
	if (s != NULL)
		escn(w, s, strlen(s));
}

/* A quoted JSON string safe inside <script>, or null. */
static void
jstr(struct w *w, const char *s)
{
	if (s == NULL) {
		put(w, "null");
		return;
	}
	put(w, "\"");
	wcheck(w, tally_esc_json_script(&w->b, s, TALLY_NTS));
	put(w, "\"");
}

static void
jnum(struct w *w, double d)
{
	if (!isfinite(d) || d < 0)
		put(w, "-1");
	else if (d < 1e10 && d == floor(d) && !signbit(d))
		put_int(w, (long long)d);	/* what %.10g writes */
	else
		putf(w, "%.10g", d);
}

/*
 * Text with ANSI colours: SGR bold/italic/underline and the 16 foreground
 * colours become spans with fixed classes; every other escape sequence is
 * dropped; the text between is escaped.
 */
static void
esc_ansi(struct w *w, const char *s)
{
	size_t i = 0, j, n;
	int fg = -1, bold = 0, ital = 0, und = 0, open = 0, v, arg;
	const char *p;

	if (s == NULL)
		return;
	n = strlen(s);
	while (i < n) {
		for (j = i; j < n && s[j] != '\x1b'; j++)
			;
		escn(w, s + i, j - i);
		if (j >= n)
			break;
		i = j + 1;
		if (i < n && s[i] == '[') {
			p = s + ++i;
			while (i < n && (unsigned char)s[i] >= 0x20 &&
			    (unsigned char)s[i] <= 0x3F)
				i++;
			while (i < n && (unsigned char)s[i] >= 0x20 &&
			    (unsigned char)s[i] <= 0x2F)
				i++;
			if (i >= n || (unsigned char)s[i] < 0x40 ||
			    (unsigned char)s[i] > 0x7E)
				continue;	/* malformed: dropped */
			if (s[i++] != 'm')
				continue;	/* not SGR: dropped */
			arg = 0;
			v = 0;
			for (; p <= s + i - 1; p++) {
				if (*p >= '0' && *p <= '9') {
					if (v < 1000)
						v = v * 10 + (*p - '0');
					continue;
				}
				if (arg < 0)		/* 38/48: 5;n or 2;r;g;b */
					arg = v == 5 ? 1 : v == 2 ? 3 : 0;
				else if (arg > 0)
					arg--;
				else if (v == 0) {
					fg = -1;
					bold = ital = und = 0;
				} else if (v == 1)
					bold = 1;
				else if (v == 3)
					ital = 1;
				else if (v == 4)
					und = 1;
				else if (v == 22)
					bold = 0;
				else if (v == 23)
					ital = 0;
				else if (v == 24)
					und = 0;
				else if (v >= 30 && v <= 37)
					fg = v - 30;
				else if (v >= 90 && v <= 97)
					fg = v - 90 + 8;
				else if (v == 39)
					fg = -1;
				else if (v == 38 || v == 48)
					arg = -1;
				v = 0;
				if (*p == 'm')
					break;
			}
			if (open)
				put(w, "</span>");
			open = fg >= 0 || bold || ital || und;
			if (open) {
				put(w, "<span class=\"");
				if (fg >= 0)
					putf(w, "a-f%d ", fg);
				if (bold)
					put(w, "a-b ");
				if (ital)
					put(w, "a-i ");
				if (und)
					put(w, "a-u ");
				put(w, "\">");
			}
		} else if (i < n && s[i] == ']') {	/* OSC: dropped */
			while (i < n && s[i] != '\a' && !(s[i] == '\x1b' &&
			    i + 1 < n && s[i + 1] == '\\'))
				i++;
			if (i < n)
				i += s[i] == '\a' ? 1 : 2;
		} else if (i < n)
			i++;
	}
	if (open)
		put(w, "</span>");
}

static const char *
fmt_ms(double ms, char *buf, size_t sz)
{
	long s;

	if (!isfinite(ms) || ms < 0)
		snprintf(buf, sz, "\xe2\x80\x93");
	else if (ms < 10)
		snprintf(buf, sz, "%.1f ms", ms);
	else if (ms < 1000)
		snprintf(buf, sz, "%.0f ms", ms);
	else if (ms < 60000)
		snprintf(buf, sz, "%.2f s", ms / 1000);
	else if (ms < 3600000) {
		s = (long)(ms / 1000);
		snprintf(buf, sz, "%ld min %02ld s", s / 60, s % 60);
	} else if (ms < 6e16) {		/* whole minutes fit a long */
		s = (long)(ms / 60000);
		snprintf(buf, sz, "%ld h %02ld min", s / 60, s % 60);
	} else
		snprintf(buf, sz, "%.3g h", ms / 3600000);
	return buf;
}

/* A count with thousands separators, the same in every locale. */
static const char *
num(size_t n, char *buf)
{
	char tmp[32];
	size_t len, i, o = 0;

	len = (size_t)snprintf(tmp, sizeof(tmp), "%zu", n);
	for (i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}

static int
is_http_url(const char *s)
{
	const char *p;

	if (s == NULL)
		return 0;
	if (strncasecmp(s, "https://", 8) == 0)
		p = s + 8;
	else if (strncasecmp(s, "http://", 7) == 0)
		p = s + 7;
	else
		return 0;
	if (*p == '\0' || *p == '/')
		return 0;
	for (; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7F)
			return 0;
	return 1;
}

/* Groups: an open-addressing table of byte strings. */

static int
groups_grow(struct groups *g)
{
	size_t ns = g->nslot ? g->nslot * 2 : 64, i, k;
	size_t *slot;

	if ((slot = calloc(ns, sizeof(*slot))) == NULL)
		return TALLY_ENOMEM;
	for (i = 0; i < g->n; i++) {
		k = tally_hash(g->v[i].key, g->v[i].len) & (ns - 1);
		while (slot[k] != 0)
			k = (k + 1) & (ns - 1);
		slot[k] = i + 1;
	}
	free(g->slot);
	g->slot = slot;
	g->nslot = ns;
	return TALLY_OK;
}

static int
groups_get(struct groups *g, const char *key, size_t len, size_t *id)
{
	struct group *v, *e;
	size_t k;

	/* Tests in order share their suite, class and file with the last. */
	if (g->last > 0 && (e = &g->v[g->last - 1])->len == len &&
	    memcmp(e->key, key, len) == 0) {
		*id = g->last - 1;
		return TALLY_OK;
	}
	if ((g->n + 1) * 2 > g->nslot && groups_grow(g) != TALLY_OK)
		return TALLY_ENOMEM;
	k = tally_hash(key, len) & (g->nslot - 1);
	while (g->slot[k] != 0) {
		e = &g->v[g->slot[k] - 1];
		if (e->len == len && memcmp(e->key, key, len) == 0) {
			*id = g->slot[k] - 1;
			g->last = g->slot[k];
			return TALLY_OK;
		}
		k = (k + 1) & (g->nslot - 1);
	}
	if (g->n == g->cap) {
		size_t nc = g->cap ? g->cap * 2 : 16;

		if ((v = realloc(g->v, nc * sizeof(*v))) == NULL)
			return TALLY_ENOMEM;
		g->v = v;
		g->cap = nc;
	}
	e = &g->v[g->n];
	memset(e, 0, sizeof(*e));
	if ((e->key = malloc(len + 1)) == NULL)
		return TALLY_ENOMEM;
	memcpy(e->key, key, len);
	e->key[len] = '\0';
	e->len = len;
	g->slot[k] = g->n + 1;
	g->last = g->n + 1;
	*id = g->n++;
	return TALLY_OK;
}

static void
groups_free(struct groups *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		free(g->v[i].key);
	free(g->v);
	free(g->slot);
}

static void
group_count(struct group *e, const struct tally_test *t)
{
	e->n++;
	e->status[t->status < TALLY_NSTATUS ? t->status : TALLY_OTHER]++;
	e->flaky += t->flaky != 0;
	if (isfinite(t->duration) && t->duration > 0)
		e->duration += t->duration;
}

static int
hist_bucket(double ms)
{
	static const double edge[] = { 1, 10, 100, 1000, 10000, 60000 };
	int i;

	if (!isfinite(ms) || ms < 0)
		return 7;
	for (i = 0; i < 6; i++)
		if (ms < edge[i])
			return i;
	return 6;
}

static void
model_free(struct model *m)
{
	size_t i;

	groups_free(&m->cats);
	groups_free(&m->suites);
	groups_free(&m->labels);
	for (i = 0; i < m->lsets.n; i++)
		free(m->lsetlab[i]);
	groups_free(&m->lsets);
	groups_free(&m->strs);
	free(m->lsetlab);
	free(m->nlsetlab);
	tally_buf_free(&m->k);
}

/*
 * The ids of test r's category, suite, label set, source and file, made
 * when new; with count, r also counts in its groups and the totals.
 */
static int
model_test(struct model *m, const struct tally_record *r, struct ids *x,
    int count)
{
	struct tally_buf *k = &m->k;
	const struct tally_test *t = &r->u.test;
	size_t j, id, lid;
	char *p;
	int rc = TALLY_OK, b;

	if (count) {
		if (t->status == TALLY_FAILED || t->status == TALLY_OTHER)
			m->nproblem++;
		m->nflaky += t->flaky != 0;
		m->nskipped += t->status == TALLY_SKIPPED ||
		    t->status == TALLY_PENDING;
		b = hist_bucket(t->duration);
		m->hist[b]++;
		m->histfail[b] += t->status == TALLY_FAILED ||
		    t->status == TALLY_OTHER;
	}
	rc = groups_get(&m->cats, t->category ? t->category : "",
	    t->category ? strlen(t->category) : 0, &x->cat);
	if (rc != TALLY_OK)
		return rc;
	if (count)
		group_count(&m->cats.v[x->cat], t);
	x->src = x->file = x->cls = SIZE_MAX;
	if (t->classname != NULL && *t->classname != '\0' &&
	    (rc = groups_get(&m->strs, t->classname,
	    strlen(t->classname), &x->cls)) != TALLY_OK)
		return rc;
	if (r->source != NULL && (rc = groups_get(&m->strs, r->source,
	    strlen(r->source), &x->src)) != TALLY_OK)
		return rc;
	if (t->file_path != NULL && *t->file_path != '\0' &&
	    (rc = groups_get(&m->strs, t->file_path,
	    strlen(t->file_path), &x->file)) != TALLY_OK)
		return rc;

	tally_buf_reset(k);
	for (j = 0; j < t->nsuite; j++) {
		if (j > 0)
			rc |= tally_buf_adds(k, "\x1f");
		rc |= tally_buf_adds(k, t->suite[j] ? t->suite[j] : "");
	}
	if (rc != TALLY_OK || (rc = groups_get(&m->suites,
	    k->data ? k->data : "", k->len, &x->suite)) != TALLY_OK)
		return TALLY_ENOMEM;
	if (count)
		group_count(&m->suites.v[x->suite], t);

	/* Label ids, then the label set as the list of its ids. */
	tally_buf_reset(k);
	for (j = 0; j < r->nlabels && rc == TALLY_OK; j++) {
		struct tally_buf l;
		const char *lk = r->labels[j].key ? r->labels[j].key : "";
		const char *lv = r->labels[j].value ?
		    r->labels[j].value : "";

		tally_buf_init(&l);
		rc = tally_buf_adds(&l, lk);
		rc |= tally_buf_addc(&l, '\0');
		rc |= tally_buf_adds(&l, lv);
		if (rc == TALLY_OK)
			rc = groups_get(&m->labels, l.data, l.len, &lid);
		if (rc == TALLY_OK) {
			m->labels.v[lid].split = strlen(lk) + 1;
			if (count)
				group_count(&m->labels.v[lid], t);
			rc = tally_buf_printf(k, "%zu,", lid);
		}
		tally_buf_free(&l);
	}
	if (rc != TALLY_OK)
		return TALLY_ENOMEM;
	if (r->nlabels == 0) {
		x->lset = SIZE_MAX;
		return TALLY_OK;
	}
	id = m->lsets.n;
	if ((rc = groups_get(&m->lsets, k->data, k->len, &x->lset)) !=
	    TALLY_OK)
		return rc;
	if (x->lset == id) {		/* a new set */
		size_t *ids, *nl;
		size_t **ll;

		ll = realloc(m->lsetlab, (id + 1) * sizeof(*ll));
		if (ll == NULL)
			return TALLY_ENOMEM;
		m->lsetlab = ll;
		m->lsetlab[id] = NULL;
		nl = realloc(m->nlsetlab, (id + 1) * sizeof(*nl));
		if (nl == NULL)
			return TALLY_ENOMEM;
		m->nlsetlab = nl;
		m->nlsetlab[id] = 0;
		if ((ids = calloc(r->nlabels, sizeof(*ids))) == NULL)
			return TALLY_ENOMEM;
		m->lsetlab[id] = ids;
		/* The ids are in k as "a,b,"; read them back. */
		p = k->data;
		for (j = 0; j < r->nlabels; j++) {
			ids[j] = (size_t)strtoull(p, &p, 10);
			p++;
		}
		m->nlsetlab[id] = r->nlabels;
	}
	return TALLY_OK;
}

/* The ids of a test the model has seen (nothing new is made). */
static const struct ids *
ids_of(const struct model *m, const struct tally_record *r, struct ids *x)
{
	if (model_test((struct model *)m, r, x, 0) != TALLY_OK)
		memset(x, 0, sizeof(*x));
	return x;
}

/* The next test of the report: 1, 0 at the end, or a status. */
static int
next_test(const struct model *m, size_t *pos, const struct tally_record **r)
{
	return tally_report_next_test(m->rep, pos, r, m->err);
}

/* One pass over the tests: their groups, counts and ids. */
static int
model_build(struct model *m, const struct tally_report *rep,
    struct tally_error *err)
{
	const struct tally_record *r;
	struct ids x;
	size_t pos = 0;
	int rc = TALLY_OK, more;

	memset(m, 0, sizeof(*m));
	m->rep = rep;
	m->err = err;
	tally_buf_init(&m->k);
	while (rc == TALLY_OK && (more = next_test(m, &pos, &r)) == 1)
		rc = model_test(m, r, &x, 1);
	if (rc == TALLY_OK && more < 0)
		return more;
	return rc == TALLY_OK ? TALLY_OK : TALLY_ENOMEM;
}

static const char *
status_name(enum tally_status st)
{
	const char *s = tally_status_name(st);

	return s ? s : "other";
}

static int
is_problem(const struct tally_test *t)
{
	return t->status == TALLY_FAILED || t->status == TALLY_OTHER;
}

/* A suite key ("a\x1fb") as "a › b". */
static void
esc_suite(struct w *w, const struct group *g)
{
	const char *p = g->key, *e = g->key + g->len, *q;

	while (p <= e) {
		for (q = p; q < e && *q != '\x1f'; q++)
			;
		escn(w, p, (size_t)(q - p));
		if (q >= e)
			break;
		put(w, " \xe2\x80\xba ");
		p = q + 1;
	}
}

static void
pre_block(struct w *w, const char *summary, const char *cls,
    const char *text, int open)
{
	size_t lines = 1;
	const char *p;

	if (text == NULL || *text == '\0')
		return;
	for (p = text; *p != '\0'; p++)
		lines += *p == '\n' && p[1] != '\0';
	putf(w, "<details class=\"out\"%s><summary>%s <span class=\"dim\">"
	    "(%zu line%s)</span></summary><pre class=\"%s\">", open ?
	    " open" : "", summary, lines, lines == 1 ? "" : "s", cls);
	esc_ansi(w, text);
	put(w, "</pre></details>\n");
}

static void
message_block(struct w *w, const char *type, const char *msg)
{
	if ((msg == NULL || *msg == '\0') && (type == NULL || *type == '\0'))
		return;
	put(w, "<pre class=\"msg\">");
	if (type != NULL && *type != '\0') {
		put(w, "<span class=\"etype\">");
		esc(w, type);
		put(w, "</span>");
		if (msg != NULL && *msg != '\0')
			put(w, ": ");
	}
	esc_ansi(w, msg);
	put(w, "</pre>\n");
}

static void
labels_inline(struct w *w, const struct tally_record *r)
{
	size_t j;

	for (j = 0; j < r->nlabels; j++) {
		put(w, " <span class=\"tag lab\">");
		esc(w, r->labels[j].key);
		put(w, "=");
		esc(w, r->labels[j].value);
		put(w, "</span>");
	}
}

/*
 * The test's file and line (tally_test_where()), a link to that line in
 * the CI's commit when the CI says where (tally_source_url()).
 */
static void
file_link(struct w *w, const struct tally_record *r)
{
	struct tally_buf file, url;
	long line;
	int link;

	tally_buf_init(&file);
	tally_buf_init(&url);
	if (tally_test_where(&file, &line, r, w->opts) != TALLY_OK ||
	    (link = tally_source_url(&url, file.data, line)) < 0)
		w->rc = TALLY_ENOMEM;
	else if (file.len > 0) {
		if (link) {
			put(w, "<a rel=\"noopener noreferrer nofollow\" href=\"");
			esc(w, url.data);
			put(w, "\">");
		}
		put(w, "<code class=\"file\">");
		esc(w, file.data);
		if (line > 0)
			putf(w, ":%ld", line);
		put(w, "</code>");
		put(w, link ? "</a> " : " ");
	}
	tally_buf_free(&file);
	tally_buf_free(&url);
}

static void
where_line(struct w *w, const struct model *m, const struct tally_record *r)
{
	const struct tally_test *t = &r->u.test;
	struct ids x;
	const struct group *s = &m->suites.v[ids_of(m, r, &x)->suite];
	char d[32];

	put(w, "<p class=\"where\">");
	if (s->len > 0) {
		put(w, "<span class=\"suite\">");
		esc_suite(w, s);
		put(w, "</span> ");
	}
	if (t->classname != NULL && *t->classname != '\0') {
		put(w, "<span class=\"cls\">");
		esc(w, t->classname);
		put(w, "</span> ");
	}
	file_link(w, r);
	putf(w, "<span class=\"dur\">%s</span>",
	    fmt_ms(t->duration, d, sizeof(d)));
	if (t->category != NULL && *t->category != '\0') {
		put(w, " <span class=\"tag cat\">");
		esc(w, t->category);
		put(w, "</span>");
	}
	labels_inline(w, r);
	put(w, "</p>\n");
}

/* One test in full: a failure, with its output and every attempt. */
/* --history: a failure's mark against the earlier runs. */
static void
mark_tag(struct w *w, const struct model *m, const struct tally_record *r)
{
	static const char *const cls[] = { "", "new", "flaky", "failing" };
	char note[256];
	enum tally_mark k;

	if ((k = tally_marks_note(m->marks, r, note, sizeof(note))) ==
	    TALLY_MARK_NONE)
		return;
	putf(w, " <span class=\"tag %s\">", cls[k]);
	esc(w, note);
	put(w, "</span>");
}

static void
test_article(struct w *w, const struct model *m, const struct tally_record *r,
    size_t nth)
{
	const struct tally_test *t = &r->u.test;
	const struct tally_attempt *a;
	char d[32];
	size_t j;

	putf(w, "<article class=\"test\" id=\"f%zu\">\n<h3>"
	    "<span class=\"st st-%s\">%s</span> <span class=\"name\">",
	    nth, status_name(t->status), status_name(t->status));
	esc(w, t->name != NULL && *t->name != '\0' ? t->name : "(unnamed)");
	put(w, "</span>");
	if (t->raw_status != NULL && strcmp(t->raw_status,
	    status_name(t->status)) != 0) {
		put(w, " <span class=\"tag raw\">");
		esc(w, t->raw_status);
		put(w, "</span>");
	}
	if (t->flaky)
		put(w, " <span class=\"tag flaky\">flaky</span>");
	if (t->retries > 0)
		putf(w, " <span class=\"tag\">%ld retr%s</span>", t->retries,
		    t->retries == 1 ? "y" : "ies");
	mark_tag(w, m, r);
	put(w, "</h3>\n");
	where_line(w, m, r);
	message_block(w, t->type, t->message);
	pre_block(w, "Stack trace", "trace", t->trace, 0);
	pre_block(w, "stdout", "log", t->stdout_text, 0);
	pre_block(w, "stderr", "log", t->stderr_text, 0);
	if (t->nattempts > 0) {
		putf(w, "<details class=\"attempts\"><summary>Earlier attempts "
		    "<span class=\"dim\">(%zu)</span></summary><ol>\n",
		    t->nattempts);
		for (j = 0; j < t->nattempts; j++) {
			a = &t->attempts[j];
			putf(w, "<li><span class=\"st st-%s\">%s</span> "
			    "<span class=\"dur\">%s</span>\n",
			    status_name(a->status), status_name(a->status),
			    fmt_ms(a->duration, d, sizeof(d)));
			message_block(w, a->type, a->message);
			pre_block(w, "Stack trace", "trace", a->trace, 0);
			pre_block(w, "stdout", "log", a->stdout_text, 0);
			pre_block(w, "stderr", "log", a->stderr_text, 0);
			put(w, "</li>\n");
		}
		put(w, "</ol></details>\n");
	}
	put(w, "</article>\n");
}

static int
failed_verdict(const struct tally_report *rep)
{
	const struct tally_totals *t = &rep->totals;

	if (rep->ngates > 0)
		return rep->verdict_failed != 0;
	return rep->verdict_failed || t->status[TALLY_FAILED] > 0 ||
	    t->status[TALLY_OTHER] > 0 || t->errors > 0 || rep->nerrors > 0;
}

static void
b64(const unsigned char *d, size_t n, char *out)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;
	unsigned v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned)d[i] << 16 | (unsigned)d[i + 1] << 8 | d[i + 2];
		*out++ = tab[v >> 18];
		*out++ = tab[(v >> 12) & 63];
		*out++ = tab[(v >> 6) & 63];
		*out++ = tab[v & 63];
	}
	if (i < n) {
		v = (unsigned)d[i] << 16 | (i + 1 < n ? (unsigned)d[i + 1] << 8 : 0);
		*out++ = tab[v >> 18];
		*out++ = tab[(v >> 12) & 63];
		*out++ = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		*out++ = '=';
	}
	*out = '\0';
}

static void
csp_hash(const char *s, char out[64])
{
	unsigned char d[TALLY_SHA256_LEN];

	tally_sha256(s, strlen(s), d);
	b64(d, sizeof(d), out);
}

static void
head(struct w *w, const struct tally_report *rep, const char *title,
    const char *prefix)
{
	char hs[64], hc[64];
	int bad = failed_verdict(rep);

	put(w, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n<meta name=\"color-scheme\" "
	    "content=\"light dark\">\n<meta name=\"referrer\" "
	    "content=\"no-referrer\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\""
	    "default-src 'none'; ");
	if (prefix == NULL) {
		csp_hash(tally_html_js, hs);
		csp_hash(tally_html_css, hc);
		putf(w, "script-src 'sha256-%s'; style-src 'sha256-%s'; "
		    "img-src data:; ", hs, hc);
	} else
		put(w, "script-src 'self'; style-src 'self'; "
		    "img-src 'self' data:; ");
	put(w, "base-uri 'none'; form-action 'none'\">\n<title>");
	put(w, bad ? "\xe2\x9c\x97 Failed" : "\xe2\x9c\x93 Passed");
	put(w, " \xc2\xb7 ");
	esc(w, title);
	put(w, "</title>\n");
	if (prefix == NULL) {
		put(w, "<style>");
		put(w, tally_html_css);
		put(w, "</style>\n");
	} else {
		put(w, "<link rel=\"stylesheet\" href=\"");
		esc(w, prefix);
		put(w, "report.css\">\n<script defer src=\"");
		esc(w, prefix);
		put(w, "report.js\"></script>\n");
	}
	put(w, "</head>\n");
}

static void
status_bar(struct w *w, const struct tally_totals *t)
{
	static const enum tally_status order[] = { TALLY_FAILED, TALLY_OTHER,
	    TALLY_PASSED, TALLY_SKIPPED, TALLY_PENDING };
	double x = 0, wd;
	size_t i, n = 0;

	for (i = 0; i < TALLY_NSTATUS; i++)
		n += t->status[i];
	put(w, "<svg class=\"bar\" viewBox=\"0 0 1000 16\" "
	    "preserveAspectRatio=\"none\" role=\"img\" aria-label=\"");
	for (i = 0; i < 5; i++)
		putf(w, "%s%zu %s", i ? ", " : "", t->status[order[i]],
		    status_name(order[i]));
	put(w, "\">");
	if (n == 0)
		put(w, "<rect class=\"f-none\" width=\"1000\" height=\"16\"/>");
	for (i = 0; i < 5 && n > 0; i++) {
		if (t->status[order[i]] == 0)
			continue;
		wd = 1000.0 * (double)t->status[order[i]] / (double)n;
		putf(w, "<rect class=\"f-%s\" x=\"%.2f\" width=\"%.2f\" "
		    "height=\"16\"><title>%zu %s</title></rect>",
		    status_name(order[i]), x, wd, t->status[order[i]],
		    status_name(order[i]));
		x += wd;
	}
	put(w, "</svg>\n");
}

static void
header(struct w *w, const struct tally_report *rep, const char *title)
{
	const struct tally_totals *t = &rep->totals;
	int bad = failed_verdict(rep);
	size_t i, nbad = t->status[TALLY_FAILED] + t->status[TALLY_OTHER];
	char d[32], n1[32], n2[32];

	putf(w, "<header class=\"top %s\">\n<div class=\"wrap\">\n"
	    "<p class=\"verdict\"><span class=\"badge\">%s</span></p>\n"
	    "<h1>", bad ? "failed" : "passed",
	    bad ? "\xe2\x9c\x97 Failed" : "\xe2\x9c\x93 Passed");
	esc(w, title);
	put(w, "</h1>\n<p class=\"lead\">");
	if (tally_history_only(rep)) {
		/* Totals from the history, not from zero test records. */
		struct tally_buf b;

		tally_buf_init(&b);
		wcheck(w, tally_history_summary(&b, rep->history));
		put(w, "<strong>");
		esc(w, b.data != NULL ? b.data : "");
		put(w, "</strong>");
		tally_buf_free(&b);
	} else if (nbad > 0)
		putf(w, "<strong>%s of %s test%s failed</strong>",
		    num(nbad, n1), num(t->tests, n2), t->tests == 1 ? "" : "s");
	else
		putf(w, "<strong>%s test%s, none failed</strong>",
		    num(t->tests, n1), t->tests == 1 ? "" : "s");
	if (!tally_history_only(rep))
		putf(w, " \xc2\xb7 pass rate %.1f%% \xc2\xb7 %s",
		    t->pass_rate, fmt_ms(t->duration, d, sizeof(d)));
	if (t->flaky > 0)
		putf(w, " \xc2\xb7 %s flaky", num(t->flaky, n1));
	put(w, "</p>\n");
	if (rep->ngates > 0) {
		put(w, "<ul class=\"gates\" aria-label=\"Gates\">\n");
		for (i = 0; i < rep->ngates; i++) {
			putf(w, "<li class=\"%s\"><span class=\"mark\" "
			    "aria-hidden=\"true\">%s</span> <span class=\"sr\">"
			    "%s</span><span class=\"gname\">",
			    rep->gates[i].failed ? "bad" : "good",
			    rep->gates[i].failed ? "\xe2\x9c\x97" : "\xe2\x9c\x93",
			    rep->gates[i].failed ? "gate failed: " : "gate passed: ");
			esc(w, rep->gates[i].name);
			put(w, "</span>");
			if (rep->gates[i].detail[0] != '\0') {
				put(w, ": ");
				escn(w, rep->gates[i].detail,
				    strnlen(rep->gates[i].detail,
				    sizeof(rep->gates[i].detail)));
			}
			put(w, "</li>\n");
		}
		put(w, "</ul>\n");
	}
	if (rep->nmeta > 0) {
		put(w, "<dl class=\"meta\">\n");
		for (i = 0; i < rep->nmeta; i++) {
			const char *k = rep->meta[i].key, *v = rep->meta[i].value;

			put(w, "<div><dt>");
			esc(w, k);
			put(w, "</dt><dd>");
			if (is_http_url(v)) {
				put(w, "<a rel=\"noopener noreferrer nofollow\" "
				    "href=\"");
				esc(w, v);
				put(w, "\">");
				esc(w, v);
				put(w, "</a>");
			} else if (k != NULL && (strcasecmp(k, "commit") == 0 ||
			    strcasecmp(k, "sha") == 0) && v != NULL) {
				put(w, "<code title=\"");
				esc(w, v);
				put(w, "\">");
				escn(w, v, strnlen(v, 12));
				put(w, "</code>");
			} else
				esc(w, v);
			put(w, "</dd></div>\n");
		}
		put(w, "</dl>\n");
	}
	if (!tally_history_only(rep))
		status_bar(w, t);
	put(w, "</div>\n</header>\n");
}

static void
card(struct w *w, const char *cls, const char *href, const char *label,
    const char *value)
{
	putf(w, "<li class=\"card %s\">", cls);
	if (href != NULL)
		putf(w, "<a href=\"%s\">", href);
	putf(w, "<span class=\"num\">%s</span> <span class=\"lbl\">%s</span>",
	    value, label);
	if (href != NULL)
		put(w, "</a>");
	put(w, "</li>\n");
}

static void
totals(struct w *w, const struct tally_report *rep)
{
	const struct tally_totals *t = &rep->totals;
	char v[32];

	put(w, "<section id=\"totals\" aria-label=\"Totals\">\n"
	    "<ul class=\"cards\">\n");
#define NUM(x) num((size_t)(x), v)
	card(w, "c-tests", "#status=", "tests", NUM(t->tests));
	card(w, "c-passed", "#status=passed", "passed",
	    NUM(t->status[TALLY_PASSED]));
	card(w, "c-failed", "#status=failed", "failed",
	    NUM(t->status[TALLY_FAILED]));
	if (t->status[TALLY_OTHER] > 0)
		card(w, "c-other", "#status=other", "other",
		    NUM(t->status[TALLY_OTHER]));
	card(w, "c-skipped", "#status=skipped", "skipped",
	    NUM(t->status[TALLY_SKIPPED]));
	if (t->status[TALLY_PENDING] > 0)
		card(w, "c-pending", "#status=pending", "pending",
		    NUM(t->status[TALLY_PENDING]));
	card(w, "c-flaky", "#status=flaky", "flaky", NUM(t->flaky));
	if (t->retried > 0)
		card(w, "c-retried", "#status=retried", "retried",
		    NUM(t->retried));
	if (t->errors > 0 || rep->nerrors > 0)
		card(w, "c-errors", "#input-errors", "input errors",
		    NUM(t->errors > rep->nerrors ? t->errors : rep->nerrors));
#undef NUM
	snprintf(v, sizeof(v), "%.1f%%", t->pass_rate);
	card(w, "c-rate", NULL, "pass rate", v);
	card(w, "c-dur", NULL, "total test time",
	    fmt_ms(t->duration, v, sizeof(v)));
	put(w, "</ul>\n</section>\n");
}

static void
failures(struct w *w, const struct model *m)
{
	const struct tally_record *r;
	size_t pos = 0, nth = 0;
	char nb[32];
	int more = 0;

	putf(w, "<section id=\"failures\">\n<h2>Failures <span class=\"count\">"
	    "%s</span></h2>\n", num(m->nproblem, nb));
	if (m->nproblem == 0) {
		put(w, "<p class=\"none\">No test failed.</p>\n</section>\n");
		return;
	}
	while (nth < FAIL_CAP && (more = next_test(m, &pos, &r)) == 1)
		if (is_problem(&r->u.test))
			test_article(w, m, r, ++nth);
	wcheck(w, more < 0 ? more : TALLY_OK);
	if (m->nproblem > nth)
		putf(w, "<p class=\"more\">%s more failures are in the "
		    "<a href=\"#status=failed\">table of all tests</a>.</p>\n",
		    num(m->nproblem - nth, nb));
	put(w, "</section>\n");
}

/*
 * Failures grouped by error signature or triage category
 * (tally_triage_build()), largest first: each a <details> with its
 * example, where it is, its message and its other tests.
 */
#define CAUSES		20	/* groups shown */
#define CAUSE_TESTS	20	/* tests listed per group */
#define CAUSES_KEPT	1000	/* groups counted apart */

static void
causes(struct w *w, const struct tally_report *rep)
{
	struct tally_triage tr;
	size_t i, j, rest = 0;
	char nb[32], nb2[32];

	if (w->rc != TALLY_OK)
		return;
	if ((w->rc = tally_triage_build(&tr, rep, w->opts, CAUSES_KEPT,
	    CAUSE_TESTS, w->err)) != TALLY_OK) {
		w->said = w->rc == TALLY_ELIMIT;
		return;
	}
	if (tr.failures < 2) {
		tally_triage_free(&tr);
		return;
	}
	putf(w, "<section id=\"causes\">\n<h2>Failures by cause</h2>\n"
	    "<p>%s failures in %s%s group%s.</p>\n", num(tr.failures, nb),
	    tr.ungrouped > 0 ? "over " : "", num(tr.n, nb2),
	    tr.n == 1 ? "" : "s");
	for (i = 0; i < tr.n; i++) {
		const struct tally_tgroup *g = &tr.v[i];

		if (i >= CAUSES) {
			rest += g->count;
			continue;
		}
		if (g->name != NULL) {
			put(w, "<details><summary><strong class=\"category\">");
			esc(w, g->name);
			putf(w, "</strong>: <span class=\"count\">%s</span> "
			    "failure%s", num(g->count, nb),
			    g->count == 1 ? "" : "s");
		} else {
			putf(w, "<details><summary><span class=\"count\">%s"
			    "</span> \xc3\x97 <code>", num(g->count, nb));
			esc(w, g->signature);
			put(w, "</code>");
		}
		put(w, "</summary>\n<p>Example: <span class=\"name\">");
		esc(w, g->example);
		put(w, "</span>");
		if (g->where != NULL) {
			put(w, " <code class=\"file\">");
			esc(w, g->where);
			put(w, "</code>");
		}
		put(w, "</p>\n");
		if (g->message != NULL) {
			put(w, "<pre>");
			esc(w, g->message);
			put(w, "</pre>\n");
		}
		if (g->ntests > 0) {
			put(w, "<ul class=\"tests\">\n");
			for (j = 0; j < g->ntests; j++) {
				put(w, "<li>");
				esc(w, g->tests[j]);
				put(w, "</li>\n");
			}
			put(w, "</ul>\n");
		}
		if (g->count > g->ntests + 1)
			putf(w, "<p class=\"more\">%s more.</p>\n",
			    num(g->count - g->ntests - 1, nb));
		put(w, "</details>\n");
	}
	if (rest > 0)
		putf(w, "<p class=\"more\">%s more groups (%s failures).</p>\n",
		    num(tr.n - CAUSES, nb), num(rest, nb2));
	put(w, "</section>\n");
	tally_triage_free(&tr);
}

/* A short list of tests: flaky ones, skipped ones with their reason. */
static void
short_list(struct w *w, const struct model *m, const char *id,
    const char *title, int (*want)(const struct tally_test *), size_t n,
    int reason)
{
	const struct tally_record *r;
	const struct tally_test *t;
	size_t pos = 0, shown = 0;
	struct ids x;
	char nb[32];
	int more = 0;

	if (n == 0)
		return;
	putf(w, "<section id=\"%s\">\n<h2>%s <span class=\"count\">%s</span>"
	    "</h2>\n<ul class=\"tests\">\n", id, title, num(n, nb));
	while (shown < LIST_CAP && (more = next_test(m, &pos, &r)) == 1) {
		t = &r->u.test;
		if (!want(t))
			continue;
		shown++;
		put(w, "<li><span class=\"name\">");
		esc(w, t->name);
		put(w, "</span>");
		if (m->suites.v[ids_of(m, r, &x)->suite].len > 0) {
			put(w, " <span class=\"suite\">");
			esc_suite(w, &m->suites.v[x.suite]);
			put(w, "</span>");
		}
		labels_inline(w, r);
		if (!reason && (t->nattempts > 0 || t->retries > 0))
			putf(w, " <span class=\"dim\">%ld attempts</span>",
			    (t->retries > (long)t->nattempts ? t->retries :
			    (long)t->nattempts) + 1);
		if (reason && t->message != NULL && *t->message != '\0') {
			put(w, " <span class=\"reason\">");
			esc(w, t->message);
			put(w, "</span>");
		}
		put(w, "</li>\n");
	}
	wcheck(w, more < 0 ? more : TALLY_OK);
	put(w, "</ul>\n");
	if (n > shown)
		putf(w, "<p class=\"more\">%s more are in the table of all "
		    "tests.</p>\n", num(n - shown, nb));
	put(w, "</section>\n");
}

static int
want_flaky(const struct tally_test *t)
{
	return t->flaky != 0;
}

static int
want_skipped(const struct tally_test *t)
{
	return t->status == TALLY_SKIPPED || t->status == TALLY_PENDING;
}

static void
input_errors(struct w *w, const struct tally_report *rep)
{
	const struct tally_record *r;
	size_t i;

	if (rep->nerrors == 0)
		return;
	putf(w, "<section id=\"input-errors\">\n<h2>Unreadable input "
	    "<span class=\"count\">%zu</span></h2>\n<ul class=\"errors\">\n",
	    rep->nerrors);
	for (i = 0; i < rep->nerrors && i < LIST_CAP; i++) {
		r = rep->errors[i];
		put(w, "<li><code>");
		esc(w, r->source ? r->source : "-");
		if (r->u.error.line > 0)
			putf(w, ":%ld", r->u.error.line);
		if (r->u.error.column > 0)
			putf(w, ":%ld", r->u.error.column);
		put(w, "</code> ");
		esc(w, r->u.error.message);
		put(w, "</li>\n");
	}
	put(w, "</ul>\n</section>\n");
}

static double
group_rate(const struct group *g)
{
	size_t ran = g->n - g->status[TALLY_SKIPPED] - g->status[TALLY_PENDING];

	return ran == 0 ? 100.0 : 100.0 * (double)g->status[TALLY_PASSED] /
	    (double)ran;
}

/* Natural order: digit runs compare as numbers, so 3.9 < 3.10. */
static int
natcmp(const char *a, const char *b)
{
	while (*a != '\0' && *b != '\0') {
		if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
			const char *x = a, *y = b;
			size_t lx, ly;
			int c;

			while (*x == '0' && x[1] >= '0' && x[1] <= '9')
				x++;
			while (*y == '0' && y[1] >= '0' && y[1] <= '9')
				y++;
			for (a = x; *a >= '0' && *a <= '9'; a++)
				;
			for (b = y; *b >= '0' && *b <= '9'; b++)
				;
			lx = (size_t)(a - x);
			ly = (size_t)(b - y);
			if (lx != ly)
				return lx < ly ? -1 : 1;
			if ((c = memcmp(x, y, lx)) != 0)
				return c;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return *a ? 1 : *b ? -1 : 0;
}

/* Most failures first, then most tests, then by name. */
static int
cmp_busy(const void *x, const void *y, void *arg)
{
	const struct groups *g = arg;
	const struct group *a = &g->v[*(const size_t *)x];
	const struct group *b = &g->v[*(const size_t *)y];
	size_t fa = a->status[TALLY_FAILED] + a->status[TALLY_OTHER];
	size_t fb = b->status[TALLY_FAILED] + b->status[TALLY_OTHER];

	if (fa != fb)
		return fa > fb ? -1 : 1;
	if (a->n != b->n)
		return a->n > b->n ? -1 : 1;
	return natcmp(a->key, b->key);
}

/* Labels: by key, then value in natural order. */
static int
cmp_label(const void *x, const void *y, void *arg)
{
	const struct groups *g = arg;
	const struct group *a = &g->v[*(const size_t *)x];
	const struct group *b = &g->v[*(const size_t *)y];
	int c = strcmp(a->key, b->key);

	return c ? c : natcmp(a->key + a->split, b->key + b->split);
}

static size_t *
sorted_ids(const struct groups *g,
    int (*cmp)(const void *, const void *, void *))
{
	size_t *ids, i;

	if ((ids = malloc((g->n ? g->n : 1) * sizeof(*ids))) == NULL)
		return NULL;
	for (i = 0; i < g->n; i++)
		ids[i] = i;
	qsort_r(ids, g->n, sizeof(*ids), cmp, (void *)g);
	return ids;
}

static void
mini_bar(struct w *w, const struct group *g)
{
	static const enum tally_status order[] = { TALLY_FAILED, TALLY_OTHER,
	    TALLY_PASSED, TALLY_SKIPPED, TALLY_PENDING };
	double x = 0, wd;
	size_t i;

	put(w, "<svg class=\"mini\" viewBox=\"0 0 100 8\" "
	    "preserveAspectRatio=\"none\" aria-hidden=\"true\">");
	for (i = 0; i < 5 && g->n > 0; i++) {
		if (g->status[order[i]] == 0)
			continue;
		wd = 100.0 * (double)g->status[order[i]] / (double)g->n;
		putf(w, "<rect class=\"f-%s\" x=\"%.2f\" width=\"%.2f\" "
		    "height=\"8\"/>", status_name(order[i]), x, wd);
		x += wd;
	}
	put(w, "</svg>");
}

static void
group_cells(struct w *w, const struct group *g)
{
	char d[32], a[32], b[32], c[32], e[32], f[32];

	putf(w, "<td class=\"n\">%s</td><td class=\"n\">%s</td>"
	    "<td class=\"n%s\">%s</td><td class=\"n\">%s</td>"
	    "<td class=\"n\">%s</td><td class=\"n\">%.1f%%</td>"
	    "<td class=\"n\">%s</td><td class=\"barcell\">", num(g->n, a),
	    num(g->status[TALLY_PASSED], b), g->status[TALLY_FAILED] +
	    g->status[TALLY_OTHER] ? " bad" : "", num(g->status[TALLY_FAILED] +
	    g->status[TALLY_OTHER], c), num(g->status[TALLY_SKIPPED] +
	    g->status[TALLY_PENDING], e), num(g->flaky, f), group_rate(g),
	    fmt_ms(g->duration, d, sizeof(d)));
	mini_bar(w, g);
	put(w, "</td>");
}

static const char group_head[] =
    "<th scope=\"col\" class=\"n\">tests</th><th scope=\"col\" class=\"n\">"
    "passed</th><th scope=\"col\" class=\"n\">failed</th>"
    "<th scope=\"col\" class=\"n\">skipped</th><th scope=\"col\" "
    "class=\"n\">flaky</th><th scope=\"col\" class=\"n\">pass rate</th>"
    "<th scope=\"col\" class=\"n\">time</th><th scope=\"col\">"
    "<span class=\"sr\">status bar</span></th></tr></thead>\n<tbody>\n";

/* Categories: a chart and a table. */
static int
by_category(struct w *w, const struct model *m)
{
	const struct group *g;
	size_t *ids, i, n, max = 1, j;
	double x, wd;
	char nb[32];

	if (m->cats.n == 0 || (m->cats.n == 1 && m->cats.v[0].len == 0))
		return TALLY_OK;
	if ((ids = sorted_ids(&m->cats, cmp_busy)) == NULL)
		return TALLY_ENOMEM;
	put(w, "<section id=\"by-category\">\n<h2>By category</h2>\n"
	    "<div class=\"split\">\n");
	n = m->cats.n < CAT_CHART_CAP ? m->cats.n : CAT_CHART_CAP;
	for (i = 0; i < n; i++)
		if (m->cats.v[ids[i]].n > max)
			max = m->cats.v[ids[i]].n;
	putf(w, "<svg class=\"chart\" viewBox=\"0 0 480 %zu\" role=\"img\" "
	    "aria-label=\"Tests per category by status\">\n", n * 24 + 4);
	for (i = 0; i < n; i++) {
		static const enum tally_status order[] = { TALLY_FAILED,
		    TALLY_OTHER, TALLY_PASSED, TALLY_SKIPPED, TALLY_PENDING };

		g = &m->cats.v[ids[i]];
		putf(w, "<g><title>");
		esc(w, g->len ? g->key : "uncategorized");
		putf(w, ": %zu test%s, %zu failed</title><text class=\"lbl\" "
		    "x=\"116\" y=\"%zu\" text-anchor=\"end\">", g->n,
		    g->n == 1 ? "" : "s",
		    g->status[TALLY_FAILED] + g->status[TALLY_OTHER],
		    i * 24 + 17);
		{
			/* At most 18 characters, cut on a UTF-8 boundary. */
			const char *k = g->len ? g->key : "uncategorized";
			size_t len = strlen(k), cut = 0, chars = 0;

			while (cut < len && chars < 18) {
				cut++;
				while (cut < len && ((unsigned char)k[cut] &
				    0xC0) == 0x80)
					cut++;
				chars++;
			}
			escn(w, k, cut);
			if (cut < len)
				put(w, "\xe2\x80\xa6");
		}
		put(w, "</text>");
		x = 122;
		for (j = 0; j < 5; j++) {
			if (g->status[order[j]] == 0)
				continue;
			wd = 300.0 * (double)g->status[order[j]] / (double)max;
			putf(w, "<rect class=\"f-%s\" x=\"%.2f\" y=\"%zu\" "
			    "width=\"%.2f\" height=\"16\"/>",
			    status_name(order[j]), x, i * 24 + 4, wd);
			x += wd;
		}
		putf(w, "<text class=\"val\" x=\"%.2f\" y=\"%zu\">%s</text>"
		    "</g>\n", x + 6, i * 24 + 17, num(g->n, nb));
	}
	put(w, "</svg>\n<table class=\"groups\">\n<thead><tr><th scope=\"col\">"
	    "category</th>");
	put(w, group_head);
	for (i = 0; i < m->cats.n; i++) {
		g = &m->cats.v[ids[i]];
		putf(w, "<tr><th scope=\"row\"><button type=\"button\" "
		    "class=\"flt\" disabled data-f=\"category\" data-v=\"%zu\">", ids[i]);
		esc(w, g->len ? g->key : "uncategorized");
		put(w, "</button></th>");
		group_cells(w, g);
		put(w, "</tr>\n");
	}
	put(w, "</tbody></table>\n</div>\n</section>\n");
	free(ids);
	return TALLY_OK;
}

/* Each label key as a matrix: its values side by side. */
static int
by_label(struct w *w, const struct model *m, const char *group_by)
{
	const struct group *g, *k;
	size_t *ids, j, start, end, pass, ncol;
	char d[32], nb[32];
	int first;

	if (m->labels.n == 0)
		return TALLY_OK;
	if ((ids = sorted_ids(&m->labels, cmp_label)) == NULL)
		return TALLY_ENOMEM;
	put(w, "<section id=\"by-label\">\n<h2>By label</h2>\n");
	/* Two passes: the --group-by key first, then the others. */
	for (pass = 0; pass < 2; pass++) {
		for (start = 0; start < m->labels.n; start = end) {
			k = &m->labels.v[ids[start]];
			for (end = start + 1; end < m->labels.n &&
			    strcmp(m->labels.v[ids[end]].key, k->key) == 0; end++)
				;
			first = group_by != NULL && strcmp(k->key, group_by) == 0;
			if ((pass == 0) != first)
				continue;
			ncol = end - start < VALUE_CAP ? end - start : VALUE_CAP;
			put(w, "<div class=\"scroll\"><table class=\"matrix\">"
			    "\n<caption>");
			esc(w, k->key);
			putf(w, " <span class=\"dim\">(%zu value%s)</span>"
			    "</caption>\n<thead><tr><td></td>", end - start,
			    end - start == 1 ? "" : "s");
			for (j = start; j < start + ncol; j++) {
				g = &m->labels.v[ids[j]];
				putf(w, "<th scope=\"col\"><button type=\"button\" "
				    "class=\"flt\" disabled data-f=\"label\" "
				    "data-v=\"%zu\">", ids[j]);
				escn(w, g->key + g->split, g->len - g->split);
				put(w, "</button></th>");
			}
			put(w, "</tr></thead>\n<tbody>\n");
#define ROW(title, expr, bad) do {					\
	put(w, "<tr><th scope=\"row\">" title "</th>");			\
	for (j = start; j < start + ncol; j++) {			\
		g = &m->labels.v[ids[j]];				\
		putf(w, "<td class=\"n%s\">%s</td>",			\
		    (bad) && (expr) > 0 ? " bad" : "", num((expr), nb));	\
	}								\
	put(w, "</tr>\n");						\
} while (0)
			ROW("tests", g->n, 0);
			ROW("passed", g->status[TALLY_PASSED], 0);
			ROW("failed", g->status[TALLY_FAILED] +
			    g->status[TALLY_OTHER], 1);
			ROW("skipped", g->status[TALLY_SKIPPED] +
			    g->status[TALLY_PENDING], 0);
			ROW("flaky", g->flaky, 0);
#undef ROW
			put(w, "<tr><th scope=\"row\">pass rate</th>");
			for (j = start; j < start + ncol; j++)
				putf(w, "<td class=\"n\">%.1f%%</td>",
				    group_rate(&m->labels.v[ids[j]]));
			put(w, "</tr>\n<tr><th scope=\"row\">time</th>");
			for (j = start; j < start + ncol; j++)
				putf(w, "<td class=\"n\">%s</td>",
				    fmt_ms(m->labels.v[ids[j]].duration, d,
				    sizeof(d)));
			put(w, "</tr>\n<tr><td></td>");
			for (j = start; j < start + ncol; j++) {
				put(w, "<td class=\"barcell\">");
				mini_bar(w, &m->labels.v[ids[j]]);
				put(w, "</td>");
			}
			put(w, "</tr>\n</tbody></table></div>\n");
			if (end - start > ncol)
				putf(w, "<p class=\"more\">%zu more values.</p>\n",
				    end - start - ncol);
		}
	}
	put(w, "</section>\n");
	free(ids);
	return TALLY_OK;
}

static int
by_suite(struct w *w, const struct model *m)
{
	const struct group *g;
	size_t *ids, i;
	char nb[32];

	if (m->suites.n == 0 || (m->suites.n == 1 && m->suites.v[0].len == 0))
		return TALLY_OK;
	if ((ids = sorted_ids(&m->suites, cmp_busy)) == NULL)
		return TALLY_ENOMEM;
	putf(w, "<section id=\"by-suite\">\n<h2>By suite <span class=\"count\">"
	    "%s</span></h2>\n<div class=\"scroll\"><table class=\"groups\">\n"
	    "<thead><tr><th scope=\"col\">suite</th>", num(m->suites.n, nb));
	put(w, group_head);
	for (i = 0; i < m->suites.n && i < SUITE_CAP; i++) {
		g = &m->suites.v[ids[i]];
		if (i >= SUITE_MIN && g->status[TALLY_FAILED] +
		    g->status[TALLY_OTHER] == 0)
			break;
		putf(w, "<tr><th scope=\"row\"><button type=\"button\" "
		    "class=\"flt\" disabled data-f=\"suite\" data-v=\"%zu\">", ids[i]);
		if (g->len == 0)
			put(w, "(no suite)");
		else
			esc_suite(w, g);
		put(w, "</button></th>");
		group_cells(w, g);
		put(w, "</tr>\n");
	}
	put(w, "</tbody></table></div>\n");
	if (m->suites.n > i)
		putf(w, "<p class=\"more\">%s more suites, with fewer "
		    "failures, are in the filters of the table of all tests.</p>\n",
		    num(m->suites.n - i, nb));
	put(w, "</section>\n");
	free(ids);
	return TALLY_OK;
}

static void
histogram(struct w *w, const struct model *m)
{
	static const char *const name[] = { "< 1 ms", "1\xe2\x80\x93" "10 ms",
	    "10\xe2\x80\x93" "100 ms", "0.1\xe2\x80\x93" "1 s",
	    "1\xe2\x80\x93" "10 s", "10\xe2\x80\x93" "60 s", "\xe2\x89\xa5 1 min",
	    "unknown" };
	size_t i, max = 1, nbk = m->hist[7] > 0 ? 8 : 7;
	double h, hf;
	char nb[32];

	if (m->rep->ntests == 0)
		return;
	for (i = 0; i < nbk; i++)
		if (m->hist[i] > max)
			max = m->hist[i];
	put(w, "<section id=\"durations\">\n<h2>Durations</h2>\n"
	    "<svg class=\"chart hist\" viewBox=\"0 0 640 200\" role=\"img\" "
	    "aria-label=\"Duration histogram:");
	for (i = 0; i < nbk; i++)
		putf(w, "%s %s %zu", i ? "," : "", name[i], m->hist[i]);
	put(w, "\">\n");
	for (i = 0; i < nbk; i++) {
		h = 150.0 * (double)m->hist[i] / (double)max;
		hf = 150.0 * (double)m->histfail[i] / (double)max;
		putf(w, "<g><title>%s: %zu test%s, %zu failed</title>"
		    "<rect class=\"f-passed\" x=\"%zu\" y=\"%.2f\" width=\"64\" "
		    "height=\"%.2f\"/>", name[i], m->hist[i],
		    m->hist[i] == 1 ? "" : "s", m->histfail[i],
		    i * 80 + 8, 170 - h, h - hf);
		if (hf > 0)
			putf(w, "<rect class=\"f-failed\" x=\"%zu\" y=\"%.2f\" "
			    "width=\"64\" height=\"%.2f\"/>", i * 80 + 8,
			    170 - hf, hf);
		putf(w, "<text class=\"val\" x=\"%zu\" y=\"%.2f\" "
		    "text-anchor=\"middle\">%s</text><text class=\"lbl\" "
		    "x=\"%zu\" y=\"190\" text-anchor=\"middle\">%s</text></g>\n",
		    i * 80 + 40, 165 - h, num(m->hist[i], nb), i * 80 + 40,
		    name[i]);
	}
	put(w, "</svg>\n</section>\n");
}

/*
 * A diff stream: its tests by change, each a link that filters the table
 * of all tests (#change=new-failure), as the status links do.
 */
static void
changes(struct w *w, const struct tally_report *rep)
{
	char nb[32];
	size_t i;

	if (rep->diff == NULL)
		return;
	put(w, "<section id=\"changes\">\n<h2>Changes</h2>\n"
	    "<ul class=\"chips\">\n");
	for (i = 0; i < TALLY_NCHANGE; i++) {
		const char *n = tally_change_name((enum tally_change)i);

		if (rep->changes[i] == 0)
			continue;
		putf(w, "<li><a class=\"chip chg-%s\" href=\"#change=%s\">%s "
		    "<b>%s</b></a></li>\n", n, n, n, num(rep->changes[i], nb));
	}
	put(w, "</ul>\n</section>\n");
}

/* A test's statuses over the latest runs as a strip of cells. */
static void
sparkline(struct w *w, const char *st)
{
	size_t n = st != NULL ? strlen(st) : 0, i;

	if (n > TALLY_HIST_RUNS) {
		st += n - TALLY_HIST_RUNS;
		n = TALLY_HIST_RUNS;
	}
	if (n == 0)
		return;
	putf(w, "<svg class=\"spark\" width=\"%zu\" height=\"14\" "
	    "viewBox=\"0 0 %zu 14\" role=\"img\" aria-label=\"Latest %zu "
	    "run%s: ", n * 8, n * 8, n, n == 1 ? "" : "s");
	esc(w, st);
	put(w, "\">");
	for (i = 0; i < n; i++)
		putf(w, "<rect class=\"f-%s\" x=\"%zu\" y=\"0\" width=\"7\" "
		    "height=\"14\"/>", st[i] == 'P' ? "passed" : st[i] == 'F' ?
		    "failed" : st[i] == 'S' ? "skipped" : st[i] == 'O' ?
		    "other" : "none", i * 8);
	put(w, "</svg>");
}

static void
hist_rows(struct w *w, struct tally_record *const *v, size_t n, int failing)
{
	char a[TALLY_FMTBUF];
	size_t i;

	for (i = 0; i < n; i++) {
		const char *s;

		put(w, "<tr><th scope=\"row\" class=\"name\">");
		esc(w, tally_hist_str(v[i], "name") ? tally_hist_str(v[i],
		    "name") : "");
		if ((s = tally_hist_str(v[i], "classname")) != NULL) {
			put(w, " <span class=\"dim\">");
			esc(w, s);
			put(w, "</span>");
		}
		put(w, "</th><td class=\"n\">");
		if (failing) {
			putf(w, "%.0f run%s</td><td>since run ",
			    tally_hist_num(v[i], "failingRuns"),
			    tally_hist_num(v[i], "failingRuns") == 1 ? "" : "s");
			esc(w, tally_hist_str(v[i], "failingSince"));
			if ((s = tally_hist_str(v[i], "failingSinceCommit")) !=
			    NULL) {
				put(w, " (");
				esc(w, s);
				put(w, ")");
			}
		} else
			putf(w, "%s</td><td>%.0f flip%s, %.0f retried pass%s",
			    tally_fmt_rate(a, 100 * tally_hist_num(v[i],
			    "flakyRate")), tally_hist_num(v[i], "flips"),
			    tally_hist_num(v[i], "flips") == 1 ? "" : "s",
			    tally_hist_num(v[i], "flakyRuns"),
			    tally_hist_num(v[i], "flakyRuns") == 1 ? "" : "es");
		put(w, "</td><td class=\"barcell\">");
		sparkline(w, tally_hist_str(v[i], "statuses"));
		put(w, "</td></tr>\n");
	}
}

/* Where run i of the latest n (from first) goes on the trend chart. */
static double
trend_x(size_t i, size_t first, size_t n)
{
	return n > 1 ? 40 + 580.0 * (double)(i - first) / (double)(n - 1) :
	    330;
}

/*
 * A history stream: pass rate and duration over the latest runs as one
 * chart (two lines, each on its own scale), and the most flaky and the
 * longest failing tests, each with its statuses as a sparkline.
 */
static void
history(struct w *w, const struct tally_report *rep)
{
	const struct tally_histview *v = rep->history;
	size_t i, first, n;
	double maxd = 0, y;
	char d[32];

	if (v == NULL || v->nruns == 0)
		return;
	first = v->nruns > TALLY_HIST_RUNS ? v->nruns - TALLY_HIST_RUNS : 0;
	n = v->nruns - first;
	for (i = first; i < v->nruns; i++)
		if (tally_hist_num(v->runs[i], "duration") > maxd)
			maxd = tally_hist_num(v->runs[i], "duration");
	putf(w, "<section id=\"history\">\n<h2>History <span class="
	    "\"count\">%zu run%s</span></h2>\n<svg class=\"chart trend\" "
	    "viewBox=\"0 0 640 200\" role=\"img\" aria-label=\"Pass rate "
	    "and duration over the latest %zu run%s:", v->nruns,
	    v->nruns == 1 ? "" : "s", n, n == 1 ? "" : "s");
	for (i = first; i < v->nruns; i++)
		putf(w, "%s run %.0f %.2f%% %s", i > first ? "," : "",
		    tally_hist_num(v->runs[i], "run"),
		    tally_hist_num(v->runs[i], "passRate"),
		    fmt_ms(tally_hist_num(v->runs[i], "duration"), d,
		    sizeof(d)));
	put(w, "\">\n<line class=\"axis\" x1=\"40\" y1=\"170\" x2=\"620\" "
	    "y2=\"170\"/><text class=\"lbl\" x=\"36\" y=\"24\" "
	    "text-anchor=\"end\">100%</text><text class=\"lbl\" x=\"36\" "
	    "y=\"174\" text-anchor=\"end\">0%</text>\n");
	/* y: 20 (100 %, the longest run) to 170 (0). */
	put(w, "<polyline class=\"l-dur\" points=\"");
	for (i = first; i < v->nruns; i++) {
		y = 170 - (maxd > 0 ? 150 * tally_hist_num(v->runs[i],
		    "duration") / maxd : 0);
		putf(w, "%s%.1f,%.1f", i > first ? " " : "",
		    trend_x(i, first, n), y);
	}
	put(w, "\"/>\n<polyline class=\"l-rate\" points=\"");
	for (i = first; i < v->nruns; i++)
		putf(w, "%s%.1f,%.1f", i > first ? " " : "",
		    trend_x(i, first, n), 170 - 1.5 *
		    tally_hist_num(v->runs[i], "passRate"));
	put(w, "\"/>\n");
	for (i = first; i < v->nruns; i++) {
		putf(w, "<circle class=\"p-rate\" cx=\"%.1f\" cy=\"%.1f\" "
		    "r=\"3\"><title>run %.0f: pass rate %.2f%%, %s</title>"
		    "</circle>", trend_x(i, first, n), 170 - 1.5 *
		    tally_hist_num(v->runs[i], "passRate"),
		    tally_hist_num(v->runs[i], "run"),
		    tally_hist_num(v->runs[i], "passRate"),
		    fmt_ms(tally_hist_num(v->runs[i], "duration"), d,
		    sizeof(d)));
		putf(w, "<text class=\"lbl\" x=\"%.1f\" y=\"190\" "
		    "text-anchor=\"middle\">%.0f</text>\n",
		    trend_x(i, first, n), tally_hist_num(v->runs[i], "run"));
	}
	putf(w, "<text class=\"val\" x=\"620\" y=\"14\" text-anchor=\"end\">"
	    "<tspan class=\"k-rate\">\xe2\x80\x94 pass rate</tspan> "
	    "<tspan class=\"k-dur\">\xe2\x80\x94 duration (max %s)</tspan>"
	    "</text>\n</svg>\n", fmt_ms(maxd, d, sizeof(d)));
	if (v->nflaky > 0) {
		putf(w, "<div class=\"scroll\"><table class=\"hist\"><caption>"
		    "Most flaky (%zu)</caption><thead><tr><th>Test</th>"
		    "<th class=\"n\">Flaky rate</th><th></th><th>Latest runs"
		    "</th></tr></thead><tbody>\n", v->allflaky);
		hist_rows(w, v->flaky, v->nflaky, 0);
		put(w, "</tbody></table></div>\n");
	}
	if (v->nfailing > 0) {
		putf(w, "<div class=\"scroll\"><table class=\"hist\"><caption>"
		    "Failing longest (%zu)</caption><thead><tr><th>Test</th>"
		    "<th class=\"n\">Failing</th><th></th><th>Latest runs"
		    "</th></tr></thead><tbody>\n", v->allfailing);
		hist_rows(w, v->failing, v->nfailing, 1);
		put(w, "</tbody></table></div>\n");
	}
	put(w, "</section>\n");
}

static void
slowest(struct w *w, const struct model *m, size_t top)
{
	const struct tally_report *rep = m->rep;
	const struct tally_record *r;
	const struct tally_test *t;
	struct tally_record **best;
	size_t n = 0, i, j, pos = 0;
	struct ids x;
	char d[32];
	int more;

	if (top > rep->ntests)
		top = rep->ntests;
	if (top == 0)
		return;
	if ((best = calloc(top, sizeof(*best))) == NULL) {
		wcheck(w, TALLY_ENOMEM);
		return;
	}
	/*
	 * Insertion into a short sorted list of copies (tests may be
	 * streamed); ties keep report order.
	 */
	while ((more = next_test(m, &pos, &r)) == 1) {
		double du = r->u.test.duration;
		struct tally_record *dup;

		if (!isfinite(du) || du < 0)
			continue;
		if (n == top && du <= best[n - 1]->u.test.duration)
			continue;
		if (tally_record_dup(r, &dup) != TALLY_OK) {
			more = TALLY_ENOMEM;
			break;
		}
		if (n == top)
			tally_record_free(best[n - 1]);
		j = n < top ? n++ : n - 1;
		while (j > 0 && best[j - 1]->u.test.duration < du) {
			best[j] = best[j - 1];
			j--;
		}
		best[j] = dup;
	}
	wcheck(w, more < 0 ? more : TALLY_OK);
	if (n > 0 && more == 0) {
		putf(w, "<section id=\"slowest\">\n<h2>Slowest tests</h2>\n"
		    "<div class=\"scroll\"><table class=\"slow\">\n<thead><tr>"
		    "<th scope=\"col\" class=\"n\">time</th><th scope=\"col\">"
		    "test</th><th scope=\"col\">suite</th><th scope=\"col\">"
		    "status</th></tr></thead>\n<tbody>\n");
		for (i = 0; i < n; i++) {
			t = &best[i]->u.test;
			putf(w, "<tr><td class=\"n\">%s</td><td class=\"name\">",
			    fmt_ms(t->duration, d, sizeof(d)));
			esc(w, t->name);
			put(w, "</td><td class=\"suite\">");
			esc_suite(w, &m->suites.v[ids_of(m, best[i], &x)->suite]);
			labels_inline(w, best[i]);
			putf(w, "</td><td><span class=\"st st-%s\">%s</span>"
			    "</td></tr>\n", status_name(t->status),
			    status_name(t->status));
		}
		put(w, "</tbody></table></div>\n</section>\n");
	}
	for (i = 0; i < n; i++)
		tally_record_free(best[i]);
	free(best);
}

static void perf_rows(struct w *, const struct tally_report *, unsigned);

/*
 * Every figure some row has, one column each, then the charts (see
 * render_perf.h).
 */
static void
perf_table(struct w *w, const struct tally_report *rep)
{
	struct tally_buf svg;
	unsigned cols;

	if (rep->nperf == 0)
		return;
	cols = tally_perf_columns(rep);
	put(w, "<section id=\"perf\">\n<h2>Performance</h2>\n");
	if (tally_perf_rows(rep) > 0)
		perf_rows(w, rep, cols);
	tally_buf_init(&svg);
	wcheck(w, tally_perf_svg(&svg, rep));
	if (svg.data != NULL)
		put(w, svg.data);
	tally_buf_free(&svg);
	put(w, "</section>\n");
}

static void
perf_rows(struct w *w, const struct tally_report *rep, unsigned cols)
{
	const struct tally_perf *p;
	char cell[32];
	size_t i, f;
	double v;

	put(w, "<div class=\"scroll\">"
	    "<table class=\"slow\">\n<thead><tr><th scope=\"col\">name</th>");
	for (f = 0; f < TALLY_NPERF_FIG; f++)
		if (cols & (1u << f))
			putf(w, "<th scope=\"col\" class=\"n\">%s</th>",
			    tally_perf_heading((enum tally_perf_fig)f));
	put(w, "</tr></thead>\n<tbody>\n");
	for (i = 0; i < rep->nperf; i++) {
		p = &rep->perf[i]->u.perf;
		if (tally_perf_is_series(p))
			continue;
		put(w, "<tr><td class=\"name\">");
		if (p->method != NULL) {
			esc(w, p->method);
			put(w, " ");
		}
		esc(w, p->name);
		put(w, "</td>");
		for (f = 0; f < TALLY_NPERF_FIG; f++) {
			if (!(cols & (1u << f)))
				continue;
			v = tally_perf_fig_get(p, (enum tally_perf_fig)f);
			tally_perf_cell(cell, sizeof(cell),
			    (enum tally_perf_fig)f, v);
			putf(w, "<td class=\"n%s\">%s</td>",
			    f == TALLY_PF_FAILURES && v > 0 ? " bad" : "",
			    strcmp(cell, "-") == 0 ? "\xe2\x80\x93" : cell);
		}
		put(w, "</tr>\n");
	}
	put(w, "</tbody></table></div>\n");
}

static void
app_shell(struct w *w, size_t ntests, int diff)
{
	char nb[32];

	putf(w, "<section id=\"all\" aria-labelledby=\"all-h\">\n"
	    "<h2 id=\"all-h\">All tests <span class=\"count\">%s</span></h2>\n"
	    "<p class=\"none\" id=\"nojs\">The searchable table of every "
	    "test needs JavaScript, which is off or blocked here. The verdict, "
	    "totals, failures and breakdowns above are complete without it."
	    "</p>\n", num(ntests, nb));
	put(w, "<div id=\"app\" hidden>\n"
	    "<form id=\"filters\" class=\"filters\" role=\"search\">\n"
	    "<label class=\"wide\">Search <input type=\"search\" id=\"q\" "
	    "placeholder=\"name, suite, message\xe2\x80\xa6 (press /)\" "
	    "autocomplete=\"off\" spellcheck=\"false\"></label>\n"
	    "<label>Status <select id=\"f-status\">"
	    "<option value=\"\">any</option>"
	    "<option value=\"failed\">failed</option>"
	    "<option value=\"passed\">passed</option>"
	    "<option value=\"skipped\">skipped</option>"
	    "<option value=\"pending\">pending</option>"
	    "<option value=\"other\">other</option>"
	    "<option value=\"flaky\">flaky</option>"
	    "<option value=\"retried\">retried</option></select></label>\n"
	    "<label>Category <select id=\"f-category\"><option value=\"\">"
	    "any</option></select></label>\n"
	    "<label>Suite <select id=\"f-suite\"><option value=\"\">any"
	    "</option></select></label>\n"
	    "<label>Label <select id=\"f-label\"><option value=\"\">any"
	    "</option></select></label>\n");
	/* A diff stream's tests filter by their change too. */
	if (diff)
		put(w, "<label>Change <select id=\"f-change\"><option "
		    "value=\"\">any</option></select></label>\n");
	put(w, "<button type=\"reset\" id=\"clear\">Clear</button>\n"
	    "</form>\n<p id=\"shown\" class=\"dim\" aria-live=\"polite\"></p>\n"
	    "<div class=\"grid\" role=\"table\" aria-label=\"All tests\" "
	    "id=\"grid\">\n<div class=\"ghead\" role=\"rowgroup\"><div "
	    "class=\"grow\" role=\"row\">"
	    "<div role=\"columnheader\" class=\"c-st\"><button type=\"button\" "
	    "data-sort=\"status\">Status</button></div>"
	    "<div role=\"columnheader\" class=\"c-name\"><button "
	    "type=\"button\" data-sort=\"name\">Test</button></div>"
	    "<div role=\"columnheader\" class=\"c-suite\"><button "
	    "type=\"button\" data-sort=\"suite\">Suite</button></div>"
	    "<div role=\"columnheader\" class=\"c-cat\"><button "
	    "type=\"button\" data-sort=\"category\">Category</button></div>"
	    "<div role=\"columnheader\" class=\"c-lab\"><span>Labels</span>"
	    "</div>"
	    "<div role=\"columnheader\" class=\"c-dur\"><button "
	    "type=\"button\" data-sort=\"duration\">Time</button></div>"
	    "</div></div>\n<div class=\"gbody\" id=\"gbody\">"
	    "<div class=\"spacer\" id=\"spacer\"></div>"
	    "<div class=\"rows\" id=\"rows\" role=\"rowgroup\"></div></div>\n"
	    "</div>\n<section id=\"detail\" class=\"detail\" tabindex=\"-1\" "
	    "aria-label=\"Selected test\" hidden></section>\n</div>\n"
	    "</section>\n");
}

/* The data block: every test, for the table. */

static void
jsuite(struct w *w, const struct group *g)
{
	const char *p = g->key, *e = g->key + g->len, *q;

	put(w, "\"");
	while (p <= e) {
		for (q = p; q < e && *q != '\x1f'; q++)
			;
		wcheck(w, tally_esc_json_script(&w->b, p, (size_t)(q - p)));
		if (q >= e)
			break;
		put(w, " \\u203a ");
		p = q + 1;
	}
	put(w, "\"");
}

static void
jfield(struct w *w, int *first, const char *key, const char *v)
{
	if (v == NULL || *v == '\0')
		return;
	putf(w, "%s\"%s\":", *first ? "" : ",", key);
	jstr(w, v);
	*first = 0;
}

/*
 * A trace or output of a test that neither failed nor was flaky: its
 * first OUT_CAP bytes (cut at a character boundary) and how much more.
 */
static void
jfield_cap(struct w *w, int *first, const char *key, const char *v)
{
	size_t n, cut;

	if (v == NULL || *v == '\0')
		return;
	if ((n = strlen(v)) <= OUT_CAP) {
		jfield(w, first, key, v);
		return;
	}
	for (cut = OUT_CAP; cut > 0 && (v[cut] & 0xC0) == 0x80; cut--)
		;
	putf(w, "%s\"%s\":\"", *first ? "" : ",", key);
	wcheck(w, tally_esc_json_script(&w->b, v, cut));
	putf(w, "\\n\\u2026 %zu byte%s more, left out of the page\"",
	    n - cut, n - cut == 1 ? "" : "s");
	*first = 0;
}

static void
jdetails(struct w *w, const struct tally_record *r)
{
	const struct tally_test *t = &r->u.test;
	const struct tally_attempt *a;
	size_t j;
	int first = 1, f2;
	void (*out)(struct w *, int *, const char *, const char *);

	out = is_problem(t) || t->flaky ? jfield : jfield_cap;
	jfield(w, &first, "m", t->message);
	jfield(w, &first, "y", t->type);
	out(w, &first, "t", t->trace);
	out(w, &first, "o", t->stdout_text);
	out(w, &first, "e", t->stderr_text);
	if (t->raw_status != NULL && strcmp(t->raw_status,
	    status_name(t->status)) != 0)
		jfield(w, &first, "r", t->raw_status);
	if (t->nattempts > 0) {
		putf(w, "%s\"a\":[", first ? "" : ",");
		first = 0;
		for (j = 0; j < t->nattempts; j++) {
			a = &t->attempts[j];
			putf(w, "%s{\"s\":%d,\"d\":", j ? "," : "",
			    a->status < TALLY_NSTATUS ? (int)a->status :
			    TALLY_OTHER);
			jnum(w, a->duration);
			f2 = 0;
			jfield(w, &f2, "m", a->message);
			jfield(w, &f2, "y", a->type);
			jfield(w, &f2, "t", a->trace);
			jfield(w, &f2, "o", a->stdout_text);
			jfield(w, &f2, "e", a->stderr_text);
			put(w, "}");
		}
		put(w, "]");
	}
	if (t->nproperties > 0) {
		putf(w, "%s\"q\":[", first ? "" : ",");
		first = 0;
		for (j = 0; j < t->nproperties; j++) {
			put(w, j ? ",[" : "[");
			jstr(w, t->properties[j].key);
			put(w, ",");
			jstr(w, t->properties[j].value);
			put(w, "]");
		}
		put(w, "]");
	}
}

/* An id in the data, -1 for none. */
static long
sid(size_t id)
{
	return id == SIZE_MAX ? -1 : (long)id;
}

/* Has the test anything for the details object? */
static int
has_details(const struct tally_test *t)
{
	return (t->message && *t->message) || (t->trace && *t->trace) ||
	    (t->stdout_text && *t->stdout_text) || (t->stderr_text &&
	    *t->stderr_text) || (t->type && *t->type) ||
	    (t->raw_status != NULL && strcmp(t->raw_status,
	    status_name(t->status)) != 0) ||
	    t->nattempts > 0 || t->nproperties > 0;
}

/*
 * A diff stream's changes: "changes", their names, and "change", each
 * test's as an index into them (-1: none), in the order of "tests".
 */
static void
change_data(struct w *w, const struct model *m)
{
	const struct tally_record *r;
	enum tally_change c;
	size_t i, pos = 0;
	int more;

	put(w, ",\n\"changes\":[");
	for (i = 0; i < TALLY_NCHANGE; i++) {
		put(w, i ? "," : "");
		jstr(w, tally_change_name((enum tally_change)i));
	}
	put(w, "],\n\"change\":[");
	for (i = 0; (more = next_test(m, &pos, &r)) == 1; i++)
		putf(w, "%s%d", i ? "," : "", r->u.test.change != NULL &&
		    tally_change_parse(r->u.test.change, &c) == TALLY_OK ?
		    (int)c : -1);
	wcheck(w, more < 0 ? more : TALLY_OK);
	put(w, "]");
}

/*
 * --split-assets: the rows of the tests that passed, were skipped or are
 * pending (not flaky) go into parts, report-data-0001.js and on, each a
 * script calling tallyRows(part, JSON.parse('rows')) (JSON.parse: a
 * large literal compiles several times slower) for part p's share of the tests
 * (p-1)*rows to p*rows-1 that are not in the page.  Every part is written
 * to a temporary file and renamed into place only once all were written.
 */
struct parts {
	size_t		 n, rows;		/* parts, tests per part */
	struct tally_output **o;
	struct tally_output *asset[2];		/* report.css, report.js */
};

/* Is a test's row in the page itself (failed, other or flaky)? */
static int
in_page(const struct tally_test *t)
{
	return is_problem(t) || t->flaky;
}

/* One test's row of the table: a compact array. */
static void
jrow(struct w *w, const struct model *m, const struct tally_record *r)
{
	const struct tally_test *t = &r->u.test;
	struct ids ids;
	const struct ids *x = ids_of(m, r, &ids);
	long f[6];
	size_t j, nf;

	put(w, "[");
	jstr(w, t->name ? t->name : "");
	put_cint(w, sid(x->cls));
	put_cint(w, (long long)x->suite);
	put_cint(w, t->status < TALLY_NSTATUS ? (int)t->status : TALLY_OTHER);
	put(w, ",");
	jnum(w, t->duration);
	put_cint(w, (long long)x->cat);
	put_cint(w, sid(x->src));
	/* The rarer fields last, left out from the end at default. */
	f[0] = sid(x->lset);
	f[1] = sid(x->file);
	f[2] = t->line > 0 ? t->line : 0;
	f[3] = t->retries > 0 ? t->retries : 0;
	f[4] = t->flaky != 0;
	f[5] = has_details(t);
	for (nf = 6; nf > 0 && f[nf - 1] == (nf <= 2 ? -1 : 0); nf--)
		;
	for (j = 0; j < nf && j < 5; j++)
		put_cint(w, f[j]);
	if (nf == 6) {
		put(w, ",{");
		jdetails(w, r);
		put(w, "}");
	}
	put(w, "]");
}

/*
 * The data block: the table's names and every test's row, or with pt
 * (--split-assets) the rows of failed, other and flaky tests only.
 */
static void
data_block(struct w *w, const struct model *m, const char *title,
    const struct parts *pt)
{
	const struct tally_record *r;
	const struct group *g;
	size_t i, j, pos = 0, nrow;
	int more;

	put(w, "<script type=\"application/json\" id=\"tally-data\">"
	    "{\"v\":2,\"title\":");
	jstr(w, title);
	put(w, ",\n\"cats\":[");
	for (i = 0; i < m->cats.n; i++) {
		put(w, i ? "," : "");
		jstr(w, m->cats.v[i].key);
	}
	put(w, "],\n\"suites\":[");
	for (i = 0; i < m->suites.n; i++) {
		put(w, i ? "," : "");
		jsuite(w, &m->suites.v[i]);
	}
	put(w, "],\n\"labels\":[");
	for (i = 0; i < m->labels.n; i++) {
		g = &m->labels.v[i];
		put(w, i ? ",[\"" : "[\"");
		wcheck(w, tally_esc_json_script(&w->b, g->key, g->split - 1));
		put(w, "\",\"");
		wcheck(w, tally_esc_json_script(&w->b, g->key + g->split,
		    g->len - g->split));
		put(w, "\"]");
	}
	put(w, "],\n\"strs\":[");
	for (i = 0; i < m->strs.n; i++) {
		put(w, i ? "," : "");
		jstr(w, m->strs.v[i].key);
	}
	put(w, "],\n\"lsets\":[");
	for (i = 0; i < m->lsets.n; i++) {
		put(w, i ? ",[" : "[");
		for (j = 0; j < m->nlsetlab[i]; j++)
			putf(w, "%s%zu", j ? "," : "", m->lsetlab[i][j]);
		put(w, "]");
	}
	put(w, "],\n\"tests\":[\n");
	nrow = 0;
	for (i = 0; (more = next_test(m, &pos, &r)) == 1; i++) {
		if (pt != NULL && !in_page(&r->u.test))
			continue;
		put(w, nrow > 0 ? ",\n" : "");
		jrow(w, m, r);
		nrow++;
	}
	wcheck(w, more < 0 ? more : TALLY_OK);
	put(w, "\n]");
	/* --split-assets: where the rows above go, and the parts. */
	if (pt != NULL) {
		putf(w, ",\n\"n\":%zu,\"parts\":%zu,\"part\":%zu,\n\"at\":[",
		    i, pt->n, pt->rows);
		pos = 0;
		nrow = 0;
		for (i = 0; (more = next_test(m, &pos, &r)) == 1; i++)
			if (in_page(&r->u.test))
				putf(w, "%s%zu", nrow++ > 0 ? "," : "", i);
		wcheck(w, more < 0 ? more : TALLY_OK);
		put(w, "]");
	}
	if (m->rep->diff != NULL)
		change_data(w, m);
	put(w, "}</script>\n");
}

static void
parts_free(struct parts *pt)
{
	size_t i;

	for (i = 0; i < pt->n; i++)
		if (pt->o[i] != NULL)
			tally_output_abort(pt->o[i]);
	for (i = 0; i < 2; i++)
		if (pt->asset[i] != NULL)
			tally_output_abort(pt->asset[i]);
	free(pt->o);
	pt->o = NULL;
	pt->n = 0;
	pt->asset[0] = pt->asset[1] = NULL;
}

static int
parts_write(struct parts *pt, const struct model *m, const char *dir,
    size_t ntests, struct tally_error *err)
{
	const struct tally_record *r;
	const char *v = getenv("TALLY_HTML_PART_ROWS");
	struct w w;
	char *path, *end;
	size_t i, pos = 0, p = 0, nrow = 0;
	unsigned long long u;
	int more = 0, rc = TALLY_OK;

	pt->rows = PART_ROWS;
	if (v != NULL && *v != '\0') {
		errno = 0;
		u = strtoull(v, &end, 10);
		if (*end == '\0' && errno == 0 && u > 0 && u <= SIZE_MAX)
			pt->rows = (size_t)u;
	}
	if (pt->rows < (ntests + PART_MAX - 1) / PART_MAX)
		pt->rows = (ntests + PART_MAX - 1) / PART_MAX;
	pt->n = (ntests + pt->rows - 1) / pt->rows;
	if (pt->n > 0 && (pt->o = calloc(pt->n, sizeof(*pt->o))) == NULL) {
		pt->n = 0;
		return tally_error_set(err, TALLY_ENOMEM, 0, 0, "out of memory");
	}
	memset(&w, 0, sizeof(w));
	tally_buf_init(&w.b);
	for (i = 0; rc == TALLY_OK && (more = next_test(m, &pos, &r)) == 1;
	    i++) {
		if (i % pt->rows == 0) {
			wflush(&w);
			w.jsq = 0;
			if (p > 0)
				put(&w, "]'));\n");
			wflush(&w);
			if ((rc = w.rc) != TALLY_OK)
				break;
			/* More tests than the report counted: a bug. */
			if (p >= pt->n) {
				rc = TALLY_EINVAL;
				break;
			}
			if (asprintf(&path, "%s/report-data-%04zu.js", dir,
			    p + 1) < 0) {
				rc = TALLY_ENOMEM;
				break;
			}
			rc = tally_output_open(&pt->o[p], path, err);
			free(path);
			if (rc != TALLY_OK) {
				tally_buf_free(&w.b);
				goto fail;
			}
			w.fp = tally_output_file(pt->o[p]);
			putf(&w, "tallyRows(%zu,JSON.parse('[", ++p);
			wflush(&w);
			w.jsq = 1;
			nrow = 0;
		}
		if (in_page(&r->u.test))
			continue;
		put(&w, nrow++ > 0 ? ",\n" : "");
		jrow(&w, m, r);
	}
	/* Reading the tests failed: next_test() said why. */
	if (rc == TALLY_OK && more < 0) {
		rc = more;
		tally_buf_free(&w.b);
		goto fail;
	}
	if (rc == TALLY_OK && p > 0) {
		wflush(&w);
		w.jsq = 0;
		put(&w, "]'));\n");
		wflush(&w);
		rc = w.rc;
	}
	tally_buf_free(&w.b);
	if (rc == TALLY_OK) {
		for (i = 0; i < pt->n; i++)
			if (fflush(tally_output_file(pt->o[i])) != 0 ||
			    ferror(tally_output_file(pt->o[i]))) {
				rc = TALLY_EIO;
				break;
			}
	}
	if (rc == TALLY_EIO) {
		err->sys_errno = errno;
		tally_error_set(err, rc, 0, 0, "write error on '%s/"
		    "report-data-*.js': %s", dir, strerror(errno));
	} else if (rc == TALLY_ENOMEM)
		tally_error_set(err, rc, 0, 0, "out of memory");
	else if (rc != TALLY_OK)
		tally_error_set(err, rc, 0, 0, "cannot write the data parts");
fail:
	if (rc != TALLY_OK)
		parts_free(pt);
	return rc;
}

/*
 * Rename the parts, report.css and report.js into place, once every one
 * was written; on an error, the rest are thrown away.
 */
static int
parts_commit(struct parts *pt, struct tally_error *err)
{
	struct tally_output *o;
	size_t i;
	int rc = TALLY_OK;

	for (i = 0; i < pt->n + 2; i++) {
		o = i < pt->n ? pt->o[i] : pt->asset[i - pt->n];
		if (o == NULL)
			continue;
		if (rc == TALLY_OK)
			rc = tally_output_commit(o, err);
		else
			tally_output_abort(o);
	}
	free(pt->o);
	pt->o = NULL;
	pt->n = 0;
	pt->asset[0] = pt->asset[1] = NULL;
	return rc;
}

/* --split-assets: report.css or report.js, written, not yet committed. */
static int
write_asset(const char *dir, const char *name, const char *text,
    struct tally_output **o, struct tally_error *err)
{
	char *path;
	int rc;

	*o = NULL;
	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0, "out of memory");
	if ((rc = tally_output_open(o, path, err)) == TALLY_OK &&
	    (fputs(text, tally_output_file(*o)) == EOF ||
	    fflush(tally_output_file(*o)) != 0)) {
		err->sys_errno = errno;
		rc = tally_error_set(err, TALLY_EIO, 0, 0,
		    "write error on '%s': %s", path, strerror(errno));
		tally_output_abort(*o);
		*o = NULL;
	}
	free(path);
	return rc;
}

/*
 * The relative URL prefix from the report's directory to assets_dir: ""
 * when they are the same directory, "sub/dir/" below it (each segment
 * percent-encoded).  Anything else cannot be linked reliably.
 */
static int
asset_prefix(const struct tally_render_opts *opts, char **out,
    struct tally_error *err)
{
	struct tally_buf b;
	char *dup = NULL, *od = NULL, *ad = NULL;
	const char *dir = ".", *p;
	size_t n;
	int rc = TALLY_OK;

	*out = NULL;
	tally_buf_init(&b);
	if (opts->output_path != NULL && strcmp(opts->output_path, "-") != 0) {
		if ((dup = strdup(opts->output_path)) == NULL)
			return tally_error_set(err, TALLY_ENOMEM, 0, 0,
			    "out of memory");
		dir = dirname(dup);
	}
	if ((od = realpath(dir, NULL)) == NULL ||
	    (ad = realpath(opts->assets_dir, NULL)) == NULL) {
		err->sys_errno = errno;
		rc = tally_error_set(err, TALLY_EIO, 0, 0, "cannot use '%s': %s",
		    od == NULL ? dir : opts->assets_dir, strerror(errno));
		goto done;
	}
	n = strlen(od);
	if (strcmp(od, ad) == 0)
		p = "";
	else if (strncmp(od, ad, n) == 0 && (ad[n] == '/' || n == 1))
		p = ad + n + (n > 1);
	else {
		rc = tally_error_set(err, TALLY_EINVAL, 0, 0, "assets directory "
		    "'%s' is not the report's directory or below it",
		    opts->assets_dir);
		goto done;
	}
	for (; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || strchr("-._~/", c) != NULL)
			rc |= tally_buf_addc(&b, (char)c);
		else
			rc |= tally_buf_printf(&b, "%%%02X", c);
	}
	if (b.len > 0)
		rc |= tally_buf_addc(&b, '/');
	if (rc != TALLY_OK) {
		rc = tally_error_set(err, TALLY_ENOMEM, 0, 0, "out of memory");
		goto done;
	}
	*out = tally_buf_detach(&b);
	if (*out == NULL)
		rc = tally_error_set(err, TALLY_ENOMEM, 0, 0, "out of memory");
done:
	tally_buf_free(&b);
	free(dup);
	free(od);
	free(ad);
	return rc;
}

int
tally_render_html(const struct tally_report *rep,
    const struct tally_render_opts *opts, FILE *fp, struct tally_error *err)
{
	static const struct tally_render_opts none;
	struct model m;
	struct parts pt = { 0, 0, NULL, { NULL, NULL } };
	struct w w;
	locale_t cloc, oldloc = (locale_t)0;
	char *prefix = NULL;
	const char *title;
	int rc;

	if (opts == NULL)
		opts = &none;
	title = opts->title != NULL ? opts->title : "Test report";
	if (opts->assets_dir != NULL) {
		if ((rc = asset_prefix(opts, &prefix, err)) != TALLY_OK)
			return rc;
		if ((rc = write_asset(opts->assets_dir, "report.css",
		    tally_html_css, &pt.asset[0], err)) != TALLY_OK ||
		    (rc = write_asset(opts->assets_dir, "report.js",
		    tally_html_js, &pt.asset[1], err)) != TALLY_OK) {
			parts_free(&pt);
			free(prefix);
			return rc;
		}
	}
	/* Numbers in the C locale whatever the caller's LC_NUMERIC is. */
	if ((cloc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0)) !=
	    (locale_t)0)
		oldloc = uselocale(cloc);
	w.fp = fp;
	w.rc = TALLY_OK;
	w.opts = opts;
	w.err = err;
	w.said = 0;
	w.jsq = 0;
	tally_buf_init(&w.b);
	if ((rc = model_build(&m, rep, err)) == TALLY_OK)
		m.marks = opts->marks;
	if (rc != TALLY_OK)
		goto done;
	if (prefix != NULL && (rc = parts_write(&pt, &m, opts->assets_dir,
	    rep->ntests, err)) != TALLY_OK) {
		model_free(&m);
		tally_buf_free(&w.b);
		free(prefix);
		goto out;
	}
	head(&w, rep, title, prefix);
	put(&w, "<body>\n<a class=\"skip\" href=\"#failures\">Skip to "
	    "failures</a>\n");
	header(&w, rep, title);
	put(&w, "<main class=\"wrap\">\n");
	/* A history stream has no tests: its history stands for them. */
	if (!tally_history_only(rep))
		totals(&w, rep);
	changes(&w, rep);
	history(&w, rep);
	if (!tally_history_only(rep)) {
		causes(&w, rep);
		failures(&w, &m);
	}
	short_list(&w, &m, "flaky", "Flaky tests", want_flaky, m.nflaky, 0);
	input_errors(&w, rep);
	if ((rc = by_category(&w, &m)) != TALLY_OK ||
	    (rc = by_label(&w, &m, opts->group_by)) != TALLY_OK ||
	    (rc = by_suite(&w, &m)) != TALLY_OK)
		goto done;
	histogram(&w, &m);
	slowest(&w, &m, opts->top ? opts->top : TOP_DEFAULT);
	short_list(&w, &m, "skipped", "Skipped tests", want_skipped,
	    m.nskipped, 1);
	perf_table(&w, rep);
	if (!tally_history_only(rep))
		app_shell(&w, rep->ntests, rep->diff != NULL);
	put(&w, "</main>\n<footer class=\"wrap dim\">Made by tally "
	    TALLY_VERSION " from the results alone; no network needed."
	    "</footer>\n");
	data_block(&w, &m, title, prefix != NULL ? &pt : NULL);
	if (prefix == NULL) {
		put(&w, "<script>");
		put(&w, tally_html_js);
		put(&w, "</script>\n");
	}
	put(&w, "</body>\n</html>\n");
	wflush(&w);
	rc = w.rc;
done:
	if (rc == TALLY_OK && w.rc != TALLY_OK)
		rc = w.rc;
	if (rc == TALLY_OK && (fflush(fp) != 0 || ferror(fp)))
		rc = TALLY_EIO;
	if (rc == TALLY_EIO) {
		err->sys_errno = errno;
		tally_error_set(err, rc, 0, 0, "write error: %s",
		    strerror(errno));
	} else if (rc != TALLY_OK && !w.said)
		tally_error_set(err, rc, 0, 0, "%s", rc == TALLY_ENOMEM ?
		    "out of memory" : "cannot render the HTML report");
	if (rc == TALLY_OK)
		rc = parts_commit(&pt, err);
	else
		parts_free(&pt);
	model_free(&m);
	tally_buf_free(&w.b);
	free(prefix);
out:
	if (cloc != (locale_t)0) {
		uselocale(oldloc);
		freelocale(cloc);
	}
	return rc;
}
